//! Helpers shared by the integration tests. Each test crate uses a subset of them.
#![allow(dead_code)]

use std::path::PathBuf;

use neurofab::model::Network;
use neurofab::sim::{Engine, RunResult};

/// Panics, naming the seed and the first differing tick, unless `other` has the golden run's
/// spikes and final states.
pub fn compare(seed: u64, net: &Network, golden: &RunResult, other: &RunResult, engine: Engine) {
    if golden.spikes != other.spikes {
        panic!(
            "seed {seed}: {engine:?} spikes differ from golden, first at tick {:?}\nnetwork:\n{}",
            golden.spikes.first_difference(&other.spikes),
            net.to_json()
        );
    }
    for (pop, (g, o)) in golden.states.iter().zip(&other.states).enumerate() {
        for (neuron, (gs, os)) in g.iter().zip(o).enumerate() {
            assert_eq!(
                gs, os,
                "seed {seed}: final state of population {pop} neuron {neuron} differs ({engine:?})"
            );
        }
    }
}

/// The seeds to run: `count` from `default_first`, or only `NEUROFAB_SEED` when it is set.
pub fn seeds(default_first: u64, count: u64) -> Vec<u64> {
    match std::env::var("NEUROFAB_SEED") {
        Ok(seed) => vec![seed.parse().expect("NEUROFAB_SEED must be an integer")],
        Err(_) => (default_first..default_first + count).collect(),
    }
}

/// The Lava inference vectors shipped with the repository (`tests/data/vectors/lava-*`, see the
/// README there), one directory each (holding `net.json` and `expected.csv`), sorted by name.
pub fn inference_vectors() -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("lava-"))
                && p.join("net.json").is_file()
        })
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 8,
        "expected at least 8 vectors in {}, found {}",
        root.display(),
        dirs.len()
    );
    dirs
}

/// The Lava STDP vectors shipped with the repository (`tests/data/vectors/stdp-*`, see the
/// README there), one directory each (`net.json`, `expected.csv`, `expected_weights.json`,
/// `weights_history.json`), sorted by name.
pub fn stdp_vectors() -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with("stdp-"))
                && p.join("net.json").is_file()
        })
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= 15,
        "expected 15 STDP vectors (stdp-01..11, stdp-d01..d04) in {}, found {}",
        root.display(),
        dirs.len()
    );
    dirs
}
