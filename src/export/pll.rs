//! The board top's PLL: running the design faster than the board's oscillator.
//!
//! The divider search is the one of the vendor-neutral tools that ship with the open flow
//! (`icepll` of Project IceStorm, `ecppll` of Project Trellis), restated here so that `neurofab
//! build --clock-mhz F` needs no further tool:
//!
//! - **iCE40** (`SB_PLL40_PAD` / `SB_PLL40_CORE`, simple feedback): `f_pfd = f_in / (DIVR + 1)`
//!   in 10..133 MHz, `f_vco = f_pfd · (DIVF + 1)` in 533..1066 MHz, `f_out = f_vco / 2^DIVQ`
//!   with DIVR 0..15, DIVF 0..127, DIVQ 1..6; the loop filter range follows `f_pfd`.
//! - **ECP5** (`EHXPLLL`, feedback from CLKOP): `f_pfd = f_in / CLKI_DIV` in 3.125..400 MHz,
//!   `f_out = f_pfd · CLKFB_DIV`, `f_vco = f_out · CLKOP_DIV` in 400..800 MHz, with CLKI_DIV
//!   1..128, CLKFB_DIV 1..80, CLKOP_DIV 1..128; among equally close outputs the one whose VCO
//!   is nearest 600 MHz (as `ecppll` chooses).
//!
//! The search returns the closest achievable frequency; the build then runs at that exact
//! frequency (UART divisor, timing constraint), and refuses one more than 0.5 % off the request.

use std::fmt::Write as _;

use thiserror::Error;

/// Which PLL primitive a board's clock pin feeds.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum PllPrimitive {
    /// iCE40 `SB_PLL40_PAD`: the clock pin is the PLL's dedicated input pad (iCE40UP5K pin 35).
    Ice40Pad,
    /// iCE40 `SB_PLL40_CORE`: the PLL takes the clock from the fabric.
    Ice40Core,
    /// ECP5 `EHXPLLL`.
    Ecp5,
}

/// Divider settings of a PLL and the frequency they give.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Pll {
    /// iCE40 simple-feedback PLL.
    Ice40 {
        /// Pad or core PLL.
        pad: bool,
        /// Reference divider, `f_pfd = f_in / (divr + 1)`.
        divr: u32,
        /// Feedback divider, `f_vco = f_pfd · (divf + 1)`.
        divf: u32,
        /// Output divider, `f_out = f_vco / 2^divq`.
        divq: u32,
        /// Loop filter range for `f_pfd`.
        filter_range: u32,
        /// Output frequency, Hz.
        f_out: f64,
    },
    /// ECP5 EHXPLLL with CLKOP feedback.
    Ecp5 {
        /// Input divider.
        clki_div: u32,
        /// Feedback divider (the multiplier).
        clkfb_div: u32,
        /// CLKOP output divider.
        clkop_div: u32,
        /// Output frequency, Hz.
        f_out: f64,
    },
}

/// A requested frequency the PLL cannot make.
#[derive(Debug, Error, PartialEq)]
pub enum PllError {
    /// Nothing within 0.5 %.
    #[error(
        "a {requested_mhz} MHz clock cannot be made from the {input_mhz} MHz oscillator: the \
         closest the PLL reaches is {closest_mhz:.4} MHz (more than 0.5 % off); the PLL outputs \
         {min_mhz}..{max_mhz} MHz"
    )]
    Unreachable {
        /// Requested output, MHz.
        requested_mhz: f64,
        /// Oscillator, MHz.
        input_mhz: f64,
        /// Closest achievable output, MHz (0 if none at all).
        closest_mhz: f64,
        /// Lowest output the family's PLL makes, MHz.
        min_mhz: f64,
        /// Highest output, MHz.
        max_mhz: f64,
    },
}

/// Largest relative error accepted between the requested and the achieved output.
pub const MAX_ERROR: f64 = 0.005;

impl Pll {
    /// The output frequency in Hz.
    pub fn f_out(&self) -> f64 {
        match *self {
            Pll::Ice40 { f_out, .. } | Pll::Ecp5 { f_out, .. } => f_out,
        }
    }

    /// The closest PLL setting to `requested_hz` from an `input_hz` oscillator.
    pub fn plan(
        primitive: PllPrimitive,
        input_hz: u32,
        requested_hz: f64,
    ) -> Result<Pll, PllError> {
        let best = match primitive {
            PllPrimitive::Ice40Pad | PllPrimitive::Ice40Core => ice40(
                primitive == PllPrimitive::Ice40Pad,
                input_hz as f64,
                requested_hz,
            ),
            PllPrimitive::Ecp5 => ecp5(input_hz as f64, requested_hz),
        };
        let (min_mhz, max_mhz) = match primitive {
            PllPrimitive::Ecp5 => (400.0 / 128.0, 400.0),
            _ => (533.0 / 64.0, 1066.0 / 2.0),
        };
        match best {
            Some(pll) if (pll.f_out() / requested_hz - 1.0).abs() <= MAX_ERROR => Ok(pll),
            other => Err(PllError::Unreachable {
                requested_mhz: requested_hz / 1e6,
                input_mhz: input_hz as f64 / 1e6,
                closest_mhz: other.map_or(0.0, |p| p.f_out() / 1e6),
                min_mhz,
                max_mhz,
            }),
        }
    }

