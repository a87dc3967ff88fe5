//! `LifUnit` against `fixed::lif_update`, one random or corner case per cycle.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

use crate::fixed::{
    self, LifParams, LifState, BIAS_EXP_MAX, BIAS_MANT_MAX, BIAS_MANT_MIN, DU_MAX, DV_MAX,
    UV_LIMIT, VTH_MAX, V_MAX,
};
use crate::map::neuron_word;
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::layout::{unpack_u, unpack_v, ACC_BITS, ACC_SLOTS, U_BITS, V_BITS};
use crate::rtl::lif_unit::LifUnit;

/// The largest |a| the mapper admits, where the unit is exact.
const A_LIMIT: i64 = crate::map::MAX_ABS_ACTIVATION;
/// The largest slot shift (weight_exp = -8).
const MAX_SLOT_SHIFT: u64 = 8;

/// One LIF operation: inputs and the slot contents they imply.
#[derive(Debug, Clone, Copy)]
struct Case {
    state: LifState,
    params: LifParams,
    acc: [i64; ACC_SLOTS],
    shifts: [u64; ACC_SLOTS - 1],
}

impl Case {
    /// `a = acc0 + Σ acc_k >>> shift_k` (the shift floors, as the spec's per-projection shift).
    fn activation(&self) -> i64 {
        self.acc[0]
            + (1..ACC_SLOTS)
                .map(|k| self.acc[k] >> self.shifts[k - 1])
                .sum::<i64>()
    }
}

/// A value from `corners` half of the time, else uniform in `range`.
fn pick(rng: &mut StdRng, corners: &[i64], range: std::ops::RangeInclusive<i64>) -> i64 {
    if rng.gen_bool(0.5) {
        corners[rng.gen_range(0..corners.len())]
    } else {
        rng.gen_range(range)
    }
}

fn random_case(rng: &mut StdRng) -> Case {
    let u_corners = [
        0,
        1,
        -1,
        UV_LIMIT,
        UV_LIMIT - 1,
        -UV_LIMIT + 1,
        -UV_LIMIT + 2,
    ];
    let v_corners = [0, 1, -1, V_MAX, -V_MAX, V_MAX - 1, -V_MAX + 1];
    let params = LifParams {
        du: pick(rng, &[0, 1, DU_MAX - 1, DU_MAX], 0..=DU_MAX),
        dv: pick(rng, &[0, 1, DV_MAX - 1, DV_MAX], 0..=DV_MAX),
        vth: pick(rng, &[0, 1, VTH_MAX], 0..=VTH_MAX),
        bias_mant: pick(
            rng,
            &[0, BIAS_MANT_MIN, BIAS_MANT_MAX, -1],
            BIAS_MANT_MIN..=BIAS_MANT_MAX,
        ),
        bias_exp: pick(rng, &[0, BIAS_EXP_MAX], 0..=BIAS_EXP_MAX),
    };
    let state = LifState {
        u: pick(rng, &u_corners, -UV_LIMIT + 1..=UV_LIMIT),
        v: pick(rng, &v_corners, -V_MAX..=V_MAX),
    };
    let shifts = std::array::from_fn(|_| rng.gen_range(0..=MAX_SLOT_SHIFT));
    // Slots such that |a| <= 2^18: each slot within a quarter of the bound, or the whole
    // bound in slot 0 (the extremes of a), or a negative slot that floors (-1 >>> s = -1).
    let acc = match rng.gen_range(0..4) {
        0 => [pick(rng, &[A_LIMIT, -A_LIMIT], -A_LIMIT..=A_LIMIT), 0, 0, 0],
        1 => [0, -1, -1, -1],
        _ => std::array::from_fn(|_| rng.gen_range(-A_LIMIT / 4..=A_LIMIT / 4)),
    };
    Case {
        state,
        params,
        acc,
        shifts,
    }
}

