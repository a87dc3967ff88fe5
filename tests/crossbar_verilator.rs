//! The crossbar core on the Verilator engine: the controller's exported Verilog compiled by
//! Verilator, the array's behavioural model driven from Rust behind the `neurofab_xbar_macro`
//! pins (`sim::verilated_crossbar`). Golden = verilator on seeded random crossbar networks (the
//! generator of `crossbar_core.rs`, seeds of their own), with the rtl engine's cycles per tick;
//! a failure names the seed and the first differing tick (`NEUROFAB_SEED=<seed>` replays it).
//! The model is compiled once (cached in `target/neurofab-verilator/`).

mod common;

use common::crossbar::{crossbar_network, random_params, SHAPE};
use common::{compare, seeds};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::sim::{run_crossbar, Engine, RunOptions};
use rand::rngs::StdRng;
use rand::SeedableRng;

#[test]
fn golden_equals_verilator_on_12_random_crossbar_networks() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let options = RunOptions {
        shape: SHAPE,
        ..Default::default()
    };
    let mut spikes = 0;
    let mut reads = 0;
    // Seeds of their own (crossbar_core.rs runs 7000..7050 on rtl).
    for seed in seeds(7500, 12) {
        let mut rng = StdRng::seed_from_u64(seed);
        let params = random_params(&mut rng, seed);
        let net = crossbar_network(seed, &params, &mut rng);
        let golden = run_crossbar(&net, Engine::Golden, params, net.ticks, &options).unwrap();
        let verilator = run_crossbar(&net, Engine::Verilator, params, net.ticks, &options)
            .unwrap_or_else(|e| panic!("seed {seed}: verilator failed: {e}\nparams {params:?}"));
        compare(seed, &net, &golden, &verilator, Engine::Verilator);
        // The same cycles as the rust-hdl simulation of the same blocks.
        let rtl = run_crossbar(&net, Engine::Rtl, params, net.ticks, &options).unwrap();
        assert_eq!(
            verilator.tick_cycles, rtl.tick_cycles,
            "seed {seed}: cycles per tick"
        );
        spikes += golden.spikes.spikes.len();
        reads += verilator
            .tick_cycles
            .unwrap()
            .iter()
            .filter(|&&c| c > 2 * SHAPE.neurons as u64)
            .count();
    }
    if std::env::var("NEUROFAB_SEED").is_err() {
        assert!(spikes > 100, "{spikes} spikes in all");
        assert!(reads > 100, "{reads} ticks read the array");
    }
}
