//! `skip_file`: `+pattern` / `-pattern` lines; the first pattern that
//! matches a path decides (`-` skips). Patterns are shell patterns that
//! match the path itself or any path below it; `#` starts a comment line.

use regex::Regex;

use crate::glob::{skip_regex, GlobError};
use crate::python_text::{
    decode_utf8_ignore, normpath, py_splitlines, py_strip, universal_newlines,
};

/// One valid skip line.
#[derive(Debug, Clone)]
pub struct SkipRule {
    /// The line as written (stripped).
    pub line: String,
    /// `true` for `-` (skip), `false` for `+` (keep).
    pub skip: bool,
    regex: Regex,
}

/// A parsed skip file.
#[derive(Debug, Clone, Default)]
pub struct SkipList {
    rules: Vec<SkipRule>,
    lines: Vec<String>,
    malformed: Vec<String>,
}

impl SkipList {
    /// Parses the text of a skip file. Malformed lines (not starting with
    /// `+`/`-`, or too short) are ignored and listed in
    /// [`SkipList::malformed_lines`], as CodeChecker warns about them.
    pub fn parse(content: &str) -> Result<Self, GlobError> {
        let lines: Vec<String> = py_splitlines(content)
            .into_iter()
            .map(py_strip)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let mut rules = Vec::new();
        let mut malformed = Vec::new();
        for line in &lines {
            let mut chars = line.chars();
            let sign = chars.next();
            let valid = line.chars().count() >= 2 && matches!(sign, Some('-') | Some('+'));
            if !valid {
                malformed.push(line.clone());
                continue;
            }
            let pattern = normpath(py_strip(chars.as_str()));
            rules.push(SkipRule {
                line: line.clone(),
                skip: sign == Some('-'),
                regex: skip_regex(&pattern)?,
            });
        }
        Ok(SkipList {
            rules,
            lines,
            malformed,
        })
    }

    /// Parses a skip file's bytes as the server reads them (UTF-8, invalid
    /// bytes dropped, universal newlines).
    pub fn parse_bytes(content: &[u8]) -> Result<Self, GlobError> {
        let text = decode_utf8_ignore(content);
        Self::parse(&universal_newlines(&text))
    }

    /// Whether reports in `path` (a report's original file path) are
    /// skipped.
    pub fn should_skip(&self, path: &str) -> bool {
        self.rules
            .iter()
            .find(|r| r.regex.is_match(path))
            .is_some_and(|r| r.skip)
    }

    /// The valid rules in file order.
    pub fn rules(&self) -> &[SkipRule] {
        &self.rules
    }

    /// Non-empty, non-comment lines, stripped.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// Lines ignored as malformed.
    pub fn malformed_lines(&self) -> &[String] {
        &self.malformed
    }

    /// No valid rule.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_match_decides() {
        let list = SkipList::parse("# comment\n+/a/keep.c\n-/a/*\n-/b\nbogus\n-\n").ok();
        let skip = |p: &str| list.as_ref().is_some_and(|l| l.should_skip(p));
        assert!(!skip("/a/keep.c"));
        assert!(skip("/a/x.c"));
        assert!(skip("/a/d/x.c"));
        assert!(skip("/b/x.c"));
        assert!(!skip("/bc/x.c"));
        assert!(!skip("/c/x.c"));
        assert_eq!(
            list.as_ref().map(|l| l.malformed_lines().to_vec()),
            Some(vec!["bogus".to_owned(), "-".to_owned()])
        );
    }

    #[test]
    fn directory_patterns_are_normalised() {
        let list = SkipList::parse("-/a/b/../c/\n").ok();
        assert!(list.is_some_and(|l| l.should_skip("/a/c/x.c")));
    }
}
