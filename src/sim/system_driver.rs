//! The cycle-level driver of the multi-core system: loads every tile through the
//! configuration bus, sends each tick's input spikes as flits through the host input port,
//! collects the output spikes from the host output port, and runs ticks on the system's own
//! barrier. Unlike [`super::driver`] on one core, the spikes of the
//! cores reach their destinations on chip: fan-out tables, routers and the barrier are all
//! hardware here.

use crate::fixed::LifState;
use crate::map::mesh::MeshImage;
use crate::map::mesh::MAX_MESH_SIDE;
use crate::model::sink::{deliver_states, deliver_tick};
use crate::model::{Network, SpikeCollector, SpikeSink};
use crate::rtl::aer::AerFormat;
use crate::rtl::fanout::{CFG_FANOUT_ENTRY, CFG_FANOUT_INDEX, HOST_OUTPUT_FLAG};
use crate::rtl::layout::{CfgTarget, ConfigWrite};
use crate::rtl::ports::Pins;
use crate::rtl::top_ports::{SystemInput, SystemOutput, SystemPorts};
use crate::sim::driver::{DriverError, Fanout, HardwareRun, HardwareSummary};
use crate::sim::handshake::{self, TickPorts};
use crate::sim::learned::{self, CoreAccess};
use crate::sim::CycleStats;

/// Cycle-level access to a multi-core system, whatever the engine.
pub type SystemPins = dyn Pins<SystemPorts>;

/// Cycles allowed for the system to become idle, or for a tick, beyond its own estimate.
const SLACK_CYCLES: u64 = 4096;

fn cfg(pins: &mut SystemPins, core: usize, target: u64, addr: u64, data: u64) {
    handshake::strobe(
        pins,
        SystemInput::CfgWrite,
        &[
            (SystemInput::CfgCore, core as u64),
            (SystemInput::CfgTarget, target),
            (SystemInput::CfgAddr, addr),
            (SystemInput::CfgData, data),
        ],
    );
}

/// Reads the word at `addr` of `target` of tile `core` back through the configuration bus (the
/// system must be idle): the stored word zero-extended from the target's width, 0 for a
/// command or a tile that does not exist.
pub fn read_config(
    pins: &mut SystemPins,
    core: usize,
    target: CfgTarget,
    addr: u32,
) -> Result<u32, DriverError> {
    let ports = handshake::ReadPorts {
        strobe: SystemInput::CfgRead,
        valid: SystemOutput::CfgReadValid,
        data: SystemOutput::CfgReadData,
    };
    let fields = [
        (SystemInput::CfgCore, core as u64),
        (SystemInput::CfgTarget, target.code() as u64),
        (SystemInput::CfgAddr, addr as u64),
    ];
    handshake::read_word(pins, &ports, &fields, (core, target, addr))
}

/// One tile of an idle system, as the learned-state read-back sees a core: its configuration
/// reads and writes (`cfg_core` = `core`).
pub struct TileAccess<'a> {
    /// The system.
    pub pins: &'a mut SystemPins,
    /// The tile.
    pub core: usize,
}

impl CoreAccess for TileAccess<'_> {
    type Error = DriverError;

    fn read_words(
        &mut self,
        target: CfgTarget,
        addr: u32,
        count: usize,
    ) -> Result<Vec<u32>, DriverError> {
        (0..count as u32)
            .map(|i| read_config(self.pins, self.core, target, addr + i))
            .collect()
    }

    fn write_word(&mut self, write: &ConfigWrite) -> Result<(), DriverError> {
        let ConfigWrite { target, addr, data } = *write;
        cfg(
            self.pins,
            self.core,
            target as u64,
            addr as u64,
            data as u64,
        );
        Ok(())
    }
}

fn wait_idle(pins: &mut SystemPins, budget: u64, tick: u32) -> Result<(), DriverError> {
    if handshake::wait_until(pins, SystemOutput::Idle, true, budget) {
        Ok(())
    } else {
        Err(DriverError::TickTimeout {
            tick,
            core: 0,
            budget,
        })
    }
}

