//! `HostTop`: a complete FPGA design with two pins, a UART, the host link and one neurocore;
//! `LearningHostTop`: the same with the learning core (`LearningCore`), for networks with
//! learning projections (the link reads the learned weights back with READ).

use rust_hdl::prelude::*;

use super::link::{HostLink, LinkConfig};
use super::uart::{UartRx, UartTx};
use crate::rtl::learning_core::LearningCore;
use crate::rtl::neurocore::NeuroCore;

/// Declares a host design `$name` around the core type `$core` (const parameters as for
/// [`NeuroCore`]): the one definition of the wiring, for both cores.
macro_rules! host_top {
    ($(#[$doc:meta])* $name:ident, $core:ident) => {
$(#[$doc])*
#[derive(LogicBlock)]
pub struct $name<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const NB1: usize,
    const AB1: usize,
> {
    /// Board clock.
    pub clock: Signal<In, Clock>,
    /// Serial data from the host (idle high).
    pub uart_rx: Signal<In, Bit>,
    /// Serial data to the host (idle high).
    pub uart_tx: Signal<Out, Bit>,
    /// The core's `spike_valid`: a one-cycle pulse per spike (for a board's activity LED).
    pub spike_valid: Signal<Out, Bit>,
    receiver: UartRx,
    transmitter: UartTx,
    link: HostLink<NB, AB, NB1>,
    core: $core<NB, AB, GB, SB, NB1, AB1>,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > $name<NB, AB, GB, SB, NB1, AB1>
{
    /// A design with the given link configuration and UART bit time.
    pub fn new(config: &LinkConfig) -> Self {
        Self {
            clock: Default::default(),
            uart_rx: Default::default(),
            uart_tx: Default::default(),
            spike_valid: Default::default(),
            receiver: UartRx::new(config.cycles_per_bit),
            transmitter: UartTx::new(config.cycles_per_bit),
            link: HostLink::new(config),
            core: $core::new(),
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
    > Logic for $name<NB, AB, GB, SB, NB1, AB1>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, receiver, transmitter, link, core);
        // UART <-> link.
        self.receiver.rx.next = self.uart_rx.val();
        self.link.rx_valid.next = self.receiver.valid.val();
        self.link.rx_data.next = self.receiver.data.val();
        self.link.rx_error.next = self.receiver.frame_error.val();
        self.transmitter.data.next = self.link.tx_data.val();
        self.transmitter.start.next = self.link.tx_valid.val();
        self.link.tx_ready.next = self.transmitter.ready.val();
        self.uart_tx.next = self.transmitter.tx.val();
        // Link <-> core bus.
        self.core.cfg_write.next = self.link.cfg.write.val();
        self.core.cfg_target.next = self.link.cfg.target.val();
        self.core.cfg_addr.next = self.link.cfg.addr.val();
        self.core.cfg_data.next = self.link.cfg.data.val();
        self.core.cfg_read.next = self.link.cfg.read.val();
        self.link.cfg.read_valid.next = self.core.cfg_read_valid.val();
        self.link.cfg.read_data.next = self.core.cfg_read_data.val();
        self.core.event_valid.next = self.link.event_valid.val();
        self.core.event_axon.next = self.link.event_axon.val();
        self.link.event_ready.next = self.core.event_ready.val();
        self.core.start.next = self.link.start.val();
        self.link.busy.next = self.core.busy.val();
        self.link.done.next = self.core.done.val();
        self.link.spike_valid.next = self.core.spike_valid.val();
        self.link.spike_neuron.next = self.core.spike_neuron.val();
        self.spike_valid.next = self.core.spike_valid.val();
        // READ_STATE reads u and v through the configuration bus; the probe port is unused.
        self.core.probe_neuron.next = 0.into();
    }
}
    };
}

host_top!(
    /// UART pins in, neurocore inside. Const parameters as for [`NeuroCore`].
    HostTop,
    NeuroCore
);

host_top!(
    /// UART pins in, learning neurocore ([`LearningCore`]) inside.
    LearningHostTop,
    LearningCore
);
