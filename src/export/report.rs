//! report.html: one self-contained page for a plan (inline SVG and CSS; no script, no network):
//! KPIs, the solver's status and gap, a map of the network, the cost breakdown as a chart, tables
//! of sites, hospitals and unserved demand, and the scenario's parameters.
//!
//! A multi-year plan (one with `years`) also gets the build-out year by year: a table
//! of each year's sites, openings, platforms, batches, ex vivo and in vivo patients, coverage,
//! cost and discount factor with the net present value, and a grid of each site's platforms by
//! year. The KPIs, the map and the site and hospital tables then show the final year (sites
//! with the year they open); the cost chart shows the net present value of each line.
//!
//! It reads plan.json as JSON (so any plan file can be rendered; the flows and unserved demand as
//! rows, see [`crate::export::report_plan`]) and the instance for names and coordinates. The map projects longitude and latitude equirectangularly, with longitude scaled
//! by the cosine of the middle latitude so that shapes look right at the instance's latitude.

use crate::export::report_plan::{BatchFlow, PatientFlow, ReportPlan};
use crate::export::summary::site_label;
use crate::input::Instance;
use crate::model::CostLine;
use crate::text::{grouped, percent, printable, usd};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// Colours by site status, shared by the map, the tables and the legend.
const OWNED: &str = "#2563eb";
const FRANCHISE: &str = "#ea580c";
const CLOSED: &str = "#9ca3af";
const HOSPITAL: &str = "#0f172a";
const DEMAND: &str = "#8b5cf6";
const UNSERVED: &str = "#dc2626";

const MAP_W: f64 = 760.0;
const MAP_H: f64 = 560.0;
const MAP_PAD: f64 = 28.0;

/// Each cost line's colour in the chart.
fn cost_colour(line: CostLine) -> &'static str {
    match line {
        CostLine::Setup => "#1d4ed8",
        CostLine::Fixed => "#3b82f6",
        CostLine::Platforms => "#60a5fa",
        CostLine::Batches => "#0d9488",
        CostLine::Transport => "#f59e0b",
        CostLine::PatientTravel => "#a855f7",
        CostLine::UnmetPenalty => "#dc2626",
    }
}

/// Where the plan came from, for the page's header.
pub struct Source<'a> {
    /// The plan file as given on the command line.
    pub plan: &'a str,
    /// The data folder read for names and coordinates.
    pub data: &'a str,
    /// Shown in a banner at the top: the plan was not made from this data (`report --force`).
    pub warning: Option<&'a str>,
}

/// The banner of [`Source::warning`], styled inline so that it shows whatever the CSS.
const WARNING_STYLE: &str = "background:#fef2f2;border:3px solid #dc2626;color:#7f1d1d;\
    padding:12px 16px;margin:0 0 16px;font-weight:700";

/// Escapes text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Text from the input or the plan in HTML content, isolated in `<bdi>`: a bidirectional
/// control in an id (U+202E) then reorders only the id, not the figures beside it.
fn bdi(text: &str) -> String {
    format!("<bdi>{}</bdi>", esc(text))
}

/// Text from the input or the plan where no markup can go (the page title, SVG tooltips and
/// labels) or inside a sentence cartnet wrote (the reason demand is unserved): controls and
/// bidirectional controls are shown escaped, as on a terminal.
fn plain(text: &str) -> String {
    esc(&printable(text))
}

/// A JSON number, `None` when it is missing or not finite.
fn finite_num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

/// A JSON number, 0 when it is missing or not finite.
fn num_or_zero(v: &Value) -> f64 {
    finite_num(v).unwrap_or(0.0)
}

/// A JSON string, "" when it is missing or not a string.
fn str_or_empty(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

fn status_colour(status: &str) -> &'static str {
    match status {
        "owned" => OWNED,
        "franchise" => FRANCHISE,
        _ => CLOSED,
    }
}

/// The final year of a multi-year plan; `None` for a single-year plan.
fn final_year(plan: &Value) -> Option<u64> {
    let years = plan["years"].as_array().filter(|y| !y.is_empty())?;
    Some(
        years
            .last()
            .and_then(|y| y["year"].as_u64())
            .unwrap_or(years.len() as u64),
    )
}

/// Whether a flow or shortfall belongs to the year the map and tables show: the final year of a
/// multi-year plan, every entry of a single-year one.
fn shown(row_year: Option<u64>, year: Option<u64>) -> bool {
    year.is_none_or(|y| row_year == Some(y))
}

/// An id or a text of a row, "" when it is not a string.
fn t<'r>(text: &'r Option<std::borrow::Cow<'_, str>>) -> &'r str {
    text.as_deref().unwrap_or("")
}

/// The horizon's discount rate as a percentage, e.g. "3.5 %".
fn discount_rate(plan: &Value) -> String {
    finite_num(&plan["scenario"]["horizon"]["discount_rate"])
        .map_or("n/a".into(), |r| format!("{} %", grouped(r * 100.0, 1)))
}

/// Renders the report for `plan` (plan.json, parsed) with names and coordinates from `instance`.
pub fn render(rows: &ReportPlan<'_>, instance: &Instance, source: &Source<'_>) -> String {
    let plan = &rows.rest;
    let mut h = String::new();
    let solver = &plan["solver"];
    let status = str_or_empty(&solver["status"]);
    let title = format!("cartnet plan · {}", source.data);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        plain(&title)
    );
    if let Some(w) = source.warning {
        let _ = writeln!(
            h,
            "<div class=\"warning\" role=\"alert\" style=\"{WARNING_STYLE}\">⚠ {}</div>",
            esc(w)
        );
    }
    header(&mut h, plan);
    kpis(&mut h, plan);
    h.push_str("<div class=\"row\">\n");
    map(&mut h, rows, instance);
    h.push_str("<div class=\"col\">\n");
    costs(&mut h, plan);
    solver_card(&mut h, plan, status);
    h.push_str("</div>\n</div>\n");
    years_section(&mut h, plan, instance);
    sites_table(&mut h, plan, instance);
    hospitals_table(&mut h, rows, instance);
    unserved_table(&mut h, rows, instance);
    scenario(&mut h, plan);
    let costs_note = if final_year(plan).is_some() {
        "Each year's cost is in USD for that year, undiscounted; the cost breakdown and the total \
         are the net present value over the horizon; setup costs follow horizon.setup \
         (annualized with the capital recovery factor, or paid whole in the year a site is decided)."
    } else {
        "Every cost is in USD per year; setup costs are annualized with the capital recovery factor."
    };
    let _ = write!(
        h,
        "<footer>Made by cartnet {} from {} and the data in {}. {costs_note} Check the plan \
         independently with <code>cartnet verify {}</code>.</footer>\n</body>\n</html>\n",
        esc(str_or_empty(&plan["cartnet_version"])),
        bdi(source.plan),
        bdi(source.data),
        bdi(source.plan)
    );
    h
}

