//! The time-multiplexed LIF neurocore: a [`CoreSequencer`] (event queue, input and update
//! phases, neuron memories, [`LifUnit`](super::lif_unit::LifUnit)) wired to a synapse stage
//! through the [`synapse_port`](super::synapse_port) (today [`SramSynapses`]).
//!
//! # Interface
//! - **Configuration port** (`cfg_write`, `cfg_target`, `cfg_addr`, `cfg_data`), honoured only
//!   while the core is idle: writes the synapse SRAM, axon descriptors, neuron parameters and
//!   states, the neuron count, or issues `Clear` (see [`CfgTarget`](super::layout::CfgTarget)).
//! - **Event input** (`event_valid`, `event_axon`, `event_ready`): an event is taken in a cycle
//!   with `event_valid & event_ready`, one per cycle, into the event queue of the *next* tick.
//!   `event_ready` is high while the core is idle and also during its update and finish phases,
//!   so a fabric can deliver the spikes of this tick while the core is still updating; it is low
//!   while the queue is being drained (prep and input phases) and during a clear. At most one
//!   event per axon per tick (the queue holds one entry per axon).
//! - **Tick handshake**: a `start` pulse while idle runs one tick; `busy` is high until the cycle
//!   in which `done` pulses. A mesh can gate `start` on a global barrier and wait for `done`.
//! - **Spike output** (`spike_valid`, `spike_neuron`): one pulse per spiking neuron during the
//!   update phase, at most one per cycle, in ascending neuron order.
//! - **Probe** (`probe_neuron` -> `probe_u`, `probe_v` one cycle later) reads a state while idle;
//!   in the cycle after a configuration read the outputs may be stale (the read borrows the
//!   `u`/`v` RAMs' read port).
//! - **Configuration read-back** (`cfg_read` -> `cfg_read_valid`, `cfg_read_data` one cycle
//!   later, see [`cfg_bus`](super::cfg_bus)): every readable target, idle only; `event_ready`
//!   is low in a read cycle.
//!
//! # Schedule of one tick
//! `Prep` (queue settles) -> `Input` (each queued axon event requests its weight row from the
//! synapse stage, one 4-lane word per group, and accumulates into per-neuron slot
//! accumulators) -> `Update` (one neuron per cycle) -> `Finish` (the synapse stage's learning
//! window, then `done`). Cycles per tick with [`SramSynapses`]: `used neurons + sum over events
//! of the groups its row spans + 7`, plus 2 when the tick has any event (see the README and
//! `tests/cycles_per_tick.rs`, which checks it exactly). A slower stage adds its latency and
//! stalls to the input phase, and its `stage_busy` cycles to the finish phase.

use rust_hdl::prelude::*;

use super::cfg_bus::CFG_TARGET_WIDTH;
use super::core_sequencer::CoreSequencer;
use super::sram_synapses::SramSynapses;

