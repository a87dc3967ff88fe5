//! The UART host link: a serial port into one neurocore.
//!
//! - [`uart`]: 8N1 receiver and transmitter;
//! - [`crc`]: CRC-16/CCITT-FALSE, one byte per cycle;
//! - [`link`]: the host-link controller on the core bus, wiring [`frame_rx`] (frame
//!   receiver), [`executor`] (command executor, with [`request_check`] and [`entry_pass`], which
//!   reads entries through [`entry_reader`]),
//!   [`responder`] (response generator, with the byte shifter [`response_tx`]) and
//!   [`tick_runner`] (RUN and its tick reports);
//! - [`top`]: `HostTop` = UART + link + neurocore, the design an FPGA board runs.
//!
//! The protocol is specified in `docs/host-protocol.md`; the host side is `crate::host`.

pub mod crc;
pub mod entry_pass;
pub mod entry_reader;
pub mod executor;
pub mod frame_rx;
pub mod link;
pub mod request_check;
pub mod responder;
pub mod response_tx;
pub mod tick_runner;
pub mod top;
pub mod uart;

use rust_hdl::prelude::*;
use thiserror::Error;

use crate::rtl::regmap::{depth_table, readable_table, Dims};
use crate::rtl::verilog_text::finish;
use crate::shape::{shape_list_text, with_shape, CoreShape, HOST_SHAPES, LEARNING_SHAPES};
use link::LinkConfig;
use top::{HostTop, LearningHostTop};

/// Name of the top module in the exported host-link Verilog.
pub const HOST_MODULE: &str = "neurofab_host";

/// UART bit time of the simulated link (`--port sim`): short, so simulations are fast.
pub const SIM_CYCLES_PER_BIT: u32 = 4;

/// Inter-byte timeout of the simulated link: 64 bit times.
pub const SIM_TIMEOUT_CYCLES: u32 = 64 * SIM_CYCLES_PER_BIT;

/// Largest baud-rate error accepted by [`HostParams::for_clock`]: the receiver samples
/// mid-bit, so over a 10-bit frame the two ends may drift apart by up to ~5 % in total;
/// 2 % on our side leaves the rest for the host's UART.
pub const MAX_BAUD_ERROR: f64 = 0.02;

/// Generation-time parameters of a `HostTop`.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct HostParams {
    /// The neurocore's shape.
    pub shape: CoreShape,
    /// Clock cycles per UART bit.
    pub cycles_per_bit: u32,
    /// Inter-byte timeout in clock cycles: a frame whose next byte does not come within this
    /// is dropped and reported; after an error the receiver waits for this much silence.
    pub timeout_cycles: u32,
    /// The core is a learning core ([`LearningHostTop`], for networks with learning
    /// projections; the link's depth table then has the learning targets).
    pub learning: bool,
}

/// Parameters that cannot be generated.
#[derive(Debug, Error, PartialEq)]
pub enum HostParamsError {
    /// The core shape has no `HostTop` instantiation.
    #[error(
        "core shape {neurons}x{axons} has no host-link design (supported: {})",
        shape_list_text(&HOST_SHAPES)
    )]
    UnsupportedShape {
        /// Neurons.
        neurons: usize,
        /// Axons.
        axons: usize,
    },
    /// The shape has no learning core.
    #[error(
        "core shape {neurons}x{axons} has no learning core (learning shapes: {})",
        shape_list_text(&LEARNING_SHAPES)
    )]
    NoLearningCore {
        /// Neurons.
        neurons: usize,
        /// Axons.
        axons: usize,
    },
    /// The baud rate cannot be reached from the clock within [`MAX_BAUD_ERROR`].
    #[error("{baud} baud from a {clock_hz} Hz clock: {cycles_per_bit} cycles per bit is {error:.2} % off (limit {} %, at least {} cycles per bit)", MAX_BAUD_ERROR * 100.0, uart::MIN_CYCLES_PER_BIT)]
    Baud {
        /// Requested baud rate.
        baud: u32,
        /// Clock frequency.
        clock_hz: u32,
        /// Nearest bit time.
        cycles_per_bit: u32,
        /// Relative error in percent.
        error: f64,
    },
}

impl HostParams {
    /// The simulated link: [`SIM_CYCLES_PER_BIT`], [`SIM_TIMEOUT_CYCLES`].
    pub fn sim(shape: CoreShape) -> Result<Self, HostParamsError> {
        check_shape(shape)?;
        Ok(HostParams {
            shape,
            cycles_per_bit: SIM_CYCLES_PER_BIT,
            timeout_cycles: SIM_TIMEOUT_CYCLES,
            learning: false,
        })
    }

