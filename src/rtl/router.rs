//! The mesh router: five ports, input FIFOs, dimension-ordered XY routing, round-robin
//! arbitration per output, valid/ready links.
//!
//! # Ports
//! Port `p` of [`Router`] is [`Port::ALL`]`[p]`: North, East, South, West, Local. Every port has
//! an input link (`in_valid`, `in_data`, `in_ready`) and an output link (`out_valid`,
//! `out_data`, `out_ready`); a flit moves on a link in a cycle where `valid & ready` at the
//! rising edge. Neither `valid` nor `ready` depends combinationally on the other side's signal
//! (`in_ready` is "FIFO not full", `out_valid` comes from FIFO heads and arbiter state), so
//! meshes of routers have no combinational loops and each link handshake is local.
//!
//! # Routing
//! Dimension-ordered XY on relative offsets (see [`super::aer`]): a head flit with `dx != 0`
//! goes East (`dx > 0`) or West; with `dx == 0, dy != 0` South (`dy > 0`) or North; with both
//! zero it leaves on Local. The router updates the offset of the dimension it sends along
//! (East: `dx - 1`, West: `dx + 1`, South: `dy - 1`, North: `dy + 1`), so no router needs its
//! own coordinates and every router of a mesh is the same circuit. XY routing never turns from
//! Y back to X, so the channel dependency graph is acyclic and the mesh cannot deadlock
//! (Dally & Seitz); the router does not rely on it for anything else: every input may request
//! every output, including a U-turn, which a well-formed offset never asks for.
//!
//! # Microarchitecture and timing
//! - One [`FlitFifo`] per input (depth chosen at generation time). `in_ready = !full`.
//! - Each input's head flit is decoded into a one-hot output request (combinational).
//! - One [`RoundRobinArbiter`] per output picks among the inputs requesting it. A grant whose
//!   output is stalled (`out_ready` low) is held, so `out_data` stays stable until it moves
//!   (as AXI-Stream requires) and a stalled output cannot be stolen by a later requester.
//! - `out_valid` = some input requests the output; `out_data` = the granted head with its
//!   offset updated. The input FIFO pops when its granted output's `out_ready` is high.
//!
//! A flit written into an input FIFO at rising edge `t` is at the FIFO's head after that edge
//! and, uncontended, crosses the output link at edge `t + 1`: **one cycle per hop**. Each
//! output moves one flit per cycle and each input one flit per cycle, so the router runs at
//! full throughput when outputs are not contended. Because `in_ready` depends only on the
//! FIFO's fill (not on a pop in the same cycle), a full FIFO accepts again one cycle after it
//! pops; depth 2 is enough for back-to-back flits over a link, deeper FIFOs absorb bursts.

use rust_hdl::prelude::*;

/// Number of router ports.
pub const PORTS: usize = 5;

/// A router port; its discriminant is its index in the router's port arrays.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Port {
    /// Towards `y - 1`.
    North = 0,
    /// Towards `x + 1`.
    East = 1,
    /// Towards `y + 1`.
    South = 2,
    /// Towards `x - 1`.
    West = 3,
    /// The tile's own core (inject / eject).
    Local = 4,
}

impl Port {
    /// Every port, in index order.
    pub const ALL: [Port; PORTS] = [
        Port::North,
        Port::East,
        Port::South,
        Port::West,
        Port::Local,
    ];

    /// The port on the other end of a link leaving through `self` (Local has none).
    pub fn opposite(self) -> Option<Port> {
        match self {
            Port::North => Some(Port::South),
            Port::East => Some(Port::West),
            Port::South => Some(Port::North),
            Port::West => Some(Port::East),
            Port::Local => None,
        }
    }
}

/// Largest FIFO depth; pointers are 4 bits and the fill counter 5.
pub const MAX_FIFO_DEPTH: usize = 16;

/// A first-word-fall-through FIFO of flits held in registers.
///
/// `data_out` shows the oldest flit whenever `empty` is low. `write` pushes `data_in` unless
/// `full`; `read` pops unless `empty`; both may happen in one cycle. The depth is a run-time
/// argument of [`FlitFifo::new`] (at most [`MAX_FIFO_DEPTH`]) so that it costs no extra
/// monomorphisation; the storage is one register per slot, which for the few slots a router
/// needs is smaller and faster than a block RAM and has no read latency.
#[derive(LogicBlock)]
pub struct FlitFifo<const F: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Push request.
    pub write: Signal<In, Bit>,
    /// Flit to push.
    pub data_in: Signal<In, Bits<F>>,
    /// No room: a push is ignored.
    pub full: Signal<Out, Bit>,
    /// Pop request.
    pub read: Signal<In, Bit>,
    /// Oldest flit (valid while `empty` is low).
    pub data_out: Signal<Out, Bits<F>>,
    /// Nothing stored.
    pub empty: Signal<Out, Bit>,
    slots: Vec<DFF<Bits<F>>>,
    write_ptr: DFF<Bits<4>>,
    read_ptr: DFF<Bits<4>>,
    count: DFF<Bits<5>>,
    push: Signal<Local, Bit>,
    pop: Signal<Local, Bit>,
    last_slot: Constant<Bits<4>>,
    capacity: Constant<Bits<5>>,
}

