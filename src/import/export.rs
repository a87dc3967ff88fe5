//! Export of a network (spec §1, optionally with learned weights, spec §6) as a NIR graph: the
//! inverse of the forward-Euler discretisation of [`super::neuron`] at a chosen `dt`, with the
//! integers kept in `neurofab_*` metadata so that importing the file at the same `dt` gives
//! the network back exactly ([`super::exact`]). Derivation in `docs/nir.md`, "Export".
//!
//! Every population becomes a `CubaLIF` node, every projection a `Linear` node between its
//! source and its target, every input an `Input` node, and every population also feeds an
//! `Output` node (the core outputs every population's spikes). In NIR units `v` is measured
//! in `vth` steps: the scale is [`EXPORT_SCALE`] hardware units per NIR unit, so
//!
//! ```text
//! tau_syn = 4096·dt/(du + 1)      tau_mem = 4096·dt/dv   (dv = 0: NO_LEAK_TAU_STEPS·dt)
//! r = tau_mem/dt                  w_in = tau_syn/dt      (snnTorch's convention: gain 1)
//! v_threshold = vth               v_leak = (bias_mant·2^bias_exp / 64)·(tau_mem/dt)
//! v_reset = 0                     W[post][pre] = w·2^weight_exp
//! ```

use std::collections::{BTreeMap, HashSet};

use super::graph::{Metadata, NeuronParams, NirGraph, NirNode, NodeKind, Tensor};
use crate::model::{LearnedWeights, Network, Source};

/// Hardware units of `u` and `v` per NIR unit in an exported graph: `v_hw = 64·v`, so that
/// NIR's `v > v_threshold` is the core's `v > vth << 6` with `v_threshold = vth`.
pub const EXPORT_SCALE: f64 = 64.0;

/// `tau_mem / dt` written for `dv = 0` (no leak), which no finite `tau_mem` expresses: its
/// forward-Euler decay `1 - 2^-24` differs from 1 by 6·10^-8 per tick and rounds back to
/// `dv = round(4096·2^-24) = 0` on import.
pub const NO_LEAK_TAU_STEPS: f64 = (1u64 << 24) as f64;

/// NIR version whose file layout (`nir.write`) the export follows.
pub const NIR_LAYOUT_VERSION: &str = "1.0.8";

/// Metadata keys (all start with [`super::graph::METADATA_PREFIX`]).
pub mod keys {
    /// Graph: the `dt` (seconds) the parameters were computed for.
    pub const DT: &str = "neurofab_dt";
    /// Input, CubaLIF and Linear nodes: position in the network file's `inputs`,
    /// `populations` or `projections`.
    pub const INDEX: &str = "neurofab_index";
    /// CubaLIF: each neuron's `bias_exp`.
    pub const BIAS_EXP: &str = "neurofab_bias_exp";
    /// Linear: the projection's `weight_exp`.
    pub const WEIGHT_EXP: &str = "neurofab_weight_exp";
}

/// Why a network cannot be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// `dt` is not a positive finite number.
    #[error("dt must be a positive, finite number of seconds, got {0}")]
    Dt(f64),
    /// A group name that cannot name a NIR node (an HDF5 group).
    #[error("'{name}' cannot name a NIR node: {reason}")]
    Name {
        /// The input or population name.
        name: String,
        /// Why.
        reason: &'static str,
    },
    /// The learned weights do not fit the network.
    #[error("learned weights: {0}")]
    Weights(String),
}

/// The NIR parameters of one neuron (the inverse discretisation at `dt`); the exact re-import
/// recomputes these from the integers it recovers and compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NeuronFloats {
    pub tau_syn: f64,
    pub tau_mem: f64,
    pub r: f64,
    pub w_in: f64,
    pub v_leak: f64,
    pub v_threshold: f64,
}

