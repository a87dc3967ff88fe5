//! The exported router and mesh Verilog, compiled by Verilator and driven through [`NocPins`].

use std::sync::Arc;

use crate::export::noc_verilog::{
    mesh_ports, mesh_verilog, router_ports, router_verilog, LinkPortNames, MESH_LINKS, MESH_MODULE,
    ROUTER_LINKS, ROUTER_MODULE,
};
use crate::export::verilator::{PortSpec, VerilatorError};
use crate::rtl::noc::MeshConfig;
use crate::rtl::ports::NocPins;
use crate::rtl::router::PORTS;
use crate::sim::verilated::ClockedModel;

/// A Verilated NoC fabric (a mesh or a single router).
pub struct VerilatedNoc {
    model: ClockedModel,
    /// Model port indices of each local port's links, looked up by name once.
    links: Vec<LinkPorts>,
}

/// Model port indices of one local port's inject and eject links.
#[derive(Copy, Clone, Debug)]
struct LinkPorts {
    inject_valid: usize,
    inject_data: usize,
    eject_ready: usize,
    inject_ready: usize,
    eject_valid: usize,
    eject_data: usize,
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
            MESH_LINKS,
            config.nodes(),
        )
    }

    /// The same for one router with `config`'s packet format; port `p` is router port `p`.
    pub fn router(config: &MeshConfig) -> Result<Self, VerilatorError> {
        Self::build(
            &memoised(config, false),
            ROUTER_MODULE,
            &router_ports(config),
            ROUTER_LINKS,
            PORTS,
        )
    }

    fn build(
        verilog: &str,
        top: &str,
        ports: &[PortSpec],
        names: LinkPortNames,
        links: usize,
    ) -> Result<Self, VerilatorError> {
        let model = ClockedModel::build(verilog, top, ports)?;
        let index = |name: &str, i: usize| {
            model
                .port_index(&format!("{name}${i}"))
                .unwrap_or_else(|| panic!("`{top}` has no port `{name}${i}`"))
        };
        let [inject_valid, inject_data, eject_ready] = names.inputs;
        let [inject_ready, eject_valid, eject_data] = names.outputs;
        let links = (0..links)
            .map(|i| LinkPorts {
                inject_valid: index(inject_valid, i),
                inject_data: index(inject_data, i),
                eject_ready: index(eject_ready, i),
                inject_ready: index(inject_ready, i),
                eject_valid: index(eject_valid, i),
                eject_data: index(eject_data, i),
            })
            .collect();
        Ok(VerilatedNoc { model, links })
    }
}

impl NocPins for VerilatedNoc {
    fn ports(&self) -> usize {
        self.links.len()
    }

    fn set_inject(&mut self, port: usize, valid: bool, flit: u32) {
        let link = self.links[port];
        self.model.set(link.inject_valid, valid as u64);
        self.model.set(link.inject_data, u64::from(flit));
    }

    fn inject_ready(&mut self, port: usize) -> bool {
        self.model.get(self.links[port].inject_ready) != 0
    }

    fn eject(&mut self, port: usize) -> Option<u32> {
        let link = self.links[port];
        (self.model.get(link.eject_valid) != 0).then(|| self.model.get(link.eject_data) as u32)
    }

    fn set_eject_ready(&mut self, port: usize, ready: bool) {
        self.model.set(self.links[port].eject_ready, ready as u64);
    }

    fn cycle(&mut self) {
        self.model.cycle();
    }

    fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}
