//! The host link's command executor: takes a checked frame (or a receiver error) from the
//! frame receiver, validates and applies its entries on the core bus, and hands the answer to
//! the responder (or a RUN to the tick runner).
//!
//! Batched commands (WRITE_CONFIG, INJECT) take two [`EntryPass`]es over the frame buffer:
//! the first validates every entry (length, target, address range, queue space), the second
//! applies them, so a frame with one bad entry changes nothing. The fixed-length commands
//! (RUN, READ_STATE, READ) are one entry, validated in one pass. The checks are the
//! [`RequestCheck`]'s.

use rust_hdl::prelude::*;

use super::entry_pass::EntryPass;
use super::frame_rx::FRAME_BUF_ADDR_BITS;
use super::request_check::{CheckLimits, RequestCheck};
use super::responder::RespState;
use crate::rtl::cfg_bus::{CFG_ADDR_WIDTH, CFG_DATA_WIDTH, CFG_TARGET_WIDTH};
use crate::rtl::regmap::hdl::constant;
use crate::rtl::regmap::protocol::Status;

/// Executor state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ExecState {
    /// Waiting for a frame or a receiver error to report.
    Idle,
    /// Frame accepted: check command and length (after the core is idle).
    Dispatch,
    /// An entry pass is running.
    Walking,
    /// The whole payload was read: answer, apply, or execute.
    PassEnd,
    /// The responder is sending the answer.
    Responding,
    /// The tick runner is running ticks.
    Running,
}

/// Command executor for a core with `2^AB` axons.
#[derive(LogicBlock)]
pub struct CommandExecutor<const AB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A good frame waits (frame receiver).
    pub frame_valid: Signal<In, Bit>,
    /// Its command byte.
    pub frame_cmd: Signal<In, Bits<8>>,
    /// Its payload length.
    pub frame_len: Signal<In, Bits<16>>,
    /// A receiver error waits.
    pub err_pending: Signal<In, Bit>,
    /// Its status.
    pub err_status: Signal<In, Bits<8>>,
    /// Its command field.
    pub err_cmd: Signal<In, Bits<8>>,
    /// Frame buffer address.
    pub frame_address: Signal<Out, Bits<FRAME_BUF_ADDR_BITS>>,
    /// Frame buffer byte (one cycle after its address).
    pub frame_byte: Signal<In, Bits<8>>,
    /// Idle: the receiver's posts are taken at the next edge.
    pub exec_idle: Signal<Out, Bit>,
    /// Configuration write strobe (the write half of the core's configuration bus).
    pub cfg_write: Signal<Out, Bit>,
    /// Target written.
    pub cfg_target: Signal<Out, Bits<CFG_TARGET_WIDTH>>,
    /// Word address written.
    pub cfg_addr: Signal<Out, Bits<CFG_ADDR_WIDTH>>,
    /// Data written.
    pub cfg_data: Signal<Out, Bits<CFG_DATA_WIDTH>>,
    /// An axon event is offered.
    pub event_valid: Signal<Out, Bit>,
    /// Its axon.
    pub event_axon: Signal<Out, Bits<AB>>,
    /// The core takes the event at the next edge.
    pub event_ready: Signal<In, Bit>,
    /// The core is busy (tick or clear).
    pub busy: Signal<In, Bit>,
    /// The tick runner starts a tick (the core's event queue empties).
    pub tick_started: Signal<In, Bit>,
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
    /// READ_STATE: first neuron; READ: first address.
    pub resp_first: Signal<Out, Bits<CFG_ADDR_WIDTH>>,
    /// READ_STATE: neurons; READ: words.
    pub resp_count: Signal<Out, Bits<16>>,
    /// READ: the target.
    pub resp_target: Signal<Out, Bits<CFG_TARGET_WIDTH>>,
    /// OUT_OF_RANGE payload: index of the first bad entry.
    pub err_index: Signal<Out, Bits<16>>,
    /// The responder has sent the answer.
    pub resp_finished: Signal<In, Bit>,
    /// Start a run (tick runner).
    pub run: Signal<Out, Bit>,
    /// Its ticks.
    pub run_ticks: Signal<Out, Bits<16>>,
    /// The run is over (its final response sent).
    pub run_done: Signal<In, Bit>,

    check: RequestCheck,
    pass: EntryPass<AB>,
    state: DFF<ExecState>,
    cmd: DFF<Bits<8>>,
    len: DFF<Bits<16>>,
    applying: DFF<Bit>,
    count_field: Signal<Local, Bits<16>>,

    status_bad_length: Constant<Bits<8>>,
    status_ok: Constant<Bits<8>>,
    status_out_of_range: Constant<Bits<8>>,
    status_queue_full: Constant<Bits<8>>,
    status_unknown_command: Constant<Bits<8>>,
}

