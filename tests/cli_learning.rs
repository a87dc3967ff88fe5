//! Learning projections on the command line: `sim --weights-out` writes SPEC §6 on the golden
//! and rtl engines (the same bytes); every other command that needs the hardware refuses a
//! learning network by name, and `--weights-out` on an engine that cannot learn is refused;
//! no output is left behind.

use std::path::PathBuf;

use neurofab::model::LearnedWeights;

mod common;
use common::files_in;
use common::neurofab_in as neurofab;

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
}

#[test]
fn hardware_commands_refuse_learning_projections_by_name() {
    let dir = dir_with_learning_net();
    let commands: [&[&str]; 5] = [
        &[
            "sim",
            "net.json",
            "--engine",
            "verilator",
            "--out",
            "spikes.csv",
        ],
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--mesh",
            "2x2",
            "--out",
            "spikes.csv",
        ],
        &["gen", "--net", "net.json", "--out", "gen-out"],
        &["run", "net.json", "--port", "sim", "--out", "spikes.csv"],
        &[
            "build",
            "--board",
            "ulx3s-25f",
            "--net",
            "net.json",
            "--out",
            "fpga-out",
        ],
    ];
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
fn weights_out_needs_an_engine_that_learns() {
    let dir = dir_with_learning_net();
    // The rtl engine learns (see above); the verilator engine's learning core is not built.
    let engine = "verilator";
    let output = neurofab(
        &[
            "sim",
            "net.json",
            "--engine",
            engine,
            "--weights-out",
            "w.json",
            "--out",
            "s.csv",
        ],
        dir.path(),
    );
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("--weights-out needs --engine golden")
            && message.contains(&format!("the {engine} engine does not learn")),
        "{message}"
    );
    assert_eq!(files_in(dir.path()), ["net.json"]);
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
