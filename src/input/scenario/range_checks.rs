//! The range check of every value.

use super::super::error::{Code, InputError, InputErrors};
use super::super::ranges::{self, Range};
use super::{KindParams, MAX_YEARS, Scenario, Share};
use std::collections::BTreeMap;

impl Scenario {
    /// Checks every value against its allowed range (see [`super::ranges`]).
    pub(super) fn check_ranges(&self, file: &str) -> Result<(), InputErrors> {
        let mut errors = Vec::new();
        let mut check = |key: String, value: f64, ok: bool, expected: &str| {
            if !ok || !value.is_finite() {
                errors.push(
                    InputError::new(
                        Code::BadValue,
                        file,
                        format!(
                            "{} is out of range: expected {expected}",
                            ranges::show(value)
                        ),
                    )
                    .in_column(key),
                );
            }
        };
        // (prefix, parameters, the keys to check: None for all)
        type Own<'a> = Option<&'a BTreeMap<String, toml::Value>>;
        let mut groups: Vec<(String, &KindParams, Own<'_>)> = vec![];
        let base = KindParams {
            site: self.site.clone(),
            platform: self.platform.clone(),
            batch: self.batch.clone(),
            time: self.time.clone(),
        };
        groups.push((String::new(), &base, None));
        for (kind, params) in &self.kinds {
            if let Some(own) = self.kind_overrides.get(kind).filter(|o| !o.is_empty()) {
                groups.push((format!("kinds.{}.", kind.as_str()), params, Some(own)));
            }
        }
        for (p, k, own) in groups {
            for (key, v, range) in kind_ranges(k) {
                // a kind's value inherited from the base group is checked (and reported) there
                if own.is_none_or(|o| o.contains_key(key)) {
                    check(format!("{p}{key}"), v, range.contains(v), &range.expected());
                }
            }
        }
        for (key, v, range) in self.other_ranges() {
            check(key.into(), v, range.contains(v), &range.expected());
        }
        let max_sites = self.policy.max_sites as f64;
        check(
            "policy.max_sites".into(),
            max_sites,
            self.policy.max_sites >= -1,
            "-1 (no limit) or a whole number >= 0",
        );
        let h = &self.horizon;
        check(
            "horizon.years".into(),
            h.years as f64,
            (1..=MAX_YEARS).contains(&h.years),
            &format!("a whole number from 1 to {MAX_YEARS}"),
        );
        check(
            "horizon.lead_years".into(),
            h.lead_years as f64,
            h.lead_years <= MAX_YEARS,
            &format!("a whole number from 0 to {MAX_YEARS}"),
        );
        check(
            "horizon.growth".into(),
            h.growth,
            ranges::GROWTH.contains(h.growth),
            &format!(
                "{} (a yearly rate: 0.11 is 11 % a year)",
                ranges::GROWTH.expected()
            ),
        );
        match &self.demand.in_vivo_share {
            Share::Start(v) => check(
                "demand.in_vivo_share".into(),
                *v,
                (0.0..=1.0).contains(v),
                "a number in [0, 1], or a list of them, one per horizon year",
            ),
            Share::PerYear(list) => {
                for v in list {
                    check(
                        "demand.in_vivo_share".into(),
                        *v,
                        (0.0..=1.0).contains(v),
                        "shares in [0, 1]",
                    );
                }
                if list.len() != h.years as usize {
                    errors.push(
                        InputError::new(
                            Code::BadValue,
                            file,
                            format!(
                                "a list of {} shares for a horizon of {} years: give one per year, \
                                 or one number and demand.in_vivo_growth",
                                list.len(),
                                h.years
                            ),
                        )
                        .in_column("demand.in_vivo_share"),
                    );
                }
            }
        }
        if self.policy.max_sites >= 0 && (self.policy.min_sites as i64) > self.policy.max_sites {
            errors.push(InputError::new(
                Code::BadValue,
                file,
                format!(
                    "policy.min_sites ({}) is greater than policy.max_sites ({})",
                    self.policy.min_sites, self.policy.max_sites
                ),
            ));
        }
        if !["annualized", "upfront"].contains(&h.setup.as_str()) {
            errors.push(
                InputError::new(
                    Code::BadValue,
                    file,
                    format!(
                        "\"{}\" is not a setup charge: expected \"annualized\" or \"upfront\"",
                        h.setup
                    ),
                )
                .in_column("horizon.setup"),
            );
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(InputErrors(errors))
        }
    }

    /// The numbers outside the per-kind groups, each with its range.
    fn other_ranges(&self) -> [(&'static str, f64, Range); 15] {
        let t = &self.transport;
        [
            ("transport.circuity", t.circuity, ranges::CIRCUITY),
            ("transport.ground_kmh", t.ground_kmh, ranges::SPEED_KMH),
            ("transport.patient_kmh", t.patient_kmh, ranges::SPEED_KMH),
            ("transport.air_kmh", t.air_kmh, ranges::SPEED_KMH),
            (
                "transport.air_threshold_km",
                t.air_threshold_km,
                ranges::LIMIT,
            ),
            (
                "transport.air_handling_hours",
                t.air_handling_hours,
                ranges::LIMIT,
            ),
            (
                "transport.ground_cost_fixed",
                t.ground_cost_fixed,
                ranges::COST,
            ),
            (
                "transport.ground_cost_per_km",
                t.ground_cost_per_km,
                ranges::COST_PER_KM,
            ),
            ("transport.air_cost", t.air_cost, ranges::COST),
            (
                "transport.patient_cost_per_km",
                t.patient_cost_per_km,
                ranges::COST_PER_KM,
            ),
            (
                "demand.unserved_penalty",
                self.demand.unserved_penalty,
                ranges::COST,
            ),
            (
                "demand.in_vivo_growth",
                self.demand.in_vivo_growth,
                ranges::GROWTH,
            ),
            (
                "policy.min_utilization",
                self.policy.min_utilization,
                Range::closed(0.0, 1.0),
            ),
            (
                "policy.max_franchise_share",
                self.policy.max_franchise_share,
                Range::closed(0.0, 1.0),
            ),
            (
                "horizon.discount_rate",
                self.horizon.discount_rate,
                ranges::RATE,
            ),
        ]
    }
}

/// The numbers a site kind may override, each with its range (see [`super::ranges`]).
fn kind_ranges(k: &KindParams) -> [(&'static str, f64, Range); 18] {
    let (site, time) = (&k.site, &k.time);
    let platforms = Range::closed(0.0, f64::from(ranges::MAX_PLATFORMS));
    [
        (
            "site.max_platforms",
            f64::from(site.max_platforms),
            platforms,
        ),
        ("site.setup_cost_owned", site.setup_cost_owned, ranges::COST),
        (
            "site.setup_cost_franchise",
            site.setup_cost_franchise,
            ranges::COST,
        ),
        ("site.fixed_cost_owned", site.fixed_cost_owned, ranges::COST),
        (
            "site.fixed_cost_franchise",
            site.fixed_cost_franchise,
            ranges::COST,
        ),
        (
            "site.amortization_years",
            site.amortization_years,
            ranges::AMORTIZATION_YEARS,
        ),
        ("site.discount_rate", site.discount_rate, ranges::RATE),
        (
            "platform.batches_per_year",
            k.platform.batches_per_year,
            ranges::BATCHES_PER_PLATFORM,
        ),
        ("platform.cost_owned", k.platform.cost_owned, ranges::COST),
        (
            "platform.cost_franchise",
            k.platform.cost_franchise,
            ranges::COST,
        ),
        ("batch.cost_owned", k.batch.cost_owned, ranges::COST),
        ("batch.cost_franchise", k.batch.cost_franchise, ranges::COST),
        (
            "batch.failure_rate",
            k.batch.failure_rate,
            ranges::FAILURE_RATE,
        ),
        (
            "time.manufacturing_days",
            time.manufacturing_days,
            ranges::LIMIT,
        ),
        ("time.release_days", time.release_days, ranges::LIMIT),
        (
            "time.max_vein_to_vein_days",
            time.max_vein_to_vein_days,
            ranges::LIMIT,
        ),
        (
            "time.max_patient_travel_hours",
            time.max_patient_travel_hours,
            ranges::LIMIT,
        ),
        (
            "time.max_fresh_transit_hours",
            time.max_fresh_transit_hours,
            ranges::LIMIT,
        ),
    ]
}
