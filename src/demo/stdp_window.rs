//! The STDP window (Bi & Poo 1998): the weight change of one synapse against the timing of
//! one pre and one post spike, `Δt = t_post - t_pre`, measured by running a network on an
//! engine, beside the float exponential the integer rule approximates.
//!
//! # The network
//! One run measures every `Δt` of `-span..=span` at once: pair `k` has its own pre input
//! (`pre[k]`, one spike at [`PRE_TICK`]), its own post neuron (`post[k]`) and a drive input
//! (`drive[k]`) whose one spike at `t_post - 1` makes `post[k]` spike at exactly `t_post`
//! (weight 127 at `weight_exp` 1: `a = 254`, `u = 254 << 6 = 16256 > vth << 6 = 6400`; with
//! `du = dv = 4095` nothing carries over, so it is the neuron's only spike). The learning
//! projection `pre -> post` starts at [`W0`] on the diagonal (0 elsewhere) and has
//! `weight_exp = -8`, so it never drives a post neuron (`floor(Σ w / 256) ≤ 41 · 255 / 256 < 41`,
//! `41 << 6 < 6400`). `w[k][k]` changes only through the pair `(pre[k], post[k])`: the other
//! weights of row `k` and column `k` learn from other pairs but never enter `w[k][k]`'s update.
//!
//! # What the rule gives (spec §5)
//! With one pre spike at `t_pre` and one post spike at `t_post`:
//! - `Δt > 0`: at `t_post` the pre trace has decayed `Δt` times from `x_impulse`
//!   (`x ← (x · (4096 - x_decay)) >> 12` per tick) and the post term adds
//!   `a_plus · x`; at `t_pre` the post trace was 0, so the pre term added nothing.
//! - `Δt < 0`: symmetrically the pre term adds `a_minus · y` with `y` decayed `|Δt|` times.
//! - `Δt = 0`: both terms, each with its own fresh impulse.
//!
//! The float reference replaces the integer decays by `exp(-|Δt| / τ)` with
//! `τ = -1 / ln((4096 - decay) / 4096)`, and the nearest rounding by none.

use std::fmt::Write as _;

use serde_json::json;

use crate::model::{Network, NetworkError};
use crate::shape::CoreShape;
use crate::sim::{run, Engine, RunOptions, SimError};

/// The tick of every pre spike.
pub const PRE_TICK: u32 = 25;
/// Initial weight of every measured synapse (the middle of the excitatory range 0..=255).
pub const W0: i64 = 128;

/// The rule's parameters (a `learning` object of the network format).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WindowRule {
    /// `x_impulse`.
    pub x_impulse: i64,
    /// `x_decay`.
    pub x_decay: i64,
    /// `y_impulse`.
    pub y_impulse: i64,
    /// `y_decay`.
    pub y_decay: i64,
    /// `(a_plus_mant, a_plus_exp)`.
    pub a_plus: (i64, i64),
    /// `(a_minus_mant, a_minus_exp)`.
    pub a_minus: (i64, i64),
}

impl Default for WindowRule {
    /// An asymmetric window like Bi & Poo's: potentiation up to `+60` with `τ+ ≈ 7.5` ticks,
    /// depression down to `-45` with `τ- ≈ 9.5` ticks (depression's area slightly larger).
    fn default() -> Self {
        WindowRule {
            x_impulse: 120,
            x_decay: 512,
            y_impulse: 120,
            y_decay: 410,
            a_plus: (4, -3),
            a_minus: (-3, -3),
        }
    }
}

impl WindowRule {
    fn amplitude((mant, exp): (i64, i64)) -> f64 {
        mant as f64 * 2f64.powi(exp as i32)
    }

    fn tau(decay: i64) -> f64 {
        -1.0 / ((4096 - decay) as f64 / 4096.0).ln()
    }

    /// `τ+` (of the pre trace `x`) and `τ-` (of the post trace `y`), in ticks.
    pub fn taus(&self) -> (f64, f64) {
        (Self::tau(self.x_decay), Self::tau(self.y_decay))
    }

    /// The float exponential at `dt`: `A+ x_impulse e^(-dt/τ+)` for `dt > 0`,
    /// `A- y_impulse e^(dt/τ-)` for `dt < 0`, their sum at 0.
    pub fn float_dw(&self, dt: i32) -> f64 {
        let (tau_plus, tau_minus) = self.taus();
        let plus = Self::amplitude(self.a_plus) * self.x_impulse as f64;
        let minus = Self::amplitude(self.a_minus) * self.y_impulse as f64;
        match dt {
            0 => plus + minus,
            d if d > 0 => plus * (-f64::from(d) / tau_plus).exp(),
            d => minus * (f64::from(d) / tau_minus).exp(),
        }
    }

