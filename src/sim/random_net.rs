//! Seeded random networks for differential testing of the engines against the golden model.
//!
//! The generator aims at coverage of the arithmetic and of the network topology rather than at
//! realistic networks: parameters are drawn over their full ranges with extra weight on the
//! extremes (`du = 4095`, `dv = 0`, `vth = 0`, weights `-128`/`127`), and some populations are
//! deliberately driven into the current wrap and the voltage clamp.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fixed::stdp::{
    SignMode, StdpRule, RATE_EXP_MAX, RATE_EXP_MIN, RATE_MANT_MAX, RATE_MANT_MIN, TRACE_DECAY_MAX,
    TRACE_IMPULSE_MAX,
};
use crate::fixed::{
    self, LifParams, BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MANT_MIN, DU_MAX, DV_MAX, VTH_MAX,
    WEIGHT_EXP_MAX, WEIGHT_EXP_MIN, WEIGHT_MAX, WEIGHT_MIN,
};
use crate::model::{InputGroup, Network, Population, Projection, Source};

/// Limits a generated network must respect, typically those of the hardware under test.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RandomNetConfig {
    /// Largest total number of population neurons (at least 1).
    pub max_neurons: usize,
    /// Largest number of axons, `Σ_projections size(from)`.
    pub max_axons: usize,
    /// Largest number of projections with a negative `weight_exp` into any one population.
    pub max_negative_exp_projections_per_population: usize,
    /// Largest static bound on `|a|` for any neuron, as computed by
    /// [`Network::max_abs_synaptic_input`] (e.g. what the hardware accumulator can hold).
    pub max_abs_input: i64,
    /// Number of ticks of the generated network (and span of its input spikes).
    pub ticks: u32,
}

/// Largest number of channels of one generated input group.
const MAX_INPUT_SIZE: usize = 32;

/// Generates a network from `seed`; the same seed and configuration give the same network.
///
/// The network has 1–3 inputs and 1–4 populations (fewer if `max_neurons` is smaller) with
/// feed-forward, recurrent and self projections, often several into one population, within
/// `cfg.max_neurons` and `cfg.max_axons`. Finally every neuron's
/// [`Network::max_abs_synaptic_input`] is brought within `cfg.max_abs_input` by
/// [`limit_synaptic_input`]: the projection contributing most to an offending neuron has its
/// `weight_exp` lowered, or its weights halved when the exponent cannot go lower.
///
/// # Panics
/// If `cfg.max_neurons` is 0 or `cfg.max_abs_input` is negative.
pub fn random_network(seed: u64, cfg: &RandomNetConfig) -> Network {
    assert!(cfg.max_neurons >= 1, "a network needs at least one neuron");
    assert!(cfg.max_abs_input >= 0, "max_abs_input must be non-negative");
    let mut rng = StdRng::seed_from_u64(seed);

    let n_inputs = rng.gen_range(1..=3usize);
    let n_pops = rng.gen_range(1..=4usize).min(cfg.max_neurons);

    // Input sizes leave room for one projection from every input within the axon budget.
    let input_cap = (cfg.max_axons / n_inputs).clamp(1, MAX_INPUT_SIZE);
    let inputs: Vec<InputGroup> = (0..n_inputs)
        .map(|i| {
            let size = skewed_size(&mut rng, input_cap);
            let spikes = random_spike_train(&mut rng, size, cfg.ticks);
            InputGroup {
                name: format!("in{i}"),
                size,
                spikes,
            }
        })
        .collect();

    // Each population gets an equal share of the neuron budget as its maximum size.
    let pop_cap = cfg.max_neurons / n_pops;
    // Saturating populations get tiny decays, extreme biases and strong same-sign input, to
    // drive u through its wrap and v into its clamp.
    let saturating: Vec<bool> = (0..n_pops).map(|_| rng.gen_bool(0.25)).collect();
    let populations: Vec<Population> = (0..n_pops)
        .map(|p| {
            let size = skewed_size(&mut rng, pop_cap);
            let params = random_params(&mut rng, size, saturating[p]);
            Population {
                name: format!("p{p}"),
                size,
                params,
            }
        })
        .collect();

    let mut net = Network {
        ticks: cfg.ticks,
        inputs,
        populations,
        projections: Vec::new(),
    };
    let connections = choose_connections(&mut rng, &net, cfg.max_axons);
    let mut negative_exp_count = vec![0usize; n_pops];
    for (from, to) in connections {
        let allow_negative =
            negative_exp_count[to] < cfg.max_negative_exp_projections_per_population;
        let weight_exp = if saturating[to] {
            rng.gen_range(4..=WEIGHT_EXP_MAX)
        } else if allow_negative {
            rng.gen_range(WEIGHT_EXP_MIN..=WEIGHT_EXP_MAX)
        } else {
            rng.gen_range(0..=WEIGHT_EXP_MAX)
        };
        if weight_exp < 0 {
            negative_exp_count[to] += 1;
        }
        let rows = net.populations[to].size;
        let columns = net.source_size(from);
        let weights = random_weights(&mut rng, rows, columns, saturating[to]);
        net.projections.push(Projection {
            from,
            to,
            weight_exp,
            weights,
            learning: None,
        });
    }

    limit_synaptic_input(
        &mut net,
        cfg.max_abs_input,
        cfg.max_negative_exp_projections_per_population,
    );
    net
}

