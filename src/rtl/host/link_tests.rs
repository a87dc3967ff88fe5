//! The link alone, in the rust-hdl simulation, against a behavioural model of the core bus
//! that records every configuration write and event it receives. This sees the pins
//! directly: "never applied" means not one `cfg.write` or accepted event. The mock core keeps
//! what is written to its readable targets and answers configuration reads from it after a
//! random latency, like a real owner (masked to the target's width).

use std::collections::{HashMap, VecDeque};

use super::*;
use crate::host::protocol::{
    config_payloads, decode_error_index, decode_words, encode_request, read_config_payload,
    read_state_payload, run_payload, ConfigEntry, Response, ResponseParser, TickReport,
};
use crate::rtl::regmap::protocol::{Command, Status, MAX_REQUEST_PAYLOAD, TICK_REPORT};
use crate::rtl::regmap::{depth_table, readable_table, CfgTarget, Dims, CFG_TARGET_CODES};
use rand::{rngs::StdRng, Rng, SeedableRng};

const CLEAR: u8 = CfgTarget::Clear.code();
const COUNT: u8 = CfgTarget::NeuronCount.code();
const WRITE_CONFIG: u8 = Command::WriteConfig.code();
/// Cycles between received bytes (a fast UART).
const BYTE_CYCLES: u64 = 10;
const TIMEOUT: u32 = 64;
/// Cycles a tick keeps the mock core busy.
const TICK_CYCLES: u32 = 40;

fn config() -> LinkConfig {
    LinkConfig {
        neurons: 64,
        axons: 64,
        target_depths: depth_table(&Dims::core(64, 64)),
        readable: readable_table(&Dims::core(64, 64)),
        cycles_per_bit: 1,
        timeout_cycles: TIMEOUT,
    }
}

struct Harness {
    link: HostLink<6, 6, 7>,
    rng: StdRng,
    cycle: u64,
    rx: VecDeque<(u8, bool)>,
    next_rx: u64,
    tx_busy: u32,
    tx_shifting: u8,
    tx: Vec<u8>,
    writes: Vec<(u8, u32, u32)>,
    events: Vec<u16>,
    starts: u32,
    busy_left: u32,
    /// Spikes each future tick emits.
    script: VecDeque<Vec<u16>>,
    emitting: VecDeque<u16>,
    /// Readable memories of the mock core: `(target, addr) -> word`, as written.
    memory: HashMap<(u8, u32), u32>,
    /// Every configuration read, in order.
    reads: Vec<(u8, u32)>,
    /// The outstanding read's answer: cycle due, data.
    read_answer: Option<(u64, u32)>,
}

/// The bits of a word that target `target` keeps (the mock's 64-neuron core).
fn width_mask(target: u8) -> u32 {
    let bits = CfgTarget::from_code(target).map_or(0, |t| t.spec().width.bits(64));
    if bits == 0 {
        0
    } else {
        u32::MAX >> (32 - bits)
    }
}

/// The mock core's (u, v) of neuron `n`: negative for odd neurons, with the sign bits of
/// the 25- and 24-bit fields set, so sign extension is visible.
fn mock_state(n: u64) -> (i32, i32) {
    if n % 2 == 1 {
        (-(1 << 23) + n as i32, -(1 << 22) - n as i32)
    } else {
        ((1 << 23) - n as i32, 1000 + n as i32)
    }
}

impl Harness {
    fn new(seed: u64) -> Self {
        let mut link = HostLink::<6, 6, 7>::new(&config());
        link.clock.connect();
        link.rx_valid.connect();
        link.rx_data.connect();
        link.rx_error.connect();
        link.tx_ready.connect();
        link.event_ready.connect();
        link.busy.connect();
        link.done.connect();
        link.spike_valid.connect();
        link.spike_neuron.connect();
        link.cfg.read_valid.connect();
        link.cfg.read_data.connect();
        link.connect_all();
        assert!(simulate(&mut link, 100));
        Harness {
            link,
            rng: StdRng::seed_from_u64(seed),
            cycle: 0,
            rx: VecDeque::new(),
            next_rx: 0,
            tx_busy: 0,
            tx_shifting: 0,
            tx: Vec::new(),
            writes: Vec::new(),
            events: Vec::new(),
            starts: 0,
            busy_left: 0,
            script: VecDeque::new(),
            emitting: VecDeque::new(),
            memory: HashMap::new(),
            reads: Vec::new(),
            read_answer: None,
        }
    }

