//! The STDP window (`neurofab plot window window.csv`): the measured weight change against
//! `Δt = t_post - t_pre` as dots, the float exponential it approximates as a line.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, series_color, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::demo::stdp_window::WindowPoint;

/// The window figure.
pub struct WindowFigure {
    points: Vec<WindowPoint>,
}

impl WindowFigure {
    /// The figure of `points` (at least one).
    pub fn new(points: Vec<WindowPoint>) -> Result<WindowFigure, PlotError> {
        if points.is_empty() {
            return Err(PlotError::Empty("the window CSV has no rows".into()));
        }
        Ok(WindowFigure { points })
    }
}

/// Parses `dt,dw,float_dw` (the demo's `stdp_window.csv`); an error names the line.
pub fn parse_window_csv(text: &str) -> Result<Vec<WindowPoint>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "dt,dw,float_dw")) => {}
        _ => return Err("line 1: expected the header `dt,dw,float_dw`".into()),
    }
    lines
        .filter(|(_, line)| !line.is_empty())
        .map(|(index, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            let bad = || {
                format!(
                    "line {}: expected `dt,dw,float_dw` numbers, got {line:?}",
                    index + 1
                )
            };
            match fields.as_slice() {
                [dt, dw, float_dw] => Ok(WindowPoint {
                    dt: dt.parse().map_err(|_| bad())?,
                    dw: dw.parse().map_err(|_| bad())?,
                    float_dw: float_dw
                        .parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .ok_or_else(bad)?,
                }),
                _ => Err(bad()),
            }
        })
        .collect()
}

impl Figure for WindowFigure {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (mut x_low, mut x_high) = (i32::MAX, i32::MIN);
        let (mut y_low, mut y_high) = (0f64, 1f64);
        for p in &self.points {
            x_low = x_low.min(p.dt);
            x_high = x_high.max(p.dt);
            for y in [p.dw as f64, p.float_dw] {
                y_low = y_low.min(y);
                y_high = y_high.max(y);
            }
        }
        let pad = ((y_high - y_low) / 20.0).max(1.0);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .caption("STDP window", (FONT_FAMILY, 22))
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(
                f64::from(x_low) - 0.5..f64::from(x_high) + 0.5,
                y_low - pad..y_high + pad,
            )?;
        chart
            .configure_mesh()
            .x_label_formatter(&integer_label)
            .x_desc("Δt = t_post - t_pre (ticks)")
            .y_desc("Δw")
            .label_style((FONT_FAMILY, 14))
            .draw()?;
        let float = series_color(0);
        let measured = series_color(1);
        // The exponential on each side of 0 separately: it jumps at Δt = 0.
        for side in [-1, 1] {
            let curve = self
                .points
                .iter()
                .filter(|p| p.dt * side > 0)
                .map(|p| (f64::from(p.dt), p.float_dw));
            let drawn = chart.draw_series(LineSeries::new(curve, float.stroke_width(2)))?;
            if side == 1 {
                drawn.label("float exponential").legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], float.stroke_width(2))
                });
            }
        }
        chart
            .draw_series(
                self.points
                    .iter()
                    .map(|p| Circle::new((f64::from(p.dt), p.dw as f64), 4, measured.filled())),
            )?
            .label("measured (integer rule)")
            .legend(move |(x, y)| Circle::new((x + 8, y), 4, measured.filled()));
        chart
            .configure_series_labels()
            // Upper left is empty: before 0 the window is depression (Δw < 0).
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
    use crate::demo::stdp_window::window_csv;

    #[test]
    fn the_csv_round_trips_and_bad_lines_are_named() {
        let points = vec![
            WindowPoint {
                dt: -2,
                dw: -30,
                float_dw: -30.25,
            },
            WindowPoint {
                dt: 3,
                dw: 40,
                float_dw: 39.5,
            },
        ];
        assert_eq!(parse_window_csv(&window_csv(&points)).unwrap(), points);
        let error = parse_window_csv("dt,dw,float_dw\n1,2,3\n1,x,3\n").unwrap_err();
        assert!(error.starts_with("line 3:"), "{error}");
        assert!(parse_window_csv("tick,population,neuron\n").is_err());
        assert!(parse_window_csv("dt,dw,float_dw\n1,2,inf\n").is_err());
    }

    #[test]
    fn the_svg_has_one_dot_per_point() {
        let points: Vec<WindowPoint> = (-3..=3)
            .map(|dt| WindowPoint {
                dt,
                dw: i64::from(dt) * 10,
                float_dw: f64::from(dt) * 9.5,
            })
            .collect();
        let svg = crate::plot::render(
            &WindowFigure::new(points).unwrap(),
            crate::plot::Format::Svg,
        )
        .unwrap();
        let text = String::from_utf8(svg).unwrap();
        // Seven points plus the legend's marker.
        assert_eq!(text.matches("<circle").count(), 8, "{text}");
        assert!(WindowFigure::new(Vec::new()).is_err());
    }
}
