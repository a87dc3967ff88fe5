//! `neurofab crossbar ...`: the analog crossbar's read path, on its own, for checking against a
//! circuit simulator (format: `docs/crossbar.md`).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::output::print_stdout;
use super::write_atomic;
use crate::analog::{nodal, xbar_file};
use crate::sim::xbar_program::ProgramOptions;

/// `neurofab crossbar`.
#[derive(Debug, Args)]
pub struct CrossbarArgs {
    /// What to do with the crossbar.
    #[command(subcommand)]
    pub command: CrossbarCommand,
}

/// `neurofab crossbar` sub-commands.
#[derive(Debug, Subcommand)]
pub enum CrossbarCommand {
    /// Solve one read of a resistive array (XBAR.json: rows, cols, g, v_row, r_wire_row,
    /// r_wire_col, r_source, r_sense; docs/crossbar.md) exactly by nodal analysis and write the
    /// current from each column into its sense node as CSV (`col,current_a`, 12 significant
    /// digits).
    Solve(SolveArgs),
    /// Cycles per tick of the crossbar core against the SRAM core as events per tick grow, on
    /// the rtl engine (64x64 cores, a fully connected 63 -> 64 layer); writes crossover.csv and
    /// crossover.svg and prints a table and where the fitted lines cross.
    Crossover(CrossoverArgs),
    /// Load a network into a fresh array by program-and-verify (per device: a window of ADC
    /// codes around its target level, SET/RESET pulses within a budget, devices that cannot
    /// get there flagged) and print the pulses per device and the programming error
    /// distribution (docs/crossbar.md).
    Program(ProgramArgs),
}

/// `neurofab crossbar crossover`.
#[derive(Debug, Args)]
pub struct CrossoverArgs {
    /// Directory for crossover.csv and crossover.svg.
    #[arg(long, default_value = "crossover-out")]
    pub out: PathBuf,
    /// Ticks per measured point (the first, without events, is not counted).
    #[arg(long, default_value_t = 20)]
    pub ticks: u32,
}

