//! `neurofab demo stdp-window [--engine golden|rtl|verilator] [--out DIR]`: the STDP window
//! measured on an engine (`src/demo/stdp_window.rs`), written as `stdp_window.csv` and
//! `stdp_window.svg` with a table on stdout.

use std::path::Path;

use anyhow::{bail, Context, Result};

use super::output::Outputs;
use crate::demo::stdp_window::{measure_window, window_csv, window_table, WindowRule};
use crate::plot::window::WindowFigure;
use crate::plot::{render, Format};
use crate::shape::CoreShape;
use crate::sim::Engine;

/// `Δt` of the table printed to stdout (the CSV and the figure have every `Δt` of ±20).
pub const TABLE_DTS: [i32; 13] = [-20, -15, -10, -5, -2, -1, 0, 1, 2, 5, 10, 15, 20];

/// Runs the window on `engine`; on a hardware engine checks it equal to golden's.
pub fn demo_stdp_window(engine: Engine, out: &Path) -> Result<()> {
    let rule = WindowRule::default();
    let (tau_plus, tau_minus) = rule.taus();
    eprintln!(
        "stdp-window: 41 pre/post pairs, dt = t_post - t_pre from -20 to 20 ticks, one run on \
         the {} engine (tau+ = {tau_plus:.2}, tau- = {tau_minus:.2} ticks)",
        engine.name()
    );
    let shape = CoreShape::default();
    let points = measure_window(&rule, 20, engine, shape)
        .with_context(|| format!("the {} engine could not measure the window", engine.name()))?;
    if engine != Engine::Golden {
        let golden = measure_window(&rule, 20, Engine::Golden, shape)?;
        if golden != points {
            bail!(
                "the {} engine's window differs from the golden model's",
                engine.name()
            );
        }
        eprintln!(
            "stdp-window: the {} engine equals golden at every dt",
            engine.name()
        );
    }
    let svg = render(&WindowFigure::new(points.clone())?, Format::Svg)?;
    let mut outputs = Outputs::new();
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let csv_id = outputs.plan(&out.join("stdp_window.csv"))?;
    outputs.set_contents(csv_id, window_csv(&points).as_bytes())?;
    let svg_id = outputs.plan(&out.join("stdp_window.svg"))?;
    outputs.set_contents(svg_id, &svg)?;
    outputs.commit()?;
    super::print_stdout(&window_table(&points, &TABLE_DTS))?;
    eprintln!(
        "wrote {0}/stdp_window.csv and {0}/stdp_window.svg; replot with \
         `neurofab plot window {0}/stdp_window.csv -o window.png`",
        out.display()
    );
    Ok(())
}
