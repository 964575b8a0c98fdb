//! `cartnet sweep --refine`: the flags checked before anything runs, then the tipping points
//! located between the grid points and printed.

use super::super::EXIT_INPUT;
use cartnet::sweep::Axis;
use cartnet::sweep::refine::{self, Bracket, RefineError, Refiner, Tolerance};
use cartnet::text::printable;

const NOTHING_WRITTEN: &str =
    "1 error in the usage; nothing was written. Error codes are explained in docs/errors.md.";

fn usage(message: String) -> u8 {
    eprintln!("{message}");
    eprintln!("{NOTHING_WRITTEN}");
    EXIT_INPUT
}

/// The tolerance to refine to, `None` when the sweep is not refined; the exit code after the
/// usage error when the flags do not go together or there is nothing to bisect.
pub fn check(refine: bool, tol: Option<Tolerance>, axes: &[Axis]) -> Result<Option<Tolerance>, u8> {
    if !refine {
        return match tol {
            Some(_) => Err(usage(
                "E421 --refine-tol: it sets how closely --refine locates a tipping point; add \
                 --refine, or leave --refine-tol out"
                    .into(),
            )),
            None => Ok(None),
        };
    }
    let numeric = refine::numeric_axes(axes);
    if numeric.is_empty() {
        let keys: Vec<&str> = axes.iter().map(|a| a.key.as_str()).collect();
        return Err(usage(format!(
            "E422 --refine: no varied key takes numbers ({}), so there is nothing to bisect; \
             vary a numeric key, e.g. --vary site.setup_cost_owned=1.5e6..6e6/7",
            printable(&keys.join(", "))
        )));
    }
    let tol = tol.unwrap_or_default();
    if numeric.len() > 1 && matches!(tol, Tolerance::Absolute(_)) {
        let keys: Vec<&str> = numeric.iter().map(|&a| axes[a].key.as_str()).collect();
        return Err(usage(format!(
            "E423 --refine-tol: a width is in one key's units, and {} are refined; give a share \
             of the grid step instead, e.g. --refine-tol 1%",
            printable(&keys.join(" and "))
        )));
    }
    Ok(Some(tol))
}

/// Locates the tipping points between the sweep's rows; `None` (with the reason on stderr) if
/// the refinement could not finish.
pub fn locate(
    refiner: &Refiner<'_>,
    rows: &[cartnet::sweep::Row],
    tol: Tolerance,
    verbose: bool,
) -> Option<Vec<Bracket>> {
    let brackets = refine::brackets(refiner.axes, rows, tol);
    let mut round = 0;
    let mut solve = |probes: &[refine::Probe]| {
        round += 1;
        if verbose {
            eprintln!("refining: round {round}, {} scenarios", probes.len());
        }
        refiner.solve(probes)
    };
    match refine::locate(brackets, refiner.options.jobs, &mut solve) {
        Ok(points) => Some(points),
        Err(RefineError::Interrupted) => {
            eprintln!("interrupted while refining: no tipping points are reported");
            None
        }
        Err(RefineError::Input(errors)) => {
            eprintln!("refinement stopped: a midpoint's scenario could not be built:");
            for e in &errors.0 {
                eprintln!("  {e}");
            }
            None
        }
    }
}

/// The tipping points, one line each, on stdout.
pub fn print(axes: &[Axis], points: &[Bracket]) {
    if points.is_empty() {
        println!(
            "\nno tipping point: no step of the sweep changes the open sites or their operating models"
        );
        return;
    }
    println!("\ntipping points:");
    for b in points {
        println!(
            "  {}",
            printable(&cartnet::export::tipping::sentence(axes, b))
        );
    }
}
