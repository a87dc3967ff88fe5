//! The router and the mesh simulated by rust-hdl, driven through [`NocPins`].
//!
//! Like [`super::core_sim`], this drives the block through [`super::clocked::Clocked`]. A 4x4
//! mesh runs at roughly 3-5 k cycles/s this way, ~40x slower than its Verilator model; rust-hdl settles by re-evaluating every block until nothing changes, and
//! each level of block hierarchy (mesh, router, FIFO, register) costs another pass.

use rust_hdl::prelude::*;

use super::clocked::{poke, Clocked};
use super::noc::{with_widths, Mesh, MeshConfig};
use super::ports::NocPins;
use super::router::{Port, Router, PORTS};

/// A mesh of `config` simulated by rust-hdl.
pub fn rtl_mesh(config: &MeshConfig) -> Box<dyn NocPins> {
    with_widths!(config.format(), F, DXB, DYB => {
        Box::new(RtlFabric::new(Mesh::<F, DXB, DYB>::new(config)))
    })
}

/// One router with `config`'s packet format and FIFO depth, simulated by rust-hdl; its ports
/// are [`Port::ALL`] in order.
pub fn rtl_router(config: &MeshConfig) -> Box<dyn NocPins> {
    with_widths!(config.format(), F, DXB, DYB => {
        Box::new(RtlFabric::new(Router::<F, DXB, DYB>::new(config.fifo_depth)))
    })
}

/// Access to the local links of a fabric block.
trait Fabric: Block {
    fn ports(&self) -> usize;
    fn clock(&mut self) -> &mut Signal<In, Clock>;
    fn set_inject(&mut self, port: usize, valid: bool, flit: u32);
    fn set_eject_ready(&mut self, port: usize, ready: bool);
    fn inject_ready(&self, port: usize) -> bool;
    fn eject_valid(&self, port: usize) -> bool;
    fn eject_data(&self, port: usize) -> u32;
    /// Marks the top-level inputs as driven (by this wrapper).
    fn connect_inputs(&mut self);
}

impl<const F: usize, const DXB: usize, const DYB: usize> Fabric for Mesh<F, DXB, DYB> {
    fn ports(&self) -> usize {
        self.nodes()
    }
    fn clock(&mut self) -> &mut Signal<In, Clock> {
        &mut self.clock
    }
    fn set_inject(&mut self, port: usize, valid: bool, flit: u32) {
        poke(&mut self.inject_valid[port], valid);
        poke(&mut self.inject_data[port], u64::from(flit).into());
    }
    fn set_eject_ready(&mut self, port: usize, ready: bool) {
        poke(&mut self.eject_ready[port], ready);
    }
    fn inject_ready(&self, port: usize) -> bool {
        self.inject_ready[port].val()
    }
    fn eject_valid(&self, port: usize) -> bool {
        self.eject_valid[port].val()
    }
    fn eject_data(&self, port: usize) -> u32 {
        self.eject_data[port].val().to_u64() as u32
    }
    fn connect_inputs(&mut self) {
        self.clock.connect();
        for i in 0..self.nodes() {
            self.inject_valid[i].connect();
            self.inject_data[i].connect();
            self.eject_ready[i].connect();
        }
    }
}

impl<const F: usize, const DXB: usize, const DYB: usize> Fabric for Router<F, DXB, DYB> {
    fn ports(&self) -> usize {
        PORTS
    }
    fn clock(&mut self) -> &mut Signal<In, Clock> {
        &mut self.clock
    }
    fn set_inject(&mut self, port: usize, valid: bool, flit: u32) {
        poke(&mut self.in_valid[port], valid);
        poke(&mut self.in_data[port], u64::from(flit).into());
    }
    fn set_eject_ready(&mut self, port: usize, ready: bool) {
        poke(&mut self.out_ready[port], ready);
    }
    fn inject_ready(&self, port: usize) -> bool {
        self.in_ready[port].val()
    }
    fn eject_valid(&self, port: usize) -> bool {
        self.out_valid[port].val()
    }
    fn eject_data(&self, port: usize) -> u32 {
        self.out_data[port].val().to_u64() as u32
    }
    fn connect_inputs(&mut self) {
        self.clock.connect();
        for p in Port::ALL {
            self.in_valid[p as usize].connect();
            self.in_data[p as usize].connect();
            self.out_ready[p as usize].connect();
        }
    }
}

struct RtlFabric<B: Fabric> {
    sim: Clocked<B>,
}

impl<B: Fabric> RtlFabric<B> {
    fn new(mut block: B) -> Self {
        block.connect_inputs();
        block.connect_all();
        RtlFabric {
            sim: Clocked::new(block, |block| block.clock(), "NoC logic"),
        }
    }
}

impl<B: Fabric> NocPins for RtlFabric<B> {
    fn ports(&self) -> usize {
        self.sim.block.ports()
    }

    fn set_inject(&mut self, port: usize, valid: bool, flit: u32) {
        self.sim.block.set_inject(port, valid, flit);
        self.sim.mark_dirty();
    }

    fn inject_ready(&mut self, port: usize) -> bool {
        self.sim.settle_if_dirty();
        self.sim.block.inject_ready(port)
    }

    fn eject(&mut self, port: usize) -> Option<u32> {
        self.sim.settle_if_dirty();
        self.sim
            .block
            .eject_valid(port)
            .then(|| self.sim.block.eject_data(port))
    }

    fn set_eject_ready(&mut self, port: usize, ready: bool) {
        self.sim.block.set_eject_ready(port, ready);
        self.sim.mark_dirty();
    }

    fn cycle(&mut self) {
        self.sim.rise();
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }
}
