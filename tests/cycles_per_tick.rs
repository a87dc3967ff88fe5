//! The core's cycles per tick follow the formula stated in the README, exactly:
//!
//! `cycles(tick) = used_neurons + sum over the tick's axon events of the synapse groups the
//! axon's row spans + 7 + (2 if the tick has any event)`,
//!
//! and therefore stay within the target
//! `used_neurons + events * ceil(used_neurons / 4) + 32`.

use neurofab::map::map_network;
use neurofab::model::Source;
use neurofab::rtl::layout::AxonWord;
use neurofab::shape::CoreShape;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::{run, Engine, RunOptions};

/// Fixed cost of a tick: the start edge, prep, the input phase's exit check, the update
/// pipeline drain (2), finish and the return to idle.
const TICK_OVERHEAD_CYCLES: u64 = 7;
/// Extra cost of a tick with events: loading the first event, and the accumulate stage drain.
const INPUT_PIPELINE_CYCLES: u64 = 2;

#[test]
fn cycles_per_tick_match_the_formula() {
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    let mut ticks_checked = 0;
    let mut events_seen = 0;
    for seed in 0..30 {
        let net = random_network(
            seed,
            &RandomNetConfig {
                max_neurons: 64,
                max_axons: 64,
                max_negative_exp_projections_per_population: 3,
                max_abs_input: neurofab::map::MAX_ABS_ACTIVATION,
                ticks: 16,
            },
        );
        let image = map_network(&net, shape).unwrap();
        let options = RunOptions {
            shape,
            ..Default::default()
        };
        let result = run(&net, Engine::Rtl, net.ticks, &options, &mut |_| {}).unwrap();
        let tick_cycles = result.tick_cycles.unwrap();
        let groups_of = |axon: usize| AxonWord::unpack(image.axon_words[axon]).groups();
        for tick in 0..net.ticks {
            let mut events: Vec<usize> = Vec::new();
            if tick > 0 {
                for (group, input) in net.inputs.iter().enumerate() {
                    for &(t, index) in &input.spikes {
                        if t == tick - 1 {
                            events.extend_from_slice(image.axons_of(Source::Input(group), index));
                        }
                    }
                }
                for spike in result.spikes.spikes.iter().filter(|s| s.tick == tick - 1) {
                    events.extend_from_slice(
                        image.axons_of(Source::Population(spike.population), spike.neuron),
                    );
                }
            }
            let used = image.neuron_count as u64;
            let groups: u64 = events.iter().map(|&a| groups_of(a)).sum();
            let expected = used
                + groups
                + TICK_OVERHEAD_CYCLES
                + if events.is_empty() {
                    0
                } else {
                    INPUT_PIPELINE_CYCLES
                };
            let measured = tick_cycles[tick as usize];
            assert_eq!(
                measured,
                expected,
                "seed {seed} tick {tick}: {} events",
                events.len()
            );
            let bound = used + events.len() as u64 * used.div_ceil(4) + 32;
            assert!(
                measured <= bound,
                "seed {seed} tick {tick}: {measured} cycles > target {bound}"
            );
            ticks_checked += 1;
            events_seen += events.len();
        }
    }
    assert!(
        ticks_checked > 0 && events_seen > 100,
        "too little activity to check the formula"
    );
}
