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

use super::ports::{PortDir, PortSpec};
use crate::analog::column_read::ColumnReader;
use crate::analog::device::Pulse;

/// The pins the macro samples at a rising edge (their values just before it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MacroEdge {
    /// `row_addr`.
    pub row_addr: usize,
    /// `row_set`.
    pub row_set: bool,
    /// `rows_clear`.
    pub rows_clear: bool,
    /// `drive`.
    pub drive: bool,
    /// `sample`.
    pub sample: bool,
    /// `prog_row`.
    pub prog_row: usize,
    /// `prog_col`.
    pub prog_col: usize,
    /// `prog_set`.
    pub prog_set: bool,
    /// `prog_reset`.
    pub prog_reset: bool,
}

impl MacroEdge {
    /// Whether the edge changes anything (a strobe is high).
    pub fn acts(&self) -> bool {
        self.row_set || self.rows_clear || self.sample || self.prog_set || self.prog_reset
    }
}

/// The behavioural model behind the macro's pins, whatever simulates the controller: the rtl
/// engine's [`XbarMacro`] and the Verilator engine (`sim::verilated_crossbar`) both call
/// [`MacroBehaviour::rising_edge`] with the pins sampled at each edge and
/// [`MacroBehaviour::comparator`] with the settled `col_select` and `dac_code`, so both
/// engines read the same devices in the same order.
#[derive(Clone, Debug)]
pub struct MacroBehaviour {
    model: Option<ColumnReader>,
    latched: Vec<bool>,
    held: Vec<f64>,
}

impl MacroBehaviour {
    /// A macro of `rows` rows and `columns` physical columns, no array loaded yet.
    pub fn new(rows: usize, columns: usize) -> Self {
        MacroBehaviour {
            model: None,
            latched: vec![false; rows],
            held: vec![0.0; columns],
        }
    }

    /// Puts the programmed array behind the pins (as many rows and physical columns).
    pub fn load(&mut self, model: ColumnReader) {
        assert_eq!(model.rows(), self.latched.len(), "rows");
        assert_eq!(2 * model.cols(), self.held.len(), "physical columns");
        self.model = Some(model);
    }

    /// Rows latched for the next read.
    pub fn latched_rows(&self) -> Vec<usize> {
        (0..self.latched.len())
            .filter(|&i| self.latched[i])
            .collect()
    }

    fn model(&mut self) -> &mut ColumnReader {
        self.model
            .as_mut()
            .expect("the crossbar macro has no array loaded (XbarMacro::load)")
    }

    /// A rising edge with the pins `edge`: row latches (set, then clear), the sample-and-hold
    /// (over the latches after this edge's set and clear), then a programming pulse.
    pub fn rising_edge(&mut self, edge: &MacroEdge) {
        if edge.row_set {
            self.latched[edge.row_addr] = true;
        }
        if edge.rows_clear {
            self.latched.iter_mut().for_each(|l| *l = false);
        }
        if edge.sample {
            self.held = if edge.drive && self.latched.contains(&true) {
                let latched = self.latched.clone();
                self.model()
                    .sample(&latched)
                    .expect("a checked crossbar's nodal matrix is positive definite")
            } else {
                vec![0.0; self.held.len()]
            };
        }
        let pulse = match (edge.prog_set, edge.prog_reset) {
            (true, _) => Some(Pulse::Set),
            (false, true) => Some(Pulse::Reset),
            (false, false) => None,
        };
        if let Some(pulse) = pulse {
            self.model().pulse(edge.prog_row, edge.prog_col, pulse);
        }
    }

    /// The comparator: the held value of physical column `column` is at or above `dac_code`
    /// LSB (`x >= code`, the SAR's convention).
    pub fn comparator(&self, column: usize, dac_code: usize) -> bool {
        self.held[column] >= dac_code as f64
    }
}

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
    // Behavioural state (a leading underscore keeps it out of the signal tree).
    _behaviour: MacroBehaviour,
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
            _behaviour: MacroBehaviour::new(1 << AB, 1 << CB),
        }
    }
}

