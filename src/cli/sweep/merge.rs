//! `cartnet sweep merge DIR... --out OUT`: the shard files of one sweep (`--shard K/N`) checked
//! to be shards 0..N-1 of one run, each once, then written as one run writes them: the same
//! summary set ([`cartnet::export::sweep_set`]), the same table.

use super::{exit_code, report_failures, written_or_report};
use crate::cli::{EXIT_INPUT, check_out};
use cartnet::export;
use cartnet::fs::folder;
use cartnet::sweep::shard::{self, Shard, ShardError, ShardFile};
use cartnet::sweep::{self, Axis, Row, RowStatus};
use cartnet::text::{printable, printable_path};
use clap::Args;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// `sweep merge` and `evaluate merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Folders holding the shard files (shard-K-of-N.csv) of one run; every shard file in them
    /// is read.
    #[arg(value_name = "DIR", required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder for the merged files (for a sweep, the shards' own folder gives the same
    /// plan folder column as one run).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

/// A merged sweep: what one run holds after its solves.
struct Merged {
    title: String,
    /// What was swept on what, as one run's sweep.html says it.
    subtitle: String,
    axes: Vec<Axis>,
    rows: Vec<Row>,
    /// Each row's plan folder relative to the output folder; empty without one.
    plan_folders: Vec<String>,
    shards: usize,
}

pub fn run(args: &MergeArgs) -> u8 {
    let started = Instant::now();
    if let Err(code) = check_out(folder::check_out(&args.out)) {
        return code;
    }
    let merged = match shard::gather(&args.dirs).and_then(|files| merge(&files, &args.out)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}; nothing was written");
            return EXIT_INPUT;
        }
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        eprintln!("error: cannot create {}: {e}", printable_path(&args.out));
        return EXIT_INPUT;
    }
    let _lock = match folder::lock(&args.out) {
        Ok(lock) => lock,
        Err(e) => {
            eprintln!("{e}; nothing was written");
            return EXIT_INPUT;
        }
    };
    let summary = export::sweep_html::Page {
        title: &merged.title,
        subtitle: &merged.subtitle,
        axes: &merged.axes,
        rows: &merged.rows,
        folders: &merged.plan_folders,
        svg: None,
        tipping: None,
    };
    let written = export::sweep_set::write(&args.out, &summary);
    let Some(written) = written_or_report(written) else {
        return EXIT_INPUT;
    };
    print(&merged, &args.out, &written, started);
    exit_code(&merged.rows)
}

/// The shards' rows in grid order, each checked to be its shard's, all there.
fn merge(files: &[ShardFile], out: &Path) -> Result<Merged, ShardError> {
    let first = &files[0];
    let total = first.total_of(super::shard::KIND, "a sweep's shard")?;
    let axes = sweep::parse_axes(&first.field("axes")?)
        .ok_or_else(|| first.unreadable("its axes cannot be read".into()))?;
    let text = |name: &str| -> Result<String, ShardError> {
        Ok(first.field(name)?.as_str().unwrap_or_default().to_string())
    };
    let (title, subtitle) = (text("title")?, text("subtitle")?);
    let mut slots: Vec<Option<(Row, String)>> = vec![None; total];
    for f in files {
        let part = f.header.shard;
        let rows = sweep::parse_rows(&f.body).map_err(|why| f.unreadable(why))?;
        if rows.len() != part.size(total) {
            return Err(f.unreadable(shard_size(part, total, rows.len())));
        }
        for r in rows {
            let i = r.row.index;
            if !part.holds(i) || i >= total || r.row.levels.len() != axes.len() {
                return Err(f.unreadable(format!("scenario {} is not of shard {part}", i + 1)));
            }
            let folder = if r.folder.is_empty() {
                String::new()
            } else {
                let plan = f.path.parent().unwrap_or(Path::new(".")).join(&r.folder);
                shard::relative(&plan, out).display().to_string()
            };
            slots[i] = Some((r.row, folder));
        }
    }
    let (rows, plan_folders) = slots.into_iter().flatten().unzip();
    Ok(Merged {
        title,
        subtitle,
        axes,
        rows,
        plan_folders,
        shards: files.len(),
    })
}

/// Why a shard has the wrong number of rows.
fn shard_size(part: Shard, total: usize, found: usize) -> String {
    format!(
        "it holds {found} scenarios; shard {part} of a {total}-point sweep holds {}",
        part.size(total)
    )
}

/// The title line, the table and what was written, on stdout; the failures on stderr.
fn print(merged: &Merged, out: &Path, written: &[&str], started: Instant) {
    let n = merged.rows.len();
    println!(
        "{} ({n} scenarios merged from {} shards; {:.1} s)\n",
        printable(&merged.title),
        merged.shards,
        started.elapsed().as_secs_f64()
    );
    print!(
        "{}",
        export::sweep::render_table(&merged.axes, &merged.rows)
    );
    let planned = merged.plan_folders.iter().filter(|f| !f.is_empty()).count();
    println!(
        "\nwritten to {}: {}, pointing at {planned} plan folder{}",
        printable_path(out),
        written.join(", "),
        if planned == 1 { "" } else { "s" }
    );
    let names: Vec<String> = merged
        .rows
        .iter()
        .map(|r| sweep::folder_name(&merged.axes, r.index, &r.levels, n))
        .collect();
    report_failures(&merged.rows, &names);
    let not_run = merged
        .rows
        .iter()
        .filter(|r| r.status == RowStatus::NotRun)
        .count();
    if not_run > 0 {
        eprintln!(
            "{not_run} scenarios were not run (their shard was interrupted): run that shard again, \
             then merge"
        );
    }
}
