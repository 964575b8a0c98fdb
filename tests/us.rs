//! `cartnet import us`, end to end through the real binary.
//!
//! - Small hand-written files in a temporary folder check the input quirks: a BOM and CRLF line
//!   ends, extra columns, sign- and zero-padded coordinates, FIPS and HIFLD ids that lost their
//!   leading zeros, BEDS = -999, closed hospitals, other hospital types, Puerto Rico and the other
//!   territories, the state floor and its trauma tie-breaker, missing columns and bad cells, and
//!   that the instance written is one `cartnet solve` reads.
//! - When the public files are in `../shared/geo` (beside the project), the national instance is
//!   built from them and its counts and totals are checked, a second build is compared byte for
//!   byte, and it is solved with a time limit. Without that folder these tests say so and pass
//!   without checking anything.

use assert_cmd::Command;
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const FILES: [&str; 4] = ["demand.csv", "hospitals.csv", "sites.csv", "README.md"];

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn cartnet(args: &[&str]) -> Output {
    let out = Command::cargo_bin("cartnet")
        .unwrap()
        .args(args)
        .output()
        .unwrap();
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Runs `cartnet import us --counties C --hospitals H --out OUT <extra>`.
fn import(counties: &Path, hospitals: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "import",
        "us",
        "--counties",
        s(counties),
        "--hospitals",
        s(hospitals),
        "--out",
        s(out),
    ];
    args.extend_from_slice(extra);
    cartnet(&args)
}

/// A CSV file's rows (header dropped), split on commas outside quotes.
fn rows(path: &Path) -> Vec<Vec<String>> {
    let text = fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        for ch in line.chars() {
            match ch {
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(ch),
            }
        }
        fields.push(cur);
        out.push(fields);
    }
    out
}

fn assert_same_files(a: &Path, b: &Path) {
    for f in FILES {
        let (x, y) = (fs::read(a.join(f)).unwrap(), fs::read(b.join(f)).unwrap());
        assert!(x == y, "{f} differs between two runs on the same input");
    }
}

// ---------------------------------------------------------------------------------------------
// Quirks, on tiny hand-written files
// ---------------------------------------------------------------------------------------------

const COUNTIES: &str = "\
STATEFP,COUNTYFP,COUNAME,STNAME,POPULATION,LATITUDE,LONGITUDE
01,001,Autauga,Alabama,58805,+32.500194,-086.487813
36,61,New York,New York,1694251,+040.776400,-073.967400
72,001,Adjuntas,Puerto Rico,18181,+018.180000,-066.750000
1,3,Baldwin,Alabama,231767,+30.537396,-087.761478
";

/// HIFLD-like: BOM, CRLF, columns cartnet does not use, every kind of row to drop.
fn hospitals_csv() -> String {
    let rows = [
        "X,Y,OBJECTID,ID,NAME,STATE,TYPE,STATUS,LATITUDE,LONGITUDE,BEDS,TRAUMA,OWNER",
        "-73.9,40.7,1,0000000001,BIG CENTER,NY,GENERAL ACUTE CARE,OPEN,40.7643,-73.9566,800,LEVEL I,NON-PROFIT",
        "-73.9,40.7,2,0000000002,CLOSED HOSPITAL,NY,GENERAL ACUTE CARE,CLOSED,40.70,-73.90,900,LEVEL I,NON-PROFIT",
        "-73.9,40.7,3,0000000003,UNKNOWN BEDS,NY,GENERAL ACUTE CARE,OPEN,40.71,-73.91,-999,NOT AVAILABLE,NON-PROFIT",
        "-66.0,18.4,4,0000000004,SAN JUAN CENTER,PR,GENERAL ACUTE CARE,OPEN,18.40,-66.06,700,LEVEL I,GOVERNMENT",
        "-73.9,40.7,5,0000000005,PSYCH,NY,PSYCHIATRIC,OPEN,40.72,-73.92,600,NOT AVAILABLE,NON-PROFIT",
        "-86.3,32.4,6,0000000006,SMALL ALABAMA,AL,GENERAL ACUTE CARE,OPEN,32.40,-86.30,120,LEVEL III,PROPRIETARY",
        "-73.9,40.8,7,0000000007,KIDS,NY,CHILDREN,OPEN,+040.800000,-073.950000,550,LEVEL I PEDIATRIC,NON-PROFIT",
        "-73.8,40.8,8,8,\"MEDIUM, CENTER\",NY,GENERAL ACUTE CARE,OPEN,40.85,-73.85,520,NOT AVAILABLE,NON-PROFIT",
        "144.7,13.4,9,0000000009,GUAM MEMORIAL,GU,GENERAL ACUTE CARE,OPEN,13.48,144.77,900,NOT AVAILABLE,GOVERNMENT",
        "-86.3,32.4,10,0000000010,SMALLER ALABAMA,AL,GENERAL ACUTE CARE,OPEN,32.45,-86.35,120,LEVEL I,PROPRIETARY",
    ];
    format!("\u{feff}{}\r\n", rows.join("\r\n"))
}

