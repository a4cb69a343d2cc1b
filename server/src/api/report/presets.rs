//! Filter presets (`CodeChecker cmd filter-preset`): `storeFilterPreset`,
//! `renameFilterPreset`, `deleteFilterPreset`, `getFilterPreset`,
//! `listFilterPreset`, with CodeChecker 6.29.1's answers and errors.
//!
//! A preset's filter is kept as CodeChecker keeps it: the JSON of the
//! Thrift struct with unset fields left out; reading it back rebuilds the
//! struct as CodeChecker does (an empty range or date is unset, the
//! annotation list is always set).

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;
use serde_json::{Map, Value};

use super::ReportHandler;
use crate::api::errors::{database, missing_argument, request_failed};

/// CodeChecker's Python `repr` of a `RequestFailed` with `message`, as its
/// wrapped preset errors show it.
fn wrapped_request_failed(prefix: &str, message: &str) -> thrift::Error {
    request_failed(
        ErrorCode::DATABASE,
        format!(
            "{prefix}RequestFailed(errorCode=0, message={}, extraInfo=None)",
            py_repr(message)
        ),
    )
}

/// Python's `repr` of a string (quotes chosen as Python chooses them).
pub fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

const STORE_FAILED: &str = "CodeChecker could not store the filter preset: ";
const RENAME_FAILED: &str = "CodeChecker could not rename filter preset: ";

fn not_found(id: Option<i64>) -> String {
    match id {
        Some(id) => format!("No filter preset found with id {id}!"),
        None => "No filter preset found with id None!".to_owned(),
    }
}

fn name_taken(name: &str) -> String {
    format!("A filter preset with name '{name}' already exists!")
}

impl ReportHandler<'_> {
    pub(super) fn store_filter_preset(
        &self,
        preset: Option<api::FilterPreset>,
    ) -> thrift::Result<i64> {
        let preset = preset.ok_or_else(|| missing_argument("filterpreset"))?;
        let Some(name) = preset.name.as_deref().map(str::trim) else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                format!("{STORE_FAILED}'NoneType' object has no attribute 'strip'"),
            ));
        };
        let filter = preset
            .report_filter
            .as_ref()
            .map(filter_to_json)
            .unwrap_or_else(|| Value::Object(Map::new()))
            .to_string();
        let id = match preset.id {
            Some(-1) => None,
            Some(id) => Some(id),
            None => return Err(wrapped_request_failed(STORE_FAILED, &not_found(None))),
        };
        match self.db()?.store_filter_preset(id, name, &filter) {
            Ok(id) => Ok(id),
            Err(productdb::Error::Duplicate { .. }) => {
                Err(wrapped_request_failed(STORE_FAILED, &name_taken(name)))
            }
            Err(productdb::Error::NotFound { .. }) => {
                Err(wrapped_request_failed(STORE_FAILED, &not_found(id)))
            }
            Err(e) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("{STORE_FAILED}{e}"),
            )),
        }
    }

    pub(super) fn rename_filter_preset(
        &self,
        id: Option<i64>,
        name: Option<String>,
    ) -> thrift::Result<i64> {
        let Some(name) = name.as_deref().map(str::trim) else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                format!("{RENAME_FAILED}'NoneType' object has no attribute 'strip'"),
            ));
        };
        if name.is_empty() {
            return Err(wrapped_request_failed(
                RENAME_FAILED,
                "Preset name cannot be empty!",
            ));
        }
        let Some(id) = id.filter(|i| *i != 0) else {
            return Err(wrapped_request_failed(
                RENAME_FAILED,
                "Preset ID cannot be empty!",
            ));
        };
        match self.db()?.rename_filter_preset(id, name) {
            Ok(id) => Ok(id),
            Err(productdb::Error::Duplicate { .. }) => {
                Err(wrapped_request_failed(RENAME_FAILED, &name_taken(name)))
            }
            Err(productdb::Error::NotFound { .. }) => {
                Err(wrapped_request_failed(RENAME_FAILED, &not_found(Some(id))))
            }
            Err(e) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("{RENAME_FAILED}{e}"),
            )),
        }
    }

    pub(super) fn delete_filter_preset(&self, id: Option<i64>) -> thrift::Result<i64> {
        let Some(id) = id else {
            return Err(request_failed(ErrorCode::DATABASE, not_found(None)));
        };
        match self.db()?.delete_filter_preset(id) {
            Ok(()) => Ok(id),
            Err(productdb::Error::NotFound { .. }) => {
                Err(request_failed(ErrorCode::DATABASE, not_found(Some(id))))
            }
            Err(e) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("Could not delete filter preset with id {id}: {e}"),
            )),
        }
    }

    pub(super) fn filter_preset(&self, id: Option<i64>) -> thrift::Result<api::FilterPreset> {
        let found = match id {
            Some(id) => self.db()?.filter_preset(id).map_err(database)?,
            None => None,
        };
        let preset = found.ok_or_else(|| request_failed(ErrorCode::DATABASE, not_found(id)))?;
        preset_to_api(preset)
    }

    pub(super) fn filter_presets(&self) -> thrift::Result<Vec<api::FilterPreset>> {
        self.db()?
            .filter_presets()
            .map_err(database)?
            .into_iter()
            .map(preset_to_api)
            .collect()
    }
}

