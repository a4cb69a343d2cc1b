//! Runs, run history, analyzer statistics and analysis info.

use std::collections::HashMap;

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use diesel::QueryableByName;

use super::filter::escaped_like;
use crate::codec::decompress_text;
use crate::db::ProductDb;
use crate::error::Result;
use crate::model::{
    AnalysisInfoRow, AnalyzerStatisticRow, DetectionStatus, RunFilter, RunHistoryFilter,
    RunHistoryRow, RunRow, RunSort, RunSortKey,
};
use crate::sql::{scalar_int, Sql, MAX_BINDS};
use crate::time::{from_micros, secs_to_micros};

#[derive(Debug, QueryableByName)]
struct RunDbRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    date_us: i64,
    #[diesel(sql_type = BigInt)]
    duration: i64,
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
    #[diesel(sql_type = BigInt)]
    report_count: i64,
    #[diesel(sql_type = Nullable<Text>)]
    version_tag: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    cc_version: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    description: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = BigInt)]
    status: i64,
    #[diesel(sql_type = BigInt)]
    review: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct StatDbRow {
    #[diesel(sql_type = BigInt)]
    run_history_id: i64,
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Text)]
    analyzer_type: String,
    #[diesel(sql_type = Nullable<Text>)]
    version: Option<String>,
    #[diesel(sql_type = BigInt)]
    successful: i64,
    #[diesel(sql_type = BigInt)]
    failed: i64,
    #[diesel(sql_type = Nullable<Binary>)]
    failed_files: Option<Vec<u8>>,
}

#[derive(Debug, QueryableByName)]
struct HistoryDbRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Text)]
    run_name: String,
    #[diesel(sql_type = Nullable<Text>)]
    version_tag: Option<String>,
    #[diesel(sql_type = Text)]
    user_name: String,
    #[diesel(sql_type = BigInt)]
    time_us: i64,
    #[diesel(sql_type = Nullable<Text>)]
    cc_version: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    description: Option<String>,
}

#[derive(Debug, QueryableByName)]
struct InfoDbRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Binary>)]
    analyzer_command: Option<Vec<u8>>,
    #[diesel(sql_type = Nullable<BigInt>)]
    checker_set_id: Option<i64>,
}

#[derive(Debug, QueryableByName)]
struct SetItemRow {
    #[diesel(sql_type = BigInt)]
    checker_set_id: i64,
    #[diesel(sql_type = Text)]
    analyzer_name: String,
    #[diesel(sql_type = Text)]
    checker_name: String,
    #[diesel(sql_type = Bool)]
    enabled: bool,
}

/// Reports counted as "unresolved" in a run's result count.
const OPEN_REPORT: &str = "x.detection_status NOT IN (1, 4, 5) AND x.review_status NOT IN (2, 3)";

