//! The LIF update datapath: one neuron per cycle, two pipeline stages.
//!
//! Stage 1 (combinational from the memory read ports): sum the accumulator slots into the
//! synaptic input `a`, and compute both decays. Stage 2 (from pipeline registers): add, wrap,
//! clamp, compare, reset. The arithmetic is the spec's, bit for bit:
//!
//! ```text
//! a  = acc0 + (acc1 >>> s1) + (acc2 >>> s2) + (acc3 >>> s3)      # >>> floors
//! du' = sign(u) * ((|u| * u_factor) >> 12)        u_factor = 4095 - du
//! dv' = sign(v) * ((|v| * v_factor) >> 12)        v_factor = 4096 - dv
//! u'  = wrap(du' + (a << 6));  v' = clamp(dv' + u' + bias);  spike = v' > threshold
//! ```
//!
//! `|u|` has 25 bits and the factors 12-13 bits, but rust-hdl (and the DSPs we target) only
//! multiply 16x16, so each magnitude is split as `hi * 2^16 + lo` and the partial products
//! recombined. Because `2^16` is a multiple of `2^12`, the shift distributes exactly:
//! `(|x| * f) >> 12 = ((hi * f) << 4) + ((lo * f) >> 12)`, which keeps every intermediate
//! within 32 bits (`hi * f < 2^21`, `lo * f < 2^29`).
//!
//! Stage 2 works in [`STAGE2_BITS`] = 28 bits. That is exact whenever `|a| <= 2^18`, the
//! range the mapper admits (`map::MAX_ABS_ACTIVATION`): then `|a << 6| <= 2^24`,
//! `|decay(u) + (a << 6)| <= 2^23 + 2^24 < 2^27` and `|decay(v) + u' + bias| < 2^25`.

use rust_hdl::prelude::*;

/// Width of the stage-2 sums (see the module docs for why 28 bits are exact).
pub const STAGE2_BITS: usize = 28;

/// Pipelined LIF neuron update (latency 1 register stage; outputs are valid in the cycle after
/// the inputs).
#[derive(LogicBlock)]
pub struct LifUnit {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// A neuron's operands are on the inputs this cycle.
    pub in_valid: Signal<In, Bit>,
    /// Index of that neuron (carried through the pipeline).
    pub in_neuron: Signal<In, Bits<16>>,
    /// Its current `u` (25-bit two's complement).
    pub in_u: Signal<In, Bits<25>>,
    /// Its voltage `v` (24-bit two's complement).
    pub in_v: Signal<In, Bits<24>>,
    /// Its decay word (`u_factor` bits 0..12, `v_factor` bits 12..25).
    pub in_decay: Signal<In, Bits<25>>,
    /// Its bias/shift word (`bias` bits 0..20, slot shifts 4 bits each from bit 20).
    pub in_bias_shift: Signal<In, Bits<32>>,
    /// Its threshold `vth << 6`.
    pub in_threshold: Signal<In, Bits<23>>,
    /// Accumulator slot 0 (never shifted).
    pub in_acc0: Signal<In, Bits<24>>,
    /// Accumulator slot 1.
    pub in_acc1: Signal<In, Bits<24>>,
    /// Accumulator slot 2.
    pub in_acc2: Signal<In, Bits<24>>,
    /// Accumulator slot 3.
    pub in_acc3: Signal<In, Bits<24>>,
    /// The result of the neuron that entered in the previous cycle is on the outputs.
    pub out_valid: Signal<Out, Bit>,
    /// Its index.
    pub out_neuron: Signal<Out, Bits<16>>,
    /// Its new `u`.
    pub out_u: Signal<Out, Bits<25>>,
    /// Its new `v`.
    pub out_v: Signal<Out, Bits<24>>,
    /// It spiked.
    pub out_spike: Signal<Out, Bit>,

