//! Synthetic traffic for the mesh NoC: a cycle-level driver that records every flit sent and
//! received, a scoreboard, and throughput/latency measurement (used by the tests and by
//! `benches/noc.rs`).
//!
//! # Traffic model
//! Each node owns an unbounded source queue. Every cycle of the generation window it creates a
//! packet with probability `rate` (a Bernoulli process, so `rate` is the offered load in
//! flits/cycle/node), addressed by the [`Pattern`]. The queue's head is offered on the node's
//! inject link until the mesh takes it; while the queue is empty the inject link is idle and
//! carries random garbage, which the mesh must ignore. Eject links are throttled by a
//! [`Backpressure`] model. Packets carry the source node in the tag field and the source's
//! running packet count (mod 2^10) in the axon field, so the receiver can tell every packet
//! apart from the up to 1023 others a source sent before it.
//!
//! # Latency and throughput
//! Cycle `c` is the cycle that ends with the `c`-th rising edge (counting from 0); a flit is
//! *injected* or *ejected* in the cycle whose edge moves it. *Latency* is ejection minus
//! generation (source queueing included, the usual open-loop definition); *network latency* is
//! ejection minus injection. Uncontended, a flit crossing `h` links between routers has a
//! network latency of `h + 1` cycles (one per router, see [`crate::rtl::router`]).
//!
//! # Throughput bound of XY routing under uniform traffic
//! With uniform traffic (each packet to any of the `N = W*H` nodes, itself included, with
//! probability `1/N`) at `λ` flits/cycle/node, the eastward link from column `i` to `i + 1` of a
//! row carries the packets of the row's `i + 1` nodes west of it whose destination column is
//! east of it (XY routing moves along the source's row first):
//! `λ (i + 1)(W - 1 - i) / W`. The southward link from row `j` to `j + 1` of a column carries
//! the packets of the `W (j + 1)` nodes north of it that turn into this column (probability
//! `1/W`) and end south of it: `λ (j + 1)(H - 1 - j) / H`. Westward and northward links are
//! symmetric. Each is largest in the middle, `λ ⌊W/2⌋⌈W/2⌉ / W` (resp. `H`); a link carries at
//! most one flit per cycle, and each node's inject and eject link at most one, so
//!
//! `λ_max = min(1, W / (⌊W/2⌋⌈W/2⌉), H / (⌊H/2⌋⌈H/2⌉))`.
//!
//! For a `k x k` mesh with even `k` this is the bisection bound `4/k` (capped at 1): 1.0 for
//! 4x4 (the centre links and the eject links saturate together) and 1.0 for 2x2 (the eject
//! links saturate first; the bisection alone would allow 2.0). [`uniform_xy_bound`] computes
//! it; a test checks it against a brute-force count of XY paths.

use std::collections::VecDeque;

use rand::Rng;
use thiserror::Error;

use crate::export::verilator::VerilatorError;
use crate::rtl::aer::{AerPacket, AXON_BITS};
use crate::rtl::noc::{MeshConfig, NocError};
use crate::rtl::noc_sim::rtl_mesh;
use crate::rtl::ports::NocPins;
use crate::sim::verilated_noc::VerilatedNoc;

/// Which engine simulates the mesh.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NocEngine {
    /// rust-hdl, single-threaded `simulate()`.
    Rtl,
    /// The exported Verilog under Verilator.
    Verilator,
}

/// A mesh of `config` on `engine`.
pub fn mesh_engine(
    engine: NocEngine,
    config: &MeshConfig,
) -> Result<Box<dyn NocPins>, VerilatorError> {
    Ok(match engine {
        NocEngine::Rtl => rtl_mesh(config),
        NocEngine::Verilator => Box::new(VerilatedNoc::mesh(config)?),
    })
}

/// Destination of each generated packet.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Pattern {
    /// Any node, the source included, with equal probability.
    Uniform,
    /// `(x, y)` sends to `(y, x)` (square meshes; diagonal nodes send to themselves).
    Transpose,
    /// Every node sends to this node.
    Hotspot(usize),
}

impl Pattern {
    fn destination(&self, config: &MeshConfig, src: usize, rng: &mut impl Rng) -> usize {
        match *self {
            Pattern::Uniform => rng.gen_range(0..config.nodes()),
            Pattern::Transpose => {
                let (x, y) = config.coords(src);
                config.node(y, x)
            }
            Pattern::Hotspot(node) => node,
        }
    }
}

