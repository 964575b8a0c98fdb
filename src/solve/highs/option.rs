//! HiGHS options given by name (`--highs-option NAME=VALUE`): the value is read as the type
//! HiGHS gives the option (true/false, a whole number, a number or text), and HiGHS itself
//! decides whether it is in range. The same [`set`] serves the up-front check of the command
//! line ([`check`], on an empty model, before anything is loaded or solved) and the solve, so a
//! value the check accepts is the value the solve gets.

use highs_sys::HighsInt;
use std::ffi::CString;

/// Why HiGHS does not take an option (error code E403, docs/errors.md).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionProblem {
    #[error(
        "E403 --highs-option: \"{name}\" is not a HiGHS option (the options are listed at \
         https://ergo-code.github.io/HiGHS/stable/options/definitions/)"
    )]
    Unknown { name: String },
    #[error("E403 --highs-option: {name}: \"{value}\" is not {expected}")]
    Type {
        name: String,
        value: String,
        expected: &'static str,
    },
    #[error(
        "E403 --highs-option: {name}: HiGHS does not accept the value \"{value}\" (out of the option's range, or not one of its words)"
    )]
    Rejected { name: String, value: String },
}

/// Sets option `name` to `value` (text, as the user wrote it) on `model`, read as the option's
/// own type.
pub fn set(model: &mut highs::Model, name: &str, value: &str) -> Result<(), OptionProblem> {
    let unknown = || OptionProblem::Unknown {
        name: name.to_string(),
    };
    let type_error = |expected| OptionProblem::Type {
        name: name.to_string(),
        value: value.to_string(),
        expected,
    };
    let c_name = CString::new(name).map_err(|_| unknown())?;
    let ptr = model.as_mut_ptr();
    let mut kind: HighsInt = -1;
    // SAFETY: `ptr` is the live HiGHS instance owned by `model`; `c_name` and `kind` outlive
    // the call.
    let known = unsafe { highs_sys::Highs_getOptionType(ptr, c_name.as_ptr(), &mut kind) }
        == highs_sys::kHighsStatusOk;
    if !known {
        return Err(unknown());
    }
    // SAFETY (each arm): as above; the value is passed by value or as a C string that outlives
    // the call.
    let status = match kind {
        highs_sys::kHighsOptionTypeBool => {
            let b: bool = value.parse().map_err(|_| type_error("true or false"))?;
            unsafe { highs_sys::Highs_setBoolOptionValue(ptr, c_name.as_ptr(), HighsInt::from(b)) }
        }
        highs_sys::kHighsOptionTypeInt => {
            let i: HighsInt = value.parse().map_err(|_| type_error("a whole number"))?;
            unsafe { highs_sys::Highs_setIntOptionValue(ptr, c_name.as_ptr(), i) }
        }
        highs_sys::kHighsOptionTypeDouble => {
            let f: f64 = value
                .parse()
                .ok()
                .filter(|f: &f64| !f.is_nan())
                .ok_or_else(|| type_error("a number"))?;
            unsafe { highs_sys::Highs_setDoubleOptionValue(ptr, c_name.as_ptr(), f) }
        }
        _ => {
            let text = CString::new(value).map_err(|_| type_error("text without NUL bytes"))?;
            unsafe { highs_sys::Highs_setStringOptionValue(ptr, c_name.as_ptr(), text.as_ptr()) }
        }
    };
    if status == highs_sys::kHighsStatusError {
        return Err(OptionProblem::Rejected {
            name: name.to_string(),
            value: value.to_string(),
        });
    }
    Ok(())
}

/// Checks that HiGHS takes option `name` = `value`, on an empty model (silenced first, so an
/// illegal value is reported here and not on HiGHS's console).
pub fn check(name: &str, value: &str) -> Result<(), OptionProblem> {
    let mut model = highs::RowProblem::default().optimise(highs::Sense::Minimise);
    set(&mut model, "output_flag", "false")?;
    set(&mut model, name, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_of_every_type_are_taken_in_their_own_type() {
        for (name, value) in [
            ("presolve", "off"),
            ("mip_heuristic_effort", "1"),
            ("mip_heuristic_effort", "0.2"),
            ("random_seed", "3"),
            ("mip_detect_symmetry", "false"),
        ] {
            assert_eq!(check(name, value), Ok(()), "{name}={value}");
        }
    }

    #[test]
    fn unknown_names_wrong_types_and_values_out_of_range_are_problems() {
        assert!(matches!(
            check("foo", "1"),
            Err(OptionProblem::Unknown { .. })
        ));
        assert!(matches!(
            check("random_seed", "1.5"),
            Err(OptionProblem::Type {
                expected: "a whole number",
                ..
            })
        ));
        assert!(matches!(
            check("mip_heuristic_effort", "abc"),
            Err(OptionProblem::Type { .. })
        ));
        assert!(matches!(
            check("mip_detect_symmetry", "1"),
            Err(OptionProblem::Type { .. })
        ));
        assert!(matches!(
            check("mip_rel_gap", "-1"),
            Err(OptionProblem::Rejected { .. })
        ));
        assert!(matches!(
            check("presolve", "sometimes"),
            Err(OptionProblem::Rejected { .. })
        ));
    }
}
