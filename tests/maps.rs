//! The maps of `cartnet report` and `cartnet compare`, measured in headless Chromium: the
//! browser lays the page out, a script added to a copy of the page writes every map label's box
//! (getBBox, in the map's own units) and every open site's circle into attributes, and
//! `--dump-dom` reads them back. No two labels of a map may overlap, no label may cover a site's
//! circle, and every label stays on its map.
//!
//! Needs Debian's `chromium`, as tests/exports.rs; CARTNET_SKIP_BROWSER=1 skips the browser part.
//! CARTNET_SAVE_SCREENSHOT=DIR keeps the screenshots looked at (docs/report-demo.png and
//! docs/compare-demo.png are made so).

mod common;

use common::browser::{chromium_or_skip, dump_dom, png_info, screenshot_sized};
use common::{ROOT, cartnet, compare_plans, demo_csv_copy, run, solve_into};
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// Added before `</body>` of a copy of the page: writes each map's label boxes into the map's
/// `data-label-boxes` attribute as `x,y,w,h;...`, and its open sites' circles into
/// `data-site-circles` as `cx,cy,r,0;...`.
const MEASURE: &str = "<script>\
for (const svg of document.querySelectorAll('svg.mapsvg')) {\
  const boxes = [];\
  for (const t of svg.querySelectorAll('.labels text')) {\
    const b = t.getBBox();\
    boxes.push([b.x, b.y, b.width, b.height].join(','));\
  }\
  svg.setAttribute('data-label-boxes', boxes.join(';'));\
  const circles = [];\
  for (const c of svg.querySelectorAll('.sites circle:not(.closed)')) {\
    circles.push([c.cx.baseVal.value, c.cy.baseVal.value, c.r.baseVal.value, 0].join(','));\
  }\
  svg.setAttribute('data-site-circles', circles.join(';'));\
}\
</script>";

/// A label box as the browser measured it (x, y, width, height), or a circle (cx, cy, r, 0).
type Box4 = [f64; 4];

/// What the browser measured of one map: its label boxes and its open sites' circles.
struct Measured {
    labels: Vec<Box4>,
    circles: Vec<Box4>,
}

/// The lists of `x,y,w,h;...` in attribute `attr` of each element of `dom` that has it.
fn lists(dom: &str, attr: &str) -> Vec<Vec<Box4>> {
    let mut out = Vec::new();
    for part in dom.split(&format!("{attr}=\"")).skip(1) {
        let list = &part[..part.find('"').expect("a closing quote")];
        let boxes = list
            .split(';')
            .filter(|b| !b.is_empty())
            .map(|b| {
                let v: Vec<f64> = b.split(',').map(|x| x.parse().unwrap()).collect();
                [v[0], v[1], v[2], v[3]]
            })
            .collect();
        out.push(boxes);
    }
    out
}

/// The label boxes and site circles of each map of the page at `html`, measured in the browser.
fn measured(browser: &Path, html: &Path) -> Vec<Measured> {
    let page = std::fs::read_to_string(html).unwrap();
    assert!(
        page.contains("</body>"),
        "{} has no </body>",
        html.display()
    );
    let measured = html.with_extension("measure.html");
    std::fs::write(
        &measured,
        page.replacen("</body>", &format!("{MEASURE}</body>"), 1),
    )
    .unwrap();
    let dom = dump_dom(browser, &measured);
    let labels = lists(&dom, "data-label-boxes");
    let circles = lists(&dom, "data-site-circles");
    assert_eq!(labels.len(), circles.len());
    labels
        .into_iter()
        .zip(circles)
        .map(|(labels, circles)| Measured { labels, circles })
        .collect()
}

/// Whether the label box `b` covers part of the circle `c` (cx, cy, r).
fn covers(b: &Box4, c: &Box4) -> bool {
    let nx = c[0].clamp(b[0], b[0] + b[2]);
    let ny = c[1].clamp(b[1], b[1] + b[3]);
    (nx - c[0]).powi(2) + (ny - c[1]).powi(2) < c[2] * c[2]
}

fn overlap(a: &Box4, b: &Box4) -> bool {
    a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3]
}

