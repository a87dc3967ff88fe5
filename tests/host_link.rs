//! The UART host link, end to end and under abuse.
//!
//! - (a) `neurofab run --port sim` reproduces every shared Lava vector byte for byte through the
//!   protocol on the Verilated `HostTop` (UART pins driven cycle by cycle), and the final states
//!   read back over the link equal the golden model's;
//! - (b) broken requests (truncated, corrupted, unknown command, bad length, out of range,
//!   framing error, queue overflow, a request while busy) get the right error response and
//!   change nothing: after each, a "twin" device that only ever received the valid requests has
//!   the same neuron states and produces the same next tick;
//! - (c) host-side framing: request layout and CRC residue on random payloads, and response
//!   round trips, against the published CRC check value;
//! - the exported host-link Verilog lints clean with `testbenches/lint_waivers.vlt`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command as Process;

use neurofab::export::tools::require_tool_or_skip;
use neurofab::export::verilator::lint;
use neurofab::host::driver::{run_network, HostDriver, HostError};
use neurofab::host::protocol::{
    config_payloads, crc16, encode_request, encode_response, inject_payloads, read_state_payload,
    run_payload, Command, ConfigEntry, DeviceInfo, Response, ResponseParser, Status, TickReport,
    MAX_REQUEST_PAYLOAD, REQUEST_SYNC, TICK_REPORT,
};
use neurofab::host::sim::SimTransport;
use neurofab::host::transport::Transport;
use neurofab::map::map_network;
use neurofab::model::{GoldenModel, Network, SpikeTrain};
use neurofab::rtl::host::{host_verilog, HostParams, HOST_MODULE};
use neurofab::rtl::layout::CfgTarget;
use neurofab::rtl::regmap::CFG_TARGET_CODES;
use neurofab::shape::CoreShape;
use rand::{rngs::StdRng, Rng, SeedableRng};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const SMALL: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

fn vectors() -> Vec<PathBuf> {
    common::inference_vectors()
}

// ---------------------------------------------------------------- (a) end to end

/// `neurofab run NET --port sim` on every vector writes exactly `expected.csv` (default
/// 256x256 core, the same design an FPGA board gets apart from the bit time).
#[test]
fn run_port_sim_reproduces_every_vector() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for vector in vectors() {
        let out = dir.path().join("spikes.csv");
        let output = Process::new(env!("CARGO_BIN_EXE_neurofab"))
            .arg("run")
            .arg(vector.join("net.json"))
            .args(["--port", "sim", "--out"])
            .arg(&out)
            .output()
            .expect("run neurofab");
        assert!(
            output.status.success(),
            "{}: {}",
            vector.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let got = std::fs::read_to_string(&out).unwrap();
        let expected = std::fs::read_to_string(vector.join("expected.csv")).unwrap();
        assert!(
            got == expected,
            "{}: spikes over the link differ from expected.csv",
            vector.display()
        );
        std::fs::remove_file(&out).unwrap();
        // The cycles the device counts are the cycles `sim` counts (the README's formula).
        let sim = Process::new(env!("CARGO_BIN_EXE_neurofab"))
            .arg("sim")
            .arg(vector.join("net.json"))
            .args(["--engine", "verilator"])
            .output()
            .expect("run neurofab");
        assert!(
            sim.status.success(),
            "{}",
            String::from_utf8_lossy(&sim.stderr)
        );
        assert_eq!(
            core_cycles(&output.stderr),
            core_cycles(&sim.stderr),
            "{}: core cycles of `run --port sim` and `sim`",
            vector.display()
        );
    }
}

