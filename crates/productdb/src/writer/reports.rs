//! Report batches: detection status against the previous store, review
//! status, bug path data, multi-row inserts.

use dbkit::AnyConnection;
use rayon::prelude::*;
use tracing::warn;

use super::run::ensure_checkers;
use super::State;
use crate::codec::{encode_path, ItemKind, PathItem};
use crate::error::{Error, Result};
use crate::model::{review_status_to_thrift, DetectionStatus, PathMessage, PathRange, StoreReport};
use crate::sql::{IntRow, Sql, MAX_BINDS};

/// Columns of one `reports` row.
const REPORT_COLUMNS: &str = "id, file_id, run_id, bug_id, checker_id, line, col, path_length, \
     checker_message, detection_status, review_status, review_status_author, \
     review_status_message, review_status_date_us, review_status_is_in_source, \
     detected_at_us, fixed_at_us, analysis_info_id";
const REPORT_COLUMN_COUNT: usize = 18;

/// A report ready for insertion.
struct Row {
    id: i64,
    file_id: i64,
    bug_id: String,
    checker_id: i64,
    line: i64,
    column: i64,
    path_length: i64,
    message: String,
    detection_status: i64,
    review_status: i64,
    review_message: String,
    review_in_source: bool,
    detected_at_us: i64,
    fixed_at_us: Option<i64>,
    analysis_info_id: Option<i64>,
    items: Vec<PathItem>,
    annotations: Vec<(String, String)>,
}

/// Stores a batch of reports.
pub(super) fn add(
    conn: &mut AnyConnection,
    st: &mut State,
    reports: Vec<StoreReport>,
    batch: usize,
) -> Result<()> {
    ensure_checkers(
        conn,
        &mut st.checkers,
        reports
            .iter()
            .map(|r| (r.analyzer.as_str(), r.checker.as_str(), r.severity)),
    )?;
    let mut rows: Vec<Row> = Vec::with_capacity(reports.len());
    for r in reports {
        if let Some(row) = prepare(st, r)? {
            rows.push(row);
        }
    }
    if rows.is_empty() {
        return Ok(());
    }
    assign_ids(conn, st, &mut rows)?;
    let blobs: Vec<Vec<u8>> = rows.par_iter().map(|r| encode_path(&r.items)).collect();
    let per_statement = batch.clamp(1, MAX_BINDS / REPORT_COLUMN_COUNT);
    for chunk in rows.chunks(per_statement) {
        insert_reports(conn, st, chunk)?;
    }
    let mut pairs = rows.iter().map(|r| r.id).zip(blobs).peekable();
    while pairs.peek().is_some() {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO report_path_data (report_id, path_data) VALUES ",
        );
        for (i, (id, blob)) in pairs.by_ref().take(per_statement).enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(id).push(", ").bind(blob).push(")");
        }
        sql.execute(conn)?;
    }
    let mut file_links: Vec<(i64, i64)> = Vec::new();
    for r in &rows {
        let mut ids: Vec<i64> = r.items.iter().map(|i| i.file_id).collect();
        ids.sort_unstable();
        ids.dedup();
        file_links.extend(ids.into_iter().map(|f| (r.id, f)));
    }
    insert_pairs(
        conn,
        "INSERT INTO report_path_data_files (report_id, file_id) VALUES ",
        &file_links,
    )?;
    let annotations: Vec<(i64, &str, &str)> = rows
        .iter()
        .flat_map(|r| {
            r.annotations
                .iter()
                .map(move |(k, v)| (r.id, k.as_str(), v.as_str()))
        })
        .collect();
    for chunk in annotations.chunks(MAX_BINDS / 3) {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO report_annotations (report_id, key, value) VALUES ",
        );
        for (i, (id, k, v)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(*id)
                .push(", ")
                .bind(*k)
                .push(", ")
                .bind(*v)
                .push(")");
        }
        sql.execute(conn)?;
    }
    Ok(())
}

/// Decides everything about one report; `None` when it is skipped.
fn prepare(st: &mut State, r: StoreReport) -> Result<Option<Row>> {
    st.progress.reports_seen += 1;
    let Some(&file_id) = st.files.get(&r.file_path) else {
        return Ok(skip_missing(st, &r, &r.file_path));
    };
    let items = match path_items(st, &r) {
        Ok(items) => items,
        Err(path) => return Ok(skip_missing(st, &r, &path)),
    };
    st.report_checkers.insert(r.checker.clone());
    if !st.path_hashes.insert(r.path_hash.clone()) {
        st.duplicates += 1;
        return Ok(None);
    }
    if let Some(limit) = st.run.report_limit {
        if st.progress.reports_stored >= limit {
            return Err(Error::ReportLimitExceeded { limit });
        }
    }
    let old = st.old.first(&r.bug_hash);
    let (detection, detected_at_us) = match old {
        Some(o) if o.detection_status == DetectionStatus::Resolved as i64 => {
            (DetectionStatus::Reopened, o.detected_at_us)
        }
        Some(o) => (DetectionStatus::Unresolved, o.detected_at_us),
        None => (DetectionStatus::New, st.time_us),
    };
    let fixed_at_us = if r.review.status.is_closed() {
        match old {
            Some(o) if is_closed_review(o.review_status) => o.fixed_at_us,
            _ => Some(st.time_us),
        }
    } else {
        None
    };
    let checker_id = st
        .checkers
        .get(&(r.analyzer.clone(), r.checker.clone()))
        .copied()
        .ok_or_else(|| Error::Corrupt(format!("checker {}/{} has no id", r.analyzer, r.checker)))?;
    let analysis_info_id = r
        .analysis
        .and_then(|i| st.analysis_ids.get(i).copied().flatten());
    let mut annotations = r.annotations;
    // Like a dict: a repeated key keeps its last value.
    let mut seen = std::collections::HashSet::new();
    annotations.reverse();
    annotations.retain(|(k, _)| seen.insert(k.clone()));
    annotations.reverse();
    st.progress.reports_stored += 1;
    st.new_hashes.insert(r.bug_hash.clone());
    Ok(Some(Row {
        id: 0,
        file_id,
        bug_id: r.bug_hash,
        checker_id,
        line: r.line,
        column: r.column,
        path_length: i64::try_from(r.events.len()).unwrap_or(i64::MAX),
        message: r.message,
        detection_status: detection as i64,
        review_status: i64::from(review_status_to_thrift(r.review.status)),
        review_message: r.review.message,
        review_in_source: r.review.in_source,
        detected_at_us,
        fixed_at_us,
        analysis_info_id,
        items,
        annotations,
    }))
}

