//! The multi-cut L-shaped method (Van Slyke and Wets 1969; Birge and Louveaux 1988) for the
//! two-stage model of DESIGN §10. The master problem holds the design (open and platform
//! columns) and one variable θ_ω per scenario; each scenario's second stage is its flow LP with
//! the design fixed by column bounds. The reduced costs of the fixed columns are a subgradient
//! of the scenario's cost Q_ω at the design, so θ_ω >= Q_ω(x̂) + d'(x - x̂) holds for every
//! design: the master's bound is a true lower bound, and every integer design evaluated is a
//! plan, so the gap reported is proven. A first phase on the master's LP relaxation gathers
//! cuts cheaply; then the master MIP and the scenarios alternate until the gap closes.

use super::highs::{configure, integrality, relax_integrality, set_bounds, set_integrality};
use super::{OPTIMAL_GAP, SolveError, SolveOptions, Status, relative_gap};
use crate::model::Problem;
use crate::model::stochastic::DesignSpace;
use good_lp::SolverModel;
use good_lp::solvers::highs::highs as highs_solver;
use highs::{Col, HighsModelStatus, Sense};
use std::sync::{Arc, mpsc};
use std::time::Instant;

pub use crate::model::stochastic::SiteColumns as SiteCols;

/// A design: per site and operating model, the values of the open and platform columns.
pub type DesignValues = Vec<[(f64, f64); 2]>;

/// Rounds of the master's LP relaxation before it turns to integers, at most.
const LP_ROUNDS: usize = 60;

/// The LP phase stops when its rounds raise the bound by less than this a round, relatively...
const LP_STALL: f64 = 1e-6;

/// ... or by less than this share of the gap left to the best design a round ...
const LP_STALL_OF_GAP: f64 = 0.01;

/// ... over this many rounds (a stabilized round may not raise the bound at all).
const STALL_ROUNDS: usize = 3;

/// The LP phase takes at most this share of the time left when it starts: the integer masters
/// that follow make the designs.
const LP_SHARE: f64 = 0.5;

/// Where a stabilized LP round cuts: this far from the best design towards the LP's optimum.
const IN_OUT: f64 = 0.5;

/// The master MIP's own gap at first: loose, since its bound only has to beat the gap left;
/// it tightens as the gap closes, down to a tenth of the gap asked for.
const MASTER_GAP_START: f64 = 1e-3;

/// A cut is added when the scenario's cost exceeds its θ by more than this, relatively.
const CUT_TOLERANCE: f64 = 1e-9;

/// What the method needs: the design space, the scenarios, and how to build each one's model.
pub struct Benders<'a> {
    pub space: &'a DesignSpace,
    pub probabilities: &'a [f64],
    /// Mean-CVaR: (α, λ) for (1 - λ)·E + λ·CVaR_α; `None` is the expectation.
    pub risk: Option<(f64, f64)>,
    /// Builds scenario ω's second stage; called in the worker thread that solves it (HiGHS
    /// models stay in the thread that made them).
    pub build: &'a (dyn Fn(usize) -> (Problem, SiteCols) + Sync),
    pub jobs: usize,
}

/// What the method found.
#[derive(Debug, Clone, PartialEq)]
pub struct BendersOutcome {
    pub status: Status,
    /// The best design evaluated, with its objective.
    pub design: Option<DesignValues>,
    pub objective: Option<f64>,
    pub bound: Option<f64>,
    pub gap: Option<f64>,
    pub iterations: usize,
    pub cuts: usize,
    pub seconds: f64,
}

/// A scenario's cost at a design and its slope in each open and platform column.
#[derive(Debug, Clone)]
pub struct Answer {
    pub value: f64,
    slope: DesignValues,
}

/// A design already evaluated in every scenario: its cuts start the master, and the best such
/// design is the first incumbent.
pub struct Evaluated {
    pub design: DesignValues,
    pub answers: Vec<Answer>,
}

/// Runs the method within `options`' time limit, to `options.gap`, with the scenario workers
/// of `pool`, from designs already evaluated (at least one, for a first incumbent).
pub fn solve(
    b: &Benders<'_>,
    pool: &Pool,
    evaluated: Vec<Evaluated>,
    options: &SolveOptions,
) -> Result<BendersOutcome, SolveError> {
    let started = options.started.unwrap_or_else(Instant::now);
    let mut evaluate = |design: &DesignValues| pool.evaluate(design);
    run(b, options, started, evaluated, &mut evaluate)
}

