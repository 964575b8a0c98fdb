//! The Census 2020 county centres of population (CenPop2020_Mean_CO.txt): the county demand layer
//! and the ground the regional candidates are chosen from.

use super::source::{each_row, listed_before, padded, whole};
use super::states::{COUNTY_FP_DIGITS, STATE_FP_DIGITS, state_by_fips};
use crate::input::error::{Code, InputError};
use crate::input::table::{Column, Row, optional, required};
use std::collections::HashMap;

const COUNTY_COLUMNS: &[Column] = &[
    required("statefp"),
    required("countyfp"),
    required("couname"),
    optional("stname"),
    required("population"),
    required("latitude"),
    required("longitude"),
];

/// The states with independent cities (MD, MO, NV, VA): their cities are not in a county.
const INDEPENDENT_CITY_STATES: [&str; 4] = ["24", "29", "32", "51"];
/// In those states, county codes from this one up are the independent cities.
const FIRST_INDEPENDENT_CITY: &str = "500";

/// A demand point: a county, or a ZIP point (then `fips` is the ZIP code).
#[derive(Debug, Clone)]
pub(super) struct County {
    pub(super) fips: String,
    pub(super) name: String,
    pub(super) population: u64,
    pub(super) lat: f64,
    pub(super) lon: f64,
}

#[derive(Debug, Default)]
pub(super) struct CountyRead {
    pub(super) counties: Vec<County>,
    /// The file was not UTF-8 and was read as Latin-1.
    pub(super) latin1: bool,
    pub(super) rows: usize,
    pub(super) puerto_rico: usize,
    pub(super) outside: usize,
}

/// "Autauga County, AL", "Orleans Parish, LA", "Baltimore city, MD", "Juneau, AK".
fn county_name(name: &str, state_fp: &str, county_fp: &str, postal: &str) -> String {
    let independent_city =
        INDEPENDENT_CITY_STATES.contains(&state_fp) && county_fp >= FIRST_INDEPENDENT_CITY;
    let suffix = match postal {
        _ if name.ends_with(" City") || name.ends_with(" city") => "",
        _ if independent_city => " city",
        "LA" => " Parish",
        "PR" => " Municipio",
        "AK" | "DC" => "",
        _ => " County",
    };
    format!("{name}{suffix}, {postal}")
}

pub(super) fn parse_counties(
    file: &str,
    bytes: &[u8],
    include_pr: bool,
    errors: &mut Vec<InputError>,
) -> CountyRead {
    let mut out = CountyRead::default();
    let read = each_row(file, bytes, COUNTY_COLUMNS, errors, |row, seen| {
        out.rows += 1;
        if let Some(county) = county_row(row, include_pr, seen, &mut out) {
            out.counties.push(county);
        }
    });
    let Some((file, latin1)) = read else {
        return out;
    };
    out.latin1 = latin1;
    finish_points(
        &mut out.counties,
        &file,
        errors,
        "no county of the 50 states and DC (STATEFP 01-56) was found",
    );
    out
}

/// One row's county; `None` when it is out of scope (counted in `out`) or has an error (reported
/// on the row).
fn county_row(
    row: &mut Row<'_>,
    include_pr: bool,
    seen: &mut HashMap<String, u64>,
    out: &mut CountyRead,
) -> Option<County> {
    let (state_fp, county_fp) = fips_codes(row)?;
    let postal =
        state_by_fips(&state_fp, include_pr).count_out(&mut out.puerto_rico, &mut out.outside)?;
    let fips = format!("{state_fp}{county_fp}");
    if let Some(first) = listed_before(seen, &fips, row.line) {
        row.row_error(
            Code::DuplicateId,
            "countyfp",
            format!("county {fips} is listed again; it was first listed on line {first}"),
        );
        return None;
    }
    let name = row.required_text("couname");
    let population = whole(row, "population");
    let lat = row.required_number("latitude", -90.0, 90.0);
    let lon = row.required_number("longitude", -180.0, 180.0);
    let (Some(name), Some(population), Some(lat), Some(lon)) = (name, population, lat, lon) else {
        return None;
    };
    Some(County {
        name: county_name(&name, &state_fp, &county_fp, postal),
        fips,
        population,
        lat,
        lon,
    })
}

/// The row's state and county FIPS codes with their leading zeros; `None` after an error.
fn fips_codes(row: &mut Row<'_>) -> Option<(String, String)> {
    let state = row.required_text("statefp");
    let county = row.required_text("countyfp");
    let (Some(state), Some(county)) = (state, county) else {
        return None;
    };
    let state_fp = padded(
        row,
        &state,
        STATE_FP_DIGITS,
        "statefp",
        "a state FIPS code (1 or 2 digits)",
    )?;
    let county_fp = padded(
        row,
        &county,
        COUNTY_FP_DIGITS,
        "countyfp",
        "a county FIPS code (1 to 3 digits)",
    )?;
    Some((state_fp, county_fp))
}

/// Sorts demand points by code; none at all (and no other error in the file) is E205.
pub(super) fn finish_points(
    points: &mut [County],
    file: &str,
    errors: &mut Vec<InputError>,
    none: &str,
) {
    if points.is_empty() && !errors.iter().any(|e| e.file == file) {
        errors.push(InputError::new(Code::EmptyInstance, file, none));
    }
    points.sort_by(|a, b| a.fips.cmp(&b.fips));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn county_names() {
        assert_eq!(
            county_name("Autauga", "01", "001", "AL"),
            "Autauga County, AL"
        );
        assert_eq!(
            county_name("Orleans", "22", "071", "LA"),
            "Orleans Parish, LA"
        );
        assert_eq!(
            county_name("Baltimore", "24", "510", "MD"),
            "Baltimore city, MD"
        );
        assert_eq!(
            county_name("Carson City", "32", "510", "NV"),
            "Carson City, NV"
        );
        assert_eq!(county_name("Juneau", "02", "110", "AK"), "Juneau, AK");
    }
}
