//! The crossbar core against the SRAM core as events per tick grow: cycles per tick of the
//! same layer on both 64×64 cores of the rtl engine (`neurofab crossbar crossover`).
//!
//! # The workload
//! 63 inputs (the crossbar core's 64th axon is its sum event) fully connected to 64 neurons
//! that never spike (`vth` at its maximum, `du = dv = 4095`), weights drawn in
//! `-(L - 1)..=L - 1` for the ideal devices' `L = 16` levels. In every tick but the last,
//! exactly `E` distinct inputs spike (drawn per tick from the seed), so every delivering tick
//! carries `E` events. The figure per core is the mean cycles of the delivering ticks (ticks
//! `1..T`; tick 0 has no events yet).
//!
//! # What to expect (the README's cycle formulas)
//! The SRAM core reads each event's row, one word per group of 4 neurons: 16 cycles an event.
//! The crossbar core latches each event's row in one cycle, then converts every physical
//! column once per tick with one SAR ADC (`2 · 64 · (B + 1)` cycles at `B = 8`): a large fixed
//! cost and a small slope. The lines cross where the SRAM core's extra 15 cycles per event
//! have paid for the conversions.

use std::fmt::Write as _;

use rand::rngs::StdRng;
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::analog::column_read::CrossbarParams;
use crate::map::crossbar::built_columns_per_adc;
use crate::model::{Network, NetworkError};
use crate::shape::CoreShape;
use crate::sim::{run, run_crossbar, Engine, RunOptions, SimError};

/// The core both run on.
pub const SHAPE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};

/// Inputs of the layer: every axon but the crossbar core's sum axon.
pub const INPUTS: usize = 63;

/// Events per tick measured by default.
pub const DEFAULT_EVENTS: [usize; 9] = [0, 1, 2, 4, 8, 16, 32, 48, 63];

/// One measured point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CrossoverPoint {
    /// Events per tick.
    pub events: usize,
    /// Mean cycles per delivering tick on the SRAM core.
    pub sram: f64,
    /// Mean cycles per delivering tick on the crossbar core.
    pub crossbar: f64,
}

