//! The host-link controller between a UART byte stream and a neurocore's "core bus": wiring
//! of four blocks, one file each.
//!
//! The protocol is specified in `docs/host-protocol.md`; `host::protocol` is its host side.
//!
//! - [`FrameReceiver`] (`frame_rx`): sync hunt, payload into the frame buffer, CRC check,
//!   timeout; posts a good frame or an error.
//! - [`CommandExecutor`] (`executor`): dispatches a frame, validates and applies its entries
//!   (two [`EntryPass`](super::entry_pass::EntryPass)es for a batch) with the checks of its
//!   [`RequestCheck`](super::request_check::RequestCheck); asks for the answer.
//! - [`Responder`] (`responder`): one response frame per request, payload produced on the
//!   fly, through the [`ResponseTx`](super::response_tx::ResponseTx) byte shifter and CRC.
//! - [`TickRunner`] (`tick_runner`): RUN's ticks, the spike buffer and the TICK reports.
//!
//! Requests to the responder come from the executor or, during a run, from the tick runner
//! (never both in one cycle: the executor waits in `Running` while the runner runs). Every
//! protocol and target code comes from the register map's tables (`rtl::regmap`,
//! `rtl::regmap::protocol`).

use rust_hdl::prelude::*;

use super::executor::CommandExecutor;
use super::frame_rx::FrameReceiver;
use super::request_check::CheckLimits;
use super::responder::Responder;
use super::tick_runner::TickRunner;
use crate::rtl::cfg_bus::CfgBusDriver;
use crate::rtl::regmap::protocol::{MAX_REQUEST_PAYLOAD, PROTOCOL_VERSION};
use crate::rtl::regmap::CFG_TARGET_CODES;

/// Generation-time parameters of a [`HostLink`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkConfig {
    /// Neurons of the core (probe range, spike ids).
    pub neurons: u32,
    /// Axons of the core (event range and event-queue capacity).
    pub axons: u32,
    /// Words addressable per target code (`regmap::depth_table`); 0 marks a target that
    /// does not exist.
    pub target_depths: [u32; CFG_TARGET_CODES],
    /// Per target code: the design has the target and READ may read it back
    /// (`regmap::readable_table`).
    pub readable: [bool; CFG_TARGET_CODES],
    /// UART bit time, reported by the info command.
    pub cycles_per_bit: u32,
    /// Inter-byte timeout in clock cycles (< 2^24).
    pub timeout_cycles: u32,
}

impl LinkConfig {
    /// What the executor checks entries against.
    pub fn limits(&self) -> CheckLimits {
        CheckLimits {
            neurons: self.neurons,
            axons: self.axons,
            target_depths: self.target_depths,
            readable: self.readable,
        }
    }
}

/// The host-link controller for a core with `2^NB` neurons and `2^AB` axons (`NB1 = NB + 1`).
#[derive(LogicBlock)]
pub struct HostLink<const NB: usize, const AB: usize, const NB1: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    // ---- UART side.
    /// A received byte is on `rx_data`.
    pub rx_valid: Signal<In, Bit>,
    /// Received byte.
    pub rx_data: Signal<In, Bits<8>>,
    /// A byte arrived with a low stop bit.
    pub rx_error: Signal<In, Bit>,
    /// A response byte is offered on `tx_data`.
    pub tx_valid: Signal<Out, Bit>,
    /// Response byte.
    pub tx_data: Signal<Out, Bits<8>>,
    /// The transmitter takes `tx_data` at the next edge.
    pub tx_ready: Signal<In, Bit>,
    // ---- Core bus.
    /// Configuration bus to the core (written and read only while the core is idle).
    pub cfg: CfgBusDriver,
    /// An axon event is offered.
    pub event_valid: Signal<Out, Bit>,
    /// Its axon.
    pub event_axon: Signal<Out, Bits<AB>>,
    /// The core takes the event at the next edge.
    pub event_ready: Signal<In, Bit>,
    /// Start one tick.
    pub start: Signal<Out, Bit>,
    /// The core is busy (tick or clear).
    pub busy: Signal<In, Bit>,
    /// End-of-tick pulse.
    pub done: Signal<In, Bit>,
    /// A neuron spiked this cycle.
    pub spike_valid: Signal<In, Bit>,
    /// The neuron that spiked.
    pub spike_neuron: Signal<In, Bits<NB>>,

    receiver: FrameReceiver,
    executor: CommandExecutor<AB>,
    responder: Responder<NB>,
    runner: TickRunner<NB, NB1>,
}

/// The 16-byte payload of the info response, as four little-endian words.
pub fn info_words(config: &LinkConfig) -> [u32; 4] {
    let targets = config.target_depths.iter().filter(|&&d| d > 0).count() as u32;
    [
        PROTOCOL_VERSION as u32 | (config.neurons << 16),
        config.axons | ((MAX_REQUEST_PAYLOAD as u32) << 16),
        config.cycles_per_bit | (targets << 16),
        config.timeout_cycles,
    ]
}