/// `neurofab crossbar solve`.
#[derive(Debug, Args)]
pub struct SolveArgs {
    /// The array (XBAR.json).
    pub xbar: PathBuf,
    /// Output CSV (standard output if omitted).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `neurofab crossbar program`.
#[derive(Debug, Args)]
pub struct ProgramArgs {
    /// The network (JSON).
    pub net: PathBuf,
    /// Hardware configuration: the core's size and the `[crossbar]` device (defaults without).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Which controller programs the array: the reference algorithm or the rust-hdl
    /// `WriteVerify` block.
    #[arg(long, value_enum, default_value_t = ProgramEngine::Golden)]
    pub engine: ProgramEngine,
    /// Codes either side of each target level's code that the verify read accepts.
    #[arg(long, default_value_t = ProgramOptions::default().window)]
    pub window: u32,
    /// Pulses at most per device (0..=255).
    #[arg(long, default_value_t = ProgramOptions::default().max_pulses)]
    pub max_pulses: u32,
    /// Every programmed device as CSV (row, col, side, level, window, pulses, failed, last
    /// code, conductance, error in level steps).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The controller of `crossbar program`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ProgramEngine {
    /// The reference algorithm (`analog::program::write_verify`).
    Golden,
    /// The rust-hdl `WriteVerify` block, cycle by cycle.
    Rtl,
}

fn program(args: ProgramArgs) -> Result<()> {
    use crate::sim::xbar_program::{program_csv, program_network, program_table, Programmer};
    let config = super::load_config(args.config.as_deref())?;
    let params = config
        .crossbar
        .as_ref()
        .map_or_else(crate::analog::column_read::CrossbarParams::default, |c| {
            c.params()
        });
    let net = crate::model::Network::load(&args.net)
        .with_context(|| format!("cannot load {}", args.net.display()))?;
    let programmer = match args.engine {
        ProgramEngine::Golden => Programmer::Golden,
        ProgramEngine::Rtl => Programmer::Rtl,
    };
    let options = ProgramOptions {
        window: args.window,
        max_pulses: args.max_pulses,
    };
    let shape = config.core_shape();
    let run = program_network(&net, shape, params, options, programmer)
        .with_context(|| format!("{}: cannot program the crossbar", args.net.display()))?;
    if let Some(out) = &args.out {
        write_atomic(out, &program_csv(&run))?;
    }
    print_stdout(&program_table(&run))?;
    let failed = run.devices.iter().filter(|d| d.outcome.failed).count();
    eprintln!(
        "crossbar program: {} devices of a {}x{} array written and verified ({} engine{}), \
         {failed} flagged",
        run.devices.len(),
        shape.axons,
        shape.neurons,
        match programmer {
            Programmer::Golden => "golden".to_string(),
            Programmer::Rtl => "rtl".to_string(),
        },
        if run.cycles > 0 {
            format!(", {} cycles", run.cycles)
        } else {
            String::new()
        }
    );
    Ok(())
}

/// Runs a `crossbar` sub-command.
pub fn crossbar(args: CrossbarArgs) -> Result<()> {
    match args.command {
        CrossbarCommand::Solve(args) => solve(args),
        CrossbarCommand::Crossover(args) => crossover(args),
        CrossbarCommand::Program(args) => program(args),
    }
}

fn crossover(args: CrossoverArgs) -> Result<()> {
    use crate::demo::crossover::{
        crossing, crossover_csv, crossover_table, measure_crossover, DEFAULT_EVENTS,
    };
    use crate::plot::crossover::CrossoverFigure;
    use crate::plot::{render, Format};

    if args.ticks < 2 {
        anyhow::bail!(
            "--ticks {}: at least 2 (tick 0 carries no events)",
            args.ticks
        );
    }
    eprintln!(
        "crossover: {} points of {} ticks on the rtl engine, SRAM core and crossbar core",
        DEFAULT_EVENTS.len(),
        args.ticks
    );
    let points = measure_crossover(&DEFAULT_EVENTS, args.ticks, 1)?;
    let svg = render(&CrossoverFigure::new(points.clone())?, Format::Svg)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let mut outputs = super::output::Outputs::new();
    let csv_id = outputs.plan(&args.out.join("crossover.csv"))?;
    outputs.set_contents(csv_id, crossover_csv(&points).as_bytes())?;
    let svg_id = outputs.plan(&args.out.join("crossover.svg"))?;
    outputs.set_contents(svg_id, &svg)?;
    outputs.commit()?;
    print_stdout(&crossover_table(&points))?;
    match crossing(&points) {
        Some(x) => eprintln!(
            "crossover: the fitted lines cross at {x:.1} events per tick{}",
            if x > crate::demo::crossover::INPUTS as f64 {
                " (beyond what this core's 63 inputs can carry: the SRAM core is faster here)"
            } else {
                ""
            }
        ),
        None => eprintln!("crossover: the fitted lines do not cross"),
    }
    eprintln!(
        "wrote {0}/crossover.csv and {0}/crossover.svg",
        args.out.display()
    );
    Ok(())
}

fn solve(args: SolveArgs) -> Result<()> {
    let path = args.xbar.display();
    let text =
        std::fs::read_to_string(&args.xbar).with_context(|| format!("cannot read {path}"))?;
    let net = xbar_file::parse(&text).with_context(|| format!("{path}"))?;
    let currents = nodal::column_currents(&net).with_context(|| format!("{path}"))?;
    let csv = xbar_file::currents_csv(&currents);
    eprintln!(
        "{path}: {} x {} array solved, {} column currents",
        net.rows, net.cols, net.cols
    );
    match &args.out {
        Some(out) => write_atomic(out, &csv),
        None => print_stdout(&csv),
    }
}