fn header(h: &mut String, plan: &Value) {
    let solver = &plan["solver"];
    let status = str_or_empty(&solver["status"]);
    let counts = &plan["instance"]["counts"];
    let _ = writeln!(
        h,
        "<header><div><h1>CAR-T manufacturing network plan</h1>\
         <p class=\"sub\">data <b>{}</b> · scenario <b>{}</b> · {} demand points, {} hospitals, \
         {} candidate sites</p></div>\
         <div class=\"badge st-{}\">{}</div></header>",
        bdi(str_or_empty(&plan["instance"]["data"])),
        bdi(str_or_empty(&plan["instance"]["model"])),
        grouped(num_or_zero(&counts["demand_points"]), 0),
        grouped(num_or_zero(&counts["hospitals"]), 0),
        grouped(num_or_zero(&counts["sites"]), 0),
        esc(status),
        esc(&status.replace('_', " ")),
    );
}

fn kpis(h: &mut String, plan: &Value) {
    let k = &plan["kpis"];
    let c = &plan["cost"];
    let days = |v: &Value| finite_num(v).map_or("n/a".into(), |d| format!("{} d", grouped(d, 1)));
    let fy = final_year(plan);
    let (cost_label, cost_note) = match fy {
        Some(y) => (
            "Net present value".to_string(),
            format!(
                "USD over {y} years at {} a year, the unmet-demand penalty included",
                discount_rate(plan)
            ),
        ),
        None => (
            "Annual cost".to_string(),
            "USD per year, all lines, the unmet-demand penalty included".to_string(),
        ),
    };
    let in_year = fy.map_or(String::new(), |y| format!(" in year {y}"));
    let cards = [
        (
            cost_label,
            finite_num(&c["total"]).map_or("n/a".into(), usd),
            cost_note,
        ),
        (
            "Cost per patient".to_string(),
            finite_num(&k["cost_per_patient"]).map_or("n/a".into(), usd),
            "per patient served, the unmet-demand penalty excluded".to_string(),
        ),
        (
            "Coverage".to_string(),
            finite_num(&k["coverage"]).map_or("n/a".into(), percent),
            format!(
                "{} of {} patients a year{in_year}",
                grouped(num_or_zero(&k["patients_served"]), 1),
                grouped(num_or_zero(&k["patients_demand"]), 1)
            ),
        ),
        (
            format!("Sites open{in_year}"),
            grouped(num_or_zero(&k["sites_open"]), 0),
            format!(
                "{} owned · {} franchise",
                grouped(num_or_zero(&k["owned"]), 0),
                grouped(num_or_zero(&k["franchise"]), 0)
            ),
        ),
        (
            "Platforms".to_string(),
            grouped(num_or_zero(&k["platforms"]), 0),
            format!("{} batches a year", grouped(num_or_zero(&k["batches"]), 1)),
        ),
        (
            "Vein-to-vein".to_string(),
            days(&k["mean_vein_to_vein_days"]),
            format!("mean · max {}", days(&k["max_vein_to_vein_days"])),
        ),
    ];
    h.push_str("<section class=\"kpis\">\n");
    for (label, value, note) in cards {
        let _ = writeln!(
            h,
            "<div class=\"kpi\"><div class=\"k-label\">{}</div><div class=\"k-value\">{}</div>\
             <div class=\"k-note\">{}</div></div>",
            esc(&label),
            esc(&value),
            esc(&note)
        );
    }
    h.push_str("</section>\n");
}

/// Equirectangular projection fitted to a box, north up.
struct Projection {
    lon0: f64,
    lat0: f64,
    kx: f64,
    scale: f64,
    x0: f64,
    y0: f64,
}

impl Projection {
    fn fit(points: &[(f64, f64)]) -> Projection {
        let (mut w, mut e, mut so, mut n) = (180.0f64, -180.0f64, 90.0f64, -90.0f64);
        for &(lon, lat) in points {
            w = w.min(lon);
            e = e.max(lon);
            so = so.min(lat);
            n = n.max(lat);
        }
        if points.is_empty() {
            (w, e, so, n) = (-1.0, 1.0, -1.0, 1.0);
        }
        let mid = (so + n) / 2.0;
        let kx = mid.to_radians().cos().max(0.05);
        // at least a quarter degree each way, so one point still gets a sensible map
        let (cx, cy) = ((w + e) / 2.0, mid);
        let half_x = ((e - w) / 2.0 * kx).max(0.25);
        let half_y = ((n - so) / 2.0).max(0.25);
        let scale = ((MAP_W / 2.0 - MAP_PAD) / half_x).min((MAP_H / 2.0 - MAP_PAD) / half_y);
        Projection {
            lon0: cx,
            lat0: cy,
            kx,
            scale,
            x0: MAP_W / 2.0,
            y0: MAP_H / 2.0,
        }
    }

    fn xy(&self, lon: f64, lat: f64) -> (f64, f64) {
        (
            self.x0 + (lon - self.lon0) * self.kx * self.scale,
            self.y0 - (lat - self.lat0) * self.scale,
        )
    }

    fn lon_at(&self, x: f64) -> f64 {
        self.lon0 + (x - self.x0) / (self.kx * self.scale)
    }

    fn lat_at(&self, y: f64) -> f64 {
        self.lat0 - (y - self.y0) / self.scale
    }
}

/// A radius growing with the square root of `v` (area proportional), from `r0` at 0 to `r1` at max.
fn radius(v: f64, max: f64, r0: f64, r1: f64) -> f64 {
    if max <= 0.0 || v <= 0.0 {
        r0
    } else {
        r0 + (r1 - r0) * (v / max).sqrt()
    }
}

