//! CodeChecker's report hashes.
//!
//! * [`report_path_hash`]: the identity `CodeChecker store` (client and
//!   server) de-duplicates reports by.
//! * [`report_hash`]: the bug hash CodeChecker computes when a plist lacks
//!   `issue_hash_content_of_line_in_context`.

use std::fmt::Write as _;

use md5::{Digest, Md5};

use crate::model::{File, Report};
use crate::python_text::{is_py_space, py_split_ws};

fn md5_hex(data: &[u8]) -> String {
    let digest = Md5::digest(data);
    let mut out = String::with_capacity(32);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The de-duplication identity of a report: MD5 (hex) over, in order,
/// `"{line}|{column}|{message}|{path}"` of every bug-path event (`path` is
/// the trimmed path), `"|{key}|{value}"` of every report annotation, the
/// checker name and the bug hash.
pub fn report_path_hash(report: &Report) -> String {
    let mut s = String::with_capacity(64 + 64 * report.bug_path_events.len());
    for event in &report.bug_path_events {
        let _ = write!(
            s,
            "{}|{}|{}|{}",
            event.line, event.column, event.message, event.file.path
        );
    }
    if let Some(annotations) = &report.annotations {
        for (k, v) in annotations {
            let _ = write!(s, "|{k}|{v}");
        }
    }
    s.push_str(&report.checker_name);
    if let Some(hash) = &report.report_hash {
        s.push_str(hash);
    }
    md5_hex(s.as_bytes())
}

/// Bug hash flavours (CodeChecker's `HashType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashType {
    /// File name, message, whitespace-free source line and column.
    ContextFree,
    /// File name, checker, message, source line of the last event, its
    /// column, and the columns of every bug-path position. What the plist
    /// parser uses for reports without a hash.
    PathSensitive,
    /// Context-free plus every event's message.
    DiagnosticMessage,
}

/// Line `line` (1-based) of a file, with its newline, as CodeChecker reads
/// it: UTF-8 with invalid bytes dropped, universal newlines, `""` past the
/// end or for lines below 1.
pub fn source_line(content: &[u8], line: i64) -> String {
    let text = crate::python_text::decode_utf8_ignore(content);
    let text = crate::python_text::universal_newlines(&text);
    let Ok(n) = usize::try_from(line) else {
        return String::new();
    };
    if n == 0 {
        return String::new();
    }
    text.split_inclusive('\n')
        .nth(n - 1)
        .unwrap_or("")
        .to_owned()
}

/// `content[..col]` and the column moved left by the whitespace removed
/// from it (`_remove_whitespace`); columns index characters like Python.
fn remove_whitespace(line: &str, col: i64) -> (String, i64) {
    let chars: Vec<char> = line.chars().collect();
    let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
    // Python slice semantics for line[:col].
    let end = if col < 0 {
        (len + col).max(0)
    } else {
        col.min(len)
    };
    let begin: String = chars
        .iter()
        .take(usize::try_from(end).unwrap_or(0))
        .collect();
    let begin_len = i64::try_from(begin.chars().count()).unwrap_or(0);
    let stripped_len =
        i64::try_from(begin.chars().filter(|&c| !is_py_space(c)).count()).unwrap_or(0);
    let all: String = py_split_ws(line).collect();
    (all, col - (begin_len - stripped_len))
}

fn context_free_parts(report: &Report, line_content: &str) -> Vec<String> {
    let (content, new_col) = remove_whitespace(line_content, report.column);
    vec![
        report.file.name().to_owned(),
        report.message.clone(),
        content,
        new_col.to_string(),
        new_col.to_string(),
    ]
}

/// Computes a bug hash. `get_line(file, line)` must return the line as
/// [`source_line`] does (`""` when the file cannot be read).
pub fn report_hash(
    report: &Report,
    hash_type: HashType,
    get_line: &mut dyn FnMut(&File, i64) -> String,
) -> String {
    let parts: Vec<String> = match hash_type {
        HashType::ContextFree => context_free_parts(report, &get_line(&report.file, report.line)),
        HashType::DiagnosticMessage => {
            let mut parts = context_free_parts(report, &get_line(&report.file, report.line));
            parts.extend(report.bug_path_events.iter().map(|e| e.message.clone()));
            parts
        }
        HashType::PathSensitive => match report.bug_path_events.last() {
            // CodeChecker logs the failure and hashes nothing.
            None => Vec::new(),
            Some(event) => {
                let mut parts = vec![
                    report.file.name().to_owned(),
                    report.checker_name.clone(),
                    report.message.clone(),
                    get_line(&event.file, event.line),
                    event.column.to_string(),
                    event.column.to_string(),
                ];
                for p in &report.bug_path_positions {
                    if let Some(r) = p.range {
                        parts.push(r.start_col.to_string());
                        parts.push(r.end_col.to_string());
                    }
                }
                parts
            }
        },
    };
    md5_hex(parts.join("|||").as_bytes())
}

/// Gives every report without a bug hash the path-sensitive hash, as
/// CodeChecker's plist parser does.
pub fn fill_missing_report_hashes(
    reports: &mut [Report],
    get_line: &mut dyn FnMut(&File, i64) -> String,
) {
    for report in reports {
        if report.report_hash.is_none() {
            report.report_hash = Some(report_hash(report, HashType::PathSensitive, get_line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_removal_moves_column() {
        let (s, c) = remove_whitespace("  int foo = 17;   sizeof(43);  \n", 18);
        assert_eq!(s, "intfoo=17;sizeof(43);");
        assert_eq!(c, 10);
    }

    #[test]
    fn source_lines() {
        assert_eq!(source_line(b"a\r\nb\n", 1), "a\n");
        assert_eq!(source_line(b"a\nb", 2), "b");
        assert_eq!(source_line(b"a\nb", 3), "");
        assert_eq!(source_line(b"a\nb", 0), "");
        assert_eq!(source_line(b"a\nb", -1), "");
    }

    #[test]
    fn md5_of_empty() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
    }
}
