//! Deterministic benchmark workloads.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::fixed::LifParams;
use crate::model::{InputGroup, Network, Population, Projection, Source};

/// A feed-forward layer: `inputs` input channels, `events_per_tick` of them spiking in every
/// tick (distinct channels), densely connected to `neurons` LIF neurons with random 8-bit
/// weights. Each input spike is one axon event whose row spans all `neurons`, so a tick costs
/// `events_per_tick * neurons` synaptic operations.
pub fn dense_layer(
    neurons: usize,
    inputs: usize,
    events_per_tick: usize,
    ticks: u32,
    seed: u64,
) -> Network {
    assert!(
        events_per_tick <= inputs,
        "more events per tick than input channels"
    );
    let mut rng = StdRng::seed_from_u64(seed);
    let mut spikes = Vec::new();
    for tick in 0..ticks {
        let mut channels: Vec<usize> = (0..inputs).collect();
        for i in 0..events_per_tick {
            let j = rng.gen_range(i..inputs);
            channels.swap(i, j);
            spikes.push((tick, channels[i]));
        }
    }
    spikes.sort_unstable();
    let params = (0..neurons)
        .map(|_| LifParams {
            du: 1024,
            dv: 256,
            vth: rng.gen_range(200..2000),
            bias_mant: 0,
            bias_exp: 0,
        })
        .collect();
    let weights = (0..neurons)
        .map(|_| (0..inputs).map(|_| rng.gen_range(-128..=127)).collect())
        .collect();
    Network {
        ticks,
        inputs: vec![InputGroup {
            name: "in".into(),
            size: inputs,
            spikes,
        }],
        populations: vec![Population {
            name: "layer".into(),
            size: neurons,
            params,
        }],
        projections: vec![Projection {
            from: Source::Input(0),
            to: 0,
            weight_exp: 0,
            weights,
            learning: None,
        }],
    }
}
