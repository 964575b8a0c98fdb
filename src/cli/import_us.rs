//! `cartnet import us`: the national instance from the Census 2020 county centres of population
//! and the HIFLD hospitals (optionally a ZIP-level demand layer). See the "National instance" section of the README.

use super::{EXIT_INPUT, EXIT_OK};
use cartnet::fs::folder::check_instance_out;
use cartnet::import::us::{self, UsError, UsOptions};
use cartnet::text::{printable, printable_path};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct UsArgs {
    /// Census 2020 county centres of population (CenPop2020_Mean_CO.txt).
    #[arg(long, required_unless_present = "states", requires = "hospitals")]
    pub counties: Option<PathBuf>,
    /// HIFLD Hospitals layer as CSV (Hospitals.csv).
    #[arg(long, required_unless_present = "states", requires = "counties")]
    pub hospitals: Option<PathBuf>,
    /// Census state boundaries (GeoJSON, e.g. cb_2018_us_state_500k): also write a simplified
    /// basemap.geojson for the maps. Alone (without --counties and --hospitals) it adds the
    /// outlines of the states near the instance already in --out.
    #[arg(long, value_name = "FILE")]
    pub states: Option<PathBuf>,
    /// ZIP points with population (zip,lat,lng,population): demand per ZIP instead of per county.
    #[arg(long)]
    pub zip: Option<PathBuf>,
    /// Output folder for demand.csv, hospitals.csv, sites.csv and README.md: new or empty,
    /// unless --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the instance in a folder that is not empty (its demand.csv, hospitals.csv,
    /// sites.csv, lanes.csv, scenario.toml and README.md; other files stay).
    #[arg(long)]
    pub force: bool,
    /// Add Puerto Rico (left out by default, like the other territories).
    #[arg(long)]
    pub include_pr: bool,
    /// CAR-T-eligible patients per 100,000 residents a year.
    #[arg(long, default_value_t = us::DEFAULT_PATIENTS_PER_100K)]
    pub patients_per_100k: f64,
    /// Keep hospitals with at least this many beds.
    #[arg(long, default_value_t = us::DEFAULT_MIN_BEDS)]
    pub min_beds: u32,
    /// Keep at least this many hospitals in each state (its largest), whatever their beds.
    #[arg(long, default_value_t = us::DEFAULT_MIN_PER_STATE)]
    pub min_per_state: u32,
    /// Regional candidates: this many of the most populous counties.
    #[arg(long, default_value_t = us::DEFAULT_REGIONAL)]
    pub regional: usize,
    /// Minimum distance (great-circle km) between two regional candidates.
    #[arg(long, default_value_t = us::DEFAULT_REGIONAL_SPACING_KM)]
    pub regional_spacing_km: f64,
    /// Platforms each existing central plant may hold.
    #[arg(long, default_value_t = us::DEFAULT_CENTRAL_PLATFORMS)]
    pub central_platforms: u32,
}

pub fn run(args: UsArgs) -> u8 {
    let (Some(counties), Some(hospitals)) = (args.counties.clone(), args.hospitals.clone()) else {
        return match &args.states {
            Some(states) => add_basemap(states, &args.out),
            None => EXIT_INPUT,
        };
    };
    if let Err(code) = super::check_out(check_instance_out(&args.out, args.force)) {
        return code;
    }
    let mut options = UsOptions::new(counties, hospitals, args.out.clone());
    options.zip = args.zip;
    options.states = args.states;
    options.include_pr = args.include_pr;
    options.patients_per_100k = args.patients_per_100k;
    options.min_beds = args.min_beds;
    options.min_per_state = args.min_per_state;
    options.regional = args.regional;
    options.regional_spacing_km = args.regional_spacing_km;
    options.central_platforms = args.central_platforms;
    options.force = args.force;
    let summary = match us::import(&options) {
        Ok(s) => s,
        Err(e) => return failed(e, &args.out),
    };
    for line in &summary.lines {
        println!("{}", printable(line));
    }
    let out = printable_path(&args.out);
    let basemap = if options.states.is_some() {
        ", basemap.geojson"
    } else {
        ""
    };
    println!("wrote demand.csv, hospitals.csv, sites.csv{basemap} and README.md to {out}");
    println!("solve with: cartnet solve --data {out}");
    EXIT_OK
}

/// Says why an import wrote nothing; the exit code.
fn failed(e: UsError, out: &std::path::Path) -> u8 {
    match e {
        UsError::Write(e) => super::write_failed(e, out),
        UsError::Input(e) => {
            for err in &e.0 {
                eprintln!("{err}");
            }
            let n = e.0.len();
            eprintln!(
                "{n} error{} in the input; nothing was written. Error codes are explained in docs/errors.md.",
                if n == 1 { "" } else { "s" }
            );
            EXIT_INPUT
        }
    }
}

/// `import us --states FILE --out DIR` alone: adds basemap.geojson to the instance in DIR.
fn add_basemap(states: &std::path::Path, out: &std::path::Path) -> u8 {
    match us::add_basemap(states, out) {
        Ok((outlines, bytes)) => {
            println!(
                "wrote basemap.geojson to {}: {outlines} state outlines, {} KB",
                printable_path(out),
                bytes.div_ceil(1024)
            );
            EXIT_OK
        }
        Err(e) => failed(e, out),
    }
}
