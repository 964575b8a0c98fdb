//! Workbooks in and out, through the real binary: the demo as a workbook (`cartnet template
//! --from data/demo`) solves to the plan of its CSV files; plan.xlsx read back (calamine) holds
//! the plan's numbers; a workbook's errors are located as `FILE.xlsx!sheet!C7`; numbers typed
//! as text and formulas (their cached values) read as the CSVs' numbers; the empty template
//! holds every column's header and explains it.

mod common;

use calamine::{Data, Range, Reader, Xlsx, open_workbook};
use cartnet::input::columns::FILES;
use common::{ROOT, cartnet, read_plan, run};
use rust_xlsxwriter::{Formula, Workbook};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// Plans in a temporary folder: the demo solved from its CSV files and from its workbook.
struct Solved {
    dir: TempDir,
}

impl Solved {
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

fn ok(args: &[&str]) -> String {
    let o = run(cartnet().args(args));
    assert_eq!(
        o.code,
        Some(0),
        "cartnet {args:?}\n{}{}",
        o.stdout,
        o.stderr
    );
    o.stdout
}

/// The demo solved twice, once from data/demo and once from the workbook `template --from`
/// writes of it.
fn solved() -> &'static Solved {
    static SOLVED: OnceLock<Solved> = OnceLock::new();
    SOLVED.get_or_init(|| {
        let s = Solved {
            dir: tempfile::tempdir().unwrap(),
        };
        let p = |n: &str| s.path(n).display().to_string();
        ok(&["template", "--from", "data/demo", "--out", &p("demo.xlsx")]);
        ok(&["solve", "--out", &p("csv")]);
        ok(&["solve", "--data", &p("demo.xlsx"), "--out", &p("xlsx")]);
        s
    })
}

/// A plan without what tells its runs apart: where the data was, its digest, the seconds.
fn comparable(mut plan: Value) -> Value {
    let i = plan["instance"].as_object_mut().unwrap();
    i.remove("data");
    i.remove("digest");
    plan["solver"].as_object_mut().unwrap().remove("seconds");
    plan
}

#[test]
fn the_demo_as_a_workbook_solves_to_the_plan_of_its_csv_files() {
    let s = solved();
    let csv = read_plan(&s.path("csv/plan.json"));
    let xlsx = read_plan(&s.path("xlsx/plan.json"));
    assert!(csv["cost"]["total"].as_f64().unwrap() > 0.0);
    assert_eq!(comparable(csv.clone()), comparable(xlsx.clone()));
    let digest = |p: &Value| p["instance"]["digest"].as_str().unwrap().to_string();
    assert_ne!(
        digest(&csv),
        digest(&xlsx),
        "the workbook's bytes are digested"
    );
    // verify finds the workbook from the plan's instance.data, and its digest matches
    ok(&["verify", &s.path("xlsx/plan.json").display().to_string()]);
}

fn sheet(book: &Path, name: &str) -> Range<Data> {
    let mut wb: Xlsx<_> = open_workbook(book).unwrap();
    wb.worksheet_range(name).unwrap()
}

/// A sheet's rows as maps from header to cell.
fn rows(range: &Range<Data>) -> Vec<std::collections::HashMap<String, Data>> {
    let mut it = range.rows();
    let header: Vec<String> = it.next().unwrap().iter().map(|c| c.to_string()).collect();
    it.map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// Whether a cell holds the text `s`.
fn is(d: &Data, s: &str) -> bool {
    matches!(d, Data::String(t) if t == s)
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(v) => *v,
        Data::Int(v) => *v as f64,
        other => panic!("{other:?} is not a number"),
    }
}

