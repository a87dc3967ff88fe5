//! Learning projections on the command line: `sim --weights-out` writes SPEC §6 on the golden,
//! rtl and verilator engines and `run --port sim --weights-out` over the host link (the same
//! bytes), also on a 2x2 mesh (`sim --mesh`); `gen --net` writes the learning core's Verilog
//! with its images; a board's link refuses a learning network by name and leaves no output
//! behind.

use std::path::PathBuf;

use neurofab::export::tools::require_tool_or_skip;
use neurofab::model::LearnedWeights;

mod common;
use common::files_in;
use common::neurofab_in as neurofab;

/// Runs each command line in `dir`; each must succeed.
fn run_all(runs: &[&[&str]], dir: &std::path::Path) {
    for args in runs {
        let output = neurofab(args, dir);
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn vector(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/vectors")).join(name)
}

/// A fresh directory holding the directed vector `stdp-d03` (mixed sign mode) as `net.json`.
fn dir_with_learning_net() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        vector("stdp-d03").join("net.json"),
        dir.path().join("net.json"),
    )
    .unwrap();
    dir
}

/// The names of the files in `dir`.

#[test]
fn sim_writes_the_learned_weights_and_the_spikes() {
    let dir = dir_with_learning_net();
    let output = neurofab(
        &[
            "sim",
            "net.json",
            "--weights-out",
            "w.json",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written: LearnedWeights =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("w.json")).unwrap()).unwrap();
    let expected: LearnedWeights = serde_json::from_str(
        &std::fs::read_to_string(vector("stdp-d03").join("expected_weights.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(written, expected);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("spikes.csv")).unwrap(),
        std::fs::read_to_string(vector("stdp-d03").join("expected.csv")).unwrap()
    );
    // --ticks shortens the run, and the file says how many ticks it covers.
    let output = neurofab(
        &[
            "sim",
            "net.json",
            "--ticks",
            "3",
            "--weights-out",
            "w3.json",
        ],
        dir.path(),
    );
    assert!(output.status.success());
    let short: LearnedWeights =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("w3.json")).unwrap())
            .unwrap();
    assert_eq!(short.ticks, 3);
    assert_ne!(
        short.projections[0].weights,
        expected.projections[0].weights
    );
}

/// `sim --mesh 2x2` on the rtl engine: the learning projection's target is split over three
/// tiles (3 neurons, balanced), each with its own copy of the pre traces; the weights file and
/// the spikes are golden's, byte for byte.
#[test]
fn sim_on_a_mesh_writes_the_golden_weights() {
    let dir = dir_with_learning_net();
    let runs: [&[&str]; 2] = [
        &[
            "sim",
            "net.json",
            "--weights-out",
            "golden.json",
            "--out",
            "golden.csv",
        ],
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--mesh",
            "2x2",
            "--weights-out",
            "mesh.json",
            "--out",
            "mesh.csv",
        ],
    ];
    run_all(&runs, dir.path());
    let file = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    assert_eq!(file("mesh.json"), file("golden.json"));
    assert_eq!(file("mesh.csv"), file("golden.csv"));
    let expected: LearnedWeights = serde_json::from_str(
        &std::fs::read_to_string(vector("stdp-d03").join("expected_weights.json")).unwrap(),
    )
    .unwrap();
    let written: LearnedWeights = serde_json::from_str(&file("mesh.json")).unwrap();
    assert_eq!(written, expected);
}

#[test]
fn a_network_without_learning_writes_an_empty_list() {
    let dir = tempfile::tempdir().unwrap();
    let output = neurofab(
        &[
            "sim",
            vector("lava-01").join("net.json").to_str().unwrap(),
            "--ticks",
            "5",
            "--weights-out",
            "w.json",
        ],
        dir.path(),
    );
    assert!(output.status.success());
    let text = std::fs::read_to_string(dir.path().join("w.json")).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value, serde_json::json!({"ticks": 5, "projections": []}));
    // The rtl engine, on one core and on a mesh, writes the same empty list.
    for mesh in ["1x1", "2x1"] {
        let output = neurofab(
            &[
                "sim",
                vector("lava-01").join("net.json").to_str().unwrap(),
                "--engine",
                "rtl",
                "--mesh",
                mesh,
                "--ticks",
                "5",
                "--weights-out",
                "w-rtl.json",
            ],
            dir.path(),
        );
        assert!(
            output.status.success(),
            "{mesh}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("w-rtl.json")).unwrap(),
            text,
            "{mesh}"
        );
    }
    // The verilator engine and the host link write it too.
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let net = vector("lava-01").join("net.json");
    let net = net.to_str().unwrap();
    let runs: [&[&str]; 2] = [
        &[
            "sim",
            net,
            "--engine",
            "verilator",
            "--ticks",
            "5",
            "--weights-out",
            "w-v.json",
        ],
        &[
            "run",
            net,
            "--port",
            "sim",
            "--ticks",
            "5",
            "--weights-out",
            "w-v.json",
        ],
    ];
    for args in runs {
        let output = neurofab(args, dir.path());
        assert!(
            output.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("w-v.json")).unwrap(),
            text,
            "{args:?}"
        );
    }
}

