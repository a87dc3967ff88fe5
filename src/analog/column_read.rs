//! One crossbar read as the synapse stage does it: a core's array programmed from signed
//! weights, the tick's active rows driven together, every physical column's current sampled at
//! once and expressed in ADC LSB. Shared by the golden crossbar stage (`model::crossbar`) and
//! the behavioural macro behind the rtl engine's pins (`rtl::xbar_macro`), so both see the same
//! `f64`s and the quantizer ([`crate::fixed::adc::sar_code`]) gives the same codes.
//!
//! # One read, in order
//! 1. Row `i` is driven at [`V_READ`] if it is active, at 0 V otherwise.
//! 2. Read noise: for each active row `i` (ascending), for each logical column `j`
//!    (ascending), `G+` then `G-`, one draw of [`CrossbarArray::read`] (`g (1 + sigma_read z)`)
//!    from the array's generator; cells of inactive rows take their programmed conductance.
//!    No active row, no draw (and the stage does not read at all).
//! 3. Column currents: the closed form `sum_i V_i G_ij` when `r_wire` is 0, else the exact
//!    nodal solve ([`super::nodal`]) with `r_wire` on every row and column segment (source and
//!    sense resistance 0).
//! 4. Each physical column's current in LSB: `x = I / I_lsb`, `I_lsb = 2^lsb_exp V_READ dG`,
//!    `dG = (g_on - g_off) / (L - 1)` the nominal level step, so an ideal differential pair
//!    at weight `w` differs by `w / 2^lsb_exp` LSB. (The network is linear, so `V_READ` cancels;
//!    it is there to keep the currents physical.)

use thiserror::Error;

use super::device::{CrossbarArray, DeviceParamError, DeviceParams};
use super::nodal::{self, SolveError};

/// Row read voltage, volts.
pub const V_READ: f64 = 0.2;

/// A crossbar stage's analog parameters and its converter (what `[crossbar]` in `hw.toml`
/// sets).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossbarParams {
    /// Device model (levels, conductance range, variation, read noise; the programming
    /// parameters are unused by a read).
    pub device: DeviceParams,
    /// Wire resistance per cell, ohms, on row and column segments alike (0 = ideal wires).
    pub r_wire: f64,
    /// ADC bits `b` (codes `0..2^b`).
    pub adc_bits: u32,
    /// One LSB is `2^lsb_exp` level steps.
    pub lsb_exp: i32,
    /// Physical columns sharing one ADC through the column multiplexer.
    pub columns_per_adc: usize,
    /// Seed of the array's generator (device variation, then read noise).
    pub seed: u64,
}

/// Allowed range of [`CrossbarParams::adc_bits`].
pub const ADC_BITS: std::ops::RangeInclusive<u32> = 1..=12;
/// Allowed range of [`CrossbarParams::lsb_exp`].
pub const LSB_EXP: std::ops::RangeInclusive<i32> = -4..=7;

impl Default for CrossbarParams {
    /// The default device (16 levels, 1-100 uS, 5 % variation, 1 % read noise), ideal wires,
    /// an 8-bit ADC of one level step per LSB, 8 columns per ADC.
    fn default() -> Self {
        CrossbarParams {
            device: DeviceParams::default(),
            r_wire: 0.0,
            adc_bits: 8,
            lsb_exp: 0,
            columns_per_adc: 8,
            seed: 1,
        }
    }
}

