//! Comments on bug hashes (CodeChecker's `getComments`, `addComment`,
//! `updateComment`, `removeComment`). A comment belongs to a bug hash, so
//! every report with the hash, in any run, shows it. Messages are stored as
//! given; formatting them (system comments, HTML escaping) is the reader's.

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{BugComment, CommentRow};
use crate::review::insert_comment;
use crate::sql::{scalar_int, Sql, TextRow};
use crate::system_comment;
use crate::time::{from_micros, now, to_micros};

/// The author name of comments made without authentication; anyone may
/// change those.
const ANONYMOUS: &str = "Anonymous";

#[derive(Debug, QueryableByName)]
pub(crate) struct CommentDb {
    #[diesel(sql_type = BigInt)]
    pub(crate) id: i64,
    #[diesel(sql_type = Text)]
    pub(crate) bug_hash: String,
    #[diesel(sql_type = Text)]
    pub(crate) author: String,
    #[diesel(sql_type = Text)]
    pub(crate) message: String,
    #[diesel(sql_type = BigInt)]
    pub(crate) kind: i64,
    #[diesel(sql_type = BigInt)]
    pub(crate) created_at_us: i64,
}

impl CommentDb {
    pub(crate) fn into_row(self) -> Result<CommentRow> {
        Ok(CommentRow {
            id: self.id,
            author: self.author,
            message: self.message,
            created_at: from_micros(self.created_at_us)?,
            system: self.kind == system_comment::SYSTEM,
        })
    }
}

impl ProductDb {
    /// The comments on the bug hash of report `report_id`, newest first;
    /// `None` when there is no such report.
    pub fn report_comments(&self, report_id: i64) -> Result<Option<Vec<CommentRow>>> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let Some(hash) = report_hash(conn, report_id)? else {
            return Ok(None);
        };
        let mut sql = Sql::with(
            conn,
            "SELECT id, bug_hash, author, message, kind, created_at_us FROM comments \
             WHERE bug_hash = ",
        );
        sql.bind(hash.as_str())
            .push(" ORDER BY created_at_us DESC, id DESC");
        let rows = sql.load::<CommentDb>(conn)?;
        rows.into_iter()
            .map(CommentDb::into_row)
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// The number of comments on the bug hash of report `report_id` (0 when
    /// there is no such report).
    pub fn report_comment_count(&self, report_id: i64) -> Result<i64> {
        let mut conn = self.conn()?;
        let conn = &mut *conn;
        let Some(hash) = report_hash(conn, report_id)? else {
            return Ok(0);
        };
        let mut sql = Sql::with(conn, "SELECT COUNT(*) AS v FROM comments WHERE bug_hash = ");
        sql.bind(hash.as_str());
        Ok(scalar_int(conn, sql)?.unwrap_or(0))
    }

    /// Adds a user comment by `author` on the bug hash of report
    /// `report_id`.
    pub fn add_comment(&self, report_id: i64, author: &str, message: &str) -> Result<()> {
        let created = to_micros(now());
        self.write(|conn| {
            let hash = report_hash(conn, report_id)?.ok_or_else(|| Error::NotFound {
                what: "report",
                key: report_id.to_string(),
            })?;
            insert_comment(conn, &hash, author, message, system_comment::USER, created)
        })
    }

    /// Replaces the message of comment `id` on behalf of `editor`, who must
    /// be its author unless the author is `Anonymous`. A changed message is
    /// recorded in a system comment by `editor`.
    pub fn update_comment(&self, id: i64, editor: &str, message: &str) -> Result<()> {
        let created = to_micros(now());
        self.write(|conn| {
            let old = editable_comment(conn, id, editor)?;
            if old.message != message {
                let text = system_comment::comment_changed(&old.message, message);
                insert_comment(
                    conn,
                    &old.bug_hash,
                    editor,
                    &text,
                    system_comment::SYSTEM,
                    created,
                )?;
            }
            let mut sql = Sql::with(conn, "UPDATE comments SET message = ");
            sql.bind(message).push(" WHERE id = ").bind(id);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// Removes comment `id` on behalf of `editor`, who must be its author
    /// unless the author is `Anonymous`. Returns what was removed.
    pub fn remove_comment(&self, id: i64, editor: &str) -> Result<BugComment> {
        self.write(|conn| {
            let old = editable_comment(conn, id, editor)?;
            let mut sql = Sql::with(conn, "DELETE FROM comments WHERE id = ");
            sql.bind(id);
            sql.execute(conn)?;
            Ok(BugComment {
                bug_hash: old.bug_hash.clone(),
                comment: old.into_row()?,
            })
        })
    }
}

/// The bug hash of a report.
fn report_hash(conn: &mut AnyConnection, report_id: i64) -> Result<Option<String>> {
    let mut sql = Sql::with(conn, "SELECT bug_id AS v FROM reports WHERE id = ");
    sql.bind(report_id);
    Ok(sql.load::<TextRow>(conn)?.into_iter().next().map(|r| r.v))
}

/// Comment `id`, if `editor` may change it.
fn editable_comment(conn: &mut AnyConnection, id: i64, editor: &str) -> Result<CommentDb> {
    let mut sql = Sql::with(
        conn,
        "SELECT id, bug_hash, author, message, kind, created_at_us FROM comments WHERE id = ",
    );
    sql.bind(id);
    let comment = sql
        .load::<CommentDb>(conn)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound {
            what: "comment",
            key: id.to_string(),
        })?;
    if comment.author != ANONYMOUS && comment.author != editor {
        return Err(Error::NotCommentAuthor { id });
    }
    Ok(comment)
}