/// The `N core cycles in ticks` figure of a command's summary line.
fn core_cycles(stderr: &[u8]) -> u64 {
    let text = String::from_utf8_lossy(stderr);
    let (before, _) = text
        .split_once(" core cycles in ticks")
        .unwrap_or_else(|| panic!("no core cycle count in {text:?}"));
    before
        .rsplit(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no core cycle count in {text:?}"))
}

/// Through the library on the 64x64 design: spikes equal `expected.csv`, and the final (u, v)
/// of every neuron read back over the link (READ_STATE) equal the golden model's, for every
/// vector that fits 64 neurons and 64 axons.
#[test]
fn small_core_spikes_and_final_states_match_golden() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let mut driver = HostDriver::new(SimTransport::new(HostParams::sim(SMALL).unwrap()).unwrap());
    let mut checked = 0;
    for vector in vectors() {
        let net = Network::load(&vector.join("net.json")).unwrap();
        if map_network(&net, SMALL).is_err() {
            continue;
        }
        let run = run_network(&mut driver, &net, net.ticks, &mut |_| {})
            .unwrap_or_else(|e| panic!("{}: {e}", vector.display()));
        let expected = std::fs::read_to_string(vector.join("expected.csv")).unwrap();
        assert_eq!(run.spikes.to_csv(&net), expected, "{}", vector.display());

        let mut golden = GoldenModel::new(&net);
        let mut spikes = Vec::new();
        for tick in 0..net.ticks {
            for (population, neuron) in golden.step() {
                spikes.push(neurofab::model::Spike {
                    tick,
                    population,
                    neuron,
                });
            }
        }
        assert_eq!(run.spikes, SpikeTrain::from_unsorted(spikes));
        for (p, pop) in net.populations.iter().enumerate() {
            for n in 0..pop.size {
                assert_eq!(
                    run.states[p][n],
                    golden.state(p, n),
                    "{}: final state of {}[{n}]",
                    vector.display(),
                    pop.name
                );
            }
        }
        assert_eq!(run.tick_cycles.len(), net.ticks as usize);
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} vectors fit 64x64");
}

/// INFO reports the generated parameters (values written here from the spec of the sim
/// design, not read from the generator).
#[test]
fn info_reports_shape_and_link_parameters() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let mut driver = HostDriver::new(SimTransport::new(HostParams::sim(SMALL).unwrap()).unwrap());
    let info = driver.info().unwrap();
    assert_eq!(
        info,
        DeviceInfo {
            version: 1,
            neurons: 64,
            axons: 64,
            max_payload: 512,
            cycles_per_bit: 4,
            config_targets: 9,
            timeout_cycles: 256,
        }
    );
    // Degenerate but valid requests: a run of 0 ticks, a read of 0 neurons, an empty batch.
    driver
        .run_ticks(0, &mut |r| {
            panic!("tick report {r:?} from a run of 0 ticks")
        })
        .unwrap();
    assert_eq!(driver.read_states(64, 0).unwrap(), vec![]);
    assert!(driver
        .request(Command::WriteConfig, &[])
        .unwrap()
        .payload
        .is_empty());
    let r = driver.request(Command::Inject, &[]).unwrap();
    assert!(r.payload.is_empty());
}

// ---------------------------------------------------------------- (b) robustness

/// A small network with steady activity: 8 inputs into 16 neurons, biased so that some spike
/// every few ticks, with a recurrent projection.
const NET: &str = r#"{"ticks": 1,
 "inputs": [{"name": "in", "size": 8, "spikes": []}],
 "populations": [{"name": "p", "size": 16,
   "neuron": {"du": 400, "dv": 200, "vth": 90, "bias_mant": [10,20,30,40,50,60,70,80,90,100,110,120,5,15,25,35], "bias_exp": 3}}],
 "projections": [
   {"from": "in", "to": "p", "weights": [[60,-20,30,0,10,40,-60,20],[0,50,0,-30,70,0,10,0],[20,20,20,20,20,20,20,20],[-40,60,0,0,0,90,0,30],[10,0,80,0,0,0,-10,0],[0,0,0,100,0,0,0,0],[30,30,-30,30,30,-30,30,30],[0,0,0,0,0,0,0,120],[50,0,50,0,50,0,50,0],[0,60,0,60,0,60,0,60],[70,-70,70,-70,0,0,0,0],[0,0,0,0,90,90,0,0],[10,20,30,40,50,60,70,80],[-10,-20,30,40,50,-60,70,80],[100,0,0,0,0,0,0,-100],[0,0,110,0,0,-110,0,0]]},
   {"from": "p", "to": "p", "weight_exp": -1, "weights": [[0,10,0,0,0,0,0,0,0,0,0,0,0,0,0,-10],[10,0,10,0,0,0,0,0,0,0,0,0,0,0,0,0],[0,10,0,10,0,0,0,0,0,0,0,0,0,0,0,0],[0,0,10,0,10,0,0,0,0,0,0,0,0,0,0,0],[0,0,0,10,0,10,0,0,0,0,0,0,0,0,0,0],[0,0,0,0,10,0,10,0,0,0,0,0,0,0,0,0],[0,0,0,0,0,10,0,10,0,0,0,0,0,0,0,0],[0,0,0,0,0,0,10,0,10,0,0,0,0,0,0,0],[0,0,0,0,0,0,0,10,0,10,0,0,0,0,0,0],[0,0,0,0,0,0,0,0,10,0,10,0,0,0,0,0],[0,0,0,0,0,0,0,0,0,10,0,10,0,0,0,0],[0,0,0,0,0,0,0,0,0,0,10,0,10,0,0,0],[0,0,0,0,0,0,0,0,0,0,0,10,0,10,0,0],[0,0,0,0,0,0,0,0,0,0,0,0,10,0,10,0],[0,0,0,0,0,0,0,0,0,0,0,0,0,10,0,10],[-10,0,0,0,0,0,0,0,0,0,0,0,0,0,10,0]]}
 ]}"#;

