//! The AER (address-event representation) packet of the mesh network-on-chip.
//!
//! Plain Rust, no rust-hdl: traffic generators pack flits with it, scoreboards unpack them, and
//! the router ([`super::router`]) slices the same two offset fields at the same bit positions.
//!
//! # Flit layout
//! One packet is one flit of [`AerFormat::flit_bits`] bits (at most 32: rust-hdl keeps wider
//! `Bits` as bool arrays, ~10x slower to simulate), fields little-endian (first field in the
//! lowest bits):
//!
//! ```text
//!  MSB                                                          LSB
//! +-----------+--------------+-------------+-------------+
//! |    tag    |     axon     |     dy      |     dx      |
//! | tag_bits  |  axon_bits   |  dy_bits    |  dx_bits    |
//! +-----------+--------------+-------------+-------------+
//!  e.g. a 4x4 mesh (AerFormat::for_mesh(4, 4)), 22 bits:
//!  [21:16] tag  [15:6] axon  [5:3] dy  [2:0] dx
//! ```
//!
//! - `dx`, `dy`: the offset still to travel, two's complement. `dx > 0` is East, `dy > 0` is
//!   South (row 0 is the northern edge; node index = `y * width + x`). Each router moves a flit
//!   one hop and decrements the magnitude of the field it travelled along, so a flit arrives
//!   with `dx = dy = 0` (see [`super::router`]). A field of `b` bits holds `-(2^(b-1))..2^(b-1)`;
//!   a mesh `n` nodes wide needs `|dx| <= n - 1`, so [`offset_bits`]`(n) = 1 + ceil(log2(n))`.
//! - `axon`: the axon (input line) of the destination core the spike drives; 10 bits covers
//!   every core size this generator builds (at most 512 axons) with room for 1024.
//! - `tag`: bits carried unchanged end to end; the router never reads them. A tile can use them
//!   for the source core's id (tracing, and the tests' scoreboard uses exactly that) or, as
//!   TrueNorth does, for a delivery tick that lets spikes of consecutive ticks share the mesh.
//!
//! There is no source field and no length: every packet is a single flit, so the router needs
//! no wormhole state, and a spike's meaning is fully given by where it lands and its axon.

use thiserror::Error;

/// The widest flit: rust-hdl stores `Bits<N>` with `N > 32` as a bool array.
pub const MAX_FLIT_BITS: u32 = 32;
/// Axon field width of [`AerFormat::for_mesh`].
pub const AXON_BITS: u32 = 10;
/// Tag field width of [`AerFormat::for_mesh`]: a node id of meshes up to 8x8.
pub const TAG_BITS: u32 = 6;

/// Why a packet format or a packet cannot be built.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum AerError {
    /// The fields do not fit one flit.
    #[error(
        "a {width}x{height} mesh needs {dx_bits}+{dy_bits} offset bits, which with {payload_bits} \
         axon and tag bits makes a {total}-bit flit; at most {MAX_FLIT_BITS} are supported"
    )]
    MeshTooLarge {
        /// Mesh width (columns).
        width: usize,
        /// Mesh height (rows).
        height: usize,
        /// Bits of `dx`.
        dx_bits: u32,
        /// Bits of `dy`.
        dy_bits: u32,
        /// Bits of axon plus tag.
        payload_bits: u32,
        /// Total flit width.
        total: u32,
    },
    /// A mesh dimension is zero.
    #[error("a mesh needs at least one row and one column (got {width}x{height})")]
    EmptyMesh {
        /// Mesh width.
        width: usize,
        /// Mesh height.
        height: usize,
    },
    /// A field width is out of its range.
    #[error("field `{field}` cannot be {bits} bits wide (allowed {min}..={max})")]
    BadFieldWidth {
        /// The field.
        field: &'static str,
        /// The requested width.
        bits: u32,
        /// Smallest allowed width.
        min: u32,
        /// Largest allowed width.
        max: u32,
    },
    /// A flit wider than [`MAX_FLIT_BITS`] was requested.
    #[error("a {total}-bit flit is wider than the supported {MAX_FLIT_BITS} bits")]
    FlitTooWide {
        /// Total flit width.
        total: u32,
    },
    /// An offset does not fit its two's-complement field.
    #[error("offset {field} = {value} does not fit {bits} bits (range {min}..={max})")]
    OffsetOutOfRange {
        /// `"dx"` or `"dy"`.
        field: &'static str,
        /// The offset.
        value: i32,
        /// Field width.
        bits: u32,
        /// Smallest representable offset.
        min: i32,
        /// Largest representable offset.
        max: i32,
    },
    /// An unsigned field value is too large.
    #[error("{field} = {value} does not fit {bits} bits")]
    ValueTooLarge {
        /// `"axon"` or `"tag"`.
        field: &'static str,
        /// The value.
        value: u32,
        /// Field width.
        bits: u32,
    },
}

/// One AER packet, unpacked.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Default)]
pub struct AerPacket {
    /// Columns still to travel East (negative: West).
    pub dx: i32,
    /// Rows still to travel South (negative: North).
    pub dy: i32,
    /// Destination axon.
    pub axon: u32,
    /// Opaque tag.
    pub tag: u32,
}

