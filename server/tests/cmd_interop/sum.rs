//! `CodeChecker cmd sum` (checker, severity and coverage statistics) and the
//! web UI's count methods, against our server and CodeChecker's.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::fixture::{normalise, Fixture};
use crate::fixture_or_skip;
use crate::support::python::{PyApi, Reply, Venv};

/// `cmd sum` with `args` in the default (table) output and as JSON: both
/// servers must print the same.
fn assert_same_sum(f: &Fixture, args: &[&str]) {
    let mut json_args = vec!["cmd", "sum"];
    json_args.extend(args);
    json_args.extend(["-o", "json"]);
    let rows = f.assert_same_json(&json_args);
    assert!(rows.is_array(), "`{json_args:?}` printed {rows}");

    {
        let format = "table";
        let mut table_args = vec!["cmd", "sum"];
        table_args.extend(args);
        table_args.extend(["-o", format]);
        let (ours, theirs) = f.both(&table_args);
        ours.assert_success();
        theirs.assert_success();
        let table = |out: &str| -> Vec<String> { comparable_table(out) };
        let (a, b) = (table(&ours.stdout), table(&theirs.stdout));
        if a != b {
            let first = a
                .iter()
                .zip(&b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            panic!(
                "`{}` differs (ours {} lines, CodeChecker's {}) from line {first}:\n--- ours ---\n{}\n--- theirs ---\n{}",
                ours.command,
                a.len(),
                b.len(),
                a[first..].iter().take(6).cloned().collect::<Vec<_>>().join("\n"),
                b[first..].iter().take(6).cloned().collect::<Vec<_>>().join("\n"),
            );
        }
    }
}

/// The lines of `cmd sum`'s tables, without the client's log lines (they
/// carry times) and without the guideline column of the checker coverage
/// table: CodeChecker's `getCheckerLabels` lists labels in the order of a
/// Python `set`, which differs from one server process to the next.
fn comparable_table(out: &str) -> Vec<String> {
    out.lines()
        .filter(|l| !l.starts_with('['))
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('│').collect();
            // The coverage table has 6 columns: 8 pieces between borders.
            if cells.len() != 8 {
                return Some(l.to_owned());
            }
            let kept: Vec<&str> = cells
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != 2)
                .map(|(_, c)| c.trim())
                .collect();
            // A wrapped guideline cell leaves lines with nothing else.
            kept.iter().any(|c| !c.is_empty()).then(|| kept.join("|"))
        })
        .collect()
}

#[test]
fn sum_of_one_run() {
    let f = fixture_or_skip!();
    assert_same_sum(f, &["-n", "clang"]);
}

#[test]
fn sum_of_several_runs_and_all() {
    let f = fixture_or_skip!();
    assert_same_sum(f, &["-n", "clang-v1", "clang-v2"]);
    assert_same_sum(f, &["-n", "clang*"]);
    assert_same_sum(f, &["--all"]);
}

#[test]
fn sum_without_uniqueing() {
    let f = fixture_or_skip!();
    assert_same_sum(f, &["-n", "clang", "clang-v1", "--uniqueing", "off"]);
    assert_same_sum(f, &["--all", "--uniqueing", "off"]);
}

#[test]
fn sum_with_filters() {
    let f = fixture_or_skip!();
    let cases: [&[&str]; 9] = [
        &["-n", "clang", "--severity", "high", "medium"],
        &["-n", "clang", "--checker-name", "core.*"],
        &[
            "--all",
            "--checker-name",
            "*bugprone*",
            "--uniqueing",
            "off",
        ],
        &["-n", "clang", "--detection-status", "resolved"],
        &["-n", "clang", "--detection-status", "new", "unresolved"],
        &["--all", "--review-status", "false_positive", "intentional"],
        &["-n", "clang-v2", "--file", "*.c"],
        &["-n", "clang", "--tag", "v1"],
        &["-n", "clang", "--report-status", "closed"],
    ];
    for args in cases {
        assert_same_sum(f, args);
    }
}

#[test]
fn sum_with_the_legacy_client() {
    let f = fixture_or_skip!();
    let (ours, theirs) = f.both_with(Venv::Legacy, &["cmd", "sum", "-n", "clang", "-o", "json"]);
    ours.assert_success();
    theirs.assert_success();
    assert_eq!(normalise(ours.json()), normalise(theirs.json()));
}

