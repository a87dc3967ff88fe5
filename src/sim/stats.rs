//! Counts a neuromorphic user compares (`neurofab sim --stats`), following NeuroBench's
//! definitions (NeuroBench/neurobench, `docs/metrics/`; see `docs/stats.md`):
//!
//! - **synaptic operations** (`synaptic_operations.rst`): *effective* accumulates count a
//!   spike times each nonzero weight it reaches ("disregarding zero activations ... and zero
//!   connections"; binary activations make them ACs, not MACs); *dense* counts every
//!   activation, zero or not, times every connection, zero or not;
//! - **activation sparsity** (`activation_sparsity.rst`): `1 - spikes / (neurons × ticks)`
//!   over every neuron of every population and every tick;
//! - **memory footprint** (`model_footprint.rst`): every stored bit, zero weights included.
//!
//! Everything but the cycles and the footprint's source follows from the network and the
//! spikes, so it is equal on every engine that produces the same spikes.

use serde::Serialize;

use crate::fixed::stdp::SignMode;
use crate::map::mesh::MeshImage;
use crate::model::{Network, Source, SpikeSink};
use crate::rtl::layout::{ACC_BITS, ACC_SLOTS, WEIGHTS_PER_WORD};
use crate::rtl::regmap::CfgTarget;
use crate::sim::CycleStats;

/// Bits the golden model's arithmetic needs per item (spec §2, §4), for a network that is
/// not mapped to a core: a weight, `u` and `v`, and a neuron's parameters `du` (12), `dv`
/// (12), `vth` (17), `bias_mant` (13), `bias_exp` (3).
const SPEC_WEIGHT_BITS: u64 = 8;
const SPEC_STATE_BITS: u64 = 24 + 24;
const SPEC_PARAM_BITS: u64 = 12 + 12 + 17 + 13 + 3;
/// Spec §5: a pre or post trace is 7 bits.
const SPEC_TRACE_BITS: u64 = 7;
/// Spec §5: a rule's fields: `x_impulse`, `y_impulse` (7 each), `x_decay`, `y_decay` (12
/// each), the two mantissas and exponents (4 each) and the sign mode (2).
const SPEC_RULE_BITS: u64 = 7 + 7 + 12 + 12 + 4 * 4 + 2;
/// A projection's `weight_exp`, `-8..=7`.
const SPEC_WEIGHT_EXP_BITS: u64 = 4;

/// Energy per operation and the clock, for the estimate of a run's energy and time (the
/// `--synop-pj`, `--neuron-update-pj` and `--clock-mhz` options).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CostModel {
    /// Energy of one effective synaptic operation, in pJ.
    pub synop_pj: f64,
    /// Energy of one neuron update, in pJ.
    pub neuron_update_pj: f64,
    /// The core clock, in Hz.
    pub clock_hz: u64,
}

/// Loihi's per-operation energies (Davies et al., "Loihi: a neuromorphic manycore processor
/// with on-chip learning", IEEE Micro 38(1), 2018, Table 2: 23.6 pJ per synaptic spike
/// operation (minimum), 52 pJ per active neuron update).
pub const LOIHI_SYNOP_PJ: f64 = 23.6;
/// See [`LOIHI_SYNOP_PJ`].
pub const LOIHI_NEURON_UPDATE_PJ: f64 = 52.0;
/// The iCE40 boards' 12 MHz clock, the default of `--clock-mhz`.
pub const DEFAULT_CLOCK_HZ: u64 = 12_000_000;

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            synop_pj: LOIHI_SYNOP_PJ,
            neuron_update_pj: LOIHI_NEURON_UPDATE_PJ,
            clock_hz: DEFAULT_CLOCK_HZ,
        }
    }
}

/// Counts the spikes of a run as its ticks complete (a [`SpikeSink`]): memory is the network's
/// fan-out counts, not the run's length.
pub struct StatsCounter {
    ticks: u32,
    /// Nonzero weights each population neuron reaches: `nonzero_fanout[pop][neuron]`.
    nonzero_fanout: Vec<Vec<u64>>,
    population_spikes: u64,
    effective_ops: u64,
    input_spikes: u64,
}

