//! Loading a network into the crossbar by program-and-verify (issue 10 item 4): every device
//! of the cells a network uses is brought into a window of ADC codes around its target
//! level's nominal conductance, with a pulse budget, by the reference algorithm
//! (`analog::program::write_verify`, the golden engine) or by the rust-hdl controller
//! `rtl::write_verify::WriteVerify` at its pins (the rtl engine), which drive identically
//! seeded arrays to the same conductances.
//!
//! # What is programmed
//! The golden crossbar stage's layout (`model::crossbar`): projection `p`'s pre neuron `i` is
//! row `row_base[p] + i`, population columns in file order. Every device of the used rows
//! (projections' sources) and used columns (neurons) is programmed, both sides of each
//! differential pair, row-major, `G+` before `G-`; a weight `w` targets level `max(w, 0)` on
//! `G+` and `max(-w, 0)` on `G-`. Other devices stay at their fresh `g_min`, which is their
//! level 0.
//!
//! # The window
//! The verify read converts a device's noisy conductance with a [`PROGRAM_ADC_BITS`]-bit ADC
//! whose full scale is [`FULL_SCALE_OVER_G_ON`] `× g_on`
//! ([`crate::analog::program::ReadScale`]); level `k`'s nominal conductance
//! `g_off + k (g_on - g_off) / (L - 1)` has code `c_k`, and the window is
//! `c_k - window ..= c_k + window` (clamped to the codes). A device whose own range (device
//! variation) or budget cannot reach it is flagged `failed`.
//!
//! # The rtl engine's read path
//! `WriteVerify`'s `read_start` is answered [`READ_LATENCY`] cycles later (the row driven for
//! the settle time, then one SAR conversion of `B + 1` cycles), the code from the same
//! `read_code` as the reference; its `pulse_set`/`pulse_reset` pins pulse the device.

use thiserror::Error;

use crate::analog::column_read::CrossbarParams;
use crate::analog::device::{CrossbarArray, DeviceParamError, Pulse};
use crate::analog::program::{read_code, write_verify, DeviceAt, Outcome, ReadScale};
use crate::model::crossbar::{CrossbarNetError, CrossbarSynapses};
use crate::model::Network;
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::crossbar_synapses::SETTLE_CYCLES;
use crate::rtl::write_verify::WriteVerify;
use crate::shape::CoreShape;

/// Bits of the verify read's ADC (the crossbar core's; `WriteVerify`'s code width).
pub const PROGRAM_ADC_BITS: usize = 8;
/// The verify ADC's full scale over the nominal `g_on` (room for device variation above it).
pub const FULL_SCALE_OVER_G_ON: f64 = 1.28;
/// Cycles from `read_start` to `read_done`: the settle time, then one conversion.
pub const READ_LATENCY: u32 = SETTLE_CYCLES as u32 + PROGRAM_ADC_BITS as u32 + 1;
/// Largest pulse budget (`WriteVerify`'s 8-bit `max_pulses`).
pub const MAX_PULSE_BUDGET: u32 = 255;

/// How the array is programmed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProgramOptions {
    /// Codes either side of the target's code.
    pub window: u32,
    /// Pulses at most per device (`0..=MAX_PULSE_BUDGET`).
    pub max_pulses: u32,
}

impl Default for ProgramOptions {
    /// +-2 codes (a sixth of a level step of the default 16-level device), 100 pulses.
    fn default() -> Self {
        ProgramOptions {
            window: 2,
            max_pulses: 100,
        }
    }
}

/// Which controller programs the array.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Programmer {
    /// The reference algorithm (`analog::program::write_verify`).
    Golden,
    /// The rust-hdl `WriteVerify` block, simulated cycle by cycle.
    Rtl,
}

