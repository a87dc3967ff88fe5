//! The register map: every configuration target of the configuration bus (`cfg_write`,
//! `cfg_target`, `cfg_addr`, `cfg_data`), declared once in [`register_map!`] below.
//!
//! Each entry gives the target's code, name, owner block, word width, depth (as a function of
//! the core shape and the fan-out table size), access and meaning. Everything else is derived
//! from it: the [`CfgTarget`] enum with [`CfgTarget::ALL`] and [`CfgTarget::from_code`], the
//! fan-out codes (`rtl::fanout`), the host link's depth ROM ([`depth_table`]), the constants a
//! block compares `cfg_target` against ([`hdl::constant`]) and `docs/register-map.md`
//! ([`doc::register_map_markdown`]).
//!
//! The host-link protocol codes (commands, statuses, sync bytes, ...) have their table in
//! [`protocol`], used by the hardware (`rtl::host::link`) and the host (`host::protocol`).
//!
//! This module is plain Rust (only [`hdl`] touches rust-hdl), so the mapper, the engines and
//! the host can import it.

pub mod doc;
pub mod hdl;
pub mod protocol;

use super::fanout::FLIT_BITS;
use super::layout::{
    AXON_META_BITS, LEARN_AXON_BITS, LEARN_CONTROL_BITS, LEARN_RULES, LEARN_RULE_WORDS,
    LEARN_RULE_WORD_BITS, PARAM_BIAS_SHIFT_BITS, PARAM_DECAY_BITS, POST_TRACE_WORD_BITS,
    SYNAPSE_HIGH_BITS, SYNAPSE_WORD_BITS, THRESHOLD_BITS, U_BITS, V_BITS, WEIGHTS_PER_WORD,
    XBAR_SETTLE_BITS,
};

/// Width of the configuration bus's target selector `cfg_target`: every block's port and
/// every comparison reads it (`Bits<CFG_TARGET_WIDTH>`).
pub const CFG_TARGET_WIDTH: usize = 5;
/// Target codes the selector can carry (`2^CFG_TARGET_WIDTH`); the length of a depth table.
pub const CFG_TARGET_CODES: usize = 1 << CFG_TARGET_WIDTH;
/// Width of the configuration bus's word address `cfg_addr` (the largest memory, the synapse
/// SRAM of a 1024 x 512 core, has 2^17 words).
pub const CFG_ADDR_WIDTH: usize = 24;
/// Width of the configuration bus's data `cfg_data`.
pub const CFG_DATA_WIDTH: usize = 32;

/// The block that decodes a target's writes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// The neurocore's sequencer and datapath.
    Core,
    /// The synapse stage behind the core's synapse port (today the synapse SRAM).
    SynapseStage,
    /// The fan-out unit of a mesh tile (absent from single-core tops).
    Fanout,
}

impl Owner {
    /// Name in the documentation.
    pub fn label(self) -> &'static str {
        match self {
            Owner::Core => "core",
            Owner::SynapseStage => "synapse stage",
            Owner::Fanout => "fan-out",
        }
    }
}

/// What a write to a target does, and whether the target can be read back.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// A write stores `cfg_data` at `cfg_addr`; a read (`cfg_read`, see `rtl::cfg_bus`)
    /// returns the stored word, zero-extended from the target's width.
    ReadWrite,
    /// A write triggers an action (address 0, data ignored); not readable (a read answers 0).
    Command,
}

impl Access {
    /// Name in the documentation.
    pub fn label(self) -> &'static str {
        match self {
            Access::ReadWrite => "read/write",
            Access::Command => "command",
        }
    }

    /// Whether a read returns the target's contents.
    pub fn is_readable(self) -> bool {
        match self {
            Access::ReadWrite => true,
            Access::Command => false,
        }
    }
}

