//! Quantization of one neuron node and its incoming projections onto the core's integers, and
//! the report of what the rounding did (`neurofab import --report quant.json`).
//!
//! Each neuron `i` gets a scale `σ_i = 64·V / v_threshold_i` (hardware units of `u` and `v` per
//! unit of NIR's `v`), so that `vth = V` makes `v' > vth << 6` exactly NIR's `v > v_threshold`.
//! `V` starts at [`VTH_TARGET`] and is halved until every weight fits 8 bits with an exponent
//! <= 7, every bias fits `bias_mant << bias_exp`, and no input, even every source spiking every tick, can wrap `u`.

use serde::Serialize;

use super::graph::{NirNode, NodeKind};
use super::map::SparseRows;
use super::neuron::{hw_alpha, hw_beta, Discrete};
use super::ImportError;
use crate::fixed::LifParams;
use crate::model::Source;

/// `vth` aimed at: `v` clamps at ±(2^23 - 1) = ±8·(2^14 << 6), so the membrane can swing to 8
/// thresholds either way before the clamp differs from NIR's unbounded `v`; a 2^20 threshold
/// leaves the decays' truncation (at most 1 per tick) at 1e-6 of it.
pub const VTH_TARGET: i64 = 1 << 14;
/// Largest weight magnitude at the largest exponent: 127 << (6 + 7).
const MAX_WEIGHT_HW: f64 = 127.0 * 8192.0;
/// Largest bias magnitude: 4095 << 7.
const MAX_BIAS_HW: f64 = 4095.0 * 128.0;
/// Largest `u` (spec §2: `u` wraps above 2^23).
const MAX_U: f64 = (1 << 23) as f64 - 1.0;
const WEIGHT_EXP_RANGE: std::ops::RangeInclusive<i32> = -8..=7;
const BIAS_EXP_RANGE: std::ops::RangeInclusive<i64> = 0..=7;

/// A `[min, max]` summary of per-neuron values.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    /// The smallest and largest of `values`.
    pub fn of(values: impl IntoIterator<Item = f64>) -> Range {
        values.into_iter().fold(
            Range {
                min: f64::INFINITY,
                max: f64::NEG_INFINITY,
            },
            |r, v| Range {
                min: r.min.min(v),
                max: r.max.max(v),
            },
        )
    }
}

/// A per-tick decay factor before (`float`, `1 - dt/τ`) and after (`hw`) rounding.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DecayReport {
    pub float: Range,
    pub hw: Range,
    pub max_abs_error: f64,
}

/// One population (neuron node).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PopulationReport {
    pub name: String,
    pub node_type: String,
    pub size: usize,
    /// `v_threshold` (exact after quantization: `vth << 6 = σ·v_threshold`).
    pub threshold: Range,
    pub vth: i64,
    /// `σ`, hardware units per unit of NIR's `v`.
    pub scale: Range,
    /// Synaptic current decay `1 - dt/τ_syn` (0 for LIF/IF) against `(4095 - du)/4096`.
    pub current_decay: DecayReport,
    /// Membrane decay `1 - dt/τ_mem` against `(4096 - dv)/4096`.
    pub voltage_decay: DecayReport,
    /// Constant per-tick `v` increase in NIR units before and after rounding.
    pub bias: DecayReport,
    pub notes: Vec<String>,
}

/// One projection.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProjectionReport {
    pub from: String,
    pub to: String,
    pub weight_exp: i32,
    /// Largest `|Δw| / max|w|` (w in hardware units before rounding).
    pub max_rel_error: f64,
    /// Mean `|Δw| / |w|` over the non-zero weights.
    pub mean_rel_error: f64,
    pub nonzero: usize,
    /// Non-zero weights that rounded to 0.
    pub zeroed: usize,
}

/// The whole import.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QuantReport {
    pub dt: f64,
    pub populations: Vec<PopulationReport>,
    pub projections: Vec<ProjectionReport>,
    /// About the whole import (why a neurofab export was not re-imported exactly).
    pub notes: Vec<String>,
}

