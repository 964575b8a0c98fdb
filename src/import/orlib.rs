//! OR-Library capacitated facility location ("cap" set, Beasley 1988) as a cartnet instance whose
//! optimum equals the published one: each customer is a demand point with a hospital at the same
//! place and no other hospital within reach, each facility a site with its capacity and fixed
//! cost, allocation costs as per-batch lane costs; no failures, no other costs, full coverage.

use crate::fs::folder::{FolderError, write_instance};
use crate::input::error::{Code, InputError, InputErrors, quoted};
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

struct Tokens<'a> {
    file: &'a str,
    items: Vec<(u64, &'a str)>,
    next: usize,
}

impl<'a> Tokens<'a> {
    fn new(file: &'a str, text: &'a str) -> Self {
        let items = text
            .lines()
            .enumerate()
            .flat_map(|(i, l)| l.split_whitespace().map(move |t| (i as u64 + 1, t)))
            .collect();
        Tokens {
            file,
            items,
            next: 0,
        }
    }

    fn raw(&mut self, what: &str) -> Result<(u64, &'a str), InputError> {
        match self.items.get(self.next) {
            Some(&t) => {
                self.next += 1;
                Ok(t)
            }
            None => {
                let line = self.items.last().map_or(1, |t| t.0);
                Err(InputError::new(
                    Code::MalformedRow,
                    self.file,
                    format!("the file ends early: expected {what}"),
                )
                .at_line(line))
            }
        }
    }

    /// A number as the format writes it (`7500.`, `.00000`, `146`).
    fn number(&mut self, what: &str) -> Result<f64, InputError> {
        let (line, t) = self.raw(what)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(InputError::new(
                Code::NotANumber,
                self.file,
                format!("{} is not a number >= 0; expected {what}", quoted(t)),
            )
            .at_line(line)),
        }
    }
}

/// Parses the OR-Library text. `capacity` replaces the word `capacity` of capa/capb/capc (and
/// is an error to omit there).
pub fn parse(text: &str, file: &str, capacity: Option<f64>) -> Result<CapInstance, InputErrors> {
    let mut t = Tokens::new(file, text);
    let m = t.number("the number of facilities")?;
    let n = t.number("the number of customers")?;
    if m.fract() != 0.0 || n.fract() != 0.0 || m < 1.0 || n < 1.0 {
        return Err(InputError::new(
            Code::NotWholeNumber,
            file,
            format!(
                "the header \"{m} {n}\" must be two whole numbers >= 1 (facilities, customers)"
            ),
        )
        .at_line(1)
        .into());
    }
    let (m, n) = (m as usize, n as usize);
    // The header is not trusted for allocation: no more than the numbers the file holds.
    let tokens = t.items.len();
    let mut inst = CapInstance {
        capacity: Vec::with_capacity(m.min(tokens)),
        fixed_cost: Vec::with_capacity(m.min(tokens)),
        demand: Vec::with_capacity(n.min(tokens)),
        cost: Vec::with_capacity(n.min(tokens)),
    };
    for i in 0..m {
        let what = format!("the capacity of facility {}", i + 1);
        let cap = if t
            .items
            .get(t.next)
            .is_some_and(|(_, s)| s.eq_ignore_ascii_case("capacity"))
        {
            let (line, _) = t.raw(&what)?;
            capacity.ok_or_else(|| {
                InputError::new(
                    Code::MissingValue,
                    file,
                    "this instance gives every capacity as the word `capacity`: choose one with \
                     --capacity C (capopt.txt lists 8000, 10000, 12000, 14000 for capa; 5000, 6000, \
                     7000, 8000 for capb; 5000, 5750, 6500, 7250 for capc)",
                )
                .at_line(line)
            })?
        } else {
            t.number(&what)?
        };
        inst.capacity.push(cap);
        inst.fixed_cost
            .push(t.number(&format!("the fixed cost of facility {}", i + 1))?);
    }
    for j in 0..n {
        inst.demand
            .push(t.number(&format!("the demand of customer {}", j + 1))?);
        let mut row = Vec::with_capacity(m.min(tokens));
        for i in 0..m {
            row.push(t.number(&format!(
                "the cost of customer {} from facility {}",
                j + 1,
                i + 1
            ))?);
        }
        inst.cost.push(row);
    }
    if let Some(&(line, extra)) = t.items.get(t.next) {
        return Err(InputError::new(
            Code::MalformedRow,
            file,
            format!(
                "unexpected {} after the last customer's costs",
                quoted(extra)
            ),
        )
        .at_line(line)
        .into());
    }
    Ok(inst)
}

