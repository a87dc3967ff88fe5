//! Placement of a network onto a W x H mesh of identical neurocores.
//!
//! - **Partition**: populations are laid out in file order and cut into contiguous slices, one
//!   slice per core at most, filling core 0, then core 1, and so on (core `y * W + x` sits at
//!   mesh position `(x, y)`). A core is full when it holds its share of neurons or when the
//!   next population's incoming projections would need more axons than are left: every slice
//!   of a population needs one axon per source neuron of every projection into that
//!   population. The share is first `ceil(neurons / cores)`, which balances the update phase
//!   (cores run in parallel, so the slowest sets the tick); if that does not fit, cores are
//!   packed to their full neuron count instead.
//! - **Per-core images**: each core's share is an ordinary single-core network (the
//!   *sub-network*) in which every source that reaches the core, input group or population on
//!   any core, is an input group; [`map_network`] places it, so slots, shifts and the exact
//!   range are checked per core exactly as for one core.
//! - **Fan-out**: a spike of source neuron `i` becomes one axon event on every core that holds
//!   a slice of a population it projects into: [`MeshImage::targets_of`] lists `(core, axon)`.
//! - **Learning**: a learning projection is a projection like any other here, so its synapses
//!   sit on the cores of its target population's slices, each with one axon per pre neuron:
//!   the pre traces `x` live there, per axon (a target split over `k` cores keeps `k` equal
//!   copies, each fed the same pre events), the post traces `y` with their neurons. Each core's
//!   image is a learning core's image ([`super::learning`]) of its share (its own rules, at
//!   most `LEARN_RULES` learning projections into its slices); [`MeshImage::core_projections`]
//!   names the network projection behind each of a core's projections, for the read-back.
//!
//! Partitioning is invisible to the arithmetic: a neuron's synaptic input is the sum over
//! projections of `shift_exp(row sum, weight_exp)`, and every projection's whole row for that
//! neuron lives on the neuron's core.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use thiserror::Error;

use super::{map_network, CoreImage, MapError};
use crate::model::{InputGroup, Network, Population, Projection, Source};
use crate::rtl::aer::{AerFormat, AerPacket};
use crate::rtl::fanout::HOST_OUTPUT_FLAG;
use crate::shape::CoreShape;

/// Dimensions of a mesh of cores.
#[derive(Copy, Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeshShape {
    /// Cores along x.
    pub width: usize,
    /// Cores along y.
    pub height: usize,
}

impl Default for MeshShape {
    fn default() -> Self {
        MeshShape {
            width: 1,
            height: 1,
        }
    }
}

impl MeshShape {
    /// Number of cores.
    pub fn cores(&self) -> usize {
        self.width * self.height
    }

    /// Mesh position `(x, y)` of core `index`.
    pub fn position(&self, index: usize) -> (usize, usize) {
        (index % self.width, index / self.width)
    }
}

impl fmt::Display for MeshShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}x{}", self.width, self.height)
    }
}

/// Largest mesh side (the AER packet's signed 4-bit offsets reach 7 hops per dimension).
pub use crate::rtl::noc::MAX_MESH_SIDE;

/// A `--mesh` value that is not `WxH` with both sides in `1..=MAX_MESH_SIDE`.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("mesh `{text}`: {reason}")]
pub struct MeshParseError {
    /// The text given.
    pub text: String,
    /// What is wrong with it.
    pub reason: String,
}

impl FromStr for MeshShape {
    type Err = MeshParseError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = |reason: String| MeshParseError {
            text: text.to_string(),
            reason,
        };
        let (w, h) = text
            .split_once('x')
            .ok_or_else(|| error("expected WIDTHxHEIGHT, e.g. 2x2".into()))?;
        // Exactly digits without a leading zero: `2X2`, ` 2x2`, `+2x2` and `02x02` are typos
        // more likely than intentions, and `usize::from_str` would take some of them.
        let side = |s: &str, name: &str| -> Result<usize, MeshParseError> {
            let canonical = !s.is_empty()
                && s.bytes().all(|b| b.is_ascii_digit())
                && !(s.len() > 1 && s.starts_with('0'));
            if !canonical {
                return Err(error(format!(
                    "{name} `{s}` is not a whole number written as plain digits"
                )));
            }
            let value: usize = s
                .parse()
                .map_err(|_| error(format!("{name} `{s}` is not a whole number")))?;
            if !(1..=MAX_MESH_SIDE).contains(&value) {
                return Err(error(format!(
                    "{name} {value} is out of range 1..={MAX_MESH_SIDE} (the packet's signed \
                     offset fields reach at most {} hops)",
                    MAX_MESH_SIDE - 1
                )));
            }
            Ok(value)
        };
        Ok(MeshShape {
            width: side(w, "width")?,
            height: side(h, "height")?,
        })
    }
}

