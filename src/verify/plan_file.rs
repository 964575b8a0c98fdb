//! Reading plan.json (E603 for repeated flow rows) and the data it names, and checking that the
//! data is the plan's own (E601 by digest, E602 by the ids it names).

use super::VerifyError;
use crate::fs::folder::{folder_of, read_locked};
use crate::ids::index_by_id;
use crate::input::{Instance, digest};
use crate::text::{printable, printable_path};
use serde::Deserialize;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A plan checked against data it was not made from.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMismatch {
    pub plan: PathBuf,
    pub data: PathBuf,
    pub kind: Mismatch,
}

/// How the data was found not to be the plan's.
#[derive(Debug, Clone, PartialEq)]
pub enum Mismatch {
    /// E601: the plan's `instance.digest` against the files'.
    Digest { recorded: String, actual: String },
    /// E602 (a plan without a digest): ids the plan names that the data does not have, the
    /// first few of `count`.
    Ids { first: Vec<String>, count: usize },
}

/// How many missing ids E602 names.
const IDS_NAMED: usize = 3;

impl DataMismatch {
    /// What does not match, without the code and the advice (for a warning or a banner).
    pub fn reason(&self) -> String {
        let data = printable_path(&self.data);
        match &self.kind {
            Mismatch::Digest { recorded, actual } => format!(
                "the plan was made from other data: its instance.digest is {recorded}, the files \
                 in {data} give {actual}"
            ),
            Mismatch::Ids { first, count } => {
                let more = count.saturating_sub(first.len());
                format!(
                    "the plan names ids that {data} does not have: {}{}",
                    printable(&first.join(", ")),
                    if more > 0 {
                        format!(" and {more} more")
                    } else {
                        String::new()
                    }
                )
            }
        }
    }

    pub fn code(&self) -> &'static str {
        match self.kind {
            Mismatch::Digest { .. } => "E601",
            Mismatch::Ids { .. } => "E602",
        }
    }
}

impl fmt::Display for DataMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}; pass the --data it was made from, or --force",
            self.code(),
            printable_path(&self.plan),
            self.reason()
        )
    }
}

/// Checks that `plan` (read from `plan_path`) was made from the data in `data`, whose files
/// have `digest`: by the digest the plan records (E601), or, for a plan without one (made
/// before plans carried it), by the ids it names (E602).
pub fn check_data(
    plan: &Value,
    plan_path: &Path,
    instance: &Instance,
    data: &Path,
    digest: &str,
) -> Result<(), DataMismatch> {
    check_data_named(plan, named_ids(plan), plan_path, instance, data, digest)
}

/// [`check_data`] for a plan whose flows and unserved demand are not in `plan` (the report
/// reads them apart, see [`crate::export::report_plan`]): `named` gives the ids the plan names,
/// in the order [`named_ids`] gives those of a whole plan. It is read only for a plan without
/// a digest.
pub fn check_data_named<'p>(
    plan: &Value,
    named: impl IntoIterator<Item = (IdOf, &'p str)>,
    plan_path: &Path,
    instance: &Instance,
    data: &Path,
    digest: &str,
) -> Result<(), DataMismatch> {
    let kind = match plan["instance"]["digest"].as_str() {
        Some(recorded) if recorded == digest => return Ok(()),
        Some(recorded) => Mismatch::Digest {
            recorded: recorded.to_string(),
            actual: digest.to_string(),
        },
        None => {
            let missing = unknown_ids(named, instance);
            if missing.is_empty() {
                return Ok(());
            }
            Mismatch::Ids {
                count: missing.len(),
                first: missing.into_iter().take(IDS_NAMED).collect(),
            }
        }
    };
    Err(DataMismatch {
        plan: plan_path.to_path_buf(),
        data: data.to_path_buf(),
        kind,
    })
}

/// What an id a plan names is the id of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdOf {
    Site,
    Hospital,
    DemandPoint,
}

impl IdOf {
    fn as_str(self) -> &'static str {
        match self {
            IdOf::Site => "site",
            IdOf::Hospital => "hospital",
            IdOf::DemandPoint => "demand point",
        }
    }
}

/// The ids a plan names, in this order: its sites, its patient flows' demand points then
/// hospitals, its batch flows' hospitals then sites, its unserved demand points (values that
/// are not strings are no ids).
pub fn named_ids(plan: &Value) -> impl Iterator<Item = (IdOf, &str)> {
    const NAMED: [(&str, &str, IdOf); 6] = [
        ("sites", "id", IdOf::Site),
        ("patient_flows", "demand", IdOf::DemandPoint),
        ("patient_flows", "hospital", IdOf::Hospital),
        ("batch_flows", "hospital", IdOf::Hospital),
        ("batch_flows", "site", IdOf::Site),
        ("unserved", "demand", IdOf::DemandPoint),
    ];
    NAMED.into_iter().flat_map(move |(list, key, of)| {
        plan[list]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
            .iter()
            .filter_map(move |entry| entry[key].as_str().map(|id| (of, id)))
    })
}

