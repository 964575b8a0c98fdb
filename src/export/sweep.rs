//! The outputs of a sweep: sweep.csv, sweep.svg and the printed table, in grid order.

use crate::export::csv::safe_text;
use crate::export::summary::{PENALTY_IN, PENALTY_OUT};
use crate::sweep::{Axis, Level, Row, RowStatus};
use crate::text::{percent, printable, usd};
use std::fmt::Write as _;
use std::io;

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
            None => rec.extend(std::iter::repeat_n(String::new(), 8)),
        }
        rec.push(safe_text(folders.get(i).map_or("", String::as_str)));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}

/// A level for people: money keys in dollars, other numbers as they are.
fn display_level(key: &str, level: &Level) -> String {
    match level.number() {
        Some(v) if key.contains("cost") || key.contains("penalty") => usd(v),
        _ => level.short(),
    }
}

/// The printed table: one line per scenario in grid order.
pub fn render_table(axes: &[Axis], rows: &[Row]) -> String {
    let mut header: Vec<String> = vec!["#".into()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    for h in [
        "status",
        "cost a year",
        "sites",
        "owned",
        "franchise",
        "platforms",
        "coverage",
        "v2v mean",
        "cost/patient",
    ] {
        header.push(h.into());
    }
    let n_axes = axes.len();
    let mut lines: Vec<Vec<String>> = Vec::new();
    for r in rows {
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
            _ => l.extend(std::iter::repeat_n("-".to_string(), 8)),
        }
        lines.push(l);
    }
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
    // The key columns and status read left-aligned; the numbers right-aligned.
    let left = |c: usize| c >= 1 && c <= n_axes + 1;
    let mut out = String::new();
    for l in std::iter::once(&header).chain(lines.iter()) {
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
    let _ = writeln!(
        out,
        "cost a year: {PENALTY_IN}; cost/patient: per patient served, {PENALTY_OUT}"
    );
    out
}

/// A number on an axis, compactly: 1.5M, 250k, 0.08.
fn compact(v: f64) -> String {
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

/// sweep.svg: total cost (top) and sites open, owned and franchise (bottom), against the first
/// varied key; one line per combination of the other keys' values. Points without a plan are
/// marked with a cross on the axis. Text is SVG `<text>`: no font files are read.
pub fn render_svg(axes: &[Axis], rows: &[Row], title: &str) -> Result<String, String> {
    use plotters::element::DashedPathElement;
    use plotters::prelude::*;

    let Some(first) = axes.first() else {
        return Err("nothing was varied".into());
    };
    let numeric = first.levels.iter().all(|l| l.number().is_some());
    let x_of = |level: usize| -> f64 {
        if numeric {
            first.levels[level].number().unwrap_or(0.0)
        } else {
            level as f64
        }
    };
    let xs: Vec<f64> = (0..first.levels.len()).map(x_of).collect();
    let (mut x0, mut x1) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if numeric {
        let pad = if x1 > x0 {
            (x1 - x0) * 0.04
        } else {
            x0.abs().max(1.0) * 0.1
        };
        x0 -= pad;
        x1 += pad;
    } else {
        x0 = -0.5;
        x1 = first.levels.len() as f64 - 0.5;
    }

    // Series: one per combination of the other axes' levels, in grid order.
    let mut series: Vec<(Vec<usize>, Vec<&Row>)> = Vec::new();
    for r in rows {
        let rest = r.levels[1..].to_vec();
        match series.iter_mut().find(|(k, _)| *k == rest) {
            Some((_, v)) => v.push(r),
            None => series.push((rest, vec![r])),
        }
    }
    let series_label = |rest: &[usize]| -> String {
        axes[1..]
            .iter()
            .zip(rest)
            .map(|(a, &l)| format!("{} = {}", a.key, display_level(&a.key, &a.levels[l])))
            .collect::<Vec<_>>()
            .join(", ")
    };

    let costs: Vec<f64> = rows.iter().filter_map(|r| r.objective).collect();
    let (c0, c1) = costs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &c| {
            (a.min(c), b.max(c))
        });
    let (c0, c1) = if costs.is_empty() {
        (0.0, 1.0)
    } else {
        // room above the lines for the legend
        let span = (c1 - c0).max(c1.abs() * 0.02).max(1.0);
        (
            (c0 - span * 0.1).max(0.0) / 1e6,
            (c1 + span * (0.15 + 0.08 * series.len() as f64)) / 1e6,
        )
    };
    let max_sites = rows
        .iter()
        .filter_map(|r| r.kpis.as_ref().map(|k| k.sites_open))
        .max()
        .unwrap_or(1);
    // room above the lines for the legend (two entries a series)
    let s1 = (max_sites as f64 * (1.25 + 0.15 * series.len() as f64) + 1.0).ceil();
    // Scenarios that were not run (an interrupted sweep) are not marked: nothing is known of them.
    let missing: Vec<&Row> = rows
        .iter()
        .filter(|r| !r.status.has_plan() && r.status != RowStatus::NotRun)
        .collect();

    let x_label = |x: &f64| -> String {
        if numeric {
            let raw = compact(*x);
            if first.key.contains("cost") || first.key.contains("penalty") {
                format!("${raw}")
            } else {
                raw
            }
        } else {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < first.levels.len() {
                first.levels[i as usize].short()
            } else {
                String::new()
            }
        }
    };
    let n_labels = if numeric {
        first.levels.len().clamp(2, 10)
    } else {
        first.levels.len()
    };

    // Lines join the points of a numeric key; categories (scenario files, true/false) get
    // markers only.
    let line =
        |pts: &[(f64, f64)]| -> Vec<(f64, f64)> { if numeric { pts.to_vec() } else { Vec::new() } };
    let marker = if numeric { 3 } else { 5 };

    let mut buf = String::new();
    {
        let e = |e: DrawingAreaErrorKind<_>| e.to_string();
        let root = SVGBackend::with_string(&mut buf, (960, 720)).into_drawing_area();
        root.fill(&WHITE).map_err(e)?;
        let root = root
            .titled(title, ("sans-serif", 22).into_font())
            .map_err(e)?;
        let (top, bottom) = root.split_vertically(360);
        let color = |i: usize| {
            let (r, g, b) = COLORS[i % COLORS.len()];
            RGBColor(r, g, b)
        };

        // Total cost.
        let mut chart = ChartBuilder::on(&top)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(78)
            .caption("Total cost", ("sans-serif", 17))
            .build_cartesian_2d(x0..x1, c0..c1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(n_labels)
            .x_label_formatter(&x_label)
            .y_label_formatter(&|v| {
                if c1 - c0 >= 20.0 {
                    format!("{v:.0}")
                } else {
                    format!("{v:.1}")
                }
            })
            .y_desc("USD million a year")
            .x_desc(first.key.as_str())
            .max_light_lines(1)
            .light_line_style(RGBColor(242, 242, 242))
            .draw()
            .map_err(e)?;
        for (i, (rest, pts)) in series.iter().enumerate() {
            let c = color(i);
            let data: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| r.objective.map(|o| (x_of(r.levels[0]), o / 1e6)))
                .collect();
            let label = if axes.len() > 1 {
                series_label(rest)
            } else {
                "total cost".to_string()
            };
            chart
                .draw_series(LineSeries::new(line(&data), c.stroke_width(2)))
                .map_err(e)?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(data.iter().map(|&p| Circle::new(p, marker, c.filled())))
                .map_err(e)?;
        }
        if !missing.is_empty() {
            chart
                .draw_series(
                    missing
                        .iter()
                        .map(|r| Cross::new((x_of(r.levels[0]), c0), 6, RED.stroke_width(2))),
                )
                .map_err(e)?
                .label("no plan (infeasible or no solution)")
                .legend(|(x, y)| Cross::new((x + 10, y), 5, RED.stroke_width(2)));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)?;

        // Sites open: owned (solid, circles) and franchise (dashed, triangles).
        let mut chart = ChartBuilder::on(&bottom)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(78)
            .caption("Sites open", ("sans-serif", 17))
            .build_cartesian_2d(x0..x1, 0.0..s1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_labels(n_labels)
            .x_label_formatter(&x_label)
            .y_labels((s1 as usize + 1).min(12))
            .y_label_formatter(&|v| {
                if (v - v.round()).abs() < 1e-6 {
                    format!("{}", v.round() as i64)
                } else {
                    String::new()
                }
            })
            .y_desc("sites")
            .x_desc(first.key.as_str())
            .max_light_lines(1)
            .light_line_style(RGBColor(242, 242, 242))
            .draw()
            .map_err(e)?;
        for (i, (rest, pts)) in series.iter().enumerate() {
            let c = color(i);
            let suffix = if axes.len() > 1 {
                format!(" ({})", series_label(rest))
            } else {
                String::new()
            };
            let owned: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| r.kpis.as_ref().map(|k| (x_of(r.levels[0]), k.owned as f64)))
                .collect();
            let franchise: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|r| {
                    r.kpis
                        .as_ref()
                        .map(|k| (x_of(r.levels[0]), k.franchise as f64))
                })
                .collect();
            chart
                .draw_series(LineSeries::new(line(&owned), c.stroke_width(2)))
                .map_err(e)?
                .label(format!("owned{suffix}"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(2))
                });
            chart
                .draw_series(owned.iter().map(|&p| Circle::new(p, marker, c.filled())))
                .map_err(e)?;
            chart
                .draw_series(DashedLineSeries::new(
                    line(&franchise),
                    6,
                    4,
                    c.stroke_width(2),
                ))
                .map_err(e)?
                .label(format!("franchise{suffix}"))
                .legend(move |(x, y)| {
                    DashedPathElement::new(vec![(x, y), (x + 20, y)], 4, 3, c.stroke_width(2))
                });
            chart
                .draw_series(
                    franchise
                        .iter()
                        .map(|&p| TriangleMarker::new(p, marker + 1, c.filled())),
                )
                .map_err(e)?;
        }
        if !missing.is_empty() {
            chart
                .draw_series(
                    missing
                        .iter()
                        .map(|r| Cross::new((x_of(r.levels[0]), 0.0), 6, RED.stroke_width(2))),
                )
                .map_err(e)?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .label_font(("sans-serif", 13))
            .draw()
            .map_err(e)?;
        root.present().map_err(e)?;
    }
    Ok(buf)
}
