//! Register-map and protocol codes as rust-hdl constants.
//!
//! Inside `#[hdl_gen]`, rust-hdl emits a Rust `const` path as a Verilog identifier (which then
//! does not exist) and a literal as an anonymous 32-bit number, so a block that compares a
//! signal against a code keeps the code in a `Constant<Bits<N>>` field (a Verilog
//! `localparam` named after the field) and compares against `self.field.val()`. This module
//! makes that field's initialiser one line:
//!
//! ```ignore
//! // field:        clear_target: Constant<Bits<CFG_TARGET_WIDTH>>,
//! // in new():     clear_target: regmap::hdl::constant(CfgTarget::Clear),
//! // in update():  if self.cfg_target.val() == self.clear_target.val() { ... }
//! ```

use rust_hdl::prelude::*;

use super::protocol::{Command, Status};
use super::{CfgTarget, Owner, CFG_TARGET_CODES, TARGETS};

/// A code from the register map or the protocol table.
pub trait Code: Copy {
    /// The code's value on the wire or bus.
    fn value(self) -> u64;
}

impl Code for CfgTarget {
    fn value(self) -> u64 {
        self.code() as u64
    }
}

impl Code for Command {
    fn value(self) -> u64 {
        self.code() as u64
    }
}

impl Code for Status {
    fn value(self) -> u64 {
        self.code() as u64
    }
}

/// `item`'s code as an `N`-bit constant.
///
/// # Panics
/// If the code does not fit `N` bits (a port narrower than the table needs).
pub fn constant<const N: usize, C: Code>(item: C) -> Constant<Bits<N>> {
    value_constant(item.value())
}

/// A table value that is not an enumerated code (a sync byte, the version, the payload limit)
/// as an `N`-bit constant.
///
/// # Panics
/// If `value` does not fit `N` bits.
pub fn value_constant<const N: usize>(value: u64) -> Constant<Bits<N>> {
    assert!(
        N >= 64 || value >> N == 0,
        "{value:#x} does not fit {N} bits"
    );
    Constant::new(value.into())
}

/// The targets `owner` decodes, as a mask with bit `code` set for each (a block routes a
/// read by `(mask >> cfg_target) & 1`).
pub fn owner_mask(owner: Owner) -> Constant<Bits<CFG_TARGET_CODES>> {
    let mask = TARGETS
        .iter()
        .filter(|spec| spec.owner == owner)
        .fold(0u64, |mask, spec| mask | 1 << spec.target.code());
    Constant::new(mask.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_carry_the_table_codes() {
        for target in CfgTarget::ALL {
            let c: Constant<Bits<{ super::super::CFG_TARGET_WIDTH }>> = constant(target);
            assert_eq!(c.val().to_u64(), target.code() as u64);
        }
        let c: Constant<Bits<8>> = constant(Status::QueueFull);
        assert_eq!(c.val().to_u64(), Status::QueueFull.code() as u64);
    }

    #[test]
    fn the_stage_mask_has_the_stage_targets() {
        let mask = owner_mask(Owner::SynapseStage).val().to_u64();
        for target in CfgTarget::ALL {
            let owned = target.spec().owner == Owner::SynapseStage;
            assert_eq!(mask >> target.code() & 1 == 1, owned, "{target:?}");
        }
    }

    #[test]
    #[should_panic(expected = "does not fit 3 bits")]
    fn a_code_wider_than_the_constant_is_refused() {
        let _: Constant<Bits<3>> = constant(CfgTarget::Clear);
    }
}