/// Cases whose `v'` lands exactly on, just under and just over the threshold: with du = dv =
/// 4095 the state decays to zero, so `v' = (a << 6) + bias`, a multiple of 64 when
/// `bias_exp >= 6`; the threshold `vth << 6` is then set to `v'`, `v' - 64` and `v' + 64`.
fn threshold_edge_cases(rng: &mut StdRng) -> Vec<Case> {
    let mut cases = Vec::new();
    let a = rng.gen_range(0..=VTH_MAX / 2);
    let bias_mant = rng.gen_range(0..=BIAS_MANT_MAX);
    let v_next = (a << 6) + (bias_mant << 6);
    for vth in [v_next >> 6, (v_next >> 6) - 1, (v_next >> 6) + 1] {
        cases.push(Case {
            state: LifState {
                u: rng.gen_range(-UV_LIMIT + 1..=UV_LIMIT),
                v: rng.gen_range(-V_MAX..=V_MAX),
            },
            params: LifParams {
                du: DU_MAX,
                dv: DV_MAX,
                vth: vth.clamp(0, VTH_MAX),
                bias_mant,
                bias_exp: 6,
            },
            acc: [a, 0, 0, 0],
            shifts: [0; ACC_SLOTS - 1],
        });
    }
    cases
}

fn drive(unit: &mut Clocked<LifUnit>, case: &Case) {
    let word = neuron_word(&case.params, case.shifts);
    let lif = &mut unit.block;
    poke(&mut lif.in_valid, true);
    poke(&mut lif.in_neuron, 5.into());
    poke(&mut lif.in_u, fixed::to_twos(case.state.u, U_BITS).into());
    poke(&mut lif.in_v, fixed::to_twos(case.state.v, V_BITS).into());
    poke(&mut lif.in_decay, u64::from(word.param_decay()).into());
    poke(
        &mut lif.in_bias_shift,
        u64::from(word.param_bias_shift()).into(),
    );
    poke(
        &mut lif.in_threshold,
        u64::from(word.param_threshold()).into(),
    );
    poke(
        &mut lif.in_acc0,
        fixed::to_twos(case.acc[0], ACC_BITS).into(),
    );
    poke(
        &mut lif.in_acc1,
        fixed::to_twos(case.acc[1], ACC_BITS).into(),
    );
    poke(
        &mut lif.in_acc2,
        fixed::to_twos(case.acc[2], ACC_BITS).into(),
    );
    poke(
        &mut lif.in_acc3,
        fixed::to_twos(case.acc[3], ACC_BITS).into(),
    );
    unit.mark_dirty();
}

#[test]
fn lif_unit_matches_fixed_lif_update_on_corner_and_random_cases() {
    let mut lif = LifUnit::default();
    lif.clock.connect();
    lif.in_valid.connect();
    lif.in_neuron.connect();
    lif.in_u.connect();
    lif.in_v.connect();
    lif.in_decay.connect();
    lif.in_bias_shift.connect();
    lif.in_threshold.connect();
    lif.in_acc0.connect();
    lif.in_acc1.connect();
    lif.in_acc2.connect();
    lif.in_acc3.connect();
    lif.connect_all();
    let mut unit = Clocked::new(lif, |lif| &mut lif.clock, "LifUnit");
    let mut rng = StdRng::seed_from_u64(0x11f);
    let mut cases: Vec<Case> = (0..6000).map(|_| random_case(&mut rng)).collect();
    for _ in 0..300 {
        cases.extend(threshold_edge_cases(&mut rng));
    }
    let (mut spikes, mut wraps) = (0, 0);
    for case in &cases {
        let a = case.activation();
        assert!(a.abs() <= A_LIMIT, "case outside the exact range: {case:?}");
        let mut expected = case.state;
        let spike = fixed::lif_update(&mut expected, &case.params, a);
        drive(&mut unit, case);
        unit.rise();
        let lif = &unit.block;
        let got = LifState {
            u: unpack_u(lif.out_u.val().to_u64()),
            v: unpack_v(lif.out_v.val().to_u64()),
        };
        assert!(lif.out_valid.val());
        assert_eq!(lif.out_neuron.val().to_u64(), 5);
        assert_eq!(
            (got, lif.out_spike.val()),
            (expected, spike),
            "a = {a}, {case:?}"
        );
        spikes += usize::from(spike);
        let unwrapped = fixed::decay(case.state.u, case.params.du + 1) + (a << 6);
        wraps += usize::from(unwrapped != fixed::wrap_u(unwrapped));
    }
    // The corners were reached: spikes and silences, and u wrapping both ways.
    assert!(
        spikes > 500 && spikes < cases.len() - 500,
        "{spikes} spikes"
    );
    assert!(wraps > 20, "{wraps} wraps");
}
