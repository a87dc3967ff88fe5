//! The crossbar's read path as a resistive network, solved by nodal analysis.
//!
//! # Topology (the `XBAR.json` of `neurofab crossbar solve`)
//! Row `i` is driven by `v_row[i]` through `r_source` into the row node of cell `(i, 0)`; a row
//! wire segment `r_wire_row` joins the row nodes of cells `(i, j)` and `(i, j + 1)`; a column
//! wire segment `r_wire_col` joins the column nodes of `(i, j)` and `(i + 1, j)`; cell `(i, j)`
//! is the conductance `g[i][j]` between its row node and its column node; column `j` leaves
//! at the bottom (row `R - 1`) through `r_sense` into a 0 V sense node (a virtual ground). A
//! resistance of 0 is an ideal wire.
//!
//! # Method
//! Nodes joined by ideal wires are one node (union-find). A merged node that contains a driver
//! or a sense node has a known voltage; the others are unknowns. Kirchhoff's current law at
//! every unknown node gives `G v = b`, with `G` the conductance Laplacian restricted to the
//! unknowns and `b` the currents injected by the known nodes. Every unknown node is connected
//! to a known one (each row node reaches its driver through the row wires, each column node
//! its sense node through the column wires), so `G` is symmetric positive definite and a sparse
//! Cholesky factorisation (`faer`) solves it exactly up to rounding. The current into sense
//! node `j` is then the sum, over the branches that enter its merged node from outside, of
//! `g (V_other - 0)`.
//!
//! With all four resistances 0 every row node sits at `v_row[i]` and every column node at 0 V,
//! so column `j` collects `sum_i v_row[i] g[i][j]`: [`ideal_column_currents`], the closed form.

use faer::linalg::solvers::Solve;
use faer::sparse::{SparseColMat, Triplet};
use faer::{Mat, Side};
use thiserror::Error;

/// A crossbar's read network: `rows x cols` cells, their drive voltages and the parasitic
/// resistances (ohms; 0 = ideal wire).
#[derive(Clone, Debug, PartialEq)]
pub struct ReadNetwork {
    /// Rows `R`.
    pub rows: usize,
    /// Columns `C`.
    pub cols: usize,
    /// Cell conductances in siemens, row-major: `g[i * cols + j]`.
    pub g: Vec<f64>,
    /// Drive voltage of each row, volts.
    pub v_row: Vec<f64>,
    /// Row wire segment between adjacent cells of a row.
    pub r_wire_row: f64,
    /// Column wire segment between adjacent cells of a column.
    pub r_wire_col: f64,
    /// Driver output resistance of each row.
    pub r_source: f64,
    /// Sense resistance of each column into its virtual ground.
    pub r_sense: f64,
}

/// Why a read network cannot be solved.
#[derive(Debug, Error, PartialEq)]
pub enum SolveError {
    /// The conductance matrix is not positive definite: a value is out of range (the file
    /// checks rule this out; reaching it is a bug, reported rather than a wrong answer).
    #[error("the nodal conductance matrix is not positive definite ({0})")]
    NotPositiveDefinite(String),
}

/// One two-terminal branch: nodes `a`, `b`, and either a conductance or an ideal wire.
#[derive(Clone, Copy, Debug)]
struct Branch {
    a: usize,
    b: usize,
    /// Siemens; `None` for an ideal wire (resistance 0).
    conductance: Option<f64>,
}

/// A resistance as a branch: 0 ohm is an ideal wire.
fn resistor(a: usize, b: usize, ohms: f64) -> Branch {
    Branch {
        a,
        b,
        conductance: if ohms == 0.0 { None } else { Some(1.0 / ohms) },
    }
}

/// Node numbering: row nodes, column nodes, drivers, sense nodes.
struct Nodes {
    rows: usize,
    cols: usize,
}

impl Nodes {
    fn row(&self, i: usize, j: usize) -> usize {
        i * self.cols + j
    }
    fn col(&self, i: usize, j: usize) -> usize {
        self.rows * self.cols + i * self.cols + j
    }
    fn driver(&self, i: usize) -> usize {
        2 * self.rows * self.cols + i
    }
    fn sense(&self, j: usize) -> usize {
        2 * self.rows * self.cols + self.rows + j
    }
    fn count(&self) -> usize {
        2 * self.rows * self.cols + self.rows + self.cols
    }
}

/// The branches of the network, per the topology in the module doc.
fn branches(net: &ReadNetwork, nodes: &Nodes) -> Vec<Branch> {
    let (rows, cols) = (net.rows, net.cols);
    let mut list = Vec::with_capacity(4 * rows * cols + rows + cols);
    for i in 0..rows {
        list.push(resistor(nodes.driver(i), nodes.row(i, 0), net.r_source));
        for j in 0..cols {
            if j + 1 < cols {
                list.push(resistor(
                    nodes.row(i, j),
                    nodes.row(i, j + 1),
                    net.r_wire_row,
                ));
            }
            if i + 1 < rows {
                list.push(resistor(
                    nodes.col(i, j),
                    nodes.col(i + 1, j),
                    net.r_wire_col,
                ));
            }
            list.push(Branch {
                a: nodes.row(i, j),
                b: nodes.col(i, j),
                conductance: Some(net.g[i * cols + j]),
            });
        }
    }
    for j in 0..cols {
        list.push(resistor(
            nodes.col(rows - 1, j),
            nodes.sense(j),
            net.r_sense,
        ));
    }
    list
}

