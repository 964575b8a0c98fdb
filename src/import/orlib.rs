//! OR-Library capacitated facility location ("cap" set, Beasley 1988): the parser of its files
//! and of capopt.txt's published optima. The instance is written as the cartnet instance whose
//! optimum equals the published one by [`facility_location::write`].

use super::facility_location;
pub use super::facility_location::CapInstance;
use super::tokens::Tokens;
use crate::fs::folder::FolderError;
use crate::input::error::{Code, InputError, InputErrors};
use std::path::{Path, PathBuf};

/// Parses the OR-Library text. `capacity` replaces the word `capacity` of capa/capb/capc (and
/// is an error to omit there).
pub fn parse(text: &str, file: &str, capacity: Option<f64>) -> Result<CapInstance, InputErrors> {
    let mut t = Tokens::new(file, text);
    let (m, n) = t.header()?;
    let mut inst = CapInstance::with_room(m, n, t.len());
    for i in 0..m {
        let what = format!("the capacity of facility {}", i + 1);
        let cap = if t.peek().is_some_and(|s| s.eq_ignore_ascii_case("capacity")) {
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
        inst.cost.push(t.cost_row(j, m)?);
    }
    t.end("the last customer's costs")?;
    Ok(inst)
}

/// The command named in the scenario file this importer writes.
const COMMAND: &str = "import orlib-cap";

/// Writes the instance with the multi-source scenario of the published optima
/// ([`facility_location::write`]); `single_sourcing` makes it the single-source problem.
pub fn write(
    inst: &CapInstance,
    out: &Path,
    force: bool,
    single_sourcing: bool,
) -> Result<Vec<PathBuf>, FolderError> {
    let scenario = facility_location::scenario(COMMAND, single_sourcing);
    facility_location::write(inst, &scenario, out, force)
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
}
