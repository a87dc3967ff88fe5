//! Exact re-import of a graph that [`super::export`] wrote: when the graph carries
//! `neurofab_dt` equal to the import's `dt`, every node is of a kind the export writes, and
//! every float parameter is exactly the export's image of integers it can recover (the
//! export's own formulas applied to the recovered integers give the stored floats back to
//! 1e-9), the network is rebuilt from those integers, in the original order of inputs,
//! populations and projections. Anything else (the file was edited or retrained, imported at
//! another `dt`, weights beyond 8 bits) is mapped like any other NIR graph instead, with a
//! report note saying why.

use super::export::{keys, neuron_floats, weight_float, EXPORT_SCALE, NO_LEAK_TAU_STEPS};
use super::graph::{NeuronParams, NirGraph, NodeKind, Tensor};
use super::map::Imported;
use super::neuron::{hw_alpha, hw_beta};
use super::quant::{DecayReport, PopulationReport, ProjectionReport, QuantReport, Range};
use crate::fixed::LifParams;
use crate::model::{InputGroup, Network, Population, Projection, Source};

/// Relative tolerance of "the stored float is the export's image of the integers": f64
/// arithmetic of the formulas loses ~1e-16; anything edited differs by far more.
const REL_TOLERANCE: f64 = 1e-9;

/// `None`: not a neurofab export (no `neurofab_dt`). `Some(Err(why))`: an export that does not
/// re-import exactly. `Some(Ok(_))`: the exact network.
pub(super) fn map_exact(graph: &NirGraph, dt: f64, ticks: u32) -> Option<Result<Imported, String>> {
    let exported_dt = graph.meta("", keys::DT)?;
    Some(rebuild(graph, exported_dt, dt, ticks))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= REL_TOLERANCE * a.abs().max(b.abs()).max(1e-300)
}

fn scalar(t: Option<&Tensor>, what: &str) -> Result<f64, String> {
    match t.map(|t| t.data.as_slice()) {
        Some([v]) => Ok(*v),
        _ => Err(format!("{what} is missing or not one number")),
    }
}

/// `x` as an integer in `range` if it is one (to [`REL_TOLERANCE`]).
fn integer(x: f64, range: std::ops::RangeInclusive<i64>, what: &str) -> Result<i64, String> {
    let r = x.round();
    if (x - r).abs() > REL_TOLERANCE * x.abs().max(1.0) || !range.contains(&(r as i64)) {
        return Err(format!("{what} = {x} is not an integer in {range:?}"));
    }
    Ok(r as i64)
}

