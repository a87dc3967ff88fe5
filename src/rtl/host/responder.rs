//! The host link's responder: sends one response frame per request — sync, header
//! `{status, command, length}`, a payload produced on the fly, CRC — through a
//! [`ResponseTx`] byte shifter.
//!
//! A requester (the executor, or the tick runner during a run) raises `request` for one cycle
//! with the header fields and the payload's first state (`req_body`: [`RespState::SendCrc`]
//! for an empty payload); `finished` pulses when the last CRC byte has been handed to the
//! UART. Payload sources: the error index, the info words (a ROM), the configuration bus's read
//! port (READ: one read at a time, each waiting for its `read_valid`, the word zero-extended as
//! the owner returns it; READ_STATE: the same reads of `CfgTarget::StateU` and `StateV`, the
//! 25-bit `u` and 24-bit `v` sign-extended to 32 bits — the core's own read-back path, so the
//! link needs no probe port and no second copy of a state word),
//! and the tick runner's tick index, cycle count and spike ids (TICK reports and RUN's final
//! response).

use rust_hdl::prelude::*;

use super::response_tx::ResponseTx;
use crate::rtl::cfg_bus::{CFG_ADDR_WIDTH, CFG_DATA_WIDTH, CFG_TARGET_WIDTH};
use crate::rtl::regmap::{self, CfgTarget};

/// The fill above a read-back `u` word's 25 bits (sign bit 24): bits 25..31.
const U_SIGN_FILL: u64 = 0xfe00_0000;
/// The fill above a read-back `v` word's 24 bits (sign bit 23): bits 24..31.
const V_SIGN_FILL: u64 = 0xff00_0000;

/// Responder state; a request names the first payload state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RespState {
    /// No response in progress.
    Idle,
    /// Offer the sync byte, then send the header.
    Sync,
    /// The shifter sends a word; then continue at `word_ret`.
    SendWord,
    /// Error payload: the index of the first bad entry.
    ErrIndex,
    /// Info payload, one 32-bit word per visit.
    InfoWord,
    /// Send the CRC.
    SendCrc,
    /// Response sent.
    Done,
    /// Strobe the configuration read of the neuron's `u`.
    ProbeIssue,
    /// Wait for `u`, then send it sign-extended.
    ProbeLatch,
    /// Strobe the configuration read of the neuron's `v`.
    ProbeV,
    /// Wait for `v`, then send it sign-extended.
    ProbeVWait,
    /// Next neuron or the CRC.
    ProbeNext,
    /// Strobe a configuration read.
    ReadIssue,
    /// Wait for its answer, then send it.
    ReadWait,
    /// Next word or the CRC.
    ReadNext,
    /// Tick report: tick index.
    TickIndex,
    /// Tick report: cycle count.
    TickCycles,
    /// Spike buffer address presented (or end of the list).
    SpikeFetch,
    /// Spike id available: send it.
    SpikeTake,
    /// RUN's final response: ticks run.
    RunFinal,
}

