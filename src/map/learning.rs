//! The learning part of a core image: what loads a network with learning (STDP) projections
//! into a [`LearningCore`](crate::rtl::learning_core::LearningCore)'s synapse stage
//! (`rtl::stdp_synapses`, layouts in `rtl::layout`).
//!
//! - **Rules**: every learning projection gets a rule of its own (`0..LEARN_RULES`, in file
//!   order): its parameters in the `LearnRule` registers and its post traces `y` in the rule's
//!   post-trace memory, so two learning projections into one population keep separate `y`
//!   (as the golden stage does; they may differ in decay and impulse).
//! - **Axons**: learning projections take the first axons (file order among themselves), the
//!   plain ones follow, so the learning window's axon pass visits `0..axon_limit` = the
//!   learning axons only. A network without learning keeps the plain mapper's axon order.
//! - **Learning-axon words** (`LearnAxonWord`): rule, row groups, the first and last lane of
//!   the target population in its first and last group (other populations' lanes in a shared
//!   group never learn), `x = 0`, pre-done clear; plain axons get the all-zero word (not
//!   learning).
//! - **Weights**: the file's weights (mixed-mode odd weights already floored to even by
//!   validation, `SignMode::initial_weight`) as 9-bit two's complement: the low 8 bits of each
//!   lane in the synapse word, the ninth bits in the `SynapseHigh` plane, written after the
//!   word (a `Synapse` write sets the plane to the lanes' sign bits, right for plain rows).
//! - **Post traces** `y = 0` for every rule and used group; the control word (axon limit,
//!   groups `⌈neurons / 4⌉`, rules) last, which disarms the stage until a tick has run.

use super::{projection_name, MapError};
use crate::model::Network;
use crate::rtl::layout::{
    pack_learning_weights, pack_post_traces, CfgTarget, ConfigWrite, LearnAxonWord, LearnControl,
    LearnRuleWords, LEARN_RULES, LEARN_RULE_WORDS, WEIGHTS_PER_WORD,
};
use crate::shape::{CoreShape, LEARNING_SHAPES};

/// Where one learning projection lives on the core: what the read-back of its learned state
/// needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LearningPlacement {
    /// The projection's index in the network file.
    pub projection: usize,
    /// Its rule (`0..LEARN_RULES`): the `LearnRule` registers and post-trace memory it uses.
    pub rule: usize,
    /// The axon of pre neuron 0; pre neuron `j` has axon `first_axon + j`.
    pub first_axon: usize,
    /// Pre neurons (the source's size).
    pub pre_size: usize,
    /// The core neuron of post neuron 0 (the target population's base).
    pub target_base: usize,
    /// Post neurons (the target's size).
    pub post_size: usize,
}

/// The learning stage's configuration of a core image.
#[derive(Clone, Debug)]
pub struct LearningImage {
    /// Learning-axon words, index = axon (every used axon; plain axons 0).
    pub axon_words: Vec<u32>,
    /// Ninth-bit planes of the learning rows, as `(synapse address, word)`.
    pub high_words: Vec<(usize, u32)>,
    /// The rules' register words, index = rule.
    pub rules: Vec<LearnRuleWords>,
    /// The control word.
    pub control: LearnControl,
    /// The learning projections, in file order (= rule order).
    pub placements: Vec<LearningPlacement>,
}

impl LearningImage {
    /// The learning stage's writes: planes, learning-axon words, rules, zero post traces, and
    /// the control word. They go after the synapse words (which set the planes to the sign
    /// bits) and before `Clear`.
    pub fn config_writes(&self, shape: CoreShape, writes: &mut Vec<ConfigWrite>) {
        let write = |target, addr: usize, data| ConfigWrite {
            target,
            addr: addr as u32,
            data,
        };
        for &(addr, word) in &self.high_words {
            writes.push(write(CfgTarget::SynapseHigh, addr, word));
        }
        for (axon, &word) in self.axon_words.iter().enumerate() {
            writes.push(write(CfgTarget::LearnAxon, axon, word));
        }
        for (rule, words) in self.rules.iter().enumerate() {
            writes.push(write(
                CfgTarget::LearnRule,
                LEARN_RULE_WORDS * rule,
                words.decays,
            ));
            writes.push(write(
                CfgTarget::LearnRule,
                LEARN_RULE_WORDS * rule + 1,
                words.rates,
            ));
            for group in 0..self.control.groups as usize {
                writes.push(write(
                    CfgTarget::PostTrace,
                    post_trace_address(shape, rule, group),
                    pack_post_traces([0; WEIGHTS_PER_WORD]),
                ));
            }
        }
        writes.push(write(CfgTarget::LearnControl, 0, self.control.pack()));
    }
}

/// The `PostTrace` address of `group`'s word of `rule`: `rule << GB | group`.
pub fn post_trace_address(shape: CoreShape, rule: usize, group: usize) -> usize {
    rule * shape.groups() + group
}

