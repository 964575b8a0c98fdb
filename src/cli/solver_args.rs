//! The solver's flags shared by `solve`, `sweep` and `bench` (`--threads`, `--highs-option`),
//! checked before anything is loaded, solved or written; and how a solver failure ends a run.

use super::{EXIT_INPUT, EXIT_SOLVER};
use cartnet::solve::SolveError;

/// The most solver threads `--threads` takes. HiGHS starts every thread it is given before it
/// solves, so a huge count spends the time limit on that (4096 took 17 s of a 3 s limit,
/// 100000 ran past 90 s); 256 kept a 3 s limit on 2 cores (3.17 s wall on the demo). A cap
/// above any machine's cores, rather than the cores themselves, keeps `--threads N` meaning
/// the same plan on every machine (README "Reproducibility").
pub const MAX_THREADS: u64 = 256;

/// The line that closes a usage error: nothing was loaded, solved or written.
const NOTHING_WRITTEN: &str =
    "1 error in the usage; nothing was written. Error codes are explained in docs/errors.md.";

/// `--threads` as the solver takes it, or the exit code after printing E402.
pub fn threads(given: Option<u64>) -> Result<Option<u32>, u8> {
    match given {
        None => Ok(None),
        Some(n) if (1..=MAX_THREADS).contains(&n) => Ok(u32::try_from(n).ok()),
        Some(n) => {
            eprintln!(
                "E402 --threads: {n} is out of range: expected a whole number from 1 to {MAX_THREADS}"
            );
            eprintln!("{NOTHING_WRITTEN}");
            Err(EXIT_INPUT)
        }
    }
}

/// Checks every `--highs-option` against HiGHS, or returns the exit code after printing E403.
pub fn highs_options(options: &[(String, String)]) -> Result<(), u8> {
    for (name, value) in options {
        if let Err(e) = cartnet::highs_option::check(name, value) {
            eprintln!("{e}");
            eprintln!("{NOTHING_WRITTEN}");
            return Err(EXIT_INPUT);
        }
    }
    Ok(())
}

/// Prints a solver failure; returns its exit code: a HiGHS option the user gave is a usage
/// error, anything else a failure of the solver (E701, exit 4).
pub fn solve_failed(e: &SolveError) -> u8 {
    eprintln!("{e}; nothing was written.");
    match e {
        SolveError::UserOption(_) => EXIT_INPUT,
        SolveError::Option(_) | SolveError::Solver(_) => EXIT_SOLVER,
    }
}
