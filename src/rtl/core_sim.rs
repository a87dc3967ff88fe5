//! Cycle-accurate simulation of the neurocore with rust-hdl, and its Verilog.
//!
//! rust-hdl's multi-threaded `Simulation` runs thousands of cycles per second; calling
//! `simulate()` on the block from one thread is ~70x faster, so the core is driven directly
//! through [`super::rtl_top::RtlTop`].

use std::io::Write;

use rust_hdl::prelude::*;

use super::crossbar_core::CrossbarCore;
use super::learning_core::LearningCore;
use super::neurocore::NeuroCore;
use super::ports::Pins;
use super::rtl_top::{port_access, RtlTop};
use super::top_ports::{core_port_list, CorePorts};
use crate::analog::column_read::ColumnReader;
use crate::shape::{with_shape, CoreShape};

core_port_list!(port_access!(
    [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize]
        NeuroCore<NB, AB, GB, SB, NB1, AB1>, CorePorts
));

core_port_list!(port_access!(
    [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize]
        LearningCore<NB, AB, GB, SB, NB1, AB1>, CorePorts
));

core_port_list!(port_access!(
    [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize]
        CrossbarCore<NB, AB, GB, SB, NB1, AB1>, CorePorts
));

/// Runs `$body` with `$core` bound to a fresh `NeuroCore` of the given shape (one of
/// [`crate::shape::SUPPORTED_SHAPES`]).
macro_rules! with_core {
    ($shape:expr, $core:ident => $body:expr) => {
        with_shape!(core, $shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
            let $core = NeuroCore::<NB, AB, GB, SB, NB1, AB1>::new();
            $body
        }, (neurons, axons) => panic!(
            "unsupported core shape {neurons}x{axons} (check CoreShape::is_supported first)"
        ))
    };
}

/// The Verilog of a neurocore of the given shape (top module `top`).
pub fn core_verilog(shape: CoreShape) -> String {
    with_core!(shape, core => {
        let mut core = core;
        core.connect_all();
        generate_verilog(&core)
    })
}

/// The Verilog of a learning neurocore ([`LearningCore`]) of `shape` (top module `top`), for
/// a shape of [`crate::shape::LEARNING_SHAPES`] (`None` for any other).
pub fn learning_core_verilog(shape: CoreShape) -> Option<String> {
    with_shape!(learning, shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
        let mut core = LearningCore::<NB, AB, GB, SB, NB1, AB1>::new();
        core.connect_all();
        Some(generate_verilog(&core))
    }, _ => None)
}

/// A neurocore simulated by rust-hdl.
pub fn rtl_core(shape: CoreShape) -> Box<dyn Pins<CorePorts>> {
    with_core!(shape, core => Box::new(
        RtlTop::new::<CorePorts>(core, "neurocore logic")
    ))
}

/// A neurocore (a [`LearningCore`] if `learning`) simulated by rust-hdl that also writes a
/// VCD waveform of every signal.
pub fn rtl_core_traced(
    shape: CoreShape,
    learning: bool,
    vcd: Box<dyn Write>,
) -> Box<dyn Pins<CorePorts>> {
    if learning {
        let traced = with_shape!(learning, shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
            let core = LearningCore::<NB, AB, GB, SB, NB1, AB1>::new();
            Box::new(
                RtlTop::new::<CorePorts>(core, "learning neurocore logic")
                    .traced(vcd),
            ) as Box<dyn Pins<CorePorts>>
        }, (neurons, axons) => panic!("no learning core of shape {neurons}x{axons}"));
        return traced;
    }
    with_core!(shape, core => {
        Box::new(
            RtlTop::new::<CorePorts>(core, "neurocore logic")
                .traced(vcd),
        )
    })
}

/// A learning neurocore ([`LearningCore`]) simulated by rust-hdl, for a shape of
/// [`crate::shape::LEARNING_SHAPES`] (`None` for any other).
pub fn rtl_learning_core(shape: CoreShape) -> Option<Box<dyn Pins<CorePorts>>> {
    with_shape!(learning, shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
        let core = LearningCore::<NB, AB, GB, SB, NB1, AB1>::new();
        Some(Box::new(
            RtlTop::new::<CorePorts>(core, "learning neurocore logic"),
        ) as Box<dyn Pins<CorePorts>>)
    }, _ => None)
}

/// A crossbar neurocore ([`CrossbarCore`]) simulated by rust-hdl with the programmed array
/// `reader` behind its macro's pins (and a VCD waveform of every signal if `vcd`), for a shape
/// of [`crate::shape::CROSSBAR_SHAPES`] (`None` for any other).
pub fn rtl_crossbar_core(
    shape: CoreShape,
    reader: ColumnReader,
    vcd: Option<Box<dyn Write>>,
) -> Option<Box<dyn Pins<CorePorts>>> {
    with_shape!(crossbar, shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
        let mut core = CrossbarCore::<NB, AB, GB, SB, NB1, AB1>::new();
        core.load_array(reader);
        let top = RtlTop::new::<CorePorts>(core, "crossbar neurocore logic");
        Some(match vcd {
            Some(vcd) => Box::new(top.traced(vcd)) as Box<dyn Pins<CorePorts>>,
            None => Box::new(top),
        })
    }, _ => None)
}

/// The Verilog of a crossbar neurocore of the given shape (top module `top`, the array as the
/// `neurofab_xbar_macro` black box), for a shape of [`crate::shape::CROSSBAR_SHAPES`].
pub fn crossbar_core_verilog(shape: CoreShape) -> Option<String> {
    with_shape!(crossbar, shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
        let mut core = CrossbarCore::<NB, AB, GB, SB, NB1, AB1>::new();
        core.connect_all();
        Some(generate_verilog(&core))
    }, _ => None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtl::ports::PortTable;
    use crate::rtl::rtl_top::PortAccess;
    use crate::shape::SUPPORTED_SHAPES;

    /// The port table's widths are the block's, for every shape.
    #[test]
    fn port_table_matches_the_block() {
        for (neurons, axons) in SUPPORTED_SHAPES {
            let shape = CoreShape { neurons, axons };
            let table: Vec<u32> = CorePorts::ports(shape).iter().map(|p| p.width).collect();
            let block = with_core!(shape, core => PortAccess::<CorePorts>::widths(&core));
            assert_eq!(table, block, "{shape:?}");
        }
    }
}
