//! Reports (CodeChecker's `getRunResults`, `getRunResultCount`,
//! `getReportDetails`).

use std::collections::HashMap;

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use diesel::QueryableByName;

use super::counts::push_report_scope;
use super::filter::report_scope_sql;
use super::runs::push_limit;
use crate::codec::{decode_path, ItemKind};
use crate::db::ProductDb;
use crate::error::Result;
use crate::model::{
    CommentRow, Compare, ExtendedKind, PathRow, ReportDetails, ReportFilter, ReportQuery,
    ReportRow, ReportSort, ReportSortKey, ReviewRow, Severity,
};
use crate::sql::{scalar_int, Sql, MAX_BINDS};
use crate::time::{from_micros, opt_from_micros};

const COLUMNS: &str = "r.id, r.run_id, r.bug_id, r.file_id, COALESCE(f.filepath, '') AS filepath, \
     r.line, r.col, r.checker_message, c.checker_name, c.analyzer_name, c.severity, \
     r.detection_status, r.review_status, r.review_status_author, r.review_status_message, \
     r.review_status_date_us, r.review_status_is_in_source, r.detected_at_us, r.fixed_at_us, \
     r.path_length";

const FROM: &str = " FROM reports r JOIN checkers c ON c.id = r.checker_id \
     LEFT JOIN files f ON f.id = r.file_id WHERE 1 = 1";

#[derive(Debug, QueryableByName)]
struct DbReport {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Text)]
    bug_id: String,
    #[diesel(sql_type = BigInt)]
    file_id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = BigInt)]
    col: i64,
    #[diesel(sql_type = Text)]
    checker_message: String,
    #[diesel(sql_type = Text)]
    checker_name: String,
    #[diesel(sql_type = Text)]
    analyzer_name: String,
    #[diesel(sql_type = BigInt)]
    severity: i64,
    #[diesel(sql_type = BigInt)]
    detection_status: i64,
    #[diesel(sql_type = BigInt)]
    review_status: i64,
    #[diesel(sql_type = Nullable<Text>)]
    review_status_author: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    review_status_message: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    review_status_date_us: Option<i64>,
    #[diesel(sql_type = Bool)]
    review_status_is_in_source: bool,
    #[diesel(sql_type = BigInt)]
    detected_at_us: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    fixed_at_us: Option<i64>,
    #[diesel(sql_type = BigInt)]
    path_length: i64,
}

#[derive(Debug, QueryableByName)]
struct PathDataRow {
    #[diesel(sql_type = BigInt)]
    report_id: i64,
    #[diesel(sql_type = Binary)]
    path_data: Vec<u8>,
}

#[derive(Debug, QueryableByName)]
struct FilePathRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
}

#[derive(Debug, QueryableByName)]
struct AnnotationRow {
    #[diesel(sql_type = BigInt)]
    report_id: i64,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    value: String,
}

#[derive(Debug, QueryableByName)]
struct CommentDbRow {
    #[diesel(sql_type = BigInt)]
    report_id: i64,
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    author: String,
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = BigInt)]
    kind: i64,
    #[diesel(sql_type = BigInt)]
    created_at_us: i64,
}

impl ProductDb {
    /// Reports matching `q` (CodeChecker's `getRunResults`).
    pub fn reports(&self, q: &ReportQuery) -> Result<Vec<ReportRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let default_sort = [ReportSort {
            key: ReportSortKey::Severity,
            descending: true,
        }];
        let sorts: &[ReportSort] = q.sort.as_deref().unwrap_or(&default_sort);
        let from_facts = self.page_from_facts(conn, q, sorts)?;
        let rows = match from_facts {
            Some(ids) => rows_by_ids(conn, &ids)?,
            None => self.report_rows(conn, q, sorts)?,
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut annotations = annotations_of(conn, &ids)?;
        let mut details = if q.with_details {
            details_of(conn, &ids)?
        } else {
            HashMap::new()
        };
        rows.into_iter()
            .map(|r| {
                let id = r.id;
                to_row(
                    r,
                    annotations.remove(&id).unwrap_or_default(),
                    details.remove(&id),
                )
            })
            .collect()
    }

