//! A CSV table read as spreadsheets export it (UTF-8 with or without BOM, CRLF or LF), with a
//! checked header and cell accessors that record precise errors instead of failing fast.

use super::error::{Code, InputError, did_you_mean, quoted};
use super::ranges::show;
use std::borrow::Cow;
use std::collections::HashMap;
use std::path::Path;

/// A column a file may have; for the instance's files also what it holds, for people
/// (the template's README sheet) and for writers (`number`: written as a number cell).
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub required: bool,
    pub number: bool,
    pub expected: &'static str,
    pub meaning: &'static str,
}

pub const fn required(name: &'static str) -> Column {
    Column {
        name,
        required: true,
        number: false,
        expected: "",
        meaning: "",
    }
}

pub const fn optional(name: &'static str) -> Column {
    Column {
        required: false,
        ..required(name)
    }
}

impl Column {
    /// A text column: what it accepts and what it means.
    pub const fn text(self, expected: &'static str, meaning: &'static str) -> Column {
        Column {
            expected,
            meaning,
            ..self
        }
    }

    /// A number column: what it accepts and what it means.
    pub const fn number(self, expected: &'static str, meaning: &'static str) -> Column {
        Column {
            number: true,
            ..self.text(expected, meaning)
        }
    }
}

/// A checked CSV file: header checked against the file's columns, every row's shape checked. It
/// holds the file's text (LF line ends) and reads the rows again one at a time when visited, so
/// that reading a file takes about the memory of the file, not of all its rows parsed at once.
#[derive(Debug)]
pub struct Table {
    pub file: String,
    index: HashMap<&'static str, usize>,
    data: Rows,
}

/// Where a table's rows come from: a CSV file's text, read again at each visit, or records
/// already read (a workbook's sheet), each with its line (the sheet's row number).
#[derive(Debug)]
enum Rows {
    Csv(Vec<u8>),
    Records(Vec<(u64, csv::StringRecord)>),
}

/// A table of records read elsewhere (a workbook's sheet): the header is checked as a CSV
/// file's is, and each row keeps the line given with it. Cells are trimmed, as in a CSV file.
pub fn from_records(
    file: &str,
    header: &[String],
    rows: Vec<(u64, Vec<String>)>,
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<Table> {
    let record = |cells: &[String]| {
        cells
            .iter()
            .map(|c| c.trim())
            .collect::<csv::StringRecord>()
    };
    let index = check_header(file, &record(header), columns, false, errors)?;
    let rows = rows
        .into_iter()
        .map(|(line, cells)| (line, record(&cells)))
        .collect();
    Some(Table {
        file: file.to_string(),
        index,
        data: Rows::Records(rows),
    })
}

/// Reads and checks a CSV file. Problems go to `errors`; `None` when the rows cannot be used at all.
pub fn read(path: &Path, columns: &[Column], errors: &mut Vec<InputError>) -> Option<Table> {
    let (file, bytes) = read_bytes(path, errors)?;
    parse(&file, &bytes, columns, errors)
}

/// A file's bytes and the name messages use for it (its file name); an unreadable file is E001.
pub fn read_bytes(path: &Path, errors: &mut Vec<InputError>) -> Option<(String, Vec<u8>)> {
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    match std::fs::read(path) {
        Ok(b) => Some((file, b)),
        Err(e) => {
            errors.push(InputError::new(
                Code::FileUnreadable,
                &file,
                format!("cannot read {}: {e}", path.display()),
            ));
            None
        }
    }
}

/// Parses CSV bytes (see [`read`]); `file` is the name used in messages.
pub fn parse(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<Table> {
    parse_with(file, bytes, columns, false, errors)
}

/// As [`parse`], for files published by others: columns not in `columns` are ignored (E005 is
/// not reported for them).
pub fn parse_external(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<Table> {
    parse_with(file, bytes, columns, true, errors)
}

fn parse_with(
    file: &str,
    bytes: &[u8],
    columns: &[Column],
    ignore_unknown: bool,
    errors: &mut Vec<InputError>,
) -> Option<Table> {
    let bytes = decode(file, bytes, columns, errors)?;
    let mut reader = csv_reader(&bytes);
    let header = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            errors.push(InputError::new(Code::MalformedRow, file, e.to_string()).at_line(1));
            return None;
        }
    };
    let index = check_header(file, &header, columns, ignore_unknown, errors)?;
    check_rows(file, &mut reader, errors)?;
    Some(Table {
        file: file.to_string(),
        index,
        data: Rows::Csv(bytes.into_owned()),
    })
}

/// The file's text as the csv reader reads it (no BOM, LF line ends); `None` after recording why
/// it cannot be read: not UTF-8, empty, or a quote never closed.
fn decode<'a>(
    file: &str,
    bytes: &'a [u8],
    columns: &[Column],
    errors: &mut Vec<InputError>,
) -> Option<Cow<'a, [u8]>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = super::error::utf8(file, bytes, "CSV UTF-8") {
        errors.push(e);
        return None;
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        errors.push(InputError::new(
            Code::EmptyFile,
            file,
            format!(
                "the file is empty; expected a header row with columns {}",
                names(columns, |_| true)
            ),
        ));
        return None;
    }
    // The csv reader counts a CRLF row end as two line ends; read CRLF files as LF so that every
    // message names the line a spreadsheet shows.
    let bytes = if bytes.contains(&b'\r') {
        let lf = String::from_utf8_lossy(bytes).replace("\r\n", "\n");
        Cow::Owned(lf.into_bytes())
    } else {
        Cow::Borrowed(bytes)
    };
    if let Some(line) = unclosed_quote(&bytes) {
        errors.push(
            InputError::new(
                Code::MalformedRow,
                file,
                "a quote opened on this line is never closed, so the rest of the file reads as \
                 one field; close the quote or remove it",
            )
            .at_line(line),
        );
        return None;
    }
    Some(bytes)
}

