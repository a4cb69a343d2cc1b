//! Builds the upload exactly as CodeChecker's client lays it out:
//!
//! ```text
//! reports/<md5 of report dir>/metadata.json, skip_file, review_status.yaml, conf/*
//! reports/<md5 of report dir>/<uuid>-<analyzer>.plist   unique reports, rewritten
//! root/<absolute source path>                            sources the server lacks
//! blame/<absolute source path>                           git blame JSON
//! content_hashes.json                                    {path: sha256} of all sources
//! store_options.json                                     {"keep_for_days": N} with --keep-for (ours)
//! ```
//!
//! The ZIP (entries stored) is streamed through zlib into base64, the form
//! `massStoreRun(Asynchronous)` takes. Plists are rendered and the stream
//! compressed in parallel.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use base64::write::EncoderStringWriter;
use flate2::write::ZlibEncoder;
use md5::{Digest, Md5};
use rayon::prelude::*;

use super::collect::Collection;
use super::plist_writer::PlistDocument;
use super::pzlib::ParallelZlib;
use super::zipstream::{Counting, ZipStream};
use super::StoreError;
use crate::pyjson::{self, PyValue};

/// zlib level of the upload: level 6 compresses report data several times
/// faster than CodeChecker's 9, for an upload about 10 % larger.
pub const ZLIB_LEVEL: u32 = 6;

/// The level used when an upload at [`ZLIB_LEVEL`] is too large for
/// CodeChecker's server (see [`THRIFT_STRING_LIMIT`]).
pub const ZLIB_LEVEL_MAX: u32 = 9;

/// The longest string CodeChecker's server (Python Thrift 0.25, JSON
/// protocol) reads: uploads whose base64 text is longer are refused with
/// "Length exceeded max allowed".
pub const THRIFT_STRING_LIMIT: usize = 16_384_000;

/// Diagnostics rendered per parallel batch.
const BATCH: usize = 512;

/// The upload, ready to send.
pub struct Packed {
    /// Base64 of the zlib-compressed ZIP.
    pub b64: String,
    /// Size of the ZIP.
    pub zip_size: u64,
    /// Size after zlib compression.
    pub compressed_size: u64,
    /// Number of plists in the upload.
    pub plists: usize,
}

/// What goes into the upload besides the reports.
pub struct Contents<'a> {
    /// Every source path → its content hash.
    pub file_hashes: &'a BTreeMap<String, String>,
    /// Sources whose content is uploaded.
    pub sources: &'a BTreeSet<String>,
    /// Source path → blame JSON.
    pub blame: &'a BTreeMap<String, String>,
    /// Version string for the plists' `generated_by`.
    pub version: &'a str,
    /// `--keep-for DAYS`: written to `store_options.json` (see
    /// [`STORE_OPTIONS`]).
    pub keep_for_days: Option<u32>,
}

/// A file of this client's own in the upload: `{"keep_for_days": N}`. Servers
/// that do not know it (CodeChecker's) leave it unread; codechecker-rs
/// records the run's lifetime for its run retention.
pub const STORE_OPTIONS: &str = "store_options.json";

/// A random (version 4) UUID, as Python's `uuid.uuid4()` prints it.
fn uuid4() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn md5_hex(text: &str) -> String {
    hex::encode(Md5::digest(text.as_bytes()))
}

fn read(path: &std::path::Path) -> Result<Vec<u8>, StoreError> {
    std::fs::read(path)
        .map_err(|e| StoreError::Input(format!("Cannot read '{}': {e}", path.display())))
}

fn zip_err(e: io::Error) -> StoreError {
    StoreError::Input(format!("Cannot build the upload: {e}"))
}

/// Writes the upload compressed at `level`; `on_reports(n)` is called as
/// reports are packed.
pub fn pack(
    collection: &Collection,
    contents: &Contents<'_>,
    level: u32,
    on_reports: &(dyn Fn(u64) + Sync),
) -> Result<Packed, StoreError> {
    let sink = Counting::new(EncoderStringWriter::new(
        &base64::engine::general_purpose::STANDARD,
    ));
    let zlib = ParallelZlib::new(sink, level);
    let (zip_size, plists, zlib) = write_zip(collection, contents, zlib, on_reports)?;
    let sink = zlib.finish().map_err(zip_err)?;
    Ok(Packed {
        compressed_size: sink.count(),
        b64: sink.into_inner().into_inner(),
        zip_size,
        plists,
    })
}