/// Why a network cannot be programmed.
#[derive(Debug, Error)]
pub enum ProgramError {
    /// The network does not fit the crossbar (rows, columns, levels, ...).
    #[error(transparent)]
    Net(#[from] CrossbarNetError),
    /// A device parameter is out of range.
    #[error(transparent)]
    Device(#[from] DeviceParamError),
    /// The pulse budget is beyond the controller's counter.
    #[error("--max-pulses {0}: the controller counts at most {MAX_PULSE_BUDGET} pulses")]
    Budget(u32),
}

/// One programmed device.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceReport {
    /// The device.
    pub at: DeviceAt,
    /// Its target level.
    pub level: u32,
    /// The accepted codes.
    pub window: (u32, u32),
    /// How programming ended (reads, pulses, failed).
    pub outcome: Outcome,
    /// Its conductance afterwards (noiseless), siemens.
    pub g: f64,
    /// `g` minus the target level's nominal conductance, in nominal level steps.
    pub error_levels: f64,
}

/// A programmed array and what it took.
#[derive(Clone, Debug)]
pub struct ProgramRun {
    /// The array after programming.
    pub array: CrossbarArray,
    /// Every programmed device, in programming order.
    pub devices: Vec<DeviceReport>,
    /// Clock cycles of the rtl controller (0 for the golden engine).
    pub cycles: u64,
}

/// Programs `net` into a fresh array of the core `shape` (devices drawn from `params.seed`, as
/// the golden stage's) with `programmer`.
pub fn program_network(
    net: &Network,
    shape: CoreShape,
    params: CrossbarParams,
    options: ProgramOptions,
    programmer: Programmer,
) -> Result<ProgramRun, ProgramError> {
    if options.max_pulses > MAX_PULSE_BUDGET {
        return Err(ProgramError::Budget(options.max_pulses));
    }
    // The golden stage checks the fit (rows with the sum axon, columns, levels).
    CrossbarSynapses::new(net, shape.axons, shape.neurons, params)?;
    let device = params.device;
    let mut array = CrossbarArray::new(shape.axons, shape.neurons, device, params.seed)?;
    let scale = ReadScale {
        bits: PROGRAM_ADC_BITS as u32,
        g_full_scale: FULL_SCALE_OVER_G_ON * device.g_on,
    };
    let step = (device.g_on - device.g_off) / f64::from(device.levels - 1);
    let max_code = (1u32 << PROGRAM_ADC_BITS) - 1;
    let mut rtl = match programmer {
        Programmer::Golden => None,
        Programmer::Rtl => Some(controller()),
    };
    let mut devices = Vec::new();
    for (row, col, weight) in cell_weights(net) {
        for positive in [true, false] {
            let level = (if positive { weight } else { -weight }).max(0) as u32;
            let nominal = device.g_off + f64::from(level) * step;
            let centre = scale.code(nominal);
            let window = (
                centre.saturating_sub(options.window),
                (centre + options.window).min(max_code),
            );
            let at = DeviceAt { row, col, positive };
            let outcome = match &mut rtl {
                None => write_verify(&mut array, at, &scale, window, options.max_pulses),
                Some(sim) => run_controller(sim, &mut array, at, &scale, window, options),
            };
            let g = array.device(row, col, positive).g;
            devices.push(DeviceReport {
                at,
                level,
                window,
                outcome,
                g,
                error_levels: (g - nominal) / step,
            });
        }
    }
    Ok(ProgramRun {
        array,
        devices,
        cycles: rtl.map_or(0, |sim| sim.cycles()),
    })
}

/// `(row, column, weight)` of every cell the network uses, row-major (the golden stage's
/// layout; unconnected cells of used rows and columns have weight 0).
fn cell_weights(net: &Network) -> Vec<(usize, usize, i64)> {
    let rows: usize = net
        .projections
        .iter()
        .map(|p| net.source_size(p.from))
        .sum();
    let cols = net.total_neurons();
    let mut weights = vec![vec![0i64; cols]; rows];
    let mut population_base = Vec::with_capacity(net.populations.len());
    let mut next = 0;
    for pop in &net.populations {
        population_base.push(next);
        next += pop.size;
    }
    let mut row_base = 0;
    for proj in &net.projections {
        for (post, pre_weights) in proj.weights.iter().enumerate() {
            for (pre, &w) in pre_weights.iter().enumerate() {
                weights[row_base + pre][population_base[proj.to] + post] = i64::from(w);
            }
        }
        row_base += net.source_size(proj.from);
    }
    (0..rows)
        .flat_map(|row| (0..cols).map(move |col| (row, col)))
        .map(|(row, col)| (row, col, weights[row][col]))
        .collect()
}

type Controller = Clocked<WriteVerify<PROGRAM_ADC_BITS>>;

fn controller() -> Controller {
    WriteVerify::<PROGRAM_ADC_BITS>::clocked()
}

/// Runs the controller on one device until `done` (the read path answers after
/// [`READ_LATENCY`] cycles); the outcome as the reference reports it.
fn run_controller(
    sim: &mut Controller,
    array: &mut CrossbarArray,
    at: DeviceAt,
    scale: &ReadScale,
    (lo, hi): (u32, u32),
    options: ProgramOptions,
) -> Outcome {
    poke(&mut sim.block.start, true);
    poke(&mut sim.block.target_lo, u64::from(lo).into());
    poke(&mut sim.block.target_hi, u64::from(hi).into());
    poke(
        &mut sim.block.max_pulses,
        u64::from(options.max_pulses).into(),
    );
    poke(&mut sim.block.read_done, false);
    sim.mark_dirty();
    sim.settle_if_dirty();
    sim.rise();
    poke(&mut sim.block.start, false);
    let mut codes = Vec::new();
    // A read in flight: its code and the cycles left until it is answered.
    let mut pending: Option<(u32, u32)> = None;
    loop {
        let answer = match pending {
            Some((code, 0)) => Some(code),
            _ => None,
        };
        poke(&mut sim.block.read_done, answer.is_some());
        poke(
            &mut sim.block.read_code,
            u64::from(answer.unwrap_or(0)).into(),
        );
        sim.mark_dirty();
        sim.settle_if_dirty();
        pending = match pending {
            Some((code, left)) if left > 0 => Some((code, left - 1)),
            _ => None,
        };
        let block = &sim.block;
        if block.done.val() {
            let outcome = Outcome {
                failed: block.failed.val(),
                pulses: block.pulses.val().index() as u32,
                codes,
            };
            sim.rise();
            return outcome;
        }
        if block.read_start.val() {
            let code = read_code(array, at, scale);
            codes.push(code);
            pending = Some((code, READ_LATENCY - 1));
        }
        if block.pulse_set.val() || block.pulse_reset.val() {
            let pulse = if block.pulse_set.val() {
                Pulse::Set
            } else {
                Pulse::Reset
            };
            array.pulse(at.row, at.col, at.positive, pulse);
        }
        sim.rise();
    }
}

/// The programming report: devices, converged and flagged, pulses per device and the
/// programming error (in level steps) as a Markdown table of distributions.
pub fn program_table(run: &ProgramRun) -> String {
    let n = run.devices.len();
    let failed = run.devices.iter().filter(|d| d.outcome.failed).count();
    let mut pulses: Vec<u32> = run.devices.iter().map(|d| d.outcome.pulses).collect();
    pulses.sort_unstable();
    let mut errors: Vec<f64> = run.devices.iter().map(|d| d.error_levels.abs()).collect();
    errors.sort_by(f64::total_cmp);
    let quantile = |q: f64| ((n.max(1) - 1) as f64 * q).round() as usize;
    let mean_pulses = pulses.iter().map(|&p| f64::from(p)).sum::<f64>() / n.max(1) as f64;
    let mut text = format!(
        "| devices | converged | failed (flagged) | pulses: mean | median | 95 % | max |\n\
         | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n\
         | {n} | {} | {failed} | {mean_pulses:.1} | {} | {} | {} |\n\n",
        n - failed,
        pulses.get(quantile(0.5)).copied().unwrap_or(0),
        pulses.get(quantile(0.95)).copied().unwrap_or(0),
        pulses.last().copied().unwrap_or(0),
    );
    text.push_str("| programming error (level steps) | devices | share |\n| --- | ---: | ---: |\n");
    let bounds = [0.05, 0.1, 0.25, 0.5, 1.0];
    let mut below = 0;
    for (i, &bound) in bounds.iter().enumerate() {
        let count = errors.iter().filter(|&&e| e < bound).count() - below;
        let from = if i == 0 { 0.0 } else { bounds[i - 1] };
        text.push_str(&format!(
            "| {from} ..< {bound} | {count} | {:.1} % |\n",
            100.0 * count as f64 / n.max(1) as f64
        ));
        below += count;
    }
    text.push_str(&format!(
        "| >= 1 | {} | {:.1} % |\n",
        n - below,
        100.0 * (n - below) as f64 / n.max(1) as f64
    ));
    text
}

/// Every programmed device as CSV: `row,col,side,level,lo,hi,pulses,failed,last_code,g_s,error_levels`.
pub fn program_csv(run: &ProgramRun) -> String {
    let mut csv =
        String::from("row,col,side,level,lo,hi,pulses,failed,last_code,g_s,error_levels\n");
    for d in &run.devices {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{:.6e},{:.4}\n",
            d.at.row,
            d.at.col,
            if d.at.positive { "+" } else { "-" },
            d.level,
            d.window.0,
            d.window.1,
            d.outcome.pulses,
            u8::from(d.outcome.failed),
            d.outcome.codes.last().copied().unwrap_or(0),
            d.g,
            d.error_levels
        ));
    }
    csv
}
