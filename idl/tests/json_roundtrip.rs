//! Property tests: arbitrary Thrift values of every type, nested arbitrarily,
//! survive encode → decode with the JSON protocol, and the schema-less walker
//! re-encodes them to identical bytes.
#![allow(clippy::unwrap_used)] // a panic is how a test fails

use base64::Engine as _;
use codechecker_api::json::generic;
use codechecker_api::json::{JsonInputProtocol, JsonOutputProtocol};
use proptest::prelude::*;
use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMapIdentifier, TMessageIdentifier,
    TMessageType, TOutputProtocol, TSetIdentifier, TStructIdentifier, TType,
};

/// Schema of a generated value.
#[derive(Clone, Debug)]
enum Ty {
    Bool,
    I8,
    I16,
    I32,
    I64,
    Dbl,
    Str,
    Bin,
    Struct(Vec<(i16, Ty)>),
    List(Box<Ty>),
    Set(Box<Ty>),
    Map(Box<Ty>, Box<Ty>),
}

#[derive(Clone, Debug)]
enum V {
    Bool(bool),
    I8(i8),
    I16(i16),
    I32(i32),
    I64(i64),
    Dbl(f64),
    Str(String),
    Bin(Vec<u8>),
    Struct(Vec<(i16, V)>),
    List(Vec<V>),
    Map(Vec<(V, V)>),
}

impl Ty {
    fn ttype(&self) -> TType {
        match self {
            Ty::Bool => TType::Bool,
            Ty::I8 => TType::I08,
            Ty::I16 => TType::I16,
            Ty::I32 => TType::I32,
            Ty::I64 => TType::I64,
            Ty::Dbl => TType::Double,
            Ty::Str | Ty::Bin => TType::String,
            Ty::Struct(_) => TType::Struct,
            Ty::List(_) => TType::List,
            Ty::Set(_) => TType::Set,
            Ty::Map(..) => TType::Map,
        }
    }
}

fn same(a: &V, b: &V) -> bool {
    match (a, b) {
        (V::Bool(x), V::Bool(y)) => x == y,
        (V::I8(x), V::I8(y)) => x == y,
        (V::I16(x), V::I16(y)) => x == y,
        (V::I32(x), V::I32(y)) => x == y,
        (V::I64(x), V::I64(y)) => x == y,
        (V::Dbl(x), V::Dbl(y)) => (x.is_nan() && y.is_nan()) || x.to_bits() == y.to_bits(),
        (V::Str(x), V::Str(y)) => x == y,
        (V::Bin(x), V::Bin(y)) => x == y,
        (V::Struct(x), V::Struct(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((i, v), (j, w))| i == j && same(v, w))
        }
        (V::List(x), V::List(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        (V::Map(x), V::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|((a1, b1), (a2, b2))| same(a1, a2) && same(b1, b2))
        }
        _ => false,
    }
}

// ---- strategies ----------------------------------------------------------

fn ty_strategy() -> impl Strategy<Value = Ty> {
    let leaf = prop_oneof![
        Just(Ty::Bool),
        Just(Ty::I8),
        Just(Ty::I16),
        Just(Ty::I32),
        Just(Ty::I64),
        Just(Ty::Dbl),
        Just(Ty::Str),
        Just(Ty::Bin),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::btree_map(any::<i16>(), inner.clone(), 0..6)
                .prop_map(|m| Ty::Struct(m.into_iter().collect())),
            inner.clone().prop_map(|t| Ty::List(Box::new(t))),
            inner.clone().prop_map(|t| Ty::Set(Box::new(t))),
            (inner.clone(), inner).prop_map(|(k, v)| Ty::Map(Box::new(k), Box::new(v))),
        ]
    })
}

fn double_strategy() -> BoxedStrategy<f64> {
    prop_oneof![
        any::<f64>(),
        any::<u64>().prop_map(f64::from_bits),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(f64::MIN_POSITIVE),
        Just(5e-324),
        Just(f64::MAX),
        (-1_000_000i64..1_000_000).prop_map(|i| i as f64 / 8.0),
    ]
    .boxed()
}

