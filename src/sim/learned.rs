//! The learned state of a learning core (spec §6), read back through the configuration read
//! path (`cfg_read`): weights from the synapse words and their ninth-bit planes, pre traces
//! `x` from the learning-axon words, post traces `y` from the rules' post-trace memories.
//! Nothing comes from a model. The same code runs over any [`CoreAccess`]: a core's pins
//! (rtl and verilator engines) or the host link (`host::driver`, READ requests).
//!
//! # The last tick's step 4 (the flush)
//! Step 4 of tick `t` needs the pre spikes of `t`, which the stage sees as the events of tick
//! `t + 1` (`rtl::stdp_synapses`): after the run's last tick `T - 1`, its weight and `x`
//! updates are still pending. The driver completes them as the golden engine's
//! `finish_learning` does, with one more tick:
//! 1. read `y` (after the window of `T - 1` it is `y` of tick `T - 1`, step 4's value; the
//!    flush tick's window would decay it once more);
//! 2. write the neuron count 0 and run one tick with the events tick `T` would have (the
//!    input spikes listed at `T - 1` and the spikes of `T - 1`): its input phase answers and
//!    writes back the rows of those axons (`pre = 1`), its window decays the other learning
//!    axons' `x` and applies the post-only term of tick `T - 1`; with no neuron updated there is
//!    no spike and no output;
//! 3. read the weights and `x`, and restore the neuron count.
//!
//! The flush tick is not one of the run's ticks: no spikes, not in the per-tick cycles (its
//! cycles are in the run's total).
//!
//! Mid-run, after tick `t + 1` has completed, the stored weights are those after step 4 of
//! tick `t` (what `weights_history.json` lists for tick `t`).
//!
//! # On a mesh
//! Every tile is read the same way ([`CoreAccess`] over the system's `cfg_read` with
//! `cfg_core`, `sim::system_driver`), and the flush is one tick of the whole system: the
//! spikes of `T - 1` already sit in the cores' event queues (the fabric delivered them before
//! the barrier), so only the input spikes listed at `T - 1` are sent. [`mesh_learned_weights`]
//! puts the tiles' slices back together by [`MeshImage`]'s placement.

use super::driver::{cfg_write, read_config, run_core_tick, CorePins, DriverError};
use crate::map::learning::{post_trace_address, LearningPlacement};
use crate::map::mesh::MeshImage;
use crate::map::CoreImage;
use crate::model::{LearnedProjection, LearnedWeights, Network};
use crate::rtl::layout::{
    unpack_learning_weights, unpack_post_traces, CfgTarget, ConfigWrite, LearnAxonWord,
    WEIGHTS_PER_WORD,
};

/// Configuration access to one idle core, whatever carries it (a core's pins, the host link,
/// a tile of a multi-core system).
pub trait CoreAccess {
    /// Why an access failed.
    type Error;
    /// Reads `count` words of `target` from `addr` on.
    fn read_words(
        &mut self,
        target: CfgTarget,
        addr: u32,
        count: usize,
    ) -> Result<Vec<u32>, Self::Error>;
    /// Writes one configuration word.
    fn write_word(&mut self, write: &ConfigWrite) -> Result<(), Self::Error>;
}

/// A core that runs ticks on its own (not a tile of a mesh, whose ticks are the system's).
pub trait FlushTick: CoreAccess {
    /// Enqueues `events` and runs one tick of the core loaded with `image` (the flush tick:
    /// with the neuron count at 0, nothing spikes).
    fn run_tick(
        &mut self,
        image: &CoreImage,
        events: &[usize],
        tick: u32,
    ) -> Result<(), Self::Error>;
}

impl CoreAccess for CorePins {
    type Error = DriverError;

    fn read_words(
        &mut self,
        target: CfgTarget,
        addr: u32,
        count: usize,
    ) -> Result<Vec<u32>, DriverError> {
        (0..count as u32)
            .map(|i| read_config(self, target, addr + i))
            .collect()
    }

