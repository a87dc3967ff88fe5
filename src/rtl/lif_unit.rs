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
//! multiply 16x16, so each magnitude is split as `hi * 2^16 + lo` and the two partial
//! products are recombined: `|x| * f = ((hi * f) << 16) + lo * f`, exact in 40 bits.

use rust_hdl::prelude::*;

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
    /// Its state word (`u` bits 0..25, `v` bits 25..49).
    pub in_state: Signal<In, Bits<49>>,
    /// Its parameter word A (`u_factor`, `v_factor`, slot shifts).
    pub in_param_a: Signal<In, Bits<37>>,
    /// Its parameter word B (`bias`, `threshold`).
    pub in_param_b: Signal<In, Bits<43>>,
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
    /// Its new state word.
    pub out_state: Signal<Out, Bits<49>>,
    /// It spiked.
    pub out_spike: Signal<Out, Bit>,

    // Stage 1: synaptic input.
    acc1_floor: Signal<Local, Bits<24>>,
    acc2_floor: Signal<Local, Bits<24>>,
    acc3_floor: Signal<Local, Bits<24>>,
    activation: Signal<Local, Bits<26>>,
    // Stage 1: decay of u.
    u_current: Signal<Local, Bits<25>>,
    u_magnitude: Signal<Local, Bits<25>>,
    u_factor: Signal<Local, Bits<16>>,
    u_product_lo: Signal<Local, Bits<32>>,
    u_product_hi: Signal<Local, Bits<32>>,
    u_product: Signal<Local, Bits<40>>,
    u_decayed_magnitude: Signal<Local, Bits<25>>,
    u_decayed: Signal<Local, Bits<25>>,
    // Stage 1: decay of v.
    v_current: Signal<Local, Bits<24>>,
    v_magnitude: Signal<Local, Bits<24>>,
    v_factor: Signal<Local, Bits<16>>,
    v_product_lo: Signal<Local, Bits<32>>,
    v_product_hi: Signal<Local, Bits<32>>,
    v_product: Signal<Local, Bits<40>>,
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
    // Stage 2, in 34 bits: |decay(u)| <= 2^24 and |a << 6| < 2^31, so 34 bits hold any `u'`
    // or `v'` before wrap/clamp without overflow.
    u_sum: Signal<Local, Bits<34>>,
    u_next: Signal<Local, Bits<34>>,
    v_sum: Signal<Local, Bits<34>>,
    v_clamped: Signal<Local, Bits<34>>,
    v_next: Signal<Local, Bits<34>>,
    spike: Signal<Local, Bit>,
    // Constants (rust-hdl literals are 32-bit at most in practice, so wide ones live here).
    lane_ones: Constant<Bits<24>>,
    sext_24_to_26: Constant<Bits<26>>,
    sext_25_to_34: Constant<Bits<34>>,
    sext_24_to_34: Constant<Bits<34>>,
    sext_26_to_34: Constant<Bits<34>>,
    sext_20_to_34: Constant<Bits<34>>,
    u_wrap_high: Constant<Bits<34>>,
    u_wrap_low: Constant<Bits<34>>,
    u_wrap_span: Constant<Bits<34>>,
    v_max: Constant<Bits<34>>,
    v_min: Constant<Bits<34>>,
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
            in_state: Default::default(),
            in_param_a: Default::default(),
            in_param_b: Default::default(),
            in_acc0: Default::default(),
            in_acc1: Default::default(),
            in_acc2: Default::default(),
            in_acc3: Default::default(),
            out_valid: Default::default(),
            out_neuron: Default::default(),
            out_state: Default::default(),
            out_spike: Default::default(),
            acc1_floor: Default::default(),
            acc2_floor: Default::default(),
            acc3_floor: Default::default(),
            activation: Default::default(),
            u_current: Default::default(),
            u_magnitude: Default::default(),
            u_factor: Default::default(),
            u_product_lo: Default::default(),
            u_product_hi: Default::default(),
            u_product: Default::default(),
            u_decayed_magnitude: Default::default(),
            u_decayed: Default::default(),
            v_current: Default::default(),
            v_magnitude: Default::default(),
            v_factor: Default::default(),
            v_product_lo: Default::default(),
            v_product_hi: Default::default(),
            v_product: Default::default(),
            v_decayed_magnitude: Default::default(),
            v_decayed: Default::default(),
            stage_valid: Default::default(),
            stage_neuron: Default::default(),
            stage_u_decayed: Default::default(),
            stage_v_decayed: Default::default(),
            stage_activation: Default::default(),
            stage_bias: Default::default(),
            stage_threshold: Default::default(),
            u_sum: Default::default(),
            u_next: Default::default(),
            v_sum: Default::default(),
            v_clamped: Default::default(),
            v_next: Default::default(),
            spike: Default::default(),
            lane_ones: constant_of::<24>(-1),
            sext_24_to_26: sign_fill::<26>(24),
            sext_25_to_34: sign_fill::<34>(25),
            sext_24_to_34: sign_fill::<34>(24),
            sext_26_to_34: sign_fill::<34>(26),
            sext_20_to_34: sign_fill::<34>(20),
            u_wrap_high: constant_of::<34>(1 << 23),
            u_wrap_low: constant_of::<34>(-(1 << 23)),
            u_wrap_span: constant_of::<34>(1 << 24),
            v_max: constant_of::<34>((1 << 23) - 1),
            v_min: constant_of::<34>(-((1 << 23) - 1)),
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
        self.acc1_floor.next = self.in_acc1.val() >> self.in_param_a.val().get_bits::<4>(25);
        if self.in_acc1.val().get_bit(23) {
            self.acc1_floor.next = (self.in_acc1.val() >> self.in_param_a.val().get_bits::<4>(25))
                | (self.lane_ones.val()
                    ^ (self.lane_ones.val() >> self.in_param_a.val().get_bits::<4>(25)));
        }
        self.acc2_floor.next = self.in_acc2.val() >> self.in_param_a.val().get_bits::<4>(29);
        if self.in_acc2.val().get_bit(23) {
            self.acc2_floor.next = (self.in_acc2.val() >> self.in_param_a.val().get_bits::<4>(29))
                | (self.lane_ones.val()
                    ^ (self.lane_ones.val() >> self.in_param_a.val().get_bits::<4>(29)));
        }
        self.acc3_floor.next = self.in_acc3.val() >> self.in_param_a.val().get_bits::<4>(33);
        if self.in_acc3.val().get_bit(23) {
            self.acc3_floor.next = (self.in_acc3.val() >> self.in_param_a.val().get_bits::<4>(33))
                | (self.lane_ones.val()
                    ^ (self.lane_ones.val() >> self.in_param_a.val().get_bits::<4>(33)));
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

        // ---- Stage 1: decay(u) with u_factor = 4095 - du (word A bits 0..12).
        self.u_current.next = self.in_state.val().get_bits::<25>(0);
        self.u_magnitude.next = self.u_current.val();
        if self.u_current.val().get_bit(24) {
            self.u_magnitude.next = !self.u_current.val() + 1;
        }
        self.u_factor.next = bit_cast::<16, 12>(self.in_param_a.val().get_bits::<12>(0));
        self.u_product_lo.next = self.u_magnitude.val().get_bits::<16>(0) * self.u_factor.val();
        self.u_product_hi.next =
            bit_cast::<16, 9>(self.u_magnitude.val().get_bits::<9>(16)) * self.u_factor.val();
        self.u_product.next = (bit_cast::<40, 32>(self.u_product_hi.val()) << 16)
            + bit_cast::<40, 32>(self.u_product_lo.val());
        self.u_decayed_magnitude.next = bit_cast::<25, 40>(self.u_product.val() >> 12);
        self.u_decayed.next = self.u_decayed_magnitude.val();
        if self.u_current.val().get_bit(24) {
            self.u_decayed.next = !self.u_decayed_magnitude.val() + 1;
        }

        // ---- Stage 1: decay(v) with v_factor = 4096 - dv (word A bits 12..25).
        self.v_current.next = self.in_state.val().get_bits::<24>(25);
        self.v_magnitude.next = self.v_current.val();
        if self.v_current.val().get_bit(23) {
            self.v_magnitude.next = !self.v_current.val() + 1;
        }
        self.v_factor.next = bit_cast::<16, 13>(self.in_param_a.val().get_bits::<13>(12));
        self.v_product_lo.next = self.v_magnitude.val().get_bits::<16>(0) * self.v_factor.val();
        self.v_product_hi.next =
            bit_cast::<16, 8>(self.v_magnitude.val().get_bits::<8>(16)) * self.v_factor.val();
        self.v_product.next = (bit_cast::<40, 32>(self.v_product_hi.val()) << 16)
            + bit_cast::<40, 32>(self.v_product_lo.val());
        self.v_decayed_magnitude.next = bit_cast::<24, 40>(self.v_product.val() >> 12);
        self.v_decayed.next = self.v_decayed_magnitude.val();
        if self.v_current.val().get_bit(23) {
            self.v_decayed.next = !self.v_decayed_magnitude.val() + 1;
        }

        // ---- Pipeline registers.
        self.stage_valid.d.next = self.in_valid.val();
        self.stage_neuron.d.next = self.in_neuron.val();
        self.stage_u_decayed.d.next = self.u_decayed.val();
        self.stage_v_decayed.d.next = self.v_decayed.val();
        self.stage_activation.d.next = self.activation.val();
        self.stage_bias.d.next = self.in_param_b.val().get_bits::<20>(0);
        self.stage_threshold.d.next = self.in_param_b.val().get_bits::<23>(20);

        // ---- Stage 2: u' = wrap(decay(u) + (a << 6)), all in 34-bit two's complement.
        self.u_sum.next = bit_cast::<34, 25>(self.stage_u_decayed.q.val());
        if self.stage_u_decayed.q.val().get_bit(24) {
            self.u_sum.next =
                bit_cast::<34, 25>(self.stage_u_decayed.q.val()) | self.sext_25_to_34.val();
        }
        if self.stage_activation.q.val().get_bit(25) {
            self.u_sum.next = self.u_sum.val()
                + ((bit_cast::<34, 26>(self.stage_activation.q.val()) | self.sext_26_to_34.val())
                    << 6);
        } else {
            self.u_sum.next =
                self.u_sum.val() + (bit_cast::<34, 26>(self.stage_activation.q.val()) << 6);
        }
        // Signed comparisons on unsigned Bits: a non-negative value (bit 33 clear) is above
        // 2^23 when its unsigned value is; a negative one is <= -2^23 when its two's
        // complement encoding is <= that of -2^23 (both have bit 33 set, so order is kept).
        self.u_next.next = self.u_sum.val();
        if !self.u_sum.val().get_bit(33) & (self.u_sum.val() > self.u_wrap_high.val()) {
            self.u_next.next = self.u_sum.val() - self.u_wrap_span.val();
        }
        if self.u_sum.val().get_bit(33) & (self.u_sum.val() <= self.u_wrap_low.val()) {
            self.u_next.next = self.u_sum.val() + self.u_wrap_span.val();
        }
        // ---- Stage 2: v' = clamp(decay(v) + u' + bias).
        self.v_sum.next = bit_cast::<34, 24>(self.stage_v_decayed.q.val()) + self.u_next.val();
        if self.stage_v_decayed.q.val().get_bit(23) {
            self.v_sum.next = (bit_cast::<34, 24>(self.stage_v_decayed.q.val())
                | self.sext_24_to_34.val())
                + self.u_next.val();
        }
        if self.stage_bias.q.val().get_bit(19) {
            self.v_sum.next = self.v_sum.val()
                + (bit_cast::<34, 20>(self.stage_bias.q.val()) | self.sext_20_to_34.val());
        } else {
            self.v_sum.next = self.v_sum.val() + bit_cast::<34, 20>(self.stage_bias.q.val());
        }
        self.v_clamped.next = self.v_sum.val();
        if !self.v_sum.val().get_bit(33) & (self.v_sum.val() > self.v_max.val()) {
            self.v_clamped.next = self.v_max.val();
        }
        if self.v_sum.val().get_bit(33) & (self.v_sum.val() < self.v_min.val()) {
            self.v_clamped.next = self.v_min.val();
        }
        // spike = v' > vth << 6 (threshold is non-negative, so v' must be too).
        self.spike.next = !self.v_clamped.val().get_bit(33)
            & (self.v_clamped.val() > bit_cast::<34, 23>(self.stage_threshold.q.val()));
        self.v_next.next = self.v_clamped.val();
        if self.spike.val() {
            self.v_next.next = 0.into();
        }
        self.out_valid.next = self.stage_valid.q.val();
        self.out_neuron.next = self.stage_neuron.q.val();
        self.out_spike.next = self.stage_valid.q.val() & self.spike.val();
        self.out_state.next = bit_cast::<49, 25>(self.u_next.val().get_bits::<25>(0))
            | (bit_cast::<49, 24>(self.v_next.val().get_bits::<24>(0)) << 25);
    }
}
