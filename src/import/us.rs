//! The US national instance from public files: Census 2020 county centres of population
//! (demand), the HIFLD Hospitals layer (treatment centres and colocated candidates), the most
//! populous counties (regional candidates) and today's commercial CAR-T plants (existing central
//! sites). Optionally a ZIP-level demand layer replaces the counties.
//!
//! The source files are read with the core CSV reader ([`table::parse`]), so a missing column or a
//! bad cell gives the same precise error (code, file:line, column, value) as cartnet's own input;
//! columns the importer does not use are ignored. Every file is rendered before anything is
//! written, and the output is byte-identical for the same files and options: rows are sorted by
//! id and numbers are written with a fixed number of decimals.
//!
//! The rules and defaults are explained, with their reasons, in the README.md written beside the
//! CSVs and in the "National instance" section of the README.

use crate::fs::folder::{FolderError, write_instance};
use crate::input::error::{Code, InputError, InputErrors, quoted};
use crate::input::table::{self, Column, Table, optional, required};
use crate::network::travel::great_circle_km;
use crate::text::grouped;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// CAR-T-eligible patients per 100,000 residents per year (all eligible patients, every product).
pub const DEFAULT_PATIENTS_PER_100K: f64 = 3.0;
/// Hospitals with at least this many beds are kept as treatment centres.
pub const DEFAULT_MIN_BEDS: u32 = 500;
/// Each state (and DC) keeps at least this many hospitals, its largest, whatever their beds.
pub const DEFAULT_MIN_PER_STATE: u32 = 1;
/// Regional candidates: this many of the most populous counties, spaced apart.
pub const DEFAULT_REGIONAL: usize = 50;
/// A regional candidate is at least this far (great-circle km) from every other one.
pub const DEFAULT_REGIONAL_SPACING_KM: f64 = 80.0;
/// Platforms an existing central plant may hold (23.3 batches a year each in the baseline).
pub const DEFAULT_CENTRAL_PLATFORMS: u32 = 100;

/// max_patients = round(BEDS / 5), clamped to [20, 200] (the rule of data/demo).
const BEDS_PER_PATIENT: u32 = 5;
const MIN_MAX_PATIENTS: u32 = 20;
const MAX_MAX_PATIENTS: u32 = 200;

/// Options of `cartnet import us`.
#[derive(Debug, Clone)]
pub struct UsOptions {
    /// Census 2020 county centres of population (CenPop2020_Mean_CO.txt).
    pub counties: PathBuf,
    /// HIFLD Hospitals (CSV).
    pub hospitals: PathBuf,
    /// ZIP points with population: when given, the demand layer is ZIPs instead of counties.
    pub zip: Option<PathBuf>,
    /// Output folder.
    pub out: PathBuf,
    /// Add Puerto Rico (demand, hospitals, regional candidates).
    pub include_pr: bool,
    pub patients_per_100k: f64,
    pub min_beds: u32,
    pub min_per_state: u32,
    pub regional: usize,
    pub regional_spacing_km: f64,
    pub central_platforms: u32,
    /// Replace the instance in a folder that is not empty.
    pub force: bool,
}

impl UsOptions {
    /// The default options for these files.
    pub fn new(counties: PathBuf, hospitals: PathBuf, out: PathBuf) -> UsOptions {
        UsOptions {
            counties,
            hospitals,
            zip: None,
            out,
            include_pr: false,
            patients_per_100k: DEFAULT_PATIENTS_PER_100K,
            min_beds: DEFAULT_MIN_BEDS,
            min_per_state: DEFAULT_MIN_PER_STATE,
            regional: DEFAULT_REGIONAL,
            regional_spacing_km: DEFAULT_REGIONAL_SPACING_KM,
            central_platforms: DEFAULT_CENTRAL_PLATFORMS,
            force: false,
        }
    }
}

/// What was built (and, by [`import`], written).
#[derive(Debug, Clone)]
pub struct UsSummary {
    /// "county" or "ZIP".
    pub demand_layer: &'static str,
    pub demand_points: usize,
    /// Residents of the demand points.
    pub population: u64,
    /// Patients a year, the sum of the values written.
    pub patients: f64,
    pub hospitals: usize,
    pub colocated: usize,
    pub regional: usize,
    pub central: usize,
    /// The files written (or to be written), in order.
    pub files: Vec<PathBuf>,
    /// A short human summary, one line each.
    pub lines: Vec<String>,
}

