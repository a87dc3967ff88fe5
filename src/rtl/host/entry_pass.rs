//! One pass of the host link's executor over a frame's entries: validate every entry, or
//! apply every entry (configuration writes, axon events).
//!
//! The executor runs a batch through two passes, validating then applying, so a frame with
//! one bad entry changes nothing; a fixed-length command is one entry, validated once. A pass
//! fetches one payload byte per two cycles through its [`EntryReader`] (the frame buffer is a
//! block RAM, so a byte comes one cycle after its address). When an entry is complete it is
//! checked (the executor's `entry_ok`), or written to the configuration bus once the core is
//! idle, or offered to the core's event queue until taken. `done` pulses when the payload is
//! exhausted, also inside an entry (`partial`).

use rust_hdl::prelude::*;

use super::entry_reader::EntryReader;
use super::frame_rx::FRAME_BUF_ADDR_BITS;
use crate::rtl::cfg_bus::{CFG_ADDR_WIDTH, CFG_DATA_WIDTH};
use crate::rtl::regmap::hdl::constant;
use crate::rtl::regmap::{CfgTarget, CFG_TARGET_WIDTH};

/// Pass state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum PassState {
    /// No pass running.
    Idle,
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
}

/// A validating or applying pass over the payload, for a core with `2^AB` axons.
#[derive(LogicBlock)]
pub struct EntryPass<const AB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Rewind to the payload's first byte and entry 0, forgetting bad entries.
    pub restart: Signal<In, Bit>,
    /// Index of an entry's last byte, taken at `restart`.
    pub last_slot: Signal<In, Bits<3>>,
    /// Run a pass from the current position (not at the payload's end).
    pub go: Signal<In, Bit>,
    /// The pass applies the entries (else it validates them).
    pub applying: Signal<In, Bit>,
    /// The WRITE_CONFIG pass: entries are configuration writes (else axon events).
    pub is_config: Signal<In, Bit>,
    /// The current entry passes the checks.
    pub entry_ok: Signal<In, Bit>,
    /// The payload's length.
    pub len: Signal<In, Bits<16>>,
    /// Frame buffer address.
    pub frame_address: Signal<Out, Bits<FRAME_BUF_ADDR_BITS>>,
    /// Frame buffer byte (one cycle after its address).
    pub frame_byte: Signal<In, Bits<8>>,
    /// The pass is over at the next edge.
    pub done: Signal<Out, Bit>,
    /// The payload ended inside an entry.
    pub partial: Signal<Out, Bit>,
    /// Entry bytes 0..3.
    pub entry_lo: Signal<Out, Bits<32>>,
    /// Entry bytes 4..7.
    pub entry_hi: Signal<Out, Bits<32>>,
    /// Entries passed so far.
    pub entry_index: Signal<Out, Bits<16>>,
    /// A validating pass found a bad entry.
    pub bad_seen: Signal<Out, Bit>,
    /// The first bad entry.
    pub bad_index: Signal<Out, Bits<16>>,
    /// Events queued in the core since its last tick.
    pub pending: Signal<Out, Bits<16>>,
    /// A tick starts (the core's event queue empties).
    pub tick_started: Signal<In, Bit>,
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

    reader: EntryReader,
    state: DFF<PassState>,
    index: DFF<Bits<16>>,
    bad: DFF<Bit>,
    first_bad: DFF<Bits<16>>,
    queued: DFF<Bits<16>>,
    e_target: Signal<Local, Bits<8>>,
    clear_target: Constant<Bits<8>>,
}

impl<const AB: usize> Default for EntryPass<AB> {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            restart: Default::default(),
            last_slot: Default::default(),
            go: Default::default(),
            applying: Default::default(),
            is_config: Default::default(),
            entry_ok: Default::default(),
            len: Default::default(),
            frame_address: Default::default(),
            frame_byte: Default::default(),
            done: Default::default(),
            partial: Default::default(),
            entry_lo: Default::default(),
            entry_hi: Default::default(),
            entry_index: Default::default(),
            bad_seen: Default::default(),
            bad_index: Default::default(),
            pending: Default::default(),
            tick_started: Default::default(),
            cfg_write: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            event_valid: Default::default(),
            event_axon: Default::default(),
            event_ready: Default::default(),
            busy: Default::default(),
            reader: Default::default(),
            state: Default::default(),
            index: Default::default(),
            bad: Default::default(),
            first_bad: Default::default(),
            queued: Default::default(),
            e_target: Default::default(),
            clear_target: constant(CfgTarget::Clear),
        }
    }
}

