//! The mesh fabric: a `width` x `height` grid of [`Router`]s, wired North/South/East/West, each
//! node's Local port exposed as an inject link and an eject link.
//!
//! Node `i` sits at column `x = i % width`, row `y = i / width`; row 0 is the northern edge and
//! `x` grows East (see [`super::aer`] for the offsets). Router `i`'s East output drives router
//! `i + 1`'s West input and takes its `ready`, and so on. Ports on the mesh boundary are tied
//! off: inputs never see a flit (`valid = 0`), outputs are always ready (`ready = 1`). A flit only
//! leaves through a boundary output when its offset pointed outside the mesh, which
//! [`MeshConfig::flit`] refuses to build; such a flit is dropped there instead of blocking its
//! input (and with it the traffic behind it) forever.
//!
//! # Why the mesh is written by hand
//! rust-hdl's `#[hdl_gen]` unrolls `for` loops but evaluates array indices with only the loop
//! variable in scope, so neighbour indices such as `i + width` cannot be expressed, and every
//! mesh size would need its own struct. [`Mesh`] instead keeps its routers and ports in `Vec`s
//! (which rust-hdl simulates and names `routers$3`, `inject_valid$3`, ...), and implements
//! [`Logic`] directly: `update` wires the grid in plain Rust for simulation, `hdl` emits the
//! same wiring as Verilog assignments. Only the flit's field widths are const generics; the
//! grid size and FIFO depth are run-time arguments.

use rust_hdl::prelude::*;
use thiserror::Error;

use super::aer::{AerError, AerFormat, AerPacket};
use super::router::{Port, Router, MAX_FIFO_DEPTH, PORTS};

/// Largest mesh side this build generates (offset fields of up to 4 bits).
pub const MAX_MESH_SIDE: usize = 8;

/// Why a mesh or a flit cannot be built.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NocError {
    /// The packet format cannot describe the mesh, or a field does not fit.
    #[error(transparent)]
    Aer(#[from] AerError),
    /// The mesh is larger than the generator's presets.
    #[error("a {width}x{height} mesh is not supported: at most {MAX_MESH_SIDE}x{MAX_MESH_SIDE}")]
    Unsupported {
        /// Requested width.
        width: usize,
        /// Requested height.
        height: usize,
    },
    /// The FIFO depth is out of range.
    #[error("router FIFO depth {0} is out of 1..={MAX_FIFO_DEPTH}")]
    FifoDepth(usize),
    /// A node index is outside the mesh.
    #[error("node {node} is outside the {nodes}-node mesh")]
    NoSuchNode {
        /// The index.
        node: usize,
        /// Nodes in the mesh.
        nodes: usize,
    },
}

/// Size of a mesh and its routers, fixed at generation time.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub struct MeshConfig {
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Flits per router input FIFO.
    pub fifo_depth: usize,
}

impl MeshConfig {
    /// A validated configuration.
    pub fn new(width: usize, height: usize, fifo_depth: usize) -> Result<Self, NocError> {
        // The packet format reports empty or (for other builds) oversized meshes first.
        AerFormat::for_mesh(width, height)?;
        if width > MAX_MESH_SIDE || height > MAX_MESH_SIDE {
            return Err(NocError::Unsupported { width, height });
        }
        if !(1..=MAX_FIFO_DEPTH).contains(&fifo_depth) {
            return Err(NocError::FifoDepth(fifo_depth));
        }
        Ok(MeshConfig {
            width,
            height,
            fifo_depth,
        })
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.width * self.height
    }

    /// The packet format of this mesh.
    pub fn format(&self) -> AerFormat {
        AerFormat::for_mesh(self.width, self.height).expect("validated in MeshConfig::new")
    }

    /// `(x, y)` of node `node`.
    pub fn coords(&self, node: usize) -> (usize, usize) {
        (node % self.width, node / self.width)
    }

    /// Index of the node at `(x, y)`.
    pub fn node(&self, x: usize, y: usize) -> usize {
        y * self.width + x
    }