/// How the eject links are throttled.
#[derive(Copy, Clone, Debug, PartialEq)]
pub enum Backpressure {
    /// Always ready.
    None,
    /// Ready with this probability, independently every cycle.
    Random(f64),
    /// Stalls: a ready link stalls with probability `start` per cycle, a stalled one resumes
    /// with probability `end` (mean stall `1/end` cycles).
    Bursty {
        /// Probability per cycle that a stall starts.
        start: f64,
        /// Probability per cycle that a stall ends.
        end: f64,
    },
}

/// One traffic experiment.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct TrafficSpec {
    /// Destinations.
    pub pattern: Pattern,
    /// Offered load, flits/cycle/node (`0..=1`).
    pub rate: f64,
    /// Cycles during which packets are generated.
    pub inject_cycles: u64,
    /// Eject throttling.
    pub backpressure: Backpressure,
    /// After generation stops, every packet must be delivered within this many cycles.
    pub drain_cycles: u64,
}

/// A packet handed to the mesh.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Sent {
    /// Source node.
    pub src: usize,
    /// Destination node.
    pub dst: usize,
    /// The flit as injected.
    pub flit: u32,
    /// Cycle it was generated.
    pub generated: u64,
    /// Cycle it entered the mesh.
    pub injected: u64,
}

/// A flit taken from an eject link.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Received {
    /// The node whose eject link it left.
    pub node: usize,
    /// The flit.
    pub flit: u32,
    /// Cycle it left the mesh.
    pub ejected: u64,
}

/// Everything that happened in one experiment.
#[derive(Clone, Debug, Default)]
pub struct TrafficLog {
    /// Injected packets, in injection order (ties: by node).
    pub sent: Vec<Sent>,
    /// Ejected flits, in ejection order (ties: by node).
    pub received: Vec<Received>,
    /// Generation cycles of the packets never injected (left in their source queues when the
    /// run ended).
    pub unsent: Vec<u64>,
    /// Cycles simulated.
    pub cycles: u64,
    /// Everything generated was delivered within the drain bound.
    pub drained: bool,
}

/// Why a log does not show exactly-once, in-order delivery.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ScoreboardError {
    /// A flit arrived that no source sent to this node (or that was already delivered), or
    /// arrived before an earlier packet of the same source and destination.
    #[error("cycle {cycle}: node {node} received {flit:#x} ({packet:?}), expected {expected}")]
    Unexpected {
        /// Ejection cycle.
        cycle: u64,
        /// Receiving node.
        node: usize,
        /// The flit.
        flit: u32,
        /// The flit unpacked.
        packet: AerPacket,
        /// What the scoreboard expected from that source at that node.
        expected: String,
    },
    /// Packets were never delivered.
    #[error("{count} packets never arrived, e.g. {example:?}")]
    Lost {
        /// How many.
        count: usize,
        /// The first one.
        example: Sent,
    },
}

/// A delivered packet.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    /// The packet as sent.
    pub sent: Sent,
    /// Cycle it left the mesh.
    pub ejected: u64,
}

impl TrafficLog {
    /// Matches every received flit to the packet it delivers: the oldest undelivered packet
    /// from the source named by its tag to the receiving node, which must carry the same flit
    /// with zero offsets. Fails on the first flit that is not that packet, or if packets are
    /// left over.
    pub fn deliveries(&self, config: &MeshConfig) -> Result<Vec<Delivery>, ScoreboardError> {
        let format = config.format();
        let n = config.nodes();
        // Per (source, destination): packets not yet delivered, oldest first.
        let mut pending: Vec<VecDeque<Sent>> = vec![VecDeque::new(); n * n];
        let mut sent = self.sent.iter().peekable();
        let mut out = Vec::with_capacity(self.received.len());
        for r in &self.received {
            // Packets are injected strictly before they are ejected.
            while let Some(s) = sent.next_if(|s| s.injected < r.ejected) {
                pending[s.src * n + s.dst].push_back(*s);
            }
            let packet = format.unpack(r.flit);
            let src = packet.tag as usize;
            let queue = pending.get_mut(src * n + r.node);
            let head = queue.as_ref().and_then(|q| q.front().copied());
            match head {
                // The flit must be the packet as sent with both offsets worked down to zero.
                Some(s) if r.flit == arrived_flit(&format, s.flit) => {
                    queue.expect("head exists").pop_front();
                    out.push(Delivery {
                        sent: s,
                        ejected: r.ejected,
                    });
                }
                _ => {
                    return Err(ScoreboardError::Unexpected {
                        cycle: r.ejected,
                        node: r.node,
                        flit: r.flit,
                        packet,
                        expected: match head {
                            Some(s) => {
                                format!("{:#x} from node {src}", arrived_flit(&format, s.flit))
                            }
                            None => format!("nothing from node {src}"),
                        },
                    })
                }
            }
        }
        let mut left: Vec<Sent> = pending.into_iter().flatten().chain(sent.copied()).collect();
        if left.is_empty() {
            Ok(out)
        } else {
            left.sort_by_key(|s| s.injected);
            Err(ScoreboardError::Lost {
                count: left.len(),
                example: left[0],
            })
        }
    }
}

