//! Importers: turn external data sets into cartnet instances (CSV files plus a scenario file)
//! that `cartnet solve` reads unchanged.

pub mod facility_location;
pub mod orlib;
pub mod sscflp;
mod tokens;
pub mod us;
