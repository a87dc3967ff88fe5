//! Learning on the rtl engine, read back from the hardware: every Lava STDP vector
//! (`tests/data/vectors/stdp-*`) on the learning core gives the vector's spikes byte for byte,
//! its final weights and traces (`expected_weights.json`) and its weights after every tick
//! (`weights_history.json`), all read through the configuration read path.
//!
//! Planted mutations: a copy of the spec's step 4 ([`reference_history`]) with one mutation
//! at a time (the two terms swapped, floor instead of nearest rounding, the previous tick's
//! traces, no trace saturation) is run on each vector's spikes and compared with the
//! hardware's per-tick weights by the same comparison; the unmutated copy agrees on every
//! vector and each mutation is caught on at least one.

mod common;

use std::path::Path;

use common::learning::{first_history_difference, run_rtl, WeightHistory};
use neurofab::fixed::stdp::{saturate, StdpRule, TRACE_MAX, WEIGHT_FRACTION_BITS};
use neurofab::fixed::{DECAY_SHIFT, DECAY_UNITY};
use neurofab::model::{LearnedWeights, Network, Source, SpikeTrain};
use serde::Deserialize;

/// `weights_history.json` (the part the test reads).
#[derive(Deserialize)]
struct History {
    projections: Vec<ProjectionHistory>,
}

#[derive(Deserialize)]
struct ProjectionHistory {
    /// `weights[tick][post][pre]`.
    weights: Vec<Vec<Vec<i64>>>,
}