/// Response generator for a core with `2^NB` neurons.
#[derive(LogicBlock)]
pub struct Responder<const NB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A byte is offered to the UART.
    pub tx_valid: Signal<Out, Bit>,
    /// The byte.
    pub tx_data: Signal<Out, Bits<8>>,
    /// The UART takes `tx_data` at the next edge.
    pub tx_ready: Signal<In, Bit>,
    /// Start a response (only while idle).
    pub request: Signal<In, Bit>,
    /// Its status.
    pub req_status: Signal<In, Bits<8>>,
    /// Its command field.
    pub req_cmd: Signal<In, Bits<8>>,
    /// Its payload length.
    pub req_len: Signal<In, Bits<16>>,
    /// Its first payload state.
    pub req_body: Signal<In, RespState>,
    /// READ_STATE: first neuron; READ: first address.
    pub req_first: Signal<In, Bits<CFG_ADDR_WIDTH>>,
    /// READ_STATE: neurons; READ: words (at least 1 with a probe or read payload).
    pub req_count: Signal<In, Bits<16>>,
    /// READ: the target.
    pub req_target: Signal<In, Bits<CFG_TARGET_WIDTH>>,
    /// The last CRC byte is handed to the UART at the next edge.
    pub finished: Signal<Out, Bit>,
    /// Error payload: index of the first bad entry.
    pub err_index: Signal<In, Bits<16>>,
    /// READ, READ_STATE: read strobe on the configuration bus (the core is idle).
    pub cfg_read: Signal<Out, Bit>,
    /// READ, READ_STATE: target read.
    pub cfg_target: Signal<Out, Bits<CFG_TARGET_WIDTH>>,
    /// READ: word address read.
    pub cfg_addr: Signal<Out, Bits<CFG_ADDR_WIDTH>>,
    /// READ: the answer is on `cfg_read_data`.
    pub cfg_read_valid: Signal<In, Bit>,
    /// READ: the word read.
    pub cfg_read_data: Signal<In, Bits<CFG_DATA_WIDTH>>,
    /// Tick report: the tick's index in the run (RUN's final response: ticks run).
    pub tick_index: Signal<In, Bits<16>>,
    /// Tick report: the tick's cycle count.
    pub tick_cycles: Signal<In, Bits<32>>,
    /// Tick report: the spike id at the spike read pointer (one cycle after it moved).
    pub spike_id: Signal<In, Bits<16>>,
    /// Tick report: every spike has been sent.
    pub spikes_at_end: Signal<In, Bit>,
    /// Tick report: move the spike read pointer on.
    pub spike_advance: Signal<Out, Bit>,

    tx: ResponseTx,
    info_rom: ROM<Bits<32>, 2>,
    state: DFF<RespState>,
    word_ret: DFF<RespState>,
    resp_status: DFF<Bits<8>>,
    resp_cmd: DFF<Bits<8>>,
    resp_len: DFF<Bits<16>>,
    resp_body: DFF<RespState>,
    info_index: DFF<Bits<2>>,
    /// Neuron (READ_STATE) or word address (READ) of the next word.
    index: DFF<Bits<CFG_ADDR_WIDTH>>,
    /// Neurons or words still to send.
    left: DFF<Bits<16>>,
    target: DFF<Bits<CFG_TARGET_WIDTH>>,
    header_word: Signal<Local, Bits<32>>,
    state_u_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    state_v_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    u_sign_fill: Constant<Bits<32>>,
    v_sign_fill: Constant<Bits<32>>,
}

impl<const NB: usize> Responder<NB> {
    /// A responder whose INFO payload is `info` (four little-endian words).
    pub fn new(info: [u32; 4]) -> Self {
        Self {
            clock: Default::default(),
            tx_valid: Default::default(),
            tx_data: Default::default(),
            tx_ready: Default::default(),
            request: Default::default(),
            req_status: Default::default(),
            req_cmd: Default::default(),
            req_len: Default::default(),
            req_body: Default::default(),
            req_first: Default::default(),
            req_count: Default::default(),
            req_target: Default::default(),
            finished: Default::default(),
            err_index: Default::default(),
            cfg_read: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_read_valid: Default::default(),
            cfg_read_data: Default::default(),
            tick_index: Default::default(),
            tick_cycles: Default::default(),
            spike_id: Default::default(),
            spikes_at_end: Default::default(),
            spike_advance: Default::default(),
            tx: Default::default(),
            info_rom: ROM::from(info.iter().map(|&w| Bits::<32>::from(w as u64))),
            state: Default::default(),
            word_ret: Default::default(),
            resp_status: Default::default(),
            resp_cmd: Default::default(),
            resp_len: Default::default(),
            resp_body: Default::default(),
            info_index: Default::default(),
            index: Default::default(),
            left: Default::default(),
            target: Default::default(),
            header_word: Default::default(),
            state_u_target: regmap::hdl::constant(CfgTarget::StateU),
            state_v_target: regmap::hdl::constant(CfgTarget::StateV),
            u_sign_fill: Constant::new(U_SIGN_FILL.into()),
            v_sign_fill: Constant::new(V_SIGN_FILL.into()),
        }
    }
}

