//! The three engines behind one interface, and their stimulus.
//!
//! - [`Engine::Golden`]: the behavioural model of `model::golden`, per tick;
//! - [`Engine::Rtl`]: the rust-hdl neurocore, cycle by cycle, in this process;
//! - [`Engine::Verilator`]: the Verilog exported from the same blocks, compiled by Verilator.
//!
//! The two hardware engines share the mapper and the driver; only the
//! [`Pins`](crate::rtl::ports::Pins) implementation differs (`rtl::rtl_top::RtlTop` or
//! [`verilated::VerilatedTop`]).

pub mod driver;
pub(crate) mod handshake;
pub mod learned;
pub mod link_load;
pub mod noc_traffic;
pub mod random_net;
pub mod stats;
pub mod system_driver;
pub mod vcd_time;
pub mod verilated;
pub mod verilated_crossbar;
pub mod verilated_noc;
pub mod workloads;
pub mod xbar_program;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use thiserror::Error;

use crate::analog::column_read::CrossbarParams;
use crate::fixed::LifState;
use crate::map::mesh::{map_mesh, MeshMapError, MeshShape};
use crate::model::crossbar::CrossbarSynapses;
use crate::model::synapse::SynapseStage;
use crate::model::{
    GoldenModel, LearnedWeights, Network, SpikeCollector, SpikeSink, SpikeTrain, StdpSynapses,
};
use crate::rtl::core_sim::{rtl_core, rtl_core_traced, rtl_learning_core};
use crate::rtl::ports::Pins;
use crate::rtl::top_ports::{CorePorts, SystemPorts};
use crate::shape::{shape_list_text, CoreShape, SYSTEM_SHAPES};

/// Which engine runs the network.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    /// The golden behavioural model (pure Rust, per tick).
    Golden,
    /// The rust-hdl neurocore, simulated cycle by cycle.
    Rtl,
    /// The exported Verilog, compiled with Verilator.
    Verilator,
}

impl Engine {
    /// The engine's name as the command line spells it (`--engine rtl`).
    pub fn name(self) -> &'static str {
        match self {
            Engine::Golden => "golden",
            Engine::Rtl => "rtl",
            Engine::Verilator => "verilator",
        }
    }
}

/// How to run.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    /// Core shape for the hardware engines.
    pub shape: CoreShape,
    /// Mesh of cores for the hardware engines (1x1: a single core).
    pub mesh: MeshShape,
    /// Write a VCD waveform here (rtl engine only).
    pub vcd: Option<PathBuf>,
    /// The clock the VCD's timestamps are real time at, in Hz (default
    /// [`vcd_time::DEFAULT_VCD_CLOCK_HZ`]).
    pub vcd_clock_hz: Option<u64>,
}

/// Everything an engine reports, collected in memory by [`run`].
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Output spikes.
    pub spikes: SpikeTrain,
    /// Final `(u, v)` per population and neuron.
    pub states: Vec<Vec<LifState>>,
    /// Clock cycles per tick (hardware engines).
    pub tick_cycles: Option<Vec<u64>>,
    /// Total clock cycles including loading (hardware engines).
    pub total_cycles: Option<u64>,
    /// The final state of every learning projection (spec §6), from an engine that learns
    /// (golden; rtl and verilator on one core); an empty list for a network without learning
    /// projections.
    pub learned: Option<LearnedWeights>,
}

/// What a streamed run returns besides its spikes (which went to the sink): nothing that
/// grows with the ticks.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// Final `(u, v)` per population and neuron.
    pub states: Vec<Vec<LifState>>,
    /// Clock cycles per tick as running figures (hardware engines).
    pub cycles: Option<CycleStats>,
    /// Total clock cycles including loading (hardware engines).
    pub total_cycles: Option<u64>,
    /// The final state of every learning projection (spec §6), from an engine that learns
    /// (golden; rtl and verilator on one core); an empty list for a network without learning
    /// projections.
    pub learned: Option<LearnedWeights>,
}

/// Clock cycles per tick as running figures, so that a run of any length keeps four numbers
/// (per-tick counts, for tests that need them, come from a [`SpikeCollector`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CycleStats {
    /// Ticks recorded.
    pub ticks: u64,
    /// Sum of their cycles.
    pub total: u64,
    /// Fewest cycles of one tick (0 before the first).
    pub min: u64,
    /// Most cycles of one tick.
    pub max: u64,
}

