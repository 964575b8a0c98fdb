//! Shards (DESIGN §9): a sweep's grid points, or an evaluation's scenarios, split `i mod N = K`
//! into N shard files that any scheduler runs apart, then merged into what one run writes.
//!
//! A shard file is `shard-K-of-N.csv`: `# key: value` header lines (the value JSON), then the
//! shard's rows as CSV. The header says what was run: the cartnet version, the digest of the
//! data files, the specification and the effective scenario. Every field but `shard` must agree
//! across the shards of one merge, and across the shards written into one folder.

use crate::text::printable_path;
use std::fmt;
use std::path::{Path, PathBuf};

/// What a header line starts with.
const HEADER_MARK: &str = "# ";

/// The header field naming the shard (the one field that differs between shards of a run).
const SHARD_FIELD: &str = "shard";

/// The header field giving how many grid points or scenarios the whole run has.
pub const TOTAL_FIELD: &str = "total";

/// The header field naming the command whose shard it is (`sweep`, `evaluate`).
pub const KIND_FIELD: &str = "kind";

/// Missing shards a message lists before it counts the rest.
const LISTED: usize = 8;

/// Shard K of N: the items whose index i has i mod N = K.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub k: usize,
    pub n: usize,
}

/// A shard that cannot be run, or shards that cannot be merged.
#[derive(Debug, Clone, PartialEq)]
pub enum ShardError {
    /// `--shard` is not two whole numbers K/N.
    Form(String),
    /// N is 0.
    NoShards(String),
    /// K is not below N.
    OutOfRange(Shard),
    /// The output folder holds a shard of another run (or of another split).
    OtherRun { file: PathBuf, field: String },
    /// Shards of the set are missing.
    Missing { n: usize, missing: Vec<usize> },
    /// A shard is given twice.
    Duplicate {
        k: usize,
        n: usize,
        files: [PathBuf; 2],
    },
    /// A shard of the set is of another run than the first.
    Mismatch {
        file: PathBuf,
        first: PathBuf,
        field: String,
    },
    /// A shard file that cannot be read as one.
    Unreadable { file: PathBuf, why: String },
}

impl ShardError {
    pub fn code(&self) -> &'static str {
        match self {
            ShardError::Form(_) => "E901",
            ShardError::NoShards(_) => "E902",
            ShardError::OutOfRange(_) => "E903",
            ShardError::OtherRun { .. } => "E904",
            ShardError::Missing { .. } => "E905",
            ShardError::Duplicate { .. } => "E906",
            ShardError::Mismatch { .. } => "E907",
            ShardError::Unreadable { .. } => "E908",
        }
    }
}

impl fmt::Display for ShardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let p = |p: &PathBuf| printable_path(p);
        write!(f, "{} ", self.code())?;
        match self {
            ShardError::Form(s) => write!(
                f,
                "--shard: \"{s}\" is not of the form K/N: give two whole numbers, shard K of N \
                 counted from 0 (e.g. 0/4 ... 3/4)"
            ),
            ShardError::NoShards(s) => write!(
                f,
                "--shard: \"{s}\" splits into no shards: N must be at least 1"
            ),
            ShardError::OutOfRange(s) => write!(
                f,
                "--shard: {}/{} is out of range: shards are counted from 0, so K goes from 0 to {}",
                s.k,
                s.n,
                s.n - 1
            ),
            ShardError::OtherRun { file, field } => write!(
                f,
                "--out: {} is a shard of another run ({field} differs); give another folder, or \
                 remove the old shards",
                p(file)
            ),
            ShardError::Missing { n: 0, .. } => write!(
                f,
                "merge: no shard files (shard-K-of-N.csv) in the folders given"
            ),
            ShardError::Missing { n, missing } => write!(
                f,
                "merge: {} of {n} {} missing: {}",
                missing.len(),
                if missing.len() == 1 { "is" } else { "are" },
                listed(missing, *n)
            ),
            ShardError::Duplicate { k, n, files } => write!(
                f,
                "merge: shard {k} of {n} is given twice: {} and {}; give each shard once",
                p(&files[0]),
                p(&files[1])
            ),
            ShardError::Mismatch { file, first, field } => write!(
                f,
                "merge: {} is not of the same run as {}: its {field} differs",
                p(file),
                p(first)
            ),
            ShardError::Unreadable { file, why } => {
                write!(f, "merge: {} is not a shard file: {why}", p(file))
            }
        }
    }
}

impl std::error::Error for ShardError {}

