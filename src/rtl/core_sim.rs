//! Cycle-accurate simulation of the neurocore with rust-hdl, and its Verilog.
//!
//! rust-hdl's multi-threaded `Simulation` runs thousands of cycles per second; calling
//! `simulate()` on the block from one thread is ~70x faster, so this wrapper drives the block
//! directly through [`super::clocked::Clocked`].

use std::io::Write;

use rust_hdl::core::vcd_probe::{write_vcd_change, write_vcd_header, VCDProbe};
use rust_hdl::prelude::*;

use super::clocked::{poke, Clocked};
use super::neurocore::NeuroCore;
use crate::sim::pins::{CoreInput, CoreOutput, CorePins};

/// Hardware size of one neurocore.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoreShape {
    /// Neurons (a power of two).
    pub neurons: usize,
    /// Axons (a power of two).
    pub axons: usize,
}

impl Default for CoreShape {
    fn default() -> Self {
        CoreShape {
            neurons: 256,
            axons: 256,
        }
    }
}

/// Core sizes this build can generate, as `(neurons, axons)`. rust-hdl widths are const
/// generics, so every size is a separate instantiation; the list is kept short to bound
/// compile time. 64x32 is the largest core that fits the iCE40 boards' 30 or 32 4-kbit block
/// RAMs (see README, "FPGA targets").
pub const SUPPORTED_SHAPES: [(usize, usize); 5] =
    [(64, 32), (64, 64), (256, 256), (512, 512), (1024, 512)];

impl CoreShape {
    /// Whether this build can generate the shape.
    pub fn is_supported(&self) -> bool {
        SUPPORTED_SHAPES.contains(&(self.neurons, self.axons))
    }

    /// Synapse groups (words) per axon row.
    pub fn groups(&self) -> usize {
        self.neurons / crate::rtl::layout::WEIGHTS_PER_WORD
    }
}

/// Runs `$body` with `$core` bound to a fresh `NeuroCore` of the given shape.
macro_rules! with_core {
    ($shape:expr, $core:ident => $body:expr) => {
        match ($shape.neurons, $shape.axons) {
            (64, 32) => {
                let $core = NeuroCore::<6, 5, 4, 9, 7, 6>::new();
                $body
            }
            (64, 64) => {
                let $core = NeuroCore::<6, 6, 4, 10, 7, 7>::new();
                $body
            }
            (256, 256) => {
                let $core = NeuroCore::<8, 8, 6, 14, 9, 9>::new();
                $body
            }
            (512, 512) => {
                let $core = NeuroCore::<9, 9, 7, 16, 10, 10>::new();
                $body
            }
            (1024, 512) => {
                let $core = NeuroCore::<10, 9, 8, 17, 11, 10>::new();
                $body
            }
            (neurons, axons) => panic!("unsupported core shape {neurons}x{axons} (check CoreShape::is_supported first)"),
        }
    };
}

/// The Verilog of a neurocore of the given shape (top module `top`).
pub fn core_verilog(shape: CoreShape) -> String {
    with_core!(shape, core => {
        let mut core = core;
        core.connect_all();
        generate_verilog(&core)
    })
}

/// A neurocore simulated by rust-hdl, driven through [`CorePins`].
pub fn rtl_core(shape: CoreShape) -> Box<dyn CorePins> {
    with_core!(shape, core => Box::new(RtlCore::new(core)))
}

/// A neurocore simulated by rust-hdl that also writes a VCD waveform of every signal.
pub fn rtl_core_traced(shape: CoreShape, vcd: Box<dyn Write>) -> Box<dyn CorePins> {
    with_core!(shape, core => {
        let mut sim = RtlCore::new(core);
        sim.trace = Some(write_vcd_header(vcd, &sim.sim.block));
        Box::new(sim)
    })
}

struct RtlCore<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const NB1: usize,
    const AB1: usize,
> {
    sim: Clocked<NeuroCore<NB, AB, GB, SB, NB1, AB1>>,
    trace: Option<VCDProbe<Box<dyn Write>>>,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > RtlCore<NB, AB, GB, SB, NB1, AB1>
{
    fn new(mut core: NeuroCore<NB, AB, GB, SB, NB1, AB1>) -> Self {
        core.clock.connect();
        core.cfg_write.connect();
        core.cfg_target.connect();
        core.cfg_addr.connect();
        core.cfg_data.connect();
        core.event_valid.connect();
        core.event_axon.connect();
        core.start.connect();
        core.probe_neuron.connect();
        core.connect_all();
        RtlCore {
            sim: Clocked::new(core, |core| &mut core.clock, "neurocore logic"),
            trace: None,
        }
    }

    /// Settles new inputs; a falling edge applied now is written to the waveform.
    fn settle_if_dirty(&mut self) {
        if self.sim.settle_if_dirty() {
            self.dump(2 * self.sim.cycles());
        }
    }

    fn dump(&mut self, time: u64) {
        if let Some(vcd) = self.trace.take() {
            let mut vcd = vcd;
            // A failing waveform writer must not change simulation results; drop the trace.
            if vcd.timestamp(time).is_ok() {
                self.trace = Some(write_vcd_change(vcd, &self.sim.block));
            }
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
    > CorePins for RtlCore<NB, AB, GB, SB, NB1, AB1>
{
    fn set(&mut self, pin: CoreInput, value: u64) {
        self.sim.mark_dirty();
        let core = &mut self.sim.block;
        match pin {
            CoreInput::CfgWrite => poke(&mut core.cfg_write, value != 0),
            CoreInput::CfgTarget => poke(&mut core.cfg_target, value.into()),
            CoreInput::CfgAddr => poke(&mut core.cfg_addr, value.into()),
            CoreInput::CfgData => poke(&mut core.cfg_data, value.into()),
            CoreInput::EventValid => poke(&mut core.event_valid, value != 0),
            CoreInput::EventAxon => poke(&mut core.event_axon, value.into()),
            CoreInput::Start => poke(&mut core.start, value != 0),
            CoreInput::ProbeNeuron => poke(&mut core.probe_neuron, value.into()),
        }
    }

    fn get(&mut self, pin: CoreOutput) -> u64 {
        self.settle_if_dirty();
        let core = &self.sim.block;
        match pin {
            CoreOutput::Busy => core.busy.val() as u64,
            CoreOutput::Done => core.done.val() as u64,
            CoreOutput::SpikeValid => core.spike_valid.val() as u64,
            CoreOutput::SpikeNeuron => core.spike_neuron.val().to_u64(),
            CoreOutput::ProbeU => core.probe_u.val().to_u64(),
            CoreOutput::ProbeV => core.probe_v.val().to_u64(),
            CoreOutput::EventReady => core.event_ready.val() as u64,
        }
    }

    fn cycle(&mut self) {
        self.settle_if_dirty();
        self.sim.rise();
        self.dump(2 * self.sim.cycles() - 1);
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }
}
