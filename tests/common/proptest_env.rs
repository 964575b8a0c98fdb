//! The settings of the brute-force property tests, overridable from the environment:
//! `PROPTEST_CASES` (default 256) and a seed variable of each test's own.

use proptest::test_runner::{Config, RngSeed};

/// A whole number from the environment variable `name`, if set and valid.
pub fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// 256 cases (or `PROPTEST_CASES`), the fixed seed `seed` (or the variable `seed_var`), no
/// persisted failures, shrinking at most `shrink` steps.
pub fn config(seed_var: &str, seed: u64, shrink: u32) -> Config {
    Config {
        cases: env_u64("PROPTEST_CASES").map_or(256, |c| c as u32),
        rng_seed: RngSeed::Fixed(env_u64(seed_var).unwrap_or(seed)),
        failure_persistence: None,
        max_shrink_iters: shrink,
        ..Config::default()
    }
}
