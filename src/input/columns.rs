//! The columns of the instance's files (DESIGN §3) in one table: the validation reads the files
//! against it, and the workbook template's README sheet explains every column from it. What a
//! column accepts is checked where the row is read (`read_demand`, `sites.rs`, `lanes.rs`, with
//! the ranges of [`super::ranges`]); `expected` says the same for people.

use super::table::{Column, optional, required};

/// One of the instance's files: its name, the workbook sheet that holds it, and its columns.
#[derive(Debug, Clone, Copy)]
pub struct InstanceFile {
    pub file: &'static str,
    pub sheet: &'static str,
    /// Whether an instance must have it (lanes are optional).
    pub required: bool,
    pub meaning: &'static str,
    pub columns: &'static [Column],
}

#[rustfmt::skip]
pub const DEMAND: &[Column] = &[
    required("id").text("text, unique in the file", "the demand point's id (e.g. a county FIPS code)"),
    optional("name").text("text", "a label (blank: the id)"),
    required("lat").number("degrees in [-90, 90]", "latitude, WGS84"),
    required("lon").number("degrees in [-180, 180]", "longitude, WGS84"),
    required("patients").number("number in [0, 1e7]", "CAR-T eligible patients per year"),
    optional("growth").number("number in [-1, 1] (0.11 is 11 % a year)", "demand growth per year at this point (blank: the scenario's horizon.growth)"),
];

#[rustfmt::skip]
pub const HOSPITALS: &[Column] = &[
    required("id").text("text, unique in the file", "the hospital's id"),
    optional("name").text("text", "a label (blank: the id)"),
    required("lat").number("degrees in [-90, 90]", "latitude, WGS84"),
    required("lon").number("degrees in [-180, 180]", "longitude, WGS84"),
    optional("max_patients").number("number in [0, 1e7]", "patients per year it can treat (blank: unlimited)"),
];

#[rustfmt::skip]
pub const SITES: &[Column] = &[
    required("id").text("text, unique in the file", "the candidate site's id"),
    optional("name").text("text", "a label (blank: the id)"),
    required("lat").number("degrees in [-90, 90]", "latitude, WGS84"),
    required("lon").number("degrees in [-180, 180]", "longitude, WGS84"),
    required("kind").text("colocated, regional or central", "co-located in a hospital, a standalone regional unit, or a central plant"),
    optional("hospital").text("a hospital id", "for kind colocated: the host hospital (transport to it takes no time)"),
    optional("max_platforms").number("whole number in [0, 1000]", "platforms the space allows (blank: the scenario's site.max_platforms)"),
    optional("allow").text("owned, franchise or both", "the operating models allowed (blank: both)"),
    optional("setup_cost_owned").number("USD in [0, 1e12]", "one-off setup cost if owned (blank: the scenario's)"),
    optional("setup_cost_franchise").number("USD in [0, 1e12]", "one-off setup cost if franchised (blank: the scenario's)"),
    optional("batches_per_platform").number("number in (0, 1e6]", "batches a platform makes a year here (blank: the scenario's)"),
    optional("existing").text("true or false", "already open: its setup cost is sunk and it stays open (blank: false)"),
];

#[rustfmt::skip]
pub const LANES: &[Column] = &[
    required("from").text("a hospital, site or demand id", "where the trip starts: hospital -> site or site -> hospital (cells), demand -> hospital (patients)"),
    required("to").text("a hospital or site id", "where the trip ends"),
    required("hours").number("number in [0, 1e9]", "measured travel hours, replacing the computed time"),
    optional("cost").number("USD in [0, 1e12]", "the cost of one shipment leg on this lane (blank: the computed cost)"),
];

/// The instance's files, in the order they are read.
#[rustfmt::skip]
pub const FILES: [InstanceFile; 4] = [
    InstanceFile { file: "demand.csv", sheet: "demand", required: true, meaning: "where patients live", columns: DEMAND },
    InstanceFile { file: "hospitals.csv", sheet: "hospitals", required: true, meaning: "treatment centres (apheresis and infusion)", columns: HOSPITALS },
    InstanceFile { file: "sites.csv", sheet: "sites", required: true, meaning: "candidate manufacturing sites", columns: SITES },
    InstanceFile { file: "lanes.csv", sheet: "lanes", required: false, meaning: "measured transport lanes that override computed times (optional)", columns: LANES },
];