fn preset_to_api(p: productdb::FilterPreset) -> thrift::Result<api::FilterPreset> {
    let value: Value = serde_json::from_str(&p.report_filter).map_err(database)?;
    Ok(api::FilterPreset {
        id: Some(p.id),
        name: Some(p.name),
        report_filter: Some(filter_from_json(&value)),
    })
}

fn put<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, v: Option<T>) {
    if let Some(v) = v {
        map.insert(key.to_owned(), v.into());
    }
}

fn interval_json(i: &api::DateInterval) -> Value {
    let mut m = Map::new();
    put(&mut m, "before", i.before);
    put(&mut m, "after", i.after);
    Value::Object(m)
}

/// The numbers of a list of Thrift enum values.
fn codes<T>(v: &Option<Vec<T>>, code: fn(&T) -> i32) -> Option<Vec<i32>> {
    v.as_ref().map(|v| v.iter().map(code).collect())
}

/// CodeChecker's `thrift_to_json` of a report filter: unset fields left out.
pub fn filter_to_json(f: &api::ReportFilter) -> Value {
    let mut m = Map::new();
    put(&mut m, "filepath", f.filepath.clone());
    put(&mut m, "checkerMsg", f.checker_msg.clone());
    put(&mut m, "checkerName", f.checker_name.clone());
    put(&mut m, "reportHash", f.report_hash.clone());
    put(&mut m, "severity", codes(&f.severity, |s| s.0));
    put(&mut m, "reviewStatus", codes(&f.review_status, |s| s.0));
    put(
        &mut m,
        "detectionStatus",
        codes(&f.detection_status, |s| s.0),
    );
    put(&mut m, "runHistoryTag", f.run_history_tag.clone());
    put(&mut m, "firstDetectionDate", f.first_detection_date);
    put(&mut m, "fixDate", f.fix_date);
    put(&mut m, "isUnique", f.is_unique);
    put(&mut m, "runName", f.run_name.clone());
    put(&mut m, "runTag", f.run_tag.clone());
    put(&mut m, "componentNames", f.component_names.clone());
    if let Some(r) = &f.bug_path_length {
        let mut b = Map::new();
        put(&mut b, "min", r.min);
        put(&mut b, "max", r.max);
        m.insert("bugPathLength".into(), Value::Object(b));
    }
    if let Some(d) = &f.date {
        let mut o = Map::new();
        put(&mut o, "detected", d.detected.as_ref().map(interval_json));
        put(&mut o, "fixed", d.fixed.as_ref().map(interval_json));
        m.insert("date".into(), Value::Object(o));
    }
    put(&mut m, "analyzerNames", f.analyzer_names.clone());
    put(&mut m, "openReportsDate", f.open_reports_date);
    put(&mut m, "cleanupPlanNames", f.cleanup_plan_names.clone());
    put(&mut m, "fileMatchesAnyPoint", f.file_matches_any_point);
    put(
        &mut m,
        "componentMatchesAnyPoint",
        f.component_matches_any_point,
    );
    if let Some(a) = &f.annotations {
        let pairs: Vec<Value> = a
            .iter()
            .map(|p| {
                let mut o = Map::new();
                put(&mut o, "first", p.first.clone());
                put(&mut o, "second", p.second.clone());
                Value::Object(o)
            })
            .collect();
        m.insert("annotations".into(), Value::Array(pairs));
    }
    put(&mut m, "reportStatus", codes(&f.report_status, |s| s.0));
    put(
        &mut m,
        "fullReportPathInComponent",
        f.full_report_path_in_component,
    );
    Value::Object(m)
}

