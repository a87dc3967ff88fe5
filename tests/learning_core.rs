//! The learning core (`LearningCore`: the core sequencer with the STDP synapse stage) loaded
//! with a network without learning projections computes what the plain core computes: the
//! golden model's spikes, and the plain core's cycles plus the learning window's one cycle
//! per tick (no learning axons, no rules: the stage closes the window in its first cycle).
//! The learning arithmetic itself is tested at the stage's ports
//! (`rtl::block_tests::stdp_synapses`), learning networks on it in `stdp_rtl.rs` and
//! `learning_random.rs`.

use neurofab::map::mesh::{map_mesh, MeshShape};
use neurofab::model::GoldenModel;
use neurofab::rtl::core_sim::{rtl_core, rtl_learning_core};
use neurofab::shape::{CoreShape, LEARNING_SHAPES};
use neurofab::sim::driver;
use neurofab::sim::random_net::{random_network, RandomNetConfig};

/// The learning window of a tick without learning configured.
const EMPTY_WINDOW_CYCLES: u64 = 1;

#[test]
fn learning_core_runs_plain_networks_like_the_plain_core() {
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    assert!(LEARNING_SHAPES.contains(&(shape.neurons, shape.axons)));
    for seed in 0..8 {
        let net = random_network(
            seed,
            &RandomNetConfig {
                max_neurons: 64,
                max_axons: 64,
                max_negative_exp_projections_per_population: 3,
                max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
                ticks: 24,
            },
        );
        let image = map_mesh(&net, MeshShape::default(), shape).unwrap();
        let mut learning = vec![rtl_learning_core(shape).expect("a learning shape")];
        let mut plain = vec![rtl_core(shape)];
        driver::load(learning[0].as_mut(), &image.cores[0]).unwrap();
        driver::load(plain[0].as_mut(), &image.cores[0]).unwrap();
        let learned = driver::run(&mut learning, &image, &net, net.ticks, &mut |_| {}).unwrap();
        let fixed = driver::run(&mut plain, &image, &net, net.ticks, &mut |_| {}).unwrap();
        let golden = GoldenModel::run(&net, net.ticks);
        assert_eq!(learned.spikes, golden, "seed {seed}");
        assert_eq!(learned.states, fixed.states, "seed {seed}");
        let expected: Vec<u64> = fixed
            .tick_cycles
            .iter()
            .map(|c| c + EMPTY_WINDOW_CYCLES)
            .collect();
        assert_eq!(learned.tick_cycles, expected, "seed {seed}");
    }
}

#[test]
fn learning_core_is_built_for_its_shapes_only() {
    let other = CoreShape {
        neurons: 64,
        axons: 32,
    };
    assert!(rtl_learning_core(other).is_none());
}