    // Stage 1: synaptic input.
    shift1: Signal<Local, Bits<4>>,
    shift2: Signal<Local, Bits<4>>,
    shift3: Signal<Local, Bits<4>>,
    acc1_floor: Signal<Local, Bits<24>>,
    acc2_floor: Signal<Local, Bits<24>>,
    acc3_floor: Signal<Local, Bits<24>>,
    activation: Signal<Local, Bits<26>>,
    // Stage 1: decay of u.
    u_magnitude: Signal<Local, Bits<25>>,
    u_factor: Signal<Local, Bits<16>>,
    u_product_lo: Signal<Local, Bits<32>>,
    u_product_hi: Signal<Local, Bits<32>>,
    u_decayed_magnitude: Signal<Local, Bits<25>>,
    u_decayed: Signal<Local, Bits<25>>,
    // Stage 1: decay of v.
    v_magnitude: Signal<Local, Bits<24>>,
    v_factor: Signal<Local, Bits<16>>,
    v_product_lo: Signal<Local, Bits<32>>,
    v_product_hi: Signal<Local, Bits<32>>,
    v_decayed_magnitude: Signal<Local, Bits<24>>,
    v_decayed: Signal<Local, Bits<24>>,
    // Pipeline registers between the stages.
    stage_valid: DFF<Bit>,
    stage_neuron: DFF<Bits<16>>,
    stage_u_decayed: DFF<Bits<25>>,
    stage_v_decayed: DFF<Bits<24>>,
    stage_activation: DFF<Bits<26>>,
    stage_bias: DFF<Bits<20>>,
    stage_threshold: DFF<Bits<23>>,
    // Stage 2, in STAGE2_BITS two's complement.
    activation_scaled: Signal<Local, Bits<STAGE2_BITS>>,
    u_sum: Signal<Local, Bits<STAGE2_BITS>>,
    u_next: Signal<Local, Bits<STAGE2_BITS>>,
    v_sum: Signal<Local, Bits<STAGE2_BITS>>,
    v_clamped: Signal<Local, Bits<STAGE2_BITS>>,
    v_next: Signal<Local, Bits<24>>,
    spike: Signal<Local, Bit>,
    // Constants.
    lane_ones: Constant<Bits<24>>,
    sext_24_to_26: Constant<Bits<26>>,
    sext_25_to_s2: Constant<Bits<STAGE2_BITS>>,
    sext_24_to_s2: Constant<Bits<STAGE2_BITS>>,
    sext_26_to_s2: Constant<Bits<STAGE2_BITS>>,
    sext_20_to_s2: Constant<Bits<STAGE2_BITS>>,
    u_wrap_high: Constant<Bits<STAGE2_BITS>>,
    u_wrap_low: Constant<Bits<STAGE2_BITS>>,
    u_wrap_span: Constant<Bits<STAGE2_BITS>>,
    v_max: Constant<Bits<STAGE2_BITS>>,
    v_min: Constant<Bits<STAGE2_BITS>>,
}

/// Mask that sign-extends a `from`-bit two's complement value to `TO` bits when OR-ed in.
pub(crate) fn sign_fill<const TO: usize>(from: usize) -> Constant<Bits<TO>> {
    let ones: u64 = if TO == 64 { u64::MAX } else { (1u64 << TO) - 1 };
    Constant::new(Bits::<TO>::from(ones & !((1u64 << from) - 1)))
}

/// `value mod 2^TO` as a constant (negative values in two's complement).
pub(crate) fn constant_of<const TO: usize>(value: i64) -> Constant<Bits<TO>> {
    Constant::new(Bits::<TO>::from(crate::fixed::to_twos(value, TO as u32)))
}

