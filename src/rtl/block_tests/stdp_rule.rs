//! `StdpRule` (one lane) against `fixed::stdp::learned_weight` and `TraceUnit` against
//! `fixed::stdp::trace_update`, at their own ports: random rules, weights and traces, every
//! sign mode, and the corners (saturation floor -32769, the two terms' order, ties, clamps).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

use crate::fixed::stdp::{
    learned_weight, trace_update, SignMode, StdpRule as Rule, TRACE_DECAY_MAX, TRACE_IMPULSE_MAX,
    TRACE_MAX,
};
use crate::fixed::{from_twos, to_twos};
use crate::rtl::clocked::poke;
use crate::rtl::layout::{sign_mode_code, LEARN_WEIGHT_BITS, RATE_SHIFT_OFFSET};
use crate::rtl::stdp_rule::StdpRule;
use crate::rtl::stdp_trace::TraceUnit;
use crate::sim::random_net::{pick, random_rule, random_weight};

fn settle<B: Block>(block: &mut B) {
    assert!(simulate(block, 100), "the block did not settle");
}

/// The lane's output for one case.
fn lane(block: &mut StdpRule, rule: &Rule, w: i64, pre: bool, post: bool, x: i64, y: i64) -> i64 {
    poke(&mut block.weight, to_twos(w, LEARN_WEIGHT_BITS).into());
    poke(&mut block.pre, pre);
    poke(&mut block.post, post);
    poke(&mut block.x, (x as u64).into());
    poke(&mut block.y, (y as u64).into());
    poke(&mut block.minus_mant, to_twos(rule.a_minus_mant, 4).into());
    poke(
        &mut block.minus_shift,
        ((rule.a_minus_exp + RATE_SHIFT_OFFSET) as u64).into(),
    );
    poke(&mut block.plus_mant, to_twos(rule.a_plus_mant, 4).into());
    poke(
        &mut block.plus_shift,
        ((rule.a_plus_exp + RATE_SHIFT_OFFSET) as u64).into(),
    );
    poke(&mut block.sign_mode, sign_mode_code(rule.sign_mode).into());
    settle(block);
    from_twos(block.new_weight.val().to_u64(), LEARN_WEIGHT_BITS)
}

#[test]
fn stdp_rule_lane_equals_learned_weight() {
    let mut block = StdpRule::default();
    block.weight.connect();
    block.pre.connect();
    block.post.connect();
    block.x.connect();
    block.y.connect();
    block.minus_mant.connect();
    block.minus_shift.connect();
    block.plus_mant.connect();
    block.plus_shift.connect();
    block.sign_mode.connect();
    block.connect_all();
    let mut rng = StdRng::seed_from_u64(0x57d9);
    let traces = [0, 1, 2, 3, 5, 126, TRACE_MAX];
    let mut saturated = 0;
    for case in 0..60_000 {
        let rule = random_rule(&mut rng);
        let w = random_weight(&mut rng, rule.sign_mode);
        let (pre, post) = [(true, false), (false, true), (true, true), (false, false)][case % 4];
        let x = pick(&mut rng, &traces, 0..=TRACE_MAX);
        let y = pick(&mut rng, &traces, 0..=TRACE_MAX);
        let expected = if pre || post {
            learned_weight(&rule, w, pre, post, x, y)
        } else {
            w
        };
        if expected == rule.sign_mode.weight_min() || expected == rule.sign_mode.weight_max() {
            saturated += 1;
        }
        let got = lane(&mut block, &rule, w, pre, post, x, y);
        assert_eq!(
            got, expected,
            "{rule:?} w {w} pre {pre} post {post} x {x} y {y}"
        );
    }
    assert!(saturated > 5_000, "only {saturated} cases at a clamp");

    // The hand-derived corners of `fixed::stdp`'s tests.
    let corner = |mode, minus: (i64, i64), plus: (i64, i64)| Rule {
        sign_mode: mode,
        a_minus_mant: minus.0,
        a_minus_exp: minus.1,
        a_plus_mant: plus.0,
        a_plus_exp: plus.1,
        ..Rule::default()
    };
    let floor = corner(SignMode::Mixed, (-8, 8), (1, -1));
    assert_eq!(lane(&mut block, &floor, 0, true, true, 1, 5), -256);
    let order = corner(SignMode::Mixed, (-8, 8), (7, 8));
    assert_eq!(lane(&mut block, &order, 100, true, true, 1, 1), 100);
    let ties = corner(SignMode::Mixed, (-1, -1), (1, -1));
    assert_eq!(lane(&mut block, &ties, 0, true, false, 0, 1), 0);
    assert_eq!(lane(&mut block, &ties, 0, true, false, 0, 3), -1);
    assert_eq!(lane(&mut block, &ties, 0, false, true, 1, 0), 1);
}

#[test]
fn trace_unit_equals_trace_update() {
    let mut block = TraceUnit::default();
    block.trace.connect();
    block.decay.connect();
    block.impulse.connect();
    block.spiked.connect();
    block.connect_all();
    let mut rng = StdRng::seed_from_u64(0x7ace);
    // Every trace with the decays' corners and random ones, spiking or not.
    let mut decays = vec![0, 1, 2, 2048, TRACE_DECAY_MAX - 1, TRACE_DECAY_MAX];
    decays.extend((0..20).map(|_| rng.gen_range(0..=TRACE_DECAY_MAX)));
    for &decay in &decays {
        for trace in 0..=TRACE_MAX {
            let impulse = pick(&mut rng, &[0, 1, TRACE_IMPULSE_MAX], 0..=TRACE_IMPULSE_MAX);
            let spiked = rng.gen_bool(0.5);
            poke(&mut block.trace, (trace as u64).into());
            poke(&mut block.decay, (decay as u64).into());
            poke(&mut block.impulse, (impulse as u64).into());
            poke(&mut block.spiked, spiked);
            settle(&mut block);
            assert_eq!(
                block.out.val().to_u64() as i64,
                trace_update(trace, decay, impulse, spiked),
                "trace {trace} decay {decay} impulse {impulse} spiked {spiked}"
            );
        }
    }
}