/// Two identical devices: `dut` receives the broken requests, `twin` only the valid ones.
struct Twins {
    dut: HostDriver<SimTransport>,
    twin: HostDriver<SimTransport>,
    /// Step number, to vary the injected events.
    step: u32,
}

fn entries_of(net: &Network) -> Vec<ConfigEntry> {
    map_network(net, SMALL)
        .unwrap()
        .config_writes()
        .iter()
        .map(|w| ConfigEntry {
            target: w.target as u8,
            addr: w.addr,
            data: w.data,
        })
        .collect()
}

impl Twins {
    fn new() -> Option<Twins> {
        require_tool_or_skip("verilator")?;
        let net = Network::from_json_str(NET, None).unwrap();
        let entries = entries_of(&net);
        let mut devices = Vec::new();
        for _ in 0..2 {
            let mut d =
                HostDriver::new(SimTransport::new(HostParams::sim(SMALL).unwrap()).unwrap());
            d.info().unwrap();
            d.write_config(&entries).unwrap();
            devices.push(d);
        }
        let twin = devices.pop().unwrap();
        let dut = devices.pop().unwrap();
        let mut twins = Twins { dut, twin, step: 0 };
        // Warm up until the states are far from the cleared ones.
        for _ in 0..4 {
            twins.step_both();
        }
        Some(twins)
    }

    /// Injects the same events into both, runs one tick on both, and checks the reports agree.
    fn step_both(&mut self) -> TickReport {
        self.step += 1;
        // Input axons 0..8 are the inputs' (mapper: the first projection's axons come first).
        let axons: Vec<u16> = (0..8u16)
            .filter(|&a| !(a as u32 + self.step).is_multiple_of(3))
            .collect();
        let mut reports = Vec::new();
        for d in [&mut self.dut, &mut self.twin] {
            d.inject(&axons).unwrap();
            let mut got = Vec::new();
            d.run_ticks(1, &mut |r| {
                got.push(r);
                Ok(())
            })
            .unwrap();
            reports.push(got.pop().unwrap());
        }
        assert_eq!(
            reports[0], reports[1],
            "dut and twin diverged at step {}",
            self.step
        );
        reports.pop().unwrap()
    }

    fn states(d: &mut HostDriver<SimTransport>) -> Vec<(i32, i32)> {
        d.read_states(0, 64).unwrap()
    }

    /// Same states now, and the same next tick.
    fn assert_untouched(&mut self, case: &str) {
        let a = Self::states(&mut self.dut);
        let b = Self::states(&mut self.twin);
        assert!(a == b, "{case}: neuron states changed");
        assert!(
            a.iter().any(|&s| s != (0, 0)),
            "{case}: states are all zero, the comparison would be weak"
        );
        self.step_both();
    }

    /// Sends raw bytes to the dut and expects one error response.
    fn expect_error(&mut self, bytes: &[u8], status: Status, command: u8, case: &str) -> Response {
        self.dut.transport_mut().send(bytes).unwrap();
        let r = self
            .dut
            .read_response(case)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!((r.status, r.command), (status, command), "{case}");
        self.dut.resync().unwrap();
        r
    }
}

/// A batch that would visibly change everything if any of it were applied: overwrites states,
/// synapse words of live axons, thresholds and the neuron count, then clears the core.
fn poison() -> Vec<ConfigEntry> {
    let mut p = Vec::new();
    for n in 0..14u32 {
        p.push(ConfigEntry {
            target: CfgTarget::StateU as u8,
            addr: n,
            data: 0x12_3456,
        });
        p.push(ConfigEntry {
            target: CfgTarget::StateV as u8,
            addr: n,
            data: 0x23_4567,
        });
        p.push(ConfigEntry {
            target: CfgTarget::ParamThreshold as u8,
            addr: n,
            data: 0,
        });
    }
    // Axons 0..8 (the inputs) reach neurons 0..16: synapse groups 0..4 of rows of 16 groups.
    for axon in 0..8u32 {
        for group in 0..2u32 {
            p.push(ConfigEntry {
                target: CfgTarget::Synapse as u8,
                addr: axon * 16 + group,
                data: 0x7f7f_7f7f,
            });
        }
    }
    p.push(ConfigEntry {
        target: CfgTarget::NeuronCount as u8,
        addr: 0,
        data: 3,
    });
    p.push(ConfigEntry {
        target: CfgTarget::Clear as u8,
        addr: 0,
        data: 0,
    });
    p
}

