//! The four lanes of one synapse word of the learning stage, combinational: the axon's pre
//! trace `x` updated ([`TraceUnit`]), the stored 9-bit weights decoded from the word and its
//! ninth-bit plane, each lane's [`StdpRule`], and the learned word packed back (spec §5 step 4; storage in `layout::pack_learning_weights`).
//!
//! ```text
//! stored[i]  = low[8i..8i+8] | high[i] << 8                    (9-bit two's complement)
//! weight_i   = sign_extend(stored[i]) to WEIGHT_BITS            (the response's lanes)
//! enable[i]  = learning & !(group == first_group & !from_first[i])
//!                       & !(group == last_group  & !to_last[i])
//! from_first = 0b1111 << first_lane,  to_last = 0b1111 >> (3 - last_lane)   (4-bit)
//! learned    = low: new_weight[i][0..8] at 8i, high: new_weight[i][8] at bit i
//! ```
//! A lane learns only if it is a synapse of the axon's projection: populations are not
//! aligned to groups of 4, so the row's first and last groups carry lane bounds
//! (`layout::LearnAxonWord`: groups at bits 0..8 and 8..16, lanes at 16..18 and 18..20).

use rust_hdl::prelude::*;

use super::layout::LEARN_WEIGHT_BITS;
use super::lif_unit::sign_fill;
use super::stdp_rule::StdpRule;
use super::stdp_trace::TraceUnit;
use super::synapse_port::{WEIGHT_BITS, WEIGHT_LANES};

/// The lanes of a word of a core with `2^GB` groups.
#[derive(LogicBlock)]
pub struct StdpLanes<const GB: usize> {
    /// The stored word's low bytes (lane `i` at bits `8i..8i+8`).
    pub low: Signal<In, Bits<32>>,
    /// The stored word's ninth bits (lane `i` at bit `i`).
    pub high: Signal<In, Bits<4>>,
    /// The axon's row bounds: bits 0..20 of its learning-axon word (first and last group,
    /// first and last lane).
    pub bounds: Signal<In, Bits<20>>,
    /// The axon's stored pre trace `x` (bits 23..30 of its word).
    pub x_stored: Signal<In, Bits<7>>,
    /// The group of the word.
    pub group: Signal<In, Bits<GB>>,
    /// The axon learns (and the stage is armed).
    pub learning: Signal<In, Bit>,
    /// The axon's pre neuron spiked in the tick being learned.
    pub pre: Signal<In, Bit>,
    /// The post spikes of the word's 4 neurons in the tick being learned (lane `i` in bit `i`).
    pub post_lanes: Signal<In, Bits<4>>,
    /// Pre trace `x` of the event being served (after its first group) or of the row visited.
    pub x_held: Signal<In, Bits<7>>,
    /// The word is the first group of a served event: `x` is `x_updated`, not `x_held`.
    pub first_event: Signal<In, Bit>,
    /// `x_stored` updated for the tick: decayed, plus the impulse if `pre` (the stage latches
    /// it as `x_held` and writes it back).
    pub x_updated: Signal<Out, Bits<7>>,
    /// The post traces `y` of the word's neurons (lane `i` at bits `7i..7i+7`).
    pub post_word: Signal<In, Bits<28>>,
    /// The rule's `x_decay`.
    pub x_decay: Signal<In, Bits<12>>,
    /// The rule's `x_impulse`.
    pub x_impulse: Signal<In, Bits<7>>,
    /// The rule's sign mode (`layout::sign_mode_code`).
    pub sign_mode: Signal<In, Bits<2>>,
    /// The rule's terms: bits 14..30 of its rate word (`layout::LearnRuleWords`):
    /// `a_minus_mant` 0..4, `a_minus_exp + 7` 4..8, `a_plus_mant` 8..12, `a_plus_exp + 7` 12..16.
    pub terms: Signal<In, Bits<16>>,
    /// The stored weight of lane 0, sign-extended (what a response carries).
    pub weight0: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 1's.
    pub weight1: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 2's.
    pub weight2: Signal<Out, Bits<WEIGHT_BITS>>,
    /// Lane 3's.
    pub weight3: Signal<Out, Bits<WEIGHT_BITS>>,
    /// The learned word's low bytes.
    pub learned_low: Signal<Out, Bits<32>>,
    /// The learned word's ninth bits.
    pub learned_high: Signal<Out, Bits<4>>,

    lanes: [StdpRule; WEIGHT_LANES],
    pre_trace: TraceUnit,
    x: Signal<Local, Bits<7>>,
    stored: [Signal<Local, Bits<9>>; WEIGHT_LANES],
    lane_enable: [Signal<Local, Bit>; WEIGHT_LANES],
    from_first: Signal<Local, Bits<4>>,
    to_last: Signal<Local, Bits<4>>,
    all_lanes: Constant<Bits<4>>,
    last_lane: Constant<Bits<4>>,
    weight_sign_fill: Constant<Bits<WEIGHT_BITS>>,
}

