//! The exported Verilog of any top, compiled by Verilator and driven through [`Pins`]: one
//! wrapper for every port table (neurocore, multi-core system, UART host design).

use std::marker::PhantomData;
use std::path::PathBuf;

use crate::export::tools::project_dir;
use crate::export::verilator::{build_model, PortSpec, VerilatedModel, VerilatorError};
use crate::export::verilog::{
    learning_core_verilog, learning_system_verilog, memoised, neurocore_verilog, system_verilog,
    CORE_MODULE, SYSTEM_MODULE,
};
use crate::rtl::noc::MeshConfig;
use crate::rtl::ports::{Pins, Port, PortTable, CLOCK_PORT};
use crate::rtl::top_ports::{CorePorts, SystemPorts};
use crate::shape::CoreShape;

/// Where compiled models are cached (one entry per distinct Verilog), shared by every run.
pub fn model_cache_dir() -> PathBuf {
    project_dir().join("target").join("neurofab-verilator")
}

/// A Verilator model clocked on port [`CLOCK_PORT`] and evaluated only when read after new
/// inputs (a cycle leaves it evaluated): the part every Verilated top shares.
pub(crate) struct ClockedModel {
    model: VerilatedModel,
    cycles: u64,
    /// Inputs changed since the model was last evaluated.
    dirty: bool,
}

impl ClockedModel {
    /// Builds (or reuses from the cache) the Verilator model of `verilog`, whose top module
    /// `module` has `ports`, and instantiates it.
    pub(crate) fn build(
        verilog: &str,
        module: &str,
        ports: &[PortSpec],
    ) -> Result<Self, VerilatorError> {
        Ok(ClockedModel {
            model: build_model(verilog, module, ports, &model_cache_dir())?,
            cycles: 0,
            dirty: true,
        })
    }

    /// The index of the port named `name`.
    pub(crate) fn port_index(&self, name: &str) -> Option<usize> {
        self.model.port_index(name)
    }

    /// Drives input `port`; takes effect at the next rising edge.
    #[inline]
    pub(crate) fn set(&mut self, port: usize, value: u64) {
        self.model.set(port, value);
        self.dirty = true;
    }

    /// Reads `port` as it is after the last rising edge and the current inputs.
    #[inline]
    pub(crate) fn get(&mut self, port: usize) -> u64 {
        if self.dirty {
            self.model.eval();
            self.dirty = false;
        }
        self.model.get(port)
    }

    /// One clock cycle (a rising edge).
    pub(crate) fn cycle(&mut self) {
        self.model.cycle(CLOCK_PORT);
        self.dirty = false;
        self.cycles += 1;
    }

    /// Clock cycles run so far.
    pub(crate) fn cycles(&self) -> u64 {
        self.cycles
    }
}

/// A Verilated top whose ports are the table `T`.
pub struct VerilatedTop<T: PortTable> {
    model: ClockedModel,
    table: PhantomData<T>,
}

impl<T: PortTable> VerilatedTop<T> {
    /// Builds (or reuses from the cache) the Verilator model of `verilog`, whose top module
    /// `module` has `T`'s ports for `shape`, and instantiates it.
    pub fn new(verilog: &str, module: &str, shape: CoreShape) -> Result<Self, VerilatorError> {
        Ok(VerilatedTop {
            model: ClockedModel::build(verilog, module, &T::ports(shape))?,
            table: PhantomData,
        })
    }
}

impl<T: PortTable> Pins<T> for VerilatedTop<T> {
    #[inline]
    fn set(&mut self, pin: T::Input, value: u64) {
        self.model.set(pin.index(), value);
    }

    #[inline]
    fn get(&mut self, pin: T::Output) -> u64 {
        self.model.get(pin.index())
    }

    fn cycle(&mut self) {
        self.model.cycle();
    }

    fn cycles(&self) -> u64 {
        self.model.cycles()
    }
}

/// A Verilated neurocore of `shape`.
pub fn verilated_core(shape: CoreShape) -> Result<VerilatedTop<CorePorts>, VerilatorError> {
    VerilatedTop::new(&neurocore_verilog(shape), CORE_MODULE, shape)
}

/// A Verilated learning neurocore of `shape` (`None` for a shape without a learning core,
/// [`crate::shape::LEARNING_SHAPES`]): the same pins as [`verilated_core`], so the same driver
/// (and the same read-back, `sim::learned`) runs it.
pub fn verilated_learning_core(
    shape: CoreShape,
) -> Option<Result<VerilatedTop<CorePorts>, VerilatorError>> {
    let verilog = learning_core_verilog(shape)?;
    Some(VerilatedTop::new(&verilog, CORE_MODULE, shape))
}

/// A Verilated multi-core system of `shape` cores on the mesh of `config`, of learning cores
/// if `learning`.
pub fn verilated_system(
    shape: CoreShape,
    config: &MeshConfig,
    learning: bool,
) -> Result<VerilatedTop<SystemPorts>, VerilatorError> {
    let verilog = memoised(
        format!("system {shape:?} {config:?} learning {learning}"),
        || {
            if learning {
                learning_system_verilog(shape, config)
            } else {
                system_verilog(shape, config)
            }
        },
    );
    VerilatedTop::new(&verilog, SYSTEM_MODULE, shape)
}
