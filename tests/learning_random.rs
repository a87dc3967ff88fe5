//! Golden = rtl on seeded random learning networks (`sim::random_net::random_learning_network`
//! on the 64x64 learning core): spikes, and the final weights and traces read back from the
//! hardware. Every sign mode, rules at the rates' and traces' extremes (accumulator and trace
//! saturation, weights clamped at their mode's bounds), learning projections next to plain
//! ones into one population, and recurrent and self learning projections are covered (the
//! test counts them). A failure names the seed and the first differing tick (of the spikes,
//! or of the weights: then both engines are rerun with the weights read after every tick).
//! `NEUROFAB_SEED=n` runs one seed.

mod common;

use std::collections::BTreeSet;

use common::learning::{assert_engine_learns_like_golden, run_rtl, SHAPE};
use neurofab::model::{Network, Source};
use neurofab::rtl::layout::LEARN_RULES;
use neurofab::sim::random_net::{random_learning_network, RandomNetConfig};

/// What the networks run so far have covered.
#[derive(Default)]
struct Coverage {
    networks: usize,
    sign_modes: BTreeSet<&'static str>,
    learning_beside_plain: usize,
    recurrent_learning: usize,
    weights_at_a_bound: usize,
    saturated_traces: usize,
}

impl Coverage {
    fn add(&mut self, net: &Network, learned: &neurofab::model::LearnedWeights) {
        self.networks += 1;
        for (_, proj, rule) in net.learning_projections() {
            self.sign_modes.insert(rule.sign_mode.name());
            if net
                .projections
                .iter()
                .any(|p| p.to == proj.to && p.learning.is_none())
            {
                self.learning_beside_plain += 1;
            }
            if matches!(proj.from, Source::Population(_)) {
                self.recurrent_learning += 1;
            }
        }
        for (proj, (_, _, rule)) in learned.projections.iter().zip(net.learning_projections()) {
            let bounds = [rule.sign_mode.weight_min(), rule.sign_mode.weight_max()];
            self.weights_at_a_bound += proj
                .weights
                .iter()
                .flatten()
                .filter(|w| bounds.contains(w))
                .count();
            self.saturated_traces += proj
                .x_trace
                .iter()
                .chain(&proj.y_trace)
                .filter(|&&t| t == neurofab::fixed::stdp::TRACE_MAX)
                .count();
        }
    }
}

#[test]
fn golden_equals_rtl_on_random_learning_networks() {
    let config = RandomNetConfig {
        max_neurons: SHAPE.neurons,
        max_axons: SHAPE.axons,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 16,
    };
    let mut coverage = Coverage::default();
    for seed in common::seeds(0, 110) {
        let net = random_learning_network(seed, &config, LEARN_RULES);
        if !net.learns() {
            continue;
        }
        let rtl = assert_engine_learns_like_golden(seed, &net, "rtl", run_rtl);
        coverage.add(&net, &rtl.learned);
    }
    if std::env::var("NEUROFAB_SEED").is_ok() {
        return;
    }
    assert!(
        coverage.networks >= 100,
        "{} learning networks",
        coverage.networks
    );
    assert_eq!(coverage.sign_modes.len(), 3, "{:?}", coverage.sign_modes);
    assert!(coverage.learning_beside_plain > 0);
    assert!(coverage.recurrent_learning > 0);
    assert!(coverage.weights_at_a_bound > 0);
    assert!(coverage.saturated_traces > 0);
    eprintln!(
        "{} networks; learning beside plain: {}, recurrent/self learning: {}, weights at a \
         bound: {}, saturated traces: {}",
        coverage.networks,
        coverage.learning_beside_plain,
        coverage.recurrent_learning,
        coverage.weights_at_a_bound,
        coverage.saturated_traces
    );
}
