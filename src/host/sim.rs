//! The `sim` transport: the `HostTop` Verilog (UART + link + neurocore) under Verilator, with
//! the Rust side playing the host's UART on the pins, cycle by cycle.
//!
//! Sending bit-bangs `uart_rx` (start bit, 8 data bits LSB first, stop bit, each
//! `cycles_per_bit` cycles); every cycle, `uart_tx` is sampled and decoded by an independent
//! software receiver, so the hardware's transmitter is checked by a second implementation.

use std::collections::VecDeque;

use super::transport::{Transport, TransportError};
use crate::rtl::host::{host_verilog, HostParams, HOST_MODULE};
use crate::rtl::ports::Pins;
use crate::rtl::top_ports::{HostInput, HostOutput, HostPorts};
use crate::sim::verilated::VerilatedTop;

/// Default read timeout of [`SimTransport::recv`], in clock cycles: far longer than any tick
/// of a supported core, so that only a dead device hits it.
pub const DEFAULT_READ_TIMEOUT_CYCLES: u64 = 2_000_000;

/// Software UART receiver for the device's TX line, sampled once per cycle.
#[derive(Clone, Debug)]
struct LineDecoder {
    cycles_per_bit: u64,
    /// Cycles since the first low sample of the current start bit, when receiving.
    elapsed: Option<u64>,
    shift: u8,
}

impl LineDecoder {
    fn new(cycles_per_bit: u64) -> Self {
        LineDecoder {
            cycles_per_bit,
            elapsed: None,
            shift: 0,
        }
    }

    /// One sample; a complete byte, or a framing error (`Err(())`).
    fn sample(&mut self, level: bool) -> Result<Option<u8>, ()> {
        let Some(t) = self.elapsed else {
            if !level {
                self.elapsed = Some(0);
                // A one-sample start bit is checked at its middle like every other bit.
                return self.sample_at(0, level);
            }
            return Ok(None);
        };
        let t = t + 1;
        self.elapsed = Some(t);
        self.sample_at(t, level)
    }

    fn sample_at(&mut self, t: u64, level: bool) -> Result<Option<u8>, ()> {
        let cpb = self.cycles_per_bit;
        if t % cpb != cpb / 2 {
            return Ok(None);
        }
        match t / cpb {
            0 => {
                if level {
                    self.elapsed = None; // glitch
                }
                Ok(None)
            }
            1..=8 => {
                self.shift = (self.shift >> 1) | ((level as u8) << 7);
                Ok(None)
            }
            _ => {
                self.elapsed = None;
                if level {
                    Ok(Some(self.shift))
                } else {
                    Err(())
                }
            }
        }
    }
}

/// A Verilated `HostTop` behind the [`Transport`] trait.
pub struct SimTransport {
    model: VerilatedTop<HostPorts>,
    params: HostParams,
    cycles: u64,
    decoder: LineDecoder,
    received: VecDeque<u8>,
    read_timeout_cycles: u64,
    rx_level: bool,
}

impl SimTransport {
    /// Builds (or loads from `target/neurofab-verilator`) the model of a `HostTop` with
    /// `params`, and idles the line for a few bit times so the receiver is settled.
    pub fn new(params: HostParams) -> Result<Self, TransportError> {
        let verilog = host_verilog(&params);
        let model = VerilatedTop::new(&verilog, HOST_MODULE, params.shape)?;
        let mut sim = SimTransport {
            model,
            decoder: LineDecoder::new(params.cycles_per_bit as u64),
            params,
            cycles: 0,
            received: VecDeque::new(),
            read_timeout_cycles: DEFAULT_READ_TIMEOUT_CYCLES,
            rx_level: false,
        };
        sim.idle(4)?;
        Ok(sim)
    }

    /// The hardware parameters being simulated.
    pub fn params(&self) -> &HostParams {
        &self.params
    }

    /// Clock cycles simulated so far.
    pub fn cycles(&self) -> u64 {
        self.cycles
    }

    /// Sets how many cycles [`Transport::recv`] waits for a byte.
    pub fn set_read_timeout_cycles(&mut self, cycles: u64) {
        self.read_timeout_cycles = cycles;
    }

    /// One clock cycle with `rx` driven to `level`.
    fn step(&mut self, level: bool) -> Result<(), TransportError> {
        if level != self.rx_level {
            self.model.set(HostInput::UartRx, level as u64);
            self.rx_level = level;
        }
        self.model.cycle();
        self.cycles += 1;
        let tx = self.model.get(HostOutput::UartTx) != 0;
        match self.decoder.sample(tx) {
            Ok(Some(byte)) => self.received.push_back(byte),
            Ok(None) => {}
            Err(()) => return Err(TransportError::SimFraming { cycle: self.cycles }),
        }
        Ok(())
    }

    /// Sends one byte; `stop_bit = false` makes a framing error.
    pub fn send_byte(&mut self, byte: u8, stop_bit: bool) -> Result<(), TransportError> {
        let cpb = self.params.cycles_per_bit;
        let mut bits = [true; 10];
        bits[0] = false;
        for (k, bit) in bits[1..9].iter_mut().enumerate() {
            *bit = byte >> k & 1 == 1;
        }
        bits[9] = stop_bit;
        for bit in bits {
            for _ in 0..cpb {
                self.step(bit)?;
            }
        }
        Ok(())
    }

    /// Runs `cycles` clock cycles with the line idle.
    pub fn idle_cycles(&mut self, cycles: u64) -> Result<(), TransportError> {
        for _ in 0..cycles {
            self.step(true)?;
        }
        Ok(())
    }
}

impl Transport for SimTransport {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        for &b in bytes {
            self.send_byte(b, true)?;
        }
        Ok(())
    }

    fn recv(&mut self) -> Result<Option<u8>, TransportError> {
        let mut waited = 0;
        while self.received.is_empty() && waited < self.read_timeout_cycles {
            self.step(true)?;
            waited += 1;
        }
        Ok(self.received.pop_front())
    }

    fn idle(&mut self, bit_times: u64) -> Result<(), TransportError> {
        self.idle_cycles(bit_times * self.params.cycles_per_bit as u64)
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        self.received.clear();
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "sim ({}x{} core, {} cycles per bit)",
            self.params.shape.neurons, self.params.shape.axons, self.params.cycles_per_bit
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The software receiver decodes a hand-made 8N1 waveform and flags a low stop bit.
    #[test]
    fn line_decoder() {
        let cpb = 4;
        let wave = |byte: u8, stop: bool| -> Vec<bool> {
            let mut bits = vec![false];
            bits.extend((0..8).map(|k| byte >> k & 1 == 1));
            bits.push(stop);
            bits.into_iter()
                .flat_map(|b| std::iter::repeat_n(b, cpb))
                .collect()
        };
        let mut d = LineDecoder::new(cpb as u64);
        let mut out = Vec::new();
        let mut line = vec![true; 3];
        line.extend(wave(0xa5, true));
        line.extend(wave(0x00, true));
        line.extend([true; 7]);
        line.extend(wave(0xff, true));
        for level in line {
            if let Some(b) = d.sample(level).unwrap() {
                out.push(b);
            }
        }
        assert_eq!(out, vec![0xa5, 0x00, 0xff]);
        let mut d = LineDecoder::new(cpb as u64);
        let results: Vec<_> = wave(0x12, false).into_iter().map(|l| d.sample(l)).collect();
        assert!(results.contains(&Err(())));
    }
}