/// Whether a stored review status value closes the report.
pub(super) fn is_closed_review(v: i64) -> bool {
    v == 2 || v == 3
}

fn skip_missing(st: &mut State, r: &StoreReport, path: &str) -> Option<Row> {
    st.missing_file += 1;
    warn!(
        file = %path,
        "no stored content for file; skipping report {}:{}:{} [{}]",
        r.file_path, r.line, r.column, r.checker
    );
    None
}

/// The report's path items in CodeChecker's order (positions, events,
/// notes, macros); `Err(path)` names a file without an id.
fn path_items(st: &State, r: &StoreReport) -> std::result::Result<Vec<PathItem>, String> {
    let mut items =
        Vec::with_capacity(r.positions.len() + r.events.len() + r.notes.len() + r.macros.len());
    let item = |kind: ItemKind,
                range: &PathRange,
                message: Option<&str>|
     -> std::result::Result<PathItem, String> {
        let file_id = *st
            .files
            .get(&range.file_path)
            .ok_or_else(|| range.file_path.clone())?;
        Ok(PathItem {
            kind,
            start_line: range.start_line,
            start_col: range.start_col,
            end_line: range.end_line,
            end_col: range.end_col,
            file_id,
            message: message.map(str::to_owned),
        })
    };
    for p in &r.positions {
        items.push(item(ItemKind::Position, p, None)?);
    }
    let messages: [(ItemKind, &Vec<PathMessage>); 3] = [
        (ItemKind::Event, &r.events),
        (ItemKind::Note, &r.notes),
        (ItemKind::Macro, &r.macros),
    ];
    for (kind, list) in messages {
        for m in list {
            items.push(item(kind, &m.range, Some(&m.message))?);
        }
    }
    Ok(items)
}

fn assign_ids(conn: &mut AnyConnection, st: &mut State, rows: &mut [Row]) -> Result<()> {
    let n = i64::try_from(rows.len()).unwrap_or(i64::MAX);
    if crate::sql::is_pg(conn) {
        let mut sql = Sql::with(
            conn,
            "SELECT nextval('reports_id_seq') AS v FROM generate_series(1, ",
        );
        sql.bind(n).push(")");
        let ids = sql.load::<IntRow>(conn)?;
        if ids.len() != rows.len() {
            return Err(Error::Corrupt(
                "report id sequence returned too few ids".into(),
            ));
        }
        for (row, id) in rows.iter_mut().zip(ids) {
            row.id = id.v;
        }
    } else {
        for row in rows.iter_mut() {
            row.id = st.next_report_id;
            st.next_report_id += 1;
        }
    }
    if st.first_new_id.is_none() {
        st.first_new_id = rows.iter().map(|r| r.id).min();
    }
    Ok(())
}

fn insert_reports(conn: &mut AnyConnection, st: &State, rows: &[Row]) -> Result<()> {
    let mut sql = Sql::with(conn, "INSERT INTO reports (");
    sql.push(REPORT_COLUMNS).push(") VALUES ");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.push("(")
            .bind(r.id)
            .push(", ")
            .bind(r.file_id)
            .push(", ")
            .bind(st.run_id)
            .push(", ")
            .bind(r.bug_id.as_str())
            .push(", ")
            .bind(r.checker_id)
            .push(", ")
            .bind(r.line)
            .push(", ")
            .bind(r.column)
            .push(", ")
            .bind(r.path_length)
            .push(", ")
            .bind(r.message.as_str())
            .push(", ")
            .bind(r.detection_status)
            .push(", ")
            .bind(r.review_status)
            .push(", ")
            .bind(st.run.user.as_str())
            .push(", ")
            .bind(r.review_message.as_str())
            .push(", ")
            .bind(st.time_us)
            .push(", ")
            .bind(r.review_in_source)
            .push(", ")
            .bind(r.detected_at_us)
            .push(", ")
            .bind(r.fixed_at_us)
            .push(", ")
            .bind(r.analysis_info_id)
            .push(")");
    }
    sql.execute(conn)?;
    Ok(())
}

/// Multi-row insert of integer pairs after `head`.
fn insert_pairs(conn: &mut AnyConnection, head: &str, pairs: &[(i64, i64)]) -> Result<()> {
    for chunk in pairs.chunks(MAX_BINDS / 2) {
        let mut sql = Sql::with(conn, head);
        for (i, (a, b)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(").bind(*a).push(", ").bind(*b).push(")");
        }
        sql.execute(conn)?;
    }
    Ok(())
}
