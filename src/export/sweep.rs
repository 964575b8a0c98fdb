//! The outputs of a sweep: sweep.csv, sweep.svg and the printed table, in grid order.

use crate::export::csv::safe_text;
use crate::export::summary::{PENALTY_IN, PENALTY_OUT};
use crate::sweep::{Axis, Level, Row, RowStatus};
use crate::text::{percent, printable, usd};
use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use std::fmt::Write as _;
use std::io;
use std::ops::Range;

/// The columns of sweep.csv after `scenario` and the varied keys.
pub const CSV_COLUMNS: [&str; 13] = [
    "status",
    "objective",
    "gap",
    "seconds",
    "sites_open",
    "owned",
    "franchise",
    "platforms",
    "coverage",
    "mean_vein_to_vein_days",
    "max_vein_to_vein_days",
    "cost_per_patient",
    "folder",
];

/// The figures a scenario's plan gives in a row of sweep.csv (`sites_open` to `cost_per_patient`)
/// and of the printed table (cost a year to cost/patient); a scenario without a plan leaves as
/// many cells empty.
const KPI_COLUMNS: usize = 8;

/// sweep.csv: one row per scenario in grid order. `folders[i]` is row i's plan folder (relative
/// to the output folder), empty when it has no plan.
pub fn render_csv(axes: &[Axis], rows: &[Row], folders: &[String]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["scenario".to_string()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    header.extend(CSV_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for (i, r) in rows.iter().enumerate() {
        let mut rec = vec![(r.index + 1).to_string()];
        for (a, axis) in axes.iter().enumerate() {
            let level = &axis.levels[r.levels[a]];
            rec.push(match level.number() {
                Some(_) => level.label(),
                None => safe_text(&level.label()),
            });
        }
        rec.push(r.status.as_str().to_string());
        rec.push(opt(r.objective));
        rec.push(opt(r.gap));
        rec.push(format!("{:.3}", r.seconds));
        match &r.kpis {
            Some(k) => {
                rec.push(k.sites_open.to_string());
                rec.push(k.owned.to_string());
                rec.push(k.franchise.to_string());
                rec.push(k.platforms.to_string());
                rec.push(k.coverage.to_string());
                rec.push(opt(k.mean_vein_to_vein_days));
                rec.push(opt(k.max_vein_to_vein_days));
                rec.push(opt(k.cost_per_patient));
            }
            None => rec.extend(std::iter::repeat_n(String::new(), KPI_COLUMNS)),
        }
        rec.push(safe_text(folders.get(i).map_or("", String::as_str)));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// A level for people: money keys in dollars, other numbers as they are.
pub(crate) fn display_level(key: &str, level: &Level) -> String {
    match level.number() {
        Some(v) if key.contains("cost") || key.contains("penalty") => usd(v),
        _ => level.short(),
    }
}

/// The printed table's columns after `#` and the varied keys.
pub(crate) const TABLE_COLUMNS: [&str; 9] = [
    "status",
    "cost a year",
    "sites",
    "owned",
    "franchise",
    "platforms",
    "coverage",
    "v2v mean",
    "cost/patient",
];

/// The printed table: one line per scenario in grid order.
pub fn render_table(axes: &[Axis], rows: &[Row]) -> String {
    let mut header: Vec<String> = vec!["#".into()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    header.extend(TABLE_COLUMNS.iter().map(|h| h.to_string()));
    let lines: Vec<Vec<String>> = rows.iter().map(|r| table_line(axes, r)).collect();
    let mut out = aligned(&header, &lines, axes.len());
    let _ = writeln!(
        out,
        "cost a year: {PENALTY_IN}; cost/patient: per patient served, {PENALTY_OUT}"
    );
    out
}

/// A scenario's cells in the printed table: its number, its levels, its status and its figures
/// (dashes without a plan).
pub(crate) fn table_line(axes: &[Axis], r: &Row) -> Vec<String> {
    let mut l = vec![(r.index + 1).to_string()];
    for (a, axis) in axes.iter().enumerate() {
        l.push(printable(&display_level(&axis.key, &axis.levels[r.levels[a]])).into_owned());
    }
    l.push(r.status.as_str().into());
    match (&r.kpis, r.objective) {
        (Some(k), Some(obj)) => {
            l.push(usd(obj));
            l.push(k.sites_open.to_string());
            l.push(k.owned.to_string());
            l.push(k.franchise.to_string());
            l.push(k.platforms.to_string());
            l.push(percent(k.coverage));
            l.push(
                k.mean_vein_to_vein_days
                    .map_or("n/a".into(), |d| format!("{d:.1} d")),
            );
            l.push(k.cost_per_patient.map_or("n/a".into(), usd));
        }
        _ => l.extend(std::iter::repeat_n("-".to_string(), KPI_COLUMNS)),
    }
    l
}

/// The header and lines in columns as wide as their widest cell, two spaces apart: the key
/// columns and status (the `n_axes` after `#`, and one more) left-aligned, the numbers
/// right-aligned.
fn aligned(header: &[String], lines: &[Vec<String>], n_axes: usize) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let left = |c: usize| c >= 1 && c <= n_axes + 1;
    let mut out = String::new();
    for l in std::iter::once(header).chain(lines.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = l
            .iter()
            .enumerate()
            .map(|(c, s)| {
                if left(c) {
                    format!("{s:<w$}", w = widths[c])
                } else {
                    format!("{s:>w$}", w = widths[c])
                }
            })
            .collect();
        let _ = writeln!(out, "{}", cells.join("  ").trim_end());
    }
    out
}

/// A number on an axis, compactly: 1.5M, 250k, 0.08.
pub(crate) fn compact(v: f64) -> String {
    let trim = |s: String| {
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    };
    let a = v.abs();
    if a >= 1e6 {
        format!("{}M", trim(format!("{:.2}", v / 1e6)))
    } else if a >= 1e4 {
        format!("{}k", trim(format!("{:.1}", v / 1e3)))
    } else {
        trim(format!("{v:.3}"))
    }
}

// Layout of sweep.svg, in pixels unless said otherwise.

/// The whole chart: two panels stacked, each wide enough for a readable money axis.
const CANVAS: (u32, u32) = (960, 720);
/// The cost panel's height; the sites panel takes the rest.
const TOP_PANEL_HEIGHT: u32 = 360;
const TITLE_FONT: u32 = 22;
const CAPTION_FONT: u32 = 17;
const LEGEND_FONT: u32 = 13;
const PANEL_MARGIN: u32 = 12;
/// Room under a panel for the tick labels and the key's name.
const X_LABEL_AREA: u32 = 44;
/// Room left of a panel for labels such as "1500" and the unit.
const Y_LABEL_AREA: u32 = 78;
/// The grid lines: light enough not to compete with the data.
const GRID_GREY: u8 = 242;
const LEGEND_BORDER_GREY: u8 = 180;
/// The legend box lets the lines beneath it show through a little.
const LEGEND_OPACITY: f64 = 0.85;
const LINE_WIDTH: u32 = 2;
/// Length of a legend's line sample.
const LEGEND_SAMPLE: i32 = 20;
/// Marker radius where lines join the points; categories get larger markers, having no lines.
const MARKER_ON_LINE: i32 = 3;
const MARKER_ALONE: i32 = 5;
/// A point without a plan: a cross on the panel's lower edge.
const CROSS: i32 = 6;
const CROSS_IN_LEGEND: i32 = 5;
/// The franchise lines' dashes (dash, gap), on the chart and in the legend.
const DASH: (i32, i32) = (6, 4);
const DASH_IN_LEGEND: i32 = 4;
const GAP_IN_LEGEND: i32 = 3;
/// At most this many x tick labels on a numeric key (one per value below it).
const MAX_X_LABELS: usize = 10;
/// At most this many y tick labels on the sites panel (whole numbers only).
const MAX_SITE_LABELS: usize = 12;
/// A numeric x axis extends this share of its span past the end points, so markers are whole.
const X_PAD_SHARE: f64 = 0.04;
/// The same for a single value: this share of its size (at least 1).
const X_PAD_SINGLE: f64 = 0.1;
/// The cost axis reads in millions of dollars.
const USD_PER_MILLION: f64 = 1e6;
/// The cost axis spans at least this share of the largest cost, so equal costs are not one line.
const COST_MIN_SPAN_SHARE: f64 = 0.02;
/// Room below the lowest cost, as a share of the span.
const COST_ROOM_BELOW: f64 = 0.1;
/// Room above the highest cost for the legend: a base share of the span, and more per series.
const COST_LEGEND_ROOM: f64 = 0.15;
const COST_LEGEND_ROOM_PER_SERIES: f64 = 0.08;
/// Sites axis: the largest count times this, plus room per series (two legend entries each).
const SITES_HEADROOM: f64 = 1.25;
const SITES_HEADROOM_PER_SERIES: f64 = 0.15;
/// Below this many million dollars of span the cost labels get a decimal.
const COST_WHOLE_LABELS_FROM: f64 = 20.0;
/// How near a tick must be to a whole number to be labelled.
const TICK_TOLERANCE: f64 = 1e-6;

const COLORS: [(u8, u8, u8); 8] = [
    (31, 119, 180),
    (214, 39, 40),
    (44, 160, 44),
    (148, 103, 189),
    (255, 127, 14),
    (140, 86, 75),
    (227, 119, 194),
    (23, 190, 207),
];

type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

fn fail<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> String {
    e.to_string()
}

fn color(i: usize) -> RGBColor {
    let (r, g, b) = COLORS[i % COLORS.len()];
    RGBColor(r, g, b)
}

/// The x axis of both panels: the first varied key, by value when every value is a number, else
/// by position (scenario files, true/false).
struct XAxis<'a> {
    axis: &'a Axis,
    numeric: bool,
    range: Range<f64>,
}

impl<'a> XAxis<'a> {
    fn new(axis: &'a Axis) -> XAxis<'a> {
        let numeric = axis.levels.iter().all(|l| l.number().is_some());
        let mut x = XAxis {
            axis,
            numeric,
            range: 0.0..0.0,
        };
        let (x0, x1) = (0..axis.levels.len())
            .map(|l| x.of(l))
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        x.range = if numeric {
            let pad = if x1 > x0 {
                (x1 - x0) * X_PAD_SHARE
            } else {
                x0.abs().max(1.0) * X_PAD_SINGLE
            };
            x0 - pad..x1 + pad
        } else {
            -0.5..axis.levels.len() as f64 - 0.5
        };
        x
    }

    /// Where level `level` sits.
    fn of(&self, level: usize) -> f64 {
        if self.numeric {
            self.axis.levels[level].number().unwrap_or(0.0)
        } else {
            level as f64
        }
    }

    fn label(&self, x: f64) -> String {
        let levels = &self.axis.levels;
        if self.numeric {
            let raw = compact(x);
            if self.axis.key.contains("cost") || self.axis.key.contains("penalty") {
                format!("${raw}")
            } else {
                raw
            }
        } else {
            let i = x.round();
            if (x - i).abs() < TICK_TOLERANCE && i >= 0.0 && (i as usize) < levels.len() {
                levels[i as usize].short()
            } else {
                String::new()
            }
        }
    }

    fn n_labels(&self) -> usize {
        if self.numeric {
            self.axis.levels.len().clamp(2, MAX_X_LABELS)
        } else {
            self.axis.levels.len()
        }
    }

    /// The line through `points`: none for categories, which get markers only.
    fn line(&self, points: &[(f64, f64)]) -> Vec<(f64, f64)> {
        if self.numeric {
            points.to_vec()
        } else {
            Vec::new()
        }
    }

    fn marker(&self) -> i32 {
        if self.numeric {
            MARKER_ON_LINE
        } else {
            MARKER_ALONE
        }
    }

    /// A row's points: `value` against the row's x, where the row has the value.
    fn points(&self, rows: &[&Row], value: impl Fn(&Row) -> Option<f64>) -> Vec<(f64, f64)> {
        rows.iter()
            .filter_map(|r| value(r).map(|v| (self.of(r.levels[0]), v)))
            .collect()
    }
}

/// One line of each panel: the rows that share the other axes' levels, in grid order.
struct Series<'a> {
    /// "key = value, ..." of the other axes; empty when only one key is varied.
    label: String,
    rows: Vec<&'a Row>,
}

fn series_of<'a>(axes: &[Axis], rows: &'a [Row]) -> Vec<Series<'a>> {
    let mut groups: Vec<(&[usize], Vec<&Row>)> = Vec::new();
    for r in rows {
        let rest = &r.levels[1..];
        match groups.iter_mut().find(|(k, _)| *k == rest) {
            Some((_, v)) => v.push(r),
            None => groups.push((rest, vec![r])),
        }
    }
    groups
        .into_iter()
        .map(|(rest, rows)| Series {
            label: axes[1..]
                .iter()
                .zip(rest)
                .map(|(a, &l)| format!("{} = {}", a.key, display_level(&a.key, &a.levels[l])))
                .collect::<Vec<_>>()
                .join(", "),
            rows,
        })
        .collect()
}

/// The cost panel's range, in millions, with room above the lines for the legend.
fn cost_range(rows: &[Row], n_series: usize) -> Range<f64> {
    let costs: Vec<f64> = rows.iter().filter_map(|r| r.objective).collect();
    if costs.is_empty() {
        return 0.0..1.0;
    }
    let (c0, c1) = costs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
            (a.min(c), b.max(c))
        });
    let span = (c1 - c0).max(c1.abs() * COST_MIN_SPAN_SHARE).max(1.0);
    let room = COST_LEGEND_ROOM + COST_LEGEND_ROOM_PER_SERIES * n_series as f64;
    (c0 - span * COST_ROOM_BELOW).max(0.0) / USD_PER_MILLION..(c1 + span * room) / USD_PER_MILLION
}