#[test]
fn plan_xlsx_holds_the_plans_numbers() {
    let s = solved();
    let book = s.path("csv/plan.xlsx");
    let plan = read_plan(&s.path("csv/plan.json"));
    let wb: Xlsx<_> = open_workbook(&book).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Summary",
            "Sites",
            "Hospitals",
            "Patient flows",
            "Batch flows",
            "Unserved"
        ]
    );
    let summary = rows(&sheet(&book, "Summary"));
    let figure = |section: &str, item: &str| {
        let row = summary
            .iter()
            .find(|r| is(&r["section"], section) && is(&r["item"], item))
            .unwrap_or_else(|| panic!("no {section} {item} in Summary"));
        row["value"].clone()
    };
    for (key, value) in plan["cost"].as_object().unwrap() {
        let key = if key == "total" {
            "total"
        } else {
            key.as_str()
        };
        assert_eq!(
            num(&figure("cost", key)),
            value.as_f64().unwrap(),
            "cost {key}"
        );
    }
    assert_eq!(
        figure("solver", "status").to_string(),
        plan["solver"]["status"].as_str().unwrap()
    );
    assert_eq!(
        num(&figure("kpis", "coverage")),
        plan["kpis"]["coverage"].as_f64().unwrap()
    );
    assert_eq!(
        num(&figure("scenario", "site.setup_cost_owned")),
        2_250_000.0
    );
    let sites = rows(&sheet(&book, "Sites"));
    let planned = plan["sites"].as_array().unwrap();
    assert_eq!(sites.len(), planned.len());
    for (row, site) in sites.iter().zip(planned) {
        assert_eq!(row["id"].to_string(), site["id"].as_str().unwrap());
        assert_eq!(row["status"].to_string(), site["status"].as_str().unwrap());
        assert_eq!(num(&row["platforms"]), site["platforms"].as_f64().unwrap());
        assert_eq!(num(&row["batches"]), site["batches"].as_f64().unwrap());
    }
    for (sheet_name, key, amount) in [
        ("Patient flows", "patient_flows", "patients"),
        ("Batch flows", "batch_flows", "batches"),
        ("Unserved", "unserved", "patients"),
    ] {
        let got = rows(&sheet(&book, sheet_name));
        let want = plan[key].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{sheet_name}");
        let sum = |v: f64, w: f64| v + w;
        let a = got.iter().map(|r| num(&r[amount])).fold(0.0, sum);
        let b = want
            .iter()
            .map(|f| f[amount].as_f64().unwrap())
            .fold(0.0, sum);
        assert!((a - b).abs() < 1e-9, "{sheet_name}: {a} vs {b}");
    }
    let unserved = rows(&sheet(&book, "Unserved"));
    assert!(unserved[0]["reason"].to_string().contains("travel limit"));
    let treated: f64 = rows(&sheet(&book, "Hospitals"))
        .iter()
        .map(|r| num(&r["patients"]))
        .sum();
    assert!((treated - plan["kpis"]["patients_served"].as_f64().unwrap()).abs() < 1e-6);
}

#[test]
fn the_same_plan_writes_the_same_workbook() {
    let s = solved();
    let out = s.path("again");
    ok(&["solve", "--out", &out.display().to_string()]);
    let (a, b) = (s.path("csv/plan.xlsx"), out.join("plan.xlsx"));
    let names: Vec<String> = open_workbook::<Xlsx<_>, _>(&a).unwrap().sheet_names();
    for name in &names {
        let (mut x, mut y) = (rows(&sheet(&a, name)), rows(&sheet(&b, name)));
        // the solver's seconds differ from run to run, as in plan.json
        let timed = |r: &std::collections::HashMap<String, Data>| {
            r.get("item").is_some_and(|i| is(i, "seconds"))
        };
        x.retain(|r| !timed(r));
        y.retain(|r| !timed(r));
        assert_eq!(x, y, "{name}");
    }
}

// ------------------------------------------------------------------ workbooks written here

/// How a test writes a cell of the demo: as a number or text (`Plain`), as text always, or as
/// a formula whose cached value is the cell's.
#[derive(Clone, Copy)]
enum Style {
    Plain,
    Text,
    Formula,
}

