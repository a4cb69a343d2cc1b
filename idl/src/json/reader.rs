//! Decoding side of the JSON protocol.

use base64::alphabet;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMapIdentifier, TMessageIdentifier,
    TMessageType, TSetIdentifier, TStructIdentifier, TType,
};
use thrift::ProtocolErrorKind;

use super::double::parse_double;
use super::scan::find_quote_or_backslash;
use super::{invalid, min_encoded_len, perr, type_from_tag, DEFAULT_MAX_DEPTH, PROTOCOL_VERSION};

/// Standard alphabet; padding optional (Python pads, C++ and Java do not);
/// non-zero trailing bits tolerated, as Python's decoder tolerates them.
const BASE64_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// Longest number token accepted (digits, sign, point, exponent).
const MAX_NUMBER_LEN: usize = 1100;

/// Where we are inside a JSON container; decides which separator precedes the
/// next value and whether a number must be quoted (object keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// Top level: no separators.
    Top,
    /// Inside an array; `first` until the first value has been read.
    Array { first: bool },
    /// Inside an object; `key` when the next value is a key; `field` for the
    /// `{"<tag>":<value>}` wrapper of a struct field.
    Object { first: bool, key: bool, field: bool },
}

/// A JSON string token: either a span of the input that needs no unescaping
/// or the unescaped bytes.
enum StrTok {
    Span(usize, usize),
    Owned(Vec<u8>),
}

/// Reads Thrift values encoded with the JSON protocol from an in-memory
/// buffer.
///
/// `B` is anything that can be viewed as bytes: `Vec<u8>` (the default),
/// `&[u8]`, `bytes::Bytes`, …
///
/// ```
/// use codechecker_api::json::JsonInputProtocol;
/// use thrift::protocol::TInputProtocol;
///
/// let mut p = JsonInputProtocol::new(br#"[1,"ping",1,7,{}]"#.as_slice());
/// let msg = p.read_message_begin()?;
/// assert_eq!((msg.name.as_str(), msg.sequence_number), ("ping", 7));
/// # Ok::<(), thrift::Error>(())
/// ```
#[derive(Debug)]
pub struct JsonInputProtocol<B = Vec<u8>> {
    buf: B,
    pos: usize,
    ctx: Ctx,
    stack: Vec<Ctx>,
    depth: usize,
    max_depth: usize,
    /// Inside a message's envelope array (between `read_message_begin` and
    /// `read_message_end`).
    in_message: bool,
}

impl<B: AsRef<[u8]>> JsonInputProtocol<B> {
    /// Decodes from `buf`, with the default nesting limit
    /// ([`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH)).
    pub fn new(buf: B) -> Self {
        Self::with_max_depth(buf, DEFAULT_MAX_DEPTH)
    }

    /// Decodes from `buf`, allowing at most `max_depth` nested structs, lists,
    /// sets and maps.
    pub fn with_max_depth(buf: B, max_depth: usize) -> Self {
        JsonInputProtocol {
            buf,
            pos: 0,
            ctx: Ctx::Top,
            stack: Vec::with_capacity(16),
            depth: 0,
            max_depth,
            in_message: false,
        }
    }

    /// Byte offset of the next unread byte.
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Bytes not consumed yet.
    pub fn remaining(&self) -> usize {
        self.buf.as_ref().len().saturating_sub(self.pos)
    }

    /// Gives the buffer back.
    pub fn into_inner(self) -> B {
        self.buf
    }

    /// Succeeds when only whitespace is left in the input.
    pub fn expect_end(&mut self) -> thrift::Result<()> {
        self.skip_ws();
        if self.pos < self.buf.as_ref().len() {
            return Err(invalid(format!(
                "unexpected data after the end of the message at offset {}",
                self.pos
            )));
        }
        Ok(())
    }

    // ---- low-level scanning -------------------------------------------------

    #[inline(always)]
    fn bytes(&self) -> &[u8] {
        self.buf.as_ref()
    }

