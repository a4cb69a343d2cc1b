//! Aggregates over the reports of a scope (CodeChecker's `getCheckerCounts`,
//! `getSeverityCounts`, `getFileCounts`, … that `cmd sum` and the web UI's
//! sidebar show), and the per-run facts beside them (failed files, checker
//! coverage).
//!
//! Every count is one grouped statement over the scope of
//! [`report_scope_sql`] (runs + filter + optional comparison), as
//! CodeChecker's server counts:
//!
//! * "max per bug hash" dimensions (checker, analyzer, message, severity): in
//!   unique mode every bug hash is counted once, under the greatest value its
//!   reports have;
//! * "distinct bug hash" dimensions (file, detection, review and report
//!   status): in unique mode a bug hash counts once in every group it
//!   appears in.
//!
//! No filter field is dropped for a method's own dimension: CodeChecker's
//! server applies the whole filter (its web UI removes a field itself before
//! asking).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Binary, Bool, Nullable, Text};
use diesel::QueryableByName;

use super::facts;
use super::filter::report_scope_sql;
use super::runs::push_limit;
use crate::codec::decompress_text;
use crate::db::ProductDb;
use crate::error::Result;
use crate::model::{Compare, DetectionStatus, ReportFilter, ReportStatus, ReviewStatus, Severity};
use crate::sql::{Sql, TextRow};
use crate::time::from_micros;

/// The reports a count looks at, and the page of groups it returns.
#[derive(Debug, Clone, Default)]
pub struct CountQuery {
    /// Runs to count in; `None` or empty: every run.
    pub run_ids: Option<Vec<i64>>,
    /// Conditions (its `is_unique` picks the unique counting).
    pub filter: ReportFilter,
    /// Compare with other runs, tags or a date; `None`: no comparison.
    pub compare: Option<Compare>,
    /// At most this many groups (`None`: all); only the methods that page
    /// in CodeChecker use it.
    pub limit: Option<i64>,
    /// Skip this many groups.
    pub offset: i64,
}

/// A checker with its report count (Thrift `CheckerCount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckerCountRow {
    /// Checker name.
    pub name: String,
    /// Severity of the checker.
    pub severity: Severity,
    /// Reports (bug hashes in unique mode).
    pub count: i64,
}

/// A run history entry with the number of reports open at its time (Thrift
/// `RunTagCount`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunTagCountRow {
    /// History entry id.
    pub id: i64,
    /// Run id.
    pub run_id: i64,
    /// Run name.
    pub run_name: String,
    /// Time of the store.
    pub time: chrono::DateTime<chrono::Utc>,
    /// Its tag.
    pub tag: Option<String>,
    /// Reports of the scope open at that time.
    pub count: i64,
}

/// A run with its report count (Thrift `RunReportCount`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReportCountRow {
    /// Run id.
    pub run_id: i64,
    /// Run name.
    pub name: String,
    /// Reports (bug hashes in unique mode).
    pub count: i64,
}

/// Whether a checker ran in the selected runs, and its open and closed
/// report counts (Thrift `CheckerStatusVerificationDetail`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckerStatusRow {
    /// Checker id (the key of CodeChecker's answer).
    pub id: i64,
    /// Checker name.
    pub checker_name: String,
    /// Analyzer name.
    pub analyzer_name: String,
    /// Severity.
    pub severity: Severity,
    /// Runs whose latest store had it enabled, ascending.
    pub enabled: Vec<i64>,
    /// Runs whose latest store had it disabled, ascending.
    pub disabled: Vec<i64>,
    /// Runs whose latest store records no checker list, ascending (the same
    /// for every checker).
    pub unknown: Vec<i64>,
    /// Closed reports (fixed at some time).
    pub closed: i64,
    /// Open reports.
    pub outstanding: i64,
}

/// Reports of one file with one severity, review status and detection
/// status (a group of CodeChecker's `getFileCountsSummary`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummaryRow {
    /// The file path.
    pub filepath: String,
    /// The checkers' severity.
    pub severity: Severity,
    /// The review status (Thrift numbering).
    pub review_status: ReviewStatus,
    /// The detection status.
    pub detection_status: DetectionStatus,
    /// Reports (distinct bug hashes in unique mode).
    pub count: i64,
}

