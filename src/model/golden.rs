//! The golden behavioural model: spec §2 in plain Rust, the reference every engine is held to.
//!
//! All arithmetic is `i64` and exact (the bound is [`fixed::EXACT_INPUT_LIMIT`], which network
//! validation enforces), so the model is the reference for any network the file format can
//! describe, including ones whose current leaves the 25 bits the hardware stores.
//! Synaptic input is event driven: each tick costs the spikes of the previous tick times
//! their fan-out plus one neuron update per neuron, not the size of the weight matrices.
//! The weights come from a [`SynapseStage`] ([`SramSynapses`], the network's fixed weights,
//! unless another stage is given to [`GoldenModel::with_stage`]).

use super::network::{Network, Source};
use super::sink::{deliver_states, SpikeCollector, SpikeSink, TickOutputError};
use super::spikes::SpikeTrain;
use super::synapse::{SramSynapses, SynapseStage};
use crate::fixed::{self, LifParams, LifState};

/// A projection prepared for event-driven accumulation (its weights are in the stage).
#[derive(Clone, Debug)]
struct PreparedProjection {
    /// Target population.
    to: usize,
    /// Exponent applied to each post neuron's summed weights.
    weight_exp: i32,
    /// Number of post-synaptic neurons (the size of `to`).
    post_size: usize,
}

/// Steps a network tick by tick, exactly as spec §2 describes.
#[derive(Clone, Debug)]
pub struct GoldenModel<S: SynapseStage = SramSynapses> {
    /// The synapse stage that turns pre events into weight sums.
    synapses: S,
    /// Pre events `(projection, pre)` delivered this tick, collected only for a stage that
    /// observes them.
    pre_events: Vec<(usize, usize)>,
    /// Parameters per population, per neuron.
    params: Vec<Vec<LifParams>>,
    /// State per population, per neuron.
    states: Vec<Vec<LifState>>,
    /// Next tick to run.
    tick: u32,
    projections: Vec<PreparedProjection>,
    /// Indices into `projections` of the projections leaving each input group.
    input_fanout: Vec<Vec<usize>>,
    /// Indices into `projections` of the projections leaving each population.
    population_fanout: Vec<Vec<usize>>,
    /// All input spikes as `(tick, input group, channel)`, sorted, and the position of the
    /// first one not yet delivered.
    input_spikes: Vec<(u32, usize, usize)>,
    next_input_spike: usize,
    /// Population spikes of the previous tick, `(population, neuron)`.
    previous_spikes: Vec<(usize, usize)>,
    /// Per projection, per post neuron: the sum of the weights of this tick's pre spikes.
    /// Kept all-zero between ticks.
    weight_sums: Vec<Vec<i64>>,
    /// Per projection: whether any pre spike reached it this tick.
    projection_active: Vec<bool>,
    /// Per population, per neuron: the synaptic input `a` of this tick. Kept all-zero
    /// between ticks.
    synaptic_input: Vec<Vec<i64>>,
}

impl GoldenModel {
    /// Prepares a network for simulation from tick 0 with `u = v = 0` everywhere, with the
    /// network's fixed weights.
    pub fn new(net: &Network) -> GoldenModel {
        GoldenModel::with_stage(net, SramSynapses::new(net))
    }

    /// Runs `net` from reset for `ticks` ticks and returns all spikes.
    pub fn run(net: &Network, ticks: u32) -> SpikeTrain {
        GoldenModel::new(net).run_ticks(ticks)
    }
}

impl<S: SynapseStage> GoldenModel<S> {
    /// Prepares a network for simulation from tick 0 with `u = v = 0` everywhere, taking its
    /// weights from `synapses` (whose projection indices are `net`'s).
    pub fn with_stage(net: &Network, synapses: S) -> GoldenModel<S> {
        let mut input_fanout = vec![Vec::new(); net.inputs.len()];
        let mut population_fanout = vec![Vec::new(); net.populations.len()];
        let mut projections = Vec::with_capacity(net.projections.len());
        for (j, proj) in net.projections.iter().enumerate() {
            match proj.from {
                Source::Input(i) => input_fanout[i].push(j),
                Source::Population(p) => population_fanout[p].push(j),
            }
            projections.push(PreparedProjection {
                to: proj.to,
                weight_exp: proj.weight_exp,
                post_size: net.populations[proj.to].size,
            });
        }

        let mut input_spikes: Vec<(u32, usize, usize)> = net
            .inputs
            .iter()
            .enumerate()
            .flat_map(|(i, g)| g.spikes.iter().map(move |&(t, c)| (t, i, c)))
            .collect();
        input_spikes.sort_unstable();

        GoldenModel {
            synapses,
            pre_events: Vec::new(),
            params: net.populations.iter().map(|p| p.params.clone()).collect(),
            states: net
                .populations
                .iter()
                .map(|p| vec![LifState::default(); p.size])
                .collect(),
            tick: 0,
            weight_sums: projections.iter().map(|p| vec![0; p.post_size]).collect(),
            projection_active: vec![false; projections.len()],
            synaptic_input: net.populations.iter().map(|p| vec![0; p.size]).collect(),
            projections,
            input_fanout,
            population_fanout,
            input_spikes,
            next_input_spike: 0,
            previous_spikes: Vec::new(),
        }
    }

