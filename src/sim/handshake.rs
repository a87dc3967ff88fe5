//! Pin-level handshakes shared by the drivers of every top (one neurocore in
//! [`super::driver`], the multi-core system in [`super::system_driver`]): a top differs only
//! in which of its ports play each part, so the loops are written once over [`Pins`]. Also the
//! state read-back order every driver (these and the UART host's) returns states in.

use crate::fixed::LifState;
use crate::map::mesh::MeshImage;
use crate::model::Network;
use crate::rtl::layout::{unpack_u, unpack_v, CfgTarget};
use crate::rtl::ports::{Pins, PortTable};
use crate::sim::driver::DriverError;

/// Drives `fields` and raises `strobe` for one cycle (a configuration write: one word).
pub(crate) fn strobe<T: PortTable>(
    pins: &mut dyn Pins<T>,
    strobe: T::Input,
    fields: &[(T::Input, u64)],
) {
    pins.set(strobe, 1);
    for &(pin, value) in fields {
        pins.set(pin, value);
    }
    pins.cycle();
    pins.set(strobe, 0);
}

/// The ports of a top's configuration read (`rtl::cfg_bus`).
pub(crate) struct ReadPorts<T: PortTable> {
    /// Read strobe.
    pub strobe: T::Input,
    /// Answer pulse.
    pub valid: T::Output,
    /// The word read.
    pub data: T::Output,
}

/// Cycles a configuration read may take before the driver reports it unanswered: every block
/// answers in one cycle today; a slower stage (a crossbar's ADC) gets room.
pub(crate) const READ_BUDGET: u64 = 256;

/// Reads one configuration word: drives `fields` (target, address, and the tile on a system),
/// raises the read strobe for one cycle, then waits for the answer pulse, at most
/// [`READ_BUDGET`] cycles. Returns the word; [`DriverError::ReadTimeout`] (naming `core`, the
/// target and the address) when no answer comes. The top must be idle.
pub(crate) fn read_word<T: PortTable>(
    pins: &mut dyn Pins<T>,
    ports: &ReadPorts<T>,
    fields: &[(T::Input, u64)],
    (core, target, addr): (usize, CfgTarget, u32),
) -> Result<u32, DriverError> {
    strobe(pins, ports.strobe, fields);
    for _ in 0..READ_BUDGET {
        if pins.get(ports.valid) != 0 {
            return Ok(pins.get(ports.data) as u32);
        }
        pins.cycle();
    }
    Err(DriverError::ReadTimeout {
        core,
        target,
        addr,
        budget: READ_BUDGET,
    })
}

/// Cycles until `output` reads `high` (checked before each cycle), at most `budget` cycles;
/// whether it did.
pub(crate) fn wait_until<T: PortTable>(
    pins: &mut dyn Pins<T>,
    output: T::Output,
    high: bool,
    budget: u64,
) -> bool {
    for _ in 0..budget {
        if (pins.get(output) != 0) == high {
            return true;
        }
        pins.cycle();
    }
    false
}

/// The ports of a top's tick handshake.
pub(crate) struct TickPorts<T: PortTable> {
    /// Start-of-tick strobe.
    pub start: T::Input,
    /// End-of-tick pulse.
    pub done: T::Output,
    /// A spike is reported this cycle.
    pub spike_valid: T::Output,
    /// The spike (a neuron index or a flit).
    pub spike: T::Output,
}

/// Pulses `start`, then reports every spike to `on_spike` until `done`, and takes the cycle
/// that returns the top to idle. Returns the tick's cycles, from the edge that samples `start`
/// to the return to idle; [`DriverError::TickTimeout`] (naming `tick` and `core`) when `done`
/// does not come within `budget` cycles.
pub(crate) fn run_tick<T: PortTable>(
    pins: &mut dyn Pins<T>,
    ports: &TickPorts<T>,
    budget: u64,
    (tick, core): (u32, usize),
    mut on_spike: impl FnMut(u64) -> Result<(), DriverError>,
) -> Result<u64, DriverError> {
    pins.set(ports.start, 1);
    pins.cycle();
    pins.set(ports.start, 0);
    let mut cycles = 1;
    loop {
        if pins.get(ports.spike_valid) != 0 {
            on_spike(pins.get(ports.spike))?;
        }
        if pins.get(ports.done) != 0 {
            break;
        }
        if cycles >= budget {
            return Err(DriverError::TickTimeout { tick, core, budget });
        }
        pins.cycle();
        cycles += 1;
    }
    pins.cycle(); // leave Finish: idle again
    Ok(cycles + 1)
}

/// Sets the probe inputs `select`, waits a cycle and reads the probed neuron's state from the
/// outputs `(u, v)` (25- and 24-bit two's complement).
pub(crate) fn probe_state<T: PortTable>(
    pins: &mut dyn Pins<T>,
    select: &[(T::Input, u64)],
    (u, v): (T::Output, T::Output),
) -> LifState {
    for &(pin, value) in select {
        pins.set(pin, value);
    }
    pins.cycle();
    LifState {
        u: unpack_u(pins.get(u)),
        v: unpack_v(pins.get(v)),
    }
}

/// Every mapped neuron's state, per population, from `probe(core, core neuron)`.
pub(crate) fn placed_states(
    image: &MeshImage,
    net: &Network,
    mut probe: impl FnMut(usize, usize) -> LifState,
) -> Vec<Vec<LifState>> {
    net.populations
        .iter()
        .enumerate()
        .map(|(pop, p)| {
            (0..p.size)
                .map(|n| {
                    let (core, core_neuron) = image.placement[pop][n];
                    probe(core, core_neuron)
                })
                .collect()
        })
        .collect()
}
