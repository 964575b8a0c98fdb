//! `cartnet compare`: what changed between two plans of one instance, and what it costs. The
//! comparison is computed here from the two plan files (as JSON, like the report reads them);
//! `text.rs` prints it, `table.rs` writes compare.csv and `html.rs` compare.html.
//!
//! Plans compare when they are of one kind: two one-year plans (costs in USD a year), two
//! multi-year plans over the same number of years (costs are net present values; sites, KPIs and
//! flows of the final year, as the plans record them at the top level), or two two-stage plans
//! (expected costs and KPIs over each plan's scenarios, and the designs; their flows are per
//! scenario, so hospitals are not compared). Other pairs are refused (E621): their cost lines do
//! not mean the same thing.

pub mod html;
pub mod table;
pub mod text;

use crate::export::report_plan::ReportPlan;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// Batches fewer than this are none: the solver's rounding, not a hospital served by a site.
const NEGLIGIBLE_BATCHES: f64 = 1e-6;

/// What kind of plan a plan file is, for telling which pairs compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    OneYear,
    /// A multi-year plan, with its number of years.
    Horizon(u64),
    TwoStage,
}

impl Kind {
    /// The kind of a plan file (parsed).
    pub fn of(plan: &Value) -> Kind {
        if plan["stochastic"].is_object() {
            return Kind::TwoStage;
        }
        match plan["years"].as_array() {
            Some(years) if !years.is_empty() => Kind::Horizon(years.len() as u64),
            _ => Kind::OneYear,
        }
    }

    fn describe(self) -> String {
        match self {
            Kind::OneYear => "a one-year plan (costs in USD a year)".into(),
            Kind::Horizon(n) => format!("a {n}-year plan (costs are net present values)"),
            Kind::TwoStage => "a two-stage plan (expected costs over its scenarios)".into(),
        }
    }

    /// What a cost line's figure is, for the tables' headers.
    pub fn cost_unit(self) -> &'static str {
        match self {
            Kind::OneYear => "USD a year",
            Kind::Horizon(_) => "USD, net present value",
            Kind::TwoStage => "USD a year, expected",
        }
    }
}

/// Why two plans are not compared.
#[derive(Debug, Clone, PartialEq)]
pub enum CompareError {
    /// E620: the plans were made from different data (their `instance.digest` differ).
    Instances { a: String, b: String },
    /// E621: the plans are of kinds whose figures do not compare.
    Kinds { a: Kind, b: Kind },
}

impl CompareError {
    pub fn code(&self) -> &'static str {
        match self {
            CompareError::Instances { .. } => "E620",
            CompareError::Kinds { .. } => "E621",
        }
    }
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CompareError::Instances { a, b } => write!(
                f,
                "E620 the plans were made from different data: plan A's instance.digest is {a}, \
                 plan B's is {b}; compare plans of one instance, or pass --force"
            ),
            CompareError::Kinds { a, b } => write!(
                f,
                "E621 plan A is {} and plan B is {}: their figures do not compare; compare \
                 plans of one kind (for a design against scenarios, use `cartnet evaluate`)",
                a.describe(),
                b.describe()
            ),
        }
    }
}

/// A number of both plans: A's, B's (`None` where a plan lacks it).
#[derive(Debug, Clone, PartialEq)]
pub struct Pair {
    pub name: String,
    pub a: Option<f64>,
    pub b: Option<f64>,
}

impl Pair {
    /// B - A, when both have it.
    pub fn change(&self) -> Option<f64> {
        Some(self.b? - self.a?)
    }
}

/// A site as a plan has it: its status and platforms.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SiteState {
    pub status: String,
    pub platforms: f64,
    pub batches: f64,
}

impl SiteState {
    pub fn is_open(&self) -> bool {
        !self.status.is_empty() && self.status != "closed"
    }
}

/// How a site changed from A to B.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Opened,
    Closed,
    /// Open in both, under another operating model (owned, franchise).
    Model,
    /// Open in both, under the same model, with another number of platforms.
    Platforms,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Opened => "opened",
            Change::Closed => "closed",
            Change::Model => "operating model",
            Change::Platforms => "platforms",
        }
    }
}

/// A site that changed.
#[derive(Debug, Clone, PartialEq)]
pub struct SiteChange {
    pub id: String,
    pub change: Change,
    pub a: SiteState,
    pub b: SiteState,
}

