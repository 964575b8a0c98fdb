//! The scenario: every model parameter, read from a TOML file (DESIGN §4) with `--set` overrides.
//!
//! The typed structs of `params.rs` are the single source of the schema: their `Default` is the
//! baseline (a test checks `models/baseline.toml` holds exactly these keys and values), the valid
//! keys are derived from it, and a file may give any subset of keys (the rest keep their defaults).
//!
//! `keys.rs` is the table of every key (valid values, unit, meaning): `values.rs` checks the
//! values by it (E305) and `keys_doc.rs` writes docs/scenario-keys.md from it. `checks.rs` checks
//! keys and types (E303, E304), `overrides.rs` reads `--set`, `kinds.rs` says what a site kind may
//! override, `tree.rs` handles dotted keys, `source.rs` finds the file or the built-in baseline.

mod checks;
pub mod keys;
#[cfg(test)]
mod keys_doc;
mod kinds;
mod overrides;
mod params;
mod source;
mod tree;
mod values;

use super::SiteKind;
use super::error::{Code, InputError, InputErrors};
use checks::{check_keys, check_overrides, line_of};
use kinds::{KIND_GROUPS, default_kind_overrides};
use std::collections::BTreeMap;
use std::path::Path;
use tree::{drop_dotted_names, insert_dotted, remove_dotted};

pub use checks::valid_keys;
pub use overrides::{Override, parse_value};
pub use params::*;
pub use source::{BASELINE_NAME, BASELINE_TOML, ModelSource};
pub(crate) use tree::leaves;

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

/// The longest horizon accepted (the model grows linearly with it).
pub const MAX_YEARS: u32 = 50;

impl Default for Scenario {
    fn default() -> Self {
        let table = toml::Table::new();
        Scenario::from_table(&table, "(defaults)").expect("the defaults are valid")
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

    /// The base groups as one TOML table (`site.max_platforms` etc.), for the checks by key.
    fn groups_table(&self) -> toml::Table {
        params::Groups {
            site: &self.site,
            platform: &self.platform,
            batch: &self.batch,
            time: &self.time,
            transport: &self.transport,
            demand: &self.demand,
            policy: &self.policy,
            horizon: &self.horizon,
        }
        .table()
    }

    /// The parameters in force for sites of `kind`.
    pub fn kind(&self, kind: SiteKind) -> &KindParams {
        &self.kinds[&kind]
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

#[cfg(test)]
mod tests;
