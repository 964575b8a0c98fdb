//! Text for people, one rule for every command: user text made safe to print on a terminal, and
//! numbers (money, percentages) grouped by thousands and rounded the same way everywhere.

use std::borrow::Cow;

/// Bidirectional formatting controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI): printed raw they
/// reorder the text around them, so an id holding U+202E shows the figures after it backwards.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// Characters a terminal would act on or lay out instead of showing: control characters
/// (escape sequences, BEL, `\r`, line ends, tabs, NUL...), line and paragraph separators, and
/// the bidirectional controls.
fn acts_on_terminal(c: char) -> bool {
    c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || is_bidi_control(c)
}

/// `text` as it can be printed: on one line, every character a terminal would act on shown as
/// its Rust escape (`\u{1b}`, `\r`, `\n`, `\u{202e}`), so text from the input can neither move
/// the cursor, retitle or clear the terminal, nor reorder what is printed beside it.
pub fn printable(text: &str) -> Cow<'_, str> {
    if !text.chars().any(acts_on_terminal) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if acts_on_terminal(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.into()
}

/// A path as it can be printed (see [`printable`]): paths come from the command line and from
/// plan files (`instance.data`), which anyone can write.
pub fn printable_path(path: &std::path::Path) -> String {
    printable(&path.display().to_string()).into_owned()
}

/// 2^53: below it every whole number is an f64, so rounding to a whole number of units (or of
/// cents) is exact; at and above it every f64 is already whole.
const EXACT_INTEGERS: f64 = 9_007_199_254_740_992.0;

/// Decimals of every percentage printed (coverage): two tell 99.86 % from 99.9 %, one missing
/// patient in ten thousand shows.
pub const PERCENT_DECIMALS: usize = 2;

/// The digits of `abs` (finite, >= 0) rounded half away from zero to `decimals` decimals:
/// (whole part, fraction).
fn digits(abs: f64, decimals: usize) -> (String, String) {
    let scaled = (abs * 10f64.powi(decimals as i32)).round();
    if scaled < EXACT_INTEGERS {
        let all = format!("{scaled:.0}");
        let all = format!("{all:0>width$}", width = decimals + 1);
        let (whole, fraction) = all.split_at(all.len() - decimals);
        (whole.into(), fraction.into())
    } else if abs >= EXACT_INTEGERS || !scaled.is_finite() {
        // already whole: its shortest digits that read back as the same f64, then zeros (the
        // digits an f64 does not hold are not made up)
        (format!("{abs}"), "0".repeat(decimals))
    } else {
        // whole part exact, the decimals below the f64's precision: its exact expansion
        let all = format!("{abs:.decimals$}");
        let (whole, fraction) = all.split_once('.').unwrap_or((&all, ""));
        (whole.into(), fraction.into())
    }
}

/// "1234567" -> "1,234,567".
fn thousands(whole: &str) -> String {
    let mut out = String::with_capacity(whole.len() + whole.len() / 3);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A number for people: `decimals` decimals rounded half away from zero, the whole part grouped
/// by thousands (`-1,234,567.89`), right for any finite f64 (no integer overflow); "n/a" for
/// NaN, "infinity" and "-infinity". Nothing rounded to zero carries a minus sign.
pub fn grouped(v: f64, decimals: usize) -> String {
    signed(v, decimals, "")
}

/// `v` with its sign, then `unit`, then its grouped digits: `-$1,234`.
fn signed(v: f64, decimals: usize, unit: &str) -> String {
    if v.is_nan() {
        return "n/a".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "infinity" } else { "-infinity" }.into();
    }
    let (whole, fraction) = digits(v.abs(), decimals);
    let zero = whole.chars().chain(fraction.chars()).all(|c| c == '0');
    let sign = if v < 0.0 && !zero { "-" } else { "" };
    let point = if fraction.is_empty() { "" } else { "." };
    format!("{sign}{unit}{}{point}{fraction}", thousands(&whole))
}

/// Dollars, whole: `$1,234,568`, `-$1,000`.
pub fn usd(v: f64) -> String {
    signed(v, 0, "$")
}

