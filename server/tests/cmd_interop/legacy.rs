//! CodeChecker 6.24.4's `cmd` (the oldest client this server serves) against
//! both servers: every command it has that reads or changes results, with
//! the same outputs. (`sum` and `diff` are covered in their own modules,
//! `login`, `token` and `permissions` in the server's authentication tests,
//! `products` by the server's wire tests.)
//! Runs and components it creates start with `legacy` so that other tests
//! of the binary are not disturbed.

use serde_json::Value;

use crate::fixture::Fixture;
use crate::fixture_or_skip;
use crate::support::python::{CliOutput, Venv};

/// `CodeChecker <args>` of 6.24.4 against both servers; asserts that both
/// succeed.
fn both(f: &Fixture, args: &[&str]) -> (CliOutput, CliOutput) {
    let (ours, theirs) = f.both_with(Venv::Legacy, args);
    ours.assert_success();
    theirs.assert_success();
    (ours, theirs)
}

/// A JSON-printing command of 6.24.4: the same output on both servers,
/// normalised, lists compared as sets.
fn same_json(f: &Fixture, args: &[&str]) -> Value {
    f.assert_same_json_with(Venv::Legacy, args, true)
}

#[test]
fn reading_commands_answer_alike() {
    let f = fixture_or_skip!();
    let runs = same_json(f, &["cmd", "runs", "-n", "clang*", "-o", "json"]);
    assert!(runs.as_array().is_some_and(|r| r.len() >= 3), "{runs}");
    same_json(f, &["cmd", "history", "-n", "clang", "-o", "json"]);
    for filters in [
        &[][..],
        &["--severity", "high", "medium"],
        &["--checker-name", "core.*", "deadcode.*"],
        &["--file", "*parse*"],
        &["--detection-status", "new", "unresolved"],
        &["--review-status", "false_positive", "intentional"],
        &["--uniqueing", "on"],
        &["--checker-msg", "*never read*"],
        &["--report-hash", "248bdf4cb45e60f3661ce8e9118c9a29"],
    ] {
        let mut args = vec!["cmd", "results", "clang-v2", "-o", "json"];
        args.extend(filters);
        let reports = same_json(f, &args);
        if filters.is_empty() {
            assert!(
                reports.as_array().is_some_and(|r| !r.is_empty()),
                "{reports}"
            );
        }
    }
}

#[test]
fn changes_by_the_legacy_client_land_alike() {
    let f = fixture_or_skip!();
    // A run of its own: exported, renamed, then deleted. (Other tests
    // comment and review on the shared runs while this one runs.)
    f.store_both(&f.reports_v1, "legacy-run", &[]);
    let export = same_json(f, &["cmd", "export", "-n", "legacy-run"]);
    // The fixture's sources carry review comments.
    assert!(
        export["reviewData"]
            .as_object()
            .is_some_and(|m| !m.is_empty()),
        "{export}"
    );
    both(f, &["cmd", "update", "-n", "legacy-renamed", "legacy-run"]);
    let runs = same_json(f, &["cmd", "runs", "-o", "json"]);
    // `cmd runs -o json` prints `[{"<name>": {...}}, ...]`.
    let names: Vec<String> = runs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_object()?.keys().next().cloned())
        .filter(|n| n.starts_with("legacy"))
        .collect();
    assert!(
        names.iter().any(|n| n == "legacy-renamed") && !names.iter().any(|n| n == "legacy-run"),
        "after the rename: {names:?}\n{runs}"
    );
    both(f, &["cmd", "del", "-n", "legacy-renamed"]);
    let runs = same_json(f, &["cmd", "runs", "-n", "legacy*", "-o", "json"]);
    assert_eq!(runs.as_array().map(Vec::len), Some(0), "{runs}");

    // A source component added, listed, used as a filter, removed.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = dir.path().join("component.txt");
    std::fs::write(&file, "+*/parse.c\n").expect("write the component file");
    let file = file.to_str().expect("a UTF-8 path");
    both(
        f,
        &[
            "cmd",
            "components",
            "add",
            "legacy-parse",
            "-i",
            file,
            "--description",
            "parse",
        ],
    );
    let components = same_json(f, &["cmd", "components", "list", "-o", "json"]);
    assert!(
        components.to_string().contains("legacy-parse"),
        "{components}"
    );
    let filtered = same_json(
        f,
        &[
            "cmd",
            "results",
            "clang-v2",
            "--component",
            "legacy-parse",
            "-o",
            "json",
        ],
    );
    assert!(
        filtered
            .as_array()
            .is_some_and(|r| !r.is_empty() && r.iter().all(|x| x.to_string().contains("parse.c"))),
        "{filtered}"
    );
    both(f, &["cmd", "components", "del", "legacy-parse"]);
    let components = same_json(f, &["cmd", "components", "list", "-o", "json"]);
    assert!(
        !components.to_string().contains("legacy-parse"),
        "{components}"
    );
}
