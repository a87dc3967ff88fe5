//! The learning neurocore: the [`CoreSequencer`](super::core_sequencer::CoreSequencer) wired
//! to the STDP synapse stage ([`StdpSynapses`]) instead of the synapse SRAM. Wiring only: the
//! composition is [`NeuroCore`](super::neurocore::NeuroCore)'s, from the same macro; the pins,
//! protocol and tick are the same, plus the learning configuration targets (`SynapseHigh`,
//! `LearnAxon`, `PostTrace`, `LearnRule`, `LearnControl`) and the learning window's cycles
//! at the end of each tick (see [`stdp_synapses`](super::stdp_synapses)).

use rust_hdl::prelude::*;

use super::cfg_bus::CFG_TARGET_WIDTH;
use super::core_sequencer::CoreSequencer;
use super::neurocore::composed_core;
use super::stdp_synapses::StdpSynapses;

composed_core!(
    /// A learning neurocore with `2^NB` neurons and `2^AB` axons ([`StdpSynapses`]).
    LearningCore,
    StdpSynapses<NB, AB, GB, SB, AB1>
);
