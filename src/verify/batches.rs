//! Batch flows (shipment legs recomputed, the fresh-transit and vein-to-vein limits), batches
//! per patient and single sourcing.

use super::Check;
use super::checker::{Checker, differs6, late, n, unbalanced};
use super::params::{Params, SiteParams};
use super::travel::{Leg, haversine_km};
use super::year::{Ctx, YearInput};
use crate::input::NodeRef;
use serde_json::Value;
use std::collections::HashMap;

/// Hours in a day: legs are timed in hours, vein-to-vein in days.
const HOURS_PER_DAY: f64 = 24.0;

/// What a year's batch flows add up to.
pub(super) struct BatchTally {
    /// Batches each site receives.
    pub(super) received: Vec<f64>,
    /// Batches shipped for each hospital.
    pub(super) shipped: Vec<f64>,
    /// Patients each hospital's batches carry: sum of (1 - the site's failure rate) x batches.
    pub(super) covered: Vec<f64>,
    /// The failure rates of the sites each hospital gets batches from.
    pub(super) rates: Vec<Vec<f64>>,
    /// How many sites each hospital gets batches from.
    pub(super) sources: Vec<usize>,
    /// The transport cost line.
    pub(super) transport: f64,
    pub(super) v2v_max: Option<f64>,
    /// Sum of batches x vein-to-vein days, for the mean.
    pub(super) v2v_weight: f64,
    pub(super) batches_total: f64,
}

/// The two legs of a batch flow, as recomputed.
struct Legs {
    out: Leg,
    back: Leg,
    /// Great-circle km between the hospital and the site.
    gc: f64,
    /// Vein-to-vein days: both legs, manufacturing and release.
    v2v: f64,
}

/// How a leg's time was found, for messages.
fn leg_how(p: &Params<'_>, l: &Leg, gc: f64) -> String {
    match l.how {
        "ground" => format!(
            "ground: {} road km at transport.ground_kmh = {}",
            n(gc * p.get("transport.circuity")),
            n(p.get("transport.ground_kmh"))
        ),
        "air" => format!(
            "air: transport.air_handling_hours + {} km at transport.air_kmh",
            n(gc)
        ),
        other => other.to_string(),
    }
}