    fn step(&mut self) {
        let l = &mut self.link;
        // Inputs for this cycle, from the mock's state.
        let (rx_valid, rx_error, rx_byte) = match self.rx.front() {
            Some(&(byte, good)) if self.cycle >= self.next_rx => {
                self.rx.pop_front();
                self.next_rx = self.cycle + BYTE_CYCLES;
                (good, !good, byte)
            }
            _ => (false, false, 0),
        };
        l.rx_valid.next = rx_valid;
        l.rx_error.next = rx_error;
        l.rx_data.next = (rx_byte as u64).into();
        l.tx_ready.next = self.tx_busy == 0;
        let busy = self.busy_left > 0;
        l.busy.next = busy;
        // Back-pressure on events, at random.
        let event_ready = self.rng.gen_bool(0.6);
        l.event_ready.next = event_ready;
        let spike = if busy && self.busy_left < TICK_CYCLES - 4 {
            self.emitting.pop_front()
        } else {
            None
        };
        l.spike_valid.next = spike.is_some();
        l.spike_neuron.next = (spike.unwrap_or(0) as u64).into();
        l.done.next = self.busy_left == 1;
        let answer = match self.read_answer {
            Some((due, data)) if due == self.cycle => {
                self.read_answer = None;
                Some(data)
            }
            _ => None,
        };
        l.cfg.read_valid.next = answer.is_some();
        l.cfg.read_data.next = (answer.unwrap_or(0) as u64).into();
        assert!(simulate(l, 100));

        // What the core (and the UART) see at this edge.
        // Like a UART: a byte reaches the host when its stop bit has been sent.
        if l.tx_valid.val() && self.tx_busy == 0 {
            self.tx_shifting = l.tx_data.val().to_u64() as u8;
            self.tx_busy = BYTE_CYCLES as u32;
        } else if self.tx_busy > 0 {
            self.tx_busy -= 1;
            if self.tx_busy == 0 {
                self.tx.push(self.tx_shifting);
            }
        }
        if l.cfg.read.val() {
            assert!(!busy, "configuration read while the core is busy");
            assert!(!l.cfg.write.val(), "read and write in one cycle");
            assert!(self.read_answer.is_none(), "a second read outstanding");
            let target = l.cfg.target.val().to_u64() as u8;
            let addr = l.cfg.addr.val().to_u64() as u32;
            assert!(
                config().readable[target as usize],
                "read of target {target}"
            );
            let data = self.memory.get(&(target, addr)).copied().unwrap_or(0);
            let latency = self.rng.gen_range(1..=5);
            self.read_answer = Some((self.cycle + latency, data & width_mask(target)));
            self.reads.push((target, addr));
        }
        if l.cfg.write.val() {
            assert!(!busy, "configuration write while the core is busy");
            let w = (
                l.cfg.target.val().to_u64() as u8,
                l.cfg.addr.val().to_u64() as u32,
                l.cfg.data.val().to_u64() as u32,
            );
            self.writes.push(w);
            self.memory.insert((w.0, w.1), w.2);
            if w.0 == CLEAR {
                self.busy_left = 20;
            }
        }
        if l.event_valid.val() && event_ready {
            self.events.push(l.event_axon.val().to_u64() as u16);
        }
        if l.start.val() {
            assert!(!busy, "start while the core is busy");
            self.starts += 1;
            self.busy_left = TICK_CYCLES + 1;
            self.emitting = self.script.pop_front().unwrap_or_default().into();
        }

        l.clock.next = true.into();
        assert!(simulate(l, 100));
        l.clock.next = false.into();
        assert!(simulate(l, 100));
        self.busy_left = self.busy_left.saturating_sub(1);
        self.cycle += 1;
    }

