//! `--set group.key=value`: one override, and the value as TOML.

use crate::input::error::{self, Code, InputError};

/// A parsed `--set group.key=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub key: String,
    pub value: toml::Value,
}

impl Override {
    /// Parses `group.key=value`; the value is read as TOML (`3e6`, `10`, `true`).
    pub fn parse(arg: &str) -> Result<Override, InputError> {
        let Some((key, value)) = arg.split_once('=').filter(|(k, _)| !k.trim().is_empty()) else {
            return Err(InputError::new(
                Code::BadOverride,
                "--set",
                format!(
                    "{} is not of the form group.key=value (e.g. site.setup_cost_owned=3e6)",
                    error::quoted(arg)
                ),
            ));
        };
        let key = key.trim();
        let value = parse_value(value.trim()).map_err(|why| {
            InputError::new(
                Code::BadOverride,
                "--set",
                format!("{}: {why}", error::quoted(arg)),
            )
        })?;
        Ok(Override {
            key: key.to_string(),
            value,
        })
    }
}

/// Reads a `--set` or `--vary` value: one TOML value and nothing after it (`3e6`, `10`, `true`,
/// `"text"`, `[0.1, 0.2]`). Other text is kept as text, for the type check to name (`80 km/h`
/// for a number is E304) or for a key that takes a word (`horizon.setup=upfront`); but a value
/// followed by a comment or a further key, or holding a line break, is refused, because the rest
/// would otherwise be ignored. The error says why, for the caller to locate.
pub fn parse_value(raw: &str) -> Result<toml::Value, String> {
    if let Ok(v) = raw.parse::<toml::Value>() {
        return Ok(v);
    }
    let more_after_a_value = format!("v = {raw}").parse::<toml::Table>().is_ok();
    if more_after_a_value || raw.chars().any(char::is_control) {
        return Err(format!(
            "the value {} is not one TOML value: write the value alone, without a comment, \
             a line break or another key after it",
            error::quoted(raw)
        ));
    }
    Ok(toml::Value::String(raw.to_string()))
}
