//! Moving reviews between servers (CodeChecker's `exportData` and
//! `importData`, behind `CodeChecker cmd export` / `cmd import`): comments
//! and review statuses keyed by bug hash. An import applies everything in
//! one transaction; bug hashes without reports are accepted as CodeChecker
//! accepts them (their comments and review status rules wait for reports).

use std::collections::{HashMap, HashSet};

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{
    review_status_from_thrift, CommentRow, ExportRows, ImportRows, ReviewRow, ReviewRuleChange,
    RunFilter,
};
use crate::read::runs::run_filter_sql;
use crate::review::{insert_comment, set_rule};
use crate::sql::{Sql, MAX_BINDS};
use crate::time::{from_micros, opt_from_micros, python_str, to_micros};

#[derive(Debug, QueryableByName)]
struct ExportedComment {
    #[diesel(sql_type = Nullable<Text>)]
    report_hash: Option<String>,
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

#[derive(Debug, QueryableByName)]
struct ExportedReview {
    #[diesel(sql_type = Text)]
    bug_id: String,
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
}

#[derive(Debug, QueryableByName)]
struct ExistingComment {
    #[diesel(sql_type = Text)]
    bug_hash: String,
    #[diesel(sql_type = Text)]
    message: String,
    #[diesel(sql_type = BigInt)]
    kind: i64,
    #[diesel(sql_type = BigInt)]
    created_at_us: i64,
}

#[derive(Debug, QueryableByName)]
struct ExistingRule {
    #[diesel(sql_type = Text)]
    bug_hash: String,
    #[diesel(sql_type = BigInt)]
    date_us: i64,
}

impl ProductDb {
    /// Comments and review statuses of the runs `filter` selects (every
    /// run with an empty filter), as CodeChecker's `exportData` gathers
    /// them.
    pub fn export_reviews(&self, filter: &RunFilter) -> Result<ExportRows> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT rep.bug_id AS report_hash, cm.id, cm.author, cm.message, cm.kind, \
             cm.created_at_us FROM comments cm \
             LEFT JOIN reports rep ON rep.bug_id = cm.bug_hash \
             LEFT JOIN runs r ON r.id = rep.run_id WHERE 1 = 1",
        );
        run_filter_sql(conn, &mut sql, filter)?;
        sql.push(" ORDER BY cm.created_at_us DESC, cm.id DESC, rep.id");
        let mut comments = Vec::new();
        for c in sql.load::<ExportedComment>(conn)? {
            comments.push((
                c.report_hash,
                CommentRow {
                    id: c.id,
                    author: c.author,
                    message: c.message,
                    created_at: from_micros(c.created_at_us)?,
                    system: c.kind == crate::system_comment::SYSTEM,
                },
            ));
        }

        let mut sql = Sql::with(
            conn,
            "SELECT rep.bug_id, rep.review_status, rep.review_status_author, \
             rep.review_status_message, rep.review_status_date_us, \
             rep.review_status_is_in_source FROM reports rep \
             LEFT JOIN runs r ON r.id = rep.run_id WHERE rep.review_status <> 0",
        );
        run_filter_sql(conn, &mut sql, filter)?;
        sql.push(" ORDER BY rep.review_status_date_us, rep.id");
        let mut reviews = Vec::new();
        for r in sql.load::<ExportedReview>(conn)? {
            let status = i32::try_from(r.review_status)
                .ok()
                .and_then(review_status_from_thrift)
                .ok_or_else(|| Error::Corrupt(format!("review status {}", r.review_status)))?;
            reviews.push((
                r.bug_id,
                ReviewRow {
                    status,
                    message: r.review_status_message,
                    author: r.review_status_author,
                    date: opt_from_micros(r.review_status_date_us)?,
                    in_source: r.review_status_is_in_source,
                },
            ));
        }
        Ok(ExportRows { comments, reviews })
    }

    /// Applies an export to this product in one transaction, on behalf of
    /// `user` (CodeChecker's `importData`): comments not already present
    /// (same time, kind and message) are added with their own authors;
    /// every review status whose hash has no rule of the same date becomes
    /// the hash's review status rule, set by `user` at the exported date
    /// (with its system comment).
    pub fn import_reviews(&self, data: &ImportRows, user: &str) -> Result<()> {
        self.write(|conn| {
            let hashes: Vec<&str> = data.comments.iter().map(|(h, _)| h.as_str()).collect();
            let mut present: HashSet<(String, i64, i64, String)> = HashSet::new();
            for chunk in hashes.chunks(MAX_BINDS) {
                let mut sql = Sql::with(
                    conn,
                    "SELECT bug_hash, message, kind, created_at_us FROM comments \
                     WHERE bug_hash IN ",
                );
                sql.bind_list(chunk.iter().copied());
                for c in sql.load::<ExistingComment>(conn)? {
                    present.insert((c.bug_hash, c.created_at_us, c.kind, c.message));
                }
            }
            for (hash, comments) in &data.comments {
                for c in comments {
                    let created = to_micros(c.created_at);
                    let key = (hash.clone(), created, c.kind, c.message.clone());
                    if present.contains(&key) {
                        continue;
                    }
                    insert_comment(conn, hash, &c.author, &c.message, c.kind, created)?;
                }
            }

            let hashes: Vec<&str> = data.reviews.iter().map(|(h, _)| h.as_str()).collect();
            let mut rule_dates: HashMap<String, i64> = HashMap::new();
            for chunk in hashes.chunks(MAX_BINDS) {
                let mut sql = Sql::with(
                    conn,
                    "SELECT bug_hash, date_us FROM review_statuses WHERE bug_hash IN ",
                );
                sql.bind_list(chunk.iter().copied());
                for r in sql.load::<ExistingRule>(conn)? {
                    rule_dates.insert(r.bug_hash, r.date_us);
                }
            }
            for (hash, review) in &data.reviews {
                if let Some(us) = rule_dates.get(hash) {
                    if python_str(from_micros(*us)?) == review.date_text {
                        continue;
                    }
                }
                let date = review.date.ok_or_else(|| {
                    Error::BadImport(format!(
                        "time data '{}' does not match format '%Y-%m-%d %H:%M:%S.%f'",
                        review.date_text
                    ))
                })?;
                set_rule(
                    conn,
                    &ReviewRuleChange {
                        bug_hash: hash.clone(),
                        status: review.status,
                        message: review.message.clone(),
                        author: user.to_owned(),
                        date: Some(date),
                    },
                )?;
            }
            Ok(())
        })
    }
}