/// Worker threads that each keep some scenarios' flow LPs (the design fixed by column bounds)
/// and answer a design with every scenario's cost and slope: each LP is re-solved from its
/// last basis, so a design near the last one is cheap to measure.
pub struct Pool {
    requests: Vec<mpsc::Sender<Arc<DesignValues>>>,
    answers: mpsc::Receiver<(usize, Result<Answer, SolveError>)>,
    scenarios: usize,
}

impl Pool {
    /// Starts `b.jobs` workers (at most one per scenario) in `scope`; they stop when the pool
    /// is dropped.
    pub fn start<'scope, 'env>(
        scope: &'scope std::thread::Scope<'scope, 'env>,
        b: &'env Benders<'env>,
    ) -> Pool {
        let n = b.probabilities.len();
        let jobs = b.jobs.clamp(1, n.max(1));
        let (answer_tx, answers) = mpsc::channel();
        let mut requests = Vec::with_capacity(jobs);
        for w in 0..jobs {
            let (tx, rx) = mpsc::channel::<Arc<DesignValues>>();
            requests.push(tx);
            let answers = answer_tx.clone();
            let mine: Vec<usize> = (w..n).step_by(jobs).collect();
            scope.spawn(move || worker(b, &mine, rx, answers));
        }
        Pool {
            requests,
            answers,
            scenarios: n,
        }
    }

    /// Every scenario's cost and slope at `design`, in scenario order.
    pub fn evaluate(&self, design: &DesignValues) -> Result<Vec<Answer>, SolveError> {
        let stopped = || SolveError::Solver("a scenario worker stopped".into());
        let shared = Arc::new(design.clone());
        for tx in &self.requests {
            tx.send(shared.clone()).map_err(|_| stopped())?;
        }
        let mut got: Vec<Option<Answer>> = (0..self.scenarios).map(|_| None).collect();
        for _ in 0..self.scenarios {
            let (w, answer) = self.answers.recv().map_err(|_| stopped())?;
            got[w] = Some(answer?);
        }
        Ok(got
            .into_iter()
            .map(|a| a.expect("every scenario answered"))
            .collect())
    }
}

/// Solves the scenarios `mine` at each design it is sent, until the sender hangs up.
fn worker(
    b: &Benders<'_>,
    mine: &[usize],
    designs: mpsc::Receiver<Arc<DesignValues>>,
    answers: mpsc::Sender<(usize, Result<Answer, SolveError>)>,
) {
    let built: Result<Vec<(highs::Model, SiteCols)>, SolveError> =
        mine.iter().map(|&w| second_stage(b, w)).collect();
    let mut models = match built {
        Ok(m) => m.into_iter().map(|(m, c)| (Some(m), c)).collect::<Vec<_>>(),
        Err(e) => {
            for &w in mine {
                let _ = answers.send((w, Err(e.clone())));
            }
            return;
        }
    };
    while let Ok(design) = designs.recv() {
        for (&w, (model, cols)) in mine.iter().zip(models.iter_mut()) {
            let answer = answer(model, cols, &design, b.space).or_else(|_| {
                // HiGHS can lose its way from a warm start (nationally, a scenario's LP once
                // ended "infeasible" from the last design's basis): the LP built anew, solved cold
                let (fresh, _) = second_stage(b, w)?;
                *model = Some(fresh);
                answer(model, cols, &design, b.space)
            });
            if answers.send((w, answer)).is_err() {
                return;
            }
        }
    }
}

/// Scenario `w`'s flow LP as a HiGHS model, quiet, on one thread; columns the design space
/// lacks are fixed at 0 once and for all.
fn second_stage(b: &Benders<'_>, w: usize) -> Result<(highs::Model, SiteCols), SolveError> {
    let (p, cols) = (b.build)(w);
    let mut problem = p.variables.minimise(p.objective).using(highs_solver);
    for c in p.constraints {
        problem.add_constraint(c);
    }
    let mut model = problem
        .try_into_inner()
        .map_err(|e| SolveError::Solver(e.to_string()))?;
    relax_integrality(&mut model);
    let quiet = SolveOptions {
        threads: Some(1),
        log_file: None,
        ..SolveOptions::default()
    };
    configure(&mut model, &quiet)?;
    for (s, site) in cols.iter().enumerate() {
        for (k, c) in site.iter().enumerate() {
            if let (Some((y, n)), None) = (c, b.space.slots[s][k]) {
                set_bounds(&mut model, *y, 0.0, 0.0);
                set_bounds(&mut model, *n, 0.0, 0.0);
            }
        }
    }
    Ok((model, cols))
}

