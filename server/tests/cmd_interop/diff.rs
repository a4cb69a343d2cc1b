//! `CodeChecker cmd diff` against both servers: run against run, tag against
//! tag, run against a local report directory and back, each with `--new`,
//! `--resolved` and `--unresolved`, with and without filters. The command
//! exits with 2 when it lists reports, so the exit codes are compared too.

use serde_json::{json, Value};

use crate::fixture::{normalise, Fixture};
use crate::fixture_or_skip;
use crate::support::python::{PyApi, Venv};

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
        &[
            "-b",
            "clang-v1",
            "-n",
            "clang-v2",
            "--new",
            "--severity",
            "high",
        ],
    );
}

#[test]
fn tag_against_tag() {
    let f = fixture_or_skip!();
    let [new, resolved, _] = every_kind_and_filter(f, "clang:v1", "clang:v2");
    assert!(new > 0 && resolved > 0, "{new} new, {resolved} resolved");
    // A tag against a run, and the older client.
    same_diff(
        f,
        Venv::Current,
        &["-b", "clang:v1", "-n", "clang-v2", "--resolved"],
    );
    same_diff(
        f,
        Venv::Current,
        &["-b", "clang-v1", "-n", "clang:v2", "--new"],
    );
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
    same_diff(
        f,
        Venv::Current,
        &["-b", &local, "-n", "clang:v2", "--resolved"],
    );
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
                &[
                    "-b",
                    "clang",
                    "-n",
                    "clang-v2",
                    kind,
                    "--open-reports-date",
                    date,
                ],
            );
        }
    }
    let local = f.reports_v1.display().to_string();
    same_diff(
        f,
        Venv::Current,
        &[
            "-b",
            &local,
            "-n",
            "clang",
            "--new",
            "--open-reports-date",
            "2099:01:01",
        ],
    );
}

/// The `CodeCheckerService` endpoint of the `Default` product of `base` at
/// API `version`.
fn endpoint(base: &str, version: &str) -> String {
    format!("{base}/Default/v{version}/CodeCheckerService")
}

/// Ids of a server: the runs by name and the history entry of `clang:v1`.
struct Ids {
    url: String,
    clang: i64,
    v1: i64,
    v2: i64,
    tag_v1: i64,
}

fn ids(api: &mut PyApi, url: String) -> Ids {
    let mut run = |name: &str| {
        let runs = api
            .call(
                &endpoint(&url, "6.74"),
                "CodeCheckerService",
                "getRunData",
                json!([{"names": [name], "exactMatch": true}, null, null, null]),
            )
            .ok();
        runs[0]["runId"].as_i64().expect("a run id")
    };
    let (clang, v1, v2) = (run("clang"), run("clang-v1"), run("clang-v2"));
    let tags = api
        .call(
            &endpoint(&url, "6.74"),
            "CodeCheckerService",
            "getRunHistory",
            json!([[clang], null, null, {"tagNames": ["v1"]}]),
        )
        .ok();
    let tag_v1 = tags[0]["id"].as_i64().expect("a history id");
    Ids {
        url,
        clang,
        v1,
        v2,
        tag_v1,
    }
}

/// A sorted list of strings.
fn sorted(v: Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .expect("a list")
        .iter()
        .map(|s| s.as_str().expect("a string").to_owned())
        .collect();
    out.sort();
    out
}

/// `getDiffResultsHash` (as `cmd diff` and older clients call it),
/// `getRunResultCount` with comparisons the command line cannot express
/// (against a date, a tag with its run's other reports) and
/// `getReviewStatusRules`, answered alike by both servers.
#[test]
fn diff_methods_through_the_api() {
    let f = fixture_or_skip!();
    let mut api = PyApi::new(Venv::Current);
    let ours = ids(&mut api, f.ours.url());
    let theirs = ids(&mut api, f.theirs.url());
    // The local side: every hash of clang-v2, a few twice, and strangers.
    let results = api
        .call(
            &endpoint(&ours.url, "6.74"),
            "CodeCheckerService",
            "getRunResults",
            json!([[ours.v2], 500, 0, null, {}, null, false]),
        )
        .ok();
    let mut local: Vec<String> = results
        .as_array()
        .expect("reports")
        .iter()
        .map(|r| r["bugHash"].as_str().expect("a hash").to_owned())
        .collect();
    assert!(local.len() > 10, "clang-v2 has reports: {local:?}");
    local.extend(local[..3].to_vec());
    local.push("0123456789abcdef0123456789abcdef".into());

    let mut call = |ids: &Ids, version: &str, method: &str, args: Value| {
        api.call(
            &endpoint(&ids.url, version),
            "CodeCheckerService",
            method,
            args,
        )
        .ok()
    };
    let mut answered = 0;
    for version in ["6.74", "6.49"] {
        for diff in [0, 1, 2] {
            for (runs, tags, skip) in [
                ("v1", false, json!(null)),
                ("clang", true, json!(null)),
                ("clang", false, json!([4])),
            ] {
                let args = |ids: &Ids| {
                    let run = if runs == "v1" { ids.v1 } else { ids.clang };
                    let tags = if tags {
                        json!([ids.tag_v1])
                    } else {
                        json!(null)
                    };
                    json!([[run], local, diff, skip, tags])
                };
                let a = sorted(call(&ours, version, "getDiffResultsHash", args(&ours)));
                let b = sorted(call(&theirs, version, "getDiffResultsHash", args(&theirs)));
                assert_eq!(
                    a, b,
                    "getDiffResultsHash v{version} diff {diff} runs {runs} tags {tags} skip {skip}"
                );
                answered += usize::from(!a.is_empty());
            }
        }
    }
    assert!(answered >= 12, "most answers list hashes: {answered} of 18");

    let mut counted = 0;
    for diff in [0, 1, 2] {
        let cases = |ids: &Ids| {
            vec![
                // Against what is open at a date, in every run.
                (
                    json!([ids.v1]),
                    json!({}),
                    json!({"diffType": diff, "openReportsDate": 4_000_000_000_i64}),
                ),
                // A tag against a run, unique, with a filter.
                (
                    json!([ids.clang]),
                    json!({"runTag": [ids.tag_v1], "isUnique": true, "severity": [40, 30]}),
                    json!({"diffType": diff, "runIds": [ids.v2]}),
                ),
                // No base runs: every report is on the base side.
                (
                    json!(null),
                    json!({}),
                    json!({"diffType": diff, "runIds": [ids.v1]}),
                ),
                // An empty comparison is none.
                (
                    json!([ids.v2]),
                    json!({}),
                    json!({"diffType": diff, "runIds": []}),
                ),
            ]
        };
        for (i, (x, y)) in cases(&ours).into_iter().zip(cases(&theirs)).enumerate() {
            let a = call(&ours, "6.74", "getRunResultCount", json!([x.0, x.1, x.2]));
            let b = call(&theirs, "6.74", "getRunResultCount", json!([y.0, y.1, y.2]));
            assert_eq!(a, b, "getRunResultCount case {i}, diff {diff}");
            counted += usize::from(a.as_i64().is_some_and(|n| n > 0));
        }
    }

    assert!(
        counted >= 6,
        "most comparisons count reports: {counted} of 12"
    );

    let filter = json!([{"reportHashes": local, "reviewStatuses": [2, 3]}, null, null, null]);
    let a = call(&ours, "6.74", "getReviewStatusRules", filter.clone());
    let b = call(&theirs, "6.74", "getReviewStatusRules", filter);
    assert_eq!(a, b, "getReviewStatusRules");
}
