//! Review status rules (table `review_statuses`).

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{
    review_status_from_thrift, review_status_to_thrift, ReviewRuleRow, ReviewStatus,
};
use crate::sql::Sql;
use crate::time::{from_micros, now, to_micros};

#[derive(Debug, QueryableByName)]
struct RuleDbRow {
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
}

impl ProductDb {
    /// Creates or replaces the review rule of `bug_hash`. Only the rule row
    /// changes; stores apply it to new reports without an in-source status.
    pub fn set_review_rule(
        &self,
        bug_hash: &str,
        status: ReviewStatus,
        author: &str,
        message: &str,
    ) -> Result<ReviewRuleRow> {
        let date = now();
        self.write(|conn| {
            let mut sql = Sql::with(
                conn,
                "INSERT INTO review_statuses (bug_hash, status, author, message, date_us) VALUES (",
            );
            sql.bind(bug_hash)
                .push(", ")
                .bind(i64::from(review_status_to_thrift(status)))
                .push(", ")
                .bind(author)
                .push(", ")
                .bind(message)
                .push(", ")
                .bind(to_micros(date))
                .push(
                    ") ON CONFLICT (bug_hash) DO UPDATE SET status = excluded.status, \
                     author = excluded.author, message = excluded.message, date_us = excluded.date_us",
                );
            sql.execute(conn)?;
            Ok(())
        })?;
        Ok(ReviewRuleRow {
            bug_hash: bug_hash.to_owned(),
            status,
            author: author.to_owned(),
            message: message.to_owned(),
            date,
        })
    }

    /// The review rule of `bug_hash`.
    pub fn review_rule(&self, bug_hash: &str) -> Result<Option<ReviewRuleRow>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let mut sql = Sql::with(
            conn,
            "SELECT bug_hash, status, author, message, date_us FROM review_statuses WHERE bug_hash = ",
        );
        sql.bind(bug_hash);
        let Some(r) = sql.load::<RuleDbRow>(conn)?.into_iter().next() else {
            return Ok(None);
        };
        let status = i32::try_from(r.status)
            .ok()
            .and_then(review_status_from_thrift)
            .ok_or_else(|| Error::Corrupt(format!("review status {}", r.status)))?;
        Ok(Some(ReviewRuleRow {
            bug_hash: r.bug_hash,
            status,
            author: r.author,
            message: r.message,
            date: from_micros(r.date_us)?,
        }))
    }
}
