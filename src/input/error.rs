//! Typed input errors. Every class of bad input has a stable code (listed in docs/errors.md);
//! each error names the file, the line, the column, the value and what was expected.

use crate::text::printable;
use std::fmt;

/// Stable error codes. The numbers never change meaning; new classes get new numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Code {
    /// E001: a required file is missing or cannot be read.
    FileUnreadable,
    /// E002: the file is not valid UTF-8.
    NotUtf8,
    /// E003: the file is empty (no header row).
    EmptyFile,
    /// E004: a required column is missing from the header.
    MissingColumn,
    /// E005: the header names a column this file does not have.
    UnknownColumn,
    /// E006: the header names the same column twice.
    DuplicateColumn,
    /// E007: a row is malformed (wrong number of fields, bad quoting).
    MalformedRow,
    /// E008: the file looks semicolon-separated (European spreadsheet export).
    WrongDelimiter,
    /// E009: a workbook given as `--data` lacks a sheet an instance needs.
    MissingSheet,
    /// E010: a workbook cell holds an error value (#DIV/0!, #REF!, #N/A, ...).
    CellError,
    /// E101: a required value is blank.
    MissingValue,
    /// E102: a value is not a number.
    NotANumber,
    /// E103: a value is not a whole number >= 0.
    NotWholeNumber,
    /// E104: a number is not finite (NaN or infinity).
    NotFinite,
    /// E105: a number is out of its allowed range (e.g. negative).
    OutOfRange,
    /// E106: a latitude or longitude is outside [-90, 90] / [-180, 180].
    BadCoordinate,
    /// E107: a value is not one of the allowed words.
    BadChoice,
    /// E201: an id appears twice in one file.
    DuplicateId,
    /// E202: a reference names an id that does not exist.
    UnknownReference,
    /// E203: a site's `hospital` column is inconsistent with its kind.
    BadHost,
    /// E204: a lane joins two nodes that no shipment or trip can join.
    BadLane,
    /// E205: the instance has no demand points, hospitals or candidate sites.
    EmptyInstance,
    /// E206: lanes.csv gives the same lane (from, to) twice.
    DuplicateLane,
    /// E250: basemap.geojson (or `import us --states`) cannot be read as state outlines.
    BadBasemap,
    /// E301: the scenario file is missing or cannot be read.
    ScenarioUnreadable,
    /// E302: the scenario file is not valid TOML.
    ScenarioSyntax,
    /// E303: a scenario key does not exist.
    UnknownKey,
    /// E304: a scenario value has the wrong type.
    WrongType,
    /// E305: a scenario value is outside its allowed range.
    BadValue,
    /// E306: a `--set` argument is not of the form group.key=value.
    BadOverride,
    /// E801: a scenario's probability is not a number >= 0.
    BadProbability,
    /// E802: the scenarios' probabilities do not sum to 1.
    ProbabilitySum,
    /// E803: a scenario column or `[uncertainty]` entry names no key a scenario can vary.
    UnknownScenarioKey,
    /// E804: a scenario value is not a number.
    ScenarioNotANumber,
    /// E805: a scenario id is missing or used twice.
    ScenarioId,
    /// E806: the scenarios file has no scenarios.
    NoScenarios,
    /// E807: demand.scale is not > 0, or makes a demand point's patients too many.
    BadDemandScale,
    /// E808: `[uncertainty]` samples or seed is missing or invalid.
    BadSamples,
    /// E809: an `[uncertainty]` entry is not a distribution cartnet knows.
    UnknownDistribution,
    /// E810: a distribution's parameter is missing or invalid.
    BadDistribution,
    /// E811: cvar_alpha or risk_weight is invalid, or one is given without the other.
    BadRisk,
    /// E812: scenario_demand.csv names a scenario or demand point that does not exist.
    UnknownScenarioDemand,
    /// E813: scenario_demand.csv gives patients that are not a number in range.
    BadScenarioPatients,
    /// E814: scenario_demand.csv gives one (scenario, demand) pair twice.
    DuplicateScenarioDemand,
    /// E815: a scenario a two-stage plan cannot take (a horizon, an upfront setup).
    ScenarioUnsupported,
}

