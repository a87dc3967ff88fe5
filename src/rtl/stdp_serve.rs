//! The learning stage's request side (the synapse port's protocol, as `SramSynapses`): a
//! request `(axon, group)` is always taken and answered one cycle later from the memories'
//! registered read ports; while a response waits (`rsp_ready` low) the read addresses are
//! held, so a stalled response keeps its word.
//!
//! In the cycle a learning axon's response is taken (outside the window), the stage writes
//! the served word back with both terms applied, and on the event's first group also the
//! axon's word with its new `x` and pre-done flag (`stdp_synapses` explains the timing).
//! Word addresses are `axon << GB | group` (`SB = AB + GB` bits).

use rust_hdl::prelude::*;

/// Requests and responses of a stage with `2^AB` axons and `2^GB` groups.
#[derive(LogicBlock)]
pub struct StdpServe<const AB: usize, const GB: usize, const SB: usize> {
    /// Core clock.
    pub clock: Signal<In, Clock>,
    /// A request.
    pub req_valid: Signal<In, Bit>,
    /// Its axon.
    pub req_axon: Signal<In, Bits<AB>>,
    /// Its group.
    pub req_group: Signal<In, Bits<GB>>,
    /// It is the first group of its event.
    pub req_first: Signal<In, Bit>,
    /// The core takes the response.
    pub rsp_ready: Signal<In, Bit>,
    /// The axon on the learning-axon RAM's output learns (and the stage is armed).
    pub learning: Signal<In, Bit>,
    /// The stage is outside its window.
    pub serving: Signal<In, Bit>,
    /// A response is waiting.
    pub rsp_valid: Signal<Out, Bit>,
    /// The synapse word to read: the request's, else the held one.
    pub word_read: Signal<Out, Bits<SB>>,
    /// The learning-axon word to read.
    pub axon_read: Signal<Out, Bits<AB>>,
    /// The group whose post spikes and traces to read.
    pub group_read: Signal<Out, Bits<GB>>,
    /// The word being answered.
    pub held_address: Signal<Out, Bits<SB>>,
    /// Its axon.
    pub held_axon: Signal<Out, Bits<AB>>,
    /// Its group.
    pub held_group: Signal<Out, Bits<GB>>,
    /// It is the first group of its event.
    pub held_first: Signal<Out, Bit>,
    /// Write the learned word back now.
    pub write_back: Signal<Out, Bit>,
    /// Write the axon's word back now (and latch its new `x`).
    pub axon_write_back: Signal<Out, Bit>,

    pending: DFF<Bit>,
    address: DFF<Bits<SB>>,
    axon: DFF<Bits<AB>>,
    group: DFF<Bits<GB>>,
    first: DFF<Bit>,
    request_address: Signal<Local, Bits<SB>>,
    group_bits: Constant<Bits<8>>,
}

impl<const AB: usize, const GB: usize, const SB: usize> Default for StdpServe<AB, GB, SB> {
    fn default() -> Self {
        assert_eq!(SB, AB + GB, "SB must be AB + GB");
        Self {
            clock: Default::default(),
            req_valid: Default::default(),
            req_axon: Default::default(),
            req_group: Default::default(),
            req_first: Default::default(),
            rsp_ready: Default::default(),
            learning: Default::default(),
            serving: Default::default(),
            rsp_valid: Default::default(),
            word_read: Default::default(),
            axon_read: Default::default(),
            group_read: Default::default(),
            held_address: Default::default(),
            held_axon: Default::default(),
            held_group: Default::default(),
            held_first: Default::default(),
            write_back: Default::default(),
            axon_write_back: Default::default(),
            pending: Default::default(),
            address: Default::default(),
            axon: Default::default(),
            group: Default::default(),
            first: Default::default(),
            request_address: Default::default(),
            group_bits: Constant::new((GB as u64).into()),
        }
    }
}

impl<const AB: usize, const GB: usize, const SB: usize> Logic for StdpServe<AB, GB, SB> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, pending, address, axon, group, first);
        self.held_address.next = self.address.q.val();
        self.held_axon.next = self.axon.q.val();
        self.held_group.next = self.group.q.val();
        self.held_first.next = self.first.q.val();
        self.word_read.next = self.address.q.val();
        self.axon_read.next = self.axon.q.val();
        self.group_read.next = self.group.q.val();
        self.request_address.next = (bit_cast::<SB, AB>(self.req_axon.val())
            << self.group_bits.val())
            | bit_cast::<SB, GB>(self.req_group.val());
        if self.req_valid.val() {
            self.address.d.next = self.request_address.val();
            self.axon.d.next = self.req_axon.val();
            self.group.d.next = self.req_group.val();
            self.first.d.next = self.req_first.val();
            self.word_read.next = self.request_address.val();
            self.axon_read.next = self.req_axon.val();
            self.group_read.next = self.req_group.val();
        }
        self.pending.d.next = self.req_valid.val() | (self.pending.q.val() & !self.rsp_ready.val());
        self.rsp_valid.next = self.pending.q.val();
        self.write_back.next =
            self.serving.val() & self.pending.q.val() & self.rsp_ready.val() & self.learning.val();
        self.axon_write_back.next = self.write_back.val() & self.first.q.val();
    }
}
