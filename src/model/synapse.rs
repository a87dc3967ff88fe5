//! Synapse stages of the golden model: what turns a tick's pre-synaptic events into weight
//! sums, mirrored by the hardware's synapse port (`rtl::synapse_port`).
//!
//! [`SynapseStage`] is written with three stages in mind: [`SramSynapses`] (fixed weights, what
//! the core has today), an STDP learning stage ([`super::stdp::StdpSynapses`]: reads the tick's pre events and post spikes in
//! [`SynapseStage::end_of_tick`] and rewrites its weights) and a memristor crossbar
//! ([`super::crossbar::CrossbarSynapses`]: [`SynapseStage::add_pre_event`] marks the event's
//! row, [`SynapseStage::add_tick_input`] reads all of the tick's rows at once through the ADC). [`SramWordMemory`] is the word-level
//! mirror of the hardware `SramSynapses` block, for block-level tests.

use super::network::Network;

/// A synapse stage: per pre-synaptic event, the weight of that pre neuron onto every post
/// neuron of one projection.
pub trait SynapseStage {
    /// Whether [`end_of_tick`](Self::end_of_tick) needs the tick's events (a learning stage);
    /// when `false`, the golden model does not collect them.
    const OBSERVES_EVENTS: bool;

    /// Adds the weights of pre-synaptic neuron `pre` of projection `projection` onto every post
    /// neuron: `sums[post] += w[post][pre]`.
    fn add_pre_event(&mut self, projection: usize, pre: usize, sums: &mut [i64]);

    /// Called once per tick after every pre event has been added and the projections' sums
    /// have become synaptic input, before the neuron updates: a stage that needs all of a
    /// tick's events together (a crossbar reads all active rows at once) adds its input to
    /// `inputs[population][neuron]` here. Stages that add per event leave it alone.
    fn add_tick_input(&mut self, _inputs: &mut [Vec<i64>]) {}

    /// Called after the neuron updates of a tick with the pre events delivered in that tick,
    /// as `(projection, pre)`, and its post spikes, as `(population, neuron)` (both empty when
    /// [`OBSERVES_EVENTS`](Self::OBSERVES_EVENTS) is `false`). A learning stage updates its
    /// weights here, as the hardware does in the core's learning window.
    fn end_of_tick(&mut self, pre: &[(usize, usize)], post: &[(usize, usize)]);

    /// Called once when a run ends after a tick, with the pre events the next tick would have
    /// delivered (the spikes of the tick just run). A stage that learns from a tick's pre
    /// spikes once they are delivered (in the next tick, as the synapse port sees them)
    /// finishes that tick's learning here. No tick follows.
    fn complete(&mut self, _next_pre: &[(usize, usize)]) {}
}

/// The weights of one projection, transposed to pre-major order.
#[derive(Clone, Debug)]
struct ProjectionWeights {
    /// Number of post-synaptic neurons (the size of the target population).
    post_size: usize,
    /// The weights of pre neuron `pre` onto every post neuron are
    /// `by_pre[pre * post_size..(pre + 1) * post_size]`, contiguous, so a spike adds one slice.
    by_pre: Vec<i64>,
}

/// Fixed weights, as the network file gives them (the hardware's synapse SRAM).
#[derive(Clone, Debug)]
pub struct SramSynapses {
    projections: Vec<ProjectionWeights>,
}

impl SramSynapses {
    /// The weights of every projection of `net`, in projection order.
    pub fn new(net: &Network) -> SramSynapses {
        let projections = net
            .projections
            .iter()
            .map(|proj| {
                let pre_size = net.source_size(proj.from);
                let post_size = net.populations[proj.to].size;
                let mut by_pre = vec![0i64; pre_size * post_size];
                for (post, row) in proj.weights.iter().enumerate() {
                    for (pre, &w) in row.iter().enumerate() {
                        by_pre[pre * post_size + post] = i64::from(w);
                    }
                }
                ProjectionWeights { post_size, by_pre }
            })
            .collect();
        SramSynapses { projections }
    }
}

impl SynapseStage for SramSynapses {
    const OBSERVES_EVENTS: bool = false;

    #[inline]
    fn add_pre_event(&mut self, projection: usize, pre: usize, sums: &mut [i64]) {
        let proj = &self.projections[projection];
        let weights = &proj.by_pre[pre * proj.post_size..(pre + 1) * proj.post_size];
        for (sum, &w) in sums.iter_mut().zip(weights) {
            *sum += w;
        }
    }

    #[inline]
    fn end_of_tick(&mut self, _pre: &[(usize, usize)], _post: &[(usize, usize)]) {}
}

/// Lanes of a synapse word (neurons `4 * group .. 4 * group + 4`).
pub const WORD_LANES: usize = 4;
/// Bits of one stored weight in a synapse word.
const STORED_WEIGHT_BITS: u32 = 8;

/// Word-level mirror of the hardware `SramSynapses` block: `2^(axon_bits + group_bits)`
/// words of four signed 8-bit weights, lane `i` in bits `8i..8i+8`, word `{axon, group}`.
#[derive(Clone, Debug)]
pub struct SramWordMemory {
    group_bits: u32,
    words: Vec<u32>,
}

impl SramWordMemory {
    /// An all-zero memory for `2^axon_bits` axons and `2^group_bits` groups.
    pub fn new(axon_bits: u32, group_bits: u32) -> SramWordMemory {
        SramWordMemory {
            group_bits,
            words: vec![0; 1 << (axon_bits + group_bits)],
        }
    }

    /// A configuration write of `data` at word address `addr` (the address bits above the
    /// memory's are ignored, as the hardware's address port truncates them).
    pub fn write(&mut self, addr: u32, data: u32) {
        let mask = self.words.len() - 1;
        self.words[addr as usize & mask] = data;
    }

    /// The signed weights of word `{axon, group}`, lane by lane.
    pub fn lanes(&self, axon: u32, group: u32) -> [i64; WORD_LANES] {
        let word = self.words[((axon << self.group_bits) | group) as usize];
        std::array::from_fn(|lane| {
            let raw = u64::from(word >> (STORED_WEIGHT_BITS * lane as u32));
            crate::fixed::from_twos(raw, STORED_WEIGHT_BITS)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_lanes_are_sign_extended_bytes() {
        let mut memory = SramWordMemory::new(2, 1);
        memory.write(0b101, 0x80_7f_ff_01);
        assert_eq!(memory.lanes(2, 1), [1, -1, 127, -128]);
        assert_eq!(memory.lanes(2, 0), [0; 4]);
    }
}