/// Python's truth of a JSON value.
fn truthy(v: Option<&Value>) -> Option<&Value> {
    v.filter(|v| match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    })
}

fn strings(v: &Value, key: &str) -> Option<Vec<String>> {
    v.get(key)?.as_array().map(|a| {
        a.iter()
            .map(|s| s.as_str().map_or_else(|| s.to_string(), str::to_owned))
            .collect()
    })
}

fn ints(v: &Value, key: &str) -> Option<Vec<i64>> {
    v.get(key)?
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
}

fn enums(v: &Value, key: &str) -> Option<Vec<i32>> {
    ints(v, key).map(|v| {
        v.into_iter()
            .filter_map(|i| i32::try_from(i).ok())
            .collect()
    })
}

fn interval(v: Option<&Value>) -> Option<api::DateInterval> {
    let v = truthy(v)?;
    Some(api::DateInterval {
        before: v.get("before").and_then(Value::as_i64),
        after: v.get("after").and_then(Value::as_i64),
    })
}

/// CodeChecker's `transform_rf_db_to_thrift`.
pub fn filter_from_json(v: &Value) -> api::ReportFilter {
    let int = |key: &str| v.get(key).and_then(Value::as_i64);
    let flag = |key: &str| v.get(key).and_then(Value::as_bool);
    api::ReportFilter {
        filepath: strings(v, "filepath"),
        checker_msg: strings(v, "checkerMsg"),
        checker_name: strings(v, "checkerName"),
        report_hash: strings(v, "reportHash"),
        severity: enums(v, "severity").map(|e| e.into_iter().map(api::Severity).collect()),
        review_status: enums(v, "reviewStatus")
            .map(|e| e.into_iter().map(api::ReviewStatus).collect()),
        detection_status: enums(v, "detectionStatus")
            .map(|e| e.into_iter().map(api::DetectionStatus).collect()),
        run_history_tag: strings(v, "runHistoryTag"),
        first_detection_date: int("firstDetectionDate"),
        fix_date: int("fixDate"),
        is_unique: flag("isUnique"),
        run_name: strings(v, "runName"),
        run_tag: ints(v, "runTag"),
        component_names: strings(v, "componentNames"),
        bug_path_length: truthy(v.get("bugPathLength")).map(|b| api::BugPathLengthRange {
            min: b.get("min").and_then(Value::as_i64),
            max: b.get("max").and_then(Value::as_i64),
        }),
        date: truthy(v.get("date")).map(|d| api::ReportDate {
            detected: interval(d.get("detected")),
            fixed: interval(d.get("fixed")),
        }),
        analyzer_names: strings(v, "analyzerNames"),
        open_reports_date: int("openReportsDate"),
        cleanup_plan_names: strings(v, "cleanupPlanNames"),
        file_matches_any_point: flag("fileMatchesAnyPoint"),
        component_matches_any_point: flag("componentMatchesAnyPoint"),
        annotations: Some(
            v.get("annotations")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .map(|p| api::Pair {
                            first: p.get("first").and_then(Value::as_str).map(str::to_owned),
                            second: p.get("second").and_then(Value::as_str).map(str::to_owned),
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        report_status: enums(v, "reportStatus")
            .map(|e| e.into_iter().map(api::ReportStatus).collect()),
        full_report_path_in_component: flag("fullReportPathInComponent"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_reprs() {
        assert_eq!(py_repr("a"), "'a'");
        assert_eq!(py_repr("it's"), "\"it's\"");
        assert_eq!(py_repr("'\""), "'\\'\"'");
    }

    #[test]
    fn filters_round_trip_as_codechecker_reads_them() {
        let f = api::ReportFilter {
            checker_name: Some(vec!["core.*".into()]),
            severity: Some(vec![api::Severity(40)]),
            is_unique: Some(false),
            bug_path_length: Some(api::BugPathLengthRange {
                min: None,
                max: None,
            }),
            ..Default::default()
        };
        let back = filter_from_json(&filter_to_json(&f));
        assert_eq!(back.checker_name, f.checker_name);
        assert_eq!(back.severity, f.severity);
        assert_eq!(back.is_unique, Some(false));
        assert_eq!(back.bug_path_length, None);
        assert_eq!(back.annotations, Some(vec![]));
        assert_eq!(back.filepath, None);
    }
}
