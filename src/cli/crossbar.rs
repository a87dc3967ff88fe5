//! `neurofab crossbar ...`: the analog crossbar's read path, on its own, for checking against a
//! circuit simulator (format: `docs/crossbar.md`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::output::print_stdout;
use super::write_atomic;
use crate::analog::{nodal, xbar_file};

/// `neurofab crossbar`.
#[derive(Debug, Args)]
pub struct CrossbarArgs {
    /// What to do with the crossbar.
    #[command(subcommand)]
    pub command: CrossbarCommand,
}

/// `neurofab crossbar` sub-commands.
#[derive(Debug, Subcommand)]
pub enum CrossbarCommand {
    /// Solve one read of a resistive array (XBAR.json: rows, cols, g, v_row, r_wire_row,
    /// r_wire_col, r_source, r_sense; docs/crossbar.md) exactly by nodal analysis and write the
    /// current from each column into its sense node as CSV (`col,current_a`, 12 significant
    /// digits).
    Solve(SolveArgs),
}

/// `neurofab crossbar solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The array (XBAR.json).
    pub xbar: PathBuf,
    /// Output CSV (standard output if omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// Runs a `crossbar` sub-command.
pub fn crossbar(args: CrossbarArgs) -> Result<()> {
    match args.command {
        CrossbarCommand::Solve(args) => solve(args),
    }
}

fn solve(args: SolveArgs) -> Result<()> {
    let path = args.xbar.display();
    let text =
        std::fs::read_to_string(&args.xbar).with_context(|| format!("cannot read {path}"))?;
    let net = xbar_file::parse(&text).with_context(|| format!("{path}"))?;
    let currents = nodal::column_currents(&net).with_context(|| format!("{path}"))?;
    let csv = xbar_file::currents_csv(&currents);
    eprintln!(
        "{path}: {} x {} array solved, {} column currents",
        net.rows, net.cols, net.cols
    );
    match &args.out {
        Some(out) => write_atomic(out, &csv),
        None => print_stdout(&csv),
    }
}
