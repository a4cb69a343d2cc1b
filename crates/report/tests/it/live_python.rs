//! Compares with CodeChecker's Python live on a freshly generated corpus,
//! when the interop kit (`gen-corpus.py`) and a CodeChecker venv are
//! available; otherwise says so and passes (the committed fixtures cover
//! the same ground offline).
//!
//! `CC_PYTHON` (default `~/.cache/cc-interop/current/bin/python`) and
//! `GEN_CORPUS` (default `/work/shared/interop/gen-corpus.py`) locate them.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::{compare_with_python, fixtures};

fn tool(var: &str, default: PathBuf) -> Option<PathBuf> {
    let path = std::env::var_os(var).map(PathBuf::from).unwrap_or(default);
    path.exists().then_some(path)
}

#[test]
fn fresh_corpus_matches_codechecker() {
    let home = PathBuf::from(std::env::var_os("HOME").unwrap_or_default());
    let cc_python = tool(
        "CC_PYTHON",
        home.join(".cache/cc-interop/current/bin/python"),
    );
    let gen = tool(
        "GEN_CORPUS",
        PathBuf::from("/work/shared/interop/gen-corpus.py"),
    );
    let (Some(cc_python), Some(gen)) = (cc_python, gen) else {
        eprintln!("skipping live comparison: no CodeChecker venv or gen-corpus.py");
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let status = Command::new("python3")
        .arg(&gen)
        .args(["--files", "20", "--reports-per-file", "5", "--seed", "7"])
        .args(["--review-comments", "0.3"])
        .arg("--out")
        .arg(root.join("reports"))
        .arg("--src-dir")
        .arg(root.join("src"))
        .status();
    if !matches!(status, Ok(s) if s.success()) {
        eprintln!("skipping live comparison: gen-corpus.py failed ({status:?})");
        return;
    }
    // Name the sources of clang-tidy plists relative to the plist.
    let abs = format!("<string>{}/src/", root.display());
    for entry in std::fs::read_dir(root.join("reports")).expect("reports") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        if name.contains("clang-tidy") && name.ends_with(".plist") {
            let text = std::fs::read_to_string(&path).expect("plist");
            std::fs::write(&path, text.replace(&abs, "<string>../src/")).expect("write");
        }
    }
    let output = Command::new(&cc_python)
        .arg(fixtures().join("scripts/dump_reports.py"))
        .arg("reports")
        .arg("--trim")
        .arg(root)
        .current_dir(root)
        .output()
        .expect("run CodeChecker's python");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let expected: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let result = compare_with_python(root, &expected, "");
    assert!(result.mismatches.is_empty(), "{:#?}", result.mismatches);
    assert_eq!(result.reports, 100);
    eprintln!(
        "live: {} plists, {} reports identical",
        result.plists, result.reports
    );
}
