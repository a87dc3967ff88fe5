//! Every shared Lava vector, reproduced byte for byte by every engine.

mod common;

use neurofab::model::Network;
use neurofab::sim::{run, Engine, RunOptions};

fn check_engine(engine: Engine) {
    for dir in common::inference_vectors() {
        let net = Network::load(&dir.join("net.json")).unwrap();
        let expected = std::fs::read_to_string(dir.join("expected.csv")).unwrap();
        let result = run(&net, engine, net.ticks, &RunOptions::default(), &mut |_| {})
            .unwrap_or_else(|e| panic!("{}: {engine:?} failed: {e}", dir.display()));
        let csv = result.spikes.to_csv(&net);
        if csv != expected {
            let expected_train = neurofab::model::SpikeTrain::parse_csv(&expected, &net).unwrap();
            panic!(
                "{}: {engine:?} differs from expected.csv, first at tick {:?}",
                dir.display(),
                result.spikes.first_difference(&expected_train)
            );
        }
    }
}

#[test]
fn rtl_engine_reproduces_every_vector() {
    check_engine(Engine::Rtl);
}

#[test]
fn verilator_engine_reproduces_every_vector() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    check_engine(Engine::Verilator);
}