impl QuantReport {
    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("the report has no maps with non-string keys")
            + "\n"
    }

    /// A few lines for stderr: one per population, one per projection.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        for note in &self.notes {
            out += &format!("import: {note}\n");
        }
        for p in &self.populations {
            out +=
                &format!(
                "import: {} ({} x {}): vth {}, v decay {:.4} -> {:.4}, u decay {:.4} -> {:.4}{}\n",
                p.name, p.node_type, p.size, p.vth,
                p.voltage_decay.float.max, p.voltage_decay.hw.max,
                p.current_decay.float.max, p.current_decay.hw.max,
                if p.notes.is_empty() { String::new() } else { format!("; {}", p.notes.join("; ")) }
            );
        }
        for p in &self.projections {
            out += &format!(
                "import: {} -> {}: weight_exp {}, weight error max {:.2}% mean {:.2}%, {} of {} weights rounded to 0\n",
                p.from, p.to, p.weight_exp, 100.0 * p.max_rel_error, 100.0 * p.mean_rel_error, p.zeroed, p.nonzero
            );
        }
        out
    }
}

/// One population's integers and reports.
pub struct QuantizedPopulation {
    pub params: Vec<LifParams>,
    /// `(from, weight_exp, weights[post][pre])`.
    pub projections: Vec<(Source, i32, Vec<Vec<i32>>)>,
    pub population_report: PopulationReport,
    pub projection_reports: Vec<ProjectionReport>,
}

/// Quantizes neuron node `node` (per-neuron dynamics `d`, constant input `bias` per neuron)
/// and its incoming matrices `inputs` (`(source, source size, size x source size)`, by rows).
pub fn quantize_population(
    node: &NirNode,
    d: &[Discrete],
    bias: &[f64],
    inputs: &[(Source, usize, &SparseRows)],
    from_names: &[String],
) -> Result<QuantizedPopulation, ImportError> {
    let size = d.len();
    // Everything in hardware units is linear in V: evaluate at VTH_TARGET, then halve V.
    let sigma = |i: usize, v: f64| 64.0 * v / d[i].threshold;
    let bias_float: Vec<f64> = (0..size)
        .map(|i| d[i].leak + d[i].bias_gain * bias[i])
        .collect();
    let hw = |v: f64| -> (Vec<SparseRows>, Vec<f64>) {
        let weights = inputs
            .iter()
            .map(|(_, _, m)| {
                m.iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let scale = sigma(i, v) * d[i].gain;
                        row.iter().map(|&(j, w)| (j, scale * w)).collect()
                    })
                    .collect()
            })
            .collect();
        (
            weights,
            (0..size).map(|i| sigma(i, v) * bias_float[i]).collect(),
        )
    };
    let (w0, b0) = hw(VTH_TARGET as f64);
    let max_abs = |xs: &[f64]| xs.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let mut need = 1.0f64;
    for w in &w0 {
        need = need.max(max_abs_entry(w) / MAX_WEIGHT_HW);
    }
    need = need.max(max_abs(&b0) / MAX_BIAS_HW);
    // u must not wrap even if every source spiked every tick: it settles at most at one tick's
    // input over (1 - the current decay), a geometric series.
    for i in 0..size {
        let tick_input: f64 = w0
            .iter()
            .map(|w| w[i].iter().map(|(_, x)| x.abs()).sum::<f64>())
            .sum();
        need = need.max(tick_input / (1.0 - hw_alpha(d[i].du)) / MAX_U);
    }
    let halvings = need.log2().ceil().max(0.0) as u32;
    if halvings > VTH_TARGET.trailing_zeros() {
        return Err(ImportError::unsupported(&node.name, &node.type_name, format!(
            "its weights or bias are {need:.0} times too large for its threshold: no vth >= 1 fits them in 8-bit weights with exponent <= 7"
        )));
    }
    let vth = VTH_TARGET >> halvings;
    let (w_hw, b_hw) = hw(vth as f64);
    let mut notes = vec![];
    if halvings > 0 {
        notes.push(format!(
            "vth lowered from {VTH_TARGET} to {vth} to fit weights, bias and u"
        ));
    }
    if matches!(node.kind, NodeKind::CubaLif(_)) && bias.iter().any(|&b| b != 0.0) {
        notes.push("the constant input (Affine/Conv2d bias) enters v at its settled value: exact after the synaptic transient only".into());
    }
    let mut params = Vec::with_capacity(size);
    let mut bias_hw_float = Vec::with_capacity(size);
    for i in 0..size {
        let (mant, exp) = quantize_bias(b_hw[i]);
        bias_hw_float.push(((mant << exp) as f64) / sigma(i, vth as f64));
        params.push(LifParams {
            du: d[i].du,
            dv: d[i].dv,
            vth,
            bias_mant: mant,
            bias_exp: exp,
        });
    }
    let mut projections = vec![];
    let mut projection_reports = vec![];
    for (((from, cols, _), w), from_name) in inputs.iter().zip(&w_hw).zip(from_names) {
        let (exp, q, report) = quantize_weights(w, *cols);
        projections.push((*from, exp, q));
        projection_reports.push(ProjectionReport {
            from: from_name.clone(),
            to: node.name.clone(),
            ..report
        });
    }
    let decay = |float: Vec<f64>, hw: Vec<f64>| DecayReport {
        max_abs_error: float
            .iter()
            .zip(&hw)
            .fold(0.0, |m, (a, b)| m.max((a - b).abs())),
        float: Range::of(float),
        hw: Range::of(hw),
    };
    let population_report = PopulationReport {
        name: node.name.clone(),
        node_type: node.type_name.clone(),
        size,
        threshold: Range::of(d.iter().map(|x| x.threshold)),
        vth,
        scale: Range::of((0..size).map(|i| sigma(i, vth as f64))),
        current_decay: decay(
            d.iter().map(|x| x.alpha).collect(),
            d.iter().map(|x| hw_alpha(x.du)).collect(),
        ),
        voltage_decay: decay(
            d.iter().map(|x| x.beta).collect(),
            d.iter().map(|x| hw_beta(x.dv)).collect(),
        ),
        bias: decay(bias_float, bias_hw_float),
        notes,
    };
    Ok(QuantizedPopulation {
        params,
        projections,
        population_report,
        projection_reports,
    })
}