/// NIR parameters of a neuron with these integers at `dt`.
pub fn neuron_floats(p: &crate::fixed::LifParams, dt: f64) -> NeuronFloats {
    let tau_syn = 4096.0 * dt / (p.du + 1) as f64;
    let tau_mem_steps = if p.dv == 0 {
        NO_LEAK_TAU_STEPS
    } else {
        4096.0 / p.dv as f64
    };
    let bias_hw = p.bias() as f64;
    NeuronFloats {
        tau_syn,
        tau_mem: tau_mem_steps * dt,
        r: tau_mem_steps,
        w_in: tau_syn / dt,
        v_leak: bias_hw / EXPORT_SCALE * tau_mem_steps,
        v_threshold: p.vth as f64,
    }
}

/// The NIR weight of integer weight `w` at exponent `weight_exp`.
pub fn weight_float(w: i32, weight_exp: i32) -> f64 {
    f64::from(w) * 2f64.powi(weight_exp)
}

/// Replaces the weights of `net`'s learning projections by `learned` (spec §6). Each entry
/// must name a learning projection by its index, with the same `from`/`to` and shape, and
/// weights in its sign mode's range.
pub fn apply_learned_weights(
    net: &mut Network,
    learned: &LearnedWeights,
) -> Result<(), ExportError> {
    for entry in &learned.projections {
        let Some(proj) = net.projections.get(entry.index) else {
            return Err(ExportError::Weights(format!(
                "projection index {} is beyond the network's {} projections",
                entry.index,
                net.projections.len()
            )));
        };
        let (from, to) = (
            net.source_name(proj.from).to_string(),
            net.populations[proj.to].name.clone(),
        );
        let k = entry.index;
        if entry.from != from || entry.to != to {
            return Err(ExportError::Weights(format!(
                "projection {k} is {from} -> {to} in the network, {} -> {} in the weights file",
                entry.from, entry.to
            )));
        }
        let Some(rule) = &proj.learning else {
            return Err(ExportError::Weights(format!(
                "projection {k} ({from} -> {to}) is not a learning projection"
            )));
        };
        let (lo, hi) = (rule.sign_mode.weight_min(), rule.sign_mode.weight_max());
        let cols = net.source_size(proj.from);
        if entry.weights.len() != proj.weights.len()
            || entry.weights.iter().any(|row| row.len() != cols)
        {
            return Err(ExportError::Weights(format!(
                "projection {k} ({from} -> {to}) needs {} rows of {cols} weights",
                proj.weights.len()
            )));
        }
        if let Some(bad) = entry
            .weights
            .iter()
            .flatten()
            .find(|&&w| !(lo..=hi).contains(&w))
        {
            return Err(ExportError::Weights(format!(
                "projection {k} ({from} -> {to}): weight {bad} is outside {lo}..={hi}"
            )));
        }
        let proj = &mut net.projections[k];
        proj.weights = entry
            .weights
            .iter()
            .map(|row| row.iter().map(|&w| w as i32).collect())
            .collect();
    }
    Ok(())
}

