//! Memory is bounded by the work, not by the run's length or the file's declared sizes
//! (issue 14, item 2): a run of `"ticks": 4294967295` streams its spikes to the output as
//! ticks complete in constant memory, `sim --ticks 10000000` runs to its exact end under an
//! address-space limit, and a small file declaring gigabytes of neurons is refused at once,
//! before anything per neuron is allocated.
//!
//! Peak memory is the child process's `VmHWM` (`/proc/PID/status`) read while it runs, or an
//! address-space limit (`ulimit -v`) that an allocation of the declared sizes would exceed.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One neuron that spikes in every tick (`v = bias > vth << 6 = 0`), for 2^32 - 1 ticks: one
/// CSV row per tick, and before streaming, 24 bytes of collected spike per tick.
const ENDLESS_NET: &str = r#"{"ticks": 4294967295,
 "populations": [{"name": "p", "size": 1, "neuron": {"vth": 0, "bias_mant": 1}}]}"#;

/// 64 populations of 2^20 neurons in 3.6 KB: 2^26 neurons, gigabytes of per-neuron state.
fn huge_net() -> String {
    let populations: Vec<String> = (0..64)
        .map(|p| format!(r#"{{"name": "p{p}", "size": 1048576, "neuron": {{"vth": 1}}}}"#))
        .collect();
    format!(
        r#"{{"ticks": 10, "populations": [{}]}}"#,
        populations.join(", ")
    )
}

fn kib_field(pid: u32, name: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with(name)).unwrap();
    line[name.len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

/// The temporary file the run streams its CSV into (in the `--out` file's directory).
fn spool(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(".tmp"))
}

/// Waits until the run has streamed `bytes` of CSV; panics after `timeout` or if it exited.
fn wait_for_output(child: &mut Child, dir: &Path, bytes: u64, timeout: Duration) -> u64 {
    let started = Instant::now();
    loop {
        let size = spool(dir)
            .and_then(|p| std::fs::metadata(p).ok())
            .map_or(0, |m| m.len());
        if size >= bytes {
            return size;
        }
        if let Some(status) = child.try_wait().unwrap() {
            let mut message = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut message).unwrap();
            panic!("the run ended early ({status}): {message}");
        }
        assert!(
            started.elapsed() < timeout,
            "only {size} of {bytes} CSV bytes streamed in {timeout:?}: spikes are not written \
             as ticks complete"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs the endless network on `engine` and measures peak RSS after `first` and after `last`
/// bytes of CSV: the growth in between must stay under `max_growth_kib`, the peak under
/// `max_peak_kib`.
fn endless_run_is_flat(
    engine: &str,
    first: u64,
    last: u64,
    max_growth_kib: u64,
    max_peak_kib: u64,
) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), ENDLESS_NET).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_neurofab"))
        .args(["sim", "net.json", "--engine", engine, "--out", "spikes.csv"])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let timeout = Duration::from_secs(120);
    let bytes_then = wait_for_output(&mut child, dir.path(), first, timeout);
    let peak_then = kib_field(child.id(), "VmHWM:");
    let bytes_now = wait_for_output(&mut child, dir.path(), last, timeout);
    let peak_now = kib_field(child.id(), "VmHWM:");
    child.kill().unwrap();
    child.wait().unwrap();
    // Rows are "tick,p,0\n": about 10 bytes a tick at these tick numbers.
    let ticks = (bytes_now - bytes_then) / 10;
    eprintln!(
        "{engine}: peak RSS {peak_then} KiB after {bytes_then} CSV bytes, {peak_now} KiB after \
         {bytes_now} (about {ticks} more ticks and spikes)"
    );
    assert!(
        peak_now - peak_then <= max_growth_kib,
        "{engine}: peak RSS grew by {} KiB over about {ticks} ticks (limit {max_growth_kib})",
        peak_now - peak_then
    );
    assert!(
        peak_now <= max_peak_kib,
        "{engine}: peak RSS {peak_now} KiB (limit {max_peak_kib})"
    );
    assert!(
        !dir.path().join("spikes.csv").exists(),
        "an interrupted run must not leave its output"
    );
}

#[test]
fn golden_runs_four_billion_ticks_in_constant_memory() {
    // 1 MB, then 40 MB of CSV: about 4 million ticks in between, which collected spikes
    // would have cost 96 MB.
    endless_run_is_flat("golden", 1 << 20, 40 << 20, 1024, 32 << 10);
}

#[test]
fn rtl_runs_four_billion_ticks_in_constant_memory() {
    // About 40 000 ticks in between (a few seconds): collected spikes and per-tick cycles
    // would have cost 1.3 MB.
    endless_run_is_flat("rtl", 100 << 10, 500 << 10, 256, 64 << 10);
}

/// Runs `args` under an address-space limit of `limit_mib` MiB: what allocates the declared
/// sizes aborts instead of failing with a message.
fn run_limited(dir: &Path, limit_mib: u64, args: &[&str]) -> (std::process::Output, Duration) {
    let started = Instant::now();
    let output = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", limit_mib << 10))
        .arg(env!("CARGO_BIN_EXE_neurofab"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (output, started.elapsed())
}

#[test]
fn gigabytes_of_declared_neurons_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("huge.json"), huge_net()).unwrap();
    let cases: [(&[&str], &[&str]); 5] = [
        (
            &[
                "sim",
                "huge.json",
                "--engine",
                "golden",
                "--out",
                "spikes.csv",
            ],
            &[
                "cannot run on the golden engine",
                "67108864 neurons",
                "MiB",
                "address-space limit",
            ],
        ),
        (
            &["sim", "huge.json", "--engine", "rtl", "--out", "spikes.csv"],
            &[
                "cannot run on the rtl engine",
                "67108864 neurons",
                "has 256",
            ],
        ),
        (
            &["sim", "huge.json", "--engine", "rtl", "--mesh", "2x2"],
            &["needs at least 262144 cores", "2x2 mesh has 4"],
        ),
        (
            &["gen", "--net", "huge.json", "--out", "gen-out"],
            &["does not fit the core", "67108864 neurons"],
        ),
        (
            &["run", "huge.json", "--port", "/nonexistent/ttyUSB9"],
            &["67108864 neurons", "the core has 1024"],
        ),
    ];
    for (args, must_mention) in cases {
        let (output, took) = run_limited(dir.path(), 512, args);
        let message = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {message}");
        for needle in must_mention {
            assert!(
                message.contains(needle),
                "{args:?}: {message:?} lacks {needle:?}"
            );
        }
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    }
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "only huge.json: {left:?}");
}