/// Sizes a target's depth depends on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Dims {
    /// Neurons of the core.
    pub neurons: usize,
    /// Axons of the core.
    pub axons: usize,
    /// Entries of the fan-out table; 0 when the design has no fan-out unit.
    pub fanout_entries: usize,
    /// The core's synapse stage learns (`StdpSynapses`): it has the learning targets.
    pub learning: bool,
    /// The core's synapse stage is the memristor crossbar (`CrossbarSynapses`): it has the
    /// crossbar's targets and no synapse SRAM.
    pub crossbar: bool,
}

impl Dims {
    /// A single core without a fan-out unit (the host-link design).
    pub fn core(neurons: usize, axons: usize) -> Dims {
        Dims {
            neurons,
            axons,
            fanout_entries: 0,
            learning: false,
            crossbar: false,
        }
    }

    /// A single learning core (`StdpSynapses` stage) without a fan-out unit.
    pub fn learning_core(neurons: usize, axons: usize) -> Dims {
        Dims {
            learning: true,
            ..Dims::core(neurons, axons)
        }
    }

    /// A single crossbar core (`CrossbarSynapses` stage) without a fan-out unit.
    pub fn crossbar_core(neurons: usize, axons: usize) -> Dims {
        Dims {
            crossbar: true,
            ..Dims::core(neurons, axons)
        }
    }

    /// A mesh tile: a core and a fan-out table of `fanout_entries` entries.
    pub fn tile(neurons: usize, axons: usize, fanout_entries: usize) -> Dims {
        Dims {
            neurons,
            axons,
            fanout_entries,
            learning: false,
            crossbar: false,
        }
    }
}

/// Words addressable in a target, as a function of [`Dims`].
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Depth {
    /// `axons * neurons / WEIGHTS_PER_WORD`: one row of synapse words per axon.
    SynapseWords,
    /// One word per axon.
    PerAxon,
    /// One word per neuron.
    PerNeuron,
    /// A register or command: address 0 only.
    Single,
    /// One word per neuron if the design has a fan-out unit, else the target does not exist.
    PerNeuronWithFanout,
    /// The fan-out table's entries (0 without a fan-out unit).
    FanoutEntries,
    /// As `SynapseWords` on a learning core, else the target does not exist.
    LearningSynapseWords,
    /// One word per axon on a learning core.
    LearningPerAxon,
    /// One word per (rule, synapse group) on a learning core: `rule * neurons / 4 + group`.
    LearningRuleGroups,
    /// `LEARN_RULE_WORDS` words per rule on a learning core.
    LearningRuleWords,
    /// A register of a learning core.
    LearningSingle,
    /// A register of a crossbar core.
    CrossbarSingle,
}

impl Depth {
    /// Words addressable for `dims`; 0 means the target does not exist in that design.
    pub fn words(self, dims: &Dims) -> usize {
        match self {
            // A crossbar core's weights are in the array: it has no synapse SRAM.
            Depth::SynapseWords if dims.crossbar => 0,
            Depth::SynapseWords => dims.axons * (dims.neurons / WEIGHTS_PER_WORD),
            Depth::PerAxon => dims.axons,
            Depth::PerNeuron => dims.neurons,
            Depth::Single => 1,
            Depth::PerNeuronWithFanout if dims.fanout_entries > 0 => dims.neurons,
            Depth::PerNeuronWithFanout => 0,
            Depth::FanoutEntries => dims.fanout_entries,
            Depth::CrossbarSingle if dims.crossbar => 1,
            Depth::CrossbarSingle => 0,
            _ if !dims.learning => 0,
            Depth::LearningSynapseWords => Depth::SynapseWords.words(dims),
            Depth::LearningPerAxon => dims.axons,
            Depth::LearningRuleGroups => LEARN_RULES * (dims.neurons / WEIGHTS_PER_WORD),
            Depth::LearningRuleWords => LEARN_RULES * LEARN_RULE_WORDS,
            Depth::LearningSingle => 1,
        }
    }

