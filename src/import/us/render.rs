//! How values are written: coordinates and patients with a fixed number of decimals, CSV files
//! in memory, so that the same input gives the same bytes.

/// Decimals of a coordinate (about 0.1 m; the Census file's own precision).
pub(super) const COORD_DECIMALS: usize = 6;
/// Decimals of patients a year at a demand point (a ten-thousandth: far finer than the rate).
pub(super) const PATIENT_DECIMALS: usize = 4;

/// A coordinate with [`COORD_DECIMALS`] decimals; a tiny negative value is written as 0, unsigned.
pub(super) fn coord(v: f64) -> String {
    let s = format!("{v:.COORD_DECIMALS$}");
    match s.strip_prefix('-') {
        Some(digits) if digits.bytes().all(|b| b == b'0' || b == b'.') => digits.to_string(),
        _ => s,
    }
}

/// A demand point's patients a year, with [`PATIENT_DECIMALS`] decimals.
pub(super) fn patients_text(patients: f64) -> String {
    format!("{patients:.PATIENT_DECIMALS$}")
}

/// A CSV file's bytes: the header, then the rows, LF line ends.
pub(super) fn csv_bytes(header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    // Writing into memory cannot fail.
    w.write_record(header).expect("csv to memory");
    for r in rows {
        w.write_record(r).expect("csv to memory");
    }
    w.into_inner().expect("csv to memory")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_and_zero_padded_coordinates_parse() {
        assert_eq!("+032.500194".parse::<f64>(), Ok(32.500194));
        assert_eq!("-086.487813".parse::<f64>(), Ok(-86.487813));
        assert_eq!(coord("+032.500194".parse().unwrap()), "32.500194");
        assert_eq!(coord(-0.0000001), "0.000000");
    }
}