    #[inline(always)]
    fn skip_ws(&mut self) {
        let len = self.bytes().len();
        while self.pos < len {
            match self.bytes().get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                _ => break,
            }
        }
    }

    /// Next non-whitespace byte, not consumed.
    #[inline(always)]
    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes().get(self.pos).copied()
    }

    #[cold]
    fn unexpected(&self, wanted: &str) -> thrift::Error {
        match self.bytes().get(self.pos) {
            None => invalid(format!(
                "unexpected end of input at offset {}: expected {wanted}",
                self.pos
            )),
            Some(&b) => invalid(format!(
                "unexpected {} at offset {}: expected {wanted}",
                describe(b),
                self.pos
            )),
        }
    }

    #[inline(always)]
    fn expect_byte(&mut self, want: u8) -> thrift::Result<()> {
        if self.peek() == Some(want) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(quoted_char(want)))
        }
    }

    /// Consumes the separator that precedes the next value in the current
    /// context. Returns whether the value is in an object-key position.
    #[inline(always)]
    fn separator(&mut self) -> thrift::Result<bool> {
        match self.ctx {
            Ctx::Top => Ok(false),
            Ctx::Array { first: true } => {
                self.ctx = Ctx::Array { first: false };
                Ok(false)
            }
            Ctx::Array { first: false } => {
                self.expect_byte(b',')?;
                Ok(false)
            }
            Ctx::Object {
                first: true, field, ..
            } => {
                self.ctx = Ctx::Object {
                    first: false,
                    key: false,
                    field,
                };
                Ok(true)
            }
            Ctx::Object {
                first: false,
                key,
                field,
            } => {
                if key {
                    self.expect_byte(b',')?;
                } else {
                    self.expect_byte(b':')?;
                }
                self.ctx = Ctx::Object {
                    first: false,
                    key: !key,
                    field,
                };
                Ok(key)
            }
        }
    }

    fn push(&mut self, ctx: Ctx) {
        self.stack.push(self.ctx);
        self.ctx = ctx;
    }

    fn pop(&mut self) -> thrift::Result<()> {
        match self.stack.pop() {
            Some(ctx) => {
                self.ctx = ctx;
                Ok(())
            }
            None => Err(invalid("container end without a matching begin")),
        }
    }

    fn enter(&mut self) -> thrift::Result<()> {
        if self.depth >= self.max_depth {
            return Err(perr(
                ProtocolErrorKind::DepthLimit,
                format!(
                    "nesting deeper than {} levels at offset {}",
                    self.max_depth, self.pos
                ),
            ));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn begin_array(&mut self) -> thrift::Result<()> {
        self.separator()?;
        self.expect_byte(b'[')?;
        self.push(Ctx::Array { first: true });
        Ok(())
    }

    fn end_array(&mut self) -> thrift::Result<()> {
        self.expect_byte(b']')?;
        self.pop()
    }

    fn begin_object(&mut self, field: bool) -> thrift::Result<()> {
        self.separator()?;
        self.expect_byte(b'{')?;
        self.push(Ctx::Object {
            first: true,
            key: true,
            field,
        });
        Ok(())
    }

    fn end_object(&mut self) -> thrift::Result<()> {
        self.expect_byte(b'}')?;
        self.pop()
    }

    /// Reads an integer value: optional sign and decimal digits, inside
    /// quotes in object-key positions (map keys, field ids) and bare
    /// everywhere else, as every Thrift implementation writes them.
    fn read_integer(&mut self, what: &str) -> thrift::Result<i64> {
        let quoted = self.separator()?;
        self.skip_ws();
        if quoted {
            if self.bytes().get(self.pos) != Some(&b'"') {
                return Err(self.unexpected(&format!("'\"' opening a quoted integer ({what})")));
            }
            self.pos += 1;
        }
        let start = self.pos;
        let bytes = self.bytes();
        let mut i = start;
        let negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let digits_start = i;
        // Accumulate negatively so that i64::MIN is representable.
        let mut acc: i64 = 0;
        let mut overflow = false;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            let d = i64::from(b - b'0');
            match acc.checked_mul(10).and_then(|v| v.checked_sub(d)) {
                Some(v) => acc = v,
                None => overflow = true,
            }
            i += 1;
            if i - digits_start > MAX_NUMBER_LEN {
                break;
            }
        }
        let next = bytes.get(i).copied();
        if i == digits_start || matches!(next, Some(b'.' | b'e' | b'E' | b'0'..=b'9')) {
            self.pos = start;
            return Err(self.unexpected(&format!("an integer ({what})")));
        }
        let value = if negative {
            Some(acc)
        } else {
            acc.checked_neg()
        };
        let value = match (overflow, value) {
            (false, Some(v)) => v,
            _ => {
                return Err(invalid(format!(
                    "integer out of range for {what} at offset {start}"
                )))
            }
        };
        self.pos = i;
        if quoted {
            if self.bytes().get(self.pos) != Some(&b'"') {
                return Err(self.unexpected("'\"' closing a quoted number"));
            }
            self.pos += 1;
        }
        Ok(value)
    }

    fn read_ranged(&mut self, what: &str, min: i64, max: i64) -> thrift::Result<i64> {
        let start = self.pos;
        let v = self.read_integer(what)?;
        if v < min || v > max {
            return Err(invalid(format!(
                "{v} is out of range for {what} (near offset {start})"
            )));
        }
        Ok(v)
    }

    /// Scans a string token (the separator already consumed). Strings without
    /// escapes come back as a span of the input.
    fn string_token(&mut self) -> thrift::Result<StrTok> {
        self.expect_byte(b'"')?;
        let start = self.pos;
        let bytes = self.bytes();
        let rest = bytes.get(start..).unwrap_or(&[]);
        let Some(off) = find_quote_or_backslash(rest) else {
            self.pos = bytes.len();
            return Err(self.unexpected("'\"' closing a string"));
        };
        let at = start + off;
        if bytes.get(at) == Some(&b'"') {
            self.pos = at + 1;
            return Ok(StrTok::Span(start, at));
        }
        self.unescape_from(start, at).map(StrTok::Owned)
    }

    /// Decodes a string body that has an escape at `esc`; `start` is the byte
    /// after the opening quote.
    #[cold]
    fn unescape_from(&mut self, start: usize, esc: usize) -> thrift::Result<Vec<u8>> {
        let bytes = self.buf.as_ref();
        let mut out = Vec::with_capacity((esc - start) + 16);
        out.extend_from_slice(bytes.get(start..esc).unwrap_or(&[]));
        let mut pos = esc;
        loop {
            match bytes.get(pos) {
                Some(b'"') => {
                    self.pos = pos + 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    pos = unescape_one(bytes, pos, &mut out)?;
                }
                _ => {
                    self.pos = pos;
                    return Err(self.unexpected("'\"' closing a string"));
                }
            }
            let rest = bytes.get(pos..).unwrap_or(&[]);
            match find_quote_or_backslash(rest) {
                Some(off) => {
                    out.extend_from_slice(rest.get(..off).unwrap_or(&[]));
                    pos += off;
                }
                None => {
                    self.pos = bytes.len();
                    return Err(self.unexpected("'\"' closing a string"));
                }
            }
        }
    }

    fn tok_bytes<'a>(&'a self, tok: &'a StrTok) -> &'a [u8] {
        match tok {
            StrTok::Span(a, b) => self.bytes().get(*a..*b).unwrap_or(&[]),
            StrTok::Owned(v) => v,
        }
    }

    /// Reads a type tag string value.
    fn read_type_tag(&mut self) -> thrift::Result<TType> {
        self.separator()?;
        let tok = self.string_token()?;
        type_from_tag(self.tok_bytes(&tok))
    }

    /// Reads a container size and checks that the remaining input can hold
    /// that many elements of at least `min_elem` bytes each, plus separators.
    fn read_size(&mut self, what: &str, min_elem: u64) -> thrift::Result<i32> {
        let start = self.pos;
        let size = self.read_integer(what)?;
        if size < 0 {
            return Err(perr(
                ProtocolErrorKind::NegativeSize,
                format!("negative {what} size {size} at offset {start}"),
            ));
        }
        let size = i32::try_from(size).map_err(|_| {
            perr(
                ProtocolErrorKind::SizeLimit,
                format!("{what} size {size} at offset {start} is too large"),
            )
        })?;
        let count = size as u64;
        let needed = count
            .saturating_mul(min_elem.saturating_add(1))
            .saturating_sub(1);
        let remaining = self.remaining() as u64;
        if needed > remaining {
            return Err(perr(
                ProtocolErrorKind::SizeLimit,
                format!(
                    "{what} at offset {start} claims {size} elements, more than the {remaining} remaining bytes can hold"
                ),
            ));
        }
        Ok(size)
    }

    /// Reads a number token for a double (separator already consumed).
    fn double_token(&mut self) -> thrift::Result<f64> {
        self.skip_ws();
        let start = self.pos;
        if self.bytes().get(self.pos) == Some(&b'"') {
            let tok = self.string_token()?;
            return parse_double(self.tok_bytes(&tok))
                .ok_or_else(|| invalid(format!("bad double value at offset {start}")));
        }
        let bytes = self.bytes();
        let len = bytes
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .take(MAX_NUMBER_LEN + 1)
            .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
            .count();
        let text = bytes.get(start..start + len).unwrap_or(&[]);
        match parse_double(text) {
            Some(v) => {
                self.pos = start + len;
                Ok(v)
            }
            None => Err(self.unexpected("a double")),
        }
    }
}

