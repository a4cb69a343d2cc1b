//! Encoding side of the JSON protocol.

use std::io::Write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use thrift::protocol::{
    TFieldIdentifier, TListIdentifier, TMapIdentifier, TMessageIdentifier, TOutputProtocol,
    TSetIdentifier, TStructIdentifier, TType,
};

use super::double::write_double;
use super::scan::find_needs_escape;
use super::{invalid, type_tag, PROTOCOL_VERSION};

/// Once this much output is buffered it is handed to the writer.
const FLUSH_AT: usize = 64 * 1024;
/// Binary values are base64-encoded this many input bytes at a time (a
/// multiple of 3, so that only the last piece can need padding).
const BASE64_CHUNK: usize = 48 * 1024;
/// Strings are escaped this many bytes at a time.
const STRING_CHUNK: usize = 64 * 1024;

/// Separator state of the JSON container being written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    Top,
    Array { first: bool },
    Object { first: bool, key: bool },
}

/// Writes Thrift values with the JSON protocol into an [`std::io::Write`].
///
/// Output is collected in an internal buffer and handed to the writer in
/// large pieces; call [`flush`](TOutputProtocol::flush) (generated code does
/// after each message) or [`into_inner`](Self::into_inner) to push out the
/// rest. Dropping the protocol writes out what is buffered, ignoring errors.
///
/// ```
/// use codechecker_api::json::JsonOutputProtocol;
/// use thrift::protocol::{TMessageIdentifier, TMessageType, TOutputProtocol, TStructIdentifier};
///
/// let mut p = JsonOutputProtocol::new(Vec::new());
/// p.write_message_begin(&TMessageIdentifier::new("ping", TMessageType::Call, 7))?;
/// p.write_struct_begin(&TStructIdentifier::new("ping_args"))?;
/// p.write_field_stop()?;
/// p.write_struct_end()?;
/// p.write_message_end()?;
/// assert_eq!(p.into_inner()?, br#"[1,"ping",1,7,{}]"#);
/// # Ok::<(), thrift::Error>(())
/// ```
#[derive(Debug)]
pub struct JsonOutputProtocol<W: Write> {
    inner: Option<W>,
    buf: Vec<u8>,
    ctx: Ctx,
    stack: Vec<Ctx>,
}

impl<W: Write> JsonOutputProtocol<W> {
    /// Encodes into `writer`.
    pub fn new(writer: W) -> Self {
        JsonOutputProtocol {
            inner: Some(writer),
            buf: Vec::with_capacity(8 * 1024),
            ctx: Ctx::Top,
            stack: Vec::with_capacity(16),
        }
    }

    /// The writer, if the protocol still owns it.
    pub fn get_ref(&self) -> Option<&W> {
        self.inner.as_ref()
    }

    /// Writes out the buffered output and returns the writer.
    pub fn into_inner(mut self) -> thrift::Result<W> {
        self.drain()?;
        self.inner
            .take()
            .ok_or_else(|| invalid("the output writer is gone"))
    }

    /// Hands the buffered output to the writer.
    fn drain(&mut self) -> thrift::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let w = self
            .inner
            .as_mut()
            .ok_or_else(|| invalid("the output writer is gone"))?;
        w.write_all(&self.buf)?;
        self.buf.clear();
        Ok(())
    }

    #[inline(always)]
    fn maybe_drain(&mut self) -> thrift::Result<()> {
        if self.buf.len() >= FLUSH_AT {
            self.drain()
        } else {
            Ok(())
        }
    }

    /// Writes the separator due before the next value; returns whether the
    /// value is an object key (numbers are then quoted).
    #[inline(always)]
    fn separator(&mut self) -> bool {
        match self.ctx {
            Ctx::Top => false,
            Ctx::Array { first: true } => {
                self.ctx = Ctx::Array { first: false };
                false
            }
            Ctx::Array { first: false } => {
                self.buf.push(b',');
                false
            }
            Ctx::Object { first: true, .. } => {
                self.ctx = Ctx::Object {
                    first: false,
                    key: false,
                };
                true
            }
            Ctx::Object { first: false, key } => {
                self.buf.push(if key { b',' } else { b':' });
                self.ctx = Ctx::Object {
                    first: false,
                    key: !key,
                };
                key
            }
        }
    }

    fn begin(&mut self, open: u8, ctx: Ctx) {
        self.separator();
        self.buf.push(open);
        self.stack.push(self.ctx);
        self.ctx = ctx;
    }

    fn end(&mut self, close: u8) -> thrift::Result<()> {
        let Some(outer) = self.stack.pop() else {
            return Err(invalid("container end without a matching begin"));
        };
        self.ctx = outer;
        self.buf.push(close);
        self.maybe_drain()
    }

    fn begin_array(&mut self) {
        self.begin(b'[', Ctx::Array { first: true });
    }

    fn begin_object(&mut self) {
        self.begin(
            b'{',
            Ctx::Object {
                first: true,
                key: true,
            },
        );
    }

    #[inline]
    fn number(&mut self, v: i64) -> thrift::Result<()> {
        let key = self.separator();
        if key {
            self.buf.push(b'"');
            push_i64(&mut self.buf, v);
            self.buf.push(b'"');
        } else {
            push_i64(&mut self.buf, v);
        }
        self.maybe_drain()
    }

    /// Writes a string that needs no escaping (type tags).
    fn plain_string(&mut self, s: &str) {
        self.separator();
        self.buf.push(b'"');
        self.buf.extend_from_slice(s.as_bytes());
        self.buf.push(b'"');
    }

    fn tag(&mut self, ty: TType) -> thrift::Result<()> {
        let tag = type_tag(ty)?;
        self.plain_string(tag);
        Ok(())
    }

    fn size(ident_size: i32) -> thrift::Result<i64> {
        if ident_size < 0 {
            return Err(invalid(format!("negative container size {ident_size}")));
        }
        Ok(i64::from(ident_size))
    }
}