/// Loads `image` (core memories and fan-out tables of every tile) and zeroes all state.
pub fn load(
    pins: &mut SystemPins,
    image: &MeshImage,
    fanout_capacity: usize,
) -> Result<(), crate::map::mesh::MeshMapError> {
    let tables = image.fanout_tables(fanout_capacity)?;
    for (core, (core_image, table)) in image.cores.iter().zip(&tables).enumerate() {
        for (n, &word) in table.index.iter().enumerate() {
            cfg(pins, core, CFG_FANOUT_INDEX as u64, n as u64, word as u64);
        }
        for (e, &flit) in table.entries.iter().enumerate() {
            cfg(pins, core, CFG_FANOUT_ENTRY as u64, e as u64, flit as u64);
        }
        // Last, since it ends with Clear, after which the core is busy for a while.
        for ConfigWrite { target, addr, data } in core_image.config_writes() {
            cfg(pins, core, target as u64, addr as u64, data as u64);
        }
    }
    Ok(())
}

/// Runs `ticks` ticks of `net` on a loaded system and collects the whole run in memory (see
/// [`stream`]).
pub fn run(
    pins: &mut SystemPins,
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    progress: &mut dyn FnMut(u32),
) -> Result<HardwareRun, DriverError> {
    let mut collector = SpikeCollector::default();
    let summary = stream(pins, image, net, ticks, &mut collector, progress)?;
    Ok(summary.with_collected(collector))
}

/// Runs `ticks` ticks of `net` on a loaded system, handing each tick's spikes (sorted: they
/// leave the mesh in arrival order) to `sink` as it completes, then reads back every neuron's
/// state.
pub fn stream(
    pins: &mut SystemPins,
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<HardwareSummary, DriverError> {
    let tiles = image.cores.len();
    let output_format = AerFormat::for_mesh(MAX_MESH_SIDE, MAX_MESH_SIDE)
        .expect("the largest mesh has a packet format");
    // The host always takes output spikes at once.
    pins.set(SystemInput::HostOutReady, 1);
    let budget = SLACK_CYCLES + 64 * image.shape.neurons as u64 * image.shape.axons as u64;
    wait_idle(pins, budget, 0)?;
    // Only the input spikes come from the host; the cores' own spikes travel on chip.
    let fanout = Fanout::new(image, net, ticks);
    let mut input_events: Vec<Vec<usize>> = vec![Vec::new(); tiles];
    let mut spikes: Vec<(usize, usize)> = Vec::new();
    let mut cycles = CycleStats::default();
    let tick_ports = TickPorts {
        start: SystemInput::Start,
        done: SystemOutput::TickDone,
        spike_valid: SystemOutput::HostOutValid,
        spike: SystemOutput::HostOutData,
    };
    for tick in 0..ticks {
        // Input spikes of tick t-1 become events of tick t, sent from the host port.
        fanout.events(tick, &[], &mut input_events);
        send_inputs(pins, image, &input_events);
        wait_idle(pins, budget, tick)?;
        let tick_cycles = handshake::run_tick(pins, &tick_ports, budget, (tick, 0), |flit| {
            // Output spikes arrive as flits at the host port: tag = core, axon = flag | neuron.
            let packet = output_format.unpack(flit as u32);
            let core = packet.tag as usize;
            let neuron = (packet.axon & !HOST_OUTPUT_FLAG) as usize;
            let &(population, index) = image
                .owner
                .get(core)
                .and_then(|owners| owners.get(neuron))
                .ok_or(DriverError::UnmappedSpike { tick, core, neuron })?;
            spikes.push((population, index));
            Ok(())
        })?;
        cycles.record(tick_cycles);
        deliver_tick(sink, tick, &mut spikes, Some(tick_cycles))
            .and_then(|()| {
                // Probed states come from the idle tiles' probe port, one cycle each.
                deliver_states(sink, tick, |pop, neuron| {
                    let (core, core_neuron) = image.placement[pop][neuron];
                    probe_tile(pins, core, core_neuron)
                })
            })
            .map_err(|source| DriverError::Output { tick, source })?;
        spikes.clear();
        progress(tick + 1);
    }

    let states = handshake::placed_states(image, net, |core, core_neuron| {
        probe_tile(pins, core, core_neuron)
    });
    let learned = if image.learns() {
        // The flush tick's events: the input spikes listed at the last tick (its own spikes
        // are in the queues already).
        fanout.events(ticks, &[], &mut input_events);
        let flush = Flush {
            events: &input_events,
            ports: &tick_ports,
            budget,
        };
        Some(flush_and_read(pins, image, net, ticks, &flush)?)
    } else {
        None
    };
    Ok(HardwareSummary {
        states,
        cycles,
        total_cycles: pins.cycles(),
        learned,
    })
}

/// Sends `events[core]` (axons) as flits through the host input port.
fn send_inputs(pins: &mut SystemPins, image: &MeshImage, events: &[Vec<usize>]) {
    for (core, axons) in events.iter().enumerate() {
        for &axon in axons {
            pins.set(SystemInput::HostValid, 1);
            pins.set(SystemInput::HostData, image.host_flit(core, axon) as u64);
            while pins.get(SystemOutput::HostReady) == 0 {
                pins.cycle();
            }
            pins.cycle();
        }
    }
    pins.set(SystemInput::HostValid, 0);
}

/// What the flush tick after a run needs: its host events per core, the tick ports, the
/// cycle budget.
struct Flush<'a> {
    events: &'a [Vec<usize>],
    ports: &'a TickPorts<SystemPorts>,
    budget: u64,
}

