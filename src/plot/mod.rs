//! Figures of a run (`neurofab plot`): a spike raster ([`raster`]), membrane traces with the
//! threshold ([`trace`]) and weight matrices ([`weights`]), drawn with `plotters` into SVG or
//! PNG.
//!
//! Text is rendered with DejaVu Sans, embedded in the binary (`assets/fonts`, its licence
//! beside it) and handed to plotters' `ab_glyph` back end: no fontconfig, FreeType or system
//! font is needed.

pub mod crossover;
pub mod links;
pub mod pattern;
pub mod raster;
pub mod trace;
pub mod weights;
pub mod window;

use std::error::Error;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{register_font, FontStyle};
use thiserror::Error;

/// The embedded font (DejaVu Sans 2.37; licence: `assets/fonts/DejaVu-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family every figure uses.
pub const FONT_FAMILY: &str = "sans-serif";

/// Why a figure could not be drawn.
#[derive(Debug, Error)]
pub enum PlotError {
    /// The drawing back end failed.
    #[error("cannot draw the figure: {0}")]
    Draw(String),
    /// The PNG could not be encoded.
    #[error("cannot encode the PNG: {0}")]
    Png(String),
    /// There is nothing to plot.
    #[error("{0}")]
    Empty(String),
}

/// A drawing error of any back end.
pub type DrawResult = Result<(), Box<dyn Error>>;

/// An image format.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Format {
    /// Scalable vector graphics (the default).
    Svg,
    /// A PNG bitmap.
    Png,
}

impl Format {
    /// PNG when `path` ends in `.png` (any case), SVG otherwise.
    pub fn of(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(ext) if ext.eq_ignore_ascii_case("png") => Format::Png,
            _ => Format::Svg,
        }
    }
}

/// Something that can be drawn on any back end.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);

    /// Draws the figure on `area` (already filled white).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static;
}

/// Registers the embedded font with plotters (once per process).
fn register_embedded_font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        for family in [FONT_FAMILY, "serif", "monospace"] {
            // The font is a constant of this crate, parsed by ab_glyph: it is valid.
            if register_font(family, FontStyle::Normal, FONT).is_err() {
                panic!("the embedded DejaVu Sans does not parse");
            }
        }
    });
}

/// Renders `figure` as an SVG document or a PNG file's bytes.
pub fn render(figure: &impl Figure, format: Format) -> Result<Vec<u8>, PlotError> {
    register_embedded_font();
    let (width, height) = figure.size();
    let draw_error = |e: Box<dyn Error>| PlotError::Draw(e.to_string());
    match format {
        Format::Svg => {
            let mut svg = String::new();
            {
                let area = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
                area.fill(&WHITE)
                    .map_err(|e| PlotError::Draw(e.to_string()))?;
                figure.draw(&area).map_err(draw_error)?;
                area.present().map_err(|e| PlotError::Draw(e.to_string()))?;
            }
            Ok(svg.into_bytes())
        }
        Format::Png => {
            let mut rgb = vec![0u8; width as usize * height as usize * 3];
            {
                let area =
                    BitMapBackend::with_buffer(&mut rgb, (width, height)).into_drawing_area();
                area.fill(&WHITE)
                    .map_err(|e| PlotError::Draw(e.to_string()))?;
                figure.draw(&area).map_err(draw_error)?;
                area.present().map_err(|e| PlotError::Draw(e.to_string()))?;
            }
            encode_png(&rgb, width, height)
        }
    }
}

/// An 8-bit RGB PNG of `rgb` (rows top to bottom).
fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>, PlotError> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| PlotError::Png(e.to_string()))?;
    writer
        .write_image_data(rgb)
        .map_err(|e| PlotError::Png(e.to_string()))?;
    writer.finish().map_err(|e| PlotError::Png(e.to_string()))?;
    Ok(bytes)
}

/// The colour of series `index` (plotters' palette, cycling).
pub fn series_color(index: usize) -> RGBColor {
    let c = Palette99::pick(index).to_rgba();
    RGBColor(c.0, c.1, c.2)
}

/// An axis label for whole numbers only: cells and ticks sit at integers, and a label between
/// them would round to a neighbour's number.
pub fn integer_label(value: &f64) -> String {
    if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        String::new()
    }
}