/// A graticule step in degrees giving a handful of lines over `span` degrees.
fn grid_step(span: f64) -> f64 {
    for step in [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0] {
        if span / step <= 8.0 {
            return step;
        }
    }
    45.0
}

/// A site as the map draws it: its status in the plan and its volumes.
struct MapSite {
    status: String,
    batches: f64,
    platforms: f64,
    opened: Option<u64>,
}

/// The largest value of each drawn quantity, which sizes the symbols and line widths.
struct MapMaxima {
    patients: f64,
    treated: f64,
    batches: f64,
    patient_flow: f64,
    batch_flow: f64,
}

/// Everything the map draws, gathered from the plan's rows and the instance before any drawing.
struct MapData<'r, 'a> {
    instance: &'a Instance,
    projection: Projection,
    /// The year drawn: the final year of a multi-year plan, `None` for a single-year plan.
    year: Option<u64>,
    /// Index of each demand point, hospital and site in the instance, by id.
    demand_index: HashMap<&'a str, usize>,
    hospital_index: HashMap<&'a str, usize>,
    site_index: HashMap<&'a str, usize>,
    patient_flows: Vec<&'r PatientFlow<'r>>,
    batch_flows: Vec<&'r BatchFlow<'r>>,
    /// Per demand point: patients a year in the year drawn, and those left unserved.
    patients: Vec<f64>,
    unserved: Vec<f64>,
    /// Per hospital: patients treated a year.
    treated: Vec<f64>,
    /// Per instance site, in the instance's order.
    sites: Vec<MapSite>,
    max: MapMaxima,
}

/// Index of each item by its id.
fn index_by_id<'a, T>(items: &'a [T], id: impl Fn(&'a T) -> &'a str) -> HashMap<&'a str, usize> {
    items.iter().enumerate().map(|(i, x)| (id(x), i)).collect()
}

impl<'r, 'a> MapData<'r, 'a> {
    fn gather(rows: &'r ReportPlan<'r>, instance: &'a Instance) -> Self {
        let plan = &rows.rest;
        let points: Vec<(f64, f64)> = instance
            .demand
            .iter()
            .map(|d| (d.lon, d.lat))
            .chain(instance.hospitals.iter().map(|x| (x.lon, x.lat)))
            .chain(instance.sites.iter().map(|x| (x.lon, x.lat)))
            .collect();
        // a multi-year plan is drawn as it stands in its final year
        let year = final_year(plan);
        let mut data = MapData {
            instance,
            projection: Projection::fit(&points),
            year,
            demand_index: index_by_id(&instance.demand, |d| d.id.as_str()),
            hospital_index: index_by_id(&instance.hospitals, |x| x.id.as_str()),
            site_index: index_by_id(&instance.sites, |x| x.id.as_str()),
            patient_flows: rows
                .patient_flows
                .iter()
                .filter(|x| shown(x.year, year))
                .collect(),
            batch_flows: rows
                .batch_flows
                .iter()
                .filter(|x| shown(x.year, year))
                .collect(),
            patients: Vec::new(),
            unserved: vec![0.0; instance.demand.len()],
            treated: vec![0.0; instance.hospitals.len()],
            sites: Vec::new(),
            max: MapMaxima {
                patients: 0.0,
                treated: 0.0,
                batches: 0.0,
                patient_flow: 0.0,
                batch_flow: 0.0,
            },
        };
        data.add_patients(rows);
        data.add_sites(plan);
        data.max = data.maxima();
        data
    }

    /// Patients per demand point and hospital in the year drawn, and the unserved demand.
    fn add_patients(&mut self, rows: &'r ReportPlan<'r>) {
        // a horizon's demand grows: the final year's is what its flows and shortfalls add up to
        let mut year_demand = vec![0.0; self.instance.demand.len()];
        for u in rows.unserved.iter().filter(|x| shown(x.year, self.year)) {
            if let Some(&d) = self.demand_index.get(t(&u.demand)) {
                self.unserved[d] += u.patients;
                year_demand[d] += u.patients;
            }
        }
        for fl in &self.patient_flows {
            if let Some(&x) = self.hospital_index.get(t(&fl.hospital)) {
                self.treated[x] += fl.patients;
            }
            if let Some(&d) = self.demand_index.get(t(&fl.demand)) {
                year_demand[d] += fl.patients;
            }
        }
        self.patients = if self.year.is_some() {
            year_demand
        } else {
            self.instance.demand.iter().map(|d| d.patients).collect()
        };
    }

    /// Each instance site's status and volumes in the plan; closed when the plan omits it.
    fn add_sites(&mut self, plan: &Value) {
        self.sites = (0..self.instance.sites.len())
            .map(|_| MapSite {
                status: "closed".into(),
                batches: 0.0,
                platforms: 0.0,
                opened: None,
            })
            .collect();
        for ps in plan["sites"].as_array().into_iter().flatten() {
            if let Some(&x) = self.site_index.get(str_or_empty(&ps["id"])) {
                self.sites[x] = MapSite {
                    status: str_or_empty(&ps["status"]).to_string(),
                    batches: num_or_zero(&ps["batches"]),
                    platforms: num_or_zero(&ps["platforms"]),
                    opened: ps["opened_year"].as_u64(),
                };
            }
        }
    }

    /// The largest of each drawn quantity; 0 when there is none.
    fn maxima(&self) -> MapMaxima {
        let max = |values: &mut dyn Iterator<Item = f64>| values.fold(0.0, f64::max);
        MapMaxima {
            patients: max(&mut self.patients.iter().copied()),
            treated: max(&mut self.treated.iter().copied()),
            batches: max(&mut self.sites.iter().map(|x| x.batches)),
            patient_flow: max(&mut self.patient_flows.iter().map(|x| x.patients)),
            batch_flow: max(&mut self.batch_flows.iter().map(|x| x.batches)),
        }
    }
}