    /// Hops of the minimal (and XY) path from `src` to `dst`.
    pub fn hops(&self, src: usize, dst: usize) -> usize {
        let (sx, sy) = self.coords(src);
        let (dx, dy) = self.coords(dst);
        sx.abs_diff(dx) + sy.abs_diff(dy)
    }

    /// The flit that `src` injects to reach `axon` at `dst`, with `tag`.
    pub fn flit(&self, src: usize, dst: usize, axon: u32, tag: u32) -> Result<u32, NocError> {
        for node in [src, dst] {
            if node >= self.nodes() {
                return Err(NocError::NoSuchNode {
                    node,
                    nodes: self.nodes(),
                });
            }
        }
        let (sx, sy) = self.coords(src);
        let (tx, ty) = self.coords(dst);
        Ok(self.format().pack(&AerPacket {
            dx: tx as i32 - sx as i32,
            dy: ty as i32 - sy as i32,
            axon,
            tag,
        })?)
    }
}

/// Neighbour of `node` through `port`, if inside the mesh.
pub fn neighbour(config: &MeshConfig, node: usize, port: Port) -> Option<usize> {
    let (x, y) = config.coords(node);
    match port {
        Port::North => (y > 0).then(|| config.node(x, y - 1)),
        Port::South => (y + 1 < config.height).then(|| config.node(x, y + 1)),
        Port::East => (x + 1 < config.width).then(|| config.node(x + 1, y)),
        Port::West => (x > 0).then(|| config.node(x - 1, y)),
        Port::Local => None,
    }
}

/// A mesh of [`Router`]s with the flit layout of `F`, `DXB`, `DYB` (see [`Router`]).
#[derive(LogicBlock)]
pub struct Mesh<const F: usize, const DXB: usize, const DYB: usize> {
    /// Clock of every router.
    pub clock: Signal<In, Clock>,
    /// Per node: a flit is offered for injection.
    pub inject_valid: Vec<Signal<In, Bit>>,
    /// Per node: the injected flit.
    pub inject_data: Vec<Signal<In, Bits<F>>>,
    /// Per node: the router's Local input FIFO has room.
    pub inject_ready: Vec<Signal<Out, Bit>>,
    /// Per node: a flit for this node is offered.
    pub eject_valid: Vec<Signal<Out, Bit>>,
    /// Per node: the delivered flit (`dx = dy = 0`).
    pub eject_data: Vec<Signal<Out, Bits<F>>>,
    /// Per node: the tile takes the flit at the next edge.
    pub eject_ready: Vec<Signal<In, Bit>>,
    routers: Vec<Router<F, DXB, DYB>>,
    /// Per router and port: the neighbour's index, `None` on the boundary and for Local.
    _links: Vec<[Option<usize>; PORTS]>,
}

impl<const F: usize, const DXB: usize, const DYB: usize> Mesh<F, DXB, DYB> {
    /// Builds the grid of `config`.
    ///
    /// # Panics
    /// If the const widths do not match `config`'s packet format (a generator bug).
    pub fn new(config: &MeshConfig) -> Self {
        let format = config.format();
        assert_eq!(
            (F, DXB, DYB),
            (
                format.flit_bits() as usize,
                format.dx_bits as usize,
                format.dy_bits as usize
            ),
            "mesh widths do not match the packet format of {config:?}"
        );
        let n = config.nodes();
        Mesh {
            clock: Default::default(),
            inject_valid: (0..n).map(|_| Default::default()).collect(),
            inject_data: (0..n).map(|_| Default::default()).collect(),
            inject_ready: (0..n).map(|_| Default::default()).collect(),
            eject_valid: (0..n).map(|_| Default::default()).collect(),
            eject_data: (0..n).map(|_| Default::default()).collect(),
            eject_ready: (0..n).map(|_| Default::default()).collect(),
            routers: (0..n).map(|_| Router::new(config.fifo_depth)).collect(),
            _links: (0..n)
                .map(|i| Port::ALL.map(|p| neighbour(config, i, p)))
                .collect(),
        }
    }

