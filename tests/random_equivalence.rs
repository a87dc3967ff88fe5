//! Seeded randomized equivalence: the golden model against the rust-hdl core (200 networks)
//! and against the Verilated core (20 networks). Networks span the core's sizes and the full
//! parameter ranges, including wrap, clamp, recurrent projections and negative weight_exp.
//! A failure names the seed and the first differing tick, so `NEUROFAB_SEED=<seed>` replays it.

mod common;

use common::{compare, seeds};
use neurofab::map::MAX_ABS_ACTIVATION;
use neurofab::rtl::layout::ACC_SLOTS;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::{run, Engine, RunOptions};

fn config(shape: CoreShape, ticks: u32) -> RandomNetConfig {
    RandomNetConfig {
        max_neurons: shape.neurons,
        max_axons: shape.axons,
        max_negative_exp_projections_per_population: ACC_SLOTS - 1,
        max_abs_input: MAX_ABS_ACTIVATION,
        ticks,
    }
}

fn equivalence(engine: Engine, first_seed: u64, count: u64) {
    let mut spikes_seen = 0;
    for seed in seeds(first_seed, count) {
        // Mostly the small core (fast), every fourth network on the default 256x256 core.
        let shape = if seed % 4 == 0 {
            CoreShape::default()
        } else {
            CoreShape {
                neurons: 64,
                axons: 64,
            }
        };
        let net = random_network(seed, &config(shape, 24));
        let options = RunOptions {
            shape,
            ..Default::default()
        };
        let golden = run(&net, Engine::Golden, net.ticks, &options, &mut |_| {}).unwrap();
        let other = run(&net, engine, net.ticks, &options, &mut |_| {}).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: {engine:?} failed: {e}\nnetwork:\n{}",
                net.to_json()
            )
        });
        compare(seed, &net, &golden, &other, engine);
        spikes_seen += golden.spikes.spikes.len();
    }
    // Guard against a generator that makes silent networks (which would compare trivially).
    assert!(spikes_seen > 0, "random networks produced no spikes at all");
}

#[test]
fn golden_equals_rtl_on_200_random_networks() {
    equivalence(Engine::Rtl, 1000, 200);
}

#[test]
fn golden_equals_verilator_on_20_random_networks() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    equivalence(Engine::Verilator, 5000, 20);
}
