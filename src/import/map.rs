//! Mapping a flattened NIR graph onto the network format: Input nodes become inputs, neuron
//! nodes (CubaLIF, LIF, IF) populations, and every chain of linear nodes between a source
//! (an Input or a neuron node) and a neuron node one projection, its matrix the product of
//! the chain's operators (so pools, Flatten and Scale fold into the weights).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use super::graph::{NirGraph, NodeKind};
use super::linear::{linear_op, SparseOp};
use super::neuron::{discretise, Discrete};
use super::quant::{quantize_population, QuantReport};
use super::ImportError;
use crate::model::{InputGroup, Network, Population, Projection, Source};

/// Largest number of non-zero entries of one composed matrix while mapping: a convolution's
/// unrolled matrix is sparse (kernel-sized rows), so this bounds the work and memory (16 bytes
/// per entry: 512 MiB) rather than the matrix's dense size.
const MAX_SPARSE_ENTRIES: usize = 1 << 25;
/// Largest projection the mapped network may hold (`rows x source size` weights, dense in the
/// network format): 2^25 weights are 128 MiB as the network's `i32`s, 256 MiB in the golden
/// model's `i64`s; the largest core (1024 x 512) is 2^19.
const MAX_PROJECTION_WEIGHTS: usize = 1 << 25;

/// The result of an import: the network (no input spikes) and what quantization did.
#[derive(Clone, Debug)]
pub struct Imported {
    /// The mapped network; inputs and populations are named after their NIR nodes.
    pub network: Network,
    /// Per-layer quantization figures.
    pub report: QuantReport,
}

/// A matrix by rows, each row its non-zero `(column, value)` entries in column order.
pub type SparseRows = Vec<Vec<(usize, f64)>>;

/// Entries of a sparse matrix.
fn entries(m: &SparseRows) -> usize {
    m.iter().map(Vec::len).sum()
}

/// The input of a node: for each source node, a sparse `rows x size(source)` matrix, plus a
/// constant per row.
struct Incoming {
    shape: Vec<usize>,
    sources: BTreeMap<usize, SparseRows>,
    bias: Vec<f64>,
}

impl Incoming {
    fn rows(&self) -> usize {
        self.bias.len()
    }
}

