//! `--trim-path-prefix`: removes the longest matching leading path.

use regex::Regex;

use crate::glob::{prefix_regex, GlobError};

/// A compiled list of `--trim-path-prefix` patterns (shell patterns; a `/`
/// is appended to each that lacks one).
#[derive(Debug, Clone, Default)]
pub struct PathPrefixes {
    matchers: Vec<Regex>,
}

impl PathPrefixes {
    /// Compiles the prefixes.
    pub fn new<S: AsRef<str>>(prefixes: &[S]) -> Result<Self, GlobError> {
        let mut matchers = Vec::with_capacity(prefixes.len());
        for prefix in prefixes {
            let mut p = prefix.as_ref().to_owned();
            if !p.ends_with('/') {
                p.push('/');
            }
            matchers.push(prefix_regex(&p)?);
        }
        Ok(PathPrefixes { matchers })
    }

    /// No prefixes given.
    pub fn is_empty(&self) -> bool {
        self.matchers.is_empty()
    }

    /// `path` without its longest matching prefix; unchanged when nothing
    /// matches or the longest match is just `/`.
    pub fn trim<'a>(&self, path: &'a str) -> &'a str {
        let longest = self
            .matchers
            .iter()
            .filter_map(|m| m.find(path).map(|found| found.end()))
            .max()
            .unwrap_or(0);
        if longest == 0 || path.get(..longest) == Some("/") {
            return path;
        }
        path.get(longest..).unwrap_or(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trims_longest() {
        let p = PathPrefixes::new(&["/home/u", "/home/u/proj/", "/"]).ok();
        let trim = |s| p.as_ref().map(|p| p.trim(s));
        assert_eq!(trim("/home/u/proj/a.c"), Some("a.c"));
        assert_eq!(trim("/home/u/x/a.c"), Some("x/a.c"));
        assert_eq!(trim("/other/a.c"), Some("/other/a.c"));
        let star = PathPrefixes::new(&["*/src"]).ok();
        assert_eq!(
            star.as_ref().map(|p| p.trim("/a/src/b/src/c.c")),
            Some("c.c")
        );
    }
}
