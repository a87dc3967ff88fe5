//! Placement of a network onto one neurocore, and the core's memory images.
//!
//! - Populations take consecutive neuron ranges, in file order.
//! - Every projection gets its own range of axons, one per neuron (or input) of its source, so
//!   that each axon carries exactly one `weight_exp` and feeds exactly one target population.
//!   A source neuron with `k` outgoing projections therefore owns `k` axons, and one spike of it
//!   becomes `k` axon events.
//! - Accumulator slots: into each population, all projections with `weight_exp >= 0` share slot
//!   0 (their weights are pre-shifted left on the way in, which is exact); each projection with
//!   `weight_exp < 0` gets a slot of its own (slots 1..=3), right-shifted with floor only when
//!   the tick's sum is complete, as the spec demands.

pub mod crossbar;
pub mod fit;
pub mod learning;
pub mod mesh;

use thiserror::Error;

use crate::fixed::LifParams;
use crate::model::{Network, Source};
use crate::rtl::layout::{
    pack_synapse_word, AxonWord, CfgTarget, ConfigWrite, NeuronWord, ACC_SLOTS, WEIGHTS_PER_WORD,
};
use crate::shape::CoreShape;
use learning::{LearningImage, LearningImageBuilder, LearningRow};

/// Largest |a| (synaptic input of one neuron in one tick) the core computes exactly.
///
/// The core stores `u` in 25 bits. The spec wraps `u' = decay(u) + (a << 6)` once; with
/// |decay(u)| <= 2^23 and |a << 6| <= 2^24 a single wrap lands back in [-2^23, 2^23], so `u`
/// always fits. Larger inputs would need more than one wrap, which the spec (and Lava) do not
/// do, and would leave `u` unbounded; the mapper rejects such networks up front, using the
/// static bound of [`Network::max_abs_synaptic_input`].
pub const MAX_ABS_ACTIVATION: i64 = 1 << (24 - crate::fixed::ACTIVATION_SHIFT);

/// Why a network does not fit a core.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MapError {
    /// A learning projection on a path that does not learn (yet).
    #[error(
        "{projection} is a learning (STDP) projection, and learning on {path} is not built \
         yet; run the network with neurofab sim --engine golden|rtl|verilator (one core or \
         --mesh) or neurofab run --port sim"
    )]
    LearningNotBuilt {
        /// The projection, as [`projection_name`] names it.
        projection: String,
        /// What does not learn (`the host link to a board ...`).
        path: &'static str,
    },
    /// A learning projection, and the core shape has no learning core.
    #[error(
        "{projection} is a learning (STDP) projection, and the learning core is not generated \
         in the shape {neurons}x{axons} (learning core shapes: {})",
        crate::shape::shape_list_text(&crate::shape::LEARNING_SHAPES)
    )]
    NoLearningCore {
        /// The projection, as [`projection_name`] names it.
        projection: String,
        /// Requested neurons.
        neurons: usize,
        /// Requested axons.
        axons: usize,
    },
    /// More learning projections than the learning core has rules.
    #[error(
        "{projection} is learning projection number {} of the core, and a learning core has {} \
         rules (one per learning projection)",
        crate::rtl::layout::LEARN_RULES + 1,
        crate::rtl::layout::LEARN_RULES
    )]
    TooManyLearningRules {
        /// The projection, as [`projection_name`] names it.
        projection: String,
    },
    /// A crossbar network, and the shape has no crossbar core.
    #[error(
        "the crossbar core is not generated in the shape {neurons}x{axons} (crossbar core \
         shapes: {})",
        crate::shape::shape_list_text(&crate::shape::CROSSBAR_SHAPES)
    )]
    NoCrossbarCore {
        /// Requested neurons.
        neurons: usize,
        /// Requested axons.
        axons: usize,
    },
    /// A crossbar network does not fit the crossbar core as built (its message names the
    /// field or projection).
    #[error("{0}")]
    CrossbarBuild(String),
    /// The shape is not one this build generates.
    #[error(
        "core shape {neurons} neurons x {axons} axons is not supported (supported: {supported})"
    )]
    UnsupportedShape {
        /// Requested neurons.
        neurons: usize,
        /// Requested axons.
        axons: usize,
        /// The supported list, formatted.
        supported: String,
    },
    /// Too many neurons.
    #[error("network needs {needed} neurons but the core has {available} ({} too many)", needed - available)]
    TooManyNeurons {
        /// Neurons the network needs.
        needed: usize,
        /// Neurons the core has.
        available: usize,
    },
    /// Too many axons.
    #[error(
        "network needs {needed} axons (one per source neuron per projection) but the core has {available} ({} too many)",
        needed - available
    )]
    TooManyAxons {
        /// Axons the network needs.
        needed: usize,
        /// Axons the core has.
        available: usize,
    },
    /// Too many projections with negative `weight_exp` into one population.
    #[error(
        "population `{population}` receives {count} projections with negative weight_exp; the core has {} accumulator slots for them",
        ACC_SLOTS - 1
    )]
    TooManyNegativeExponents {
        /// Population name.
        population: String,
        /// Number of such projections.
        count: usize,
    },
    /// A neuron's worst-case synaptic input exceeds what the 25-bit `u` handles exactly.
    #[error(
        "population `{population}` neuron {neuron}: worst-case synaptic input |a| = {bound} exceeds the core's exact range {limit} (u would need more than one wrap); lower weight_exp or the weights"
    )]
    InputRange {
        /// Population name.
        population: String,
        /// Neuron index within the population.
        neuron: usize,
        /// Its static bound on |a|.
        bound: i64,
        /// [`MAX_ABS_ACTIVATION`].
        limit: i64,
    },
}

