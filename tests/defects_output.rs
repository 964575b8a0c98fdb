//! Issue #15, printed output: text from the input cannot drive the terminal or reorder what is
//! printed beside it (control and bidirectional characters are shown escaped; the HTML report
//! isolates user text in `<bdi>`), an idle existing site reads "existing, idle", the cost lines
//! say what the unmet-demand penalty does, and coverage reads the same everywhere.

mod common;

use common::{ROOT, cartnet, run};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use tempfile::TempDir;

/// Escape sequences that retitle (`ESC ] 0 ; ... BEL`) and clear (`ESC [ 2 J`) a terminal, a
/// carriage return that overprints the line, and a right-to-left override.
const TITLE: &str = "\u{1b}]0;pwned\u{7}";
const CLEAR: &str = "\u{1b}[2J";
const RLO: char = '\u{202e}';

/// Bidirectional controls: ALM, LRM, RLM, LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI.
const BIDI: [char; 12] = [
    '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}',
    '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
];

fn baseline() -> PathBuf {
    Path::new(ROOT).join("models/baseline.toml")
}

/// Replaces `from` by `to` (once, and it must be there) in `dir/file`.
fn replace(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} lacks {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// A copy of the demo whose ids and names carry terminal controls: the demand point left
/// unserved, the hospital its reason names, the idle existing site, and a site id with U+202E.
fn spoofed_demo(dir: &Path) -> PathBuf {
    let data = dir.join("data");
    std::fs::create_dir(&data).unwrap();
    for f in ["demand.csv", "hospitals.csv", "sites.csv"] {
        std::fs::copy(Path::new(ROOT).join("data/demo").join(f), data.join(f)).unwrap();
    }
    replace(
        &data,
        "demand.csv",
        "D36033,\"Franklin County, NY\"",
        &format!("\"D36033{TITLE}\",\"Franklin{CLEAR}\r County, NY\""),
    );
    replace(
        &data,
        "hospitals.csv",
        "H0002012208,ALBANY MEDICAL CENTER,",
        &format!("H0002012208,\"ALBANY{CLEAR} MEDICAL{RLO} CENTER 12\","),
    );
    replace(
        &data,
        "sites.csv",
        "S-MORRIS,",
        &format!("\"S-MORRIS{TITLE}\","),
    );
    replace(&data, "sites.csv", "S-MSK,", &format!("\"S-MSK{RLO}\","));
    data
}

/// The controls `bytes` holds that a terminal acts on: ESC, BEL, CR and the bidi controls.
fn controls(bytes: &[u8]) -> Vec<char> {
    String::from_utf8_lossy(bytes)
        .chars()
        .filter(|c| matches!(c, '\u{1b}' | '\u{7}' | '\r') || BIDI.contains(c))
        .collect()
}

fn stdout_of(args: &[&std::ffi::OsStr]) -> (Option<i32>, Vec<u8>, String) {
    let o = cartnet().args(args).output().expect("cartnet runs");
    (
        o.status.code(),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn solve_spoofed(dir: &Path, data: &Path) -> (PathBuf, Vec<u8>) {
    let out = dir.join("out");
    let (code, stdout, stderr) = stdout_of(&[
        "solve".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--model".as_ref(),
        baseline().as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    (out, stdout)
}

#[test]
fn validate_prints_ids_and_names_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let (code, stdout, stderr) = stdout_of(&[
        "validate".as_ref(),
        "--data".as_ref(),
        data.as_os_str(),
        "--model".as_ref(),
        baseline().as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        controls(&stdout),
        [],
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.contains(
            "  D36033\\u{1b}]0;pwned\\u{7} Franklin\\u{1b}[2J\\r County, NY (0.7 patients a year): \
             no hospital within the 2 h travel limit; the nearest is \
             ALBANY\\u{1b}[2J MEDICAL\\u{202e} CENTER 12 (H0002012208) at 4.3 h"
        ),
        "{text}"
    );
}

#[test]
fn solve_summary_prints_ids_and_reasons_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let (out, stdout) = solve_spoofed(dir.path(), &data);
    assert_eq!(
        controls(&stdout),
        [],
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    // the site table stays aligned: the escaped id is as wide as it is printed
    assert!(
        text.contains(
            "\nS-MSK\\u{202e}                owned                    2      46.6       100.0 %\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("\nS-MORRIS\\u{1b}]0;pwned\\u{7}  existing, idle           0"),
        "{text}"
    );
    assert!(
        text.contains("  D36033\\u{1b}]0;pwned\\u{7} (0.7 patients a year): no hospital"),
        "{text}"
    );
    // the data files keep the user's text as it is
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("plan.json")).unwrap()).unwrap();
    let ids: Vec<&str> = plan["sites"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&format!("S-MSK{RLO}").as_str()), "{ids:?}");
    let sites_csv = std::fs::read_to_string(out.join("sites.csv")).unwrap();
    assert!(
        sites_csv.contains(&format!("S-MORRIS{TITLE}")),
        "{sites_csv}"
    );
}

#[test]
fn verify_prints_violations_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let (out, _) = solve_spoofed(dir.path(), &data);
    // a plan whose site S-MSK<RLO> makes batches on no platform
    let path = out.join("plan.json");
    let mut plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let msk = format!("S-MSK{RLO}");
    for site in plan["sites"].as_array_mut().unwrap() {
        if site["id"] == msk.as_str() {
            site["platforms"] = 0.into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let (code, stdout, stderr) = stdout_of(&["verify".as_ref(), path.as_os_str()]);
    assert_eq!(code, Some(1), "{stderr}");
    assert_eq!(
        controls(&stdout),
        [],
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    assert!(text.contains("S-MSK\\u{202e}"), "{text}");
    assert!(text.contains("the plan does not hold"), "{text}");
}

#[test]
fn sweep_table_prints_its_title_and_levels_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let model = dir.path().join(format!("base{TITLE}.toml"));
    std::fs::copy(baseline(), &model).unwrap();
    let file = dir.path().join("sweep.toml");
    let toml_string = |s: &str| serde_json::to_string(s).unwrap();
    std::fs::write(
        &file,
        format!(
            "title = {}\ndata = {}\n[[vary]]\nkey = \"model\"\nvalues = [{}, {}]\n",
            toml_string(&format!("Spoof{CLEAR}\r{RLO}")),
            toml_string(data.to_str().unwrap()),
            toml_string(baseline().to_str().unwrap()),
            toml_string(model.to_str().unwrap()),
        ),
    )
    .unwrap();
    let out = dir.path().join("sweep");
    let (code, stdout, stderr) = stdout_of(&[
        "sweep".as_ref(),
        "--sweep".as_ref(),
        file.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        controls(&stdout),
        [],
        "{}",
        String::from_utf8_lossy(&stdout)
    );
    let text = String::from_utf8(stdout).unwrap();
    assert!(
        text.starts_with("Spoof\\u{1b}[2J\\r\\u{202e} (2 scenarios;"),
        "{text}"
    );
    assert!(text.contains("base\\u{1b}]0;pwned\\u{7}"), "{text}");
    assert!(
        text.contains("  99.86 %  "),
        "coverage as the summary rounds it:\n{text}"
    );
    assert!(
        text.contains(
            "cost a year: unmet-demand penalty included; cost/patient: per patient served, \
             unmet-demand penalty excluded"
        ),
        "{text}"
    );
}

/// `html` without its `<bdi>...</bdi>` spans.
fn outside_bdi(html: &str) -> String {
    let mut rest = html;
    let mut out = String::new();
    while let Some(start) = rest.find("<bdi>") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("</bdi>").expect("every <bdi> is closed");
        assert!(
            !rest[start + 5..start + end].contains('<'),
            "markup inside <bdi>"
        );
        rest = &rest[start + end + 6..];
    }
    out.push_str(rest);
    out
}

#[test]
fn report_isolates_user_text_and_escapes_it_in_the_map() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let (out, _) = solve_spoofed(dir.path(), &data);
    let r = run(cartnet().arg("report").arg(out.join("plan.json")));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // U+202E appears only inside <bdi>: it reorders the id, not the batches beside it
    assert!(html.contains(&format!("<bdi>S-MSK{RLO}</bdi> (46.6)")));
    let bare: Vec<char> = outside_bdi(&html)
        .chars()
        .filter(|c| BIDI.contains(c) || *c == '\u{1b}')
        .collect();
    assert_eq!(bare, [], "controls outside <bdi>");
    // the map's tooltips and labels are plain text: shown escaped
    assert!(
        html.contains(">S-MSK\\u{202e}</text>"),
        "the site's map label"
    );
    // the reason, a sentence quoting the hospital's name, shows the controls escaped
    assert!(html.contains("the nearest is ALBANY\\u{1b}[2J MEDICAL\\u{202e} CENTER 12"));
}

/// What the demo prints and writes, solved once for the tests below (its Morris Plains plant
/// exists and stays idle; two demand points are out of reach).
struct Demo {
    stdout: String,
    html: String,
    sites_csv: String,
}

fn demo() -> &'static Demo {
    static DEMO: OnceLock<Demo> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = TempDir::new().unwrap();
        let out = dir.path().join("out");
        let s = run(cartnet().arg("solve").arg("--out").arg(&out));
        assert_eq!(s.code, Some(0), "{}", s.stderr);
        let r = run(cartnet().arg("report").arg(out.join("plan.json")));
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        Demo {
            stdout: s.stdout,
            html: std::fs::read_to_string(out.join("report.html")).unwrap(),
            sites_csv: std::fs::read_to_string(out.join("sites.csv")).unwrap(),
        }
    })
}

