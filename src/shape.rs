//! The sizes a neurocore can be generated in, and the one table of them.
//!
//! A leaf module like [`crate::fixed`]: plain Rust, used by the hardware blocks (`rtl`), the
//! mapper, the engines and the CLI alike. rust-hdl widths are const generics, so every shape is
//! a separate instantiation of each top (core, multi-core system, UART host design); the table
//! in [`core_shapes!`] lists each shape once with its const parameters and the tops it is built
//! for, and every dispatch from a runtime [`CoreShape`] to a type ([`with_shape!`]) and every
//! list of shapes ([`SUPPORTED_SHAPES`], [`SYSTEM_SHAPES`], [`HOST_SHAPES`]) is generated from
//! it. The list is kept short to bound compile time.

/// Weights per synapse word: one synapse SRAM read feeds this many neurons (the synapse word
/// layout is in `rtl::layout`).
pub const WEIGHTS_PER_WORD: usize = 4;

/// Hardware size of one neurocore.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CoreShape {
    /// Neurons (a power of two).
    pub neurons: usize,
    /// Axons (a power of two).
    pub axons: usize,
}

impl Default for CoreShape {
    fn default() -> Self {
        CoreShape {
            neurons: 256,
            axons: 256,
        }
    }
}

impl CoreShape {
    /// Whether this build can generate a neurocore of this shape.
    pub fn is_supported(&self) -> bool {
        SUPPORTED_SHAPES.contains(&(self.neurons, self.axons))
    }

    /// Synapse groups (words) per axon row.
    pub fn groups(&self) -> usize {
        self.neurons / WEIGHTS_PER_WORD
    }

    /// Bits of a neuron index.
    pub fn neuron_bits(&self) -> u32 {
        self.neurons.trailing_zeros()
    }

    /// Bits of an axon index.
    pub fn axon_bits(&self) -> u32 {
        self.axons.trailing_zeros()
    }
}

