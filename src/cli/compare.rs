//! `cartnet compare PLAN_A.json PLAN_B.json [--out DIR]`: what changed from plan A to plan B and
//! what it costs (see `cartnet::export::compare`): printed, and written as compare.csv and
//! compare.html. The maps need the instance's names and coordinates, read from the folder plan
//! A records (`instance.data`) or from `--data`.

use super::report::{capitalized, forced_warning, load_data, plan_error};
use super::{EXIT_INPUT, EXIT_OK};
use cartnet::export::compare::{self, html};
use cartnet::export::report_plan::{self, ReportPlan};
use cartnet::fs::folder::{FolderError, check_out, folder_of, write_set};
use cartnet::input::Instance;
use cartnet::input::basemap::{self, Basemap};
use cartnet::text::{printable, printable_path};
use cartnet::verify::{DataMismatch, check_data_named, read_plan_bytes};
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The plan compared from (plan.json written by `cartnet solve`).
    #[arg(value_name = "PLAN_A.json")]
    pub a: PathBuf,
    /// The plan compared to: differences are B - A.
    #[arg(value_name = "PLAN_B.json")]
    pub b: PathBuf,
    /// Folder to write compare.csv and compare.html into (default: plan B's folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Folder with the instance's CSV files, for the maps (default: plan A's instance.data).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// Compare plans made from different data, or draw them on data they were not made from
    /// (the page says so).
    #[arg(long)]
    pub force: bool,
}

/// The files written, in the output folder.
const CSV_FILE: &str = "compare.csv";
const HTML_FILE: &str = "compare.html";

/// The instance the maps are drawn on, its basemap, and the warnings of a forced comparison.
struct Drawn {
    instance: Instance,
    basemap: Option<Basemap>,
    warnings: Vec<String>,
}

pub fn run(args: CompareArgs) -> u8 {
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| folder_of(&args.b).to_path_buf());
    if let Err(code) = super::check_out(check_out(&out)) {
        return code;
    }
    let (bytes_a, bytes_b) = match (read_plan_bytes(&args.a), read_plan_bytes(&args.b)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return plan_error(e, "compare"),
    };
    let (a, b) = match (
        report_plan::parse(&bytes_a, &args.a),
        report_plan::parse(&bytes_b, &args.b),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return plan_error(e, "compare"),
    };
    let kind = match compare::check(&a.rest, &b.rest, args.force) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("{e}; nothing was done");
            return EXIT_INPUT;
        }
    };
    let drawn = match drawn(&args, &a, &b) {
        Ok(d) => d,
        Err(code) => return code,
    };
    let c = compare::compare(&a, &b, kind);
    println!(
        "A {}\nB {}\n",
        printable_path(&args.a),
        printable_path(&args.b)
    );
    let name = |id: &str| {
        drawn
            .instance
            .hospitals
            .iter()
            .find(|h| h.id == id)
            .map(|h| h.name.clone())
    };
    print!("{}", compare::text::render(&c, &name));
    write(&out, &c, &args, (&a, &b), &drawn)
}

/// Loads the instance and basemap for the maps and checks both plans against them; a plan of
/// other data (or plans of two instances) is an error unless `--force`, which gives warnings.
fn drawn(args: &CompareArgs, a: &ReportPlan<'_>, b: &ReportPlan<'_>) -> Result<Drawn, u8> {
    let (data, instance, digest) = load_data(&a.rest, args.data.as_deref(), "compare")?;
    let basemap = basemap::load(&data).map_err(|e| {
        eprintln!("{e}; nothing was done");
        EXIT_INPUT
    })?;
    let mut warnings = Vec::new();
    let (da, db) = (&a.rest["instance"]["digest"], &b.rest["instance"]["digest"]);
    if da != db {
        let w = "plans A and B were made from different data (their instance.digest differ)";
        eprintln!("warning: E620 {w}; compared anyway, and the page says so (--force)");
        warnings.push(format!(
            "{}. The comparison may not be meaningful.",
            capitalized(w)
        ));
    }
    for (path, plan) in [(&args.a, a), (&args.b, b)] {
        let checked = check_data_named(
            &plan.rest,
            plan.named_ids(),
            path,
            &instance,
            &data,
            &digest,
        );
        match checked {
            Ok(()) => {}
            Err(m) if args.force => warnings.push(forced_warning(&m)),
            Err(m) => return Err(refused(&m)),
        }
    }
    Ok(Drawn {
        instance,
        basemap,
        warnings,
    })
}

/// Says that a plan does not match the data its map is drawn on; the exit code.
fn refused(m: &DataMismatch) -> u8 {
    eprintln!("{m}; nothing was done");
    EXIT_INPUT
}

/// Writes compare.csv and compare.html into `out` as one set; the exit code.
fn write(
    out: &Path,
    c: &compare::Comparison,
    args: &CompareArgs,
    (a, b): (&ReportPlan<'_>, &ReportPlan<'_>),
    drawn: &Drawn,
) -> u8 {
    let csv = match compare::table::csv(c) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("compare: cannot write {CSV_FILE}: {e}");
            return EXIT_INPUT;
        }
    };
    let (path_a, path_b) = (args.a.display().to_string(), args.b.display().to_string());
    let warning = drawn.warnings.join(" ");
    let page = html::render(
        c,
        &html::Page {
            a: html::Side {
                path: &path_a,
                rows: a,
            },
            b: html::Side {
                path: &path_b,
                rows: b,
            },
            instance: &drawn.instance,
            basemap: drawn.basemap.as_ref(),
            warning: (!warning.is_empty()).then_some(warning.as_str()),
        },
    );
    let files = [(CSV_FILE, csv), (HTML_FILE, page.into_bytes())];
    if let Err(e) = write_set(out, &files, &[]) {
        match e {
            FolderError::Io { .. } => eprintln!("compare: cannot write {}: {e}", out.display()),
            coded => eprintln!("{coded}; nothing was written"),
        }
        return EXIT_INPUT;
    }
    println!(
        "\nwritten to {}: {CSV_FILE}, {HTML_FILE}",
        printable(&printable_path(out))
    );
    EXIT_OK
}
