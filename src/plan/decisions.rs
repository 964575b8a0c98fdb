//! The site decisions, year by year, from the solver's point: each site's status, and the
//! fewest platforms that carry its batches.

use super::round::clean;
use crate::input::{Instance, OpModel, Scenario, SiteTerms};
use crate::model::{ModelInfo, Var, Vars};
use crate::network::Network;
use serde::Serialize;

/// A binary column above this is taken as 1 (the solver returns it within its tolerance).
const BINARY_ONE: f64 = 0.5;

/// Slack under a whole number of platforms, so batches that fill platforms exactly up to
/// solver noise do not ask for one more.
const PLATFORM_SLACK: f64 = 1e-6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SiteStatus {
    Owned,
    Franchise,
    Closed,
}

impl SiteStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SiteStatus::Owned => "owned",
            SiteStatus::Franchise => "franchise",
            SiteStatus::Closed => "closed",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SitePlan {
    pub id: String,
    pub status: SiteStatus,
    pub platforms: u32,
    pub batches: f64,
    /// Batches over platform capacity installed (0 when closed).
    pub utilization: f64,
    /// The first year the site produces (multi-year plans only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opened_year: Option<u32>,
}

/// Every site, each year, and the year (1-based) each first produces.
pub struct Decisions {
    pub years: Vec<Vec<SitePlan>>,
    pub opened: Vec<Option<u32>>,
}

/// The decisions from the solver's `raw` point. Writes the final open and platform columns
/// into `value` (binaries exact, platforms trimmed), so the costs follow them; platforms never
/// fall below the year before when the scenario only adds them.
pub fn assign(
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
    formulation: &ModelInfo,
    raw: &[f64],
    value: &mut [f64],
) -> Decisions {
    let mut trim = Trim {
        raw,
        value,
        keep_platforms: !scenario.horizon.platform_removal,
        design_fixed: formulation.design_fixed,
        before: vec![[0.0; 2]; instance.sites.len()],
    };
    let mut opened: Vec<Option<u32>> = vec![None; instance.sites.len()];
    let mut years = Vec::with_capacity(formulation.years.len());
    for (year, vars) in formulation.years.iter().enumerate() {
        let mut sites = Vec::with_capacity(instance.sites.len());
        for (s, site) in instance.sites.iter().enumerate() {
            let plan = trim.site(s, &network.terms[s], vars, site.id.clone());
            if plan.status != SiteStatus::Closed && opened[s].is_none() {
                opened[s] = Some(year as u32 + 1);
            }
            sites.push(plan);
        }
        years.push(sites);
    }
    Decisions { years, opened }
}

/// The state carried from year to year while the decisions are read.
struct Trim<'a> {
    raw: &'a [f64],
    value: &'a mut [f64],
    keep_platforms: bool,
    /// The platforms are a design given from outside: kept as they are.
    design_fixed: bool,
    /// The platforms each site had last year, per operating model.
    before: Vec<[f64; 2]>,
}

impl Trim<'_> {
    fn raw(&self, v: Var) -> f64 {
        self.raw.get(v.col).copied().unwrap_or(0.0)
    }

    /// One site's decision this year.
    fn site(&mut self, s: usize, t: &SiteTerms, vars: &Vars, id: String) -> SitePlan {
        let mut status = SiteStatus::Closed;
        let mut platforms = 0;
        let mut batches = 0.0;
        for m in OpModel::ALL {
            let k = m as usize;
            let (Some(y), Some(n), Some(b)) =
                (vars.open[s][k], vars.platforms[s][k], vars.batches[s][k])
            else {
                continue;
            };
            let open = self.raw(y) > BINARY_ONE;
            self.value[y.col] = if open { 1.0 } else { 0.0 };
            let made = self.value[b.col].max(0.0);
            let solver_n = self.raw(n).round().max(0.0);
            let mut needed = ((made / t.batches_per_platform) - PLATFORM_SLACK)
                .ceil()
                .max(0.0);
            if self.keep_platforms {
                needed = needed.max(self.before[s][k]);
            }
            let n_final = match (open, self.design_fixed) {
                (false, _) => 0.0,
                // a design given from outside keeps its platforms
                (true, true) => solver_n,
                (true, false) => solver_n.min(needed),
            };
            self.value[n.col] = n_final;
            self.before[s][k] = n_final;
            if open {
                status = match m {
                    OpModel::Owned => SiteStatus::Owned,
                    OpModel::Franchise => SiteStatus::Franchise,
                };
                platforms = n_final as u32;
                batches = made;
            }
        }
        let utilization = if platforms > 0 {
            clean(batches / (platforms as f64 * t.batches_per_platform))
        } else {
            0.0
        };
        SitePlan {
            id,
            status,
            platforms,
            batches,
            utilization,
            opened_year: None,
        }
    }
}
