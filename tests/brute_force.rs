//! Property test: on random tiny instances, the MILP's optimum (`cartnet::optimize`) equals a brute
//! force that shares none of the model code.
//!
//! The brute force enumerates every choice per candidate site (closed, or open under an allowed
//! operating model with 0..=N platforms; existing sites must be open) and, with those fixed, solves
//! the flow subproblem exactly as a min-cost flow (successive shortest paths, Bellman-Ford):
//!
//! ```text
//! source -> demand d            cap p[d]
//! demand d -> sink              cost penalty            (unserved; absent under full coverage)
//! demand d -> hospital-in h     cost patient arc cost   (feasible patient arcs only)
//! hospital-in h -> hospital-out h   cap max_patients[h]
//! hospital-out h -> site s      cost (leg costs + batch cost[k]) / (1 - f[s])   (feasible cell arcs)
//! site s -> sink                cap n * B[s] * (1 - f[s])
//! ```
//!
//! Only `Network::build` (feasible arcs and their leg costs) is shared with the library. The
//! per-site cost terms are recomputed here from the generated parameters (and checked against
//! `SiteTerms`, so a mismatch is reported as such rather than as a wrong optimum).
//!
//! Environment: `PROPTEST_CASES` (default 256) and `BRUTE_FORCE_SEED` (default fixed) override the
//! run's size and seed.

mod common;
use cartnet::input::{DemandPoint, Hospital, Instance, Scenario, Site, SiteKind};
use cartnet::network::Network;
use cartnet::plan::{Plan, Provenance};
use cartnet::solve::{SolveOptions, Status};
use cartnet::{Outcome, optimize};
use common::min_cost_flow::MinCostFlow;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;
use std::fmt::Write as _;

const CENTER_LAT: f64 = 40.0;
const CENTER_LON: f64 = -90.0;

// ---------------------------------------------------------------------------------------------
// The generated case
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct GenDemand {
    dlat: f64,
    dlon: f64,
    patients: f64,
}

#[derive(Debug, Clone)]
struct GenHospital {
    dlat: f64,
    dlon: f64,
    max_patients: Option<f64>,
}

#[derive(Debug, Clone)]
struct GenSite {
    dlat: f64,
    dlon: f64,
    kind: SiteKind,
    /// For a colocated site: the host, taken modulo the number of hospitals.
    host: Option<usize>,
    max_platforms: Option<u32>,
    allow: [bool; 2],
    setup_cost_owned: Option<f64>,
    setup_cost_franchise: Option<f64>,
    batches_per_platform: Option<f64>,
    existing: bool,
}

/// Per-kind overrides (`[kinds.<kind>]`).
#[derive(Debug, Clone, Default)]
struct GenKind {
    max_platforms: Option<u32>,
    fixed_cost_owned: Option<f64>,
    batches_per_year: Option<f64>,
    batch_cost_owned: Option<f64>,
    batch_cost_franchise: Option<f64>,
    failure_rate: Option<f64>,
    max_fresh_transit_hours: Option<f64>,
}

#[derive(Debug, Clone)]
struct GenParams {
    max_platforms: u32,
    setup_cost: [f64; 2],
    fixed_cost: [f64; 2],
    amortization_years: f64,
    discount_rate: f64,
    batches_per_year: f64,
    platform_cost: [f64; 2],
    batch_cost: [f64; 2],
    failure_rate: f64,
    max_vein_to_vein_days: f64,
    max_patient_travel_hours: f64,
    max_fresh_transit_hours: f64,
    air_threshold_km: f64,
    air_handling_hours: f64,
    air_cost: f64,
    ground_cost_fixed: f64,
    ground_cost_per_km: f64,
    patient_cost_per_km: f64,
    unserved_penalty: f64,
    full_coverage: bool,
    /// Indexed like `SiteKind::ALL` (colocated, regional, central).
    kinds: [GenKind; 3],
}

#[derive(Debug, Clone)]
struct Case {
    demand: Vec<GenDemand>,
    hospitals: Vec<GenHospital>,
    sites: Vec<GenSite>,
    params: GenParams,
}

/// An offset in degrees, in hundredths (so values print and round-trip exactly).
fn offset() -> impl Strategy<Value = f64> {
    (-120i32..=120).prop_map(|x| f64::from(x) / 100.0)
}

