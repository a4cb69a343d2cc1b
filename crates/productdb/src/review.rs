//! Review statuses changed after a store: one report's status
//! (CodeChecker's `changeReviewStatus`) and review status rules by bug hash
//! (`addReviewStatusRule`, `getReviewStatusRules`, `removeReviewStatusRules`),
//! which apply to every report of the hash in every run, now and in later
//! stores (see `store::finish`), unless a source code comment set the
//! report's status.

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{
    review_status_to_thrift, ReviewRuleChange, ReviewRuleFilter, ReviewRuleListing, ReviewRuleRow,
    ReviewRuleSort, ReviewRuleSortKey, ReviewStatus,
};
use crate::read::runs::push_limit;
use crate::sql::{like_pattern, Sql, TextRow};
use crate::system_comment;
use crate::time::{from_micros, now, to_micros};

/// Detection statuses of a report that is still there (new, unresolved,
/// reopened).
const OPEN_DETECTION: &str = "(0, 2, 3)";
/// Review statuses that close a report (false positive, intentional).
const CLOSED_REVIEW: &str = "(2, 3)";
/// How many bug hash patterns CodeChecker puts into one rule query.
const HASH_CHUNK: usize = 999;

#[derive(Debug, QueryableByName)]
struct ReportReview {
    #[diesel(sql_type = BigInt)]
    detection_status: i64,
    #[diesel(sql_type = BigInt)]
    review_status: i64,
}

#[derive(Debug, QueryableByName)]
struct RuleState {
    #[diesel(sql_type = BigInt)]
    status: i64,
    #[diesel(sql_type = Text)]
    message: String,
}

#[derive(Debug, QueryableByName)]
struct ListedRule {
    #[diesel(sql_type = Text)]
    bug_hash: String,
    #[diesel(sql_type = BigInt)]
    status: i64,
    #[diesel(sql_type = Text)]
    author: String,
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = BigInt)]
    date_us: i64,
    #[diesel(sql_type = BigInt)]
    report_count: i64,
}

fn status_of(v: i64) -> Result<ReviewStatus> {
    crate::codec::review_status_of(v)
}

fn status_value(s: ReviewStatus) -> i64 {
    i64::from(review_status_to_thrift(s))
}

impl ProductDb {
    /// Sets the review status of one report, as CodeChecker's
    /// `changeReviewStatus` does: only that report changes (no rule, no
    /// system comment). Like CodeChecker 6.29.1, a closing status does not
    /// set the report's fix date, while any change clears the fix date of
    /// a report that a review had closed but whose detection is open.
    pub fn change_report_review(
        &self,
        report_id: i64,
        status: ReviewStatus,
        message: &str,
        author: &str,
    ) -> Result<()> {
        let date = to_micros(now());
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "SELECT detection_status, review_status FROM reports WHERE id = ",
            );
            sql.bind(report_id);
            let Some(current) = sql.load::<ReportReview>(conn)?.into_iter().next() else {
                return Err(Error::NotFound {
                    what: "report",
                    key: report_id.to_string(),
                });
            };
            let open = matches!(current.detection_status, 0 | 2 | 3);
            let closed_by_review = matches!(current.review_status, 2 | 3);
            let mut sql = Sql::with(conn, "UPDATE reports SET review_status = ");
            sql.bind(status_value(status))
                .push(", review_status_author = ")
                .bind(author)
                .push(", review_status_message = ")
                .bind(message)
                .push(", review_status_date_us = ")
                .bind(date);
            if open && closed_by_review {
                sql.push(", fixed_at_us = NULL");
            }
            sql.push(" WHERE id = ").bind(report_id);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// Sets the review status rule of a bug hash and applies it to every
    /// report of the hash without a status from a source code comment, with
    /// a system comment recording the change (CodeChecker's
    /// `addReviewStatusRule`). Setting the same status and the same
    /// non-empty message again changes nothing.
    pub fn add_review_rule(&self, change: &ReviewRuleChange) -> Result<()> {
        self.write(|conn| set_rule(conn, change))
    }

