//! Running learning networks on the learning core (rtl or Verilated) with the learned weights
//! read back after every tick, and the golden model's weights after every tick, for the
//! learning tests.

use neurofab::map::mesh::{map_mesh, MeshShape};
use neurofab::model::{
    GoldenModel, LearnedWeights, Network, Spike, SpikeCollector, SpikeTrain, StdpSynapses,
};
use neurofab::rtl::core_sim::rtl_learning_core;
use neurofab::shape::CoreShape;
use neurofab::sim::driver::CorePins;
use neurofab::sim::verilated::verilated_learning_core;
use neurofab::sim::{driver, learned};

/// The learning core the tests use (the smaller learning shape).
pub const SHAPE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

/// [`SHAPE`] if `net` fits it, else the larger learning shape (256x256).
pub fn shape_for(net: &Network) -> CoreShape {
    match map_mesh(net, MeshShape::default(), SHAPE) {
        Ok(_) => SHAPE,
        Err(_) => CoreShape::default(),
    }
}

/// `history[tick][k]`: the weights `[post][pre]` of learning projection `k` (file order)
/// after step 4 of `tick`.
pub type WeightHistory = Vec<Vec<Vec<Vec<i64>>>>;

/// A learning network's run on one engine.
pub struct LearningRun {
    pub spikes: SpikeTrain,
    pub learned: LearnedWeights,
    /// The weights after every tick, when asked for.
    pub history: Option<WeightHistory>,
    /// Cycles of each tick (rtl).
    pub tick_cycles: Vec<u64>,
}

/// Runs `net` on the rtl learning core of [`shape_for`]; with `history`, reads the weights
/// back after every tick (after tick `t + 1` the core holds the weights after step 4 of `t`;
/// the last tick's come from the final read-back).
pub fn run_rtl(net: &Network, history: bool) -> LearningRun {
    run_on_core(net, history, |shape| {
        rtl_learning_core(shape).expect("a learning shape")
    })
}

/// [`run_rtl`] on the Verilated learning core (the same driver and read-back).
pub fn run_verilator(net: &Network, history: bool) -> LearningRun {
    run_on_core(net, history, |shape| {
        Box::new(
            verilated_learning_core(shape)
                .expect("a learning shape")
                .expect("Verilator builds the learning core"),
        )
    })
}

/// [`run_rtl`] on the learning core `make` returns for a shape.
fn run_on_core(
    net: &Network,
    history: bool,
    make: impl FnOnce(CoreShape) -> Box<CorePins>,
) -> LearningRun {
    let shape = shape_for(net);
    let image = map_mesh(net, MeshShape::default(), shape).expect("the network fits");
    let mut cores = vec![make(shape)];
    driver::load(cores[0].as_mut(), &image.cores[0]).expect("loads");
    let mut weights: WeightHistory = Vec::new();
    let mut collector = SpikeCollector::default();
    let summary = driver::stream_observed(
        &mut cores,
        &image,
        net,
        net.ticks,
        &mut collector,
        &mut |_| {},
        &mut |tick, cores| {
            if history && tick > 0 {
                let read = learned::read_weights(cores[0].as_mut(), &image.cores[0])?;
                weights.push(read.into_iter().map(|p| p.weights).collect());
            }
            Ok(())
        },
    )
    .expect("the hardware run completes");
    let learned = summary.learned.clone().expect("a learning core reports");
    if history && net.ticks > 0 {
        weights.push(
            learned
                .projections
                .iter()
                .map(|p| p.weights.clone())
                .collect(),
        );
    }
    let run = summary.with_collected(collector);
    LearningRun {
        spikes: run.spikes,
        learned,
        history: history.then_some(weights),
        tick_cycles: run.tick_cycles,
    }
}

/// Runs `net` on the golden model, with the weights after every tick when asked for.
pub fn run_golden(net: &Network, history: bool) -> LearningRun {
    let mut model = GoldenModel::with_stage(net, StdpSynapses::new(net));
    let mut spikes = Vec::new();
    let mut weights: WeightHistory = Vec::new();
    for tick in 0..net.ticks {
        spikes.extend(model.step().into_iter().map(|(population, neuron)| Spike {
            tick,
            population,
            neuron,
        }));
        if history {
            // The model steps on with the weights before this tick's step 4: look at a clone.
            let learned = model.clone().finish_learning().learned(net, tick + 1);
            weights.push(learned.projections.into_iter().map(|p| p.weights).collect());
        }
    }
    LearningRun {
        spikes: SpikeTrain::from_unsorted(spikes),
        learned: model.finish_learning().learned(net, net.ticks),
        history: history.then_some(weights),
        tick_cycles: Vec::new(),
    }
}

/// The first `(tick, learning projection, post, pre)` at which two weight histories differ.
pub fn first_history_difference(
    a: &WeightHistory,
    b: &WeightHistory,
) -> Option<(usize, usize, usize, usize)> {
    if a.len() != b.len() {
        return Some((a.len().min(b.len()), 0, 0, 0));
    }
    for (tick, (ta, tb)) in a.iter().zip(b).enumerate() {
        for (k, (pa, pb)) in ta.iter().zip(tb).enumerate() {
            for (i, (ra, rb)) in pa.iter().zip(pb).enumerate() {
                if let Some(j) = ra.iter().zip(rb).position(|(x, y)| x != y) {
                    return Some((tick, k, i, j));
                }
            }
        }
    }
    None
}

/// Runs `net` on golden and on `engine` (`run_rtl` or `run_verilator`) and panics, naming
/// `seed`, the engine and the first differing tick (spikes) or weight (the per-tick history of
/// both, rerun), if the spikes or the learned state differ; returns the engine's run.
pub fn assert_engine_learns_like_golden(
    seed: u64,
    net: &Network,
    name: &str,
    engine: fn(&Network, bool) -> LearningRun,
) -> LearningRun {
    let golden = run_golden(net, false);
    let run = engine(net, false);
    if golden.spikes != run.spikes {
        panic!(
            "seed {seed}: {name} spikes differ from golden, first at tick {:?}\n{}",
            golden.spikes.first_difference(&run.spikes),
            net.to_json()
        );
    }
    if golden.learned != run.learned {
        let golden = run_golden(net, true).history.unwrap();
        let history = engine(net, true).history.unwrap();
        panic!(
            "seed {seed}: the learned state differs from golden; first differing weights \
             (tick, learning projection, post, pre): {:?} (None: only the traces)\n{name}:\n{}\n{}",
            first_history_difference(&golden, &history),
            run.learned.to_json(),
            net.to_json()
        );
    }
    run
}
