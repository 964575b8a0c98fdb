//! Input: the instance's CSV files and the scenario, parsed and validated (DESIGN §3–§4).
//! Every problem is collected before reporting; a valid [`Instance`] has resolved references.

pub mod basemap;
pub mod columns;
pub mod digest;
pub mod error;
mod lanes;
pub mod ranges;
pub mod scenario;
mod sites;
pub mod table;
pub mod terms;
pub mod uncertainty;
pub mod workbook;

use error::{Code, InputError, InputErrors};
use lanes::read_lanes;
use serde::Serialize;
use sites::read_sites;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use table::{Column, Table};

pub use scenario::{ModelSource, Override, Scenario};
pub use terms::SiteTerms;

/// The kind of a candidate site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    Colocated,
    Regional,
    Central,
}

impl SiteKind {
    pub const ALL: [SiteKind; 3] = [SiteKind::Colocated, SiteKind::Regional, SiteKind::Central];

    pub fn as_str(self) -> &'static str {
        match self {
            SiteKind::Colocated => "colocated",
            SiteKind::Regional => "regional",
            SiteKind::Central => "central",
        }
    }

    pub fn parse(s: &str) -> Option<SiteKind> {
        SiteKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// An operating model of a site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OpModel {
    Owned,
    Franchise,
}

impl OpModel {
    pub const ALL: [OpModel; 2] = [OpModel::Owned, OpModel::Franchise];

