//! State probes (`sim --probe`): the `(u, v)` of probed neurons after every tick is the same
//! on golden (read from the model), rtl and verilator (read from the cores' probe port
//! between ticks, single core and mesh), on seeded random networks and the Lava vectors; the
//! last tick's probe equals the final state each engine reports; the CLI writes the same
//! state CSV on every engine, and refuses bad probe arguments by name.

mod common;

use std::path::Path;

use common::{neurofab_in, seeds};
use neurofab::map::mesh::MeshShape;
use neurofab::map::MAX_ABS_ACTIVATION;
use neurofab::model::probe::StateRow;
use neurofab::model::{Network, SpikeCollector, SpikeTrain, StateCollector, Tee};
use neurofab::rtl::layout::ACC_SLOTS;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::{stream, Engine, RunOptions};

const SMALL_CORE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

/// Every neuron of every population.
fn all_neurons(net: &Network) -> Vec<(usize, usize)> {
    net.populations
        .iter()
        .enumerate()
        .flat_map(|(p, pop)| (0..pop.size).map(move |n| (p, n)))
        .collect()
}

/// Runs `net` with `probed` neurons probed; returns the spikes and the probed rows, after
/// checking that the last tick's rows are the final states the engine reports.
fn probed_run(
    net: &Network,
    engine: Engine,
    options: &RunOptions,
    probed: &[(usize, usize)],
) -> (SpikeTrain, Vec<StateRow>) {
    let mut spikes = SpikeCollector::default();
    let mut states = StateCollector {
        probed: probed.to_vec(),
        rows: Vec::new(),
    };
    let summary = {
        let mut tee = Tee {
            sinks: vec![&mut spikes],
            probe: Some(&mut states),
        };
        stream(net, engine, net.ticks, options, &mut tee, &mut |_| {})
            .unwrap_or_else(|e| panic!("{engine:?} failed: {e}\n{}", net.to_json()))
    };
    assert_eq!(states.rows.len(), probed.len() * net.ticks as usize);
    let last = net.ticks.saturating_sub(1);
    for row in states.rows.iter().filter(|r| r.tick == last) {
        assert_eq!(
            row.state,
            summary.states[row.population][row.neuron],
            "{engine:?}: the last probe of {:?} differs from the final state",
            (row.population, row.neuron)
        );
    }
    (spikes.into_train(), states.rows)
}

/// `engine` probes the same states as golden; names the first differing row.
fn same_as_golden(what: &str, net: &Network, engine: Engine, options: &RunOptions) {
    let probed = all_neurons(net);
    let (golden_spikes, golden) = probed_run(net, Engine::Golden, options, &probed);
    let (spikes, states) = probed_run(net, engine, options, &probed);
    assert_eq!(spikes, golden_spikes, "{what}: spikes of {engine:?}");
    if let Some((g, o)) = golden.iter().zip(&states).find(|(g, o)| g != o) {
        panic!(
            "{what}: {engine:?} probed {o:?}, golden {g:?}\n{}",
            net.to_json()
        );
    }
}

fn random_net(seed: u64, shape: CoreShape) -> Network {
    random_network(
        seed,
        &RandomNetConfig {
            max_neurons: shape.neurons,
            max_axons: shape.axons,
            max_negative_exp_projections_per_population: ACC_SLOTS - 1,
            max_abs_input: MAX_ABS_ACTIVATION,
            ticks: 16,
        },
    )
}

fn small_core() -> RunOptions {
    RunOptions {
        shape: SMALL_CORE,
        ..Default::default()
    }
}

#[test]
fn rtl_probes_equal_golden_on_random_networks_and_vectors() {
    for seed in seeds(7000, 12) {
        let net = random_net(seed, SMALL_CORE);
        same_as_golden(&format!("seed {seed}"), &net, Engine::Rtl, &small_core());
    }
    for dir in common::inference_vectors() {
        let net = Network::load(&dir.join("net.json")).unwrap();
        same_as_golden(
            &dir.display().to_string(),
            &net,
            Engine::Rtl,
            &RunOptions::default(),
        );
    }
}

#[test]
fn verilator_probes_equal_golden_on_random_networks_and_vectors() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    for seed in seeds(7100, 4) {
        let net = random_net(seed, SMALL_CORE);
        same_as_golden(
            &format!("seed {seed}"),
            &net,
            Engine::Verilator,
            &small_core(),
        );
    }
    for dir in common::inference_vectors() {
        let net = Network::load(&dir.join("net.json")).unwrap();
        same_as_golden(
            &dir.display().to_string(),
            &net,
            Engine::Verilator,
            &RunOptions::default(),
        );
    }
}

#[test]
fn mesh_probes_equal_golden() {
    // Spread over 2x2 tiles of 64x64 cores, the probes go through the system's probe port
    // (tile and neuron select).
    let options = RunOptions {
        shape: SMALL_CORE,
        mesh: MeshShape {
            width: 2,
            height: 2,
        },
        ..Default::default()
    };
    for dir in common::inference_vectors().into_iter().take(3) {
        let net = Network::load(&dir.join("net.json")).unwrap();
        same_as_golden(&dir.display().to_string(), &net, Engine::Rtl, &options);
    }
}

