//! Hidden-pattern detection (Masquelier, Guyonneau & Thorpe 2008): one neuron with STDP on
//! Poisson afferents, in whose activity a fixed spatio-temporal pattern recurs at random
//! times, learns to fire when the pattern is present and to stay quiet otherwise.
//!
//! # The stimulus
//! `afferents` inputs spike independently with probability `rate` per tick (a Bernoulli
//! process, the discrete Poisson process). The pattern is `pattern_ticks` ticks of that same
//! process, drawn once ([`PatternStimulus::pattern`]); so a pattern tick looks like any other
//! tick, only its recurrence gives it away. The timeline is cut into `pattern_ticks`-long
//! slots; from slot 1 on, each slot holds the pattern with probability `pattern_share`, and a
//! slot after a pattern slot is background, so occurrences never touch. During an occurrence
//! the afferents replay the pattern exactly (no extra noise, no jitter).
//!
//! # Training and testing
//! Training runs the learning network (one `detector` neuron, one excitatory learning
//! projection `afferents -> detector`, every weight [`PatternParams::w0`]) for
//! `train_ticks` on one stimulus. Testing freezes the weights — the same network with the
//! rule's amplitudes set to 0 (`a_plus_mant = a_minus_mant = 0`: every update adds 0, so the
//! weights stay bit for bit) — and runs `test_ticks` of a fresh background with the same
//! pattern, once with the initial weights ("before") and once with the learned ones ("after").
//!
//! # The figures
//! - **hit rate**: the share of the test's occurrences at `[s, s + L)` during which the
//!   detector spikes in `s + 1 ..= s + L` (an input spike of tick `t` reaches the neuron in
//!   tick `t + 1`: the one-tick synaptic delay).
//! - **false-alarm rate**: the test timeline is cut into `L`-tick windows `[t0, t0 + L)`
//!   (`t0 = 0, L, 2L, ...`); a window is a background window when it shares no tick with any
//!   occurrence's response span `s ..= s + L`. The false-alarm rate is the share of background
//!   windows in which the detector spikes.

use std::fmt::Write as _;

use serde_json::json;

use crate::model::{Network, NetworkError};
use crate::shape::CoreShape;
use crate::sim::{run, Engine, RunOptions, SimError};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// The stimulus' shape.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StimulusParams {
    /// Number of afferents.
    pub afferents: usize,
    /// Spike probability per afferent and tick.
    pub rate: f64,
    /// The pattern's length `L`, ticks.
    pub pattern_ticks: u32,
    /// Probability that a slot (after a background slot) holds the pattern.
    pub pattern_share: f64,
}

impl Default for StimulusParams {
    /// 100 afferents at 2 % per tick (20 Hz at 1 ms ticks), a 50-tick pattern in a quarter of
    /// the slots: Masquelier et al.'s setting scaled down from 2 000 afferents.
    fn default() -> Self {
        StimulusParams {
            afferents: 100,
            rate: 0.02,
            pattern_ticks: 50,
            pattern_share: 0.25,
        }
    }
}

/// The neuron and the rule (network-format fields, spec §1 and §5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PatternParams {
    /// The detector's `du`, `dv`, `vth`.
    pub du: i64,
    /// See `du`.
    pub dv: i64,
    /// See `du`.
    pub vth: i64,
    /// The projection's `weight_exp`.
    pub weight_exp: i64,
    /// Every weight before learning (excitatory: 0..=255).
    pub w0: i64,
    /// `x_impulse`, `x_decay`, `y_impulse`, `y_decay`.
    pub traces: [i64; 4],
    /// `(a_plus_mant, a_plus_exp)`.
    pub a_plus: (i64, i64),
    /// `(a_minus_mant, a_minus_exp)`.
    pub a_minus: (i64, i64),
}

impl Default for PatternParams {
    fn default() -> Self {
        PatternParams {
            du: 4095,
            dv: 512,
            vth: 2800,
            weight_exp: 0,
            w0: 192,
            traces: [60, 2048, 60, 1300],
            a_plus: (2, -3),
            a_minus: (-3, -3),
        }
    }
}

/// A stimulus: spikes as `(tick, afferent)` and the occurrences' first ticks.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternStimulus {
    /// Every input spike, sorted by tick then afferent.
    pub spikes: Vec<[u32; 2]>,
    /// The first tick of each occurrence of the pattern.
    pub onsets: Vec<u32>,
    /// The pattern: `pattern[k]` lists the afferents spiking in its tick `k`.
    pub pattern: Vec<Vec<u32>>,
}

