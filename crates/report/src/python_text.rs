//! Small re-implementations of the Python string and path behaviour that
//! CodeChecker's decisions depend on (whitespace, line splitting, decoding
//! with `errors='ignore'`, `posixpath`).

use std::borrow::Cow;

/// Whether Python's `str.isspace()` holds for `c`.
///
/// Python counts the ASCII separators `\x1c`..`\x1f` as whitespace, Rust's
/// [`char::is_whitespace`] does not; otherwise they agree.
pub fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `s.strip()`.
pub fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `s.split()` (no argument): runs of whitespace separate, no empty
/// pieces.
pub fn py_split_ws(s: &str) -> impl Iterator<Item = &str> {
    s.split(is_py_space).filter(|p| !p.is_empty())
}

/// Python's `' '.join(s.split())`: whitespace runs collapsed to one space,
/// leading and trailing whitespace removed.
pub fn py_collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for piece in py_split_ws(s) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out
}

/// Decodes UTF-8 like Python's `bytes.decode('utf-8', errors='ignore')`:
/// invalid sequences are dropped.
pub fn decode_utf8_ignore(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let mut out = String::with_capacity(bytes.len());
            for chunk in bytes.utf8_chunks() {
                out.push_str(chunk.valid());
            }
            Cow::Owned(out)
        }
    }
}

/// Text as Python reads it from a file opened in text mode with universal
/// newlines: `\r\n` and lone `\r` become `\n`.
pub fn universal_newlines(text: &str) -> Cow<'_, str> {
    if !text.contains('\r') {
        return Cow::Borrowed(text);
    }
    Cow::Owned(text.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Python's `str.splitlines()` (without `keepends`): every Unicode line
/// boundary Python knows separates lines; a trailing boundary adds no empty
/// line.
pub fn py_splitlines(s: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let mut start = 0;
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let is_break = matches!(
            c,
            '\n' | '\r'
                | '\u{0b}'
                | '\u{0c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        );
        if !is_break {
            continue;
        }
        lines.push(s.get(start..i).unwrap_or(""));
        let mut end = i + c.len_utf8();
        if c == '\r' {
            if let Some(&(j, '\n')) = chars.peek() {
                end = j + 1;
                chars.next();
            }
        }
        start = end;
    }
    if start < s.len() {
        lines.push(s.get(start..).unwrap_or(""));
    }
    lines
}

/// `posixpath.normpath`.
pub fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_owned();
    }
    let initial_slashes = if path.starts_with("//") && !path.starts_with("///") {
        2
    } else if path.starts_with('/') {
        1
    } else {
        0
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        let keep = comp != ".."
            || (initial_slashes == 0 && parts.is_empty())
            || parts.last() == Some(&"..");
        if keep {
            parts.push(comp);
        } else {
            parts.pop();
        }
    }
    let mut out = "/".repeat(initial_slashes);
    out.push_str(&parts.join("/"));
    if out.is_empty() {
        ".".to_owned()
    } else {
        out
    }
}

/// `posixpath.join(base, path)` for two components.
pub fn join(base: &str, path: &str) -> String {
    if path.starts_with('/') || base.is_empty() {
        return path.to_owned();
    }
    let mut out = String::with_capacity(base.len() + 1 + path.len());
    out.push_str(base);
    if !base.ends_with('/') {
        out.push('/');
    }
    out.push_str(path);
    out
}

/// `posixpath.dirname`.
pub fn dirname(path: &str) -> &str {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    let head = path.get(..cut).unwrap_or("");
    if !head.is_empty() && head.bytes().any(|b| b != b'/') {
        head.trim_end_matches('/')
    } else {
        head
    }
}

/// `posixpath.basename`.
pub fn basename(path: &str) -> &str {
    let cut = path.rfind('/').map_or(0, |i| i + 1);
    path.get(cut..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_like_python() {
        let cases = [
            ("", "."),
            ("/", "/"),
            ("//", "//"),
            ("///", "/"),
            ("//a/b", "//a/b"),
            ("a/./b/../c", "a/c"),
            ("../a", "../a"),
            ("/../a", "/a"),
            ("a/../..", ".."),
            ("a/b/", "a/b"),
            ("reports/../src/x.c", "src/x.c"),
        ];
        for (input, want) in cases {
            assert_eq!(normpath(input), want, "normpath({input:?})");
        }
    }

    #[test]
    fn dirname_join_basename() {
        assert_eq!(dirname("/a/b/c.plist"), "/a/b");
        assert_eq!(dirname("c.plist"), "");
        assert_eq!(dirname("/c.plist"), "/");
        assert_eq!(dirname("a//b"), "a");
        assert_eq!(join("", "x.c"), "x.c");
        assert_eq!(join("/r", "/abs/x.c"), "/abs/x.c");
        assert_eq!(join("/r/", "x.c"), "/r/x.c");
        assert_eq!(join("/r", "x.c"), "/r/x.c");
        assert_eq!(basename("/a/b.c"), "b.c");
        assert_eq!(basename("b.c"), "b.c");
    }

    #[test]
    fn whitespace_and_lines() {
        assert_eq!(py_collapse_ws("  a \t b\x1c c \n"), "a b c");
        assert_eq!(py_strip("\x1f x \n"), "x");
        assert_eq!(py_splitlines("a\r\nb\rc\x0bd\n"), vec!["a", "b", "c", "d"]);
        assert_eq!(py_splitlines("a\n\nb"), vec!["a", "", "b"]);
        assert_eq!(universal_newlines("a\r\nb\rc"), "a\nb\nc");
        assert_eq!(decode_utf8_ignore(b"a\xffb\xe2\x82c"), "abc");
    }
}
