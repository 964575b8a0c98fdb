//! The allowed range of every number cartnet reads, in one place (docs/errors.md "Ranges").
//!
//! Each range is wide enough for any real network and narrow enough that every bound and
//! coefficient HiGHS sees stays many orders of magnitude below its infinity (1e20: a bound or
//! cost at or above it is read as infinite, and the build fails), and that a plan's costs stay
//! finite: patients (1e7) x batches per patient (10) x cost (1e12) is 1e20 per point at worst.

/// Patients a year at one demand point or hospital, in every year of the horizon: far above the
/// yearly CAR-T patients of a whole country.
pub const MAX_PATIENTS: f64 = 1e7;
/// USD for one cost item (a setup, a year of a site or platform, a batch, a shipment leg, an
/// unserved patient): a trillion is beyond any real item.
pub const MAX_COST: f64 = 1e12;
/// USD per km (shipments, patient travel): a leg across the globe (20,000 km at the largest
/// circuity) stays about [`MAX_COST`].
pub const MAX_COST_PER_KM: f64 = 1e7;
/// Batches one platform makes a year: one every 30 seconds, far above any process (and above
/// every OR-Library capacity, which the import writes as one platform).
pub const MAX_BATCHES_PER_PLATFORM: f64 = 1e6;
/// Platforms one site may hold: far above any facility.
pub const MAX_PLATFORMS: u32 = 1000;
/// Days, hours and km that are only compared (time limits, lane hours, the air threshold), never
/// a coefficient: 1e9 means "no limit", as the OR-Library import writes it.
pub const MAX_LIMIT: f64 = 1e9;
/// A yearly rate (discount, growth, in vivo growth): at most 100 % a year.
pub const MAX_RATE: f64 = 1.0;
/// Speeds in km/h: at least walking pace (a slower one gives journeys of near-infinite hours),
/// at most well above any aircraft.
pub const SPEED_KMH: Range = Range::closed(1.0, 1e4);
/// Setup is annualized over these years: below 1 the capital recovery factor explodes (1e-300
/// years gives about 1e299 a year for one site); no equipment lasts 100 years.
pub const AMORTIZATION_YEARS: Range = Range::closed(1.0, 100.0);
/// Road km per great-circle km: a road is never shorter; 10 is a detour beyond any road network.
pub const CIRCUITY: Range = Range::closed(1.0, 10.0);
/// Failed batches per batch made: up to 9 in 10, so that a patient needs at most 10 batches.
pub const FAILURE_RATE: Range = Range::closed(0.0, 0.9);

/// A range of numbers, each end included unless marked open.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
    pub min_open: bool,
}

impl Range {
    /// [min, max].
    pub const fn closed(min: f64, max: f64) -> Range {
        Range {
            min,
            max,
            min_open: false,
        }
    }

    /// (min, max]: above `min`, up to `max`.
    pub const fn above(min: f64, max: f64) -> Range {
        Range {
            min,
            max,
            min_open: true,
        }
    }

    pub fn contains(&self, v: f64) -> bool {
        let low = if self.min_open {
            v > self.min
        } else {
            v >= self.min
        };
        low && v <= self.max
    }

    /// `a number in [0, 1e12]`, as messages say what was expected.
    pub fn expected(&self) -> String {
        format!(
            "a number in {}{}, {}]",
            if self.min_open { "(" } else { "[" },
            show(self.min),
            show(self.max)
        )
    }
}

/// A number as messages show it: `1e12` rather than `1000000000000` from a million up, and
/// `1e-300` rather than 300 zeros below a ten-thousandth.
pub fn show(v: f64) -> String {
    let tiny = v != 0.0 && v.abs() < 1e-4;
    if (v.abs() >= 1e6 || tiny) && v.is_finite() {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// Costs: [0, [`MAX_COST`]].
pub const COST: Range = Range::closed(0.0, MAX_COST);
/// Costs per km: [0, [`MAX_COST_PER_KM`]].
pub const COST_PER_KM: Range = Range::closed(0.0, MAX_COST_PER_KM);
/// Patients: [0, [`MAX_PATIENTS`]].
pub const PATIENTS: Range = Range::closed(0.0, MAX_PATIENTS);
/// Limits that are only compared: [0, [`MAX_LIMIT`]].
pub const LIMIT: Range = Range::closed(0.0, MAX_LIMIT);
/// Discount rates: [0, [`MAX_RATE`]].
pub const RATE: Range = Range::closed(0.0, MAX_RATE);
/// Growth a year: [-1 (all demand gone), [`MAX_RATE`]].
pub const GROWTH: Range = Range::closed(-1.0, MAX_RATE);
/// Batches per platform a year: (0, [`MAX_BATCHES_PER_PLATFORM`]].
pub const BATCHES_PER_PLATFORM: Range = Range::above(0.0, MAX_BATCHES_PER_PLATFORM);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_say_what_they_hold() {
        assert_eq!(COST.expected(), "a number in [0, 1e12]");
        assert_eq!(BATCHES_PER_PLATFORM.expected(), "a number in (0, 1e6]");
        assert!(!BATCHES_PER_PLATFORM.contains(0.0) && BATCHES_PER_PLATFORM.contains(1e6));
        assert!(AMORTIZATION_YEARS.contains(1.0) && !AMORTIZATION_YEARS.contains(1e-300));
        assert!(!PATIENTS.contains(1.0000001e7) && PATIENTS.contains(1e7));
        assert_eq!(show(2.5), "2.5");
        assert_eq!(show(1e20), "1e20");
        assert_eq!(show(1e-300), "1e-300");
        assert_eq!(show(0.07), "0.07");
    }
}
