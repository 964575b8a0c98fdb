//! The digest of an instance's files, recorded in plan.json (`instance.digest`) so that `report`
//! and `verify` can tell whether `--data` holds the data a plan was made from.
//!
//! It is 64-bit FNV-1a (no crate needed) over, for each of `demand.csv`, `hospitals.csv`,
//! `sites.csv` and `lanes.csv` in that order: the file's name, a zero byte, then its length as 8
//! little-endian bytes and its bytes, or 8 bytes 0xFF when the file is absent (only lanes.csv may
//! be). An instance in a workbook (`--data FILE.xlsx`) is digested the same way as one file named
//! `workbook.xlsx` (so renaming the workbook keeps its digest). It is written `fnv1a64:` and 16
//! lower-case hex digits. It tells a changed or different
//! file from the one a plan was made from; it is no defence against a file made to collide.

use super::data_files;
use std::io;
use std::path::Path;

/// What a digest starts with: the algorithm, so that another can follow.
pub const PREFIX: &str = "fnv1a64:";

/// FNV-1a's 64-bit offset basis and prime (Fowler, Noll, Vo).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Stands for the length of an absent file: no file has it.
const ABSENT: [u8; 8] = [0xFF; 8];

struct Fnv(u64);

impl Fnv {
    fn feed(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(FNV_PRIME);
        }
    }
}

/// The digest of the files given by name with their bytes (`None`: absent), in order.
pub fn of_files(files: &[(&str, Option<&[u8]>)]) -> String {
    let mut h = Fnv(FNV_OFFSET);
    for (name, bytes) in files {
        h.feed(name.as_bytes());
        h.feed(&[0]);
        match bytes {
            Some(b) => {
                h.feed(&(b.len() as u64).to_le_bytes());
                h.feed(b);
            }
            None => h.feed(&ABSENT),
        }
    }
    format!("{PREFIX}{:016x}", h.0)
}

/// The name a workbook's bytes are digested under.
const WORKBOOK: &str = "workbook.xlsx";

/// The digest of the instance in `dir` (an absent lanes.csv is part of it; any other file that
/// cannot be read is an error), or of the workbook `dir` names.
pub fn of_folder(dir: &Path) -> io::Result<String> {
    if super::workbook::is_workbook(dir) {
        let bytes = std::fs::read(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        return Ok(of_files(&[(WORKBOOK, Some(&bytes))]));
    }
    let mut contents = Vec::new();
    for path in data_files(dir) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == io::ErrorKind::NotFound && name == "lanes.csv" => None,
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        };
        contents.push((name, bytes));
    }
    let files: Vec<(&str, Option<&[u8]>)> = contents
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_deref()))
        .collect();
    Ok(of_files(&files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_of_known_strings() {
        // the published test vectors of 64-bit FNV-1a
        let fnv = |s: &str| {
            let mut h = Fnv(FNV_OFFSET);
            h.feed(s.as_bytes());
            h.0
        };
        assert_eq!(fnv(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv("foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_byte_and_the_file_boundaries_count() {
        let d = |a: &[u8], b: Option<&[u8]>| of_files(&[("a.csv", Some(a)), ("b.csv", b)]);
        let base = d(b"x,y\n1,2\n", Some(b"z\n"));
        assert!(base.starts_with(PREFIX) && base.len() == PREFIX.len() + 16);
        assert_eq!(base, d(b"x,y\n1,2\n", Some(b"z\n")));
        assert_ne!(base, d(b"x,y\n1,3\n", Some(b"z\n")), "a changed byte");
        assert_ne!(
            base,
            d(b"x,y\n1,2\nz\n", Some(b"")),
            "bytes moved across files"
        );
        assert_ne!(
            d(b"", Some(b"")),
            d(b"", None),
            "an empty file is not an absent one"
        );
    }
}
