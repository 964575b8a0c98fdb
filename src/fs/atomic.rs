//! Atomic writes: every file is written to a temporary name in its folder, synced, and renamed
//! into place.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The temporary files being written right now, so that an exit on a second Ctrl-C can remove
/// them ([`remove_temporaries`]).
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// Removes the temporary files of writes in progress (for a process about to exit mid-write).
pub fn remove_temporaries() {
    for path in pending().drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// The temporary name of `path`: hidden, in the same folder, unique to this process and write.
fn sibling(path: &Path, what: &str) -> PathBuf {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    dir.join(format!(".{name}.{what}-{}-{n}", std::process::id()))
}

/// Writes `bytes` to a fresh temporary file beside `path` and syncs it; returns its name. On
/// failure nothing is left behind.
fn write_temporary(path: &Path, bytes: &[u8]) -> io::Result<PathBuf> {
    let tmp = sibling(path, "tmp");
    pending().push(tmp.clone());
    let result = (|| {
        std::fs::write(&tmp, bytes)?;
        std::fs::File::open(&tmp)?.sync_all()
    })();
    if result.is_err() {
        forget(&tmp, true);
    }
    result.map(|()| tmp)
}

/// Drops `tmp` from the pending list, removing the file if asked.
fn forget(tmp: &Path, remove: bool) {
    pending().retain(|p| p != tmp);
    if remove {
        let _ = std::fs::remove_file(tmp);
    }
}

/// Writes `bytes` to `path` atomically (temporary file in the same folder, then rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let tmp = write_temporary(path, bytes)?;
    let result = std::fs::rename(&tmp, path);
    forget(&tmp, result.is_err());
    result
}

/// Writes a set of files into `dir` so that either every one of them is replaced or none is: a
/// folder is never left with some new files beside some old ones.
///
/// 1. Every file is written to a temporary name and synced; a failure (disk full, no
///    permission) removes the temporaries and leaves the folder as it was.
/// 2. Each existing file is kept under a backup name (a hard link: no copy), then each
///    temporary is renamed into place. If a rename fails (e.g. a folder is in the way), the
///    files already replaced are put back from their backups, and those that were new are
///    removed.
/// 3. The backups are removed.
///
/// What is left open: a power cut or `kill -9` between the first and the last rename (a few
/// microseconds) can still leave a mix; the backups (`.NAME.old-*`) then hold the old files.
pub fn write_all_atomic(dir: &Path, files: &[(&str, Vec<u8>)]) -> io::Result<Vec<PathBuf>> {
    let targets: Vec<PathBuf> = files.iter().map(|(name, _)| dir.join(name)).collect();
    let temporaries = write_temporaries(files, &targets)?;
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let mut renamed = 0;
    let failed = back_up(&targets, &mut backups)
        .and_then(|()| rename_all(&temporaries, &targets, &mut renamed));
    if let Err(e) = failed {
        roll_back(&targets, &temporaries, &backups, renamed);
        return Err(e);
    }
    remove_backups(&backups);
    // The renames are durable once the folder itself is synced (best effort: not every
    // platform can open a folder).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(targets)
}

/// Step 1: each file's bytes to a temporary beside its target; on a failure, none is left.
fn write_temporaries(files: &[(&str, Vec<u8>)], targets: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut temporaries: Vec<PathBuf> = Vec::new();
    for ((_, bytes), path) in files.iter().zip(targets) {
        match write_temporary(path, bytes) {
            Ok(tmp) => temporaries.push(tmp),
            Err(e) => {
                for tmp in &temporaries {
                    forget(tmp, true);
                }
                return Err(e);
            }
        }
    }
    Ok(temporaries)
}

/// Step 2a: a backup of each target about to be replaced (None: no old file, or not a plain
/// file); stops at the first failure with the backups made so far in `backups`.
fn back_up(targets: &[PathBuf], backups: &mut Vec<Option<PathBuf>>) -> io::Result<()> {
    for path in targets {
        let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
        if !is_file {
            backups.push(None);
            continue;
        }
        let backup = sibling(path, "old");
        std::fs::hard_link(path, &backup).or_else(|_| std::fs::copy(path, &backup).map(drop))?;
        backups.push(Some(backup));
    }
    Ok(())
}

/// Step 2b: each temporary renamed onto its target, counting in `renamed` those done.
fn rename_all(temporaries: &[PathBuf], targets: &[PathBuf], renamed: &mut usize) -> io::Result<()> {
    for (tmp, path) in temporaries.iter().zip(targets) {
        match std::fs::rename(tmp, path) {
            Ok(()) => {
                forget(tmp, false);
                *renamed += 1;
            }
            Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }
    Ok(())
}

/// After a failed step 2: the first `renamed` targets put back from their backups (newest
/// first) or removed when they were new, and every temporary and backup left removed.
fn roll_back(
    targets: &[PathBuf],
    temporaries: &[PathBuf],
    backups: &[Option<PathBuf>],
    renamed: usize,
) {
    for i in (0..renamed).rev() {
        match &backups[i] {
            Some(backup) => {
                let _ = std::fs::rename(backup, &targets[i]);
            }
            None => {
                let _ = std::fs::remove_file(&targets[i]);
            }
        }
    }
    for tmp in &temporaries[renamed..] {
        forget(tmp, true);
    }
    remove_backups(backups);
}

/// Step 3: the backups removed.
fn remove_backups(backups: &[Option<PathBuf>]) {
    for backup in backups.iter().flatten() {
        let _ = std::fs::remove_file(backup);
    }
}
