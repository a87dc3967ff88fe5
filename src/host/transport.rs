//! Byte transports under the host driver: a real serial port, or (in [`super::sim`]) the
//! Verilated `HostTop` whose UART pins are driven cycle by cycle.

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::time::Duration;

use thiserror::Error;

/// A transport failed.
#[derive(Debug, Error)]
pub enum TransportError {
    /// The serial port could not be opened or configured.
    #[error("cannot open serial port {port}: {source}")]
    Open {
        /// The port's name.
        port: String,
        /// Why.
        source: serialport::Error,
    },
    /// Reading or writing the port failed.
    #[error("serial port {port}: {source}")]
    Io {
        /// The port's name.
        port: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The simulated line carried a byte with a low stop bit (the device's transmitter is
    /// broken).
    #[error("framing error on the simulated device's TX line at cycle {cycle}")]
    SimFraming {
        /// Clock cycle of the bad stop bit.
        cycle: u64,
    },
    /// The simulation model could not be built.
    #[error(transparent)]
    Verilator(#[from] crate::export::verilator::VerilatorError),
}

/// A full-duplex byte stream to a device.
pub trait Transport {
    /// Sends bytes, in order.
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError>;
    /// The next received byte, or `None` when nothing arrives within the transport's read
    /// timeout.
    fn recv(&mut self) -> Result<Option<u8>, TransportError>;
    /// Keeps the line idle for at least `bit_times` bit times (to let the device's receiver
    /// resynchronise after an error).
    fn idle(&mut self, bit_times: u64) -> Result<(), TransportError>;
    /// Discards every byte received so far and not yet read.
    fn flush_input(&mut self) -> Result<(), TransportError>;
    /// A short description for messages (`/dev/ttyUSB1 @ 115200`, `sim`).
    fn describe(&self) -> String;
}

/// A serial port (8N1, no flow control) through the `serialport` crate.
pub struct SerialTransport {
    port: Box<dyn serialport::SerialPort>,
    name: String,
    baud: u32,
    buffer: VecDeque<u8>,
}

impl SerialTransport {
    /// Opens `name` at `baud`; a read returns `None` after `read_timeout` without data.
    pub fn open(name: &str, baud: u32, read_timeout: Duration) -> Result<Self, TransportError> {
        let port = serialport::new(name, baud)
            .data_bits(serialport::DataBits::Eight)
            .parity(serialport::Parity::None)
            .stop_bits(serialport::StopBits::One)
            .flow_control(serialport::FlowControl::None)
            .timeout(read_timeout)
            .open()
            .map_err(|source| TransportError::Open {
                port: name.to_string(),
                source,
            })?;
        Ok(SerialTransport {
            port,
            name: name.to_string(),
            baud,
            buffer: VecDeque::new(),
        })
    }

    fn io(&self) -> impl FnOnce(std::io::Error) -> TransportError {
        let port = self.name.clone();
        move |source| TransportError::Io { port, source }
    }
}

impl Transport for SerialTransport {
    fn send(&mut self, bytes: &[u8]) -> Result<(), TransportError> {
        // One write per frame: the OS and a USB-serial bridge then send it without gaps
        // longer than the device's inter-byte timeout.
        self.port.write_all(bytes).map_err(self.io())?;
        self.port.flush().map_err(self.io())
    }

    fn recv(&mut self) -> Result<Option<u8>, TransportError> {
        if let Some(b) = self.buffer.pop_front() {
            return Ok(Some(b));
        }
        let mut chunk = [0u8; 4096];
        match self.port.read(&mut chunk) {
            Ok(0) => Ok(None),
            Ok(n) => {
                self.buffer.extend(&chunk[..n]);
                Ok(self.buffer.pop_front())
            }
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => Ok(None),
            Err(e) => Err(self.io()(e)),
        }
    }

    fn idle(&mut self, bit_times: u64) -> Result<(), TransportError> {
        let seconds = bit_times as f64 / self.baud as f64;
        std::thread::sleep(Duration::from_secs_f64(seconds) + Duration::from_millis(1));
        Ok(())
    }

    fn flush_input(&mut self) -> Result<(), TransportError> {
        self.buffer.clear();
        self.port
            .clear(serialport::ClearBuffer::Input)
            .map_err(|e| TransportError::Io {
                port: self.name.clone(),
                source: e.into(),
            })
    }

    fn describe(&self) -> String {
        format!("{} @ {} baud", self.name, self.baud)
    }
}