fn string_strategy() -> BoxedStrategy<String> {
    let special = prop_oneof![
        any::<char>(),
        Just('"'),
        Just('\\'),
        Just('/'),
        Just('\u{0}'),
        Just('\u{8}'),
        Just('\u{c}'),
        Just('\n'),
        Just('\r'),
        Just('\t'),
        Just('\u{1f}'),
        Just('\u{7f}'),
        Just('\u{2028}'),
        Just('\u{fffd}'),
        Just('\u{1F600}'),
        Just('\u{10FFFF}'),
        Just('é'),
        Just('中'),
    ];
    prop_oneof![
        any::<String>(),
        prop::collection::vec(special, 0..40).prop_map(String::from_iter),
    ]
    .boxed()
}

fn value_for(ty: &Ty) -> BoxedStrategy<V> {
    match ty {
        Ty::Bool => any::<bool>().prop_map(V::Bool).boxed(),
        Ty::I8 => any::<i8>().prop_map(V::I8).boxed(),
        Ty::I16 => any::<i16>().prop_map(V::I16).boxed(),
        Ty::I32 => any::<i32>().prop_map(V::I32).boxed(),
        Ty::I64 => any::<i64>().prop_map(V::I64).boxed(),
        Ty::Dbl => double_strategy().prop_map(V::Dbl).boxed(),
        Ty::Str => string_strategy().prop_map(V::Str).boxed(),
        Ty::Bin => prop::collection::vec(any::<u8>(), 0..70)
            .prop_map(V::Bin)
            .boxed(),
        Ty::Struct(fields) => {
            let parts: Vec<BoxedStrategy<(i16, V)>> = fields
                .iter()
                .map(|(id, t)| {
                    let id = *id;
                    value_for(t).prop_map(move |v| (id, v)).boxed()
                })
                .collect();
            // Any subset of the fields may be present (optional fields).
            (parts, prop::collection::vec(any::<bool>(), fields.len()))
                .prop_map(|(vals, keep)| {
                    V::Struct(
                        vals.into_iter()
                            .zip(keep)
                            .filter_map(|(v, k)| k.then_some(v))
                            .collect(),
                    )
                })
                .boxed()
        }
        Ty::List(t) | Ty::Set(t) => prop::collection::vec(value_for(t), 0..5)
            .prop_map(V::List)
            .boxed(),
        Ty::Map(k, v) => prop::collection::vec((value_for(k), value_for(v)), 0..5)
            .prop_map(V::Map)
            .boxed(),
    }
}

fn typed_value() -> impl Strategy<Value = (Ty, V)> {
    ty_strategy().prop_flat_map(|t| {
        let vs = value_for(&t);
        (Just(t), vs)
    })
}

// ---- typed encode / decode (what generated code does) --------------------

