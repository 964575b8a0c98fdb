//! The tables of sites, hospitals and unserved demand (of the final year of a horizon).

use super::{
    NEGLIGIBLE_PATIENTS, bdi, esc, final_year, num_or_zero, plain, shown, status_colour,
    str_or_empty, t,
};
use crate::export::report_plan::{ReportPlan, Unserved};
use crate::export::summary::site_label;
use crate::input::{Hospital, Instance, Site};
use crate::text::grouped;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

/// The sites of the plan, open ones first, with their status, platforms, batches and utilization.
pub(super) fn sites_table(h: &mut String, plan: &Value, instance: &Instance) {
    let by_id: HashMap<&str, &Site> = instance.sites.iter().map(|x| (x.id.as_str(), x)).collect();
    let rows = sites_in_order(plan);
    let open = rows
        .iter()
        .filter(|r| str_or_empty(&r["status"]) != "closed")
        .count();
    let fy = final_year(plan);
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Sites <span class=\"muted\">{open} open of {} candidates{}</span></h2>\n\
         <table class=\"data\"><thead><tr><th>Site</th><th>Name</th><th>Kind</th><th>Status</th>{}\
         <th class=\"n\">Platforms</th><th class=\"n\">Batches / year</th><th>Utilization</th></tr></thead><tbody>\n",
        rows.len(),
        fy.map_or(String::new(), |y| format!(" in year {y}, the final year")),
        if fy.is_some() {
            "<th class=\"n\">Opened</th>"
        } else {
            ""
        }
    );
    for r in rows {
        site_row(h, r, by_id.get(str_or_empty(&r["id"])).copied(), fy);
    }
    h.push_str("</tbody></table></section>\n");
}

/// The plan's sites: open sites first, biggest first; then the closed candidates in file order.
fn sites_in_order(plan: &Value) -> Vec<&Value> {
    let mut rows: Vec<&Value> = plan["sites"].as_array().into_iter().flatten().collect();
    rows.sort_by(|a, b| {
        let open = |x: &Value| str_or_empty(&x["status"]) != "closed";
        open(b)
            .cmp(&open(a))
            .then(num_or_zero(&b["batches"]).total_cmp(&num_or_zero(&a["batches"])))
    });
    rows
}

/// A site's row; `site` is the instance's (none for an id it does not know), `fy` the final year
/// of a horizon (which adds the year the site opens).
fn site_row(h: &mut String, r: &Value, site: Option<&Site>, fy: Option<u64>) {
    let id = str_or_empty(&r["id"]);
    let status = str_or_empty(&r["status"]);
    let u = num_or_zero(&r["utilization"]);
    let name = site.map_or("", |x| x.name.as_str());
    let kind = site.map_or("", |x| x.kind.as_str());
    let existing = site.is_some_and(|x| x.existing);
    let opened = if fy.is_some() {
        format!(
            "<td class=\"n\">{}</td>",
            r["opened_year"]
                .as_u64()
                .map_or("–".to_string(), |y| format!("year {y}"))
        )
    } else {
        String::new()
    };
    let _ = writeln!(
        h,
        "<tr class=\"{}\"><td><b>{}</b></td><td>{}{}</td><td>{}</td>\
         <td><span class=\"dot\" style=\"background:{}\"></span>{}</td>{opened}\
         <td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td><div class=\"bar\"><div style=\"width:{:.1}%;background:{}\"></div></div>{}</td></tr>",
        if status == "closed" { "closed" } else { "" },
        bdi(id),
        bdi(name),
        if existing {
            " <span class=\"tag\">existing</span>"
        } else {
            ""
        },
        esc(kind),
        status_colour(status),
        esc(site_label(status, existing, num_or_zero(&r["platforms"]))),
        grouped(num_or_zero(&r["platforms"]), 0),
        grouped(num_or_zero(&r["batches"]), 1),
        (u * 100.0).clamp(0.0, 100.0),
        status_colour(status),
        if status == "closed" {
            String::new()
        } else {
            format!("{} %", grouped(u * 100.0, 1))
        }
    );
}

/// What the hospitals table shows of the flows in the year drawn, by hospital id.
struct HospitalVolumes<'r> {
    /// Patients treated a year.
    treated: HashMap<&'r str, f64>,
    /// The sites making the hospital's batches, with their batches a year.
    makers: HashMap<&'r str, Vec<(&'r str, f64)>>,
}

impl<'r> HospitalVolumes<'r> {
    fn gather(rows: &'r ReportPlan<'_>, fy: Option<u64>) -> Self {
        let mut treated: HashMap<&str, f64> = HashMap::new();
        for fl in rows.patient_flows.iter().filter(|x| shown(x.year, fy)) {
            *treated.entry(t(&fl.hospital)).or_default() += fl.patients;
        }
        let mut makers: HashMap<&str, Vec<(&str, f64)>> = HashMap::new();
        for fl in rows.batch_flows.iter().filter(|x| shown(x.year, fy)) {
            makers
                .entry(t(&fl.hospital))
                .or_default()
                .push((t(&fl.site), fl.batches));
        }
        HospitalVolumes { treated, makers }
    }

