//! The golden crossbar synapse stage: a network's projections programmed into one memristor
//! array, read once per tick with all of the tick's active rows, through the ADC.
//!
//! # Layout (the mapper's, so the hardware reads the same array)
//! - Rows are the core's axons: projection `p`'s pre neuron `i` is row `row_base[p] + i`,
//!   projections in file order, one row per source neuron per projection. The last row
//!   (`rows - 1`, the core's last axon) is reserved for the "sum" event that delivers the
//!   column sums on the hardware; it is never programmed nor driven.
//! - Logical column `n` is the core's neuron `n` (populations at consecutive neurons in file
//!   order); its differential pair is physical columns `2n` (`G+`) and `2n + 1` (`G-`).
//! - Cell `(row_base[p] + i, base[to] + n)` holds `weights[n][i]` of projection `p`
//!   (`|w| <= L - 1`); every other cell holds 0 (both devices at their `g_min`).
//!
//! # One tick (spec §2 step 1, crossbar edition)
//! The pre events delivered in tick `t` (the spikes of `t - 1`, the same one-tick delay as
//! fixed weights) mark their rows active. If any row is active, one read
//! ([`ColumnReader::sample`]) gives every physical column's value `x` in LSB; the ADC gives
//! `code = sar_code(x, b) = clamp(floor(x), 0, 2^b - 1)` per physical column; neuron `n`'s
//! synaptic input is
//! ```text
//! a[n] = shift_exp(code[2n] - code[2n + 1], weight_exp + lsb_exp)
//! ```
//! (`d = code+ - code-` lies in `-(2^b - 1)..=2^b - 1`; one LSB is `2^lsb_exp` level steps and a
//! level step is one weight unit, so `d << lsb_exp` approximates the weight sum, and
//! `weight_exp`, shared by every projection, scales it as for fixed weights). Every neuron of
//! the core's used columns gets its `a[n]`, targeted or not (an untargeted column still
//! collects its cells' `g_min` currents). A tick without active rows reads nothing and adds 0.

use thiserror::Error;

use super::network::Network;
use super::synapse::SynapseStage;
use crate::analog::column_read::{ColumnReader, CrossbarError, CrossbarParams};
use crate::fixed::{self, adc::sar_code};

/// Why a network cannot run on a crossbar; names the projection and the rule.
#[derive(Debug, Error, PartialEq)]
pub enum CrossbarNetError {
    /// The analog parameters are out of range.
    #[error(transparent)]
    Params(#[from] CrossbarError),
    /// Learning projections cannot be held in the array (its weights are read-only here).
    #[error("projections[{0}] is a learning projection; a crossbar holds fixed weights only")]
    Learning(usize),
    /// The column sums carry one exponent.
    #[error(
        "projections[{index}].weight_exp is {found} but projections[0] has {first}: every \
         projection of a crossbar network shares one weight_exp (the column sums mix them)"
    )]
    MixedExponents {
        /// Projection index.
        index: usize,
        /// Its `weight_exp`.
        found: i32,
        /// That of projection 0.
        first: i32,
    },
    /// A weight needs more levels than the devices have.
    #[error(
        "projections[{index}].weights[{post}][{pre}] = {weight}: a crossbar of {levels} levels \
         holds weights -{max}..={max}"
    )]
    WeightLevels {
        /// Projection index.
        index: usize,
        /// Post neuron.
        post: usize,
        /// Pre neuron.
        pre: usize,
        /// The weight.
        weight: i32,
        /// Device levels `L`.
        levels: u32,
        /// `L - 1`.
        max: i64,
    },
    /// More rows or columns than the array has.
    #[error(
        "the network needs {needed} {what} but the {rows}x{cols} crossbar has {available}{note}"
    )]
    TooBig {
        /// "rows" or "columns".
        what: &'static str,
        /// Needed.
        needed: usize,
        /// Available.
        available: usize,
        /// Array rows.
        rows: usize,
        /// Array columns.
        cols: usize,
        /// Why fewer are available than the array has.
        note: &'static str,
    },
}

/// A network's projections in a crossbar array of `rows x cols` (the core's axons x neurons).
#[derive(Clone, Debug)]
pub struct CrossbarSynapses {
    reader: ColumnReader,
    /// First row of each projection.
    row_base: Vec<usize>,
    /// First column (core neuron) of each population.
    population_base: Vec<usize>,
    /// Rows driven this tick.
    active: Vec<bool>,
    any_active: bool,
    /// `weight_exp + lsb_exp`: the exponent of the differential codes.
    code_exp: i32,
    /// Number of reads so far (ticks with at least one active row).
    reads: u64,
}

