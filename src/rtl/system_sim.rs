//! Cycle-accurate simulation of the multi-core system with rust-hdl, and its Verilog.

use rust_hdl::prelude::*;

use super::mesh_system::MeshSystem;
use super::noc::MeshConfig;
use super::ports::Pins;
use super::rtl_top::{port_access, RtlTop};
use super::tile::{LearningTile, Tile};
use super::top_ports::{system_port_list, SystemPorts};
use crate::shape::{with_shape, CoreShape};

system_port_list!(port_access!(
    [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize, const EB: usize]
        MeshSystem<Tile<NB, AB, GB, SB, NB1, AB1, EB>, NB>, SystemPorts
));

system_port_list!(port_access!(
    [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize, const EB: usize]
        MeshSystem<LearningTile<NB, AB, GB, SB, NB1, AB1, EB>, NB>, SystemPorts
));

/// Runs `$body` with `$system` bound to a fresh `MeshSystem` for `$shape` (one of
/// [`crate::shape::SYSTEM_SHAPES`]) and `$config`, of [`LearningTile`]s if `$learning` (the
/// learning core exists for every system shape, `tests` check it), else of plain [`Tile`]s.
macro_rules! with_system {
    ($shape:expr, $config:expr, $learning:expr, $system:ident => $body:expr) => {
        with_shape!(system, $shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
            if $learning {
                let $system =
                    MeshSystem::<LearningTile<NB, AB, GB, SB, NB1, AB1, EB>, NB>::new($config);
                $body
            } else {
                let $system = MeshSystem::<Tile<NB, AB, GB, SB, NB1, AB1, EB>, NB>::new($config);
                $body
            }
        }, (neurons, axons) => panic!(
            "no multi-core system for {neurons}x{axons} cores (check SYSTEM_SHAPES first)"
        ))
    };
}

/// Fan-out table entries per core for a core shape: eight per neuron (one of which is the
/// neuron's output spike to the host).
pub fn fanout_entries(shape: CoreShape) -> usize {
    8 * shape.neurons
}

/// The raw rust-hdl Verilog of a system (top module `top`), of learning cores if `learning`.
pub fn system_verilog_raw(shape: CoreShape, config: &MeshConfig, learning: bool) -> String {
    with_system!(shape, config, learning, system => {
        let mut system = system;
        system.connect_all();
        generate_verilog(&system)
    })
}

/// A system simulated by rust-hdl, of learning cores ([`LearningTile`]) if `learning`.
pub fn rtl_system(
    shape: CoreShape,
    config: &MeshConfig,
    learning: bool,
) -> Box<dyn Pins<SystemPorts>> {
    with_system!(shape, config, learning, system => {
        Box::new(RtlTop::new::<SystemPorts>(system, "multi-core system"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtl::ports::PortTable;
    use crate::rtl::rtl_top::PortAccess;
    use crate::shape::SYSTEM_SHAPES;

    /// The port table's widths are the block's, for every shape, plain or learning.
    #[test]
    fn port_table_matches_the_block() {
        let config = MeshConfig::new(2, 1, 2).unwrap().with_full_offsets();
        for (neurons, axons) in SYSTEM_SHAPES {
            let shape = CoreShape { neurons, axons };
            let table: Vec<u32> = SystemPorts::ports(shape).iter().map(|p| p.width).collect();
            for learning in [false, true] {
                let block = with_system!(shape, &config, learning, system => {
                    PortAccess::<SystemPorts>::widths(&system)
                });
                assert_eq!(table, block, "{shape:?}, learning {learning}");
            }
        }
    }

    /// Every system shape has a learning core, so `with_system!` may build learning tiles for
    /// any of them.
    #[test]
    fn every_system_shape_has_a_learning_core() {
        for shape in SYSTEM_SHAPES {
            assert!(crate::shape::LEARNING_SHAPES.contains(&shape), "{shape:?}");
        }
    }
}
