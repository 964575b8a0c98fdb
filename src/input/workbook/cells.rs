//! A worksheet as the records the CSV readers consume: row 1 is the header, every later row a
//! record of cell texts with its row number as its line. Numbers are written as the shortest
//! text that reads back as the same number, so a number cell and the same number typed as text
//! are read alike; a formula is read as its cached value.

use crate::input::error::{Code, InputError};
use calamine::{Data, Range};

/// A sheet's header and its non-blank rows, each with its 1-based row number.
pub struct Records {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Spreadsheet column letters of a 0-based column: 0 is A, 25 is Z, 26 is AA.
pub fn letters(mut col: usize) -> String {
    let mut out = Vec::new();
    loop {
        out.push(b'A' + (col % 26) as u8);
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// The text of a cell as a CSV file would hold it; `Err` with the error's text (`#DIV/0!`)
/// when the cell holds a spreadsheet error.
fn text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Float(v) => v.to_string(),
        Data::Int(v) => v.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.as_f64().to_string(),
        Data::Error(e) => return Err(e.to_string()),
    })
}

/// The records of `range`, the sheet of `file` (the CSV name its errors are filed under until
/// they are located in the sheet). E010 for a cell holding an error value (its row is left
/// out, so that it adds no second error), E007 for a value right of the header's last column.
pub fn records(file: &str, range: &Range<Data>, errors: &mut Vec<InputError>) -> Records {
    let Some((_, (last_row, last_col))) = range.start().zip(range.end()) else {
        return Records {
            header: Vec::new(),
            rows: Vec::new(),
        };
    };
    let cell = |r: u32, c: u32| range.get_value((r, c)).unwrap_or(&Data::Empty);
    let mut header: Vec<String> = (0..=last_col)
        .map(|c| text(cell(0, c)).unwrap_or_default())
        .collect();
    while header.last().is_some_and(|h| h.trim().is_empty()) {
        header.pop();
    }
    let width = header.len() as u32;
    let mut rows = Vec::new();
    for r in 1..=last_row {
        let line = u64::from(r) + 1;
        let mut cells = Vec::with_capacity(header.len());
        let mut ok = true;
        for c in 0..=last_col {
            match text(cell(r, c)) {
                Ok(t) if c < width => cells.push(t),
                Ok(t) if t.trim().is_empty() => {}
                Ok(t) => {
                    ok = false;
                    errors.push(beyond_header(file, line, c as usize, &t, width as usize));
                }
                Err(e) => {
                    ok = false;
                    let column = header.get(c as usize).cloned().unwrap_or_default();
                    errors.push(error_value(file, line, &column, &e));
                }
            }
        }
        if ok && cells.iter().any(|c| !c.trim().is_empty()) {
            rows.push((line, cells));
        }
    }
    Records { header, rows }
}

fn error_value(file: &str, line: u64, column: &str, value: &str) -> InputError {
    InputError::new(
        Code::CellError,
        file,
        format!(
            "the cell holds the error {value}; fix the formula or type the value (the row is \
             not read)"
        ),
    )
    .at_line(line)
    .in_column(column.trim().to_ascii_lowercase())
}

fn beyond_header(file: &str, line: u64, col: usize, value: &str, width: usize) -> InputError {
    InputError::new(
        Code::MalformedRow,
        file,
        format!(
            "cell {}{line} holds {} right of the header's last column ({}); give the column a \
             header or clear the cell",
            letters(col),
            crate::input::error::quoted(value),
            letters(width.saturating_sub(1))
        ),
    )
    .at_line(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_letters() {
        let shown: Vec<String> = [0, 2, 25, 26, 27, 51, 52, 701, 702].map(letters).into();
        assert_eq!(shown, ["A", "C", "Z", "AA", "AB", "AZ", "BA", "ZZ", "AAA"]);
    }

    #[test]
    fn numbers_read_back_as_the_same_number() {
        for v in [40.7128, -73.95, 3.0, 1e-7, 2_250_000.0, 0.1 + 0.2] {
            let t = text(&Data::Float(v)).unwrap();
            assert_eq!(t.parse::<f64>().unwrap(), v, "{t}");
        }
        assert_eq!(text(&Data::Float(3.0)).unwrap(), "3");
        assert_eq!(text(&Data::Bool(true)).unwrap(), "true");
    }

    #[test]
    fn error_values_and_cells_right_of_the_header_are_located() {
        let mut range = Range::new((0, 0), (3, 3));
        for (c, h) in ["id", "lat", ""].iter().enumerate() {
            range.set_value((0, c as u32), Data::String(h.to_string()));
        }
        range.set_value((1, 0), Data::String("a".into()));
        range.set_value((1, 1), Data::Error(calamine::CellErrorType::Div0));
        range.set_value((2, 0), Data::String("b".into()));
        range.set_value((2, 3), Data::Float(7.0));
        range.set_value((3, 0), Data::String("c".into()));
        range.set_value((3, 1), Data::Float(1.5));
        let mut errors = Vec::new();
        let r = records("sites.csv", &range, &mut errors);
        assert_eq!(r.header, ["id", "lat"]);
        assert_eq!(r.rows, [(4, vec!["c".to_string(), "1.5".to_string()])]);
        let shown: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            shown,
            [
                "E010 sites.csv:2: column lat: the cell holds the error #DIV/0!; fix the formula \
                 or type the value (the row is not read)",
                "E007 sites.csv:3: cell D3 holds \"7\" right of the header's last column (B); \
                 give the column a header or clear the cell",
            ]
        );
    }
}
