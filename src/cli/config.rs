//! The hardware configuration file (`hw.toml`).
//!
//! ```toml
//! [core]
//! neurons = 256   # one of the supported shapes, see `neurofab gen --help`
//! axons = 256
//!
//! [mesh]          # optional; default 1 x 1 (one core)
//! width = 2
//! height = 2
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::map::mesh::{MeshShape, MAX_MESH_SIDE};
use crate::shape::{CoreShape, SUPPORTED_SHAPES};

/// A bad configuration file, naming the file, the field and the reason.
#[derive(Debug, Error)]
#[error("{}: {field}: {reason}", file.display())]
pub struct ConfigError {
    /// The file.
    pub file: PathBuf,
    /// Dotted path of the field (`core.neurons`), or `-` for the whole file.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

/// Hardware configuration.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct HwConfig {
    /// The neurocore.
    #[serde(default)]
    pub core: CoreConfig,
    /// The mesh of cores.
    #[serde(default)]
    pub mesh: MeshShape,
}

/// `[core]`.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct CoreConfig {
    /// Neurons per core.
    pub neurons: usize,
    /// Axons per core.
    pub axons: usize,
}

impl Default for CoreConfig {
    fn default() -> Self {
        let shape = CoreShape::default();
        CoreConfig {
            neurons: shape.neurons,
            axons: shape.axons,
        }
    }
}

impl HwConfig {
    /// Reads and validates a configuration file.
    pub fn load(path: &Path) -> Result<HwConfig, ConfigError> {
        let fail = |field: &str, reason: String| ConfigError {
            file: path.to_path_buf(),
            field: field.into(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| fail("-", e.to_string()))?;
        let config: HwConfig = toml::from_str(&text).map_err(|e| {
            let message = e.message().to_string();
            let location = e
                .span()
                .map(|span| {
                    let line = text[..span.start].matches('\n').count() + 1;
                    format!(" (line {line})")
                })
                .unwrap_or_default();
            fail("-", format!("{message}{location}"))
        })?;
        if !config.core_shape().is_supported() {
            let supported: Vec<String> = SUPPORTED_SHAPES
                .iter()
                .map(|(n, a)| format!("{n}x{a}"))
                .collect();
            return Err(fail(
                "core",
                format!(
                    "{} neurons x {} axons is not a supported core shape (neurons x axons: {})",
                    config.core.neurons,
                    config.core.axons,
                    supported.join(", ")
                ),
            ));
        }
        for (field, side) in [
            ("mesh.width", config.mesh.width),
            ("mesh.height", config.mesh.height),
        ] {
            if !(1..=MAX_MESH_SIDE).contains(&side) {
                return Err(fail(
                    field,
                    format!("{side} is out of range 1..={MAX_MESH_SIDE}"),
                ));
            }
        }
        Ok(config)
    }

    /// The core shape.
    pub fn core_shape(&self) -> CoreShape {
        CoreShape {
            neurons: self.core.neurons,
            axons: self.core.axons,
        }
    }
}
