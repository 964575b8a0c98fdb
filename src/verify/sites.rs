//! Sites: status rules, lead time, platforms and their capacity, the site cost lines, and the
//! policy on utilization and on the number of sites.

use super::Check;
use super::checker::{Checker, above, differs6, n, platforms_text, unbalanced};
use super::params::MODELS;
use super::year::{Ctx, SiteYear, YearInput};
use serde_json::Value;

/// Batches below this are the solver's rounding, not production.
const BATCH_NOISE: f64 = 1e-6;

/// Float noise allowed on the franchise share.
const SHARE_NOISE: f64 = 1e-9;

/// What a year's sites add up to.
pub(super) struct SiteTally {
    /// Each site of sites.csv as the year lists it.
    pub(super) years: Vec<Option<SiteYear>>,
    /// How many rows the year's site list has.
    pub(super) listed_len: usize,
    /// The site cost lines: setup (annualized), fixed, platforms, batches.
    pub(super) setup: f64,
    pub(super) fixed: f64,
    pub(super) platform_cost: f64,
    pub(super) batch_cost: f64,
    pub(super) open: usize,
    pub(super) owned: usize,
    pub(super) franchise: usize,
    pub(super) platforms_total: f64,
}

/// One readable row of the year's site list.
struct SiteRow {
    /// The site's index in sites.csv.
    s: usize,
    platforms: f64,
    batches: f64,
    utilization: Option<f64>,
}

