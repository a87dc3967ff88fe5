//! Link loads of a mesh run (`sim --mesh WxH --link-load links.csv`): how many flits crossed
//! each link of the router mesh, for the NoC heat map (`neurofab plot links`).
//!
//! # What is counted
//! The flits of a run are fixed by its spikes and the placement (`map::mesh`), whatever the
//! cycle timing:
//! - every spike of a neuron sends one flit per entry of its fan-out table, to each core that
//!   holds a slice of a population it projects into, plus one flit to the host port at node 0
//!   (every neuron is an output);
//! - every input spike listed at tick `t < ticks - 1` is sent by the host, injected at node 0,
//!   as one flit per target `(core, axon)` before tick `t + 1` (the last tick's input spikes
//!   would only reach the tick after the run, and are not sent).
//!
//! Each flit takes the route the routers take (`rtl::router`: dimension order, x first, then
//! y; node `(x, y)` is core `y * W + x`, y grows southward): it is *injected* at its source node,
//! crosses one link per hop, and is *ejected* at its destination node. A flit between tiles of
//! the same node crosses no link (inject and eject only). At node 0 the host shares the tile's
//! inject and eject links, so they count the host's flits too.

use std::io;

use crate::map::mesh::{MeshImage, MeshShape};
use crate::model::{Network, Source, SpikeSink};

/// The links of one node, in the CSV's order.
pub const LINKS: [&str; 6] = ["east", "west", "south", "north", "inject", "eject"];

/// Index of a link in a node's row of [`LinkLoads::flits`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Link {
    /// To `(x + 1, y)`.
    East = 0,
    /// To `(x - 1, y)`.
    West = 1,
    /// To `(x, y + 1)`.
    South = 2,
    /// To `(x, y - 1)`.
    North = 3,
    /// Into the mesh at this node.
    Inject = 4,
    /// Out of the mesh at this node.
    Eject = 5,
}

impl Link {
    /// The link's name in the CSV.
    pub fn name(self) -> &'static str {
        LINKS[self as usize]
    }
}

/// Flits per link of a mesh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkLoads {
    /// The mesh.
    pub mesh: MeshShape,
    /// `flits[node][link as usize]`, node `y * width + x`.
    pub flits: Vec<[u64; 6]>,
}

impl LinkLoads {
    /// No flits yet.
    pub fn new(mesh: MeshShape) -> LinkLoads {
        LinkLoads {
            mesh,
            flits: vec![[0; 6]; mesh.cores()],
        }
    }

    /// Counts `count` flits from node `from` to node `to` along their XY route.
    pub fn add_route(&mut self, from: usize, to: usize, count: u64) {
        let width = self.mesh.width;
        let (mut x, mut y) = self.mesh.position(from);
        let (tx, ty) = self.mesh.position(to);
        self.flits[from][Link::Inject as usize] += count;
        while x != tx {
            let link = if tx > x { Link::East } else { Link::West };
            self.flits[y * width + x][link as usize] += count;
            x = if tx > x { x + 1 } else { x - 1 };
        }
        while y != ty {
            let link = if ty > y { Link::South } else { Link::North };
            self.flits[y * width + x][link as usize] += count;
            y = if ty > y { y + 1 } else { y - 1 };
        }
        self.flits[to][Link::Eject as usize] += count;
    }

    /// Flits of `link` out of node `(x, y)`.
    pub fn get(&self, x: usize, y: usize, link: Link) -> u64 {
        self.flits[y * self.mesh.width + x][link as usize]
    }

    /// Flits that entered the mesh (= flits that left it).
    pub fn total(&self) -> u64 {
        self.flits.iter().map(|f| f[Link::Inject as usize]).sum()
    }

    /// The busiest link between two routers: `(x, y, link, flits)`, the first in node and
    /// [`LINKS`] order among equals; `None` without any.
    pub fn busiest(&self) -> Option<(usize, usize, Link, u64)> {
        let mut best = None;
        for (node, row) in self.flits.iter().enumerate() {
            let (x, y) = self.mesh.position(node);
            for link in [Link::East, Link::West, Link::South, Link::North] {
                let flits = row[link as usize];
                if flits > 0 && best.is_none_or(|(_, _, _, b)| flits > b) {
                    best = Some((x, y, link, flits));
                }
            }
        }
        best
    }

    /// The CSV: `x,y,link,flits`, one row per link that exists (no east link on the east
    /// edge, ...), nodes in core order, links in [`LINKS`] order.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("x,y,link,flits\n");
        for (node, row) in self.flits.iter().enumerate() {
            let (x, y) = self.mesh.position(node);
            for (i, name) in LINKS.iter().enumerate() {
                let exists = match i {
                    0 => x + 1 < self.mesh.width,
                    1 => x > 0,
                    2 => y + 1 < self.mesh.height,
                    3 => y > 0,
                    _ => true,
                };
                if exists {
                    out += &format!("{x},{y},{name},{}\n", row[i]);
                }
            }
        }
        out
    }
}

