//! plan.xlsx: the plan as one workbook for people who plan in spreadsheets. Sheets Summary,
//! Sites, Hospitals, Patient flows, Batch flows, Unserved, and Years (a horizon) or Scenarios
//! (a two-stage plan) when the plan has them. Money is in USD and shares in %, every sheet has
//! a frozen header row with an autofilter, and text that a spreadsheet would take for a formula
//! stays text (a quote-prefixed string cell, as the CSVs prefix it with `'`).

pub mod sheet;
mod summary;
mod tables;
pub mod template;

use crate::input::Instance;
use crate::plan::Plan;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook, XlsxError};
use sheet::{Formats, table};
use std::io;

/// The creation date recorded in the workbook: a fixed one, so that the same plan gives the
/// same bytes (DESIGN §8) rather than a workbook stamped with the time it was written.
const CREATED: (u16, u8, u8) = (2000, 1, 1);
/// Deflate level 1: a sweep writes a workbook per point, and the fastest level takes about a
/// quarter less time than the default (6) for a file about half again as large.
const ZIP_LEVEL: u8 = 1;

/// The plan as an .xlsx workbook.
pub fn render(plan: &Plan, instance: &Instance) -> io::Result<Vec<u8>> {
    build(plan, instance).map_err(|e| io::Error::other(format!("plan.xlsx: {e}")))
}

fn build(plan: &Plan, instance: &Instance) -> Result<Vec<u8>, XlsxError> {
    let mut book = fixed_date_workbook()?;
    let f = Formats::default();
    table(
        &mut book,
        &f,
        "Summary",
        summary::COLUMNS,
        summary::rows(plan),
    )?;
    let parts = tables::parts(plan);
    let cols = |c| tables::columns(plan, c);
    let sites = tables::sites(&parts, instance);
    table(&mut book, &f, "Sites", &cols(tables::SITES), sites)?;
    let hospitals = tables::hospitals(&parts, instance);
    table(
        &mut book,
        &f,
        "Hospitals",
        &cols(tables::HOSPITALS),
        hospitals,
    )?;
    let patients = tables::patient_flows(&parts);
    table(
        &mut book,
        &f,
        "Patient flows",
        &cols(tables::PATIENT_FLOWS),
        patients,
    )?;
    let batches = tables::batch_flows(&parts);
    table(
        &mut book,
        &f,
        "Batch flows",
        &cols(tables::BATCH_FLOWS),
        batches,
    )?;
    let unserved = tables::unserved(&parts);
    table(&mut book, &f, "Unserved", &cols(tables::UNSERVED), unserved)?;
    if !plan.years.is_empty() {
        let (c, rows) = tables::years(plan);
        table(&mut book, &f, "Years", &c, rows)?;
    }
    if !plan.scenarios.is_empty() {
        let (c, rows) = tables::scenarios(plan);
        table(&mut book, &f, "Scenarios", &c, rows)?;
    }
    book.save_to_buffer()
}

/// A workbook whose recorded creation date is [`CREATED`].
pub fn fixed_date_workbook() -> Result<Workbook, XlsxError> {
    let (y, m, d) = CREATED;
    let created = ExcelDateTime::from_ymd(y, m, d)?;
    let mut book = Workbook::new();
    book.set_properties(&DocProperties::new().set_creation_datetime(&created));
    book.set_zip_compression_level(ZIP_LEVEL);
    Ok(book)
}