/// A size in `1..=cap` (`cap` at least 1), often 1 or `cap` so both edges are exercised.
fn skewed_size(rng: &mut StdRng, cap: usize) -> usize {
    let cap = cap.max(1);
    match rng.gen_range(0..8) {
        0 => 1,
        1 | 2 => cap,
        _ => rng.gen_range(1..=cap),
    }
}

/// A dense random spike train over `ticks` ticks: each channel spikes in each tick with a
/// per-group probability, and a few spikes lie beyond the run (they must be ignored).
fn random_spike_train(rng: &mut StdRng, size: usize, ticks: u32) -> Vec<(u32, usize)> {
    let density = [0.05, 0.2, 0.5, 0.9][rng.gen_range(0..4)];
    let mut spikes = Vec::new();
    for tick in 0..ticks {
        for channel in 0..size {
            if rng.gen_bool(density) {
                spikes.push((tick, channel));
            }
        }
    }
    if rng.gen_bool(0.2) {
        for _ in 0..3 {
            let late = ticks.saturating_add(rng.gen_range(0..4));
            spikes.push((late, rng.gen_range(0..size)));
        }
        spikes.sort_unstable();
        spikes.dedup();
    }
    spikes
}

/// Per-neuron parameters; each field is either shared by the population or drawn per neuron.
fn random_params(rng: &mut StdRng, size: usize, saturating: bool) -> Vec<LifParams> {
    if saturating {
        // Almost no decay: u and v integrate their input until they wrap or clamp. A threshold
        // near the top and an extreme bias push v against the clamp.
        let du = rng.gen_range(0..=3);
        let dv = rng.gen_range(0..=3);
        let vth = rng.gen_range(VTH_MAX - 64..=VTH_MAX);
        let bias_mant = if rng.gen_bool(0.5) {
            BIAS_MANT_MIN
        } else {
            BIAS_MANT_MAX
        };
        let bias_exp = rng.gen_range(BIAS_EXP_MAX - 1..=BIAS_EXP_MAX);
        return vec![
            LifParams {
                du,
                dv,
                vth,
                bias_mant,
                bias_exp,
            };
            size
        ];
    }
    let du = field_values(rng, size, decay_constant);
    let dv = field_values(rng, size, decay_constant);
    let vth = field_values(rng, size, threshold);
    let bias_mant = field_values(rng, size, bias_mantissa);
    let bias_exp = field_values(rng, size, |rng| rng.gen_range(0..=BIAS_EXP_MAX));
    (0..size)
        .map(|n| LifParams {
            du: du[n],
            dv: dv[n],
            vth: vth[n],
            bias_mant: bias_mant[n],
            bias_exp: bias_exp[n],
        })
        .collect()
}

