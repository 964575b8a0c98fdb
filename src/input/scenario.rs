//! The scenario: every model parameter, read from a TOML file (DESIGN §4) with `--set` overrides.
//!
//! The typed structs below are the single source of the schema: their `Default` is the baseline
//! (a test checks `models/baseline.toml` holds exactly these keys and values), the valid keys are
//! derived from it, and a file may give any subset of keys (the rest keep their defaults).

use super::SiteKind;
use super::error::{Code, InputError, InputErrors, did_you_mean};
use super::ranges::{self, Range};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteParams {
    pub max_platforms: u32,
    pub setup_cost_owned: f64,
    pub setup_cost_franchise: f64,
    pub fixed_cost_owned: f64,
    pub fixed_cost_franchise: f64,
    pub amortization_years: f64,
    pub discount_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformParams {
    pub batches_per_year: f64,
    pub cost_owned: f64,
    pub cost_franchise: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchParams {
    pub cost_owned: f64,
    pub cost_franchise: f64,
    pub failure_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeParams {
    pub manufacturing_days: f64,
    pub release_days: f64,
    pub max_vein_to_vein_days: f64,
    pub max_patient_travel_hours: f64,
    pub max_fresh_transit_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransportParams {
    pub circuity: f64,
    pub ground_kmh: f64,
    pub patient_kmh: f64,
    pub air_threshold_km: f64,
    pub air_kmh: f64,
    pub air_handling_hours: f64,
    pub ground_cost_fixed: f64,
    pub ground_cost_per_km: f64,
    pub air_cost: f64,
    pub patient_cost_per_km: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandParams {
    pub unserved_penalty: f64,
    pub full_coverage: bool,
    /// Share of patients treated with in vivo CAR-T (no manufacturing batch): one number for
    /// year 1 (changed by `in_vivo_growth` each later year), or one number per horizon year.
    pub in_vivo_share: Share,
    /// Added to the in vivo share each year after the first (share points; the share is kept
    /// within [0, 1]); ignored when `in_vivo_share` is a list.
    pub in_vivo_growth: f64,
}

/// A number, or one number per horizon year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Share {
    Start(f64),
    PerYear(Vec<f64>),
}

/// The planning horizon (issue #8): several years of growing demand, sites opened over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HorizonParams {
    /// Years planned; 1 is the single-year model.
    pub years: u32,
    /// Demand growth per year, every demand point (a `growth` column in demand.csv overrides it).
    pub growth: f64,
    /// Discount rate of the net present value: year t's cost weighs 1 / (1 + rate)^(t - 1).
    pub discount_rate: f64,
    /// A site decided in year t produces from year t + lead_years.
    pub lead_years: u32,
    /// `annualized`: setup x CRF every year the site produces (as the single-year model);
    /// `upfront`: the whole setup in the year the site is decided.
    pub setup: String,
    /// Whether platforms may be removed in a later year (else they are only added).
    pub platform_removal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {
    pub single_sourcing: bool,
    pub max_franchise_share: f64,
    pub min_sites: u32,
    pub max_sites: i64,
    pub min_utilization: f64,
}

/// The parameters a site kind may override (`[kinds.central]` etc.).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KindParams {
    pub site: SiteParams,
    pub platform: PlatformParams,
    pub batch: BatchParams,
    pub time: TimeParams,
}

/// The effective scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub site: SiteParams,
    pub platform: PlatformParams,
    pub batch: BatchParams,
    pub time: TimeParams,
    pub transport: TransportParams,
    pub demand: DemandParams,
    pub policy: PolicyParams,
    pub horizon: HorizonParams,
    /// Per-kind overrides as given (dotted keys such as `batch.cost_owned`), for the plan.
    pub kind_overrides: BTreeMap<SiteKind, BTreeMap<String, toml::Value>>,
    /// The parameters in force for each kind: the base groups with the kind's overrides applied.
    kinds: BTreeMap<SiteKind, KindParams>,
}

impl Default for SiteParams {
    fn default() -> Self {
        SiteParams {
            max_platforms: 3,
            setup_cost_owned: 2_250_000.0,
            setup_cost_franchise: 500_000.0,
            fixed_cost_owned: 1_000_000.0,
            fixed_cost_franchise: 250_000.0,
            amortization_years: 10.0,
            discount_rate: 0.08,
        }
    }
}

impl Default for PlatformParams {
    fn default() -> Self {
        PlatformParams {
            batches_per_year: 23.3,
            cost_owned: 150_000.0,
            cost_franchise: 0.0,
        }
    }
}

impl Default for BatchParams {
    fn default() -> Self {
        BatchParams {
            cost_owned: 120_000.0,
            cost_franchise: 160_000.0,
            failure_rate: 0.07,
        }
    }
}

impl Default for TimeParams {
    fn default() -> Self {
        TimeParams {
            manufacturing_days: 7.0,
            release_days: 7.0,
            max_vein_to_vein_days: 28.0,
            max_patient_travel_hours: 2.0,
            max_fresh_transit_hours: 48.0,
        }
    }
}

impl Default for TransportParams {
    fn default() -> Self {
        TransportParams {
            circuity: 1.3,
            ground_kmh: 80.0,
            patient_kmh: 70.0,
            air_threshold_km: 500.0,
            air_kmh: 750.0,
            air_handling_hours: 12.0,
            ground_cost_fixed: 300.0,
            ground_cost_per_km: 1.5,
            air_cost: 2500.0,
            patient_cost_per_km: 0.0,
        }
    }
}

impl Default for DemandParams {
    fn default() -> Self {
        DemandParams {
            unserved_penalty: 1_000_000.0,
            full_coverage: false,
            in_vivo_share: Share::Start(0.0),
            in_vivo_growth: 0.0,
        }
    }
}

impl Default for HorizonParams {
    fn default() -> Self {
        HorizonParams {
            years: 1,
            growth: 0.0,
            discount_rate: 0.08,
            lead_years: 0,
            setup: "annualized".to_string(),
            platform_removal: false,
        }
    }
}

/// How a site's setup cost is charged over a horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupCharge {
    Annualized,
    Upfront,
}

impl HorizonParams {
    pub fn setup_charge(&self) -> SetupCharge {
        if self.setup == "upfront" {
            SetupCharge::Upfront
        } else {
            SetupCharge::Annualized
        }
    }

    /// The weight of year `t` (0-based) in the net present value.
    pub fn discount(&self, t: usize) -> f64 {
        1.0 / (1.0 + self.discount_rate).powi(t as i32)
    }
}

impl DemandParams {
    /// The in vivo share in year `t` (0-based), within [0, 1].
    pub fn in_vivo(&self, t: usize) -> f64 {
        let v = match &self.in_vivo_share {
            Share::Start(s) => s + self.in_vivo_growth * t as f64,
            Share::PerYear(v) => v.get(t).or(v.last()).copied().unwrap_or(0.0),
        };
        v.clamp(0.0, 1.0)
    }
}

impl Default for PolicyParams {
    fn default() -> Self {
        PolicyParams {
            single_sourcing: false,
            max_franchise_share: 1.0,
            min_sites: 0,
            max_sites: -1,
            min_utilization: 0.0,
        }
    }
}

/// The longest horizon accepted (the model grows linearly with it).
pub const MAX_YEARS: u32 = 50;

/// The groups a kind may override, and keys within them that make no sense per kind.
const KIND_GROUPS: [&str; 4] = ["site", "platform", "batch", "time"];
const NOT_PER_KIND: [&str; 1] = ["time.max_patient_travel_hours"];

/// The baseline's per-kind overrides: a central, cryopreserved process is slower and dearer.
fn default_kind_overrides() -> BTreeMap<SiteKind, BTreeMap<String, toml::Value>> {
    let mut central = BTreeMap::new();
    central.insert(
        "batch.cost_owned".to_string(),
        toml::Value::Integer(250_000),
    );
    central.insert(
        "time.manufacturing_days".to_string(),
        toml::Value::Integer(10),
    );
    central.insert("time.release_days".to_string(), toml::Value::Integer(10));
    BTreeMap::from([(SiteKind::Central, central)])
}

impl Default for Scenario {
    fn default() -> Self {
        let table = toml::Table::new();
        Scenario::from_table(&table, "(defaults)").expect("the defaults are valid")
    }
}

/// The base groups as a TOML table with every key at its default value.
fn default_groups() -> toml::Table {
    let mut t = toml::Table::new();
    let put = |t: &mut toml::Table, name: &str, v: toml::Table| {
        t.insert(name.to_string(), toml::Value::Table(v));
    };
    put(
        &mut t,
        "site",
        toml::Table::try_from(SiteParams::default()).unwrap(),
    );
    put(
        &mut t,
        "platform",
        toml::Table::try_from(PlatformParams::default()).unwrap(),
    );
    put(
        &mut t,
        "batch",
        toml::Table::try_from(BatchParams::default()).unwrap(),
    );
    put(
        &mut t,
        "time",
        toml::Table::try_from(TimeParams::default()).unwrap(),
    );
    put(
        &mut t,
        "transport",
        toml::Table::try_from(TransportParams::default()).unwrap(),
    );
    put(
        &mut t,
        "demand",
        toml::Table::try_from(DemandParams::default()).unwrap(),
    );
    put(
        &mut t,
        "policy",
        toml::Table::try_from(PolicyParams::default()).unwrap(),
    );
    put(
        &mut t,
        "horizon",
        toml::Table::try_from(HorizonParams::default()).unwrap(),
    );
    t
}

/// Keys that take a number or a list of numbers (one per horizon year).
const LIST_KEYS: [&str; 1] = ["demand.in_vivo_share"];

/// Every valid key (`group.key`, and `kinds.<kind>.group.key`), with its default value.
pub fn valid_keys() -> Vec<(String, toml::Value)> {
    let groups = default_groups();
    let mut keys = Vec::new();
    for (g, table) in &groups {
        for (k, v) in table.as_table().unwrap() {
            keys.push((format!("{g}.{k}"), v.clone()));
        }
    }
    let base = keys.clone();
    for kind in SiteKind::ALL {
        for (key, v) in &base {
            let group = key.split('.').next().unwrap();
            if KIND_GROUPS.contains(&group) && !NOT_PER_KIND.contains(&key.as_str()) {
                keys.push((format!("kinds.{}.{key}", kind.as_str()), v.clone()));
            }
        }
    }
    keys
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::String(_) => "text",
        _ => "a table",
    }
}

