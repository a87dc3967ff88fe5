//! The multi-core system: a W x H mesh of tiles (router + neurocore + fan-out unit; every
//! tile a plain [`Tile`](super::tile::Tile) or every tile a learning
//! [`LearningTile`](super::tile::LearningTile)), a host port at the mesh edge, and the global
//! tick barrier.
//!
//! # Interface
//! - **Configuration bus** (`cfg_write`, `cfg_core`, `cfg_target`, `cfg_addr`, `cfg_data`):
//!   writes reach the tile `cfg_core` (core targets of `layout::CfgTarget`, and the fan-out
//!   tables of `fanout`).
//! - **Host input port** (`host_valid`, `host_data`, `host_ready`): flits injected at node 0
//!   (the mesh's north-west corner, `x = y = 0`), addressed relative to it; the host sends the
//!   input spikes of a tick as flits to their `(core, axon)` destinations. It shares node 0's
//!   Local input with tile 0 and has priority (the host only sends between ticks).
//! - **Tick**: `start` is honoured only while `idle`; every core starts in the same cycle. The
//!   barrier raises `tick_done` for one cycle once every core is idle, every fan-out unit has
//!   emptied, and no flit is in flight anywhere — the design counts flits entering the mesh
//!   (host or tile injections) against flits leaving it (ejections into cores), so "in flight"
//!   includes flits sitting in any router FIFO or on any link.
//! - **Host output port** (`host_out_valid`, `host_out_data`, `host_out_ready`) at node 0:
//!   every output spike travels as a flit to node 0 (its fan-out table has an entry for it,
//!   flagged with [`HOST_OUTPUT_FLAG`] in the axon field, which holds the source core neuron;
//!   the tag is the source core), where the system splits it off the tile's event path. The
//!   barrier counts these flits too, so a tick ends only once the host has taken all its spikes.
//! - **Probe** (`probe_core`, `probe_neuron` -> `probe_u`, `probe_v` one cycle later; stale in
//!   the cycle after a configuration read).
//! - **Configuration read-back** (`cfg_read` with `cfg_core`, `cfg_target`, `cfg_addr` ->
//!   `cfg_read_valid`, `cfg_read_data` one cycle later; see [`cfg_bus`](super::cfg_bus)): the
//!   read goes to tile `cfg_core` alone, whose answer the system selects by the tile index it
//!   registered with the read; a read of a tile that does not exist is answered 0.
//!
//! The spikes of tick `t` travel during tick `t` (from each core's update phase on), and the
//! barrier holds tick `t + 1` back until all of them sit in their cores' event queues, so the
//! partition over cores cannot change what the network computes. With learning tiles the
//! same holds for the learning timing: a core's `busy` falls only after its learning window
//! (the finish phase), so the barrier waits for every core's step 4 of tick `t`, and the pre
//! events of tick `t` reach the synapses' cores as the events of tick `t + 1`, as on one core.

use rust_hdl::prelude::*;

use super::cfg_bus::CFG_TARGET_WIDTH;
use super::fanout::{FLIT_BITS, HOST_OUTPUT_FLAG};
use super::noc::{Mesh, MeshConfig};
use super::tile::MeshTile;

/// Width of the in-flight flit counter: far above what the FIFOs of an 8x8 mesh can hold.
const IN_FLIGHT_BITS: usize = 16;

/// The system's register state, kept in plain D flip-flops.
#[derive(LogicBlock, Default)]
struct Barrier {
    clock: Signal<In, Clock>,
    running_d: Signal<In, Bit>,
    running_q: Signal<Out, Bit>,
    in_flight_d: Signal<In, Bits<IN_FLIGHT_BITS>>,
    in_flight_q: Signal<Out, Bits<IN_FLIGHT_BITS>>,
    read_tile_d: Signal<In, Bits<8>>,
    read_tile_q: Signal<Out, Bits<8>>,
    read_unowned_d: Signal<In, Bit>,
    read_unowned_q: Signal<Out, Bit>,
    running: DFF<Bit>,
    in_flight: DFF<Bits<IN_FLIGHT_BITS>>,
    // Configuration read-back: the tile addressed by the last read (its answer is selected),
    // and whether that read addressed no tile (the system answers it, with 0).
    read_tile: DFF<Bits<8>>,
    read_unowned: DFF<Bit>,
}