/// The ids in `named` that the instance does not have, each once, in the order first named,
/// as "site S1".
fn unknown_ids<'p>(
    named: impl IntoIterator<Item = (IdOf, &'p str)>,
    instance: &Instance,
) -> Vec<String> {
    let demand = index_by_id(instance.demand.iter().map(|d| d.id.as_str()));
    let hospitals = index_by_id(instance.hospitals.iter().map(|h| h.id.as_str()));
    let sites = index_by_id(instance.sites.iter().map(|s| s.id.as_str()));
    // in the order first named; the set keeps a plan of many unknown ids linear
    let mut missing: Vec<String> = Vec::new();
    let mut seen: std::collections::HashSet<(IdOf, &str)> = std::collections::HashSet::new();
    for (of, id) in named {
        let known = match of {
            IdOf::Site => &sites,
            IdOf::Hospital => &hospitals,
            IdOf::DemandPoint => &demand,
        };
        if !known.contains_key(id) && seen.insert((of, id)) {
            missing.push(format!("{} {id}", of.as_str()));
        }
    }
    missing
}

/// Reads the instance in `data` and the digest of its files ([`crate::input::digest`]), under
/// the folder's shared lock (no run writes it meanwhile).
pub fn load_instance(data: &Path) -> Result<(Instance, String), VerifyError> {
    let (instance, digest) = read_locked(data, || (Instance::load(data), digest::of_folder(data)))?;
    let instance = instance.map_err(VerifyError::Input)?;
    let digest = digest.map_err(|error| VerifyError::Read {
        path: data.to_path_buf(),
        error,
    })?;
    Ok((instance, digest))
}

/// Reads and parses plan.json, under its folder's shared lock (so that it is never read while
/// a run replaces the folder's plan).
pub fn read_plan(path: &Path) -> Result<Value, VerifyError> {
    parse_plan(&read_plan_bytes(path)?, path)
}

/// Reads plan.json's bytes, under its folder's shared lock.
pub fn read_plan_bytes(path: &Path) -> Result<Vec<u8>, VerifyError> {
    let read = read_locked(folder_of(path), || std::fs::read(path))?;
    read.map_err(|error| VerifyError::Read {
        path: path.to_path_buf(),
        error,
    })
}

/// Parses plan.json's contents; `path` names it in messages. Bytes that are not UTF-8 are a JSON
/// error with their line and column. Flow rows that repeat an earlier one are refused (E603)
/// before the whole plan is parsed, which takes some ten times the file's size.
pub fn parse_plan(bytes: &[u8], path: &Path) -> Result<Value, VerifyError> {
    refuse_repeated_flows(bytes, path)?;
    serde_json::from_slice(bytes).map_err(|error| VerifyError::Json {
        path: path.to_path_buf(),
        error,
    })
}

/// E603 for plan.json's bytes (read from `path`) when flow rows repeat an earlier one.
pub fn refuse_repeated_flows(bytes: &[u8], path: &Path) -> Result<(), VerifyError> {
    match repeated_flows(bytes) {
        Some(message) => Err(VerifyError::Duplicates {
            path: path.to_path_buf(),
            message,
        }),
        None => Ok(()),
    }
}

/// The keys of plan.json's flows, read without the rest of the plan (ids borrowed from its
/// bytes where they need no unescaping); a two-stage plan lists them per scenario too.
#[derive(Deserialize)]
struct FlowKeys<'a> {
    #[serde(borrow, default)]
    patient_flows: Vec<PatientKey<'a>>,
    #[serde(borrow, default)]
    batch_flows: Vec<BatchKey<'a>>,
    #[serde(borrow, default)]
    scenarios: Vec<ScenarioFlowKeys<'a>>,
}

/// The keys of one scenario's flows.
#[derive(Deserialize)]
struct ScenarioFlowKeys<'a> {
    #[serde(borrow, default)]
    patient_flows: Vec<PatientKey<'a>>,
    #[serde(borrow, default)]
    batch_flows: Vec<BatchKey<'a>>,
}

#[derive(Deserialize)]
struct PatientKey<'a> {
    #[serde(default)]
    year: Option<u64>,
    #[serde(borrow)]
    demand: Cow<'a, str>,
    #[serde(borrow)]
    hospital: Cow<'a, str>,
}

