//! Bad input gets a clear error naming the file, the field and the reason, a non-zero exit
//! status, and leaves no output file behind.

use std::path::Path;
use std::process::Output;

mod common;
use common::neurofab_in as neurofab;

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const SMALL_NET: &str = r#"{"ticks": 4, "inputs": [{"name": "in", "size": 2, "spikes": [[0, 1]]}],
 "populations": [{"name": "p0", "size": 2, "neuron": {"vth": 10, "du": 4095}}],
 "projections": [{"from": "in", "to": "p0", "weights": [[100, 0], [0, 100]]}]}"#;

/// A fresh directory holding `SMALL_NET` as `net.json`.
fn dir_with_small_net() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), SMALL_NET).unwrap();
    dir
}

fn assert_fails_cleanly(args: &[&str], dir: &Path, must_mention: &[&str]) {
    let output = neurofab(args, dir);
    assert!(!output.status.success(), "{args:?} succeeded");
    let message = stderr(&output);
    for needle in must_mention {
        assert!(
            message.contains(needle),
            "{args:?}: error {message:?} does not mention {needle:?}"
        );
    }
    assert!(
        !dir.join("spikes.csv").exists(),
        "{args:?} left spikes.csv behind"
    );
    assert!(
        !dir.join("wave.vcd").exists(),
        "{args:?} left wave.vcd behind"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "{args:?} left temporary files {leftovers:?}"
    );
}

#[test]
fn missing_network_file() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails_cleanly(
        &["sim", "absent.json", "--out", "spikes.csv"],
        dir.path(),
        &["absent.json"],
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.json"),
        "{\"ticks\": 4,\n \"inputs\": [}",
    )
    .unwrap();
    assert_fails_cleanly(
        &["sim", "net.json", "--out", "spikes.csv"],
        dir.path(),
        &["net.json", "line 2"],
    );
}

#[test]
fn out_of_range_weight_names_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("net.json"),
        SMALL_NET.replace("[0, 100]]", "[0, 300]]"),
    )
    .unwrap();
    assert_fails_cleanly(
        &["sim", "net.json", "--engine", "rtl", "--out", "spikes.csv"],
        dir.path(),
        &[
            "net.json",
            "projections[0].weights[1][1]",
            "300",
            "-128..=127",
        ],
    );
}

#[test]
fn network_too_big_for_the_core_says_by_how_much() {
    let dir = tempfile::tempdir().unwrap();
    let big = SMALL_NET
        .replace("\"size\": 2, \"neuron\"", "\"size\": 300, \"neuron\"")
        .replace(
            "\"weights\": [[100, 0], [0, 100]]",
            &format!("\"weights\": [{}]", vec!["[1, 0]"; 300].join(",")),
        );
    std::fs::write(dir.path().join("net.json"), big).unwrap();
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--out",
            "spikes.csv",
            "--vcd",
            "wave.vcd",
        ],
        dir.path(),
        &["net.json", "300 neurons", "256", "44 too many"],
    );
}

#[test]
fn bad_hardware_config_names_file_and_field() {
    let dir = dir_with_small_net();
    std::fs::write(
        dir.path().join("hw.toml"),
        "[core]\nneurons = 300\naxons = 256\n",
    )
    .unwrap();
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--config",
            "hw.toml",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
        &["hw.toml", "core", "300", "not a supported core shape"],
    );
    std::fs::write(
        dir.path().join("hw.toml"),
        "[core]\nneurons = 256\naxons = 256\nlanes = 4\n",
    )
    .unwrap();
    assert_fails_cleanly(
        &["gen", "--config", "hw.toml", "--out", "gen"],
        dir.path(),
        &["hw.toml", "lanes"],
    );
    assert!(
        !dir.path().join("gen").exists(),
        "gen created its output directory despite the error"
    );
}

