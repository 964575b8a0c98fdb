//! The HIFLD Hospitals layer: which hospitals are eligible, how they rank, which are kept as
//! treatment centres and how many patients each may treat.

use super::source::{each_row, listed_before, whole};
use super::states::{HIFLD_ID_DIGITS, pad_code, state_by_postal};
use crate::input::error::{Code, InputError, quoted};
use crate::input::table::{Column, Row, optional, required};
use std::collections::{BTreeMap, HashMap};

/// max_patients = round(BEDS / 5), clamped to [20, 200] (the rule of data/demo).
pub(super) const BEDS_PER_PATIENT: u32 = 5;
pub(super) const MIN_MAX_PATIENTS: u32 = 20;
pub(super) const MAX_MAX_PATIENTS: u32 = 200;

const HOSPITAL_COLUMNS: &[Column] = &[
    required("id"),
    required("name"),
    required("state"),
    required("type"),
    required("status"),
    required("latitude"),
    required("longitude"),
    required("beds"),
    optional("trauma"),
];

/// Hospital types kept: acute-care hospitals that run oncology and transplant services.
const KEPT_TYPES: [&str; 2] = ["GENERAL ACUTE CARE", "CHILDREN"];
/// HIFLD's value for an unknown number of beds.
const UNKNOWN_BEDS: f64 = -999.0;
/// Trauma rank of a designation without a level (after LEVEL I-V, which rank 1-5).
const TRAUMA_OTHER: u8 = 6;
/// Trauma rank of no designation, the last.
const TRAUMA_NONE: u8 = 7;

#[derive(Debug, Clone)]
pub(super) struct Hifld {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) state: &'static str,
    pub(super) lat: f64,
    pub(super) lon: f64,
    pub(super) beds: u32,
    pub(super) trauma: u8,
}

#[derive(Debug, Default)]
pub(super) struct HospitalRead {
    /// Eligible hospitals (open, kept type, in scope, beds known), ranked best first.
    pub(super) eligible: Vec<Hifld>,
    pub(super) latin1: bool,
    pub(super) rows: usize,
    pub(super) not_open: usize,
    pub(super) other_type: usize,
    pub(super) puerto_rico: usize,
    pub(super) outside: usize,
    pub(super) unknown_beds: usize,
}

/// The best trauma level named in HIFLD's TRAUMA text: 1-5 for LEVEL I-V (adult or pediatric),
/// 6 for another designation without a level (e.g. "RTC", "LEVEL PEDIATRIC"), 7 for none
/// ("NOT AVAILABLE", "NOT DESIGNATED", "UNCLASSIFIED", blank).
fn trauma_level(text: &str) -> u8 {
    let mut best = TRAUMA_NONE;
    for part in text.split(',') {
        let part = part.trim().to_ascii_uppercase();
        let level = if let Some(rest) = part.strip_prefix("LEVEL") {
            match rest.split_whitespace().next() {
                Some("I" | "1") => 1,
                Some("II" | "2") => 2,
                Some("III" | "3") => 3,
                Some("IV" | "4") => 4,
                Some("V" | "5") => 5,
                _ => TRAUMA_OTHER,
            }
        } else if part.is_empty()
            || matches!(
                part.as_str(),
                "NOT AVAILABLE" | "NOT DESIGNATED" | "UNCLASSIFIED"
            )
        {
            TRAUMA_NONE
        } else {
            TRAUMA_OTHER
        };
        best = best.min(level);
    }
    best
}

/// The trauma rank as the README's state-floor table shows it.
pub(super) fn trauma_label(level: u8) -> &'static str {
    match level {
        1 => "I",
        2 => "II",
        3 => "III",
        4 => "IV",
        5 => "V",
        TRAUMA_OTHER => "other",
        _ => "none",
    }
}

pub(super) fn parse_hospitals(
    file: &str,
    bytes: &[u8],
    include_pr: bool,
    errors: &mut Vec<InputError>,
) -> HospitalRead {
    let mut out = HospitalRead::default();
    let read = each_row(file, bytes, HOSPITAL_COLUMNS, errors, |row, seen| {
        out.rows += 1;
        if let Some(hospital) = hospital_row(row, include_pr, seen, &mut out) {
            out.eligible.push(hospital);
        }
    });
    let Some((file, latin1)) = read else {
        return out;
    };
    out.latin1 = latin1;
    if out.eligible.is_empty() && !errors.iter().any(|e| e.file == file) {
        errors.push(InputError::new(
            Code::EmptyInstance,
            &file,
            "no open GENERAL ACUTE CARE or CHILDREN hospital with known BEDS is in scope",
        ));
    }
    rank(&mut out.eligible);
    out
}

/// The ranking: more beds first; equal beds, the better trauma level; then the id.
fn rank(eligible: &mut [Hifld]) {
    eligible.sort_by(|a, b| {
        b.beds
            .cmp(&a.beds)
            .then(a.trauma.cmp(&b.trauma))
            .then(a.id.cmp(&b.id))
    });
}

