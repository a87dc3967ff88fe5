//! `StdpSynapses` at its own ports against a reference built from `fixed::stdp`: random rules
//! (every sign mode, the rates' and decays' extremes), learning rows with random lane bounds
//! next to plain rows, random initial weights (range ends included) and traces, then ticks of
//! random pre events (requests with random `rsp_ready` stalls), random post spikes and the
//! learning window. Every response is compared with the weights before the previous tick's
//! step 4; after every round the stored weights, pre traces and post traces are read back
//! through the configuration bus and compared with the reference.
//!
//! The reference follows the spec's step 4 of tick `t` (traces, then each synapse with
//! `pre | post` once) with the pre spikes of tick `t` taken from the events of tick `t + 1`,
//! as the golden stage does; its post traces are advanced when tick `t`'s window closes,
//! which is when the stage updates them (step 4 of `t` reads them only after that).

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

use crate::fixed::stdp::{learned_weight, trace_update, StdpRule as Rule, TRACE_MAX};
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::layout::{
    pack_learning_weights, pack_post_traces, pack_synapse_word, unpack_learning_weights,
    unpack_post_traces, CfgTarget, LearnAxonWord, LearnControl, LearnRuleWords, LEARN_RULES,
    LEARN_RULE_WORDS, WEIGHTS_PER_WORD,
};
use crate::rtl::stdp_synapses::StdpSynapses;
use crate::sim::random_net::{random_rule, random_weight};

/// A 64-neuron, 32-axon stage: 16 groups.
type Stage = StdpSynapses<6, 5, 4, 9, 6>;
const AXONS: usize = 32;
const GROUPS: usize = 16;
const NEURONS: usize = GROUPS * WEIGHTS_PER_WORD;

/// One axon of the reference: its row and, if it learns, its rule and lane bounds.
#[derive(Clone, Debug)]
struct Axon {
    first_group: usize,
    last_group: usize,
    /// `Some((rule, first neuron, last neuron))` for a learning axon.
    learning: Option<(usize, usize, usize)>,
}

impl Axon {
    fn learns_onto(&self, neuron: usize) -> Option<usize> {
        let (rule, first, last) = self.learning?;
        (first..=last).contains(&neuron).then_some(rule)
    }
}

/// The reference state.
struct Reference {
    rules: Vec<Rule>,
    axons: Vec<Axon>,
    /// `w[axon][neuron]`.
    w: Vec<[i64; NEURONS]>,
    x: Vec<i64>,
    /// `y[rule][neuron]`.
    y: Vec<[i64; NEURONS]>,
}

impl Reference {
    fn random(rng: &mut StdRng) -> Reference {
        let rules: Vec<Rule> = (0..rng.gen_range(1..=LEARN_RULES))
            .map(|_| random_rule(rng))
            .collect();
        let mut axons = Vec::new();
        let mut w = Vec::new();
        for _ in 0..AXONS {
            let first = rng.gen_range(0..NEURONS);
            let last = rng.gen_range(first..NEURONS.min(first + 24));
            let learning = rng
                .gen_bool(0.7)
                .then(|| (rng.gen_range(0..rules.len()), first, last));
            let mut row = [0; NEURONS];
            for (n, weight) in row.iter_mut().enumerate().take(last + 1).skip(first) {
                *weight = match learning {
                    Some((rule, ..)) => random_weight(rng, rules[rule].sign_mode),
                    None => rng.gen_range(-128..=127),
                };
                if n % 7 == 0 && learning.is_none() {
                    *weight = [-128, 127][n % 2];
                }
            }
            axons.push(Axon {
                first_group: first / WEIGHTS_PER_WORD,
                last_group: last / WEIGHTS_PER_WORD,
                learning,
            });
            w.push(row);
        }
        let trace =
            |rng: &mut StdRng| [0, TRACE_MAX, rng.gen_range(0..=TRACE_MAX)][rng.gen_range(0..3)];
        Reference {
            x: (0..AXONS).map(|_| trace(rng)).collect(),
            y: (0..rules.len())
                .map(|_| std::array::from_fn(|_| trace(rng)))
                .collect(),
            rules,
            axons,
            w,
        }
    }

    fn lanes(&self, axon: usize, group: usize) -> [i64; WEIGHTS_PER_WORD] {
        std::array::from_fn(|lane| self.w[axon][group * WEIGHTS_PER_WORD + lane])
    }

