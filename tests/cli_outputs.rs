//! Where outputs go: special files are written through, never replaced; a failed command
//! leaves no output at all; standard output behaves like a Unix filter's.

use std::io::Read;
use std::process::{Command, Stdio};

const NET: &str = r#"{"ticks": 4, "inputs": [{"name": "in", "size": 2, "spikes": [[0, 1], [2, 0]]}],
 "populations": [{"name": "p0", "size": 2, "neuron": {"vth": 10, "du": 4095}}],
 "projections": [{"from": "in", "to": "p0", "weights": [[100, 0], [0, 100]]}]}"#;

/// The golden model's CSV for [`NET`].
const CSV: &str = "tick,population,neuron\n1,p0,1\n3,p0,0\n";

mod common;
use common::files_in as names_in;
use common::neurofab_in as neurofab;

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), NET).unwrap();
    dir
}

#[test]
fn stdout_and_out_file_carry_the_same_csv() {
    let dir = setup();
    let output = neurofab(&["sim", "net.json"], dir.path());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8(output.stdout).unwrap(), CSV);
    let output = neurofab(&["sim", "net.json", "--out", "s.csv"], dir.path());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("s.csv")).unwrap(),
        CSV
    );
}

#[test]
fn out_that_is_a_directory_is_refused_and_leaves_nothing() {
    let dir = setup();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let output = neurofab(&["sim", "net.json", "--out", "d"], dir.path());
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("d: it is a directory"), "{message}");
    assert_eq!(names_in(dir.path()), ["d", "net.json"]);
    assert!(names_in(&dir.path().join("d")).is_empty());
}

#[test]
fn a_failing_output_means_no_output_at_all() {
    // The CSV's directory does not exist: the VCD must not appear either.
    let dir = setup();
    let output = neurofab(
        &[
            "sim",
            "net.json",
            "--engine",
            "rtl",
            "--vcd",
            "w.vcd",
            "--out",
            "missing/x.csv",
        ],
        dir.path(),
    );
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("missing/x.csv"), "{message}");
    assert_eq!(names_in(dir.path()), ["net.json"]);
}

#[test]
fn outputs_are_world_readable_files() {
    let dir = setup();
    let output = neurofab(
        &[
            "sim", "net.json", "--engine", "rtl", "--vcd", "w.vcd", "--out", "s.csv",
        ],
        dir.path(),
    );
    assert!(output.status.success(), "{output:?}");
    use std::os::unix::fs::PermissionsExt;
    for name in ["w.vcd", "s.csv"] {
        let mode = std::fs::metadata(dir.path().join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{name}");
    }
}

#[test]
fn a_symlink_keeps_pointing_at_its_rewritten_target() {
    let dir = setup();
    std::fs::write(dir.path().join("real.csv"), "old").unwrap();
    std::os::unix::fs::symlink("real.csv", dir.path().join("link.csv")).unwrap();
    let output = neurofab(&["sim", "net.json", "--out", "link.csv"], dir.path());
    assert!(output.status.success(), "{output:?}");
    let link = std::fs::symlink_metadata(dir.path().join("link.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.csv")).unwrap(),
        CSV
    );
    assert_eq!(names_in(dir.path()), ["link.csv", "net.json", "real.csv"]);
}

#[test]
fn a_fifo_is_written_through() {
    let dir = setup();
    let fifo = dir.path().join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let output = neurofab(&["sim", "net.json", "--out", "pipe"], dir.path());
    assert!(output.status.success(), "{output:?}");
    assert_eq!(reader.join().unwrap(), CSV);
    use std::os::unix::fs::FileTypeExt;
    let meta = std::fs::symlink_metadata(&fifo).unwrap();
    assert!(meta.file_type().is_fifo(), "the FIFO was replaced");
}

#[test]
fn a_full_device_behind_a_link_is_an_error_not_a_replacement() {
    // A link in the test's directory to /dev/full: the old code replaced the link with a
    // regular file and reported success; writing through hits ENOSPC.
    let dir = setup();
    std::os::unix::fs::symlink("/dev/full", dir.path().join("full.csv")).unwrap();
    let output = neurofab(&["sim", "net.json", "--out", "full.csv"], dir.path());
    assert!(!output.status.success());
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(message.contains("cannot write full.csv"), "{message}");
    let link = std::fs::symlink_metadata(dir.path().join("full.csv")).unwrap();
    assert!(link.file_type().is_symlink());
}

#[test]
fn a_reader_that_goes_away_stops_the_command_quietly() {
    let dir = setup();
    let mut child = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["sim", "net.json"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before the CSV is written: the write gets EPIPE.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn stdout_write_failures_are_errors() {
    let dir = setup();
    // A full device.
    let output = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["sim", "net.json"])
        .current_dir(dir.path())
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    let message = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("cannot write to standard output"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    // A closed descriptor 1 (`>&-`) cannot be told from `>/dev/null`: Rust's runtime reopens
    // closed descriptors 0-2 on /dev/null before `main` (see `cli::output::print_stdout`).
}
