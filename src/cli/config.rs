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
//!
//! [crossbar]      # optional: the synapse stage is a memristor crossbar (docs/crossbar.md)
//! levels = 16     # every field is optional, defaults as shown
//! g_off = 1e-6
//! g_on = 100e-6
//! sigma_d2d = 0.05
//! sigma_read = 0.01
//! r_wire = 0.0
//! adc_bits = 8
//! lsb_exp = 0
//! columns_per_adc = 8
//! seed = 1
//! ```

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::analog::column_read::{CrossbarError, CrossbarParams};
use crate::analog::device::DeviceParams;
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
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct HwConfig {
    /// The neurocore.
    #[serde(default)]
    pub core: CoreConfig,
    /// The mesh of cores.
    #[serde(default)]
    pub mesh: MeshShape,
    /// A memristor crossbar as the synapse stage (absent: the synapse SRAM).
    pub crossbar: Option<CrossbarConfig>,
}

/// `[crossbar]`: the analog array and its ADC ([`CrossbarParams`]); a missing field takes the
/// default of `CrossbarParams::default()`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CrossbarConfig {
    /// Conductance levels per device.
    pub levels: u32,
    /// Nominal lowest conductance, siemens.
    pub g_off: f64,
    /// Nominal highest conductance, siemens.
    pub g_on: f64,
    /// Device-to-device variation (sigma of the log of each range bound's factor).
    pub sigma_d2d: f64,
    /// Relative read noise.
    pub sigma_read: f64,
    /// Wire resistance per cell segment, ohms.
    pub r_wire: f64,
    /// ADC bits.
    pub adc_bits: u32,
    /// One LSB is `2^lsb_exp` level steps.
    pub lsb_exp: i32,
    /// Physical columns per ADC.
    pub columns_per_adc: usize,
    /// Seed of the array's variation and read noise.
    pub seed: u64,
}

impl Default for CrossbarConfig {
    fn default() -> Self {
        let p = CrossbarParams::default();
        CrossbarConfig {
            levels: p.device.levels,
            g_off: p.device.g_off,
            g_on: p.device.g_on,
            sigma_d2d: p.device.sigma_d2d,
            sigma_read: p.device.sigma_read,
            r_wire: p.r_wire,
            adc_bits: p.adc_bits,
            lsb_exp: p.lsb_exp,
            columns_per_adc: p.columns_per_adc,
            seed: p.seed,
        }
    }
}

impl CrossbarConfig {
    /// The parameters (the device's programming parameters at their defaults).
    pub fn params(&self) -> CrossbarParams {
        CrossbarParams {
            device: DeviceParams {
                levels: self.levels,
                g_off: self.g_off,
                g_on: self.g_on,
                sigma_d2d: self.sigma_d2d,
                sigma_read: self.sigma_read,
                ..DeviceParams::default()
            },
            r_wire: self.r_wire,
            adc_bits: self.adc_bits,
            lsb_exp: self.lsb_exp,
            columns_per_adc: self.columns_per_adc,
            seed: self.seed,
        }
    }
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
        if let Some(crossbar) = &config.crossbar {
            if let Err(e) = crossbar.params().check() {
                let name = match &e {
                    CrossbarError::Device(d) => d.name,
                    CrossbarError::Param { name, .. } => name,
                    CrossbarError::Solve(_) => "-",
                };
                return Err(fail(&format!("crossbar.{name}"), e.to_string()));
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

    #[test]
    fn crossbar_section_defaults_and_errors() {
        let config = load_text("[crossbar]\nadc_bits = 5\nr_wire = 2.5\n").unwrap();
        let params = config.crossbar.unwrap().params();
        assert_eq!(
            params,
            CrossbarParams {
                adc_bits: 5,
                r_wire: 2.5,
                ..CrossbarParams::default()
            }
        );
        assert_eq!(load_text("").unwrap().crossbar, None);
        for (text, field) in [
            ("[crossbar]\nadc_bits = 0\n", "crossbar.adc_bits"),
            ("[crossbar]\nlevels = 1\n", "crossbar.levels"),
            ("[crossbar]\ng_on = 1e-7\n", "crossbar.g_on"),
            ("[crossbar]\nr_wire = -3.0\n", "crossbar.r_wire"),
            (
                "[crossbar]\ncolumns_per_adc = 6\n",
                "crossbar.columns_per_adc",
            ),
            ("[crossbar]\nwires = 1\n", "crossbar.wires"),
            ("[crossbar]\nseed = \"x\"\n", "crossbar.seed"),
        ] {
            let err = load_text(text).unwrap_err();
            assert_eq!(err.field, field, "{text}: {err}");
        }
    }
}
