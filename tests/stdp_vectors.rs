//! The golden model's learning projections against the STDP vectors produced by Lava (spec §7):
//! spikes byte for byte, final weights and traces equal to `expected_weights.json` (parsed), and
//! the weights after every tick equal to `weights_history.json`.

mod common;

use std::path::Path;

use neurofab::model::{GoldenModel, LearnedWeights, Network, Spike, SpikeTrain, StdpSynapses};
use neurofab::sim::{run, Engine, RunOptions};
use serde::Deserialize;

/// `weights_history.json`: per learning projection, its weights after step 4 of every tick.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct History {
    ticks: u32,
    projections: Vec<ProjectionHistory>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProjectionHistory {
    index: usize,
    /// `weights[tick][post][pre]`.
    weights: Vec<Vec<Vec<i64>>>,
}

/// The first `(post, pre)` at which two weight matrices of the same shape differ.
fn first_difference(a: &[Vec<i64>], b: &[Vec<i64>]) -> (usize, usize) {
    for (i, (row_a, row_b)) in a.iter().zip(b).enumerate() {
        if let Some(j) = row_a.iter().zip(row_b).position(|(x, y)| x != y) {
            return (i, j);
        }
    }
    panic!("the matrices differ in shape")
}

fn read(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Runs one vector tick by tick; `Err` names the vector and the first mismatch.
fn check_vector(dir: &Path) -> Result<(), String> {
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    let fail = |what: String| Err(format!("{name}: {what}"));
    let net = Network::load(&dir.join("net.json")).map_err(|e| format!("{name}: {e}"))?;
    let history: History = serde_json::from_str(&read(dir, "weights_history.json"))
        .map_err(|e| format!("{name}: weights_history.json: {e}"))?;
    let expected_weights: LearnedWeights =
        serde_json::from_str(&read(dir, "expected_weights.json"))
            .map_err(|e| format!("{name}: expected_weights.json: {e}"))?;
    if history.ticks != net.ticks || expected_weights.ticks != net.ticks {
        return fail(format!(
            "the vector's files disagree on ticks ({})",
            net.ticks
        ));
    }

    let mut model = GoldenModel::with_stage(&net, StdpSynapses::new(&net));
    let mut spikes = Vec::new();
    for tick in 0..net.ticks {
        spikes.extend(model.step().into_iter().map(|(population, neuron)| Spike {
            tick,
            population,
            neuron,
        }));
        // The model steps on with the weights from before this tick's step 4: look at a clone.
        let learned = model.clone().finish_learning().learned(&net, tick + 1);
        if learned.projections.len() != history.projections.len() {
            return fail(format!(
                "{} learning projections, the history has {}",
                learned.projections.len(),
                history.projections.len()
            ));
        }
        for (actual, expected) in learned.projections.iter().zip(&history.projections) {
            if actual.index != expected.index {
                return fail(format!(
                    "projection {} where the history has {}",
                    actual.index, expected.index
                ));
            }
            if actual.weights != expected.weights[tick as usize] {
                let (i, j) = first_difference(&actual.weights, &expected.weights[tick as usize]);
                return fail(format!(
                    "projection {}: weights after tick {tick} differ from weights_history.json, \
                     first at weights[{i}][{j}]: {} instead of {}",
                    actual.index, actual.weights[i][j], expected.weights[tick as usize][i][j]
                ));
            }
        }
    }
    let actual = SpikeTrain::from_unsorted(spikes);
    let expected_csv = read(dir, "expected.csv");
    if actual.to_csv(&net) != expected_csv {
        let expected = SpikeTrain::parse_csv(&expected_csv, &net).map_err(|e| e.to_string())?;
        return fail(format!(
            "spikes differ from expected.csv, first at tick {:?}",
            actual.first_difference(&expected)
        ));
    }
    let learned = model.finish_learning().learned(&net, net.ticks);
    if learned != expected_weights {
        return fail(format!(
            "final weights and traces differ from expected_weights.json:\n{}",
            learned.to_json()
        ));
    }
    Ok(())
}

#[test]
fn golden_model_learns_every_stdp_vector_exactly() {
    let failures: Vec<String> = common::stdp_vectors()
        .iter()
        .filter_map(|dir| check_vector(dir).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The engine interface (what `neurofab sim --engine golden --weights-out` writes) runs the
/// whole vector without per-tick completion and reports the same final state.
#[test]
fn golden_engine_reports_the_learned_weights() {
    for dir in common::stdp_vectors() {
        let net = Network::load(&dir.join("net.json")).unwrap();
        let result = run(
            &net,
            Engine::Golden,
            net.ticks,
            &RunOptions::default(),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(
            result.spikes.to_csv(&net),
            read(&dir, "expected.csv"),
            "{}",
            dir.display()
        );
        let expected: LearnedWeights =
            serde_json::from_str(&read(&dir, "expected_weights.json")).unwrap();
        let learned = result.learned.expect("the golden engine learns");
        assert_eq!(learned, expected, "{}", dir.display());
        // Its JSON text reads back to the same state.
        let reread: LearnedWeights = serde_json::from_str(&learned.to_json()).unwrap();
        assert_eq!(reread, expected, "{}", dir.display());
    }
}
