//! Single sourcing: each hospital sends all its batches to one site, a binary z per cell arc.
//!
//! Where a hospital's patients are fixed by the data (full coverage, no capacity, and every
//! demand group reaching it reaches no other hospital, as in the imported benchmark sets) the
//! rows are as tight as that allows, since HiGHS alone is weak on this generalized-assignment
//! structure: its batches on the chosen arc are exactly its load (w = a z with sum z = 1),
//! which turns each site's capacity row into a knapsack over z that HiGHS derives cover cuts
//! from, and an arc is chosen only where its site is open (z <= sum_k y). Elsewhere an arc
//! carries at most its bound W where chosen (w <= W z), one arc at most per hospital.

use super::YearModel;
use crate::model::{Var, sum};
use good_lp::{Variable, constraint, variable};

impl YearModel<'_, '_> {
    /// Single sourcing: z columns, each arc's link to its shipment and its site, and one
    /// source per hospital.
    pub(super) fn define_single_sourcing(&mut self, group_demand: &[f64]) {
        let loads = self.fixed_loads(group_demand);
        for c in 0..self.network.cell_arc_count() {
            let cap = self.vars.shipment_caps[c];
            let z: Option<Var> = (cap > 0.0).then(|| self.b.column(variable().binary()));
            if let Some(z) = z {
                self.link_arc(c, z.var, loads[self.network.cell_arc(c).hospital]);
            }
            self.vars.sourcing.push(z);
        }
        for (h, out) in self.adj.out_of_hospital.iter().enumerate() {
            let zs: Vec<Variable> = out
                .iter()
                .filter_map(|&c| self.vars.sourcing[c].map(|z| z.var))
                .collect();
            let one = sum(zs.iter().map(|&z| (1.0, z)));
            match loads[h] {
                // patients that must be treated: exactly one source
                Some(load) if load > 0.0 && !zs.is_empty() => self.rows.push(constraint!(one == 1)),
                _ if zs.len() > 1 => self.rows.push(constraint!(one <= 1)),
                _ => {}
            }
        }
    }

    /// The rows of cell arc `c` with its choice `z`: its batches are its hospital's whole load
    /// and its site is open when the load is fixed, else at most the arc's bound.
    fn link_arc(&mut self, c: usize, z: Variable, load: Option<f64>) {
        let arc = self.network.cell_arc(c);
        let w = self.vars.shipments[c].var;
        match load {
            Some(load) => {
                let keep = 1.0 - self.network.terms[arc.site].failure_rate;
                self.rows.push(constraint!(w == (load / keep) * z));
            }
            None => {
                let cap = self.vars.shipment_caps[c];
                self.rows.push(constraint!(w <= cap * z));
            }
        }
        // Where the patients can move, this row measured slower on the national instance
        // (HiGHS found no plan but the all-unserved one in 60 s): it is kept where they cannot.
        if load.is_none() {
            return;
        }
        let open = sum(self.vars.open[arc.site]
            .iter()
            .flatten()
            .map(|y| (1.0, y.var)));
        self.rows.push(constraint!(z <= open));
    }

    /// Each hospital's patients where the data fix them: under full coverage, a hospital
    /// without a capacity whose demand groups all reach it alone treats all of them.
    fn fixed_loads(&self, group_demand: &[f64]) -> Vec<Option<f64>> {
        let groups = self.adj.groups;
        let full = self.scenario.demand.full_coverage;
        (0..self.instance.hospitals.len())
            .map(|h| {
                let into = &self.adj.into_hospital[h];
                let alone = into.iter().all(|&a| {
                    let g = groups.arcs[a].group;
                    self.adj.of_group[g].len() == 1
                });
                let uncapped = self.instance.hospitals[h].max_patients.is_none();
                (full && uncapped && alone).then(|| {
                    into.iter()
                        .map(|&a| group_demand[groups.arcs[a].group])
                        .sum()
                })
            })
            .collect()
    }
}
