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
        // Through serde_path_to_error, so that a type error names its field (`core.neurons`),
        // not only a line; syntax errors have no field and are reported for the whole file.
        let config: HwConfig = serde_path_to_error::deserialize(toml::Deserializer::new(&text))
            .map_err(|e| {
                let field = match e.path().to_string() {
                    path if path == "." => "-".to_string(),
                    path => path,
                };
                let inner = e.inner();
                let location = inner
                    .span()
                    .map(|span| {
                        let line = text[..span.start].matches('\n').count() + 1;
                        format!(" (line {line})")
                    })
                    .unwrap_or_default();
                fail(&field, format!("{}{location}", inner.message()))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str) -> Result<HwConfig, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hw.toml");
        std::fs::write(&path, text).unwrap();
        HwConfig::load(&path)
    }

    #[test]
    fn type_errors_name_their_field() {
        let err = load_text("[core]\nneurons = \"big\"\naxons = 64\n").unwrap_err();
        assert_eq!(err.field, "core.neurons");
        assert!(err.reason.contains("line 2"), "{}", err.reason);
        let err = load_text("[mesh]\nwidth = 2\nheight = -1\n").unwrap_err();
        assert_eq!(err.field, "mesh.height");
        let err = load_text("[core]\nneurons = 64\naxons = 64\ncolour = 1\n").unwrap_err();
        assert_eq!(err.field, "core.colour");
        assert!(err.reason.contains("colour"), "{}", err.reason);
        // A syntax error has no field.
        let err = load_text("[core\n").unwrap_err();
        assert_eq!(err.field, "-");
        assert!(err.reason.contains("line 1"), "{}", err.reason);
    }
}
