//! Fixed-point arithmetic of on-chip STDP (spec §5): the traces, the pair rule, saturation,
//! rounding and the sign modes. The single definition of the learning arithmetic, as the
//! parent module is of the neuron's: the golden model's learning stage uses these functions,
//! and a hardware stage takes its widths and constants from here.
//!
//! Widths (spec §5): traces are 7-bit unsigned; `mant · trace` is 11-bit signed
//! (`-8 · 127 = -1016 ..= 7 · 127 = 889`); shifted left by `exp + 7` (`0..=15`) it needs up to
//! 26 bits before [`saturate`]; the weight accumulator `w << 7` is 17 bits signed
//! (`-256 << 7 = -32768`), 18 bits after adding a saturated term, 17 bits again after
//! [`saturate`] (`-32769 ..= 32767`). Everything here is computed in `i64`, exactly.

/// Largest trace value (7-bit unsigned); a trace saturates here.
pub const TRACE_MAX: i64 = 127;

/// Largest trace impulse `x_impulse`, `y_impulse` (field range `0..=127`).
pub const TRACE_IMPULSE_MAX: i64 = 127;

/// Largest trace decay `x_decay`, `y_decay` (field range `0..=4095`, like `dv`).
pub const TRACE_DECAY_MAX: i64 = 4095;

/// Smallest learning-rate mantissa `a_plus_mant`, `a_minus_mant` (4-bit signed).
pub const RATE_MANT_MIN: i64 = -8;

/// Largest learning-rate mantissa `a_plus_mant`, `a_minus_mant` (4-bit signed).
pub const RATE_MANT_MAX: i64 = 7;

/// Smallest learning-rate exponent `a_plus_exp`, `a_minus_exp`.
pub const RATE_EXP_MIN: i64 = -7;

/// Largest learning-rate exponent `a_plus_exp`, `a_minus_exp`.
pub const RATE_EXP_MAX: i64 = 8;

/// Fractional bits of the weight accumulator: `acc = w << 7`, and a term
/// `mant · 2^exp · trace` is `(mant · trace) << (exp + 7)` in these units, an integer for every
/// `exp >= -7`.
pub const WEIGHT_FRACTION_BITS: u32 = 7;

/// Smallest value [`saturate`] keeps: `-2^15 - 1`, Lava's lower bound (not `-2^15`).
pub const ACC_MIN: i64 = -(1 << 15) - 1;

/// Largest value [`saturate`] keeps: `2^15 - 1`.
pub const ACC_MAX: i64 = (1 << 15) - 1;

/// The only epoch length supported (`t_epoch`): learning every tick.
pub const T_EPOCH: i64 = 1;

/// The range a learning projection's weights live in (spec §5 `sign_mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum SignMode {
    /// `0..=255` (8-bit magnitude).
    #[default]
    Excitatory,
    /// `-256..=255` (9-bit signed); odd initial weights are floored to even.
    Mixed,
    /// `-255..=0` (8-bit magnitude, negated).
    Inhibitory,
}

impl SignMode {
    /// Every mode, in the order the spec lists them.
    pub const ALL: [SignMode; 3] = [SignMode::Excitatory, SignMode::Mixed, SignMode::Inhibitory];

