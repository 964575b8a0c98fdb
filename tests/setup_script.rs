//! scripts/install-deps.sh decides whether libclang is present the way bindgen (clang-sys) looks
//! for it: libclang.so, libclang.so.N or libclang-N.so*, and never libclang-cpp.so.N, the C++
//! interface that some Debian images ship without libclang (the build then failed in bindgen
//! after compiling all of HiGHS).

use std::path::Path;
use std::process::Command;

/// Runs the script's libclang check with `dir` as the only folder searched.
fn has_libclang(dir: &Path) -> bool {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/install-deps.sh");
    let status = Command::new("bash")
        .arg(script)
        .arg("--check-libclang-only")
        .env("CARTNET_LIBCLANG_DIRS", dir)
        .env_remove("LIBCLANG_PATH")
        .status()
        .expect("bash runs");
    status.success()
}

#[test]
fn libclang_cpp_alone_is_not_libclang() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!has_libclang(dir.path()), "an empty folder has no libclang");
    std::fs::write(dir.path().join("libclang-cpp.so.14"), "").unwrap();
    assert!(
        !has_libclang(dir.path()),
        "libclang-cpp.so.14 is not the library bindgen loads"
    );
}

#[test]
fn each_name_bindgen_loads_counts() {
    for name in [
        "libclang.so",
        "libclang.so.1",
        "libclang-14.so",
        "libclang-14.so.1",
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("libclang-cpp.so.14"), "").unwrap();
        std::fs::write(dir.path().join(name), "").unwrap();
        assert!(has_libclang(dir.path()), "{name} is libclang");
    }
}
