//! Hostile input: everything malformed must come back as a protocol error,
//! quickly, without panics, deep recursion or huge allocations.
#![allow(clippy::unwrap_used)] // a panic is how a test fails

use std::time::{Duration, Instant};

use codechecker_api::json::generic::{self, Value};
use codechecker_api::json::JsonInputProtocol;
use codechecker_api::report_server::ReportData;
use proptest::prelude::*;
use thrift::protocol::{TInputProtocol, TSerializable, TType};
use thrift::{Error, ProtocolErrorKind};

/// Generous even for debug builds on a loaded 2-core machine.
const FAST: Duration = Duration::from_secs(3);

/// Fuzz targets: the reader and the upload splitter (`tests/fuzz/harness.rs`).
mod fuzz;

fn kind_of(e: &Error) -> Option<ProtocolErrorKind> {
    match e {
        Error::Protocol(p) => Some(p.kind),
        _ => None,
    }
}

/// Runs `f` on `input`, which must fail with a protocol error (of `kind`, if
/// given) within `FAST`.
fn must_fail<T: std::fmt::Debug>(
    what: &str,
    input: &[u8],
    kind: Option<ProtocolErrorKind>,
    f: impl FnOnce(&mut JsonInputProtocol<&[u8]>) -> thrift::Result<T>,
) {
    let start = Instant::now();
    let mut p = JsonInputProtocol::new(input);
    let res = f(&mut p);
    let took = start.elapsed();
    assert!(took < FAST, "{what}: took {took:?}");
    match res {
        Ok(v) => panic!("{what}: accepted, got {v:?}"),
        Err(e) => {
            let k = kind_of(&e);
            assert!(k.is_some(), "{what}: not a protocol error: {e:?}");
            if let Some(want) = kind {
                assert_eq!(k, Some(want), "{what}: wrong kind: {e}");
            }
            assert!(!e.to_string().is_empty());
        }
    }
}

fn message(p: &mut JsonInputProtocol<&[u8]>) -> thrift::Result<generic::Message> {
    generic::read_message(p)
}

fn body(p: &mut JsonInputProtocol<&[u8]>) -> thrift::Result<Value> {
    generic::read_value(p, TType::Struct)
}

const N: usize = 100_000;

#[test]
fn deep_nesting_is_rejected_quickly() {
    // Raw brackets where the envelope is expected.
    let brackets = "[".repeat(N);
    must_fail("[[[…", brackets.as_bytes(), None, message);
    let braces = "{".repeat(N);
    must_fail("{{{…", braces.as_bytes(), None, message);
    must_fail("{{{… as struct", braces.as_bytes(), None, body);

    // Well-formed nesting of lists: ["lst",1,["lst",1,[…
    let lists = format!("[1,\"m\",1,0,{{\"1\":{{\"lst\":{}", "[\"lst\",1,".repeat(N));
    must_fail(
        "nested lists",
        lists.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        message,
    );

    // Nested structs: {"1":{"rec":{"1":{"rec":…
    let structs = format!("[1,\"m\",1,0,{}", "{\"1\":{\"rec\":".repeat(N));
    must_fail(
        "nested structs",
        structs.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        message,
    );

    // Nested maps: ["str","map",1,{"k":["str","map",1,{"k":…
    let maps = format!(
        "{{\"1\":{{\"map\":{}",
        "[\"str\",\"map\",1,{\"k\":".repeat(N)
    );
    must_fail(
        "nested maps",
        maps.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        body,
    );

    // The same, hidden in an unknown field of a generated struct: skipped.
    let unknown = format!("{{\"999\":{{\"lst\":{}", "[\"lst\",1,".repeat(N));
    must_fail(
        "nested lists in a skipped field",
        unknown.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        |p| ReportData::read_from_in_protocol(p),
    );
    let unknown = format!("{{\"999\":{}", "{\"rec\":{\"1\":".repeat(N));
    must_fail(
        "nested structs in a skipped field",
        unknown.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        |p| ReportData::read_from_in_protocol(p),
    );
    // Through the thrift crate's default (recursive, depth 64) skip.
    must_fail("default skip", unknown.as_bytes(), None, |p| {
        let inner = std::mem::replace(p, JsonInputProtocol::new(&[][..]));
        let mut boxed: Box<JsonInputProtocol<&[u8]>> = Box::new(inner);
        ReportData::read_from_in_protocol(&mut boxed)
    });
}

