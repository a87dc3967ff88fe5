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
use super::cfg_bus::CfgBus;
use super::post_spikes::PostSpikes;
use super::post_traces::PostTraces;
use super::stdp_config::StdpConfig;
use super::stdp_lanes::StdpLanes;
use super::stdp_serve::StdpServe;
pub use super::stdp_window::StdpPhase;
use super::stdp_window::StdpWindow;
use super::synapse_port::SynapseStagePort;

/// The learning stage of a core with `2^NB` neurons and `2^AB` axons (`GB = NB - 2`,
/// `SB = AB + GB`, `AB1 = AB + 1`; group counters take `NB` bits).
///
/// This block owns the memories and arbitrates their ports, in rising priority: serving
/// ([`StdpServe`]: requests, responses, the write-back of a served word), the window
/// ([`StdpWindow`]), configuration writes and reads ([`StdpConfig`]; idle only, so they never
/// meet the other two). The arithmetic is in [`StdpLanes`] and [`PostTraces`].
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

    synapse_sram: BlockRam<Bits<32>, SB>,
    synapse_high: BlockRam<Bits<4>, SB>,
    learn_axons: BlockRam<Bits<31>, AB>,
    post_traces: PostTraces<GB>,
    post_spikes: PostSpikes<NB, GB>,
    lanes: StdpLanes<GB>,
    serve: StdpServe<AB, GB, SB>,
    sequencer: StdpWindow<NB, AB, GB, SB, AB1>,
    cfg_decode: StdpConfig<NB, GB, AB1>,
    /// `x` of the event being served (after its first group) or of the row being visited.
    event_x: DFF<Bits<7>>,
    /// A tick has completed since `LearnControl` was written: its step 4 is pending. (The
    /// events of the first tick are no tick's pre spikes, as in the golden stage.)
    armed: DFF<Bit>,

    learn_word: Signal<Local, Bits<31>>,
    learning: Signal<Local, Bit>,
    serving: Signal<Local, Bit>,
    rule: Signal<Local, Bits<2>>,
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
            lanes: Default::default(),
            serve: Default::default(),
            sequencer: Default::default(),
            cfg_decode: Default::default(),
            event_x: Default::default(),
            armed: Default::default(),
            learn_word: Default::default(),
            learning: Default::default(),
            serving: Default::default(),
            rule: Default::default(),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize, const AB1: usize> Logic
    for StdpSynapses<NB, AB, GB, SB, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, event_x, armed);
        clock!(
            self,
            clock,
            post_traces,
            post_spikes,
            serve,
            sequencer,
            cfg_decode
        );
        self.synapse_sram.read_clock.next = self.clock.val();
        self.synapse_sram.write_clock.next = self.clock.val();
        self.synapse_high.read_clock.next = self.clock.val();
        self.synapse_high.write_clock.next = self.clock.val();
        self.learn_axons.read_clock.next = self.clock.val();
        self.learn_axons.write_clock.next = self.clock.val();

        // ---- The word on the learning-axon RAM's output, the rule's words, the window.
        self.learn_word.next = self.learn_axons.read_data.val();
        self.learning.next = self.learn_word.val().get_bit(22) & self.armed.q.val();
        self.serving.next = self.sequencer.phase.val() == StdpPhase::Serve;
        self.rule.next = self.learn_word.val().get_bits::<2>(20);
        if self.sequencer.phase.val() == StdpPhase::TraceSweep {
            self.rule.next = self.sequencer.stage_rule.val();
        }
        self.cfg_decode.select.next = self.rule.val();
        self.post_traces.select.next = self.rule.val();
        self.sequencer.window.next = self.port.window.val();
        self.sequencer.armed.next = self.armed.q.val();
        self.sequencer.axon_word.next = self.learn_word.val();
        self.sequencer.learning.next = self.learning.val();
        self.sequencer.previous_any.next = self.post_spikes.previous_any.val();
        self.sequencer.axon_limit.next = self.cfg_decode.axon_limit.val();
        self.sequencer.group_count.next = self.cfg_decode.group_count.val();
        self.sequencer.rule_count.next = self.cfg_decode.rule_count.val();
        self.port.stage_busy.next = self.sequencer.busy.val();
        self.post_spikes.tick_start.next = self.port.tick_start.val();
        self.post_spikes.spike_valid.next = self.port.post_valid.val();
        self.post_spikes.spike_neuron.next = self.port.post_neuron.val();

        // ---- The lanes of the word on the synapse RAMs' output, and the trace units.
        self.lanes.low.next = self.synapse_sram.read_data.val();
        self.lanes.high.next = self.synapse_high.read_data.val();
        self.lanes.bounds.next = self.learn_word.val().get_bits::<20>(0);
        self.lanes.x_stored.next = self.learn_word.val().get_bits::<7>(23);
        self.lanes.group.next = self.serve.held_group.val();
        if self.sequencer.phase.val() == StdpPhase::RowWrite {
            self.lanes.group.next = self.sequencer.row_group_now.val();
        }
        self.lanes.learning.next = self.learning.val();
        self.lanes.pre.next = self.serving.val();
        self.lanes.post_lanes.next = self.post_spikes.read_lanes.val();
        self.lanes.x_held.next = self.event_x.q.val();
        self.lanes.first_event.next = self.serving.val() & self.serve.held_first.val();
        self.lanes.post_word.next = self.post_traces.word.val();
        // Decay word: x_decay 0..12, y_decay 12..24, sign mode 24..26; rate word: x_impulse
        // 0..7, y_impulse 7..14, the terms 14..30 (`layout::LearnRuleWords`).
        self.lanes.x_decay.next = self.cfg_decode.decays.val().get_bits::<12>(0);
        self.lanes.x_impulse.next = self.cfg_decode.rates.val().get_bits::<7>(0);
        self.lanes.sign_mode.next = self.cfg_decode.decays.val().get_bits::<2>(24);
        self.lanes.terms.next = self.cfg_decode.rates.val().get_bits::<16>(14);
        self.post_traces.decay.next = self.cfg_decode.decays.val().get_bits::<12>(12);
        self.post_traces.impulse.next = self.cfg_decode.rates.val().get_bits::<7>(7);
        self.post_traces.spiked.next = self.post_spikes.read_lanes.val();

        // ---- Serving ([`StdpServe`]): the requested (or held) word, the write-back.
        self.port.req_ready.next = true;
        self.serve.req_valid.next = self.port.req_valid.val();
        self.serve.req_axon.next = self.port.req_axon.val();
        self.serve.req_group.next = self.port.req_group.val();
        self.serve.req_first.next = self.port.req_first.val();
        self.serve.rsp_ready.next = self.port.rsp_ready.val();
        self.serve.learning.next = self.learning.val();
        self.serve.serving.next = self.serving.val();
        self.port.rsp_valid.next = self.serve.rsp_valid.val();
        self.port.rsp_weight0.next = self.lanes.weight0.val();
        self.port.rsp_weight1.next = self.lanes.weight1.val();
        self.port.rsp_weight2.next = self.lanes.weight2.val();
        self.port.rsp_weight3.next = self.lanes.weight3.val();

        // ---- The window's accesses ([`StdpWindow`]): its own, else the serving ones.
        self.sequencer.serve_word.next = self.serve.word_read.val();
        self.sequencer.serve_axon_read.next = self.serve.axon_read.val();
        self.sequencer.serve_group.next = self.serve.group_read.val();
        self.sequencer.serve_write.next = self.serve.write_back.val();
        self.sequencer.serve_address.next = self.serve.held_address.val();
        self.sequencer.serve_axon_write.next = self.serve.axon_write_back.val();
        self.sequencer.serve_axon.next = self.serve.held_axon.val();
        self.sequencer.x_updated.next = self.lanes.x_updated.val();
        self.synapse_sram.read_address.next = self.sequencer.word_read.val();
        self.synapse_high.read_address.next = self.sequencer.word_read.val();
        self.learn_axons.read_address.next = self.sequencer.axon_read.val();
        self.post_spikes.read_group.next = self.sequencer.spike_group.val();
        self.post_spikes.read_current.next = self.sequencer.read_current.val();
        self.post_traces.read_address.next = self.sequencer.trace_group.val();
        self.synapse_sram.write_enable.next = self.sequencer.word_write.val();
        self.synapse_sram.write_address.next = self.sequencer.word_write_address.val();
        self.synapse_sram.write_data.next = self.lanes.learned_low.val();
        self.synapse_high.write_enable.next = self.sequencer.word_write.val();
        self.synapse_high.write_address.next = self.sequencer.word_write_address.val();
        self.synapse_high.write_data.next = self.lanes.learned_high.val();
        self.learn_axons.write_enable.next = self.sequencer.axon_write.val();
        self.learn_axons.write_address.next = self.sequencer.axon_write_address.val();
        self.learn_axons.write_data.next = self.sequencer.axon_write_data.val();
        if self.serve.axon_write_back.val() | self.sequencer.capture_x.val() {
            self.event_x.d.next = self.lanes.x_updated.val();
        }
        if self.sequencer.arm.val() {
            self.armed.d.next = true;
        }
        self.post_spikes.clear.next = self.sequencer.stage_write.val();
        self.post_spikes.clear_group.next = self.sequencer.stage_group.val();
        self.post_traces.write.next = self.sequencer.stage_write.val();
        self.post_traces.write_rule.next = self.sequencer.stage_rule.val();
        self.post_traces.write_address.next = self.sequencer.stage_group.val();
        self.post_traces.write_data.next = self.post_traces.swept.val();

        // ---- Configuration ([`StdpConfig`]): writes and reads at `cfg.addr`.
        self.cfg_decode.cfg.write.next = self.cfg.write.val();
        self.cfg_decode.cfg.target.next = self.cfg.target.val();
        self.cfg_decode.cfg.addr.next = self.cfg.addr.val();
        self.cfg_decode.cfg.data.next = self.cfg.data.val();
        self.cfg_decode.cfg.read.next = self.cfg.read.val();
        self.cfg.read_valid.next = self.cfg_decode.cfg.read_valid.val();
        self.cfg.read_data.next = self.cfg_decode.cfg.read_data.val();
        if self.cfg.write.val() {
            self.synapse_sram.write_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.synapse_sram.write_data.next = self.cfg.data.val();
            self.synapse_high.write_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.learn_axons.write_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
            self.learn_axons.write_data.next = self.cfg.data.val().get_bits::<31>(0);
            self.post_traces.write_address.next = bit_cast::<GB, 24>(self.cfg.addr.val());
            self.post_traces.write_data.next = self.cfg.data.val().get_bits::<28>(0);
        }
        if self.cfg_decode.synapse_write.val() {
            self.synapse_sram.write_enable.next = true;
        }
        if self.cfg_decode.high_write.val() {
            self.synapse_high.write_enable.next = true;
            self.synapse_high.write_data.next = self.cfg_decode.high_data.val();
        }
        if self.cfg_decode.axon_write.val() {
            self.learn_axons.write_enable.next = true;
        }
        if self.cfg_decode.trace_write.val() {
            self.post_traces.write.next = true;
            self.post_traces.write_rule.next = self.cfg_decode.trace_rule.val();
        }
        if self.cfg_decode.control_write.val() {
            self.armed.d.next = false;
        }
        if self.cfg.read.val() {
            self.synapse_sram.read_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.synapse_high.read_address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
            self.learn_axons.read_address.next = bit_cast::<AB, 24>(self.cfg.addr.val());
            self.post_traces.read_address.next = bit_cast::<GB, 24>(self.cfg.addr.val());
        }
        self.post_traces.read_select.next = self.cfg_decode.read_select.val();
        self.cfg_decode.low.next = self.synapse_sram.read_data.val();
        self.cfg_decode.high.next = self.synapse_high.read_data.val();
        self.cfg_decode.axon_word.next = self.learn_word.val();
        self.cfg_decode.trace_word.next = self.post_traces.read_word.val();
    }
}
