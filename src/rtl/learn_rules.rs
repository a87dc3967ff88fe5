//! The learning stage's registers: the two words of each rule (`LearnRule`, address
//! `2 · rule + word`: word 0 the decays and sign mode, word 1 the impulses and rates,
//! `layout::LearnRuleWords`) and the control word (`LearnControl`: axon limit at bits 0..12,
//! group count at 12..24, rule count at 24..27, `layout::LearnControl`).
//!
//! Written from the configuration bus (qualified by the core: idle only); read combinationally
//! by the stage (`select`'s words) and by its configuration read-back (`read_select` = the
//! read's address bits 0..3: rule = bits 1..3, word = bit 0).

use rust_hdl::prelude::*;

use super::cfg_bus::{CFG_DATA_WIDTH, CFG_TARGET_WIDTH};
use super::layout::LEARN_RULES;
use super::regmap::{self, CfgTarget};

/// The rule and control registers.
#[derive(LogicBlock)]
pub struct LearnRules {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration write strobe.
    pub cfg_write: Signal<In, Bit>,
    /// Configuration target.
    pub cfg_target: Signal<In, Bits<CFG_TARGET_WIDTH>>,
    /// Configuration address bits 0..3 (`2 · rule + word`).
    pub cfg_addr: Signal<In, Bits<3>>,
    /// Configuration data.
    pub cfg_data: Signal<In, Bits<CFG_DATA_WIDTH>>,
    /// Rule whose words are `decays` and `rates`.
    pub select: Signal<In, Bits<2>>,
    /// The selected rule's decay word (bits 0..26: the decays and the sign mode).
    pub decays: Signal<Out, Bits<26>>,
    /// The selected rule's rate word.
    pub rates: Signal<Out, Bits<30>>,
    /// Rule word read back: `2 · rule + word`.
    pub read_select: Signal<In, Bits<3>>,
    /// That word.
    pub read_word: Signal<Out, Bits<30>>,
    /// The control word.
    pub control: Signal<Out, Bits<32>>,

    rule_decays: [DFF<Bits<30>>; LEARN_RULES],
    rule_rates: [DFF<Bits<30>>; LEARN_RULES],
    control_word: DFF<Bits<32>>,
    rule_index: [Constant<Bits<2>>; LEARN_RULES],
    learn_rule_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    learn_control_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl Default for LearnRules {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            cfg_write: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            select: Default::default(),
            decays: Default::default(),
            rates: Default::default(),
            read_select: Default::default(),
            read_word: Default::default(),
            control: Default::default(),
            rule_decays: Default::default(),
            rule_rates: Default::default(),
            control_word: Default::default(),
            rule_index: [0u64, 1, 2, 3].map(|rule| Constant::new(rule.into())),
            learn_rule_target: regmap::hdl::constant(CfgTarget::LearnRule),
            learn_control_target: regmap::hdl::constant(CfgTarget::LearnControl),
        }
    }
}

impl Logic for LearnRules {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, control_word);
        self.control.next = self.control_word.q.val();
        if self.cfg_write.val() & (self.cfg_target.val() == self.learn_control_target.val()) {
            self.control_word.d.next = self.cfg_data.val();
        }
        self.decays.next = 0.into();
        self.rates.next = 0.into();
        self.read_word.next = 0.into();
        for r in 0..4 {
            self.rule_decays[r].clock.next = self.clock.val();
            self.rule_decays[r].d.next = self.rule_decays[r].q.val();
            self.rule_rates[r].clock.next = self.clock.val();
            self.rule_rates[r].d.next = self.rule_rates[r].q.val();
            if self.cfg_write.val()
                & (self.cfg_target.val() == self.learn_rule_target.val())
                & (self.cfg_addr.val().get_bits::<2>(1) == self.rule_index[r].val())
            {
                if self.cfg_addr.val().get_bit(0) {
                    self.rule_rates[r].d.next = self.cfg_data.val().get_bits::<30>(0);
                } else {
                    self.rule_decays[r].d.next = self.cfg_data.val().get_bits::<30>(0);
                }
            }
            if self.select.val() == self.rule_index[r].val() {
                self.decays.next = self.rule_decays[r].q.val().get_bits::<26>(0);
                self.rates.next = self.rule_rates[r].q.val();
            }
            if self.read_select.val().get_bits::<2>(1) == self.rule_index[r].val() {
                self.read_word.next = self.rule_decays[r].q.val();
                if self.read_select.val().get_bit(0) {
                    self.read_word.next = self.rule_rates[r].q.val();
                }
            }
        }
    }
}

// The loop above spells the rule count as 4 (hdl_gen loops need literal bounds).
const _: () = assert!(LEARN_RULES == 4);