impl<const AB: usize> CommandExecutor<AB> {
    /// An executor checking entries against `limits`.
    pub fn new(limits: &CheckLimits) -> Self {
        Self {
            clock: Default::default(),
            frame_valid: Default::default(),
            frame_cmd: Default::default(),
            frame_len: Default::default(),
            err_pending: Default::default(),
            err_status: Default::default(),
            err_cmd: Default::default(),
            frame_address: Default::default(),
            frame_byte: Default::default(),
            exec_idle: Default::default(),
            cfg_write: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            event_valid: Default::default(),
            event_axon: Default::default(),
            event_ready: Default::default(),
            busy: Default::default(),
            tick_started: Default::default(),
            respond: Default::default(),
            resp_status: Default::default(),
            resp_cmd: Default::default(),
            resp_len: Default::default(),
            resp_body: Default::default(),
            resp_first: Default::default(),
            resp_count: Default::default(),
            resp_target: Default::default(),
            err_index: Default::default(),
            resp_finished: Default::default(),
            run: Default::default(),
            run_ticks: Default::default(),
            run_done: Default::default(),
            check: RequestCheck::new(limits),
            pass: Default::default(),
            state: Default::default(),
            cmd: Default::default(),
            len: Default::default(),
            applying: Default::default(),
            count_field: Default::default(),
            status_bad_length: constant(Status::BadLength),
            status_ok: constant(Status::Ok),
            status_out_of_range: constant(Status::OutOfRange),
            status_queue_full: constant(Status::QueueFull),
            status_unknown_command: constant(Status::UnknownCommand),
        }
    }
}