impl<const F: usize> FlitFifo<F> {
    /// A FIFO of `depth` flits.
    ///
    /// # Panics
    /// If `depth` is 0 or above [`MAX_FIFO_DEPTH`] (a generator bug: configurations are
    /// validated before blocks are built).
    pub fn new(depth: usize) -> Self {
        assert!(
            (1..=MAX_FIFO_DEPTH).contains(&depth),
            "FIFO depth {depth} out of 1..={MAX_FIFO_DEPTH}"
        );
        FlitFifo {
            clock: Default::default(),
            write: Default::default(),
            data_in: Default::default(),
            full: Default::default(),
            read: Default::default(),
            data_out: Default::default(),
            empty: Default::default(),
            slots: (0..depth).map(|_| Default::default()).collect(),
            write_ptr: Default::default(),
            read_ptr: Default::default(),
            count: Default::default(),
            push: Default::default(),
            pop: Default::default(),
            last_slot: Constant::new(((depth - 1) as u64).into()),
            capacity: Constant::new((depth as u64).into()),
        }
    }
}

impl<const F: usize> Logic for FlitFifo<F> {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, write_ptr, read_ptr, count);
        self.full.next = self.count.q.val() == self.capacity.val();
        self.empty.next = self.count.q.val() == 0;
        self.push.next = self.write.val() & !self.full.val();
        self.pop.next = self.read.val() & !self.empty.val();
        self.data_out.next = self.slots[0].q.val();
        for i in 0..self.slots.len() {
            self.slots[i].clock.next = self.clock.val();
            self.slots[i].d.next = self.slots[i].q.val();
            if self.push.val() & (self.write_ptr.q.val().index() == i) {
                self.slots[i].d.next = self.data_in.val();
            }
            if self.read_ptr.q.val().index() == i {
                self.data_out.next = self.slots[i].q.val();
            }
        }
        if self.push.val() {
            self.write_ptr.d.next = self.write_ptr.q.val() + 1;
            if self.write_ptr.q.val() == self.last_slot.val() {
                self.write_ptr.d.next = 0.into();
            }
        }
        if self.pop.val() {
            self.read_ptr.d.next = self.read_ptr.q.val() + 1;
            if self.read_ptr.q.val() == self.last_slot.val() {
                self.read_ptr.d.next = 0.into();
            }
        }
        if self.push.val() & !self.pop.val() {
            self.count.d.next = self.count.q.val() + 1;
        }
        if self.pop.val() & !self.push.val() {
            self.count.d.next = self.count.q.val() - 1;
        }
    }
}

/// A round-robin arbiter over [`PORTS`] requesters with a one-hot grant.
///
/// The requester served last gets the lowest priority: the search starts right above it and
/// wraps (a priority mask of the indices above the last grant, then the plain request vector
/// if no masked request exists; lowest set bit via `x & -x`). A grant that is not accepted is
/// held until it is, so a stalled output keeps presenting the same flit.
#[derive(LogicBlock, Default)]
pub struct RoundRobinArbiter {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Requesters (bit `i`: requester `i`).
    pub request: Signal<In, Bits<PORTS>>,
    /// The grant was used this cycle: move the priority past it.
    pub accept: Signal<In, Bit>,
    /// One-hot grant (zero when nothing requests).
    pub grant: Signal<Out, Bits<PORTS>>,
    /// Some requester is granted.
    pub any: Signal<Out, Bit>,
    priority_mask: DFF<Bits<PORTS>>,
    hold: DFF<Bit>,
    held_grant: DFF<Bits<PORTS>>,
    masked: Signal<Local, Bits<PORTS>>,
    masked_negated: Signal<Local, Bits<PORTS>>,
    request_negated: Signal<Local, Bits<PORTS>>,
    below_grant: Signal<Local, Bits<PORTS>>,
}

