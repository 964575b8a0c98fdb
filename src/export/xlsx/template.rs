//! The instance workbook (`cartnet template`): a README sheet that explains every column, then
//! the sheets demand, hospitals, sites and lanes with their headers, empty or filled from a
//! folder of CSV files. Sheets and columns come from [`crate::input::columns`], the table the
//! validation reads them by, so the template always matches what `--data FILE.xlsx` accepts.

use super::sheet::{Col, Formats, Kind, Value, col, table};
use crate::input::columns::{FILES, InstanceFile};
use crate::input::table::Column;
use rust_xlsxwriter::{Workbook, XlsxError};
use std::io;
use std::path::Path;

const README: &[Col] = &[
    col("sheet", Kind::Text),
    col("column", Kind::Text),
    col("required", Kind::Text),
    col("accepts", Kind::Text),
    col("meaning", Kind::Text),
];

/// The workbook, its sheets empty, or filled with the rows of the CSV files in `from`.
pub fn render(from: Option<&Path>) -> io::Result<Vec<u8>> {
    let rows = match from {
        Some(dir) => FILES
            .iter()
            .map(|f| read_csv(&dir.join(f.file), f))
            .collect::<io::Result<Vec<_>>>()?,
        None => vec![Vec::new(); FILES.len()],
    };
    build(&rows).map_err(|e| io::Error::other(format!("the workbook: {e}")))
}

fn build(rows: &[Vec<Vec<String>>]) -> Result<Vec<u8>, XlsxError> {
    let mut book: Workbook = super::fixed_date_workbook()?;
    let f = Formats::default();
    table(&mut book, &f, "README", README, readme_rows())?;
    for (file, rows) in FILES.iter().zip(rows) {
        let cols: Vec<Col> = file.columns.iter().map(|c| col(c.name, kind(c))).collect();
        let values = rows.iter().map(|r| {
            r.iter()
                .zip(file.columns)
                .map(|(t, c)| cell(t, c))
                .collect::<Vec<_>>()
        });
        table(&mut book, &f, file.sheet, &cols, values)?;
    }
    book.save_to_buffer()
}

fn kind(c: &Column) -> Kind {
    if c.number { Kind::General } else { Kind::Text }
}

/// A cell of a number column as a number when it reads as one; anything else as it is.
fn cell<'a>(text: &'a str, c: &Column) -> Value<'a> {
    match text.parse::<f64>() {
        _ if text.is_empty() => Value::Blank,
        Ok(v) if c.number && v.is_finite() => Value::Num(v),
        _ => Value::Text(text),
    }
}

/// One row per sheet (what it holds), then one per column (required, accepts, meaning).
fn readme_rows() -> Vec<Vec<Value<'static>>> {
    let mut rows = Vec::new();
    for f in &FILES {
        let need = |yes: bool| Value::Text(if yes { "yes" } else { "optional" });
        rows.push(vec![
            Value::Text(f.sheet),
            Value::Blank,
            need(f.required),
            Value::Owned(format!("the columns below (as {})", f.file)),
            Value::Text(f.meaning),
        ]);
        for c in f.columns {
            rows.push(vec![
                Value::Text(f.sheet),
                Value::Text(c.name),
                need(c.required),
                Value::Text(c.expected),
                Value::Text(c.meaning),
            ]);
        }
    }
    rows
}

/// The rows of a CSV file, each in the order of the sheet's columns (an absent optional file
/// has none; a column the file lacks is blank).
fn read_csv(path: &Path, f: &InstanceFile) -> io::Result<Vec<Vec<String>>> {
    if !path.exists() && !f.required {
        return Ok(Vec::new());
    }
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| io::Error::other(format!("{}: {e}", path.display())))?;
    let header = reader.headers().map_err(io::Error::other)?.clone();
    let at: Vec<Option<usize>> = f
        .columns
        .iter()
        .map(|c| header.iter().position(|h| h.eq_ignore_ascii_case(c.name)))
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(io::Error::other)?;
        let row = at
            .iter()
            .map(|i| i.and_then(|i| record.get(i)).unwrap_or("").to_string())
            .collect();
        rows.push(row);
    }
    Ok(rows)
}