/// The flit as it should arrive: offsets zero, everything else as sent.
fn arrived_flit(format: &crate::rtl::aer::AerFormat, flit: u32) -> u32 {
    let p = format.unpack(flit);
    format
        .pack(&AerPacket { dx: 0, dy: 0, ..p })
        .expect("a field of an unpacked flit fits again")
}

struct Pending {
    dst: usize,
    flit: u32,
    generated: u64,
}

/// Runs `spec` on `noc` (a mesh of `config`): generates, injects and ejects until generation
/// has stopped and every generated packet is delivered, or the drain bound is hit.
pub fn run_traffic(
    noc: &mut dyn NocPins,
    config: &MeshConfig,
    spec: &TrafficSpec,
    rng: &mut impl Rng,
) -> Result<TrafficLog, NocError> {
    let n = config.nodes();
    assert_eq!(
        noc.ports(),
        n,
        "the fabric does not match the mesh configuration"
    );
    assert!(
        (0.0..=1.0).contains(&spec.rate),
        "offered load {} is not a probability",
        spec.rate
    );
    if let Pattern::Hotspot(node) = spec.pattern {
        if node >= n {
            return Err(NocError::NoSuchNode { node, nodes: n });
        }
    }
    let mut queues: Vec<VecDeque<Pending>> = (0..n).map(|_| VecDeque::new()).collect();
    let mut seq = vec![0u32; n];
    let mut stalled = vec![false; n];
    let mut log = TrafficLog::default();
    let flit_mask = (1u64 << config.format().flit_bits()) - 1;
    let deadline = spec.inject_cycles + spec.drain_cycles;
    loop {
        let cycle = noc.cycles();
        let generating = cycle < spec.inject_cycles;
        if generating {
            for (src, queue) in queues.iter_mut().enumerate() {
                if rng.gen_bool(spec.rate) {
                    let dst = spec.pattern.destination(config, src, rng);
                    let flit = config.flit(src, dst, seq[src], src as u32)?;
                    seq[src] = (seq[src] + 1) % (1 << AXON_BITS);
                    queue.push_back(Pending {
                        dst,
                        flit,
                        generated: cycle,
                    });
                }
            }
        }
        let in_flight = log.sent.len() - log.received.len();
        if !generating && in_flight == 0 && queues.iter().all(VecDeque::is_empty) {
            log.drained = true;
            break;
        }
        if cycle >= deadline {
            break;
        }
        // All inputs first, then all outputs: an engine settles once per batch of input
        // changes, and no output depends on this cycle's inputs anyway.
        let mut eject_ready = vec![true; n];
        for (node, queue) in queues.iter().enumerate() {
            match queue.front() {
                Some(p) => noc.set_inject(node, true, p.flit),
                None => noc.set_inject(node, false, (rng.gen::<u64>() & flit_mask) as u32),
            }
            eject_ready[node] = match spec.backpressure {
                Backpressure::None => true,
                Backpressure::Random(p) => rng.gen_bool(p),
                Backpressure::Bursty { start, end } => {
                    stalled[node] = if stalled[node] {
                        !rng.gen_bool(end)
                    } else {
                        rng.gen_bool(start)
                    };
                    !stalled[node]
                }
            };
            noc.set_eject_ready(node, eject_ready[node]);
        }
        for (node, &ready) in eject_ready.iter().enumerate() {
            if let Some(flit) = noc.eject(node) {
                if ready {
                    log.received.push(Received {
                        node,
                        flit,
                        ejected: cycle,
                    });
                }
            }
        }
        for (src, queue) in queues.iter_mut().enumerate() {
            if !queue.is_empty() && noc.inject_ready(src) {
                let p = queue.pop_front().expect("not empty");
                log.sent.push(Sent {
                    src,
                    dst: p.dst,
                    flit: p.flit,
                    generated: p.generated,
                    injected: cycle,
                });
            }
        }
        noc.cycle();
    }
    log.unsent = queues.iter().flatten().map(|p| p.generated).collect();
    log.cycles = noc.cycles();
    Ok(log)
}