impl Logic for RoundRobinArbiter {
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, priority_mask, hold, held_grant);
        self.any.next = self.request.val().any();
        self.masked.next = self.request.val() & self.priority_mask.q.val();
        // Two's-complement negation in the arbiter's own width (assigned to a 5-bit signal so
        // Verilog does not widen it), for `x & -x` = lowest set bit.
        self.masked_negated.next = !self.masked.val() + 1;
        self.request_negated.next = !self.request.val() + 1;
        if self.hold.q.val() {
            self.grant.next = self.held_grant.q.val();
        } else if self.masked.val().any() {
            self.grant.next = self.masked.val() & self.masked_negated.val();
        } else {
            self.grant.next = self.request.val() & self.request_negated.val();
        }
        self.below_grant.next = self.grant.val() - 1;
        if self.any.val() & self.accept.val() {
            self.priority_mask.d.next = !(self.grant.val() | self.below_grant.val());
        }
        self.hold.d.next = self.any.val() & !self.accept.val();
        self.held_grant.d.next = self.grant.val();
    }
}

/// The five-port XY router for flits of `F` bits whose low `DXB` bits are `dx` and next `DYB`
/// bits `dy` (see [`super::aer`]).
#[derive(LogicBlock)]
pub struct Router<const F: usize, const DXB: usize, const DYB: usize> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Input link: a flit is offered.
    pub in_valid: [Signal<In, Bit>; PORTS],
    /// Input link: the flit.
    pub in_data: [Signal<In, Bits<F>>; PORTS],
    /// Input link: the input FIFO has room.
    pub in_ready: [Signal<Out, Bit>; PORTS],
    /// Output link: a flit is offered.
    pub out_valid: [Signal<Out, Bit>; PORTS],
    /// Output link: the flit (offset already updated for the hop).
    pub out_data: [Signal<Out, Bits<F>>; PORTS],
    /// Output link: the receiver takes the flit at the next edge.
    pub out_ready: [Signal<In, Bit>; PORTS],
    fifos: [FlitFifo<F>; PORTS],
    arbiters: [RoundRobinArbiter; PORTS],
    /// Per input: its head flit's `dx` and `dy` fields (in place, other bits cleared) and its
    /// one-hot output.
    head_dx: [Signal<Local, Bits<F>>; PORTS],
    head_dy: [Signal<Local, Bits<F>>; PORTS],
    route: [Signal<Local, Bits<PORTS>>; PORTS],
    /// Per output: the requesting inputs, and the granted flit before its offset update.
    request: [Signal<Local, Bits<PORTS>>; PORTS],
    selected: [Signal<Local, Bits<F>>; PORTS],
    /// Per input: popped this cycle.
    pop: [Signal<Local, Bit>; PORTS],
    /// The updated offset field of each direction's hop, computed in place in the flit's
    /// width and masked before it is merged back, so a carry or borrow out of the field is
    /// dropped identically by rust-hdl and by Verilog (whatever width Verilog evaluates in).
    east_dx: Signal<Local, Bits<F>>,
    west_dx: Signal<Local, Bits<F>>,
    south_dy: Signal<Local, Bits<F>>,
    north_dy: Signal<Local, Bits<F>>,
    /// Field masks, sign bits and units (1 in the field's lowest bit). Fields are handled in
    /// place with masks because rust-hdl 0.46 simulates every shift (and so `get_bits`) through
    /// a `BigUint`, which would dominate the router's simulation time.
    dx_mask: Constant<Bits<F>>,
    dx_sign: Constant<Bits<F>>,
    dx_unit: Constant<Bits<F>>,
    dy_mask: Constant<Bits<F>>,
    dy_sign: Constant<Bits<F>>,
    dy_unit: Constant<Bits<F>>,
    /// The flit with its `dx` (resp. `dy`) field cleared.
    keep_all_but_dx: Constant<Bits<F>>,
    keep_all_but_dy: Constant<Bits<F>>,
}

impl<const F: usize, const DXB: usize, const DYB: usize> Router<F, DXB, DYB> {
    /// A router with input FIFOs of `fifo_depth` flits.
    ///
    /// # Panics
    /// If the widths are inconsistent (`DXB + DYB >= F`, or `F > 32`) or the depth is out of
    /// range; both are generator bugs, user configurations are validated before this.
    pub fn new(fifo_depth: usize) -> Self {
        assert!(DXB >= 1 && DYB >= 1, "offset fields need at least one bit");
        assert!(
            DXB + DYB < F,
            "offsets ({DXB}+{DYB} bits) leave no payload in {F} bits"
        );
        assert!(F <= 32, "flits wider than 32 bits are not supported");
        let field = |bits: usize, shift: usize| ((1u64 << bits) - 1) << shift;
        let all = (1u64 << F) - 1;
        Router {
            clock: Default::default(),
            in_valid: Default::default(),
            in_data: Default::default(),
            in_ready: Default::default(),
            out_valid: Default::default(),
            out_data: Default::default(),
            out_ready: Default::default(),
            fifos: std::array::from_fn(|_| FlitFifo::new(fifo_depth)),
            arbiters: Default::default(),
            head_dx: Default::default(),
            head_dy: Default::default(),
            route: Default::default(),
            request: Default::default(),
            selected: Default::default(),
            pop: Default::default(),
            east_dx: Default::default(),
            west_dx: Default::default(),
            south_dy: Default::default(),
            north_dy: Default::default(),
            dx_mask: Constant::new(field(DXB, 0).into()),
            dx_sign: Constant::new((1u64 << (DXB - 1)).into()),
            dx_unit: Constant::new(1u64.into()),
            dy_mask: Constant::new(field(DYB, DXB).into()),
            dy_sign: Constant::new((1u64 << (DXB + DYB - 1)).into()),
            dy_unit: Constant::new((1u64 << DXB).into()),
            keep_all_but_dx: Constant::new((all & !field(DXB, 0)).into()),
            keep_all_but_dy: Constant::new((all & !field(DYB, DXB)).into()),
        }
    }
}

