//! The configuration bus: one write per cycle into a block's memories and registers, and
//! reads of them back.
//!
//! `write` strobes a word `data` into the memory or register named by `target`
//! ([`CfgTarget`](super::layout::CfgTarget), or a fan-out target of a tile) at word address
//! `addr`. There is no handshake: a block that cannot take a write (a core that is not idle)
//! ignores it, and the driver (`map::CoreImage::config_writes()` through the host link or the
//! simulation drivers) only writes while the core is idle.
//!
//! # Reads
//! `read` strobes a read of the word at `addr` in `target` for one cycle (never together with
//! `write`; like a write, only while the core or system is idle). The block answers with a
//! one-cycle `read_valid` pulse while `read_data` holds the word, zero-extended from the
//! target's width (signed fields as their raw two's-complement bits), one or more cycles after
//! `read`. At most one read is outstanding: the driver waits for `read_valid` before the next
//! `read`. Every read gets exactly one `read_valid`, also for a target the block does not own
//! or that is not readable (a command, an unused code, or a read while busy: data 0).
//! `read_data` is zero whenever `read_valid` is low, so a block that routes each read to one
//! of its children (by target, or by tile in a mesh) answers with the OR of their answers.
//!
//! Latency: `read_valid` comes in the cycle after the `read` edge for every target of every
//! block (a memory's registered read, then a multiplexer by the target registered with the
//! read; `MeshSystem` registers the tile index and selects that tile's answer). A read borrows
//! a memory's read port for its one cycle: the core drops `event_ready` in a read cycle (the
//! axon-descriptor RAM's port serves the enqueue), and `probe_u`/`probe_v` may be stale in the
//! cycle after a read.
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
    /// Read strobe (one cycle; `target` and `addr` as for a write).
    pub read: Signal<In, Bit>,
    /// One-cycle pulse: `read_data` holds the answer to the outstanding read.
    pub read_valid: Signal<Out, Bit>,
    /// The word read, zero-extended; zero while `read_valid` is low.
    pub read_data: Signal<Out, Bits<CFG_DATA_WIDTH>>,
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
    /// Read strobe.
    pub read: Signal<Out, Bit>,
    /// The answer to the outstanding read is on `read_data`.
    pub read_valid: Signal<In, Bit>,
    /// The word read.
    pub read_data: Signal<In, Bits<CFG_DATA_WIDTH>>,
}