/// The shape table. `core_shapes!(TOP => callback!(args))` calls
/// `callback!(args (neurons, axons) [NB, AB, GB, SB, NB1, AB1, EB]; ...)` with the rows whose
/// column for `TOP` (`core`, `host`, `system`, `learning`: the learning core, built for
/// two shapes to bound compile time, or `crossbar`: the crossbar core, `rtl::crossbar_core`,
/// built for one) says `yes`, in table order (ascending size,
/// the order error messages list them in).
///
/// The const parameters of a row, for `N` neurons and `A` axons (powers of two), 4 weights per
/// synapse word: `NB = log2 N`, `AB = log2 A`, `GB = log2(N / 4)` (synapse groups),
/// `SB = AB + GB` (synapse SRAM address), `NB1 = NB + 1` and `AB1 = AB + 1` (counters that reach
/// `N` and `A`), `EB = NB + 3` (fan-out table address: 8 entries per neuron). Only the multi-core
/// system uses `EB`. 64x32 is the largest core that fits the iCE40 boards' 30 or 32 4-kbit block
/// RAMs, 256x256 the largest on the UP5K with its synapses in SPRAM (see README, "FPGA
/// targets"); the system is built for the mesh shapes only.
macro_rules! core_shapes {
    ($top:ident => $callback:ident ! $args:tt) => {
        $crate::shape::core_shapes!(@filter $top $callback $args [];
            // (neurons, axons) [NB, AB, GB, SB, NB1, AB1, EB]  core host system learning crossbar
            (64, 32)    [6, 5, 4, 9, 7, 6, 9]         yes  yes  no     no       no;
            (64, 64)    [6, 6, 4, 10, 7, 7, 9]        yes  yes  yes    yes      yes;
            (256, 256)  [8, 8, 6, 14, 9, 9, 11]       yes  yes  yes    yes      no;
            (512, 512)  [9, 9, 7, 16, 10, 10, 12]     yes  yes  no     no       no;
            (1024, 512) [10, 9, 8, 17, 11, 10, 13]    yes  yes  no     no       no;
        )
    };
    // Every row seen: hand the kept ones to the callback.
    (@filter $top:ident $callback:ident ($($args:tt)*) [$($kept:tt)*];) => {
        $crate::shape::$callback!($($args)* $($kept)*)
    };
    (@filter core $callback:ident $args:tt [$($kept:tt)*];
        $shape:tt $params:tt yes $host:ident $system:ident $learning:ident $crossbar:ident; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter core $callback $args [$($kept)* $shape $params;]; $($rest)*)
    };
    (@filter host $callback:ident $args:tt [$($kept:tt)*];
        $shape:tt $params:tt $core:ident yes $system:ident $learning:ident $crossbar:ident; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter host $callback $args [$($kept)* $shape $params;]; $($rest)*)
    };
    (@filter system $callback:ident $args:tt [$($kept:tt)*];
        $shape:tt $params:tt $core:ident $host:ident yes $learning:ident $crossbar:ident; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter system $callback $args [$($kept)* $shape $params;]; $($rest)*)
    };
    (@filter learning $callback:ident $args:tt [$($kept:tt)*];
        $shape:tt $params:tt $core:ident $host:ident $system:ident yes $crossbar:ident; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter learning $callback $args [$($kept)* $shape $params;]; $($rest)*)
    };
    (@filter crossbar $callback:ident $args:tt [$($kept:tt)*];
        $shape:tt $params:tt $core:ident $host:ident $system:ident $learning:ident yes; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter crossbar $callback $args [$($kept)* $shape $params;]; $($rest)*)
    };
    // A row without `yes` for this top: skipped.
    (@filter $top:ident $callback:ident $args:tt $kept:tt;
        $shape:tt $params:tt $core:ident $host:ident $system:ident $learning:ident $crossbar:ident; $($rest:tt)*) => {
        $crate::shape::core_shapes!(@filter $top $callback $args $kept; $($rest)*)
    };
}
pub(crate) use core_shapes;

/// `with_shape!(TOP, shape, [NB, AB, GB, SB, NB1, AB1, EB] => body, (n, a) => fallback)`:
/// for the table row of `shape` (a [`CoreShape`]) among `TOP`'s rows, evaluates `body` with the
/// seven names bound to that row's const parameters (as `const` items, so they can be used as
/// const generic arguments); for any other shape, `fallback` with `(neurons, axons)` matched
/// against the pattern.
macro_rules! with_shape {
    ($top:ident, $shape:expr, $params:tt => $body:expr, $other:pat => $fallback:expr) => {
        $crate::shape::core_shapes!($top => shape_match!(($shape, $params, $body, $other, $fallback)))
    };
}
pub(crate) use with_shape;

/// The `match` of [`with_shape!`], from the filtered rows.
macro_rules! shape_match {
    (($shape:expr, $names:tt, $body:expr, $other:pat, $fallback:expr) $(($n:literal, $a:literal) $values:tt;)*) => {{
        let shape: $crate::shape::CoreShape = $shape;
        match (shape.neurons, shape.axons) {
            $(($n, $a) => {
                $crate::shape::shape_params!($names $values);
                $body
            })*
            $other => $fallback,
        }
    }};
}
pub(crate) use shape_match;

/// `const` items binding the names of [`with_shape!`] to one row's parameters.
macro_rules! shape_params {
    ([$($name:ident),*] [$($value:literal),*]) => {
        $(
            #[allow(dead_code)]
            const $name: usize = $value;
        )*
    };
}
pub(crate) use shape_params;

/// `(neurons, axons)` of the filtered rows, as an array expression.
macro_rules! shape_list {
    ($(($n:literal, $a:literal) $values:tt;)*) => {
        [$(($n, $a)),*]
    };
}
pub(crate) use shape_list;

