//! 8N1 UART receiver and transmitter, with the bit time a generation-time parameter.
//!
//! Both blocks count `cycles_per_bit` clock cycles per bit; the value is a [`Constant`] baked
//! into the Verilog (a `localparam`), so one generator serves every board and baud rate:
//! 104 cycles per bit is 115 384 baud at 12 MHz (iCEBreaker, HX8K: 0.16 % fast), 217 is
//! 115 207 baud at 25 MHz (ULX3S: 0.006 %). Simulations use 4 to 8 cycles per bit.
//!
//! The receiver samples in the middle of each bit, counted from the falling edge of the start
//! bit. The line first passes two flip-flops (it is asynchronous to the clock on a board); the
//! synchronizer delays the edge and the samples alike, so it does not move the sample point.

use rust_hdl::prelude::*;

/// Smallest supported bit time: the receiver confirms a start bit half a bit after its edge,
/// which needs at least 2 cycles, and a sample point at least one cycle from each bit edge.
pub const MIN_CYCLES_PER_BIT: u32 = 4;

/// The bit-time limits of both directions: [`MIN_CYCLES_PER_BIT`] up to 16 bits (the bit
/// counters). Panics otherwise (a generator-parameter error, checked again where users set it).
fn check_cycles_per_bit(cycles_per_bit: u32) {
    assert!(
        (MIN_CYCLES_PER_BIT..=u16::MAX as u32).contains(&cycles_per_bit),
        "cycles per bit {cycles_per_bit} out of {MIN_CYCLES_PER_BIT}..=65535"
    );
}

/// State of [`UartRx`].
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum RxState {
    /// Line idle (high), waiting for a start bit.
    Idle,
    /// Falling edge seen; confirming the start bit at its middle.
    Start,
    /// Sampling the 8 data bits, LSB first.
    Data,
    /// Sampling the stop bit.
    Stop,
    /// The stop bit was low (framing error or break): wait for the line to go high again so a
    /// held-low line is not read as a stream of zero bytes.
    WaitHigh,
}

/// 8N1 receiver: one `valid` pulse per byte with a good stop bit, one `frame_error` pulse per
/// byte whose stop bit was low.
#[derive(LogicBlock)]
pub struct UartRx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// The serial line (idle high), asynchronous to `clock`.
    pub rx: Signal<In, Bit>,
    /// The received byte; meaningful while `valid` pulses.
    pub data: Signal<Out, Bits<8>>,
    /// One-cycle pulse: `data` holds a byte received with a good stop bit.
    pub valid: Signal<Out, Bit>,
    /// One-cycle pulse: a byte ended with a low stop bit; it is dropped.
    pub frame_error: Signal<Out, Bit>,
    sync1: DFF<Bit>,
    sync2: DFF<Bit>,
    state: DFF<RxState>,
    count: DFF<Bits<16>>,
    bit_index: DFF<Bits<3>>,
    shift: DFF<Bits<8>>,
    valid_reg: DFF<Bit>,
    error_reg: DFF<Bit>,
    /// `cycles_per_bit - 1`: cycles between two samples.
    bit_last: Constant<Bits<16>>,
    /// `cycles_per_bit / 2 - 1`: from the detected edge to the middle of the start bit.
    half_last: Constant<Bits<16>>,
}

impl UartRx {
    /// A receiver for `cycles_per_bit` clock cycles per bit.
    ///
    /// # Panics
    /// If `cycles_per_bit` is below [`MIN_CYCLES_PER_BIT`] or does not fit 16 bits (a
    /// generator-parameter error, checked again where users set it).
    pub fn new(cycles_per_bit: u32) -> Self {
        check_cycles_per_bit(cycles_per_bit);
        Self {
            clock: Default::default(),
            rx: Default::default(),
            data: Default::default(),
            valid: Default::default(),
            frame_error: Default::default(),
            sync1: Default::default(),
            sync2: Default::default(),
            state: Default::default(),
            count: Default::default(),
            bit_index: Default::default(),
            shift: Default::default(),
            valid_reg: Default::default(),
            error_reg: Default::default(),
            bit_last: Constant::new((cycles_per_bit as u64 - 1).into()),
            half_last: Constant::new((cycles_per_bit as u64 / 2 - 1).into()),
        }
    }
}

