//! A first stage given from outside (DESIGN §10): which sites open under which operating model,
//! with how many platforms. The model with a design fixed leaves only the flows to decide.

use super::{Formulation, ModelInfo};
use crate::input::{Instance, OpModel, Scenario};
use crate::network::Network;
use good_lp::constraint;

/// A binary column above this is taken as 1 (the solver returns it within its tolerance).
const BINARY_ONE: f64 = 0.5;

/// Slack under a whole number of platforms, so batches that fill platforms exactly up to
/// solver noise do not ask for one more.
const PLATFORM_SLACK: f64 = 1e-6;

/// Per site, in the instance's order: its operating model and platforms, or `None` (closed).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Design {
    pub sites: Vec<Option<(OpModel, u32)>>,
}

impl Design {
    /// The design in the first block's open and platform columns of `values` (every block
    /// shares it), with the fewest platforms that carry the most batches any block makes at
    /// each site, never more than the solver's.
    pub fn from_blocks(blocks: &[ModelInfo], networks: &[&Network], values: &[f64]) -> Design {
        let first = &blocks[0].years[0];
        let sites = (0..first.open.len())
            .map(|s| {
                OpModel::ALL.into_iter().find_map(|m| {
                    let k = m as usize;
                    let y = first.open[s][k]?;
                    if values[y.col] <= BINARY_ONE {
                        return None;
                    }
                    let solver = first.platforms[s][k].map_or(0.0, |n| values[n.col].round());
                    let needed = blocks
                        .iter()
                        .zip(networks)
                        .filter_map(|(b, net)| {
                            let made = values[b.years[0].batches[s][k]?.col].max(0.0);
                            let per = net.terms[s].batches_per_platform;
                            Some((made / per - PLATFORM_SLACK).ceil().max(0.0))
                        })
                        .fold(0.0, f64::max);
                    Some((m, solver.min(needed).max(0.0) as u32))
                })
            })
            .collect();
        Design { sites }
    }

    /// Which sites the design opens.
    pub fn open_sites(&self) -> Vec<bool> {
        self.sites.iter().map(Option::is_some).collect()
    }

    /// Why the design cannot be used with this scenario's data; empty when it can.
    pub fn conflicts(
        &self,
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
    ) -> Vec<String> {
        let mut found = Vec::new();
        let lead = scenario.horizon.lead_years > 0;
        for ((site, t), d) in instance.sites.iter().zip(&network.terms).zip(&self.sites) {
            let id = crate::text::printable(&site.id);
            match *d {
                None if t.existing => found.push(format!("site {id} exists and cannot be closed")),
                None => {}
                Some((m, n)) => {
                    if !t.allows(m) {
                        found.push(format!("site {id} cannot be run {}", m.as_str()));
                    }
                    if n > t.max_platforms {
                        found.push(format!(
                            "site {id} has {n} platforms, more than its {} here",
                            t.max_platforms
                        ));
                    }
                    if lead && !t.existing {
                        found.push(format!(
                            "site {id} is new and cannot produce in year 1 (horizon.lead_years)"
                        ));
                    }
                }
            }
        }
        found
    }
}

impl Formulation {
    /// The model with `design` fixed (its open and platform columns in every year), so that
    /// only the flows are left; the design must have no [`Design::conflicts`] with the data.
    pub fn build_fixed(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        design: &Design,
    ) -> Formulation {
        Self::build_fixed_keeping(instance, scenario, network, design, &design.open_sites())
    }

    /// As [`Formulation::build_fixed`], with columns for the sites in `keep` (which must hold
    /// the design's open sites): with the `keep` of an extensive form, the columns are those of
    /// its block for this scenario, so the solution can start it.
    pub fn build_fixed_keeping(
        instance: &Instance,
        scenario: &Scenario,
        network: &Network,
        design: &Design,
        keep: &[bool],
    ) -> Formulation {
        let mut f = Self::build_keeping(instance, scenario, network, Some(keep));
        let mut fixed = std::collections::HashSet::new();
        for vars in &f.info.years {
            for (s, d) in design.sites.iter().enumerate() {
                for m in OpModel::ALL {
                    let k = m as usize;
                    let (open, platforms) = match *d {
                        Some((dm, n)) if dm == m => (1.0, f64::from(n)),
                        _ => (0.0, 0.0),
                    };
                    if let Some(y) = vars.open[s][k] {
                        f.problem.constraints.push(constraint!(y.var == open));
                        fixed.insert(y.col);
                    }
                    if let Some(n) = vars.platforms[s][k] {
                        f.problem.constraints.push(constraint!(n.var == platforms));
                        fixed.insert(n.col);
                    }
                }
            }
        }
        // with the sites fixed, the strengthening rows follow from the capacity rows
        f.problem.lazy.clear();
        f.problem.relaxation = None;
        // single sourcing's assignment columns stay integer: then it is still a MIP
        f.problem.integers_fixed = f
            .problem
            .variables
            .iter_variables_with_def()
            .enumerate()
            .all(|(col, (_, def))| !def.is_integer() || fixed.contains(&col));
        f.info.rows = f.problem.constraints.len();
        f.info.design_fixed = true;
        f
    }
}
