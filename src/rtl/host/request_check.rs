//! The host link's request checks: which command a frame holds, whether its length fits the
//! command, how many bytes one entry has, and whether an entry is in range. Combinational.
//!
//! Entry checks are against generation-time limits only: a depth ROM (one entry per target
//! code, built from the register map for the core's shape, `regmap::depth_table`; depth 0
//! marks a target the design lacks), the neuron and axon counts. The link knows nothing
//! about word layouts: it forwards `(target, addr, data)`.
//!
//! Entry fields (bytes of the entry, little-endian, in `{entry_hi, entry_lo}`):
//! config `{target = lo[7:0], addr = lo[31:8], data = hi}`; inject, run: `lo[15:0]`;
//! read-state `{first = lo[15:0], count = lo[31:16]}`; read `{target = lo[7:0],
//! first = lo[31:8], count = hi[15:0]}`.
//!
//! The depth ROM's word is `{readable, depth}`: bit 25 says whether READ may read the target
//! (the register map's `Access`), bits 0..25 its depth (up to 2^24).

use rust_hdl::prelude::*;

use crate::rtl::regmap::hdl::{constant, value_constant};
use crate::rtl::regmap::protocol::{Command, MAX_READ_WORDS};
use crate::rtl::regmap::{CfgTarget, CFG_TARGET_CODES, CFG_TARGET_WIDTH};

// An entry's target is one byte: the selector must fit it.
const _: () = assert!(CFG_TARGET_WIDTH <= 8);

/// Generation-time limits of a [`RequestCheck`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckLimits {
    /// Neurons of the core (probe range, largest neuron count).
    pub neurons: u32,
    /// Axons of the core (event range and event-queue capacity).
    pub axons: u32,
    /// Words addressable per target code; 0 marks a target that does not exist.
    pub target_depths: [u32; CFG_TARGET_CODES],
    /// Per target code: READ may read it back.
    pub readable: [bool; CFG_TARGET_CODES],
}

/// Command decode and entry range checks.
#[derive(LogicBlock)]
pub struct RequestCheck {
    /// The request's command byte.
    pub cmd: Signal<In, Bits<8>>,
    /// The request's payload length.
    pub len: Signal<In, Bits<16>>,
    /// Entry bytes 0..3.
    pub entry_lo: Signal<In, Bits<32>>,
    /// Entry bytes 4..7.
    pub entry_hi: Signal<In, Bits<32>>,
    /// Events queued in the core since its last tick.
    pub pending: Signal<In, Bits<16>>,
    /// Entries of the payload before this one.
    pub entry_index: Signal<In, Bits<16>>,
    /// A command the link executes.
    pub known: Signal<Out, Bit>,
    /// The length fits the command (a batch of any length: a partial last entry is found
    /// while reading it).
    pub len_ok: Signal<Out, Bit>,
    /// INFO.
    pub is_info: Signal<Out, Bit>,
    /// WRITE_CONFIG.
    pub is_config: Signal<Out, Bit>,
    /// INJECT.
    pub is_inject: Signal<Out, Bit>,
    /// RUN.
    pub is_run: Signal<Out, Bit>,
    /// READ_STATE.
    pub is_read_state: Signal<Out, Bit>,
    /// READ.
    pub is_read: Signal<Out, Bit>,
    /// Index of an entry's last byte (entries are 1..8 bytes).
    pub last_slot: Signal<Out, Bits<3>>,
    /// The entry is in range for the command.
    pub entry_ok: Signal<Out, Bit>,
    /// The batch's events (this entry is one past the last) overflow the core's queue.
    pub queue_full: Signal<Out, Bit>,

    depth_rom: ROM<Bits<26>, CFG_TARGET_WIDTH>,
    depth: Signal<Local, Bits<25>>,
    target_ok: Signal<Local, Bit>,
    read_count: Signal<Local, Bits<16>>,
    read_end: Signal<Local, Bits<25>>,
    e_target: Signal<Local, Bits<8>>,
    e_low16: Signal<Local, Bits<16>>,
    addr_wide: Signal<Local, Bits<25>>,
    low_wide: Signal<Local, Bits<18>>,
    range_end: Signal<Local, Bits<18>>,
    queue_end: Signal<Local, Bits<18>>,

    cmd_info: Constant<Bits<8>>,
    cmd_inject: Constant<Bits<8>>,
    cmd_read_state: Constant<Bits<8>>,
    cmd_read: Constant<Bits<8>>,
    cmd_run: Constant<Bits<8>>,
    cmd_write_config: Constant<Bits<8>>,
    neuron_limit: Constant<Bits<18>>,
    axon_limit: Constant<Bits<18>>,
    neuron_limit_word: Constant<Bits<32>>,
    target_limit: Constant<Bits<9>>,
    count_target: Constant<Bits<8>>,
    max_read_words: Constant<Bits<16>>,
}

