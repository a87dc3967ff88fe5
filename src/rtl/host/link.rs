//! The host-link controller: frame receiver, CRC check, command executor and response
//! generator between a UART byte stream and a neurocore's "core bus".
//!
//! The protocol is specified in `docs/host-protocol.md`; `host::protocol` is its host side.
//!
//! # Microarchitecture
//! - **Receiver** (`RxPhase`): hunts for the request sync byte, then stores the payload in a
//!   512-byte frame buffer (one block RAM) while a [`Crc16`] folds in every byte after the
//!   sync, including the two CRC bytes, so a good frame leaves a zero residue. Only a complete
//!   frame with a good CRC is handed to the executor; nothing is executed while bytes arrive.
//!   An inter-byte timeout drops a truncated frame. After an error the receiver drains (ignores
//!   bytes) until the line has been quiet for the timeout, so the tail of a broken frame is
//!   never parsed as a new one.
//! - **Executor** (`ExecState`): reads the frame back one byte per two cycles, assembling
//!   entries (config writes, axon events) in a byte-addressed 64-bit entry register. Batched commands take two passes
//!   over the buffer: the first validates every entry (length, target, address range, queue
//!   space), the second applies them, so a frame with one bad entry changes nothing.
//! - **Response generator**: a 32-bit shift register sends 1..4 bytes little-endian at a time;
//!   a second [`Crc16`] folds in every response byte after the sync. Payloads are produced on
//!   the fly (probe reads, spike ids) rather than buffered; only the spikes of one tick are
//!   stored (2^NB ids, one block RAM), because the core emits up to one per cycle and the UART
//!   drains one byte per `10 * cycles_per_bit` cycles.
//!
//! The link knows nothing about word layouts: it forwards `(target, addr, data)` and checks
//! `addr` against a depth table (a ROM, one entry per target code) built from the register
//! map for the core's shape at generation time (`regmap::depth_table`); targets with depth 0
//! do not exist. Every protocol and target code it uses comes from the register map's tables
//! (`rtl::regmap`, `rtl::regmap::protocol`).

use rust_hdl::prelude::*;

use super::crc::Crc16;
use crate::rtl::block_ram::BlockRam;
use crate::rtl::cfg_bus::CfgBusDriver;
use crate::rtl::regmap::hdl::{constant, value_constant};
use crate::rtl::regmap::protocol::{
    Command, Status, MAX_REQUEST_PAYLOAD, PROTOCOL_VERSION, REQUEST_SYNC, RESPONSE_SYNC,
    TICK_REPORT,
};
use crate::rtl::regmap::{CfgTarget, CFG_TARGET_CODES, CFG_TARGET_WIDTH};

/// Address bits of the frame buffer: it holds the largest request payload.
const FRAME_BUF_ADDR_BITS: usize = 9;
const _: () = assert!(1 << FRAME_BUF_ADDR_BITS == MAX_REQUEST_PAYLOAD);
// An entry's target is one byte: the selector must fit it.
const _: () = assert!(CFG_TARGET_WIDTH <= 8);

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
    /// UART bit time, reported by the info command.
    pub cycles_per_bit: u32,
    /// Inter-byte timeout in clock cycles (< 2^24).
    pub timeout_cycles: u32,
}

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

