//! Where an engine puts a run's spikes as its ticks complete: memory then stays bounded by one
//! tick's work, not by the length of the run (`"ticks": 4294967295` is a valid network).
//!
//! Every engine (the golden model, the pin-level drivers of one core or a mesh, the UART host
//! link) calls [`SpikeSink::tick_done`] once per tick, in tick order, with that tick's spikes
//! sorted by `(population, neuron)` and without duplicates. Ticks ascend, so the rows a sink
//! sees come in the order of spec §3 (tick, population, neuron): the same order as sorting the
//! whole run, which is what [`SpikeTrain::from_unsorted`] did when runs were collected.
//!
//! [`CsvSink`] streams the CSV (the command line's output); [`SpikeCollector`] keeps everything
//! in memory, for tests and benchmarks that compare whole runs.

use std::io::{self, Write};

use crate::fixed::LifState;

use super::network::Network;
use super::probe::StateSink;
use super::spikes::{csv_field, Spike, SpikeTrain, CSV_HEADER};

/// Receives a run's spikes tick by tick.
pub trait SpikeSink {
    /// Tick `tick` is complete. `spikes` are its `(population, neuron)` pairs, sorted and
    /// unique; `cycles` is the tick's clock cycle count on a hardware engine (`None` on the
    /// golden model). An error stops the run and is reported by the engine.
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        cycles: Option<u64>,
    ) -> io::Result<()>;

    /// Where the states of probed neurons go after each tick (`None`: no probes). An engine
    /// calls it after every [`tick_done`](Self::tick_done) and, when it gets a probe, reads
    /// the [`probed`](StateSink::probed) neurons' `(u, v)` and hands them over.
    fn state_probe(&mut self) -> Option<&mut dyn StateSink> {
        None
    }
}

/// Several sinks behind one: each tick's spikes go to every sink in order; the states of
/// probed neurons go to `probe`.
#[derive(Default)]
pub struct Tee<'a> {
    /// The spike sinks.
    pub sinks: Vec<&'a mut dyn SpikeSink>,
    /// Where probed states go, if anywhere.
    pub probe: Option<&'a mut dyn StateSink>,
}

impl SpikeSink for Tee<'_> {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        cycles: Option<u64>,
    ) -> io::Result<()> {
        self.sinks
            .iter_mut()
            .try_for_each(|sink| sink.tick_done(tick, spikes, cycles))
    }

    fn state_probe(&mut self) -> Option<&mut dyn StateSink> {
        match &mut self.probe {
            Some(probe) => Some(&mut **probe),
            None => None,
        }
    }
}

/// A sink failed while taking the output of a tick.
#[derive(Debug, thiserror::Error)]
#[error("tick {tick}: cannot write the output: {source}")]
pub struct TickOutputError {
    /// The tick whose spikes or states were being written.
    pub tick: u32,
    /// The sink's error.
    #[source]
    pub source: io::Error,
}

/// Hands the states of `sink`'s probed neurons after tick `tick` to its probe, reading each
/// with `read(population, neuron)`; does nothing without a probe.
pub fn deliver_states(
    sink: &mut dyn SpikeSink,
    tick: u32,
    mut read: impl FnMut(usize, usize) -> LifState,
) -> io::Result<()> {
    let Some(probe) = sink.state_probe() else {
        return Ok(());
    };
    let states: Vec<LifState> = probe
        .probed()
        .iter()
        .map(|&(pop, neuron)| read(pop, neuron))
        .collect();
    probe.tick_states(tick, &states)
}

/// Collects a whole run in memory: the spikes and, when the engine reports them, the cycles
/// of every tick (8 bytes a tick: for tests that check per-tick cycle counts).
#[derive(Clone, Debug, Default)]
pub struct SpikeCollector {
    /// The spikes so far, in CSV order.
    pub spikes: Vec<Spike>,
    /// Clock cycles of each tick so far (empty for the golden model).
    pub tick_cycles: Vec<u64>,
}