impl ProductDb {
    /// Runs matching `filter` (CodeChecker's `getRunData`): default order
    /// is newest first; `limit` `None` means all.
    pub fn runs(
        &self,
        filter: &RunFilter,
        sort: Option<RunSort>,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<RunRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        // The open report count is needed in SQL only to sort by it;
        // otherwise it comes with the status counts below.
        let by_count = sort.is_some_and(|s| s.key == RunSortKey::UnresolvedReports);
        let mut sql = Sql::with(
            conn,
            "SELECT r.id, r.name, r.date_us, r.duration, r.version, ",
        );
        if by_count {
            sql.push("(SELECT COUNT(*) FROM reports x WHERE x.run_id = r.id AND ")
                .push(OPEN_REPORT)
                .push(")");
        } else {
            sql.push("CAST(0 AS BIGINT)");
        }
        sql.push(
            " AS report_count, h.version_tag, h.cc_version, h.description FROM runs r \
             LEFT JOIN run_histories h ON h.id = \
             (SELECT MAX(h2.id) FROM run_histories h2 WHERE h2.run_id = r.id) WHERE 1 = 1",
        );
        run_filter_sql(conn, &mut sql, filter)?;
        let (key, desc) = match sort {
            None => ("r.date_us", true),
            Some(s) => (
                match s.key {
                    RunSortKey::Name => "r.name",
                    RunSortKey::UnresolvedReports => "report_count",
                    RunSortKey::Date => "r.date_us",
                    RunSortKey::Duration => "r.duration",
                    RunSortKey::CcVersion => "h.cc_version",
                },
                s.descending,
            ),
        };
        sql.push(" ORDER BY ")
            .push(key)
            .push(if desc { " DESC" } else { " ASC" })
            .push(", r.id");
        push_limit(&mut sql, limit, offset);
        let rows: Vec<RunDbRow> = sql.load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        let mut counts = self.cached_status_counts(conn, &ids);
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !counts.contains_key(id))
            .collect();
        counts.extend(status_counts(conn, &missing)?);
        let mut stats = latest_statistics(conn, &ids)?;
        rows.into_iter()
            .map(|r| {
                let status = counts.get(&r.id);
                Ok(RunRow {
                    id: r.id,
                    date: from_micros(r.date_us)?,
                    duration: r.duration,
                    result_count: status.map_or(r.report_count, |s| s.open),
                    detection_status_count: status
                        .map(|s| s.by_detection.clone())
                        .unwrap_or_default(),
                    version_tag: r.version_tag,
                    cc_version: r.cc_version,
                    description: r.description,
                    client_version: r.version,
                    analyzer_statistics: stats.remove(&r.id).unwrap_or_default(),
                    name: r.name,
                })
            })
            .collect()
    }

    /// Number of runs matching `filter` (CodeChecker's `getRunCount`).
    pub fn run_count(&self, filter: &RunFilter) -> Result<i64> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(conn, "SELECT COUNT(*) AS v FROM runs r WHERE 1 = 1");
        run_filter_sql(conn, &mut sql, filter)?;
        Ok(scalar_int(conn, sql)?.unwrap_or(0))
    }

    /// The id of the run named exactly `name`.
    pub fn run_id(&self, name: &str) -> Result<Option<i64>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(conn, "SELECT id AS v FROM runs WHERE name = ");
        sql.bind(name);
        Ok(scalar_int(conn, sql)?)
    }

    /// Store history of runs (CodeChecker's `getRunHistory`), newest first.
    /// Empty or `None` `run_ids` means every run.
    pub fn run_histories(
        &self,
        run_ids: Option<&[i64]>,
        filter: &RunHistoryFilter,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<RunHistoryRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT h.id, h.run_id, r.name AS run_name, h.version_tag, h.user_name, h.time_us, \
             h.cc_version, h.description FROM run_histories h JOIN runs r ON r.id = h.run_id WHERE 1 = 1",
        );
        history_filter_sql(&mut sql, run_ids, filter);
        sql.push(" ORDER BY h.time_us DESC, h.id DESC");
        push_limit(&mut sql, limit, offset);
        let rows: Vec<HistoryDbRow> = sql.load(conn)?;
        let ids: Vec<i64> = rows.iter().map(|h| h.id).collect();
        let mut stats = statistics_of_histories(conn, &ids)?;
        rows.into_iter()
            .map(|h| {
                Ok(RunHistoryRow {
                    analyzer_statistics: stats.remove(&h.id).unwrap_or_default(),
                    id: h.id,
                    run_id: h.run_id,
                    run_name: h.run_name,
                    version_tag: h.version_tag,
                    user: h.user_name,
                    time: from_micros(h.time_us)?,
                    cc_version: h.cc_version,
                    description: h.description,
                })
            })
            .collect()
    }

    /// Number of history entries (CodeChecker's `getRunHistoryCount`).
    pub fn run_history_count(
        &self,
        run_ids: Option<&[i64]>,
        filter: &RunHistoryFilter,
    ) -> Result<i64> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT COUNT(*) AS v FROM run_histories h JOIN runs r ON r.id = h.run_id WHERE 1 = 1",
        );
        history_filter_sql(&mut sql, run_ids, filter);
        Ok(scalar_int(conn, sql)?.unwrap_or(0))
    }

    /// Analyzer statistics of a history entry, or of a run's latest entry
    /// that has any (CodeChecker's `getAnalysisStatistics`).
    pub fn analysis_statistics(
        &self,
        run_id: Option<i64>,
        run_history_id: Option<i64>,
    ) -> Result<Vec<AnalyzerStatisticRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        if let Some(run_id) = run_id {
            return Ok(latest_statistics(conn, &[run_id])?
                .remove(&run_id)
                .unwrap_or_default());
        }
        let ids: Vec<i64> = run_history_id.into_iter().collect();
        let mut by_history = statistics_of_histories(conn, &ids)?;
        Ok(run_history_id
            .and_then(|h| by_history.remove(&h))
            .unwrap_or_default())
    }

    /// Analysis info entries of a run (all its stores), a history entry or a
    /// report, in id order (CodeChecker's `getAnalysisInfo`).
    pub fn analysis_info(
        &self,
        run_id: Option<i64>,
        run_history_id: Option<i64>,
        report_id: Option<i64>,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<AnalysisInfoRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT a.id, a.analyzer_command, a.checker_set_id FROM analysis_info a WHERE ",
        );
        if let Some(run_id) = run_id {
            sql.push(
                "a.id IN (SELECT ha.analysis_info_id FROM run_history_analysis_info ha \
                 JOIN run_histories h ON h.id = ha.run_history_id WHERE h.run_id = ",
            )
            .bind(run_id)
            .push(")");
        } else if let Some(hid) = run_history_id {
            sql.push("a.id IN (SELECT analysis_info_id FROM run_history_analysis_info WHERE run_history_id = ")
                .bind(hid)
                .push(")");
        } else if let Some(rid) = report_id {
            sql.push("a.id IN (SELECT analysis_info_id FROM reports WHERE id = ")
                .bind(rid)
                .push(")");
        } else {
            return Ok(Vec::new());
        }
        sql.push(" ORDER BY a.id");
        push_limit(&mut sql, limit, offset);
        let infos: Vec<InfoDbRow> = sql.load(conn)?;
        let mut set_ids: Vec<i64> = infos.iter().filter_map(|i| i.checker_set_id).collect();
        set_ids.sort_unstable();
        set_ids.dedup();
        let mut members: HashMap<i64, Vec<(String, String, bool)>> = HashMap::new();
        for chunk in set_ids.chunks(MAX_BINDS) {
            let mut sql = Sql::with(
                conn,
                "SELECT i.checker_set_id, c.analyzer_name, c.checker_name, i.enabled \
                 FROM checker_set_items i JOIN checkers c ON c.id = i.checker_id WHERE i.checker_set_id IN ",
            );
            sql.bind_list(chunk.iter().copied())
                .push(" ORDER BY c.analyzer_name, c.checker_name");
            for row in sql.load::<SetItemRow>(conn)? {
                members.entry(row.checker_set_id).or_default().push((
                    row.analyzer_name,
                    row.checker_name,
                    row.enabled,
                ));
            }
        }
        infos
            .into_iter()
            .map(|i| {
                Ok(AnalysisInfoRow {
                    id: i.id,
                    command: match &i.analyzer_command {
                        Some(blob) => decompress_text(blob)?,
                        None => String::new(),
                    },
                    checkers: i
                        .checker_set_id
                        .and_then(|s| members.get(&s).cloned())
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

/// Appends CodeChecker's run filter conditions.
pub(crate) fn run_filter_sql(conn: &mut AnyConnection, sql: &mut Sql, f: &RunFilter) -> Result<()> {
    if let Some(ids) = f.ids.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND r.id IN ").bind_list(ids.iter().copied());
    }
    if let Some(names) = f.names.as_ref().filter(|v| !v.is_empty()) {
        if f.exact_match {
            sql.push(" AND r.name IN ").bind_list(names.iter());
        } else {
            sql.push(" AND (");
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                escaped_like(sql, "r.name", n);
            }
            sql.push(")");
        }
    }
    if let Some(t) = f.before_time.filter(|t| *t != 0) {
        sql.push(" AND r.date_us < ").bind(secs_to_micros(t));
    }
    if let Some(t) = f.after_time.filter(|t| *t != 0) {
        sql.push(" AND r.date_us > ").bind(secs_to_micros(t));
    }
    for (name, op) in [(&f.before_run, " < "), (&f.after_run, " > ")] {
        if let Some(name) = name.as_ref().filter(|n| !n.is_empty()) {
            let mut q = Sql::with(conn, "SELECT date_us AS v FROM runs WHERE name = ");
            q.bind(name.as_str());
            if let Some(date) = scalar_int(conn, q)? {
                sql.push(" AND r.date_us").push(op).bind(date);
            }
        }
    }
    Ok(())
}

fn history_filter_sql(sql: &mut Sql, run_ids: Option<&[i64]>, f: &RunHistoryFilter) {
    if let Some(ids) = run_ids.filter(|v| !v.is_empty()) {
        sql.push(" AND h.run_id IN ").bind_list(ids.iter().copied());
    }
    if let Some(tags) = f.tag_names.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND (");
        for (i, t) in tags.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            escaped_like(sql, "h.version_tag", t);
        }
        sql.push(")");
    }
    if let Some(ids) = f.tag_ids.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND h.id IN ").bind_list(ids.iter().copied());
    }
    if let Some(w) = &f.stored {
        if let Some(b) = w.before.filter(|t| *t != 0) {
            sql.push(" AND h.time_us <= ").bind(secs_to_micros(b));
        }
        if let Some(a) = w.after.filter(|t| *t != 0) {
            sql.push(" AND h.time_us >= ").bind(secs_to_micros(a));
        }
    }
}

