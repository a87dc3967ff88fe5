//! `neurofab plot`: figures from a run's files — a spike raster from the spike CSV, membrane
//! traces from the state CSV (`sim --probe`), weight matrices from `W.json`
//! (`sim --weights-out`), the STDP window from its CSV. SVG by default, PNG when the output ends in `.png`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::output::Outputs;
use crate::model::probe::parse_state_csv;
use crate::model::{LearnedWeights, Network};
use crate::plot::links::LinkMap;
use crate::plot::raster::{Raster, SpikeTable};
use crate::plot::trace::Traces;
use crate::plot::weights::WeightMaps;
use crate::plot::window::{parse_window_csv, WindowFigure};
use crate::plot::{render, Figure, Format};
use crate::sim::link_load::parse_link_csv;

/// `neurofab plot`.
#[derive(Debug, Args)]
pub struct PlotArgs {
    /// What to plot.
    #[command(subcommand)]
    pub figure: PlotCommand,
}

/// The figures.
#[derive(Debug, Subcommand)]
pub enum PlotCommand {
    /// Spike raster from a spike CSV (tick,population,neuron): one dot per spike,
    /// populations stacked.
    Raster {
        /// The spike CSV (`sim --out`).
        spikes: PathBuf,
        /// Output image: SVG, or PNG when it ends in .png.
        #[arg(short, long, default_value = "raster.svg")]
        out: PathBuf,
        /// The network: its population order and sizes, and its ticks as the x range.
        #[arg(long)]
        net: Option<PathBuf>,
    },
    /// Membrane traces from a state CSV (sim --probe ... --probe-out state.csv): v with each
    /// neuron's threshold (vth << 6, from --net) as a dashed line, and u.
    Trace {
        /// The state CSV (tick,population,neuron,u,v).
        states: PathBuf,
        /// Output image: SVG, or PNG when it ends in .png.
        #[arg(short, long, default_value = "trace.svg")]
        out: PathBuf,
        /// The network that was run (for the thresholds).
        #[arg(long)]
        net: Option<PathBuf>,
    },
    /// Weight matrices of the learning projections from a weights file (sim --weights-out,
    /// SPEC §6); with --net, the initial weights beside the learned ones.
    Weights {
        /// The weights file.
        weights: PathBuf,
        /// Output image: SVG, or PNG when it ends in .png.
        #[arg(short, long, default_value = "weights.svg")]
        out: PathBuf,
        /// The network that was run (for the weights before learning).
        #[arg(long)]
        net: Option<PathBuf>,
    },
    /// The STDP window from its CSV (dt,dw,float_dw; written by `neurofab demo stdp-window`):
    /// the measured weight change against t_post - t_pre, and the float exponential.
    Window {
        /// The window CSV.
        csv: PathBuf,
        /// Output image: SVG, or PNG when it ends in .png.
        #[arg(short, long, default_value = "stdp_window.svg")]
        out: PathBuf,
    },
    /// The NoC link-load heat map from a link-load CSV (x,y,link,flits; written by
    /// `sim --mesh WxH --link-load`): each one-way link between routers coloured by its flits.
    Links {
        /// The link-load CSV.
        csv: PathBuf,
        /// Output image: SVG, or PNG when it ends in .png.
        #[arg(short, long, default_value = "links.svg")]
        out: PathBuf,
    },
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

fn load_net(path: Option<&Path>) -> Result<Option<Network>> {
    path.map(|p| Network::load(p).map_err(anyhow::Error::from))
        .transpose()
}

/// Runs `neurofab plot`.
pub fn plot(args: PlotArgs) -> Result<()> {
    match args.figure {
        PlotCommand::Raster { spikes, out, net } => {
            let net = load_net(net.as_deref())?;
            let table = SpikeTable::parse(&read(&spikes)?, net.as_ref())
                .with_context(|| spikes.display().to_string())?;
            let count = table.spikes.len();
            let raster = Raster::new(table, net.as_ref().map(|n| n.ticks))
                .with_context(|| spikes.display().to_string())?;
            write_figure(&raster, &out)?;
            eprintln!("wrote {} ({count} spikes)", out.display());
        }
        PlotCommand::Trace { states, out, net } => {
            let net = load_net(net.as_deref())?;
            let table =
                parse_state_csv(&read(&states)?).with_context(|| states.display().to_string())?;
            let traces =
                Traces::new(&table, net.as_ref()).with_context(|| states.display().to_string())?;
            write_figure(&traces, &out)?;
            eprintln!("wrote {}", out.display());
        }
        PlotCommand::Weights { weights, out, net } => {
            let net = load_net(net.as_deref())?;
            let learned: LearnedWeights = serde_json::from_str(&read(&weights)?)
                .with_context(|| format!("{}: not a weights file (SPEC §6)", weights.display()))?;
            let maps = WeightMaps::new(&learned, net.as_ref())
                .with_context(|| weights.display().to_string())?;
            write_figure(&maps, &out)?;
            eprintln!("wrote {}", out.display());
        }
        PlotCommand::Links { csv, out } => {
            let loads = parse_link_csv(&read(&csv)?)
                .map_err(|reason| anyhow::anyhow!("{}: {reason}", csv.display()))?;
            let figure = LinkMap::new(loads).with_context(|| csv.display().to_string())?;
            write_figure(&figure, &out)?;
            eprintln!("wrote {}", out.display());
        }
        PlotCommand::Window { csv, out } => {
            let points = parse_window_csv(&read(&csv)?)
                .map_err(|reason| anyhow::anyhow!("{}: {reason}", csv.display()))?;
            let figure = WindowFigure::new(points).with_context(|| csv.display().to_string())?;
            write_figure(&figure, &out)?;
            eprintln!("wrote {}", out.display());
        }
    }
    Ok(())
}

/// Renders `figure` in the format `out` asks for and writes it (all or nothing).
fn write_figure(figure: &impl Figure, out: &Path) -> Result<()> {
    let bytes = render(figure, Format::of(out))?;
    let mut outputs = Outputs::new();
    let id = outputs.plan(out)?;
    outputs.set_contents(id, &bytes)?;
    outputs.commit()
}
