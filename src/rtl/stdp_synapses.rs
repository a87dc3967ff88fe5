//! The learning (STDP) synapse stage behind the synapse port (spec §5): weights of plain and
//! learning axons, pre and post traces, per-rule parameters, and step 4 of every tick.
//!
//! # Memories (all block RAM, no word over 32 bits; layouts in `layout.rs`)
//! - `synapse_sram` (32 b x axons·groups) and `synapse_high` (4 b, same address): 9-bit
//!   two's-complement weights, the low 8 bits of lane `i` at bits `8i..8i+8` of the word,
//!   the ninth in bit `i` of the plane (`layout::pack_learning_weights`, which says why).
//! - `learn_axons` (31 b x axons): per axon whether it learns, its rule, its row's groups and
//!   lane bounds (populations are not aligned to groups of 4), its pre trace `x`, and a
//!   pre-done flag (`layout::LearnAxonWord`).
//! - `post_traces[r]` (28 b x groups), one per rule `r`: the post traces `y` of a group's 4
//!   neurons (a rule is one learning projection; its `y` depend only on its own parameters
//!   and the target's spikes).
//! - [`PostSpikes`]: the post spikes of the previous and the current tick.
//! - Rule parameters and the control word in registers (`LearnRule`, `LearnControl`).
//!
//! # Timing (the golden stage's, `model::stdp`)
//! The pre events delivered in tick `t + 1` are the pre spikes of tick `t`, so step 4 of tick
//! `t` runs during tick `t + 1`:
//! - **Input phase of `t + 1`**: a request `(a, g)` is answered one cycle later with the
//!   stored weights, i.e. before step 4 of `t` (as the spec's timing requires). In the cycle
//!   its response is taken, a learning axon's word is written back with both terms applied
//!   (`pre = 1`, `post` = the post spike of tick `t`), using `x` updated with the impulse
//!   ([`TraceUnit`], on the first group of the event, then held) and `y` of tick `t` (updated
//!   in the window of tick `t`). The axon's word gets the new `x` and its pre-done flag.
//! - **Window of `t + 1`** (`stage_busy`): (1) the axon pass, axons `0..axon_limit`: a
//!   learning axon whose flag is set has its flag cleared; one without a pre event has its `x`
//!   decayed and, if tick `t` had any post spike, its row visited: each word written back with
//!   the post-only term (pre = 0). (2) The trace sweep, rules `0..rules` x groups
//!   `0..groups`: `y` updated with the post spikes of tick `t + 1`, and the post bits of tick
//!   `t` cleared.
//!
//! Each synapse `(i, j)` with `pre[j] | post[i]` is updated exactly once per tick, as in
//! `fixed::stdp::learned_weight` ([`StdpRule`], one per lane). The last tick's step 4 needs
//! the pre events of the tick after it: a driver runs one more tick with the neuron count at 0
//! and reads the post traces before it (its window would decay them once more).
//!
//! The events of the first tick after `LearnControl` is written are no tick's pre spikes
//! (`armed` low): that tick learns nothing and its window only updates `y`, as the golden stage.
//!
//! Cycles: the input phase is as fast as [`SramSynapses`](super::sram_synapses::SramSynapses)
//! (always ready, one cycle latency). With learning configured, `stage_busy` is high for
//! `1 (entry) + axon_limit + Σ row words (learning axons without a pre event, when the previous
//! tick had a post spike) + rules · groups + 2 (sweep drain)` cycles of the window, and
//! `1 + rules · groups + 2` in the first tick (not armed: no axon pass); without rules or
//! axons, 1. `tests/learning_cycles.rs` checks this exactly on whole learning networks.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::cfg_bus::{CfgBus, CFG_TARGET_WIDTH};
use super::layout::{LEARN_AXON_BITS, LEARN_RULES, LEARN_WEIGHT_BITS};
use super::lif_unit::sign_fill;
use super::post_spikes::PostSpikes;
use super::regmap::{self, CfgTarget};
use super::stdp_rule::StdpRule;
use super::stdp_trace::TraceUnit;
use super::synapse_port::{SynapseStagePort, WEIGHT_BITS, WEIGHT_LANES};

/// What the stage is doing.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum StdpPhase {
    /// Answering requests (and configuration) outside the window.
    Serve,
    /// Window, axon pass: the learning-axon word of `pass_axon` is on the RAM's output.
    AxonEval,
    /// Window, axon pass: the word of group `row_group` of `pass_axon`'s row is on the output.
    RowWrite,
    /// Window: the post-trace sweep.
    TraceSweep,
    /// Window: all done until the window closes.
    Done,
}