impl Logic for Barrier {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, running, in_flight, read_tile, read_unowned);
        self.running.d.next = self.running_d.val();
        self.in_flight.d.next = self.in_flight_d.val();
        self.running_q.next = self.running.q.val();
        self.in_flight_q.next = self.in_flight.q.val();
        self.read_tile.d.next = self.read_tile_d.val();
        self.read_tile_q.next = self.read_tile.q.val();
        self.read_unowned.d.next = self.read_unowned_d.val();
        self.read_unowned_q.next = self.read_unowned.q.val();
    }
}

/// A mesh of tiles `T` (a [`Tile`](super::tile::Tile) of plain cores or a
/// [`LearningTile`](super::tile::LearningTile), every tile the same) with `2^NB`-neuron cores;
/// 24-bit flits with 4-bit offsets ([`MeshConfig::with_full_offsets`]).
#[derive(LogicBlock)]
pub struct MeshSystem<T: MeshTile<NB>, const NB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Configuration write strobe.
    pub cfg_write: Signal<In, Bit>,
    /// Tile the write goes to (`y * width + x`).
    pub cfg_core: Signal<In, Bits<8>>,
    /// Configuration target.
    pub cfg_target: Signal<In, Bits<CFG_TARGET_WIDTH>>,
    /// Word address.
    pub cfg_addr: Signal<In, Bits<24>>,
    /// Data.
    pub cfg_data: Signal<In, Bits<32>>,
    /// Configuration read strobe of tile `cfg_core` (idle only; see `cfg_bus`).
    pub cfg_read: Signal<In, Bit>,
    /// One-cycle pulse: `cfg_read_data` answers the last `cfg_read`.
    pub cfg_read_valid: Signal<Out, Bit>,
    /// The word read (zero-extended; zero outside `cfg_read_valid`).
    pub cfg_read_data: Signal<Out, Bits<32>>,
    /// The host offers a flit at node 0.
    pub host_valid: Signal<In, Bit>,
    /// The flit.
    pub host_data: Signal<In, Bits<FLIT_BITS>>,
    /// Node 0 takes it.
    pub host_ready: Signal<Out, Bit>,
    /// Start a tick on every core (honoured while `idle`).
    pub start: Signal<In, Bit>,
    /// No tick is running, every core and fan-out unit is quiet, and no flit is in flight.
    pub idle: Signal<Out, Bit>,
    /// One-cycle pulse: the tick is over everywhere.
    pub tick_done: Signal<Out, Bit>,
    /// Tile to probe.
    pub probe_core: Signal<In, Bits<8>>,
    /// Neuron to probe.
    pub probe_neuron: Signal<In, Bits<NB>>,
    /// Its `u`, a cycle later.
    pub probe_u: Signal<Out, Bits<25>>,
    /// Its `v`, a cycle later.
    pub probe_v: Signal<Out, Bits<24>>,
    /// An output-spike flit for the host is offered.
    pub host_out_valid: Signal<Out, Bit>,
    /// The flit: axon field = `HOST_OUTPUT_FLAG | core neuron`, tag = source core.
    pub host_out_data: Signal<Out, Bits<FLIT_BITS>>,
    /// The host takes it.
    pub host_out_ready: Signal<In, Bit>,
    tiles: Vec<T>,
    mesh: Mesh<FLIT_BITS, 4, 4>,
    barrier: Barrier,
}

