//! Fixed-point primitives of the Loihi CUBA-LIF neuron (spec §2).
//!
//! This module is the single definition of the neuron arithmetic. The golden model, the
//! rust-hdl blocks and the Verilog export all derive their behaviour (and their field widths)
//! from the constants and functions here, so that "bit accurate" has exactly one meaning.
//!
//! All values are carried in `i64`; the narrow hardware widths are a property of the hardware,
//! not of the arithmetic. `i64` holds every value exactly as long as a neuron's synaptic input
//! per tick stays within [`EXACT_INPUT_LIMIT`] (network validation rejects a network whose
//! weights could exceed it, see [`crate::model::Network::max_abs_synaptic_input`]); the one
//! product that needs more, `|x| * (4096 - d)` in [`decay`], is formed in 128 bits.

pub mod adc;
pub mod stdp;

/// Right shift that divides by [`DECAY_UNITY`] in [`decay`]: decay factors are Q0.12 fractions.
pub const DECAY_SHIFT: u32 = 12;

/// `1 << DECAY_SHIFT = 4096`: the decay factor that keeps a value unchanged, i.e. `decay(x, 0) == x`.
pub const DECAY_UNITY: i64 = 1 << DECAY_SHIFT;

/// Left shift applied to the synaptic input before it is added to the current:
/// `u' = decay(u, du + 1) + (a << 6)`. The same shift scales the threshold, `vth << 6`.
pub const ACTIVATION_SHIFT: u32 = 6;

/// `2^23`: the magnitude at which `u` wraps (see [`wrap_u`]) and just above the largest
/// magnitude of `v` (see [`clamp_v`]).
pub const UV_LIMIT: i64 = 1 << 23;

/// `2^23 - 1`: the largest magnitude of `v`; [`clamp_v`] saturates to `-V_MAX..=V_MAX`.
pub const V_MAX: i64 = UV_LIMIT - 1;

/// Largest current decay `du` (field range `0..=4095`; the arithmetic uses `du + 1`).
pub const DU_MAX: i64 = 4095;

/// Largest voltage decay `dv` (field range `0..=4095`).
pub const DV_MAX: i64 = 4095;

/// Largest threshold mantissa `vth` (field range `0..=131071`, i.e. 17 bits unsigned).
pub const VTH_MAX: i64 = 131_071;

/// Smallest bias mantissa `bias_mant` (field range `-4096..=4095`, i.e. 13 bits signed).
pub const BIAS_MANT_MIN: i64 = -4096;

/// Largest bias mantissa `bias_mant` (field range `-4096..=4095`, i.e. 13 bits signed).
pub const BIAS_MANT_MAX: i64 = 4095;

/// Largest bias exponent `bias_exp` (field range `0..=7`); the bias is `bias_mant << bias_exp`.
pub const BIAS_EXP_MAX: i64 = 7;

/// Smallest synaptic weight (weights are 8-bit signed, `-128..=127`).
pub const WEIGHT_MIN: i64 = -128;

/// Largest synaptic weight (weights are 8-bit signed, `-128..=127`).
pub const WEIGHT_MAX: i64 = 127;

/// Smallest projection weight exponent (`-8..=7`); see [`shift_exp`].
pub const WEIGHT_EXP_MIN: i32 = -8;

/// Largest projection weight exponent (`-8..=7`); see [`shift_exp`].
pub const WEIGHT_EXP_MAX: i32 = 7;

/// The largest synaptic input magnitude `|a|` per tick for which [`lif_update`] is exact in
/// `i64`: `2^44`.
///
/// Why: `|decay(u, du + 1)| <= |u| * 4095 / 4096`, and [`wrap_u`] never makes a magnitude
/// larger than `max(|x|, 2^23)`, so by induction over the ticks `|u| <= max(2^23, 4096 * 64 * A)
/// = max(2^23, 2^18 * A)` when every `|a| <= A` (the fixed point of `B = B * 4095/4096 + 64 A`).
/// With `A = 2^44`: `|u|` and the sum `decay(u) + (a << 6)` stay within `2^62`, and
/// `v' = decay(v) + u' + bias` within `2^62 + 2^24`, all below `2^63`. Reaching `2^44` takes more
/// than 2^30 synapses of weight `±128 << 7` into one neuron.
pub const EXACT_INPUT_LIMIT: i64 = 1 << 44;