/// The missing shards as `shard-1-of-4.csv, shard-3-of-4.csv`, the first [`LISTED`] of them.
fn listed(missing: &[usize], n: usize) -> String {
    let mut names: Vec<String> = missing
        .iter()
        .take(LISTED)
        .map(|&k| Shard { k, n }.file_name())
        .collect();
    if missing.len() > LISTED {
        names.push(format!("and {} more", missing.len() - LISTED));
    }
    names.join(", ")
}

impl Shard {
    /// Parses `K/N` (for `--shard`).
    pub fn parse(s: &str) -> Result<Shard, ShardError> {
        let number = |t: &str| {
            let t = t.trim();
            (!t.is_empty() && t.chars().all(|c| c.is_ascii_digit()))
                .then(|| t.parse::<usize>().ok())
                .flatten()
        };
        let (k, n) = s
            .split_once('/')
            .and_then(|(k, n)| Some((number(k)?, number(n)?)))
            .ok_or_else(|| ShardError::Form(s.to_string()))?;
        if n == 0 {
            return Err(ShardError::NoShards(s.to_string()));
        }
        if k >= n {
            return Err(ShardError::OutOfRange(Shard { k, n }));
        }
        Ok(Shard { k, n })
    }

    /// Whether item `index` is this shard's.
    pub fn holds(&self, index: usize) -> bool {
        index % self.n == self.k
    }

    /// Whether item `index` is this shard's when the items are dealt out in blocks of `block`
    /// consecutive ones (block i / block goes to shard (i / block) mod N).
    pub fn holds_in_blocks(&self, index: usize, block: usize) -> bool {
        self.holds(index / block.max(1))
    }

    /// The indices of `total` items this shard holds, dealt out in blocks of `block`, in order.
    pub fn indices(&self, total: usize, block: usize) -> impl Iterator<Item = usize> + use<> {
        let part = *self;
        (0..total).filter(move |&i| part.holds_in_blocks(i, block))
    }

    /// How many of `total` items this shard holds.
    pub fn size(&self, total: usize) -> usize {
        (total + self.n - 1 - self.k) / self.n
    }

    /// `shard-K-of-N.csv`.
    pub fn file_name(&self) -> String {
        format!("shard-{}-of-{}.csv", self.k, self.n)
    }

    /// The shard a file name names, if it is one.
    pub fn of_file_name(name: &str) -> Option<Shard> {
        let rest = name.strip_prefix("shard-")?.strip_suffix(".csv")?;
        let (k, n) = rest.split_once("-of-")?;
        Shard::parse(&format!("{k}/{n}")).ok()
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// A shard file's header: ordered `key: value` fields, `shard` first.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    pub shard: Shard,
    /// Every field but `shard`, in order; the value is JSON text on one line.
    pub fields: Vec<(String, String)>,
}

impl Header {
    /// The value of `key`, if the header has it.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The first field in which `other` is of another run, if any.
    pub fn differs(&self, other: &Header) -> Option<String> {
        if self.shard.n != other.shard.n {
            return Some(format!(
                "split ({} shards against {})",
                other.shard.n, self.shard.n
            ));
        }
        let keys = self.fields.iter().chain(&other.fields).map(|(k, _)| k);
        keys.into_iter()
            .find(|k| self.get(k) != other.get(k))
            .cloned()
    }

    fn render(&self) -> String {
        let mut out = format!("{HEADER_MARK}{SHARD_FIELD}: \"{}\"\n", self.shard);
        for (k, v) in &self.fields {
            out.push_str(&format!("{HEADER_MARK}{k}: {v}\n"));
        }
        out
    }
}

/// A shard file read: where it is, its header, and its rows' CSV (with their header row).
#[derive(Debug, Clone)]
pub struct ShardFile {
    pub path: PathBuf,
    pub header: Header,
    pub body: String,
}

impl ShardFile {
    /// An error naming this file: it is not a shard as `why` says.
    pub fn unreadable(&self, why: String) -> ShardError {
        ShardError::Unreadable {
            file: self.path.clone(),
            why,
        }
    }

    /// The JSON value of header field `name`.
    pub fn field(&self, name: &str) -> Result<serde_json::Value, ShardError> {
        (self.header.get(name))
            .and_then(|v| serde_json::from_str(v).ok())
            .ok_or_else(|| self.unreadable(format!("its header has no valid {name}")))
    }

