//! A proof of infeasibility before any model is built: with single sourcing and full coverage,
//! a hospital must get all its batches from one site. The patients of demand points that reach
//! no other hospital must come to it, so it needs at least their batches from that one site;
//! when that exceeds the capacity of every site it can ship to, no plan exists.
//!
//! Only certain cases are claimed: the load counted is a lower bound (patients who could go to
//! another hospital are left out), the capacity an upper bound (every platform the site may
//! hold), and multi-year models, whose demand and capacity change over the years, are skipped.

use crate::input::{Instance, Scenario};
use crate::network::Network;
use crate::text::grouped;

/// Relative excess over a site's capacity below which no infeasibility is claimed: the
/// solver's feasibility tolerance would accept a plan that overshoots by this little.
const TOLERANCE: f64 = 1e-6;

/// Demand point ids named in a reason; the rest are counted.
const POINTS_NAMED: usize = 3;

/// One reason per hospital that cannot be served by any single site it reaches; empty when
/// no such proof exists (or single sourcing or full coverage is off).
pub fn misfits(instance: &Instance, scenario: &Scenario, network: &Network) -> Vec<String> {
    if !scenario.policy.single_sourcing
        || !scenario.demand.full_coverage
        || scenario.horizon.years > 1
    {
        return Vec::new();
    }
    let forced = forced_points(instance, network);
    let patients =
        |h: usize| -> f64 { forced[h].iter().map(|&d| instance.demand[d].patients).sum() };
    // per hospital: whether some site can take its forced batches, and the largest site it reaches
    let mut fits = vec![false; instance.hospitals.len()];
    let mut largest: Vec<Option<(usize, f64, f64)>> = vec![None; instance.hospitals.len()];
    for arc in network.cell_arcs() {
        let t = &network.terms[arc.site];
        let need = patients(arc.hospital) / (1.0 - t.failure_rate);
        let capacity = t.capacity();
        fits[arc.hospital] |= need <= capacity * (1.0 + TOLERANCE);
        if largest[arc.hospital].is_none_or(|(_, _, c)| capacity > c) {
            largest[arc.hospital] = Some((arc.site, need, capacity));
        }
    }
    let mut reasons = Vec::new();
    for (h, best) in largest.iter().enumerate() {
        if let Some((s, need, capacity)) = *best
            && !fits[h]
        {
            reasons.push(format!(
                "hospital {} needs {} batches a year from one site (single sourcing), but the \
                 largest site it reaches makes {} ({}); its {} patients a year live at demand \
                 points that reach no other hospital ({})",
                instance.hospitals[h].id,
                amount(need),
                amount(capacity),
                instance.sites[s].id,
                amount(patients(h)),
                points(instance, &forced[h]),
            ));
        }
    }
    reasons
}

/// Per hospital, the demand points with patients whose only reachable hospital it is.
fn forced_points(instance: &Instance, network: &Network) -> Vec<Vec<usize>> {
    let mut only: Vec<Option<Option<usize>>> = vec![None; instance.demand.len()];
    for arc in network.patient_arcs() {
        only[arc.demand] = match only[arc.demand] {
            None => Some(Some(arc.hospital)),
            Some(Some(h)) if h == arc.hospital => Some(Some(h)),
            Some(_) => Some(None),
        };
    }
    let mut forced = vec![Vec::new(); instance.hospitals.len()];
    for (d, reach) in only.iter().enumerate() {
        if let Some(Some(h)) = reach
            && instance.demand[d].patients > 0.0
        {
            forced[*h].push(d);
        }
    }
    forced
}

/// `C11`, `C1, C2`, `C1, C2, C3 and 4 more`.
fn points(instance: &Instance, list: &[usize]) -> String {
    let named: Vec<&str> = list
        .iter()
        .take(POINTS_NAMED)
        .map(|&d| instance.demand[d].id.as_str())
        .collect();
    let mut s = named.join(", ");
    let more = list.len().saturating_sub(POINTS_NAMED);
    if more > 0 {
        s.push_str(&format!(" and {more} more"));
    }
    s
}

/// A count for the message: whole when it is whole, else two decimals.
fn amount(v: f64) -> String {
    let whole = (v - v.round()).abs() < 1e-9;
    grouped(v, if whole { 0 } else { 2 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::facility_location::{CapInstance, scenario, write};
    use crate::input::scenario::Override;

    /// Two facilities of capacity 10 and 6; customers of demand 12, 8 and 3.
    fn reasons(single_sourcing: bool, sets: &[&str]) -> Vec<String> {
        let inst = CapInstance {
            capacity: vec![10.0, 6.0],
            fixed_cost: vec![1.0, 1.0],
            demand: vec![12.0, 8.0, 3.0],
            cost: vec![vec![1.0, 1.0]; 3],
        };
        let dir = tempfile::tempdir().unwrap();
        let text = scenario("test", single_sourcing);
        write(&inst, &text, dir.path(), false).unwrap();
        let instance = Instance::load(dir.path()).unwrap();
        let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        let scenario = Scenario::parse(&text, "s.toml", &overrides).unwrap();
        let network = Network::build(&instance, &scenario);
        misfits(&instance, &scenario, &network)
    }

    #[test]
    fn names_the_hospital_that_no_site_can_hold() {
        assert_eq!(
            reasons(true, &[]),
            vec![
                "hospital H1 needs 12 batches a year from one site (single sourcing), but the \
                 largest site it reaches makes 10 (F1); its 12 patients a year live at demand \
                 points that reach no other hospital (C1)"
            ]
        );
        // failures: 8 patients need 8 / (1 - 0.25) = 10.67 batches
        let r = reasons(true, &["batch.failure_rate=0.25"]);
        assert_eq!(r.len(), 2, "{r:?}");
        assert!(r[1].starts_with("hospital H2 needs 10.67 batches"), "{r:?}");
    }

    #[test]
    fn claims_nothing_it_cannot_prove() {
        // split demand fits: not this check's case
        assert!(reasons(false, &[]).is_empty());
        assert!(reasons(true, &["demand.full_coverage=false"]).is_empty());
        // every customer also reaches its neighbours' hospitals: no hospital's load is fixed
        assert!(reasons(true, &["time.max_patient_travel_hours=5"]).is_empty());
        assert!(reasons(true, &["horizon.years=2"]).is_empty());
    }
}