fn bernoulli_tick(rng: &mut StdRng, afferents: usize, rate: f64) -> Vec<u32> {
    (0..afferents as u32)
        .filter(|_| rng.gen_bool(rate))
        .collect()
}

/// The pattern of `pattern_seed`.
pub fn draw_pattern(stimulus: &StimulusParams, pattern_seed: u64) -> Vec<Vec<u32>> {
    let mut rng = StdRng::seed_from_u64(pattern_seed);
    (0..stimulus.pattern_ticks)
        .map(|_| bernoulli_tick(&mut rng, stimulus.afferents, stimulus.rate))
        .collect()
}

/// `ticks` of background from `seed` with `pattern` embedded (module documentation).
pub fn draw_stimulus(
    stimulus: &StimulusParams,
    pattern: &[Vec<u32>],
    ticks: u32,
    seed: u64,
) -> PatternStimulus {
    let mut rng = StdRng::seed_from_u64(seed);
    let len = stimulus.pattern_ticks;
    let mut spikes = Vec::new();
    let mut onsets = Vec::new();
    let mut previous_held_pattern = true; // slot 0 is background
    let mut slot_start = 0;
    while slot_start < ticks {
        let holds = !previous_held_pattern
            && slot_start + len <= ticks
            && rng.gen_bool(stimulus.pattern_share);
        for k in 0..len.min(ticks - slot_start) {
            let tick = slot_start + k;
            let afferents = if holds {
                pattern[k as usize].clone()
            } else {
                bernoulli_tick(&mut rng, stimulus.afferents, stimulus.rate)
            };
            spikes.extend(afferents.into_iter().map(|a| [tick, a]));
        }
        if holds {
            onsets.push(slot_start);
        }
        previous_held_pattern = holds;
        slot_start += len;
    }
    PatternStimulus {
        spikes,
        onsets,
        pattern: pattern.to_vec(),
    }
}

/// The detector network over `stimulus` with `weights` (one row: the detector's) and the
/// rule of `params`, learning (`frozen = false`) or with zero amplitudes (`frozen = true`).
pub fn detector_network(
    params: &PatternParams,
    stimulus: &PatternStimulus,
    afferents: usize,
    ticks: u32,
    weights: &[i64],
    frozen: bool,
) -> Result<Network, NetworkError> {
    let [x_impulse, x_decay, y_impulse, y_decay] = params.traces;
    let (a_plus, a_minus) = if frozen {
        ((0, 0), (0, 0))
    } else {
        (params.a_plus, params.a_minus)
    };
    let text = json!({
        "ticks": ticks,
        "inputs": [{"name": "afferents", "size": afferents, "spikes": stimulus.spikes}],
        "populations": [{"name": "detector", "size": 1,
            "neuron": {"du": params.du, "dv": params.dv, "vth": params.vth}}],
        "projections": [{"from": "afferents", "to": "detector",
            "weight_exp": params.weight_exp, "weights": [weights],
            "learning": {"rule": "stdp", "sign_mode": "excitatory",
                "x_impulse": x_impulse, "x_decay": x_decay,
                "y_impulse": y_impulse, "y_decay": y_decay,
                "a_plus_mant": a_plus.0, "a_plus_exp": a_plus.1,
                "a_minus_mant": a_minus.0, "a_minus_exp": a_minus.1}}],
    })
    .to_string();
    Network::from_json_str(&text, None)
}

/// Hit and false-alarm rates of detector spikes `spikes` (ticks) against `onsets`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Detection {
    /// Occurrences with a detector spike in their response span.
    pub hits: usize,
    /// Occurrences.
    pub occurrences: usize,
    /// Background windows with a detector spike.
    pub false_alarms: usize,
    /// Background windows.
    pub background_windows: usize,
    /// Detector spikes in the whole test.
    pub spikes: usize,
}

impl Detection {
    /// `hits / occurrences` (0 without occurrences).
    pub fn hit_rate(&self) -> f64 {
        self.hits as f64 / self.occurrences.max(1) as f64
    }

    /// `false_alarms / background_windows` (0 without background windows).
    pub fn false_alarm_rate(&self) -> f64 {
        self.false_alarms as f64 / self.background_windows.max(1) as f64
    }
}

