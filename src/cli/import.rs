//! `neurofab import MODEL.nir --dt SECONDS [--out net.json] [--report quant.json]`: a NIR
//! graph onto the network format (`src/import/`, `docs/nir.md`).

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::output::{print_stdout, Outputs};
use crate::import::{import_file, ImportError};

/// `neurofab import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The NIR graph (HDF5, as Python `nir` and the SNN frameworks write it).
    pub model: PathBuf,
    /// Time step in seconds: NIR's equations are continuous-time and discretised with forward
    /// Euler at this step (docs/nir.md). Use the dt the model was trained/exported with.
    #[arg(long, value_name = "SECONDS")]
    pub dt: f64,
    /// Write the network JSON here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the quantization report (per layer: weight exponent and errors, thresholds and
    /// decays before and after rounding) as JSON here.
    #[arg(long, value_name = "quant.json")]
    pub report: Option<PathBuf>,
    /// The network's `ticks` (it has no input spikes: add them to the file).
    #[arg(long, default_value_t = 100)]
    pub ticks: u32,
}

/// Runs `neurofab import`: every output is written, or none.
pub fn import(args: ImportArgs) -> Result<()> {
    let imported = import_file(&args.model, args.dt, args.ticks).map_err(|err| match err {
        // This one names the file already.
        ImportError::File { .. } => anyhow::Error::new(err),
        _ => anyhow::anyhow!("{}: {err}", args.model.display()),
    })?;
    let json = imported.network.to_json();
    let mut outputs = Outputs::new();
    let net_out = args.out.as_deref().map(|p| outputs.plan(p)).transpose()?;
    let report_out = args
        .report
        .as_deref()
        .map(|p| outputs.plan(p))
        .transpose()?;
    if let Some(id) = net_out {
        outputs.set_contents(id, json.as_bytes())?;
    }
    if let Some(id) = report_out {
        outputs.set_contents(id, imported.report.to_json().as_bytes())?;
    }
    outputs.commit()?;
    eprint!("{}", imported.report.summary());
    let net = &imported.network;
    eprintln!(
        "import: {} inputs, {} populations ({} neurons), {} projections at dt = {} s",
        net.inputs.len(),
        net.populations.len(),
        net.total_neurons(),
        net.projections.len(),
        args.dt
    );
    if net_out.is_none() {
        print_stdout(&json)?;
    }
    Ok(())
}