/// Whether `given` may stand where the default is `expected`.
fn same_type(expected: &toml::Value, given: &toml::Value) -> bool {
    use toml::Value::*;
    matches!(
        (expected, given),
        (Float(_), Float(_) | Integer(_))
            | (Integer(_), Integer(_))
            | (Boolean(_), Boolean(_))
            | (String(_), String(_))
    )
}

/// Flattens a TOML table into dotted leaf keys.
pub(crate) fn leaves(prefix: &str, table: &toml::Table, out: &mut Vec<(String, toml::Value)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Table(t) => leaves(&key, t, out),
            _ => out.push((key, v.clone())),
        }
    }
}

/// Sets `value` at the dotted `key`, creating tables on the way.
fn insert_dotted(table: &mut toml::Table, key: &str, value: toml::Value) {
    let mut parts = key.split('.').peekable();
    let mut t = table;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            t.insert(part.to_string(), value);
            return;
        }
        let entry = t
            .entry(part.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        if !entry.is_table() {
            *entry = toml::Value::Table(toml::Table::new());
        }
        t = entry.as_table_mut().unwrap();
    }
}

/// Removes the value at the dotted `key`, if present, and the tables it leaves empty (an empty
/// table where a value belongs would not deserialize).
fn remove_dotted(table: &mut toml::Table, key: &str) {
    match key.split_once('.') {
        None => {
            table.remove(key);
        }
        Some((head, rest)) => {
            if let Some(t) = table.get_mut(head).and_then(|v| v.as_table_mut()) {
                remove_dotted(t, rest);
                if t.is_empty() {
                    table.remove(head);
                }
            }
        }
    }
}