fn payload_of(entries: &[ConfigEntry]) -> Vec<u8> {
    let mut payloads = config_payloads(entries, MAX_REQUEST_PAYLOAD);
    assert_eq!(payloads.len(), 1, "test batch must fit one frame");
    payloads.pop().unwrap()
}

const WRITE: u8 = Command::WriteConfig as u8;

/// Every broken request is answered with the right status and changes nothing; the device
/// keeps working afterwards; and the poison batch does change things when sent intact (so the
/// "unchanged" checks can fail).
#[test]
fn broken_requests_are_reported_and_never_applied() {
    let Some(mut t) = Twins::new() else {
        return;
    };
    let poison = poison();
    let frame = encode_request(WRITE, &payload_of(&poison));
    let n = frame.len();

    // Truncated: half a frame, then silence.
    t.expect_error(&frame[..n / 2], Status::Timeout, WRITE, "truncated frame");
    t.assert_untouched("truncated frame");
    t.expect_error(&[REQUEST_SYNC], Status::Timeout, 0, "sync byte only");
    t.assert_untouched("sync byte only");

    // Corrupted: a payload bit, a CRC byte, the command byte.
    let mut bad = frame.clone();
    bad[20] ^= 0x04;
    t.expect_error(&bad, Status::BadCrc, WRITE, "flipped payload bit");
    t.assert_untouched("flipped payload bit");
    let mut bad = frame.clone();
    bad[n - 1] ^= 0xff;
    t.expect_error(&bad, Status::BadCrc, WRITE, "corrupted CRC");
    t.assert_untouched("corrupted CRC");
    let mut bad = frame.clone();
    bad[1] = Command::Inject as u8;
    t.expect_error(
        &bad,
        Status::BadCrc,
        Command::Inject as u8,
        "corrupted command",
    );
    t.assert_untouched("corrupted command");

    // Corrupted length: shorter reads part of the payload as the CRC (and the receiver then
    // drains the rest); longer waits for bytes that never come.
    let mut bad = frame.clone();
    bad[2] -= 7;
    t.expect_error(&bad, Status::BadCrc, WRITE, "length 7 too short");
    t.assert_untouched("length 7 too short");
    let mut bad = frame.clone();
    bad[2] += 7;
    t.expect_error(&bad, Status::Timeout, WRITE, "length 7 too long");
    t.assert_untouched("length 7 too long");

    // A framing error (low stop bit) in the middle of the frame.
    t.dut.transport_mut().send(&frame[..30]).unwrap();
    t.dut.transport_mut().send_byte(frame[30], false).unwrap();
    t.expect_error(&frame[31..], Status::Framing, WRITE, "framing error");
    t.assert_untouched("framing error");

    // Unknown command, with a good CRC.
    t.expect_error(
        &encode_request(0x7e, &payload_of(&poison)),
        Status::UnknownCommand,
        0x7e,
        "unknown command",
    );
    t.assert_untouched("unknown command");

    // Bad lengths: over the buffer (reported at once, the rest drained), a trailing partial
    // entry, fixed-size commands with the wrong size.
    let mut long = payload_of(&poison);
    long.extend(payload_of(&poison[..20]));
    assert!(long.len() > MAX_REQUEST_PAYLOAD);
    t.expect_error(
        &encode_request(WRITE, &long),
        Status::BadLength,
        WRITE,
        "LEN over the buffer",
    );
    t.assert_untouched("LEN over the buffer");
    let mut partial = payload_of(&poison);
    partial.extend([1, 0, 0]);
    t.expect_error(
        &encode_request(WRITE, &partial),
        Status::BadLength,
        WRITE,
        "partial entry",
    );
    t.assert_untouched("partial entry");
    let run = Command::Run as u8;
    t.expect_error(
        &encode_request(run, &[1, 0, 0]),
        Status::BadLength,
        run,
        "RUN with 3 bytes",
    );
    t.assert_untouched("RUN with 3 bytes");
    let info = Command::Info as u8;
    t.expect_error(
        &encode_request(info, &[0]),
        Status::BadLength,
        info,
        "INFO with 1 byte",
    );

    // Out of range: the first bad entry's index comes back, and the valid entries before it
    // are not applied either.
    let oor_cases: [(ConfigEntry, &str); 5] = [
        (
            ConfigEntry {
                target: CfgTarget::StateU as u8,
                addr: 64,
                data: 0,
            },
            "state address 64",
        ),
        (
            ConfigEntry {
                target: CfgTarget::Synapse as u8,
                addr: 64 * 16,
                data: 0,
            },
            "synapse address past the SRAM",
        ),
        (
            ConfigEntry {
                target: 9,
                addr: 0,
                data: 0,
            },
            "target 9",
        ),
        (
            ConfigEntry {
                target: CfgTarget::NeuronCount as u8,
                addr: 0,
                data: 65,
            },
            "neuron count 65",
        ),
        (
            ConfigEntry {
                target: CfgTarget::Clear as u8,
                addr: 1,
                data: 0,
            },
            "clear at address 1",
        ),
    ];
    for (bad_entry, case) in oor_cases {
        let mut entries = poison.clone();
        entries.insert(50, bad_entry);
        let r = t.expect_error(
            &encode_request(WRITE, &payload_of(&entries)),
            Status::OutOfRange,
            WRITE,
            case,
        );
        assert_eq!(
            r.payload,
            50u16.to_le_bytes(),
            "{case}: index of the bad entry"
        );
        t.assert_untouched(case);
    }
    // Two bad entries: the first is reported.
    let mut entries = poison.clone();
    entries[3].addr = 100;
    entries[55].target = 15;
    let r = t.expect_error(
        &encode_request(WRITE, &payload_of(&entries)),
        Status::OutOfRange,
        WRITE,
        "two bad entries",
    );
    assert_eq!(r.payload, 3u16.to_le_bytes());
    t.assert_untouched("two bad entries");

    let read = Command::ReadState as u8;
    t.expect_error(
        &encode_request(read, &read_state_payload(60, 5)),
        Status::OutOfRange,
        read,
        "READ_STATE past the last neuron",
    );
    let inject = Command::Inject as u8;
    t.expect_error(
        &encode_request(inject, &inject_payloads(&[3, 64], MAX_REQUEST_PAYLOAD)[0]),
        Status::OutOfRange,
        inject,
        "axon 64",
    );
    t.assert_untouched("axon 64 (no event may have been queued)");

    // Queue overflow: 65 events in one frame, and 40 + 30 in two.
    let many: Vec<u16> = (0..65).map(|a| a % 64).collect();
    t.expect_error(
        &encode_request(inject, &inject_payloads(&many, MAX_REQUEST_PAYLOAD)[0]),
        Status::QueueFull,
        inject,
        "65 events",
    );
    t.assert_untouched("65 events");
    let forty: Vec<u16> = (0..40).map(|a| a % 8).collect();
    t.dut.inject(&forty).unwrap();
    t.twin.inject(&forty).unwrap();
    t.expect_error(
        &encode_request(
            inject,
            &inject_payloads(&forty[..30], MAX_REQUEST_PAYLOAD)[0],
        ),
        Status::QueueFull,
        inject,
        "40 + 30 events",
    );
    t.assert_untouched("40 + 30 events (both devices had 40 queued)");

    // A valid request sent while a RUN is executing is dropped and answered BUSY after the
    // run's own responses.
    let mut twin_reports = Vec::new();
    t.twin
        .run_ticks(3, &mut |r| {
            twin_reports.push(r);
            Ok(())
        })
        .unwrap();
    t.dut
        .transport_mut()
        .send(&encode_request(run, &run_payload(3)))
        .unwrap();
    t.dut.transport_mut().send(&frame).unwrap();
    for (tick, want) in twin_reports.iter().enumerate() {
        let r = t.dut.read_response("tick report").unwrap();
        assert_eq!((r.status, r.command), (Status::Ok, TICK_REPORT));
        assert_eq!(&TickReport::decode(&r).unwrap(), want, "tick {tick}");
    }
    let r = t.dut.read_response("end of run").unwrap();
    assert_eq!(
        (r.status, r.command, r.payload),
        (Status::Ok, run, vec![3, 0])
    );
    let r = t.dut.read_response("busy").unwrap();
    assert_eq!((r.status, r.command), (Status::Busy, 0));
    t.dut.resync().unwrap();
    t.assert_untouched("write while running");

    // The intact poison does change the device: the checks above could fail.
    t.dut.write_config(&poison).unwrap();
    let a = Twins::states(&mut t.dut);
    let b = Twins::states(&mut t.twin);
    assert_ne!(
        a, b,
        "the poison batch changes nothing; the test is vacuous"
    );
}