/// The NIR graph of `net` at time step `dt` seconds (learning rules are not exported: NIR has
/// no plasticity; a learning projection exports its current weights).
pub fn network_to_graph(net: &Network, dt: f64) -> Result<NirGraph, ExportError> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(ExportError::Dt(dt));
    }
    let mut taken = HashSet::new();
    for name in net
        .inputs
        .iter()
        .map(|i| &i.name)
        .chain(net.populations.iter().map(|p| &p.name))
    {
        check_name(name)?;
        taken.insert(name.clone());
    }
    let scalar = |v: f64| Tensor::new(vec![], vec![v]);
    let mut nodes = vec![];
    let mut metadata = BTreeMap::<String, Metadata>::new();
    metadata.insert(
        String::new(),
        Metadata::from([(keys::DT.into(), scalar(dt))]),
    );
    let mut index_of_source = BTreeMap::new();
    for (k, input) in net.inputs.iter().enumerate() {
        index_of_source.insert(Source::Input(k), nodes.len());
        metadata.insert(
            input.name.clone(),
            Metadata::from([(keys::INDEX.into(), scalar(k as f64))]),
        );
        nodes.push(NirNode {
            name: input.name.clone(),
            type_name: "Input".into(),
            kind: NodeKind::Input {
                shape: vec![input.size],
            },
        });
    }
    for (k, pop) in net.populations.iter().enumerate() {
        index_of_source.insert(Source::Population(k), nodes.len());
        let floats: Vec<NeuronFloats> = pop.params.iter().map(|p| neuron_floats(p, dt)).collect();
        let column = |f: fn(&NeuronFloats) -> f64| {
            Tensor::new(vec![pop.size], floats.iter().map(f).collect())
        };
        metadata.insert(
            pop.name.clone(),
            Metadata::from([
                (keys::INDEX.into(), scalar(k as f64)),
                (
                    keys::BIAS_EXP.into(),
                    Tensor::new(
                        vec![pop.size],
                        pop.params.iter().map(|p| p.bias_exp as f64).collect(),
                    ),
                ),
            ]),
        );
        nodes.push(NirNode {
            name: pop.name.clone(),
            type_name: "CubaLIF".into(),
            kind: NodeKind::CubaLif(NeuronParams {
                tau_syn: column(|f| f.tau_syn),
                tau_mem: column(|f| f.tau_mem),
                r: column(|f| f.r),
                v_leak: column(|f| f.v_leak),
                v_threshold: column(|f| f.v_threshold),
                v_reset: Tensor::new(vec![pop.size], vec![0.0; pop.size]),
                w_in: column(|f| f.w_in),
            }),
        });
    }
    let mut edges = vec![];
    for (k, proj) in net.projections.iter().enumerate() {
        let to = &net.populations[proj.to];
        let name = unique(
            &format!("{}_to_{}", net.source_name(proj.from), to.name),
            k,
            &mut taken,
        );
        let cols = net.source_size(proj.from);
        let weight = Tensor::new(
            vec![to.size, cols],
            proj.weights
                .iter()
                .flatten()
                .map(|&w| weight_float(w, proj.weight_exp))
                .collect(),
        );
        metadata.insert(
            name.clone(),
            Metadata::from([
                (keys::INDEX.into(), scalar(k as f64)),
                (keys::WEIGHT_EXP.into(), scalar(proj.weight_exp as f64)),
            ]),
        );
        let linear = nodes.len();
        nodes.push(NirNode {
            name,
            type_name: "Linear".into(),
            kind: NodeKind::Linear { weight },
        });
        edges.push((index_of_source[&proj.from], linear));
        edges.push((linear, index_of_source[&Source::Population(proj.to)]));
    }
    for (k, pop) in net.populations.iter().enumerate() {
        let name = unique(&format!("{}_out", pop.name), k, &mut taken);
        edges.push((index_of_source[&Source::Population(k)], nodes.len()));
        nodes.push(NirNode {
            name,
            type_name: "Output".into(),
            kind: NodeKind::Output {
                shape: vec![pop.size],
            },
        });
    }
    Ok(NirGraph {
        version: NIR_LAYOUT_VERSION.into(),
        nodes,
        edges,
        metadata,
    })
}

/// A node name HDF5 and NIR accept: not empty, no `/`, not `.`.
fn check_name(name: &str) -> Result<(), ExportError> {
    let reason = if name.is_empty() {
        "it is empty"
    } else if name.contains('/') {
        "it contains '/', HDF5's path separator"
    } else if name == "." {
        "'.' is HDF5's name for the current group"
    } else {
        return Ok(());
    };
    Err(ExportError::Name {
        name: name.to_string(),
        reason,
    })
}

/// `wanted`, or `wanted_<k>` (then `wanted_<k>_2`, ...) if a group already has that name.
fn unique(wanted: &str, k: usize, taken: &mut HashSet<String>) -> String {
    let mut name = wanted.to_string();
    let mut n = 1;
    while taken.contains(&name) {
        name = if n == 1 {
            format!("{wanted}_{k}")
        } else {
            format!("{wanted}_{k}_{n}")
        };
        n += 1;
    }
    taken.insert(name.clone());
    name
}