const TWO_POPS: &str = r#"{"ticks": 6,
  "inputs": [{"name": "in", "size": 2, "spikes": [[0, 0], [1, 1], [2, 0]]}],
  "populations": [
    {"name": "a", "size": 3, "neuron": {"du": 100, "dv": 200, "vth": 2}},
    {"name": "b", "size": 2, "neuron": {"du": 0, "dv": 4095, "vth": 1}}],
  "projections": [
    {"from": "in", "to": "a", "weights": [[3, 1], [2, 2], [1, 3]]},
    {"from": "a", "to": "b", "weights": [[2, -1, 1], [1, 1, 1]]}]}"#;

#[test]
fn cli_state_csv_is_the_same_on_golden_and_rtl() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), TWO_POPS).unwrap();
    let mut csvs = Vec::new();
    for engine in ["golden", "rtl"] {
        let out = format!("state-{engine}.csv");
        let args = [
            "sim",
            "net.json",
            "--engine",
            engine,
            "--out",
            "spikes.csv",
            "--probe",
            "a:0,2",
            "--probe",
            "b",
            "--probe-out",
            &out,
        ];
        let run = neurofab_in(&args, dir.path());
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        csvs.push(std::fs::read_to_string(dir.path().join(&out)).unwrap());
    }
    assert_eq!(csvs[0], csvs[1]);
    let lines: Vec<&str> = csvs[0].lines().collect();
    assert_eq!(lines[0], "tick,population,neuron,u,v");
    // 4 probed neurons (a0, a2, b0, b1) in 6 ticks; tick 0 has no input yet: all zero.
    assert_eq!(lines.len(), 1 + 4 * 6);
    assert_eq!(
        &lines[1..5],
        ["0,a,0,0,0", "0,a,2,0,0", "0,b,0,0,0", "0,b,1,0,0"]
    );
    // Tick 1: in0 of tick 0 reaches a0 and a2 with weights 3 and 1: u = w << 6 and
    // v = u (no bias); a0 spikes (192 > vth << 6 = 128) and v resets to 0, a2 does not.
    assert_eq!(&lines[5..7], ["1,a,0,192,0", "1,a,2,64,64"]);
}

#[test]
fn cli_refuses_bad_probes_by_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), TWO_POPS).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["--probe", "c", "--probe-out", "s.csv"],
            "no population \"c\"",
        ),
        (
            &["--probe", "a:3", "--probe-out", "s.csv"],
            "neuron 3 is out of range 0..3 of \"a\"",
        ),
        (&["--probe", "a"], "--probe needs --probe-out"),
        (
            &["--probe-out", "s.csv"],
            "--probe-out needs at least one --probe",
        ),
    ];
    for (extra, message) in cases {
        let mut args = vec!["sim", "net.json", "--out", "spikes.csv"];
        args.extend_from_slice(extra);
        let run = neurofab_in(&args, dir.path());
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!dir.path().join("s.csv").exists() && !dir.path().join("spikes.csv").exists());
    }
}

/// The fenced block of `page` with `language` whose text starts with `start`.
fn fenced_block<'a>(page: &'a str, language: &str, start: &str) -> &'a str {
    let fence = format!("```{language}\n{start}");
    let begin = page
        .find(&fence)
        .unwrap_or_else(|| panic!("no {fence:?} block"))
        + 4
        + language.len();
    let end = begin + page[begin..].find("```").expect("closed block");
    &page[begin..end]
}

#[test]
fn docs_outputs_examples_are_what_sim_writes() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let format_page = std::fs::read_to_string(root.join("docs/network-format.md")).unwrap();
    let outputs_page = std::fs::read_to_string(root.join("docs/outputs.md")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    // two.json: the first example of network-format.md.
    std::fs::write(
        dir.path().join("two.json"),
        fenced_block(&format_page, "json", "{"),
    )
    .unwrap();
    let args = [
        "sim",
        "two.json",
        "--out",
        "spikes.csv",
        "--probe",
        "hidden:0",
        "--probe",
        "out",
        "--probe-out",
        "state.csv",
        "--stats",
        "stats.json",
    ];
    let run = neurofab_in(&args, dir.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(
        read("state.csv"),
        fenced_block(&outputs_page, "text", "tick,population,neuron,u,v")
    );
    assert_eq!(read("stats.json"), fenced_block(&outputs_page, "json", "{"));
}

#[test]
fn vcd_is_timed_at_the_clock_and_marks_ticks() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), TWO_POPS).unwrap();
    let args = [
        "sim",
        "net.json",
        "--engine",
        "rtl",
        "--out",
        "spikes.csv",
        "--vcd",
        "w.vcd",
        "--clock-mhz",
        "25",
    ];
    let run = neurofab_in(&args, dir.path());
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let vcd = std::fs::read_to_string(dir.path().join("w.vcd")).unwrap();
    assert!(vcd.contains("$var integer 32 ~tick~ tick $end"));
    // 25 MHz: a half cycle is 20 ns; every timestamp is a multiple of it.
    let stamps: Vec<u64> = vcd
        .lines()
        .filter_map(|l| l.strip_prefix('#')?.parse().ok())
        .collect();
    assert_eq!(stamps[0], 20_000);
    assert!(stamps.iter().all(|t| t % 20_000 == 0));
    // One marker per tick, counting up from 0.
    let marks: Vec<&str> = vcd.lines().filter(|l| l.ends_with(" ~tick~")).collect();
    let expected: Vec<String> = (0..6).map(|t| format!("b{t:b} ~tick~")).collect();
    assert_eq!(marks, expected);
    // The small network stays far below the warning.
    assert!(!String::from_utf8_lossy(&run.stderr).contains("warning"));
}
