//! The learning stage's side of the configuration bus (`cfg_bus`): which of its memories a
//! write goes to, and the answer to a read.
//!
//! Writes (idle only, `cfg_bus`): `Synapse` writes a plain word and its ninth bits (the lanes'
//! sign bits 7, 15, 23, 31, so a plain word keeps its 8-bit weights); `SynapseHigh` the ninth
//! bits alone; `LearnAxon` a learning-axon word; `PostTrace` the word of rule
//! `address >> GB`; `LearnControl` disarms the stage (its first tick after it learns
//! nothing). `LearnRule` and `LearnControl` are stored in [`LearnRules`], which decodes them.
//!
//! Reads: the stage puts the read's address on its memories' read ports in the `read` cycle;
//! one cycle later this block selects the word by the target registered with the read
//! (`read_select`: PostTrace: the rule, `address >> GB`; otherwise address bits 0..3, for
//! LearnRule `2 · rule + word`).

use rust_hdl::prelude::*;

use super::cfg_bus::{CfgBus, CFG_TARGET_WIDTH};
use super::learn_rules::LearnRules;
use super::regmap::{self, CfgTarget};

/// Configuration decode of a learning stage with `2^NB` neurons, `2^GB` groups and `2^AB`
/// axons (`AB1 = AB + 1`).
#[derive(LogicBlock)]
pub struct StdpConfig<const NB: usize, const GB: usize, const AB1: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// The stage's configuration bus.
    pub cfg: CfgBus,
    /// Write the synapse word (`Synapse`).
    pub synapse_write: Signal<Out, Bit>,
    /// Write the ninth-bit plane (`Synapse` or `SynapseHigh`) with `high_data`.
    pub high_write: Signal<Out, Bit>,
    /// The ninth bits written.
    pub high_data: Signal<Out, Bits<4>>,
    /// Write the learning-axon word.
    pub axon_write: Signal<Out, Bit>,
    /// Write the post-trace word of rule `trace_rule`.
    pub trace_write: Signal<Out, Bit>,
    /// That rule.
    pub trace_rule: Signal<Out, Bits<2>>,
    /// `LearnControl` is written.
    pub control_write: Signal<Out, Bit>,
    /// The rule of a PostTrace read (`address >> GB`), registered with the read.
    pub read_select: Signal<Out, Bits<2>>,
    /// The synapse word read.
    pub low: Signal<In, Bits<32>>,
    /// Its ninth bits.
    pub high: Signal<In, Bits<4>>,
    /// The learning-axon word read.
    pub axon_word: Signal<In, Bits<31>>,
    /// The post-trace word read (of rule `read_select`).
    pub trace_word: Signal<In, Bits<28>>,
    /// Rule whose words are `decays` and `rates`.
    pub select: Signal<In, Bits<2>>,
    /// The selected rule's decay word (bits 0..26).
    pub decays: Signal<Out, Bits<26>>,
    /// The selected rule's rate word.
    pub rates: Signal<Out, Bits<30>>,
    /// The control word's axon limit (bits 0..12; `AB1` of them used).
    pub axon_limit: Signal<Out, Bits<AB1>>,
    /// Its group count (bits 12..24; `NB` used).
    pub group_count: Signal<Out, Bits<NB>>,
    /// Its rule count (bits 24..27).
    pub rule_count: Signal<Out, Bits<3>>,

    rules: LearnRules,

    read_pending: DFF<Bit>,
    read_target: DFF<Bits<CFG_TARGET_WIDTH>>,
    read_index: DFF<Bits<3>>,
    group_bits: Constant<Bits<8>>,
    synapse_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    synapse_high_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_axon_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    post_trace_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_rule_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_control_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<const NB: usize, const GB: usize, const AB1: usize> Default for StdpConfig<NB, GB, AB1> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            synapse_write: Default::default(),
            high_write: Default::default(),
            high_data: Default::default(),
            axon_write: Default::default(),
            trace_write: Default::default(),
            trace_rule: Default::default(),
            control_write: Default::default(),
            read_select: Default::default(),
            low: Default::default(),
            high: Default::default(),
            axon_word: Default::default(),
            trace_word: Default::default(),
            select: Default::default(),
            decays: Default::default(),
            rates: Default::default(),
            axon_limit: Default::default(),
            group_count: Default::default(),
            rule_count: Default::default(),
            rules: Default::default(),
            read_pending: Default::default(),
            read_target: Default::default(),
            read_index: Default::default(),
            group_bits: Constant::new((GB as u64).into()),
            synapse_target: regmap::hdl::constant(CfgTarget::Synapse),
            synapse_high_target: regmap::hdl::constant(CfgTarget::SynapseHigh),
            learn_axon_target: regmap::hdl::constant(CfgTarget::LearnAxon),
            post_trace_target: regmap::hdl::constant(CfgTarget::PostTrace),
            learn_rule_target: regmap::hdl::constant(CfgTarget::LearnRule),
            learn_control_target: regmap::hdl::constant(CfgTarget::LearnControl),
        }
    }
}