    /// How many items the whole run has, checked to be a run of `kind` (`what` names it).
    pub fn total_of(&self, kind: &str, what: &str) -> Result<usize, ShardError> {
        if self.field(KIND_FIELD)? != kind {
            return Err(self.unreadable(format!("it is not {what}")));
        }
        (self.field(TOTAL_FIELD)?.as_u64())
            .and_then(|t| usize::try_from(t).ok())
            .ok_or_else(|| self.unreadable(format!("its {TOTAL_FIELD} is not a count")))
    }
}

/// A shard file's bytes: the header, then the rows' CSV.
pub fn render(header: &Header, csv: &[u8]) -> Vec<u8> {
    let mut out = header.render().into_bytes();
    out.extend_from_slice(csv);
    out
}

/// Reads the shard file at `path`; its name must agree with its header.
pub fn read(path: &Path) -> Result<ShardFile, ShardError> {
    let bad = |why: String| ShardError::Unreadable {
        file: path.to_path_buf(),
        why,
    };
    let text = std::fs::read(path)
        .map_err(|e| bad(format!("cannot read it: {e}")))
        .and_then(|b| String::from_utf8(b).map_err(|_| bad("it is not UTF-8".into())))?;
    let mut fields = Vec::new();
    let mut body_at = 0;
    for line in text.split_inclusive('\n') {
        let Some(field) = line.strip_prefix(HEADER_MARK) else {
            break;
        };
        body_at += line.len();
        let (k, v) = field.trim_end().split_once(": ").ok_or_else(|| {
            bad(format!(
                "header line \"{}\" is not KEY: VALUE",
                field.trim()
            ))
        })?;
        fields.push((k.to_string(), v.to_string()));
    }
    let shard = match fields.first() {
        Some((k, v)) if k == SHARD_FIELD => serde_json::from_str::<String>(v)
            .ok()
            .and_then(|s| Shard::parse(&s).ok()),
        _ => None,
    }
    .ok_or_else(|| bad("it does not start with a \"# shard: K/N\" line".into()))?;
    let named = path
        .file_name()
        .and_then(|n| Shard::of_file_name(&n.to_string_lossy()));
    if named != Some(shard) {
        return Err(bad(format!(
            "its header says shard {shard}, its name another"
        )));
    }
    fields.remove(0);
    Ok(ShardFile {
        path: path.to_path_buf(),
        header: Header { shard, fields },
        body: text[body_at..].to_string(),
    })
}

/// The shard files (`shard-K-of-N.csv`) in `dir`, in name order.
pub fn in_folder(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| Shard::of_file_name(&e.file_name().to_string_lossy()).is_some())
        .map(|e| e.path())
        .collect();
    found.sort();
    Ok(found)
}

/// Before a shard is written into `dir`: every shard already there must be of the same run
/// (`header`, any K). A file there that is not a readable shard is left to `merge` to report.
pub fn check_folder(dir: &Path, header: &Header) -> Result<(), ShardError> {
    for path in in_folder(dir).unwrap_or_default() {
        if let Ok(other) = read(&path)
            && let Some(field) = header.differs(&other.header)
        {
            return Err(ShardError::OtherRun { file: path, field });
        }
    }
    Ok(())
}

/// Reads every shard file in `dirs` and checks they are one run's shards 0..N-1, each once;
/// returns them in shard order.
pub fn gather(dirs: &[PathBuf]) -> Result<Vec<ShardFile>, ShardError> {
    let mut files = Vec::new();
    for dir in dirs {
        let paths = in_folder(dir).map_err(|e| ShardError::Unreadable {
            file: dir.clone(),
            why: format!("cannot read the folder: {e}"),
        })?;
        for path in paths {
            files.push(read(&path)?);
        }
    }
    check_set(files)
}

/// Checks shard files are one run's shards 0..N-1, each once; returns them in shard order.
pub fn check_set(files: Vec<ShardFile>) -> Result<Vec<ShardFile>, ShardError> {
    let Some(first) = files.first() else {
        return Err(ShardError::Missing {
            n: 0,
            missing: Vec::new(),
        });
    };
    let n = first.header.shard.n;
    for f in &files[1..] {
        if let Some(field) = first.header.differs(&f.header) {
            return Err(ShardError::Mismatch {
                file: f.path.clone(),
                first: first.path.clone(),
                field,
            });
        }
    }
    let mut slots: Vec<Option<ShardFile>> = vec![None; n];
    for f in files {
        let k = f.header.shard.k;
        if let Some(seen) = &slots[k] {
            return Err(ShardError::Duplicate {
                k,
                n,
                files: [seen.path.clone(), f.path],
            });
        }
        slots[k] = Some(f);
    }
    let missing: Vec<usize> = (0..n).filter(|&k| slots[k].is_none()).collect();
    if !missing.is_empty() {
        return Err(ShardError::Missing { n, missing });
    }
    Ok(slots.into_iter().flatten().collect())
}

