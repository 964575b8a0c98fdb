//! Fuzz targets for every input reader (issue #7), as proptests over bytes: cargo-fuzz needs a
//! nightly toolchain and a sanitizer build, so each target is a proptest that feeds the real
//! parsing entry point mutated copies of a small seed corpus (`fuzz/corpus/<target>/`) and plain
//! arbitrary bytes.
//!
//! Every target asserts, for every input:
//! - no panic (proptest reports a panic as a failure, shrunk to a small input);
//! - the reader returns Ok or typed errors, each shown on one non-empty line of bounded length
//!   that starts with its code (`E102 demand.csv:3: ...`);
//! - it finishes within a time proportional to the input (hang and blow-up detection).
//!
//! `CARTNET_FUZZ_CASES` sets the number of inputs per target (default 200, a few seconds for the
//! whole file in CI); `fuzz/README.md` has the long runs (1,000,000 inputs per target).

use cartnet::import::{orlib, sscflp, us};
use cartnet::input::error::InputErrors;
use cartnet::input::{Instance, Override, Scenario};
use cartnet::verify;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, FileFailurePersistence};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn cases() -> u32 {
    std::env::var("CARTNET_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
        ..Config::default()
    }
}

/// The seed files of a target, read once.
fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(ROOT).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let seeds: Vec<Vec<u8>> = files.iter().map(|p| std::fs::read(p).unwrap()).collect();
    assert!(!seeds.is_empty(), "{} has no seeds", dir.display());
    seeds
}

/// The demo instance's files, read once.
fn demo(file: &str) -> &'static [u8] {
    static FILES: OnceLock<Vec<(&str, Vec<u8>)>> = OnceLock::new();
    let files = FILES.get_or_init(|| {
        ["demand.csv", "hospitals.csv", "sites.csv"]
            .map(|f| {
                (
                    f,
                    std::fs::read(Path::new(ROOT).join("data/demo").join(f)).unwrap(),
                )
            })
            .into()
    });
    &files.iter().find(|(f, _)| *f == file).unwrap().1
}

// ------------------------------------------------------------------------------ mutations

/// Tokens that break readers: special numbers, separators, quotes, encodings, line ends.
const NASTY: &[&[u8]] = &[
    b"NaN",
    b"nan",
    b"inf",
    b"-inf",
    b"Infinity",
    b"-0",
    b"1e309",
    b"-1e309",
    b"1e-400",
    b"4294967296",
    b"18446744073709551616",
    b"9223372036854775808",
    b"-1",
    b"0",
    b"0.5",
    b"3.5",
    b"0x10",
    b"1_000",
    b"\"1,234\"",
    b"\"1.234,5\"",
    b"1,234",
    b";",
    b",",
    b",,",
    b"\"",
    b"\"\"",
    b"'",
    b"\xef\xbb\xbf",
    b"\r",
    b"\r\n",
    b"\n",
    b"\n\n",
    b"\0",
    b"\t",
    b" ",
    b"\xff",
    b"\xc3",
    b"\xe9",
    b"\xed\xa0\x80",
    b"\xe2\x80\xa8",
    b"=",
    b"[",
    b"]",
    b"[[x]]",
    b"{",
    b"}",
    b":",
    b"null",
    b"true",
    b"false",
    b"\"\"\"",
    b"'''",
    b"#",
    b".",
    b"kinds.",
    b"kinds.central.",
    b"site.",
    b"{}",
    b"[]",
    b"1979-05-27",
    b"colocated",
    b"regional",
    b"central",
    b"capacity",
    b"H0117510021",
    b"S-MSK",
    b"D36047",
    b"72",
    b"006",
    b"-999",
    b"OPEN",
    b"GENERAL ACUTE CARE",
    b"LEVEL I",
];

#[derive(Debug, Clone)]
enum Mutation {
    /// XOR one byte.
    Flip(Index, u8),
    /// Insert a nasty token.
    Insert(Index, usize),
    /// Replace the field (text between commas, line ends or `=`) around a point by a token.
    Field(Index, usize),
    /// Delete a span.
    Delete(Index, u16),
    /// Repeat a span.
    Repeat(Index, u16, u8),
    /// Insert a line of another seed.
    Splice(Index, Index, Index),
    /// Insert a long run of one byte (a long field, many columns, many lines).
    Long(Index, u8, u16),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let token = 0..NASTY.len();
    prop_oneof![
        3 => (any::<Index>(), any::<u8>()).prop_map(|(i, b)| Mutation::Flip(i, b)),
        4 => (any::<Index>(), token.clone()).prop_map(|(i, t)| Mutation::Insert(i, t)),
        6 => (any::<Index>(), token).prop_map(|(i, t)| Mutation::Field(i, t)),
        2 => (any::<Index>(), 0u16..64).prop_map(|(i, n)| Mutation::Delete(i, n)),
        2 => (any::<Index>(), 1u16..200, 1u8..8).prop_map(|(i, n, k)| Mutation::Repeat(i, n, k)),
        2 => (any::<Index>(), any::<Index>(), any::<Index>())
            .prop_map(|(i, s, l)| Mutation::Splice(i, s, l)),
        1 => (
            any::<Index>(),
            prop::sample::select(vec![b'a', b',', b'\n', b'"', b'9', b'[', b'.']),
            1u16..20_000
        )
            .prop_map(|(i, b, n)| Mutation::Long(i, b, n)),
    ]
}

