//! Reading the source files: bytes in any encoding the publishers use, through the core CSV
//! reader, with the helpers the three parsers share.

use super::counties::parse_counties;
use super::hospitals::parse_hospitals;
use super::states::pad_code;
use super::zips::parse_zips;
use crate::input::error::{Code, InputError, InputErrors, quoted};
use crate::input::table::{self, Column, Row, Table};
use std::collections::HashMap;
use std::path::Path;

/// One of the source files `cartnet import us` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsSource {
    /// The Census county centres of population (`--counties`).
    Counties,
    /// The ZIP population points (`--zip`).
    Zips,
    /// The HIFLD hospitals (`--hospitals`).
    Hospitals,
}

/// Reads one source file's contents as the importer does (`file` names it in messages): the
/// number of demand points or eligible hospitals it yields, or every problem found.
pub fn read_source(
    source: UsSource,
    file: &str,
    bytes: &[u8],
    include_pr: bool,
) -> Result<usize, InputErrors> {
    let mut errors = Vec::new();
    let n = match source {
        UsSource::Counties => parse_counties(file, bytes, include_pr, &mut errors)
            .counties
            .len(),
        UsSource::Zips => parse_zips(file, bytes, include_pr, &mut errors)
            .points
            .len(),
        UsSource::Hospitals => parse_hospitals(file, bytes, include_pr, &mut errors)
            .eligible
            .len(),
    };
    if errors.is_empty() {
        Ok(n)
    } else {
        Err(InputErrors(errors))
    }
}

/// A source file by path: its bytes read (E001 when it cannot be), then `parse`d.
pub(super) fn read_path<T: Default>(
    path: &Path,
    include_pr: bool,
    errors: &mut Vec<InputError>,
    parse: impl FnOnce(&str, &[u8], bool, &mut Vec<InputError>) -> T,
) -> T {
    match table::read_bytes(path, errors) {
        Some((file, bytes)) => parse(&file, &bytes, include_pr, errors),
        None => T::default(),
    }
}

/// Reads an external CSV file's bytes with the core reader. Columns it has that cartnet does not
/// use are accepted and ignored (the publishers add columns between vintages); required columns
/// must be there, under any letter case.
fn read_external(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<(String, Table, bool)> {
    // Government files are sometimes Latin-1 (e.g. "Do\xF1a Ana"): a file that is not UTF-8 is
    // read as Latin-1, where every byte is the character of the same number.
    let latin1 = std::str::from_utf8(bytes).is_err();
    let converted;
    let bytes = if latin1 {
        converted = bytes.iter().map(|&b| char::from(b)).collect::<String>();
        converted.as_bytes()
    } else {
        bytes
    };
    table::parse_external(file, bytes, columns, errors).map(|t| (file.to_string(), t, latin1))
}

/// Reads an external CSV file (see [`read_external`]) and hands each row to `visit`, with the
/// lines where the codes seen so far were first listed. Returns the file's name and whether it
/// was read as Latin-1; `None` when it could not be read as a table with the columns.
pub(super) fn each_row(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
    mut visit: impl FnMut(&mut Row<'_>, &mut HashMap<String, u64>),
) -> Option<(String, bool)> {
    let (file, t, latin1) = read_external(file, bytes, columns, errors)?;
    let mut seen: HashMap<String, u64> = HashMap::new();
    t.for_each_row(errors, |row| visit(row, &mut seen));
    Some((file, latin1))
}

/// The code in `raw` restored to `digits` digits; otherwise E103 on `column`, saying the value is
/// not `what`.
pub(super) fn padded(
    row: &mut Row<'_>,
    raw: &str,
    digits: usize,
    column: &str,
    what: &str,
) -> Option<String> {
    let code = pad_code(raw, digits);
    if code.is_none() {
        let message = format!("{} is not {what}", quoted(raw));
        row.row_error(Code::NotWholeNumber, column, message);
    }
    code
}

/// A required whole number (population, beds).
pub(super) fn whole(row: &mut Row<'_>, column: &'static str) -> Option<u64> {
    if row.text(column).is_none() {
        row.row_error(Code::MissingValue, column, "a number is required".into());
        return None;
    }
    row.whole_number(column).map(u64::from)
}

/// The line where `key` was first listed, or `None` the first time (when this `line` is noted).
pub(super) fn listed_before(seen: &mut HashMap<String, u64>, key: &str, line: u64) -> Option<u64> {
    if let Some(first) = seen.get(key) {
        return Some(*first);
    }
    seen.insert(key.to_string(), line);
    None
}
