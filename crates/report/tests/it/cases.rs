//! In-source review comments, `skip_file`, `review_status.yaml` and
//! `metadata.json` compared with CodeChecker's own Python on the cases in
//! `fixtures/cases.json` (expected results in `cases.expected.json`).

use crate::common;

use std::collections::BTreeSet;

use ccreport::{
    has_review_comment, Metadata, ReviewStatusConfig, SkipList, SourceFile, SourceReview,
};
use common::{diff, fixtures, load_json};
use serde_json::{json, Value};

fn cases() -> (Value, Value) {
    (
        load_json(&fixtures().join("cases.json")),
        load_json(&fixtures().join("cases.expected.json")),
    )
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn review_comments_match_codechecker() {
    let (cases, expected) = cases();
    let mut mismatches = Vec::new();
    let mut count = 0;
    for case in cases["comments"].as_array().expect("comments") {
        let name = case["name"].as_str().expect("name");
        let bytes = match case["source_hex"].as_str() {
            Some(h) => hex(h),
            None => case["source"].as_str().expect("source").as_bytes().to_vec(),
        };
        let line = case["line"].as_i64().expect("line");
        let checker = case["checker"].as_str().expect("checker");
        let lines: Vec<i64> = match case["lines"].as_array() {
            Some(l) => l.iter().filter_map(Value::as_i64).collect(),
            None => vec![line],
        };
        let src = SourceFile::new(&bytes);
        let mut got = match src.review(line, checker) {
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
        };
        got["client_upload"] = json!(src.client_must_upload(&lines));
        got["has_marker"] = json!(has_review_comment(&bytes));
        assert_eq!(
            src.has_review_comment(),
            has_review_comment(&bytes),
            "{name}"
        );
        diff(name, &got, &expected["comments"][name], &mut mismatches);
        count += 1;
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
    assert!(count >= 40);
}

#[test]
fn skip_files_match_codechecker() {
    let (cases, expected) = cases();
    let mut mismatches = Vec::new();
    for case in cases["skip"].as_array().expect("skip") {
        let name = case["name"].as_str().expect("name");
        let list = SkipList::parse(case["content"].as_str().expect("content")).expect("parses");
        for path in case["paths"].as_array().expect("paths") {
            let path = path.as_str().expect("path");
            let want = expected["skip"][name][path].as_bool();
            if want != Some(list.should_skip(path)) {
                mismatches.push(format!("{name}: {path:?}: want {want:?}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

#[test]
fn review_status_yaml_matches_codechecker() {
    let (cases, expected) = cases();
    let mut mismatches = Vec::new();
    for case in cases["review_yaml"].as_array().expect("review_yaml") {
        let name = case["name"].as_str().expect("name");
        let want = &expected["review_yaml"][name];
        let parsed =
            ReviewStatusConfig::parse(case["yaml"].as_str().expect("yaml"), "review_status.yaml");
        let config = match (parsed, want.get("error")) {
            (Ok(c), None) => c,
            (Err(e), Some(w)) => {
                // Messages quoting the rule differ in how the rule is
                // rendered; the others are CodeChecker's text.
                let w = w.as_str().unwrap_or_default();
                if !w.contains('\n') && !w.contains('{') && e.to_string() != w {
                    mismatches.push(format!("{name}: message {e} != {w}"));
                }
                continue;
            }
            (got, _) => {
                mismatches.push(format!("{name}: got {got:?}, want {want}"));
                continue;
            }
        };
        let results = want["results"].as_array().expect("results");
        for (report, want) in case["reports"]
            .as_array()
            .expect("reports")
            .iter()
            .zip(results)
        {
            let got = config
                .review_status(
                    report["path"].as_str().unwrap_or_default(),
                    report["checker"].as_str().unwrap_or_default(),
                    report["hash"].as_str(),
                )
                .map(|s| {
                    json!({
                        "status": s.status.as_str(), "message": s.message,
                        "bug_hash": s.bug_hash, "in_source": s.in_source,
                    })
                })
                .unwrap_or(Value::Null);
            diff(&format!("{name}:{report}"), &got, want, &mut mismatches);
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}

fn joined_set(v: Option<&str>) -> Option<BTreeSet<String>> {
    v.map(|s| s.split("; ").map(str::to_owned).collect())
}

#[test]
fn metadata_matches_codechecker() {
    let (cases, expected) = cases();
    let mut mismatches = Vec::new();
    for case in cases["metadata"].as_array().expect("metadata") {
        let name = case["name"].as_str().expect("name");
        let want = &expected["metadata"][name];
        let text = case["text"].as_str().expect("text");
        let md = Metadata::parse(text.as_bytes()).expect("parses");
        let info = md.info();
        let mut commands = info.check_commands.clone();
        commands.sort();
        let checkers: serde_json::Map<String, Value> = info
            .checkers
            .iter()
            .map(|(a, cs)| {
                let m: serde_json::Map<String, Value> =
                    cs.iter().map(|(c, e)| (c.to_owned(), json!(e))).collect();
                (a.to_owned(), Value::Object(m))
            })
            .collect();
        let stats: serde_json::Map<String, Value> = info
            .analyzer_statistics
            .iter()
            .map(|(a, s)| {
                let mut o = json!({
                    "failed": s.failed, "failed_sources": s.failed_sources,
                    "successful": s.successful, "version": s.version,
                });
                if let Some(ss) = &s.successful_sources {
                    let mut ss = ss.clone();
                    ss.sort();
                    o["successful_sources"] = json!(ss);
                }
                if let Some(fs) = o["failed_sources"].as_array_mut() {
                    fs.sort_by_key(|v| v.to_string());
                }
                (a.to_owned(), o)
            })
            .collect();
        let got = json!({
            "check_commands": commands,
            "check_durations": info.check_durations,
            "checkers": checkers,
            "enabled_checkers": info.enabled_checkers,
            "disabled_checkers": info.disabled_checkers,
            "checker_to_analyzer": info.checker_to_analyzer.iter()
                .map(|(c, a)| (c.to_owned(), json!(a))).collect::<serde_json::Map<_, _>>(),
            "analyzers": info.analyzers,
            "analyzer_statistics": stats,
        });
        let mut want_rest = want.clone();
        let want_obj = want_rest.as_object_mut().expect("object");
        let want_cc = want_obj.remove("cc_version");
        let want_tool = want_obj.remove("client_v2_tool");
        // CodeChecker keeps the raw flag values; compare their truthiness.
        for flags in want_obj
            .get_mut("checkers")
            .and_then(Value::as_object_mut)
            .into_iter()
            .flatten()
        {
            for v in flags
                .1
                .as_object_mut()
                .into_iter()
                .flat_map(|m| m.values_mut())
            {
                *v = json!(!matches!(v, Value::Null | Value::Bool(false)) && *v != json!(0));
            }
        }
        // Statistics from version 1 files are passed through untouched by
        // CodeChecker (no successful_sources key etc.); compare the keys
        // CodeChecker has.
        if let (Some(Value::Object(ws)), Some(Value::Object(gs))) = (
            want_obj.get("analyzer_statistics").cloned(),
            got.get("analyzer_statistics"),
        ) {
            for (a, w) in &ws {
                for (k, wv) in w.as_object().into_iter().flatten() {
                    let gv = &gs[a][k];
                    if gv != wv {
                        mismatches
                            .push(format!("{name}.analyzer_statistics.{a}.{k}: {gv} != {wv}"));
                    }
                }
            }
            if ws.len() != gs.len() {
                mismatches.push(format!("{name}: statistics for {:?}", gs.keys()));
            }
            want_obj.remove("analyzer_statistics");
        }
        let mut got = got;
        if let Some(o) = got.as_object_mut() {
            o.remove("analyzer_statistics");
        }
        diff(name, &got, &want_rest, &mut mismatches);
        if joined_set(want_cc.as_ref().and_then(Value::as_str))
            != joined_set(info.cc_version.as_deref())
        {
            mismatches.push(format!(
                "{name}: cc_version {:?} != {want_cc:?}",
                info.cc_version
            ));
        }
        if let Some(tool) = want_tool {
            let t = md.tools.first().expect("one tool");
            diff(
                &format!("{name}.tool"),
                &json!({"name": t.name, "version": t.version, "command": t.command}),
                &tool,
                &mut mismatches,
            );
        }
    }
    assert!(mismatches.is_empty(), "{mismatches:#?}");
}
