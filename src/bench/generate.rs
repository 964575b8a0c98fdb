//! Synthetic instances with realistic structure: demand clustered around cities of very unequal
//! size, hospitals in the cities, co-located candidates at hospitals and regional candidates at
//! city centres, and one existing central plant. Deterministic for a seed.

use crate::fs::folder::{FolderError, write_instance};
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// SplitMix64, shared with the sampled scenarios (its output is unchanged by the move).
pub use crate::input::uncertainty::rng::Rng;

/// Sizes of a generated instance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GenerateOptions {
    pub demand: usize,
    pub hospitals: usize,
    pub sites: usize,
    pub seed: u64,
}

/// The generated CSV texts.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    pub demand_csv: String,
    pub hospitals_csv: String,
    pub sites_csv: String,
    pub total_patients: f64,
}

fn round(v: f64, digits: i32) -> f64 {
    crate::plan::round_to(v, 10f64.powi(digits))
}

/// Patients fill this share of the candidates' capacity (a fill of 0.5 at [`SITE_BATCHES`]
/// batches a site, [`KEEP`] of them treating a patient).
const FILL: f64 = 0.5;
/// Batches a year of a typical candidate site.
const SITE_BATCHES: f64 = 70.0;
/// The share of batches that treat a patient (the default failure rate is 7 %).
const KEEP: f64 = 0.93;

/// Generates an instance over the contiguous US box.
pub fn generate(o: &GenerateOptions) -> Generated {
    let mut rng = Rng::new(o.seed);
    let cities = Cities::new(&mut rng, o.hospitals);
    let (demand_csv, total_patients) = demand(&mut rng, &cities, o);
    let (hospitals_csv, hospitals) = hospitals(&mut rng, &cities, o.hospitals);
    Generated {
        demand_csv,
        hospitals_csv,
        sites_csv: sites(&cities, &hospitals, o),
        total_patients: round(total_patients, 2),
    }
}

/// The cities demand and hospitals cluster around: about one per 3 hospitals, Zipf-like sizes
/// (the largest city ~ 1/rank).
struct Cities {
    centres: Vec<(f64, f64)>,
    weight: Vec<f64>,
    total_weight: f64,
}

impl Cities {
    fn new(rng: &mut Rng, hospitals: usize) -> Cities {
        let cities = (hospitals / 3).max(3);
        let centres: Vec<(f64, f64)> = (0..cities)
            .map(|_| (rng.range(30.0, 47.0), rng.range(-120.0, -75.0)))
            .collect();
        let weight: Vec<f64> = (0..cities).map(|r| 1.0 / (r as f64 + 1.0)).collect();
        let total_weight: f64 = weight.iter().sum();
        Cities {
            centres,
            weight,
            total_weight,
        }
    }

    /// A city drawn by its size.
    fn pick(&self, rng: &mut Rng) -> usize {
        rng.pick(&self.weight, self.total_weight)
    }
}

/// A point around `c`, `sigma_deg` degrees apart on average, kept in the contiguous US.
fn near(rng: &mut Rng, c: (f64, f64), sigma_deg: f64) -> (f64, f64) {
    (
        (c.0 + sigma_deg * rng.normal()).clamp(25.0, 49.0),
        (c.1 + sigma_deg * rng.normal()).clamp(-124.0, -67.0),
    )
}

/// demand.csv, around the cities by their size, and its patients in total: the network should
/// fill about half its candidate capacity.
fn demand(rng: &mut Rng, cities: &Cities, o: &GenerateOptions) -> (String, f64) {
    let target_patients = FILL * o.sites as f64 * SITE_BATCHES * KEEP;
    let mut demand_csv = String::from("id,lat,lon,patients\n");
    let raw: Vec<(f64, f64, f64)> = (0..o.demand)
        .map(|_| {
            let c = cities.pick(rng);
            let (lat, lon) = near(rng, cities.centres[c], 0.6);
            (
                lat,
                lon,
                (0.5 + rng.unit()) * (1.0 + 0.5 * rng.normal().abs()),
            )
        })
        .collect();
    let scale = target_patients / raw.iter().map(|r| r.2).sum::<f64>().max(1e-9);
    let mut total_patients = 0.0;
    for (i, (lat, lon, p)) in raw.iter().enumerate() {
        let patients = round(p * scale, 2);
        total_patients += patients;
        let _ = writeln!(
            demand_csv,
            "D{i:05},{},{},{patients}",
            round(*lat, 4),
            round(*lon, 4)
        );
    }
    (demand_csv, total_patients)
}