/// Bits of a two's-complement offset field for a mesh `extent` nodes long in that dimension:
/// the smallest `b` with `2^(b-1) - 1 >= extent - 1`, i.e. `1 + ceil(log2(extent))` (a single
/// row or column still gets one bit, always zero).
pub fn offset_bits(extent: usize) -> u32 {
    1 + extent.max(1).next_power_of_two().trailing_zeros()
}

/// Field widths of a flit, fixed at generation time.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct AerFormat {
    /// Bits of `dx`.
    pub dx_bits: u32,
    /// Bits of `dy`.
    pub dy_bits: u32,
    /// Bits of `axon`.
    pub axon_bits: u32,
    /// Bits of `tag`.
    pub tag_bits: u32,
}

impl AerFormat {
    /// A format with explicit widths: offsets 1..=16 bits, axon 1..=10, tag 0..=16, at most
    /// [`MAX_FLIT_BITS`] in total.
    pub fn new(
        dx_bits: u32,
        dy_bits: u32,
        axon_bits: u32,
        tag_bits: u32,
    ) -> Result<Self, AerError> {
        for (field, bits, min, max) in [
            ("dx", dx_bits, 1, 16),
            ("dy", dy_bits, 1, 16),
            ("axon", axon_bits, 1, AXON_BITS),
            ("tag", tag_bits, 0, 16),
        ] {
            if !(min..=max).contains(&bits) {
                return Err(AerError::BadFieldWidth {
                    field,
                    bits,
                    min,
                    max,
                });
            }
        }
        let total = dx_bits + dy_bits + axon_bits + tag_bits;
        if total > MAX_FLIT_BITS {
            return Err(AerError::FlitTooWide { total });
        }
        Ok(AerFormat {
            dx_bits,
            dy_bits,
            axon_bits,
            tag_bits,
        })
    }

    /// The format of a `width` x `height` mesh: offsets sized by [`offset_bits`], a
    /// [`AXON_BITS`]-bit axon and a [`TAG_BITS`]-bit tag.
    pub fn for_mesh(width: usize, height: usize) -> Result<Self, AerError> {
        if width == 0 || height == 0 {
            return Err(AerError::EmptyMesh { width, height });
        }
        let dx_bits = offset_bits(width);
        let dy_bits = offset_bits(height);
        let payload_bits = AXON_BITS + TAG_BITS;
        let total = dx_bits + dy_bits + payload_bits;
        if total > MAX_FLIT_BITS {
            return Err(AerError::MeshTooLarge {
                width,
                height,
                dx_bits,
                dy_bits,
                payload_bits,
                total,
            });
        }
        AerFormat::new(dx_bits, dy_bits, AXON_BITS, TAG_BITS)
    }

    /// Total flit width.
    pub fn flit_bits(&self) -> u32 {
        self.dx_bits + self.dy_bits + self.axon_bits + self.tag_bits
    }

    /// Bit offset of `dy` (right above `dx`).
    pub fn dy_shift(&self) -> u32 {
        self.dx_bits
    }

    /// Bit offset of `axon`.
    pub fn axon_shift(&self) -> u32 {
        self.dx_bits + self.dy_bits
    }

    /// Bit offset of `tag`.
    pub fn tag_shift(&self) -> u32 {
        self.axon_shift() + self.axon_bits
    }

    /// Representable `dx` range.
    pub fn dx_range(&self) -> (i32, i32) {
        signed_range(self.dx_bits)
    }

    /// Representable `dy` range.
    pub fn dy_range(&self) -> (i32, i32) {
        signed_range(self.dy_bits)
    }

    /// Packs `p` into a flit, checking every field.
    pub fn pack(&self, p: &AerPacket) -> Result<u32, AerError> {
        let dx = encode_signed("dx", p.dx, self.dx_bits)?;
        let dy = encode_signed("dy", p.dy, self.dy_bits)?;
        let axon = encode_unsigned("axon", p.axon, self.axon_bits)?;
        let tag = encode_unsigned("tag", p.tag, self.tag_bits)?;
        Ok(dx
            | (dy << self.dy_shift())
            | (axon << self.axon_shift())
            | (tag.checked_shl(self.tag_shift()).unwrap_or(0)))
    }

    /// Unpacks a flit; bits above [`flit_bits`](Self::flit_bits) are ignored.
    pub fn unpack(&self, flit: u32) -> AerPacket {
        AerPacket {
            dx: decode_signed(flit, 0, self.dx_bits),
            dy: decode_signed(flit, self.dy_shift(), self.dy_bits),
            axon: field(flit, self.axon_shift(), self.axon_bits),
            tag: field(flit, self.tag_shift(), self.tag_bits),
        }
    }
}

fn signed_range(bits: u32) -> (i32, i32) {
    (-(1i32 << (bits - 1)), (1i32 << (bits - 1)) - 1)
}

fn mask(bits: u32) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1u32 << bits) - 1
    }
}