#[test]
fn an_idle_existing_site_reads_existing_idle() {
    let d = demo();
    assert!(
        d.stdout
            .contains("\nS-MORRIS  existing, idle           0       0.0         0.0 %\n"),
        "{}",
        d.stdout
    );
    assert!(
        d.html.contains("</span>existing, idle</td>"),
        "the report's site table"
    );
    // sites.csv keeps the status DESIGN §7 documents (owned, franchise, closed)
    assert!(
        d.sites_csv.contains("\n1,S-MORRIS,owned,0,0,0\n"),
        "{}",
        d.sites_csv
    );
}

#[test]
fn the_cost_says_it_includes_the_penalty_and_the_cost_per_patient_that_it_does_not() {
    let d = demo();
    assert!(
        d.stdout.contains(
            "\ncost                  $89,919,772 a year (unmet-demand penalty included)\n"
        ),
        "{}",
        d.stdout
    );
    assert!(
        d.stdout.contains(
            "\ncost per patient      $159,570 (per patient served, unmet-demand penalty excluded)\n"
        ),
        "{}",
        d.stdout
    );
    assert!(
        d.html
            .contains("USD per year, all lines, the unmet-demand penalty included")
    );
    assert!(
        d.html
            .contains("per patient served, the unmet-demand penalty excluded")
    );
}

#[test]
fn coverage_is_rounded_the_same_in_the_summary_and_the_report() {
    let d = demo();
    assert!(
        d.stdout
            .contains("\ncoverage              99.86 % (558.5 of 559.3 patients a year)\n"),
        "{}",
        d.stdout
    );
    assert!(
        d.html.contains("<div class=\"k-value\">99.86 %</div>"),
        "the report's coverage card"
    );
}