/// `size` values of one neuron field: one shared value or one per neuron, half the time each.
fn field_values(rng: &mut StdRng, size: usize, draw: fn(&mut StdRng) -> i64) -> Vec<i64> {
    if rng.gen_bool(0.5) {
        vec![draw(rng); size]
    } else {
        (0..size).map(|_| draw(rng)).collect()
    }
}

/// A `du` or `dv` over `0..=4095`, with the extremes 0 and 4095 and both ends of the range
/// drawn often.
fn decay_constant(rng: &mut StdRng) -> i64 {
    debug_assert_eq!(DU_MAX, DV_MAX);
    match rng.gen_range(0..6) {
        0 => 0,
        1 => DU_MAX,
        2 => rng.gen_range(0..=64),
        3 => rng.gen_range(DU_MAX - 96..=DU_MAX),
        _ => rng.gen_range(0..=DU_MAX),
    }
}

/// A `vth` over `0..=131071`, mostly small so that neurons do spike.
fn threshold(rng: &mut StdRng) -> i64 {
    match rng.gen_range(0..10) {
        0 => 0,
        1..=5 => rng.gen_range(0..=64),
        6..=8 => rng.gen_range(0..=2048),
        _ => rng.gen_range(0..=VTH_MAX),
    }
}

/// A `bias_mant` over `-4096..=4095`: often 0 or small, sometimes extreme.
fn bias_mantissa(rng: &mut StdRng) -> i64 {
    match rng.gen_range(0..6) {
        0 | 1 => 0,
        2 | 3 => rng.gen_range(-64..=64),
        4 => {
            if rng.gen_bool(0.5) {
                BIAS_MANT_MIN
            } else {
                BIAS_MANT_MAX
            }
        }
        _ => rng.gen_range(BIAS_MANT_MIN..=BIAS_MANT_MAX),
    }
}

/// Chooses `(from, to)` pairs within the axon budget: a feed-forward projection into every
/// population, then extra feed-forward, recurrent (from a later population), self and
/// repeated projections, so populations often have several incoming projections.
fn choose_connections(rng: &mut StdRng, net: &Network, max_axons: usize) -> Vec<(Source, usize)> {
    let n_inputs = net.inputs.len();
    let n_pops = net.populations.len();
    let mut axons_left = max_axons;
    let mut connections = Vec::new();
    let mut try_add = |from: Source, to: usize, connections: &mut Vec<(Source, usize)>| {
        let cost = net.source_size(from);
        if cost <= axons_left {
            axons_left -= cost;
            connections.push((from, to));
        }
    };

    for to in 0..n_pops {
        // Feed-forward: from an input or from an earlier population.
        let from = if to == 0 || rng.gen_bool(0.4) {
            Source::Input(rng.gen_range(0..n_inputs))
        } else {
            Source::Population(rng.gen_range(0..to))
        };
        try_add(from, to, &mut connections);
    }
    for to in 0..n_pops {
        for _ in 0..rng.gen_range(0..=3) {
            let from = match rng.gen_range(0..4) {
                0 => Source::Input(rng.gen_range(0..n_inputs)),
                1 => Source::Population(to), // self
                // Any population: feed-forward, recurrent or self.
                _ => Source::Population(rng.gen_range(0..n_pops)),
            };
            try_add(from, to, &mut connections);
        }
    }
    connections
}