/// Checks that a learning core of `shape` exists if `net` has a learning projection (naming
/// the first).
pub fn check_learning_shape(net: &Network, shape: CoreShape) -> Result<(), MapError> {
    match net.learning_projections().next() {
        Some((index, _, _)) if !LEARNING_SHAPES.contains(&(shape.neurons, shape.axons)) => {
            Err(MapError::NoLearningCore {
                projection: projection_name(net, index),
                neurons: shape.neurons,
                axons: shape.axons,
            })
        }
        _ => Ok(()),
    }
}

/// The rule of each projection (`None`: plain), checking that the learning projections fit a
/// learning core of `shape`.
pub fn assign_rules(net: &Network, shape: CoreShape) -> Result<Vec<Option<usize>>, MapError> {
    let mut rules = vec![None; net.projections.len()];
    check_learning_shape(net, shape)?;
    for (rule, (index, _, _)) in net.learning_projections().enumerate() {
        if rule >= LEARN_RULES {
            return Err(MapError::TooManyLearningRules {
                projection: projection_name(net, index),
            });
        }
        rules[index] = Some(rule);
    }
    Ok(rules)
}

/// The order projections take axons in: learning projections first, so that the learning
/// window's axon pass (`0..axon_limit`) visits only learning axons.
pub fn axon_order(rules: &[Option<usize>]) -> Vec<usize> {
    let learning = (0..rules.len()).filter(|&p| rules[p].is_some());
    let plain = (0..rules.len()).filter(|&p| rules[p].is_none());
    learning.chain(plain).collect()
}

/// Builds the learning image while the mapper lays out the rows.
#[derive(Default)]
pub(super) struct LearningImageBuilder {
    axon_words: Vec<u32>,
    high_words: Vec<(usize, u32)>,
    placements: Vec<LearningPlacement>,
}

/// One learning projection's row layout on the core.
pub(super) struct LearningRow {
    pub rule: usize,
    pub target_base: usize,
    pub target_size: usize,
    pub first_group: usize,
    pub last_group: usize,
}

impl LearningImageBuilder {
    /// Records a learning projection laid out as `row`, whose pre neuron 0 takes axon
    /// `first_axon`.
    pub fn add_projection(
        &mut self,
        net: &Network,
        projection: usize,
        row: &LearningRow,
        first_axon: usize,
    ) {
        self.placements.push(LearningPlacement {
            projection,
            rule: row.rule,
            first_axon,
            pre_size: net.source_size(net.projections[projection].from),
            target_base: row.target_base,
            post_size: row.target_size,
        });
    }

    /// The learning-axon word of the next axon: `row` for a learning axon, `None` for a plain
    /// one.
    pub fn add_axon(&mut self, row: Option<&LearningRow>) {
        let word = row.map_or(LearnAxonWord::default(), |row| {
            let last_neuron = row.target_base + row.target_size - 1;
            LearnAxonWord {
                first_group: row.first_group as u64,
                last_group: row.last_group as u64,
                first_lane: (row.target_base % WEIGHTS_PER_WORD) as u64,
                last_lane: (last_neuron % WEIGHTS_PER_WORD) as u64,
                rule: row.rule as u64,
                learning: true,
                x: 0,
                pre_done: false,
            }
        });
        self.axon_words.push(word.pack());
    }

    /// Splits a learning row's word of 9-bit weights: returns the synapse word, keeps the
    /// plane.
    pub fn add_word(&mut self, address: usize, weights: [i64; WEIGHTS_PER_WORD]) -> u32 {
        let (low, high) = pack_learning_weights(weights);
        self.high_words.push((address, high));
        low
    }

