//! The post spikes of the last two ticks, for the learning stage: one bit per neuron, double
//! buffered.
//!
//! Step 4 of tick `t` runs during tick `t + 1` (its pre events arrive then), while the update
//! phase of `t + 1` records that tick's spikes: so the bits of tick `t` ("previous" bank) are
//! kept while those of `t + 1` ("current" bank) are written. `tick_start` swaps the banks; the
//! learning window clears the previous bank group by group once it has used it, so the bank
//! is empty when it becomes the current one again.
//!
//! Four 1-bit RAMs, one per lane, at address `{bank, group}` (in `NB = GB + 2` bits, the top
//! one unused, so that the block takes the core's own const parameters): a spike
//! writes one lane, a read returns the 4 lanes of a group one cycle later, a clear zeroes a
//! group of the previous bank.

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::synapse_port::WEIGHT_LANES;

/// Post-spike bits of a core with `2^NB` neurons (`GB = NB - 2`).
#[derive(LogicBlock)]
pub struct PostSpikes<const NB: usize, const GB: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// A tick starts: the current bank becomes the previous one.
    pub tick_start: Signal<In, Bit>,
    /// A neuron spiked (the update phase of the current tick).
    pub spike_valid: Signal<In, Bit>,
    /// The neuron.
    pub spike_neuron: Signal<In, Bits<NB>>,
    /// Group to read.
    pub read_group: Signal<In, Bits<GB>>,
    /// Read the current bank (else the previous one).
    pub read_current: Signal<In, Bit>,
    /// The 4 lanes of the group read, as of the previous cycle (lane `i` in bit `i`).
    pub read_lanes: Signal<Out, Bits<4>>,
    /// Zero `clear_group` in the previous bank.
    pub clear: Signal<In, Bit>,
    /// Group to clear.
    pub clear_group: Signal<In, Bits<GB>>,
    /// The previous tick had any post spike.
    pub previous_any: Signal<Out, Bit>,
    lanes: [BlockRam<Bit, NB>; WEIGHT_LANES],
    lane_index: [Constant<Bits<2>>; WEIGHT_LANES],
    current_bank: DFF<Bit>,
    current_any: DFF<Bit>,
    previous_any_flag: DFF<Bit>,
    /// `1 << GB`: the bank bit of an address.
    bank_bit: Constant<Bits<NB>>,
}

impl<const NB: usize, const GB: usize> Default for PostSpikes<NB, GB> {
    fn default() -> Self {
        assert_eq!(GB + 2, NB, "GB must be NB - 2");
        Self {
            clock: Default::default(),
            tick_start: Default::default(),
            spike_valid: Default::default(),
            spike_neuron: Default::default(),
            read_group: Default::default(),
            read_current: Default::default(),
            read_lanes: Default::default(),
            clear: Default::default(),
            clear_group: Default::default(),
            previous_any: Default::default(),
            lanes: Default::default(),
            lane_index: [0u64, 1, 2, 3].map(|lane| Constant::new(lane.into())),
            current_bank: Default::default(),
            current_any: Default::default(),
            previous_any_flag: Default::default(),
            bank_bit: Constant::new((1u64 << GB).into()),
        }
    }
}

impl<const NB: usize, const GB: usize> Logic for PostSpikes<NB, GB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, current_bank, current_any, previous_any_flag);
        if self.tick_start.val() {
            self.current_bank.d.next = !self.current_bank.q.val();
            self.previous_any_flag.d.next = self.current_any.q.val();
            self.current_any.d.next = false;
        }
        if self.spike_valid.val() {
            self.current_any.d.next = true;
        }
        self.previous_any.next = self.previous_any_flag.q.val();
        self.read_lanes.next = 0.into();
        for lane in 0..4 {
            self.lanes[lane].read_clock.next = self.clock.val();
            self.lanes[lane].write_clock.next = self.clock.val();
            // Address {bank, group}: the bank bit above the group bits.
            self.lanes[lane].read_address.next = bit_cast::<NB, GB>(self.read_group.val());
            if self.read_current.val() == self.current_bank.q.val() {
                self.lanes[lane].read_address.next =
                    bit_cast::<NB, GB>(self.read_group.val()) | self.bank_bit.val();
            }
            self.lanes[lane].write_enable.next = false;
            self.lanes[lane].write_data.next = false;
            // A clear goes to the previous bank: bank 1 while the current one is bank 0.
            self.lanes[lane].write_address.next = bit_cast::<NB, GB>(self.clear_group.val());
            if !self.current_bank.q.val() {
                self.lanes[lane].write_address.next =
                    bit_cast::<NB, GB>(self.clear_group.val()) | self.bank_bit.val();
            }
            if self.clear.val() {
                self.lanes[lane].write_enable.next = true;
            }
            if self.spike_valid.val()
                & (self.spike_neuron.val().get_bits::<2>(0) == self.lane_index[lane].val())
            {
                self.lanes[lane].write_enable.next = true;
                self.lanes[lane].write_data.next = true;
                self.lanes[lane].write_address.next =
                    bit_cast::<NB, NB>(self.spike_neuron.val() >> 2);
                if self.current_bank.q.val() {
                    self.lanes[lane].write_address.next =
                        bit_cast::<NB, NB>(self.spike_neuron.val() >> 2) | self.bank_bit.val();
                }
            }
            if self.lanes[lane].read_data.val() {
                self.read_lanes.next = self.read_lanes.val().replace_bit(lane, true);
            }
        }
    }
}
