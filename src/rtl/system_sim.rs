//! Cycle-accurate simulation of the multi-core system with rust-hdl, and its Verilog.

use rust_hdl::prelude::*;

use super::clocked::{poke, Clocked};
use super::core_sim::CoreShape;
use super::mesh_system::MeshSystem;
use super::noc::MeshConfig;
use crate::sim::system_pins::{SystemInput, SystemOutput, SystemPins};

/// Core shapes the multi-core system is generated for (each is a separate instantiation).
pub const SYSTEM_SHAPES: [(usize, usize); 2] = [(64, 64), (256, 256)];

/// Runs `$body` with `$system` bound to a fresh `MeshSystem` for `$shape` and `$config`.
macro_rules! with_system {
    ($shape:expr, $config:expr, $system:ident => $body:expr) => {
        match ($shape.neurons, $shape.axons) {
            (64, 64) => {
                let $system = MeshSystem::<6, 6, 4, 10, 7, 7, 9>::new($config);
                $body
            }
            (256, 256) => {
                let $system = MeshSystem::<8, 8, 6, 14, 9, 9, 11>::new($config);
                $body
            }
            (neurons, axons) => panic!(
                "no multi-core system for {neurons}x{axons} cores (check SYSTEM_SHAPES first)"
            ),
        }
    };
}

/// Fan-out table entries per core for a core shape: eight per neuron (one of which is the
/// neuron's output spike to the host).
pub fn fanout_entries(shape: CoreShape) -> usize {
    8 * shape.neurons
}

/// The raw rust-hdl Verilog of a system (top module `top`).
pub fn system_verilog_raw(shape: CoreShape, config: &MeshConfig) -> String {
    with_system!(shape, config, system => {
        let mut system = system;
        system.connect_all();
        generate_verilog(&system)
    })
}

/// A system simulated by rust-hdl, driven through [`SystemPins`].
pub fn rtl_system(shape: CoreShape, config: &MeshConfig) -> Box<dyn SystemPins> {
    with_system!(shape, config, system => Box::new(RtlSystem::new(system)))
}

struct RtlSystem<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const NB1: usize,
    const AB1: usize,
    const EB: usize,
> {
    sim: Clocked<MeshSystem<NB, AB, GB, SB, NB1, AB1, EB>>,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
        const EB: usize,
    > RtlSystem<NB, AB, GB, SB, NB1, AB1, EB>
{
    fn new(mut system: MeshSystem<NB, AB, GB, SB, NB1, AB1, EB>) -> Self {
        system.clock.connect();
        system.cfg_write.connect();
        system.cfg_core.connect();
        system.cfg_target.connect();
        system.cfg_addr.connect();
        system.cfg_data.connect();
        system.host_valid.connect();
        system.host_data.connect();
        system.start.connect();
        system.probe_core.connect();
        system.probe_neuron.connect();
        system.host_out_ready.connect();
        system.connect_all();
        RtlSystem {
            sim: Clocked::new(system, |system| &mut system.clock, "multi-core system"),
        }
    }
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
        const EB: usize,
    > SystemPins for RtlSystem<NB, AB, GB, SB, NB1, AB1, EB>
{
    fn set(&mut self, pin: SystemInput, value: u64) {
        self.sim.mark_dirty();
        let s = &mut self.sim.block;
        match pin {
            SystemInput::CfgWrite => poke(&mut s.cfg_write, value != 0),
            SystemInput::CfgCore => poke(&mut s.cfg_core, value.into()),
            SystemInput::CfgTarget => poke(&mut s.cfg_target, value.into()),
            SystemInput::CfgAddr => poke(&mut s.cfg_addr, value.into()),
            SystemInput::CfgData => poke(&mut s.cfg_data, value.into()),
            SystemInput::HostValid => poke(&mut s.host_valid, value != 0),
            SystemInput::HostData => poke(&mut s.host_data, value.into()),
            SystemInput::Start => poke(&mut s.start, value != 0),
            SystemInput::ProbeCore => poke(&mut s.probe_core, value.into()),
            SystemInput::ProbeNeuron => poke(&mut s.probe_neuron, value.into()),
            SystemInput::HostOutReady => poke(&mut s.host_out_ready, value != 0),
        }
    }

    fn get(&mut self, pin: SystemOutput) -> u64 {
        self.sim.settle_if_dirty();
        let s = &self.sim.block;
        match pin {
            SystemOutput::HostReady => s.host_ready.val() as u64,
            SystemOutput::Idle => s.idle.val() as u64,
            SystemOutput::TickDone => s.tick_done.val() as u64,
            SystemOutput::ProbeU => s.probe_u.val().to_u64(),
            SystemOutput::ProbeV => s.probe_v.val().to_u64(),
            SystemOutput::HostOutValid => s.host_out_valid.val() as u64,
            SystemOutput::HostOutData => s.host_out_data.val().to_u64(),
        }
    }

    fn cycle(&mut self) {
        self.sim.rise();
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }
}
