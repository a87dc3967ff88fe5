//! `neurofab import MODEL.nir --dt SECONDS [--out net.json] [--report quant.json]`: a NIR
//! graph onto the network format (`src/import/`, `docs/nir.md`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::Args;

use super::output::{print_stdout, Outputs};
use crate::import::stimulus::Stimulus;
use crate::import::{import_file, ImportError};
use crate::model::{DeclaredSizes, Network};

/// `ticks` of an imported network when nothing sets it (`--ticks`, a stimulus file).
const DEFAULT_TICKS: u32 = 100;

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
    /// The network's `ticks` (without --stimulus it has no input spikes).
    #[arg(long, default_value_t = DEFAULT_TICKS)]
    pub ticks: u32,
    /// Input spikes (and ticks) to put in the network: {"ticks": T, "inputs": [{"name",
    /// "spikes": [[tick, index], ...]}]}, names = the graph's Input nodes.
    #[arg(long, value_name = "STIM.json")]
    pub stimulus: Option<PathBuf>,
}

/// Runs `neurofab import`: every output is written, or none.
pub fn import(args: ImportArgs) -> Result<()> {
    let imported = import_file(&args.model, args.dt, args.ticks).map_err(|err| match err {
        // This one names the file already.
        ImportError::File { .. } => anyhow::Error::new(err),
        _ => anyhow::anyhow!("{}: {err}", args.model.display()),
    })?;
    let mut imported = imported;
    apply_stimulus(&mut imported.network, args.stimulus.as_deref())?;
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

/// `--dt` of the commands that take a network (`sim`, `gen`, `build`, `run`): a `.nir` model
/// in place of a network file needs it.
#[derive(Debug, Args)]
pub struct DtArg {
    /// Time step in seconds for a .nir model given as the network (docs/nir.md); required
    /// for one, refused for a network file.
    #[arg(long, value_name = "SECONDS")]
    pub dt: Option<f64>,
}

/// Whether `path` names a NIR model (by its `.nir` extension) rather than a network file.
pub fn is_nir(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("nir"))
}

/// The declared sizes of an imported network, for the same limits a network file meets.
fn declared_sizes(net: &Network) -> DeclaredSizes {
    DeclaredSizes {
        populations: net
            .populations
            .iter()
            .map(|p| (p.name.clone(), p.size))
            .collect(),
        inputs: net.inputs.iter().map(|i| i.size).collect(),
        projections: net
            .projections
            .iter()
            .map(|p| (net.source_size(p.from), p.to))
            .collect(),
        input_spikes: net.inputs.iter().map(|i| i.spikes.len()).sum(),
    }
}

/// Imports the `.nir` model at `path` at `dt` (required) and applies `limit` (`what` says
/// what a refusal means: `NET: WHAT: reason`).
pub fn load_nir(
    path: &Path,
    dt: Option<f64>,
    what: &str,
    limit: &dyn Fn(&DeclaredSizes) -> std::result::Result<(), String>,
) -> Result<Network> {
    let Some(dt) = dt else {
        bail!(
            "{}: a NIR model needs --dt SECONDS (the time step its equations are discretised at; see docs/nir.md)",
            path.display()
        );
    };
    let imported = import_file(path, dt, DEFAULT_TICKS).map_err(|err| match err {
        ImportError::File { .. } => anyhow::Error::new(err),
        _ => anyhow::anyhow!("{}: {err}", path.display()),
    })?;
    limit(&declared_sizes(&imported.network))
        .map_err(|reason| anyhow::anyhow!("{}: {what}: {reason}", path.display()))?;
    Ok(imported.network)
}

/// Applies `--stimulus` (if given) to a loaded network.
pub fn apply_stimulus(net: &mut Network, stimulus: Option<&Path>) -> Result<()> {
    if let Some(path) = stimulus {
        Stimulus::load(path)?.apply(net, path)?;
    }
    Ok(())
}