/// The scenario's cost at `design` and its slope, from the LP with the design fixed.
fn answer(
    slot: &mut Option<highs::Model>,
    cols: &SiteCols,
    design: &DesignValues,
    space: &DesignSpace,
) -> Result<Answer, SolveError> {
    let mut model = slot.take().expect("the model is put back after each solve");
    for (s, site) in cols.iter().enumerate() {
        for (k, c) in site.iter().enumerate() {
            if let (Some((y, n)), Some(_)) = (c, space.slots[s][k]) {
                let (yv, nv) = design[s][k];
                set_bounds(&mut model, *y, yv, yv);
                set_bounds(&mut model, *n, nv, nv);
            }
        }
    }
    let solved = model
        .try_solve()
        .map_err(|e| SolveError::Solver(format!("HiGHS failed on a scenario: {e:?}")))?;
    if solved.status() != HighsModelStatus::Optimal {
        return Err(SolveError::Solver(format!(
            "a scenario's flows with the design fixed ended {:?} (the decomposition needs \
             every design to leave a feasible flow)",
            solved.status()
        )));
    }
    let value = solved.objective_value();
    let duals = solved.get_solution().dual_columns().to_vec();
    let slope = cols
        .iter()
        .map(|site| site.map(|c| c.map_or((0.0, 0.0), |(y, n)| (duals[y], duals[n]))))
        .collect();
    *slot = Some(highs::Model::from(solved));
    Ok(Answer { value, slope })
}

/// The master problem: the design columns, θ per scenario, the CVaR columns when asked, and
/// the rows of the design space.
struct Master {
    model: Option<highs::Model>,
    /// Per site and operating model, the open and platform columns.
    design: Vec<[Option<(Col, Col)>; 2]>,
    theta: Vec<Col>,
    kinds: Vec<highs_sys::HighsInt>,
    cuts: usize,
}

impl Master {
    fn new(b: &Benders<'_>, options: &SolveOptions) -> Result<Master, SolveError> {
        let mut p = highs::RowProblem::default();
        let design: Vec<[Option<(Col, Col)>; 2]> = b
            .space
            .slots
            .iter()
            .map(|site| {
                site.map(|slot| {
                    slot.map(|most| {
                        (
                            p.add_integer_column(0.0, 0.0..=1.0),
                            p.add_integer_column(0.0, 0.0..=most),
                        )
                    })
                })
            })
            .collect();
        let expectation = b.risk.map_or(1.0, |(_, weight)| 1.0 - weight);
        let theta: Vec<Col> = b
            .probabilities
            .iter()
            .map(|pr| p.add_column(expectation * pr, 0.0..))
            .collect();
        if let Some((alpha, weight)) = b.risk.filter(|r| r.1 > 0.0) {
            let eta = p.add_column(weight, f64::NEG_INFINITY..);
            for (t, pr) in theta.iter().zip(b.probabilities) {
                let excess = p.add_column(weight * pr / (1.0 - alpha), 0.0..);
                p.add_row(0.0.., [(excess, 1.0), (*t, -1.0), (eta, 1.0)]);
            }
        }
        design_rows(&mut p, &design, b.space);
        let mut model = p.optimise(Sense::Minimise);
        configure(
            &mut model,
            &SolveOptions {
                log_file: None,
                gap: OPTIMAL_GAP / 10.0,
                ..options.clone()
            },
        )?;
        let kinds = integrality(&mut model);
        Ok(Master {
            model: Some(model),
            design,
            theta,
            kinds,
            cuts: 0,
        })
    }
}