    fn send(&mut self, bytes: &[u8]) {
        self.rx.extend(bytes.iter().map(|&b| (b, true)));
    }

    /// Runs until `n` responses have arrived (or panics after `limit` cycles).
    fn responses(&mut self, n: usize, limit: u64) -> Vec<Response> {
        let mut parser = ResponseParser::new();
        let mut got = Vec::new();
        let mut seen = 0;
        for _ in 0..limit {
            self.step();
            while seen < self.tx.len() {
                if let Some(r) = parser.feed(self.tx[seen]).expect("response frame") {
                    got.push(r);
                }
                seen += 1;
            }
            if got.len() == n && self.rx.is_empty() {
                return got;
            }
        }
        panic!(
            "only {} of {n} responses in {limit} cycles: {got:?}",
            got.len()
        );
    }

    fn idle(&mut self, cycles: u64) {
        for _ in 0..cycles {
            self.step();
        }
    }
}

fn random_entries(rng: &mut StdRng, n: usize) -> Vec<ConfigEntry> {
    (0..n)
        .map(|_| {
            // A memory target (not a register or command) of the core.
            let memories: Vec<u8> = (0..CFG_TARGET_CODES as u8)
                .filter(|&code| config().target_depths[code as usize] > 1)
                .collect();
            let target = memories[rng.gen_range(0..memories.len())];
            let depth = config().target_depths[target as usize];
            ConfigEntry {
                target,
                addr: rng.gen_range(0..depth),
                data: rng.gen(),
            }
        })
        .collect()
}

/// Valid batches reach the configuration port exactly, in order, one write per entry, and
/// each is answered OK; a clear's busy period is waited out.
#[test]
fn config_batches_are_applied_exactly() {
    let mut h = Harness::new(1);
    let mut rng = StdRng::seed_from_u64(2);
    let mut want = Vec::new();
    for round in 0..4 {
        let n = rng.gen_range(1..=64);
        let mut entries = random_entries(&mut rng, n);
        if round == 1 {
            entries.insert(
                3,
                ConfigEntry {
                    target: CLEAR,
                    addr: 0,
                    data: 0,
                },
            );
            entries.insert(
                5,
                ConfigEntry {
                    target: COUNT,
                    addr: 0,
                    data: 64,
                },
            );
        }
        want.extend(entries.iter().map(|e| (e.target, e.addr, e.data)));
        let payloads = config_payloads(&entries, MAX_REQUEST_PAYLOAD);
        h.send(&encode_request(WRITE_CONFIG, &payloads[0]));
        let r = h.responses(1, 20_000);
        assert_eq!(
            (r[0].status, r[0].command, r[0].payload.len()),
            (Status::Ok, WRITE_CONFIG, 0),
            "round {round}"
        );
        h.tx.clear();
    }
    assert_eq!(h.writes, want);
}

/// Any corruption of a config frame yields an error response and not a single write.
#[test]
fn corrupted_frames_write_nothing() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut h = Harness::new(4);
    for trial in 0..60 {
        let entries = random_entries(&mut rng, 20);
        let mut frame = encode_request(
            WRITE_CONFIG,
            &config_payloads(&entries, MAX_REQUEST_PAYLOAD)[0],
        );
        let expected = match trial % 4 {
            0 => {
                // Flip 1..3 bytes anywhere after the length field.
                for _ in 0..rng.gen_range(1..=3) {
                    let i = rng.gen_range(4..frame.len());
                    frame[i] ^= rng.gen_range(1..=255u8);
                }
                Status::BadCrc
            }
            1 => {
                frame.truncate(rng.gen_range(1..frame.len()));
                Status::Timeout
            }
            2 => {
                // An entry with a bad address at a random position (good CRC).
                let mut bad = entries.clone();
                let k = rng.gen_range(0..bad.len());
                bad[k].addr = config().target_depths[bad[k].target as usize];
                frame =
                    encode_request(WRITE_CONFIG, &config_payloads(&bad, MAX_REQUEST_PAYLOAD)[0]);
                Status::OutOfRange
            }
            _ => {
                let i = rng.gen_range(2..frame.len());
                h.send(&frame[..i]);
                h.rx.push_back((frame[i], false));
                frame = frame[i + 1..].to_vec();
                Status::Framing
            }
        };
        h.send(&frame);
        let r = h.responses(1, 20_000);
        assert_eq!(r[0].status, expected, "trial {trial}");
        h.tx.clear();
        // Let the receiver drain before the next frame.
        h.idle(TIMEOUT as u64 + 2 * BYTE_CYCLES);
        assert!(h.writes.is_empty(), "trial {trial}: {:?}", h.writes);
    }
    // And the link still works.
    h.send(&encode_request(
        WRITE_CONFIG,
        &config_payloads(&random_entries(&mut rng, 2), MAX_REQUEST_PAYLOAD)[0],
    ));
    assert_eq!(h.responses(1, 5000)[0].status, Status::Ok);
    assert_eq!(h.writes.len(), 2);
}

