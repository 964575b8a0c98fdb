//! Where a scenario comes from: a file, or the baseline compiled into the binary.

use super::super::error::{Code, InputError};
use std::path::PathBuf;

/// The baseline scenario, compiled in so that `cartnet` runs from any folder without
/// `--model` (DESIGN §2); `models/baseline.toml` stays the file to read and copy.
pub const BASELINE_TOML: &str = include_str!("../../../models/baseline.toml");

/// How messages and plan.json (`instance.model`) name the compiled-in baseline.
pub const BASELINE_NAME: &str = "built-in models/baseline.toml";

/// Where a scenario comes from: a file (`--model FILE`), or the baseline compiled into the
/// binary when no file is given.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ModelSource {
    BuiltIn,
    File(PathBuf),
}

impl ModelSource {
    /// The file when one is given, else the built-in baseline.
    pub fn from_option(path: Option<PathBuf>) -> ModelSource {
        path.map_or(ModelSource::BuiltIn, ModelSource::File)
    }

    /// The name messages and plan.json use: the path as given, or [`BASELINE_NAME`].
    pub fn name(&self) -> String {
        match self {
            ModelSource::BuiltIn => BASELINE_NAME.to_string(),
            ModelSource::File(p) => p.display().to_string(),
        }
    }

    /// The scenario's bytes; a file that cannot be read is E301.
    pub fn read(&self) -> Result<Vec<u8>, InputError> {
        match self {
            ModelSource::BuiltIn => Ok(BASELINE_TOML.as_bytes().to_vec()),
            ModelSource::File(path) => std::fs::read(path).map_err(|e| {
                InputError::new(
                    Code::ScenarioUnreadable,
                    self.name(),
                    format!("cannot read the scenario: {e}"),
                )
            }),
        }
    }
}
