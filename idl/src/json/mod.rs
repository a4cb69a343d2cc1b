//! Thrift's JSON protocol (the wire format of Apache Thrift's `TJSONProtocol`)
//! for the [`thrift`] crate's protocol traits.
//!
//! CodeChecker clients talk to the server with this protocol over HTTP. The
//! format, summarised:
//!
//! * a message is the array `[1,"name",type,seqid,<struct>]` (`1` is the
//!   protocol version);
//! * a struct is an object whose keys are the field ids (as JSON strings) and
//!   whose values are one-entry objects `{"<type tag>":<value>}`, e.g.
//!   `{"1":{"i32":5},"2":{"str":"x"}}`;
//! * a list or set is `["<elem tag>",size,elem,...]`, a map is
//!   `["<key tag>","<value tag>",size,{"k":v,...}]`;
//! * the type tags are `tf i8 i16 i32 i64 dbl str rec map set lst`;
//! * a bool is `1`/`0`; a number in a JSON key position is written inside
//!   quotes; doubles that JSON cannot express are the strings `"NaN"`,
//!   `"Infinity"` and `"-Infinity"`; binary data is a base64 string.
//!
//! [`JsonInputProtocol`] decodes from an in-memory buffer (an HTTP body is read
//! completely before it is decoded) and is built to face hostile input: it
//! never recurses on the input, limits nesting, rejects container sizes that
//! the remaining input cannot hold, and reports every malformation as a
//! [`thrift::Error::Protocol`]. [`JsonOutputProtocol`] writes into any
//! [`std::io::Write`] through an internal buffer.
//!
//! The encoder's output is byte-for-byte what the Python `thrift` library
//! (0.13 … 0.25) writes for the same calls, except that control characters
//! other than `\b \f \n \r \t` are written as `\u00XX` escapes (Python writes
//! them raw, which is not valid JSON) and non-finite doubles are written as the
//! quoted strings above (Python writes bare `inf`/`nan`, which no JSON reader,
//! Python's own included, accepts). The decoder accepts both spellings.

mod double;
pub mod generic;
mod reader;
mod scan;
pub mod upload;
mod writer;

pub use reader::JsonInputProtocol;
pub use writer::JsonOutputProtocol;

use thrift::protocol::TType;
use thrift::{ProtocolError, ProtocolErrorKind};

/// The only message-envelope version of the protocol.
pub const PROTOCOL_VERSION: i64 = 1;

/// Default limit for nested structs, lists, sets and maps while decoding.
pub const DEFAULT_MAX_DEPTH: usize = 64;

/// Builds a protocol error.
pub(crate) fn perr(kind: ProtocolErrorKind, message: impl Into<String>) -> thrift::Error {
    thrift::Error::Protocol(ProtocolError::new(kind, message.into()))
}

/// Builds an `InvalidData` protocol error.
pub(crate) fn invalid(message: impl Into<String>) -> thrift::Error {
    perr(ProtocolErrorKind::InvalidData, message)
}

/// The JSON type tag of a Thrift type, if it has one.
pub(crate) fn type_tag(ty: TType) -> thrift::Result<&'static str> {
    Ok(match ty {
        TType::Bool => "tf",
        TType::I08 => "i8",
        TType::I16 => "i16",
        TType::I32 => "i32",
        TType::I64 => "i64",
        TType::Double => "dbl",
        TType::String | TType::Utf8 => "str",
        TType::Struct => "rec",
        TType::Map => "map",
        TType::Set => "set",
        TType::List => "lst",
        other => {
            return Err(perr(
                ProtocolErrorKind::InvalidData,
                format!("type {other} cannot be written with the JSON protocol"),
            ))
        }
    })
}

/// The Thrift type named by a JSON type tag.
pub(crate) fn type_from_tag(tag: &[u8]) -> thrift::Result<TType> {
    Ok(match tag {
        b"tf" => TType::Bool,
        b"i8" => TType::I08,
        b"i16" => TType::I16,
        b"i32" => TType::I32,
        b"i64" => TType::I64,
        b"dbl" => TType::Double,
        b"str" => TType::String,
        b"rec" => TType::Struct,
        b"map" => TType::Map,
        b"set" => TType::Set,
        b"lst" => TType::List,
        b"uid" => {
            return Err(perr(
                ProtocolErrorKind::NotImplemented,
                "the uuid type (tag \"uid\") is not supported",
            ))
        }
        other => {
            let shown: String = String::from_utf8_lossy(other).chars().take(32).collect();
            return Err(invalid(format!("unknown type tag {shown:?}")));
        }
    })
}

/// The fewest bytes a value of `ty` can take in the encoding (used to reject
/// container sizes that the rest of the input cannot possibly hold).
pub(crate) fn min_encoded_len(ty: TType) -> u64 {
    match ty {
        // `""`, `{}`
        TType::String | TType::Utf8 | TType::Struct => 2,
        // `["tf",0]`
        TType::List | TType::Set => 8,
        // `["tf","tf",0,{}]`
        TType::Map => 16,
        // `0`
        _ => 1,
    }
}
