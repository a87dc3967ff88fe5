//! `neurofab import` and `.nir` models on `sim`/`gen`: outputs, the quantization report, and
//! bad input (missing --dt, corrupt file, unsupported node, bad stimulus) refused with a clear
//! message and nothing written.

use std::path::PathBuf;
use std::process::Output;

mod common;
use common::files_in;
use common::neurofab_in as neurofab;
use neurofab::model::Network;

fn fixture(name: &str) -> String {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/nir"))
        .join(format!("{name}.nir"))
        .display()
        .to_string()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const STIMULUS: &str = r#"{"ticks": 30, "inputs": [{"name": "input", "spikes": [[0, 0], [0, 1], [1, 2], [2, 0], [3, 1], [3, 2], [4, 0], [5, 1], [6, 2], [7, 0], [7, 1], [7, 2], [9, 0], [9, 0]]}]}"#;

#[test]
fn import_writes_the_network_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let out = neurofab(
        &[
            "import",
            &fixture("cuba_chain"),
            "--dt",
            "0.001",
            "--out",
            "net.json",
            "--report",
            "quant.json",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        out.stdout.is_empty(),
        "the network went to --out, not stdout"
    );
    let net = Network::load(&dir.path().join("net.json")).unwrap();
    let names: Vec<&str> = net.populations.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["lif1", "lif2"]);
    assert_eq!(net.inputs[0].name, "input");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("quant.json")).unwrap())
            .unwrap();
    assert_eq!(report["dt"], 0.001);
    assert_eq!(report["populations"].as_array().unwrap().len(), 2);
    let proj = &report["projections"][0];
    assert_eq!(
        (proj["from"].as_str(), proj["to"].as_str()),
        (Some("input"), Some("lif1"))
    );
    assert_eq!(
        proj["weight_exp"].as_i64(),
        Some(i64::from(net.projections[0].weight_exp))
    );
    // The smallest exponent that fits puts the largest weight at 64..=127: half a step of
    // rounding is at most 0.5/63.75 of it.
    let max_rel = proj["max_rel_error"].as_f64().unwrap();
    assert!(max_rel > 0.0 && max_rel <= 0.5 / 63.75, "{proj}");
    let pop = &report["populations"][0];
    assert_eq!(pop["voltage_decay"]["float"]["max"], 0.875);
    assert_eq!(pop["voltage_decay"]["hw"]["max"], 0.875);
    let summary = stderr(&out);
    assert!(summary.contains("import: lif1 (CubaLIF x 8)"), "{summary}");
    assert!(
        summary.contains("import: input -> lif1: weight_exp"),
        "{summary}"
    );
    // To stdout: the same network.
    let stdout = neurofab(
        &["import", &fixture("cuba_chain"), "--dt", "0.001"],
        dir.path(),
    );
    assert!(stdout.status.success());
    assert_eq!(
        String::from_utf8(stdout.stdout).unwrap(),
        std::fs::read_to_string(dir.path().join("net.json")).unwrap()
    );
}

fn assert_refused(args: &[&str], status: i32, must_mention: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stim.json"), STIMULUS).unwrap();
    let before = files_in(dir.path());
    let out = neurofab(args, dir.path());
    assert_eq!(
        out.status.code(),
        Some(status),
        "{args:?}: {}",
        stderr(&out)
    );
    let message = stderr(&out);
    for needle in must_mention {
        assert!(
            message.contains(needle),
            "{args:?}: {message:?} lacks {needle:?}"
        );
    }
    assert!(out.stdout.is_empty(), "{args:?} printed to stdout");
    assert_eq!(files_in(dir.path()), before, "{args:?} left files behind");
}

#[test]
fn bad_input_is_refused_with_nothing_written() {
    let model = fixture("cuba_chain");
    // A malformed command line: status 2.
    assert_refused(&["import", &model, "--out", "net.json"], 2, &["--dt"]);
    // Not a positive time step.
    assert_refused(
        &[
            "import", &model, "--dt", "0", "--out", "net.json", "--report", "q.json",
        ],
        1,
        &["dt must be a positive"],
    );
    // Unsupported nodes and malformed files, named.
    assert_refused(
        &[
            "import",
            &fixture("delay"),
            "--dt",
            "1e-3",
            "--out",
            "net.json",
        ],
        1,
        &["delay.nir", "'delay' (Delay) is not supported"],
    );
    assert_refused(
        &[
            "import",
            &fixture("unsupported_li"),
            "--dt",
            "1e-3",
            "--report",
            "q.json",
        ],
        1,
        &["'readout' (LI)"],
    );
    assert_refused(
        &[
            "import",
            &fixture("missing_param"),
            "--dt",
            "1e-3",
            "--out",
            "net.json",
        ],
        1,
        &["missing_param.nir", "missing parameter 'tau_mem'"],
    );
    assert_refused(
        &["import", "no-such.nir", "--dt", "1e-3", "--out", "net.json"],
        1,
        &["no-such.nir", "cannot read file"],
    );
    // A stimulus naming an input the graph lacks.
    let bad_stim = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        bad_stim.path(),
        r#"{"ticks": 5, "inputs": [{"name": "in", "spikes": []}]}"#,
    )
    .unwrap();
    let bad = bad_stim.path().display().to_string();
    assert_refused(
        &[
            "sim",
            &model,
            "--dt",
            "1e-3",
            "--stimulus",
            &bad,
            "--out",
            "s.csv",
        ],
        1,
        &["inputs[0].name", "no input 'in'", "its inputs: input"],
    );
    // --dt is for .nir models; a .nir model needs it.
    assert_refused(&["sim", &model, "--out", "s.csv"], 1, &["needs --dt"]);
    assert_refused(
        &["gen", "--net", &model, "--out", "rtl"],
        1,
        &["needs --dt"],
    );
}

