//! Weight matrices of learning projections (spec §6 `W.json`, `sim --weights-out`): one heat
//! map per projection, rows the post neurons, columns the pre neurons; with the network, the
//! initial weights beside the learned ones, on one colour scale.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::model::{LearnedWeights, Network};

/// One heat map.
struct Panel {
    title: String,
    /// `weights[post][pre]`.
    weights: Vec<Vec<i64>>,
    /// Largest `|w|` of the projection's panels: full colour.
    scale: i64,
}

/// The weight matrices of a `W.json`.
pub struct WeightMaps {
    /// Rows of panels: one row per projection, `before` (with the network) then `after`.
    rows: Vec<Vec<Panel>>,
}

impl WeightMaps {
    /// The panels of `learned`; with `net`, each projection's initial weights too (the
    /// network must be the one that was run: its projection `index` must match).
    pub fn new(learned: &LearnedWeights, net: Option<&Network>) -> Result<WeightMaps, PlotError> {
        if learned.projections.is_empty() {
            return Err(PlotError::Empty(
                "the weights file lists no learning projection".into(),
            ));
        }
        let mut rows = Vec::new();
        for projection in &learned.projections {
            let name = format!("{} -> {}", projection.from, projection.to);
            let mut matrices = Vec::new();
            if let Some(net) = net {
                let initial = net
                    .projections
                    .get(projection.index)
                    .filter(|p| {
                        p.weights.len() == projection.weights.len()
                            && p.weights.first().map(Vec::len)
                                == projection.weights.first().map(Vec::len)
                    })
                    .ok_or_else(|| {
                        PlotError::Empty(format!(
                            "projection {} ({name}) of the weights file is not in the network \
                             with that shape: was it run from this network?",
                            projection.index
                        ))
                    })?;
                let before = initial
                    .weights
                    .iter()
                    .map(|row| row.iter().map(|&w| i64::from(w)).collect())
                    .collect();
                matrices.push((format!("{name}: before"), before));
            }
            matrices.push((
                format!("{name}: after {} ticks", learned.ticks),
                projection.weights.clone(),
            ));
            let scale = matrices
                .iter()
                .flat_map(|(_, m)| m.iter().flatten())
                .map(|w| w.abs())
                .max()
                .unwrap_or(0)
                .max(1);
            rows.push(
                matrices
                    .into_iter()
                    .map(|(title, weights)| Panel {
                        title,
                        weights,
                        scale,
                    })
                    .collect(),
            );
        }
        Ok(WeightMaps { rows })
    }
}

/// White at 0, red toward +scale, blue toward -scale.
fn weight_color(w: i64, scale: i64) -> RGBColor {
    let t = (w.abs() as f64 / scale as f64).min(1.0);
    let fade = (255.0 * (1.0 - t)) as u8;
    if w >= 0 {
        RGBColor(255, fade, fade)
    } else {
        RGBColor(fade, fade, 255)
    }
}

impl Figure for WeightMaps {
    fn size(&self) -> (u32, u32) {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(1) as u32;
        (500 * columns, 440 * self.rows.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let columns = self.rows.iter().map(Vec::len).max().unwrap_or(1);
        let cells = area.split_evenly((self.rows.len(), columns));
        for (r, row) in self.rows.iter().enumerate() {
            for (c, panel) in row.iter().enumerate() {
                draw_panel(&cells[r * columns + c], panel)?;
            }
        }
        Ok(())
    }
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let posts = panel.weights.len();
    let pres = panel.weights.first().map_or(0, Vec::len);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("{} (|w| <= {})", panel.title, panel.scale),
            (FONT_FAMILY, 16),
        )
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(
            -0.5f64..pres.max(1) as f64 - 0.5,
            -0.5f64..posts.max(1) as f64 - 0.5,
        )?;
    chart
        .configure_mesh()
        .x_label_formatter(&integer_label)
        .y_label_formatter(&integer_label)
        .disable_mesh()
        .x_desc("pre neuron")
        .y_desc("post neuron")
        .label_style((FONT_FAMILY, 12))
        .draw()?;
    let squares = panel.weights.iter().enumerate().flat_map(|(post, row)| {
        row.iter().enumerate().map(move |(pre, &w)| {
            // A unit cell centred on (pre, post), so the integer labels sit on the cells.
            let (x, y) = (pre as f64, post as f64);
            Rectangle::new(
                [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                weight_color(w, panel.scale).filled(),
            )
        })
    });
    chart.draw_series(squares)?;
    Ok(())
}
