//! `SarAdc` at its own pins against the quantizer's definition (`fixed::adc::sar_code`), with
//! the analog macro modelled here: a sample-and-hold that captures the input when `sample` is
//! high at a rising edge, and an ideal comparator `held >= dac_code` evaluated after every
//! settle. Every 8-bit level is converted, with inputs just below, at and between levels, out
//! of range on both sides, and with back-to-back conversions (`start` held high).

use rust_hdl::prelude::*;

use crate::fixed::adc::sar_code;
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::sar_adc::SarAdc;

const BITS: usize = 8;

struct Harness {
    sim: Clocked<SarAdc<BITS>>,
    /// The macro's sample-and-hold.
    held: f64,
}

impl Harness {
    fn new() -> Harness {
        let mut adc = SarAdc::<BITS>::default();
        adc.clock.connect();
        adc.start.connect();
        adc.comparator.connect();
        adc.connect_all();
        Harness {
            sim: Clocked::new(adc, |a| &mut a.clock, "SarAdc"),
            held: 0.0,
        }
    }

    /// One cycle with `start` and the analog input `x`: settle, let the comparator answer the
    /// DAC code, then the rising edge (the S/H samples if `sample` is high). Returns the
    /// pins seen in the cycle: (sample, busy, done, code).
    fn cycle(&mut self, start: bool, x: f64) -> (bool, bool, bool, u64) {
        poke(&mut self.sim.block.start, start);
        self.sim.mark_dirty();
        self.sim.settle_if_dirty();
        let dac = self.sim.block.dac_code.val().index() as f64;
        poke(&mut self.sim.block.comparator, self.held >= dac);
        self.sim.mark_dirty();
        self.sim.settle_if_dirty();
        let block = &self.sim.block;
        let seen = (
            block.sample.val(),
            block.busy.val(),
            block.done.val(),
            block.code.val().index() as u64,
        );
        if seen.0 {
            self.held = x;
        }
        self.sim.rise();
        seen
    }
}

#[test]
fn sar_adc_converts_every_8_bit_level_as_the_quantizer_defines() {
    let mut h = Harness::new();
    let mut inputs: Vec<f64> = Vec::new();
    for level in 0..256 {
        let c = f64::from(level);
        inputs.extend([c, c + 0.5, c + 0.999_999]);
        if level > 0 {
            inputs.push(c - 1e-9);
        }
    }
    inputs.extend([-1.0, -1e-9, 255.5, 256.0, 1000.0]);
    let mut conversions = 0;
    for (n, &x) in inputs.iter().enumerate() {
        // Alternate an idle gap with `start` held high through the conversion.
        let hold_start = n % 2 == 1;
        if !hold_start {
            let (sample, busy, done, _) = h.cycle(false, 0.0);
            assert!(!sample && !busy && !done);
        }
        let (sample, busy, _, _) = h.cycle(true, x);
        assert!(sample && !busy, "start while idle is taken at once");
        for k in 0..BITS {
            let (sample, busy, done, _) = h.cycle(hold_start, 0.0);
            assert!(
                !sample && busy && !done,
                "cycle {} of the conversion",
                k + 1
            );
        }
        // The done cycle (`start` low: a `start` here would begin the next conversion).
        poke(&mut h.sim.block.start, false);
        h.sim.mark_dirty();
        h.sim.settle_if_dirty();
        let block = &h.sim.block;
        assert!(
            block.done.val() && !block.busy.val(),
            "done after {BITS} comparisons"
        );
        let code = block.code.val().index() as u32;
        assert_eq!(code, sar_code(x, BITS as u32), "input {x} LSB");
        h.sim.rise();
        conversions += 1;
        // The result is held while idle.
        let (_, _, done, held_code) = h.cycle(false, 0.0);
        assert!(!done);
        assert_eq!(held_code as u32, code);
    }
    assert_eq!(conversions, inputs.len());
}

/// The controller's Verilog passes `verilator --lint-only -Wall` with the project waivers.
#[test]
fn sar_adc_verilog_lints_clean() {
    let mut adc = SarAdc::<BITS>::default();
    adc.clock.connect();
    adc.start.connect();
    adc.comparator.connect();
    adc.connect_all();
    super::assert_verilog_lints_clean(&adc, "neurofab_sar_adc");
}
