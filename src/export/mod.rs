//! Writers for a plan: plan.json, the CSV tables, plan.geojson, the HTML report and the printed
//! summary. Every file is written to a temporary name in the output folder and renamed into
//! place, so a reader never sees a half-written file.

pub mod csv;
pub mod folder;
pub mod geojson;
pub mod json;
pub mod report;
pub mod report_plan;
pub mod summary;
pub mod sweep;

use crate::input::Instance;
use crate::plan::Plan;
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
    let mut temporaries: Vec<PathBuf> = Vec::new();
    for ((_, bytes), path) in files.iter().zip(&targets) {
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
    // Backups of the files about to be replaced (None: no old file, or not a plain file).
    let mut backups: Vec<Option<PathBuf>> = Vec::new();
    let mut failed = None;
    for path in &targets {
        let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file());
        if !is_file {
            backups.push(None);
            continue;
        }
        let backup = sibling(path, "old");
        match std::fs::hard_link(path, &backup).or_else(|_| std::fs::copy(path, &backup).map(drop))
        {
            Ok(()) => backups.push(Some(backup)),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    let mut renamed = 0;
    if failed.is_none() {
        for (tmp, path) in temporaries.iter().zip(&targets) {
            match std::fs::rename(tmp, path) {
                Ok(()) => {
                    forget(tmp, false);
                    renamed += 1;
                }
                Err(e) => {
                    failed = Some(io::Error::new(e.kind(), format!("{}: {e}", path.display())));
                    break;
                }
            }
        }
    }
    if let Some(e) = failed {
        // Put back what was replaced, newest first.
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
        for backup in backups.iter().flatten() {
            let _ = std::fs::remove_file(backup);
        }
        return Err(e);
    }
    for backup in backups.iter().flatten() {
        let _ = std::fs::remove_file(backup);
    }
    // The renames are durable once the folder itself is synced (best effort: not every
    // platform can open a folder).
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(targets)
}

/// Writes plan.json, sites.csv, patient_flows.csv, batch_flows.csv and plan.geojson into `out`
/// (and years.csv for a multi-year plan);
/// `instance` is the data the plan was made from (plan.geojson needs its coordinates).
/// Every file is rendered before any is written, and the five replace an earlier plan's as one
/// set ([`write_all_atomic`]) under the folder's lock ([`folder::lock`]): on any failure the
/// folder keeps the earlier plan, whole, and two runs writing it at once never mix their files.
pub fn write_plan(
    out: &Path,
    plan: &Plan,
    instance: &Instance,
) -> Result<Vec<PathBuf>, folder::FolderError> {
    let io = |error| folder::FolderError::Io {
        path: out.to_path_buf(),
        error,
    };
    let files = render_plan(plan, instance).map_err(io)?;
    // a years.csv left by an earlier multi-year plan does not belong to this one
    folder::write_set(out, &files, &["years.csv"])
}

/// The files of a plan, by name, rendered.
fn render_plan(plan: &Plan, instance: &Instance) -> io::Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        ("plan.json", json::render(plan)?),
        ("sites.csv", csv::sites(plan)?),
        ("patient_flows.csv", csv::patient_flows(plan)?),
        ("batch_flows.csv", csv::batch_flows(plan)?),
        ("plan.geojson", geojson::render(plan, instance)?),
    ];
    if !plan.years.is_empty() {
        files.push(("years.csv", csv::years(plan)?));
    }
    Ok(files)
}