/// Builds the instance and writes demand.csv, hospitals.csv, sites.csv and README.md into
/// `options.out` as one set ([`write_instance`]; the folder must be new or empty unless
/// `options.force`). Nothing is written when the input has an error.
pub fn import(options: &UsOptions) -> Result<UsSummary, UsError> {
    let (files, summary) = build(options).map_err(UsError::Input)?;
    write_instance(&options.out, &files, options.force).map_err(UsError::Write)?;
    Ok(summary)
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum UsError {
    /// Errors in the input files.
    Input(InputErrors),
    /// The output folder cannot take the instance.
    Write(FolderError),
}

/// The 50 states, DC and Puerto Rico: FIPS code, postal code.
const STATES: [(&str, &str); 52] = [
    ("01", "AL"),
    ("02", "AK"),
    ("04", "AZ"),
    ("05", "AR"),
    ("06", "CA"),
    ("08", "CO"),
    ("09", "CT"),
    ("10", "DE"),
    ("11", "DC"),
    ("12", "FL"),
    ("13", "GA"),
    ("15", "HI"),
    ("16", "ID"),
    ("17", "IL"),
    ("18", "IN"),
    ("19", "IA"),
    ("20", "KS"),
    ("21", "KY"),
    ("22", "LA"),
    ("23", "ME"),
    ("24", "MD"),
    ("25", "MA"),
    ("26", "MI"),
    ("27", "MN"),
    ("28", "MS"),
    ("29", "MO"),
    ("30", "MT"),
    ("31", "NE"),
    ("32", "NV"),
    ("33", "NH"),
    ("34", "NJ"),
    ("35", "NM"),
    ("36", "NY"),
    ("37", "NC"),
    ("38", "ND"),
    ("39", "OH"),
    ("40", "OK"),
    ("41", "OR"),
    ("42", "PA"),
    ("44", "RI"),
    ("45", "SC"),
    ("46", "SD"),
    ("47", "TN"),
    ("48", "TX"),
    ("49", "UT"),
    ("50", "VT"),
    ("51", "VA"),
    ("53", "WA"),
    ("54", "WV"),
    ("55", "WI"),
    ("56", "WY"),
    ("72", "PR"),
];

/// Whether a place is in the instance's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    /// One of the 50 states or DC (or Puerto Rico with --include-pr), by postal code.
    In(&'static str),
    /// Puerto Rico without --include-pr.
    PuertoRico,
    /// Another territory, or a code cartnet does not know.
    Outside,
}

fn scope_of(postal: Option<&'static str>, include_pr: bool) -> Scope {
    match postal {
        Some("PR") if !include_pr => Scope::PuertoRico,
        Some(p) => Scope::In(p),
        None => Scope::Outside,
    }
}

fn state_by_fips(fips: &str, include_pr: bool) -> Scope {
    scope_of(
        STATES.iter().find(|(f, _)| *f == fips).map(|(_, p)| *p),
        include_pr,
    )
}

fn state_by_postal(postal: &str, include_pr: bool) -> Scope {
    let postal = postal.to_ascii_uppercase();
    scope_of(
        STATES.iter().find(|(_, p)| *p == postal).map(|(_, p)| *p),
        include_pr,
    )
}

/// ZIP codes carry no state; the 3-digit prefixes of the territories are known: 006, 007 and 009
/// are Puerto Rico, 008 the US Virgin Islands, 969 Guam, the Northern Marianas and the Pacific
/// freely associated states, 96799 American Samoa.
fn state_by_zip(zip: &str, include_pr: bool) -> Scope {
    match &zip[..3] {
        "006" | "007" | "009" => scope_of(Some("PR"), include_pr),
        "008" | "969" => Scope::Outside,
        _ if zip == "96799" => Scope::Outside,
        _ => Scope::In("US"),
    }
}

/// A code that lost its leading zeros in a spreadsheet, restored to `width` digits; `None` when
/// it is not 1 to `width` digits.
fn pad_code(raw: &str, width: usize) -> Option<String> {
    (!raw.is_empty() && raw.len() <= width && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{raw:0>width$}"))
}

/// Reads an external CSV file's bytes with the core reader. Columns it has that cartnet does not
/// use are accepted and ignored (the publishers add columns between vintages); required columns
/// must be there, under any letter case.
fn read_external(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<(String, Table, bool)> {
    // Government files are sometimes Latin-1 (e.g. "Do\xF1a Ana"): a file that is not UTF-8 is
    // read as Latin-1, where every byte is the character of the same number.
    let latin1 = std::str::from_utf8(bytes).is_err();
    let converted;
    let bytes = if latin1 {
        converted = bytes.iter().map(|&b| char::from(b)).collect::<String>();
        converted.as_bytes()
    } else {
        bytes
    };
    table::parse_external(file, bytes, columns, errors).map(|t| (file.to_string(), t, latin1))
}

/// One of the source files `cartnet import us` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsSource {
    /// The Census county centres of population (`--counties`).
    Counties,
    /// The ZIP population points (`--zip`).
    Zips,
    /// The HIFLD hospitals (`--hospitals`).
    Hospitals,
}

/// Reads one source file's contents as the importer does (`file` names it in messages): the
/// number of demand points or eligible hospitals it yields, or every problem found.
pub fn read_source(
    source: UsSource,
    file: &str,
    bytes: &[u8],
    include_pr: bool,
) -> Result<usize, InputErrors> {
    let mut errors = Vec::new();
    let n = match source {
        UsSource::Counties => parse_counties(file, bytes, include_pr, &mut errors)
            .counties
            .len(),
        UsSource::Zips => parse_zips(file, bytes, include_pr, &mut errors)
            .points
            .len(),
        UsSource::Hospitals => parse_hospitals(file, bytes, include_pr, &mut errors)
            .eligible
            .len(),
    };
    if errors.is_empty() {
        Ok(n)
    } else {
        Err(InputErrors(errors))
    }
}

/// A source file by path: its bytes read (E001 when it cannot be), then `parse`d.
fn read_path<T: Default>(
    path: &Path,
    include_pr: bool,
    errors: &mut Vec<InputError>,
    parse: impl FnOnce(&str, &[u8], bool, &mut Vec<InputError>) -> T,
) -> T {
    match table::read_bytes(path, errors) {
        Some((file, bytes)) => parse(&file, &bytes, include_pr, errors),
        None => T::default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Counties
// ---------------------------------------------------------------------------------------------

const COUNTY_COLUMNS: &[Column] = &[
    required("statefp"),
    required("countyfp"),
    required("couname"),
    optional("stname"),
    required("population"),
    required("latitude"),
    required("longitude"),
];

#[derive(Debug, Clone)]
struct County {
    fips: String,
    name: String,
    population: u64,
    lat: f64,
    lon: f64,
}

#[derive(Debug, Default)]
struct CountyRead {
    counties: Vec<County>,
    /// The file was not UTF-8 and was read as Latin-1.
    latin1: bool,
    rows: usize,
    puerto_rico: usize,
    outside: usize,
}

/// "Autauga County, AL", "Orleans Parish, LA", "Baltimore city, MD", "Juneau, AK".
fn county_name(name: &str, state_fp: &str, county_fp: &str, postal: &str) -> String {
    let independent_city = matches!(state_fp, "24" | "29" | "32" | "51") && county_fp >= "500";
    let suffix = match postal {
        _ if name.ends_with(" City") || name.ends_with(" city") => "",
        _ if independent_city => " city",
        "LA" => " Parish",
        "PR" => " Municipio",
        "AK" | "DC" => "",
        _ => " County",
    };
    format!("{name}{suffix}, {postal}")
}

fn parse_counties(
    file: &str,
    bytes: &[u8],
    include_pr: bool,
    errors: &mut Vec<InputError>,
) -> CountyRead {
    let mut out = CountyRead::default();
    let Some((file, t, latin1)) = read_external(file, bytes, COUNTY_COLUMNS, errors) else {
        return out;
    };
    out.latin1 = latin1;
    let mut seen: HashMap<String, u64> = HashMap::new();
    t.for_each_row(errors, |row| {
        out.rows += 1;
        let state = row.required_text("statefp");
        let county = row.required_text("countyfp");
        let (Some(state), Some(county)) = (state, county) else {
            return;
        };
        let Some(state_fp) = pad_code(&state, 2) else {
            row.row_error(
                Code::NotWholeNumber,
                "statefp",
                format!(
                    "{} is not a state FIPS code (1 or 2 digits)",
                    quoted(&state)
                ),
            );
            return;
        };
        let Some(county_fp) = pad_code(&county, 3) else {
            row.row_error(
                Code::NotWholeNumber,
                "countyfp",
                format!(
                    "{} is not a county FIPS code (1 to 3 digits)",
                    quoted(&county)
                ),
            );
            return;
        };
        let postal = match state_by_fips(&state_fp, include_pr) {
            Scope::In(p) => p,
            Scope::PuertoRico => {
                out.puerto_rico += 1;
                return;
            }
            Scope::Outside => {
                out.outside += 1;
                return;
            }
        };
        let fips = format!("{state_fp}{county_fp}");
        if let Some(first) = seen.get(&fips) {
            row.row_error(
                Code::DuplicateId,
                "countyfp",
                format!("county {fips} is listed again; it was first listed on line {first}"),
            );
            return;
        }
        seen.insert(fips.clone(), row.line);
        let name = row.required_text("couname");
        let population = whole(row, "population");
        let lat = row.required_number("latitude", -90.0, 90.0);
        let lon = row.required_number("longitude", -180.0, 180.0);
        if let (Some(name), Some(population), Some(lat), Some(lon)) = (name, population, lat, lon) {
            out.counties.push(County {
                name: county_name(&name, &state_fp, &county_fp, postal),
                fips,
                population,
                lat,
                lon,
            });
        }
    });
    finish_points(
        &mut out.counties,
        &file,
        errors,
        "no county of the 50 states and DC (STATEFP 01-56) was found",
    );
    out
}

/// Sorts demand points by code; none at all (and no other error in the file) is E205.
fn finish_points(points: &mut [County], file: &str, errors: &mut Vec<InputError>, none: &str) {
    if points.is_empty() && !errors.iter().any(|e| e.file == file) {
        errors.push(InputError::new(Code::EmptyInstance, file, none));
    }
    points.sort_by(|a, b| a.fips.cmp(&b.fips));
}

/// A required whole number (population, beds).
fn whole(row: &mut table::Row<'_>, column: &'static str) -> Option<u64> {
    if row.text(column).is_none() {
        row.row_error(Code::MissingValue, column, "a number is required".into());
        return None;
    }
    row.whole_number(column).map(u64::from)
}

// ---------------------------------------------------------------------------------------------
// ZIP points
// ---------------------------------------------------------------------------------------------

const ZIP_COLUMNS: &[Column] = &[
    required("zip"),
    required("lat"),
    required("lng"),
    required("population"),
];

#[derive(Debug, Default)]
struct ZipRead {
    points: Vec<County>,
    latin1: bool,
    rows: usize,
    no_population: usize,
    zero_population: usize,
    puerto_rico: usize,
    outside: usize,
}

fn parse_zips(file: &str, bytes: &[u8], include_pr: bool, errors: &mut Vec<InputError>) -> ZipRead {
    let mut out = ZipRead::default();
    let Some((file, t, latin1)) = read_external(file, bytes, ZIP_COLUMNS, errors) else {
        return out;
    };
    out.latin1 = latin1;
    let mut seen: HashMap<String, u64> = HashMap::new();
    t.for_each_row(errors, |row| {
        out.rows += 1;
        let Some(raw) = row.required_text("zip") else {
            return;
        };
        let Some(zip) = pad_code(&raw, 5) else {
            row.row_error(
                Code::NotWholeNumber,
                "zip",
                format!("{} is not a ZIP code (1 to 5 digits)", quoted(&raw)),
            );
            return;
        };
        if let Some(first) = seen.get(&zip) {
            row.row_error(
                Code::DuplicateId,
                "zip",
                format!("ZIP {zip} is listed again; it was first listed on line {first}"),
            );
            return;
        }
        seen.insert(zip.clone(), row.line);
        if row.text("population").is_none() {
            out.no_population += 1;
            return;
        }
        match state_by_zip(&zip, include_pr) {
            Scope::In(_) => {}
            Scope::PuertoRico => {
                out.puerto_rico += 1;
                return;
            }
            Scope::Outside => {
                out.outside += 1;
                return;
            }
        }
        let population = row.whole_number("population").map(u64::from);
        let lat = row.required_number("lat", -90.0, 90.0);
        let lon = row.required_number("lng", -180.0, 180.0);
        if let (Some(population), Some(lat), Some(lon)) = (population, lat, lon) {
            if population == 0 {
                out.zero_population += 1;
                return;
            }
            out.points.push(County {
                name: format!("ZIP {zip}"),
                fips: zip,
                population,
                lat,
                lon,
            });
        }
    });
    finish_points(
        &mut out.points,
        &file,
        errors,
        "no ZIP point with a population was found",
    );
    out
}

// ---------------------------------------------------------------------------------------------
// Hospitals
// ---------------------------------------------------------------------------------------------

const HOSPITAL_COLUMNS: &[Column] = &[
    required("id"),
    required("name"),
    required("state"),
    required("type"),
    required("status"),
    required("latitude"),
    required("longitude"),
    required("beds"),
    optional("trauma"),
];

/// Hospital types kept: acute-care hospitals that run oncology and transplant services.
const KEPT_TYPES: [&str; 2] = ["GENERAL ACUTE CARE", "CHILDREN"];
/// HIFLD's value for an unknown number of beds.
const UNKNOWN_BEDS: f64 = -999.0;

#[derive(Debug, Clone)]
struct Hifld {
    id: String,
    name: String,
    state: &'static str,
    lat: f64,
    lon: f64,
    beds: u32,
    trauma: u8,
}

#[derive(Debug, Default)]
struct HospitalRead {
    /// Eligible hospitals (open, kept type, in scope, beds known), ranked best first.
    eligible: Vec<Hifld>,
    latin1: bool,
    rows: usize,
    not_open: usize,
    other_type: usize,
    puerto_rico: usize,
    outside: usize,
    unknown_beds: usize,
}

/// The best trauma level named in HIFLD's TRAUMA text: 1-5 for LEVEL I-V (adult or pediatric),
/// 6 for another designation without a level (e.g. "RTC", "LEVEL PEDIATRIC"), 7 for none
/// ("NOT AVAILABLE", "NOT DESIGNATED", "UNCLASSIFIED", blank).
fn trauma_level(text: &str) -> u8 {
    let mut best = 7;
    for part in text.split(',') {
        let part = part.trim().to_ascii_uppercase();
        let level = if let Some(rest) = part.strip_prefix("LEVEL") {
            match rest.split_whitespace().next() {
                Some("I" | "1") => 1,
                Some("II" | "2") => 2,
                Some("III" | "3") => 3,
                Some("IV" | "4") => 4,
                Some("V" | "5") => 5,
                _ => 6,
            }
        } else if part.is_empty()
            || matches!(
                part.as_str(),
                "NOT AVAILABLE" | "NOT DESIGNATED" | "UNCLASSIFIED"
            )
        {
            7
        } else {
            6
        };
        best = best.min(level);
    }
    best
}

fn parse_hospitals(
    file: &str,
    bytes: &[u8],
    include_pr: bool,
    errors: &mut Vec<InputError>,
) -> HospitalRead {
    let mut out = HospitalRead::default();
    let Some((file, t, latin1)) = read_external(file, bytes, HOSPITAL_COLUMNS, errors) else {
        return out;
    };
    out.latin1 = latin1;
    let mut seen: HashMap<String, u64> = HashMap::new();
    t.for_each_row(errors, |row| {
        out.rows += 1;
        let (Some(status), Some(kind), Some(state)) = (
            row.required_text("status"),
            row.required_text("type"),
            row.required_text("state"),
        ) else {
            return;
        };
        if !status.eq_ignore_ascii_case("OPEN") {
            out.not_open += 1;
            return;
        }
        if !KEPT_TYPES.iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
            out.other_type += 1;
            return;
        }
        let state = match state_by_postal(&state, include_pr) {
            Scope::In(p) => p,
            Scope::PuertoRico => {
                out.puerto_rico += 1;
                return;
            }
            Scope::Outside => {
                out.outside += 1;
                return;
            }
        };
        let Some(raw_id) = row.required_text("id") else {
            return;
        };
        // HIFLD ids are 10 digits; restore leading zeros a spreadsheet dropped.
        let id = pad_code(&raw_id, 10).unwrap_or(raw_id);
        if let Some(first) = seen.get(&id) {
            row.row_error(
                Code::DuplicateId,
                "id",
                format!(
                    "hospital id {} is used again; it was first used on line {first}",
                    quoted(&id)
                ),
            );
            return;
        }
        seen.insert(id.clone(), row.line);
        let name = row.required_text("name");
        let lat = row.required_number("latitude", -90.0, 90.0);
        let lon = row.required_number("longitude", -180.0, 180.0);
        let beds = match row.text("beds").map(str::parse::<f64>) {
            Some(Ok(b)) if b == UNKNOWN_BEDS => {
                out.unknown_beds += 1;
                return;
            }
            _ => whole(row, "beds"),
        };
        let trauma = trauma_level(row.text("trauma").unwrap_or(""));
        if let (Some(name), Some(lat), Some(lon), Some(beds)) = (name, lat, lon, beds) {
            out.eligible.push(Hifld {
                id,
                name,
                state,
                lat,
                lon,
                beds: beds.min(u64::from(u32::MAX)) as u32,
                trauma,
            });
        }
    });
    if out.eligible.is_empty() && !errors.iter().any(|e| e.file == file) {
        errors.push(InputError::new(
            Code::EmptyInstance,
            &file,
            "no open GENERAL ACUTE CARE or CHILDREN hospital with known BEDS is in scope",
        ));
    }
    // The ranking: more beds first; equal beds, the better trauma level; then the id.
    out.eligible.sort_by(|a, b| {
        b.beds
            .cmp(&a.beds)
            .then(a.trauma.cmp(&b.trauma))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// Which eligible hospitals are kept: every one with at least `min_beds` beds, and in a state
/// that would otherwise have fewer than `min_per_state`, the best-ranked ones up to that number.
/// Returns the kept hospitals (ranked) and how many came from the state floor.
fn select_hospitals(eligible: &[Hifld], min_beds: u32, min_per_state: u32) -> (Vec<Hifld>, usize) {
    let mut per_state: BTreeMap<&str, u32> = BTreeMap::new();
    let mut kept = Vec::new();
    let mut floor = 0;
    for h in eligible {
        let n = per_state.entry(h.state).or_default();
        if h.beds >= min_beds {
            *n += 1;
            kept.push(h.clone());
        } else if *n < min_per_state {
            *n += 1;
            floor += 1;
            kept.push(h.clone());
        }
    }
    (kept, floor)
}

fn max_patients(beds: u32) -> u32 {
    // round(beds / 5), half up (beds / 5 is never exactly x.5)
    (beds.saturating_add(BEDS_PER_PATIENT / 2) / BEDS_PER_PATIENT)
        .clamp(MIN_MAX_PATIENTS, MAX_MAX_PATIENTS)
}

// ---------------------------------------------------------------------------------------------
// Sites
// ---------------------------------------------------------------------------------------------

/// Today's commercial CAR-T plants in the 50 states (public locations; coordinates approximate,
/// town level, within 10 km): slug, name, lat, lon.
const CENTRAL_PLANTS: [(&str, &str, f64, f64); 6] = [
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
fn regional_candidates(counties: &[County], n: usize, spacing_km: f64) -> Vec<&County> {
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

// ---------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------

/// A coordinate with 6 decimals (about 0.1 m; the Census file's own precision).
fn coord(v: f64) -> String {
    let s = format!("{v:.6}");
    if s == "-0.000000" {
        "0.000000".into()
    } else {
        s
    }
}

fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail.
    w.write_record(header).expect("csv to memory");
    for r in rows {
        w.write_record(r).expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}

/// A file of the instance: its name and its bytes.
type Rendered = (&'static str, Vec<u8>);

/// Reads the sources and renders the four files; nothing is written.
fn build(o: &UsOptions) -> Result<(Vec<Rendered>, UsSummary), InputErrors> {
    let mut errors = Vec::new();
    if !(o.patients_per_100k.is_finite() && o.patients_per_100k >= 0.0) {
        errors.push(InputError::new(
            Code::OutOfRange,
            "--patients-per-100k",
            format!(
                "\"{}\" is out of range: expected a finite number >= 0",
                o.patients_per_100k
            ),
        ));
    }
    if !(o.regional_spacing_km.is_finite() && o.regional_spacing_km >= 0.0) {
        errors.push(InputError::new(
            Code::OutOfRange,
            "--regional-spacing-km",
            format!(
                "\"{}\" is out of range: expected a finite number >= 0",
                o.regional_spacing_km
            ),
        ));
    }
    let counties = read_path(&o.counties, o.include_pr, &mut errors, parse_counties);
    let hospitals = read_path(&o.hospitals, o.include_pr, &mut errors, parse_hospitals);
    let zips = o
        .zip
        .as_ref()
        .map(|z| read_path(z, o.include_pr, &mut errors, parse_zips));
    if !errors.is_empty() {
        return Err(InputErrors(errors));
    }

    let rate = o.patients_per_100k;
    let patients_of = |population: u64| population as f64 * rate / 1e5;
    let (layer, points, prefix): (&'static str, &[County], &str) = match &zips {
        Some(z) => ("ZIP", &z.points, "Z"),
        None => ("county", &counties.counties, "D"),
    };

    // demand.csv
    let mut demand_rows = Vec::with_capacity(points.len());
    let mut population = 0u64;
    let mut patients = 0.0;
    for p in points {
        let text = format!("{:.4}", patients_of(p.population));
        patients += text.parse::<f64>().unwrap_or(0.0);
        population += p.population;
        demand_rows.push(vec![
            format!("{prefix}{}", p.fips),
            p.name.clone(),
            coord(p.lat),
            coord(p.lon),
            text,
        ]);
    }
    demand_rows.sort();

    // hospitals.csv and the colocated sites
    let (kept, from_floor) = select_hospitals(&hospitals.eligible, o.min_beds, o.min_per_state);
    let mut hospital_rows = Vec::with_capacity(kept.len());
    let mut site_rows = Vec::new();
    for h in &kept {
        let id = format!("H{}", h.id);
        hospital_rows.push(vec![
            id.clone(),
            h.name.clone(),
            coord(h.lat),
            coord(h.lon),
            max_patients(h.beds).to_string(),
        ]);
        site_rows.push(vec![
            format!("S-{id}"),
            format!("{} (colocated)", h.name),
            coord(h.lat),
            coord(h.lon),
            "colocated".into(),
            id,
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    hospital_rows.sort();

    // regional and central sites
    let regional = regional_candidates(&counties.counties, o.regional, o.regional_spacing_km);
    for c in &regional {
        site_rows.push(vec![
            format!("S-R{}", c.fips),
            format!("{} (regional)", c.name),
            coord(c.lat),
            coord(c.lon),
            "regional".into(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    for (slug, name, lat, lon) in CENTRAL_PLANTS {
        site_rows.push(vec![
            format!("S-C-{slug}"),
            name.into(),
            coord(lat),
            coord(lon),
            "central".into(),
            String::new(),
            o.central_platforms.to_string(),
            "owned".into(),
            "true".into(),
        ]);
    }
    site_rows.sort();

    let demand_csv = csv_bytes(&["id", "name", "lat", "lon", "patients"], &demand_rows);
    let hospitals_csv = csv_bytes(
        &["id", "name", "lat", "lon", "max_patients"],
        &hospital_rows,
    );
    let sites_csv = csv_bytes(
        &[
            "id",
            "name",
            "lat",
            "lon",
            "kind",
            "hospital",
            "max_platforms",
            "allow",
            "existing",
        ],
        &site_rows,
    );

    let facts = Facts {
        o,
        counties: &counties,
        zips: zips.as_ref(),
        hospitals: &hospitals,
        kept: &kept,
        from_floor,
        regional: &regional,
        layer,
        demand_points: demand_rows.len(),
        population,
        patients,
    };
    let readme = readme(&facts);

    let files: Vec<Rendered> = vec![
        ("demand.csv", demand_csv),
        ("hospitals.csv", hospitals_csv),
        ("sites.csv", sites_csv),
        ("README.md", readme.into_bytes()),
    ];
    let scope = if o.include_pr {
        "50 states, DC and Puerto Rico"
    } else {
        "50 states and DC"
    };
    let lines = vec![
        format!(
            "demand: {} {layer} points ({scope}), {} residents, {patients:.1} patients a year at {rate} per 100,000",
            demand_rows.len(),
            grouped(population as f64, 0),
        ),
        format!(
            "hospitals: {} of {} HIFLD rows ({} with >= {} beds, {from_floor} as their state's largest)",
            kept.len(),
            hospitals.rows,
            kept.len() - from_floor,
            o.min_beds,
        ),
        format!(
            "sites: {} candidates: {} colocated, {} regional, {} central (existing)",
            site_rows.len(),
            kept.len(),
            regional.len(),
            CENTRAL_PLANTS.len()
        ),
    ];
    let mut lines = lines;
    if let Some(z) = &zips {
        lines.insert(
            1,
            format!(
                "ZIP rows left out: {} with no population, {} in Puerto Rico, {} in other territories, {} with population 0",
                z.no_population, z.puerto_rico, z.outside, z.zero_population
            ),
        );
    }
    let summary = UsSummary {
        demand_layer: layer,
        demand_points: demand_rows.len(),
        population,
        patients,
        hospitals: kept.len(),
        colocated: kept.len(),
        regional: regional.len(),
        central: CENTRAL_PLANTS.len(),
        files: files.iter().map(|(n, _)| o.out.join(n)).collect(),
        lines,
    };
    Ok((files, summary))
}

struct Facts<'a> {
    o: &'a UsOptions,
    counties: &'a CountyRead,
    zips: Option<&'a ZipRead>,
    hospitals: &'a HospitalRead,
    kept: &'a [Hifld],
    from_floor: usize,
    regional: &'a [&'a County],
    layer: &'static str,
    demand_points: usize,
    population: u64,
    patients: f64,
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// README.md of the instance: how it was made, from which files, with which rules. It names the
/// input files without their folders and the output folder as DIR, so that it does not depend on
/// where they are.
fn readme(f: &Facts<'_>) -> String {
    let o = f.o;
    let mut s = String::new();
    let scope = if o.include_pr {
        "the 50 states, DC and Puerto Rico"
    } else {
        "the 50 states and DC"
    };
    let mut command = format!(
        "cartnet import us --counties {} --hospitals {}",
        file_name(&o.counties),
        file_name(&o.hospitals)
    );
    if let Some(z) = &o.zip {
        let _ = write!(command, " --zip {}", file_name(z));
    }
    let _ = write!(
        command,
        " --out DIR \\\n    --patients-per-100k {} --min-beds {} --min-per-state {} --regional {} \
         --regional-spacing-km {} --central-platforms {}{}",
        o.patients_per_100k,
        o.min_beds,
        o.min_per_state,
        o.regional,
        o.regional_spacing_km,
        o.central_platforms,
        if o.include_pr { " --include-pr" } else { "" }
    );
    let colocated = f.kept.len();
    let sites = colocated + f.regional.len() + CENTRAL_PLANTS.len();
    let _ = writeln!(
        s,
        "# cartnet national instance: {scope}\n\n\
         Written by `cartnet import us` from public files; do not edit by hand, rebuild it:\n\n\
         ```sh\n{command}\n```\n\n\
         Solve it with the baseline scenario: `cartnet solve --data DIR` (the default `--model \
         models/baseline.toml`), DIR being this folder. See the National instance section of the README in the \
         cartnet repository for where to download the files and the measured result.\n"
    );
    let _ = writeln!(
        s,
        "| file | rows | content |\n|---|---:|---|\n\
         | `demand.csv` | {} | {} points, {} residents, {:.1} patients a year |\n\
         | `hospitals.csv` | {} | treatment centres (HIFLD hospitals) |\n\
         | `sites.csv` | {} | candidates: {} colocated, {} regional, {} central (existing) |\n",
        f.demand_points,
        f.layer,
        grouped(f.population as f64, 0),
        f.patients,
        colocated,
        sites,
        colocated,
        f.regional.len(),
        CENTRAL_PLANTS.len()
    );
    let _ = writeln!(
        s,
        "All files are UTF-8 without a BOM, LF line ends, comma separated; a field with a comma is \
         quoted. Rows are sorted by id. The same input files and options give the same bytes.\n"
    );

    let _ = writeln!(s, "## Sources\n");
    let _ = writeln!(
        s,
        "* `{}`: US Census Bureau, 2020 Centers of Population by county (US government work): the \
         2020 census population of each county and its population-weighted centre.{}",
        file_name(&o.counties),
        latin1_note(f.counties.latin1)
    );
    let _ = writeln!(
        s,
        "* `{}`: HIFLD \"Hospitals\" layer (US DHS Homeland Infrastructure Foundation-Level Data, \
         open data): id, name, state, type, status, beds, trauma level, coordinates.{}",
        file_name(&o.hospitals),
        latin1_note(f.hospitals.latin1)
    );
    if let Some(z) = &o.zip {
        let _ = writeln!(
            s,
            "* `{}`: ZIP-code points with population. Its provenance is not documented by the \
             repository it was taken from (its columns match a cut of a CC BY 4.0 US ZIP \
             database); use it for large-scale runs, secondary to the Census file.{}",
            file_name(z),
            latin1_note(f.zips.is_some_and(|z| z.latin1))
        );
    }
    let _ = writeln!(
        s,
        "* The central plants: public locations of today's commercial CAR-T plants; coordinates \
         approximate (town level, within 10 km).\n"
    );

    // Demand
    let _ = writeln!(s, "## demand.csv\n");
    match f.zips {
        None => {
            let c = f.counties;
            let _ = writeln!(
                s,
                "* One point per county of {scope}: {} counties (of {} rows; {} Puerto Rico \
                 municipios and {} rows of other areas left out).",
                f.demand_points, c.rows, c.puerto_rico, c.outside
            );
            let _ = writeln!(
                s,
                "* `id` = `D` + the 5-digit county FIPS code (STATEFP + COUNTYFP, leading zeros \
                 kept, e.g. `D01001`); `name` = county name and state; `lat`, `lon` = the \
                 population-weighted centre, 6 decimals."
            );
        }
        Some(z) => {
            let _ = writeln!(
                s,
                "* One point per ZIP code of {scope} with a population: {} points of {} rows. \
                 Left out: {} rows with no population (blank), {} in Puerto Rico (ZIP prefixes \
                 006, 007, 009), {} in other territories (008, 969, 96799) and {} with \
                 population 0.",
                f.demand_points,
                z.rows,
                z.no_population,
                z.puerto_rico,
                z.outside,
                z.zero_population
            );
            let _ = writeln!(
                s,
                "* `id` = `Z` + the 5-digit ZIP code (leading zeros restored, e.g. `Z01001`); \
                 `lat`, `lon` = the file's ZIP point, 6 decimals. The ZIP population total \
                 ({}) differs from the Census count of the same area ({}).",
                grouped(f.population as f64, 0),
                grouped(
                    f.counties
                        .counties
                        .iter()
                        .map(|c| c.population)
                        .sum::<u64>() as f64,
                    0
                )
            );
        }
    }
    let _ = writeln!(
        s,
        "* `patients` = population × {rate} / 100,000, 4 decimals. The rate is CAR-T-eligible \
         patients per 100,000 residents a year (`--patients-per-100k`, default {default}): roughly \
         10,000 US patients a year are eligible for an approved CAR-T therapy (relapsed or \
         refractory large B-cell lymphoma, ALL, mantle-cell and follicular lymphoma, multiple \
         myeloma); 10,000 / 331.4 million residents is 3.02 per 100,000. The default plans for \
         all eligible patients (every product); the bundled demo plans one product with half of \
         them, which is `--patients-per-100k 1.5`. The rate is uniform: age structure and \
         referral patterns are ignored.\n",
        rate = o.patients_per_100k,
        default = DEFAULT_PATIENTS_PER_100K
    );

    // Hospitals
    let h = f.hospitals;
    let eligible = h.eligible.len();
    let _ = writeln!(s, "## hospitals.csv\n");
    let _ = writeln!(
        s,
        "No public list of CAR-T treatment centres with coordinates was found; large open \
         acute-care hospitals are the proxy. Of {} HIFLD rows:\n\n\
         * {} are not OPEN (closed) and are dropped;\n\
         * {} are of another TYPE than GENERAL ACUTE CARE or CHILDREN (critical access, \
         psychiatric, rehabilitation, military, ...);\n\
         * {} are in Puerto Rico{} and {} in other territories, outside the instance;\n\
         * {} have BEDS = -999 (unknown) and are dropped: the rule below needs a bed count;\n\
         * {eligible} remain eligible.\n",
        h.rows,
        h.not_open,
        h.other_type,
        h.puerto_rico,
        if o.include_pr {
            ""
        } else {
            " (add them with --include-pr)"
        },
        h.outside,
        h.unknown_beds,
    );
    let _ = writeln!(
        s,
        "The eligible hospitals are ranked by BEDS (most first); equal BEDS are ordered by trauma \
         level, the tie-breaker (Level I before II, III, IV, V, then another designation without \
         a level, then none; the best level of the TRAUMA text, adult or pediatric), then by \
         HIFLD ID. Kept are:\n\n\
         * every hospital with BEDS >= {} (`--min-beds`): {};\n\
         * in each state (or DC) that this leaves with fewer than {} (`--min-per-state`), its \
         best-ranked hospitals up to that number: {}, so no state is left without a treatment \
         centre (assumption).\n",
        o.min_beds,
        f.kept.len() - f.from_floor,
        o.min_per_state,
        f.from_floor,
    );
    if f.from_floor > 0 {
        let _ = writeln!(
            s,
            "| state | hospital kept by the state floor | BEDS | trauma |\n|---|---|---:|---:|"
        );
        let mut floor: Vec<&Hifld> = f.kept.iter().filter(|h| h.beds < o.min_beds).collect();
        floor.sort_by(|a, b| a.state.cmp(b.state).then(a.id.cmp(&b.id)));
        for h in floor {
            let _ = writeln!(
                s,
                "| {} | H{} {} | {} | {} |",
                h.state,
                h.id,
                h.name,
                h.beds,
                trauma_label(h.trauma)
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "* `id` = `H` + the HIFLD ID (10 digits, leading zeros kept); `name` = the HIFLD NAME; \
         `lat`, `lon` = HIFLD LATITUDE, LONGITUDE, 6 decimals.\n\
         * `max_patients` = round(BEDS / {BEDS_PER_PATIENT}) clamped to [{MIN_MAX_PATIENTS}, \
         {MAX_MAX_PATIENTS}] (the rule of the demo instance): a 500-1,000-bed academic centre \
         treats 100-200 CAR-T patients a year, the order of the busiest US programmes.\n"
    );
    let mut by_state: BTreeMap<&str, usize> = BTreeMap::new();
    for h in f.kept {
        *by_state.entry(h.state).or_default() += 1;
    }
    let counts: Vec<String> = by_state.iter().map(|(k, v)| format!("{k} {v}")).collect();
    let _ = writeln!(s, "Hospitals per state: {}.\n", counts.join(", "));

    // Sites
    let _ = writeln!(s, "## sites.csv\n");
    let _ = writeln!(
        s,
        "* {colocated} `colocated` candidates, one in each hospital: `id` = `S-` + the hospital \
         id, `hospital` = the host, at the host's coordinates.\n\
         * {} `regional` candidates at the population centres of the most populous counties: \
         counties ranked by 2020 population (largest first), skipping a county whose centre is \
         within {} km of a candidate already chosen, until {} are chosen (`--regional`, \
         `--regional-spacing-km`); so large metro areas get about one candidate each, at \
         their largest county. `id` = `S-R` + the county FIPS.\n\
         * {} `central` candidates, `existing=true`, `allow=owned`, `max_platforms={}` \
         (`--central-platforms`; {} batches a year at the baseline's 23.3 a platform, the order \
         of a commercial plant serving a few thousand patients a year: assumption). Existing \
         sites stay open and pay no setup cost.\n\
         * Other columns are blank: the scenario's defaults apply.\n",
        f.regional.len(),
        o.regional_spacing_km,
        o.regional,
        CENTRAL_PLANTS.len(),
        o.central_platforms,
        grouped(f64::from(o.central_platforms) * 23.3, 0),
    );
    let _ = writeln!(
        s,
        "| id | regional candidate | 2020 population |\n|---|---|---:|"
    );
    for c in f.regional {
        let _ = writeln!(
            s,
            "| S-R{} | {} | {} |",
            c.fips,
            c.name,
            grouped(c.population as f64, 0)
        );
    }
    let _ = writeln!(
        s,
        "\n| id | central plant (public location) | lat | lon |\n|---|---|---:|---:|"
    );
    for (slug, name, lat, lon) in CENTRAL_PLANTS {
        let _ = writeln!(
            s,
            "| S-C-{slug} | {name} | {} | {} |",
            coord(lat),
            coord(lon)
        );
    }
    s
}

fn latin1_note(latin1: bool) -> &'static str {
    if latin1 {
        " The file is not UTF-8; it was read as Latin-1."
    } else {
        ""
    }
}

fn trauma_label(level: u8) -> &'static str {
    match level {
        1 => "I",
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        6 => "other",
        _ => "none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn states_are_fifty_plus_dc_and_pr() {
        assert_eq!(STATES.len(), 52);
        let fips: HashSet<&str> = STATES.iter().map(|s| s.0).collect();
        let postal: HashSet<&str> = STATES.iter().map(|s| s.1).collect();
        assert_eq!((fips.len(), postal.len()), (52, 52));
        assert_eq!(state_by_fips("72", false), Scope::PuertoRico);
        assert_eq!(state_by_fips("72", true), Scope::In("PR"));
        assert_eq!(state_by_fips("66", true), Scope::Outside);
        assert_eq!(state_by_postal("dc", false), Scope::In("DC"));
        assert_eq!(state_by_postal("GU", true), Scope::Outside);
    }

    #[test]
    fn codes_get_their_leading_zeros_back() {
        assert_eq!(pad_code("1", 2).as_deref(), Some("01"));
        assert_eq!(pad_code("501", 5).as_deref(), Some("00501"));
        assert_eq!(pad_code("01001", 5).as_deref(), Some("01001"));
        assert_eq!(pad_code("123456", 5), None);
        assert_eq!(pad_code("12a", 5), None);
        assert_eq!(pad_code("", 5), None);
        assert_eq!(state_by_zip("00601", false), Scope::PuertoRico);
        assert_eq!(state_by_zip("96799", true), Scope::Outside);
        assert_eq!(state_by_zip("96813", false), Scope::In("US"));
    }

    #[test]
    fn sign_and_zero_padded_coordinates_parse() {
        assert_eq!("+032.500194".parse::<f64>(), Ok(32.500194));
        assert_eq!("-086.487813".parse::<f64>(), Ok(-86.487813));
        assert_eq!(coord("+032.500194".parse().unwrap()), "32.500194");
        assert_eq!(coord(-0.0000001), "0.000000");
    }

    #[test]
    fn trauma_levels_rank() {
        assert_eq!(trauma_level("LEVEL I"), 1);
        assert_eq!(trauma_level("LEVEL II, LEVEL I PEDIATRIC"), 1);
        assert_eq!(trauma_level("LEVEL 3"), 3);
        assert_eq!(trauma_level("LEVEL IV"), 4);
        assert_eq!(trauma_level("LEVEL PEDIATRIC"), 6);
        assert_eq!(trauma_level("RTC"), 6);
        assert_eq!(trauma_level("NOT AVAILABLE"), 7);
        assert_eq!(trauma_level(""), 7);
    }

    #[test]
    fn county_names() {
        assert_eq!(
            county_name("Autauga", "01", "001", "AL"),
            "Autauga County, AL"
        );
        assert_eq!(
            county_name("Orleans", "22", "071", "LA"),
            "Orleans Parish, LA"
        );
        assert_eq!(
            county_name("Baltimore", "24", "510", "MD"),
            "Baltimore city, MD"
        );
        assert_eq!(
            county_name("Carson City", "32", "510", "NV"),
            "Carson City, NV"
        );
        assert_eq!(county_name("Juneau", "02", "110", "AK"), "Juneau, AK");
    }

    #[test]
    fn capacity_rule() {
        assert_eq!(max_patients(500), 100);
        assert_eq!(max_patients(212), 42);
        assert_eq!(max_patients(8), 20);
        assert_eq!(max_patients(1541), 200);
    }

    fn hospital(id: &str, state: &'static str, beds: u32, trauma: u8) -> Hifld {
        Hifld {
            id: id.into(),
            name: id.into(),
            state,
            lat: 0.0,
            lon: 0.0,
            beds,
            trauma,
        }
    }

    #[test]
    fn state_floor_keeps_the_best_ranked() {
        // ranked as parse_hospitals ranks: beds desc, trauma, id
        let mut eligible = vec![
            hospital("a", "NY", 900, 1),
            hospital("b", "ND", 380, 7),
            hospital("c", "ND", 380, 2),
            hospital("d", "WY", 212, 6),
            hospital("e", "NY", 100, 1),
        ];
        eligible.sort_by(|a, b| {
            b.beds
                .cmp(&a.beds)
                .then(a.trauma.cmp(&b.trauma))
                .then(a.id.cmp(&b.id))
        });
        let (kept, floor) = select_hospitals(&eligible, 500, 1);
        let ids: Vec<&str> = kept.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c", "d"]);
        assert_eq!(floor, 2);
        let (kept, floor) = select_hospitals(&eligible, 500, 0);
        assert_eq!((kept.len(), floor), (1, 0));
    }
}