impl Default for LifUnit {
    fn default() -> Self {
        Self {
            clock: Default::default(),
            in_valid: Default::default(),
            in_neuron: Default::default(),
            in_u: Default::default(),
            in_v: Default::default(),
            in_decay: Default::default(),
            in_bias_shift: Default::default(),
            in_threshold: Default::default(),
            in_acc0: Default::default(),
            in_acc1: Default::default(),
            in_acc2: Default::default(),
            in_acc3: Default::default(),
            out_valid: Default::default(),
            out_neuron: Default::default(),
            out_u: Default::default(),
            out_v: Default::default(),
            out_spike: Default::default(),
            shift1: Default::default(),
            shift2: Default::default(),
            shift3: Default::default(),
            acc1_floor: Default::default(),
            acc2_floor: Default::default(),
            acc3_floor: Default::default(),
            activation: Default::default(),
            u_magnitude: Default::default(),
            u_factor: Default::default(),
            u_product_lo: Default::default(),
            u_product_hi: Default::default(),
            u_decayed_magnitude: Default::default(),
            u_decayed: Default::default(),
            v_magnitude: Default::default(),
            v_factor: Default::default(),
            v_product_lo: Default::default(),
            v_product_hi: Default::default(),
            v_decayed_magnitude: Default::default(),
            v_decayed: Default::default(),
            stage_valid: Default::default(),
            stage_neuron: Default::default(),
            stage_u_decayed: Default::default(),
            stage_v_decayed: Default::default(),
            stage_activation: Default::default(),
            stage_bias: Default::default(),
            stage_threshold: Default::default(),
            activation_scaled: Default::default(),
            u_sum: Default::default(),
            u_next: Default::default(),
            v_sum: Default::default(),
            v_clamped: Default::default(),
            v_next: Default::default(),
            spike: Default::default(),
            lane_ones: constant_of::<24>(-1),
            sext_24_to_26: sign_fill::<26>(24),
            sext_25_to_s2: sign_fill::<STAGE2_BITS>(25),
            sext_24_to_s2: sign_fill::<STAGE2_BITS>(24),
            sext_26_to_s2: sign_fill::<STAGE2_BITS>(26),
            sext_20_to_s2: sign_fill::<STAGE2_BITS>(20),
            u_wrap_high: constant_of::<STAGE2_BITS>(1 << 23),
            u_wrap_low: constant_of::<STAGE2_BITS>(-(1 << 23)),
            u_wrap_span: constant_of::<STAGE2_BITS>(1 << 24),
            v_max: constant_of::<STAGE2_BITS>((1 << 23) - 1),
            v_min: constant_of::<STAGE2_BITS>(-((1 << 23) - 1)),
        }
    }
}

impl Logic for LifUnit {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(
            self,
            clock,
            stage_valid,
            stage_neuron,
            stage_u_decayed,
            stage_v_decayed,
            stage_activation,
            stage_bias,
            stage_threshold
        );
        // ---- Stage 1: a = acc0 + sum_k floor(acc_k / 2^s_k). An arithmetic right shift is a
        // logical shift with the vacated top bits filled with the sign: fill = ones ^ (ones >> s).
        self.shift1.next = self.in_bias_shift.val().get_bits::<4>(20);
        self.shift2.next = self.in_bias_shift.val().get_bits::<4>(24);
        self.shift3.next = self.in_bias_shift.val().get_bits::<4>(28);
        self.acc1_floor.next = self.in_acc1.val() >> self.shift1.val();
        if self.in_acc1.val().get_bit(23) {
            self.acc1_floor.next = (self.in_acc1.val() >> self.shift1.val())
                | (self.lane_ones.val() ^ (self.lane_ones.val() >> self.shift1.val()));
        }
        self.acc2_floor.next = self.in_acc2.val() >> self.shift2.val();
        if self.in_acc2.val().get_bit(23) {
            self.acc2_floor.next = (self.in_acc2.val() >> self.shift2.val())
                | (self.lane_ones.val() ^ (self.lane_ones.val() >> self.shift2.val()));
        }
        self.acc3_floor.next = self.in_acc3.val() >> self.shift3.val();
        if self.in_acc3.val().get_bit(23) {
            self.acc3_floor.next = (self.in_acc3.val() >> self.shift3.val())
                | (self.lane_ones.val() ^ (self.lane_ones.val() >> self.shift3.val()));
        }
        // Each term is a 24-bit two's complement value; their sum needs 26 bits.
        self.activation.next = bit_cast::<26, 24>(self.in_acc0.val());
        if self.in_acc0.val().get_bit(23) {
            self.activation.next =
                bit_cast::<26, 24>(self.in_acc0.val()) | self.sext_24_to_26.val();
        }
        if self.acc1_floor.val().get_bit(23) {
            self.activation.next = self.activation.val()
                + (bit_cast::<26, 24>(self.acc1_floor.val()) | self.sext_24_to_26.val());
        } else {
            self.activation.next =
                self.activation.val() + bit_cast::<26, 24>(self.acc1_floor.val());
        }
        if self.acc2_floor.val().get_bit(23) {
            self.activation.next = self.activation.val()
                + (bit_cast::<26, 24>(self.acc2_floor.val()) | self.sext_24_to_26.val());
        } else {
            self.activation.next =
                self.activation.val() + bit_cast::<26, 24>(self.acc2_floor.val());
        }
        if self.acc3_floor.val().get_bit(23) {
            self.activation.next = self.activation.val()
                + (bit_cast::<26, 24>(self.acc3_floor.val()) | self.sext_24_to_26.val());
        } else {
            self.activation.next =
                self.activation.val() + bit_cast::<26, 24>(self.acc3_floor.val());
        }