/// Removes every key whose own name contains a dot, and the tables that leaves empty.
fn drop_dotted_names(table: &mut toml::Table) {
    table.retain(|k, v| {
        if k.contains('.') {
            return false;
        }
        match v {
            toml::Value::Table(t) if !t.is_empty() => {
                drop_dotted_names(t);
                !t.is_empty()
            }
            _ => true,
        }
    });
}

/// The dotted names of the empty tables in `table` (`[site.foo]` with no keys has no leaf).
fn empty_tables(prefix: &str, table: &toml::Table, out: &mut Vec<String>) {
    for (k, v) in table {
        if let toml::Value::Table(t) = v {
            let key = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            if t.is_empty() {
                out.push(key);
            } else {
                empty_tables(&key, t, out);
            }
        }
    }
}

/// A parsed `--set group.key=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: toml::Value,
}

impl Override {
    /// Parses `group.key=value`; the value is read as TOML (`3e6`, `10`, `true`).
    pub fn parse(arg: &str) -> Result<Override, InputError> {
        let Some((key, value)) = arg.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(InputError::new(
                Code::BadOverride,
                "--set",
                format!(
                    "{} is not of the form group.key=value (e.g. site.setup_cost_owned=3e6)",
                    super::error::quoted(arg)
                ),
            ));
        };
        let key = key.trim();
        let value = parse_value(value.trim()).map_err(|why| {
            InputError::new(
                Code::BadOverride,
                "--set",
                format!("{}: {why}", super::error::quoted(arg)),
            )
        })?;
        Ok(Override {
            key: key.to_string(),
            value,
        })
    }
}

/// Reads a `--set` or `--vary` value: one TOML value and nothing after it (`3e6`, `10`, `true`,
/// `"text"`, `[0.1, 0.2]`). Other text is kept as text, for the type check to name (`80 km/h`
/// for a number is E304) or for a key that takes a word (`horizon.setup=upfront`); but a value
/// followed by a comment or a further key, or holding a line break, is refused, because the rest
/// would otherwise be ignored. The error says why, for the caller to locate.
pub fn parse_value(raw: &str) -> Result<toml::Value, String> {
    if let Ok(v) = raw.parse::<toml::Value>() {
        return Ok(v);
    }
    let more_after_a_value = format!("v = {raw}").parse::<toml::Table>().is_ok();
    if more_after_a_value || raw.chars().any(char::is_control) {
        return Err(format!(
            "the value {} is not one TOML value: write the value alone, without a comment, \
             a line break or another key after it",
            super::error::quoted(raw)
        ));
    }
    Ok(toml::Value::String(raw.to_string()))
}

/// The baseline scenario, compiled in so that `cartnet` runs from any folder without
/// `--model` (DESIGN §2); `models/baseline.toml` stays the file to read and copy.
pub const BASELINE_TOML: &str = include_str!("../../models/baseline.toml");

/// How messages and plan.json (`instance.model`) name the compiled-in baseline.
pub const BASELINE_NAME: &str = "built-in models/baseline.toml";

/// Where a scenario comes from: a file (`--model FILE`), or the baseline compiled into the
/// binary when no file is given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelSource {
    BuiltIn,
    File(PathBuf),
}

