//! Fuzz targets of the wire layer (see `tests/fuzz/harness.rs`): the Thrift
//! JSON reader and the upload splitter of the store calls.

#[path = "../../../tests/fuzz/harness.rs"]
mod harness;

use codechecker_api::json::generic::{self, Message, Value};
use codechecker_api::json::upload;
use codechecker_api::json::{JsonInputProtocol, JsonOutputProtocol};
use codechecker_api::report_server::ReportData;
use proptest::prelude::*;
use thrift::protocol::{TInputProtocol, TMessageIdentifier, TMessageType, TSerializable, TType};

/// Tokens of the Thrift JSON protocol, inserted by mutations.
const DICT: &[&[u8]] = &[
    b"[",
    b"]",
    b"{",
    b"}",
    b",",
    b":",
    b"\"",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"1",
    b"-1",
    b"0",
    b"1e999",
    b"9223372036854775808",
    b"4294967296",
    b"\"tf\"",
    b"\"i8\"",
    b"\"i16\"",
    b"\"i32\"",
    b"\"i64\"",
    b"\"dbl\"",
    b"\"str\"",
    b"\"rec\"",
    b"\"lst\"",
    b"\"set\"",
    b"\"map\"",
    b"\"NaN\"",
    b"\"Infinity\"",
    b"{\"rec\":{",
    b"[\"lst\",1,",
    b"1000000000",
    b"\"massStoreRun\"",
    b"\"massStoreRunAsynchronous\"",
    b"\"4\":{\"str\":\"QUJD\"}",
    b"\"1\":{\"str\":\"QUJD\"}",
    b" ",
    b"\n",
    b"\x00",
    b"\xff",
];

fn leaf_of(ty: TType) -> BoxedStrategy<Value> {
    match ty {
        TType::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        TType::I08 => any::<i8>().prop_map(Value::I8).boxed(),
        TType::I16 => any::<i16>().prop_map(Value::I16).boxed(),
        TType::I32 => any::<i32>().prop_map(Value::I32).boxed(),
        TType::I64 => any::<i64>().prop_map(Value::I64).boxed(),
        TType::Double => any::<f64>().prop_map(Value::Double).boxed(),
        _ => prop::collection::vec(
            prop::sample::select(
                &[
                    'a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u{1}', 'é', '€', '😀',
                ][..],
            ),
            0..12,
        )
        .prop_map(|c| Value::String(c.into_iter().collect()))
        .boxed(),
    }
}

fn leaf_type() -> impl Strategy<Value = TType> {
    prop::sample::select(
        &[
            TType::Bool,
            TType::I08,
            TType::I16,
            TType::I32,
            TType::I64,
            TType::Double,
            TType::String,
        ][..],
    )
}

/// A struct nested up to `depth` levels, with containers of leaves or structs.
fn structure(depth: u32) -> BoxedStrategy<Value> {
    let leaf = leaf_type().prop_flat_map(leaf_of).boxed();
    if depth == 0 {
        return prop::collection::vec((1..30i16, leaf), 0..4)
            .prop_map(Value::Struct)
            .boxed();
    }
    let inner = structure(depth - 1);
    let elem = prop_oneof![
        3 => leaf_type().prop_map(|t| (t, leaf_of(t))),
        1 => Just((TType::Struct, inner.clone())),
    ];
    let list = elem
        .clone()
        .prop_flat_map(|(t, s)| (Just(t), any::<bool>(), prop::collection::vec(s, 0..4)))
        .prop_map(|(t, set, v)| {
            if set {
                Value::Set(t, v)
            } else {
                Value::List(t, v)
            }
        });
    let map = (leaf_type(), elem).prop_flat_map(|(kt, (vt, vs))| {
        prop::collection::vec((leaf_of(kt), vs), 0..3).prop_map(move |e| Value::Map(kt, vt, e))
    });
    let field = prop_oneof![
        4 => leaf_type().prop_flat_map(leaf_of),
        1 => inner,
        1 => list,
        1 => map,
    ];
    prop::collection::vec((1..30i16, field), 0..5)
        .prop_map(Value::Struct)
        .boxed()
}

fn encode(m: &Message) -> thrift::Result<Vec<u8>> {
    let mut out = JsonOutputProtocol::new(Vec::new());
    generic::write_message(&mut out, m)?;
    out.into_inner()
}

fn decode(bytes: &[u8]) -> thrift::Result<Message> {
    let mut p = JsonInputProtocol::new(bytes);
    let m = generic::read_message(&mut p)?;
    p.expect_end()?;
    Ok(m)
}

fn message_type() -> impl Strategy<Value = TMessageType> {
    prop::sample::select(
        &[
            TMessageType::Call,
            TMessageType::Reply,
            TMessageType::Exception,
            TMessageType::OneWay,
        ][..],
    )
}

/// Well-formed messages of any shape.
fn messages() -> BoxedStrategy<Vec<u8>> {
    let name = prop::sample::select(&["getRunResults", "massStoreRun", "getTaskInfo", "x", ""][..]);
    (name, message_type(), any::<i32>(), structure(2))
        .prop_map(|(name, ty, seq, body)| {
            encode(&Message {
                ident: TMessageIdentifier::new(name, ty, seq),
                body,
            })
            .expect("a generated message encodes")
        })
        .boxed()
}

