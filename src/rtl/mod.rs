//! Synthesizable hardware blocks, described with rust-hdl.
//!
//! Everything that touches rust-hdl lives under this module, so that the rest of the crate
//! (model, mapper, engines, CLI) depends only on our own types and the HDL library stays
//! replaceable.

pub mod aer;
pub mod clocked;
pub mod core_sim;
pub mod fanout;
pub mod host;
pub mod layout;
pub mod lif_unit;
pub mod mesh_system;
pub mod neurocore;
pub mod noc;
pub mod noc_sim;
pub mod router;
pub mod system_sim;
pub mod tile;

/// Checks the one patch carried in `vendor/rust-hdl-core` (see `vendor/PATCHES.md`): shifts of
/// `Bits<N>` with `N <= 32` against their arithmetic definition, for every shift amount.
#[cfg(test)]
mod vendored_rust_hdl_tests {
    use rand::{Rng, SeedableRng};
    use rust_hdl::prelude::*;

    fn check_width<const N: usize>() {
        let mask: u128 = (1u128 << N) - 1;
        let mut rng = rand::rngs::StdRng::seed_from_u64(N as u64);
        for _ in 0..200 {
            let x: u64 = rng.gen::<u64>() & mask as u64;
            let value: Bits<N> = x.into();
            for shift in 0..70u64 {
                let expected_shl = if shift >= 64 {
                    0
                } else {
                    ((x as u128) << shift) & mask
                };
                let expected_shr = if shift >= 64 { 0 } else { (x as u128) >> shift };
                assert_eq!(
                    (value << shift).to_u64() as u128,
                    expected_shl,
                    "{x:#x} << {shift} at {N} bits"
                );
                assert_eq!(
                    (value >> shift).to_u64() as u128,
                    expected_shr,
                    "{x:#x} >> {shift} at {N} bits"
                );
                let by_bits: Bits<8> = shift.into();
                assert_eq!((value << by_bits).to_u64() as u128, expected_shl);
                assert_eq!((value >> by_bits).to_u64() as u128, expected_shr);
            }
            if N >= 4 {
                let field: Bits<4> = value.get_bits::<4>(N - 4);
                assert_eq!(field.to_u64(), x >> (N - 4));
            }
        }
    }

    #[test]
    fn short_shifts_match_their_definition() {
        check_width::<1>();
        check_width::<7>();
        check_width::<24>();
        check_width::<31>();
        check_width::<32>();
    }
}