/// Multiplicative decay with truncation toward zero:
/// `decay(x, d) = sign(x) * ((|x| * (4096 - d)) >> 12)`.
///
/// `d` is the decay constant in `0..=4096` (`4096` is reached as `du + 1` with `du = 4095`, and
/// then the result is 0). Because the shift is applied to the magnitude, negative values round
/// toward zero exactly like positive ones (`decay(-5, 2048) == -2`, not `-3`).
///
/// Exact for every `x` except `i64::MIN`: the product `|x| * (4096 - d)` (up to 75 bits) is
/// formed in `u128`, and the result's magnitude is at most `|x|`.
#[inline]
pub fn decay(x: i64, d: i64) -> i64 {
    debug_assert!(
        (0..=DECAY_UNITY).contains(&d),
        "decay constant {d} out of 0..=4096"
    );
    debug_assert!(x != i64::MIN, "decay of i64::MIN");
    let magnitude = (u128::from(x.unsigned_abs()) * (DECAY_UNITY - d) as u128) >> DECAY_SHIFT;
    // magnitude <= |x| <= i64::MAX, so the conversion is lossless.
    x.signum() * magnitude as i64
}

/// Scales a projection's summed weights by its exponent: `x << e` for `e >= 0`, and the
/// arithmetic shift `x >> -e` for `e < 0`, which rounds toward -∞ (`shift_exp(-1, -8) == -1`).
///
/// The function is monotone non-decreasing in `x` for every `e`, which is what makes
/// [`crate::model::Network::max_abs_synaptic_input`] a valid bound.
#[inline]
pub fn shift_exp(x: i64, e: i32) -> i64 {
    if e >= 0 {
        x << e
    } else {
        x >> -e
    }
}

/// The current wrap of spec §2, applied once and in this order:
/// `if u > 2^23 { u -= 2^24 }`, then `if u <= -2^23 { u += 2^24 }`.
///
/// So `+2^23` is kept, `2^23 + 1` becomes `-2^23 + 1` and `-2^23` becomes `+2^23`: the result
/// lies in `-2^23 + 1 ..= 2^23` (25 bits of storage) for any input within one wrap of that
/// range. Inputs further out are not reduced further; that is the spec's rule, not an error.
#[inline]
pub fn wrap_u(u: i64) -> i64 {
    // Two sequential ifs exactly as written in the spec (and in Lava's `PyLifModelBitAcc`).
    let mut wrapped = u;
    if wrapped > UV_LIMIT {
        wrapped -= 2 * UV_LIMIT;
    }
    if wrapped <= -UV_LIMIT {
        wrapped += 2 * UV_LIMIT;
    }
    wrapped
}

/// Saturates the voltage to `-(2^23 - 1) ..= 2^23 - 1` (note: symmetric, `-2^23` is excluded).
#[inline]
pub fn clamp_v(v: i64) -> i64 {
    v.clamp(-V_MAX, V_MAX)
}

/// Two's-complement encoding of `x` in the low `bits` bits of the result (upper bits zero),
/// for memory images and hardware registers. `bits` is `1..=64`; `x` must lie in
/// `-2^(bits-1) ..= 2^(bits-1) - 1` (checked in debug builds).
pub fn to_twos(x: i64, bits: u32) -> u64 {
    debug_assert!((1..=64).contains(&bits), "bit width {bits} out of 1..=64");
    debug_assert!(
        bits == 64 || (-(1i64 << (bits - 1))..(1i64 << (bits - 1))).contains(&x),
        "{x} does not fit in {bits} signed bits"
    );
    (x as u64) & low_mask(bits)
}

