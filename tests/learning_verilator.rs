//! Learning on the verilator engine: the learning core's exported Verilog, compiled by
//! Verilator, run by the same driver and read back through the same configuration reads as
//! the rtl engine (`sim::learned`). Every Lava STDP vector (`tests/data/vectors/stdp-*`) gives
//! its spikes byte for byte and its final weights and traces (`expected_weights.json`), and
//! golden = verilator on seeded random learning networks (`random_learning_network`, as
//! `learning_random.rs` runs on rtl); a failure names the seed and the first differing tick.
//! The model is compiled once per shape (cached in `target/neurofab-verilator/`).

mod common;

use std::path::Path;

use common::learning::{assert_engine_learns_like_golden, run_verilator, SHAPE};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::model::{LearnedWeights, Network, SpikeTrain};
use neurofab::rtl::layout::LEARN_RULES;
use neurofab::sim::random_net::{random_learning_network, RandomNetConfig};

fn read(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

#[test]
fn verilator_engine_learns_every_stdp_vector_exactly() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let mut failures = Vec::new();
    for dir in common::stdp_vectors() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let net = Network::load(&dir.join("net.json")).unwrap();
        let run = run_verilator(&net, false);
        let expected_csv = read(&dir, "expected.csv");
        if run.spikes.to_csv(&net) != expected_csv {
            let expected = SpikeTrain::parse_csv(&expected_csv, &net).unwrap();
            failures.push(format!(
                "{name}: spikes differ, first at tick {:?}",
                run.spikes.first_difference(&expected)
            ));
            continue;
        }
        let expected: LearnedWeights =
            serde_json::from_str(&read(&dir, "expected_weights.json")).unwrap();
        if run.learned != expected {
            failures.push(format!(
                "{name}: final weights and traces differ:\n{}",
                run.learned.to_json()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn golden_equals_verilator_on_random_learning_networks() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let config = RandomNetConfig {
        max_neurons: SHAPE.neurons,
        max_axons: SHAPE.axons,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 16,
    };
    let mut networks = 0;
    // Seeds of their own (learning_random.rs runs 0..110 on rtl).
    for seed in common::seeds(5000, 12) {
        let net = random_learning_network(seed, &config, LEARN_RULES);
        if !net.learns() {
            continue;
        }
        assert_engine_learns_like_golden(seed, &net, "verilator", run_verilator);
        networks += 1;
    }
    if std::env::var("NEUROFAB_SEED").is_err() {
        assert!(networks >= 10, "{networks} learning networks");
    }
}