impl Logic for UartRx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, sync1, sync2, state, count, bit_index, shift, valid_reg, error_reg);
        self.sync1.d.next = self.rx.val();
        self.sync2.d.next = self.sync1.q.val();
        self.valid_reg.d.next = false;
        self.error_reg.d.next = false;
        self.data.next = self.shift.q.val();
        self.valid.next = self.valid_reg.q.val();
        self.frame_error.next = self.error_reg.q.val();
        match self.state.q.val() {
            RxState::Idle => {
                self.count.d.next = 0.into();
                self.bit_index.d.next = 0.into();
                if !self.sync2.q.val() {
                    self.state.d.next = RxState::Start;
                }
            }
            RxState::Start => {
                if self.count.q.val() == self.half_last.val() {
                    self.count.d.next = 0.into();
                    if self.sync2.q.val() {
                        // A glitch, not a start bit (also what the flip-flops' power-up zero
                        // looks like).
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.state.d.next = RxState::Data;
                    }
                } else {
                    self.count.d.next = self.count.q.val() + 1;
                }
            }
            RxState::Data => {
                if self.count.q.val() == self.bit_last.val() {
                    self.count.d.next = 0.into();
                    self.shift.d.next = self.shift.q.val() >> 1;
                    if self.sync2.q.val() {
                        self.shift.d.next = (self.shift.q.val() >> 1) | 0x80;
                    }
                    self.bit_index.d.next = self.bit_index.q.val() + 1;
                    if self.bit_index.q.val() == 7 {
                        self.state.d.next = RxState::Stop;
                    }
                } else {
                    self.count.d.next = self.count.q.val() + 1;
                }
            }
            RxState::Stop => {
                if self.count.q.val() == self.bit_last.val() {
                    self.count.d.next = 0.into();
                    if self.sync2.q.val() {
                        self.valid_reg.d.next = true;
                        self.state.d.next = RxState::Idle;
                    } else {
                        self.error_reg.d.next = true;
                        self.state.d.next = RxState::WaitHigh;
                    }
                } else {
                    self.count.d.next = self.count.q.val() + 1;
                }
            }
            RxState::WaitHigh => {
                if self.sync2.q.val() {
                    self.state.d.next = RxState::Idle;
                }
            }
        }
    }
}

/// 8N1 transmitter: takes a byte when `start` is high while `ready`, and shifts out start bit,
/// 8 data bits (LSB first) and stop bit, `cycles_per_bit` cycles each.
#[derive(LogicBlock)]
pub struct UartTx {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Byte to send, sampled when `start & ready`.
    pub data: Signal<In, Bits<8>>,
    /// Request to send `data`.
    pub start: Signal<In, Bit>,
    /// Idle: a byte offered now is taken at the next edge.
    pub ready: Signal<Out, Bit>,
    /// The serial line (idle high).
    pub tx: Signal<Out, Bit>,
    busy: DFF<Bit>,
    /// Bits still to send; bit 0 is on the line.
    shift: DFF<Bits<10>>,
    count: DFF<Bits<16>>,
    bits_left: DFF<Bits<4>>,
    bit_last: Constant<Bits<16>>,
}

impl UartTx {
    /// A transmitter for `cycles_per_bit` clock cycles per bit (same limits as [`UartRx::new`]).
    pub fn new(cycles_per_bit: u32) -> Self {
        check_cycles_per_bit(cycles_per_bit);
        Self {
            clock: Default::default(),
            data: Default::default(),
            start: Default::default(),
            ready: Default::default(),
            tx: Default::default(),
            busy: Default::default(),
            shift: Default::default(),
            count: Default::default(),
            bits_left: Default::default(),
            bit_last: Constant::new((cycles_per_bit as u64 - 1).into()),
        }
    }
}