    /// Review status rules matching `filter` with their report counts,
    /// ordered by `sort` (CodeChecker's default: newest first), a page of
    /// `limit` rules from `offset` when `limit` is given. Many bug hash
    /// patterns are looked up in chunks, each chunk paged on its own, as
    /// CodeChecker does.
    pub fn review_rules(
        &self,
        filter: &ReviewRuleFilter,
        sort: Option<ReviewRuleSort>,
        limit: Option<i64>,
        offset: i64,
    ) -> Result<Vec<ReviewRuleListing>> {
        let sort = sort.unwrap_or(ReviewRuleSort {
            key: ReviewRuleSortKey::Date,
            descending: true,
        });
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut out = Vec::new();
        let chunks: Vec<Option<&[String]>> = match filter.report_hashes.as_deref() {
            Some(h) if !h.is_empty() => h.chunks(HASH_CHUNK).map(Some).collect(),
            _ => vec![None],
        };
        for hashes in chunks {
            let mut sql = Sql::with(
                conn,
                "SELECT rs.bug_hash, rs.status, rs.author, rs.message, rs.date_us, \
                 COUNT(r.id) AS report_count",
            );
            rule_query(&mut sql, filter, hashes);
            let order = sort_expr(&sql, sort.key);
            sql.push(" ORDER BY ")
                .push(&order)
                .push(if sort.descending { " DESC" } else { " ASC" })
                .push(", rs.bug_hash");
            push_limit(&mut sql, limit, offset);
            for r in sql.load::<ListedRule>(conn)? {
                out.push(ReviewRuleListing {
                    rule: ReviewRuleRow {
                        bug_hash: r.bug_hash,
                        status: status_of(r.status)?,
                        author: r.author,
                        message: r.message,
                        date: from_micros(r.date_us)?,
                    },
                    associated_reports: r.report_count,
                });
            }
        }
        Ok(out)
    }

    /// The number of review status rules matching `filter`.
    pub fn review_rule_count(&self, filter: &ReviewRuleFilter) -> Result<i64> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        Ok(matching_hashes(conn, filter)?.len() as i64)
    }

    /// Removes the review status rules matching `filter`; the reports of
    /// their hashes without a status from a source code comment become
    /// unreviewed, with no fix date (as CodeChecker does, whatever their
    /// detection status). Returns how many rules were removed.
    pub fn remove_review_rules(&self, filter: &ReviewRuleFilter) -> Result<usize> {
        self.write(|conn| {
            let hashes = matching_hashes(conn, filter)?;
            for hash in &hashes {
                let mut sql = Sql::with(conn, "DELETE FROM review_statuses WHERE bug_hash = ");
                sql.bind(hash.as_str());
                sql.execute(conn)?;
                let mut sql = Sql::with(
                    conn,
                    "UPDATE reports SET review_status = 0, review_status_author = NULL, \
                     review_status_message = NULL, review_status_date_us = NULL, \
                     fixed_at_us = NULL WHERE review_status_is_in_source = ",
                );
                sql.bind(false).push(" AND bug_id = ").bind(hash.as_str());
                sql.execute(conn)?;
            }
            Ok(hashes.len())
        })
    }
}

/// `FROM … WHERE … GROUP BY … [HAVING …]` of a rule query (CodeChecker's
/// `get_rs_rule_query`), with `hashes` in place of the filter's hashes.
fn rule_query(sql: &mut Sql, filter: &ReviewRuleFilter, hashes: Option<&[String]>) {
    sql.push(" FROM review_statuses rs LEFT JOIN reports r ON r.bug_id = rs.bug_hash WHERE 1 = 1");
    let op = sql.ilike();
    if let Some(hashes) = hashes.filter(|h| !h.is_empty()) {
        // Plain hashes as one `IN` list, patterns against one bound table:
        // a thousand `OR`s would exceed SQLite's expression depth.
        let (patterns, exact): (Vec<&String>, Vec<&String>) =
            hashes.iter().partition(|h| h.contains(['*', '%', '_']));
        let patterns: Vec<String> = patterns.into_iter().map(|p| like_pattern(p)).collect();
        sql.push(" AND (").in_texts("rs.bug_hash", &exact, false);
        if !patterns.is_empty() {
            sql.push(" OR EXISTS (SELECT 1 FROM ")
                .text_table(&patterns)
                .push(" hp WHERE rs.bug_hash")
                .push(op)
                .push("hp.v)");
        }
        sql.push(")");
    }
    if let Some(statuses) = &filter.statuses {
        sql.push(" AND rs.status IN ")
            .bind_list(statuses.iter().map(|s| status_value(*s)));
    }
    if let Some(authors) = filter.authors.as_ref().filter(|a| !a.is_empty()) {
        sql.push(" AND (");
        for (i, a) in authors.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            sql.push("rs.author").push(op).bind(like_pattern(a));
        }
        sql.push(")");
    }
    sql.push(" GROUP BY rs.bug_hash, rs.status, rs.author, rs.message, rs.date_us");
    if filter.no_associated_reports {
        sql.push(" HAVING COUNT(r.id) = 0");
    }
}

/// The ORDER BY expression of a rule sort key. CodeChecker stores statuses
/// as text on SQLite (alphabetical order) and as an enumeration on
/// PostgreSQL (declaration order, our numeric order).
fn sort_expr(sql: &Sql, key: ReviewRuleSortKey) -> String {
    match key {
        ReviewRuleSortKey::ReportHash => "rs.bug_hash".into(),
        ReviewRuleSortKey::Status if sql.is_pg() => "rs.status".into(),
        ReviewRuleSortKey::Status => {
            "CASE rs.status WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 2 ELSE 3 END".into()
        }
        ReviewRuleSortKey::Author => "rs.author".into(),
        ReviewRuleSortKey::Date => "rs.date_us".into(),
        ReviewRuleSortKey::AssociatedReportsCount => "COUNT(r.id)".into(),
    }
}

