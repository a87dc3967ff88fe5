//! The crossbar synapse stage behind the synapse port: the tick's spikes drive the rows of a
//! memristor array together, and one SAR conversion per physical column turns the column
//! currents into per-neuron sums (issue 10 item 3). The array is the
//! [`XbarMacro`](super::xbar_macro::XbarMacro) (a black box in Verilog); the golden
//! counterpart is `model::crossbar::CrossbarSynapses`.
//!
//! # On the port
//! Rows are axons. Axon `2^AB - 1` is the **sum axon**: the mapper reserves it, and the fabric
//! delivers one event on it after the tick's other events, whenever the tick has any.
//! - A request of any other axon latches its row in the macro (on `req_first`) and is answered
//!   one cycle later with a zero word (those axons cover one group, so an event costs one
//!   cycle, as in `SramSynapses`).
//! - The sum axon's first request starts the read: drive the latched rows for `S` cycles (the
//!   `XBAR_SETTLE` register, [`SETTLE_CYCLES`] as the mapper writes it), sample every column on the last settle cycle, convert the `2^CB`
//!   physical columns one after the other through one `SarAdc<B>` (the column multiplexer),
//!   and store `d = code(G+) - code(G-)` per neuron (16-bit two's complement) in four lane
//!   banks; then release the rows and answer the request with group `req_group`'s four sums.
//!   The sum axon's later groups are answered one cycle after their request, like the SRAM.
//!   The scaling of `d` (`weight_exp + lsb_exp`) is the sum axon's slot and pre-shift in the
//!   core, as for any axon.
//!
//! # Cycles of a read
//! Request in cycle `c`; settle in `c + 1 ..= c + S` (the sample is in the last; `S` is the
//! settle register, at least 1); the `2^CB` conversions of `B + 1` cycles each back to back
//! from `c + S + 1` (a new one starts in the cycle the previous one is done); one cycle to let
//! the last sum land in its bank, one for the bank read: the response shows in cycle
//! `c + S + 2^CB (B + 1) + 3` (an SRAM word shows in `c + 1`).
//!
//! # Configuration
//! The stage owns one target, `XBAR_SETTLE` (`S`, 8 bits, read/write; see the register map).
//! The weights live in the array, so the stage has no synapse words: writes of other targets
//! are ignored and reads of them answered with 0. It never asks for the learning window; its
//! programming pins are tied low here (the array is programmed behind the macro).

use rust_hdl::prelude::*;

use super::block_ram::BlockRam;
use super::cfg_bus::{CfgBus, CFG_TARGET_WIDTH};
use super::layout::XBAR_SETTLE_BITS;
use super::regmap::{self, CfgTarget};
use super::sar_adc::SarAdc;
use super::synapse_port::{SynapseStagePort, WEIGHT_BITS, WEIGHT_LANES};
use super::xbar_macro::XbarMacro;

/// Cycles the rows are driven before the sample-and-hold captures the columns, as the mapper
/// writes them into the `XBAR_SETTLE` register.
pub const SETTLE_CYCLES: usize = 4;

/// Phase of the stage.
#[derive(Copy, Clone, PartialEq, Eq, Debug, LogicState)]
pub enum XbarPhase {
    /// Answering requests; rows are being latched.
    Idle,
    /// Rows driven, waiting for the columns to settle.
    Settle,
    /// Converting the columns one by one.
    Convert,
    /// The last sum is in its bank; read the requested group next.
    Land,
}

/// The crossbar stage of a core with `2^NB` neurons and `2^AB` axons (`GB = NB - 2` groups,
/// `CB = NB + 1` physical-column bits), with a `B`-bit ADC.
#[derive(LogicBlock)]
pub struct CrossbarSynapses<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const CB: usize,
    const B: usize,
> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// Configuration bus (qualified by the core).
    pub cfg: CfgBus,
    /// The synapse port.
    pub port: SynapseStagePort<NB, AB, GB>,
    /// The analog array.
    pub array: XbarMacro<AB, CB, B>,
    adc: SarAdc<B>,
    /// `d` of neuron `4 g + l` in bank `l` at address `g`.
    sums: [BlockRam<Bits<WEIGHT_BITS>, GB>; WEIGHT_LANES],
    phase: DFF<XbarPhase>,
    /// The `XBAR_SETTLE` register.
    settle: DFF<Bits<XBAR_SETTLE_BITS>>,
    settle_count: DFF<Bits<XBAR_SETTLE_BITS>>,
    /// Physical column being converted.
    column: DFF<Bits<CB>>,
    /// Code of the `G+` column of the pair being converted.
    plus_code: DFF<Bits<B>>,
    rsp_pending: DFF<Bit>,
    /// The pending response comes from the sum banks (else it is a zero word).
    rsp_sums: DFF<Bit>,
    /// Group of the sum request being answered.
    sum_group: DFF<Bits<GB>>,
    read_pending: DFF<Bit>,
    /// The pending read is of `XBAR_SETTLE`.
    read_settle: DFF<Bit>,
    sum_axon: Constant<Bits<AB>>,
    last_column: Constant<Bits<CB>>,
    settle_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const CB: usize, const B: usize> Default
    for CrossbarSynapses<NB, AB, GB, CB, B>
{
    fn default() -> Self {
        assert_eq!(GB + 2, NB, "GB must be NB - 2");
        assert_eq!(CB, NB + 1, "CB must be NB + 1");
        assert!(B < WEIGHT_BITS, "a {B}-bit code difference must fit a lane");
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            port: Default::default(),
            array: Default::default(),
            adc: Default::default(),
            sums: Default::default(),
            phase: Default::default(),
            settle: Default::default(),
            settle_count: Default::default(),
            column: Default::default(),
            plus_code: Default::default(),
            rsp_pending: Default::default(),
            rsp_sums: Default::default(),
            sum_group: Default::default(),
            read_pending: Default::default(),
            read_settle: Default::default(),
            sum_axon: Constant::new(Bits::<AB>::from((1u64 << AB) - 1)),
            last_column: Constant::new(Bits::<CB>::from((1u64 << CB) - 1)),
            settle_target: regmap::hdl::constant(CfgTarget::XbarSettle),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const CB: usize, const B: usize> Logic
    for CrossbarSynapses<NB, AB, GB, CB, B>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            phase,
            settle,
            settle_count,
            column,
            plus_code,
            rsp_pending,
            rsp_sums,
            sum_group,
            read_pending,
            read_settle
        );
        self.array.clock.next = self.clock.val();
        self.adc.clock.next = self.clock.val();
        for i in 0..WEIGHT_LANES {
            self.sums[i].read_clock.next = self.clock.val();
            self.sums[i].write_clock.next = self.clock.val();
            self.sums[i].read_address.next = self.sum_group.q.val();
            self.sums[i].write_address.next = bit_cast::<GB, CB>(self.column.q.val() >> 3);
            // d = code(G+) - code(G-), 16-bit two's complement (codes are below 2^15).
            self.sums[i].write_data.next = bit_cast::<WEIGHT_BITS, B>(self.plus_code.q.val())
                - bit_cast::<WEIGHT_BITS, B>(self.adc.code.val());
            self.sums[i].write_enable.next = (self.phase.q.val() == XbarPhase::Convert)
                & self.adc.done.val()
                & self.column.q.val().get_bit(0)
                & (self.column.q.val().get_bits::<2>(1).index() == i);
        }

        // Macro pins: rows latched by request, the read sequenced by the phase.
        self.array.row_addr.next = self.port.req_axon.val();
        self.array.row_set.next = false;
        self.array.rows_clear.next = false;
        self.array.drive.next =
            (self.phase.q.val() == XbarPhase::Settle) | (self.phase.q.val() == XbarPhase::Convert);
        self.array.sample.next = false;
        self.array.col_select.next = self.column.q.val();
        self.array.dac_code.next = self.adc.dac_code.val();
        self.array.prog_row.next = 0.into();
        self.array.prog_col.next = 0.into();
        self.array.prog_set.next = false;
        self.array.prog_reset.next = false;
        self.adc.comparator.next = self.array.comparator.val();
        self.adc.start.next = false;

        // Requests. Always ready: the requester keeps at most one outstanding, and a sum
        // request is simply answered late.
        self.port.req_ready.next = true;
        self.rsp_pending.d.next = self.rsp_pending.q.val() & !self.port.rsp_ready.val();
        if self.port.req_valid.val() {
            if self.port.req_axon.val() == self.sum_axon.val() {
                self.sum_group.d.next = self.port.req_group.val();
                self.sums[0].read_address.next = self.port.req_group.val();
                self.sums[1].read_address.next = self.port.req_group.val();
                self.sums[2].read_address.next = self.port.req_group.val();
                self.sums[3].read_address.next = self.port.req_group.val();
                self.rsp_sums.d.next = true;
                if self.port.req_first.val() {
                    self.phase.d.next = XbarPhase::Settle;
                    self.settle_count.d.next = 0.into();
                } else {
                    self.rsp_pending.d.next = true;
                }
            } else {
                self.array.row_set.next = self.port.req_first.val();
                self.rsp_sums.d.next = false;
                self.rsp_pending.d.next = true;
            }
        }

        // The read: settle, sample, convert every physical column, land the last sum.
        match self.phase.q.val() {
            XbarPhase::Idle => {}
            XbarPhase::Settle => {
                // Cycle `settle_count + 1` of `S` (a register of 0 acts as 1).
                self.settle_count.d.next = self.settle_count.q.val() + 1;
                if (self.settle_count.q.val() + 1) >= self.settle.q.val() {
                    self.array.sample.next = true;
                    self.column.d.next = 0.into();
                    self.phase.d.next = XbarPhase::Convert;
                }
            }
            XbarPhase::Convert => {
                // A conversion starts whenever the ADC is idle (also in its done cycle),
                // except after the last column's.
                self.adc.start.next = !self.adc.busy.val()
                    & !(self.adc.done.val() & (self.column.q.val() == self.last_column.val()));
                if self.adc.done.val() {
                    self.plus_code.d.next = self.adc.code.val();
                    self.column.d.next = self.column.q.val() + 1;
                    if self.column.q.val() == self.last_column.val() {
                        self.array.rows_clear.next = true;
                        self.phase.d.next = XbarPhase::Land;
                    }
                }
            }
            XbarPhase::Land => {
                self.rsp_pending.d.next = true;
                self.phase.d.next = XbarPhase::Idle;
            }
        }

        self.port.rsp_valid.next = self.rsp_pending.q.val();
        self.port.rsp_weight0.next = 0.into();
        self.port.rsp_weight1.next = 0.into();
        self.port.rsp_weight2.next = 0.into();
        self.port.rsp_weight3.next = 0.into();
        if self.rsp_sums.q.val() {
            self.port.rsp_weight0.next = self.sums[0].read_data.val();
            self.port.rsp_weight1.next = self.sums[1].read_data.val();
            self.port.rsp_weight2.next = self.sums[2].read_data.val();
            self.port.rsp_weight3.next = self.sums[3].read_data.val();
        }
        self.port.stage_busy.next = false;

        // Configuration: the settle register; every read is answered, any other target's
        // with 0 (the weights are in the array).
        if self.cfg.write.val() & (self.cfg.target.val() == self.settle_target.val()) {
            self.settle.d.next = self.cfg.data.val().get_bits::<XBAR_SETTLE_BITS>(0);
        }
        self.read_pending.d.next = self.cfg.read.val();
        self.read_settle.d.next =
            self.cfg.read.val() & (self.cfg.target.val() == self.settle_target.val());
        self.cfg.read_valid.next = self.read_pending.q.val();
        self.cfg.read_data.next = 0.into();
        if self.read_settle.q.val() {
            self.cfg.read_data.next = bit_cast::<32, XBAR_SETTLE_BITS>(self.settle.q.val());
        }
    }
}
