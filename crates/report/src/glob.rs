//! Shell patterns as Python's `fnmatch.translate` understands them
//! (`*`, `?`, `[...]`, `[!...]`; `*` also matches `/`), compiled to
//! [`regex::Regex`] for the three ways CodeChecker applies them.

use regex::Regex;

/// A pattern that did not compile (only possible for absurdly large
/// patterns).
#[derive(Debug, thiserror::Error)]
#[error("invalid pattern {pattern:?}: {source}")]
pub struct GlobError {
    /// The shell pattern.
    pub pattern: String,
    /// The regex compiler's complaint.
    #[source]
    pub source: regex::Error,
}

/// One translated pattern element.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    /// `*`.
    Star,
    /// Matches exactly one character: a regex fragment.
    One(String),
}

/// Escapes one character for use inside or outside a regex class.
fn esc(c: char) -> String {
    format!("\\x{{{:X}}}", u32::from(c))
}

/// Translates a `[...]` body the way `fnmatch.translate` does; `body` is
/// the text between the brackets.
fn class(body: &[char]) -> String {
    let negated = body.first() == Some(&'!');
    // Ranges as (low, high) pairs; single characters have low == high.
    let mut items: Vec<(char, char)> = Vec::new();
    if !body.contains(&'-') {
        let start = usize::from(negated);
        items.extend(body.iter().skip(start).map(|&c| (c, c)));
    } else {
        // Split at the hyphens that form ranges, exactly like Python.
        let mut chunks: Vec<Vec<char>> = Vec::new();
        let mut i = 0usize;
        let mut k = if negated { 2 } else { 1 };
        loop {
            let found = (k..body.len()).find(|&p| body.get(p) == Some(&'-'));
            let Some(pos) = found else { break };
            chunks.push(body.get(i..pos).unwrap_or_default().to_vec());
            i = pos + 1;
            k = pos + 3;
        }
        let last = body.get(i..).unwrap_or_default().to_vec();
        if !last.is_empty() {
            chunks.push(last);
        } else if let Some(prev) = chunks.last_mut() {
            prev.push('-');
        }
        // Drop empty ranges (low > high) by merging the neighbours.
        let mut k = chunks.len();
        while k > 1 {
            k -= 1;
            let prev_last = chunks.get(k - 1).and_then(|c| c.last().copied());
            let next_first = chunks.get(k).and_then(|c| c.first().copied());
            if let (Some(a), Some(b)) = (prev_last, next_first) {
                if a > b {
                    let next = chunks.remove(k);
                    if let Some(prev) = chunks.get_mut(k - 1) {
                        prev.pop();
                        prev.extend(next.into_iter().skip(1));
                    }
                }
            }
        }
        let mut pending_low: Option<char> = None;
        let count = chunks.len();
        for (idx, chunk) in chunks.iter().enumerate() {
            let mut chars: &[char] = chunk;
            if idx == 0 && negated {
                chars = chars.get(1..).unwrap_or_default();
            }
            for (ci, &c) in chars.iter().enumerate() {
                if let Some(low) = pending_low.take() {
                    items.push((low, c));
                    continue;
                }
                let is_last = ci + 1 == chars.len();
                if is_last && idx + 1 < count {
                    pending_low = Some(c);
                } else {
                    items.push((c, c));
                }
            }
        }
        if let Some(low) = pending_low {
            items.push((low, low));
        }
    }
    match (negated, items.is_empty()) {
        // Negated empty set: any character.
        (true, true) => "(?s:.)".to_owned(),
        // Empty set: never matches.
        (false, true) => "(?:\\z(?s:.))".to_owned(),
        _ => {
            let mut out = String::from(if negated { "[^" } else { "[" });
            for (low, high) in items {
                out.push_str(&esc(low));
                if high != low {
                    out.push('-');
                    out.push_str(&esc(high));
                }
            }
            out.push(']');
            out
        }
    }
}

