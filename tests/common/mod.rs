//! Helpers shared by the equivalence tests.

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
