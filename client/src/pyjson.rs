//! JSON text exactly as Python's `json.dumps` writes it (keys in insertion
//! order, `", "` / `": "` separators, non-ASCII escaped as `\uXXXX`), so our
//! `-o json` output matches CodeChecker's byte for byte.

use std::fmt::Write as _;

/// A JSON value with ordered object keys.
#[derive(Debug, Clone, PartialEq)]
pub enum PyValue {
    /// `null` (Python `None`).
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<PyValue>),
    /// An object, keys in insertion order.
    Dict(Vec<(String, PyValue)>),
}

impl PyValue {
    /// `Str`, or `Null` for `None`.
    pub fn opt_str(s: Option<&str>) -> Self {
        s.map_or(PyValue::Null, |s| PyValue::Str(s.to_owned()))
    }

    /// `Int`, or `Null` for `None`.
    pub fn opt_int(i: Option<i64>) -> Self {
        i.map_or(PyValue::Null, PyValue::Int)
    }

    /// `Bool`, or `Null` for `None`.
    pub fn opt_bool(b: Option<bool>) -> Self {
        b.map_or(PyValue::Null, PyValue::Bool)
    }

    /// A list of converted items, or `Null` for `None`.
    pub fn opt_list<T>(items: Option<&[T]>, f: impl Fn(&T) -> PyValue) -> Self {
        items.map_or(PyValue::Null, |items| {
            PyValue::List(items.iter().map(f).collect())
        })
    }
}

/// Builds a [`PyValue::Dict`] from `key => value` pairs.
#[macro_export]
macro_rules! pydict {
    ($($key:expr => $value:expr),* $(,)?) => {
        $crate::pyjson::PyValue::Dict(vec![$(($key.to_string(), $value)),*])
    };
}

/// A JSON string literal with Python's default (`ensure_ascii`) escaping.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

fn push_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if !(' '..='~').contains(&c) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `json.dumps(value)`.
pub fn dumps(value: &PyValue) -> String {
    let mut out = String::new();
    write_compact(&mut out, value);
    out
}

/// `json.dumps(value, indent=indent)`.
pub fn dumps_indent(value: &PyValue, indent: usize) -> String {
    let mut out = String::new();
    write_indented(&mut out, value, indent, 0);
    out
}

fn write_scalar(out: &mut String, value: &PyValue) -> bool {
    match value {
        PyValue::Null => out.push_str("null"),
        PyValue::Bool(true) => out.push_str("true"),
        PyValue::Bool(false) => out.push_str("false"),
        PyValue::Int(i) => {
            let _ = write!(out, "{i}");
        }
        PyValue::Str(s) => push_quoted(out, s),
        PyValue::List(_) | PyValue::Dict(_) => return false,
    }
    true
}

fn write_compact(out: &mut String, value: &PyValue) {
    if write_scalar(out, value) {
        return;
    }
    match value {
        PyValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        PyValue::Dict(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_quoted(out, k);
                out.push_str(": ");
                write_compact(out, v);
            }
            out.push('}');
        }
        _ => {}
    }
}

fn newline(out: &mut String, indent: usize, level: usize) {
    out.push('\n');
    out.extend(std::iter::repeat_n(' ', indent * level));
}

fn write_indented(out: &mut String, value: &PyValue, indent: usize, level: usize) {
    if write_scalar(out, value) {
        return;
    }
    match value {
        PyValue::List(items) if items.is_empty() => out.push_str("[]"),
        PyValue::Dict(entries) if entries.is_empty() => out.push_str("{}"),
        PyValue::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                write_indented(out, item, indent, level + 1);
            }
            newline(out, indent, level);
            out.push(']');
        }
        PyValue::Dict(entries) => {
            out.push('{');
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                newline(out, indent, level + 1);
                push_quoted(out, k);
                out.push_str(": ");
                write_indented(out, v, indent, level + 1);
            }
            newline(out, indent, level);
            out.push('}');
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_like_python() {
        let v = pydict! {
            "a" => PyValue::Int(1),
            "b" => PyValue::List(vec![PyValue::Null, PyValue::Bool(true)]),
            "c" => PyValue::Str("é\"\n\u{1F600}\u{1}".into()),
            "d" => PyValue::Dict(vec![]),
        };
        assert_eq!(
            dumps(&v),
            r#"{"a": 1, "b": [null, true], "c": "\u00e9\"\n\ud83d\ude00\u0001", "d": {}}"#
        );
    }

    #[test]
    fn indented_like_python() {
        let v = PyValue::List(vec![
            pydict! {"x" => PyValue::Dict(vec![("0".into(), PyValue::Int(6))]), "y" => PyValue::List(vec![])},
        ]);
        assert_eq!(
            dumps_indent(&v, 4),
            "[\n    {\n        \"x\": {\n            \"0\": 6\n        },\n        \"y\": []\n    }\n]"
        );
    }
}
