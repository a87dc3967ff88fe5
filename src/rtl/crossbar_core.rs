//! The crossbar neurocore: the [`CoreSequencer`](super::core_sequencer::CoreSequencer) wired to
//! the memristor crossbar synapse stage ([`CrossbarSynapses`]) instead of the synapse SRAM.
//! Wiring only: the composition is [`NeuroCore`](super::neurocore::NeuroCore)'s, from the same
//! macro; the pins, protocol and tick are the same. What differs is in the stage
//! ([`crossbar_synapses`](super::crossbar_synapses)): the array lives behind the
//! `neurofab_xbar_macro` black box, a row axon's event latches its row, and the last axon
//! (the sum axon, delivered by the fabric after a tick's other events) reads every column
//! through the `CROSSBAR_ADC_BITS`-bit ADC ([`crate::shape::CROSSBAR_ADC_BITS`]).

use rust_hdl::prelude::*;

use super::cfg_bus::CFG_TARGET_WIDTH;
use super::core_sequencer::CoreSequencer;
use super::crossbar_synapses::CrossbarSynapses;
use super::neurocore::composed_core;
use crate::analog::column_read::ColumnReader;
use crate::shape::CROSSBAR_ADC_BITS;

/// The ADC's bits as a const generic argument.
const ADC_BITS: usize = CROSSBAR_ADC_BITS as usize;

composed_core!(
    /// A crossbar neurocore with `2^NB` neurons and `2^AB` axons ([`CrossbarSynapses`] with
    /// `2^NB1` physical columns and a `CROSSBAR_ADC_BITS`-bit ADC).
    CrossbarCore,
    CrossbarSynapses<NB, AB, GB, NB1, ADC_BITS>
);

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
    > CrossbarCore<NB, AB, GB, SB, NB1, AB1>
{
    /// Puts a programmed array (`2^AB` rows, `2^NB` logical columns) behind the macro's pins:
    /// the rtl engine's behavioural model of `neurofab_xbar_macro`.
    pub fn load_array(&mut self, reader: ColumnReader) {
        self.synapses.array.load(reader);
    }
}
