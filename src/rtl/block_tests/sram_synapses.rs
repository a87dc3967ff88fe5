//! `SramSynapses` at its own ports against [`SramWordMemory`]: random configuration rounds,
//! then random request streams with random `rsp_ready` stalls; every response word is
//! compared, and the stage's timing (always ready, one cycle latency, a response held
//! unchanged while stalled) is checked. The requester keeps the port's rule: at most one
//! request outstanding, a new one only when none is or in the cycle its response is taken.

use std::collections::VecDeque;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_hdl::prelude::*;

use crate::model::synapse::{SramWordMemory, WORD_LANES};
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::layout::CfgTarget;
use crate::rtl::sram_synapses::SramSynapses;

/// A 64-neuron, 32-axon stage: 16 groups, 512 words.
type Stage = SramSynapses<6, 5, 4, 9>;
const AXON_BITS: u32 = 5;
const GROUP_BITS: u32 = 4;

fn lanes(stage: &Stage) -> [i64; WORD_LANES] {
    super::response_lanes(&stage.port)
}

#[test]
fn sram_synapses_answer_every_request_with_the_configured_word() {
    let mut stage = Stage::default();
    stage.clock.connect();
    super::connect_stage_inputs(&mut stage.cfg, &mut stage.port);
    stage.connect_all();
    let mut sim = Clocked::new(stage, |s| &mut s.clock, "SramSynapses");
    let mut golden = SramWordMemory::new(AXON_BITS, GROUP_BITS);
    let mut rng = StdRng::seed_from_u64(0x5a4);
    let (mut answered, mut stalled) = (0, 0);
    for round in 0..40 {
        // Configuration: random words, some to other targets (which the stage must ignore).
        for _ in 0..rng.gen_range(1..200) {
            let addr: u32 = rng.gen_range(0..1 << (AXON_BITS + GROUP_BITS));
            let data: u32 = rng.gen();
            let target = if rng.gen_bool(0.8) {
                CfgTarget::Synapse
            } else {
                CfgTarget::ALL[rng.gen_range(1..CfgTarget::ALL.len())]
            };
            if target == CfgTarget::Synapse {
                golden.write(addr, data);
            }
            let block = &mut sim.block;
            poke(&mut block.cfg.write, true);
            poke(&mut block.cfg.target, (target as u64).into());
            poke(&mut block.cfg.addr, u64::from(addr).into());
            poke(&mut block.cfg.data, u64::from(data).into());
            sim.mark_dirty();
            sim.rise();
        }
        poke(&mut sim.block.cfg.write, false);
        sim.mark_dirty();

        // Requests: (axon, group) in flight, oldest first; the response shown last cycle.
        let mut in_flight: VecDeque<(u32, u32)> = VecDeque::new();
        let mut shown: Option<[i64; WORD_LANES]> = None;
        let busy_fraction = [0.0, 0.3, 0.7][round % 3];
        for _ in 0..300 {
            let (axon, group) = (
                rng.gen_range(0..1 << AXON_BITS),
                rng.gen_range(0..1 << GROUP_BITS),
            );
            let rsp_ready = !rng.gen_bool(busy_fraction);
            // The port's rule: a request only when nothing is outstanding or the outstanding
            // response is taken in this cycle.
            let may_issue = in_flight.is_empty() || rsp_ready;
            let req_valid = may_issue && rng.gen_bool(0.7);
            let block = &mut sim.block;
            poke(&mut block.port.req_valid, req_valid);
            poke(&mut block.port.req_axon, u64::from(axon).into());
            poke(&mut block.port.req_group, u64::from(group).into());
            poke(&mut block.port.rsp_ready, rsp_ready);
            sim.mark_dirty();
            sim.settle_if_dirty();
            let port = &sim.block.port;
            assert!(!port.stage_busy.val());
            assert!(port.req_ready.val());
            if port.rsp_valid.val() {
                let (a, g) = *in_flight.front().expect("a response without a request");
                let got = lanes(&sim.block);
                assert_eq!(got, golden.lanes(a, g), "axon {a} group {g}");
                if let Some(previous) = shown {
                    assert_eq!(got, previous, "a stalled response changed");
                }
                shown = Some(got);
                if rsp_ready {
                    in_flight.pop_front();
                    shown = None;
                    answered += 1;
                } else {
                    stalled += 1;
                }
            } else {
                // One cycle latency: nothing may still be in flight when nothing is shown.
                assert!(in_flight.is_empty(), "a response was late");
            }
            if req_valid {
                in_flight.push_back((axon, group));
            }
            assert!(in_flight.len() <= 1);
            sim.rise();
        }
        // Drain.
        poke(&mut sim.block.port.req_valid, false);
        poke(&mut sim.block.port.rsp_ready, true);
        sim.mark_dirty();
        sim.rise();
    }
    assert!(
        answered > 5000 && stalled > 1000,
        "{answered} answered, {stalled} stalled"
    );
}