/// Why a network does not fit a mesh.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MeshMapError {
    /// More cores are needed than the mesh has.
    #[error(
        "network needs at least {needed} cores of {neurons} neurons x {axons} axons but the \
         {mesh} mesh has {available} ({} too few); population `{population}` is the first that \
         does not fit",
        needed - available
    )]
    TooFewCores {
        /// Cores the greedy partition needs (a lower bound on what any partition needs when
        /// only neurons are short).
        needed: usize,
        /// Cores in the mesh.
        available: usize,
        /// The mesh.
        mesh: MeshShape,
        /// Core neurons.
        neurons: usize,
        /// Core axons.
        axons: usize,
        /// First population that had no room.
        population: String,
    },
    /// A population's incoming projections alone need more axons than a core has.
    #[error(
        "population `{population}` receives projections from {needed} source neurons, each \
         needing an axon on every core that holds part of it, but a core has {available} axons \
         ({} too many)",
        needed - available
    )]
    TooManyAxons {
        /// Population name.
        population: String,
        /// Axons its slices need.
        needed: usize,
        /// Axons per core.
        available: usize,
    },
    /// The network does not fit a one-core mesh (the single-core mapper's own error).
    #[error(transparent)]
    Map(#[from] MapError),
    /// A core's fan-out entries do not fit its table.
    #[error(
        "core {core}: its neurons' spikes go to {needed} (core, axon) destinations but the \
         fan-out table has {available} entries ({} too many)",
        needed - available
    )]
    FanoutTable {
        /// Core index.
        core: usize,
        /// Entries needed.
        needed: usize,
        /// Table size.
        available: usize,
    },
    /// A core's share did not map (slots, exact range, ...).
    #[error("core {core} (x {x}, y {y}): {source}")]
    Core {
        /// Core index.
        core: usize,
        /// Mesh x.
        x: usize,
        /// Mesh y.
        y: usize,
        /// The single-core mapping error.
        source: MapError,
    },
}

/// A network placed on a mesh.
#[derive(Clone, Debug)]
pub struct MeshImage {
    /// Mesh dimensions.
    pub mesh: MeshShape,
    /// Shape of every core.
    pub shape: CoreShape,
    /// One image per core (`y * width + x`); unused cores have an empty image.
    pub cores: Vec<CoreImage>,
    /// `placement[pop][n] = (core, core_neuron)`.
    pub placement: Vec<Vec<(usize, usize)>>,
    /// `owner[core][core_neuron] = (pop, n)`, for the used neurons of each core.
    pub owner: Vec<Vec<(usize, usize)>>,
    /// `core_projections[core][k]`: the network's index of projection `k` of the core's
    /// sub-network (the projections into its slices, in file order).
    pub core_projections: Vec<Vec<usize>>,
    input_targets: Vec<Vec<Vec<(usize, usize)>>>,
    population_targets: Vec<Vec<Vec<(usize, usize)>>>,
}

impl MeshImage {
    /// The `(core, axon)` events one spike of `source` neuron `index` becomes.
    pub fn targets_of(&self, source: Source, index: usize) -> &[(usize, usize)] {
        match source {
            Source::Input(i) => &self.input_targets[i][index],
            Source::Population(p) => &self.population_targets[p][index],
        }
    }

    /// The placement of a single core's `image` of `net` (mapped by a single-core mapper, such
    /// as the crossbar core's): every neuron on core 0 at its population base, every source's
    /// axons on core 0.
    pub fn single_core(net: &Network, image: CoreImage) -> MeshImage {
        let placement: Vec<Vec<(usize, usize)>> = net
            .populations
            .iter()
            .zip(&image.population_base)
            .map(|(pop, &base)| (0..pop.size).map(|n| (0, base + n)).collect())
            .collect();
        let owner = vec![net
            .populations
            .iter()
            .enumerate()
            .flat_map(|(p, pop)| (0..pop.size).map(move |n| (p, n)))
            .collect()];
        let on_core_0 = |axons: &Vec<Vec<usize>>| -> Vec<Vec<(usize, usize)>> {
            axons
                .iter()
                .map(|list| list.iter().map(|&axon| (0, axon)).collect())
                .collect()
        };
        MeshImage {
            mesh: MeshShape::default(),
            shape: image.shape,
            core_projections: vec![(0..net.projections.len()).collect()],
            input_targets: image.input_axons.iter().map(on_core_0).collect(),
            population_targets: image.population_axons.iter().map(on_core_0).collect(),
            cores: vec![image],
            placement,
            owner,
        }
    }