struct Tiny {
    dir: TempDir,
}

impl Tiny {
    fn new() -> Tiny {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("CenPop.txt"), COUNTIES).unwrap();
        fs::write(dir.path().join("hifld.csv"), hospitals_csv()).unwrap();
        Tiny { dir }
    }
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn import(&self, out: &str, extra: &[&str]) -> Output {
        import(
            &self.path("CenPop.txt"),
            &self.path("hifld.csv"),
            &self.path(out),
            extra,
        )
    }
}

#[test]
fn quirks_are_handled_and_the_output_is_exact() {
    let t = Tiny::new();
    let run = t.import("out", &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let out = t.path("out");
    // FIPS with leading zeros restored and kept; Puerto Rico left out; padded coordinates.
    assert_eq!(
        fs::read_to_string(out.join("demand.csv")).unwrap(),
        "id,name,lat,lon,patients\n\
         D01001,\"Autauga County, AL\",32.500194,-86.487813,1.7642\n\
         D01003,\"Baldwin County, AL\",30.537396,-87.761478,6.9530\n\
         D36061,\"New York County, NY\",40.776400,-73.967400,50.8275\n"
    );
    // Closed, BEDS -999, psychiatric, Puerto Rico and Guam dropped; id 8 padded to 10 digits;
    // Alabama has no hospital with 500 beds: the state floor keeps its best-ranked one, and of
    // two with 120 beds the Level I trauma centre (10) wins over the Level III one (6).
    assert_eq!(
        fs::read_to_string(out.join("hospitals.csv")).unwrap(),
        "id,name,lat,lon,max_patients\n\
         H0000000001,BIG CENTER,40.764300,-73.956600,160\n\
         H0000000007,KIDS,40.800000,-73.950000,110\n\
         H0000000008,\"MEDIUM, CENTER\",40.850000,-73.850000,104\n\
         H0000000010,SMALLER ALABAMA,32.450000,-86.350000,24\n"
    );
    let sites = rows(&out.join("sites.csv"));
    let ids: Vec<&str> = sites.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "S-C-BOTHELL",
            "S-C-DEVENS",
            "S-C-ELSEGUNDO",
            "S-C-FREDERICK",
            "S-C-MORRIS",
            "S-C-RARITAN",
            "S-H0000000001",
            "S-H0000000007",
            "S-H0000000008",
            "S-H0000000010",
            "S-R01001",
            "S-R01003",
            "S-R36061",
        ]
    );
    for r in &sites {
        match r[4].as_str() {
            "central" => assert_eq!(&r[6..], ["100", "owned", "true"], "{r:?}"),
            "colocated" => assert_eq!(r[5], r[0]["S-".len()..], "{r:?}"),
            "regional" => assert_eq!(r[5], "", "{r:?}"),
            k => panic!("kind {k}"),
        }
    }
    let readme = fs::read_to_string(out.join("README.md")).unwrap();
    for needle in [
        "1 have BEDS = -999 (unknown) and are dropped",
        "1 are not OPEN (closed)",
        "1 are in Puerto Rico (add them with --include-pr) and 1 in other territories",
        "| AL | H0000000010 SMALLER ALABAMA | 120 | I |",
    ] {
        assert!(
            readme.contains(needle),
            "README lacks {needle:?}:\n{readme}"
        );
    }
    assert!(
        !readme.contains(s(t.dir.path())),
        "README names a local folder"
    );

    // Deterministic: a second run writes the same bytes.
    assert_eq!(t.import("again", &[]).code, Some(0));
    assert_same_files(&out, &t.path("again"));

    // `cartnet solve` reads it unchanged.
    let plan_dir = t.path("plan");
    let run = cartnet(&[
        "solve",
        "--data",
        s(&out),
        "--model",
        concat!(env!("CARGO_MANIFEST_DIR"), "/models/baseline.toml"),
        "--out",
        s(&plan_dir),
    ]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let plan: Value =
        serde_json::from_str(&fs::read_to_string(plan_dir.join("plan.json")).unwrap()).unwrap();
    assert_eq!(plan["solver"]["status"], "optimal");
}