    /// The next tick [`step`](Self::step) will run (0 before the first step).
    pub fn tick(&self) -> u32 {
        self.tick
    }

    /// The state of neuron `neuron` of population `pop` after the ticks run so far.
    pub fn state(&self, pop: usize, neuron: usize) -> LifState {
        self.states[pop][neuron]
    }

    /// Ends the run: lets the synapse stage finish the learning of the last tick run
    /// ([`SynapseStage::complete`]) with the pre events the next tick would deliver (input
    /// spikes listed at the last tick and the last tick's population spikes), and returns the
    /// stage, whose weights are then those after step 4 of the last tick. The model is consumed
    /// because a next tick must still read the weights from before that step 4; to look at the
    /// learned state in the middle of a run, finish a clone.
    pub fn finish_learning(mut self) -> S {
        if S::OBSERVES_EVENTS && self.tick > 0 {
            let last = self.tick - 1;
            // The last step consumed every input spike listed before `last`.
            let mut next_pre = Vec::new();
            for &(spike_tick, group, channel) in &self.input_spikes[self.next_input_spike..] {
                if spike_tick != last {
                    break;
                }
                next_pre.extend(self.input_fanout[group].iter().map(|&j| (j, channel)));
            }
            for &(pop, neuron) in &self.previous_spikes {
                next_pre.extend(self.population_fanout[pop].iter().map(|&j| (j, neuron)));
            }
            self.synapses.complete(&next_pre);
        }
        self.synapses
    }

    /// Runs one tick and returns its spikes as `(population, neuron)`, sorted.
    pub fn step(&mut self) -> Vec<(usize, usize)> {
        let t = self.tick;

        // Step 1a: sum the weights of every spike of tick t-1, per projection and post neuron.
        // Input spikes listed for tick t-1 are delivered now; any listed for earlier ticks were
        // delivered before, and at t = 0 nothing is delivered.
        if t > 0 {
            while let Some(&(spike_tick, group, channel)) =
                self.input_spikes.get(self.next_input_spike)
            {
                if spike_tick >= t {
                    break;
                }
                self.next_input_spike += 1;
                if spike_tick == t - 1 {
                    for &j in &self.input_fanout[group] {
                        self.synapses
                            .add_pre_event(j, channel, &mut self.weight_sums[j]);
                        self.projection_active[j] = true;
                        if S::OBSERVES_EVENTS {
                            self.pre_events.push((j, channel));
                        }
                    }
                }
            }
        }
        for &(pop, neuron) in &self.previous_spikes {
            for &j in &self.population_fanout[pop] {
                self.synapses
                    .add_pre_event(j, neuron, &mut self.weight_sums[j]);
                self.projection_active[j] = true;
                if S::OBSERVES_EVENTS {
                    self.pre_events.push((j, neuron));
                }
            }
        }

        // Step 1b: a[n] = Σ_projections shift_exp(sum, weight_exp). Projections without a spike
        // contribute shift_exp(0, e) = 0 and are skipped. The sums are cleared for next tick.
        for (j, proj) in self.projections.iter().enumerate() {
            if !std::mem::take(&mut self.projection_active[j]) {
                continue;
            }
            let inputs = &mut self.synaptic_input[proj.to];
            for (a, sum) in inputs.iter_mut().zip(self.weight_sums[j].iter_mut()) {
                *a += fixed::shift_exp(std::mem::take(sum), proj.weight_exp);
            }
        }

        // A stage that reads all of the tick's events together (a crossbar) adds its input.
        self.synapses.add_tick_input(&mut self.synaptic_input);

        // Step 2: neuron updates, in (population, neuron) order so the spikes come out sorted.
        let mut spikes = Vec::new();
        for (pop, (states, params)) in self.states.iter_mut().zip(&self.params).enumerate() {
            let inputs = &mut self.synaptic_input[pop];
            for (neuron, ((state, p), a)) in states
                .iter_mut()
                .zip(params)
                .zip(inputs.iter_mut())
                .enumerate()
            {
                if fixed::lif_update(state, p, std::mem::take(a)) {
                    spikes.push((pop, neuron));
                }
            }
        }

        // A learning stage sees the tick's pre events and post spikes.
        if S::OBSERVES_EVENTS {
            self.synapses.end_of_tick(&self.pre_events, &spikes);
            self.pre_events.clear();
        }

        // Step 3: this tick's spikes are next tick's input.
        self.previous_spikes.clone_from(&spikes);
        self.tick += 1;
        spikes
    }

    /// Runs `ticks` more ticks and returns their spikes, tagged with the model's tick numbers
    /// (collected in memory: see [`stream_ticks`](Self::stream_ticks) for long runs).
    pub fn run_ticks(&mut self, ticks: u32) -> SpikeTrain {
        let mut collector = SpikeCollector::default();
        self.stream_ticks(ticks, &mut collector, &mut |_| {})
            .expect("collecting in memory cannot fail");
        collector.into_train()
    }

