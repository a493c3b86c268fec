//! Replays every fuzz corpus file and crash reproducer (`fuzz/corpus/<target>`
//! and `fuzz/regressions/<target>`) through the fuzz targets' own checks, so
//! `make test` asserts on stable Rust what the fuzzers assert (see
//! fuzz/README.md).

#[path = "../../fuzz/src/lib.rs"]
mod checks;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn replay(target: &str, check: fn(&[u8])) {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let corpus = files(&fuzz.join("corpus").join(target));
    assert!(!corpus.is_empty(), "no corpus for {target}");
    let mut failed = Vec::new();
    for path in corpus
        .iter()
        .chain(&files(&fuzz.join("regressions").join(target)))
    {
        let bytes = std::fs::read(path).unwrap();
        if catch_unwind(AssertUnwindSafe(|| check(&bytes))).is_err() {
            failed.push(path.display().to_string());
        }
    }
    assert!(failed.is_empty(), "{target} fails on {failed:#?}");
}

#[test]
fn gift() {
    replay("gift", checks::gift);
}

#[test]
fn content() {
    replay("content", checks::content);
}

#[test]
fn roster_csv() {
    replay("roster_csv", checks::roster_csv);
}

#[test]
fn roster_xlsx() {
    replay("roster_xlsx", checks::roster_xlsx);
}

#[test]
fn domain() {
    replay("domain", checks::domain);
}