    /// Cores holding at least one neuron.
    pub fn used_cores(&self) -> usize {
        self.owner.iter().filter(|o| !o.is_empty()).count()
    }

    /// Whether any core has learning projections (then every tile is a learning tile).
    pub fn learns(&self) -> bool {
        self.cores.iter().any(|core| core.learning.is_some())
    }
}

/// The fan-out tables of one core (see `rtl::fanout`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FanoutTables {
    /// Per used core neuron: first entry (bits 0..16) | entry count (bits 16..32). The last
    /// entry of every neuron is its output spike to the host.
    pub index: Vec<u32>,
    /// The entries: one flit per destination, tagged with the source core.
    pub entries: Vec<u32>,
}

/// Tag of flits sent by the host.
pub const HOST_TAG: u32 = (1 << crate::rtl::aer::TAG_BITS) - 1;

impl MeshImage {
    /// The flit that carries an event for `axon` of `core` from the tile at `from`
    /// (`dx = dy = 0` when they are the same: a local delivery).
    pub fn flit(&self, from: usize, core: usize, axon: usize, tag: u32) -> u32 {
        let (fx, fy) = self.mesh.position(from);
        let (tx, ty) = self.mesh.position(core);
        system_format()
            .pack(&AerPacket {
                dx: tx as i32 - fx as i32,
                dy: ty as i32 - fy as i32,
                axon: axon as u32,
                tag,
            })
            .expect("mesh offsets and axons fit the full-offset flit")
    }

    /// The flit the host injects at node 0 for an input event to `(core, axon)`.
    pub fn host_flit(&self, core: usize, axon: usize) -> u32 {
        self.flit(0, core, axon, HOST_TAG)
    }

    /// Every core's fan-out tables, checked against `capacity` entries per core.
    pub fn fanout_tables(&self, capacity: usize) -> Result<Vec<FanoutTables>, MeshMapError> {
        let mut tables = Vec::with_capacity(self.cores.len());
        for (core, owners) in self.owner.iter().enumerate() {
            let mut index = Vec::with_capacity(owners.len());
            let mut entries = Vec::new();
            for (core_neuron, &(pop, n)) in owners.iter().enumerate() {
                let targets = self.targets_of(Source::Population(pop), n);
                index.push(entries.len() as u32 | ((targets.len() + 1) as u32) << 16);
                entries.extend(
                    targets
                        .iter()
                        .map(|&(to, axon)| self.flit(core, to, axon, core as u32)),
                );
                // Every neuron is an output: its spike also goes to the host port at node 0.
                entries.push(self.flit(
                    core,
                    0,
                    HOST_OUTPUT_FLAG as usize | core_neuron,
                    core as u32,
                ));
            }
            if entries.len() > capacity {
                return Err(MeshMapError::FanoutTable {
                    core,
                    needed: entries.len(),
                    available: capacity,
                });
            }
            tables.push(FanoutTables { index, entries });
        }
        Ok(tables)
    }
}

/// The flit layout of the multi-core system (the 8x8 mesh's, whatever the mesh size).
fn system_format() -> AerFormat {
    AerFormat::for_mesh(MAX_MESH_SIDE, MAX_MESH_SIDE).expect("the largest mesh has a format")
}

/// One population slice on one core.
struct Slice {
    population: usize,
    first: usize,
    len: usize,
}