/// Events wait for `event_ready`; ticks start only when the core is idle; the spikes of
/// each tick come back in order with the tick's cycle count.
#[test]
fn inject_and_run() {
    let mut h = Harness::new(5);
    let axons: Vec<u16> = vec![5, 0, 63, 17, 17, 2];
    let payload: Vec<u8> = axons.iter().flat_map(|a| a.to_le_bytes()).collect();
    h.send(&encode_request(Command::Inject.code(), &payload));
    assert_eq!(h.responses(1, 5000)[0].status, Status::Ok);
    assert_eq!(h.events, axons);
    h.tx.clear();

    h.script = vec![vec![1, 2, 40], vec![], (0..30).collect()].into();
    h.send(&encode_request(Command::Run.code(), &run_payload(3)));
    let r = h.responses(4, 50_000);
    assert_eq!(h.starts, 3);
    for (tick, spikes) in [vec![1, 2, 40], vec![], (0..30).collect::<Vec<u16>>()]
        .into_iter()
        .enumerate()
    {
        assert_eq!((r[tick].status, r[tick].command), (Status::Ok, TICK_REPORT));
        let report = TickReport::decode(&r[tick]).unwrap();
        assert_eq!(report.tick, tick as u16);
        assert_eq!(report.neurons, spikes);
        // From the edge that samples start (cycle 1) to the done pulse: the mock's TICK_CYCLES
        // busy cycles after that edge, plus the edge itself (as the drivers count).
        assert_eq!(report.cycles, TICK_CYCLES + 1);
    }
    assert_eq!(
        (r[3].command, r[3].payload.clone()),
        (Command::Run.code(), vec![3, 0])
    );
}

/// READ_STATE reads each neuron's 25-bit u and 24-bit v through the configuration bus (as
/// the core answers: zero-extended) and sign-extends them.
#[test]
fn read_state_sign_extends() {
    let mut h = Harness::new(6);
    for n in 0..64 {
        let (u, v) = mock_state(n);
        let (state_u, state_v) = (CfgTarget::StateU.code(), CfgTarget::StateV.code());
        h.memory
            .insert((state_u, n as u32), u as u32 & width_mask(state_u));
        h.memory
            .insert((state_v, n as u32), v as u32 & width_mask(state_v));
    }
    h.send(&encode_request(
        Command::ReadState.code(),
        &read_state_payload(7, 4),
    ));
    let r = h.responses(1, 10_000);
    let states = crate::host::protocol::decode_states(&r[0], 4).unwrap();
    let want: Vec<(i32, i32)> = (7..11).map(mock_state).collect();
    assert_eq!(states, want);
}

/// Sends one request and returns its response.
fn request(h: &mut Harness, command: u8, payload: &[u8]) -> Response {
    h.tx.clear();
    h.send(&encode_request(command, payload));
    let mut r = h.responses(1, 200_000);
    r.remove(0)
}

