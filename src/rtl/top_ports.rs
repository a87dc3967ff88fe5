//! The port list of every top, written once each, and the port tables generated from them.
//!
//! A list is a callback macro: `core_port_list!(callback!(args))` calls
//! `callback!(args shape; input name Variant (width) "doc"; ...; output ...;)`, where `name` is
//! both the rust-hdl field and the Verilog port, and `width` an expression of `shape` (a
//! [`crate::shape::CoreShape`]). [`super::ports::port_table!`] turns a list into the typed
//! handles and the [`super::ports::PortTable`] used by the Verilator engine and the drivers;
//! `rtl_top::port_access!` turns the same list into the rust-hdl engine's `poke`/`peek`. Tests
//! in `core_sim`, `system_sim` and `host` check the widths against the blocks' signals.

use super::fanout::FLIT_BITS;
use super::layout::{CFG_ADDR_BITS, CFG_DATA_BITS, CFG_TARGET_BITS, U_BITS, V_BITS};
use super::ports::port_table;

/// Width of a tile index on the system's configuration and probe ports (`MeshSystem`'s
/// `cfg_core`/`probe_core`): up to 256 tiles, a 16x16 mesh.
pub const TILE_INDEX_BITS: u32 = 8;

/// The neurocore's ports (`NeuroCore`, Verilog module `neurofab_core`).
macro_rules! core_port_list {
    ($callback:ident ! $args:tt) => {
        $callback! { $args shape;
            input cfg_write CfgWrite (1) "Configuration write strobe (idle only).";
            input cfg_target CfgTarget (CFG_TARGET_BITS) "Configuration target (see `rtl::layout::CfgTarget`).";
            input cfg_addr CfgAddr (CFG_ADDR_BITS) "Configuration word address.";
            input cfg_data CfgData (CFG_DATA_BITS) "Configuration data.";
            input cfg_read CfgRead (1) "Configuration read strobe (idle only; see `rtl::cfg_bus`).";
            input event_valid EventValid (1) "Axon event strobe.";
            input event_axon EventAxon (shape.axon_bits()) "Axon of the event.";
            input start Start (1) "Start-of-tick strobe (idle only).";
            input probe_neuron ProbeNeuron (shape.neuron_bits()) "Neuron whose state `probe_u` and `probe_v` show.";
            output busy Busy (1) "A tick or clear is in progress.";
            output done Done (1) "End-of-tick pulse.";
            output spike_valid SpikeValid (1) "Spike strobe.";
            output spike_neuron SpikeNeuron (shape.neuron_bits()) "Spiking neuron.";
            output probe_u ProbeU (U_BITS) "`u` of the probed neuron (25-bit two's complement; stale in the cycle after a `cfg_read`).";
            output probe_v ProbeV (V_BITS) "`v` of the probed neuron (24-bit two's complement; stale in the cycle after a `cfg_read`).";
            output event_ready EventReady (1) "The core takes an axon event this cycle.";
            output cfg_read_valid CfgReadValid (1) "Pulse: `cfg_read_data` answers the last `cfg_read`.";
            output cfg_read_data CfgReadData (CFG_DATA_BITS) "The word read (zero-extended; 0 outside `cfg_read_valid`).";
        }
    };
}
pub(crate) use core_port_list;

/// The multi-core system's ports (`MeshSystem`, Verilog module `neurofab_system`).
macro_rules! system_port_list {
    ($callback:ident ! $args:tt) => {
        $callback! { $args shape;
            input cfg_write CfgWrite (1) "Configuration write strobe.";
            input cfg_core CfgCore (TILE_INDEX_BITS) "Tile of the configuration write (`y * width + x`).";
            input cfg_target CfgTarget (CFG_TARGET_BITS) "Configuration target.";
            input cfg_addr CfgAddr (CFG_ADDR_BITS) "Configuration word address.";
            input cfg_data CfgData (CFG_DATA_BITS) "Configuration data.";
            input cfg_read CfgRead (1) "Configuration read strobe of tile `cfg_core` (idle only).";
            input host_valid HostValid (1) "Host flit strobe (node 0's host input).";
            input host_data HostData (FLIT_BITS as u32) "Host flit.";
            input start Start (1) "Start-of-tick strobe (honoured while `idle`).";
            input probe_core ProbeCore (TILE_INDEX_BITS) "Tile to probe.";
            input probe_neuron ProbeNeuron (shape.neuron_bits()) "Neuron to probe.";
            input host_out_ready HostOutReady (1) "The host takes the output-spike flit.";
            output host_ready HostReady (1) "Node 0 takes the host flit.";
            output idle Idle (1) "Ready for `start`: every core and fan-out unit is quiet, no flit in flight.";
            output tick_done TickDone (1) "End-of-tick pulse (the barrier).";
            output probe_u ProbeU (U_BITS) "`u` of the probed neuron, a cycle later (stale in the cycle after a `cfg_read`).";
            output probe_v ProbeV (V_BITS) "`v` of the probed neuron, a cycle later (stale in the cycle after a `cfg_read`).";
            output host_out_valid HostOutValid (1) "An output-spike flit for the host is offered.";
            output host_out_data HostOutData (FLIT_BITS as u32) "The output-spike flit.";
            output cfg_read_valid CfgReadValid (1) "Pulse: `cfg_read_data` answers the last `cfg_read`.";
            output cfg_read_data CfgReadData (CFG_DATA_BITS) "The word read (zero-extended; 0 outside `cfg_read_valid`).";
        }
    };
}
pub(crate) use system_port_list;

/// The UART host design's ports (`HostTop`, Verilog module `neurofab_host`).
macro_rules! host_port_list {
    ($callback:ident ! $args:tt) => {
        $callback! { $args shape;
            input uart_rx UartRx (1) "Serial data from the host (idle high).";
            output uart_tx UartTx (1) "Serial data to the host (idle high).";
            output spike_valid SpikeValid (1) "The core's `spike_valid` (a board's activity LED).";
        }
    };
}
#[cfg(test)] // `HostTop` is simulated through its link's tests, not a `RtlTop`.
pub(crate) use host_port_list;

core_port_list!(port_table!(
    CorePorts,
    CoreInput,
    CoreOutput,
    "the neurocore"
));
system_port_list!(port_table!(
    SystemPorts,
    SystemInput,
    SystemOutput,
    "the multi-core system"
));
host_port_list!(port_table!(
    HostPorts,
    HostInput,
    HostOutput,
    "the UART host design"
));