impl Logic for UartTx {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, busy, shift, count, bits_left);
        self.ready.next = !self.busy.q.val();
        // Straight from flip-flops, so the line never glitches; registers power up at zero,
        // which makes the idle line high without a reset.
        self.tx.next = !self.busy.q.val() | self.shift.q.val().get_bit(0);
        if !self.busy.q.val() {
            if self.start.val() {
                self.busy.d.next = true;
                // {stop = 1, data, start = 0}
                self.shift.d.next = (bit_cast::<10, 8>(self.data.val()) << 1) | 0x200;
                self.count.d.next = 0.into();
                self.bits_left.d.next = 9.into();
            }
        } else if self.count.q.val() == self.bit_last.val() {
            self.count.d.next = 0.into();
            if self.bits_left.q.val() == 0 {
                self.busy.d.next = false;
            } else {
                self.shift.d.next = (self.shift.q.val() >> 1) | 0x200;
                self.bits_left.d.next = self.bits_left.q.val() - 1;
            }
        } else {
            self.count.d.next = self.count.q.val() + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    /// A transmitter looped into a receiver, plus a second receiver on a line the test drives.
    #[derive(LogicBlock)]
    struct Loop {
        clock: Signal<In, Clock>,
        tx_data: Signal<In, Bits<8>>,
        tx_start: Signal<In, Bit>,
        tx_ready: Signal<Out, Bit>,
        line: Signal<Out, Bit>,
        rx_data: Signal<Out, Bits<8>>,
        rx_valid: Signal<Out, Bit>,
        rx_error: Signal<Out, Bit>,
        ext_rx: Signal<In, Bit>,
        ext_data: Signal<Out, Bits<8>>,
        ext_valid: Signal<Out, Bit>,
        ext_error: Signal<Out, Bit>,
        tx: UartTx,
        rx: UartRx,
        ext: UartRx,
    }

    impl Logic for Loop {
        #[hdl_gen]
        fn update(&mut self) {
            clock!(self, clock, tx, rx, ext);
            self.tx.data.next = self.tx_data.val();
            self.tx.start.next = self.tx_start.val();
            self.tx_ready.next = self.tx.ready.val();
            self.line.next = self.tx.tx.val();
            self.rx.rx.next = self.tx.tx.val();
            self.rx_data.next = self.rx.data.val();
            self.rx_valid.next = self.rx.valid.val();
            self.rx_error.next = self.rx.frame_error.val();
            self.ext.rx.next = self.ext_rx.val();
            self.ext_data.next = self.ext.data.val();
            self.ext_valid.next = self.ext.valid.val();
            self.ext_error.next = self.ext.frame_error.val();
        }
    }

    fn new_loop(cpb: u32) -> Loop {
        let mut uut = Loop {
            clock: Default::default(),
            tx_data: Default::default(),
            tx_start: Default::default(),
            tx_ready: Default::default(),
            line: Default::default(),
            rx_data: Default::default(),
            rx_valid: Default::default(),
            rx_error: Default::default(),
            ext_rx: Default::default(),
            ext_data: Default::default(),
            ext_valid: Default::default(),
            ext_error: Default::default(),
            tx: UartTx::new(cpb),
            rx: UartRx::new(cpb),
            ext: UartRx::new(cpb),
        };
        uut.clock.connect();
        uut.tx_data.connect();
        uut.tx_start.connect();
        uut.ext_rx.connect();
        uut.connect_all();
        uut.ext_rx.next = true;
        assert!(simulate(&mut uut, 100));
        uut
    }

    fn cycle(uut: &mut Loop) {
        uut.clock.next = true.into();
        assert!(simulate(uut, 100));
        uut.clock.next = false.into();
        assert!(simulate(uut, 100));
    }

    #[derive(Default)]
    struct Seen {
        bytes: Vec<u8>,
        errors: usize,
    }

    fn observe(uut: &Loop, internal: &mut Seen, external: &mut Seen) {
        if uut.rx_valid.val() {
            internal.bytes.push(uut.rx_data.val().to_u64() as u8);
        }
        internal.errors += uut.rx_error.val() as usize;
        if uut.ext_valid.val() {
            external.bytes.push(uut.ext_data.val().to_u64() as u8);
        }
        external.errors += uut.ext_error.val() as usize;
    }

    /// Bytes sent back to back by the transmitter arrive intact, and the line has exactly the
    /// 8N1 shape: a low start bit, the data LSB first, a high stop bit, each `cpb` cycles.
    #[test]
    fn tx_to_rx_loop_and_line_shape() {
        for cpb in [4u32, 5, 8, 13] {
            let mut uut = new_loop(cpb);
            let mut rng = StdRng::seed_from_u64(cpb as u64);
            let sent: Vec<u8> = (0..40).map(|_| rng.gen()).collect();
            let (mut internal, mut external) = (Seen::default(), Seen::default());
            let mut line = Vec::new();
            let mut next = 0;
            for _ in 0..(sent.len() as u32 + 2) * 11 * cpb {
                uut.tx_start.next = next < sent.len();
                if next < sent.len() {
                    uut.tx_data.next = (sent[next] as u64).into();
                }
                assert!(simulate(&mut uut, 100));
                let taken = uut.tx_ready.val() && next < sent.len();
                cycle(&mut uut);
                if taken {
                    next += 1;
                }
                line.push(uut.line.val());
                observe(&uut, &mut internal, &mut external);
            }
            assert_eq!(internal.bytes, sent, "cpb {cpb}");
            assert_eq!(internal.errors, 0);
            // Decode the recorded line independently of the receiver: find each start bit,
            // then read every bit at its middle.
            let mut decoded = Vec::new();
            let mut i = 0;
            while i < line.len() {
                if !line[i] {
                    let bit = |k: usize| line[i + k * cpb as usize + cpb as usize / 2];
                    if i + 10 * cpb as usize > line.len() {
                        break;
                    }
                    for k in 0..cpb as usize {
                        assert!(!line[i + k], "start bit shorter than {cpb} cycles");
                    }
                    let byte = (1..=8).fold(0u8, |b, k| b | ((bit(k) as u8) << (k - 1)));
                    assert!(bit(9), "stop bit low");
                    decoded.push(byte);
                    i += 10 * cpb as usize;
                } else {
                    i += 1;
                }
            }
            assert_eq!(decoded, sent, "cpb {cpb}: line shape");
        }
    }

    /// Drives the external receiver's line with the given levels, one per cycle.
    fn drive(uut: &mut Loop, levels: &[bool], internal: &mut Seen, external: &mut Seen) {
        for &level in levels {
            uut.ext_rx.next = level;
            cycle(uut);
            observe(uut, internal, external);
        }
    }

    fn frame(byte: u8, cpb: usize, stop: bool) -> Vec<bool> {
        let mut bits = vec![false];
        bits.extend((0..8).map(|k| byte >> k & 1 == 1));
        bits.push(stop);
        bits.iter()
            .flat_map(|&b| std::iter::repeat_n(b, cpb))
            .collect()
    }

    /// The receiver tolerates idle gaps of any length, rejects a short glitch, reports a low
    /// stop bit as a framing error without producing a byte, and ignores a held-low line
    /// (break) until it returns high.
    #[test]
    fn rx_gaps_glitches_framing_errors_and_break() {
        let cpb = 8;
        let mut uut = new_loop(cpb as u32);
        let (mut internal, mut external) = (Seen::default(), Seen::default());
        let mut rng = StdRng::seed_from_u64(99);
        let mut want = Vec::new();
        for _ in 0..30 {
            let byte: u8 = rng.gen();
            let gap = rng.gen_range(0..3 * cpb);
            drive(&mut uut, &vec![true; gap], &mut internal, &mut external);
            drive(
                &mut uut,
                &frame(byte, cpb, true),
                &mut internal,
                &mut external,
            );
            want.push(byte);
        }
        drive(&mut uut, &[true; 20], &mut internal, &mut external);
        assert_eq!(external.bytes, want);
        assert_eq!(external.errors, 0);

        // A one-cycle glitch is not a start bit.
        drive(&mut uut, &[false], &mut internal, &mut external);
        drive(&mut uut, &[true; 40], &mut internal, &mut external);
        assert_eq!(external.bytes.len(), want.len());
        assert_eq!(external.errors, 0);

        // Low stop bit: a framing error, no byte.
        drive(
            &mut uut,
            &frame(0x5a, cpb, false),
            &mut internal,
            &mut external,
        );
        drive(&mut uut, &[true; 20], &mut internal, &mut external);
        assert_eq!(external.bytes.len(), want.len());
        assert_eq!(external.errors, 1);

        // A break (line held low for 5 byte times) is one framing error, not five zero bytes.
        drive(
            &mut uut,
            &vec![false; 50 * cpb],
            &mut internal,
            &mut external,
        );
        drive(&mut uut, &[true; 20], &mut internal, &mut external);
        assert_eq!(external.bytes.len(), want.len());
        assert_eq!(external.errors, 2);

        // And it recovers.
        drive(
            &mut uut,
            &frame(0xc3, cpb, true),
            &mut internal,
            &mut external,
        );
        drive(&mut uut, &[true; 20], &mut internal, &mut external);
        assert_eq!(external.bytes.last(), Some(&0xc3));
    }

    /// A sender whose clock is off by ±3 % (bits of `cpb ± 3 %` cycles) is still received:
    /// mid-bit sampling leaves half a bit of margin over a 10-bit frame.
    #[test]
    fn rx_tolerates_baud_mismatch() {
        let cpb = 16.0f64;
        for ratio in [0.97, 1.03] {
            let mut uut = new_loop(16);
            let (mut internal, mut external) = (Seen::default(), Seen::default());
            let sent = [0x00u8, 0xff, 0x55, 0xaa, 0x81, 0x7e];
            for &byte in &sent {
                let mut bits = vec![false];
                bits.extend((0..8).map(|k| byte >> k & 1 == 1));
                bits.push(true);
                let levels: Vec<bool> = (0..(10.0 * cpb * ratio) as usize)
                    .map(|t| bits[((t as f64) / (cpb * ratio)) as usize])
                    .collect();
                drive(&mut uut, &levels, &mut internal, &mut external);
                drive(&mut uut, &[true; 3], &mut internal, &mut external);
            }
            assert_eq!(external.bytes, sent, "ratio {ratio}");
        }
    }
}
