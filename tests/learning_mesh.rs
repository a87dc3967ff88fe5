//! Learning on the multi-core system (`rtl::mesh_system` of `rtl::tile::LearningTile`s): every
//! Lava STDP vector spread over a 2x2 mesh gives its spikes byte for byte and its final
//! weights and traces, and golden = mesh system on seeded random learning networks spread over
//! a 2x2 mesh of 64x64 learning cores. Populations are cut over the cores, so pre populations
//! sit on other cores than the learning synapses they feed (their spikes arrive as AER flits),
//! targets are split (each slice keeps its own copy of `x`), learning projections are
//! recurrent and sit next to plain ones; the test counts each. The learned state is read back
//! through the system's configuration reads. A failure names the seed and the first differing
//! tick (of the spikes; of the weights, by rerunning the mesh for 1, 2, ... ticks).
//! `NEUROFAB_SEED=n` runs one seed.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::learning::{assert_engine_learns_like_golden, LearningRun, WeightHistory};
use neurofab::map::mesh::{map_mesh, MeshImage, MeshShape};
use neurofab::model::{LearnedWeights, Network, Source, SpikeTrain};
use neurofab::rtl::layout::LEARN_RULES;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_learning_network, RandomNetConfig};
use neurofab::sim::{run, Engine, RunOptions};

const MESH: MeshShape = MeshShape {
    width: 2,
    height: 2,
};

const SMALL_CORE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

fn options() -> RunOptions {
    RunOptions {
        shape: SMALL_CORE,
        mesh: MESH,
        ..Default::default()
    }
}

/// Runs `net` for `ticks` ticks on the rtl mesh system: its spikes and learned state.
fn run_mesh_ticks(net: &Network, ticks: u32) -> (SpikeTrain, LearnedWeights) {
    run_engine_ticks(net, Engine::Rtl, ticks)
}

/// Runs `net` for `ticks` ticks on the mesh system on `engine`.
fn run_engine_ticks(net: &Network, engine: Engine, ticks: u32) -> (SpikeTrain, LearnedWeights) {
    let result = run(net, engine, ticks, &options(), &mut |_| {})
        .unwrap_or_else(|e| panic!("the mesh run fails: {e}\n{}", net.to_json()));
    let learned = result
        .learned
        .expect("a mesh run reports its learned state");
    (result.spikes, learned)
}

/// `net` on the 2x2 mesh on `engine`; with `history`, the weights after every tick `t` come
/// from a run of `t + 1` ticks (its read-back completes step 4 of `t`).
fn run_mesh_on(engine: Engine, net: &Network, history: bool) -> LearningRun {
    let (spikes, learned) = run_engine_ticks(net, engine, net.ticks);
    let history = history.then(|| -> WeightHistory {
        (1..=net.ticks)
            .map(|ticks| {
                let (_, learned) = run_engine_ticks(net, engine, ticks);
                learned.projections.into_iter().map(|p| p.weights).collect()
            })
            .collect()
    });
    LearningRun {
        spikes,
        learned,
        history,
        tick_cycles: Vec::new(),
    }
}

/// `net` on the 2x2 rtl mesh.
fn run_mesh(net: &Network, history: bool) -> LearningRun {
    run_mesh_on(Engine::Rtl, net, history)
}

/// `net` on the 2x2 Verilated mesh (the learning system's exported Verilog).
fn run_verilator_mesh(net: &Network, history: bool) -> LearningRun {
    run_mesh_on(Engine::Verilator, net, history)
}