/// Checks every row's shape: a row with the wrong number of fields is E003 and the reading goes
/// on; any other error stops it (`None`).
fn check_rows(
    file: &str,
    reader: &mut csv::Reader<&[u8]>,
    errors: &mut Vec<InputError>,
) -> Option<()> {
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => return Some(()),
            Ok(true) => {}
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let message = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "the row has {len} fields but the header has {expected_len}; \
                         quote text that contains commas"
                    ),
                    _ => e.to_string(),
                };
                errors.push(InputError::new(Code::MalformedRow, file, message).at_line(line));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    return None;
                }
            }
        }
    }
}

fn csv_reader(bytes: &[u8]) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(csv::Trim::All)
        .from_reader(bytes)
}

/// The line of a quoted field that is still open at the end of the file. A quote opens a field
/// only at its start (as the csv reader reads it); `""` inside a quoted field is a literal quote.
fn unclosed_quote(bytes: &[u8]) -> Option<u64> {
    let (mut line, mut opened, mut in_quote, mut at_start) = (1u64, 0u64, false, true);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quote {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    in_quote = false;
                }
            }
        } else if b == b'"' && at_start {
            in_quote = true;
            opened = line;
        }
        if b == b'\n' {
            line += 1;
        }
        at_start = !in_quote && (b == b',' || b == b'\n');
        i += 1;
    }
    in_quote.then_some(opened)
}

fn names(columns: &[Column], keep: impl Fn(&Column) -> bool) -> String {
    columns
        .iter()
        .filter(|c| keep(c))
        .map(|c| c.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn check_header(
    file: &str,
    header: &csv::StringRecord,
    columns: &[Column],
    ignore_unknown: bool,
    errors: &mut Vec<InputError>,
) -> Option<HashMap<&'static str, usize>> {
    if let Some(e) = wrong_delimiter(file, header) {
        errors.push(e);
        return None;
    }
    let before = errors.len();
    let mut index = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let key = name.trim().to_ascii_lowercase();
        match columns.iter().find(|c| c.name == key) {
            Some(c) => {
                if index.insert(c.name, i).is_some() {
                    errors.push(
                        InputError::new(
                            Code::DuplicateColumn,
                            file,
                            format!("the header names column {} twice", quoted(name)),
                        )
                        .at_line(1),
                    );
                }
            }
            None if ignore_unknown => {}
            None => errors.push(unknown_column(file, name, &key, columns)),
        }
    }
    for c in columns.iter().filter(|c| c.required) {
        if !index.contains_key(c.name) {
            errors.push(missing_column(file, c, columns));
        }
    }
    (errors.len() == before).then_some(index)
}

/// E008 for a header of one field holding semicolons or tabs: the file is not comma-separated.
fn wrong_delimiter(file: &str, header: &csv::StringRecord) -> Option<InputError> {
    let message = if header.len() != 1 {
        return None;
    } else if header[0].contains(';') {
        "the header is separated by semicolons; cartnet reads comma-separated files \
         (in Excel: Save As \"CSV UTF-8 (Comma delimited)\", or set the list separator to a comma)"
    } else if header[0].contains('\t') {
        "the header is separated by tabs; cartnet reads comma-separated files \
         (in Excel: Save As \"CSV UTF-8 (Comma delimited)\")"
    } else {
        return None;
    };
    Some(InputError::new(Code::WrongDelimiter, file, message).at_line(1))
}