/// One neuron driven by its bias alone: `u = 0`, `v` grows by `bias = 1` a tick (`dv = 0`) and
/// spikes when `v' = 6401 > vth << 6 = 6400`, then resets to 0. So it spikes in ticks
/// `6400 + 6401 k`: 1 562 times in ten million ticks (`k = 0..=1561`), the last in tick
/// `6400 + 6401 * 1561 = 9 998 361`.
const SLOW_NET: &str = r#"{"ticks": 1,
 "populations": [{"name": "p", "size": 1, "neuron": {"vth": 100, "bias_mant": 1}}]}"#;

#[test]
fn ten_million_ticks_run_to_the_end_in_bounded_memory() {
    const LIMIT_MIB: u64 = 256;
    const MAX_PEAK_KIB: u64 = 32 << 10;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("net.json"), SLOW_NET).unwrap();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {}; exec \"$0\" \"$@\"", LIMIT_MIB << 10))
        .arg(env!("CARGO_BIN_EXE_neurofab"))
        .args([
            "sim",
            "net.json",
            "--ticks",
            "10000000",
            "--engine",
            "golden",
            "--out",
            "spikes.csv",
        ])
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // `exec` keeps the pid: sample the run's peak RSS until it exits.
    let mut peak_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", child.id())) {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                let kib: u64 = line["VmHWM:".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                peak_kib = peak_kib.max(kib);
            }
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    assert!(status.success(), "{status}: {stderr}");
    eprintln!("golden, 10^7 ticks: peak RSS {peak_kib} KiB (sampled every 5 ms)");
    assert!(
        peak_kib <= MAX_PEAK_KIB,
        "peak RSS {peak_kib} KiB (limit {MAX_PEAK_KIB})"
    );
    let csv = std::fs::read_to_string(dir.path().join("spikes.csv")).unwrap();
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 1562, "spikes in ten million ticks");
    assert_eq!(rows[0], "6400,p,0");
    assert_eq!(rows.last().copied(), Some("9998361,p,0"));
}
