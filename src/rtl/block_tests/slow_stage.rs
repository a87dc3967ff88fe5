//! The core sequencer with a deliberately slow, stalling synapse stage equals the golden model
//! on random networks: the synapse port tolerates any response latency, refused requests and
//! a learning window held open, which a crossbar (multi-cycle ADC) and an STDP stage need.

use rust_hdl::prelude::*;

use crate::fixed::LifState;
use crate::map::mesh::{map_mesh, MeshShape};
use crate::map::MAX_ABS_ACTIVATION;
use crate::model::{GoldenModel, Network};
use crate::rtl::cfg_bus::CfgBus;
use crate::rtl::clocked::{poke, Clocked};
use crate::rtl::core_sequencer::CoreSequencer;
use crate::rtl::layout::ACC_SLOTS;
use crate::rtl::ports::Pins;
use crate::rtl::sram_synapses::SramSynapses;
use crate::rtl::synapse_port::SynapseStagePort;
use crate::rtl::top_ports::{CoreInput, CoreOutput, CorePorts};
use crate::shape::CoreShape;
use crate::sim::driver::{self, CorePins, Fanout};
use crate::sim::random_net::{random_network, RandomNetConfig};

/// [`SramSynapses`] behind random stalls: a request is refused in about a quarter of the
/// cycles, each response waits 1 to 4 extra cycles in a holding register, and the learning
/// window is held open for 0 to 7 cycles per tick. The randomness is a 16-bit Galois LFSR.
#[derive(LogicBlock)]
struct SlowSynapses<const NB: usize, const AB: usize, const GB: usize, const SB: usize> {
    clock: Signal<In, Clock>,
    cfg: CfgBus,
    port: SynapseStagePort<NB, AB, GB>,
    inner: SramSynapses<NB, AB, GB, SB>,
    lfsr: DFF<Bits<16>>,
    held_valid: DFF<Bit>,
    held_delay: DFF<Bits<2>>,
    held_weight: [DFF<Bits<16>>; 4],
    window_wait: DFF<Bits<3>>,
    gate: Signal<Local, Bit>,
    seed: Constant<Bits<16>>,
    taps: Constant<Bits<16>>,
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize>
    SlowSynapses<NB, AB, GB, SB>
{
    fn new(seed: u16) -> Self {
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            port: Default::default(),
            inner: Default::default(),
            lfsr: Default::default(),
            held_valid: Default::default(),
            held_delay: Default::default(),
            held_weight: Default::default(),
            window_wait: Default::default(),
            gate: Default::default(),
            seed: Constant::new(u64::from(seed.max(1)).into()),
            taps: Constant::new(0xb400u64.into()),
        }
    }
}