impl<const NB: usize, const GB: usize, const AB1: usize> Logic for StdpConfig<NB, GB, AB1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, read_pending, read_target, read_index);
        // ---- The rule and control registers (`LearnRules` decodes their writes).
        self.rules.clock.next = self.clock.val();
        self.rules.cfg_write.next = self.cfg.write.val();
        self.rules.cfg_target.next = self.cfg.target.val();
        self.rules.cfg_addr.next = self.cfg.addr.val().get_bits::<3>(0);
        self.rules.cfg_data.next = self.cfg.data.val();
        self.rules.select.next = self.select.val();
        self.rules.read_select.next = self.read_index.q.val();
        self.decays.next = self.rules.decays.val();
        self.rates.next = self.rules.rates.val();
        self.axon_limit.next = self.rules.control.val().get_bits::<AB1>(0);
        self.group_count.next = self.rules.control.val().get_bits::<NB>(12);
        self.rule_count.next = self.rules.control.val().get_bits::<3>(24);

        // ---- Writes.
        self.synapse_write.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.synapse_target.val());
        self.high_write.next = false;
        self.high_data.next = self.cfg.data.val().get_bits::<4>(0);
        if self.cfg.write.val() & (self.cfg.target.val() == self.synapse_high_target.val()) {
            self.high_write.next = true;
        }
        if self.synapse_write.val() {
            // A plain word: the ninth bits are the lanes' sign bits (bits 7, 15, 23, 31).
            self.high_write.next = true;
            self.high_data.next = bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(7))
                | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(15)) << 1)
                | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(23)) << 2)
                | (bit_cast::<4, 1>(self.cfg.data.val().get_bits::<1>(31)) << 3);
        }
        self.axon_write.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.learn_axon_target.val());
        self.trace_write.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.post_trace_target.val());
        self.trace_rule.next = bit_cast::<2, 24>(self.cfg.addr.val() >> self.group_bits.val());
        self.control_write.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.learn_control_target.val());

        // ---- Reads: the target and index registered with the read, the word selected after.
        self.read_pending.d.next = self.cfg.read.val();
        if self.cfg.read.val() {
            self.read_target.d.next = self.cfg.target.val();
            self.read_index.d.next = self.cfg.addr.val().get_bits::<3>(0);
            if self.cfg.target.val() == self.post_trace_target.val() {
                self.read_index.d.next =
                    bit_cast::<3, 24>(self.cfg.addr.val() >> self.group_bits.val());
            }
        }
        self.read_select.next = self.read_index.q.val().get_bits::<2>(0);
        self.cfg.read_valid.next = self.read_pending.q.val();
        self.cfg.read_data.next = 0.into();
        if self.read_pending.q.val() {
            if self.read_target.q.val() == self.synapse_target.val() {
                self.cfg.read_data.next = self.low.val();
            }
            if self.read_target.q.val() == self.synapse_high_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 4>(self.high.val());
            }
            if self.read_target.q.val() == self.learn_axon_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 31>(self.axon_word.val());
            }
            if self.read_target.q.val() == self.learn_control_target.val() {
                self.cfg.read_data.next = self.rules.control.val();
            }
            if self.read_target.q.val() == self.post_trace_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 28>(self.trace_word.val());
            }
            if self.read_target.q.val() == self.learn_rule_target.val() {
                self.cfg.read_data.next = bit_cast::<32, 30>(self.rules.read_word.val());
            }
        }
    }
}
