//! Our client stores a real clang analysis (the C code base of
//! `tests/fixtures/clang-project`, analysed by CodeChecker 6.29.1 with the
//! Clang Static Analyzer and clang-tidy) as CodeChecker's client does: its
//! two versions stored one after the other into one run give the same
//! `cmd results` as CodeChecker's client storing them, on CodeChecker's own
//! server and on ours.
//!
//! Needs `clang` and `clang-tidy` (`tests/tools/ensure-deps.sh` installs
//! them): without them the test is skipped, or fails under `CI=true`.

use crate::support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::{expect_code, results_of, UserEnv};

fn have_clang() -> bool {
    let found = ["clang", "clang-tidy"].iter().all(|tool| {
        Command::new(tool)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    assert!(
        found || std::env::var("CI").as_deref() != Ok("true"),
        "clang or clang-tidy missing under CI=true (tests/tools/ensure-deps.sh installs them)"
    );
    if !found {
        eprintln!("SKIPPED: clang or clang-tidy not found");
    }
    found
}

fn fixture(version: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/clang-project")
        .join(version)
}

/// Puts the sources of `version` into `src` (fresh mtimes) and analyses them
/// into `reports`; returns the number of reports `CodeChecker parse` sees.
fn analyze(env: &UserEnv, venv: &Path, version: &str, src: &Path, reports: &Path) -> usize {
    let _ = std::fs::remove_dir_all(src);
    std::fs::create_dir_all(src).expect("source dir");
    let mut entries = Vec::new();
    for entry in std::fs::read_dir(fixture(version)).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        std::fs::copy(&path, src.join(&name)).expect("copy source");
        if name.ends_with(".c") {
            entries.push(serde_json::json!({
                "directory": src.display().to_string(),
                "command": format!("clang -c {name}"),
                "file": src.join(&name).display().to_string(),
            }));
        }
    }
    let cdb = src.parent().expect("parent").join("compile_commands.json");
    std::fs::write(&cdb, serde_json::to_string(&entries).expect("json")).expect("cdb");
    let out = env.theirs(
        venv,
        &[
            "analyze",
            &cdb.to_string_lossy(),
            "-o",
            &reports.to_string_lossy(),
            "--analyzers",
            "clangsa",
            "clang-tidy",
        ],
    );
    expect_code(&out, 0, "CodeChecker analyze");
    let parsed = env.theirs(venv, &["parse", &reports.to_string_lossy(), "-e", "json"]);
    let json: serde_json::Value =
        serde_json::from_slice(&parsed.stdout).expect("CodeChecker parse -e json");
    json["reports"].as_array().map_or(0, Vec::len)
}

/// Drops database ids of files (`fileId`, at any depth): each server
/// numbers its files in its own order.
fn without_file_ids(v: &serde_json::Value) -> serde_json::Value {
    match v {
        serde_json::Value::Object(m) => m
            .iter()
            .filter(|(k, _)| k.as_str() != "fileId")
            .map(|(k, v)| (k.clone(), without_file_ids(v)))
            .collect(),
        serde_json::Value::Array(a) => a.iter().map(without_file_ids).collect(),
        other => other.clone(),
    }
}

/// Panics with the first differing report when `got` is not `expected`
/// (file ids aside).
fn assert_same(got: &[serde_json::Value], expected: &[serde_json::Value], what: &str) {
    let normal = |list: &[serde_json::Value]| {
        let mut list: Vec<_> = list.iter().map(without_file_ids).collect();
        list.sort_by_key(|r| r.to_string());
        list
    };
    let (got, expected) = (normal(got), normal(expected));
    if got == expected {
        return;
    }
    let pretty = |v: Option<&serde_json::Value>| {
        v.map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
            .unwrap_or_else(|| "(none)".into())
    };
    let at = (0..got.len().max(expected.len()))
        .find(|&i| got.get(i) != expected.get(i))
        .unwrap_or(0);
    panic!(
        "{what}: {} reports vs {} expected; first difference at #{at}:\n--- got\n{}\n--- expected\n{}",
        got.len(),
        expected.len(),
        pretty(got.get(at)),
        pretty(expected.get(at))
    );
}

#[test]
fn real_analysis_stored_by_our_client_matches_codechecker() {
    let Some(venv) = support::venv() else { return };
    if !have_clang() {
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let env = UserEnv::new(&work.path().join("home"))
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    let reference = support::reference_server(None);
    let ours = support::our_server();
    let src = work.path().join("project/src");

    for (version, at_least) in [("v1", 20), ("v2", 16)] {
        let reports = work.path().join(format!("reports-{version}"));
        let found = analyze(&env, &venv, version, &src, &reports);
        assert!(found >= at_least, "{version}: only {found} reports");
        let dir = reports.to_string_lossy().into_owned();
        let theirs = env.theirs(
            &venv,
            &[
                "store",
                &dir,
                "--name",
                "theirs",
                "--url",
                &reference.product_url(),
            ],
        );
        expect_code(&theirs, 0, "CodeChecker store");
        for (run, url) in [
            ("ours", reference.product_url()),
            ("ours", ours.product_url()),
        ] {
            let out = env.ours(&["store", &dir, "--name", run, "--url", &url]);
            expect_code(&out, 0, "our store");
        }
        let expected = results_of(&env, &venv, &reference.product_url(), "theirs");
        assert!(expected.len() >= at_least, "{version}: {}", expected.len());
        assert_same(
            &results_of(&env, &venv, &reference.product_url(), "ours"),
            &expected,
            &format!("{version}: our client into CodeChecker's server"),
        );
        assert_same(
            &results_of(&env, &venv, &ours.product_url(), "ours"),
            &expected,
            &format!("{version}: our client into our server"),
        );
    }
}