fn not_protocol(e: &thrift::Error) -> Option<String> {
    match e {
        thrift::Error::Protocol(p) if !p.message.is_empty() => None,
        other => Some(format!("not a protocol error with a message: {other:?}")),
    }
}

/// The reader either refuses the input with a protocol error, or reads a
/// message that re-encodes to a fixed point; the generated decoder of a
/// real struct also answers with an error, never a panic.
#[test]
fn thrift_json_reader() {
    let input = harness::inputs("thrift_json", messages(), DICT);
    harness::fuzz("thrift_json", input, |input| {
        let bytes = &input.bytes[..];
        match decode(bytes) {
            Err(e) => {
                if let Some(why) = not_protocol(&e) {
                    return Err(why);
                }
            }
            Ok(m) => {
                let again = encode(&m).map_err(|e| format!("cannot re-encode: {e}"))?;
                let m2 = decode(&again).map_err(|e| format!("re-encoded message refused: {e}"))?;
                let third = encode(&m2).map_err(|e| format!("cannot re-encode: {e}"))?;
                if third != again {
                    return Err("re-encoding is not a fixed point".into());
                }
            }
        }
        let mut p = JsonInputProtocol::new(bytes);
        if p.read_message_begin().is_ok() {
            if let Err(e) = ReportData::read_from_in_protocol(&mut p) {
                if e.to_string().is_empty() {
                    return Err("an error without a message".into());
                }
            }
        }
        Ok(())
    });
}

/// Store calls with a random upload among random arguments.
fn store_calls() -> BoxedStrategy<Vec<u8>> {
    let upload = prop::collection::vec(
        prop::sample::select(
            &b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="[..],
        ),
        0..64,
    )
    .prop_map(|b| String::from_utf8(b).expect("ASCII"));
    (any::<bool>(), upload, structure(1), any::<i32>())
        .prop_map(|(asynchronous, upload, body, seq)| {
            let (name, field) = if asynchronous {
                ("massStoreRunAsynchronous", 1)
            } else {
                ("massStoreRun", 4)
            };
            let Value::Struct(mut fields) = body else {
                unreachable!("structure() makes structs")
            };
            fields.retain(|(id, _)| *id != field);
            let at = fields.len() / 2;
            fields.insert(at, (field, Value::String(upload)));
            encode(&Message {
                ident: TMessageIdentifier::new(name, TMessageType::Call, seq),
                body: Value::Struct(fields),
            })
            .expect("a generated store call encodes")
        })
        .boxed()
}

fn upload_field(name: &str) -> Option<i16> {
    match name {
        "massStoreRun" => Some(4),
        "massStoreRunAsynchronous" => Some(1),
        _ => None,
    }
}

/// What the splitter takes out is what the decoder reads in that field,
/// and the rest of the message decodes the same; the splitter finds the
/// upload of every well-formed store call the generator makes.
#[test]
fn upload_splitter() {
    let input = harness::inputs("upload_split", store_calls(), DICT);
    harness::fuzz("upload_split", input, |input| {
        let (must_split, bytes) = (input.well_formed, &input.bytes[..]);
        let split = upload::split(bytes);
        let full = decode(bytes);
        let Some(split) = split else {
            return if must_split {
                Err("a well-formed store call was not split".into())
            } else {
                Ok(())
            };
        };
        let start = split.upload.as_ptr() as usize;
        let body = bytes.as_ptr() as usize;
        if start < body || start + split.upload.len() > body + bytes.len() {
            return Err("the upload is not a slice of the body".into());
        }
        let rest = decode(&split.rewritten);
        match (full, rest) {
            (Ok(full), Ok(rest)) => {
                let field = upload_field(&full.ident.name)
                    .ok_or_else(|| format!("split a call to {:?}", full.ident.name))?;
                let (Value::Struct(f), Value::Struct(r)) = (&full.body, &rest.body) else {
                    return Err("bodies are not structs".into());
                };
                let upload_in_full: Vec<&Value> = f
                    .iter()
                    .filter(|(id, _)| *id == field)
                    .map(|(_, v)| v)
                    .collect();
                if upload_in_full.first() != Some(&&Value::String(split.upload.to_owned())) {
                    return Err(format!(
                        "the decoder reads {upload_in_full:?}, the splitter {:?}",
                        split.upload
                    ));
                }
                let mut expected = f.clone();
                if let Some(slot) = expected.iter_mut().find(|(id, _)| *id == field) {
                    slot.1 = Value::String(String::new());
                }
                if &expected != r || full.ident != rest.ident {
                    return Err("the rest of the message decodes differently".into());
                }
                Ok(())
            }
            (Err(_), Err(_)) => Ok(()),
            (full, rest) => Err(format!(
                "the decoder {} the message but {} the rewritten one",
                if full.is_ok() { "accepts" } else { "refuses" },
                if rest.is_ok() { "accepts" } else { "refuses" }
            )),
        }
    });
}