    /// A board design: `baud` from a `clock_hz` clock, and a 10 ms inter-byte timeout (long
    /// against the gaps an OS and a USB-serial bridge leave inside one write, short for a
    /// human-scale resync).
    pub fn for_clock(shape: CoreShape, clock_hz: u32, baud: u32) -> Result<Self, HostParamsError> {
        check_shape(shape)?;
        let cycles_per_bit = ((clock_hz as f64 / baud as f64).round() as u32).clamp(1, 65535);
        let error = (clock_hz as f64 / cycles_per_bit as f64 / baud as f64 - 1.0).abs();
        if error > MAX_BAUD_ERROR || cycles_per_bit < uart::MIN_CYCLES_PER_BIT {
            return Err(HostParamsError::Baud {
                baud,
                clock_hz,
                cycles_per_bit,
                error: error * 100.0,
            });
        }
        // At least 20 byte times, whatever the clock.
        let timeout_cycles = (clock_hz / 100)
            .max(200 * cycles_per_bit)
            .min((1 << 24) - 1);
        Ok(HostParams {
            shape,
            cycles_per_bit,
            timeout_cycles,
            learning: false,
        })
    }

    /// What the register map's depths depend on: one core, no fan-out unit.
    pub fn dims(&self) -> Dims {
        if self.learning {
            Dims::learning_core(self.shape.neurons, self.shape.axons)
        } else {
            Dims::core(self.shape.neurons, self.shape.axons)
        }
    }

    /// The same design with the learning core if `learning` (a shape of [`LEARNING_SHAPES`]).
    pub fn with_learning(self, learning: bool) -> Result<Self, HostParamsError> {
        let shape = self.shape;
        if learning && !LEARNING_SHAPES.contains(&(shape.neurons, shape.axons)) {
            return Err(HostParamsError::NoLearningCore {
                neurons: shape.neurons,
                axons: shape.axons,
            });
        }
        Ok(HostParams { learning, ..self })
    }

    /// The link controller's configuration for these parameters.
    pub fn link_config(&self) -> LinkConfig {
        LinkConfig {
            neurons: self.shape.neurons as u32,
            axons: self.shape.axons as u32,
            target_depths: depth_table(&self.dims()),
            readable: readable_table(&self.dims()),
            cycles_per_bit: self.cycles_per_bit,
            timeout_cycles: self.timeout_cycles,
        }
    }
}

fn check_shape(shape: CoreShape) -> Result<(), HostParamsError> {
    if HOST_SHAPES.contains(&(shape.neurons, shape.axons)) {
        Ok(())
    } else {
        Err(HostParamsError::UnsupportedShape {
            neurons: shape.neurons,
            axons: shape.axons,
        })
    }
}

/// Runs `$body` with `$top` bound to a fresh `HostTop` for `$params`.
macro_rules! with_host_top {
    ($params:expr, $top:ident => $body:expr) => {{
        let params: &HostParams = $params;
        let config = params.link_config();
        if params.learning {
            with_shape!(learning, params.shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
                let $top = LearningHostTop::<NB, AB, GB, SB, NB1, AB1>::new(&config);
                $body
            }, (neurons, axons) => {
                panic!("no LearningHostTop for {neurons}x{axons} (HostParams::with_learning checks)")
            })
        } else {
            with_shape!(host, params.shape, [NB, AB, GB, SB, NB1, AB1, EB] => {
                let $top = HostTop::<NB, AB, GB, SB, NB1, AB1>::new(&config);
                $body
            }, (neurons, axons) => {
                panic!("no HostTop for {neurons}x{axons} (HostParams constructors check the shape)")
            })
        }
    }};
}

