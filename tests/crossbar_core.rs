//! Networks on the crossbar core (`[crossbar]` in `hw.toml`): the golden crossbar stage
//! (`model::crossbar`) against the rust-hdl crossbar core (`rtl::crossbar_core`, the array's
//! behavioural model behind the `neurofab_xbar_macro` pins) on seeded random networks with
//! random analog parameters; the mapper's refusals; the cycles of a tick. A failure names the
//! seed and the first differing tick, so `NEUROFAB_SEED=<seed>` replays it.

mod common;

use common::{compare, seeds};
use neurofab::analog::column_read::CrossbarParams;
use neurofab::analog::device::DeviceParams;
use neurofab::map::crossbar::{built_columns_per_adc, map_crossbar};
use neurofab::model::Network;
use neurofab::rtl::crossbar_synapses::SETTLE_CYCLES;
use neurofab::shape::{CoreShape, CROSSBAR_ADC_BITS};
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::{run_crossbar, Engine, RunOptions};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SHAPE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

/// Random analog parameters from `seed`: levels 2..=64, conductance ranges, variation
/// 0..=30 %, read noise 0..=3 %, wire resistance 0..=10 ohm per cell, lsb_exp -1..=1.
fn random_params(rng: &mut StdRng, seed: u64) -> CrossbarParams {
    let g_off = [1e-6, 5e-6, 0.5e-6][rng.gen_range(0..3)];
    let device = DeviceParams {
        levels: [2, 4, 8, 16, 32, 64][rng.gen_range(0..6)],
        g_off,
        g_on: g_off * [10.0, 50.0, 100.0][rng.gen_range(0..3)],
        sigma_d2d: [0.0, 0.05, 0.1, 0.3][rng.gen_range(0..4)],
        sigma_read: [0.0, 0.01, 0.03][rng.gen_range(0..3)],
        ..DeviceParams::default()
    };
    CrossbarParams {
        device,
        r_wire: [0.0, 0.0, 1.0, 10.0][rng.gen_range(0..4)],
        adc_bits: CROSSBAR_ADC_BITS,
        lsb_exp: rng.gen_range(-1..=1),
        columns_per_adc: built_columns_per_adc(SHAPE),
        seed,
    }
}

/// A random network that fits the crossbar core: the random generator's network within 63
/// axons (the last is the sum axon), one `weight_exp` for every projection, weights scaled
/// into the devices' `-(L - 1)..=L - 1`.
fn crossbar_network(seed: u64, params: &CrossbarParams, rng: &mut StdRng) -> Network {
    let config = RandomNetConfig {
        max_neurons: SHAPE.neurons,
        max_axons: SHAPE.axons - 1,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 20,
    };
    let mut net = random_network(seed, &config);
    let weight_exp = rng.gen_range(-2..=3);
    let max = i64::from(params.device.levels) - 1;
    for proj in &mut net.projections {
        proj.weight_exp = weight_exp;
        for w in proj.weights.iter_mut().flatten() {
            *w = (i64::from(*w) * max / 127) as i32;
        }
    }
    net
}

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
