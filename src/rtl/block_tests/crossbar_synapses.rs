//! `CrossbarSynapses` at its own ports against the golden crossbar stage
//! (`model::crossbar::CrossbarSynapses`): random networks programmed into the golden array,
//! whose copy is loaded behind the macro's pins; per tick, random axon events (their rows
//! latched, answered with zero words) and then the sum axon's groups, answered with
//! `code(G+) - code(G-)` per neuron, which must equal the golden stage's read of the same rows
//! (same seed, same draws), with random `rsp_ready` stalls. The read's latency is checked
//! against the formula in the stage's doc.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

use crate::analog::column_read::CrossbarParams;
use crate::analog::device::DeviceParams;
use crate::model::crossbar::CrossbarSynapses as GoldenCrossbar;
use crate::model::Network;
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::crossbar_synapses::{CrossbarSynapses, SETTLE_CYCLES};
use crate::rtl::regmap::CfgTarget;
use crate::rtl::synapse_port::WEIGHT_LANES;

/// 16 neurons (4 groups, 32 physical columns), 16 axons, a 6-bit ADC.
type Stage = CrossbarSynapses<4, 4, 2, 5, 6>;
const NEURONS: usize = 16;
const AXONS: usize = 16;
const GROUPS: usize = NEURONS / WEIGHT_LANES;
const ADC_BITS: u32 = 6;
const SUM_AXON: usize = AXONS - 1;

/// Writes the settle register as the mapper does, and reads it back.
fn write_settle(sim: &mut Clocked<Stage>, cycles: usize) {
    poke(
        &mut sim.block.cfg.target,
        u64::from(CfgTarget::XbarSettle.code()).into(),
    );
    poke(&mut sim.block.cfg.data, (cycles as u64).into());
    poke(&mut sim.block.cfg.write, true);
    sim.mark_dirty();
    sim.rise();
    poke(&mut sim.block.cfg.write, false);
    poke(&mut sim.block.cfg.read, true);
    sim.mark_dirty();
    sim.rise();
    poke(&mut sim.block.cfg.read, false);
    sim.mark_dirty();
    sim.settle_if_dirty();
    assert!(sim.block.cfg.read_valid.val());
    assert_eq!(sim.block.cfg.read_data.val().index(), cycles);
    sim.rise();
}

fn lanes(stage: &Stage) -> [i64; WEIGHT_LANES] {
    super::response_lanes(&stage.port)
}

/// A random network of one input group of `AXONS - 1` channels into one population of
/// `NEURONS`, weights within the devices' levels.
fn random_network(rng: &mut StdRng, levels: i32) -> Network {
    let weights: Vec<Vec<i32>> = (0..NEURONS)
        .map(|_| {
            (0..SUM_AXON)
                .map(|_| rng.gen_range(-(levels - 1)..levels))
                .collect()
        })
        .collect();
    let json = serde_json::json!({
        "ticks": 1,
        "inputs": [{"name": "in", "size": SUM_AXON}],
        "populations": [{"name": "p", "size": NEURONS, "neuron": {"du": 0, "dv": 0, "vth": 0}}],
        "projections": [{"from": "in", "to": "p", "weight_exp": 0, "weights": weights}],
    });
    Network::from_json_str(&json.to_string(), None).unwrap()
}

/// One request, then random `rsp_ready` until its response is taken; returns the lanes and
/// the latency: the response is first shown `latency` cycles after the request's cycle.
fn request(
    sim: &mut Clocked<Stage>,
    rng: &mut StdRng,
    axon: usize,
    group: usize,
    first: bool,
    last: bool,
) -> ([i64; WEIGHT_LANES], u64) {
    super::offer_request(&mut sim.block.port, true, (axon, group, first, last), false);
    sim.mark_dirty();
    sim.settle_if_dirty();
    assert!(sim.block.port.req_ready.val());
    assert!(!sim.block.port.stage_busy.val());
    sim.rise();
    poke(&mut sim.block.port.req_valid, false);
    sim.mark_dirty();
    let mut cycles = 1;
    let mut shown: Option<([i64; WEIGHT_LANES], u64)> = None;
    loop {
        let ready = rng.gen_bool(0.6);
        poke(&mut sim.block.port.rsp_ready, ready);
        sim.mark_dirty();
        sim.settle_if_dirty();
        if sim.block.port.rsp_valid.val() {
            let got = lanes(&sim.block);
            let (first_lanes, latency) = *shown.get_or_insert((got, cycles));
            assert_eq!(got, first_lanes, "a stalled response changed");
            if ready {
                sim.rise();
                return (got, latency);
            }
        } else {
            assert!(shown.is_none(), "a shown response was withdrawn");
        }
        sim.rise();
        cycles += 1;
        assert!(cycles < 10_000, "no response to axon {axon} group {group}");
    }
}