impl CycleStats {
    /// Adds one tick of `cycles` cycles.
    pub fn record(&mut self, cycles: u64) {
        self.min = if self.ticks == 0 {
            cycles
        } else {
            self.min.min(cycles)
        };
        self.max = self.max.max(cycles);
        self.total += cycles;
        self.ticks += 1;
    }

    /// The figures of a list of per-tick counts.
    pub fn of(tick_cycles: &[u64]) -> CycleStats {
        let mut stats = CycleStats::default();
        tick_cycles.iter().for_each(|&c| stats.record(c));
        stats
    }

    /// Mean cycles per tick (0 for no ticks).
    pub fn mean(&self) -> f64 {
        self.total as f64 / self.ticks.max(1) as f64
    }
}

/// Why a run failed.
#[derive(Debug, Error)]
pub enum SimError {
    /// The network does not fit the core or mesh.
    #[error(transparent)]
    Map(#[from] MeshMapError),
    /// The hardware broke the driver's protocol.
    #[error(transparent)]
    Driver(#[from] driver::DriverError),
    /// Verilator could not build or load the model.
    #[error(transparent)]
    Verilator(#[from] crate::export::verilator::VerilatorError),
    /// The waveform file could not be created.
    #[error("cannot create waveform file {path}: {source}")]
    Vcd {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The spike sink (the output file) failed.
    #[error("tick {tick}: cannot write the spikes: {source}")]
    Output {
        /// Tick whose spikes were being written.
        tick: u32,
        /// The sink's error.
        source: std::io::Error,
    },
    /// An option does not apply to the engine.
    #[error("{0}")]
    Unsupported(String),
    /// The network does not fit the crossbar, or its parameters are out of range.
    #[error(transparent)]
    Crossbar(#[from] crate::model::crossbar::CrossbarNetError),
}

/// Runs `net` for `ticks` ticks on `engine` and collects the whole run in memory, per-tick
/// cycles included (see [`stream`] for runs of any length); `progress` is called with the
/// ticks completed.
pub fn run(
    net: &Network,
    engine: Engine,
    ticks: u32,
    options: &RunOptions,
    progress: &mut dyn FnMut(u32),
) -> Result<RunResult, SimError> {
    let mut collector = SpikeCollector::default();
    let summary = stream(net, engine, ticks, options, &mut collector, progress)?;
    let tick_cycles = std::mem::take(&mut collector.tick_cycles);
    Ok(RunResult {
        states: summary.states,
        tick_cycles: summary.cycles.map(|_| tick_cycles),
        total_cycles: summary.total_cycles,
        learned: summary.learned,
        spikes: collector.into_train(),
    })
}

/// Runs `net` for `ticks` ticks on `engine`, handing each tick's spikes to `sink` as the tick
/// completes; `progress` is called with the ticks completed. Memory does not grow with the
/// ticks.
pub fn stream(
    net: &Network,
    engine: Engine,
    ticks: u32,
    options: &RunOptions,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<RunSummary, SimError> {
    match engine {
        Engine::Golden => {
            if options.vcd.is_some() {
                return Err(SimError::Unsupported(
                    "--vcd needs a cycle-level engine (rtl); the golden model has no clock".into(),
                ));
            }
            // A network without learning keeps the fixed-weight stage (and its speed).
            if !net.learns() {
                let (_, summary) =
                    stream_golden(net, GoldenModel::new(net), ticks, sink, progress)?;
                return Ok(RunSummary {
                    learned: Some(LearnedWeights {
                        ticks,
                        projections: Vec::new(),
                    }),
                    ..summary
                });
            }
            let model = GoldenModel::with_stage(net, StdpSynapses::new(net));
            let (model, summary) = stream_golden(net, model, ticks, sink, progress)?;
            Ok(RunSummary {
                learned: Some(model.finish_learning().learned(net, ticks)),
                ..summary
            })
        }
        Engine::Rtl | Engine::Verilator => {
            let image = map_mesh(net, options.mesh, options.shape)?;
            if options.mesh.cores() > 1 {
                return run_system(net, engine, ticks, options, &image, sink, progress);
            }
            if options.vcd.is_some() && (engine != Engine::Rtl || options.mesh.cores() > 1) {
                return Err(SimError::Unsupported(
                    "--vcd is supported by the rtl engine on a single core; run without --mesh"
                        .into(),
                ));
            }
            let learns = image.cores[0].learning.is_some();
            let mut cores: Vec<Box<dyn Pins<CorePorts>>> = Vec::with_capacity(image.cores.len());
            for _ in 0..image.cores.len() {
                cores.push(match (engine, &options.vcd) {
                    (Engine::Rtl, Some(path)) => {
                        rtl_core_traced(options.shape, learns, open_vcd(path, options)?)
                    }
                    (Engine::Rtl, None) if learns => rtl_learning_core(options.shape)
                        .expect("the mapper places learning networks on learning shapes only"),
                    (Engine::Rtl, None) => rtl_core(options.shape),
                    _ if learns => {
                        Box::new(verilated::verilated_learning_core(options.shape).expect(
                            "the mapper places learning networks on learning shapes only",
                        )?)
                    }
                    _ => Box::new(verilated::verilated_core(options.shape)?),
                });
            }
            for (pins, core_image) in cores.iter_mut().zip(&image.cores) {
                driver::load(pins.as_mut(), core_image)?;
            }
            let run = driver::stream(&mut cores, &image, net, ticks, sink, progress)?;
            Ok(RunSummary {
                states: run.states,
                cycles: Some(run.cycles),
                total_cycles: Some(run.total_cycles),
                learned: Some(run.learned.unwrap_or(LearnedWeights {
                    ticks,
                    projections: Vec::new(),
                })),
            })
        }
    }
}

/// The VCD file of an rtl run at `path`, timed at the options' clock.
fn open_vcd(
    path: &std::path::Path,
    options: &RunOptions,
) -> Result<Box<dyn std::io::Write>, SimError> {
    let file = File::create(path).map_err(|source| SimError::Vcd {
        path: path.to_path_buf(),
        source,
    })?;
    let clock = options
        .vcd_clock_hz
        .unwrap_or(vcd_time::DEFAULT_VCD_CLOCK_HZ);
    Ok(Box::new(vcd_time::VcdRetimer::new(
        BufWriter::new(file),
        clock,
    )))
}

/// Runs `net` on the golden model with its projections in a memristor crossbar of the core
/// `shape` (rows = axons, columns = neurons; `model::crossbar`), streaming as [`stream`] does.
pub fn stream_golden_crossbar(
    net: &Network,
    shape: CoreShape,
    params: CrossbarParams,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<RunSummary, SimError> {
    let stage = CrossbarSynapses::new(net, shape.axons, shape.neurons, params)?;
    let model = GoldenModel::with_stage(net, stage);
    Ok(stream_golden(net, model, ticks, sink, progress)?.1)
}

/// Runs `net` with its projections in a memristor crossbar (`[crossbar]` of `hw.toml`, the
/// analog parameters `params`) on `engine`, streaming as [`stream`] does: the golden crossbar
/// stage ([`stream_golden_crossbar`]), or the crossbar core (`rtl::crossbar_core`, mapped by
/// [`crate::map::crossbar::map_crossbar`], one core) in rust-hdl (rtl) or compiled by
/// Verilator with the array's model in Rust ([`verilated_crossbar`]).
pub fn stream_crossbar(
    net: &Network,
    engine: Engine,
    params: CrossbarParams,
    ticks: u32,
    options: &RunOptions,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<RunSummary, SimError> {
    if options.mesh.cores() > 1 {
        return Err(SimError::Unsupported(
            "a crossbar network runs on one core; run without --mesh".into(),
        ));
    }
    match engine {
        Engine::Golden if options.vcd.is_some() => Err(SimError::Unsupported(
            "--vcd needs a cycle-level engine (rtl); the golden model has no clock".into(),
        )),
        Engine::Golden => stream_golden_crossbar(net, options.shape, params, ticks, sink, progress),
        Engine::Verilator if options.vcd.is_some() => Err(SimError::Unsupported(
            "--vcd is supported by the rtl engine on a single core".into(),
        )),
        Engine::Rtl | Engine::Verilator => {
            let image = crate::map::crossbar::map_crossbar(net, options.shape, params)
                .map_err(MeshMapError::from)?;
            let reader = image
                .crossbar
                .as_ref()
                .expect("map_crossbar places a crossbar")
                .reader
                .clone();
            let pins: Box<dyn Pins<CorePorts>> = if engine == Engine::Rtl {
                let vcd = match &options.vcd {
                    Some(path) => Some(open_vcd(path, options)?),
                    None => None,
                };
                crate::rtl::core_sim::rtl_crossbar_core(options.shape, reader, vcd)
                    .expect("map_crossbar accepts crossbar shapes only")
            } else {
                Box::new(
                    verilated_crossbar::verilated_crossbar_core(options.shape, reader)
                        .expect("map_crossbar accepts crossbar shapes only")?,
                )
            };
            let mut cores = vec![pins];
            driver::load(cores[0].as_mut(), &image)?;
            let image = crate::map::mesh::MeshImage::single_core(net, image);
            let run = driver::stream(&mut cores, &image, net, ticks, sink, progress)?;
            Ok(RunSummary {
                states: run.states,
                cycles: Some(run.cycles),
                total_cycles: Some(run.total_cycles),
                learned: Some(LearnedWeights {
                    ticks,
                    projections: Vec::new(),
                }),
            })
        }
    }
}

/// [`stream_crossbar`], collecting the whole run in memory (tests, benchmarks).
pub fn run_crossbar(
    net: &Network,
    engine: Engine,
    params: CrossbarParams,
    ticks: u32,
    options: &RunOptions,
) -> Result<RunResult, SimError> {
    let mut collector = SpikeCollector::default();
    let summary = stream_crossbar(
        net,
        engine,
        params,
        ticks,
        options,
        &mut collector,
        &mut |_| {},
    )?;
    let tick_cycles = std::mem::take(&mut collector.tick_cycles);
    Ok(RunResult {
        states: summary.states,
        tick_cycles: summary.cycles.map(|_| tick_cycles),
        total_cycles: summary.total_cycles,
        learned: summary.learned,
        spikes: collector.into_train(),
    })
}

/// Runs the golden model for `ticks` ticks, each tick's spikes into `sink`; returns the model
/// (for its synapse stage) and the summary.
fn stream_golden<S: SynapseStage>(
    net: &Network,
    mut model: GoldenModel<S>,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<(GoldenModel<S>, RunSummary), SimError> {
    model
        .stream_ticks(ticks, sink, progress)
        .map_err(|e| SimError::Output {
            tick: e.tick,
            source: e.source,
        })?;
    let states = net
        .populations
        .iter()
        .enumerate()
        .map(|(p, pop)| (0..pop.size).map(|n| model.state(p, n)).collect())
        .collect();
    let summary = RunSummary {
        states,
        cycles: None,
        total_cycles: None,
        learned: None,
    };
    Ok((model, summary))
}

/// Router FIFO depth of the multi-core system.
pub const SYSTEM_FIFO_DEPTH: usize = 4;

/// Runs a mapped network on the multi-core system (fan-out tables, routers and the tick
/// barrier in hardware).
fn run_system(
    net: &Network,
    engine: Engine,
    ticks: u32,
    options: &RunOptions,
    image: &crate::map::mesh::MeshImage,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<RunSummary, SimError> {
    use crate::rtl::system_sim::{fanout_entries, rtl_system};
    let shape = options.shape;
    if !SYSTEM_SHAPES.contains(&(shape.neurons, shape.axons)) {
        return Err(SimError::Unsupported(format!(
            "a mesh of {}x{} cores is not generated; mesh core shapes: {}",
            shape.neurons,
            shape.axons,
            shape_list_text(&SYSTEM_SHAPES)
        )));
    }
    if options.vcd.is_some() {
        return Err(SimError::Unsupported(
            "--vcd is supported by the rtl engine on a single core; run without --mesh".into(),
        ));
    }
    let config = crate::rtl::noc::MeshConfig::new(
        options.mesh.width,
        options.mesh.height,
        SYSTEM_FIFO_DEPTH,
    )
    .map_err(|e| SimError::Unsupported(e.to_string()))?
    .with_full_offsets();
    // A learning network runs on learning tiles everywhere (the mapper checked the shape).
    let learns = image.learns();
    let mut pins: Box<dyn Pins<SystemPorts>> = match engine {
        Engine::Rtl => rtl_system(shape, &config, learns),
        _ => Box::new(verilated::verilated_system(shape, &config, learns)?),
    };
    system_driver::load(pins.as_mut(), image, fanout_entries(shape))?;
    let run = system_driver::stream(pins.as_mut(), image, net, ticks, sink, progress)?;
    Ok(RunSummary {
        states: run.states,
        cycles: Some(run.cycles),
        total_cycles: Some(run.total_cycles),
        learned: Some(run.learned.unwrap_or(LearnedWeights {
            ticks,
            projections: Vec::new(),
        })),
    })
}
