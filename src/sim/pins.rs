//! The neurocore's pins as seen by a cycle-level driver, independent of the engine.
//!
//! The rust-hdl simulation and the Verilator model both implement [`CorePins`], so one driver
//! ([`super::driver`]) loads networks and runs ticks on either, and they can only differ if
//! the hardware does.

/// Input pins of the neurocore, in the order of [`CoreInput::ALL`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoreInput {
    /// Configuration write strobe.
    CfgWrite,
    /// Configuration target (see `rtl::layout::CfgTarget`).
    CfgTarget,
    /// Configuration word address.
    CfgAddr,
    /// Configuration data.
    CfgData,
    /// Axon event strobe.
    EventValid,
    /// Axon of the event.
    EventAxon,
    /// Start-of-tick strobe.
    Start,
    /// Neuron whose state `probe_u` and `probe_v` show.
    ProbeNeuron,
}

impl CoreInput {
    /// Every input, in port-index order.
    pub const ALL: [CoreInput; 8] = [
        CoreInput::CfgWrite,
        CoreInput::CfgTarget,
        CoreInput::CfgAddr,
        CoreInput::CfgData,
        CoreInput::EventValid,
        CoreInput::EventAxon,
        CoreInput::Start,
        CoreInput::ProbeNeuron,
    ];

    /// The port's name in the generated Verilog.
    pub fn verilog_name(self) -> &'static str {
        match self {
            CoreInput::CfgWrite => "cfg_write",
            CoreInput::CfgTarget => "cfg_target",
            CoreInput::CfgAddr => "cfg_addr",
            CoreInput::CfgData => "cfg_data",
            CoreInput::EventValid => "event_valid",
            CoreInput::EventAxon => "event_axon",
            CoreInput::Start => "start",
            CoreInput::ProbeNeuron => "probe_neuron",
        }
    }
}

/// Output pins of the neurocore, in the order of [`CoreOutput::ALL`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum CoreOutput {
    /// A tick or clear is in progress.
    Busy,
    /// End-of-tick pulse.
    Done,
    /// Spike strobe.
    SpikeValid,
    /// Spiking neuron.
    SpikeNeuron,
    /// `u` of the probed neuron (25-bit two's complement).
    ProbeU,
    /// `v` of the probed neuron (24-bit two's complement).
    ProbeV,
    /// The core takes an axon event this cycle.
    EventReady,
}

impl CoreOutput {
    /// Every output, in port-index order.
    pub const ALL: [CoreOutput; 7] = [
        CoreOutput::Busy,
        CoreOutput::Done,
        CoreOutput::SpikeValid,
        CoreOutput::SpikeNeuron,
        CoreOutput::ProbeU,
        CoreOutput::ProbeV,
        CoreOutput::EventReady,
    ];

    /// The port's name in the generated Verilog.
    pub fn verilog_name(self) -> &'static str {
        match self {
            CoreOutput::Busy => "busy",
            CoreOutput::Done => "done",
            CoreOutput::SpikeValid => "spike_valid",
            CoreOutput::SpikeNeuron => "spike_neuron",
            CoreOutput::ProbeU => "probe_u",
            CoreOutput::ProbeV => "probe_v",
            CoreOutput::EventReady => "event_ready",
        }
    }
}

/// Cycle-level access to a neurocore.
pub trait CorePins {
    /// Drives an input pin; takes effect at the next rising edge.
    fn set(&mut self, pin: CoreInput, value: u64);
    /// Reads an output pin as it is after the last rising edge (and current inputs).
    fn get(&mut self, pin: CoreOutput) -> u64;
    /// Advances one clock cycle (one rising edge).
    fn cycle(&mut self);
    /// Clock cycles run so far.
    fn cycles(&self) -> u64;
}
