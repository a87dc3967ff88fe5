//! Top-level ports as plain Rust (no rust-hdl): the description every engine and exporter of a
//! top shares, and the one cycle-level trait every engine implements.
//!
//! Each top (neurocore, multi-core system, UART host design) lists its ports once, in
//! [`super::top_ports`], as a callback macro (like the shape table of [`crate::shape`]). From
//! that list [`port_table!`] generates the typed handles (an input and an output enum) and the
//! [`PortTable`] (names, widths as functions of the [`CoreShape`], directions), and
//! `rtl_top::port_access!` the rust-hdl `poke`/`peek` of the block's fields. Port index 0 is
//! always the clock, then the inputs, then the outputs, in list order: the index the Verilator
//! shim addresses a port by.

use crate::shape::CoreShape;

/// Direction of a top-level port, seen from the design.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PortDir {
    /// Driven by the testbench.
    Input,
    /// Driven by the design.
    Output,
}

/// One top-level port of a design.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PortSpec {
    /// The Verilog port name.
    pub name: String,
    /// Width in bits, 1..=64 (wider ports are Verilator `VlWide` arrays, not supported).
    pub width: u32,
    /// Direction.
    pub dir: PortDir,
}

impl PortSpec {
    /// An input port.
    pub fn input(name: impl Into<String>, width: u32) -> Self {
        PortSpec {
            name: name.into(),
            width,
            dir: PortDir::Input,
        }
    }

    /// An output port.
    pub fn output(name: impl Into<String>, width: u32) -> Self {
        PortSpec {
            name: name.into(),
            width,
            dir: PortDir::Output,
        }
    }

    /// The mask of the port's valid bits.
    pub fn mask(&self) -> u64 {
        if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        }
    }
}

/// Index of the clock in every [`PortTable`].
pub const CLOCK_PORT: usize = 0;

/// A typed handle of one port of a top (an input or an output enum of [`port_table!`]).
pub trait Port: Copy + std::fmt::Debug + 'static {
    /// The port's index in its top's [`PortTable::ports`].
    fn index(self) -> usize;
    /// The port's name in the generated Verilog.
    fn verilog_name(self) -> &'static str;
}

/// The ports of one top: `clock` (index [`CLOCK_PORT`]), the inputs, then the outputs.
pub trait PortTable: 'static {
    /// Handles of the inputs (other than the clock).
    type Input: Port;
    /// Handles of the outputs.
    type Output: Port;
    /// The port list of the top built for `shape`.
    fn ports(shape: CoreShape) -> Vec<PortSpec>;
}

/// Cycle-level access to a top, whatever the engine (rust-hdl or Verilator): one driver runs on
/// either, so they can only differ if the hardware does.
pub trait Pins<T: PortTable> {
    /// Drives an input; takes effect at the next rising edge.
    fn set(&mut self, pin: T::Input, value: u64);
    /// Reads an output as it is after the last rising edge (and the current inputs).
    fn get(&mut self, pin: T::Output) -> u64;
    /// Advances one clock cycle (one rising edge).
    fn cycle(&mut self);
    /// Clock cycles run so far.
    fn cycles(&self) -> u64;
}

/// Generates a top's port enums and [`PortTable`] from its port list (a callback of the list
/// macros of [`super::top_ports`]):
/// `port_table!((Table, Input, Output, "what") shape; input name Variant (width) "doc"; ...)`.
macro_rules! port_table {
    (($table:ident, $input:ident, $output:ident, $what:literal) $shape:ident;
     $(input $in_name:ident $in_variant:ident ($in_width:expr) $in_doc:literal;)*
     $(output $out_name:ident $out_variant:ident ($out_width:expr) $out_doc:literal;)*) => {
        #[doc = concat!("Inputs of ", $what, " (the clock aside), in port-index order.")]
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $input {
            $(#[doc = $in_doc] $in_variant,)*
        }

        impl $input {
            /// Every input, in port-index order.
            pub const ALL: &'static [$input] = &[$($input::$in_variant),*];
        }

        impl $crate::rtl::ports::Port for $input {
            fn index(self) -> usize {
                // The clock is port 0.
                1 + self as usize
            }
            fn verilog_name(self) -> &'static str {
                match self {
                    $($input::$in_variant => stringify!($in_name),)*
                }
            }
        }

        #[doc = concat!("Outputs of ", $what, ", in port-index order.")]
        #[derive(Copy, Clone, Debug, PartialEq, Eq)]
        pub enum $output {
            $(#[doc = $out_doc] $out_variant,)*
        }

        impl $output {
            /// Every output, in port-index order.
            pub const ALL: &'static [$output] = &[$($output::$out_variant),*];
        }

        impl $crate::rtl::ports::Port for $output {
            fn index(self) -> usize {
                // After the clock and the inputs.
                1 + $input::ALL.len() + self as usize
            }
            fn verilog_name(self) -> &'static str {
                match self {
                    $($output::$out_variant => stringify!($out_name),)*
                }
            }
        }

        #[doc = concat!("The port table of ", $what, ".")]
        #[derive(Copy, Clone, Debug)]
        pub struct $table;

        impl $crate::rtl::ports::PortTable for $table {
            type Input = $input;
            type Output = $output;
            #[allow(unused_variables)]
            fn ports($shape: $crate::shape::CoreShape) -> Vec<$crate::rtl::ports::PortSpec> {
                use $crate::rtl::ports::PortSpec;
                vec![
                    PortSpec::input("clock", 1),
                    $(PortSpec::input(stringify!($in_name), $in_width),)*
                    $(PortSpec::output(stringify!($out_name), $out_width),)*
                ]
            }
        }
    };
}
pub(crate) use port_table;

/// Cycle-level access to a network-on-chip fabric (a mesh or one router), whatever the engine.
///
/// A fabric has `ports()` local ports; each is an inject link into the fabric and an eject
/// link out of it, both valid/ready. For a mesh ([`super::noc::Mesh`]) port `i` is node `i`'s
/// Local port; for a single router ([`super::router::Router`]) port `p` is router port `p`
/// (North, East, South, West, Local), its input link as "inject" and its output link as
/// "eject". The rust-hdl simulation ([`super::noc_sim`]) and the Verilator model
/// (`sim::verilated_noc`) both implement it, so one traffic driver (`sim::noc_traffic`) runs on
/// either.
///
/// # Timing contract
/// Inputs set before [`NocPins::cycle`] are sampled at its rising edge. Outputs read after
/// setting inputs show the state after the last edge; in these fabrics no output depends
/// combinationally on an input, so a driver may read `inject_ready` and `eject_valid` first and
/// then decide what to drive. A flit moves on a link at an edge where `valid & ready`.
pub trait NocPins {
    /// Number of local ports (nodes of a mesh, 5 for a router).
    fn ports(&self) -> usize;
    /// Offers `flit` on `port`'s inject link (or withdraws the offer when `valid` is false).
    fn set_inject(&mut self, port: usize, valid: bool, flit: u32);
    /// Whether `port`'s inject link takes a flit at the next edge.
    fn inject_ready(&mut self, port: usize) -> bool;
    /// The flit offered on `port`'s eject link, if any.
    fn eject(&mut self, port: usize) -> Option<u32>;
    /// Whether the driver takes `port`'s ejected flit at the next edge.
    fn set_eject_ready(&mut self, port: usize, ready: bool);
    /// Advances one clock cycle (one rising edge).
    fn cycle(&mut self);
    /// Clock cycles run so far.
    fn cycles(&self) -> u64;
}
