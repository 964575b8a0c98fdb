//! The network map: an SVG of the year drawn (the final year of a horizon), its layers in
//! drawing order (graticule, patient flows, batch flows, demand, hospitals, sites, labels), then
//! the legend. Labels are placed by labels.rs, borders drawn by borders.rs.

use super::borders;
use super::labels::{self, Wanted};
use super::map_data::{MAP_H, MAP_W, MapData, Projection};
use super::style::{CLOSED, DEMAND, FRANCHISE, HOSPITAL, OWNED, UNSERVED};
use super::{NEGLIGIBLE_PATIENTS, plain, status_colour, t};
use crate::export::report_plan::ReportPlan;
use crate::export::summary::site_label;
use crate::input::Instance;
use crate::input::basemap::Basemap;
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

/// The scale bar's target length in pixels, its distance from the map's corner and its ticks'
/// height; its length is the round distance (1, 2 or 5 times a power of ten km) nearest the target.
const SCALE_BAR_PX: f64 = 110.0;
const SCALE_BAR_INSET: f64 = 14.0;
const SCALE_BAR_TICK: f64 = 4.0;
/// Kilometres in a degree of latitude (the mean Earth radius, 6371 km).
const KM_PER_DEGREE: f64 = 111.195;
/// The line-width key shows these shares of the largest flow.
const KEY_SHARES: [f64; 3] = [0.1, 0.5, 1.0];

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
pub(super) fn map(
    h: &mut String,
    rows: &ReportPlan<'_>,
    instance: &Instance,
    basemap: Option<&Basemap>,
) {
    let data = MapData::gather(rows, instance);
    let title = format!(
        "Network{}",
        data.year.map_or(String::new(), |y| format!(
            " <span class=\"muted\">in year {y}, the final year of the horizon</span>"
        ))
    );
    map_card(h, &data, basemap, &title);
}

/// A card with `title` (HTML), the map of `data` over the basemap, and its legend.
pub(super) fn map_card(
    h: &mut String,
    data: &MapData<'_, '_>,
    basemap: Option<&Basemap>,
    title: &str,
) {
    let _ = write!(
        h,
        "<div class=\"card map\"><h2>{title}</h2>\n<svg class=\"mapsvg\" viewBox=\"0 0 {MAP_W} {MAP_H}\" \
         width=\"{MAP_W}\" height=\"{MAP_H}\" role=\"img\" aria-label=\"map of the network\" \
         xmlns=\"http://www.w3.org/2000/svg\">\n\
         <rect x=\"0\" y=\"0\" width=\"{MAP_W}\" height=\"{MAP_H}\" fill=\"#f8fafc\"/>\n"
    );
    if let Some(b) = basemap {
        borders::borders(h, b, &data.projection);
    }
    map_graticule(h, &data.projection);
    map_patient_flows(h, data);
    map_batch_flows(h, data);
    map_demand(h, data);
    let wanted = map_sites(h, data);
    // hospitals above the sites: a colocated site's circle would hide its hospital
    map_hospitals(h, data);
    let dropped = map_labels(h, &wanted);
    scale_bar(h, &data.projection);
    h.push_str("</svg>\n");
    if !dropped.is_empty() {
        let _ = writeln!(
            h,
            "<p class=\"note\">Not labelled on the map (no room beside them): {}.</p>",
            dropped.join(", ")
        );
    }
    map_legend(h, data);
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
/// sites' labels to place, drawn above everything else.
fn map_sites(h: &mut String, data: &MapData<'_, '_>) -> Vec<Wanted> {
    h.push_str("<g class=\"sites\">");
    let mut order: Vec<usize> = (0..data.instance.sites.len()).collect();
    order.sort_by_key(|&i| data.sites[i].status != "closed");
    let mut wanted = Vec::new();
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
        let text = match site.opened {
            Some(o) if o > 1 => format!("{} · y{o}", sp.id),
            _ => sp.id.clone(),
        };
        wanted.push(Wanted { x, y, r, text });
    }
    h.push_str("</g>\n");
    wanted
}

/// Places and writes the sites' labels (leader lines for those moved off their symbol);
/// returns the labels left out for want of room, escaped.
fn map_labels(h: &mut String, wanted: &[Wanted]) -> Vec<String> {
    let placement = labels::place(wanted, MAP_W, MAP_H);
    h.push_str("<g class=\"labels\">");
    for p in &placement.placed {
        if let Some(((x1, y1), (x2, y2))) = p.leader {
            let _ = write!(
                h,
                "<line x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\"/>"
            );
        }
        let _ = write!(
            h,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            p.at.x,
            p.baseline,
            plain(&wanted[p.index].text)
        );
    }
    h.push_str("</g>\n");
    placement
        .dropped
        .iter()
        .map(|&i| plain(&wanted[i].text))
        .collect()
}