impl<const GB: usize> Default for StdpLanes<GB> {
    fn default() -> Self {
        Self {
            low: Default::default(),
            high: Default::default(),
            bounds: Default::default(),
            x_stored: Default::default(),
            group: Default::default(),
            learning: Default::default(),
            pre: Default::default(),
            post_lanes: Default::default(),
            x_held: Default::default(),
            first_event: Default::default(),
            x_updated: Default::default(),
            post_word: Default::default(),
            x_decay: Default::default(),
            x_impulse: Default::default(),
            sign_mode: Default::default(),
            terms: Default::default(),
            weight0: Default::default(),
            weight1: Default::default(),
            weight2: Default::default(),
            weight3: Default::default(),
            learned_low: Default::default(),
            learned_high: Default::default(),
            lanes: Default::default(),
            pre_trace: Default::default(),
            x: Default::default(),
            stored: Default::default(),
            lane_enable: Default::default(),
            from_first: Default::default(),
            to_last: Default::default(),
            all_lanes: Constant::new(0b1111u64.into()),
            last_lane: Constant::new(((WEIGHT_LANES - 1) as u64).into()),
            weight_sign_fill: sign_fill::<WEIGHT_BITS>(LEARN_WEIGHT_BITS as usize),
        }
    }
}

impl<const GB: usize> Logic for StdpLanes<GB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.pre_trace.trace.next = self.x_stored.val();
        self.pre_trace.decay.next = self.x_decay.val();
        self.pre_trace.impulse.next = self.x_impulse.val();
        self.pre_trace.spiked.next = self.pre.val();
        self.x_updated.next = self.pre_trace.out.val();
        self.x.next = self.x_held.val();
        if self.first_event.val() {
            self.x.next = self.pre_trace.out.val();
        }
        // The stored 9-bit weights: low byte | ninth bit << 8.
        self.stored[0].next = bit_cast::<9, 8>(self.low.val().get_bits::<8>(0))
            | (bit_cast::<9, 4>(self.high.val() & 1) << 8);
        self.stored[1].next = bit_cast::<9, 8>(self.low.val().get_bits::<8>(8))
            | (bit_cast::<9, 4>((self.high.val() >> 1) & 1) << 8);
        self.stored[2].next = bit_cast::<9, 8>(self.low.val().get_bits::<8>(16))
            | (bit_cast::<9, 4>((self.high.val() >> 2) & 1) << 8);
        self.stored[3].next = bit_cast::<9, 8>(self.low.val().get_bits::<8>(24))
            | (bit_cast::<9, 4>((self.high.val() >> 3) & 1) << 8);
        self.lanes[0].y.next = self.post_word.val().get_bits::<7>(0);
        self.lanes[1].y.next = self.post_word.val().get_bits::<7>(7);
        self.lanes[2].y.next = self.post_word.val().get_bits::<7>(14);
        self.lanes[3].y.next = self.post_word.val().get_bits::<7>(21);
        // Lanes at or after the first lane, at or before the last. (3 - last in 4 bits: an
        // inverted 2-bit field would widen to 4 bits in Verilog's shift-amount context.)
        self.from_first.next =
            self.all_lanes.val() << bit_cast::<4, 2>(self.bounds.val().get_bits::<2>(16));
        self.to_last.next = self.all_lanes.val()
            >> (self.last_lane.val() - bit_cast::<4, 2>(self.bounds.val().get_bits::<2>(18)));
        self.learned_high.next = 0.into();
        for l in 0..4 {
            self.lane_enable[l].next = self.learning.val()
                & !((self.group.val() == bit_cast::<GB, 8>(self.bounds.val().get_bits::<8>(0)))
                    & !self.from_first.val().get_bit(l))
                & !((self.group.val() == bit_cast::<GB, 8>(self.bounds.val().get_bits::<8>(8)))
                    & !self.to_last.val().get_bit(l));
            self.lanes[l].weight.next = self.stored[l].val();
            self.lanes[l].pre.next = self.lane_enable[l].val() & self.pre.val();
            self.lanes[l].post.next = self.lane_enable[l].val() & self.post_lanes.val().get_bit(l);
            self.lanes[l].x.next = self.x.val();
            self.lanes[l].minus_mant.next = self.terms.val().get_bits::<4>(0);
            self.lanes[l].minus_shift.next = self.terms.val().get_bits::<4>(4);
            self.lanes[l].plus_mant.next = self.terms.val().get_bits::<4>(8);
            self.lanes[l].plus_shift.next = self.terms.val().get_bits::<4>(12);
            self.lanes[l].sign_mode.next = self.sign_mode.val();
            if self.lanes[l].new_weight.val().get_bit(8) {
                self.learned_high.next = self.learned_high.val().replace_bit(l, true);
            }
        }
        self.learned_low.next = bit_cast::<32, 9>(self.lanes[0].new_weight.val() & 0xff)
            | (bit_cast::<32, 9>(self.lanes[1].new_weight.val() & 0xff) << 8)
            | (bit_cast::<32, 9>(self.lanes[2].new_weight.val() & 0xff) << 16)
            | (bit_cast::<32, 9>(self.lanes[3].new_weight.val() & 0xff) << 24);

        // The response's lanes: the 9-bit weights sign-extended (logical cast | sign fill).
        self.weight0.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[0].val());
        if self.stored[0].val().get_bit(8) {
            self.weight0.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[0].val()) | self.weight_sign_fill.val();
        }
        self.weight1.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[1].val());
        if self.stored[1].val().get_bit(8) {
            self.weight1.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[1].val()) | self.weight_sign_fill.val();
        }
        self.weight2.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[2].val());
        if self.stored[2].val().get_bit(8) {
            self.weight2.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[2].val()) | self.weight_sign_fill.val();
        }
        self.weight3.next = bit_cast::<WEIGHT_BITS, 9>(self.stored[3].val());
        if self.stored[3].val().get_bit(8) {
            self.weight3.next =
                bit_cast::<WEIGHT_BITS, 9>(self.stored[3].val()) | self.weight_sign_fill.val();
        }
    }
}

// The loop above spells the lane count as 4 (hdl_gen loops need literal bounds).
const _: () = assert!(WEIGHT_LANES == 4);
