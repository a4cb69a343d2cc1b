//! The upload of `massStoreRun[Asynchronous]` without a copy: the base64 text
//! is located in the request body and handed to the handler as a borrowed
//! slice, while the Thrift processor decodes the rest of the message with the
//! upload replaced by an empty string. A 500 MB upload then costs its request
//! body once, not twice.

/// A store call whose upload was taken out of the message.
pub struct SplitUpload<'a> {
    /// The base64 text of the upload, inside the original body.
    pub upload: &'a str,
    /// The message with the upload's value replaced by `""`.
    pub rewritten: Vec<u8>,
}

/// The argument that carries the upload, per method.
fn upload_field(method: &str) -> Option<&'static str> {
    match method {
        "massStoreRunAsynchronous" => Some("1"),
        "massStoreRun" => Some("4"),
        _ => None,
    }
}

/// Splits the upload out of a store call; `None` for any other message, or
/// when the upload's text has escapes (the processor then reads it as usual).
pub fn split(body: &[u8]) -> Option<SplitUpload<'_>> {
    let mut s = Scanner { b: body, pos: 0 };
    s.expect_byte(b'[')?;
    s.skip_value()?; // protocol version
    s.expect_byte(b',')?;
    let (name_start, name_end) = s.string()?;
    let field = upload_field(std::str::from_utf8(body.get(name_start..name_end)?).ok()?)?;
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
        if body.get(k0..k1)? == field.as_bytes() {
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
struct Scanner<'a> {
    b: &'a [u8],
    pos: usize,
}

impl Scanner<'_> {
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
            // Jump to the next quote or backslash.
            let next = rest
                .get(i..)?
                .iter()
                .position(|&c| c == b'"' || c == b'\\')?;
            i += next;
            match rest.get(i)? {
                b'\\' => i += 2,
                _ => {
                    self.pos = start + i + 1;
                    return Some((start, start + i));
                }
            }
        }
    }

    fn skip_value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string().map(|_| ()),
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                self.pos += 1;
                self.ws();
                if self.peek()? == close {
                    self.pos += 1;
                    return Some(());
                }
                loop {
                    if open == b'{' {
                        self.string()?;
                        self.expect_byte(b':')?;
                    }
                    self.skip_value()?;
                    self.ws();
                    match self.peek()? {
                        b',' => self.pos += 1,
                        c if c == close => {
                            self.pos += 1;
                            return Some(());
                        }
                        _ => return None,
                    }
                }
            }
            _ => {
                let start = self.pos;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n') {
                        break;
                    }
                    self.pos += 1;
                }
                (self.pos > start).then_some(())
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
        let body = br#"[1,"massStoreRun",1,1,{"1":{"str":"r\"x"},"3":{"str":"6.24.4"},"4":{"str":"Zm9v"},"5":{"tf":1},"6":{"lst":["str",1,"/a"]}}]"#;
        let split = split(body).expect("a store call");
        assert_eq!(split.upload, "Zm9v");
        assert!(std::str::from_utf8(&split.rewritten)
            .unwrap()
            .contains(r#""4":{"str":""},"5""#));
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
        ] {
            assert!(split(bad).is_none());
        }
    }
}