#[test]
fn nesting_limit_is_exact() -> thrift::Result<()> {
    // 64 nested lists decode; 65 do not.
    let nested = |levels: usize| {
        let mut s = "[\"lst\",1,".repeat(levels - 1);
        s.push_str("[\"i32\",0]");
        s.push_str(&"]".repeat(levels - 1));
        s
    };
    let ok = nested(64);
    let v = generic::read_value(&mut JsonInputProtocol::new(ok.as_bytes()), TType::List)?;
    assert!(matches!(v, Value::List(TType::List, _)));
    let bad = nested(65);
    must_fail(
        "65 levels",
        bad.as_bytes(),
        Some(ProtocolErrorKind::DepthLimit),
        |p| {
            let mut depth = 0;
            // Walk down by hand to hit the protocol's own limit, not the walker's.
            loop {
                let l = p.read_list_begin()?;
                depth += 1;
                if l.element_type != TType::List {
                    return Ok(depth);
                }
            }
        },
    );
    // A smaller limit can be configured.
    let mut p = JsonInputProtocol::with_max_depth(ok.as_bytes(), 3);
    assert!(generic::read_value(&mut p, TType::List).is_err());
    Ok(())
}

#[test]
fn container_sizes_must_fit_in_the_input() {
    use ProtocolErrorKind::{NegativeSize, SizeLimit};
    let cases: &[(&str, &str, ProtocolErrorKind)] = &[
        ("huge list", r#"["i32",2000000000,1,2,3]"#, SizeLimit),
        ("list of structs", r#"["rec",1000,{},{}]"#, SizeLimit),
        ("list > i32", r#"["i8",3000000000]"#, SizeLimit),
        ("list i64::MAX", r#"["i8",9223372036854775807]"#, SizeLimit),
        ("negative list", r#"["i8",-1]"#, NegativeSize),
        ("set", r#"["str",5,"a","b"]"#, SizeLimit),
        ("map", r#"["str","i32",10,{"a":1,"b":2}]"#, SizeLimit),
        ("negative map", r#"["str","i32",-5,{}]"#, NegativeSize),
        (
            "nested list elements",
            r#"["lst",3,["i8",0],["i8",0]]"#,
            SizeLimit,
        ),
    ];
    for (what, text, kind) in cases {
        must_fail(what, text.as_bytes(), Some(*kind), |p| {
            if text.contains("\"str\",\"i32\"") {
                p.read_map_begin().map(|m| m.size)
            } else if text.starts_with("[\"str\",5") {
                p.read_set_begin().map(|s| s.size)
            } else {
                p.read_list_begin().map(|l| l.size)
            }
        });
    }
    // Exactly enough input is fine: 3 one-byte elements need 5 bytes + ']'.
    let mut p = JsonInputProtocol::new(br#"["i8",3,1,2,3]"#.as_slice());
    assert_eq!(p.read_list_begin().map(|l| l.size).ok(), Some(3));

    // A reply claiming 2^31-1 reports must fail before anything is allocated.
    let reply = br#"[1,"getRunResults",2,1,{"0":{"lst":["rec",2147483647,{}]}}]"#;
    must_fail("getRunResults reply", reply, Some(SizeLimit), |p| {
        p.read_message_begin()?;
        p.read_struct_begin()?;
        p.read_field_begin()?;
        let l = p.read_list_begin()?;
        let mut out: Vec<ReportData> = Vec::with_capacity(l.size as usize);
        out.push(ReportData::read_from_in_protocol(p)?);
        Ok(out.len())
    });
}

/// A server's generated processor runs the call right after reading the
/// arguments, without reading the message's end: a message cut after its
/// arguments must already fail there.
#[test]
fn a_message_cut_after_its_struct_fails_at_the_struct_end() {
    for (text, ok) in [
        (r#"[1,"m",1,0,{"1":{"i32":5}}]"#, true),
        (r#"[1,"m",1,0,{"1":{"i32":5}} ] "#, true),
        (r#"[1,"m",1,0,{"1":{"i32":5}}"#, false),
        (r#"[1,"m",1,0,{"1":{"i32":5}},{}]"#, false),
        (r#"[1,"m",1,0,{"1":{"rec":{}}}"#, false),
    ] {
        let mut p = JsonInputProtocol::new(text.as_bytes());
        let read = p
            .read_message_begin()
            .and_then(|_| generic::read_value(&mut p, TType::Struct));
        assert_eq!(read.is_ok(), ok, "{text}: {read:?}");
    }
    // A struct read outside a message is not concerned.
    let mut p = JsonInputProtocol::new(&br#"{"1":{"i32":5}}"#[..]);
    assert!(generic::read_value(&mut p, TType::Struct).is_ok());
}

#[test]
fn envelope_errors() {
    use ProtocolErrorKind::{BadVersion, InvalidData};
    let cases: &[(&str, &str, Option<ProtocolErrorKind>)] = &[
        ("version 2", r#"[2,"m",1,0,{}]"#, Some(BadVersion)),
        ("version 0", r#"[0,"m",1,0,{}]"#, Some(BadVersion)),
        ("version -1", r#"[-1,"m",1,0,{}]"#, Some(BadVersion)),
        ("version float", r#"[1.0,"m",1,0,{}]"#, Some(InvalidData)),
        ("version string", r#"["1","m",1,0,{}]"#, Some(InvalidData)),
        ("quoted seqid", r#"[1,"m",1,"0",{}]"#, Some(InvalidData)),
        ("type 0", r#"[1,"m",0,0,{}]"#, Some(InvalidData)),
        ("type 5", r#"[1,"m",5,0,{}]"#, Some(InvalidData)),
        ("type -1", r#"[1,"m",-1,0,{}]"#, Some(InvalidData)),
        (
            "seqid too big",
            r#"[1,"m",1,2147483648,{}]"#,
            Some(InvalidData),
        ),
        ("name not a string", r#"[1,m,1,0,{}]"#, Some(InvalidData)),
        ("object envelope", r#"{"1":1}"#, Some(InvalidData)),
        ("empty", "", Some(InvalidData)),
        ("only whitespace", " \n\t ", Some(InvalidData)),
        ("missing body", r#"[1,"m",1,0]"#, Some(InvalidData)),
        ("missing end", r#"[1,"m",1,0,{}"#, Some(InvalidData)),
        ("extra element", r#"[1,"m",1,0,{},{}]"#, Some(InvalidData)),
        ("trailing garbage", r#"[1,"m",1,0,{}]x"#, Some(InvalidData)),
        (
            "two messages",
            r#"[1,"m",1,0,{}][1,"m",1,0,{}]"#,
            Some(InvalidData),
        ),
        ("trailing comma", r#"[1,"m",1,0,{},]"#, Some(InvalidData)),
    ];
    for (what, text, kind) in cases {
        must_fail(what, text.as_bytes(), *kind, message);
    }
}

#[test]
fn field_and_value_errors() {
    use ProtocolErrorKind::{InvalidData, NotImplemented};
    let cases: &[(&str, &str, Option<ProtocolErrorKind>)] = &[
        ("unknown tag", r#"{"1":{"xyz":1}}"#, Some(InvalidData)),
        (
            "uuid tag",
            r#"{"1":{"uid":"00000000-0000-0000-0000-000000000000"}}"#,
            Some(NotImplemented),
        ),
        ("tag not a string", r#"{"1":{i32:1}}"#, Some(InvalidData)),
        ("empty tag", r#"{"1":{"":1}}"#, Some(InvalidData)),
        (
            "field id not a number",
            r#"{"a":{"i32":1}}"#,
            Some(InvalidData),
        ),
        (
            "field id too big",
            r#"{"40000":{"i32":1}}"#,
            Some(InvalidData),
        ),
        (
            "field wrapper not an object",
            r#"{"1":["i32",1]}"#,
            Some(InvalidData),
        ),
        (
            "two values in a field",
            r#"{"1":{"i32":1,"i32":2}}"#,
            Some(InvalidData),
        ),
        ("i8 range", r#"{"1":{"i8":128}}"#, Some(InvalidData)),
        ("i16 range", r#"{"1":{"i16":-32769}}"#, Some(InvalidData)),
        (
            "i32 range",
            r#"{"1":{"i32":2147483648}}"#,
            Some(InvalidData),
        ),
        (
            "i64 overflow",
            r#"{"1":{"i64":9223372036854775808}}"#,
            Some(InvalidData),
        ),
        (
            "i64 underflow",
            r#"{"1":{"i64":-9223372036854775809}}"#,
            Some(InvalidData),
        ),
        (
            "integer with fraction",
            r#"{"1":{"i32":1.5}}"#,
            Some(InvalidData),
        ),
        (
            "integer with exponent",
            r#"{"1":{"i32":1e3}}"#,
            Some(InvalidData),
        ),
        ("integer sign only", r#"{"1":{"i32":-}}"#, Some(InvalidData)),
        (
            "unclosed quoted integer",
            r#"{"1":{"i32":"12}}"#,
            Some(InvalidData),
        ),
        ("bool word", r#"{"1":{"tf":true}}"#, Some(InvalidData)),
        (
            "double garbage",
            r#"{"1":{"dbl":"abc"}}"#,
            Some(InvalidData),
        ),
        ("double hex", r#"{"1":{"dbl":0x10}}"#, Some(InvalidData)),
        ("double empty", r#"{"1":{"dbl":}}"#, Some(InvalidData)),
        (
            "lone high surrogate",
            r#"{"1":{"str":"\ud800"}}"#,
            Some(InvalidData),
        ),
        (
            "lone low surrogate",
            r#"{"1":{"str":"\udc00"}}"#,
            Some(InvalidData),
        ),
        (
            "high + non-surrogate",
            r#"{"1":{"str":"\ud800\u0041"}}"#,
            Some(InvalidData),
        ),
        (
            "high + char",
            r#"{"1":{"str":"\ud800x"}}"#,
            Some(InvalidData),
        ),
        (
            "two highs",
            r#"{"1":{"str":"\ud800\ud800"}}"#,
            Some(InvalidData),
        ),
        ("bad escape", r#"{"1":{"str":"\x41"}}"#, Some(InvalidData)),
        ("bad hex", r#"{"1":{"str":"\u12G4"}}"#, Some(InvalidData)),
        ("short \\u", r#"{"1":{"str":"\u12"}}"#, Some(InvalidData)),
        (
            "unterminated string",
            r#"{"1":{"str":"abc"#,
            Some(InvalidData),
        ),
        (
            "unterminated after escape",
            r#"{"1":{"str":"a\n"#,
            Some(InvalidData),
        ),
        (
            "backslash at end",
            "{\"1\":{\"str\":\"a\\",
            Some(InvalidData),
        ),
        ("missing struct end", r#"{"1":{"i32":1}"#, Some(InvalidData)),
        (
            "trailing comma in struct",
            r#"{"1":{"i32":1},}"#,
            Some(InvalidData),
        ),
        ("missing colon", r#"{"1" {"i32":1}}"#, Some(InvalidData)),
        (
            "list element type mismatch",
            r#"{"1":{"lst":["i32",1,"x"]}}"#,
            Some(InvalidData),
        ),
        (
            "list too short",
            r#"{"1":{"lst":["i32",2,1]}}"#,
            Some(InvalidData),
        ),
        (
            "list too long",
            r#"{"1":{"lst":["i32",1,1,2]}}"#,
            Some(InvalidData),
        ),
        (
            "map missing object",
            r#"{"1":{"map":["str","i32",0]}}"#,
            Some(InvalidData),
        ),
        (
            "map key not quoted",
            r#"{"1":{"map":["i32","i32",1,{1:2}]}}"#,
            Some(InvalidData),
        ),
        (
            "map value quoted",
            r#"{"1":{"map":["i32","i32",1,{"1":"2"}]}}"#,
            Some(InvalidData),
        ),
        ("field id not quoted", r#"{1:{"i32":1}}"#, Some(InvalidData)),
        ("value quoted", r#"{"1":{"i32":"1"}}"#, Some(InvalidData)),
    ];
    for (what, text, kind) in cases {
        must_fail(what, text.as_bytes(), *kind, body);
    }

    // Invalid UTF-8 inside strings, raw and after an escape.
    must_fail(
        "raw invalid utf-8",
        b"{\"1\":{\"str\":\"a\xff\xfeb\"}}",
        Some(InvalidData),
        body,
    );
    must_fail(
        "overlong utf-8",
        b"{\"1\":{\"str\":\"\xc0\xaf\"}}",
        Some(InvalidData),
        body,
    );
    must_fail(
        "invalid utf-8 after escape",
        b"{\"1\":{\"str\":\"\\n\xed\xa0\x80\"}}",
        Some(InvalidData),
        body,
    );

    // Bad base64 in binary values.
    for text in [
        r#""!!!!""#,
        r#""A""#,
        r#""AAAAA""#,
        r#""AA=A""#,
        r#""AA==AA==""#,
        r#""A===""#,
    ] {
        must_fail(text, text.as_bytes(), Some(InvalidData), |p| p.read_bytes());
    }
}

#[test]
fn huge_tokens_fail_fast() {
    // 20 MB of digits.
    let digits = format!("{{\"1\":{{\"i64\":{}}}}}", "9".repeat(20_000_000));
    must_fail(
        "20 MB integer",
        digits.as_bytes(),
        Some(ProtocolErrorKind::InvalidData),
        body,
    );
    let digits = format!("{{\"1\":{{\"dbl\":{}}}}}", "9".repeat(20_000_000));
    must_fail(
        "20 MB double",
        digits.as_bytes(),
        Some(ProtocolErrorKind::InvalidData),
        body,
    );
    // 20 MB string that never ends.
    let open = format!("{{\"1\":{{\"str\":\"{}", "a".repeat(20_000_000));
    must_fail(
        "unterminated 20 MB string",
        open.as_bytes(),
        Some(ProtocolErrorKind::InvalidData),
        body,
    );
    // 20 MB of commas.
    let commas = format!("[1,\"m\",1,0,{{{}", ",".repeat(20_000_000));
    must_fail(
        "20 MB commas",
        commas.as_bytes(),
        Some(ProtocolErrorKind::InvalidData),
        message,
    );
}

#[test]
fn every_truncation_of_a_real_reply_fails() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/thrift-0.25.0/getRunResults_reply.json");
    let full = std::fs::read(path)?;
    assert!(generic::read_message(&mut JsonInputProtocol::new(full.as_slice())).is_ok());
    for cut in 0..full.len() {
        let prefix = full.get(..cut).ok_or("cut")?;
        must_fail(&format!("prefix {cut}"), prefix, None, message);
        // And through generated code.
        must_fail(&format!("typed prefix {cut}"), prefix, None, |p| {
            p.read_message_begin()?;
            p.read_struct_begin()?;
            p.read_field_begin()?;
            let l = p.read_list_begin()?;
            let mut v = Vec::new();
            for _ in 0..l.size {
                v.push(ReportData::read_from_in_protocol(p)?);
            }
            p.read_list_end()?;
            p.read_field_end()?;
            p.read_field_begin()?;
            p.read_struct_end()?;
            p.read_message_end()?;
            Ok(v.len())
        });
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = generic::read_message(&mut JsonInputProtocol::new(bytes.as_slice()));
        let _ = generic::read_value(&mut JsonInputProtocol::new(bytes.as_slice()), TType::Struct);
        let _ = ReportData::read_from_in_protocol(&mut JsonInputProtocol::new(bytes.as_slice()));
    }

    #[test]
    fn random_json_like_text_never_panics(
        parts in prop::collection::vec(prop_oneof![
            Just("["), Just("]"), Just("{"), Just("}"), Just(","), Just(":"),
            Just("\"1\""), Just("\"rec\""), Just("\"lst\""), Just("\"map\""), Just("\"str\""),
            Just("\"i32\""), Just("\"dbl\""), Just("\"tf\""), Just("1"), Just("-1"), Just("0"),
            Just("2147483647"), Just("\"\\ud800\""), Just("\"a\\\"b\""), Just("1e5"), Just("\"NaN\""),
        ], 0..60)
    ) {
        let text: String = parts.concat();
        let _ = generic::read_message(&mut JsonInputProtocol::new(text.as_bytes()));
        let _ = generic::read_value(&mut JsonInputProtocol::new(text.as_bytes()), TType::Struct);
        let _ = ReportData::read_from_in_protocol(&mut JsonInputProtocol::new(text.as_bytes()));
    }

    #[test]
    fn mutated_real_messages_never_panic(
        flips in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden/thrift-0.25.0/getRunResults_reply.json");
        let mut bytes = std::fs::read(path).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for (at, b) in flips {
            let i = at.index(bytes.len());
            if let Some(slot) = bytes.get_mut(i) {
                *slot = b;
            }
        }
        let _ = generic::read_message(&mut JsonInputProtocol::new(bytes.as_slice()));
        let mut p = JsonInputProtocol::new(bytes.as_slice());
        let _ = (|| -> thrift::Result<()> {
            p.read_message_begin()?;
            p.read_struct_begin()?;
            let f = p.read_field_begin()?;
            if f.field_type == TType::List {
                let l = p.read_list_begin()?;
                for _ in 0..l.size {
                    ReportData::read_from_in_protocol(&mut p)?;
                }
            } else {
                p.skip(f.field_type)?;
            }
            Ok(())
        })();
    }
}
