//! The seam between the neurocore's sequencer and its synapse stage.
//!
//! A synapse stage turns the core's "axon `a`, group `g`" requests into 4-lane weight words,
//! and may learn from the tick's pre and post events. Today's stage is
//! [`SramSynapses`](super::sram_synapses::SramSynapses) (a synapse SRAM); a learning (STDP)
//! stage or a memristor crossbar with a multi-cycle ADC plugs into the same port.
//!
//! # Request (core -> stage), in order
//! `req_valid`, `req_axon`, `req_group`, `req_first`, `req_last`; `req_ready` from the stage.
//! A request is taken in a cycle with `req_valid & req_ready`. The core issues the groups of one
//! axon event in ascending order; `req_first`/`req_last` mark the first and last group of the
//! event, so a stage sees each pre-synaptic event exactly once (`req_first`) and knows when the
//! event's row is complete (`req_last`). `req_ready` must not depend on `req_valid` in the
//! same cycle (no combinational path from `req_valid` to `req_ready`).
//!
//! # Response (stage -> core), in request order
//! `rsp_valid`, `rsp_weight0..3`; `rsp_ready` from the core. A response is taken in a cycle
//! with `rsp_valid & rsp_ready`. Lane `i` is the signed weight (two's complement, 16 bits, so
//! 9-bit learned weights and multi-bit ADC codes fit) from the request's axon to neuron
//! `4 * group + i`, before the axon's pre-shift. A stage may answer after any number of cycles
//! and may hold `req_ready` low. The core keeps at most one request outstanding: it raises
//! `req_valid` only when it has none, or in the cycle its response is taken, so a stage that
//! answers one cycle after each request streams one word per cycle. `rsp_valid` must not
//! depend on `rsp_ready` in the same cycle.
//!
//! (The lanes are four named signals, not an array: rust-hdl 0.46's `LogicInterface` derive
//! has no array fields. Blocks copy them into arrays at the port.)
//!
//! # Tick context (core -> stage), for learning stages
//! - `tick_start`: one-cycle pulse when the core accepts `start`.
//! - `post_valid`/`post_neuron`: the update phase's spikes, one per cycle, ascending (the same
//!   pulses as the core's `spike_valid`/`spike_neuron`).
//! - `window`: high after the update phase, while the core waits for the stage. The core does
//!   not pulse `done` (and stays busy) in a cycle where the stage holds `stage_busy` high; the
//!   stage may use its memories freely while `window` is high. A stage that never raises
//!   `stage_busy` adds no cycle to a tick.
//!
//! # Configuration
//! The stage receives the core's configuration bus (a [`CfgBus`](super::cfg_bus::CfgBus),
//! qualified by the core: `write` only while the core is idle) and owns its targets (today
//! `CfgTarget::Synapse`); the core ignores those targets.

use rust_hdl::prelude::*;

/// Lanes of a weight word: neurons `4 * group .. 4 * group + 4`.
pub const WEIGHT_LANES: usize = 4;
/// Width of one signed weight lane.
pub const WEIGHT_BITS: usize = 16;

/// The core's side of the synapse port: `2^NB` neurons, `2^AB` axons, `2^GB` groups.
#[derive(LogicInterface, Default)]
pub struct SynapseRequester<const NB: usize, const AB: usize, const GB: usize> {
    /// A request is on `req_axon`/`req_group`.
    pub req_valid: Signal<Out, Bit>,
    /// Axon of the event.
    pub req_axon: Signal<Out, Bits<AB>>,
    /// Group of 4 neurons.
    pub req_group: Signal<Out, Bits<GB>>,
    /// First group of this axon event.
    pub req_first: Signal<Out, Bit>,
    /// Last group of this axon event.
    pub req_last: Signal<Out, Bit>,
    /// The stage takes the request this cycle.
    pub req_ready: Signal<In, Bit>,
    /// A response is on `rsp_weight`.
    pub rsp_valid: Signal<In, Bit>,
    /// Signed weight of lane 0 (neuron `4 * group`).
    pub rsp_weight0: Signal<In, Bits<WEIGHT_BITS>>,
    /// Lane 1 (neuron `4 * group + 1`).
    pub rsp_weight1: Signal<In, Bits<WEIGHT_BITS>>,
    /// Lane 2.
    pub rsp_weight2: Signal<In, Bits<WEIGHT_BITS>>,
    /// Lane 3.
    pub rsp_weight3: Signal<In, Bits<WEIGHT_BITS>>,
    /// The core takes the response this cycle.
    pub rsp_ready: Signal<Out, Bit>,
    /// One-cycle pulse: a tick starts.
    pub tick_start: Signal<Out, Bit>,
    /// A neuron spiked in the update phase.
    pub post_valid: Signal<Out, Bit>,
    /// The neuron that spiked.
    pub post_neuron: Signal<Out, Bits<NB>>,
    /// The learning window after the update phase.
    pub window: Signal<Out, Bit>,
    /// The stage needs more of the window; the core holds `done` back.
    pub stage_busy: Signal<In, Bit>,
}

/// The stage's side of the synapse port (the wires of [`SynapseRequester`], mirrored).
#[derive(LogicInterface, Default)]
pub struct SynapseStagePort<const NB: usize, const AB: usize, const GB: usize> {
    /// A request is on `req_axon`/`req_group`.
    pub req_valid: Signal<In, Bit>,
    /// Axon of the event.
    pub req_axon: Signal<In, Bits<AB>>,
    /// Group of 4 neurons.
    pub req_group: Signal<In, Bits<GB>>,
    /// First group of this axon event.
    pub req_first: Signal<In, Bit>,
    /// Last group of this axon event.
    pub req_last: Signal<In, Bit>,
    /// The stage takes the request this cycle.
    pub req_ready: Signal<Out, Bit>,
    /// A response is on `rsp_weight`.
    pub rsp_valid: Signal<Out, Bit>,
    /// Signed weight of lane 0 (neuron `4 * group`).
    pub rsp_weight0: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 1 (neuron `4 * group + 1`).
    pub rsp_weight1: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 2.
    pub rsp_weight2: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 3.
    pub rsp_weight3: Signal<Out, Bits<WEIGHT_BITS>>,
    /// The core takes the response this cycle.
    pub rsp_ready: Signal<In, Bit>,
    /// One-cycle pulse: a tick starts.
    pub tick_start: Signal<In, Bit>,
    /// A neuron spiked in the update phase.
    pub post_valid: Signal<In, Bit>,
    /// The neuron that spiked.
    pub post_neuron: Signal<In, Bits<NB>>,
    /// The learning window after the update phase.
    pub window: Signal<In, Bit>,
    /// The stage needs more of the window; the core holds `done` back.
    pub stage_busy: Signal<Out, Bit>,
}