fn write(p: &mut dyn TOutputProtocol, ty: &Ty, v: &V) -> thrift::Result<()> {
    match (ty, v) {
        (Ty::Bool, V::Bool(b)) => p.write_bool(*b),
        (Ty::I8, V::I8(i)) => p.write_i8(*i),
        (Ty::I16, V::I16(i)) => p.write_i16(*i),
        (Ty::I32, V::I32(i)) => p.write_i32(*i),
        (Ty::I64, V::I64(i)) => p.write_i64(*i),
        (Ty::Dbl, V::Dbl(d)) => p.write_double(*d),
        (Ty::Str, V::Str(s)) => p.write_string(s),
        (Ty::Bin, V::Bin(b)) => p.write_bytes(b),
        (Ty::Struct(fields), V::Struct(vals)) => {
            p.write_struct_begin(&TStructIdentifier::new("S"))?;
            for (id, val) in vals {
                let fty = fields
                    .iter()
                    .find(|(fid, _)| fid == id)
                    .map(|(_, t)| t)
                    .ok_or_else(|| thrift::Error::from(format!("no field {id}")))?;
                p.write_field_begin(&TFieldIdentifier::new("f", fty.ttype(), *id))?;
                write(p, fty, val)?;
                p.write_field_end()?;
            }
            p.write_field_stop()?;
            p.write_struct_end()
        }
        (Ty::List(t), V::List(items)) => {
            p.write_list_begin(&TListIdentifier::new(t.ttype(), items.len() as i32))?;
            for item in items {
                write(p, t, item)?;
            }
            p.write_list_end()
        }
        (Ty::Set(t), V::List(items)) => {
            p.write_set_begin(&TSetIdentifier::new(t.ttype(), items.len() as i32))?;
            for item in items {
                write(p, t, item)?;
            }
            p.write_set_end()
        }
        (Ty::Map(k, vt), V::Map(entries)) => {
            p.write_map_begin(&TMapIdentifier::new(
                k.ttype(),
                vt.ttype(),
                entries.len() as i32,
            ))?;
            for (a, b) in entries {
                write(p, k, a)?;
                write(p, vt, b)?;
            }
            p.write_map_end()
        }
        _ => Err(thrift::Error::from("value does not match its type")),
    }
}

fn read(p: &mut dyn TInputProtocol, ty: &Ty) -> thrift::Result<V> {
    Ok(match ty {
        Ty::Bool => V::Bool(p.read_bool()?),
        Ty::I8 => V::I8(p.read_i8()?),
        Ty::I16 => V::I16(p.read_i16()?),
        Ty::I32 => V::I32(p.read_i32()?),
        Ty::I64 => V::I64(p.read_i64()?),
        Ty::Dbl => V::Dbl(p.read_double()?),
        Ty::Str => V::Str(p.read_string()?),
        Ty::Bin => V::Bin(p.read_bytes()?),
        Ty::Struct(fields) => {
            p.read_struct_begin()?;
            let mut vals = Vec::new();
            loop {
                let f = p.read_field_begin()?;
                if f.field_type == TType::Stop {
                    break;
                }
                let id = f.id.unwrap_or(0);
                match fields.iter().find(|(fid, _)| *fid == id) {
                    Some((_, t)) if t.ttype() == f.field_type => vals.push((id, read(p, t)?)),
                    _ => p.skip(f.field_type)?,
                }
                p.read_field_end()?;
            }
            p.read_struct_end()?;
            V::Struct(vals)
        }
        Ty::List(t) => {
            let l = p.read_list_begin()?;
            assert_eq!(l.element_type, t.ttype());
            let mut items = Vec::new();
            for _ in 0..l.size {
                items.push(read(p, t)?);
            }
            p.read_list_end()?;
            V::List(items)
        }
        Ty::Set(t) => {
            let l = p.read_set_begin()?;
            assert_eq!(l.element_type, t.ttype());
            let mut items = Vec::new();
            for _ in 0..l.size {
                items.push(read(p, t)?);
            }
            p.read_set_end()?;
            V::List(items)
        }
        Ty::Map(k, vt) => {
            let m = p.read_map_begin()?;
            assert_eq!(m.key_type, Some(k.ttype()));
            assert_eq!(m.value_type, Some(vt.ttype()));
            let mut entries = Vec::new();
            for _ in 0..m.size {
                let a = read(p, k)?;
                let b = read(p, vt)?;
                entries.push((a, b));
            }
            p.read_map_end()?;
            V::Map(entries)
        }
    })
}

fn encode_message(ident: &TMessageIdentifier, ty: &Ty, v: &V) -> thrift::Result<Vec<u8>> {
    let mut p = JsonOutputProtocol::new(Vec::new());
    p.write_message_begin(ident)?;
    p.write_struct_begin(&TStructIdentifier::new("args"))?;
    p.write_field_begin(&TFieldIdentifier::new("value", ty.ttype(), 1))?;
    write(&mut p, ty, v)?;
    p.write_field_end()?;
    p.write_field_stop()?;
    p.write_struct_end()?;
    p.write_message_end()?;
    p.flush()?;
    p.into_inner()
}