impl StatsCounter {
    /// A counter for a run of `ticks` ticks of `net`; the input spikes' operations are
    /// counted here, from the network.
    pub fn new(net: &Network, ticks: u32) -> StatsCounter {
        let mut input_fanout: Vec<Vec<u64>> = net.inputs.iter().map(|g| vec![0; g.size]).collect();
        let mut nonzero_fanout: Vec<Vec<u64>> =
            net.populations.iter().map(|p| vec![0; p.size]).collect();
        for projection in &net.projections {
            let counts = match projection.from {
                Source::Input(g) => &mut input_fanout[g],
                Source::Population(p) => &mut nonzero_fanout[p],
            };
            for row in &projection.weights {
                for (pre, &w) in row.iter().enumerate() {
                    counts[pre] += u64::from(w != 0);
                }
            }
        }
        let mut counter = StatsCounter {
            ticks,
            nonzero_fanout,
            population_spikes: 0,
            effective_ops: 0,
            input_spikes: 0,
        };
        for (group, input) in net.inputs.iter().enumerate() {
            for &(tick, index) in &input.spikes {
                if tick < ticks {
                    counter.input_spikes += 1;
                }
                if counter.delivered(tick) {
                    counter.effective_ops += input_fanout[group][index];
                }
            }
        }
        counter
    }

    /// Whether a spike of tick `tick` reaches its targets within the run (in tick + 1).
    fn delivered(&self, tick: u32) -> bool {
        u64::from(tick) + 1 < u64::from(self.ticks)
    }

    /// The counts of the finished run.
    pub fn finish(
        &self,
        net: &Network,
        engine: &str,
        cycles: Option<(CycleStats, u64)>,
        footprint: Footprint,
        costs: CostModel,
    ) -> RunStats {
        let neurons: u64 = net.populations.iter().map(|p| p.size as u64).sum();
        let ticks = u64::from(self.ticks);
        let activations = neurons * ticks;
        let connections: u64 = net
            .projections
            .iter()
            .map(|p| (net.source_size(p.from) * net.populations[p.to].size) as u64)
            .sum();
        RunStats {
            engine: engine.to_string(),
            ticks,
            neurons,
            spikes: self.population_spikes,
            input_spikes: self.input_spikes,
            synaptic_operations: SynapticOperations {
                effective: self.effective_ops,
                dense: connections * ticks.saturating_sub(1),
            },
            activation_sparsity: if activations == 0 {
                1.0
            } else {
                1.0 - self.population_spikes as f64 / activations as f64
            },
            neuron_updates: activations,
            footprint_bits: footprint,
            cycles: cycles.map(|(stats, total)| CycleCounts {
                in_ticks: stats.total,
                mean_per_tick: stats.mean(),
                min_per_tick: stats.min,
                max_per_tick: stats.max,
                total_with_loading: total,
            }),
            time: cycles.map(|(stats, _)| TickTime::at(costs.clock_hz, stats, self.effective_ops)),
            energy: Energy::estimate(costs, self.effective_ops, activations),
        }
    }
}

impl SpikeSink for StatsCounter {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        _cycles: Option<u64>,
    ) -> std::io::Result<()> {
        self.population_spikes += spikes.len() as u64;
        if self.delivered(tick) {
            self.effective_ops += spikes
                .iter()
                .map(|&(pop, neuron)| self.nonzero_fanout[pop][neuron])
                .sum::<u64>();
        }
        Ok(())
    }
}

/// `stats.json` (described in `docs/stats.md`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunStats {
    /// The engine that ran.
    pub engine: String,
    /// Ticks run.
    pub ticks: u64,
    /// Neurons of all populations.
    pub neurons: u64,
    /// Output spikes (population neurons).
    pub spikes: u64,
    /// Input spikes listed at ticks within the run.
    pub input_spikes: u64,
    /// Synaptic operations.
    pub synaptic_operations: SynapticOperations,
    /// `1 - spikes / (neurons × ticks)`.
    pub activation_sparsity: f64,
    /// Neuron state updates: every neuron in every tick (`neurons × ticks`).
    pub neuron_updates: u64,
    /// Memory footprint.
    pub footprint_bits: Footprint,
    /// Clock cycles (hardware engines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cycles: Option<CycleCounts>,
    /// The cycles as time at a clock (hardware engines).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<TickTime>,
    /// Energy estimated from the counts and per-operation energies.
    pub energy: Energy,
}

/// The cycles of a run as time at a given clock.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TickTime {
    /// The clock, in MHz.
    pub clock_mhz: f64,
    /// `mean_per_tick / f`, in seconds.
    pub mean_seconds_per_tick: f64,
    /// `max_per_tick / f`, in seconds: the shortest tick period that keeps up with every tick.
    pub max_seconds_per_tick: f64,
    /// Effective synaptic operations per second of tick time: `effective / (in_ticks / f)`
    /// (0 for a run without cycles).
    pub synaptic_ops_per_second: f64,
}