/// A `rows` × `columns` weight matrix with random sparsity and a random sign style.
fn random_weights(
    rng: &mut StdRng,
    rows: usize,
    columns: usize,
    saturating: bool,
) -> Vec<Vec<i32>> {
    let density = [0.1, 0.3, 0.7, 1.0][rng.gen_range(0..4)];
    // 0: full range, 1: mostly excitatory, 2: mostly inhibitory, 3: only the extremes.
    let style = if saturating {
        rng.gen_range(1..=2)
    } else {
        rng.gen_range(0..4)
    };
    let (min, max) = (WEIGHT_MIN as i32, WEIGHT_MAX as i32);
    let weight = |rng: &mut StdRng| -> i32 {
        if !rng.gen_bool(density) {
            return 0;
        }
        match style {
            1 if saturating => max,
            2 if saturating => min,
            1 => {
                if rng.gen_bool(0.85) {
                    rng.gen_range(1..=max)
                } else {
                    rng.gen_range(min..=0)
                }
            }
            2 => {
                if rng.gen_bool(0.85) {
                    rng.gen_range(min..=-1)
                } else {
                    rng.gen_range(0..=max)
                }
            }
            3 => {
                if rng.gen_bool(0.5) {
                    min
                } else {
                    max
                }
            }
            _ => rng.gen_range(min..=max),
        }
    };
    (0..rows)
        .map(|_| (0..columns).map(|_| weight(rng)).collect())
        .collect()
}

/// The bound on `|a|` that one projection contributes to post neuron `post`; the same
/// per-projection term as [`Network::max_abs_synaptic_input`].
fn projection_bound(proj: &Projection, post: usize) -> i64 {
    let row = &proj.weights[post];
    let (positive, negative) = match &proj.learning {
        // Learning can take every weight to its sign mode's bound.
        Some(rule) => (
            row.len() as i64 * rule.sign_mode.weight_max(),
            row.len() as i64 * -rule.sign_mode.weight_min(),
        ),
        None => (
            row.iter().filter(|&&w| w > 0).map(|&w| i64::from(w)).sum(),
            row.iter().filter(|&&w| w < 0).map(|&w| -i64::from(w)).sum(),
        ),
    };
    let high = fixed::shift_exp(positive, proj.weight_exp);
    let low = fixed::shift_exp(-negative, proj.weight_exp);
    high.max(low.abs())
}

/// Lowers projections until every neuron's [`Network::max_abs_synaptic_input`] is at most
/// `max_abs_input`.
///
/// For each offending neuron, the incoming projection with the largest contribution is
/// weakened: its `weight_exp` drops by one if that keeps it in range and does not give the
/// population more than `max_negative_exp` projections with a negative exponent; otherwise
/// all its weights are halved (toward zero) — a learning projection, whose bound does not
/// follow its weights, stops learning first. Either step never increases any neuron's bound,
/// because `shift_exp` is monotone in both the sum and the exponent, so one pass over the
/// neurons suffices; and each step makes progress toward an all-zero projection, whose bound
/// is 0, so the loop ends.
fn limit_synaptic_input(net: &mut Network, max_abs_input: i64, max_negative_exp: usize) {
    for to in 0..net.populations.len() {
        let incoming: Vec<usize> = (0..net.projections.len())
            .filter(|&j| net.projections[j].to == to)
            .collect();
        for post in 0..net.populations[to].size {
            loop {
                let contributions: Vec<i64> = incoming
                    .iter()
                    .map(|&j| projection_bound(&net.projections[j], post))
                    .collect();
                if contributions.iter().sum::<i64>() <= max_abs_input {
                    break;
                }
                let (largest, _) = contributions
                    .iter()
                    .enumerate()
                    .max_by_key(|&(_, bound)| *bound)
                    .expect("a positive bound needs an incoming projection");
                let negative_count = incoming
                    .iter()
                    .filter(|&&j| net.projections[j].weight_exp < 0)
                    .count();
                let proj = &mut net.projections[incoming[largest]];
                // Going from 0 to -1 makes one more negative-exponent projection.
                let exp_can_drop = proj.weight_exp > WEIGHT_EXP_MIN
                    && (proj.weight_exp != 0 || negative_count < max_negative_exp);
                if exp_can_drop {
                    proj.weight_exp -= 1;
                } else if proj.learning.is_some() {
                    // Plain weights must be -128..=127.
                    proj.learning = None;
                    for w in proj.weights.iter_mut().flatten() {
                        *w = (*w).clamp(WEIGHT_MIN as i32, WEIGHT_MAX as i32);
                    }
                } else {
                    for w in proj.weights.iter_mut().flatten() {
                        *w /= 2;
                    }
                }
            }
        }
    }
    debug_assert!(net
        .max_abs_synaptic_input()
        .iter()
        .flatten()
        .all(|&bound| bound <= max_abs_input));
}