/// The top of the sites panel, with room above the lines for the legend (two entries a series).
fn sites_top(rows: &[Row], n_series: usize) -> f64 {
    let max_sites = rows
        .iter()
        .filter_map(|r| r.kpis.as_ref().map(|k| k.sites_open))
        .max()
        .unwrap_or(1);
    let headroom = SITES_HEADROOM + SITES_HEADROOM_PER_SERIES * n_series as f64;
    (max_sites as f64 * headroom + 1.0).ceil()
}

/// What sets one panel apart from the other.
struct Panel<'a> {
    caption: &'a str,
    y: Range<f64>,
    /// The number of y ticks; `None`: plotters' default.
    y_labels: Option<usize>,
    y_format: &'a dyn Fn(&f64) -> String,
    y_desc: &'a str,
    /// Whether the no-plan crosses get a legend entry (once for the chart, in the top panel).
    cross_legend: bool,
}

/// One panel: axes and grid, the series `draw` adds, the no-plan crosses, the legend.
fn draw_panel(
    area: &DrawingArea<SVGBackend, Shift>,
    x: &XAxis,
    panel: Panel,
    missing: &[&Row],
    draw: impl FnOnce(&mut Chart) -> Result<(), String>,
) -> Result<(), String> {
    let mut chart = ChartBuilder::on(area)
        .margin(PANEL_MARGIN)
        .x_label_area_size(X_LABEL_AREA)
        .y_label_area_size(Y_LABEL_AREA)
        .caption(panel.caption, ("sans-serif", CAPTION_FONT))
        .build_cartesian_2d(x.range.clone(), panel.y.clone())
        .map_err(fail)?;
    let x_label = |v: &f64| x.label(*v);
    let mut mesh = chart.configure_mesh();
    mesh.x_labels(x.n_labels()).x_label_formatter(&x_label);
    if let Some(n) = panel.y_labels {
        mesh.y_labels(n);
    }
    mesh.y_label_formatter(panel.y_format)
        .y_desc(panel.y_desc)
        .x_desc(x.axis.key.as_str())
        .max_light_lines(1)
        .light_line_style(RGBColor(GRID_GREY, GRID_GREY, GRID_GREY))
        .draw()
        .map_err(fail)?;
    draw(&mut chart)?;
    if !missing.is_empty() {
        let crosses = missing.iter().map(|r| {
            Cross::new(
                (x.of(r.levels[0]), panel.y.start),
                CROSS,
                RED.stroke_width(LINE_WIDTH),
            )
        });
        let drawn = chart.draw_series(crosses).map_err(fail)?;
        if panel.cross_legend {
            drawn
                .label("no plan (infeasible or no solution)")
                .legend(|(x, y)| {
                    Cross::new(
                        (x + LEGEND_SAMPLE / 2, y),
                        CROSS_IN_LEGEND,
                        RED.stroke_width(LINE_WIDTH),
                    )
                });
        }
    }
    let border = LEGEND_BORDER_GREY;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(LEGEND_OPACITY))
        .border_style(RGBColor(border, border, border))
        .label_font(("sans-serif", LEGEND_FONT))
        .draw()
        .map_err(fail)
}