#[test]
fn crossbar_stage_reads_what_the_golden_crossbar_reads() {
    let mut rng = StdRng::seed_from_u64(0x0c10);
    let read_cycles = (SETTLE_CYCLES + 2 * NEURONS * (ADC_BITS as usize + 1) + 3) as u64;
    let mut nonzero = 0;
    for round in 0..6 {
        let params = CrossbarParams {
            device: DeviceParams {
                levels: [16, 4, 32][round % 3],
                sigma_d2d: [0.0, 0.1, 0.3][round % 3],
                sigma_read: [0.0, 0.02][round % 2],
                ..DeviceParams::default()
            },
            r_wire: [0.0, 2.0, 10.0][round % 3],
            adc_bits: ADC_BITS,
            lsb_exp: [0, 1, -1][round % 3],
            seed: 100 + round as u64,
            ..CrossbarParams::default()
        };
        let net = random_network(&mut rng, params.device.levels as i32);
        let mut golden = GoldenCrossbar::new(&net, AXONS, NEURONS, params).unwrap();
        let mut stage = Stage::default();
        stage.array.load(golden.reader().clone());
        stage.clock.connect();
        super::connect_stage_inputs(&mut stage.cfg, &mut stage.port);
        stage.connect_all();
        let mut sim = Clocked::new(stage, |s| &mut s.clock, "CrossbarSynapses");
        write_settle(&mut sim, SETTLE_CYCLES);
        for _tick in 0..8 {
            let mut active = [false; AXONS];
            let events: Vec<usize> = (0..rng.gen_range(1..20))
                .map(|_| rng.gen_range(0..SUM_AXON))
                .collect();
            for &axon in &events {
                active[axon] = true;
                let (got, _) = request(&mut sim, &mut rng, axon, 0, true, true);
                assert_eq!(got, [0; WEIGHT_LANES], "a row event is answered with zeros");
            }
            let mut latched = sim.block.array.latched_rows();
            latched.sort_unstable();
            let want_rows: Vec<usize> = (0..AXONS).filter(|&a| active[a]).collect();
            assert_eq!(latched, want_rows);
            let want = golden.read_codes(&active);
            for group in 0..GROUPS {
                let (got, waited) = request(
                    &mut sim,
                    &mut rng,
                    SUM_AXON,
                    group,
                    group == 0,
                    group + 1 == GROUPS,
                );
                let lanes = &want[WEIGHT_LANES * group..WEIGHT_LANES * (group + 1)];
                assert_eq!(got, lanes, "round {round} group {group}");
                let want_latency = if group == 0 { read_cycles } else { 1 };
                assert_eq!(waited, want_latency, "group {group}: cycles to the answer");
                nonzero += got.iter().filter(|&&d| d != 0).count();
            }
            assert!(sim.block.array.latched_rows().is_empty(), "rows released");
        }
    }
    assert!(nonzero > 500, "{nonzero} non-zero sums");
}

#[test]
fn crossbar_stage_verilog_lints_with_the_macro_black_boxed() {
    let mut stage = Stage::default();
    stage.clock.connect();
    super::connect_stage_inputs(&mut stage.cfg, &mut stage.port);
    stage.connect_all();
    super::assert_verilog_lints_clean(&stage, "neurofab_crossbar_synapses");
}