    /// The mode's name in the network file.
    pub fn name(self) -> &'static str {
        match self {
            SignMode::Excitatory => "excitatory",
            SignMode::Mixed => "mixed",
            SignMode::Inhibitory => "inhibitory",
        }
    }

    /// The mode of a network-file name, if it is one.
    pub fn from_name(name: &str) -> Option<SignMode> {
        SignMode::ALL.into_iter().find(|mode| mode.name() == name)
    }

    /// Smallest weight of the mode (learned weights are clamped to it).
    pub fn weight_min(self) -> i64 {
        match self {
            SignMode::Excitatory => 0,
            SignMode::Mixed => -256,
            SignMode::Inhibitory => -255,
        }
    }

    /// Largest weight of the mode (learned weights are clamped to it).
    pub fn weight_max(self) -> i64 {
        match self {
            SignMode::Excitatory | SignMode::Mixed => 255,
            SignMode::Inhibitory => 0,
        }
    }

    /// The weight a network file's initial weight `w` (already in range) starts as: in mixed
    /// mode the least significant bit is dropped, `(w >> 1) << 1`, which floors odd values
    /// (`-3 -> -4`, `3 -> 2`); the other modes keep it.
    pub fn initial_weight(self, w: i64) -> i64 {
        match self {
            SignMode::Mixed => (w >> 1) << 1,
            SignMode::Excitatory | SignMode::Inhibitory => w,
        }
    }
}

/// The parameters of one learning projection (its `learning` object).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct StdpRule {
    /// Weight range.
    pub sign_mode: SignMode,
    /// Added to the pre trace `x` on a pre spike, `0..=127`.
    pub x_impulse: i64,
    /// Per-tick decay of `x`, `0..=4095`: `x · (4096 - x_decay) >> 12`.
    pub x_decay: i64,
    /// Added to the post trace `y` on a post spike, `0..=127`.
    pub y_impulse: i64,
    /// Per-tick decay of `y`, `0..=4095`.
    pub y_decay: i64,
    /// Potentiation at a post spike: `+ a_plus_mant · 2^a_plus_exp · x`.
    pub a_plus_mant: i64,
    /// See `a_plus_mant`; `-7..=8`.
    pub a_plus_exp: i64,
    /// The term at a pre spike: `+ a_minus_mant · 2^a_minus_exp · y`.
    pub a_minus_mant: i64,
    /// See `a_minus_mant`; `-7..=8`.
    pub a_minus_exp: i64,
}

/// One trace's step-4 update: `min(127, ((trace · (4096 - decay)) >> 12) + (spiked ? impulse :
/// 0))`. The decay floors (a trace is never negative, so floor and truncation agree);
/// `127 · 4096` fits 19 bits, the sum at most `127 + 127 = 254` before the saturation.
#[inline]
pub fn trace_update(trace: i64, decay: i64, impulse: i64, spiked: bool) -> i64 {
    let decayed = (trace * (super::DECAY_UNITY - decay)) >> super::DECAY_SHIFT;
    (decayed + if spiked { impulse } else { 0 }).min(TRACE_MAX)
}

/// `S(z) = clamp(z, -32769, 32767)`: Lava's saturation of the weight accumulator.
#[inline]
pub fn saturate(z: i64) -> i64 {
    z.clamp(ACC_MIN, ACC_MAX)
}

/// One rule term in accumulator units: `S((mant · trace) << (exp + 7))`. `mant · trace` is 11
/// bits signed, the shift `0..=15`, so the product is at most 26 bits (exact in `i64`); the
/// left shift of a negative number is a multiplication by `2^(exp + 7)`.
#[inline]
fn term(mant: i64, exp: i64, trace: i64) -> i64 {
    saturate((mant * trace) << (exp + i64::from(WEIGHT_FRACTION_BITS)))
}