impl<const AB: usize> Logic for EntryPass<AB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state, index, bad, first_bad, queued);
        clock!(self, clock, reader);
        self.reader.frame_byte.next = self.frame_byte.val();
        self.reader.len.next = self.len.val();
        self.reader.last_slot.next = self.last_slot.val();
        self.reader.restart.next = self.restart.val();
        self.reader.take.next = false;
        self.frame_address.next = self.reader.read_address.val();
        self.partial.next = self.reader.partial.val();
        self.entry_lo.next = self.reader.entry_lo.val();
        self.entry_hi.next = self.reader.entry_hi.val();
        self.entry_index.next = self.index.q.val();
        self.bad_seen.next = self.bad.q.val();
        self.bad_index.next = self.first_bad.q.val();
        self.pending.next = self.queued.q.val();
        self.done.next = false;
        // Entry fields (see `request_check`): config {target, addr, data}, inject {axon}.
        self.e_target.next = self.reader.entry_lo.val().get_bits::<8>(0);
        self.cfg_write.next = false;
        self.cfg_target.next = self.e_target.val().get_bits::<CFG_TARGET_WIDTH>(0);
        self.cfg_addr.next = self.reader.entry_lo.val().get_bits::<24>(8);
        self.cfg_data.next = self.reader.entry_hi.val();
        self.event_valid.next = false;
        self.event_axon.next = self.reader.entry_lo.val().get_bits::<AB>(0);
        if self.restart.val() {
            self.index.d.next = 0.into();
            self.bad.d.next = false;
        }
        if self.tick_started.val() {
            self.queued.d.next = 0.into();
        }

        match self.state.q.val() {
            PassState::Idle => {
                if self.go.val() {
                    self.state.d.next = PassState::Fetch;
                }
            }
            PassState::Fetch => {
                self.state.d.next = PassState::Take;
            }
            PassState::Take => {
                self.reader.take.next = true;
                if self.reader.entry_complete.val() {
                    self.state.d.next = PassState::Entry;
                } else if self.reader.payload_ends.val() {
                    // The payload ends inside an entry.
                    self.done.next = true;
                    self.state.d.next = PassState::Idle;
                } else {
                    self.state.d.next = PassState::Fetch;
                }
            }
            PassState::Entry => {
                if !self.applying.val() {
                    if !self.entry_ok.val() & !self.bad.q.val() {
                        self.bad.d.next = true;
                        self.first_bad.d.next = self.index.q.val();
                    }
                    self.index.d.next = self.index.q.val() + 1;
                    self.done.next = self.reader.at_end.val();
                } else if self.is_config.val() {
                    self.state.d.next = PassState::CfgWait;
                } else {
                    self.state.d.next = PassState::Event;
                }
            }
            PassState::CfgWait => {
                if !self.busy.val() {
                    self.cfg_write.next = true;
                    if self.e_target.val() == self.clear_target.val() {
                        // A clear empties the core's event queue.
                        self.queued.d.next = 0.into();
                    }
                    self.state.d.next = PassState::CfgSettle;
                }
            }
            PassState::CfgSettle => {
                self.index.d.next = self.index.q.val() + 1;
                self.done.next = self.reader.at_end.val();
            }
            PassState::Event => {
                self.event_valid.next = true;
                if self.event_ready.val() {
                    self.queued.d.next = self.queued.q.val() + 1;
                    self.index.d.next = self.index.q.val() + 1;
                    self.done.next = self.reader.at_end.val();
                }
            }
        }
        // After an entry: the next one, or the end of the pass.
        if ((self.state.q.val() == PassState::Entry) & !self.applying.val())
            | (self.state.q.val() == PassState::CfgSettle)
            | ((self.state.q.val() == PassState::Event) & self.event_ready.val())
        {
            if self.reader.at_end.val() {
                self.state.d.next = PassState::Idle;
            } else {
                self.state.d.next = PassState::Fetch;
            }
        }
    }
}
