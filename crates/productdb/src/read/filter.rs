//! Report and name filters translated to SQL conditions, as CodeChecker's
//! server applies them.

use super::component_filter::component_sql;
use crate::error::{Error, Result};
use crate::model::{Compare, ReportFilter, ReportStatus};
use crate::sql::{like_pattern, Sql};
use crate::time::secs_to_micros;

/// `column ILIKE pattern ESCAPE '\'` where only `*` is a wildcard
/// (CodeChecker's `conv(escape_like(value))`, used for run names and tags).
pub(super) fn escaped_like(sql: &mut Sql, column: &str, value: &str) {
    let mut escaped = String::with_capacity(value.len());
    for ch in value.chars() {
        if matches!(ch, '\\' | '%' | '_') {
            escaped.push('\\');
        }
        escaped.push(ch);
    }
    let op = sql.ilike();
    sql.push(column)
        .push(op)
        .bind(like_pattern(&escaped))
        .push(" ESCAPE '\\'");
}

/// ` AND (column ILIKE p1 OR …)` with CodeChecker's `conv` patterns (`*`
/// becomes `%`; `%` and `_` keep their SQL meaning).
fn like_any(sql: &mut Sql, column: &str, values: &[String]) {
    let op = sql.ilike();
    sql.push(" AND (");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(column).push(op).bind(like_pattern(v));
    }
    sql.push(")");
}

/// Review statuses of an open ("outstanding") report.
const OUTSTANDING: &str = "(r.review_status IN (0, 1) AND r.detection_status IN (0, 2, 3))";

/// Appends the conditions selecting the reports of `run_ids` that match `f`
/// and, with `compare`, the comparison's side of them (on the aliases of
/// [`report_filter_sql`]). Every report query goes through here.
pub(super) fn report_scope_sql(
    sql: &mut Sql,
    run_ids: Option<&[i64]>,
    f: &ReportFilter,
    compare: Option<&Compare>,
) -> Result<()> {
    report_filter_sql(sql, run_ids, f);
    if compare.is_some() {
        return Err(Error::InvalidInput(
            "comparing runs (CompareData) is not supported yet".into(),
        ));
    }
    Ok(())
}

