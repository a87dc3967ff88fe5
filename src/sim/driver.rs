//! The cycle-level driver shared by every hardware engine: loads a [`CoreImage`] into each
//! core through the configuration port, then runs ticks through the event and start/done
//! handshake.
//!
//! The driver plays the part of the fabric around the cores: it turns the spikes of tick `t-1`
//! (input spikes listed at `t-1` and the cores' own output spikes) into axon events for tick
//! `t`, using the mapper's fan-out tables. It can drive several independent cores this way
//! (ideal delivery between them), but meshes run on the real multi-core system
//! ([`super::system_driver`]), where fan-out, routing and the barrier are hardware.

use thiserror::Error;

use crate::fixed::LifState;
use crate::map::mesh::MeshImage;
use crate::map::CoreImage;
use crate::model::sink::{deliver_states, deliver_tick};
use crate::model::{LearnedWeights, Network, Source, SpikeCollector, SpikeSink, SpikeTrain};
use crate::rtl::layout::{CfgTarget, ConfigWrite, LEARN_RULES};
use crate::rtl::ports::Pins;
use crate::rtl::top_ports::{CoreInput, CoreOutput, CorePorts};
use crate::sim::handshake::{self, TickPorts};
use crate::sim::learned;
use crate::sim::CycleStats;

/// Cycle-level access to one neurocore, whatever the engine.
pub type CorePins = dyn Pins<CorePorts>;

/// The hardware did not behave as the protocol requires.
#[derive(Debug, Error)]
pub enum DriverError {
    /// `done` did not come within the cycle budget of a tick.
    #[error("tick {tick}: core {core} did not signal done within {budget} cycles")]
    TickTimeout {
        /// Tick that hung.
        tick: u32,
        /// Core that hung.
        core: usize,
        /// Cycles waited.
        budget: u64,
    },
    /// `busy` stayed high after a clear command.
    #[error("the core stayed busy for {budget} cycles after a clear command")]
    ClearTimeout {
        /// Cycles waited.
        budget: u64,
    },
    /// A configuration read got no answer (`read_valid`) within the cycle budget.
    #[error(
        "core {core}: no answer to the configuration read of {} address {addr} within {budget} cycles",
        .target.spec().name
    )]
    ReadTimeout {
        /// Core (tile) read.
        core: usize,
        /// Target read.
        target: CfgTarget,
        /// Word address read.
        addr: u32,
        /// Cycles waited.
        budget: u64,
    },
    /// The spike sink (the output file) failed.
    #[error("tick {tick}: cannot write the spikes: {source}")]
    Output {
        /// Tick whose spikes were being written.
        tick: u32,
        /// The sink's error.
        source: std::io::Error,
    },
    /// The core reported a spike from a neuron that is not mapped.
    #[error("tick {tick}: core {core} reported a spike from unmapped neuron {neuron}")]
    UnmappedSpike {
        /// Tick of the spike.
        tick: u32,
        /// Core of the spike.
        core: usize,
        /// Core neuron index.
        neuron: usize,
    },
}

/// What a streamed run on a hardware engine returns besides its spikes (which went to the
/// sink): nothing proportional to the ticks.
#[derive(Clone, Debug)]
pub struct HardwareSummary {
    /// Final `(u, v)` of every neuron, per population.
    pub states: Vec<Vec<LifState>>,
    /// Clock cycles per tick, from the edge that samples `start` to the edge that returns
    /// the core to idle after `done` (enqueueing the tick's events, one per cycle, not included).
    pub cycles: CycleStats,
    /// All clock cycles, including loading and state read-back.
    pub total_cycles: u64,
    /// The learned state read back from a learning core ([`learned`]); `None` for a core
    /// without learning projections.
    pub learned: Option<LearnedWeights>,
}

impl HardwareSummary {
    /// The whole run: this summary with the spikes and tick cycles a collector gathered.
    pub fn with_collected(self, collected: SpikeCollector) -> HardwareRun {
        HardwareRun {
            spikes: SpikeTrain {
                spikes: collected.spikes,
            },
            states: self.states,
            tick_cycles: collected.tick_cycles,
            total_cycles: self.total_cycles,
            learned: self.learned,
        }
    }
}

/// Result of running a network on a hardware engine, collected in memory (tests, benchmarks).
#[derive(Clone, Debug)]
pub struct HardwareRun {
    /// Output spikes.
    pub spikes: SpikeTrain,
    /// Final `(u, v)` of every neuron, per population.
    pub states: Vec<Vec<LifState>>,
    /// Clock cycles of each tick, from the edge that samples `start` to the edge that returns
    /// the core to idle after `done` (enqueueing the tick's events, one per cycle, not included).
    pub tick_cycles: Vec<u64>,
    /// All clock cycles, including loading and state read-back.
    pub total_cycles: u64,
    /// The learned state read back from a learning core; `None` without learning.
    pub learned: Option<LearnedWeights>,
}

