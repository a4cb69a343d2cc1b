//! System comments: the entries CodeChecker's server adds to a bug hash's
//! comments when its review status rule or a comment changes. They are
//! stored as a kind word followed by shell-quoted arguments (Python's
//! `shlex.quote`), e.g. `rev_st_changed_msg Unreviewed False_positive 'why'`,
//! and read back with Python's `shlex.split`; both are reproduced here.

use ccreport::ReviewStatus;

/// The stored `kind` of a user comment.
pub const USER: i64 = 0;
/// The stored `kind` of a system comment.
pub const SYSTEM: i64 = 1;

/// Why a stored system comment cannot be split (Python's `ValueError`
/// texts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// A quote is not closed.
    #[error("No closing quotation")]
    NoClosingQuotation,
    /// A backslash ends the text.
    #[error("No escaped character")]
    NoEscapedCharacter,
}

/// The text of the system comment recording a review status change from
/// `old` to `new`, with the reason when there is one.
pub fn review_status_changed(
    old: ReviewStatus,
    new: ReviewStatus,
    message: Option<&str>,
) -> String {
    let (old, new) = (capitalize(old.as_str()), capitalize(new.as_str()));
    match message.filter(|m| !m.is_empty()) {
        Some(m) => format!("rev_st_changed_msg {old} {new} {}", quote(m)),
        None => format!("rev_st_changed {old} {new}"),
    }
}

/// The text of the system comment recording that a comment's message
/// changed from `old` to `new`.
pub fn comment_changed(old: &str, new: &str) -> String {
    format!("comment_changed {} {}", quote(old), quote(new))
}

/// Python's `str.capitalize`: first character upper case, the rest lower.
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first
            .to_uppercase()
            .chain(chars.flat_map(char::to_lowercase))
            .collect(),
        None => String::new(),
    }
}

/// Python's `shlex.quote`.
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    let safe = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c));
    if safe {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Space,
    Word,
    Quote(char),
    Escape(Option<char>),
}

/// Python's `shlex.split` (POSIX mode, no comments).
pub fn split(s: &str) -> Result<Vec<String>, SplitError> {
    let mut out = Vec::new();
    let mut token = String::new();
    let mut quoted = false;
    let mut state = State::Space;
    for c in s.chars() {
        state = match state {
            State::Space | State::Word => {
                if is_space(c) {
                    if state == State::Word {
                        out.push(std::mem::take(&mut token));
                        quoted = false;
                    }
                    State::Space
                } else if c == '\\' {
                    State::Escape(None)
                } else if c == '\'' || c == '"' {
                    quoted = true;
                    State::Quote(c)
                } else {
                    token.push(c);
                    State::Word
                }
            }
            State::Quote(q) => {
                if c == q {
                    State::Word
                } else if c == '\\' && q == '"' {
                    State::Escape(Some(q))
                } else {
                    token.push(c);
                    State::Quote(q)
                }
            }
            State::Escape(inside) => {
                if let Some(q) = inside {
                    if c != '\\' && c != q {
                        token.push('\\');
                    }
                    token.push(c);
                    State::Quote(q)
                } else {
                    token.push(c);
                    State::Word
                }
            }
        };
    }
    match state {
        State::Quote(_) => Err(SplitError::NoClosingQuotation),
        State::Escape(_) => Err(SplitError::NoEscapedCharacter),
        State::Word => {
            out.push(token);
            Ok(out)
        }
        State::Space => {
            if quoted || !token.is_empty() {
                out.push(token);
            }
            Ok(out)
        }
    }
}

/// shlex's whitespace.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_as_python() {
        assert_eq!(quote(""), "''");
        assert_eq!(quote("plain-word_1.c"), "plain-word_1.c");
        assert_eq!(quote("two words"), "'two words'");
        assert_eq!(quote("it's"), "'it'\"'\"'s'");
    }

    #[test]
    fn split_round_trips_quote() {
        for s in ["", "a b", "it's \"x\" \\ y", "tab\there", "ünïcode ok"] {
            let line = format!("kind {} {}", quote(s), quote("next"));
            assert_eq!(
                split(&line).expect("splits"),
                vec!["kind".to_owned(), s.to_owned(), "next".to_owned()]
            );
        }
    }

    #[test]
    fn split_as_python() {
        assert_eq!(
            split("a\\ b \"c\\\"d\\e\"").expect("ok"),
            vec!["a b", "c\"d\\e"]
        );
        assert_eq!(split("x ''").expect("ok"), vec!["x", ""]);
        assert_eq!(split("  ").expect("ok"), Vec::<String>::new());
        assert_eq!(split("'open"), Err(SplitError::NoClosingQuotation));
        assert_eq!(split("end\\"), Err(SplitError::NoEscapedCharacter));
    }

    #[test]
    fn review_texts() {
        assert_eq!(
            review_status_changed(ReviewStatus::Unreviewed, ReviewStatus::FalsePositive, None),
            "rev_st_changed Unreviewed False_positive"
        );
        assert_eq!(
            review_status_changed(
                ReviewStatus::Confirmed,
                ReviewStatus::Intentional,
                Some("on purpose")
            ),
            "rev_st_changed_msg Confirmed Intentional 'on purpose'"
        );
    }
}
