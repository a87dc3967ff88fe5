//! Program-and-verify of one device (the reference of `rtl::write_verify::WriteVerify`): read,
//! compare the ADC code with the target window, pulse toward it, repeat within a pulse budget.
//!
//! A read of a device is its noisy conductance ([`CrossbarArray::read`]) converted by a
//! `bits`-bit ADC whose full scale `2^bits` LSB corresponds to `g_full_scale` siemens:
//! `code = sar_code(g / g_full_scale · 2^bits, bits)` ([`crate::fixed::adc::sar_code`]).

use super::device::{CrossbarArray, Pulse};
use crate::fixed::adc::sar_code;

/// The read path's conversion of conductance to ADC codes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ReadScale {
    /// ADC width.
    pub bits: u32,
    /// Conductance at the ADC's full scale (`2^bits` LSB), siemens.
    pub g_full_scale: f64,
}

impl ReadScale {
    /// The code of conductance `g`.
    pub fn code(&self, g: f64) -> u32 {
        sar_code(
            g / self.g_full_scale * f64::from(1u32 << self.bits),
            self.bits,
        )
    }
}

/// One device of an array: cell `(row, col)`, its `G+` (`positive`) or `G-` device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeviceAt {
    /// Logical row.
    pub row: usize,
    /// Logical column.
    pub col: usize,
    /// `G+` (else `G-`).
    pub positive: bool,
}

/// How a program-and-verify run ended.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The last read was outside the window with the budget spent.
    pub failed: bool,
    /// Pulses applied.
    pub pulses: u32,
    /// Every read's code, in order (`pulses + 1` of them).
    pub codes: Vec<u32>,
}

/// Reads the device (one noisy read, converted).
pub fn read_code(array: &mut CrossbarArray, at: DeviceAt, scale: &ReadScale) -> u32 {
    scale.code(array.read(at.row, at.col, at.positive))
}

/// Programs one device into `lo..=hi` (codes) with at most `max_pulses` pulses: the algorithm
/// of `rtl::write_verify` (read; in the window: done; budget spent: failed; else one pulse
/// toward the window and read again).
pub fn write_verify(
    array: &mut CrossbarArray,
    at: DeviceAt,
    scale: &ReadScale,
    (lo, hi): (u32, u32),
    max_pulses: u32,
) -> Outcome {
    let mut codes = Vec::new();
    let mut pulses = 0;
    loop {
        let code = read_code(array, at, scale);
        codes.push(code);
        if (lo..=hi).contains(&code) {
            return Outcome {
                failed: false,
                pulses,
                codes,
            };
        }
        if pulses == max_pulses {
            return Outcome {
                failed: true,
                pulses,
                codes,
            };
        }
        let direction = if code < lo { Pulse::Set } else { Pulse::Reset };
        array.pulse(at.row, at.col, at.positive, direction);
        pulses += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analog::device::DeviceParams;

    #[test]
    fn converges_on_the_default_device_and_flags_the_unreachable() {
        let params = DeviceParams::default();
        let scale = ReadScale {
            bits: 8,
            g_full_scale: 128e-6,
        };
        let mut array = CrossbarArray::new(16, 16, params, 42).unwrap();
        let (mut converged, mut pulses) = (0, 0);
        for row in 0..16 {
            for col in 0..16 {
                // A level of 16, +-2 LSB around its nominal code.
                let level = ((row * 16 + col) % 16) as f64;
                let g = params.g_off + level * (params.g_on - params.g_off) / 15.0;
                let centre = scale.code(g);
                let window = (centre.saturating_sub(2), centre + 2);
                let at = DeviceAt {
                    row,
                    col,
                    positive: true,
                };
                let outcome = write_verify(&mut array, at, &scale, window, 100);
                assert_eq!(outcome.codes.len() as u32, outcome.pulses + 1);
                if !outcome.failed {
                    converged += 1;
                    let last = *outcome.codes.last().unwrap();
                    assert!((window.0..=window.1).contains(&last));
                }
                pulses += outcome.pulses;
            }
        }
        // 5 % device variation, 1 % read noise: nearly every device gets there.
        assert!(converged >= 250, "{converged} of 256 converged");
        eprintln!(
            "{converged}/256 converged, {:.1} pulses per device",
            pulses as f64 / 256.0
        );
        // A window above g_on (at most 100 µS x e^(3 sigma)) cannot be reached: flagged after
        // spending the whole budget.
        let at = DeviceAt {
            row: 0,
            col: 0,
            positive: false,
        };
        let outcome = write_verify(&mut array, at, &scale, (250, 255), 30);
        assert!(outcome.failed);
        assert_eq!(outcome.pulses, 30);
    }
}
