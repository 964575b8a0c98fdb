//! The columns and rows of one year of the model (DESIGN §5), one function per block, in the
//! order they enter the problem: HiGHS numbers columns and rows in that order.

use super::{Adjacency, Builder, CostLine, LazyRow, Vars, YearData, sum, year_demand};
use crate::input::{Instance, OpModel, Scenario};
use crate::network::Network;
use good_lp::{Constraint, Variable, constraint, variable};

mod single_sourcing;

/// Everything one year's blocks read and write.
struct YearModel<'a, 'b> {
    b: &'b mut Builder,
    rows: &'b mut Vec<Constraint>,
    lazy: &'b mut Vec<LazyRow>,
    adj: Adjacency<'a>,
    instance: &'a Instance,
    scenario: &'a Scenario,
    network: &'a Network,
    /// The index of this block's weight in the objective (its year, or its scenario).
    slot: usize,
    /// Sites whose columns exist even where no hospital reaches them (a design given from
    /// outside, or a site some other scenario can use).
    keep_sites: Option<&'a [bool]>,
    vars: Vars,
}

/// The variables and rows of one year: DESIGN §5 with this year's demand.
#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    b: &mut Builder,
    rows: &mut Vec<Constraint>,
    lazy: &mut Vec<LazyRow>,
    data: YearData<'_>,
    adj: Adjacency<'_>,
    instance: &Instance,
    scenario: &Scenario,
    network: &Network,
) -> Vars {
    let YearData {
        year,
        producing,
        upfront,
        slot,
        keep_sites,
    } = data;
    let (demand, patients_in_vivo) = year_demand(instance, scenario, year);
    let mut m = YearModel {
        b,
        rows,
        lazy,
        adj,
        instance,
        scenario,
        network,
        slot,
        keep_sites,
        vars: Vars::default(),
    };
    let group_demand = m.group_demand(&demand);
    let reachable = m.reachable(&group_demand);

    m.define_site_columns(producing, upfront);
    m.define_patient_columns();
    m.define_shipment_columns(&reachable);
    m.define_unserved_columns(&group_demand);
    m.define_demand_rows(&group_demand);
    m.define_hospital_rows();
    m.define_site_rows();
    m.define_strengthening_rows();
    if scenario.policy.single_sourcing {
        m.define_single_sourcing(&group_demand);
    }
    m.define_policy_rows(producing);

    let mut vars = m.vars;
    vars.patients_demand = demand;
    vars.patients_in_vivo = patients_in_vivo;
    vars
}

impl YearModel<'_, '_> {
    /// Each group's patients: its members' together.
    fn group_demand(&self, demand: &[f64]) -> Vec<f64> {
        self.adj
            .groups
            .members
            .iter()
            .map(|m| m.iter().map(|&d| demand[d]).sum())
            .collect()
    }

    /// Patients that can reach each hospital, capped by its capacity.
    fn reachable(&self, group_demand: &[f64]) -> Vec<f64> {
        let groups = self.adj.groups;
        (0..self.instance.hospitals.len())
            .map(|h| {
                let reach: f64 = self.adj.into_hospital[h]
                    .iter()
                    .map(|&a| group_demand[groups.arcs[a].group])
                    .sum();
                self.instance.hospitals[h]
                    .max_patients
                    .map_or(reach, |c| c.min(reach))
            })
            .collect()
    }

    /// Site columns y, n, b. A site no hospital can reach is left out unless it is existing; a
    /// new site cannot produce before the lead time has passed.
    fn define_site_columns(&mut self, producing: bool, upfront: bool) {
        let year = self.slot;
        for (s, t) in self.network.terms.iter().enumerate() {
            let reached =
                !self.adj.into_site[s].is_empty() || self.keep_sites.is_some_and(|k| k[s]);
            let usable = t.existing || (producing && reached);
            let mut open = [None, None];
            let mut platforms = [None, None];
            let mut batches = [None, None];
            for m in OpModel::ALL {
                let k = m as usize;
                if !usable || !t.allows(m) {
                    continue;
                }
                let b = &mut *self.b;
                let y = b.column(variable().binary());
                // annualized setup is paid every year the site produces (none when upfront)
                if !upfront {
                    b.cost(y, t.setup_per_year[k], CostLine::Setup, year);
                }
                b.cost(y, t.fixed_per_year[k], CostLine::Fixed, year);
                open[k] = Some(y);
                platforms[k] = Some(b.add(
                    variable().integer().min(0).max(t.max_platforms as f64),
                    t.platform_per_year[k],
                    CostLine::Platforms,
                    year,
                ));
                batches[k] =
                    Some(b.add(variable().min(0), t.batch_cost[k], CostLine::Batches, year));
            }
            self.vars.open.push(open);
            self.vars.platforms.push(platforms);
            self.vars.batches.push(batches);
        }
    }

