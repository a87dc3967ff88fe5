//! What `sim` writes besides the spikes: the probed neurons' states (`--probe`,
//! `--probe-out`), the run's counts (`--stats`) and a mesh's link loads (`--link-load`). All
//! ride along the spike sink, tick by tick (see `model::sink::Tee`), so a run of any length
//! keeps one tick's states and a few counters.

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::output::{OutputId, Outputs};
use crate::map::mesh::{map_mesh, MeshShape};
use crate::model::probe::parse_probes;
use crate::model::{CsvSink, Network, SpikeSink, StateCsvSink, Tee};
use crate::shape::CoreShape;
use crate::sim::link_load::LinkLoadCounter;
use crate::sim::stats::{CostModel, Footprint, StatsCounter};
use crate::sim::{Engine, RunSummary};

/// The state CSV and the counter of one `sim` run, planned before it starts.
pub struct Observers {
    probe: Option<(OutputId, StateCsvSink<BufWriter<File>>)>,
    stats: Option<(OutputId, StatsCounter)>,
    links: Option<(OutputId, LinkLoadCounter)>,
}

impl Observers {
    /// Plans `--probe-out`, `--stats` and `--link-load` among the command's outputs; `probes`
    /// are the `--probe` arguments; the link loads need the mesh the run is placed on.
    pub fn plan(
        outputs: &mut Outputs,
        net: &Network,
        ticks: u32,
        (probes, probe_out): (&[String], Option<&Path>),
        stats_out: Option<&Path>,
        link_load: Option<(&Path, MeshShape, CoreShape)>,
    ) -> Result<Observers> {
        let probe = match (probes.is_empty(), probe_out) {
            (true, None) => None,
            (true, Some(_)) => bail!("--probe-out needs at least one --probe POP[:i,j,...]"),
            (false, None) => bail!("--probe needs --probe-out FILE for the state CSV"),
            (false, Some(path)) => {
                let neurons = parse_probes(probes, net)?;
                let id = outputs.plan(path)?;
                let file = outputs.reopen(id)?;
                let sink = StateCsvSink::new(BufWriter::new(file), net, neurons)
                    .context("cannot write the state CSV to a temporary file")?;
                Some((id, sink))
            }
        };
        let stats = match stats_out {
            Some(path) => Some((outputs.plan(path)?, StatsCounter::new(net, ticks))),
            None => None,
        };
        let links = match link_load {
            Some((path, mesh, shape)) => {
                let image = map_mesh(net, mesh, shape)?;
                Some((outputs.plan(path)?, LinkLoadCounter::new(image, net, ticks)))
            }
            None => None,
        };
        Ok(Observers {
            probe,
            stats,
            links,
        })
    }

    /// One sink for the run: `spikes` first, then the counter; probed states to the CSV.
    pub fn tee<'a>(&'a mut self, spikes: &'a mut CsvSink<BufWriter<File>>) -> Tee<'a> {
        let mut sinks: Vec<&'a mut dyn SpikeSink> = vec![spikes];
        if let Some((_, counter)) = &mut self.stats {
            sinks.push(counter);
        }
        if let Some((_, counter)) = &mut self.links {
            sinks.push(counter);
        }
        Tee {
            sinks,
            probe: self.probe.as_mut().map(|(_, sink)| sink as _),
        }
    }

    /// Finishes the state CSV and writes `stats.json` after a successful run; returns the
    /// counts' summary for stderr. The footprint is that of the cores the network was mapped to on a
    /// hardware engine, of the network itself on golden.
    pub fn finish(
        self,
        outputs: &mut Outputs,
        net: &Network,
        (engine, costs): (Engine, CostModel),
        (shape, mesh): (CoreShape, MeshShape),
        summary: &RunSummary,
    ) -> Result<Option<String>> {
        if let Some((_, sink)) = self.probe {
            sink.finish()
                .and_then(|writer| writer.into_inner().map_err(|e| e.into_error()))
                .context("cannot write the state CSV to a temporary file")?;
        }
        if let Some((id, counter)) = self.links {
            let loads = counter.finish();
            outputs.set_contents(id, loads.to_csv().as_bytes())?;
            let busiest = match loads.busiest() {
                Some((x, y, link, flits)) => format!(
                    "; busiest link {link} out of ({x}, {y}): {flits}",
                    link = link.name()
                ),
                None => "; no flit crossed a link between routers".into(),
            };
            eprintln!("link loads: {} flits{busiest}", loads.total());
        }
        if let Some((id, counter)) = self.stats {
            let footprint = match engine {
                Engine::Golden => Footprint::of_network(net),
                Engine::Rtl | Engine::Verilator => {
                    Footprint::of_image(&map_mesh(net, mesh, shape)?)
                }
            };
            let cycles = summary.cycles.zip(summary.total_cycles);
            let stats = counter.finish(net, engine.name(), cycles, footprint, costs);
            outputs.set_contents(id, stats.to_json().as_bytes())?;
            return Ok(Some(stats.summary()));
        }
        Ok(None)
    }
}
