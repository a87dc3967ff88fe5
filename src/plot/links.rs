//! The NoC link-load heat map (`neurofab plot links`, from `sim --mesh WxH --link-load`): the
//! mesh's routers as boxes at their `(x, y)` positions (north up, node 0 top left, where the
//! host port is), each one-way link between neighbours as a bar beside the line joining them,
//! coloured by its flits relative to the busiest link, with the count written on it; inside
//! each box the flits that entered (`in`) and left (`out`) the mesh there.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{DrawResult, Figure, PlotError, FONT_FAMILY};
use crate::sim::link_load::{Link, LinkLoads};

/// Pixels per mesh step, and the router box's side.
const STEP: i32 = 220;
const BOX: i32 = 90;
/// Margin around the mesh (title above).
const MARGIN: i32 = 70;
/// Half the gap between the two bars of a pair of opposite links, and a bar's thickness.
const OFFSET: i32 = 12;
const BAR: i32 = 16;

/// The figure.
pub struct LinkMap {
    loads: LinkLoads,
    /// Largest load of a link between routers (full colour), at least 1.
    scale: u64,
}

impl LinkMap {
    /// The heat map of `loads`.
    pub fn new(loads: LinkLoads) -> Result<LinkMap, PlotError> {
        if loads.total() == 0 {
            return Err(PlotError::Empty("no flit entered the mesh".into()));
        }
        let scale = loads.busiest().map_or(1, |(_, _, _, flits)| flits);
        Ok(LinkMap { loads, scale })
    }
}

/// White for an idle link, through yellow and orange to dark red for the busiest.
fn heat(flits: u64, scale: u64) -> RGBColor {
    let t = (flits as f64 / scale as f64).clamp(0.0, 1.0);
    let lerp = |a: f64, b: f64, s: f64| (a + (b - a) * s).round() as u8;
    if t < 0.5 {
        let s = t / 0.5;
        RGBColor(255, lerp(255.0, 190.0, s), lerp(255.0, 40.0, s))
    } else {
        let s = (t - 0.5) / 0.5;
        RGBColor(
            lerp(255.0, 150.0, s),
            lerp(190.0, 0.0, s),
            lerp(40.0, 0.0, s),
        )
    }
}

/// Centre of router `(x, y)` in pixels.
fn centre(x: usize, y: usize) -> (i32, i32) {
    (
        MARGIN + BOX / 2 + x as i32 * STEP,
        MARGIN + BOX / 2 + y as i32 * STEP,
    )
}

