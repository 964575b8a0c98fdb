//! One year's flows: patients from demand points to hospitals, batches from hospitals to sites.

use super::round::clean;
use crate::input::Instance;
use crate::model::{PointValues, Vars};
use crate::network::Network;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatientFlow {
    /// The horizon year (1 for the single-year model).
    pub year: u32,
    pub demand: String,
    pub hospital: String,
    pub patients: f64,
    /// One-way travel hours.
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BatchFlow {
    pub year: u32,
    pub hospital: String,
    pub site: String,
    pub batches: f64,
    /// Hours of the fresh material's trip from hospital to site.
    pub transit_hours: f64,
    pub vein_to_vein_days: f64,
}

/// The patient arcs that carry patients in `year` (1-based), per demand point.
pub fn patient_flows(
    instance: &Instance,
    network: &Network,
    year: u32,
    points: &PointValues,
) -> Vec<PatientFlow> {
    network
        .patient_arcs()
        .enumerate()
        .filter(|(a, _)| points.patients[*a] > 0.0)
        .map(|(a, arc)| PatientFlow {
            year,
            demand: instance.demand[arc.demand].id.clone(),
            hospital: instance.hospitals[arc.hospital].id.clone(),
            patients: points.patients[a],
            hours: clean(arc.hours),
        })
        .collect()
}

/// The cell arcs that carry batches in `year` (1-based).
pub fn batch_flows(
    instance: &Instance,
    network: &Network,
    year: u32,
    vars: &Vars,
    value: &[f64],
) -> Vec<BatchFlow> {
    network
        .cell_arcs()
        .enumerate()
        .filter(|(c, _)| value[vars.shipments[*c].col] > 0.0)
        .map(|(c, arc)| BatchFlow {
            year,
            hospital: instance.hospitals[arc.hospital].id.clone(),
            site: instance.sites[arc.site].id.clone(),
            batches: value[vars.shipments[c].col],
            transit_hours: clean(arc.out.hours),
            vein_to_vein_days: clean(arc.vein_to_vein_days),
        })
        .collect()
}
