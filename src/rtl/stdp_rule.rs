//! The STDP weight update of one synapse lane (spec §5 step 4), combinational:
//! `fixed::stdp::learned_weight` in hardware, one instance per lane of a weight word (the
//! role ODIN's `sdsp_update.v` plays for its rule).
//!
//! ```text
//! acc = w << 7                                                   # 9-bit w: 17 bits signed
//! if pre:  acc = S(acc + S((a_minus_mant · y) << (a_minus_exp + 7)))
//! if post: acc = S(acc + S((a_plus_mant  · x) << (a_plus_exp  + 7)))
//! w' = clamp((acc + 64) >> 7, w_min, w_max)      (w' = w when neither pre nor post)
//! S(z) = clamp(z, -32769, 32767)
//! ```
//! Everything is 32-bit two's complement. A term is `|mant| · trace` on a multiplier (4 x 7
//! bits, at most `8 · 127 = 1016`), shifted left by `shift = exp + 7` (`0..=15`, so below
//! `2^25`), saturated as a magnitude (at 32767, or 32769 when `mant < 0`) and then negated
//! when `mant < 0`: the same as saturating the signed product. Sums stay within
//! `±(2 · 32769 + 64)`. Signed comparisons flip the sign bit and compare unsigned;
//! the arithmetic right shift by 7 is a logical shift OR-ed with 7 sign bits.

use rust_hdl::prelude::*;

use super::layout::sign_mode_code;
use super::lif_unit::{constant_of, sign_fill};
use crate::fixed::stdp::{SignMode, ACC_MAX, ACC_MIN, WEIGHT_FRACTION_BITS};

/// One lane's learned weight.
#[derive(LogicBlock)]
pub struct StdpRule {
    /// The weight before the update (9-bit two's complement).
    pub weight: Signal<In, Bits<9>>,
    /// The synapse's pre neuron spiked in the tick being learned.
    pub pre: Signal<In, Bit>,
    /// Its post neuron spiked.
    pub post: Signal<In, Bit>,
    /// Pre trace `x`, already updated for the tick.
    pub x: Signal<In, Bits<7>>,
    /// Post trace `y`, already updated for the tick.
    pub y: Signal<In, Bits<7>>,
    /// `a_minus_mant` (4-bit two's complement).
    pub minus_mant: Signal<In, Bits<4>>,
    /// `a_minus_exp + 7`.
    pub minus_shift: Signal<In, Bits<4>>,
    /// `a_plus_mant` (4-bit two's complement).
    pub plus_mant: Signal<In, Bits<4>>,
    /// `a_plus_exp + 7`.
    pub plus_shift: Signal<In, Bits<4>>,
    /// Sign mode (`layout::sign_mode_code`).
    pub sign_mode: Signal<In, Bits<2>>,
    /// The updated weight (9-bit two's complement).
    pub new_weight: Signal<Out, Bits<9>>,

    minus_magnitude: Signal<Local, Bits<4>>,
    minus_shifted: Signal<Local, Bits<32>>,
    minus_term: Signal<Local, Bits<32>>,
    plus_magnitude: Signal<Local, Bits<4>>,
    plus_shifted: Signal<Local, Bits<32>>,
    plus_term: Signal<Local, Bits<32>>,
    acc_initial: Signal<Local, Bits<32>>,
    pre_sum: Signal<Local, Bits<32>>,
    acc_pre: Signal<Local, Bits<32>>,
    post_sum: Signal<Local, Bits<32>>,
    acc_post: Signal<Local, Bits<32>>,
    round_sum: Signal<Local, Bits<32>>,
    rounded: Signal<Local, Bits<32>>,
    weight_min: Signal<Local, Bits<32>>,
    weight_max: Signal<Local, Bits<32>>,

    sext_9_to_32: Constant<Bits<32>>,
    round_fill: Constant<Bits<32>>,
    round_half: Constant<Bits<32>>,
    acc_max: Constant<Bits<32>>,
    acc_min: Constant<Bits<32>>,
    negative_term_max: Constant<Bits<32>>,
    sign_bias: Constant<Bits<32>>,
    mixed_mode: Constant<Bits<2>>,
    inhibitory_mode: Constant<Bits<2>>,
    mixed_min: Constant<Bits<32>>,
    inhibitory_min: Constant<Bits<32>>,
    positive_max: Constant<Bits<32>>,
}

impl Default for StdpRule {
    fn default() -> Self {
        Self {
            weight: Default::default(),
            pre: Default::default(),
            post: Default::default(),
            x: Default::default(),
            y: Default::default(),
            minus_mant: Default::default(),
            minus_shift: Default::default(),
            plus_mant: Default::default(),
            plus_shift: Default::default(),
            sign_mode: Default::default(),
            new_weight: Default::default(),
            minus_magnitude: Default::default(),
            minus_shifted: Default::default(),
            minus_term: Default::default(),
            plus_magnitude: Default::default(),
            plus_shifted: Default::default(),
            plus_term: Default::default(),
            acc_initial: Default::default(),
            pre_sum: Default::default(),
            acc_pre: Default::default(),
            post_sum: Default::default(),
            acc_post: Default::default(),
            round_sum: Default::default(),
            rounded: Default::default(),
            weight_min: Default::default(),
            weight_max: Default::default(),
            sext_9_to_32: sign_fill::<32>(9),
            round_fill: sign_fill::<32>(32 - WEIGHT_FRACTION_BITS as usize),
            round_half: constant_of::<32>(1 << (WEIGHT_FRACTION_BITS - 1)),
            acc_max: constant_of::<32>(ACC_MAX),
            acc_min: constant_of::<32>(ACC_MIN),
            negative_term_max: constant_of::<32>(-ACC_MIN),
            sign_bias: constant_of::<32>(i64::from(i32::MIN)),
            mixed_mode: constant_of::<2>(sign_mode_code(SignMode::Mixed) as i64),
            inhibitory_mode: constant_of::<2>(sign_mode_code(SignMode::Inhibitory) as i64),
            mixed_min: constant_of::<32>(SignMode::Mixed.weight_min()),
            inhibitory_min: constant_of::<32>(SignMode::Inhibitory.weight_min()),
            positive_max: constant_of::<32>(SignMode::Excitatory.weight_max()),
        }
    }
}