/// Why a crossbar cannot be built or read.
#[derive(Debug, Error, PartialEq)]
pub enum CrossbarError {
    /// A device parameter is out of range.
    #[error(transparent)]
    Device(#[from] DeviceParamError),
    /// A converter or wire parameter is out of range.
    #[error("crossbar parameter `{name}` = {value}: {reason}")]
    Param {
        /// Parameter name.
        name: &'static str,
        /// Its value, formatted.
        value: String,
        /// The rule it breaks.
        reason: String,
    },
    /// The read network could not be solved.
    #[error(transparent)]
    Solve(#[from] SolveError),
}

impl CrossbarParams {
    /// The defaults with ideal devices: no device-to-device variation and no read noise
    /// (wires as in the defaults).
    pub fn ideal() -> CrossbarParams {
        CrossbarParams {
            device: DeviceParams {
                sigma_d2d: 0.0,
                sigma_read: 0.0,
                ..DeviceParams::default()
            },
            ..CrossbarParams::default()
        }
    }

    /// Checks every parameter's range.
    pub fn check(&self) -> Result<(), CrossbarError> {
        self.device.check()?;
        let fail = |name, value: String, reason: String| {
            Err(CrossbarError::Param {
                name,
                value,
                reason,
            })
        };
        if !(self.r_wire.is_finite() && self.r_wire >= 0.0) {
            return fail(
                "r_wire",
                self.r_wire.to_string(),
                "must be finite and >= 0".into(),
            );
        }
        if !ADC_BITS.contains(&self.adc_bits) {
            return fail(
                "adc_bits",
                self.adc_bits.to_string(),
                format!("out of range {}..={}", ADC_BITS.start(), ADC_BITS.end()),
            );
        }
        if !LSB_EXP.contains(&self.lsb_exp) {
            return fail(
                "lsb_exp",
                self.lsb_exp.to_string(),
                format!("out of range {}..={}", LSB_EXP.start(), LSB_EXP.end()),
            );
        }
        if !self.columns_per_adc.is_power_of_two() {
            return fail(
                "columns_per_adc",
                self.columns_per_adc.to_string(),
                "must be a power of two (1, 2, 4, ...)".into(),
            );
        }
        Ok(())
    }

    /// `I_lsb`, amperes.
    pub fn lsb_current(&self) -> f64 {
        let d = &self.device;
        let step = (d.g_on - d.g_off) / f64::from(d.levels - 1);
        V_READ * step * 2f64.powi(self.lsb_exp)
    }
}

/// A programmed array and its read path.
#[derive(Clone, Debug)]
pub struct ColumnReader {
    params: CrossbarParams,
    array: CrossbarArray,
}

impl ColumnReader {
    /// An array of `rows x cols` logical cells (`2 cols` physical columns), devices drawn from
    /// `params.seed`, every weight 0 (`G+ = G- = g_min`).
    pub fn new(rows: usize, cols: usize, params: CrossbarParams) -> Result<Self, CrossbarError> {
        params.check()?;
        let mut array = CrossbarArray::new(rows, cols, params.device, params.seed)?;
        for i in 0..rows {
            for j in 0..cols {
                array.set_weight(i, j, 0);
            }
        }
        Ok(ColumnReader { params, array })
    }

    /// The parameters.
    pub fn params(&self) -> &CrossbarParams {
        &self.params
    }

    /// Logical rows.
    pub fn rows(&self) -> usize {
        self.array.rows
    }

    /// Logical columns.
    pub fn cols(&self) -> usize {
        self.array.cols
    }

    /// Largest weight magnitude the devices hold (`L - 1`).
    pub fn weight_max(&self) -> i64 {
        self.array.weight_max()
    }

    /// Programs cell `(row, col)` to weight `w` (`|w| <= L - 1`, else a panic: callers check).
    pub fn set_weight(&mut self, row: usize, col: usize, w: i64) {
        self.array.set_weight(row, col, w);
    }

    /// One programming pulse on the device of physical column `physical` (`G+` of logical
    /// column `physical / 2` when even) of `row` ([`CrossbarArray::pulse`]).
    pub fn pulse(&mut self, row: usize, physical: usize, pulse: super::device::Pulse) {
        self.array
            .pulse(row, physical / 2, physical.is_multiple_of(2), pulse);
    }

    /// One read with `active` rows driven (the module doc's steps 1-4): the value of every
    /// physical column in LSB, `2 cols` of them, `G+` of column `j` at `2j`, `G-` at `2j + 1`.
    /// `active[i]` says whether row `i` is driven.
    pub fn sample(&mut self, active: &[bool]) -> Result<Vec<f64>, CrossbarError> {
        let (rows, cols) = (self.array.rows, self.array.cols);
        assert_eq!(active.len(), rows, "one flag per row");
        let physical = 2 * cols;
        let mut g = self.array.conductances();
        for i in (0..rows).filter(|&i| active[i]) {
            for j in 0..cols {
                for (side, positive) in [(0, true), (1, false)] {
                    g[i * physical + 2 * j + side] = self.array.read(i, j, positive);
                }
            }
        }
        let v_row: Vec<f64> = active
            .iter()
            .map(|&on| if on { V_READ } else { 0.0 })
            .collect();
        let currents = if self.params.r_wire == 0.0 {
            nodal::ideal_column_currents(rows, physical, &g, &v_row)
        } else {
            let r = self.params.r_wire;
            nodal::column_currents(&nodal::ReadNetwork {
                rows,
                cols: physical,
                g,
                v_row,
                r_wire_row: r,
                r_wire_col: r,
                r_source: 0.0,
                r_sense: 0.0,
            })?
        };
        let lsb = self.params.lsb_current();
        Ok(currents.into_iter().map(|i| i / lsb).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed::adc::sar_code;

    /// Ideal devices and wires: the differential codes are the exact weight sums (the `g_off`
    /// baseline is the same on both columns of a pair, and the level sums are whole LSB).
    #[test]
    fn ideal_array_reads_the_weight_sums() {
        let mut reader = ColumnReader::new(6, 3, CrossbarParams::ideal()).unwrap();
        let weights = [
            [3, -15, 0],
            [15, 2, -7],
            [-1, 0, 9],
            [4, 4, 4],
            [0, 0, 0],
            [5, -5, 1],
        ];
        for (i, row) in weights.iter().enumerate() {
            for (j, &w) in row.iter().enumerate() {
                reader.set_weight(i, j, w);
            }
        }
        let active = [true, true, false, true, false, true];
        let x = reader.sample(&active).unwrap();
        for j in 0..3 {
            let want: i64 = (0..6).filter(|&i| active[i]).map(|i| weights[i][j]).sum();
            let d = i64::from(sar_code(x[2 * j], 8)) - i64::from(sar_code(x[2 * j + 1], 8));
            assert_eq!(d, want, "column {j}");
        }
    }

    /// The same seed gives the same reads; wire resistance lowers the currents (IR drop).
    #[test]
    fn reads_are_seeded_and_wires_drop() {
        let params = CrossbarParams {
            seed: 7,
            ..CrossbarParams::default()
        };
        let read = |params: CrossbarParams| {
            let mut reader = ColumnReader::new(8, 4, params).unwrap();
            for i in 0..8 {
                reader.set_weight(i, i % 4, 15);
            }
            let active = [true; 8];
            (
                reader.sample(&active).unwrap(),
                reader.sample(&active).unwrap(),
            )
        };
        let (a1, a2) = read(params);
        assert_eq!(read(params), (a1.clone(), a2.clone()));
        assert_ne!(a1, a2, "read noise differs between reads");
        let (w1, _) = read(CrossbarParams {
            r_wire: 10.0,
            ..params
        });
        assert!(w1.iter().zip(&a1).all(|(w, a)| w < a), "{w1:?} {a1:?}");
    }

    #[test]
    fn bad_parameters_are_named() {
        for (params, name) in [
            (
                CrossbarParams {
                    adc_bits: 0,
                    ..CrossbarParams::ideal()
                },
                "adc_bits",
            ),
            (
                CrossbarParams {
                    lsb_exp: 9,
                    ..CrossbarParams::ideal()
                },
                "lsb_exp",
            ),
            (
                CrossbarParams {
                    r_wire: -1.0,
                    ..CrossbarParams::ideal()
                },
                "r_wire",
            ),
            (
                CrossbarParams {
                    columns_per_adc: 3,
                    ..CrossbarParams::ideal()
                },
                "columns_per_adc",
            ),
        ] {
            let err = params.check().unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