/// Completes the last tick's learning on every tile with one system tick and reads the learned
/// state back through the configuration reads (as `learned::flush_and_read` does on one core,
/// see [`learned`]): every tile's `y`, then the neuron counts 0, the flush tick, every tile's
/// weights and `x`, and the neuron counts restored.
fn flush_and_read(
    pins: &mut SystemPins,
    image: &MeshImage,
    net: &Network,
    ticks: u32,
    flush: &Flush,
) -> Result<crate::model::LearnedWeights, DriverError> {
    let mut post_traces = Vec::with_capacity(image.cores.len());
    for (core, core_image) in image.cores.iter().enumerate() {
        let mut tile = TileAccess { pins, core };
        post_traces.push(learned::read_post_traces(&mut tile, core_image)?);
        tile.write_word(&learned::neuron_count(0))?;
    }
    send_inputs(pins, image, flush.events);
    wait_idle(pins, flush.budget, ticks)?;
    handshake::run_tick(pins, flush.ports, flush.budget, (ticks, 0), |flit| {
        // No neuron is updated, so nothing may spike.
        let packet = AerFormat::for_mesh(MAX_MESH_SIDE, MAX_MESH_SIDE)
            .expect("the largest mesh has a packet format")
            .unpack(flit as u32);
        Err(DriverError::UnmappedSpike {
            tick: ticks,
            core: packet.tag as usize,
            neuron: (packet.axon & !HOST_OUTPUT_FLAG) as usize,
        })
    })?;
    let mut reads = Vec::with_capacity(image.cores.len());
    for ((core, core_image), y) in image.cores.iter().enumerate().zip(post_traces) {
        let mut tile = TileAccess { pins, core };
        let mut read = learned::read_weights(&mut tile, core_image)?;
        learned::attach_post_traces(&mut read, y);
        tile.write_word(&learned::neuron_count(core_image.neuron_count))?;
        reads.push(read);
    }
    Ok(learned::mesh_learned_weights(net, image, ticks, reads))
}

/// Reads one neuron's `(u, v)` through the idle system's probe port (one cycle).
fn probe_tile(pins: &mut SystemPins, core: usize, core_neuron: usize) -> LifState {
    handshake::probe_state(
        pins,
        &[
            (SystemInput::ProbeCore, core as u64),
            (SystemInput::ProbeNeuron, core_neuron as u64),
        ],
        (SystemOutput::ProbeU, SystemOutput::ProbeV),
    )
}