/// One operating model at most per site (exactly one for an existing site), platforms only
/// where open, and the policy rows.
fn design_rows(p: &mut highs::RowProblem, design: &[[Option<(Col, Col)>; 2]], space: &DesignSpace) {
    for (s, site) in design.iter().enumerate() {
        let open: Vec<(Col, f64)> = site.iter().flatten().map(|&(y, _)| (y, 1.0)).collect();
        if open.is_empty() {
            continue;
        }
        let upper = 1.0;
        let lower = if space.existing[s] { 1.0 } else { 0.0 };
        p.add_row(lower..=upper, open);
        for (k, c) in site.iter().enumerate() {
            if let (Some((y, n)), Some(most)) = (c, space.slots[s][k]) {
                p.add_row(..=0.0, [(*n, 1.0), (*y, -most)]);
            }
        }
    }
    for row in &space.rows {
        let terms = row
            .terms
            .iter()
            .filter_map(|&(s, k, coef)| Some((design[s][k]?.0, coef)));
        p.add_row(row.lower..=row.upper, terms.collect::<Vec<_>>());
    }
}

/// The design, θ and the objective of a master solution, and its bound.
struct MasterPoint {
    design: DesignValues,
    theta: Vec<f64>,
    bound: f64,
}

impl Master {
    /// Solves the master as it stands (LP or MIP); `None` when it has no solution in time.
    fn solve(
        &mut self,
        integer: bool,
        gap: f64,
        seconds: Option<f64>,
    ) -> Result<Option<MasterPoint>, SolveError> {
        let mut model = self
            .model
            .take()
            .expect("the master is put back after each solve");
        model
            .try_set_option("mip_rel_gap", gap)
            .map_err(|_| SolveError::Option("mip_rel_gap".into()))?;
        if let Some(s) = seconds {
            super::highs::set_time_limit(&mut model, s.max(0.0))?;
        }
        let solved = model.try_solve().map_err(|e| {
            SolveError::Solver(format!("HiGHS failed on the master problem: {e:?}"))
        })?;
        let status = solved.status();
        let solution = solved.get_solution();
        let has_point = matches!(status, HighsModelStatus::Optimal)
            || (integer && solved.primal_solution_status() == highs::HighsSolutionStatus::Feasible);
        let point = has_point.then(|| {
            let x = solution.columns();
            let round = |v: f64| if integer { v.round() } else { v };
            let design = self
                .design
                .iter()
                .map(|site| {
                    site.map(|c| {
                        c.map_or((0.0, 0.0), |(y, n)| {
                            (round(x[y.index()]), round(x[n.index()]))
                        })
                    })
                })
                .collect();
            let bound = if integer {
                solved
                    .double_info_value(c"mip_dual_bound")
                    .unwrap_or(f64::NEG_INFINITY)
            } else {
                solved.objective_value()
            };
            MasterPoint {
                design,
                theta: self.theta.iter().map(|t| x[t.index()]).collect(),
                bound,
            }
        });
        self.model = Some(highs::Model::from(solved));
        Ok(point)
    }

    /// Adds θ_ω >= Q_ω(x̂) + slope'(x - x̂) at `at` = x̂ for each scenario whose cut, at the
    /// master's point `x` with its θ (`master`, when known), is above that θ; returns how many
    /// were added.
    fn add_cuts(
        &mut self,
        at: &DesignValues,
        answers: &[Answer],
        master: Option<(&DesignValues, &[f64])>,
    ) -> usize {
        let model = self.model.as_mut().expect("the master is between solves");
        let mut added = 0;
        for (w, a) in answers.iter().enumerate() {
            if let Some((x, theta)) = master
                && cut_value(a, at, x) - theta[w] <= CUT_TOLERANCE * a.value.abs().max(1.0)
            {
                continue;
            }
            let mut terms = vec![(self.theta[w], 1.0)];
            let mut rhs = a.value;
            for (s, site) in self.design.iter().enumerate() {
                for (k, c) in site.iter().enumerate() {
                    if let Some((y, n)) = c {
                        let (dy, dn) = a.slope[s][k];
                        let (yv, nv) = at[s][k];
                        rhs -= dy * yv + dn * nv;
                        terms.extend([(*y, -dy), (*n, -dn)].into_iter().filter(|t| t.1 != 0.0));
                    }
                }
            }
            model.add_row(rhs.., terms);
            added += 1;
        }
        self.cuts += added;
        added
    }
}

/// The cut made at `at` from `a`, at the design `x`: Q(at) + slope'(x - at).
fn cut_value(a: &Answer, at: &DesignValues, x: &DesignValues) -> f64 {
    let change: f64 = a
        .slope
        .iter()
        .zip(at.iter().zip(x))
        .flat_map(|(slope, (at, x))| slope.iter().zip(at.iter().zip(x)))
        .map(|((dy, dn), ((ya, na), (yx, nx)))| dy * (yx - ya) + dn * (nx - na))
        .sum();
    a.value + change
}