#[derive(Debug, QueryableByName)]
struct FileSummaryDb {
    #[diesel(sql_type = Text)]
    filepath: String,
    #[diesel(sql_type = BigInt)]
    severity: i64,
    #[diesel(sql_type = BigInt)]
    review: i64,
    #[diesel(sql_type = BigInt)]
    detection: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct TextCount {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct IntCount {
    #[diesel(sql_type = BigInt)]
    k: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct CheckerCountDb {
    #[diesel(sql_type = Text)]
    k: String,
    #[diesel(sql_type = BigInt)]
    severity: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct TagCountDb {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Text)]
    run_name: String,
    #[diesel(sql_type = BigInt)]
    time_us: i64,
    #[diesel(sql_type = Nullable<Text>)]
    version_tag: Option<String>,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct RunCountDb {
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct CheckerDb {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    checker_name: String,
    #[diesel(sql_type = Text)]
    analyzer_name: String,
    #[diesel(sql_type = BigInt)]
    severity: i64,
}

#[derive(Debug, QueryableByName)]
struct CheckerRunDb {
    #[diesel(sql_type = Nullable<BigInt>)]
    checker_id: Option<i64>,
    #[diesel(sql_type = Nullable<Bool>)]
    enabled: Option<bool>,
    #[diesel(sql_type = BigInt)]
    run_id: i64,
}

#[derive(Debug, QueryableByName)]
struct OpenCountDb {
    #[diesel(sql_type = BigInt)]
    checker_id: i64,
    #[diesel(sql_type = BigInt)]
    is_open: i64,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(Debug, QueryableByName)]
struct FailedFilesDb {
    #[diesel(sql_type = Binary)]
    failed_files: Vec<u8>,
    #[diesel(sql_type = Text)]
    run_name: String,
}

/// Whether the report statement must join `checkers` (alias `c`).
fn needs_checkers(f: &ReportFilter, compare: Option<&Compare>) -> bool {
    let set = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| !v.is_empty());
    compare.is_some()
        || set(&f.analyzer_names)
        || set(&f.checker_names)
        || f.severities.as_ref().is_some_and(|v| !v.is_empty())
}

/// Whether the report statement must join `files` (alias `f`).
fn needs_files(f: &ReportFilter, compare: Option<&Compare>) -> bool {
    compare.is_some() || f.file_paths.as_ref().is_some_and(|v| !v.is_empty())
}

/// `FROM reports r [JOIN checkers c] [JOIN files f] WHERE <scope>`: the
/// joins only when the dimension (`checkers`, `files`) or the filter needs
/// them.
fn push_scope(sql: &mut Sql, q: &CountQuery, checkers: bool, files: bool) -> Result<()> {
    push_report_scope(
        sql,
        q.run_ids.as_deref(),
        &q.filter,
        q.compare.as_ref(),
        (checkers, files),
    )
}

/// `FROM reports r [JOIN checkers c] [JOIN files f] WHERE <scope>` for
/// `run_ids`, `filter` and `compare`, joining `checkers` and `files` only
/// when asked (`joins`) or when the filter needs them: a join that nothing
/// reads costs a primary-key lookup per report.
pub(super) fn push_report_scope(
    sql: &mut Sql,
    run_ids: Option<&[i64]>,
    filter: &ReportFilter,
    compare: Option<&Compare>,
    (checkers, files): (bool, bool),
) -> Result<()> {
    sql.push(" FROM reports r");
    if checkers || needs_checkers(filter, compare) {
        sql.push(" JOIN checkers c ON c.id = r.checker_id");
    }
    if files || needs_files(filter, compare) {
        sql.push(" JOIN files f ON f.id = r.file_id");
    }
    sql.push(" WHERE 1 = 1");
    report_scope_sql(sql, run_ids, filter, compare)
}

/// The page `q` asks for of text-keyed counts, owned.
fn owned_page(counts: Vec<(&str, i64)>, q: &CountQuery) -> Vec<(String, i64)> {
    facts::page(counts, q.limit, q.offset)
        .into_iter()
        .map(|(k, n)| (k.to_string(), n))
        .collect()
}

/// The page of `q` of the reports per main file path (`getFileCounts`)
/// among `items`.
fn file_page(
    snap: &facts::Snapshot,
    plan: &facts::Plan,
    items: &[facts::Item<'_>],
    q: &CountQuery,
) -> Vec<(String, i64)> {
    let unique = facts::mode(plan, facts::Unique::DistinctPerGroup);
    // One run: its path ranks are in path order.
    if let [run] = snap.runs.as_slice() {
        let counts = facts::count_ranked(items, unique, run.paths.len(), |i| {
            i.file().map_or(u32::MAX, |f| f.path_rank)
        });
        return ranked_page(counts, &run.paths, q);
    }
    let counts = facts::count_by(items, unique, |i| i.file().map_or("", |f| f.path.as_str()));
    owned_page(counts, q)
}

/// The page `q` asks for of rank-keyed counts, with the ranks' texts.
fn ranked_page(counts: Vec<(u32, i64)>, texts: &[String], q: &CountQuery) -> Vec<(String, i64)> {
    facts::page(counts, q.limit, q.offset)
        .into_iter()
        .map(|(k, n)| (texts.get(k as usize).cloned().unwrap_or_default(), n))
        .collect()
}

/// Which way a dimension counts in unique mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unique {
    /// Each bug hash once, under the greatest value of its reports.
    MaxPerHash,
    /// Each bug hash once per group.
    DistinctPerGroup,
}

/// `SELECT key AS k, count AS n … GROUP BY key ORDER BY key` for the
/// dimension `key` (an expression on `r`, `c`, `f`).
fn grouped(
    sql: &mut Sql,
    q: &CountQuery,
    key: &str,
    unique: Unique,
    (checkers, files): (bool, bool),
) -> Result<()> {
    match (q.filter.is_unique, unique) {
        (true, Unique::MaxPerHash) => {
            sql.push("SELECT u.k AS k, COUNT(*) AS n FROM (SELECT MAX(")
                .push(key)
                .push(") AS k");
            push_scope(sql, q, checkers, files)?;
            sql.push(" GROUP BY r.bug_id) u GROUP BY u.k ORDER BY u.k");
        }
        (true, Unique::DistinctPerGroup) => {
            sql.push("SELECT ")
                .push(key)
                .push(" AS k, COUNT(DISTINCT r.bug_id) AS n");
            push_scope(sql, q, checkers, files)?;
            sql.push(" GROUP BY ")
                .push(key)
                .push(" ORDER BY ")
                .push(key);
        }
        (false, _) => {
            sql.push("SELECT ").push(key).push(" AS k, COUNT(*) AS n");
            push_scope(sql, q, checkers, files)?;
            sql.push(" GROUP BY ")
                .push(key)
                .push(" ORDER BY ")
                .push(key);
        }
    }
    Ok(())
}

/// CodeChecker's condition of an outstanding report as a 0/1 value.
const IS_OUTSTANDING: &str =
    "CAST(CASE WHEN r.review_status IN (0, 1) AND r.detection_status IN (0, 2, 3) THEN 1 ELSE 0 END AS BIGINT)";

/// CodeChecker's `Report.is_open` (no fix date) as a 0/1 value.
const IS_OPEN: &str = "CAST(CASE WHEN r.fixed_at_us IS NULL THEN 1 ELSE 0 END AS BIGINT)";

impl ProductDb {
    /// `answer` from the in-memory facts of `q`'s scope (see
    /// `ProductDb::with_facts`).
    fn counts_from_facts<T>(
        &self,
        q: &CountQuery,
        answer: impl FnOnce(&facts::Snapshot, &facts::Plan, Vec<facts::Item<'_>>) -> Option<T>,
    ) -> Result<Option<T>> {
        let mut conn = self.conn()?;
        self.with_facts(
            &mut conn,
            q.run_ids.as_deref(),
            &q.filter,
            q.compare.as_ref(),
            answer,
        )
    }

    /// Reports per integer key (each bug hash once per group in unique
    /// mode): `key` of the facts, or the SQL expression `column`.
    fn distinct_counts(
        &self,
        q: &CountQuery,
        column: &str,
        key: impl Fn(&facts::Fact) -> i64,
    ) -> Result<Vec<(i64, i64)>> {
        let from_facts = self.counts_from_facts(q, |_, plan, items| {
            Some(facts::count_by(
                &items,
                facts::mode(plan, facts::Unique::DistinctPerGroup),
                |i| key(i.fact),
            ))
        })?;
        match from_facts {
            Some(counts) => Ok(counts),
            None => self.int_counts(q, column, Unique::DistinctPerGroup, (false, false)),
        }
    }

    fn text_counts(
        &self,
        q: &CountQuery,
        key: &str,
        unique: Unique,
        joins: (bool, bool),
        page: bool,
    ) -> Result<Vec<(String, i64)>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        grouped(&mut sql, q, key, unique, joins)?;
        if page {
            push_limit(&mut sql, q.limit, q.offset);
        }
        Ok(sql
            .load::<TextCount>(conn)?
            .into_iter()
            .map(|r| (r.k, r.n))
            .collect())
    }

    fn int_counts(
        &self,
        q: &CountQuery,
        key: &str,
        unique: Unique,
        joins: (bool, bool),
    ) -> Result<Vec<(i64, i64)>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        grouped(&mut sql, q, key, unique, joins)?;
        Ok(sql
            .load::<IntCount>(conn)?
            .into_iter()
            .map(|r| (r.k, r.n))
            .collect())
    }

    /// Reports per checker name and severity, by name (CodeChecker's
    /// `getCheckerCounts`); paged by `q.limit`/`q.offset`.
    pub fn checker_counts(&self, q: &CountQuery) -> Result<Vec<CheckerCountRow>> {
        if let Some(rows) = self.counts_from_facts(q, |snap, plan, items| {
            Some(facts::page(
                facts::checker_counts(snap, &items, plan.unique),
                q.limit,
                q.offset,
            ))
        })? {
            return Ok(rows
                .into_iter()
                .map(|(name, severity, count)| CheckerCountRow {
                    name,
                    severity: severity_of(severity),
                    count,
                })
                .collect());
        }
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        if q.filter.is_unique {
            sql.push(
                "SELECT u.k AS k, MAX(u.s) AS severity, COUNT(*) AS n FROM \
                 (SELECT MAX(c.checker_name) AS k, MAX(c.severity) AS s",
            );
            push_scope(&mut sql, q, true, false)?;
            sql.push(" GROUP BY r.bug_id) u GROUP BY u.k ORDER BY u.k");
        } else {
            sql.push("SELECT c.checker_name AS k, c.severity AS severity, COUNT(*) AS n");
            push_scope(&mut sql, q, true, false)?;
            sql.push(" GROUP BY c.checker_name, c.severity ORDER BY c.checker_name, c.severity");
        }
        push_limit(&mut sql, q.limit, q.offset);
        Ok(sql
            .load::<CheckerCountDb>(conn)?
            .into_iter()
            .map(|r| CheckerCountRow {
                name: r.k,
                severity: severity_of(r.severity),
                count: r.n,
            })
            .collect())
    }

    /// Reports per severity (CodeChecker's `getSeverityCounts`).
    pub fn severity_counts(&self, q: &CountQuery) -> Result<Vec<(Severity, i64)>> {
        if let Some(rows) = self.counts_from_facts(q, |snap, plan, items| {
            Some(facts::count_by(
                &items,
                facts::mode(plan, facts::Unique::MaxPerHash),
                |i| snap.checker(i.fact).severity,
            ))
        })? {
            return Ok(rows.into_iter().map(|(k, n)| (severity_of(k), n)).collect());
        }
        Ok(self
            .int_counts(q, "c.severity", Unique::MaxPerHash, (true, false))?
            .into_iter()
            .map(|(k, n)| (severity_of(k), n))
            .collect())
    }

    /// Reports per analyzer name, by name (CodeChecker's
    /// `getAnalyzerNameCounts`); paged.
    pub fn analyzer_name_counts(&self, q: &CountQuery) -> Result<Vec<(String, i64)>> {
        if let Some(rows) = self.counts_from_facts(q, |snap, plan, items| {
            let names = &snap.checkers.analyzers;
            let counts = facts::count_ranked(
                &items,
                facts::mode(plan, facts::Unique::MaxPerHash),
                names.len(),
                |i| snap.checker(i.fact).analyzer_rank,
            );
            Some(ranked_page(counts, names, q))
        })? {
            return Ok(rows);
        }
        self.text_counts(
            q,
            "c.analyzer_name",
            Unique::MaxPerHash,
            (true, false),
            true,
        )
    }

    /// Reports per checker message, by message (CodeChecker's
    /// `getCheckerMsgCounts`); paged.
    pub fn checker_msg_counts(&self, q: &CountQuery) -> Result<Vec<(String, i64)>> {
        if let Some(rows) = self.counts_from_facts(q, |snap, plan, items| {
            let unique = facts::mode(plan, facts::Unique::MaxPerHash);
            // One run: its messages' indices are in text order.
            if let [run] = snap.runs.as_slice() {
                let counts =
                    facts::count_ranked(&items, unique, run.messages.len(), |i| i.fact.message);
                return Some(ranked_page(counts, &run.messages, q));
            }
            let counts = facts::count_by(&items, unique, |i| {
                i.run
                    .messages
                    .get(i.fact.message as usize)
                    .map_or("", String::as_str)
            });
            Some(owned_page(counts, q))
        })? {
            return Ok(rows);
        }
        self.text_counts(
            q,
            "r.checker_message",
            Unique::MaxPerHash,
            (false, false),
            true,
        )
    }

    /// Reports per main file path, by path (CodeChecker's `getFileCounts`);
    /// paged. Files of the same path with different contents count
    /// together.
    pub fn file_counts(&self, q: &CountQuery) -> Result<Vec<(String, i64)>> {
        if let Some(rows) = self.counts_from_facts(q, |snap, plan, items| {
            Some(file_page(snap, plan, &items, q))
        })? {
            return Ok(rows);
        }
        self.file_counts_sql(q)
    }

    fn file_counts_sql(&self, q: &CountQuery) -> Result<Vec<(String, i64)>> {
        self.text_counts(
            q,
            "f.filepath",
            Unique::DistinctPerGroup,
            (false, true),
            true,
        )
    }

    /// Reports of a page of files (the page of [`ProductDb::file_counts`])
    /// grouped by file, severity, review and detection status (CodeChecker's
    /// `getFileCountsSummary`).
    pub fn file_count_summary(&self, q: &CountQuery) -> Result<Vec<FileSummaryRow>> {
        let from_facts = self.counts_from_facts(q, |snap, plan, items| {
            let paths = file_page(snap, plan, &items, q);
            let page: facts::FastSet<&str> = paths.iter().map(|(p, _)| p.as_str()).collect();
            let items: Vec<facts::Item<'_>> = items
                .into_iter()
                .filter(|i| i.file().is_some_and(|f| page.contains(f.path.as_str())))
                .collect();
            let mut counts = facts::count_by(
                &items,
                facts::mode(plan, facts::Unique::DistinctPerGroup),
                |i| {
                    (
                        i.file().map_or("", |f| f.path.as_str()),
                        snap.checker(i.fact).severity,
                        i64::from(i.fact.review),
                        i64::from(i.fact.detection),
                    )
                },
            );
            counts.sort_unstable();
            Some(
                counts
                    .into_iter()
                    .map(|((path, severity, review, detection), n)| {
                        (path.to_owned(), severity, review, detection, n)
                    })
                    .collect::<Vec<_>>(),
            )
        })?;
        if let Some(rows) = from_facts {
            return rows
                .into_iter()
                .map(|(filepath, severity, review, detection, count)| {
                    Ok(FileSummaryRow {
                        filepath,
                        severity: severity_of(severity),
                        review_status: crate::codec::review_status_of(review)?,
                        detection_status: crate::codec::detection_status_of(detection)?,
                        count,
                    })
                })
                .collect();
        }
        let paths: Vec<String> = self
            .file_counts_sql(q)?
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        sql.push(if q.filter.is_unique {
            "SELECT f.filepath AS filepath, c.severity AS severity, r.review_status AS review, \
             r.detection_status AS detection, COUNT(DISTINCT r.bug_id) AS n"
        } else {
            "SELECT f.filepath AS filepath, c.severity AS severity, r.review_status AS review, \
             r.detection_status AS detection, COUNT(*) AS n"
        });
        push_scope(&mut sql, q, true, true)?;
        sql.push(" AND f.filepath IN ").bind_list(paths);
        sql.push(
            " GROUP BY f.filepath, c.severity, r.review_status, r.detection_status \
             ORDER BY f.filepath, c.severity, r.review_status, r.detection_status",
        );
        sql.load::<FileSummaryDb>(conn)?
            .into_iter()
            .map(|r| {
                let detection = crate::codec::detection_status_of(r.detection)?;
                let review = crate::codec::review_status_of(r.review)?;
                Ok(FileSummaryRow {
                    filepath: r.filepath,
                    severity: severity_of(r.severity),
                    review_status: review,
                    detection_status: detection,
                    count: r.n,
                })
            })
            .collect()
    }

    /// Reports per detection status (CodeChecker's
    /// `getDetectionStatusCounts`).
    pub fn detection_status_counts(&self, q: &CountQuery) -> Result<Vec<(DetectionStatus, i64)>> {
        self.distinct_counts(q, "r.detection_status", |f| i64::from(f.detection))?
            .into_iter()
            .map(|(k, n)| {
                let s = crate::codec::detection_status_of(k)?;
                Ok((s, n))
            })
            .collect()
    }

    /// Reports per review status (CodeChecker's `getReviewStatusCounts`).
    pub fn review_status_counts(&self, q: &CountQuery) -> Result<Vec<(ReviewStatus, i64)>> {
        self.distinct_counts(q, "r.review_status", |f| i64::from(f.review))?
            .into_iter()
            .map(|(k, n)| {
                let s = crate::codec::review_status_of(k)?;
                Ok((s, n))
            })
            .collect()
    }

    /// Outstanding and closed reports (CodeChecker's
    /// `getReportStatusCounts`); a status without reports is absent.
    pub fn report_status_counts(&self, q: &CountQuery) -> Result<Vec<(ReportStatus, i64)>> {
        Ok(self
            .distinct_counts(q, IS_OUTSTANDING, facts::outstanding_key)?
            .into_iter()
            .map(|(k, n)| {
                let s = if k == 1 {
                    ReportStatus::Outstanding
                } else {
                    ReportStatus::Closed
                };
                (s, n)
            })
            .collect())
    }

    /// Every history entry of the runs of `q.run_ids` (only those of the
    /// filter's `run_tags` when set), newest first, with the number of
    /// reports of the scope open at its time (CodeChecker's
    /// `getRunHistoryTagCounts`); paged.
    pub fn run_history_tag_counts(&self, q: &CountQuery) -> Result<Vec<RunTagCountRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        if self.facts().is_some() {
            let histories = history_entries(conn, q)?;
            let from_facts = self.with_facts(
                conn,
                q.run_ids.as_deref(),
                &q.filter,
                q.compare.as_ref(),
                |_, plan, items| {
                    Some(
                        histories
                            .iter()
                            .map(|h| {
                                let open: Vec<facts::Item<'_>> = items
                                    .iter()
                                    .filter(|i| {
                                        i.run.run_id == h.run_id && i.fact.open_at(h.time_us)
                                    })
                                    .copied()
                                    .collect();
                                facts::total(&open, plan.unique)
                            })
                            .collect::<Vec<i64>>(),
                    )
                },
            )?;
            if let Some(counts) = from_facts {
                return histories
                    .into_iter()
                    .zip(counts)
                    .map(|(h, n)| tag_count_row(TagCountDb { n, ..h }))
                    .collect();
            }
        }
        let mut sql = Sql::new(conn);
        sql.push("SELECT h.id, h.run_id, hr.name AS run_name, h.time_us, h.version_tag, (SELECT ")
            .push(if q.filter.is_unique {
                "COUNT(DISTINCT r.bug_id)"
            } else {
                "COUNT(*)"
            });
        push_scope(&mut sql, q, false, false)?;
        sql.push(
            " AND r.run_id = h.run_id AND r.detected_at_us <= h.time_us \
             AND (r.fixed_at_us IS NULL OR r.fixed_at_us > h.time_us)) AS n",
        );
        push_history_entries(&mut sql, q);
        sql.load::<TagCountDb>(conn)?
            .into_iter()
            .map(tag_count_row)
            .collect()
    }

    /// Reports per run, by run name (CodeChecker's `getRunReportCounts`;
    /// `q.compare` is not used); paged.
    pub fn run_report_counts(&self, q: &CountQuery) -> Result<Vec<RunReportCountRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        let q = CountQuery {
            compare: None,
            ..q.clone()
        };
        let from_facts = self.with_facts(
            conn,
            q.run_ids.as_deref(),
            &q.filter,
            None,
            |_, plan, items| {
                let mut per_run: BTreeMap<i64, Vec<facts::Item<'_>>> = BTreeMap::new();
                for i in items {
                    per_run.entry(i.run.run_id).or_default().push(i);
                }
                Some(
                    per_run
                        .into_iter()
                        .map(|(run, items)| (run, facts::total(&items, plan.unique)))
                        .collect::<Vec<(i64, i64)>>(),
                )
            },
        )?;
        if let Some(counts) = from_facts {
            let mut names = Sql::with(
                conn,
                "SELECT id AS run_id, name, CAST(0 AS BIGINT) AS n FROM runs WHERE id IN ",
            );
            names.bind_list(counts.iter().map(|(id, _)| *id));
            let names: HashMap<i64, String> = names
                .load::<RunCountDb>(conn)?
                .into_iter()
                .map(|r| (r.run_id, r.name))
                .collect();
            let mut rows: Vec<RunReportCountRow> = counts
                .into_iter()
                .filter_map(|(run_id, count)| {
                    names.get(&run_id).map(|name| RunReportCountRow {
                        run_id,
                        name: name.clone(),
                        count,
                    })
                })
                .collect();
            rows.sort_by(|a, b| a.name.cmp(&b.name).then(a.run_id.cmp(&b.run_id)));
            return Ok(facts::page(rows, q.limit, q.offset));
        }
        sql.push("SELECT r.run_id, ru.name, ")
            .push(if q.filter.is_unique {
                "COUNT(DISTINCT r.bug_id)"
            } else {
                "COUNT(*)"
            })
            .push(" AS n FROM (SELECT r.run_id, r.bug_id");
        push_scope(&mut sql, &q, false, false)?;
        sql.push(
            ") r JOIN runs ru ON ru.id = r.run_id GROUP BY r.run_id, ru.name ORDER BY ru.name, r.run_id",
        );
        push_limit(&mut sql, q.limit, q.offset);
        Ok(sql
            .load::<RunCountDb>(conn)?
            .into_iter()
            .map(|r| RunReportCountRow {
                run_id: r.run_id,
                name: r.name,
                count: r.n,
            })
            .collect())
    }