/// The network map: the SVG with its layers in drawing order, then the legend.
fn map(h: &mut String, rows: &ReportPlan<'_>, instance: &Instance) {
    let data = MapData::gather(rows, instance);
    let _ = write!(
        h,
        "<div class=\"card map\"><h2>Network{}</h2>\n<svg class=\"mapsvg\" viewBox=\"0 0 {MAP_W} {MAP_H}\" \
         width=\"{MAP_W}\" height=\"{MAP_H}\" role=\"img\" aria-label=\"map of the network\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n\
         <rect x=\"0\" y=\"0\" width=\"{MAP_W}\" height=\"{MAP_H}\" fill=\"#f8fafc\"/>\n",
        data.year.map_or(String::new(), |y| format!(
            " <span class=\"muted\">in year {y}, the final year of the horizon</span>"
        ))
    );
    map_graticule(h, &data.projection);
    map_patient_flows(h, &data);
    map_batch_flows(h, &data);
    map_demand(h, &data);
    map_hospitals(h, &data);
    let labels = map_sites(h, &data);
    h.push_str("</g>\n<g class=\"labels\">");
    h.push_str(&labels);
    h.push_str("</g>\n</svg>\n");
    map_legend(h);
}

/// A graticule label's decimals: two for steps under a degree.
fn grid_decimals(step: f64) -> usize {
    if step < 1.0 { 2 } else { 0 }
}

/// Meridians and parallels across the map, each labelled with its degree.
fn map_graticule(h: &mut String, p: &Projection) {
    let (west, east) = (p.lon_at(0.0), p.lon_at(MAP_W));
    let (north, south) = (p.lat_at(0.0), p.lat_at(MAP_H));
    let step = grid_step((east - west).max(north - south));
    h.push_str("<g class=\"grid\">");
    let mut lon = (west / step).ceil() * step;
    while lon <= east {
        let (x, _) = p.xy(lon, 0.0);
        let _ = write!(
            h,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{MAP_H}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}°</text>",
            x + 3.0,
            MAP_H - 5.0,
            grouped(lon, grid_decimals(step))
        );
        lon += step;
    }
    let mut lat = (south / step).ceil() * step;
    while lat <= north {
        let (_, y) = p.xy(0.0, lat);
        let _ = write!(
            h,
            "<line x1=\"0\" y1=\"{y:.1}\" x2=\"{MAP_W}\" y2=\"{y:.1}\"/>\
             <text x=\"4\" y=\"{:.1}\">{}°</text>",
            y - 3.0,
            grouped(lat, grid_decimals(step))
        );
        lat += step;
    }
    h.push_str("</g>\n");
}

/// Lines from demand points to the hospitals treating their patients, widths by patients.
fn map_patient_flows(h: &mut String, data: &MapData<'_, '_>) {
    h.push_str("<g class=\"pflows\">");
    for fl in &data.patient_flows {
        let (Some(&d), Some(&x)) = (
            data.demand_index.get(t(&fl.demand)),
            data.hospital_index.get(t(&fl.hospital)),
        ) else {
            continue;
        };
        let (a, b) = (&data.instance.demand[d], &data.instance.hospitals[x]);
        let (x1, y1) = data.projection.xy(a.lon, a.lat);
        let (x2, y2) = data.projection.xy(b.lon, b.lat);
        let w = radius(fl.patients, data.max.patient_flow, 0.6, 3.0);
        let _ = write!(
            h,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke-width=\"{w:.2}\">\
             <title>{} → {}: {} patients a year, {} h</title></line>",
            plain(&a.id),
            plain(&b.id),
            grouped(fl.patients, 1),
            grouped(fl.hours, 2)
        );
    }
    h.push_str("</g>\n");
}

/// Lines from hospitals to the sites making their batches, coloured by the site's status.
fn map_batch_flows(h: &mut String, data: &MapData<'_, '_>) {
    h.push_str("<g class=\"bflows\">");
    for fl in &data.batch_flows {
        let (Some(&x), Some(&st)) = (
            data.hospital_index.get(t(&fl.hospital)),
            data.site_index.get(t(&fl.site)),
        ) else {
            continue;
        };
        let (a, b) = (&data.instance.hospitals[x], &data.instance.sites[st]);
        let (x1, y1) = data.projection.xy(a.lon, a.lat);
        let (x2, y2) = data.projection.xy(b.lon, b.lat);
        let w = radius(fl.batches, data.max.batch_flow, 1.0, 5.0);
        let _ = write!(
            h,
            "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" stroke=\"{}\" \
             stroke-width=\"{w:.2}\"><title>{} → {}: {} batches a year, {} h transit, {} days vein-to-vein</title></line>",
            status_colour(&data.sites[st].status),
            plain(&a.id),
            plain(&b.id),
            grouped(fl.batches, 1),
            grouped(fl.transit_hours, 1),
            grouped(fl.vein_to_vein_days, 1)
        );
    }
    h.push_str("</g>\n");
}

/// Demand points sized by patients, ringed when some of their demand is unserved.
fn map_demand(h: &mut String, data: &MapData<'_, '_>) {
    h.push_str("<g class=\"demand\">");
    for (d, dp) in data.instance.demand.iter().enumerate() {
        let (x, y) = data.projection.xy(dp.lon, dp.lat);
        let r = radius(data.patients[d], data.max.patients, 1.5, 9.0);
        let short = data.unserved[d] > 1e-6;
        let _ = write!(
            h,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.2}\"{}><title>{} {}: {} patients a year{}</title></circle>",
            if short {
                format!(" stroke=\"{UNSERVED}\" stroke-width=\"2\"")
            } else {
                String::new()
            },
            plain(&dp.id),
            plain(&dp.name),
            grouped(data.patients[d], 1),
            if short {
                format!(", {} unserved", grouped(data.unserved[d], 1))
            } else {
                String::new()
            }
        );
    }
    h.push_str("</g>\n");
}

/// Hospitals as squares sized by patients treated.
fn map_hospitals(h: &mut String, data: &MapData<'_, '_>) {
    h.push_str("<g class=\"hosp\">");
    for (i, hp) in data.instance.hospitals.iter().enumerate() {
        let (x, y) = data.projection.xy(hp.lon, hp.lat);
        let r = radius(data.treated[i], data.max.treated, 2.5, 7.0);
        let _ = write!(
            h,
            "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"><title>{} {}: {} patients a year</title></rect>",
            x - r,
            y - r,
            2.0 * r,
            2.0 * r,
            plain(&hp.id),
            plain(&hp.name),
            grouped(data.treated[i], 1)
        );
    }
    h.push_str("</g>\n");
}

