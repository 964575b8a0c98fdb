//! Shared helpers for integration tests, by role (other test files may `mod common;`):
//! - [`harness`]: running the real `cartnet` binary ([`cartnet`], [`run`]), reading its plan,
//!   `cartnet verify` on a plan ([`assert_verified`] that it holds, [`assert_caught`] that a
//!   tampered copy does not) and [`assert_rel`].
//! - [`instance`]: [`Instance::new`] writes demand.csv, hospitals.csv, sites.csv, an optional
//!   lanes.csv and a scenario TOML (any subset of keys; the rest are the baseline defaults) into a
//!   temporary folder; [`Instance::solve`] runs `cartnet solve --data --model --out [args]` into a
//!   fresh folder; [`Instance::solve_ok`] also asserts exit 0 and checks the plan.
//! - [`browser`]: headless Chromium (screenshots, the DOM after scripts ran).
//! - [`min_cost_flow`]: the brute-force oracles' exact min-cost flow.
//! - [`proptest_env`]: the brute-force property tests' settings (cases, seed) from the
//!   environment.
//! - [`checker`]: [`check_plan`], the independent single-year check of a plan.json against the
//!   data it was made from.
#![allow(dead_code)]

pub mod browser;
pub mod checker;
pub mod harness;
pub mod instance;
pub mod min_cost_flow;
pub mod proptest_env;

// Each test file uses a part of these; what one leaves unused is no mistake.
#[allow(unused_imports)]
pub use checker::*;
#[allow(unused_imports)]
pub use harness::*;
#[allow(unused_imports)]
pub use instance::*;
