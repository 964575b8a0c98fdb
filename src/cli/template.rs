//! `cartnet template`: an instance workbook to fill in (`--data FILE.xlsx` reads it back): a
//! README sheet that explains every column, then the sheets with their headers, empty or
//! filled from a folder of CSV files (`--from`).

use super::{EXIT_INPUT, EXIT_OK, report_input_errors};
use cartnet::export::xlsx::template;
use cartnet::fs::folder::{check_out_file, folder_of, write_set};
use cartnet::input::{Instance, workbook};
use cartnet::text::printable_path;
use clap::Args;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// The workbook to write (.xlsx).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: PathBuf,
    /// Fill the sheets with the instance in this folder (its CSV files, checked first).
    #[arg(long, value_name = "DIR")]
    pub from: Option<PathBuf>,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: TemplateArgs) -> u8 {
    if let Err(code) = check(&args) {
        return code;
    }
    if let Some(dir) = &args.from
        && let Err(e) = Instance::load(dir)
    {
        return report_input_errors(&e, dir);
    }
    let bytes = match template::render(args.from.as_deref()) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}; nothing was written");
            return EXIT_INPUT;
        }
    };
    let name = args.out.file_name().unwrap_or_default().to_string_lossy();
    if let Err(e) = write_set(folder_of(&args.out), &[(&name, bytes)], &[]) {
        return super::write_failed(e, &args.out);
    }
    let filled = args.from.as_ref().map_or("empty sheets".to_string(), |d| {
        format!("the instance in {}", printable_path(d))
    });
    println!(
        "wrote {}: sheets README, demand, hospitals, sites, lanes ({filled}); solve it with \
         cartnet solve --data {}",
        printable_path(&args.out),
        printable_path(&args.out)
    );
    EXIT_OK
}

/// `--out` is a workbook name, not a folder, and not a file already there (unless `--force`).
fn check(args: &TemplateArgs) -> Result<(), u8> {
    let out: &Path = &args.out;
    if !workbook::is_workbook(out) {
        eprintln!(
            "error: --out {} must end in .xlsx (cartnet reads --data FILE.xlsx by its name); \
             nothing was written",
            printable_path(out)
        );
        return Err(EXIT_INPUT);
    }
    super::check_out(check_out_file(out))?;
    if out.exists() && !args.force {
        eprintln!(
            "E507 --out: {} exists; give another file, or --force to replace it; nothing was \
             written",
            printable_path(out)
        );
        return Err(EXIT_INPUT);
    }
    Ok(())
}
