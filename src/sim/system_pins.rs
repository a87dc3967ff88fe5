//! The multi-core system's pins as seen by a cycle-level driver, independent of the engine
//! (rust-hdl simulation or Verilator), like [`super::pins`] for one core.

/// Input pins of the system.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SystemInput {
    /// Configuration write strobe.
    CfgWrite,
    /// Tile of the configuration write.
    CfgCore,
    /// Configuration target.
    CfgTarget,
    /// Configuration word address.
    CfgAddr,
    /// Configuration data.
    CfgData,
    /// Host flit strobe.
    HostValid,
    /// Host flit.
    HostData,
    /// Start-of-tick strobe.
    Start,
    /// Tile to probe.
    ProbeCore,
    /// Neuron to probe.
    ProbeNeuron,
    /// The host takes the output-spike flit.
    HostOutReady,
}

impl SystemInput {
    /// Every input, in port-index order.
    pub const ALL: [SystemInput; 11] = [
        SystemInput::CfgWrite,
        SystemInput::CfgCore,
        SystemInput::CfgTarget,
        SystemInput::CfgAddr,
        SystemInput::CfgData,
        SystemInput::HostValid,
        SystemInput::HostData,
        SystemInput::Start,
        SystemInput::ProbeCore,
        SystemInput::ProbeNeuron,
        SystemInput::HostOutReady,
    ];

    /// The port's name in the generated Verilog.
    pub fn verilog_name(self) -> &'static str {
        match self {
            SystemInput::CfgWrite => "cfg_write",
            SystemInput::CfgCore => "cfg_core",
            SystemInput::CfgTarget => "cfg_target",
            SystemInput::CfgAddr => "cfg_addr",
            SystemInput::CfgData => "cfg_data",
            SystemInput::HostValid => "host_valid",
            SystemInput::HostData => "host_data",
            SystemInput::Start => "start",
            SystemInput::ProbeCore => "probe_core",
            SystemInput::ProbeNeuron => "probe_neuron",
            SystemInput::HostOutReady => "host_out_ready",
        }
    }
}

/// Output pins of the system.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum SystemOutput {
    /// Node 0 takes the host flit.
    HostReady,
    /// Ready for `start`.
    Idle,
    /// End-of-tick pulse (the barrier).
    TickDone,
    /// `u` of the probed neuron.
    ProbeU,
    /// `v` of the probed neuron.
    ProbeV,
    /// An output-spike flit for the host is offered.
    HostOutValid,
    /// The output-spike flit.
    HostOutData,
}

/// Cycle-level access to a multi-core system.
pub trait SystemPins {
    /// Drives an input pin; takes effect at the next rising edge.
    fn set(&mut self, pin: SystemInput, value: u64);
    /// Reads an output pin as it is after the last rising edge (and current inputs).
    fn get(&mut self, pin: SystemOutput) -> u64;
    /// Advances one clock cycle.
    fn cycle(&mut self);
    /// Clock cycles run so far.
    fn cycles(&self) -> u64;
}