impl Ctx<'_> {
    /// Each row of the year's site list against sites.csv, its batch flows and the scenario;
    /// every site of sites.csv is listed once.
    pub(super) fn sites(&self, c: &mut Checker, y: &YearInput<'_>, received: &[f64]) -> SiteTally {
        let count = self.instance.sites.len();
        let mut listed: Vec<Option<usize>> = vec![None; count];
        let mut tally = SiteTally {
            years: vec![None; count],
            listed_len: 0,
            setup: 0.0,
            fixed: 0.0,
            platform_cost: 0.0,
            batch_cost: 0.0,
            open: 0,
            owned: 0,
            franchise: 0,
            platforms_total: 0.0,
        };
        let min_utilization = self.p.get("policy.min_utilization");
        let plan_sites = c.array(y.sites, &y.sites_path);
        tally.listed_len = plan_sites.len();
        for (i, ps) in plan_sites.iter().enumerate() {
            let Some(row) = self.site_row(c, y, i, ps, &mut listed, received) else {
                continue;
            };
            let path = format!("{}[{i}]", y.sites_path);
            let Some(model) = self.site_status(c, &path, ps, &row, &mut tally) else {
                continue;
            };
            self.open_site(c, y, &row, model, min_utilization);
            self.add_site_costs(&row, model, &mut tally);
        }
        for (s, site) in self.instance.sites.iter().enumerate() {
            if listed[s].is_none() {
                c.add(
                    Check::Plan,
                    format!(
                        "site {} of sites.csv is missing from the plan's {}",
                        site.id, y.sites_path
                    ),
                );
            }
        }
        tally
    }

    /// `sites[i]` read: its id once, its numbers; its batches against its inflow and its
    /// platforms a whole number. `None` when it cannot be checked further.
    fn site_row(
        &self,
        c: &mut Checker,
        y: &YearInput<'_>,
        i: usize,
        ps: &Value,
        listed: &mut [Option<usize>],
        received: &[f64],
    ) -> Option<SiteRow> {
        let path = format!("{}[{i}]", y.sites_path);
        let id = c.text(&ps["id"], &format!("{path}.id"));
        let s = self.site_index(c, id, &format!("{path}.id"))?;
        let site = &self.instance.sites[s];
        if let Some(j) = listed[s].replace(i) {
            c.add(
                Check::Plan,
                format!(
                    "site {} is listed twice ({}[{j}] and [{i}])",
                    site.id, y.sites_path
                ),
            );
            return None;
        }
        let status = c.text(&ps["status"], &format!("{path}.status"));
        let platforms = c.num(&ps["platforms"], &format!("{path}.platforms"));
        let batches = c.num(&ps["batches"], &format!("{path}.batches"));
        let utilization = c.num(&ps["utilization"], &format!("{path}.utilization"));
        let (Some(_), Some(platforms), Some(batches)) = (status, platforms, batches) else {
            return None;
        };
        if unbalanced(batches, received[s]) {
            c.add(
                Check::Platforms,
                format!(
                    "site {} makes {} batches a year, but its batch flows bring {}",
                    site.id,
                    n(batches),
                    n(received[s])
                ),
            );
        }
        if platforms < 0.0 || platforms.fract() != 0.0 {
            c.add(
                Check::Platforms,
                format!(
                    "site {}: {} platforms is not a whole number >= 0",
                    site.id,
                    n(platforms)
                ),
            );
        }
        Some(SiteRow {
            s,
            platforms,
            batches,
            utilization,
        })
    }

    /// The row's status: a closed site is checked here and recorded; an open one is recorded
    /// and its operating model's index handed back.
    fn site_status(
        &self,
        c: &mut Checker,
        path: &str,
        ps: &Value,
        row: &SiteRow,
        tally: &mut SiteTally,
    ) -> Option<usize> {
        let model = match ps["status"].as_str()? {
            "closed" => {
                tally.years[row.s] = Some(SiteYear {
                    model: None,
                    platforms: row.platforms,
                });
                self.closed_site(c, row);
                return None;
            }
            "owned" => 0,
            "franchise" => 1,
            other => {
                c.add(
                    Check::Plan,
                    format!(
                        "{path}.status is \"{other}\"; expected \"owned\", \"franchise\" or \"closed\""
                    ),
                );
                return None;
            }
        };
        tally.years[row.s] = Some(SiteYear {
            model: Some(model),
            platforms: row.platforms,
        });
        Some(model)
    }

    /// A closed site: not an existing one, and no platforms, batches or utilization.
    fn closed_site(&self, c: &mut Checker, row: &SiteRow) {
        let site = &self.instance.sites[row.s];
        if site.existing {
            c.add(
                Check::Status,
                format!(
                    "site {} is existing (sites.csv) and must stay open, but the plan closes it",
                    site.id
                ),
            );
        }
        if row.platforms != 0.0 {
            c.add(
                Check::Platforms,
                format!(
                    "site {} is closed but has {} platforms",
                    site.id,
                    n(row.platforms)
                ),
            );
        }
        if row.batches > BATCH_NOISE {
            c.add(
                Check::Platforms,
                format!(
                    "site {} is closed but makes {} batches",
                    site.id,
                    n(row.batches)
                ),
            );
        }
        if let Some(u) = row.utilization
            && u != 0.0
        {
            c.add(
                Check::Kpi,
                format!("site {} is closed but its utilization is {}", site.id, n(u)),
            );
        }
    }

    /// An open site under operating model `model`: allowed by sites.csv, past its lead time,
    /// within its platform limit, capacity and utilization.
    fn open_site(
        &self,
        c: &mut Checker,
        y: &YearInput<'_>,
        row: &SiteRow,
        model: usize,
        min_utilization: f64,
    ) {
        let site = &self.instance.sites[row.s];
        if !site.allow[model] {
            let allowed = if site.allow[0] { "owned" } else { "franchise" };
            c.add(
                Check::Status,
                format!(
                    "site {} is {}, but sites.csv allows only {allowed}",
                    site.id, MODELS[model]
                ),
            );
        }
        if !site.existing && !y.producing {
            c.add(
                Check::LeadTime,
                format!(
                    "site {} is new (not existing in sites.csv) and produces in year {}, but \
                     horizon.lead_years = {}: a new site produces from year {} on",
                    site.id,
                    y.year,
                    self.lead_years,
                    self.lead_years + 1
                ),
            );
        }
        self.platform_limits(c, row, y.floor[row.s]);
        self.utilization(c, row, min_utilization);
    }

    /// The site's platforms within its limit, enough for its batches and no more than needed
    /// (never fewer than `floor`, the year before's where platforms are only added).
    fn platform_limits(&self, c: &mut Checker, row: &SiteRow, floor: f64) {
        let (site, sp) = (&self.instance.sites[row.s], &self.sp[row.s]);
        let (platforms, b) = (row.platforms, row.batches);
        if above(platforms, sp.max_platforms) {
            let source = if site.max_platforms.is_some() {
                "sites.csv max_platforms".to_string()
            } else {
                self.p.name(sp.kind, "site.max_platforms")
            };
            c.add(
                Check::Platforms,
                format!(
                    "site {} has {} platforms, above its limit of {} ({source})",
                    site.id,
                    n(platforms),
                    n(sp.max_platforms)
                ),
            );
        }
        let bpp = sp.batches_per_platform;
        let capacity = platforms * bpp;
        if above(b, capacity) {
            c.add(
                Check::Platforms,
                format!(
                    "site {} makes {} batches a year on {} of {} batches each: above their capacity of {}",
                    site.id,
                    n(b),
                    platforms_text(platforms),
                    n(bpp),
                    n(capacity)
                ),
            );
        } else if platforms >= 1.0
            && (platforms - 1.0) * bpp >= b - BATCH_NOISE
            && platforms > floor
        {
            let kept = if floor > 0.0 {
                format!(
                    ", and never fewer than the {} of the year before",
                    platforms_text(floor)
                )
            } else {
                String::new()
            };
            c.add(
                Check::Platforms,
                format!(
                    "site {} reports {}, but {} carry its {} batches (the plan reports the fewest{kept})",
                    site.id,
                    platforms_text(platforms),
                    n((b / bpp - BATCH_NOISE).ceil().max(0.0).max(floor)),
                    n(b)
                ),
            );
        }
    }

    /// The site's utilization as the plan reports it, and against `policy.min_utilization`.
    fn utilization(&self, c: &mut Checker, row: &SiteRow, min_utilization: f64) {
        let (site, sp) = (&self.instance.sites[row.s], &self.sp[row.s]);
        let (platforms, b) = (row.platforms, row.batches);
        let bpp = sp.batches_per_platform;
        let capacity = platforms * bpp;
        if let Some(u) = row.utilization {
            let expected = if capacity > 0.0 { b / capacity } else { 0.0 };
            if differs6(u, expected) {
                c.add(
                    Check::Kpi,
                    format!(
                        "site {}: utilization {}, recomputed {} ({} batches / ({} x {} batches each))",
                        site.id,
                        n(u),
                        n(expected),
                        n(b),
                        platforms_text(platforms),
                        n(bpp)
                    ),
                );
            }
        }
        if b + BATCH_NOISE < min_utilization * capacity {
            c.add(
                Check::Policy,
                format!(
                    "site {} uses {} of its {} batches of capacity, below policy.min_utilization = {}",
                    site.id,
                    n(b),
                    n(capacity),
                    n(min_utilization)
                ),
            );
        }
    }

    /// The open site's share of the cost lines and the counts.
    fn add_site_costs(&self, row: &SiteRow, model: usize, tally: &mut SiteTally) {
        let (p, sp) = (&self.p, &self.sp[row.s]);
        let name = MODELS[model];
        tally.setup += sp.setup[model] * sp.crf;
        tally.fixed += p.kind(sp.kind, &format!("site.fixed_cost_{name}"));
        tally.platform_cost += row.platforms * p.kind(sp.kind, &format!("platform.cost_{name}"));
        tally.batch_cost += row.batches * p.kind(sp.kind, &format!("batch.cost_{name}"));
        tally.open += 1;
        tally.platforms_total += row.platforms;
        if model == 0 {
            tally.owned += 1;
        } else {
            tally.franchise += 1;
        }
    }

    /// `policy.min_sites` (from the first year new sites can produce), `policy.max_sites` and
    /// `policy.max_franchise_share`.
    pub(super) fn site_counts(&self, c: &mut Checker, y: &YearInput<'_>, tally: &SiteTally) {
        let p = &self.p;
        let (open, franchise) = (tally.open, tally.franchise);
        let min_sites = p.get("policy.min_sites");
        let max_sites = p.get("policy.max_sites");
        if y.producing && (open as f64) < min_sites {
            c.add(
                Check::Policy,
                format!(
                    "{open} sites are open, fewer than policy.min_sites = {}",
                    n(min_sites)
                ),
            );
        }
        if max_sites >= 0.0 && open as f64 > max_sites {
            c.add(
                Check::Policy,
                format!(
                    "{open} sites are open, more than policy.max_sites = {}",
                    n(max_sites)
                ),
            );
        }
        let share = p.get("policy.max_franchise_share");
        if franchise as f64 > share * open as f64 + SHARE_NOISE {
            c.add(
                Check::Policy,
                format!(
                    "{franchise} of {open} open sites are franchised, above policy.max_franchise_share = {}",
                    n(share)
                ),
            );
        }
    }
}