/// Requests of every kind survive random line noise between them: garbage bytes (never the
/// sync byte) in the idle line are ignored.
#[test]
fn noise_between_frames_is_ignored() {
    let Some(mut t) = Twins::new() else {
        return;
    };
    let mut rng = StdRng::seed_from_u64(3);
    for _ in 0..5 {
        let noise: Vec<u8> = (0..rng.gen_range(1..20))
            .map(|_| rng.gen_range(0..=255u8))
            .filter(|&b| b != REQUEST_SYNC)
            .collect();
        t.dut.transport_mut().send(&noise).unwrap();
        t.assert_untouched("noise");
    }
}

// ---------------------------------------------------------------- (c) host-side framing

/// Property: for random commands and payloads, a request frame is sync, command, length
/// (LE), payload, CRC (BE) over everything after the sync, and its residue is zero.
#[test]
fn request_frames_random_round_trip() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..500 {
        let command: u8 = rng.gen();
        let len = rng.gen_range(0..=MAX_REQUEST_PAYLOAD);
        let payload: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
        let frame = encode_request(command, &payload);
        assert_eq!(frame.len(), len + 6);
        assert_eq!(frame[0], 0xa5);
        assert_eq!(frame[1], command);
        assert_eq!(u16::from_le_bytes([frame[2], frame[3]]) as usize, len);
        assert_eq!(&frame[4..4 + len], &payload[..]);
        assert_eq!(crc16(&frame[1..]), 0, "residue");
        let crc = u16::from_be_bytes([frame[len + 4], frame[len + 5]]);
        assert_eq!(crc, crc16(&frame[1..len + 4]));
    }
    // The catalogued check value pins the CRC variant.
    assert_eq!(crc16(b"123456789"), 0x29b1);
}

