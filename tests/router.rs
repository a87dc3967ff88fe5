//! The mesh NoC on both hardware engines (rust-hdl and the exported Verilog under Verilator):
//! directed tests of one router (routing of every offset from every input, round-robin
//! fairness, full throughput, backpressure), directed and random traffic on 2x1, 2x2, 3x3 and
//! 4x4 meshes (every packet delivered exactly once, at the right node, in order per source and
//! destination, within a drain bound), and cycle-by-cycle agreement of the two engines.
//!
//! Expected values come from the routing rules written out here (the XY rule, one cycle per
//! hop), never from the hardware. Random tests print their seed; `NEUROFAB_SEED=<seed>` replays
//! one. Verilator tests skip when Verilator is missing, except under `CI=true`.

use std::collections::HashMap;
use std::path::Path;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use neurofab::export::noc_verilog::{mesh_verilog, router_verilog, MESH_MODULE, ROUTER_MODULE};
use neurofab::export::tools::require_tool_or_skip;
use neurofab::export::verilator::lint;
use neurofab::rtl::aer::{AerFormat, AerPacket};
use neurofab::rtl::noc::{MeshConfig, NocError};
use neurofab::rtl::noc_sim::rtl_router;
use neurofab::rtl::ports::NocPins;
use neurofab::rtl::router::{Port, PORTS};
use neurofab::sim::noc_traffic::{
    measure_load, mesh_engine, run_traffic, Backpressure, NocEngine, Pattern, Received, Sent,
    TrafficLog, TrafficSpec,
};
use neurofab::sim::verilated_noc::VerilatedNoc;

const MESHES: [(usize, usize); 4] = [(2, 1), (2, 2), (3, 3), (4, 4)];

fn engines() -> Vec<NocEngine> {
    let mut engines = vec![NocEngine::Rtl];
    if require_tool_or_skip("verilator").is_some() {
        engines.push(NocEngine::Verilator);
    }
    engines
}

fn mesh(engine: NocEngine, config: &MeshConfig) -> Box<dyn NocPins> {
    mesh_engine(engine, config).unwrap_or_else(|e| panic!("{engine:?} mesh {config:?}: {e}"))
}

fn router(engine: NocEngine, config: &MeshConfig) -> Box<dyn NocPins> {
    match engine {
        NocEngine::Rtl => rtl_router(config),
        NocEngine::Verilator => Box::new(
            VerilatedNoc::router(config).unwrap_or_else(|e| panic!("Verilator router: {e}")),
        ),
    }
}

/// The test's seed: `NEUROFAB_SEED` if set, else `default`; printed either way.
fn seed(test: &str, default: u64) -> u64 {
    let seed = match std::env::var("NEUROFAB_SEED") {
        Ok(s) => s.parse().expect("NEUROFAB_SEED must be an integer"),
        Err(_) => default,
    };
    eprintln!("{test}: seed {seed} (replay with NEUROFAB_SEED={seed})");
    seed
}

/// The bits of a flit other than its two offsets.
fn payload_mask(format: &AerFormat) -> u32 {
    let offsets = format.dx_bits + format.dy_bits;
    ((1u64 << format.flit_bits()) - 1) as u32 & !((1u32 << offsets) - 1)
}