fn solid_legend(c: RGBColor) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| {
        PathElement::new(
            vec![(x, y), (x + LEGEND_SAMPLE, y)],
            c.stroke_width(LINE_WIDTH),
        )
    }
}

/// The cost panel's series: one line a series, circles at its points.
fn draw_costs(chart: &mut Chart, x: &XAxis, series: &[Series]) -> Result<(), String> {
    for (i, s) in series.iter().enumerate() {
        let c = color(i);
        let data = x.points(&s.rows, |r| r.objective.map(|o| o / USD_PER_MILLION));
        let label = if s.label.is_empty() {
            "total cost".to_string()
        } else {
            s.label.clone()
        };
        chart
            .draw_series(LineSeries::new(x.line(&data), c.stroke_width(LINE_WIDTH)))
            .map_err(fail)?
            .label(label)
            .legend(solid_legend(c));
        chart
            .draw_series(data.iter().map(|&p| Circle::new(p, x.marker(), c.filled())))
            .map_err(fail)?;
    }
    Ok(())
}

/// The sites panel's series: owned (solid, circles) and franchise (dashed, triangles).
fn draw_sites(chart: &mut Chart, x: &XAxis, series: &[Series]) -> Result<(), String> {
    for (i, s) in series.iter().enumerate() {
        let c = color(i);
        let style = c.stroke_width(LINE_WIDTH);
        let suffix = if s.label.is_empty() {
            String::new()
        } else {
            format!(" ({})", s.label)
        };
        let owned = x.points(&s.rows, |r| r.kpis.as_ref().map(|k| k.owned as f64));
        let franchise = x.points(&s.rows, |r| r.kpis.as_ref().map(|k| k.franchise as f64));
        chart
            .draw_series(LineSeries::new(x.line(&owned), style))
            .map_err(fail)?
            .label(format!("owned{suffix}"))
            .legend(solid_legend(c));
        chart
            .draw_series(
                owned
                    .iter()
                    .map(|&p| Circle::new(p, x.marker(), c.filled())),
            )
            .map_err(fail)?;
        chart
            .draw_series(DashedLineSeries::new(
                x.line(&franchise),
                DASH.0,
                DASH.1,
                style,
            ))
            .map_err(fail)?
            .label(format!("franchise{suffix}"))
            .legend(move |(x, y)| {
                let sample = vec![(x, y), (x + LEGEND_SAMPLE, y)];
                DashedPathElement::new(sample, DASH_IN_LEGEND, GAP_IN_LEGEND, style)
            });
        let triangles = franchise
            .iter()
            .map(|&p| TriangleMarker::new(p, x.marker() + 1, c.filled()));
        chart.draw_series(triangles).map_err(fail)?;
    }
    Ok(())
}

