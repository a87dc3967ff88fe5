//! One STDP trace's step-4 update (spec §5), combinational: `fixed::stdp::trace_update` in
//! hardware.
//!
//! ```text
//! out = min(127, ((trace * (4096 - decay)) >> 12) + (spiked ? impulse : 0))
//! ```
//! `trace` is 7 bits and `4096 - decay` 13 bits (`1..=4096`), so the product fits one 16x16
//! multiplier and 19 bits; after the shift it is at most 127, and with the impulse at most
//! 254 (8 bits) before the saturation.

use rust_hdl::prelude::*;

use super::lif_unit::constant_of;

/// The trace update of the learning stage (pre traces `x` and post traces `y` alike).
#[derive(LogicBlock)]
pub struct TraceUnit {
    /// The trace before the update, `0..=127`.
    pub trace: Signal<In, Bits<7>>,
    /// Its decay parameter `x_decay` / `y_decay`, `0..=4095`.
    pub decay: Signal<In, Bits<12>>,
    /// Its impulse `x_impulse` / `y_impulse`, `0..=127`.
    pub impulse: Signal<In, Bits<7>>,
    /// The trace's neuron spiked in the tick being learned.
    pub spiked: Signal<In, Bit>,
    /// The updated trace.
    pub out: Signal<Out, Bits<7>>,
    factor: Signal<Local, Bits<16>>,
    product: Signal<Local, Bits<32>>,
    sum: Signal<Local, Bits<8>>,
    unity: Constant<Bits<16>>,
    trace_max: Constant<Bits<8>>,
}

impl Default for TraceUnit {
    fn default() -> Self {
        Self {
            trace: Default::default(),
            decay: Default::default(),
            impulse: Default::default(),
            spiked: Default::default(),
            out: Default::default(),
            factor: Default::default(),
            product: Default::default(),
            sum: Default::default(),
            unity: constant_of::<16>(crate::fixed::DECAY_UNITY),
            trace_max: constant_of::<8>(crate::fixed::stdp::TRACE_MAX),
        }
    }
}

impl Logic for TraceUnit {
    #[hdl_gen]
    fn update(&mut self) {
        self.factor.next = self.unity.val() - bit_cast::<16, 12>(self.decay.val());
        self.product.next = bit_cast::<16, 7>(self.trace.val()) * self.factor.val();
        // (trace * factor) >> 12 <= 127: the low 7 bits of the shifted product.
        self.sum.next = bit_cast::<8, 7>(self.product.val().get_bits::<7>(12));
        if self.spiked.val() {
            self.sum.next = self.sum.val() + bit_cast::<8, 7>(self.impulse.val());
        }
        self.out.next = self.sum.val().get_bits::<7>(0);
        if self.sum.val() > self.trace_max.val() {
            self.out.next = self.trace_max.val().get_bits::<7>(0);
        }
    }
}