/// One row's hospital if it is eligible; `None` when it is left out (counted in `out`) or has an
/// error (reported on the row).
fn hospital_row(
    row: &mut Row<'_>,
    include_pr: bool,
    seen: &mut HashMap<String, u64>,
    out: &mut HospitalRead,
) -> Option<Hifld> {
    let state = open_kept_in_scope(row, include_pr, out)?;
    let id = hospital_id(row, seen)?;
    let name = row.required_text("name");
    let lat = row.required_number("latitude", -90.0, 90.0);
    let lon = row.required_number("longitude", -180.0, 180.0);
    let beds = match row.text("beds").map(str::parse::<f64>) {
        Some(Ok(b)) if b == UNKNOWN_BEDS => {
            out.unknown_beds += 1;
            return None;
        }
        _ => whole(row, "beds"),
    };
    let trauma = trauma_level(row.text("trauma").unwrap_or(""));
    let (Some(name), Some(lat), Some(lon), Some(beds)) = (name, lat, lon, beds) else {
        return None;
    };
    Some(Hifld {
        id,
        name,
        state,
        lat,
        lon,
        beds: beds.min(u64::from(u32::MAX)) as u32,
        trauma,
    })
}

/// The row's state when the hospital is open, of a kept type and in scope; otherwise `None`,
/// the reason counted in `out`.
fn open_kept_in_scope(
    row: &mut Row<'_>,
    include_pr: bool,
    out: &mut HospitalRead,
) -> Option<&'static str> {
    let (Some(status), Some(kind), Some(state)) = (
        row.required_text("status"),
        row.required_text("type"),
        row.required_text("state"),
    ) else {
        return None;
    };
    if !status.eq_ignore_ascii_case("OPEN") {
        out.not_open += 1;
        return None;
    }
    if !KEPT_TYPES.iter().any(|k| k.eq_ignore_ascii_case(&kind)) {
        out.other_type += 1;
        return None;
    }
    state_by_postal(&state, include_pr).count_out(&mut out.puerto_rico, &mut out.outside)
}

/// The row's HIFLD id, used for the first time; `None` after an error.
fn hospital_id(row: &mut Row<'_>, seen: &mut HashMap<String, u64>) -> Option<String> {
    let raw_id = row.required_text("id")?;
    // HIFLD ids are 10 digits; restore leading zeros a spreadsheet dropped.
    let id = pad_code(&raw_id, HIFLD_ID_DIGITS).unwrap_or(raw_id);
    if let Some(first) = listed_before(seen, &id, row.line) {
        row.row_error(
            Code::DuplicateId,
            "id",
            format!(
                "hospital id {} is used again; it was first used on line {first}",
                quoted(&id)
            ),
        );
        return None;
    }
    Some(id)
}

/// Which eligible hospitals are kept: every one with at least `min_beds` beds, and in a state
/// that would otherwise have fewer than `min_per_state`, the best-ranked ones up to that number.
/// Returns the kept hospitals (ranked) and how many came from the state floor.
pub(super) fn select_hospitals(
    eligible: &[Hifld],
    min_beds: u32,
    min_per_state: u32,
) -> (Vec<Hifld>, usize) {
    let mut per_state: BTreeMap<&str, u32> = BTreeMap::new();
    let mut kept = Vec::new();
    let mut floor = 0;
    for h in eligible {
        let n = per_state.entry(h.state).or_default();
        if h.beds >= min_beds {
            *n += 1;
            kept.push(h.clone());
        } else if *n < min_per_state {
            *n += 1;
            floor += 1;
            kept.push(h.clone());
        }
    }
    (kept, floor)
}

pub(super) fn max_patients(beds: u32) -> u32 {
    // round(beds / 5), half up (beds / 5 is never exactly x.5)
    (beds.saturating_add(BEDS_PER_PATIENT / 2) / BEDS_PER_PATIENT)
        .clamp(MIN_MAX_PATIENTS, MAX_MAX_PATIENTS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trauma_levels_rank() {
        assert_eq!(trauma_level("LEVEL I"), 1);
        assert_eq!(trauma_level("LEVEL II, LEVEL I PEDIATRIC"), 1);
        assert_eq!(trauma_level("LEVEL 3"), 3);
        assert_eq!(trauma_level("LEVEL IV"), 4);
        assert_eq!(trauma_level("LEVEL PEDIATRIC"), 6);
        assert_eq!(trauma_level("RTC"), 6);
        assert_eq!(trauma_level("NOT AVAILABLE"), 7);
        assert_eq!(trauma_level(""), 7);
    }

    #[test]
    fn capacity_rule() {
        assert_eq!(max_patients(500), 100);
        assert_eq!(max_patients(212), 42);
        assert_eq!(max_patients(8), 20);
        assert_eq!(max_patients(1541), 200);
    }

    fn hospital(id: &str, state: &'static str, beds: u32, trauma: u8) -> Hifld {
        Hifld {
            id: id.into(),
            name: id.into(),
            state,
            lat: 0.0,
            lon: 0.0,
            beds,
            trauma,
        }
    }

    #[test]
    fn state_floor_keeps_the_best_ranked() {
        // ranked as parse_hospitals ranks: beds desc, trauma, id
        let mut eligible = vec![
            hospital("a", "NY", 900, 1),
            hospital("b", "ND", 380, 7),
            hospital("c", "ND", 380, 2),
            hospital("d", "WY", 212, 6),
            hospital("e", "NY", 100, 1),
        ];
        eligible.sort_by(|a, b| {
            b.beds
                .cmp(&a.beds)
                .then(a.trauma.cmp(&b.trauma))
                .then(a.id.cmp(&b.id))
        });
        let (kept, floor) = select_hospitals(&eligible, 500, 1);
        let ids: Vec<&str> = kept.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, vec!["a", "c", "d"]);
        assert_eq!(floor, 2);
        let (kept, floor) = select_hospitals(&eligible, 500, 0);
        assert_eq!((kept.len(), floor), (1, 0));
    }
}