/// `LIMIT`/`OFFSET` when a limit is given.
pub(crate) fn push_limit(sql: &mut Sql, limit: Option<i64>, offset: i64) {
    if let Some(l) = limit {
        sql.push(" LIMIT ")
            .bind(l.max(0))
            .push(" OFFSET ")
            .bind(offset.max(0));
    }
}

/// A run's report counts per detection status, and its open reports
/// (CodeChecker's "unresolved" result count).
#[derive(Debug, Clone, Default)]
pub(crate) struct RunStatusCounts {
    /// Per detection status, by status.
    pub by_detection: Vec<(DetectionStatus, i64)>,
    /// Reports neither closed by detection nor dismissed by review.
    pub open: i64,
}

impl RunStatusCounts {
    /// Adds `n` reports of `detection` and `review` (stored numbers).
    pub(crate) fn add(&mut self, detection: i64, review: i64, n: i64) -> Result<()> {
        let status = crate::codec::detection_status_of(detection)?;
        match self.by_detection.last_mut() {
            Some((s, count)) if *s == status => *count += n,
            _ => self.by_detection.push((status, n)),
        }
        if !matches!(detection, 1 | 4 | 5) && !matches!(review, 2 | 3) {
            self.open += n;
        }
        Ok(())
    }
}

/// Per run of `run_ids`: its counts, in one index-only walk of
/// `(run_id, detection_status, review_status)`.
fn status_counts(
    conn: &mut AnyConnection,
    run_ids: &[i64],
) -> Result<HashMap<i64, RunStatusCounts>> {
    let mut out: HashMap<i64, RunStatusCounts> = HashMap::new();
    for chunk in run_ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT run_id, detection_status AS status, review_status AS review, COUNT(*) AS n \
             FROM reports WHERE run_id IN ",
        );
        sql.bind_list(chunk.iter().copied()).push(
            " GROUP BY run_id, detection_status, review_status \
             ORDER BY run_id, detection_status, review_status",
        );
        for row in sql.load::<StatusCount>(conn)? {
            out.entry(row.run_id)
                .or_default()
                .add(row.status, row.review, row.n)?;
        }
    }
    Ok(out)
}