impl ModelSource {
    /// The file when one is given, else the built-in baseline.
    pub fn from_option(path: Option<PathBuf>) -> ModelSource {
        path.map_or(ModelSource::BuiltIn, ModelSource::File)
    }

    /// The name messages and plan.json use: the path as given, or [`BASELINE_NAME`].
    pub fn name(&self) -> String {
        match self {
            ModelSource::BuiltIn => BASELINE_NAME.to_string(),
            ModelSource::File(p) => p.display().to_string(),
        }
    }

    /// The scenario's bytes; a file that cannot be read is E301.
    pub fn read(&self) -> Result<Vec<u8>, InputError> {
        match self {
            ModelSource::BuiltIn => Ok(BASELINE_TOML.as_bytes().to_vec()),
            ModelSource::File(path) => std::fs::read(path).map_err(|e| {
                InputError::new(
                    Code::ScenarioUnreadable,
                    self.name(),
                    format!("cannot read the scenario: {e}"),
                )
            }),
        }
    }
}

impl Scenario {
    /// Reads a scenario file and applies overrides, collecting every problem.
    pub fn load(path: &Path, overrides: &[Override]) -> Result<Scenario, InputErrors> {
        Scenario::load_from(&ModelSource::File(path.to_path_buf()), overrides)
    }

    /// Reads the scenario from `source` and applies overrides, collecting every problem.
    pub fn load_from(
        source: &ModelSource,
        overrides: &[Override],
    ) -> Result<Scenario, InputErrors> {
        Scenario::from_bytes(&source.read()?, &source.name(), overrides)
    }

    /// Parses a scenario file's contents (see [`Scenario::load`]); bytes that are not UTF-8 are E002.
    pub fn from_bytes(
        bytes: &[u8],
        file: &str,
        overrides: &[Override],
    ) -> Result<Scenario, InputErrors> {
        let text = super::error::utf8(file, bytes, "UTF-8")?;
        Scenario::parse(text, file, overrides)
    }

