//! The neurocore without its synapse stage: event queue, input iterator and accumulate stage,
//! skewed accumulator banks, update sequencer and the [`LifUnit`].
//!
//! The composed [`NeuroCore`](super::neurocore::NeuroCore) connects this block's
//! [`SynapseRequester`] to a synapse stage (the protocol and timing are in
//! [`synapse_port`](super::synapse_port)); the pins are documented there.
//!
//! # Input phase against the synapse port
//! The iterator issues one request per (axon event, group) in order. At most one request is
//! outstanding: its group, slot and pre-shift are held in the `accum_*` registers until its
//! response is taken, and a new request may issue in the cycle the response is taken. The
//! accumulator read of `{slot, group}` is issued with the request and re-issued every cycle
//! while the response is awaited, so the banks' output is the entry as of the previous cycle;
//! a write in that previous cycle to the same `{slot, group}` is forwarded by the bypass
//! registers instead. That holds for any response latency, including stalls. With a stage that
//! answers one cycle after each request, one word is accumulated per cycle and the cycle count
//! is that of the README.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::cfg_bus::{CfgBus, CfgBusDriver, CFG_TARGET_WIDTH};
use super::lif_unit::{sign_fill, LifUnit};
use super::regmap::{self, CfgTarget, Owner, CFG_TARGET_CODES};
use super::synapse_port::{SynapseRequester, WEIGHT_BITS};

/// Accumulator banks (= weight lanes = accumulator slots per neuron).
const BANKS: usize = 4;

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
    /// The learning window; pulses `done` once the synapse stage is not busy.
    Finish,
}

/// The sequencer and datapath of a core with `2^NB` neurons and `2^AB` axons
/// (`GB = NB - 2`, `NB1 = NB + 1`, `AB1 = AB + 1`; see [`NeuroCore`](super::neurocore::NeuroCore)).
#[derive(LogicBlock)]
pub struct CoreSequencer<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const NB1: usize,
    const AB1: usize,
> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration bus (honoured only while idle).
    pub cfg: CfgBus,
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
    /// The synapse stage's port.
    pub synapse: SynapseRequester<NB, AB, GB>,
    /// The configuration bus passed on to the synapse stage (writes only while idle).
    pub stage_cfg: CfgBusDriver,

    // Memories (all inferred as block RAM: registered read, one write port).
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
    acc_banks: [BlockRam<Bits<24>, NB>; BANKS],
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
    // Input phase: group iterator (request issue).
    iter_active: DFF<Bit>,
    iter_first: DFF<Bit>,
    iter_axon: DFF<Bits<AB>>,
    iter_group: DFF<Bits<GB>>,
    iter_last_group: DFF<Bits<GB>>,
    iter_slot: DFF<Bits<2>>,
    iter_shift: DFF<Bits<3>>,
    // Input phase: the outstanding request (accumulated when its response is taken).
    accum_valid: DFF<Bit>,
    accum_group: DFF<Bits<GB>>,
    accum_slot: DFF<Bits<2>>,
    accum_shift: DFF<Bits<3>>,
    // The accumulator write of the previous cycle hit the address read in that cycle.
    bypass_hit: DFF<Bit>,
    bypass_lane: [DFF<Bits<24>>; BANKS],
    // Update phase.
    update_neuron: DFF<Bits<NB1>>,
    update_stage_valid: DFF<Bit>,
    update_stage_neuron: DFF<Bits<NB1>>,
    // Configuration read-back: a read this block answers is pending (answered this cycle),
    // and the target it reads (selects the memory output).
    read_pending: DFF<Bit>,
    read_target: DFF<Bits<CFG_TARGET_WIDTH>>,

    // Combinational temporaries.
    queue_has_event: Signal<Local, Bit>,
    queue_word: Signal<Local, Bits<21>>,
    request_taken: Signal<Local, Bit>,
    response_taken: Signal<Local, Bit>,
    iter_finishing: Signal<Local, Bit>,
    load_next_event: Signal<Local, Bit>,
    // A configuration read while idle: it borrows the memories' read ports this cycle.
    read_cycle: Signal<Local, Bit>,
    // Lane j of the accumulator entry read, of the response, and of their sum.
    acc_read_lane: [Signal<Local, Bits<24>>; BANKS],
    weight_lane: [Signal<Local, Bits<24>>; BANKS],
    lane_sum: [Signal<Local, Bits<24>>; BANKS],
    acc_write_enable: Signal<Local, Bit>,
    acc_write_zero: Signal<Local, Bit>,
    // Bank rotation: `acc_rot[j]` = bank `(j + acc_rotate) mod 4`'s read data.
    acc_rotate: Signal<Local, Bits<2>>,
    acc_rot: [Signal<Local, Bits<24>>; BANKS],
    // Address in bank k of the neuron being read (`bank_read_address[k]`) or zeroed
    // (`bank_zero_address[k]`) in the update phase: `{(k - lane) mod 4, group}`.
    bank_read_address: [Signal<Local, Bits<NB>>; BANKS],
    bank_zero_address: [Signal<Local, Bits<NB>>; BANKS],
    issue_lane_field: Signal<Local, Bits<NB>>,
    update_lane_field: Signal<Local, Bits<NB>>,
    issue_lane: Signal<Local, Bits<2>>,
    issue_group: Signal<Local, Bits<NB>>,
    stage_group: Signal<Local, Bits<NB>>,
    input_read_address: Signal<Local, Bits<NB>>,
    input_write_address: Signal<Local, Bits<NB>>,
    update_issuing: Signal<Local, Bit>,
    update_lane: Signal<Local, Bits<2>>,
    // `k << GB`: k in the slot field of a bank address, for the mod-4 bank arithmetic.
    bank_slot_field: [Constant<Bits<NB>>; BANKS],
    group_bits: Constant<Bits<8>>,
    weight_sign_fill: Constant<Bits<24>>,
    clear_end: Constant<Bits<NB1>>,
    // The codes of the core's own configuration targets, from the register map, and the mask
    // of the synapse stage's (reads of them are routed to the stage).
    stage_targets: Constant<Bits<CFG_TARGET_CODES>>,
    axon_meta_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    param_decay_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    param_bias_shift_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    param_threshold_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    state_u_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    state_v_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    neuron_count_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    clear_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const NB1: usize, const AB1: usize> Default
    for CoreSequencer<NB, AB, GB, NB1, AB1>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            cfg: Default::default(),
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
            synapse: Default::default(),
            stage_cfg: Default::default(),
            axon_meta: Default::default(),
            event_queue_meta: Default::default(),
            event_queue_axon: Default::default(),
            param_decay: Default::default(),
            param_bias_shift: Default::default(),
            param_threshold: Default::default(),
            state_u: Default::default(),
            state_v: Default::default(),
            acc_banks: Default::default(),
            lif: Default::default(),
            phase: Default::default(),
            neuron_count: Default::default(),
            clear_index: Default::default(),
            enqueue_pending: Default::default(),
            enqueue_axon: Default::default(),
            queue_write_ptr: Default::default(),
            queue_read_ptr: Default::default(),
            iter_active: Default::default(),
            iter_first: Default::default(),
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
            bypass_lane: Default::default(),
            update_neuron: Default::default(),
            update_stage_valid: Default::default(),
            update_stage_neuron: Default::default(),
            read_pending: Default::default(),
            read_target: Default::default(),
            queue_has_event: Default::default(),
            queue_word: Default::default(),
            request_taken: Default::default(),
            response_taken: Default::default(),
            iter_finishing: Default::default(),
            load_next_event: Default::default(),
            read_cycle: Default::default(),
            acc_read_lane: Default::default(),
            weight_lane: Default::default(),
            lane_sum: Default::default(),
            acc_write_enable: Default::default(),
            acc_write_zero: Default::default(),
            acc_rotate: Default::default(),
            acc_rot: Default::default(),
            bank_read_address: Default::default(),
            bank_zero_address: Default::default(),
            issue_lane_field: Default::default(),
            update_lane_field: Default::default(),
            issue_lane: Default::default(),
            issue_group: Default::default(),
            stage_group: Default::default(),
            input_read_address: Default::default(),
            input_write_address: Default::default(),
            update_issuing: Default::default(),
            update_lane: Default::default(),
            bank_slot_field: [0u64, 1, 2, 3].map(|k| Constant::new((k << GB).into())),
            group_bits: Constant::new((GB as u64).into()),
            weight_sign_fill: sign_fill::<24>(WEIGHT_BITS),
            clear_end: Constant::new((1u64 << NB).into()),
            stage_targets: regmap::hdl::owner_mask(Owner::SynapseStage),
            axon_meta_target: regmap::hdl::constant(CfgTarget::AxonMeta),
            param_decay_target: regmap::hdl::constant(CfgTarget::ParamDecay),
            param_bias_shift_target: regmap::hdl::constant(CfgTarget::ParamBiasShift),
            param_threshold_target: regmap::hdl::constant(CfgTarget::ParamThreshold),
            state_u_target: regmap::hdl::constant(CfgTarget::StateU),
            state_v_target: regmap::hdl::constant(CfgTarget::StateV),
            neuron_count_target: regmap::hdl::constant(CfgTarget::NeuronCount),
            clear_target: regmap::hdl::constant(CfgTarget::Clear),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const NB1: usize, const AB1: usize> Logic
    for CoreSequencer<NB, AB, GB, NB1, AB1>
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
            iter_first,
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
            update_neuron,
            update_stage_valid,
            update_stage_neuron,
            read_pending,
            read_target
        );
        clock!(self, clock, lif);
        for k in 0..4 {
            self.acc_banks[k].read_clock.next = self.clock.val();
            self.acc_banks[k].write_clock.next = self.clock.val();
            self.bypass_lane[k].clock.next = self.clock.val();
            self.bypass_lane[k].d.next = self.bypass_lane[k].q.val();
        }
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
        // The synapse stage sees the configuration bus, qualified like the core's own writes.
        self.stage_cfg.write.next = self.cfg.write.val() & (self.phase.q.val() == CorePhase::Idle);
        self.stage_cfg.target.next = self.cfg.target.val();
        self.stage_cfg.addr.next = self.cfg.addr.val();
        self.stage_cfg.data.next = self.cfg.data.val();
        self.synapse.tick_start.next = false;
        self.synapse.window.next = self.phase.q.val() == CorePhase::Finish;
        self.axon_meta.write_enable.next = false;
        self.axon_meta.write_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
        self.axon_meta.write_data.next = self.cfg.data.val().get_bits::<21>(0);
        self.axon_meta.read_address.next = self.event_axon.val();
        self.param_decay.write_enable.next = false;
        self.param_decay.write_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        self.param_decay.write_data.next = self.cfg.data.val().get_bits::<25>(0);
        self.param_bias_shift.write_enable.next = false;
        self.param_bias_shift.write_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        self.param_bias_shift.write_data.next = self.cfg.data.val();
        self.param_threshold.write_enable.next = false;
        self.param_threshold.write_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        self.param_threshold.write_data.next = self.cfg.data.val().get_bits::<23>(0);
        self.state_u.write_enable.next = false;
        self.state_u.write_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        self.state_u.write_data.next = self.cfg.data.val().get_bits::<25>(0);
        self.state_u.read_address.next = self.probe_neuron.val();
        self.state_v.write_enable.next = false;
        self.state_v.write_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        self.state_v.write_data.next = self.cfg.data.val().get_bits::<24>(0);
        self.state_v.read_address.next = self.probe_neuron.val();
        self.probe_u.next = self.state_u.read_data.val();
        self.probe_v.next = self.state_v.read_data.val();

        // ---- Event enqueue: look up the axon's descriptor, then append the descriptor and the
        // axon (two RAMs at the same ring address). Events are for the next tick, so they
        // are refused only while this tick's queue is being drained, during a clear, and in a
        // configuration read cycle (the read borrows the descriptor RAM's read port).
        self.event_ready.next = ((self.phase.q.val() == CorePhase::Idle)
            | (self.phase.q.val() == CorePhase::Update)
            | (self.phase.q.val() == CorePhase::Finish))
            & !self.cfg.read.val();
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

        // ---- Input phase, request issue. The queue is read with look-ahead (address of the
        // entry after the head when the head is consumed this cycle), so the head entry is
        // always on the RAM's output and events issue back to back. A request goes out when
        // none is outstanding or the outstanding one's response is taken this cycle.
        // (The handshake terms are spelled out rather than chained through intermediate
        // signals: each link of such a chain costs the rtl engine a settle pass.)
        self.response_taken.next = self.accum_valid.q.val() & self.synapse.rsp_valid.val();
        self.synapse.rsp_ready.next = self.accum_valid.q.val();
        self.synapse.req_valid.next =
            self.iter_active.q.val() & (!self.accum_valid.q.val() | self.synapse.rsp_valid.val());
        self.synapse.req_axon.next = self.iter_axon.q.val();
        self.synapse.req_group.next = self.iter_group.q.val();
        self.synapse.req_first.next = self.iter_first.q.val();
        self.synapse.req_last.next = self.iter_group.q.val() == self.iter_last_group.q.val();
        self.request_taken.next = self.iter_active.q.val()
            & (!self.accum_valid.q.val() | self.synapse.rsp_valid.val())
            & self.synapse.req_ready.val();
        self.queue_has_event.next = self.queue_read_ptr.q.val() != self.queue_write_ptr.q.val();
        self.queue_word.next = self.event_queue_meta.read_data.val();
        self.iter_finishing.next = self.iter_active.q.val()
            & (!self.accum_valid.q.val() | self.synapse.rsp_valid.val())
            & self.synapse.req_ready.val()
            & (self.iter_group.q.val() == self.iter_last_group.q.val());
        self.load_next_event.next = (self.phase.q.val() == CorePhase::Input)
            & (self.queue_read_ptr.q.val() != self.queue_write_ptr.q.val())
            & (!self.iter_active.q.val() | self.iter_finishing.val());
        self.event_queue_meta.read_address.next = bit_cast::<AB, AB1>(self.queue_read_ptr.q.val());
        self.event_queue_axon.read_address.next = bit_cast::<AB, AB1>(self.queue_read_ptr.q.val());
        if self.request_taken.val() {
            self.iter_first.d.next = false;
        }
        if self.load_next_event.val() {
            self.event_queue_meta.read_address.next =
                bit_cast::<AB, AB1>(self.queue_read_ptr.q.val() + 1);
            self.event_queue_axon.read_address.next =
                bit_cast::<AB, AB1>(self.queue_read_ptr.q.val() + 1);
            self.queue_read_ptr.d.next = self.queue_read_ptr.q.val() + 1;
            self.iter_active.d.next = true;
            self.iter_first.d.next = true;
            self.iter_group.d.next = bit_cast::<GB, 8>(self.queue_word.val().get_bits::<8>(0));
            self.iter_last_group.d.next = bit_cast::<GB, 8>(self.queue_word.val().get_bits::<8>(8));
            self.iter_slot.d.next = self.queue_word.val().get_bits::<2>(16);
            self.iter_shift.d.next = self.queue_word.val().get_bits::<3>(18);
            self.iter_axon.d.next = self.event_queue_axon.read_data.val();
        } else if self.iter_finishing.val() {
            self.iter_active.d.next = false;
        } else if self.request_taken.val() {
            self.iter_group.d.next = self.iter_group.q.val() + 1;
        }
        if self.request_taken.val() {
            self.accum_valid.d.next = true;
            self.accum_group.d.next = self.iter_group.q.val();
            self.accum_slot.d.next = self.iter_slot.q.val();
            self.accum_shift.d.next = self.iter_shift.q.val();
        } else if self.response_taken.val() {
            self.accum_valid.d.next = false;
        }

        // ---- Accumulator bank addressing of the update phase's issued and staged neurons.
        self.update_lane.next = self.update_stage_neuron.q.val().get_bits::<2>(0);
        self.issue_lane.next = self.update_neuron.q.val().get_bits::<2>(0);
        self.issue_group.next = bit_cast::<NB, NB1>(self.update_neuron.q.val() >> 2);
        self.stage_group.next = bit_cast::<NB, NB1>(self.update_stage_neuron.q.val() >> 2);
        // Bank k holds slot (k - lane) mod 4 of a neuron, at address {slot, group}:
        // ((k << GB) - (lane << GB)) | group, in NB = GB + 2 bit arithmetic, which wraps mod 4
        // in the slot field.
        self.issue_lane_field.next =
            bit_cast::<NB, 2>(self.issue_lane.val()) << self.group_bits.val();
        self.update_lane_field.next =
            bit_cast::<NB, 2>(self.update_lane.val()) << self.group_bits.val();
        for k in 0..4 {
            self.bank_read_address[k].next = (self.bank_slot_field[k].val()
                - self.issue_lane_field.val())
                | self.issue_group.val();
            self.bank_zero_address[k].next = (self.bank_slot_field[k].val()
                - self.update_lane_field.val())
                | self.stage_group.val();
        }

        // ---- Input phase, accumulate: acc[slot][group] += sext(w) << pre_shift, lane by lane,
        // when the response is taken. The banks' read data, rotated so that output j is lane j
        // of the slot being accumulated (input phase) or slot j of the neuron being updated
        // (update phase): bank k holds lane / slot j when (k - j) mod 4 = rotate.
        self.acc_rotate.next = self.accum_slot.q.val();
        if self.phase.q.val() == CorePhase::Update {
            self.acc_rotate.next = self.update_lane.val();
        }
        // Spelled out with literal indices: a loop over (j, k) with a mod-4 test costs the rtl
        // engine 16 comparisons in every evaluation of this block.
        for j in 0..4 {
            self.acc_rot[j].next = self.acc_banks[j].read_data.val();
        }
        if self.acc_rotate.val() == 1 {
            self.acc_rot[0].next = self.acc_banks[1].read_data.val();
            self.acc_rot[1].next = self.acc_banks[2].read_data.val();
            self.acc_rot[2].next = self.acc_banks[3].read_data.val();
            self.acc_rot[3].next = self.acc_banks[0].read_data.val();
        }
        if self.acc_rotate.val() == 2 {
            self.acc_rot[0].next = self.acc_banks[2].read_data.val();
            self.acc_rot[1].next = self.acc_banks[3].read_data.val();
            self.acc_rot[2].next = self.acc_banks[0].read_data.val();
            self.acc_rot[3].next = self.acc_banks[1].read_data.val();
        }
        if self.acc_rotate.val() == 3 {
            self.acc_rot[0].next = self.acc_banks[3].read_data.val();
            self.acc_rot[1].next = self.acc_banks[0].read_data.val();
            self.acc_rot[2].next = self.acc_banks[1].read_data.val();
            self.acc_rot[3].next = self.acc_banks[2].read_data.val();
        }
        // The response's lanes sign-extended to 24 bits (bit 15 is a lane's sign). `bit_cast`
        // cannot take a loop index in `#[hdl_gen]`, so the lanes are widened one by one.
        self.weight_lane[0].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight0.val());
        if self.synapse.rsp_weight0.val().get_bit(15) {
            self.weight_lane[0].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight0.val())
                | self.weight_sign_fill.val();
        }
        self.weight_lane[1].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight1.val());
        if self.synapse.rsp_weight1.val().get_bit(15) {
            self.weight_lane[1].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight1.val())
                | self.weight_sign_fill.val();
        }
        self.weight_lane[2].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight2.val());
        if self.synapse.rsp_weight2.val().get_bit(15) {
            self.weight_lane[2].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight2.val())
                | self.weight_sign_fill.val();
        }
        self.weight_lane[3].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight3.val());
        if self.synapse.rsp_weight3.val().get_bit(15) {
            self.weight_lane[3].next = bit_cast::<24, WEIGHT_BITS>(self.synapse.rsp_weight3.val())
                | self.weight_sign_fill.val();
        }
        for j in 0..4 {
            self.acc_read_lane[j].next = self.acc_rot[j].val();
            if self.bypass_hit.q.val() {
                self.acc_read_lane[j].next = self.bypass_lane[j].q.val();
            }
            // 24-bit sums wrap as two's complement; the mapper's bound keeps them exact.
            self.lane_sum[j].next = self.acc_read_lane[j].val()
                + (self.weight_lane[j].val() << self.accum_shift.q.val());
            self.bypass_lane[j].d.next = self.lane_sum[j].val();
        }

        // ---- Accumulator port arbitration (by phase).
        // Input phase: all four banks at {slot, group}; bank (slot + lane) mod 4 holds lane.
        // The read follows the request being issued, else the one outstanding.
        self.acc_write_enable.next = false;
        self.acc_write_zero.next = false;
        self.input_read_address.next = (bit_cast::<NB, 2>(self.accum_slot.q.val())
            << self.group_bits.val())
            | bit_cast::<NB, GB>(self.accum_group.q.val());
        if self.request_taken.val() {
            self.input_read_address.next = (bit_cast::<NB, 2>(self.iter_slot.q.val())
                << self.group_bits.val())
                | bit_cast::<NB, GB>(self.iter_group.q.val());
        }
        self.input_write_address.next = (bit_cast::<NB, 2>(self.accum_slot.q.val())
            << self.group_bits.val())
            | bit_cast::<NB, GB>(self.accum_group.q.val());
        if self.phase.q.val() == CorePhase::Input {
            self.acc_write_enable.next = self.accum_valid.q.val() & self.synapse.rsp_valid.val();
        }
        self.bypass_hit.d.next = self.acc_write_enable.val()
            & (self.input_read_address.val() == self.input_write_address.val());
        for k in 0..4 {
            self.acc_banks[k].read_address.next = self.input_read_address.val();
            self.acc_banks[k].write_address.next = self.input_write_address.val();
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
            for k in 0..4 {
                self.acc_banks[k].read_address.next = self.bank_read_address[k].val();
            }
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
        self.lif.in_acc0.next = self.acc_rot[0].val();
        self.lif.in_acc1.next = self.acc_rot[1].val();
        self.lif.in_acc2.next = self.acc_rot[2].val();
        self.lif.in_acc3.next = self.acc_rot[3].val();
        // Once a neuron's four slots have been read, zero them for the next tick (the same
        // four entries, one per bank). The issue stage is reading the next neuron's entries,
        // which are different ones, so the write never collides with a read it matters to.
        if (self.phase.q.val() == CorePhase::Update) & self.update_stage_valid.q.val() {
            self.acc_write_zero.next = true;
            for k in 0..4 {
                self.acc_banks[k].write_address.next = self.bank_zero_address[k].val();
            }
        }
        // LIF results: write back the state, emit spikes (also to the synapse stage).
        self.spike_valid.next = self.lif.out_spike.val();
        self.spike_neuron.next = bit_cast::<NB, 16>(self.lif.out_neuron.val());
        self.synapse.post_valid.next = self.lif.out_spike.val();
        self.synapse.post_neuron.next = bit_cast::<NB, 16>(self.lif.out_neuron.val());
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
            for k in 0..4 {
                self.acc_banks[k].write_address.next =
                    bit_cast::<NB, NB1>(self.clear_index.q.val());
            }
            self.clear_index.d.next = self.clear_index.q.val() + 1;
        }

        // Write data: bank k takes lane (k - slot) mod 4 of the sums, or zero.
        for k in 0..4 {
            self.acc_banks[k].write_data.next = self.lane_sum[k].val();
        }
        if self.accum_slot.q.val() == 1 {
            self.acc_banks[0].write_data.next = self.lane_sum[3].val();
            self.acc_banks[1].write_data.next = self.lane_sum[0].val();
            self.acc_banks[2].write_data.next = self.lane_sum[1].val();
            self.acc_banks[3].write_data.next = self.lane_sum[2].val();
        }
        if self.accum_slot.q.val() == 2 {
            self.acc_banks[0].write_data.next = self.lane_sum[2].val();
            self.acc_banks[1].write_data.next = self.lane_sum[3].val();
            self.acc_banks[2].write_data.next = self.lane_sum[0].val();
            self.acc_banks[3].write_data.next = self.lane_sum[1].val();
        }
        if self.accum_slot.q.val() == 3 {
            self.acc_banks[0].write_data.next = self.lane_sum[1].val();
            self.acc_banks[1].write_data.next = self.lane_sum[2].val();
            self.acc_banks[2].write_data.next = self.lane_sum[3].val();
            self.acc_banks[3].write_data.next = self.lane_sum[0].val();
        }
        for k in 0..4 {
            if self.acc_write_zero.val() {
                self.acc_banks[k].write_data.next = 0.into();
            }
            self.acc_banks[k].write_enable.next =
                self.acc_write_enable.val() | self.acc_write_zero.val();
        }

        // ---- Configuration read-back (protocol and timing in `cfg_bus`). A read while idle
        // borrows the read ports of all of this block's memories for its one cycle: each is
        // addressed with `cfg.addr` (registered read: the word is on its output in the next
        // cycle, when the registered target selects it). The ports are free while idle except
        // the descriptor RAM's, which serves the enqueue (`event_ready` is low in a read
        // cycle, above), and u/v's, which serve the probe (stale in the cycle after a read).
        // Reads of the synapse stage's targets (owner in the register map) go to the stage,
        // which answers them; this block answers every other read: its targets with the stored word zero-extended, the rest
        // (commands, unused codes, a read while busy) with 0. Both answers are 0 outside
        // their `read_valid`, so the core's answer is their OR.
        self.read_cycle.next = self.cfg.read.val() & (self.phase.q.val() == CorePhase::Idle);
        self.stage_cfg.read.next = self.read_cycle.val()
            & (((self.stage_targets.val() >> self.cfg.target.val()) & 1) != 0);
        self.read_pending.d.next = self.cfg.read.val() & !self.stage_cfg.read.val();
        if self.cfg.read.val() {
            // A read while busy answers 0: register a target that is not readable (Clear).
            self.read_target.d.next = self.clear_target.val();
        }
        if self.read_cycle.val() {
            self.read_target.d.next = self.cfg.target.val();
            self.axon_meta.read_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
            self.param_decay.read_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
            self.param_bias_shift.read_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
            self.param_threshold.read_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
            self.state_u.read_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
            self.state_v.read_address.next = bit_cast::<NB, 24>(self.cfg.addr.val());
        }
        self.cfg.read_valid.next = self.read_pending.q.val() | self.stage_cfg.read_valid.val();
        self.cfg.read_data.next = self.stage_cfg.read_data.val();
        if self.read_pending.q.val() {
            self.cfg.read_data.next = 0.into();
            if self.read_target.q.val() == self.axon_meta_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 21>(self.axon_meta.read_data.val());
            }
            if self.read_target.q.val() == self.param_decay_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 25>(self.param_decay.read_data.val());
            }
            if self.read_target.q.val() == self.param_bias_shift_target.val() {
                self.cfg.read_data.next = self.param_bias_shift.read_data.val();
            }
            if self.read_target.q.val() == self.param_threshold_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 23>(self.param_threshold.read_data.val());
            }
            if self.read_target.q.val() == self.state_u_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 25>(self.state_u.read_data.val());
            }
            if self.read_target.q.val() == self.state_v_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 24>(self.state_v.read_data.val());
            }
            if self.read_target.q.val() == self.neuron_count_target.val() {
                self.cfg.read_data.next = bit_cast::<32, NB1>(self.neuron_count.q.val());
            }
        }

        // ---- Phase sequencer.
        match self.phase.q.val() {
            CorePhase::Idle => {
                if self.cfg.write.val() {
                    if self.cfg.target.val() == self.axon_meta_target.val() {
                        self.axon_meta.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.param_decay_target.val() {
                        self.param_decay.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.param_bias_shift_target.val() {
                        self.param_bias_shift.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.param_threshold_target.val() {
                        self.param_threshold.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.state_u_target.val() {
                        self.state_u.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.state_v_target.val() {
                        self.state_v.write_enable.next = true;
                    }
                    if self.cfg.target.val() == self.neuron_count_target.val() {
                        self.neuron_count.d.next = self.cfg.data.val().get_bits::<NB1>(0);
                    }
                    if self.cfg.target.val() == self.clear_target.val() {
                        self.clear_index.d.next = 0.into();
                        self.phase.d.next = CorePhase::Clear;
                    }
                } else if self.start.val() {
                    self.synapse.tick_start.next = true;
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
                // The learning window: wait for the synapse stage. The queue pointers are not
                // reset: events taken during Update and Finish are already in the ring for the
                // next tick.
                if !self.synapse.stage_busy.val() {
                    self.done.next = true;
                    self.phase.d.next = CorePhase::Idle;
                }
            }
        }
    }
}
