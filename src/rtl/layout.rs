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
use crate::fixed::stdp::{SignMode, StdpRule};
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

// ---- The learning synapse stage (`StdpSynapses`, spec §5).
//
// Weights of a learning core are 9-bit two's complement (mixed mode reaches -256..=255): the
// low 8 bits of each lane stay in the 32-bit synapse word (the same word and address as a
// plain core's), the ninth bit of each lane in a 4-bit plane beside it (`SynapseHigh`). A
// `Synapse` write sets the plane to the lanes' sign bits, so a plain 8-bit word written as on
// any core means the same weights; learning projections write their plane after the word. Why
// a plane and not sign-mode magnitude codes: the port and the rule then see one encoding for
// every axon (plain or learning, any mode), and no memory word grows past 32 bits.

/// Width of a weight of the learning stage (two's complement, `-256..=255`).
pub const LEARN_WEIGHT_BITS: u32 = 9;
/// Width of a synapse-high word: the ninth bit of each of the `WEIGHTS_PER_WORD` lanes.
pub const SYNAPSE_HIGH_BITS: u32 = WEIGHTS_PER_WORD as u32;
/// Width of a pre or post trace (spec §5: 7-bit unsigned).
pub const TRACE_BITS: u32 = 7;
/// Learning rules (register sets and post-trace memories) of a learning stage: one per
/// learning projection whose target population the core holds.
pub const LEARN_RULES: usize = 4;
/// Width of a rule index.
pub const RULE_INDEX_BITS: u32 = 2;
/// Width of a learning-axon word (see [`LearnAxonWord::pack`]).
pub const LEARN_AXON_BITS: u32 = 31;
/// Width of a post-trace word: the traces of one rule for the 4 neurons of a group.
pub const POST_TRACE_WORD_BITS: u32 = TRACE_BITS * WEIGHTS_PER_WORD as u32;
/// Words per rule in the `LearnRule` target: [`LearnRuleWords::decays`] at address
/// `2 * rule`, [`LearnRuleWords::rates`] at `2 * rule + 1`.
pub const LEARN_RULE_WORDS: usize = 2;
/// Width of a rule word.
pub const LEARN_RULE_WORD_BITS: u32 = 30;
/// Width of the learning control word (see [`LearnControl::pack`]).
pub const LEARN_CONTROL_BITS: u32 = 32;
/// Width of the crossbar core's settle register (`CfgTarget::XbarSettle`).
pub const XBAR_SETTLE_BITS: usize = 8;
/// Offset of `a_*_exp` in its stored shift field: `shift = exp + 7` (`0..=15`).
pub const RATE_SHIFT_OFFSET: i64 = crate::fixed::stdp::WEIGHT_FRACTION_BITS as i64;

/// Sign-mode codes in a rule word: the one table of them.
pub fn sign_mode_code(mode: SignMode) -> u64 {
    match mode {
        SignMode::Excitatory => 0,
        SignMode::Mixed => 1,
        SignMode::Inhibitory => 2,
    }
}

/// Per-axon word of the learning stage: whether the axon learns, with which rule, which lanes
/// of its row are synapses of its projection, and its pre trace. Plain axons have `learning`
/// false (the other fields unused).
///
/// The lane bounds exist because populations take consecutive neurons not aligned to groups
/// of 4: the first and last group of a row may hold neurons of other populations, whose
/// weights from this axon are 0 and must stay 0.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct LearnAxonWord {
    /// First group of the axon's row (as in its [`AxonWord`]).
    pub first_group: u64,
    /// Last group of the row.
    pub last_group: u64,
    /// First lane of the first group that is a synapse (`target_first_neuron % 4`).
    pub first_lane: u64,
    /// Last lane of the last group that is a synapse (`target_last_neuron % 4`).
    pub last_lane: u64,
    /// Learning rule (`0..LEARN_RULES`).
    pub rule: u64,
    /// The axon belongs to a learning projection.
    pub learning: bool,
    /// Pre trace `x`, `0..=127`.
    pub x: u64,
    /// Stage-internal: the axon's pre event of this tick has been learned (cleared by the
    /// window). 0 when loading.
    pub pre_done: bool,
}

impl LearnAxonWord {
    /// Packs the word: first group bits 0..8, last group 8..16, first lane 16..18, last lane
    /// 18..20, rule 20..22, learning 22, `x` 23..30, pre-done 30.
    pub fn pack(&self) -> u32 {
        (self.first_group
            | (self.last_group << 8)
            | (self.first_lane << 16)
            | (self.last_lane << 18)
            | (self.rule << 20)
            | (u64::from(self.learning) << 22)
            | (self.x << 23)
            | (u64::from(self.pre_done) << 30)) as u32
    }

    /// Unpacks a word packed by [`LearnAxonWord::pack`].
    pub fn unpack(word: u32) -> LearnAxonWord {
        let word = u64::from(word);
        LearnAxonWord {
            first_group: word & 0xff,
            last_group: (word >> 8) & 0xff,
            first_lane: (word >> 16) & 0b11,
            last_lane: (word >> 18) & 0b11,
            rule: (word >> 20) & 0b11,
            learning: (word >> 22) & 1 == 1,
            x: (word >> 23) & 0x7f,
            pre_done: (word >> 30) & 1 == 1,
        }
    }
}

/// A rule's two words in the `LearnRule` target.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct LearnRuleWords {
    /// `x_decay` bits 0..12, `y_decay` 12..24, sign mode 24..26 ([`sign_mode_code`]).
    pub decays: u32,
    /// `x_impulse` bits 0..7, `y_impulse` 7..14, `a_minus_mant` 14..18 (two's complement),
    /// `a_minus_exp + 7` 18..22, `a_plus_mant` 22..26, `a_plus_exp + 7` 26..30.
    pub rates: u32,
}

