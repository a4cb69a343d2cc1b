//! A minimal XML property-list reader producing a borrowed value tree.
//!
//! It follows Python's `plistlib` parser driven by `lxml` (what CodeChecker
//! uses): unknown elements are ignored, the text of an element is what
//! follows its last child start tag, a later top-level object replaces an
//! earlier one, duplicate keys keep the last value. Any XML or structure
//! error rejects the whole document, as it does in CodeChecker.

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::python_text::py_strip;

/// A property-list value; strings borrow from the input where possible.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// `<string>`.
    String(Cow<'a, str>),
    /// `<integer>`.
    Integer(i64),
    /// `<real>`.
    Real(f64),
    /// `<true/>` / `<false/>`.
    Bool(bool),
    /// `<date>` (kept as text).
    Date(Cow<'a, str>),
    /// `<data>` (kept as base64 text).
    Data(Cow<'a, str>),
    /// `<array>`.
    Array(Vec<Value<'a>>),
    /// `<dict>`.
    Dict(Dict<'a>),
}

/// A `<dict>` in document order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict<'a> {
    entries: Vec<(Cow<'a, str>, Value<'a>)>,
}

impl<'a> Dict<'a> {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&Value<'a>> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_ref() == key)
            .map(|(_, v)| v)
    }

    /// Entries in document order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value<'a>)> {
        self.entries.iter().map(|(k, v)| (k.as_ref(), v))
    }

    /// No entries.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Inserts like a Python dict: an existing key keeps its position and
    /// takes the new value.
    fn insert(&mut self, key: Cow<'a, str>, value: Value<'a>) {
        if let Some(slot) = self.entries.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = value;
        } else {
            self.entries.push((key, value));
        }
    }
}

impl Value<'_> {
    /// Python truthiness.
    pub fn truthy(&self) -> bool {
        match self {
            Value::String(s) | Value::Date(s) | Value::Data(s) => !s.is_empty(),
            Value::Integer(i) => *i != 0,
            Value::Real(r) => *r != 0.0,
            Value::Bool(b) => *b,
            Value::Array(a) => !a.is_empty(),
            Value::Dict(d) => !d.is_empty(),
        }
    }
}

/// Why a document was rejected; `position` is a byte offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Byte offset near the problem.
    pub position: u64,
    /// What is wrong.
    pub message: String,
}

/// An open container and the key it will be stored under in its parent.
struct Frame<'a> {
    container: Container<'a>,
    key: Option<Cow<'a, str>>,
}

enum Container<'a> {
    Dict(Dict<'a>),
    Array(Vec<Value<'a>>),
}

/// Character data collected since the last start tag. Raw text is kept as
/// a slice and only line-end normalised when an element consumes it, so
/// the whitespace between tags costs nothing.
enum Data<'a> {
    Empty,
    Raw(&'a str),
    Owned(String),
}

/// XML 1.0 end-of-line handling: `\r\n` and lone `\r` become `\n`.
fn normalize_eol(raw: &str) -> Cow<'_, str> {
    if raw.contains('\r') {
        Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
    } else {
        Cow::Borrowed(raw)
    }
}

/// Tree builder mirroring `plistlib._PlistParser`.
struct Builder<'a> {
    stack: Vec<Frame<'a>>,
    key: Option<Cow<'a, str>>,
    root: Option<Value<'a>>,
    data: Data<'a>,
}

