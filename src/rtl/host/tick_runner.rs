//! The host link's tick runner (RUN): starts one tick at a time when the core is idle, stores
//! the tick's spikes, has the responder send a TICK report per tick, and RUN's own response
//! after the last.
//!
//! Only the spikes of one tick are stored (2^NB ids, one block RAM, so every neuron can spike
//! once per tick): the core emits up to one per cycle and the UART drains one byte per
//! `10 * cycles_per_bit` cycles, so the next tick starts only once the report is sent.

use rust_hdl::prelude::*;

use super::responder::RespState;
use crate::rtl::block_ram::BlockRam;
use crate::rtl::regmap::hdl::{constant, value_constant};
use crate::rtl::regmap::protocol::{Command, Status, TICK_REPORT};

/// Tick runner state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RunState {
    /// No run in progress.
    Idle,
    /// Start the next tick (or finish the run).
    Start,
    /// Tick running: collect spikes until `done`.
    Wait,
    /// Tick done: request its report.
    Report,
    /// The report is being sent.
    Reporting,
    /// Advance to the next tick.
    Next,
    /// RUN's final response is being sent.
    Final,
}

/// RUN executor for a core with `2^NB` neurons (`NB1 = NB + 1`).
#[derive(LogicBlock)]
pub struct TickRunner<const NB: usize, const NB1: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Start a run of `ticks` ticks (only while idle).
    pub run: Signal<In, Bit>,
    /// Ticks to run.
    pub ticks: Signal<In, Bits<16>>,
    /// Start one tick.
    pub start: Signal<Out, Bit>,
    /// The core is busy.
    pub busy: Signal<In, Bit>,
    /// End-of-tick pulse.
    pub done: Signal<In, Bit>,
    /// A neuron spiked this cycle.
    pub spike_valid: Signal<In, Bit>,
    /// The neuron that spiked.
    pub spike_neuron: Signal<In, Bits<NB>>,
    /// Request a response from the responder.
    pub respond: Signal<Out, Bit>,
    /// Its status.
    pub resp_status: Signal<Out, Bits<8>>,
    /// Its command field.
    pub resp_cmd: Signal<Out, Bits<8>>,
    /// Its payload length.
    pub resp_len: Signal<Out, Bits<16>>,
    /// Its first payload state.
    pub resp_body: Signal<Out, RespState>,
    /// The responder has sent its response.
    pub resp_finished: Signal<In, Bit>,
    /// The run's final response has been sent.
    pub run_done: Signal<Out, Bit>,
    /// Index of the current tick in the run (after the run: ticks run).
    pub tick_index: Signal<Out, Bits<16>>,
    /// Cycles of the last tick, from the edge that samples `start` to the one after `done`
    /// (the README's cycle formula, as the drivers count).
    pub tick_cycles: Signal<Out, Bits<32>>,
    /// Spike id at the read pointer, one cycle after the pointer moved.
    pub spike_id: Signal<Out, Bits<16>>,
    /// The read pointer is past the tick's last spike.
    pub spikes_at_end: Signal<Out, Bit>,
    /// Move the read pointer on.
    pub spike_advance: Signal<In, Bit>,

    spike_buf: BlockRam<Bits<NB>, NB>,
    state: DFF<RunState>,
    ticks_left: DFF<Bits<16>>,
    index: DFF<Bits<16>>,
    cycles: DFF<Bits<32>>,
    spike_count: DFF<Bits<NB1>>,
    spike_rd: DFF<Bits<NB1>>,

    status_ok: Constant<Bits<8>>,
    cmd_run: Constant<Bits<8>>,
    cmd_tick_report: Constant<Bits<8>>,
}

