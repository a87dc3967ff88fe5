//! A mesh tile: one neurocore, its fan-out unit, and the glue to the router's Local port.
//! [`Tile`] holds the plain [`NeuroCore`], [`LearningTile`] the [`LearningCore`] (same pins):
//! both come from one definition (`mesh_tile!`), and the system takes either through
//! [`MeshTile`].
//!
//! Events reach the core from two places: the fan-out unit's local deliveries (spikes of this
//! core to this core, which never enter the router) and flits ejected by the router. The core
//! takes one per cycle while its `event_ready` is high; local deliveries go first, since the
//! fan-out unit holds no other resource while it waits, whereas a stalled ejection only backs
//! up the router, which drains once the core is ready again.

use rust_hdl::prelude::*;

use super::cfg_bus::{CfgBus, CFG_TARGET_WIDTH};
use super::fanout::{FanoutUnit, FLIT_BITS};
use super::learning_core::LearningCore;
use super::neurocore::NeuroCore;
use super::regmap::{self, CfgTarget};

/// The pins of a tile that the system drives and reads, borrowed together.
pub struct TilePins<'a, const NB: usize> {
    /// Clock.
    pub clock: &'a mut Signal<In, Clock>,
    /// Configuration bus.
    pub cfg: &'a mut CfgBus,
    /// Start one tick.
    pub start: &'a mut Signal<In, Bit>,
    /// Neuron to probe.
    pub probe_neuron: &'a mut Signal<In, Bits<NB>>,
    /// Its `u`.
    pub probe_u: &'a Signal<Out, Bits<25>>,
    /// Its `v`.
    pub probe_v: &'a Signal<Out, Bits<24>>,
    /// A flit for the router's Local input.
    pub inject_valid: &'a Signal<Out, Bit>,
    /// The flit.
    pub inject_data: &'a Signal<Out, Bits<FLIT_BITS>>,
    /// The router takes it.
    pub inject_ready: &'a mut Signal<In, Bit>,
    /// The router's Local output offers a flit.
    pub eject_valid: &'a mut Signal<In, Bit>,
    /// The flit.
    pub eject_data: &'a mut Signal<In, Bits<FLIT_BITS>>,
    /// The tile takes it.
    pub eject_ready: &'a Signal<Out, Bit>,
    /// The core is idle and every spike of it has been fanned out.
    pub quiet: &'a Signal<Out, Bit>,
}

/// A tile the multi-core system can hold: its pins, whatever its core (`2^NB` neurons).
pub trait MeshTile<const NB: usize>: Block + Default {
    /// The system-facing pins.
    fn pins(&mut self) -> TilePins<'_, NB>;
}