/// `(mant, exp)` with the smallest `exp` whose rounded mantissa fits -4096..=4095.
fn quantize_bias(b: f64) -> (i64, i64) {
    for exp in BIAS_EXP_RANGE {
        let mant = (b / (1i64 << exp) as f64).round();
        if (-4096.0..=4095.0).contains(&mant) {
            return (mant as i64, exp);
        }
    }
    let exp = *BIAS_EXP_RANGE.end();
    (
        ((b / (1i64 << exp) as f64).round() as i64).clamp(-4096, 4095),
        exp,
    )
}

/// The largest magnitude of a sparse matrix's entries.
fn max_abs_entry(w: &SparseRows) -> f64 {
    w.iter().flatten().fold(0.0f64, |m, &(_, x)| m.max(x.abs()))
}

/// The smallest exponent whose rounded weights all fit -128..=127 (the most bits for the
/// largest weight), the weights (dense, `rows x cols`) and their error figures. `w` holds the
/// non-zero weights by rows in hardware units of `u` (a weight `q` at exponent `e` adds
/// `q << (6 + e)`).
fn quantize_weights(w: &SparseRows, cols: usize) -> (i32, Vec<Vec<i32>>, ProjectionReport) {
    let unit = |e: i32| 2f64.powi(6 + e);
    let max = max_abs_entry(w);
    // Rounding is monotonic, so the largest and the most negative entry decide whether an
    // exponent fits (-128 fits, +128 does not).
    let (lowest, highest) = w
        .iter()
        .flatten()
        .fold((0.0f64, 0.0f64), |(lo, hi), &(_, x)| (lo.min(x), hi.max(x)));
    let fits =
        |e: i32| (lowest / unit(e)).round() >= -128.0 && (highest / unit(e)).round() <= 127.0;
    let exp = WEIGHT_EXP_RANGE
        .clone()
        .find(|&e| fits(e))
        .unwrap_or(*WEIGHT_EXP_RANGE.end());
    let (mut max_rel, mut sum_rel, mut nonzero, mut zeroed) = (0.0f64, 0.0, 0usize, 0usize);
    let mut rows = vec![vec![0i32; cols]; w.len()];
    for (row, entries) in rows.iter_mut().zip(w) {
        for &(j, x) in entries {
            let qi = ((x / unit(exp)).round() as i32).clamp(-128, 127);
            row[j] = qi;
            let err = (f64::from(qi) * unit(exp) - x).abs();
            if max > 0.0 {
                max_rel = max_rel.max(err / max);
            }
            if x != 0.0 {
                nonzero += 1;
                sum_rel += err / x.abs();
                zeroed += usize::from(qi == 0);
            }
        }
    }
    let report = ProjectionReport {
        from: String::new(),
        to: String::new(),
        weight_exp: exp,
        max_rel_error: max_rel,
        mean_rel_error: if nonzero > 0 {
            sum_rel / nonzero as f64
        } else {
            0.0
        },
        nonzero,
        zeroed,
    };
    (exp, rows, report)
}