impl<T: MeshTile<NB>, const NB: usize> MeshSystem<T, NB> {
    /// A system of `config.width x config.height` tiles (`config.full_offsets` must be set).
    pub fn new(config: &MeshConfig) -> Self {
        assert!(
            config.full_offsets,
            "the system uses the full-offset flit layout"
        );
        let n = config.nodes();
        MeshSystem {
            clock: Default::default(),
            cfg_write: Default::default(),
            cfg_core: Default::default(),
            cfg_target: Default::default(),
            cfg_addr: Default::default(),
            cfg_data: Default::default(),
            cfg_read: Default::default(),
            cfg_read_valid: Default::default(),
            cfg_read_data: Default::default(),
            host_valid: Default::default(),
            host_data: Default::default(),
            host_ready: Default::default(),
            start: Default::default(),
            idle: Default::default(),
            tick_done: Default::default(),
            probe_core: Default::default(),
            probe_neuron: Default::default(),
            probe_u: Default::default(),
            probe_v: Default::default(),
            host_out_valid: Default::default(),
            host_out_data: Default::default(),
            host_out_ready: Default::default(),
            tiles: (0..n).map(|_| Default::default()).collect(),
            mesh: Mesh::new(config),
            barrier: Default::default(),
        }
    }

    /// Number of tiles.
    pub fn tiles(&self) -> usize {
        self.tiles.len()
    }
}

impl<T: MeshTile<NB>, const NB: usize> Logic for MeshSystem<T, NB> {
    fn update(&mut self) {
        let clock = self.clock.val();
        self.mesh.clock.next = clock;
        self.barrier.clock.next = clock;
        let running = self.barrier.running_q.val();
        let in_flight = self.barrier.in_flight_q.val().to_u64();
        let mut all_quiet = true;
        let mut entering = 0u64;
        let mut leaving = 0u64;
        for tile in self.tiles.iter_mut() {
            all_quiet &= tile.pins().quiet.val();
        }
        let idle = !running && all_quiet && in_flight == 0;
        let tick_done = running && all_quiet && in_flight == 0;
        let probe_core = self.probe_core.val().to_u64() as usize;
        // Flits ejected at node 0 carrying the host flag are output spikes for the host.
        let host_bound = self.mesh.eject_data[0].val().get_bit(17);
        debug_assert_eq!(1 << 17, (HOST_OUTPUT_FLAG as u64) << 8);
        let cfg_core = self.cfg_core.val().to_u64() as usize;
        for i in 0..self.tiles.len() {
            let tile = self.tiles[i].pins();
            tile.clock.next = clock;
            tile.cfg.write.next = self.cfg_write.val() && cfg_core == i;
            tile.cfg.target.next = self.cfg_target.val();
            tile.cfg.addr.next = self.cfg_addr.val();
            tile.cfg.data.next = self.cfg_data.val();
            tile.cfg.read.next = self.cfg_read.val() && cfg_core == i;
            tile.start.next = self.start.val() && idle;
            tile.probe_neuron.next = self.probe_neuron.val();
            // Node 0's Local input: the host first, then tile 0.
            let (valid, data) = if i == 0 && self.host_valid.val() {
                (true, self.host_data.val())
            } else {
                (tile.inject_valid.val(), tile.inject_data.val())
            };
            let ready = self.mesh.inject_ready[i].val();
            self.mesh.inject_valid[i].next = valid;
            self.mesh.inject_data[i].next = data;
            tile.inject_ready.next = ready && !(i == 0 && self.host_valid.val());
            entering += u64::from(valid && ready);
            let to_host = i == 0 && host_bound;
            tile.eject_valid.next = self.mesh.eject_valid[i].val() && !to_host;
            tile.eject_data.next = self.mesh.eject_data[i].val();
            let eject_ready = if to_host {
                self.host_out_ready.val()
            } else {
                tile.eject_ready.val()
            };
            self.mesh.eject_ready[i].next = eject_ready;
            leaving += u64::from(self.mesh.eject_valid[i].val() && eject_ready);
        }
        self.host_out_valid.next = self.mesh.eject_valid[0].val() && host_bound;
        self.host_out_data.next = self.mesh.eject_data[0].val();
        self.host_ready.next = self.mesh.inject_ready[0].val();
        let last = self.tiles.len() - 1;
        let probed = self.tiles[probe_core.min(last)].pins();
        self.probe_u.next = probed.probe_u.val();
        self.probe_v.next = probed.probe_v.val();
        self.idle.next = idle;
        self.tick_done.next = tick_done;
        // Configuration read-back: remember the tile read, answer with its answer one cycle
        // later (a tile answers every read it gets); a read of no tile is answered with 0.
        let read = self.cfg_read.val();
        let read_tile = self.barrier.read_tile_q.val().to_u64() as usize;
        self.barrier.read_tile_d.next = if read {
            self.cfg_core.val()
        } else {
            self.barrier.read_tile_q.val()
        };
        self.barrier.read_unowned_d.next = read && cfg_core >= self.tiles.len();
        let (read_valid, read_data) = match self.tiles.get_mut(read_tile) {
            Some(tile) => {
                let tile = tile.pins();
                (tile.cfg.read_valid.val(), tile.cfg.read_data.val())
            }
            None => (false, 0.into()),
        };
        self.cfg_read_valid.next = read_valid || self.barrier.read_unowned_q.val();
        self.cfg_read_data.next = read_data;
        self.barrier.running_d.next = (running || (self.start.val() && idle)) && !tick_done;
        self.barrier.in_flight_d.next =
            ((in_flight + entering).wrapping_sub(leaving) & ((1 << IN_FLIGHT_BITS) - 1)).into();
    }