/// READ returns what was written, for every readable target over its whole depth (first and
/// last address included, in chunks of up to 100 words that straddle nothing in particular),
/// one configuration read per word, in order, each waited for (the mock answers after 1..5
/// cycles).
#[test]
fn read_returns_what_was_written_to_every_readable_target() {
    let mut h = Harness::new(7);
    let mut rng = StdRng::seed_from_u64(8);
    let read = Command::Read.code();
    let readable: Vec<u8> = (0..CFG_TARGET_CODES as u8)
        .filter(|&code| config().readable[code as usize])
        .collect();
    assert!(readable.len() >= 7, "{readable:?}");
    for &target in &readable {
        let depth = config().target_depths[target as usize];
        let entries: Vec<ConfigEntry> = (0..depth)
            .map(|addr| ConfigEntry {
                target,
                addr,
                data: if target == COUNT {
                    rng.gen_range(0..=64)
                } else {
                    rng.gen()
                },
            })
            .collect();
        for payload in config_payloads(&entries, MAX_REQUEST_PAYLOAD) {
            assert_eq!(request(&mut h, WRITE_CONFIG, &payload).status, Status::Ok);
        }
        h.reads.clear();
        let mut got = Vec::new();
        while got.len() < depth as usize {
            let count = rng.gen_range(1..=100).min(depth as usize - got.len());
            let first = got.len() as u32;
            let r = request(
                &mut h,
                read,
                &read_config_payload(target, first, count as u16),
            );
            assert_eq!((r.status, r.command), (Status::Ok, read), "target {target}");
            got.extend(decode_words(&r, count).unwrap());
        }
        let want: Vec<u32> = entries
            .iter()
            .map(|e| e.data & width_mask(target))
            .collect();
        assert_eq!(got, want, "target {target}");
        let addresses: Vec<(u8, u32)> = (0..depth).map(|a| (target, a)).collect();
        assert_eq!(h.reads, addresses, "target {target}");
    }
}

/// A READ of a target that is not readable (a command, a target the design lacks, an unused
/// code), past a target's end (`first + count > depth`), of more than fits a response, or
/// of a wrong length is refused before any configuration read; a READ of 0 words answers an
/// empty payload.
#[test]
fn bad_reads_are_refused_and_read_nothing() {
    let mut h = Harness::new(9);
    let read = Command::Read.code();
    let synapse = CfgTarget::Synapse.code();
    let synapse_depth = config().target_depths[synapse as usize];
    let missing = (0..CFG_TARGET_CODES as u8)
        .find(|&code| config().target_depths[code as usize] == 0)
        .unwrap();
    let out_of_range = [
        read_config_payload(CLEAR, 0, 1),
        read_config_payload(missing, 0, 1),
        read_config_payload(CFG_TARGET_CODES as u8, 0, 1),
        read_config_payload(synapse, synapse_depth - 1, 2),
        read_config_payload(synapse, synapse_depth + 1, 0),
        read_config_payload(synapse, 0, u16::MAX),
    ];
    for payload in out_of_range {
        let r = request(&mut h, read, &payload);
        assert_eq!(r.status, Status::OutOfRange, "{payload:?}");
        assert_eq!(decode_error_index(&r), Some(0));
        h.idle(TIMEOUT as u64 + 2 * BYTE_CYCLES);
    }
    let good = read_config_payload(synapse, 0, 1);
    for payload in [&good[..5], &[&good[..], &[0]].concat()[..], &[]] {
        let r = request(&mut h, read, payload);
        assert_eq!(r.status, Status::BadLength, "{payload:?}");
        h.idle(TIMEOUT as u64 + 2 * BYTE_CYCLES);
    }
    assert!(h.reads.is_empty(), "{:?}", h.reads);
    assert!(h.writes.is_empty(), "{:?}", h.writes);
    // An empty range is in range up to the end (as for READ_STATE: first + count <= depth).
    let r = request(
        &mut h,
        read,
        &read_config_payload(synapse, synapse_depth, 0),
    );
    assert_eq!((r.status, r.payload.len()), (Status::Ok, 0));
    let r = request(
        &mut h,
        read,
        &read_config_payload(synapse, synapse_depth - 1, 1),
    );
    assert_eq!((r.status, r.payload.len()), (Status::Ok, 4));
    assert_eq!(h.reads, vec![(synapse, synapse_depth - 1)]);
}