/// The Verilog of a `HostTop` (top module [`HOST_MODULE`], ports `clock`, `uart_rx`,
/// `uart_tx`, `spike_valid`).
pub fn host_verilog(params: &HostParams) -> String {
    let raw = with_host_top!(params, top => {
        let mut top = top;
        top.connect_all();
        generate_verilog(&top)
    });
    let header = format!(
        "// {HOST_MODULE}: neurofab UART host link + LIF neurocore{} ({} neurons x {} axons),\n\
         // {} clock cycles per UART bit, inter-byte timeout {} cycles.\n\
         // Protocol: docs/host-protocol.md. Generated by neurofab {}; do not edit.\n",
        if params.learning {
            " with STDP learning"
        } else {
            ""
        },
        params.shape.neurons,
        params.shape.axons,
        params.cycles_per_bit,
        params.timeout_cycles,
        env!("CARGO_PKG_VERSION"),
    );
    finish(&header, &raw, HOST_MODULE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtl::ports::PortTable;
    use crate::rtl::regmap::{CfgTarget, Owner};
    use crate::rtl::rtl_top::{port_access, PortAccess};
    use crate::rtl::top_ports::{host_port_list, HostPorts};

    host_port_list!(port_access!(
        [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize]
            HostTop<NB, AB, GB, SB, NB1, AB1>, HostPorts
    ));

    host_port_list!(port_access!(
        [const NB: usize, const AB: usize, const GB: usize, const SB: usize, const NB1: usize, const AB1: usize]
            LearningHostTop<NB, AB, GB, SB, NB1, AB1>, HostPorts
    ));

    /// The port table's widths are the block's, with either core.
    #[test]
    fn port_table_matches_the_block() {
        for learning in [false, true] {
            let params = HostParams::sim(CoreShape::default())
                .unwrap()
                .with_learning(learning)
                .unwrap();
            let table: Vec<u32> = HostPorts::ports(params.shape)
                .iter()
                .map(|p| p.width)
                .collect();
            let block = with_host_top!(&params, top => PortAccess::<HostPorts>::widths(&top));
            assert_eq!(table, block, "learning {learning}");
        }
        assert!(matches!(
            HostParams::sim(CoreShape {
                neurons: 64,
                axons: 32
            })
            .unwrap()
            .with_learning(true),
            Err(HostParamsError::NoLearningCore { .. })
        ));
    }

    #[test]
    fn board_parameters() {
        let shape = CoreShape::default();
        let p = HostParams::for_clock(shape, 12_000_000, 115_200).unwrap();
        assert_eq!(p.cycles_per_bit, 104);
        assert_eq!(p.timeout_cycles, 120_000);
        let p = HostParams::for_clock(shape, 25_000_000, 115_200).unwrap();
        assert_eq!(p.cycles_per_bit, 217);
        // 12 MHz / 3 Mbaud = 4 cycles per bit exactly: the fastest the UART supports.
        assert_eq!(
            HostParams::for_clock(shape, 12_000_000, 3_000_000)
                .unwrap()
                .cycles_per_bit,
            4
        );
        // 12 MHz / 1.5 Mbaud = 8; 12 MHz / 2 Mbaud = 6; but 12 MHz / 921600 = 13.02 -> 13 is
        // 0.16 % off: fine. 12 MHz / 5 Mbaud is below the minimum bit time.
        assert!(HostParams::for_clock(shape, 12_000_000, 921_600).is_ok());
        assert!(HostParams::for_clock(shape, 12_000_000, 5_000_000).is_err());
        // 1 MHz / 115200 = 8.68 -> 9 cycles: 3.5 % off, rejected.
        assert!(matches!(
            HostParams::for_clock(shape, 1_000_000, 115_200),
            Err(HostParamsError::Baud { .. })
        ));
        // A shape with no core instantiation has no host design either.
        assert!(matches!(
            HostParams::sim(CoreShape {
                neurons: 128,
                axons: 128
            }),
            Err(HostParamsError::UnsupportedShape { .. })
        ));
    }

    #[test]
    fn depth_table_covers_every_target() {
        let shape = CoreShape {
            neurons: 64,
            axons: 64,
        };
        let config = HostParams::sim(shape).unwrap().link_config();
        assert_eq!(
            config.target_depths[CfgTarget::Synapse.code() as usize],
            64 * 16
        );
        assert_eq!(config.target_depths[CfgTarget::StateV.code() as usize], 64);
        assert_eq!(config.target_depths[CfgTarget::Clear.code() as usize], 1);
        // Every core target exists; the fan-out unit's do not (no fan-out in this design), nor
        // the learning stage's (the host design's core has the synapse SRAM).
        for target in CfgTarget::ALL {
            let exists = config.target_depths[target.code() as usize] > 0;
            let depth = target.spec().depth;
            let expected = target.spec().owner != Owner::Fanout
                && !depth.learning_only()
                && !depth.crossbar_only();
            assert_eq!(exists, expected, "{target:?}");
        }
    }
}
