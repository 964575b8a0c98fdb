//! Assembling the instance in memory: the sources read, the rows of the three CSV files, the
//! README and the summary; nothing is written here.

use super::counties::{County, CountyRead, parse_counties};
use super::hospitals::{Hifld, HospitalRead, max_patients, parse_hospitals, select_hospitals};
use super::readme::readme;
use super::render::{coord, csv_bytes, patients_text};
use super::sites::{CENTRAL_PLANTS, SITE_HEADER, regional_candidates, site_rows};
use super::source::read_path;
use super::zips::{ZipRead, parse_zips};
use super::{UsOptions, UsSummary};
use crate::input::error::{Code, InputError, InputErrors};
use crate::text::grouped;

/// The rate `--patients-per-100k` is per this many residents.
const RESIDENTS_PER_RATE: f64 = 1e5;

const DEMAND_HEADER: [&str; 5] = ["id", "name", "lat", "lon", "patients"];
const HOSPITAL_HEADER: [&str; 5] = ["id", "name", "lat", "lon", "max_patients"];

/// A file of the instance: its name and its bytes.
pub(super) type Rendered = (&'static str, Vec<u8>);

/// The source files, read.
struct Sources {
    counties: CountyRead,
    hospitals: HospitalRead,
    zips: Option<ZipRead>,
}

/// The demand layer as written to demand.csv.
struct Demand {
    /// "county" or "ZIP".
    layer: &'static str,
    rows: Vec<Vec<String>>,
    population: u64,
    /// The sum of the patients written (rounded as written).
    patients: f64,
}

/// What the README and the summary report.
pub(super) struct Facts<'a> {
    pub(super) o: &'a UsOptions,
    pub(super) counties: &'a CountyRead,
    pub(super) zips: Option<&'a ZipRead>,
    pub(super) hospitals: &'a HospitalRead,
    pub(super) kept: &'a [Hifld],
    pub(super) from_floor: usize,
    pub(super) regional: &'a [&'a County],
    pub(super) layer: &'static str,
    pub(super) demand_points: usize,
    pub(super) population: u64,
    pub(super) patients: f64,
}

/// The area of the instance, as the summary and the README name it.
pub(super) fn scope(include_pr: bool) -> &'static str {
    if include_pr {
        "50 states, DC and Puerto Rico"
    } else {
        "50 states and DC"
    }
}

/// Reads the sources and renders the four files; nothing is written.
pub(super) fn build(o: &UsOptions) -> Result<(Vec<Rendered>, UsSummary), InputErrors> {
    let sources = read_sources(o)?;
    let demand = demand(&sources, o.patients_per_100k);
    let (kept, from_floor) =
        select_hospitals(&sources.hospitals.eligible, o.min_beds, o.min_per_state);
    let regional = regional_candidates(
        &sources.counties.counties,
        o.regional,
        o.regional_spacing_km,
    );
    let sites = site_rows(&kept, &regional, o.central_platforms);
    let facts = Facts {
        o,
        counties: &sources.counties,
        zips: sources.zips.as_ref(),
        hospitals: &sources.hospitals,
        kept: &kept,
        from_floor,
        regional: &regional,
        layer: demand.layer,
        demand_points: demand.rows.len(),
        population: demand.population,
        patients: demand.patients,
    };
    let files: Vec<Rendered> = vec![
        ("demand.csv", csv_bytes(&DEMAND_HEADER, &demand.rows)),
        (
            "hospitals.csv",
            csv_bytes(&HOSPITAL_HEADER, &hospital_rows(&kept)),
        ),
        ("sites.csv", csv_bytes(&SITE_HEADER, &sites)),
        ("README.md", readme(&facts).into_bytes()),
    ];
    let summary = UsSummary {
        demand_layer: facts.layer,
        demand_points: facts.demand_points,
        population: facts.population,
        patients: facts.patients,
        hospitals: kept.len(),
        colocated: kept.len(),
        regional: regional.len(),
        central: CENTRAL_PLANTS.len(),
        files: files.iter().map(|(n, _)| o.out.join(n)).collect(),
        lines: summary_lines(&facts, sites.len()),
    };
    Ok((files, summary))
}

