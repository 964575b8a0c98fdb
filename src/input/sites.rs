//! sites.csv: candidate sites, each with its kind, host hospital and the columns that override
//! the scenario for it.

use super::error::{self, Code, InputError};
use super::{Hospital, Site, SiteKind, ranges, read_place, table, unique_ids};
use std::collections::HashMap;

const KINDS: [(&str, SiteKind); 3] = [
    ("colocated", SiteKind::Colocated),
    ("regional", SiteKind::Regional),
    ("central", SiteKind::Central),
];
const ALLOWS: [(&str, [bool; 2]); 3] = [
    ("owned", [true, false]),
    ("franchise", [false, true]),
    ("both", [true, true]),
];
const BOOLS: [(&str, bool); 2] = [("true", true), ("false", false)];

/// The columns of a site that override the scenario (blank: the scenario's value).
struct Columns {
    max_platforms: Option<u32>,
    allow: [bool; 2],
    /// Setup cost [owned, franchise], as `allow`.
    setup_cost: [Option<f64>; 2],
    batches_per_platform: Option<f64>,
    existing: bool,
}

/// Reads the sites; a host hospital names a row of `hospitals` (an unknown one is an error only
/// when `hospitals_clean`: else it may name a rejected row).
pub(super) fn read_sites(
    t: &table::Table,
    hospitals: &[Hospital],
    hospitals_clean: bool,
    errors: &mut Vec<InputError>,
) -> Vec<Site> {
    let hospital_index = crate::ids::index_by_id(hospitals.iter().map(|h| h.id.as_str()));
    let mut out = Vec::new();
    let mut lines = Vec::new();
    t.for_each_row(errors, |row| {
        let (id, name, lat, lon) = read_place(row);
        let kind = read_kind(row);
        let host = row.text("hospital").map(str::to_string);
        let hospital = host
            .as_deref()
            .and_then(|h| find_host(row, &hospital_index, h, hospitals_clean));
        check_host_kind(row, host.as_deref(), kind);
        let columns = read_columns(row);
        let (Some(id), Some(lat), Some(lon), Some(kind), Some(c)) = (id, lat, lon, kind, columns)
        else {
            return;
        };
        if host.is_some() && hospital.is_none() && hospitals_clean {
            return;
        }
        lines.push(row.line);
        out.push(Site {
            id,
            name,
            lat,
            lon,
            kind,
            hospital,
            max_platforms: c.max_platforms,
            allow: c.allow,
            setup_cost_owned: c.setup_cost[0],
            setup_cost_franchise: c.setup_cost[1],
            batches_per_platform: c.batches_per_platform,
            existing: c.existing,
        });
    });
    unique_ids(
        &t.file,
        lines.iter().copied().zip(out.iter().map(|s| s.id.as_str())),
        errors,
    );
    out
}

fn given(row: &table::Row<'_>, column: &'static str) -> bool {
    row.text(column).is_some()
}

/// The site's kind; a blank one is E101.
fn read_kind(row: &mut table::Row<'_>) -> Option<SiteKind> {
    if given(row, "kind") {
        row.choice("kind", &KINDS)
    } else {
        row.required_text("kind");
        None
    }
}

/// The index of host hospital `host`; E202 when it is not in hospitals.csv.
fn find_host(
    row: &mut table::Row<'_>,
    hospital_index: &HashMap<&str, usize>,
    host: &str,
    hospitals_clean: bool,
) -> Option<usize> {
    let found = hospital_index.get(host).copied();
    if found.is_none() && hospitals_clean {
        row.row_error(
            Code::UnknownReference,
            "hospital",
            format!(
                "{} is not a hospital id in hospitals.csv",
                error::quoted(host)
            ),
        );
    }
    found
}

/// E203 when a site that is not co-located names a host hospital.
fn check_host_kind(row: &mut table::Row<'_>, host: Option<&str>, kind: Option<SiteKind>) {
    if host.is_some() && kind.is_some_and(|k| k != SiteKind::Colocated) {
        row.row_error(
            Code::BadHost,
            "hospital",
            format!(
                "{} names a host hospital, but only kind colocated has one (this site is {})",
                error::quoted(host.unwrap_or("")),
                kind.map_or("", |k| k.as_str())
            ),
        );
    }
}

/// The overriding columns; `None` when one is given but bad (its error is recorded, and the row
/// is not kept).
fn read_columns(row: &mut table::Row<'_>) -> Option<Columns> {
    let max_platforms = row
        .whole_number("max_platforms")
        .filter(|&n| at_most_platforms(row, n));
    let mut ok = max_platforms.is_some() || !given(row, "max_platforms");
    let allow = if given(row, "allow") {
        row.choice("allow", &ALLOWS)
    } else {
        Some([true, true])
    };
    let mut opt = |row: &mut table::Row<'_>, c: &'static str, v: Option<f64>| {
        if v.is_none() && given(row, c) {
            ok = false;
        }
        v
    };
    let setup_owned = row.number("setup_cost_owned", 0.0, ranges::MAX_COST);
    let setup_cost_owned = opt(row, "setup_cost_owned", setup_owned);
    let setup_franchise = row.number("setup_cost_franchise", 0.0, ranges::MAX_COST);
    let setup_cost_franchise = opt(row, "setup_cost_franchise", setup_franchise);
    let bpp = read_batches_per_platform(row);
    let batches_per_platform = opt(row, "batches_per_platform", bpp);
    let existing = if given(row, "existing") {
        row.choice("existing", &BOOLS)
    } else {
        Some(false)
    };
    Some(Columns {
        max_platforms,
        allow: allow?,
        setup_cost: [setup_cost_owned, setup_cost_franchise],
        batches_per_platform,
        existing: existing?,
    })
    .filter(|_| ok)
}

/// Whether `n` platforms are within [`ranges::MAX_PLATFORMS`]; records E105 when not.
fn at_most_platforms(row: &mut table::Row<'_>, n: u32) -> bool {
    if n <= ranges::MAX_PLATFORMS {
        return true;
    }
    let raw = row.text("max_platforms").unwrap_or_default().to_string();
    row.row_error(
        Code::OutOfRange,
        "max_platforms",
        format!(
            "{} is out of range: expected a whole number in [0, {}]",
            error::quoted(&raw),
            ranges::MAX_PLATFORMS
        ),
    );
    false
}

/// Batches per platform in (0, max]: read as any number, so that 0, negatives and values too
/// large get one message.
fn read_batches_per_platform(row: &mut table::Row<'_>) -> Option<f64> {
    let bpp = row.number("batches_per_platform", f64::NEG_INFINITY, f64::INFINITY);
    let range = ranges::BATCHES_PER_PLATFORM;
    if bpp.is_some_and(|b| !range.contains(b)) {
        let raw = row.text("batches_per_platform").unwrap_or("0").to_string();
        row.row_error(
            Code::OutOfRange,
            "batches_per_platform",
            format!(
                "{} is out of range: expected {}",
                error::quoted(&raw),
                range.expected()
            ),
        );
    }
    bpp.filter(|&b| range.contains(b))
}
