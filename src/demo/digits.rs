//! The 8x8 handwritten digits (scikit-learn's copy of the UCI optdigits test set,
//! `assets/digits/`, 1797 images with grey levels 0..=16) and the spiking classifier trained
//! on them with Spyx (`tools/train_digits.py`, `tools/digits/`): `neurofab demo digits`.
//!
//! The classifier is the NIR graph `tools/digits/digits.nir` imported like any `.nir` file
//! (forward Euler at the `dt` it was trained with, 8-bit weights, `docs/nir.md`); a held-out
//! image is encoded as input spikes by [`encode_regular`] and run on an engine; the class is
//! the output neuron with the most spikes (ties: the lowest index).

use std::path::Path;

use serde::Deserialize;

use crate::import::{map_graph, read::read_nir_bytes, ImportError, QuantReport};
use crate::model::{Network, SpikeTrain};
use crate::sim::{run, Engine, RunOptions, RunResult, SimError};

/// The data set as shipped: a header, then `label,p0,...,p63` per image (row-major pixels).
pub const DIGITS_CSV: &str = include_str!("../../assets/digits/digits.csv");
/// The trained network (Python `nir` 1.0.8's writer).
pub const DIGITS_NIR: &[u8] = include_bytes!("../../tools/digits/digits.nir");
/// Training record: split, encoder, `dt`, ticks, the framework's float accuracy.
pub const DIGITS_MODEL_JSON: &str = include_str!("../../tools/digits/model.json");

/// Pixels per image (8 x 8).
pub const PIXELS: usize = 64;
/// Grey levels above black: a pixel holds 0..=GREY_LEVELS.
pub const GREY_LEVELS: u32 = 16;
/// Classes (digits 0-9).
pub const CLASSES: usize = 10;