/// Maps `graph` at time step `dt` seconds onto a network run for `ticks` ticks.
pub fn map_graph(graph: &NirGraph, dt: f64, ticks: u32) -> Result<Imported, ImportError> {
    if !(dt.is_finite() && dt > 0.0) {
        return Err(ImportError::Dt(dt));
    }
    let not_exact = match super::exact::map_exact(graph, dt, ticks) {
        Some(Ok(imported)) => return Ok(imported),
        Some(Err(why)) => Some(format!(
            "a neurofab export that does not re-import exactly ({why}): mapped like any NIR graph"
        )),
        None => None,
    };
    for node in &graph.nodes {
        if let NodeKind::Unsupported { reason } = &node.kind {
            return Err(ImportError::unsupported(
                &node.name,
                &node.type_name,
                reason.clone(),
            ));
        }
    }
    let mut mapper = Mapper {
        graph,
        memo: HashMap::new(),
        visiting: HashSet::new(),
    };
    let order = layer_order(graph);
    let mut network = Network {
        ticks,
        inputs: vec![],
        populations: vec![],
        projections: vec![],
    };
    let mut source_of = HashMap::<usize, Source>::new();
    for &n in &order {
        let node = &graph.nodes[n];
        if let NodeKind::Input { shape } = &node.kind {
            source_of.insert(n, Source::Input(network.inputs.len()));
            network.inputs.push(InputGroup {
                name: node.name.clone(),
                size: shape.iter().product(),
                spikes: vec![],
            });
        } else if is_neuron(&node.kind) {
            source_of.insert(n, Source::Population(network.populations.len()));
            let size = source_shape(&node.kind).iter().product();
            network.populations.push(Population {
                name: node.name.clone(),
                size,
                params: vec![],
            });
        }
    }
    let mut report = QuantReport {
        dt,
        populations: vec![],
        projections: vec![],
        notes: not_exact.into_iter().collect(),
    };
    for &n in &order {
        let node = &graph.nodes[n];
        if let NodeKind::Output { .. } = node.kind {
            mapper.check_output(n)?;
            continue;
        }
        if !is_neuron(&node.kind) {
            continue;
        }
        let Some(&Source::Population(pop)) = source_of.get(&n) else {
            unreachable!()
        };
        let size = network.populations[pop].size;
        let discrete: Vec<Discrete> = (0..size)
            .map(|i| discretise(&node.name, &node.type_name, &node.kind, i, dt))
            .collect::<Result<_, _>>()?;
        let incoming = if graph.predecessors(n).is_empty() {
            Incoming {
                shape: vec![size],
                sources: BTreeMap::new(),
                bias: vec![0.0; size],
            }
        } else {
            mapper.input_of(n)?
        };
        if incoming.rows() != size {
            return Err(ImportError::malformed(
                &node.name,
                &node.type_name,
                format!(
                    "receives {} values (shape {:?}) but has {size} neurons",
                    incoming.rows(),
                    incoming.shape
                ),
            ));
        }
        let inputs: Vec<(Source, usize, &SparseRows)> = incoming
            .sources
            .iter()
            .map(|(s, m)| (source_of[s], network.source_size(source_of[s]), m))
            .collect();
        for &(from, cols, _) in &inputs {
            if size * cols > MAX_PROJECTION_WEIGHTS {
                return Err(ImportError::unsupported(&node.name, &node.type_name, format!(
                    "its projection from '{}' has {size} x {cols} = {} weights, above the network's limit of {MAX_PROJECTION_WEIGHTS} per projection",
                    network.source_name(from), size * cols
                )));
            }
        }
        let from_names: Vec<String> = inputs
            .iter()
            .map(|(s, _, _)| network.source_name(*s).to_string())
            .collect();
        let quantized = quantize_population(node, &discrete, &incoming.bias, &inputs, &from_names)?;
        network.populations[pop].params = quantized.params;
        for (from, weight_exp, weights) in quantized.projections {
            network.projections.push(Projection {
                from,
                to: pop,
                weight_exp,
                weights,
                learning: None,
            });
        }
        report.populations.push(quantized.population_report);
        report.projections.extend(quantized.projection_reports);
    }
    // The network's own validation (names, ranges) is the final word on what was built.
    let network =
        Network::from_json_str(&network.to_json(), None).map_err(|err| ImportError::Graph {
            reason: format!("the mapped network is invalid: {err}"),
        })?;
    Ok(Imported { network, report })
}

/// The sum of two sparse rows (entries that cancel to exactly 0 are dropped).
fn add_rows(a: &[(usize, f64)], b: &[(usize, f64)]) -> Vec<(usize, f64)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let take_a = j == b.len() || (i < a.len() && a[i].0 < b[j].0);
        let take_b = i == a.len() || (j < b.len() && b[j].0 < a[i].0);
        let entry = if take_a {
            i += 1;
            a[i - 1]
        } else if take_b {
            j += 1;
            b[j - 1]
        } else {
            i += 1;
            j += 1;
            (a[i - 1].0, a[i - 1].1 + b[j - 1].1)
        };
        if entry.1 != 0.0 {
            out.push(entry);
        }
    }
    out
}

fn is_neuron(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::CubaLif(_) | NodeKind::Lif(_) | NodeKind::If(_)
    )
}

/// Output shape of a source node (an Input or a neuron node).
fn source_shape(kind: &NodeKind) -> Vec<usize> {
    match kind {
        NodeKind::Input { shape } => shape.clone(),
        NodeKind::CubaLif(p) | NodeKind::Lif(p) | NodeKind::If(p)
            if !p.v_threshold.shape.is_empty() =>
        {
            p.v_threshold.shape.clone()
        }
        _ => vec![1],
    }
}