    /// The distinct annotation values of the scope's reports, ascending
    /// (CodeChecker's `getReportAnnotations`). With an annotation filter,
    /// only the values of its key that match it (nothing when it names
    /// more than one key, as CodeChecker answers).
    pub fn report_annotation_values(&self, q: &CountQuery) -> Result<Vec<String>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        let pairs = q.filter.annotations.as_deref().unwrap_or_default();
        let keys: BTreeSet<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
        if keys.len() > 1 {
            return Ok(Vec::new());
        }
        sql.push(
            "SELECT DISTINCT ra.value AS v FROM report_annotations ra WHERE ra.report_id IN (SELECT r.id",
        );
        push_scope(&mut sql, q, false, false)?;
        sql.push(")");
        if let Some(key) = keys.first() {
            let op = sql.ilike();
            sql.push(" AND ra.key = ").bind(*key).push(" AND (");
            for (i, (_, v)) in pairs.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push("ra.value")
                    .push(op)
                    .bind(crate::sql::like_pattern(v));
            }
            sql.push(")");
        }
        sql.push(" ORDER BY ra.value");
        Ok(sql
            .load::<TextRow>(conn)?
            .into_iter()
            .map(|r| r.v)
            .collect())
    }

    /// The files that failed to analyse in the latest store of each run of
    /// `run_ids` (every run when empty), with the names of the runs
    /// (CodeChecker's `getFailedFiles`).
    pub fn failed_files(&self, run_ids: Option<&[i64]>) -> Result<BTreeMap<String, Vec<String>>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        sql.push(
            "SELECT s.failed_files, ru.name AS run_name FROM analyzer_statistics s \
             JOIN (SELECT MAX(id) AS hid, run_id FROM run_histories WHERE 1 = 1",
        );
        if let Some(ids) = run_ids.filter(|v| !v.is_empty()) {
            sql.push(" AND run_id IN ").bind_list(ids.iter().copied());
        }
        sql.push(
            " GROUP BY run_id) m ON m.hid = s.run_history_id JOIN runs ru ON ru.id = m.run_id \
             WHERE s.failed_files IS NOT NULL ORDER BY s.id",
        );
        let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for row in sql.load::<FailedFilesDb>(conn)? {
            let text = decompress_text(&row.failed_files)?;
            for file in text.split('\n') {
                let runs = out.entry(file.to_owned()).or_default();
                if !runs.contains(&row.run_name) {
                    runs.push(row.run_name.clone());
                }
            }
        }
        Ok(out)
    }

    /// Every checker of the product with the runs (of `run_ids`, every run
    /// when empty) whose latest store enabled or disabled it, and its open
    /// and closed reports in those runs (CodeChecker's
    /// `getCheckerStatusVerificationDetails`, which looks at no report
    /// filter field but `is_unique`). In checker id order.
    pub fn checker_status_details(
        &self,
        run_ids: Option<&[i64]>,
        unique: bool,
    ) -> Result<Vec<CheckerStatusRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let run_ids = run_ids.filter(|v| !v.is_empty());
        let checkers: Vec<CheckerDb> = Sql::with(
            conn,
            "SELECT id, checker_name, analyzer_name, severity FROM checkers ORDER BY id",
        )
        .load(conn)?;
        let (runs_of, unknown) = checker_runs(conn, run_ids)?;
        let filter = ReportFilter {
            is_unique: unique,
            ..ReportFilter::default()
        };
        let from_facts = self.with_facts(conn, run_ids, &filter, None, |snap, plan, items| {
            let mut open: HashMap<i64, (i64, i64)> = HashMap::new();
            let counts = facts::count_by(
                &items,
                facts::mode(plan, facts::Unique::DistinctPerGroup),
                |i| (snap.checker(i.fact).id, i.fact.fixed_at == i64::MAX),
            );
            for ((checker, is_open), n) in counts {
                let entry = open.entry(checker).or_default();
                if is_open {
                    entry.0 = n;
                } else {
                    entry.1 = n;
                }
            }
            Some(open)
        })?;
        let open = match from_facts {
            Some(open) => open,
            None => open_counts(conn, run_ids, unique)?,
        };
        Ok(checkers
            .into_iter()
            .map(|c| {
                let (enabled, disabled) = runs_of.get(&c.id).cloned().unwrap_or_default();
                let (outstanding, closed) = open.get(&c.id).copied().unwrap_or_default();
                CheckerStatusRow {
                    id: c.id,
                    checker_name: c.checker_name,
                    analyzer_name: c.analyzer_name,
                    severity: severity_of(c.severity),
                    enabled: enabled.into_iter().collect(),
                    disabled: disabled.into_iter().collect(),
                    unknown: unknown.iter().copied().collect(),
                    closed,
                    outstanding,
                }
            })
            .collect())
    }
}

