//! The MILP of DESIGN §5, written with good_lp. Variables and rows read like the mathematics;
//! indices are dense integers over the network's arcs and the instance's nodes.

use crate::input::scenario::SetupCharge;
use crate::input::{Instance, Scenario};
use crate::network::Network;
use good_lp::{Constraint, Expression, ProblemVariables, Variable, constraint, variable};

mod cost_line;
mod design;
mod groups;
pub mod relaxation;
pub mod stochastic;
mod year;
pub use cost_line::CostLine;
pub use design::Design;
pub use groups::{DemandGroups, GroupArc, PointValues};

/// A variable with the column index HiGHS will give it (good_lp adds columns in creation order).
#[derive(Debug, Clone, Copy)]
pub struct Var {
    pub var: Variable,
    pub col: usize,
}

/// The variables of one year of the model, indexed like the network.
#[derive(Debug, Default)]
pub struct Vars {
    /// y[s][k]: site s open under operating model k (binary); `None` where not allowed.
    pub open: Vec<[Option<Var>; 2]>,
    /// n[s][k]: platforms (integer).
    pub platforms: Vec<[Option<Var>; 2]>,
    /// b[s][k]: batches made a year.
    pub batches: Vec<[Option<Var>; 2]>,
    /// x[g,h]: patients a year on group arc a (see [`DemandGroups`]; a network patient arc's
    /// own flow is [`ModelInfo::point_values`]).
    pub patients: Vec<Var>,
    /// w[c]: batches a year on cell arc c.
    pub shipments: Vec<Var>,
    /// W[c]: the most batches a year on cell arc c (0 where its site cannot open).
    pub shipment_caps: Vec<f64>,
    /// u[g]: unserved patients a year in demand group g (absent under full coverage).
    pub unserved: Vec<Option<Var>>,
    /// z[c]: hospital of arc c single-sources from its site (binary; only with single_sourcing).
    pub sourcing: Vec<Option<Var>>,
    /// v[s][k]: site s opens under k this year (only with `horizon.setup = "upfront"`, where
    /// the setup is paid once, in the year the site is decided).
    pub opening: Vec<[Option<Var>; 2]>,
    /// Ex vivo patients this year at each demand point (after growth and the in vivo share).
    pub patients_demand: Vec<f64>,
    /// In vivo patients this year (treated without a batch), all demand points.
    pub patients_in_vivo: f64,
}

/// A valid row `sum coef * column <= upper` that tightens the relaxation but is not needed for
/// correctness; the solver may add it only where the relaxation violates it.
#[derive(Debug, Clone, PartialEq)]
pub struct LazyRow {
    pub terms: Vec<(usize, f64)>,
    pub upper: f64,
}

/// What the solver consumes: variables, objective (minimised), rows, and optional lazy rows.
pub struct Problem {
    pub variables: ProblemVariables,
    pub objective: Expression,
    pub constraints: Vec<Constraint>,
    /// The strengthening rows w[h,s] <= W[h,s] * sum_k y[s,k] (DESIGN §5).
    pub lazy: Vec<LazyRow>,
    /// Site count rows sum_s,k y[s,k] <= (sites that can open), one a year or scenario, where
    /// no policy bounds the count. They never bind (a site opens under one model at most),
    /// but HiGHS's cut separation aggregates through them: on the demo's MIPs they close at the
    /// root a gap that otherwise takes ~2,000 nodes. The solver gives them to HiGHS only on
    /// models small enough for their strengthening rows to go in up front, where the
    /// Lagrangian relaxation does not run: on the national instance (rows separated in rounds)
    /// HiGHS took 17 % longer to reach the same gap with them.
    pub count_rows: Vec<LazyRow>,
    /// The model as the Lagrangian relaxation sees it, when it covers all of its rows.
    pub relaxation: Option<relaxation::Structure>,
    /// Every integer column is fixed to a whole number by an equality row (a design given from
    /// outside): the LP relaxation is the model itself, and is solved as an LP.
    pub integers_fixed: bool,
}

/// One term of the objective: `coef * column` in cost line `line` of year `year` (0-based),
/// undiscounted; the objective weighs it by the year's discount factor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CostTerm {
    pub col: usize,
    pub coef: f64,
    pub line: CostLine,
    pub year: usize,
}