/// The learning stage of a core with `2^NB` neurons and `2^AB` axons (`GB = NB - 2`,
/// `SB = AB + GB`, `AB1 = AB + 1`; group counters take `NB` bits).
#[derive(LogicBlock)]
pub struct StdpSynapses<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const AB1: usize,
> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration bus (qualified by the core).
    pub cfg: CfgBus,
    /// The synapse port.
    pub port: SynapseStagePort<NB, AB, GB>,

    // Memories and datapath.
    synapse_sram: BlockRam<Bits<32>, SB>,
    synapse_high: BlockRam<Bits<4>, SB>,
    learn_axons: BlockRam<Bits<31>, AB>,
    post_traces: [BlockRam<Bits<28>, GB>; LEARN_RULES],
    post_spikes: PostSpikes<NB, GB>,
    pre_trace: TraceUnit,
    post_trace: [TraceUnit; WEIGHT_LANES],
    lanes: [StdpRule; WEIGHT_LANES],
    rule_decays: [DFF<Bits<30>>; LEARN_RULES],
    rule_rates: [DFF<Bits<30>>; LEARN_RULES],
    control: DFF<Bits<32>>,

    // Serving.
    phase: DFF<StdpPhase>,
    rsp_pending: DFF<Bit>,
    held_address: DFF<Bits<SB>>,
    held_axon: DFF<Bits<AB>>,
    held_group: DFF<Bits<GB>>,
    held_first: DFF<Bit>,
    /// `x` of the event being served (after its first group) or of the row being visited.
    event_x: DFF<Bits<7>>,
    /// A tick has completed since `LearnControl` was written: its step 4 is pending. (The
    /// events of the first tick are no tick's pre spikes, as in the golden stage.)
    armed: DFF<Bit>,
    // Window passes.
    pass_axon: DFF<Bits<AB1>>,
    row_group: DFF<Bits<GB>>,
    sweep_group: DFF<Bits<NB>>,
    sweep_rule: DFF<Bits<3>>,
    sweep_issuing: DFF<Bit>,
    stage_valid: DFF<Bit>,
    stage_group: DFF<Bits<GB>>,
    stage_rule: DFF<Bits<2>>,
    // Configuration read-back.
    read_pending: DFF<Bit>,
    read_target: DFF<Bits<CFG_TARGET_WIDTH>>,
    read_index: DFF<Bits<3>>,

    // Combinational.
    learn_word: Signal<Local, Bits<31>>,
    learning: Signal<Local, Bit>,
    rule: Signal<Local, Bits<2>>,
    decays: Signal<Local, Bits<30>>,
    rates: Signal<Local, Bits<30>>,
    word_group: Signal<Local, Bits<GB>>,
    lane_enable: [Signal<Local, Bit>; WEIGHT_LANES],
    stored: [Signal<Local, Bits<9>>; WEIGHT_LANES],
    post_word: Signal<Local, Bits<28>>,
    learned_low: Signal<Local, Bits<32>>,
    learned_high: Signal<Local, Bits<4>>,
    swept_word: Signal<Local, Bits<28>>,
    taken: Signal<Local, Bit>,
    next_axon: Signal<Local, Bits<AB1>>,
    axon_limit: Signal<Local, Bits<AB1>>,
    group_count: Signal<Local, Bits<NB>>,
    rule_count: Signal<Local, Bits<3>>,
    start_sweep: Signal<Local, Bit>,
    advance_axon: Signal<Local, Bit>,
    pass_address: Signal<Local, Bits<SB>>,
    learn_update: Signal<Local, Bits<31>>,
    read_post_word: Signal<Local, Bits<28>>,
    read_rule_word: Signal<Local, Bits<30>>,

    // Constants.
    lane_index: [Constant<Bits<2>>; WEIGHT_LANES],
    rule_index: [Constant<Bits<2>>; LEARN_RULES],
    group_bits: Constant<Bits<8>>,
    weight_sign_fill: Constant<Bits<WEIGHT_BITS>>,
    /// Every bit of a learning-axon word but `x` (23..30) and the pre-done flag (30).
    learn_keep: Constant<Bits<31>>,
    pre_done_bit: Constant<Bits<31>>,
    synapse_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    synapse_high_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_axon_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    post_trace_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_rule_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_control_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize, const AB1: usize> Default
    for StdpSynapses<NB, AB, GB, SB, AB1>
{
    fn default() -> Self {
        assert_eq!(SB, AB + GB, "SB must be AB + GB");
        assert_eq!(AB1, AB + 1, "AB1 must be AB + 1");
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            port: Default::default(),
            synapse_sram: Default::default(),
            synapse_high: Default::default(),
            learn_axons: Default::default(),
            post_traces: Default::default(),
            post_spikes: Default::default(),
            pre_trace: Default::default(),
            post_trace: Default::default(),
            lanes: Default::default(),
            rule_decays: Default::default(),
            rule_rates: Default::default(),
            control: Default::default(),
            phase: Default::default(),
            rsp_pending: Default::default(),
            held_address: Default::default(),
            held_axon: Default::default(),
            held_group: Default::default(),
            held_first: Default::default(),
            event_x: Default::default(),
            armed: Default::default(),
            pass_axon: Default::default(),
            row_group: Default::default(),
            sweep_group: Default::default(),
            sweep_rule: Default::default(),
            sweep_issuing: Default::default(),
            stage_valid: Default::default(),
            stage_group: Default::default(),
            stage_rule: Default::default(),
            read_pending: Default::default(),
            read_target: Default::default(),
            read_index: Default::default(),
            learn_word: Default::default(),
            learning: Default::default(),
            rule: Default::default(),
            decays: Default::default(),
            rates: Default::default(),
            word_group: Default::default(),
            lane_enable: Default::default(),
            stored: Default::default(),
            post_word: Default::default(),
            learned_low: Default::default(),
            learned_high: Default::default(),
            swept_word: Default::default(),
            taken: Default::default(),
            next_axon: Default::default(),
            axon_limit: Default::default(),
            group_count: Default::default(),
            rule_count: Default::default(),
            start_sweep: Default::default(),
            advance_axon: Default::default(),
            pass_address: Default::default(),
            learn_update: Default::default(),
            read_post_word: Default::default(),
            read_rule_word: Default::default(),
            lane_index: [0u64, 1, 2, 3].map(|lane| Constant::new(lane.into())),
            rule_index: [0u64, 1, 2, 3].map(|rule| Constant::new(rule.into())),
            group_bits: Constant::new((GB as u64).into()),
            weight_sign_fill: sign_fill::<WEIGHT_BITS>(LEARN_WEIGHT_BITS as usize),
            learn_keep: Constant::new(
                (((1u64 << LEARN_AXON_BITS) - 1) & !(0x7f << 23) & !(1 << 30)).into(),
            ),
            pre_done_bit: Constant::new((1u64 << 30).into()),
            synapse_target: regmap::hdl::constant(CfgTarget::Synapse),
            synapse_high_target: regmap::hdl::constant(CfgTarget::SynapseHigh),
            learn_axon_target: regmap::hdl::constant(CfgTarget::LearnAxon),
            post_trace_target: regmap::hdl::constant(CfgTarget::PostTrace),
            learn_rule_target: regmap::hdl::constant(CfgTarget::LearnRule),
            learn_control_target: regmap::hdl::constant(CfgTarget::LearnControl),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize, const AB1: usize> Logic
    for StdpSynapses<NB, AB, GB, SB, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            control,
            phase,
            rsp_pending,
            held_address,
            held_axon,
            held_group,
            held_first,
            event_x,
            armed,
            pass_axon,
            row_group,
            sweep_group,
            sweep_rule,
            sweep_issuing,
            stage_valid,
            stage_group,
            stage_rule,
            read_pending,
            read_target,
            read_index
        );
        self.synapse_sram.read_clock.next = self.clock.val();
        self.synapse_sram.write_clock.next = self.clock.val();
        self.synapse_high.read_clock.next = self.clock.val();
        self.synapse_high.write_clock.next = self.clock.val();
        self.learn_axons.read_clock.next = self.clock.val();
        self.learn_axons.write_clock.next = self.clock.val();
        self.post_spikes.clock.next = self.clock.val();
        for r in 0..4 {
            self.post_traces[r].read_clock.next = self.clock.val();
            self.post_traces[r].write_clock.next = self.clock.val();
            self.rule_decays[r].clock.next = self.clock.val();
            self.rule_decays[r].d.next = self.rule_decays[r].q.val();
            self.rule_rates[r].clock.next = self.clock.val();
            self.rule_rates[r].d.next = self.rule_rates[r].q.val();
        }

        // ---- Control word and the word on the learning-axon RAM's output.
        self.axon_limit.next = self.control.q.val().get_bits::<AB1>(0);
        self.group_count.next = self.control.q.val().get_bits::<NB>(12);
        self.rule_count.next = self.control.q.val().get_bits::<3>(24);
        self.learn_word.next = self.learn_axons.read_data.val();
        self.learning.next = self.learn_word.val().get_bit(22) & self.armed.q.val();
        self.rule.next = self.learn_word.val().get_bits::<2>(20);
        if self.phase.q.val() == StdpPhase::TraceSweep {
            self.rule.next = self.stage_rule.q.val();
        }
        self.decays.next = 0.into();
        self.rates.next = 0.into();
        self.post_word.next = 0.into();
        for r in 0..4 {
            if self.rule.val() == self.rule_index[r].val() {
                self.decays.next = self.rule_decays[r].q.val();
                self.rates.next = self.rule_rates[r].q.val();
                self.post_word.next = self.post_traces[r].read_data.val();
            }
        }

        // ---- The stored 9-bit weights (low byte | ninth bit << 8) and the lanes' rule.
        self.stored[0].next = bit_cast::<9, 8>(self.synapse_sram.read_data.val().get_bits::<8>(0))
            | (bit_cast::<9, 4>(self.synapse_high.read_data.val() & 1) << 8);
        self.stored[1].next = bit_cast::<9, 8>(self.synapse_sram.read_data.val().get_bits::<8>(8))
            | (bit_cast::<9, 4>((self.synapse_high.read_data.val() >> 1) & 1) << 8);
        self.stored[2].next = bit_cast::<9, 8>(self.synapse_sram.read_data.val().get_bits::<8>(16))
            | (bit_cast::<9, 4>((self.synapse_high.read_data.val() >> 2) & 1) << 8);
        self.stored[3].next = bit_cast::<9, 8>(self.synapse_sram.read_data.val().get_bits::<8>(24))
            | (bit_cast::<9, 4>((self.synapse_high.read_data.val() >> 3) & 1) << 8);
        self.lanes[0].y.next = self.post_word.val().get_bits::<7>(0);
        self.lanes[1].y.next = self.post_word.val().get_bits::<7>(7);
        self.lanes[2].y.next = self.post_word.val().get_bits::<7>(14);
        self.lanes[3].y.next = self.post_word.val().get_bits::<7>(21);
        // A lane learns only if it is a synapse of the axon's projection: not before the
        // first lane in the row's first group, not after the last lane in its last group.
        self.word_group.next = self.held_group.q.val();
        if self.phase.q.val() == StdpPhase::RowWrite {
            self.word_group.next = self.row_group.q.val();
        }
        self.pre_trace.trace.next = self.learn_word.val().get_bits::<7>(23);
        self.pre_trace.decay.next = self.decays.val().get_bits::<12>(0);
        self.pre_trace.impulse.next = self.rates.val().get_bits::<7>(0);
        self.pre_trace.spiked.next = self.phase.q.val() == StdpPhase::Serve;
        self.learned_high.next = 0.into();
        for l in 0..4 {
            self.lane_enable[l].next = self.learning.val()
                & !((self.word_group.val()
                    == bit_cast::<GB, 8>(self.learn_word.val().get_bits::<8>(0)))
                    & (self.lane_index[l].val() < self.learn_word.val().get_bits::<2>(16)))
                & !((self.word_group.val()
                    == bit_cast::<GB, 8>(self.learn_word.val().get_bits::<8>(8)))
                    & (self.lane_index[l].val() > self.learn_word.val().get_bits::<2>(18)));
            self.lanes[l].weight.next = self.stored[l].val();
            self.lanes[l].pre.next =
                self.lane_enable[l].val() & (self.phase.q.val() == StdpPhase::Serve);
            self.lanes[l].post.next =
                self.lane_enable[l].val() & self.post_spikes.read_lanes.val().get_bit(l);
            self.lanes[l].x.next = self.event_x.q.val();
            if (self.phase.q.val() == StdpPhase::Serve) & self.held_first.q.val() {
                self.lanes[l].x.next = self.pre_trace.out.val();
            }
            self.lanes[l].minus_mant.next = self.rates.val().get_bits::<4>(14);
            self.lanes[l].minus_shift.next = self.rates.val().get_bits::<4>(18);
            self.lanes[l].plus_mant.next = self.rates.val().get_bits::<4>(22);
            self.lanes[l].plus_shift.next = self.rates.val().get_bits::<4>(26);
            self.lanes[l].sign_mode.next = self.decays.val().get_bits::<2>(24);
            if self.lanes[l].new_weight.val().get_bit(8) {
                self.learned_high.next = self.learned_high.val().replace_bit(l, true);
            }
            // The post-trace sweep: y of the current tick's spikes.
            self.post_trace[l].decay.next = self.decays.val().get_bits::<12>(12);
            self.post_trace[l].impulse.next = self.rates.val().get_bits::<7>(7);
            self.post_trace[l].spiked.next = self.post_spikes.read_lanes.val().get_bit(l);
        }
        self.learned_low.next = bit_cast::<32, 9>(self.lanes[0].new_weight.val() & 0xff)
            | (bit_cast::<32, 9>(self.lanes[1].new_weight.val() & 0xff) << 8)
            | (bit_cast::<32, 9>(self.lanes[2].new_weight.val() & 0xff) << 16)
            | (bit_cast::<32, 9>(self.lanes[3].new_weight.val() & 0xff) << 24);
        self.post_trace[0].trace.next = self.post_word.val().get_bits::<7>(0);
        self.post_trace[1].trace.next = self.post_word.val().get_bits::<7>(7);
        self.post_trace[2].trace.next = self.post_word.val().get_bits::<7>(14);
        self.post_trace[3].trace.next = self.post_word.val().get_bits::<7>(21);
        self.swept_word.next = bit_cast::<28, 7>(self.post_trace[0].out.val())
            | (bit_cast::<28, 7>(self.post_trace[1].out.val()) << 7)
            | (bit_cast::<28, 7>(self.post_trace[2].out.val()) << 14)
            | (bit_cast::<28, 7>(self.post_trace[3].out.val()) << 21);

        // ---- Requests and responses (the port's protocol; as `SramSynapses`). Read
        // addresses are held while a response waits, so a stalled response keeps its word.
        self.port.req_ready.next = true;
        self.synapse_sram.read_address.next = self.held_address.q.val();
        self.synapse_high.read_address.next = self.held_address.q.val();
        self.learn_axons.read_address.next = self.held_axon.q.val();
        self.post_spikes.read_group.next = self.held_group.q.val();
        self.post_spikes.read_current.next = false;
        for r in 0..4 {
            self.post_traces[r].read_address.next = self.held_group.q.val();
        }
        if self.port.req_valid.val() {
            self.held_address.d.next = (bit_cast::<SB, AB>(self.port.req_axon.val())
                << self.group_bits.val())
                | bit_cast::<SB, GB>(self.port.req_group.val());
            self.synapse_sram.read_address.next = (bit_cast::<SB, AB>(self.port.req_axon.val())
                << self.group_bits.val())
                | bit_cast::<SB, GB>(self.port.req_group.val());
            self.synapse_high.read_address.next = (bit_cast::<SB, AB>(self.port.req_axon.val())
                << self.group_bits.val())
                | bit_cast::<SB, GB>(self.port.req_group.val());
            self.held_axon.d.next = self.port.req_axon.val();
            self.learn_axons.read_address.next = self.port.req_axon.val();
            self.held_group.d.next = self.port.req_group.val();
            self.post_spikes.read_group.next = self.port.req_group.val();
            for r in 0..4 {
                self.post_traces[r].read_address.next = self.port.req_group.val();
            }
            self.held_first.d.next = self.port.req_first.val();
        }
        self.rsp_pending.d.next =
            self.port.req_valid.val() | (self.rsp_pending.q.val() & !self.port.rsp_ready.val());
        self.port.rsp_valid.next = self.rsp_pending.q.val();
        self.port.rsp_weight0.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[0].val());
        if self.stored[0].val().get_bit(8) {
            self.port.rsp_weight0.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[0].val()) | self.weight_sign_fill.val();
        }
        self.port.rsp_weight1.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[1].val());
        if self.stored[1].val().get_bit(8) {
            self.port.rsp_weight1.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[1].val()) | self.weight_sign_fill.val();
        }
        self.port.rsp_weight2.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[2].val());
        if self.stored[2].val().get_bit(8) {
            self.port.rsp_weight2.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[2].val()) | self.weight_sign_fill.val();
        }
        self.port.rsp_weight3.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[3].val());
        if self.stored[3].val().get_bit(8) {
            self.port.rsp_weight3.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[3].val()) | self.weight_sign_fill.val();
        }

        // ---- Write-back: the learned word (serving: in the cycle its response is taken;
        // the row pass: every cycle), the axon's new x and flag.
        self.synapse_sram.write_enable.next = false;
        self.synapse_sram.write_address.next = self.held_address.q.val();
        self.synapse_sram.write_data.next = self.learned_low.val();
        self.synapse_high.write_enable.next = false;
        self.synapse_high.write_address.next = self.held_address.q.val();
        self.synapse_high.write_data.next = self.learned_high.val();
        self.learn_axons.write_enable.next = false;
        self.learn_axons.write_address.next = self.held_axon.q.val();
        self.learn_update.next = (self.learn_word.val() & self.learn_keep.val())
            | (bit_cast::<31, 7>(self.pre_trace.out.val()) << 23);
        self.learn_axons.write_data.next = self.learn_update.val() | self.pre_done_bit.val();
        self.taken.next = self.rsp_pending.q.val() & self.port.rsp_ready.val();
        if (self.phase.q.val() == StdpPhase::Serve) & self.taken.val() & self.learning.val() {
            self.synapse_sram.write_enable.next = true;
            self.synapse_high.write_enable.next = true;
            if self.held_first.q.val() {
                self.learn_axons.write_enable.next = true;
                self.event_x.d.next = self.pre_trace.out.val();
            }
        }

        // ---- The learning window.
        self.port.stage_busy.next =
            self.port.window.val() & (self.phase.q.val() != StdpPhase::Done);
        self.post_spikes.tick_start.next = self.port.tick_start.val();
        self.post_spikes.spike_valid.next = self.port.post_valid.val();
        self.post_spikes.spike_neuron.next = self.port.post_neuron.val();
        self.post_spikes.clear.next = false;
        self.post_spikes.clear_group.next = self.stage_group.q.val();
        self.start_sweep.next = false;
        self.advance_axon.next = false;
        self.next_axon.next = self.pass_axon.q.val() + 1;
        self.pass_address.next = (bit_cast::<SB, AB1>(self.pass_axon.q.val())
            << self.group_bits.val())
            | bit_cast::<SB, GB>(self.row_group.q.val());
        for r in 0..4 {
            self.post_traces[r].write_enable.next = false;
            self.post_traces[r].write_address.next = self.stage_group.q.val();
            self.post_traces[r].write_data.next = self.swept_word.val();
        }
        match self.phase.q.val() {
            StdpPhase::Serve => {
                if self.port.window.val() {
                    if (self.axon_limit.val() == 0) | !self.armed.q.val() {
                        self.start_sweep.next = true;
                    } else {
                        self.pass_axon.d.next = 0.into();
                        self.learn_axons.read_address.next = 0.into();
                        self.phase.d.next = StdpPhase::AxonEval;
                    }
                }
            }
            StdpPhase::AxonEval => {
                self.learn_axons.read_address.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.learn_axons.write_address.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.advance_axon.next = true;
                if self.learning.val() {
                    // Clear the flag; without a pre event, x decays (pre_trace: spiked low).
                    self.learn_axons.write_enable.next = true;
                    self.learn_axons.write_data.next = self.learn_update.val();
                    if self.learn_word.val().get_bit(30) {
                        self.learn_axons.write_data.next =
                            self.learn_word.val() & !self.pre_done_bit.val();
                    } else if self.post_spikes.previous_any.val() {
                        self.advance_axon.next = false;
                        self.event_x.d.next = self.pre_trace.out.val();
                        self.row_group.d.next =
                            bit_cast::<GB, 8>(self.learn_word.val().get_bits::<8>(0));
                        self.synapse_sram.read_address.next =
                            (bit_cast::<SB, AB1>(self.pass_axon.q.val()) << self.group_bits.val())
                                | bit_cast::<SB, 8>(self.learn_word.val().get_bits::<8>(0));
                        self.synapse_high.read_address.next =
                            (bit_cast::<SB, AB1>(self.pass_axon.q.val()) << self.group_bits.val())
                                | bit_cast::<SB, 8>(self.learn_word.val().get_bits::<8>(0));
                        self.post_spikes.read_group.next =
                            bit_cast::<GB, 8>(self.learn_word.val().get_bits::<8>(0));
                        self.phase.d.next = StdpPhase::RowWrite;
                    }
                }
            }
            StdpPhase::RowWrite => {
                // The post-only update of one word of a row (lanes: pre low).
                self.learn_axons.read_address.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.synapse_sram.write_enable.next = true;
                self.synapse_sram.write_address.next = self.pass_address.val();
                self.synapse_high.write_enable.next = true;
                self.synapse_high.write_address.next = self.pass_address.val();
                if self.row_group.q.val()
                    == bit_cast::<GB, 8>(self.learn_word.val().get_bits::<8>(8))
                {
                    self.advance_axon.next = true;
                } else {
                    self.row_group.d.next = self.row_group.q.val() + 1;
                    self.synapse_sram.read_address.next = self.pass_address.val() + 1;
                    self.synapse_high.read_address.next = self.pass_address.val() + 1;
                    self.post_spikes.read_group.next = self.row_group.q.val() + 1;
                }
            }
            StdpPhase::TraceSweep => {
                self.stage_valid.d.next = false;
                if self.sweep_issuing.q.val() {
                    self.post_spikes.read_group.next = bit_cast::<GB, NB>(self.sweep_group.q.val());
                    self.post_spikes.read_current.next = true;
                    for r in 0..4 {
                        self.post_traces[r].read_address.next =
                            bit_cast::<GB, NB>(self.sweep_group.q.val());
                    }
                    self.stage_valid.d.next = true;
                    self.stage_group.d.next = bit_cast::<GB, NB>(self.sweep_group.q.val());
                    self.stage_rule.d.next = self.sweep_rule.q.val().get_bits::<2>(0);
                    self.sweep_group.d.next = self.sweep_group.q.val() + 1;
                    if self.sweep_group.q.val() + 1 == self.group_count.val() {
                        self.sweep_group.d.next = 0.into();
                        self.sweep_rule.d.next = self.sweep_rule.q.val() + 1;
                        if self.sweep_rule.q.val() + 1 == self.rule_count.val() {
                            self.sweep_issuing.d.next = false;
                        }
                    }
                }
                if self.stage_valid.q.val() {
                    // y of the current tick, and the previous tick's post bits are done with.
                    for r in 0..4 {
                        if self.stage_rule.q.val() == self.rule_index[r].val() {
                            self.post_traces[r].write_enable.next = true;
                        }
                    }
                    self.post_spikes.clear.next = true;
                } else if !self.sweep_issuing.q.val() {
                    self.phase.d.next = StdpPhase::Done;
                }
            }
            StdpPhase::Done => {
                self.armed.d.next = true;
                if !self.port.window.val() {
                    self.phase.d.next = StdpPhase::Serve;
                }
            }
        }
        if self.advance_axon.val() {
            if self.next_axon.val() == self.axon_limit.val() {
                self.start_sweep.next = true;
            } else {
                self.pass_axon.d.next = self.next_axon.val();
                self.learn_axons.read_address.next = bit_cast::<AB, AB1>(self.next_axon.val());
                self.phase.d.next = StdpPhase::AxonEval;
            }
        }
        if self.start_sweep.val() {
            self.phase.d.next = StdpPhase::Done;
            if (self.rule_count.val() != 0) & (self.group_count.val() != 0) {
                self.sweep_group.d.next = 0.into();
                self.sweep_rule.d.next = 0.into();
                self.sweep_issuing.d.next = true;
                self.stage_valid.d.next = false;
                self.phase.d.next = StdpPhase::TraceSweep;
            }
        }

        // ---- Configuration writes (idle only, when nothing above writes).
        if self.cfg.write.val() {
            if self.cfg.target.val() == self.synapse_target.val() {
                // A plain word: the ninth bits are the lanes' sign bits (bits 7, 15, 23, 31).
                self.synapse_sram.write_enable.next = true;
                self.synapse_high.write_enable.next = true;
                self.synapse_high.write_data.next =
                    bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(7))
                        | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(15)) << 1)
                        | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(23)) << 2)
                        | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(31)) << 3);
            }
            if self.cfg.target.val() == self.synapse_high_target.val() {
                self.synapse_high.write_enable.next = true;
                self.synapse_high.write_data.next = self.cfg.data.val().get_bits::<4>(0);
            }
            if self.cfg.target.val() == self.learn_axon_target.val() {
                self.learn_axons.write_enable.next = true;
            }
            for r in 0..4 {
                if (self.cfg.target.val() == self.post_trace_target.val())
                    & (bit_cast::<2, 24>(self.cfg.addr.val() >> self.group_bits.val())
                        == self.rule_index[r].val())
                {
                    self.post_traces[r].write_enable.next = true;
                }
                if (self.cfg.target.val() == self.learn_rule_target.val())
                    & (self.cfg.addr.val().get_bits::<2>(1) == self.rule_index[r].val())
                {
                    if self.cfg.addr.val().get_bit(0) {
                        self.rule_rates[r].d.next = self.cfg.data.val().get_bits::<30>(0);
                    } else {
                        self.rule_decays[r].d.next = self.cfg.data.val().get_bits::<30>(0);
                    }
                }
            }
            if self.cfg.target.val() == self.learn_control_target.val() {
                self.control.d.next = self.cfg.data.val();
                self.armed.d.next = false;
            }
            self.synapse_sram.write_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.synapse_sram.write_data.next = self.cfg.data.val();
            self.synapse_high.write_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.learn_axons.write_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
            self.learn_axons.write_data.next = self.cfg.data.val().get_bits::<31>(0);
            for r in 0..4 {
                self.post_traces[r].write_address.next = bit_cast::<GB, 24>(self.cfg.addr.val());
                self.post_traces[r].write_data.next = self.cfg.data.val().get_bits::<28>(0);
            }
        }

        // ---- Configuration read-back (`cfg_bus`; idle only, so the read ports are free).
        // PostTrace: rule = address >> GB; LearnRule: rule = address >> 1, word = bit 0.
        self.read_pending.d.next = self.cfg.read.val();
        if self.cfg.read.val() {
            self.read_target.d.next = self.cfg.target.val();
            self.read_index.d.next = self.cfg.addr.val().get_bits::<3>(0);
            if self.cfg.target.val() == self.post_trace_target.val() {
                self.read_index.d.next =
                    bit_cast::<3, 24>(self.cfg.addr.val() >> self.group_bits.val());
            }
            self.synapse_sram.read_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.synapse_high.read_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.learn_axons.read_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
            for r in 0..4 {
                self.post_traces[r].read_address.next = bit_cast::<GB, 24>(self.cfg.addr.val());
            }
        }
        self.cfg.read_valid.next = self.read_pending.q.val();
        self.cfg.read_data.next = 0.into();
        if self.read_pending.q.val() {
            if self.read_target.q.val() == self.synapse_target.val() {
                self.cfg.read_data.next = self.synapse_sram.read_data.val();
            }
            if self.read_target.q.val() == self.synapse_high_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 4>(self.synapse_high.read_data.val());
            }
            if self.read_target.q.val() == self.learn_axon_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 31>(self.learn_word.val());
            }
            if self.read_target.q.val() == self.learn_control_target.val() {
                self.cfg.read_data.next = self.control.q.val();
            }
        }
        // (Selected into locals first: hdl_gen cannot take an indexed array element inside a
        // `bit_cast` argument.)
        self.read_post_word.next = 0.into();
        self.read_rule_word.next = 0.into();
        for r in 0..4 {
            if self.read_index.q.val().get_bits::<2>(0) == self.rule_index[r].val() {
                self.read_post_word.next = self.post_traces[r].read_data.val();
            }
            if self.read_index.q.val().get_bits::<2>(1) == self.rule_index[r].val() {
                self.read_rule_word.next = self.rule_decays[r].q.val();
                if self.read_index.q.val().get_bit(0) {
                    self.read_rule_word.next = self.rule_rates[r].q.val();
                }
            }
        }
        if self.read_pending.q.val() & (self.read_target.q.val() == self.post_trace_target.val()) {
            self.cfg.read_data.next = bit_cast::<32, 28>(self.read_post_word.val());
        }
        if self.read_pending.q.val() & (self.read_target.q.val() == self.learn_rule_target.val()) {
            self.cfg.read_data.next = bit_cast::<32, 30>(self.read_rule_word.val());
        }
    }
}

// The loops above spell the rule and lane counts as 4 (hdl_gen loops need literal bounds).
const _: () = assert!(LEARN_RULES == 4 && WEIGHT_LANES == 4);