/// `lo..=hi` in steps of `step`.
fn stepped(lo: u32, hi: u32, step: f64) -> impl Strategy<Value = f64> {
    (lo..=hi).prop_map(move |x| f64::from(x) * step)
}

fn gen_demand() -> impl Strategy<Value = GenDemand> {
    (offset(), offset(), stepped(0, 80, 0.5)).prop_map(|(dlat, dlon, patients)| GenDemand {
        dlat,
        dlon,
        patients,
    })
}

fn gen_hospital() -> impl Strategy<Value = GenHospital> {
    (
        offset(),
        offset(),
        proptest::option::weighted(0.4, stepped(0, 60, 1.0)),
    )
        .prop_map(|(dlat, dlon, max_patients)| GenHospital {
            dlat,
            dlon,
            max_patients,
        })
}

fn gen_kind() -> impl Strategy<Value = SiteKind> {
    prop_oneof![
        Just(SiteKind::Colocated),
        Just(SiteKind::Regional),
        Just(SiteKind::Central)
    ]
}

fn gen_allow() -> impl Strategy<Value = [bool; 2]> {
    prop_oneof![Just([true, true]), Just([true, false]), Just([false, true])]
}

fn gen_site() -> impl Strategy<Value = GenSite> {
    (
        (
            offset(),
            offset(),
            gen_kind(),
            proptest::option::weighted(0.8, 0usize..4),
        ),
        (
            proptest::option::weighted(0.5, 0u32..=2),
            gen_allow(),
            proptest::option::weighted(0.3, stepped(0, 30, 100_000.0)),
            proptest::option::weighted(0.3, stepped(0, 10, 100_000.0)),
            proptest::option::weighted(0.3, stepped(2, 60, 0.5)),
            proptest::bool::weighted(0.2),
        ),
    )
        .prop_map(
            |((dlat, dlon, kind, host), (max_platforms, allow, so, sf, bpp, existing))| GenSite {
                dlat,
                dlon,
                kind,
                host,
                max_platforms,
                allow,
                setup_cost_owned: so,
                setup_cost_franchise: sf,
                batches_per_platform: bpp,
                existing,
            },
        )
}

fn gen_kind_overrides() -> impl Strategy<Value = GenKind> {
    use proptest::option::weighted;
    (
        weighted(0.2, 0u32..=2),
        weighted(0.2, stepped(0, 15, 100_000.0)),
        weighted(0.2, stepped(2, 60, 0.5)),
        weighted(0.2, stepped(1, 30, 10_000.0)),
        weighted(0.2, stepped(1, 30, 10_000.0)),
        weighted(0.2, stepped(0, 30, 0.01)),
        weighted(0.2, stepped(1, 12, 0.5)),
    )
        .prop_map(|(mp, fo, bpy, bco, bcf, fr, fresh)| GenKind {
            max_platforms: mp,
            fixed_cost_owned: fo,
            batches_per_year: bpy,
            batch_cost_owned: bco,
            batch_cost_franchise: bcf,
            failure_rate: fr,
            max_fresh_transit_hours: fresh,
        })
}

fn gen_params() -> impl Strategy<Value = GenParams> {
    let site = (
        0u32..=2,
        stepped(0, 30, 100_000.0),
        stepped(0, 10, 100_000.0),
        stepped(0, 15, 100_000.0),
        stepped(0, 5, 100_000.0),
        stepped(1, 20, 1.0),
        prop_oneof![Just(0.0), stepped(1, 15, 0.01)],
    );
    let production = (
        stepped(2, 60, 0.5),
        stepped(0, 30, 10_000.0),
        prop_oneof![Just(0.0), stepped(1, 10, 10_000.0)],
        stepped(1, 30, 10_000.0),
        stepped(1, 30, 10_000.0),
        stepped(0, 30, 0.01),
    );
    let time_transport = (
        stepped(56, 100, 0.25),
        stepped(2, 8, 0.5),
        stepped(1, 12, 0.5),
        prop_oneof![Just(500.0), stepped(0, 20, 10.0)],
        stepped(0, 8, 0.5),
        stepped(0, 30, 100.0),
        stepped(0, 10, 100.0),
        stepped(0, 50, 0.1),
        prop_oneof![Just(0.0), stepped(1, 20, 1.0)],
    );
    let demand = (stepped(1, 200, 10_000.0), proptest::bool::weighted(0.15));
    let kinds = [
        gen_kind_overrides(),
        gen_kind_overrides(),
        gen_kind_overrides(),
    ];
    (site, production, time_transport, demand, kinds).prop_map(
        |(
            (max_platforms, so, sf, fo, ff, years, rate),
            (bpy, po, pf, bo, bf, fr),
            (v2v, travel, fresh, air_km, air_h, air_cost, gfix, gkm, pkm),
            (penalty, full),
            kinds,
        )| GenParams {
            max_platforms,
            setup_cost: [so, sf],
            fixed_cost: [fo, ff],
            amortization_years: years,
            discount_rate: rate,
            batches_per_year: bpy,
            platform_cost: [po, pf],
            batch_cost: [bo, bf],
            failure_rate: fr,
            max_vein_to_vein_days: v2v,
            max_patient_travel_hours: travel,
            max_fresh_transit_hours: fresh,
            air_threshold_km: air_km,
            air_handling_hours: air_h,
            air_cost,
            ground_cost_fixed: gfix,
            ground_cost_per_km: gkm,
            patient_cost_per_km: pkm,
            unserved_penalty: penalty,
            full_coverage: full,
            kinds,
        },
    )
}