/// A hospital whose serving sites changed: the sites making its batches in A and in B.
#[derive(Debug, Clone, PartialEq)]
pub struct HospitalChange {
    pub id: String,
    pub a: Vec<String>,
    pub b: Vec<String>,
}

/// What changed from plan A to plan B.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub kind: Kind,
    pub cost: Vec<Pair>,
    pub kpis: Vec<Pair>,
    pub sites: Vec<SiteChange>,
    /// `None` for two-stage plans, whose flows are per scenario.
    pub hospitals: Option<Vec<HospitalChange>>,
}

/// Checks that the plans compare: one kind, and (unless `force`) one instance.
pub fn check(a: &Value, b: &Value, force: bool) -> Result<Kind, CompareError> {
    let (ka, kb) = (Kind::of(a), Kind::of(b));
    if ka != kb {
        return Err(CompareError::Kinds { a: ka, b: kb });
    }
    let digest = |p: &Value| {
        p["instance"]["digest"]
            .as_str()
            .unwrap_or("none")
            .to_string()
    };
    let (da, db) = (digest(a), digest(b));
    if da != db && !force {
        return Err(CompareError::Instances { a: da, b: db });
    }
    Ok(ka)
}

/// Compares the plans (checked with [`check`]).
pub fn compare(a: &ReportPlan<'_>, b: &ReportPlan<'_>, kind: Kind) -> Comparison {
    Comparison {
        kind,
        cost: pairs(&a.rest["cost"], &b.rest["cost"]),
        kpis: pairs(&a.rest["kpis"], &b.rest["kpis"]),
        sites: site_changes(&a.rest, &b.rest),
        hospitals: (kind != Kind::TwoStage).then(|| hospital_changes(a, b)),
    }
}

/// The numbers of two JSON objects by key: A's keys in order, then those only B has.
fn pairs(a: &Value, b: &Value) -> Vec<Pair> {
    let mut names: Vec<&String> = a.as_object().into_iter().flat_map(|m| m.keys()).collect();
    for k in b.as_object().into_iter().flat_map(|m| m.keys()) {
        if !names.contains(&k) {
            names.push(k);
        }
    }
    names
        .into_iter()
        .map(|k| Pair {
            name: k.clone(),
            a: a[k].as_f64(),
            b: b[k].as_f64(),
        })
        .filter(|p| p.a.is_some() || p.b.is_some())
        .collect()
}

/// Each site of a plan by id, in the plan's order.
fn sites_of(plan: &Value) -> Vec<(String, SiteState)> {
    plan["sites"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            let id = s["id"].as_str()?.to_string();
            let state = SiteState {
                status: s["status"].as_str().unwrap_or("closed").to_string(),
                platforms: s["platforms"].as_f64().unwrap_or(0.0),
                batches: s["batches"].as_f64().unwrap_or(0.0),
            };
            Some((id, state))
        })
        .collect()
}

/// The sites that changed, in A's order then those only B lists; a site a plan omits is closed.
fn site_changes(a: &Value, b: &Value) -> Vec<SiteChange> {
    let (sa, sb) = (sites_of(a), sites_of(b));
    let in_b: HashMap<&str, &SiteState> = sb.iter().map(|(i, s)| (i.as_str(), s)).collect();
    let in_a: HashMap<&str, &SiteState> = sa.iter().map(|(i, s)| (i.as_str(), s)).collect();
    let mut ids: Vec<&str> = sa.iter().map(|(i, _)| i.as_str()).collect();
    ids.extend(
        sb.iter()
            .map(|(i, _)| i.as_str())
            .filter(|i| !in_a.contains_key(i)),
    );
    let closed = SiteState {
        status: "closed".into(),
        ..SiteState::default()
    };
    ids.into_iter()
        .filter_map(|id| {
            let x = in_a.get(id).copied().unwrap_or(&closed);
            let y = in_b.get(id).copied().unwrap_or(&closed);
            let change = match (x.is_open(), y.is_open()) {
                (false, true) => Change::Opened,
                (true, false) => Change::Closed,
                (true, true) if x.status != y.status => Change::Model,
                (true, true) if x.platforms != y.platforms => Change::Platforms,
                _ => return None,
            };
            Some(SiteChange {
                id: id.to_string(),
                change,
                a: x.clone(),
                b: y.clone(),
            })
        })
        .collect()
}

