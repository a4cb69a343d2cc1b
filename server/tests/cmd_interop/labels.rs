//! Checker labels without any flag: our server (started with no
//! label flag) answers `getCheckerLabels` for every checker of
//! CodeChecker 6.29.1's label files as CodeChecker's server does, and stores
//! checkers of several analyzers (Clang Static Analyzer, clang-tidy,
//! cppcheck, GCC, Infer, and one no label file knows) with CodeChecker's
//! severities.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::fixture::Fixture;
use crate::fixture_or_skip;
use crate::support::python::{codechecker, PyApi, Venv};

/// The run the synthetic multi-analyzer report folder is stored as.
const RUN: &str = "labels-analyzers";

/// `(analyzer, checker, CodeChecker's severity)` of the synthetic reports.
const STORED: [(&str, &str, &str); 9] = [
    ("cppcheck", "cppcheck-nullPointer", "HIGH"),
    ("cppcheck", "cppcheck-arrayIndexThenCheck", "STYLE"),
    ("cppcheck", "cppcheck-not-a-real-check", "UNSPECIFIED"),
    ("gcc", "gcc-analyzer-deref-before-check", "MEDIUM"),
    ("infer", "infer-array-out-of-bounds-l2", "MEDIUM"),
    ("clang-tidy", "bugprone-use-after-move", "HIGH"),
    // No entry of its own: the labels of the prefix `clang-diagnostic`.
    (
        "clang-tidy",
        "clang-diagnostic-not-a-real-warning",
        "MEDIUM",
    ),
    ("clangsa", "core.DivideZero", "HIGH"),
    ("clangsa", "alpha.core.C11Lock", "HIGH"),
];

/// Thrift `Severity` value of a severity name.
fn severity_value(name: &str) -> i64 {
    match name {
        "STYLE" => 10,
        "LOW" => 20,
        "MEDIUM" => 30,
        "HIGH" => 40,
        "CRITICAL" => 50,
        _ => 0,
    }
}

/// A severity as `cmd results -o json` prints it (a number or a name).
fn severity_of(v: &Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| severity_value(v.as_str().unwrap_or_default()))
}

/// Every `(analyzer, checker)` of CodeChecker's label files in the venv.
fn published_checkers() -> Vec<(String, String)> {
    let folder = Venv::Current
        .root()
        .join("share/codechecker/config/labels/analyzers");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap_or_else(|e| panic!("{}: {e}", folder.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let data: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let analyzer = data["analyzer"].as_str().unwrap().to_owned();
        for checker in data["labels"].as_object().unwrap().keys() {
            out.push((analyzer.clone(), checker.clone()));
        }
    }
    out
}

/// `getCheckerLabels(checkers)` on both servers, each checker's labels
/// sorted (CodeChecker's order is that of a Python set).
fn labels_both(f: &Fixture, checkers: &Value) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
    let mut py = PyApi::new(Venv::Current);
    let mut call = |url: String| -> Vec<Vec<String>> {
        let reply = py
            .call(
                &format!("{url}/Default/v6.74/CodeCheckerService"),
                "CodeCheckerService",
                "getCheckerLabels",
                json!([checkers]),
            )
            .ok();
        let lists: Vec<Vec<String>> = serde_json::from_value(reply).unwrap();
        lists
            .into_iter()
            .map(|mut l| {
                l.sort();
                l
            })
            .collect()
    };
    (call(f.ours.url()), call(f.theirs.url()))
}

#[test]
fn checker_labels_of_every_published_checker_match_codechecker() {
    let f = fixture_or_skip!();
    let published = published_checkers();
    assert!(published.len() > 3000, "{} checkers", published.len());
    let mut checkers: Vec<Value> = published
        .iter()
        .map(|(a, c)| json!({"analyzerName": a, "checkerId": c}))
        .collect();
    // No analyzer (every analyzer's labels), CodeChecker's "unknown"
    // analyzer, an analyzer that does not have the checker, prefixes.
    for (analyzer, checker) in [
        (Value::Null, "core.NullDereference"),
        (json!(""), "bugprone-use-after-move"),
        (json!("UNKNOWN"), "cppcheck-nullPointer"),
        (json!("unknown"), "gcc-analyzer-deref-before-check"),
        (json!("clangsa"), "bugprone-use-after-move"),
        (json!("no-such-analyzer"), "core.NullDereference"),
        (json!("clang-tidy"), "clang-diagnostic-not-a-real-warning"),
        (Value::Null, "clang-diagnostic-not-a-real-warning"),
        (json!("cppcheck"), "cppcheck-not-a-real-check"),
        (Value::Null, "no-such-checker"),
    ] {
        checkers.push(json!({"analyzerName": analyzer, "checkerId": checker}));
    }
    let (ours, theirs) = labels_both(f, &Value::Array(checkers.clone()));
    assert_eq!(ours.len(), checkers.len());
    assert_eq!(theirs.len(), checkers.len());
    let differ: Vec<_> = checkers
        .iter()
        .zip(ours.iter().zip(&theirs))
        .filter(|(_, (a, b))| a != b)
        .take(5)
        .map(|(c, (a, b))| format!("{c}:\n  ours   {a:?}\n  theirs {b:?}"))
        .collect();
    assert!(
        differ.is_empty(),
        "getCheckerLabels differs (first ones):\n{}",
        differ.join("\n")
    );
    let with_severity = ours
        .iter()
        .filter(|l| l.iter().any(|s| s.starts_with("severity:")))
        .count();
    assert!(
        with_severity > 2500,
        "only {with_severity} checkers have a severity"
    );
}

