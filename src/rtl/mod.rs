//! Synthesizable hardware blocks, described with rust-hdl.
//!
//! Everything that touches rust-hdl lives under this module, so that the rest of the crate
//! (model, mapper, engines, CLI) depends only on our own types and the HDL library stays
//! replaceable.

pub mod aer;
pub mod core_sim;
pub mod layout;
pub mod lif_unit;
pub mod neurocore;
pub mod noc;
pub mod noc_sim;
pub mod router;