/// Decodes the escape sequence at `pos` (a backslash) into `out`; returns the
/// position after it.
fn unescape_one(bytes: &[u8], pos: usize, out: &mut Vec<u8>) -> thrift::Result<usize> {
    let code = bytes.get(pos + 1).copied();
    let simple = match code {
        Some(b'"') => b'"',
        Some(b'\\') => b'\\',
        Some(b'/') => b'/',
        Some(b'b') => 0x08,
        Some(b'f') => 0x0c,
        Some(b'n') => b'\n',
        Some(b'r') => b'\r',
        Some(b't') => b'\t',
        Some(b'u') => {
            let unit = hex4(bytes, pos + 2)?;
            let (ch, next) = match unit {
                0xD800..=0xDBFF => {
                    // A high surrogate must be followed by `\u` + low surrogate.
                    if bytes.get(pos + 6) != Some(&b'\\') || bytes.get(pos + 7) != Some(&b'u') {
                        return Err(invalid(format!(
                            "unpaired high surrogate \\u{unit:04x} at offset {pos}"
                        )));
                    }
                    let low = hex4(bytes, pos + 8)?;
                    if !(0xDC00..=0xDFFF).contains(&low) {
                        return Err(invalid(format!(
                            "high surrogate \\u{unit:04x} followed by \\u{low:04x} at offset {pos}"
                        )));
                    }
                    let cp = 0x10000 + (((unit - 0xD800) << 10) | (low - 0xDC00));
                    (char::from_u32(cp), pos + 12)
                }
                0xDC00..=0xDFFF => {
                    return Err(invalid(format!(
                        "unpaired low surrogate \\u{unit:04x} at offset {pos}"
                    )))
                }
                _ => (char::from_u32(unit), pos + 6),
            };
            let ch = ch.ok_or_else(|| invalid(format!("bad \\u escape at offset {pos}")))?;
            let mut tmp = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
            return Ok(next);
        }
        Some(other) => {
            return Err(invalid(format!(
                "invalid escape sequence '\\{}' at offset {pos}",
                char::from(other).escape_default()
            )))
        }
        None => return Err(invalid("unexpected end of input inside a string")),
    };
    out.push(simple);
    Ok(pos + 2)
}

