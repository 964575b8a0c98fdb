//! The travel-time model (DESIGN §5): great-circle distance (geo, haversine) times a circuity
//! factor for roads; ground for short lanes, air (handling + flight) beyond the air threshold,
//! whichever is faster.

use crate::input::scenario::TransportParams;
use geo::{Distance, Haversine, Point};
use serde::Serialize;

/// How a leg travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Road courier (or the patient's own drive).
    Ground,
    /// Air freight, with handling time at both ends.
    Air,
    /// Same building: a co-located site and its host hospital.
    Onsite,
    /// A measured lane from lanes.csv.
    Lane,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ground => "ground",
            Mode::Air => "air",
            Mode::Onsite => "onsite",
            Mode::Lane => "lane",
        }
    }
}

/// One shipment leg.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Leg {
    pub hours: f64,
    pub mode: Mode,
    /// USD per shipment.
    pub cost: f64,
}

/// Great-circle distance in km.
pub fn great_circle_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    Haversine.distance(Point::new(lon1, lat1), Point::new(lon2, lat2)) / 1000.0
}

/// The faster of ground and (beyond the threshold) air for a shipment over `gc_km`.
pub fn shipment(gc_km: f64, t: &TransportParams) -> Leg {
    let road_km = gc_km * t.circuity;
    let ground = Leg {
        hours: road_km / t.ground_kmh,
        mode: Mode::Ground,
        cost: t.ground_cost_fixed + t.ground_cost_per_km * road_km,
    };
    if gc_km > t.air_threshold_km {
        let air = Leg {
            hours: t.air_handling_hours + gc_km / t.air_kmh,
            mode: Mode::Air,
            cost: t.air_cost,
        };
        if air.hours < ground.hours {
            return air;
        }
    }
    ground
}

/// Hours a patient drives over `gc_km` of great-circle distance.
pub fn patient_hours(gc_km: f64, t: &TransportParams) -> f64 {
    gc_km * t.circuity / t.patient_kmh
}

/// The largest great-circle distance a shipment can cover within `max_hours`.
pub fn shipment_reach_km(max_hours: f64, t: &TransportParams) -> f64 {
    let ground = max_hours * t.ground_kmh / t.circuity;
    let air = if max_hours > t.air_handling_hours {
        (max_hours - t.air_handling_hours) * t.air_kmh
    } else {
        0.0
    };
    if air > t.air_threshold_km {
        ground.max(air)
    } else {
        ground
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn haversine_is_in_km() {
        // New York (40.7128, -74.0060) to Philadelphia (39.9526, -75.1652): about 129.6 km
        let km = great_circle_km(40.7128, -74.0060, 39.9526, -75.1652);
        assert!((km - 129.6).abs() < 0.5, "{km}");
    }

    #[test]
    fn faster_mode_wins() {
        let t = TransportParams::default();
        let short = shipment(100.0, &t);
        assert_eq!(short.mode, Mode::Ground);
        assert!((short.hours - 100.0 * 1.3 / 80.0).abs() < 1e-12);
        assert!((short.cost - (300.0 + 1.5 * 130.0)).abs() < 1e-9);
        // 600 km: ground 9.75 h beats air 12.8 h
        assert_eq!(shipment(600.0, &t).mode, Mode::Ground);
        // 2,000 km: ground 32.5 h, air 12 + 2.67 h
        let long = shipment(2000.0, &t);
        assert_eq!(long.mode, Mode::Air);
        assert_eq!(long.cost, 2500.0);
    }

    #[test]
    fn reach_bounds_every_feasible_shipment() {
        let t = TransportParams::default();
        for hours in [5.0, 12.0, 20.0, 48.0] {
            let reach = shipment_reach_km(hours, &t);
            assert!(shipment(reach * 1.01, &t).hours > hours);
            assert!(shipment(reach * 0.99, &t).hours <= hours);
        }
    }
}
