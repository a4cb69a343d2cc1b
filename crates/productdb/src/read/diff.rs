//! Bug hashes of a local report directory compared with the reports of runs
//! or tags (CodeChecker's `getDiffResultsHash`, used by `CodeChecker cmd
//! diff` when one side is a local directory).
//!
//! The list of hashes can be long (a whole analysis); it is bound as one
//! JSON array (see [`Sql::text_table`]) and compared in SQL, so nothing but
//! the answer is loaded.

use crate::db::ProductDb;
use crate::error::Result;
use crate::model::{DetectionStatus, DiffHashQuery, DiffKind};
use crate::sql::{Sql, TextRow};

/// Detection statuses that do not count as present when the caller names
/// none (CodeChecker's default).
const DEFAULT_SKIP: [DetectionStatus; 3] = [
    DetectionStatus::Resolved,
    DetectionStatus::Off,
    DetectionStatus::Unavailable,
];

impl ProductDb {
    /// The answer of `getDiffResultsHash` to `q`.
    ///
    /// `New`: the given hashes (each once, sorted) that no present report of
    /// the runs carries. `Resolved`: the hash of every report of the runs
    /// whose hash is not given or that was fixed (one per report, in report
    /// order). `Unresolved`: the hash of every present report of the runs
    /// whose hash is given. A report is present when its detection status is
    /// not skipped and it is not fixed; with tags, when it was open at the
    /// tag's store (one answer per matching tag, as CodeChecker joins them).
    pub fn diff_hashes(&self, q: &DiffHashQuery) -> Result<Vec<String>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let skip: &[DetectionStatus] = if q.skip_statuses.is_empty() {
            &DEFAULT_SKIP
        } else {
            &q.skip_statuses
        };
        let mut sql = Sql::new(conn);
        match q.diff {
            DiffKind::New => {
                if q.hashes.is_empty() {
                    return Ok(Vec::new());
                }
                sql.push("SELECT DISTINCT lt.v AS v FROM ")
                    .text_table(&q.hashes)
                    .push(" lt WHERE NOT EXISTS (SELECT 1");
                scope(&mut sql, q);
                sql.push(" AND r.bug_id = lt.v");
                present(&mut sql, q, skip);
                sql.push(") ORDER BY v");
            }
            DiffKind::Resolved => {
                sql.push("SELECT r.bug_id AS v");
                scope(&mut sql, q);
                sql.push(" AND (");
                sql.in_texts("r.bug_id", &q.hashes, true);
                if !q.before_api_6_50 {
                    sql.push(" OR r.fixed_at_us IS NOT NULL");
                }
                sql.push(") ORDER BY r.id");
            }
            DiffKind::Unresolved => {
                if q.hashes.is_empty() {
                    return Ok(Vec::new());
                }
                sql.push("SELECT r.bug_id AS v");
                scope(&mut sql, q);
                sql.push(" AND ");
                sql.in_texts("r.bug_id", &q.hashes, false);
                present(&mut sql, q, skip);
                sql.push(" ORDER BY r.id");
            }
        }
        Ok(sql
            .load::<TextRow>(conn)?
            .into_iter()
            .map(|r| r.v)
            .collect())
    }
}

/// ` FROM reports r … WHERE …`: the reports of the query's runs and, with
/// tags, those open at a tag's store (CodeChecker's
/// `filter_open_reports_in_tags`; before API 6.50 those detected before it).
fn scope(sql: &mut Sql, q: &DiffHashQuery) {
    let tags = q.tag_ids.as_deref().filter(|t| !t.is_empty());
    sql.push(" FROM reports r");
    if tags.is_some() {
        sql.push(" JOIN run_histories h ON h.run_id = r.run_id");
    }
    sql.push(" WHERE 1 = 1");
    if let Some(runs) = q.run_ids.as_deref().filter(|r| !r.is_empty()) {
        sql.push(" AND r.run_id IN ")
            .bind_list(runs.iter().copied());
    }
    if let Some(tags) = tags {
        sql.push(" AND h.id IN ")
            .bind_list(tags.iter().copied())
            .push(" AND r.detected_at_us <= h.time_us");
        if !q.before_api_6_50 {
            sql.push(" AND (r.fixed_at_us IS NULL OR r.fixed_at_us > h.time_us)");
        }
    }
}

/// ` AND …`: the report counts as present (its detection status is not
/// skipped and, from API 6.50 on, it is not fixed).
fn present(sql: &mut Sql, q: &DiffHashQuery, skip: &[DetectionStatus]) {
    sql.push(" AND r.detection_status NOT IN ")
        .bind_list(skip.iter().map(|s| i64::from(s.to_thrift())));
    if !q.before_api_6_50 {
        sql.push(" AND r.fixed_at_us IS NULL");
    }
}
