//! The candidate sites: one colocated in each kept hospital, regional ones at the centres of the
//! most populous counties, and today's commercial plants as existing central sites.

use super::counties::County;
use super::hospitals::Hifld;
use super::render::coord;
use crate::network::travel::great_circle_km;

/// The columns of sites.csv.
pub(super) const SITE_HEADER: [&str; 9] = [
    "id",
    "name",
    "lat",
    "lon",
    "kind",
    "hospital",
    "max_platforms",
    "allow",
    "existing",
];

/// Today's commercial CAR-T plants in the 50 states (public locations; coordinates approximate,
/// town level, within 10 km): slug, name, lat, lon.
pub(super) const CENTRAL_PLANTS: [(&str, &str, f64, f64); 6] = [
    (
        "BOTHELL",
        "Bothell WA (Bristol Myers Squibb / Juno central plant)",
        47.7895,
        -122.2065,
    ),
    (
        "DEVENS",
        "Devens MA (Bristol Myers Squibb central plant)",
        42.5400,
        -71.6100,
    ),
    (
        "ELSEGUNDO",
        "El Segundo CA (Kite / Gilead central plant)",
        33.9210,
        -118.3890,
    ),
    (
        "FREDERICK",
        "Frederick MD (Kite / Gilead central plant)",
        39.4143,
        -77.4105,
    ),
    (
        "MORRIS",
        "Morris Plains NJ (Novartis central plant)",
        40.8365,
        -74.4818,
    ),
    (
        "RARITAN",
        "Raritan NJ (Janssen / Legend central plant)",
        40.5695,
        -74.6330,
    ),
];

/// The regional candidates: counties by population (largest first), skipping any whose
/// population centre is within `spacing_km` of one already chosen, until `n` are chosen.
pub(super) fn regional_candidates(counties: &[County], n: usize, spacing_km: f64) -> Vec<&County> {
    let mut ranked: Vec<&County> = counties.iter().collect();
    ranked.sort_by(|a, b| b.population.cmp(&a.population).then(a.fips.cmp(&b.fips)));
    let mut chosen: Vec<&County> = Vec::new();
    for c in ranked {
        if chosen.len() >= n {
            break;
        }
        if chosen
            .iter()
            .all(|o| great_circle_km(c.lat, c.lon, o.lat, o.lon) >= spacing_km)
        {
            chosen.push(c);
        }
    }
    chosen
}

/// The rows of sites.csv, sorted by id: the colocated, regional and central candidates.
pub(super) fn site_rows(
    kept: &[Hifld],
    regional: &[&County],
    central_platforms: u32,
) -> Vec<Vec<String>> {
    let mut rows = Vec::with_capacity(kept.len() + regional.len() + CENTRAL_PLANTS.len());
    for h in kept {
        let id = format!("H{}", h.id);
        let name = format!("{} (colocated)", h.name);
        let host = [id.clone(), String::new(), String::new(), String::new()];
        rows.push(site_row(
            format!("S-{id}"),
            name,
            (h.lat, h.lon),
            "colocated",
            host,
        ));
    }
    for c in regional {
        let name = format!("{} (regional)", c.name);
        let id = format!("S-R{}", c.fips);
        rows.push(site_row(
            id,
            name,
            (c.lat, c.lon),
            "regional",
            Default::default(),
        ));
    }
    for (slug, name, lat, lon) in CENTRAL_PLANTS {
        // An existing plant, owned, with room for `central_platforms`.
        let plant = [
            String::new(),
            central_platforms.to_string(),
            "owned".into(),
            "true".into(),
        ];
        rows.push(site_row(
            format!("S-C-{slug}"),
            name.into(),
            (lat, lon),
            "central",
            plant,
        ));
    }
    rows.sort();
    rows
}

/// One row of sites.csv: the candidate, then `hospital`, `max_platforms`, `allow` and `existing`
/// (blank: the scenario's defaults).
fn site_row(
    id: String,
    name: String,
    (lat, lon): (f64, f64),
    kind: &str,
    rest: [String; 4],
) -> Vec<String> {
    let mut row = vec![id, name, coord(lat), coord(lon), kind.into()];
    row.extend(rest);
    row
}