/// The options checked and the source files read, with every error found in any of them.
fn read_sources(o: &UsOptions) -> Result<Sources, InputErrors> {
    let mut errors = Vec::new();
    non_negative("--patients-per-100k", o.patients_per_100k, &mut errors);
    non_negative("--regional-spacing-km", o.regional_spacing_km, &mut errors);
    let counties = read_path(&o.counties, o.include_pr, &mut errors, parse_counties);
    let hospitals = read_path(&o.hospitals, o.include_pr, &mut errors, parse_hospitals);
    let zips = o
        .zip
        .as_ref()
        .map(|z| read_path(z, o.include_pr, &mut errors, parse_zips));
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }
    Ok(Sources {
        counties,
        hospitals,
        zips,
    })
}

/// E105 unless the option's value is a finite number >= 0.
fn non_negative(option: &str, value: f64, errors: &mut Vec<InputError>) {
    if !(value.is_finite() && value >= 0.0) {
        errors.push(InputError::new(
            Code::OutOfRange,
            option,
            format!("\"{value}\" is out of range: expected a finite number >= 0"),
        ));
    }
}

/// demand.csv's rows, sorted by id: the ZIP points when they were given, else the counties.
fn demand(sources: &Sources, rate: f64) -> Demand {
    let (layer, points, prefix): (&'static str, &[County], &str) = match &sources.zips {
        Some(z) => ("ZIP", &z.points, "Z"),
        None => ("county", &sources.counties.counties, "D"),
    };
    let mut rows = Vec::with_capacity(points.len());
    let mut population = 0u64;
    let mut patients = 0.0;
    for p in points {
        let text = patients_text(p.population as f64 * rate / RESIDENTS_PER_RATE);
        patients += text.parse::<f64>().unwrap_or(0.0);
        population += p.population;
        rows.push(vec![
            format!("{prefix}{}", p.fips),
            p.name.clone(),
            coord(p.lat),
            coord(p.lon),
            text,
        ]);
    }
    rows.sort();
    Demand {
        layer,
        rows,
        population,
        patients,
    }
}

/// hospitals.csv's rows, sorted by id.
fn hospital_rows(kept: &[Hifld]) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = kept
        .iter()
        .map(|h| {
            vec![
                format!("H{}", h.id),
                h.name.clone(),
                coord(h.lat),
                coord(h.lon),
                max_patients(h.beds).to_string(),
            ]
        })
        .collect();
    rows.sort();
    rows
}

/// The short human summary, one line each.
fn summary_lines(f: &Facts<'_>, sites: usize) -> Vec<String> {
    let o = f.o;
    let (kept, layer) = (f.kept.len(), f.layer);
    let mut lines = vec![
        format!(
            "demand: {} {layer} points ({}), {} residents, {:.1} patients a year at {} per 100,000",
            f.demand_points,
            scope(o.include_pr),
            grouped(f.population as f64, 0),
            f.patients,
            o.patients_per_100k,
        ),
        format!(
            "hospitals: {kept} of {} HIFLD rows ({} with >= {} beds, {} as their state's largest)",
            f.hospitals.rows,
            kept - f.from_floor,
            o.min_beds,
            f.from_floor,
        ),
        format!(
            "sites: {sites} candidates: {kept} colocated, {} regional, {} central (existing)",
            f.regional.len(),
            CENTRAL_PLANTS.len()
        ),
    ];
    if let Some(z) = f.zips {
        lines.insert(
            1,
            format!(
                "ZIP rows left out: {} with no population, {} in Puerto Rico, {} in other territories, {} with population 0",
                z.no_population, z.puerto_rico, z.outside, z.zero_population
            ),
        );
    }
    lines
}
