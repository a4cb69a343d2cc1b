//! The upload of a store call (`massStoreRun`, `massStoreRunAsynchronous`)
//! taken out of a Thrift JSON message without a copy.
//!
//! The base64 text of the upload is located in the request body and handed on
//! as a borrowed slice, while the rest of the message is decoded as usual with
//! the upload replaced by an empty string. A 500 MB upload then costs its
//! request body once, not twice.
//!
//! The walker here faces the same hostile input as
//! [`JsonInputProtocol`](super::JsonInputProtocol) and obeys the same rules:
//! it never recurses on the input (nesting is tracked with an explicit
//! stack), it gives up on nesting deeper than
//! [`DEFAULT_MAX_DEPTH`](super::DEFAULT_MAX_DEPTH), and every step fails
//! soft. A message it cannot walk is left whole to the protocol decoder,
//! which reports what is wrong with it.

use super::scan::find_quote_or_backslash;
use super::DEFAULT_MAX_DEPTH;

/// A store call whose upload was taken out of the message.
#[derive(Debug)]
pub struct SplitUpload<'a> {
    /// The base64 text of the upload, inside the original body.
    pub upload: &'a str,
    /// The message with the upload's value replaced by `""`.
    pub rewritten: Vec<u8>,
}

/// The field id of the argument that carries the upload, per method.
fn upload_field(method: &[u8]) -> Option<&'static [u8]> {
    match method {
        b"massStoreRunAsynchronous" => Some(b"1"),
        b"massStoreRun" => Some(b"4"),
        _ => None,
    }
}

/// Splits the upload out of a store call; `None` for any other message, for
/// a message that is not well formed (up to the upload), or when the upload's
/// text has escapes (the decoder then reads it as usual).
pub fn split(body: &[u8]) -> Option<SplitUpload<'_>> {
    let mut s = Walker { b: body, pos: 0 };
    s.expect_byte(b'[')?;
    s.skip_value()?; // protocol version
    s.expect_byte(b',')?;
    let (name_start, name_end) = s.string()?;
    let field = upload_field(body.get(name_start..name_end)?)?;
    s.expect_byte(b',')?;
    s.skip_value()?; // message type
    s.expect_byte(b',')?;
    s.skip_value()?; // sequence id
    s.expect_byte(b',')?;
    s.expect_byte(b'{')?;
    loop {
        s.ws();
        if s.peek()? == b'}' {
            return None;
        }
        let (k0, k1) = s.string()?;
        s.expect_byte(b':')?;
        s.ws();
        let value_start = s.pos;
        if body.get(k0..k1)? == field {
            s.expect_byte(b'{')?;
            let (t0, t1) = s.string()?;
            if body.get(t0..t1)? != b"str" {
                return None;
            }
            s.expect_byte(b':')?;
            let (u0, u1) = s.string()?;
            s.expect_byte(b'}')?;
            let text = body.get(u0..u1)?;
            if text.contains(&b'\\') {
                return None;
            }
            let upload = std::str::from_utf8(text).ok()?;
            let mut rewritten = Vec::with_capacity(body.len() - text.len() + 16);
            rewritten.extend_from_slice(body.get(..value_start)?);
            rewritten.extend_from_slice(br#"{"str":""}"#);
            rewritten.extend_from_slice(body.get(s.pos..)?);
            return Some(SplitUpload { upload, rewritten });
        }
        s.skip_value()?;
        s.ws();
        match s.peek()? {
            b',' => s.pos += 1,
            _ => return None,
        }
    }
}

/// A minimal JSON walker over a byte slice; every step fails soft (`None`).
struct Walker<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Walker<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    fn expect_byte(&mut self, c: u8) -> Option<()> {
        self.ws();
        if self.peek()? == c {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// A string token; returns the span of its content (escapes kept).
    fn string(&mut self) -> Option<(usize, usize)> {
        self.expect_byte(b'"')?;
        let start = self.pos;
        let rest = self.b.get(start..)?;
        let mut i = 0;
        loop {
            i += find_quote_or_backslash(rest.get(i..)?)?;
            match rest.get(i)? {
                b'\\' => i += 2,
                _ => {
                    self.pos = start + i + 1;
                    return Some((start, start + i));
                }
            }
        }
    }

    /// A scalar token (number, `true`, ...): anything up to a delimiter.
    fn scalar(&mut self) -> Option<()> {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if matches!(c, b',' | b']' | b'}' | b':' | b' ' | b'\t' | b'\r' | b'\n') {
                break;
            }
            self.pos += 1;
        }
        (self.pos > start).then_some(())
    }