/// The JSON text of `v` on one line, as a header value.
pub fn value(v: &serde_json::Value) -> String {
    v.to_string()
}

/// `to` as a path relative to the folder `from` (both made absolute, `.` and `..` resolved
/// by name), for the plan folders a merge points at.
pub fn relative(to: &Path, from: &Path) -> PathBuf {
    use std::ffi::OsString;
    use std::path::Component;
    let parts = |p: &Path| -> Vec<OsString> {
        let p = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut parts: Vec<OsString> = Vec::new();
        for c in p.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop();
                }
                other => parts.push(other.as_os_str().to_owned()),
            }
        }
        parts
    };
    let (to_parts, from_parts) = (parts(to), parts(from));
    let common = to_parts
        .iter()
        .zip(&from_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut rel = PathBuf::new();
    for _ in common..from_parts.len() {
        rel.push("..");
    }
    for c in &to_parts[common..] {
        rel.push(c);
    }
    rel
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_shards_each_have_their_code() {
        let code = |s: &str| Shard::parse(s).unwrap_err().code();
        assert_eq!(code("a/b"), "E901");
        assert_eq!(code("1"), "E901");
        assert_eq!(code("-1/4"), "E901");
        assert_eq!(code("0/0"), "E902");
        assert_eq!(code("4/4"), "E903");
        assert_eq!(Shard::parse(" 3/4").unwrap(), Shard { k: 3, n: 4 });
    }

    #[test]
    fn shards_split_every_index_once() {
        for n in 1..7 {
            for total in 0..20 {
                let sizes: usize = (0..n).map(|k| Shard { k, n }.size(total)).sum();
                assert_eq!(sizes, total);
                for k in 0..n {
                    let held = (0..total).filter(|&i| Shard { k, n }.holds(i)).count();
                    assert_eq!(held, Shard { k, n }.size(total));
                }
            }
        }
        let blocks: Vec<usize> = Shard { k: 1, n: 2 }.indices(20, 8).collect();
        assert_eq!(blocks, (8..16).collect::<Vec<_>>());
        let last: Vec<usize> = Shard { k: 0, n: 2 }.indices(20, 8).collect();
        assert_eq!(last, (0..8).chain(16..20).collect::<Vec<_>>());
        let s = Shard { k: 2, n: 10 };
        assert_eq!(Shard::of_file_name(&s.file_name()), Some(s));
        assert_eq!(Shard::of_file_name("shard-10-of-10.csv"), None);
    }

    fn file(k: usize, n: usize, digest: &str) -> ShardFile {
        ShardFile {
            path: PathBuf::from(format!("d{k}/{}", Shard { k, n }.file_name())),
            header: Header {
                shard: Shard { k, n },
                fields: vec![("digest".into(), format!("\"{digest}\""))],
            },
            body: String::new(),
        }
    }

    #[test]
    fn a_set_needs_every_shard_once_of_one_run() {
        let set = check_set(vec![file(1, 3, "x"), file(0, 3, "x"), file(2, 3, "x")]).unwrap();
        assert_eq!(
            set.iter().map(|f| f.header.shard.k).collect::<Vec<_>>(),
            [0, 1, 2]
        );
        let e = check_set(vec![file(0, 4, "x"), file(2, 4, "x")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "E905 merge: 2 of 4 are missing: shard-1-of-4.csv, shard-3-of-4.csv"
        );
        let e = check_set(vec![file(0, 2, "x"), file(1, 2, "x"), file(1, 2, "x")]).unwrap_err();
        assert_eq!(e.code(), "E906");
        assert!(e.to_string().contains("shard 1 of 2 is given twice"), "{e}");
        let e = check_set(vec![file(0, 2, "x"), file(1, 2, "y")]).unwrap_err();
        assert_eq!(
            e.to_string(),
            "E907 merge: d1/shard-1-of-2.csv is not of the same run as d0/shard-0-of-2.csv: its \
             digest differs"
        );
        let e = check_set(vec![file(0, 2, "x"), file(1, 3, "x")]).unwrap_err();
        assert!(e.to_string().contains("split (3 shards against 2)"), "{e}");
    }

    #[test]
    fn plan_folders_are_made_relative_to_the_output() {
        let r = |to: &str, from: &str| relative(Path::new(to), Path::new(from));
        assert_eq!(r("/a/b/plans/x", "/a/b"), PathBuf::from("plans/x"));
        assert_eq!(r("/a/s/plans/x", "/a/m"), PathBuf::from("../s/plans/x"));
        assert_eq!(r("/a/./s/../s/plans/x", "/a/s/"), PathBuf::from("plans/x"));
    }
}