/// Property: random responses survive encoding and byte-wise parsing, back to back; any
/// single corrupted byte after the sync (other than the length) is rejected.
#[test]
fn response_frames_random_round_trip_and_corruption() {
    let mut rng = StdRng::seed_from_u64(12);
    let mut parser = ResponseParser::new();
    for _ in 0..300 {
        let status = rng.gen_range(0..=8u8);
        let command: u8 = rng.gen();
        let payload: Vec<u8> = (0..rng.gen_range(0..600)).map(|_| rng.gen()).collect();
        let frame = encode_response(status, command, &payload);
        let parsed: Vec<Response> = frame
            .iter()
            .filter_map(|&b| parser.feed(b).unwrap())
            .collect();
        assert_eq!(parsed.len(), 1);
        assert_eq!(parsed[0].status as u8, status);
        assert_eq!(parsed[0].command, command);
        assert_eq!(parsed[0].payload, payload);

        let mut bad = frame.clone();
        let i = [1, 2, 5 + payload.len(), 6 + payload.len()][rng.gen_range(0..4)];
        let i = if payload.is_empty() || rng.gen_bool(0.5) {
            i
        } else {
            5 + rng.gen_range(0..payload.len())
        };
        bad[i] ^= rng.gen_range(1..=255u8);
        let mut p = ResponseParser::new();
        assert!(
            !bad.iter().any(|&b| matches!(p.feed(b), Ok(Some(_)))),
            "corruption of byte {i} accepted"
        );
    }
}

// ---------------------------------------------------------------- Verilog

/// The host-link design's Verilog passes `verilator --lint-only -Wall` with the project's
/// waiver file, for both generated shapes, with the plain and the learning core.
#[test]
fn host_verilog_lints_clean() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    let dir = tempfile::tempdir().unwrap();
    for learning in [false, true] {
        for shape in [SMALL, CoreShape::default()] {
            let path = dir.path().join(format!(
                "{HOST_MODULE}_{}x{}_{learning}.v",
                shape.neurons, shape.axons
            ));
            let params = HostParams::for_clock(shape, 12_000_000, 115_200)
                .unwrap()
                .with_learning(learning)
                .unwrap();
            std::fs::write(&path, host_verilog(&params)).unwrap();
            if let Err(e) = lint(&path, HOST_MODULE, Some(&waivers)) {
                panic!(
                    "{}x{} (learning {learning}): {e}",
                    shape.neurons, shape.axons
                );
            }
        }
    }
}