#[test]
fn gen_with_a_network_that_does_not_fit_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let wide = SMALL_NET.replace("\"weight_exp\"", "\"x\"").replace(
        "\"weights\": [[100, 0], [0, 100]]",
        "\"weight_exp\": 7, \"weights\": [[127, 127], [0, 100]]",
    );
    std::fs::write(dir.path().join("net.json"), &wide).unwrap();
    // 2 x 127 << 7 = 32512 fits; make the input range overflow with a recurrent projection.
    let too_strong = wide.replace(
        "\"projections\": [",
        &format!(
            "\"projections\": [{{\"from\": \"p0\", \"to\": \"p0\", \"weight_exp\": 7, \"weights\": [[127, 127], [127, 127]]}}, {{\"from\": \"in\", \"to\": \"p0\", \"weight_exp\": 7, \"weights\": [[127, 127], [127, 127]]}}, {}",
            (0..6).map(|_| "{\"from\": \"p0\", \"to\": \"p0\", \"weight_exp\": 7, \"weights\": [[127, 127], [127, 127]]}").collect::<Vec<_>>().join(", ") + ","
        ),
    );
    std::fs::write(dir.path().join("net.json"), too_strong).unwrap();
    assert_fails_cleanly(
        &["gen", "--net", "net.json", "--out", "gen"],
        dir.path(),
        &["net.json", "worst-case synaptic input", "262144"],
    );
    assert!(
        !dir.path().join("gen").exists(),
        "gen wrote output despite the error"
    );
}

#[test]
fn sim_writes_the_csv_on_success() {
    let dir = dir_with_small_net();
    let output = neurofab(
        &["sim", "net.json", "--engine", "rtl", "--out", "spikes.csv"],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = std::fs::read_to_string(dir.path().join("spikes.csv")).unwrap();
    // Input 1 spikes at tick 0; neuron 1 gets a = 100 at tick 1: u = 100 << 6 = 6400 and
    // v = 6400 > vth << 6 = 640, a spike. du = 4095 decays u to 0 by tick 2: no more spikes.
    assert_eq!(csv, "tick,population,neuron\n1,p0,1\n");
}

#[test]
fn help_teaches_the_engines() {
    let output = neurofab(&["sim", "--help"], Path::new("."));
    let text = String::from_utf8_lossy(&output.stdout);
    for needle in ["golden", "rtl", "verilator", "--ticks", "--vcd", "--out"] {
        assert!(
            text.contains(needle),
            "sim --help does not mention {needle}"
        );
    }
}

#[test]
fn mesh_too_large_for_the_packet_fields() {
    let dir = dir_with_small_net();
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--mesh",
            "9x2",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
        &["--mesh", "9x2", "width 9 is out of range 1..=8"],
    );
}

#[test]
fn network_too_large_for_the_mesh() {
    let dir = tempfile::tempdir().unwrap();
    let size = 300;
    let net = format!(
        r#"{{"ticks": 2, "inputs": [{{"name": "in", "size": 1, "spikes": []}}],
 "populations": [{{"name": "big", "size": {size}, "neuron": {{"vth": 10}}}}],
 "projections": [{{"from": "in", "to": "big", "weights": [{}]}}]}}"#,
        vec!["[1]"; size].join(",")
    );
    std::fs::write(dir.path().join("net.json"), net).unwrap();
    std::fs::write(
        dir.path().join("hw.toml"),
        "[core]\nneurons = 64\naxons = 64\n",
    )
    .unwrap();
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--config",
            "hw.toml",
            "--mesh",
            "2x2",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
        &[
            "needs at least 5 cores",
            "2x2 mesh has 4 (1 too few)",
            "big",
        ],
    );
}

