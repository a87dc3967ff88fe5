//! The size of a `--vcd` waveform, estimated before the run so that a large one is announced
//! on stderr before the disk fills.
//!
//! A waveform grows with the clock cycles simulated. The cycles come from the cycle formula
//! (README, "Cycles per tick") with the axon events the golden model predicts (it is
//! thousands of times faster than the rtl engine that writes the VCD): per tick
//! `used_neurons + events × groups + 9`, plus one configuration write per loaded word.

use anyhow::Result;

use crate::map::mesh::MeshShape;
use crate::map::mesh::{map_mesh, MeshImage};
use crate::model::{GoldenModel, Network, Source, SpikeSink};
use crate::rtl::layout::WEIGHTS_PER_WORD;
use crate::shape::CoreShape;

/// Bytes the VCD of a core grows by per clock cycle, measured on the default network
/// (256x256 core: 29.7 MB for the 17 766 cycles of 10 ticks against 6.0 MB for the 6 057 of 2,
/// so about 2 KB per cycle of ticks).
const VCD_BYTES_PER_CYCLE: u64 = 2_000;

/// Above this, `sim --vcd` warns before it runs.
pub const VCD_WARN_BYTES: u64 = 100_000_000;

/// Counts the axon events the spikes of each tick cause in the next.
struct EventCounter<'a> {
    image: &'a MeshImage,
    ticks: u32,
    events: u64,
}

impl SpikeSink for EventCounter<'_> {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        _cycles: Option<u64>,
    ) -> std::io::Result<()> {
        if u64::from(tick) + 1 < u64::from(self.ticks) {
            for &(pop, neuron) in spikes {
                self.events += self.image.targets_of(Source::Population(pop), neuron).len() as u64;
            }
        }
        Ok(())
    }
}

/// The estimated size in bytes of the VCD of `ticks` ticks of `net` on one core of `shape`.
pub fn estimate_vcd_bytes(net: &Network, shape: CoreShape, ticks: u32) -> Result<u64> {
    let image = map_mesh(net, MeshShape::default(), shape)?;
    let mut counter = EventCounter {
        image: &image,
        ticks,
        events: 0,
    };
    GoldenModel::new(net).stream_ticks(ticks, &mut counter, &mut |_| {})?;
    for (group, input) in net.inputs.iter().enumerate() {
        for &(tick, index) in &input.spikes {
            if u64::from(tick) + 1 < u64::from(ticks) {
                counter.events += image.targets_of(Source::Input(group), index).len() as u64;
            }
        }
    }
    let core = &image.cores[0];
    // Every event spans at most all groups of the used neurons.
    let groups = core.neuron_count.div_ceil(WEIGHTS_PER_WORD) as u64;
    let cycles = u64::from(ticks) * (core.neuron_count as u64 + 9)
        + counter.events * (groups + 1)
        + core.config_writes().len() as u64;
    Ok(cycles * VCD_BYTES_PER_CYCLE)
}
