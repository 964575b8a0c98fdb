//! `cartnet evaluate PLAN.json ... --shard K/N`: the scenarios dealt out to the shards in warm-start
//! chains of 8 (scenario i is shard (i div 8) mod N's), evaluated and written to OUT/shard-K-of-N.csv: a header saying what
//! was evaluated, then their rows of evaluation.csv, in index order.

use super::{EXIT_INPUT, EXIT_OK, EvaluateArgs, design_size, solve_all, table};
use cartnet::fs::write_atomic;
use cartnet::input::Instance;
use cartnet::input::digest;
use cartnet::input::uncertainty::{BaseModel, ScenarioSet};
use cartnet::model::Design;
use cartnet::stochastic::evaluate::WARM_CHAIN;
use cartnet::sweep::shard::{self, Header, Shard, TOTAL_FIELD};
use cartnet::text::{printable, printable_path};
use serde_json::{Value, json};
use std::path::Path;

/// The header field giving how many consecutive futures go to a shard together: one warm-start
/// chain ([`WARM_CHAIN`]), so that each future's LP starts from the basis it starts from in one
/// run, and the rows are the same to the last cent.
pub const CHAIN_FIELD: &str = "chain";

/// What an evaluation shard's header says it is.
pub const KIND: &str = "evaluate";

/// Everything an evaluation needs, checked.
pub struct Work<'a> {
    pub set: &'a ScenarioSet,
    pub instance: &'a Instance,
    pub base: &'a BaseModel<'a>,
    pub design: &'a Design,
    pub data: &'a Path,
    pub jobs: usize,
}

/// Evaluates shard `part` of the scenarios and writes its file; the exit code.
pub fn run(args: &EvaluateArgs, part: Shard, out: &Path, work: &Work<'_>) -> Result<u8, u8> {
    let header = header(args, part, work)?;
    if let Err(e) = std::fs::create_dir_all(out) {
        eprintln!("error: cannot create {}: {e}", printable_path(out));
        return Err(EXIT_INPUT);
    }
    if let Err(e) = shard::check_folder(out, &header) {
        eprintln!("{e}; nothing was done");
        return Err(EXIT_INPUT);
    }
    let mine = ScenarioSet {
        scenarios: (work.set.scenarios.iter().enumerate())
            .filter(|(i, _)| part.holds_in_blocks(*i, WARM_CHAIN))
            .map(|(_, s)| s.clone())
            .collect(),
        origin: work.set.origin.clone(),
        risk: None,
    };
    let outcomes = solve_all(
        &mine,
        work.instance,
        work.base,
        work.design,
        work.jobs,
        work.data,
    )?;
    let path = out.join(part.file_name());
    if let Err(e) =
        table(&outcomes).and_then(|csv| write_atomic(&path, &shard::render(&header, &csv)))
    {
        eprintln!("error: cannot write {}: {e}", printable_path(&path));
        return Err(EXIT_INPUT);
    }
    let unserved = outcomes.iter().filter(|o| o.result.is_err()).count();
    println!(
        "evaluated shard {} of {} of the design of {}: {} of {} scenarios ({}), {unserved} of \
         them not served\n\nwritten to {}",
        part.k,
        part.n,
        printable_path(args.plan()),
        outcomes.len(),
        work.set.scenarios.len(),
        printable(&work.set.origin),
        printable_path(&path)
    );
    Ok(EXIT_OK)
}

/// The shard file's header: what was evaluated, so that merge can tell shards of one
/// evaluation.
fn header(args: &EvaluateArgs, part: Shard, work: &Work<'_>) -> Result<Header, u8> {
    let read = |p: &Path| {
        std::fs::read(p).map_err(|e| {
            eprintln!("error: cannot read {}: {e}", printable_path(p));
            EXIT_INPUT
        })
    };
    let plan = read(args.plan())?;
    let data = digest::of_folder(work.data).map_err(|e| {
        eprintln!("error: cannot read the instance's files: {e}");
        EXIT_INPUT
    })?;
    let (open, platforms) = design_size(work.design);
    let specs: Vec<(String, String)> = (work.set.scenarios.iter())
        .map(|s| (s.id.clone(), format!("{s:?}")))
        .collect();
    let files: Vec<(&str, Option<&[u8]>)> = specs
        .iter()
        .map(|(id, spec)| (id.as_str(), Some(spec.as_bytes())))
        .collect();
    let cli: Vec<String> = work.base.cli.iter().map(|o| format!("{o:?}")).collect();
    let base = digest::of_files(&[
        ("model", Some(work.base.text.as_bytes())),
        ("set", Some(cli.join("\n").as_bytes())),
    ]);
    let text = |s: &str| Value::from(s).to_string();
    let fields = [
        ("kind", text(KIND)),
        (TOTAL_FIELD, work.set.scenarios.len().to_string()),
        (CHAIN_FIELD, WARM_CHAIN.to_string()),
        ("cartnet_version", text(env!("CARGO_PKG_VERSION"))),
        ("digest", text(&data)),
        ("plan", text(&args.plan().display().to_string())),
        (
            "plan_digest",
            text(&digest::of_files(&[("plan.json", Some(&plan))])),
        ),
        (
            "design",
            json!({ "sites_open": open, "platforms": platforms }).to_string(),
        ),
        ("origin", text(&work.set.origin)),
        ("model_digest", text(&base)),
        ("scenarios_digest", text(&digest::of_files(&files))),
    ];
    Ok(Header {
        shard: part,
        fields: fields
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    })
}