// ---------------------------------------------------------------- the serial-port path

/// The real-port transport (`SerialTransport`, as `run --port /dev/tty...` uses it) over a
/// pseudo-terminal whose other end is bridged to the Verilated device: the bytes a board would
/// see, through the OS's tty layer. Reproduces a vector byte for byte.
#[cfg(unix)]
#[test]
fn serial_transport_over_a_pty() {
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    use std::time::Duration;

    use neurofab::host::transport::SerialTransport;
    use serialport::{SerialPort, TTYPort};

    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let (mut master, slave) = TTYPort::pair().expect("pseudo-terminal pair");
    let slave_name = slave.name().expect("pty name");
    let mut device = SimTransport::new(HostParams::sim(SMALL).unwrap()).unwrap();
    // Each empty poll runs the device for 2000 cycles (well past its 256-cycle timeout, so a
    // resync pause of the host is seen as one).
    device.set_read_timeout_cycles(2000);
    master.set_timeout(Duration::from_millis(1)).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let stop_bridge = stop.clone();
    let bridge = std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        let mut out = Vec::new();
        while !stop_bridge.load(Ordering::Relaxed) {
            match master.read(&mut buf) {
                // More of a frame may follow at once: read again before letting time pass.
                Ok(n) if n > 0 => {
                    device.send(&buf[..n]).unwrap();
                    continue;
                }
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("pty master: {e}"),
            }
            while let Some(b) = device.recv().unwrap() {
                out.push(b);
            }
            if !out.is_empty() {
                master.write_all(&out).unwrap();
                out.clear();
            }
        }
    });

    let vector = vectors()
        .into_iter()
        .find(|v| map_network(&Network::load(&v.join("net.json")).unwrap(), SMALL).is_ok())
        .expect("a vector that fits 64x64");
    let net = Network::load(&vector.join("net.json")).unwrap();
    let port = SerialTransport::open(&slave_name, 115_200, Duration::from_secs(5))
        .expect("open the pty slave as a serial port");
    let mut driver = HostDriver::new(port);
    let run = run_network(&mut driver, &net, net.ticks, &mut |_| {});
    stop.store(true, Ordering::Relaxed);
    bridge.join().expect("bridge thread");
    drop(slave);
    let run = run.unwrap_or_else(|e| panic!("{}: {e}", vector.display()));
    let expected = std::fs::read_to_string(vector.join("expected.csv")).unwrap();
    assert_eq!(run.spikes.to_csv(&net), expected, "{}", vector.display());
}

/// A serial port that cannot be opened is a clean CLI error that names it, with no output.
#[test]
fn run_on_a_missing_port_fails_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let vector = &vectors()[0];
    let out = dir.path().join("spikes.csv");
    let output = Process::new(env!("CARGO_BIN_EXE_neurofab"))
        .arg("run")
        .arg(vector.join("net.json"))
        .args(["--port", "/dev/neurofab-no-such-port", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("/dev/neurofab-no-such-port"), "{stderr}");
    assert!(!out.exists());
}

/// Damages every 4th request on its way to the device (a flipped byte after the sync, or a
/// truncation), like a noisy line.
struct Flaky<T> {
    inner: T,
    sends: u64,
    damaged: u64,
    rng: StdRng,
}

impl<T: Transport> Transport for Flaky<T> {
    fn send(&mut self, bytes: &[u8]) -> Result<(), neurofab::host::transport::TransportError> {
        self.sends += 1;
        if !self.sends.is_multiple_of(4) {
            return self.inner.send(bytes);
        }
        self.damaged += 1;
        let mut bad = bytes.to_vec();
        if self.rng.gen_bool(0.25) {
            bad.truncate(self.rng.gen_range(1..bytes.len()));
        } else {
            // Not the sync byte: a frame without one is never seen by the device, and its
            // loss is indistinguishable from a lost response, which is not retried.
            let i = self.rng.gen_range(1..bad.len());
            bad[i] ^= self.rng.gen_range(1..=255u8);
        }
        self.inner.send(&bad)
    }
    fn recv(&mut self) -> Result<Option<u8>, neurofab::host::transport::TransportError> {
        self.inner.recv()
    }
    fn idle(&mut self, bit_times: u64) -> Result<(), neurofab::host::transport::TransportError> {
        self.inner.idle(bit_times)
    }
    fn flush_input(&mut self) -> Result<(), neurofab::host::transport::TransportError> {
        self.inner.flush_input()
    }
    fn describe(&self) -> String {
        format!("flaky {}", self.inner.describe())
    }
}

