//! Bit layouts of the neurocore's memory words and configuration port.
//!
//! This file is plain Rust (no rust-hdl): the mapper packs words with it, the engines unpack
//! state with it, and the RTL blocks slice the same fields at the same offsets. Every layout
//! is little-endian within the word (field 0 in the lowest bits).
//!
//! No word is wider than 32 bits. That is a hardware choice (32 bits is two iCE40 EBRs or one
//! ECP5 DP16KD pair side by side, and a natural host-link word) and a simulation one: rust-hdl
//! keeps `Bits<N>` with `N <= 32` in a machine word but wider ones as `[bool; N]`, which is an
//! order of magnitude slower to simulate.

use super::regmap;
use crate::fixed::{from_twos, to_twos};

/// Weights per synapse word: one synapse SRAM read feeds this many neurons (defined with the
/// core shapes, which count synapse groups with it).
pub use crate::shape::WEIGHTS_PER_WORD;
/// Width of one signed weight in the synapse SRAM.
pub const WEIGHT_BITS: u32 = 8;
/// Width of a synapse word (`WEIGHTS_PER_WORD` weights, lane `i` at bits `8i..8i+8`).
pub const SYNAPSE_WORD_BITS: u32 = WEIGHT_BITS * WEIGHTS_PER_WORD as u32;
/// Number of synaptic-input accumulator slots per neuron. Slot 0 sums every projection with
/// `weight_exp >= 0` (weights are pre-shifted left, which is exact); slots 1.. each hold the
/// raw sum of one projection with `weight_exp < 0`, shifted right (floor) only once the tick's
/// events are in, because the spec floors each projection's *sum*, not each weight.
pub const ACC_SLOTS: usize = 4;
/// Width of one accumulator lane (two's complement). Bound: 512 axons x 128 x 2^7 = 2^23 in
/// magnitude, so 24 bits never overflow for up to 512 axons.
pub const ACC_BITS: u32 = 24;
/// Width of the stored current `u` (two's complement). The spec's wrap keeps `u` in
/// (-2^23, +2^23], and +2^23 needs 25 bits.
pub const U_BITS: u32 = 25;
/// Width of the stored voltage `v` (two's complement); clamped to +-(2^23 - 1).
pub const V_BITS: u32 = 24;
/// Width of the decay parameter word: `u_factor` (12) | `v_factor` (13).
pub const PARAM_DECAY_BITS: u32 = 25;
/// Width of the bias/shift parameter word: `bias` (20, two's complement) | 3 slot shifts (4 each).
pub const PARAM_BIAS_SHIFT_BITS: u32 = 32;
/// Width of the threshold parameter word (`vth << 6`: 131071 * 64 < 2^23).
pub const THRESHOLD_BITS: u32 = 23;
/// Width of a group index in an axon descriptor: at most 256 groups, i.e. 1024 neurons.
pub const GROUP_FIELD_BITS: u32 = 8;
/// Width of an axon descriptor: first group (8) | last group (8) | slot (2) | pre-shift (3).
pub const AXON_META_BITS: u32 = 2 * GROUP_FIELD_BITS + 2 + 3;
/// Bits of `bias = bias_mant << bias_exp`: |4096 << 7| = 2^19, so 20 bits two's complement.
pub const BIAS_BITS: u32 = 20;
/// Width of the configuration port's data bus (the register map's, as a port width).
pub const CFG_DATA_BITS: u32 = regmap::CFG_DATA_WIDTH as u32;
/// Width of the configuration port's target selector (the register map's, as a port width).
pub const CFG_TARGET_BITS: u32 = regmap::CFG_TARGET_WIDTH as u32;
/// Width of the configuration port's word address (the register map's, as a port width).
pub const CFG_ADDR_BITS: u32 = regmap::CFG_ADDR_WIDTH as u32;

/// Targets of the configuration write port (`cfg_target`): declared in the register map,
/// re-exported here where the word layouts are.
pub use super::regmap::CfgTarget;

/// One write on the configuration port.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct ConfigWrite {
    /// Memory or register written.
    pub target: CfgTarget,
    /// Word address within the target (below `2^CFG_ADDR_BITS`).
    pub addr: u32,
    /// Data (the target's width, zero-extended to 32 bits).
    pub data: u32,
}

/// Derived, hardware-ready parameters of one neuron.
///
/// The decay factors are precomputed so the datapath multiplies without subtracting:
/// `decay(x, d) = sign(x) * ((|x| * (4096 - d)) >> 12)`; for `u` the spec uses `d = du + 1`,
/// so `u_factor = 4095 - du` (0..=4095, 12 bits), and `v_factor = 4096 - dv` (1..=4096, 13 bits).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct NeuronWord {
    /// `4095 - du`.
    pub u_factor: u64,
    /// `4096 - dv`.
    pub v_factor: u64,
    /// Right shift (0..=8) applied to accumulator slots 1, 2, 3 (slot 0 is never shifted).
    pub slot_shifts: [u64; ACC_SLOTS - 1],
    /// `bias_mant << bias_exp`.
    pub bias: i64,
    /// `vth << 6`.
    pub threshold: u64,
}