    /// Whether the target exists on learning cores only (the `StdpSynapses` stage's).
    pub fn learning_only(self) -> bool {
        matches!(
            self,
            Depth::LearningSynapseWords
                | Depth::LearningPerAxon
                | Depth::LearningRuleGroups
                | Depth::LearningRuleWords
                | Depth::LearningSingle
        )
    }

    /// Whether the target exists on crossbar cores only (the `CrossbarSynapses` stage's).
    pub fn crossbar_only(self) -> bool {
        matches!(self, Depth::CrossbarSingle)
    }

    /// The depth's formula, for the documentation.
    pub fn formula(self) -> &'static str {
        match self {
            Depth::SynapseWords => "axons × neurons / 4 (none on crossbar cores)",
            Depth::PerAxon => "axons",
            Depth::PerNeuron => "neurons",
            Depth::Single => "1",
            Depth::PerNeuronWithFanout => "neurons (mesh tiles only)",
            Depth::FanoutEntries => "fan-out table entries (mesh tiles only)",
            Depth::LearningSynapseWords => "axons × neurons / 4 (learning cores only)",
            Depth::LearningPerAxon => "axons (learning cores only)",
            Depth::LearningRuleGroups => "4 rules × neurons / 4 (learning cores only)",
            Depth::LearningRuleWords => "4 rules × 2 (learning cores only)",
            Depth::LearningSingle => "1 (learning cores only)",
            Depth::CrossbarSingle => "1 (crossbar cores only)",
        }
    }
}

/// Width of the data a target stores.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    /// A fixed number of bits (the low bits of `cfg_data`).
    Bits(usize),
    /// A neuron count `0..=neurons`: `log2(neurons) + 1` bits.
    NeuronCount,
    /// No data (commands).
    None,
}

impl Width {
    /// Bits of `cfg_data` the target uses, for a core of `neurons` neurons.
    pub fn bits(self, neurons: usize) -> usize {
        match self {
            Width::Bits(bits) => bits,
            Width::NeuronCount => neurons.ilog2() as usize + 1,
            Width::None => 0,
        }
    }

    /// The width, for the documentation.
    pub fn label(self) -> String {
        match self {
            Width::Bits(bits) => bits.to_string(),
            Width::NeuronCount => "log2(neurons) + 1".to_string(),
            Width::None => "—".to_string(),
        }
    }
}

/// One row of the register map.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct TargetSpec {
    /// The target.
    pub target: CfgTarget,
    /// Name in the documentation and in error messages.
    pub name: &'static str,
    /// Block that decodes its writes.
    pub owner: Owner,
    /// Word width.
    pub width: Width,
    /// Words addressable.
    pub depth: Depth,
    /// What a write does.
    pub access: Access,
    /// What the target is (also the enum variant's doc comment).
    pub meaning: &'static str,
}

/// Declares the register map: one line per target gives the [`CfgTarget`] variant, its code
/// and its [`TargetSpec`] fields; the macro builds the enum and [`TARGETS`] from them.
macro_rules! register_map {
    ($(
        $variant:ident = $code:literal {
            $name:literal, $owner:ident, $width:expr, $depth:ident, $access:ident,
            $meaning:literal
        }
    ),* $(,)?) => {
        /// Targets of the configuration bus (`cfg_target`), from the register map.
        #[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
        #[repr(u8)]
        pub enum CfgTarget {
            $(
                #[doc = $meaning]
                $variant = $code,
            )*
        }

        impl CfgTarget {
            /// Every target, in table order (ascending codes).
            pub const ALL: [CfgTarget; [$($code),*].len()] = [$(CfgTarget::$variant),*];
        }

        /// The register map: one row per target, in the order of [`CfgTarget::ALL`].
        pub const TARGETS: [TargetSpec; CfgTarget::ALL.len()] = [$(
            TargetSpec {
                target: CfgTarget::$variant,
                name: $name,
                owner: Owner::$owner,
                width: $width,
                depth: Depth::$depth,
                access: Access::$access,
                meaning: $meaning,
            }
        ),*];
    };
}

