//! Placement of a network onto a crossbar core (`rtl::crossbar_core`): the projections'
//! weights programmed into the memristor array behind the `neurofab_xbar_macro` pins, the
//! rows latched by axon events, and the sum axon that reads every column once per tick.
//!
//! The layout is the golden crossbar stage's (`model::crossbar`), which this mapper builds
//! and takes the programmed array from, so both engines read the same devices:
//! - Projection `p`'s pre neuron `i` is axon (row) `row_base[p] + i`, projections in file
//!   order; populations take consecutive neurons (columns) in file order.
//! - A row axon's descriptor covers group 0 only, slot 0, no pre-shift: its event latches the
//!   row and is answered with a zero word (one cycle, adds 0).
//! - The **sum axon** is the last axon (`axons - 1`, reserved by the golden stage). Its
//!   descriptor covers every used group; its words are `d = code(G+) - code(G-)` per neuron,
//!   scaled by `e = weight_exp + lsb_exp` (one `weight_exp` for the whole network): slot 0
//!   with pre-shift `e` when `e >= 0` (exact), else slot 1 with every neuron's slot-1 shift
//!   `-e` (a floor shift of the tick's one sum, as `shift_exp` does). The fabric (the driver)
//!   delivers it after the tick's other events when the tick has any; a tick without events
//!   reads nothing, as golden defines.
//! - The array is programmed ideally (`ColumnReader::set_weight`: each device at its target
//!   level of its own, varied, range): write-verify through the macro's program pins is not
//!   used to load it yet.

use crate::analog::column_read::{ColumnReader, CrossbarParams};
use crate::model::crossbar::CrossbarSynapses;
use crate::model::{Network, Source};
use crate::rtl::crossbar_synapses::SETTLE_CYCLES;
use crate::rtl::layout::{AxonWord, CfgTarget, ConfigWrite, ACC_SLOTS, WEIGHTS_PER_WORD};
use crate::shape::{CoreShape, CROSSBAR_ADC_BITS, CROSSBAR_SHAPES};

use super::{neuron_word, no_axons, CoreImage, MapError, MAX_ABS_ACTIVATION};

/// Largest left pre-shift of an axon descriptor (its 3-bit field).
const MAX_PRE_SHIFT: i32 = 7;
/// Largest slot shift of a neuron word (its 4-bit field).
const MAX_SLOT_SHIFT: i32 = 15;

/// What a crossbar core holds besides an ordinary core image.
#[derive(Clone, Debug)]
pub struct CrossbarImage {
    /// The programmed array, for the macro's behavioural model.
    pub reader: ColumnReader,
    /// The sum axon (the core's last).
    pub sum_axon: usize,
    /// Its descriptor (`AxonWord`, packed).
    pub sum_axon_word: u32,
}

impl CrossbarImage {
    /// The crossbar's configuration writes: the sum axon's descriptor and the settle time.
    pub fn config_writes(&self, writes: &mut Vec<ConfigWrite>) {
        writes.push(ConfigWrite {
            target: CfgTarget::AxonMeta,
            addr: self.sum_axon as u32,
            data: self.sum_axon_word,
        });
        writes.push(ConfigWrite {
            target: CfgTarget::XbarSettle,
            addr: 0,
            data: SETTLE_CYCLES as u32,
        });
    }
}

/// Physical columns one ADC converts in the crossbar core of `shape`: all of them (one SAR
/// ADC behind the column multiplexer).
pub fn built_columns_per_adc(shape: CoreShape) -> usize {
    2 * shape.neurons
}

/// Refuses `params` whose ADC bits or column multiplexing differ from what the crossbar core
/// of `shape` is built with (names the `[crossbar]` field).
pub fn check_built(params: &CrossbarParams, shape: CoreShape) -> Result<(), MapError> {
    if params.adc_bits != CROSSBAR_ADC_BITS {
        return Err(MapError::CrossbarBuild(format!(
            "crossbar.adc_bits is {} but the crossbar core is built with a {}-bit ADC; set \
             adc_bits = {} (or run on the golden engine)",
            params.adc_bits, CROSSBAR_ADC_BITS, CROSSBAR_ADC_BITS
        )));
    }
    let built = built_columns_per_adc(shape);
    if params.columns_per_adc != built {
        return Err(MapError::CrossbarBuild(format!(
            "crossbar.columns_per_adc is {} but the {}x{} crossbar core is built with one ADC \
             over all {built} physical columns; set columns_per_adc = {built} (or run on the \
             golden engine)",
            params.columns_per_adc, shape.neurons, shape.axons
        )));
    }
    Ok(())
}

