//! Output folders: checked before any work (E501, E502), and locked while a set of files is
//! written into them or read from them (E503), so that two runs never mix their files in one
//! folder and a reader never sees a set half replaced.
//!
//! The lock is an advisory `flock` on the folder itself (no lock file is left behind): writers
//! take it exclusive, readers (`verify`, `report`, and `solve` reading `--data`) shared. A run
//! that finds the folder locked waits up to [`LOCK_WAIT`], then gives up with E503.

use crate::text::{printable, printable_path};
use std::fs::{File, TryLockError};
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a run waits for another run's lock on a folder. Writing a plan holds it for
/// milliseconds (15 ms for the national instance); a longer hold is a sweep or an import
/// writing into that folder for minutes, which is not worth waiting for.
pub const LOCK_WAIT: Duration = Duration::from_secs(10);

/// How often a waiting run tries the lock again: short against [`LOCK_WAIT`], long against
/// the cost of one try (a system call).
const LOCK_RETRY: Duration = Duration::from_millis(20);

/// The files of an instance as `--data` reads them (DESIGN §3), and the scenario and notes the
/// importers write beside them, and the optional basemap of its maps: what `generate` and
/// `import` replace with `--force` (a basemap of the instance replaced would not fit the new one).
pub const INSTANCE_FILES: [&str; 7] = [
    "demand.csv",
    "hospitals.csv",
    "sites.csv",
    "lanes.csv",
    "scenario.toml",
    "README.md",
    "basemap.geojson",
];

/// The lock file where a folder itself cannot be locked (not Unix); not content of the folder.
const LOCK_FILE: &str = ".cartnet.lock";

/// How many entries of a non-empty folder E502 names.
const LISTED: usize = 4;

/// An output folder that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FolderError {
    #[error("E501 --out: {} is a file, not a folder", printable_path(.0))]
    NotAFolder(PathBuf),
    #[error("E506 --out: {} is a folder, not a file", printable_path(.0))]
    NotAFile(PathBuf),
    #[error(
        "E504 --out: {} exists and is not a report cartnet wrote; give another file, or --force \
         to overwrite it",
        printable_path(.0)
    )]
    NotOurs(PathBuf),
    #[error(
        "E505 --out: {} is the plan being rendered; give another file (default: report.html \
         beside the plan)",
        printable_path(.0)
    )]
    IsThePlan(PathBuf),
    #[error(
        "E502 --out: {} is not empty (it holds {}); give a new or empty folder, or \
         --force to replace the instance there",
        printable_path(path),
        printable(listing)
    )]
    NotEmpty { path: PathBuf, listing: String },
    #[error(
        "E503 {}: another cartnet run is writing this folder; gave up after waiting {} s for it",
        printable_path(path),
        LOCK_WAIT.as_secs()
    )]
    Busy { path: PathBuf },
    /// A system error on `path` (the message is the error's; callers name the path).
    #[error("{error}")]
    Io { path: PathBuf, error: io::Error },
}

impl FolderError {
    fn io(path: &Path) -> impl FnOnce(io::Error) -> FolderError + '_ {
        move |error| FolderError::Io {
            path: path.to_path_buf(),
            error,
        }
    }
}

/// Checks, before any work, that `out` can be the output folder: it is a folder or does not
/// exist yet (E501), and no other run is writing it right now (E503, after [`LOCK_WAIT`]).
pub fn check_out(out: &Path) -> Result<(), FolderError> {
    match std::fs::metadata(out) {
        Err(_) => Ok(()),
        Ok(m) if !m.is_dir() => Err(FolderError::NotAFolder(out.to_path_buf())),
        Ok(_) => lock(out).map(drop),
    }
}

/// Checks, before any work, that the output file `out` is not a folder (E506).
pub fn check_out_file(out: &Path) -> Result<(), FolderError> {
    if out.is_dir() {
        return Err(FolderError::NotAFile(out.to_path_buf()));
    }
    Ok(())
}

/// As [`check_out`], for a folder an instance is written into: it must also be empty unless
/// `force` (E502).
pub fn check_instance_out(out: &Path, force: bool) -> Result<(), FolderError> {
    check_out(out)?;
    if force {
        return Ok(());
    }
    check_empty(out)
}

