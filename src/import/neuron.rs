//! NIR's neuron equations, discretised with forward Euler at `dt`, as the per-tick factors
//! the CUBA-LIF arithmetic needs (derivation and a worked example in `docs/nir.md`):
//!
//! ```text
//! CubaLIF  I' = (1 - dt/τs)·I + (dt/τs)·w_in·S          u ↔ σ·(dt·R/τm)·I
//!          v' = (1 - dt/τm)·v + (dt/τm)·(v_leak + R·I')   v ↔ σ·v
//! LIF      v' = (1 - dt/τ)·v + (dt/τ)·(v_leak + R·S)      (u' = a << 6: du = 4095)
//! IF       v' = v + dt·R·S                                (dv = 0, du = 4095)
//! ```
//! `S` is the weighted spike input of the tick. `σ` (the population's scale, chosen in
//! `map`) is the same for `u` and `v`; these factors are per unit of `σ`.

use super::graph::{NeuronParams, NodeKind};
use super::ImportError;

/// One neuron's discretised dynamics.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Discrete {
    /// Float synaptic decay per tick `1 - dt/τs` (0 for LIF and IF: no synaptic state).
    pub alpha: f64,
    /// Float membrane decay per tick `1 - dt/τm` (1 for IF).
    pub beta: f64,
    /// `du` whose `(4095 - du)/4096` is nearest `alpha` (clamped to 0..=4095).
    pub du: i64,
    /// `dv` whose `(4096 - dv)/4096` is nearest `beta` (clamped to 0..=4095).
    pub dv: i64,
    /// Increase of `v` (per unit of σ) that one unit of `S` causes through `u`:
    /// CubaLIF `(dt·R/τm)·(dt·w_in/τs)`, LIF `dt·R/τ`, IF `dt·R`.
    pub gain: f64,
    /// Constant added to `v` per tick (per unit of σ): `(dt/τm)·v_leak`.
    pub leak: f64,
    /// Per-tick `v` increase (per unit of σ) of a constant `S = 1` once `I` has settled:
    /// CubaLIF `(dt·R/τm)·w_in` (exact after the transient only), LIF and IF `gain`.
    pub bias_gain: f64,
    /// `v_threshold`.
    pub threshold: f64,
}

/// Hardware `u` decay factor of `du`.
pub fn hw_alpha(du: i64) -> f64 {
    (4095 - du) as f64 / 4096.0
}

/// Hardware `v` decay factor of `dv`.
pub fn hw_beta(dv: i64) -> f64 {
    (4096 - dv) as f64 / 4096.0
}

/// The discretised dynamics of neuron `i` of neuron node `node` (an error names the node).
pub fn discretise(
    node: &str,
    type_name: &str,
    kind: &NodeKind,
    i: usize,
    dt: f64,
) -> Result<Discrete, ImportError> {
    let bad = |reason: String| ImportError::unsupported(node, type_name, reason);
    // dt/τ as a fraction of a tick: 0 < dt/τ <= 1, else forward Euler overshoots (|1 - dt/τ|
    // would exceed 1 or flip sign) and the decay has no 12-bit counterpart.
    let step = |name: &str, tau: f64| -> Result<f64, ImportError> {
        if tau <= 0.0 {
            return Err(ImportError::malformed(
                node,
                type_name,
                format!("{name} = {tau} is not positive"),
            ));
        }
        let ratio = dt / tau;
        if ratio > 1.0 {
            return Err(bad(format!(
                "dt/{name} = {ratio:.4} > 1 (neuron {i}): forward Euler at this dt is unstable; use a dt <= {tau}"
            )));
        }
        Ok(ratio)
    };
    let p = |t: &super::graph::Tensor| t.data[i];
    let (params, d) = match kind {
        NodeKind::CubaLif(params) => {
            let syn = step("tau_syn", p(&params.tau_syn))?;
            let mem = step("tau_mem", p(&params.tau_mem))?;
            let d = Discrete {
                alpha: 1.0 - syn,
                beta: 1.0 - mem,
                du: ((4096.0 * syn).round() as i64 - 1).clamp(0, 4095),
                dv: ((4096.0 * mem).round() as i64).clamp(0, 4095),
                gain: mem * p(&params.r) * syn * p(&params.w_in),
                leak: mem * p(&params.v_leak),
                bias_gain: mem * p(&params.r) * p(&params.w_in),
                threshold: p(&params.v_threshold),
            };
            (params, d)
        }
        NodeKind::Lif(params) => {
            let mem = step("tau", p(&params.tau_mem))?;
            let gain = mem * p(&params.r);
            let d = Discrete {
                alpha: 0.0,
                beta: 1.0 - mem,
                du: 4095,
                dv: ((4096.0 * mem).round() as i64).clamp(0, 4095),
                gain,
                leak: mem * p(&params.v_leak),
                bias_gain: gain,
                threshold: p(&params.v_threshold),
            };
            (params, d)
        }
        NodeKind::If(params) => {
            let gain = dt * p(&params.r);
            let d = Discrete {
                alpha: 0.0,
                beta: 1.0,
                du: 4095,
                dv: 0,
                gain,
                leak: 0.0,
                bias_gain: gain,
                threshold: p(&params.v_threshold),
            };
            (params, d)
        }
        _ => unreachable!("discretise is called on neuron nodes only"),
    };
    check_reset_and_threshold(node, type_name, params, i, d.threshold)?;
    Ok(d)
}

fn check_reset_and_threshold(
    node: &str,
    type_name: &str,
    params: &NeuronParams,
    i: usize,
    threshold: f64,
) -> Result<(), ImportError> {
    let reset = params.v_reset.data[i];
    if reset != 0.0 {
        return Err(ImportError::unsupported(
            node,
            type_name,
            format!("v_reset = {reset} (neuron {i}): the core resets v to 0 only"),
        ));
    }
    if threshold <= 0.0 {
        return Err(ImportError::unsupported(
            node,
            type_name,
            format!("v_threshold = {threshold} (neuron {i}): the core needs a positive threshold"),
        ));
    }
    Ok(())
}
