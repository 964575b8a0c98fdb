//! The whitespace-separated number files of the facility location benchmarks (OR-Library,
//! Yang et al.), read token by token with the line of each, so an error names its place.

use crate::input::error::{Code, InputError, quoted};

/// The tokens of one file, each with its line (from 1).
pub(crate) struct Tokens<'a> {
    file: &'a str,
    items: Vec<(u64, &'a str)>,
    next: usize,
}

impl<'a> Tokens<'a> {
    pub(crate) fn new(file: &'a str, text: &'a str) -> Self {
        let items = text
            .lines()
            .enumerate()
            .flat_map(|(i, l)| l.split_whitespace().map(move |t| (i as u64 + 1, t)))
            .collect();
        Tokens {
            file,
            items,
            next: 0,
        }
    }

    /// How many tokens the file holds: the most numbers a header may be trusted to announce.
    pub(crate) fn len(&self) -> usize {
        self.items.len()
    }

    /// The line of the next token (the last line at the end of the file).
    pub(crate) fn line(&self) -> u64 {
        self.items
            .get(self.next)
            .or(self.items.last())
            .map_or(1, |t| t.0)
    }

    /// The next token, not taken.
    pub(crate) fn peek(&self) -> Option<&'a str> {
        self.items.get(self.next).map(|t| t.1)
    }

    pub(crate) fn raw(&mut self, what: &str) -> Result<(u64, &'a str), InputError> {
        match self.items.get(self.next) {
            Some(&t) => {
                self.next += 1;
                Ok(t)
            }
            None => {
                let line = self.items.last().map_or(1, |t| t.0);
                Err(InputError::new(
                    Code::MalformedRow,
                    self.file,
                    format!("the file ends early: expected {what}"),
                )
                .at_line(line))
            }
        }
    }

    /// A number as the formats write it (`7500.`, `.00000`, `146`, `1712.000000`).
    pub(crate) fn number(&mut self, what: &str) -> Result<f64, InputError> {
        let (line, t) = self.raw(what)?;
        match t.parse::<f64>() {
            Ok(v) if v.is_finite() && v >= 0.0 => Ok(v),
            _ => Err(InputError::new(
                Code::NotANumber,
                self.file,
                format!("{} is not a number >= 0; expected {what}", quoted(t)),
            )
            .at_line(line)),
        }
    }

    /// Customer j's (from 0) assignment costs from each of the `m` facilities.
    pub(crate) fn cost_row(&mut self, j: usize, m: usize) -> Result<Vec<f64>, InputError> {
        let mut row = Vec::with_capacity(m.min(self.len()));
        for i in 0..m {
            row.push(self.number(&format!(
                "the cost of customer {} from facility {}",
                j + 1,
                i + 1
            ))?);
        }
        Ok(row)
    }

    /// The header's two counts (facilities, customers): whole numbers >= 1.
    pub(crate) fn header(&mut self) -> Result<(usize, usize), InputError> {
        let m = self.number("the number of facilities")?;
        let n = self.number("the number of customers")?;
        if m.fract() != 0.0 || n.fract() != 0.0 || m < 1.0 || n < 1.0 {
            return Err(InputError::new(
                Code::NotWholeNumber,
                self.file,
                format!(
                    "the header \"{m} {n}\" must be two whole numbers >= 1 (facilities, customers)"
                ),
            )
            .at_line(1));
        }
        Ok((m as usize, n as usize))
    }

    /// The end of the file: a token after `last` is an error.
    pub(crate) fn end(&self, last: &str) -> Result<(), InputError> {
        match self.items.get(self.next) {
            Some(&(line, extra)) => Err(InputError::new(
                Code::MalformedRow,
                self.file,
                format!("unexpected {} after {last}", quoted(extra)),
            )
            .at_line(line)),
            None => Ok(()),
        }
    }
}