    /// The PLL instance of the board top: `clock_in` (the oscillator pin) in, `clock_out` and
    /// `locked` (wires the caller declares) out.
    pub fn verilog(&self, clock_in: &str, clock_out: &str, locked: &str) -> String {
        let mut v = String::new();
        match *self {
            Pll::Ice40 {
                pad,
                divr,
                divf,
                divq,
                filter_range,
                f_out,
            } => {
                let (cell, input_port) = if pad {
                    ("SB_PLL40_PAD", "PACKAGEPIN")
                } else {
                    ("SB_PLL40_CORE", "REFERENCECLK")
                };
                let _ = writeln!(
                    v,
                    "    // PLL: {:.4} MHz = f_in / {} * {} / 2^{}.\n\
                     \x20   {cell} #(\n\
                     \x20       .FEEDBACK_PATH(\"SIMPLE\"),\n\
                     \x20       .DIVR(4'd{divr}),\n\
                     \x20       .DIVF(7'd{divf}),\n\
                     \x20       .DIVQ(3'd{divq}),\n\
                     \x20       .FILTER_RANGE(3'd{filter_range})\n\
                     \x20   ) pll (\n\
                     \x20       .{input_port}({clock_in}),\n\
                     \x20       .PLLOUTGLOBAL({clock_out}),\n\
                     \x20       .LOCK({locked}),\n\
                     \x20       .RESETB(1'b1),\n\
                     \x20       .BYPASS(1'b0)\n\
                     \x20   );",
                    f_out / 1e6,
                    divr + 1,
                    divf + 1,
                    divq,
                );
            }
            Pll::Ecp5 {
                clki_div,
                clkfb_div,
                clkop_div,
                f_out,
            } => {
                let _ = writeln!(
                    v,
                    "    // PLL: {:.4} MHz = f_in / {clki_div} * {clkfb_div}; VCO {:.1} MHz = output * {clkop_div}.\n\
                     \x20   (* ICP_CURRENT=\"12\" *) (* LPF_RESISTOR=\"8\" *) (* MFG_ENABLE_FILTEROPAMP=\"1\" *) (* MFG_GMCREF_SEL=\"2\" *)\n\
                     \x20   EHXPLLL #(\n\
                     \x20       .PLLRST_ENA(\"DISABLED\"),\n\
                     \x20       .INTFB_WAKE(\"DISABLED\"),\n\
                     \x20       .STDBY_ENABLE(\"DISABLED\"),\n\
                     \x20       .DPHASE_SOURCE(\"DISABLED\"),\n\
                     \x20       .OUTDIVIDER_MUXA(\"DIVA\"),\n\
                     \x20       .CLKI_DIV({clki_div}),\n\
                     \x20       .CLKFB_DIV({clkfb_div}),\n\
                     \x20       .CLKOP_ENABLE(\"ENABLED\"),\n\
                     \x20       .CLKOP_DIV({clkop_div}),\n\
                     \x20       .CLKOP_CPHASE({cphase}),\n\
                     \x20       .CLKOP_FPHASE(0),\n\
                     \x20       .FEEDBK_PATH(\"CLKOP\")\n\
                     \x20   ) pll (\n\
                     \x20       .CLKI({clock_in}),\n\
                     \x20       .CLKFB({clock_out}),\n\
                     \x20       .CLKOP({clock_out}),\n\
                     \x20       .RST(1'b0),\n\
                     \x20       .STDBY(1'b0),\n\
                     \x20       .PHASESEL0(1'b0),\n\
                     \x20       .PHASESEL1(1'b0),\n\
                     \x20       .PHASEDIR(1'b1),\n\
                     \x20       .PHASESTEP(1'b1),\n\
                     \x20       .PHASELOADREG(1'b1),\n\
                     \x20       .PLLWAKESYNC(1'b0),\n\
                     \x20       .ENCLKOP(1'b0),\n\
                     \x20       .LOCK({locked})\n\
                     \x20   );",
                    f_out / 1e6,
                    f_out * clkop_div as f64 / 1e6,
                    // Zero phase with CLKOP feedback, as ecppll writes it.
                    cphase = (clkop_div - 1) / 2,
                );
            }
        }
        v
    }
}

