//! `CodeChecker cmd diff` against both servers: run against run, tag against
//! tag, run against a local report directory and back, each with `--new`,
//! `--resolved` and `--unresolved`, with and without filters. The command
//! exits with 2 when it lists reports, so the exit codes are compared too.

use serde_json::Value;

use crate::fixture::{normalise, Fixture};
use crate::fixture_or_skip;
use crate::support::python::Venv;

/// The kinds of difference.
const KINDS: [&str; 3] = ["--new", "--resolved", "--unresolved"];

/// No filter, then each filter the tests try.
const FILTERS: [&[&str]; 4] = [
    &[],
    &["--severity", "high"],
    &["--checker-name", "core*"],
    &["--file", "*main.c"],
];

/// Runs `cmd diff -o json <args>` with the client of `venv` against both
/// servers and asserts the same exit code and the same reports. Returns how
/// many reports were listed.
fn same_diff(f: &Fixture, venv: Venv, args: &[&str]) -> usize {
    let mut all = vec!["cmd", "diff", "-o", "json"];
    all.extend(args);
    let (ours, theirs) = f.both_with(venv, &all);
    assert!(
        theirs.code == 0 || theirs.code == 2,
        "CodeChecker's server failed `{}`:\n{}",
        theirs.command,
        theirs.all()
    );
    assert_eq!(
        ours.code,
        theirs.code,
        "`{}` ({}) exits differently\n--- ours ---\n{}\n--- theirs ---\n{}",
        ours.command,
        venv.name(),
        ours.all(),
        theirs.all()
    );
    let (a, b) = (
        ties_sorted(normalise(ours.json())),
        ties_sorted(normalise(theirs.json())),
    );
    if a != b {
        panic!(
            "`{}` ({}) differs (left ours, right CodeChecker's):\n{}",
            ours.command,
            venv.name(),
            difference(&a, &b)
        );
    }
    listed(&a)
}

/// `v` with the reports at the same file and line (the server's order, by
/// file path and line, leaves them in storage order, which differs between
/// the servers) sorted by bug hash and checker.
fn ties_sorted(mut v: Value) -> Value {
    if let Some(reports) = v.get_mut("reports").and_then(Value::as_array_mut) {
        let mut start = 0;
        while start < reports.len() {
            let at = |r: &Value| (r["file"]["path"].clone(), r["line"].clone());
            let here = at(&reports[start]);
            let end = start
                + reports[start..]
                    .iter()
                    .take_while(|r| at(r) == here)
                    .count();
            reports[start..end].sort_by_key(|r| {
                (
                    r["report_hash"].as_str().unwrap_or_default().to_owned(),
                    r["checker_name"].as_str().unwrap_or_default().to_owned(),
                )
            });
            start = end;
        }
    }
    v
}

