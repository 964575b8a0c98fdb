//! The basemap under the network: each outline (a state) as one filled path, drawn first so
//! that everything else lies above it. Outlines wholly off the map are left out.

use super::map_data::{MAP_H, MAP_W, Projection};
use super::plain;
use crate::input::basemap::{Basemap, Outline};
use std::fmt::Write;

/// Whether any point of `o` falls within the map, or its bounding box spans it: an outline
/// around the whole map (a state larger than the view) is drawn too.
fn on_map(o: &Outline, p: &Projection) -> bool {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for &(lon, lat) in o.polygons.iter().flatten().flatten() {
        let (x, y) = p.xy(lon, lat);
        (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x), y1.max(y));
    }
    x0 <= MAP_W && x1 >= 0.0 && y0 <= MAP_H && y1 >= 0.0
}

/// The outlines as SVG paths (even-odd fill, so holes stay holes), each with its name on hover.
pub(super) fn borders(h: &mut String, b: &Basemap, p: &Projection) {
    h.push_str("<g class=\"basemap\">");
    for o in b.outlines.iter().filter(|o| on_map(o, p)) {
        let mut d = String::new();
        for ring in o.polygons.iter().flatten() {
            for (i, &(lon, lat)) in ring.iter().enumerate() {
                let (x, y) = p.xy(lon, lat);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
        let _ = write!(
            h,
            "<path d=\"{d}\"><title>{}</title></path>",
            plain(&o.name)
        );
    }
    h.push_str("</g>\n");
}
