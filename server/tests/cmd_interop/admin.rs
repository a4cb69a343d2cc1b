//! Run administration, source components and filter presets through the
//! real `CodeChecker cmd` against both servers: the same mutations in the
//! same order, outputs compared after each step. Names start with `admin`
//! so that other tests of the binary are not disturbed; run deletion by
//! time and by neighbouring run works in a product of its own (those flags
//! would reach every run of `Default`).

use std::path::PathBuf;
use std::time::Duration;

use regex::Regex;
use serde_json::{json, Value};

use crate::fixture::{normalise, Fixture};
use crate::fixture_or_skip;
use crate::support::python::{codechecker, CliOutput, PyApi, Reply, Venv};

/// `CodeChecker <args> --url <url>` with the current client.
fn cc(url: &str, args: &[&str]) -> CliOutput {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--url", url]);
    let out = codechecker(Venv::Current, &all, &[("CC_FORCE_SYNC_STORE", "yes")]);
    out.assert_no_protocol_error();
    out
}

/// Product URLs `(ours, theirs)` of `endpoint`.
fn product_urls(f: &Fixture, endpoint: &str) -> (String, String) {
    (
        format!("{}/{endpoint}", f.ours.cli_url()),
        format!("{}/{endpoint}", f.theirs.cli_url()),
    )
}

/// The Thrift endpoint of `CodeCheckerService` of `product` `(ours, theirs)`.
fn service_urls(f: &Fixture, product: &str) -> (String, String) {
    (
        format!("{}/{product}/v6.74/CodeCheckerService", f.ours.url()),
        format!("{}/{product}/v6.74/CodeCheckerService", f.theirs.url()),
    )
}

/// Log lines without their timestamps, ids replaced, for comparing what
/// the client printed.
fn text(out: &CliOutput) -> String {
    let stamp = Regex::new(r"^\[(\w+) \d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?\]").expect("regex");
    let ids = Regex::new(r"(?i)(id:?\s*|with id |ID: )\d+").expect("regex");
    out.all()
        .lines()
        .map(|l| stamp.replace(l, "[$1]").into_owned())
        .map(|l| ids.replace_all(&l, "${1}N").into_owned())
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Runs `args` on both URLs; asserts equal exit codes and printed text.
fn same_text(urls: &(String, String), args: &[&str]) -> (CliOutput, CliOutput) {
    let ours = cc(&urls.0, args);
    let theirs = cc(&urls.1, args);
    assert_eq!(
        (ours.code, text(&ours)),
        (theirs.code, text(&theirs)),
        "`{}` differs (left ours, right CodeChecker's)",
        ours.command
    );
    (ours, theirs)
}

/// Runs a JSON-printing command on both URLs; asserts success and equal
/// normalised output (`keep` selects the array items compared).
fn same_json(urls: &(String, String), args: &[&str], keep: impl Fn(&Value) -> bool) -> Value {
    let ours = cc(&urls.0, args);
    let theirs = cc(&urls.1, args);
    ours.assert_success();
    theirs.assert_success();
    let pick = |v: Value| match v {
        Value::Array(items) => Value::Array(items.into_iter().filter(|i| keep(i)).collect()),
        other => other,
    };
    let (a, b) = (pick(normalise(ours.json())), pick(normalise(theirs.json())));
    assert_eq!(
        a, b,
        "`{}` differs (left ours, right CodeChecker's)\n--- ours ---\n{}\n--- theirs ---\n{}",
        ours.command, ours.stdout, theirs.stdout
    );
    a
}

/// `cmd results`/`diff` JSON on both URLs, compared as sets: the servers
/// order reports of equal severity differently.
fn same_results(urls: &(String, String), args: &[&str]) -> Value {
    let ours = cc(&urls.0, args);
    let theirs = cc(&urls.1, args);
    ours.assert_success();
    theirs.assert_success();
    let sorted = |v: Value| {
        let mut items: Vec<Value> = v.as_array().cloned().unwrap_or_default();
        items.sort_by_key(|i| i.to_string());
        Value::Array(items)
    };
    let (a, b) = (
        sorted(normalise(ours.json())),
        sorted(normalise(theirs.json())),
    );
    assert_eq!(
        a, b,
        "`{}` differs (left ours, right CodeChecker's)\n--- ours ---\n{}\n--- theirs ---\n{}",
        ours.command, ours.stdout, theirs.stdout
    );
    a
}

fn named(prefix: &'static str) -> impl Fn(&Value) -> bool {
    move |v: &Value| v["name"].as_str().is_some_and(|n| n.starts_with(prefix))
}

fn component_file(dir: &std::path::Path, name: &str, lines: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, lines).expect("write component file");
    path
}