fn gen_case() -> impl Strategy<Value = Case> {
    (
        proptest::collection::vec(gen_demand(), 1..=6),
        proptest::collection::vec(gen_hospital(), 1..=4),
        proptest::collection::vec(gen_site(), 1..=4),
        gen_params(),
    )
        .prop_map(|(demand, hospitals, sites, params)| Case {
            demand,
            hospitals,
            sites,
            params,
        })
}

// ---------------------------------------------------------------------------------------------
// From the case to the library's inputs
// ---------------------------------------------------------------------------------------------

fn instance(case: &Case) -> Instance {
    let demand = case
        .demand
        .iter()
        .enumerate()
        .map(|(i, d)| DemandPoint {
            id: format!("d{i}"),
            name: format!("d{i}"),
            lat: CENTER_LAT + d.dlat,
            lon: CENTER_LON + d.dlon,
            patients: d.patients,
            growth: None,
        })
        .collect();
    let hospitals: Vec<Hospital> = case
        .hospitals
        .iter()
        .enumerate()
        .map(|(i, h)| Hospital {
            id: format!("h{i}"),
            name: format!("h{i}"),
            lat: CENTER_LAT + h.dlat,
            lon: CENTER_LON + h.dlon,
            max_patients: h.max_patients,
        })
        .collect();
    let sites = case
        .sites
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let host = match s.kind {
                SiteKind::Colocated => s.host.map(|h| h % hospitals.len()),
                _ => None,
            };
            // A co-located site with a host stands in its host's building.
            let (lat, lon) = match host {
                Some(h) => (hospitals[h].lat, hospitals[h].lon),
                None => (CENTER_LAT + s.dlat, CENTER_LON + s.dlon),
            };
            Site {
                id: format!("s{i}"),
                name: format!("s{i}"),
                lat,
                lon,
                kind: s.kind,
                hospital: host,
                max_platforms: s.max_platforms,
                allow: s.allow,
                setup_cost_owned: s.setup_cost_owned,
                setup_cost_franchise: s.setup_cost_franchise,
                batches_per_platform: s.batches_per_platform,
                existing: s.existing,
            }
        })
        .collect();
    Instance {
        demand,
        hospitals,
        sites,
        lanes: Vec::new(),
    }
}