/// Number of filtered rows.
macro_rules! shape_count {
    ($(($n:literal, $a:literal) $values:tt;)*) => {
        0 $(+ { let _ = $n; 1 })*
    };
}
pub(crate) use shape_count;

/// Shapes of a neurocore (`(neurons, axons)`): the shapes `neurofab gen` and the single-core
/// engines accept.
pub const SUPPORTED_SHAPES: [(usize, usize); core_shapes!(core => shape_count!())] =
    core_shapes!(core => shape_list!());

/// Core shapes the multi-core system (`--mesh`) is generated for.
pub const SYSTEM_SHAPES: [(usize, usize); core_shapes!(system => shape_count!())] =
    core_shapes!(system => shape_list!());

/// Core shapes the UART host design (`HostTop`) is generated for: every core shape, since each
/// is the design of some board (`export::fpga::BOARDS`) or the next size up in its report.
pub const HOST_SHAPES: [(usize, usize); core_shapes!(host => shape_count!())] =
    core_shapes!(host => shape_list!());

/// Core shapes the learning core (STDP synapse stage) is generated for.
pub const LEARNING_SHAPES: [(usize, usize); core_shapes!(learning => shape_count!())] =
    core_shapes!(learning => shape_list!());

/// Core shapes the crossbar core (`rtl::crossbar_core`: the memristor crossbar synapse stage
/// with a [`CROSSBAR_ADC_BITS`]-bit ADC) is generated for.
pub const CROSSBAR_SHAPES: [(usize, usize); core_shapes!(crossbar => shape_count!())] =
    core_shapes!(crossbar => shape_list!());

/// Bits `b` of the crossbar core's SAR ADC: a const parameter of the hardware, so
/// `[crossbar] adc_bits` must equal it on the rtl and Verilator engines.
pub const CROSSBAR_ADC_BITS: u32 = 8;

/// `shapes` as `64x32, 64x64, ...` for error messages.
pub fn shape_list_text(shapes: &[(usize, usize)]) -> String {
    shapes
        .iter()
        .map(|(n, a)| format!("{n}x{a}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row's const parameters follow from its shape by the formulas of [`core_shapes!`].
    #[test]
    fn parameters_follow_from_the_shape() {
        for (neurons, axons) in SUPPORTED_SHAPES {
            let shape = CoreShape { neurons, axons };
            let params = with_shape!(core, shape, [NB, AB, GB, SB, NB1, AB1, EB] =>
                [NB, AB, GB, SB, NB1, AB1, EB], _ => unreachable!());
            let nb = neurons.trailing_zeros() as usize;
            let ab = axons.trailing_zeros() as usize;
            let gb = shape.groups().trailing_zeros() as usize;
            assert_eq!(1 << nb, neurons);
            assert_eq!(1 << ab, axons);
            assert_eq!(
                params,
                [nb, ab, gb, ab + gb, nb + 1, ab + 1, nb + 3],
                "{shape:?}"
            );
        }
    }

    #[test]
    fn lists_are_filtered_in_table_order() {
        assert_eq!(
            SUPPORTED_SHAPES,
            [(64, 32), (64, 64), (256, 256), (512, 512), (1024, 512)]
        );
        assert_eq!(SYSTEM_SHAPES, [(64, 64), (256, 256)]);
        assert_eq!(LEARNING_SHAPES, [(64, 64), (256, 256)]);
        assert_eq!(CROSSBAR_SHAPES, [(64, 64)]);
        assert_eq!(HOST_SHAPES, SUPPORTED_SHAPES);
        assert_eq!(shape_list_text(&SYSTEM_SHAPES), "64x64, 256x256");
        let other = CoreShape {
            neurons: 128,
            axons: 128,
        };
        assert!(!other.is_supported());
        let fallback = with_shape!(system, other, [NB, AB, GB, SB, NB1, AB1, EB] => (0, 0),
            (n, a) => (n, a));
        assert_eq!(fallback, (128, 128));
    }
}