/// A raw call on both servers; asserts the same answer.
fn same_call(py: &mut PyApi, urls: &(String, String), method: &str, args: Value) -> Reply {
    let ours = py.call(&urls.0, "CodeCheckerService", method, args.clone());
    let theirs = py.call(&urls.1, "CodeCheckerService", method, args);
    assert_eq!(ours, theirs, "{method} (left ours, right CodeChecker's)");
    ours
}

#[test]
fn source_components_filter_results_alike() {
    let f = fixture_or_skip!();
    let urls = product_urls(f, "Default");
    let dir = tempfile::tempdir().expect("temp dir");
    let parts = [
        (
            "admin-comp-items",
            "+*/item.c\n+*/stats.c",
            Some("items and stats"),
        ),
        ("admin-comp-notmain", "+*/src/*\n-*/main.c", None),
        ("admin-comp-header", "+*/inventory.h", None),
        ("admin-comp-empty", "", None),
    ];
    for (name, lines, description) in parts {
        let file = component_file(dir.path(), name, lines);
        let file = file.display().to_string();
        let mut args = vec!["cmd", "components", "add", name, "-i", file.as_str()];
        if let Some(d) = description {
            args.extend(["--description", d]);
        }
        let (ours, _) = same_text(&urls, &args);
        ours.assert_success();
    }
    let listed = same_json(
        &urls,
        &["cmd", "components", "list", "-o", "json"],
        named("admin-comp"),
    );
    assert_eq!(
        listed.as_array().map_or(0, Vec::len),
        parts.len(),
        "{listed}"
    );
    same_text(&urls, &["cmd", "components", "list"]);

    for name in [
        "admin-comp-items",
        "admin-comp-notmain",
        "admin-comp-header",
        "admin-comp-empty",
    ] {
        for extra in [
            &[][..],
            &["--anywhere-on-report-path"][..],
            &["--single-origin-report"][..],
        ] {
            let mut args = vec!["cmd", "results", "clang", "--component", name];
            args.extend(extra);
            args.extend(["-o", "json"]);
            let found = same_results(&urls, &args);
            if name == "admin-comp-empty" {
                assert_eq!(found, json!([]), "{args:?}");
            }
        }
    }
    same_results(
        &urls,
        &[
            "cmd",
            "results",
            "clang",
            "--component",
            "admin-comp-items",
            "admin-comp-header",
            "-o",
            "json",
        ],
    );
    same_results(
        &urls,
        &[
            "cmd",
            "results",
            "clang-v2",
            "--component",
            "Other (auto-generated)",
            "-o",
            "json",
        ],
    );

    // Unknown components, the virtual one, and removal.
    same_text(
        &urls,
        &[
            "cmd",
            "results",
            "clang",
            "--component",
            "admin-nosuch",
            "-o",
            "json",
        ],
    );
    same_text(&urls, &["cmd", "components", "del", "admin-nosuch"]);
    same_text(
        &urls,
        &["cmd", "components", "del", "Other (auto-generated)"],
    );
    let (ours, _) = same_text(&urls, &["cmd", "components", "del", "admin-comp-items"]);
    ours.assert_success();
    let listed = same_json(
        &urls,
        &["cmd", "components", "list", "-o", "json"],
        named("admin-comp"),
    );
    assert_eq!(listed.as_array().map_or(0, Vec::len), parts.len() - 1);

    let mut py = PyApi::new(Venv::Current);
    let api = service_urls(f, "Default");
    same_call(
        &mut py,
        &api,
        "removeSourceComponent",
        json!(["admin-nosuch"]),
    )
    .request_failed();
    same_call(
        &mut py,
        &api,
        "getSourceComponents",
        json!([["Other (auto-generated)"]]),
    );
    same_call(
        &mut py,
        &api,
        "getSourceComponents",
        json!([["ADMIN-COMP-h*"]]),
    );
    assert_eq!(
        same_call(&mut py, &api, "getSuppressFile", json!([])),
        Reply::Ok(json!(""))
    );
}