fn read(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The cores holding neurons of population `pop`.
fn cores_of(image: &MeshImage, pop: usize) -> BTreeSet<usize> {
    image.placement[pop].iter().map(|&(core, _)| core).collect()
}

/// Whether some pre neuron of learning projection `proj` (from a population) sits on a core
/// that holds none of the post neurons it feeds there, i.e. its events reach the synapses as
/// flits from another tile.
fn pre_on_another_core(image: &MeshImage, from: Source, to: usize) -> bool {
    match from {
        Source::Population(p) => {
            let targets = cores_of(image, to);
            image.placement[p]
                .iter()
                .any(|(core, _)| targets.iter().any(|t| t != core))
        }
        Source::Input(_) => false,
    }
}

#[test]
fn every_stdp_vector_learns_exactly_on_a_2x2_mesh() {
    let mut failures = Vec::new();
    let mut split_targets = 0;
    let mut remote_pre = 0;
    for dir in common::stdp_vectors() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let net = Network::load(&dir.join("net.json")).unwrap();
        let image = map_mesh(&net, MESH, SMALL_CORE).unwrap();
        for (_, proj, _) in net.learning_projections() {
            split_targets += usize::from(cores_of(&image, proj.to).len() > 1);
            remote_pre += usize::from(pre_on_another_core(&image, proj.from, proj.to));
        }
        let (spikes, learned) = run_mesh_ticks(&net, net.ticks);
        let expected_csv = read(&dir, "expected.csv");
        if spikes.to_csv(&net) != expected_csv {
            let expected = SpikeTrain::parse_csv(&expected_csv, &net).unwrap();
            failures.push(format!(
                "{name}: spikes differ, first at tick {:?}",
                spikes.first_difference(&expected)
            ));
            continue;
        }
        let expected: LearnedWeights =
            serde_json::from_str(&read(&dir, "expected_weights.json")).unwrap();
        if learned != expected {
            failures.push(format!(
                "{name}: final weights and traces differ:\n{}",
                learned.to_json()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Most vectors' targets span several cores; stdp-11's p0 -> p1 crosses cores.
    assert!(
        split_targets >= 10,
        "{split_targets} split learning targets"
    );
    assert!(
        remote_pre >= 1,
        "no learning projection with a remote pre side"
    );
}

/// What the random networks run so far have covered.
#[derive(Default, Debug)]
struct Coverage {
    networks: usize,
    remote_pre: usize,
    split_targets: usize,
    recurrent_learning: usize,
    learning_beside_plain: usize,
    sign_modes: BTreeSet<&'static str>,
    spikes: usize,
}

#[test]
fn golden_equals_rtl_mesh_on_random_learning_networks() {
    let config = RandomNetConfig {
        max_neurons: SMALL_CORE.neurons,
        // The whole network's axon budget: every core's share is then within one core.
        max_axons: SMALL_CORE.axons,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 12,
    };
    let mut coverage = Coverage::default();
    // Seeds of their own (learning_random.rs runs 0..110 on one rtl core).
    for seed in common::seeds(9000, 24) {
        let net = random_learning_network(seed, &config, LEARN_RULES);
        if !net.learns() {
            continue;
        }
        let image = map_mesh(&net, MESH, SMALL_CORE)
            .unwrap_or_else(|e| panic!("seed {seed}: does not map: {e}\n{}", net.to_json()));
        let run = assert_engine_learns_like_golden(seed, &net, "rtl 2x2 mesh", run_mesh);
        coverage.networks += 1;
        coverage.spikes += run.spikes.spikes.len();
        for (_, proj, rule) in net.learning_projections() {
            coverage.sign_modes.insert(rule.sign_mode.name());
            coverage.remote_pre += usize::from(pre_on_another_core(&image, proj.from, proj.to));
            coverage.split_targets += usize::from(cores_of(&image, proj.to).len() > 1);
            coverage.recurrent_learning += usize::from(matches!(proj.from, Source::Population(_)));
            coverage.learning_beside_plain += usize::from(
                net.projections
                    .iter()
                    .any(|p| p.to == proj.to && p.learning.is_none()),
            );
        }
    }
    if std::env::var("NEUROFAB_SEED").is_ok() {
        return;
    }
    eprintln!("{coverage:?}");
    assert!(coverage.networks >= 20, "{coverage:?}");
    assert!(coverage.remote_pre >= 5, "{coverage:?}");
    assert!(coverage.split_targets >= 5, "{coverage:?}");
    assert!(coverage.recurrent_learning >= 5, "{coverage:?}");
    assert!(coverage.learning_beside_plain >= 5, "{coverage:?}");
    assert_eq!(coverage.sign_modes.len(), 3, "{coverage:?}");
    assert!(coverage.spikes > 0, "{coverage:?}");
}

/// The learning system on the verilator engine: stdp-11 (its learning `p0 -> p1` crosses
/// tiles) exactly, and golden = Verilated mesh on a few random learning networks.
#[test]
fn golden_equals_verilator_mesh_on_learning_networks() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    let dir = common::stdp_vectors()
        .into_iter()
        .find(|d| d.ends_with("stdp-11"))
        .expect("stdp-11 is shipped");
    let net = Network::load(&dir.join("net.json")).unwrap();
    let (spikes, learned) = run_engine_ticks(&net, Engine::Verilator, net.ticks);
    assert_eq!(spikes.to_csv(&net), read(&dir, "expected.csv"));
    let expected: LearnedWeights =
        serde_json::from_str(&read(&dir, "expected_weights.json")).unwrap();
    assert_eq!(learned, expected);
    let config = RandomNetConfig {
        max_neurons: SMALL_CORE.neurons,
        max_axons: SMALL_CORE.axons,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 12,
    };
    let mut networks = 0;
    for seed in common::seeds(9500, 4) {
        let net = random_learning_network(seed, &config, LEARN_RULES);
        if !net.learns() {
            continue;
        }
        assert_engine_learns_like_golden(seed, &net, "verilator 2x2 mesh", run_verilator_mesh);
        networks += 1;
    }
    if std::env::var("NEUROFAB_SEED").is_err() {
        assert!(networks >= 3, "{networks} learning networks");
    }
}
