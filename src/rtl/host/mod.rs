//! The UART host link: a serial port into one neurocore.
//!
//! - [`uart`]: 8N1 receiver and transmitter;
//! - [`crc`]: CRC-16/CCITT-FALSE, one byte per cycle.

pub mod crc;
pub mod uart;
pub mod link;