impl Code {
    /// The stable code, e.g. `E101`.
    pub fn as_str(self) -> &'static str {
        match self {
            Code::FileUnreadable => "E001",
            Code::NotUtf8 => "E002",
            Code::EmptyFile => "E003",
            Code::MissingColumn => "E004",
            Code::UnknownColumn => "E005",
            Code::DuplicateColumn => "E006",
            Code::MalformedRow => "E007",
            Code::WrongDelimiter => "E008",
            Code::MissingSheet => "E009",
            Code::CellError => "E010",
            Code::MissingValue => "E101",
            Code::NotANumber => "E102",
            Code::NotWholeNumber => "E103",
            Code::NotFinite => "E104",
            Code::OutOfRange => "E105",
            Code::BadCoordinate => "E106",
            Code::BadChoice => "E107",
            Code::DuplicateId => "E201",
            Code::UnknownReference => "E202",
            Code::BadHost => "E203",
            Code::BadLane => "E204",
            Code::EmptyInstance => "E205",
            Code::DuplicateLane => "E206",
            Code::BadBasemap => "E250",
            Code::ScenarioUnreadable => "E301",
            Code::ScenarioSyntax => "E302",
            Code::UnknownKey => "E303",
            Code::WrongType => "E304",
            Code::BadValue => "E305",
            Code::BadOverride => "E306",
            Code::BadProbability => "E801",
            Code::ProbabilitySum => "E802",
            Code::UnknownScenarioKey => "E803",
            Code::ScenarioNotANumber => "E804",
            Code::ScenarioId => "E805",
            Code::NoScenarios => "E806",
            Code::BadDemandScale => "E807",
            Code::BadSamples => "E808",
            Code::UnknownDistribution => "E809",
            Code::BadDistribution => "E810",
            Code::BadRisk => "E811",
            Code::UnknownScenarioDemand => "E812",
            Code::BadScenarioPatients => "E813",
            Code::DuplicateScenarioDemand => "E814",
            Code::ScenarioUnsupported => "E815",
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One problem found in the input, located as precisely as the input allows.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub code: Code,
    /// File name as the user knows it (e.g. `sites.csv`, `models/baseline.toml`, `--set`).
    pub file: String,
    /// 1-based line in the file, when the problem has one.
    pub line: Option<u64>,
    /// Column (CSV) or key (TOML) concerned.
    pub column: Option<String>,
    /// What is wrong and what was expected, including the offending value.
    pub message: String,
}

impl InputError {
    pub fn new(code: Code, file: impl Into<String>, message: impl Into<String>) -> Self {
        InputError {
            code,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
        }
    }

    pub fn at_line(mut self, line: u64) -> Self {
        self.line = Some(line);
        self
    }

    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        self.column = Some(column.into());
        self
    }
}

impl fmt::Display for InputError {
    /// `E103 sites.csv:14: column max_platforms: "3.5" is not a whole number >= 0`
    ///
    /// Always one line: control and bidirectional characters the input put in a file name, a
    /// key or a message are shown escaped (`\n`, `\u{202e}`), and a key (which comes from the input) is cut short like a value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.code, printable(&self.file))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(column) = &self.column {
            write!(f, "column {}: ", printable(&shorten(column)))?;
        }
        f.write_str(&printable(&self.message))
    }
}

/// Values longer than this many characters are cut short in messages.
pub const MAX_SHOWN: usize = 60;

/// `text` cut to its first [`MAX_SHOWN`] characters, with its length when it was cut.
pub fn shorten(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_SHOWN) {
        None => text.into(),
        Some((end, _)) => {
            format!("{}... ({} characters)", &text[..end], text.chars().count()).into()
        }
    }
}

/// A value from the input as messages quote it: in double quotes, control characters escaped so
/// that the message stays on one line, and a value longer than [`MAX_SHOWN`] characters cut
/// short with its length: `"aaaa..." (10000 characters)`.
pub fn quoted(raw: &str) -> String {
    match raw.char_indices().nth(MAX_SHOWN) {
        None => format!("\"{}\"", printable(raw)),
        Some((end, _)) => format!(
            "\"{}...\" ({} characters)",
            printable(&raw[..end]),
            raw.chars().count()
        ),
    }
}

/// Every problem found in one load, in file and line order.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct InputErrors(pub Vec<InputError>);

impl fmt::Display for InputErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl From<InputError> for InputErrors {
    fn from(e: InputError) -> Self {
        InputErrors(vec![e])
    }
}

/// `bytes` as text, or E002 naming the line and the 1-based byte offset of the first byte that is
/// not UTF-8; `save_as` is the encoding to choose when saving again (e.g. `"CSV UTF-8"`).
pub fn utf8<'a>(file: &str, bytes: &'a [u8], save_as: &str) -> Result<&'a str, InputError> {
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = 1 + good.iter().filter(|&&b| b == b'\n').count() as u64;
        InputError::new(
            Code::NotUtf8,
            file,
            format!(
                "byte {} is not valid UTF-8; save the file as \"{save_as}\"",
                e.valid_up_to() + 1
            ),
        )
        .at_line(line)
    })
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    let near = |c: &str| 2.max(c.len() / 4);
    candidates
        .into_iter()
        // the distance is at least the difference in length: skip the quadratic work for a
        // candidate that cannot be near (a 20,000-character key took 50 ms against every key)
        .filter(|c| word.chars().count().abs_diff(c.chars().count()) <= near(c))
        .map(|c| (edit_distance(&word, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= near(c))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_file_line_column_and_value() {
        let e = InputError::new(
            Code::NotWholeNumber,
            "sites.csv",
            "\"3.5\" is not a whole number >= 0",
        )
        .at_line(14)
        .in_column("max_platforms");
        assert_eq!(
            e.to_string(),
            "E103 sites.csv:14: column max_platforms: \"3.5\" is not a whole number >= 0"
        );
    }

    #[test]
    fn did_you_mean_finds_typos_only() {
        let keys = ["setup_cost_owned", "setup_cost_franchise", "max_platforms"];
        assert_eq!(
            did_you_mean("setup_cost_ownd", keys),
            Some("setup_cost_owned")
        );
        assert_eq!(did_you_mean("max_platform", keys), Some("max_platforms"));
        assert_eq!(did_you_mean("colour", keys), None);
    }
}
