//! Networks on the crossbar core (`[crossbar]` in `hw.toml`): the golden crossbar stage
//! (`model::crossbar`) against the rust-hdl crossbar core (`rtl::crossbar_core`, the array's
//! behavioural model behind the `neurofab_xbar_macro` pins) on seeded random networks with
//! random analog parameters; the mapper's refusals; the cycles of a tick. A failure names the
//! seed and the first differing tick, so `NEUROFAB_SEED=<seed>` replays it.

mod common;

use common::crossbar::{crossbar_network, random_params, SHAPE};
use common::{compare, seeds};
use neurofab::analog::column_read::CrossbarParams;
use neurofab::map::crossbar::{built_columns_per_adc, map_crossbar};
use neurofab::model::Network;
use neurofab::rtl::crossbar_synapses::SETTLE_CYCLES;
use neurofab::shape::{CoreShape, CROSSBAR_ADC_BITS};
use neurofab::sim::{run_crossbar, Engine, RunOptions};
use rand::rngs::StdRng;
use rand::SeedableRng;

#[test]
fn golden_equals_rtl_on_50_random_crossbar_networks() {
    let options = RunOptions {
        shape: SHAPE,
        ..Default::default()
    };
    let mut spikes = 0;
    let mut reads = 0;
    for seed in seeds(7000, 50) {
        let mut rng = StdRng::seed_from_u64(seed);
        let params = random_params(&mut rng, seed);
        let net = crossbar_network(seed, &params, &mut rng);
        let golden = run_crossbar(&net, Engine::Golden, params, net.ticks, &options).unwrap();
        let rtl = run_crossbar(&net, Engine::Rtl, params, net.ticks, &options)
            .unwrap_or_else(|e| panic!("seed {seed}: rtl failed: {e}\nparams {params:?}"));
        compare(seed, &net, &golden, &rtl, Engine::Rtl);
        spikes += golden.spikes.spikes.len();
        // A tick with a read costs at least the conversions of every physical column.
        let conversion = 2 * SHAPE.neurons as u64 * (u64::from(CROSSBAR_ADC_BITS) + 1);
        reads += rtl
            .tick_cycles
            .unwrap()
            .iter()
            .filter(|&&c| c > conversion)
            .count();
    }
    assert!(spikes > 500, "{spikes} spikes in all");
    assert!(reads > 500, "{reads} ticks read the array");
}

/// Cycles of a tick on the crossbar core: the SRAM core's formula (`used neurons + event
/// groups + 7`, plus 2 with events) where each row event spans one group and the sum event
/// spans the used groups, plus the read's latency minus the one cycle an SRAM word takes:
/// `S + 2N (B + 1) + 2`.
#[test]
fn a_crossbar_tick_costs_one_conversion_per_physical_column() {
    let net = Network::from_json_str(
        r#"{"ticks": 4,
            "inputs": [{"name": "in", "size": 3, "spikes": [[0, 0], [0, 2], [2, 1]]}],
            "populations": [{"name": "p", "size": 10, "neuron": {"du": 0, "dv": 0, "vth": 1}}],
            "projections": [{"from": "in", "to": "p", "weights": [
                [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3],
                [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3], [1, 2, 3]]}]}"#,
        None,
    )
    .unwrap();
    let params = CrossbarParams {
        columns_per_adc: built_columns_per_adc(SHAPE),
        ..CrossbarParams::ideal()
    };
    let options = RunOptions {
        shape: SHAPE,
        ..Default::default()
    };
    let rtl = run_crossbar(&net, Engine::Rtl, params, net.ticks, &options).unwrap();
    let golden = run_crossbar(&net, Engine::Golden, params, net.ticks, &options).unwrap();
    compare(0, &net, &golden, &rtl, Engine::Rtl);
    let used = 10;
    let groups = 3; // neurons 0..10 span groups 0..=2
    let read = SETTLE_CYCLES + 2 * 64 * (CROSSBAR_ADC_BITS as usize + 1) + 2;
    let with_events = |rows: usize| (used + rows + groups + 7 + 2 + read) as u64;
    let idle = (used + 7) as u64;
    assert_eq!(
        rtl.tick_cycles.unwrap(),
        [idle, with_events(2), idle, with_events(1)]
    );
}

#[test]
fn the_mapper_refuses_what_the_crossbar_core_is_not_built_for() {
    let net = Network::from_json_str(
        r#"{"ticks": 1, "inputs": [{"name": "in", "size": 64}],
            "populations": [{"name": "p", "size": 1, "neuron": {"vth": 1}}],
            "projections": [{"from": "in", "to": "p", "weight_exp": 0,
                             "weights": [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
                                          1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]]}]}"#,
        None,
    )
    .unwrap();
    let built = CrossbarParams {
        columns_per_adc: built_columns_per_adc(SHAPE),
        ..CrossbarParams::ideal()
    };
    let error = |params: CrossbarParams, shape: CoreShape, net: &Network| {
        map_crossbar(net, shape, params).unwrap_err().to_string()
    };
    // 64 rows: the sum axon has none left.
    let message = error(built, SHAPE, &net);
    assert!(message.contains("needs 64 rows"), "{message}");
    let mut small = net.clone();
    small.inputs[0].size = 8;
    small.projections[0].weights[0].truncate(8);
    map_crossbar(&small, SHAPE, built).unwrap();
    let message = error(
        CrossbarParams {
            adc_bits: 6,
            ..built
        },
        SHAPE,
        &small,
    );
    assert!(message.contains("crossbar.adc_bits is 6"), "{message}");
    let message = error(CrossbarParams::ideal(), SHAPE, &small);
    assert!(
        message.contains("crossbar.columns_per_adc is 8") && message.contains("= 128"),
        "{message}"
    );
    let message = error(built, CoreShape::default(), &small);
    assert!(message.contains("crossbar core shapes: 64x64"), "{message}");
    // 7 + 1: beyond the axon descriptor's 3-bit pre-shift.
    small.projections[0].weight_exp = 7;
    let message = error(
        CrossbarParams {
            lsb_exp: 1,
            ..built
        },
        SHAPE,
        &small,
    );
    assert!(
        message.contains("= 8 is out of the core's range -15..=7"),
        "{message}"
    );
}
