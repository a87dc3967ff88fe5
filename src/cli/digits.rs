//! `neurofab demo digits [--engine golden|rtl|verilator] [--images N]`: the held-out 8x8
//! digits classified by the Spyx-trained network (`src/demo/digits.rs`) on the core, with the
//! framework's float accuracy beside it.

use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::cli::config::HwConfig;
use crate::demo::digits::{load_digits, Classifier};
use crate::sim::{Engine, RunOptions};

/// Held-out images a hardware engine classifies when `--images` is not given (the golden
/// engine classifies them all).
pub const DEFAULT_HARDWARE_IMAGES: usize = 20;

/// Runs the digits demo on `engine` for `images` held-out images (default: all on golden,
/// [`DEFAULT_HARDWARE_IMAGES`] on rtl/verilator, which are also checked against golden).
pub fn demo_digits(engine: Engine, images: Option<usize>) -> Result<()> {
    let classifier = Classifier::load()?;
    let digits = load_digits();
    let record = &classifier.record;
    let all = record.test.len();
    let count = match (images, engine) {
        (Some(0), _) => bail!("--images must be at least 1"),
        (Some(n), _) => n.min(all),
        (None, Engine::Golden) => all,
        (None, _) => DEFAULT_HARDWARE_IMAGES.min(all),
    };
    let options = RunOptions {
        shape: HwConfig::default().core_shape(),
        ..Default::default()
    };
    eprint!("{}", classifier.report.summary());
    eprintln!(
        "digits: {} held-out images of {} ({} training), {} ticks of input each + {} for the layers, on the {} engine",
        count,
        digits.len(),
        record.train.len(),
        record.ticks,
        classifier.network.ticks - record.ticks,
        engine.name()
    );
    let started = Instant::now();
    let (mut correct, mut float_correct, mut agree) = (0, 0, 0);
    for (k, &index) in record.test.iter().take(count).enumerate() {
        let digit = &digits[index];
        let got = classifier
            .classify(digit, engine, &options)
            .with_context(|| format!("image {index} on the {} engine", engine.name()))?;
        if engine != Engine::Golden {
            let golden = classifier.classify(digit, Engine::Golden, &options)?;
            if golden.result.spikes != got.result.spikes
                || golden.result.states != got.result.states
            {
                bail!(
                    "image {index}: the {} engine disagrees with the golden model, first at tick {:?}",
                    engine.name(),
                    golden.result.spikes.first_difference(&got.result.spikes)
                );
            }
        }
        let float = record.float_predictions[k];
        correct += usize::from(got.prediction == digit.label);
        float_correct += usize::from(float == digit.label);
        agree += usize::from(got.prediction == float);
    }
    let pct = |n: usize| 100.0 * n as f64 / count as f64;
    println!(
        "hardware ({} engine, 8-bit weights): {:.1} % ({correct}/{count})",
        engine.name(),
        pct(correct)
    );
    println!(
        "float ({}): {:.1} % ({float_correct}/{count}){}",
        record.framework,
        pct(float_correct),
        if count == all {
            String::new()
        } else {
            format!(
                "; {:.1} % on all {all} held-out images",
                100.0 * record.float_accuracy
            )
        }
    );
    println!(
        "same class as the float model: {:.1} % ({agree}/{count}){}",
        pct(agree),
        if engine == Engine::Golden {
            String::new()
        } else {
            format!(
                "; the {} engine equals golden on all {count} images (spikes and final states)",
                engine.name()
            )
        }
    );
    eprintln!("digits: {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}