/// A tick of the cost panel, in millions: whole over a wide `range`, else with a decimal.
fn cost_label(range: &Range<f64>, v: f64) -> String {
    if range.end - range.start >= COST_WHOLE_LABELS_FROM {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// A tick of the sites panel: whole numbers only (no half a site).
fn sites_label(v: &f64) -> String {
    if (v - v.round()).abs() < TICK_TOLERANCE {
        format!("{}", v.round() as i64)
    } else {
        String::new()
    }
}

/// sweep.svg: total cost (top) and sites open, owned and franchise (bottom), against the first
/// varied key; one line per combination of the other keys' values. Points without a plan are
/// marked with a cross on the axis. Text is SVG `<text>`: no font files are read.
pub fn render_svg(axes: &[Axis], rows: &[Row], title: &str) -> Result<String, String> {
    let Some(first) = axes.first() else {
        return Err("nothing was varied".into());
    };
    let x = XAxis::new(first);
    let series = series_of(axes, rows);
    let cost = cost_range(rows, series.len());
    let sites = sites_top(rows, series.len());
    // Scenarios that were not run (an interrupted sweep) are not marked: nothing is known of them.
    let missing: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.status.has_plan() && r.status != RowStatus::NotRun)
        .collect();
    let cost_format = |v: &f64| cost_label(&cost, *v);
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, CANVAS).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let root = root
            .titled(title, ("sans-serif", TITLE_FONT).into_font())
            .map_err(fail)?;
        let (top, bottom) = root.split_vertically(TOP_PANEL_HEIGHT);
        let cost_panel = Panel {
            caption: "Total cost",
            y: cost.clone(),
            y_labels: None,
            y_format: &cost_format,
            y_desc: "USD million a year",
            cross_legend: true,
        };
        draw_panel(&top, &x, cost_panel, &missing, |c| {
            draw_costs(c, &x, &series)
        })?;
        let sites_panel = Panel {
            caption: "Sites open",
            y: 0.0..sites,
            y_labels: Some((sites as usize + 1).min(MAX_SITE_LABELS)),
            y_format: &sites_label,
            y_desc: "sites",
            cross_legend: false,
        };
        draw_panel(&bottom, &x, sites_panel, &missing, |c| {
            draw_sites(c, &x, &series)
        })?;
        root.present().map_err(fail)?;
    }
    Ok(buf)
}