#[test]
fn a_corrupt_file_is_refused_by_import_and_sim() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(fixture("cuba_chain")).unwrap();
    let path = dir.path().join("cut.nir");
    std::fs::write(&path, &bytes[..bytes.len() / 3]).unwrap();
    let cut = path.display().to_string();
    assert_refused(
        &["import", &cut, "--dt", "1e-3", "--out", "net.json"],
        1,
        &["cut.nir", "not a readable NIR file", "truncated"],
    );
    assert_refused(
        &["sim", &cut, "--dt", "1e-3", "--out", "s.csv"],
        1,
        &["cut.nir", "truncated"],
    );
}

#[test]
fn sim_runs_a_nir_model_as_import_then_sim_does() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stim.json"), STIMULUS).unwrap();
    let model = fixture("nested_recurrent");
    let import = neurofab(
        &[
            "import",
            &model,
            "--dt",
            "1e-3",
            "--stimulus",
            "stim.json",
            "--out",
            "net.json",
        ],
        dir.path(),
    );
    assert!(import.status.success(), "{}", stderr(&import));
    let net = Network::load(&dir.path().join("net.json")).unwrap();
    assert_eq!(net.ticks, 30);
    assert_eq!(
        net.inputs[0].spikes.len(),
        13,
        "the duplicate [9, 0] is one spike"
    );
    let from_json = neurofab(&["sim", "net.json"], dir.path());
    let golden = neurofab(
        &["sim", &model, "--dt", "1e-3", "--stimulus", "stim.json"],
        dir.path(),
    );
    let rtl = neurofab(
        &[
            "sim",
            &model,
            "--dt",
            "1e-3",
            "--stimulus",
            "stim.json",
            "--engine",
            "rtl",
        ],
        dir.path(),
    );
    for out in [&from_json, &golden, &rtl] {
        assert!(out.status.success(), "{}", stderr(out));
    }
    assert_eq!(golden.stdout, from_json.stdout);
    assert_eq!(rtl.stdout, golden.stdout);
    // `run` takes the model and the stimulus too: over the simulated UART to the Verilated
    // host design, the same spikes.
    let over_link = neurofab(
        &[
            "run",
            &model,
            "--dt",
            "1e-3",
            "--stimulus",
            "stim.json",
            "--port",
            "sim",
        ],
        dir.path(),
    );
    assert!(over_link.status.success(), "{}", stderr(&over_link));
    assert_eq!(over_link.stdout, golden.stdout);
    let csv = String::from_utf8(golden.stdout).unwrap();
    assert!(
        csv.lines().count() > 5,
        "the stimulus makes the network spike: {csv}"
    );
    assert!(
        csv.contains(",rsyn.lif,") && csv.contains(",lif_out,"),
        "{csv}"
    );
    // A network file's own inputs keep working; --dt on it is refused.
    assert_refused(
        &["sim", &net_path(&dir), "--dt", "1e-3"],
        1,
        &["--dt applies to a .nir model only"],
    );
}

fn net_path(dir: &tempfile::TempDir) -> String {
    dir.path().join("net.json").display().to_string()
}

#[test]
fn gen_writes_the_same_images_for_a_nir_model_and_its_import() {
    let dir = tempfile::tempdir().unwrap();
    let model = fixture("conv");
    let import = neurofab(
        &["import", &model, "--dt", "1e-3", "--out", "net.json"],
        dir.path(),
    );
    assert!(import.status.success(), "{}", stderr(&import));
    let a = neurofab(&["gen", "--net", "net.json", "--out", "a"], dir.path());
    let b = neurofab(
        &["gen", "--net", &model, "--dt", "1e-3", "--out", "b"],
        dir.path(),
    );
    assert!(
        a.status.success() && b.status.success(),
        "{} {}",
        stderr(&a),
        stderr(&b)
    );
    let (fa, fb) = (
        files_in(&dir.path().join("a")),
        files_in(&dir.path().join("b")),
    );
    assert_eq!(fa, fb);
    assert!(fa.len() > 1, "images beside the Verilog: {fa:?}");
    for name in fa {
        assert_eq!(
            std::fs::read(dir.path().join("a").join(&name)).unwrap(),
            std::fs::read(dir.path().join("b").join(&name)).unwrap(),
            "{name}"
        );
    }
}
