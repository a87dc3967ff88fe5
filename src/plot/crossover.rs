//! Cycles per tick of the SRAM and the crossbar core against events per tick
//! (`neurofab crossbar crossover`).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, series_color, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::demo::crossover::CrossoverPoint;

/// A named series: the core and its cycles of a point.
type Series = (&'static str, fn(&CrossoverPoint) -> f64);

/// The figure.
pub struct CrossoverFigure {
    points: Vec<CrossoverPoint>,
}

impl CrossoverFigure {
    /// The figure of `points` (at least one).
    pub fn new(points: Vec<CrossoverPoint>) -> Result<CrossoverFigure, PlotError> {
        if points.is_empty() {
            return Err(PlotError::Empty("no crossover points".into()));
        }
        Ok(CrossoverFigure { points })
    }
}

impl Figure for CrossoverFigure {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let x_high = self
            .points
            .iter()
            .map(|p| p.events)
            .max()
            .unwrap_or(1)
            .max(1) as f64;
        let y_high = self
            .points
            .iter()
            .map(|p| p.sram.max(p.crossbar))
            .fold(1.0, f64::max);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .caption("cycles per tick, 64x64 core, rtl engine", (FONT_FAMILY, 22))
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..x_high * 1.02, 0f64..y_high * 1.08)?;
        chart
            .configure_mesh()
            .x_label_formatter(&integer_label)
            .y_label_formatter(&integer_label)
            .x_desc("events per tick")
            .y_desc("cycles per tick")
            .label_style((FONT_FAMILY, 14))
            .draw()?;
        let series: [Series; 2] = [
            ("SRAM core", |p| p.sram),
            ("crossbar core (one 8-bit SAR ADC)", |p| p.crossbar),
        ];
        for (index, (name, value)) in series.into_iter().enumerate() {
            let color = series_color(index);
            let line = self.points.iter().map(|p| (p.events as f64, value(p)));
            chart
                .draw_series(LineSeries::new(line, color.stroke_width(2)))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                });
            chart.draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((p.events as f64, value(p)), 4, color.filled())),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.8))
            .label_font((FONT_FAMILY, 14))
            .draw()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_dot_per_point_and_core() {
        let points: Vec<CrossoverPoint> = (0..3)
            .map(|e| CrossoverPoint {
                events: e * 10,
                sram: 100.0 + 160.0 * e as f64,
                crossbar: 1200.0 + 10.0 * e as f64,
            })
            .collect();
        let svg = crate::plot::render(
            &CrossoverFigure::new(points).unwrap(),
            crate::plot::Format::Svg,
        )
        .unwrap();
        let text = String::from_utf8(svg).unwrap();
        assert_eq!(text.matches("<circle").count(), 6, "{text}");
        assert!(CrossoverFigure::new(Vec::new()).is_err());
    }
}
