//! The UART host link (temporary module list until the core split lands).
pub mod crc;
pub mod link;
pub mod uart;
