//! One sheet of plan.xlsx: a bold, frozen header row with an autofilter, then typed rows, each
//! column with its number format and width.

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// Money in whole dollars: plan figures are rounded to the cent, but a reader compares dollars.
const USD_FORMAT: &str = "$#,##0";
/// Shares (coverage, utilization, probability) as percentages with one decimal.
const SHARE_FORMAT: &str = "0.0%";
/// Patients, batches, hours and days: flows are fractional, two decimals show them.
const NUMBER_FORMAT: &str = "#,##0.00";
/// Counts and years.
const WHOLE_FORMAT: &str = "0";
/// Excel's column width is in characters of the default font; no column needs more than this.
const MAX_WIDTH: f64 = 60.0;
/// Room for the autofilter's drop-down button beside a header.
const FILTER_BUTTON: f64 = 3.0;

/// How a column's numbers are shown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    Usd,
    Share,
    Number,
    Whole,
    /// A number as it is, without a format (scenario parameters of every unit).
    General,
}

/// A column: its header and kind; its width follows the header and the values.
#[derive(Debug, Clone, Copy)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
}

pub const fn col(name: &'static str, kind: Kind) -> Col {
    Col { name, kind }
}

/// A cell. A number in a text column or text in a number column is written as it is.
#[derive(Debug, Clone)]
pub enum Value<'a> {
    Text(&'a str),
    Owned(String),
    Num(f64),
    /// A number with its own format, whatever its column's kind (the Summary's values).
    Typed(f64, Kind),
    Blank,
}

impl Value<'_> {
    /// The number or a blank when there is none.
    pub fn maybe(v: Option<f64>) -> Value<'static> {
        v.map_or(Value::Blank, Value::Num)
    }

    /// About how many characters the cell shows, for the column width.
    fn shown_len(&self) -> f64 {
        match self {
            Value::Text(t) => t.chars().count() as f64,
            Value::Owned(t) => t.chars().count() as f64,
            // digits of the integer part, with thousands separators, and a few decimals
            Value::Num(v) | Value::Typed(v, _) => {
                (v.abs().max(1.0).log10().floor() * 4.0 / 3.0) + 5.0
            }
            Value::Blank => 0.0,
        }
    }
}

/// The formats of a workbook, made once.
pub struct Formats {
    header: Format,
    text: Format,
    /// Text a spreadsheet would take for a formula: shown and kept as text.
    quoted: Format,
    usd: Format,
    share: Format,
    number: Format,
    whole: Format,
}

impl Default for Formats {
    fn default() -> Formats {
        Formats {
            header: Format::new().set_bold(),
            text: Format::new(),
            quoted: Format::new().set_quote_prefix(),
            usd: Format::new().set_num_format(USD_FORMAT),
            share: Format::new().set_num_format(SHARE_FORMAT),
            number: Format::new().set_num_format(NUMBER_FORMAT),
            whole: Format::new().set_num_format(WHOLE_FORMAT),
        }
    }
}

impl Formats {
    fn of(&self, kind: Kind) -> &Format {
        match kind {
            Kind::Text | Kind::General => &self.text,
            Kind::Usd => &self.usd,
            Kind::Share => &self.share,
            Kind::Number => &self.number,
            Kind::Whole => &self.whole,
        }
    }
}

/// Whether a spreadsheet would read `t`, typed in, as a formula (the CSVs quote the same).
fn formula_like(t: &str) -> bool {
    t.starts_with(['=', '+', '-', '@'])
}

/// Adds a sheet `name` with a header row and `rows`: the header bold and frozen, an autofilter
/// over the table, every column as wide as its longest cell (within [`MAX_WIDTH`]).
pub fn table<'a>(
    book: &mut Workbook,
    formats: &Formats,
    name: &str,
    cols: &[Col],
    rows: impl IntoIterator<Item = Vec<Value<'a>>>,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet();
    sheet.set_name(name)?;
    let mut widths: Vec<f64> = cols
        .iter()
        .map(|c| c.name.len() as f64 + FILTER_BUTTON)
        .collect();
    for (c, column) in cols.iter().enumerate() {
        // cells written without a format take their column's: one format lookup per column,
        // not per cell
        sheet.set_column_format(c as u16, formats.of(column.kind))?;
        sheet.write_string_with_format(0, c as u16, column.name, &formats.header)?;
    }
    let mut last = 0u32;
    for (r, row) in rows.into_iter().enumerate() {
        last = r as u32 + 1;
        for (c, value) in row.iter().take(cols.len()).enumerate() {
            widths[c] = widths[c].max(value.shown_len());
            write(sheet, formats, (last, c as u16), value)?;
        }
    }
    for (c, w) in widths.iter().enumerate() {
        sheet.set_column_width(c as u16, w.min(MAX_WIDTH) + 1.0)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    sheet.autofilter(0, 0, last, cols.len().saturating_sub(1) as u16)?;
    Ok(())
}

fn write(
    sheet: &mut Worksheet,
    formats: &Formats,
    (row, col): (u32, u16),
    value: &Value<'_>,
) -> Result<(), XlsxError> {
    let text = |sheet: &mut Worksheet, t: &str| {
        if formula_like(t) {
            sheet.write_string_with_format(row, col, t, &formats.quoted)
        } else {
            sheet.write_string(row, col, t)
        }
        .map(drop)
    };
    match value {
        Value::Text(t) => text(sheet, t),
        Value::Owned(t) => text(sheet, t),
        Value::Num(v) => sheet.write_number(row, col, *v).map(drop),
        Value::Typed(v, own) => sheet
            .write_number_with_format(row, col, *v, formats.of(*own))
            .map(drop),
        Value::Blank => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_text_is_recognised_as_the_csvs_do() {
        for t in ["=SUM(A1)", "+1", "-1", "@x"] {
            assert!(formula_like(t), "{t}");
            assert_eq!(crate::export::csv::safe_text(t), format!("'{t}"));
        }
        assert!(!formula_like("S-MSK"));
    }
}
