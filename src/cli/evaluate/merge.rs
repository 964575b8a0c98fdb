//! `cartnet evaluate merge DIR... --out OUT`: the shard files of one evaluation (`--shard K/N`)
//! checked to be shards 0..N-1 of one run, each once, then their rows put back in scenario
//! order (each shard holds whole warm-start chains): the same evaluation.csv and the same printed estimate as one run.

use super::{EXIT_INPUT, Line, summarize, write};
use crate::cli::check_out;
pub use crate::cli::sweep::MergeArgs;
use cartnet::fs::folder;
use cartnet::sweep::shard::{self, ShardError, ShardFile};
use std::path::PathBuf;

/// A merged evaluation: evaluation.csv's bytes and what the summary prints.
struct Merged {
    csv: Vec<u8>,
    lines: Vec<Line>,
    plan: PathBuf,
    origin: String,
    design: (usize, u32),
}

pub fn run(args: &MergeArgs) -> u8 {
    if let Err(code) = check_out(folder::check_out(&args.out)) {
        return code;
    }
    let merged = match shard::gather(&args.dirs).and_then(|files| merge(&files)) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}; nothing was written");
            return EXIT_INPUT;
        }
    };
    match write(&args.out, merged.csv) {
        Ok(written) => summarize(
            &merged.plan,
            &merged.origin,
            merged.design,
            &merged.lines,
            &written,
        ),
        Err(code) => code,
    }
}

/// The shards' rows in scenario order (shard K holds the chains c with c mod N = K), each shard
/// checked to hold its share.
fn merge(files: &[ShardFile]) -> Result<Merged, ShardError> {
    let first = &files[0];
    let total = first.total_of(super::shard::KIND, "an evaluation's shard")?;
    let chain = (first.field(super::shard::CHAIN_FIELD)?.as_u64())
        .and_then(|c| usize::try_from(c).ok())
        .ok_or_else(|| first.unreadable("its chain is not a count".into()))?;
    let mut header: Option<csv::StringRecord> = None;
    let mut records: Vec<Option<csv::StringRecord>> = vec![None; total];
    for f in files {
        let part = f.header.shard;
        let mut reader = csv::Reader::from_reader(f.body.as_bytes());
        let head = reader
            .headers()
            .map_err(|e| f.unreadable(e.to_string()))?
            .clone();
        if header.get_or_insert_with(|| head.clone()) != &head {
            return Err(f.unreadable("its columns are not those of the first shard".into()));
        }
        let rows: Vec<csv::StringRecord> = reader
            .records()
            .collect::<Result<_, _>>()
            .map_err(|e| f.unreadable(e.to_string()))?;
        let indices: Vec<usize> = part.indices(total, chain).collect();
        if rows.len() != indices.len() {
            return Err(f.unreadable(format!(
                "it holds {} scenarios; shard {part} of {total} scenarios holds {}",
                rows.len(),
                indices.len()
            )));
        }
        for (i, rec) in indices.into_iter().zip(rows) {
            records[i] = Some(rec);
        }
    }
    let header = header.unwrap_or_default();
    let records: Vec<csv::StringRecord> = records.into_iter().flatten().collect();
    let lines = lines(&header, &records).map_err(|why| first.unreadable(why))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    let written = std::iter::once(&header)
        .chain(&records)
        .try_for_each(|r| w.write_record(r));
    let csv = written
        .map_err(|e| e.to_string())
        .and_then(|()| w.into_inner().map_err(|e| e.to_string()))
        .map_err(|why| first.unreadable(why))?;
    let design = first.field("design")?;
    let count = |k: &str| design[k].as_u64().unwrap_or(0);
    Ok(Merged {
        csv,
        lines,
        plan: PathBuf::from(first.field("plan")?.as_str().unwrap_or_default()),
        origin: first
            .field("origin")?
            .as_str()
            .unwrap_or_default()
            .to_string(),
        design: (count("sites_open") as usize, count("platforms") as u32),
    })
}

/// What the summary needs of each row of evaluation.csv: its id, probability, total cost and
/// coverage (empty: not served, the reason in note).
fn lines(header: &csv::StringRecord, records: &[csv::StringRecord]) -> Result<Vec<Line>, String> {
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no {name} column"))
    };
    let (id, p, total, coverage, note) = (
        column("scenario")?,
        column("probability")?,
        column("cost_total")?,
        column("coverage")?,
        column("note")?,
    );
    let number = |r: &csv::StringRecord, c: usize| -> Result<f64, String> {
        let cell = r.get(c).unwrap_or("");
        cell.parse()
            .map_err(|_| format!("\"{cell}\" in column {} is not a number", &header[c]))
    };
    records
        .iter()
        .map(|r| {
            let served = !r.get(total).unwrap_or("").is_empty();
            Ok(Line {
                id: unquoted(r.get(id).unwrap_or("")).to_string(),
                probability: number(r, p)?,
                result: if served {
                    Ok((number(r, total)?, number(r, coverage)?))
                } else {
                    Err(unquoted(r.get(note).unwrap_or("")).to_string())
                },
            })
        })
        .collect()
}

/// A text cell as it was before the CSV writer guarded it against spreadsheet formulas.
fn unquoted(cell: &str) -> &str {
    match cell.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => cell,
    }
}
