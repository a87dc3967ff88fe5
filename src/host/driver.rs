//! The host driver: commands over a [`Transport`], and running a whole network through the
//! link (load, per-tick events, ticks, final state read-back).

use thiserror::Error;

use super::protocol::{
    config_payloads, decode_error_index, decode_run_done, decode_states, decode_words,
    encode_request, inject_payloads, read_config_payload, read_state_payload, run_payload, Command,
    ConfigEntry, DeviceInfo, FrameError, Response, ResponseParser, Status, TickReport,
    PROTOCOL_VERSION, TICK_REPORT,
};
use super::transport::{Transport, TransportError};
use crate::fixed::LifState;
use crate::map::mesh::{map_mesh, MeshMapError, MeshShape};
use crate::map::CoreImage;
use crate::model::sink::deliver_tick;
use crate::model::LearnedWeights;
use crate::model::{Network, SpikeCollector, SpikeSink, SpikeTrain};
use crate::rtl::layout::{CfgTarget, ConfigWrite};
use crate::shape::CoreShape;
use crate::sim::driver::Fanout;
use crate::sim::handshake::placed_states;
use crate::sim::learned::{self, CoreAccess, FlushTick};
use crate::sim::CycleStats;

/// Neurons per read-state request (512-byte responses).
const STATE_CHUNK: usize = 64;

/// Words per READ request (512-byte responses, like a state read: a lost response costs
/// little to re-request).
const READ_CHUNK: usize = 128;

/// How often a request is sent before a transmission error is given up on.
pub const MAX_ATTEMPTS: u32 = 3;

/// Device errors meaning "the request was damaged on the line and dropped unexecuted"
/// (bad CRC, truncated, framing error, or a length field over the buffer, which this host
/// never sends): resending it is safe, since the device applies nothing from a damaged frame.
/// A lost or damaged *response* is never retried, because the request may have been executed.
pub fn is_transmission_error(status: Status) -> bool {
    matches!(
        status,
        Status::BadCrc | Status::Timeout | Status::Framing | Status::BadLength
    )
}

