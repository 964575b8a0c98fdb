//! The distributions `[uncertainty]` may give a key, drawn from a [`Rng`] stream: by the inverse
//! of the distribution function where it has a closed form, Box–Muller for the lognormal, and
//! the inverse normal distribution function for the normal truncated to the key's range (so
//! that one draw always gives one value: no rejection loop, whatever the range).

use super::rng::Rng;
use crate::input::ranges::Range;

/// A distribution with checked parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// median · exp(sigma · z), z standard normal.
    Lognormal {
        median: f64,
        sigma: f64,
    },
    Uniform {
        low: f64,
        high: f64,
    },
    Triangular {
        low: f64,
        mode: f64,
        high: f64,
    },
    /// Normal, truncated to the key's range.
    Normal {
        mean: f64,
        sd: f64,
    },
    /// One of `values`, with probability proportional to `weights`.
    Discrete {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

/// The distributions by name, with their parameters (optional ones in brackets are noted in
/// [`Dist::parse`]).
pub const NAMES: [(&str, &[&str]); 5] = [
    ("lognormal", &["median", "sigma"]),
    ("uniform", &["low", "high"]),
    ("triangular", &["low", "mode", "high"]),
    ("normal", &["mean", "sd"]),
    ("discrete", &["values", "weights"]),
];

impl Dist {
    /// The name as written in `dist = "..."`.
    pub fn name(&self) -> &'static str {
        match self {
            Dist::Lognormal { .. } => "lognormal",
            Dist::Uniform { .. } => "uniform",
            Dist::Triangular { .. } => "triangular",
            Dist::Normal { .. } => "normal",
            Dist::Discrete { .. } => "discrete",
        }
    }

    /// One draw; a normal is truncated to `range`.
    pub fn sample(&self, rng: &mut Rng, range: Range) -> f64 {
        match self {
            Dist::Lognormal { median, sigma } => median * (sigma * rng.normal()).exp(),
            Dist::Uniform { low, high } => rng.range(*low, *high),
            Dist::Triangular { low, mode, high } => triangular(rng.unit(), *low, *mode, *high),
            Dist::Normal { mean, sd } => truncated_normal(rng.unit(), *mean, *sd, range),
            Dist::Discrete { values, weights } => values[rng.pick(weights, weights.iter().sum())],
        }
    }

    /// The distribution's mean (of the normal: before truncation).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Lognormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Dist::Normal { mean, .. } => *mean,
            Dist::Discrete { values, weights } => {
                let total: f64 = weights.iter().sum();
                values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total
            }
        }
    }
}

/// The triangular distribution's inverse distribution function at `u`.
fn triangular(u: f64, low: f64, mode: f64, high: f64) -> f64 {
    let width = high - low;
    if width <= 0.0 {
        return low;
    }
    if u < (mode - low) / width {
        low + (u * width * (mode - low)).sqrt()
    } else {
        high - ((1.0 - u) * width * (high - mode)).sqrt()
    }
}

/// The normal (mean, sd) truncated to `range`, at `u` in [0, 1): the inverse distribution
/// function on the range's share of the probability. It works on the side of the mean where
/// the distribution function is small, where it is precise, so that a range far in a tail still
/// gets values spread over it; when even that underflows, the range's end nearest the mean.
pub fn truncated_normal(u: f64, mean: f64, sd: f64, range: Range) -> f64 {
    let (za, zb) = ((range.min - mean) / sd, (range.max - mean) / sd);
    let flip = za + zb > 0.0;
    let (lo, hi) = if flip { (-zb, -za) } else { (za, zb) };
    let (p_lo, p_hi) = (phi(lo), phi(hi));
    let v = if p_hi > p_lo {
        let p = p_lo + u * (p_hi - p_lo);
        let z = if p <= 0.0 {
            lo
        } else {
            inverse_phi(p).clamp(lo, hi)
        };
        let z = if flip { -z } else { z };
        (mean + sd * z).clamp(range.min, range.max)
    } else if flip {
        range.min
    } else {
        range.max
    };
    if range.min_open && v <= range.min {
        range.min.next_up()
    } else {
        v
    }
}

/// Beyond this many standard deviations [`phi`]'s tail is below 6e-300 and taken as 0.
const PHI_ZERO_BEYOND: f64 = 37.0;