/// The saturation throughput of XY routing under uniform traffic on a `width` x `height`
/// mesh, in flits/cycle/node (see the module documentation for the derivation).
pub fn uniform_xy_bound(width: usize, height: usize) -> f64 {
    let dim = |k: usize| {
        let centre = (k / 2) * k.div_ceil(2);
        if centre == 0 {
            f64::INFINITY
        } else {
            k as f64 / centre as f64
        }
    };
    dim(width).min(dim(height)).min(1.0)
}

/// Throughput and latency at one offered load.
#[derive(Copy, Clone, Debug, PartialEq)]
pub struct LoadPoint {
    /// Offered load, flits/cycle/node.
    pub offered: f64,
    /// Delivered flits/cycle/node during the measurement window.
    pub accepted: f64,
    /// Mean latency (generation to ejection) of the packets generated in the window.
    pub mean_latency: f64,
    /// Worst latency of those packets.
    pub max_latency: u64,
    /// Mean network latency (injection to ejection) of those packets.
    pub mean_network_latency: f64,
    /// Worst network latency.
    pub max_network_latency: u64,
    /// Packets measured (generated in the window and delivered).
    pub packets: usize,
    /// Beyond saturation: the mesh delivered less than 95% of the load actually generated in
    /// the window, or some packet of the window was not delivered within the drain bound (its
    /// latency is then missing from the figures, which only grow with the run length).
    pub saturated: bool,
}

/// Measures uniform-traffic throughput and latency at offered load `rate`: `warmup` cycles to
/// fill the mesh, a `window` of measured cycles, then `drain` cycles at most for the measured
/// packets. Generation goes on until the end, so the measured packets see a loaded mesh.
/// Fails only if the scoreboard does (a hardware bug).
pub fn measure_load(
    noc: &mut dyn NocPins,
    config: &MeshConfig,
    rate: f64,
    warmup: u64,
    window: u64,
    drain: u64,
    rng: &mut impl Rng,
) -> Result<LoadPoint, ScoreboardError> {
    let spec = TrafficSpec {
        pattern: Pattern::Uniform,
        rate,
        inject_cycles: warmup + window + drain,
        backpressure: Backpressure::None,
        drain_cycles: 0,
    };
    let log = run_traffic(noc, config, &spec, rng).expect("uniform traffic on a valid mesh");
    // Generation runs to the end, so packets are still in flight when the log stops: score
    // only the packets that can have arrived (per source and destination, the oldest ones, as
    // many as arrived); the scoreboard still checks they are exactly the ones that did.
    let deliveries = match log.deliveries(config) {
        Ok(d) => d,
        Err(ScoreboardError::Lost { .. }) => {
            let mut trimmed = log.clone();
            trimmed.sent = oldest_as_many_as_arrived(&log, config);
            trimmed.deliveries(config)?
        }
        Err(e) => return Err(e),
    };
    let start = warmup;
    let end = warmup + window;
    let accepted = log
        .received
        .iter()
        .filter(|r| (start..end).contains(&r.ejected))
        .count() as f64
        / (window as f64 * config.nodes() as f64);
    let measured: Vec<&Delivery> = deliveries
        .iter()
        .filter(|d| (start..end).contains(&d.sent.generated))
        .collect();
    let generated_in_window = log
        .sent
        .iter()
        .map(|s| s.generated)
        .chain(log.unsent.iter().copied())
        .filter(|g| (start..end).contains(g))
        .count();
    let latencies: Vec<u64> = measured
        .iter()
        .map(|d| d.ejected - d.sent.generated)
        .collect();
    let network: Vec<u64> = measured
        .iter()
        .map(|d| d.ejected - d.sent.injected)
        .collect();
    let mean = |v: &[u64]| {
        if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<u64>() as f64 / v.len() as f64
        }
    };
    Ok(LoadPoint {
        offered: rate,
        accepted,
        mean_latency: mean(&latencies),
        max_latency: latencies.iter().copied().max().unwrap_or(0),
        mean_network_latency: mean(&network),
        max_network_latency: network.iter().copied().max().unwrap_or(0),
        packets: measured.len(),
        saturated: measured.len() < generated_in_window
            || accepted
                < 0.95 * generated_in_window as f64 / (window as f64 * config.nodes() as f64),
    })
}

