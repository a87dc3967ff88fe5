//! The crossbar's analog-to-digital conversion, defined once: the quantizer that a successive
//! approximation (SAR) ADC implements, used by the golden model and checked against the
//! rust-hdl SAR controller ([`crate::rtl::sar_adc`]).
//!
//! # The quantizer
//! A `b`-bit ADC with full scale `2^b` LSB returns, for an input of `x` LSB,
//! ```text
//! code(x) = clamp(floor(x), 0, 2^b - 1)
//! ```
//! which is what a SAR converter with an ideal comparator and a DAC of `code` LSB produces:
//! bit `k` (MSB first) is kept when `x >= trial`, `trial` being the bits kept so far with bit `k`
//! set. At `x = c` exactly the comparator says "not below", so `code(c) = c` (floor, not round);
//! negative inputs give 0 and inputs at or above `2^b - 1` give `2^b - 1`.

/// `code(x)` for an input of `x` LSB on a `bits`-bit converter (`1 <= bits <= 16`); `NaN` is
/// treated as 0 (a comparator never says "not below" for it).
pub fn sar_code(x_lsb: f64, bits: u32) -> u32 {
    assert!((1..=16).contains(&bits), "ADC width {bits} out of 1..=16");
    let max = (1u32 << bits) - 1;
    if x_lsb.is_nan() || x_lsb < 0.0 {
        0
    } else if x_lsb >= f64::from(max) {
        max
    } else {
        x_lsb.floor() as u32
    }
}

/// The same conversion done the SAR way, one comparison per bit with `comparator(trial) = x >=
/// trial`: the reference the hardware block is held to, and a check of [`sar_code`].
pub fn sar_by_comparisons(bits: u32, mut comparator: impl FnMut(u32) -> bool) -> u32 {
    (0..bits).rev().fold(0, |code, k| {
        let trial = code | (1 << k);
        if comparator(trial) {
            trial
        } else {
            code
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floor_and_clamp() {
        assert_eq!(sar_code(0.0, 8), 0);
        assert_eq!(sar_code(0.999, 8), 0);
        assert_eq!(sar_code(1.0, 8), 1);
        assert_eq!(sar_code(254.5, 8), 254);
        assert_eq!(sar_code(255.0, 8), 255);
        assert_eq!(sar_code(1e9, 8), 255);
        assert_eq!(sar_code(-0.5, 8), 0);
        assert_eq!(sar_code(f64::NAN, 8), 0);
        assert_eq!(sar_code(3.7, 2), 3);
    }

    #[test]
    fn successive_approximation_is_the_quantizer_at_every_level() {
        for bits in 1..=10 {
            let max = (1u32 << bits) as f64;
            let mut x = -2.0;
            while x < max + 2.0 {
                let by_sar = sar_by_comparisons(bits, |trial| x >= f64::from(trial));
                assert_eq!(by_sar, sar_code(x, bits), "x = {x}, {bits} bits");
                x += 0.25;
            }
        }
    }
}