impl TickTime {
    fn at(clock_hz: u64, cycles: CycleStats, effective_ops: u64) -> TickTime {
        let f = clock_hz as f64;
        let seconds = cycles.total as f64 / f;
        TickTime {
            clock_mhz: f / 1e6,
            mean_seconds_per_tick: cycles.mean() / f,
            max_seconds_per_tick: cycles.max as f64 / f,
            synaptic_ops_per_second: if cycles.total == 0 {
                0.0
            } else {
                effective_ops as f64 / seconds
            },
        }
    }
}

/// An energy estimate: `effective × synop_pj + neuron_updates × neuron_update_pj`. It counts
/// the core's two kinds of work only — not static power, routing, I/O or loading.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Energy {
    /// Energy per effective synaptic operation, in pJ (a parameter).
    pub pj_per_synaptic_op: f64,
    /// Energy per neuron update, in pJ (a parameter).
    pub pj_per_neuron_update: f64,
    /// `effective × pj_per_synaptic_op`, in joules.
    pub synaptic_joules: f64,
    /// `neuron_updates × pj_per_neuron_update`, in joules.
    pub neuron_joules: f64,
    /// The sum, in joules.
    pub total_joules: f64,
}

impl Energy {
    fn estimate(costs: CostModel, effective_ops: u64, neuron_updates: u64) -> Energy {
        let synaptic = effective_ops as f64 * costs.synop_pj * 1e-12;
        let neuron = neuron_updates as f64 * costs.neuron_update_pj * 1e-12;
        Energy {
            pj_per_synaptic_op: costs.synop_pj,
            pj_per_neuron_update: costs.neuron_update_pj,
            synaptic_joules: synaptic,
            neuron_joules: neuron,
            total_joules: synaptic + neuron,
        }
    }
}

/// Synaptic operations of a run: spikes of ticks `0..ticks-1` reach their targets in the
/// next tick; the last tick's spikes reach nothing within the run and are not counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SynapticOperations {
    /// Effective accumulates: each delivered spike (input or neuron) times the nonzero
    /// weights of its outgoing projections.
    pub effective: u64,
    /// Dense equivalent: every source neuron in each of the `ticks - 1` delivering ticks,
    /// times every weight of its projections, zero or not.
    pub dense: u64,
}

/// Memory footprint in bits.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Footprint {
    /// What was counted: `"mapped core(s)"` (the hardware's memory words in use) or
    /// `"network"` (the spec's field widths, for the golden model).
    pub source: String,
    /// Synaptic weights (zero weights included).
    pub synapses: u64,
    /// Connectivity: axon descriptors (mapped) or `weight_exp` per projection (network).
    pub connectivity: u64,
    /// Neuron state: `u`, `v` (and the accumulators, mapped).
    pub state: u64,
    /// Neuron parameters.
    pub parameters: u64,
    /// Fan-out tables of a mesh (index words and flit entries; 0 for one core, whose events
    /// the host addresses).
    pub fanout: u64,
    /// Learning (STDP): traces, rules and the weights' ninth bits (network), or the learning
    /// stage's words in use (mapped); 0 without learning projections.
    pub learning: u64,
    /// The sum.
    pub total: u64,
}

impl Footprint {
    fn new(
        source: &str,
        [synapses, connectivity, state, parameters, fanout, learning]: [u64; 6],
    ) -> Self {
        Footprint {
            source: source.to_string(),
            synapses,
            connectivity,
            state,
            parameters,
            fanout,
            learning,
            total: synapses + connectivity + state + parameters + fanout + learning,
        }
    }

    /// The network's own bits at the spec's widths.
    pub fn of_network(net: &Network) -> Footprint {
        let neurons: u64 = net.populations.iter().map(|p| p.size as u64).sum();
        let weights: u64 = net
            .projections
            .iter()
            .map(|p| (net.source_size(p.from) * net.populations[p.to].size) as u64)
            .sum();
        // Per learning projection: a trace per pre and per post neuron, its rule, and in
        // mixed mode a ninth bit per weight (-256..=255).
        let learning = net
            .learning_projections()
            .map(|(_, proj, rule)| {
                let (pre, post) = (
                    net.source_size(proj.from) as u64,
                    net.populations[proj.to].size as u64,
                );
                let ninth = if rule.sign_mode == SignMode::Mixed {
                    pre * post
                } else {
                    0
                };
                (pre + post) * SPEC_TRACE_BITS + SPEC_RULE_BITS + ninth
            })
            .sum();
        Footprint::new(
            "network",
            [
                weights * SPEC_WEIGHT_BITS,
                net.projections.len() as u64 * SPEC_WEIGHT_EXP_BITS,
                neurons * SPEC_STATE_BITS,
                neurons * SPEC_PARAM_BITS,
                0,
                learning,
            ],
        )
    }

