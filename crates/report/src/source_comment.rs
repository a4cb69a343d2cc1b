//! In-source review comments:
//!
//! ```c
//! // codechecker_suppress [core.DivideZero] reason
//! // codechecker_confirmed [all] a reason that goes on
//! // on the next line
//! /* codechecker_intentional [a, b] reason */
//! int x = 1 / zero;   // <- the report's line
//! ```
//!
//! CodeChecker reads the contiguous comment lines directly above the
//! report's line (stopping at the first non-comment line, or at the line
//! that opens a `/* ... */` block), and parses every block that starts
//! with a `codechecker_*` marker.

use std::borrow::Cow;
use std::collections::BTreeSet;

use crate::python_text::{
    decode_utf8_ignore, py_collapse_ws, py_split_ws, py_strip, universal_newlines,
};
use crate::review::ReviewStatus;

/// The markers CodeChecker recognises.
pub const MARKERS: [&str; 4] = [
    "codechecker_suppress",
    "codechecker_false_positive",
    "codechecker_intentional",
    "codechecker_confirmed",
];

/// Whether a file may hold review comments at all (it contains
/// `codechecker_`); CodeChecker reads no comment from files without it.
pub fn has_review_comment(content: &[u8]) -> bool {
    const NEEDLE: &[u8] = b"codechecker_";
    if content.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
        return true;
    }
    // Dropping invalid UTF-8 may join the needle's pieces.
    std::str::from_utf8(content).is_err() && decode_utf8_ignore(content).contains("codechecker_")
}

/// One parsed review comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceCodeComment {
    /// Checker names in the brackets (`all` included verbatim).
    pub checkers: BTreeSet<String>,
    /// The text after the brackets, whitespace collapsed; a fixed warning
    /// when empty.
    pub message: String,
    /// The status (`suppress` → false positive).
    pub status: ReviewStatus,
    /// The original comment lines joined by spaces.
    pub line: String,
}

/// Message CodeChecker stores for a comment without text.
pub const MISSING_MESSAGE: &str = "WARNING! source code comment is missing";

/// A comment block with a marker that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("misspelled review status comment @{line}: {comment}")]
pub struct Misspelled {
    /// Line of the marker.
    pub line: i64,
    /// The block's text, stripped.
    pub comment: String,
}

/// What the comments above a report's line say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceReview {
    /// No comment names the checker (or `all`).
    None,
    /// Exactly one comment applies.
    Comment(SourceCodeComment),
    /// A marker block did not parse; CodeChecker warns and ignores every
    /// comment above this line.
    Misspelled {
        /// Line of the marker.
        line: i64,
        /// The block's text.
        comment: String,
    },
    /// More than one comment applies; CodeChecker fails the store.
    Ambiguous,
}

/// A source file prepared for review-comment look-ups.
#[derive(Debug, Clone)]
pub struct SourceFile {
    text: String,
    /// Byte offset of the start of every line; one extra entry at the end.
    starts: Vec<usize>,
    has_marker: bool,
}

impl SourceFile {
    /// Reads the content like CodeChecker (UTF-8, invalid bytes dropped,
    /// universal newlines).
    pub fn new(content: &[u8]) -> Self {
        let decoded = decode_utf8_ignore(content);
        let text = match universal_newlines(&decoded) {
            Cow::Borrowed(s) => s.to_owned(),
            Cow::Owned(s) => s,
        };
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        if starts.last() != Some(&text.len()) {
            starts.push(text.len());
        }
        let has_marker = text.contains("codechecker_");
        SourceFile {
            text,
            starts,
            has_marker,
        }
    }

    /// Whether the file contains `codechecker_` at all.
    pub fn has_review_comment(&self) -> bool {
        self.has_marker
    }

    /// Line `n` (1-based) with its newline; `""` out of range.
    pub fn line(&self, n: i64) -> &str {
        let Ok(n) = usize::try_from(n) else {
            return "";
        };
        if n == 0 {
            return "";
        }
        match (self.starts.get(n - 1), self.starts.get(n)) {
            (Some(&a), Some(&b)) => self.text.get(a..b).unwrap_or(""),
            _ => "",
        }
    }

    /// Every review comment above `bug_line`, nearest block first.
    pub fn comments_above(&self, bug_line: i64) -> Result<Vec<SourceCodeComment>, Misspelled> {
        comments_above(self, bug_line)
    }

    /// The comments above `bug_line` that apply to `checker`: those naming
    /// a substring of the checker name, or `all`. A comment is listed once
    /// per such name, as in CodeChecker.
    pub fn comments_for(
        &self,
        bug_line: i64,
        checker: &str,
    ) -> Result<Vec<SourceCodeComment>, Misspelled> {
        let mut out = Vec::new();
        for comment in self.comments_above(bug_line)? {
            let hits = comment
                .checkers
                .iter()
                .filter(|name| name.as_str() == "all" || checker.contains(name.as_str()))
                .count();
            for _ in 0..hits {
                out.push(comment.clone());
            }
        }
        Ok(out)
    }

    /// The review decision for a report at `bug_line` by `checker`.
    pub fn review(&self, bug_line: i64, checker: &str) -> SourceReview {
        if !self.has_marker {
            return SourceReview::None;
        }
        match self.comments_for(bug_line, checker) {
            Err(m) => SourceReview::Misspelled {
                line: m.line,
                comment: m.comment,
            },
            Ok(mut found) => match found.len() {
                0 => SourceReview::None,
                1 => found
                    .pop()
                    .map_or(SourceReview::None, SourceReview::Comment),
                _ => SourceReview::Ambiguous,
            },
        }
    }

