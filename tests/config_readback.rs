//! Configuration read-back (`rtl::cfg_bus`): on every engine (rtl and Verilator, one core and a
//! 2x2 mesh system), random words written to every readable target at random addresses over
//! its whole depth (first and last address included) read back equal, masked to the target's
//! width; every read, also of a command, an unused code or a missing tile, gets exactly one
//! answer pulse; and reads do not change behaviour: after a network is loaded the normal way,
//! every word reads back as the mapper's image, and the run still equals the golden model.
//! `NEUROFAB_SEED=<seed>` replays one seed.

mod common;

use std::collections::HashMap;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use common::{compare, seeds};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::map::mesh::{map_mesh, MeshImage, MeshShape};
use neurofab::map::MAX_ABS_ACTIVATION;
use neurofab::model::Network;
use neurofab::rtl::core_sim::rtl_core;
use neurofab::rtl::layout::{pack_u, ACC_SLOTS};
use neurofab::rtl::noc::MeshConfig;
use neurofab::rtl::ports::Pins;
use neurofab::rtl::regmap::{depth_table, CfgTarget, Dims, CFG_TARGET_CODES};
use neurofab::rtl::system_sim::{fanout_entries, rtl_system};
use neurofab::rtl::top_ports::{CoreInput, CoreOutput, CorePorts, SystemInput, SystemOutput};
use neurofab::shape::CoreShape;
use neurofab::sim::driver::CorePins;
use neurofab::sim::random_net::{random_network, RandomNetConfig};
use neurofab::sim::system_driver::SystemPins;
use neurofab::sim::verilated::{verilated_core, verilated_system};
use neurofab::sim::{driver, run, system_driver, Engine, RunOptions, RunResult};

const SMALL_CORE: CoreShape = CoreShape {
    neurons: 64,
    axons: 64,
};
const LARGE_CORE: CoreShape = CoreShape {
    neurons: 1024,
    axons: 512,
};
const MESH: MeshShape = MeshShape {
    width: 2,
    height: 2,
};
/// Random addresses per target besides the first and the last.
const RANDOM_ADDRESSES: usize = 40;
/// Cycles watched for answer pulses after a read strobe.
const PULSE_WINDOW: u64 = 8;

fn mesh_config() -> MeshConfig {
    MeshConfig::new(MESH.width, MESH.height, neurofab::sim::SYSTEM_FIFO_DEPTH)
        .unwrap()
        .with_full_offsets()
}

/// One tile's (or core's) configuration access, whatever the top.
trait CfgPort {
    fn write(&mut self, tile: usize, target: CfgTarget, addr: u32, data: u32);
    fn read(&mut self, tile: usize, target: CfgTarget, addr: u32) -> u32;
    /// Strobes a read of `code` at `tile` and counts the answer pulses in the next
    /// [`PULSE_WINDOW`] cycles.
    fn answer_pulses(&mut self, tile: usize, code: u8) -> usize;
}

struct CoreCfg<'a>(&'a mut CorePins);

impl CfgPort for CoreCfg<'_> {
    fn write(&mut self, _tile: usize, target: CfgTarget, addr: u32, data: u32) {
        let pins = &mut *self.0;
        pins.set(CoreInput::CfgTarget, target.code() as u64);
        pins.set(CoreInput::CfgAddr, addr as u64);
        pins.set(CoreInput::CfgData, data as u64);
        pins.set(CoreInput::CfgWrite, 1);
        pins.cycle();
        pins.set(CoreInput::CfgWrite, 0);
    }

    fn read(&mut self, _tile: usize, target: CfgTarget, addr: u32) -> u32 {
        driver::read_config(self.0, target, addr).unwrap()
    }

    fn answer_pulses(&mut self, _tile: usize, code: u8) -> usize {
        let pins = &mut *self.0;
        pins.set(CoreInput::CfgTarget, code as u64);
        pins.set(CoreInput::CfgAddr, 0);
        pins.set(CoreInput::CfgRead, 1);
        pins.cycle();
        pins.set(CoreInput::CfgRead, 0);
        let mut pulses = 0;
        for _ in 0..PULSE_WINDOW {
            pulses += pins.get(CoreOutput::CfgReadValid) as usize;
            pins.cycle();
        }
        pulses
    }
}