/// Independent oracle for a traffic log: for every (source, destination) pair the flits that
/// arrive at the destination carrying the source's tag are, in arrival order, exactly the
/// flits the source injected for that destination, in injection order, with the offsets
/// cleared. Since every flit of a source carries a distinct sequence number (mod 1024), this
/// is exactly-once, right-node, in-order delivery.
fn check_delivery(config: &MeshConfig, log: &TrafficLog) -> Result<(), String> {
    let format = config.format();
    let payload = payload_mask(&format);
    let tag_shift = format.tag_shift();
    let mut sent: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
    for s in &log.sent {
        sent.entry((s.src, s.dst))
            .or_default()
            .push(s.flit & payload);
    }
    let mut got: HashMap<(usize, usize), Vec<u32>> = HashMap::new();
    for r in &log.received {
        if r.flit & !payload != 0 {
            return Err(format!(
                "node {} received {:#x} at cycle {} with non-zero offsets",
                r.node, r.flit, r.ejected
            ));
        }
        let src = (r.flit >> tag_shift) as usize;
        got.entry((src, r.node)).or_default().push(r.flit);
    }
    for (pair, flits) in &got {
        let want = sent.get(pair).map(Vec::as_slice).unwrap_or(&[]);
        if flits.as_slice() != want {
            return Err(format!(
                "source {} -> node {}: received {} flits {:x?}..., sent {} {:x?}...",
                pair.0,
                pair.1,
                flits.len(),
                &flits[..flits.len().min(8)],
                want.len(),
                &want[..want.len().min(8)]
            ));
        }
    }
    for (pair, flits) in &sent {
        if !got.contains_key(pair) {
            return Err(format!(
                "source {} -> node {}: {} flits sent, none received",
                pair.0,
                pair.1,
                flits.len()
            ));
        }
    }
    if !log.unsent.is_empty() {
        return Err(format!("{} packets were never injected", log.unsent.len()));
    }
    if !log.drained {
        return Err(format!(
            "not drained within the bound ({} cycles run): deadlock or loss",
            log.cycles
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------- single router, directed

/// The XY rule, written out independently of the router: the output a flit with offsets
/// `(dx, dy)` takes, and its offsets after the hop.
fn xy_hop(dx: i32, dy: i32) -> (Port, i32, i32) {
    if dx > 0 {
        (Port::East, dx - 1, dy)
    } else if dx < 0 {
        (Port::West, dx + 1, dy)
    } else if dy > 0 {
        (Port::South, dx, dy - 1)
    } else if dy < 0 {
        (Port::North, dx, dy + 1)
    } else {
        (Port::Local, 0, 0)
    }
}

fn idle_router(noc: &mut dyn NocPins) {
    for p in 0..PORTS {
        noc.set_inject(p, false, 0);
        noc.set_eject_ready(p, true);
    }
}

/// Every offset the 4x4 format can hold, from every input: the flit leaves on the XY output
/// one cycle after it entered, with the travelled offset moved one step toward zero and every
/// other bit unchanged, and no other output is active.
#[test]
fn router_routes_every_offset_from_every_input() {
    let config = MeshConfig::new(4, 4, 4).unwrap();
    let format = config.format();
    let (min_x, max_x) = format.dx_range();
    let (min_y, max_y) = format.dy_range();
    let seed = seed("router_routes_every_offset_from_every_input", 1);
    for engine in engines() {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut noc = router(engine, &config);
        idle_router(noc.as_mut());
        let mut checked = 0;
        for input in Port::ALL {
            for dx in min_x..=max_x {
                for dy in min_y..=max_y {
                    let packet = AerPacket {
                        dx,
                        dy,
                        axon: rng.gen_range(0..1024),
                        tag: rng.gen_range(0..64),
                    };
                    let flit = format.pack(&packet).unwrap();
                    assert!(noc.inject_ready(input as usize), "{engine:?}: input full");
                    noc.set_inject(input as usize, true, flit);
                    noc.cycle();
                    noc.set_inject(input as usize, false, rng.gen::<u32>() & 0x3f_ffff);
                    let (out, ndx, ndy) = xy_hop(dx, dy);
                    let want = format
                        .pack(&AerPacket {
                            dx: ndx,
                            dy: ndy,
                            ..packet
                        })
                        .unwrap();
                    for port in Port::ALL {
                        let got = noc.eject(port as usize);
                        let expected = (port == out).then_some(want);
                        assert_eq!(
                            got, expected,
                            "{engine:?}: input {input:?}, dx {dx}, dy {dy}: output {port:?}"
                        );
                    }
                    noc.cycle();
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 5 * 8 * 8);
        for port in 0..PORTS {
            assert_eq!(noc.eject(port), None, "{engine:?}: stray flit");
        }
    }
}

/// A stream of flits from `input` with offsets `(dx, dy)`, tagged with the input and numbered.
fn stream_flit(format: &AerFormat, input: Port, dx: i32, dy: i32, n: u32) -> u32 {
    format
        .pack(&AerPacket {
            dx,
            dy,
            axon: n % 1024,
            tag: input as u32,
        })
        .unwrap()
}

/// Streams from `inputs` (with their offsets) into the router for `cycles` cycles, the
/// outputs' ready driven by `ready(cycle, port)`. Returns, per output, the accepted flits, and
/// checks the link protocol on the way: an offered flit that is not taken is offered again,
/// unchanged, in the next cycle.
fn stream(
    noc: &mut dyn NocPins,
    format: &AerFormat,
    inputs: &[(Port, i32, i32)],
    cycles: u64,
    mut ready: impl FnMut(u64, usize) -> bool,
) -> (Vec<Vec<u32>>, Vec<u32>) {
    let mut next = [0u32; PORTS];
    let mut accepted = vec![Vec::new(); PORTS];
    let mut refused = vec![0u32; PORTS];
    let mut stalled: Vec<Option<u32>> = vec![None; PORTS];
    for cycle in 0..cycles {
        for &(input, dx, dy) in inputs {
            let p = input as usize;
            noc.set_inject(p, true, stream_flit(format, input, dx, dy, next[p]));
        }
        let ready: Vec<bool> = (0..PORTS).map(|p| ready(cycle, p)).collect();
        for (p, &r) in ready.iter().enumerate() {
            noc.set_eject_ready(p, r);
        }
        for p in 0..PORTS {
            let out = noc.eject(p);
            if let Some(held) = stalled[p] {
                assert_eq!(
                    out,
                    Some(held),
                    "cycle {cycle}: output {p} changed while stalled"
                );
            }
            stalled[p] = None;
            if let Some(flit) = out {
                if ready[p] {
                    accepted[p].push(flit);
                } else {
                    stalled[p] = Some(flit);
                }
            }
        }
        for &(input, _, _) in inputs {
            let p = input as usize;
            if noc.inject_ready(p) {
                next[p] += 1;
            } else {
                refused[p] += 1;
            }
        }
        noc.cycle();
    }
    (accepted, refused)
}

fn source_of(format: &AerFormat, flit: u32) -> u32 {
    format.unpack(flit).tag
}

/// Two inputs contending for one output every cycle are served alternately, and three in a
/// fixed cyclic order; each source's flits stay in order.
#[test]
fn router_round_robin_alternates() {
    let config = MeshConfig::new(4, 4, 4).unwrap();
    let format = config.format();
    for engine in engines() {
        // West and Local both to East.
        let mut noc = router(engine, &config);
        let inputs = [(Port::West, 2, 0), (Port::Local, 3, 1)];
        let (accepted, _) = stream(noc.as_mut(), &format, &inputs, 60, |_, _| true);
        let east = &accepted[Port::East as usize];
        assert!(
            east.len() >= 55,
            "{engine:?}: only {} flits in 60 cycles",
            east.len()
        );
        let sources: Vec<u32> = east.iter().map(|&f| source_of(&format, f)).collect();
        for pair in sources.windows(2) {
            assert_ne!(pair[0], pair[1], "{engine:?}: not alternating: {sources:?}");
        }
        for input in [Port::West, Port::Local] {
            let numbers: Vec<u32> = east
                .iter()
                .map(|&f| format.unpack(f))
                .filter(|p| p.tag == input as u32)
                .map(|p| p.axon)
                .collect();
            assert_eq!(numbers, (0..numbers.len() as u32).collect::<Vec<_>>());
        }

        // East, West and Local all to South; the output stalls at random. Every window of
        // three accepted flits holds all three sources.
        let mut noc = router(engine, &config);
        let inputs = [(Port::East, 0, 2), (Port::West, 0, 1), (Port::Local, 0, 3)];
        let mut rng = StdRng::seed_from_u64(seed("router_round_robin_alternates", 2));
        let (accepted, _) = stream(noc.as_mut(), &format, &inputs, 150, |_, _| {
            rng.gen_bool(0.6)
        });
        let south: Vec<u32> = accepted[Port::South as usize]
            .iter()
            .map(|&f| source_of(&format, f))
            .collect();
        assert!(south.len() > 60, "{engine:?}: {south:?}");
        for w in south.windows(3) {
            let mut w = w.to_vec();
            w.sort();
            assert_eq!(w, [1, 3, 4], "{engine:?}: not round robin: {south:?}");
        }
    }
}

/// A stalled output keeps offering the flit it offered first, even when an input that would
/// win arbitration in a fresh cycle starts requesting it (West, index 3, beats Local, index 4,
/// from the reset priority); the newcomer goes next.
#[test]
fn router_holds_the_flit_of_a_stalled_output() {
    let config = MeshConfig::new(4, 4, 4).unwrap();
    let format = config.format();
    for engine in engines() {
        let mut noc = router(engine, &config);
        idle_router(noc.as_mut());
        let east = Port::East as usize;
        noc.set_eject_ready(east, false);
        let from_local = stream_flit(&format, Port::Local, 2, 0, 7);
        let from_west = stream_flit(&format, Port::West, 2, 0, 9);
        noc.set_inject(Port::Local as usize, true, from_local);
        noc.cycle();
        noc.set_inject(Port::Local as usize, false, 0);
        noc.set_inject(Port::West as usize, true, from_west);
        noc.cycle();
        noc.set_inject(Port::West as usize, false, 0);
        let moved = |f: u32| f - 1; // dx 2 -> 1 in the lowest bits
        for cycle in 0..5 {
            assert_eq!(
                noc.eject(east),
                Some(moved(from_local)),
                "{engine:?}: stalled cycle {cycle}"
            );
            noc.cycle();
        }
        noc.set_eject_ready(east, true);
        let mut got = Vec::new();
        for _ in 0..3 {
            got.extend(noc.eject(east));
            noc.cycle();
        }
        assert_eq!(got, [moved(from_local), moved(from_west)], "{engine:?}");
    }
}

/// Five streams to five different outputs move one flit per cycle each, and the inputs never
/// refuse a flit.
#[test]
fn router_full_throughput_without_contention() {
    let config = MeshConfig::new(4, 4, 2).unwrap();
    let format = config.format();
    for engine in engines() {
        let mut noc = router(engine, &config);
        // North input travels South, South input North, West input East, East input West.
        let inputs = [
            (Port::North, 0, 3),
            (Port::South, 0, -3),
            (Port::West, 3, 0),
            (Port::East, -3, 0),
            (Port::Local, 0, 0),
        ];
        let cycles = 200;
        let (accepted, refused) = stream(noc.as_mut(), &format, &inputs, cycles, |_, _| true);
        assert_eq!(
            refused,
            vec![0; PORTS],
            "{engine:?}: an input refused a flit"
        );
        for (input, out) in [
            (Port::North, Port::South),
            (Port::South, Port::North),
            (Port::West, Port::East),
            (Port::East, Port::West),
            (Port::Local, Port::Local),
        ] {
            let flits = &accepted[out as usize];
            // The first flit needs one cycle to reach the head of its FIFO.
            assert_eq!(flits.len() as u64, cycles - 1, "{engine:?}: {out:?}");
            assert!(flits.iter().all(|&f| source_of(&format, f) == input as u32));
        }
    }
}

/// An output that is ready only now and then: the input FIFO fills and refuses flits, nothing
/// is lost or duplicated, order is kept, and the offered flit never changes while stalled
/// (checked inside `stream`).
#[test]
fn router_backpressure_keeps_every_flit() {
    let config = MeshConfig::new(4, 4, 4).unwrap();
    let format = config.format();
    let seed = seed("router_backpressure_keeps_every_flit", 3);
    for engine in engines() {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut noc = router(engine, &config);
        let inputs = [(Port::Local, 1, -2)];
        let cycles = 400;
        let (accepted, refused) = stream(noc.as_mut(), &format, &inputs, cycles, |_, _| {
            rng.gen_bool(0.3)
        });
        let local = Port::Local as usize;
        assert!(refused[local] > 100, "{engine:?}: the FIFO never filled");
        let east = &accepted[Port::East as usize];
        let numbers: Vec<u32> = east.iter().map(|&f| format.unpack(f).axon).collect();
        assert_eq!(
            numbers,
            (0..east.len() as u32).collect::<Vec<_>>(),
            "{engine:?}"
        );
        // Accepted into the FIFO = delivered + still stored (at most the depth).
        let taken = cycles as usize - refused[local] as usize;
        assert!(
            taken >= east.len() && taken - east.len() <= config.fifo_depth,
            "{engine:?}: {taken} taken, {} delivered",
            east.len()
        );
    }
}

// ---------------------------------------------------------------- mesh, directed

/// One packet at a time between every pair of nodes: it arrives at its destination only,
/// `hops + 1` cycles after injection, with zero offsets and its payload intact.
#[test]
fn mesh_delivers_every_pair_in_hops_plus_one_cycles() {
    for engine in engines() {
        for (w, h) in MESHES {
            let config = MeshConfig::new(w, h, 2).unwrap();
            let format = config.format();
            let mut noc = mesh(engine, &config);
            let n = config.nodes();
            for i in 0..n {
                noc.set_inject(i, false, 0);
                noc.set_eject_ready(i, true);
            }
            for src in 0..n {
                for dst in 0..n {
                    let axon = ((src * 31 + dst * 7) % 1024) as u32;
                    let flit = config.flit(src, dst, axon, src as u32).unwrap();
                    assert!(noc.inject_ready(src));
                    noc.set_inject(src, true, flit);
                    noc.cycle();
                    noc.set_inject(src, false, 0);
                    let (sx, sy) = config.coords(src);
                    let (tx, ty) = config.coords(dst);
                    let hops = sx.abs_diff(tx) + sy.abs_diff(ty);
                    for _ in 0..hops {
                        for node in 0..n {
                            assert_eq!(noc.eject(node), None, "{engine:?} {w}x{h}: early");
                        }
                        noc.cycle();
                    }
                    let arrived = flit & payload_mask(&format);
                    for node in 0..n {
                        let want = (node == dst).then_some(arrived);
                        assert_eq!(
                            noc.eject(node),
                            want,
                            "{engine:?} {w}x{h}: {src} -> {dst}, node {node}"
                        );
                    }
                    noc.cycle();
                }
            }
        }
    }
}

/// A flit whose offset leads off the mesh (only a wrong offset can) is dropped at the boundary
/// instead of blocking its input: the packets after it still arrive, and nothing else does.
#[test]
fn mesh_drops_flits_addressed_off_the_mesh() {
    let config = MeshConfig::new(4, 4, 2).unwrap();
    let format = config.format();
    for engine in engines() {
        let mut noc = mesh(engine, &config);
        for i in 0..config.nodes() {
            noc.set_inject(i, false, 0);
            noc.set_eject_ready(i, true);
        }
        // Records what node 5 (the only destination) receives, then advances a cycle.
        let mut got = Vec::new();
        let mut step = |noc: &mut dyn NocPins| {
            for node in 0..config.nodes() {
                if let Some(flit) = noc.eject(node) {
                    assert_eq!(node, 5, "{engine:?}: flit {flit:#x} at node {node}");
                    got.push(flit);
                }
            }
            noc.cycle();
        };
        // (source, dx, dy): off the West, North, East and South edges, one after two hops.
        let bad = [(0, -1, 0), (0, 0, -2), (15, 1, 0), (13, 0, 1), (1, 3, 0)];
        let mut expected = Vec::new();
        for (i, &(src, dx, dy)) in bad.iter().enumerate() {
            let flit = format
                .pack(&AerPacket {
                    dx,
                    dy,
                    axon: 100 + i as u32,
                    tag: 63,
                })
                .unwrap();
            assert!(noc.inject_ready(src));
            noc.set_inject(src, true, flit);
            step(noc.as_mut());
            let good = config.flit(src, 5, 1 + i as u32, src as u32).unwrap();
            assert!(noc.inject_ready(src));
            noc.set_inject(src, true, good);
            step(noc.as_mut());
            noc.set_inject(src, false, 0);
            expected.push(good & payload_mask(&format));
        }
        for _ in 0..40 {
            step(noc.as_mut());
        }
        // Packets from different sources may arrive in either order.
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{engine:?}");
    }
}

// ---------------------------------------------------------------- mesh, random traffic

fn traffic_test(
    name: &str,
    default_seed: u64,
    meshes: &[(usize, usize)],
    spec: impl Fn(&MeshConfig, &mut StdRng) -> TrafficSpec,
) {
    let seed = seed(name, default_seed);
    for engine in engines() {
        for &(w, h) in meshes {
            let mut rng = StdRng::seed_from_u64(seed ^ (w * 16 + h) as u64);
            // Both FIFO depths the other tests use, so that a cold Verilator cache builds few
            // distinct models.
            let depth = if w * h >= 16 { 4 } else { 2 };
            let config = MeshConfig::new(w, h, depth).unwrap();
            let spec = spec(&config, &mut rng);
            let mut noc = mesh(engine, &config);
            let log = run_traffic(noc.as_mut(), &config, &spec, &mut rng).unwrap();
            if let Err(e) = check_delivery(&config, &log) {
                panic!("{name}, seed {seed}, {engine:?}, {w}x{h} depth {depth}, {spec:?}: {e}");
            }
            assert!(
                log.sent.len() as f64
                    > 0.5 * spec.rate * (spec.inject_cycles * config.nodes() as u64) as f64,
                "too little traffic: {}",
                log.sent.len()
            );
            // The library's scoreboard agrees with the oracle above.
            log.deliveries(&config).unwrap();
        }
    }
}

/// Uniform random destinations, random injection rates and random eject backpressure.
#[test]
fn mesh_uniform_random_traffic() {
    traffic_test("mesh_uniform_random_traffic", 10, &MESHES, |_, rng| {
        TrafficSpec {
            pattern: Pattern::Uniform,
            rate: rng.gen_range(0.2..0.8),
            inject_cycles: 300,
            backpressure: Backpressure::Random(rng.gen_range(0.5..1.0)),
            drain_cycles: 5_000,
        }
    });
}

/// Transpose: `(x, y)` sends to `(y, x)`, which loads the links around the diagonal.
#[test]
fn mesh_transpose_traffic() {
    traffic_test(
        "mesh_transpose_traffic",
        20,
        &[(2, 2), (3, 3), (4, 4)],
        |_, rng| TrafficSpec {
            pattern: Pattern::Transpose,
            rate: rng.gen_range(0.3..0.9),
            inject_cycles: 300,
            backpressure: Backpressure::Random(rng.gen_range(0.6..1.0)),
            drain_cycles: 5_000,
        },
    );
}

/// Every node sends to one node, whose eject link stalls for long bursts: the mesh fills up
/// completely (sources wait hundreds of cycles to inject), and still nothing is lost,
/// duplicated or reordered, and everything drains once injection stops.
#[test]
fn mesh_hotspot_with_long_stalls_loses_nothing() {
    let seed = seed("mesh_hotspot_with_long_stalls_loses_nothing", 30);
    for engine in engines() {
        for (w, h) in [(3, 3), (4, 4)] {
            let mut rng = StdRng::seed_from_u64(seed ^ (w * 16 + h) as u64);
            let config = MeshConfig::new(w, h, 2).unwrap();
            let hotspot = rng.gen_range(0..config.nodes());
            let spec = TrafficSpec {
                pattern: Pattern::Hotspot(hotspot),
                rate: 0.4,
                inject_cycles: 150,
                // Stalls of 40 cycles on average, a quarter of the time stalled.
                backpressure: Backpressure::Bursty {
                    start: 1.0 / 120.0,
                    end: 1.0 / 40.0,
                },
                drain_cycles: 20_000,
            };
            let mut noc = mesh(engine, &config);
            let log = run_traffic(noc.as_mut(), &config, &spec, &mut rng).unwrap();
            if let Err(e) = check_delivery(&config, &log) {
                panic!("seed {seed}, {engine:?}, {w}x{h}, hotspot {hotspot}: {e}");
            }
            let waited = log.sent.iter().map(|s| s.injected - s.generated).max();
            assert!(
                waited > Some(200),
                "{engine:?} {w}x{h}: the mesh never filled (longest wait {waited:?})"
            );
            // The hotspot's eject link is the bottleneck: one flit per cycle at most.
            let last = log.received.last().unwrap().ejected;
            let first = log.received[0].ejected;
            assert!(last - first + 1 >= log.received.len() as u64);
        }
    }
}

// ---------------------------------------------------------------- the two engines agree

fn compare_engines(mut a: Box<dyn NocPins>, mut b: Box<dyn NocPins>, flit_bits: u32, seed: u64) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mask = ((1u64 << flit_bits) - 1) as u32;
    let ports = a.ports();
    for cycle in 0..1500 {
        for p in 0..ports {
            let valid = rng.gen_bool(0.5);
            let flit = rng.gen::<u32>() & mask;
            let ready = rng.gen_bool(0.7);
            for noc in [&mut a, &mut b] {
                noc.set_inject(p, valid, flit);
                noc.set_eject_ready(p, ready);
            }
        }
        for p in 0..ports {
            assert_eq!(
                a.inject_ready(p),
                b.inject_ready(p),
                "cycle {cycle} port {p} ready"
            );
            assert_eq!(a.eject(p), b.eject(p), "cycle {cycle} port {p} eject");
        }
        a.cycle();
        b.cycle();
    }
}

/// rust-hdl and Verilator agree on every output in every cycle under random stimulus (random
/// flits, including offsets that leave the mesh, and random backpressure).
#[test]
fn engines_agree_cycle_by_cycle() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let seed = seed("engines_agree_cycle_by_cycle", 40);
    // The same models as the directed tests build.
    let config = MeshConfig::new(3, 3, 2).unwrap();
    let bits = config.format().flit_bits();
    compare_engines(
        rtl_router(&config),
        router(NocEngine::Verilator, &config),
        bits,
        seed,
    );
    compare_engines(
        mesh(NocEngine::Rtl, &config),
        mesh(NocEngine::Verilator, &config),
        bits,
        seed + 1,
    );
}

// ---------------------------------------------------------------- oracle, Verilog, errors

/// The oracle above catches each kind of fault when it is planted in a correct log.
#[test]
fn oracle_catches_planted_faults() {
    let config = MeshConfig::new(3, 3, 2).unwrap();
    let mut rng = StdRng::seed_from_u64(5);
    let spec = TrafficSpec {
        pattern: Pattern::Uniform,
        rate: 0.5,
        inject_cycles: 100,
        backpressure: Backpressure::None,
        drain_cycles: 1_000,
    };
    let mut noc = mesh(NocEngine::Rtl, &config);
    let log = run_traffic(noc.as_mut(), &config, &spec, &mut rng).unwrap();
    check_delivery(&config, &log).unwrap();
    let mutate = |f: &dyn Fn(&mut Vec<Received>)| {
        let mut bad = log.clone();
        f(&mut bad.received);
        bad
    };
    let payload = payload_mask(&config.format());
    // Two flits of one pair, to swap.
    let pair = |r: &Received| (r.flit >> config.format().tag_shift(), r.node);
    let (i, j) = (0..log.received.len())
        .flat_map(|i| (i + 1..log.received.len()).map(move |j| (i, j)))
        .find(|&(i, j)| pair(&log.received[i]) == pair(&log.received[j]))
        .expect("some pair carries two flits");
    let faults: Vec<(&str, TrafficLog)> = vec![
        (
            "lost",
            mutate(&|r| {
                r.remove(7);
            }),
        ),
        (
            "duplicated",
            mutate(&|r| {
                let x = r[7];
                r.insert(8, x);
            }),
        ),
        ("reordered", mutate(&|r| r.swap(i, j))),
        ("wrong node", mutate(&|r| r[3].node = (r[3].node + 1) % 9)),
        ("payload bit", mutate(&|r| r[3].flit ^= 1 << 12)),
        ("offset left", mutate(&|r| r[3].flit |= 1)),
        ("not drained", {
            let mut bad = log.clone();
            bad.drained = false;
            bad
        }),
        ("unsent", {
            let mut bad = log.clone();
            bad.unsent.push(3);
            bad
        }),
        ("extra packet", {
            let mut bad = log.clone();
            bad.sent.push(Sent {
                src: 0,
                dst: 8,
                flit: config.flit(0, 8, 999, 0).unwrap(),
                generated: 0,
                injected: 0,
            });
            bad
        }),
    ];
    assert!(payload & (1 << 12) != 0);
    for (name, bad) in faults {
        assert!(
            check_delivery(&config, &bad).is_err(),
            "oracle missed: {name}"
        );
    }
}

/// The exported router and meshes pass `verilator --lint-only -Wall` with the project waivers.
#[test]
fn noc_verilog_lints_clean() {
    if require_tool_or_skip("verilator").is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let waivers = root.join("testbenches").join("lint_waivers.vlt");
    let dir = tempfile::tempdir().unwrap();
    for depth in [2, 4] {
        let config = MeshConfig::new(4, 4, depth).unwrap();
        let path = dir.path().join(format!("{ROUTER_MODULE}_{depth}.v"));
        std::fs::write(&path, router_verilog(&config)).unwrap();
        if let Err(e) = lint(&path, ROUTER_MODULE, Some(&waivers)) {
            panic!("router, depth {depth}: {e}");
        }
    }
    for (w, h) in MESHES {
        let config = MeshConfig::new(w, h, 2).unwrap();
        let path = dir.path().join(format!("{MESH_MODULE}_{w}x{h}.v"));
        std::fs::write(&path, mesh_verilog(&config)).unwrap();
        if let Err(e) = lint(&path, MESH_MODULE, Some(&waivers)) {
            panic!("{w}x{h} mesh: {e}");
        }
    }
}

#[test]
fn configuration_errors_are_typed() {
    assert_eq!(
        MeshConfig::new(9, 2, 2),
        Err(NocError::Unsupported {
            width: 9,
            height: 2
        })
    );
    assert!(matches!(MeshConfig::new(0, 2, 2), Err(NocError::Aer(_))));
    assert_eq!(MeshConfig::new(2, 2, 0), Err(NocError::FifoDepth(0)));
    assert_eq!(MeshConfig::new(2, 2, 17), Err(NocError::FifoDepth(17)));
    let config = MeshConfig::new(2, 2, 2).unwrap();
    assert_eq!(
        config.flit(0, 4, 0, 0),
        Err(NocError::NoSuchNode { node: 4, nodes: 4 })
    );
    assert!(matches!(config.flit(0, 1, 1024, 0), Err(NocError::Aer(_))));
}

/// At a low uniform load the measured network latency is the zero-load latency of XY routing
/// at one cycle per hop: `E[hops] + 1`, with `E|x1 - x2| = (W^2 - 1) / (3W)` for independent
/// uniform columns (likewise rows), plus a little contention; and the mesh accepts what is
/// offered.
#[test]
fn measured_latency_matches_zero_load_analysis() {
    let seed = seed("measured_latency_matches_zero_load_analysis", 50);
    for engine in engines() {
        let config = MeshConfig::new(3, 3, 2).unwrap();
        let mut rng = StdRng::seed_from_u64(seed);
        let mut noc = mesh(engine, &config);
        let rate = 0.04;
        let point = measure_load(noc.as_mut(), &config, rate, 200, 4_000, 200, &mut rng).unwrap();
        let mean_distance = |k: f64| (k * k - 1.0) / (3.0 * k);
        let zero_load = mean_distance(3.0) + mean_distance(3.0) + 1.0;
        assert!(
            // About 1400 packets: the sample mean's standard deviation is ~0.03 cycles.
            point.mean_network_latency >= zero_load - 0.15
                && point.mean_network_latency <= zero_load + 0.25,
            "{engine:?}: {point:?}, zero-load latency {zero_load:.3}"
        );
        assert!(
            !point.saturated && (point.accepted - rate).abs() < 0.01,
            "{point:?}"
        );
        assert!(point.packets > 1_000, "{point:?}");
    }
}

/// The extreme sizes of the generator's presets (1-bit and 4-bit offset fields, a single row
/// and a single column) deliver random traffic too (rust-hdl only: Verilator would build four
/// more models, one of them 64 routers).
#[test]
fn extreme_mesh_sizes_deliver() {
    let seed = seed("extreme_mesh_sizes_deliver", 60);
    for (w, h) in [(1, 1), (8, 1), (1, 8), (8, 8)] {
        let config = MeshConfig::new(w, h, 2).unwrap();
        let mut rng = StdRng::seed_from_u64(seed ^ (w * 16 + h) as u64);
        let spec = TrafficSpec {
            pattern: Pattern::Uniform,
            rate: 0.3,
            inject_cycles: 60,
            backpressure: Backpressure::Random(0.8),
            drain_cycles: 2_000,
        };
        let mut noc = mesh(NocEngine::Rtl, &config);
        let log = run_traffic(noc.as_mut(), &config, &spec, &mut rng).unwrap();
        if let Err(e) = check_delivery(&config, &log) {
            panic!("seed {seed}, {w}x{h}: {e}");
        }
        assert!(!log.sent.is_empty());
    }
}
