//! Comments on reports (`getComments`, `getCommentCount`, `addComment`,
//! `updateComment`, `removeComment`) and how CodeChecker shows a comment's
//! text: user comments HTML-escaped, system comments rendered from their
//! templates.

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;
use productdb::system_comment::{self, SplitError};

use super::convert::{html_escape, py_datetime};
use super::ReportHandler;
use crate::api::errors::{database, general, missing_argument, request_failed};

/// The templates of CodeChecker's system comments (its
/// `system_comment_kinds.json`); `{n}` is the n-th argument, `%author%` and
/// `%date%` are left for the web client to fill in.
const TEMPLATES: [(&str, &str); 3] = [
    (
        "rev_st_changed",
        "%author% changed review status from <b class=\"old-review-status\">{0}</b> to \
         <b class=\"new-review-status\">{1}</b> %date%",
    ),
    (
        "rev_st_changed_msg",
        "%author% changed review status from <b class=\"old-review-status\">{0}</b> to \
         <b class=\"new-review-status\">{1}</b> with <i>{2}</i> message %date%",
    ),
    (
        "comment_changed",
        "%author% changed comment message from <b class=\"old-comment-message\">{0}</b> to \
         <b class=\"new-comment-message\">{1}</b> %date%",
    ),
];

/// CodeChecker's refusal of an empty comment.
const EMPTY: &str = "The comment message can not be empty!";
/// CodeChecker's refusal to change someone else's comment (sic).
const NOT_AUTHOR: &str = "Unathorized comment modification!";

/// The text CodeChecker shows for a stored comment (its
/// `get_comment_msg`). A system comment that cannot be split fails as in
/// CodeChecker (the caller turns it into `RequestFailed`).
pub fn comment_text(stored: &str, system: bool) -> Result<String, String> {
    if !system {
        return Ok(html_escape(stored));
    }
    let (message, parts) = match system_comment::split(stored) {
        Ok(parts) => (stored.to_owned(), parts),
        Err(_) => {
            // Comments of old CodeChecker versions were stored unquoted.
            let escaped = stored.replace('\'', "\\'").replace('"', "\\\"");
            let parts = system_comment::split(&escaped).map_err(|e: SplitError| e.to_string())?;
            (escaped, parts)
        }
    };
    let Some(kind) = parts.first() else {
        return Err("list index out of range".to_owned());
    };
    if let Some((_, template)) = TEMPLATES.iter().find(|(k, _)| k == kind) {
        let mut text = (*template).to_owned();
        for (i, value) in parts[1..].iter().enumerate() {
            text = text.replace(&format!("{{{i}}}"), &html_escape(value));
        }
        return Ok(text);
    }
    Ok(html_escape(&message))
}

/// A comment as the API returns it.
pub fn comment_data(c: &productdb::CommentRow) -> Result<api::CommentData, String> {
    Ok(api::CommentData {
        id: Some(c.id),
        author: Some(c.author.clone()),
        message: Some(comment_text(&c.message, c.system)?),
        created_at: Some(py_datetime(c.created_at)),
        kind: Some(kind(c.system)),
    })
}

/// The wire kind of a comment.
pub fn kind(system: bool) -> api::CommentKind {
    if system {
        api::CommentKind::SYSTEM
    } else {
        api::CommentKind::USER
    }
}

/// The `RequestFailed` of a failed comment change.
fn change_error(e: productdb::Error, id: i64) -> thrift::Error {
    match e {
        productdb::Error::NotFound { .. } => request_failed(
            ErrorCode::DATABASE,
            format!("Comment id {id} was not found in the database."),
        ),
        productdb::Error::NotCommentAuthor { .. } => {
            request_failed(ErrorCode::UNAUTHORIZED, NOT_AUTHOR)
        }
        other => database(other),
    }
}