/// Places `net` on a crossbar core of `shape` with the array and ADC of `params`.
pub fn map_crossbar(
    net: &Network,
    shape: CoreShape,
    params: CrossbarParams,
) -> Result<CoreImage, MapError> {
    if !CROSSBAR_SHAPES.contains(&(shape.neurons, shape.axons)) {
        return Err(MapError::NoCrossbarCore {
            neurons: shape.neurons,
            axons: shape.axons,
        });
    }
    check_built(&params, shape)?;
    // The golden stage checks the fit (rows with the sum axon, columns, levels, one
    // weight_exp, no learning) and programs the array.
    let golden = CrossbarSynapses::new(net, shape.axons, shape.neurons, params)
        .map_err(|e| MapError::CrossbarBuild(e.to_string()))?;
    let weight_exp = net.projections.first().map_or(0, |p| p.weight_exp);
    let code_exp = weight_exp + params.lsb_exp;
    if !(-MAX_SLOT_SHIFT..=MAX_PRE_SHIFT).contains(&code_exp) {
        return Err(MapError::CrossbarBuild(format!(
            "weight_exp + crossbar.lsb_exp = {weight_exp} + {} = {code_exp} is out of the \
             core's range -{MAX_SLOT_SHIFT}..={MAX_PRE_SHIFT}",
            params.lsb_exp
        )));
    }
    // |a| <= shift_exp(2^b - 1, e): the largest code difference, scaled.
    let max_code = (1i64 << params.adc_bits) - 1;
    let bound = crate::fixed::shift_exp(max_code, code_exp);
    if bound > MAX_ABS_ACTIVATION {
        return Err(MapError::CrossbarBuild(format!(
            "a column sum reaches |a| = {bound} ({max_code} codes at exponent {code_exp}), \
             beyond the core's exact range {MAX_ABS_ACTIVATION}; lower weight_exp or lsb_exp"
        )));
    }

    let neuron_count = net.total_neurons();
    let mut population_base = Vec::with_capacity(net.populations.len());
    let mut next_neuron = 0;
    for pop in &net.populations {
        population_base.push(next_neuron);
        next_neuron += pop.size;
    }
    let (slot, pre_shift, slot_shifts) = if code_exp >= 0 {
        (0, code_exp as u64, [0u64; ACC_SLOTS - 1])
    } else {
        let mut shifts = [0u64; ACC_SLOTS - 1];
        shifts[0] = (-code_exp) as u64;
        (1, 0, shifts)
    };
    let neuron_words = net
        .populations
        .iter()
        .flat_map(|pop| pop.params.iter().map(|p| neuron_word(p, slot_shifts)))
        .collect();

    let row_word = AxonWord {
        first_group: 0,
        last_group: 0,
        slot: 0,
        pre_shift: 0,
    }
    .pack();
    let mut axon_words = Vec::new();
    let (mut input_axons, mut population_axons) = no_axons(net);
    for proj in &net.projections {
        for pre in 0..net.source_size(proj.from) {
            let axon = axon_words.len();
            axon_words.push(row_word);
            match proj.from {
                Source::Input(i) => input_axons[i][pre].push(axon),
                Source::Population(p) => population_axons[p][pre].push(axon),
            }
        }
    }
    let sum_axon_word = AxonWord {
        first_group: 0,
        last_group: (neuron_count.max(1) - 1) as u64 / WEIGHTS_PER_WORD as u64,
        slot,
        pre_shift,
    }
    .pack();

    Ok(CoreImage {
        shape,
        neuron_count,
        population_base,
        synapse_words: Vec::new(),
        axon_words,
        neuron_words,
        input_axons,
        population_axons,
        learning: None,
        crossbar: Some(CrossbarImage {
            reader: golden.reader().clone(),
            sum_axon: shape.axons - 1,
            sum_axon_word,
        }),
    })
}