/// E502 when `out` is a folder that holds anything.
fn check_empty(out: &Path) -> Result<(), FolderError> {
    if !out.is_dir() {
        return Ok(());
    }
    let mut names: Vec<String> = std::fs::read_dir(out)
        .map_err(FolderError::io(out))?
        .map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect::<io::Result<_>>()
        .map_err(FolderError::io(out))?;
    names.retain(|n| n != LOCK_FILE);
    if names.is_empty() {
        return Ok(());
    }
    names.sort();
    let more = names.len().saturating_sub(LISTED);
    let mut listing = names[..names.len().min(LISTED)].join(", ");
    if more > 0 {
        listing.push_str(&format!(" and {more} more"));
    }
    Err(FolderError::NotEmpty {
        path: out.to_path_buf(),
        listing,
    })
}

/// A lock on a folder, held until dropped.
#[derive(Debug)]
pub struct FolderLock {
    _handle: File,
}

/// Locks `dir` (which must exist) for writing: no other run writes or reads it meanwhile.
pub fn lock(dir: &Path) -> Result<FolderLock, FolderError> {
    acquire(dir, true)
}

/// Locks `dir` for reading: no run writes it meanwhile. `None` when the folder cannot be
/// opened; reading it then fails with its own message.
pub fn lock_shared(dir: &Path) -> Result<Option<FolderLock>, FolderError> {
    match open(dir) {
        Err(_) => Ok(None),
        Ok(_) => acquire(dir, false).map(Some),
    }
}

/// Runs `read` under a shared lock on `dir` ([`lock_shared`]): no cartnet run writes the folder
/// meanwhile, so what is read is one run's set.
pub fn read_locked<T>(dir: &Path, read: impl FnOnce() -> T) -> Result<T, FolderError> {
    let _lock = lock_shared(dir)?;
    Ok(read())
}

/// The folder a file is in (`.` for a bare file name).
pub fn folder_of(file: &Path) -> &Path {
    match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Takes the lock, trying again every [`LOCK_RETRY`] for up to [`LOCK_WAIT`].
fn acquire(dir: &Path, exclusive: bool) -> Result<FolderLock, FolderError> {
    let handle = open(dir).map_err(FolderError::io(dir))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        let tried = if exclusive {
            handle.try_lock()
        } else {
            handle.try_lock_shared()
        };
        match tried {
            Ok(()) => return Ok(FolderLock { _handle: handle }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(LOCK_RETRY)
            }
            Err(TryLockError::WouldBlock) => {
                return Err(FolderError::Busy {
                    path: dir.to_path_buf(),
                });
            }
            Err(TryLockError::Error(e)) => return Err(FolderError::io(dir)(e)),
        }
    }
}

/// The handle the lock is taken on: the folder itself where the system allows (Unix), so that
/// nothing is left in it; elsewhere a hidden lock file in it.
fn open(dir: &Path) -> io::Result<File> {
    if cfg!(unix) {
        File::open(dir)
    } else {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
    }
}

/// Writes `files` into `dir` (created if need be) as one set ([`super::write_all_atomic`]) under
/// the folder's lock, and removes the files named in `stale` that the set does not hold: a run
/// writing the same folder at the same time writes its set before or after, never in between.
pub fn write_set(
    dir: &Path,
    files: &[(&str, Vec<u8>)],
    stale: &[&str],
) -> Result<Vec<PathBuf>, FolderError> {
    std::fs::create_dir_all(dir).map_err(FolderError::io(dir))?;
    let _lock = lock(dir)?;
    replace_set(dir, files, stale)
}

/// [`write_set`] for a caller that holds the folder's lock.
fn replace_set(
    dir: &Path,
    files: &[(&str, Vec<u8>)],
    stale: &[&str],
) -> Result<Vec<PathBuf>, FolderError> {
    let written = super::write_all_atomic(dir, files).map_err(FolderError::io(dir))?;
    for name in stale {
        let path = dir.join(name);
        if !files.iter().any(|(n, _)| n == name) && path.is_file() {
            std::fs::remove_file(&path).map_err(FolderError::io(&path))?;
        }
    }
    Ok(written)
}