impl<'a> Builder<'a> {
    fn take_data(&mut self) -> Cow<'a, str> {
        match std::mem::replace(&mut self.data, Data::Empty) {
            Data::Empty => Cow::Borrowed(""),
            Data::Raw(raw) => normalize_eol(raw),
            Data::Owned(s) => Cow::Owned(s),
        }
    }

    fn push_raw(&mut self, raw: &'a str) {
        match &mut self.data {
            Data::Empty => self.data = Data::Raw(raw),
            Data::Raw(first) => {
                let mut s = normalize_eol(first).into_owned();
                s.push_str(&normalize_eol(raw));
                self.data = Data::Owned(s);
            }
            Data::Owned(s) => s.push_str(&normalize_eol(raw)),
        }
    }

    fn push_char(&mut self, c: char) {
        match &mut self.data {
            Data::Empty => self.data = Data::Owned(c.to_string()),
            Data::Raw(first) => {
                let mut s = normalize_eol(first).into_owned();
                s.push(c);
                self.data = Data::Owned(s);
            }
            Data::Owned(s) => s.push(c),
        }
    }

    /// `plistlib`'s `add_object`, split into "where does it go" (checked
    /// when the object starts) and the actual store.
    fn slot_for_new(&mut self) -> Result<Option<Cow<'a, str>>, String> {
        if let Some(key) = self.key.take() {
            return Ok(Some(key));
        }
        match self.stack.last() {
            None
            | Some(Frame {
                container: Container::Array(_),
                ..
            }) => Ok(None),
            Some(_) => Err("unexpected element in a dict (missing key)".to_owned()),
        }
    }

    fn store(&mut self, key: Option<Cow<'a, str>>, value: Value<'a>) -> Result<(), String> {
        match (self.stack.last_mut(), key) {
            (None, _) => {
                self.root = Some(value);
                Ok(())
            }
            (
                Some(Frame {
                    container: Container::Dict(d),
                    ..
                }),
                Some(k),
            ) => {
                d.insert(k, value);
                Ok(())
            }
            (
                Some(Frame {
                    container: Container::Array(a),
                    ..
                }),
                None,
            ) => {
                a.push(value);
                Ok(())
            }
            _ => Err("unexpected element".to_owned()),
        }
    }

    fn add_scalar(&mut self, value: Value<'a>) -> Result<(), String> {
        let key = self.slot_for_new()?;
        self.store(key, value)
    }

    fn begin(&mut self, name: &[u8]) -> Result<(), String> {
        self.data = Data::Empty;
        let container = match name {
            b"dict" => Container::Dict(Dict::default()),
            b"array" => Container::Array(Vec::new()),
            _ => return Ok(()),
        };
        let key = self.slot_for_new()?;
        self.stack.push(Frame { container, key });
        Ok(())
    }

    fn end(&mut self, name: &[u8]) -> Result<(), String> {
        match name {
            b"dict" | b"array" => {
                if name == b"dict" {
                    if let Some(k) = &self.key {
                        return Err(format!("missing value for key {k:?}"));
                    }
                }
                let Some(frame) = self.stack.pop() else {
                    return Err("unbalanced container".to_owned());
                };
                let value = match frame.container {
                    Container::Dict(d) => Value::Dict(d),
                    Container::Array(a) => Value::Array(a),
                };
                self.store(frame.key, value)
            }
            b"key" => {
                let pending = self.key.as_ref().is_some_and(|k| !k.is_empty());
                let in_dict = matches!(
                    self.stack.last(),
                    Some(Frame {
                        container: Container::Dict(_),
                        ..
                    })
                );
                if pending || !in_dict {
                    return Err("unexpected key".to_owned());
                }
                self.key = Some(self.take_data());
                Ok(())
            }
            b"string" => {
                let s = self.take_data();
                self.add_scalar(Value::String(s))
            }
            b"integer" => {
                let raw = self.take_data();
                let v = parse_int(&raw).ok_or_else(|| format!("invalid integer {raw:?}"))?;
                self.add_scalar(Value::Integer(v))
            }
            b"real" => {
                let raw = self.take_data();
                let v = parse_real(&raw).ok_or_else(|| format!("invalid real {raw:?}"))?;
                self.add_scalar(Value::Real(v))
            }
            b"true" => self.add_scalar(Value::Bool(true)),
            b"false" => self.add_scalar(Value::Bool(false)),
            b"date" => {
                let s = self.take_data();
                self.add_scalar(Value::Date(s))
            }
            b"data" => {
                let s = self.take_data();
                self.add_scalar(Value::Data(s))
            }
            _ => Ok(()),
        }
    }
}

