//! The time limit, handed out from one place (DESIGN §2, `solve/budget.rs`).
//!
//! `--time-limit` covers the whole run, counted from the command's start. Its last
//! [`FINISH_SHARE`] is kept for turning the solution into a plan: deriving the flows from the
//! rounded design, checking the plan and writing its files. The rest is the search. A phase
//! that starts the search (the Lagrangian relaxation, the multi-year heuristic, the
//! cutting-plane rounds) may run until its share of the search has passed, counted from the
//! start (the repair of the rounds' LP point too); the final HiGHS solve gets everything left of
//! the search, so a run ends at its limit unless it reaches its gap first or is interrupted.

use std::time::{Duration, Instant};

/// The share of the limit kept for the plan after the search: the LP that derives the flows
/// from the rounded design, the check of the plan and its files (docs/solver-tuning.md).
pub const FINISH_SHARE: f64 = 0.02;

/// The share of the search the Lagrangian relaxation and its search for a plan may use: the
/// restricted search needs most of it to find good plans (docs/solver-tuning.md). The branch
/// and bound over sites may use the rest of the search.
pub const LAGRANGIAN_SHARE: f64 = 0.6;

/// The share of the search the multi-year forward heuristic may use, all years together; the
/// full model's branch and bound, started from its plan, gets the rest.
pub const HORIZON_SHARE: f64 = 0.4;

/// The share of the search the cutting-plane rounds may use before branch and bound: their LP
/// bound and point are worth half, the search for plans needs the other half.
pub const SEPARATION_SHARE: f64 = 0.5;

/// The share of the search until which HiGHS may repair the cutting-plane rounds' LP point into
/// a first plan (it fixes the discrete columns already integral and solves a sub-MIP for the
/// rest): half of what the rounds leave when they use their share (docs/solver-tuning.md).
/// The branch and bound gets the rest, so it always has a quarter of the search at least.
pub const REPAIR_SHARE: f64 = 0.75;

/// The share of a two-stage solve's limit for the expected-value scenario's MIP: one scenario's
/// model, whose design starts every scenario's own MIP.
pub const EXPECTED_VALUE_SHARE: f64 = 0.1;

/// The share of a two-stage solve's limit for the scenarios' own MIPs (WS) together: a
/// scenario not proven within its part keeps its best plan, and WS is reported as not proven;
/// the recourse problem, the plan itself, needs the larger rest.
pub const WAIT_AND_SEE_SHARE: f64 = 0.3;

/// The share of a two-stage solve's limit its Lagrangian relaxation may take (after the
/// scenarios' own MIPs): on the national instance with 20 futures its bound still rises after
/// 60 s, by less than 0.1 % a minute.
pub const TWO_STAGE_RELAXATION_SHARE: f64 = 0.2;

/// The least HiGHS is given when the search's time is up (HiGHS takes no limit of 0).
const LEAST_SECONDS: f64 = 1e-3;

/// A phase of the search with a share of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Lagrangian,
    Horizon,
    Separation,
    Repair,
}

impl Phase {
    fn share(self) -> f64 {
        match self {
            Phase::Lagrangian => LAGRANGIAN_SHARE,
            Phase::Horizon => HORIZON_SHARE,
            Phase::Separation => SEPARATION_SHARE,
            Phase::Repair => REPAIR_SHARE,
        }
    }
}

/// The run's time limit and when it started.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeBudget {
    started: Instant,
    /// The whole run's limit; `None` is no limit.
    limit: Option<Duration>,
}

impl TimeBudget {
    /// A limit of `seconds` (the whole run) counted from `started`; `None` is no limit.
    pub fn new(started: Instant, seconds: Option<f64>) -> TimeBudget {
        TimeBudget {
            started,
            limit: seconds.map(duration),
        }
    }

    /// When the whole run must have ended.
    pub fn end(&self) -> Option<Instant> {
        self.limit.map(|l| self.started + l)
    }