impl<const NB: usize, const AB: usize, const GB: usize, const SB: usize> Logic
    for SlowSynapses<NB, AB, GB, SB>
{
    #[hdl_gen]
    fn update(&mut self) {
        dff_setup!(self, clock, lfsr, held_valid, held_delay, window_wait);
        clock!(self, clock, inner);
        for i in 0..4 {
            self.held_weight[i].clock.next = self.clock.val();
            self.held_weight[i].d.next = self.held_weight[i].q.val();
        }
        self.lfsr.d.next = self.lfsr.q.val() >> 1;
        if self.lfsr.q.val().get_bit(0) {
            self.lfsr.d.next = (self.lfsr.q.val() >> 1) ^ self.taps.val();
        }
        if self.lfsr.q.val() == 0 {
            self.lfsr.d.next = self.seed.val();
        }
        self.inner.cfg.write.next = self.cfg.write.val();
        self.inner.cfg.target.next = self.cfg.target.val();
        self.inner.cfg.addr.next = self.cfg.addr.val();
        self.inner.cfg.data.next = self.cfg.data.val();
        self.inner.cfg.read.next = self.cfg.read.val();
        self.cfg.read_valid.next = self.inner.cfg.read_valid.val();
        self.cfg.read_data.next = self.inner.cfg.read_data.val();

        // Requests pass when the gate is open (3 cycles in 4).
        self.gate.next = self.lfsr.q.val().get_bit(3) | self.lfsr.q.val().get_bit(7);
        self.inner.port.req_valid.next = self.port.req_valid.val() & self.gate.val();
        self.inner.port.req_axon.next = self.port.req_axon.val();
        self.inner.port.req_group.next = self.port.req_group.val();
        self.inner.port.req_first.next = self.port.req_first.val();
        self.inner.port.req_last.next = self.port.req_last.val();
        self.port.req_ready.next = self.inner.port.req_ready.val() & self.gate.val();

        // Responses: into the holding register, out after a random delay.
        self.inner.port.rsp_ready.next = !self.held_valid.q.val();
        if self.inner.port.rsp_valid.val() & !self.held_valid.q.val() {
            self.held_valid.d.next = true;
            self.held_delay.d.next = self.lfsr.q.val().get_bits::<2>(10);
            self.held_weight[0].d.next = self.inner.port.rsp_weight0.val();
            self.held_weight[1].d.next = self.inner.port.rsp_weight1.val();
            self.held_weight[2].d.next = self.inner.port.rsp_weight2.val();
            self.held_weight[3].d.next = self.inner.port.rsp_weight3.val();
        }
        if self.held_valid.q.val() & (self.held_delay.q.val() != 0) {
            self.held_delay.d.next = self.held_delay.q.val() - 1;
        }
        self.port.rsp_valid.next = self.held_valid.q.val() & (self.held_delay.q.val() == 0);
        self.port.rsp_weight0.next = self.held_weight[0].q.val();
        self.port.rsp_weight1.next = self.held_weight[1].q.val();
        self.port.rsp_weight2.next = self.held_weight[2].q.val();
        self.port.rsp_weight3.next = self.held_weight[3].q.val();
        if self.port.rsp_valid.val() & self.port.rsp_ready.val() {
            self.held_valid.d.next = false;
        }

        // Tick context; the learning window is held open for 0..7 cycles drawn at tick start.
        self.inner.port.tick_start.next = self.port.tick_start.val();
        self.inner.port.post_valid.next = self.port.post_valid.val();
        self.inner.port.post_neuron.next = self.port.post_neuron.val();
        self.inner.port.window.next = self.port.window.val();
        if self.port.tick_start.val() {
            self.window_wait.d.next = self.lfsr.q.val().get_bits::<3>(4);
        }
        if self.port.window.val() & (self.window_wait.q.val() != 0) {
            self.window_wait.d.next = self.window_wait.q.val() - 1;
        }
        self.port.stage_busy.next = self.port.window.val() & (self.window_wait.q.val() != 0);
    }
}

/// A 64 x 64 core: the core sequencer and the slow stage, wired as `NeuroCore` wires
/// `SramSynapses`, with the same pins.
#[derive(LogicBlock)]
struct SlowCore {
    clock: Signal<In, Clock>,
    cfg: CfgBus,
    event_valid: Signal<In, Bit>,
    event_axon: Signal<In, Bits<6>>,
    start: Signal<In, Bit>,
    probe_neuron: Signal<In, Bits<6>>,
    core: CoreSequencer<6, 6, 4, 7, 7>,
    synapses: SlowSynapses<6, 6, 4, 10>,
}

impl Logic for SlowCore {
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, core, synapses);
        self.core.cfg.write.next = self.cfg.write.val();
        self.core.cfg.target.next = self.cfg.target.val();
        self.core.cfg.addr.next = self.cfg.addr.val();
        self.core.cfg.data.next = self.cfg.data.val();
        self.core.cfg.read.next = self.cfg.read.val();
        self.cfg.read_valid.next = self.core.cfg.read_valid.val();
        self.cfg.read_data.next = self.core.cfg.read_data.val();
        self.core.event_valid.next = self.event_valid.val();
        self.core.event_axon.next = self.event_axon.val();
        self.core.start.next = self.start.val();
        self.core.probe_neuron.next = self.probe_neuron.val();
        self.synapses.cfg.write.next = self.core.stage_cfg.write.val();
        self.synapses.cfg.target.next = self.core.stage_cfg.target.val();
        self.synapses.cfg.addr.next = self.core.stage_cfg.addr.val();
        self.synapses.cfg.data.next = self.core.stage_cfg.data.val();
        self.synapses.cfg.read.next = self.core.stage_cfg.read.val();
        self.core.stage_cfg.read_valid.next = self.synapses.cfg.read_valid.val();
        self.core.stage_cfg.read_data.next = self.synapses.cfg.read_data.val();
        self.synapses.port.req_valid.next = self.core.synapse.req_valid.val();
        self.synapses.port.req_axon.next = self.core.synapse.req_axon.val();
        self.synapses.port.req_group.next = self.core.synapse.req_group.val();
        self.synapses.port.req_first.next = self.core.synapse.req_first.val();
        self.synapses.port.req_last.next = self.core.synapse.req_last.val();
        self.core.synapse.req_ready.next = self.synapses.port.req_ready.val();
        self.core.synapse.rsp_valid.next = self.synapses.port.rsp_valid.val();
        self.core.synapse.rsp_weight0.next = self.synapses.port.rsp_weight0.val();
        self.core.synapse.rsp_weight1.next = self.synapses.port.rsp_weight1.val();
        self.core.synapse.rsp_weight2.next = self.synapses.port.rsp_weight2.val();
        self.core.synapse.rsp_weight3.next = self.synapses.port.rsp_weight3.val();
        self.synapses.port.rsp_ready.next = self.core.synapse.rsp_ready.val();
        self.synapses.port.tick_start.next = self.core.synapse.tick_start.val();
        self.synapses.port.post_valid.next = self.core.synapse.post_valid.val();
        self.synapses.port.post_neuron.next = self.core.synapse.post_neuron.val();
        self.synapses.port.window.next = self.core.synapse.window.val();
        self.core.synapse.stage_busy.next = self.synapses.port.stage_busy.val();
    }
}