/// The year whose flows a plan's top level stands for: its final year, if it has years.
fn shown_year(plan: &Value) -> Option<u64> {
    let years = plan["years"].as_array().filter(|y| !y.is_empty())?;
    years.last()?["year"].as_u64()
}

/// The sites making each hospital's batches in the year shown, sorted.
fn serving(plan: &ReportPlan<'_>) -> HashMap<String, BTreeSet<String>> {
    let year = shown_year(&plan.rest);
    let mut by: HashMap<String, BTreeSet<String>> = HashMap::new();
    for f in &plan.batch_flows {
        let shown = year.is_none_or(|y| f.year == Some(y));
        if let (true, Some(h), Some(s)) = (
            shown && f.batches > NEGLIGIBLE_BATCHES,
            f.hospital.as_deref(),
            f.site.as_deref(),
        ) {
            by.entry(h.to_string()).or_default().insert(s.to_string());
        }
    }
    by
}

/// The hospitals served by other sites in B than in A, by id.
fn hospital_changes(a: &ReportPlan<'_>, b: &ReportPlan<'_>) -> Vec<HospitalChange> {
    let (sa, sb) = (serving(a), serving(b));
    let ids: BTreeSet<&String> = sa.keys().chain(sb.keys()).collect();
    let none = BTreeSet::new();
    ids.into_iter()
        .filter_map(|id| {
            let (x, y) = (sa.get(id).unwrap_or(&none), sb.get(id).unwrap_or(&none));
            (x != y).then(|| HospitalChange {
                id: id.clone(),
                a: x.iter().cloned().collect(),
                b: y.iter().cloned().collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn plan(v: Value) -> ReportPlan<'static> {
        ReportPlan {
            rest: v,
            ..ReportPlan::default()
        }
    }

    #[test]
    fn sites_are_classified_by_what_changed() {
        let a = json!({"sites": [
            {"id": "S1", "status": "owned", "platforms": 2},
            {"id": "S2", "status": "owned", "platforms": 2},
            {"id": "S3", "status": "owned", "platforms": 2},
            {"id": "S4", "status": "closed", "platforms": 0},
            {"id": "S5", "status": "franchise", "platforms": 1}]});
        let b = json!({"sites": [
            {"id": "S1", "status": "owned", "platforms": 2},
            {"id": "S2", "status": "franchise", "platforms": 2},
            {"id": "S3", "status": "owned", "platforms": 3},
            {"id": "S4", "status": "owned", "platforms": 1}]});
        let c = compare(&plan(a), &plan(b), Kind::OneYear);
        let got: Vec<(&str, Change)> = c.sites.iter().map(|s| (s.id.as_str(), s.change)).collect();
        assert_eq!(
            got,
            [
                ("S2", Change::Model),
                ("S3", Change::Platforms),
                ("S4", Change::Opened),
                ("S5", Change::Closed)
            ]
        );
    }

    #[test]
    fn kinds_and_instances_must_match() {
        let one = json!({"instance": {"digest": "x"}});
        let other = json!({"instance": {"digest": "y"}});
        let years = json!({"instance": {"digest": "x"}, "years": [{"year": 1}, {"year": 2}]});
        assert_eq!(check(&one, &one, false), Ok(Kind::OneYear));
        assert_eq!(check(&one, &other, false).unwrap_err().code(), "E620");
        assert_eq!(check(&one, &other, true), Ok(Kind::OneYear));
        assert_eq!(check(&one, &years, true).unwrap_err().code(), "E621");
        let three = json!({"years": [{"year": 1}, {"year": 2}, {"year": 3}]});
        assert_eq!(check(&years, &three, true).unwrap_err().code(), "E621");
    }

    #[test]
    fn cost_pairs_keep_a_order_and_differences() {
        let c = pairs(
            &json!({"total": 10.0, "setup": 4.0}),
            &json!({"setup": 1.0, "total": 12.0, "new": 2.0}),
        );
        let names: Vec<&str> = c.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["total", "setup", "new"]);
        assert_eq!(c[0].change(), Some(2.0));
        assert_eq!(c[2].change(), None);
    }
}
