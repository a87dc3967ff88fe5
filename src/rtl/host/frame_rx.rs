//! The host link's frame receiver: sync hunt, header, payload into the frame buffer, CRC
//! check, inter-byte timeout and error posting.
//!
//! It hunts for the request sync byte, then stores the payload in a 512-byte frame buffer (one
//! block RAM) while a [`Crc16`] folds in every byte after the sync, including the two CRC
//! bytes, so a good frame leaves a zero residue. Only a complete frame with a good CRC is
//! handed on (`frame_valid`); nothing is executed while bytes arrive. An inter-byte timeout
//! drops a truncated frame. After an error the receiver drains (ignores bytes) until the line
//! has been quiet for the timeout, so the tail of a broken frame is never parsed as a new one.
//!
//! Errors it finds (bad CRC, bad length field, timeout, framing, a request while the executor
//! is busy) are posted (`err_pending`, `err_status`, `err_cmd`) for the executor to answer.
//! Both posts are taken by the executor when it is idle (`exec_idle`): an error first, then a
//! frame.

use rust_hdl::prelude::*;

use super::crc::Crc16;
use crate::rtl::block_ram::BlockRam;
use crate::rtl::regmap::hdl::{constant, value_constant};
use crate::rtl::regmap::protocol::{Status, MAX_REQUEST_PAYLOAD, REQUEST_SYNC};

/// Address bits of the frame buffer: it holds the largest request payload.
pub const FRAME_BUF_ADDR_BITS: usize = 9;
const _: () = assert!(1 << FRAME_BUF_ADDR_BITS == MAX_REQUEST_PAYLOAD);

/// Receiver phase.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxPhase {
    /// Waiting for a sync byte.
    Hunt,
    /// Expecting the command byte.
    Cmd,
    /// Expecting the length's low byte.
    LenLo,
    /// Expecting the length's high byte.
    LenHi,
    /// Storing payload bytes.
    Payload,
    /// Expecting the CRC's high byte.
    CrcHi,
    /// Expecting the CRC's low byte.
    CrcLo,
    /// Checking the CRC residue.
    Check,
    /// Ignoring bytes until the line is quiet for the timeout.
    Drain,
}

/// Frame receiver with its frame buffer and CRC.
#[derive(LogicBlock)]
pub struct FrameReceiver {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A received byte is on `rx_data`.
    pub rx_valid: Signal<In, Bit>,
    /// Received byte.
    pub rx_data: Signal<In, Bits<8>>,
    /// A byte arrived with a low stop bit.
    pub rx_error: Signal<In, Bit>,
    /// The executor is idle: it takes a posted error or frame at the next edge.
    pub exec_idle: Signal<In, Bit>,
    /// A good frame waits for the executor.
    pub frame_valid: Signal<Out, Bit>,
    /// Its command byte.
    pub frame_cmd: Signal<Out, Bits<8>>,
    /// Its payload length.
    pub frame_len: Signal<Out, Bits<16>>,
    /// An error waits to be reported.
    pub err_pending: Signal<Out, Bit>,
    /// Its status code.
    pub err_status: Signal<Out, Bits<8>>,
    /// The command byte of the broken frame (0 if not received yet).
    pub err_cmd: Signal<Out, Bits<8>>,
    /// Frame buffer read address (data one cycle later).
    pub read_address: Signal<In, Bits<FRAME_BUF_ADDR_BITS>>,
    /// Frame buffer byte at the previous cycle's `read_address`.
    pub read_data: Signal<Out, Bits<8>>,

    rx_crc: Crc16,
    frame_buf: BlockRam<Bits<8>, FRAME_BUF_ADDR_BITS>,
    rx_phase: DFF<RxPhase>,
    rx_cmd: DFF<Bits<8>>,
    rx_len_lo: DFF<Bits<8>>,
    rx_len: DFF<Bits<16>>,
    rx_count: DFF<Bits<16>>,
    idle_timer: DFF<Bits<24>>,
    valid: DFF<Bit>,
    pending: DFF<Bit>,
    status: DFF<Bits<8>>,
    cmd: DFF<Bits<8>>,

    rx_full_len: Signal<Local, Bits<16>>,
    rx_next_count: Signal<Local, Bits<16>>,
    in_frame: Signal<Local, Bit>,
    timed_out: Signal<Local, Bit>,
    link_free: Signal<Local, Bit>,