/// Python's `int(raw)`, or `int(raw, 16)` after a `0x` prefix.
fn parse_int(raw: &str) -> Option<i64> {
    let (digits, radix) = match raw.get(..2) {
        Some("0x") | Some("0X") => (raw.get(2..)?, 16),
        _ => (raw, 10),
    };
    let s = py_strip(digits);
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, s.get(1..)?),
        b'+' => (false, s.get(1..)?),
        _ => (false, s),
    };
    let body = body
        .strip_prefix('_')
        .filter(|_| radix == 16)
        .unwrap_or(body);
    if body.is_empty() || body.starts_with('_') || body.ends_with('_') || body.contains("__") {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    if !clean.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(&clean, radix).ok()?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).ok()
}

/// Python's `float(raw)` for the forms that occur in practice.
fn parse_real(raw: &str) -> Option<f64> {
    let s = py_strip(raw);
    if s.contains('_') {
        return s.replace('_', "").parse().ok();
    }
    s.parse().ok()
}

/// Whether `c` is allowed in XML 1.0 documents.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Rejects a declared encoding other than UTF-8 unless the document is
/// plain ASCII (which every ASCII-compatible encoding reads the same).
fn check_decl_encoding(decl: &quick_xml::events::BytesDecl<'_>, doc: &str) -> Result<(), String> {
    if let Some(Ok(enc)) = decl.encoding() {
        let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
        let utf8 = matches!(enc.as_str(), "utf-8" | "utf8");
        if !utf8 && !doc.is_ascii() {
            return Err(format!("unsupported encoding {enc:?}"));
        }
    }
    Ok(())
}

fn element_name<'b>(start: &'b BytesStart<'_>) -> &'b [u8] {
    start.name().into_inner()
}

/// The part of `doc` that `piece` (a slice of it) covers; `None` when
/// `piece` lies elsewhere.
fn sub_str<'a>(doc: &'a str, piece: &[u8]) -> Option<&'a str> {
    let start = (piece.as_ptr() as usize).checked_sub(doc.as_ptr() as usize)?;
    doc.get(start..start.checked_add(piece.len())?)
}

/// Deepest element nesting accepted: what libxml2 (under lxml) accepts by
/// default. The limit also bounds recursion on the value tree.
const MAX_DEPTH: usize = 257;

/// Offset of the first byte below 0x20 other than tab, LF and CR (such
/// characters make XML 1.0 documents ill-formed). Branch-free per chunk so
/// it vectorises.
fn first_control_char(bytes: &[u8]) -> Option<usize> {
    let bad = |b: u8| b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r';
    for (i, chunk) in bytes.chunks(256).enumerate() {
        let any = chunk.iter().fold(false, |acc, &b| acc | bad(b));
        if any {
            return chunk.iter().position(|&b| bad(b)).map(|p| i * 256 + p);
        }
    }
    None
}