register_map! {
    Synapse = 0 {
        "SYNAPSE", SynapseStage, Width::Bits(SYNAPSE_WORD_BITS as usize), SynapseWords, ReadWrite,
        "Synapse word (4 signed 8-bit weights, lane i = neuron 4 * group + i) at address \
         `axon * neurons / 4 + group`."
    },
    AxonMeta = 1 {
        "AXON_META", Core, Width::Bits(AXON_META_BITS as usize), PerAxon, ReadWrite,
        "Axon descriptor at address `axon`: first group | last group | slot | pre-shift \
         (`layout::AxonWord`)."
    },
    ParamDecay = 2 {
        "PARAM_DECAY", Core, Width::Bits(PARAM_DECAY_BITS as usize), PerNeuron, ReadWrite,
        "Decay parameter word of a neuron: `u_factor` (12) | `v_factor` (13)."
    },
    ParamBiasShift = 3 {
        "PARAM_BIAS_SHIFT", Core, Width::Bits(PARAM_BIAS_SHIFT_BITS as usize), PerNeuron,
        ReadWrite,
        "Bias and slot-shift parameter word of a neuron: `bias` (20) | 3 slot shifts (4 each)."
    },
    ParamThreshold = 4 {
        "PARAM_THRESHOLD", Core, Width::Bits(THRESHOLD_BITS as usize), PerNeuron, ReadWrite,
        "Threshold parameter word of a neuron (`vth << 6`)."
    },
    StateU = 5 {
        "STATE_U", Core, Width::Bits(U_BITS as usize), PerNeuron, ReadWrite,
        "Current `u` of a neuron (two's complement)."
    },
    StateV = 6 {
        "STATE_V", Core, Width::Bits(V_BITS as usize), PerNeuron, ReadWrite,
        "Voltage `v` of a neuron (two's complement)."
    },
    NeuronCount = 7 {
        "NEURON_COUNT", Core, Width::NeuronCount, Single, ReadWrite,
        "Number of neurons the update phase visits (`0..=neurons`; the host link rejects \
         larger values)."
    },
    Clear = 8 {
        "CLEAR", Core, Width::None, Single, Command,
        "Command: zero every neuron state and accumulator, empty the event queue (busy for \
         about `neurons` cycles)."
    },
    FanoutIndex = 9 {
        "FANOUT_INDEX", Fanout, Width::Bits(32), PerNeuronWithFanout, ReadWrite,
        "Fan-out index word of a core neuron: first table entry (bits 0..16) | entry count \
         (16..32)."
    },
    FanoutEntry = 10 {
        "FANOUT_ENTRY", Fanout, Width::Bits(FLIT_BITS), FanoutEntries, ReadWrite,
        "Fan-out table entry: one AER flit `dx 4 | dy 4 | axon 10 | tag 6`."
    },
    SynapseHigh = 11 {
        "SYNAPSE_HIGH", SynapseStage, Width::Bits(SYNAPSE_HIGH_BITS as usize),
        LearningSynapseWords, ReadWrite,
        "Learning core: bit 8 of the 9-bit weight of each lane (lane i at bit i) of the synapse          word at the same address; a `SYNAPSE` write sets it to the lanes' sign bits          (`layout::pack_learning_weights`)."
    },
    LearnAxon = 12 {
        "LEARN_AXON", SynapseStage, Width::Bits(LEARN_AXON_BITS as usize), LearningPerAxon,
        ReadWrite,
        "Learning core: per-axon word at address `axon`: first group | last group | first lane          | last lane | rule | learning | pre trace `x` | pre-done (`layout::LearnAxonWord`)."
    },
    PostTrace = 13 {
        "POST_TRACE", SynapseStage, Width::Bits(POST_TRACE_WORD_BITS as usize),
        LearningRuleGroups, ReadWrite,
        "Learning core: post traces `y` (7 bits per lane) of one rule for the 4 neurons of a          group, at address `rule * neurons / 4 + group`."
    },
    LearnRule = 14 {
        "LEARN_RULE", SynapseStage, Width::Bits(LEARN_RULE_WORD_BITS as usize),
        LearningRuleWords, ReadWrite,
        "Learning core: rule parameters, decays at address `2 * rule`, impulses and rates at          `2 * rule + 1` (`layout::LearnRuleWords`)."
    },
    LearnControl = 15 {
        "LEARN_CONTROL", SynapseStage, Width::Bits(LEARN_CONTROL_BITS as usize),
        LearningSingle, ReadWrite,
        "Learning core: axons the learning window visits | groups | rules in use          (`layout::LearnControl`)."
    },
    XbarSettle = 16 {
        "XBAR_SETTLE", SynapseStage, Width::Bits(XBAR_SETTLE_BITS), CrossbarSingle,
        ReadWrite,
        "Crossbar core: cycles the latched rows are driven before the columns are sampled          (`1..=255`; 0 acts as 1); the mapper writes `rtl::crossbar_synapses::SETTLE_CYCLES`."
    },
}

