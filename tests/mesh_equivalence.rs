//! Networks split over a mesh of cores run exactly as the golden model predicts: seeded random
//! networks that need two to four 64x64 cores (populations split across cores, recurrent
//! projections crossing them) on 2x1 and 2x2 meshes, and every shared vector spread over a 2x2
//! mesh. Everything between the cores is hardware: fan-out tables, routers, the host port and
//! the tick barrier of `rtl::mesh_system`.
//! `NEUROFAB_SEED=<seed>` replays one network.

mod common;

use common::{compare, seeds};
use neurofab::map::mesh::{map_mesh, MeshShape};
use neurofab::map::MAX_ABS_ACTIVATION;
use neurofab::model::Network;
use neurofab::rtl::layout::ACC_SLOTS;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::{run, Engine, RunOptions};

const SMALL_CORE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

fn mesh_for(seed: u64) -> MeshShape {
    if seed.is_multiple_of(2) {
        MeshShape {
            width: 2,
            height: 1,
        }
    } else {
        MeshShape {
            width: 2,
            height: 2,
        }
    }
}

/// Runs networks from `first_seed` on until `wanted` of them occupy at least two cores.
fn mesh_equivalence(engine: Engine, first_seed: u64, wanted: usize) {
    let mut compared = 0;
    let mut needing_more_than_one_core = 0;
    let mut spikes_seen = 0;
    let single = std::env::var("NEUROFAB_SEED").is_ok();
    for seed in seeds(first_seed, 4 * wanted as u64) {
        let mesh = mesh_for(seed);
        let net = random_network(
            seed,
            &RandomNetConfig {
                max_neurons: SMALL_CORE.neurons * mesh.cores(),
                // The whole network's axon budget: every core's share is then within one core.
                max_axons: SMALL_CORE.axons,
                max_negative_exp_projections_per_population: ACC_SLOTS - 1,
                max_abs_input: MAX_ABS_ACTIVATION,
                ticks: 20,
            },
        );
        let image = map_mesh(&net, mesh, SMALL_CORE).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: does not map on {mesh}: {e}\n{}",
                net.to_json()
            )
        });
        if image.used_cores() < 2 && !single {
            continue;
        }
        needing_more_than_one_core += usize::from(net.total_neurons() > SMALL_CORE.neurons);
        let options = RunOptions {
            shape: SMALL_CORE,
            mesh,
            ..Default::default()
        };
        let golden = run(&net, Engine::Golden, net.ticks, &options, &mut |_| {}).unwrap();
        let other = run(&net, engine, net.ticks, &options, &mut |_| {}).unwrap_or_else(|e| {
            panic!(
                "seed {seed}: {engine:?} on {mesh} failed: {e}\n{}",
                net.to_json()
            )
        });
        compare(seed, &net, &golden, &other, engine);
        spikes_seen += golden.spikes.spikes.len();
        compared += 1;
        if compared == wanted {
            break;
        }
    }
    if !single {
        assert_eq!(
            compared, wanted,
            "too few random networks spanned two cores"
        );
        assert!(
            needing_more_than_one_core * 4 >= wanted,
            "only {needing_more_than_one_core} of {wanted} networks were too big for one core"
        );
    }
    assert!(spikes_seen > 0, "random networks produced no spikes at all");
}

#[test]
fn golden_equals_rtl_mesh_on_50_multicore_networks() {
    mesh_equivalence(Engine::Rtl, 20_000, 50);
}

#[test]
fn golden_equals_verilator_mesh_on_10_multicore_networks() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    mesh_equivalence(Engine::Verilator, 30_000, 10);
}

#[test]
fn every_vector_spread_over_a_2x2_mesh_matches_expected_csv() {
    let dirs = common::inference_vectors();
    let mesh = MeshShape {
        width: 2,
        height: 2,
    };
    for dir in dirs {
        let net = Network::load(&dir.join("net.json")).unwrap();
        let expected = std::fs::read_to_string(dir.join("expected.csv")).unwrap();
        let options = RunOptions {
            mesh,
            ..Default::default()
        };
        let image = map_mesh(&net, mesh, options.shape).unwrap();
        assert_eq!(
            image.used_cores(),
            net.total_neurons().min(4),
            "{}: the balanced partition should use every core it can",
            dir.display()
        );
        let result = run(&net, Engine::Rtl, net.ticks, &options, &mut |_| {}).unwrap();
        assert_eq!(
            result.spikes.to_csv(&net),
            expected,
            "{}: rtl on a 2x2 mesh",
            dir.display()
        );
    }
}