/// Appends the conditions of `f` (and the run restriction) on the `reports`
/// alias `r`, the `checkers` alias `c` and the `files` alias `f`.
pub(super) fn report_filter_sql(sql: &mut Sql, run_ids: Option<&[i64]>, f: &ReportFilter) {
    if let Some(ids) = run_ids.filter(|v| !v.is_empty()) {
        sql.push(" AND r.run_id IN ").bind_list(ids.iter().copied());
    }
    if let Some(tags) = f.run_tags.as_ref().filter(|v| !v.is_empty()) {
        sql.push(
            " AND EXISTS (SELECT 1 FROM run_histories th WHERE th.run_id = r.run_id AND th.id IN ",
        )
        .bind_list(tags.iter().copied())
        .push(
            " AND r.detected_at_us <= th.time_us AND (r.fixed_at_us IS NULL OR r.fixed_at_us > th.time_us))",
        );
    }
    if let Some(date) = f.open_reports_date.filter(|d| *d != 0) {
        let us = secs_to_micros(date);
        sql.push(" AND r.detected_at_us <= ")
            .bind(us)
            .push(" AND (r.fixed_at_us IS NULL OR r.fixed_at_us > ")
            .bind(us)
            .push(")");
    }
    if matches!(&f.report_hashes, Some(v) if v.is_empty()) {
        sql.push(" AND 1 = 0");
        return;
    }
    if let Some(paths) = f.file_paths.as_ref().filter(|v| !v.is_empty()) {
        if f.file_matches_any_point {
            let op = sql.ilike();
            sql.push(" AND (r.id IN (SELECT pf.report_id FROM report_path_data_files pf JOIN files pff ON pff.id = pf.file_id WHERE ");
            for (i, p) in paths.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push("pff.filepath").push(op).bind(like_pattern(p));
            }
            sql.push(")");
            for p in paths {
                sql.push(" OR f.filepath").push(op).bind(like_pattern(p));
            }
            sql.push(")");
        } else {
            like_any(sql, "f.filepath", paths);
        }
    }
    if let Some(v) = f.checker_msgs.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, "r.checker_message", v);
    }
    if let Some(v) = f.analyzer_names.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, "c.analyzer_name", v);
    }
    if let Some(v) = f.checker_names.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, "c.checker_name", v);
    }
    if let Some(v) = f.severities.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND c.severity IN ")
            .bind_list(v.iter().map(|s| i64::from(s.to_thrift())));
    }
    if let Some(v) = f.run_names.as_ref().filter(|v| !v.is_empty()) {
        let op = sql.ilike();
        sql.push(" AND r.run_id IN (SELECT rn.id FROM runs rn WHERE ");
        for (i, n) in v.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("rn.name").push(op).bind(like_pattern(n));
        }
        sql.push(")");
    }
    if let Some(v) = f.report_hashes.as_ref() {
        let (wild, exact): (Vec<&String>, Vec<&String>) = v.iter().partition(|h| h.contains('*'));
        let op = sql.ilike();
        sql.push(" AND (");
        let mut first = true;
        for h in wild {
            if !first {
                sql.push(" OR ");
            }
            first = false;
            sql.push("r.bug_id").push(op).bind(like_pattern(h));
        }
        if !exact.is_empty() {
            if !first {
                sql.push(" OR ");
            }
            sql.push("r.bug_id IN ").bind_list(exact);
        }
        sql.push(")");
    }
    if let Some(v) = f.report_statuses.as_ref().filter(|v| !v.is_empty()) {
        let open = v.contains(&ReportStatus::Outstanding);
        let closed = v.contains(&ReportStatus::Closed);
        match (open, closed) {
            (true, false) => {
                sql.push(" AND ").push(OUTSTANDING);
            }
            (false, true) => {
                sql.push(" AND NOT ").push(OUTSTANDING);
            }
            _ => {}
        }
    }
    if let Some(v) = f.detection_statuses.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND r.detection_status IN ")
            .bind_list(v.iter().map(|s| i64::from(s.to_thrift())));
    }
    if let Some(v) = f.review_statuses.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND r.review_status IN ").bind_list(
            v.iter()
                .map(|s| i64::from(crate::model::review_status_to_thrift(*s))),
        );
    }
    if let Some(t) = f.first_detection_date {
        sql.push(" AND r.detected_at_us >= ")
            .bind(secs_to_micros(t));
    }
    if let Some(t) = f.fix_date {
        sql.push(" AND r.detected_at_us < ").bind(secs_to_micros(t));
    }
    if let Some(w) = &f.detected {
        if let Some(b) = w.before.filter(|t| *t != 0) {
            sql.push(" AND r.detected_at_us <= ")
                .bind(secs_to_micros(b));
        }
        if let Some(a) = w.after.filter(|t| *t != 0) {
            sql.push(" AND r.detected_at_us >= ")
                .bind(secs_to_micros(a));
        }
    }
    if let Some(w) = &f.fixed {
        if let Some(b) = w.before.filter(|t| *t != 0) {
            sql.push(" AND r.fixed_at_us <= ").bind(secs_to_micros(b));
        }
        if let Some(a) = w.after.filter(|t| *t != 0) {
            sql.push(" AND r.fixed_at_us >= ").bind(secs_to_micros(a));
        }
    }
    if let Some((min, max)) = f.bug_path_length {
        if let Some(min) = min {
            sql.push(" AND r.path_length >= ").bind(min);
        }
        if let Some(max) = max {
            sql.push(" AND r.path_length <= ").bind(max);
        }
    }
    if let Some(names) = f.component_names.as_ref() {
        component_sql(
            sql,
            names,
            f.component_matches_any_point,
            f.full_report_path_in_component,
        );
    }
    if let Some(pairs) = f.annotations.as_ref().filter(|v| !v.is_empty()) {
        let op = sql.ilike();
        sql.push(
            " AND EXISTS (SELECT 1 FROM report_annotations ra WHERE ra.report_id = r.id AND (",
        );
        for (i, (k, v)) in pairs.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("(ra.key = ")
                .bind(k.as_str())
                .push(" AND ra.value")
                .push(op)
                .bind(like_pattern(v))
                .push(")");
        }
        sql.push("))");
    }
}