/// Why the comparison could not run.
#[derive(Debug, thiserror::Error)]
pub enum CrossoverError {
    /// More events than inputs.
    #[error("{0} events per tick: the layer has {INPUTS} inputs")]
    TooManyEvents(usize),
    /// The generated network was refused (a bug).
    #[error("the crossover network is invalid: {0}")]
    Network(#[from] NetworkError),
    /// An engine failed.
    #[error(transparent)]
    Run(#[from] SimError),
    /// An engine reported no cycles.
    #[error("the rtl engine reported no cycles")]
    NoCycles,
}

/// The layer with `events` input spikes in each of `ticks - 1` ticks.
pub fn crossover_network(events: usize, ticks: u32, seed: u64) -> Result<Network, CrossoverError> {
    if events > INPUTS {
        return Err(CrossoverError::TooManyEvents(events));
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let max = i64::from(CrossbarParams::ideal().device.levels) - 1;
    let weights: Vec<Vec<i64>> = (0..SHAPE.neurons)
        .map(|_| (0..INPUTS).map(|_| rng.gen_range(-max..=max)).collect())
        .collect();
    let mut spikes = Vec::new();
    for tick in 0..ticks.saturating_sub(1) {
        let mut chosen = sample(&mut rng, INPUTS, events).into_vec();
        chosen.sort_unstable();
        spikes.extend(chosen.into_iter().map(|i| [tick, i as u32]));
    }
    let text = json!({
        "ticks": ticks,
        "inputs": [{"name": "in", "size": INPUTS, "spikes": spikes}],
        "populations": [{"name": "layer", "size": SHAPE.neurons,
            "neuron": {"du": 4095, "dv": 4095, "vth": 131071}}],
        "projections": [{"from": "in", "to": "layer", "weights": weights}],
    })
    .to_string();
    Ok(Network::from_json_str(&text, None)?)
}

fn mean_delivering(cycles: Option<Vec<u64>>) -> Result<f64, CrossoverError> {
    let cycles = cycles.ok_or(CrossoverError::NoCycles)?;
    let delivering = &cycles[1..];
    Ok(delivering.iter().sum::<u64>() as f64 / delivering.len().max(1) as f64)
}

/// Measures both cores at each of `events` (ticks per point: `ticks`, at least 2).
pub fn measure_crossover(
    events: &[usize],
    ticks: u32,
    seed: u64,
) -> Result<Vec<CrossoverPoint>, CrossoverError> {
    let options = RunOptions {
        shape: SHAPE,
        ..Default::default()
    };
    let params = CrossbarParams {
        columns_per_adc: built_columns_per_adc(SHAPE),
        ..CrossbarParams::ideal()
    };
    let ticks = ticks.max(2);
    events
        .iter()
        .map(|&e| {
            let net = crossover_network(e, ticks, seed)?;
            let sram = run(&net, Engine::Rtl, ticks, &options, &mut |_| {})?;
            let crossbar = run_crossbar(&net, Engine::Rtl, params, ticks, &options)?;
            Ok(CrossoverPoint {
                events: e,
                sram: mean_delivering(sram.tick_cycles)?,
                crossbar: mean_delivering(crossbar.tick_cycles)?,
            })
        })
        .collect()
}

/// Where the two lines through the measured points cross, in events per tick: from the
/// least-squares line of each core through the points with events (a tick without events
/// reads nothing on either core, so it is off both lines); `None` if they never cross at a
/// positive event count.
pub fn crossing(points: &[CrossoverPoint]) -> Option<f64> {
    let points: Vec<CrossoverPoint> = points.iter().filter(|p| p.events > 0).copied().collect();
    let fit = |y: &dyn Fn(&CrossoverPoint) -> f64| {
        let n = points.len() as f64;
        let mx = points.iter().map(|p| p.events as f64).sum::<f64>() / n;
        let my = points.iter().map(y).sum::<f64>() / n;
        let sxy: f64 = points
            .iter()
            .map(|p| (p.events as f64 - mx) * (y(p) - my))
            .sum();
        let sxx: f64 = points.iter().map(|p| (p.events as f64 - mx).powi(2)).sum();
        let slope = sxy / sxx;
        (slope, my - slope * mx)
    };
    if points.len() < 2 {
        return None;
    }
    let (a1, b1) = fit(&|p| p.sram);
    let (a2, b2) = fit(&|p| p.crossbar);
    let x = (b2 - b1) / (a1 - a2);
    (x.is_finite() && x > 0.0).then_some(x)
}

/// `events,sram_cycles,crossbar_cycles`.
pub fn crossover_csv(points: &[CrossoverPoint]) -> String {
    let mut text = String::from("events,sram_cycles,crossbar_cycles\n");
    for p in points {
        let _ = writeln!(text, "{},{:.2},{:.2}", p.events, p.sram, p.crossbar);
    }
    text
}

/// A Markdown table of the points.
pub fn crossover_table(points: &[CrossoverPoint]) -> String {
    let mut text = String::from(
        "| events per tick | SRAM core (cycles/tick) | crossbar core (cycles/tick) |\n\
         | ---: | ---: | ---: |\n",
    );
    for p in points {
        let _ = writeln!(text, "| {} | {:.0} | {:.0} |", p.events, p.sram, p.crossbar);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_delivering_tick_has_exactly_the_events() {
        let net = crossover_network(5, 6, 1).unwrap();
        for tick in 0..5 {
            let n = net.inputs[0].spikes.iter().filter(|s| s.0 == tick).count();
            assert_eq!(n, 5, "tick {tick}");
        }
        assert!(net.inputs[0].spikes.iter().all(|s| s.0 < 5));
        assert!(matches!(
            crossover_network(64, 4, 1),
            Err(CrossoverError::TooManyEvents(64))
        ));
    }

    #[test]
    fn the_crossing_of_two_exact_lines() {
        let points: Vec<CrossoverPoint> = [1usize, 10, 20]
            .iter()
            .map(|&e| CrossoverPoint {
                events: e,
                sram: 100.0 + 16.0 * e as f64,
                crossbar: 1200.0 + e as f64,
            })
            .collect();
        let x = crossing(&points).unwrap();
        assert!((x - 1100.0 / 15.0).abs() < 1e-9, "{x}");
        let parallel: Vec<CrossoverPoint> = points
            .iter()
            .map(|p| CrossoverPoint {
                crossbar: p.sram + 5.0,
                ..*p
            })
            .collect();
        assert_eq!(crossing(&parallel), None);
    }

    /// The measured cycles follow the README's formulas: per event 16 cycles more on the
    /// SRAM core (its 16 row words) and 1 more on the crossbar core (the row latch).
    #[test]
    fn slopes_are_the_row_costs() {
        let points = measure_crossover(&[1, 9], 4, 2).unwrap();
        let slope = |f: &dyn Fn(&CrossoverPoint) -> f64| (f(&points[1]) - f(&points[0])) / 8.0;
        assert_eq!(slope(&|p| p.sram), 16.0, "{points:?}");
        assert_eq!(slope(&|p| p.crossbar), 1.0, "{points:?}");
        assert!(points[0].crossbar > points[0].sram);
    }
}