    /// The memory words a mapped network occupies, at the register map's widths: synapse
    /// words written, axon descriptors in use, per neuron in use `u`, `v`, the accumulator
    /// slots and the three parameter words, and on a mesh the fan-out tables.
    pub fn of_image(image: &MeshImage) -> Footprint {
        let bits = |target: CfgTarget| target.spec().width.bits(image.shape.neurons) as u64;
        let (mut synapses, mut axons, mut neurons, mut learning) = (0u64, 0u64, 0u64, 0u64);
        for core in &image.cores {
            synapses += core.synapse_words.len() as u64;
            axons += core.axon_count() as u64;
            neurons += core.neuron_count as u64;
            if let Some(l) = &core.learning {
                // Learning-axon words of the axons in use, ninth-bit planes written, each
                // rule's two register words and its post traces (one word per group of 4
                // neurons in use), and the control word.
                let groups = core.neuron_count.div_ceil(WEIGHTS_PER_WORD) as u64;
                let rules = l.rules.len() as u64;
                learning += l.axon_words.len() as u64 * bits(CfgTarget::LearnAxon)
                    + l.high_words.len() as u64 * bits(CfgTarget::SynapseHigh)
                    + rules * 2 * bits(CfgTarget::LearnRule)
                    + rules * groups * bits(CfgTarget::PostTrace)
                    + bits(CfgTarget::LearnControl);
            }
        }
        let state = bits(CfgTarget::StateU)
            + bits(CfgTarget::StateV)
            + ACC_SLOTS as u64 * u64::from(ACC_BITS);
        let parameters = bits(CfgTarget::ParamDecay)
            + bits(CfgTarget::ParamBiasShift)
            + bits(CfgTarget::ParamThreshold);
        // A mesh routes spikes through each tile's fan-out tables; one core has none.
        let fanout = if image.mesh.cores() > 1 {
            image
                .fanout_tables(usize::MAX)
                .expect("no table is over an unlimited capacity")
                .iter()
                .map(|t| {
                    t.index.len() as u64 * bits(CfgTarget::FanoutIndex)
                        + t.entries.len() as u64 * bits(CfgTarget::FanoutEntry)
                })
                .sum()
        } else {
            0
        };
        Footprint::new(
            "mapped core(s)",
            [
                synapses * bits(CfgTarget::Synapse),
                axons * bits(CfgTarget::AxonMeta),
                neurons * state,
                neurons * parameters,
                fanout,
                learning,
            ],
        )
    }
}

/// Clock cycles of a hardware run.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct CycleCounts {
    /// Cycles of all ticks (each from the edge that samples `start` to the return to idle).
    pub in_ticks: u64,
    /// `in_ticks / ticks`.
    pub mean_per_tick: f64,
    /// Fewest cycles of one tick.
    pub min_per_tick: u64,
    /// Most cycles of one tick.
    pub max_per_tick: u64,
    /// Every cycle the engine ran, loading, event queueing, probes and read-back included.
    pub total_with_loading: u64,
}

