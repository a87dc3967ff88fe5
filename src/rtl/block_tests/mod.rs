//! Block-level tests, each driving one block at its own ports against the golden arithmetic:
//! the [`LifUnit`](super::lif_unit::LifUnit) against `fixed::lif_update`, the
//! [`SramSynapses`](super::sram_synapses::SramSynapses) stage against its word-level mirror,
//! the [`SinglePortRam`](super::single_port_ram::SinglePortRam) under it against a reference and
//! its own Verilog in Verilator,
//! and a deliberately slow synapse stage composed with the core sequencer against the golden
//! model.

mod crossbar_synapses;
mod lif_unit;
mod sar_adc;
mod single_port_ram;
mod slow_stage;
mod sram_synapses;
mod stdp_rule;
mod stdp_synapses;
mod write_verify;

/// For the blocks' own Verilog: `block` (connected) renamed to `module` passes `verilator
/// --lint-only -Wall` with the project's waiver file; skipped locally without Verilator.
fn assert_verilog_lints_clean<B: rust_hdl::prelude::Block>(block: &B, module: &str) {
    if crate::export::tools::require_tool_or_skip("verilator").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{module}.v"));
    let verilog =
        super::verilog_text::finish("", &rust_hdl::prelude::generate_verilog(block), module);
    std::fs::write(&path, verilog).unwrap();
    let waivers = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testbenches")
        .join("lint_waivers.vlt");
    if let Err(e) = crate::export::verilator::lint(&path, module, Some(&waivers)) {
        panic!("{e}");
    }
}

/// Connects what a synapse stage receives from the core (its configuration bus and the inputs
/// of its synapse port), for driving the stage alone.
fn connect_stage_inputs<const NB: usize, const AB: usize, const GB: usize>(
    cfg: &mut super::cfg_bus::CfgBus,
    port: &mut super::synapse_port::SynapseStagePort<NB, AB, GB>,
) {
    use rust_hdl::prelude::Logic;
    cfg.write.connect();
    cfg.target.connect();
    cfg.addr.connect();
    cfg.data.connect();
    cfg.read.connect();
    port.req_valid.connect();
    port.req_axon.connect();
    port.req_group.connect();
    port.req_first.connect();
    port.req_last.connect();
    port.rsp_ready.connect();
    port.tick_start.connect();
    port.post_valid.connect();
    port.post_neuron.connect();
    port.window.connect();
}

/// Drives a synapse stage's request pins as the core would: the request `(axon, group,
/// first, last)` offered when `valid`, and `rsp_ready`.
fn offer_request<const NB: usize, const AB: usize, const GB: usize>(
    port: &mut super::synapse_port::SynapseStagePort<NB, AB, GB>,
    valid: bool,
    (axon, group, first, last): (usize, usize, bool, bool),
    rsp_ready: bool,
) {
    use super::clocked::poke;
    poke(&mut port.req_valid, valid);
    poke(&mut port.req_axon, (axon as u64).into());
    poke(&mut port.req_group, (group as u64).into());
    poke(&mut port.req_first, first);
    poke(&mut port.req_last, last);
    poke(&mut port.rsp_ready, rsp_ready);
}

/// The signed lanes of a synapse stage's response word (`rsp_weight0..3`, two's complement).
fn response_lanes<const NB: usize, const AB: usize, const GB: usize>(
    port: &super::synapse_port::SynapseStagePort<NB, AB, GB>,
) -> [i64; super::synapse_port::WEIGHT_LANES] {
    [
        port.rsp_weight0.val(),
        port.rsp_weight1.val(),
        port.rsp_weight2.val(),
        port.rsp_weight3.val(),
    ]
    .map(|w| crate::fixed::from_twos(w.to_u64(), super::synapse_port::WEIGHT_BITS as u32))
}
