//! Shared helpers: fixture paths, CodeChecker's `Report.to_json()` shape,
//! and a field-by-field comparison with what CodeChecker's Python produced.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use ccreport::hash::{fill_missing_report_hashes, report_hash, source_line, HashType};
use ccreport::{
    parse_plist_partial, report_path_hash, trim_reports, BugPathEvent, File, FileRef, PathPrefixes,
    Range, Report, SourceFile, SourceReview,
};
use serde_json::{json, Map, Value};

/// `crates/report/tests/fixtures`.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Reads and parses a JSON file.
pub fn load_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON {}: {e}", path.display()))
}

fn file_json(f: &FileRef) -> Value {
    json!({"id": f.id(), "path": f.path, "original_path": f.original_path})
}

fn range_json(r: &Option<Range>) -> Value {
    match r {
        None => Value::Null,
        Some(r) => json!({
            "start_line": r.start_line, "start_col": r.start_col,
            "end_line": r.end_line, "end_col": r.end_col,
        }),
    }
}

fn event_json(e: &BugPathEvent) -> Value {
    json!({
        "file": file_json(&e.file), "line": e.line, "column": e.column,
        "message": e.message, "range": range_json(&e.range),
    })
}

/// CodeChecker's `Report.to_json()`.
pub fn report_json(r: &Report) -> Value {
    let annotations: Map<String, Value> = r
        .annotations
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), Value::String(v.clone())))
        .collect();
    json!({
        "analyzer_result_file_path": r.analyzer_result_file_path.as_deref(),
        "file": file_json(&r.file),
        "line": r.line,
        "column": r.column,
        "message": r.message,
        "checker_name": r.checker_name,
        "severity": r.severity,
        "report_hash": r.report_hash,
        "analyzer_name": r.analyzer_name,
        "category": r.category,
        "type": r.report_type,
        "review_status": r.review_status.status.as_str(),
        "bug_path_events": r.bug_path_events.iter().map(event_json).collect::<Vec<_>>(),
        "bug_path_positions": r.bug_path_positions.iter()
            .map(|p| json!({"range": range_json(&p.range), "file": file_json(&p.file)}))
            .collect::<Vec<_>>(),
        "notes": r.notes.iter().map(event_json).collect::<Vec<_>>(),
        "macro_expansions": r.macro_expansions.iter().map(|m| json!({
            "name": m.name, "file": file_json(&m.file), "line": m.line, "column": m.column,
            "message": m.message, "range": range_json(&m.range),
        })).collect::<Vec<_>>(),
        "annotations": annotations,
    })
}

/// Python's `str()` of a JSON scalar (annotation values are compared as
/// text).
fn py_str(v: &Value) -> Value {
    match v {
        Value::String(_) => v.clone(),
        Value::Bool(true) => Value::String("True".into()),
        Value::Bool(false) => Value::String("False".into()),
        other => Value::String(other.to_string()),
    }
}

/// Lists every differing leaf between `got` and `want`.
pub fn diff(prefix: &str, got: &Value, want: &Value, out: &mut Vec<String>) {
    match (got, want) {
        (Value::Object(g), Value::Object(w)) => {
            for (k, wv) in w {
                match g.get(k) {
                    Some(gv) => diff(&format!("{prefix}.{k}"), gv, wv, out),
                    None => out.push(format!("{prefix}.{k}: missing, want {wv}")),
                }
            }
            for k in g.keys().filter(|k| !w.contains_key(*k)) {
                out.push(format!("{prefix}.{k}: unexpected"));
            }
        }
        (Value::Array(g), Value::Array(w)) => {
            if g.len() != w.len() {
                out.push(format!("{prefix}: length {} != {}", g.len(), w.len()));
            }
            for (i, (gv, wv)) in g.iter().zip(w).enumerate() {
                diff(&format!("{prefix}[{i}]"), gv, wv, out);
            }
        }
        _ if got != want => out.push(format!("{prefix}: got {got}, want {want}")),
        _ => {}
    }
}

/// Where a report's source really is inside the fixture.
pub fn local_source(root: &Path, path: &str, fake_root: &str) -> PathBuf {
    if !fake_root.is_empty() {
        if let Some(rest) = path.strip_prefix(&format!("{fake_root}/")) {
            return root.join(rest);
        }
    }
    if Path::new(path).is_absolute() {
        PathBuf::from(path)
    } else {
        root.join(path)
    }
}

