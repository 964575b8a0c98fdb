//! `import us --states FILE`: state outlines for the maps, from the Census Bureau's cartographic
//! boundary file (GeoJSON), simplified with Ramer-Douglas-Peucker (geo's `Simplify`) and written
//! as the instance's `basemap.geojson` ([`crate::input::basemap`]).
//!
//! A national import keeps the 50 states and DC (and Puerto Rico with `--include-pr`); a
//! basemap added to an existing instance keeps the states near its points: those whose bounding
//! box meets the box around the instance's points widened by [`EXTENT_MARGIN_DEG`], so that the
//! map's margins show the neighbouring states too.

use crate::input::basemap::{self, Basemap, Outline};
use crate::input::error::{Code, InputError};
use geo::{Area, LineString, Polygon, Simplify};
use std::path::Path;

/// How much detail a basemap keeps: the simplification tolerance and the smallest island kept,
/// in degrees and square degrees.
#[derive(Clone, Copy)]
struct Detail {
    tolerance: f64,
    min_area: f64,
}

/// A map of a few states (the report's map is some 70 px a degree there): 0.02° (about 2 km)
/// is under 2 px, and islands under 0.002 deg² (some 15 km²) are specks.
const REGIONAL: Detail = Detail {
    tolerance: 0.02,
    min_area: 0.002,
};
/// The whole US (some 10 px a degree, Alaska included): 0.05° is under a pixel, and dropping
/// islands under 0.02 deg² (most of the Aleutians' and Alaska's coastal islets) keeps the file
/// under 150 KB.
const NATIONAL: Detail = Detail {
    tolerance: 0.05,
    min_area: 0.02,
};
/// A ring needs four points (the first repeated last) to enclose anything.
const MIN_RING_POINTS: usize = 4;
/// Degrees added around the instance's points when choosing the states of its basemap.
const EXTENT_MARGIN_DEG: f64 = 1.0;
/// The territories the Census file holds besides the states and DC; Puerto Rico is kept when
/// asked (as by the rest of the import).
const TERRITORIES: [&str; 5] = ["AS", "GU", "MP", "PR", "VI"];

/// The outlines of the Census file at `path`, as read (not yet simplified).
fn read(path: &Path) -> Result<Basemap, InputError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(
            Code::BadBasemap,
            path.display().to_string(),
            format!("cannot read the state boundaries: {e}"),
        )
    })?;
    basemap::parse(&bytes, &path.display().to_string())
}

/// The national basemap: the 50 states and DC, and Puerto Rico when `include_pr`.
pub fn national(path: &Path, include_pr: bool) -> Result<Basemap, InputError> {
    let mut b = read(path)?;
    b.outlines
        .retain(|o| !TERRITORIES.contains(&o.code.as_str()) || (include_pr && o.code == "PR"));
    Ok(simplified(b, NATIONAL))
}

/// The basemap of an instance whose points are `points` (lon, lat): the states near them.
pub fn around(path: &Path, points: &[(f64, f64)]) -> Result<Basemap, InputError> {
    let mut b = read(path)?;
    let (w, e, s, n) = extent(points.iter().copied(), EXTENT_MARGIN_DEG);
    b.outlines.retain(|o| {
        let (ow, oe, os, on) = extent(o.polygons.iter().flatten().flatten().copied(), 0.0);
        ow <= e && oe >= w && os <= n && on >= s
    });
    Ok(simplified(b, REGIONAL))
}

/// West, east, south and north of `points`, widened by `margin` degrees.
fn extent(points: impl Iterator<Item = (f64, f64)>, margin: f64) -> (f64, f64, f64, f64) {
    let (mut w, mut e, mut s, mut n) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for (lon, lat) in points {
        (w, e, s, n) = (w.min(lon), e.max(lon), s.min(lat), n.max(lat));
    }
    (w - margin, e + margin, s - margin, n + margin)
}

/// Each outline simplified; islands smaller than `detail.min_area` and rings that vanish at
/// the tolerance are left out, but never an outline's largest polygon (DC is smaller than the
/// islands dropped), so every state and DC stays on the map.
fn simplified(b: Basemap, detail: Detail) -> Basemap {
    let outlines = b
        .outlines
        .into_iter()
        .filter_map(|o| {
            let shapes: Vec<Polygon<f64>> = o.polygons.iter().filter_map(|p| polygon(p)).collect();
            let largest = shapes.iter().map(Area::unsigned_area).fold(0.0, f64::max);
            let polygons: Vec<Vec<Vec<(f64, f64)>>> = shapes
                .iter()
                .filter(|p| {
                    let area = p.unsigned_area();
                    area >= detail.min_area || area == largest
                })
                .filter_map(|p| simplify(p, detail.tolerance))
                .collect();
            (!polygons.is_empty()).then_some(Outline { polygons, ..o })
        })
        .collect();
    Basemap { outlines }
}

/// A polygon of rings (the exterior first); `None` for one without rings.
fn polygon(rings: &[Vec<(f64, f64)>]) -> Option<Polygon<f64>> {
    let (exterior, holes) = rings.split_first()?;
    let ls = |r: &Vec<(f64, f64)>| LineString::from(r.clone());
    Some(Polygon::new(ls(exterior), holes.iter().map(ls).collect()))
}

/// A polygon simplified to `tolerance` as rings, or `None` when its exterior vanishes.
fn simplify(p: &Polygon<f64>, tolerance: f64) -> Option<Vec<Vec<(f64, f64)>>> {
    let p = p.simplify(tolerance);
    let points = |l: &LineString<f64>| -> Vec<(f64, f64)> { l.points().map(|q| q.x_y()).collect() };
    let exterior = points(p.exterior());
    if exterior.len() < MIN_RING_POINTS {
        return None;
    }
    let mut out = vec![exterior];
    out.extend(
        p.interiors()
            .iter()
            .map(points)
            .filter(|r| r.len() >= MIN_RING_POINTS),
    );
    Some(out)
}

/// The basemap's file, as written into the instance folder.
pub fn render(b: &Basemap) -> Vec<u8> {
    basemap::to_geojson(b).into_bytes()
}