/// Dollars and cents: `$1,234,567.89`.
pub fn usd_cents(v: f64) -> String {
    signed(v, 2, "$")
}

/// A fraction as a percentage with [`PERCENT_DECIMALS`] decimals: 0.99857 -> `99.86 %`.
pub fn percent(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{} %", grouped(fraction * 100.0, PERCENT_DECIMALS))
    } else {
        grouped(fraction, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn printable_escapes_what_a_terminal_acts_on() {
        assert_eq!(printable("S-1 plain"), "S-1 plain");
        assert_eq!(
            printable("a\u{1b}]0;x\u{7}b\u{1b}[2Jc\rd\ne\tf"),
            "a\\u{1b}]0;x\\u{7}b\\u{1b}[2Jc\\rd\\ne\\tf"
        );
        assert_eq!(printable("x\u{2028}y"), "x\\u{2028}y");
        for c in [
            '\u{061C}', '\u{200E}', '\u{200F}', '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}',
            '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}',
        ] {
            let shown = printable(&format!("S{c}1")).into_owned();
            assert_eq!(shown, format!("S\\u{{{:x}}}1", c as u32));
        }
        // letters of right-to-left scripts are text, not controls
        assert_eq!(printable("مستشفى"), "مستشفى");
    }

    #[test]
    fn money_groups_thousands() {
        assert_eq!(usd(1234567.4), "$1,234,567");
        assert_eq!(usd(999.0), "$999");
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(-1000.0), "-$1,000");
        assert_eq!(usd(-0.4), "$0");
        assert_eq!(usd_cents(1234567.891), "$1,234,567.89");
        assert_eq!(usd_cents(-0.004), "$0.00");
    }

    #[test]
    fn money_past_the_integer_range() {
        // 1e15 patients' worth: was "$9,223,372,036,854,775,807" (i64 saturation)
        assert_eq!(usd(1e15), "$1,000,000,000,000,000");
        assert_eq!(usd(1e20), "$100,000,000,000,000,000,000");
        assert_eq!(usd(-1e20), "-$100,000,000,000,000,000,000");
        assert_eq!(usd(i64::MAX as f64), "$9,223,372,036,854,776,000");
        let big = usd(1e300);
        assert!(big.starts_with("$1,000,000,"), "{big}");
        assert_eq!(big.chars().filter(char::is_ascii_digit).count(), 301);
        assert!(big[2..].chars().all(|c| c == '0' || c == ','), "{big}");
        assert_eq!(usd(f64::MAX).len(), 1 + 309 + 102);
        assert_eq!(usd_cents(1e20), "$100,000,000,000,000,000,000.00");
        assert_eq!(grouped(1e15 + 0.25, 2), "1,000,000,000,000,000.25");
    }

    #[test]
    fn rounding_is_half_away_from_zero() {
        assert_eq!(usd(0.5), "$1");
        assert_eq!(usd(2.5), "$3");
        assert_eq!(usd(1234.5), "$1,235");
        assert_eq!(usd(-2.5), "-$3");
        assert_eq!(usd(2.4999), "$2");
        assert_eq!(grouped(0.125, 2), "0.13");
        assert_eq!(grouped(-0.125, 2), "-0.13");
        assert_eq!(grouped(1234567.891, 2), "1,234,567.89");
        assert_eq!(grouped(-0.001, 1), "0.0");
    }

    #[test]
    fn not_finite_says_so() {
        assert_eq!(usd(f64::NAN), "n/a");
        assert_eq!(usd(f64::INFINITY), "infinity");
        assert_eq!(usd(f64::NEG_INFINITY), "-infinity");
        assert_eq!(grouped(f64::NAN, 2), "n/a");
        assert_eq!(percent(f64::NAN), "n/a");
    }

    #[test]
    fn percent_has_one_rounding_rule() {
        assert_eq!(percent(0.998571), "99.86 %");
        assert_eq!(percent(1.0), "100.00 %");
        assert_eq!(percent(0.0), "0.00 %");
        assert_eq!(percent(0.00006), "0.01 %");
    }
}