/// Decodes the low `bits` bits of `raw` as a two's-complement number (sign extension);
/// bits above `bits` are ignored. Inverse of [`to_twos`].
pub fn from_twos(raw: u64, bits: u32) -> i64 {
    debug_assert!((1..=64).contains(&bits), "bit width {bits} out of 1..=64");
    let unused = 64 - bits;
    // Move the field's sign bit to bit 63, then shift back arithmetically to replicate it.
    ((raw << unused) as i64) >> unused
}

/// Mask of the low `bits` bits (`bits` in `1..=64`).
fn low_mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

/// The per-neuron parameters of a CUBA-LIF neuron, as given in the network file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LifParams {
    /// Current decay, `0..=4095`; the current is multiplied by `(4096 - (du + 1)) / 4096`.
    pub du: i64,
    /// Voltage decay, `0..=4095`; the voltage is multiplied by `(4096 - dv) / 4096`.
    pub dv: i64,
    /// Threshold mantissa, `0..=131071`; the neuron spikes when `v' > vth << 6`.
    pub vth: i64,
    /// Bias mantissa, `-4096..=4095`.
    pub bias_mant: i64,
    /// Bias exponent, `0..=7`.
    pub bias_exp: i64,
}

impl LifParams {
    /// The constant added to `v` every tick: `bias_mant << bias_exp`.
    pub fn bias(&self) -> i64 {
        self.bias_mant << self.bias_exp
    }

    /// The spike threshold on `v`: `vth << 6` (a spike needs `v'` strictly greater).
    pub fn threshold(&self) -> i64 {
        self.vth << ACTIVATION_SHIFT
    }
}

/// The state of one CUBA-LIF neuron: synaptic current `u` and membrane voltage `v`.
/// Both start at 0.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct LifState {
    /// Synaptic current, after the wrap of [`wrap_u`].
    pub u: i64,
    /// Membrane voltage, after the clamp of [`clamp_v`] and the reset to 0 on a spike.
    pub v: i64,
}