impl CrossbarSynapses {
    /// Programs `net` into a `rows x cols` array of `params` (the layout in the module doc).
    pub fn new(
        net: &Network,
        rows: usize,
        cols: usize,
        params: CrossbarParams,
    ) -> Result<CrossbarSynapses, CrossbarNetError> {
        params.check()?;
        let first_exp = net.projections.first().map_or(0, |p| p.weight_exp);
        let mut row_base = Vec::with_capacity(net.projections.len());
        let mut next_row = 0;
        for (index, proj) in net.projections.iter().enumerate() {
            if proj.learning.is_some() {
                return Err(CrossbarNetError::Learning(index));
            }
            if proj.weight_exp != first_exp {
                return Err(CrossbarNetError::MixedExponents {
                    index,
                    found: proj.weight_exp,
                    first: first_exp,
                });
            }
            row_base.push(next_row);
            next_row += net.source_size(proj.from);
        }
        let too_big = |what, needed, available, note| CrossbarNetError::TooBig {
            what,
            needed,
            available,
            rows,
            cols,
            note,
        };
        if next_row + 1 > rows {
            let note = " (the last row is reserved for the sum event)";
            return Err(too_big("rows", next_row, rows.saturating_sub(1), note));
        }
        if net.total_neurons() > cols {
            return Err(too_big("columns", net.total_neurons(), cols, ""));
        }
        let mut population_base = Vec::with_capacity(net.populations.len());
        let mut next_column = 0;
        for pop in &net.populations {
            population_base.push(next_column);
            next_column += pop.size;
        }
        let mut reader = ColumnReader::new(rows, cols, params)?;
        let max = reader.weight_max();
        for (index, proj) in net.projections.iter().enumerate() {
            for (post, row) in proj.weights.iter().enumerate() {
                for (pre, &weight) in row.iter().enumerate() {
                    if i64::from(weight).abs() > max {
                        return Err(CrossbarNetError::WeightLevels {
                            index,
                            post,
                            pre,
                            weight,
                            levels: params.device.levels,
                            max,
                        });
                    }
                    let column = population_base[proj.to] + post;
                    reader.set_weight(row_base[index] + pre, column, i64::from(weight));
                }
            }
        }
        Ok(CrossbarSynapses {
            reader,
            row_base,
            population_base,
            active: vec![false; rows],
            any_active: false,
            code_exp: first_exp + params.lsb_exp,
            reads: 0,
        })
    }

    /// The programmed array and its read path (what the hardware's macro holds).
    pub fn reader(&self) -> &ColumnReader {
        &self.reader
    }

    /// Array reads so far (ticks with an active row).
    pub fn reads(&self) -> u64 {
        self.reads
    }

    /// The differential codes `code+ - code-` of one read with `active` rows, one per logical
    /// column (what the hardware stage answers the sum event with).
    pub fn read_codes(&mut self, active: &[bool]) -> Vec<i64> {
        let bits = self.reader.params().adc_bits;
        let x = self
            .reader
            .sample(active)
            .expect("a checked crossbar's nodal matrix is positive definite");
        x.chunks_exact(2)
            .map(|pair| i64::from(sar_code(pair[0], bits)) - i64::from(sar_code(pair[1], bits)))
            .collect()
    }
}

impl SynapseStage for CrossbarSynapses {
    const OBSERVES_EVENTS: bool = false;

    /// Marks the event's row active; the array is read once the tick's rows are all known.
    fn add_pre_event(&mut self, projection: usize, pre: usize, _sums: &mut [i64]) {
        self.active[self.row_base[projection] + pre] = true;
        self.any_active = true;
    }

    fn add_tick_input(&mut self, inputs: &mut [Vec<i64>]) {
        if !std::mem::take(&mut self.any_active) {
            return;
        }
        let active = std::mem::replace(&mut self.active, vec![false; self.reader.rows()]);
        let codes = self.read_codes(&active);
        self.reads += 1;
        for (pop_inputs, &base) in inputs.iter_mut().zip(&self.population_base) {
            for (n, a) in pop_inputs.iter_mut().enumerate() {
                *a += fixed::shift_exp(codes[base + n], self.code_exp);
            }
        }
    }

    fn end_of_tick(&mut self, _pre: &[(usize, usize)], _post: &[(usize, usize)]) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analog::device::DeviceParams;
    use crate::model::GoldenModel;

