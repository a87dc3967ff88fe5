//! The one harness that clocks a rust-hdl block from Rust, shared by every rtl engine (core,
//! NoC fabric, multi-core system).
//!
//! It calls rust-hdl's single-threaded `simulate()` on the block instead of the thread-per-clock
//! `Simulation` (~70x faster), settles only when an input changed, and applies the falling
//! clock edge without a settle: every register is rising-edge and every clock a copy of the
//! one clock, so the falling edge changes nothing but the clock signals, which
//! `fall_clocks_silently` sets low (vendor/PATCHES.md, patch 6). A cycle whose inputs did not
//! change costs one settle, the rising edge's; new inputs add one settle before it.
//!
//! Inputs and the clock are [`poke`]d: only `.next` is written, and the first pass of rust-hdl's
//! incremental settle (`simulate_incremental`, vendor/PATCHES.md) latches a block's inputs
//! before its `update()`, skips blocks whose signals did not change, and settles a kernel's
//! local signals in place. The neurocore's rising edge takes about 4 passes over the tree
//! (see `docs/development.md`).

use rust_hdl::prelude::*;

/// Maximum settle iterations; our blocks have no combinational loops, so not converging is a bug.
const SETTLE_ITERATIONS: usize = 200;

/// A block's clock input, as a field accessor.
pub(crate) type ClockOf<B> = for<'a> fn(&'a mut B) -> &'a mut Signal<In, Clock>;

/// Sets an input of a top-level block for the next settle. Only `.next` is written: the first
/// pass of an incremental settle latches the top's inputs before its `update()`
/// (vendor/PATCHES.md, patch 4), so the block sees the new value, and its changed flag, in that
/// pass; a plain `simulate()` latches it after the first `update()`, one pass later.
pub(crate) fn poke<T: Synth>(signal: &mut Signal<In, T>, value: T) {
    signal.next = value;
}

/// A rust-hdl block driven cycle by cycle.
pub(crate) struct Clocked<B: Block> {
    /// The block; set its inputs here, then call [`Clocked::mark_dirty`].
    pub(crate) block: B,
    clock: ClockOf<B>,
    /// Names the block in the settle failure message.
    what: &'static str,
    cycles: u64,
    /// Inputs changed since the last settle.
    dirty: bool,
    /// The clock is still high from the last rising edge.
    clock_high: bool,
}

impl<B: Block> Clocked<B> {
    /// Wraps `block`, whose inputs must already be `connect()`ed and whose `connect_all()` must
    /// have run, and settles it.
    pub(crate) fn new(block: B, clock: ClockOf<B>, what: &'static str) -> Self {
        let mut clocked = Clocked {
            block,
            clock,
            what,
            cycles: 0,
            dirty: true,
            clock_high: false,
        };
        // The first settle evaluates every block; later ones may skip quiet blocks.
        clocked.settle_with(simulate);
        clocked
    }

    /// Raises the block's clock. Since vendored patch 4 (inputs latched before a block's
    /// `update()`) the top's clock reaches every register in the first settle pass; poking the
    /// children's clocks as well, as before, saved nothing.
    fn raise_clock(&mut self) {
        poke((self.clock)(&mut self.block), Clock::from(true));
    }

    fn settle(&mut self) {
        self.settle_with(simulate_incremental);
    }

    fn settle_with(&mut self, settle: fn(&mut B, usize) -> bool) {
        assert!(
            settle(&mut self.block, SETTLE_ITERATIONS),
            "{} failed to settle",
            self.what
        );
        self.dirty = false;
    }

    /// Records that an input changed; outputs are settled again before they are read.
    pub(crate) fn mark_dirty(&mut self) {
        self.dirty = true;
    }

    /// Brings the outputs up to date with the inputs (and a pending falling edge). Returns
    /// whether the falling edge was applied now (waveform writers sample it then).
    pub(crate) fn settle_if_dirty(&mut self) -> bool {
        let fell = self.clock_high;
        if fell {
            // Every register and memory is rising-edge and every clock a copy of this one, so
            // the falling edge changes only the clock signals: set them low without a settle
            // (vendor/PATCHES.md, patch 6). A cycle whose inputs did not change costs one
            // settle, the rising edge's.
            fall_clocks_silently(&mut self.block);
            self.clock_high = false;
        }
        if self.dirty {
            self.settle();
        }
        fell
    }

    /// Applies one rising clock edge (after settling any new inputs).
    pub(crate) fn rise(&mut self) {
        self.settle_if_dirty();
        self.raise_clock();
        self.settle();
        self.clock_high = true;
        self.cycles += 1;
    }

    /// Rising edges applied so far.
    pub(crate) fn cycles(&self) -> u64 {
        self.cycles
    }
}
