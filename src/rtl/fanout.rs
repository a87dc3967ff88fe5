//! The fan-out unit of a mesh tile: turns each spike of its core into the axon events of every
//! destination, in block-RAM tables written by the mapper.
//!
//! # Tables
//! - `fanout_index[neuron]` (32 bits): first table entry (bits 0..16) and entry count (16..32).
//! - `fanout_table[entry]` ([`FLIT_BITS`] bits): one ready-made AER flit per destination,
//!   `dx` (bits 0..4) | `dy` (4..8) | `axon` (8..18) | `tag` (18..24), the mesh's 8x8 layout.
//!   `dx = dy = 0` marks a destination on this tile's own core: it is delivered on the local
//!   event port and never enters the router ("spikes to the local core do not leave it"),
//!   unless the axon field's top bit ([`HOST_OUTPUT_FLAG`]) is set: such an entry is an output
//!   spike for the host port at node 0 and always goes to the router.
//!
//! # Timing
//! Spikes (at most one per cycle, from the core's update phase) go into a ring FIFO with one
//! slot per neuron, so it can never overflow within a tick. The walker pops a neuron, reads its
//! index word, then streams its entries at one per cycle while the destination port accepts
//! (the table is read with look-ahead, as the core's event queue is). `busy` is high while the
//! FIFO holds a spike or the walker has entries left; a mesh's tick barrier waits for it.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::cfg_bus::{CfgBus, CFG_ADDR_WIDTH, CFG_DATA_WIDTH};
use super::regmap::{self, CfgTarget, CFG_TARGET_WIDTH};

/// Width of a fan-out table entry (one flit of the 8x8 mesh layout).
pub const FLIT_BITS: usize = 24;
/// Axon-field flag of a flit that carries an output spike to the host (axon field =
/// flag | source core neuron, tag = source core). Mesh cores have at most 512 axons, so no
/// axon event ever sets it.
pub const HOST_OUTPUT_FLAG: u32 = 1 << 9;
/// Configuration target code of the index RAM (from the register map).
pub const CFG_FANOUT_INDEX: u8 = CfgTarget::FanoutIndex.code();
/// Configuration target code of the entry table (from the register map).
pub const CFG_FANOUT_ENTRY: u8 = CfgTarget::FanoutEntry.code();

/// Walker state.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum FanoutState {
    /// Waiting for a spike in the FIFO.
    Idle,
    /// The FIFO head is on the RAM output: look its index word up.
    FetchNeuron,
    /// The index word is on the RAM output: start its entries.
    FetchIndex,
    /// Offering table entries.
    Emit,
}

