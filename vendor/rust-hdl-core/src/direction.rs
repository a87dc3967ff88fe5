use crate::atom::AtomKind;

#[doc(hidden)]
pub trait Direction: Clone {
    const KIND: AtomKind;
    /// neurofab patch 2: the owner of the block holding a signal of this direction reads it
    /// (outputs and bidirectional pins).
    const SEEN_BY_OWNER: bool;
    /// neurofab patch 4: an input, written only by the owner of the block holding it; latched
    /// before that block's `update()` in an incremental pass (`Block::latch_inputs`).
    const INPUT: bool = false;
    /// neurofab patch 4: a local signal, settled inside its block (`Block::latch_locals`).
    const LOCAL: bool = false;
}

/// This direction marker is used for a [Signal] that is
/// an input with respect to a circuit.  That means
/// that we do not expect to write to the input, but that
/// the value will be set by external components to the
/// circuit.
/// ```rust
/// use rust_hdl_core::prelude::*;
///
/// struct Foo {
///     pub x: Signal<In, Bit>,     // <--- This is a single bit input
///     pub y: Signal<In, Bits<8>>, // <--- This is a multi-bit input signal
/// }
/// ```
#[derive(Default, Clone, Debug)]
pub struct In {}

/// This direction marker is used for a [Signal] that
/// leaves a circuit as an output.  That means we expect this
/// circuit to drive the signal using its internal logic.
/// It is an error in RustHDL to leave an output undriven.
#[derive(Default, Clone, Debug)]
pub struct Out {}

#[derive(Default, Clone, Debug)]
pub struct Local {}

#[derive(Default, Clone, Debug)]
pub struct InOut {}

impl Direction for In {
    const SEEN_BY_OWNER: bool = false;
    const INPUT: bool = true;
    const KIND: AtomKind = AtomKind::InputParameter;
}

impl Direction for Out {
    const SEEN_BY_OWNER: bool = true;
    const KIND: AtomKind = AtomKind::OutputParameter;
}

impl Direction for Local {
    const SEEN_BY_OWNER: bool = false;
    const LOCAL: bool = true;
    const KIND: AtomKind = AtomKind::LocalSignal;
}

impl Direction for InOut {
    const SEEN_BY_OWNER: bool = true;
    const KIND: AtomKind = AtomKind::InOutParameter;
}