impl<const AB: usize, const CB: usize, const B: usize> XbarMacro<AB, CB, B> {
    /// Puts the behavioural array behind the pins (`2^AB` rows, `2^(CB - 1)` logical
    /// columns, programmed by the caller).
    pub fn load(&mut self, model: ColumnReader) {
        self._behaviour.load(model);
    }

    /// Rows latched for the next read.
    pub fn latched_rows(&self) -> Vec<usize> {
        self._behaviour.latched_rows()
    }
}

impl<const AB: usize, const CB: usize, const B: usize> Logic for XbarMacro<AB, CB, B> {
    fn update(&mut self) {
        if self.clock.pos_edge() {
            self._behaviour.rising_edge(&MacroEdge {
                row_addr: self.row_addr.val().index(),
                row_set: self.row_set.val(),
                rows_clear: self.rows_clear.val(),
                drive: self.drive.val(),
                sample: self.sample.val(),
                prog_row: self.prog_row.val().index(),
                prog_col: self.prog_col.val().index(),
                prog_set: self.prog_set.val(),
                prog_reset: self.prog_reset.val(),
            });
        }
        self.comparator.next = self
            ._behaviour
            .comparator(self.col_select.val().index(), self.dac_code.val().index());
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

/// The macro's pins besides the clock, in port-list order, as seen from the macro: the one
/// list behind the black box's declaration ([`macro_port_list`]) and the Verilator engine's
/// wrapper, which brings them out as top-level ports.
pub fn macro_pins(row_bits: usize, col_bits: usize, dac_bits: usize) -> Vec<PortSpec> {
    let (row, col, dac) = (row_bits as u32, col_bits as u32, dac_bits as u32);
    vec![
        PortSpec::input("row_addr", row),
        PortSpec::input("row_set", 1),
        PortSpec::input("rows_clear", 1),
        PortSpec::input("drive", 1),
        PortSpec::input("sample", 1),
        PortSpec::input("col_select", col),
        PortSpec::input("dac_code", dac),
        PortSpec::output("comparator", 1),
        PortSpec::input("prog_row", row),
        PortSpec::input("prog_col", col),
        PortSpec::input("prog_set", 1),
        PortSpec::input("prog_reset", 1),
    ]
}

/// A port's declaration in a module body (`  input [5:0] row_addr;`).
pub fn port_declaration(port: &PortSpec) -> String {
    let dir = match port.dir {
        PortDir::Input => "input",
        PortDir::Output => "output",
    };
    match port.width {
        1 => format!("  {dir} {};\n", port.name),
        width => format!("  {dir} [{}:0] {};\n", width - 1, port.name),
    }
}

/// The black box's Verilog declaration: the port list an analog macro must implement.
pub fn macro_port_list(row_bits: usize, col_bits: usize, dac_bits: usize) -> String {
    let pins = macro_pins(row_bits, col_bits, dac_bits);
    let names: Vec<&str> = pins.iter().map(|p| p.name.as_str()).collect();
    let declarations: String = pins.iter().map(port_declaration).collect();
    format!(
        "\n// The crossbar's analog array: {rows} rows, {cols} physical columns (G+ at even, G- \
         at odd),\n// a {dac_bits}-bit DAC and comparator. Pins as in src/rtl/xbar_macro.rs.\n\
         // A port list only: the inputs are read and `comparator` driven by the macro that\n\
         // replaces it.\n\
         /* verilator lint_off UNUSEDSIGNAL */\n\
         /* verilator lint_off UNDRIVEN */\n\
         (* blackbox *)\n\
         module {XBAR_MACRO_MODULE}(clock, {names});\n\
         \x20 input clock;\n\
         {declarations}\
         endmodule\n\
         /* verilator lint_on UNDRIVEN */\n\
         /* verilator lint_on UNUSEDSIGNAL */\n",
        rows = 1usize << row_bits,
        cols = 1usize << col_bits,
        names = names.join(", "),
    )
}