/// The id of the preset `name` on the server of `url`.
fn preset_id(url: &str, name: &str) -> String {
    let out = cc(url, &["cmd", "filter-preset", "list", "-o", "json"]);
    out.assert_success();
    out.json()
        .as_array()
        .and_then(|a| a.iter().find(|p| p["name"] == name))
        .map(|p| p["id"].to_string())
        .unwrap_or_else(|| panic!("no preset {name}: {}", out.stdout))
}

#[test]
fn filter_presets_alike() {
    let f = fixture_or_skip!();
    let urls = product_urls(f, "Default");
    let (ours, _) = same_text(
        &urls,
        &[
            "cmd",
            "filter-preset",
            "new",
            "--name",
            "admin-preset-core",
            "--checker-name",
            "core.*",
            "--severity",
            "high",
            "critical",
            "--detection-status",
            "new",
            "unresolved",
            "--file",
            "*.c",
        ],
    );
    ours.assert_success();
    same_text(
        &urls,
        &[
            "cmd",
            "filter-preset",
            "new",
            "--name",
            "admin-preset-plain",
        ],
    );
    // The name is taken.
    same_text(
        &urls,
        &["cmd", "filter-preset", "new", "--name", "admin-preset-core"],
    );
    same_json(
        &urls,
        &["cmd", "filter-preset", "list", "-o", "json"],
        named("admin-preset"),
    );
    same_results(
        &urls,
        &[
            "cmd",
            "results",
            "clang",
            "--filter-preset",
            "admin-preset-core",
            "-o",
            "json",
        ],
    );
    same_text(
        &urls,
        &[
            "cmd",
            "results",
            "clang",
            "--filter-preset",
            "admin-nosuch",
            "-o",
            "json",
        ],
    );
    same_text(
        &urls,
        &[
            "cmd",
            "results",
            "clang",
            "--filter-preset",
            "admin-preset-core",
            "--severity",
            "low",
        ],
    );

    // Rename (ids differ between the servers), to a taken name, and delete.
    let ids = (
        preset_id(&urls.0, "admin-preset-plain"),
        preset_id(&urls.1, "admin-preset-plain"),
    );
    let both = |args: &dyn Fn(&str) -> Vec<String>| {
        let a = cc(
            &urls.0,
            &args(&ids.0).iter().map(String::as_str).collect::<Vec<_>>(),
        );
        let b = cc(
            &urls.1,
            &args(&ids.1).iter().map(String::as_str).collect::<Vec<_>>(),
        );
        assert_eq!(
            (a.code, text(&a)),
            (b.code, text(&b)),
            "`{}` differs (left ours, right CodeChecker's)",
            a.command
        );
        a
    };
    let rename = |to: &'static str| {
        move |id: &str| -> Vec<String> {
            [
                "cmd",
                "filter-preset",
                "rename",
                "--preset-id",
                id,
                "--new-name",
                to,
            ]
            .map(str::to_owned)
            .to_vec()
        }
    };
    assert_ne!(
        both(&rename("admin-preset-core")).code,
        0,
        "a taken name is refused"
    );
    both(&rename("admin-preset-renamed")).assert_success();
    same_json(
        &urls,
        &["cmd", "filter-preset", "list", "-o", "json"],
        named("admin-preset"),
    );
    same_text(&urls, &["cmd", "filter-preset", "list"])
        .0
        .assert_success();
    let delete = |id: &str| -> Vec<String> {
        ["cmd", "filter-preset", "delete", "--id", id]
            .map(str::to_owned)
            .to_vec()
    };
    both(&delete).assert_success();
    assert_ne!(both(&delete).code, 0);
    same_json(
        &urls,
        &["cmd", "filter-preset", "list", "-o", "json"],
        named("admin-preset"),
    );

    let mut py = PyApi::new(Venv::Current);
    let api = service_urls(f, "Default");
    for (method, args) in [
        ("getFilterPreset", json!([987_654])),
        ("deleteFilterPreset", json!([987_654])),
        ("renameFilterPreset", json!([987_654, "admin-x"])),
        ("renameFilterPreset", json!([987_654, "   "])),
        ("renameFilterPreset", json!([0, "admin-x"])),
        (
            "storeFilterPreset",
            json!([{"id": -1, "name": " admin-preset-core ", "reportFilter": {}}]),
        ),
        (
            "storeFilterPreset",
            json!([{"id": 987_654, "name": "admin-x", "reportFilter": {}}]),
        ),
    ] {
        same_call(&mut py, &api, method, args).request_failed();
    }
}

