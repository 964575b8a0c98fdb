//! The parameter groups of a scenario (DESIGN §4) and their defaults, the compiled-in baseline.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteParams {
    pub max_platforms: u32,
    pub setup_cost_owned: f64,
    pub setup_cost_franchise: f64,
    pub fixed_cost_owned: f64,
    pub fixed_cost_franchise: f64,
    pub amortization_years: f64,
    pub discount_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlatformParams {
    pub batches_per_year: f64,
    pub cost_owned: f64,
    pub cost_franchise: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BatchParams {
    pub cost_owned: f64,
    pub cost_franchise: f64,
    pub failure_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TimeParams {
    pub manufacturing_days: f64,
    pub release_days: f64,
    pub max_vein_to_vein_days: f64,
    pub max_patient_travel_hours: f64,
    pub max_fresh_transit_hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TransportParams {
    pub circuity: f64,
    pub ground_kmh: f64,
    pub patient_kmh: f64,
    pub air_threshold_km: f64,
    pub air_kmh: f64,
    pub air_handling_hours: f64,
    pub ground_cost_fixed: f64,
    pub ground_cost_per_km: f64,
    pub air_cost: f64,
    pub patient_cost_per_km: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DemandParams {
    pub unserved_penalty: f64,
    pub full_coverage: bool,
    /// Share of patients treated with in vivo CAR-T (no manufacturing batch): one number for
    /// year 1 (changed by `in_vivo_growth` each later year), or one number per horizon year.
    pub in_vivo_share: Share,
    /// Added to the in vivo share each year after the first (share points; the share is kept
    /// within [0, 1]); ignored when `in_vivo_share` is a list.
    pub in_vivo_growth: f64,
}

/// A number, or one number per horizon year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Share {
    Start(f64),
    PerYear(Vec<f64>),
}

/// The planning horizon: several years of growing demand, sites opened over time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HorizonParams {
    /// Years planned; 1 is the single-year model.
    pub years: u32,
    /// Demand growth per year, every demand point (a `growth` column in demand.csv overrides it).
    pub growth: f64,
    /// Discount rate of the net present value: year t's cost weighs 1 / (1 + rate)^(t - 1).
    pub discount_rate: f64,
    /// A site decided in year t produces from year t + lead_years.
    pub lead_years: u32,
    /// `annualized`: setup x CRF every year the site produces (as the single-year model);
    /// `upfront`: the whole setup in the year the site is decided.
    pub setup: String,
    /// Whether platforms may be removed in a later year (else they are only added).
    pub platform_removal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {
    pub single_sourcing: bool,
    pub max_franchise_share: f64,
    pub min_sites: u32,
    pub max_sites: i64,
    pub min_utilization: f64,
}

/// The base groups by name, to serialize as one TOML table (`site.max_platforms` etc.).
#[derive(Serialize)]
pub(super) struct Groups<'a> {
    pub site: &'a SiteParams,
    pub platform: &'a PlatformParams,
    pub batch: &'a BatchParams,
    pub time: &'a TimeParams,
    pub transport: &'a TransportParams,
    pub demand: &'a DemandParams,
    pub policy: &'a PolicyParams,
    pub horizon: &'a HorizonParams,
}

impl Groups<'_> {
    pub fn table(&self) -> toml::Table {
        toml::Table::try_from(self).expect("plain values")
    }
}

/// The parameters a site kind may override (`[kinds.central]` etc.).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KindParams {
    pub site: SiteParams,
    pub platform: PlatformParams,
    pub batch: BatchParams,
    pub time: TimeParams,
}

impl Default for SiteParams {
    fn default() -> Self {
        SiteParams {
            max_platforms: 3,
            setup_cost_owned: 2_250_000.0,
            setup_cost_franchise: 500_000.0,
            fixed_cost_owned: 1_000_000.0,
            fixed_cost_franchise: 250_000.0,
            amortization_years: 10.0,
            discount_rate: 0.08,
        }
    }
}

impl Default for PlatformParams {
    fn default() -> Self {
        PlatformParams {
            batches_per_year: 23.3,
            cost_owned: 150_000.0,
            cost_franchise: 0.0,
        }
    }
}

impl Default for BatchParams {
    fn default() -> Self {
        BatchParams {
            cost_owned: 120_000.0,
            cost_franchise: 160_000.0,
            failure_rate: 0.07,
        }
    }
}

impl Default for TimeParams {
    fn default() -> Self {
        TimeParams {
            manufacturing_days: 7.0,
            release_days: 7.0,
            max_vein_to_vein_days: 28.0,
            max_patient_travel_hours: 2.0,
            max_fresh_transit_hours: 48.0,
        }
    }
}

impl Default for TransportParams {
    fn default() -> Self {
        TransportParams {
            circuity: 1.3,
            ground_kmh: 80.0,
            patient_kmh: 70.0,
            air_threshold_km: 500.0,
            air_kmh: 750.0,
            air_handling_hours: 12.0,
            ground_cost_fixed: 300.0,
            ground_cost_per_km: 1.5,
            air_cost: 2500.0,
            patient_cost_per_km: 0.0,
        }
    }
}

impl Default for DemandParams {
    fn default() -> Self {
        DemandParams {
            unserved_penalty: 1_000_000.0,
            full_coverage: false,
            in_vivo_share: Share::Start(0.0),
            in_vivo_growth: 0.0,
        }
    }
}

impl Default for HorizonParams {
    fn default() -> Self {
        HorizonParams {
            years: 1,
            growth: 0.0,
            discount_rate: 0.08,
            lead_years: 0,
            setup: "annualized".to_string(),
            platform_removal: false,
        }
    }
}

/// How a site's setup cost is charged over a horizon.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupCharge {
    Annualized,
    Upfront,
}

impl HorizonParams {
    pub fn setup_charge(&self) -> SetupCharge {
        if self.setup == "upfront" {
            SetupCharge::Upfront
        } else {
            SetupCharge::Annualized
        }
    }

    /// The weight of year `t` (0-based) in the net present value.
    pub fn discount(&self, t: usize) -> f64 {
        1.0 / (1.0 + self.discount_rate).powi(t as i32)
    }
}

impl DemandParams {
    /// The in vivo share in year `t` (0-based), within [0, 1].
    pub fn in_vivo(&self, t: usize) -> f64 {
        let v = match &self.in_vivo_share {
            Share::Start(s) => s + self.in_vivo_growth * t as f64,
            Share::PerYear(v) => v.get(t).or(v.last()).copied().unwrap_or(0.0),
        };
        v.clamp(0.0, 1.0)
    }
}

impl Default for PolicyParams {
    fn default() -> Self {
        PolicyParams {
            single_sourcing: false,
            max_franchise_share: 1.0,
            min_sites: 0,
            max_sites: -1,
            min_utilization: 0.0,
        }
    }
}