    pub fn as_str(self) -> &'static str {
        match self {
            OpModel::Owned => "owned",
            OpModel::Franchise => "franchise",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct DemandPoint {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub patients: f64,
    /// Demand growth per year at this point (`growth` column); `None`: the scenario's
    /// `horizon.growth`.
    pub growth: Option<f64>,
}

impl DemandPoint {
    /// Patients in year `t` (0-based) before the in vivo share is taken out.
    pub fn patients_in_year(&self, t: usize, default_growth: f64) -> f64 {
        let g = self.growth.unwrap_or(default_growth);
        if t == 0 {
            self.patients
        } else {
            self.patients * (1.0 + g).powi(t as i32)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hospital {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    /// Patients per year it can treat; `None` is unlimited.
    pub max_patients: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: String,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub kind: SiteKind,
    /// Index of the host hospital of a co-located site.
    pub hospital: Option<usize>,
    pub max_platforms: Option<u32>,
    /// Which operating models are allowed: [owned, franchise].
    pub allow: [bool; 2],
    pub setup_cost_owned: Option<f64>,
    pub setup_cost_franchise: Option<f64>,
    pub batches_per_platform: Option<f64>,
    pub existing: bool,
}

/// A node a lane can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeRef {
    Demand(usize),
    Hospital(usize),
    Site(usize),
}

/// A measured lane overriding a computed time (and, when given, cost).
#[derive(Debug, Clone, PartialEq)]
pub struct Lane {
    pub from: NodeRef,
    pub to: NodeRef,
    pub hours: f64,
    pub cost: Option<f64>,
}

/// A validated instance: unique ids, resolved references, finite numbers in range.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    pub demand: Vec<DemandPoint>,
    pub hospitals: Vec<Hospital>,
    pub sites: Vec<Site>,
    pub lanes: Vec<Lane>,
}

/// Where an instance's files are.
pub fn data_files(dir: &Path) -> [PathBuf; 4] {
    ["demand.csv", "hospitals.csv", "sites.csv", "lanes.csv"].map(|f| dir.join(f))
}

impl Instance {
    /// Reads and validates `demand.csv`, `hospitals.csv`, `sites.csv` and the optional
    /// `lanes.csv` in the folder `path`, or the sheets of the workbook `path` (`.xlsx`,
    /// [`workbook`]).
    pub fn load(path: &Path) -> Result<Instance, InputErrors> {
        if workbook::is_workbook(path) {
            return workbook::load(path);
        }
        check_folder(path)?;
        let [demand, hospitals, sites, lanes] = data_files(path);
        let has_lanes = lanes.exists();
        Instance::parse(has_lanes, |file, columns, errors| {
            let path = [&demand, &hospitals, &sites, &lanes]
                .into_iter()
                .find(|p| p.ends_with(file))
                .expect("one of the four files");
            table::read(path, columns, errors)
        })
    }

    /// Parses and validates an instance from the contents of `demand.csv`, `hospitals.csv`,
    /// `sites.csv` and (when given) `lanes.csv`, exactly as [`Instance::load`] reads the files.
    pub fn from_bytes(
        demand: &[u8],
        hospitals: &[u8],
        sites: &[u8],
        lanes: Option<&[u8]>,
    ) -> Result<Instance, InputErrors> {
        Instance::parse(lanes.is_some(), |file, columns, errors| {
            let bytes = match file {
                "demand.csv" => demand,
                "hospitals.csv" => hospitals,
                "sites.csv" => sites,
                _ => lanes.unwrap_or_default(),
            };
            table::parse(file, bytes, columns, errors)
        })
    }

    /// Reads the tables in order through `table` (a file's checked table, or `None` after
    /// recording why it cannot be read) and validates them; lanes.csv only when `has_lanes`.
    fn parse(
        has_lanes: bool,
        mut table: impl FnMut(&str, &[Column], &mut Vec<InputError>) -> Option<Table>,
    ) -> Result<Instance, InputErrors> {
        let mut errors = Vec::new();
        let demand_t = table("demand.csv", columns::DEMAND, &mut errors);
        let hospital_t = table("hospitals.csv", columns::HOSPITALS, &mut errors);
        let site_t = table("sites.csv", columns::SITES, &mut errors);
        let lane_t = has_lanes
            .then(|| table("lanes.csv", columns::LANES, &mut errors))
            .flatten();
        let demand = demand_t.map(|t| read_demand(&t, &mut errors));
        let hospitals = hospital_t.map(|t| read_hospitals(&t, &mut errors));
        // A reference into a file with rejected rows may name one of them: that is no new error.
        let clean = |errors: &[InputError], file: &str| !errors.iter().any(|e| e.file == file);
        let hospitals_clean =
            clean(&errors, "hospitals.csv") && hospitals.as_ref().is_some_and(|h| !h.is_empty());
        let sites = match (&site_t, &hospitals) {
            (Some(t), Some(h)) => Some(read_sites(t, h, hospitals_clean, &mut errors)),
            _ => None,
        };
        let nodes_clean = ["demand.csv", "hospitals.csv", "sites.csv"]
            .iter()
            .all(|f| clean(&errors, f));
        let lanes = match (&lane_t, &demand, &hospitals, &sites) {
            (Some(t), Some(d), Some(h), Some(s)) => {
                read_lanes(t, d, h, s, nodes_clean, &mut errors)
            }
            _ => Vec::new(),
        };
        for (name, len) in [
            ("demand.csv", demand.as_ref().map(Vec::len)),
            ("hospitals.csv", hospitals.as_ref().map(Vec::len)),
            ("sites.csv", sites.as_ref().map(Vec::len)),
        ] {
            if len == Some(0) && !errors.iter().any(|e| e.file == name) {
                errors.push(InputError::new(
                    Code::EmptyInstance,
                    name,
                    "the file has a header but no rows; an instance needs at least one",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(InputErrors(errors));
        }
        Ok(Instance {
            demand: demand.unwrap(),
            hospitals: hospitals.unwrap(),
            sites: sites.unwrap(),
            lanes,
        })
    }

    pub fn total_patients(&self) -> f64 {
        self.demand.iter().map(|d| d.patients).sum()
    }

    /// E105 when demand grows past [`ranges::MAX_PATIENTS`] a point in a later year of the
    /// scenario's horizon (growth compounds: within each range alone, 1e7 patients doubling for
    /// 49 years would pass HiGHS's infinity). One error names the first such point and counts
    /// the others.
    pub fn check_growth(&self, scenario: &Scenario) -> Result<(), InputError> {
        let h = &scenario.horizon;
        let last = h.years.saturating_sub(1) as usize;
        let grown = |d: &DemandPoint| d.patients_in_year(last, h.growth);
        // NaN (inf x 0) counts as out of range too
        let within = |d: &DemandPoint| ranges::PATIENTS.contains(grown(d));
        let mut over = self.demand.iter().filter(|d| !within(d));
        let Some(first) = over.next() else {
            return Ok(());
        };
        let more = match over.count() {
            0 => String::new(),
            n => format!(" ({n} more demand points grow past it too)"),
        };
        let growth = first.growth.unwrap_or(h.growth);
        let column = if first.growth.is_some() {
            "growth"
        } else {
            "patients"
        };
        Err(InputError::new(
            Code::OutOfRange,
            "demand.csv",
            format!(
                "demand point {} grows to {:.2e} patients a year by year {} ({} patients, growth \
                 {growth} a year): expected at most {} a year in every year; lower the growth or \
                 horizon.years{more}",
                error::quoted(&first.id),
                grown(first),
                h.years,
                first.patients,
                ranges::show(ranges::MAX_PATIENTS),
            ),
        )
        .in_column(column))
    }
}

/// One E001 for a `--data` that is not a folder, rather than one per file it should hold.
fn check_folder(dir: &Path) -> Result<(), InputError> {
    const HOLDS: &str = "give --data the folder holding demand.csv, hospitals.csv and sites.csv, \
                         or a workbook FILE.xlsx";
    let why = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => format!("this is a file, not a folder; {HOLDS}"),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            format!("the folder does not exist; {HOLDS}")
        }
        Err(e) => format!("cannot read the folder: {e}; {HOLDS}"),
    };
    Err(InputError::new(
        Code::FileUnreadable,
        dir.display().to_string(),
        why,
    ))
}

/// Checks ids are unique within a file; returns id -> index.
fn unique_ids<'a>(
    file: &str,
    ids: impl Iterator<Item = (u64, &'a str)>,
    errors: &mut Vec<InputError>,
) -> HashMap<&'a str, usize> {
    let mut seen: HashMap<&str, (usize, u64)> = HashMap::new();
    for (i, (line, id)) in ids.enumerate() {
        if let Some((_, first)) = seen.get(id) {
            errors.push(
                InputError::new(
                    Code::DuplicateId,
                    file,
                    format!(
                        "id {} is used again; it was first defined on line {first}",
                        error::quoted(id)
                    ),
                )
                .at_line(line)
                .in_column("id"),
            );
        } else {
            seen.insert(id, (i, line));
        }
    }
    seen.into_iter().map(|(k, (i, _))| (k, i)).collect()
}

/// id, name, lat, lon: the columns every node file shares.
fn read_place(row: &mut table::Row<'_>) -> (Option<String>, String, Option<f64>, Option<f64>) {
    let id = row.required_text("id");
    let name = row
        .text("name")
        .map(str::to_string)
        .or_else(|| id.clone())
        .unwrap_or_default();
    let lat = row.required_number("lat", -90.0, 90.0);
    let lon = row.required_number("lon", -180.0, 180.0);
    (id, name, lat, lon)
}

fn read_demand(t: &table::Table, errors: &mut Vec<InputError>) -> Vec<DemandPoint> {
    let mut out = Vec::new();
    let mut lines = Vec::new();
    t.for_each_row(errors, |row| {
        let (id, name, lat, lon) = read_place(row);
        let patients = row.required_number("patients", 0.0, ranges::MAX_PATIENTS);
        let bad_growth = row.text("growth").is_some();
        let growth = row.number("growth", ranges::GROWTH.min, ranges::GROWTH.max);
        if bad_growth && growth.is_none() {
            return;
        }
        if let (Some(id), Some(lat), Some(lon), Some(patients)) = (id, lat, lon, patients) {
            lines.push(row.line);
            out.push(DemandPoint {
                id,
                name,
                lat,
                lon,
                patients,
                growth,
            });
        }
    });
    unique_ids(
        &t.file,
        lines.iter().copied().zip(out.iter().map(|d| d.id.as_str())),
        errors,
    );
    out
}

fn read_hospitals(t: &table::Table, errors: &mut Vec<InputError>) -> Vec<Hospital> {
    let mut out = Vec::new();
    let mut lines = Vec::new();
    t.for_each_row(errors, |row| {
        let (id, name, lat, lon) = read_place(row);
        let bad_before = row.text("max_patients").is_some();
        let max_patients = row.number("max_patients", 0.0, ranges::MAX_PATIENTS);
        if let (Some(id), Some(lat), Some(lon)) = (id, lat, lon) {
            if bad_before && max_patients.is_none() {
                return;
            }
            lines.push(row.line);
            out.push(Hospital {
                id,
                name,
                lat,
                lon,
                max_patients,
            });
        }
    });
    unique_ids(
        &t.file,
        lines.iter().copied().zip(out.iter().map(|h| h.id.as_str())),
        errors,
    );
    out
}