/// A short account of how two `cmd diff` outputs differ.
fn difference(ours: &Value, theirs: &Value) -> String {
    let reports = |v: &Value| -> Vec<Value> {
        v.get("reports")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (a, b) = (reports(ours), reports(theirs));
    let key = |r: &Value| {
        format!(
            "{} {}:{} {}",
            r["report_hash"].as_str().unwrap_or("?"),
            r["file"]["path"].as_str().unwrap_or("?"),
            r["line"],
            r["checker_name"].as_str().unwrap_or("?")
        )
    };
    let ka: Vec<String> = a.iter().map(key).collect();
    let kb: Vec<String> = b.iter().map(key).collect();
    if ka != kb {
        return format!(
            "reports listed differ\n--- ours ---\n{}\n--- theirs ---\n{}",
            ka.join("\n"),
            kb.join("\n")
        );
    }
    for (x, y) in a.iter().zip(&b) {
        if x != y {
            return format!("first different report\n--- ours ---\n{x:#}\n--- theirs ---\n{y:#}");
        }
    }
    format!("outside the reports\n--- ours ---\n{ours}\n--- theirs ---\n{theirs}")
}

/// Reports in `cmd diff`'s JSON.
fn listed(v: &Value) -> usize {
    v.get("reports")
        .and_then(Value::as_array)
        .or_else(|| v.as_array())
        .map_or(0, Vec::len)
}

/// Every kind with every filter for `base` against `new`; returns the
/// reports listed by kind without a filter.
fn every_kind_and_filter(f: &Fixture, base: &str, new: &str) -> [usize; 3] {
    let mut unfiltered = [0; 3];
    for (k, kind) in KINDS.iter().enumerate() {
        for filter in FILTERS {
            let mut args = vec!["-b", base, "-n", new, *kind];
            args.extend(filter);
            let n = same_diff(f, Venv::Current, &args);
            if filter.is_empty() {
                unfiltered[k] = n;
            }
        }
    }
    unfiltered
}

#[test]
fn run_against_run() {
    let f = fixture_or_skip!();
    let [new, resolved, unresolved] = every_kind_and_filter(f, "clang-v1", "clang-v2");
    assert!(
        new > 0 && resolved > 0 && unresolved > 0,
        "the versions differ both ways: {new} new, {resolved} resolved, {unresolved} unresolved"
    );
    // Several runs on one side, and the older client.
    same_diff(
        f,
        Venv::Current,
        &["-b", "clang-v1", "clang", "-n", "clang-v2", "--new"],
    );
    for kind in KINDS {
        same_diff(f, Venv::Legacy, &["-b", "clang-v1", "-n", "clang-v2", kind]);
    }
    same_diff(
        f,
        Venv::Legacy,
        &["-b", "clang-v1", "-n", "clang-v2", "--new", "--severity", "high"],
    );
}

#[test]
fn tag_against_tag() {
    let f = fixture_or_skip!();
    let [new, resolved, _] = every_kind_and_filter(f, "clang:v1", "clang:v2");
    assert!(
        new > 0 && resolved > 0,
        "{new} new, {resolved} resolved"
    );
    // A tag against a run, and the older client.
    same_diff(f, Venv::Current, &["-b", "clang:v1", "-n", "clang-v2", "--resolved"]);
    same_diff(f, Venv::Current, &["-b", "clang-v1", "-n", "clang:v2", "--new"]);
    for kind in KINDS {
        same_diff(f, Venv::Legacy, &["-b", "clang:v1", "-n", "clang:v2", kind]);
    }
}

#[test]
fn run_against_local_directory() {
    let f = fixture_or_skip!();
    let local = f.reports_v2.display().to_string();
    let [new, resolved, unresolved] = every_kind_and_filter(f, "clang-v1", &local);
    assert!(
        new > 0 && resolved > 0 && unresolved > 0,
        "{new} new, {resolved} resolved, {unresolved} unresolved"
    );
    // Against a tag, and the older client.
    same_diff(f, Venv::Current, &["-b", "clang:v1", "-n", &local, "--new"]);
    for kind in KINDS {
        same_diff(f, Venv::Legacy, &["-b", "clang-v1", "-n", &local, kind]);
    }
}

#[test]
fn local_directory_against_run() {
    let f = fixture_or_skip!();
    let local = f.reports_v1.display().to_string();
    let [new, resolved, unresolved] = every_kind_and_filter(f, &local, "clang-v2");
    assert!(
        new > 0 && resolved > 0 && unresolved > 0,
        "{new} new, {resolved} resolved, {unresolved} unresolved"
    );
    same_diff(f, Venv::Current, &["-b", &local, "-n", "clang:v2", "--resolved"]);
    for kind in KINDS {
        same_diff(f, Venv::Legacy, &["-b", &local, "-n", "clang-v2", kind]);
    }
}

#[test]
fn outstanding_reports_date() {
    let f = fixture_or_skip!();
    // The base side open at a date: long ago (nothing open yet) and far
    // ahead (what is open now).
    for date in ["2000:01:01", "2099:01:01"] {
        for kind in KINDS {
            same_diff(
                f,
                Venv::Current,
                &["-b", "clang", "-n", "clang-v2", kind, "--open-reports-date", date],
            );
        }
    }
    let local = f.reports_v1.display().to_string();
    same_diff(
        f,
        Venv::Current,
        &["-b", &local, "-n", "clang", "--new", "--open-reports-date", "2099:01:01"],
    );
}
