//! Report and name filters translated to SQL conditions, as CodeChecker's
//! server applies them.

use super::component_filter::component_sql;
use crate::error::Result;
use crate::model::{Compare, DiffKind, ReportFilter, ReportStatus};
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
///
/// Without a comparison (or with an empty one: no runs, tags or date) the
/// runs, `f.run_tags` and `f.open_reports_date` select the reports. With one,
/// CodeChecker's `process_cmp_data_filter` decides: `run_ids`, `f.run_tags`
/// and `f.open_reports_date` describe the base set of bug hashes, `compare`
/// the other set (see [`compare_sql`]), and the rest of `f` narrows the
/// reports shown.
pub(super) fn report_scope_sql(
    sql: &mut Sql,
    run_ids: Option<&[i64]>,
    f: &ReportFilter,
    compare: Option<&Compare>,
) -> Result<()> {
    match compare.filter(|c| !compare_is_empty(c)) {
        Some(c) => {
            compare_sql(sql, run_ids, f, c);
            report_conditions_sql(sql, f);
        }
        None => report_filter_sql(sql, run_ids, f),
    }
    Ok(())
}

/// Appends the conditions of `f` (and the run restriction) on the `reports`
/// alias `r`, the `checkers` alias `c` and the `files` alias `f`.
pub(super) fn report_filter_sql(sql: &mut Sql, run_ids: Option<&[i64]>, f: &ReportFilter) {
    if let Some(ids) = non_empty(run_ids) {
        sql.push(" AND r.run_id IN ").bind_list(ids.iter().copied());
    }
    if let Some(tags) = non_empty(f.run_tags.as_deref()) {
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
    report_conditions_sql(sql, f);
}

/// `Some` non-empty list.
pub(super) fn non_empty(v: Option<&[i64]>) -> Option<&[i64]> {
    v.filter(|v| !v.is_empty())
}

/// CodeChecker's `is_cmp_data_empty`: no runs, no tags, no date.
pub(super) fn compare_is_empty(c: &Compare) -> bool {
    non_empty(c.run_ids.as_deref()).is_none()
        && non_empty(c.run_tags.as_deref()).is_none()
        && c.open_reports_date.is_none_or(|d| d == 0)
}

/// One side of a comparison: runs, run history entries (tags) and a date
/// (CodeChecker's arguments of `get_diff_bug_id_query`).
#[derive(Clone, Copy)]
struct Side<'a> {
    runs: Option<&'a [i64]>,
    tags: Option<&'a [i64]>,
    date: Option<i64>,
}

impl<'a> Side<'a> {
    fn new(runs: Option<&'a [i64]>, tags: Option<&'a [i64]>, date: Option<i64>) -> Self {
        Side {
            runs: non_empty(runs),
            tags: non_empty(tags),
            date: date.filter(|d| *d != 0),
        }
    }

    /// ` AND EXISTS (…)` (`negate`: `NOT EXISTS`): a report of this side
    /// carries the bug hash of `r` (CodeChecker's `get_diff_bug_id_query`:
    /// with runs only, the reports not fixed; with tags, the reports open
    /// at the tag's store; with a date, the reports open at that date).
    ///
    /// On SQLite as ` AND r.bug_id [NOT] IN (SELECT d.bug_id …)` instead
    /// (the same rows: `bug_id` is never NULL): SQLite then walks the
    /// side's hashes in index order once, where a correlated `EXISTS` probes
    /// the index once per report in table order (100,000 reports, a whole
    /// `cmd diff` page: 234 -> 134 ms CPU). PostgreSQL keeps `EXISTS`,
    /// which it plans as a (anti) join; its `NOT IN` is not one.
    fn hash_in(self, sql: &mut Sql, negate: bool) {
        let pg = sql.is_pg();
        sql.push(match (pg, negate) {
            (true, true) => " AND NOT EXISTS (SELECT 1 FROM reports d",
            (true, false) => " AND EXISTS (SELECT 1 FROM reports d",
            (false, true) => " AND r.bug_id NOT IN (SELECT d.bug_id FROM reports d",
            (false, false) => " AND r.bug_id IN (SELECT d.bug_id FROM reports d",
        });
        if self.tags.is_some() {
            sql.push(" JOIN run_histories dh ON dh.run_id = d.run_id");
        }
        sql.push(if pg {
            " WHERE d.bug_id = r.bug_id"
        } else {
            " WHERE 1 = 1"
        });
        if let Some(runs) = self.runs {
            sql.push(" AND d.run_id IN ")
                .bind_list(runs.iter().copied());
            if self.tags.is_none() && self.date.is_none() {
                sql.push(" AND d.fixed_at_us IS NULL");
            }
        }
        if let Some(tags) = self.tags {
            sql.push(" AND dh.id IN ")
                .bind_list(tags.iter().copied())
                .push(" AND d.detected_at_us <= dh.time_us AND (d.fixed_at_us IS NULL OR d.fixed_at_us > dh.time_us)");
        }
        if let Some(date) = self.date {
            let us = secs_to_micros(date);
            sql.push(" AND d.detected_at_us <= ")
                .bind(us)
                .push(" AND (d.fixed_at_us IS NULL OR d.fixed_at_us > ")
                .bind(us)
                .push(")");
        }
        sql.push(")");
    }

