//! Errors found by the CSV readers, located in the workbook: `E103 instance.xlsx!sites!G7:
//! column max_platforms: ...`, the cell when the error names a column, else the row
//! (`sites!7:7`), else the sheet.

use super::cells::letters;
use crate::input::columns::FILES;
use crate::input::error::InputError;

/// The workbook and, for each sheet read, the CSV name its errors were filed under, the sheet's
/// name and its header.
pub struct Place<'a> {
    pub book: &'a str,
    pub sheets: &'a [(&'static str, String, Vec<String>)],
}

impl Place<'_> {
    /// `e` located in the workbook when it was filed under one of the instance's CSV names;
    /// other errors (a missing sheet, the workbook unreadable) are already located.
    pub fn locate(&self, mut e: InputError) -> InputError {
        let Some(file) = FILES.iter().find(|f| f.file == e.file) else {
            return e;
        };
        let read = self.sheets.iter().find(|(f, _, _)| *f == file.file);
        let sheet = read.map_or(file.sheet, |(_, name, _)| name.as_str());
        let mut at = format!("{}!{}", self.book, sheet_ref(sheet));
        if let Some(line) = e.line.take() {
            let header = read.map_or(&[][..], |(_, _, h)| h.as_slice());
            let col = e
                .column
                .as_deref()
                .and_then(|c| header.iter().position(|h| h.trim().eq_ignore_ascii_case(c)));
            match col {
                Some(c) => at.push_str(&format!("!{}{line}", letters(c))),
                None => at.push_str(&format!("!{line}:{line}")),
            }
        }
        e.file = at;
        e.message = in_sheet_terms(&e.message);
        e
    }
}

/// A sheet name as a reference writes it: quoted when it holds anything but letters, digits
/// and underscores.
fn sheet_ref(name: &str) -> String {
    if name.chars().all(|c| c.is_alphanumeric() || c == '_') {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "''"))
    }
}

/// A message of the CSV readers in the workbook's terms: sheets for files, rows for lines.
fn in_sheet_terms(message: &str) -> String {
    let mut m = message
        .replace(" on line ", " on row ")
        .replace("the file has", "the sheet has");
    for f in FILES {
        m = m.replace(f.file, &format!("sheet {}", f.sheet));
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::error::Code;

    #[test]
    fn a_cell_a_row_or_the_sheet() {
        let header = vec!["id".to_string(), "name".into(), "max_platforms".into()];
        let sheets = [("sites.csv", "Sites".to_string(), header)];
        let place = Place {
            book: "i.xlsx",
            sheets: &sheets,
        };
        let cell = InputError::new(Code::NotWholeNumber, "sites.csv", "bad")
            .at_line(7)
            .in_column("max_platforms");
        assert_eq!(
            place.locate(cell).to_string(),
            "E103 i.xlsx!Sites!C7: column max_platforms: bad"
        );
        let row = InputError::new(Code::MalformedRow, "sites.csv", "x").at_line(4);
        assert_eq!(place.locate(row).to_string(), "E007 i.xlsx!Sites!4:4: x");
        let dup = InputError::new(Code::DuplicateId, "demand.csv", "first defined on line 3")
            .at_line(5)
            .in_column("id");
        assert_eq!(
            place.locate(dup).to_string(),
            "E201 i.xlsx!demand!5:5: column id: first defined on row 3"
        );
        let other = InputError::new(Code::UnknownReference, "sites.csv", "not in hospitals.csv");
        assert_eq!(
            place.locate(other).to_string(),
            "E202 i.xlsx!Sites: not in sheet hospitals"
        );
        assert_eq!(sheet_ref("My sheet"), "'My sheet'");
    }
}