/// The demo's CSV files as a workbook at `path`, each sheet named by `rename` (the default
/// names when it returns None), each cell passed through `edit` (sheet, row, column, text).
fn write_demo(
    path: &Path,
    style: Style,
    rename: impl Fn(&str) -> Option<&'static str>,
    edit: impl Fn(&str, u32, &str, &str) -> Option<String>,
) {
    let mut book = Workbook::new();
    for f in FILES.iter().filter(|f| f.required) {
        let sheet = book.add_worksheet();
        sheet.set_name(rename(f.sheet).unwrap_or(f.sheet)).unwrap();
        let text = std::fs::read_to_string(Path::new(ROOT).join("data/demo").join(f.file)).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader.headers().unwrap().clone();
        for (c, h) in header.iter().enumerate() {
            sheet.write_string(0, c as u16, h).unwrap();
        }
        for (r, record) in reader.records().enumerate() {
            let row = r as u32 + 1;
            for (c, (h, t)) in header.iter().zip(record.unwrap().iter()).enumerate() {
                let t = edit(f.sheet, row + 1, h, t).unwrap_or_else(|| t.to_string());
                let c = c as u16;
                match (t.parse::<f64>(), style) {
                    _ if t.is_empty() => {}
                    (Ok(v), Style::Plain) => {
                        sheet.write_number(row, c, v).unwrap();
                    }
                    (Ok(_), Style::Formula) => {
                        let f = Formula::new(format!("=VALUE(\"{t}\")")).set_result(t.clone());
                        sheet.write_formula(row, c, f).unwrap();
                    }
                    _ => {
                        sheet.write_string(row, c, &t).unwrap();
                    }
                }
            }
        }
    }
    book.save(path).unwrap();
}

fn validate(data: &Path) -> common::Out {
    run(cartnet().arg("validate").arg("--data").arg(data))
}

/// validate's report without its first line (which names the data).
fn diagnostics(stdout: &str) -> String {
    stdout.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
fn numbers_typed_as_text_and_formulas_read_as_the_csvs_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let csv = validate(&Path::new(ROOT).join("data/demo"));
    assert_eq!(csv.code, Some(0), "{}", csv.stderr);
    for (name, style) in [("text.xlsx", Style::Text), ("formula.xlsx", Style::Formula)] {
        let path = dir.path().join(name);
        write_demo(&path, style, |_| None, |_, _, _, _| None);
        let o = validate(&path);
        assert_eq!(o.code, Some(0), "{name}: {}", o.stderr);
        assert_eq!(diagnostics(&o.stdout), diagnostics(&csv.stdout), "{name}");
    }
}

#[test]
fn a_misnamed_sheet_gets_a_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let rename = |s: &str| (s == "sites").then_some("Site");
    write_demo(&path, Style::Plain, rename, |_, _, _, _| None);
    let o = validate(&path);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr.starts_with(
            "E009 book.xlsx: the workbook has no sheet \"sites\" (did you mean \"Site\"?); its \
             sheets are \"demand\", \"hospitals\", \"Site\"; an instance needs sheets demand, \
             hospitals and sites (lanes is optional)\n"
        ),
        "{}",
        o.stderr
    );
}

#[test]
fn a_bad_cell_is_located_in_its_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("book.xlsx");
    let edit = |sheet: &str, row: u32, col: &str, _: &str| match (sheet, row, col) {
        ("sites", 7, "lat") => Some("95".to_string()),
        ("sites", 4, "max_platforms") => Some("3.5".to_string()),
        ("demand", 3, "patients") => Some("1,234".to_string()),
        _ => None,
    };
    write_demo(&path, Style::Plain, |_| None, edit);
    let o = validate(&path);
    assert_eq!(o.code, Some(1));
    let lines: Vec<&str> = o.stderr.lines().collect();
    assert_eq!(
        &lines[..3],
        [
            "E102 book.xlsx!demand!E3: column patients: \"1,234\" is not a number: write numbers \
             without thousands separators and with a decimal point (e.g. 1234.5)",
            "E103 book.xlsx!sites!G4: column max_platforms: \"3.5\" is not a whole number >= 0",
            "E106 book.xlsx!sites!C7: column lat: \"95\" is out of range: expected a number in \
             [-90, 90]",
        ],
        "{}",
        o.stderr
    );
}

