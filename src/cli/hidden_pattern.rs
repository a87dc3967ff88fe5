//! `neurofab demo hidden-pattern [--engine golden|rtl] [--seed S] [--out DIR]`: one neuron
//! learns a pattern hidden in Poisson afferents (`src/demo/hidden_pattern.rs`); writes
//! `hidden_pattern.csv` (test events), `hidden_pattern_weights.csv` and
//! `hidden_pattern.svg`, with the before/after table on stdout.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::output::Outputs;
use crate::demo::hidden_pattern::{
    events_csv, outcome_table, run_experiment, weights_csv, Experiment,
};
use crate::plot::pattern::PatternFigure;
use crate::plot::{render, Format};
use crate::sim::Engine;

/// Ticks of each test run shown in the figure.
const FIGURE_TICKS: u32 = 1_000;

/// Trains on `engine` (checked against golden on a hardware engine), tests, writes.
pub fn demo_hidden_pattern(engine: Engine, seed: Option<u64>, out: &Path) -> Result<()> {
    let mut exp = Experiment::default();
    if let Some(seed) = seed {
        exp.seed = seed;
    }
    let stim = exp.stimulus;
    eprintln!(
        "hidden-pattern: {} afferents at {} % per tick, a {}-tick pattern in {} % of the slots \
         (seed {}); training {} ticks on the {} engine, then {} test ticks before and after",
        stim.afferents,
        stim.rate * 100.0,
        stim.pattern_ticks,
        stim.pattern_share * 100.0,
        exp.seed,
        exp.train_ticks,
        engine.name(),
        exp.test_ticks
    );
    let outcome = run_experiment(&exp, engine)
        .with_context(|| format!("the {} engine could not run the demo", engine.name()))?;
    if engine != Engine::Golden {
        let golden = run_experiment(&exp, Engine::Golden)?;
        if golden.learned != outcome.learned {
            bail!(
                "the {} engine's learned weights differ from the golden model's",
                engine.name()
            );
        }
        eprintln!(
            "hidden-pattern: the {} engine's learned weights equal golden's",
            engine.name()
        );
    }
    let figure = PatternFigure::new(&outcome, FIGURE_TICKS, stim.pattern_ticks)?;
    let svg = render(&figure, Format::Svg)?;
    let initial = exp.initial_weights();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut outputs = Outputs::new();
    for (name, bytes) in [
        ("hidden_pattern.csv", events_csv(&outcome).into_bytes()),
        (
            "hidden_pattern_weights.csv",
            weights_csv(&outcome, &initial).into_bytes(),
        ),
        ("hidden_pattern.svg", svg),
    ] {
        let id = outputs.plan(&out.join(name))?;
        outputs.set_contents(id, &bytes)?;
    }
    outputs.commit()?;
    super::print_stdout(&outcome_table(&outcome))?;
    eprintln!(
        "wrote {0}/hidden_pattern.csv, {0}/hidden_pattern_weights.csv and \
         {0}/hidden_pattern.svg; try another stimulus with --seed",
        out.display()
    );
    Ok(())
}