// Every code fits the selector and codes are ascending (so they are distinct): checked when
// the crate compiles.
const _: () = {
    let mut i = 0;
    while i < TARGETS.len() {
        assert!((TARGETS[i].target as usize) < CFG_TARGET_CODES);
        assert!(i == 0 || (TARGETS[i - 1].target as u8) < (TARGETS[i].target as u8));
        i += 1;
    }
};

impl CfgTarget {
    /// The target's code on `cfg_target`.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The target with code `code`, if any.
    pub fn from_code(code: u8) -> Option<CfgTarget> {
        CfgTarget::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The target's row of the register map.
    pub fn spec(self) -> &'static TargetSpec {
        TARGETS
            .iter()
            .find(|spec| spec.target == self)
            .expect("every CfgTarget has a row (the macro builds both)")
    }

    /// Words addressable in this target for `dims` (0: the design has no such target).
    pub fn depth(self, dims: &Dims) -> u32 {
        self.spec().depth.words(dims) as u32
    }

    /// Whether a configuration read returns the target's contents.
    pub fn is_readable(self) -> bool {
        self.spec().access.is_readable()
    }

    /// The bits a word of this target keeps, for a core of `neurons` neurons: a read returns
    /// a written word masked with it.
    pub fn data_mask(self, neurons: usize) -> u32 {
        match self.spec().width.bits(neurons) {
            0 => 0,
            bits => u32::MAX >> (CFG_DATA_WIDTH - bits),
        }
    }
}

/// Words addressable per target code for `dims`: the host link's depth ROM. Codes without a
/// target, and targets the design lacks, have depth 0.
pub fn depth_table(dims: &Dims) -> [u32; CFG_TARGET_CODES] {
    let mut depths = [0; CFG_TARGET_CODES];
    for target in CfgTarget::ALL {
        depths[target.code() as usize] = target.depth(dims);
    }
    depths
}

