//! The host link's response shifter: sends 1..4 bytes of a 32-bit word little-endian to the
//! UART transmitter and folds every response byte after the sync into a [`Crc16`].
//!
//! Payloads are produced on the fly by the responder, one word at a time, rather than
//! buffered: the UART drains one byte per `10 * cycles_per_bit` cycles, far slower than any
//! word source. The shifter is busy exactly while it holds bytes (`count != 0`); the
//! responder loads the next word only when it is not.

use rust_hdl::prelude::*;

use super::crc::Crc16;
use crate::rtl::regmap::hdl::value_constant;
use crate::rtl::regmap::protocol::RESPONSE_SYNC;

/// Byte shifter with the response CRC.
#[derive(LogicBlock)]
pub struct ResponseTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// A byte is offered on `tx_data`.
    pub tx_valid: Signal<Out, Bit>,
    /// The byte.
    pub tx_data: Signal<Out, Bits<8>>,
    /// The transmitter takes `tx_data` at the next edge.
    pub tx_ready: Signal<In, Bit>,
    /// Offer the response sync byte (only while no word is being sent); when it is taken the
    /// CRC restarts.
    pub sync: Signal<In, Bit>,
    /// Load `load_word` / `load_count` at the next edge (only while no word is being sent).
    pub load: Signal<In, Bit>,
    /// The word to send, least significant byte first.
    pub load_word: Signal<In, Bits<32>>,
    /// How many of its bytes to send (1..=4).
    pub load_count: Signal<In, Bits<3>>,
    /// The sync byte is taken at the next edge.
    pub sync_taken: Signal<Out, Bit>,
    /// The word's last byte is taken at the next edge.
    pub word_done: Signal<Out, Bit>,
    /// The CRC of the response so far as a 2-byte word, high byte first (the receiver's
    /// residue over data + CRC is then zero).
    pub crc_word: Signal<Out, Bits<32>>,

    tx_crc: Crc16,
    word: DFF<Bits<32>>,
    count: DFF<Bits<3>>,
    sending: Signal<Local, Bit>,
    response_sync: Constant<Bits<8>>,
}

impl Default for ResponseTx {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            tx_valid: Default::default(),
            tx_data: Default::default(),
            tx_ready: Default::default(),
            sync: Default::default(),
            load: Default::default(),
            load_word: Default::default(),
            load_count: Default::default(),
            sync_taken: Default::default(),
            word_done: Default::default(),
            crc_word: Default::default(),
            tx_crc: Default::default(),
            word: Default::default(),
            count: Default::default(),
            sending: Default::default(),
            response_sync: value_constant(RESPONSE_SYNC as u64),
        }
    }
}

impl Logic for ResponseTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, word, count);
        clock!(self, clock, tx_crc);
        self.sending.next = self.count.q.val() != 0;
        self.tx_valid.next = self.sending.val() | self.sync.val();
        self.tx_data.next = self.word.q.val().get_bits::<8>(0);
        if self.sync.val() {
            self.tx_data.next = self.response_sync.val();
        }
        self.sync_taken.next = self.sync.val() & self.tx_ready.val();
        self.word_done.next = self.sending.val() & self.tx_ready.val() & (self.count.q.val() == 1);
        self.tx_crc.clear.next = self.sync.val() & self.tx_ready.val();
        self.tx_crc.valid.next = self.sending.val() & self.tx_ready.val();
        self.tx_crc.data.next = self.word.q.val().get_bits::<8>(0);
        // CRC bytes 8..15 then 0..7: the high byte goes first.
        self.crc_word.next = bit_cast::<32, 8>(self.tx_crc.crc.val().get_bits::<8>(8))
            | (bit_cast::<32, 8>(self.tx_crc.crc.val().get_bits::<8>(0)) << 8);
        if self.load.val() {
            self.word.d.next = self.load_word.val();
            self.count.d.next = self.load_count.val();
        } else if self.sending.val() & self.tx_ready.val() {
            self.word.d.next = self.word.q.val() >> 8;
            self.count.d.next = self.count.q.val() - 1;
        }
    }
}