    /// The key and colon of an object member.
    fn key(&mut self) -> Option<()> {
        self.string()?;
        self.expect_byte(b':')
    }

    /// Skips one value of any shape, iteratively: `open` holds the closing
    /// byte of every container the walker is inside, at most
    /// [`DEFAULT_MAX_DEPTH`] of them.
    fn skip_value(&mut self) -> Option<()> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            // A value starts here.
            self.ws();
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                c @ (b'{' | b'[') => {
                    if open.len() >= DEFAULT_MAX_DEPTH {
                        return None;
                    }
                    let close = if c == b'{' { b'}' } else { b']' };
                    self.pos += 1;
                    self.ws();
                    if self.peek()? != close {
                        open.push(close);
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                    self.pos += 1;
                }
                _ => self.scalar()?,
            }
            // The value ended: close what ends here, or go to the next one.
            loop {
                let Some(&close) = open.last() else {
                    return Some(());
                };
                self.ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        break;
                    }
                    c if c == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_upload_out_of_an_asynchronous_store() {
        let body = br#"[1,"massStoreRunAsynchronous",1,7,{"1":{"str":"QUJD"},"2":{"rec":{"1":{"str":"run"},"4":{"tf":0}}}}]"#;
        let split = split(body).expect("a store call");
        assert_eq!(split.upload, "QUJD");
        assert_eq!(
            split.rewritten,
            br#"[1,"massStoreRunAsynchronous",1,7,{"1":{"str":""},"2":{"rec":{"1":{"str":"run"},"4":{"tf":0}}}}]"#
        );
    }

    #[test]
    fn finds_the_fourth_argument_of_the_blocking_store() {
        let body = br#"[1,"massStoreRun",1,1,{"1":{"str":"r\"x"},"2":{"lst":["rec",1,{"1":{"map":["str","lst",1,{"k":["i32",2,1,2]}]}}]},"3":{"str":"6.24.4"},"4":{"str":"Zm9v"},"5":{"tf":1},"6":{"lst":["str",1,"/a"]}}]"#;
        let split = split(body).expect("a store call");
        assert_eq!(split.upload, "Zm9v");
        let text = std::str::from_utf8(&split.rewritten).expect("UTF-8");
        assert!(text.contains(r#""4":{"str":""},"5""#), "{text}");
    }

    #[test]
    fn leaves_other_messages_and_odd_input_alone() {
        assert!(split(br#"[1,"getRunData",1,1,{}]"#).is_none());
        assert!(split(br#"[1,"massStoreRun",1,1,{"4":{"str":"a\/b"}}]"#).is_none());
        for bad in [
            &b""[..],
            b"[",
            b"[1,\"massStoreRun\"",
            b"[1,\"massStoreRun\",1,1,{\"4\":{\"str\":\"abc",
            b"[1,\"massStoreRun\",1,1,{\"1\":[1 2],\"4\":{\"str\":\"abc\"}}]",
            b"[1,\"massStoreRun\",1,1,{\"1\":{\"a\" 1},\"4\":{\"str\":\"abc\"}}]",
            b"[1,\"massStoreRun\",1,1,{\"1\":[1,],\"4\":{\"str\":\"abc\"}}]",
        ] {
            assert!(split(bad).is_none(), "{}", String::from_utf8_lossy(bad));
        }
    }

    /// Deep nesting in an argument before the upload: the walker gives up
    /// (the decoder then refuses the message) instead of overflowing the
    /// stack, whatever the depth.
    #[test]
    fn deep_nesting_before_the_upload_is_refused_without_recursion() {
        for (open, close) in [("[", "]"), ("{\"a\":", "}")] {
            for depth in [DEFAULT_MAX_DEPTH + 1, 100_000, 1_000_000] {
                let nested = format!("{}1{}", open.repeat(depth), close.repeat(depth));
                for method in ["massStoreRun", "massStoreRunAsynchronous"] {
                    let body = format!(
                        r#"[1,"{method}",1,1,{{"0":{nested},"1":{{"str":"QUJD"}},"4":{{"str":"QUJD"}}}}]"#
                    );
                    assert!(
                        split(body.as_bytes()).is_none(),
                        "{method} at depth {depth}"
                    );
                }
            }
        }
        // Within the limit it is walked.
        let nested = format!("{}1{}", "[".repeat(10), "]".repeat(10));
        let body =
            format!(r#"[1,"massStoreRunAsynchronous",1,1,{{"0":{nested},"1":{{"str":"QUJD"}}}}]"#);
        assert_eq!(split(body.as_bytes()).map(|s| s.upload), Some("QUJD"));
    }
}
