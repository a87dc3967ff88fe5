//! The learning stage's window sequencer (`stdp_synapses` explains the window): the axon
//! pass over axons `0..axon_limit` (each learning axon's word evaluated; without a pre event
//! and after a tick with a post spike, its row's words visited), then the post-trace sweep over
//! rules `0..rules` x groups `0..groups`, then `Done` until the window closes.
//!
//! It owns the window's state and says, per cycle, which memory accesses the stage makes for
//! it: the read addresses (the serving side's outside the window's reads) and the writes,
//! which the stage applies in place of its serving ones (it owns the memories). Every
//! output is a function of the registers and of inputs the stage takes from registers or RAM
//! outputs, so nothing here is a combinational loop.
//!
//! Row addresses are `axon << GB | group` (`SB = AB + GB` bits); the learning-axon word gives
//! the row's first group at bits 0..8, its last at 8..16 and the pre-done flag at bit 30.

use rust_hdl::prelude::*;

use super::layout::LEARN_AXON_BITS;

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

/// The window of a core with `2^NB` neurons and `2^AB` axons (`GB = NB - 2`, `SB = AB + GB`,
/// `AB1 = AB + 1`).
#[derive(LogicBlock)]
pub struct StdpWindow<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const AB1: usize,
> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// The core's learning window is open.
    pub window: Signal<In, Bit>,
    /// A tick has completed since `LearnControl` was written (step 4 is pending).
    pub armed: Signal<In, Bit>,
    /// The learning-axon word on the RAM's output.
    pub axon_word: Signal<In, Bits<31>>,
    /// That axon learns (and the stage is armed).
    pub learning: Signal<In, Bit>,
    /// The previous tick had a post spike.
    pub previous_any: Signal<In, Bit>,
    /// Axons the pass visits (`LearnControl`).
    pub axon_limit: Signal<In, Bits<AB1>>,
    /// Groups the sweep visits.
    pub group_count: Signal<In, Bits<NB>>,
    /// Rules the sweep visits.
    pub rule_count: Signal<In, Bits<3>>,

    /// The phase (registered).
    pub phase: Signal<Out, StdpPhase>,
    /// The stage holds the window open.
    pub busy: Signal<Out, Bit>,
    /// The serving side's synapse word read (`StdpServe`), taken outside the window's reads.
    pub serve_word: Signal<In, Bits<SB>>,
    /// The serving side's learning-axon word read.
    pub serve_axon_read: Signal<In, Bits<AB>>,
    /// The serving side's group read (post spikes and traces).
    pub serve_group: Signal<In, Bits<GB>>,
    /// The synapse word to read (both synapse RAMs).
    pub word_read: Signal<Out, Bits<SB>>,
    /// The learning-axon word to read.
    pub axon_read: Signal<Out, Bits<AB>>,
    /// The group whose post spikes to read.
    pub spike_group: Signal<Out, Bits<GB>>,
    /// Read the current tick's post spikes (else the previous tick's).
    pub read_current: Signal<Out, Bit>,
    /// The group whose post traces to read.
    pub trace_group: Signal<Out, Bits<GB>>,
    /// The serving side writes the learned word back (`StdpServe`).
    pub serve_write: Signal<In, Bit>,
    /// ... at this word.
    pub serve_address: Signal<In, Bits<SB>>,
    /// The serving side writes the axon's word back.
    pub serve_axon_write: Signal<In, Bit>,
    /// ... at this axon.
    pub serve_axon: Signal<In, Bits<AB>>,
    /// The `x` of the axon word on the RAM's output, updated (`StdpLanes::x_updated`).
    pub x_updated: Signal<In, Bits<7>>,
    /// Write the learned word (both synapse RAMs).
    pub word_write: Signal<Out, Bit>,
    /// Its address.
    pub word_write_address: Signal<Out, Bits<SB>>,
    /// Write `axon_write_data` into the learning-axon RAM.
    pub axon_write: Signal<Out, Bit>,
    /// Its address.
    pub axon_write_address: Signal<Out, Bits<AB>>,
    /// The axon word written: with its updated `x` and the pre-done flag set (serving) or
    /// clear (a decay in the window), or with the flag cleared alone (the window, after a pre
    /// event).
    pub axon_write_data: Signal<Out, Bits<31>>,
    /// Latch the updated `x` of the evaluated axon for its row.
    pub capture_x: Signal<Out, Bit>,
    /// The group of the row word being visited.
    pub row_group_now: Signal<Out, Bits<GB>>,
    /// Write the swept word of `stage_rule` at `stage_group`, and clear that group's previous
    /// post spikes.
    pub stage_write: Signal<Out, Bit>,
    /// The group read in the previous sweep cycle.
    pub stage_group: Signal<Out, Bits<GB>>,
    /// Its rule.
    pub stage_rule: Signal<Out, Bits<2>>,
    /// The window is done: arm the stage.
    pub arm: Signal<Out, Bit>,

    state: DFF<StdpPhase>,
    pass_axon: DFF<Bits<AB1>>,
    row_group: DFF<Bits<GB>>,
    sweep_group: DFF<Bits<NB>>,
    sweep_rule: DFF<Bits<3>>,
    sweep_issuing: DFF<Bit>,
    stage_valid: DFF<Bit>,
    staged_group: DFF<Bits<GB>>,
    staged_rule: DFF<Bits<2>>,
    next_axon: Signal<Local, Bits<AB1>>,
    start_sweep: Signal<Local, Bit>,
    advance_axon: Signal<Local, Bit>,
    pass_address: Signal<Local, Bits<SB>>,
    first_group_address: Signal<Local, Bits<SB>>,
    axon_update: Signal<Local, Bits<31>>,
    group_bits: Constant<Bits<8>>,
    /// Every bit of a learning-axon word but `x` (23..30) and the pre-done flag (30).
    learn_keep: Constant<Bits<31>>,
    pre_done_bit: Constant<Bits<31>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize, const AB1: usize> Default
    for StdpWindow<NB, AB, GB, SB, AB1>
{
    fn default() -> Self {
        assert_eq!(SB, AB + GB, "SB must be AB + GB");
        assert_eq!(AB1, AB + 1, "AB1 must be AB + 1");
        Self {
            clock: Default::default(),
            window: Default::default(),
            armed: Default::default(),
            axon_word: Default::default(),
            learning: Default::default(),
            previous_any: Default::default(),
            axon_limit: Default::default(),
            group_count: Default::default(),
            rule_count: Default::default(),
            phase: Default::default(),
            busy: Default::default(),
            serve_word: Default::default(),
            serve_axon_read: Default::default(),
            serve_group: Default::default(),
            word_read: Default::default(),
            axon_read: Default::default(),
            spike_group: Default::default(),
            read_current: Default::default(),
            trace_group: Default::default(),
            serve_write: Default::default(),
            serve_address: Default::default(),
            serve_axon_write: Default::default(),
            serve_axon: Default::default(),
            x_updated: Default::default(),
            word_write: Default::default(),
            word_write_address: Default::default(),
            axon_write: Default::default(),
            axon_write_address: Default::default(),
            axon_write_data: Default::default(),
            capture_x: Default::default(),
            row_group_now: Default::default(),
            stage_write: Default::default(),
            stage_group: Default::default(),
            stage_rule: Default::default(),
            arm: Default::default(),
            state: Default::default(),
            pass_axon: Default::default(),
            row_group: Default::default(),
            sweep_group: Default::default(),
            sweep_rule: Default::default(),
            sweep_issuing: Default::default(),
            stage_valid: Default::default(),
            staged_group: Default::default(),
            staged_rule: Default::default(),
            next_axon: Default::default(),
            start_sweep: Default::default(),
            advance_axon: Default::default(),
            pass_address: Default::default(),
            first_group_address: Default::default(),
            axon_update: Default::default(),
            group_bits: Constant::new((GB as u64).into()),
            learn_keep: Constant::new(
                (((1u64 << LEARN_AXON_BITS) - 1) & !(0x7f << 23) & !(1 << 30)).into(),
            ),
            pre_done_bit: Constant::new((1u64 << 30).into()),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize, const AB1: usize> Logic
    for StdpWindow<NB, AB, GB, SB, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            pass_axon,
            row_group,
            sweep_group,
            sweep_rule,
            sweep_issuing,
            stage_valid,
            staged_group,
            staged_rule
        );
        self.phase.next = self.state.q.val();
        self.busy.next = self.window.val() & (self.state.q.val() != StdpPhase::Done);
        self.row_group_now.next = self.row_group.q.val();
        self.stage_group.next = self.staged_group.q.val();
        self.stage_rule.next = self.staged_rule.q.val();
        self.axon_read.next = self.serve_axon_read.val();
        self.word_read.next = self.serve_word.val();
        self.spike_group.next = self.serve_group.val();
        self.trace_group.next = self.serve_group.val();
        self.read_current.next = false;
        self.word_write.next = self.serve_write.val();
        self.word_write_address.next = self.serve_address.val();
        self.axon_write.next = self.serve_axon_write.val();
        self.axon_write_address.next = self.serve_axon.val();
        self.axon_update.next = (self.axon_word.val() & self.learn_keep.val())
            | (bit_cast::<31, 7>(self.x_updated.val()) << 23);
        self.axon_write_data.next = self.axon_update.val() | self.pre_done_bit.val();
        self.capture_x.next = false;
        self.stage_write.next = false;
        self.arm.next = false;
        self.start_sweep.next = false;
        self.advance_axon.next = false;
        self.next_axon.next = self.pass_axon.q.val() + 1;
        // Row word addresses: axon << GB | group.
        self.pass_address.next = (bit_cast::<SB, AB1>(self.pass_axon.q.val())
            << self.group_bits.val())
            | bit_cast::<SB, GB>(self.row_group.q.val());
        self.first_group_address.next = (bit_cast::<SB, AB1>(self.pass_axon.q.val())
            << self.group_bits.val())
            | bit_cast::<SB, 8>(self.axon_word.val().get_bits::<8>(0));
        match self.state.q.val() {
            StdpPhase::Serve => {
                if self.window.val() {
                    if (self.axon_limit.val() == 0) | !self.armed.val() {
                        self.start_sweep.next = true;
                    } else {
                        self.pass_axon.d.next = 0.into();
                        self.axon_read.next = 0.into();
                        self.state.d.next = StdpPhase::AxonEval;
                    }
                }
            }
            StdpPhase::AxonEval => {
                self.axon_read.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.axon_write_address.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.advance_axon.next = true;
                if self.learning.val() {
                    // Clear the flag; without a pre event, x decays (x_updated: no impulse
                    // outside Serve).
                    self.axon_write.next = true;
                    self.axon_write_data.next = self.axon_update.val();
                    if self.axon_word.val().get_bit(30) {
                        self.axon_write_data.next = self.axon_word.val() & !self.pre_done_bit.val();
                    } else if self.previous_any.val() {
                        self.advance_axon.next = false;
                        self.capture_x.next = true;
                        self.row_group.d.next =
                            bit_cast::<GB, 8>(self.axon_word.val().get_bits::<8>(0));
                        self.word_read.next = self.first_group_address.val();
                        self.spike_group.next =
                            bit_cast::<GB, 8>(self.axon_word.val().get_bits::<8>(0));
                        self.state.d.next = StdpPhase::RowWrite;
                    }
                }
            }
            StdpPhase::RowWrite => {
                // The post-only update of one word of a row (lanes: pre low).
                self.axon_read.next = bit_cast::<AB, AB1>(self.pass_axon.q.val());
                self.word_write.next = true;
                self.word_write_address.next = self.pass_address.val();
                if self.row_group.q.val()
                    == bit_cast::<GB, 8>(self.axon_word.val().get_bits::<8>(8))
                {
                    self.advance_axon.next = true;
                } else {
                    self.row_group.d.next = self.row_group.q.val() + 1;
                    self.word_read.next = self.pass_address.val() + 1;
                    self.spike_group.next = self.row_group.q.val() + 1;
                }
            }
            StdpPhase::TraceSweep => {
                self.stage_valid.d.next = false;
                if self.sweep_issuing.q.val() {
                    self.spike_group.next = bit_cast::<GB, NB>(self.sweep_group.q.val());
                    self.read_current.next = true;
                    self.trace_group.next = bit_cast::<GB, NB>(self.sweep_group.q.val());
                    self.stage_valid.d.next = true;
                    self.staged_group.d.next = bit_cast::<GB, NB>(self.sweep_group.q.val());
                    self.staged_rule.d.next = self.sweep_rule.q.val().get_bits::<2>(0);
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
                    self.stage_write.next = true;
                } else if !self.sweep_issuing.q.val() {
                    self.state.d.next = StdpPhase::Done;
                }
            }
            StdpPhase::Done => {
                self.arm.next = true;
                if !self.window.val() {
                    self.state.d.next = StdpPhase::Serve;
                }
            }
        }
        if self.advance_axon.val() {
            if self.next_axon.val() == self.axon_limit.val() {
                self.start_sweep.next = true;
            } else {
                self.pass_axon.d.next = self.next_axon.val();
                self.axon_read.next = bit_cast::<AB, AB1>(self.next_axon.val());
                self.state.d.next = StdpPhase::AxonEval;
            }
        }
        if self.start_sweep.val() {
            self.state.d.next = StdpPhase::Done;
            if (self.rule_count.val() != 0) & (self.group_count.val() != 0) {
                self.sweep_group.d.next = 0.into();
                self.sweep_rule.d.next = 0.into();
                self.sweep_issuing.d.next = true;
                self.stage_valid.d.next = false;
                self.state.d.next = StdpPhase::TraceSweep;
            }
        }
    }
}
