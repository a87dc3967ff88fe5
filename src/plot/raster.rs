//! The spike raster: one dot per spike at (tick, neuron), populations stacked bottom to top
//! in the order they first appear (or the network's order), each in its own colour.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{integer_label, series_color, DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::model::probe::{split_csv_line, CsvRowError};
use crate::model::{Network, CSV_HEADER};

/// A spike CSV read for plotting: population names and `(tick, population, neuron)` rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpikeTable {
    /// Population names, in order of first appearance (or the network's order).
    pub populations: Vec<String>,
    /// Neurons drawn per population: the network's size, else the largest index + 1.
    pub sizes: Vec<usize>,
    /// The spikes.
    pub spikes: Vec<(u32, usize, usize)>,
}

impl SpikeTable {
    /// Parses a spike CSV (`tick,population,neuron`, spec §3); with `net`, populations take
    /// the network's order and sizes, and a name or index the network lacks is an error.
    pub fn parse(text: &str, net: Option<&Network>) -> Result<SpikeTable, CsvRowError> {
        let error = |line: usize, reason: String| CsvRowError { line, reason };
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
        match lines.next() {
            Some((_, header)) if header == CSV_HEADER => {}
            Some((n, header)) => {
                return Err(error(
                    n,
                    format!("expected header {CSV_HEADER:?}, found {header:?}"),
                ))
            }
            None => return Err(error(1, format!("empty file, expected {CSV_HEADER:?}"))),
        }
        let mut table = SpikeTable::default();
        if let Some(net) = net {
            table.populations = net.populations.iter().map(|p| p.name.clone()).collect();
            table.sizes = net.populations.iter().map(|p| p.size).collect();
        }
        for (n, line) in lines {
            let fields = split_csv_line(line).map_err(|reason| error(n, reason))?;
            let [tick, population, neuron] = &fields[..] else {
                return Err(error(
                    n,
                    format!("expected 3 comma-separated fields in {line:?}"),
                ));
            };
            let tick: u32 = tick
                .parse()
                .map_err(|_| error(n, format!("tick {tick:?} is not a non-negative integer")))?;
            let neuron: usize = neuron.parse().map_err(|_| {
                error(
                    n,
                    format!("neuron {neuron:?} is not a non-negative integer"),
                )
            })?;
            let pop = match table.populations.iter().position(|p| p == population) {
                Some(pop) => pop,
                None if net.is_some() => {
                    return Err(error(
                        n,
                        format!("the network has no population {population:?}"),
                    ))
                }
                None => {
                    table.populations.push(population.clone());
                    table.sizes.push(0);
                    table.populations.len() - 1
                }
            };
            if net.is_some() && neuron >= table.sizes[pop] {
                return Err(error(
                    n,
                    format!(
                        "neuron {neuron} is out of range 0..{} of {population:?}",
                        table.sizes[pop]
                    ),
                ));
            }
            if net.is_none() {
                table.sizes[pop] = table.sizes[pop].max(neuron + 1);
            }
            table.spikes.push((tick, pop, neuron));
        }
        Ok(table)
    }
}

/// A raster of a [`SpikeTable`].
pub struct Raster {
    /// What to draw.
    pub table: SpikeTable,
    /// Ticks on the x axis (`0..ticks`); at least one past the last spike.
    pub ticks: u32,
}

impl Raster {
    /// A raster of `table` over `ticks` ticks (the last spike's tick + 1 if larger).
    pub fn new(table: SpikeTable, ticks: Option<u32>) -> Result<Raster, PlotError> {
        let last = table.spikes.iter().map(|s| s.0 + 1).max().unwrap_or(0);
        let ticks = ticks.unwrap_or(0).max(last).max(1);
        if table.sizes.iter().sum::<usize>() == 0 {
            return Err(PlotError::Empty(
                "no spikes and no network: nothing to plot (give --net for the axes)".into(),
            ));
        }
        Ok(Raster { table, ticks })
    }

    /// First row of each population (stacked in order).
    fn offsets(&self) -> Vec<usize> {
        let mut offset = 0;
        self.table
            .sizes
            .iter()
            .map(|size| {
                let first = offset;
                offset += size;
                first
            })
            .collect()
    }
}

impl Figure for Raster {
    fn size(&self) -> (u32, u32) {
        (1000, 600)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let rows: usize = self.table.sizes.iter().sum();
        let offsets = self.offsets();
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!("spike raster: {} spikes", self.table.spikes.len()),
                (FONT_FAMILY, 22),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(-0.5f64..self.ticks as f64 - 0.5, -0.5f64..rows as f64 - 0.5)?;
        chart
            .configure_mesh()
            .x_label_formatter(&integer_label)
            .y_label_formatter(&integer_label)
            .disable_mesh()
            .x_desc("tick")
            .y_desc("neuron (populations stacked)")
            .label_style((FONT_FAMILY, 14))
            .draw()?;
        // One circle per spike: a dot's radius shrinks as rows and ticks get denser.
        let radius = (500.0 / rows.max(self.ticks as usize) as f64).clamp(1.0, 4.0) as i32;
        for (pop, name) in self.table.populations.iter().enumerate() {
            let color = series_color(pop);
            let dots = self
                .table
                .spikes
                .iter()
                .filter(|s| s.1 == pop)
                .map(|&(tick, _, neuron)| {
                    let y = (offsets[pop] + neuron) as f64;
                    Circle::new((tick as f64, y), radius, color.filled())
                });
            chart
                .draw_series(dots)?
                .label(name.as_str())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
        chart
            .configure_series_labels()
            .label_font((FONT_FAMILY, 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperRight)
            .draw()?;
        Ok(())
    }
}