/// icepll's search (simple feedback): the first setting with the smallest error.
fn ice40(pad: bool, f_in: f64, requested: f64) -> Option<Pll> {
    let mut best: Option<(f64, Pll)> = None;
    for divr in 0..=15u32 {
        let f_pfd = f_in / (divr + 1) as f64;
        if !(10e6..=133e6).contains(&f_pfd) {
            continue;
        }
        for divf in 0..=127u32 {
            let f_vco = f_pfd * (divf + 1) as f64;
            if !(533e6..=1066e6).contains(&f_vco) {
                continue;
            }
            for divq in 1..=6u32 {
                let f_out = f_vco / (1u32 << divq) as f64;
                let error = (f_out - requested).abs();
                if best.as_ref().is_none_or(|(e, _)| error < *e) {
                    let filter_range = match f_pfd {
                        f if f < 17e6 => 1,
                        f if f < 26e6 => 2,
                        f if f < 44e6 => 3,
                        f if f < 66e6 => 4,
                        f if f < 101e6 => 5,
                        _ => 6,
                    };
                    let pll = Pll::Ice40 {
                        pad,
                        divr,
                        divf,
                        divq,
                        filter_range,
                        f_out,
                    };
                    best = Some((error, pll));
                }
            }
        }
    }
    best.map(|(_, pll)| pll)
}

/// ecppll's search: smallest error, then the VCO nearest 600 MHz.
fn ecp5(f_in: f64, requested: f64) -> Option<Pll> {
    let mut best: Option<(f64, f64, Pll)> = None;
    for clki_div in 1..=128u32 {
        let f_pfd = f_in / clki_div as f64;
        if !(3.125e6..=400e6).contains(&f_pfd) {
            continue;
        }
        for clkfb_div in 1..=80u32 {
            let f_out = f_pfd * clkfb_div as f64;
            for clkop_div in 1..=128u32 {
                let f_vco = f_out * clkop_div as f64;
                if !(400e6..=800e6).contains(&f_vco) {
                    continue;
                }
                let error = (f_out - requested).abs();
                let vco_distance = (f_vco - 600e6).abs();
                let better = best
                    .as_ref()
                    .is_none_or(|(e, d, _)| error < *e || (error == *e && vco_distance < *d));
                if better {
                    let pll = Pll::Ecp5 {
                        clki_div,
                        clkfb_div,
                        clkop_div,
                        f_out,
                    };
                    best = Some((error, vco_distance, pll));
                }
            }
        }
    }
    best.map(|(_, _, pll)| pll)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected settings are what `icepll -i 12 -o 30` and `ecppll -i 25 -o 50` print.
    #[test]
    fn ice40_matches_icepll() {
        let pll = Pll::plan(PllPrimitive::Ice40Core, 12_000_000, 30e6).unwrap();
        assert_eq!(
            pll,
            Pll::Ice40 {
                pad: false,
                divr: 0,
                divf: 79,
                divq: 5,
                filter_range: 1,
                f_out: 30e6
            }
        );
    }

    #[test]
    fn ecp5_matches_ecppll() {
        let pll = Pll::plan(PllPrimitive::Ecp5, 25_000_000, 50e6).unwrap();
        assert_eq!(
            pll,
            Pll::Ecp5 {
                clki_div: 1,
                clkfb_div: 2,
                clkop_div: 12,
                f_out: 50e6
            }
        );
    }

    #[test]
    fn unreachable_outputs_are_refused() {
        // Above the iCE40 PLL's 533 MHz / 2 output.
        let err = Pll::plan(PllPrimitive::Ice40Pad, 12_000_000, 600e6).unwrap_err();
        assert!(err.to_string().contains("600 MHz"), "{err}");
        // Below ECP5's 3.125 MHz.
        assert!(Pll::plan(PllPrimitive::Ecp5, 25_000_000, 1e6).is_err());
    }

    #[test]
    fn every_setting_is_within_the_datasheet_ranges() {
        for mhz in [16.0, 24.0, 27.0, 30.0, 33.0, 36.0, 48.0] {
            match Pll::plan(PllPrimitive::Ice40Pad, 12_000_000, mhz * 1e6).unwrap() {
                Pll::Ice40 {
                    divr,
                    divf,
                    divq,
                    f_out,
                    ..
                } => {
                    let f_pfd = 12e6 / (divr + 1) as f64;
                    let f_vco = f_pfd * (divf + 1) as f64;
                    assert!((10e6..=133e6).contains(&f_pfd) && (533e6..=1066e6).contains(&f_vco));
                    assert_eq!(f_out, f_vco / (1 << divq) as f64);
                    assert!((f_out / (mhz * 1e6) - 1.0).abs() <= MAX_ERROR);
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