/// Scores `spikes` (sorted detector spike ticks) over `ticks` (module documentation).
pub fn score(spikes: &[u32], onsets: &[u32], pattern_ticks: u32, ticks: u32) -> Detection {
    let any_in = |low: u32, high: u32| {
        let first = spikes.partition_point(|&t| t < low);
        spikes.get(first).is_some_and(|&t| t <= high)
    };
    let hits = onsets
        .iter()
        .filter(|&&s| any_in(s + 1, s + pattern_ticks))
        .count();
    let mut response = vec![false; ticks as usize + pattern_ticks as usize + 1];
    for &s in onsets {
        for t in s..=s + pattern_ticks {
            response[t as usize] = true;
        }
    }
    let (mut false_alarms, mut background_windows) = (0, 0);
    let mut t0 = 0;
    while t0 + pattern_ticks <= ticks {
        let window = t0..t0 + pattern_ticks;
        if !window.clone().any(|t| response[t as usize]) {
            background_windows += 1;
            if any_in(t0, t0 + pattern_ticks - 1) {
                false_alarms += 1;
            }
        }
        t0 += pattern_ticks;
    }
    Detection {
        hits,
        occurrences: onsets.len(),
        false_alarms,
        background_windows,
        spikes: spikes.len(),
    }
}

/// Why the demo could not run.
#[derive(Debug, thiserror::Error)]
pub enum PatternError {
    /// The generated network was refused (a bug).
    #[error("the hidden-pattern network is invalid: {0}")]
    Network(#[from] NetworkError),
    /// The engine failed.
    #[error(transparent)]
    Run(#[from] SimError),
    /// The engine returned no learned weights.
    #[error("the {0} engine reported no learned weights")]
    NoWeights(&'static str),
}

/// One experiment: the seeds and lengths.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Experiment {
    /// The stimulus shape.
    pub stimulus: StimulusParams,
    /// The neuron and rule.
    pub params: PatternParams,
    /// Seeds the pattern, the training background (`seed + 1`) and the test background
    /// (`seed + 2`).
    pub seed: u64,
    /// Training ticks.
    pub train_ticks: u32,
    /// Test ticks (each of "before" and "after").
    pub test_ticks: u32,
    /// Initial weights are drawn uniformly from `w0 - w0_spread ..= w0 + w0_spread` (clamped
    /// to 0..=255) with the seed `seed + 3`; 0 gives every synapse `w0`.
    pub w0_spread: i64,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            stimulus: StimulusParams::default(),
            params: PatternParams::default(),
            seed: 10,
            train_ticks: 40_000,
            test_ticks: 10_000,
            w0_spread: 0,
        }
    }
}

impl Experiment {
    /// The weights before learning.
    pub fn initial_weights(&self) -> Vec<i64> {
        let mut rng = StdRng::seed_from_u64(self.seed + 3);
        let (w0, spread) = (self.params.w0, self.w0_spread);
        (0..self.stimulus.afferents)
            .map(|_| (w0 + rng.gen_range(-spread..=spread)).clamp(0, 255))
            .collect()
    }
}

/// What an experiment measured.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Scores of the test run with the initial weights.
    pub before: Detection,
    /// Scores of the test run with the learned weights.
    pub after: Detection,
    /// Detector spikes of the "before" and "after" test runs.
    pub test_spikes: [Vec<u32>; 2],
    /// The test stimulus' onsets.
    pub test_onsets: Vec<u32>,
    /// The weights after training.
    pub learned: Vec<i64>,
    /// The pattern (to tell pattern afferents from the others).
    pub pattern: Vec<Vec<u32>>,
    /// Detector spikes during training.
    pub train_spikes: usize,
}

fn detector_spikes(net: &Network, engine: Engine) -> Result<(Vec<u32>, Vec<i64>), PatternError> {
    let options = RunOptions {
        shape: CoreShape::default(),
        ..Default::default()
    };
    let result = run(net, engine, net.ticks, &options, &mut |_| {})?;
    let spikes = result.spikes.spikes.iter().map(|s| s.tick).collect();
    let weights = result
        .learned
        .as_ref()
        .and_then(|l| l.projections.first())
        .map(|p| p.weights[0].clone())
        .ok_or(PatternError::NoWeights(engine.name()))?;
    Ok((spikes, weights))
}