    fn connect(&mut self) {
        self.mesh.clock.connect();
        self.barrier.clock.connect();
        self.barrier.running_d.connect();
        self.barrier.in_flight_d.connect();
        self.barrier.read_tile_d.connect();
        self.barrier.read_unowned_d.connect();
        for i in 0..self.tiles.len() {
            let tile = self.tiles[i].pins();
            for signal in [tile.start, tile.inject_ready, tile.eject_valid] {
                signal.connect();
            }
            tile.clock.connect();
            // Every wire of the tile's bus is driven here (`update` writes all four).
            tile.cfg.link_connect_dest();
            tile.probe_neuron.connect();
            tile.eject_data.connect();
            self.mesh.inject_valid[i].connect();
            self.mesh.inject_data[i].connect();
            self.mesh.eject_ready[i].connect();
        }
        self.host_ready.connect();
        self.host_out_valid.connect();
        self.host_out_data.connect();
        self.probe_u.connect();
        self.probe_v.connect();
        self.idle.connect();
        self.tick_done.connect();
        self.cfg_read_valid.connect();
        self.cfg_read_data.connect();
    }

    fn hdl(&self) -> Verilog {
        // The same logic as `update`, as one combinational block over rust-hdl's stub wires
        // (`tiles$<i>$<port>`, `tiles$<i>$cfg$<wire>`, `mesh$<port>$<i>`, `barrier$<port>`).
        let n = self.tiles.len();
        let mut v = String::from("always @(*) begin\n");
        let quiet: Vec<String> = (0..n).map(|i| format!("tiles${i}$quiet")).collect();
        let all_quiet = quiet.join(" & ");
        let w = IN_FLIGHT_BITS;
        v.push_str(&format!(
            "    idle = ~barrier$running_q & {all_quiet} & (barrier$in_flight_q == {w}'d0);\n\
             \x20   tick_done = barrier$running_q & {all_quiet} & (barrier$in_flight_q == {w}'d0);\n\
             \x20   mesh$clock = clock;\n\
             \x20   barrier$clock = clock;\n\
             \x20   host_ready = mesh$inject_ready$0;\n"
        ));
        let mut entering = Vec::new();
        let mut leaving = Vec::new();
        for i in 0..n {
            let t = format!("tiles${i}");
            v.push_str(&format!(
                "    {t}$clock = clock;\n\
                 \x20   {t}$cfg$write = cfg_write & (cfg_core == 8'd{i});\n\
                 \x20   {t}$cfg$target = cfg_target;\n\
                 \x20   {t}$cfg$addr = cfg_addr;\n\
                 \x20   {t}$cfg$data = cfg_data;\n\
                 \x20   {t}$cfg$read = cfg_read & (cfg_core == 8'd{i});\n\
                 \x20   {t}$start = start & idle;\n\
                 \x20   {t}$probe_neuron = probe_neuron;\n"
            ));
            if i == 0 {
                v.push_str(&format!(
                    "    mesh$inject_valid$0 = host_valid | {t}$inject_valid;\n\
                     \x20   mesh$inject_data$0 = host_valid ? host_data : {t}$inject_data;\n\
                     \x20   {t}$inject_ready = mesh$inject_ready$0 & ~host_valid;\n"
                ));
            } else {
                v.push_str(&format!(
                    "    mesh$inject_valid${i} = {t}$inject_valid;\n\
                     \x20   mesh$inject_data${i} = {t}$inject_data;\n\
                     \x20   {t}$inject_ready = mesh$inject_ready${i};\n"
                ));
            }
            if i == 0 {
                // Bit 17: the axon field's HOST_OUTPUT_FLAG.
                v.push_str(&format!(
                    "    {t}$eject_valid = mesh$eject_valid$0 & ~mesh$eject_data$0[17];\n\
                     \x20   {t}$eject_data = mesh$eject_data$0;\n\
                     \x20   mesh$eject_ready$0 = mesh$eject_data$0[17] ? host_out_ready : {t}$eject_ready;\n\
                     \x20   host_out_valid = mesh$eject_valid$0 & mesh$eject_data$0[17];\n\
                     \x20   host_out_data = mesh$eject_data$0;\n"
                ));
            } else {
                v.push_str(&format!(
                    "    {t}$eject_valid = mesh$eject_valid${i};\n\
                     \x20   {t}$eject_data = mesh$eject_data${i};\n\
                     \x20   mesh$eject_ready${i} = {t}$eject_ready;\n"
                ));
            }
            entering.push(format!(
                "{{{}'d0, mesh$inject_valid${i} & mesh$inject_ready${i}}}",
                w - 1
            ));
            leaving.push(format!(
                "{{{}'d0, mesh$eject_valid${i} & mesh$eject_ready${i}}}",
                w - 1
            ));
        }
        // Probe mux (out-of-range cores read the last tile, as in `update`).
        v.push_str(&format!(
            "    probe_u = tiles${last}$probe_u;\n    probe_v = tiles${last}$probe_v;\n",
            last = n - 1
        ));
        for i in 0..n - 1 {
            v.push_str(&format!(
                "    if (probe_core == 8'd{i}) begin probe_u = tiles${i}$probe_u; probe_v = tiles${i}$probe_v; end\n"
            ));
        }
        // Read-back: the tile index registered with the read selects the answer.
        let unowned = if n < 256 {
            format!("cfg_read & (cfg_core >= 8'd{n})")
        } else {
            "1'b0".to_string()
        };
        v.push_str(&format!(
            "    barrier$read_tile_d = cfg_read ? cfg_core : barrier$read_tile_q;\n\
             \x20   barrier$read_unowned_d = {unowned};\n\
             \x20   cfg_read_valid = barrier$read_unowned_q;\n\
             \x20   cfg_read_data = 32'd0;\n"
        ));
        for i in 0..n {
            v.push_str(&format!(
                "    if (barrier$read_tile_q == 8'd{i}) begin cfg_read_valid = tiles${i}$cfg$read_valid; cfg_read_data = tiles${i}$cfg$read_data; end\n"
            ));
        }
        v.push_str(&format!(
            "    barrier$running_d = (barrier$running_q | (start & idle)) & ~tick_done;\n\
             \x20   barrier$in_flight_d = barrier$in_flight_q + {} - {};\n",
            entering.join(" + "),
            leaving.join(" - ")
        ));
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}
