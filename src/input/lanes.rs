//! lanes.csv: measured lanes, each joining two nodes that a shipment or a patient travels between.

use super::error::{self, Code, InputError};
use super::{DemandPoint, Hospital, Lane, NodeRef, Site, ranges, table};
use std::collections::HashMap;

/// The ids of the node files, each to its index.
struct NodeIds {
    demand: HashMap<String, usize>,
    hospitals: HashMap<String, usize>,
    sites: HashMap<String, usize>,
}

impl NodeIds {
    fn new(demand: &[DemandPoint], hospitals: &[Hospital], sites: &[Site]) -> NodeIds {
        fn index<'a>(ids: impl Iterator<Item = &'a str>) -> HashMap<String, usize> {
            ids.enumerate().map(|(i, id)| (id.to_string(), i)).collect()
        }
        NodeIds {
            demand: index(demand.iter().map(|x| x.id.as_str())),
            hospitals: index(hospitals.iter().map(|x| x.id.as_str())),
            sites: index(sites.iter().map(|x| x.id.as_str())),
        }
    }

    /// Whether `id` names a node of any file.
    fn known(&self, id: &str) -> bool {
        self.demand.contains_key(id)
            || self.hospitals.contains_key(id)
            || self.sites.contains_key(id)
    }

    /// The pairs a lane from `from` to `to` can join: hospital <-> site (cells), demand ->
    /// hospital (patients).
    fn candidates(&self, from: &str, to: &str) -> Vec<(NodeRef, NodeRef)> {
        let (d, h, s) = (&self.demand, &self.hospitals, &self.sites);
        [
            (
                h.get(from).map(|&i| NodeRef::Hospital(i)),
                s.get(to).map(|&i| NodeRef::Site(i)),
            ),
            (
                s.get(from).map(|&i| NodeRef::Site(i)),
                h.get(to).map(|&i| NodeRef::Hospital(i)),
            ),
            (
                d.get(from).map(|&i| NodeRef::Demand(i)),
                h.get(to).map(|&i| NodeRef::Hospital(i)),
            ),
        ]
        .into_iter()
        .filter_map(|(a, b)| Some((a?, b?)))
        .collect()
    }
}

/// Reads the lanes between the nodes read; an unknown id is an error only when `nodes_clean`
/// (else it may name a rejected row).
pub(super) fn read_lanes(
    t: &table::Table,
    demand: &[DemandPoint],
    hospitals: &[Hospital],
    sites: &[Site],
    nodes_clean: bool,
    errors: &mut Vec<InputError>,
) -> Vec<Lane> {
    let ids = NodeIds::new(demand, hospitals, sites);
    let mut out = Vec::new();
    // (from, to) -> the line that first gave the lane
    let mut first_line: HashMap<(NodeRef, NodeRef), u64> = HashMap::new();
    t.for_each_row(errors, |row| {
        let Some((from, to, hours, cost)) = read_cells(row) else {
            return;
        };
        match ids.candidates(&from, &to).as_slice() {
            [(a, b)] => match first_line.get(&(*a, *b)) {
                Some(&first) => duplicate_lane(row, &from, &to, first),
                None => {
                    first_line.insert((*a, *b), row.line);
                    out.push(Lane {
                        from: *a,
                        to: *b,
                        hours,
                        cost,
                    });
                }
            },
            [] => joins_nothing(row, &ids, &from, &to, nodes_clean),
            _ => row.row_error(
                Code::BadLane,
                "from",
                format!(
                    "{} -> {} is ambiguous: the ids are used in more than one file",
                    error::quoted(&from),
                    error::quoted(&to)
                ),
            ),
        }
    });
    out
}

/// from, to, hours and cost; `None` when one is missing or bad (its error is recorded).
fn read_cells(row: &mut table::Row<'_>) -> Option<(String, String, f64, Option<f64>)> {
    let from = row.required_text("from");
    let to = row.required_text("to");
    let hours = row.required_number("hours", 0.0, ranges::MAX_LIMIT);
    let cost_given = row.text("cost").is_some();
    let cost = row.number("cost", 0.0, ranges::MAX_COST);
    let (Some(from), Some(to), Some(hours)) = (from, to, hours) else {
        return None;
    };
    if cost_given && cost.is_none() {
        return None;
    }
    Some((from, to, hours, cost))
}

/// E206: the lane was given before, on line `first`.
fn duplicate_lane(row: &mut table::Row<'_>, from: &str, to: &str, first: u64) {
    row.row_error(
        Code::DuplicateLane,
        "to",
        format!(
            "the lane from {} to {} is given again; it was first given on line {first} \
             (give each lane once)",
            error::quoted(from),
            error::quoted(to)
        ),
    );
}

/// E202 for an id no file has, else E204: the two nodes are of kinds no lane joins.
fn joins_nothing(row: &mut table::Row<'_>, ids: &NodeIds, from: &str, to: &str, nodes_clean: bool) {
    let (code, message) = if !ids.known(from) {
        (
            Code::UnknownReference,
            format!(
                "{} is not a demand, hospital or site id",
                error::quoted(from)
            ),
        )
    } else if !ids.known(to) {
        (
            Code::UnknownReference,
            format!("{} is not a demand, hospital or site id", error::quoted(to)),
        )
    } else {
        (
            Code::BadLane,
            format!(
                "a lane from {} to {} joins nothing that travels: lanes go \
                 hospital -> site, site -> hospital (cell shipments) or demand -> hospital (patients)",
                error::quoted(from),
                error::quoted(to)
            ),
        )
    };
    if code == Code::UnknownReference && !nodes_clean {
        return; // it may name a rejected row
    }
    let column = if code == Code::UnknownReference && !ids.known(from) {
        "from"
    } else {
        "to"
    };
    row.row_error(
        code,
        if code == Code::BadLane {
            "from"
        } else {
            column
        },
        message,
    );
}