/// A value from `corners` half of the time, else uniform in `range`.
pub fn pick(rng: &mut StdRng, corners: &[i64], range: std::ops::RangeInclusive<i64>) -> i64 {
    if rng.gen_bool(0.5) {
        corners[rng.gen_range(0..corners.len())]
    } else {
        rng.gen_range(range)
    }
}

/// A random STDP rule (spec §5), biased to the rates' and decays' extremes: `mant = -8` with
/// `exp = 8` saturates the accumulator, impulse 127 with decay 0 saturates a trace.
pub fn random_rule(rng: &mut StdRng) -> StdpRule {
    let mants = [RATE_MANT_MIN, -1, 0, 1, RATE_MANT_MAX];
    let exps = [RATE_EXP_MIN, -1, 0, RATE_EXP_MAX - 1, RATE_EXP_MAX];
    let decays = [0, 1, 2048, TRACE_DECAY_MAX - 1, TRACE_DECAY_MAX];
    let impulses = [0, 1, 64, TRACE_IMPULSE_MAX];
    StdpRule {
        sign_mode: SignMode::ALL[rng.gen_range(0..SignMode::ALL.len())],
        x_impulse: pick(rng, &impulses, 0..=TRACE_IMPULSE_MAX),
        x_decay: pick(rng, &decays, 0..=TRACE_DECAY_MAX),
        y_impulse: pick(rng, &impulses, 0..=TRACE_IMPULSE_MAX),
        y_decay: pick(rng, &decays, 0..=TRACE_DECAY_MAX),
        a_plus_mant: pick(rng, &mants, RATE_MANT_MIN..=RATE_MANT_MAX),
        a_plus_exp: pick(rng, &exps, RATE_EXP_MIN..=RATE_EXP_MAX),
        a_minus_mant: pick(rng, &mants, RATE_MANT_MIN..=RATE_MANT_MAX),
        a_minus_exp: pick(rng, &exps, RATE_EXP_MIN..=RATE_EXP_MAX),
    }
}

/// A weight in `mode`'s range, biased to its ends.
pub fn random_weight(rng: &mut StdRng, mode: SignMode) -> i64 {
    let (lo, hi) = (mode.weight_min(), mode.weight_max());
    pick(rng, &[lo, lo + 1, 0, hi - 1, hi], lo..=hi).clamp(lo, hi)
}

