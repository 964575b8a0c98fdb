//! Issue #15, printed output: text from the input cannot drive the terminal or reorder what is
//! printed beside it (control and bidirectional characters are shown escaped; the HTML report
//! isolates user text in `<bdi>`), an idle existing site reads "existing, idle", the cost lines
//! say what the unmet-demand penalty does, and coverage reads the same everywhere.

mod common;

use common::{ROOT, cartnet, run};
use serde_json::Value;
use std::ffi::OsStr;
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

/// Whether a terminal acts on `c`: ESC, BEL, CR, or a bidi control.
fn acts_on_terminal(c: &char) -> bool {
    matches!(c, '\u{1b}' | '\u{7}' | '\r') || BIDI.contains(c)
}

/// Runs cartnet with `args`, expects exit `code`, checks that its stdout holds no character a
/// terminal acts on, and returns it.
fn printed(args: &[&OsStr], code: i32) -> String {
    let o = cartnet().args(args).output().expect("cartnet runs");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(code), "{stderr}");
    let stdout = String::from_utf8(o.stdout).expect("stdout is UTF-8");
    let found: Vec<char> = stdout.chars().filter(acts_on_terminal).collect();
    assert_eq!(found, [], "raw controls in:\n{stdout}");
    stdout
}

/// Asserts that `text` (what `what` printed or wrote) holds `part`.
fn assert_holds(text: &str, part: &str, what: &str) {
    assert!(text.contains(part), "{what} lacks {part:?}:\n{text}");
}

fn solve_spoofed(dir: &Path, data: &Path) -> (PathBuf, String) {
    let out = dir.join("out");
    let model = baseline();
    let args = ["solve".as_ref(), "--data".as_ref(), data.as_os_str()];
    let more = [
        "--model".as_ref(),
        model.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ];
    let stdout = printed(&[&args[..], &more[..]].concat(), 0);
    (out, stdout)
}

#[test]
fn validate_prints_ids_and_names_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let model = baseline();
    let text = printed(
        &[
            "validate".as_ref(),
            "--data".as_ref(),
            data.as_os_str(),
            "--model".as_ref(),
            model.as_os_str(),
        ],
        0,
    );
    let line = "  D36033\\u{1b}]0;pwned\\u{7} Franklin\\u{1b}[2J\\r County, NY (0.7 patients a year): \
                no hospital within the 2 h travel limit; the nearest is \
                ALBANY\\u{1b}[2J MEDICAL\\u{202e} CENTER 12 (H0002012208) at 4.3 h";
    assert_holds(&text, line, "validate");
}

#[test]
fn solve_summary_prints_ids_and_reasons_escaped() {
    let dir = TempDir::new().unwrap();
    let data = spoofed_demo(dir.path());
    let (out, text) = solve_spoofed(dir.path(), &data);
    for part in [
        // the site table stays aligned: the escaped id is as wide as it is printed
        "\nS-MSK\\u{202e}                owned                    2      46.6       100.0 %\n",
        "\nS-MORRIS\\u{1b}]0;pwned\\u{7}  existing, idle           0",
        "  D36033\\u{1b}]0;pwned\\u{7} (0.7 patients a year): no hospital",
    ] {
        assert_holds(&text, part, "the summary");
    }
    // the data files keep the user's text as it is
    let plan = std::fs::read_to_string(out.join("plan.json")).unwrap();
    assert_holds(&plan, &format!("\"S-MSK{RLO}\""), "plan.json");
    let sites_csv = std::fs::read_to_string(out.join("sites.csv")).unwrap();
    assert_holds(&sites_csv, &format!("S-MORRIS{TITLE}"), "sites.csv");
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
    let text = printed(&["verify".as_ref(), path.as_os_str()], 1);
    assert_holds(&text, "S-MSK\\u{202e}", "verify");
    assert_holds(&text, "the plan does not hold", "verify");
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
    let text = printed(
        &[
            "sweep".as_ref(),
            "--sweep".as_ref(),
            file.as_os_str(),
            "--out".as_ref(),
            out.as_os_str(),
        ],
        0,
    );
    assert!(
        text.starts_with("Spoof\\u{1b}[2J\\r\\u{202e} (2 scenarios;"),
        "{text}"
    );
    assert_holds(&text, "base\\u{1b}]0;pwned\\u{7}", "the sweep table");
    assert_holds(&text, "  99.86 %  ", "the sweep table's coverage");
    let note = "cost a year: unmet-demand penalty included; cost/patient: per patient served, \
                unmet-demand penalty excluded";
    assert_holds(&text, note, "the sweep table");
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
    plan: String,
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
            plan: std::fs::read_to_string(out.join("plan.json")).unwrap(),
        }
    })
}

#[test]
fn an_idle_existing_site_reads_existing_idle() {
    let d = demo();
    let row = "\nS-MORRIS  existing, idle           0       0.0         0.0 %\n";
    assert_holds(&d.stdout, row, "the summary");
    assert_holds(
        &d.html,
        "</span>existing, idle</td>",
        "the report's site table",
    );
    // sites.csv keeps the status DESIGN §7 documents (owned, franchise, closed)
    assert_holds(&d.sites_csv, "\n1,S-MORRIS,owned,0,0,0\n", "sites.csv");
}

#[test]
fn the_cost_says_it_includes_the_penalty_and_the_cost_per_patient_that_it_does_not() {
    let d = demo();
    for line in [
        "\ncost                  $89,919,772 a year (unmet-demand penalty included)\n",
        "\ncost per patient      $159,570 (per patient served, unmet-demand penalty excluded)\n",
    ] {
        assert_holds(&d.stdout, line, "the summary");
    }
    for note in [
        "USD per year, all lines, the unmet-demand penalty included",
        "per patient served, the unmet-demand penalty excluded",
    ] {
        assert_holds(&d.html, note, "the report's cards");
    }
}

#[test]
fn coverage_is_rounded_the_same_in_the_summary_and_the_report() {
    let d = demo();
    let line = "\ncoverage              99.86 % (558.5 of 559.3 patients a year)\n";
    assert_holds(&d.stdout, line, "the summary");
    assert_holds(
        &d.html,
        "<div class=\"k-value\">99.86 %</div>",
        "the report's coverage card",
    );
}

#[test]
fn a_data_folder_recorded_in_a_plan_is_quoted_escaped() {
    let dir = TempDir::new().unwrap();
    let mut plan: Value = serde_json::from_str(&demo().plan).unwrap();
    plan["instance"]["data"] = format!("nowhere{TITLE}").into();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, serde_json::to_string(&plan).unwrap()).unwrap();
    for command in ["verify", "report"] {
        let o = cartnet().arg(command).arg(&path).output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8(o.stderr).unwrap();
        let found: Vec<char> = stderr.chars().filter(acts_on_terminal).collect();
        assert_eq!(found, [], "{command}: raw controls in:\n{stderr}");
        assert_holds(&stderr, "nowhere\\u{1b}]0;pwned\\u{7}", command);
    }
}