/// Reads a link-load CSV ([`LinkLoads::to_csv`]); the error names the line and what is wrong
/// with it.
pub fn parse_link_csv(text: &str) -> Result<LinkLoads, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "x,y,link,flits")) => {}
        _ => return Err("line 1: expected the header `x,y,link,flits`".into()),
    }
    let mut rows = vec![];
    for (i, line) in lines {
        let bad = |why: &str| format!("line {}: {why}: `{line}`", i + 1);
        let fields: Vec<&str> = line.split(',').collect();
        let [x, y, link, flits] = fields[..] else {
            return Err(bad("expected 4 fields"));
        };
        let number = |f: &str| f.trim().parse::<u64>().map_err(|_| bad("not a count"));
        let link = LINKS
            .iter()
            .position(|&l| l == link)
            .ok_or_else(|| bad("the link is not one of east, west, south, north, inject, eject"))?;
        rows.push((number(x)?, number(y)?, link, number(flits)?));
    }
    if rows.is_empty() {
        return Err("no links listed".into());
    }
    let width = 1 + rows.iter().map(|r| r.0).max().unwrap_or(0);
    let height = 1 + rows.iter().map(|r| r.1).max().unwrap_or(0);
    let (Ok(width), Ok(height)) = (usize::try_from(width), usize::try_from(height)) else {
        return Err("the mesh is too large".into());
    };
    if width > crate::map::mesh::MAX_MESH_SIDE || height > crate::map::mesh::MAX_MESH_SIDE {
        return Err(format!(
            "a {width}x{height} mesh: at most {side}x{side}",
            side = crate::map::mesh::MAX_MESH_SIDE
        ));
    }
    let mut loads = LinkLoads::new(MeshShape { width, height });
    for (x, y, link, flits) in rows {
        loads.flits[y as usize * width + x as usize][link] = flits;
    }
    Ok(loads)
}

/// Counts a run's link loads as its ticks complete (a [`SpikeSink`] beside the spike CSV).
pub struct LinkLoadCounter {
    image: MeshImage,
    ticks: u32,
    /// Input spikes `(tick, group, index)`, sorted, unique.
    inputs: Vec<(u32, usize, usize)>,
    loads: LinkLoads,
}

impl LinkLoadCounter {
    /// A counter for `ticks` ticks of `net` placed as `image`.
    pub fn new(image: MeshImage, net: &Network, ticks: u32) -> LinkLoadCounter {
        let mut inputs: Vec<(u32, usize, usize)> = net
            .inputs
            .iter()
            .enumerate()
            .flat_map(|(g, group)| group.spikes.iter().map(move |&(t, i)| (t, g, i)))
            .collect();
        inputs.sort_unstable();
        inputs.dedup();
        LinkLoadCounter {
            loads: LinkLoads::new(image.mesh),
            image,
            ticks,
            inputs,
        }
    }

    /// The loads counted so far.
    pub fn finish(self) -> LinkLoads {
        self.loads
    }

    fn add_targets(&mut self, from: usize, source: Source, index: usize) {
        for &(core, _) in self.image.targets_of(source, index) {
            self.loads.add_route(from, core, 1);
        }
    }
}

impl SpikeSink for LinkLoadCounter {
    fn tick_done(
        &mut self,
        tick: u32,
        spikes: &[(usize, usize)],
        _cycles: Option<u64>,
    ) -> io::Result<()> {
        // The host sends this tick's input spikes before the next tick, if there is one.
        if tick + 1 < self.ticks {
            let start = self.inputs.partition_point(|&(t, _, _)| t < tick);
            let end = self.inputs.partition_point(|&(t, _, _)| t <= tick);
            for k in start..end {
                let (_, group, index) = self.inputs[k];
                self.add_targets(0, Source::Input(group), index);
            }
        }
        for &(pop, neuron) in spikes {
            let (core, _) = self.image.placement[pop][neuron];
            self.add_targets(core, Source::Population(pop), neuron);
            self.loads.add_route(core, 0, 1);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_goes_along_x_first_then_y() {
        let mesh = MeshShape {
            width: 3,
            height: 3,
        };
        let mut loads = LinkLoads::new(mesh);
        // From (2, 0) to (0, 2): west twice along row 0, then south twice along column 0.
        loads.add_route(2, 6, 5);
        assert_eq!(loads.get(2, 0, Link::Inject), 5);
        assert_eq!(loads.get(2, 0, Link::West), 5);
        assert_eq!(loads.get(1, 0, Link::West), 5);
        assert_eq!(loads.get(0, 0, Link::South), 5);
        assert_eq!(loads.get(0, 1, Link::South), 5);
        assert_eq!(loads.get(0, 2, Link::Eject), 5);
        let crossings: u64 = loads.flits.iter().flat_map(|f| &f[..4]).sum();
        assert_eq!(crossings, 4 * 5, "four hops");
        // A local flit crosses no link.
        loads.add_route(4, 4, 1);
        assert_eq!(loads.get(1, 1, Link::Inject), 1);
        assert_eq!(loads.get(1, 1, Link::Eject), 1);
        assert_eq!(loads.total(), 6);
        // Ties go to the first link in node order.
        assert_eq!(loads.busiest(), Some((0, 0, Link::South, 5)));
    }

    #[test]
    fn the_csv_reads_back_and_bad_lines_are_named() {
        let mesh = MeshShape {
            width: 3,
            height: 2,
        };
        let mut loads = LinkLoads::new(mesh);
        loads.add_route(0, 5, 7);
        loads.add_route(4, 1, 2);
        assert_eq!(parse_link_csv(&loads.to_csv()), Ok(loads));
        let err = parse_link_csv("x,y,link,flits\n0,0,up,3\n").unwrap_err();
        assert!(
            err.contains("line 2") && err.contains("east, west"),
            "{err}"
        );
        assert!(parse_link_csv("x,y\n").unwrap_err().contains("header"));
        assert!(parse_link_csv("x,y,link,flits\n0,0,east,-1\n")
            .unwrap_err()
            .contains("not a count"));
    }

    #[test]
    fn the_csv_lists_the_links_that_exist() {
        let mesh = MeshShape {
            width: 2,
            height: 1,
        };
        let mut loads = LinkLoads::new(mesh);
        loads.add_route(1, 0, 3);
        assert_eq!(
            loads.to_csv(),
            "x,y,link,flits\n0,0,east,0\n0,0,inject,0\n0,0,eject,3\n\
             1,0,west,3\n1,0,inject,3\n1,0,eject,0\n"
        );
    }
}
