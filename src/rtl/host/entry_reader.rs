//! The host link's entry reader: walks a received frame's payload in the frame buffer one
//! byte per `take`, assembling each entry in a byte-addressed 64-bit entry register.
//!
//! Byte `k` of an entry (`slot` k) lands in byte `k` of `{entry_hi, entry_lo}`: slot 0 (4)
//! starts the low (high) word afresh, later slots OR their byte in at bit `8 * (k mod 4)`.
//! The read address is a register, so a byte is available one cycle after it (the frame
//! buffer is a block RAM): the executor alternates a fetch cycle and a take cycle.

use rust_hdl::prelude::*;

use super::frame_rx::FRAME_BUF_ADDR_BITS;

/// Payload walker and entry register.
#[derive(LogicBlock, Default)]
pub struct EntryReader {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Back to the payload's first byte and an entry's slot 0; entries are now
    /// `last_slot + 1` bytes long.
    pub restart: Signal<In, Bit>,
    /// Index of an entry's last byte, taken at `restart`.
    pub last_slot: Signal<In, Bits<3>>,
    /// Place `byte` in the entry register and advance.
    pub take: Signal<In, Bit>,
    /// The frame buffer's byte at `read_address` (presented the cycle before).
    pub frame_byte: Signal<In, Bits<8>>,
    /// The payload's length.
    pub len: Signal<In, Bits<16>>,
    /// Frame buffer address of the next byte.
    pub read_address: Signal<Out, Bits<FRAME_BUF_ADDR_BITS>>,
    /// The byte being taken completes an entry.
    pub entry_complete: Signal<Out, Bit>,
    /// The byte being taken is the payload's last.
    pub payload_ends: Signal<Out, Bit>,
    /// Every byte of the payload has been taken.
    pub at_end: Signal<Out, Bit>,
    /// An entry is partly assembled (the payload ended inside it).
    pub partial: Signal<Out, Bit>,
    /// Entry bytes 0..3 (little-endian).
    pub entry_lo: Signal<Out, Bits<32>>,
    /// Entry bytes 4..7.
    pub entry_hi: Signal<Out, Bits<32>>,

    rd_ptr: DFF<Bits<16>>,
    slot: DFF<Bits<3>>,
    slot_last: DFF<Bits<3>>,
    w_lo: DFF<Bits<32>>,
    w_hi: DFF<Bits<32>>,
    rd_next: Signal<Local, Bits<16>>,
    byte_shift: Signal<Local, Bits<5>>,
    byte_placed: Signal<Local, Bits<32>>,
}

impl Logic for EntryReader {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, rd_ptr, slot, slot_last, w_lo, w_hi);
        self.rd_next.next = self.rd_ptr.q.val() + 1;
        self.read_address.next = self.rd_ptr.q.val().get_bits::<FRAME_BUF_ADDR_BITS>(0);
        self.entry_complete.next = self.slot.q.val() == self.slot_last.q.val();
        self.payload_ends.next = self.rd_next.val() == self.len.val();
        self.at_end.next = self.rd_ptr.q.val() == self.len.val();
        self.partial.next = self.slot.q.val() != 0;
        self.entry_lo.next = self.w_lo.q.val();
        self.entry_hi.next = self.w_hi.q.val();
        // Slot k's byte goes to bit 8 * (k mod 4) of its word.
        self.byte_shift.next = bit_cast::<5, 2>(self.slot.q.val().get_bits::<2>(0)) << 3;
        self.byte_placed.next = bit_cast::<32, 8>(self.frame_byte.val()) << self.byte_shift.val();
        if self.restart.val() {
            self.rd_ptr.d.next = 0.into();
            self.slot.d.next = 0.into();
            self.slot_last.d.next = self.last_slot.val();
        }
        if self.take.val() {
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
            if self.entry_complete.val() {
                self.slot.d.next = 0.into();
            } else {
                self.slot.d.next = self.slot.q.val() + 1;
            }
        }
    }
}
