//! Compression of stored blobs and the encoding of a report's bug path.

use std::cell::RefCell;
use std::io::Read;

use flate2::read::ZlibDecoder;
use flate2::{Compress, Compression, FlushCompress, Status};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

thread_local! {
    /// One compressor per thread: setting one up allocates and clears a few
    /// hundred KiB, which would dominate compressing small blobs.
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::default(), true));
}

/// zlib-compresses `data` (default level: fast and still compact).
pub(crate) fn compress(data: &[u8]) -> Vec<u8> {
    COMPRESSOR.with(|cell| {
        let mut c = cell.borrow_mut();
        c.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = usize::try_from(c.total_in())
                .unwrap_or(data.len())
                .min(data.len());
            match c.compress_vec(&data[consumed..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                Ok(_) => out.reserve(out.capacity().max(64)),
                // Not expected for in-memory input; use a fresh encoder.
                Err(_) => return compress_fresh(data),
            }
        }
    })
}

/// [`compress`] with a one-off encoder.
fn compress_fresh(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

/// Inverse of [`compress`].
pub(crate) fn decompress(data: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() * 3);
    ZlibDecoder::new(data)
        .read_to_end(&mut out)
        .map_err(|e| Error::Corrupt(format!("compressed blob: {e}")))?;
    Ok(out)
}

/// Decompresses a blob holding UTF-8 text (lossy on invalid bytes).
pub(crate) fn decompress_text(data: &[u8]) -> Result<String> {
    let bytes = decompress(data)?;
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Kind of a stored path item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum ItemKind {
    /// Bug path control position.
    #[serde(rename = "p")]
    Position,
    /// Bug path event.
    #[serde(rename = "e")]
    Event,
    /// Note.
    #[serde(rename = "n")]
    Note,
    /// Macro expansion.
    #[serde(rename = "m")]
    Macro,
}

/// One stored path item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PathItem {
    /// Kind.
    #[serde(rename = "k")]
    pub kind: ItemKind,
    /// First line.
    #[serde(rename = "a")]
    pub start_line: i64,
    /// First column.
    #[serde(rename = "b")]
    pub start_col: i64,
    /// Last line.
    #[serde(rename = "c")]
    pub end_line: i64,
    /// Last column.
    #[serde(rename = "d")]
    pub end_col: i64,
    /// File id.
    #[serde(rename = "f")]
    pub file_id: i64,
    /// Message.
    #[serde(rename = "m", default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Compressed JSON of a report's path items.
pub(crate) fn encode_path(items: &[PathItem]) -> Vec<u8> {
    compress(&serde_json::to_vec(items).unwrap_or_default())
}

/// Inverse of [`encode_path`].
pub(crate) fn decode_path(blob: &[u8]) -> Result<Vec<PathItem>> {
    let json = decompress(blob)?;
    serde_json::from_slice(&json).map_err(|e| Error::Corrupt(format!("bug path data: {e}")))
}

/// A detection status as stored (its Thrift number), or why it is corrupt.
pub(crate) fn detection_status_of(v: i64) -> Result<crate::model::DetectionStatus> {
    i32::try_from(v)
        .ok()
        .and_then(crate::model::DetectionStatus::from_thrift)
        .ok_or_else(|| Error::Corrupt(format!("detection status {v}")))
}

/// A review status as stored (its Thrift number), or why it is corrupt.
pub(crate) fn review_status_of(v: i64) -> Result<crate::model::ReviewStatus> {
    i32::try_from(v)
        .ok()
        .and_then(crate::model::review_status_from_thrift)
        .ok_or_else(|| Error::Corrupt(format!("review status {v}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_round_trips() {
        let items = vec![
            PathItem {
                kind: ItemKind::Event,
                start_line: 1,
                start_col: 2,
                end_line: 3,
                end_col: 4,
                file_id: 7,
                message: Some("ünïcode \"quoted\"".into()),
            },
            PathItem {
                kind: ItemKind::Position,
                start_line: 5,
                start_col: 6,
                end_line: 5,
                end_col: 9,
                file_id: 8,
                message: None,
            },
        ];
        assert_eq!(decode_path(&encode_path(&items)).ok(), Some(items));
        assert!(decode_path(b"not zlib").is_err());
    }
}