/// Sites, closed ones first (small and hollow), open ones sized by batches; returns the open
/// sites' labels, drawn above everything else.
fn map_sites(h: &mut String, data: &MapData<'_, '_>) -> String {
    h.push_str("<g class=\"sites\">");
    let mut order: Vec<usize> = (0..data.instance.sites.len()).collect();
    order.sort_by_key(|&i| data.sites[i].status != "closed");
    let mut labels = String::new();
    let mut placed: Vec<(f64, f64)> = Vec::new();
    for st in order {
        let sp = &data.instance.sites[st];
        let site = &data.sites[st];
        let (x, y) = data.projection.xy(sp.lon, sp.lat);
        let tip = format!(
            "{} {} ({}): {}{}, {} platforms, {} batches a year",
            sp.id,
            sp.name,
            sp.kind.as_str(),
            site_label(&site.status, sp.existing, site.platforms),
            site.opened
                .map_or(String::new(), |o| format!(" from year {o}")),
            grouped(site.platforms, 0),
            grouped(site.batches, 1)
        );
        if site.status == "closed" {
            let _ = write!(
                h,
                "<circle class=\"closed\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4\"><title>{}</title></circle>",
                plain(&tip)
            );
            continue;
        }
        let r = radius(site.batches, data.max.batches, 6.0, 16.0);
        let _ = write!(
            h,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.2}\" fill=\"{}\"><title>{}</title></circle>",
            status_colour(&site.status),
            plain(&tip)
        );
        // a site opened after the first year of a horizon is labelled with its year
        let label = match site.opened {
            Some(o) if o > 1 => format!("{} · y{o}", sp.id),
            _ => sp.id.clone(),
        };
        map_label(&mut labels, &mut placed, (x, y), r, &label);
    }
    labels
}

/// Width of a label character in the map's font, for placing labels.
const LABEL_CHAR_W: f64 = 7.0;

/// Writes a site's label right of its symbol (left near the map's right edge), moved down while
/// it would overlap one already `placed`, with a leader line when it moved off the symbol.
fn map_label(
    labels: &mut String,
    placed: &mut Vec<(f64, f64)>,
    at: (f64, f64),
    r: f64,
    label: &str,
) {
    let (x, y) = at;
    let width = LABEL_CHAR_W * label.chars().count() as f64;
    let (mut lx, mut ly) = (x + r + 3.0, y + 4.0);
    if lx > MAP_W - 70.0 {
        lx = x - r - 3.0 - width;
    }
    for _ in 0..12 {
        if placed
            .iter()
            .all(|&(px, py)| (px - lx).abs() > 60.0 || (py - ly).abs() > 12.0)
        {
            break;
        }
        ly += 12.0;
    }
    placed.push((lx, ly));
    if ly > y + 4.5 {
        // moved off its symbol: a leader line shows whose label it is
        let tx = if lx > x { lx - 2.0 } else { lx + width };
        let _ = write!(
            labels,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/>",
            ly - 4.0
        );
    }
    let _ = write!(
        labels,
        "<text x=\"{lx:.1}\" y=\"{ly:.1}\">{}</text>",
        plain(label)
    );
}

/// The map's legend and how to read its symbols.
fn map_legend(h: &mut String) {
    let _ = write!(
        h,
        "<div class=\"legend\">\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"6\" fill=\"{OWNED}\"/></svg>owned site</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"6\" fill=\"{FRANCHISE}\"/></svg>franchised site</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"4\" fill=\"#fff\" stroke=\"{CLOSED}\" stroke-width=\"1.5\"/></svg>closed candidate</span>\
         <span><svg width=\"16\" height=\"16\"><rect x=\"3\" y=\"3\" width=\"10\" height=\"10\" fill=\"{HOSPITAL}\"/></svg>hospital</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"5\" fill=\"{DEMAND}\" fill-opacity=\"0.45\"/></svg>demand</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"5\" fill=\"{DEMAND}\" fill-opacity=\"0.45\" stroke=\"{UNSERVED}\" stroke-width=\"2\"/></svg>unserved demand</span>\
         <span><svg width=\"22\" height=\"16\"><line x1=\"1\" y1=\"8\" x2=\"21\" y2=\"8\" stroke=\"{DEMAND}\" stroke-width=\"2\" stroke-opacity=\"0.5\"/></svg>patients</span>\
         <span><svg width=\"22\" height=\"16\"><line x1=\"1\" y1=\"8\" x2=\"21\" y2=\"8\" stroke=\"{OWNED}\" stroke-width=\"3\" stroke-opacity=\"0.7\"/></svg>batches</span>\
         </div>\n<p class=\"note\">Symbol areas grow with volume: demand with patients, hospitals with \
         patients treated, sites with batches made; line widths with the flow. Hover for figures.</p>\n</div>\n"
    );
}

fn costs(h: &mut String, plan: &Value) {
    let c = &plan["cost"];
    let total = num_or_zero(&c["total"]);
    let max = CostLine::ALL
        .iter()
        .map(|line| num_or_zero(&c[line.key()]).abs())
        .fold(0.0, f64::max);
    let (w, row, label_w, value_w) = (460.0, 30.0, 140.0, 150.0);
    let height = row * CostLine::ALL.len() as f64 + 10.0;
    let bar_w = w - label_w - value_w;
    let fy = final_year(plan);
    let unit = fy.map_or("USD per year".to_string(), |y| {
        format!("net present value over {y} years, USD")
    });
    let _ = write!(
        h,
        "<div class=\"card\"><h2>Cost breakdown <span class=\"muted\">{unit}</span></h2>\n\
         <svg class=\"chart\" viewBox=\"0 0 {w} {height}\" width=\"{w}\" height=\"{height}\" \
         role=\"img\" aria-label=\"cost breakdown\" xmlns=\"http://www.w3.org/2000/svg\">\n"
    );
    let upfront = plan["scenario"]["horizon"]["setup"] == "upfront";
    for (i, line) in CostLine::ALL.into_iter().enumerate() {
        // horizon.setup = "upfront" charges the whole setup in the year a site is decided
        let label = if line == CostLine::Setup && upfront {
            "Setup (upfront)"
        } else {
            line.label()
        };
        let colour = cost_colour(line);
        let v = num_or_zero(&c[line.key()]);
        let y = 5.0 + row * i as f64;
        let len = if max > 0.0 {
            (v.abs() / max * bar_w).max(if v != 0.0 { 1.5 } else { 0.0 })
        } else {
            0.0
        };
        let share = if total != 0.0 {
            format!("{} %", grouped(v / total * 100.0, 1))
        } else {
            "–".into()
        };
        let _ = writeln!(
            h,
            "<text x=\"0\" y=\"{:.1}\" class=\"lbl\">{}</text>\
             <rect x=\"{label_w}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" rx=\"3\" fill=\"{colour}\">\
             <title>{}: {} ({share})</title></rect>\
             <text x=\"{w}\" y=\"{:.1}\" class=\"val\" text-anchor=\"end\">{} · {share}</text>",
            y + row * 0.55,
            esc(label),
            y + 4.0,
            row - 10.0,
            esc(label),
            usd(v),
            y + row * 0.55,
            usd(v)
        );
    }
    let _ = write!(
        h,
        "</svg>\n<div class=\"total\">Total <b>{}</b> {}</div>\n</div>\n",
        usd(total),
        fy.map_or("a year".to_string(), |y| format!(
            "over {y} years (net present value)"
        ))
    );
}