struct SystemCfg<'a>(&'a mut SystemPins);

impl CfgPort for SystemCfg<'_> {
    fn write(&mut self, tile: usize, target: CfgTarget, addr: u32, data: u32) {
        let pins = &mut *self.0;
        pins.set(SystemInput::CfgCore, tile as u64);
        pins.set(SystemInput::CfgTarget, target.code() as u64);
        pins.set(SystemInput::CfgAddr, addr as u64);
        pins.set(SystemInput::CfgData, data as u64);
        pins.set(SystemInput::CfgWrite, 1);
        pins.cycle();
        pins.set(SystemInput::CfgWrite, 0);
    }

    fn read(&mut self, tile: usize, target: CfgTarget, addr: u32) -> u32 {
        system_driver::read_config(self.0, tile, target, addr).unwrap()
    }

    fn answer_pulses(&mut self, tile: usize, code: u8) -> usize {
        let pins = &mut *self.0;
        pins.set(SystemInput::CfgCore, tile as u64);
        pins.set(SystemInput::CfgTarget, code as u64);
        pins.set(SystemInput::CfgAddr, 0);
        pins.set(SystemInput::CfgRead, 1);
        pins.cycle();
        pins.set(SystemInput::CfgRead, 0);
        let mut pulses = 0;
        for _ in 0..PULSE_WINDOW {
            pulses += pins.get(SystemOutput::CfgReadValid) as usize;
            pins.cycle();
        }
        pulses
    }
}

/// The readable targets that exist in a design of `dims`, with their depths (from the host
/// link's depth table).
fn readable_targets(dims: &Dims) -> Vec<(CfgTarget, u32)> {
    let depths = depth_table(dims);
    CfgTarget::ALL
        .into_iter()
        .filter(|t| t.is_readable() && depths[t.code() as usize] > 0)
        .map(|t| (t, depths[t.code() as usize]))
        .collect()
}

/// What every word of every tile should read: written words masked to the target's width,
/// `Clear` zeroing the states, everything else zero (the memories power up zeroed).
struct Expected {
    neurons: usize,
    words: HashMap<(usize, CfgTarget, u32), u32>,
}

impl Expected {
    fn new(neurons: usize) -> Self {
        Expected {
            neurons,
            words: HashMap::new(),
        }
    }

    fn write(&mut self, tile: usize, target: CfgTarget, addr: u32, data: u32) {
        if target == CfgTarget::Clear {
            self.words.retain(|&(t, target, _), _| {
                t != tile || !matches!(target, CfgTarget::StateU | CfgTarget::StateV)
            });
        } else {
            let word = data & target.data_mask(self.neurons);
            self.words.insert((tile, target, addr), word);
        }
    }

    fn word(&self, tile: usize, target: CfgTarget, addr: u32) -> u32 {
        self.words.get(&(tile, target, addr)).copied().unwrap_or(0)
    }
}

/// The first, the last and [`RANDOM_ADDRESSES`] random addresses of a target of `depth` words.
fn addresses(rng: &mut StdRng, depth: u32) -> Vec<u32> {
    let mut addrs = vec![0, depth - 1];
    addrs.extend((0..RANDOM_ADDRESSES).map(|_| rng.gen_range(0..depth)));
    addrs
}

/// Writes random words at random addresses of every readable target of every tile, all before
/// any read (so a read that lands on the wrong word or target shows), then reads each back.
fn random_round_trip(port: &mut dyn CfgPort, tiles: usize, dims: &Dims, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut expected = Expected::new(dims.neurons);
    let mut read_list = Vec::new();
    for tile in 0..tiles {
        for (target, depth) in readable_targets(dims) {
            for addr in addresses(&mut rng, depth) {
                let data: u32 = rng.gen();
                port.write(tile, target, addr, data);
                expected.write(tile, target, addr, data);
                read_list.push((tile, target, addr));
            }
        }
    }
    for (tile, target, addr) in read_list {
        let read = port.read(tile, target, addr);
        let want = expected.word(tile, target, addr);
        assert_eq!(
            read,
            want,
            "seed {seed}: tile {tile} {} address {addr}: read {read:#x}, wrote {want:#x}",
            target.spec().name
        );
    }
}