/// Union-find root with path halving.
fn root(parent: &mut [usize], mut x: usize) -> usize {
    while parent[x] != x {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    x
}

/// The solved currents of a read network, amperes.
#[derive(Clone, Debug, PartialEq)]
pub struct Currents {
    /// From each column into its sense node (positive into the sense node).
    pub column: Vec<f64>,
    /// Out of each row driver into the array (positive out of the driver).
    pub row: Vec<f64>,
}

/// The current from each column into its sense node, amperes (positive into the sense node).
pub fn column_currents(net: &ReadNetwork) -> Result<Vec<f64>, SolveError> {
    Ok(solve(net)?.column)
}

/// Solves the network: every column's and every driver's current.
pub fn solve(net: &ReadNetwork) -> Result<Currents, SolveError> {
    let nodes = Nodes {
        rows: net.rows,
        cols: net.cols,
    };
    let list = branches(net, &nodes);
    // Merge the nodes of every ideal wire.
    let mut parent: Vec<usize> = (0..nodes.count()).collect();
    for branch in list.iter().filter(|b| b.conductance.is_none()) {
        let (ra, rb) = (root(&mut parent, branch.a), root(&mut parent, branch.b));
        parent[ra] = rb;
    }
    // Known voltages: drivers and sense nodes (no ideal path joins two of them: rows and
    // columns meet only through cells, which are conductances).
    let mut known: Vec<Option<f64>> = vec![None; nodes.count()];
    for i in 0..net.rows {
        let r = root(&mut parent, nodes.driver(i));
        known[r] = Some(net.v_row[i]);
    }
    for j in 0..net.cols {
        let r = root(&mut parent, nodes.sense(j));
        known[r] = Some(0.0);
    }
    // Unknown merged nodes get consecutive indices.
    let mut unknown_index = vec![usize::MAX; nodes.count()];
    let mut unknowns = 0;
    for node in 0..nodes.count() {
        let r = root(&mut parent, node);
        if known[r].is_none() && unknown_index[r] == usize::MAX {
            unknown_index[r] = unknowns;
            unknowns += 1;
        }
    }
    // G v = b over the unknowns (lower triangle only: the factorisation reads one side).
    let mut triplets = Vec::with_capacity(3 * list.len());
    let mut rhs = Mat::<f64>::zeros(unknowns, 1);
    for branch in &list {
        let Some(g) = branch.conductance else {
            continue;
        };
        let (ra, rb) = (root(&mut parent, branch.a), root(&mut parent, branch.b));
        if ra == rb {
            continue;
        }
        match (known[ra], known[rb]) {
            (None, None) => {
                let (ia, ib) = (unknown_index[ra], unknown_index[rb]);
                triplets.push(Triplet::new(ia, ia, g));
                triplets.push(Triplet::new(ib, ib, g));
                triplets.push(Triplet::new(ia.max(ib), ia.min(ib), -g));
            }
            (None, Some(v)) => {
                let ia = unknown_index[ra];
                triplets.push(Triplet::new(ia, ia, g));
                rhs[(ia, 0)] += g * v;
            }
            (Some(v), None) => {
                let ib = unknown_index[rb];
                triplets.push(Triplet::new(ib, ib, g));
                rhs[(ib, 0)] += g * v;
            }
            (Some(_), Some(_)) => {}
        }
    }
    let solution = if unknowns == 0 {
        Mat::<f64>::zeros(0, 1)
    } else {
        let matrix =
            SparseColMat::<usize, f64>::try_new_from_triplets(unknowns, unknowns, &triplets)
                .map_err(|e| SolveError::NotPositiveDefinite(format!("{e:?}")))?;
        let llt = matrix
            .sp_cholesky(Side::Lower)
            .map_err(|e| SolveError::NotPositiveDefinite(format!("{e:?}")))?;
        llt.solve(&rhs)
    };
    // Resolve every node's merged root once; then the voltage of any node.
    let roots: Vec<usize> = (0..nodes.count()).map(|n| root(&mut parent, n)).collect();
    let voltage = |node: usize| {
        let r = roots[node];
        known[r].unwrap_or_else(|| solution[(unknown_index[r], 0)])
    };
    // The current flowing into a known merged node from the branches that enter it.
    let flow_into = |target: usize| -> f64 {
        list.iter()
            .filter_map(|branch| {
                let g = branch.conductance?;
                let (ra, rb) = (roots[branch.a], roots[branch.b]);
                match (ra == target, rb == target) {
                    (true, false) => Some(g * (voltage(branch.b) - voltage(branch.a))),
                    (false, true) => Some(g * (voltage(branch.a) - voltage(branch.b))),
                    _ => None,
                }
            })
            .sum()
    };
    Ok(Currents {
        column: (0..net.cols)
            .map(|j| flow_into(roots[nodes.sense(j)]))
            .collect(),
        row: (0..net.rows)
            .map(|i| -flow_into(roots[nodes.driver(i)]))
            .collect(),
    })
}

/// The closed form for an ideal array (all resistances 0): `I_j = sum_i v_row[i] g[i][j]`.
pub fn ideal_column_currents(rows: usize, cols: usize, g: &[f64], v_row: &[f64]) -> Vec<f64> {
    (0..cols)
        .map(|j| (0..rows).map(|i| v_row[i] * g[i * cols + j]).sum())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn network(rows: usize, cols: usize, seed: u64, r: [f64; 4]) -> ReadNetwork {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        ReadNetwork {
            rows,
            cols,
            g: (0..rows * cols)
                .map(|_| rng.gen_range(1e-6..1e-4))
                .collect(),
            v_row: (0..rows).map(|_| rng.gen_range(0.0..0.3)).collect(),
            r_wire_row: r[0],
            r_wire_col: r[1],
            r_source: r[2],
            r_sense: r[3],
        }
    }

    fn close(a: &[f64], b: &[f64], tolerance: f64) {
        let scale = b.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        for (j, (x, y)) in a.iter().zip(b).enumerate() {
            assert!(
                (x - y).abs() <= tolerance * scale,
                "column {j}: {x} vs {y} (scale {scale})"
            );
        }
    }

    #[test]
    fn ideal_wires_give_the_closed_form() {
        for (rows, cols) in [(1, 1), (2, 3), (17, 5), (64, 64)] {
            let net = network(rows, cols, (rows * 100 + cols) as u64, [0.0; 4]);
            let solved = column_currents(&net).unwrap();
            let closed = ideal_column_currents(rows, cols, &net.g, &net.v_row);
            close(&solved, &closed, 1e-12);
        }
    }

    #[test]
    fn one_cell_is_three_resistors_in_series() {
        // v = 0.2 V through r_source 1 kohm, the cell 10 kohm (1e-4 S) and r_sense 500 ohm:
        // I = 0.2 / 11 500.
        let net = ReadNetwork {
            rows: 1,
            cols: 1,
            g: vec![1e-4],
            v_row: vec![0.2],
            r_wire_row: 7.0,
            r_wire_col: 9.0,
            r_source: 1000.0,
            r_sense: 500.0,
        };
        let i = column_currents(&net).unwrap();
        assert!((i[0] - 0.2 / 11_500.0).abs() < 1e-18, "{}", i[0]);
    }

    #[test]
    fn a_two_by_one_column_by_hand() {
        // Two rows into one column, r_wire_col = 100 between the cells' column nodes, r_sense
        // = 0, sources ideal. Column node 0 (top) at x, node 1 (bottom) at 0 V:
        //   KCL at x: g0 (v0 - x) = (x - 0) / 100  ->  x = g0 v0 / (g0 + 0.01)
        //   I = g1 v1 + x / 100.
        let (g0, g1, v0, v1) = (1e-3, 2e-3, 0.5, 0.25);
        let net = ReadNetwork {
            rows: 2,
            cols: 1,
            g: vec![g0, g1],
            v_row: vec![v0, v1],
            r_wire_row: 0.0,
            r_wire_col: 100.0,
            r_source: 0.0,
            r_sense: 0.0,
        };
        let x = g0 * v0 / (g0 + 0.01);
        let expected = g1 * v1 + x / 100.0;
        let i = column_currents(&net).unwrap();
        assert!(
            (i[0] - expected).abs() < 1e-15 * expected,
            "{} vs {expected}",
            i[0]
        );
    }

    #[test]
    fn wire_resistance_loses_current_and_charge_is_conserved() {
        // With non-negative drives the parasitic resistances lower the total current (they
        // add series resistance), every column still collects a positive current, and what
        // the drivers send in is what the sense nodes collect (Kirchhoff, to rounding).
        for seed in 0..6 {
            let net = network(12, 9, seed, [2.5, 2.5, 10.0, 20.0]);
            let currents = solve(&net).unwrap();
            let ideal = ideal_column_currents(12, 9, &net.g, &net.v_row);
            let collected: f64 = currents.column.iter().sum();
            let sent: f64 = currents.row.iter().sum();
            assert!(collected < ideal.iter().sum::<f64>());
            assert!(currents.column.iter().all(|&i| i > 0.0));
            assert!(
                (collected - sent).abs() <= 1e-12 * sent,
                "{collected} vs {sent}"
            );
        }
    }

    #[test]
    fn zero_conductance_cells_and_zero_drives_are_fine() {
        let mut net = network(5, 4, 3, [1.0, 1.0, 0.0, 5.0]);
        for j in 0..4 {
            net.g[2 * 4 + j] = 0.0;
        }
        net.v_row = vec![0.0; 5];
        let i = column_currents(&net).unwrap();
        assert!(i.iter().all(|&x| x.abs() < 1e-20), "{i:?}");
    }
}