/// Over a line that damages every 4th request, the driver's resends still reproduce a vector
/// byte for byte: damaged frames are reported, never applied, and safely resent.
#[test]
fn damaged_requests_are_resent_and_the_run_is_exact() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let vector = vectors()
        .into_iter()
        .find(|v| map_network(&Network::load(&v.join("net.json")).unwrap(), SMALL).is_ok())
        .expect("a vector that fits 64x64");
    let net = Network::load(&vector.join("net.json")).unwrap();
    let flaky = Flaky {
        inner: SimTransport::new(HostParams::sim(SMALL).unwrap()).unwrap(),
        sends: 0,
        damaged: 0,
        rng: StdRng::seed_from_u64(21),
    };
    let mut driver = HostDriver::new(flaky);
    let run = run_network(&mut driver, &net, net.ticks, &mut |_| {})
        .unwrap_or_else(|e| panic!("{}: {e}", vector.display()));
    let expected = std::fs::read_to_string(vector.join("expected.csv")).unwrap();
    assert_eq!(run.spikes.to_csv(&net), expected, "{}", vector.display());
    let damaged = driver.transport_mut().damaged;
    assert!(damaged >= 20, "only {damaged} damaged frames");
    assert_eq!(
        driver.retries(),
        damaged,
        "every damaged request was resent once"
    );
}

/// READ over `--port sim` (the Verilated `HostTop`, 64x64): random words written to every
/// readable target over its whole depth (first and last address included) read back equal,
/// masked to the target's width; READs of `CLEAR`, of a target this design lacks, of an unused
/// code and past a target's end answer `OUT_OF_RANGE` and change nothing (everything reads
/// back the same afterwards).
#[test]
fn read_config_round_trips_every_readable_target() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let params = HostParams::sim(SMALL).unwrap();
    let dims = params.dims();
    let mut driver = HostDriver::new(SimTransport::new(params).unwrap());
    driver.info().unwrap();
    let mut rng = StdRng::seed_from_u64(15);
    let readable: Vec<CfgTarget> = CfgTarget::ALL
        .into_iter()
        .filter(|t| t.depth(&dims) > 0 && t.is_readable())
        .collect();
    assert_eq!(readable.len(), 8, "{readable:?}");
    let mut want = Vec::new();
    for &target in &readable {
        let entries: Vec<ConfigEntry> = (0..target.depth(&dims))
            .map(|addr| ConfigEntry {
                target: target.code(),
                addr,
                data: if target == CfgTarget::NeuronCount {
                    rng.gen_range(0..=SMALL.neurons as u32)
                } else {
                    rng.gen()
                },
            })
            .collect();
        driver.write_config(&entries).unwrap();
        let mask = target.data_mask(SMALL.neurons);
        want.push(entries.iter().map(|e| e.data & mask).collect::<Vec<u32>>());
    }
    let read_all = |driver: &mut HostDriver<SimTransport>| -> Vec<Vec<u32>> {
        readable
            .iter()
            .map(|t| {
                let words = driver.read_config(t.code(), 0, t.depth(&dims) as usize);
                words.unwrap_or_else(|e| panic!("{t:?}: {e}"))
            })
            .collect()
    };
    let got = read_all(&mut driver);
    for ((target, got), want) in readable.iter().zip(&got).zip(&want) {
        assert_eq!(got, want, "{target:?}");
    }

    let synapse = CfgTarget::Synapse;
    let missing = CfgTarget::ALL
        .into_iter()
        .find(|t| t.depth(&dims) == 0)
        .unwrap();
    // A code without any target: the register map leaves codes of the 5-bit selector free.
    let unused = (0..CFG_TARGET_CODES as u8)
        .find(|&c| CfgTarget::from_code(c).is_none())
        .expect("the register map leaves a code unused");
    let bad = [
        (CfgTarget::Clear.code(), 0, 1),
        (missing.code(), 0, 1),
        (unused, 0, 1),
        (synapse.code(), synapse.depth(&dims) - 1, 2),
    ];
    for (target, first, count) in bad {
        match driver.read_config(target, first, count) {
            Err(HostError::Device {
                status: Status::OutOfRange,
                index: Some(0),
                ..
            }) => {}
            other => panic!("READ {target} {first} {count}: {other:?}"),
        }
    }
    assert_eq!(read_all(&mut driver), want);
}
