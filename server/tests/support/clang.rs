//! Real analyses of the small C code base in `tests/fixtures/clang-project`
//! (versions `v1` and `v2`) with CodeChecker 6.29.1's `analyze`, using the
//! Clang Static Analyzer and clang-tidy.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use super::python::{codechecker, Venv};
use super::store::REVIEW_STATUSES;

/// Whether `clang` and `clang-tidy` run; panics without them under `CI=true`.
pub fn have_clang() -> bool {
    let missing: Vec<&str> = ["clang", "clang-tidy"]
        .into_iter()
        .filter(|tool| {
            !Command::new(tool)
                .arg("--version")
                .output()
                .is_ok_and(|out| out.status.success())
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    let what = format!(
        "{} not found on PATH (`eval \"$(tests/tools/ensure-deps.sh)\"` installs them as root)",
        missing.join(" and ")
    );
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("{what} and CI=true: the real-analysis tests cannot run");
    }
    eprintln!("note: skipping a real-analysis test: {what}");
    false
}

/// Replaces `src` with the sources of fixture `version`; their mtimes are
/// now, so an analysis made afterwards is newer than them.
pub fn checkout(version: &str, src: &Path) {
    let fixture = super::repo_root()
        .join("tests/fixtures/clang-project")
        .join(version);
    if src.exists() {
        std::fs::remove_dir_all(src).expect("remove the old sources");
    }
    std::fs::create_dir_all(src).expect("create the source folder");
    let entries =
        std::fs::read_dir(&fixture).unwrap_or_else(|e| panic!("read {}: {e}", fixture.display()));
    for entry in entries {
        let path = entry.expect("fixture entry").path();
        let name = path.file_name().expect("a file name");
        std::fs::copy(&path, src.join(name))
            .unwrap_or_else(|e| panic!("copy {}: {e}", path.display()));
    }
}

/// Writes a compilation database compiling every `.c` file of `src` with
/// `clang -c` into `out`, and returns its path.
pub fn compile_commands(src: &Path, out: &Path) -> String {
    let mut files: Vec<String> = std::fs::read_dir(src)
        .expect("list the sources")
        .map(|e| {
            e.expect("source entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.ends_with(".c"))
        .collect();
    files.sort();
    let dir = src.display().to_string();
    let entries: Vec<Value> = files
        .iter()
        .map(|name| {
            json!({
                "directory": dir,
                "command": format!("clang -c {name}"),
                "file": src.join(name).display().to_string(),
            })
        })
        .collect();
    let path = out.join("compile_commands.json");
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&entries).expect("serialise"),
    )
    .expect("write compile_commands.json");
    path.display().to_string()
}

/// Analyses the sources of `cdb` into `reports` with the Clang Static
/// Analyzer and clang-tidy; returns the reports found, per analyzer.
pub fn analyze(cdb: &str, reports: &Path) -> BTreeMap<String, usize> {
    let out_dir = reports.display().to_string();
    let analyzed = codechecker(
        Venv::Current,
        &[
            "analyze",
            cdb,
            "-o",
            &out_dir,
            "--analyzers",
            "clangsa",
            "clang-tidy",
        ],
        &[],
    );
    analyzed.assert_success();
    // `parse` exits with 2 when it found reports.
    let mut args = vec!["parse", out_dir.as_str(), "-e", "json", "--review-status"];
    args.extend(REVIEW_STATUSES);
    let parsed = codechecker(Venv::Current, &args, &[]);
    assert!(
        matches!(parsed.code, 0 | 2),
        "`{}` failed:\n{}",
        parsed.command,
        parsed.all()
    );
    let mut per_analyzer = BTreeMap::new();
    for report in parsed.json()["reports"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        let analyzer = report["analyzer_name"].as_str().unwrap_or("?").to_owned();
        *per_analyzer.entry(analyzer).or_insert(0) += 1;
    }
    let total: usize = per_analyzer.values().sum();
    eprintln!(
        "analysis into {}: {total} reports {per_analyzer:?}",
        reports.display()
    );
    per_analyzer
}