fn read(dir: &Path, file: &str) -> String {
    let path = dir.join(file);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// The vector's history as `[tick][projection][post][pre]`.
fn vector_history(dir: &Path, ticks: usize) -> WeightHistory {
    let history: History = serde_json::from_str(&read(dir, "weights_history.json")).unwrap();
    (0..ticks)
        .map(|t| {
            history
                .projections
                .iter()
                .map(|p| p.weights[t].clone())
                .collect()
        })
        .collect()
}

#[test]
fn rtl_engine_learns_every_stdp_vector_exactly() {
    let mut failures = Vec::new();
    for dir in common::stdp_vectors() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let net = Network::load(&dir.join("net.json")).unwrap();
        let rtl = run_rtl(&net, true);
        let expected_csv = read(&dir, "expected.csv");
        if rtl.spikes.to_csv(&net) != expected_csv {
            let expected = SpikeTrain::parse_csv(&expected_csv, &net).unwrap();
            failures.push(format!(
                "{name}: spikes differ, first at tick {:?}",
                rtl.spikes.first_difference(&expected)
            ));
            continue;
        }
        let history = vector_history(&dir, net.ticks as usize);
        if let Some(at) = first_history_difference(rtl.history.as_ref().unwrap(), &history) {
            failures.push(format!(
                "{name}: weights after tick {} differ (projection {}, weights[{}][{}])",
                at.0, at.1, at.2, at.3
            ));
            continue;
        }
        let expected: LearnedWeights =
            serde_json::from_str(&read(&dir, "expected_weights.json")).unwrap();
        if rtl.learned != expected {
            failures.push(format!(
                "{name}: final weights and traces differ:\n{}",
                rtl.learned.to_json()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// One planted fault in the copy of step 4.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mutation {
    None,
    /// The post term (`a_plus`) before the pre term.
    SwappedTermOrder,
    /// `acc >> 7` instead of `(acc + 64) >> 7`.
    FloorRounding,
    /// The weight update reads the traces from before this tick's trace update.
    PreviousTickTraces,
    /// Traces not capped at 127.
    NoTraceSaturation,
}

fn trace(rule_decay: i64, impulse: i64, value: i64, spiked: bool, mutation: Mutation) -> i64 {
    let decayed = (value * (DECAY_UNITY - rule_decay)) >> DECAY_SHIFT;
    let sum = decayed + if spiked { impulse } else { 0 };
    if mutation == Mutation::NoTraceSaturation {
        sum
    } else {
        sum.min(TRACE_MAX)
    }
}

/// Spec §5's weight update with `mutation` planted.
fn weight(
    rule: &StdpRule,
    w: i64,
    (pre, post): (bool, bool),
    (x, y): (i64, i64),
    m: Mutation,
) -> i64 {
    let term = |mant: i64, exp: i64, t: i64| {
        saturate((mant * t) << (exp + i64::from(WEIGHT_FRACTION_BITS)))
    };
    let minus = pre.then(|| term(rule.a_minus_mant, rule.a_minus_exp, y));
    let plus = post.then(|| term(rule.a_plus_mant, rule.a_plus_exp, x));
    let terms = if m == Mutation::SwappedTermOrder {
        [plus, minus]
    } else {
        [minus, plus]
    };
    let acc = terms
        .into_iter()
        .flatten()
        .fold(w << WEIGHT_FRACTION_BITS, |acc, t| saturate(acc + t));
    let half = if m == Mutation::FloorRounding {
        0
    } else {
        1 << (WEIGHT_FRACTION_BITS - 1)
    };
    ((acc + half) >> WEIGHT_FRACTION_BITS)
        .clamp(rule.sign_mode.weight_min(), rule.sign_mode.weight_max())
}

/// The weights of every learning projection after every tick, from the spikes of the run
/// (inputs and `spikes`) by a copy of spec §5 step 4 with `mutation` planted.
fn reference_history(net: &Network, spikes: &SpikeTrain, mutation: Mutation) -> WeightHistory {
    let fired = |source: Source, tick: u32, n: usize| match source {
        Source::Input(g) => net.inputs[g].spikes.contains(&(tick, n)),
        Source::Population(p) => spikes
            .spikes
            .iter()
            .any(|s| s.tick == tick && s.population == p && s.neuron == n),
    };
    let mut state: Vec<_> = net
        .learning_projections()
        .map(|(_, proj, rule)| {
            let w: Vec<Vec<i64>> = proj
                .weights
                .iter()
                .map(|r| r.iter().map(|&w| i64::from(w)).collect())
                .collect();
            let y = vec![0i64; w.len()];
            (proj, *rule, w, vec![0i64; net.source_size(proj.from)], y)
        })
        .collect();
    let mut history = Vec::new();
    for tick in 0..net.ticks {
        for (proj, rule, w, x, y) in state.iter_mut() {
            let pre: Vec<bool> = (0..x.len()).map(|j| fired(proj.from, tick, j)).collect();
            let post: Vec<bool> = (0..y.len())
                .map(|i| fired(Source::Population(proj.to), tick, i))
                .collect();
            let (old_x, old_y) = (x.clone(), y.clone());
            for (j, xj) in x.iter_mut().enumerate() {
                *xj = trace(rule.x_decay, rule.x_impulse, *xj, pre[j], mutation);
            }
            for (i, yi) in y.iter_mut().enumerate() {
                *yi = trace(rule.y_decay, rule.y_impulse, *yi, post[i], mutation);
            }
            let (tx, ty) = if mutation == Mutation::PreviousTickTraces {
                (&old_x, &old_y)
            } else {
                (&*x, &*y)
            };
            for (i, row) in w.iter_mut().enumerate() {
                for (j, wij) in row.iter_mut().enumerate() {
                    if pre[j] || post[i] {
                        *wij = weight(rule, *wij, (pre[j], post[i]), (tx[j], ty[i]), mutation);
                    }
                }
            }
        }
        history.push(state.iter().map(|s| s.2.clone()).collect());
    }
    history
}

#[test]
fn planted_mutations_of_step_4_are_caught_by_the_comparison() {
    let mutations = [
        Mutation::SwappedTermOrder,
        Mutation::FloorRounding,
        Mutation::PreviousTickTraces,
        Mutation::NoTraceSaturation,
    ];
    let mut caught = vec![Vec::new(); mutations.len()];
    for dir in common::stdp_vectors() {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let net = Network::load(&dir.join("net.json")).unwrap();
        let rtl = run_rtl(&net, true);
        let hardware = rtl.history.unwrap();
        let reference = reference_history(&net, &rtl.spikes, Mutation::None);
        assert_eq!(
            first_history_difference(&reference, &hardware),
            None,
            "{name}: the unmutated reference differs from the hardware"
        );
        for (k, &mutation) in mutations.iter().enumerate() {
            let mutated = reference_history(&net, &rtl.spikes, mutation);
            if let Some(at) = first_history_difference(&mutated, &hardware) {
                caught[k].push(format!("{name} (tick {})", at.0));
            }
        }
    }
    for (mutation, vectors) in mutations.iter().zip(&caught) {
        eprintln!(
            "{mutation:?} caught on {} vectors: {}",
            vectors.len(),
            vectors.join(", ")
        );
        assert!(
            !vectors.is_empty(),
            "{mutation:?} is not caught on any vector"
        );
    }
}