impl<W: Write> Drop for JsonOutputProtocol<W> {
    fn drop(&mut self) {
        if let Some(w) = self.inner.as_mut() {
            if !self.buf.is_empty() {
                let _ = w.write_all(&self.buf);
            }
        }
    }
}

/// Appends the decimal form of `v`.
#[inline]
fn push_i64(out: &mut Vec<u8>, v: i64) {
    let mut n = v.unsigned_abs();
    if n < 10 {
        if v < 0 {
            out.push(b'-');
        }
        out.push(b'0' + n as u8);
        return;
    }
    let mut tmp = [0u8; 20];
    let mut i = tmp.len();
    for slot in tmp.iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
        i -= 1;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(tmp.get(i..).unwrap_or(&[]));
}

/// Appends `s` with the characters JSON requires escaped replaced by escape
/// sequences. Everything else, non-ASCII included, is copied as is.
fn push_escaped(out: &mut Vec<u8>, s: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut rest = s;
    while let Some(i) = find_needs_escape(rest) {
        let (head, tail) = rest.split_at(i);
        out.extend_from_slice(head);
        let Some((&b, tail)) = tail.split_first() else {
            rest = tail;
            break;
        };
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x0c => out.extend_from_slice(b"\\f"),
            c => {
                let hi = HEX.get(usize::from(c >> 4)).copied().unwrap_or(b'0');
                let lo = HEX.get(usize::from(c & 0xf)).copied().unwrap_or(b'0');
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hi, lo]);
            }
        }
        rest = tail;
    }
    out.extend_from_slice(rest);
}

impl<W: Write> TOutputProtocol for JsonOutputProtocol<W> {
    fn write_message_begin(&mut self, identifier: &TMessageIdentifier) -> thrift::Result<()> {
        self.ctx = Ctx::Top;
        self.stack.clear();
        self.begin_array();
        self.number(PROTOCOL_VERSION)?;
        self.write_string(&identifier.name)?;
        self.number(i64::from(u8::from(identifier.message_type)))?;
        self.number(i64::from(identifier.sequence_number))
    }

    fn write_message_end(&mut self) -> thrift::Result<()> {
        self.end(b']')
    }

    fn write_struct_begin(&mut self, _identifier: &TStructIdentifier) -> thrift::Result<()> {
        self.begin_object();
        Ok(())
    }

    fn write_struct_end(&mut self) -> thrift::Result<()> {
        self.end(b'}')
    }

    fn write_field_begin(&mut self, identifier: &TFieldIdentifier) -> thrift::Result<()> {
        let id = identifier
            .id
            .ok_or_else(|| invalid("a field to write needs an id"))?;
        let tag = type_tag(identifier.field_type)?;
        self.number(i64::from(id))?;
        self.begin_object();
        self.plain_string(tag);
        Ok(())
    }

    fn write_field_end(&mut self) -> thrift::Result<()> {
        self.end(b'}')
    }

    fn write_field_stop(&mut self) -> thrift::Result<()> {
        Ok(())
    }

    fn write_bool(&mut self, b: bool) -> thrift::Result<()> {
        self.number(i64::from(b))
    }

