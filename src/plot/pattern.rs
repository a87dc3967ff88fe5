//! The hidden-pattern figure (`neurofab demo hidden-pattern`): the detector's spikes over an
//! excerpt of the test before and after learning, with the pattern's occurrences shaded,
//! and the learned weight of each afferent against the tick of its first spike in the pattern.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, series_color, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::demo::hidden_pattern::Outcome;

/// The figure: `ticks` ticks of each test run, and the weights.
pub struct PatternFigure<'a> {
    outcome: &'a Outcome,
    ticks: u32,
    pattern_ticks: u32,
}

impl<'a> PatternFigure<'a> {
    /// The figure of `outcome`'s first `ticks` test ticks.
    pub fn new(
        outcome: &'a Outcome,
        ticks: u32,
        pattern_ticks: u32,
    ) -> Result<PatternFigure<'a>, PlotError> {
        if ticks == 0 || outcome.learned.is_empty() {
            return Err(PlotError::Empty("the hidden-pattern run is empty".into()));
        }
        Ok(PatternFigure {
            outcome,
            ticks,
            pattern_ticks,
        })
    }

    fn draw_timeline<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        title: &str,
        spikes: &[u32],
    ) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let end = f64::from(self.ticks);
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .caption(title, (FONT_FAMILY, 18))
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(0f64..end, 0f64..1f64)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .light_line_style(TRANSPARENT)
            .x_label_formatter(&integer_label)
            .x_desc("test tick")
            .label_style((FONT_FAMILY, 13))
            .draw()?;
        let shade = series_color(2).mix(0.25);
        let len = f64::from(self.pattern_ticks);
        chart
            .draw_series(
                self.outcome
                    .test_onsets
                    .iter()
                    .map(|&s| f64::from(s))
                    .filter(|&s| s < end)
                    .map(|s| Rectangle::new([(s, 0.0), ((s + len).min(end), 1.0)], shade.filled())),
            )?
            .label("pattern present")
            .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], shade.filled()));
        let spike = series_color(0);
        chart
            .draw_series(
                spikes
                    .iter()
                    .map(|&t| f64::from(t) + 0.5)
                    .filter(|&t| t < end)
                    .map(|t| PathElement::new([(t, 0.15), (t, 0.85)], spike.stroke_width(2))),
            )?
            .label("detector spike")
            .legend(move |(x, y)| PathElement::new([(x + 7, y - 6), (x + 7, y + 6)], spike));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .border_style(BLACK)
            .background_style(WHITE.mix(0.85))
            .label_font((FONT_FAMILY, 12))
            .draw()?;
        Ok(())
    }

    fn draw_weights<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        // Afferents silent in the pattern sit in a column right of the pattern's last tick.
        let silent_x = f64::from(self.pattern_ticks) + 3.0;
        let mut first_spike = vec![None; self.outcome.learned.len()];
        for (tick, afferents) in self.outcome.pattern.iter().enumerate() {
            for &a in afferents {
                first_spike[a as usize].get_or_insert(tick as f64);
            }
        }
        let mut chart = ChartBuilder::on(area)
            .margin(8)
            .caption(
                "learned weight against the afferent's first spike in the pattern",
                (FONT_FAMILY, 18),
            )
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d(-1f64..silent_x + 2.0, -5f64..260f64)?;
        chart
            .configure_mesh()
            .x_label_formatter(&integer_label)
            .y_label_formatter(&integer_label)
            .x_desc("tick of the first spike in the pattern (right: none)")
            .y_desc("weight")
            .label_style((FONT_FAMILY, 13))
            .draw()?;
        let dot = series_color(1);
        chart.draw_series(
            first_spike
                .iter()
                .zip(&self.outcome.learned)
                .map(|(first, &w)| {
                    Circle::new((first.unwrap_or(silent_x), w as f64), 3, dot.filled())
                }),
        )?;
        Ok(())
    }
}

impl Figure for PatternFigure<'_> {
    fn size(&self) -> (u32, u32) {
        (1000, 760)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let (timelines, weights) = area.split_vertically(400);
        let (before, after) = timelines.split_vertically(200);
        self.draw_timeline(&before, "before learning", &self.outcome.test_spikes[0])?;
        self.draw_timeline(&after, "after learning", &self.outcome.test_spikes[1])?;
        self.draw_weights(&weights)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::hidden_pattern::Detection;

    #[test]
    fn one_mark_per_spike_in_the_excerpt_and_one_dot_per_afferent() {
        let detection = Detection {
            hits: 0,
            occurrences: 0,
            false_alarms: 0,
            background_windows: 0,
            spikes: 0,
        };
        let outcome = Outcome {
            before: detection,
            after: detection,
            test_spikes: [vec![3, 40, 120], vec![60]],
            test_onsets: vec![10, 50, 150],
            learned: vec![0, 100, 255],
            pattern: vec![vec![1], vec![], vec![1, 2]],
            train_spikes: 0,
        };
        let figure = PatternFigure::new(&outcome, 100, 3).unwrap();
        let svg =
            String::from_utf8(crate::plot::render(&figure, crate::plot::Format::Svg).unwrap())
                .unwrap();
        assert_eq!(svg.matches("<circle").count(), 3, "{svg}");
        // Spikes 3, 40 (before) and 60 (after) are in the 100-tick excerpt, 120 is not (the
        // legends draw their mark 1 pixel wide).
        assert_eq!(svg.matches("stroke-width=\"2\"").count(), 3, "{svg}");
        assert!(PatternFigure::new(&outcome, 0, 3).is_err());
    }
}