/// `year:month:day:hour:minute:second` of now (local time, as the client
/// reads it), after a pause on each side so that stores fall clearly
/// before or after it.
fn instant_between_stores() -> String {
    std::thread::sleep(Duration::from_millis(1200));
    let t = chrono::Local::now().format("%Y:%m:%d:%H:%M:%S").to_string();
    std::thread::sleep(Duration::from_millis(1200));
    t
}

#[test]
fn runs_are_deleted_and_renamed_alike() {
    let f = fixture_or_skip!();
    let admin = (f.ours.cli_url(), f.theirs.cli_url());
    for url in [&admin.0, &admin.1] {
        cc(
            url,
            &[
                "cmd",
                "products",
                "add",
                "admin_del",
                "--sqlite",
                "admin_del.sqlite",
            ],
        )
        .assert_success();
    }
    let urls = product_urls(f, "admin_del");
    let store = |run: &str| {
        let dir = f.reports_v2.display().to_string();
        let _one_store = crate::fixture::store_guard();
        for url in [&urls.0, &urls.1] {
            let all = ["store", dir.as_str(), "-n", run, "--url", url.as_str()];
            codechecker(Venv::Current, &all, &[("CC_FORCE_SYNC_STORE", "yes")]).assert_success();
        }
    };
    let runs = |expect: &[&str]| {
        let listed = same_json(&urls, &["cmd", "runs", "-o", "json"], |_| true);
        let mut names: Vec<String> = listed
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|r| r.as_object()?.keys().next().cloned())
                    .collect()
            })
            .unwrap_or_default();
        names.sort();
        assert_eq!(names, expect, "{listed}");
    };

    store("admin-a");
    store("admin-b");
    let t1 = instant_between_stores();
    store("admin-c");
    store("admin-d");
    store("admin-e");
    runs(&["admin-a", "admin-b", "admin-c", "admin-d", "admin-e"]);

    same_text(&urls, &["cmd", "del", "--all-before-time", &t1])
        .0
        .assert_success();
    runs(&["admin-c", "admin-d", "admin-e"]);
    same_text(&urls, &["cmd", "del", "--all-before-run", "admin-d"])
        .0
        .assert_success();
    runs(&["admin-d", "admin-e"]);
    same_text(&urls, &["cmd", "del", "--all-after-run", "admin-d"])
        .0
        .assert_success();
    runs(&["admin-d"]);
    let t2 = instant_between_stores();
    store("admin-f");
    same_text(&urls, &["cmd", "del", "--all-after-time", &t2])
        .0
        .assert_success();
    runs(&["admin-d"]);
    same_text(&urls, &["cmd", "del", "-n", "admin-nosuch"])
        .0
        .assert_success();

    // Renaming: to a new name, to a taken one, an unknown run.
    store("admin-g");
    same_text(&urls, &["cmd", "update", "admin-d", "-n", "admin-renamed"])
        .0
        .assert_success();
    runs(&["admin-g", "admin-renamed"]);
    let (taken, _) = same_text(&urls, &["cmd", "update", "admin-renamed", "-n", "admin-g"]);
    assert_ne!(taken.code, 0);
    same_text(&urls, &["cmd", "update", "admin-nosuch", "-n", "admin-x"]);
    same_results(&urls, &["cmd", "results", "admin-renamed", "-o", "json"]);

    // Reports removed by a filter, then runs by id.
    let mut py = PyApi::new(Venv::Current);
    let api = service_urls(f, "admin_del");
    let run_id = |url: &str, py: &mut PyApi, name: &str| -> i64 {
        let runs = py
            .call(
                url,
                "CodeCheckerService",
                "getRunData",
                json!([{"names": [name], "exactMatch": true}, null, null, null]),
            )
            .ok();
        runs[0]["runId"].as_i64().expect("run id")
    };
    let ids = (
        run_id(&api.0, &mut py, "admin-g"),
        run_id(&api.1, &mut py, "admin-g"),
    );
    let filter = json!({"checkerName": ["core.*"]});
    let ours = py.call(
        &api.0,
        "CodeCheckerService",
        "removeRunReports",
        json!([[ids.0], filter, null]),
    );
    let theirs = py.call(
        &api.1,
        "CodeCheckerService",
        "removeRunReports",
        json!([[ids.1], filter, null]),
    );
    assert_eq!(ours, theirs);
    same_results(&urls, &["cmd", "results", "admin-g", "-o", "json"]);
    same_call(&mut py, &api, "updateRunData", json!([987_654, "admin-x"])).request_failed();
    same_call(
        &mut py,
        &api,
        "updateRunData",
        json!([ids.0.max(ids.1), ""]),
    )
    .request_failed();
    same_call(&mut py, &api, "removeRun", json!([987_654, null]));
    same_call(&mut py, &api, "removeRunResults", json!([[987_654]]));
    let ours = py.call(
        &api.0,
        "CodeCheckerService",
        "removeRunResults",
        json!([[ids.0]]),
    );
    let theirs = py.call(
        &api.1,
        "CodeCheckerService",
        "removeRunResults",
        json!([[ids.1]]),
    );
    assert_eq!(ours, theirs);
    runs(&["admin-renamed"]);
}

