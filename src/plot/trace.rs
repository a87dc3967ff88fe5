//! Membrane traces from a state CSV (`sim --probe`): `v` of every probed neuron over the
//! ticks with its spike threshold `vth << 6` as a dashed line (when the network is given), and
//! `u` below.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, series_color, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::model::probe::StateTable;
use crate::model::Network;

/// One probed neuron's samples.
struct Series {
    label: String,
    /// `(tick, u, v)` in file order.
    samples: Vec<(u32, i64, i64)>,
    /// Its threshold on `v`, from the network.
    threshold: Option<i64>,
}

/// Membrane traces.
pub struct Traces {
    series: Vec<Series>,
}

impl Traces {
    /// The traces of `table`; `net` (when given) supplies each neuron's threshold, and a
    /// population or neuron it lacks is an error.
    pub fn new(table: &StateTable, net: Option<&Network>) -> Result<Traces, PlotError> {
        let mut keys: Vec<(usize, usize)> = Vec::new();
        let mut series: Vec<Series> = Vec::new();
        for row in &table.rows {
            let key = (row.population, row.neuron);
            let index = match keys.iter().position(|&k| k == key) {
                Some(index) => index,
                None => {
                    let name = &table.populations[row.population];
                    let threshold = match net {
                        Some(net) => Some(threshold_of(net, name, row.neuron)?),
                        None => None,
                    };
                    keys.push(key);
                    series.push(Series {
                        label: format!("{name}[{}]", row.neuron),
                        samples: Vec::new(),
                        threshold,
                    });
                    series.len() - 1
                }
            };
            series[index]
                .samples
                .push((row.tick, row.state.u, row.state.v));
        }
        if series.is_empty() {
            return Err(PlotError::Empty("the state CSV has no rows".into()));
        }
        Ok(Traces { series })
    }

    /// The ticks and the range of `pick` over every sample (and the thresholds, for `v`).
    fn ranges(&self, pick: impl Fn(&(u32, i64, i64)) -> i64, thresholds: bool) -> (u32, i64, i64) {
        let mut ticks = 1;
        let (mut low, mut high) = (0i64, 1i64);
        for series in &self.series {
            for sample in &series.samples {
                ticks = ticks.max(sample.0 + 1);
                low = low.min(pick(sample));
                high = high.max(pick(sample));
            }
            if let (true, Some(t)) = (thresholds, series.threshold) {
                high = high.max(t);
                low = low.min(t);
            }
        }
        // 5 % headroom so that a line at the edge stays visible.
        let pad = ((high - low) / 20).max(1);
        (ticks, low - pad, high + pad)
    }
}

fn threshold_of(net: &Network, name: &str, neuron: usize) -> Result<i64, PlotError> {
    let population = net
        .populations
        .iter()
        .find(|p| p.name == name)
        .ok_or_else(|| PlotError::Empty(format!("the network has no population {name:?}")))?;
    let params = population.params.get(neuron).ok_or_else(|| {
        PlotError::Empty(format!(
            "neuron {neuron} is out of range 0..{} of {name:?}",
            population.size
        ))
    })?;
    Ok(params.threshold())
}

impl Figure for Traces {
    fn size(&self) -> (u32, u32) {
        (1000, 700)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (top, bottom) = area.split_vertically(420);
        let panels: [(&DrawingArea<DB, Shift>, &str, bool); 2] = [
            (&top, "v (membrane voltage)", true),
            (&bottom, "u (synaptic current)", false),
        ];
        for (panel, (area, name, is_v)) in panels.into_iter().enumerate() {
            let pick = move |s: &(u32, i64, i64)| if is_v { s.2 } else { s.1 };
            let (ticks, low, high) = self.ranges(pick, is_v);
            let mut builder = ChartBuilder::on(area);
            builder
                .margin(10)
                .x_label_area_size(36)
                .y_label_area_size(80);
            if panel == 0 {
                builder.caption("membrane traces", (FONT_FAMILY, 22));
            }
            let mut chart = builder
                .build_cartesian_2d(0f64..(ticks - 1).max(1) as f64, low as f64..high as f64)?;
            chart
                .configure_mesh()
                .x_label_formatter(&integer_label)
                .y_label_formatter(&integer_label)
                .x_desc("tick")
                .y_desc(name)
                .label_style((FONT_FAMILY, 14))
                .draw()?;
            for (index, series) in self.series.iter().enumerate() {
                let color = series_color(index);
                let points = series.samples.iter().map(|s| (s.0 as f64, pick(s) as f64));
                let drawn = chart.draw_series(LineSeries::new(points, color.stroke_width(2)))?;
                if is_v {
                    drawn.label(series.label.as_str()).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                    });
                }
                if let (true, Some(threshold)) = (is_v, series.threshold) {
                    let line = [
                        (0.0, threshold as f64),
                        ((ticks - 1).max(1) as f64, threshold as f64),
                    ];
                    chart.draw_series(DashedLineSeries::new(line, 6, 4, color.stroke_width(1)))?;
                }
            }
            if is_v {
                chart
                    .configure_series_labels()
                    .label_font((FONT_FAMILY, 14))
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .draw()?;
            }
        }
        Ok(())
    }
}