/// Per target code: whether the design for `dims` has the target and a configuration read
/// returns its contents (the host link's READ check; commands are not readable).
pub fn readable_table(dims: &Dims) -> [bool; CFG_TARGET_CODES] {
    let mut readable = [false; CFG_TARGET_CODES];
    for target in CfgTarget::ALL {
        readable[target.code() as usize] = target.depth(dims) > 0 && target.is_readable();
    }
    readable
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_fit_the_port() {
        for target in CfgTarget::ALL {
            assert_eq!(CfgTarget::from_code(target.code()), Some(target));
            assert!((target.code() as usize) < CFG_TARGET_CODES);
            assert_eq!(target.spec().target, target);
        }
        let unused = (0..CFG_TARGET_CODES as u8).filter(|&c| CfgTarget::from_code(c).is_none());
        assert_eq!(unused.count(), CFG_TARGET_CODES - CfgTarget::ALL.len());
        assert_eq!(CfgTarget::from_code(CFG_TARGET_CODES as u8), None);
    }

    #[test]
    fn depths_follow_the_shape_and_the_fanout_table() {
        let core = Dims::core(64, 32);
        assert_eq!(CfgTarget::Synapse.depth(&core), 32 * 16);
        assert_eq!(CfgTarget::AxonMeta.depth(&core), 32);
        assert_eq!(CfgTarget::StateV.depth(&core), 64);
        assert_eq!(CfgTarget::Clear.depth(&core), 1);
        assert_eq!(CfgTarget::FanoutIndex.depth(&core), 0);
        assert_eq!(CfgTarget::FanoutEntry.depth(&core), 0);
        let tile = Dims::tile(64, 64, 512);
        assert_eq!(CfgTarget::FanoutIndex.depth(&tile), 64);
        assert_eq!(CfgTarget::FanoutEntry.depth(&tile), 512);
        let table = depth_table(&core);
        let existing = table.iter().filter(|&&d| d > 0).count();
        let core_targets = TARGETS
            .iter()
            .filter(|s| {
                s.owner != Owner::Fanout && !s.depth.learning_only() && !s.depth.crossbar_only()
            })
            .count();
        assert_eq!(existing, core_targets);
        // A learning core has the learning targets too.
        let learning_targets = TARGETS.iter().filter(|s| s.depth.learning_only()).count();
        let learning = depth_table(&Dims::learning_core(64, 32));
        assert_eq!(
            learning.iter().filter(|&&d| d > 0).count(),
            core_targets + learning_targets
        );
        assert_eq!(
            CfgTarget::PostTrace.depth(&Dims::learning_core(64, 32)),
            4 * 16
        );
        // A crossbar core trades the synapse SRAM for its own registers.
        let crossbar_targets = TARGETS.iter().filter(|s| s.depth.crossbar_only()).count();
        let crossbar = depth_table(&Dims::crossbar_core(64, 64));
        assert_eq!(
            crossbar.iter().filter(|&&d| d > 0).count(),
            core_targets - 1 + crossbar_targets
        );
        assert_eq!(CfgTarget::Synapse.depth(&Dims::crossbar_core(64, 64)), 0);
        assert_eq!(CfgTarget::XbarSettle.depth(&Dims::crossbar_core(64, 64)), 1);
        assert_eq!(CfgTarget::XbarSettle.depth(&core), 0);
        assert_eq!(
            table.iter().filter(|&&d| d > 0).count(),
            depth_table(&tile).iter().filter(|&&d| d > 0).count() - 2
        );
    }

    #[test]
    fn memories_and_registers_are_readable_commands_are_not() {
        for spec in TARGETS {
            assert_eq!(spec.access.is_readable(), spec.access != Access::Command);
        }
        assert!(!CfgTarget::Clear.is_readable());
        assert!(CfgTarget::FanoutEntry.is_readable());
        assert_eq!(CfgTarget::StateV.data_mask(64), 0xff_ffff);
        assert_eq!(CfgTarget::ParamBiasShift.data_mask(64), u32::MAX);
        assert_eq!(CfgTarget::NeuronCount.data_mask(256), 0x1ff);
        assert_eq!(CfgTarget::Clear.data_mask(256), 0);
    }

    #[test]
    fn every_word_fits_the_data_bus() {
        for spec in TARGETS {
            assert!(spec.width.bits(1024) <= CFG_DATA_WIDTH, "{}", spec.name);
            assert_eq!(spec.access == Access::Command, spec.width == Width::None);
        }
        assert_eq!(Width::NeuronCount.bits(256), 9);
        // The largest synapse SRAM (1024 x 512) fits the address bus.
        assert!(CfgTarget::Synapse.depth(&Dims::core(1024, 512)) <= 1 << CFG_ADDR_WIDTH);
    }
}