impl<const AB: usize> Logic for CommandExecutor<AB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, cmd, len, applying);
        clock!(self, clock, pass);
        self.check.cmd.next = self.cmd.q.val();
        self.check.len.next = self.len.q.val();
        self.check.entry_lo.next = self.pass.entry_lo.val();
        self.check.entry_hi.next = self.pass.entry_hi.val();
        self.check.pending.next = self.pass.pending.val();
        self.check.entry_index.next = self.pass.entry_index.val();
        self.pass.last_slot.next = self.check.last_slot.val();
        self.pass.applying.next = self.applying.q.val();
        self.pass.is_config.next = self.check.is_config.val();
        self.pass.entry_ok.next = self.check.entry_ok.val();
        self.pass.len.next = self.len.q.val();
        self.pass.frame_byte.next = self.frame_byte.val();
        self.frame_address.next = self.pass.frame_address.val();
        self.pass.tick_started.next = self.tick_started.val();
        self.pass.busy.next = self.busy.val();
        self.pass.event_ready.next = self.event_ready.val();
        self.cfg_write.next = self.pass.cfg_write.val();
        self.cfg_target.next = self.pass.cfg_target.val();
        self.cfg_addr.next = self.pass.cfg_addr.val();
        self.cfg_data.next = self.pass.cfg_data.val();
        self.event_valid.next = self.pass.event_valid.val();
        self.event_axon.next = self.pass.event_axon.val();
        self.pass.restart.next = false;
        self.pass.go.next = false;
        self.exec_idle.next = self.state.q.val() == ExecState::Idle;
        self.count_field.next = self.pass.entry_lo.val().get_bits::<16>(16);

        // Answer: an empty BAD_LENGTH by default; entry fields as in `request_check`.
        self.respond.next = false;
        self.resp_status.next = self.status_bad_length.val();
        self.resp_cmd.next = self.cmd.q.val();
        self.resp_len.next = 0.into();
        self.resp_body.next = RespState::SendCrc;
        self.resp_first.next =
            bit_cast::<CFG_ADDR_WIDTH, 16>(self.pass.entry_lo.val().get_bits::<16>(0));
        self.resp_count.next = self.count_field.val();
        self.resp_target.next = self.pass.entry_lo.val().get_bits::<CFG_TARGET_WIDTH>(0);
        if self.check.is_read.val() {
            self.resp_first.next = self.pass.entry_lo.val().get_bits::<CFG_ADDR_WIDTH>(8);
            self.resp_count.next = self.pass.entry_hi.val().get_bits::<16>(0);
        }
        self.err_index.next = self.pass.bad_index.val();
        self.run.next = false;
        self.run_ticks.next = self.pass.entry_lo.val().get_bits::<16>(0);

        match self.state.q.val() {
            ExecState::Idle => {
                if self.err_pending.val() {
                    self.respond.next = true;
                    self.resp_status.next = self.err_status.val();
                    self.resp_cmd.next = self.err_cmd.val();
                    self.state.d.next = ExecState::Responding;
                } else if self.frame_valid.val() {
                    self.cmd.d.next = self.frame_cmd.val();
                    self.len.d.next = self.frame_len.val();
                    self.state.d.next = ExecState::Dispatch;
                }
            }
            ExecState::Dispatch => {
                self.pass.restart.next = true;
                self.applying.d.next = false;
                if !self.busy.val() {
                    self.respond.next = true;
                    self.state.d.next = ExecState::Responding;
                    if !self.check.known.val() {
                        self.resp_status.next = self.status_unknown_command.val();
                    } else if !self.check.len_ok.val() {
                        self.resp_status.next = self.status_bad_length.val();
                    } else if self.check.is_info.val() {
                        self.resp_status.next = self.status_ok.val();
                        self.resp_len.next = 16.into();
                        self.resp_body.next = RespState::InfoWord;
                    } else if self.len.q.val() == 0 {
                        // An empty batch goes straight to the end of its (empty) pass.
                        self.respond.next = false;
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.respond.next = false;
                        self.pass.go.next = true;
                        self.state.d.next = ExecState::Walking;
                    }
                }
            }
            ExecState::Walking => {
                if self.pass.done.val() {
                    self.state.d.next = ExecState::PassEnd;
                }
            }
            ExecState::PassEnd => {
                self.respond.next = true;
                self.state.d.next = ExecState::Responding;
                if self.applying.q.val() {
                    self.resp_status.next = self.status_ok.val();
                } else if self.pass.partial.val() {
                    self.resp_status.next = self.status_bad_length.val();
                } else if self.pass.bad_seen.val() {
                    self.resp_status.next = self.status_out_of_range.val();
                    self.resp_len.next = 2.into();
                    self.resp_body.next = RespState::ErrIndex;
                } else if self.check.is_inject.val() & self.check.queue_full.val() {
                    self.resp_status.next = self.status_queue_full.val();
                } else if self.check.is_run.val() {
                    self.respond.next = false;
                    self.run.next = true;
                    self.state.d.next = ExecState::Running;
                } else if self.check.is_read_state.val() {
                    // u and v, 4 bytes each, per neuron.
                    self.resp_status.next = self.status_ok.val();
                    self.resp_len.next = self.count_field.val() << 3;
                    if self.count_field.val() != 0 {
                        self.resp_body.next = RespState::ProbeIssue;
                    }
                } else if self.check.is_read.val() {
                    // One u32 per word (the count is at most MAX_READ_WORDS: fits 16 bits).
                    self.resp_status.next = self.status_ok.val();
                    self.resp_len.next = self.resp_count.val() << 2;
                    if self.resp_count.val() != 0 {
                        self.resp_body.next = RespState::ReadIssue;
                    }
                } else {
                    // Batch validated: go over it again, applying.
                    self.respond.next = false;
                    self.applying.d.next = true;
                    self.pass.restart.next = true;
                    if self.len.q.val() == 0 {
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.pass.go.next = true;
                        self.state.d.next = ExecState::Walking;
                    }
                }
            }
            ExecState::Responding => {
                if self.resp_finished.val() {
                    self.state.d.next = ExecState::Idle;
                }
            }
            ExecState::Running => {
                if self.run_done.val() {
                    self.state.d.next = ExecState::Idle;
                }
            }
        }
    }
}