impl Ctx<'_> {
    /// Each batch flow's ends, legs and time limits; what the year's batches add up to.
    pub(super) fn batch_flows(&self, c: &mut Checker, y: &YearInput<'_>) -> BatchTally {
        let hospitals = self.instance.hospitals.len();
        let mut tally = BatchTally {
            received: vec![0.0; self.instance.sites.len()],
            shipped: vec![0.0; hospitals],
            covered: vec![0.0; hospitals],
            rates: vec![Vec::new(); hospitals],
            sources: vec![0usize; hospitals],
            transport: 0.0,
            v2v_max: None,
            v2v_weight: 0.0,
            batches_total: 0.0,
        };
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        for &(i, f) in &y.batch_flows {
            self.batch_flow(c, i, f, &mut seen, &mut tally);
        }
        tally
    }

    /// The legs between hospital `h` and site `s`: on site, lanes.csv (one direction standing
    /// in for the other), or the shipment model; and the vein-to-vein days over them.
    fn legs(&self, h: usize, s: usize) -> Legs {
        let (hp, site) = (&self.instance.hospitals[h], &self.instance.sites[s]);
        let gc = haversine_km(hp.lat, hp.lon, site.lat, site.lon);
        let computed = if site.hospital == Some(h) {
            Leg {
                hours: 0.0,
                cost: 0.0,
                how: "on site: the site is co-located at this hospital",
            }
        } else {
            self.p.shipment(gc)
        };
        let lane = |key: (NodeRef, NodeRef)| {
            self.cell_lanes.get(&key).map(|&(hours, cost)| Leg {
                hours,
                cost: cost.unwrap_or(computed.cost),
                how: "the measured lane in lanes.csv",
            })
        };
        let out_lane = lane((NodeRef::Hospital(h), NodeRef::Site(s)));
        let back_lane = lane((NodeRef::Site(s), NodeRef::Hospital(h)));
        let out = out_lane.or(back_lane).unwrap_or(computed);
        let back = back_lane.or(out_lane).unwrap_or(computed);
        let sp = &self.sp[s];
        Legs {
            out,
            back,
            gc,
            v2v: (out.hours + back.hours) / HOURS_PER_DAY + sp.manufacturing_days + sp.release_days,
        }
    }

    /// One batch flow, `batch_flows[i]`.
    fn batch_flow(
        &self,
        c: &mut Checker,
        i: usize,
        f: &Value,
        seen: &mut HashMap<(usize, usize), usize>,
        tally: &mut BatchTally,
    ) {
        let path = format!("batch_flows[{i}]");
        let h_id = c.text(&f["hospital"], &format!("{path}.hospital"));
        let s_id = c.text(&f["site"], &format!("{path}.site"));
        let h = self.hospital_index(c, h_id, &format!("{path}.hospital"));
        let s = self.site_index(c, s_id, &format!("{path}.site"));
        let w = c.amount(&f["batches"], &format!("{path}.batches"), "flow");
        let transit_plan = c.num(&f["transit_hours"], &format!("{path}.transit_hours"));
        let v2v_plan = c.num(
            &f["vein_to_vein_days"],
            &format!("{path}.vein_to_vein_days"),
        );
        let (Some(h), Some(s)) = (h, s) else { return };
        let (hp, site, sp) = (
            &self.instance.hospitals[h],
            &self.instance.sites[s],
            &self.sp[s],
        );
        let arc = format!("batch flow {} -> {}", hp.id, site.id);
        if let Some(j) = seen.insert((h, s), i) {
            c.add(
                Check::Plan,
                format!("{arc} is listed twice (batch_flows[{j}] and [{i}])"),
            );
        }
        let legs = self.legs(h, s);
        let v2v = legs.v2v;
        self.batch_times(c, &arc, sp, &legs, transit_plan, v2v_plan);
        let Some(w) = w else { return };
        tally.transport += w * (legs.out.cost + legs.back.cost);
        tally.received[s] += w;
        tally.shipped[h] += w;
        tally.covered[h] += (1.0 - sp.failure_rate) * w;
        tally.rates[h].push(sp.failure_rate);
        tally.sources[h] += 1;
        tally.v2v_max = Some(tally.v2v_max.map_or(v2v, |m| m.max(v2v)));
        tally.v2v_weight += w * v2v;
        tally.batches_total += w;
    }

    /// A batch flow's times against the plan's and against the fresh-transit and vein-to-vein
    /// limits of its site's kind.
    fn batch_times(
        &self,
        c: &mut Checker,
        arc: &str,
        sp: &SiteParams,
        legs: &Legs,
        transit_plan: Option<f64>,
        v2v_plan: Option<f64>,
    ) {
        let p = &self.p;
        let (out, back, v2v) = (&legs.out, &legs.back, legs.v2v);
        if let Some(x) = transit_plan
            && differs6(x, out.hours)
        {
            c.add(
                Check::Arc,
                format!(
                    "{arc}: the plan says {} transit hours, recomputed {} ({})",
                    n(x),
                    n(out.hours),
                    leg_how(p, out, legs.gc)
                ),
            );
        }
        if let Some(x) = v2v_plan
            && differs6(x, v2v)
        {
            c.add(
                Check::Arc,
                format!(
                    "{arc}: the plan says {} vein-to-vein days, recomputed {} ({} h out + {} h back, \
                     {} manufacturing + {} release days at a {} site)",
                    n(x),
                    n(v2v),
                    n(out.hours),
                    n(back.hours),
                    n(sp.manufacturing_days),
                    n(sp.release_days),
                    sp.kind
                ),
            );
        }
        let max_transit = p.kind(sp.kind, "time.max_fresh_transit_hours");
        if late(out.hours, max_transit) {
            c.add(
                Check::TransitLimit,
                format!(
                    "{arc}: {} hours of fresh transit exceeds {} = {}",
                    n(out.hours),
                    p.name(sp.kind, "time.max_fresh_transit_hours"),
                    n(max_transit)
                ),
            );
        }
        let max_v2v = p.kind(sp.kind, "time.max_vein_to_vein_days");
        if late(v2v, max_v2v) {
            c.add(
                Check::VeinToVein,
                format!(
                    "{arc}: {} vein-to-vein days exceeds {} = {}",
                    n(v2v),
                    p.name(sp.kind, "time.max_vein_to_vein_days"),
                    n(max_v2v)
                ),
            );
        }
    }

    /// Batches = patients / (1 - failure rate), per hospital.
    pub(super) fn batches_per_patient(&self, c: &mut Checker, treated: &[f64], b: &BatchTally) {
        for (h, hp) in self.instance.hospitals.iter().enumerate() {
            if !unbalanced(b.covered[h], treated[h]) {
                continue;
            }
            let mut r = b.rates[h].clone();
            r.sort_by(f64::total_cmp);
            r.dedup();
            let message = match r.as_slice() {
                [] | [_] => {
                    let f = r
                        .first()
                        .copied()
                        .unwrap_or_else(|| self.p.get("batch.failure_rate"));
                    format!(
                        "hospital {} treats {} patients a year, which takes {} batches \
                         (patients / (1 - failure rate {})), but the plan ships {} batches",
                        hp.id,
                        n(treated[h]),
                        n(treated[h] / (1.0 - f)),
                        n(f),
                        n(b.shipped[h])
                    )
                }
                _ => format!(
                    "hospital {} treats {} patients a year, but its {} batches carry {} patients \
                     (batches x (1 - each site's failure rate))",
                    hp.id,
                    n(treated[h]),
                    n(b.shipped[h]),
                    n(b.covered[h])
                ),
            };
            c.add(Check::BatchesPerPatient, message);
        }
    }

    /// `policy.single_sourcing`: each hospital gets its batches from one site.
    pub(super) fn single_sourcing(&self, c: &mut Checker, sources: &[usize]) {
        if !self.p.flag("policy.single_sourcing") {
            return;
        }
        for (h, hp) in self.instance.hospitals.iter().enumerate() {
            if sources[h] > 1 {
                c.add(
                    Check::Policy,
                    format!(
                        "hospital {} gets batches from {} sites, but policy.single_sourcing is true",
                        hp.id, sources[h]
                    ),
                );
            }
        }
    }
}