#[derive(Deserialize)]
struct BatchKey<'a> {
    #[serde(default)]
    year: Option<u64>,
    #[serde(borrow)]
    hospital: Cow<'a, str>,
    #[serde(borrow)]
    site: Cow<'a, str>,
}

/// What E603 says of plan.json's bytes, when flow rows repeat an earlier one of their list (the
/// same year and ends; a scenario's flows are a list of their own): how many, and the first.
/// `None` when none do, or when the flows are not in the shape plan.json gives them (the full
/// check then names what is wrong).
fn repeated_flows(bytes: &[u8]) -> Option<String> {
    let keys: FlowKeys<'_> = serde_json::from_slice(bytes).ok()?;
    let mut lists = vec![(String::new(), &keys.patient_flows, &keys.batch_flows)];
    for (i, s) in keys.scenarios.iter().enumerate() {
        lists.push((format!("scenarios[{i}]."), &s.patient_flows, &s.batch_flows));
    }
    let mut count = 0;
    let mut first = None;
    for (prefix, patient_flows, batch_flows) in lists {
        let patient = repeats(
            patient_flows
                .iter()
                .map(|f| (f.year, &*f.demand, &*f.hospital)),
        );
        let batch = repeats(batch_flows.iter().map(|f| (f.year, &*f.hospital, &*f.site)));
        count += patient.0 + batch.0;
        if first.is_none() {
            first = match (patient.1, batch.1) {
                (Some(r), _) => Some((format!("{prefix}patient_flows"), r)),
                (None, Some(r)) => Some((format!("{prefix}batch_flows"), r)),
                (None, None) => None,
            };
        }
    }
    let (list, (i, j, year, from, to)) = first?;
    let year = year.map_or(String::new(), |y| format!("year {y}, "));
    Some(format!(
        "{count} flow row{} repeat{} an earlier one; the first is {list}[{i}] ({year}{from} -> \
         {to}), as {list}[{j}]",
        if count == 1 { "" } else { "s" },
        if count == 1 { "s" } else { "" },
    ))
}

/// A repeated flow: its index, the index of its first occurrence, its year and its ends.
type Repeat<'k> = (usize, usize, Option<u64>, &'k str, &'k str);

/// How many of `flows` (year and ends) repeat an earlier one, and the first that does.
fn repeats<'k>(
    flows: impl Iterator<Item = (Option<u64>, &'k str, &'k str)>,
) -> (usize, Option<Repeat<'k>>) {
    let mut seen: HashMap<(Option<u64>, &str, &str), usize> = HashMap::new();
    let mut count = 0;
    let mut first = None;
    for (i, key) in flows.enumerate() {
        match seen.get(&key) {
            Some(&j) => {
                count += 1;
                first.get_or_insert((i, j, key.0, key.1, key.2));
            }
            None => {
                seen.insert(key, i);
            }
        }
    }
    (count, first)
}

/// The data folder (or workbook): the one given, or the plan's `instance.data`.
pub fn resolve_data(plan: &Value, data: Option<&Path>) -> Result<PathBuf, VerifyError> {
    match data {
        Some(d) => Ok(d.to_path_buf()),
        None => {
            let recorded = plan["instance"]["data"].as_str().ok_or_else(|| {
                VerifyError::Plan(
                    "the plan does not record its data folder (instance.data); pass --data DIR"
                        .into(),
                )
            })?;
            let dir = PathBuf::from(recorded);
            let workbook = crate::input::workbook::is_workbook(&dir) && dir.is_file();
            if workbook || dir.join("sites.csv").exists() {
                Ok(dir)
            } else {
                Err(VerifyError::Plan(format!(
                    "the plan's data folder {recorded} (instance.data, relative to where solve ran) \
                     has no sites.csv here; pass --data DIR"
                )))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::repeated_flows;

    #[test]
    fn a_scenarios_repeated_flow_is_found_in_its_own_list() {
        let flow = r#"{"demand": "D1", "hospital": "H1", "patients": 1}"#;
        // the same flow in two scenarios is no repeat
        let apart = format!(
            r#"{{"scenarios": [{{"patient_flows": [{flow}]}}, {{"patient_flows": [{flow}]}}]}}"#
        );
        assert_eq!(repeated_flows(apart.as_bytes()), None);
        let twice = format!(
            r#"{{"patient_flows": [], "scenarios": [{{"patient_flows": []}}, {{"patient_flows": [{flow}, {flow}]}}]}}"#
        );
        assert_eq!(
            repeated_flows(twice.as_bytes()).as_deref(),
            Some(
                "1 flow row repeats an earlier one; the first is scenarios[1].patient_flows[1] \
                 (D1 -> H1), as scenarios[1].patient_flows[0]"
            )
        );
    }
}