    /// Number of nodes.
    pub fn nodes(&self) -> usize {
        self.routers.len()
    }
}

impl<const F: usize, const DXB: usize, const DYB: usize> Logic for Mesh<F, DXB, DYB> {
    fn update(&mut self) {
        let local = Port::Local as usize;
        for i in 0..self.routers.len() {
            let clock = self.clock.val();
            self.routers[i].clock.next = clock;
            for port in Port::ALL {
                let p = port as usize;
                match (self._links[i][p], port.opposite()) {
                    (Some(j), Some(back)) => {
                        let b = back as usize;
                        let valid = self.routers[j].out_valid[b].val();
                        let data = self.routers[j].out_data[b].val();
                        let ready = self.routers[j].in_ready[b].val();
                        let r = &mut self.routers[i];
                        r.in_valid[p].next = valid;
                        r.in_data[p].next = data;
                        r.out_ready[p].next = ready;
                    }
                    _ if port == Port::Local => {}
                    _ => {
                        let r = &mut self.routers[i];
                        r.in_valid[p].next = false;
                        r.in_data[p].next = 0.into();
                        r.out_ready[p].next = true;
                    }
                }
            }
            let r = &mut self.routers[i];
            r.in_valid[local].next = self.inject_valid[i].val();
            r.in_data[local].next = self.inject_data[i].val();
            r.out_ready[local].next = self.eject_ready[i].val();
            self.inject_ready[i].next = r.in_ready[local].val();
            self.eject_valid[i].next = r.out_valid[local].val();
            self.eject_data[i].next = r.out_data[local].val();
        }
    }

    fn connect(&mut self) {
        for r in &mut self.routers {
            r.clock.connect();
            for p in 0..PORTS {
                r.in_valid[p].connect();
                r.in_data[p].connect();
                r.out_ready[p].connect();
            }
        }
        for i in 0..self.inject_ready.len() {
            self.inject_ready[i].connect();
            self.eject_valid[i].connect();
            self.eject_data[i].connect();
        }
    }

    fn hdl(&self) -> Verilog {
        // The same wiring as `update`, as one combinational block. Child ports appear as
        // rust-hdl's stub wires `routers$<i>$<port>`; array elements are `name$<index>`.
        let mut v = String::from("always @(*) begin\n");
        let local = Port::Local as usize;
        for (i, links) in self._links.iter().enumerate() {
            let r = format!("routers${i}");
            v.push_str(&format!("    {r}$clock = clock;\n"));
            for port in Port::ALL {
                let p = port as usize;
                match (links[p], port.opposite()) {
                    (Some(j), Some(back)) => {
                        let b = back as usize;
                        v.push_str(&format!(
                            "    {r}$in_valid${p} = routers${j}$out_valid${b};\n\
                             \x20   {r}$in_data${p} = routers${j}$out_data${b};\n\
                             \x20   {r}$out_ready${p} = routers${j}$in_ready${b};\n"
                        ));
                    }
                    _ if port == Port::Local => {}
                    _ => {
                        v.push_str(&format!(
                            "    {r}$in_valid${p} = 1'b0;\n\
                             \x20   {r}$in_data${p} = {F}'d0;\n\
                             \x20   {r}$out_ready${p} = 1'b1;\n"
                        ));
                    }
                }
            }
            v.push_str(&format!(
                "    {r}$in_valid${local} = inject_valid${i};\n\
                 \x20   {r}$in_data${local} = inject_data${i};\n\
                 \x20   {r}$out_ready${local} = eject_ready${i};\n\
                 \x20   inject_ready${i} = {r}$in_ready${local};\n\
                 \x20   eject_valid${i} = {r}$out_valid${local};\n\
                 \x20   eject_data${i} = {r}$out_data${local};\n"
            ));
        }
        v.push_str("end\n");
        Verilog::Custom(v)
    }
}