/// The history entries `run_history_tag_counts` lists, newest first, with a
/// count of 0.
fn history_entries(conn: &mut AnyConnection, q: &CountQuery) -> Result<Vec<TagCountDb>> {
    let mut sql = Sql::with(
        conn,
        "SELECT h.id, h.run_id, hr.name AS run_name, h.time_us, h.version_tag, \
         CAST(0 AS BIGINT) AS n",
    );
    push_history_entries(&mut sql, q);
    Ok(sql.load(conn)?)
}

/// ` FROM run_histories h JOIN runs hr … ORDER BY … LIMIT …`: the history
/// entries of `q`'s runs (and tags), newest first, paged.
fn push_history_entries(sql: &mut Sql, q: &CountQuery) {
    sql.push(" FROM run_histories h JOIN runs hr ON hr.id = h.run_id WHERE 1 = 1");
    if let Some(ids) = q.run_ids.as_ref().filter(|v| !v.is_empty()) {
        sql.push(" AND h.run_id IN ").bind_list(ids.iter().copied());
    }
    if let Some(tags) = &q.filter.run_tags {
        sql.push(" AND h.id IN ").bind_list(tags.iter().copied());
    }
    sql.push(" ORDER BY h.time_us DESC, h.id DESC");
    push_limit(sql, q.limit, q.offset);
}

