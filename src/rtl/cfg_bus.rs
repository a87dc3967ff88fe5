//! The configuration bus: one write per cycle into a block's memories and registers.
//!
//! `write` strobes a word `data` into the memory or register named by `target`
//! ([`CfgTarget`](super::layout::CfgTarget), or a fan-out target of a tile) at word address
//! `addr`. There is no handshake: a block that cannot take a write (a core that is not idle)
//! ignores it, and the driver (`map::CoreImage::config_writes()` through the host link or the
//! simulation drivers) only writes while the core is idle.
//!
//! Two views of the same wires: [`CfgBus`] on the block that receives the writes, and
//! [`CfgBusDriver`] on the block that forwards them (e.g. the core's sequencer passing the
//! idle-qualified bus on to its synapse stage). Top-level blocks keep plain `cfg_*` ports, since
//! the Verilator wrappers and drivers address pins by those names.

use rust_hdl::prelude::*;

pub use super::regmap::{CFG_ADDR_WIDTH, CFG_DATA_WIDTH, CFG_TARGET_WIDTH};

/// The receiving side of the configuration bus.
#[derive(LogicInterface, Default)]
pub struct CfgBus {
    /// Write strobe.
    pub write: Signal<In, Bit>,
    /// Memory or register written.
    pub target: Signal<In, Bits<CFG_TARGET_WIDTH>>,
    /// Word address within the target.
    pub addr: Signal<In, Bits<CFG_ADDR_WIDTH>>,
    /// Data (low bits used, per target width).
    pub data: Signal<In, Bits<CFG_DATA_WIDTH>>,
}

/// The forwarding side of the configuration bus (same wires as [`CfgBus`], driven).
#[derive(LogicInterface, Default)]
pub struct CfgBusDriver {
    /// Write strobe.
    pub write: Signal<Out, Bit>,
    /// Memory or register written.
    pub target: Signal<Out, Bits<CFG_TARGET_WIDTH>>,
    /// Word address within the target.
    pub addr: Signal<Out, Bits<CFG_ADDR_WIDTH>>,
    /// Data.
    pub data: Signal<Out, Bits<CFG_DATA_WIDTH>>,
}