        // ---- Stage 1: decay(u) with u_factor = 4095 - du (decay word bits 0..12).
        self.u_magnitude.next = self.in_u.val();
        if self.in_u.val().get_bit(24) {
            self.u_magnitude.next = !self.in_u.val() + 1;
        }
        self.u_factor.next = bit_cast::<16, 12>(self.in_decay.val().get_bits::<12>(0));
        self.u_product_lo.next = self.u_magnitude.val().get_bits::<16>(0) * self.u_factor.val();
        self.u_product_hi.next =
            bit_cast::<16, 9>(self.u_magnitude.val().get_bits::<9>(16)) * self.u_factor.val();
        // Both terms and their sum are below 2^24, so adding at 25 bits is exact.
        self.u_decayed_magnitude.next = bit_cast::<25, 32>(self.u_product_hi.val() << 4)
            + bit_cast::<25, 32>(self.u_product_lo.val() >> 12);
        self.u_decayed.next = self.u_decayed_magnitude.val();
        if self.in_u.val().get_bit(24) {
            self.u_decayed.next = !self.u_decayed_magnitude.val() + 1;
        }

        // ---- Stage 1: decay(v) with v_factor = 4096 - dv (decay word bits 12..25).
        self.v_magnitude.next = self.in_v.val();
        if self.in_v.val().get_bit(23) {
            self.v_magnitude.next = !self.in_v.val() + 1;
        }
        self.v_factor.next = bit_cast::<16, 13>(self.in_decay.val().get_bits::<13>(12));
        self.v_product_lo.next = self.v_magnitude.val().get_bits::<16>(0) * self.v_factor.val();
        self.v_product_hi.next =
            bit_cast::<16, 8>(self.v_magnitude.val().get_bits::<8>(16)) * self.v_factor.val();
        // Both terms and their sum are below 2^23 + 1, so adding at 24 bits is exact.
        self.v_decayed_magnitude.next = bit_cast::<24, 32>(self.v_product_hi.val() << 4)
            + bit_cast::<24, 32>(self.v_product_lo.val() >> 12);
        self.v_decayed.next = self.v_decayed_magnitude.val();
        if self.in_v.val().get_bit(23) {
            self.v_decayed.next = !self.v_decayed_magnitude.val() + 1;
        }

        // ---- Pipeline registers.
        self.stage_valid.d.next = self.in_valid.val();
        self.stage_neuron.d.next = self.in_neuron.val();
        self.stage_u_decayed.d.next = self.u_decayed.val();
        self.stage_v_decayed.d.next = self.v_decayed.val();
        self.stage_activation.d.next = self.activation.val();
        self.stage_bias.d.next = self.in_bias_shift.val().get_bits::<20>(0);
        self.stage_threshold.d.next = self.in_threshold.val();

