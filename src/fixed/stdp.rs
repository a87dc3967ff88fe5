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
