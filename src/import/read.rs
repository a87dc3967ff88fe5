//! Reading `.nir` files (HDF5, as Python `nir` 1.0's `nir.write` lays them out) with
//! `hdf5-pure`: no C library. The layout:
//!
//! ```text
//! /version                  variable-length string ("1.0.8")
//! /node/type                "NIRGraph"
//! /node/nodes/<name>/type   the node's type; its parameters are sibling datasets
//!                           (gzip-compressed chunks for arrays, scalars for ints)
//! /node/nodes/<sub>/...     a nested NIRGraph has the same layout as /node
//! /node/edges               (n, 2) variable-length strings, [from, to]
//! ```

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use hdf5_pure::{DType, Dataset, File, Group};

use super::graph::{NeuronParams, NirGraph, NirNode, NodeKind, Padding, Pair, Tensor};
use super::ImportError;

/// Largest number of elements one parameter may have; a file declaring more is refused before
/// it is read (the biggest layer the core supports has 1024 x 512 weights).
const MAX_PARAM_ELEMENTS: u64 = 1 << 24;

/// Reads and flattens the NIR graph stored in `path`.
pub fn read_file(path: &Path) -> Result<NirGraph, ImportError> {
    let file_error = |reason: String| ImportError::File {
        file: path.to_path_buf(),
        reason,
    };
    let bytes =
        std::fs::read(path).map_err(|err| file_error(format!("cannot read file: {err}")))?;
    if !hdf5_pure::is_hdf5_bytes(&bytes) {
        return Err(file_error("no HDF5 signature".into()));
    }
    // hdf5-pure reports malformed files as errors; the catch is a second line of defence so
    // that no file, however corrupt, can abort the command.
    match catch_unwind(AssertUnwindSafe(|| read_bytes(bytes))) {
        Ok(Ok(graph)) => Ok(graph),
        Ok(Err(ReadError::Hdf5(reason))) => Err(file_error(reason)),
        Ok(Err(ReadError::Import(err))) => Err(err),
        Err(_) => Err(file_error("the HDF5 reader failed on this file".into())),
    }
}

enum ReadError {
    Hdf5(String),
    Import(ImportError),
}

impl From<hdf5_pure::Error> for ReadError {
    fn from(err: hdf5_pure::Error) -> ReadError {
        ReadError::Hdf5(err.to_string())
    }
}

impl From<ImportError> for ReadError {
    fn from(err: ImportError) -> ReadError {
        ReadError::Import(err)
    }
}

fn read_bytes(bytes: Vec<u8>) -> Result<NirGraph, ReadError> {
    let length = bytes.len() as u64;
    let file = File::from_bytes(bytes)?;
    // A truncated copy can still parse up to the missing objects; say what it is.
    let eof = file.superblock().eof_address;
    if length < eof {
        return Err(ReadError::Hdf5(format!(
            "truncated: {length} bytes of the {eof} its superblock declares"
        )));
    }
    let root = file.root();
    let version = match root.dataset("version") {
        Ok(ds) => ds.read_string()?.into_iter().next().unwrap_or_default(),
        Err(_) => String::new(),
    };
    let node = root.group("node").map_err(|err| {
        ReadError::Hdf5(format!("no group /node (every NIR file has one): {err}"))
    })?;
    let type_name = read_type(&node, "(root)")?;
    if type_name != "NIRGraph" {
        return Err(ReadError::Hdf5(format!(
            "/node is a {type_name}, not a NIRGraph"
        )));
    }
    let mut builder = Builder::default();
    builder.read_graph(&node, "")?;
    Ok(NirGraph {
        version,
        nodes: builder.nodes,
        edges: builder.edges,
    })
}

#[derive(Default)]
struct Builder {
    nodes: Vec<NirNode>,
    edges: Vec<(usize, usize)>,
    index: HashMap<String, usize>,
}

/// The qualified names of a subgraph's Input and Output nodes, which edges naming the
/// subgraph itself resolve to.
struct Boundary {
    inputs: Vec<String>,
    outputs: Vec<String>,
}

