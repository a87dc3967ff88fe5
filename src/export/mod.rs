//! Verilog export, memory images, and the Verilator and FPGA tool flows.

pub mod asic;
pub mod crossbar_synth;
pub mod fpga;
pub mod images;
pub mod noc_verilog;
pub mod testbench;
mod testbench_verilog;
pub mod readme_table;
pub mod tools;
pub mod verilator;
pub mod verilog;