    /// Runs `ticks` more ticks, handing each tick's spikes (already sorted) and then the
    /// states of its probed neurons (if the sink probes any) to `sink` as it completes, and
    /// then calling `progress` with the ticks done in this call; memory does not grow with
    /// the ticks. Stops at the sink's first error.
    pub fn stream_ticks(
        &mut self,
        ticks: u32,
        sink: &mut dyn SpikeSink,
        progress: &mut dyn FnMut(u32),
    ) -> Result<(), TickOutputError> {
        for done in 1..=ticks {
            let tick = self.tick;
            let spikes = self.step();
            sink.tick_done(tick, &spikes, None)
                .and_then(|()| deliver_states(sink, tick, |pop, neuron| self.state(pop, neuron)))
                .map_err(|source| TickOutputError { tick, source })?;
            progress(done);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::network::{Population, Projection};

    #[test]
    fn hand_computed_two_neuron_chain() {
        // in -> p0 (weight 2, exp 1, so a = 4 when the input spiked), p0 -> p1 (weight -3,
        // exp -1, so a = floor(-3 / 2) = -2 when p0 spiked). du = 4095 clears u each tick,
        // dv = 4095 clears v, so each tick is independent: v' = a << 6 + bias.
        let net = Network::from_json_str(
            r#"{"ticks": 5,
                "inputs": [{"name": "in", "size": 1, "spikes": [[0, 0], [2, 0]]}],
                "populations": [
                  {"name": "p0", "size": 1, "neuron": {"du": 4095, "dv": 4095, "vth": 3}},
                  {"name": "p1", "size": 1, "neuron": {"du": 4095, "dv": 4095, "vth": 0,
                                                       "bias_mant": 100}}],
                "projections": [
                  {"from": "in", "to": "p0", "weight_exp": 1, "weights": [[2]]},
                  {"from": "p0", "to": "p1", "weight_exp": -1, "weights": [[-3]]}]}"#,
            None,
        )
        .unwrap();
        let mut model = GoldenModel::new(&net);
        // Tick 0: a = 0; p0 v = 0 (no spike); p1 v = 100 > 0: spike.
        assert_eq!(model.step(), vec![(1, 0)]);
        // Tick 1: input spike of tick 0 arrives: p0 u = 4 << 6 = 256 > 3 << 6 = 192: spike.
        assert_eq!(model.step(), vec![(0, 0), (1, 0)]);
        assert_eq!(model.state(0, 0), LifState { u: 256, v: 0 });
        // Tick 2: p0's spike arrives at p1: u = -2 << 6 = -128, v = -128 + 100 = -28: silent.
        assert_eq!(model.step(), vec![]);
        assert_eq!(model.state(1, 0), LifState { u: -128, v: -28 });
        // Tick 3: input spike of tick 2 makes p0 spike again; p1 is back to bias only.
        assert_eq!(model.step(), vec![(0, 0), (1, 0)]);
        assert_eq!(model.tick(), 4);
        let train = GoldenModel::run(&net, 5);
        let csv = train.to_csv(&net);
        assert_eq!(
            csv,
            "tick,population,neuron\n0,p1,0\n1,p0,0\n1,p1,0\n3,p0,0\n3,p1,0\n"
        );
    }

    #[test]
    fn huge_fan_in_stays_exact() {
        // 1230 projections of weight 127 at weight_exp 7 from 2000 always-spiking neurons into
        // one neuron with du = dv = 0: a = 1230 * 2000 * 127 * 128 = 39_989_760_000 per tick
        // (2^35.2, far beyond the hardware, inside the golden model's 2^44). u grows by
        // a << 6 per tick and passed 2^51 after ~900 ticks, where |u| * 4095 wrapped in i64
        // (991 spikes instead of 1199 in 1200 ticks). Exact: u stays positive and huge, v saturates at
        // 2^23 - 1 > vth << 6 every tick from tick 1 on, so the neuron spikes in 999 of 1000 ticks.
        let source = Population {
            name: "src".into(),
            size: 2000,
            params: vec![
                LifParams {
                    vth: 0,
                    bias_mant: 1,
                    ..LifParams::default()
                };
                2000
            ],
        };
        let sink = Population {
            name: "dst".into(),
            size: 1,
            params: vec![LifParams {
                vth: 100,
                ..LifParams::default()
            }],
        };
        let projection = Projection {
            from: Source::Population(0),
            to: 1,
            weight_exp: 7,
            weights: vec![vec![127; 2000]],
            learning: None,
        };
        let net = Network {
            ticks: 1000,
            inputs: vec![],
            populations: vec![source, sink],
            projections: vec![projection; 1230],
        };
        assert_eq!(net.max_abs_synaptic_input()[1][0], 39_989_760_000);
        let train = GoldenModel::run(&net, 1000);
        let sink_spikes = train.spikes.iter().filter(|s| s.population == 1).count();
        assert_eq!(sink_spikes, 999);
    }
}
