//! The network map: an SVG of the year drawn (the final year of a horizon), its layers in
//! drawing order (graticule, patient flows, batch flows, demand, hospitals, sites, labels), then
//! the legend.

use super::map_data::{MAP_H, MAP_W, MapData, Projection};
use super::style::{CLOSED, DEMAND, FRANCHISE, HOSPITAL, OWNED, UNSERVED};
use super::{NEGLIGIBLE_PATIENTS, plain, status_colour, t};
use crate::export::report_plan::ReportPlan;
use crate::export::summary::site_label;
use crate::input::Instance;
use crate::text::grouped;
use std::fmt::Write;

// Sizes of the symbols and lines in pixels, (at none, at the largest): areas and widths grow with
// volume, and the smallest still shows.
/// Patient flow lines, by patients.
const PATIENT_FLOW_W: (f64, f64) = (0.6, 3.0);
/// Batch flow lines, by batches: wider than the patient flows, which they cross.
const BATCH_FLOW_W: (f64, f64) = (1.0, 5.0);
/// Demand point circles, by patients.
const DEMAND_R: (f64, f64) = (1.5, 9.0);
/// Hospital squares (half their side), by patients treated.
const HOSPITAL_R: (f64, f64) = (2.5, 7.0);
/// Open site circles, by batches: the largest symbols, the plan's decisions.
const SITE_R: (f64, f64) = (6.0, 16.0);

/// Graticule steps in degrees, finest first, and the step past them all.
const GRID_STEPS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 15.0, 30.0];
const WIDEST_GRID_STEP: f64 = 45.0;
/// At most this many graticule lines across the map's larger span.
const MAX_GRID_LINES: f64 = 8.0;
/// A graticule label's distance from its line, and the meridians' labels from the map's bottom.
const GRID_LABEL_GAP: f64 = 3.0;
const GRID_LABEL_BOTTOM: f64 = 5.0;

/// Width of a label character in the map's font, for placing labels.
const LABEL_CHAR_W: f64 = 7.0;
/// A label's distance from its symbol.
const LABEL_GAP: f64 = 3.0;
/// A label's baseline below its symbol's centre, so the text is centred on it.
const LABEL_BASELINE: f64 = 4.0;
/// A label starting nearer the map's right edge than this goes left of its symbol.
const LABEL_RIGHT_ROOM: f64 = 70.0;
/// Two labels overlap when their starts are nearer than this across and this down.
const LABEL_BOX: (f64, f64) = (60.0, 12.0);
/// A label moved down moves a line of the font at a time, at most this many times.
const LABEL_LINE: f64 = 12.0;
const LABEL_MOVES: usize = 12;
/// A label this far below its symbol's centre has moved off it and gets a leader line.
const LABEL_MOVED: f64 = LABEL_BASELINE + 0.5;
/// The leader line stops this short of the label.
const LEADER_GAP: f64 = 2.0;

/// A radius growing with the square root of `v` (area proportional), from `r0` at 0 to `r1` at max.
fn radius(v: f64, max: f64, (r0, r1): (f64, f64)) -> f64 {
    if max <= 0.0 || v <= 0.0 {
        r0
    } else {
        r0 + (r1 - r0) * (v / max).sqrt()
    }
}

/// A graticule step in degrees giving a handful of lines over `span` degrees.
fn grid_step(span: f64) -> f64 {
    for step in GRID_STEPS {
        if span / step <= MAX_GRID_LINES {
            return step;
        }
    }
    WIDEST_GRID_STEP
}

/// The network map: the SVG with its layers in drawing order, then the legend.
pub(super) fn map(h: &mut String, rows: &ReportPlan<'_>, instance: &Instance) {
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
            x + GRID_LABEL_GAP,
            MAP_H - GRID_LABEL_BOTTOM,
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
            y - GRID_LABEL_GAP,
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
        let w = radius(fl.patients, data.max.patient_flow, PATIENT_FLOW_W);
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
        let w = radius(fl.batches, data.max.batch_flow, BATCH_FLOW_W);
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
        let r = radius(data.patients[d], data.max.patients, DEMAND_R);
        let short = data.unserved[d] > NEGLIGIBLE_PATIENTS;
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
        let r = radius(data.treated[i], data.max.treated, HOSPITAL_R);
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
        let r = radius(site.batches, data.max.batches, SITE_R);
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
    let (mut lx, mut ly) = (x + r + LABEL_GAP, y + LABEL_BASELINE);
    if lx > MAP_W - LABEL_RIGHT_ROOM {
        lx = x - r - LABEL_GAP - width;
    }
    for _ in 0..LABEL_MOVES {
        if placed
            .iter()
            .all(|&(px, py)| (px - lx).abs() > LABEL_BOX.0 || (py - ly).abs() > LABEL_BOX.1)
        {
            break;
        }
        ly += LABEL_LINE;
    }
    placed.push((lx, ly));
    if ly > y + LABEL_MOVED {
        // moved off its symbol: a leader line shows whose label it is
        let tx = if lx > x { lx - LEADER_GAP } else { lx + width };
        let _ = write!(
            labels,
            "<line x1=\"{x:.1}\" y1=\"{y:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\"/>",
            ly - LABEL_BASELINE
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