    /// Patient columns x[g,h], one per group arc.
    fn define_patient_columns(&mut self) {
        for arc in &self.adj.groups.arcs {
            let x = self.b.add(
                variable().min(0),
                arc.cost_per_patient,
                CostLine::PatientTravel,
                self.slot,
            );
            self.vars.patients.push(x);
        }
    }

    /// Shipment columns w[h,s] bounded by W[h,s] (0 where the site cannot open).
    fn define_shipment_columns(&mut self, reachable: &[f64]) {
        let mut caps = Vec::with_capacity(self.network.cell_arc_count());
        for arc in self.network.cell_arcs() {
            let t = &self.network.terms[arc.site];
            // W[h,s]: what h can send, or what s can make, whichever is smaller.
            let cap = (reachable[arc.hospital] / (1.0 - t.failure_rate)).min(t.capacity());
            let usable = self.vars.open[arc.site].iter().any(Option::is_some);
            let upper = if usable { cap } else { 0.0 };
            let w = self.b.add(
                variable().min(0).max(upper),
                arc.cost_per_batch(),
                CostLine::Transport,
                self.slot,
            );
            self.vars.shipments.push(w);
            caps.push(upper);
        }
        self.vars.shipment_caps = caps;
    }

    /// Unserved columns u[g] (none under full coverage).
    fn define_unserved_columns(&mut self, group_demand: &[f64]) {
        let demand = &self.scenario.demand;
        for &p in group_demand {
            let u = (!demand.full_coverage).then(|| {
                self.b.add(
                    variable().min(0).max(p),
                    demand.unserved_penalty,
                    CostLine::UnmetPenalty,
                    self.slot,
                )
            });
            self.vars.unserved.push(u);
        }
    }

    /// Demand, per group of interchangeable points: sum_h x[g,h] + u[g] = p[g].
    fn define_demand_rows(&mut self, group_demand: &[f64]) {
        for (g, &p) in group_demand.iter().enumerate() {
            let mut e = sum(self.adj.of_group[g]
                .clone()
                .map(|a| (1.0, self.vars.patients[a].var)));
            if let Some(u) = self.vars.unserved[g] {
                e.add_mul(1.0, u.var);
            }
            self.rows.push(constraint!(e == p));
        }
    }

    /// Per hospital reached: its capacity row, then its batches-per-patient row.
    fn define_hospital_rows(&mut self) {
        for (h, hp) in self.instance.hospitals.iter().enumerate() {
            if self.adj.into_hospital[h].is_empty() {
                continue;
            }
            let patients = || {
                sum(self.adj.into_hospital[h]
                    .iter()
                    .map(|&a| (1.0, self.vars.patients[a].var)))
            };
            // hospital capacity: sum_d x[d,h] <= cap[h]
            if let Some(cap) = hp.max_patients {
                self.rows.push(constraint!(patients() <= cap));
            }
            // batches per patient: sum_s (1 - f_s) w[h,s] = sum_d x[d,h]
            let shipped = sum(self.adj.out_of_hospital[h].iter().map(|&c| {
                let f = self.network.terms[self.network.cell_arc(c).site].failure_rate;
                (1.0 - f, self.vars.shipments[c].var)
            }));
            self.rows.push(constraint!(shipped == patients()));
        }
    }

    /// Per site that can open: its balance, its one operating model, and its capacity links.
    fn define_site_rows(&mut self) {
        for s in 0..self.network.terms.len() {
            let open: Vec<Variable> = self.vars.open[s].iter().flatten().map(|v| v.var).collect();
            if open.is_empty() {
                continue;
            }
            self.site_balance_row(s);
            self.one_model_row(s, &open);
            self.capacity_rows(s);
        }
    }

    /// Site balance: sum_h w[h,s] = sum_k b[s,k].
    fn site_balance_row(&mut self, s: usize) {
        let inflow = sum(self.adj.into_site[s]
            .iter()
            .map(|&c| (1.0, self.vars.shipments[c].var)));
        let made = sum(self.vars.batches[s].iter().flatten().map(|v| (1.0, v.var)));
        self.rows.push(constraint!(inflow == made));
    }

    /// One operating model at most; exactly one for an existing site.
    fn one_model_row(&mut self, s: usize, open: &[Variable]) {
        let any_open = sum(open.iter().map(|&y| (1.0, y)));
        if self.network.terms[s].existing {
            self.rows.push(constraint!(any_open == 1));
        } else {
            self.rows.push(constraint!(any_open <= 1));
        }
    }

