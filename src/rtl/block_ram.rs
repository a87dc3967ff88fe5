//! The block RAM every memory in our blocks is built from.
//!
//! Its ports and Verilog are those of rust-hdl's `RAM` widget (registered read on `read_clock`,
//! one write port on `write_clock`), which Yosys infers as iCE40 EBR / ECP5 DP16KD. The
//! difference is the simulation model: rust-hdl keeps the contents in a `BTreeMap` keyed by
//! `Bits`, so every read and write in the rtl engine walked a tree; here they are a `Vec`
//! index. Having our own type also keeps the memory primitive behind our module boundary.

use rust_hdl::prelude::*;

/// A `2^N`-word memory of `D`, all words zero at power-up.
#[derive(LogicBlock)]
pub struct BlockRam<D: Synth, const N: usize> {
    /// Read address, sampled on the rising edge of `read_clock`.
    pub read_address: Signal<In, Bits<N>>,
    /// Read clock.
    pub read_clock: Signal<In, Clock>,
    /// The word at `read_address` as of the last rising edge of `read_clock`.
    pub read_data: Signal<Out, D>,
    /// Write address.
    pub write_address: Signal<In, Bits<N>>,
    /// Write clock.
    pub write_clock: Signal<In, Clock>,
    /// Word written on the rising edge of `write_clock` when `write_enable` is high.
    pub write_data: Signal<In, D>,
    /// Write strobe.
    pub write_enable: Signal<In, Bit>,
    // Simulation contents (the leading underscore keeps it out of the signal tree).
    _words: Vec<D>,
}

impl<D: Synth, const N: usize> Default for BlockRam<D, N> {
    fn default() -> Self {
        BlockRam {
            read_address: Default::default(),
            read_clock: Default::default(),
            read_data: Default::default(),
            write_address: Default::default(),
            write_clock: Default::default(),
            write_data: Default::default(),
            write_enable: Default::default(),
            _words: vec![D::default(); 1 << N],
        }
    }
}

impl<D: Synth, const N: usize> Logic for BlockRam<D, N> {
    fn update(&mut self) {
        // Read before write: a read and a write of the same address in one cycle return the
        // old word, as the Verilog below does.
        if self.read_clock.pos_edge() {
            self.read_data.next = self._words[self.read_address.val().index()];
        }
        if self.write_clock.pos_edge() && self.write_enable.val() {
            self._words[self.write_address.val().index()] = self.write_data.val();
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    // The Verilog and timing are rust-hdl's `RAM` (without initial contents), so that
    // block-RAM inference and the `$readmemh` hooks (`export::verilog`) are unchanged.
    fn hdl(&self) -> Verilog {
        RAM::<D, N>::default().hdl()
    }

    fn timing(&self) -> Vec<TimingInfo> {
        RAM::<D, N>::default().timing()
    }
}
