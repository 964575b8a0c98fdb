//! Single sourcing on OR-Library instances whose largest customer exceeds every capacity:
//! `cartnet solve` reports the model infeasible at once (exit 2), naming the hospitals (the
//! customers) that no site can hold, without running HiGHS.

mod common;
use cartnet::text::grouped;
use common::{import, run, solve_imported};

use std::time::{Duration, Instant};

/// Long enough for the check and the network; far below what HiGHS would take on the model.
const AT_ONCE: Duration = Duration::from_secs(10);

#[test]
fn a_customer_larger_than_every_facility_is_infeasible_at_once() {
    let Some(dir) = common::orlib_dir() else {
        eprintln!("skipped: ../shared/bench/orlib-cap is not beside the project");
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("cap41");
    let out = import("orlib-cap", &dir.join("cap41.txt"), &data);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let started = Instant::now();
    let single = [
        "--set",
        "policy.single_sourcing=true",
        "--time-limit",
        "600",
    ];
    let out = solve_imported(&data, &work.path().join("out"), &single);
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert_eq!(out.code, Some(2), "{}{}", out.stdout, out.stderr);
    // the customers whose demand exceeds every capacity, from the file itself
    let text = std::fs::read_to_string(dir.join("cap41.txt")).unwrap();
    let inst = cartnet::import::orlib::parse(&text, "cap41.txt", None).unwrap();
    let largest = inst.capacity.iter().cloned().fold(0.0, f64::max);
    let site = 1 + inst.capacity.iter().position(|&c| c == largest).unwrap();
    let too_big: Vec<(usize, f64)> = (inst.demand.iter().enumerate())
        .filter(|&(_, &d)| d > largest)
        .map(|(j, &d)| (j + 1, d))
        .collect();
    assert!(!too_big.is_empty(), "cap41 has no customer above {largest}");
    for (j, d) in &too_big {
        let (need, cap) = (grouped(*d, 0), grouped(largest, 0));
        let line = format!(
            "  - hospital H{j} needs {need} batches a year from one site (single sourcing), but \
             the largest site it reaches makes {cap} (F{site}); its {need} patients a year live \
             at demand points that reach no other hospital (C{j})"
        );
        assert!(out.stderr.contains(&line), "{line}\n{}", out.stderr);
    }
    assert_eq!(
        out.stderr.matches("  - ").count(),
        too_big.len(),
        "{}",
        out.stderr
    );
    assert!(!work.path().join("out").exists());
    // split demand fits: the multi-source model is solved as before
    let out = solve_imported(&data, &work.path().join("multi"), &[]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn the_single_source_bench_reports_them_infeasible_at_once() {
    let Some(dir) = common::orlib_dir() else {
        eprintln!("skipped: ../shared/bench/orlib-cap is not beside the project");
        return;
    };
    let started = Instant::now();
    let out = run(&mut common::single_source_bench(&dir, "cap4", "600"));
    assert!(started.elapsed() < AT_ONCE, "took {:?}", started.elapsed());
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    for name in ["cap41", "cap42", "cap43", "cap44"] {
        let row = out
            .stdout
            .lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no row {name}: {}", out.stdout));
        assert!(row.starts_with("orlib-ss "), "{row}");
        assert_eq!(row.split_whitespace().nth(8), Some("infeasible"), "{row}");
        let note = format!("{name}: infeasible: hospital H11 needs ");
        assert!(out.stdout.contains(&note), "{}", out.stdout);
    }
}