fn tag_count_row(r: TagCountDb) -> Result<RunTagCountRow> {
    Ok(RunTagCountRow {
        id: r.id,
        run_id: r.run_id,
        run_name: r.run_name,
        time: from_micros(r.time_us)?,
        tag: r.version_tag,
        count: r.n,
    })
}

/// Per checker: the runs enabling and disabling it in their latest store;
/// and the runs whose latest store has no checker list.
#[allow(clippy::type_complexity)]
fn checker_runs(
    conn: &mut AnyConnection,
    run_ids: Option<&[i64]>,
) -> Result<(HashMap<i64, (BTreeSet<i64>, BTreeSet<i64>)>, BTreeSet<i64>)> {
    let mut sql = Sql::with(
        conn,
        // The checker sets of each run's latest store first (a store has
        // an analysis per analysed file, but they share a few sets), then
        // their checkers.
        "SELECT DISTINCT i.checker_id, i.enabled, s.run_id FROM \
         (SELECT DISTINCT h.run_id, a.checker_set_id FROM run_histories h \
         LEFT JOIN run_history_analysis_info ha ON ha.run_history_id = h.id \
         LEFT JOIN analysis_info a ON a.id = ha.analysis_info_id \
         WHERE h.id IN (SELECT MAX(id) FROM run_histories WHERE 1 = 1",
    );
    if let Some(ids) = run_ids {
        sql.push(" AND run_id IN ").bind_list(ids.iter().copied());
    }
    sql.push(
        " GROUP BY run_id)) s LEFT JOIN checker_set_items i ON i.checker_set_id = s.checker_set_id",
    );
    let mut runs: HashMap<i64, (BTreeSet<i64>, BTreeSet<i64>)> = HashMap::new();
    let mut unknown = BTreeSet::new();
    for row in sql.load::<CheckerRunDb>(conn)? {
        match row.checker_id {
            Some(id) => {
                let entry = runs.entry(id).or_default();
                if row.enabled.unwrap_or(false) {
                    entry.0.insert(row.run_id);
                } else {
                    entry.1.insert(row.run_id);
                }
            }
            None => {
                unknown.insert(row.run_id);
            }
        }
    }
    Ok((runs, unknown))
}