/// The standard normal distribution function (Hart 1968, as given by West, "Better
/// approximations to cumulative normal functions", 2005): to about 1e-15 absolute, and 1e-8
/// relative far in the tails, ample for drawing values kept to 6 significant digits.
pub fn phi(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let a = x.abs();
    let tail = if a > PHI_ZERO_BEYOND {
        0.0
    } else if a < 7.071_067_811_865_47 {
        let e = (-a * a / 2.0).exp();
        let num = [
            3.526_249_659_989_11e-2,
            0.700_383_064_443_688,
            6.373_962_203_531_65,
            33.912_866_078_383,
            112.079_291_497_871,
            221.213_596_169_931,
            220.206_867_912_376,
        ];
        let den = [
            8.838_834_764_831_84e-2,
            1.755_667_163_182_64,
            16.064_177_579_207,
            86.780_732_202_946_1,
            296.564_248_779_674,
            637.333_633_378_831,
            793.826_512_519_948,
            440.413_735_824_752,
        ];
        let horner = |c: &[f64]| c.iter().fold(0.0, |acc, k| acc * a + k);
        e * horner(&num) / horner(&den)
    } else {
        let e = (-a * a / 2.0).exp();
        let mut b = a + 0.65;
        for k in [4.0, 3.0, 2.0, 1.0] {
            b = a + k / b;
        }
        e / b / 2.506_628_274_631
    };
    if x > 0.0 { 1.0 - tail } else { tail }
}

/// The inverse of [`phi`] for p in (0, 1): Acklam's rational approximation (relative error
/// 1.2e-9), refined by one step of Halley's method on [`phi`].
pub fn inverse_phi(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let poly = |c: &[f64], x: f64| c.iter().fold(0.0, |acc, k| acc * x + k);
    let tail = |q: f64| poly(&C, q) / (poly(&D, q) * q + 1.0);
    let x = if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        poly(&A, r) * q / (poly(&B, r) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    };
    if x.abs() > PHI_ZERO_BEYOND {
        return x; // phi is 0 or 1 there: nothing to refine against
    }
    let e = phi(x) - p;
    let u = e * (2.0 * std::f64::consts::PI).sqrt() * (x * x / 2.0).exp();
    x - u / (1.0 + x * u / 2.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs().max(1e-300)
    }

    #[test]
    fn phi_matches_published_values() {
        // relative accuracy: 1e-13 within 3 standard deviations, 1e-8 beyond
        for (x, p) in [
            (0.0_f64, 0.5),
            (-1.0, 0.158_655_253_931_457_05),
            (-1.96, 0.024_997_895_148_220_435),
            (-3.0, 1.349_898_031_630_094_6e-3),
            (-6.0, 9.865_876_450_376_98e-10),
            (-10.0, 7.619_853_024_160_527e-24),
            (1.0, 0.841_344_746_068_542_9),
        ] {
            let rel = if x.abs() <= 3.0 { 1e-13 } else { 1e-8 };
            assert!(close(phi(x), p, rel), "phi({x}) = {} not {p}", phi(x));
        }
    }

    #[test]
    fn inverse_phi_inverts_phi() {
        for p in [1e-250, 1e-20, 1e-5, 0.01, 0.02425, 0.3, 0.5, 0.9, 0.999_999] {
            let x = inverse_phi(p);
            assert!(close(phi(x), p, 1e-12), "p {p}: x {x}, phi {}", phi(x));
        }
        assert!(close(inverse_phi(0.975), 1.959_963_984_540_054, 1e-13));
    }

    #[test]
    fn truncated_normal_stays_in_its_range_even_far_in_a_tail() {
        let r = Range::closed(0.0, 0.9);
        for (mean, sd) in [(0.5, 1.0), (-50.0, 1.0), (100.0, 0.01), (0.45, 1e-9)] {
            for i in 0..1000 {
                let v = truncated_normal(i as f64 / 1000.0, mean, sd, r);
                assert!(r.contains(v), "{mean} {sd}: {v}");
            }
        }
        // far below the range: the values crowd at its lower end but still spread
        let v = truncated_normal(0.5, -5.0, 1.0, r);
        assert!(v > 0.05 && v < 0.2, "{v}");
        // beyond what a double holds: the end nearest the mean
        assert_eq!(truncated_normal(0.5, -50.0, 1.0, r), 0.0);
        assert_eq!(truncated_normal(0.5, 50.0, 1.0, r), 0.9);
        let open = Range::above(0.0, f64::INFINITY);
        assert!(open.contains(truncated_normal(0.0, -1e6, 1.0, open)));
    }
}
