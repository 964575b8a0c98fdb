//! Patient flows (times recomputed, the travel limit), demand balance and hospital capacity.

use super::Check;
use super::checker::{Checker, above, differs6, late, n, unbalanced};
use super::travel::haversine_km;
use super::year::{Ctx, YearInput};
use serde_json::Value;
use std::collections::HashMap;

/// Patients are driven there and back: the travel cost counts both ways.
const ROUND_TRIP: f64 = 2.0;

/// Unserved patients below this are the solver's rounding, not a shortfall.
const UNSERVED_NOISE: f64 = 1e-6;

/// What a year's patient flows add up to.
pub(super) struct PatientTally {
    /// Patients served at each demand point.
    pub(super) served: Vec<f64>,
    /// Patients treated at each hospital.
    pub(super) treated: Vec<f64>,
    /// The patient travel cost line.
    pub(super) travel: f64,
}

/// The scenario's patient travel parameters.
struct Travel {
    circuity: f64,
    kmh: f64,
    cost_per_km: f64,
    max_hours: f64,
}

impl Ctx<'_> {
    /// Each patient flow's ends, time and travel limit; the patients served and treated.
    pub(super) fn patient_flows(&self, c: &mut Checker, y: &YearInput<'_>) -> PatientTally {
        let p = &self.p;
        let travel = Travel {
            circuity: p.get("transport.circuity"),
            kmh: p.get("transport.patient_kmh"),
            cost_per_km: p.get("transport.patient_cost_per_km"),
            max_hours: p.get("time.max_patient_travel_hours"),
        };
        let mut tally = PatientTally {
            served: vec![0.0; self.instance.demand.len()],
            treated: vec![0.0; self.instance.hospitals.len()],
            travel: 0.0,
        };
        let mut seen: HashMap<(usize, usize), usize> = HashMap::new();
        for &(i, f) in &y.patient_flows {
            self.patient_flow(c, &travel, i, f, &mut seen, &mut tally);
        }
        tally
    }

    /// The time and cost of a patient's trip from demand point `d` to hospital `h` (lanes.csv,
    /// or the road at `transport.patient_kmh`), and how they were found, for messages.
    fn patient_arc(&self, travel: &Travel, d: usize, h: usize) -> (f64, f64, String) {
        let (dp, hp) = (&self.instance.demand[d], &self.instance.hospitals[h]);
        let road_km = haversine_km(dp.lat, dp.lon, hp.lat, hp.lon) * travel.circuity;
        match self.patient_lanes.get(&(d, h)) {
            Some(&(hours, cost)) => (
                hours,
                cost.unwrap_or(ROUND_TRIP * travel.cost_per_km * road_km),
                "the measured lane in lanes.csv".to_string(),
            ),
            None => (
                road_km / travel.kmh,
                ROUND_TRIP * travel.cost_per_km * road_km,
                format!(
                    "{} road km at transport.patient_kmh = {}",
                    n(road_km),
                    n(travel.kmh)
                ),
            ),
        }
    }

    /// One patient flow, `patient_flows[i]`.
    fn patient_flow(
        &self,
        c: &mut Checker,
        travel: &Travel,
        i: usize,
        f: &Value,
        seen: &mut HashMap<(usize, usize), usize>,
        tally: &mut PatientTally,
    ) {
        let path = format!("patient_flows[{i}]");
        let d_id = c.text(&f["demand"], &format!("{path}.demand"));
        let h_id = c.text(&f["hospital"], &format!("{path}.hospital"));
        let d = self.demand_index(c, d_id, &format!("{path}.demand"));
        let h = self.hospital_index(c, h_id, &format!("{path}.hospital"));
        let x = c.amount(&f["patients"], &format!("{path}.patients"), "flow");
        let hours_plan = c.num(&f["hours"], &format!("{path}.hours"));
        let (Some(d), Some(h)) = (d, h) else { return };
        let (dp, hp) = (&self.instance.demand[d], &self.instance.hospitals[h]);
        let arc = format!("patient flow {} -> {}", dp.id, hp.id);
        if let Some(j) = seen.insert((d, h), i) {
            c.add(
                Check::Plan,
                format!("{arc} is listed twice (patient_flows[{j}] and [{i}])"),
            );
        }
        let (hours, cost, how) = self.patient_arc(travel, d, h);
        if let Some(plan_hours) = hours_plan
            && differs6(plan_hours, hours)
        {
            c.add(
                Check::Arc,
                format!(
                    "{arc}: the plan says {} hours, recomputed {} ({how})",
                    n(plan_hours),
                    n(hours)
                ),
            );
        }
        if late(hours, travel.max_hours) {
            c.add(
                Check::TravelLimit,
                format!(
                    "{arc}: {} hours of travel exceeds time.max_patient_travel_hours = {}",
                    n(hours),
                    n(travel.max_hours)
                ),
            );
        }
        if let Some(x) = x {
            tally.served[d] += x;
            tally.treated[h] += x;
            tally.travel += x * cost;
        }
    }

    /// The year's shortfalls; served + unserved against demand at each point, and full coverage.
    /// Hands back the unserved patients at each demand point.
    pub(super) fn demand_balance(
        &self,
        c: &mut Checker,
        y: &YearInput<'_>,
        served: &[f64],
    ) -> Vec<f64> {
        let instance = self.instance;
        let mut unserved = vec![0.0; instance.demand.len()];
        for &(i, u) in &y.unserved {
            let path = format!("unserved[{i}]");
            let d_id = c.text(&u["demand"], &format!("{path}.demand"));
            let d = self.demand_index(c, d_id, &format!("{path}.demand"));
            let x = c.amount(&u["patients"], &format!("{path}.patients"), "shortfall");
            if let (Some(d), Some(x)) = (d, x) {
                unserved[d] += x;
            }
        }
        let full_coverage = self.p.flag("demand.full_coverage");
        for (d, dp) in instance.demand.iter().enumerate() {
            if unbalanced(served[d] + unserved[d], y.demand.ex_vivo[d]) {
                let how = y.demand.how[d]
                    .as_ref()
                    .map_or(String::new(), |h| format!(", {h}"));
                c.add(
                    Check::Demand,
                    format!(
                        "demand point {}: {} patients served + {} unserved = {}, but {} has {} patients{how}",
                        dp.id,
                        n(served[d]),
                        n(unserved[d]),
                        n(served[d] + unserved[d]),
                        self.demand_source(d),
                        n(dp.patients)
                    ),
                );
            }
            if full_coverage && unserved[d] > UNSERVED_NOISE {
                c.add(
                    Check::Demand,
                    format!(
                        "demand point {}: {} patients unserved, but demand.full_coverage is true",
                        dp.id,
                        n(unserved[d])
                    ),
                );
            }
        }
        unserved
    }

    /// Patients treated at each hospital against its `max_patients`.
    pub(super) fn hospital_capacity(&self, c: &mut Checker, treated: &[f64]) {
        for (h, hp) in self.instance.hospitals.iter().enumerate() {
            if let Some(cap) = hp.max_patients
                && above(treated[h], cap)
            {
                c.add(
                    Check::HospitalCapacity,
                    format!(
                        "hospital {} treats {} patients a year, above its max_patients of {} (hospitals.csv)",
                        hp.id,
                        n(treated[h]),
                        n(cap)
                    ),
                );
            }
        }
    }
}