/// Declares a tile `$name` whose core is `$core` (a composed core spelled with the const
/// parameters below, `neurocore::composed_core!`): the one definition of the tile, for
/// [`Tile`] and [`LearningTile`].
macro_rules! mesh_tile {
    ($(#[$doc:meta])* $name:ident, $core:ty) => {
$(#[$doc])*
#[derive(LogicBlock)]
pub struct $name<
    const NB: usize,
    const AB: usize,
    const GB: usize,
    const SB: usize,
    const NB1: usize,
    const AB1: usize,
    const EB: usize,
> {
    /// Clock.
    pub clock: Signal<In, Clock>,
    /// Configuration bus, its write strobe already qualified for this tile; the target is the
    /// core's (`layout::CfgTarget`) or a fan-out table.
    pub cfg: CfgBus,
    /// Start one tick.
    pub start: Signal<In, Bit>,
    /// Neuron to probe.
    pub probe_neuron: Signal<In, Bits<NB>>,
    /// Its `u`.
    pub probe_u: Signal<Out, Bits<25>>,
    /// Its `v`.
    pub probe_v: Signal<Out, Bits<24>>,
    /// A flit for the router's Local input.
    pub inject_valid: Signal<Out, Bit>,
    /// The flit.
    pub inject_data: Signal<Out, Bits<FLIT_BITS>>,
    /// The router takes it.
    pub inject_ready: Signal<In, Bit>,
    /// The router's Local output offers a flit for this tile.
    pub eject_valid: Signal<In, Bit>,
    /// The flit (`dx = dy = 0`, axon in bits 8..18).
    pub eject_data: Signal<In, Bits<FLIT_BITS>>,
    /// The tile takes it.
    pub eject_ready: Signal<Out, Bit>,
    /// The core is idle and every spike of it has been fanned out.
    pub quiet: Signal<Out, Bit>,

    core: $core,
    fanout: FanoutUnit<NB, NB1, AB, EB>,
    eject_axon: Signal<Local, Bits<AB>>,
    // The read targets a fan-out table (the fan-out unit answers it, the core does not see it).
    read_fanout: Signal<Local, Bit>,
    fanout_index_target: Constant<Bits<CFG_TARGET_WIDTH>>,
    fanout_entry_target: Constant<Bits<CFG_TARGET_WIDTH>>,
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
        const EB: usize,
    > Default for $name<NB, AB, GB, SB, NB1, AB1, EB>
{
    fn default() -> Self {
        Self {
            clock: Default::default(),
            cfg: Default::default(),
            start: Default::default(),
            probe_neuron: Default::default(),
            probe_u: Default::default(),
            probe_v: Default::default(),
            inject_valid: Default::default(),
            inject_data: Default::default(),
            inject_ready: Default::default(),
            eject_valid: Default::default(),
            eject_data: Default::default(),
            eject_ready: Default::default(),
            quiet: Default::default(),
            core: Default::default(),
            fanout: FanoutUnit::new(),
            eject_axon: Default::default(),
            read_fanout: Default::default(),
            fanout_index_target: regmap::hdl::constant(CfgTarget::FanoutIndex),
            fanout_entry_target: regmap::hdl::constant(CfgTarget::FanoutEntry),
        }
    }
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
        const EB: usize,
    > Logic for $name<NB, AB, GB, SB, NB1, AB1, EB>
{
    #[hdl_gen]
    fn update(&mut self) {
        clock!(self, clock, core, fanout);
        // Configuration: the core ignores the fan-out targets and the fan-out unit the core's.
        // The core keeps its plain top-level `cfg_*` pins.
        self.core.cfg_write.next = self.cfg.write.val();
        self.core.cfg_target.next = self.cfg.target.val();
        self.core.cfg_addr.next = self.cfg.addr.val();
        self.core.cfg_data.next = self.cfg.data.val();
        self.fanout.cfg.write.next = self.cfg.write.val();
        self.fanout.cfg.target.next = self.cfg.target.val();
        self.fanout.cfg.addr.next = self.cfg.addr.val();
        self.fanout.cfg.data.next = self.cfg.data.val();
        // Reads go to the owner of the target alone (each answers every read it gets, with
        // data 0 outside its answer), so the tile's answer is the OR of the two.
        self.read_fanout.next = (self.cfg.target.val() == self.fanout_index_target.val())
            | (self.cfg.target.val() == self.fanout_entry_target.val());
        self.fanout.cfg.read.next = self.cfg.read.val() & self.read_fanout.val();
        self.core.cfg_read.next = self.cfg.read.val() & !self.read_fanout.val();
        self.cfg.read_valid.next =
            self.core.cfg_read_valid.val() | self.fanout.cfg.read_valid.val();
        self.cfg.read_data.next = self.core.cfg_read_data.val() | self.fanout.cfg.read_data.val();
        self.core.start.next = self.start.val();
        self.core.probe_neuron.next = self.probe_neuron.val();
        self.probe_u.next = self.core.probe_u.val();
        self.probe_v.next = self.core.probe_v.val();

        // Spikes go to the fan-out unit (output spikes reach the host as flits).
        self.fanout.spike_valid.next = self.core.spike_valid.val();
        self.fanout.spike_neuron.next = self.core.spike_neuron.val();

        // Remote destinations go to the router.
        self.inject_valid.next = self.fanout.flit_valid.val();
        self.inject_data.next = self.fanout.flit_data.val();
        self.fanout.flit_ready.next = self.inject_ready.val();

        // The core's event port: local deliveries first, then ejected flits.
        self.eject_axon.next = bit_cast::<AB, 10>(self.eject_data.val().get_bits::<10>(8));
        self.core.event_valid.next = self.fanout.local_valid.val() | self.eject_valid.val();
        self.core.event_axon.next = self.eject_axon.val();
        if self.fanout.local_valid.val() {
            self.core.event_axon.next = self.fanout.local_axon.val();
        }
        self.fanout.local_ready.next = self.core.event_ready.val();
        self.eject_ready.next = self.core.event_ready.val() & !self.fanout.local_valid.val();

        self.quiet.next = !self.core.busy.val() & !self.fanout.busy.val();
    }
}

impl<
        const NB: usize,
        const AB: usize,
        const GB: usize,
        const SB: usize,
        const NB1: usize,
        const AB1: usize,
        const EB: usize,
    > MeshTile<NB> for $name<NB, AB, GB, SB, NB1, AB1, EB>
{
    fn pins(&mut self) -> TilePins<'_, NB> {
        TilePins {
            clock: &mut self.clock,
            cfg: &mut self.cfg,
            start: &mut self.start,
            probe_neuron: &mut self.probe_neuron,
            probe_u: &self.probe_u,
            probe_v: &self.probe_v,
            inject_valid: &self.inject_valid,
            inject_data: &self.inject_data,
            inject_ready: &mut self.inject_ready,
            eject_valid: &mut self.eject_valid,
            eject_data: &mut self.eject_data,
            eject_ready: &self.eject_ready,
            quiet: &self.quiet,
        }
    }
}
    };
}

mesh_tile!(
    /// A tile with a `2^NB x 2^AB` [`NeuroCore`] (see it for the const parameters) and a
    /// fan-out table of `2^EB` entries.
    Tile,
    NeuroCore<NB, AB, GB, SB, NB1, AB1>
);

mesh_tile!(
    /// A tile with a `2^NB x 2^AB` [`LearningCore`] (the STDP synapse stage; the learning
    /// projections into this tile's neurons have their synapses, pre traces per axon and post
    /// traces here) and a fan-out table of `2^EB` entries.
    LearningTile,
    LearningCore<NB, AB, GB, SB, NB1, AB1>
);