impl RunStats {
    /// `stats.json`: pretty-printed, with a final line break.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("the counts serialise to JSON");
        text.push('\n');
        text
    }

    /// A few lines for stderr.
    pub fn summary(&self) -> String {
        let ops = &self.synaptic_operations;
        let mut text = format!(
            "stats: {} synaptic ops (effective; dense equivalent {}), activation sparsity {:.4}, \
             {} neuron updates, footprint {} bits ({})",
            ops.effective,
            ops.dense,
            self.activation_sparsity,
            self.neuron_updates,
            self.footprint_bits.total,
            self.footprint_bits.source
        );
        if let Some(cycles) = &self.cycles {
            text.push_str(&format!(
                ", {} cycles in ticks ({} with loading)",
                cycles.in_ticks, cycles.total_with_loading
            ));
        }
        if let Some(time) = &self.time {
            text.push_str(&format!(
                ", {:.3} us per tick at {} MHz (max {:.3} us), {:.3e} synaptic ops/s",
                time.mean_seconds_per_tick * 1e6,
                time.clock_mhz,
                time.max_seconds_per_tick * 1e6,
                time.synaptic_ops_per_second
            ));
        }
        text.push_str(&format!(
            ", energy ~{:.3e} J ({} pJ/synaptic op, {} pJ/neuron update)",
            self.energy.total_joules,
            self.energy.pj_per_synaptic_op,
            self.energy.pj_per_neuron_update
        ));
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::mesh::{map_mesh, MeshShape};
    use crate::shape::CoreShape;
    use crate::sim::{stream, Engine, RunOptions};

    /// Two inputs -> a (2 neurons) -> b (1 neuron), counted by hand below.
    const NET: &str = r#"{"ticks": 4,
        "inputs": [{"name": "in", "size": 2, "spikes": [[0, 0], [0, 1], [1, 0], [3, 1]]}],
        "populations": [
          {"name": "a", "size": 2, "neuron": {"du": 4095, "dv": 4095, "vth": 0}},
          {"name": "b", "size": 1, "neuron": {"du": 4095, "dv": 4095, "vth": 0}}],
        "projections": [
          {"from": "in", "to": "a", "weights": [[1, 0], [1, 1]]},
          {"from": "a", "to": "b", "weights": [[0, 1]]}]}"#;

    #[test]
    fn counts_derived_by_hand() {
        let net = Network::from_json_str(NET, None).unwrap();
        // vth = 0 and du = dv = 4095: a neuron spikes in tick t exactly when it got a
        // positive weight from a spike of t-1. Tick 1: in0 (-> a0, a1) and in1 (-> a1) of
        // tick 0 arrive: a0 and a1 spike. Tick 2: in0 of tick 1 (-> a0, a1) and a1 of tick 1
        // (-> b0): a0, a1, b0 spike (a0 has a zero weight to b). Tick 3: a1 of tick 2 -> b0.
        // Spikes: 2 + 3 + 1 = 6. in1 of tick 3 is never delivered (tick 4 is past the run).
        // Effective ops: in0 has 2 nonzero weights, in1 one, a0 none, a1 one:
        //   tick 0 inputs 2 + 1, tick 1 inputs 2, spikes of tick 1 (a0, a1) 0 + 1,
        //   spikes of tick 2 (a0, a1, b0) 0 + 1 + 0; tick 3's are not delivered: 7.
        // Dense: (2·2 + 2·1) weights × 3 delivering ticks = 18.
        for engine in [Engine::Golden, Engine::Rtl] {
            let mut counter = StatsCounter::new(&net, 4);
            let summary = stream(
                &net,
                engine,
                4,
                &RunOptions::default(),
                &mut counter,
                &mut |_| {},
            )
            .unwrap();
            let image = map_mesh(&net, MeshShape::default(), CoreShape::default()).unwrap();
            let stats = counter.finish(
                &net,
                engine.name(),
                summary.cycles.zip(summary.total_cycles),
                Footprint::of_image(&image),
                CostModel {
                    synop_pj: 2.0,
                    neuron_update_pj: 0.5,
                    clock_hz: 10_000_000,
                },
            );
            assert_eq!(stats.spikes, 6, "{engine:?}");
            assert_eq!(stats.input_spikes, 4);
            assert_eq!(stats.synaptic_operations.effective, 7);
            assert_eq!(stats.synaptic_operations.dense, 18);
            assert_eq!(stats.neuron_updates, 12);
            assert!((stats.activation_sparsity - 0.5).abs() < 1e-12);
            assert_eq!(stats.cycles.is_some(), engine == Engine::Rtl);
            // 7 ops × 2 pJ + 12 updates × 0.5 pJ = 20 pJ.
            assert!((stats.energy.synaptic_joules - 14e-12).abs() < 1e-24);
            assert!((stats.energy.total_joules - 20e-12).abs() < 1e-24);
            assert_eq!(stats.time.is_some(), engine == Engine::Rtl);
            if let (Some(time), Some(cycles)) = (stats.time, stats.cycles) {
                // 10 MHz: a cycle is 100 ns.
                let total_s = cycles.in_ticks as f64 * 100e-9;
                assert!((time.mean_seconds_per_tick - total_s / 4.0).abs() < 1e-15);
                assert!(
                    (time.max_seconds_per_tick - cycles.max_per_tick as f64 * 100e-9).abs() < 1e-15
                );
                assert!((time.synaptic_ops_per_second - 7.0 / total_s).abs() < 1e-3);
            }
        }
    }

    #[test]
    fn footprints_count_every_bit() {
        let net = Network::from_json_str(NET, None).unwrap();
        let network = Footprint::of_network(&net);
        // 6 weights of 8 bits, 2 weight exponents of 4, 3 neurons of 48 + 57 bits.
        assert_eq!(
            (
                network.synapses,
                network.connectivity,
                network.state,
                network.parameters
            ),
            (48, 8, 144, 171)
        );
        assert_eq!(network.total, 48 + 8 + 144 + 171);
        let image = map_mesh(&net, MeshShape::default(), CoreShape::default()).unwrap();
        let mapped = Footprint::of_image(&image);
        // 3 neurons take one synapse group; 4 axons (2 inputs, 2 of a) one word each.
        assert_eq!(mapped.synapses, 4 * 32);
        assert_eq!(
            mapped.connectivity,
            4 * u64::from(crate::rtl::layout::AXON_META_BITS)
        );
        assert_eq!(mapped.state, 3 * (25 + 24 + 4 * 24));
        assert_eq!(mapped.parameters, 3 * (25 + 32 + 23));
        assert_eq!(mapped.fanout, 0, "one core has no fan-out tables");
        // On a 2x1 mesh of 64x64 cores, wherever the neurons are placed: one index word per
        // neuron; `a0` and `a1` each send a flit to `b`'s axon (local or not) and one to the
        // host, `b0` only to the host: 3 index words of 32 bits and 5 flits of 24.
        let mesh = MeshShape {
            width: 2,
            height: 1,
        };
        let small = CoreShape {
            neurons: 64,
            axons: 64,
        };
        let image = map_mesh(&net, mesh, small).unwrap();
        let tables = image.fanout_tables(usize::MAX).unwrap();
        let (index, entries): (usize, usize) = tables
            .iter()
            .fold((0, 0), |(i, e), t| (i + t.index.len(), e + t.entries.len()));
        assert_eq!((index, entries), (3, 5));
        assert_eq!(Footprint::of_image(&image).fanout, 3 * 32 + 5 * 24);
    }

    #[test]
    fn learning_footprints_count_traces_rules_and_planes() {
        let rule = |mode: &str| {
            format!(
                r#"{{"rule": "stdp", "sign_mode": "{mode}", "x_impulse": 10, "x_decay": 100,
                   "y_impulse": 10, "y_decay": 100, "a_plus_mant": 1, "a_plus_exp": 0,
                   "a_minus_mant": -1, "a_minus_exp": 0}}"#
            )
        };
        let text = format!(
            r#"{{"ticks": 2, "inputs": [{{"name": "in", "size": 3, "spikes": []}}],
              "populations": [{{"name": "p", "size": 2, "neuron": {{"vth": 10}}}}],
              "projections": [
                {{"from": "in", "to": "p", "weights": [[10, 20, 30], [40, 50, 60]],
                  "learning": {}}},
                {{"from": "p", "to": "p", "weights": [[2, 4], [6, 8]], "learning": {}}}]}}"#,
            rule("excitatory"),
            rule("mixed")
        );
        let net = Network::from_json_str(&text, None).unwrap();
        // in -> p: traces (3 + 2) x 7 bits and a rule of 56 bits; p -> p (mixed): traces
        // (2 + 2) x 7, a rule, and a ninth bit for each of its 4 weights.
        let network = Footprint::of_network(&net);
        assert_eq!(network.learning, (5 * 7 + 56) + (4 * 7 + 56 + 4));
        assert_eq!(
            network.total,
            network.synapses
                + network.connectivity
                + network.state
                + network.parameters
                + network.learning
        );
        // On a learning core: 5 axons in use (3 inputs, 2 neurons) with a 31-bit learning
        // word each; each learning axon's row is one synapse word (2 neurons: one group) with
        // its 4-bit plane; 2 rules of two 30-bit words, each with one 28-bit post-trace word
        // (one group); the 32-bit control word.
        let image = map_mesh(&net, MeshShape::default(), CoreShape::default()).unwrap();
        let mapped = Footprint::of_image(&image);
        assert_eq!(mapped.learning, 5 * 31 + 5 * 4 + 2 * 2 * 30 + 2 * 28 + 32);
        let plain = Network::from_json_str(NET, None).unwrap();
        assert_eq!(Footprint::of_network(&plain).learning, 0);
    }
}
