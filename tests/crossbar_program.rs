//! Loading a network into the crossbar by program-and-verify (`sim::xbar_program`): the rust-hdl
//! `WriteVerify` controller (rtl) leaves the array exactly as the reference algorithm (golden)
//! does, device for device (reads, pulses, outcome, conductance), devices it cannot bring
//! into their window are flagged with the whole budget spent, and `neurofab crossbar program`
//! prints the report and writes the per-device CSV.

mod common;

use common::neurofab_in as neurofab;
use neurofab::analog::column_read::CrossbarParams;
use neurofab::analog::device::DeviceParams;
use neurofab::model::Network;
use neurofab::shape::CoreShape;
use neurofab::sim::xbar_program::{program_network, ProgramOptions, Programmer};

/// Weights at both ends of the 16 levels: a device whose own `g_max` (30 % variation) lies
/// below level 15's window cannot get there.
const NET: &str = r#"{"ticks": 1,
 "inputs": [{"name": "in", "size": 6}],
 "populations": [{"name": "p", "size": 5, "neuron": {"vth": 10}}],
 "projections": [{"from": "in", "to": "p", "weights": [
   [15, -15, 0, 7, -3, 15], [-15, 15, 15, -15, 1, 0], [2, 4, -6, 8, -10, 12],
   [15, 15, 15, -15, -15, -15], [0, 0, 0, 0, 0, 0]]}]}"#;

const SHAPE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

fn params() -> CrossbarParams {
    CrossbarParams {
        device: DeviceParams {
            sigma_d2d: 0.3,
            ..DeviceParams::default()
        },
        seed: 3,
        ..CrossbarParams::default()
    }
}

#[test]
fn the_rtl_controller_programs_the_array_as_the_reference_and_flags_the_unreachable() {
    let net = Network::from_json_str(NET, None).unwrap();
    let options = ProgramOptions::default();
    let golden = program_network(&net, SHAPE, params(), options, Programmer::Golden).unwrap();
    let rtl = program_network(&net, SHAPE, params(), options, Programmer::Rtl).unwrap();
    // 6 rows x 5 columns x 2 devices.
    assert_eq!(golden.devices.len(), 60);
    assert_eq!(rtl.devices, golden.devices);
    assert_eq!(rtl.array.conductances(), golden.array.conductances());
    assert!(rtl.cycles > 0 && golden.cycles == 0);

    let (mut converged, mut failed) = (0, 0);
    for device in &golden.devices {
        let outcome = &device.outcome;
        let last = *outcome.codes.last().unwrap();
        assert_eq!(outcome.codes.len() as u32, outcome.pulses + 1, "{device:?}");
        let inside = (device.window.0..=device.window.1).contains(&last);
        if outcome.failed {
            failed += 1;
            assert!(
                !inside && outcome.pulses == options.max_pulses,
                "{device:?}"
            );
        } else {
            converged += 1;
            assert!(inside, "{device:?}");
        }
    }
    assert!(
        failed >= 3 && converged >= 40,
        "{converged} converged, {failed} failed"
    );
    // A device outside the used rows and columns is untouched (at its g_min, level 0).
    let idle = golden.array.device(10, 10, true);
    assert_eq!(idle.g, idle.g_min);
}

#[test]
fn crossbar_program_prints_the_report_and_writes_every_device() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("net.json"), NET).unwrap();
    std::fs::write(
        dir.join("hw.toml"),
        "[core]\nneurons = 64\naxons = 64\n[crossbar]\nsigma_d2d = 0.3\nseed = 3\n",
    )
    .unwrap();
    let run = |engine: &str, extra: &[&str]| {
        let mut args = vec![
            "crossbar", "program", "net.json", "--config", "hw.toml", "--engine", engine,
        ];
        args.extend_from_slice(extra);
        neurofab(&args, dir)
    };
    let out = run("rtl", &["--out", "devices.csv"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("60 devices"), "{stderr}");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("| 60 |"), "{table}");
    assert!(table.contains("programming error (level steps)"), "{table}");
    let csv = std::fs::read_to_string(dir.join("devices.csv")).unwrap();
    assert_eq!(csv.lines().count(), 61);
    // The same report from the reference.
    let golden = run("golden", &[]);
    assert_eq!(String::from_utf8_lossy(&golden.stdout), table);
    let refused = run("golden", &["--max-pulses", "300"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("at most 255 pulses"));
}