/// The new weight of one synapse in step 4, given whether its pre (`pre`) and post (`post`)
/// neuron spiked this tick and the traces `x`, `y` just updated (a spike's own impulse
/// included). Only call it when `pre || post`; otherwise the weight is unchanged.
///
/// ```text
/// acc = w << 7
/// if pre:  acc = S(acc + S((a_minus_mant · y) << (a_minus_exp + 7)))   # this term first
/// if post: acc = S(acc + S((a_plus_mant  · x) << (a_plus_exp  + 7)))   # then this one
/// w' = clamp((acc + 64) >> 7, w_min, w_max)                             # nearest, ties up
/// ```
/// `(acc + 64) >> 7` is `floor(acc / 128 + 1/2)`: the nearest integer, ties toward +inf
/// (`-192 -> -1`, `-193 -> -2`, `64 -> 1`).
#[inline]
pub fn learned_weight(rule: &StdpRule, w: i64, pre: bool, post: bool, x: i64, y: i64) -> i64 {
    let mut acc = w << WEIGHT_FRACTION_BITS;
    if pre {
        acc = saturate(acc + term(rule.a_minus_mant, rule.a_minus_exp, y));
    }
    if post {
        acc = saturate(acc + term(rule.a_plus_mant, rule.a_plus_exp, x));
    }
    let half = 1 << (WEIGHT_FRACTION_BITS - 1);
    ((acc + half) >> WEIGHT_FRACTION_BITS)
        .clamp(rule.sign_mode.weight_min(), rule.sign_mode.weight_max())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rule with the given mode and rates; the traces' parameters do not enter
    /// [`learned_weight`].
    fn rule(sign_mode: SignMode, minus: (i64, i64), plus: (i64, i64)) -> StdpRule {
        StdpRule {
            sign_mode,
            a_minus_mant: minus.0,
            a_minus_exp: minus.1,
            a_plus_mant: plus.0,
            a_plus_exp: plus.1,
            ..StdpRule::default()
        }
    }

    #[test]
    fn saturation_floor_is_minus_32769() {
        assert_eq!(saturate(-40_000), -32_769);
        assert_eq!(saturate(40_000), 32_767);
        assert_eq!(saturate(-32_769), -32_769);
        // stdp-d01's synapse: w = 0, pre and post, y = 5, x = 1, mixed.
        // Pre term: (-8 * 5) << (8 + 7) = -1_310_720 -> S = -32769; acc = S(0 - 32769) = -32769.
        // Post term: (1 * 1) << (-1 + 7) = 64; acc = -32705; (-32705 + 64) >> 7 =
        // floor(-255.0078) = -256. A floor of -32768 would give -32640 >> 7 = -255.
        let r = rule(SignMode::Mixed, (-8, 8), (1, -1));
        assert_eq!(learned_weight(&r, 0, true, true, 1, 5), -256);
    }

    #[test]
    fn the_pre_term_comes_first() {
        // Mixed, w = 100: acc = 12800. Pre term (-8 * 1) << 15 -> S = -32769: acc = -19969.
        // Post term (7 * 1) << 15 -> S = 32767: acc = 12798; (12798 + 64) >> 7 = 100.
        // The other order saturates at 32767 first, then 32767 - 32769 = -2: (62 >> 7) = 0.
        let r = rule(SignMode::Mixed, (-8, 8), (7, 8));
        assert_eq!(learned_weight(&r, 100, true, true, 1, 1), 100);
        // Either term alone.
        // Pre only: S(12800 - 32769) = -19969; (-19905) >> 7 = floor(-155.5) = -156.
        assert_eq!(learned_weight(&r, 100, true, false, 1, 1), -156);
        // Post only: S(12800 + 32767) = 32767; 32831 >> 7 = 256 -> clamped to 255.
        assert_eq!(learned_weight(&r, 100, false, true, 1, 1), 255);
    }

    #[test]
    fn rounding_is_nearest_with_ties_toward_plus_infinity() {
        // Post only, (1 * x) << (-1 + 7) = 64 x.
        let r = rule(SignMode::Mixed, (-1, -1), (1, -1));
        // x = 1: acc = 64 (0.5): (64 + 64) >> 7 = 1.
        assert_eq!(learned_weight(&r, 0, false, true, 1, 0), 1);
        // Pre only, -64 y. y = 1: acc = -64 (-0.5): 0 >> 7 = 0, toward +inf.
        assert_eq!(learned_weight(&r, 0, true, false, 0, 1), 0);
        // y = 3: acc = -192 (-1.5): -128 >> 7 = -1.
        assert_eq!(learned_weight(&r, 0, true, false, 0, 3), -1);
        // w = 5, y = 1: 640 - 64 = 576 (4.5): 640 >> 7 = 5; w = 5, y = 2: 512 (4.0): 4.
        assert_eq!(learned_weight(&r, 5, true, false, 0, 1), 5);
        assert_eq!(learned_weight(&r, 5, true, false, 0, 2), 4);
        // Below a half rounds down: exponent -2 gives -32 per unit of y; y = 3:
        // 640 - 96 = 544 (4.25): 608 >> 7 = 4.
        let r = rule(SignMode::Mixed, (-1, -2), (1, -1));
        assert_eq!(learned_weight(&r, 5, true, false, 0, 3), 4);
    }

    #[test]
    fn weights_are_clamped_to_the_sign_mode() {
        let up = rule(SignMode::Excitatory, (7, 8), (7, 8));
        let down = rule(SignMode::Excitatory, (-8, 8), (-8, 8));
        // Excitatory: 0..=255.
        assert_eq!(learned_weight(&up, 250, true, false, 0, 1), 255);
        assert_eq!(learned_weight(&down, 10, true, false, 0, 1), 0);
        // Inhibitory: -255..=0. acc = -32000 - 32769 -> S = -32769 -> -256, clamped to -255.
        let up = StdpRule {
            sign_mode: SignMode::Inhibitory,
            ..up
        };
        let down = StdpRule {
            sign_mode: SignMode::Inhibitory,
            ..down
        };
        assert_eq!(learned_weight(&down, -250, true, false, 0, 1), -255);
        assert_eq!(learned_weight(&up, -10, true, false, 0, 1), 0);
        // Mixed: -256..=255, and -256 is reached.
        let down = StdpRule {
            sign_mode: SignMode::Mixed,
            ..down
        };
        assert_eq!(learned_weight(&down, -250, true, false, 0, 1), -256);
        assert_eq!(SignMode::Mixed.weight_max(), 255);
    }

    #[test]
    fn mixed_initial_weights_are_floored_to_even() {
        // (w >> 1) << 1 floors: -3 -> -4, 3 -> 2, -255 -> -256.
        assert_eq!(SignMode::Mixed.initial_weight(-3), -4);
        assert_eq!(SignMode::Mixed.initial_weight(3), 2);
        assert_eq!(SignMode::Mixed.initial_weight(255), 254);
        assert_eq!(SignMode::Mixed.initial_weight(-255), -256);
        assert_eq!(SignMode::Mixed.initial_weight(-256), -256);
        assert_eq!(SignMode::Mixed.initial_weight(0), 0);
        // The other modes keep odd weights.
        assert_eq!(SignMode::Excitatory.initial_weight(255), 255);
        assert_eq!(SignMode::Inhibitory.initial_weight(-255), -255);
    }

    #[test]
    fn traces_decay_by_floor_and_saturate_at_127() {
        // 120 + 100 = 220 -> 127.
        assert_eq!(trace_update(120, 0, 100, true), 127);
        // decay 0 keeps 127; without a spike no impulse.
        assert_eq!(trace_update(127, 0, 100, false), 127);
        // decay 4095: 127 * 1 >> 12 = 0, then + 127.
        assert_eq!(trace_update(127, 4095, 127, true), 127);
        // 127 * 4095 = 520065; >> 12 = 126 (126.97 floored).
        assert_eq!(trace_update(127, 1, 0, false), 126);
        // 100 * 2048 >> 12 = 50; + 77 = 127 exactly (not saturated); + 78 saturates.
        assert_eq!(trace_update(100, 2048, 77, true), 127);
        assert_eq!(trace_update(100, 2048, 78, true), 127);
        assert_eq!(trace_update(100, 2048, 76, true), 126);
        // 3 * (4096 - 1400) = 8088; >> 12 = 1 (1.97 floored).
        assert_eq!(trace_update(3, 1400, 0, false), 1);
    }
}
