//! Cycles per tick of the learning core on learning networks, exactly:
//!
//! ```text
//! cycles(t) = plain(t) + window(t)
//! plain(t)  = used_neurons + Σ_events groups(event) + 7 + (2 if tick t has any event)
//! window(t) = 1 + R·G + 2                                        (tick 0: not armed)
//!           = 1 + A + (Σ_{learning axons without an event in t} words(axon)
//!                      if any neuron of the core spiked in t - 1) + R·G + 2   (t ≥ 1)
//! ```
//!
//! `plain` is the plain core's formula (`tests/cycles_per_tick.rs`); `A` is the number of
//! learning axons (the window's axon pass), `words(axon)` the synapse words of its row, `R`
//! the rules (learning projections) and `G = ⌈used_neurons / 4⌉` (the post-trace sweep).
//! The flush tick that completes the last tick's learning is not one of the run's ticks.
//! Also prints the cycles per tick of the 256-neuron benchmark layer with and without
//! learning.

mod common;

use common::learning::{run_rtl, SHAPE};
use neurofab::fixed::stdp::StdpRule;
use neurofab::map::{map_network, CoreImage};
use neurofab::model::{Network, Source, SpikeTrain};
use neurofab::rtl::layout::{AxonWord, LearnAxonWord};
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_learning_network, RandomNetConfig};
use neurofab::sim::workloads::dense_layer;
use neurofab::sim::{run, Engine, RunOptions};

/// The plain core's fixed cost of a tick and of a tick with events (`cycles_per_tick.rs`).
const TICK_OVERHEAD_CYCLES: u64 = 7;
const INPUT_PIPELINE_CYCLES: u64 = 2;
/// The window's entry cycle, and the post-trace sweep's drain.
const WINDOW_ENTRY_CYCLES: u64 = 1;
const SWEEP_DRAIN_CYCLES: u64 = 2;

/// The axon events of each tick, given the run's spikes.
fn events_of(net: &Network, image: &CoreImage, spikes: &SpikeTrain, tick: u32) -> Vec<usize> {
    let mut events = Vec::new();
    if tick == 0 {
        return events;
    }
    for (group, input) in net.inputs.iter().enumerate() {
        for &(t, index) in &input.spikes {
            if t == tick - 1 {
                events.extend_from_slice(image.axons_of(Source::Input(group), index));
            }
        }
    }
    for spike in spikes.spikes.iter().filter(|s| s.tick == tick - 1) {
        events
            .extend_from_slice(image.axons_of(Source::Population(spike.population), spike.neuron));
    }
    events
}

/// The formula above, per tick.
fn predicted_cycles(net: &Network, image: &CoreImage, spikes: &SpikeTrain) -> Vec<u64> {
    let learning = image.learning.as_ref().expect("a learning image");
    let words = |axon: usize| AxonWord::unpack(image.axon_words[axon]).groups();
    let learning_axons: Vec<usize> = (0..image.axon_count())
        .filter(|&a| LearnAxonWord::unpack(learning.axon_words[a]).learning)
        .collect();
    let sweep = learning.control.rules * learning.control.groups;
    (0..net.ticks)
        .map(|tick| {
            let events = events_of(net, image, spikes, tick);
            let plain = image.neuron_count as u64
                + events.iter().map(|&a| words(a)).sum::<u64>()
                + TICK_OVERHEAD_CYCLES
                + if events.is_empty() {
                    0
                } else {
                    INPUT_PIPELINE_CYCLES
                };
            let mut window = WINDOW_ENTRY_CYCLES + sweep + SWEEP_DRAIN_CYCLES;
            if tick > 0 {
                window += learning_axons.len() as u64;
                if spikes.spikes.iter().any(|s| s.tick == tick - 1) {
                    window += learning_axons
                        .iter()
                        .filter(|a| !events.contains(a))
                        .map(|&a| words(a))
                        .sum::<u64>();
                }
            }
            plain + window
        })
        .collect()
}

#[test]
fn learning_cycles_per_tick_match_the_formula() {
    let config = RandomNetConfig {
        max_neurons: SHAPE.neurons,
        max_axons: SHAPE.axons,
        max_negative_exp_projections_per_population: 3,
        max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
        ticks: 16,
    };
    let mut ticks_checked = 0;
    for seed in 0..20 {
        let net = random_learning_network(seed, &config, 4);
        if !net.learns() {
            continue;
        }
        let image = map_network(&net, SHAPE).unwrap();
        let rtl = run_rtl(&net, false);
        let predicted = predicted_cycles(&net, &image, &rtl.spikes);
        assert_eq!(rtl.tick_cycles, predicted, "seed {seed}");
        ticks_checked += predicted.len();
    }
    assert!(ticks_checked >= 200, "only {ticks_checked} ticks checked");
}

/// The benchmark layer (`benches/engines.rs`: 256 neurons, 256 inputs, 32 events per tick)
/// with its projection learning (excitatory, weights made non-negative), on a 256x256
/// learning core: its cycles follow the formula, and are printed beside the plain layer's.
#[test]
fn benchmark_layer_cycles_with_and_without_learning() {
    let shape = CoreShape::default();
    let ticks = 8;
    let plain = dense_layer(256, 256, 32, ticks, 1);
    let mut learning = plain.clone();
    learning.projections[0].learning = Some(StdpRule {
        x_impulse: 20,
        x_decay: 600,
        y_impulse: 20,
        y_decay: 600,
        a_plus_mant: 1,
        a_plus_exp: -2,
        a_minus_mant: -1,
        a_minus_exp: -2,
        ..StdpRule::default()
    });
    for w in learning.projections[0].weights.iter_mut().flatten() {
        *w = w.abs() / 4;
    }
    let options = RunOptions {
        shape,
        ..Default::default()
    };
    let without = run(&plain, Engine::Rtl, ticks, &options, &mut |_| {}).unwrap();
    let with = run(&learning, Engine::Rtl, ticks, &options, &mut |_| {}).unwrap();
    let image = map_network(&learning, shape).unwrap();
    let predicted = predicted_cycles(&learning, &image, &with.spikes);
    let with_cycles = with.tick_cycles.unwrap();
    assert_eq!(with_cycles, predicted);
    let without_cycles = without.tick_cycles.unwrap();
    eprintln!("256-neuron benchmark layer, cycles per tick (ticks 0..{ticks}):");
    eprintln!("  without learning: {without_cycles:?}");
    eprintln!("  with learning:    {with_cycles:?}");
}