    const NET: &str = r#"{"ticks": 30,
        "inputs": [{"name": "in", "size": 6, "spikes": [[0,0],[0,3],[1,1],[2,5],[4,0],[4,1],
                     [4,2],[7,4],[9,3],[9,5],[12,0],[15,2],[15,3],[20,1],[25,4]]}],
        "populations": [
          {"name": "a", "size": 5, "neuron": {"du": 800, "dv": 300, "vth": 20}},
          {"name": "b", "size": 3, "neuron": {"du": 500, "dv": 100, "vth": 10}}],
        "projections": [
          {"from": "in", "to": "a", "weight_exp": 1, "weights": [
             [15,0,3,-2,7,1],[0,15,-15,4,2,9],[5,5,5,5,5,5],[-3,12,0,8,1,0],[2,2,15,0,15,2]]},
          {"from": "a", "to": "b", "weight_exp": 1, "weights": [
             [10,-4,6,0,15],[3,3,3,3,3],[-15,15,8,2,0]]}]}"#;

    /// With ideal devices and wires and an ADC that never saturates, the crossbar is the
    /// fixed-weight stage: same spikes, same states.
    #[test]
    fn ideal_crossbar_equals_fixed_weights() {
        let net = Network::from_json_str(NET, None).unwrap();
        let stage = CrossbarSynapses::new(&net, 16, 8, CrossbarParams::ideal()).unwrap();
        let mut crossbar = GoldenModel::with_stage(&net, stage);
        let mut fixed = GoldenModel::new(&net);
        let (want, got) = (fixed.run_ticks(30), crossbar.run_ticks(30));
        assert!(!want.spikes.is_empty());
        assert_eq!(got, want);
    }

    /// A 3-bit ADC saturates (codes 0..=7 per column), variation and wire resistance move the
    /// sums: the spikes differ from fixed weights, and a seed reproduces them.
    #[test]
    fn non_ideal_crossbar_is_seeded_and_differs() {
        let net = Network::from_json_str(NET, None).unwrap();
        let params = CrossbarParams {
            adc_bits: 3,
            r_wire: 5.0,
            device: DeviceParams {
                sigma_d2d: 0.2,
                ..DeviceParams::default()
            },
            seed: 3,
            ..CrossbarParams::default()
        };
        let run = |params| {
            let stage = CrossbarSynapses::new(&net, 16, 8, params).unwrap();
            GoldenModel::with_stage(&net, stage).run_ticks(30)
        };
        let first = run(params);
        assert_eq!(run(params), first);
        assert_ne!(first, GoldenModel::new(&net).run_ticks(30));
    }

    /// Hand check of the scaling: one active row of weights (15, -7) at weight_exp -1 and
    /// lsb_exp 1 on ideal devices: codes d = (15 + r) - r with r the g_off baseline, so
    /// d = floor(15.x / 2) - floor(0.x / 2) = 7 and -(3) for -7 (floor(7.x / 2) = 3), then
    /// a = shift_exp(d, -1 + 1) = d.
    #[test]
    fn codes_are_scaled_by_the_lsb() {
        let net = Network::from_json_str(
            r#"{"ticks": 1, "inputs": [{"name": "in", "size": 1}],
                "populations": [{"name": "p", "size": 2, "neuron": {"du": 0, "dv": 0, "vth": 0}}],
                "projections": [{"from": "in", "to": "p", "weight_exp": -1,
                                 "weights": [[15], [-7]]}]}"#,
            None,
        )
        .unwrap();
        let params = CrossbarParams {
            lsb_exp: 1,
            ..CrossbarParams::ideal()
        };
        let mut stage = CrossbarSynapses::new(&net, 4, 4, params).unwrap();
        assert_eq!(
            stage.read_codes(&[true, false, false, false]),
            [7, -3, 0, 0]
        );
        stage.add_pre_event(0, 0, &mut []);
        let mut inputs = vec![vec![0i64; 2]];
        stage.add_tick_input(&mut inputs);
        assert_eq!(inputs, [[7, -3]]);
        assert_eq!(stage.reads(), 1);
        // No active row: no read, nothing added.
        stage.add_tick_input(&mut inputs);
        assert_eq!((inputs, stage.reads()), (vec![vec![7, -3]], 1));
    }

    #[test]
    fn unfit_networks_are_refused_by_name() {
        let net = Network::from_json_str(NET, None).unwrap();
        let err = CrossbarSynapses::new(&net, 11, 8, CrossbarParams::ideal()).unwrap_err();
        assert!(err.to_string().contains("needs 11 rows"), "{err}");
        let err = CrossbarSynapses::new(&net, 16, 7, CrossbarParams::ideal()).unwrap_err();
        assert!(err.to_string().contains("needs 8 columns"), "{err}");
        let few = CrossbarParams {
            device: DeviceParams {
                levels: 8,
                ..CrossbarParams::ideal().device
            },
            ..CrossbarParams::ideal()
        };
        let err = CrossbarSynapses::new(&net, 16, 8, few).unwrap_err();
        assert!(
            err.to_string()
                .contains("projections[0].weights[0][0] = 15"),
            "{err}"
        );
        let mixed = NET.replacen("\"weight_exp\": 1", "\"weight_exp\": 2", 1);
        let net = Network::from_json_str(&mixed, None).unwrap();
        let err = CrossbarSynapses::new(&net, 16, 8, CrossbarParams::ideal()).unwrap_err();
        assert!(
            err.to_string().contains("projections[1].weight_exp is 1"),
            "{err}"
        );
    }
}