/// Writes an instance's files into `out` as one set, under the folder's lock: refused when the
/// folder holds anything (E502) unless `force`, which also removes the [`INSTANCE_FILES`] the
/// new instance does not write, so that no stale file (a `lanes.csv`) joins it.
pub fn write_instance(
    out: &Path,
    files: &[(&str, Vec<u8>)],
    force: bool,
) -> Result<Vec<PathBuf>, FolderError> {
    check_out(out)?;
    std::fs::create_dir_all(out).map_err(FolderError::io(out))?;
    let _lock = lock(out)?;
    // again under the lock: another run may have filled the folder since the first check
    if !force {
        check_empty(out)?;
    }
    replace_set(out, files, &INSTANCE_FILES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_not_a_folder() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("plan.json");
        std::fs::write(&file, "{}").unwrap();
        let e = check_out(&file).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("E501 --out: {} is a file, not a folder", file.display())
        );
        assert!(check_out(&dir.path().join("new")).is_ok());
        assert!(check_out(dir.path()).is_ok());
    }

    #[test]
    fn a_folder_with_files_is_refused_unless_forced() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_instance_out(dir.path(), false).is_ok());
        for f in ["a", "b", "c", "d", "e", "f"] {
            std::fs::write(dir.path().join(f), "").unwrap();
        }
        let e = check_instance_out(dir.path(), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "E502 --out: {} is not empty (it holds a, b, c, d and 2 more); give a new or \
                 empty folder, or --force to replace the instance there",
                dir.path().display()
            )
        );
        assert!(check_instance_out(dir.path(), true).is_ok());
    }

    #[test]
    fn forced_write_replaces_the_instance_and_removes_stale_files() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["demand.csv", "lanes.csv", "notes.txt"] {
            std::fs::write(dir.path().join(f), "old").unwrap();
        }
        let files = [
            ("demand.csv", b"new".to_vec()),
            ("sites.csv", b"new".to_vec()),
        ];
        assert!(matches!(
            write_instance(dir.path(), &files, false),
            Err(FolderError::NotEmpty { .. })
        ));
        write_instance(dir.path(), &files, true).unwrap();
        let read = |f: &str| std::fs::read_to_string(dir.path().join(f)).ok();
        assert_eq!(read("demand.csv").as_deref(), Some("new"));
        assert_eq!(read("sites.csv").as_deref(), Some("new"));
        assert_eq!(read("lanes.csv"), None, "a stale instance file goes");
        assert_eq!(
            read("notes.txt").as_deref(),
            Some("old"),
            "other files stay"
        );
    }

    #[test]
    fn concurrent_writers_of_a_set_never_mix_it() {
        const WRITERS: usize = 4;
        const ROUNDS: usize = 40;
        let dir = tempfile::tempdir().unwrap();
        let start = std::sync::Barrier::new(WRITERS + 1);
        let done = std::sync::Barrier::new(WRITERS + 1);
        let names = ["a", "b", "c", "d", "e"];
        let failures = std::sync::Mutex::new(Vec::<String>::new());
        std::thread::scope(|scope| {
            for w in 0..WRITERS {
                let (start, done, dir, failures) = (&start, &done, dir.path(), &failures);
                scope.spawn(move || {
                    for _ in 0..ROUNDS {
                        start.wait();
                        let files: Vec<(&str, Vec<u8>)> =
                            names.iter().map(|n| (*n, vec![w as u8])).collect();
                        // an error is a failed round, seen below (a panic here would leave
                        // the other threads at the barrier)
                        let written = write_set(dir, &files, &[]);
                        failures
                            .lock()
                            .unwrap()
                            .extend(written.err().map(|e| e.to_string()));
                        done.wait();
                    }
                });
            }
            // every round runs (an assertion here would leave the writers at the barrier)
            let mut first_failure = None;
            for round in 0..ROUNDS {
                start.wait();
                done.wait();
                let set: Vec<Vec<u8>> = names
                    .iter()
                    .map(|n| std::fs::read(dir.path().join(n)).unwrap_or_default())
                    .collect();
                let errors = std::mem::take(&mut *failures.lock().unwrap());
                if first_failure.is_none()
                    && (!errors.is_empty() || set.iter().any(|f| *f != set[0]))
                {
                    first_failure = Some(format!("round {round}: {errors:?}, set {set:?}"));
                }
            }
            assert_eq!(first_failure, None, "a writer failed or the set was mixed");
        });
    }
}
