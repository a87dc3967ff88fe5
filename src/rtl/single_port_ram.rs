//! A single-port memory with "no-change" read-during-write: the pattern Yosys maps to the
//! iCE40 UP5K's single-port RAM (`SB_SPRAM256KA`, `synth_ice40 -spram`), and to block RAM
//! elsewhere.
//!
//! One address serves both directions: in a cycle with `write_enable` high the word at
//! `address` is written and `read_data` keeps its value; in any other cycle the word at
//! `address` is read (registered, on `read_data` after the edge). Yosys infers the SPRAM only
//! from this shape (`if (we) mem[a] <= d; else q <= mem[a];`), not from a read-first port, so
//! the simulation model below follows the emitted Verilog exactly. Which RAM the memory ends up
//! in is the exporter's choice (`export::fpga` adds a `ram_style` attribute on boards with
//! SPRAM); this block does not know.

use rust_hdl::prelude::*;

/// A `2^N`-word single-port memory of `D`, all words zero at power-up.
#[derive(LogicBlock)]
pub struct SinglePortRam<D: Synth, const N: usize> {
    /// Clock: every access happens on its rising edge.
    pub clock: Signal<In, Clock>,
    /// The word written, or read, this cycle.
    pub address: Signal<In, Bits<N>>,
    /// Write `write_data` to `address` instead of reading it.
    pub write_enable: Signal<In, Bit>,
    /// Word written when `write_enable` is high.
    pub write_data: Signal<In, D>,
    /// The word at `address` as of the last rising edge of `clock` without a write (held
    /// through writes).
    pub read_data: Signal<Out, D>,
    // Simulation contents (the leading underscore keeps it out of the signal tree).
    _words: Vec<D>,
}

impl<D: Synth, const N: usize> Default for SinglePortRam<D, N> {
    fn default() -> Self {
        SinglePortRam {
            clock: Default::default(),
            address: Default::default(),
            write_enable: Default::default(),
            write_data: Default::default(),
            read_data: Default::default(),
            _words: vec![D::default(); 1 << N],
        }
    }
}

impl<D: Synth, const N: usize> Logic for SinglePortRam<D, N> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            let index = self.address.val().index();
            if self.write_enable.val() {
                self._words[index] = self.write_data.val();
            } else {
                self.read_data.next = self._words[index];
            }
        }
    }

    fn connect(&mut self) {
        self.read_data.connect();
    }

    // The `reg[..] mem[..];` line is the one `export::verilog::add_image_hooks` looks for (a
    // `$readmemh` image makes Yosys keep the memory in block RAM: SPRAM has no initial
    // contents).
    fn hdl(&self) -> Verilog {
        Verilog::Custom(format!(
            "\
reg[{msb}:0] mem[{last}:0];

always @(posedge clock) begin
   if (write_enable) begin
      mem[address] <= write_data;
   end else begin
      read_data <= mem[address];
   end
end
",
            msb = D::BITS - 1,
            last = (1usize << N) - 1,
        ))
    }

    fn timing(&self) -> Vec<TimingInfo> {
        vec![TimingInfo {
            name: "single_port_ram".into(),
            clock: "clock".into(),
            inputs: vec!["address".into(), "write_data".into(), "write_enable".into()],
            outputs: vec!["read_data".into()],
        }]
    }
}