    /// Step 4 of a tick whose pre spikes are `pre` (axons) and post spikes `post`, with the
    /// post traces already updated for it.
    fn learn(&mut self, pre: &[bool], post: &[bool]) {
        for (axon, spec) in self.axons.iter().enumerate() {
            let Some((rule_index, ..)) = spec.learning else {
                continue;
            };
            let rule = self.rules[rule_index];
            self.x[axon] = trace_update(self.x[axon], rule.x_decay, rule.x_impulse, pre[axon]);
            for (neuron, &post) in post.iter().enumerate() {
                if spec.learns_onto(neuron).is_some() && (pre[axon] || post) {
                    let w = &mut self.w[axon][neuron];
                    *w = learned_weight(
                        &rule,
                        *w,
                        pre[axon],
                        post,
                        self.x[axon],
                        self.y[rule_index][neuron],
                    );
                }
            }
        }
    }

    /// The post traces' step 4 for a tick with post spikes `post`.
    fn advance_post_traces(&mut self, post: &[bool]) {
        for (rule, y) in self.rules.iter().zip(&mut self.y) {
            for (neuron, y) in y.iter_mut().enumerate() {
                *y = trace_update(*y, rule.y_decay, rule.y_impulse, post[neuron]);
            }
        }
    }

    /// The configuration writes that load the reference into the stage.
    fn config_writes(&self) -> Vec<(CfgTarget, u32, u32)> {
        let mut writes = Vec::new();
        for (rule, words) in self.rules.iter().map(LearnRuleWords::of).enumerate() {
            let base = (rule * LEARN_RULE_WORDS) as u32;
            writes.push((CfgTarget::LearnRule, base, words.decays));
            writes.push((CfgTarget::LearnRule, base + 1, words.rates));
        }
        for (axon, spec) in self.axons.iter().enumerate() {
            for group in spec.first_group..=spec.last_group {
                let address = (axon * GROUPS + group) as u32;
                let lanes = self.lanes(axon, group);
                if spec.learning.is_some() {
                    let (low, high) = pack_learning_weights(lanes);
                    writes.push((CfgTarget::Synapse, address, low));
                    writes.push((CfgTarget::SynapseHigh, address, high));
                } else {
                    writes.push((CfgTarget::Synapse, address, pack_synapse_word(lanes)));
                }
            }
            let (rule, first, last) = spec.learning.unwrap_or((0, 0, 0));
            let word = LearnAxonWord {
                first_group: spec.first_group as u64,
                last_group: spec.last_group as u64,
                first_lane: (first % WEIGHTS_PER_WORD) as u64,
                last_lane: (last % WEIGHTS_PER_WORD) as u64,
                rule: rule as u64,
                learning: spec.learning.is_some(),
                x: self.x[axon] as u64,
                pre_done: false,
            };
            writes.push((CfgTarget::LearnAxon, axon as u32, word.pack()));
        }
        for (rule, y) in self.y.iter().enumerate() {
            for group in 0..GROUPS {
                let traces = std::array::from_fn(|lane| y[group * WEIGHTS_PER_WORD + lane]);
                let address = (rule * GROUPS + group) as u32;
                writes.push((CfgTarget::PostTrace, address, pack_post_traces(traces)));
            }
        }
        let control = LearnControl {
            axon_limit: AXONS as u64,
            groups: GROUPS as u64,
            rules: self.rules.len() as u64,
        };
        writes.push((CfgTarget::LearnControl, 0, control.pack()));
        writes
    }
}

/// The stage, clocked, with its inputs connected.
fn stage() -> Clocked<Stage> {
    let mut stage = Stage::default();
    stage.clock.connect();
    super::connect_stage_inputs(&mut stage.cfg, &mut stage.port);
    stage.connect_all();
    Clocked::new(stage, |s| &mut s.clock, "StdpSynapses")
}

fn write(sim: &mut Clocked<Stage>, target: CfgTarget, addr: u32, data: u32) {
    let block = &mut sim.block;
    poke(&mut block.cfg.write, true);
    poke(&mut block.cfg.target, (target as u64).into());
    poke(&mut block.cfg.addr, u64::from(addr).into());
    poke(&mut block.cfg.data, u64::from(data).into());
    sim.mark_dirty();
    sim.rise();
    poke(&mut sim.block.cfg.write, false);
    sim.mark_dirty();
}

fn read(sim: &mut Clocked<Stage>, target: CfgTarget, addr: u32) -> u32 {
    let block = &mut sim.block;
    poke(&mut block.cfg.read, true);
    poke(&mut block.cfg.target, (target as u64).into());
    poke(&mut block.cfg.addr, u64::from(addr).into());
    sim.mark_dirty();
    sim.rise();
    poke(&mut sim.block.cfg.read, false);
    sim.mark_dirty();
    sim.settle_if_dirty();
    assert!(sim.block.cfg.read_valid.val(), "no answer to a read");
    let data = sim.block.cfg.read_data.val().to_u64() as u32;
    sim.rise();
    data
}