    fn learning_json(&self) -> serde_json::Value {
        json!({
            "rule": "stdp", "sign_mode": "excitatory",
            "x_impulse": self.x_impulse, "x_decay": self.x_decay,
            "y_impulse": self.y_impulse, "y_decay": self.y_decay,
            "a_plus_mant": self.a_plus.0, "a_plus_exp": self.a_plus.1,
            "a_minus_mant": self.a_minus.0, "a_minus_exp": self.a_minus.1,
        })
    }
}

/// One point of the window.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WindowPoint {
    /// `t_post - t_pre`, ticks.
    pub dt: i32,
    /// The measured weight change.
    pub dw: i64,
    /// The float exponential at `dt`.
    pub float_dw: f64,
}

/// Why the window could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum WindowError {
    /// The span does not fit before the pre spike.
    #[error("a window of ±{0} ticks needs 1..={max} ticks on each side", max = PRE_TICK - 2)]
    Span(u32),
    /// The generated network was refused (a bug).
    #[error("the window network is invalid: {0}")]
    Network(#[from] NetworkError),
    /// The engine failed.
    #[error(transparent)]
    Run(#[from] SimError),
    /// The engine returned no learned weights.
    #[error("the {0} engine reported no learned weights")]
    NoWeights(&'static str),
    /// A post neuron did not spike exactly once, at its tick.
    #[error("post[{pair}] spiked at ticks {ticks:?}, expected only {expected}")]
    Timing {
        /// The pair.
        pair: usize,
        /// Its spikes.
        ticks: Vec<u32>,
        /// Its `t_post`.
        expected: u32,
    },
}

/// The network measuring `Δt = -span..=span` (see the module documentation), and its `Δt`s.
pub fn window_network(rule: &WindowRule, span: u32) -> Result<(Network, Vec<i32>), WindowError> {
    if span == 0 || span > PRE_TICK - 2 {
        return Err(WindowError::Span(span));
    }
    let dts: Vec<i32> = (-(span as i32)..=span as i32).collect();
    let pairs = dts.len();
    let pre_spikes: Vec<[u32; 2]> = (0..pairs as u32).map(|k| [PRE_TICK, k]).collect();
    let drive_spikes: Vec<[u32; 2]> = dts
        .iter()
        .enumerate()
        .map(|(k, &dt)| [(PRE_TICK as i32 + dt - 1) as u32, k as u32])
        .collect();
    let diagonal = |value: i64| -> Vec<Vec<i64>> {
        (0..pairs)
            .map(|i| (0..pairs).map(|j| if i == j { value } else { 0 }).collect())
            .collect()
    };
    let ticks = PRE_TICK + span + 2;
    let text = json!({
        "ticks": ticks,
        "inputs": [
            {"name": "pre", "size": pairs, "spikes": pre_spikes},
            {"name": "drive", "size": pairs, "spikes": drive_spikes},
        ],
        "populations": [
            {"name": "post", "size": pairs, "neuron": {"du": 4095, "dv": 4095, "vth": 100}},
        ],
        "projections": [
            {"from": "drive", "to": "post", "weight_exp": 1, "weights": diagonal(127)},
            {"from": "pre", "to": "post", "weight_exp": -8, "weights": diagonal(W0),
             "learning": rule.learning_json()},
        ],
    })
    .to_string();
    Ok((Network::from_json_str(&text, None)?, dts))
}

/// Measures the window on `engine` (one core of `shape`): each point's `dw` is the final
/// `w[k][k] - W0` the engine reports.
pub fn measure_window(
    rule: &WindowRule,
    span: u32,
    engine: Engine,
    shape: CoreShape,
) -> Result<Vec<WindowPoint>, WindowError> {
    let (net, dts) = window_network(rule, span)?;
    let options = RunOptions {
        shape,
        ..Default::default()
    };
    let result = run(&net, engine, net.ticks, &options, &mut |_| {})?;
    for (k, &dt) in dts.iter().enumerate() {
        let ticks: Vec<u32> = result
            .spikes
            .spikes
            .iter()
            .filter(|s| s.neuron == k)
            .map(|s| s.tick)
            .collect();
        let expected = (PRE_TICK as i32 + dt) as u32;
        if ticks != [expected] {
            return Err(WindowError::Timing {
                pair: k,
                ticks,
                expected,
            });
        }
    }
    let learned = result
        .learned
        .as_ref()
        .and_then(|l| l.projections.first())
        .ok_or(WindowError::NoWeights(engine.name()))?;
    Ok(dts
        .iter()
        .enumerate()
        .map(|(k, &dt)| WindowPoint {
            dt,
            dw: learned.weights[k][k] - W0,
            float_dw: rule.float_dw(dt),
        })
        .collect())
}

/// The window as CSV: `dt,dw,float_dw`.
pub fn window_csv(points: &[WindowPoint]) -> String {
    let mut text = String::from("dt,dw,float_dw\n");
    for p in points {
        let _ = writeln!(text, "{},{},{:.4}", p.dt, p.dw, p.float_dw);
    }
    text
}

/// A Markdown table of the points at `dts` (those present), measured beside float.
pub fn window_table(points: &[WindowPoint], dts: &[i32]) -> String {
    let mut text =
        String::from("| Δt (ticks) | Δw measured | float exponential |\n| ---: | ---: | ---: |\n");
    for p in points.iter().filter(|p| dts.contains(&p.dt)) {
        let _ = writeln!(text, "| {} | {} | {:.2} |", p.dt, p.dw, p.float_dw);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule's integer arithmetic restated by hand for one pair (spec §5).
    fn by_hand(rule: &WindowRule, dt: i32) -> i64 {
        let decayed = |impulse: i64, decay: i64, times: u32| {
            (0..times).fold(impulse, |x, _| (x * (4096 - decay)) >> 12)
        };
        let term = |(mant, exp): (i64, i64), trace: i64| (mant * trace) << (exp + 7);
        let mut acc = W0 << 7;
        if dt <= 0 {
            acc += term(
                rule.a_minus,
                decayed(rule.y_impulse, rule.y_decay, dt.unsigned_abs()),
            );
        }
        if dt >= 0 {
            acc += term(
                rule.a_plus,
                decayed(rule.x_impulse, rule.x_decay, dt as u32),
            );
        }
        ((acc + 64) >> 7) - W0
    }

    #[test]
    fn golden_window_is_the_rule_restated_by_hand() {
        let rule = WindowRule::default();
        let points = measure_window(&rule, 20, Engine::Golden, CoreShape::default()).unwrap();
        assert_eq!(points.len(), 41);
        for p in &points {
            assert_eq!(p.dw, by_hand(&rule, p.dt), "dt {}", p.dt);
        }
        // The shape: potentiation after, depression before, both fading with |dt|.
        let at = |dt: i32| points.iter().find(|p| p.dt == dt).unwrap().dw;
        assert_eq!(at(1), 53); // 0.5 * ((120 * 3584) >> 12 = 105) = 52.5, nearest: 53
        assert_eq!(at(-1), -40); // -0.375 * ((120 * 3686) >> 12 = 107) = -40.125
        assert!(at(1) > at(5) && at(5) > at(20) && at(20) >= 0);
        assert!(at(-1) < at(-5) && at(-5) < at(-20) && at(-20) <= 0);
        // The integer rule stays within 2.5 of the float exponential (truncating decays).
        for p in &points {
            assert!((p.dw as f64 - p.float_dw).abs() < 2.5, "{p:?}");
        }
    }

    #[test]
    fn spans_outside_the_network_are_refused() {
        let rule = WindowRule::default();
        assert!(matches!(
            window_network(&rule, 0),
            Err(WindowError::Span(0))
        ));
        assert!(matches!(
            window_network(&rule, 24),
            Err(WindowError::Span(24))
        ));
        assert!(window_network(&rule, 23).is_ok());
    }

    #[test]
    fn csv_and_table() {
        let points = [
            WindowPoint {
                dt: -1,
                dw: -40,
                float_dw: -40.5,
            },
            WindowPoint {
                dt: 1,
                dw: 53,
                float_dw: 52.75,
            },
        ];
        assert_eq!(
            window_csv(&points),
            "dt,dw,float_dw\n-1,-40,-40.5000\n1,53,52.7500\n"
        );
        let table = window_table(&points, &[1]);
        assert!(table.ends_with("| 1 | 53 | 52.75 |\n") && !table.contains("| -1 |"));
    }
}
