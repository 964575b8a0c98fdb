//! `cartnet generate`: a synthetic instance with realistic structure.

use super::{EXIT_INPUT, EXIT_OK};
use cartnet::bench::generate::{GenerateOptions, generate, write};
use cartnet::fs::folder::check_instance_out;
use cartnet::text::printable_path;
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Demand points.
    #[arg(long)]
    pub demand: usize,
    /// Hospitals.
    #[arg(long)]
    pub hospitals: usize,
    /// Candidate sites (one existing central plant, a quarter regional, the rest co-located).
    #[arg(long)]
    pub sites: usize,
    /// Random seed: the same seed gives the same instance.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder: new or empty, unless --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the instance in a folder that is not empty (its demand.csv, hospitals.csv,
    /// sites.csv, lanes.csv, scenario.toml and README.md; other files stay).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: GenerateArgs) -> u8 {
    if args.demand == 0 || args.hospitals == 0 || args.sites == 0 {
        eprintln!("error: --demand, --hospitals and --sites must each be at least 1");
        return EXIT_INPUT;
    }
    if let Err(code) = super::check_out(check_instance_out(&args.out, args.force)) {
        return code;
    }
    let g = generate(&GenerateOptions {
        demand: args.demand,
        hospitals: args.hospitals,
        sites: args.sites,
        seed: args.seed,
    });
    if let Err(e) = write(&g, &args.out, args.force) {
        return super::write_failed(e, &args.out);
    }
    println!(
        "wrote {}: {} demand points ({} patients a year), {} hospitals, {} candidate sites (seed {})",
        printable_path(&args.out),
        args.demand,
        g.total_patients,
        args.hospitals,
        args.sites,
        args.seed
    );
    EXIT_OK
}