/// A network placed on one core: the memory images and the tables that turn spikes into
/// axon events.
#[derive(Clone, Debug)]
pub struct CoreImage {
    /// Hardware shape.
    pub shape: CoreShape,
    /// Neurons in use (`0..neuron_count`).
    pub neuron_count: usize,
    /// First core neuron of each population.
    pub population_base: Vec<usize>,
    /// Synapse words to write, as `(address, word)`; rows of unused axons are never read.
    pub synapse_words: Vec<(usize, u32)>,
    /// Axon descriptors, index = axon.
    pub axon_words: Vec<u32>,
    /// Hardware parameter words, index = core neuron.
    pub neuron_words: Vec<NeuronWord>,
    /// Axons driven by each input neuron: `input_axons[input][index]`.
    pub input_axons: Vec<Vec<Vec<usize>>>,
    /// Axons driven by each population neuron: `population_axons[pop][neuron]`.
    pub population_axons: Vec<Vec<Vec<usize>>>,
    /// The learning stage's configuration, for a network with learning projections (which
    /// needs a [`LearningCore`](crate::rtl::learning_core::LearningCore)); `None` otherwise.
    pub learning: Option<LearningImage>,
    /// The crossbar (array, sum axon), for a network mapped onto a
    /// [`CrossbarCore`](crate::rtl::crossbar_core::CrossbarCore) by [`crossbar::map_crossbar`];
    /// `None` otherwise.
    pub crossbar: Option<crossbar::CrossbarImage>,
}

impl CoreImage {
    /// The axons driven by one source neuron.
    pub fn axons_of(&self, source: Source, index: usize) -> &[usize] {
        match source {
            Source::Input(i) => &self.input_axons[i][index],
            Source::Population(p) => &self.population_axons[p][index],
        }
    }

    /// Axons in use.
    pub fn axon_count(&self) -> usize {
        self.axon_words.len()
    }

