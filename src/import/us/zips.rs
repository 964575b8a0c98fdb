//! ZIP points with population (`--zip`): the demand layer that replaces the counties.

use super::counties::{County, finish_points};
use super::source::{each_row, listed_before, padded};
use super::states::{ZIP_DIGITS, state_by_zip};
use crate::input::error::{Code, InputError};
use crate::input::table::{Column, Row, required};
use std::collections::HashMap;

const ZIP_COLUMNS: &[Column] = &[
    required("zip"),
    required("lat"),
    required("lng"),
    required("population"),
];

#[derive(Debug, Default)]
pub(super) struct ZipRead {
    pub(super) points: Vec<County>,
    pub(super) latin1: bool,
    pub(super) rows: usize,
    pub(super) no_population: usize,
    pub(super) zero_population: usize,
    pub(super) puerto_rico: usize,
    pub(super) outside: usize,
}

pub(super) fn parse_zips(
    file: &str,
    bytes: &[u8],
    include_pr: bool,
    errors: &mut Vec<InputError>,
) -> ZipRead {
    let mut out = ZipRead::default();
    let read = each_row(file, bytes, ZIP_COLUMNS, errors, |row, seen| {
        out.rows += 1;
        if let Some(point) = zip_row(row, include_pr, seen, &mut out) {
            out.points.push(point);
        }
    });
    let Some((file, latin1)) = read else {
        return out;
    };
    out.latin1 = latin1;
    finish_points(
        &mut out.points,
        &file,
        errors,
        "no ZIP point with a population was found",
    );
    out
}

/// One row's ZIP point; `None` when it is left out (counted in `out`) or has an error (reported
/// on the row).
fn zip_row(
    row: &mut Row<'_>,
    include_pr: bool,
    seen: &mut HashMap<String, u64>,
    out: &mut ZipRead,
) -> Option<County> {
    let zip = zip_code(row, seen)?;
    if row.text("population").is_none() {
        out.no_population += 1;
        return None;
    }
    state_by_zip(&zip, include_pr).count_out(&mut out.puerto_rico, &mut out.outside)?;
    let population = row.whole_number("population").map(u64::from);
    let lat = row.required_number("lat", -90.0, 90.0);
    let lon = row.required_number("lng", -180.0, 180.0);
    let (Some(population), Some(lat), Some(lon)) = (population, lat, lon) else {
        return None;
    };
    if population == 0 {
        out.zero_population += 1;
        return None;
    }
    Some(County {
        name: format!("ZIP {zip}"),
        fips: zip,
        population,
        lat,
        lon,
    })
}

/// The row's ZIP code with its leading zeros, listed for the first time; `None` after an error.
fn zip_code(row: &mut Row<'_>, seen: &mut HashMap<String, u64>) -> Option<String> {
    let raw = row.required_text("zip")?;
    let zip = padded(row, &raw, ZIP_DIGITS, "zip", "a ZIP code (1 to 5 digits)")?;
    if let Some(first) = listed_before(seen, &zip, row.line) {
        row.row_error(
            Code::DuplicateId,
            "zip",
            format!("ZIP {zip} is listed again; it was first listed on line {first}"),
        );
        return None;
    }
    Some(zip)
}