/// What the plan keeps once the problem is handed over: where each decision sits.
#[derive(Debug)]
pub struct ModelInfo {
    /// The variables of each horizon year (one for the single-year model).
    pub years: Vec<Vars>,
    /// Every objective term.
    pub cost_terms: Vec<CostTerm>,
    /// The weight of each year in the objective (the net present value): 1 / (1 + r)^t.
    pub discount: Vec<f64>,
    /// The groups of interchangeable demand points the flow and unserved columns are over.
    pub groups: DemandGroups,
    pub columns: usize,
    pub rows: usize,
    /// The open and platform columns are fixed to a design given from outside (a stochastic
    /// plan's first stage, §10): the plan reports them as they are, without trimming.
    pub design_fixed: bool,
}

impl ModelInfo {
    /// Sets the upfront-setup opening columns from the open columns in `values`:
    /// v[s,k,t] = max(0, y[s,k,t] - y[s,k,t-1]), their least value given the open decisions.
    pub fn set_openings(&self, values: &mut [f64]) {
        for (year, vars) in self.years.iter().enumerate() {
            for (s, o) in vars.opening.iter().enumerate() {
                for (k, v) in o.iter().enumerate() {
                    if let (Some(v), Some(y)) = (*v, vars.open[s][k]) {
                        let was = year
                            .checked_sub(1)
                            .and_then(|p| self.years[p].open[s][k])
                            .map_or(0.0, |p| values[p.col]);
                        values[v.col] = (values[y.col] - was).max(0.0);
                    }
                }
            }
        }
    }
}

/// Ex vivo patients at each demand point in year `year` (0-based), after growth and the in vivo
/// share, and the in vivo patients of all points together.
fn year_demand(instance: &Instance, scenario: &Scenario, year: usize) -> (Vec<f64>, f64) {
    let in_vivo = scenario.demand.in_vivo(year);
    let grown = instance
        .demand
        .iter()
        .map(|d| d.patients_in_year(year, scenario.horizon.growth));
    let ex_vivo = grown.clone().map(|p| p * (1.0 - in_vivo)).collect();
    (ex_vivo, grown.map(|p| p * in_vivo).sum())
}

/// The model, ready to hand to a solver.
pub struct Formulation {
    pub problem: Problem,
    pub info: ModelInfo,
}

struct Builder {
    problem: ProblemVariables,
    /// Every column's variable, by column index.
    variables: Vec<Variable>,
    columns: usize,
    objective: Expression,
    cost_terms: Vec<CostTerm>,
    discount: Vec<f64>,
    /// [`Problem::count_rows`], as the blocks are built.
    count_rows: Vec<LazyRow>,
}

impl Builder {
    fn new(discount: Vec<f64>) -> Builder {
        Builder {
            problem: ProblemVariables::new(),
            variables: Vec::new(),
            columns: 0,
            objective: Expression::default(),
            cost_terms: Vec::new(),
            discount,
            count_rows: Vec::new(),
        }
    }

    /// The formulation of what was built.
    fn finish(
        self,
        rows: Vec<Constraint>,
        lazy: Vec<LazyRow>,
        years: Vec<Vars>,
        groups: DemandGroups,
    ) -> Formulation {
        let info = ModelInfo {
            years,
            cost_terms: self.cost_terms,
            discount: self.discount,
            groups,
            columns: self.columns,
            rows: rows.len(),
            design_fixed: false,
        };
        Formulation {
            problem: Problem {
                variables: self.problem,
                objective: self.objective,
                constraints: rows,
                lazy,
                count_rows: self.count_rows,
                relaxation: None,
                integers_fixed: false,
            },
            info,
        }
    }

    /// A column costing `cost` a year in `line`, in year `year`.
    fn add(
        &mut self,
        def: good_lp::VariableDefinition,
        cost: f64,
        line: CostLine,
        year: usize,
    ) -> Var {
        let v = self.column(def);
        self.cost(v, cost, line, year);
        v
    }

    fn column(&mut self, def: good_lp::VariableDefinition) -> Var {
        let var = self.problem.add(def);
        let col = self.columns;
        self.columns += 1;
        self.variables.push(var);
        Var { var, col }
    }

    /// Adds `coef * v` to cost line `line` of year `year` (weighed by its discount factor).
    fn cost(&mut self, v: Var, coef: f64, line: CostLine, year: usize) {
        if coef != 0.0 {
            self.objective.add_mul(coef * self.discount[year], v.var);
            self.cost_terms.push(CostTerm {
                col: v.col,
                coef,
                line,
                year,
            });
        }
    }
}

/// Sum of variables with coefficients.
fn sum(terms: impl IntoIterator<Item = (f64, Variable)>) -> Expression {
    let mut e = Expression::default();
    for (c, v) in terms {
        e.add_mul(c, v);
    }
    e
}

