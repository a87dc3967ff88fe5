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
//! <node or graph>/metadata/ optional, one dataset per entry; the numeric `neurofab_*` ones
//!                           are read (`export` writes them)
//! ```

use std::collections::{BTreeMap, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use hdf5_pure::{DType, Dataset, File, Group};

use super::graph::{Metadata, NirGraph, NirNode, NodeKind, Tensor, METADATA_PREFIX};
use super::params::{is_numeric, read_node};
use super::ImportError;

/// Largest number of elements one parameter may have; a file declaring more is refused before
/// it is read (the biggest layer the core supports has 1024 x 512 weights).
pub(super) const MAX_PARAM_ELEMENTS: u64 = 1 << 24;

/// Reads and flattens the NIR graph stored in `path`.
pub fn read_file(path: &Path) -> Result<NirGraph, ImportError> {
    let file_error = |reason: String| ImportError::File {
        file: path.to_path_buf(),
        reason,
    };
    let bytes =
        std::fs::read(path).map_err(|err| file_error(format!("cannot read file: {err}")))?;
    read_nir_bytes(bytes, path)
}

/// Reads and flattens the NIR graph held in `bytes` (a `.nir` file's contents; `path` only
/// names it in errors).
pub fn read_nir_bytes(bytes: Vec<u8>, path: &Path) -> Result<NirGraph, ImportError> {
    let file_error = |reason: String| ImportError::File {
        file: path.to_path_buf(),
        reason,
    };
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

pub(super) enum ReadError {
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
        metadata: builder.metadata,
    })
}

#[derive(Default)]
struct Builder {
    nodes: Vec<NirNode>,
    edges: Vec<(usize, usize)>,
    index: HashMap<String, usize>,
    metadata: BTreeMap<String, Metadata>,
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
        self.read_metadata(group, prefix.trim_end_matches('.'))?;
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
            self.read_metadata(&child, &qualified)?;
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

    /// Keeps the numeric `neurofab_*` datasets of `group`'s `metadata` subgroup (if any) as
    /// the metadata of `name`; other entries (other tools', strings) are not read.
    fn read_metadata(&mut self, group: &Group, name: &str) -> Result<(), ReadError> {
        let Ok(meta) = group.group("metadata") else {
            return Ok(());
        };
        let mut entries = Metadata::new();
        for key in meta.datasets()? {
            if !key.starts_with(METADATA_PREFIX) {
                continue;
            }
            let ds = meta.dataset(&key)?;
            if !is_numeric(&ds.dtype()?) {
                continue;
            }
            let shape: Vec<usize> = ds.shape()?.iter().map(|&d| d as usize).collect();
            if shape.iter().product::<usize>() as u64 > MAX_PARAM_ELEMENTS {
                continue;
            }
            let data = ds.read_f64()?;
            if data.len() == shape.iter().product::<usize>() {
                entries.insert(key, Tensor::new(shape, data));
            }
        }
        if !entries.is_empty() {
            self.metadata.insert(name.to_string(), entries);
        }
        Ok(())
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

pub(super) fn read_strings(
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
