//! The analog crossbar behind its pins: `neurofab_xbar_macro`.
//!
//! In Verilog this block is a black box (only its port list is written), so an ASIC flow can
//! drop in a real macro. In the rtl engine its `update` is the behavioural model
//! ([`crate::analog::column_read::ColumnReader`], loaded with [`XbarMacro::load`]): it latches
//! rows, samples every column at once, and answers the comparator from the held values.
//!
//! # Pins (`2^AB` rows, `2^CB` physical columns, a `B`-bit DAC)
//! - `row_addr`, `row_set`: on a rising edge with `row_set`, row `row_addr`'s driver latch is
//!   set (a spike is a read pulse on its row). `rows_clear`: on a rising edge, every latch is
//!   cleared (applied after `row_set`; the stage never raises both).
//! - `drive`: latched rows are at the read voltage while high (the settle time is counted by
//!   the controller).
//! - `sample`: on a rising edge with `drive` high, every physical column's sample-and-hold
//!   captures its value ([`ColumnReader::sample`] over the latched rows: one read, its read
//!   noise drawn then). A `sample` without `drive` holds zeros (no row driven, no draw).
//! - `col_select`, `dac_code` -> `comparator`: high when the held value of column
//!   `col_select` is at or above `dac_code` LSB (combinational, like a comparator behind a
//!   DAC and a column multiplexer).
//! - `prog_row`, `prog_col`, `prog_set`, `prog_reset`: on a rising edge, one SET or RESET
//!   pulse on the device of `(prog_row, prog_col)` (the program-and-verify controller's pins;
//!   the read stage ties them low).

use rust_hdl::prelude::*;

use crate::analog::column_read::ColumnReader;
use crate::analog::device::Pulse;

/// Name of the black-box module in the Verilog.
pub const XBAR_MACRO_MODULE: &str = "neurofab_xbar_macro";

/// The analog array of a stage with `2^AB` rows, `2^CB` physical columns and a `B`-bit DAC.
#[derive(LogicBlock)]
pub struct XbarMacro<const AB: usize, const CB: usize, const B: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Row whose driver latch `row_set` sets.
    pub row_addr: Signal<In, Bits<AB>>,
    /// Set the latch of `row_addr`.
    pub row_set: Signal<In, Bit>,
    /// Clear every row latch.
    pub rows_clear: Signal<In, Bit>,
    /// Drive the latched rows.
    pub drive: Signal<In, Bit>,
    /// Sample-and-hold every column.
    pub sample: Signal<In, Bit>,
    /// Column to compare.
    pub col_select: Signal<In, Bits<CB>>,
    /// DAC code, LSB.
    pub dac_code: Signal<In, Bits<B>>,
    /// Held value of `col_select` >= `dac_code`.
    pub comparator: Signal<Out, Bit>,
    /// Row of a programming pulse.
    pub prog_row: Signal<In, Bits<AB>>,
    /// Physical column of a programming pulse.
    pub prog_col: Signal<In, Bits<CB>>,
    /// SET pulse.
    pub prog_set: Signal<In, Bit>,
    /// RESET pulse.
    pub prog_reset: Signal<In, Bit>,
    // Behavioural state (leading underscores keep it out of the signal tree).
    _model: Option<ColumnReader>,
    _latched: Vec<bool>,
    _held: Vec<f64>,
}

impl<const AB: usize, const CB: usize, const B: usize> Default for XbarMacro<AB, CB, B> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            row_addr: Default::default(),
            row_set: Default::default(),
            rows_clear: Default::default(),
            drive: Default::default(),
            sample: Default::default(),
            col_select: Default::default(),
            dac_code: Default::default(),
            comparator: Default::default(),
            prog_row: Default::default(),
            prog_col: Default::default(),
            prog_set: Default::default(),
            prog_reset: Default::default(),
            _model: None,
            _latched: vec![false; 1 << AB],
            _held: vec![0.0; 1 << CB],
        }
    }
}

