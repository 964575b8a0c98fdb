//! `cartnet verify PLAN.json [--data DIR] [--model FILE]`: checks a plan independently against its
//! data (see `cartnet::verify`). Exit 0 only when the plan holds; 1 when it does not, or when it
//! cannot be checked.

use super::{EXIT_INPUT, EXIT_OK};
use cartnet::text::{printable, printable_path};
use cartnet::verify::{Verification, verify_file};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The plan to check (plan.json written by `cartnet solve`).
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// Folder with the instance's CSV files, or a workbook FILE.xlsx (default: the plan's
    /// instance.data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Scenario file to check against (default: the scenario recorded in the plan).
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Check the plan even against data it was not made from (its instance.digest or ids do
    /// not match --data); a note says so.
    #[arg(long)]
    pub force: bool,
}

/// Violations printed at most: enough to see what is wrong, however many there are (a plan
/// of repeated rows once printed 1.8 million lines).
const VIOLATIONS_SHOWN: usize = 100;

pub fn run(args: VerifyArgs) -> u8 {
    check(
        &args.plan,
        args.data.as_deref(),
        args.model.as_deref(),
        args.force,
        false,
    )
}

/// Verifies the plan at `plan` (`force`: even against data it was not made from) and prints the outcome on stdout; `after_solve` (for
/// `solve --verify`) sends the violations of a plan that does not hold to stderr instead.
/// Returns the exit code.
pub fn check(
    plan: &Path,
    data: Option<&Path>,
    model: Option<&Path>,
    force: bool,
    after_solve: bool,
) -> u8 {
    let (v, sources) = match verify_file(plan, data, model, force) {
        Ok(x) => x,
        Err(e) if e.is_coded() => {
            eprintln!("{e}");
            eprintln!("verify: {} cannot be checked", plan.display());
            return EXIT_INPUT;
        }
        Err(e) => {
            eprintln!("verify: {e}");
            eprintln!("verify: {} cannot be checked", plan.display());
            return EXIT_INPUT;
        }
    };
    let against = format!(
        "{} under {}",
        printable_path(&sources.data),
        sources
            .model
            .as_ref()
            .map_or("the plan's own scenario".to_string(), |m| printable_path(m))
    );
    for note in &v.notes {
        eprintln!("note: {}", printable(note));
    }
    print(plan, &v, &against, after_solve);
    if v.holds() { EXIT_OK } else { EXIT_INPUT }
}

fn print(plan: &Path, v: &Verification, against: &str, after_solve: bool) {
    let out = |line: String| {
        if after_solve && !v.holds() {
            eprintln!("{line}");
        } else {
            println!("{line}");
        }
    };
    if v.holds() {
        out(format!(
            "{}verified {} against {against}: the plan holds ({})",
            if after_solve { "\n" } else { "" },
            printable_path(plan),
            v.summary()
        ));
        return;
    }
    out(format!(
        "verify {} against {against}: {} violation{}",
        printable_path(plan),
        v.violations.len(),
        if v.violations.len() == 1 { "" } else { "s" }
    ));
    for x in v.violations.iter().take(VIOLATIONS_SHOWN) {
        out(format!("  {x}"));
    }
    let more = v.violations.len().saturating_sub(VIOLATIONS_SHOWN);
    if more > 0 {
        out(format!(
            "  ... and {more} more violation{} (the first {VIOLATIONS_SHOWN} are shown)",
            if more == 1 { "" } else { "s" }
        ));
    }
    out("the plan does not hold".to_string());
}