    /// The configuration-port writes that load this image into a core: synapse words, axon
    /// descriptors, the three parameter words of every used neuron, the neuron count, the
    /// learning stage's words if the network learns ([`LearningImage::config_writes`]), the
    /// crossbar's sum axon and settle time on a crossbar core
    /// ([`crossbar::CrossbarImage::config_writes`]), and
    /// finally `Clear`, which zeroes every state and accumulator and empties the event queue.
    pub fn config_writes(&self) -> Vec<ConfigWrite> {
        let write = |target, addr: usize, data| ConfigWrite {
            target,
            addr: addr as u32,
            data,
        };
        let mut writes = Vec::with_capacity(
            self.synapse_words.len() + self.axon_words.len() + 3 * self.neuron_words.len() + 2,
        );
        for &(addr, word) in &self.synapse_words {
            writes.push(write(CfgTarget::Synapse, addr, word));
        }
        for (axon, &word) in self.axon_words.iter().enumerate() {
            writes.push(write(CfgTarget::AxonMeta, axon, word));
        }
        for (neuron, word) in self.neuron_words.iter().enumerate() {
            writes.push(write(CfgTarget::ParamDecay, neuron, word.param_decay()));
            writes.push(write(
                CfgTarget::ParamBiasShift,
                neuron,
                word.param_bias_shift(),
            ));
            writes.push(write(
                CfgTarget::ParamThreshold,
                neuron,
                word.param_threshold(),
            ));
        }
        writes.push(write(CfgTarget::NeuronCount, 0, self.neuron_count as u32));
        if let Some(learning) = &self.learning {
            learning.config_writes(self.shape, &mut writes);
        }
        if let Some(crossbar) = &self.crossbar {
            crossbar.config_writes(&mut writes);
        }
        writes.push(write(CfgTarget::Clear, 0, 0));
        writes
    }
}

/// The hardware encoding of one neuron's parameters and slot shifts.
pub fn neuron_word(params: &LifParams, slot_shifts: [u64; ACC_SLOTS - 1]) -> NeuronWord {
    NeuronWord {
        u_factor: (4095 - params.du) as u64,
        v_factor: (4096 - params.dv) as u64,
        slot_shifts,
        bias: params.bias(),
        threshold: params.threshold() as u64,
    }
}

/// Axons driven by each neuron of each input or population: `lists[source][neuron]`.
pub(crate) type AxonLists = Vec<Vec<Vec<usize>>>;

/// Empty axon lists for every input neuron and every population neuron (the shapes of
/// [`CoreImage::input_axons`] and [`CoreImage::population_axons`]), to be filled by a mapper.
pub(crate) fn no_axons(net: &Network) -> (AxonLists, AxonLists) {
    (
        net.inputs
            .iter()
            .map(|i| vec![Vec::new(); i.size])
            .collect(),
        net.populations
            .iter()
            .map(|p| vec![Vec::new(); p.size])
            .collect(),
    )
}

/// Refuses a network with a learning projection (naming the first) on `path` (`a mesh`, `the
/// host link to a board`, ...), which does not learn: only one core (golden, rtl, verilator,
/// `run --port sim`) does.
pub fn check_no_learning(net: &Network, path: &'static str) -> Result<(), MapError> {
    match net.learning_projections().next() {
        Some((index, _, _)) => Err(MapError::LearningNotBuilt {
            projection: projection_name(net, index),
            path,
        }),
        None => Ok(()),
    }
}

/// A projection as errors name it: `projections[3] (in -> p0)`.
pub fn projection_name(net: &Network, index: usize) -> String {
    let proj = &net.projections[index];
    format!(
        "projections[{index}] ({} -> {})",
        net.source_name(proj.from),
        net.populations[proj.to].name
    )
}