impl Builder {
    /// Reads the graph stored in `group` with node names prefixed by `prefix` (`""` or
    /// `"sub."`), returning its boundary.
    fn read_graph(&mut self, group: &Group, prefix: &str) -> Result<Boundary, ReadError> {
        let graph_name = if prefix.is_empty() {
            "(root)"
        } else {
            prefix.trim_end_matches('.')
        };
        let nodes = group.group("nodes").map_err(|err| {
            ImportError::malformed(graph_name, "NIRGraph", format!("no 'nodes' group: {err}"))
        })?;
        let mut boundary = Boundary {
            inputs: vec![],
            outputs: vec![],
        };
        let mut subgraphs = HashMap::<String, Boundary>::new();
        let mut names = nodes.groups()?;
        names.sort();
        for name in names {
            let qualified = format!("{prefix}{name}");
            let child = nodes.group(&name)?;
            let type_name = read_type(&child, &qualified)?;
            if type_name == "NIRGraph" {
                let inner = self.read_graph(&child, &format!("{qualified}."))?;
                subgraphs.insert(name, inner);
                continue;
            }
            let mut kind = read_node(&child, &qualified, &type_name)?;
            if !prefix.is_empty() {
                match kind {
                    NodeKind::Input { .. } => {
                        boundary.inputs.push(qualified.clone());
                        kind = NodeKind::Identity;
                    }
                    NodeKind::Output { .. } => {
                        boundary.outputs.push(qualified.clone());
                        kind = NodeKind::Identity;
                    }
                    _ => {}
                }
            }
            self.index.insert(qualified.clone(), self.nodes.len());
            self.nodes.push(NirNode {
                name: qualified,
                type_name,
                kind,
            });
        }
        for (from, to) in read_edges(group, graph_name)? {
            let f = self.resolve(prefix, graph_name, &from, &subgraphs, true)?;
            let t = self.resolve(prefix, graph_name, &to, &subgraphs, false)?;
            self.edges.push((f, t));
        }
        Ok(boundary)
    }

    /// The node an edge endpoint names: a node of this graph, a subgraph (its only Output as
    /// a source, its only Input as a target) or `sub.node` inside a subgraph.
    fn resolve(
        &self,
        prefix: &str,
        graph_name: &str,
        name: &str,
        subgraphs: &HashMap<String, Boundary>,
        as_source: bool,
    ) -> Result<usize, ImportError> {
        let bad = |reason: String| ImportError::Graph {
            reason: format!("in graph '{graph_name}': edge endpoint '{name}' {reason}"),
        };
        if let Some(sub) = subgraphs.get(name) {
            let (side, list) = if as_source {
                ("Output", &sub.outputs)
            } else {
                ("Input", &sub.inputs)
            };
            return match list.as_slice() {
                [only] => Ok(self.index[only]),
                _ => Err(bad(format!(
                    "is a subgraph with {} {side} nodes; name one as '{name}.<node>'",
                    list.len()
                ))),
            };
        }
        self.index
            .get(&format!("{prefix}{name}"))
            .copied()
            .ok_or_else(|| bad("is not a node of this graph".into()))
    }
}

fn read_type(group: &Group, node: &str) -> Result<String, ReadError> {
    let ds = group.dataset("type").map_err(|err| {
        ImportError::malformed(node, "?", format!("cannot read its 'type' dataset: {err}"))
    })?;
    let strings = read_strings(&ds, node, "?", "type")?;
    match strings.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(ImportError::malformed(node, "?", "'type' is not a single string").into()),
    }
}

fn read_strings(
    ds: &Dataset,
    node: &str,
    kind: &str,
    field: &str,
) -> Result<Vec<String>, ReadError> {
    match ds.dtype()? {
        DType::String | DType::VariableLengthString => Ok(ds.read_string()?),
        other => Err(ImportError::malformed(
            node,
            kind,
            format!("'{field}' should be a string, found {other}"),
        )
        .into()),
    }
}

fn read_edges(group: &Group, graph_name: &str) -> Result<Vec<(String, String)>, ReadError> {
    let ds = group
        .dataset("edges")
        .map_err(|_| ImportError::malformed(graph_name, "NIRGraph", "no 'edges' dataset"))?;
    let shape = ds.shape()?;
    let flat = read_strings(&ds, graph_name, "NIRGraph", "edges")?;
    let pairs_ok = match shape.as_slice() {
        [_, 2] => true,
        [0] | [] => flat.is_empty(),
        _ => false,
    };
    if !pairs_ok || flat.len() % 2 != 0 {
        return Err(ImportError::malformed(
            graph_name,
            "NIRGraph",
            format!("'edges' has shape {shape:?}, expected (n, 2)"),
        )
        .into());
    }
    Ok(flat
        .chunks(2)
        .map(|pair| (pair[0].clone(), pair[1].clone()))
        .collect())
}