/// Parses an XML property list; `Ok(None)` when it holds no object.
pub fn parse(bytes: &[u8]) -> Result<Option<Value<'_>>, XmlError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let doc = std::str::from_utf8(bytes).map_err(|e| XmlError {
        position: e.valid_up_to() as u64,
        message: "input is not proper UTF-8".to_owned(),
    })?;
    if let Some(pos) = first_control_char(bytes) {
        return Err(XmlError {
            position: pos as u64,
            message: "control character not allowed in XML".to_owned(),
        });
    }
    let mut reader = Reader::from_str(doc);
    reader.config_mut().trim_text(false);
    reader.config_mut().check_end_names = true;
    let mut builder = Builder {
        stack: Vec::new(),
        key: None,
        root: None,
        data: Data::Empty,
    };
    let mut depth = 0usize;
    let mut seen_root = false;
    loop {
        let position = reader.buffer_position();
        let fail = |message: String| XmlError { position, message };
        let event = reader.read_event().map_err(|e| fail(e.to_string()))?;
        let outside = depth == 0;
        match event {
            Event::Start(start) => {
                if outside && seen_root {
                    return Err(fail("extra content at the end of the document".into()));
                }
                seen_root = true;
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(fail(format!("excessive depth in document: {MAX_DEPTH}")));
                }
                builder.begin(element_name(&start)).map_err(fail)?;
            }
            Event::Empty(start) => {
                if outside && seen_root {
                    return Err(fail("extra content at the end of the document".into()));
                }
                seen_root = true;
                let name = element_name(&start);
                builder.begin(name).map_err(fail)?;
                builder.end(name).map_err(fail)?;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                builder.end(end.name().into_inner()).map_err(fail)?;
            }
            Event::Text(text) => {
                let raw = text.into_inner();
                if outside {
                    if raw
                        .iter()
                        .any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                    {
                        return Err(fail("text outside the root element".into()));
                    }
                } else {
                    let piece =
                        sub_str(doc, &raw).ok_or_else(|| fail("text not in input".into()))?;
                    builder.push_raw(piece);
                }
            }
            Event::CData(cdata) => {
                if outside {
                    return Err(fail("CDATA outside the root element".into()));
                }
                let raw = cdata.into_inner();
                let piece = sub_str(doc, &raw).ok_or_else(|| fail("CDATA not in input".into()))?;
                builder.push_raw(piece);
            }
            Event::GeneralRef(reference) => {
                if outside {
                    return Err(fail("reference outside the root element".into()));
                }
                let ch = match reference.resolve_char_ref() {
                    Ok(Some(ch)) if is_xml_char(ch) => ch,
                    Ok(Some(ch)) => {
                        return Err(fail(format!("invalid character reference {ch:?}")));
                    }
                    Ok(None) => {
                        let name = reference.decode().map_err(|e| fail(e.to_string()))?;
                        match name.as_ref() {
                            "lt" => '<',
                            "gt" => '>',
                            "amp" => '&',
                            "apos" => '\'',
                            "quot" => '"',
                            other => return Err(fail(format!("undefined entity &{other};"))),
                        }
                    }
                    Err(e) => return Err(fail(e.to_string())),
                };
                builder.push_char(ch);
            }
            Event::Decl(decl) => check_decl_encoding(&decl, doc).map_err(fail)?,
            Event::Comment(_) | Event::PI(_) | Event::DocType(_) => {}
            Event::Eof => {
                if depth != 0 {
                    return Err(fail("premature end of data: unclosed element".into()));
                }
                if !seen_root {
                    return Err(fail("document is empty".into()));
                }
                break;
            }
        }
    }
    Ok(builder.root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(xml: &str) -> Result<Option<Value<'_>>, XmlError> {
        parse(xml.as_bytes())
    }

    #[test]
    fn scalars_and_containers() {
        let xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>\
            <key>a</key><integer>0x10</integer><key>b</key><string>x &lt; y&#33;</string>\
            <key>c</key><array><true/><real>1.5</real><string/></array>\
            <key>a</key><integer> -3 </integer></dict></plist>";
        let Ok(Some(Value::Dict(d))) = root(xml) else {
            panic!("not a dict");
        };
        assert_eq!(d.get("a"), Some(&Value::Integer(-3)));
        assert_eq!(d.get("b"), Some(&Value::String("x < y!".into())));
        assert_eq!(
            d.get("c"),
            Some(&Value::Array(vec![
                Value::Bool(true),
                Value::Real(1.5),
                Value::String("".into())
            ]))
        );
        assert_eq!(d.iter().next().map(|(k, _)| k), Some("a"));
    }

    #[test]
    fn line_endings_normalised() {
        let xml = "<plist><string>a\r\nb\rc&#13;</string></plist>";
        assert_eq!(root(xml), Ok(Some(Value::String("a\nb\nc\r".into()))));
    }

    #[test]
    fn rejects_bad_documents() {
        for bad in [
            "",
            "<plist><dict><key>a</key></dict></plist>",
            "<plist><dict><string>x</string></dict></plist>",
            "<plist><array><key>a</key></array></plist>",
            "<plist><dict>",
            "<plist></dict>",
            "<plist/><plist/>",
            "<plist><integer>x</integer></plist>",
            "<plist><string>&foo;</string></plist>",
            "<plist><string>\u{1}</string></plist>",
            "junk<plist/>",
        ] {
            assert!(root(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn ints_like_python() {
        assert_eq!(parse_int("12"), Some(12));
        assert_eq!(parse_int(" +1_000 "), Some(1000));
        assert_eq!(parse_int("0x_ff"), Some(255));
        assert_eq!(parse_int("1__0"), None);
        assert_eq!(parse_int(""), None);
        assert_eq!(parse_int("99999999999999999999"), None);
    }
}