/// The endpoint of `CodeCheckerService` of a product URL.
fn service(product_url: &str) -> String {
    format!(
        "{}/v6.74/CodeCheckerService",
        product_url.replace("localhost", "127.0.0.1")
    )
}

/// Run name → id on one server.
fn run_ids(api: &mut PyApi, url: &str) -> BTreeMap<String, i64> {
    let runs = api
        .call(
            url,
            "CodeCheckerService",
            "getRunData",
            json!([null, 500, 0, null]),
        )
        .ok();
    runs.as_array()
        .expect("a list of runs")
        .iter()
        .map(|r| {
            (
                r["name"].as_str().expect("name").to_owned(),
                r["runId"].as_i64().expect("id"),
            )
        })
        .collect()
}

/// A reply made comparable between servers: ids normalised, checker
/// coverage keyed by analyzer/checker with run names for run ids,
/// annotation values sorted.
fn comparable(method: &str, reply: Reply, names: &BTreeMap<i64, String>) -> Value {
    let value = match reply {
        Reply::Ok(v) => v,
        Reply::RequestFailed { code, message } => {
            return json!({"request_failed": code, "message": message})
        }
        other => panic!("{method}: {other:?}"),
    };
    match method {
        "getCheckerStatusVerificationDetails" => {
            let runs = |v: &Value| -> Value {
                let mut named: Vec<String> = v
                    .as_array()
                    .map(|ids| {
                        ids.iter()
                            .map(|id| {
                                names
                                    .get(&id.as_i64().unwrap_or(-1))
                                    .cloned()
                                    .unwrap_or_else(|| format!("?{id}"))
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                named.sort();
                json!(named)
            };
            let mut by_name = serde_json::Map::new();
            for detail in value.as_object().expect("a map").values() {
                let key = format!(
                    "{}/{}",
                    detail["analyzerName"].as_str().unwrap_or("?"),
                    detail["checkerName"].as_str().unwrap_or("?")
                );
                let mut d = detail.clone();
                for field in ["enabled", "disabled", "unknown"] {
                    d[field] = runs(&detail[field]);
                }
                by_name.insert(key, d);
            }
            Value::Object(by_name)
        }
        "getReportAnnotations" => {
            let mut values: Vec<Value> = value.as_array().cloned().unwrap_or_default();
            values.sort_by_key(|v| v.to_string());
            Value::Array(values)
        }
        _ => normalise(value),
    }
}

/// What differs between two JSON values, briefly: the entries of maps and
/// lists that differ (ours, then CodeChecker's).
fn difference(ours: &Value, theirs: &Value) -> String {
    let mut out = Vec::new();
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in a {
                if b.get(k) != Some(v) {
                    out.push(format!("{k}: {v} vs {}", b.get(k).unwrap_or(&Value::Null)));
                }
            }
            for (k, v) in b {
                if !a.contains_key(k) {
                    out.push(format!("{k}: missing vs {v}"));
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            out.push(format!("lengths {} vs {}", a.len(), b.len()));
            for i in 0..a.len().max(b.len()) {
                if a.get(i) != b.get(i) {
                    out.push(format!(
                        "[{i}]: {} vs {}",
                        a.get(i).unwrap_or(&Value::Null),
                        b.get(i).unwrap_or(&Value::Null)
                    ));
                }
            }
        }
        _ => out.push(format!("{ours} vs {theirs}")),
    }
    out.truncate(12);
    out.join("\n")
}

#[test]
fn every_count_method_answers_as_codechecker() {
    let f = fixture_or_skip!();
    let mut api = PyApi::new(Venv::Current);
    let urls = [service(&f.ours_url()), service(&f.theirs_url())];
    let ids: Vec<BTreeMap<String, i64>> = urls.iter().map(|u| run_ids(&mut api, u)).collect();

    let filters = [
        json!({}),
        json!({"isUnique": true}),
        json!({"checkerName": ["core.*"]}),
        json!({"checkerName": ["core.*", "*bugprone*"], "isUnique": true}),
        json!({"runName": ["clang-v*"]}),
        json!({"severity": [40], "isUnique": false}),
        json!({"detectionStatus": [1], "reviewStatus": [0, 1]}),
        json!({"filepath": ["*.c"], "reportStatus": [0], "isUnique": true}),
        json!({"reviewStatus": [2, 3]}),
    ];
    // (run names the call is limited to, paging)
    let scopes: [(&[&str], Value, Value); 4] = [
        (&[], Value::Null, Value::Null),
        (&["clang"], json!(500), json!(0)),
        (&["clang-v1", "clang-v2"], json!(3), json!(1)),
        (&["clang", "clang-v2"], json!(2), json!(0)),
    ];
    for filter in &filters {
        for (runs, limit, offset) in &scopes {
            let mut answers = Vec::new();
            for (url, ids) in urls.iter().zip(&ids) {
                let run_ids: Value = if runs.is_empty() {
                    Value::Null
                } else {
                    json!(runs.iter().map(|r| ids[*r]).collect::<Vec<i64>>())
                };
                let names: BTreeMap<i64, String> =
                    ids.iter().map(|(n, i)| (*i, n.clone())).collect();
                let calls: Vec<(&str, Value)> = vec![
                    (
                        "getCheckerCounts",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    ("getSeverityCounts", json!([run_ids, filter, null])),
                    (
                        "getCheckerStatusVerificationDetails",
                        json!([run_ids, filter]),
                    ),
                    (
                        "getCheckerMsgCounts",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    (
                        "getFileCounts",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    (
                        "getFileCountsSummary",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    ("getDetectionStatusCounts", json!([run_ids, filter, null])),
                    ("getReviewStatusCounts", json!([run_ids, filter, null])),
                    ("getReportStatusCounts", json!([run_ids, filter, null])),
                    (
                        "getAnalyzerNameCounts",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    (
                        "getRunHistoryTagCounts",
                        json!([run_ids, filter, null, limit, offset]),
                    ),
                    (
                        "getRunReportCounts",
                        json!([run_ids, filter, limit, offset]),
                    ),
                    ("getReportAnnotations", json!([run_ids, filter, null])),
                    ("getFailedFiles", json!([run_ids])),
                    ("getFailedFilesCount", json!([run_ids])),
                ];
                let mut answer = BTreeMap::new();
                for (method, args) in calls {
                    // CodeChecker pages the files of `getFileCounts` without
                    // an order (an arbitrary page); ours are by path.
                    if method.starts_with("getFileCounts")
                        && !limit.is_null()
                        && limit != &json!(500)
                    {
                        continue;
                    }
                    let reply = api.call(url, "CodeCheckerService", method, args);
                    answer.insert(method, comparable(method, reply, &names));
                }
                answers.push(answer);
            }
            for (method, ours) in &answers[0] {
                let theirs = &answers[1][method];
                assert!(
                    ours == theirs,
                    "{method} with filter {filter} on runs {runs:?} (limit {limit}, offset \
                     {offset}) differs: {}",
                    difference(ours, theirs)
                );
            }
        }
    }
}

#[test]
fn tag_counts_follow_the_run_tag_filter() {
    let f = fixture_or_skip!();
    let mut api = PyApi::new(Venv::Current);
    let urls = [service(&f.ours_url()), service(&f.theirs_url())];
    let mut answers = Vec::new();
    for url in &urls {
        let ids = run_ids(&mut api, url);
        let history = api
            .call(
                url,
                "CodeCheckerService",
                "getRunHistory",
                json!([[ids["clang"]], 500, 0, null]),
            )
            .ok();
        let v1 = history
            .as_array()
            .expect("history")
            .iter()
            .find(|h| h["versionTag"] == "v1")
            .expect("tag v1")["id"]
            .as_i64()
            .expect("id");
        let mut per_filter = Vec::new();
        for unique in [false, true] {
            let filter = json!({"runTag": [v1], "isUnique": unique});
            for method in [
                "getRunHistoryTagCounts",
                "getCheckerCounts",
                "getAnalyzerNameCounts",
            ] {
                let reply = api.call(
                    url,
                    "CodeCheckerService",
                    method,
                    json!([[ids["clang"]], filter, null, null, null]),
                );
                per_filter.push(normalise(reply.ok()));
            }
        }
        answers.push(per_filter);
    }
    assert_eq!(answers[0], answers[1]);
}