/// Places `net` on a core of `shape`; a network with learning projections on a learning core
/// (see [`learning`]).
pub fn map_network(net: &Network, shape: CoreShape) -> Result<CoreImage, MapError> {
    if !shape.is_supported() {
        return Err(MapError::UnsupportedShape {
            neurons: shape.neurons,
            axons: shape.axons,
            supported: crate::shape::SUPPORTED_SHAPES
                .iter()
                .map(|(n, a)| format!("{n}x{a}"))
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let neuron_count = net.total_neurons();
    if neuron_count > shape.neurons {
        return Err(MapError::TooManyNeurons {
            needed: neuron_count,
            available: shape.neurons,
        });
    }
    let axon_count: usize = net
        .projections
        .iter()
        .map(|p| net.source_size(p.from))
        .sum();
    if axon_count > shape.axons {
        return Err(MapError::TooManyAxons {
            needed: axon_count,
            available: shape.axons,
        });
    }
    let rules = learning::assign_rules(net, shape)?;
    for (pop, bounds) in net.max_abs_synaptic_input().iter().enumerate() {
        if let Some((neuron, &bound)) = bounds
            .iter()
            .enumerate()
            .find(|(_, &b)| b > MAX_ABS_ACTIVATION)
        {
            return Err(MapError::InputRange {
                population: net.populations[pop].name.clone(),
                neuron,
                bound,
                limit: MAX_ABS_ACTIVATION,
            });
        }
    }

    let mut population_base = Vec::with_capacity(net.populations.len());
    let mut next_neuron = 0;
    for pop in &net.populations {
        population_base.push(next_neuron);
        next_neuron += pop.size;
    }

    // Slots: per target population, negative-exponent projections take slots 1, 2, 3 in order.
    let mut projection_slot = vec![0usize; net.projections.len()];
    let mut slot_shifts = vec![[0u64; ACC_SLOTS - 1]; net.populations.len()];
    for (pop_index, pop) in net.populations.iter().enumerate() {
        let negative: Vec<usize> = (0..net.projections.len())
            .filter(|&p| net.projections[p].to == pop_index && net.projections[p].weight_exp < 0)
            .collect();
        if negative.len() > ACC_SLOTS - 1 {
            return Err(MapError::TooManyNegativeExponents {
                population: pop.name.clone(),
                count: negative.len(),
            });
        }
        for (k, &p) in negative.iter().enumerate() {
            projection_slot[p] = k + 1;
            slot_shifts[pop_index][k] = (-net.projections[p].weight_exp) as u64;
        }
    }

    let mut neuron_words = Vec::with_capacity(neuron_count);
    for (pop_index, pop) in net.populations.iter().enumerate() {
        for params in &pop.params {
            neuron_words.push(neuron_word(params, slot_shifts[pop_index]));
        }
    }

    let groups = shape.groups();
    let mut axon_words = Vec::with_capacity(axon_count);
    let mut synapse_words = Vec::new();
    let (mut input_axons, mut population_axons) = no_axons(net);
    let mut learning = LearningImageBuilder::default();
    for proj_index in learning::axon_order(&rules) {
        let proj = &net.projections[proj_index];
        let target_base = population_base[proj.to];
        let target_size = net.populations[proj.to].size;
        let first_group = target_base / WEIGHTS_PER_WORD;
        let last_group = (target_base + target_size - 1) / WEIGHTS_PER_WORD;
        let slot = projection_slot[proj_index];
        let pre_shift = if slot == 0 {
            proj.weight_exp.max(0) as u64
        } else {
            0
        };
        let learning_row = rules[proj_index].map(|rule| LearningRow {
            rule,
            target_base,
            target_size,
            first_group,
            last_group,
        });
        if let Some(row) = &learning_row {
            learning.add_projection(net, proj_index, row, axon_words.len());
        }
        for pre in 0..net.source_size(proj.from) {
            let axon = axon_words.len();
            learning.add_axon(learning_row.as_ref());
            axon_words.push(
                AxonWord {
                    first_group: first_group as u64,
                    last_group: last_group as u64,
                    slot: slot as u64,
                    pre_shift,
                }
                .pack(),
            );
            match proj.from {
                Source::Input(i) => input_axons[i][pre].push(axon),
                Source::Population(p) => population_axons[p][pre].push(axon),
            }
            for group in first_group..=last_group {
                let mut lanes = [0i64; WEIGHTS_PER_WORD];
                for (lane, weight) in lanes.iter_mut().enumerate() {
                    let neuron = group * WEIGHTS_PER_WORD + lane;
                    if (target_base..target_base + target_size).contains(&neuron) {
                        *weight = proj.weights[neuron - target_base][pre] as i64;
                    }
                }
                let address = axon * groups + group;
                let word = match learning_row {
                    Some(_) => learning.add_word(address, lanes),
                    None => pack_synapse_word(lanes),
                };
                synapse_words.push((address, word));
            }
        }
    }

    Ok(CoreImage {
        shape,
        learning: learning.finish(net, neuron_count),
        crossbar: None,
        neuron_count,
        population_base,
        synapse_words,
        axon_words,
        neuron_words,
        input_axons,
        population_axons,
    })
}
