//! The post traces `y` of the learning stage: one block RAM per rule (28 b x groups, the 4
//! neurons of a group at bits `7i..7i+7`, `layout::pack_post_traces`), and the trace units
//! that update a word in the window's sweep (`fixed::stdp::trace_update` per lane).
//!
//! All rules' memories share one read address and one write address and data (the stage
//! reads or writes one group at a time); a write goes to the memory of `write_rule` only. A
//! rule is one learning projection, so its `y` depend only on its own parameters and the
//! target's spikes. Two read selections: `word` (the rule being learned or swept) and
//! `read_word` (the configuration read-back's rule), both of the word read in the previous
//! cycle.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::layout::LEARN_RULES;
use super::stdp_trace::TraceUnit;
use super::synapse_port::WEIGHT_LANES;

/// Post traces of a core with `2^GB` groups.
#[derive(LogicBlock)]
pub struct PostTraces<const GB: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Group read (all rules).
    pub read_address: Signal<In, Bits<GB>>,
    /// Rule whose word is `word`.
    pub select: Signal<In, Bits<2>>,
    /// Rule whose word is `read_word`.
    pub read_select: Signal<In, Bits<2>>,
    /// The selected rule's word at the group read in the previous cycle.
    pub word: Signal<Out, Bits<28>>,
    /// The read-back rule's word at the group read in the previous cycle.
    pub read_word: Signal<Out, Bits<28>>,
    /// Write `write_data` at `write_address` into rule `write_rule`'s memory.
    pub write: Signal<In, Bit>,
    /// Rule written.
    pub write_rule: Signal<In, Bits<2>>,
    /// Group written.
    pub write_address: Signal<In, Bits<GB>>,
    /// Word written.
    pub write_data: Signal<In, Bits<28>>,
    /// The rule's `y_decay`, for the sweep's update of `word`.
    pub decay: Signal<In, Bits<12>>,
    /// The rule's `y_impulse`.
    pub impulse: Signal<In, Bits<7>>,
    /// The post spikes of the word's 4 neurons (lane `i` in bit `i`).
    pub spiked: Signal<In, Bits<4>>,
    /// `word` with each lane's trace updated.
    pub swept: Signal<Out, Bits<28>>,

    rules: [BlockRam<Bits<28>, GB>; LEARN_RULES],
    lane_trace: [TraceUnit; WEIGHT_LANES],
    rule_index: [Constant<Bits<2>>; LEARN_RULES],
}

impl<const GB: usize> Default for PostTraces<GB> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            read_address: Default::default(),
            select: Default::default(),
            read_select: Default::default(),
            word: Default::default(),
            read_word: Default::default(),
            write: Default::default(),
            write_rule: Default::default(),
            write_address: Default::default(),
            write_data: Default::default(),
            decay: Default::default(),
            impulse: Default::default(),
            spiked: Default::default(),
            swept: Default::default(),
            rules: Default::default(),
            lane_trace: Default::default(),
            rule_index: [0u64, 1, 2, 3].map(|rule| Constant::new(rule.into())),
        }
    }
}

impl<const GB: usize> Logic for PostTraces<GB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.word.next = 0.into();
        self.read_word.next = 0.into();
        for r in 0..4 {
            self.rules[r].read_clock.next = self.clock.val();
            self.rules[r].write_clock.next = self.clock.val();
            self.rules[r].read_address.next = self.read_address.val();
            self.rules[r].write_address.next = self.write_address.val();
            self.rules[r].write_data.next = self.write_data.val();
            self.rules[r].write_enable.next =
                self.write.val() & (self.write_rule.val() == self.rule_index[r].val());
            if self.select.val() == self.rule_index[r].val() {
                self.word.next = self.rules[r].read_data.val();
            }
            if self.read_select.val() == self.rule_index[r].val() {
                self.read_word.next = self.rules[r].read_data.val();
            }
        }
        for l in 0..4 {
            self.lane_trace[l].decay.next = self.decay.val();
            self.lane_trace[l].impulse.next = self.impulse.val();
            self.lane_trace[l].spiked.next = self.spiked.val().get_bit(l);
        }
        self.lane_trace[0].trace.next = self.word.val().get_bits::<7>(0);
        self.lane_trace[1].trace.next = self.word.val().get_bits::<7>(7);
        self.lane_trace[2].trace.next = self.word.val().get_bits::<7>(14);
        self.lane_trace[3].trace.next = self.word.val().get_bits::<7>(21);
        self.swept.next = bit_cast::<28, 7>(self.lane_trace[0].out.val())
            | (bit_cast::<28, 7>(self.lane_trace[1].out.val()) << 7)
            | (bit_cast::<28, 7>(self.lane_trace[2].out.val()) << 14)
            | (bit_cast::<28, 7>(self.lane_trace[3].out.val()) << 21);
    }
}

// The loops above spell the rule and lane counts as 4 (hdl_gen loops need literal bounds).
const _: () = assert!(LEARN_RULES == 4 && WEIGHT_LANES == 4);
