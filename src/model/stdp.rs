//! The golden model's learning synapse stage (spec §5 step 4) and the learned-weight output
//! (spec §6).
//!
//! [`StdpSynapses`] holds fixed projections as [`SramSynapses`] does and, for every learning
//! projection, its weights and its pre and post traces. Step 4 of tick `t` needs the pre spikes
//! of tick `t`, which a synapse stage sees only as the pre events delivered in tick `t + 1`
//! (the same holds for the hardware stage behind the synapse port). So the stage defers step 4
//! of tick `t` to [`SynapseStage::end_of_tick`] of tick `t + 1`, after step 1 of `t + 1` has
//! read the weights: exactly the timing the spec requires ("a change made in tick t first
//! weights spikes of tick t+1"). [`SynapseStage::complete`] runs the deferred step of the last
//! tick when a run ends, with the pre events the next tick would have delivered.

use serde::{Deserialize, Serialize};

use super::network::Network;
use super::synapse::{SramSynapses, SynapseStage};
use crate::fixed::stdp::{learned_weight, trace_update, StdpRule};

/// One learning projection's state: weights `w[i][j]` (pre-major, like [`SramSynapses`]),
/// pre traces `x[j]`, post traces `y[i]`.
#[derive(Clone, Debug)]
struct LearningProjection {
    rule: StdpRule,
    /// Target population (whose spikes are the post spikes).
    to: usize,
    /// Number of post neurons (`i`).
    post_size: usize,
    /// `w[i][j]` at `by_pre[j * post_size + i]`, so a pre event adds one contiguous slice.
    by_pre: Vec<i64>,
    /// Pre traces, `0..=127`.
    x: Vec<i64>,
    /// Post traces, `0..=127`.
    y: Vec<i64>,
    /// Scratch for step 4: which pre / post neurons spiked in the tick being learned. Kept
    /// all-false between ticks.
    pre_spiked: Vec<bool>,
    post_spiked: Vec<bool>,
}

impl LearningProjection {
    /// Step 4 for one tick whose pre spikes (`pre_spiked`) and post spikes (`post_spiked`)
    /// have been marked; clears the marks.
    fn learn(&mut self, pre_list: &[usize], post_list: &[usize]) {
        let rule = self.rule;
        for (j, x) in self.x.iter_mut().enumerate() {
            *x = trace_update(*x, rule.x_decay, rule.x_impulse, self.pre_spiked[j]);
        }
        for (i, y) in self.y.iter_mut().enumerate() {
            *y = trace_update(*y, rule.y_decay, rule.y_impulse, self.post_spiked[i]);
        }
        // Every synapse of a spiking pre neuron (its whole column, with the post flag of each
        // row), then the synapses of spiking post neurons whose pre did not spike (the others
        // were just done): each (i, j) with pre[j] or post[i] exactly once.
        let post_size = self.post_size;
        for &j in pre_list {
            let column = &mut self.by_pre[j * post_size..(j + 1) * post_size];
            for (i, w) in column.iter_mut().enumerate() {
                *w = learned_weight(&rule, *w, true, self.post_spiked[i], self.x[j], self.y[i]);
            }
        }
        for &i in post_list {
            for (j, &x) in self.x.iter().enumerate() {
                if !self.pre_spiked[j] {
                    let w = &mut self.by_pre[j * post_size + i];
                    *w = learned_weight(&rule, *w, false, true, x, self.y[i]);
                }
            }
        }
        for &j in pre_list {
            self.pre_spiked[j] = false;
        }
        for &i in post_list {
            self.post_spiked[i] = false;
        }
    }
}

/// Fixed weights for plain projections, STDP for learning ones (spec §5).
#[derive(Clone, Debug)]
pub struct StdpSynapses {
    fixed: SramSynapses,
    /// Per projection of the network: its learning state, `None` for a fixed projection.
    learning: Vec<Option<LearningProjection>>,
    /// The post spikes of the last tick run, while its step 4 is still to be done.
    pending_post: Option<Vec<(usize, usize)>>,
    /// Scratch: the pre and post neurons of one projection that spiked in the tick learned.
    pre_list: Vec<usize>,
    post_list: Vec<usize>,
}

impl StdpSynapses {
    /// The synapses of `net` at tick 0: the file's weights (mixed ones already floored to even
    /// by validation), all traces 0.
    pub fn new(net: &Network) -> StdpSynapses {
        let learning = net
            .projections
            .iter()
            .map(|proj| {
                let rule = proj.learning?;
                let pre_size = net.source_size(proj.from);
                let post_size = net.populations[proj.to].size;
                let mut by_pre = vec![0i64; pre_size * post_size];
                for (i, row) in proj.weights.iter().enumerate() {
                    for (j, &w) in row.iter().enumerate() {
                        by_pre[j * post_size + i] = i64::from(w);
                    }
                }
                Some(LearningProjection {
                    rule,
                    to: proj.to,
                    post_size,
                    by_pre,
                    x: vec![0; pre_size],
                    y: vec![0; post_size],
                    pre_spiked: vec![false; pre_size],
                    post_spiked: vec![false; post_size],
                })
            })
            .collect();
        StdpSynapses {
            fixed: SramSynapses::new(net),
            learning,
            pending_post: None,
            pre_list: Vec::new(),
            post_list: Vec::new(),
        }
    }