impl Figure for LinkMap {
    fn size(&self) -> (u32, u32) {
        let side = |n: usize| (2 * MARGIN + BOX + (n as i32 - 1) * STEP) as u32;
        (
            side(self.loads.mesh.width).max(560),
            side(self.loads.mesh.height) + 40,
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        let mesh = self.loads.mesh;
        let title = (FONT_FAMILY, 18).into_font();
        let label = (FONT_FAMILY, 13).into_font();
        area.draw(&Text::new(
            format!(
                "NoC link loads, {}x{} mesh: {} flits, busiest link {}",
                mesh.width,
                mesh.height,
                self.loads.total(),
                self.scale
            ),
            (12, 12),
            title,
        ))?;
        for node in 0..mesh.cores() {
            let (x, y) = mesh.position(node);
            let (cx, cy) = centre(x, y);
            // East/west bars above/below the row line, south/north right/left of the column.
            let bars = [
                (Link::East, x + 1 < mesh.width, (0, -OFFSET)),
                (Link::West, x > 0, (0, OFFSET)),
                (Link::South, y + 1 < mesh.height, (OFFSET, 0)),
                (Link::North, y > 0, (-OFFSET, 0)),
            ];
            for (link, exists, (ox, oy)) in bars {
                if !exists {
                    continue;
                }
                let flits = self.loads.get(x, y, link);
                let (dx, dy) = match link {
                    Link::East => (1, 0),
                    Link::West => (-1, 0),
                    Link::South => (0, 1),
                    _ => (0, -1),
                };
                // From this box's edge halfway to the neighbour's: the half of the line that
                // leaves this router.
                let (x0, y0) = (cx + dx * BOX / 2 + ox, cy + dy * BOX / 2 + oy);
                let (x1, y1) = (cx + dx * STEP / 2 + ox, cy + dy * STEP / 2 + oy);
                let half = BAR / 2;
                let corners = if dy == 0 {
                    [(x0.min(x1), y0 - half), (x0.max(x1), y0 + half)]
                } else {
                    [(x0 - half, y0.min(y1)), (x0 + half, y0.max(y1))]
                };
                area.draw(&Rectangle::new(corners, heat(flits, self.scale).filled()))?;
                area.draw(&Rectangle::new(corners, BLACK.stroke_width(1)))?;
                let text = format!("{flits}");
                // Labels outside their bar: above an east bar, below a west bar, right of a
                // south bar, left of a north bar (13-pixel text, ~8 pixels per digit).
                let digits = text.len() as i32;
                let at = match link {
                    Link::East => ((x0 + x1) / 2 - 4 * digits, y0 - half - 16),
                    Link::West => ((x0 + x1) / 2 - 4 * digits, y0 + half + 3),
                    Link::South => (x0 + half + 4, (y0 + y1) / 2 - 7),
                    _ => (x0 - half - 4 - 8 * digits, (y0 + y1) / 2 - 7),
                };
                area.draw(&Text::new(text, at, label.clone()))?;
            }
            let corners = [(cx - BOX / 2, cy - BOX / 2), (cx + BOX / 2, cy + BOX / 2)];
            area.draw(&Rectangle::new(corners, RGBColor(235, 240, 250).filled()))?;
            area.draw(&Rectangle::new(corners, BLACK.stroke_width(2)))?;
            let lines = [
                format!("({x}, {y})"),
                format!("in {}", self.loads.get(x, y, Link::Inject)),
                format!("out {}", self.loads.get(x, y, Link::Eject)),
            ];
            for (i, line) in lines.into_iter().enumerate() {
                area.draw(&Text::new(
                    line,
                    (cx - BOX / 2 + 8, cy - BOX / 2 + 10 + 24 * i as i32),
                    label.clone(),
                ))?;
            }
        }
        let (_, height) = self.size();
        for (i, line) in [
            "bars: flits per one-way link, east/west above/below a row,",
            "south/north right/left of a column; the host port is at (0, 0)",
        ]
        .into_iter()
        .enumerate()
        {
            area.draw(&Text::new(
                line,
                (12, height as i32 - 40 + 16 * i as i32),
                (FONT_FAMILY, 12).into_font(),
            ))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::map::mesh::MeshShape;
    use crate::plot::{render, Format};

    #[test]
    fn every_link_between_routers_is_drawn_with_its_count() {
        let mesh = MeshShape {
            width: 3,
            height: 2,
        };
        let mut loads = LinkLoads::new(mesh);
        loads.add_route(0, 5, 1234);
        loads.add_route(5, 0, 77);
        let svg =
            String::from_utf8(render(&LinkMap::new(loads).unwrap(), Format::Svg).unwrap()).unwrap();
        // 3x2 mesh: 2 x 2 east-west pairs and 3 north-south pairs = 14 one-way bars, each a
        // filled and an outlined rectangle; 6 router boxes, also two each.
        assert_eq!(
            svg.matches("<rect").count(),
            1 + 2 * 14 + 2 * 6,
            "background + bars + boxes"
        );
        // The busiest links (1234 flits) in the darkest colour, the 77-flit ones pale; text is
        // drawn as glyph paths, so the counts themselves are not searchable.
        assert_eq!(
            svg.matches("fill=\"#960000\"").count(),
            3,
            "(0,0)E, (1,0)E, (2,0)S"
        );
        assert_eq!(
            svg.matches(&format!("fill=\"{}\"", hex(heat(77, 1234))))
                .count(),
            3
        );
    }

    fn hex(c: RGBColor) -> String {
        format!("#{:02X}{:02X}{:02X}", c.0, c.1, c.2)
    }

    #[test]
    fn an_idle_mesh_is_an_error() {
        let loads = LinkLoads::new(MeshShape::default());
        assert!(LinkMap::new(loads).is_err());
    }
}