/// Node indices breadth first from the Input nodes along the edges (ties by name), then the
/// unreached ones by name: the populations come out layer by layer.
fn layer_order(graph: &NirGraph) -> Vec<usize> {
    let mut by_name: Vec<usize> = (0..graph.nodes.len()).collect();
    by_name.sort_by(|&a, &b| graph.nodes[a].name.cmp(&graph.nodes[b].name));
    let mut seen = vec![false; graph.nodes.len()];
    let mut order = vec![];
    let mut queue: VecDeque<usize> = by_name
        .iter()
        .copied()
        .filter(|&n| matches!(graph.nodes[n].kind, NodeKind::Input { .. }))
        .collect();
    for &n in &queue {
        seen[n] = true;
    }
    while let Some(n) = queue.pop_front() {
        order.push(n);
        let mut next: Vec<usize> = graph
            .edges
            .iter()
            .filter(|e| e.0 == n)
            .map(|e| e.1)
            .collect();
        next.sort_by(|&a, &b| graph.nodes[a].name.cmp(&graph.nodes[b].name));
        for m in next {
            if !seen[m] {
                seen[m] = true;
                queue.push_back(m);
            }
        }
    }
    order.extend(by_name.into_iter().filter(|&n| !seen[n]));
    order
}

struct Mapper<'g> {
    graph: &'g NirGraph,
    memo: HashMap<usize, Rc<Incoming>>,
    visiting: HashSet<usize>,
}

