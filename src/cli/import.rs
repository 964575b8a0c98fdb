//! `cartnet import`: build a cartnet instance from an external data set.

use super::{EXIT_INPUT, EXIT_OK, import_us};
use cartnet::fs::folder::FolderError;
use cartnet::fs::folder::check_instance_out;
use cartnet::import::facility_location::CapInstance;
use cartnet::import::{orlib, sscflp};
use cartnet::input::error::InputErrors;
use cartnet::text::{printable, printable_path};
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};

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
    /// Single-source capacitated facility location (the Yang et al. instances p1..p20).
    Sscflp(SscflpArgs),
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

#[derive(Debug, Args)]
pub struct SscflpArgs {
    /// The instance file (e.g. p1), in the format of ../shared/bench/sscflp-yang/README.md.
    pub file: PathBuf,
    /// Output folder for the instance and its scenario.toml: new or empty, unless --force.
    #[arg(long)]
    pub out: PathBuf,
    /// Replace the instance in a folder that is not empty (as for orlib-cap).
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: ImportArgs) -> u8 {
    match args.source {
        Source::OrlibCap(a) => {
            let capacity = a.capacity;
            let parse = |text: &str, name: &str| orlib::parse(text, name, capacity);
            let write =
                |inst: &CapInstance, out: &Path, force: bool| orlib::write(inst, out, force, false);
            run_cap(&a.file, &a.out, a.force, parse, write)
        }
        Source::Sscflp(a) => run_cap(&a.file, &a.out, a.force, sscflp::parse, sscflp::write),
        Source::Us(a) => import_us::run(a),
    }
}

/// Reads `file` with `parse` and writes the instance into `out` with `write`: the facility
/// location importers (orlib-cap, sscflp).
fn run_cap(
    file: &Path,
    out: &Path,
    force: bool,
    parse: impl Fn(&str, &str) -> Result<CapInstance, InputErrors>,
    write: impl Fn(&CapInstance, &Path, bool) -> Result<Vec<PathBuf>, FolderError>,
) -> u8 {
    if let Err(code) = super::check_out(check_instance_out(out, force)) {
        return code;
    }
    let name = file.display().to_string();
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("E001 {name}: cannot read: {e}");
            return EXIT_INPUT;
        }
    };
    let inst = match parse(&text, &name) {
        Ok(i) => i,
        Err(e) => {
            for err in &e.0 {
                eprintln!("{err}");
            }
            eprintln!("nothing was written");
            return EXIT_INPUT;
        }
    };
    if let Err(e) = write(&inst, out, force) {
        return super::write_failed(e, out);
    }
    println!(
        "{}: {} facilities, {} customers -> {} (solve with: cartnet solve --data {} --model {})",
        printable(&name),
        inst.capacity.len(),
        inst.demand.len(),
        printable_path(out),
        printable_path(out),
        printable_path(&out.join("scenario.toml"))
    );
    EXIT_OK
}