    /// The client's rule for uploading a file the server already has: it
    /// contains `codechecker_` and the comments above at least one of the
    /// report `lines` parse (even if there are none).
    pub fn client_must_upload(&self, lines: &[i64]) -> bool {
        self.has_marker && lines.iter().any(|&l| self.comments_above(l).is_ok())
    }
}

/// Parses a comment block (text without comment delimiters).
fn parse_comment(text: &str) -> Option<SourceCodeComment> {
    let formatted = py_collapse_ws(text);
    let (marker, rest) = MARKERS
        .iter()
        .find_map(|m| formatted.strip_prefix(m).map(|rest| (*m, rest)))?;
    let rest = rest.trim_start_matches(' ').strip_prefix('[')?;
    let (inside, after) = rest.split_once(']')?;
    let checkers: BTreeSet<String> = py_split_ws(inside)
        .flat_map(|p| p.split(','))
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let comment = after.trim_start_matches(' ');
    let status = match marker {
        "codechecker_intentional" => ReviewStatus::Intentional,
        "codechecker_confirmed" => ReviewStatus::Confirmed,
        _ => ReviewStatus::FalsePositive,
    };
    Some(SourceCodeComment {
        checkers,
        message: if comment.is_empty() {
            MISSING_MESSAGE.to_owned()
        } else {
            comment.to_owned()
        },
        status,
        line: String::new(),
    })
}

/// Text of a collected block (marker line first) without delimiters.
fn block_text(block: &[&str]) -> String {
    let joined = block.join(" ");
    let first_is_line_comment = block.first().is_some_and(|l| py_strip(l).starts_with("//"));
    if first_is_line_comment {
        return joined.replace("//", "");
    }
    let parts: Vec<String> = block
        .iter()
        .map(|l| {
            let c = py_strip(l).replace("/*", "").replace("*/", "");
            match c.strip_prefix('*') {
                Some(rest) => rest.to_owned(),
                None => c,
            }
        })
        .collect();
    py_strip(&parts.join(" ")).to_owned()
}

fn comments_above(src: &SourceFile, bug_line: i64) -> Result<Vec<SourceCodeComment>, Misspelled> {
    let mut line_no = bug_line.saturating_sub(1);
    if line_no < 1 {
        return Ok(Vec::new());
    }
    let mut found = Vec::new();
    // Lines of the block being collected, nearest to the report first.
    let mut block: Vec<&str> = Vec::new();
    let mut cstyle_end_found = false;
    loop {
        let line = src.line(line_no);
        let stripped = py_strip(line);
        let is_comment = stripped.starts_with("//");
        let cstyle_start = stripped.contains("/*");
        let cstyle_end = stripped.contains("*/");
        if !is_comment && !cstyle_start && !cstyle_end && !cstyle_end_found {
            break;
        }
        if cstyle_end {
            cstyle_end_found = true;
        }
        block.push(line);
        if MARKERS.iter().any(|m| line.contains(m)) {
            block.reverse();
            let original = block.join(" ");
            match parse_comment(&block_text(&block)) {
                Some(mut comment) => {
                    comment.line = original;
                    found.push(comment);
                }
                None => {
                    return Err(Misspelled {
                        line: line_no,
                        comment: py_strip(&original).to_owned(),
                    })
                }
            }
            block.clear();
        }
        if line_no > 0 {
            line_no -= 1;
        } else {
            break;
        }
        if cstyle_start {
            break;
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn review(src: &str, line: i64, checker: &str) -> SourceReview {
        SourceFile::new(src.as_bytes()).review(line, checker)
    }

    #[test]
    fn single_line_forms() {
        let src = "int a;\n// codechecker_suppress [core.DivideZero] not a bug\nx = 1/0;\n";
        let SourceReview::Comment(c) = review(src, 3, "core.DivideZero") else {
            panic!("no comment");
        };
        assert_eq!(c.status, ReviewStatus::FalsePositive);
        assert_eq!(c.message, "not a bug");
        assert_eq!(review(src, 3, "deadcode.DeadStores"), SourceReview::None);
        assert_eq!(review(src, 2, "core.DivideZero"), SourceReview::None);
    }

    #[test]
    fn multi_line_and_cstyle() {
        let src = "/* codechecker_confirmed [all] first\n * second */\nbad();\n";
        let SourceReview::Comment(c) = review(src, 3, "x") else {
            panic!("no comment");
        };
        assert_eq!(c.status, ReviewStatus::Confirmed);
        assert_eq!(c.message, "first second");
    }

    #[test]
    fn misspelled_and_ambiguous() {
        let src = "// codechecker_suppress all x\nbad();\n";
        assert!(matches!(
            review(src, 2, "a"),
            SourceReview::Misspelled { line: 1, .. }
        ));
        let src = "// codechecker_suppress [core, core.X] x\nbad();\n";
        assert_eq!(review(src, 2, "core.X"), SourceReview::Ambiguous);
    }

    #[test]
    fn marker_needle() {
        assert!(has_review_comment(b"// codechecker_suppress"));
        assert!(has_review_comment(b"codechec\xffker_"));
        assert!(!has_review_comment(b"codechecker"));
    }
}