/// hospitals.csv, in the cities, the bigger the city the more; capacity 20-120 patients a
/// year. With the hospitals' rounded coordinates.
fn hospitals(rng: &mut Rng, cities: &Cities, n: usize) -> (String, Vec<(f64, f64)>) {
    let mut hospitals_csv = String::from("id,lat,lon,max_patients\n");
    let mut hospitals = Vec::with_capacity(n);
    for i in 0..n {
        let c = if i < cities.centres.len() {
            i
        } else {
            cities.pick(rng)
        };
        let (lat, lon) = near(rng, cities.centres[c], 0.3);
        let cap = (20.0 + 100.0 * rng.unit()).round();
        hospitals.push((round(lat, 4), round(lon, 4)));
        let _ = writeln!(
            hospitals_csv,
            "H{i:04},{},{},{cap}",
            round(lat, 4),
            round(lon, 4)
        );
    }
    (hospitals_csv, hospitals)
}

/// sites.csv: one existing central plant, regional candidates at city centres (a quarter),
/// co-located candidates at hospitals (the rest).
fn sites(cities: &Cities, hospitals: &[(f64, f64)], o: &GenerateOptions) -> String {
    let centres = &cities.centres;
    let mut sites_csv = String::from("id,lat,lon,kind,hospital,max_platforms,allow,existing\n");
    let regional = (o.sites.saturating_sub(1) / 4).min(centres.len());
    let colocated = o.sites.saturating_sub(1 + regional).min(o.hospitals);
    if o.sites > 0 {
        let (lat, lon) = centres[0];
        let _ = writeln!(
            sites_csv,
            "S-CENTRAL,{},{},central,,20,owned,true",
            round(lat, 4),
            round(lon, 4)
        );
    }
    for (r, centre) in centres.iter().take(regional).enumerate() {
        let _ = writeln!(
            sites_csv,
            "S-R{r:04},{},{},regional,,,,",
            round(centre.0, 4),
            round(centre.1, 4)
        );
    }
    for (h, (lat, lon)) in hospitals.iter().take(colocated).enumerate() {
        let _ = writeln!(sites_csv, "S-H{h:04},{lat},{lon},colocated,H{h:04},,,");
    }
    sites_csv
}

/// Writes the generated instance into `out` as one set ([`write_instance`]): the folder must be
/// new or empty unless `force`.
pub fn write(g: &Generated, out: &Path, force: bool) -> Result<Vec<PathBuf>, FolderError> {
    let files = [
        ("demand.csv", g.demand_csv.clone().into_bytes()),
        ("hospitals.csv", g.hospitals_csv.clone().into_bytes()),
        ("sites.csv", g.sites_csv.clone().into_bytes()),
    ];
    write_instance(out, &files, force)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_instance_other_seed_other() {
        let o = GenerateOptions {
            demand: 50,
            hospitals: 10,
            sites: 12,
            seed: 7,
        };
        assert_eq!(generate(&o), generate(&o));
        assert_ne!(generate(&o), generate(&GenerateOptions { seed: 8, ..o }));
    }

    #[test]
    fn sizes_are_as_asked_and_the_instance_loads() {
        let o = GenerateOptions {
            demand: 40,
            hospitals: 9,
            sites: 13,
            seed: 1,
        };
        let g = generate(&o);
        let dir = std::env::temp_dir().join(format!("cartnet-gen-{}", std::process::id()));
        write(&g, &dir, false).unwrap();
        let inst = crate::input::Instance::load(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(
            (inst.demand.len(), inst.hospitals.len(), inst.sites.len()),
            (40, 9, 13)
        );
        assert!((inst.total_patients() - g.total_patients).abs() < 1e-6);
        assert_eq!(inst.sites.iter().filter(|s| s.existing).count(), 1);
    }
}