/// Point j of a grid, distinct for every j, so no customer reaches another's hospital.
fn place(j: usize) -> (f64, f64) {
    let (row, col) = (j / 200, j % 200);
    (-60.0 + row as f64 * 0.5, -179.0 + col as f64 * 0.5)
}

/// The scenario that makes cartnet's model the CFLP of the published optima.
pub const SCENARIO: &str = "\
# Written by `cartnet import orlib-cap`: the capacitated facility location problem as a cartnet
# scenario. Fixed costs are per-site setup costs annualized over 1 year at 0 % (CRF = 1);
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

/// Writes demand.csv, hospitals.csv, sites.csv, lanes.csv and scenario.toml into `out` as one
/// set ([`write_instance`]): the folder must be new or empty unless `force`.
pub fn write(inst: &CapInstance, out: &Path, force: bool) -> Result<Vec<PathBuf>, FolderError> {
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
        ("scenario.toml", SCENARIO.as_bytes().to_vec()),
    ];
    write_instance(out, &files, force)
}

/// The published optimum of `name` (e.g. `cap41`, `capa`) at `capacity`, from capopt.txt's text.
pub fn published_optimum(capopt: &str, name: &str, capacity: Option<f64>) -> Option<f64> {
    let mut current = String::new();
    for line in capopt.lines() {
        let mut words = line.split_whitespace().peekable();
        let Some(first) = words.peek().copied() else {
            continue;
        };
        if first.starts_with("cap") {
            current = first.to_string();
            words.next();
        }
        if current != name {
            continue;
        }
        let Some(value) = words.next().and_then(|v| v.parse::<f64>().ok()) else {
            continue;
        };
        let rest: String = words.collect::<Vec<_>>().join(" ");
        match capacity {
            None if rest.is_empty() => return Some(value),
            Some(c) => {
                let given = rest
                    .trim_start_matches("(capacity")
                    .trim_end_matches(')')
                    .trim()
                    .parse::<f64>()
                    .ok();
                if given == Some(c) {
                    return Some(value);
                }
            }
            None => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_format_quirks() {
        let text = " 2 2 \n 10 7500. \n capacity .00000\n 5\n 1.5 .5\n 3 \n 2. 4\n";
        let inst = parse(text, "t.txt", Some(8.0)).unwrap();
        assert_eq!(inst.capacity, vec![10.0, 8.0]);
        assert_eq!(inst.fixed_cost, vec![7500.0, 0.0]);
        assert_eq!(inst.demand, vec![5.0, 3.0]);
        assert_eq!(inst.cost, vec![vec![1.5, 0.5], vec![2.0, 4.0]]);
        let e = parse(text, "t.txt", None).unwrap_err();
        assert!(e.0[0].message.contains("--capacity"), "{}", e.0[0]);
        assert_eq!(e.0[0].line, Some(3));
        let e = parse(" 2 2 \n 10 7500. \n", "t.txt", None).unwrap_err();
        assert!(e.0[0].to_string().contains("ends early"), "{}", e.0[0]);
        let e = parse(" 1 1 \n 10 x \n 1 1\n", "t.txt", None).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "E102 t.txt:2: \"x\" is not a number >= 0; expected the fixed cost of facility 1"
        );
    }

    #[test]
    fn a_huge_header_is_an_error_not_an_allocation() {
        // found by tests/fuzz.rs (fuzz_orlib_cap): 1e13 facilities asked for 34 TB up front
        let e = parse("10000000000000 1\n1 2\n", "t.txt", None).unwrap_err();
        assert_eq!(
            e.0[0].to_string(),
            "E007 t.txt:2: the file ends early: expected the capacity of facility 2"
        );
    }

    #[test]
    fn finds_published_optima() {
        let capopt = "Data file   Optimal solution value\ncap41       1040444.375\ncapa        19240822.449 (capacity 8000)\n            18438046.543 (capacity 10000)\ncapb        13656379.578 (capacity 5000)\n";
        assert_eq!(published_optimum(capopt, "cap41", None), Some(1040444.375));
        assert_eq!(
            published_optimum(capopt, "capa", Some(10000.0)),
            Some(18438046.543)
        );
        assert_eq!(published_optimum(capopt, "capa", Some(9000.0)), None);
        assert_eq!(
            published_optimum(capopt, "capb", Some(5000.0)),
            Some(13656379.578)
        );
    }

    #[test]
    fn places_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for j in 0..1000 {
            let (lat, lon) = place(j);
            assert!(seen.insert((lat.to_bits(), lon.to_bits())));
        }
    }
}