/// Writes one configuration word (one cycle).
pub(crate) fn cfg_write(pins: &mut CorePins, write: &ConfigWrite) {
    handshake::strobe(
        pins,
        CoreInput::CfgWrite,
        &[
            (CoreInput::CfgTarget, write.target as u64),
            (CoreInput::CfgAddr, write.addr as u64),
            (CoreInput::CfgData, write.data as u64),
        ],
    );
}

/// Reads the word at `addr` of `target` back through the configuration port (the core must be
/// idle): the stored word zero-extended from the target's width, 0 for a command.
pub fn read_config(pins: &mut CorePins, target: CfgTarget, addr: u32) -> Result<u32, DriverError> {
    let ports = handshake::ReadPorts {
        strobe: CoreInput::CfgRead,
        valid: CoreOutput::CfgReadValid,
        data: CoreOutput::CfgReadData,
    };
    let fields = [
        (CoreInput::CfgTarget, target.code() as u64),
        (CoreInput::CfgAddr, addr as u64),
    ];
    handshake::read_word(pins, &ports, &fields, (0, target, addr))
}

/// Loads a mapped network and zeroes all neuron state.
pub fn load(pins: &mut CorePins, image: &CoreImage) -> Result<(), DriverError> {
    for write in image.config_writes() {
        cfg_write(pins, &write);
    }
    let budget = image.shape.neurons as u64 + 16;
    if handshake::wait_until(pins, CoreOutput::Busy, false, budget) {
        Ok(())
    } else {
        Err(DriverError::ClearTimeout { budget })
    }
}

/// Upper bound on the cycles of one tick with `events` axon events: every event spans at most
/// all groups; generous slack for the fixed overhead. A learning core's window adds at most a
/// visit of every axon and its whole row, and every rule's groups (`rtl::stdp_synapses`).
fn tick_budget(image: &CoreImage, events: usize) -> u64 {
    let shape = image.shape;
    let window = match image.learning {
        Some(_) => shape.axons * (1 + shape.groups()) + LEARN_RULES * shape.groups(),
        None => 0,
    };
    // A crossbar core's sum event: settle, one conversion of B + 1 cycles per physical
    // column (`rtl::crossbar_synapses`), then one word per group.
    let crossbar_read = match image.crossbar {
        Some(_) => {
            let adc = crate::shape::CROSSBAR_ADC_BITS as usize + 1;
            crate::rtl::crossbar_synapses::SETTLE_CYCLES + 2 * shape.neurons * adc + shape.groups()
        }
        None => 0,
    };
    (shape.neurons + events * shape.groups() + window + crossbar_read + 64) as u64
}

/// The fabric's delivery rule, shared by every driver (the pin-level one here and the UART host
/// link's): the axon events of tick `t` are the input spikes listed at `t-1` and the spikes the
/// cores emitted in `t-1`, each fanned out with [`MeshImage::targets_of`].
pub struct Fanout<'a> {
    image: &'a MeshImage,
    /// Input spikes as (tick, input group, index), sorted: memory in proportion to the spikes,
    /// not to the ticks of the run (a run of 2^32 - 1 ticks must not allocate per tick).
    input_spikes: Vec<(u32, usize, usize)>,
}

impl<'a> Fanout<'a> {
    /// The fan-out of `net` placed as `image`, for a run of `ticks` ticks.
    pub fn new(image: &'a MeshImage, net: &Network, ticks: u32) -> Self {
        let mut input_spikes: Vec<(u32, usize, usize)> = net
            .inputs
            .iter()
            .enumerate()
            .flat_map(|(group, input)| {
                input
                    .spikes
                    .iter()
                    .filter(move |&&(tick, _)| tick < ticks)
                    .map(move |&(tick, index)| (tick, group, index))
            })
            .collect();
        input_spikes.sort_unstable();
        Fanout {
            image,
            input_spikes,
        }
    }

    /// The input spikes listed at `tick`, as (tick, input group, index).
    fn inputs_at(&self, tick: u32) -> &[(u32, usize, usize)] {
        let start = self.input_spikes.partition_point(|&(t, _, _)| t < tick);
        let end = self.input_spikes.partition_point(|&(t, _, _)| t <= tick);
        &self.input_spikes[start..end]
    }

