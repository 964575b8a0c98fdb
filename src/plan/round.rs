//! Rounding of the plan's values, so the same input gives the same bytes.

/// Rounds to 6 decimals and clears solver noise, so plans compare byte for byte.
pub fn clean(v: f64) -> f64 {
    let r = (v * 1e6).round() / 1e6;
    if r == 0.0 { 0.0 } else { r }
}

/// Rounds money to the cent.
pub fn cents(v: f64) -> f64 {
    let r = (v * 100.0).round() / 100.0;
    if r == 0.0 { 0.0 } else { r }
}

/// Rounds a duration to the millisecond: finer is timing noise.
pub fn millis(seconds: f64) -> f64 {
    (seconds * 1000.0).round() / 1000.0
}