fn rebuild(
    graph: &NirGraph,
    exported_dt: &Tensor,
    dt: f64,
    ticks: u32,
) -> Result<Imported, String> {
    let exported_dt = scalar(Some(exported_dt), keys::DT)?;
    if !close(exported_dt, dt) {
        return Err(format!(
            "it was exported at dt = {exported_dt} s and is imported at dt = {dt} s"
        ));
    }
    let index = |n: usize| -> Result<usize, String> {
        let name = &graph.nodes[n].name;
        let v = scalar(
            graph.meta(name, keys::INDEX),
            &format!("{name}: {}", keys::INDEX),
        )?;
        Ok(integer(v, 0..=i64::from(u32::MAX), keys::INDEX)? as usize)
    };
    let (mut inputs, mut pops, mut linears) = (vec![], vec![], vec![]);
    for (n, node) in graph.nodes.iter().enumerate() {
        match &node.kind {
            NodeKind::Input { .. } => inputs.push((index(n)?, n)),
            NodeKind::CubaLif(_) => pops.push((index(n)?, n)),
            NodeKind::Linear { .. } => linears.push((index(n)?, n)),
            NodeKind::Output { .. } => {}
            _ => {
                return Err(format!(
                    "node '{}' is a {}, which the export does not write",
                    node.name, node.type_name
                ))
            }
        }
    }
    for list in [&mut inputs, &mut pops, &mut linears] {
        list.sort();
        if list.iter().enumerate().any(|(k, &(i, _))| i != k) {
            return Err(format!("the {} entries are not 0, 1, 2, ...", keys::INDEX));
        }
    }
    let mut source_of = std::collections::HashMap::new();
    let mut network = Network {
        ticks,
        inputs: vec![],
        populations: vec![],
        projections: vec![],
    };
    for &(k, n) in &inputs {
        let NodeKind::Input { shape } = &graph.nodes[n].kind else {
            unreachable!()
        };
        source_of.insert(n, Source::Input(k));
        network.inputs.push(InputGroup {
            name: graph.nodes[n].name.clone(),
            size: shape.iter().product(),
            spikes: vec![],
        });
    }
    for &(k, n) in &pops {
        let node = &graph.nodes[n];
        let NodeKind::CubaLif(p) = &node.kind else {
            unreachable!()
        };
        let bias_exp = graph
            .meta(&node.name, keys::BIAS_EXP)
            .ok_or_else(|| format!("{}: no {}", node.name, keys::BIAS_EXP))?;
        let size = p.v_threshold.len();
        if bias_exp.len() != size {
            return Err(format!(
                "{}: {} has the wrong length",
                node.name,
                keys::BIAS_EXP
            ));
        }
        let params = (0..size)
            .map(|i| recover_neuron(p, bias_exp.data[i], i, dt))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|why| format!("neuron {why} of '{}'", node.name))?;
        source_of.insert(n, Source::Population(k));
        network.populations.push(Population {
            name: node.name.clone(),
            size,
            params,
        });
    }
    for &(_, n) in &linears {
        network
            .projections
            .push(recover_projection(graph, n, &source_of, &network)?);
    }
    for (n, node) in graph.nodes.iter().enumerate() {
        if let NodeKind::Output { .. } = node.kind {
            if !matches!(graph.predecessors(n).as_slice(), [p] if source_of.get(p).is_some_and(|s| matches!(s, Source::Population(_))))
            {
                return Err(format!(
                    "output '{}' does not receive one population",
                    node.name
                ));
            }
        }
    }
    let network = Network::from_json_str(&network.to_json(), None)
        .map_err(|err| format!("the rebuilt network is invalid: {err}"))?;
    let report = exact_report(&network, dt);
    Ok(Imported { network, report })
}

/// Neuron `i`'s integers from its floats (the inverse of [`neuron_floats`]), checked by
/// recomputing the floats. Errors start with the neuron index.
fn recover_neuron(p: &NeuronParams, bias_exp: f64, i: usize, dt: f64) -> Result<LifParams, String> {
    let at = |t: &Tensor| t.data[i];
    let fail = |why: String| format!("{i}: {why}");
    let du = integer(4096.0 * dt / at(&p.tau_syn), 1..=4096, "4096·dt/tau_syn").map_err(fail)? - 1;
    let steps = at(&p.tau_mem) / dt;
    let dv = if close(steps, NO_LEAK_TAU_STEPS) {
        0
    } else {
        integer(4096.0 / steps, 1..=4095, "4096·dt/tau_mem").map_err(fail)?
    };
    let vth = integer(at(&p.v_threshold), 0..=131071, "v_threshold").map_err(fail)?;
    let bias_exp = integer(bias_exp, 0..=7, keys::BIAS_EXP).map_err(fail)?;
    let bias_hw = at(&p.v_leak) * EXPORT_SCALE / steps;
    let bias_mant =
        integer(bias_hw / (1i64 << bias_exp) as f64, -4096..=4095, "bias").map_err(fail)?;
    let params = LifParams {
        du,
        dv,
        vth,
        bias_mant,
        bias_exp,
    };
    let f = neuron_floats(&params, dt);
    for (name, stored, expected) in [
        ("tau_syn", at(&p.tau_syn), f.tau_syn),
        ("tau_mem", at(&p.tau_mem), f.tau_mem),
        ("r", at(&p.r), f.r),
        ("w_in", at(&p.w_in), f.w_in),
        ("v_leak", at(&p.v_leak), f.v_leak),
        ("v_reset", at(&p.v_reset), 0.0),
    ] {
        if !(close(stored, expected) || stored == expected) {
            return Err(fail(format!(
                "{name} = {stored} is not the export's {expected} for {params:?}"
            )));
        }
    }
    Ok(params)
}