fn field(flit: u32, shift: u32, bits: u32) -> u32 {
    if bits == 0 {
        0
    } else {
        (flit >> shift) & mask(bits)
    }
}

fn encode_signed(name: &'static str, value: i32, bits: u32) -> Result<u32, AerError> {
    let (min, max) = signed_range(bits);
    if !(min..=max).contains(&value) {
        return Err(AerError::OffsetOutOfRange {
            field: name,
            value,
            bits,
            min,
            max,
        });
    }
    Ok(value as u32 & mask(bits))
}

fn decode_signed(flit: u32, shift: u32, bits: u32) -> i32 {
    let raw = field(flit, shift, bits);
    // Sign-extend from `bits`.
    ((raw << (32 - bits)) as i32) >> (32 - bits)
}

fn encode_unsigned(name: &'static str, value: u32, bits: u32) -> Result<u32, AerError> {
    if value > mask(bits) || (bits == 0 && value != 0) {
        return Err(AerError::ValueTooLarge {
            field: name,
            value,
            bits,
        });
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{rngs::StdRng, Rng, SeedableRng};

    #[test]
    fn offset_bits_cover_the_mesh() {
        // Independent statement of the rule: the field must hold +-(n - 1).
        for n in 1..=300usize {
            let b = offset_bits(n);
            let (min, max) = signed_range(b);
            assert!(max >= n as i32 - 1 && min <= -(n as i32 - 1), "n={n} b={b}");
            if b > 1 {
                let (_, smaller_max) = signed_range(b - 1);
                assert!(smaller_max < n as i32 - 1, "n={n}: {b} bits is not minimal");
            }
        }
        assert_eq!(
            [1, 2, 3, 4, 5, 8, 9].map(offset_bits),
            [1, 2, 3, 3, 4, 4, 5]
        );
    }

    #[test]
    fn layout_of_the_4x4_format() {
        let f = AerFormat::for_mesh(4, 4).unwrap();
        assert_eq!(f.flit_bits(), 22);
        // dx = -1 (3'b111), dy = 2 (3'b010), axon = 0x2a5, tag = 0x15, by hand:
        // 010101 1010100101 010 111
        let flit = f
            .pack(&AerPacket {
                dx: -1,
                dy: 2,
                axon: 0x2a5,
                tag: 0x15,
            })
            .unwrap();
        assert_eq!(flit, 0b010101_1010100101_010_111);
    }

    #[test]
    fn pack_unpack_round_trip() {
        let mut rng = StdRng::seed_from_u64(11);
        for (w, h) in [
            (1, 1),
            (2, 1),
            (2, 2),
            (3, 3),
            (4, 4),
            (8, 8),
            (5, 2),
            (128, 128),
        ] {
            let f = AerFormat::for_mesh(w, h).unwrap();
            assert!(f.flit_bits() <= MAX_FLIT_BITS);
            for _ in 0..500 {
                let p = AerPacket {
                    dx: rng.gen_range(-(w as i32 - 1)..=(w as i32 - 1)),
                    dy: rng.gen_range(-(h as i32 - 1)..=(h as i32 - 1)),
                    axon: rng.gen_range(0..1 << AXON_BITS),
                    tag: rng.gen_range(0..1 << TAG_BITS),
                };
                let flit = f.pack(&p).unwrap();
                assert!(u64::from(flit) < 1u64 << f.flit_bits());
                assert_eq!(f.unpack(flit), p, "{w}x{h}");
            }
        }
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(
            AerFormat::for_mesh(129, 128),
            Err(AerError::MeshTooLarge { total: 33, .. })
        ));
        assert!(matches!(
            AerFormat::for_mesh(0, 3),
            Err(AerError::EmptyMesh { .. })
        ));
        assert!(matches!(
            AerFormat::new(3, 3, 11, 0),
            Err(AerError::BadFieldWidth { field: "axon", .. })
        ));
        assert!(matches!(
            AerFormat::new(8, 8, 10, 7),
            Err(AerError::FlitTooWide { total: 33 })
        ));
        let f = AerFormat::for_mesh(3, 3).unwrap();
        let p = AerPacket {
            dx: 4,
            ..Default::default()
        };
        let err = f.pack(&p).unwrap_err();
        assert_eq!(
            err,
            AerError::OffsetOutOfRange {
                field: "dx",
                value: 4,
                bits: 3,
                min: -4,
                max: 3
            }
        );
        assert!(err.to_string().contains("dx = 4"), "{err}");
        assert!(matches!(
            f.pack(&AerPacket {
                dy: -5,
                ..Default::default()
            }),
            Err(AerError::OffsetOutOfRange { field: "dy", .. })
        ));
        assert!(matches!(
            f.pack(&AerPacket {
                axon: 1024,
                ..Default::default()
            }),
            Err(AerError::ValueTooLarge { field: "axon", .. })
        ));
        let no_tag = AerFormat::new(2, 2, 4, 0).unwrap();
        assert!(matches!(
            no_tag.pack(&AerPacket {
                tag: 1,
                ..Default::default()
            }),
            Err(AerError::ValueTooLarge { field: "tag", .. })
        ));
    }
}
