//! The time-multiplexed LIF neurocore: synapse SRAM, neuron memories, input and update phases.
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
//! - **Probe** (`probe_neuron` -> `probe_u`, `probe_v` one cycle later) reads a state while idle.
//!
//! # Schedule of one tick
//! `Prep` (queue settles) -> `Input` (each queued axon event reads its weight row, one synapse
//! word of 4 weights per cycle, and accumulates into per-neuron slot accumulators) ->
//! `Update` (one neuron per cycle through [`LifUnit`]) -> `Finish` (`done`). Cycles per tick:
//! `used neurons + sum over events of the groups its row spans + 7`, plus 2 when the tick has
//! any event (see the README and `tests/cycles_per_tick.rs`, which checks it exactly). The synapse SRAM is idle during `Update`, which is where a learning unit
//! can read-modify-write weights; the `Input` phase's only contract with the synapse stage is
//! "a 4-lane weight word per issued (axon, group)", so a crossbar front end can replace it.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::lif_unit::{sign_fill, LifUnit};

/// Phase of the core's tick sequencer.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum CorePhase {
    /// Waiting for configuration, events or `start`.
    Idle,
    /// Zeroing states and accumulators after a `Clear` command.
    Clear,
    /// One or more cycles letting the last queued event land before reading the queue.
    Prep,
    /// Draining the event queue into the accumulators.
    Input,
    /// Updating every neuron.
    Update,
    /// Pulsing `done`.
    Finish,
}