/// Places `net` on a `mesh` of cores of `shape`.
pub fn map_mesh(
    net: &Network,
    mesh: MeshShape,
    shape: CoreShape,
) -> Result<MeshImage, MeshMapError> {
    let wrap = |core: usize| {
        let (x, y) = mesh.position(core);
        move |source: MapError| MeshMapError::Core { core, x, y, source }
    };
    // Before the sub-networks, whose projection indices are not the file's.
    if mesh.cores() > 1 {
        super::learning::check_learning_shape(net, shape)?;
    }
    if mesh.cores() == 1 || !shape.is_supported() {
        // One core: the single-core mapper's errors say best what does not fit.
        map_network(net, shape)?;
    }
    // ---- Partition: balanced first, packed if balancing runs out of cores.
    let balanced_share = net.total_neurons().div_ceil(mesh.cores()).max(1);
    let mut slices = match partition(net, mesh, shape, balanced_share.min(shape.neurons)) {
        Ok(slices) => slices,
        Err(_) => partition(net, mesh, shape, shape.neurons)?,
    };
    slices.resize_with(mesh.cores(), Vec::new);

    // ---- Per-core sub-networks and images.
    let mut placement: Vec<Vec<(usize, usize)>> = net
        .populations
        .iter()
        .map(|p| vec![(0, 0); p.size])
        .collect();
    let mut owner = vec![Vec::new(); mesh.cores()];
    let mut input_targets: Vec<Vec<Vec<(usize, usize)>>> = net
        .inputs
        .iter()
        .map(|i| vec![Vec::new(); i.size])
        .collect();
    let mut population_targets: Vec<Vec<Vec<(usize, usize)>>> = net
        .populations
        .iter()
        .map(|p| vec![Vec::new(); p.size])
        .collect();
    let mut cores = Vec::with_capacity(mesh.cores());
    let mut core_projections = Vec::with_capacity(mesh.cores());
    for (core, core_slices) in slices.iter().enumerate() {
        let (sub_net, sources, projections) = sub_network(net, core_slices);
        core_projections.push(projections);
        let image = map_network(&sub_net, shape).map_err(wrap(core))?;
        let mut core_neuron = 0;
        for slice in core_slices {
            let neurons = slice.first..slice.first + slice.len;
            for (place, n) in placement[slice.population][neurons.clone()]
                .iter_mut()
                .zip(neurons)
            {
                *place = (core, core_neuron);
                owner[core].push((slice.population, n));
                core_neuron += 1;
            }
        }
        for (sub_input, &source) in sources.iter().enumerate() {
            let targets = match source {
                Source::Input(i) => &mut input_targets[i],
                Source::Population(p) => &mut population_targets[p],
            };
            for (index, list) in targets.iter_mut().enumerate() {
                list.extend(
                    image
                        .axons_of(Source::Input(sub_input), index)
                        .iter()
                        .map(|&axon| (core, axon)),
                );
            }
        }
        cores.push(image);
    }
    Ok(MeshImage {
        mesh,
        shape,
        cores,
        placement,
        owner,
        core_projections,
        input_targets,
        population_targets,
    })
}

/// Cuts the populations into per-core slices of at most `share` neurons per core.
fn partition(
    net: &Network,
    mesh: MeshShape,
    shape: CoreShape,
    share: usize,
) -> Result<Vec<Vec<Slice>>, MeshMapError> {
    let incoming_axons = |pop: usize| -> usize {
        net.projections
            .iter()
            .filter(|p| p.to == pop)
            .map(|p| net.source_size(p.from))
            .sum()
    };
    let mut slices: Vec<Vec<Slice>> = vec![Vec::new()];
    let mut used_neurons = 0;
    let mut used_axons = 0;
    for (pop, population) in net.populations.iter().enumerate() {
        let axons = incoming_axons(pop);
        if axons > shape.axons {
            return Err(MeshMapError::TooManyAxons {
                population: population.name.clone(),
                needed: axons,
                available: shape.axons,
            });
        }
        let mut first = 0;
        while first < population.size {
            if used_neurons == share || used_axons + axons > shape.axons {
                slices.push(Vec::new());
                used_neurons = 0;
                used_axons = 0;
            }
            let len = (population.size - first).min(share - used_neurons);
            slices.last_mut().expect("never empty").push(Slice {
                population: pop,
                first,
                len,
            });
            used_neurons += len;
            used_axons += axons;
            first += len;
        }
    }
    if slices.len() > mesh.cores() {
        let first_outside = &slices[mesh.cores()][0];
        return Err(MeshMapError::TooFewCores {
            needed: slices.len(),
            available: mesh.cores(),
            mesh,
            neurons: shape.neurons,
            axons: shape.axons,
            population: net.populations[first_outside.population].name.clone(),
        });
    }
    Ok(slices)
}

