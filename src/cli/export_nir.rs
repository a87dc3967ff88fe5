//! `neurofab export-nir NET.json --out MODEL.nir [--dt SECONDS] [--weights W.json]`: a network
//! (with its learned weights, spec §6) as a NIR graph (`src/import/export.rs`, `docs/nir.md`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::output::Outputs;
use crate::import::export::{apply_learned_weights, network_to_graph};
use crate::import::write::graph_to_bytes;
use crate::model::declared::golden_memory_limit;
use crate::model::{LearnedWeights, Network};

/// The `dt` written when none is given: one millisecond per tick.
const DEFAULT_EXPORT_DT: f64 = 1e-3;

/// `neurofab export-nir`.
#[derive(Debug, Args)]
pub struct ExportNirArgs {
    /// The network file (spec §1).
    pub net: PathBuf,
    /// The .nir file to write (nothing is written on an error).
    #[arg(long)]
    pub out: PathBuf,
    /// Seconds per tick: the time constants are written for this step, and importing the file
    /// with the same --dt gives the network back exactly.
    #[arg(long, value_name = "SECONDS", default_value_t = DEFAULT_EXPORT_DT)]
    pub dt: f64,
    /// Learned weights (spec §6, from `sim --weights-out` or `run --weights-out`) to export in
    /// place of the learning projections' initial weights.
    #[arg(long, value_name = "W.json")]
    pub weights: Option<PathBuf>,
}

/// Runs `neurofab export-nir`.
pub fn export_nir(args: ExportNirArgs) -> Result<()> {
    let mut net = Network::load_within(&args.net, &|sizes| golden_memory_limit(sizes))?;
    if let Some(path) = &args.weights {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let learned: LearnedWeights = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a learned-weights file (spec §6)", path.display()))?;
        apply_learned_weights(&mut net, &learned).with_context(|| format!("{}", path.display()))?;
    }
    let graph = network_to_graph(&net, args.dt)
        .with_context(|| format!("{}: cannot export", args.net.display()))?;
    let bytes = graph_to_bytes(&graph)?;
    let mut outputs = Outputs::new();
    let out = outputs.plan(&args.out)?;
    outputs.set_contents(out, &bytes)?;
    outputs.commit()?;
    for (k, proj) in net.projections.iter().enumerate() {
        if proj.learning.is_some() {
            eprintln!(
                "export-nir: projection {k} ({} -> {}): its STDP rule is not exported (NIR has no plasticity), its {} weights are",
                net.source_name(proj.from),
                net.populations[proj.to].name,
                if args.weights.is_some() { "learned" } else { "initial" }
            );
        }
    }
    eprintln!(
        "export-nir: {} inputs, {} CubaLIF populations ({} neurons), {} Linear projections at dt = {} s -> {}",
        net.inputs.len(),
        net.populations.len(),
        net.total_neurons(),
        net.projections.len(),
        args.dt,
        args.out.display()
    );
    Ok(())
}
