//! neurofab: a Rust hardware generator for digital neuromorphic processors.
//!
//! The crate is organised by role:
//! - [`fixed`]: the fixed-point primitives of the Loihi CUBA-LIF arithmetic, shared by every engine;
//! - [`shape`]: the core shapes this build generates, one table for every top;
//! - [`model`]: network files, the golden behavioural model and the spike CSV;
//! - [`map`]: placement of a network onto a neurocore and its memory images;
//! - [`rtl`]: the rust-hdl hardware blocks, their port tables and their rust-hdl engine (a leaf:
//!   it depends only on `fixed` and `shape`);
//! - [`sim`]: the three engines (golden, rtl, verilator) behind one interface, and stimulus;
//! - [`export`]: Verilog generation, memory images and the Verilator flow;
//! - [`import`]: NIR graphs in (and networks back out);
//! - [`demo`]: the demonstrations (the STDP window, the 8x8 digits classifier of
//!   `neurofab demo digits`);
//! - [`cli`]: the `neurofab` command line.

pub mod analog;
pub mod cli;
pub mod demo;
pub mod export;
pub mod fixed;
pub mod host;
pub mod import;
pub mod map;
pub mod model;
pub mod plot;
pub mod rtl;
pub mod shape;
pub mod sim;