impl LearnRuleWords {
    /// The words of `rule`.
    pub fn of(rule: &StdpRule) -> LearnRuleWords {
        let decays = rule.x_decay as u64
            | ((rule.y_decay as u64) << 12)
            | (sign_mode_code(rule.sign_mode) << 24);
        let rates = rule.x_impulse as u64
            | ((rule.y_impulse as u64) << 7)
            | (to_twos(rule.a_minus_mant, 4) << 14)
            | (((rule.a_minus_exp + RATE_SHIFT_OFFSET) as u64) << 18)
            | (to_twos(rule.a_plus_mant, 4) << 22)
            | (((rule.a_plus_exp + RATE_SHIFT_OFFSET) as u64) << 26);
        LearnRuleWords {
            decays: decays as u32,
            rates: rates as u32,
        }
    }
}

/// The learning stage's control register.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default)]
pub struct LearnControl {
    /// The learning window visits axons `0..axon_limit` (every learning axon is below it; the
    /// mapper places learning axons first).
    pub axon_limit: u64,
    /// Groups whose post traces the window updates (`⌈used neurons / 4⌉`).
    pub groups: u64,
    /// Rules in use (`0..=LEARN_RULES`): the window updates the post traces of these.
    pub rules: u64,
}

impl LearnControl {
    /// Packs the word: axon limit bits 0..12, groups 12..24, rules 24..27.
    pub fn pack(&self) -> u32 {
        (self.axon_limit | (self.groups << 12) | (self.rules << 24)) as u32
    }

    /// Unpacks a word packed by [`LearnControl::pack`].
    pub fn unpack(word: u32) -> LearnControl {
        let word = u64::from(word);
        LearnControl {
            axon_limit: word & 0xfff,
            groups: (word >> 12) & 0xfff,
            rules: (word >> 24) & 0b111,
        }
    }
}

/// Splits 4 learning-stage weights (`-256..=255`) into the synapse word (low 8 bits of each
/// lane) and the synapse-high word (bit 8 of lane `i` at bit `i`).
pub fn pack_learning_weights(weights: [i64; WEIGHTS_PER_WORD]) -> (u32, u32) {
    weights
        .iter()
        .enumerate()
        .fold((0, 0), |(low, high), (lane, &w)| {
            let bits = to_twos(w, LEARN_WEIGHT_BITS);
            (
                low | (((bits & 0xff) as u32) << (WEIGHT_BITS as usize * lane)),
                high | (((bits >> 8) as u32) << lane),
            )
        })
}

/// The 4 weights of a synapse word and its synapse-high word.
pub fn unpack_learning_weights(low: u32, high: u32) -> [i64; WEIGHTS_PER_WORD] {
    std::array::from_fn(|lane| {
        let bits = u64::from((low >> (WEIGHT_BITS as usize * lane)) & 0xff)
            | (u64::from((high >> lane) & 1) << 8);
        from_twos(bits, LEARN_WEIGHT_BITS)
    })
}

/// Packs the post traces of one rule for a group's 4 neurons (lane `i` at bits `7i..7i+7`).
pub fn pack_post_traces(traces: [i64; WEIGHTS_PER_WORD]) -> u32 {
    traces.iter().enumerate().fold(0, |word, (lane, &y)| {
        word | ((y as u32) << (TRACE_BITS as usize * lane))
    })
}

/// The 4 traces of a post-trace word.
pub fn unpack_post_traces(word: u32) -> [i64; WEIGHTS_PER_WORD] {
    std::array::from_fn(|lane| i64::from((word >> (TRACE_BITS as usize * lane)) & 0x7f))
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

    #[test]
    fn learning_words_round_trip() {
        let word = LearnAxonWord {
            first_group: 0xab,
            last_group: 0xcd,
            first_lane: 1,
            last_lane: 2,
            rule: 3,
            learning: true,
            x: 127,
            pre_done: true,
        };
        assert!(u64::from(word.pack()) < 1 << LEARN_AXON_BITS);
        assert_eq!(LearnAxonWord::unpack(word.pack()), word);
        let control = LearnControl {
            axon_limit: 512,
            groups: 256,
            rules: 4,
        };
        assert_eq!(LearnControl::unpack(control.pack()), control);
        for weights in [[-256, 255, -1, 0], [128, -129, 1, -2]] {
            let (low, high) = pack_learning_weights(weights);
            assert!(high < 1 << SYNAPSE_HIGH_BITS);
            assert_eq!(unpack_learning_weights(low, high), weights);
        }
        // -256 = 1_0000_0000: low byte 0, ninth bit 1; 255: low 0xff, ninth 0.
        assert_eq!(pack_learning_weights([-256, 255, 0, 0]), (0xff00, 0b01));
        let traces = [127, 0, 5, 64];
        assert!(pack_post_traces(traces) < 1 << POST_TRACE_WORD_BITS);
        assert_eq!(unpack_post_traces(pack_post_traces(traces)), traces);
    }

    #[test]
    fn rule_words_place_fields() {
        let rule = StdpRule {
            sign_mode: SignMode::Inhibitory,
            x_impulse: 127,
            x_decay: 4095,
            y_impulse: 1,
            y_decay: 1,
            a_plus_mant: -8,
            a_plus_exp: 8,
            a_minus_mant: 7,
            a_minus_exp: -7,
        };
        let words = LearnRuleWords::of(&rule);
        assert_eq!(words.decays, 4095 | (1 << 12) | (2 << 24));
        assert_eq!(
            words.rates,
            127 | (1 << 7) | (7 << 14) | (0b1000 << 22) | (15 << 26)
        );
        assert!(u64::from(words.rates) < 1 << LEARN_RULE_WORD_BITS);
    }
}
