//! Program-and-verify controller: brings one memristive device into a target window of ADC
//! codes by alternating reads and programming pulses, and flags a device it cannot bring there.
//!
//! # Pins
//! - `start` (idle only) with the window `target_lo..=target_hi` (ADC codes) and the pulse
//!   budget `max_pulses`, all sampled at `start`.
//! - The read path: `read_start` (one-cycle pulse) asks for a read of the device; the read path
//!   answers after any number of cycles with `read_done` and the code on `read_code` (for a
//!   crossbar: row drive, settle, sample-and-hold, [`SarAdc`](super::sar_adc::SarAdc)).
//! - The macro's programming pins: `pulse_set` (conductance up) and `pulse_reset` (down), one
//!   cycle each.
//! - `busy`; `done` pulses once at the end, with `failed` (held until the next `start`) and
//!   `pulses` (pulses applied in this run).
//!
//! # Algorithm (the reference is `analog::program::write_verify`)
//! ```text
//! pulses = 0
//! loop:
//!     code = read()
//!     if target_lo <= code <= target_hi: done, ok
//!     if pulses == max_pulses:           done, failed
//!     pulse(SET if code < target_lo else RESET); pulses += 1
//! ```
//! Every pulse is followed by a verifying read, so a run ends on a read: `max_pulses + 1` reads
//! at most. Cycles per iteration: 1 (read request) + the read latency + 1 (pulse).

use rust_hdl::prelude::*;

use super::clocked::Clocked;

/// Controller state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum WriteVerifyState {
    /// Waiting for `start`.
    Idle,
    /// Issue a read.
    Read,
    /// Waiting for the read path's answer.
    WaitRead,
    /// Apply the pulse chosen by the last read.
    Pulse,
}

/// A program-and-verify controller for `B`-bit ADC codes.
#[derive(LogicBlock)]
pub struct WriteVerify<const B: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Start programming one device (idle only).
    pub start: Signal<In, Bit>,
    /// Lowest accepted code (inclusive), sampled at `start`.
    pub target_lo: Signal<In, Bits<B>>,
    /// Highest accepted code (inclusive), sampled at `start`.
    pub target_hi: Signal<In, Bits<B>>,
    /// Pulse budget, sampled at `start`.
    pub max_pulses: Signal<In, Bits<8>>,
    /// One-cycle request for a read of the device.
    pub read_start: Signal<Out, Bit>,
    /// The read path's answer is on `read_code`.
    pub read_done: Signal<In, Bit>,
    /// The device's code.
    pub read_code: Signal<In, Bits<B>>,
    /// One SET pulse (conductance up).
    pub pulse_set: Signal<Out, Bit>,
    /// One RESET pulse (conductance down).
    pub pulse_reset: Signal<Out, Bit>,
    /// Programming in progress.
    pub busy: Signal<Out, Bit>,
    /// One-cycle pulse at the end of a run.
    pub done: Signal<Out, Bit>,
    /// The last run ended outside the window with its budget spent.
    pub failed: Signal<Out, Bit>,
    /// Pulses applied in the last (or current) run.
    pub pulses: Signal<Out, Bits<8>>,
    state: DFF<WriteVerifyState>,
    lo: DFF<Bits<B>>,
    hi: DFF<Bits<B>>,
    budget: DFF<Bits<8>>,
    count: DFF<Bits<8>>,
    /// The pulse to apply is SET (else RESET).
    go_up: DFF<Bit>,
    done_pulse: DFF<Bit>,
    failed_flag: DFF<Bit>,
    /// 8-bit zero (a bare `0` is a 32-bit literal in the Verilog).
    zero: Constant<Bits<8>>,
}

impl<const B: usize> Default for WriteVerify<B> {
    fn default() -> Self {
        assert!((1..=16).contains(&B), "code width {B} out of 1..=16");
        Self {
            clock: Default::default(),
            start: Default::default(),
            target_lo: Default::default(),
            target_hi: Default::default(),
            max_pulses: Default::default(),
            read_start: Default::default(),
            read_done: Default::default(),
            read_code: Default::default(),
            pulse_set: Default::default(),
            pulse_reset: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            failed: Default::default(),
            pulses: Default::default(),
            state: Default::default(),
            lo: Default::default(),
            hi: Default::default(),
            budget: Default::default(),
            count: Default::default(),
            go_up: Default::default(),
            done_pulse: Default::default(),
            failed_flag: Default::default(),
            zero: Constant::new(Bits::<8>::default()),
        }
    }
}

impl<const B: usize> WriteVerify<B> {
    /// The controller alone as a simulation top, driven from Rust: every input is a top-level
    /// pin (the program path of `sim::xbar_program` and the block tests).
    pub(crate) fn clocked() -> Clocked<WriteVerify<B>> {
        let mut block = WriteVerify::<B>::default();
        block.clock.connect();
        block.start.connect();
        block.target_lo.connect();
        block.target_hi.connect();
        block.max_pulses.connect();
        block.read_done.connect();
        block.read_code.connect();
        block.connect_all();
        Clocked::new(block, |b| &mut b.clock, "WriteVerify")
    }
}

impl<const B: usize> Logic for WriteVerify<B> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            lo,
            hi,
            budget,
            count,
            go_up,
            done_pulse,
            failed_flag
        );
        self.read_start.next = false;
        self.pulse_set.next = false;
        self.pulse_reset.next = false;
        self.done_pulse.d.next = false;
        self.busy.next = self.state.q.val() != WriteVerifyState::Idle;
        self.done.next = self.done_pulse.q.val();
        self.failed.next = self.failed_flag.q.val();
        self.pulses.next = self.count.q.val();
        match self.state.q.val() {
            WriteVerifyState::Idle => {
                if self.start.val() {
                    self.lo.d.next = self.target_lo.val();
                    self.hi.d.next = self.target_hi.val();
                    self.budget.d.next = self.max_pulses.val();
                    self.count.d.next = self.zero.val();
                    self.failed_flag.d.next = false;
                    self.state.d.next = WriteVerifyState::Read;
                }
            }
            WriteVerifyState::Read => {
                self.read_start.next = true;
                self.state.d.next = WriteVerifyState::WaitRead;
            }
            WriteVerifyState::WaitRead => {
                if self.read_done.val() {
                    if (self.read_code.val() >= self.lo.q.val())
                        & (self.read_code.val() <= self.hi.q.val())
                    {
                        self.done_pulse.d.next = true;
                        self.state.d.next = WriteVerifyState::Idle;
                    } else if self.count.q.val() == self.budget.q.val() {
                        self.done_pulse.d.next = true;
                        self.failed_flag.d.next = true;
                        self.state.d.next = WriteVerifyState::Idle;
                    } else {
                        self.go_up.d.next = self.read_code.val() < self.lo.q.val();
                        self.state.d.next = WriteVerifyState::Pulse;
                    }
                }
            }
            WriteVerifyState::Pulse => {
                self.pulse_set.next = self.go_up.q.val();
                self.pulse_reset.next = !self.go_up.q.val();
                self.count.d.next = self.count.q.val() + 1;
                self.state.d.next = WriteVerifyState::Read;
            }
            _ => {
                self.state.d.next = WriteVerifyState::Idle;
            }
        }
    }
}