fn response(stage: &Stage) -> [i64; WEIGHTS_PER_WORD] {
    super::response_lanes(&stage.port)
}

/// The input phase: every group of every event in order, the port's rule kept (at most one
/// request outstanding), `rsp_ready` low with probability `stall`. Checks each response.
fn input_phase(
    sim: &mut Clocked<Stage>,
    reference: &Reference,
    events: &[usize],
    stall: f64,
    rng: &mut StdRng,
) {
    let mut requests: Vec<(usize, usize, bool, bool)> = Vec::new();
    for &axon in events {
        let spec = &reference.axons[axon];
        for group in spec.first_group..=spec.last_group {
            requests.push((
                axon,
                group,
                group == spec.first_group,
                group == spec.last_group,
            ));
        }
    }
    let mut next = 0;
    let mut outstanding: Option<(usize, usize)> = None;
    while next < requests.len() || outstanding.is_some() {
        let rsp_ready = !rng.gen_bool(stall);
        let may_issue = outstanding.is_none() || rsp_ready;
        let issue = may_issue && next < requests.len() && rng.gen_bool(0.8);
        let (axon, group, first, last) = requests.get(next).copied().unwrap_or_default();
        super::offer_request(
            &mut sim.block.port,
            issue,
            (axon, group, first, last),
            rsp_ready,
        );
        sim.mark_dirty();
        sim.settle_if_dirty();
        assert!(sim.block.port.req_ready.val());
        assert!(!sim.block.port.stage_busy.val());
        if let Some((a, g)) = outstanding {
            assert!(sim.block.port.rsp_valid.val(), "a response was late");
            assert_eq!(
                response(&sim.block),
                reference.lanes(a, g),
                "axon {a} group {g}"
            );
            if rsp_ready {
                outstanding = None;
            }
        }
        if issue {
            outstanding = Some((axon, group));
            next += 1;
        }
        sim.rise();
    }
    poke(&mut sim.block.port.req_valid, false);
    sim.mark_dirty();
}

/// The update phase's post spikes (ascending, one per cycle, with gaps), then the window
/// until the stage lets go; returns the window's cycles.
fn post_and_window(sim: &mut Clocked<Stage>, post: &[bool], rng: &mut StdRng) -> u64 {
    for (neuron, _) in post.iter().enumerate().filter(|(_, &spiked)| spiked) {
        poke(&mut sim.block.port.post_valid, true);
        poke(&mut sim.block.port.post_neuron, (neuron as u64).into());
        sim.mark_dirty();
        sim.rise();
        if rng.gen_bool(0.3) {
            poke(&mut sim.block.port.post_valid, false);
            sim.mark_dirty();
            sim.rise();
        }
    }
    poke(&mut sim.block.port.post_valid, false);
    poke(&mut sim.block.port.window, true);
    sim.mark_dirty();
    let mut cycles = 0;
    loop {
        sim.settle_if_dirty();
        cycles += 1;
        let busy = sim.block.port.stage_busy.val();
        sim.rise();
        if !busy {
            break;
        }
        assert!(cycles < 10_000, "the window never closes");
    }
    poke(&mut sim.block.port.window, false);
    sim.mark_dirty();
    sim.rise();
    cycles
}

/// The window's `stage_busy` cycles stated in `stdp_synapses`: entry, one per axon below the
/// limit and one per row word of a learning axon without a pre event (once a tick has been
/// learned, and when the previous tick had a post spike), one per (rule, group), sweep drain.
fn window_cycles(reference: &Reference, events: &[usize], previous_post: Option<&[bool]>) -> u64 {
    let axon_pass = match previous_post {
        None => 0,
        Some(post) => {
            let rows: usize = if post.iter().any(|&p| p) {
                reference
                    .axons
                    .iter()
                    .enumerate()
                    .filter(|(axon, spec)| spec.learning.is_some() && !events.contains(axon))
                    .map(|(_, spec)| spec.last_group - spec.first_group + 1)
                    .sum()
            } else {
                0
            };
            AXONS + rows
        }
    };
    (1 + axon_pass + reference.rules.len() * GROUPS + 2) as u64
}

fn tick_start(sim: &mut Clocked<Stage>) {
    poke(&mut sim.block.port.tick_start, true);
    sim.mark_dirty();
    sim.rise();
    poke(&mut sim.block.port.tick_start, false);
    sim.mark_dirty();
}

