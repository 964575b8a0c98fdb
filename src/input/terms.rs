//! The parameters in force at one site: the scenario's values for the site's kind, overridden by
//! the site's own columns in sites.csv.

use super::{OpModel, Scenario, Site};

/// Effective parameters of one candidate site. Arrays are indexed by [`OpModel`] (owned, franchise).
#[derive(Debug, Clone, PartialEq)]
pub struct SiteTerms {
    pub max_platforms: u32,
    pub batches_per_platform: f64,
    pub allowed: [bool; 2],
    pub existing: bool,
    /// One-off setup cost, USD (0 for an existing site: it is sunk).
    pub setup_cost: [f64; 2],
    /// Setup cost annualized with the capital recovery factor, USD per year.
    pub setup_per_year: [f64; 2],
    pub fixed_per_year: [f64; 2],
    pub platform_per_year: [f64; 2],
    pub batch_cost: [f64; 2],
    pub failure_rate: f64,
    pub manufacturing_days: f64,
    pub release_days: f64,
    pub max_vein_to_vein_days: f64,
    pub max_fresh_transit_hours: f64,
}

/// Capital recovery factor: the annual payment that repays 1 over `years` at `rate`.
pub fn capital_recovery_factor(rate: f64, years: f64) -> f64 {
    if rate == 0.0 {
        1.0 / years
    } else {
        let g = (1.0 + rate).powf(years);
        rate * g / (g - 1.0)
    }
}

impl SiteTerms {
    pub fn new(site: &Site, scenario: &Scenario) -> SiteTerms {
        let k = scenario.kind(site.kind);
        let crf = capital_recovery_factor(k.site.discount_rate, k.site.amortization_years);
        let setup = if site.existing {
            [0.0, 0.0]
        } else {
            [
                site.setup_cost_owned.unwrap_or(k.site.setup_cost_owned),
                site.setup_cost_franchise
                    .unwrap_or(k.site.setup_cost_franchise),
            ]
        };
        SiteTerms {
            max_platforms: site.max_platforms.unwrap_or(k.site.max_platforms),
            batches_per_platform: site
                .batches_per_platform
                .unwrap_or(k.platform.batches_per_year),
            allowed: site.allow,
            existing: site.existing,
            setup_cost: setup,
            setup_per_year: setup.map(|c| c * crf),
            fixed_per_year: [k.site.fixed_cost_owned, k.site.fixed_cost_franchise],
            platform_per_year: [k.platform.cost_owned, k.platform.cost_franchise],
            batch_cost: [k.batch.cost_owned, k.batch.cost_franchise],
            failure_rate: k.batch.failure_rate,
            manufacturing_days: k.time.manufacturing_days,
            release_days: k.time.release_days,
            max_vein_to_vein_days: k.time.max_vein_to_vein_days,
            max_fresh_transit_hours: k.time.max_fresh_transit_hours,
        }
    }

    /// Batches the site can make a year at most.
    pub fn capacity(&self) -> f64 {
        self.max_platforms as f64 * self.batches_per_platform
    }

    pub fn allows(&self, m: OpModel) -> bool {
        self.allowed[m as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crf_matches_the_annuity_formula() {
        // 8 % over 10 years: 0.08 * 1.08^10 / (1.08^10 - 1) = 0.149029...
        assert!((capital_recovery_factor(0.08, 10.0) - 0.149_029_489).abs() < 1e-8);
        assert_eq!(capital_recovery_factor(0.0, 4.0), 0.25);
    }
}
