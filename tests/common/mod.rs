//! Helpers shared by the integration tests. Each test crate uses a subset of them.
#![allow(dead_code)]

pub mod crossbar;
pub mod learning;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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
    vectors_named("lava-", 8)
}

/// The Lava STDP vectors shipped with the repository (`tests/data/vectors/stdp-*`, see the
/// README there), one directory each (`net.json`, `expected.csv`, `expected_weights.json`,
/// `weights_history.json`), sorted by name: stdp-01..11 and stdp-d01..d04.
pub fn stdp_vectors() -> Vec<PathBuf> {
    vectors_named("stdp-", 15)
}

/// The directories of `tests/data/vectors` whose name starts with `prefix` and that hold a
/// `net.json`, sorted; at least `expected` of them.
fn vectors_named(prefix: &str, expected: usize) -> Vec<PathBuf> {
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors"));
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|name| name.to_string_lossy().starts_with(prefix))
                && p.join("net.json").is_file()
        })
        .collect();
    dirs.sort();
    assert!(
        dirs.len() >= expected,
        "expected at least {expected} {prefix}* vectors in {}, found {}",
        root.display(),
        dirs.len()
    );
    dirs
}

/// Runs the `neurofab` binary with `args` in `dir`.
pub fn neurofab_in(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run neurofab")
}

/// The names of the files in `dir`, sorted (what a command left behind).
pub fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}