impl Formulation {
    pub fn build(instance: &Instance, scenario: &Scenario, network: &Network) -> Formulation {
        Self::build_keeping(instance, scenario, network, None)
    }

    /// As [`Formulation::build`], with columns for the sites in `keep` even where no hospital
    /// reaches them.
    fn build_keeping(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        keep: Option<&[bool]>,
    ) -> Formulation {
        let horizon = &scenario.horizon;
        let years = horizon.years.max(1) as usize;
        let mut b = Builder::new((0..years).map(|t| horizon.discount(t)).collect());
        let mut rows: Vec<Constraint> = Vec::new();
        let mut lazy: Vec<LazyRow> = Vec::new();
        let n_sites = instance.sites.len();
        let n_hosp = instance.hospitals.len();
        let upfront = horizon.setup_charge() == SetupCharge::Upfront;
        let lead = horizon.lead_years as usize;

        let groups = DemandGroups::build(instance, network);
        let lists = AdjacencyLists::new(&groups, network, n_hosp, n_sites);

        let mut all_years = Vec::with_capacity(years);
        for year in 0..years {
            all_years.push(year::build(
                &mut b,
                &mut rows,
                &mut lazy,
                YearData {
                    year,
                    // a new site produces from year `lead` (0-based) on
                    producing: year >= lead,
                    upfront,
                    slot: year,
                    keep_sites: keep,
                },
                lists.view(&groups),
                instance,
                scenario,
                network,
            ));
        }

        if upfront {
            define_openings(&mut b, &mut rows, &mut all_years, network, lead);
        }
        define_persistence_rows(&mut rows, &all_years, n_sites, horizon.platform_removal);

        let mut f = b.finish(rows, lazy, all_years, groups);
        f.problem.relaxation = f.relaxation(instance, scenario, network);
        f
    }

    /// Year `year` (0-based) of the horizon alone, with its demand and lead-time rule, and the
    /// decisions of `floors` kept (sites open stay open, platforms are not removed): one step of
    /// the forward heuristic that gives a multi-year solve its first plan. With an upfront setup,
    /// a site not yet open pays its whole setup, discounted to this year.
    pub fn build_year(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        year: usize,
        floors: &Floors,
    ) -> Formulation {
        let horizon = &scenario.horizon;
        let mut b = Builder::new(vec![1.0; year + 1]);
        let mut rows = Vec::new();
        let mut lazy = Vec::new();
        let upfront = horizon.setup_charge() == SetupCharge::Upfront;
        let lead = horizon.lead_years as usize;
        let groups = DemandGroups::build(instance, network);
        let lists = AdjacencyLists::new(
            &groups,
            network,
            instance.hospitals.len(),
            instance.sites.len(),
        );
        let vars = year::build(
            &mut b,
            &mut rows,
            &mut lazy,
            YearData {
                year,
                producing: year >= lead,
                upfront,
                slot: year,
                keep_sites: None,
            },
            lists.view(&groups),
            instance,
            scenario,
            network,
        );
        let decided = year.saturating_sub(lead);
        let setup_weight = horizon.discount(decided) / horizon.discount(year);
        for (s, t) in network.terms.iter().enumerate() {
            for k in 0..2 {
                if let Some(y) = vars.open[s][k] {
                    if floors.open[s][k] {
                        rows.push(constraint!(y.var >= 1));
                    } else if upfront && !t.existing {
                        b.cost(y, t.setup_cost[k] * setup_weight, CostLine::Setup, year);
                    }
                }
                if let Some(n) = vars.platforms[s][k]
                    && floors.platforms[s][k] > 0.0
                {
                    rows.push(constraint!(n.var >= floors.platforms[s][k]));
                }
            }
        }
        // the one year of this model is its year 0
        for term in &mut b.cost_terms {
            term.year = 0;
        }
        b.discount = vec![1.0];
        b.finish(rows, lazy, vec![vars], groups)
    }
}