#[test]
fn puerto_rico_comes_in_when_asked() {
    let t = Tiny::new();
    let run = t.import("out", &["--include-pr"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let demand = rows(&t.path("out/demand.csv"));
    assert!(
        demand
            .iter()
            .any(|r| r[0] == "D72001" && r[1] == "Adjuntas Municipio, PR")
    );
    let hospitals = rows(&t.path("out/hospitals.csv"));
    assert!(
        hospitals
            .iter()
            .any(|r| r[0] == "H0000000004" && r[4] == "140")
    );
    assert!(
        !hospitals.iter().any(|r| r[0] == "H0000000009"),
        "Guam is never in"
    );
}

#[test]
fn options_change_the_rules() {
    let t = Tiny::new();
    let run = t.import(
        "out",
        &[
            "--patients-per-100k",
            "1.5",
            "--min-beds",
            "600",
            "--min-per-state",
            "0",
            "--regional",
            "1",
            "--central-platforms",
            "40",
        ],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let demand = rows(&t.path("out/demand.csv"));
    assert_eq!(demand[2][4], "25.4138"); // 1,694,251 x 1.5 / 100,000
    let hospitals = rows(&t.path("out/hospitals.csv"));
    assert_eq!(hospitals.len(), 1);
    assert_eq!(hospitals[0][0], "H0000000001");
    let sites = rows(&t.path("out/sites.csv"));
    assert_eq!(sites.iter().filter(|r| r[4] == "regional").count(), 1);
    assert!(sites.iter().any(|r| r[0] == "S-R36061"));
    assert!(
        sites
            .iter()
            .filter(|r| r[4] == "central")
            .all(|r| r[6] == "40")
    );
}

#[test]
fn a_missing_column_is_a_precise_error_and_nothing_is_written() {
    let t = Tiny::new();
    let without_beds = hospitals_csv().replace(",BEDS,", ",BEDZ,");
    fs::write(t.path("hifld.csv"), without_beds).unwrap();
    let run = t.import("out", &[]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.contains(
            "E004 hifld.csv:1: required column \"beds\" is missing; required columns are \
             id, name, state, type, status, latitude, longitude, beds"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(!t.path("out").exists());
}

#[test]
fn bad_cells_are_all_reported_with_file_line_and_column() {
    let t = Tiny::new();
    let hospitals = hospitals_csv().replace(",800,LEVEL I,", ",lots,LEVEL I,");
    fs::write(t.path("hifld.csv"), hospitals).unwrap();
    let counties = COUNTIES
        .replace("+040.776400", "+140.776400")
        .replace("1,3,Baldwin", "1,3x,Baldwin");
    fs::write(t.path("CenPop.txt"), counties).unwrap();
    let run = t.import("out", &[]);
    assert_eq!(run.code, Some(1));
    for expected in [
        "E105 CenPop.txt:3: column latitude: \"+140.776400\" is out of range: expected a number in [-90, 90]",
        "E103 CenPop.txt:5: column countyfp: \"3x\" is not a county FIPS code (1 to 3 digits)",
        "E103 hifld.csv:2: column beds: \"lots\" is not a whole number >= 0",
        "3 errors in the input; nothing was written",
    ] {
        assert!(
            run.stderr.contains(expected),
            "missing {expected:?} in:\n{}",
            run.stderr
        );
    }
    assert!(!t.path("out").exists());
}

#[test]
fn a_latin1_file_is_read_as_latin1() {
    let t = Tiny::new();
    let mut counties = COUNTIES.as_bytes().to_vec();
    counties.extend_from_slice(b"35,013,Do\xF1a Ana,New Mexico,219561,+32.350000,-106.770000\n");
    fs::write(t.path("CenPop.txt"), counties).unwrap();
    let run = t.import("out", &[]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let demand = fs::read_to_string(t.path("out/demand.csv")).unwrap();
    assert!(
        demand.contains("D35013,\"Do\u{f1}a Ana County, NM\","),
        "{demand}"
    );
    let readme = fs::read_to_string(t.path("out/README.md")).unwrap();
    assert!(readme.contains("it was read as Latin-1"), "{readme}");
}

#[test]
fn an_unreadable_file_is_reported() {
    let t = Tiny::new();
    let run = import(
        &t.path("nope.txt"),
        &t.path("hifld.csv"),
        &t.path("out"),
        &[],
    );
    assert_eq!(run.code, Some(1));
    assert!(
        run.stderr.starts_with("E001 nope.txt: cannot read"),
        "{}",
        run.stderr
    );
}

#[test]
fn zip_layer_restores_leading_zeros_and_skips_rows_without_population() {
    let t = Tiny::new();
    fs::write(
        t.path("zips.csv"),
        "zip,lat,lng,population\r\n10001,40.75,-73.99,25000\r\n501,40.81,-73.04,\r\n\
         1001,42.06,-72.62,16000\r\n601,18.18,-66.75,17000\r\n96910,13.47,144.75,9000\r\n\
         2001,42.0,-71.0,0\r\n",
    )
    .unwrap();
    let run = t.import("out", &["--zip", s(&t.path("zips.csv"))]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.contains(
            "ZIP rows left out: 1 with no population, 1 in Puerto Rico, 1 in other territories, 1 with population 0"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        fs::read_to_string(t.path("out/demand.csv")).unwrap(),
        "id,name,lat,lon,patients\n\
         Z01001,ZIP 01001,42.060000,-72.620000,0.4800\n\
         Z10001,ZIP 10001,40.750000,-73.990000,0.7500\n"
    );
}

// ---------------------------------------------------------------------------------------------
// The national instance from ../shared/geo
// ---------------------------------------------------------------------------------------------

/// The public files, when they are beside the project.
fn geo() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/geo");
    let ok = ["CenPop2020_Mean_CO.txt", "hifld_Hospitals.csv"]
        .iter()
        .all(|f| dir.join(f).is_file());
    if !ok {
        println!(
            "SKIPPED: {} does not hold CenPop2020_Mean_CO.txt and hifld_Hospitals.csv; \
             the national instance was not built or checked",
            dir.display()
        );
        return None;
    }
    Some(dir)
}

#[test]
fn national_instance_builds_is_deterministic_and_solves() {
    let Some(geo) = geo() else { return };
    let counties = geo.join("CenPop2020_Mean_CO.txt");
    let hospitals = geo.join("hifld_Hospitals.csv");
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("us");
    let run = import(&counties, &hospitals, &out, &[]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    // Demand: the 3,143 counties of the 50 states + DC, 331,449,281 residents, 3 per 100,000.
    let demand = rows(&out.join("demand.csv"));
    assert_eq!(demand.len(), 3143);
    assert!(demand.iter().all(|r| r[0].len() == 6
        && r[0].starts_with('D')
        && r[0][1..].bytes().all(|b| b.is_ascii_digit())));
    assert_eq!(demand[0][0], "D01001");
    assert!(!demand.iter().any(|r| r[0].starts_with("D72")));
    let total: f64 = demand.iter().map(|r| r[4].parse::<f64>().unwrap()).sum();
    let expected = 331_449_281.0 * 3.0 / 1e5;
    assert!(
        (total - expected).abs() <= 3143.0 * 0.5e-4,
        "patients {total} vs {expected}"
    );
    assert!(
        run.stdout.contains("331,449,281 residents"),
        "{}",
        run.stdout
    );

    // Hospitals: the documented range, HIFLD ids, capacities by the rule.
    let hospital_rows = rows(&out.join("hospitals.csv"));
    let n = hospital_rows.len();
    assert!((200..=400).contains(&n), "{n} hospitals");
    for r in &hospital_rows {
        assert!(r[0].len() == 11 && r[0].starts_with('H'), "{r:?}");
        let cap: u32 = r[4].parse().unwrap();
        assert!((20..=200).contains(&cap), "{r:?}");
    }

    // Sites: one colocated per hospital, the regional candidates, six existing central plants.
    let sites = rows(&out.join("sites.csv"));
    let count = |k: &str| sites.iter().filter(|r| r[4] == k).count();
    assert_eq!(count("colocated"), n);
    assert_eq!(count("regional"), 50);
    assert_eq!(count("central"), 6);
    assert!(
        sites
            .iter()
            .filter(|r| r[4] == "central")
            .all(|r| r[7] == "owned" && r[8] == "true")
    );

    // Byte-identical on a second run.
    let again = tmp.path().join("again");
    assert_eq!(import(&counties, &hospitals, &again, &[]).code, Some(0));
    assert_same_files(&out, &again);

    // Puerto Rico on request: 3,221 points, 334,735,155 residents.
    let pr = tmp.path().join("pr");
    let run = import(&counties, &hospitals, &pr, &["--include-pr"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(rows(&pr.join("demand.csv")).len(), 3221);
    assert!(
        run.stdout.contains("334,735,155 residents"),
        "{}",
        run.stdout
    );

    // Solved with the baseline scenario, within a time limit.
    let plan_dir = tmp.path().join("plan");
    let run = cartnet(&[
        "solve",
        "--data",
        s(&out),
        "--model",
        concat!(env!("CARGO_MANIFEST_DIR"), "/models/baseline.toml"),
        "--out",
        s(&plan_dir),
        "--time-limit",
        "60",
        "--gap",
        "0.01",
    ]);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    let plan: Value =
        serde_json::from_str(&fs::read_to_string(plan_dir.join("plan.json")).unwrap()).unwrap();
    let status = plan["solver"]["status"].as_str().unwrap();
    assert!(status == "optimal" || status == "feasible", "{status}");
    println!(
        "national solve: {status}, gap {}, {} s, {} sites open, cost per patient {}",
        plan["solver"]["gap"],
        plan["solver"]["seconds"],
        plan["kpis"]["sites_open"],
        plan["kpis"]["cost_per_patient"]
    );
}

#[test]
fn national_zip_layer_builds() {
    let Some(geo) = geo() else { return };
    let zips = geo.join("uszips_zip_lat_lng_population.csv");
    if !zips.is_file() {
        println!("SKIPPED: {} is absent", zips.display());
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("zip");
    let run = import(
        &geo.join("CenPop2020_Mean_CO.txt"),
        &geo.join("hifld_Hospitals.csv"),
        &out,
        &["--zip", s(&zips)],
    );
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    // 33,775 rows, of which 1,063 have no population (the data's README).
    assert!(
        run.stdout.contains("1063 with no population"),
        "{}",
        run.stdout
    );
    let demand = rows(&out.join("demand.csv"));
    assert!(demand.len() > 30_000, "{} ZIP points", demand.len());
    assert!(demand.iter().all(|r| r[0].len() == 6
        && r[0].starts_with('Z')
        && r[0][1..].bytes().all(|b| b.is_ascii_digit())));
    assert!(demand.iter().any(|r| r[0].starts_with("Z0")));
    assert!(!demand.iter().any(|r| {
        ["Z006", "Z007", "Z009", "Z969"]
            .iter()
            .any(|p| r[0].starts_with(p))
    }));
    let again = tmp.path().join("again");
    let run = import(
        &geo.join("CenPop2020_Mean_CO.txt"),
        &geo.join("hifld_Hospitals.csv"),
        &again,
        &["--zip", s(&zips)],
    );
    assert_eq!(run.code, Some(0));
    assert_same_files(&out, &again);
}
