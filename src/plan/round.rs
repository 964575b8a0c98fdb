//! Rounding of the plan's values, so the same input gives the same bytes.

/// Millionths: solver noise lies below them, and a plan's flows and counts need no finer.
const MILLIONTHS: f64 = 1e6;
/// Cents: money is written to the cent.
const CENTS_PER_DOLLAR: f64 = 100.0;
/// Milliseconds: a duration finer than that is timing noise.
const MILLIS_PER_SECOND: f64 = 1000.0;

/// `v` rounded half away from zero to a whole number of `1 / per_unit` (1e6: 6 decimals): the
/// one rounding rule of every value a plan or a sweep writes.
pub fn round_to(v: f64, per_unit: f64) -> f64 {
    (v * per_unit).round() / per_unit
}

/// Rounds to 6 decimals and clears solver noise, so plans compare byte for byte.
pub fn clean(v: f64) -> f64 {
    unsigned_zero(round_to(v, MILLIONTHS))
}

/// Rounds money to the cent.
pub fn cents(v: f64) -> f64 {
    unsigned_zero(round_to(v, CENTS_PER_DOLLAR))
}

/// Rounds a duration to the millisecond: finer is timing noise.
pub fn millis(seconds: f64) -> f64 {
    round_to(seconds, MILLIS_PER_SECOND)
}

/// -0.0 as 0.0, so a value rounded to zero is written without a sign.
fn unsigned_zero(r: f64) -> f64 {
    if r == 0.0 { 0.0 } else { r }
}