/// Reads every stored weight, pre trace and post trace back and compares with the reference.
fn check_state(sim: &mut Clocked<Stage>, reference: &Reference, round: usize) {
    for (axon, spec) in reference.axons.iter().enumerate() {
        for group in spec.first_group..=spec.last_group {
            let address = (axon * GROUPS + group) as u32;
            let low = read(sim, CfgTarget::Synapse, address);
            let high = read(sim, CfgTarget::SynapseHigh, address);
            assert_eq!(
                unpack_learning_weights(low, high),
                reference.lanes(axon, group),
                "round {round}: axon {axon} group {group} ({spec:?})"
            );
        }
        let word = LearnAxonWord::unpack(read(sim, CfgTarget::LearnAxon, axon as u32));
        assert!(!word.pre_done, "round {round}: axon {axon} kept its flag");
        if spec.learning.is_some() {
            assert_eq!(
                word.x as i64, reference.x[axon],
                "round {round}: x of axon {axon}"
            );
        }
    }
    for (rule, y) in reference.y.iter().enumerate() {
        for group in 0..GROUPS {
            let word = read(sim, CfgTarget::PostTrace, (rule * GROUPS + group) as u32);
            let expected: [i64; WEIGHTS_PER_WORD] =
                std::array::from_fn(|lane| y[group * WEIGHTS_PER_WORD + lane]);
            assert_eq!(
                unpack_post_traces(word),
                expected,
                "round {round}: y rule {rule} group {group}"
            );
        }
    }
}

#[test]
fn stdp_synapses_learn_as_fixed_stdp_at_the_port() {
    let mut rng = StdRng::seed_from_u64(0x57d95);
    let mut updated_words = 0;
    for round in 0..12 {
        let mut sim = stage();
        let mut reference = Reference::random(&mut rng);
        for (target, addr, data) in reference.config_writes() {
            write(&mut sim, target, addr, data);
        }
        // The rule words and the control word read back as written.
        for (target, addr, data) in reference.config_writes() {
            if matches!(target, CfgTarget::LearnRule | CfgTarget::LearnControl) {
                assert_eq!(read(&mut sim, target, addr), data, "{target:?} {addr}");
            }
        }
        check_state(&mut sim, &reference, round);
        let stall = [0.0, 0.3, 0.6][round % 3];
        let rate = [0.1, 0.4, 0.9][(round / 3) % 3];
        // Tick t: events (pre spikes of t - 1), posts of t. Step 4 of t - 1 completes in
        // tick t's window: the reference learns then, with the events of tick t.
        let mut previous_post: Option<Vec<bool>> = None;
        for _tick in 0..10 {
            let mut events: Vec<usize> = (0..AXONS).filter(|_| rng.gen_bool(rate)).collect();
            events.shuffle(&mut rng);
            let post: Vec<bool> = (0..NEURONS).map(|_| rng.gen_bool(rate)).collect();
            tick_start(&mut sim);
            input_phase(&mut sim, &reference, &events, stall, &mut rng);
            let expected = window_cycles(&reference, &events, previous_post.as_deref());
            let measured = post_and_window(&mut sim, &post, &mut rng);
            assert_eq!(measured, expected + 1, "round {round}: window cycles");
            if let Some(previous_post) = previous_post.take() {
                let mut pre = vec![false; AXONS];
                for &axon in &events {
                    pre[axon] = true;
                }
                let before = reference.w.clone();
                reference.learn(&pre, &previous_post);
                updated_words += reference
                    .w
                    .iter()
                    .zip(&before)
                    .filter(|(now, then)| now != then)
                    .count();
            }
            reference.advance_post_traces(&post);
            previous_post = Some(post);
        }
        // The last tick's step 4: one more tick whose events are its pre spikes and without
        // post spikes (a driver runs it with the neuron count at 0; its window decays y once
        // more, which the reference does too).
        let mut events: Vec<usize> = (0..AXONS).filter(|_| rng.gen_bool(rate)).collect();
        events.shuffle(&mut rng);
        tick_start(&mut sim);
        input_phase(&mut sim, &reference, &events, stall, &mut rng);
        let expected = window_cycles(&reference, &events, previous_post.as_deref());
        let measured = post_and_window(&mut sim, &[false; NEURONS], &mut rng);
        assert_eq!(measured, expected + 1, "round {round}: window cycles");
        let mut pre = vec![false; AXONS];
        for &axon in &events {
            pre[axon] = true;
        }
        reference.learn(&pre, &previous_post.expect("ticks ran"));
        reference.advance_post_traces(&[false; NEURONS]);
        check_state(&mut sim, &reference, round);
    }
    assert!(updated_words > 500, "only {updated_words} learned words");
}