impl<const NB: usize> Logic for Responder<NB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            word_ret,
            resp_status,
            resp_cmd,
            resp_len,
            resp_body,
            info_index,
            index,
            left,
            target
        );
        clock!(self, clock, tx);
        self.tx_valid.next = self.tx.tx_valid.val();
        self.tx_data.next = self.tx.tx_data.val();
        self.tx.tx_ready.next = self.tx_ready.val();
        self.tx.sync.next = false;
        self.tx.load.next = false;
        self.tx.load_word.next = 0.into();
        self.tx.load_count.next = 4.into();
        self.finished.next = false;
        self.spike_advance.next = false;
        self.cfg_read.next = false;
        self.cfg_target.next = self.target.q.val();
        self.cfg_addr.next = self.index.q.val();
        self.info_rom.address.next = self.info_index.q.val();
        self.header_word.next = bit_cast::<32, 8>(self.resp_status.q.val())
            | (bit_cast::<32, 8>(self.resp_cmd.q.val()) << 8)
            | (bit_cast::<32, 16>(self.resp_len.q.val()) << 16);

        // Every payload state loads one word into the shifter and names where to continue.
        match self.state.q.val() {
            RespState::Idle => {
                if self.request.val() {
                    self.resp_status.d.next = self.req_status.val();
                    self.resp_cmd.d.next = self.req_cmd.val();
                    self.resp_len.d.next = self.req_len.val();
                    self.resp_body.d.next = self.req_body.val();
                    self.info_index.d.next = 0.into();
                    self.index.d.next = self.req_first.val();
                    self.left.d.next = self.req_count.val();
                    self.target.d.next = self.req_target.val();
                    self.state.d.next = RespState::Sync;
                }
            }
            RespState::Sync => {
                self.tx.sync.next = true;
                if self.tx.sync_taken.val() {
                    self.tx.load.next = true;
                    self.tx.load_word.next = self.header_word.val();
                    self.word_ret.d.next = self.resp_body.q.val();
                    self.state.d.next = RespState::SendWord;
                }
            }
            RespState::SendWord => {
                if self.tx.word_done.val() {
                    self.state.d.next = self.word_ret.q.val();
                }
            }
            RespState::ErrIndex => {
                self.tx.load.next = true;
                self.tx.load_word.next = bit_cast::<32, 16>(self.err_index.val());
                self.tx.load_count.next = 2.into();
                self.word_ret.d.next = RespState::SendCrc;
                self.state.d.next = RespState::SendWord;
            }
            RespState::InfoWord => {
                self.tx.load.next = true;
                self.tx.load_word.next = self.info_rom.data.val();
                self.info_index.d.next = self.info_index.q.val() + 1;
                self.word_ret.d.next = RespState::InfoWord;
                if self.info_index.q.val() == 3 {
                    self.word_ret.d.next = RespState::SendCrc;
                }
                self.state.d.next = RespState::SendWord;
            }
            RespState::SendCrc => {
                self.tx.load.next = true;
                self.tx.load_word.next = self.tx.crc_word.val();
                self.tx.load_count.next = 2.into();
                self.word_ret.d.next = RespState::Done;
                self.state.d.next = RespState::SendWord;
            }
            RespState::Done => {
                self.finished.next = true;
                self.state.d.next = RespState::Idle;
            }
            // READ_STATE: `u` then `v` of neuron `index`, each a configuration read answered
            // zero-extended, sent sign-extended (the fill is ORed in when the sign bit, 24 of
            // u and 23 of v, is set; literal indices: rust-hdl writes a named constant into
            // the Verilog as an undeclared identifier).
            RespState::ProbeIssue => {
                self.cfg_read.next = true;
                self.cfg_target.next = self.state_u_target.val();
                self.state.d.next = RespState::ProbeLatch;
            }
            RespState::ProbeLatch => {
                if self.cfg_read_valid.val() {
                    self.tx.load.next = true;
                    self.tx.load_word.next = self.cfg_read_data.val();
                    if self.cfg_read_data.val().get_bit(24) {
                        self.tx.load_word.next = self.cfg_read_data.val() | self.u_sign_fill.val();
                    }
                    self.word_ret.d.next = RespState::ProbeV;
                    self.state.d.next = RespState::SendWord;
                }
            }
            RespState::ProbeV => {
                self.cfg_read.next = true;
                self.cfg_target.next = self.state_v_target.val();
                self.state.d.next = RespState::ProbeVWait;
            }
            RespState::ProbeVWait => {
                if self.cfg_read_valid.val() {
                    self.tx.load.next = true;
                    self.tx.load_word.next = self.cfg_read_data.val();
                    if self.cfg_read_data.val().get_bit(23) {
                        self.tx.load_word.next = self.cfg_read_data.val() | self.v_sign_fill.val();
                    }
                    self.word_ret.d.next = RespState::ProbeNext;
                    self.state.d.next = RespState::SendWord;
                }
            }
            RespState::ProbeNext => {
                self.state.d.next = RespState::ProbeIssue;
            }
            RespState::ReadIssue => {
                self.cfg_read.next = true;
                self.state.d.next = RespState::ReadWait;
            }
            RespState::ReadWait => {
                if self.cfg_read_valid.val() {
                    self.tx.load.next = true;
                    self.tx.load_word.next = self.cfg_read_data.val();
                    self.word_ret.d.next = RespState::ReadNext;
                    self.state.d.next = RespState::SendWord;
                }
            }
            RespState::ReadNext => {
                self.state.d.next = RespState::ReadIssue;
            }
            RespState::TickIndex => {
                self.tx.load.next = true;
                self.tx.load_word.next = bit_cast::<32, 16>(self.tick_index.val());
                self.tx.load_count.next = 2.into();
                self.word_ret.d.next = RespState::TickCycles;
                self.state.d.next = RespState::SendWord;
            }
            RespState::TickCycles => {
                self.tx.load.next = true;
                self.tx.load_word.next = self.tick_cycles.val();
                self.word_ret.d.next = RespState::SpikeFetch;
                self.state.d.next = RespState::SendWord;
            }
            RespState::SpikeFetch => {
                if self.spikes_at_end.val() {
                    self.state.d.next = RespState::SendCrc;
                } else {
                    self.state.d.next = RespState::SpikeTake;
                }
            }
            RespState::SpikeTake => {
                self.tx.load.next = true;
                self.tx.load_word.next = bit_cast::<32, 16>(self.spike_id.val());
                self.tx.load_count.next = 2.into();
                self.spike_advance.next = true;
                self.word_ret.d.next = RespState::SpikeFetch;
                self.state.d.next = RespState::SendWord;
            }
            RespState::RunFinal => {
                self.tx.load.next = true;
                self.tx.load_word.next = bit_cast::<32, 16>(self.tick_index.val());
                self.tx.load_count.next = 2.into();
                self.word_ret.d.next = RespState::SendCrc;
                self.state.d.next = RespState::SendWord;
            }
        }
        // After a neuron (READ_STATE) or word (READ): the next one, or the CRC after the last.
        if (self.state.q.val() == RespState::ProbeNext)
            | (self.state.q.val() == RespState::ReadNext)
        {
            self.index.d.next = self.index.q.val() + 1;
            self.left.d.next = self.left.q.val() - 1;
            if self.left.q.val() == 1 {
                self.state.d.next = RespState::SendCrc;
            }
        }
    }
}