impl<const AB: usize, const CB: usize, const B: usize> XbarMacro<AB, CB, B> {
    /// Puts the behavioural array behind the pins (`2^AB` rows, `2^(CB - 1)` logical
    /// columns, programmed by the caller).
    pub fn load(&mut self, model: ColumnReader) {
        assert_eq!(model.rows(), 1 << AB, "rows");
        assert_eq!(2 * model.cols(), 1 << CB, "physical columns");
        self._model = Some(model);
    }

    /// Rows latched for the next read.
    pub fn latched_rows(&self) -> Vec<usize> {
        (0..self._latched.len())
            .filter(|&i| self._latched[i])
            .collect()
    }

    fn model(&mut self) -> &mut ColumnReader {
        self._model
            .as_mut()
            .expect("the crossbar macro has no array loaded (XbarMacro::load)")
    }
}

impl<const AB: usize, const CB: usize, const B: usize> Logic for XbarMacro<AB, CB, B> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            if self.row_set.val() {
                self._latched[self.row_addr.val().index()] = true;
            }
            if self.rows_clear.val() {
                self._latched.iter_mut().for_each(|l| *l = false);
            }
            if self.sample.val() {
                self._held = if self.drive.val() && self._latched.contains(&true) {
                    let latched = self._latched.clone();
                    self.model()
                        .sample(&latched)
                        .expect("a checked crossbar's nodal matrix is positive definite")
                } else {
                    vec![0.0; 1 << CB]
                };
            }
            let pulse = match (self.prog_set.val(), self.prog_reset.val()) {
                (true, _) => Some(Pulse::Set),
                (false, true) => Some(Pulse::Reset),
                (false, false) => None,
            };
            if let Some(pulse) = pulse {
                let (row, col) = (self.prog_row.val().index(), self.prog_col.val().index());
                self.model().pulse(row, col, pulse);
            }
        }
        // x >= code, x in LSB: the comparator behind the DAC (the SAR's convention).
        let held = self._held[self.col_select.val().index()];
        self.comparator.next = held >= self.dac_code.val().index() as f64;
    }

    fn connect(&mut self) {
        self.comparator.connect();
    }

    fn hdl(&self) -> Verilog {
        Verilog::Blackbox(BlackBox {
            code: macro_port_list(AB, CB, B),
            name: XBAR_MACRO_MODULE.into(),
        })
    }
}

/// The black box's Verilog declaration: the port list an analog macro must implement.
pub fn macro_port_list(row_bits: usize, col_bits: usize, dac_bits: usize) -> String {
    let vector = |bits: usize| format!("[{}:0]", bits - 1);
    format!(
        "\n// The crossbar's analog array: {rows} rows, {cols} physical columns (G+ at even, G- \
         at odd),\n// a {dac_bits}-bit DAC and comparator. Pins as in src/rtl/xbar_macro.rs.\n\
         // A port list only: the inputs are read and `comparator` driven by the macro that\n\
         // replaces it.\n\
         /* verilator lint_off UNUSEDSIGNAL */\n\
         /* verilator lint_off UNDRIVEN */\n\
         (* blackbox *)\n\
         module {XBAR_MACRO_MODULE}(clock, row_addr, row_set, rows_clear, drive, sample, \
         col_select, dac_code, comparator, prog_row, prog_col, prog_set, prog_reset);\n\
         \x20 input clock;\n\
         \x20 input {row} row_addr;\n\
         \x20 input row_set;\n\
         \x20 input rows_clear;\n\
         \x20 input drive;\n\
         \x20 input sample;\n\
         \x20 input {col} col_select;\n\
         \x20 input {dac} dac_code;\n\
         \x20 output comparator;\n\
         \x20 input {row} prog_row;\n\
         \x20 input {col} prog_col;\n\
         \x20 input prog_set;\n\
         \x20 input prog_reset;\n\
         endmodule\n\
         /* verilator lint_on UNDRIVEN */\n\
         /* verilator lint_on UNUSEDSIGNAL */\n",
        rows = 1usize << row_bits,
        cols = 1usize << col_bits,
        row = vector(row_bits),
        col = vector(col_bits),
        dac = vector(dac_bits),
    )
}