    /// Capacity b <= B n and platform link n <= N y, and the minimum utilization of the
    /// platforms installed, per operating model.
    fn capacity_rows(&mut self, s: usize) {
        let t = &self.network.terms[s];
        let min_utilization = self.scenario.policy.min_utilization;
        for k in 0..2 {
            let v = &self.vars;
            let (Some(y), Some(n), Some(bk)) = (v.open[s][k], v.platforms[s][k], v.batches[s][k])
            else {
                continue;
            };
            self.rows
                .push(constraint!(bk.var <= t.batches_per_platform * n.var));
            self.rows
                .push(constraint!(n.var <= (t.max_platforms as f64) * y.var));
            if min_utilization > 0.0 {
                self.rows.push(constraint!(
                    bk.var >= min_utilization * t.batches_per_platform * n.var
                ));
            }
        }
    }

    /// Strengthening (lazy): w[h,s] <= W[h,s] * sum_k y[s,k].
    fn define_strengthening_rows(&mut self) {
        let caps = &self.vars.shipment_caps;
        for s in 0..self.network.terms.len() {
            let open_cols: Vec<usize> = self.vars.open[s].iter().flatten().map(|v| v.col).collect();
            if open_cols.is_empty() {
                continue;
            }
            for &c in &self.adj.into_site[s] {
                if caps[c] > 0.0 {
                    let mut terms = vec![(self.vars.shipments[c].col, 1.0)];
                    terms.extend(open_cols.iter().map(|&y| (y, -caps[c])));
                    self.lazy.push(LazyRow { terms, upper: 0.0 });
                }
            }
        }
    }

    /// Policy rows: the franchise share and the site count bounds.
    fn define_policy_rows(&mut self, producing: bool) {
        let vars = &self.vars;
        let all_open = || sum(vars.open.iter().flatten().flatten().map(|y| (1.0, y.var)));
        let franchise_open = || sum(vars.open.iter().filter_map(|o| o[1]).map(|y| (1.0, y.var)));
        let policy = &self.scenario.policy;
        if policy.max_franchise_share < 1.0 {
            let share = policy.max_franchise_share;
            self.rows
                .push(constraint!(franchise_open() <= share * all_open()));
        }
        // the site count bounds hold from the first year new sites can produce
        if policy.min_sites > 0 && producing {
            self.rows
                .push(constraint!(all_open() >= policy.min_sites as f64));
        }
        if policy.max_sites >= 0 {
            self.rows
                .push(constraint!(all_open() <= policy.max_sites as f64));
        } else {
            self.push_count_row();
        }
    }

    /// The site count row of [`super::Problem::count_rows`].
    fn push_count_row(&mut self) {
        let terms: Vec<(usize, f64)> = (self.vars.open.iter().flatten().flatten())
            .map(|y| (y.col, 1.0))
            .collect();
        let sites = self
            .vars
            .open
            .iter()
            .filter(|o| o.iter().any(Option::is_some));
        let upper = sites.count() as f64;
        if !terms.is_empty() {
            self.b.count_rows.push(LazyRow { terms, upper });
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::input::scenario::Override;
    use crate::input::{Instance, Scenario};
    use crate::model::Formulation;
    use crate::network::Network;
    use std::path::Path;

    fn demo(sets: &[Override]) -> (Instance, Scenario, Network) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let instance = Instance::load(&root.join("data/demo")).unwrap();
        let scenario = Scenario::load(&root.join("models/baseline.toml"), sets).unwrap();
        let network = Network::build(&instance, &scenario);
        (instance, scenario, network)
    }

    /// Without a site count policy the model carries one count row: every open column, at
    /// most the sites that can open (so it never binds); with one, the policy row instead.
    #[test]
    fn the_count_row_covers_every_open_column_and_never_binds() {
        let (instance, scenario, network) = demo(&[]);
        let f = Formulation::build(&instance, &scenario, &network);
        let open = &f.info.years[0].open;
        let sites = open
            .iter()
            .filter(|o| o.iter().any(Option::is_some))
            .count();
        let mut cols: Vec<usize> = open.iter().flatten().flatten().map(|y| y.col).collect();
        assert_eq!(f.problem.count_rows.len(), 1);
        let row = &f.problem.count_rows[0];
        let mut terms: Vec<usize> = row.terms.iter().map(|t| t.0).collect();
        cols.sort_unstable();
        terms.sort_unstable();
        assert_eq!(terms, cols);
        assert!(row.terms.iter().all(|t| t.1 == 1.0));
        assert_eq!(row.upper, sites as f64);
        assert!(cols.len() > sites, "some site has both operating models");
        let (instance, scenario, network) = demo(&[Override::parse("policy.max_sites=4").unwrap()]);
        let f = Formulation::build(&instance, &scenario, &network);
        assert!(f.problem.count_rows.is_empty());
    }
}