/// `d` moved onto the design rows the scenarios' LPs hold with the design fixed: at most one
/// operating model (exactly one at an existing site) and platforms only where open. A master
/// LP's optimum meets them only within HiGHS's tolerance, and a scenario's LP whose fixed
/// columns break a row by more than that has no solution.
fn on_rows(d: &DesignValues, space: &DesignSpace) -> DesignValues {
    d.iter()
        .enumerate()
        .map(|(s, site)| {
            let mut v = site.map(|(y, n)| (y.clamp(0.0, 1.0), n.max(0.0)));
            let open: f64 = v.iter().map(|(y, _)| y).sum();
            let wanted = if space.existing[s] {
                1.0
            } else {
                open.min(1.0)
            };
            for (k, (y, n)) in v.iter_mut().enumerate() {
                if open > 0.0 {
                    *y *= wanted / open;
                }
                *n = space.slots[s][k].map_or(0.0, |most| n.min(most * *y));
            }
            v
        })
        .collect()
}

/// `weight`·`x` + (1 - `weight`)·`centre`, column by column.
fn between(x: &DesignValues, centre: &DesignValues, weight: f64) -> DesignValues {
    let mix = |a: f64, b: f64| weight * a + (1.0 - weight) * b;
    x.iter()
        .zip(centre)
        .map(|(xs, cs)| {
            let mut v = *xs;
            for (k, ((xy, xn), (cy, cn))) in xs.iter().zip(cs).enumerate() {
                v[k] = (mix(*xy, *cy), mix(*xn, *cn));
            }
            v
        })
        .collect()
}

/// The objective of a design from its scenario costs: the expectation, or the mean-CVaR blend.
fn objective(b: &Benders<'_>, answers: &[Answer]) -> f64 {
    let costs: Vec<f64> = answers.iter().map(|a| a.value).collect();
    let expected: f64 = costs.iter().zip(b.probabilities).map(|(c, p)| c * p).sum();
    match b.risk.filter(|r| r.1 > 0.0) {
        Some((alpha, weight)) => {
            let tail = crate::model::stochastic::cvar(&costs, b.probabilities, alpha);
            (1.0 - weight) * expected + weight * tail
        }
        None => expected,
    }
}

/// The state of the method between its phases.
struct Search<'a, 'e> {
    b: &'a Benders<'a>,
    options: &'a SolveOptions,
    started: Instant,
    evaluate: &'e mut dyn FnMut(&DesignValues) -> Result<Vec<Answer>, SolveError>,
    master: Master,
    /// The best integer design evaluated, with its objective.
    best: Option<(f64, DesignValues)>,
    bound: f64,
    iterations: usize,
    /// Seconds the last design's evaluation took: a master solve leaves them for its design's.
    evaluating: f64,
}

/// The method: the starts' cuts, the LP phase, then master MIPs until the gap closes.
fn run(
    b: &Benders<'_>,
    options: &SolveOptions,
    started: Instant,
    evaluated: Vec<Evaluated>,
    evaluate: &mut dyn FnMut(&DesignValues) -> Result<Vec<Answer>, SolveError>,
) -> Result<BendersOutcome, SolveError> {
    let mut search = Search {
        b,
        options,
        started,
        evaluate,
        master: Master::new(b, options)?,
        best: None,
        bound: f64::NEG_INFINITY,
        iterations: 0,
        evaluating: 0.0,
    };
    search.starts(evaluated);
    search.lp_phase()?;
    search.mip_phase()?;
    Ok(outcome(
        search.best,
        search.bound,
        search.iterations,
        search.master.cuts,
        started,
    ))
}

impl Search<'_, '_> {
    /// Every scenario's answer at `design`, timed.
    fn evaluate(&mut self, design: &DesignValues) -> Result<Vec<Answer>, SolveError> {
        let began = Instant::now();
        let answers = (self.evaluate)(design);
        self.evaluating = began.elapsed().as_secs_f64();
        answers
    }

    /// Seconds a master solve may take: what is left less its design's evaluation.
    fn for_master(&self) -> Option<f64> {
        self.left().map(|l| l - self.evaluating)
    }

    /// Seconds left of the time limit, if there is one.
    fn left(&self) -> Option<f64> {
        let limit = self.options.time_limit?;
        Some(limit - self.started.elapsed().as_secs_f64())
    }