impl RequestCheck {
    /// Checks against `limits`.
    ///
    /// # Panics
    /// If a depth exceeds the 24-bit address space (generator bug).
    pub fn new(limits: &CheckLimits) -> Self {
        assert!(limits.target_depths.iter().all(|&d| d <= 1 << 24));
        let depths = limits
            .target_depths
            .iter()
            .zip(limits.readable)
            .map(|(&d, readable)| Bits::<26>::from(d as u64 | ((readable as u64) << 25)));
        Self {
            cmd: Default::default(),
            len: Default::default(),
            entry_lo: Default::default(),
            entry_hi: Default::default(),
            pending: Default::default(),
            entry_index: Default::default(),
            known: Default::default(),
            len_ok: Default::default(),
            is_info: Default::default(),
            is_config: Default::default(),
            is_inject: Default::default(),
            is_run: Default::default(),
            is_read_state: Default::default(),
            is_read: Default::default(),
            last_slot: Default::default(),
            entry_ok: Default::default(),
            queue_full: Default::default(),
            depth_rom: ROM::from(depths),
            depth: Default::default(),
            target_ok: Default::default(),
            read_count: Default::default(),
            read_end: Default::default(),
            e_target: Default::default(),
            e_low16: Default::default(),
            addr_wide: Default::default(),
            low_wide: Default::default(),
            range_end: Default::default(),
            queue_end: Default::default(),
            cmd_info: constant(Command::Info),
            cmd_inject: constant(Command::Inject),
            cmd_read_state: constant(Command::ReadState),
            cmd_read: constant(Command::Read),
            cmd_run: constant(Command::Run),
            cmd_write_config: constant(Command::WriteConfig),
            neuron_limit: Constant::new((limits.neurons as u64).into()),
            axon_limit: Constant::new((limits.axons as u64).into()),
            neuron_limit_word: Constant::new((limits.neurons as u64).into()),
            target_limit: value_constant(CFG_TARGET_CODES as u64),
            count_target: constant(CfgTarget::NeuronCount),
            max_read_words: value_constant(MAX_READ_WORDS as u64),
        }
    }
}

impl Logic for RequestCheck {
    #[hdl_gen]
    fn update(&mut self) {
        self.is_info.next = self.cmd.val() == self.cmd_info.val();
        self.is_config.next = self.cmd.val() == self.cmd_write_config.val();
        self.is_inject.next = self.cmd.val() == self.cmd_inject.val();
        self.is_run.next = self.cmd.val() == self.cmd_run.val();
        self.is_read_state.next = self.cmd.val() == self.cmd_read_state.val();
        self.is_read.next = self.cmd.val() == self.cmd_read.val();
        self.known.next = self.is_info.val()
            | self.is_config.val()
            | self.is_inject.val()
            | self.is_run.val()
            | self.is_read_state.val()
            | self.is_read.val();
        // Fixed lengths: INFO 0, RUN 2 (ticks), READ_STATE 4 (first, count), READ 6 (target,
        // first, count).
        self.len_ok.next = true;
        if self.is_info.val() {
            self.len_ok.next = self.len.val() == 0;
        }
        if self.is_run.val() {
            self.len_ok.next = self.len.val() == 2;
        }
        if self.is_read_state.val() {
            self.len_ok.next = self.len.val() == 4;
        }
        if self.is_read.val() {
            self.len_ok.next = self.len.val() == 6;
        }
        self.last_slot.next = 1.into();
        if self.is_config.val() {
            self.last_slot.next = 7.into();
        }
        if self.is_read_state.val() {
            self.last_slot.next = 3.into();
        }
        if self.is_read.val() {
            self.last_slot.next = 5.into();
        }

        self.e_target.next = self.entry_lo.val().get_bits::<8>(0);
        self.e_low16.next = self.entry_lo.val().get_bits::<16>(0);
        self.addr_wide.next = bit_cast::<25, 24>(self.entry_lo.val().get_bits::<24>(8));
        self.low_wide.next = bit_cast::<18, 16>(self.e_low16.val());
        self.range_end.next = bit_cast::<18, 16>(self.e_low16.val())
            + bit_cast::<18, 16>(self.entry_lo.val().get_bits::<16>(16));
        self.queue_end.next =
            bit_cast::<18, 16>(self.pending.val()) + bit_cast::<18, 16>(self.entry_index.val());
        self.queue_full.next = self.queue_end.val() > self.axon_limit.val();
        self.depth_rom.address.next = self.e_target.val().get_bits::<CFG_TARGET_WIDTH>(0);
        self.depth.next = self.depth_rom.data.val().get_bits::<25>(0);
        self.target_ok.next = bit_cast::<9, 8>(self.e_target.val()) < self.target_limit.val();
        // READ's last address + 1: at most 2^24 - 1 + 2^16 - 1, fits 25 bits.
        self.read_count.next = self.entry_hi.val().get_bits::<16>(0);
        self.read_end.next = self.addr_wide.val() + bit_cast::<25, 16>(self.read_count.val());
        self.entry_ok.next = true;
        if self.is_config.val() {
            self.entry_ok.next = self.target_ok.val()
                & (self.addr_wide.val() < self.depth.val())
                & ((self.e_target.val() != self.count_target.val())
                    | (self.entry_hi.val() <= self.neuron_limit_word.val()));
        }
        if self.is_inject.val() {
            self.entry_ok.next = self.low_wide.val() < self.axon_limit.val();
        }
        if self.is_read_state.val() {
            self.entry_ok.next = self.range_end.val() <= self.neuron_limit.val();
        }
        if self.is_read.val() {
            self.entry_ok.next = self.target_ok.val()
                & self.depth_rom.data.val().get_bit(25)
                & (self.read_end.val() <= self.depth.val())
                & (self.read_count.val() <= self.max_read_words.val());
        }
    }
}