    /// The page of `q` in the order of `sorts`, asked of SQL.
    fn report_rows(
        &self,
        conn: &mut AnyConnection,
        q: &ReportQuery,
        sorts: &[ReportSort],
    ) -> Result<Vec<DbReport>> {
        let unique = q.filter.is_unique;
        let mut sql = Sql::new(conn);
        let order: Vec<(String, bool)> = sorts
            .iter()
            .flat_map(|s| {
                sort_exprs(sql.is_pg(), s.key, unique)
                    .into_iter()
                    .map(move |e| (e, s.descending))
            })
            .collect();
        if unique {
            sql.push("SELECT * FROM (SELECT ").push(COLUMNS);
            for (i, (e, _)) in order.iter().enumerate() {
                sql.push(&format!(", {e} AS s{i}"));
            }
            sql.push(", ROW_NUMBER() OVER (PARTITION BY r.bug_id ORDER BY r.id DESC) AS row_num")
                .push(FROM);
            report_scope_sql(
                &mut sql,
                q.run_ids.as_deref(),
                &q.filter,
                q.compare.as_ref(),
            )?;
            sql.push(") u WHERE u.row_num = 1 ORDER BY ");
            for (i, (_, desc)) in order.iter().enumerate() {
                sql.push(&format!("s{i}{}, ", if *desc { " DESC" } else { " ASC" }));
            }
            sql.push("u.id");
        } else {
            sql.push("SELECT ").push(COLUMNS).push(FROM);
            report_scope_sql(
                &mut sql,
                q.run_ids.as_deref(),
                &q.filter,
                q.compare.as_ref(),
            )?;
            sql.push(" ORDER BY ");
            for (e, desc) in &order {
                sql.push(e).push(if *desc { " DESC, " } else { " ASC, " });
            }
            sql.push("r.id");
        }
        push_limit(&mut sql, q.limit, q.offset);
        Ok(sql.load(conn)?)
    }

    /// Number of reports matching (CodeChecker's `getRunResultCount`); in
    /// unique mode the number of distinct bug hashes.
    pub fn report_count(
        &self,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
    ) -> Result<i64> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        if let Some(n) = self.count_from_facts(conn, run_ids, filter, compare)? {
            return Ok(n);
        }
        let mut sql = Sql::new(conn);
        sql.push(if filter.is_unique {
            "SELECT COUNT(DISTINCT r.bug_id) AS v"
        } else {
            "SELECT COUNT(*) AS v"
        });
        push_report_scope(&mut sql, run_ids, filter, compare, (false, false))?;
        Ok(scalar_int(conn, sql)?.unwrap_or(0))
    }

    /// One report with its details (CodeChecker's `getReport`).
    pub fn report(&self, id: i64) -> Result<Option<ReportRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let Some(row) = rows_by_ids(conn, &[id])?.into_iter().next() else {
            return Ok(None);
        };
        let mut annotations = annotations_of(conn, &[id])?;
        let mut details = details_of(conn, &[id])?;
        to_row(
            row,
            annotations.remove(&id).unwrap_or_default(),
            details.remove(&id),
        )
        .map(Some)
    }

    /// Bug path, notes, macros and comments of reports
    /// (CodeChecker's `getReportDetails`).
    pub fn report_details(&self, ids: &[i64]) -> Result<HashMap<i64, ReportDetails>> {
        let mut conn = self.conn()?;
        details_of(&mut conn, ids)
    }
}