impl<const F: usize, const DXB: usize, const DYB: usize> Logic for Router<F, DXB, DYB> {
    #[hdl_gen]
    fn update(&mut self) {
        // ---- Inputs: FIFOs and route decode of each head flit.
        for p in 0..PORTS {
            self.fifos[p].clock.next = self.clock.val();
            self.arbiters[p].clock.next = self.clock.val();
            self.fifos[p].write.next = self.in_valid[p].val();
            self.fifos[p].data_in.next = self.in_data[p].val();
            self.in_ready[p].next = !self.fifos[p].full.val();
            self.head_dx[p].next = self.fifos[p].data_out.val() & self.dx_mask.val();
            self.head_dy[p].next = self.fifos[p].data_out.val() & self.dy_mask.val();
            // One-hot output, bit = port index: N 1, E 2, S 4, W 8, L 16.
            if self.head_dx[p].val() != 0 {
                if (self.head_dx[p].val() & self.dx_sign.val()) != 0 {
                    self.route[p].next = 8.into();
                } else {
                    self.route[p].next = 2.into();
                }
            } else if self.head_dy[p].val() != 0 {
                if (self.head_dy[p].val() & self.dy_sign.val()) != 0 {
                    self.route[p].next = 1.into();
                } else {
                    self.route[p].next = 4.into();
                }
            } else {
                self.route[p].next = 16.into();
            }
        }

        // ---- Outputs: arbitration and the granted flit.
        for o in 0..PORTS {
            self.request[o].next = 0.into();
            for p in 0..PORTS {
                if !self.fifos[p].empty.val() & self.route[p].val().get_bit(o) {
                    self.request[o].next = self.request[o].val().replace_bit(p, true);
                }
            }
            self.arbiters[o].request.next = self.request[o].val();
            self.arbiters[o].accept.next = self.out_ready[o].val();
            self.out_valid[o].next = self.arbiters[o].any.val();
            self.selected[o].next = 0.into();
            for p in 0..PORTS {
                if self.arbiters[o].grant.val().get_bit(p) {
                    self.selected[o].next = self.fifos[p].data_out.val();
                }
            }
        }

        // ---- Offset update of the hop each output makes.
        self.north_dy.next = (self.selected[0].val() & self.dy_mask.val()) + self.dy_unit.val();
        self.east_dx.next = (self.selected[1].val() & self.dx_mask.val()) - self.dx_unit.val();
        self.south_dy.next = (self.selected[2].val() & self.dy_mask.val()) - self.dy_unit.val();
        self.west_dx.next = (self.selected[3].val() & self.dx_mask.val()) + self.dx_unit.val();
        self.out_data[0].next = (self.selected[0].val() & self.keep_all_but_dy.val())
            | (self.north_dy.val() & self.dy_mask.val());
        self.out_data[1].next = (self.selected[1].val() & self.keep_all_but_dx.val())
            | (self.east_dx.val() & self.dx_mask.val());
        self.out_data[2].next = (self.selected[2].val() & self.keep_all_but_dy.val())
            | (self.south_dy.val() & self.dy_mask.val());
        self.out_data[3].next = (self.selected[3].val() & self.keep_all_but_dx.val())
            | (self.west_dx.val() & self.dx_mask.val());
        self.out_data[4].next = self.selected[4].val();

        // ---- Pops: an input leaves its FIFO when its granted output is ready.
        for p in 0..PORTS {
            self.pop[p].next = false;
            for o in 0..PORTS {
                if self.arbiters[o].grant.val().get_bit(p) & self.out_ready[o].val() {
                    self.pop[p].next = true;
                }
            }
            self.fifos[p].read.next = self.pop[p].val();
        }
    }
}