/// The bug hashes of the rules matching `filter`.
fn matching_hashes(conn: &mut AnyConnection, filter: &ReviewRuleFilter) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let chunks: Vec<Option<&[String]>> = match filter.report_hashes.as_deref() {
        Some(h) if !h.is_empty() => h.chunks(HASH_CHUNK).map(Some).collect(),
        _ => vec![None],
    };
    for hashes in chunks {
        let mut sql = Sql::with(conn, "SELECT rs.bug_hash AS v");
        rule_query(&mut sql, filter, hashes);
        out.extend(sql.load::<TextRow>(conn)?.into_iter().map(|r| r.v));
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// CodeChecker's `_setReviewStatus` inside the caller's transaction.
pub(crate) fn set_rule(conn: &mut AnyConnection, change: &ReviewRuleChange) -> Result<()> {
    let mut sql = Sql::with(
        conn,
        "SELECT status, message FROM review_statuses WHERE bug_hash = ",
    );
    sql.bind(change.bug_hash.as_str());
    let old = sql.load::<RuleState>(conn)?.into_iter().next();
    let old_status = match &old {
        Some(o) => status_of(o.status)?,
        None => ReviewStatus::Unreviewed,
    };
    let new_message = change.message.clone().unwrap_or_default();
    // An empty stored message never counts as "unchanged" (CodeChecker
    // compares `message or None` with the new message bytes).
    let old_message = old
        .as_ref()
        .map(|o| o.message.as_str())
        .filter(|m| !m.is_empty());
    if old_status == change.status && old_message == Some(new_message.as_str()) {
        return Ok(());
    }
    let date = to_micros(change.date.unwrap_or_else(now));
    let status = status_value(change.status);

    let mut sql = Sql::with(
        conn,
        "INSERT INTO review_statuses (bug_hash, status, author, message, date_us) VALUES (",
    );
    sql.bind(change.bug_hash.as_str())
        .push(", ")
        .bind(status)
        .push(", ")
        .bind(change.author.as_str())
        .push(", ")
        .bind(new_message.as_str())
        .push(", ")
        .bind(date)
        .push(
            ") ON CONFLICT (bug_hash) DO UPDATE SET status = excluded.status, \
             author = excluded.author, message = excluded.message, date_us = excluded.date_us",
        );
    sql.execute(conn)?;

    let text =
        system_comment::review_status_changed(old_status, change.status, change.message.as_deref());
    insert_comment(
        conn,
        &change.bug_hash,
        &change.author,
        &text,
        system_comment::SYSTEM,
        date,
    )?;

    // Closing reviews set the fix date of open reports that were not closed
    // by a review yet; other reviews reopen the ones a review had closed.
    let mut sql = Sql::with(conn, "UPDATE reports SET fixed_at_us = ");
    if change.status.is_closed() {
        sql.bind(date).push(&format!(
            " WHERE detection_status IN {OPEN_DETECTION} AND review_status NOT IN {CLOSED_REVIEW}"
        ));
    } else {
        sql.push(&format!(
            "NULL WHERE detection_status IN {OPEN_DETECTION} AND review_status IN {CLOSED_REVIEW}"
        ));
    }
    sql.push(" AND review_status_is_in_source = ")
        .bind(false)
        .push(" AND bug_id = ")
        .bind(change.bug_hash.as_str());
    sql.execute(conn)?;

    let mut sql = Sql::with(conn, "UPDATE reports SET review_status = ");
    sql.bind(status)
        .push(", review_status_author = ")
        .bind(change.author.as_str())
        .push(", review_status_message = ")
        .bind(new_message.as_str())
        .push(", review_status_date_us = ")
        .bind(date)
        .push(" WHERE review_status_is_in_source = ")
        .bind(false)
        .push(" AND bug_id = ")
        .bind(change.bug_hash.as_str());
    sql.execute(conn)?;
    Ok(())
}

/// Inserts a comment on `bug_hash`.
pub(crate) fn insert_comment(
    conn: &mut AnyConnection,
    bug_hash: &str,
    author: &str,
    message: &str,
    kind: i64,
    created_at_us: i64,
) -> Result<()> {
    let mut sql = Sql::with(
        conn,
        "INSERT INTO comments (bug_hash, author, message, kind, created_at_us) VALUES (",
    );
    sql.bind(bug_hash)
        .push(", ")
        .bind(author)
        .push(", ")
        .bind(message)
        .push(", ")
        .bind(kind)
        .push(", ")
        .bind(created_at_us)
        .push(")");
    sql.execute(conn)?;
    Ok(())
}
