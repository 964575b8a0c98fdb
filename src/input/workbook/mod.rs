//! An instance read from an Excel workbook (`--data FILE.xlsx`): the sheets demand, hospitals,
//! sites and (optional) lanes hold the columns of the CSV files (DESIGN §3). Each sheet becomes
//! the records the CSV readers consume ([`cells`]), the instance is validated by the same code
//! as a folder of CSV files, and every error is then located in the workbook:
//! `instance.xlsx!sites!C7` ([`locate`]).

mod cells;
mod locate;

use super::columns::{FILES, InstanceFile};
use super::error::{Code, InputError, InputErrors, did_you_mean, quoted};
use super::{Instance, table};
use calamine::{Data, Range, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;

pub use cells::letters;

/// Whether `--data` names a workbook rather than a folder: by its extension, `.xlsx` (or the
/// macro-enabled `.xlsm`, whose sheets read the same).
pub fn is_workbook(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx") || e.eq_ignore_ascii_case("xlsm"))
}

/// An error about the instance found after it was read (E105 for demand grown out of range),
/// located in the workbook when `data` is one.
pub fn locate_in(data: &Path, e: InputError) -> InputError {
    if !is_workbook(data) {
        return e;
    }
    let book = book_name(data);
    let place = locate::Place {
        book: &book,
        sheets: &[],
    };
    place.locate(e)
}

fn book_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads and validates the instance in the workbook at `path`.
pub fn load(path: &Path) -> Result<Instance, InputErrors> {
    let name = book_name(path);
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(
            Code::FileUnreadable,
            &name,
            format!("cannot read {}: {e}", path.display()),
        )
    })?;
    from_bytes(&name, &bytes)
}

/// Reads and validates the instance in a workbook's bytes; `name` is the workbook as messages
/// name it.
pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<Instance, InputErrors> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|e| {
        InputError::new(
            Code::FileUnreadable,
            name,
            format!("cannot read the file as an Excel workbook (.xlsx): {e}"),
        )
    })?;
    let sheets = find_sheets(name, &book.sheet_names());
    let mut headers: Vec<(&'static str, String, Vec<String>)> = Vec::new();
    let has_lanes = sheets[3].is_ok();
    let parsed = Instance::parse(has_lanes, |file, columns, errors| {
        let i = FILES.iter().position(|f| f.file == file)?;
        let sheet = match &sheets[i] {
            Ok(sheet) => sheet,
            Err(missing) => {
                errors.extend(missing.clone());
                return None;
            }
        };
        let range = read_sheet(&mut book, name, sheet, errors)?;
        let records = cells::records(file, &range, errors);
        headers.push((file_name(i), sheet.clone(), records.header.clone()));
        if records.header.is_empty() {
            errors.push(empty_sheet(file, &FILES[i]));
            return None;
        }
        table::from_records(file, &records.header, records.rows, columns, errors)
    });
    parsed.map_err(|e| {
        let place = locate::Place {
            book: name,
            sheets: &headers,
        };
        InputErrors(e.0.into_iter().map(|e| place.locate(e)).collect())
    })
}

fn file_name(i: usize) -> &'static str {
    FILES[i].file
}

/// The workbook's sheet for each of [`FILES`] (matched without regard to case or surrounding
/// spaces); else E009, with the nearest sheet name, for a required one (`None` for lanes).
fn find_sheets(book: &str, names: &[String]) -> [Result<String, Option<InputError>>; 4] {
    FILES.map(|f| {
        match names
            .iter()
            .find(|n| n.trim().eq_ignore_ascii_case(f.sheet))
        {
            Some(found) => Ok(found.clone()),
            None => Err(f.required.then(|| missing_sheet(book, &f, names))),
        }
    })
}

fn missing_sheet(book: &str, file: &InstanceFile, names: &[String]) -> InputError {
    let hint = did_you_mean(file.sheet, names.iter().map(|n| n.trim()))
        .map(|n| format!(" (did you mean {}?)", quoted(n)))
        .unwrap_or_default();
    let listed: Vec<String> = names.iter().map(|n| quoted(n)).collect();
    InputError::new(
        Code::MissingSheet,
        book,
        format!(
            "the workbook has no sheet \"{}\"{hint}; its sheets are {}; an instance needs sheets \
             demand, hospitals and sites (lanes is optional)",
            file.sheet,
            listed.join(", ")
        ),
    )
}

fn read_sheet(
    book: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    sheet: &str,
    errors: &mut Vec<InputError>,
) -> Option<Range<Data>> {
    book.worksheet_range(sheet)
        .map_err(|e| {
            let message = format!("cannot read sheet {}: {e}", quoted(sheet));
            errors.push(InputError::new(Code::FileUnreadable, name, message));
        })
        .ok()
}

/// E003 for a sheet whose row 1 holds no header.
fn empty_sheet(file: &str, f: &InstanceFile) -> InputError {
    let names: Vec<&str> = f.columns.iter().map(|c| c.name).collect();
    InputError::new(
        Code::EmptyFile,
        file,
        format!(
            "row 1 of the sheet is empty; expected the header row there, with columns {}",
            names.join(", ")
        ),
    )
}