fn at(i: &Index, len: usize) -> usize {
    if len == 0 { 0 } else { i.index(len + 1) }
}

fn apply(mut data: Vec<u8>, seeds: &[Vec<u8>], mutations: &[Mutation]) -> Vec<u8> {
    for m in mutations {
        let len = data.len();
        match m {
            Mutation::Flip(i, b) => {
                if len > 0 {
                    data[i.index(len)] ^= b | 1;
                }
            }
            Mutation::Insert(i, t) => {
                let p = at(i, len);
                data.splice(p..p, NASTY[*t].iter().copied());
            }
            Mutation::Field(i, t) => {
                let p = at(i, len).min(len);
                let sep = |b: &u8| matches!(b, b',' | b'\n' | b'=' | b';' | b':');
                let start = data[..p].iter().rposition(sep).map_or(0, |s| s + 1);
                let end = data[p..].iter().position(sep).map_or(len, |e| p + e);
                data.splice(start..end, NASTY[*t].iter().copied());
            }
            Mutation::Delete(i, n) => {
                let p = at(i, len).min(len);
                let end = (p + *n as usize).min(len);
                data.drain(p..end);
            }
            Mutation::Repeat(i, n, k) => {
                let p = at(i, len).min(len);
                let end = (p + *n as usize).min(len);
                let span = data[p..end].to_vec();
                for _ in 0..*k {
                    data.splice(end..end, span.iter().copied());
                }
            }
            Mutation::Splice(i, s, l) => {
                let seed = &seeds[s.index(seeds.len())];
                let lines: Vec<&[u8]> = seed.split_inclusive(|&b| b == b'\n').collect();
                if !lines.is_empty() {
                    let line = lines[l.index(lines.len())].to_vec();
                    let p = at(i, len).min(len);
                    let p = data[..p]
                        .iter()
                        .rposition(|&b| b == b'\n')
                        .map_or(0, |s| s + 1);
                    data.splice(p..p, line);
                }
            }
            Mutation::Long(i, b, n) => {
                let p = at(i, len).min(len);
                data.splice(p..p, std::iter::repeat_n(*b, *n as usize));
            }
        }
    }
    data
}

/// An input, shown (when a target fails) as a byte string literal.
#[derive(Clone)]
pub struct Bytes(Vec<u8>);

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "b\"{}\"", self.0.escape_ascii())
    }
}

/// Inputs for a target: mostly mutated seeds, some plain arbitrary bytes, some seeds as they are.
fn input(target: &'static str) -> impl Strategy<Value = Bytes> {
    let seeds = corpus(target);
    let n = seeds.len();
    let mutated = {
        let seeds = seeds.clone();
        (0..n, prop::collection::vec(mutation(), 1..6))
            .prop_map(move |(s, ms)| apply(seeds[s].clone(), &seeds, &ms))
    };
    let plain = (0..n).prop_map(move |s| seeds[s].clone());
    prop_oneof![
        16 => mutated,
        3 => prop::collection::vec(any::<u8>(), 0..600),
        1 => plain,
    ]
    .prop_map(Bytes)
}

// ------------------------------------------------------------------------------ the checks

/// Longest message allowed: the E303 list of valid keys is the longest message by design.
const MAX_MESSAGE: usize = 2_500;

/// Every error is one non-empty line of bounded length, starting with its code.
fn check_errors(errors: &InputErrors) {
    assert!(!errors.0.is_empty(), "an Err with no error");
    for e in &errors.0 {
        let shown = e.to_string();
        assert!(
            shown.len() > 6 && shown.starts_with(e.code.as_str()),
            "bad message {shown:?}"
        );
        assert!(
            !shown.contains(['\n', '\r']),
            "message spans lines: {shown:?}"
        );
        assert!(
            shown.chars().count() <= MAX_MESSAGE,
            "message of {} characters: {:?}",
            shown.chars().count(),
            shown.chars().take(300).collect::<String>()
        );
        assert!(!e.file.is_empty() && !e.message.is_empty(), "{e:?}");
    }
}

