//! Random crossbar networks and analog parameters for the crossbar core's tests (rtl and
//! Verilator against golden).

use neurofab::analog::column_read::CrossbarParams;
use neurofab::analog::device::DeviceParams;
use neurofab::map::crossbar::built_columns_per_adc;
use neurofab::model::Network;
use neurofab::shape::{CoreShape, CROSSBAR_ADC_BITS};
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use rand::rngs::StdRng;
use rand::Rng;

/// The crossbar core the tests use.
pub const SHAPE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

/// Random analog parameters from `seed`: levels 2..=64, conductance ranges, variation
/// 0..=30 %, read noise 0..=3 %, wire resistance 0..=10 ohm per cell, lsb_exp -1..=1.
pub fn random_params(rng: &mut StdRng, seed: u64) -> CrossbarParams {
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
pub fn crossbar_network(seed: u64, params: &CrossbarParams, rng: &mut StdRng) -> Network {
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
