//! The files and the standard output a command writes: all of them appear, or none.
//!
//! A command first [`plan`](Outputs::plan)s every output path. Planning checks what can be
//! checked before any work is done (not a directory, the directory exists and is writable) and
//! creates a temporary file for each output, which the command (or an engine, e.g. the VCD
//! writer) fills. [`commit`](Outputs::commit) then moves them into place:
//! - a regular file, a path that does not exist yet, or a symlink to a regular file gets the
//!   temporary file renamed over it (the symlink's target is replaced, the link kept), so a
//!   reader never sees half a file;
//! - a FIFO, a character or block device, a socket or a dangling symlink is written through
//!   (opened and written in place: `--out /dev/null`, `--out /dev/stdout`, a named pipe), never
//!   replaced by a regular file.
//!
//! Written-through targets are committed first, since they are the ones that can still fail
//! (`/dev/full`); renames within one directory do not. Dropping an uncommitted [`Outputs`]
//! deletes the temporary files.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use tempfile::NamedTempFile;

/// How a planned output reaches its path.
#[derive(Debug)]
enum Delivery {
    /// Rename the temporary file onto this path (the resolved target of a symlink).
    Rename(PathBuf),
    /// Open the path and copy the temporary file's contents into it.
    WriteThrough,
}

#[derive(Debug)]
struct Planned {
    /// The path as the user gave it (for messages).
    path: PathBuf,
    delivery: Delivery,
    temp: NamedTempFile,
}

/// Handle of one planned output.
#[derive(Clone, Copy, Debug)]
pub struct OutputId(usize);

/// The outputs of one command; see the module documentation.
#[derive(Debug, Default)]
pub struct Outputs {
    planned: Vec<Planned>,
}

impl Outputs {
    /// An empty set of outputs.
    pub fn new() -> Outputs {
        Outputs::default()
    }

    /// Plans an output at `path` and creates its temporary file.
    pub fn plan(&mut self, path: &Path) -> Result<OutputId> {
        let delivery = delivery_for(path)?;
        let temp_dir = match &delivery {
            Delivery::Rename(target) => parent_dir(target),
            // A device's directory (/dev) is usually not writable: stage in the temp dir.
            Delivery::WriteThrough => std::env::temp_dir(),
        };
        let temp = NamedTempFile::new_in(&temp_dir).with_context(|| {
            format!(
                "cannot write {}: cannot create a file in {}",
                path.display(),
                temp_dir.display()
            )
        })?;
        self.planned.push(Planned {
            path: path.to_path_buf(),
            delivery,
            temp,
        });
        Ok(OutputId(self.planned.len() - 1))
    }

    /// Where an engine should write output `id` (the temporary file).
    pub fn temp_path(&self, id: OutputId) -> &Path {
        self.planned[id.0].temp.path()
    }

    /// A second handle on output `id`'s temporary file, for an engine to stream into (the
    /// file is empty until written).
    pub fn reopen(&self, id: OutputId) -> Result<File> {
        let planned = &self.planned[id.0];
        planned
            .temp
            .reopen()
            .with_context(|| format!("cannot write {}", planned.path.display()))
    }

    /// Writes `contents` as the whole of output `id`.
    pub fn set_contents(&mut self, id: OutputId, contents: &[u8]) -> Result<()> {
        let planned = &mut self.planned[id.0];
        let file = planned.temp.as_file_mut();
        file.set_len(0)
            .and_then(|()| file.rewind())
            .and_then(|()| file.write_all(contents))
            .and_then(|()| file.flush())
            .with_context(|| format!("cannot write {}", planned.path.display()))
    }

    /// Moves every output into place (see the module documentation for the order).
    pub fn commit(self) -> Result<()> {
        let (through, renamed): (Vec<Planned>, Vec<Planned>) = self
            .planned
            .into_iter()
            .partition(|p| matches!(p.delivery, Delivery::WriteThrough));
        for planned in through {
            write_through(&planned)
                .with_context(|| format!("cannot write {}", planned.path.display()))?;
        }
        for planned in renamed {
            let Delivery::Rename(target) = &planned.delivery else {
                unreachable!("partitioned above")
            };
            let path = planned.path.clone();
            let target = target.clone();
            // Temporary files are created private (0600); outputs get the usual 0644.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                planned
                    .temp
                    .as_file()
                    .set_permissions(std::fs::Permissions::from_mode(0o644))
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            // On failure the error keeps only the io::Error: the temporary file is dropped
            // (deleted) here, not carried out in the error past `process::exit`.
            planned
                .temp
                .persist(&target)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(())
    }
}

/// Decides how `path` is written, refusing what can never work.
fn delivery_for(path: &Path) -> Result<Delivery> {
    let link = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let dir = parent_dir(path);
            if !dir.is_dir() {
                bail!(
                    "cannot write {}: directory {} does not exist",
                    path.display(),
                    dir.display()
                );
            }
            return Ok(Delivery::Rename(path.to_path_buf()));
        }
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", path.display())),
    };
    if link.is_dir() {
        bail!("cannot write {}: it is a directory", path.display());
    }
    if link.is_file() {
        return Ok(Delivery::Rename(path.to_path_buf()));
    }
    if link.file_type().is_symlink() {
        return match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => {
                bail!(
                    "cannot write {}: it is a link to a directory",
                    path.display()
                )
            }
            // Replace the link's target, keep the link.
            Ok(meta) if meta.is_file() => Ok(Delivery::Rename(
                std::fs::canonicalize(path)
                    .with_context(|| format!("cannot write {}", path.display()))?,
            )),
            // A link to a device or FIFO, or a dangling link (opening it creates the target).
            _ => Ok(Delivery::WriteThrough),
        };
    }
    // FIFO, character or block device, socket.
    Ok(Delivery::WriteThrough)
}

fn write_through(planned: &Planned) -> io::Result<()> {
    let mut source = File::open(planned.temp.path())?;
    let mut target = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&planned.path)?;
    // In chunks: a long run's CSV need not fit in memory.
    io::copy(&mut source, &mut target)?;
    target.flush()
}

fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The reader of our standard output went away (e.g. `neurofab sim net.json | head -1`):
/// the command stops quietly with status 0, like `ripgrep`, instead of reporting an error.
#[derive(Debug, thiserror::Error)]
#[error("standard output closed by its reader")]
pub struct StdoutClosed;

/// Writes `text` to standard output and flushes it. A broken pipe is [`StdoutClosed`]; any
/// other failure (`> /dev/full`) is an error.
///
/// A descriptor 1 closed by the caller (`>&-`) goes unnoticed: Rust's runtime reopens closed
/// descriptors 0-2 on `/dev/null` (read-write) before `main`, which is indistinguishable from a
/// caller's `/dev/null` (Python's `subprocess.DEVNULL` opens it read-write too), so refusing it
/// would break legitimate uses.
pub fn print_stdout(text: &str) -> Result<()> {
    let result = write_stdout(text.as_bytes());
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

/// Copies `file` from its start to standard output, in chunks, with the errors of
/// [`print_stdout`].
pub fn copy_to_stdout(file: &mut File) -> Result<()> {
    let result = file.rewind().and_then(|()| {
        let mut stdout = io::stdout().lock();
        io::copy(file, &mut stdout)?;
        stdout.flush()
    });
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Err(StdoutClosed.into()),
        Err(e) => Err(e).context("cannot write to standard output"),
    }
}

fn write_stdout(bytes: &[u8]) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()
}