/// A network of [`random_network`] in which up to `max_learning` projections (at least one)
/// learn, with [`random_rule`]s of every sign mode and initial weights at their ranges' ends
/// (mixed ones floored to even as validation does): feed-forward, recurrent and self
/// projections learn, often next to plain projections into the same population. The exact
/// input bound (`cfg.max_abs_input`) is kept as by [`random_network`], learning rows counted
/// at their sign mode's bound.
pub fn random_learning_network(seed: u64, cfg: &RandomNetConfig, max_learning: usize) -> Network {
    let mut net = random_network(seed, cfg);
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5d9f_1ea7_0000_0000);
    let count = net.projections.len();
    let mut chosen: Vec<usize> = (0..count).filter(|_| rng.gen_bool(0.5)).collect();
    if chosen.is_empty() {
        chosen.push(rng.gen_range(0..count));
    }
    chosen.truncate(max_learning.max(1));
    for &j in &chosen {
        let rule = random_rule(&mut rng);
        let density = [0.3, 0.7, 1.0][rng.gen_range(0..3)];
        let proj = &mut net.projections[j];
        for w in proj.weights.iter_mut().flatten() {
            let weight = if rng.gen_bool(density) {
                random_weight(&mut rng, rule.sign_mode)
            } else {
                0
            };
            *w = rule.sign_mode.initial_weight(weight) as i32;
        }
        proj.learning = Some(rule);
    }
    limit_synaptic_input(
        &mut net,
        cfg.max_abs_input,
        cfg.max_negative_exp_projections_per_population,
    );
    net
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::GoldenModel;

    fn config() -> RandomNetConfig {
        RandomNetConfig {
            max_neurons: 64,
            max_axons: 128,
            max_negative_exp_projections_per_population: 1,
            max_abs_input: 1 << 15,
            ticks: 48,
        }
    }

    #[test]
    fn networks_respect_the_limits_and_round_trip() {
        let cfg = config();
        for seed in 0..200 {
            let net = random_network(seed, &cfg);
            assert!(net.total_neurons() <= cfg.max_neurons, "seed {seed}");
            let axons: usize = net
                .projections
                .iter()
                .map(|p| net.source_size(p.from))
                .sum();
            assert!(axons <= cfg.max_axons, "seed {seed}");
            for (to, _) in net.populations.iter().enumerate() {
                let negative = net
                    .projections
                    .iter()
                    .filter(|p| p.to == to && p.weight_exp < 0)
                    .count();
                assert!(
                    negative <= cfg.max_negative_exp_projections_per_population,
                    "seed {seed}"
                );
            }
            let bounds = net.max_abs_synaptic_input();
            assert!(
                bounds.iter().flatten().all(|&b| b <= cfg.max_abs_input),
                "seed {seed}"
            );
            // The generator only builds valid networks: they survive a trip through the file.
            let reparsed = Network::from_json_str(&net.to_json(), None)
                .unwrap_or_else(|err| panic!("seed {seed}: {err}"));
            assert_eq!(reparsed, net, "seed {seed}");
            assert_eq!(
                random_network(seed, &cfg),
                net,
                "seed {seed} is not deterministic"
            );
        }
    }

    #[test]
    fn networks_are_varied_and_reach_the_arithmetic_corners() {
        let cfg = config();
        let (mut recurrent, mut self_loops, mut shared_target, mut negative_exp) = (0, 0, 0, 0);
        let (mut wrapped, mut clamped, mut spiking) = (0, 0, 0);
        for seed in 0..200 {
            let net = random_network(seed, &cfg);
            for (j, p) in net.projections.iter().enumerate() {
                match p.from {
                    Source::Population(f) if f == p.to => self_loops += 1,
                    Source::Population(f) if f > p.to => recurrent += 1,
                    _ => {}
                }
                negative_exp += usize::from(p.weight_exp < 0);
                shared_target += usize::from(net.projections[..j].iter().any(|q| q.to == p.to));
            }
            let mut model = GoldenModel::new(&net);
            let mut previous_u: Vec<Vec<i64>> =
                net.populations.iter().map(|p| vec![0; p.size]).collect();
            let mut any_spike = false;
            for _ in 0..net.ticks {
                any_spike |= !model.step().is_empty();
                for (pop, pop_previous_u) in previous_u.iter_mut().enumerate() {
                    for (n, previous) in pop_previous_u.iter_mut().enumerate() {
                        let state = model.state(pop, n);
                        // A jump from beyond +2^22 to beyond -2^22 (or back) in one tick is a
                        // wrap: decay shrinks |u| and the input adds at most 2^15 << 6 = 2^21.
                        let before = std::mem::replace(previous, state.u);
                        let half = fixed::UV_LIMIT / 2;
                        wrapped += usize::from(
                            (before > half && state.u < -half)
                                || (before < -half && state.u > half),
                        );
                        clamped += usize::from(state.v.abs() == fixed::V_MAX);
                    }
                }
            }
            spiking += usize::from(any_spike);
        }
        assert!(recurrent > 0 && self_loops > 0 && shared_target > 0 && negative_exp > 0);
        assert!(wrapped > 0, "no network wrapped u");
        assert!(clamped > 0, "no network reached the voltage clamp");
        assert!(spiking > 150, "only {spiking} of 200 networks spiked");
    }
}
