//! Stimulus apart from topology: `{"ticks": T, "inputs": [{"name": N, "spikes": [[tick,
//! index], ...]}]}`. Applied to a network (an imported NIR graph, whose inputs are named after
//! its Input nodes, or a network file), it sets `ticks` and replaces the spike lists of the
//! inputs it names; the others keep theirs.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::Network;

/// A stimulus file's content.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Stimulus {
    /// Ticks to run.
    pub ticks: u32,
    /// Spike lists by input name.
    pub inputs: Vec<StimulusInput>,
}

/// One input's spikes.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StimulusInput {
    /// An input of the network.
    pub name: String,
    /// `[tick, index]` pairs; order and duplicates do not matter.
    pub spikes: Vec<(u32, usize)>,
}

/// A stimulus that cannot be read or does not fit the network.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {reason}")]
pub struct StimulusError {
    /// The stimulus file.
    pub file: PathBuf,
    /// JSON path and reason.
    pub reason: String,
}

impl Stimulus {
    /// Reads and parses a stimulus file.
    pub fn load(path: &Path) -> Result<Stimulus, StimulusError> {
        let err = |reason: String| StimulusError {
            file: path.to_path_buf(),
            reason,
        };
        let text =
            std::fs::read_to_string(path).map_err(|e| err(format!("cannot read file: {e}")))?;
        let mut de = serde_json::Deserializer::from_str(&text);
        serde_path_to_error::deserialize(&mut de).map_err(|e| {
            let inner = e.inner();
            err(format!(
                "{}: {} (line {}, column {})",
                e.path(),
                inner,
                inner.line(),
                inner.column()
            ))
        })
    }

    /// Sets `net.ticks` and the spikes of every input named here. `file` names the stimulus in
    /// errors (an unknown input, an index out of range).
    pub fn apply(&self, net: &mut Network, file: &Path) -> Result<(), StimulusError> {
        let err = |reason: String| StimulusError {
            file: file.to_path_buf(),
            reason,
        };
        for (k, input) in self.inputs.iter().enumerate() {
            let Some(group) = net.inputs.iter_mut().find(|g| g.name == input.name) else {
                let names: Vec<&str> = net.inputs.iter().map(|g| g.name.as_str()).collect();
                return Err(err(format!(
                    "inputs[{k}].name: the network has no input '{}' (its inputs: {})",
                    input.name,
                    names.join(", ")
                )));
            };
            if let Some((s, &(tick, index))) = input
                .spikes
                .iter()
                .enumerate()
                .find(|(_, s)| s.1 >= group.size)
            {
                return Err(err(format!(
                    "inputs[{k}].spikes[{s}]: index {index} (tick {tick}) is out of range: '{}' has {} channels",
                    input.name, group.size
                )));
            }
            let mut spikes = input.spikes.clone();
            spikes.sort_unstable();
            spikes.dedup();
            group.spikes = spikes;
        }
        net.ticks = self.ticks;
        Ok(())
    }
}