/// The pairs of overlapping labels among `boxes`, by index.
fn overlapping(boxes: &[Box4]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for i in 0..boxes.len() {
        for j in i + 1..boxes.len() {
            if overlap(&boxes[i], &boxes[j]) {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

/// The map's size in its own units (the viewBox of report.html's map).
const MAP: (f64, f64) = (760.0, 560.0);

/// Asserts that the maps of `html` have `labels` labels each (in order), none overlapping
/// another or covering a site's circle, and all on the map.
fn assert_readable(browser: &Path, html: &Path, labels: &[usize]) {
    let maps = measured(browser, html);
    assert_eq!(
        maps.len(),
        labels.len(),
        "maps measured in {}",
        html.display()
    );
    for (m, &n) in maps.iter().zip(labels) {
        let boxes = &m.labels;
        assert_eq!(boxes.len(), n, "labels measured: {boxes:?}");
        let pairs = overlapping(boxes);
        assert!(
            pairs.is_empty(),
            "overlapping labels {pairs:?} of {boxes:?}"
        );
        assert!(!m.circles.is_empty());
        for (b, c) in boxes
            .iter()
            .flat_map(|b| m.circles.iter().map(move |c| (b, c)))
        {
            assert!(!covers(b, c), "label {b:?} covers the site circle {c:?}");
        }
        for b in boxes {
            assert!(
                b[0] >= 0.0 && b[1] >= 0.0 && b[0] + b[2] <= MAP.0 && b[1] + b[3] <= MAP.1,
                "label off the map: {b:?}"
            );
        }
    }
}

/// The number of labels of each map of a page, as written.
fn label_counts(page: &str) -> Vec<usize> {
    page.split("<g class=\"labels\">")
        .skip(1)
        .map(|g| g[..g.find("</g>").unwrap()].matches("<text").count())
        .collect()
}

/// Solves the demo with `model` into `dir/name`; the plan's path.
fn solve(dir: &TempDir, name: &str, model: &str) -> PathBuf {
    solve_into(dir.path(), name, &["--model", model])
}

/// Screenshots `html` and checks that it is not blank; keeps it when asked.
fn look(browser: &Path, html: &Path, size: (u32, u32), keep_as: &str) {
    let png = html.with_extension("png");
    let shot = screenshot_sized(browser, html, &png, size);
    assert_eq!(png_info(&shot), size);
    assert!(shot.len() > 50_000, "the screenshot looks blank");
    if let Ok(dir) = std::env::var("CARTNET_SAVE_SCREENSHOT") {
        std::fs::write(Path::new(&dir).join(keep_as), &shot).unwrap();
    }
}

#[test]
fn the_measurement_catches_overlapping_labels() {
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    // two labels drawn where the old placement put S-NYP and S-HUMC: 12 px apart, 60 px wide
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("overlap.html");
    std::fs::write(
        &html,
        "<!DOCTYPE html><html><body><svg class=\"mapsvg\" viewBox=\"0 0 760 560\" width=\"760\" \
         height=\"560\" xmlns=\"http://www.w3.org/2000/svg\"><g class=\"labels\" font-size=\"11\">\
         <text x=\"400\" y=\"300\">S-HUMC</text><text x=\"420\" y=\"306\">S-NYP</text>\
         <text x=\"600\" y=\"100\">S-MGH</text></g><g class=\"sites\">\
         <circle cx=\"610\" cy=\"95\" r=\"8\"/></g></svg></body></html>",
    )
    .unwrap();
    let maps = measured(&browser, &html);
    assert_eq!(maps.len(), 1);
    assert_eq!(overlapping(&maps[0].labels), vec![(0, 1)]);
    // S-MGH's label covers its own circle
    assert!(covers(&maps[0].labels[2], &maps[0].circles[0]));
}

#[test]
fn report_map_labels_do_not_overlap_in_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let plan = solve(&dir, "base", "models/baseline.toml");
    let r = run(cartnet().arg("report").arg(&plan));
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let html = plan.with_file_name("report.html");
    let page = std::fs::read_to_string(&html).unwrap();
    // hospitals are drawn after (above) the sites; a scale bar and a key of line widths
    let (sites, hosp) = (
        page.find("class=\"sites\"").unwrap(),
        page.find("class=\"hosp\"").unwrap(),
    );
    assert!(hosp > sites, "hospitals are drawn below the sites");
    assert!(page.contains(" km</text></g>") && page.contains("class=\"wkey\""));
    // the demo's basemap lies under the network
    assert!(
        page.contains("<g class=\"basemap\"><path"),
        "no basemap drawn"
    );
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    let labels = label_counts(&page);
    assert!(labels.len() == 1 && labels[0] >= 8, "{labels:?} labels");
    assert_readable(&browser, &html, &labels);
    look(&browser, &html, (1280, 1000), "report-demo.png");
}

#[test]
fn report_reads_without_a_basemap_and_refuses_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let data = demo_csv_copy(dir.path(), "data");
    let out = dir.path().join("out");
    let r = run(cartnet()
        .arg("solve")
        .arg("--data")
        .arg(&data)
        .arg("--out")
        .arg(&out));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let plan = out.join("plan.json");
    let r = run(cartnet().arg("report").arg(&plan));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!page.contains("class=\"basemap\""));
    // a basemap added later changes no digest: the plan still renders, now with borders
    std::fs::copy(
        Path::new(ROOT).join("data/demo/basemap.geojson"),
        data.join("basemap.geojson"),
    )
    .unwrap();
    let r = run(cartnet().arg("report").arg(&plan));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let page = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(page.contains("<g class=\"basemap\"><path"));
    let r = run(cartnet().arg("verify").arg(&plan));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // a broken one is an error, and the report is left as it was
    std::fs::write(data.join("basemap.geojson"), "{\"type\":").unwrap();
    let r = run(cartnet().arg("report").arg(&plan));
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("E250"), "{}", r.stderr);
    assert!(r.stderr.contains("basemap.geojson"), "{}", r.stderr);
}

#[test]
fn compare_maps_are_readable_side_by_side() {
    let dir = tempfile::tempdir().unwrap();
    let a = solve(&dir, "base", "models/baseline.toml");
    let b = solve(&dir, "cent", "models/centralized.toml");
    let out = dir.path().join("cmp");
    let r = compare_plans(&a, &b, &out, &[]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let html = out.join("compare.html");
    let page = std::fs::read_to_string(&html).unwrap();
    let labels = label_counts(&page);
    assert_eq!(labels.len(), 2, "two maps");
    let Some(browser) = chromium_or_skip() else {
        return;
    };
    assert_readable(&browser, &html, &labels);
    look(&browser, &html, (1280, 1500), "compare-demo.png");
}