    /// Step 4 of the tick whose post spikes are `post`, with that tick's pre spikes delivered
    /// as the events `pre` (`(projection, pre neuron)`).
    fn learn_tick(&mut self, pre: &[(usize, usize)], post: &[(usize, usize)]) {
        for (j, state) in self.learning.iter_mut().enumerate() {
            let Some(state) = state else { continue };
            self.pre_list.clear();
            self.post_list.clear();
            // Marks deduplicate: a spike is one spike however often it is listed.
            for &(_, neuron) in pre.iter().filter(|&&(k, _)| k == j) {
                if !std::mem::replace(&mut state.pre_spiked[neuron], true) {
                    self.pre_list.push(neuron);
                }
            }
            for &(_, neuron) in post.iter().filter(|&&(pop, _)| pop == state.to) {
                if !std::mem::replace(&mut state.post_spiked[neuron], true) {
                    self.post_list.push(neuron);
                }
            }
            state.learn(&self.pre_list, &self.post_list);
        }
    }

    /// The state of every learning projection after the `ticks` ticks run (spec §6), for a
    /// stage returned by [`GoldenModel::finish_learning`](super::GoldenModel::finish_learning)
    /// (which completes the last tick's step 4).
    pub fn learned(&self, net: &Network, ticks: u32) -> LearnedWeights {
        let projections = self
            .learning
            .iter()
            .enumerate()
            .filter_map(|(index, state)| {
                let state = state.as_ref()?;
                let proj = &net.projections[index];
                let pre_size = state.x.len();
                let weights = (0..state.post_size)
                    .map(|i| {
                        (0..pre_size)
                            .map(|j| state.by_pre[j * state.post_size + i])
                            .collect()
                    })
                    .collect();
                Some(LearnedProjection {
                    index,
                    from: net.source_name(proj.from).to_string(),
                    to: net.populations[proj.to].name.clone(),
                    weights,
                    x_trace: state.x.clone(),
                    y_trace: state.y.clone(),
                })
            })
            .collect();
        LearnedWeights { ticks, projections }
    }
}

impl SynapseStage for StdpSynapses {
    const OBSERVES_EVENTS: bool = true;

    #[inline]
    fn add_pre_event(&mut self, projection: usize, pre: usize, sums: &mut [i64]) {
        match &self.learning[projection] {
            Some(state) => {
                let weights = &state.by_pre[pre * state.post_size..(pre + 1) * state.post_size];
                for (sum, &w) in sums.iter_mut().zip(weights) {
                    *sum += w;
                }
            }
            None => self.fixed.add_pre_event(projection, pre, sums),
        }
    }

    /// `pre` are the spikes of the previous tick: they complete its deferred step 4.
    fn end_of_tick(&mut self, pre: &[(usize, usize)], post: &[(usize, usize)]) {
        if let Some(previous_post) = self.pending_post.take() {
            self.learn_tick(pre, &previous_post);
        }
        self.pending_post = Some(post.to_vec());
    }

    fn complete(&mut self, next_pre: &[(usize, usize)]) {
        if let Some(previous_post) = self.pending_post.take() {
            self.learn_tick(next_pre, &previous_post);
        }
    }
}

/// The learned-weight output (spec §6): the final state of every learning projection.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedWeights {
    /// Ticks run.
    pub ticks: u32,
    /// One entry per learning projection, in network-file order.
    pub projections: Vec<LearnedProjection>,
}

/// One learning projection's final state (spec §6).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedProjection {
    /// Position of the projection in the network file's `projections`.
    pub index: usize,
    /// Name of its source (input or population).
    pub from: String,
    /// Name of its target population.
    pub to: String,
    /// `weights[post][pre]`.
    pub weights: Vec<Vec<i64>>,
    /// Pre traces `x[pre]`.
    pub x_trace: Vec<i64>,
    /// Post traces `y[post]`.
    pub y_trace: Vec<i64>,
}

impl LearnedWeights {
    /// The spec §6 JSON, one weight row per line.
    pub fn to_json(&self) -> String {
        let list = |values: &[i64]| {
            let items: Vec<String> = values.iter().map(i64::to_string).collect();
            format!("[{}]", items.join(", "))
        };
        let quoted = |s: &str| serde_json::to_string(s).expect("serialising a string");
        let mut out = format!("{{\"ticks\": {}, \"projections\": [", self.ticks);
        for (k, proj) in self.projections.iter().enumerate() {
            out.push_str(if k == 0 { "\n" } else { ",\n" });
            out.push_str(&format!(
                "  {{\"index\": {}, \"from\": {}, \"to\": {},\n   \"weights\": [",
                proj.index,
                quoted(&proj.from),
                quoted(&proj.to)
            ));
            for (i, row) in proj.weights.iter().enumerate() {
                out.push_str(if i == 0 { "\n    " } else { ",\n    " });
                out.push_str(&list(row));
            }
            out.push_str(&format!(
                "],\n   \"x_trace\": {},\n   \"y_trace\": {}}}",
                list(&proj.x_trace),
                list(&proj.y_trace)
            ));
        }
        out.push_str(if self.projections.is_empty() {
            "]}\n"
        } else {
            "\n]}\n"
        });
        out
    }
}
