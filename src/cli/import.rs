//! `cartnet import`: build a cartnet instance from an external data set.

use super::{EXIT_INPUT, EXIT_OK, import_us};
use cartnet::fs::folder::check_instance_out;
use cartnet::import::orlib;
use cartnet::text::{printable, printable_path};
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
}

#[derive(Debug, Subcommand)]
pub enum Source {
    /// OR-Library capacitated facility location (cap41..cap134, capa/b/c).
    #[command(name = "orlib-cap")]
    OrlibCap(OrlibArgs),
    /// US national instance from Census 2020 counties and HIFLD hospitals.
    Us(import_us::UsArgs),
}

#[derive(Debug, Args)]
pub struct OrlibArgs {
    /// The OR-Library file (e.g. cap41.txt).
    pub file: PathBuf,
    /// Capacity of every facility, for capa/capb/capc whose file gives the word `capacity`.
    #[arg(long)]
    pub capacity: Option<f64>,
    /// Output folder for the instance and its scenario.toml: new or empty, unless --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the instance in a folder that is not empty (its demand.csv, hospitals.csv,
    /// sites.csv, lanes.csv, scenario.toml and README.md; other files stay).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ImportArgs) -> u8 {
    match args.source {
        Source::OrlibCap(a) => run_orlib(a),
        Source::Us(a) => import_us::run(a),
    }
}

fn run_orlib(args: OrlibArgs) -> u8 {
    if let Err(code) = super::check_out(check_instance_out(&args.out, args.force)) {
        return code;
    }
    let name = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("E001 {name}: cannot read: {e}");
            return EXIT_INPUT;
        }
    };
    let inst = match orlib::parse(&text, &name, args.capacity) {
        Ok(i) => i,
        Err(e) => {
            for err in &e.0 {
                eprintln!("{err}");
            }
            eprintln!("nothing was written");
            return EXIT_INPUT;
        }
    };
    if let Err(e) = orlib::write(&inst, &args.out, args.force) {
        return super::write_failed(e, &args.out);
    }
    println!(
        "{}: {} facilities, {} customers -> {} (solve with: cartnet solve --data {} --model {})",
        printable(&name),
        inst.capacity.len(),
        inst.demand.len(),
        printable_path(&args.out),
        printable_path(&args.out),
        printable_path(&args.out.join("scenario.toml"))
    );
    EXIT_OK
}
