//! Where a place is: the states by FIPS and postal code, the territories' ZIP prefixes, and codes
//! whose leading zeros a spreadsheet dropped.

/// Digits of a state FIPS code (STATEFP).
pub(super) const STATE_FP_DIGITS: usize = 2;
/// Digits of a county FIPS code within its state (COUNTYFP).
pub(super) const COUNTY_FP_DIGITS: usize = 3;
/// Digits of a ZIP code.
pub(super) const ZIP_DIGITS: usize = 5;
/// Digits of a HIFLD hospital id.
pub(super) const HIFLD_ID_DIGITS: usize = 10;
/// Digits of a ZIP prefix that names a territory (the sectional centre facility code).
const ZIP_PREFIX_DIGITS: usize = 3;

/// The 50 states, DC and Puerto Rico: FIPS code, postal code.
pub(super) const STATES: [(&str, &str); 52] = [
    ("01", "AL"),
    ("02", "AK"),
    ("04", "AZ"),
    ("05", "AR"),
    ("06", "CA"),
    ("08", "CO"),
    ("09", "CT"),
    ("10", "DE"),
    ("11", "DC"),
    ("12", "FL"),
    ("13", "GA"),
    ("15", "HI"),
    ("16", "ID"),
    ("17", "IL"),
    ("18", "IN"),
    ("19", "IA"),
    ("20", "KS"),
    ("21", "KY"),
    ("22", "LA"),
    ("23", "ME"),
    ("24", "MD"),
    ("25", "MA"),
    ("26", "MI"),
    ("27", "MN"),
    ("28", "MS"),
    ("29", "MO"),
    ("30", "MT"),
    ("31", "NE"),
    ("32", "NV"),
    ("33", "NH"),
    ("34", "NJ"),
    ("35", "NM"),
    ("36", "NY"),
    ("37", "NC"),
    ("38", "ND"),
    ("39", "OH"),
    ("40", "OK"),
    ("41", "OR"),
    ("42", "PA"),
    ("44", "RI"),
    ("45", "SC"),
    ("46", "SD"),
    ("47", "TN"),
    ("48", "TX"),
    ("49", "UT"),
    ("50", "VT"),
    ("51", "VA"),
    ("53", "WA"),
    ("54", "WV"),
    ("55", "WI"),
    ("56", "WY"),
    ("72", "PR"),
];

/// Whether a place is in the instance's area.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// One of the 50 states or DC (or Puerto Rico with --include-pr), by postal code.
    In(&'static str),
    /// Puerto Rico without --include-pr.
    PuertoRico,
    /// Another territory, or a code cartnet does not know.
    Outside,
}

impl Scope {
    /// The postal code of a place in scope; a place out of scope is counted in `puerto_rico` or
    /// `outside` instead.
    pub(super) fn count_out(
        self,
        puerto_rico: &mut usize,
        outside: &mut usize,
    ) -> Option<&'static str> {
        match self {
            Scope::In(postal) => Some(postal),
            Scope::PuertoRico => {
                *puerto_rico += 1;
                None
            }
            Scope::Outside => {
                *outside += 1;
                None
            }
        }
    }
}

fn scope_of(postal: Option<&'static str>, include_pr: bool) -> Scope {
    match postal {
        Some("PR") if !include_pr => Scope::PuertoRico,
        Some(p) => Scope::In(p),
        None => Scope::Outside,
    }
}

pub(super) fn state_by_fips(fips: &str, include_pr: bool) -> Scope {
    scope_of(
        STATES.iter().find(|(f, _)| *f == fips).map(|(_, p)| *p),
        include_pr,
    )
}

pub(super) fn state_by_postal(postal: &str, include_pr: bool) -> Scope {
    let postal = postal.to_ascii_uppercase();
    scope_of(
        STATES.iter().find(|(_, p)| *p == postal).map(|(_, p)| *p),
        include_pr,
    )
}

/// ZIP codes carry no state; the 3-digit prefixes of the territories are known: 006, 007 and 009
/// are Puerto Rico, 008 the US Virgin Islands, 969 Guam, the Northern Marianas and the Pacific
/// freely associated states, 96799 American Samoa.
pub(super) fn state_by_zip(zip: &str, include_pr: bool) -> Scope {
    match &zip[..ZIP_PREFIX_DIGITS] {
        "006" | "007" | "009" => scope_of(Some("PR"), include_pr),
        "008" | "969" => Scope::Outside,
        _ if zip == "96799" => Scope::Outside,
        _ => Scope::In("US"),
    }
}

/// A code that lost its leading zeros in a spreadsheet, restored to `width` digits; `None` when
/// it is not 1 to `width` digits.
pub(super) fn pad_code(raw: &str, width: usize) -> Option<String> {
    (!raw.is_empty() && raw.len() <= width && raw.bytes().all(|b| b.is_ascii_digit()))
        .then(|| format!("{raw:0>width$}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn states_are_fifty_plus_dc_and_pr() {
        assert_eq!(STATES.len(), 52);
        let fips: HashSet<&str> = STATES.iter().map(|s| s.0).collect();
        let postal: HashSet<&str> = STATES.iter().map(|s| s.1).collect();
        assert_eq!((fips.len(), postal.len()), (52, 52));
        assert_eq!(state_by_fips("72", false), Scope::PuertoRico);
        assert_eq!(state_by_fips("72", true), Scope::In("PR"));
        assert_eq!(state_by_fips("66", true), Scope::Outside);
        assert_eq!(state_by_postal("dc", false), Scope::In("DC"));
        assert_eq!(state_by_postal("GU", true), Scope::Outside);
    }

    #[test]
    fn codes_get_their_leading_zeros_back() {
        assert_eq!(pad_code("1", 2).as_deref(), Some("01"));
        assert_eq!(pad_code("501", 5).as_deref(), Some("00501"));
        assert_eq!(pad_code("01001", 5).as_deref(), Some("01001"));
        assert_eq!(pad_code("123456", 5), None);
        assert_eq!(pad_code("12a", 5), None);
        assert_eq!(pad_code("", 5), None);
        assert_eq!(state_by_zip("00601", false), Scope::PuertoRico);
        assert_eq!(state_by_zip("96799", true), Scope::Outside);
        assert_eq!(state_by_zip("96813", false), Scope::In("US"));
    }
}