/// The sent packets minus those still in flight at the end of the log (the last undelivered
/// ones of each source and destination), so that a log cut off mid-run can be scored.
fn oldest_as_many_as_arrived(log: &TrafficLog, config: &MeshConfig) -> Vec<Sent> {
    let n = config.nodes();
    let mut received_per_pair = vec![0usize; n * n];
    let format = config.format();
    for r in &log.received {
        let src = format.unpack(r.flit).tag as usize;
        if let Some(c) = received_per_pair.get_mut(src * n + r.node) {
            *c += 1;
        }
    }
    let mut kept = vec![0usize; n * n];
    log.sent
        .iter()
        .filter(|s| {
            let pair = s.src * n + s.dst;
            kept[pair] += 1;
            kept[pair] <= received_per_pair[pair]
        })
        .copied()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: route every (src, dst) pair along its XY path and count link loads.
    fn brute_force_bound(w: usize, h: usize) -> f64 {
        let config = MeshConfig {
            width: w,
            height: h,
            fifo_depth: 2,
            full_offsets: false,
        };
        let n = w * h;
        let mut load = std::collections::HashMap::new();
        for src in 0..n {
            for dst in 0..n {
                let (mut x, mut y) = config.coords(src);
                let (tx, ty) = config.coords(dst);
                while (x, y) != (tx, ty) {
                    let next = if x != tx {
                        (if tx > x { x + 1 } else { x - 1 }, y)
                    } else {
                        (x, if ty > y { y + 1 } else { y - 1 })
                    };
                    *load.entry(((x, y), next)).or_insert(0.0) += 1.0 / n as f64;
                    (x, y) = next;
                }
            }
        }
        let max = load.values().copied().fold(0.0, f64::max);
        if max == 0.0 {
            1.0
        } else {
            (1.0 / max).min(1.0)
        }
    }

    /// A hand-made log of a 2x2 mesh: node 0 sends two packets to node 3, node 1 one to itself.
    fn hand_log() -> (MeshConfig, TrafficLog) {
        let config = MeshConfig::new(2, 2, 2).unwrap();
        let sent = |src, dst, seq, cycle| Sent {
            src,
            dst,
            flit: config.flit(src, dst, seq, src as u32).unwrap(),
            generated: cycle,
            injected: cycle,
        };
        let arrived = |s: &Sent, node, cycle| Received {
            node,
            flit: s.flit & !0xf, // dx, dy: 2 bits each
            ejected: cycle,
        };
        let a = sent(0, 3, 0, 0);
        let b = sent(1, 1, 0, 0);
        let c = sent(0, 3, 1, 1);
        let received = vec![arrived(&b, 1, 1), arrived(&a, 3, 3), arrived(&c, 3, 4)];
        let log = TrafficLog {
            sent: vec![a, b, c],
            received,
            unsent: Vec::new(),
            cycles: 5,
            drained: true,
        };
        (config, log)
    }

    #[test]
    fn scoreboard_matches_and_rejects() {
        let (config, log) = hand_log();
        let d = log.deliveries(&config).unwrap();
        assert_eq!(d.len(), 3);
        assert_eq!((d[1].sent.dst, d[1].ejected), (3, 3));

        let mut swapped = log.clone();
        swapped.received.swap(1, 2);
        swapped.received[1].ejected = 3;
        swapped.received[2].ejected = 4;
        assert!(matches!(
            swapped.deliveries(&config),
            Err(ScoreboardError::Unexpected {
                cycle: 3,
                node: 3,
                ..
            })
        ));
        let mut lost = log.clone();
        lost.received.pop();
        assert!(matches!(
            lost.deliveries(&config),
            Err(ScoreboardError::Lost { count: 1, .. })
        ));
        let mut misrouted = log.clone();
        misrouted.received[0].node = 2;
        assert!(misrouted.deliveries(&config).is_err());
        let mut offset_left = log.clone();
        offset_left.received[0].flit |= 1;
        assert!(offset_left.deliveries(&config).is_err());
        let mut early = log;
        early.received[0].ejected = 0; // before its injection edge
        assert!(early.deliveries(&config).is_err());
    }

    #[test]
    fn uniform_bound_matches_brute_force_xy_paths() {
        for w in 1..=8 {
            for h in 1..=8 {
                let (a, b) = (uniform_xy_bound(w, h), brute_force_bound(w, h));
                assert!(
                    (a - b).abs() < 1e-9,
                    "{w}x{h}: formula {a}, brute force {b}"
                );
            }
        }
        assert_eq!(uniform_xy_bound(4, 4), 1.0);
        assert_eq!(uniform_xy_bound(8, 8), 0.5);
    }
}

