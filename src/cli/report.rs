//! `cartnet report PLAN.json [--out FILE] [--data DIR]`: renders a plan as one self-contained HTML
//! page (see `cartnet::export::report`). The page needs the instance's names and coordinates,
//! read from the folder the plan records (`instance.data`) or from `--data`.

use super::{EXIT_INPUT, EXIT_OK};
use cartnet::export::{report, report_plan};
use cartnet::fs::folder::{FolderError, folder_of, write_set};
use cartnet::input::Instance;
use cartnet::text::printable_path;
use cartnet::verify::{
    DataMismatch, VerifyError, check_data_named, load_instance, read_plan_bytes, resolve_data,
};
use clap::Args;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The plan to render (plan.json written by `cartnet solve`).
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// The HTML file to write, or a folder to write report.html into (default: report.html
    /// beside the plan). An existing file is replaced only if it is a report cartnet wrote.
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
    /// Replace an existing --out file that is not a cartnet report; render a plan whose data
    /// digest or ids do not match --data (the report is marked).
    #[arg(long)]
    pub force: bool,
    /// Folder with the instance's CSV files, or a workbook FILE.xlsx (default: the plan's
    /// instance.data).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

/// The report's file name, beside the plan or in an --out folder.
const REPORT_FILE: &str = "report.html";

/// What every page `report::render` writes has in its first bytes: its title.
const REPORT_TITLE: &[u8] = b"<title>cartnet plan";

/// How much of an existing file is read to tell whether it is a report (the title comes after
/// the doctype and two meta tags, some 200 bytes in).
const REPORT_HEAD_BYTES: u64 = 1024;

/// The file to write: `out` itself, `out/report.html` for a folder, or report.html beside the
/// plan.
fn report_path(out: Option<&Path>, plan: &Path) -> PathBuf {
    match out {
        Some(o) if o.is_dir() => o.join(REPORT_FILE),
        Some(o) => o.to_path_buf(),
        None => folder_of(plan).join(REPORT_FILE),
    }
}

/// Refuses to write over the plan being rendered (E505), or, unless `force`, over an existing
/// file that is not a report cartnet wrote (E504).
fn check_report_out(out: &Path, plan: &Path, force: bool) -> Result<(), FolderError> {
    if !out.exists() {
        return Ok(());
    }
    let same = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    };
    if same(out, plan) {
        return Err(FolderError::IsThePlan(out.to_path_buf()));
    }
    if force || is_report(out) {
        return Ok(());
    }
    Err(FolderError::NotOurs(out.to_path_buf()))
}

/// Whether the file at `path` is a page `report::render` wrote.
fn is_report(path: &Path) -> bool {
    let mut head = Vec::new();
    let read =
        std::fs::File::open(path).and_then(|f| f.take(REPORT_HEAD_BYTES).read_to_end(&mut head));
    read.is_ok()
        && head.starts_with(b"<!DOCTYPE html>")
        && head.windows(REPORT_TITLE.len()).any(|w| w == REPORT_TITLE)
}

/// `text` with its first letter in upper case.
pub(super) fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Says why plan.json cannot be rendered; the exit code.
pub(super) fn plan_error(e: VerifyError, command: &str) -> u8 {
    if e.is_coded() {
        eprintln!("{e}; nothing was done");
    } else {
        eprintln!("{command}: {e}");
    }
    EXIT_INPUT
}

pub fn run(args: ReportArgs) -> u8 {
    let out = report_path(args.out.as_deref(), &args.plan);
    if let Err(code) = super::check_out(check_report_out(&out, &args.plan, args.force)) {
        return code;
    }
    // the flows borrow their ids from the file's bytes
    let bytes = match read_plan_bytes(&args.plan) {
        Ok(b) => b,
        Err(e) => return plan_error(e, "report"),
    };
    let rows = match report_plan::parse(&bytes, &args.plan) {
        Ok(p) => p,
        Err(e) => return plan_error(e, "report"),
    };
    let (data, instance, digest) = match load_data(&rows.rest, args.data.as_deref(), "report") {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let named = rows.named_ids();
    let warning = match check_data_named(&rows.rest, named, &args.plan, &instance, &data, &digest) {
        Ok(()) => None,
        Err(m) if args.force => Some(forced_warning(&m)),
        Err(m) => {
            eprintln!("{m}; nothing was done");
            return EXIT_INPUT;
        }
    };
    let basemap = match cartnet::input::basemap::load(&data) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}; nothing was done");
            return EXIT_INPUT;
        }
    };
    let plan_name = args.plan.display().to_string();
    let data_name = data.display().to_string();
    let html = report::render(
        &rows,
        &instance,
        &report::Source {
            plan: &plan_name,
            data: &data_name,
            warning: warning.as_deref(),
            basemap: basemap.as_ref(),
        },
    );
    write_report(&out, html)
}

/// The data folder (`--data`, else the one the plan records), its instance and its digest; on
/// failure, says why and gives the exit code.
pub(super) fn load_data(
    plan: &Value,
    data: Option<&Path>,
    command: &str,
) -> Result<(PathBuf, Instance, String), u8> {
    let data = resolve_data(plan, data).map_err(|e| {
        eprintln!("{command}: {e}");
        EXIT_INPUT
    })?;
    match load_instance(&data) {
        Ok((instance, digest)) => Ok((data, instance, digest)),
        Err(VerifyError::Input(e)) => {
            for x in &e.0 {
                eprintln!("{x}");
            }
            eprintln!(
                "{command}: cannot read the instance in {}",
                printable_path(&data)
            );
            Err(EXIT_INPUT)
        }
        Err(e) => {
            eprintln!("{command}: {e}");
            Err(EXIT_INPUT)
        }
    }
}

/// Says that the plan does not match its data and is rendered anyway (`--force`); the banner
/// the page shows.
pub(super) fn forced_warning(m: &DataMismatch) -> String {
    eprintln!(
        "warning: {} {}: {}; rendered anyway, and the report says so (--force)",
        m.code(),
        printable_path(&m.plan),
        m.reason()
    );
    format!(
        "{}. This page may show names, places and flows that do not belong to it.",
        capitalized(&m.reason())
    )
}

/// Writes the page to `out` (replacing it whole, or not at all); the exit code.
fn write_report(out: &Path, html: String) -> u8 {
    let name = out
        .file_name()
        .map_or(REPORT_FILE.into(), |n| n.to_string_lossy());
    let written = write_set(folder_of(out), &[(&name, html.into_bytes())], &[]);
    if let Err(e) = written {
        match e {
            FolderError::Io { .. } => eprintln!("report: cannot write {}: {e}", out.display()),
            coded => eprintln!("{coded}; nothing was written"),
        }
        return EXIT_INPUT;
    }
    println!("report written to {}", printable_path(out));
    EXIT_OK
}
