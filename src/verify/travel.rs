//! The travel model, re-derived from DESIGN §5: great-circle distance and shipment legs.

use super::params::Params;

pub(super) const EARTH_RADIUS_KM: f64 = 6371.0088;

pub(super) fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * a.sqrt().min(1.0).asin()
}

/// One shipment leg and how its time was found, for messages.
#[derive(Debug, Clone, Copy)]
pub(super) struct Leg {
    pub(super) hours: f64,
    pub(super) cost: f64,
    pub(super) how: &'static str,
}

impl Params<'_> {
    /// A shipment over `gc_km` of great-circle distance: the faster of ground and (beyond the
    /// air threshold) air.
    pub(super) fn shipment(&self, gc_km: f64) -> Leg {
        let road = gc_km * self.get("transport.circuity");
        let ground = Leg {
            hours: road / self.get("transport.ground_kmh"),
            cost: self.get("transport.ground_cost_fixed")
                + self.get("transport.ground_cost_per_km") * road,
            how: "ground",
        };
        if gc_km > self.get("transport.air_threshold_km") {
            let air = Leg {
                hours: self.get("transport.air_handling_hours")
                    + gc_km / self.get("transport.air_kmh"),
                cost: self.get("transport.air_cost"),
                how: "air",
            };
            if air.hours < ground.hours {
                return air;
            }
        }
        ground
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_matches_a_known_distance() {
        // New York to Philadelphia: about 129.6 km
        let km = haversine_km(40.7128, -74.0060, 39.9526, -75.1652);
        assert!((km - 129.6).abs() < 0.5, "{km}");
    }
}