/// Executor state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum ExecState {
    /// Waiting for a frame or a receiver error to report.
    Idle,
    /// Frame accepted: check command and length (after the core is idle).
    Dispatch,
    /// Frame buffer address presented.
    Fetch,
    /// Frame buffer byte available: place it in the entry register.
    Take,
    /// An entry is complete: validate it, or apply it.
    Entry,
    /// Apply: write the entry to the configuration port once the core is idle.
    CfgWait,
    /// One cycle after a configuration write (lets `busy` of a clear become visible).
    CfgSettle,
    /// Apply: offer the entry's axon event until the core takes it.
    Event,
    /// The whole payload was read: report, apply, or execute.
    PassEnd,
    /// Send the response sync byte.
    RespSync,
    /// Send `sh_count` bytes of `sh_word`, then go to `word_ret`.
    SendWord,
    /// Error payload: the index of the first bad entry.
    ErrIndex,
    /// Info payload, one 32-bit word per visit.
    InfoWord,
    /// Send the CRC.
    SendCrc,
    /// Response sent: continue at `after_resp`.
    RespDone,
    /// Probe address presented.
    ProbeIssue,
    /// Probe result available: send `u`.
    ProbeLatch,
    /// Send `v`.
    ProbeV,
    /// Next neuron or done.
    ProbeNext,
    /// Start the next tick (or finish the run).
    RunStart,
    /// Tick running: collect spikes until `done`.
    RunWait,
    /// Tick done: start its report.
    RunReport,
    /// Report payload: tick index.
    TickIndex,
    /// Report payload: cycle count.
    TickCycles,
    /// Spike buffer address presented (or end of the list).
    SpikeFetch,
    /// Spike id available: send it.
    SpikeTake,
    /// Advance to the next tick.
    RunNext,
    /// Final run response payload: ticks run.
    RunFinal,
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
    /// Configuration bus to the core (written only while the core is idle).
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
    /// Neuron to probe.
    pub probe_neuron: Signal<Out, Bits<NB>>,
    /// Probed `u` (two's complement), one cycle after `probe_neuron`.
    pub probe_u: Signal<In, Bits<25>>,
    /// Probed `v` (two's complement), one cycle after `probe_neuron`.
    pub probe_v: Signal<In, Bits<24>>,

    rx_crc: Crc16,
    tx_crc: Crc16,
    frame_buf: BlockRam<Bits<8>, FRAME_BUF_ADDR_BITS>,
    spike_buf: BlockRam<Bits<NB>, NB>,
    depth_rom: ROM<Bits<25>, CFG_TARGET_WIDTH>,

    // ---- Receiver.
    rx_phase: DFF<RxPhase>,
    rx_cmd: DFF<Bits<8>>,
    rx_len_lo: DFF<Bits<8>>,
    rx_len: DFF<Bits<16>>,
    rx_count: DFF<Bits<16>>,
    idle_timer: DFF<Bits<24>>,
    frame_valid: DFF<Bit>,
    err_pending: DFF<Bit>,
    err_status: DFF<Bits<8>>,
    err_cmd: DFF<Bits<8>>,

    // ---- Executor.
    state: DFF<ExecState>,
    cmd: DFF<Bits<8>>,
    len: DFF<Bits<16>>,
    rd_ptr: DFF<Bits<16>>,
    slot: DFF<Bits<3>>,
    slot_last: DFF<Bits<3>>,
    applying: DFF<Bit>,
    bad_seen: DFF<Bit>,
    bad_index: DFF<Bits<16>>,
    entry_index: DFF<Bits<16>>,
    /// Entry bytes 0..3 (little-endian).
    w_lo: DFF<Bits<32>>,
    /// Entry bytes 4..7.
    w_hi: DFF<Bits<32>>,
    pending: DFF<Bits<16>>,
    sh_word: DFF<Bits<32>>,
    sh_count: DFF<Bits<3>>,
    word_ret: DFF<ExecState>,
    resp_status: DFF<Bits<8>>,
    resp_cmd: DFF<Bits<8>>,
    resp_len: DFF<Bits<16>>,
    resp_body: DFF<ExecState>,
    after_resp: DFF<ExecState>,
    info_index: DFF<Bits<2>>,
    ticks_left: DFF<Bits<16>>,
    tick_index: DFF<Bits<16>>,
    tick_cycles: DFF<Bits<32>>,
    spike_count: DFF<Bits<NB1>>,
    spike_rd: DFF<Bits<NB1>>,
    probe_index: DFF<Bits<16>>,
    probe_left: DFF<Bits<16>>,
    v_latch: DFF<Bits<32>>,

    // ---- Combinational temporaries.
    rx_full_len: Signal<Local, Bits<16>>,
    rx_next_count: Signal<Local, Bits<16>>,
    in_frame: Signal<Local, Bit>,
    timed_out: Signal<Local, Bit>,
    link_free: Signal<Local, Bit>,
    rd_next: Signal<Local, Bits<16>>,
    at_end: Signal<Local, Bit>,
    byte_shift: Signal<Local, Bits<5>>,
    byte_placed: Signal<Local, Bits<32>>,
    e_target: Signal<Local, Bits<8>>,
    e_addr: Signal<Local, Bits<24>>,
    e_low16: Signal<Local, Bits<16>>,
    addr_wide: Signal<Local, Bits<25>>,
    low_wide: Signal<Local, Bits<18>>,
    count_field: Signal<Local, Bits<16>>,
    range_end: Signal<Local, Bits<18>>,
    queue_end: Signal<Local, Bits<18>>,
    entry_ok: Signal<Local, Bit>,
    header_word: Signal<Local, Bits<32>>,
    crc_word: Signal<Local, Bits<32>>,
    u_ext: Signal<Local, Bits<32>>,
    v_ext: Signal<Local, Bits<32>>,
    report_len: Signal<Local, Bits<16>>,
    spike_word: Signal<Local, Bits<32>>,

    // ---- Generation-time constants.
    // Protocol and target codes: rust-hdl emits a Rust `const` path as a Verilog identifier,
    // so every code the logic uses is a `Constant` field (a `localparam`) initialised from
    // the register map's tables (`regmap::hdl`).
    request_sync: Constant<Bits<8>>,
    response_sync: Constant<Bits<8>>,
    cmd_info: Constant<Bits<8>>,
    cmd_inject: Constant<Bits<8>>,
    cmd_read_state: Constant<Bits<8>>,
    cmd_run: Constant<Bits<8>>,
    cmd_tick_report: Constant<Bits<8>>,
    cmd_write_config: Constant<Bits<8>>,
    status_bad_crc: Constant<Bits<8>>,
    status_bad_length: Constant<Bits<8>>,
    status_busy: Constant<Bits<8>>,
    status_framing: Constant<Bits<8>>,
    status_ok: Constant<Bits<8>>,
    status_out_of_range: Constant<Bits<8>>,
    status_queue_full: Constant<Bits<8>>,
    status_timeout: Constant<Bits<8>>,
    status_unknown_command: Constant<Bits<8>>,
    max_payload: Constant<Bits<16>>,
    timeout: Constant<Bits<24>>,
    neuron_limit: Constant<Bits<18>>,
    axon_limit: Constant<Bits<18>>,
    neuron_limit_word: Constant<Bits<32>>,
    target_limit: Constant<Bits<9>>,
    count_target: Constant<Bits<8>>,
    clear_target: Constant<Bits<8>>,
    info0: Constant<Bits<32>>,
    info1: Constant<Bits<32>>,
    info2: Constant<Bits<32>>,
    info3: Constant<Bits<32>>,
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
        assert!(config.timeout_cycles > 0 && config.timeout_cycles < 1 << 24);
        assert!(config.target_depths.iter().all(|&d| d <= 1 << 24));
        let info = info_words(config);
        let depths = config
            .target_depths
            .iter()
            .map(|&d| Bits::<25>::from(d as u64));
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
            probe_neuron: Default::default(),
            probe_u: Default::default(),
            probe_v: Default::default(),
            rx_crc: Default::default(),
            tx_crc: Default::default(),
            frame_buf: Default::default(),
            spike_buf: Default::default(),
            depth_rom: ROM::from(depths),
            rx_phase: Default::default(),
            rx_cmd: Default::default(),
            rx_len_lo: Default::default(),
            rx_len: Default::default(),
            rx_count: Default::default(),
            idle_timer: Default::default(),
            frame_valid: Default::default(),
            err_pending: Default::default(),
            err_status: Default::default(),
            err_cmd: Default::default(),
            state: Default::default(),
            cmd: Default::default(),
            len: Default::default(),
            rd_ptr: Default::default(),
            slot: Default::default(),
            slot_last: Default::default(),
            applying: Default::default(),
            bad_seen: Default::default(),
            bad_index: Default::default(),
            entry_index: Default::default(),
            w_lo: Default::default(),
            w_hi: Default::default(),
            pending: Default::default(),
            sh_word: Default::default(),
            sh_count: Default::default(),
            word_ret: Default::default(),
            resp_status: Default::default(),
            resp_cmd: Default::default(),
            resp_len: Default::default(),
            resp_body: Default::default(),
            after_resp: Default::default(),
            info_index: Default::default(),
            ticks_left: Default::default(),
            tick_index: Default::default(),
            tick_cycles: Default::default(),
            spike_count: Default::default(),
            spike_rd: Default::default(),
            probe_index: Default::default(),
            probe_left: Default::default(),
            v_latch: Default::default(),
            rx_full_len: Default::default(),
            rx_next_count: Default::default(),
            in_frame: Default::default(),
            timed_out: Default::default(),
            link_free: Default::default(),
            rd_next: Default::default(),
            at_end: Default::default(),
            byte_shift: Default::default(),
            byte_placed: Default::default(),
            e_target: Default::default(),
            e_addr: Default::default(),
            e_low16: Default::default(),
            addr_wide: Default::default(),
            low_wide: Default::default(),
            count_field: Default::default(),
            range_end: Default::default(),
            queue_end: Default::default(),
            entry_ok: Default::default(),
            header_word: Default::default(),
            crc_word: Default::default(),
            u_ext: Default::default(),
            v_ext: Default::default(),
            report_len: Default::default(),
            spike_word: Default::default(),
            request_sync: value_constant(REQUEST_SYNC as u64),
            response_sync: value_constant(RESPONSE_SYNC as u64),
            cmd_info: constant(Command::Info),
            cmd_inject: constant(Command::Inject),
            cmd_read_state: constant(Command::ReadState),
            cmd_run: constant(Command::Run),
            cmd_tick_report: value_constant(TICK_REPORT as u64),
            cmd_write_config: constant(Command::WriteConfig),
            status_bad_crc: constant(Status::BadCrc),
            status_bad_length: constant(Status::BadLength),
            status_busy: constant(Status::Busy),
            status_framing: constant(Status::Framing),
            status_ok: constant(Status::Ok),
            status_out_of_range: constant(Status::OutOfRange),
            status_queue_full: constant(Status::QueueFull),
            status_timeout: constant(Status::Timeout),
            status_unknown_command: constant(Status::UnknownCommand),
            max_payload: value_constant(MAX_REQUEST_PAYLOAD as u64),
            timeout: Constant::new((config.timeout_cycles as u64).into()),
            neuron_limit: Constant::new((config.neurons as u64).into()),
            axon_limit: Constant::new((config.axons as u64).into()),
            neuron_limit_word: Constant::new((config.neurons as u64).into()),
            target_limit: value_constant(CFG_TARGET_CODES as u64),
            count_target: constant(CfgTarget::NeuronCount),
            clear_target: constant(CfgTarget::Clear),
            info0: Constant::new((info[0] as u64).into()),
            info1: Constant::new((info[1] as u64).into()),
            info2: Constant::new((info[2] as u64).into()),
            info3: Constant::new((info[3] as u64).into()),
        }
    }
}