fn recover_projection(
    graph: &NirGraph,
    n: usize,
    source_of: &std::collections::HashMap<usize, Source>,
    net: &Network,
) -> Result<Projection, String> {
    let node = &graph.nodes[n];
    let NodeKind::Linear { weight } = &node.kind else {
        unreachable!()
    };
    let succ: Vec<usize> = graph
        .edges
        .iter()
        .filter(|e| e.0 == n)
        .map(|e| e.1)
        .collect();
    let (from, to) = match (graph.predecessors(n).as_slice(), succ.as_slice()) {
        ([f], [t]) => match (source_of.get(f), source_of.get(t)) {
            (Some(&from), Some(&Source::Population(to))) => (from, to),
            _ => {
                return Err(format!(
                    "'{}' does not join a source to a population",
                    node.name
                ))
            }
        },
        _ => {
            return Err(format!(
                "'{}' has not exactly one edge in and one out",
                node.name
            ))
        }
    };
    let exp = scalar(graph.meta(&node.name, keys::WEIGHT_EXP), keys::WEIGHT_EXP)?;
    let weight_exp = integer(exp, -8..=7, keys::WEIGHT_EXP)? as i32;
    let (rows, cols) = (net.populations[to].size, net.source_size(from));
    if weight.shape != [rows, cols] {
        return Err(format!(
            "'{}': weight shape {:?} is not [{rows}, {cols}]",
            node.name, weight.shape
        ));
    }
    let weights = weight
        .data
        .chunks(cols.max(1))
        .map(|row| {
            row.iter()
                .map(|&w| {
                    let q = integer(w / 2f64.powi(weight_exp), -128..=127, "weight")
                        .map_err(|why| format!("'{}': {why}", node.name))?
                        as i32;
                    if close(weight_float(q, weight_exp), w) || w == 0.0 {
                        Ok(q)
                    } else {
                        Err(format!(
                            "'{}': weight {w} is not a multiple of 2^{weight_exp}",
                            node.name
                        ))
                    }
                })
                .collect::<Result<Vec<i32>, String>>()
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Projection {
        from,
        to,
        weight_exp,
        weights,
        learning: None,
    })
}

/// The report of an exact import: every figure exact, the integers as recovered.
fn exact_report(net: &Network, dt: f64) -> QuantReport {
    let exact = |values: Vec<f64>| DecayReport {
        float: Range::of(values.iter().copied()),
        hw: Range::of(values),
        max_abs_error: 0.0,
    };
    let populations = net
        .populations
        .iter()
        .map(|p| PopulationReport {
            name: p.name.clone(),
            node_type: "CubaLIF".into(),
            size: p.size,
            threshold: Range::of(p.params.iter().map(|q| q.vth as f64)),
            vth: p.params.iter().map(|q| q.vth).max().unwrap_or(0),
            scale: Range::of([EXPORT_SCALE]),
            current_decay: exact(p.params.iter().map(|q| hw_alpha(q.du)).collect()),
            voltage_decay: exact(p.params.iter().map(|q| hw_beta(q.dv)).collect()),
            bias: exact(
                p.params
                    .iter()
                    .map(|q| q.bias() as f64 / EXPORT_SCALE)
                    .collect(),
            ),
            notes: vec!["exact: the integers of a neurofab export, recovered".into()],
        })
        .collect();
    let projections = net
        .projections
        .iter()
        .map(|p| ProjectionReport {
            from: net.source_name(p.from).to_string(),
            to: net.populations[p.to].name.clone(),
            weight_exp: p.weight_exp,
            max_rel_error: 0.0,
            mean_rel_error: 0.0,
            nonzero: p.weights.iter().flatten().filter(|&&w| w != 0).count(),
            zeroed: 0,
        })
        .collect();
    QuantReport {
        dt,
        populations,
        projections,
        notes: vec![],
    }
}