/// Trains on `engine`, then tests before and after (module documentation). The test runs
/// use the golden model: the weights are frozen there, so what they measure is the weights.
pub fn run_experiment(exp: &Experiment, engine: Engine) -> Result<Outcome, PatternError> {
    let stim = &exp.stimulus;
    let pattern = draw_pattern(stim, exp.seed);
    let train = draw_stimulus(stim, &pattern, exp.train_ticks, exp.seed + 1);
    let initial = exp.initial_weights();
    let net = detector_network(
        &exp.params,
        &train,
        stim.afferents,
        exp.train_ticks,
        &initial,
        false,
    )?;
    let (train_spikes, learned) = detector_spikes(&net, engine)?;
    let test = draw_stimulus(stim, &pattern, exp.test_ticks, exp.seed + 2);
    // A frozen run of the test stimulus with `weights`: its scores and detector spikes.
    let test_run = |weights: &[i64]| -> Result<(Detection, Vec<u32>), PatternError> {
        let net = detector_network(
            &exp.params,
            &test,
            stim.afferents,
            exp.test_ticks,
            weights,
            true,
        )?;
        let (spikes, _) = detector_spikes(&net, Engine::Golden)?;
        let scores = score(&spikes, &test.onsets, stim.pattern_ticks, exp.test_ticks);
        Ok((scores, spikes))
    };
    let (before, before_spikes) = test_run(&initial)?;
    let (after, after_spikes) = test_run(&learned)?;
    Ok(Outcome {
        before,
        after,
        test_spikes: [before_spikes, after_spikes],
        test_onsets: test.onsets,
        learned,
        pattern,
        train_spikes: train_spikes.len(),
    })
}

/// The test runs as CSV, `phase,kind,tick`: `phase` is `before` or `after`, `kind` is
/// `onset` (an occurrence of the pattern starts) or `spike` (the detector spikes); sorted by
/// phase, then tick, onsets before spikes at one tick.
pub fn events_csv(outcome: &Outcome) -> String {
    let mut text = String::from("phase,kind,tick\n");
    for (phase, spikes) in ["before", "after"].iter().zip(&outcome.test_spikes) {
        let mut rows: Vec<(u32, &str)> = outcome
            .test_onsets
            .iter()
            .map(|&t| (t, "onset"))
            .chain(spikes.iter().map(|&t| (t, "spike")))
            .collect();
        rows.sort();
        for (tick, kind) in rows {
            let _ = writeln!(text, "{phase},{kind},{tick}");
        }
    }
    text
}

/// How often each afferent spikes in the pattern.
pub fn pattern_counts(pattern: &[Vec<u32>], afferents: usize) -> Vec<u32> {
    let mut counts = vec![0; afferents];
    for &a in pattern.iter().flatten() {
        counts[a as usize] += 1;
    }
    counts
}

/// The weights as CSV, `afferent,pattern_spikes,w_before,w_after`.
pub fn weights_csv(outcome: &Outcome, initial: &[i64]) -> String {
    let counts = pattern_counts(&outcome.pattern, outcome.learned.len());
    let mut text = String::from("afferent,pattern_spikes,w_before,w_after\n");
    for (a, (w0, w)) in initial.iter().zip(&outcome.learned).enumerate() {
        let _ = writeln!(text, "{a},{},{w0},{w}", counts[a]);
    }
    text
}