/// The scenario as a TOML text of overrides (keys of DESIGN §4).
fn scenario_toml(p: &GenParams) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "[site]");
    let _ = writeln!(t, "max_platforms = {}", p.max_platforms);
    let _ = writeln!(t, "setup_cost_owned = {:?}", p.setup_cost[0]);
    let _ = writeln!(t, "setup_cost_franchise = {:?}", p.setup_cost[1]);
    let _ = writeln!(t, "fixed_cost_owned = {:?}", p.fixed_cost[0]);
    let _ = writeln!(t, "fixed_cost_franchise = {:?}", p.fixed_cost[1]);
    let _ = writeln!(t, "amortization_years = {:?}", p.amortization_years);
    let _ = writeln!(t, "discount_rate = {:?}", p.discount_rate);
    let _ = writeln!(t, "[platform]");
    let _ = writeln!(t, "batches_per_year = {:?}", p.batches_per_year);
    let _ = writeln!(t, "cost_owned = {:?}", p.platform_cost[0]);
    let _ = writeln!(t, "cost_franchise = {:?}", p.platform_cost[1]);
    let _ = writeln!(t, "[batch]");
    let _ = writeln!(t, "cost_owned = {:?}", p.batch_cost[0]);
    let _ = writeln!(t, "cost_franchise = {:?}", p.batch_cost[1]);
    let _ = writeln!(t, "failure_rate = {:?}", p.failure_rate);
    let _ = writeln!(t, "[time]");
    let _ = writeln!(t, "max_vein_to_vein_days = {:?}", p.max_vein_to_vein_days);
    let _ = writeln!(
        t,
        "max_patient_travel_hours = {:?}",
        p.max_patient_travel_hours
    );
    let _ = writeln!(
        t,
        "max_fresh_transit_hours = {:?}",
        p.max_fresh_transit_hours
    );
    let _ = writeln!(t, "[transport]");
    let _ = writeln!(t, "air_threshold_km = {:?}", p.air_threshold_km);
    let _ = writeln!(t, "air_handling_hours = {:?}", p.air_handling_hours);
    let _ = writeln!(t, "air_cost = {:?}", p.air_cost);
    let _ = writeln!(t, "ground_cost_fixed = {:?}", p.ground_cost_fixed);
    let _ = writeln!(t, "ground_cost_per_km = {:?}", p.ground_cost_per_km);
    let _ = writeln!(t, "patient_cost_per_km = {:?}", p.patient_cost_per_km);
    let _ = writeln!(t, "[demand]");
    let _ = writeln!(t, "unserved_penalty = {:?}", p.unserved_penalty);
    let _ = writeln!(t, "full_coverage = {}", p.full_coverage);
    for (kind, k) in SiteKind::ALL.iter().zip(&p.kinds) {
        let mut lines = Vec::new();
        if let Some(v) = k.max_platforms {
            lines.push(format!("site.max_platforms = {v}"));
        }
        if let Some(v) = k.fixed_cost_owned {
            lines.push(format!("site.fixed_cost_owned = {v:?}"));
        }
        if let Some(v) = k.batches_per_year {
            lines.push(format!("platform.batches_per_year = {v:?}"));
        }
        if let Some(v) = k.batch_cost_owned {
            lines.push(format!("batch.cost_owned = {v:?}"));
        }
        if let Some(v) = k.batch_cost_franchise {
            lines.push(format!("batch.cost_franchise = {v:?}"));
        }
        if let Some(v) = k.failure_rate {
            lines.push(format!("batch.failure_rate = {v:?}"));
        }
        if let Some(v) = k.max_fresh_transit_hours {
            lines.push(format!("time.max_fresh_transit_hours = {v:?}"));
        }
        if !lines.is_empty() {
            let _ = writeln!(t, "[kinds.{}]", kind.as_str());
            for l in lines {
                let _ = writeln!(t, "{l}");
            }
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Independent cost terms
// ---------------------------------------------------------------------------------------------

/// What a site costs and can make, recomputed from the generated parameters (not `SiteTerms`).
#[derive(Debug, Clone)]
struct Terms {
    max_platforms: u32,
    batches_per_platform: f64,
    allowed: [bool; 2],
    existing: bool,
    /// Setup (annualized) + fixed, USD per year, per operating model.
    open_per_year: [f64; 2],
    platform_per_year: [f64; 2],
    batch_cost: [f64; 2],
    failure_rate: f64,
}

fn expected_terms(case: &Case) -> Vec<Terms> {
    let p = &case.params;
    case.sites
        .iter()
        .map(|s| {
            let ki = SiteKind::ALL.iter().position(|&k| k == s.kind).unwrap();
            let k = &p.kinds[ki];
            // The baseline's own override for central sites, unless the case overrides it again.
            let default_batch_owned = if s.kind == SiteKind::Central {
                250_000.0
            } else {
                p.batch_cost[0]
            };
            let rate = p.discount_rate;
            let years = p.amortization_years;
            let crf = if rate == 0.0 {
                1.0 / years
            } else {
                rate / (1.0 - (1.0 + rate).powf(-years))
            };
            let setup = if s.existing {
                [0.0, 0.0]
            } else {
                [
                    s.setup_cost_owned.unwrap_or(p.setup_cost[0]),
                    s.setup_cost_franchise.unwrap_or(p.setup_cost[1]),
                ]
            };
            let fixed = [
                k.fixed_cost_owned.unwrap_or(p.fixed_cost[0]),
                p.fixed_cost[1],
            ];
            Terms {
                max_platforms: s
                    .max_platforms
                    .unwrap_or(k.max_platforms.unwrap_or(p.max_platforms)),
                batches_per_platform: s
                    .batches_per_platform
                    .unwrap_or(k.batches_per_year.unwrap_or(p.batches_per_year)),
                allowed: s.allow,
                existing: s.existing,
                open_per_year: [setup[0] * crf + fixed[0], setup[1] * crf + fixed[1]],
                platform_per_year: p.platform_cost,
                batch_cost: [
                    k.batch_cost_owned.unwrap_or(default_batch_owned),
                    k.batch_cost_franchise.unwrap_or(p.batch_cost[1]),
                ],
                failure_rate: k.failure_rate.unwrap_or(p.failure_rate),
            }
        })
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

/// Checks `SiteTerms` (the library's) against the terms recomputed here.
fn check_terms(ours: &[Terms], network: &Network) -> Result<(), String> {
    for (s, (o, t)) in ours.iter().zip(&network.terms).enumerate() {
        let lib_open = [
            t.setup_per_year[0] + t.fixed_per_year[0],
            t.setup_per_year[1] + t.fixed_per_year[1],
        ];
        let ok = o.max_platforms == t.max_platforms
            && close(o.batches_per_platform, t.batches_per_platform)
            && o.allowed == t.allowed
            && o.existing == t.existing
            && (0..2).all(|k| {
                close(o.open_per_year[k], lib_open[k])
                    && close(o.platform_per_year[k], t.platform_per_year[k])
                    && close(o.batch_cost[k], t.batch_cost[k])
            })
            && close(o.failure_rate, t.failure_rate);
        if !ok {
            return Err(format!(
                "site s{s}: SiteTerms {t:?} differ from the terms recomputed from the scenario {o:?}"
            ));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Min-cost flow: successive shortest paths with Bellman-Ford, real capacities
// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// The brute force
// ---------------------------------------------------------------------------------------------

/// A site's decision: closed, or open under model k with n platforms.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Choice {
    Closed,
    Open { model: usize, platforms: u32 },
}

fn choices(t: &Terms) -> Vec<Choice> {
    let mut out = Vec::new();
    if !t.existing {
        out.push(Choice::Closed);
    }
    for model in 0..2 {
        if t.allowed[model] {
            for platforms in 0..=t.max_platforms {
                out.push(Choice::Open { model, platforms });
            }
        }
    }
    out
}

/// The flow cost of a fixed set of site decisions; `None` if full coverage cannot be met.
fn flow_cost(case: &Case, terms: &[Terms], network: &Network, decisions: &[Choice]) -> Option<f64> {
    let (nd, nh, ns) = (case.demand.len(), case.hospitals.len(), case.sites.len());
    let (src, sink) = (0, 1);
    let dem = |d: usize| 2 + d;
    let hin = |h: usize| 2 + nd + h;
    let hout = |h: usize| 2 + nd + nh + h;
    let site = |s: usize| 2 + nd + 2 * nh + s;
    let mut g = MinCostFlow::new(2 + nd + 2 * nh + ns);
    let p = &case.params;
    let total: f64 = case.demand.iter().map(|d| d.patients).sum();
    for (d, dp) in case.demand.iter().enumerate() {
        g.add(src, dem(d), dp.patients, 0.0);
        if !p.full_coverage {
            g.add(dem(d), sink, f64::INFINITY, p.unserved_penalty);
        }
    }
    for arc in network.patient_arcs() {
        g.add(
            dem(arc.demand),
            hin(arc.hospital),
            f64::INFINITY,
            arc.cost_per_patient,
        );
    }
    for (h, hp) in case.hospitals.iter().enumerate() {
        g.add(
            hin(h),
            hout(h),
            hp.max_patients.unwrap_or(f64::INFINITY),
            0.0,
        );
    }
    for arc in network.cell_arcs() {
        if let Choice::Open { model, .. } = decisions[arc.site] {
            let t = &terms[arc.site];
            let per_batch = arc.out.cost + arc.back.cost + t.batch_cost[model];
            g.add(
                hout(arc.hospital),
                site(arc.site),
                f64::INFINITY,
                per_batch / (1.0 - t.failure_rate),
            );
        }
    }
    for (s, t) in terms.iter().enumerate() {
        if let Choice::Open { platforms, .. } = decisions[s] {
            let patients = f64::from(platforms) * t.batches_per_platform * (1.0 - t.failure_rate);
            g.add(site(s), sink, patients, 0.0);
        }
    }
    let (flow, cost) = g.run(src, sink, total);
    (flow >= total - 1e-9).then_some(cost)
}

/// The optimum over every combination of site decisions, and the decisions reaching it.
fn brute_force(case: &Case, terms: &[Terms], network: &Network) -> Option<(f64, Vec<Choice>)> {
    let options: Vec<Vec<Choice>> = terms.iter().map(choices).collect();
    let mut index = vec![0usize; options.len()];
    let mut best: Option<(f64, Vec<Choice>)> = None;
    loop {
        let decisions: Vec<Choice> = index.iter().zip(&options).map(|(&i, o)| o[i]).collect();
        let fixed: f64 = decisions
            .iter()
            .zip(terms)
            .map(|(c, t)| match *c {
                Choice::Closed => 0.0,
                Choice::Open { model, platforms } => {
                    t.open_per_year[model] + t.platform_per_year[model] * f64::from(platforms)
                }
            })
            .sum();
        if best.as_ref().is_none_or(|(b, _)| fixed < *b)
            && let Some(flow) = flow_cost(case, terms, network, &decisions)
        {
            let cost = fixed + flow;
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, decisions));
            }
        }
        // next combination (odometer)
        let mut i = 0;
        loop {
            if i == index.len() {
                return best;
            }
            index[i] += 1;
            if index[i] < options[i].len() {
                break;
            }
            index[i] = 0;
            i += 1;
        }
    }
}

/// A bound on Σ|objective coefficient| over the continuous columns: the plan rounds each column to
/// 1e-6 and HiGHS keeps rows to ~1e-7, so the plan's total may move by about 1e-6 of this.
fn rounding_scale(case: &Case, terms: &[Terms], network: &Network) -> f64 {
    let penalty = case.params.unserved_penalty * case.demand.len() as f64;
    let patients: f64 = network.patient_arcs().map(|a| a.cost_per_patient).sum();
    let legs: f64 = network.cell_arcs().map(|a| a.out.cost + a.back.cost).sum();
    let batches: f64 = terms
        .iter()
        .map(|t| t.batch_cost[0] + t.batch_cost[1])
        .sum();
    penalty + patients + legs + batches
}

fn describe(plan: &Plan) -> String {
    let sites: Vec<String> = plan
        .sites
        .iter()
        .map(|s| {
            format!(
                "{}:{}x{} ({} batches)",
                s.id,
                s.status.as_str(),
                s.platforms,
                s.batches
            )
        })
        .collect();
    format!(
        "plan cost {:?}; sites [{}]; unserved {:?}",
        plan.cost,
        sites.join(", "),
        plan.unserved
            .iter()
            .map(|u| (&u.demand, u.patients))
            .collect::<Vec<_>>()
    )
}

/// Solves `case` both ways and compares.
fn check(case: &Case) -> Result<(), TestCaseError> {
    let instance = instance(case);
    let toml = scenario_toml(&case.params);
    let scenario = Scenario::parse(&toml, "brute_force.toml", &[])
        .map_err(|e| TestCaseError::fail(format!("scenario rejected: {e:?}\n{toml}")))?;
    let network = Network::build(&instance, &scenario);
    let terms = expected_terms(case);
    check_terms(&terms, &network).map_err(TestCaseError::fail)?;

    let outcome = optimize(
        &instance,
        &scenario,
        &network,
        &SolveOptions::default(),
        Provenance {
            data: "brute_force",
            model: "brute_force.toml",
        },
    )
    .map_err(|e| TestCaseError::fail(format!("solver error: {e}")))?;
    let brute = brute_force(case, &terms, &network);
    let arcs = format!(
        "{} patient arcs, {} cell arcs",
        network.patient_arc_count(),
        network.cell_arc_count()
    );
    match (outcome, brute) {
        (Outcome::Plan(plan), Some((best, decisions))) => {
            // `cartnet verify`'s check, in process, against the same instance and scenario
            let json = serde_json::to_value(&*plan).expect("a plan serializes");
            let v = cartnet::verify::verify(&json, &instance, &scenario.to_json());
            prop_assert!(v.holds(), "verify rejects the plan: {:#?}", v.violations);
            prop_assert_eq!(
                plan.solver.status,
                Status::Optimal,
                "not proven optimal: {:?}",
                plan.solver
            );
            let total = plan.cost.total;
            let tol = 1e-6 * total.abs().max(best.abs())
                + 1e-6 * rounding_scale(case, &terms, &network)
                + 0.02;
            prop_assert!(
                (total - best).abs() <= tol,
                "plan total {} vs brute force {} (diff {}, tol {}); brute decisions {:?}; {}; {}",
                total,
                best,
                total - best,
                tol,
                decisions,
                describe(&plan),
                arcs
            );
            let c = &plan.cost;
            let lines = c.setup
                + c.fixed
                + c.platforms
                + c.batches
                + c.transport
                + c.patient_travel
                + c.unmet_penalty;
            prop_assert!(
                (lines - c.total).abs() <= 0.05,
                "cost lines {lines} do not sum to the total {}",
                c.total
            );
        }
        (Outcome::Infeasible { .. }, None) => {}
        (Outcome::Plan(plan), None) => {
            return Err(TestCaseError::fail(format!(
                "the library found a plan but no combination is feasible: {}; {arcs}",
                describe(&plan)
            )));
        }
        (other, brute) => {
            return Err(TestCaseError::fail(format!(
                "the library returned {other:?} but the brute force found {brute:?}; {arcs}"
            )));
        }
    }
    Ok(())
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: env_u64("PROPTEST_CASES").map_or(256, |c| c as u32),
        rng_seed: RngSeed::Fixed(env_u64("BRUTE_FORCE_SEED").unwrap_or(0x0CA7_2024)),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..ProptestConfig::default()
    })]

    /// The MILP's optimum equals the brute force's on random tiny instances.
    #[test]
    fn milp_matches_brute_force(case in gen_case()) {
        check(&case)?;
    }
}