    request_sync: Constant<Bits<8>>,
    status_bad_crc: Constant<Bits<8>>,
    status_bad_length: Constant<Bits<8>>,
    status_busy: Constant<Bits<8>>,
    status_framing: Constant<Bits<8>>,
    status_timeout: Constant<Bits<8>>,
    max_payload: Constant<Bits<16>>,
    timeout: Constant<Bits<24>>,
}

impl FrameReceiver {
    /// A receiver that drops a frame after `timeout_cycles` (< 2^24) without a byte.
    pub fn new(timeout_cycles: u32) -> Self {
        assert!(timeout_cycles > 0 && timeout_cycles < 1 << 24);
        Self {
            clock: Default::default(),
            rx_valid: Default::default(),
            rx_data: Default::default(),
            rx_error: Default::default(),
            exec_idle: Default::default(),
            frame_valid: Default::default(),
            frame_cmd: Default::default(),
            frame_len: Default::default(),
            err_pending: Default::default(),
            err_status: Default::default(),
            err_cmd: Default::default(),
            read_address: Default::default(),
            read_data: Default::default(),
            rx_crc: Default::default(),
            frame_buf: Default::default(),
            rx_phase: Default::default(),
            rx_cmd: Default::default(),
            rx_len_lo: Default::default(),
            rx_len: Default::default(),
            rx_count: Default::default(),
            idle_timer: Default::default(),
            valid: Default::default(),
            pending: Default::default(),
            status: Default::default(),
            cmd: Default::default(),
            rx_full_len: Default::default(),
            rx_next_count: Default::default(),
            in_frame: Default::default(),
            timed_out: Default::default(),
            link_free: Default::default(),
            request_sync: value_constant(REQUEST_SYNC as u64),
            status_bad_crc: constant(Status::BadCrc),
            status_bad_length: constant(Status::BadLength),
            status_busy: constant(Status::Busy),
            status_framing: constant(Status::Framing),
            status_timeout: constant(Status::Timeout),
            max_payload: value_constant(MAX_REQUEST_PAYLOAD as u64),
            timeout: Constant::new((timeout_cycles as u64).into()),
        }
    }
}

