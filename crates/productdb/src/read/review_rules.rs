//! Listing review status rules (CodeChecker's `getReviewStatusRules`), with
//! the number of reports carrying each rule's bug hash.

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{
    review_status_from_thrift, review_status_to_thrift, ReviewRuleListRow, ReviewRuleQuery,
    ReviewRuleRow, ReviewRuleSortKey,
};
use crate::sql::{like_pattern, Sql};
use crate::time::from_micros;

#[derive(Debug, QueryableByName)]
struct RuleCountRow {
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

/// Reports carrying the rule's bug hash.
const REPORT_COUNT: &str = "(SELECT COUNT(*) FROM reports r WHERE r.bug_id = rs.bug_hash)";

impl ProductDb {
    /// Review status rules matching `q`, each with its report count.
    pub fn review_rules(&self, q: &ReviewRuleQuery) -> Result<Vec<ReviewRuleListRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::new(conn);
        sql.push("SELECT rs.bug_hash, rs.status, rs.author, rs.message, rs.date_us, ")
            .push(REPORT_COUNT)
            .push(" AS report_count FROM review_statuses rs WHERE 1 = 1");
        if let Some(hashes) = q.bug_hashes.as_ref().filter(|h| !h.is_empty()) {
            hash_patterns(&mut sql, hashes);
        }
        if let Some(statuses) = &q.statuses {
            sql.push(" AND rs.status IN ").bind_list(
                statuses
                    .iter()
                    .map(|s| i64::from(review_status_to_thrift(*s))),
            );
        }
        if let Some(authors) = q.authors.as_ref().filter(|a| !a.is_empty()) {
            let op = sql.ilike();
            sql.push(" AND (");
            for (i, a) in authors.iter().enumerate() {
                if i > 0 {
                    sql.push(" OR ");
                }
                sql.push("rs.author").push(op).bind(like_pattern(a));
            }
            sql.push(")");
        }
        if q.no_associated_reports {
            sql.push(" AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.bug_id = rs.bug_hash)");
        }
        if let Some((key, descending)) = q.sort {
            let expr = match key {
                ReviewRuleSortKey::BugHash => "rs.bug_hash",
                ReviewRuleSortKey::Author => "rs.author",
                ReviewRuleSortKey::Date => "rs.date_us",
                ReviewRuleSortKey::AssociatedReports => "report_count",
                // CodeChecker's enum column: declaration order on
                // PostgreSQL, by name on SQLite.
                ReviewRuleSortKey::Status if sql.is_pg() => "rs.status",
                ReviewRuleSortKey::Status => {
                    "CASE rs.status WHEN 1 THEN 0 WHEN 2 THEN 1 WHEN 3 THEN 2 ELSE 3 END"
                }
            };
            let dir = if descending { " DESC" } else { " ASC" };
            sql.push(" ORDER BY ")
                .push(expr)
                .push(dir)
                .push(", rs.bug_hash")
                .push(dir);
        }
        if let Some(limit) = q.limit.filter(|l| *l > 0) {
            sql.push(" LIMIT ")
                .bind(limit)
                .push(" OFFSET ")
                .bind(q.offset.max(0));
        }
        sql.load::<RuleCountRow>(conn)?
            .into_iter()
            .map(|r| {
                let status = i32::try_from(r.status)
                    .ok()
                    .and_then(review_status_from_thrift)
                    .ok_or_else(|| Error::Corrupt(format!("review status {}", r.status)))?;
                Ok(ReviewRuleListRow {
                    rule: ReviewRuleRow {
                        bug_hash: r.bug_hash,
                        status,
                        author: r.author,
                        message: r.message,
                        date: from_micros(r.date_us)?,
                    },
                    report_count: r.report_count,
                })
            })
            .collect()
    }
}

/// ` AND (…)`: the rule's hash matches one of `hashes` case-insensitively,
/// `*` a wildcard (CodeChecker's `ILIKE conv(hash)`). Plain hashes, the
/// usual case and possibly a whole analysis' worth, are compared as one set.
fn hash_patterns(sql: &mut Sql, hashes: &[String]) {
    let (patterns, plain): (Vec<&String>, Vec<&String>) = hashes
        .iter()
        .partition(|h| h.contains(['*', '%', '_', '\\']));
    let plain: Vec<String> = plain.iter().map(|h| h.to_lowercase()).collect();
    let op = sql.ilike();
    sql.push(" AND (");
    let mut first = true;
    for p in patterns {
        if !first {
            sql.push(" OR ");
        }
        first = false;
        sql.push("rs.bug_hash").push(op).bind(like_pattern(p));
    }
    if !plain.is_empty() {
        if !first {
            sql.push(" OR ");
        }
        sql.in_texts("LOWER(rs.bug_hash)", &plain, false);
    }
    sql.push(")");
}