    /// The finished image, for `neuron_count` used neurons (`None` without learning).
    pub fn finish(self, net: &Network, neuron_count: usize) -> Option<LearningImage> {
        if self.placements.is_empty() {
            return None;
        }
        let rules = net
            .learning_projections()
            .map(|(_, _, rule)| LearnRuleWords::of(rule))
            .collect::<Vec<_>>();
        let axon_limit = self
            .placements
            .iter()
            .map(|p| p.first_axon + p.pre_size)
            .max()
            .unwrap_or(0);
        Some(LearningImage {
            axon_words: self.axon_words,
            high_words: self.high_words,
            control: LearnControl {
                axon_limit: axon_limit as u64,
                groups: neuron_count.div_ceil(WEIGHTS_PER_WORD) as u64,
                rules: rules.len() as u64,
            },
            rules,
            placements: self.placements,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::map_network;
    use crate::rtl::layout::unpack_learning_weights;

    /// `in` (3) -> `a` (2, plain) and `in` -> `b` (3, learning, mixed) and `b` -> `b` learning
    /// `count - 1` more times.
    fn net(learning_count: usize) -> Network {
        let rule = r#"{"rule": "stdp", "sign_mode": "mixed", "t_epoch": 1, "x_impulse": 5,
            "x_decay": 10, "y_impulse": 6, "y_decay": 20, "a_plus_mant": 1, "a_plus_exp": 0,
            "a_minus_mant": -1, "a_minus_exp": 0, "rounding": "deterministic"}"#;
        let mut projections = vec![
            r#"{"from": "in", "to": "a", "weights": [[1, 2, 3], [4, 5, 6]]}"#.to_string(),
            format!(
                r#"{{"from": "in", "to": "b", "weights": [[-256, 255, 0], [7, -3, 2], [0, 0, 1]],
                    "learning": {rule}}}"#
            ),
        ];
        for _ in 1..learning_count {
            projections.push(format!(
                r#"{{"from": "b", "to": "b", "weights": [[0, 2, 4], [0, 0, 0], [0, 0, 0]],
                    "learning": {rule}}}"#
            ));
        }
        Network::from_json_str(
            &format!(
                r#"{{"ticks": 2, "inputs": [{{"name": "in", "size": 3}}],
                    "populations": [{{"name": "a", "size": 2, "neuron": {{"vth": 1}}}},
                                    {{"name": "b", "size": 3, "neuron": {{"vth": 1}}}}],
                    "projections": [{}]}}"#,
                projections.join(", ")
            ),
            None,
        )
        .unwrap()
    }

    const SHAPE: CoreShape = CoreShape {
        neurons: 64,
        axons: 64,
    };

    #[test]
    fn the_learning_image_puts_learning_axons_first_with_their_lanes() {
        let net = net(2);
        let image = map_network(&net, SHAPE).unwrap();
        let learning = image.learning.as_ref().unwrap();
        // Learning projections 1 and 2 take axons 0..3 and 3..6, the plain one 6..9.
        assert_eq!(image.input_axons[0][0], vec![0, 6]);
        assert_eq!(learning.control.axon_limit, 6);
        assert_eq!(learning.control.groups, 2); // 5 neurons
        assert_eq!(learning.control.rules, 2);
        assert_eq!(learning.placements[1].first_axon, 3);
        // `b` is neurons 2..5: group 0 lanes 2..3, group 1 lane 0.
        let word = LearnAxonWord::unpack(learning.axon_words[0]);
        assert_eq!(
            (
                word.first_group,
                word.last_group,
                word.first_lane,
                word.last_lane
            ),
            (0, 1, 2, 0)
        );
        assert!(word.learning && word.rule == 0 && word.x == 0);
        assert_eq!(LearnAxonWord::unpack(learning.axon_words[3]).rule, 1);
        assert!(!LearnAxonWord::unpack(learning.axon_words[6]).learning);
        // Axon 0 (pre 0) group 0: lanes 2, 3 = w[0][0] = -256, w[1][0] = 7 (odd, floored to 6).
        let low = image
            .synapse_words
            .iter()
            .find(|&&(a, _)| a == 0)
            .unwrap()
            .1;
        let high = learning
            .high_words
            .iter()
            .find(|&&(a, _)| a == 0)
            .unwrap()
            .1;
        assert_eq!(unpack_learning_weights(low, high), [0, 0, -256, 6]);
        // The writes: planes after the synapse words, the control word before Clear.
        let writes = image.config_writes();
        let position = |target| writes.iter().position(|w| w.target == target).unwrap();
        assert!(position(CfgTarget::SynapseHigh) > position(CfgTarget::Synapse));
        assert_eq!(writes[writes.len() - 2].target, CfgTarget::LearnControl);
        assert_eq!(writes.last().unwrap().target, CfgTarget::Clear);
    }

    #[test]
    fn a_plain_network_keeps_the_plain_image() {
        let mut net = net(1);
        net.projections[1].learning = None;
        net.projections[1].weights = vec![vec![1; 3]; 3];
        let image = map_network(&net, SHAPE).unwrap();
        assert!(image.learning.is_none());
        assert_eq!(image.input_axons[0][0], vec![0, 3]);
    }

    #[test]
    fn learning_that_does_not_fit_names_the_projection() {
        let error = map_network(&net(LEARN_RULES + 1), SHAPE).unwrap_err();
        assert_eq!(
            error,
            MapError::TooManyLearningRules {
                projection: "projections[5] (b -> b)".into()
            }
        );
        assert!(error.to_string().contains("a learning core has 4 rules"));
        let small = CoreShape {
            neurons: 64,
            axons: 32,
        };
        let error = map_network(&net(1), small).unwrap_err().to_string();
        assert!(
            error.starts_with("projections[1] (in -> b) is a learning (STDP) projection")
                && error.contains("not generated in the shape 64x32")
                && error.contains("64x64, 256x256"),
            "{error}"
        );
    }
}