/// A Markdown table of the figures before and after learning.
pub fn outcome_table(outcome: &Outcome) -> String {
    let mut text = String::from(
        "| weights | hit rate | false alarms | detector spikes |\n| --- | ---: | ---: | ---: |\n",
    );
    for (name, d) in [
        ("before learning", &outcome.before),
        ("after learning", &outcome.after),
    ] {
        let _ = writeln!(
            text,
            "| {name} | {:.0} % ({}/{}) | {:.1} % ({}/{}) | {} |",
            100.0 * d.hit_rate(),
            d.hits,
            d.occurrences,
            100.0 * d.false_alarm_rate(),
            d.false_alarms,
            d.background_windows,
            d.spikes
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn score_counts_hits_in_the_response_span_and_alarms_in_background_windows() {
        // L = 10 over 60 ticks; occurrences at 10 and 40 (response spans 10..=20, 40..=50).
        // Windows [0,10) and [30,40) are background; the others touch a span (20 and 50 are
        // the spans' last ticks).
        let spikes = [5, 11, 25, 26, 51];
        let d = score(&spikes, &[10, 40], 10, 60);
        // 11 is in 11..=20; 51 is past 41..=50 (and its window [50,60) is not background).
        assert_eq!((d.hits, d.occurrences), (1, 2));
        assert_eq!(score(&[50], &[10, 40], 10, 60).hits, 1);
        // A spike at the onset tick itself is not a hit (the input arrives a tick later).
        assert_eq!(score(&[40], &[40], 10, 60).hits, 0);
        assert_eq!((d.false_alarms, d.background_windows), (1, 2)); // 5 in [0,10)
        assert_eq!(d.spikes, 5);
        assert!((d.hit_rate() - 0.5).abs() < 1e-12);
    }

    #[test]
    fn occurrences_replay_the_pattern_exactly_and_never_touch() {
        let stim = StimulusParams::default();
        let pattern = draw_pattern(&stim, 3);
        let s = draw_stimulus(&stim, &pattern, 20_000, 4);
        let l = stim.pattern_ticks;
        assert!(s.onsets.len() > 50, "{}", s.onsets.len());
        for pair in s.onsets.windows(2) {
            assert!(pair[1] >= pair[0] + 2 * l);
        }
        for &onset in &s.onsets {
            for k in 0..l {
                let at: Vec<u32> = s
                    .spikes
                    .iter()
                    .filter(|sp| sp[0] == onset + k)
                    .map(|sp| sp[1])
                    .collect();
                assert_eq!(at, pattern[k as usize]);
            }
        }
        // The background has the pattern's rate: 2 % of 100 afferents, ~2 spikes a tick.
        let per_tick = s.spikes.len() as f64 / 20_000.0;
        assert!((per_tick - 2.0).abs() < 0.1, "{per_tick}");
    }

    #[test]
    fn a_frozen_rule_keeps_every_weight() {
        let stim = StimulusParams::default();
        let pattern = draw_pattern(&stim, 1);
        let s = draw_stimulus(&stim, &pattern, 2_000, 2);
        let weights: Vec<i64> = (0..100).map(|a| (a * 7 % 256) as i64).collect();
        let net =
            detector_network(&PatternParams::default(), &s, 100, 2_000, &weights, true).unwrap();
        let (spikes, learned) = detector_spikes(&net, Engine::Golden).unwrap();
        assert!(!spikes.is_empty());
        assert_eq!(learned, weights);
    }

    #[test]
    fn the_detector_learns_the_pattern() {
        let o = run_experiment(&Experiment::default(), Engine::Golden).unwrap();
        assert!(o.after.hit_rate() >= 0.9, "{:?}", o.after);
        assert!(o.after.false_alarm_rate() <= 0.1, "{:?}", o.after);
        // Before learning it fires everywhere: the alarms are what learning removes.
        assert!(o.before.false_alarm_rate() > 0.5, "{:?}", o.before);
        let csv = events_csv(&o);
        assert_eq!(
            csv.lines()
                .filter(|l| l.starts_with("after,spike,"))
                .count(),
            o.after.spikes
        );
        assert!(outcome_table(&o).contains("| after learning |"));
    }

    /// Robustness, stated honestly: the default rule finds the pattern on most stimuli, not
    /// all. Hit rate / false alarms after learning on seeds 10, 20, ..., 80: 1.00/0.07,
    /// 1.00/0.06, 1.00/0.03, 1.00/0.09, 1.00/0.04, 0.94/0.08, 0.00/0.08, 0.00/0.02 — on 70
    /// and 80 the neuron settles on a chance coincidence of background afferents and never
    /// fires in the pattern.
    #[test]
    fn the_default_rule_learns_on_most_stimuli() {
        let outcomes: Vec<(u64, Detection)> = (1..=8u64)
            .map(|k| {
                let exp = Experiment {
                    seed: 10 * k,
                    ..Default::default()
                };
                (
                    exp.seed,
                    run_experiment(&exp, Engine::Golden).unwrap().after,
                )
            })
            .collect();
        let learned = outcomes
            .iter()
            .filter(|(_, d)| d.hit_rate() >= 0.9 && d.false_alarm_rate() <= 0.1)
            .count();
        let summary: Vec<String> = outcomes
            .iter()
            .map(|(seed, d)| format!("{seed}: {:.2}/{:.2}", d.hit_rate(), d.false_alarm_rate()))
            .collect();
        assert!(learned >= 6, "{summary:?}");
    }

    /// The rtl engine learns the same weights, bit for bit (a shorter training: the rtl
    /// engine runs ~10^4 ticks a minute here).
    #[test]
    fn rtl_learns_the_same_weights_as_golden() {
        let exp = Experiment {
            train_ticks: 1_500,
            test_ticks: 500,
            ..Default::default()
        };
        let golden = run_experiment(&exp, Engine::Golden).unwrap();
        let rtl = run_experiment(&exp, Engine::Rtl).unwrap();
        assert_eq!(golden, rtl);
        assert!(golden.learned.iter().any(|&w| w != exp.params.w0));
    }
}
