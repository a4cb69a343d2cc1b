//! `exportData` and `importData` (`CodeChecker cmd export` / `cmd import`):
//! comments and review statuses by bug hash, with CodeChecker's date
//! format and HTML handling.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use codechecker_api::report_server as api;
use productdb::{ImportComment, ImportReview, ImportRows};

use super::comments::kind;
use super::convert::{self, py_datetime, review_status_from};
use super::ReportHandler;
use crate::api::errors::{database, general, request_failed};

/// CodeChecker's `datetime.strptime(text, '%Y-%m-%d %H:%M:%S.%f')`.
pub fn parse_py_datetime(text: &str) -> Option<DateTime<Utc>> {
    let (head, fraction) = text.split_once('.')?;
    if fraction.is_empty() || fraction.len() > 6 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let naive = NaiveDateTime::parse_from_str(head, "%Y-%m-%d %H:%M:%S").ok()?;
    let micros: i64 = format!("{fraction:0<6}").parse().ok()?;
    let t = naive.and_utc() + chrono::Duration::microseconds(micros);
    Some(t)
}

/// Why a comment's date cannot be imported (Python's message).
fn bad_date(text: &str) -> String {
    format!("time data '{text}' does not match format '%Y-%m-%d %H:%M:%S.%f'")
}

/// Python's `html.unescape` for the references CodeChecker's own escaping
/// produces and numeric references; other named references stay as they
/// are.
pub fn html_unescape(text: &str) -> String {
    const NAMED: [(&str, char); 6] = [
        ("amp", '&'),
        ("lt", '<'),
        ("gt", '>'),
        ("quot", '"'),
        ("apos", '\''),
        ("nbsp", '\u{a0}'),
    ];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('&') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let decoded = after.find(';').and_then(|end| {
            let name = &after[..end];
            let c = if let Some(num) = name.strip_prefix('#') {
                let value = match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok(),
                    None => num.parse::<u32>().ok(),
                };
                value.and_then(char::from_u32)
            } else {
                NAMED.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
            }?;
            Some((c, end + 1))
        });
        match decoded {
            Some((c, used)) => {
                out.push(c);
                rest = &after[used..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

impl ReportHandler<'_> {
    pub(super) fn export_data(
        &self,
        run_filter: Option<api::RunFilter>,
    ) -> thrift::Result<api::ExportData> {
        let rows = self
            .db()?
            .export_reviews(&convert::run_filter(run_filter))
            .map_err(database)?;
        let mut comments: BTreeMap<String, Vec<api::CommentData>> = BTreeMap::new();
        // Comments whose hash has no report are listed by CodeChecker under
        // a null key, which its Thrift layer cannot send; they are left out.
        for (hash, c) in rows.comments {
            let Some(hash) = hash else { continue };
            comments.entry(hash).or_default().push(api::CommentData {
                id: Some(c.id),
                author: Some(c.author),
                message: Some(html_unescape(&c.message)),
                created_at: Some(py_datetime(c.created_at)),
                kind: Some(kind(c.system)),
            });
        }
        let mut reviews: BTreeMap<String, api::ReviewData> = BTreeMap::new();
        for (hash, r) in rows.reviews {
            reviews.insert(hash, convert::review(&r));
        }
        Ok(api::ExportData {
            comments: Some(comments),
            review_data: Some(reviews),
        })
    }

    pub(super) fn import_data(&self, data: Option<api::ExportData>) -> thrift::Result<bool> {
        let data = data.unwrap_or_default();
        let mut rows = ImportRows::default();
        for (hash, list) in data.comments.unwrap_or_default() {
            let mut out = Vec::with_capacity(list.len());
            for c in list {
                let text = c.created_at.unwrap_or_default();
                let created_at =
                    parse_py_datetime(&text).ok_or_else(|| general(bad_date(&text)))?;
                let author = c.author.ok_or_else(|| {
                    request_failed(
                        codechecker_api::codechecker_api_shared::ErrorCode::DATABASE,
                        "NOT NULL constraint failed: comments.author",
                    )
                })?;
                let kind = c.kind.ok_or_else(|| {
                    request_failed(
                        codechecker_api::codechecker_api_shared::ErrorCode::DATABASE,
                        "NOT NULL constraint failed: comments.kind",
                    )
                })?;
                out.push(ImportComment {
                    author,
                    message: c.message.unwrap_or_default(),
                    created_at,
                    kind: i64::from(kind.0),
                });
            }
            rows.comments.push((hash, out));
        }
        for (hash, review) in data.review_data.unwrap_or_default() {
            let status = review
                .status
                .and_then(review_status_from)
                .ok_or_else(|| general("'NoneType' object has no attribute 'capitalize'"))?;
            let date_text = review.date.unwrap_or_default();
            rows.reviews.push((
                hash,
                ImportReview {
                    status,
                    message: review.comment,
                    date: parse_py_datetime(&date_text),
                    date_text,
                },
            ));
        }
        self.db()?
            .import_reviews(&rows, self.user_name())
            .map_err(|e| match e {
                productdb::Error::BadImport(m) => general(m),
                other => database(other),
            })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_as_python_parses_them() {
        let t = parse_py_datetime("2024-03-05 07:08:09.123456").expect("parses");
        assert_eq!(py_datetime(t), "2024-03-05 07:08:09.123456");
        let t = parse_py_datetime("2024-03-05 07:08:09.5").expect("parses");
        assert_eq!(py_datetime(t), "2024-03-05 07:08:09.500000");
        assert!(parse_py_datetime("2024-03-05 07:08:09").is_none());
        assert!(parse_py_datetime("2024-03-05 07:08:09.1234567").is_none());
        assert!(parse_py_datetime("yesterday").is_none());
    }

    #[test]
    fn unescape_as_python() {
        assert_eq!(
            html_unescape("a &lt;b&gt; &amp;amp; &#x27;q&#39; &bogus; & end"),
            "a <b> &amp; 'q' &bogus; & end"
        );
    }
}