impl NeuronWord {
    /// Packs the decay word: `u_factor` in bits 0..12, `v_factor` in bits 12..25.
    pub fn param_decay(&self) -> u32 {
        (self.u_factor | (self.v_factor << 12)) as u32
    }

    /// Packs the bias/shift word: `bias` in bits 0..20, slot `k`'s shift in bits
    /// `20 + 4k .. 24 + 4k`.
    pub fn param_bias_shift(&self) -> u32 {
        let mut word = to_twos(self.bias, BIAS_BITS);
        for (slot, shift) in self.slot_shifts.iter().enumerate() {
            word |= shift << (BIAS_BITS as usize + 4 * slot);
        }
        word as u32
    }

    /// The threshold word.
    pub fn param_threshold(&self) -> u32 {
        self.threshold as u32
    }
}

/// Descriptor of one axon: which synapse groups its row covers and how its weights enter the
/// accumulators.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct AxonWord {
    /// First synapse group (of `WEIGHTS_PER_WORD` neurons) the axon's row touches.
    pub first_group: u64,
    /// Last synapse group (inclusive).
    pub last_group: u64,
    /// Accumulator slot its weights go to.
    pub slot: u64,
    /// Left shift applied to each weight before accumulation (slot 0 only; 0 otherwise).
    pub pre_shift: u64,
}

impl AxonWord {
    /// Packs the descriptor: first group in bits 0..8, last group 8..16, slot 16..18,
    /// pre-shift 18..21.
    pub fn pack(&self) -> u32 {
        (self.first_group
            | (self.last_group << GROUP_FIELD_BITS)
            | (self.slot << (2 * GROUP_FIELD_BITS))
            | (self.pre_shift << (2 * GROUP_FIELD_BITS + 2))) as u32
    }

    /// Unpacks a descriptor packed by [`AxonWord::pack`].
    pub fn unpack(word: u32) -> AxonWord {
        let word = word as u64;
        let group_mask = (1 << GROUP_FIELD_BITS) - 1;
        AxonWord {
            first_group: word & group_mask,
            last_group: (word >> GROUP_FIELD_BITS) & group_mask,
            slot: (word >> (2 * GROUP_FIELD_BITS)) & 0b11,
            pre_shift: (word >> (2 * GROUP_FIELD_BITS + 2)) & 0b111,
        }
    }

    /// Synapse groups (words) the axon's row spans.
    pub fn groups(&self) -> u64 {
        self.last_group - self.first_group + 1
    }
}

/// Encodes `u` as its stored word.
pub fn pack_u(u: i64) -> u32 {
    to_twos(u, U_BITS) as u32
}

/// Encodes `v` as its stored word.
pub fn pack_v(v: i64) -> u32 {
    to_twos(v, V_BITS) as u32
}

/// Decodes a stored `u` word.
pub fn unpack_u(word: u64) -> i64 {
    from_twos(word & ((1 << U_BITS) - 1), U_BITS)
}

/// Decodes a stored `v` word.
pub fn unpack_v(word: u64) -> i64 {
    from_twos(word & ((1 << V_BITS) - 1), V_BITS)
}

/// Packs `WEIGHTS_PER_WORD` signed weights into a synapse word (lane 0 lowest).
pub fn pack_synapse_word(weights: [i64; WEIGHTS_PER_WORD]) -> u32 {
    weights.iter().enumerate().fold(0, |word, (lane, &w)| {
        word | ((to_twos(w, WEIGHT_BITS) as u32) << (WEIGHT_BITS as usize * lane))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_round_trips_at_extremes() {
        for (u, v) in [
            (1 << 23, (1 << 23) - 1),
            (-(1 << 23), -((1 << 23) - 1)),
            (0, 0),
            (-1, -1),
        ] {
            assert_eq!(unpack_u(pack_u(u) as u64), u);
            assert_eq!(unpack_v(pack_v(v) as u64), v);
        }
    }

    #[test]
    fn synapse_word_lanes_are_little_endian() {
        assert_eq!(pack_synapse_word([1, -1, 127, -128]), 0x807f_ff01);
    }

    #[test]
    fn param_words_place_fields() {
        let word = NeuronWord {
            u_factor: 4095,
            v_factor: 4096,
            slot_shifts: [1, 8, 0],
            bias: -1,
            threshold: (1 << 23) - 1,
        };
        assert_eq!(word.param_decay(), 4095 | (4096 << 12));
        assert_eq!(word.param_bias_shift(), 0xfffff | (1 << 20) | (8 << 24));
        assert_eq!(word.param_threshold(), (1 << 23) - 1);
    }

    #[test]
    fn axon_word_places_fields() {
        let word = AxonWord {
            first_group: 0xab,
            last_group: 0xcd,
            slot: 3,
            pre_shift: 7,
        };
        assert_eq!(word.pack(), 0xab | (0xcd << 8) | (3 << 16) | (7 << 18));
        assert!(word.pack() < 1 << AXON_META_BITS);
        assert_eq!(AxonWord::unpack(word.pack()), word);
    }
}
