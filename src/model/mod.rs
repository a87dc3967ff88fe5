//! The behavioural side of neurofab: network files ([`network`]), the golden model
//! ([`golden`]) with its synapse stages ([`synapse`]; the learning one and the learned-weight
//! output in [`stdp`]; the memristor crossbar in [`crossbar`]) and spike trains with their CSV form ([`spikes`]), streamed as ticks
//! complete ([`sink`]).

pub mod crossbar;
pub mod declared;
pub mod golden;
pub mod network;
pub mod probe;
pub mod sink;
pub mod spikes;
pub mod stdp;
pub mod synapse;

pub use declared::{DeclaredSizes, SizeLimit};
pub use golden::GoldenModel;
pub use network::{
    InputGroup, Network, NetworkError, NetworkErrorKind, Population, Projection, Source,
    MAX_GROUP_SIZE,
};
pub use probe::{StateCollector, StateCsvSink, StateSink};
pub use sink::{CsvSink, SpikeCollector, SpikeSink, Tee};
pub use spikes::{Spike, SpikeCsvError, SpikeTrain, CSV_HEADER};
pub use stdp::{LearnedProjection, LearnedWeights, StdpSynapses};
