//! CRC-16/CCITT-FALSE (polynomial 0x1021, initial value 0xFFFF, no reflection, no final XOR),
//! one byte per clock cycle.
//!
//! The byte-parallel update is the classic shift-and-XOR form of the polynomial
//! `x^16 + x^12 + x^5 + 1` (no table, no loop):
//! ```text
//! x   = (crc >> 8) ^ byte
//! x  ^= x >> 4
//! crc = (crc << 8) ^ (x << 12) ^ (x << 5) ^ x
//! ```
//! About 30 XOR terms and 16 flip-flops. The host side computes the same CRC bit by bit
//! (`host::protocol::crc16`), and the two are checked against each other and against the
//! catalogued check value.

use rust_hdl::prelude::*;

/// Running CRC over a byte stream.
#[derive(LogicBlock, Default)]
pub struct Crc16 {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Restart at 0xFFFF (wins over `valid`).
    pub clear: Signal<In, Bit>,
    /// Fold `data` in at the next edge.
    pub valid: Signal<In, Bit>,
    /// The byte to fold in.
    pub data: Signal<In, Bits<8>>,
    /// The CRC of every byte folded in since the last `clear`.
    pub crc: Signal<Out, Bits<16>>,
    state: DFF<Bits<16>>,
    // Each term in its own signal: the exported Verilog then evaluates every shift at 16 bits
    // instead of in a wider context.
    mixed: Signal<Local, Bits<8>>,
    folded: Signal<Local, Bits<8>>,
    term_shift: Signal<Local, Bits<16>>,
    term_12: Signal<Local, Bits<16>>,
    term_5: Signal<Local, Bits<16>>,
    term_0: Signal<Local, Bits<16>>,
}

impl Logic for Crc16 {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, state);
        self.crc.next = self.state.q.val();
        self.mixed.next = self.state.q.val().get_bits::<8>(8) ^ self.data.val();
        self.folded.next = self.mixed.val() ^ (self.mixed.val() >> 4);
        self.term_shift.next = self.state.q.val() << 8;
        self.term_12.next = bit_cast::<16, 8>(self.folded.val()) << 12;
        self.term_5.next = bit_cast::<16, 8>(self.folded.val()) << 5;
        self.term_0.next = bit_cast::<16, 8>(self.folded.val());
        if self.clear.val() {
            self.state.d.next = 0xffff.into();
        } else if self.valid.val() {
            self.state.d.next =
                self.term_shift.val() ^ self.term_12.val() ^ self.term_5.val() ^ self.term_0.val();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    fn crc_of(uut: &mut Crc16, bytes: &[u8]) -> u16 {
        let cycle = |uut: &mut Crc16| {
            uut.clock.next = true.into();
            assert!(simulate(uut, 10));
            uut.clock.next = false.into();
            assert!(simulate(uut, 10));
        };
        uut.clear.next = true;
        cycle(uut);
        uut.clear.next = false;
        for &b in bytes {
            uut.valid.next = true;
            uut.data.next = (b as u64).into();
            cycle(uut);
        }
        uut.valid.next = false;
        cycle(uut);
        uut.crc.val().to_u64() as u16
    }

    fn block() -> Crc16 {
        let mut uut = Crc16::default();
        uut.clock.connect();
        uut.clear.connect();
        uut.valid.connect();
        uut.data.connect();
        uut.connect_all();
        assert!(simulate(&mut uut, 10));
        uut
    }

    /// The catalogued check value of CRC-16/CCITT-FALSE (a.k.a. CRC-16/IBM-3740) is 0x29B1
    /// for the ASCII string "123456789".
    #[test]
    fn check_value() {
        assert_eq!(crc_of(&mut block(), b"123456789"), 0x29b1);
        assert_eq!(crc_of(&mut block(), b""), 0xffff);
    }

    /// The hardware agrees with the host's bitwise implementation on random strings, and a
    /// string followed by its CRC (high byte first) leaves a zero residue, which is how the
    /// link checks a frame.
    #[test]
    fn matches_host_and_zero_residue() {
        let mut uut = block();
        let mut rng = StdRng::seed_from_u64(5);
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.gen()).collect();
            let want = crate::host::protocol::crc16(&bytes);
            assert_eq!(crc_of(&mut uut, &bytes), want, "{bytes:?}");
            let mut framed = bytes.clone();
            framed.extend(want.to_be_bytes());
            assert_eq!(crc_of(&mut uut, &framed), 0);
        }
    }
}