impl ReportHandler<'_> {
    pub(super) fn comments(&self, report_id: Option<i64>) -> thrift::Result<Vec<api::CommentData>> {
        let id = report_id.ok_or_else(|| missing_argument("report_id"))?;
        let Some(rows) = self.db()?.report_comments(id).map_err(database)? else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                format!("Report id {id} was not found in the database."),
            ));
        };
        rows.iter()
            .map(|c| comment_data(c).map_err(general))
            .collect()
    }

    pub(super) fn comment_count(&self, report_id: Option<i64>) -> thrift::Result<i64> {
        let id = report_id.ok_or_else(|| missing_argument("report_id"))?;
        self.db()?.report_comment_count(id).map_err(database)
    }

    pub(super) fn add_comment(
        &self,
        report_id: Option<i64>,
        comment: Option<api::CommentData>,
    ) -> thrift::Result<bool> {
        let message = comment
            .and_then(|c| c.message)
            .filter(|m| !m.trim().is_empty())
            .ok_or_else(|| general(EMPTY))?;
        let id = report_id.ok_or_else(|| missing_argument("report_id"))?;
        self.db()?
            .add_comment(id, self.user_name(), &message)
            .map_err(|e| match e {
                productdb::Error::NotFound { .. } => request_failed(
                    ErrorCode::DATABASE,
                    format!("Report id {id} was not found in the database."),
                ),
                other => database(other),
            })?;
        Ok(true)
    }

    pub(super) fn update_comment(
        &self,
        comment_id: Option<i64>,
        content: Option<String>,
    ) -> thrift::Result<bool> {
        let content = content.ok_or_else(|| missing_argument("content"))?;
        if content.trim().is_empty() {
            return Err(general(EMPTY));
        }
        let id = comment_id.ok_or_else(|| missing_argument("comment_id"))?;
        self.db()?
            .update_comment(id, self.user_name(), &content)
            .map_err(|e| change_error(e, id))?;
        Ok(true)
    }

    pub(super) fn remove_comment(&self, comment_id: Option<i64>) -> thrift::Result<bool> {
        let id = comment_id.ok_or_else(|| missing_argument("comment_id"))?;
        let removed = self
            .db()?
            .remove_comment(id, self.user_name())
            .map_err(|e| change_error(e, id))?;
        tracing::info!(
            comment = id,
            bug_hash = %removed.bug_hash,
            user = %self.user_name(),
            "comment removed"
        );
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_comments_are_escaped() {
        assert_eq!(
            comment_text("a <b> & 'c'", false).expect("text"),
            "a &lt;b&gt; &amp; &#x27;c&#x27;"
        );
    }

    #[test]
    fn system_comments_use_templates() {
        let stored = system_comment::review_status_changed(
            productdb::ReviewStatus::Unreviewed,
            productdb::ReviewStatus::FalsePositive,
            Some("not <a> bug"),
        );
        assert_eq!(
            comment_text(&stored, true).expect("text"),
            "%author% changed review status from <b class=\"old-review-status\">Unreviewed</b> \
             to <b class=\"new-review-status\">False_positive</b> with <i>not &lt;a&gt; bug</i> \
             message %date%"
        );
        let stored = system_comment::comment_changed("old one", "new");
        assert_eq!(
            comment_text(&stored, true).expect("text"),
            "%author% changed comment message from <b class=\"old-comment-message\">old one</b> \
             to <b class=\"new-comment-message\">new</b> %date%"
        );
    }

    #[test]
    fn unknown_or_old_system_comments() {
        assert_eq!(
            comment_text("other 'x y'", true).expect("text"),
            "other &#x27;x y&#x27;"
        );
        // Unbalanced quotes: escaped, then split again (CodeChecker's fallback).
        assert_eq!(
            comment_text("rev_st_changed it's fine", true).expect("text"),
            "%author% changed review status from <b class=\"old-review-status\">it&#x27;s</b> \
             to <b class=\"new-review-status\">fine</b> %date%"
        );
        assert!(comment_text("", true).is_err());
    }
}