fn solver_card(h: &mut String, plan: &Value, status: &str) {
    let solver = &plan["solver"];
    let counts = &plan["instance"]["counts"];
    let money = |v: &Value| finite_num(v).map_or("n/a".into(), usd);
    let gap =
        finite_num(&solver["gap"]).map_or("n/a".into(), |g| format!("{} %", grouped(g * 100.0, 4)));
    let rows = [
        (
            "Status",
            format!(
                "<span class=\"pill st-{}\">{}</span>",
                esc(status),
                esc(&status.replace('_', " "))
            ),
        ),
        ("Objective", esc(&money(&solver["objective"]))),
        ("Best bound", esc(&money(&solver["best_bound"]))),
        ("Gap", esc(&gap)),
        (
            "Solve time",
            format!("{} s", grouped(num_or_zero(&solver["seconds"]), 2)),
        ),
        (
            "Arcs",
            format!(
                "{} patient · {} cell",
                grouped(num_or_zero(&counts["patient_arcs"]), 0),
                grouped(num_or_zero(&counts["cell_arcs"]), 0)
            ),
        ),
        (
            "Model",
            format!(
                "{} variables · {} constraints",
                grouped(num_or_zero(&counts["variables"]), 0),
                grouped(num_or_zero(&counts["constraints"]), 0)
            ),
        ),
    ];
    h.push_str("<div class=\"card\"><h2>Solver</h2><table class=\"kv\">");
    for (k, v) in rows {
        let _ = write!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    h.push_str("</table></div>\n");
}

/// The build-out of a multi-year plan: one row a year with the net present value, then each
/// site's status and platforms year by year. Nothing for a single-year plan.
fn years_section(h: &mut String, plan: &Value, instance: &Instance) {
    let Some(years) = plan["years"].as_array().filter(|y| !y.is_empty()) else {
        return;
    };
    years_table(h, plan, years);
    sites_by_year(h, years, instance);
}

/// One row a year (sites, openings, volumes, coverage, cost and discount), then the net present value.
fn years_table(h: &mut String, plan: &Value, years: &[Value]) {
    let money = |v: &Value| finite_num(v).map_or("n/a".into(), usd);
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Build-out year by year <span class=\"muted\">{} years · \
         net present value {} at a discount rate of {} a year</span></h2>\n\
         <table class=\"data years\"><thead><tr><th>Year</th><th class=\"n\">Sites open</th>\
         <th>Opened that year</th><th class=\"n\">Platforms</th><th class=\"n\">Batches</th>\
         <th class=\"n\">Ex vivo patients</th><th class=\"n\">In vivo patients</th>\
         <th class=\"n\">Coverage</th><th class=\"n\">Cost that year</th>\
         <th class=\"n\">Discount factor</th><th class=\"n\">Discounted cost</th></tr></thead><tbody>\n",
        years.len(),
        money(&plan["cost"]["total"]),
        discount_rate(plan)
    );
    for y in years {
        let k = &y["kpis"];
        let opened: Vec<String> = y["opened"]
            .as_array()
            .map(|list| list.iter().map(|id| bdi(str_or_empty(id))).collect())
            .unwrap_or_default();
        let discounted = match (
            finite_num(&y["cost"]["total"]),
            finite_num(&y["discount_factor"]),
        ) {
            (Some(c), Some(d)) => usd(c * d),
            _ => "n/a".into(),
        };
        let _ = writeln!(
            h,
            "<tr><td><b>{}</b></td><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            grouped(num_or_zero(&y["year"]), 0),
            grouped(num_or_zero(&k["sites_open"]), 0),
            if opened.is_empty() {
                "–".to_string()
            } else {
                opened.join(", ")
            },
            grouped(num_or_zero(&k["platforms"]), 0),
            grouped(num_or_zero(&k["batches"]), 1),
            grouped(num_or_zero(&k["patients_demand"]), 1),
            grouped(num_or_zero(&k["patients_in_vivo"]), 1),
            finite_num(&k["coverage"]).map_or("n/a".into(), percent),
            money(&y["cost"]["total"]),
            finite_num(&y["discount_factor"]).map_or("n/a".into(), |d| grouped(d, 4)),
            discounted
        );
    }
    let _ = writeln!(
        h,
        "<tr class=\"sum\"><th colspan=\"10\">Net present value: each year's cost × its discount \
         factor, summed</th><td class=\"n\"><b>{}</b></td></tr></tbody></table>",
        money(&plan["cost"]["total"])
    );
}