    /// ` AND r.run_id …`: `r` belongs to one of this side's runs
    /// (CodeChecker's `get_diff_run_id_query`: the runs given, narrowed to
    /// those of the tags given; every run when neither is).
    fn run_in(self, sql: &mut Sql) {
        if let Some(runs) = self.runs {
            sql.push(" AND r.run_id IN ")
                .bind_list(runs.iter().copied());
        }
        if let Some(tags) = self.tags {
            sql.push(" AND r.run_id IN (SELECT dr.run_id FROM run_histories dr WHERE dr.id IN ")
                .bind_list(tags.iter().copied())
                .push(")");
        }
    }
}

/// Appends a comparison's conditions (CodeChecker's
/// `process_cmp_data_filter`). The base side is `run_ids` with the tags and
/// date of `f`; the other side is `c`. Sets of bug hashes are compared:
/// `New` shows the reports of the other side's runs whose hash is open there
/// and not in the base; `Resolved` the reports of the base runs whose hash is
/// open in the base and not on the other side; `Unresolved` the reports of
/// the other side's runs whose hash is open on both. The detection status of
/// the reports shown is left to the filter.
fn compare_sql(sql: &mut Sql, run_ids: Option<&[i64]>, f: &ReportFilter, c: &Compare) {
    let base = Side::new(run_ids, f.run_tags.as_deref(), f.open_reports_date);
    let other = Side::new(
        c.run_ids.as_deref(),
        c.run_tags.as_deref(),
        c.open_reports_date,
    );
    match c.diff {
        DiffKind::New => {
            other.hash_in(sql, false);
            base.hash_in(sql, true);
            other.run_in(sql);
        }
        DiffKind::Resolved => {
            base.hash_in(sql, false);
            other.hash_in(sql, true);
            base.run_in(sql);
        }
        DiffKind::Unresolved => {
            base.hash_in(sql, false);
            other.hash_in(sql, false);
            other.run_in(sql);
        }
    }
}

/// ` AND …`: the conditions of `f` on the checker (analyzer and checker
/// names, severities), on the `checkers` alias `alias`. The report filter
/// and the in-memory facts (which pick checker ids with it) share it.
pub(super) fn checker_sql(sql: &mut Sql, alias: &str, f: &ReportFilter) {
    if let Some(v) = f.analyzer_names.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, &format!("{alias}.analyzer_name"), v);
    }
    if let Some(v) = f.checker_names.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, &format!("{alias}.checker_name"), v);
    }
    if let Some(v) = f.severities.as_ref().filter(|v| !v.is_empty()) {
        sql.push(&format!(" AND {alias}.severity IN "))
            .bind_list(v.iter().map(|s| i64::from(s.to_thrift())));
    }
}

/// ` AND (path ILIKE p1 OR …)`: the main file's path matches one of
/// `paths`, on the `files` alias `alias`.
pub(super) fn file_path_sql(sql: &mut Sql, alias: &str, paths: &[String]) {
    like_any(sql, &format!("{alias}.filepath"), paths);
}

/// ` AND (name ILIKE n1 OR …)`: the run's name matches one of `names`, on
/// the `runs` alias `alias`.
pub(super) fn run_name_sql(sql: &mut Sql, alias: &str, names: &[String]) {
    like_any(sql, &format!("{alias}.name"), names);
}

/// Appends the conditions of `f` other than its runs, tags and date.
fn report_conditions_sql(sql: &mut Sql, f: &ReportFilter) {
    if matches!(&f.report_hashes, Some(v) if v.is_empty()) {
        sql.push(" AND 1 = 0");
        return;
    }
    if let Some(paths) = f.file_paths.as_ref().filter(|v| !v.is_empty()) {
        if !f.file_matches_any_point {
            file_path_sql(sql, "f", paths);
        } else {
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
        }
    }
    if let Some(v) = f.checker_msgs.as_ref().filter(|v| !v.is_empty()) {
        like_any(sql, "r.checker_message", v);
    }
    checker_sql(sql, "c", f);
    if let Some(v) = f.run_names.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND r.run_id IN (SELECT rn.id FROM runs rn WHERE 1 = 1");
        run_name_sql(sql, "rn", v);
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
            sql.in_texts("r.bug_id", &exact, false);
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
    if let Some(names) = f.cleanup_plan_names.as_ref().filter(|v| !v.is_empty()) {
        sql.push(
            " AND r.bug_id IN (SELECT cph.bug_hash FROM cleanup_plan_report_hashes cph \
             JOIN cleanup_plans cp ON cp.id = cph.cleanup_plan_id WHERE ",
        );
        sql.in_texts("cp.name", names, false);
        sql.push(")");
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