/// Runs `read` on `bytes`, checking it ends within a time proportional to the input.
fn timed<T>(bytes: &[u8], read: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = read();
    let elapsed = start.elapsed();
    let limit = Duration::from_millis(500) + Duration::from_micros(20) * bytes.len() as u32;
    assert!(
        elapsed <= limit,
        "{} bytes took {elapsed:?} (limit {limit:?}): a hang or a blow-up",
        bytes.len()
    );
    out
}

fn check<T>(result: Result<T, InputErrors>) {
    if let Err(e) = result {
        check_errors(&e);
    }
}

// ------------------------------------------------------------------------------ the targets

/// The demo instance, with one file replaced by `bytes`.
fn instance_with(file: &str, bytes: &[u8]) -> Result<Instance, InputErrors> {
    let pick = |f: &str| if file == f { bytes } else { demo(f) };
    let lanes = (file == "lanes.csv").then_some(bytes);
    Instance::from_bytes(
        pick("demand.csv"),
        pick("hospitals.csv"),
        pick("sites.csv"),
        lanes,
    )
}

pub fn demand_csv(bytes: &[u8]) {
    check(timed(bytes, || instance_with("demand.csv", bytes)));
}

pub fn hospitals_csv(bytes: &[u8]) {
    check(timed(bytes, || instance_with("hospitals.csv", bytes)));
}

pub fn sites_csv(bytes: &[u8]) {
    check(timed(bytes, || instance_with("sites.csv", bytes)));
}

pub fn lanes_csv(bytes: &[u8]) {
    check(timed(bytes, || instance_with("lanes.csv", bytes)));
}

pub fn scenario_toml(bytes: &[u8]) {
    check(timed(bytes, || {
        Scenario::from_bytes(bytes, "models/fuzz.toml", &[])
    }));
}

fn baseline() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        std::fs::read_to_string(Path::new(ROOT).join("models/baseline.toml")).unwrap()
    })
}

/// A `--set` argument (as the shell passes it: text) on top of the baseline scenario.
pub fn set_override(bytes: &[u8]) {
    let arg = String::from_utf8_lossy(bytes);
    timed(bytes, || match Override::parse(&arg) {
        Ok(o) => check(Scenario::parse(baseline(), "models/baseline.toml", &[o])),
        Err(e) => check_errors(&e.into()),
    });
}

fn demo_instance() -> &'static Instance {
    static DEMO: OnceLock<Instance> = OnceLock::new();
    DEMO.get_or_init(|| Instance::load(&Path::new(ROOT).join("data/demo")).unwrap())
}

/// plan.json as `cartnet verify` reads it, checked against the demo instance under the scenario
/// it records (or the default one, as `--model` would give).
pub fn plan_json(bytes: &[u8]) {
    timed(bytes, || {
        match verify::parse_plan(bytes, Path::new("plan.json")) {
            Ok(plan) => {
                let scenario = if plan["scenario"].is_object() {
                    plan["scenario"].clone()
                } else {
                    Scenario::default().to_json()
                };
                let v = verify::verify(&plan, demo_instance(), &scenario);
                for violation in &v.violations {
                    let shown = violation.to_string();
                    assert!(
                        !shown.is_empty() && !shown.contains(['\n', '\r']),
                        "{shown:?}"
                    );
                }
            }
            Err(e) => {
                let shown = e.to_string();
                assert!(
                    !shown.is_empty() && !shown.contains(['\n', '\r']),
                    "{shown:?}"
                );
            }
        }
    });
}

/// An OR-Library cap file (`cartnet import orlib-cap`), with and without `--capacity`, and
/// the same bytes as a single-source file (`cartnet import sscflp`): the two formats share
/// their reader.
pub fn orlib_cap(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    timed(bytes, || {
        check(orlib::parse(&text, "cap.txt", None));
        check(orlib::parse(&text, "cap.txt", Some(8000.0)));
        check(sscflp::parse(&text, "p1"));
    });
}

fn us_source(source: us::UsSource, file: &str, bytes: &[u8]) {
    timed(bytes, || {
        check(us::read_source(source, file, bytes, false));
        check(us::read_source(source, file, bytes, true));
    });
}

pub fn census_counties(bytes: &[u8]) {
    us_source(us::UsSource::Counties, "CenPop2020_Mean_CO.txt", bytes);
}

pub fn zip_points(bytes: &[u8]) {
    us_source(us::UsSource::Zips, "uszips.csv", bytes);
}

