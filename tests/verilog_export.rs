//! The exported Verilog: `rtl-out/` is up to date with the generator, and Verilator's
//! `--lint-only -Wall` is clean apart from the waivers in `testbenches/lint_waivers.vlt`.

use std::path::Path;

use neurofab::export::tools::require_tool_or_skip;
use neurofab::export::verilator::lint;
use neurofab::export::verilog::{
    learning_core_verilog, neurocore_verilog, system_verilog, CORE_MODULE, SYSTEM_MODULE,
};
use neurofab::rtl::noc::MeshConfig;
use neurofab::shape::SYSTEM_SHAPES;
use neurofab::shape::{CoreShape, LEARNING_SHAPES, SUPPORTED_SHAPES};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn rtl_out_holds_the_current_default_design() {
    let path = Path::new(ROOT)
        .join("rtl-out")
        .join(format!("{CORE_MODULE}.v"));
    let committed =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let generated = neurocore_verilog(CoreShape::default());
    assert!(
        committed == generated,
        "{} is out of date with the generator: run `cargo run --release -- gen --out rtl-out/` and commit it",
        path.display()
    );
}

#[test]
fn every_supported_shape_lints_clean() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    let dir = tempfile::tempdir().unwrap();
    for (neurons, axons) in SUPPORTED_SHAPES {
        let path = dir
            .path()
            .join(format!("{CORE_MODULE}_{neurons}x{axons}.v"));
        std::fs::write(&path, neurocore_verilog(CoreShape { neurons, axons })).unwrap();
        if let Err(e) = lint(&path, CORE_MODULE, Some(&waivers)) {
            panic!("{neurons}x{axons} core: {e}");
        }
    }
}

/// The crossbar core: the controller and the `neurofab_xbar_macro` port list (a black box),
/// lint clean with the same waivers; `gen` with `[crossbar]` writes exactly this.
#[test]
fn the_crossbar_core_lints_clean_and_gen_writes_it() {
    use neurofab::export::verilog::{crossbar_neurocore_verilog, CROSSBAR_CORE_MODULE};
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    let verilog = crossbar_neurocore_verilog(shape).unwrap();
    assert!(verilog.contains("module neurofab_xbar_macro(clock, row_addr, row_set"));
    assert!(verilog.contains("neurofab_xbar_macro array("));
    assert!(crossbar_neurocore_verilog(CoreShape::default()).is_none());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("hw.toml"),
        "[core]\nneurons = 64\naxons = 64\n[crossbar]\ncolumns_per_adc = 128\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["gen", "--config", "hw.toml", "--out", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir
        .path()
        .join("out")
        .join(format!("{CROSSBAR_CORE_MODULE}.v"));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), verilog);
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    if let Err(e) = lint(&path, CROSSBAR_CORE_MODULE, Some(&waivers)) {
        panic!("crossbar core: {e}");
    }
}

#[test]
fn every_learning_core_lints_clean() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    let dir = tempfile::tempdir().unwrap();
    for (neurons, axons) in LEARNING_SHAPES {
        let path = dir
            .path()
            .join(format!("{CORE_MODULE}_learning_{neurons}x{axons}.v"));
        let verilog = learning_core_verilog(CoreShape { neurons, axons }).unwrap();
        std::fs::write(&path, &*verilog).unwrap();
        if let Err(e) = lint(&path, CORE_MODULE, Some(&waivers)) {
            panic!("{neurons}x{axons} learning core: {e}");
        }
    }
    // Shapes without a learning core have no learning Verilog.
    assert!(learning_core_verilog(CoreShape {
        neurons: 64,
        axons: 32
    })
    .is_none());
}

#[test]
fn multicore_systems_lint_clean() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let waivers = Path::new(ROOT).join("testbenches").join("lint_waivers.vlt");
    let dir = tempfile::tempdir().unwrap();
    for (neurons, axons) in SYSTEM_SHAPES {
        for (width, height) in [(2, 1), (2, 2), (3, 2)] {
            let config = MeshConfig::new(width, height, 4)
                .unwrap()
                .with_full_offsets();
            let shape = CoreShape { neurons, axons };
            let path = dir.path().join(format!(
                "{SYSTEM_MODULE}_{width}x{height}_{neurons}x{axons}.v"
            ));
            std::fs::write(&path, system_verilog(shape, &config)).unwrap();
            if let Err(e) = lint(&path, SYSTEM_MODULE, Some(&waivers)) {
                panic!("{width}x{height} mesh of {neurons}x{axons} cores: {e}");
            }
        }
    }
}
