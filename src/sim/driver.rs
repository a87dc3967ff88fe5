//! The cycle-level driver shared by every hardware engine: loads a [`CoreImage`] through the
//! configuration port, then runs ticks through the event and start/done handshake.
//!
//! The driver plays the part of the fabric around one core: it turns the spikes of tick `t-1`
//! (input spikes listed at `t-1` and the core's own output spikes) into axon events for tick
//! `t`, using the mapper's fan-out tables.

use thiserror::Error;

use crate::fixed::LifState;
use crate::map::CoreImage;
use crate::model::{Network, Source, Spike, SpikeTrain};
use crate::rtl::layout::{unpack_u, unpack_v, ConfigWrite};
use crate::sim::pins::{CoreInput, CoreOutput, CorePins};

/// The hardware did not behave as the protocol requires.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum DriverError {
    /// `done` did not come within the cycle budget of a tick.
    #[error("tick {tick}: the core did not signal done within {budget} cycles")]
    TickTimeout {
        /// Tick that hung.
        tick: u32,
        /// Cycles waited.
        budget: u64,
    },
    /// `busy` stayed high after a clear command.
    #[error("the core stayed busy for {budget} cycles after a clear command")]
    ClearTimeout {
        /// Cycles waited.
        budget: u64,
    },
    /// The core reported a spike from a neuron that is not mapped.
    #[error("tick {tick}: spike from unmapped core neuron {neuron}")]
    UnmappedSpike {
        /// Tick of the spike.
        tick: u32,
        /// Core neuron index.
        neuron: usize,
    },
}

/// Result of running a network on a hardware engine.
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
}

/// Writes one configuration word (one cycle).
fn cfg_write(pins: &mut dyn CorePins, write: &ConfigWrite) {
    pins.set(CoreInput::CfgWrite, 1);
    pins.set(CoreInput::CfgTarget, write.target as u64);
    pins.set(CoreInput::CfgAddr, write.addr as u64);
    pins.set(CoreInput::CfgData, write.data as u64);
    pins.cycle();
    pins.set(CoreInput::CfgWrite, 0);
}

/// Loads a mapped network and zeroes all neuron state.
pub fn load(pins: &mut dyn CorePins, image: &CoreImage) -> Result<(), DriverError> {
    for write in image.config_writes() {
        cfg_write(pins, &write);
    }
    let budget = image.shape.neurons as u64 + 16;
    for _ in 0..budget {
        if pins.get(CoreOutput::Busy) == 0 {
            return Ok(());
        }
        pins.cycle();
    }
    Err(DriverError::ClearTimeout { budget })
}

/// Upper bound on the cycles of one tick with `events` axon events: every event spans at most
/// all groups; generous slack for the fixed overhead.
fn tick_budget(image: &CoreImage, events: usize) -> u64 {
    (image.shape.neurons + events * image.shape.groups() + 64) as u64
}

/// Turns the spikes of tick `t-1` into the axon events of tick `t`: the fabric around one
/// core, shared by every driver (the pin-level one here and the UART host link's).
pub struct Fanout<'a> {
    image: &'a CoreImage,
    /// Core neuron -> (population, neuron).
    owner: Vec<(usize, usize)>,
    /// Input spikes by tick, as (input group, index).
    inputs_at: Vec<Vec<(usize, usize)>>,
}

impl<'a> Fanout<'a> {
    /// The fan-out of `net` placed as `image`, for a run of `ticks` ticks.
    pub fn new(image: &'a CoreImage, net: &Network, ticks: u32) -> Self {
        let mut owner = Vec::with_capacity(image.neuron_count);
        for (pop, p) in net.populations.iter().enumerate() {
            owner.extend((0..p.size).map(|n| (pop, n)));
        }
        let mut inputs_at: Vec<Vec<(usize, usize)>> = vec![Vec::new(); ticks as usize];
        for (group, input) in net.inputs.iter().enumerate() {
            for &(tick, index) in &input.spikes {
                if tick < ticks {
                    inputs_at[tick as usize].push((group, index));
                }
            }
        }
        Fanout {
            image,
            owner,
            inputs_at,
        }
    }