/// Why a host-link operation failed.
#[derive(Debug, Error)]
pub enum HostError {
    /// The transport failed.
    #[error(transparent)]
    Transport(#[from] TransportError),
    /// A response was malformed.
    #[error("bad response from the device: {0}")]
    Frame(#[from] FrameError),
    /// The device reported an error.
    #[error("command 0x{command:02x}: the device answered `{status}`{}", index.map(|i| format!(" (entry {i})")).unwrap_or_default())]
    Device {
        /// The command field of the error response.
        command: u8,
        /// The status.
        status: Status,
        /// For `OutOfRange`: the first bad entry of the request.
        index: Option<u16>,
    },
    /// Nothing (or only part of a frame) arrived within the transport's timeout.
    #[error("no response from {device} while waiting for {waiting_for}")]
    NoResponse {
        /// The transport's description.
        device: String,
        /// What was expected.
        waiting_for: String,
    },
    /// A well-formed response that does not answer the request.
    #[error("unexpected response: command field 0x{got:02x} while waiting for 0x{expected:02x}")]
    Unexpected {
        /// Command field expected.
        expected: u8,
        /// Command field received.
        got: u8,
    },
    /// The device speaks another protocol version.
    #[error("device speaks protocol version {got}; this host speaks {PROTOCOL_VERSION}")]
    Version {
        /// The device's version.
        got: u8,
    },
    /// The network does not fit the device's core.
    #[error("the network does not fit the device's {neurons}x{axons} core: {source}")]
    Map {
        /// Device neurons.
        neurons: u16,
        /// Device axons.
        axons: u16,
        /// Why.
        source: MeshMapError,
    },
    /// The spike sink (the output file) failed.
    #[error("tick {tick}: cannot write the spikes: {source}")]
    Output {
        /// Tick whose spikes were being written.
        tick: u32,
        /// The sink's error.
        source: std::io::Error,
    },
    /// The device reported a spike from a neuron the network does not use.
    #[error("tick {tick}: spike from unmapped core neuron {neuron}")]
    UnmappedSpike {
        /// Tick of the spike.
        tick: u32,
        /// Core neuron.
        neuron: usize,
    },
}

/// Commands over a transport.
pub struct HostDriver<T: Transport> {
    transport: T,
    parser: ResponseParser,
    info: Option<DeviceInfo>,
    retries: u64,
}

impl<T: Transport> HostDriver<T> {
    /// A driver over `transport`.
    pub fn new(transport: T) -> Self {
        HostDriver {
            transport,
            parser: ResponseParser::new(),
            info: None,
            retries: 0,
        }
    }

    /// The transport (tests inject raw bytes through it).
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Sends a request frame as is.
    pub fn send_request(&mut self, command: u8, payload: &[u8]) -> Result<(), HostError> {
        self.transport.send(&encode_request(command, payload))?;
        Ok(())
    }

    /// Reads one complete response frame.
    pub fn read_response(&mut self, waiting_for: &str) -> Result<Response, HostError> {
        self.parser = ResponseParser::new();
        loop {
            let Some(byte) = self.transport.recv()? else {
                return Err(HostError::NoResponse {
                    device: self.transport.describe(),
                    waiting_for: waiting_for.to_string(),
                });
            };
            if let Some(response) = self.parser.feed(byte)? {
                return Ok(response);
            }
        }
    }

    /// Leaves the line idle long enough for the device to drain a broken frame, then drops
    /// whatever arrived meanwhile.
    pub fn resync(&mut self) -> Result<(), HostError> {
        let bits = match self.info {
            Some(info) => info.resync_bit_times(),
            // Before the first info: assume a long timeout (100 byte times).
            None => 1000,
        };
        self.transport.idle(bits)?;
        self.transport.flush_input()?;
        Ok(())
    }

    /// Requests resent after a transmission error so far.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    /// Sends a request and reads the response; an error status becomes
    /// [`HostError::Device`] (after a resync, so the next request is heard). A request the
    /// device reports damaged in transit is resent, up to [`MAX_ATTEMPTS`] times in all.
    pub fn request(&mut self, command: Command, payload: &[u8]) -> Result<Response, HostError> {
        let mut attempt = 1;
        loop {
            self.send_request(command as u8, payload)?;
            let response = self.read_response(&format!("the answer to {command:?}"))?;
            match self.check(response, command as u8) {
                Err(HostError::Device { status, .. })
                    if is_transmission_error(status) && attempt < MAX_ATTEMPTS =>
                {
                    attempt += 1;
                    self.retries += 1;
                }
                result => return result,
            }
        }
    }

    fn check(&mut self, response: Response, expected: u8) -> Result<Response, HostError> {
        if response.status != Status::Ok {
            self.resync()?;
            return Err(HostError::Device {
                command: response.command,
                status: response.status,
                index: decode_error_index(&response),
            });
        }
        if response.command != expected {
            return Err(HostError::Unexpected {
                expected,
                got: response.command,
            });
        }
        Ok(response)
    }

    /// Queries the device (and remembers the answer for resync timing and batch sizes).
    pub fn info(&mut self) -> Result<DeviceInfo, HostError> {
        let response = self.request(Command::Info, &[])?;
        let info = DeviceInfo::decode(&response)?;
        if info.version != PROTOCOL_VERSION {
            return Err(HostError::Version { got: info.version });
        }
        self.info = Some(info);
        Ok(info)
    }

    fn max_payload(&self) -> usize {
        self.info
            .map(|i| i.max_payload as usize)
            .unwrap_or(super::protocol::MAX_REQUEST_PAYLOAD)
    }

    /// Writes configuration words, in order, batched into as few frames as fit.
    pub fn write_config(&mut self, entries: &[ConfigEntry]) -> Result<(), HostError> {
        for payload in config_payloads(entries, self.max_payload()) {
            self.request(Command::WriteConfig, &payload)?;
        }
        Ok(())
    }

    /// Queues axon events for the next tick.
    pub fn inject(&mut self, axons: &[u16]) -> Result<(), HostError> {
        for payload in inject_payloads(axons, self.max_payload()) {
            self.request(Command::Inject, &payload)?;
        }
        Ok(())
    }

    /// Runs `ticks` ticks; `on_tick` gets each tick's report as it arrives.
    pub fn run_ticks(
        &mut self,
        ticks: u16,
        on_tick: &mut dyn FnMut(TickReport) -> Result<(), HostError>,
    ) -> Result<(), HostError> {
        // The first answer tells whether the run started: resend a damaged request (nothing
        // ran); once a tick report has come, nothing is resent.
        let mut attempt = 1;
        let mut first = loop {
            self.send_request(Command::Run as u8, &run_payload(ticks))?;
            let response = self.read_response("the first answer to Run")?;
            if response.status != Status::Ok
                && is_transmission_error(response.status)
                && attempt < MAX_ATTEMPTS
            {
                self.resync()?;
                attempt += 1;
                self.retries += 1;
                continue;
            }
            break Some(response);
        };
        for tick in 0..ticks {
            let response = match first.take() {
                Some(response) => response,
                None => self.read_response(&format!("the report of tick {tick}"))?,
            };
            let response = self.check(response, TICK_REPORT)?;
            let report = TickReport::decode(&response)?;
            if report.tick != tick {
                return Err(FrameError::BadPayload {
                    command: TICK_REPORT,
                    len: response.payload.len(),
                    expected: format!("the report of tick {tick}, got tick {}", report.tick),
                }
                .into());
            }
            on_tick(report)?;
        }
        let response = match first.take() {
            Some(response) => response, // a run of 0 ticks
            None => self.read_response("the end of the run")?,
        };
        let response = self.check(response, Command::Run as u8)?;
        let ran = decode_run_done(&response)?;
        if ran != ticks {
            return Err(FrameError::BadPayload {
                command: Command::Run as u8,
                len: 2,
                expected: format!("{ticks} ticks run, device says {ran}"),
            }
            .into());
        }
        Ok(())
    }

    /// Reads `(u, v)` of neurons `first..first + count`.
    pub fn read_states(&mut self, first: u16, count: u16) -> Result<Vec<(i32, i32)>, HostError> {
        let response = self.request(Command::ReadState, &read_state_payload(first, count))?;
        Ok(decode_states(&response, count as usize)?)
    }

    /// Reads `count` words of configuration target `target` from address `addr` on (READ,
    /// [`READ_CHUNK`] words per request): each word as the target stores it, zero-extended
    /// (signed fields in two's complement of the target's width). A target that is not
    /// readable, or a range past its depth, is [`HostError::Device`] with `OutOfRange`.
    pub fn read_config(
        &mut self,
        target: u8,
        addr: u32,
        count: usize,
    ) -> Result<Vec<u32>, HostError> {
        let mut words = Vec::with_capacity(count);
        loop {
            let chunk = (count - words.len()).min(READ_CHUNK);
            let first = addr + words.len() as u32;
            let response = self.request(
                Command::Read,
                &read_config_payload(target, first, chunk as u16),
            )?;
            words.extend(decode_words(&response, chunk)?);
            if words.len() == count {
                return Ok(words);
            }
        }
    }
}

/// The configuration access of `sim::learned` over the link: READ, WRITE_CONFIG, INJECT and
/// RUN requests.
impl<T: Transport> CoreAccess for HostDriver<T> {
    type Error = HostError;

    fn read_words(
        &mut self,
        target: CfgTarget,
        addr: u32,
        count: usize,
    ) -> Result<Vec<u32>, HostError> {
        self.read_config(target as u8, addr, count)
    }

    fn write_word(&mut self, write: &ConfigWrite) -> Result<(), HostError> {
        self.write_config(&[ConfigEntry {
            target: write.target as u8,
            addr: write.addr,
            data: write.data,
        }])
    }
}

impl<T: Transport> FlushTick for HostDriver<T> {
    fn run_tick(
        &mut self,
        _image: &CoreImage,
        events: &[usize],
        tick: u32,
    ) -> Result<(), HostError> {
        let axons: Vec<u16> = events.iter().map(|&a| a as u16).collect();
        if !axons.is_empty() {
            self.inject(&axons)?;
        }
        // With the neuron count at 0 no neuron is updated, so nothing may spike.
        self.run_ticks(1, &mut |report| match report.neurons.first() {
            Some(&neuron) => Err(HostError::UnmappedSpike {
                tick,
                neuron: neuron as usize,
            }),
            None => Ok(()),
        })
    }
}

/// Result of running a network through the link, collected in memory by [`run_network`].
#[derive(Clone, Debug)]
pub struct HostRun {
    /// The device's info.
    pub info: DeviceInfo,
    /// Output spikes.
    pub spikes: SpikeTrain,
    /// Final `(u, v)` of every neuron, per population.
    pub states: Vec<Vec<LifState>>,
    /// Core cycles of each tick, as the device counted them.
    pub tick_cycles: Vec<u64>,
}

/// What [`stream_network`] returns besides the spikes (which went to the sink).
#[derive(Clone, Debug)]
pub struct HostSummary {
    /// The device's info.
    pub info: DeviceInfo,
    /// Final `(u, v)` of every neuron, per population.
    pub states: Vec<Vec<LifState>>,
    /// Core cycles per tick, as the device counted them, as running figures.
    pub cycles: CycleStats,
    /// The learned state read back with READ after one flush tick (`sim::learned`); `None`
    /// for a network without learning projections.
    pub learned: Option<LearnedWeights>,
}

/// [`stream_network`], collecting the whole run in memory.
pub fn run_network<T: Transport>(
    driver: &mut HostDriver<T>,
    net: &Network,
    ticks: u32,
    progress: &mut dyn FnMut(u32),
) -> Result<HostRun, HostError> {
    let mut collector = SpikeCollector::default();
    let summary = stream_network(driver, net, ticks, &mut collector, progress)?;
    Ok(HostRun {
        info: summary.info,
        states: summary.states,
        tick_cycles: std::mem::take(&mut collector.tick_cycles),
        spikes: collector.into_train(),
    })
}

/// Loads `net` onto the device's core and runs it for `ticks` ticks: queries the device's
/// shape, maps the network for it, writes the image, then per tick injects the axon events
/// (input spikes and the core's own spikes of the previous tick, fanned out exactly as the
/// simulation driver does), runs one tick and hands its spikes to `sink`; finally reads back
/// every neuron's state.
pub fn stream_network<T: Transport>(
    driver: &mut HostDriver<T>,
    net: &Network,
    ticks: u32,
    sink: &mut dyn SpikeSink,
    progress: &mut dyn FnMut(u32),
) -> Result<HostSummary, HostError> {
    // A device left mid-frame by an earlier session drains before the first request.
    driver.resync()?;
    let info = driver.info()?;
    let shape = CoreShape {
        neurons: info.neurons as usize,
        axons: info.axons as usize,
    };
    // One device, one core: a 1x1 mesh, so that the spikes are fanned out by the same code
    // as in the simulation driver.
    let image = map_mesh(net, MeshShape::default(), shape).map_err(|source| HostError::Map {
        neurons: info.neurons,
        axons: info.axons,
        source,
    })?;
    let core = &image.cores[0];
    let entries: Vec<ConfigEntry> = core
        .config_writes()
        .iter()
        .map(|w| ConfigEntry {
            target: w.target as u8,
            addr: w.addr,
            data: w.data,
        })
        .collect();
    driver.write_config(&entries)?;

    let fanout = Fanout::new(&image, net, ticks);
    let mut cycles = CycleStats::default();
    // (population, neuron) that spiked in the previous tick, then in this one.
    let mut previous: Vec<(usize, usize)> = Vec::new();
    let mut events = vec![Vec::new()];
    for tick in 0..ticks {
        fanout.events(tick, &previous, &mut events);
        let axons: Vec<u16> = events[0].iter().map(|&a| a as u16).collect();
        if !axons.is_empty() {
            driver.inject(&axons)?;
        }
        previous.clear();
        let mut tick_cycles = 0;
        driver.run_ticks(1, &mut |report| {
            tick_cycles = report.cycles as u64;
            for &neuron in &report.neurons {
                let neuron = neuron as usize;
                let owner = image.owner[0]
                    .get(neuron)
                    .copied()
                    .ok_or(HostError::UnmappedSpike { tick, neuron })?;
                previous.push(owner);
            }
            Ok(())
        })?;
        cycles.record(tick_cycles);
        deliver_tick(sink, tick, &mut previous, Some(tick_cycles))
            .map_err(|source| HostError::Output { tick, source })?;
        progress(tick + 1);
    }

    let mut flat = Vec::with_capacity(core.neuron_count);
    let mut first = 0;
    while first < core.neuron_count {
        let count = STATE_CHUNK.min(core.neuron_count - first);
        flat.extend(driver.read_states(first as u16, count as u16)?);
        first += count;
    }
    let states = placed_states(&image, net, |_, core_neuron| {
        let (u, v) = flat[core_neuron];
        LifState {
            u: u as i64,
            v: v as i64,
        }
    });
    // The last tick's learning: a flush tick with the events tick `ticks` would have.
    let learned = match &core.learning {
        Some(_) => {
            fanout.events(ticks, &previous, &mut events);
            let read = learned::flush_and_read(driver, core, &events[0], ticks)?;
            Some(learned::learned_weights(net, core, ticks, read))
        }
        None => None,
    };
    Ok(HostSummary {
        info,
        states,
        cycles,
        learned,
    })
}
