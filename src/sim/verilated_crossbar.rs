//! The crossbar core on the Verilator engine: the controller's Verilog compiled by Verilator,
//! the analog array's behavioural model in Rust behind the `neurofab_xbar_macro` pins.
//!
//! The compiled design is the wrapper of
//! [`crate::export::verilog::crossbar_core_verilator_verilog`]: the core's ports, then the
//! macro's pins as ports of their own (`xbar_*`). Each [`Pins::cycle`] does what the rtl
//! engine's [`XbarMacro`](crate::rtl::xbar_macro::XbarMacro) does inside rust-hdl, through the
//! same [`MacroBehaviour`]:
//! 1. before the edge, the comparator from the settled `col_select` and `dac_code` (the SAR
//!    samples it at this edge; no macro input depends on it combinationally, so it is set
//!    after the other pins are read);
//! 2. the edge's strobes (`row_set`, `rows_clear`, `sample`, `prog_set`, `prog_reset`) and,
//!    if any is high, the rest of the pins, as they are just before the edge;
//! 3. the rising edge of the compiled model, then the macro's own edge with those pins.

use crate::analog::column_read::ColumnReader;
use crate::export::verilator::VerilatorError;
use crate::export::verilog::{
    crossbar_core_verilator_verilog, crossbar_verilator_ports, CROSSBAR_VERILATOR_MODULE,
    XBAR_PIN_PREFIX,
};
use crate::rtl::ports::{Pins, Port, PortTable};
use crate::rtl::top_ports::CorePorts;
use crate::rtl::xbar_macro::{MacroBehaviour, MacroEdge};
use crate::shape::CoreShape;

use super::verilated::ClockedModel;

/// Port indices of the macro's pins on the wrapper.
struct MacroPorts {
    row_addr: usize,
    row_set: usize,
    rows_clear: usize,
    drive: usize,
    sample: usize,
    col_select: usize,
    dac_code: usize,
    comparator: usize,
    prog_row: usize,
    prog_col: usize,
    prog_set: usize,
    prog_reset: usize,
}

/// A Verilated crossbar core with its array's behavioural model.
pub struct VerilatedCrossbarCore {
    model: ClockedModel,
    ports: MacroPorts,
    behaviour: MacroBehaviour,
    /// The value on the wrapper's `xbar_comparator` input.
    comparator: bool,
}

/// A Verilated crossbar core of `shape` with the programmed array `reader` behind its macro's
/// pins (`None` for a shape without a crossbar core, [`crate::shape::CROSSBAR_SHAPES`]).
pub fn verilated_crossbar_core(
    shape: CoreShape,
    reader: ColumnReader,
) -> Option<Result<VerilatedCrossbarCore, VerilatorError>> {
    let verilog = crossbar_core_verilator_verilog(shape)?;
    let ports = crossbar_verilator_ports(shape);
    let (rows, columns) = (shape.axons, 2 * shape.neurons);
    Some(
        ClockedModel::build(&verilog, CROSSBAR_VERILATOR_MODULE, &ports).map(|model| {
            let index = |pin: &str| {
                model
                    .port_index(&format!("{XBAR_PIN_PREFIX}{pin}"))
                    .expect("the wrapper has every macro pin")
            };
            let ports = MacroPorts {
                row_addr: index("row_addr"),
                row_set: index("row_set"),
                rows_clear: index("rows_clear"),
                drive: index("drive"),
                sample: index("sample"),
                col_select: index("col_select"),
                dac_code: index("dac_code"),
                comparator: index("comparator"),
                prog_row: index("prog_row"),
                prog_col: index("prog_col"),
                prog_set: index("prog_set"),
                prog_reset: index("prog_reset"),
            };
            let mut behaviour = MacroBehaviour::new(rows, columns);
            behaviour.load(reader);
            VerilatedCrossbarCore {
                model,
                ports,
                behaviour,
                comparator: false,
            }
        }),
    )
}

impl Pins<CorePorts> for VerilatedCrossbarCore {
    #[inline]
    fn set(&mut self, pin: <CorePorts as PortTable>::Input, value: u64) {
        self.model.set(pin.index(), value);
    }

    #[inline]
    fn get(&mut self, pin: <CorePorts as PortTable>::Output) -> u64 {
        self.model.get(pin.index())
    }

    fn cycle(&mut self) {
        let p = &self.ports;
        let m = &mut self.model;
        let column = m.get(p.col_select) as usize;
        let code = m.get(p.dac_code) as usize;
        let mut edge = MacroEdge {
            row_set: m.get(p.row_set) != 0,
            rows_clear: m.get(p.rows_clear) != 0,
            sample: m.get(p.sample) != 0,
            prog_set: m.get(p.prog_set) != 0,
            prog_reset: m.get(p.prog_reset) != 0,
            ..MacroEdge::default()
        };
        if edge.acts() {
            edge.row_addr = m.get(p.row_addr) as usize;
            edge.drive = m.get(p.drive) != 0;
            edge.prog_row = m.get(p.prog_row) as usize;
            edge.prog_col = m.get(p.prog_col) as usize;
        }
        let comparator = self.behaviour.comparator(column, code);
        if comparator != self.comparator {
            m.set(p.comparator, u64::from(comparator));
            self.comparator = comparator;
        }
        m.cycle();
        if edge.acts() {
            self.behaviour.rising_edge(&edge);
        }
    }

    fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