fn decode_message(bytes: &[u8], ty: &Ty) -> thrift::Result<(TMessageIdentifier, V)> {
    let mut p = JsonInputProtocol::new(bytes);
    let ident = p.read_message_begin()?;
    p.read_struct_begin()?;
    let f = p.read_field_begin()?;
    assert_eq!(f.field_type, ty.ttype());
    assert_eq!(f.id, Some(1));
    let v = read(&mut p, ty)?;
    p.read_field_end()?;
    let stop = p.read_field_begin()?;
    assert_eq!(stop.field_type, TType::Stop);
    p.read_struct_end()?;
    p.read_message_end()?;
    Ok((ident, v))
}

fn message_type() -> impl Strategy<Value = TMessageType> {
    prop_oneof![
        Just(TMessageType::Call),
        Just(TMessageType::Reply),
        Just(TMessageType::Exception),
        Just(TMessageType::OneWay),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn typed_round_trip(
        (ty, v) in typed_value(),
        name in string_strategy(),
        kind in message_type(),
        seq in any::<i32>(),
    ) {
        let ident = TMessageIdentifier::new(name, kind, seq);
        let bytes = encode_message(&ident, &ty, &v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        // The output is UTF-8 and free of raw control characters (valid JSON text).
        let text = std::str::from_utf8(&bytes).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!text.chars().any(|c| (c as u32) < 0x20), "raw control character in {text:?}");
        let (ident2, v2) = decode_message(&bytes, &ty).map_err(|e| TestCaseError::fail(format!("{e} in {text}")))?;
        prop_assert_eq!(&ident2, &ident);
        prop_assert!(same(&v, &v2), "{:?} != {:?}", v, v2);
    }

    #[test]
    fn generic_walker_reencodes_identically(
        (ty, v) in typed_value(),
        seq in any::<i32>(),
    ) {
        let ident = TMessageIdentifier::new("m", TMessageType::Reply, seq);
        let bytes = encode_message(&ident, &ty, &v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let msg = generic::read_message(&mut JsonInputProtocol::new(bytes.as_slice()))
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        let mut out = JsonOutputProtocol::new(Vec::new());
        generic::write_message(&mut out, &msg).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let again = out.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(String::from_utf8_lossy(&again), String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn unknown_fields_are_skipped((ty, v) in typed_value()) {
        // Encode {1: v, 2: "after"}, decode with a schema that only knows field 2.
        let mut p = JsonOutputProtocol::new(Vec::new());
        let enc = (|| -> thrift::Result<Vec<u8>> {
            p.write_struct_begin(&TStructIdentifier::new("S"))?;
            p.write_field_begin(&TFieldIdentifier::new("x", ty.ttype(), 1))?;
            write(&mut p, &ty, &v)?;
            p.write_field_end()?;
            p.write_field_begin(&TFieldIdentifier::new("y", TType::String, 2))?;
            p.write_string("after")?;
            p.write_field_end()?;
            p.write_field_stop()?;
            p.write_struct_end()?;
            p.flush()?;
            Ok(Vec::new())
        })();
        enc.map_err(|e| TestCaseError::fail(e.to_string()))?;
        let bytes = p.into_inner().map_err(|e| TestCaseError::fail(e.to_string()))?;
        let schema = Ty::Struct(vec![(2, Ty::Str)]);
        let want = V::Struct(vec![(2, V::Str("after".into()))]);
        // Our own skip...
        let got = read(&mut JsonInputProtocol::new(bytes.as_slice()), &schema)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(same(&got, &want));
        // ...and the thrift crate's default one, which a `Box<P>` wrapper uses.
        let mut boxed: Box<JsonInputProtocol<&[u8]>> = Box::new(JsonInputProtocol::new(bytes.as_slice()));
        let got = read(&mut boxed, &schema).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(same(&got, &want));
    }

    #[test]
    fn strings_with_every_char_escaped(s in string_strategy()) {
        // Other writers may escape anything as \uXXXX (UTF-16, surrogate pairs).
        let mut json = String::from("\"");
        for unit in s.encode_utf16() {
            json.push_str(&format!("\\u{unit:04X}"));
        }
        json.push('"');
        let got = JsonInputProtocol::new(json.as_bytes()).read_string()
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(got, s);
    }

    #[test]
    fn binary_padded_and_unpadded(b in prop::collection::vec(any::<u8>(), 0..200)) {
        for engine in [
            base64::engine::general_purpose::STANDARD,
            base64::engine::general_purpose::STANDARD_NO_PAD,
        ] {
            let json = format!("\"{}\"", engine.encode(&b));
            let got = JsonInputProtocol::new(json.as_bytes()).read_bytes()
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&got, &b);
        }
    }

    #[test]
    fn large_strings_and_binaries(len in 0usize..300_000, seed in any::<u8>()) {
        let bin: Vec<u8> = (0..len).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        let s: String = (0..len / 3).map(|i| match (i + usize::from(seed)) % 7 {
            0 => '"',
            1 => 'é',
            2 => '\n',
            3 => '\u{1F600}',
            _ => 'a',
        }).collect();
        let ty = Ty::Struct(vec![(1, Ty::Bin), (2, Ty::Str)]);
        let v = V::Struct(vec![(1, V::Bin(bin)), (2, V::Str(s))]);
        let ident = TMessageIdentifier::new("big", TMessageType::Call, 0);
        let bytes = encode_message(&ident, &ty, &v).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let (_, v2) = decode_message(&bytes, &ty).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(same(&v, &v2));
    }
}

#[test]
fn whitespace_between_tokens_is_accepted() -> thrift::Result<()> {
    let text = b" [ 1 , \"m\" , 1 , 5 , { \"1\" : { \"lst\" : [ \"i32\" , 2 , 1 , 2 ] } ,\n\t\"2\":{\"map\":[\"str\",\"dbl\",1,{ \"k\" : \"NaN\" }]} } ] \n";
    let ty = Ty::Struct(vec![
        (1, Ty::List(Box::new(Ty::I32))),
        (2, Ty::Map(Box::new(Ty::Str), Box::new(Ty::Dbl))),
    ]);
    let mut p = JsonInputProtocol::new(text.as_slice());
    let ident = p.read_message_begin()?;
    assert_eq!(ident.sequence_number, 5);
    let v = read(&mut p, &ty)?;
    p.read_message_end()?;
    let want = V::Struct(vec![
        (1, V::List(vec![V::I32(1), V::I32(2)])),
        (2, V::Map(vec![(V::Str("k".into()), V::Dbl(f64::NAN))])),
    ]);
    assert!(same(&v, &want), "{v:?}");
    Ok(())
}

#[test]
fn doubles_are_written_like_python() -> thrift::Result<()> {
    let mut p = JsonOutputProtocol::new(Vec::new());
    p.write_list_begin(&TListIdentifier::new(TType::Double, 7))?;
    for d in [
        0.1,
        -0.0,
        1e100,
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        3.0,
    ] {
        p.write_double(d)?;
    }
    p.write_list_end()?;
    p.write_map_begin(&TMapIdentifier::new(TType::Double, TType::I64, 1))?;
    p.write_double(2.5)?;
    p.write_i64(-3)?;
    p.write_map_end()?;
    let out = p.into_inner()?;
    assert_eq!(
        String::from_utf8_lossy(&out),
        r#"["dbl",7,0.10000000000000001,-0,1e+100,"NaN","Infinity","-Infinity",3]["dbl","i64",1,{"2.5":-3}]"#
    );
    Ok(())
}