/// The single-core network of one core's slices: every global source projecting into them
/// becomes an input group (returned alongside, by sub-network input index), and the network's
/// index of each of its projections.
fn sub_network(net: &Network, slices: &[Slice]) -> (Network, Vec<Source>, Vec<usize>) {
    let mut source_index: BTreeMap<Source, usize> = BTreeMap::new();
    let mut sources = Vec::new();
    let mut projections = Vec::new();
    let mut projection_index = Vec::new();
    let mut populations = Vec::with_capacity(slices.len());
    for (index, proj) in net.projections.iter().enumerate() {
        let Some(sub_pop) = slices.iter().position(|s| s.population == proj.to) else {
            continue;
        };
        let slice = &slices[sub_pop];
        let sub_input = *source_index.entry(proj.from).or_insert_with(|| {
            sources.push(proj.from);
            sources.len() - 1
        });
        projection_index.push(index);
        projections.push(Projection {
            from: Source::Input(sub_input),
            to: sub_pop,
            weight_exp: proj.weight_exp,
            weights: proj.weights[slice.first..slice.first + slice.len].to_vec(),
            learning: proj.learning,
        });
    }
    for slice in slices {
        let pop = &net.populations[slice.population];
        populations.push(Population {
            name: format!("{}[{}..{}]", pop.name, slice.first, slice.first + slice.len),
            size: slice.len,
            params: pop.params[slice.first..slice.first + slice.len].to_vec(),
        });
    }
    let inputs = sources
        .iter()
        .map(|&s| InputGroup {
            name: format!("from {}", net.source_name(s)),
            size: net.source_size(s),
            spikes: Vec::new(),
        })
        .collect();
    (
        Network {
            ticks: net.ticks,
            inputs,
            populations,
            projections,
        },
        sources,
        projection_index,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::workloads::dense_layer;

    const SMALL: CoreShape = CoreShape {
        neurons: 64,
        axons: 64,
    };

    #[test]
    fn parses_mesh_sizes_and_explains_bad_ones() {
        assert_eq!(
            "2x3".parse::<MeshShape>(),
            Ok(MeshShape {
                width: 2,
                height: 3
            })
        );
        let err = "9x1".parse::<MeshShape>().unwrap_err().to_string();
        assert!(err.contains("width 9 is out of range 1..=8"), "{err}");
        let err = "2by2".parse::<MeshShape>().unwrap_err().to_string();
        assert!(err.contains("expected WIDTHxHEIGHT"), "{err}");
        let err = "2x0".parse::<MeshShape>().unwrap_err().to_string();
        assert!(err.contains("height 0"), "{err}");
        for typo in [
            "2X2", " 2x2", "2x2 ", "+2x2", "02x02", "2x-1", "x2", "2x", "2x2x2",
        ] {
            assert!(typo.parse::<MeshShape>().is_err(), "{typo:?} was accepted");
        }
    }

    #[test]
    fn every_neuron_is_placed_once_and_owners_invert_placement() {
        let net = dense_layer(200, 40, 10, 4, 3);
        let mesh = MeshShape {
            width: 2,
            height: 2,
        };
        let image = map_mesh(&net, mesh, SMALL).unwrap();
        assert_eq!(image.used_cores(), 4);
        let mut seen = std::collections::HashSet::new();
        for (pop, neurons) in image.placement.iter().enumerate() {
            for (n, &(core, core_neuron)) in neurons.iter().enumerate() {
                assert!(seen.insert((core, core_neuron)), "two neurons on one slot");
                assert_eq!(image.owner[core][core_neuron], (pop, n));
            }
        }
        // Balanced: 200 neurons over 4 cores is 50 per core.
        assert!(image.owner.iter().all(|o| o.len() == 50));
        // Every input channel reaches every core (the layer is dense).
        for index in 0..40 {
            let cores: std::collections::BTreeSet<usize> = image
                .targets_of(Source::Input(0), index)
                .iter()
                .map(|&(core, _)| core)
                .collect();
            assert_eq!(cores.len(), 4);
        }
    }

    #[test]
    fn a_network_too_big_for_the_mesh_says_by_how_much() {
        let net = dense_layer(300, 40, 10, 4, 3);
        let mesh = MeshShape {
            width: 2,
            height: 2,
        };
        let err = map_mesh(&net, mesh, SMALL).unwrap_err();
        assert!(
            matches!(
                err,
                MeshMapError::TooFewCores {
                    needed: 5,
                    available: 4,
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("(1 too few)"), "{err}");
    }

    #[test]
    fn a_population_with_too_many_inputs_for_any_core_is_named() {
        let net = dense_layer(10, 100, 10, 4, 3);
        let mesh = MeshShape {
            width: 2,
            height: 1,
        };
        let err = map_mesh(&net, mesh, SMALL).unwrap_err().to_string();
        assert!(err.contains("100 source neurons"), "{err}");
        assert!(err.contains("(36 too many)"), "{err}");
    }
}
