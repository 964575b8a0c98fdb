//! A scenario's design, as a sweep compares it between points: the open sites, each with its
//! operating model and platforms, and what changed from one design to another.

use crate::plan::{Plan, SiteStatus};
use std::fmt;
use std::path::Path;

/// One open site of a design.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenSite {
    pub id: String,
    /// Owned or franchise (never closed: a closed site is not in the design).
    pub status: SiteStatus,
    pub platforms: u32,
}

/// The open sites of a plan, in the plan's (the instance's) site order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Design {
    pub sites: Vec<OpenSite>,
}

/// One difference between two designs, site by site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Opened {
        id: String,
        status: SiteStatus,
        platforms: u32,
    },
    Closed {
        id: String,
        status: SiteStatus,
    },
    /// The same site under the other operating model.
    Switched {
        id: String,
        from: SiteStatus,
        to: SiteStatus,
    },
    /// The same site and operating model with another number of platforms.
    Platforms {
        id: String,
        from: u32,
        to: u32,
    },
}

impl Change {
    /// Opened, closed or switched: a change of the sites or their operating models, which is
    /// what refinement locates; a change of platforms alone is not.
    pub fn is_structural(&self) -> bool {
        !matches!(self, Change::Platforms { .. })
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

impl fmt::Display for Change {
    /// `S-URMC switches from owned to franchise`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Change::Opened {
                id,
                status,
                platforms,
            } => write!(
                f,
                "{id} opens {} with {platforms} platform{}",
                status.as_str(),
                plural(*platforms)
            ),
            Change::Closed { id, status } => write!(f, "{id} ({}) closes", status.as_str()),
            Change::Switched { id, from, to } => {
                write!(f, "{id} switches from {} to {}", from.as_str(), to.as_str())
            }
            Change::Platforms { id, from, to } => {
                write!(f, "{id} goes from {from} to {to} platform{}", plural(*to))
            }
        }
    }
}

impl Design {
    /// The open sites of `plan`.
    pub fn of(plan: &Plan) -> Design {
        Design {
            sites: plan
                .sites
                .iter()
                .filter(|s| s.status != SiteStatus::Closed)
                .map(|s| OpenSite {
                    id: s.id.clone(),
                    status: s.status,
                    platforms: s.platforms,
                })
                .collect(),
        }
    }

    /// The design of a plan.json cartnet wrote (a sweep's `plans/*/plan.json`); `None` if the
    /// file cannot be read or is not a plan.
    pub fn load(plan_json: &Path) -> Option<Design> {
        let bytes = std::fs::read(plan_json).ok()?;
        let plan: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        let sites = plan.get("sites")?.as_array()?;
        let mut open = Vec::new();
        for s in sites {
            let status = match s.get("status")?.as_str()? {
                "owned" => SiteStatus::Owned,
                "franchise" => SiteStatus::Franchise,
                "closed" => continue,
                _ => return None,
            };
            open.push(OpenSite {
                id: s.get("id")?.as_str()?.to_string(),
                status,
                platforms: u32::try_from(s.get("platforms")?.as_u64()?).ok()?,
            });
        }
        Some(Design { sites: open })
    }

    fn site(&self, id: &str) -> Option<&OpenSite> {
        self.sites.iter().find(|s| s.id == id)
    }

    /// Whether both designs open the same sites under the same operating models (platforms
    /// aside).
    pub fn same_sites(&self, other: &Design) -> bool {
        self.sites.len() == other.sites.len()
            && self
                .sites
                .iter()
                .all(|s| other.site(&s.id).is_some_and(|o| o.status == s.status))
    }

    /// What changes from `self` to `to`: sites closed, switched or with other platforms in
    /// `self`'s order, then the sites opened in `to`'s order.
    pub fn changes_to(&self, to: &Design) -> Vec<Change> {
        let mut out = Vec::new();
        for s in &self.sites {
            let id = s.id.clone();
            match to.site(&s.id) {
                None => out.push(Change::Closed {
                    id,
                    status: s.status,
                }),
                Some(o) if o.status != s.status => out.push(Change::Switched {
                    id,
                    from: s.status,
                    to: o.status,
                }),
                Some(o) if o.platforms != s.platforms => out.push(Change::Platforms {
                    id,
                    from: s.platforms,
                    to: o.platforms,
                }),
                Some(_) => {}
            }
        }
        for o in to.sites.iter().filter(|o| self.site(&o.id).is_none()) {
            out.push(Change::Opened {
                id: o.id.clone(),
                status: o.status,
                platforms: o.platforms,
            });
        }
        out
    }
}

/// Whether two points' designs differ in their sites or operating models; a point without a plan
/// (`None`) differs from one with a plan.
pub fn sites_differ(a: Option<&Design>, b: Option<&Design>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => !a.same_sites(b),
        (None, None) => false,
        _ => true,
    }
}

/// What happens from one point to the next, in words: the changes joined by "; ", or that a plan
/// appears or disappears.
pub fn describe(from: Option<&Design>, to: Option<&Design>) -> Vec<String> {
    match (from, to) {
        (Some(a), Some(b)) => a.changes_to(b).iter().map(Change::to_string).collect(),
        (Some(_), None) => vec!["the scenario has no plan any more".into()],
        (None, Some(_)) => vec!["the scenario has a plan again".into()],
        (None, None) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn design(sites: &[(&str, SiteStatus, u32)]) -> Design {
        Design {
            sites: sites
                .iter()
                .map(|&(id, status, platforms)| OpenSite {
                    id: id.into(),
                    status,
                    platforms,
                })
                .collect(),
        }
    }

    #[test]
    fn changes_name_every_site_that_opened_closed_switched_or_changed_platforms() {
        use SiteStatus::{Franchise, Owned};
        let a = design(&[("A", Owned, 2), ("B", Owned, 1), ("C", Franchise, 1)]);
        let b = design(&[("A", Owned, 3), ("B", Franchise, 1), ("D", Owned, 1)]);
        let words: Vec<String> = a.changes_to(&b).iter().map(|c| c.to_string()).collect();
        assert_eq!(
            words,
            [
                "A goes from 2 to 3 platforms",
                "B switches from owned to franchise",
                "C (franchise) closes",
                "D opens owned with 1 platform"
            ]
        );
        assert!(!a.same_sites(&b));
        let more_platforms = design(&[("A", Owned, 1), ("B", Owned, 5), ("C", Franchise, 1)]);
        assert!(a.same_sites(&more_platforms));
        assert!(!sites_differ(Some(&a), Some(&more_platforms)));
        assert!(sites_differ(Some(&a), None));
        assert!(a.changes_to(&a).is_empty());
    }
}
