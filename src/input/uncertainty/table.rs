//! A CSV file whose columns are not known in advance (the scenarios file: one column per scenario
//! key), read as spreadsheets export it: UTF-8 with or without BOM, CRLF or LF, cells trimmed,
//! blank lines skipped. The file problems are those of the instance's files (E002, E007, E008).

use crate::input::error::{Code, InputError, utf8};

/// The header and the rows, each row with its line (the header is line 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Rows {
    pub header: Vec<String>,
    pub rows: Vec<(u64, Vec<String>)>,
}

/// Reads `bytes`; `None` (with the reason in `errors`) when there is nothing to use: a file that
/// is not UTF-8, whose header is not comma-separated, or that is blank (`empty` says what to
/// write instead).
pub fn read(file: &str, bytes: &[u8], empty: &str, errors: &mut Vec<InputError>) -> Option<Rows> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match utf8(file, bytes, "CSV UTF-8") {
        Ok(t) => t.replace("\r\n", "\n"),
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    if text.trim().is_empty() {
        errors.push(InputError::new(Code::NoScenarios, file, empty));
        return None;
    }
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .trim(::csv::Trim::All)
        .from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => {
            errors.push(InputError::new(Code::MalformedRow, file, e.to_string()).at_line(1));
            return None;
        }
    };
    if let [only] = header.as_slice() {
        for (sep, name) in [(';', "semicolons"), ('\t', "tabs")] {
            if only.contains(sep) {
                errors.push(
                    InputError::new(
                        Code::WrongDelimiter,
                        file,
                        format!(
                            "the header is separated by {name}; cartnet reads comma-separated \
                             files (in Excel: Save As \"CSV UTF-8 (Comma delimited)\")"
                        ),
                    )
                    .at_line(1),
                );
                return None;
            }
        }
    }
    let mut rows = Vec::new();
    let mut record = ::csv::StringRecord::new();
    let mut lines = Lines::new(&text);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) if record.iter().all(str::is_empty) => {}
            Ok(true) => {
                let line = lines.at(record.position());
                rows.push((line, record.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let line = lines.at(e.position());
                let message = match e.kind() {
                    ::csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!(
                        "the row has {len} fields but the header has {expected_len}; \
                         quote text that contains commas"
                    ),
                    _ => e.to_string(),
                };
                errors.push(InputError::new(Code::MalformedRow, file, message).at_line(line));
                if !matches!(e.kind(), ::csv::ErrorKind::UnequalLengths { .. }) {
                    return None;
                }
            }
        }
    }
    Some(Rows { header, rows })
}

/// Line numbers from byte offsets: the csv reader's own line count leaves out blank lines.
struct Lines<'a> {
    text: &'a [u8],
    /// `line` is the line at byte `byte`.
    byte: usize,
    line: u64,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text: text.as_bytes(),
            byte: 0,
            line: 1,
        }
    }

    /// The line a record starts on (records come in order, so counting goes on from the last).
    fn at(&mut self, position: Option<&::csv::Position>) -> u64 {
        let Some(p) = position else {
            return self.line;
        };
        // a record's position is where the previous one ended: before the blank lines
        let mut end = (p.byte() as usize).min(self.text.len());
        while self.text.get(end) == Some(&b'\n') {
            end += 1;
        }
        if end >= self.byte {
            let newlines = self.text[self.byte..end].iter().filter(|&&b| b == b'\n');
            self.line += newlines.count() as u64;
            self.byte = end;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &[u8]) -> (Option<Rows>, Vec<String>) {
        let mut errors = Vec::new();
        let r = read("s.csv", text, "empty", &mut errors);
        (r, errors.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn bom_crlf_blank_lines_and_spaces_are_read_as_spreadsheets_write_them() {
        let (r, errors) =
            rows(b"\xEF\xBB\xBFid, probability\r\nlow , 0.5\r\n\r\nhigh,0.5\r\n\n\nmid,0\n");
        assert!(errors.is_empty(), "{errors:?}");
        let r = r.unwrap();
        assert_eq!(r.header, ["id", "probability"]);
        assert_eq!(r.rows[0], (2, vec!["low".to_string(), "0.5".to_string()]));
        // the line a text editor shows, blank lines counted
        let lines: Vec<u64> = r.rows.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, [2, 4, 7]);
    }

    #[test]
    fn file_problems_are_those_of_the_instance_files() {
        assert_eq!(rows(b"").1, ["E806 s.csv: empty"]);
        assert_eq!(rows(b"\n \n").1, ["E806 s.csv: empty"]);
        assert_eq!(
            rows(b"id,x\na,1,2\nb,2\n").1,
            [
                "E007 s.csv:2: the row has 3 fields but the header has 2; quote text that contains commas"
            ]
        );
        assert!(rows(b"id;probability\na;1\n").1[0].starts_with(
            "E008 s.csv:1: the header is separated by semicolons; cartnet reads comma-separated"
        ));
        assert_eq!(
            rows(b"id\na\xff\n").1,
            ["E002 s.csv:2: byte 5 is not valid UTF-8; save the file as \"CSV UTF-8\""]
        );
    }
}