    fn write_word(&mut self, write: &ConfigWrite) -> Result<(), DriverError> {
        cfg_write(self, write);
        Ok(())
    }
}

impl FlushTick for CorePins {
    fn run_tick(
        &mut self,
        image: &CoreImage,
        events: &[usize],
        tick: u32,
    ) -> Result<(), DriverError> {
        run_core_tick(self, image, events, tick, 0, |neuron| {
            Err(DriverError::UnmappedSpike {
                tick,
                core: 0,
                neuron,
            })
        })?;
        Ok(())
    }
}

/// One learning projection's state as read from the core.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReadProjection {
    /// `weights[post][pre]`.
    pub weights: Vec<Vec<i64>>,
    /// `x[pre]`.
    pub x: Vec<i64>,
    /// `y[post]`.
    pub y: Vec<i64>,
}

/// The synapse groups a placement's rows span.
fn row_groups(place: &LearningPlacement) -> std::ops::RangeInclusive<usize> {
    let last_neuron = place.target_base + place.post_size - 1;
    place.target_base / WEIGHTS_PER_WORD..=last_neuron / WEIGHTS_PER_WORD
}

/// Reads the post traces `y` of every learning projection of `image` (the core idle).
pub fn read_post_traces<A: CoreAccess + ?Sized>(
    core: &mut A,
    image: &CoreImage,
) -> Result<Vec<Vec<i64>>, A::Error> {
    let Some(learning) = &image.learning else {
        return Ok(Vec::new());
    };
    let mut all = Vec::with_capacity(learning.placements.len());
    for place in &learning.placements {
        let mut y = vec![0; place.post_size];
        // One rule's words are consecutive (`post_trace_address`).
        let groups = row_groups(place);
        let first = post_trace_address(image.shape, place.rule, *groups.start()) as u32;
        let words = core.read_words(CfgTarget::PostTrace, first, groups.clone().count())?;
        for (group, word) in groups.zip(words) {
            for (lane, &trace) in unpack_post_traces(word).iter().enumerate() {
                if let Some(i) = (group * WEIGHTS_PER_WORD + lane).checked_sub(place.target_base) {
                    if i < place.post_size {
                        y[i] = trace;
                    }
                }
            }
        }
        all.push(y);
    }
    Ok(all)
}

/// Reads the weights and pre traces `x` of every learning projection of `image` (the core
/// idle); `y` is left empty.
pub fn read_weights<A: CoreAccess + ?Sized>(
    core: &mut A,
    image: &CoreImage,
) -> Result<Vec<ReadProjection>, A::Error> {
    let Some(learning) = &image.learning else {
        return Ok(Vec::new());
    };
    let groups = image.shape.groups();
    let mut all = Vec::with_capacity(learning.placements.len());
    for place in &learning.placements {
        let mut read = ReadProjection {
            weights: vec![vec![0; place.pre_size]; place.post_size],
            x: vec![0; place.pre_size],
            y: Vec::new(),
        };
        for j in 0..place.pre_size {
            let axon = place.first_axon + j;
            let word = core.read_words(CfgTarget::LearnAxon, axon as u32, 1)?[0];
            read.x[j] = LearnAxonWord::unpack(word).x as i64;
            // The row's words are consecutive: address axon * groups + group.
            let row = row_groups(place);
            let first = (axon * groups + *row.start()) as u32;
            let count = row.clone().count();
            let lows = core.read_words(CfgTarget::Synapse, first, count)?;
            let highs = core.read_words(CfgTarget::SynapseHigh, first, count)?;
            for ((group, low), high) in row.zip(lows).zip(highs) {
                for (lane, &w) in unpack_learning_weights(low, high).iter().enumerate() {
                    let neuron = group * WEIGHTS_PER_WORD + lane;
                    if let Some(i) = neuron.checked_sub(place.target_base) {
                        if i < place.post_size {
                            read.weights[i][j] = w;
                        }
                    }
                }
            }
        }
        all.push(read);
    }
    Ok(all)
}