/// E005 for a column the file may not have, with the nearest one it may.
fn unknown_column(file: &str, name: &str, key: &str, columns: &[Column]) -> InputError {
    let hint = did_you_mean(key, columns.iter().map(|c| c.name))
        .map(|c| format!(" (did you mean \"{c}\"?)"))
        .unwrap_or_default();
    InputError::new(
        Code::UnknownColumn,
        file,
        format!(
            "unknown column {}{hint}; the columns are {}",
            quoted(name),
            names(columns, |_| true)
        ),
    )
    .at_line(1)
}

/// E004 for a required column the header lacks.
fn missing_column(file: &str, column: &Column, columns: &[Column]) -> InputError {
    InputError::new(
        Code::MissingColumn,
        file,
        format!(
            "required column \"{}\" is missing; required columns are {}",
            column.name,
            names(columns, |c| c.required)
        ),
    )
    .at_line(1)
}

/// One row being read: accessors parse a cell and record an error when it is bad.
pub struct Row<'a> {
    table: &'a Table,
    record: &'a csv::StringRecord,
    pub line: u64,
    errors: &'a mut Vec<InputError>,
}

impl Table {
    /// Visits every row with a cell reader that records errors into `errors`.
    /// Rows with the wrong number of fields (reported when the table was read) and blank lines
    /// (as spreadsheets leave at the end) are skipped.
    pub fn for_each_row(&self, errors: &mut Vec<InputError>, mut visit: impl FnMut(&mut Row<'_>)) {
        let data = match &self.data {
            Rows::Csv(data) => data,
            Rows::Records(records) => {
                for (line, record) in records {
                    if record.iter().all(str::is_empty) {
                        continue;
                    }
                    let (table, line) = (self, *line);
                    visit(&mut Row {
                        table,
                        record,
                        line,
                        errors: &mut *errors,
                    });
                }
                return;
            }
        };
        let mut reader = csv_reader(data);
        let mut record = csv::StringRecord::new();
        loop {
            match reader.read_record(&mut record) {
                Ok(false) => break,
                Ok(true) if record.iter().all(str::is_empty) => continue,
                Ok(true) => {
                    let mut row = Row {
                        table: self,
                        record: &record,
                        line: record.position().map_or(0, |p| p.line()),
                        errors,
                    };
                    visit(&mut row);
                }
                Err(_) => continue,
            }
        }
    }
}

impl Row<'_> {
    fn error(&mut self, code: Code, column: &str, message: String) {
        self.errors.push(
            InputError::new(code, &self.table.file, message)
                .at_line(self.line)
                .in_column(column),
        );
    }

    /// Records an error about this row that is not tied to a single cell.
    pub fn row_error(&mut self, code: Code, column: &str, message: String) {
        self.error(code, column, message);
    }

    /// The cell's text, trimmed; `None` when blank or the column is absent.
    pub fn text(&self, column: &'static str) -> Option<&str> {
        let i = *self.table.index.get(column)?;
        self.record.get(i).filter(|s| !s.is_empty())
    }

    /// A text cell that must not be blank.
    pub fn required_text(&mut self, column: &'static str) -> Option<String> {
        match self.text(column) {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(Code::MissingValue, column, "a value is required".into());
                None
            }
        }
    }

    /// A finite number within `[min, max]`; `None` when blank (no error) or bad (error recorded).
    pub fn number(&mut self, column: &'static str, min: f64, max: f64) -> Option<f64> {
        let raw = self.text(column)?.to_string();
        let value = match parse_number(&raw) {
            Ok(v) => v,
            Err((code, why)) => {
                self.error(code, column, format!("{} {why}", quoted(&raw)));
                return None;
            }
        };
        if value < min || value > max {
            let range = if max == f64::INFINITY {
                format!(">= {}", show(min))
            } else {
                format!("in [{}, {}]", show(min), show(max))
            };
            let code = if column == "lat" || column == "lon" {
                Code::BadCoordinate
            } else {
                Code::OutOfRange
            };
            self.error(
                code,
                column,
                format!(
                    "{} is out of range: expected a number {range}",
                    quoted(&raw)
                ),
            );
            return None;
        }
        Some(value)
    }

    /// A number that must be present.
    pub fn required_number(&mut self, column: &'static str, min: f64, max: f64) -> Option<f64> {
        if self.text(column).is_none() {
            self.error(Code::MissingValue, column, "a number is required".into());
            return None;
        }
        self.number(column, min, max)
    }

    /// A whole number >= 0; `None` when blank or bad.
    pub fn whole_number(&mut self, column: &'static str) -> Option<u32> {
        let raw = self.text(column)?.to_string();
        match parse_number(&raw) {
            Ok(v) if v >= 0.0 && v.fract() == 0.0 && v <= u32::MAX as f64 => Some(v as u32),
            Ok(_) | Err((Code::NotANumber, _)) => {
                self.error(
                    Code::NotWholeNumber,
                    column,
                    format!("{} is not a whole number >= 0", quoted(&raw)),
                );
                None
            }
            Err((code, why)) => {
                self.error(code, column, format!("{} {why}", quoted(&raw)));
                None
            }
        }
    }

    /// One of `choices` (case-insensitive); `None` when blank or bad.
    pub fn choice<T: Copy>(&mut self, column: &'static str, choices: &[(&str, T)]) -> Option<T> {
        let raw = self.text(column)?.to_string();
        let lower = raw.to_ascii_lowercase();
        if let Some((_, v)) = choices.iter().find(|(name, _)| *name == lower) {
            return Some(*v);
        }
        let list = choices
            .iter()
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(", ");
        self.error(
            Code::BadChoice,
            column,
            format!("{} is not one of: {list}", quoted(&raw)),
        );
        None
    }
}