/// Fan-out unit for a core with `2^NB` neurons and `2^AB` axons and a table of `2^EB` entries
/// (`NB1 = NB + 1`, checked in [`FanoutUnit::new`]).
#[derive(LogicBlock)]
pub struct FanoutUnit<const NB: usize, const NB1: usize, const AB: usize, const EB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// The core spiked this cycle.
    pub spike_valid: Signal<In, Bit>,
    /// Which core neuron.
    pub spike_neuron: Signal<In, Bits<NB>>,
    /// Configuration bus (writes honoured when the target is one of the fan-out tables).
    pub cfg: CfgBus,
    /// A destination on this tile's core is offered.
    pub local_valid: Signal<Out, Bit>,
    /// Its axon.
    pub local_axon: Signal<Out, Bits<AB>>,
    /// The core takes the local event at the next edge.
    pub local_ready: Signal<In, Bit>,
    /// A flit for another tile (or the host) is offered.
    pub flit_valid: Signal<Out, Bit>,
    /// The flit.
    pub flit_data: Signal<Out, Bits<FLIT_BITS>>,
    /// The router takes the flit at the next edge.
    pub flit_ready: Signal<In, Bit>,
    /// Spikes remain to be fanned out.
    pub busy: Signal<Out, Bit>,

    spike_fifo: BlockRam<Bits<NB>, NB>,
    fanout_index: BlockRam<Bits<32>, NB>,
    fanout_table: BlockRam<Bits<FLIT_BITS>, EB>,
    state: DFF<FanoutState>,
    fifo_write_ptr: DFF<Bits<NB1>>,
    fifo_read_ptr: DFF<Bits<NB1>>,
    entry_ptr: DFF<Bits<16>>,
    entries_left: DFF<Bits<16>>,
    // Configuration read-back: a read is answered this cycle, and which table it reads.
    read_pending: DFF<Bit>,
    read_index: DFF<Bit>,
    read_entry: DFF<Bit>,
    // A read the walker leaves the tables' read ports free for.
    read_cycle: Signal<Local, Bit>,

    fifo_nonempty: Signal<Local, Bit>,
    entry: Signal<Local, Bits<FLIT_BITS>>,
    entry_is_local: Signal<Local, Bit>,
    entry_taken: Signal<Local, Bit>,
    index_word: Signal<Local, Bits<32>>,

    // Target codes from the register map (a `Constant` becomes a Verilog `localparam`).
    index_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    entry_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<const NB: usize, const NB1: usize, const AB: usize, const EB: usize>
    FanoutUnit<NB, NB1, AB, EB>
{
    /// An empty unit; panics if the const parameters are inconsistent (a generator bug).
    pub fn new() -> Self {
        assert_eq!(NB1, NB + 1, "NB1 must be NB + 1");
        assert!(AB <= 10, "axons must fit the flit's 10-bit axon field");
        assert!(EB <= 16, "entry pointers are 16 bits");
        Self {
            clock: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            cfg: Default::default(),
            local_valid: Default::default(),
            local_axon: Default::default(),
            local_ready: Default::default(),
            flit_valid: Default::default(),
            flit_data: Default::default(),
            flit_ready: Default::default(),
            busy: Default::default(),
            spike_fifo: Default::default(),
            fanout_index: Default::default(),
            fanout_table: Default::default(),
            state: Default::default(),
            fifo_write_ptr: Default::default(),
            fifo_read_ptr: Default::default(),
            entry_ptr: Default::default(),
            entries_left: Default::default(),
            read_pending: Default::default(),
            read_index: Default::default(),
            read_entry: Default::default(),
            read_cycle: Default::default(),
            fifo_nonempty: Default::default(),
            entry: Default::default(),
            entry_is_local: Default::default(),
            entry_taken: Default::default(),
            index_word: Default::default(),
            index_target: regmap::hdl::constant(CfgTarget::FanoutIndex),
            entry_target: regmap::hdl::constant(CfgTarget::FanoutEntry),
        }
    }
}

impl<const NB: usize, const NB1: usize, const AB: usize, const EB: usize> Default
    for FanoutUnit<NB, NB1, AB, EB>
{
    fn default() -> Self {
        Self::new()
    }
}