impl<const NB: usize, const AB: usize, const NB1: usize> HostLink<NB, AB, NB1> {
    /// A link for `config`.
    ///
    /// # Panics
    /// If the configuration contradicts the const parameters (generator bug).
    pub fn new(config: &LinkConfig) -> Self {
        assert_eq!(NB1, NB + 1, "NB1 must be NB + 1");
        assert_eq!(config.neurons, 1 << NB, "neurons must be 2^NB");
        assert_eq!(config.axons, 1 << AB, "axons must be 2^AB");
        Self {
            clock: Default::default(),
            rx_valid: Default::default(),
            rx_data: Default::default(),
            rx_error: Default::default(),
            tx_valid: Default::default(),
            tx_data: Default::default(),
            tx_ready: Default::default(),
            cfg: Default::default(),
            event_valid: Default::default(),
            event_axon: Default::default(),
            event_ready: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            receiver: FrameReceiver::new(config.timeout_cycles),
            executor: CommandExecutor::new(&config.limits()),
            responder: Responder::new(info_words(config)),
            runner: Default::default(),
        }
    }
}

impl<const NB: usize, const AB: usize, const NB1: usize> Logic for HostLink<NB, AB, NB1> {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, receiver, executor, responder, runner);
        // UART -> receiver -> executor.
        self.receiver.rx_valid.next = self.rx_valid.val();
        self.receiver.rx_data.next = self.rx_data.val();
        self.receiver.rx_error.next = self.rx_error.val();
        self.receiver.exec_idle.next = self.executor.exec_idle.val();
        self.receiver.read_address.next = self.executor.frame_address.val();
        self.executor.frame_valid.next = self.receiver.frame_valid.val();
        self.executor.frame_cmd.next = self.receiver.frame_cmd.val();
        self.executor.frame_len.next = self.receiver.frame_len.val();
        self.executor.err_pending.next = self.receiver.err_pending.val();
        self.executor.err_status.next = self.receiver.err_status.val();
        self.executor.err_cmd.next = self.receiver.err_cmd.val();
        self.executor.frame_byte.next = self.receiver.read_data.val();

        // Core bus: writes from the executor, reads (READ, never in the same cycle) from the
        // responder.
        self.cfg.write.next = self.executor.cfg_write.val();
        self.cfg.target.next = self.executor.cfg_target.val();
        self.cfg.addr.next = self.executor.cfg_addr.val();
        self.cfg.data.next = self.executor.cfg_data.val();
        self.cfg.read.next = self.responder.cfg_read.val();
        if self.responder.cfg_read.val() {
            self.cfg.target.next = self.responder.cfg_target.val();
            self.cfg.addr.next = self.responder.cfg_addr.val();
        }
        self.responder.cfg_read_valid.next = self.cfg.read_valid.val();
        self.responder.cfg_read_data.next = self.cfg.read_data.val();
        self.event_valid.next = self.executor.event_valid.val();
        self.event_axon.next = self.executor.event_axon.val();
        self.executor.event_ready.next = self.event_ready.val();
        self.executor.busy.next = self.busy.val();
        self.executor.tick_started.next = self.runner.start.val();
        self.executor.resp_finished.next = self.responder.finished.val();
        self.executor.run_done.next = self.runner.run_done.val();

        // Tick runner <-> core.
        self.runner.run.next = self.executor.run.val();
        self.runner.ticks.next = self.executor.run_ticks.val();
        self.start.next = self.runner.start.val();
        self.runner.busy.next = self.busy.val();
        self.runner.done.next = self.done.val();
        self.runner.spike_valid.next = self.spike_valid.val();
        self.runner.spike_neuron.next = self.spike_neuron.val();
        self.runner.resp_finished.next = self.responder.finished.val();
        self.runner.spike_advance.next = self.responder.spike_advance.val();

        // Responder: requests from the executor or the runner; payload sources; UART.
        self.responder.request.next = self.executor.respond.val() | self.runner.respond.val();
        self.responder.req_status.next = self.executor.resp_status.val();
        self.responder.req_cmd.next = self.executor.resp_cmd.val();
        self.responder.req_len.next = self.executor.resp_len.val();
        self.responder.req_body.next = self.executor.resp_body.val();
        if self.runner.respond.val() {
            self.responder.req_status.next = self.runner.resp_status.val();
            self.responder.req_cmd.next = self.runner.resp_cmd.val();
            self.responder.req_len.next = self.runner.resp_len.val();
            self.responder.req_body.next = self.runner.resp_body.val();
        }
        self.responder.req_first.next = self.executor.resp_first.val();
        self.responder.req_count.next = self.executor.resp_count.val();
        self.responder.req_target.next = self.executor.resp_target.val();
        self.responder.err_index.next = self.executor.err_index.val();
        self.responder.tick_index.next = self.runner.tick_index.val();
        self.responder.tick_cycles.next = self.runner.tick_cycles.val();
        self.responder.spike_id.next = self.runner.spike_id.val();
        self.responder.spikes_at_end.next = self.runner.spikes_at_end.val();
        self.tx_valid.next = self.responder.tx_valid.val();
        self.tx_data.next = self.responder.tx_data.val();
        self.responder.tx_ready.next = self.tx_ready.val();
    }
}

#[cfg(test)]
#[path = "link_tests.rs"]
mod tests;