/// A neurocore with `2^NB` neurons and `2^AB` axons.
///
/// Const parameters (Rust cannot yet derive one from another, so all are spelled out and
/// checked in [`NeuroCore::new`]): `GB = NB - 2` (synapse groups of 4 neurons),
/// `SB = AB + GB` (synapse SRAM address), `NB1 = NB + 1`, `AB1 = AB + 1` (counters).
#[derive(LogicBlock)]
pub struct NeuroCore<
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
    pub cfg_target: Signal<In, Bits<4>>,
    /// Word address within the target.
    pub cfg_addr: Signal<In, Bits<24>>,
    /// Data (low bits used, per target width).
    pub cfg_data: Signal<In, Bits<32>>,
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
    /// `u` of `probe_neuron` as of the previous cycle.
    pub probe_u: Signal<Out, Bits<25>>,
    /// `v` of `probe_neuron` as of the previous cycle.
    pub probe_v: Signal<Out, Bits<24>>,

    // Memories (all inferred as block RAM: registered read, one write port).
    synapse_sram: BlockRam<Bits<32>, SB>,
    axon_meta: BlockRam<Bits<21>, AB>,
    event_queue_meta: BlockRam<Bits<21>, AB>,
    event_queue_axon: BlockRam<Bits<AB>, AB>,
    param_decay: BlockRam<Bits<25>, NB>,
    param_bias_shift: BlockRam<Bits<32>, NB>,
    param_threshold: BlockRam<Bits<23>, NB>,
    state_u: BlockRam<Bits<25>, NB>,
    state_v: BlockRam<Bits<24>, NB>,
    // Accumulators: 4 slots x 2^NB neurons of 24 bits, in four skewed banks. The entry of slot
    // `s`, neuron `n = 4g + l` lives in bank `(s + l) mod 4` at address `{s, g}`, so the four
    // lanes of one (slot, group) - the input phase - and the four slots of one neuron - the
    // update phase - are each spread over all four banks and read or written in one cycle.
    acc_bank0: BlockRam<Bits<24>, NB>,
    acc_bank1: BlockRam<Bits<24>, NB>,
    acc_bank2: BlockRam<Bits<24>, NB>,
    acc_bank3: BlockRam<Bits<24>, NB>,
    lif: LifUnit,

    // Sequencer and configuration registers.
    phase: DFF<CorePhase>,
    neuron_count: DFF<Bits<NB1>>,
    clear_index: DFF<Bits<NB1>>,
    // Event enqueue pipeline (descriptor lookup, then queue write). The queue is a ring of
    // 2^AB entries; the pointers have one extra bit so that full and empty differ.
    enqueue_pending: DFF<Bit>,
    enqueue_axon: DFF<Bits<AB>>,
    queue_write_ptr: DFF<Bits<AB1>>,
    queue_read_ptr: DFF<Bits<AB1>>,
    // Input phase: group iterator (issue stage).
    iter_active: DFF<Bit>,
    iter_axon: DFF<Bits<AB>>,
    iter_group: DFF<Bits<GB>>,
    iter_last_group: DFF<Bits<GB>>,
    iter_slot: DFF<Bits<2>>,
    iter_shift: DFF<Bits<3>>,
    // Input phase: accumulate stage (one cycle behind issue).
    accum_valid: DFF<Bit>,
    accum_group: DFF<Bits<GB>>,
    accum_slot: DFF<Bits<2>>,
    accum_shift: DFF<Bits<3>>,
    bypass_hit: DFF<Bit>,
    bypass_lane0: DFF<Bits<24>>,
    bypass_lane1: DFF<Bits<24>>,
    bypass_lane2: DFF<Bits<24>>,
    bypass_lane3: DFF<Bits<24>>,
    // Update phase.
    update_neuron: DFF<Bits<NB1>>,
    update_stage_valid: DFF<Bit>,
    update_stage_neuron: DFF<Bits<NB1>>,

    // Combinational temporaries.
    queue_has_event: Signal<Local, Bit>,
    queue_word: Signal<Local, Bits<21>>,
    iter_finishing: Signal<Local, Bit>,
    load_next_event: Signal<Local, Bit>,
    acc_read_lane0: Signal<Local, Bits<24>>,
    acc_read_lane1: Signal<Local, Bits<24>>,
    acc_read_lane2: Signal<Local, Bits<24>>,
    acc_read_lane3: Signal<Local, Bits<24>>,
    weight_lane0: Signal<Local, Bits<24>>,
    weight_lane1: Signal<Local, Bits<24>>,
    weight_lane2: Signal<Local, Bits<24>>,
    weight_lane3: Signal<Local, Bits<24>>,
    lane_sum0: Signal<Local, Bits<24>>,
    lane_sum1: Signal<Local, Bits<24>>,
    lane_sum2: Signal<Local, Bits<24>>,
    lane_sum3: Signal<Local, Bits<24>>,
    acc_write_enable: Signal<Local, Bit>,
    acc_write_zero: Signal<Local, Bit>,
    // Bank rotation: `acc_rot<j>` = bank `(j + acc_rotate) mod 4`'s read data.
    acc_rotate: Signal<Local, Bits<2>>,
    acc_rot0: Signal<Local, Bits<24>>,
    acc_rot1: Signal<Local, Bits<24>>,
    acc_rot2: Signal<Local, Bits<24>>,
    acc_rot3: Signal<Local, Bits<24>>,
    // Slot held by bank k for the neuron being read (`bank_read_slot<k>`) or zeroed
    // (`bank_zero_slot<k>`) in the update phase: `(k - lane) mod 4`.
    bank_read_slot0: Signal<Local, Bits<2>>,
    bank_read_slot1: Signal<Local, Bits<2>>,
    bank_read_slot2: Signal<Local, Bits<2>>,
    bank_read_slot3: Signal<Local, Bits<2>>,
    bank_zero_slot0: Signal<Local, Bits<2>>,
    bank_zero_slot1: Signal<Local, Bits<2>>,
    bank_zero_slot2: Signal<Local, Bits<2>>,
    bank_zero_slot3: Signal<Local, Bits<2>>,
    issue_lane: Signal<Local, Bits<2>>,
    issue_group: Signal<Local, Bits<NB>>,
    stage_group: Signal<Local, Bits<NB>>,
    input_read_address: Signal<Local, Bits<NB>>,
    input_write_address: Signal<Local, Bits<NB>>,
    update_issuing: Signal<Local, Bit>,
    update_lane: Signal<Local, Bits<2>>,
    group_bits: Constant<Bits<8>>,
    weight_sign_fill: Constant<Bits<24>>,
    clear_end: Constant<Bits<NB1>>,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > NeuroCore<NB, AB, GB, SB, NB1, AB1>
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
            synapse_sram: Default::default(),
            axon_meta: Default::default(),
            event_queue_meta: Default::default(),
            event_queue_axon: Default::default(),
            param_decay: Default::default(),
            param_bias_shift: Default::default(),
            param_threshold: Default::default(),
            state_u: Default::default(),
            state_v: Default::default(),
            acc_bank0: Default::default(),
            acc_bank1: Default::default(),
            acc_bank2: Default::default(),
            acc_bank3: Default::default(),
            lif: Default::default(),
            phase: Default::default(),
            neuron_count: Default::default(),
            clear_index: Default::default(),
            enqueue_pending: Default::default(),
            enqueue_axon: Default::default(),
            queue_write_ptr: Default::default(),
            queue_read_ptr: Default::default(),
            iter_active: Default::default(),
            iter_axon: Default::default(),
            iter_group: Default::default(),
            iter_last_group: Default::default(),
            iter_slot: Default::default(),
            iter_shift: Default::default(),
            accum_valid: Default::default(),
            accum_group: Default::default(),
            accum_slot: Default::default(),
            accum_shift: Default::default(),
            bypass_hit: Default::default(),
            bypass_lane0: Default::default(),
            bypass_lane1: Default::default(),
            bypass_lane2: Default::default(),
            bypass_lane3: Default::default(),
            update_neuron: Default::default(),
            update_stage_valid: Default::default(),
            update_stage_neuron: Default::default(),
            queue_has_event: Default::default(),
            queue_word: Default::default(),
            iter_finishing: Default::default(),
            load_next_event: Default::default(),
            acc_read_lane0: Default::default(),
            acc_read_lane1: Default::default(),
            acc_read_lane2: Default::default(),
            acc_read_lane3: Default::default(),
            weight_lane0: Default::default(),
            weight_lane1: Default::default(),
            weight_lane2: Default::default(),
            weight_lane3: Default::default(),
            lane_sum0: Default::default(),
            lane_sum1: Default::default(),
            lane_sum2: Default::default(),
            lane_sum3: Default::default(),
            acc_write_enable: Default::default(),
            acc_write_zero: Default::default(),
            acc_rotate: Default::default(),
            acc_rot0: Default::default(),
            acc_rot1: Default::default(),
            acc_rot2: Default::default(),
            acc_rot3: Default::default(),
            bank_read_slot0: Default::default(),
            bank_read_slot1: Default::default(),
            bank_read_slot2: Default::default(),
            bank_read_slot3: Default::default(),
            bank_zero_slot0: Default::default(),
            bank_zero_slot1: Default::default(),
            bank_zero_slot2: Default::default(),
            bank_zero_slot3: Default::default(),
            issue_lane: Default::default(),
            issue_group: Default::default(),
            stage_group: Default::default(),
            input_read_address: Default::default(),
            input_write_address: Default::default(),
            update_issuing: Default::default(),
            update_lane: Default::default(),
            group_bits: Constant::new((GB as u64).into()),
            weight_sign_fill: sign_fill::<24>(8),
            clear_end: Constant::new((1u64 << NB).into()),
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
    > Default for NeuroCore<NB, AB, GB, SB, NB1, AB1>
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
    > Logic for NeuroCore<NB, AB, GB, SB, NB1, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            phase,
            neuron_count,
            clear_index,
            enqueue_pending,
            enqueue_axon,
            queue_write_ptr,
            queue_read_ptr,
            iter_active,
            iter_axon,
            iter_group,
            iter_last_group,
            iter_slot,
            iter_shift,
            accum_valid,
            accum_group,
            accum_slot,
            accum_shift,
            bypass_hit,
            bypass_lane0,
            bypass_lane1,
            bypass_lane2,
            bypass_lane3,
            update_neuron,
            update_stage_valid,
            update_stage_neuron
        );
        clock!(self, clock, lif);
        self.acc_bank0.read_clock.next = self.clock.val();
        self.acc_bank0.write_clock.next = self.clock.val();
        self.acc_bank1.read_clock.next = self.clock.val();
        self.acc_bank1.write_clock.next = self.clock.val();
        self.acc_bank2.read_clock.next = self.clock.val();
        self.acc_bank2.write_clock.next = self.clock.val();
        self.acc_bank3.read_clock.next = self.clock.val();
        self.acc_bank3.write_clock.next = self.clock.val();
        self.synapse_sram.read_clock.next = self.clock.val();
        self.synapse_sram.write_clock.next = self.clock.val();
        self.axon_meta.read_clock.next = self.clock.val();
        self.axon_meta.write_clock.next = self.clock.val();
        self.event_queue_meta.read_clock.next = self.clock.val();
        self.event_queue_meta.write_clock.next = self.clock.val();
        self.event_queue_axon.read_clock.next = self.clock.val();
        self.event_queue_axon.write_clock.next = self.clock.val();
        self.param_decay.read_clock.next = self.clock.val();
        self.param_decay.write_clock.next = self.clock.val();
        self.param_bias_shift.read_clock.next = self.clock.val();
        self.param_bias_shift.write_clock.next = self.clock.val();
        self.param_threshold.read_clock.next = self.clock.val();
        self.param_threshold.write_clock.next = self.clock.val();
        self.state_u.read_clock.next = self.clock.val();
        self.state_u.write_clock.next = self.clock.val();
        self.state_v.read_clock.next = self.clock.val();
        self.state_v.write_clock.next = self.clock.val();

        // ---- Defaults.
        self.busy.next = self.phase.q.val() != CorePhase::Idle;
        self.done.next = false;
        self.synapse_sram.write_enable.next = false;
        self.synapse_sram.write_address.next = bit_cast::<SB, 24>(self.cfg_addr.val());
        self.synapse_sram.write_data.next = self.cfg_data.val();
        self.axon_meta.write_enable.next = false;
        self.axon_meta.write_address.next = bit_cast::<AB, 24>(self.cfg_addr.val());
        self.axon_meta.write_data.next = self.cfg_data.val().get_bits::<21>(0);
        self.axon_meta.read_address.next = self.event_axon.val();
        self.param_decay.write_enable.next = false;
        self.param_decay.write_address.next = bit_cast::<NB, 24>(self.cfg_addr.val());
        self.param_decay.write_data.next = self.cfg_data.val().get_bits::<25>(0);
        self.param_bias_shift.write_enable.next = false;
        self.param_bias_shift.write_address.next = bit_cast::<NB, 24>(self.cfg_addr.val());
        self.param_bias_shift.write_data.next = self.cfg_data.val();
        self.param_threshold.write_enable.next = false;
        self.param_threshold.write_address.next = bit_cast::<NB, 24>(self.cfg_addr.val());
        self.param_threshold.write_data.next = self.cfg_data.val().get_bits::<23>(0);
        self.state_u.write_enable.next = false;
        self.state_u.write_address.next = bit_cast::<NB, 24>(self.cfg_addr.val());
        self.state_u.write_data.next = self.cfg_data.val().get_bits::<25>(0);
        self.state_u.read_address.next = self.probe_neuron.val();
        self.state_v.write_enable.next = false;
        self.state_v.write_address.next = bit_cast::<NB, 24>(self.cfg_addr.val());
        self.state_v.write_data.next = self.cfg_data.val().get_bits::<24>(0);
        self.state_v.read_address.next = self.probe_neuron.val();
        self.probe_u.next = self.state_u.read_data.val();
        self.probe_v.next = self.state_v.read_data.val();

        // ---- Event enqueue: look up the axon's descriptor, then append the descriptor and the
        // axon (two RAMs at the same ring address). Events are for the next tick, so they
        // are refused only while this tick's queue is being drained, and during a clear.
        self.event_ready.next = (self.phase.q.val() == CorePhase::Idle)
            | (self.phase.q.val() == CorePhase::Update)
            | (self.phase.q.val() == CorePhase::Finish);
        self.enqueue_pending.d.next = false;
        if self.event_ready.val() & self.event_valid.val() {
            self.enqueue_pending.d.next = true;
            self.enqueue_axon.d.next = self.event_axon.val();
        }
        self.event_queue_meta.write_enable.next = self.enqueue_pending.q.val();
        self.event_queue_meta.write_address.next =
            bit_cast::<AB, AB1>(self.queue_write_ptr.q.val());
        self.event_queue_meta.write_data.next = self.axon_meta.read_data.val();
        self.event_queue_axon.write_enable.next = self.enqueue_pending.q.val();
        self.event_queue_axon.write_address.next =
            bit_cast::<AB, AB1>(self.queue_write_ptr.q.val());
        self.event_queue_axon.write_data.next = self.enqueue_axon.q.val();
        if self.enqueue_pending.q.val() {
            self.queue_write_ptr.d.next = self.queue_write_ptr.q.val() + 1;
        }

        // ---- Input phase, issue stage. The queue is read with look-ahead (address of the
        // entry after the head when the head is consumed this cycle), so the head entry is
        // always on the RAM's output and events issue back to back.
        self.queue_has_event.next = self.queue_read_ptr.q.val() != self.queue_write_ptr.q.val();
        self.queue_word.next = self.event_queue_meta.read_data.val();
        self.iter_finishing.next =
            self.iter_active.q.val() & (self.iter_group.q.val() == self.iter_last_group.q.val());
        self.load_next_event.next = (self.phase.q.val() == CorePhase::Input)
            & self.queue_has_event.val()
            & (!self.iter_active.q.val() | self.iter_finishing.val());
        self.event_queue_meta.read_address.next = bit_cast::<AB, AB1>(self.queue_read_ptr.q.val());
        self.event_queue_axon.read_address.next = bit_cast::<AB, AB1>(self.queue_read_ptr.q.val());
        if self.load_next_event.val() {
            self.event_queue_meta.read_address.next =
                bit_cast::<AB, AB1>(self.queue_read_ptr.q.val() + 1);
            self.event_queue_axon.read_address.next =
                bit_cast::<AB, AB1>(self.queue_read_ptr.q.val() + 1);
            self.queue_read_ptr.d.next = self.queue_read_ptr.q.val() + 1;
            self.iter_active.d.next = true;
            self.iter_group.d.next = bit_cast::<GB, 8>(self.queue_word.val().get_bits::<8>(0));
            self.iter_last_group.d.next = bit_cast::<GB, 8>(self.queue_word.val().get_bits::<8>(8));
            self.iter_slot.d.next = self.queue_word.val().get_bits::<2>(16);
            self.iter_shift.d.next = self.queue_word.val().get_bits::<3>(18);
            self.iter_axon.d.next = self.event_queue_axon.read_data.val();
        } else if self.iter_finishing.val() {
            self.iter_active.d.next = false;
        } else if self.iter_active.q.val() {
            self.iter_group.d.next = self.iter_group.q.val() + 1;
        }
        // Synapse word address = {axon, group}.
        self.synapse_sram.read_address.next = (bit_cast::<SB, AB>(self.iter_axon.q.val())
            << self.group_bits.val())
            | bit_cast::<SB, GB>(self.iter_group.q.val());
        self.accum_valid.d.next = self.iter_active.q.val();
        self.accum_group.d.next = self.iter_group.q.val();
        self.accum_slot.d.next = self.iter_slot.q.val();
        self.accum_shift.d.next = self.iter_shift.q.val();

        // ---- Accumulator bank addressing of the update phase's issued and staged neurons.
        self.update_lane.next = self.update_stage_neuron.q.val().get_bits::<2>(0);
        self.issue_lane.next = self.update_neuron.q.val().get_bits::<2>(0);
        self.issue_group.next = bit_cast::<NB, NB1>(self.update_neuron.q.val() >> 2);
        self.stage_group.next = bit_cast::<NB, NB1>(self.update_stage_neuron.q.val() >> 2);
        // (k - lane) mod 4 for k = 0..3, for the issued and the staged neuron.
        self.bank_read_slot0.next = 0.into();
        self.bank_read_slot1.next = 1.into();
        self.bank_read_slot2.next = 2.into();
        self.bank_read_slot3.next = 3.into();
        if self.issue_lane.val() == 1 {
            self.bank_read_slot0.next = 3.into();
            self.bank_read_slot1.next = 0.into();
            self.bank_read_slot2.next = 1.into();
            self.bank_read_slot3.next = 2.into();
        }
        if self.issue_lane.val() == 2 {
            self.bank_read_slot0.next = 2.into();
            self.bank_read_slot1.next = 3.into();
            self.bank_read_slot2.next = 0.into();
            self.bank_read_slot3.next = 1.into();
        }
        if self.issue_lane.val() == 3 {
            self.bank_read_slot0.next = 1.into();
            self.bank_read_slot1.next = 2.into();
            self.bank_read_slot2.next = 3.into();
            self.bank_read_slot3.next = 0.into();
        }
        self.bank_zero_slot0.next = 0.into();
        self.bank_zero_slot1.next = 1.into();
        self.bank_zero_slot2.next = 2.into();
        self.bank_zero_slot3.next = 3.into();
        if self.update_lane.val() == 1 {
            self.bank_zero_slot0.next = 3.into();
            self.bank_zero_slot1.next = 0.into();
            self.bank_zero_slot2.next = 1.into();
            self.bank_zero_slot3.next = 2.into();
        }
        if self.update_lane.val() == 2 {
            self.bank_zero_slot0.next = 2.into();
            self.bank_zero_slot1.next = 3.into();
            self.bank_zero_slot2.next = 0.into();
            self.bank_zero_slot3.next = 1.into();
        }
        if self.update_lane.val() == 3 {
            self.bank_zero_slot0.next = 1.into();
            self.bank_zero_slot1.next = 2.into();
            self.bank_zero_slot2.next = 3.into();
            self.bank_zero_slot3.next = 0.into();
        }
        // ---- Input phase, accumulate stage: acc[slot][group] += sext(w) << pre_shift, lane by
        // lane. A group written this cycle is read (stale) by the issue stage in the same cycle
        // when both address the same (slot, group); the bypass registers forward it instead.
        // The banks' read data, rotated so that output j is lane j of the slot being
        // accumulated (input phase) or slot j of the neuron being updated (update phase).
        self.acc_rotate.next = self.accum_slot.q.val();
        if self.phase.q.val() == CorePhase::Update {
            self.acc_rotate.next = self.update_lane.val();
        }
        self.acc_rot0.next = self.acc_bank0.read_data.val();
        self.acc_rot1.next = self.acc_bank1.read_data.val();
        self.acc_rot2.next = self.acc_bank2.read_data.val();
        self.acc_rot3.next = self.acc_bank3.read_data.val();
        if self.acc_rotate.val() == 1 {
            self.acc_rot0.next = self.acc_bank1.read_data.val();
            self.acc_rot1.next = self.acc_bank2.read_data.val();
            self.acc_rot2.next = self.acc_bank3.read_data.val();
            self.acc_rot3.next = self.acc_bank0.read_data.val();
        }
        if self.acc_rotate.val() == 2 {
            self.acc_rot0.next = self.acc_bank2.read_data.val();
            self.acc_rot1.next = self.acc_bank3.read_data.val();
            self.acc_rot2.next = self.acc_bank0.read_data.val();
            self.acc_rot3.next = self.acc_bank1.read_data.val();
        }
        if self.acc_rotate.val() == 3 {
            self.acc_rot0.next = self.acc_bank3.read_data.val();
            self.acc_rot1.next = self.acc_bank0.read_data.val();
            self.acc_rot2.next = self.acc_bank1.read_data.val();
            self.acc_rot3.next = self.acc_bank2.read_data.val();
        }
        self.acc_read_lane0.next = self.acc_rot0.val();
        self.acc_read_lane1.next = self.acc_rot1.val();
        self.acc_read_lane2.next = self.acc_rot2.val();
        self.acc_read_lane3.next = self.acc_rot3.val();
        if self.bypass_hit.q.val() {
            self.acc_read_lane0.next = self.bypass_lane0.q.val();
            self.acc_read_lane1.next = self.bypass_lane1.q.val();
            self.acc_read_lane2.next = self.bypass_lane2.q.val();
            self.acc_read_lane3.next = self.bypass_lane3.q.val();
        }
        self.weight_lane0.next =
            bit_cast::<24, 8>(self.synapse_sram.read_data.val().get_bits::<8>(0));
        if self.synapse_sram.read_data.val().get_bit(7) {
            self.weight_lane0.next = self.weight_lane0.val() | self.weight_sign_fill.val();
        }
        self.weight_lane1.next =
            bit_cast::<24, 8>(self.synapse_sram.read_data.val().get_bits::<8>(8));
        if self.synapse_sram.read_data.val().get_bit(15) {
            self.weight_lane1.next = self.weight_lane1.val() | self.weight_sign_fill.val();
        }
        self.weight_lane2.next =
            bit_cast::<24, 8>(self.synapse_sram.read_data.val().get_bits::<8>(16));
        if self.synapse_sram.read_data.val().get_bit(23) {
            self.weight_lane2.next = self.weight_lane2.val() | self.weight_sign_fill.val();
        }
        self.weight_lane3.next =
            bit_cast::<24, 8>(self.synapse_sram.read_data.val().get_bits::<8>(24));
        if self.synapse_sram.read_data.val().get_bit(31) {
            self.weight_lane3.next = self.weight_lane3.val() | self.weight_sign_fill.val();
        }
        // 24-bit sums wrap as two's complement; the mapper's bound keeps them exact.
        self.lane_sum0.next =
            self.acc_read_lane0.val() + (self.weight_lane0.val() << self.accum_shift.q.val());
        self.lane_sum1.next =
            self.acc_read_lane1.val() + (self.weight_lane1.val() << self.accum_shift.q.val());
        self.lane_sum2.next =
            self.acc_read_lane2.val() + (self.weight_lane2.val() << self.accum_shift.q.val());
        self.lane_sum3.next =
            self.acc_read_lane3.val() + (self.weight_lane3.val() << self.accum_shift.q.val());
        self.bypass_hit.d.next = self.accum_valid.q.val()
            & self.iter_active.q.val()
            & (self.iter_slot.q.val() == self.accum_slot.q.val())
            & (self.iter_group.q.val() == self.accum_group.q.val());
        self.bypass_lane0.d.next = self.lane_sum0.val();
        self.bypass_lane1.d.next = self.lane_sum1.val();
        self.bypass_lane2.d.next = self.lane_sum2.val();
        self.bypass_lane3.d.next = self.lane_sum3.val();

        // ---- Accumulator port arbitration (by phase).
        // Input phase: all four banks at {slot, group}; bank (slot + lane) mod 4 holds lane.
        self.acc_write_enable.next = false;
        self.acc_write_zero.next = false;
        self.input_read_address.next = (bit_cast::<NB, 2>(self.iter_slot.q.val())
            << self.group_bits.val())
            | bit_cast::<NB, GB>(self.iter_group.q.val());
        self.input_write_address.next = (bit_cast::<NB, 2>(self.accum_slot.q.val())
            << self.group_bits.val())
            | bit_cast::<NB, GB>(self.accum_group.q.val());
        self.acc_bank0.read_address.next = self.input_read_address.val();
        self.acc_bank1.read_address.next = self.input_read_address.val();
        self.acc_bank2.read_address.next = self.input_read_address.val();
        self.acc_bank3.read_address.next = self.input_read_address.val();
        self.acc_bank0.write_address.next = self.input_write_address.val();
        self.acc_bank1.write_address.next = self.input_write_address.val();
        self.acc_bank2.write_address.next = self.input_write_address.val();
        self.acc_bank3.write_address.next = self.input_write_address.val();
        if self.phase.q.val() == CorePhase::Input {
            self.acc_write_enable.next = self.accum_valid.q.val();
        }

        // ---- Update phase: issue neuron `update_neuron`, feed the LIF unit one cycle later.
        self.update_issuing.next = (self.phase.q.val() == CorePhase::Update)
            & (self.update_neuron.q.val() < self.neuron_count.q.val());
        self.param_decay.read_address.next = bit_cast::<NB, NB1>(self.update_neuron.q.val());
        self.param_bias_shift.read_address.next = bit_cast::<NB, NB1>(self.update_neuron.q.val());
        self.param_threshold.read_address.next = bit_cast::<NB, NB1>(self.update_neuron.q.val());
        if self.phase.q.val() == CorePhase::Update {
            self.state_u.read_address.next = bit_cast::<NB, NB1>(self.update_neuron.q.val());
            self.state_v.read_address.next = bit_cast::<NB, NB1>(self.update_neuron.q.val());
            // Bank k holds slot (k - lane) mod 4 of the neuron: read all four.
            self.acc_bank0.read_address.next = (bit_cast::<NB, 2>(self.bank_read_slot0.val())
                << self.group_bits.val())
                | self.issue_group.val();
            self.acc_bank1.read_address.next = (bit_cast::<NB, 2>(self.bank_read_slot1.val())
                << self.group_bits.val())
                | self.issue_group.val();
            self.acc_bank2.read_address.next = (bit_cast::<NB, 2>(self.bank_read_slot2.val())
                << self.group_bits.val())
                | self.issue_group.val();
            self.acc_bank3.read_address.next = (bit_cast::<NB, 2>(self.bank_read_slot3.val())
                << self.group_bits.val())
                | self.issue_group.val();
        }
        self.update_stage_valid.d.next = self.update_issuing.val();
        self.update_stage_neuron.d.next = self.update_neuron.q.val();
        if self.update_issuing.val() {
            self.update_neuron.d.next = self.update_neuron.q.val() + 1;
        }
        self.lif.in_valid.next = self.update_stage_valid.q.val();
        self.lif.in_neuron.next = bit_cast::<16, NB1>(self.update_stage_neuron.q.val());
        self.lif.in_u.next = self.state_u.read_data.val();
        self.lif.in_v.next = self.state_v.read_data.val();
        self.lif.in_decay.next = self.param_decay.read_data.val();
        self.lif.in_bias_shift.next = self.param_bias_shift.read_data.val();
        self.lif.in_threshold.next = self.param_threshold.read_data.val();
        self.lif.in_acc0.next = self.acc_rot0.val();
        self.lif.in_acc1.next = self.acc_rot1.val();
        self.lif.in_acc2.next = self.acc_rot2.val();
        self.lif.in_acc3.next = self.acc_rot3.val();
        // Once a neuron's four slots have been read, zero them for the next tick (the same
        // four entries, one per bank). The issue stage is reading the next neuron's entries,
        // which are different ones, so the write never collides with a read it matters to.
        if (self.phase.q.val() == CorePhase::Update) & self.update_stage_valid.q.val() {
            self.acc_write_zero.next = true;
            self.acc_bank0.write_address.next = (bit_cast::<NB, 2>(self.bank_zero_slot0.val())
                << self.group_bits.val())
                | self.stage_group.val();
            self.acc_bank1.write_address.next = (bit_cast::<NB, 2>(self.bank_zero_slot1.val())
                << self.group_bits.val())
                | self.stage_group.val();
            self.acc_bank2.write_address.next = (bit_cast::<NB, 2>(self.bank_zero_slot2.val())
                << self.group_bits.val())
                | self.stage_group.val();
            self.acc_bank3.write_address.next = (bit_cast::<NB, 2>(self.bank_zero_slot3.val())
                << self.group_bits.val())
                | self.stage_group.val();
        }
        // LIF results: write back the state, emit spikes.
        self.spike_valid.next = self.lif.out_spike.val();
        self.spike_neuron.next = bit_cast::<NB, 16>(self.lif.out_neuron.val());
        if self.lif.out_valid.val() {
            self.state_u.write_enable.next = true;
            self.state_u.write_address.next = bit_cast::<NB, 16>(self.lif.out_neuron.val());
            self.state_u.write_data.next = self.lif.out_u.val();
            self.state_v.write_enable.next = true;
            self.state_v.write_address.next = bit_cast::<NB, 16>(self.lif.out_neuron.val());
            self.state_v.write_data.next = self.lif.out_v.val();
        }

        // ---- Clear: zero every state word and accumulator group.
        if self.phase.q.val() == CorePhase::Clear {
            self.state_u.write_enable.next = true;
            self.state_u.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.state_u.write_data.next = 0.into();
            self.state_v.write_enable.next = true;
            self.state_v.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.state_v.write_data.next = 0.into();
            self.acc_write_zero.next = true;
            self.acc_bank0.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.acc_bank1.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.acc_bank2.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.acc_bank3.write_address.next = bit_cast::<NB, NB1>(self.clear_index.q.val());
            self.clear_index.d.next = self.clear_index.q.val() + 1;
        }

        // Write data: bank k takes lane (k - slot) mod 4 of the sums, or zero.
        self.acc_bank0.write_data.next = self.lane_sum0.val();
        self.acc_bank1.write_data.next = self.lane_sum1.val();
        self.acc_bank2.write_data.next = self.lane_sum2.val();
        self.acc_bank3.write_data.next = self.lane_sum3.val();
        if self.accum_slot.q.val() == 1 {
            self.acc_bank0.write_data.next = self.lane_sum3.val();
            self.acc_bank1.write_data.next = self.lane_sum0.val();
            self.acc_bank2.write_data.next = self.lane_sum1.val();
            self.acc_bank3.write_data.next = self.lane_sum2.val();
        }
        if self.accum_slot.q.val() == 2 {
            self.acc_bank0.write_data.next = self.lane_sum2.val();
            self.acc_bank1.write_data.next = self.lane_sum3.val();
            self.acc_bank2.write_data.next = self.lane_sum0.val();
            self.acc_bank3.write_data.next = self.lane_sum1.val();
        }
        if self.accum_slot.q.val() == 3 {
            self.acc_bank0.write_data.next = self.lane_sum1.val();
            self.acc_bank1.write_data.next = self.lane_sum2.val();
            self.acc_bank2.write_data.next = self.lane_sum3.val();
            self.acc_bank3.write_data.next = self.lane_sum0.val();
        }
        if self.acc_write_zero.val() {
            self.acc_bank0.write_data.next = 0.into();
            self.acc_bank1.write_data.next = 0.into();
            self.acc_bank2.write_data.next = 0.into();
            self.acc_bank3.write_data.next = 0.into();
        }
        self.acc_bank0.write_enable.next = self.acc_write_enable.val() | self.acc_write_zero.val();
        self.acc_bank1.write_enable.next = self.acc_write_enable.val() | self.acc_write_zero.val();
        self.acc_bank2.write_enable.next = self.acc_write_enable.val() | self.acc_write_zero.val();
        self.acc_bank3.write_enable.next = self.acc_write_enable.val() | self.acc_write_zero.val();

        // ---- Phase sequencer.
        match self.phase.q.val() {
            CorePhase::Idle => {
                if self.cfg_write.val() {
                    if self.cfg_target.val() == 0 {
                        self.synapse_sram.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 1 {
                        self.axon_meta.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 2 {
                        self.param_decay.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 3 {
                        self.param_bias_shift.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 4 {
                        self.param_threshold.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 5 {
                        self.state_u.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 6 {
                        self.state_v.write_enable.next = true;
                    }
                    if self.cfg_target.val() == 7 {
                        self.neuron_count.d.next = self.cfg_data.val().get_bits::<NB1>(0);
                    }
                    if self.cfg_target.val() == 8 {
                        self.clear_index.d.next = 0.into();
                        self.phase.d.next = CorePhase::Clear;
                    }
                } else if self.start.val() {
                    self.phase.d.next = CorePhase::Prep;
                }
            }
            CorePhase::Clear => {
                if self.clear_index.q.val() == self.clear_end.val() {
                    self.queue_write_ptr.d.next = 0.into();
                    self.queue_read_ptr.d.next = 0.into();
                    self.phase.d.next = CorePhase::Idle;
                }
            }
            CorePhase::Prep => {
                // Wait for the last enqueue to land so the queue RAM's output is the head.
                if !self.enqueue_pending.q.val() {
                    self.phase.d.next = CorePhase::Input;
                }
            }
            CorePhase::Input => {
                if !self.queue_has_event.val()
                    & !self.iter_active.q.val()
                    & !self.accum_valid.q.val()
                {
                    self.update_neuron.d.next = 0.into();
                    self.phase.d.next = CorePhase::Update;
                }
            }
            CorePhase::Update => {
                if !self.update_issuing.val()
                    & !self.update_stage_valid.q.val()
                    & !self.lif.out_valid.val()
                {
                    self.phase.d.next = CorePhase::Finish;
                }
            }
            CorePhase::Finish => {
                // The queue pointers are not reset: events taken during Update and Finish are
                // already in the ring for the next tick.
                self.done.next = true;
                self.phase.d.next = CorePhase::Idle;
            }
        }
    }
}
