//! The largest core shape (1024 neurons x 512 axons) with more than 256 axons in use: synapse
//! addresses then exceed 16 bits (`axon * 256 groups + group` reaches 2^17), which the
//! configuration port must carry. Golden, rtl and verilator must agree.

use neurofab::export::tools::require_tool_or_skip;
use neurofab::shape::CoreShape;
use neurofab::sim::workloads::dense_layer;
use neurofab::sim::{run, Engine, RunOptions};

#[test]
fn wide_synapse_addresses_reach_the_upper_half_of_the_sram() {
    let shape = CoreShape {
        neurons: 1024,
        axons: 512,
    };
    // 500 input channels -> 500 axons, the last of which has synapse words at 499 * 256 + g.
    let net = dense_layer(24, 500, 120, 8, 7);
    let options = RunOptions {
        shape,
        ..Default::default()
    };
    let golden = run(&net, Engine::Golden, net.ticks, &options, &mut |_| {}).unwrap();
    assert!(
        !golden.spikes.spikes.is_empty(),
        "the workload should make the layer spike, or the comparison proves little"
    );
    let mut engines = vec![Engine::Rtl];
    if require_tool_or_skip("verilator").is_some() {
        engines.push(Engine::Verilator);
    }
    for engine in engines {
        let result = run(&net, engine, net.ticks, &options, &mut |_| {}).unwrap();
        assert_eq!(result.spikes, golden.spikes, "{engine:?} spikes differ");
        assert_eq!(
            result.states, golden.states,
            "{engine:?} final states differ"
        );
    }
}