#[test]
fn hardware_commands_refuse_learning_projections_by_name() {
    let dir = dir_with_learning_net();
    let commands: [&[&str]; 1] = [&[
        "run",
        "net.json",
        "--port",
        "/dev/neurofab-no-such-board",
        "--out",
        "spikes.csv",
    ]];
    for args in commands {
        let output = neurofab(args, dir.path());
        assert!(!output.status.success(), "{args:?} succeeded");
        let message = String::from_utf8_lossy(&output.stderr);
        for needle in [
            "net.json",
            "projections[0] (in -> p0)",
            "learning",
            "not built yet",
        ] {
            assert!(
                message.contains(needle),
                "{args:?}: {message:?} lacks {needle:?}"
            );
        }
        assert_eq!(
            files_in(dir.path()),
            ["net.json"],
            "{args:?} left files behind"
        );
    }
}

#[test]
fn verilator_and_the_host_link_write_the_golden_weights() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let dir = dir_with_learning_net();
    let runs: [&[&str]; 3] = [
        &[
            "sim",
            "net.json",
            "--weights-out",
            "golden.json",
            "--out",
            "golden.csv",
        ],
        &[
            "sim",
            "net.json",
            "--engine",
            "verilator",
            "--weights-out",
            "verilator.json",
            "--out",
            "verilator.csv",
        ],
        &[
            "run",
            "net.json",
            "--port",
            "sim",
            "--weights-out",
            "link.json",
            "--out",
            "link.csv",
        ],
    ];
    run_all(&runs, dir.path());
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let expected: LearnedWeights = serde_json::from_str(
        &std::fs::read_to_string(vector("stdp-d03").join("expected_weights.json")).unwrap(),
    )
    .unwrap();
    let golden: LearnedWeights = serde_json::from_str(&read("golden.json")).unwrap();
    assert_eq!(golden, expected);
    for name in ["verilator", "link"] {
        assert_eq!(read(&format!("{name}.json")), read("golden.json"), "{name}");
        assert_eq!(read(&format!("{name}.csv")), read("golden.csv"), "{name}");
    }
}

#[test]
fn gen_writes_the_learning_core_and_its_images() {
    let dir = dir_with_learning_net();
    let output = neurofab(
        &["gen", "--net", "net.json", "--out", "gen-out"],
        dir.path(),
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = dir.path().join("gen-out");
    assert_eq!(
        files_in(&out),
        [
            "axon_meta.hex",
            "learn_axons.hex",
            "learning_registers.vh",
            "neurofab_core.v",
            "neuron_count.txt",
            "param_bias_shift.hex",
            "param_decay.hex",
            "param_threshold.hex",
            "synapse_high.hex",
            "synapse_sram.hex",
        ]
    );
    let read = |name: &str| std::fs::read_to_string(out.join(name)).unwrap();
    let verilog = read("neurofab_core.v");
    assert!(
        verilog.starts_with("// neurofab_core: neurofab LIF neurocore with on-chip STDP learning")
    );
    for hook in [
        "`include \"learning_registers.vh\"",
        "$readmemh(\"synapse_high.hex\", mem)",
        "$readmemh(\"learn_axons.hex\", mem)",
        "q = `NEUROFAB_LEARN_CONTROL;",
        "q = `NEUROFAB_LEARN_RULE_3_RATES;",
    ] {
        assert!(verilog.contains(hook), "no {hook}");
    }
    // The images hold what the configuration writes would: one rule, its learning axons.
    let registers = read("learning_registers.vh");
    assert!(registers.contains("`define NEUROFAB_LEARN_RULE_1_DECAYS 30'h0\n"));
    assert!(!registers.contains("`define NEUROFAB_LEARN_RULE_0_DECAYS 30'h0\n"));
    assert!(!registers.contains("`define NEUROFAB_LEARN_CONTROL 32'h0\n"));
    let learn_axons = read("learn_axons.hex");
    assert_eq!(learn_axons.lines().count(), 256);
    assert!(learn_axons.lines().next().unwrap() != "00000000");
    assert_eq!(read("synapse_high.hex").lines().count(), 256 * 64);
    // A plain network's gen writes the plain core and no learning image.
    let output = neurofab(
        &[
            "gen",
            "--net",
            vector("lava-01").join("net.json").to_str().unwrap(),
            "--out",
            "plain-out",
        ],
        dir.path(),
    );
    assert!(output.status.success());
    let plain = dir.path().join("plain-out");
    assert!(!files_in(&plain)
        .iter()
        .any(|f| f.starts_with("learn") || f.starts_with("synapse_high")));
    assert!(!std::fs::read_to_string(plain.join("neurofab_core.v"))
        .unwrap()
        .contains("STDP"));
}

#[test]
fn a_bad_learning_object_names_its_field() {
    let dir = dir_with_learning_net();
    let net = std::fs::read_to_string(dir.path().join("net.json")).unwrap();
    let cases = [
        (
            "\"t_epoch\": 1",
            "\"t_epoch\": 2",
            "projections[0].learning.t_epoch: 2 is not supported",
        ),
        (
            "\"x_decay\": 600",
            "\"x_decay\": 4096",
            "projections[0].learning.x_decay: 4096 is out of range 0..=4095",
        ),
        (
            "[-255, 255, 13",
            "[-257, 255, 13",
            "projections[0].weights[2][0]: -257 is out of range -256..=255 (sign_mode \"mixed\"",
        ),
    ];
    for (from, to, expected) in cases {
        assert!(net.contains(from), "{from}");
        std::fs::write(dir.path().join("bad.json"), net.replacen(from, to, 1)).unwrap();
        let output = neurofab(&["sim", "bad.json", "--weights-out", "w.json"], dir.path());
        assert!(!output.status.success());
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains(expected), "{message}");
        assert!(!dir.path().join("w.json").exists());
    }
}