impl<const NB: usize, const NB1: usize> Default for TickRunner<NB, NB1> {
    fn default() -> Self {
        assert_eq!(NB1, NB + 1, "NB1 must be NB + 1");
        Self {
            clock: Default::default(),
            run: Default::default(),
            ticks: Default::default(),
            start: Default::default(),
            busy: Default::default(),
            done: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            respond: Default::default(),
            resp_status: Default::default(),
            resp_cmd: Default::default(),
            resp_len: Default::default(),
            resp_body: Default::default(),
            resp_finished: Default::default(),
            run_done: Default::default(),
            tick_index: Default::default(),
            tick_cycles: Default::default(),
            spike_id: Default::default(),
            spikes_at_end: Default::default(),
            spike_advance: Default::default(),
            spike_buf: Default::default(),
            state: Default::default(),
            ticks_left: Default::default(),
            index: Default::default(),
            cycles: Default::default(),
            spike_count: Default::default(),
            spike_rd: Default::default(),
            status_ok: constant(Status::Ok),
            cmd_run: constant(Command::Run),
            cmd_tick_report: value_constant(TICK_REPORT as u64),
        }
    }
}

impl<const NB: usize, const NB1: usize> Logic for TickRunner<NB, NB1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            ticks_left,
            index,
            cycles,
            spike_count,
            spike_rd
        );
        self.spike_buf.read_clock.next = self.clock.val();
        self.spike_buf.write_clock.next = self.clock.val();
        self.spike_buf.read_address.next = self.spike_rd.q.val().get_bits::<NB>(0);
        self.spike_buf.write_enable.next =
            (self.state.q.val() == RunState::Wait) & self.spike_valid.val();
        self.spike_buf.write_address.next = self.spike_count.q.val().get_bits::<NB>(0);
        self.spike_buf.write_data.next = self.spike_neuron.val();
        self.tick_index.next = self.index.q.val();
        self.tick_cycles.next = self.cycles.q.val();
        self.spike_id.next = bit_cast::<16, NB>(self.spike_buf.read_data.val());
        self.spikes_at_end.next = self.spike_rd.q.val() == self.spike_count.q.val();
        if self.spike_advance.val() {
            self.spike_rd.d.next = self.spike_rd.q.val() + 1;
        }
        self.start.next = false;
        self.respond.next = false;
        self.run_done.next = false;
        self.resp_status.next = self.status_ok.val();
        self.resp_cmd.next = self.cmd_tick_report.val();
        // A TICK report: tick index (2), cycles (4), 2 bytes per spike.
        self.resp_len.next = (bit_cast::<16, NB1>(self.spike_count.q.val()) << 1) + 6;
        self.resp_body.next = RespState::TickIndex;

        match self.state.q.val() {
            RunState::Idle => {
                if self.run.val() {
                    self.ticks_left.d.next = self.ticks.val();
                    self.index.d.next = 0.into();
                    self.state.d.next = RunState::Start;
                }
            }
            RunState::Start => {
                if self.ticks_left.q.val() == 0 {
                    // RUN's own response: ticks run (u16).
                    self.respond.next = true;
                    self.resp_cmd.next = self.cmd_run.val();
                    self.resp_len.next = 2.into();
                    self.resp_body.next = RespState::RunFinal;
                    self.state.d.next = RunState::Final;
                } else if !self.busy.val() {
                    self.start.next = true;
                    self.spike_count.d.next = 0.into();
                    // The edge that samples `start` is cycle 1 (the count the drivers and the
                    // README's cycle formula use): Wait then adds one per cycle up to and
                    // including the one that sees `done`.
                    self.cycles.d.next = 1.into();
                    self.state.d.next = RunState::Wait;
                }
            }
            RunState::Wait => {
                self.cycles.d.next = self.cycles.q.val() + 1;
                if self.spike_valid.val() {
                    self.spike_count.d.next = self.spike_count.q.val() + 1;
                }
                if self.done.val() {
                    self.state.d.next = RunState::Report;
                }
            }
            RunState::Report => {
                self.respond.next = true;
                self.spike_rd.d.next = 0.into();
                self.state.d.next = RunState::Reporting;
            }
            RunState::Reporting => {
                if self.resp_finished.val() {
                    self.state.d.next = RunState::Next;
                }
            }
            RunState::Next => {
                self.index.d.next = self.index.q.val() + 1;
                self.ticks_left.d.next = self.ticks_left.q.val() - 1;
                self.state.d.next = RunState::Start;
            }
            RunState::Final => {
                if self.resp_finished.val() {
                    self.run_done.next = true;
                    self.state.d.next = RunState::Idle;
                }
            }
        }
    }
}
