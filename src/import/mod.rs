//! Import of NIR graphs (the Neuromorphic Intermediate Representation, `.nir` HDF5 files) into
//! the network format of `docs/spec.md`.
//!
//! - [`read`] (each node's parameters: `params`): the HDF5 file (as Python `nir` 1.0 writes
//!   it) into a [`graph::NirGraph`], nested subgraphs flattened with path-qualified names
//!   (`rsyn.lif`);
//! - [`linear`]: shapes and the linear nodes (Affine, Linear, Scale, Conv2d, pools, Flatten) as
//!   sparse matrices in C order;
//! - [`map`]: neurons onto CUBA-LIF populations, chains of linear nodes onto quantized
//!   projections (per-neuron dynamics: [`neuron`]), with a [`quant::QuantReport`] of what
//!   the rounding did;
//! - [`stimulus`]: input spikes apart from the topology (`--stimulus STIM.json`);
//! - [`export`] and [`write`]: a network back to a NIR graph and its HDF5 file
//!   (`neurofab export-nir`), whose re-import at the same `dt` is exact (`exact`).
//!
//! The discretisation (forward Euler at a given `dt`) is documented in `docs/nir.md`.

mod exact;
pub mod export;
pub mod graph;
pub mod linear;
pub mod map;
pub mod neuron;
mod params;
pub mod quant;
pub mod read;
pub mod stimulus;
pub mod write;

use std::path::{Path, PathBuf};

pub use graph::{NirGraph, NirNode, NodeKind, Tensor};
pub use map::{map_graph, Imported};
pub use quant::QuantReport;

/// Everything that can go wrong reading or mapping a NIR file. Every message names the node
/// (path-qualified), its NIR type and the reason where there is one.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file cannot be read as HDF5, or lacks the NIR layout (`node` group, `type`).
    #[error("{file}: not a readable NIR file: {reason}")]
    File {
        /// The file.
        file: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// A node's stored parameters are missing, of the wrong type or inconsistent.
    #[error("node '{node}' ({kind}): {reason}")]
    Malformed {
        /// Path-qualified node name.
        node: String,
        /// NIR node type.
        kind: String,
        /// What is wrong.
        reason: String,
    },
    /// A node the core cannot run.
    #[error("node '{node}' ({kind}) is not supported: {reason}")]
    Unsupported {
        /// Path-qualified node name.
        node: String,
        /// NIR node type.
        kind: String,
        /// Why.
        reason: String,
    },
    /// The edges do not form a graph this importer can map.
    #[error("graph: {reason}")]
    Graph {
        /// What is wrong.
        reason: String,
    },
    /// `dt` is not a positive finite number of seconds.
    #[error("dt must be a positive, finite number of seconds, got {0}")]
    Dt(f64),
}

impl ImportError {
    pub(crate) fn malformed(node: &str, kind: &str, reason: impl Into<String>) -> ImportError {
        ImportError::Malformed {
            node: node.to_string(),
            kind: kind.to_string(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(node: &str, kind: &str, reason: impl Into<String>) -> ImportError {
        ImportError::Unsupported {
            node: node.to_string(),
            kind: kind.to_string(),
            reason: reason.into(),
        }
    }
}

/// Reads a `.nir` file and maps it onto a network run for `ticks` ticks (no input spikes) at
/// time step `dt` seconds.
pub fn import_file(path: &Path, dt: f64, ticks: u32) -> Result<Imported, ImportError> {
    let graph = read::read_file(path)?;
    map_graph(&graph, dt, ticks)
}