    fn out_of_time(&self) -> bool {
        self.left().is_some_and(|l| l <= 0.0) || super::interrupted()
    }

    /// Keeps `design` if it is the best integer design so far.
    fn keep_best(&mut self, value: f64, design: &DesignValues) {
        if self.best.as_ref().is_none_or(|(v, _)| value < *v) {
            self.best = Some((value, design.clone()));
        }
    }

    /// Whether the LP bounds (`bounds`, one per round) rose too little over the last
    /// [`STALL_ROUNDS`] rounds to go on: by less than [`LP_STALL`] of the bound a round, or
    /// [`LP_STALL_OF_GAP`] of the gap left to the best design.
    fn stalled(&self, bounds: &[f64]) -> bool {
        let Some(&now) = bounds.last() else {
            return false;
        };
        let Some(&before) = bounds
            .len()
            .checked_sub(STALL_ROUNDS + 1)
            .map(|i| &bounds[i])
        else {
            return false;
        };
        let left = self.best.as_ref().map_or(f64::INFINITY, |(v, _)| v - now);
        let rise = (now - before) / STALL_ROUNDS as f64;
        rise <= LP_STALL * now.abs().max(1.0) || rise <= LP_STALL_OF_GAP * left
    }

    /// The gap between the best design and the bound.
    fn gap(&self) -> Option<f64> {
        let (v, _) = self.best.as_ref()?;
        Some(relative_gap(*v, self.bound.min(*v)))
    }

    /// The designs evaluated before: their cuts added, the best kept.
    fn starts(&mut self, evaluated: Vec<Evaluated>) {
        for e in evaluated {
            self.keep_best(objective(self.b, &e.answers), &e.design);
            self.master.add_cuts(&e.design, &e.answers, None);
        }
    }

    /// Cuts from the master's LP optimum until no cut is violated, the bound stalls or the
    /// phase's time is up; the LP's optimum bounds the problem (every design is in the LP, and
    /// every cut holds there). Each round cuts between the LP's optimum and the best design
    /// (in-out stabilization, Ben-Ameur and Neto 2007), or at the optimum itself once a round
    /// between cuts nothing off.
    fn lp_phase(&mut self) -> Result<(), SolveError> {
        relax_integrality(self.master.model.as_mut().expect("master"));
        let ends = self
            .left()
            .map(|l| self.started.elapsed().as_secs_f64() + LP_SHARE * l);
        let mut bounds = Vec::new();
        let mut weight = IN_OUT;
        for _ in 0..LP_ROUNDS {
            let past = ends.is_some_and(|e| self.started.elapsed().as_secs_f64() >= e);
            if past || self.out_of_time() {
                break;
            }
            let Some(point) = self.master.solve(false, 0.0, self.left())? else {
                break;
            };
            self.iterations += 1;
            self.bound = self.bound.max(point.bound);
            bounds.push(point.bound);
            if self.gap().is_some_and(|g| g <= self.options.gap) || self.stalled(&bounds) {
                break;
            }
            let at = match &self.best {
                Some((_, centre)) if weight < 1.0 => between(&point.design, centre, weight),
                _ => point.design.clone(),
            };
            let at = on_rows(&at, self.b.space);
            // a fractional design HiGHS finds no flows for (a policy row held only within its
            // tolerance) ends the phase, not the search: the integer masters follow
            let Ok(answers) = self.evaluate(&at) else {
                break;
            };
            let master = Some((&point.design, point.theta.as_slice()));
            if self.master.add_cuts(&at, &answers, master) == 0 {
                if weight >= 1.0 {
                    break;
                }
                weight = 1.0;
            }
        }
        let kinds = self.master.kinds.clone();
        set_integrality(self.master.model.as_mut().expect("master"), &kinds);
        Ok(())
    }

