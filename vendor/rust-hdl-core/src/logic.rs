use crate::ast::{Verilog, VerilogLink};
use crate::timing::TimingInfo;

pub trait Logic {
    fn update(&mut self);
    fn connect(&mut self) {}
    fn hdl(&self) -> Verilog {
        Verilog::Empty
    }
    fn timing(&self) -> Vec<TimingInfo> {
        vec![]
    }
    /// neurofab patch 2: whether any signal of a child block that `update()` reads changed in
    /// the last pass, or `None` if unknown (then every change in the children counts).
    /// `#[hdl_gen]` generates it from the reads in the body.
    fn child_reads_changed(&self) -> Option<bool> {
        None
    }
    /// neurofab patch 3: in a pass where only the block's `clock` changed, does the part of
    /// `update()` that depends on it (copying the clock to children) and returns `true`; or
    /// returns `false` and does nothing, and then `update()` runs. `#[hdl_gen]` generates it
    /// for kernels that use the clock only to pass it on.
    fn update_clock_only(&mut self) -> bool {
        false
    }
    /// neurofab patch 5: whether `update()` may be called again within a settle pass, after
    /// its block's local signals were latched, with the same result as calling it in the next
    /// pass (no edge test, no side effect but `.next` writes). `#[hdl_gen]` generates `true`
    /// for kernels without an edge test; hand-written kernels keep `false`.
    fn update_reruns_cleanly(&self) -> bool {
        false
    }
}

pub fn logic_connect_fn<L: Logic>(x: &mut L) {
    x.connect();
}

impl<L: Logic, const P: usize> Logic for [L; P] {
    fn update(&mut self) {}
}

impl<L: Logic> Logic for Vec<L> {
    fn update(&mut self) {}
}

/*
 A link is always
 In --> In
 Out --> Out

 So if we have a piece of logic with:
 > In (A)   ---- Link ----    > In(A)
 < Out (B)  ---- Link ----    < Out(B)

 We want the connections for the internal parts to be
 handled automatically by RustHDL.  So Dest In should always be
 driven, and source Out should always be driven.

 When externally connected, we assume that the situationis

 External              Internal
 >Out (A) --- Link --->In(A)
 <In (A)  --- Link ---<Out(A)
*/
pub trait LogicLink {
    fn link(&mut self, other: &mut Self);
    fn link_hdl(my_name: &str, this: &str, that: &str) -> Vec<VerilogLink>;
    fn link_connect_source(&mut self);
    fn link_connect_dest(&mut self);
}

pub fn logic_connect_link_fn<L: LogicLink>(source: &mut L, dest: &mut L) {
    source.link_connect_source();
    dest.link_connect_dest();
}

pub trait LogicJoin {
    fn join_connect(&mut self) {}
    fn join_hdl(_my_name: &str, _this: &str, _that: &str) -> Vec<VerilogLink> {
        vec![]
    }
}

pub fn logic_connect_join_fn<L: LogicJoin, K: LogicJoin>(source: &mut L, dest: &mut K) {
    source.join_connect();
    dest.join_connect();
}
