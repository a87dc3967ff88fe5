//! Verilog export, memory images, and the Verilator and FPGA tool flows.

pub mod asic;
pub mod crossbar_synth;
pub mod fpga;
pub mod fpga_scripts;
pub mod images;
pub mod noc_verilog;
pub mod pll;
pub mod readme_table;
pub mod testbench;
mod testbench_verilog;
pub mod tools;
pub mod verilator;
pub mod verilog;
