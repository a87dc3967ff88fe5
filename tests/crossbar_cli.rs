//! `neurofab sim --config hw.toml` with a `[crossbar]` section: the golden model reads every
//! projection through the crossbar; an ideal crossbar gives the spikes of fixed weights, a
//! non-ideal one differs and is reproducible from its seed; bad parameters and networks are
//! refused by name; the rtl and Verilator engines (the crossbar core) print golden's spikes,
//! and rtl refuses an ADC or column multiplexing it is not built with.

use std::path::Path;
use std::process::Output;

mod common;
use common::neurofab_in as neurofab;

const NET: &str = r#"{"ticks": 40,
 "inputs": [{"name": "in", "size": 4, "spikes": [[0,0],[0,1],[1,2],[3,3],[5,0],[5,1],[5,2],
   [8,3],[10,0],[12,1],[12,2],[15,3],[18,0],[20,1],[22,2],[22,3],[25,0],[30,1],[33,2]]}],
 "populations": [{"name": "p", "size": 6, "neuron": {"vth": 12, "du": 900, "dv": 200}},
                 {"name": "q", "size": 3, "neuron": {"vth": 8, "du": 600, "dv": 100}}],
 "projections": [
   {"from": "in", "to": "p", "weight_exp": 2, "weights":
     [[15,2,0,-3],[4,15,9,0],[0,-7,15,12],[11,11,0,1],[-2,0,13,15],[6,6,6,6]]},
   {"from": "p", "to": "q", "weight_exp": 2, "weights":
     [[9,0,-4,15,2,0],[0,12,12,0,-15,7],[5,5,5,5,5,5]]}]}"#;

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn sim(dir: &Path, config: &str, engine: &str) -> Output {
    std::fs::write(dir.join("hw.toml"), config).unwrap();
    neurofab(
        &["sim", "net.json", "--engine", engine, "--config", "hw.toml"],
        dir,
    )
}

#[test]
fn golden_sim_reads_through_the_crossbar() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::write(dir.join("net.json"), NET).unwrap();
    let core = "[core]\nneurons = 64\naxons = 64\n";
    let fixed = stdout(&sim(dir, core, "golden"));
    assert!(fixed.lines().count() > 10, "{fixed}");
    let ideal = format!("{core}[crossbar]\nsigma_d2d = 0.0\nsigma_read = 0.0\n");
    assert_eq!(stdout(&sim(dir, &ideal, "golden")), fixed);
    let rough = format!("{core}[crossbar]\nsigma_d2d = 0.3\nr_wire = 5.0\nadc_bits = 4\n");
    let first = stdout(&sim(dir, &rough, "golden"));
    assert_ne!(first, fixed);
    assert_eq!(stdout(&sim(dir, &rough, "golden")), first);
    // The crossbar core: 8-bit ADC, one ADC over its 128 physical columns.
    let built = format!(
        "{core}[crossbar]\nsigma_d2d = 0.3\nr_wire = 5.0\nlsb_exp = 1\ncolumns_per_adc = 128\n"
    );
    let golden = stdout(&sim(dir, &built, "golden"));
    assert_ne!(golden, fixed);
    assert_eq!(stdout(&sim(dir, &built, "rtl")), golden);
    // The Verilated controller with the array's model in Rust.
    if neurofab::export::tools::require_tool_or_skip("verilator").is_some() {
        assert_eq!(stdout(&sim(dir, &built, "verilator")), golden);
    }

    for (config, engine, needle) in [
        (
            format!("{core}[crossbar]\nadc_bits = 13\n"),
            "golden",
            "crossbar.adc_bits",
        ),
        (
            format!("{core}[crossbar]\nlevels = 8\n"),
            "golden",
            "projections[0].weights[0][0] = 15",
        ),
        (
            format!("{core}[crossbar]\n"),
            "rtl",
            "crossbar.columns_per_adc is 8",
        ),
        (
            format!("{core}[crossbar]\nadc_bits = 4\ncolumns_per_adc = 128\n"),
            "rtl",
            "crossbar.adc_bits is 4",
        ),
    ] {
        let output = sim(dir, &config, engine);
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{config}");
        assert!(message.contains(needle), "{config}: {message}");
    }
}

#[test]
fn crossover_writes_its_table_csv_and_figure() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["crossbar", "crossover", "--ticks", "3", "--out", "xo"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("the fitted lines cross at"), "{stderr}");
    let table = String::from_utf8_lossy(&out.stdout);
    // 9 event counts, each a row.
    assert_eq!(
        table
            .lines()
            .filter(|l| l.starts_with("| ") && l.as_bytes()[2].is_ascii_digit())
            .count(),
        9,
        "{table}"
    );
    let csv = std::fs::read_to_string(dir.path().join("xo/crossover.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 9);
    let svg = std::fs::read_to_string(dir.path().join("xo/crossover.svg")).unwrap();
    assert_eq!(svg.matches("<circle").count(), 2 * 9);
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["crossbar", "crossover", "--ticks", "1", "--out", "xo2"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(!dir.path().join("xo2").exists());
}