        // ---- Stage 2: u' = wrap(decay(u) + (a << 6)).
        self.activation_scaled.next = bit_cast::<STAGE2_BITS, 26>(self.stage_activation.q.val());
        if self.stage_activation.q.val().get_bit(25) {
            self.activation_scaled.next =
                bit_cast::<STAGE2_BITS, 26>(self.stage_activation.q.val())
                    | self.sext_26_to_s2.val();
        }
        self.activation_scaled.next = self.activation_scaled.val() << 6;
        self.u_sum.next = bit_cast::<STAGE2_BITS, 25>(self.stage_u_decayed.q.val())
            + self.activation_scaled.val();
        if self.stage_u_decayed.q.val().get_bit(24) {
            self.u_sum.next = (bit_cast::<STAGE2_BITS, 25>(self.stage_u_decayed.q.val())
                | self.sext_25_to_s2.val())
                + self.activation_scaled.val();
        }
        // Bit 27 is the sign bit of a STAGE2_BITS value (a literal: hdl_gen copies expressions
        // into the Verilog verbatim, where the Rust constant does not exist).
        // Signed comparisons on unsigned Bits: a non-negative value (top bit clear) is above
        // 2^23 when its unsigned value is; a negative one is <= -2^23 when its two's
        // complement encoding is <= that of -2^23 (both have the top bit set, so order is kept).
        self.u_next.next = self.u_sum.val();
        if !self.u_sum.val().get_bit(27) & (self.u_sum.val() > self.u_wrap_high.val()) {
            self.u_next.next = self.u_sum.val() - self.u_wrap_span.val();
        }
        if self.u_sum.val().get_bit(27) & (self.u_sum.val() <= self.u_wrap_low.val()) {
            self.u_next.next = self.u_sum.val() + self.u_wrap_span.val();
        }
        // ---- Stage 2: v' = clamp(decay(v) + u' + bias).
        self.v_sum.next =
            bit_cast::<STAGE2_BITS, 24>(self.stage_v_decayed.q.val()) + self.u_next.val();
        if self.stage_v_decayed.q.val().get_bit(23) {
            self.v_sum.next = (bit_cast::<STAGE2_BITS, 24>(self.stage_v_decayed.q.val())
                | self.sext_24_to_s2.val())
                + self.u_next.val();
        }
        if self.stage_bias.q.val().get_bit(19) {
            self.v_sum.next = self.v_sum.val()
                + (bit_cast::<STAGE2_BITS, 20>(self.stage_bias.q.val()) | self.sext_20_to_s2.val());
        } else {
            self.v_sum.next =
                self.v_sum.val() + bit_cast::<STAGE2_BITS, 20>(self.stage_bias.q.val());
        }
        self.v_clamped.next = self.v_sum.val();
        if !self.v_sum.val().get_bit(27) & (self.v_sum.val() > self.v_max.val()) {
            self.v_clamped.next = self.v_max.val();
        }
        if self.v_sum.val().get_bit(27) & (self.v_sum.val() < self.v_min.val()) {
            self.v_clamped.next = self.v_min.val();
        }
        // spike = v' > vth << 6 (threshold is non-negative, so v' must be too).
        self.spike.next = !self.v_clamped.val().get_bit(27)
            & (self.v_clamped.val() > bit_cast::<STAGE2_BITS, 23>(self.stage_threshold.q.val()));
        // The clamp leaves v' within 24 bits.
        self.v_next.next = bit_cast::<24, STAGE2_BITS>(self.v_clamped.val());
        if self.spike.val() {
            self.v_next.next = 0.into();
        }
        self.out_valid.next = self.stage_valid.q.val();
        self.out_neuron.next = self.stage_neuron.q.val();
        self.out_spike.next = self.stage_valid.q.val() & self.spike.val();
        self.out_u.next = self.u_next.val().get_bits::<25>(0);
        self.out_v.next = self.v_next.val();
    }
}

// The literal sign-bit index 27 in `update` must track STAGE2_BITS.
const _: () = assert!(STAGE2_BITS == 28);