    /// Replaces `events[core]` with the axons to enqueue on each core before tick `tick`,
    /// given the `(population, neuron)`s that spiked in tick `tick - 1`. Tick 0 has none.
    pub fn events(&self, tick: u32, previous_spikes: &[(usize, usize)], events: &mut [Vec<usize>]) {
        events.iter_mut().for_each(Vec::clear);
        if tick == 0 {
            return;
        }
        let sources = self
            .inputs_at(tick - 1)
            .iter()
            .map(|&(_, group, index)| (Source::Input(group), index))
            .chain(
                previous_spikes
                    .iter()
                    .map(|&(pop, index)| (Source::Population(pop), index)),
            );
        for (source, index) in sources {
            for &(core, axon) in self.image.targets_of(source, index) {
                events[core].push(axon);
            }
        }
    }
}

/// Runs `ticks` ticks of `net` on cores already loaded with `image.cores` and collects the
/// whole run in memory (see [`stream`]).
pub fn run(
    cores: &mut [Box<CorePins>],
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    progress: &mut dyn FnMut(u32),
) -> Result<HardwareRun, DriverError> {
    let mut collector = SpikeCollector::default();
    let summary = stream(cores, image, net, ticks, &mut collector, progress)?;
    Ok(summary.with_collected(collector))
}

