//! Block-level tests, each driving one block at its own ports against the golden arithmetic:
//! the [`LifUnit`](super::lif_unit::LifUnit) against `fixed::lif_update`, the
//! [`SramSynapses`](super::sram_synapses::SramSynapses) stage against its word-level mirror,
//! and a deliberately slow synapse stage composed with the core sequencer against the golden
//! model.

mod lif_unit;
mod slow_stage;
mod sram_synapses;
mod stdp_rule;
mod stdp_synapses;