/// Each site that ever opens, in the order they open, with its status and platforms year by year.
fn sites_by_year(h: &mut String, years: &[Value], instance: &Instance) {
    let by_year: Vec<HashMap<&str, &Value>> = years
        .iter()
        .map(|y| {
            y["sites"]
                .as_array()
                .map(|list| list.iter().map(|x| (str_or_empty(&x["id"]), x)).collect())
                .unwrap_or_default()
        })
        .collect();
    let first_open = |id: &str| {
        by_year.iter().position(|m| {
            m.get(id)
                .is_some_and(|x| str_or_empty(&x["status"]) != "closed")
        })
    };
    let mut rows: Vec<(usize, &crate::input::Site)> = instance
        .sites
        .iter()
        .filter_map(|x| first_open(&x.id).map(|t| (t, x)))
        .collect();
    rows.sort_by_key(|(t, _)| *t);
    let never = instance.sites.len() - rows.len();
    let _ = write!(
        h,
        "<h3>Sites by year <span class=\"muted\">status and platforms; {never} candidate{} never \
         open</span></h3>\n<table class=\"data grid-years\"><thead><tr><th>Site</th><th>Kind</th>",
        if never == 1 { "" } else { "s" }
    );
    for y in years {
        let _ = write!(
            h,
            "<th class=\"n\">Year {}</th>",
            grouped(num_or_zero(&y["year"]), 0)
        );
    }
    h.push_str("</tr></thead><tbody>\n");
    for (_, site) in rows {
        let _ = write!(
            h,
            "<tr><td><b>{}</b>{}</td><td>{}</td>",
            bdi(&site.id),
            if site.existing {
                " <span class=\"tag\">existing</span>"
            } else {
                ""
            },
            esc(site.kind.as_str())
        );
        for m in &by_year {
            match m.get(site.id.as_str()) {
                Some(x) if str_or_empty(&x["status"]) != "closed" => {
                    let status = str_or_empty(&x["status"]);
                    let _ = write!(
                        h,
                        "<td class=\"n\"><span class=\"dot\" style=\"background:{}\" \
                         title=\"{}\"></span>{}<span class=\"muted\"> · {} b</span></td>",
                        status_colour(status),
                        esc(site_label(
                            status,
                            site.existing,
                            num_or_zero(&x["platforms"])
                        )),
                        grouped(num_or_zero(&x["platforms"]), 0),
                        grouped(num_or_zero(&x["batches"]), 1)
                    );
                }
                _ => h.push_str("<td class=\"n closed\">–</td>"),
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str(
        "</tbody></table>\n<p class=\"note\">Each cell: platforms installed · batches made that \
         year (b); the dot's colour is the operating model. Closed: not producing yet.</p>\n\
         </section>\n",
    );
}

fn sites_table(h: &mut String, plan: &Value, instance: &Instance) {
    let by_id: HashMap<&str, &crate::input::Site> =
        instance.sites.iter().map(|x| (x.id.as_str(), x)).collect();
    let empty = Vec::new();
    let mut rows: Vec<&Value> = plan["sites"].as_array().unwrap_or(&empty).iter().collect();
    // open sites first, biggest first; then the closed candidates in file order
    rows.sort_by(|a, b| {
        let open = |x: &Value| str_or_empty(&x["status"]) != "closed";
        open(b)
            .cmp(&open(a))
            .then(num_or_zero(&b["batches"]).total_cmp(&num_or_zero(&a["batches"])))
    });
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
        let id = str_or_empty(&r["id"]);
        let site = by_id.get(id);
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
    h.push_str("</tbody></table></section>\n");
}

fn hospitals_table(h: &mut String, rows: &ReportPlan<'_>, instance: &Instance) {
    let fy = final_year(&rows.rest);
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
    let _ = write!(
        h,
        "<section class=\"card\"><h2>Hospitals <span class=\"muted\">{} treatment centres{}</span></h2>\n\
         <table class=\"data\"><thead><tr><th>Hospital</th><th>Name</th><th class=\"n\">Patients / year</th>\
         <th class=\"n\">Capacity</th><th class=\"n\">Batches / year</th><th>Served by</th></tr></thead><tbody>\n",
        instance.hospitals.len(),
        fy.map_or(String::new(), |y| format!(", in year {y}"))
    );
    let mut order: Vec<&crate::input::Hospital> = instance.hospitals.iter().collect();
    order.sort_by(|a, b| {
        let t = |x: &crate::input::Hospital| treated.get(x.id.as_str()).copied().unwrap_or(0.0);
        t(b).total_cmp(&t(a))
    });
    for hp in order {
        let t = treated.get(hp.id.as_str()).copied().unwrap_or(0.0);
        let mut by = makers.get(hp.id.as_str()).cloned().unwrap_or_default();
        by.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let batches: f64 = by.iter().map(|x| x.1).sum();
        let served: Vec<String> = by
            .iter()
            .map(|(site, b)| format!("{} ({})", bdi(site), grouped(*b, 1)))
            .collect();
        let cap = hp
            .max_patients
            .map_or("unlimited".into(), |c| grouped(c, 0));
        let full = hp.max_patients.is_some_and(|c| t >= c - 1e-6 && c > 0.0);
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
    h.push_str("</tbody></table></section>\n");
}

fn unserved_table(h: &mut String, plan: &ReportPlan<'_>, instance: &Instance) {
    let rows = &plan.unserved;
    let multi = final_year(&plan.rest).is_some();
    let names: HashMap<&str, &str> = instance
        .demand
        .iter()
        .map(|d| (d.id.as_str(), d.name.as_str()))
        .collect();
    let _ = writeln!(
        h,
        "<section class=\"card\"><h2>Unserved demand <span class=\"muted\">{}</span></h2>",
        if rows.is_empty() {
            "none: every patient is served".to_string()
        } else {
            let points: std::collections::HashSet<&str> =
                rows.iter().map(|r| t(&r.demand)).collect();
            if multi {
                format!(
                    "{} patients over the horizon at {} demand points",
                    grouped(rows.iter().map(|r| r.patients).sum(), 1),
                    points.len()
                )
            } else {
                format!(
                    "{} patients a year at {} demand points",
                    grouped(rows.iter().map(|r| r.patients).sum(), 1),
                    points.len()
                )
            }
        }
    );
    if !rows.is_empty() {
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
    h.push_str("</section>\n");
}

fn show(v: &Value) -> String {
    match v {
        Value::Number(x) => x.as_f64().map_or_else(|| x.to_string(), num_plain),
        Value::Bool(b) => b.to_string(),
        Value::String(t) => t.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

/// A parameter value: thousands separators for large numbers, as written otherwise.
fn num_plain(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() >= 10_000.0 {
        grouped(v, 0)
    } else {
        let t = format!("{v}");
        t.strip_suffix(".0").map_or(t.clone(), str::to_string)
    }
}

fn scenario(h: &mut String, plan: &Value) {
    let scn = &plan["scenario"];
    h.push_str(
        "<section class=\"card\"><h2>Scenario parameters <span class=\"muted\">every value in \
         force, by the keys of models/*.toml</span></h2>\n<div class=\"params\">\n",
    );
    let Some(groups) = scn.as_object() else {
        h.push_str("<p>The plan records no scenario.</p></div></section>\n");
        return;
    };
    for (group, values) in groups {
        let Some(values) = values.as_object() else {
            continue;
        };
        let _ = write!(h, "<table class=\"kv\"><caption>[{}]</caption>", bdi(group));
        if group == "kinds" {
            for (kind, o) in values {
                let overrides = o.as_object().map(|m| {
                    m.iter()
                        .map(|(k, v)| format!("{} = {}", bdi(k), bdi(&show(v))))
                        .collect::<Vec<_>>()
                });
                let text = match overrides {
                    Some(list) if !list.is_empty() => list.join("<br>"),
                    _ => "<span class=\"muted\">no overrides</span>".into(),
                };
                let _ = write!(h, "<tr><th>{}</th><td>{text}</td></tr>", bdi(kind));
            }
        } else {
            for (k, v) in values {
                let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", bdi(k), bdi(&show(v)));
            }
        }
        h.push_str("</table>\n");
    }
    h.push_str("</div></section>\n");
}

const CSS: &str = r#"
*{box-sizing:border-box}
body{margin:0;padding:24px 28px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#0f172a;background:#eef2f7}
header{display:flex;justify-content:space-between;align-items:center;margin-bottom:16px}
h1{font-size:24px;margin:0 0 2px}
h2{font-size:16px;margin:0 0 10px}
.sub{margin:0;color:#475569}
.muted{color:#64748b;font-weight:normal;font-size:13px}
.badge{font-weight:700;font-size:15px;padding:6px 14px;border-radius:999px;text-transform:uppercase;letter-spacing:.04em}
.pill{font-weight:600;padding:1px 9px;border-radius:999px}
.st-optimal{background:#dcfce7;color:#166534}
.st-feasible{background:#fef3c7;color:#92400e}
.st-infeasible,.st-no_solution{background:#fee2e2;color:#991b1b}
.kpis{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin-bottom:16px}
.kpi{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
.k-label{color:#64748b;font-size:12px;text-transform:uppercase;letter-spacing:.05em}
.k-value{font-size:22px;font-weight:700;margin:2px 0}
.k-note{color:#475569;font-size:12px}
.row{display:grid;grid-template-columns:minmax(0,1.6fr) minmax(0,1fr);gap:16px;align-items:start;margin-bottom:16px}
.col{display:flex;flex-direction:column;gap:16px;min-width:0}
.card{background:#fff;border-radius:10px;padding:16px 18px;box-shadow:0 1px 2px rgba(15,23,42,.08)}
section.card{margin-bottom:16px}
.mapsvg{display:block;border:1px solid #e2e8f0;border-radius:6px;width:100%;height:auto}
.chart{display:block;width:100%;height:auto}
.grid line{stroke:#e2e8f0;stroke-width:1}
.grid text{fill:#94a3b8;font-size:10px}
.pflows line{stroke:#8b5cf6;stroke-opacity:.35;stroke-linecap:round}
.bflows line{stroke-opacity:.75;stroke-linecap:round}
.demand circle{fill:#8b5cf6;fill-opacity:.45}
.hosp rect{fill:#0f172a;stroke:#fff;stroke-width:1}
.sites circle{stroke:#fff;stroke-width:1.5}
.sites circle.closed{fill:#fff;stroke:#9ca3af;stroke-width:1.5}
.labels line{stroke:#64748b;stroke-width:.8}
.labels text{font-size:11px;font-weight:600;fill:#0f172a;paint-order:stroke;stroke:#fff;stroke-width:3px}
.legend{display:flex;flex-wrap:wrap;gap:4px 14px;margin-top:8px;font-size:12px;color:#334155}
.legend span{display:inline-flex;align-items:center;gap:4px}
.note{font-size:12px;color:#64748b;margin:6px 0 0}
.chart .lbl{font-size:12.5px;fill:#334155}
.chart .val{font-size:12px;fill:#0f172a}
.total{margin-top:6px;font-size:15px}
table{border-collapse:collapse;width:100%}
table.data th,table.data td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:middle}
table.data th{font-size:12px;color:#475569;text-transform:uppercase;letter-spacing:.04em;background:#f8fafc}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tr.closed td{color:#94a3b8}
td.closed{color:#94a3b8}
h3{font-size:14px;margin:16px 0 8px}
tr.sum th{text-align:right;font-weight:600;color:#334155}
tr.sum td,tr.sum th{border-top:2px solid #cbd5e1;border-bottom:none}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:6px}
.bar{display:inline-block;width:90px;height:8px;background:#e2e8f0;border-radius:4px;margin-right:8px;vertical-align:middle;overflow:hidden}
.bar div{height:100%}
.tag{font-size:11px;background:#e0e7ff;color:#3730a3;border-radius:4px;padding:0 5px;margin-left:4px}
table.kv th{text-align:left;font-weight:500;color:#475569;padding:3px 12px 3px 0;white-space:nowrap;vertical-align:top}
table.kv td{padding:3px 0;font-variant-numeric:tabular-nums}
table.kv caption{text-align:left;font-weight:700;padding:0 0 4px;font-family:ui-monospace,monospace}
.params{display:grid;grid-template-columns:repeat(4,1fr);gap:14px 22px;align-items:start}
.params table.kv th,.params table.kv td{font-family:ui-monospace,monospace;font-size:12.5px}
footer{color:#64748b;font-size:12px;margin-top:8px}
@media (max-width:1100px){.row{grid-template-columns:1fr}.kpis{grid-template-columns:repeat(3,1fr)}.params{grid-template-columns:repeat(2,1fr)}}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn projection_keeps_points_inside_the_map() {
        let pts = [(-75.2, 39.9), (-73.9, 40.8), (-74.5, 40.2)];
        let p = Projection::fit(&pts);
        for (lon, lat) in pts {
            let (x, y) = p.xy(lon, lat);
            assert!((0.0..=MAP_W).contains(&x) && (0.0..=MAP_H).contains(&y));
        }
        // north is up
        assert!(p.xy(-74.0, 40.8).1 < p.xy(-74.0, 39.9).1);
    }
}