/// One arm of [`with_widths`]: binds the three consts and evaluates the body.
macro_rules! width_arm {
    ($x:literal, $y:literal, $f:ident, $dxb:ident, $dyb:ident, $body:expr) => {{
        const $dxb: usize = $x;
        const $dyb: usize = $y;
        const $f: usize =
            $x + $y + $crate::rtl::aer::AXON_BITS as usize + $crate::rtl::aer::TAG_BITS as usize;
        $body
    }};
}
pub(crate) use width_arm;

/// Runs `$body` with `$f`, `$dxb`, `$dyb` bound to the const widths of `$format` (an
/// [`AerFormat`] from [`AerFormat::for_mesh`] of a supported mesh). Every arm is a separate
/// instantiation of the router, so the table stops at the 8x8 mesh's 4-bit offsets.
macro_rules! with_widths {
    ($format:expr, $f:ident, $dxb:ident, $dyb:ident => $body:expr) => {{
        let format: $crate::rtl::aer::AerFormat = $format;
        assert_eq!(
            (format.axon_bits, format.tag_bits),
            ($crate::rtl::aer::AXON_BITS, $crate::rtl::aer::TAG_BITS),
            "only the for_mesh payload is instantiated"
        );
        match (format.dx_bits, format.dy_bits) {
            (1, 1) => $crate::rtl::noc::width_arm!(1, 1, $f, $dxb, $dyb, $body),
            (1, 2) => $crate::rtl::noc::width_arm!(1, 2, $f, $dxb, $dyb, $body),
            (1, 3) => $crate::rtl::noc::width_arm!(1, 3, $f, $dxb, $dyb, $body),
            (1, 4) => $crate::rtl::noc::width_arm!(1, 4, $f, $dxb, $dyb, $body),
            (2, 1) => $crate::rtl::noc::width_arm!(2, 1, $f, $dxb, $dyb, $body),
            (2, 2) => $crate::rtl::noc::width_arm!(2, 2, $f, $dxb, $dyb, $body),
            (2, 3) => $crate::rtl::noc::width_arm!(2, 3, $f, $dxb, $dyb, $body),
            (2, 4) => $crate::rtl::noc::width_arm!(2, 4, $f, $dxb, $dyb, $body),
            (3, 1) => $crate::rtl::noc::width_arm!(3, 1, $f, $dxb, $dyb, $body),
            (3, 2) => $crate::rtl::noc::width_arm!(3, 2, $f, $dxb, $dyb, $body),
            (3, 3) => $crate::rtl::noc::width_arm!(3, 3, $f, $dxb, $dyb, $body),
            (3, 4) => $crate::rtl::noc::width_arm!(3, 4, $f, $dxb, $dyb, $body),
            (4, 1) => $crate::rtl::noc::width_arm!(4, 1, $f, $dxb, $dyb, $body),
            (4, 2) => $crate::rtl::noc::width_arm!(4, 2, $f, $dxb, $dyb, $body),
            (4, 3) => $crate::rtl::noc::width_arm!(4, 3, $f, $dxb, $dyb, $body),
            (4, 4) => $crate::rtl::noc::width_arm!(4, 4, $f, $dxb, $dyb, $body),
            (x, y) => {
                panic!("offset widths {x}+{y} are not instantiated (validate the config first)")
            }
        }
    }};
}
pub(crate) use with_widths;

/// The raw rust-hdl Verilog of the mesh of `config` (top module `top`).
pub fn mesh_verilog_raw(config: &MeshConfig) -> String {
    with_widths!(config.format(), F, DXB, DYB => {
        let mut mesh = Mesh::<F, DXB, DYB>::new(config);
        mesh.connect_all();
        generate_verilog(&mesh)
    })
}

/// The raw rust-hdl Verilog of one router for the packet format of `config` (top `top`).
pub fn router_verilog_raw(config: &MeshConfig) -> String {
    with_widths!(config.format(), F, DXB, DYB => {
        let mut router = Router::<F, DXB, DYB>::new(config.fifo_depth);
        router.connect_all();
        generate_verilog(&router)
    })
}
