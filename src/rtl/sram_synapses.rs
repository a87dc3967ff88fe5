//! The synapse SRAM behind the synapse port: today's synapse stage.
//!
//! One 32-bit word per (axon, group) at address `{axon, group}` (`SB = AB + GB` bits), four
//! signed 8-bit weights, lane `i` in bits `8i..8i+8`, sign-extended to the port's 16 bits.
//! Written through the configuration bus (`CfgTarget::Synapse`, address `axon * 2^GB + group`).
//!
//! # Timing
//! Always ready (the requester keeps at most one request outstanding, so the output register
//! is free or being drained when a request comes); a request taken in cycle `c` is answered in
//! cycle `c + 1` (the RAM's registered read). While the core holds `rsp_ready` low, the read
//! address is held at the request's, so the RAM keeps presenting the same word. It never asks
//! for the learning window (`stage_busy` low) and ignores the tick context.
//!
//! # One port
//! The memory is a [`SinglePortRam`]: configuration writes come only while the core is idle
//! (no request outstanding, no read-back in the same cycle), so reads and writes never need the
//! memory in the same cycle. That lets the iCEBreaker keep the synapses of a 256 x 256 core in
//! the UP5K's SPRAM (`export::fpga`). A write leaves the RAM's output unchanged.

use rust_hdl::prelude::*;

use super::cfg_bus::{CfgBus, CFG_TARGET_WIDTH};
use super::lif_unit::sign_fill;
use super::regmap::{self, CfgTarget};
use super::single_port_ram::SinglePortRam;
use super::synapse_port::{SynapseStagePort, WEIGHT_BITS};

/// Bits of one stored weight (lane `i` of a word is bits `8i..8i+8`).
const STORED_WEIGHT_BITS: usize = 8;

/// The synapse SRAM of a core with `2^NB` neurons and `2^AB` axons (`GB = NB - 2` groups,
/// `SB = AB + GB` address bits).
#[derive(LogicBlock)]
pub struct SramSynapses<const NB: usize, const AB: usize, const GB: usize, const SB: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration bus (qualified by the core).
    pub cfg: CfgBus,
    /// The synapse port.
    pub port: SynapseStagePort<NB, AB, GB>,
    synapse_sram: SinglePortRam<Bits<32>, SB>,
    /// A response is on the port.
    rsp_pending: DFF<Bit>,
    /// Address of the request being answered.
    held_address: DFF<Bits<SB>>,
    /// A configuration read is answered this cycle.
    read_pending: DFF<Bit>,
    /// ... and it reads the synapse SRAM (else it answers 0).
    read_synapse: DFF<Bit>,
    synapse_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    group_bits: Constant<Bits<8>>,
    weight_sign_fill: Constant<Bits<WEIGHT_BITS>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize> Default
    for SramSynapses<NB, AB, GB, SB>
{
    fn default() -> Self {
        assert_eq!(SB, AB + GB, "SB must be AB + GB");
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            port: Default::default(),
            synapse_sram: Default::default(),
            rsp_pending: Default::default(),
            held_address: Default::default(),
            read_pending: Default::default(),
            read_synapse: Default::default(),
            synapse_target: regmap::hdl::constant(CfgTarget::Synapse),
            group_bits: Constant::new((GB as u64).into()),
            weight_sign_fill: sign_fill::<WEIGHT_BITS>(STORED_WEIGHT_BITS),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize> Logic
    for SramSynapses<NB, AB, GB, SB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            rsp_pending,
            held_address,
            read_pending,
            read_synapse
        );
        self.synapse_sram.clock.next = self.clock.val();

        // Configuration writes (their address is set last: a write takes the port).
        self.synapse_sram.write_enable.next =
            self.cfg.write.val() & (self.cfg.target.val() == self.synapse_target.val());
        self.synapse_sram.write_data.next = self.cfg.data.val();

        // Requests: word address {axon, group}; hold the address while the response waits.
        // Always ready: the requester keeps at most one request outstanding (the port's rule),
        // so when a request arrives the output register is empty or being drained.
        self.port.req_ready.next = true;
        self.synapse_sram.address.next = self.held_address.q.val();
        if self.port.req_valid.val() {
            self.synapse_sram.address.next = (bit_cast::<SB, AB>(self.port.req_axon.val())
                << self.group_bits.val())
                | bit_cast::<SB, GB>(self.port.req_group.val());
            self.held_address.d.next = (bit_cast::<SB, AB>(self.port.req_axon.val())
                << self.group_bits.val())
                | bit_cast::<SB, GB>(self.port.req_group.val());
        }
        self.rsp_pending.d.next =
            self.port.req_valid.val() | (self.rsp_pending.q.val() & !self.port.rsp_ready.val());

        // Response: lane i = bits 8i..8i+8, sign-extended to 16 (bit 8i+7 is the sign). Written
        // straight to the port, without intermediate signals: each one would cost the rtl
        // engine a settle pass on the core's critical path.
        self.port.rsp_valid.next = self.rsp_pending.q.val();
        self.port.rsp_weight0.next =
            bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(0));
        if self.synapse_sram.read_data.val().get_bit(7) {
            self.port.rsp_weight0.next =
                bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(0))
                    | self.weight_sign_fill.val();
        }
        self.port.rsp_weight1.next =
            bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(8));
        if self.synapse_sram.read_data.val().get_bit(15) {
            self.port.rsp_weight1.next =
                bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(8))
                    | self.weight_sign_fill.val();
        }
        self.port.rsp_weight2.next =
            bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(16));
        if self.synapse_sram.read_data.val().get_bit(23) {
            self.port.rsp_weight2.next =
                bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(16))
                    | self.weight_sign_fill.val();
        }
        self.port.rsp_weight3.next =
            bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(24));
        if self.synapse_sram.read_data.val().get_bit(31) {
            self.port.rsp_weight3.next =
                bit_cast::<WEIGHT_BITS, 8>(self.synapse_sram.read_data.val().get_bits::<8>(24))
                    | self.weight_sign_fill.val();
        }
        self.port.stage_busy.next = false;

        // Configuration read-back (`cfg_bus`): the core sends reads only while idle, when no
        // request is outstanding, so a read borrows the SRAM's read port for its cycle and the
        // word is on the output in the next, when the answer goes out. Every read is
        // answered; any target but the synapse words with 0. A synapse write takes the port
        // at its own address (never in the same cycle as a request or a read).
        self.read_pending.d.next = self.cfg.read.val();
        self.read_synapse.d.next =
            self.cfg.read.val() & (self.cfg.target.val() == self.synapse_target.val());
        if self.cfg.read.val()
            | (self.cfg.write.val() & (self.cfg.target.val() == self.synapse_target.val()))
        {
            self.synapse_sram.address.next = bit_cast::<SB, 24>(self.cfg.addr.val());
        }
        self.cfg.read_valid.next = self.read_pending.q.val();
        self.cfg.read_data.next = 0.into();
        if self.read_synapse.q.val() {
            self.cfg.read_data.next = self.synapse_sram.read_data.val();
        }
    }
}