/// The brute force itself on a hand-checked instance: one hospital, one site, one platform.
#[test]
fn brute_force_hand_example() {
    let mut params = hand_params();
    let case = |params: &GenParams| Case {
        demand: vec![GenDemand {
            dlat: 0.0,
            dlon: 0.0,
            patients: 8.0,
        }],
        hospitals: vec![GenHospital {
            dlat: 0.0,
            dlon: 0.0,
            max_patients: None,
        }],
        sites: vec![GenSite {
            dlat: 0.0,
            dlon: 0.0,
            kind: SiteKind::Colocated,
            host: Some(0),
            max_platforms: None,
            allow: [true, false],
            setup_cost_owned: None,
            setup_cost_franchise: None,
            batches_per_platform: None,
            existing: false,
        }],
        params: params.clone(),
    };
    // One platform makes 10 batches = 5 patients at 200 USD each; 3 go unserved at 10,000.
    // Open: 1000 + 500 + 5 * 200 + 3 * 10,000 = 32,500 < closed: 8 * 10,000 = 80,000.
    let c = case(&params);
    let inst = instance(&c);
    let scenario = Scenario::parse(&scenario_toml(&c.params), "hand.toml", &[]).unwrap();
    let network = Network::build(&inst, &scenario);
    let terms = expected_terms(&c);
    let (best, decisions) = brute_force(&c, &terms, &network).unwrap();
    assert!((best - 32_500.0).abs() < 1e-6, "{best}");
    assert_eq!(
        decisions,
        vec![Choice::Open {
            model: 0,
            platforms: 1
        }]
    );
    check(&c).unwrap();
    // Under full coverage the single platform cannot serve 8 patients: infeasible both ways.
    params.full_coverage = true;
    let c = case(&params);
    assert!(brute_force(&c, &terms, &network).is_none());
    check(&c).unwrap();
}