/// One neuron's update (spec §2 step 2) given its synaptic input `a` for this tick:
///
/// ```text
/// u' = wrap_u(decay(u, du + 1) + (a << 6))
/// v' = clamp_v(decay(v, dv) + u' + (bias_mant << bias_exp))
/// spike = v' > (vth << 6);  if spike { v' = 0 }      // u is not reset
/// ```
///
/// Updates `state` in place and returns whether the neuron spiked.
#[inline]
pub fn lif_update(state: &mut LifState, p: &LifParams, a: i64) -> bool {
    let u = wrap_u(decay(state.u, p.du + 1) + (a << ACTIVATION_SHIFT));
    let v = clamp_v(decay(state.v, p.dv) + u + p.bias());
    let spike = v > p.threshold();
    state.u = u;
    state.v = if spike { 0 } else { v };
    spike
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(du: i64, dv: i64, vth: i64) -> LifParams {
        LifParams {
            du,
            dv,
            vth,
            bias_mant: 0,
            bias_exp: 0,
        }
    }

    #[test]
    fn decay_truncates_toward_zero() {
        // |5| * (4096 - 2048) = 10240; 10240 >> 12 = 2 (2.5 truncated); sign restored.
        assert_eq!(decay(5, 2048), 2);
        assert_eq!(decay(-5, 2048), -2);
        // |−1| * 4095 = 4095; 4095 >> 12 = 0, so -1 decays to 0 (a floor shift would give -1).
        assert_eq!(decay(-1, 1), 0);
        assert_eq!(decay(1, 1), 0);
        // d = 0 is the identity: |x| * 4096 >> 12 = |x|.
        assert_eq!(decay(-12345, 0), -12345);
        assert_eq!(decay(0, 100), 0);
        // d = 4096 (du = 4095 plus one) zeroes anything.
        assert_eq!(decay(-(1 << 23), 4096), 0);
        // 1000 * (4096 - 1) = 4_095_000; 4_095_000 >> 12 = 999 (999.75 truncated).
        assert_eq!(decay(1000, 1), 999);
        assert_eq!(decay(-1000, 1), -999);
    }

    /// The spec's neuron update restated in `i128`, independent of the functions under test.
    fn reference_update(u: i128, v: i128, p: &LifParams, a: i128) -> (i128, i128, bool) {
        let decay = |x: i128, d: i128| x.signum() * ((x.abs() * (4096 - d)) >> 12);
        let mut u2 = decay(u, i128::from(p.du) + 1) + a * 64;
        if u2 > 1 << 23 {
            u2 -= 1 << 24;
        }
        if u2 <= -(1 << 23) {
            u2 += 1 << 24;
        }
        let bias = i128::from(p.bias_mant) * (1 << p.bias_exp);
        let v2 = (decay(v, i128::from(p.dv)) + u2 + bias).clamp(-(1 << 23) + 1, (1 << 23) - 1);
        let spike = v2 > i128::from(p.vth) * 64;
        (u2, if spike { 0 } else { v2 }, spike)
    }

    #[test]
    fn decay_is_exact_at_any_magnitude() {
        // |x| * 4095 needs 75 bits for |x| near 2^63; the old i64 product wrapped above 2^51.
        for x in [
            i64::MAX,
            -i64::MAX,
            1 << 62,
            -(1 << 62),
            (1 << 51) + 12345,
            -(1 << 52) - 1,
        ] {
            for d in [0, 1, 2048, 4095, 4096] {
                let want =
                    i128::from(x).signum() * ((i128::from(x).abs() * (4096 - i128::from(d))) >> 12);
                assert_eq!(i128::from(decay(x, d)), want, "decay({x}, {d})");
            }
        }
    }

    #[test]
    fn lif_update_is_exact_up_to_the_input_limit() {
        // du = dv = 0 lets u grow towards its bound 2^18 * A; start close to it and drive the
        // largest inputs the limit allows, in both directions, checking every tick in i128.
        let p = LifParams {
            du: 0,
            dv: 0,
            vth: VTH_MAX,
            bias_mant: BIAS_MANT_MAX,
            bias_exp: BIAS_EXP_MAX,
        };
        let mut state = LifState {
            u: (1 << 62) - (1 << 40),
            v: V_MAX,
        };
        let (mut u, mut v) = (i128::from(state.u), i128::from(state.v));
        for tick in 0..3000 {
            let a = if tick % 1000 < 600 {
                EXACT_INPUT_LIMIT
            } else {
                -EXACT_INPUT_LIMIT
            };
            let spike = lif_update(&mut state, &p, a);
            let (u2, v2, want_spike) = reference_update(u, v, &p, i128::from(a));
            (u, v) = (u2, v2);
            assert!(
                u.abs() <= 1 << 62,
                "tick {tick}: u = {u} beyond the derived bound"
            );
            assert_eq!(
                (i128::from(state.u), i128::from(state.v), spike),
                (u, v, want_spike),
                "tick {tick}"
            );
        }
    }

    #[test]
    fn du_4095_clears_the_current_in_one_step() {
        let mut state = LifState { u: 1000, v: 0 };
        // u' = decay(1000, 4096) + 0 = 1000 * 0 >> 12 = 0; v' = 0 + 0 + 0 = 0, no spike (0 > 0 is false).
        let spiked = lif_update(&mut state, &params(4095, 0, 0), 0);
        assert_eq!(state, LifState { u: 0, v: 0 });
        assert!(!spiked);
    }

    #[test]
    fn du_is_used_plus_one() {
        // du = 0 still decays: u' = 1000 * (4096 - 1) >> 12 = 999.
        let mut state = LifState { u: 1000, v: 0 };
        lif_update(&mut state, &params(0, 0, 1000), 0);
        assert_eq!(state.u, 999);
        // v' = decay(0, 0) + 999 + 0 = 999.
        assert_eq!(state.v, 999);
    }

    #[test]
    fn dv_0_keeps_the_voltage() {
        // u = 0 and a = 0 so u' = 0; v' = decay(-777, 0) + 0 + 0 = -777 * 4096 >> 12 = -777.
        let mut state = LifState { u: 0, v: -777 };
        lif_update(&mut state, &params(0, 0, 0), 0);
        assert_eq!(state.v, -777);
        let mut state = LifState { u: 0, v: 5000 };
        lif_update(&mut state, &params(0, 0, 100), 0); // 5000 <= 100 * 64 = 6400: no spike
        assert_eq!(state.v, 5000);
    }

    #[test]
    fn wrap_rule_matches_the_spec_text() {
        let two_23 = 8_388_608; // 2^23
        let two_24 = 16_777_216; // 2^24
        assert_eq!(wrap_u(two_23), two_23); // not > 2^23: kept
        assert_eq!(wrap_u(two_23 + 1), two_23 + 1 - two_24); // = -2^23 + 1
        assert_eq!(wrap_u(two_23 + 1), -8_388_607);
        assert_eq!(wrap_u(-two_23), -two_23 + two_24); // <= -2^23: becomes +2^23
        assert_eq!(wrap_u(-two_23), 8_388_608);
        assert_eq!(wrap_u(-two_23 + 1), -8_388_607); // kept
        assert_eq!(wrap_u(-two_23 - 1), 8_388_607);
        assert_eq!(wrap_u(0), 0);
    }

    #[test]
    fn current_wraps_inside_lif_update() {
        // u = 2^23 with du = 4095 decays to 0; a = 131073 gives a << 6 = 8_388_672 = 2^23 + 64,
        // which wraps to 2^23 + 64 - 2^24 = -8_388_544.
        let mut state = LifState { u: 0, v: 0 };
        lif_update(&mut state, &params(4095, 4095, 0), 131_073);
        assert_eq!(state.u, -8_388_544);
        // v' = decay(0, 4095) + u' + 0 = -8_388_544, inside the clamp.
        assert_eq!(state.v, -8_388_544);
    }

    #[test]
    fn clamp_is_symmetric() {
        assert_eq!(clamp_v(8_388_607), 8_388_607);
        assert_eq!(clamp_v(8_388_608), 8_388_607);
        assert_eq!(clamp_v(-8_388_607), -8_388_607);
        assert_eq!(clamp_v(-8_388_608), -8_388_607);
        assert_eq!(clamp_v(-100_000_000), -8_388_607);
        // Inside lif_update: u = 2^23 (kept by the wrap) plus bias 4095 << 7 = 524_160 saturates v.
        let mut state = LifState { u: 0, v: 0 };
        let p = LifParams {
            du: 4095,
            dv: 4095,
            vth: VTH_MAX,
            bias_mant: 4095,
            bias_exp: 7,
        };
        // a = 131072: a << 6 = 2^23 exactly, kept. v' = 0 + 8_388_608 + 524_160 -> clamped.
        let spiked = lif_update(&mut state, &p, 131_072);
        assert_eq!(state.u, 8_388_608);
        // 8_388_607 > 131071 * 64 = 8_388_544, so the clamped voltage still spikes and resets.
        assert!(spiked);
        assert_eq!(state.v, 0);
    }

    #[test]
    fn vth_0_spikes_iff_v_is_positive() {
        // Threshold 0 << 6 = 0; v' = 0 + 0 + 1 = 1 > 0: spike, v reset, u not reset.
        let mut p = params(0, 0, 0);
        p.bias_mant = 1;
        let mut state = LifState::default();
        assert!(lif_update(&mut state, &p, 0));
        assert_eq!(state, LifState { u: 0, v: 0 });
        // v' = 0 exactly: 0 > 0 is false, no spike.
        p.bias_mant = 0;
        let mut state = LifState::default();
        assert!(!lif_update(&mut state, &p, 0));
        // a = 1: u' = 0 + 64 = 64, v' = 64 > 0: spike; u stays 64.
        let mut state = LifState::default();
        assert!(lif_update(&mut state, &p, 1));
        assert_eq!(state, LifState { u: 64, v: 0 });
        // a = -1: u' = -64, v' = -64: no spike.
        let mut state = LifState::default();
        assert!(!lif_update(&mut state, &p, -1));
        assert_eq!(state, LifState { u: -64, v: -64 });
    }

    #[test]
    fn threshold_is_strict() {
        // vth = 1: threshold 64. a = 1 gives v' = 64, not > 64; a = 2 gives 128 > 64.
        let p = params(4095, 4095, 1);
        let mut state = LifState::default();
        assert!(!lif_update(&mut state, &p, 1));
        let mut state = LifState::default();
        assert!(lif_update(&mut state, &p, 2));
    }

    #[test]
    fn bias_and_threshold_scaling() {
        let p = LifParams {
            du: 0,
            dv: 0,
            vth: 3,
            bias_mant: -5,
            bias_exp: 3,
        };
        assert_eq!(p.bias(), -40); // -5 * 2^3
        assert_eq!(p.threshold(), 192); // 3 * 2^6
    }

    #[test]
    fn negative_weight_exp_floors() {
        // floor(-1 / 256) = -1, floor(-256 / 256) = -1, floor(-257 / 256) = -2, floor(255 / 256) = 0.
        assert_eq!(shift_exp(-1, -8), -1);
        assert_eq!(shift_exp(-256, -8), -1);
        assert_eq!(shift_exp(-257, -8), -2);
        assert_eq!(shift_exp(255, -8), 0);
        assert_eq!(shift_exp(256, -8), 1);
        assert_eq!(shift_exp(0, -8), 0);
        // Positive exponents multiply: -3 * 2^7 = -384.
        assert_eq!(shift_exp(-3, 7), -384);
        assert_eq!(shift_exp(5, 0), 5);
    }

    #[test]
    fn twos_complement_round_trips_at_the_extremes() {
        // 8 bits: -128 = 0x80, 127 = 0x7f, -1 = 0xff.
        assert_eq!(to_twos(-128, 8), 0x80);
        assert_eq!(to_twos(127, 8), 0x7f);
        assert_eq!(to_twos(-1, 8), 0xff);
        assert_eq!(from_twos(0x80, 8), -128);
        assert_eq!(from_twos(0x7f, 8), 127);
        assert_eq!(from_twos(0xff, 8), -1);
        // 25 bits (the width of u): -2^24 = 0x100_0000, 2^24 - 1 = 0x0ff_ffff.
        assert_eq!(to_twos(-(1 << 24), 25), 0x100_0000);
        assert_eq!(to_twos((1 << 24) - 1, 25), 0x0ff_ffff);
        assert_eq!(from_twos(0x100_0000, 25), -(1 << 24));
        assert_eq!(from_twos(0x0ff_ffff, 25), (1 << 24) - 1);
        // 1 bit: the only values are 0 and -1.
        assert_eq!(to_twos(-1, 1), 1);
        assert_eq!(from_twos(1, 1), -1);
        assert_eq!(from_twos(0, 1), 0);
        // 64 bits: the full i64 range.
        assert_eq!(to_twos(i64::MIN, 64), 0x8000_0000_0000_0000);
        assert_eq!(from_twos(0x8000_0000_0000_0000, 64), i64::MIN);
        assert_eq!(to_twos(i64::MAX, 64), 0x7fff_ffff_ffff_ffff);
        assert_eq!(from_twos(0x7fff_ffff_ffff_ffff, 64), i64::MAX);
        // Bits above the field are ignored when decoding: 0x1_80 in 8 bits is 0x80 = -128.
        assert_eq!(from_twos(0x180, 8), -128);
        // Every 13-bit value (bias_mant's width) survives the round trip.
        for x in BIAS_MANT_MIN..=BIAS_MANT_MAX {
            assert_eq!(from_twos(to_twos(x, 13), 13), x);
        }
    }
}