/// Completes the last tick's step 4 (see the module doc) and reads the learned state back:
/// `events` are the axon events the tick after the run would have.
pub fn flush_and_read<A: FlushTick + ?Sized>(
    core: &mut A,
    image: &CoreImage,
    events: &[usize],
    tick: u32,
) -> Result<Vec<ReadProjection>, A::Error> {
    let post_traces = read_post_traces(core, image)?;
    core.write_word(&neuron_count(0))?;
    core.run_tick(image, events, tick)?;
    let mut read = read_weights(core, image)?;
    core.write_word(&neuron_count(image.neuron_count))?;
    attach_post_traces(&mut read, post_traces);
    Ok(read)
}

/// The write of the core's neuron count (0 for the flush tick: no neuron is updated).
pub fn neuron_count(count: usize) -> ConfigWrite {
    ConfigWrite {
        target: CfgTarget::NeuronCount,
        addr: 0,
        data: count as u32,
    }
}

/// Puts the post traces read before the flush into the projections read after it.
pub fn attach_post_traces(read: &mut [ReadProjection], post_traces: Vec<Vec<i64>>) {
    for (projection, y) in read.iter_mut().zip(post_traces) {
        projection.y = y;
    }
}

/// The spec §6 output of the state read from a core loaded with `image`.
pub fn learned_weights(
    net: &Network,
    image: &CoreImage,
    ticks: u32,
    read: Vec<ReadProjection>,
) -> LearnedWeights {
    let placements = image.learning.as_ref().map_or(&[][..], |l| &l.placements);
    let projections = placements
        .iter()
        .zip(read)
        .map(|(place, read)| {
            let proj = &net.projections[place.projection];
            LearnedProjection {
                index: place.projection,
                from: net.source_name(proj.from).to_string(),
                to: net.populations[proj.to].name.clone(),
                weights: read.weights,
                x_trace: read.x,
                y_trace: read.y,
            }
        })
        .collect();
    LearnedWeights { ticks, projections }
}

/// The spec §6 output of a mesh run: `reads[core]` is what [`read_weights`] and
/// [`read_post_traces`] got from that tile (its learning projections, in its image's
/// placement order). Each tile holds the rows and `y` of its slice of the target population
/// (`MeshImage::owner` names the neurons); `x` is kept by every tile holding a slice of the
/// target, each copy fed the same pre events, and is taken from the first such tile.
pub fn mesh_learned_weights(
    net: &Network,
    image: &MeshImage,
    ticks: u32,
    reads: Vec<Vec<ReadProjection>>,
) -> LearnedWeights {
    let mut projections: Vec<LearnedProjection> = net
        .learning_projections()
        .map(|(index, proj, _)| {
            let pre = net.source_size(proj.from);
            let post = net.populations[proj.to].size;
            LearnedProjection {
                index,
                from: net.source_name(proj.from).to_string(),
                to: net.populations[proj.to].name.clone(),
                weights: vec![vec![0; pre]; post],
                x_trace: Vec::new(),
                y_trace: vec![0; post],
            }
        })
        .collect();
    for (core, read) in reads.into_iter().enumerate() {
        let placements = image.cores[core]
            .learning
            .as_ref()
            .map_or(&[][..], |l| &l.placements);
        for (place, read) in placements.iter().zip(read) {
            let index = image.core_projections[core][place.projection];
            let out = projections
                .iter_mut()
                .find(|p| p.index == index)
                .expect("a core's learning projection is one of the network's");
            for (i, (row, y)) in read.weights.into_iter().zip(read.y).enumerate() {
                let (_, neuron) = image.owner[core][place.target_base + i];
                out.weights[neuron] = row;
                out.y_trace[neuron] = y;
            }
            if out.x_trace.is_empty() {
                out.x_trace = read.x;
            }
        }
    }
    LearnedWeights { ticks, projections }
}
