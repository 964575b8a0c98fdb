//! `cartnet report PLAN.json [--out FILE] [--data DIR]`: renders a plan as one self-contained HTML
//! page (see `cartnet::export::report`). The page needs the instance's names and coordinates,
//! read from the folder the plan records (`instance.data`) or from `--data`.

use super::{EXIT_INPUT, EXIT_OK};
use cartnet::export::{report, write_atomic};
use cartnet::verify::{VerifyError, load_instance, read_plan, resolve_data};
use clap::Args;
use std::path::PathBuf;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The plan to render (plan.json written by `cartnet solve`).
    #[arg(value_name = "PLAN.json")]
    pub plan: PathBuf,
    /// The HTML file to write (default: report.html beside the plan).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Folder with the instance's CSV files (default: the plan's instance.data).
    #[arg(long)]
    pub data: Option<PathBuf>,
}

pub fn run(args: ReportArgs, _verbose: bool) -> u8 {
    let plan = match read_plan(&args.plan) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("report: {e}");
            return EXIT_INPUT;
        }
    };
    let data = match resolve_data(&plan, args.data.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("report: {e}");
            return EXIT_INPUT;
        }
    };
    let instance = match load_instance(&data) {
        Ok(i) => i,
        Err(VerifyError::Input(e)) => {
            for x in &e.0 {
                eprintln!("{x}");
            }
            eprintln!("report: cannot read the instance in {}", data.display());
            return EXIT_INPUT;
        }
        Err(e) => {
            eprintln!("report: {e}");
            return EXIT_INPUT;
        }
    };
    let out = args.out.unwrap_or_else(|| {
        args.plan
            .parent()
            .unwrap_or(std::path::Path::new("."))
            .join("report.html")
    });
    let plan_name = args.plan.display().to_string();
    let data_name = data.display().to_string();
    let html = report::render(
        &plan,
        &instance,
        &report::Source {
            plan: &plan_name,
            data: &data_name,
        },
    );
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        eprintln!("report: cannot create {}: {e}", dir.display());
        return EXIT_INPUT;
    }
    if let Err(e) = write_atomic(&out, html.as_bytes()) {
        eprintln!("report: cannot write {}: {e}", out.display());
        return EXIT_INPUT;
    }
    println!("report written to {}", out.display());
    EXIT_OK
}