impl<const NB: usize, const NB1: usize, const AB: usize, const EB: usize> Logic
    for FanoutUnit<NB, NB1, AB, EB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            state,
            fifo_write_ptr,
            fifo_read_ptr,
            entry_ptr,
            entries_left,
            read_pending,
            read_index,
            read_entry
        );
        self.spike_fifo.read_clock.next = self.clock.val();
        self.spike_fifo.write_clock.next = self.clock.val();
        self.fanout_index.read_clock.next = self.clock.val();
        self.fanout_index.write_clock.next = self.clock.val();
        self.fanout_table.read_clock.next = self.clock.val();
        self.fanout_table.write_clock.next = self.clock.val();

        // ---- Configuration.
        self.fanout_index.write_enable.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.index_target.val());
        self.fanout_index.write_address.next = bit_cast::<NB, CFG_ADDR_WIDTH>(self.cfg.addr.val());
        self.fanout_index.write_data.next = self.cfg.data.val();
        self.fanout_table.write_enable.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.entry_target.val());
        self.fanout_table.write_address.next = bit_cast::<EB, CFG_ADDR_WIDTH>(self.cfg.addr.val());
        self.fanout_table.write_data.next = self.cfg.data.val().get_bits::<FLIT_BITS>(0);

        // ---- Spike FIFO (ring of 2^NB slots; pointers carry one extra bit).
        self.spike_fifo.write_enable.next = self.spike_valid.val();
        self.spike_fifo.write_address.next = bit_cast::<NB, NB1>(self.fifo_write_ptr.q.val());
        self.spike_fifo.write_data.next = self.spike_neuron.val();
        if self.spike_valid.val() {
            self.fifo_write_ptr.d.next = self.fifo_write_ptr.q.val() + 1;
        }
        self.fifo_nonempty.next = self.fifo_write_ptr.q.val() != self.fifo_read_ptr.q.val();
        self.spike_fifo.read_address.next = bit_cast::<NB, NB1>(self.fifo_read_ptr.q.val());
        self.fanout_index.read_address.next = self.spike_fifo.read_data.val();

        // ---- Entry stream: the table output is the entry at `entry_ptr`.
        self.entry.next = self.fanout_table.read_data.val();
        // Bit 17 is the axon field's HOST_OUTPUT_FLAG (axon field at bits 8..18).
        self.entry_is_local.next =
            (self.entry.val().get_bits::<8>(0) == 0) & !self.entry.val().get_bit(17);
        self.local_axon.next = bit_cast::<AB, 10>(self.entry.val().get_bits::<10>(8));
        self.flit_data.next = self.entry.val();
        self.local_valid.next =
            (self.state.q.val() == FanoutState::Emit) & self.entry_is_local.val();
        self.flit_valid.next =
            (self.state.q.val() == FanoutState::Emit) & !self.entry_is_local.val();
        self.entry_taken.next = (self.local_valid.val() & self.local_ready.val())
            | (self.flit_valid.val() & self.flit_ready.val());
        self.fanout_table.read_address.next = bit_cast::<EB, 16>(self.entry_ptr.q.val());
        self.index_word.next = self.fanout_index.read_data.val();

        match self.state.q.val() {
            FanoutState::Idle => {
                if self.fifo_nonempty.val() {
                    self.state.d.next = FanoutState::FetchNeuron;
                }
            }
            FanoutState::FetchNeuron => {
                // The FIFO head drives the index RAM's address this cycle.
                self.fifo_read_ptr.d.next = self.fifo_read_ptr.q.val() + 1;
                self.state.d.next = FanoutState::FetchIndex;
            }
            FanoutState::FetchIndex => {
                self.entry_ptr.d.next = self.index_word.val().get_bits::<16>(0);
                self.entries_left.d.next = self.index_word.val().get_bits::<16>(16);
                self.fanout_table.read_address.next =
                    bit_cast::<EB, 16>(self.index_word.val().get_bits::<16>(0));
                if self.index_word.val().get_bits::<16>(16) == 0 {
                    self.state.d.next = FanoutState::Idle;
                } else {
                    self.state.d.next = FanoutState::Emit;
                }
            }
            FanoutState::Emit => {
                if self.entry_taken.val() {
                    self.entry_ptr.d.next = self.entry_ptr.q.val() + 1;
                    self.entries_left.d.next = self.entries_left.q.val() - 1;
                    self.fanout_table.read_address.next =
                        bit_cast::<EB, 16>(self.entry_ptr.q.val() + 1);
                    if self.entries_left.q.val() == 1 {
                        self.state.d.next = FanoutState::Idle;
                    }
                }
            }
        }
        self.busy.next = (self.state.q.val() != FanoutState::Idle) | self.fifo_nonempty.val();

        // ---- Configuration read-back (`cfg_bus`): every read is answered one cycle later. In
        // the Idle state the walker does not use either table's output in the next cycle
        // (FetchNeuron addresses the index RAM anew, FetchIndex the table), so a read then
        // borrows both read ports; in any other state (never while the system is idle) it
        // answers 0.
        self.read_cycle.next = self.cfg.read.val() & (self.state.q.val() == FanoutState::Idle);
        self.read_pending.d.next = self.cfg.read.val();
        self.read_index.d.next =
            self.read_cycle.val() & (self.cfg.target.val() == self.index_target.val());
        self.read_entry.d.next =
            self.read_cycle.val() & (self.cfg.target.val() == self.entry_target.val());
        if self.read_cycle.val() {
            self.fanout_index.read_address.next =
                bit_cast::<NB, CFG_ADDR_WIDTH>(self.cfg.addr.val());
            self.fanout_table.read_address.next =
                bit_cast::<EB, CFG_ADDR_WIDTH>(self.cfg.addr.val());
        }
        self.cfg.read_valid.next = self.read_pending.q.val();
        self.cfg.read_data.next = 0.into();
        if self.read_index.q.val() {
            self.cfg.read_data.next = self.index_word.val();
        }
        if self.read_entry.q.val() {
            self.cfg.read_data.next = bit_cast::<CFG_DATA_WIDTH, FLIT_BITS>(self.entry.val());
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};

    use super::*;

    type Unit = FanoutUnit<6, 7, 6, 8>;

    fn settle(unit: &mut Unit) {
        assert!(simulate(unit, 100), "fan-out unit failed to settle");
    }

    fn cycle(unit: &mut Unit) {
        settle(unit);
        unit.clock.next = Clock::from(true);
        settle(unit);
        unit.clock.next = Clock::from(false);
        settle(unit);
    }

    fn cfg(unit: &mut Unit, target: u8, addr: u64, data: u64) {
        unit.cfg.write.next = true;
        unit.cfg.target.next = (target as u64).into();
        unit.cfg.addr.next = addr.into();
        unit.cfg.data.next = data.into();
        cycle(unit);
        unit.cfg.write.next = false;
    }

    /// Random tables, random spikes, random backpressure on both ports: every spike's entries
    /// come out exactly once, in table order, local ones on the local port (as axons) and the
    /// others as flits, and `busy` falls once all are out.
    #[test]
    fn streams_every_entry_in_order_under_backpressure() {
        for seed in 0..8u64 {
            let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
            let mut unit = Unit::new();
            for input in [
                &mut unit.spike_valid,
                &mut unit.cfg.write,
                &mut unit.local_ready,
            ] {
                input.connect();
            }
            unit.clock.connect();
            unit.flit_ready.connect();
            unit.spike_neuron.connect();
            unit.cfg.target.connect();
            unit.cfg.addr.connect();
            unit.cfg.data.connect();
            unit.cfg.read.connect();
            unit.connect_all();
            settle(&mut unit);

            // Tables: neuron n owns `counts[n]` consecutive entries.
            let mut table: Vec<Vec<u64>> = Vec::new();
            let mut next_entry = 0u64;
            for neuron in 0..64u64 {
                let count = rng.gen_range(0..=4u64);
                let entries: Vec<u64> = (0..count)
                    .map(|_| {
                        if rng.gen_bool(0.3) {
                            // Local: dx = dy = 0, an axon of this core.
                            rng.gen_range(0..64u64) << 8 | rng.gen_range(0..64u64) << 18
                        } else if rng.gen_bool(0.2) {
                            // Output spike for the host: dx = dy = 0 but flagged, so routed.
                            (HOST_OUTPUT_FLAG as u64 | rng.gen_range(0..64u64)) << 8
                                | rng.gen_range(0..64u64) << 18
                        } else {
                            let offsets = rng.gen_range(1..256u64);
                            offsets | rng.gen_range(0..1024u64) << 8 | rng.gen_range(0..64u64) << 18
                        }
                    })
                    .collect();
                cfg(
                    &mut unit,
                    CFG_FANOUT_INDEX,
                    neuron,
                    next_entry | count << 16,
                );
                for (k, &e) in entries.iter().enumerate() {
                    cfg(&mut unit, CFG_FANOUT_ENTRY, next_entry + k as u64, e);
                }
                next_entry += count;
                table.push(entries);
            }

            let mut expected_local = Vec::new();
            let mut expected_flits = Vec::new();
            let mut got_local = Vec::new();
            let mut got_flits = Vec::new();
            // Three "ticks": as in the core's update phase, each neuron spikes at most once per
            // tick, in ascending order, at most one per cycle (so the FIFO cannot overflow).
            for _tick in 0..3 {
                let mut spikes: Vec<usize> = (0..64).filter(|_| rng.gen_bool(0.5)).collect();
                spikes.reverse();
                let mut steps = 0;
                loop {
                    let spiking = !spikes.is_empty() && rng.gen_bool(0.7);
                    if spiking {
                        let neuron = spikes.pop().expect("not empty");
                        for &e in &table[neuron] {
                            if e & 0xff == 0 && e & (1 << 17) == 0 {
                                expected_local.push((e >> 8) & 0x3f);
                            } else {
                                expected_flits.push(e);
                            }
                        }
                        unit.spike_neuron.next = (neuron as u64).into();
                    }
                    unit.spike_valid.next = spiking;
                    unit.local_ready.next = rng.gen_bool(0.6);
                    unit.flit_ready.next = rng.gen_bool(0.6);
                    settle(&mut unit);
                    if unit.local_valid.val() && unit.local_ready.val() {
                        got_local.push(unit.local_axon.val().to_u64());
                    }
                    if unit.flit_valid.val() && unit.flit_ready.val() {
                        got_flits.push(unit.flit_data.val().to_u64());
                    }
                    assert!(
                        !(unit.local_valid.val() && unit.flit_valid.val()),
                        "one entry at a time"
                    );
                    cycle(&mut unit);
                    steps += 1;
                    unit.spike_valid.next = false;
                    settle(&mut unit);
                    if spikes.is_empty() && !unit.busy.val() {
                        break;
                    }
                    assert!(steps < 5000, "seed {seed}: the walker does not drain");
                }
            }
            unit.spike_valid.next = false;
            settle(&mut unit);
            assert!(!unit.busy.val(), "seed {seed}: still busy after the run");
            assert_eq!(got_local, expected_local, "seed {seed}: local events");
            assert_eq!(got_flits, expected_flits, "seed {seed}: flits");
            assert!(!expected_flits.is_empty() && !expected_local.is_empty());
        }
    }
}
