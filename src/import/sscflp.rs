//! Single-source capacitated facility location in the format of the Yang, Chu & Chen (2012)
//! instances (../shared/bench/sscflp-yang/README.md): `I J`, the I capacities, the I opening
//! costs, the J demands, then J rows of I assignment costs. Written as the OR-Library importer
//! writes its instances ([`facility_location::write`]) with `policy.single_sourcing = true`.

use super::facility_location::{self, CapInstance};
use super::tokens::Tokens;
use crate::fs::folder::FolderError;
use crate::input::error::{Code, InputError, InputErrors};
use std::path::{Path, PathBuf};

/// The command named in the scenario file this importer writes.
const COMMAND: &str = "import sscflp";

/// Parses the text of one instance file.
pub fn parse(text: &str, file: &str) -> Result<CapInstance, InputErrors> {
    let mut t = Tokens::new(file, text);
    let (m, n) = t.header()?;
    let mut inst = CapInstance::with_room(m, n, t.len());
    for i in 0..m {
        inst.capacity
            .push(t.number(&format!("the capacity of facility {}", i + 1))?);
    }
    for i in 0..m {
        inst.fixed_cost
            .push(t.number(&format!("the opening cost of facility {}", i + 1))?);
    }
    for j in 0..n {
        inst.demand.push(demand(&mut t, file, j)?);
    }
    for j in 0..n {
        inst.cost.push(t.cost_row(j, m)?);
    }
    t.end("the last customer's costs")?;
    Ok(inst)
}

/// Customer j's demand, above 0: a single-source customer without demand would still be
/// assigned (and pay its cost), which a demand point without patients does not do.
fn demand(t: &mut Tokens, file: &str, j: usize) -> Result<f64, InputError> {
    let what = format!("the demand of customer {}", j + 1);
    let line = t.line();
    let d = t.number(&what)?;
    if d == 0.0 {
        return Err(InputError::new(
            Code::OutOfRange,
            file,
            format!(
                "the demand of customer {} is 0: expected a demand > 0 (a customer without \
                 demand would still be assigned at a cost, which cartnet's model does not express)",
                j + 1
            ),
        )
        .at_line(line));
    }
    Ok(d)
}

/// Writes the instance with single sourcing on ([`facility_location::write`]).
pub fn write(inst: &CapInstance, out: &Path, force: bool) -> Result<Vec<PathBuf>, FolderError> {
    let scenario = facility_location::scenario(COMMAND, true);
    facility_location::write(inst, &scenario, out, force)
}

/// The published optima in a README's table, rows `| p1 | 30x200 | 30181 |`: (instance,
/// optimum), in the table's order. Rows whose third cell is not a number are not optima.
pub fn published_optima(readme: &str) -> Vec<(String, f64)> {
    readme
        .lines()
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .trim()
                .strip_prefix('|')?
                .split('|')
                .map(str::trim)
                .collect();
            let (name, value) = (*cells.first()?, cells.get(2)?.parse::<f64>().ok()?);
            (!name.is_empty() && value.is_finite()).then(|| (name.to_string(), value))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse(text, "p.txt").unwrap_err().0[0].to_string()
    }

    #[test]
    fn reads_the_layout_in_its_order() {
        // capacities, opening costs, demands, then one row of costs per customer
        let text = "2 3\n10 20 \n 100. 200.000000\n1 2 3\n.5 1\n2 3\n4 5";
        let inst = parse(text, "p.txt").unwrap();
        assert_eq!(inst.capacity, vec![10.0, 20.0]);
        assert_eq!(inst.fixed_cost, vec![100.0, 200.0]);
        assert_eq!(inst.demand, vec![1.0, 2.0, 3.0]);
        assert_eq!(
            inst.cost,
            vec![vec![0.5, 1.0], vec![2.0, 3.0], vec![4.0, 5.0]]
        );
        // the same numbers on other lines: the format is whitespace, not lines
        assert_eq!(parse(&text.replace('\n', " "), "p.txt").unwrap(), inst);
    }

    #[test]
    fn errors_name_the_line_and_what_was_expected() {
        assert_eq!(
            err("2 1\n10 20\n5 x\n1\n1 1\n"),
            "E102 p.txt:3: \"x\" is not a number >= 0; expected the opening cost of facility 2"
        );
        assert_eq!(
            err("2 1\n10 20\n5 6\n1\n1\n"),
            "E007 p.txt:5: the file ends early: expected the cost of customer 1 from facility 2"
        );
        assert_eq!(
            err("1 1\n10\n5\n1\n1\n7\n"),
            "E007 p.txt:6: unexpected \"7\" after the last customer's costs"
        );
        assert_eq!(
            err("1.5 1\n"),
            "E103 p.txt:1: the header \"1.5 1\" must be two whole numbers >= 1 (facilities, customers)"
        );
        assert_eq!(
            err(""),
            "E007 p.txt:1: the file ends early: expected the number of facilities"
        );
        assert!(
            err("1 1\n10\n5\n-1\n1\n").starts_with("E102 p.txt:4: \"-1\" is not a number >= 0")
        );
        assert!(
            err("1 2\n10\n5\n1 0\n1 1\n")
                .starts_with("E105 p.txt:4: the demand of customer 2 is 0")
        );
    }

    #[test]
    fn a_huge_header_is_an_error_not_an_allocation() {
        assert_eq!(
            err("10000000000000 10000000000000\n1 2\n"),
            "E007 p.txt:2: the file ends early: expected the capacity of facility 3"
        );
    }

    #[test]
    fn reads_the_published_optima_table() {
        let readme = "# t\n| instance | I x J | optimum |\n|---|---|---|\n| p1 | 30x200 | 30181 |\n|p2|30x200|28923.5|\n| note | x | - |\n";
        assert_eq!(
            published_optima(readme),
            vec![("p1".to_string(), 30181.0), ("p2".to_string(), 28923.5)]
        );
        assert!(published_optima("no table here\n").is_empty());
    }
}