    fn write_bytes(&mut self, b: &[u8]) -> thrift::Result<()> {
        self.separator();
        self.buf.push(b'"');
        for chunk in b.chunks(BASE64_CHUNK) {
            let old = self.buf.len();
            let encoded = base64::encoded_len(chunk.len(), true)
                .ok_or_else(|| invalid("binary value too large to encode"))?;
            self.buf.resize(old + encoded, 0);
            let target = self.buf.get_mut(old..).unwrap_or(&mut []);
            let written = STANDARD
                .encode_slice(chunk, target)
                .map_err(|e| invalid(format!("base64 encoding failed: {e}")))?;
            self.buf.truncate(old + written);
            self.maybe_drain()?;
        }
        self.buf.push(b'"');
        self.maybe_drain()
    }

    fn write_i8(&mut self, i: i8) -> thrift::Result<()> {
        self.number(i64::from(i))
    }

    fn write_i16(&mut self, i: i16) -> thrift::Result<()> {
        self.number(i64::from(i))
    }

    fn write_i32(&mut self, i: i32) -> thrift::Result<()> {
        self.number(i64::from(i))
    }

    fn write_i64(&mut self, i: i64) -> thrift::Result<()> {
        self.number(i)
    }

    fn write_double(&mut self, d: f64) -> thrift::Result<()> {
        let key = self.separator();
        let quote = key || !d.is_finite();
        if quote {
            self.buf.push(b'"');
        }
        write_double(d, &mut self.buf);
        if quote {
            self.buf.push(b'"');
        }
        self.maybe_drain()
    }

    fn write_string(&mut self, s: &str) -> thrift::Result<()> {
        self.separator();
        self.buf.push(b'"');
        // Escaping works on bytes (every byte that needs escaping is ASCII and
        // never part of a multi-byte character), so the pieces can be cut
        // anywhere.
        for piece in s.as_bytes().chunks(STRING_CHUNK) {
            push_escaped(&mut self.buf, piece);
            self.maybe_drain()?;
        }
        self.buf.push(b'"');
        self.maybe_drain()
    }

    fn write_list_begin(&mut self, identifier: &TListIdentifier) -> thrift::Result<()> {
        let size = Self::size(identifier.size)?;
        self.begin_array();
        self.tag(identifier.element_type)?;
        self.number(size)
    }

    fn write_list_end(&mut self) -> thrift::Result<()> {
        self.end(b']')
    }

    fn write_set_begin(&mut self, identifier: &TSetIdentifier) -> thrift::Result<()> {
        let size = Self::size(identifier.size)?;
        self.begin_array();
        self.tag(identifier.element_type)?;
        self.number(size)
    }

    fn write_set_end(&mut self) -> thrift::Result<()> {
        self.end(b']')
    }

    fn write_map_begin(&mut self, identifier: &TMapIdentifier) -> thrift::Result<()> {
        let size = Self::size(identifier.size)?;
        let (Some(key_type), Some(value_type)) = (identifier.key_type, identifier.value_type)
        else {
            return Err(invalid("a map to write needs its key and value types"));
        };
        self.begin_array();
        self.tag(key_type)?;
        self.tag(value_type)?;
        self.number(size)?;
        self.begin_object();
        Ok(())
    }

    fn write_map_end(&mut self) -> thrift::Result<()> {
        self.end(b'}')?;
        self.end(b']')
    }

    fn flush(&mut self) -> thrift::Result<()> {
        self.drain()?;
        if let Some(w) = self.inner.as_mut() {
            w.flush()?;
        }
        Ok(())
    }

    fn write_byte(&mut self, b: u8) -> thrift::Result<()> {
        self.number(i64::from(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(v: i64) -> String {
        let mut out = Vec::new();
        push_i64(&mut out, v);
        String::from_utf8(out).unwrap_or_default()
    }

    #[test]
    fn integers() {
        for v in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            99,
            12345,
            i64::MAX,
            i64::MIN,
            i64::from(i32::MIN),
        ] {
            assert_eq!(num(v), v.to_string());
        }
    }

    #[test]
    fn escapes() {
        let mut out = Vec::new();
        push_escaped(
            &mut out,
            "a\"b\\c\n\r\t\u{8}\u{c}\u{1}\u{1f}é\u{7f}".as_bytes(),
        );
        assert_eq!(
            String::from_utf8(out).unwrap_or_default(),
            "a\\\"b\\\\c\\n\\r\\t\\b\\f\\u0001\\u001fé\u{7f}"
        );
    }
}
