//! The host side of the UART link: protocol codecs, byte transports (a serial port, or the
//! Verilated `HostTop`), and a driver that runs networks on a device.
//!
//! The protocol is specified in `docs/host-protocol.md`; the hardware side is
//! `rtl::host`.

pub mod driver;
pub mod protocol;
pub mod sim;
pub mod transport;