/// Reads one (non-graph) node's parameters.
fn read_node(group: &Group, node: &str, type_name: &str) -> Result<NodeKind, ReadError> {
    let p = Params {
        group,
        node,
        kind: type_name,
    };
    Ok(match type_name {
        "Input" => NodeKind::Input {
            shape: p.shape("shape")?,
        },
        "Output" => NodeKind::Output {
            shape: p.shape("shape")?,
        },
        "Affine" => NodeKind::Affine {
            weight: p.tensor("weight")?,
            bias: p.tensor("bias")?,
        },
        "Linear" => NodeKind::Linear {
            weight: p.tensor("weight")?,
        },
        "Scale" => NodeKind::Scale {
            scale: p.tensor("scale")?,
        },
        "Conv2d" => NodeKind::Conv2d {
            weight: p.tensor("weight")?,
            bias: p.tensor("bias")?,
            stride: p.pair("stride")?,
            padding: p.padding()?,
            dilation: p.pair("dilation")?,
            groups: p.integer("groups")?,
            input_shape: match p.optional_tensor("input_shape")? {
                Some(_) => Some(p.pair("input_shape")?),
                None => None,
            },
        },
        "SumPool2d" | "AvgPool2d" => {
            let (kernel, stride, padding) = (
                p.pair("kernel_size")?,
                p.pair("stride")?,
                p.pair("padding")?,
            );
            if type_name == "SumPool2d" {
                NodeKind::SumPool2d {
                    kernel,
                    stride,
                    padding,
                }
            } else {
                NodeKind::AvgPool2d {
                    kernel,
                    stride,
                    padding,
                }
            }
        }
        "Flatten" => NodeKind::Flatten {
            start_dim: p.signed("start_dim")?,
            end_dim: p.signed("end_dim")?,
        },
        "CubaLIF" => NodeKind::CubaLif(p.neuron(&["tau_syn", "tau_mem", "r", "v_leak", "w_in"])?),
        "LIF" => NodeKind::Lif(p.neuron(&["tau", "r", "v_leak"])?),
        "IF" => NodeKind::If(p.neuron(&["r"])?),
        _ => NodeKind::Unsupported {
            reason: unsupported_reason(type_name).to_string(),
        },
    })
}

fn unsupported_reason(type_name: &str) -> &'static str {
    match type_name {
        "Delay" => "the core delivers every spike in the next tick; it has no axonal delays",
        "LI" | "CubaLI" | "I" => {
            "a non-spiking integrator: the core's neurons output spikes only, not potentials"
        }
        "Threshold" => "a stateless threshold has no CUBA-LIF counterpart",
        "Conv1d" => "Conv1d is not implemented (Conv2d is)",
        _ => "unknown NIR node type",
    }
}

/// Typed access to one node's parameter datasets, with errors naming the node.
struct Params<'a> {
    group: &'a Group,
    node: &'a str,
    kind: &'a str,
}

