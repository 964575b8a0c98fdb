//! `basemap.geojson`, the optional outlines (state borders) an instance folder may hold for its
//! maps: a GeoJSON FeatureCollection of Polygon and MultiPolygon features, lon/lat (CRS84).
//!
//! It is drawing only: the instance reader ([`super::Instance::load`]) does not read it, and it
//! is not part of the data digest ([`super::digest`]), so adding, replacing or removing the
//! basemap leaves every plan of the instance valid for `verify` and `report`. The report and
//! `compare` read it with [`load`]; a file that is there but broken is an error (E250), never
//! silently a map without borders.

use super::error::{Code, InputError};
use std::fmt::Write;
use std::path::Path;

/// The file's name in an instance folder.
pub const FILE: &str = "basemap.geojson";

/// Decimals of the coordinates written: 0.001° is about 110 m, finer than a map of a region
/// can show and a third of the bytes of the Census file's six.
const DECIMALS: usize = 3;

/// One outline: a state's name and code, and its polygons, each a list of rings (the first the
/// exterior, then the holes), each a closed list of (lon, lat).
#[derive(Debug, Clone, PartialEq)]
pub struct Outline {
    pub name: String,
    pub code: String,
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

/// The outlines of a basemap, in the file's order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Basemap {
    pub outlines: Vec<Outline>,
}

/// Every point of `instance` as (lon, lat): what a map of it shows, and what its basemap covers.
pub fn places(instance: &super::Instance) -> Vec<(f64, f64)> {
    instance
        .demand
        .iter()
        .map(|d| (d.lon, d.lat))
        .chain(instance.hospitals.iter().map(|x| (x.lon, x.lat)))
        .chain(instance.sites.iter().map(|x| (x.lon, x.lat)))
        .collect()
}

/// The basemap of the instance in `dir`: `None` when it has none.
pub fn load(dir: &Path) -> Result<Option<Basemap>, InputError> {
    let path = dir.join(FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(InputError::new(
                Code::BadBasemap,
                path.display().to_string(),
                format!("cannot read the basemap: {e}"),
            ));
        }
    };
    parse(&bytes, &path.display().to_string()).map(Some)
}

/// Reads a FeatureCollection of Polygon and MultiPolygon features; other geometries are skipped.
/// `file` names the file in errors.
pub fn parse(bytes: &[u8], file: &str) -> Result<Basemap, InputError> {
    let bad = |why: String| InputError::new(Code::BadBasemap, file, why);
    let text = std::str::from_utf8(bytes).map_err(|e| bad(format!("not UTF-8: {e}")))?;
    let gj: geojson::GeoJson = text.parse().map_err(|e| {
        bad(format!(
            "not GeoJSON: {e}; expected a FeatureCollection of state outlines"
        ))
    })?;
    let geojson::GeoJson::FeatureCollection(fc) = gj else {
        return Err(bad("expected a GeoJSON FeatureCollection".into()));
    };
    let mut outlines = Vec::new();
    for f in fc.features {
        let prop = |k: &str| {
            f.property(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        let (name, code) = (prop("NAME"), prop("STUSPS"));
        let polygons = match f.geometry.as_ref().map(|g| &g.value) {
            Some(geojson::Value::Polygon(p)) => vec![rings(p)],
            Some(geojson::Value::MultiPolygon(m)) => m.iter().map(|p| rings(p)).collect(),
            _ => continue,
        };
        let finite =
            polygons.iter().flatten().flatten().all(|(x, y)| {
                x.is_finite() && y.is_finite() && x.abs() <= 180.0 && y.abs() <= 90.0
            });
        if !finite {
            return Err(bad(format!(
                "outline \"{name}\" has a point outside [-180, 180] x [-90, 90]"
            )));
        }
        outlines.push(Outline {
            name,
            code,
            polygons,
        });
    }
    Ok(Basemap { outlines })
}

/// A GeoJSON polygon's rings as (lon, lat) lists.
fn rings(p: &[Vec<Vec<f64>>]) -> Vec<Vec<(f64, f64)>> {
    p.iter()
        .map(|ring| {
            ring.iter()
                .filter(|c| c.len() >= 2)
                .map(|c| (c[0], c[1]))
                .collect()
        })
        .collect()
}

/// The basemap as a GeoJSON FeatureCollection, one MultiPolygon feature per outline with its
/// NAME and STUSPS, coordinates with [`DECIMALS`] decimals, one feature a line.
pub fn to_geojson(b: &Basemap) -> String {
    let mut s = String::from("{\"type\":\"FeatureCollection\",\"features\":[\n");
    for (i, o) in b.outlines.iter().enumerate() {
        let props = serde_json::json!({"NAME": o.name, "STUSPS": o.code});
        let _ = write!(
            s,
            "{}{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{{\"type\":\"MultiPolygon\",\"coordinates\":[",
            if i > 0 { ",\n" } else { "" }
        );
        for (k, polygon) in o.polygons.iter().enumerate() {
            s.push_str(if k > 0 { ",[" } else { "[" });
            for (r, ring) in polygon.iter().enumerate() {
                s.push_str(if r > 0 { ",[" } else { "[" });
                for (n, (x, y)) in ring.iter().enumerate() {
                    let sep = if n > 0 { "," } else { "" };
                    let _ = write!(s, "{sep}[{x:.DECIMALS$},{y:.DECIMALS$}]");
                }
                s.push(']');
            }
            s.push(']');
        }
        s.push_str("]}}");
    }
    s.push_str("\n]}\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_basemaps_read_back() {
        let b = Basemap {
            outlines: vec![Outline {
                name: "Square \"State\"".into(),
                code: "SQ".into(),
                polygons: vec![vec![vec![
                    (-74.0, 40.0),
                    (-73.0, 40.0),
                    (-73.0, 41.0),
                    (-74.0, 40.0),
                ]]],
            }],
        };
        let text = to_geojson(&b);
        assert!(text.contains("[-74.000,40.000]"));
        assert_eq!(parse(text.as_bytes(), "b.geojson").unwrap(), b);
    }

    #[test]
    fn broken_basemaps_are_coded_errors() {
        for bad in [
            &b"{"[..],
            b"{\"type\":\"Point\",\"coordinates\":[0,0]}",
            b"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":{},\
              \"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,95],[0,1],[0,0]]]}}]}",
        ] {
            let e = parse(bad, "b.geojson").unwrap_err();
            assert_eq!(e.code, Code::BadBasemap, "{e}");
        }
    }
}