fn hand_params() -> GenParams {
    GenParams {
        max_platforms: 1,
        setup_cost: [0.0, 0.0],
        fixed_cost: [1000.0, 0.0],
        amortization_years: 10.0,
        discount_rate: 0.0,
        batches_per_year: 10.0,
        platform_cost: [500.0, 0.0],
        batch_cost: [100.0, 0.0],
        failure_rate: 0.5,
        max_vein_to_vein_days: 28.0,
        max_patient_travel_hours: 2.0,
        max_fresh_transit_hours: 48.0,
        air_threshold_km: 500.0,
        air_handling_hours: 12.0,
        air_cost: 2500.0,
        ground_cost_fixed: 0.0,
        ground_cost_per_km: 0.0,
        patient_cost_per_km: 0.0,
        unserved_penalty: 10_000.0,
        full_coverage: false,
        kinds: Default::default(),
    }
}

/// A case for the regression tests: one demand point, one hospital, one regional site that no
/// hospital can reach (0.5 h of fresh transit reaches ~30 km; the site is ~111 km away), so the
/// model has no site variables and hence no integer columns.
fn unreachable_site_case(demand_dlat: f64, patients: f64, full_coverage: bool) -> Case {
    Case {
        demand: vec![GenDemand {
            dlat: demand_dlat,
            dlon: 0.0,
            patients,
        }],
        hospitals: vec![GenHospital {
            dlat: 0.0,
            dlon: 0.0,
            max_patients: None,
        }],
        sites: vec![GenSite {
            dlat: 1.0,
            dlon: 0.0,
            kind: SiteKind::Regional,
            host: None,
            max_platforms: None,
            allow: [true, true],
            setup_cost_owned: None,
            setup_cost_franchise: None,
            batches_per_platform: None,
            existing: false,
        }],
        params: GenParams {
            max_fresh_transit_hours: 0.5,
            full_coverage,
            ..hand_params()
        },
    }
}

