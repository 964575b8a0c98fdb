//! The estimate of a fixed design's expected cost from its cost in a set of scenarios, with a
//! 95 % confidence interval (the sample-average estimate of Mak, Morton and Wood 1999).
//!
//! Scenarios of equal probability are taken as a sample of the futures: the mean of their costs,
//! ± t(0.975, n - 1) · s / √n with s the sample standard deviation. Scenarios of unequal
//! probability give the probability-weighted mean, and the same interval with the weighted
//! variance and Kish's effective sample size n_eff = 1 / Σ w² (w the probabilities normalized
//! to sum to 1): with equal probabilities both are the plain formulas.

/// Probabilities that differ by less than this are equal (the CSV's are decimals that sum to 1
/// within 1e-9; sampled ones are exactly 1/n).
const EQUAL_PROBABILITY: f64 = 1e-12;

/// Student's t at 0.975 for 1 to 30 degrees of freedom (the standard table; beyond 30 the
/// Cornish-Fisher expansion of [`t975`] is within 1e-4 of it).
const T975: [f64; 30] = [
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
    2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
    2.052, 2.048, 2.045, 2.042,
];

/// The standard normal's 0.975 quantile.
const Z975: f64 = 1.959_963_984_540_054;

/// Student's t quantile at 0.975 for `df` ≥ 1 degrees of freedom (a fractional `df` below 31 is
/// rounded down: the wider interval).
pub fn t975(df: f64) -> f64 {
    if df < 31.0 {
        let i = (df.floor().max(1.0) as usize).min(T975.len());
        return T975[i - 1];
    }
    // Cornish-Fisher expansion of t in powers of 1/df (Abramowitz and Stegun 26.7.5)
    let z = Z975;
    let (z3, z5, z7) = (z.powi(3), z.powi(5), z.powi(7));
    z + (z3 + z) / (4.0 * df)
        + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * df.powi(2))
        + (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * df.powi(3))
}

/// What the costs of a design in several scenarios say of its expected cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// Scenarios counted (those the design serves).
    pub n: usize,
    /// Whether the probabilities differ, so that the mean is weighted by them.
    pub weighted: bool,
    pub mean: f64,
    /// Half the width of the 95 % interval around `mean`; `None` for fewer than two scenarios.
    pub half_width: Option<f64>,
    /// Kish's effective sample size (n itself for equal probabilities).
    pub effective_n: f64,
    pub min: f64,
    pub max: f64,
}

/// The estimate from `(probability, value)` pairs; `None` when there are none, or when the
/// probabilities do not sum to more than 0. Probabilities are renormalized over the pairs given
/// (scenarios a design cannot serve are left out by the caller).
pub fn estimate(samples: &[(f64, f64)]) -> Option<Estimate> {
    let total: f64 = samples.iter().map(|s| s.0).sum();
    if samples.is_empty() || total.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let first = samples[0].0;
    let weighted = samples
        .iter()
        .any(|s| (s.0 - first).abs() > EQUAL_PROBABILITY);
    let n = samples.len();
    let w = |p: f64| {
        if weighted { p / total } else { 1.0 / n as f64 }
    };
    let mean: f64 = samples.iter().map(|&(p, v)| w(p) * v).sum();
    let sum_w2: f64 = samples.iter().map(|&(p, _)| w(p).powi(2)).sum();
    let effective_n = 1.0 / sum_w2;
    let half_width = (n >= 2 && effective_n > 1.0).then(|| {
        let spread: f64 = samples
            .iter()
            .map(|&(p, v)| w(p) * (v - mean).powi(2))
            .sum();
        let variance = spread / (1.0 - sum_w2);
        t975(effective_n - 1.0) * (variance / effective_n).sqrt()
    });
    let values = samples.iter().map(|s| s.1);
    Some(Estimate {
        n,
        weighted,
        mean,
        half_width,
        effective_n,
        min: values.clone().fold(f64::INFINITY, f64::min),
        max: values.fold(f64::NEG_INFINITY, f64::max),
    })
}

/// The mean of `(probability, value)` pairs, weighted as [`estimate`] weighs them.
pub fn mean(samples: &[(f64, f64)]) -> Option<f64> {
    estimate(samples).map(|e| e.mean)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) {
        assert!((a - b).abs() <= tol, "{a} vs {b}");
    }

    /// Four equally likely costs 10, 12, 14, 16: mean 13, s² = (9+1+1+9)/3 = 20/3, s/√n =
    /// √(20/3)/2 = 1.2910, t(0.975, 3) = 3.182: half width 4.108.
    #[test]
    fn equal_probabilities_give_the_student_interval() {
        let e = estimate(&[(0.25, 10.0), (0.25, 12.0), (0.25, 14.0), (0.25, 16.0)]).unwrap();
        assert!(!e.weighted);
        close(e.mean, 13.0, 1e-12);
        close(e.effective_n, 4.0, 1e-12);
        close(
            e.half_width.unwrap(),
            3.182 * (20.0f64 / 3.0).sqrt() / 2.0,
            1e-9,
        );
        assert_eq!((e.min, e.max), (10.0, 16.0));
    }

    /// Weights 0.5, 0.25, 0.25 on 10, 20, 30: mean 17.5; Σw² = 0.375, n_eff = 8/3; weighted
    /// spread 0.5·56.25 + 0.25·6.25 + 0.25·156.25 = 68.75, variance 68.75/0.625 = 110; standard
    /// error √(110/(8/3)) = 6.4226; t at df 5/3 (rounded down to 1) = 12.706.
    #[test]
    fn unequal_probabilities_weigh_the_mean_and_the_interval() {
        let e = estimate(&[(0.5, 10.0), (0.25, 20.0), (0.25, 30.0)]).unwrap();
        assert!(e.weighted);
        close(e.mean, 17.5, 1e-12);
        close(e.effective_n, 8.0 / 3.0, 1e-12);
        close(
            e.half_width.unwrap(),
            12.706 * (110.0f64 * 3.0 / 8.0).sqrt(),
            1e-9,
        );
    }

    #[test]
    fn one_scenario_has_no_interval_and_none_no_estimate() {
        let e = estimate(&[(1.0, 5.0)]).unwrap();
        assert_eq!((e.mean, e.half_width, e.min, e.max), (5.0, None, 5.0, 5.0));
        assert_eq!(estimate(&[]), None);
        assert_eq!(estimate(&[(0.0, 1.0)]), None);
    }

    /// Probabilities of the scenarios left (the others unserved) are renormalized.
    #[test]
    fn probabilities_are_renormalized_over_the_scenarios_given() {
        let e = estimate(&[(0.2, 10.0), (0.6, 20.0)]).unwrap();
        close(e.mean, 17.5, 1e-12);
    }

    /// The table at its ends, and the expansion against published values: t(0.975, 40) = 2.0211,
    /// t(0.975, 120) = 1.9799, and z as df grows.
    #[test]
    fn t_quantiles_match_the_tables() {
        close(t975(1.0), 12.706, 1e-12);
        close(t975(30.0), 2.042, 1e-12);
        close(t975(30.9), 2.042, 1e-12);
        close(t975(40.0), 2.0211, 1e-4);
        close(t975(120.0), 1.9799, 1e-4);
        close(t975(1e9), Z975, 1e-8);
        close(t975(31.0), 2.0395, 1e-4);
    }
}