/// Parses four hex digits at `at`.
fn hex4(bytes: &[u8], at: usize) -> thrift::Result<u32> {
    let digits = bytes
        .get(at..at + 4)
        .ok_or_else(|| invalid("unexpected end of input inside a \\u escape"))?;
    let mut v = 0u32;
    for &d in digits {
        let n = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => {
                return Err(invalid(format!(
                    "invalid hex digit in \\u escape at offset {at}"
                )))
            }
        };
        v = (v << 4) | u32::from(n);
    }
    Ok(v)
}

fn describe(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("'{}'", char::from(b))
    } else {
        format!("byte 0x{b:02x}")
    }
}

fn quoted_char(b: u8) -> &'static str {
    match b {
        b'[' => "'['",
        b']' => "']'",
        b'{' => "'{'",
        b'}' => "'}'",
        b',' => "','",
        b':' => "':'",
        b'"' => "'\"'",
        _ => "a delimiter",
    }
}

fn utf8_string(bytes: &[u8], at: usize) -> thrift::Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(invalid(format!(
            "string at offset {at} is not valid UTF-8 (at byte {} of the string)",
            e.valid_up_to()
        ))),
    }
}

fn decode_base64(text: &[u8], at: usize) -> thrift::Result<Vec<u8>> {
    BASE64_LENIENT
        .decode(text)
        .map_err(|e| invalid(format!("bad base64 in binary value at offset {at}: {e}")))
}