#[test]
fn options_that_cannot_work_are_refused_at_once() {
    let dir = dir_with_small_net();
    // The golden model has no cores: --mesh would be silently ignored.
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "golden",
            "--mesh",
            "2x2",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
        &["--mesh needs --engine rtl or verilator"],
    );
    for typo in ["2X2", "+2x2", "02x02", " 2x2"] {
        assert_fails_cleanly(
            &[
                "sim",
                "net.json",
                "--engine",
                "rtl",
                "--mesh",
                typo,
                "--out",
                "spikes.csv",
            ],
            dir.path(),
            &["invalid value", "--mesh"],
        );
    }
    // A zero baud rate ("inf % off") and zero place-and-route runs are usage errors.
    let out = dir.path().join("fpga").to_string_lossy().into_owned();
    for args in [
        vec![
            "build",
            "--board",
            "icebreaker",
            "--baud",
            "0",
            "--out",
            out.as_str(),
        ],
        vec![
            "build",
            "--board",
            "icebreaker",
            "--seed-tries",
            "0",
            "--out",
            out.as_str(),
        ],
        vec!["run", "net.json", "--port", "sim", "--baud", "0"],
    ] {
        let output = neurofab(&args, dir.path());
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("not in 1.."),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            !dir.path().join("fpga").exists(),
            "{args:?} started a build"
        );
    }
}

#[test]
fn error_reasons_are_printed_once_and_engines_by_their_cli_names() {
    let dir = dir_with_small_net();
    // The serial error formats its reason into its own message and also as its source.
    let output = neurofab(
        &["run", "net.json", "--port", "/nonexistent/ttyUSB9"],
        dir.path(),
    );
    assert!(!output.status.success());
    let message = stderr(&output);
    assert!(
        message.contains("cannot open serial port /nonexistent/ttyUSB9"),
        "{message}"
    );
    let reason = "No such file or directory";
    assert_eq!(message.matches(reason).count(), 1, "{message}");
    // A network too big for the rtl engine's core: the error names the engine as typed.
    let big =
        r#"{"ticks": 4, "populations": [{"name": "p0", "size": 5000, "neuron": {"vth": 1}}]}"#;
    std::fs::write(dir.path().join("big.json"), big).unwrap();
    let output = neurofab(&["sim", "big.json", "--engine", "rtl"], dir.path());
    let message = stderr(&output);
    assert!(!output.status.success(), "{message}");
    assert!(
        message.contains("cannot run on the rtl engine"),
        "{message}"
    );
}

/// `--config` names hardware: golden refuses a network that would not fit it, as rtl does
/// (it used to run 128 neurons "on" a 64-neuron core without a word).
#[test]
fn golden_with_a_config_refuses_a_network_too_big_for_it() {
    let dir = tempfile::tempdir().unwrap();
    let pops: Vec<String> = (0..2)
        .map(|p| format!(r#"{{"name": "p{p}", "size": 40, "neuron": {{"vth": 10}}}}"#))
        .collect();
    std::fs::write(
        dir.path().join("net.json"),
        format!(r#"{{"ticks": 2, "populations": [{}]}}"#, pops.join(", ")),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hw.toml"),
        "[core]\nneurons = 64\naxons = 64\n",
    )
    .unwrap();
    assert_fails_cleanly(
        &[
            "sim",
            "net.json",
            "--engine",
            "golden",
            "--config",
            "hw.toml",
            "--out",
            "spikes.csv",
        ],
        dir.path(),
        &["net.json", "hw.toml", "80 neurons", "has 64"],
    );
    // On a 2x1 mesh of the same cores it fits, and golden runs it.
    std::fs::write(
        dir.path().join("mesh.toml"),
        "[core]\nneurons = 64\naxons = 64\n[mesh]\nwidth = 2\nheight = 1\n",
    )
    .unwrap();
    let output = neurofab(
        &[
            "sim",
            "net.json",
            "--engine",
            "golden",
            "--config",
            "mesh.toml",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn demo_options_the_chosen_demo_does_not_take_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    assert_fails_cleanly(
        &["demo", "--engine", "rtl", "--out", "d"],
        dir.path(),
        &["--engine applies to `demo digits`, `demo stdp-window` and `demo hidden-pattern`"],
    );
    assert_fails_cleanly(
        &["demo", "stdp-window", "--seed", "3", "--out", "d"],
        dir.path(),
        &["--seed applies to `demo hidden-pattern` only"],
    );
    assert_fails_cleanly(
        &["demo", "stdp-window", "--images", "3", "--out", "d"],
        dir.path(),
        &["--images applies to `demo digits` only"],
    );
    assert!(!dir.path().join("d").exists());
}