    /// Parses scenario text (see [`Scenario::load`]).
    pub fn parse(text: &str, file: &str, overrides: &[Override]) -> Result<Scenario, InputErrors> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let mut err = InputError::new(Code::ScenarioSyntax, file, e.message().to_string());
            if let Some(span) = e.span() {
                err = err.at_line(1 + text[..span.start].matches('\n').count() as u64);
            }
            err
        })?;
        // the scenarios to sample, read by input::uncertainty: no parameter of this scenario
        table.remove("uncertainty");
        let mut errors = check_keys(&table, file, text)?;
        let set_errors = check_overrides(overrides);
        // Drop what failed the key and type checks, so that the range checks still run on the rest.
        // A key with a dot in it (`"a.b" = 1`) is never valid and would make dotted paths
        // ambiguous: it is dropped first (it has its E303 already).
        drop_dotted_names(&mut table);
        for e in &errors {
            if let Some(key) = &e.column {
                remove_dotted(&mut table, key);
            }
        }
        if let Some(kinds) = table.get_mut("kinds").and_then(|k| k.as_table_mut()) {
            kinds.retain(|kind, v| SiteKind::parse(kind).is_some() && v.is_table());
        }
        for o in overrides {
            if !set_errors
                .iter()
                .any(|e| e.column.as_deref() == Some(o.key.as_str()))
            {
                insert_dotted(&mut table, &o.key, o.value.clone());
            }
        }
        errors.extend(set_errors);
        match Scenario::from_table(&table, file) {
            Ok(scenario) if errors.is_empty() => Ok(scenario),
            Ok(_) => Err(InputErrors(errors)),
            Err(range) => {
                for mut e in range.0 {
                    if let Some(key) = e.column.clone() {
                        if overrides.iter().any(|o| o.key == key) {
                            e.file = "--set".to_string();
                        } else if let Some(line) = line_of(text, &key) {
                            e.line = Some(line);
                        }
                    }
                    errors.push(e);
                }
                Err(InputErrors(errors))
            }
        }
    }

    /// Builds the scenario from a table whose keys and types are already checked.
    fn from_table(table: &toml::Table, file: &str) -> Result<Scenario, InputErrors> {
        let mut kind_overrides = default_kind_overrides();
        if let Some(kinds) = table.get("kinds").and_then(|k| k.as_table()) {
            for (kind, t) in kinds {
                let kind = SiteKind::parse(kind).expect("checked");
                let mut flat = Vec::new();
                leaves("", t.as_table().expect("checked"), &mut flat);
                let entry = kind_overrides.entry(kind).or_default();
                entry.extend(flat);
            }
        }
        let group = |name: &str| {
            table
                .get(name)
                .cloned()
                .unwrap_or(toml::Value::Table(toml::Table::new()))
        };
        let mut base = toml::Table::new();
        for g in KIND_GROUPS {
            base.insert(g.to_string(), group(g));
        }
        let de = |v: toml::Value| -> KindParams { v.try_into().expect("keys and types checked") };
        let base_params = de(toml::Value::Table(base.clone()));
        let mut kinds = BTreeMap::new();
        for kind in SiteKind::ALL {
            let mut merged = base.clone();
            for (k, v) in kind_overrides.get(&kind).into_iter().flatten() {
                insert_dotted(&mut merged, k, v.clone());
            }
            kinds.insert(kind, de(toml::Value::Table(merged)));
        }
        let scenario = Scenario {
            site: base_params.site,
            platform: base_params.platform,
            batch: base_params.batch,
            time: base_params.time,
            transport: group("transport").try_into().expect("checked"),
            demand: group("demand").try_into().expect("checked"),
            policy: group("policy").try_into().expect("checked"),
            horizon: group("horizon").try_into().expect("checked"),
            kind_overrides,
            kinds,
        };
        scenario.check_ranges(file)?;
        Ok(scenario)
    }

    /// The parameters in force for sites of `kind`.
    pub fn kind(&self, kind: SiteKind) -> &KindParams {
        &self.kinds[&kind]
    }

    /// Checks every value against its allowed range (see [`super::ranges`]).
    fn check_ranges(&self, file: &str) -> Result<(), InputErrors> {
        let mut errors = Vec::new();
        let mut check = |key: String, value: f64, ok: bool, expected: &str| {
            if !ok || !value.is_finite() {
                errors.push(
                    InputError::new(
                        Code::BadValue,
                        file,
                        format!(
                            "{} is out of range: expected {expected}",
                            ranges::show(value)
                        ),
                    )
                    .in_column(key),
                );
            }
        };
        // (prefix, parameters, the keys to check: None for all)
        type Own<'a> = Option<&'a BTreeMap<String, toml::Value>>;
        let mut groups: Vec<(String, &KindParams, Own<'_>)> = vec![];
        let base = KindParams {
            site: self.site.clone(),
            platform: self.platform.clone(),
            batch: self.batch.clone(),
            time: self.time.clone(),
        };
        groups.push((String::new(), &base, None));
        for (kind, params) in &self.kinds {
            if let Some(own) = self.kind_overrides.get(kind).filter(|o| !o.is_empty()) {
                groups.push((format!("kinds.{}.", kind.as_str()), params, Some(own)));
            }
        }
        for (p, k, own) in groups {
            for (key, v, range) in kind_ranges(k) {
                // a kind's value inherited from the base group is checked (and reported) there
                if own.is_none_or(|o| o.contains_key(key)) {
                    check(format!("{p}{key}"), v, range.contains(v), &range.expected());
                }
            }
        }
        for (key, v, range) in self.other_ranges() {
            check(key.into(), v, range.contains(v), &range.expected());
        }
        let max_sites = self.policy.max_sites as f64;
        check(
            "policy.max_sites".into(),
            max_sites,
            self.policy.max_sites >= -1,
            "-1 (no limit) or a whole number >= 0",
        );
        let h = &self.horizon;
        check(
            "horizon.years".into(),
            h.years as f64,
            (1..=MAX_YEARS).contains(&h.years),
            &format!("a whole number from 1 to {MAX_YEARS}"),
        );
        check(
            "horizon.lead_years".into(),
            h.lead_years as f64,
            h.lead_years <= MAX_YEARS,
            &format!("a whole number from 0 to {MAX_YEARS}"),
        );
        check(
            "horizon.growth".into(),
            h.growth,
            ranges::GROWTH.contains(h.growth),
            &format!(
                "{} (a yearly rate: 0.11 is 11 % a year)",
                ranges::GROWTH.expected()
            ),
        );
        match &self.demand.in_vivo_share {
            Share::Start(v) => check(
                "demand.in_vivo_share".into(),
                *v,
                (0.0..=1.0).contains(v),
                "a number in [0, 1], or a list of them, one per horizon year",
            ),
            Share::PerYear(list) => {
                for v in list {
                    check(
                        "demand.in_vivo_share".into(),
                        *v,
                        (0.0..=1.0).contains(v),
                        "shares in [0, 1]",
                    );
                }
                if list.len() != h.years as usize {
                    errors.push(
                        InputError::new(
                            Code::BadValue,
                            file,
                            format!(
                                "a list of {} shares for a horizon of {} years: give one per year, \
                                 or one number and demand.in_vivo_growth",
                                list.len(),
                                h.years
                            ),
                        )
                        .in_column("demand.in_vivo_share"),
                    );
                }
            }
        }
        if self.policy.max_sites >= 0 && (self.policy.min_sites as i64) > self.policy.max_sites {
            errors.push(InputError::new(
                Code::BadValue,
                file,
                format!(
                    "policy.min_sites ({}) is greater than policy.max_sites ({})",
                    self.policy.min_sites, self.policy.max_sites
                ),
            ));
        }
        if !["annualized", "upfront"].contains(&h.setup.as_str()) {
            errors.push(
                InputError::new(
                    Code::BadValue,
                    file,
                    format!(
                        "\"{}\" is not a setup charge: expected \"annualized\" or \"upfront\"",
                        h.setup
                    ),
                )
                .in_column("horizon.setup"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The numbers outside the per-kind groups, each with its range.
    fn other_ranges(&self) -> [(&'static str, f64, Range); 15] {
        let t = &self.transport;
        [
            ("transport.circuity", t.circuity, ranges::CIRCUITY),
            ("transport.ground_kmh", t.ground_kmh, ranges::SPEED_KMH),
            ("transport.patient_kmh", t.patient_kmh, ranges::SPEED_KMH),
            ("transport.air_kmh", t.air_kmh, ranges::SPEED_KMH),
            (
                "transport.air_threshold_km",
                t.air_threshold_km,
                ranges::LIMIT,
            ),
            (
                "transport.air_handling_hours",
                t.air_handling_hours,
                ranges::LIMIT,
            ),
            (
                "transport.ground_cost_fixed",
                t.ground_cost_fixed,
                ranges::COST,
            ),
            (
                "transport.ground_cost_per_km",
                t.ground_cost_per_km,
                ranges::COST_PER_KM,
            ),
            ("transport.air_cost", t.air_cost, ranges::COST),
            (
                "transport.patient_cost_per_km",
                t.patient_cost_per_km,
                ranges::COST_PER_KM,
            ),
            (
                "demand.unserved_penalty",
                self.demand.unserved_penalty,
                ranges::COST,
            ),
            (
                "demand.in_vivo_growth",
                self.demand.in_vivo_growth,
                ranges::GROWTH,
            ),
            (
                "policy.min_utilization",
                self.policy.min_utilization,
                Range::closed(0.0, 1.0),
            ),
            (
                "policy.max_franchise_share",
                self.policy.max_franchise_share,
                Range::closed(0.0, 1.0),
            ),
            (
                "horizon.discount_rate",
                self.horizon.discount_rate,
                ranges::RATE,
            ),
        ]
    }

    /// The scenario as plan.json records it: every effective base parameter by the keys of
    /// DESIGN §4, and the per-kind overrides by their dotted keys.
    pub fn to_json(&self) -> serde_json::Value {
        let mut v = serde_json::json!({
            "site": self.site, "platform": self.platform, "batch": self.batch, "time": self.time,
            "transport": self.transport, "demand": self.demand, "policy": self.policy,
            "horizon": self.horizon,
        });
        let mut kinds = serde_json::Map::new();
        for kind in SiteKind::ALL {
            let o = self.kind_overrides.get(&kind).cloned().unwrap_or_default();
            kinds.insert(
                kind.as_str().to_string(),
                serde_json::to_value(o).expect("plain values"),
            );
        }
        v["kinds"] = serde_json::Value::Object(kinds);
        v
    }
}

/// The numbers a site kind may override, each with its range (see [`super::ranges`]).
fn kind_ranges(k: &KindParams) -> [(&'static str, f64, Range); 18] {
    let (site, time) = (&k.site, &k.time);
    let platforms = Range::closed(0.0, f64::from(ranges::MAX_PLATFORMS));
    [
        (
            "site.max_platforms",
            f64::from(site.max_platforms),
            platforms,
        ),
        ("site.setup_cost_owned", site.setup_cost_owned, ranges::COST),
        (
            "site.setup_cost_franchise",
            site.setup_cost_franchise,
            ranges::COST,
        ),
        ("site.fixed_cost_owned", site.fixed_cost_owned, ranges::COST),
        (
            "site.fixed_cost_franchise",
            site.fixed_cost_franchise,
            ranges::COST,
        ),
        (
            "site.amortization_years",
            site.amortization_years,
            ranges::AMORTIZATION_YEARS,
        ),
        ("site.discount_rate", site.discount_rate, ranges::RATE),
        (
            "platform.batches_per_year",
            k.platform.batches_per_year,
            ranges::BATCHES_PER_PLATFORM,
        ),
        ("platform.cost_owned", k.platform.cost_owned, ranges::COST),
        (
            "platform.cost_franchise",
            k.platform.cost_franchise,
            ranges::COST,
        ),
        ("batch.cost_owned", k.batch.cost_owned, ranges::COST),
        ("batch.cost_franchise", k.batch.cost_franchise, ranges::COST),
        (
            "batch.failure_rate",
            k.batch.failure_rate,
            ranges::FAILURE_RATE,
        ),
        (
            "time.manufacturing_days",
            time.manufacturing_days,
            ranges::LIMIT,
        ),
        ("time.release_days", time.release_days, ranges::LIMIT),
        (
            "time.max_vein_to_vein_days",
            time.max_vein_to_vein_days,
            ranges::LIMIT,
        ),
        (
            "time.max_patient_travel_hours",
            time.max_patient_travel_hours,
            ranges::LIMIT,
        ),
        (
            "time.max_fresh_transit_hours",
            time.max_fresh_transit_hours,
            ranges::LIMIT,
        ),
    ]
}

/// Checks every key of a scenario file exists and has the right type; finds each key's line.
fn check_keys(table: &toml::Table, file: &str, text: &str) -> Result<Vec<InputError>, InputErrors> {
    let valid = valid_keys();
    let mut given = Vec::new();
    leaves("", table, &mut given);
    let mut errors = Vec::new();
    let kinds = table.get("kinds").and_then(|k| k.as_table());
    for (kind, v) in kinds.into_iter().flatten() {
        if SiteKind::parse(kind).is_none() && v.as_table().is_some_and(|t| t.is_empty()) {
            let key = format!("kinds.{kind}");
            let e = InputError::new(
                Code::UnknownKey,
                file,
                format!(
                    "unknown site kind {}; the kinds are colocated, regional and central",
                    super::error::quoted(kind)
                ),
            )
            .in_column(&key);
            errors.push(match line_of(text, &key) {
                Some(line) => e.at_line(line),
                None => e,
            });
        }
    }
    // An empty table is a group or a kind with no keys, or else a key that does not exist (or a
    // key given a table).
    let mut empty = Vec::new();
    empty_tables("", table, &mut empty);
    for key in empty {
        let group = format!("{key}.");
        if valid.iter().any(|(k, _)| k.starts_with(&group))
            || errors
                .iter()
                .any(|e| e.column.as_deref() == Some(key.as_str()))
        {
            continue;
        }
        given.push((key, toml::Value::Table(toml::Table::new())));
    }
    for (key, value) in &given {
        if let Some(e) = check_one(&valid, key, value, file) {
            errors.push(match line_of(text, key) {
                Some(line) => e.at_line(line),
                None => e,
            });
        }
    }
    Ok(errors)
}

fn check_overrides(overrides: &[Override]) -> Vec<InputError> {
    let valid = valid_keys();
    overrides
        .iter()
        .filter_map(|o| check_one(&valid, &o.key, &o.value, "--set"))
        .collect()
}

fn check_one(
    valid: &[(String, toml::Value)],
    key: &str,
    value: &toml::Value,
    file: &str,
) -> Option<InputError> {
    let list_ok = |v: &toml::Value| {
        LIST_KEYS.contains(&key)
            && v.as_array()
                .is_some_and(|a| !a.is_empty() && a.iter().all(|x| x.is_float() || x.is_integer()))
    };
    match valid.iter().find(|(k, _)| k == key) {
        Some(_) if list_ok(value) => None,
        Some((_, default)) if same_type(default, value) => {
            // every whole-number key is a count (u32) except policy.max_sites (-1: no limit)
            let count = matches!(default, toml::Value::Integer(_)) && key != "policy.max_sites";
            match value.as_integer() {
                Some(i) if count && !(0..=i64::from(u32::MAX)).contains(&i) => Some(
                    InputError::new(
                        Code::BadValue,
                        file,
                        format!(
                            "{} is out of range: expected a whole number >= 0",
                            shown(value)
                        ),
                    )
                    .in_column(key),
                ),
                _ => None,
            }
        }
        Some((_, default)) => Some(
            InputError::new(
                Code::WrongType,
                file,
                format!(
                    "{} is {}; expected {}",
                    shown(value),
                    type_name(value),
                    type_name(default)
                ),
            )
            .in_column(key),
        ),
        None => {
            let why = if NOT_PER_KIND.iter().any(|k| key.ends_with(k)) && key.starts_with("kinds.")
            {
                " it applies to patients, not to a site kind, so it cannot be set per kind;"
            } else {
                ""
            };
            let hint = did_you_mean(key, valid.iter().map(|(k, _)| k.as_str()))
                .filter(|_| why.is_empty())
                .map(|k| format!(" (did you mean {k}?)"))
                .unwrap_or_default();
            Some(
                InputError::new(
                    Code::UnknownKey,
                    file,
                    format!("unknown key{hint};{why} valid keys are {}", key_list(valid)),
                )
                .in_column(key),
            )
        }
    }
}

/// A TOML value as messages show it (`2.5`, `"yes"`), a long one cut short.
fn shown(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => super::error::quoted(s),
        toml::Value::Table(t) if t.is_empty() => "{}".to_string(),
        v => super::error::shorten(&v.to_string()).into_owned(),
    }
}

/// The valid keys, compactly: every base key, then the pattern for per-kind keys.
fn key_list(valid: &[(String, toml::Value)]) -> String {
    let base: Vec<&str> = valid
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !k.starts_with("kinds."))
        .collect();
    format!(
        "{}, and kinds.<colocated|regional|central>.<key> for any site.*, platform.*, batch.* or time.* key",
        base.join(", ")
    )
}

/// The line where a dotted key is set in the TOML text (best effort, for messages).
fn line_of(text: &str, key: &str) -> Option<u64> {
    let (section, leaf) = key.rsplit_once('.')?;
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let l = line.trim();
        if let Some(h) = l.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.trim().to_string();
            if current == key {
                return Some(i as u64 + 1);
            }
            continue;
        }
        let Some((lhs, _)) = l.split_once('=') else {
            continue;
        };
        let full = if current.is_empty() {
            lhs.trim().to_string()
        } else {
            format!("{current}.{}", lhs.trim())
        };
        if full == key || (current == section && lhs.trim() == leaf) {
            return Some(i as u64 + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_file_is_exactly_the_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        let s = Scenario::parse(&text, "baseline.toml", &[]).unwrap();
        assert_eq!(s, Scenario::default());
        // every base key is written out in the file, none left to the built-in default
        let table: toml::Table = text.parse().unwrap();
        let mut given = Vec::new();
        leaves("", &table, &mut given);
        for (key, _) in valid_keys()
            .iter()
            .filter(|(k, _)| !k.starts_with("kinds."))
        {
            assert!(
                given.iter().any(|(k, _)| k == key),
                "baseline.toml lacks {key}"
            );
        }
    }

    #[test]
    fn a_set_value_is_one_toml_value_and_nothing_after_it() {
        for ok in [
            "3e6",
            " 10",
            "true",
            "\"text\"",
            "[0.1, 0.2]",
            "upfront",
            "80 km/h",
        ] {
            assert!(parse_value(ok.trim()).is_ok(), "{ok:?}");
        }
        for bad in ["7\nfoo=1", "3e6 # c", "1\n", "true\tx", "[1] # c"] {
            assert!(parse_value(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_built_in_baseline_is_the_file() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("models/baseline.toml");
        let built_in = Scenario::load_from(&ModelSource::BuiltIn, &[]).unwrap();
        assert_eq!(built_in, Scenario::load(&path, &[]).unwrap());
        assert_eq!(ModelSource::BuiltIn.name(), "built-in models/baseline.toml");
    }

    #[test]
    fn kind_overrides_apply_to_that_kind_only() {
        let s = Scenario::default();
        assert_eq!(s.kind(SiteKind::Central).batch.cost_owned, 250_000.0);
        assert_eq!(s.kind(SiteKind::Central).time.manufacturing_days, 10.0);
        assert_eq!(s.kind(SiteKind::Regional).batch.cost_owned, 120_000.0);
        assert_eq!(s.kind(SiteKind::Colocated).time.release_days, 7.0);
    }

    #[test]
    fn set_overrides_base_and_kind_keys() {
        let o = [
            Override::parse("site.setup_cost_owned=3e6").unwrap(),
            Override::parse("kinds.central.batch.cost_owned=300000").unwrap(),
            Override::parse("policy.single_sourcing=true").unwrap(),
        ];
        let s = Scenario::parse("", "x.toml", &o).unwrap();
        assert_eq!(s.site.setup_cost_owned, 3e6);
        assert_eq!(s.kind(SiteKind::Regional).site.setup_cost_owned, 3e6);
        assert_eq!(s.kind(SiteKind::Central).batch.cost_owned, 300000.0);
        assert!(s.policy.single_sourcing);
    }

    #[test]
    fn unknown_key_suggests_and_lists_valid_keys() {
        let e = Scenario::parse("[site]\nsetup_cost_ownd = 1\n", "m.toml", &[]).unwrap_err();
        let shown = e.0[0].to_string();
        assert!(shown.starts_with("E303 m.toml:2: column site.setup_cost_ownd: unknown key (did you mean site.setup_cost_owned?)"), "{shown}");
        assert!(shown.contains("policy.min_utilization"));
        let e =
            Scenario::parse("", "m.toml", &[Override::parse("time.bogus=1").unwrap()]).unwrap_err();
        assert_eq!(e.0[0].code, Code::UnknownKey);
        assert_eq!(e.0[0].file, "--set");
    }

    #[test]
    fn keys_that_would_not_deserialize_are_errors_not_panics() {
        // found by tests/fuzz.rs (fuzz_scenario_toml): each of these panicked in from_table
        for (text, shown) in [
            (
                "[site]\nbatch.cost_owned = \"x\"\n",
                "E303 m.toml:2: column site.batch.cost_owned: unknown key",
            ),
            (
                "[site.foo]\n",
                "E303 m.toml:1: column site.foo: unknown key",
            ),
            (
                "[site]\nmax_platforms = {}\n",
                "E304 m.toml:2: column site.max_platforms: {} is a table; expected a whole number",
            ),
            (
                "[site]\n\"1.234,5\" = 2.5\n",
                "E303 m.toml: column site.1.234,5: unknown key",
            ),
        ] {
            let e = Scenario::parse(text, "m.toml", &[]).unwrap_err();
            assert_eq!(e.0.len(), 1, "{text:?}: {e}");
            assert!(e.0[0].to_string().starts_with(shown), "{text:?}: {e}");
        }
    }

    #[test]
    fn wrong_type_and_range_are_reported() {
        let e = Scenario::parse("[site]\nmax_platforms = 2.5\n", "m.toml", &[]).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "E304 m.toml:2: column site.max_platforms: 2.5 is a number; expected a whole number"
        );
        let e = Scenario::parse("[batch]\nfailure_rate = 1.2\n", "m.toml", &[]).unwrap_err();
        assert_eq!(e.0[0].code, Code::BadValue);
        let e = Scenario::parse(
            "[kinds.central]\ntime.max_patient_travel_hours = 3\n",
            "m.toml",
            &[],
        )
        .unwrap_err();
        assert!(
            e.0[0].message.contains("cannot be set per kind"),
            "{}",
            e.0[0]
        );
        let e = Scenario::parse("[site\n", "m.toml", &[]).unwrap_err();
        assert_eq!(e.0[0].code, Code::ScenarioSyntax);
        assert_eq!(e.0[0].line, Some(1));
    }
}