impl<B: AsRef<[u8]>> TInputProtocol for JsonInputProtocol<B> {
    fn read_message_begin(&mut self) -> thrift::Result<TMessageIdentifier> {
        self.ctx = Ctx::Top;
        self.stack.clear();
        self.depth = 0;
        self.in_message = false;
        self.begin_array()?;
        self.in_message = true;
        let at = self.pos;
        let version = self.read_integer("message version")?;
        if version != PROTOCOL_VERSION {
            return Err(perr(
                ProtocolErrorKind::BadVersion,
                format!("unsupported JSON protocol version {version} at offset {at} (expected 1)"),
            ));
        }
        let name = self.read_string()?;
        let at = self.pos;
        let kind = self.read_integer("message type")?;
        let message_type = match kind {
            1 => TMessageType::Call,
            2 => TMessageType::Reply,
            3 => TMessageType::Exception,
            4 => TMessageType::OneWay,
            other => {
                return Err(invalid(format!(
                    "invalid message type {other} at offset {at}"
                )))
            }
        };
        let seq = self.read_ranged("sequence id", i64::from(i32::MIN), i64::from(i32::MAX))?;
        Ok(TMessageIdentifier::new(name, message_type, seq as i32))
    }

    fn read_message_end(&mut self) -> thrift::Result<()> {
        self.in_message = false;
        self.end_array()?;
        if self.stack.is_empty() {
            self.expect_end()?;
        }
        Ok(())
    }

    fn read_struct_begin(&mut self) -> thrift::Result<Option<TStructIdentifier>> {
        self.enter()?;
        self.begin_object(false)?;
        Ok(None)
    }

    fn read_struct_end(&mut self) -> thrift::Result<()> {
        self.end_object()?;
        self.leave();
        // The struct of a message is its last element: a message cut after
        // it is refused here, before a server runs the call (the generated
        // processors call the handler without reading the message's end).
        if self.in_message && self.stack.len() == 1 && self.peek() != Some(b']') {
            return Err(self.unexpected("']' closing the message"));
        }
        Ok(())
    }

    fn read_field_begin(&mut self) -> thrift::Result<TFieldIdentifier> {
        // A caller that did not end the previous field (the thrift crate's
        // default `skip` never calls `read_field_end`) still leaves us inside
        // that field's wrapper object: close it first. Its `}` must still be
        // in the input.
        if matches!(self.ctx, Ctx::Object { field: true, .. }) {
            self.end_object()?;
        }
        if self.peek() == Some(b'}') {
            return Ok(
                TFieldIdentifier::new::<Option<String>, String, Option<i16>>(
                    None,
                    TType::Stop,
                    None,
                ),
            );
        }
        if !matches!(self.ctx, Ctx::Object { .. }) {
            return Err(invalid("field outside of a struct"));
        }
        let id = self.read_ranged("field id", i64::from(i16::MIN), i64::from(i16::MAX))?;
        self.begin_object(true)?;
        let field_type = self.read_type_tag()?;
        Ok(TFieldIdentifier::new::<Option<String>, String, i16>(
            None, field_type, id as i16,
        ))
    }