pub fn hifld_hospitals(bytes: &[u8]) {
    us_source(us::UsSource::Hospitals, "Hospitals.csv", bytes);
}

/// A workbook of the demo whose sites sheet holds `bytes` read as comma-separated lines of
/// cells (a cell that reads as a number written as one), read by `--data FILE.xlsx`'s reader;
/// and `bytes` themselves read as a workbook file.
pub fn workbook(bytes: &[u8]) {
    use cartnet::input::workbook::from_bytes;
    check(timed(bytes, || from_bytes("f.xlsx", bytes)));
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, file) in [("demand", "demand.csv"), ("hospitals", "hospitals.csv")] {
        let sheet = book.add_worksheet();
        sheet.set_name(name).unwrap();
        fill(sheet, demo(file));
    }
    let sheet = book.add_worksheet();
    sheet.set_name("sites").unwrap();
    fill(sheet, bytes);
    let xlsx = book.save_to_buffer().unwrap();
    check(timed(bytes, || from_bytes("f.xlsx", &xlsx)));
}

/// Writes `text`'s lines of comma-separated cells into `sheet` (within Excel's limits).
fn fill(sheet: &mut rust_xlsxwriter::Worksheet, text: &[u8]) {
    let text = String::from_utf8_lossy(text);
    for (r, line) in text.lines().take(1000).enumerate() {
        for (c, cell) in line.split(',').take(100).enumerate() {
            let cell: String = cell.chars().take(1000).collect();
            let (r, c) = (r as u32, c as u16);
            match cell.parse::<f64>() {
                Ok(v) if v.is_finite() => sheet.write_number(r, c, v).map(drop),
                _ => sheet.write_string(r, c, &cell).map(drop),
            }
            .unwrap();
        }
    }
}

/// One proptest per target: `fuzz_<target>`.
macro_rules! targets {
    ($($test:ident: $corpus:literal => $run:ident;)*) => {$(
        proptest! {
            #![proptest_config(config())]
            #[test]
            fn $test(bytes in input($corpus)) {
                $run(&bytes.0);
            }
        }
    )*};
}

targets! {
    fuzz_demand_csv: "demand" => demand_csv;
    fuzz_hospitals_csv: "hospitals" => hospitals_csv;
    fuzz_sites_csv: "sites" => sites_csv;
    fuzz_lanes_csv: "lanes" => lanes_csv;
    fuzz_scenario_toml: "scenario" => scenario_toml;
    fuzz_set_override: "set" => set_override;
    fuzz_plan_json: "plan" => plan_json;
    fuzz_orlib_cap: "orlib" => orlib_cap;
    fuzz_census_counties: "counties" => census_counties;
    fuzz_zip_points: "zips" => zip_points;
    fuzz_hifld_hospitals: "hifld" => hifld_hospitals;
    fuzz_workbook: "workbook" => workbook;
}

/// The seeds themselves are read as expected: the valid ones are accepted, so the mutations
/// start from inputs that reach deep into each reader.
#[test]
fn valid_seeds_are_accepted() {
    for target in ["demand", "hospitals", "sites"] {
        let seed = std::fs::read(
            Path::new(ROOT)
                .join("fuzz/corpus")
                .join(target)
                .join("demo.csv"),
        );
        let file = format!("{target}.csv");
        assert!(instance_with(&file, &seed.unwrap()).is_ok(), "{target}");
    }
    let lanes = std::fs::read(Path::new(ROOT).join("fuzz/corpus/lanes/valid.csv")).unwrap();
    let i = instance_with("lanes.csv", &lanes).unwrap();
    assert_eq!(i.lanes.len(), 3);
    assert!(Scenario::from_bytes(baseline().as_bytes(), "b.toml", &[]).is_ok());
    let plan = std::fs::read(Path::new(ROOT).join("fuzz/corpus/plan/demo.json")).unwrap();
    let plan = verify::parse_plan(&plan, Path::new("plan.json")).unwrap();
    let v = verify::verify(&plan, demo_instance(), &plan["scenario"]);
    assert!(v.holds(), "{:?}", v.violations);
    let cap41 =
        std::fs::read_to_string(Path::new(ROOT).join("fuzz/corpus/orlib/cap41.txt")).unwrap();
    assert_eq!(
        orlib::parse(&cap41, "cap41.txt", None)
            .unwrap()
            .demand
            .len(),
        50
    );
    for (source, target) in [
        (us::UsSource::Counties, "counties"),
        (us::UsSource::Zips, "zips"),
        (us::UsSource::Hospitals, "hifld"),
    ] {
        let n = us::read_source(source, "f.csv", &corpus(target)[0], true).unwrap();
        assert!(n > 0, "{target}");
    }
}