/// Uniform-traffic throughput and latency of one mesh across offered loads.
#[derive(Clone, Debug)]
pub struct UniformReport {
    /// The mesh.
    pub config: MeshConfig,
    /// The engine that ran it.
    pub engine: NocEngine,
    /// [`uniform_xy_bound`] of the mesh.
    pub bound: f64,
    /// Accepted throughput with every source always backlogged (offered load 1).
    pub saturation: f64,
    /// One point per offered load, ascending.
    pub points: Vec<LoadPoint>,
}

/// Measures `config` on `engine` at each of `loads` and at offered load 1 (the saturation
/// throughput), each on a fresh mesh: `warmup`, `window` and `drain` as in [`measure_load`].
#[allow(clippy::too_many_arguments)]
pub fn uniform_report(
    engine: NocEngine,
    config: &MeshConfig,
    loads: &[f64],
    warmup: u64,
    window: u64,
    drain: u64,
    rng: &mut impl Rng,
) -> Result<UniformReport, NocReportError> {
    let mut points = Vec::with_capacity(loads.len());
    let mut saturation = 0.0;
    for &rate in loads.iter().chain(std::iter::once(&1.0)) {
        let mut noc = mesh_engine(engine, config)?;
        let point = measure_load(noc.as_mut(), config, rate, warmup, window, drain, rng)?;
        if rate == 1.0 {
            saturation = point.accepted;
        }
        if loads.contains(&rate) {
            points.push(point);
        }
    }
    Ok(UniformReport {
        config: *config,
        engine,
        bound: uniform_xy_bound(config.width, config.height),
        saturation,
        points,
    })
}

/// Why a report could not be made.
#[derive(Debug, Error)]
pub enum NocReportError {
    /// The Verilator model could not be built.
    #[error(transparent)]
    Verilator(#[from] VerilatorError),
    /// The mesh broke the delivery guarantees.
    #[error(transparent)]
    Scoreboard(#[from] ScoreboardError),
}

impl std::fmt::Display for UniformReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.config;
        writeln!(
            f,
            "{}x{} mesh, {}-flit FIFOs, uniform random traffic ({:?} engine): saturation \
             {:.3} flits/cycle/node = {:.0}% of the XY bound {:.3}",
            c.width,
            c.height,
            c.fifo_depth,
            self.engine,
            self.saturation,
            100.0 * self.saturation / self.bound,
            self.bound
        )?;
        writeln!(f)?;
        writeln!(
            f,
            "| offered | accepted | mean latency | max latency | mean network | max network | packets |"
        )?;
        writeln!(f, "| --- | --- | --- | --- | --- | --- | --- |")?;
        for p in &self.points {
            writeln!(
                f,
                "| {:.2} | {:.3} | {:.1}{} | {} | {:.1} | {} | {} |",
                p.offered,
                p.accepted,
                p.mean_latency,
                if p.saturated { " (saturated)" } else { "" },
                p.max_latency,
                p.mean_network_latency,
                p.max_network_latency,
                p.packets
            )?;
        }
        Ok(())
    }
}