/// Every read gets exactly one answer pulse: every target code (commands and unused codes
/// included) of every tile, and on a system a tile that does not exist.
fn one_answer_per_read(port: &mut dyn CfgPort, tiles: usize) {
    for tile in 0..tiles {
        for code in 0..CFG_TARGET_CODES as u8 {
            assert_eq!(port.answer_pulses(tile, code), 1, "tile {tile} code {code}");
        }
    }
    assert_eq!(port.read(0, CfgTarget::Clear, 0), 0, "a command reads 0");
}

fn random_net(seed: u64, cores: usize) -> Network {
    random_network(
        seed,
        &RandomNetConfig {
            max_neurons: SMALL_CORE.neurons * cores,
            max_axons: SMALL_CORE.axons,
            max_negative_exp_projections_per_population: ACC_SLOTS - 1,
            max_abs_input: MAX_ABS_ACTIVATION,
            ticks: 12,
        },
    )
}

fn golden(net: &Network) -> RunResult {
    run(
        net,
        Engine::Golden,
        net.ticks,
        &RunOptions::default(),
        &mut |_| {},
    )
    .unwrap()
}

/// Every readable word of every tile reads as `expected`, over the whole depth.
fn check_image(port: &mut dyn CfgPort, tiles: usize, dims: &Dims, expected: &Expected) {
    for tile in 0..tiles {
        for (target, depth) in readable_targets(dims) {
            for addr in 0..depth {
                assert_eq!(
                    port.read(tile, target, addr),
                    expected.word(tile, target, addr),
                    "tile {tile} {} address {addr} differs from the loaded image",
                    target.spec().name
                );
            }
        }
    }
}

/// The mapped network's image as the core's configuration writes leave it.
fn core_image(image: &MeshImage) -> Expected {
    let mut expected = Expected::new(image.shape.neurons);
    for (tile, core) in image.cores.iter().enumerate() {
        for w in core.config_writes() {
            expected.write(tile, w.target, w.addr, w.data);
        }
    }
    expected
}

/// Loads a random network on one core, reads every word back, runs it, compares with golden,
/// and reads the final `u` of every neuron back as the probe reported it.
fn loaded_core_reads_its_image(pins: Box<dyn Pins<CorePorts>>, seed: u64, engine: Engine) {
    let net = random_net(seed, 1);
    let image = map_mesh(&net, MeshShape::default(), SMALL_CORE).unwrap();
    let mut cores = vec![pins];
    let pins = cores[0].as_mut();
    driver::load(pins, &image.cores[0]).unwrap();
    check_image(
        &mut CoreCfg(pins),
        1,
        &core_dims(SMALL_CORE),
        &core_image(&image),
    );
    let hw = driver::run(&mut cores, &image, &net, net.ticks, &mut |_| {}).unwrap();
    let pins = cores[0].as_mut();
    let result = RunResult {
        spikes: hw.spikes,
        states: hw.states,
        tick_cycles: None,
        total_cycles: None,
        learned: None,
    };
    compare(seed, &net, &golden(&net), &result, engine);
    for (pop, states) in result.states.iter().enumerate() {
        for (n, state) in states.iter().enumerate() {
            let (_, core_neuron) = image.placement[pop][n];
            let u = driver::read_config(pins, CfgTarget::StateU, core_neuron as u32).unwrap();
            assert_eq!(u, pack_u(state.u), "seed {seed}: final u of {pop}/{n}");
        }
    }
}

/// Loads a random network on the 2x2 system, reads every word of every tile back (fan-out
/// tables included), runs it and compares with golden.
fn loaded_system_reads_its_image(pins: &mut SystemPins, seed: u64, engine: Engine) {
    let net = random_net(seed, MESH.cores());
    let image = map_mesh(&net, MESH, SMALL_CORE).unwrap();
    let capacity = fanout_entries(SMALL_CORE);
    system_driver::load(pins, &image, capacity).unwrap();
    let mut expected = core_image(&image);
    for (tile, table) in image.fanout_tables(capacity).unwrap().iter().enumerate() {
        for (n, &word) in table.index.iter().enumerate() {
            expected.write(tile, CfgTarget::FanoutIndex, n as u32, word);
        }
        for (e, &flit) in table.entries.iter().enumerate() {
            expected.write(tile, CfgTarget::FanoutEntry, e as u32, flit);
        }
    }
    // Wait for the cores' Clear to finish before reading (reads are honoured while idle).
    while pins.get(SystemOutput::Idle) == 0 {
        pins.cycle();
    }
    let dims = Dims::tile(SMALL_CORE.neurons, SMALL_CORE.axons, capacity);
    check_image(&mut SystemCfg(pins), MESH.cores(), &dims, &expected);
    let hw = system_driver::run(pins, &image, &net, net.ticks, &mut |_| {}).unwrap();
    let result = RunResult {
        spikes: hw.spikes,
        states: hw.states,
        tick_cycles: None,
        total_cycles: None,
        learned: None,
    };
    compare(seed, &net, &golden(&net), &result, engine);
}

