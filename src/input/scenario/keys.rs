//! Every scenario key in one table (DESIGN §4): the values it accepts, its unit and its meaning.
//! The value checks (E305, `values.rs`) and docs/scenario-keys.md (`keys_doc.rs`) are both made
//! from it; the key's type comes from its default (`params.rs`, checked in `checks.rs`).

use super::MAX_YEARS;
use crate::input::ranges::{self, Range};

/// The values a key accepts beyond its type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Valid {
    /// A number in the range.
    In(Range),
    /// A yearly rate in the range (demand growth).
    YearlyRate(Range),
    /// A whole number from `min` to [`MAX_YEARS`].
    Years { min: u32 },
    /// A whole number >= 0, at most `policy.max_sites` when that has a limit.
    AtMostMaxSites,
    /// -1 (no limit) or a whole number >= 0.
    NoLimitOrCount,
    /// A share in [0, 1], or a list of them with one per horizon year.
    ShareOrList,
    /// One of these words; `what` they name, for the message.
    OneOf {
        words: &'static [&'static str],
        what: &'static str,
    },
    /// true or false.
    Flag,
}

/// One scenario key: `group.key`, its valid values, its unit and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub key: &'static str,
    pub valid: Valid,
    pub unit: &'static str,
    pub meaning: &'static str,
}

impl Key {
    /// The group, `site` of `site.max_platforms`.
    pub fn group(&self) -> &'static str {
        self.key.split('.').next().unwrap_or_default()
    }
}

impl Valid {
    /// What is expected, as E305 messages and the key documentation say it.
    pub fn expected(&self) -> String {
        match self {
            Valid::In(range) => range.expected(),
            Valid::YearlyRate(range) => {
                format!("{} (a yearly rate: 0.11 is 11 % a year)", range.expected())
            }
            Valid::Years { min } => format!("a whole number from {min} to {MAX_YEARS}"),
            Valid::AtMostMaxSites => {
                "a whole number >= 0, at most policy.max_sites (when that is not -1)".to_string()
            }
            Valid::NoLimitOrCount => "-1 (no limit) or a whole number >= 0".to_string(),
            Valid::ShareOrList => {
                "a number in [0, 1], or a list of them, one per horizon year".to_string()
            }
            Valid::OneOf { words, .. } => format!("\"{}\"", words.join("\" or \"")),
            Valid::Flag => "true or false".to_string(),
        }
    }
}

/// A share: [0, 1].
pub const SHARE: Range = Range::closed(0.0, 1.0);
/// Platforms at one site: [0, [`ranges::MAX_PLATFORMS`]].
const PLATFORMS: Range = Range::closed(0.0, ranges::MAX_PLATFORMS as f64);

const fn key(key: &'static str, valid: Valid, unit: &'static str, meaning: &'static str) -> Key {
    Key {
        key,
        valid,
        unit,
        meaning,
    }
}

use Valid::*;

