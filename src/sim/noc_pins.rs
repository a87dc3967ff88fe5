//! The pins of a network-on-chip fabric as seen by a cycle-level driver, independent of the
//! engine.
//!
//! A fabric has `ports()` local ports; each is an inject link into the fabric and an eject
//! link out of it, both valid/ready. For a mesh ([`crate::rtl::noc::Mesh`]) port `i` is node
//! `i`'s Local port; for a single router ([`crate::rtl::router::Router`]) port `p` is router port
//! `p` (North, East, South, West, Local), its input link as "inject" and its output link as
//! "eject". The rust-hdl simulation ([`crate::rtl::noc_sim`]) and the Verilator model
//! ([`super::verilated_noc`]) both implement [`NocPins`], so one traffic driver
//! ([`super::noc_traffic`]) runs on either.
//!
//! # Timing contract
//! Inputs set before [`NocPins::cycle`] are sampled at its rising edge. Outputs read after
//! setting inputs show the state after the last edge; in these fabrics no output depends
//! combinationally on an input, so a driver may read `inject_ready` and `eject_valid` first and
//! then decide what to drive. A flit moves on a link at an edge where `valid & ready`.

/// Cycle-level access to a NoC fabric.
pub trait NocPins {
    /// Number of local ports (nodes of a mesh, 5 for a router).
    fn ports(&self) -> usize;
    /// Offers `flit` on `port`'s inject link (or withdraws the offer when `valid` is false).
    fn set_inject(&mut self, port: usize, valid: bool, flit: u32);
    /// Whether `port`'s inject link takes a flit at the next edge.
    fn inject_ready(&mut self, port: usize) -> bool;
    /// The flit offered on `port`'s eject link, if any.
    fn eject(&mut self, port: usize) -> Option<u32>;
    /// Whether the driver takes `port`'s ejected flit at the next edge.
    fn set_eject_ready(&mut self, port: usize, ready: bool);
    /// Advances one clock cycle (one rising edge).
    fn cycle(&mut self);
    /// Clock cycles run so far.
    fn cycles(&self) -> u64;
}