#[test]
fn the_template_holds_every_column_and_a_filled_one_solves() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("instance.xlsx");
    let p = path.display().to_string();
    ok(&["template", "--out", &p]);
    let wb: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["README", "demand", "hospitals", "sites", "lanes"]
    );
    let readme = rows(&sheet(&path, "README"));
    for f in FILES {
        let range = sheet(&path, f.sheet);
        let header: Vec<String> = range
            .rows()
            .next()
            .unwrap()
            .iter()
            .map(|c| c.to_string())
            .collect();
        let names: Vec<&str> = f.columns.iter().map(|c| c.name).collect();
        assert_eq!(header, names, "{}", f.sheet);
        assert_eq!(range.height(), 1, "{} has only its header", f.sheet);
        for c in f.columns {
            let row = readme
                .iter()
                .find(|r| is(&r["sheet"], f.sheet) && is(&r["column"], c.name))
                .unwrap_or_else(|| panic!("README lacks {}.{}", f.sheet, c.name));
            assert!(
                !row["meaning"].to_string().is_empty(),
                "{}.{}",
                f.sheet,
                c.name
            );
        }
    }
    // the empty template reads as an instance with no rows, each sheet located
    let o = validate(&path);
    assert_eq!(o.code, Some(1));
    assert!(
        o.stderr
            .starts_with("E205 instance.xlsx!demand: the sheet has a header but no rows"),
        "{}",
        o.stderr
    );
    // writing over it needs --force
    let again = run(cartnet().args(["template", "--out", &p]));
    assert_eq!(again.code, Some(1));
    assert!(again.stderr.starts_with("E507 --out: "), "{}", again.stderr);
    ok(&["template", "--out", &p, "--from", "data/demo", "--force"]);
    assert_eq!(validate(&path).code, Some(0));
}

#[test]
fn the_shipped_demo_workbook_is_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("demo.xlsx");
    ok(&[
        "template",
        "--from",
        "data/demo",
        "--out",
        &fresh.display().to_string(),
    ]);
    let shipped = Path::new(ROOT).join("examples/demo.xlsx");
    let names = open_workbook::<Xlsx<_>, _>(&shipped).unwrap().sheet_names();
    assert_eq!(
        names,
        open_workbook::<Xlsx<_>, _>(&fresh).unwrap().sheet_names()
    );
    for name in &names {
        assert_eq!(
            sheet(&shipped, name),
            sheet(&fresh, name),
            "examples/demo.xlsx sheet {name} is not data/demo's: run cartnet template --from \
             data/demo --out examples/demo.xlsx --force"
        );
    }
}

#[test]
fn years_and_scenarios_get_their_sheets() {
    let dir = tempfile::tempdir().unwrap();
    let out = |n: &str| dir.path().join(n).display().to_string();
    ok(&[
        "solve",
        "--set",
        "horizon.years=3",
        "--gap",
        "0.01",
        "--out",
        &out("years"),
    ]);
    let scenarios = "examples/demo_scenarios.csv";
    ok(&[
        "solve",
        "--scenarios",
        scenarios,
        "--gap",
        "0.01",
        "--out",
        &out("two"),
    ]);
    let book = dir.path().join("years/plan.xlsx");
    let plan = read_plan(&dir.path().join("years/plan.json"));
    let years = rows(&sheet(&book, "Years"));
    let planned = plan["years"].as_array().unwrap();
    assert_eq!(years.len(), 3);
    for (row, y) in years.iter().zip(planned) {
        assert_eq!(num(&row["year"]), y["year"].as_f64().unwrap());
        assert_eq!(
            num(&row["cost_total"]),
            y["cost"]["total"].as_f64().unwrap()
        );
    }
    let book = dir.path().join("two/plan.xlsx");
    let plan = read_plan(&dir.path().join("two/plan.json"));
    let names = open_workbook::<Xlsx<_>, _>(&book).unwrap().sheet_names();
    assert_eq!(names.last().map(String::as_str), Some("Scenarios"));
    assert!(!names.contains(&"Years".to_string()));
    let got = rows(&sheet(&book, "Scenarios"));
    let want = plan["scenarios"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (row, s) in got.iter().zip(want) {
        assert!(is(&row["scenario"], s["id"].as_str().unwrap()));
        assert_eq!(num(&row["probability"]), s["probability"].as_f64().unwrap());
        assert_eq!(
            num(&row["cost_total"]),
            s["cost"]["total"].as_f64().unwrap()
        );
        let flows = rows(&sheet(&book, "Batch flows"));
        let mine = flows
            .iter()
            .filter(|f| is(&f["scenario"], s["id"].as_str().unwrap()));
        let total: f64 = mine.map(|f| num(&f["batches"])).sum();
        let planned: f64 = s["batch_flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["batches"].as_f64().unwrap())
            .sum();
        assert!(
            (total - planned).abs() < 1e-6,
            "{}: {total} vs {planned}",
            s["id"]
        );
    }
    assert!(
        rows(&sheet(&book, "Summary"))
            .iter()
            .any(|r| is(&r["section"], "stochastic") && is(&r["item"], "vss"))
    );
}