/// Declares a composed core `$name`: a [`CoreSequencer`] wired to the synapse stage `$stage`
/// (a type spelled with the const parameters below), with the core's pins. The one definition
/// of the wiring, for [`NeuroCore`] and the learning core
/// ([`LearningCore`](super::learning_core::LearningCore)).
macro_rules! composed_core {
    ($(#[$doc:meta])* $name:ident, $stage:ty) => {
$(#[$doc])*
///
/// Const parameters (Rust cannot yet derive one from another, so all are spelled out and
/// checked in `new`): `GB = NB - 2` (synapse groups of 4 neurons),
/// `SB = AB + GB` (synapse SRAM address), `NB1 = NB + 1`, `AB1 = AB + 1` (counters).
#[derive(LogicBlock)]
pub struct $name<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const NB1: usize,
    const AB1: usize,
> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration write strobe (idle only).
    pub cfg_write: Signal<In, Bit>,
    /// Which memory or register `cfg_write` targets (`layout::CfgTarget`).
    pub cfg_target: Signal<In, Bits<CFG_TARGET_WIDTH>>,
    /// Word address within the target.
    pub cfg_addr: Signal<In, Bits<24>>,
    /// Data (low bits used, per target width).
    pub cfg_data: Signal<In, Bits<32>>,
    /// Configuration read strobe (idle only; see [`cfg_bus`](super::cfg_bus)).
    pub cfg_read: Signal<In, Bit>,
    /// An axon event is on `event_axon`.
    pub event_valid: Signal<In, Bit>,
    /// Axon of the event.
    pub event_axon: Signal<In, Bits<AB>>,
    /// The core takes an event this cycle if `event_valid` is high.
    pub event_ready: Signal<Out, Bit>,
    /// Start one tick (idle only).
    pub start: Signal<In, Bit>,
    /// A tick (or a clear) is in progress.
    pub busy: Signal<Out, Bit>,
    /// One-cycle pulse at the end of a tick.
    pub done: Signal<Out, Bit>,
    /// A neuron spiked this cycle.
    pub spike_valid: Signal<Out, Bit>,
    /// The neuron that spiked.
    pub spike_neuron: Signal<Out, Bits<NB>>,
    /// Neuron whose state to read while idle.
    pub probe_neuron: Signal<In, Bits<NB>>,
    /// `u` of `probe_neuron` as of the previous cycle (stale after a configuration read).
    pub probe_u: Signal<Out, Bits<25>>,
    /// `v` of `probe_neuron` as of the previous cycle (stale after a configuration read).
    pub probe_v: Signal<Out, Bits<24>>,
    /// One-cycle pulse: `cfg_read_data` answers the last `cfg_read`.
    pub cfg_read_valid: Signal<Out, Bit>,
    /// The word read (zero-extended; zero outside `cfg_read_valid`).
    pub cfg_read_data: Signal<Out, Bits<32>>,

    // The instance is named `core` so that the neuron-count register keeps its Verilog path
    // (`...$core$neuron_count`, which `export::verilog::add_neuron_count_hook` looks for).
    core: CoreSequencer<NB, AB, GB, NB1, AB1>,
    synapses: $stage,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > $name<NB, AB, GB, SB, NB1, AB1>
{
    /// Builds an empty core; panics if the const parameters are inconsistent (a programming
    /// error in the preset table, never a user input).
    pub fn new() -> Self {
        assert!(
            (2..=10).contains(&NB),
            "neuron address bits {NB} out of 2..=10 (8-bit group fields in axon descriptors)"
        );
        assert!(
            (1..=9).contains(&AB),
            "axon address bits {AB} out of 1..=9 (24-bit accumulators)"
        );
        assert_eq!(GB, NB - 2, "GB must be NB - 2");
        assert_eq!(SB, AB + GB, "SB must be AB + GB");
        assert_eq!(NB1, NB + 1, "NB1 must be NB + 1");
        assert_eq!(AB1, AB + 1, "AB1 must be AB + 1");
        Self {
            clock: Default::default(),
            cfg_write: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            cfg_read: Default::default(),
            event_valid: Default::default(),
            event_axon: Default::default(),
            event_ready: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            probe_neuron: Default::default(),
            probe_u: Default::default(),
            probe_v: Default::default(),
            cfg_read_valid: Default::default(),
            cfg_read_data: Default::default(),
            core: Default::default(),
            synapses: Default::default(),
        }
    }
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > Default for $name<NB, AB, GB, SB, NB1, AB1>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > Logic for $name<NB, AB, GB, SB, NB1, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, core, synapses);
        // Pins of the core.
        self.core.cfg.write.next = self.cfg_write.val();
        self.core.cfg.target.next = self.cfg_target.val();
        self.core.cfg.addr.next = self.cfg_addr.val();
        self.core.cfg.data.next = self.cfg_data.val();
        self.core.cfg.read.next = self.cfg_read.val();
        self.cfg_read_valid.next = self.core.cfg.read_valid.val();
        self.cfg_read_data.next = self.core.cfg.read_data.val();
        self.core.event_valid.next = self.event_valid.val();
        self.core.event_axon.next = self.event_axon.val();
        self.event_ready.next = self.core.event_ready.val();
        self.core.start.next = self.start.val();
        self.busy.next = self.core.busy.val();
        self.done.next = self.core.done.val();
        self.spike_valid.next = self.core.spike_valid.val();
        self.spike_neuron.next = self.core.spike_neuron.val();
        self.core.probe_neuron.next = self.probe_neuron.val();
        self.probe_u.next = self.core.probe_u.val();
        self.probe_v.next = self.core.probe_v.val();

        // The synapse stage: its configuration bus and its port.
        self.synapses.cfg.write.next = self.core.stage_cfg.write.val();
        self.synapses.cfg.target.next = self.core.stage_cfg.target.val();
        self.synapses.cfg.addr.next = self.core.stage_cfg.addr.val();
        self.synapses.cfg.data.next = self.core.stage_cfg.data.val();
        self.synapses.cfg.read.next = self.core.stage_cfg.read.val();
        self.core.stage_cfg.read_valid.next = self.synapses.cfg.read_valid.val();
        self.core.stage_cfg.read_data.next = self.synapses.cfg.read_data.val();
        self.synapses.port.req_valid.next = self.core.synapse.req_valid.val();
        self.synapses.port.req_axon.next = self.core.synapse.req_axon.val();
        self.synapses.port.req_group.next = self.core.synapse.req_group.val();
        self.synapses.port.req_first.next = self.core.synapse.req_first.val();
        self.synapses.port.req_last.next = self.core.synapse.req_last.val();
        self.core.synapse.req_ready.next = self.synapses.port.req_ready.val();
        self.core.synapse.rsp_valid.next = self.synapses.port.rsp_valid.val();
        self.core.synapse.rsp_weight0.next = self.synapses.port.rsp_weight0.val();
        self.core.synapse.rsp_weight1.next = self.synapses.port.rsp_weight1.val();
        self.core.synapse.rsp_weight2.next = self.synapses.port.rsp_weight2.val();
        self.core.synapse.rsp_weight3.next = self.synapses.port.rsp_weight3.val();
        self.synapses.port.rsp_ready.next = self.core.synapse.rsp_ready.val();
        self.synapses.port.tick_start.next = self.core.synapse.tick_start.val();
        self.synapses.port.post_valid.next = self.core.synapse.post_valid.val();
        self.synapses.port.post_neuron.next = self.core.synapse.post_neuron.val();
        self.synapses.port.window.next = self.core.synapse.window.val();
        self.core.synapse.stage_busy.next = self.synapses.port.stage_busy.val();
    }
}
    };
}
pub(crate) use composed_core;

composed_core!(
    /// A neurocore with `2^NB` neurons and `2^AB` axons and the synapse SRAM ([`SramSynapses`]).
    NeuroCore,
    SramSynapses<NB, AB, GB, SB>
);