impl Logic for StdpRule {
    #[hdl_gen]
    fn update(&mut self) {
        // ---- The two terms: S((mant · trace) << shift), from the magnitude of mant.
        self.minus_magnitude.next = self.minus_mant.val();
        if self.minus_mant.val().get_bit(3) {
            self.minus_magnitude.next = !self.minus_mant.val() + 1;
        }
        self.minus_shifted.next = (bit_cast::<16, 4>(self.minus_magnitude.val())
            * bit_cast::<16, 7>(self.y.val()))
            << self.minus_shift.val();
        self.minus_term.next = self.minus_shifted.val();
        if self.minus_shifted.val() > self.acc_max.val() {
            self.minus_term.next = self.acc_max.val();
        }
        if self.minus_mant.val().get_bit(3) {
            self.minus_term.next = !self.minus_shifted.val() + 1;
            if self.minus_shifted.val() > self.negative_term_max.val() {
                self.minus_term.next = self.acc_min.val();
            }
        }
        self.plus_magnitude.next = self.plus_mant.val();
        if self.plus_mant.val().get_bit(3) {
            self.plus_magnitude.next = !self.plus_mant.val() + 1;
        }
        self.plus_shifted.next = (bit_cast::<16, 4>(self.plus_magnitude.val())
            * bit_cast::<16, 7>(self.x.val()))
            << self.plus_shift.val();
        self.plus_term.next = self.plus_shifted.val();
        if self.plus_shifted.val() > self.acc_max.val() {
            self.plus_term.next = self.acc_max.val();
        }
        if self.plus_mant.val().get_bit(3) {
            self.plus_term.next = !self.plus_shifted.val() + 1;
            if self.plus_shifted.val() > self.negative_term_max.val() {
                self.plus_term.next = self.acc_min.val();
            }
        }

        // ---- acc = w << 7, then the pre term, then the post term, each sum saturated.
        self.acc_initial.next = bit_cast::<32, 9>(self.weight.val()) << 7;
        if self.weight.val().get_bit(8) {
            self.acc_initial.next =
                (bit_cast::<32, 9>(self.weight.val()) | self.sext_9_to_32.val()) << 7;
        }
        self.pre_sum.next = self.acc_initial.val() + self.minus_term.val();
        self.acc_pre.next = self.acc_initial.val();
        if self.pre.val() {
            self.acc_pre.next = self.pre_sum.val();
            if !self.pre_sum.val().get_bit(31) & (self.pre_sum.val() > self.acc_max.val()) {
                self.acc_pre.next = self.acc_max.val();
            }
            if self.pre_sum.val().get_bit(31) & (self.pre_sum.val() < self.acc_min.val()) {
                self.acc_pre.next = self.acc_min.val();
            }
        }
        self.post_sum.next = self.acc_pre.val() + self.plus_term.val();
        self.acc_post.next = self.acc_pre.val();
        if self.post.val() {
            self.acc_post.next = self.post_sum.val();
            if !self.post_sum.val().get_bit(31) & (self.post_sum.val() > self.acc_max.val()) {
                self.acc_post.next = self.acc_max.val();
            }
            if self.post_sum.val().get_bit(31) & (self.post_sum.val() < self.acc_min.val()) {
                self.acc_post.next = self.acc_min.val();
            }
        }

        // ---- Nearest, ties toward +inf: (acc + 64) >> 7, arithmetic.
        self.round_sum.next = self.acc_post.val() + self.round_half.val();
        self.rounded.next = self.round_sum.val() >> 7;
        if self.round_sum.val().get_bit(31) {
            self.rounded.next = (self.round_sum.val() >> 7) | self.round_fill.val();
        }

        // ---- Clamp to the sign mode's range (signed compares: sign bit flipped).
        self.weight_min.next = 0.into();
        self.weight_max.next = self.positive_max.val();
        if self.sign_mode.val() == self.mixed_mode.val() {
            self.weight_min.next = self.mixed_min.val();
        }
        if self.sign_mode.val() == self.inhibitory_mode.val() {
            self.weight_min.next = self.inhibitory_min.val();
            self.weight_max.next = 0.into();
        }
        self.new_weight.next = self.rounded.val().get_bits::<9>(0);
        if (self.rounded.val() ^ self.sign_bias.val())
            < (self.weight_min.val() ^ self.sign_bias.val())
        {
            self.new_weight.next = self.weight_min.val().get_bits::<9>(0);
        }
        if (self.rounded.val() ^ self.sign_bias.val())
            > (self.weight_max.val() ^ self.sign_bias.val())
        {
            self.new_weight.next = self.weight_max.val().get_bits::<9>(0);
        }
        if !self.pre.val() & !self.post.val() {
            self.new_weight.next = self.weight.val();
        }
    }
}