    /// Master MIPs and their designs' cuts until the gap closes, no cut is violated (the
    /// master's design is then optimal) or the time is up.
    fn mip_phase(&mut self) -> Result<(), SolveError> {
        let target = self.options.gap.max(0.0);
        while !self.out_of_time() && self.for_master().is_none_or(|s| s > 0.0) {
            let now = self.gap().unwrap_or(1.0);
            let master_gap = (now / 4.0).clamp(target / 10.0, MASTER_GAP_START);
            let Some(point) = self.master.solve(true, master_gap, self.for_master())? else {
                break;
            };
            self.iterations += 1;
            self.bound = self.bound.max(point.bound);
            if self.gap().is_some_and(|g| g <= target) {
                break;
            }
            let answers = self.evaluate(&point.design)?;
            self.keep_best(objective(self.b, &answers), &point.design);
            let added = self.master.add_cuts(
                &point.design,
                &answers,
                Some((&point.design, point.theta.as_slice())),
            );
            // no cut violated: θ are the true costs, so the master's design is optimal within
            // the master's own gap; only a tighter master can do better
            let exact = added == 0 && master_gap <= target / 10.0;
            if exact || self.gap().is_some_and(|g| g <= target) {
                break;
            }
        }
        Ok(())
    }
}

/// The outcome with its honest status: optimal only within [`OPTIMAL_GAP`] of the bound.
fn outcome(
    best: Option<(f64, DesignValues)>,
    bound: f64,
    iterations: usize,
    cuts: usize,
    started: Instant,
) -> BendersOutcome {
    let seconds = started.elapsed().as_secs_f64();
    let bound = bound.is_finite().then_some(bound);
    let Some((value, design)) = best else {
        return BendersOutcome {
            status: Status::NoSolution,
            design: None,
            objective: None,
            bound,
            gap: None,
            iterations,
            cuts,
            seconds,
        };
    };
    let bound = bound.map(|b| b.min(value));
    let gap = bound.map(|b| relative_gap(value, b));
    let status = match gap {
        Some(g) if g <= OPTIMAL_GAP => Status::Optimal,
        _ => Status::Feasible,
    };
    BendersOutcome {
        status,
        design: Some(design),
        objective: Some(value),
        bound,
        gap,
        iterations,
        cuts,
        seconds,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space(existing: Vec<bool>) -> DesignSpace {
        DesignSpace {
            slots: vec![[Some(3.0), Some(2.0)]; existing.len()],
            existing,
            rows: Vec::new(),
        }
    }

    #[test]
    fn designs_are_moved_onto_the_rows_the_scenarios_hold() {
        let d: DesignValues = vec![
            // an existing site whose models add up to a hair over one
            [(0.6000001, 1.8000004), (0.4000002, 0.8)],
            // a new site over one, and platforms above N y
            [(0.9, 2.0), (0.3, 1.0)],
            [(-1e-9, 0.0), (0.0, -1e-9)],
        ];
        let moved = on_rows(&d, &space(vec![true, false, false]));
        let open = |s: usize| moved[s][0].0 + moved[s][1].0;
        assert!((open(0) - 1.0).abs() <= 1e-15, "{moved:?}");
        assert!((open(1) - 1.0).abs() <= 1e-15, "{moved:?}");
        for (s, site) in moved.iter().enumerate() {
            for (k, (y, n)) in site.iter().enumerate() {
                let most = [3.0, 2.0][k];
                assert!((0.0..=1.0).contains(y) && *n >= 0.0, "{s} {k}: {moved:?}");
                assert!(*n <= most * y + 1e-12, "{s} {k}: {moved:?}");
            }
        }
        assert_eq!(moved[1][0].0, 0.75);
        assert_eq!(moved[1][0].1, 2.0);
        assert_eq!(moved[1][1].1, 0.5);
    }

    #[test]
    fn a_cut_is_linear_from_its_point() {
        let answer = Answer {
            value: 100.0,
            slope: vec![[(-10.0, -4.0), (0.0, 2.0)]],
        };
        let at: DesignValues = vec![[(1.0, 2.0), (0.0, 0.0)]];
        let x: DesignValues = vec![[(0.5, 1.0), (0.5, 1.5)]];
        // 100 - 10 (0.5 - 1) - 4 (1 - 2) + 0 + 2 (1.5 - 0)
        assert_eq!(cut_value(&answer, &at, &x), 100.0 + 5.0 + 4.0 + 3.0);
        assert_eq!(cut_value(&answer, &at, &at), 100.0);
    }

    #[test]
    fn between_mixes_column_by_column() {
        let x: DesignValues = vec![[(1.0, 3.0), (0.0, 0.0)]];
        let centre: DesignValues = vec![[(0.0, 0.0), (1.0, 2.0)]];
        assert_eq!(between(&x, &centre, 0.5), vec![[(0.5, 1.5), (0.5, 1.0)]]);
        assert_eq!(between(&x, &centre, 1.0), x);
    }
}