const STAT_COLUMNS: &str = "SELECT s.run_history_id, h.run_id, s.analyzer_type, s.version, s.successful, \
     s.failed, s.failed_files FROM analyzer_statistics s JOIN run_histories h ON h.id = s.run_history_id";

fn stat_row(s: StatDbRow) -> Result<AnalyzerStatisticRow> {
    let failed_files = match &s.failed_files {
        Some(blob) => decompress_text(blob)?
            .split('\n')
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect(),
        None => Vec::new(),
    };
    Ok(AnalyzerStatisticRow {
        analyzer: s.analyzer_type,
        version: s.version,
        successful: s.successful,
        failed: s.failed,
        failed_files,
    })
}

/// Per run: statistics of its latest history entry that has any.
fn latest_statistics(
    conn: &mut AnyConnection,
    run_ids: &[i64],
) -> Result<HashMap<i64, Vec<AnalyzerStatisticRow>>> {
    let mut out: HashMap<i64, Vec<AnalyzerStatisticRow>> = HashMap::new();
    for chunk in run_ids.chunks(MAX_BINDS / 2) {
        let mut sql = Sql::with(conn, STAT_COLUMNS);
        sql.push(
            " WHERE s.run_history_id IN (SELECT MAX(s2.run_history_id) FROM analyzer_statistics s2 \
             JOIN run_histories h2 ON h2.id = s2.run_history_id WHERE h2.run_id IN ",
        )
        .bind_list(chunk.iter().copied())
        .push(" GROUP BY h2.run_id) ORDER BY s.id");
        for s in sql.load::<StatDbRow>(conn)? {
            let run = s.run_id;
            out.entry(run).or_default().push(stat_row(s)?);
        }
    }
    Ok(out)
}

fn statistics_of_histories(
    conn: &mut AnyConnection,
    history_ids: &[i64],
) -> Result<HashMap<i64, Vec<AnalyzerStatisticRow>>> {
    let mut out: HashMap<i64, Vec<AnalyzerStatisticRow>> = HashMap::new();
    for chunk in history_ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(conn, STAT_COLUMNS);
        sql.push(" WHERE s.run_history_id IN ")
            .bind_list(chunk.iter().copied())
            .push(" ORDER BY s.id");
        for s in sql.load::<StatDbRow>(conn)? {
            let h = s.run_history_id;
            out.entry(h).or_default().push(stat_row(s)?);
        }
    }
    Ok(out)
}
