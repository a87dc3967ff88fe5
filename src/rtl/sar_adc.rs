//! Successive-approximation ADC controller: the digital half of a SAR converter, one comparison
//! per cycle against the comparator pin of the analog macro (the crossbar's column ADC).
//!
//! # Pins
//! - `start` (accepted while idle): pulses `sample` in the same cycle, so the macro's
//!   sample-and-hold captures the input, and begins a conversion.
//! - `dac_code` -> the macro's DAC; `comparator` <- the macro, high when the held input is at
//!   or above the DAC's output (`x >= dac_code`, in LSB). The comparator is asynchronous: it is
//!   sampled at the end of the cycle in which `dac_code` is presented.
//! - `busy` while converting; `done` pulses for one cycle with the result on `code`, which is
//!   held until the next `start`.
//!
//! # Timing (`B` bits)
//! `start` in cycle 0; bit `B - 1 - k` is tried in cycle `k + 1` (`dac_code = code so far | bit`)
//! and kept if `comparator` is high; `done` in cycle `B + 1`. So a conversion takes `B + 1`
//! cycles from `start` to `done`, and a new `start` is accepted in the `done` cycle.
//!
//! The result is [`crate::fixed::adc::sar_code`] of the held input: floor, clamped to
//! `0..=2^B - 1` (`src/rtl/block_tests/sar_adc.rs` checks every level at 8 bits).

use rust_hdl::prelude::*;

/// A `B`-bit SAR controller (`1 <= B <= 16`).
#[derive(LogicBlock)]
pub struct SarAdc<const B: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Start a conversion (honoured while idle).
    pub start: Signal<In, Bit>,
    /// Sample-and-hold strobe to the macro: high in the cycle a conversion starts.
    pub sample: Signal<Out, Bit>,
    /// Trial code to the macro's DAC.
    pub dac_code: Signal<Out, Bits<B>>,
    /// From the macro: the held input is at or above `dac_code`.
    pub comparator: Signal<In, Bit>,
    /// A conversion is in progress.
    pub busy: Signal<Out, Bit>,
    /// One-cycle pulse: `code` is the new result.
    pub done: Signal<Out, Bit>,
    /// The last result.
    pub code: Signal<Out, Bits<B>>,
    /// Bits kept so far (the result once done).
    result: DFF<Bits<B>>,
    /// One-hot: the bit being tried (0 when idle).
    trial_bit: DFF<Bits<B>>,
    converting: DFF<Bit>,
    done_pulse: DFF<Bit>,
    msb: Constant<Bits<B>>,
    /// `B`-bit zero (a bare `0` is a 32-bit literal in the Verilog).
    zero: Constant<Bits<B>>,
}

impl<const B: usize> Default for SarAdc<B> {
    fn default() -> Self {
        assert!((1..=16).contains(&B), "SAR width {B} out of 1..=16");
        Self {
            clock: Default::default(),
            start: Default::default(),
            sample: Default::default(),
            dac_code: Default::default(),
            comparator: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            code: Default::default(),
            result: Default::default(),
            trial_bit: Default::default(),
            converting: Default::default(),
            done_pulse: Default::default(),
            msb: Constant::new(Bits::<B>::from(1u64 << (B - 1))),
            zero: Constant::new(Bits::<B>::default()),
        }
    }
}

impl<const B: usize> Logic for SarAdc<B> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, result, trial_bit, converting, done_pulse);
        self.busy.next = self.converting.q.val();
        self.done.next = self.done_pulse.q.val();
        self.code.next = self.result.q.val();
        self.dac_code.next = self.result.q.val() | self.trial_bit.q.val();
        self.sample.next = false;
        self.done_pulse.d.next = false;
        if self.converting.q.val() {
            // Keep the trial bit if the held input is at or above the trial code.
            if self.comparator.val() {
                self.result.d.next = self.result.q.val() | self.trial_bit.q.val();
            }
            self.trial_bit.d.next = self.trial_bit.q.val() >> 1;
            // The LSB was the last trial.
            if self.trial_bit.q.val().get_bit(0) {
                self.converting.d.next = false;
                self.done_pulse.d.next = true;
            }
        } else if self.start.val() {
            self.sample.next = true;
            self.result.d.next = self.zero.val();
            self.trial_bit.d.next = self.msb.val();
            self.converting.d.next = true;
        }
    }
}