/// Every key, in the order the value checks report them: first the keys a site kind may
/// override (checked for the base groups, then for each kind), then the others.
#[rustfmt::skip]
pub const KEYS: &[Key] = &[
    key("site.max_platforms", In(PLATFORMS), "platforms", "platforms a site may hold, unless sites.csv says otherwise"),
    key("site.setup_cost_owned", In(ranges::COST), "USD, one-off", "setting up an owned site"),
    key("site.setup_cost_franchise", In(ranges::COST), "USD, one-off", "the manufacturer's share of setting up a franchised site"),
    key("site.fixed_cost_owned", In(ranges::COST), "USD a year", "an owned site's yearly cost while open: staff, QA, facility"),
    key("site.fixed_cost_franchise", In(ranges::COST), "USD a year", "the manufacturer's share of a franchised site's yearly cost while open"),
    key("site.amortization_years", In(ranges::AMORTIZATION_YEARS), "years", "the setup cost is annualized over this many years"),
    key("site.discount_rate", In(ranges::RATE), "a year", "the rate of the capital recovery factor that annualizes the setup cost"),
    key("platform.batches_per_year", In(ranges::BATCHES_PER_PLATFORM), "batches a year", "batches one platform makes a year"),
    key("platform.cost_owned", In(ranges::COST), "USD a year", "an owned platform's yearly cost: lease, maintenance, consumables floor"),
    key("platform.cost_franchise", In(ranges::COST), "USD a year", "the manufacturer's yearly cost of a franchisee's platform"),
    key("batch.cost_owned", In(ranges::COST), "USD a batch", "making one batch at an owned site"),
    key("batch.cost_franchise", In(ranges::COST), "USD a batch", "the franchisee's price for one batch"),
    key("batch.failure_rate", In(ranges::FAILURE_RATE), "share", "batches out of specification; batches per patient = 1 / (1 - rate)"),
    key("time.manufacturing_days", In(ranges::LIMIT), "days", "days on the platform"),
    key("time.release_days", In(ranges::LIMIT), "days", "release testing"),
    key("time.max_vein_to_vein_days", In(ranges::LIMIT), "days", "the longest time from apheresis to infusion"),
    key("time.max_patient_travel_hours", In(ranges::LIMIT), "hours", "the longest trip from a patient's home to the treating hospital"),
    key("time.max_fresh_transit_hours", In(ranges::LIMIT), "hours", "fresh apheresis material must reach the site within this"),
    key("transport.circuity", In(ranges::CIRCUITY), "ratio", "road km per great-circle km"),
    key("transport.ground_kmh", In(ranges::SPEED_KMH), "km/h", "courier average speed"),
    key("transport.patient_kmh", In(ranges::SPEED_KMH), "km/h", "patients driving to a hospital"),
    key("transport.air_kmh", In(ranges::SPEED_KMH), "km/h", "air freight cruise speed"),
    key("transport.air_threshold_km", In(ranges::LIMIT), "km", "air is possible beyond this great-circle distance"),
    key("transport.air_handling_hours", In(ranges::LIMIT), "hours", "pick-up, airport handling and delivery of an air shipment"),
    key("transport.ground_cost_fixed", In(ranges::COST), "USD a leg", "the fixed cost of a ground shipment leg"),
    key("transport.ground_cost_per_km", In(ranges::COST_PER_KM), "USD a road km", "the cost of a ground shipment per road km"),
    key("transport.air_cost", In(ranges::COST), "USD a leg", "the cost of an air shipment leg"),
    key("transport.patient_cost_per_km", In(ranges::COST_PER_KM), "USD a patient-km", "patient travel cost, both ways (0: not counted)"),
    key("demand.unserved_penalty", In(ranges::COST), "USD a patient", "the cost of a patient not served"),
    key("demand.in_vivo_growth", In(ranges::GROWTH), "share points a year", "added to the in vivo share each later year (kept within [0, 1]) when in_vivo_share is a number"),
    key("policy.min_utilization", In(SHARE), "share", "the least use of an open site's installed platform capacity"),
    key("policy.max_franchise_share", In(SHARE), "share", "the largest share of open sites that are franchised"),
    key("horizon.discount_rate", In(ranges::RATE), "a year", "net present value: year t's cost weighs 1 / (1 + rate)^(t - 1)"),
    key("policy.max_sites", NoLimitOrCount, "sites", "the most sites open"),
    key("horizon.years", Years { min: 1 }, "years", "years planned; 1 is the single-year model"),
    key("horizon.lead_years", Years { min: 0 }, "years", "a site decided in year t produces from year t + lead_years"),
    key("horizon.growth", YearlyRate(ranges::GROWTH), "a year", "demand growth per year; a growth column in demand.csv overrides it per point"),
    key("demand.in_vivo_share", ShareOrList, "share", "patients treated with in vivo CAR-T (no batch made): a number for year 1, or one per horizon year"),
    key("policy.min_sites", AtMostMaxSites, "sites", "the fewest sites open"),
    key("horizon.setup", OneOf { words: &["annualized", "upfront"], what: "a setup charge" }, "", "annualized: setup x CRF each year a site produces; upfront: the whole setup in the year it is decided"),
    key("demand.full_coverage", Flag, "", "true: every patient must be served (else the plan is infeasible, explained)"),
    key("policy.single_sourcing", Flag, "", "each hospital sends all its batches to one site"),
    key("horizon.platform_removal", Flag, "", "platforms may be removed in a later year (else only added)"),
];

/// The table's row for `group.key`.
pub fn find(key: &str) -> Option<&'static Key> {
    KEYS.iter().find(|k| k.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_key_once() {
        let base: Vec<String> = super::super::valid_keys()
            .into_iter()
            .map(|(k, _)| k)
            .filter(|k| !k.starts_with("kinds."))
            .collect();
        for k in &base {
            let rows = KEYS.iter().filter(|row| row.key == k).count();
            assert_eq!(rows, 1, "{k} has {rows} rows in KEYS");
        }
        assert_eq!(
            KEYS.len(),
            base.len(),
            "KEYS names a key that does not exist"
        );
    }
}