/// The round distance in km (1, 2 or 5 times a power of ten) whose bar is nearest `target` px.
fn scale_km(km_per_px: f64, target: f64) -> f64 {
    let want = km_per_px * target;
    let mut best = 1.0;
    let mut power = 10f64.powf(want.log10().floor() - 1.0);
    for _ in 0..3 {
        for m in [1.0, 2.0, 5.0] {
            if ((m * power) - want).abs() < (best - want).abs() {
                best = m * power;
            }
        }
        power *= 10.0;
    }
    best
}

/// A scale bar in the map's bottom-right corner: true east-west at the map's middle latitude.
fn scale_bar(h: &mut String, p: &Projection) {
    let km_per_px = KM_PER_DEGREE / p.px_per_degree();
    let km = scale_km(km_per_px, SCALE_BAR_PX);
    let len = km / km_per_px;
    let (x2, y) = (
        MAP_W - SCALE_BAR_INSET,
        MAP_H - SCALE_BAR_INSET - GRID_LABEL_BOTTOM,
    );
    let x1 = x2 - len;
    let _ = writeln!(
        h,
        "<g class=\"scale\"><path d=\"M{x1:.1},{:.1}V{y:.1}H{x2:.1}V{:.1}\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\">{} km</text></g>",
        y - SCALE_BAR_TICK,
        y - SCALE_BAR_TICK,
        (x1 + x2) / 2.0,
        y - SCALE_BAR_TICK - 2.0,
        grouped(km, if km < 1.0 { 1 } else { 0 })
    );
}

/// A key of line widths: lines for shares of the largest flow, each with its volume.
fn width_key(max: f64, range: (f64, f64), colour: &str, opacity: f64, unit: &str) -> String {
    let mut key = String::new();
    for share in KEY_SHARES {
        let v = max * share;
        let w = radius(v, max, range);
        let _ = write!(
            key,
            "<span><svg width=\"22\" height=\"16\"><line x1=\"1\" y1=\"8\" x2=\"21\" y2=\"8\" \
             stroke=\"{colour}\" stroke-width=\"{w:.2}\" stroke-opacity=\"{opacity}\"/></svg>{}</span>",
            grouped(v, 1)
        );
    }
    format!("<span class=\"wkey\"><b>{unit}</b>{key}</span>")
}

/// The map's legend and how to read its symbols, with a key of the line widths.
fn map_legend(h: &mut String, data: &MapData<'_, '_>) {
    let _ = write!(
        h,
        "<div class=\"legend\">\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"6\" fill=\"{OWNED}\"/></svg>owned site</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"6\" fill=\"{FRANCHISE}\"/></svg>franchised site</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"4\" fill=\"#fff\" stroke=\"{CLOSED}\" stroke-width=\"1.5\"/></svg>closed candidate</span>\
         <span><svg width=\"16\" height=\"16\"><rect x=\"3\" y=\"3\" width=\"10\" height=\"10\" fill=\"{HOSPITAL}\"/></svg>hospital</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"5\" fill=\"{DEMAND}\" fill-opacity=\"0.45\"/></svg>demand</span>\
         <span><svg width=\"16\" height=\"16\"><circle cx=\"8\" cy=\"8\" r=\"5\" fill=\"{DEMAND}\" fill-opacity=\"0.45\" stroke=\"{UNSERVED}\" stroke-width=\"2\"/></svg>unserved demand</span>\
         </div>\n<div class=\"legend\">{}{}</div>\n\
         <p class=\"note\">Symbol areas grow with volume: demand with patients, hospitals with \
         patients treated, sites with batches made; line widths with the flow, as the key shows. \
         Hover for figures.</p>\n</div>\n",
        width_key(
            data.max.patient_flow,
            PATIENT_FLOW_W,
            DEMAND,
            0.5,
            "patients a year"
        ),
        width_key(
            data.max.batch_flow,
            BATCH_FLOW_W,
            OWNED,
            0.7,
            "batches a year"
        )
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_bar_lengths_are_round() {
        assert_eq!(scale_km(1.0, 110.0), 100.0);
        assert_eq!(scale_km(0.3, 110.0), 20.0);
        assert_eq!(scale_km(7.0, 110.0), 1000.0);
        assert_eq!(scale_km(0.004, 110.0), 0.5);
    }
}