impl SpikeCollector {
    /// The collected spikes as a train.
    pub fn into_train(self) -> SpikeTrain {
        SpikeTrain {
            spikes: self.spikes,
        }
    }
}

impl SpikeSink for SpikeCollector {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        cycles: Option<u64>,
    ) -> io::Result<()> {
        self.spikes
            .extend(spikes.iter().map(|&(population, neuron)| Spike {
                tick,
                population,
                neuron,
            }));
        self.tick_cycles.extend(cycles);
        Ok(())
    }
}

/// Writes the spike CSV of spec §3 to `W` as ticks complete: byte for byte what
/// [`SpikeTrain::to_csv`] gives for the whole run.
pub struct CsvSink<W: Write> {
    out: W,
    /// Each population's name as a CSV field (quoted when needed), computed once.
    names: Vec<String>,
    /// Rows written so far.
    spikes: u64,
}

impl<W: Write> CsvSink<W> {
    /// Writes the header to `out`; population names come from `net`.
    pub fn new(mut out: W, net: &Network) -> io::Result<Self> {
        writeln!(out, "{CSV_HEADER}")?;
        Ok(CsvSink {
            out,
            names: net
                .populations
                .iter()
                .map(|p| csv_field(&p.name).into_owned())
                .collect(),
            spikes: 0,
        })
    }

    /// Spikes written so far.
    pub fn spike_count(&self) -> u64 {
        self.spikes
    }

    /// Flushes and returns the writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> SpikeSink for CsvSink<W> {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        _cycles: Option<u64>,
    ) -> io::Result<()> {
        for &(population, neuron) in spikes {
            writeln!(self.out, "{tick},{},{neuron}", self.names[population])?;
        }
        self.spikes += spikes.len() as u64;
        Ok(())
    }
}

/// Sorts one tick's spikes and drops duplicates (a mesh delivers them in arrival order), then
/// hands them to `sink`.
pub fn deliver_tick(
    sink: &mut dyn SpikeSink,
    tick: u32,
    spikes: &mut Vec<(usize, usize)>,
    cycles: Option<u64>,
) -> io::Result<()> {
    spikes.sort_unstable();
    spikes.dedup();
    sink.tick_done(tick, spikes, cycles)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_csv_equals_the_sorted_train() {
        let net = Network::from_json_str(
            r#"{"ticks": 4, "populations": [
                {"name": "a", "size": 3, "neuron": {"vth": 1}},
                {"name": "say \"b\"", "size": 3, "neuron": {"vth": 1}}]}"#,
            None,
        )
        .unwrap();
        // Per tick in arrival order, with a duplicate, as a mesh reports them.
        let ticks: [Vec<(usize, usize)>; 4] = [
            vec![(1, 2), (0, 1), (1, 0)],
            vec![],
            vec![(0, 2), (0, 0), (0, 2)],
            vec![(1, 1)],
        ];
        let mut all = Vec::new();
        let mut csv = CsvSink::new(Vec::new(), &net).unwrap();
        let mut collector = SpikeCollector::default();
        for (tick, spikes) in ticks.iter().enumerate() {
            let tick = tick as u32;
            all.extend(spikes.iter().map(|&(population, neuron)| Spike {
                tick,
                population,
                neuron,
            }));
            let mut spikes = spikes.clone();
            deliver_tick(&mut csv, tick, &mut spikes.clone(), Some(7)).unwrap();
            deliver_tick(&mut collector, tick, &mut spikes, Some(tick as u64)).unwrap();
        }
        assert_eq!(csv.spike_count(), 6);
        let whole_run = SpikeTrain::from_unsorted(all);
        let streamed = String::from_utf8(csv.finish().unwrap()).unwrap();
        assert_eq!(streamed, whole_run.to_csv(&net));
        assert_eq!(collector.tick_cycles, vec![0, 1, 2, 3]);
        assert_eq!(collector.into_train(), whole_run);
    }
}