/// Runs `ticks` ticks of `net` on cores already loaded with `image.cores`, hands each tick's
/// spikes to `sink` as it completes, then reads back every neuron's state. `progress` is
/// called after each tick with the number of ticks done.
///
/// The driver is the fabric between the cores: after tick `t-1` it turns the tick's input
/// spikes and every core's output spikes into axon events for tick `t` with
/// [`MeshImage::targets_of`]. The cores of a mesh run their ticks one after the other here;
/// in hardware they run at once, so a tick's cycle count is the largest over the cores.
pub fn stream(
    cores: &mut [Box<CorePins>],
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<HardwareSummary, DriverError> {
    stream_observed(cores, image, net, ticks, sink, progress, &mut |_, _| Ok(()))
}

/// Something that looks at the idle cores after each tick (`tick`, the cores): a test
/// reading the learned weights tick by tick.
pub type TickObserver<'a> = dyn FnMut(u32, &mut [Box<CorePins>]) -> Result<(), DriverError> + 'a;

/// [`stream`], with `after_tick` called after each tick's spikes are delivered. A single
/// learning core's learned state is read back at the end ([`learned::flush_and_read`]: one
/// more tick completes the last tick's learning).
pub fn stream_observed(
    cores: &mut [Box<CorePins>],
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
    after_tick: &mut TickObserver,
) -> Result<HardwareSummary, DriverError> {
    assert_eq!(cores.len(), image.cores.len(), "one CorePins per mesh core");
    let learns = image.cores.iter().any(|core| core.learning.is_some());
    assert!(
        !learns || cores.len() == 1,
        "learning runs on one core (the mapper refuses a mesh)"
    );
    let fanout = Fanout::new(image, net, ticks);

    let mut cycles = CycleStats::default();
    // (population, neuron) that spiked in tick t-1, then in tick t.
    let mut previous_spikes: Vec<(usize, usize)> = Vec::new();
    let mut events: Vec<Vec<usize>> = vec![Vec::new(); cores.len()];
    for tick in 0..ticks {
        fanout.events(tick, &previous_spikes, &mut events);
        previous_spikes.clear();
        let mut slowest = 0;
        for (core, pins) in cores.iter_mut().enumerate() {
            let core_image = &image.cores[core];
            let cycles =
                run_core_tick(pins.as_mut(), core_image, &events[core], tick, core, |n| {
                    let owner =
                        image.owner[core]
                            .get(n)
                            .copied()
                            .ok_or(DriverError::UnmappedSpike {
                                tick,
                                core,
                                neuron: n,
                            })?;
                    previous_spikes.push(owner);
                    Ok(())
                })?;
            slowest = slowest.max(cycles);
        }
        cycles.record(slowest);
        deliver_tick(sink, tick, &mut previous_spikes, Some(slowest))
            .and_then(|()| {
                // Probed states come from the idle cores' probe port, one cycle each.
                deliver_states(sink, tick, |pop, neuron| {
                    let (core, core_neuron) = image.placement[pop][neuron];
                    probe_core(cores[core].as_mut(), core_neuron)
                })
            })
            .map_err(|source| DriverError::Output { tick, source })?;
        after_tick(tick, cores)?;
        progress(tick + 1);
    }

    let states = read_states(cores, image, net);
    let learned = match &image.cores[..] {
        [core_image] if core_image.learning.is_some() => {
            fanout.events(ticks, &previous_spikes, &mut events);
            let read = learned::flush_and_read(cores[0].as_mut(), core_image, &events[0], ticks)?;
            Some(learned::learned_weights(net, core_image, ticks, read))
        }
        _ => None,
    };
    Ok(HardwareSummary {
        states,
        cycles,
        total_cycles: cores.iter().map(|c| c.cycles()).max().unwrap_or(0),
        learned,
    })
}

/// Enqueues the events of core `core` (loaded with `image`), runs its tick and reports each
/// spiking core neuron to `on_spike`; returns the tick's cycles (from the edge that samples
/// `start` to the return to idle). On a crossbar core the fabric delivers the sum axon after
/// the tick's other events, if it has any (`map::crossbar`: a tick without events reads
/// nothing).
pub(crate) fn run_core_tick(
    pins: &mut CorePins,
    image: &CoreImage,
    events: &[usize],
    tick: u32,
    core: usize,
    mut on_spike: impl FnMut(usize) -> Result<(), DriverError>,
) -> Result<u64, DriverError> {
    let sum_event = match &image.crossbar {
        Some(crossbar) if !events.is_empty() => Some(crossbar.sum_axon),
        _ => None,
    };
    for &axon in events.iter().chain(&sum_event) {
        pins.set(CoreInput::EventValid, 1);
        pins.set(CoreInput::EventAxon, axon as u64);
        pins.cycle();
    }
    pins.set(CoreInput::EventValid, 0);
    let ports = TickPorts {
        start: CoreInput::Start,
        done: CoreOutput::Done,
        spike_valid: CoreOutput::SpikeValid,
        spike: CoreOutput::SpikeNeuron,
    };
    let budget = tick_budget(image, events.len());
    handshake::run_tick(pins, &ports, budget, (tick, core), |neuron| {
        on_spike(neuron as usize)
    })
}

/// Reads every mapped neuron's `(u, v)` through the probe ports (cores must be idle).
pub fn read_states(
    cores: &mut [Box<CorePins>],
    image: &MeshImage,
    net: &Network,
) -> Vec<Vec<LifState>> {
    handshake::placed_states(image, net, |core, core_neuron| {
        probe_core(cores[core].as_mut(), core_neuron)
    })
}

/// Reads one neuron's `(u, v)` through an idle core's probe port (one cycle).
fn probe_core(pins: &mut CorePins, core_neuron: usize) -> LifState {
    handshake::probe_state(
        pins,
        &[(CoreInput::ProbeNeuron, core_neuron as u64)],
        (CoreOutput::ProbeU, CoreOutput::ProbeV),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::mesh::{map_mesh, MeshShape};
    use crate::shape::CoreShape;

    #[test]
    fn fanout_memory_follows_the_spikes_not_the_ticks() {
        // A run of 2^32 - 1 ticks: the old per-tick table asked for 103 GB here and aborted.
        let net = Network::from_json_str(
            r#"{"ticks": 4294967295,
                "inputs": [{"name": "in", "size": 2, "spikes": [[4294967290, 1], [0, 0], [7, 1], [7, 0]]}],
                "populations": [{"name": "p", "size": 2, "neuron": {"vth": 1}}],
                "projections": [{"from": "in", "to": "p", "weights": [[1, 0], [0, 1]]},
                                {"from": "p", "to": "p", "weights": [[0, 1], [1, 0]]}]}"#,
            None,
        )
        .unwrap();
        let image = map_mesh(&net, MeshShape::default(), CoreShape::default()).unwrap();
        let fanout = Fanout::new(&image, &net, net.ticks);
        let mut events = vec![Vec::new()];
        let axons = |tick: u32, previous: &[(usize, usize)], events: &mut Vec<Vec<usize>>| {
            fanout.events(tick, previous, events);
            events[0].clone()
        };
        let of = |source: Source, index: usize| image.targets_of(source, index)[0].1;
        let input = |index| of(Source::Input(0), index);
        let neuron = |index| of(Source::Population(0), index);
        assert!(axons(0, &[], &mut events).is_empty());
        assert_eq!(axons(1, &[], &mut events), vec![input(0)]);
        assert!(axons(2, &[], &mut events).is_empty());
        // Both inputs of tick 7 in (group, index) order, then the population's spikes.
        assert_eq!(
            axons(8, &[(0, 1)], &mut events),
            vec![input(0), input(1), neuron(1)]
        );
        assert_eq!(axons(4294967291, &[], &mut events), vec![input(1)]);
    }
}