    fn treated(&self, id: &str) -> f64 {
        self.treated.get(id).copied().unwrap_or(0.0)
    }
}

/// Every hospital, the busiest first: patients, capacity, batches and the sites making them.
pub(super) fn hospitals_table(h: &mut String, rows: &ReportPlan<'_>, instance: &Instance) {
    let fy = final_year(&rows.rest);
    let volumes = HospitalVolumes::gather(rows, fy);
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Hospitals <span class=\"muted\">{} treatment centres{}</span></h2>\n\
         <table class=\"data\"><thead><tr><th>Hospital</th><th>Name</th><th class=\"n\">Patients / year</th>\
         <th class=\"n\">Capacity</th><th class=\"n\">Batches / year</th><th>Served by</th></tr></thead><tbody>\n",
        instance.hospitals.len(),
        fy.map_or(String::new(), |y| format!(", in year {y}"))
    );
    let mut order: Vec<&Hospital> = instance.hospitals.iter().collect();
    order.sort_by(|a, b| {
        volumes
            .treated(b.id.as_str())
            .total_cmp(&volumes.treated(a.id.as_str()))
    });
    for hp in order {
        hospital_row(h, hp, &volumes);
    }
    h.push_str("</tbody></table></section>\n");
}

/// A hospital's row; tagged full when it treats as many patients as it can.
fn hospital_row(h: &mut String, hp: &Hospital, volumes: &HospitalVolumes<'_>) {
    let t = volumes.treated(hp.id.as_str());
    let mut by = volumes
        .makers
        .get(hp.id.as_str())
        .cloned()
        .unwrap_or_default();
    by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    let batches: f64 = by.iter().map(|x| x.1).sum();
    let served: Vec<String> = by
        .iter()
        .map(|(site, b)| format!("{} ({})", bdi(site), grouped(*b, 1)))
        .collect();
    let cap = hp
        .max_patients
        .map_or("unlimited".into(), |c| grouped(c, 0));
    let full = hp
        .max_patients
        .is_some_and(|c| t >= c - NEGLIGIBLE_PATIENTS && c > 0.0);
    let _ = writeln!(
        h,
        "<tr class=\"{}\"><td><b>{}</b></td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}{}</td>\
         <td class=\"n\">{}</td><td>{}</td></tr>",
        if t > 0.0 { "" } else { "closed" },
        bdi(&hp.id),
        bdi(&hp.name),
        grouped(t, 1),
        cap,
        if full {
            " <span class=\"tag\">full</span>"
        } else {
            ""
        },
        grouped(batches, 1),
        if served.is_empty() {
            "–".to_string()
        } else {
            served.join(", ")
        }
    );
}

/// The demand left unserved, with the reason (every year of a horizon, each row with its year).
pub(super) fn unserved_table(h: &mut String, plan: &ReportPlan<'_>, instance: &Instance) {
    let rows = &plan.unserved;
    let multi = final_year(&plan.rest).is_some();
    let _ = writeln!(
        h,
        "<section class=\"card\"><h2>Unserved demand <span class=\"muted\">{}</span></h2>",
        unserved_heading(rows, multi)
    );
    if !rows.is_empty() {
        unserved_rows(h, rows, multi, instance);
    }
    h.push_str("</section>\n");
}

/// How much demand is unserved and where, in a few words.
fn unserved_heading(rows: &[Unserved<'_>], multi: bool) -> String {
    if rows.is_empty() {
        return "none: every patient is served".to_string();
    }
    let points: HashSet<&str> = rows.iter().map(|r| t(&r.demand)).collect();
    let patients = grouped(rows.iter().map(|r| r.patients).sum(), 1);
    if multi {
        format!(
            "{patients} patients over the horizon at {} demand points",
            points.len()
        )
    } else {
        format!(
            "{patients} patients a year at {} demand points",
            points.len()
        )
    }
}

/// The table of unserved demand, a row a demand point (and year, over a horizon).
fn unserved_rows(h: &mut String, rows: &[Unserved<'_>], multi: bool, instance: &Instance) {
    let names: HashMap<&str, &str> = instance
        .demand
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .collect();
    let _ = writeln!(
        h,
        "<table class=\"data\"><thead><tr>{}<th>Demand point</th><th>Name</th>\
         <th class=\"n\">Patients / year</th><th>Why</th></tr></thead><tbody>",
        if multi {
            "<th class=\"n\">Year</th>"
        } else {
            ""
        }
    );
    for r in rows {
        let id = t(&r.demand);
        let year = if multi {
            format!("<td class=\"n\">{}</td>", grouped(r.year_number, 0))
        } else {
            String::new()
        };
        let _ = writeln!(
            h,
            "<tr>{year}<td><b>{}</b></td><td>{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            bdi(id),
            bdi(names.get(id).copied().unwrap_or("")),
            grouped(r.patients, 1),
            plain(t(&r.reason))
        );
    }
    h.push_str("</tbody></table>\n");
}
