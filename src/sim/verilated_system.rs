//! The multi-core system's exported Verilog, compiled by Verilator and driven through
//! [`SystemPins`].

use crate::export::verilator::{build_model, PortSpec, VerilatedModel, VerilatorError};
use crate::export::verilog::{memoised, system_verilog, SYSTEM_MODULE};
use crate::rtl::core_sim::CoreShape;
use crate::rtl::fanout::FLIT_BITS;
use crate::rtl::layout::{CFG_ADDR_BITS, CFG_DATA_BITS, CFG_TARGET_BITS, U_BITS, V_BITS};
use crate::rtl::noc::MeshConfig;
use crate::sim::system_pins::{SystemInput, SystemOutput, SystemPins};
use crate::sim::verilated_core::model_cache_dir;

/// The system's top-level ports: `clock`, [`SystemInput::ALL`], then the outputs in
/// [`SystemOutput`] order.
pub fn system_ports(shape: CoreShape) -> Vec<PortSpec> {
    let neuron_bits = shape.neurons.trailing_zeros();
    let mut ports = vec![PortSpec::input("clock", 1)];
    for pin in SystemInput::ALL {
        let width = match pin {
            SystemInput::CfgWrite
            | SystemInput::HostValid
            | SystemInput::Start
            | SystemInput::HostOutReady => 1,
            SystemInput::CfgCore | SystemInput::ProbeCore => 8,
            SystemInput::CfgTarget => CFG_TARGET_BITS,
            SystemInput::CfgAddr => CFG_ADDR_BITS,
            SystemInput::CfgData => CFG_DATA_BITS,
            SystemInput::HostData => FLIT_BITS as u32,
            SystemInput::ProbeNeuron => neuron_bits,
        };
        ports.push(PortSpec::input(pin.verilog_name(), width));
    }
    ports.push(PortSpec::output("host_ready", 1));
    ports.push(PortSpec::output("idle", 1));
    ports.push(PortSpec::output("tick_done", 1));
    ports.push(PortSpec::output("probe_u", U_BITS));
    ports.push(PortSpec::output("probe_v", V_BITS));
    ports.push(PortSpec::output("host_out_valid", 1));
    ports.push(PortSpec::output("host_out_data", FLIT_BITS as u32));
    ports
}

/// A Verilated multi-core system.
pub struct VerilatedSystem {
    model: VerilatedModel,
    cycles: u64,
    dirty: bool,
}

/// Index of the first output port.
const FIRST_OUTPUT: usize = 1 + SystemInput::ALL.len();

impl VerilatedSystem {
    /// Generates the system's Verilog, builds (or reuses) its Verilator model and instantiates it.
    pub fn new(shape: CoreShape, config: &MeshConfig) -> Result<Self, VerilatorError> {
        let verilog = memoised(format!("system {shape:?} {config:?}"), || {
            system_verilog(shape, config)
        });
        let model = build_model(
            &verilog,
            SYSTEM_MODULE,
            &system_ports(shape),
            &model_cache_dir(),
        )?;
        Ok(VerilatedSystem {
            model,
            cycles: 0,
            dirty: true,
        })
    }
}

impl SystemPins for VerilatedSystem {
    fn set(&mut self, pin: SystemInput, value: u64) {
        self.model.set(1 + pin as usize, value);
        self.dirty = true;
    }

    fn get(&mut self, pin: SystemOutput) -> u64 {
        if self.dirty {
            self.model.eval();
            self.dirty = false;
        }
        let index = match pin {
            SystemOutput::HostReady => FIRST_OUTPUT,
            SystemOutput::Idle => FIRST_OUTPUT + 1,
            SystemOutput::TickDone => FIRST_OUTPUT + 2,
            SystemOutput::ProbeU => FIRST_OUTPUT + 3,
            SystemOutput::ProbeV => FIRST_OUTPUT + 4,
            SystemOutput::HostOutValid => FIRST_OUTPUT + 5,
            SystemOutput::HostOutData => FIRST_OUTPUT + 6,
        };
        self.model.get(index)
    }

    fn cycle(&mut self) {
        self.model.cycle(0);
        self.dirty = false;
        self.cycles += 1;
    }

    fn cycles(&self) -> u64 {
        self.cycles
    }
}