impl Logic for FrameReceiver {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self, clock, rx_phase, rx_cmd, rx_len_lo, rx_len, rx_count, idle_timer, valid, pending,
            status, cmd
        );
        clock!(self, clock, rx_crc);
        self.frame_buf.read_clock.next = self.clock.val();
        self.frame_buf.write_clock.next = self.clock.val();
        self.frame_buf.read_address.next = self.read_address.val();
        self.read_data.next = self.frame_buf.read_data.val();
        self.frame_valid.next = self.valid.q.val();
        self.frame_cmd.next = self.rx_cmd.q.val();
        self.frame_len.next = self.rx_len.q.val();
        self.err_pending.next = self.pending.q.val();
        self.err_status.next = self.status.q.val();
        self.err_cmd.next = self.cmd.q.val();

        // Length field: the low byte was stored, the high byte is on `rx_data`.
        self.rx_full_len.next = (bit_cast::<16, 8>(self.rx_data.val()) << 8)
            | bit_cast::<16, 8>(self.rx_len_lo.q.val());
        self.rx_next_count.next = self.rx_count.q.val() + 1;
        self.in_frame.next = (self.rx_phase.q.val() != RxPhase::Hunt)
            & (self.rx_phase.q.val() != RxPhase::Drain)
            & (self.rx_phase.q.val() != RxPhase::Check);
        self.timed_out.next = self.idle_timer.q.val() == self.timeout.val();
        self.link_free.next = self.exec_idle.val() & !self.valid.q.val() & !self.pending.q.val();
        if self.rx_valid.val() | self.rx_error.val() {
            self.idle_timer.d.next = 0.into();
        } else if !self.timed_out.val() {
            self.idle_timer.d.next = self.idle_timer.q.val() + 1;
        }
        self.rx_crc.clear.next = false;
        self.rx_crc.valid.next = self.rx_valid.val() & self.in_frame.val();
        self.rx_crc.data.next = self.rx_data.val();
        self.frame_buf.write_enable.next =
            self.rx_valid.val() & (self.rx_phase.q.val() == RxPhase::Payload);
        self.frame_buf.write_address.next =
            self.rx_count.q.val().get_bits::<FRAME_BUF_ADDR_BITS>(0);
        self.frame_buf.write_data.next = self.rx_data.val();

        // The executor's take comes first so that a new post in the same cycle wins.
        if self.exec_idle.val() & self.pending.q.val() {
            self.pending.d.next = false;
        }
        if self.exec_idle.val() & !self.pending.q.val() & self.valid.q.val() {
            self.valid.d.next = false;
        }

        if self.in_frame.val() & self.rx_error.val() {
            self.pending.d.next = true;
            self.status.d.next = self.status_framing.val();
            self.cmd.d.next = self.rx_cmd.q.val();
            self.rx_phase.d.next = RxPhase::Drain;
        } else if self.in_frame.val() & self.timed_out.val() {
            // The line is already quiet: no need to drain.
            self.pending.d.next = true;
            self.status.d.next = self.status_timeout.val();
            self.cmd.d.next = self.rx_cmd.q.val();
            self.rx_phase.d.next = RxPhase::Hunt;
        } else {
            match self.rx_phase.q.val() {
                RxPhase::Hunt => {
                    if self.rx_valid.val() & (self.rx_data.val() == self.request_sync.val()) {
                        self.rx_cmd.d.next = 0.into();
                        if self.link_free.val() {
                            self.rx_crc.clear.next = true;
                            self.rx_phase.d.next = RxPhase::Cmd;
                        } else {
                            // Keep the first error if one is already waiting.
                            if !self.pending.q.val() {
                                self.pending.d.next = true;
                                self.status.d.next = self.status_busy.val();
                                self.cmd.d.next = 0.into();
                            }
                            self.rx_phase.d.next = RxPhase::Drain;
                        }
                    }
                }
                RxPhase::Cmd => {
                    if self.rx_valid.val() {
                        self.rx_cmd.d.next = self.rx_data.val();
                        self.rx_phase.d.next = RxPhase::LenLo;
                    }
                }
                RxPhase::LenLo => {
                    if self.rx_valid.val() {
                        self.rx_len_lo.d.next = self.rx_data.val();
                        self.rx_phase.d.next = RxPhase::LenHi;
                    }
                }
                RxPhase::LenHi => {
                    if self.rx_valid.val() {
                        self.rx_len.d.next = self.rx_full_len.val();
                        self.rx_count.d.next = 0.into();
                        if self.rx_full_len.val() > self.max_payload.val() {
                            // The length cannot be trusted: do not wait for that many bytes.
                            self.pending.d.next = true;
                            self.status.d.next = self.status_bad_length.val();
                            self.cmd.d.next = self.rx_cmd.q.val();
                            self.rx_phase.d.next = RxPhase::Drain;
                        } else if self.rx_full_len.val() == 0 {
                            self.rx_phase.d.next = RxPhase::CrcHi;
                        } else {
                            self.rx_phase.d.next = RxPhase::Payload;
                        }
                    }
                }
                RxPhase::Payload => {
                    if self.rx_valid.val() {
                        self.rx_count.d.next = self.rx_next_count.val();
                        if self.rx_next_count.val() == self.rx_len.q.val() {
                            self.rx_phase.d.next = RxPhase::CrcHi;
                        }
                    }
                }
                RxPhase::CrcHi => {
                    if self.rx_valid.val() {
                        self.rx_phase.d.next = RxPhase::CrcLo;
                    }
                }
                RxPhase::CrcLo => {
                    if self.rx_valid.val() {
                        self.rx_phase.d.next = RxPhase::Check;
                    }
                }
                RxPhase::Check => {
                    // The CRC of everything after the sync, CRC bytes included, is zero for
                    // an intact frame.
                    if self.rx_crc.crc.val() == 0 {
                        self.valid.d.next = true;
                        self.rx_phase.d.next = RxPhase::Hunt;
                    } else {
                        self.pending.d.next = true;
                        self.status.d.next = self.status_bad_crc.val();
                        self.cmd.d.next = self.rx_cmd.q.val();
                        self.rx_phase.d.next = RxPhase::Drain;
                    }
                }
                RxPhase::Drain => {
                    if self.timed_out.val() {
                        self.rx_phase.d.next = RxPhase::Hunt;
                    }
                }
            }
        }
    }
}
