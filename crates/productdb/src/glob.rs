//! Python's `fnmatch.fnmatch` on POSIX (case-sensitive): `*` matches any
//! run of characters (`/` included), `?` one character, `[seq]` and
//! `[!seq]` a character (in) or not in a set with ranges; an unclosed `[`
//! is literal. CodeChecker links a newly stored file to source components
//! with it.

/// Whether all of `text` matches `pattern`.
pub(crate) fn fnmatch(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Iterative matching with one backtrack point per `*` (the classic
    // linear-space wildcard algorithm).
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some('*') => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some('?') => Some(1),
            Some('[') => match class(&p, pi, t[ti]) {
                Some((matched, len)) => matched.then_some(len),
                None => (t[ti] == '[').then_some(1),
            },
            Some(c) => (*c == t[ti]).then_some(1),
            None => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// The set starting at `p[start] == '['`: whether `c` matches it and the
/// set's length in pattern characters, or `None` when it is not closed.
fn class(p: &[char], start: usize, c: char) -> Option<(bool, usize)> {
    let mut i = start + 1;
    let negate = matches!(p.get(i), Some('!'));
    if negate {
        i += 1;
    }
    // A `]` right at the start is a member.
    let first = i;
    let mut matched = false;
    loop {
        let ch = *p.get(i)?;
        if ch == ']' && i > first {
            break;
        }
        if p.get(i + 1) == Some(&'-') && p.get(i + 2).is_some_and(|e| *e != ']') {
            let end = p[i + 2];
            if ch <= c && c <= end {
                matched = true;
            }
            i += 3;
        } else {
            if ch == c {
                matched = true;
            }
            i += 1;
        }
    }
    Some((matched != negate, i + 1 - start))
}

#[cfg(test)]
mod tests {
    use super::fnmatch;

    #[test]
    fn like_python() {
        assert!(fnmatch("/a/b/c.c", "/a/*"));
        assert!(fnmatch("/a/b/c.c", "*/c.c"));
        assert!(fnmatch("/a/b/c.c", "/a/?/c.?"));
        assert!(!fnmatch("/a/b/c.c", "/A/*"));
        assert!(!fnmatch("/a/b/c.c", "/a/b"));
        assert!(fnmatch("/a/b/c.c", "/a/[a-c]/c.c"));
        assert!(!fnmatch("/a/b/c.c", "/a/[!b]/c.c"));
        assert!(fnmatch("/a/[x/c", "/a/[x/c"));
        assert!(fnmatch("]]", "[]]]"));
        assert!(!fnmatch("x]", "[]]]"));
        assert!(fnmatch("", "*"));
        assert!(fnmatch("", ""));
        assert!(!fnmatch("a", ""));
        assert!(fnmatch("abcabd", "*abd"));
        assert!(fnmatch("a-b", "a[-]b"));
    }
}
