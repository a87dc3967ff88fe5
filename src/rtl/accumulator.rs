//! One synaptic-input accumulator slot: four 24-bit lanes (one per neuron of a synapse group)
//! in four block RAMs that share their addresses.
//!
//! A group's four lanes are read and written together, so one synapse word (4 weights) is
//! accumulated per cycle. Keeping each lane in its own 24-bit RAM rather than one 96-bit RAM
//! costs nothing in block RAM (the bits are the same) and keeps every signal within the 32
//! bits that rust-hdl simulates natively.

use rust_hdl::prelude::*;

/// Accumulator slot with `2^GB` groups of four lanes.
#[derive(LogicBlock, Default)]
pub struct AccumulatorSlot<const GB: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Group to read; its lanes appear on `read_lane*` after the next rising edge.
    pub read_address: Signal<In, Bits<GB>>,
    /// Lane 0 (neuron `4 * group`) of the group read.
    pub read_lane0: Signal<Out, Bits<24>>,
    /// Lane 1 of the group read.
    pub read_lane1: Signal<Out, Bits<24>>,
    /// Lane 2 of the group read.
    pub read_lane2: Signal<Out, Bits<24>>,
    /// Lane 3 of the group read.
    pub read_lane3: Signal<Out, Bits<24>>,
    /// Write all four lanes of `write_address` at the rising edge.
    pub write_enable: Signal<In, Bit>,
    /// Group to write.
    pub write_address: Signal<In, Bits<GB>>,
    /// New lane 0.
    pub write_lane0: Signal<In, Bits<24>>,
    /// New lane 1.
    pub write_lane1: Signal<In, Bits<24>>,
    /// New lane 2.
    pub write_lane2: Signal<In, Bits<24>>,
    /// New lane 3.
    pub write_lane3: Signal<In, Bits<24>>,
    lane0: RAM<Bits<24>, GB>,
    lane1: RAM<Bits<24>, GB>,
    lane2: RAM<Bits<24>, GB>,
    lane3: RAM<Bits<24>, GB>,
}

impl<const GB: usize> Logic for AccumulatorSlot<GB> {
    #[hdl_gen]
    fn update(&mut self) {
        self.lane0.read_clock.next = self.clock.val();
        self.lane0.write_clock.next = self.clock.val();
        self.lane1.read_clock.next = self.clock.val();
        self.lane1.write_clock.next = self.clock.val();
        self.lane2.read_clock.next = self.clock.val();
        self.lane2.write_clock.next = self.clock.val();
        self.lane3.read_clock.next = self.clock.val();
        self.lane3.write_clock.next = self.clock.val();
        self.lane0.read_address.next = self.read_address.val();
        self.lane1.read_address.next = self.read_address.val();
        self.lane2.read_address.next = self.read_address.val();
        self.lane3.read_address.next = self.read_address.val();
        self.read_lane0.next = self.lane0.read_data.val();
        self.read_lane1.next = self.lane1.read_data.val();
        self.read_lane2.next = self.lane2.read_data.val();
        self.read_lane3.next = self.lane3.read_data.val();
        self.lane0.write_enable.next = self.write_enable.val();
        self.lane1.write_enable.next = self.write_enable.val();
        self.lane2.write_enable.next = self.write_enable.val();
        self.lane3.write_enable.next = self.write_enable.val();
        self.lane0.write_address.next = self.write_address.val();
        self.lane1.write_address.next = self.write_address.val();
        self.lane2.write_address.next = self.write_address.val();
        self.lane3.write_address.next = self.write_address.val();
        self.lane0.write_data.next = self.write_lane0.val();
        self.lane1.write_data.next = self.write_lane1.val();
        self.lane2.write_data.next = self.write_lane2.val();
        self.lane3.write_data.next = self.write_lane3.val();
    }
}
