//! The neurocore's exported Verilog, compiled by Verilator and driven through [`CorePins`].

use std::path::PathBuf;

use crate::export::tools::project_dir;
use crate::export::verilator::{build_model, PortSpec, VerilatedModel, VerilatorError};
use crate::export::verilog::{neurocore_verilog, CORE_MODULE};
use crate::rtl::core_sim::CoreShape;
use crate::rtl::layout::{CFG_ADDR_BITS, CFG_DATA_BITS, CFG_TARGET_BITS, U_BITS, V_BITS};
use crate::sim::pins::{CoreInput, CoreOutput, CorePins};

/// Where compiled models are cached (one entry per distinct Verilog), shared by every run.
pub fn model_cache_dir() -> PathBuf {
    project_dir().join("target").join("neurofab-verilator")
}

/// The core's top-level ports: `clock` first, then [`CoreInput::ALL`], then [`CoreOutput::ALL`].
pub fn core_ports(shape: CoreShape) -> Vec<PortSpec> {
    let neuron_bits = shape.neurons.trailing_zeros();
    let axon_bits = shape.axons.trailing_zeros();
    let mut ports = vec![PortSpec::input("clock", 1)];
    for pin in CoreInput::ALL {
        let width = match pin {
            CoreInput::CfgWrite | CoreInput::EventValid | CoreInput::Start => 1,
            CoreInput::CfgTarget => CFG_TARGET_BITS,
            CoreInput::CfgAddr => CFG_ADDR_BITS,
            CoreInput::CfgData => CFG_DATA_BITS,
            CoreInput::EventAxon => axon_bits,
            CoreInput::ProbeNeuron => neuron_bits,
        };
        ports.push(PortSpec::input(pin.verilog_name(), width));
    }
    for pin in CoreOutput::ALL {
        let width = match pin {
            CoreOutput::Busy
            | CoreOutput::Done
            | CoreOutput::SpikeValid
            | CoreOutput::EventReady => 1,
            CoreOutput::SpikeNeuron => neuron_bits,
            CoreOutput::ProbeU => U_BITS,
            CoreOutput::ProbeV => V_BITS,
        };
        ports.push(PortSpec::output(pin.verilog_name(), width));
    }
    ports
}

/// A Verilated neurocore.
pub struct VerilatedCore {
    model: VerilatedModel,
    cycles: u64,
    /// Inputs changed since the model was last evaluated.
    dirty: bool,
}

const CLOCK_PORT: usize = 0;

impl VerilatedCore {
    /// Generates the core's Verilog, builds (or reuses from the cache) its Verilator model, and
    /// instantiates it.
    pub fn new(shape: CoreShape) -> Result<Self, VerilatorError> {
        let verilog = neurocore_verilog(shape);
        let model = build_model(
            &verilog,
            CORE_MODULE,
            &core_ports(shape),
            &model_cache_dir(),
        )?;
        Ok(VerilatedCore {
            model,
            cycles: 0,
            dirty: true,
        })
    }
}

impl CorePins for VerilatedCore {
    fn set(&mut self, pin: CoreInput, value: u64) {
        self.model.set(1 + pin as usize, value);
        self.dirty = true;
    }

    fn get(&mut self, pin: CoreOutput) -> u64 {
        // `cycle` leaves the model evaluated; only new inputs need another settle.
        if self.dirty {
            self.model.eval();
            self.dirty = false;
        }
        self.model.get(1 + CoreInput::ALL.len() + pin as usize)
    }

    fn cycle(&mut self) {
        self.model.cycle(CLOCK_PORT);
        self.dirty = false;
        self.cycles += 1;
    }

    fn cycles(&self) -> u64 {
        self.cycles
    }
}