/// The reports `ids`, in that order.
fn rows_by_ids(conn: &mut AnyConnection, ids: &[i64]) -> Result<Vec<DbReport>> {
    let mut by_id: HashMap<i64, DbReport> = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BINDS) {
        let mut sql = Sql::new(conn);
        sql.push("SELECT ")
            .push(COLUMNS)
            .push(FROM)
            .push(" AND r.id IN ")
            .bind_list(chunk.iter().copied());
        for row in sql.load::<DbReport>(conn)? {
            by_id.insert(row.id, row);
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

/// The ORDER BY expressions of a sort key. Review and detection statuses
/// sort like CodeChecker's enum columns: by name on SQLite, by declaration
/// order on PostgreSQL.
fn sort_exprs(pg: bool, key: ReportSortKey, unique: bool) -> Vec<String> {
    let annotation = |k: &str| {
        format!("(SELECT sa.value FROM report_annotations sa WHERE sa.report_id = r.id AND sa.key = '{k}')")
    };
    match key {
        ReportSortKey::FileName if unique => vec!["f.filename".into()],
        ReportSortKey::FileName => vec!["f.filepath".into(), "r.line".into()],
        ReportSortKey::CheckerName => vec!["c.checker_name".into()],
        ReportSortKey::Severity => vec!["c.severity".into()],
        ReportSortKey::ReviewStatus if pg => vec!["r.review_status".into()],
        ReportSortKey::ReviewStatus => {
            vec!["CASE r.review_status WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 2 ELSE 3 END".into()]
        }
        ReportSortKey::DetectionStatus if unique => Vec::new(),
        ReportSortKey::DetectionStatus if pg => vec![
            "CASE r.detection_status WHEN 0 THEN 0 WHEN 2 THEN 1 WHEN 1 THEN 2 WHEN 3 THEN 3 WHEN 4 THEN 4 ELSE 5 END".into(),
        ],
        ReportSortKey::DetectionStatus => vec![
            "CASE r.detection_status WHEN 0 THEN 0 WHEN 4 THEN 1 WHEN 3 THEN 2 WHEN 1 THEN 3 WHEN 5 THEN 4 ELSE 5 END".into(),
        ],
        ReportSortKey::BugPathLength => vec!["r.path_length".into()],
        ReportSortKey::Timestamp => vec![annotation("timestamp")],
        ReportSortKey::Testcase => vec![annotation("testcase")],
        ReportSortKey::ChronologicalOrder => vec![annotation("chronological_order")],
    }
}

fn to_row(
    r: DbReport,
    annotations: Vec<(String, String)>,
    details: Option<ReportDetails>,
) -> Result<ReportRow> {
    let detection_status = crate::codec::detection_status_of(r.detection_status)?;
    let review = crate::codec::review_status_of(r.review_status)?;
    Ok(ReportRow {
        id: r.id,
        run_id: r.run_id,
        bug_hash: r.bug_id,
        checker_name: r.checker_name,
        analyzer_name: r.analyzer_name,
        file_path: r.filepath,
        file_id: r.file_id,
        line: r.line,
        column: r.col,
        message: r.checker_message,
        severity: i32::try_from(r.severity)
            .ok()
            .and_then(Severity::from_thrift)
            .unwrap_or_default(),
        review: ReviewRow {
            status: review,
            message: r.review_status_message,
            author: r.review_status_author,
            date: opt_from_micros(r.review_status_date_us)?,
            in_source: r.review_status_is_in_source,
        },
        detection_status,
        detected_at: from_micros(r.detected_at_us)?,
        fixed_at: opt_from_micros(r.fixed_at_us)?,
        bug_path_length: r.path_length,
        annotations,
        details,
    })
}

fn annotations_of(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, Vec<(String, String)>>> {
    let mut out: HashMap<i64, Vec<(String, String)>> = HashMap::new();
    for chunk in ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT report_id, key, value FROM report_annotations WHERE report_id IN ",
        );
        sql.bind_list(chunk.iter().copied())
            .push(" ORDER BY report_id, key");
        for a in sql.load::<AnnotationRow>(conn)? {
            out.entry(a.report_id).or_default().push((a.key, a.value));
        }
    }
    Ok(out)
}

fn details_of(conn: &mut AnyConnection, ids: &[i64]) -> Result<HashMap<i64, ReportDetails>> {
    let mut out: HashMap<i64, ReportDetails> = ids
        .iter()
        .map(|&id| (id, ReportDetails::default()))
        .collect();
    let mut paths = Vec::new();
    for chunk in ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT report_id, path_data FROM report_path_data WHERE report_id IN ",
        );
        sql.bind_list(chunk.iter().copied());
        for row in sql.load::<PathDataRow>(conn)? {
            paths.push((row.report_id, decode_path(&row.path_data)?));
        }
    }
    let mut file_ids: Vec<i64> = paths
        .iter()
        .flat_map(|(_, items)| items.iter().map(|i| i.file_id))
        .collect();
    file_ids.sort_unstable();
    file_ids.dedup();
    let mut names: HashMap<i64, String> = HashMap::new();
    for chunk in file_ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(conn, "SELECT id, filepath FROM files WHERE id IN ");
        sql.bind_list(chunk.iter().copied());
        names.extend(
            sql.load::<FilePathRow>(conn)?
                .into_iter()
                .map(|f| (f.id, f.filepath)),
        );
    }
    for (report_id, items) in paths {
        let Some(d) = out.get_mut(&report_id) else {
            continue;
        };
        for item in items {
            let row = PathRow {
                start_line: item.start_line,
                start_col: item.start_col,
                end_line: item.end_line,
                end_col: item.end_col,
                file_path: names.get(&item.file_id).cloned().unwrap_or_default(),
                file_id: item.file_id,
                message: item.message,
            };
            match item.kind {
                ItemKind::Position => d.positions.push(PathRow {
                    message: None,
                    ..row
                }),
                ItemKind::Event => d.events.push(row),
                ItemKind::Note => d.extended.push((ExtendedKind::Note, row)),
                ItemKind::Macro => d.extended.push((ExtendedKind::Macro, row)),
            }
        }
    }
    for chunk in ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT r.id AS report_id, cm.id, cm.author, cm.message, cm.kind, cm.created_at_us \
             FROM comments cm JOIN reports r ON r.bug_id = cm.bug_hash WHERE r.id IN ",
        );
        sql.bind_list(chunk.iter().copied())
            .push(" ORDER BY cm.created_at_us DESC, cm.id DESC");
        for c in sql.load::<CommentDbRow>(conn)? {
            if let Some(d) = out.get_mut(&c.report_id) {
                d.comments.push(CommentRow {
                    id: c.id,
                    author: c.author,
                    message: c.message,
                    created_at: from_micros(c.created_at_us)?,
                    system: c.kind == 1,
                });
            }
        }
    }
    Ok(out)
}
