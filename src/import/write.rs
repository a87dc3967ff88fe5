//! Writing a flat NIR graph as the HDF5 layout Python `nir` 1.0's `nir.write` produces (the
//! layout [`super::read`] documents), with `hdf5-pure`'s writer (no C library):
//!
//! - `/version` and every node's `type` are scalar variable-length UTF-8 strings (what h5py
//!   writes for `h5py.string_dtype()`, and what `nir.read` compares with `b"CubaLIF"`);
//! - parameters are `f64` arrays in C order (`shape` of Input/Output: `i64`);
//! - `/node/edges` is an `(n, 2)` array of variable-length strings;
//! - a node's `metadata` is a group of datasets (a shape `[]` tensor is a scalar dataset),
//!   which `nir.read` hands to the node as its `metadata` dict.
//!
//! Datasets are stored contiguous, not gzip-chunked: `nir.read` reads either.

use hdf5_pure::{FileBuilder, GroupBuilder};

use super::graph::{Metadata, NirGraph, NodeKind, Tensor};

/// Why a graph cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// A node type this writer does not write (it writes what `export` produces).
    #[error("node '{node}' ({kind}): the NIR writer writes Input, Output, Linear, Affine and CubaLIF nodes only")]
    Unsupported {
        /// Node name.
        node: String,
        /// Its NIR type.
        kind: String,
    },
    /// The HDF5 writer refused the file.
    #[error("writing HDF5: {0}")]
    Hdf5(String),
}

/// The bytes of a `.nir` file holding `graph` (flat: no subgraphs).
pub fn graph_to_bytes(graph: &NirGraph) -> Result<Vec<u8>, WriteError> {
    let mut file = FileBuilder::new();
    scalar_string(file.create_dataset("version"), &graph.version);
    let mut root = file.create_group("node");
    scalar_string(root.create_dataset("type"), "NIRGraph");
    let mut nodes = root.create_group("nodes");
    for node in &graph.nodes {
        let mut group = nodes.create_group(&node.name);
        scalar_string(group.create_dataset("type"), &node.type_name);
        write_params(&mut group, &node.name, &node.type_name, &node.kind)?;
        if let Some(meta) = graph.metadata.get(&node.name) {
            write_metadata(&mut group, meta);
        }
        nodes.add_group(group.finish());
    }
    root.add_group(nodes.finish());
    let flat: Vec<&str> = graph
        .edges
        .iter()
        .flat_map(|&(from, to)| {
            [
                graph.nodes[from].name.as_str(),
                graph.nodes[to].name.as_str(),
            ]
        })
        .collect();
    root.create_dataset("edges")
        .with_vlen_strings(&flat)
        .with_shape(&[graph.edges.len() as u64, 2]);
    if let Some(meta) = graph.metadata.get("") {
        write_metadata(&mut root, meta);
    }
    file.add_group(root.finish());
    file.finish()
        .map_err(|err| WriteError::Hdf5(err.to_string()))
}

fn scalar_string(ds: &mut hdf5_pure::DatasetBuilder, value: &str) {
    ds.with_vlen_strings(&[value]).with_shape(&[]);
}

fn tensor(group: &mut GroupBuilder, name: &str, t: &Tensor) {
    let shape: Vec<u64> = t.shape.iter().map(|&d| d as u64).collect();
    group
        .create_dataset(name)
        .with_f64_data(&t.data)
        .with_shape(&shape);
}

fn shape(group: &mut GroupBuilder, dims: &[usize]) {
    let values: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
    group.create_dataset("shape").with_i64_data(&values);
}

fn write_params(
    group: &mut GroupBuilder,
    node: &str,
    type_name: &str,
    kind: &NodeKind,
) -> Result<(), WriteError> {
    match kind {
        NodeKind::Input { shape: dims } | NodeKind::Output { shape: dims } => shape(group, dims),
        NodeKind::Linear { weight } => tensor(group, "weight", weight),
        NodeKind::Affine { weight, bias } => {
            tensor(group, "weight", weight);
            tensor(group, "bias", bias);
        }
        NodeKind::CubaLif(p) => {
            for (name, t) in [
                ("tau_syn", &p.tau_syn),
                ("tau_mem", &p.tau_mem),
                ("r", &p.r),
                ("v_leak", &p.v_leak),
                ("v_threshold", &p.v_threshold),
                ("v_reset", &p.v_reset),
                ("w_in", &p.w_in),
            ] {
                tensor(group, name, t);
            }
        }
        _ => {
            return Err(WriteError::Unsupported {
                node: node.to_string(),
                kind: type_name.to_string(),
            })
        }
    }
    Ok(())
}

fn write_metadata(group: &mut GroupBuilder, meta: &Metadata) {
    let mut sub = group.create_group("metadata");
    for (key, t) in meta {
        tensor(&mut sub, key, t);
    }
    group.add_group(sub.finish());
}