impl Mapper<'_> {
    fn too_large(&self, n: usize, values: usize) -> ImportError {
        let node = &self.graph.nodes[n];
        ImportError::unsupported(&node.name, &node.type_name, format!(
            "unrolling it needs more than {values} matrix entries, above the importer's limit of {MAX_SPARSE_ENTRIES}"
        ))
    }

    /// What node `n` outputs, as a function of the source nodes.
    fn output_of(&mut self, n: usize) -> Result<Rc<Incoming>, ImportError> {
        let node = &self.graph.nodes[n];
        if matches!(node.kind, NodeKind::Input { .. }) || is_neuron(&node.kind) {
            let shape = source_shape(&node.kind);
            let size: usize = shape.iter().product();
            let identity = (0..size).map(|i| vec![(i, 1.0)]).collect();
            return Ok(Rc::new(Incoming {
                shape,
                sources: BTreeMap::from([(n, identity)]),
                bias: vec![0.0; size],
            }));
        }
        if let Some(done) = self.memo.get(&n) {
            return Ok(done.clone());
        }
        if !self.visiting.insert(n) {
            return Err(ImportError::Graph {
                reason: format!(
                    "a cycle runs through '{}' ({}) without a neuron node on it: only neurons may close a loop",
                    node.name, node.type_name
                ),
            });
        }
        let input = self.input_of(n)?;
        let Some((op, shape)) = linear_op(node, &input.shape)? else {
            return Err(ImportError::Graph {
                reason: format!(
                    "'{}' ({}) has outgoing edges; it must be a sink",
                    node.name, node.type_name
                ),
            });
        };
        let out = Rc::new(self.apply(n, &op, shape, &input)?);
        self.visiting.remove(&n);
        self.memo.insert(n, out.clone());
        Ok(out)
    }

    /// `op` applied to `input`: each source matrix `A` becomes `M·A`, the bias `M·b + op.bias`.
    /// Row `r` of `M·A` is `Σ M[r][c]·A[c]` over `M`'s entries in row `r`, gathered in a dense
    /// scratch row of the source's width (entries that cancel to exactly 0 are dropped).
    fn apply(
        &self,
        n: usize,
        op: &SparseOp,
        shape: Vec<usize>,
        input: &Incoming,
    ) -> Result<Incoming, ImportError> {
        let mut by_row: Vec<Vec<(usize, f64)>> = vec![vec![]; op.rows];
        for &(r, c, w) in &op.entries {
            by_row[r].push((c, w));
        }
        let mut sources = BTreeMap::new();
        for (&s, a) in &input.sources {
            let width = source_shape(&self.graph.nodes[s].kind)
                .iter()
                .product::<usize>();
            let mut scratch = vec![0.0f64; width];
            let mut touched = vec![false; width];
            let mut cols: Vec<usize> = vec![];
            let (mut m, mut total): (SparseRows, usize) = (Vec::with_capacity(op.rows), 0);
            for row in &by_row {
                for &(c, w) in row {
                    for &(j, x) in &a[c] {
                        scratch[j] += w * x;
                        if !touched[j] {
                            touched[j] = true;
                            cols.push(j);
                        }
                    }
                }
                cols.sort_unstable();
                let out: Vec<(usize, f64)> = cols
                    .iter()
                    .map(|&j| (j, std::mem::take(&mut scratch[j])))
                    .filter(|&(_, x)| x != 0.0)
                    .collect();
                for &j in &cols {
                    touched[j] = false;
                }
                cols.clear();
                total += out.len();
                if total > MAX_SPARSE_ENTRIES {
                    return Err(self.too_large(n, total));
                }
                m.push(out);
            }
            sources.insert(s, m);
        }
        let mut bias = op.bias.clone();
        for &(r, c, w) in &op.entries {
            bias[r] += w * input.bias[c];
        }
        Ok(Incoming {
            shape,
            sources,
            bias,
        })
    }

    /// The sum of what `n`'s predecessors output.
    fn input_of(&mut self, n: usize) -> Result<Incoming, ImportError> {
        let node = &self.graph.nodes[n];
        let preds = self.graph.predecessors(n);
        let Some((&first, rest)) = preds.split_first() else {
            return Err(ImportError::Graph {
                reason: format!("'{}' ({}) has no incoming edge", node.name, node.type_name),
            });
        };
        let first_out = self.output_of(first)?;
        let mut sum = Incoming {
            shape: first_out.shape.clone(),
            sources: first_out.sources.clone(),
            bias: first_out.bias.clone(),
        };
        for &p in rest {
            let more = self.output_of(p)?;
            if more.rows() != sum.rows() {
                return Err(ImportError::malformed(
                    &node.name,
                    &node.type_name,
                    format!(
                        "its inputs differ in size: {} from '{}', {} from '{}'",
                        sum.rows(),
                        self.graph.nodes[first].name,
                        more.rows(),
                        self.graph.nodes[p].name
                    ),
                ));
            }
            for (&s, m) in &more.sources {
                let entry = sum
                    .sources
                    .entry(s)
                    .or_insert_with(|| vec![vec![]; m.len()]);
                for (d, x) in entry.iter_mut().zip(m) {
                    *d = add_rows(d, x);
                }
                if entries(entry) > MAX_SPARSE_ENTRIES {
                    return Err(self.too_large(n, entries(entry)));
                }
            }
            for (d, x) in sum.bias.iter_mut().zip(&more.bias) {
                *d += x;
            }
        }
        Ok(sum)
    }

    /// An Output node must receive the spikes of neuron nodes unchanged (identity matrices):
    /// the core outputs spikes, not weighted sums.
    fn check_output(&mut self, n: usize) -> Result<(), ImportError> {
        let node = &self.graph.nodes[n];
        if self.graph.predecessors(n).is_empty() {
            return Ok(());
        }
        let input = self.input_of(n)?;
        for (&s, m) in &input.sources {
            let source = &self.graph.nodes[s];
            let size: usize = source_shape(&source.kind).iter().product();
            let identity = size == input.rows()
                && m.iter()
                    .enumerate()
                    .all(|(i, row)| row.as_slice() == [(i, 1.0)]);
            if !is_neuron(&source.kind) || !identity || input.bias.iter().any(|&b| b != 0.0) {
                return Err(ImportError::unsupported(&node.name, &node.type_name, format!(
                    "it receives a weighted sum of '{}' ({}), not spikes: the core outputs the spikes of neuron nodes only",
                    source.name, source.type_name
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::add_rows;

    #[test]
    fn sparse_rows_add_in_column_order_and_drop_cancelled_entries() {
        let a = [(0, 1.0), (3, 2.0), (5, -1.5)];
        let b = [(1, 4.0), (3, -2.0), (5, 0.5), (9, 1.0)];
        assert_eq!(
            add_rows(&a, &b),
            vec![(0, 1.0), (1, 4.0), (5, -1.0), (9, 1.0)]
        );
        assert_eq!(add_rows(&[], &b), b.to_vec());
        assert_eq!(add_rows(&a, &[]), a.to_vec());
    }
}