    /// The `(population, neuron)` of a core neuron, if it is mapped.
    pub fn owner(&self, neuron: usize) -> Option<(usize, usize)> {
        self.owner.get(neuron).copied()
    }

    /// Replaces `events` with the axon events of `tick`: the input spikes listed at `tick - 1`
    /// and the core neurons in `previous_spikes` (those that spiked in `tick - 1`), each fanned
    /// out to every axon it drives. Tick 0 has none.
    pub fn events(&self, tick: u32, previous_spikes: &[usize], events: &mut Vec<usize>) {
        events.clear();
        if tick == 0 {
            return;
        }
        for &(group, index) in &self.inputs_at[tick as usize - 1] {
            events.extend_from_slice(self.image.axons_of(Source::Input(group), index));
        }
        for &neuron in previous_spikes {
            let (pop, index) = self.owner[neuron];
            events.extend_from_slice(self.image.axons_of(Source::Population(pop), index));
        }
    }
}

/// Runs `ticks` ticks of `net` on a core already loaded with `image`, then reads back every
/// neuron's state. `progress` is called after each tick with the number of ticks done.
pub fn run(
    pins: &mut dyn CorePins,
    image: &CoreImage,
    net: &Network,
    ticks: u32,
    progress: &mut dyn FnMut(u32),
) -> Result<HardwareRun, DriverError> {
    let fanout = Fanout::new(image, net, ticks);
    let mut spikes = Vec::new();
    let mut tick_cycles = Vec::with_capacity(ticks as usize);
    let mut previous_spikes: Vec<usize> = Vec::new(); // core neurons that spiked in tick t-1
    let mut events: Vec<usize> = Vec::new();
    for tick in 0..ticks {
        fanout.events(tick, &previous_spikes, &mut events);
        for &axon in &events {
            pins.set(CoreInput::EventValid, 1);
            pins.set(CoreInput::EventAxon, axon as u64);
            pins.cycle();
        }
        pins.set(CoreInput::EventValid, 0);
        pins.set(CoreInput::Start, 1);
        pins.cycle();
        pins.set(CoreInput::Start, 0);

        previous_spikes.clear();
        let budget = tick_budget(image, events.len());
        let mut cycles = 1;
        loop {
            if pins.get(CoreOutput::SpikeValid) != 0 {
                let neuron = pins.get(CoreOutput::SpikeNeuron) as usize;
                let (population, index) = fanout
                    .owner(neuron)
                    .ok_or(DriverError::UnmappedSpike { tick, neuron })?;
                spikes.push(Spike {
                    tick,
                    population,
                    neuron: index,
                });
                previous_spikes.push(neuron);
            }
            if pins.get(CoreOutput::Done) != 0 {
                break;
            }
            if cycles >= budget {
                return Err(DriverError::TickTimeout { tick, budget });
            }
            pins.cycle();
            cycles += 1;
        }
        pins.cycle(); // leave Finish: the core is idle again
        tick_cycles.push(cycles + 1);
        progress(tick + 1);
    }

    let states = read_states(pins, image, net);
    Ok(HardwareRun {
        spikes: SpikeTrain::from_unsorted(spikes),
        states,
        tick_cycles,
        total_cycles: pins.cycles(),
    })
}

/// Reads every mapped neuron's `(u, v)` through the probe port (core must be idle).
pub fn read_states(
    pins: &mut dyn CorePins,
    image: &CoreImage,
    net: &Network,
) -> Vec<Vec<LifState>> {
    net.populations
        .iter()
        .enumerate()
        .map(|(pop, p)| {
            (0..p.size)
                .map(|n| {
                    pins.set(
                        CoreInput::ProbeNeuron,
                        (image.population_base[pop] + n) as u64,
                    );
                    pins.cycle();
                    LifState {
                        u: unpack_u(pins.get(CoreOutput::ProbeU)),
                        v: unpack_v(pins.get(CoreOutput::ProbeV)),
                    }
                })
                .collect()
        })
        .collect()
}
