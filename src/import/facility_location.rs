//! A capacitated facility location instance (OR-Library's multi-source one, Yang et al.'s
//! single-source one) written as a cartnet instance whose optimum equals the published one:
//! each customer is a demand point with a hospital at the same place and no other hospital
//! within reach, each facility a site with its capacity and fixed cost, assignment costs as
//! per-batch lane costs; no failures, no other costs, full coverage.

use crate::fs::folder::{FolderError, write_instance};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// A parsed instance: m facilities, n customers.
#[derive(Debug, Clone, PartialEq)]
pub struct CapInstance {
    pub capacity: Vec<f64>,
    pub fixed_cost: Vec<f64>,
    pub demand: Vec<f64>,
    /// `cost[j][i]`: cost of serving all of customer j's demand from facility i.
    pub cost: Vec<Vec<f64>>,
}

impl CapInstance {
    /// Empty vectors for `m` facilities and `n` customers, reserving no more than `tokens`
    /// entries each: the header is not trusted for allocation.
    pub(crate) fn with_room(m: usize, n: usize, tokens: usize) -> Self {
        CapInstance {
            capacity: Vec::with_capacity(m.min(tokens)),
            fixed_cost: Vec::with_capacity(m.min(tokens)),
            demand: Vec::with_capacity(n.min(tokens)),
            cost: Vec::with_capacity(n.min(tokens)),
        }
    }
}

/// Point j of a grid, distinct for every j, so no customer reaches another's hospital.
pub(crate) fn place(j: usize) -> (f64, f64) {
    let (row, col) = (j / 200, j % 200);
    (-60.0 + row as f64 * 0.5, -179.0 + col as f64 * 0.5)
}

/// The scenario keys that make cartnet's model the facility location problem.
const MODEL: &str = "\
# Fixed costs are per-site setup costs annualized over 1 year at 0 % (CRF = 1);
# capacities are one platform of batches_per_platform; allocation costs are lane costs.
[site]
max_platforms = 1
setup_cost_owned = 0
setup_cost_franchise = 0
fixed_cost_owned = 0
fixed_cost_franchise = 0
amortization_years = 1
discount_rate = 0

[platform]
batches_per_year = 1
cost_owned = 0
cost_franchise = 0

[batch]
cost_owned = 0
cost_franchise = 0
failure_rate = 0

[kinds.central]
batch.cost_owned = 0

[time]
manufacturing_days = 0
release_days = 0
max_vein_to_vein_days = 1e9
max_patient_travel_hours = 0      # a customer reaches only the hospital at its own point
max_fresh_transit_hours = 1e9

[transport]
ground_cost_fixed = 0
ground_cost_per_km = 0
air_cost = 0
patient_cost_per_km = 0

[demand]
unserved_penalty = 0
full_coverage = true
";

/// The scenario file an importer writes: `command` names it in the first comment; with
/// `single_sourcing` each customer is served by one facility (`[policy] single_sourcing`).
pub fn scenario(command: &str, single_sourcing: bool) -> String {
    let problem = if single_sourcing {
        "single-source capacitated facility location problem"
    } else {
        "capacitated facility location problem"
    };
    let mut s =
        format!("# Written by `cartnet {command}`: the {problem} as a cartnet\n# scenario. ");
    s.push_str(MODEL.trim_start_matches("# "));
    if single_sourcing {
        s.push_str(
            "\n[policy]\nsingle_sourcing = true           # each customer from one facility\n",
        );
    }
    s
}

/// Writes demand.csv, hospitals.csv, sites.csv, lanes.csv and `scenario` as scenario.toml into
/// `out` as one set ([`write_instance`]): the folder must be new or empty unless `force`.
pub fn write(
    inst: &CapInstance,
    scenario: &str,
    out: &Path,
    force: bool,
) -> Result<Vec<PathBuf>, FolderError> {
    let mut demand = String::from("id,lat,lon,patients\n");
    let mut hospitals = String::from("id,lat,lon\n");
    for (j, d) in inst.demand.iter().enumerate() {
        let (lat, lon) = place(j);
        let _ = writeln!(demand, "C{},{lat},{lon},{d}", j + 1);
        let _ = writeln!(hospitals, "H{},{lat},{lon}", j + 1);
    }
    let mut sites =
        String::from("id,lat,lon,kind,max_platforms,allow,setup_cost_owned,batches_per_platform\n");
    for (i, (cap, f)) in inst.capacity.iter().zip(&inst.fixed_cost).enumerate() {
        // A facility of capacity 0 can serve nobody: it may open, but gets no platform.
        let (platforms, per_platform) = if *cap > 0.0 { (1, *cap) } else { (0, 1.0) };
        let (lat, lon) = place(i);
        let _ = writeln!(
            sites,
            "F{},{lat},{lon},regional,{platforms},owned,{f},{per_platform}",
            i + 1
        );
    }
    // Each batch pays two legs: half the per-unit allocation cost each way.
    let mut lanes = String::from("from,to,hours,cost\n");
    for (j, row) in inst.cost.iter().enumerate() {
        let d = inst.demand[j];
        if d == 0.0 {
            continue;
        }
        for (i, c) in row.iter().enumerate() {
            let _ = writeln!(lanes, "H{},F{},0,{}", j + 1, i + 1, c / d / 2.0);
        }
    }
    let files = [
        ("demand.csv", demand.into_bytes()),
        ("hospitals.csv", hospitals.into_bytes()),
        ("sites.csv", sites.into_bytes()),
        ("lanes.csv", lanes.into_bytes()),
        ("scenario.toml", scenario.as_bytes().to_vec()),
    ];
    write_instance(out, &files, force)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::Scenario;

    #[test]
    fn places_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for j in 0..1000 {
            let (lat, lon) = place(j);
            assert!(seen.insert((lat.to_bits(), lon.to_bits())));
        }
    }

    #[test]
    fn both_scenarios_parse_with_their_policy() {
        for single in [false, true] {
            let text = scenario("import x", single);
            assert!(
                text.starts_with("# Written by `cartnet import x`"),
                "{text}"
            );
            let s = Scenario::parse(&text, "s.toml", &[]).unwrap();
            assert_eq!(s.policy.single_sourcing, single);
            assert!(s.demand.full_coverage);
        }
    }
}