    fn read_field_end(&mut self) -> thrift::Result<()> {
        self.end_object()
    }

    fn read_bool(&mut self) -> thrift::Result<bool> {
        // Writers send 1/0; like Python, any non-zero integer is true.
        Ok(self.read_integer("bool")? != 0)
    }

    fn read_bytes(&mut self) -> thrift::Result<Vec<u8>> {
        self.separator()?;
        let at = self.pos;
        match self.string_token()? {
            StrTok::Span(a, b) => decode_base64(self.bytes().get(a..b).unwrap_or(&[]), at),
            StrTok::Owned(v) => decode_base64(&v, at),
        }
    }

    fn read_i8(&mut self) -> thrift::Result<i8> {
        Ok(self.read_ranged("i8", i64::from(i8::MIN), i64::from(i8::MAX))? as i8)
    }

    fn read_i16(&mut self) -> thrift::Result<i16> {
        Ok(self.read_ranged("i16", i64::from(i16::MIN), i64::from(i16::MAX))? as i16)
    }

    fn read_i32(&mut self) -> thrift::Result<i32> {
        Ok(self.read_ranged("i32", i64::from(i32::MIN), i64::from(i32::MAX))? as i32)
    }

    fn read_i64(&mut self) -> thrift::Result<i64> {
        self.read_integer("i64")
    }

    fn read_double(&mut self) -> thrift::Result<f64> {
        self.separator()?;
        self.double_token()
    }

    fn read_string(&mut self) -> thrift::Result<String> {
        self.separator()?;
        let at = self.pos;
        match self.string_token()? {
            StrTok::Span(a, b) => utf8_string(self.bytes().get(a..b).unwrap_or(&[]), at),
            StrTok::Owned(v) => String::from_utf8(v).map_err(|e| {
                invalid(format!(
                    "string at offset {at} is not valid UTF-8 (at byte {} of the string)",
                    e.utf8_error().valid_up_to()
                ))
            }),
        }
    }

    fn read_list_begin(&mut self) -> thrift::Result<TListIdentifier> {
        self.enter()?;
        self.begin_array()?;
        let element_type = self.read_type_tag()?;
        let size = self.read_size("list", min_encoded_len(element_type))?;
        Ok(TListIdentifier::new(element_type, size))
    }

    fn read_list_end(&mut self) -> thrift::Result<()> {
        self.end_array()?;
        self.leave();
        Ok(())
    }

    fn read_set_begin(&mut self) -> thrift::Result<TSetIdentifier> {
        self.enter()?;
        self.begin_array()?;
        let element_type = self.read_type_tag()?;
        let size = self.read_size("set", min_encoded_len(element_type))?;
        Ok(TSetIdentifier::new(element_type, size))
    }

    fn read_set_end(&mut self) -> thrift::Result<()> {
        self.end_array()?;
        self.leave();
        Ok(())
    }

    fn read_map_begin(&mut self) -> thrift::Result<TMapIdentifier> {
        self.enter()?;
        self.begin_array()?;
        let key_type = self.read_type_tag()?;
        let value_type = self.read_type_tag()?;
        // Each entry is key ':' value; entries are separated by ','.
        let entry = min_encoded_len(key_type) + 1 + min_encoded_len(value_type);
        let size = self.read_size("map", entry)?;
        self.begin_object(false)?;
        Ok(TMapIdentifier::new(key_type, value_type, size))
    }

    fn read_map_end(&mut self) -> thrift::Result<()> {
        self.end_object()?;
        self.end_array()?;
        self.leave();
        Ok(())
    }