fn core_dims(shape: CoreShape) -> Dims {
    Dims::core(shape.neurons, shape.axons)
}

fn system_dims() -> Dims {
    Dims::tile(
        SMALL_CORE.neurons,
        SMALL_CORE.axons,
        fanout_entries(SMALL_CORE),
    )
}

#[test]
fn rtl_core_reads_back_every_target() {
    for seed in seeds(1, 2) {
        for shape in [SMALL_CORE, LARGE_CORE] {
            let mut pins = rtl_core(shape);
            random_round_trip(&mut CoreCfg(pins.as_mut()), 1, &core_dims(shape), seed);
            one_answer_per_read(&mut CoreCfg(pins.as_mut()), 1);
        }
        loaded_core_reads_its_image(rtl_core(SMALL_CORE), seed, Engine::Rtl);
    }
}

/// The crossbar core: its stage's settle register instead of the synapse SRAM.
#[test]
fn rtl_crossbar_core_reads_back_every_target() {
    use neurofab::analog::column_read::{ColumnReader, CrossbarParams};
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    for seed in seeds(41, 2) {
        let reader = ColumnReader::new(64, 64, CrossbarParams::ideal()).unwrap();
        let mut pins = neurofab::rtl::core_sim::rtl_crossbar_core(shape, reader, None).unwrap();
        let dims = Dims::crossbar_core(shape.neurons, shape.axons);
        assert!(readable_targets(&dims).contains(&(CfgTarget::XbarSettle, 1)));
        random_round_trip(&mut CoreCfg(pins.as_mut()), 1, &dims, seed);
        one_answer_per_read(&mut CoreCfg(pins.as_mut()), 1);
    }
}

#[test]
fn verilator_core_reads_back_every_target() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    for seed in seeds(11, 1) {
        let mut pins = verilated_core(SMALL_CORE).unwrap();
        random_round_trip(&mut CoreCfg(&mut pins), 1, &core_dims(SMALL_CORE), seed);
        one_answer_per_read(&mut CoreCfg(&mut pins), 1);
        let fresh = Box::new(verilated_core(SMALL_CORE).unwrap());
        loaded_core_reads_its_image(fresh, seed, Engine::Verilator);
    }
}

#[test]
fn rtl_system_reads_back_every_tile_and_fanout_table() {
    for seed in seeds(21, 1) {
        let mut pins = rtl_system(SMALL_CORE, &mesh_config(), false);
        random_round_trip(
            &mut SystemCfg(pins.as_mut()),
            MESH.cores(),
            &system_dims(),
            seed,
        );
        // The last tile index and one past it (no such tile: the system answers 0).
        one_answer_per_read(&mut SystemCfg(pins.as_mut()), MESH.cores() + 1);
        let mut fresh = rtl_system(SMALL_CORE, &mesh_config(), false);
        loaded_system_reads_its_image(fresh.as_mut(), seed, Engine::Rtl);
    }
}

#[test]
fn verilator_system_reads_back_every_tile_and_fanout_table() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    for seed in seeds(31, 1) {
        let mut pins = verilated_system(SMALL_CORE, &mesh_config(), false).unwrap();
        random_round_trip(
            &mut SystemCfg(&mut pins),
            MESH.cores(),
            &system_dims(),
            seed,
        );
        one_answer_per_read(&mut SystemCfg(&mut pins), MESH.cores() + 1);
        let mut fresh = verilated_system(SMALL_CORE, &mesh_config(), false).unwrap();
        loaded_system_reads_its_image(&mut fresh, seed, Engine::Verilator);
    }
}