fn solve_case(case: &Case) -> (Network, Result<Outcome, cartnet::solve::SolveError>) {
    let inst = instance(case);
    let scenario = Scenario::parse(&scenario_toml(&case.params), "regression.toml", &[]).unwrap();
    let network = Network::build(&inst, &scenario);
    let outcome = optimize(
        &inst,
        &scenario,
        &network,
        &SolveOptions::default(),
        Provenance {
            data: "regression",
            model: "regression.toml",
        },
    );
    (network, outcome)
}

/// With no usable site the model is a pure LP: its optimum is proven, so the plan must say
/// "optimal" with a bound equal to the objective. (HiGHS leaves `mip_dual_bound` at 0 after an LP;
/// read as the bound, it gave status "feasible" with gap 1 before `solve` checked for integers.)
#[test]
fn pure_lp_is_reported_optimal() {
    // 10 patients, the hospital beside them, no site: all unserved at 10,000 USD each.
    let case = unreachable_site_case(0.0, 10.0, false);
    let (network, outcome) = solve_case(&case);
    assert_eq!(
        (network.patient_arc_count(), network.cell_arc_count()),
        (1, 0)
    );
    let Ok(Outcome::Plan(plan)) = outcome else {
        panic!("expected a plan, got {outcome:?}")
    };
    assert_eq!(plan.cost.total, 100_000.0);
    assert_eq!(plan.solver.status, Status::Optimal, "{:?}", plan.solver);
    assert_eq!(plan.solver.best_bound, Some(100_000.0), "{:?}", plan.solver);
    assert_eq!(plan.solver.gap, Some(0.0), "{:?}", plan.solver);
}

/// Under full coverage, with no patient arc and no usable site, the model has no columns at all
/// and its demand row reads `0 = 5`: infeasible. HiGHS does not check the rows of a model without
/// columns (it answers ModelEmpty); `solve` returns "optimal" at cost 0 instead.
#[test]
fn empty_model_with_unmet_full_coverage_is_infeasible() {
    // The demand point is ~111 km from the only hospital: beyond 2 h of patient travel.
    let (network, outcome) = solve_case(&unreachable_site_case(1.0, 5.0, true));
    assert_eq!(
        (network.patient_arc_count(), network.cell_arc_count()),
        (0, 0)
    );
    assert!(
        matches!(outcome, Ok(Outcome::Infeasible { .. })),
        "{outcome:?}"
    );
    // With no patients the same empty model is trivially optimal at zero cost.
    let (_, outcome) = solve_case(&unreachable_site_case(1.0, 0.0, true));
    let Ok(Outcome::Plan(plan)) = outcome else {
        panic!("expected a plan, got {outcome:?}")
    };
    assert_eq!(plan.cost.total, 0.0);
    assert_eq!(plan.solver.status, Status::Optimal);
}