fn write_zip<W: Write>(
    collection: &Collection,
    contents: &Contents<'_>,
    writer: W,
    on_reports: &(dyn Fn(u64) + Sync),
) -> Result<(u64, usize, W), StoreError> {
    let mut zip = ZipStream::new(writer);
    let mut plists = 0;
    for (di, dir) in collection.dirs.iter().enumerate() {
        let prefix = format!("reports/{}", md5_hex(&dir.path));
        let side = [&dir.metadata, &dir.skip_file, &dir.review_status];
        for path in side.into_iter().flatten() {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            zip.add(&format!("{prefix}/{name}"), &read(path)?)
                .map_err(zip_err)?;
        }
        for path in &dir.conf_files {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            zip.add(&format!("{prefix}/conf/{name}"), &read(path)?)
                .map_err(zip_err)?;
        }
        for group in collection.groups.iter().filter(|g| g.dir == di) {
            let analyzer = group
                .analyzer
                .as_deref()
                .filter(|a| !a.is_empty())
                .unwrap_or("unknown");
            let doc = PlistDocument::new(group.reports.iter(), analyzer, contents.version);
            let name = format!("{prefix}/{}-{analyzer}.plist", uuid4());
            let header = std::iter::once(Ok(doc.header().into_bytes()));
            let body = group.reports.chunks(BATCH).map(|batch| {
                let parts: Vec<String> = batch.par_iter().map(|r| doc.diagnostic(r)).collect();
                on_reports(batch.len() as u64);
                Ok(parts.concat().into_bytes())
            });
            let footer = std::iter::once(Ok(doc.footer().into_bytes()));
            zip.add_streamed(&name, header.chain(body).chain(footer))
                .map_err(zip_err)?;
            plists += 1;
        }
    }
    for path in contents.sources {
        let name = format!("root/{}", path.trim_start_matches('/'));
        if zip.contains(&name) {
            continue;
        }
        zip.add(&name, &read(std::path::Path::new(path))?)
            .map_err(zip_err)?;
    }
    for (path, blame) in contents.blame {
        zip.add(
            &format!("blame/{}", path.trim_start_matches('/')),
            blame.as_bytes(),
        )
        .map_err(zip_err)?;
    }
    let hashes = PyValue::Dict(
        contents
            .file_hashes
            .iter()
            .map(|(k, v)| (k.clone(), PyValue::Str(v.clone())))
            .collect(),
    );
    zip.add("content_hashes.json", pyjson::dumps(&hashes).as_bytes())
        .map_err(zip_err)?;
    if let Some(days) = contents.keep_for_days {
        zip.add(
            STORE_OPTIONS,
            format!("{{\"keep_for_days\": {days}}}").as_bytes(),
        )
        .map_err(zip_err)?;
    }
    let size = zip.written();
    let writer = zip.finish().map_err(zip_err)?;
    Ok((size, plists, writer))
}

/// A small ZIP of `files` (entry names are the paths without the leading
/// `/`), compressed and base64-encoded, for `storeAnalysisStatistics`.
pub fn pack_files(files: &[std::path::PathBuf]) -> Result<String, StoreError> {
    let mut zip = ZipStream::new(Vec::new());
    for f in files {
        let name = f.to_string_lossy().trim_start_matches('/').to_owned();
        zip.add(&name, &read(f)?).map_err(zip_err)?;
    }
    let bytes = zip.finish().map_err(zip_err)?;
    let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::new(ZLIB_LEVEL_MAX));
    z.write_all(&bytes).map_err(zip_err)?;
    let compressed = z.finish().map_err(zip_err)?;
    use base64::Engine as _;
    Ok(base64::engine::general_purpose::STANDARD.encode(compressed))
}