impl Params<'_> {
    fn err(&self, reason: String) -> ReadError {
        ImportError::malformed(self.node, self.kind, reason).into()
    }

    fn optional_tensor(&self, field: &str) -> Result<Option<Tensor>, ReadError> {
        let Ok(ds) = self.group.dataset(field) else {
            return Ok(None);
        };
        let dtype = ds.dtype()?;
        let numeric = matches!(
            dtype,
            DType::F32
                | DType::F64
                | DType::I8
                | DType::I16
                | DType::I32
                | DType::I64
                | DType::U8
                | DType::U16
                | DType::U32
                | DType::U64
        );
        if !numeric {
            return Err(self.err(format!(
                "parameter '{field}' should be numeric, found {dtype}"
            )));
        }
        let shape: Vec<usize> = ds.shape()?.iter().map(|&d| d as usize).collect();
        let elements = ds
            .shape()?
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d));
        if elements.is_none_or(|n| n > MAX_PARAM_ELEMENTS) {
            return Err(self.err(format!(
                "parameter '{field}' of shape {shape:?} is too large"
            )));
        }
        let data = ds.read_f64()?;
        if data.len() != shape.iter().product::<usize>() {
            return Err(self.err(format!(
                "parameter '{field}' holds {} values for shape {shape:?}",
                data.len()
            )));
        }
        if let Some(bad) = data.iter().find(|v| !v.is_finite()) {
            return Err(self.err(format!("parameter '{field}' holds {bad}")));
        }
        Ok(Some(Tensor::new(shape, data)))
    }

    fn tensor(&self, field: &str) -> Result<Tensor, ReadError> {
        self.optional_tensor(field)?
            .ok_or_else(|| self.err(format!("missing parameter '{field}'")))
    }

    fn integers(&self, field: &str) -> Result<Vec<i64>, ReadError> {
        let t = self.tensor(field)?;
        t.data
            .iter()
            .map(|&v| {
                if v.fract() == 0.0 && v.abs() < 1e9 {
                    Ok(v as i64)
                } else {
                    Err(self.err(format!(
                        "parameter '{field}' should hold integers, found {v}"
                    )))
                }
            })
            .collect()
    }

    fn signed(&self, field: &str) -> Result<i64, ReadError> {
        match self.integers(field)?.as_slice() {
            [v] => Ok(*v),
            other => Err(self.err(format!(
                "parameter '{field}' should be one integer, found {other:?}"
            ))),
        }
    }

    fn integer(&self, field: &str) -> Result<usize, ReadError> {
        let v = self.signed(field)?;
        usize::try_from(v).map_err(|_| self.err(format!("parameter '{field}' is negative ({v})")))
    }

    /// A `(height, width)` pair; one value stands for both.
    fn pair(&self, field: &str) -> Result<Pair, ReadError> {
        let values = self.integers(field)?;
        let pair = match values.as_slice() {
            [v] => [*v, *v],
            [h, w] => [*h, *w],
            other => {
                return Err(self.err(format!(
                    "parameter '{field}' should be 1 or 2 integers, found {other:?}"
                )))
            }
        };
        if pair.iter().any(|&v| v < 0) {
            return Err(self.err(format!("parameter '{field}' is negative ({pair:?})")));
        }
        Ok([pair[0] as usize, pair[1] as usize])
    }

    fn padding(&self) -> Result<Padding, ReadError> {
        let ds = self
            .group
            .dataset("padding")
            .map_err(|_| self.err("missing parameter 'padding'".into()))?;
        if matches!(ds.dtype()?, DType::String | DType::VariableLengthString) {
            return match read_strings(&ds, self.node, self.kind, "padding")?
                .first()
                .map(String::as_str)
            {
                Some("valid") => Ok(Padding::Explicit([0, 0])),
                Some("same") => Ok(Padding::Same),
                other => Err(self.err(format!(
                    "padding {other:?} is not 'same', 'valid' or integers"
                ))),
            };
        }
        Ok(Padding::Explicit(self.pair("padding")?))
    }

    fn shape(&self, field: &str) -> Result<Vec<usize>, ReadError> {
        let values = self.integers(field)?;
        if values.is_empty() || values.iter().any(|&v| v <= 0) {
            return Err(self.err(format!(
                "'{field}' should be positive integers, found {values:?}"
            )));
        }
        Ok(values.into_iter().map(|v| v as usize).collect())
    }

    /// Neuron parameters: the named ones are required (`tau` is stored as `tau_mem`);
    /// `v_threshold` always, `v_reset` defaults to 0 and `w_in` to 1 (as `nir` does). A
    /// one-element parameter is broadcast to the neuron shape (`v_threshold`'s).
    fn neuron(&self, required: &[&str]) -> Result<NeuronParams, ReadError> {
        let v_threshold = self.tensor("v_threshold")?;
        let shape = v_threshold.shape.clone();
        let n = v_threshold.len();
        let fit = |field: &str, t: Tensor| -> Result<Tensor, ReadError> {
            if t.len() == n {
                Ok(Tensor::new(shape.clone(), t.data))
            } else if t.len() == 1 {
                Ok(Tensor::new(shape.clone(), vec![t.data[0]; n]))
            } else {
                Err(self.err(format!(
                    "parameter '{field}' has shape {:?}, v_threshold {shape:?}",
                    t.shape
                )))
            }
        };
        let get = |field: &str, default: f64| -> Result<Tensor, ReadError> {
            match self.optional_tensor(field)? {
                Some(t) => fit(field, t),
                None if required.contains(&field) => {
                    Err(self.err(format!("missing parameter '{field}'")))
                }
                None => Ok(Tensor::new(shape.clone(), vec![default; n])),
            }
        };
        let empty = Tensor::new(vec![0], vec![]);
        let tau_mem = if required.contains(&"tau") {
            get("tau", 0.0)?
        } else {
            get("tau_mem", 0.0)?
        };
        Ok(NeuronParams {
            tau_syn: if required.contains(&"tau_syn") {
                get("tau_syn", 0.0)?
            } else {
                empty.clone()
            },
            tau_mem: if required.contains(&"tau") || required.contains(&"tau_mem") {
                tau_mem
            } else {
                empty.clone()
            },
            r: get("r", 1.0)?,
            v_leak: if required.contains(&"v_leak") {
                get("v_leak", 0.0)?
            } else {
                empty.clone()
            },
            v_reset: get("v_reset", 0.0)?,
            w_in: if required.contains(&"w_in") {
                get("w_in", 1.0)?
            } else {
                empty
            },
            v_threshold,
        })
    }
}
