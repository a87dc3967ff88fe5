//! `WriteVerify` at its own pins, driving the behavioural device model (`analog::device`)
//! through a read path of random latency, against the reference algorithm
//! (`analog::program::write_verify`) run on an identically seeded array: the same reads, the
//! same pulses in the same directions, the same outcome and the same final conductance, for
//! every device of an array with random windows and budgets (reachable, unreachable, budget 0).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::analog::device::{CrossbarArray, DeviceParams, Pulse};
use crate::analog::program::{read_code, write_verify, DeviceAt, Outcome, ReadScale};
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::write_verify::WriteVerify;

const BITS: usize = 8;

fn controller() -> Clocked<WriteVerify<BITS>> {
    WriteVerify::<BITS>::clocked()
}

/// Runs the controller on one device until `done`; the read path answers each `read_start`
/// after 1..=6 cycles. Returns the outcome as the reference reports it.
fn run_rtl(
    sim: &mut Clocked<WriteVerify<BITS>>,
    array: &mut CrossbarArray,
    at: DeviceAt,
    scale: &ReadScale,
    window: (u32, u32),
    budget: u32,
    rng: &mut StdRng,
) -> Outcome {
    let block = &mut sim.block;
    poke(&mut block.start, true);
    poke(&mut block.target_lo, u64::from(window.0).into());
    poke(&mut block.target_hi, u64::from(window.1).into());
    poke(&mut block.max_pulses, u64::from(budget).into());
    poke(&mut block.read_done, false);
    sim.mark_dirty();
    sim.settle_if_dirty();
    assert!(!sim.block.busy.val());
    sim.rise();
    poke(&mut sim.block.start, false);
    let mut codes = Vec::new();
    // A read in flight: its code and the cycles left until it is answered.
    let mut pending: Option<(u32, u32)> = None;
    let mut pulses = 0;
    for _ in 0..100_000 {
        let answer = match pending {
            Some((code, 0)) => Some(code),
            _ => None,
        };
        poke(&mut sim.block.read_done, answer.is_some());
        poke(
            &mut sim.block.read_code,
            u64::from(answer.unwrap_or(0)).into(),
        );
        sim.mark_dirty();
        sim.settle_if_dirty();
        let block = &sim.block;
        if answer.is_some() {
            pending = None;
        }
        if let Some((code, left)) = pending {
            pending = Some((code, left - 1));
        }
        if block.done.val() {
            assert!(!block.busy.val());
            let outcome = Outcome {
                failed: block.failed.val(),
                pulses: block.pulses.val().index() as u32,
                codes,
            };
            assert_eq!(outcome.pulses, pulses, "the pulse count pin");
            sim.rise();
            return outcome;
        }
        assert!(block.busy.val());
        assert!(!(block.pulse_set.val() && block.pulse_reset.val()));
        if block.read_start.val() {
            assert!(pending.is_none(), "one read at a time");
            let code = read_code(array, at, scale);
            codes.push(code);
            pending = Some((code, rng.gen_range(0..6)));
        }
        if block.pulse_set.val() || block.pulse_reset.val() {
            let direction = if block.pulse_set.val() {
                Pulse::Set
            } else {
                Pulse::Reset
            };
            array.pulse(at.row, at.col, at.positive, direction);
            pulses += 1;
        }
        sim.rise();
    }
    panic!("no done after 100 000 cycles");
}

#[test]
fn write_verify_matches_the_reference_on_every_device() {
    let params = DeviceParams {
        sigma_d2d: 0.1,
        ..DeviceParams::default()
    };
    let scale = ReadScale {
        bits: BITS as u32,
        g_full_scale: 128e-6,
    };
    let (rows, cols) = (8, 8);
    let mut hardware = CrossbarArray::new(rows, cols, params, 9).unwrap();
    let mut reference = hardware.clone();
    let mut sim = controller();
    let mut rng = StdRng::seed_from_u64(0x3a);
    let (mut ok, mut failed) = (0, 0);
    for row in 0..rows {
        for col in 0..cols {
            for positive in [true, false] {
                let at = DeviceAt { row, col, positive };
                let lo = rng.gen_range(0..=250);
                let window = match rng.gen_range(0..5) {
                    // Unreachable: above every device's g_max.
                    0 => (252, 255),
                    _ => (lo, lo + rng.gen_range(0..=5)),
                };
                let budget = if rng.gen_bool(0.1) {
                    0
                } else {
                    rng.gen_range(1..=80)
                };
                let expected = write_verify(&mut reference, at, &scale, window, budget);
                let got = run_rtl(
                    &mut sim,
                    &mut hardware,
                    at,
                    &scale,
                    window,
                    budget,
                    &mut rng,
                );
                assert_eq!(
                    got, expected,
                    "device {at:?}, window {window:?}, budget {budget}"
                );
                assert_eq!(
                    hardware.device(row, col, positive),
                    reference.device(row, col, positive)
                );
                if got.failed {
                    failed += 1;
                } else {
                    ok += 1;
                }
            }
        }
    }
    // Both outcomes must occur for the comparison to mean anything.
    assert!(ok >= 20 && failed >= 10, "{ok} converged, {failed} failed");
}

/// The controller's Verilog passes `verilator --lint-only -Wall` with the project waivers.
#[test]
fn write_verify_verilog_lints_clean() {
    super::assert_verilog_lints_clean(&controller().block, "neurofab_write_verify");
}
