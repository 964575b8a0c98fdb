//! The single-source suite: the Yang et al. instances (p1..p20) in one folder, against the
//! published optima of the table in its README.md.

use super::{BenchRow, run_written};
use crate::import::sscflp;
use crate::solve::SolveOptions;
use std::path::{Path, PathBuf};

/// An instance to run: name, file, published optimum.
pub type SscflpCase = (String, PathBuf, f64);

/// The instances of `dir`'s README.md table, in its order: an error naming the README when it
/// cannot be read or has no table, or naming a listed instance whose file is missing.
pub fn instances(dir: &Path) -> Result<Vec<SscflpCase>, String> {
    let readme = dir.join("README.md");
    let text = std::fs::read_to_string(&readme)
        .map_err(|e| format!("cannot read {}: {e}", readme.display()))?;
    let optima = sscflp::published_optima(&text);
    if optima.is_empty() {
        return Err(format!(
            "{} has no table of optima (rows such as `| p1 | 30x200 | 30181 |`)",
            readme.display()
        ));
    }
    optima
        .into_iter()
        .map(|(name, optimum)| {
            let file = dir.join(&name);
            match file.is_file() {
                true => Ok((name, file, optimum)),
                false => Err(format!(
                    "{} lists {name}, but there is no file {}",
                    readme.display(),
                    file.display()
                )),
            }
        })
        .collect()
}

/// Imports one instance into `work` and solves it, comparing with its published optimum.
pub fn run(case: &SscflpCase, work: &Path, options: &SolveOptions) -> Result<BenchRow, String> {
    let (name, file, published) = case;
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let inst = sscflp::parse(&text, &file.display().to_string()).map_err(|e| e.to_string())?;
    let dir = work.join(name);
    sscflp::write(&inst, &dir, false).map_err(|e| e.to_string())?;
    run_written("sscflp", name, &dir, Some(*published), options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_table_and_names_what_is_missing() {
        let dir = tempfile::tempdir().unwrap();
        let e = instances(dir.path()).unwrap_err();
        assert!(e.starts_with("cannot read "), "{e}");
        let readme = dir.path().join("README.md");
        std::fs::write(&readme, "# no table\n").unwrap();
        let e = instances(dir.path()).unwrap_err();
        assert!(
            e.ends_with("has no table of optima (rows such as `| p1 | 30x200 | 30181 |`)"),
            "{e}"
        );
        std::fs::write(&readme, "| p2 | 1x1 | 5 |\n| p1 | 1x1 | 7.5 |\n").unwrap();
        let e = instances(dir.path()).unwrap_err();
        assert!(e.contains("lists p2, but there is no file"), "{e}");
        std::fs::write(dir.path().join("p1"), "").unwrap();
        std::fs::write(dir.path().join("p2"), "").unwrap();
        let cases = instances(dir.path()).unwrap();
        let names: Vec<(&str, f64)> = cases.iter().map(|c| (c.0.as_str(), c.2)).collect();
        assert_eq!(names, vec![("p2", 5.0), ("p1", 7.5)]);
    }
}