/// Writes a report folder with one plist per analyzer of [`STORED`], one
/// report per checker, on `src/main.c` under `dir`.
fn write_reports(dir: &Path) -> std::path::PathBuf {
    let src = dir.join("src");
    let out = dir.join("reports");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::create_dir_all(&out).unwrap();
    let source = src.join("main.c");
    let lines: String = (1..=20)
        .map(|i| format!("int f{i}(int *p) {{ return *p + {i}; }}\n"))
        .collect();
    std::fs::write(&source, lines).unwrap();
    let mut by_analyzer: BTreeMap<&str, Vec<(usize, &str)>> = BTreeMap::new();
    for (i, (analyzer, checker, _)) in STORED.iter().enumerate() {
        by_analyzer
            .entry(analyzer)
            .or_default()
            .push((i + 1, checker));
    }
    for (analyzer, reports) in by_analyzer {
        let diagnostics: String = reports
            .iter()
            .map(|(line, checker)| diagnostic(*line, checker))
            .collect();
        let plist = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
 <key>diagnostics</key>
 <array>
{diagnostics} </array>
 <key>files</key>
 <array><string>{file}</string></array>
 <key>metadata</key>
 <dict>
  <key>analyzer</key><dict><key>name</key><string>{analyzer}</string></dict>
  <key>generated_by</key><dict><key>name</key><string>{analyzer}</string><key>version</key><string>1.0</string></dict>
 </dict>
</dict>
</plist>
"#,
            file = source.display()
        );
        std::fs::write(out.join(format!("main.c_{analyzer}.plist")), plist).unwrap();
    }
    out
}

/// One plist diagnostic of `checker` at `line`.
fn diagnostic(line: usize, checker: &str) -> String {
    let loc = format!(
        "<dict><key>line</key><integer>{line}</integer><key>col</key><integer>5</integer>\
         <key>file</key><integer>0</integer></dict>"
    );
    format!(
        "  <dict>
   <key>category</key><string>unknown</string>
   <key>check_name</key><string>{checker}</string>
   <key>description</key><string>{checker} finding</string>
   <key>issue_hash_content_of_line_in_context</key><string>labels{line:026}</string>
   <key>location</key>{loc}
   <key>path</key><array><dict><key>kind</key><string>event</string><key>location</key>{loc}\
<key>depth</key><integer>0</integer><key>message</key><string>{checker} finding</string>\
<key>extended_message</key><string>{checker} finding</string></dict></array>
   <key>type</key><string>{checker}</string>
  </dict>
"
    )
}

/// `(analyzer, checker) → severity` of `run`'s reports on the server at `url`.
fn severities(url: &str, run: &str) -> BTreeMap<(String, String), i64> {
    let out = codechecker(
        Venv::Current,
        &["cmd", "results", run, "-o", "json", "--url", url],
        &[],
    );
    out.assert_success();
    out.json()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["analyzerName"].as_str().unwrap_or_default().to_owned(),
                    r["checkerId"].as_str().unwrap_or_default().to_owned(),
                ),
                severity_of(&r["severity"]),
            )
        })
        .collect()
}

#[test]
fn stored_severities_of_several_analyzers_match_codechecker() {
    let f = fixture_or_skip!();
    let dir = tempfile::Builder::new()
        .prefix("labels-analyzers-")
        .tempdir()
        .unwrap();
    let reports = write_reports(dir.path());
    f.store_both(&reports, RUN, &[]);
    let ours = severities(&f.ours_url(), RUN);
    let theirs = severities(&f.theirs_url(), RUN);
    assert_eq!(ours, theirs, "left ours, right CodeChecker's");
    for (analyzer, checker, severity) in STORED {
        assert_eq!(
            ours.get(&(analyzer.to_owned(), checker.to_owned())),
            Some(&severity_value(severity)),
            "{analyzer}/{checker}: {ours:?}"
        );
    }
}

#[test]
fn stored_severities_of_the_clang_analysis_match_codechecker() {
    let f = fixture_or_skip!();
    for run in ["clang-v1", "clang-v2"] {
        let ours = severities(&f.ours_url(), run);
        let theirs = severities(&f.theirs_url(), run);
        assert_eq!(ours, theirs, "{run}: left ours, right CodeChecker's");
        let analyzers: std::collections::BTreeSet<&str> =
            ours.keys().map(|(a, _)| a.as_str()).collect();
        assert!(
            analyzers.contains("clangsa") && analyzers.contains("clang-tidy"),
            "{run}: {ours:?}"
        );
        assert!(
            ours.values().all(|&s| s != 0),
            "{run}: a checker without severity: {ours:?}"
        );
    }
}
