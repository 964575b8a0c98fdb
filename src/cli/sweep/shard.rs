//! `cartnet sweep ... --shard K/N`: one shard of the grid, into OUT/shard-K-of-N.csv.
//!
//! The shard's points are those whose grid index i has i mod N = K. Each network group's first
//! point is solved too when it is another shard's (its row is not kept): the other points of
//! the group start from its plan, as in one run, so a shard's rows are the rows one run gives.
//! Shards of one sweep may share a folder; each writes only its own file (and, with --plans,
//! its points' plan folders), so no folder lock is held for the run.

use super::{Study, exit_code, report_failures, report_interrupted, solve};
use crate::cli::{EXIT_INPUT, EXIT_INTERRUPTED};
use cartnet::export;
use cartnet::fs::write_atomic;
use cartnet::input::digest;
use cartnet::input::{ModelSource, Override, Scenario};
use cartnet::sweep::shard::{self, Header, Shard, TOTAL_FIELD};
use cartnet::sweep::{self, Point, Row, ShardRow};
use cartnet::text::printable_path;
use serde_json::{Value, json};
use std::path::Path;
use std::time::Instant;

/// What a sweep shard's header says it is.
pub const KIND: &str = "sweep";

/// `--shard K/N` for clap: the error carries its code (E901-E903).
pub fn parse_arg(s: &str) -> Result<Shard, String> {
    Shard::parse(s).map_err(|e| e.to_string())
}

/// Runs shard `part` of the study and writes its file; the exit code (as a whole sweep's, for
/// the shard's points).
pub fn run(
    args: &super::SweepArgs,
    study: &Study,
    part: Shard,
    (digest, threads): (String, u32),
    started: Instant,
) -> u8 {
    let header = header(study, part, &digest, threads, args);
    if let Err(code) = claim(&study.out, &header) {
        return code;
    }
    let points = shard_points(&study.points, part);
    let folders = super::plan_folders(study);
    let plans_dir = study.out.join("plans");
    let workers = super::workers(args.jobs, points.len());
    let options = super::run_options(study, (workers, threads), digest, None);
    let keep = |i: usize| args.plans && part.holds(i);
    let (rows, write_errors) = solve(
        study,
        &points,
        &options,
        (&plans_dir, &folders),
        args.verbose,
        &keep,
    );
    let rows: Vec<Row> = rows.into_iter().filter(|r| part.holds(r.index)).collect();
    let shard_rows: Vec<ShardRow> = rows
        .iter()
        .map(|r| ShardRow {
            folder: if keep(r.index) && r.status.has_plan() {
                format!("plans/{}", folders[r.index])
            } else {
                String::new()
            },
            row: r.clone(),
        })
        .collect();
    let path = study.out.join(part.file_name());
    if let Err(e) = sweep::render_rows(&shard_rows)
        .and_then(|csv| write_atomic(&path, &shard::render(&header, &csv)))
    {
        eprintln!("error: cannot write {}: {e}", printable_path(&path));
        return EXIT_INPUT;
    }
    print(study, part, &rows, &path, started);
    report_failures(&rows, &folders);
    if cartnet::solve::interrupted() {
        report_interrupted(&rows, started);
        EXIT_INTERRUPTED
    } else if !write_errors.is_empty() {
        EXIT_INPUT
    } else {
        exit_code(&rows)
    }
}

/// The shard's points, with (in grid order) the points their warm starts come from in one run
/// (the first of each of their network groups) where those are another shard's.
fn shard_points(all: &[Point], part: Shard) -> Vec<Point> {
    let starts = sweep::warm_starts(all);
    let mut wanted = vec![false; all.len()];
    for (i, p) in all.iter().enumerate() {
        if part.holds(p.index) {
            wanted[i] = true;
            wanted[starts[i]] = true;
        }
    }
    (all.iter().zip(wanted))
        .filter(|(_, w)| *w)
        .map(|(p, _)| p.clone())
        .collect()
}

/// Creates the output folder and checks the shards already there are this sweep's (E904).
fn claim(out: &Path, header: &Header) -> Result<(), u8> {
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", printable_path(out));
        return Err(EXIT_INPUT);
    }
    shard::check_folder(out, header).map_err(|e| {
        eprintln!("{e}; nothing was done");
        EXIT_INPUT
    })
}

/// The shard file's header: what was run, so that merge can tell shards of one sweep.
fn header(
    study: &Study,
    part: Shard,
    data_digest: &str,
    threads: u32,
    args: &super::SweepArgs,
) -> Header {
    let text = |s: &str| Value::from(s).to_string();
    let solver = json!({ "gap": study.gap, "time_limit": study.time_limit, "threads": threads });
    let fields = vec![
        ("kind", text(KIND)),
        (TOTAL_FIELD, study.points.len().to_string()),
        ("cartnet_version", text(env!("CARGO_PKG_VERSION"))),
        ("digest", text(data_digest)),
        ("title", text(&study.title)),
        ("subtitle", text(&super::subtitle(study))),
        ("axes", sweep::axes_json(&study.axes).to_string()),
        ("solver", solver.to_string()),
        ("scenario", base_scenario(study, args).to_string()),
        ("scenarios_digest", text(&scenarios_digest(&study.points))),
    ];
    Header {
        shard: part,
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    }
}

/// The effective scenario the grid varies: the model (the first grid point's, when the model
/// is varied) with the fixed overrides; `null` if it does not parse alone.
fn base_scenario(study: &Study, args: &super::SweepArgs) -> Value {
    let sets: Vec<Override> = args
        .set
        .iter()
        .filter_map(|s| Override::parse(s).ok())
        .collect();
    let model: &ModelSource = study.points.first().map_or(&study.model, |p| &p.model);
    let file_sets = args
        .sweep
        .as_deref()
        .and_then(|f| sweep::SweepFile::load(f).ok())
        .map(|f| f.set.into_iter().map(|(o, _)| o).collect::<Vec<_>>())
        .unwrap_or_default();
    let overrides: Vec<Override> = file_sets.into_iter().chain(sets).collect();
    Scenario::load_from(model, &overrides).map_or(Value::Null, |s| s.to_json())
}

/// The digest of every grid point's effective scenario, in grid order: two sweeps whose points
/// differ in any parameter (a model file changed between shards) differ here.
fn scenarios_digest(points: &[Point]) -> String {
    let texts: Vec<(String, String)> = points
        .iter()
        .map(|p| (p.index.to_string(), p.scenario.to_json().to_string()))
        .collect();
    let files: Vec<(&str, Option<&[u8]>)> = texts
        .iter()
        .map(|(n, t)| (n.as_str(), Some(t.as_bytes())))
        .collect();
    digest::of_files(&files)
}

/// What the shard did, on stdout: a line, its rows' table, where it went.
fn print(study: &Study, part: Shard, rows: &[Row], path: &Path, started: Instant) {
    println!(
        "{} (shard {} of {}: {} of {} scenarios, i mod {} = {}; {:.1} s)\n",
        cartnet::text::printable(&study.title),
        part.k,
        part.n,
        rows.len(),
        study.points.len(),
        part.n,
        part.k,
        started.elapsed().as_secs_f64()
    );
    if !rows.is_empty() {
        print!("{}", export::sweep::render_table(&study.axes, rows));
    }
    println!("\nwritten to {}", printable_path(path));
}