fn review_json(root: &Path, r: &Report, fake_root: &str) -> Value {
    let path = local_source(root, &r.file.original_path, fake_root);
    let Ok(bytes) = std::fs::read(&path) else {
        return json!({"kind": "no_file"});
    };
    match SourceFile::new(&bytes).review(r.line, &r.checker_name) {
        SourceReview::None => json!({"kind": "none"}),
        SourceReview::Ambiguous => json!({"kind": "ambiguous"}),
        SourceReview::Misspelled { line, comment } => json!({
            "kind": "misspelled",
            "message": format!("misspelled review status comment @{line}: {comment}"),
        }),
        SourceReview::Comment(c) => json!({
            "kind": "comment", "status": c.status.as_str(), "message": c.message,
            "checkers": c.checkers.iter().collect::<Vec<_>>(), "line": c.line,
        }),
    }
}

/// Totals of a comparison.
#[derive(Debug, Default)]
pub struct Compared {
    pub plists: usize,
    pub reports: usize,
    pub mismatches: Vec<String>,
}

/// Parses every plist `expected` lists (paths relative to `root`) and
/// compares with CodeChecker's results: the parse, the de-duplication hash
/// (plain and after trimming) and the in-source review decision.
pub fn compare_with_python(root: &Path, expected: &Value, fake_root: &str) -> Compared {
    let mut result = Compared::default();
    let trim: Vec<String> = expected["trim"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let prefixes = PathPrefixes::new(&trim).expect("trim prefixes");
    let plists = expected["plists"].as_object().expect("plists object");
    for (plist, want_reports) in plists {
        result.plists += 1;
        let bytes = std::fs::read(root.join(plist)).expect("plist readable");
        let parsed = parse_plist_partial(&bytes, Path::new(plist));
        let mut reports = parsed.reports;
        let mut get_line = |f: &File, line: i64| {
            std::fs::read(local_source(root, &f.original_path, fake_root))
                .map(|b| source_line(&b, line))
                .unwrap_or_default()
        };
        fill_missing_report_hashes(&mut reports, &mut get_line);
        let want_reports = want_reports.as_array().expect("report list");
        if reports.len() != want_reports.len() {
            result.mismatches.push(format!(
                "{plist}: {} reports, CodeChecker has {} (error: {:?})",
                reports.len(),
                want_reports.len(),
                parsed.error
            ));
            continue;
        }
        let mut trimmed = reports.clone();
        trim_reports(&mut trimmed, &prefixes);
        for (i, (r, want)) in reports.iter().zip(want_reports).enumerate() {
            result.reports += 1;
            let mut want = want.clone();
            let obj = want.as_object_mut().expect("report object");
            let want_hash = obj.remove("path_hash");
            let want_trimmed = obj.remove("path_hash_trimmed");
            let want_review = obj.remove("source_review");
            for (key, kind) in [
                ("hash_context_free", HashType::ContextFree),
                ("hash_diagnostic_message", HashType::DiagnosticMessage),
                ("hash_path_sensitive", HashType::PathSensitive),
            ] {
                let want = obj.remove(key);
                let got = report_hash(r, kind, &mut get_line);
                if want.as_ref().and_then(Value::as_str) != Some(got.as_str()) {
                    result
                        .mismatches
                        .push(format!("{plist}#{i}: {key} {got} != {want:?}"));
                }
            }
            if let Some(Value::Object(a)) = obj.get_mut("annotations") {
                for v in a.values_mut() {
                    *v = py_str(v);
                }
            }
            let at = format!("{plist}#{i}");
            diff(&at, &report_json(r), &want, &mut result.mismatches);
            if want_hash.as_ref().and_then(Value::as_str) != Some(report_path_hash(r).as_str()) {
                result.mismatches.push(format!("{at}: path hash differs"));
            }
            if let (Some(w), Some(t)) = (want_trimmed, trimmed.get(i)) {
                if w.as_str() != Some(report_path_hash(t).as_str()) {
                    result
                        .mismatches
                        .push(format!("{at}: trimmed path hash differs"));
                }
            }
            if let Some(w) = want_review {
                diff(
                    &format!("{at}.review"),
                    &review_json(root, r, fake_root),
                    &w,
                    &mut result.mismatches,
                );
            }
        }
    }
    result
}