    fn read_byte(&mut self) -> thrift::Result<u8> {
        Ok(self.read_ranged("byte", i64::from(i8::MIN), i64::from(u8::MAX))? as u8)
    }

    /// Skips one value of type `field_type`.
    ///
    /// Replaces the trait's default, which recurses and never calls
    /// `read_field_end` inside skipped structs: harmless for the binary
    /// protocols, where a field has no end marker, but wrong for JSON, where
    /// it is the `}` closing `{"<tag>":<value>}`. This version walks the value
    /// with an explicit stack and nests at most `depth` levels (and at most
    /// the protocol's own nesting limit).
    fn skip_till_depth(&mut self, field_type: TType, depth: i8) -> thrift::Result<()> {
        let limit = usize::try_from(depth).unwrap_or(0);
        let mut stack: Vec<SkipFrame> = Vec::new();
        let mut pending = Some(field_type);
        loop {
            if let Some(ty) = pending.take() {
                if stack.len() >= limit && is_container(ty) {
                    return Err(perr(
                        ProtocolErrorKind::DepthLimit,
                        format!("cannot skip values nested deeper than {depth} levels"),
                    ));
                }
                match ty {
                    TType::Bool | TType::I08 | TType::I16 | TType::I32 | TType::I64 => {
                        self.read_integer("skipped integer")?;
                    }
                    TType::Double => {
                        self.read_double()?;
                    }
                    TType::String | TType::Utf8 => {
                        self.separator()?;
                        self.string_token()?;
                    }
                    TType::Struct => {
                        self.read_struct_begin()?;
                        stack.push(SkipFrame::Struct { in_field: false });
                    }
                    TType::List => {
                        let l = self.read_list_begin()?;
                        stack.push(SkipFrame::Seq {
                            left: l.size,
                            elem: l.element_type,
                            set: false,
                        });
                    }
                    TType::Set => {
                        let l = self.read_set_begin()?;
                        stack.push(SkipFrame::Seq {
                            left: l.size,
                            elem: l.element_type,
                            set: true,
                        });
                    }
                    TType::Map => {
                        let m = self.read_map_begin()?;
                        let (Some(key), Some(value)) = (m.key_type, m.value_type) else {
                            return Err(invalid("map without key or value type"));
                        };
                        stack.push(SkipFrame::Map {
                            left: i64::from(m.size) * 2,
                            key,
                            value,
                        });
                    }
                    other => {
                        return Err(invalid(format!("cannot skip a value of type {other}")));
                    }
                }
            }
            // Decide what comes next in the innermost open container.
            let Some(top) = stack.last_mut() else {
                return Ok(());
            };
            match top {
                SkipFrame::Struct { in_field } => {
                    if *in_field {
                        self.read_field_end()?;
                        *in_field = false;
                    }
                    let f = self.read_field_begin()?;
                    if f.field_type == TType::Stop {
                        self.read_struct_end()?;
                        stack.pop();
                    } else {
                        *in_field = true;
                        pending = Some(f.field_type);
                    }
                }
                SkipFrame::Seq { left, elem, set } => {
                    if *left > 0 {
                        *left -= 1;
                        pending = Some(*elem);
                    } else {
                        if *set {
                            self.read_set_end()?;
                        } else {
                            self.read_list_end()?;
                        }
                        stack.pop();
                    }
                }
                SkipFrame::Map { left, key, value } => {
                    if *left > 0 {
                        pending = Some(if *left % 2 == 0 { *key } else { *value });
                        *left -= 1;
                    } else {
                        self.read_map_end()?;
                        stack.pop();
                    }
                }
            }
        }
    }
}

/// An open container while skipping.
enum SkipFrame {
    Struct { in_field: bool },
    Seq { left: i32, elem: TType, set: bool },
    Map { left: i64, key: TType, value: TType },
}

fn is_container(ty: TType) -> bool {
    matches!(ty, TType::Struct | TType::List | TType::Set | TType::Map)
}
