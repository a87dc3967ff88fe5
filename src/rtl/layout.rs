//! Bit layouts of the neurocore's memory words and configuration port.
//!
//! This file is plain Rust (no rust-hdl): the mapper packs words with it, the engines unpack
//! state with it, and the RTL blocks slice the same fields at the same offsets. Every layout
//! is little-endian within the word (field 0 in the lowest bits).

use crate::fixed::{from_twos, to_twos};

/// Weights per synapse word: one synapse SRAM read feeds this many neurons.
pub const WEIGHTS_PER_WORD: usize = 4;
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
/// Width of a neuron state word: `u` in bits 0..25, `v` in bits 25..49.
pub const STATE_BITS: u32 = U_BITS + V_BITS;
/// Width of parameter word A: `u_factor` (12) | `v_factor` (13) | 3 slot shifts (4 each).
pub const PARAM_A_BITS: u32 = 37;
/// Width of parameter word B: `bias` (20, two's complement) | `threshold` (23).
pub const PARAM_B_BITS: u32 = 43;
/// Width of an axon descriptor: first group (16) | last group (16) | slot (2) | pre-shift (3).
pub const AXON_META_BITS: u32 = 37;
/// Bits of `bias = bias_mant << bias_exp`: |4096 << 7| = 2^19, so 20 bits two's complement.
pub const BIAS_BITS: u32 = 20;
/// Bits of `threshold = vth << 6`: 131071 * 64 < 2^23.
pub const THRESHOLD_BITS: u32 = 23;

/// Targets of the configuration write port (`cfg_target`).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum CfgTarget {
    /// Synapse word at address `axon * groups + group`.
    Synapse = 0,
    /// Axon descriptor at address `axon`.
    AxonMeta = 1,
    /// Parameter word A of a neuron.
    ParamA = 2,
    /// Parameter word B of a neuron.
    ParamB = 3,
    /// Neuron state word (u, v).
    State = 4,
    /// Number of neurons the update phase visits (`0..=neurons`).
    NeuronCount = 5,
    /// Command: zero every neuron state and accumulator, empty the event queue.
    Clear = 6,
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
    /// Packs parameter word A.
    pub fn param_a(&self) -> u64 {
        let mut word = self.u_factor | (self.v_factor << 12);
        for (slot, shift) in self.slot_shifts.iter().enumerate() {
            word |= shift << (25 + 4 * slot);
        }
        word
    }

    /// Packs parameter word B.
    pub fn param_b(&self) -> u64 {
        to_twos(self.bias, BIAS_BITS) | (self.threshold << BIAS_BITS)
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
    /// Packs the descriptor.
    pub fn pack(&self) -> u64 {
        self.first_group | (self.last_group << 16) | (self.slot << 32) | (self.pre_shift << 34)
    }
}

/// Packs a neuron state word.
pub fn pack_state(u: i64, v: i64) -> u64 {
    to_twos(u, U_BITS) | (to_twos(v, V_BITS) << U_BITS)
}

/// Unpacks a neuron state word into `(u, v)`.
pub fn unpack_state(word: u64) -> (i64, i64) {
    let u = from_twos(word & ((1 << U_BITS) - 1), U_BITS);
    let v = from_twos((word >> U_BITS) & ((1 << V_BITS) - 1), V_BITS);
    (u, v)
}

/// Packs `WEIGHTS_PER_WORD` signed weights into a synapse word (lane 0 lowest).
pub fn pack_synapse_word(weights: [i64; WEIGHTS_PER_WORD]) -> u64 {
    weights.iter().enumerate().fold(0, |word, (lane, &w)| {
        word | (to_twos(w, WEIGHT_BITS) << (WEIGHT_BITS as usize * lane))
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
            assert_eq!(unpack_state(pack_state(u, v)), (u, v));
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
        assert_eq!(word.param_a(), 4095 | (4096 << 12) | (1 << 25) | (8 << 29));
        assert_eq!(word.param_b(), 0xfffff | (((1 << 23) - 1) << 20));
    }
}