/// What the port carried, counted at the core's side.
#[derive(Default, Debug)]
struct PortCounts {
    /// Requests taken with `req_first` / `req_last` (one each per axon event).
    firsts: usize,
    lasts: usize,
    /// Responses taken.
    responses: usize,
    /// `post_valid` pulses (one per spike).
    posts: usize,
    /// Cycles with the window open and the stage busy.
    window_busy: usize,
}

struct SlowCorePins {
    sim: Clocked<SlowCore>,
    counts: PortCounts,
}

impl SlowCorePins {
    fn new(seed: u16) -> Self {
        let mut top = SlowCore {
            clock: Default::default(),
            cfg: Default::default(),
            event_valid: Default::default(),
            event_axon: Default::default(),
            start: Default::default(),
            probe_neuron: Default::default(),
            core: Default::default(),
            synapses: SlowSynapses::new(seed),
        };
        top.clock.connect();
        top.cfg.write.connect();
        top.cfg.target.connect();
        top.cfg.addr.connect();
        top.cfg.data.connect();
        top.cfg.read.connect();
        top.event_valid.connect();
        top.event_axon.connect();
        top.start.connect();
        top.probe_neuron.connect();
        top.connect_all();
        SlowCorePins {
            sim: Clocked::new(top, |top| &mut top.clock, "slow-stage core"),
            counts: PortCounts::default(),
        }
    }
}

impl Pins<CorePorts> for SlowCorePins {
    fn set(&mut self, pin: CoreInput, value: u64) {
        self.sim.mark_dirty();
        let top = &mut self.sim.block;
        match pin {
            CoreInput::CfgWrite => poke(&mut top.cfg.write, value != 0),
            CoreInput::CfgTarget => poke(&mut top.cfg.target, value.into()),
            CoreInput::CfgAddr => poke(&mut top.cfg.addr, value.into()),
            CoreInput::CfgData => poke(&mut top.cfg.data, value.into()),
            CoreInput::CfgRead => poke(&mut top.cfg.read, value != 0),
            CoreInput::EventValid => poke(&mut top.event_valid, value != 0),
            CoreInput::EventAxon => poke(&mut top.event_axon, value.into()),
            CoreInput::Start => poke(&mut top.start, value != 0),
            CoreInput::ProbeNeuron => poke(&mut top.probe_neuron, value.into()),
        }
    }

    fn get(&mut self, pin: CoreOutput) -> u64 {
        self.sim.settle_if_dirty();
        let core = &self.sim.block.core;
        match pin {
            CoreOutput::Busy => core.busy.val() as u64,
            CoreOutput::Done => core.done.val() as u64,
            CoreOutput::SpikeValid => core.spike_valid.val() as u64,
            CoreOutput::SpikeNeuron => core.spike_neuron.val().to_u64(),
            CoreOutput::ProbeU => core.probe_u.val().to_u64(),
            CoreOutput::ProbeV => core.probe_v.val().to_u64(),
            CoreOutput::EventReady => core.event_ready.val() as u64,
            CoreOutput::CfgReadValid => self.sim.block.cfg.read_valid.val() as u64,
            CoreOutput::CfgReadData => self.sim.block.cfg.read_data.val().to_u64(),
        }
    }

    fn cycle(&mut self) {
        self.sim.settle_if_dirty();
        let port = &self.sim.block.core.synapse;
        if port.req_valid.val() & port.req_ready.val() {
            self.counts.firsts += usize::from(port.req_first.val());
            self.counts.lasts += usize::from(port.req_last.val());
        }
        self.counts.responses += usize::from(port.rsp_valid.val() & port.rsp_ready.val());
        self.counts.posts += usize::from(port.post_valid.val());
        self.counts.window_busy += usize::from(port.window.val() & port.stage_busy.val());
        self.sim.rise();
    }

