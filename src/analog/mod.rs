//! The analog side of a memristor crossbar, behaviourally: what the crossbar controller (issue
//! "crossbar interface with ADC controller") reads and programs, modelled precisely enough to
//! trust, and checked against SPICE.
//!
//! - [`device`]: one 1T1R cell — `L` conductance levels between `G_off` and `G_on`,
//!   device-to-device variation (lognormal), read noise, and a programming response that is
//!   nonlinear and asymmetric per pulse with cycle-to-cycle noise; all seeded and deterministic.
//!   Signed weights are differential pairs `G+ - G-` ([`device::CrossbarArray`]).
//! - [`nodal`]: the read path as a resistive network — row drivers with source resistance, row
//!   and column wire segments, cells, sense resistances into virtual-ground sense nodes —
//!   solved exactly by nodal analysis (sparse Cholesky), and the closed form `sum V G` that it
//!   reduces to when every wire, source and sense resistance is 0.
//! - [`column_read`]: one read as the crossbar synapse stage does it (active rows driven
//!   together, read noise in a defined order, column values in ADC LSB).
//! - [`xbar_file`]: the `XBAR.json` input of `neurofab crossbar solve`.
//!
//! Plain Rust like [`crate::model`]: no rust-hdl, nothing from `rtl`.

pub mod column_read;
pub mod device;
pub mod nodal;
pub mod program;
pub mod xbar_file;