    /// When the search must have ended: the run's end less [`FINISH_SHARE`].
    pub fn search_end(&self) -> Option<Instant> {
        self.after_share(1.0 - FINISH_SHARE)
    }

    /// When `phase` must have ended: its share of the search, counted from the start.
    pub fn phase_end(&self, phase: Phase) -> Option<Instant> {
        self.after_share((1.0 - FINISH_SHARE) * phase.share())
    }

    /// Seconds left of the search, for HiGHS's `time_limit` (at least [`LEAST_SECONDS`]).
    pub fn search_left(&self) -> Option<f64> {
        self.search_end().map(seconds_until)
    }

    /// Whether the search's time is up.
    pub fn search_over(&self) -> bool {
        self.search_end().is_some_and(|e| Instant::now() >= e)
    }

    /// When the plan's own work after the search must end (deriving its flows from the design):
    /// the run's end, or [`FINISH_SHARE`] of the limit from now if the search overran it (HiGHS
    /// does not stop inside every phase, e.g. a MIP presolve).
    pub fn finish_end(&self) -> Option<Instant> {
        let now = Instant::now();
        let floor = self.limit.map(|l| now + l.mul_f64(FINISH_SHARE));
        self.end().zip(floor).map(|(e, f)| e.max(f))
    }

    /// The seconds a search of its own (the multi-year heuristic's year) may use to end by
    /// `end`, as a limit for a [`TimeBudget`] that starts now: it keeps its own finish share.
    pub fn sub_limit(end: Instant, parts: usize) -> Option<f64> {
        let left = end.saturating_duration_since(Instant::now()).as_secs_f64();
        (left > 0.0).then(|| left / parts.max(1) as f64)
    }

    fn after_share(&self, share: f64) -> Option<Instant> {
        self.limit.map(|l| self.started + l.mul_f64(share))
    }
}

/// Seconds from now until `end`, at least [`LEAST_SECONDS`].
pub fn seconds_until(end: Instant) -> f64 {
    end.saturating_duration_since(Instant::now())
        .as_secs_f64()
        .max(LEAST_SECONDS)
}

/// A number of seconds as a duration; negative or NaN is none, a huge one is capped.
fn duration(seconds: f64) -> Duration {
    Duration::try_from_secs_f64(seconds.clamp(0.0, 1e9)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shares_are_of_the_search_and_the_search_ends_before_the_run() {
        let t0 = Instant::now();
        let b = TimeBudget::new(t0, Some(100.0));
        let at = |i: Option<Instant>| i.unwrap().duration_since(t0).as_secs_f64();
        assert!((at(b.end()) - 100.0).abs() < 1e-9);
        assert!((at(b.search_end()) - 98.0).abs() < 1e-9);
        assert!((at(b.phase_end(Phase::Lagrangian)) - 98.0 * 0.6).abs() < 1e-9);
        assert!((at(b.phase_end(Phase::Horizon)) - 98.0 * 0.4).abs() < 1e-9);
        assert!((at(b.phase_end(Phase::Separation)) - 49.0).abs() < 1e-9);
        assert!((at(b.phase_end(Phase::Repair)) - 73.5).abs() < 1e-9);
        assert!(b.search_left().unwrap() <= 98.0);
        assert!(!b.search_over());
        assert!((at(b.finish_end()) - 100.0).abs() < 1e-3);
    }

    #[test]
    fn without_a_limit_nothing_ends_and_a_spent_limit_leaves_the_least() {
        let none = TimeBudget::new(Instant::now(), None);
        assert_eq!(none.end(), None);
        assert_eq!(none.search_left(), None);
        assert!(!none.search_over());
        let spent = TimeBudget::new(Instant::now(), Some(0.0));
        assert!(spent.search_over());
        assert!(spent.finish_end().unwrap() >= Instant::now() - Duration::from_millis(1));
        assert_eq!(spent.search_left(), Some(LEAST_SECONDS));
        assert_eq!(TimeBudget::sub_limit(Instant::now(), 3), None);
    }
}
