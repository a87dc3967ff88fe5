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
pub mod noc_traffic;
pub mod random_net;
pub mod system_driver;
pub mod verilated;
pub mod verilated_noc;
pub mod workloads;

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use thiserror::Error;

use crate::fixed::LifState;
use crate::map::mesh::{map_mesh, MeshMapError, MeshShape};
use crate::model::synapse::SynapseStage;
use crate::model::{GoldenModel, LearnedWeights, Network, SpikeTrain, StdpSynapses};
use crate::rtl::core_sim::{rtl_core, rtl_core_traced};
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
}

/// Everything an engine reports.
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
    /// (golden); an empty list for a network without learning projections.
    pub learned: Option<LearnedWeights>,
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
    /// An option does not apply to the engine.
    #[error("{0}")]
    Unsupported(String),
}

/// Runs `net` for `ticks` ticks on `engine`; `progress` is called with the ticks completed.
pub fn run(
    net: &Network,
    engine: Engine,
    ticks: u32,
    options: &RunOptions,
    progress: &mut dyn FnMut(u32),
) -> Result<RunResult, SimError> {
    match engine {
        Engine::Golden => {
            if options.vcd.is_some() {
                return Err(SimError::Unsupported(
                    "--vcd needs a cycle-level engine (rtl); the golden model has no clock".into(),
                ));
            }
            // A network without learning keeps the fixed-weight stage (and its speed).
            if !net.learns() {
                let (_, result) = run_golden(net, GoldenModel::new(net), ticks, progress);
                return Ok(RunResult {
                    learned: Some(LearnedWeights {
                        ticks,
                        projections: Vec::new(),
                    }),
                    ..result
                });
            }
            let model = GoldenModel::with_stage(net, StdpSynapses::new(net));
            let (model, result) = run_golden(net, model, ticks, progress);
            Ok(RunResult {
                learned: Some(model.finish_learning().learned(net, ticks)),
                ..result
            })
        }
        Engine::Rtl | Engine::Verilator => {
            let image = map_mesh(net, options.mesh, options.shape)?;
            if options.mesh.cores() > 1 {
                return run_system(net, engine, ticks, options, &image, progress);
            }
            if options.vcd.is_some() && (engine != Engine::Rtl || options.mesh.cores() > 1) {
                return Err(SimError::Unsupported(
                    "--vcd is supported by the rtl engine on a single core; run without --mesh"
                        .into(),
                ));
            }
            let mut cores: Vec<Box<dyn Pins<CorePorts>>> = Vec::with_capacity(image.cores.len());
            for _ in 0..image.cores.len() {
                cores.push(match (engine, &options.vcd) {
                    (Engine::Rtl, Some(path)) => {
                        let file = File::create(path).map_err(|source| SimError::Vcd {
                            path: path.clone(),
                            source,
                        })?;
                        rtl_core_traced(options.shape, Box::new(BufWriter::new(file)))
                    }
                    (Engine::Rtl, None) => rtl_core(options.shape),
                    _ => Box::new(verilated::verilated_core(options.shape)?),
                });
            }
            for (pins, core_image) in cores.iter_mut().zip(&image.cores) {
                driver::load(pins.as_mut(), core_image)?;
            }
            let run = driver::run(&mut cores, &image, net, ticks, progress)?;
            Ok(RunResult {
                spikes: run.spikes,
                states: run.states,
                tick_cycles: Some(run.tick_cycles),
                total_cycles: Some(run.total_cycles),
                learned: None,
            })
        }
    }
}

/// Runs the golden model for `ticks` ticks; returns it (for its synapse stage) and the result.
fn run_golden<S: SynapseStage>(
    net: &Network,
    mut model: GoldenModel<S>,
    ticks: u32,
    progress: &mut dyn FnMut(u32),
) -> (GoldenModel<S>, RunResult) {
    let mut spikes = Vec::new();
    for tick in 0..ticks {
        spikes.extend(
            model
                .step()
                .into_iter()
                .map(|(population, neuron)| crate::model::Spike {
                    tick,
                    population,
                    neuron,
                }),
        );
        progress(tick + 1);
    }
    let states = net
        .populations
        .iter()
        .enumerate()
        .map(|(p, pop)| (0..pop.size).map(|n| model.state(p, n)).collect())
        .collect();
    let result = RunResult {
        spikes: SpikeTrain::from_unsorted(spikes),
        states,
        tick_cycles: None,
        total_cycles: None,
        learned: None,
    };
    (model, result)
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
    progress: &mut dyn FnMut(u32),
) -> Result<RunResult, SimError> {
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
    let mut pins: Box<dyn Pins<SystemPorts>> = match engine {
        Engine::Rtl => rtl_system(shape, &config),
        _ => Box::new(verilated::verilated_system(shape, &config)?),
    };
    system_driver::load(pins.as_mut(), image, fanout_entries(shape))?;
    let run = system_driver::run(pins.as_mut(), image, net, ticks, progress)?;
    Ok(RunResult {
        spikes: run.spikes,
        states: run.states,
        tick_cycles: Some(run.tick_cycles),
        total_cycles: Some(run.total_cycles),
        learned: None,
    })
}