/// Splits a pattern into pieces like the first pass of
/// `fnmatch.translate`.
fn pieces(pattern: &str) -> Vec<Piece> {
    let pat: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0usize;
    while let Some(&c) = pat.get(i) {
        i += 1;
        match c {
            '*' => {
                if out.last() != Some(&Piece::Star) {
                    out.push(Piece::Star);
                }
            }
            '?' => out.push(Piece::One("(?s:.)".to_owned())),
            '[' => {
                let mut j = i;
                if pat.get(j) == Some(&'!') {
                    j += 1;
                }
                if pat.get(j) == Some(&']') {
                    j += 1;
                }
                while pat.get(j).is_some_and(|&ch| ch != ']') {
                    j += 1;
                }
                if j >= pat.len() {
                    out.push(Piece::One(esc('[')));
                } else {
                    out.push(Piece::One(class(pat.get(i..j).unwrap_or_default())));
                    i = j + 1;
                }
            }
            other => out.push(Piece::One(esc(other))),
        }
    }
    out
}

/// The regex body for a pattern: leading fixed part, interior `*`s lazy
/// (Python uses atomic minimal groups), the last `*` greedy.
fn body(pattern: &str) -> String {
    let parts = pieces(pattern);
    let mut out = String::from("(?s:");
    let mut idx = 0usize;
    while let Some(Piece::One(fragment)) = parts.get(idx) {
        out.push_str(fragment);
        idx += 1;
    }
    while idx < parts.len() {
        // parts[idx] is a star here.
        idx += 1;
        let mut fixed = String::new();
        while let Some(Piece::One(fragment)) = parts.get(idx) {
            fixed.push_str(fragment);
            idx += 1;
        }
        if idx >= parts.len() {
            out.push_str(".*");
            out.push_str(&fixed);
        } else {
            out.push_str("(?:.*?");
            out.push_str(&fixed);
            out.push(')');
        }
    }
    out.push(')');
    out
}

fn compile(pattern: &str, regex: &str) -> Result<Regex, GlobError> {
    Regex::new(regex).map_err(|source| GlobError {
        pattern: pattern.to_owned(),
        source,
    })
}

/// `fnmatch.fnmatch` on POSIX: the whole string must match.
pub fn full_match_regex(pattern: &str) -> Result<Regex, GlobError> {
    compile(pattern, &format!("^{}\\z", body(pattern)))
}

/// The skip-list matcher: the pattern must match a prefix of the path that
/// is followed by the end or by `/...` (Python: `re.match(glob +
/// "(?:/.*)?$")`, where `$` also accepts one trailing newline).
pub fn skip_regex(pattern: &str) -> Result<Regex, GlobError> {
    compile(pattern, &format!("^{}(?:/[^\\n]*)?\\n?\\z", body(pattern)))
}

/// The `--trim-path-prefix` matcher: the pattern must match at the start;
/// the match's length is what gets cut.
pub fn prefix_regex(pattern: &str) -> Result<Regex, GlobError> {
    compile(pattern, &format!("^{}", body(pattern)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full(p: &str, s: &str) -> bool {
        full_match_regex(p).map(|r| r.is_match(s)).unwrap_or(false)
    }

    #[test]
    fn stars_and_questions() {
        assert!(full("*.c", "/a/b/c.c"));
        assert!(full("/a/*/c.c", "/a/x/y/c.c"));
        assert!(!full("*.c", "/a/b/c.h"));
        assert!(full("a?c", "abc"));
        assert!(!full("a?c", "ac"));
        assert!(full("*a*b*", "xxaxxbxx"));
        assert!(full("a*", "a\nb"));
    }

    #[test]
    fn classes() {
        assert!(full("[abc]", "b"));
        assert!(!full("[!abc]", "b"));
        assert!(full("[!abc]", "d"));
        assert!(full("[a-c]x", "bx"));
        assert!(!full("[z-a]", "z"));
        assert!(full("[!b-a]", "q"));
        assert!(full("[a-]", "-"));
        assert!(full("[]]", "]"));
        assert!(full("[!]]", "a"));
        assert!(full("[", "["));
        assert!(full("[!]", "[!]"));
        assert!(full("[\\]", "\\"));
        assert!(full("[^a]", "^"));
        assert!(full("[a-c-e]", "-") || !full("[a-c-e]", "-"));
    }

    #[test]
    fn skip_and_prefix() {
        let r = skip_regex("/a/b").ok();
        let m = |s: &str| r.as_ref().is_some_and(|r| r.is_match(s));
        assert!(m("/a/b"));
        assert!(m("/a/b/c.c"));
        assert!(!m("/a/bc"));
        assert!(m("/a/b\n"));
        let p = prefix_regex("*/src/").ok();
        let found = p.as_ref().and_then(|r| r.find("/x/src/y/src/z.c"));
        assert_eq!(found.map(|m| m.end()), Some(13));
    }
}
