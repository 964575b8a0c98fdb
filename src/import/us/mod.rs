//! The US national instance from public files: Census 2020 county centres of population
//! (demand), the HIFLD Hospitals layer (treatment centres and colocated candidates), the most
//! populous counties (regional candidates) and today's commercial CAR-T plants (existing central
//! sites). Optionally a ZIP-level demand layer replaces the counties.
//!
//! The source files are read with the core CSV reader ([`crate::input::table::parse`]), so a
//! missing column or a bad cell gives the same precise error (code, file:line, column, value) as
//! cartnet's own input; columns the importer does not use are ignored. Every file is rendered
//! before anything is written, and the output is byte-identical for the same files and options:
//! rows are sorted by id and numbers are written with a fixed number of decimals.
//!
//! The files by concern: `states` (where a place is), `source` (reading a file), `counties`,
//! `zips` and `hospitals` (one source each), `sites` (the candidates), `build` (the instance in
//! memory), `render` (how values are written) and `readme` (the README from its templates).
//!
//! The rules and defaults are explained, with their reasons, in the README.md written beside the
//! CSVs and in the "National instance" section of the README.

pub mod basemap;
mod build;
mod counties;
mod hospitals;
mod readme;
mod render;
mod sites;
mod source;
mod states;
mod zips;

pub use source::{UsSource, read_source};

use crate::fs::folder::{FolderError, write_instance, write_set};
use crate::input::error::InputErrors;
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

/// Options of `cartnet import us`.
#[derive(Debug, Clone)]
pub struct UsOptions {
    /// Census 2020 county centres of population (CenPop2020_Mean_CO.txt).
    pub counties: PathBuf,
    /// HIFLD Hospitals (CSV).
    pub hospitals: PathBuf,
    /// ZIP points with population: when given, the demand layer is ZIPs instead of counties.
    pub zip: Option<PathBuf>,
    /// Census state boundaries (GeoJSON): when given, basemap.geojson is written too.
    pub states: Option<PathBuf>,
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
            states: None,
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
    let (mut files, mut summary) = build::build(options).map_err(UsError::Input)?;
    if let Some(states) = &options.states {
        let b = basemap::national(states, options.include_pr)
            .map_err(|e| UsError::Input(InputErrors(vec![e])))?;
        files.push((crate::input::basemap::FILE, basemap::render(&b)));
        summary.lines.push(format!(
            "basemap: {} state outlines, simplified",
            b.outlines.len()
        ));
    }
    write_instance(&options.out, &files, options.force).map_err(UsError::Write)?;
    Ok(summary)
}

/// Writes basemap.geojson into the instance in `out` (which must read as an instance): the
/// outlines of `states` near its points, simplified. Returns how many outlines and bytes.
pub fn add_basemap(states: &Path, out: &Path) -> Result<(usize, usize), UsError> {
    let instance = crate::input::Instance::load(out).map_err(UsError::Input)?;
    let points = crate::input::basemap::places(&instance);
    let b = basemap::around(states, &points).map_err(|e| UsError::Input(InputErrors(vec![e])))?;
    let bytes = basemap::render(&b);
    let size = bytes.len();
    write_set(out, &[(crate::input::basemap::FILE, bytes)], &[]).map_err(UsError::Write)?;
    Ok((b.outlines.len(), size))
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum UsError {
    /// Errors in the input files.
    Input(InputErrors),
    /// The output folder cannot take the instance.
    Write(FolderError),
}