    fn cycles(&self) -> u64 {
        self.sim.cycles()
    }
}

/// The result of a run on the slow core.
struct SlowRun {
    /// (tick, population, neuron), in order.
    spikes: Vec<(u32, usize, usize)>,
    /// Final states per population.
    states: Vec<Vec<LifState>>,
    /// Axon events delivered.
    events: usize,
    counts: PortCounts,
}

/// Runs `net` on the slow core (the driver's tick loop, without its cycle budget, which
/// assumes the SRAM stage's timing). Returns the spikes as (tick, population, neuron), the
/// final states, the number of axon events and the port counts.
fn run_slow(net: &Network, seed: u16) -> SlowRun {
    let shape = CoreShape {
        neurons: 64,
        axons: 64,
    };
    let image = map_mesh(net, MeshShape::default(), shape).unwrap();
    let mut pins = SlowCorePins::new(seed);
    driver::load(&mut pins, &image.cores[0]).unwrap();
    let fanout = Fanout::new(&image, net, net.ticks);
    let mut events = vec![Vec::new()];
    let mut previous: Vec<(usize, usize)> = Vec::new();
    let (mut spikes, mut event_count) = (Vec::new(), 0);
    for tick in 0..net.ticks {
        fanout.events(tick, &previous, &mut events);
        previous.clear();
        event_count += events[0].len();
        for &axon in &events[0] {
            pins.set(CoreInput::EventValid, 1);
            pins.set(CoreInput::EventAxon, axon as u64);
            pins.cycle();
        }
        pins.set(CoreInput::EventValid, 0);
        pins.set(CoreInput::Start, 1);
        pins.cycle();
        pins.set(CoreInput::Start, 0);
        for _ in 0..100_000 {
            if pins.get(CoreOutput::SpikeValid) != 0 {
                let (pop, neuron) = image.owner[0][pins.get(CoreOutput::SpikeNeuron) as usize];
                spikes.push((tick, pop, neuron));
                previous.push((pop, neuron));
            }
            if pins.get(CoreOutput::Done) != 0 {
                break;
            }
            pins.cycle();
        }
        assert_eq!(pins.get(CoreOutput::Done), 1, "tick {tick} did not finish");
        pins.cycle();
    }
    let counts = std::mem::take(&mut pins.counts);
    let mut cores: Vec<Box<CorePins>> = vec![Box::new(pins)];
    let states = driver::read_states(&mut cores, &image, net);
    SlowRun {
        spikes,
        states,
        events: event_count,
        counts,
    }
}

#[test]
fn a_slow_stalling_synapse_stage_still_equals_golden_on_random_networks() {
    let config = RandomNetConfig {
        max_neurons: 64,
        max_axons: 64,
        max_negative_exp_projections_per_population: ACC_SLOTS - 1,
        max_abs_input: MAX_ABS_ACTIVATION,
        ticks: 16,
    };
    let (mut total_spikes, mut total_events) = (0, 0);
    for seed in 0..12u64 {
        let net = random_network(7000 + seed, &config);
        let mut golden = GoldenModel::new(&net);
        let mut expected = Vec::new();
        for tick in 0..net.ticks {
            expected.extend(golden.step().into_iter().map(|(p, n)| (tick, p, n)));
        }
        let SlowRun {
            spikes,
            states,
            events,
            counts,
        } = run_slow(&net, 0x1234 + seed as u16);
        assert_eq!(spikes, expected, "seed {seed}: spikes differ");
        for (p, pop) in states.iter().enumerate() {
            for (n, state) in pop.iter().enumerate() {
                assert_eq!(
                    *state,
                    golden.state(p, n),
                    "seed {seed}: population {p} neuron {n}"
                );
            }
        }
        // Each axon event was seen once as a first and once as a last request, every request
        // was answered, and the stage saw every spike and held the window open at times.
        assert_eq!(
            (counts.firsts, counts.lasts),
            (events, events),
            "seed {seed}"
        );
        assert!(counts.responses >= events, "seed {seed}");
        assert_eq!(counts.posts, spikes.len(), "seed {seed}");
        assert!(
            counts.window_busy > 0,
            "seed {seed}: the window was never held"
        );
        total_spikes += spikes.len();
        total_events += events;
    }
    assert!(
        total_spikes > 100 && total_events > 100,
        "{total_spikes} spikes, {total_events} events"
    );
}