/// A report-hash filter of 10,000 hashes (beyond what one SQL statement may
/// bind on SQLite, one variable each) answers as on CodeChecker's server,
/// for the count, the page of results and a sidebar count.
#[test]
fn a_filter_of_ten_thousand_report_hashes_answers_alike() {
    let f = fixture_or_skip!();
    let api = service_urls(f, "Default");
    let mut py = PyApi::new(Venv::Current);
    let mut hashes: Vec<String> = (0..9_998_u32).map(|i| format!("{i:032x}")).collect();
    // Two real reports of the fixture among them.
    hashes.push("248bdf4cb45e60f3661ce8e9118c9a29".into());
    hashes.push("23647c0e006370fcc79dd7adf17f4624".into());
    let filter = json!({"reportHash": hashes});
    let count = same_call(
        &mut py,
        &api,
        "getRunResultCount",
        json!([null, filter.clone(), null]),
    );
    assert!(
        count.clone().ok().as_i64().is_some_and(|n| n >= 2),
        "{count:?}"
    );
    // Report ids differ between the servers: the pages are compared by hash.
    let args = json!([null, 100, 0, null, filter.clone(), null, false]);
    let page_hashes = |url: &str, py: &mut PyApi| {
        let reports = py
            .call(url, "CodeCheckerService", "getRunResults", args.clone())
            .ok();
        let mut found: Vec<String> = reports
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["bugHash"].as_str().map(str::to_owned))
            .collect();
        found.sort();
        found
    };
    let ours = page_hashes(&api.0, &mut py);
    assert!(ours.len() >= 2, "{ours:?}");
    assert_eq!(
        ours,
        page_hashes(&api.1, &mut py),
        "getRunResults (left ours)"
    );
    same_call(
        &mut py,
        &api,
        "getCheckerCounts",
        json!([null, filter, null, 100, 0]),
    );
}