/// Why the data or the classifier cannot be loaded.
#[derive(Debug, thiserror::Error)]
pub enum DigitsError {
    /// A line of the CSV is not `label` and 64 grey levels.
    #[error("digits CSV line {line}: {reason}")]
    Csv {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// `model.json` does not parse or does not fit the data.
    #[error("digits model: {0}")]
    Model(String),
    /// The `.nir` file does not import.
    #[error("digits model: {0}")]
    Import(#[from] ImportError),
}

/// One image.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Digit {
    /// The digit shown, 0..=9.
    pub label: usize,
    /// Grey levels 0..=16, row-major.
    pub pixels: [u8; PIXELS],
}

/// Parses the CSV format of [`DIGITS_CSV`] (header line first).
pub fn parse_digits(text: &str) -> Result<Vec<Digit>, DigitsError> {
    let mut digits = vec![];
    for (k, line) in text.lines().enumerate().skip(1) {
        let bad = |reason: String| DigitsError::Csv {
            line: k + 1,
            reason,
        };
        let values: Vec<u8> = line
            .split(',')
            .map(|v| v.trim().parse::<u8>())
            .collect::<Result<_, _>>()
            .map_err(|e| bad(format!("not a small integer: {e}")))?;
        let Some((&label, pixels)) = values.split_first() else {
            return Err(bad("empty line".into()));
        };
        let pixels: [u8; PIXELS] = pixels
            .try_into()
            .map_err(|_| bad(format!("{} pixels, expected {PIXELS}", pixels.len())))?;
        if usize::from(label) >= CLASSES || pixels.iter().any(|&g| u32::from(g) > GREY_LEVELS) {
            return Err(bad("label above 9 or grey level above 16".into()));
        }
        digits.push(Digit {
            label: usize::from(label),
            pixels,
        });
    }
    Ok(digits)
}

/// The shipped data set.
pub fn load_digits() -> Vec<Digit> {
    parse_digits(DIGITS_CSV).expect("the shipped digits CSV parses (checked by tests)")
}

/// Regular rate code: pixel `p` of grey level `g` spikes in tick `t < ticks` when
/// `floor((t+1)·g/16) > floor(t·g/16)`; over 16 ticks that is `g` evenly spaced spikes (none
/// for black, every tick for 16). Returns `[tick, pixel]` pairs.
pub fn encode_regular(pixels: &[u8; PIXELS], ticks: u32) -> Vec<(u32, usize)> {
    let mut spikes = vec![];
    for t in 0..ticks {
        for (p, &g) in pixels.iter().enumerate() {
            let g = u32::from(g);
            if (t + 1) * g / GREY_LEVELS > t * g / GREY_LEVELS {
                spikes.push((t, p));
            }
        }
    }
    spikes
}

/// What `tools/train_digits.py` recorded (`tools/digits/model.json`).
#[derive(Clone, Debug, Deserialize)]
pub struct TrainingRecord {
    /// Framework and versions.
    pub framework: String,
    /// Seconds per tick the network was trained (and is imported) at.
    pub dt: f64,
    /// Ticks of input per image.
    pub ticks: u32,
    /// The NIR Input node (the image's 64 channels).
    pub input_node: String,
    /// The NIR neuron node whose spikes are counted.
    pub output_node: String,
    /// The framework's float accuracy on the held-out images.
    pub float_accuracy: f64,
    /// Its prediction for each held-out image, in the order of `test`.
    pub float_predictions: Vec<usize>,
    /// Held-out image indices (a seeded third of the data set).
    pub test: Vec<usize>,
    /// Training image indices.
    pub train: Vec<usize>,
}

/// The imported classifier.
pub struct Classifier {
    /// The network (no input spikes); run [`Classifier::network_for`] an image.
    pub network: Network,
    /// How the import quantized it.
    pub report: QuantReport,
    /// The training record.
    pub record: TrainingRecord,
    input: usize,
    output: usize,
}

/// One image classified on one engine.
#[derive(Clone, Debug)]
pub struct Classified {
    /// Spikes of each output neuron.
    pub counts: [u32; CLASSES],
    /// The class with the most spikes (ties: the lowest index).
    pub prediction: usize,
    /// The engine's whole result (spikes and final states), for comparisons.
    pub result: RunResult,
}

impl Classifier {
    /// Imports the shipped classifier.
    pub fn load() -> Result<Classifier, DigitsError> {
        let record: TrainingRecord = serde_json::from_str(DIGITS_MODEL_JSON)
            .map_err(|e| DigitsError::Model(format!("tools/digits/model.json: {e}")))?;
        let graph = read_nir_bytes(DIGITS_NIR.to_vec(), Path::new("tools/digits/digits.nir"))?;
        let imported = map_graph(&graph, record.dt, record.ticks)?;
        let mut network = imported.network;
        // A spike reaches the next population one tick later on the core (spec §2), so a
        // chain of N populations needs N more ticks for the last input to reach the output.
        network.ticks = record.ticks + network.populations.len() as u32;
        let input = network
            .inputs
            .iter()
            .position(|i| i.name == record.input_node);
        let output = network
            .populations
            .iter()
            .position(|p| p.name == record.output_node);
        let (Some(input), Some(output)) = (input, output) else {
            return Err(DigitsError::Model(format!(
                "no input '{}' or population '{}' in the imported network",
                record.input_node, record.output_node
            )));
        };
        if network.inputs[input].size != PIXELS || network.populations[output].size != CLASSES {
            return Err(DigitsError::Model(
                "the network is not 64 inputs -> 10 outputs".into(),
            ));
        }
        if record.float_predictions.len() != record.test.len() {
            return Err(DigitsError::Model(
                "one float prediction per held-out image needed".into(),
            ));
        }
        Ok(Classifier {
            network,
            report: imported.report,
            record,
            input,
            output,
        })
    }

    /// The network with `digit`'s input spikes.
    pub fn network_for(&self, digit: &Digit) -> Network {
        let mut net = self.network.clone();
        net.inputs[self.input].spikes = encode_regular(&digit.pixels, self.record.ticks);
        net
    }

    /// Output spike counts of a run.
    pub fn counts(&self, spikes: &SpikeTrain) -> [u32; CLASSES] {
        let mut counts = [0; CLASSES];
        for s in spikes.spikes.iter().filter(|s| s.population == self.output) {
            counts[s.neuron] += 1;
        }
        counts
    }

    /// Runs `digit` on `engine`.
    pub fn classify(
        &self,
        digit: &Digit,
        engine: Engine,
        options: &RunOptions,
    ) -> Result<Classified, SimError> {
        let net = self.network_for(digit);
        let result = run(&net, engine, net.ticks, options, &mut |_| {})?;
        let counts = self.counts(&result.spikes);
        Ok(Classified {
            counts,
            prediction: predict(&counts),
            result,
        })
    }
}

/// The class with the most spikes; ties go to the lowest index (as `argmax` in the script).
pub fn predict(counts: &[u32; CLASSES]) -> usize {
    let best = counts.iter().copied().max().unwrap_or(0);
    counts.iter().position(|&c| c == best).unwrap_or(0)
}
