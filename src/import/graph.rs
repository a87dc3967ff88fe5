//! The NIR graph as this importer sees it: a flat list of nodes with path-qualified names and
//! the edges between them. A nested subgraph `sub` contributes its nodes as `sub.x`; its Input
//! and Output nodes become [`NodeKind::Identity`] pass-throughs, so an edge into `sub` lands
//! on `sub.<its input>` and an edge out of it leaves from `sub.<its output>`.

use std::collections::BTreeMap;

/// A dense n-dimensional array of `f64` in C (row-major) order.
#[derive(Clone, Debug, PartialEq)]
pub struct Tensor {
    /// Dimensions; empty for a scalar.
    pub shape: Vec<usize>,
    /// `shape.iter().product()` values in C order.
    pub data: Vec<f64>,
}

impl Tensor {
    /// A tensor from its shape and C-order data.
    pub fn new(shape: Vec<usize>, data: Vec<f64>) -> Tensor {
        Tensor { shape, data }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the tensor has no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }
}

/// Integer pairs of the 2-D operations, `(height, width)`.
pub type Pair = [usize; 2];

/// A Conv2d's padding: explicit, or the string forms NIR allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Padding {
    /// Zero padding of `(height, width)` on both sides.
    Explicit(Pair),
    /// Output size = input size (stride 1 only; PyTorch's rule, extra padding at the end).
    Same,
}

/// One node's type and parameters (NIR 1.0 names; every array in C order).
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A graph input of the given shape.
    Input { shape: Vec<usize> },
    /// A graph output of the given shape.
    Output { shape: Vec<usize> },
    /// A subgraph's Input or Output: passes its input on unchanged.
    Identity,
    /// `y = W x + b`, `W` of shape `(out, in)`.
    Affine { weight: Tensor, bias: Tensor },
    /// `y = W x`.
    Linear { weight: Tensor },
    /// `y = s ⊙ x`.
    Scale { scale: Tensor },
    /// 2-D convolution, weight `(C_out, C_in / groups, kH, kW)`, bias `(C_out)`.
    Conv2d {
        weight: Tensor,
        bias: Tensor,
        stride: Pair,
        padding: Padding,
        dilation: Pair,
        groups: usize,
        /// `(H, W)` of the input, when the file gives it.
        input_shape: Option<Pair>,
    },
    /// Sum over each window.
    SumPool2d {
        kernel: Pair,
        stride: Pair,
        padding: Pair,
    },
    /// Mean over each window (zero padding counted, as PyTorch's default).
    AvgPool2d {
        kernel: Pair,
        stride: Pair,
        padding: Pair,
    },
    /// Reshape; the C-order data is unchanged.
    Flatten { start_dim: i64, end_dim: i64 },
    /// Current-based LIF (NIR `CubaLIF`).
    CubaLif(NeuronParams),
    /// Leaky integrate-and-fire (NIR `LIF`; `tau` is in `tau_mem`, `tau_syn` is empty).
    Lif(NeuronParams),
    /// Integrate-and-fire (NIR `IF`; only `r`, `v_threshold`, `v_reset`).
    If(NeuronParams),
    /// A node type the core has no counterpart for (kept so that the error can name it).
    Unsupported { reason: String },
}

/// Neuron parameters, each of the neuron group's shape (empty when the type has none).
#[derive(Clone, Debug, PartialEq)]
pub struct NeuronParams {
    pub tau_syn: Tensor,
    pub tau_mem: Tensor,
    pub r: Tensor,
    pub v_leak: Tensor,
    pub v_threshold: Tensor,
    pub v_reset: Tensor,
    pub w_in: Tensor,
}

/// A node: its path-qualified name, NIR type name and parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct NirNode {
    /// `name` at the top level, `sub.name` inside subgraph `sub`.
    pub name: String,
    /// The NIR type as stored (`CubaLIF`, `Affine`, ...).
    pub type_name: String,
    /// Parameters.
    pub kind: NodeKind,
}

/// A node's (or the graph's) `metadata` entries that neurofab reads: the numeric datasets
/// whose names start with [`METADATA_PREFIX`] (NIR 1.0 stores a node's metadata as a
/// `metadata` group of datasets; other tools' entries are not read).
pub type Metadata = BTreeMap<String, Tensor>;

/// Prefix of the metadata entries neurofab writes and reads (`docs/nir.md`, "Export").
pub const METADATA_PREFIX: &str = "neurofab_";

/// A flattened NIR graph.
#[derive(Clone, Debug, PartialEq)]
pub struct NirGraph {
    /// The NIR version string stored in the file.
    pub version: String,
    /// Every node, subgraphs flattened.
    pub nodes: Vec<NirNode>,
    /// `(from, to)` indices into `nodes`.
    pub edges: Vec<(usize, usize)>,
    /// neurofab's metadata entries by path-qualified node name; `""` is the top-level graph.
    /// Nodes without such entries are absent.
    pub metadata: BTreeMap<String, Metadata>,
}

impl NirGraph {
    /// Index of the node called `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.name == name)
    }

    /// Indices of the nodes with an edge into `node`, in edge order.
    pub fn predecessors(&self, node: usize) -> Vec<usize> {
        self.edges
            .iter()
            .filter(|&&(_, to)| to == node)
            .map(|&(from, _)| from)
            .collect()
    }

    /// neurofab's metadata entry `key` of node `node` (`""`: the graph), if present.
    pub fn meta(&self, node: &str, key: &str) -> Option<&Tensor> {
        self.metadata.get(node)?.get(key)
    }

    /// Number of nodes of each NIR type, sorted by type name (for messages and tests).
    pub fn type_counts(&self) -> Vec<(String, usize)> {
        let mut counts = BTreeMap::<String, usize>::new();
        for n in &self.nodes {
            *counts.entry(n.type_name.clone()).or_default() += 1;
        }
        counts.into_iter().collect()
    }
}
