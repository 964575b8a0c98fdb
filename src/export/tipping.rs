//! The tipping points a refined sweep located: tipping_points.csv, and one sentence each for the
//! terminal and sweep.html.

use crate::export::csv::safe_text;
use crate::export::sweep::{compact, display_level};
use crate::sweep::design::describe;
use crate::sweep::refine::Bracket;
use crate::sweep::{Axis, Level};
use crate::text::usd;
use std::io;

/// Whether a key is money, shown in dollars.
fn is_money(key: &str) -> bool {
    key.contains("cost") || key.contains("penalty")
}

/// A value of `key` in full: `$4,869,873`, `17.25`.
fn full(key: &str, v: f64) -> String {
    if is_money(key) {
        usd(v)
    } else {
        Level::Value(toml::Value::Float(v)).short()
    }
}

/// A value of `key` in three figures or so: `$4.87M`, `17.3`.
fn rounded(key: &str, v: f64) -> String {
    if is_money(key) {
        format!("${}", compact(v))
    } else {
        compact(v)
    }
}

/// The other keys' values a tipping point holds fixed: `batch.cost_franchise = $150,000`.
pub fn fixed(axes: &[Axis], b: &Bracket) -> Vec<String> {
    (0..axes.len())
        .filter(|&a| a != b.axis)
        .map(|a| {
            let axis = &axes[a];
            let level = &axis.levels[b.levels[a]];
            format!("{} = {}", axis.key, display_level(&axis.key, level))
        })
        .collect()
}

/// What changes across the tipping point, in words.
pub fn changes(b: &Bracket) -> Vec<String> {
    describe(b.from.design.as_ref(), b.to.design.as_ref())
}

/// One tipping point as a sentence: `at site.setup_cost_owned ≈ $2.74M (between $2,736,328 and
/// $2,742,187), S-URMC switches from owned to franchise; cost a year $90.6M -> $90.6M`.
pub fn sentence(axes: &[Axis], b: &Bracket) -> String {
    let key = &axes[b.axis].key;
    let mut s = String::new();
    let others = fixed(axes, b);
    if !others.is_empty() {
        s.push_str(&format!("with {}, ", others.join(", ")));
    }
    s.push_str(&format!(
        "at {key} ≈ {} (between {} and {}",
        rounded(key, b.estimate()),
        full(key, b.from.value),
        full(key, b.to.value)
    ));
    if !b.located() {
        s.push_str(", not narrowed to the tolerance");
    }
    s.push_str(&format!("), {}", changes(b).join(", ")));
    if let (Some(x), Some(y)) = (b.from.objective, b.to.objective) {
        s.push_str(&format!("; cost a year {} -> {}", usd(x), usd(y)));
    }
    s
}

/// tipping_points.csv's columns after `key` and the varied keys.
pub const CSV_COLUMNS: [&str; 7] = [
    "from",
    "to",
    "estimate",
    "objective_from",
    "objective_to",
    "located",
    "changes",
];

/// tipping_points.csv: one row per tipping point: the refined key, the value of every varied key
/// (empty for the refined one), the bracket's ends and middle, the total cost a year at each end,
/// whether it was narrowed to the tolerance, and the changes joined by "; ".
pub fn render_csv(axes: &[Axis], points: &[Bracket]) -> io::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["key".to_string()];
    header.extend(axes.iter().map(|a| a.key.clone()));
    header.extend(CSV_COLUMNS.iter().map(|c| c.to_string()));
    w.write_record(&header)?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for b in points {
        let mut rec = vec![axes[b.axis].key.clone()];
        for (a, axis) in axes.iter().enumerate() {
            let level = &axis.levels[b.levels[a]];
            rec.push(match level.number() {
                _ if a == b.axis => String::new(),
                Some(_) => level.label(),
                None => safe_text(&level.label()),
            });
        }
        rec.push(b.from.value.to_string());
        rec.push(b.to.value.to_string());
        rec.push(b.estimate().to_string());
        rec.push(opt(b.from.objective));
        rec.push(opt(b.to.objective));
        rec.push(b.located().to_string());
        rec.push(safe_text(&changes(b).join("; ")));
        w.write_record(&rec)?;
    }
    w.into_inner().map_err(|e| io::Error::other(e.to_string()))
}
