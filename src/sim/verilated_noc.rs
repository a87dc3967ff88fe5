//! The exported router and mesh Verilog, compiled by Verilator and driven through [`NocPins`].

use std::sync::Arc;

use crate::export::noc_verilog::{
    mesh_ports, mesh_verilog, router_ports, router_verilog, MESH_MODULE, ROUTER_MODULE,
};
use crate::export::verilator::{build_model, PortSpec, VerilatedModel, VerilatorError};
use crate::rtl::noc::MeshConfig;
use crate::rtl::ports::{NocPins, CLOCK_PORT};
use crate::rtl::router::PORTS;
use crate::sim::verilated::model_cache_dir;

/// A Verilated NoC fabric (a mesh or a single router).
pub struct VerilatedNoc {
    model: VerilatedModel,
    ports: usize,
    cycles: u64,
    /// Inputs changed since the model was last evaluated.
    dirty: bool,
}

/// The mesh (or router) Verilog of `config`, generated once per process.
fn memoised(config: &MeshConfig, mesh: bool) -> Arc<str> {
    crate::export::verilog::memoised(format!("noc {config:?} mesh={mesh}"), || {
        if mesh {
            mesh_verilog(config)
        } else {
            router_verilog(config)
        }
    })
}

impl VerilatedNoc {
    /// Generates the mesh's Verilog, builds (or reuses from the cache) its Verilator model, and
    /// instantiates it. Node `i` is port `i`.
    pub fn mesh(config: &MeshConfig) -> Result<Self, VerilatorError> {
        Self::build(
            &memoised(config, true),
            MESH_MODULE,
            &mesh_ports(config),
            config.nodes(),
        )
    }

    /// The same for one router with `config`'s packet format; port `p` is router port `p`.
    pub fn router(config: &MeshConfig) -> Result<Self, VerilatorError> {
        Self::build(
            &memoised(config, false),
            ROUTER_MODULE,
            &router_ports(config),
            PORTS,
        )
    }

    fn build(
        verilog: &str,
        top: &str,
        ports: &[PortSpec],
        links: usize,
    ) -> Result<Self, VerilatorError> {
        let model = build_model(verilog, top, ports, &model_cache_dir())?;
        Ok(VerilatedNoc {
            model,
            ports: links,
            cycles: 0,
            dirty: true,
        })
    }

    // Port indices, in the order of `mesh_ports` / `router_ports`: clock, then three inputs
    // per link, then three outputs per link.
    fn inject_valid(port: usize) -> usize {
        1 + 3 * port
    }
    fn inject_data(port: usize) -> usize {
        2 + 3 * port
    }
    fn eject_ready(port: usize) -> usize {
        3 + 3 * port
    }
    fn inject_ready(&self, port: usize) -> usize {
        1 + 3 * self.ports + 3 * port
    }
    fn eject_valid(&self, port: usize) -> usize {
        2 + 3 * self.ports + 3 * port
    }
    fn eject_data(&self, port: usize) -> usize {
        3 + 3 * self.ports + 3 * port
    }

    fn settle(&mut self) {
        // `cycle` leaves the model evaluated; only new inputs need another evaluation.
        if self.dirty {
            self.model.eval();
            self.dirty = false;
        }
    }
}

impl NocPins for VerilatedNoc {
    fn ports(&self) -> usize {
        self.ports
    }

    fn set_inject(&mut self, port: usize, valid: bool, flit: u32) {
        self.model.set(Self::inject_valid(port), valid as u64);
        self.model.set(Self::inject_data(port), u64::from(flit));
        self.dirty = true;
    }

    fn inject_ready(&mut self, port: usize) -> bool {
        self.settle();
        self.model.get(VerilatedNoc::inject_ready(self, port)) != 0
    }

    fn eject(&mut self, port: usize) -> Option<u32> {
        self.settle();
        (self.model.get(self.eject_valid(port)) != 0)
            .then(|| self.model.get(self.eject_data(port)) as u32)
    }

    fn set_eject_ready(&mut self, port: usize, ready: bool) {
        self.model.set(Self::eject_ready(port), ready as u64);
        self.dirty = true;
    }

    fn cycle(&mut self) {
        self.model.cycle(CLOCK_PORT);
        self.dirty = false;
        self.cycles += 1;
    }

    fn cycles(&self) -> u64 {
        self.cycles
    }
}
