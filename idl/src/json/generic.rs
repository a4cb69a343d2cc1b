//! A schema-less value tree for self-describing protocols such as the JSON
//! protocol: read any message without generated code, inspect it, write it
//! back. Used by the golden-vector tests and handy for debugging traffic.
//!
//! Binary values cannot be told apart from strings without the schema; they
//! are read as strings (for the JSON protocol: their base64 text), which
//! writes back to the same bytes.

use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMapIdentifier, TMessageIdentifier,
    TOutputProtocol, TSetIdentifier, TStructIdentifier, TType,
};
use thrift::ProtocolErrorKind;

use super::{perr, DEFAULT_MAX_DEPTH};

/// Any Thrift value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `byte`.
    I8(i8),
    /// `i16`.
    I16(i16),
    /// `i32` (also enums).
    I32(i32),
    /// `i64`.
    I64(i64),
    /// `double`.
    Double(f64),
    /// `string`.
    String(String),
    /// Fields in wire order.
    Struct(Vec<(i16, Value)>),
    /// A list: element type, elements.
    List(TType, Vec<Value>),
    /// A set: element type, elements.
    Set(TType, Vec<Value>),
    /// A map: key type, value type, entries in wire order.
    Map(TType, TType, Vec<(Value, Value)>),
}

impl Value {
    /// The Thrift type of the value.
    pub fn ttype(&self) -> TType {
        match self {
            Value::Bool(_) => TType::Bool,
            Value::I8(_) => TType::I08,
            Value::I16(_) => TType::I16,
            Value::I32(_) => TType::I32,
            Value::I64(_) => TType::I64,
            Value::Double(_) => TType::Double,
            Value::String(_) => TType::String,
            Value::Struct(_) => TType::Struct,
            Value::List(..) => TType::List,
            Value::Set(..) => TType::Set,
            Value::Map(..) => TType::Map,
        }
    }
}

/// A whole message: envelope plus body struct.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// Method name, message type and sequence id.
    pub ident: TMessageIdentifier,
    /// The arguments (a call) or the result (a reply) struct.
    pub body: Value,
}

/// Reads a value of type `ty`; nesting beyond [`DEFAULT_MAX_DEPTH`] levels is
/// an error.
pub fn read_value(p: &mut dyn TInputProtocol, ty: TType) -> thrift::Result<Value> {
    read_nested(p, ty, DEFAULT_MAX_DEPTH)
}

/// Reads a message: envelope, body struct, end.
pub fn read_message(p: &mut dyn TInputProtocol) -> thrift::Result<Message> {
    let ident = p.read_message_begin()?;
    let body = read_value(p, TType::Struct)?;
    p.read_message_end()?;
    Ok(Message { ident, body })
}

/// Writes a message.
pub fn write_message(p: &mut dyn TOutputProtocol, m: &Message) -> thrift::Result<()> {
    p.write_message_begin(&m.ident)?;
    write_value(p, &m.body)?;
    p.write_message_end()?;
    p.flush()
}

fn read_nested(p: &mut dyn TInputProtocol, ty: TType, depth: usize) -> thrift::Result<Value> {
    let Some(inner) = depth.checked_sub(1) else {
        return Err(perr(
            ProtocolErrorKind::DepthLimit,
            "value nested too deeply",
        ));
    };
    Ok(match ty {
        TType::Bool => Value::Bool(p.read_bool()?),
        TType::I08 => Value::I8(p.read_i8()?),
        TType::I16 => Value::I16(p.read_i16()?),
        TType::I32 => Value::I32(p.read_i32()?),
        TType::I64 => Value::I64(p.read_i64()?),
        TType::Double => Value::Double(p.read_double()?),
        TType::String | TType::Utf8 => Value::String(p.read_string()?),
        TType::Struct => {
            p.read_struct_begin()?;
            let mut fields = Vec::new();
            loop {
                let f = p.read_field_begin()?;
                if f.field_type == TType::Stop {
                    break;
                }
                let id = f.id.unwrap_or(0);
                fields.push((id, read_nested(p, f.field_type, inner)?));
                p.read_field_end()?;
            }
            p.read_struct_end()?;
            Value::Struct(fields)
        }
        TType::List => {
            let l = p.read_list_begin()?;
            let mut items = Vec::new();
            for _ in 0..l.size {
                items.push(read_nested(p, l.element_type, inner)?);
            }
            p.read_list_end()?;
            Value::List(l.element_type, items)
        }
        TType::Set => {
            let s = p.read_set_begin()?;
            let mut items = Vec::new();
            for _ in 0..s.size {
                items.push(read_nested(p, s.element_type, inner)?);
            }
            p.read_set_end()?;
            Value::Set(s.element_type, items)
        }
        TType::Map => {
            let m = p.read_map_begin()?;
            let (Some(kt), Some(vt)) = (m.key_type, m.value_type) else {
                // Only legal for empty maps in some protocols.
                p.read_map_end()?;
                return Ok(Value::Map(TType::String, TType::String, Vec::new()));
            };
            let mut entries = Vec::new();
            for _ in 0..m.size {
                let k = read_nested(p, kt, inner)?;
                let v = read_nested(p, vt, inner)?;
                entries.push((k, v));
            }
            p.read_map_end()?;
            Value::Map(kt, vt, entries)
        }
        other => {
            return Err(perr(
                ProtocolErrorKind::InvalidData,
                format!("cannot read a value of type {other}"),
            ))
        }
    })
}

fn len_i32(n: usize) -> thrift::Result<i32> {
    i32::try_from(n).map_err(|_| perr(ProtocolErrorKind::SizeLimit, "container too large"))
}

/// Writes a value.
pub fn write_value(p: &mut dyn TOutputProtocol, v: &Value) -> thrift::Result<()> {
    match v {
        Value::Bool(b) => p.write_bool(*b),
        Value::I8(i) => p.write_i8(*i),
        Value::I16(i) => p.write_i16(*i),
        Value::I32(i) => p.write_i32(*i),
        Value::I64(i) => p.write_i64(*i),
        Value::Double(d) => p.write_double(*d),
        Value::String(s) => p.write_string(s),
        Value::Struct(fields) => {
            p.write_struct_begin(&TStructIdentifier::new("generic"))?;
            for (id, f) in fields {
                p.write_field_begin(&TFieldIdentifier::new::<Option<String>, String, i16>(
                    None,
                    f.ttype(),
                    *id,
                ))?;
                write_value(p, f)?;
                p.write_field_end()?;
            }
            p.write_field_stop()?;
            p.write_struct_end()
        }
        Value::List(ty, items) => {
            p.write_list_begin(&TListIdentifier::new(*ty, len_i32(items.len())?))?;
            for item in items {
                write_value(p, item)?;
            }
            p.write_list_end()
        }
        Value::Set(ty, items) => {
            p.write_set_begin(&TSetIdentifier::new(*ty, len_i32(items.len())?))?;
            for item in items {
                write_value(p, item)?;
            }
            p.write_set_end()
        }
        Value::Map(kt, vt, entries) => {
            p.write_map_begin(&TMapIdentifier::new(*kt, *vt, len_i32(entries.len())?))?;
            for (k, val) in entries {
                write_value(p, k)?;
                write_value(p, val)?;
            }
            p.write_map_end()
        }
    }
}