impl<const NB: usize, const AB: usize, const NB1: usize> Logic for HostLink<NB, AB, NB1> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            rx_phase,
            rx_cmd,
            rx_len_lo,
            rx_len,
            rx_count,
            idle_timer,
            frame_valid,
            err_pending,
            err_status,
            err_cmd,
            state,
            cmd,
            len,
            rd_ptr,
            slot,
            slot_last,
            applying,
            bad_seen,
            bad_index,
            entry_index,
            w_lo,
            w_hi,
            pending,
            sh_word,
            sh_count,
            word_ret,
            resp_status,
            resp_cmd,
            resp_len,
            resp_body,
            after_resp,
            info_index,
            ticks_left,
            tick_index,
            tick_cycles,
            spike_count,
            spike_rd,
            probe_index,
            probe_left,
            v_latch
        );
        clock!(self, clock, rx_crc, tx_crc);
        self.frame_buf.read_clock.next = self.clock.val();
        self.frame_buf.write_clock.next = self.clock.val();
        self.spike_buf.read_clock.next = self.clock.val();
        self.spike_buf.write_clock.next = self.clock.val();

        // ================= Receiver =================
        self.rx_full_len.next = (bit_cast::<16, 8>(self.rx_data.val()) << 8)
            | bit_cast::<16, 8>(self.rx_len_lo.q.val());
        self.rx_next_count.next = self.rx_count.q.val() + 1;
        self.in_frame.next = (self.rx_phase.q.val() != RxPhase::Hunt)
            & (self.rx_phase.q.val() != RxPhase::Drain)
            & (self.rx_phase.q.val() != RxPhase::Check);
        self.timed_out.next = self.idle_timer.q.val() == self.timeout.val();
        self.link_free.next = (self.state.q.val() == ExecState::Idle)
            & !self.frame_valid.q.val()
            & !self.err_pending.q.val();
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
        self.frame_buf.write_address.next = self.rx_count.q.val().get_bits::<9>(0);
        self.frame_buf.write_data.next = self.rx_data.val();

        // Errors found by the executor are reported by it directly; the receiver posts its own
        // (bad CRC, bad length field, timeout, framing, busy) for the executor to send. The
        // executor's clear comes first so that a new post in the same cycle wins.
        if (self.state.q.val() == ExecState::Idle) & self.err_pending.q.val() {
            self.err_pending.d.next = false;
        }
        if (self.state.q.val() == ExecState::Idle)
            & !self.err_pending.q.val()
            & self.frame_valid.q.val()
        {
            self.frame_valid.d.next = false;
        }

        if self.in_frame.val() & self.rx_error.val() {
            self.err_pending.d.next = true;
            self.err_status.d.next = self.status_framing.val();
            self.err_cmd.d.next = self.rx_cmd.q.val();
            self.rx_phase.d.next = RxPhase::Drain;
        } else if self.in_frame.val() & self.timed_out.val() {
            // The line is already quiet: no need to drain.
            self.err_pending.d.next = true;
            self.err_status.d.next = self.status_timeout.val();
            self.err_cmd.d.next = self.rx_cmd.q.val();
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
                            if !self.err_pending.q.val() {
                                self.err_pending.d.next = true;
                                self.err_status.d.next = self.status_busy.val();
                                self.err_cmd.d.next = 0.into();
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
                            self.err_pending.d.next = true;
                            self.err_status.d.next = self.status_bad_length.val();
                            self.err_cmd.d.next = self.rx_cmd.q.val();
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
                        self.frame_valid.d.next = true;
                        self.rx_phase.d.next = RxPhase::Hunt;
                    } else {
                        self.err_pending.d.next = true;
                        self.err_status.d.next = self.status_bad_crc.val();
                        self.err_cmd.d.next = self.rx_cmd.q.val();
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

        // ================= Executor =================
        // Frame buffer and spike buffer reads: address from a register, data one cycle later.
        self.frame_buf.read_address.next = self.rd_ptr.q.val().get_bits::<9>(0);
        self.spike_buf.read_address.next = self.spike_rd.q.val().get_bits::<NB>(0);
        self.spike_buf.write_enable.next =
            (self.state.q.val() == ExecState::RunWait) & self.spike_valid.val();
        self.spike_buf.write_address.next = self.spike_count.q.val().get_bits::<NB>(0);
        self.spike_buf.write_data.next = self.spike_neuron.val();

        // Entry assembly: byte k of an entry lands in byte k of {w_hi, w_lo}. Fields:
        // config {target = w_lo[7:0], addr = w_lo[31:8], data = w_hi}; inject, run:
        // w_lo[15:0]; read-state {first = w_lo[15:0], count = w_lo[31:16]}.
        self.rd_next.next = self.rd_ptr.q.val() + 1;
        self.at_end.next = self.rd_ptr.q.val() == self.len.q.val();
        self.byte_shift.next = bit_cast::<5, 2>(self.slot.q.val().get_bits::<2>(0)) << 3;
        self.byte_placed.next =
            bit_cast::<32, 8>(self.frame_buf.read_data.val()) << self.byte_shift.val();
        self.e_target.next = self.w_lo.q.val().get_bits::<8>(0);
        self.e_addr.next = self.w_lo.q.val().get_bits::<24>(8);
        self.e_low16.next = self.w_lo.q.val().get_bits::<16>(0);
        self.count_field.next = self.w_lo.q.val().get_bits::<16>(16);

        // Entry checks, all against generation-time limits.
        self.addr_wide.next = bit_cast::<25, 24>(self.e_addr.val());
        self.low_wide.next = bit_cast::<18, 16>(self.e_low16.val());
        self.range_end.next =
            bit_cast::<18, 16>(self.e_low16.val()) + bit_cast::<18, 16>(self.count_field.val());
        self.queue_end.next =
            bit_cast::<18, 16>(self.pending.q.val()) + bit_cast::<18, 16>(self.entry_index.q.val());
        self.depth_rom.address.next = self.e_target.val().get_bits::<CFG_TARGET_WIDTH>(0);
        self.entry_ok.next = true;
        if self.cmd.q.val() == self.cmd_write_config.val() {
            self.entry_ok.next = (bit_cast::<9, 8>(self.e_target.val()) < self.target_limit.val())
                & (self.addr_wide.val() < self.depth_rom.data.val())
                & ((self.e_target.val() != self.count_target.val())
                    | (self.w_hi.q.val() <= self.neuron_limit_word.val()));
        }
        if self.cmd.q.val() == self.cmd_inject.val() {
            self.entry_ok.next = self.low_wide.val() < self.axon_limit.val();
        }
        if self.cmd.q.val() == self.cmd_read_state.val() {
            self.entry_ok.next = self.range_end.val() <= self.neuron_limit.val();
        }

        // Response words.
        self.header_word.next = bit_cast::<32, 8>(self.resp_status.q.val())
            | (bit_cast::<32, 8>(self.resp_cmd.q.val()) << 8)
            | (bit_cast::<32, 16>(self.resp_len.q.val()) << 16);
        // CRC high byte first: the receiver's residue over data + CRC is then zero.
        self.crc_word.next = bit_cast::<32, 8>(self.tx_crc.crc.val().get_bits::<8>(8))
            | (bit_cast::<32, 8>(self.tx_crc.crc.val().get_bits::<8>(0)) << 8);
        self.u_ext.next = bit_cast::<32, 25>(self.probe_u.val());
        if self.probe_u.val().get_bit(24) {
            self.u_ext.next = bit_cast::<32, 25>(self.probe_u.val()) | 0xfe00_0000_u64;
        }
        self.v_ext.next = bit_cast::<32, 24>(self.probe_v.val());
        if self.probe_v.val().get_bit(23) {
            self.v_ext.next = bit_cast::<32, 24>(self.probe_v.val()) | 0xff00_0000_u64;
        }
        self.report_len.next = (bit_cast::<16, NB1>(self.spike_count.q.val()) << 1) + 6;
        self.spike_word.next = bit_cast::<32, NB>(self.spike_buf.read_data.val());

        // Output defaults.
        self.tx_valid.next = false;
        self.tx_data.next = self.sh_word.q.val().get_bits::<8>(0);
        self.tx_crc.clear.next = false;
        self.tx_crc.valid.next = false;
        self.tx_crc.data.next = self.sh_word.q.val().get_bits::<8>(0);
        self.cfg.write.next = false;
        self.cfg.read.next = false;
        self.cfg.target.next = self.e_target.val().get_bits::<CFG_TARGET_WIDTH>(0);
        self.cfg.addr.next = self.e_addr.val();
        self.cfg.data.next = self.w_hi.q.val();
        self.event_valid.next = false;
        self.event_axon.next = self.w_lo.q.val().get_bits::<AB>(0);
        self.start.next = false;
        self.probe_neuron.next = self.probe_index.q.val().get_bits::<NB>(0);

        match self.state.q.val() {
            ExecState::Idle => {
                if self.err_pending.q.val() {
                    self.resp_status.d.next = self.err_status.q.val();
                    self.resp_cmd.d.next = self.err_cmd.q.val();
                    self.resp_len.d.next = 0.into();
                    self.resp_body.d.next = ExecState::SendCrc;
                    self.after_resp.d.next = ExecState::Idle;
                    self.state.d.next = ExecState::RespSync;
                } else if self.frame_valid.q.val() {
                    self.cmd.d.next = self.rx_cmd.q.val();
                    self.len.d.next = self.rx_len.q.val();
                    self.state.d.next = ExecState::Dispatch;
                }
            }
            ExecState::Dispatch => {
                // Defaults for an error answer; overridden below when the command is good.
                self.resp_status.d.next = self.status_bad_length.val();
                self.resp_cmd.d.next = self.cmd.q.val();
                self.resp_len.d.next = 0.into();
                self.resp_body.d.next = ExecState::SendCrc;
                self.after_resp.d.next = ExecState::Idle;
                self.rd_ptr.d.next = 0.into();
                self.entry_index.d.next = 0.into();
                self.applying.d.next = false;
                self.bad_seen.d.next = false;
                self.slot.d.next = 0.into();
                self.slot_last.d.next = 1.into();
                if !self.busy.val() {
                    self.state.d.next = ExecState::RespSync;
                    if self.cmd.q.val() == self.cmd_info.val() {
                        if self.len.q.val() == 0 {
                            self.resp_status.d.next = self.status_ok.val();
                            self.resp_len.d.next = 16.into();
                            self.resp_body.d.next = ExecState::InfoWord;
                            self.info_index.d.next = 0.into();
                        }
                    } else if self.cmd.q.val() == self.cmd_write_config.val() {
                        self.slot_last.d.next = 7.into();
                        self.state.d.next = ExecState::Fetch;
                    } else if self.cmd.q.val() == self.cmd_inject.val() {
                        self.state.d.next = ExecState::Fetch;
                    } else if self.cmd.q.val() == self.cmd_run.val() {
                        if self.len.q.val() == 2 {
                            self.state.d.next = ExecState::Fetch;
                        }
                    } else if self.cmd.q.val() == self.cmd_read_state.val() {
                        if self.len.q.val() == 4 {
                            self.slot_last.d.next = 3.into();
                            self.state.d.next = ExecState::Fetch;
                        }
                    } else {
                        self.resp_status.d.next = self.status_unknown_command.val();
                    }
                    // An empty batch goes straight to the end of its (empty) pass.
                    if (self.len.q.val() == 0)
                        & ((self.cmd.q.val() == self.cmd_write_config.val())
                            | (self.cmd.q.val() == self.cmd_inject.val()))
                    {
                        self.state.d.next = ExecState::PassEnd;
                    }
                }
            }
            ExecState::Fetch => {
                self.state.d.next = ExecState::Take;
            }
            ExecState::Take => {
                // Byte 0 (4) of an entry starts the low (high) word afresh.
                if self.slot.q.val() == 0 {
                    self.w_lo.d.next = self.byte_placed.val();
                } else if self.slot.q.val() < 4 {
                    self.w_lo.d.next = self.w_lo.q.val() | self.byte_placed.val();
                } else if self.slot.q.val() == 4 {
                    self.w_hi.d.next = self.byte_placed.val();
                } else {
                    self.w_hi.d.next = self.w_hi.q.val() | self.byte_placed.val();
                }
                self.rd_ptr.d.next = self.rd_next.val();
                if self.slot.q.val() == self.slot_last.q.val() {
                    self.slot.d.next = 0.into();
                    self.state.d.next = ExecState::Entry;
                } else {
                    self.slot.d.next = self.slot.q.val() + 1;
                    if self.rd_next.val() == self.len.q.val() {
                        // The payload ends inside an entry.
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.state.d.next = ExecState::Fetch;
                    }
                }
            }
            ExecState::Entry => {
                if !self.applying.q.val() {
                    if !self.entry_ok.val() & !self.bad_seen.q.val() {
                        self.bad_seen.d.next = true;
                        self.bad_index.d.next = self.entry_index.q.val();
                    }
                    self.entry_index.d.next = self.entry_index.q.val() + 1;
                    if self.at_end.val() {
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.state.d.next = ExecState::Fetch;
                    }
                } else if self.cmd.q.val() == self.cmd_write_config.val() {
                    self.state.d.next = ExecState::CfgWait;
                } else {
                    self.state.d.next = ExecState::Event;
                }
            }
            ExecState::CfgWait => {
                if !self.busy.val() {
                    self.cfg.write.next = true;
                    if self.e_target.val() == self.clear_target.val() {
                        // A clear empties the core's event queue.
                        self.pending.d.next = 0.into();
                    }
                    self.state.d.next = ExecState::CfgSettle;
                }
            }
            ExecState::CfgSettle => {
                self.entry_index.d.next = self.entry_index.q.val() + 1;
                if self.at_end.val() {
                    self.state.d.next = ExecState::PassEnd;
                } else {
                    self.state.d.next = ExecState::Fetch;
                }
            }
            ExecState::Event => {
                self.event_valid.next = true;
                if self.event_ready.val() {
                    self.pending.d.next = self.pending.q.val() + 1;
                    self.entry_index.d.next = self.entry_index.q.val() + 1;
                    if self.at_end.val() {
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.state.d.next = ExecState::Fetch;
                    }
                }
            }
            ExecState::PassEnd => {
                self.resp_cmd.d.next = self.cmd.q.val();
                self.resp_len.d.next = 0.into();
                self.resp_body.d.next = ExecState::SendCrc;
                self.after_resp.d.next = ExecState::Idle;
                self.state.d.next = ExecState::RespSync;
                if self.applying.q.val() {
                    self.resp_status.d.next = self.status_ok.val();
                } else if self.slot.q.val() != 0 {
                    self.resp_status.d.next = self.status_bad_length.val();
                } else if self.bad_seen.q.val() {
                    self.resp_status.d.next = self.status_out_of_range.val();
                    self.resp_len.d.next = 2.into();
                    self.resp_body.d.next = ExecState::ErrIndex;
                } else if (self.cmd.q.val() == self.cmd_inject.val())
                    & (self.queue_end.val() > self.axon_limit.val())
                {
                    self.resp_status.d.next = self.status_queue_full.val();
                } else if self.cmd.q.val() == self.cmd_run.val() {
                    self.ticks_left.d.next = self.e_low16.val();
                    self.tick_index.d.next = 0.into();
                    self.state.d.next = ExecState::RunStart;
                } else if self.cmd.q.val() == self.cmd_read_state.val() {
                    self.probe_index.d.next = self.e_low16.val();
                    self.probe_left.d.next = self.count_field.val();
                    self.resp_status.d.next = self.status_ok.val();
                    self.resp_len.d.next = self.count_field.val() << 3;
                    if self.count_field.val() == 0 {
                        self.resp_body.d.next = ExecState::SendCrc;
                    } else {
                        self.resp_body.d.next = ExecState::ProbeIssue;
                    }
                } else {
                    // Batch validated: go over it again, applying.
                    self.applying.d.next = true;
                    self.rd_ptr.d.next = 0.into();
                    self.entry_index.d.next = 0.into();
                    self.slot.d.next = 0.into();
                    if self.len.q.val() == 0 {
                        self.state.d.next = ExecState::PassEnd;
                    } else {
                        self.state.d.next = ExecState::Fetch;
                    }
                }
            }
            ExecState::RespSync => {
                self.tx_valid.next = true;
                self.tx_data.next = self.response_sync.val();
                if self.tx_ready.val() {
                    self.tx_crc.clear.next = true;
                    self.sh_word.d.next = self.header_word.val();
                    self.sh_count.d.next = 4.into();
                    self.word_ret.d.next = self.resp_body.q.val();
                    self.state.d.next = ExecState::SendWord;
                }
            }
            ExecState::SendWord => {
                self.tx_valid.next = true;
                self.tx_crc.valid.next = self.tx_ready.val();
                if self.tx_ready.val() {
                    self.sh_word.d.next = self.sh_word.q.val() >> 8;
                    self.sh_count.d.next = self.sh_count.q.val() - 1;
                    if self.sh_count.q.val() == 1 {
                        self.state.d.next = self.word_ret.q.val();
                    }
                }
            }
            ExecState::ErrIndex => {
                self.sh_word.d.next = bit_cast::<32, 16>(self.bad_index.q.val());
                self.sh_count.d.next = 2.into();
                self.word_ret.d.next = ExecState::SendCrc;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::InfoWord => {
                self.sh_word.d.next = self.info0.val();
                if self.info_index.q.val() == 1 {
                    self.sh_word.d.next = self.info1.val();
                }
                if self.info_index.q.val() == 2 {
                    self.sh_word.d.next = self.info2.val();
                }
                if self.info_index.q.val() == 3 {
                    self.sh_word.d.next = self.info3.val();
                }
                self.sh_count.d.next = 4.into();
                self.info_index.d.next = self.info_index.q.val() + 1;
                self.word_ret.d.next = ExecState::InfoWord;
                if self.info_index.q.val() == 3 {
                    self.word_ret.d.next = ExecState::SendCrc;
                }
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::SendCrc => {
                self.sh_word.d.next = self.crc_word.val();
                self.sh_count.d.next = 2.into();
                self.word_ret.d.next = ExecState::RespDone;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::RespDone => {
                self.state.d.next = self.after_resp.q.val();
            }
            ExecState::ProbeIssue => {
                self.state.d.next = ExecState::ProbeLatch;
            }
            ExecState::ProbeLatch => {
                self.sh_word.d.next = self.u_ext.val();
                self.v_latch.d.next = self.v_ext.val();
                self.sh_count.d.next = 4.into();
                self.word_ret.d.next = ExecState::ProbeV;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::ProbeV => {
                self.sh_word.d.next = self.v_latch.q.val();
                self.sh_count.d.next = 4.into();
                self.word_ret.d.next = ExecState::ProbeNext;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::ProbeNext => {
                self.probe_index.d.next = self.probe_index.q.val() + 1;
                self.probe_left.d.next = self.probe_left.q.val() - 1;
                if self.probe_left.q.val() == 1 {
                    self.state.d.next = ExecState::SendCrc;
                } else {
                    self.state.d.next = ExecState::ProbeIssue;
                }
            }
            ExecState::RunStart => {
                if self.ticks_left.q.val() == 0 {
                    self.resp_status.d.next = self.status_ok.val();
                    self.resp_cmd.d.next = self.cmd_run.val();
                    self.resp_len.d.next = 2.into();
                    self.resp_body.d.next = ExecState::RunFinal;
                    self.after_resp.d.next = ExecState::Idle;
                    self.state.d.next = ExecState::RespSync;
                } else if !self.busy.val() {
                    self.start.next = true;
                    self.pending.d.next = 0.into();
                    self.spike_count.d.next = 0.into();
                    self.tick_cycles.d.next = 0.into();
                    self.state.d.next = ExecState::RunWait;
                }
            }
            ExecState::RunWait => {
                self.tick_cycles.d.next = self.tick_cycles.q.val() + 1;
                if self.spike_valid.val() {
                    self.spike_count.d.next = self.spike_count.q.val() + 1;
                }
                if self.done.val() {
                    self.state.d.next = ExecState::RunReport;
                }
            }
            ExecState::RunReport => {
                self.resp_status.d.next = self.status_ok.val();
                self.resp_cmd.d.next = self.cmd_tick_report.val();
                self.resp_len.d.next = self.report_len.val();
                self.resp_body.d.next = ExecState::TickIndex;
                self.after_resp.d.next = ExecState::RunNext;
                self.spike_rd.d.next = 0.into();
                self.state.d.next = ExecState::RespSync;
            }
            ExecState::TickIndex => {
                self.sh_word.d.next = bit_cast::<32, 16>(self.tick_index.q.val());
                self.sh_count.d.next = 2.into();
                self.word_ret.d.next = ExecState::TickCycles;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::TickCycles => {
                self.sh_word.d.next = self.tick_cycles.q.val();
                self.sh_count.d.next = 4.into();
                self.word_ret.d.next = ExecState::SpikeFetch;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::SpikeFetch => {
                if self.spike_rd.q.val() == self.spike_count.q.val() {
                    self.state.d.next = ExecState::SendCrc;
                } else {
                    self.state.d.next = ExecState::SpikeTake;
                }
            }
            ExecState::SpikeTake => {
                self.sh_word.d.next = self.spike_word.val();
                self.sh_count.d.next = 2.into();
                self.spike_rd.d.next = self.spike_rd.q.val() + 1;
                self.word_ret.d.next = ExecState::SpikeFetch;
                self.state.d.next = ExecState::SendWord;
            }
            ExecState::RunNext => {
                self.tick_index.d.next = self.tick_index.q.val() + 1;
                self.ticks_left.d.next = self.ticks_left.q.val() - 1;
                self.state.d.next = ExecState::RunStart;
            }
            ExecState::RunFinal => {
                self.sh_word.d.next = bit_cast::<32, 16>(self.tick_index.q.val());
                self.sh_count.d.next = 2.into();
                self.word_ret.d.next = ExecState::SendCrc;
                self.state.d.next = ExecState::SendWord;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The link alone, in the rust-hdl simulation, against a behavioural model of the core bus
    //! that records every configuration write and event it receives. This sees the pins
    //! directly: "never applied" means not one `cfg.write` or accepted event.

    use std::collections::VecDeque;

    use super::*;
    use crate::host::protocol::{
        config_payloads, encode_request, read_state_payload, run_payload, ConfigEntry,
        ResponseParser, TickReport,
    };
    use crate::rtl::regmap::{depth_table, Dims};
    use rand::{rngs::StdRng, Rng, SeedableRng};

    const CLEAR: u8 = CfgTarget::Clear.code();
    const COUNT: u8 = CfgTarget::NeuronCount.code();
    const WRITE_CONFIG: u8 = Command::WriteConfig.code();
    /// Cycles between received bytes (a fast UART).
    const BYTE_CYCLES: u64 = 10;
    const TIMEOUT: u32 = 64;
    /// Cycles a tick keeps the mock core busy.
    const TICK_CYCLES: u32 = 40;

    fn config() -> LinkConfig {
        LinkConfig {
            neurons: 64,
            axons: 64,
            target_depths: depth_table(&Dims::core(64, 64)),
            cycles_per_bit: 1,
            timeout_cycles: TIMEOUT,
        }
    }

    struct Harness {
        link: HostLink<6, 6, 7>,
        rng: StdRng,
        cycle: u64,
        rx: VecDeque<(u8, bool)>,
        next_rx: u64,
        tx_busy: u32,
        tx_shifting: u8,
        tx: Vec<u8>,
        writes: Vec<(u8, u32, u32)>,
        events: Vec<u16>,
        starts: u32,
        busy_left: u32,
        /// Spikes each future tick emits.
        script: VecDeque<Vec<u16>>,
        emitting: VecDeque<u16>,
        probe: u64,
    }

    /// The mock core's (u, v) of neuron `n`: negative for odd neurons, with the sign bits of
    /// the 25- and 24-bit fields set, so sign extension is visible.
    fn mock_state(n: u64) -> (i32, i32) {
        if n % 2 == 1 {
            (-(1 << 23) + n as i32, -(1 << 22) - n as i32)
        } else {
            ((1 << 23) - n as i32, 1000 + n as i32)
        }
    }

    impl Harness {
        fn new(seed: u64) -> Self {
            let mut link = HostLink::<6, 6, 7>::new(&config());
            link.clock.connect();
            link.rx_valid.connect();
            link.rx_data.connect();
            link.rx_error.connect();
            link.tx_ready.connect();
            link.event_ready.connect();
            link.busy.connect();
            link.done.connect();
            link.spike_valid.connect();
            link.spike_neuron.connect();
            link.probe_u.connect();
            link.probe_v.connect();
            link.cfg.read_valid.connect();
            link.cfg.read_data.connect();
            link.connect_all();
            assert!(simulate(&mut link, 100));
            Harness {
                link,
                rng: StdRng::seed_from_u64(seed),
                cycle: 0,
                rx: VecDeque::new(),
                next_rx: 0,
                tx_busy: 0,
                tx_shifting: 0,
                tx: Vec::new(),
                writes: Vec::new(),
                events: Vec::new(),
                starts: 0,
                busy_left: 0,
                script: VecDeque::new(),
                emitting: VecDeque::new(),
                probe: 0,
            }
        }

        fn step(&mut self) {
            let l = &mut self.link;
            // Inputs for this cycle, from the mock's state.
            let (rx_valid, rx_error, rx_byte) = match self.rx.front() {
                Some(&(byte, good)) if self.cycle >= self.next_rx => {
                    self.rx.pop_front();
                    self.next_rx = self.cycle + BYTE_CYCLES;
                    (good, !good, byte)
                }
                _ => (false, false, 0),
            };
            l.rx_valid.next = rx_valid;
            l.rx_error.next = rx_error;
            l.rx_data.next = (rx_byte as u64).into();
            l.tx_ready.next = self.tx_busy == 0;
            let busy = self.busy_left > 0;
            l.busy.next = busy;
            // Back-pressure on events, at random.
            let event_ready = self.rng.gen_bool(0.6);
            l.event_ready.next = event_ready;
            let spike = if busy && self.busy_left < TICK_CYCLES - 4 {
                self.emitting.pop_front()
            } else {
                None
            };
            l.spike_valid.next = spike.is_some();
            l.spike_neuron.next = (spike.unwrap_or(0) as u64).into();
            l.done.next = self.busy_left == 1;
            let (u, v) = mock_state(self.probe);
            l.probe_u.next = ((u as u32 as u64) & 0x1ff_ffff).into();
            l.probe_v.next = ((v as u32 as u64) & 0xff_ffff).into();
            assert!(simulate(l, 100));

            // What the core (and the UART) see at this edge.
            // Like a UART: a byte reaches the host when its stop bit has been sent.
            if l.tx_valid.val() && self.tx_busy == 0 {
                self.tx_shifting = l.tx_data.val().to_u64() as u8;
                self.tx_busy = BYTE_CYCLES as u32;
            } else if self.tx_busy > 0 {
                self.tx_busy -= 1;
                if self.tx_busy == 0 {
                    self.tx.push(self.tx_shifting);
                }
            }
            if l.cfg.write.val() {
                assert!(!busy, "configuration write while the core is busy");
                let w = (
                    l.cfg.target.val().to_u64() as u8,
                    l.cfg.addr.val().to_u64() as u32,
                    l.cfg.data.val().to_u64() as u32,
                );
                self.writes.push(w);
                if w.0 == CLEAR {
                    self.busy_left = 20;
                }
            }
            if l.event_valid.val() && event_ready {
                self.events.push(l.event_axon.val().to_u64() as u16);
            }
            if l.start.val() {
                assert!(!busy, "start while the core is busy");
                self.starts += 1;
                self.busy_left = TICK_CYCLES + 1;
                self.emitting = self.script.pop_front().unwrap_or_default().into();
            }
            self.probe = l.probe_neuron.val().to_u64();

            l.clock.next = true.into();
            assert!(simulate(l, 100));
            l.clock.next = false.into();
            assert!(simulate(l, 100));
            self.busy_left = self.busy_left.saturating_sub(1);
            self.cycle += 1;
        }

        fn send(&mut self, bytes: &[u8]) {
            self.rx.extend(bytes.iter().map(|&b| (b, true)));
        }

        /// Runs until `n` responses have arrived (or panics after `limit` cycles).
        fn responses(&mut self, n: usize, limit: u64) -> Vec<crate::host::protocol::Response> {
            let mut parser = ResponseParser::new();
            let mut got = Vec::new();
            let mut seen = 0;
            for _ in 0..limit {
                self.step();
                while seen < self.tx.len() {
                    if let Some(r) = parser.feed(self.tx[seen]).expect("response frame") {
                        got.push(r);
                    }
                    seen += 1;
                }
                if got.len() == n && self.rx.is_empty() {
                    return got;
                }
            }
            panic!(
                "only {} of {n} responses in {limit} cycles: {got:?}",
                got.len()
            );
        }

        fn idle(&mut self, cycles: u64) {
            for _ in 0..cycles {
                self.step();
            }
        }
    }

    fn random_entries(rng: &mut StdRng, n: usize) -> Vec<ConfigEntry> {
        (0..n)
            .map(|_| {
                // A memory target (not a register or command) of the core.
                let memories: Vec<u8> = (0..CFG_TARGET_CODES as u8)
                    .filter(|&code| config().target_depths[code as usize] > 1)
                    .collect();
                let target = memories[rng.gen_range(0..memories.len())];
                let depth = config().target_depths[target as usize];
                ConfigEntry {
                    target,
                    addr: rng.gen_range(0..depth),
                    data: rng.gen(),
                }
            })
            .collect()
    }

    /// Valid batches reach the configuration port exactly, in order, one write per entry, and
    /// each is answered OK; a clear's busy period is waited out.
    #[test]
    fn config_batches_are_applied_exactly() {
        let mut h = Harness::new(1);
        let mut rng = StdRng::seed_from_u64(2);
        let mut want = Vec::new();
        for round in 0..4 {
            let n = rng.gen_range(1..=64);
            let mut entries = random_entries(&mut rng, n);
            if round == 1 {
                entries.insert(
                    3,
                    ConfigEntry {
                        target: CLEAR,
                        addr: 0,
                        data: 0,
                    },
                );
                entries.insert(
                    5,
                    ConfigEntry {
                        target: COUNT,
                        addr: 0,
                        data: 64,
                    },
                );
            }
            want.extend(entries.iter().map(|e| (e.target, e.addr, e.data)));
            let payloads = config_payloads(&entries, MAX_REQUEST_PAYLOAD);
            h.send(&encode_request(WRITE_CONFIG, &payloads[0]));
            let r = h.responses(1, 20_000);
            assert_eq!(
                (r[0].status, r[0].command, r[0].payload.len()),
                (Status::Ok, WRITE_CONFIG, 0),
                "round {round}"
            );
            h.tx.clear();
        }
        assert_eq!(h.writes, want);
    }

    /// Any corruption of a config frame yields an error response and not a single write.
    #[test]
    fn corrupted_frames_write_nothing() {
        let mut rng = StdRng::seed_from_u64(3);
        let mut h = Harness::new(4);
        for trial in 0..60 {
            let entries = random_entries(&mut rng, 20);
            let mut frame = encode_request(
                WRITE_CONFIG,
                &config_payloads(&entries, MAX_REQUEST_PAYLOAD)[0],
            );
            let expected = match trial % 4 {
                0 => {
                    // Flip 1..3 bytes anywhere after the length field.
                    for _ in 0..rng.gen_range(1..=3) {
                        let i = rng.gen_range(4..frame.len());
                        frame[i] ^= rng.gen_range(1..=255u8);
                    }
                    Status::BadCrc
                }
                1 => {
                    frame.truncate(rng.gen_range(1..frame.len()));
                    Status::Timeout
                }
                2 => {
                    // An entry with a bad address at a random position (good CRC).
                    let mut bad = entries.clone();
                    let k = rng.gen_range(0..bad.len());
                    bad[k].addr = config().target_depths[bad[k].target as usize];
                    frame = encode_request(
                        WRITE_CONFIG,
                        &config_payloads(&bad, MAX_REQUEST_PAYLOAD)[0],
                    );
                    Status::OutOfRange
                }
                _ => {
                    let i = rng.gen_range(2..frame.len());
                    h.send(&frame[..i]);
                    h.rx.push_back((frame[i], false));
                    frame = frame[i + 1..].to_vec();
                    Status::Framing
                }
            };
            h.send(&frame);
            let r = h.responses(1, 20_000);
            assert_eq!(r[0].status, expected, "trial {trial}");
            h.tx.clear();
            // Let the receiver drain before the next frame.
            h.idle(TIMEOUT as u64 + 2 * BYTE_CYCLES);
            assert!(h.writes.is_empty(), "trial {trial}: {:?}", h.writes);
        }
        // And the link still works.
        h.send(&encode_request(
            WRITE_CONFIG,
            &config_payloads(&random_entries(&mut rng, 2), MAX_REQUEST_PAYLOAD)[0],
        ));
        assert_eq!(h.responses(1, 5000)[0].status, Status::Ok);
        assert_eq!(h.writes.len(), 2);
    }

    /// Events wait for `event_ready`; ticks start only when the core is idle; the spikes of
    /// each tick come back in order with the tick's cycle count.
    #[test]
    fn inject_and_run() {
        let mut h = Harness::new(5);
        let axons: Vec<u16> = vec![5, 0, 63, 17, 17, 2];
        let payload: Vec<u8> = axons.iter().flat_map(|a| a.to_le_bytes()).collect();
        h.send(&encode_request(Command::Inject.code(), &payload));
        assert_eq!(h.responses(1, 5000)[0].status, Status::Ok);
        assert_eq!(h.events, axons);
        h.tx.clear();

        h.script = vec![vec![1, 2, 40], vec![], (0..30).collect()].into();
        h.send(&encode_request(Command::Run.code(), &run_payload(3)));
        let r = h.responses(4, 50_000);
        assert_eq!(h.starts, 3);
        for (tick, spikes) in [vec![1, 2, 40], vec![], (0..30).collect::<Vec<u16>>()]
            .into_iter()
            .enumerate()
        {
            assert_eq!((r[tick].status, r[tick].command), (Status::Ok, TICK_REPORT));
            let report = TickReport::decode(&r[tick]).unwrap();
            assert_eq!(report.tick, tick as u16);
            assert_eq!(report.neurons, spikes);
            // From the cycle after start to the done pulse.
            assert_eq!(report.cycles, TICK_CYCLES);
        }
        assert_eq!(
            (r[3].command, r[3].payload.clone()),
            (Command::Run.code(), vec![3, 0])
        );
    }

    /// READ_STATE sign-extends the probe's 25-bit u and 24-bit v.
    #[test]
    fn read_state_sign_extends() {
        let mut h = Harness::new(6);
        h.send(&encode_request(
            Command::ReadState.code(),
            &read_state_payload(7, 4),
        ));
        let r = h.responses(1, 10_000);
        let states = crate::host::protocol::decode_states(&r[0], 4).unwrap();
        let want: Vec<(i32, i32)> = (7..11).map(mock_state).collect();
        assert_eq!(states, want);
    }
}