/// Per checker: (open, closed) reports of `run_ids`.
fn open_counts(
    conn: &mut AnyConnection,
    run_ids: Option<&[i64]>,
    unique: bool,
) -> Result<HashMap<i64, (i64, i64)>> {
    let mut sql = Sql::with(conn, "SELECT r.checker_id, ");
    sql.push(IS_OPEN)
        .push(" AS is_open, ")
        .push(if unique {
            "COUNT(DISTINCT r.bug_id) AS n"
        } else {
            "COUNT(*) AS n"
        })
        .push(" FROM reports r WHERE 1 = 1");
    if let Some(ids) = run_ids {
        sql.push(" AND r.run_id IN ").bind_list(ids.iter().copied());
    }
    sql.push(" GROUP BY r.checker_id, ").push(IS_OPEN);
    let mut out: HashMap<i64, (i64, i64)> = HashMap::new();
    for row in sql.load::<OpenCountDb>(conn)? {
        let entry = out.entry(row.checker_id).or_default();
        if row.is_open == 1 {
            entry.0 = row.n;
        } else {
            entry.1 = row.n;
        }
    }
    Ok(out)
}

fn severity_of(v: i64) -> Severity {
    i32::try_from(v)
        .ok()
        .and_then(Severity::from_thrift)
        .unwrap_or_default()
}