/// Upfront setup: v[s,k,t] >= y[s,k,t] - y[s,k,t-1], paid in the decision year t - lead.
fn define_openings(
    b: &mut Builder,
    rows: &mut Vec<Constraint>,
    all_years: &mut [Vars],
    network: &Network,
    lead: usize,
) {
    for year in 0..all_years.len() {
        let mut opening = Vec::with_capacity(network.terms.len());
        for (s, t) in network.terms.iter().enumerate() {
            let mut o = [None, None];
            for (k, slot) in o.iter_mut().enumerate() {
                let Some(y) = all_years[year].open[s][k] else {
                    continue;
                };
                if t.existing || t.setup_cost[k] == 0.0 {
                    continue;
                }
                let v = b.column(variable().min(0).max(1));
                b.cost(
                    v,
                    t.setup_cost[k],
                    CostLine::Setup,
                    year.saturating_sub(lead),
                );
                match year.checked_sub(1).and_then(|p| all_years[p].open[s][k]) {
                    Some(prev) => rows.push(constraint!(y.var - prev.var - v.var <= 0)),
                    None => rows.push(constraint!(y.var - v.var <= 0)),
                }
                *slot = Some(v);
            }
            opening.push(o);
        }
        all_years[year].opening = opening;
    }
}

/// Once open, a site stays open (under the same operating model); platforms are only added
/// unless the scenario allows removing them.
fn define_persistence_rows(
    rows: &mut Vec<Constraint>,
    all_years: &[Vars],
    sites: usize,
    platform_removal: bool,
) {
    for pair in all_years.windows(2) {
        let (prev, cur) = (&pair[0], &pair[1]);
        for s in 0..sites {
            for k in 0..2 {
                if let (Some(p), Some(c)) = (prev.open[s][k], cur.open[s][k]) {
                    rows.push(constraint!(p.var - c.var <= 0));
                }
                if !platform_removal
                    && let (Some(p), Some(c)) = (prev.platforms[s][k], cur.platforms[s][k])
                {
                    rows.push(constraint!(p.var - c.var <= 0));
                }
            }
        }
    }
}

/// Decisions a year inherits from the year before: the sites open (per operating model) and the
/// platforms installed (kept unless `horizon.platform_removal`).
#[derive(Debug, Clone, PartialEq)]
pub struct Floors {
    pub open: Vec<[bool; 2]>,
    pub platforms: Vec<[f64; 2]>,
}

impl Floors {
    /// Nothing inherited: the first year.
    pub fn none(sites: usize) -> Floors {
        Floors {
            open: vec![[false; 2]; sites],
            platforms: vec![[0.0; 2]; sites],
        }
    }
}

/// One year's data for [`year::build`].
struct YearData<'a> {
    year: usize,
    /// Whether a new site can produce this year (the lead time has passed).
    producing: bool,
    upfront: bool,
    /// The index of the block's weight in the objective: the year, or the scenario (§10).
    slot: usize,
    /// Sites to give columns even where no hospital reaches them.
    keep_sites: Option<&'a [bool]>,
}

/// Arc lists by node, shared by every year: group arcs by group and by hospital, cell arcs by
/// hospital and by site.
#[derive(Clone, Copy)]
struct Adjacency<'a> {
    groups: &'a DemandGroups,
    of_group: &'a [std::ops::Range<usize>],
    into_hospital: &'a [Vec<usize>],
    out_of_hospital: &'a [Vec<usize>],
    into_site: &'a [Vec<usize>],
}

/// The lists behind an [`Adjacency`], built in one pass over the arcs.
struct AdjacencyLists {
    of_group: Vec<std::ops::Range<usize>>,
    into_hospital: Vec<Vec<usize>>,
    out_of_hospital: Vec<Vec<usize>>,
    into_site: Vec<Vec<usize>>,
}

impl AdjacencyLists {
    fn new(groups: &DemandGroups, network: &Network, hospitals: usize, sites: usize) -> Self {
        // a group's arcs are consecutive
        let mut of_group = vec![0..0; groups.len()];
        let mut into_hospital = vec![Vec::new(); hospitals];
        for (a, arc) in groups.arcs.iter().enumerate() {
            let r = &mut of_group[arc.group];
            if r.start == r.end {
                *r = a..a;
            }
            r.end = a + 1;
            into_hospital[arc.hospital].push(a);
        }
        let mut out_of_hospital = vec![Vec::new(); hospitals];
        let mut into_site = vec![Vec::new(); sites];
        for (c, arc) in network.cell_arcs().enumerate() {
            out_of_hospital[arc.hospital].push(c);
            into_site[arc.site].push(c);
        }
        AdjacencyLists {
            of_group,
            into_hospital,
            out_of_hospital,
            into_site,
        }
    }

    fn view<'a>(&'a self, groups: &'a DemandGroups) -> Adjacency<'a> {
        Adjacency {
            groups,
            of_group: &self.of_group,
            into_hospital: &self.into_hospital,
            out_of_hospital: &self.out_of_hospital,
            into_site: &self.into_site,
        }
    }
}