/// Parses a number as spreadsheets write it; explains what is wrong otherwise.
fn parse_number(raw: &str) -> Result<f64, (Code, String)> {
    match raw.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err((
            Code::NotFinite,
            "is not a finite number (NaN and infinity are not allowed)".into(),
        )),
        Err(_) => {
            let digits_and_commas = raw
                .chars()
                .all(|c| c.is_ascii_digit() || ",.-+ ".contains(c));
            let why = if raw.contains(',') && digits_and_commas {
                "is not a number: write numbers without thousands separators and with a \
                 decimal point (e.g. 1234.5)"
            } else {
                "is not a number"
            };
            Err((Code::NotANumber, why.into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: &[Column] = &[required("id"), required("x"), optional("n")];

    fn parse_ok(text: &str) -> (Option<Table>, Vec<InputError>) {
        let mut errors = Vec::new();
        let t = parse("t.csv", text.as_bytes(), COLS, &mut errors);
        (t, errors)
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let (t, errors) = parse_ok("\u{feff}id,x\r\na,1\r\nb,2\r\n");
        assert!(errors.is_empty(), "{errors:?}");
        let t = t.unwrap();
        let mut lines = Vec::new();
        t.for_each_row(&mut Vec::new(), |row| lines.push(row.line));
        assert_eq!(lines, vec![2, 3]);
    }

    #[test]
    fn header_problems_are_all_reported() {
        let (t, errors) = parse_ok("id,xx,n,n\n");
        assert!(t.is_none());
        let codes: Vec<_> = errors.iter().map(|e| e.code).collect();
        assert_eq!(
            codes,
            vec![
                Code::UnknownColumn,
                Code::DuplicateColumn,
                Code::MissingColumn
            ]
        );
        assert!(errors[0].message.contains("did you mean \"x\""));
    }

    #[test]
    fn cells_report_value_and_expectation() {
        let (t, mut errors) = parse_ok("id,x,n\na,\"1,234\",3.5\nb,nan,2\n");
        let t = t.unwrap();
        t.for_each_row(&mut errors, |row| {
            row.number("x", 0.0, f64::INFINITY);
            row.whole_number("n");
        });
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(shown.len(), 3, "{shown:?}");
        assert!(shown[0].starts_with(
            "E102 t.csv:2: column x: \"1,234\" is not a number: write numbers without thousands"
        ));
        assert_eq!(
            shown[1],
            "E103 t.csv:2: column n: \"3.5\" is not a whole number >= 0"
        );
        assert!(shown[2].starts_with("E104 t.csv:3: column x: \"nan\""));
    }

    #[test]
    fn semicolons_get_a_hint() {
        let (_, errors) = parse_ok("id;x\na;1\n");
        assert_eq!(errors[0].code, Code::WrongDelimiter);
    }

    #[test]
    fn invalid_utf8_names_the_line() {
        let mut errors = Vec::new();
        parse("t.csv", b"id,x\na,1\nb\xff,2\n", COLS, &mut errors);
        assert_eq!(errors[0].code, Code::NotUtf8);
        assert_eq!(errors[0].line, Some(3));
    }

    #[test]
    fn ragged_rows_are_reported_with_their_line() {
        let (_, errors) = parse_ok("id,x\na,1\nb,2,3\n");
        assert_eq!(errors[0].code, Code::MalformedRow);
        assert_eq!(errors[0].line, Some(3));
    }
}
