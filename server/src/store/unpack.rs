//! Unpacking a store upload: base64 text → zlib stream → ZIP archive → files
//! in a folder, checked at every step.
//!
//! The upload is decoded and inflated in a streaming fashion into a temporary
//! ZIP file next to the destination (the ZIP format needs random access to its
//! central directory), then every entry is checked and extracted. Nothing is
//! written outside the destination folder, and the total number of bytes
//! written is capped by an [`UnpackLimits`] budget derived from the upload's
//! size, so that a small upload that would inflate to gigabytes is refused
//! after writing at most the budget.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Component, Path, PathBuf};

use base64::Engine as _;

/// How much an upload may unpack to.
#[derive(Debug, Clone, Copy)]
pub struct UnpackLimits {
    /// The most bytes an upload may unpack to in total (CodeChecker: 16 GiB).
    pub max_unpacked_bytes: u64,
    /// The most bytes unpacked per byte uploaded (after base64 decoding),
    /// beyond [`UnpackLimits::ratio_free_bytes`].
    pub max_ratio: u64,
    /// Bytes any upload may unpack to regardless of the ratio.
    pub ratio_free_bytes: u64,
    /// The most entries a ZIP may have.
    pub max_entries: usize,
}

impl Default for UnpackLimits {
    fn default() -> Self {
        Self {
            max_unpacked_bytes: 16 << 30,
            max_ratio: 200,
            ratio_free_bytes: 64 << 20,
            max_entries: 2_000_000,
        }
    }
}

impl UnpackLimits {
    /// The byte budget of an upload of `uploaded` bytes: each stage (the
    /// inflated ZIP, the extracted files) must stay within it.
    pub fn budget(&self, uploaded: u64) -> u64 {
        self.max_ratio
            .saturating_mul(uploaded)
            .max(self.ratio_free_bytes)
            .min(self.max_unpacked_bytes)
    }
}

/// Why an upload was refused. The messages are meant for the person storing.
#[derive(Debug, thiserror::Error)]
pub enum UnpackError {
    /// Nothing was uploaded.
    #[error("The uploaded ZIP file is empty!")]
    Empty,
    /// The archive holds no report directory: not even the `metadata.json`
    /// that CodeChecker's client sends when an analysis found nothing.
    #[error(
        "The uploaded ZIP holds no report directory (no file under 'reports/'), \
         so there is nothing to store. Store the output folder of 'CodeChecker analyze'."
    )]
    NoReportDirectory,
    /// The text is not base64.
    #[error("The upload is not valid base64 (first bad character near offset {offset}).")]
    NotBase64 {
        /// Offset into the base64 text.
        offset: usize,
    },
    /// The decoded bytes are not a zlib stream.
    #[error("The upload is not zlib-compressed data: {0}.")]
    NotZlib(String),
    /// The inflated bytes are not a readable ZIP archive.
    #[error("The upload is not a valid ZIP archive: {0}.")]
    NotZip(String),
    /// An entry has a name that would escape the destination.
    #[error("The uploaded ZIP contains an unsafe path '{name}': {why}.")]
    UnsafePath {
        /// The entry's name.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// An entry is a symbolic link.
    #[error("The uploaded ZIP contains a symbolic link '{0}'; links are not accepted.")]
    Symlink(String),
    /// An entry is encrypted.
    #[error("The uploaded ZIP contains an encrypted entry '{0}'.")]
    Encrypted(String),
    /// The archive or an entry inflates beyond the budget.
    #[error(
        "The upload unpacks to more than {budget} bytes, the limit for an upload of \
         {uploaded} bytes. Is it a ZIP bomb?"
    )]
    TooLarge {
        /// The budget that was exceeded.
        budget: u64,
        /// The upload's size after base64 decoding.
        uploaded: u64,
    },
    /// The archive has too many entries.
    #[error("The uploaded ZIP has {count} entries; at most {max} are accepted.")]
    TooManyEntries {
        /// Entries in the archive.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// The server could not write what it unpacked.
    #[error("The server cannot store the upload: {0}")]
    Io(String),
    /// The server's disk (its workspace) has no room for the upload.
    #[error(
        "The server's disk is full: there is no room in its workspace to unpack the upload \
         ({0}). Nothing was stored. Ask the server's administrator to free space, or store \
         fewer results at a time."
    )]
    DiskFull(String),
}

impl UnpackError {
    /// Whether the upload itself is at fault (as opposed to the server).
    pub fn is_size_limit(&self) -> bool {
        matches!(
            self,
            UnpackError::TooLarge { .. } | UnpackError::TooManyEntries { .. }
        )
    }
}

/// What [`unpack`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unpacked {
    /// Size of the inflated ZIP archive.
    pub zip_bytes: u64,
    /// Bytes written into the destination.
    pub extracted_bytes: u64,
    /// Regular files written.
    pub files: usize,
}

/// Base64 text is decoded this many characters at a time (a multiple of 4).
const B64_CHUNK: usize = 64 * 1024;

/// Unpacks `b64` (base64 of a zlib-compressed ZIP) into `dest`, which must
/// exist and be empty. On error `dest` may hold a partial extraction; the
/// caller removes it.
pub fn unpack(b64: &str, dest: &Path, limits: &UnpackLimits) -> Result<Unpacked, UnpackError> {
    let text = b64.trim_end_matches(['\n', '\r']).as_bytes();
    if text.is_empty() {
        return Err(UnpackError::Empty);
    }
    unpack_compressed(
        Base64Reader::new(text),
        uploaded_size(text.len()),
        dest,
        limits,
    )
}

/// The size `unpack` budgets an upload of `b64_len` base64 characters at:
/// the decoded size rounded up to whole 3-byte groups.
fn uploaded_size(b64_len: usize) -> u64 {
    (b64_len as u64 / 4) * 3
}

/// The bytes base64 `b64` stands for (the zlib stream of a store upload),
/// decoded a chunk at a time as they are read. A read fails with an
/// [`io::Error`] of kind `InvalidData` where the text is not base64.
pub fn decoded(b64: &str) -> impl Read + '_ {
    Base64Reader::new(b64.trim_end_matches(['\n', '\r']).as_bytes())
}

/// [`unpack`] of the upload's bytes after base64 decoding (a zlib stream of
/// `len` bytes, read from `compressed`), with the same checks and the same
/// budget as the base64 text they came from. This is how a server unpacks an
/// upload that another server of the cluster accepted and kept in the
/// configuration database.
pub fn unpack_decoded(
    compressed: impl Read,
    len: u64,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<Unpacked, UnpackError> {
    if len == 0 {
        return Err(UnpackError::Empty);
    }
    // The base64 text had 4 characters per started group of 3 bytes.
    let b64_len = usize::try_from(len.div_ceil(3).saturating_mul(4)).unwrap_or(usize::MAX);
    unpack_compressed(compressed, uploaded_size(b64_len), dest, limits)
}

/// Inflates the zlib stream `compressed` into a ZIP next to `dest` and
/// extracts it there, within the budget of an upload of `uploaded` bytes.
fn unpack_compressed(
    compressed: impl Read,
    uploaded: u64,
    dest: &Path,
    limits: &UnpackLimits,
) -> Result<Unpacked, UnpackError> {
    let budget = limits.budget(uploaded);
    let zip_path = dest.join(".upload.zip");
    let result = inflate_to_file(compressed, &zip_path, budget, uploaded)
        .and_then(|zip_bytes| extract(&zip_path, dest, budget, uploaded, limits, zip_bytes));
    let _ = fs::remove_file(&zip_path);
    result
}

/// Inflates into `zip_path`; returns the bytes written.
fn inflate_to_file(
    compressed: impl Read,
    zip_path: &Path,
    budget: u64,
    uploaded: u64,
) -> Result<u64, UnpackError> {
    let file = create_new_file(zip_path)?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut inflater = flate2::read::ZlibDecoder::new(compressed);
    let mut buf = vec![0u8; 256 * 1024];
    let mut written: u64 = 0;
    loop {
        let n = match inflater.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) => return Err(stream_error(err)),
        };
        written += n as u64;
        if written > budget {
            return Err(UnpackError::TooLarge { budget, uploaded });
        }
        out.write_all(&buf[..n]).map_err(io_error)?;
    }
    out.flush().map_err(io_error)?;
    if written == 0 {
        return Err(UnpackError::NotZlib("it inflates to nothing".to_owned()));
    }
    Ok(written)
}

/// Maps a failed read of the base64 → zlib chain to the layer at fault.
fn stream_error(err: io::Error) -> UnpackError {
    if let Some(bad) = err.get_ref().and_then(|e| e.downcast_ref::<BadBase64>()) {
        return UnpackError::NotBase64 { offset: bad.0 };
    }
    let detail = match err.kind() {
        io::ErrorKind::UnexpectedEof => "the stream is truncated".to_owned(),
        // Not the data's fault: the source failed (a database read).
        io::ErrorKind::Other => return UnpackError::Io(err.to_string()),
        _ => err.to_string(),
    };
    UnpackError::NotZlib(detail)
}

/// Extracts the checked entries of the ZIP at `zip_path` into `dest`.
fn extract(
    zip_path: &Path,
    dest: &Path,
    budget: u64,
    uploaded: u64,
    limits: &UnpackLimits,
    zip_bytes: u64,
) -> Result<Unpacked, UnpackError> {
    let file = File::open(zip_path).map_err(io_error)?;
    let mut archive = zip::ZipArchive::new(io::BufReader::new(file))
        .map_err(|e| UnpackError::NotZip(zip_message(e)))?;
    if archive.len() > limits.max_entries {
        return Err(UnpackError::TooManyEntries {
            count: archive.len(),
            max: limits.max_entries,
        });
    }
    // Refuse early on what the archive declares; the real sizes are counted
    // while writing, as a forged header may understate them.
    let mut declared: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| UnpackError::NotZip(zip_message(e)))?;
        declared = declared.saturating_add(entry.size());
        if declared > budget {
            return Err(UnpackError::TooLarge { budget, uploaded });
        }
    }
    let mut done = Unpacked {
        zip_bytes,
        extracted_bytes: 0,
        files: 0,
    };
    let mut has_report_dir = false;
    let mut buf = vec![0u8; 256 * 1024];
    for i in 0..archive.len() {
        let listed_name = archive.name_for_index(i).unwrap_or_default().to_owned();
        let mut entry = match archive.by_index(i) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::UnsupportedArchive(msg))
                if msg == zip::result::ZipError::PASSWORD_REQUIRED =>
            {
                return Err(UnpackError::Encrypted(listed_name));
            }
            Err(e) => return Err(UnpackError::NotZip(zip_message(e))),
        };
        let name = entry.name().to_owned();
        let relative = safe_relative_path(&name)?;
        if entry.is_symlink() {
            return Err(UnpackError::Symlink(name));
        }
        let target = dest.join(&relative);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(io_error)?;
            continue;
        }
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).map_err(io_error)?;
        }
        let mut out = BufWriter::with_capacity(256 * 1024, open_for_write(&target)?);
        loop {
            let n = match entry.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(err) => {
                    return Err(UnpackError::NotZip(format!(
                        "entry '{name}' cannot be read: {err}"
                    )))
                }
            };
            done.extracted_bytes += n as u64;
            if done.extracted_bytes > budget {
                return Err(UnpackError::TooLarge { budget, uploaded });
            }
            out.write_all(&buf[..n]).map_err(io_error)?;
        }
        out.flush().map_err(io_error)?;
        done.files += 1;
        if relative.starts_with("reports") && relative.components().count() > 1 {
            has_report_dir = true;
        }
    }
    if !has_report_dir {
        return Err(UnpackError::NoReportDirectory);
    }
    Ok(done)
}

fn zip_message(err: zip::result::ZipError) -> String {
    match err {
        zip::result::ZipError::Io(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            "the archive is truncated".to_owned()
        }
        other => other.to_string(),
    }
}

/// The entry name as a path below the destination, or why it is unsafe.
pub fn safe_relative_path(name: &str) -> Result<PathBuf, UnpackError> {
    let unsafe_path = |why| UnpackError::UnsafePath {
        name: name.to_owned(),
        why,
    };
    if name.is_empty() {
        return Err(unsafe_path("the name is empty"));
    }
    if name.contains('\0') {
        return Err(unsafe_path("the name contains a NUL character"));
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Err(unsafe_path("absolute paths are not accepted"));
    }
    if name.as_bytes().get(1) == Some(&b':') {
        return Err(unsafe_path("absolute paths are not accepted"));
    }
    let mut out = PathBuf::new();
    for component in Path::new(name).components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(unsafe_path("'..' components are not accepted")),
            Component::RootDir | Component::Prefix(_) => {
                return Err(unsafe_path("absolute paths are not accepted"))
            }
        }
    }
    if name.split(['/', '\\']).any(|part| part == "..") {
        return Err(unsafe_path("'..' components are not accepted"));
    }
    if out.as_os_str().is_empty() {
        return Err(unsafe_path("the name is empty"));
    }
    Ok(out)
}

fn create_new_file(path: &Path) -> Result<File, UnpackError> {
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_error)
}

/// Opens a regular file for writing without following a link at its place.
fn open_for_write(path: &Path) -> Result<File, UnpackError> {
    OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(io_error)
}

fn io_error(err: io::Error) -> UnpackError {
    if is_disk_full(&err) {
        return UnpackError::DiskFull(err.to_string());
    }
    UnpackError::Io(err.to_string())
}

/// Whether `err` says the file system is full (or the user's quota used up).
pub fn is_disk_full(err: &io::Error) -> bool {
    err.kind() == io::ErrorKind::StorageFull
        || err.kind() == io::ErrorKind::QuotaExceeded
        || err.raw_os_error() == Some(libc::ENOSPC)
        || err.raw_os_error() == Some(libc::EDQUOT)
}

/// The offset of invalid base64 text, carried through `io::Error`.
#[derive(Debug)]
struct BadBase64(usize);

impl std::fmt::Display for BadBase64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid base64 near offset {}", self.0)
    }
}

impl std::error::Error for BadBase64 {}

/// Reads the bytes that base64 text encodes, a chunk at a time.
struct Base64Reader<'a> {
    text: &'a [u8],
    consumed: usize,
    decoded: Vec<u8>,
    pos: usize,
}

impl<'a> Base64Reader<'a> {
    fn new(text: &'a [u8]) -> Self {
        Self {
            text,
            consumed: 0,
            decoded: Vec::with_capacity(B64_CHUNK / 4 * 3),
            pos: 0,
        }
    }

    fn refill(&mut self) -> io::Result<()> {
        let rest = &self.text[self.consumed..];
        let take = rest.len().min(B64_CHUNK);
        let chunk = &rest[..take];
        self.decoded.clear();
        self.decoded.resize(take / 4 * 3 + 3, 0);
        let n = base64::engine::general_purpose::STANDARD
            .decode_slice(chunk, &mut self.decoded)
            .map_err(|err| {
                let at = match err {
                    base64::DecodeSliceError::DecodeError(
                        base64::DecodeError::InvalidByte(i, _)
                        | base64::DecodeError::InvalidLastSymbol(i, _),
                    ) => i,
                    _ => chunk.len(),
                };
                io::Error::new(io::ErrorKind::InvalidData, BadBase64(self.consumed + at))
            })?;
        self.decoded.truncate(n);
        self.pos = 0;
        self.consumed += take;
        Ok(())
    }
}

impl Read for Base64Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.decoded.len() {
            if self.consumed == self.text.len() {
                return Ok(0);
            }
            self.refill()?;
        }
        let n = buf.len().min(self.decoded.len() - self.pos);
        buf[..n].copy_from_slice(&self.decoded[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn safe_paths() {
        assert!(safe_relative_path("reports/abc/metadata.json").is_ok());
        assert!(safe_relative_path("root/home/u/a.c").is_ok());
        for bad in [
            "/etc/passwd",
            "../../etc/passwd",
            "a/../../b",
            "a/..",
            "C:/x",
            "\\x",
            "",
        ] {
            assert!(safe_relative_path(bad).is_err(), "{bad}");
        }
    }

    const ZIP_DICT: &[&[u8]] = &[
        b"PK\x03\x04",
        b"PK\x01\x02",
        b"PK\x05\x06",
        b"PK\x06\x06",
        b"PK\x06\x07",
        b"../",
        b"/",
        b"\\",
        b"reports/",
        b"\0",
        b"\xff\xff\xff\xff",
        b"\x00\x00\x00\x00",
        b"\x08\x00",
        b"\xa1\x81",
        b"\xff\x7f",
    ];

    /// ZIP archives with entries of every kind: report files, folders,
    /// symbolic links, unsafe names, compressible bulk (a bomb for small
    /// limits), stored or deflated.
    fn archives() -> BoxedStrategy<Vec<u8>> {
        let name = prop::sample::select(
            &[
                "reports/a.plist",
                "reports/",
                "reports/sub/metadata.json",
                "root/src/a.c",
                "../evil",
                "/abs",
                "a/../../b",
                "C:x",
                "reports\\..\\..\\x",
                "./reports/x",
                "reports/./y",
                "",
                "a\0b",
                "reports/a.plist/x",
                "reports/..",
                ".",
            ][..],
        );
        let entry = (
            name,
            0..4u8,
            0..3u8,
            any::<bool>(),
            prop::collection::vec(any::<u8>(), 0..40),
        );
        prop::collection::vec(entry, 0..5)
            .prop_map(|entries| {
                use zip::write::SimpleFileOptions;
                let mut zip = zip::ZipWriter::new(io::Cursor::new(Vec::new()));
                for (name, kind, size, deflate, bytes) in entries {
                    let options = SimpleFileOptions::default().compression_method(if deflate {
                        zip::CompressionMethod::Deflated
                    } else {
                        zip::CompressionMethod::Stored
                    });
                    let written = match kind {
                        0 => zip.add_directory(name, options),
                        1 => zip.add_symlink(name, "/etc/passwd", options),
                        _ => zip.start_file(name, options).and_then(|()| {
                            let bulk = match size {
                                0 => bytes,
                                1 => vec![b'a'; 5_000],
                                _ => vec![0; 70_000],
                            };
                            zip.write_all(&bulk).map_err(Into::into)
                        }),
                    };
                    // The writer refuses some names (e.g. a duplicate): skip them.
                    let _ = written;
                }
                zip.finish().map(io::Cursor::into_inner).unwrap_or_default()
            })
            .boxed()
    }

    /// Whatever the upload, nothing is written outside the destination,
    /// no link is created, what is written stays within the budget, the
    /// temporary ZIP is gone, and a success holds a report folder.
    #[test]
    fn fuzz_zip_unpack() {
        use crate::fuzz_harness as harness;
        let limits = UnpackLimits {
            max_unpacked_bytes: 256 << 10,
            max_ratio: 20,
            ratio_free_bytes: 64 << 10,
            max_entries: 50,
        };
        // In memory where there is a tmpfs: 10,000 unpackings touch the disk a lot.
        let base = tempfile::Builder::new()
            .tempdir_in("/dev/shm")
            .or_else(|_| tempfile::tempdir())
            .expect("temporary folder");
        let outside = base.path().join("outside.txt");
        fs::write(&outside, b"untouched").expect("sentinel file");
        let dest = base.path().join("dest");
        let input = harness::inputs("zip_unpack", archives(), ZIP_DICT);
        harness::fuzz("zip_unpack", input, |input| {
            // Most inputs are archives, sent as CodeChecker's client sends
            // them; one in eight is taken as the upload's text itself.
            let text = if input.param % 8 == 0 {
                String::from_utf8_lossy(&input.bytes).into_owned()
            } else {
                let mut z =
                    flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&input.bytes).map_err(|e| e.to_string())?;
                let zlib = z.finish().map_err(|e| e.to_string())?;
                base64::engine::general_purpose::STANDARD.encode(zlib)
            };
            fs::create_dir(&dest).map_err(|e| e.to_string())?;
            let result = unpack(&text, &dest, &limits);
            let checked = check_unpacked(base.path(), &dest, &outside, &text, &limits, &result);
            fs::remove_dir_all(&dest).map_err(|e| e.to_string())?;
            checked
        });
    }

    fn check_unpacked(
        base: &Path,
        dest: &Path,
        outside: &Path,
        text: &str,
        limits: &UnpackLimits,
        result: &Result<Unpacked, UnpackError>,
    ) -> Result<(), String> {
        let mut names: Vec<_> = fs::read_dir(base)
            .map_err(|e| e.to_string())?
            .map(|e| e.map(|e| e.file_name()))
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        names.sort();
        if names != ["dest", "outside.txt"]
            || fs::read(outside).ok().as_deref() != Some(b"untouched")
        {
            return Err(format!("something was written outside: {names:?}"));
        }
        let mut total = 0u64;
        let mut files = 0usize;
        let mut has_reports = false;
        let mut stack = vec![dest.to_path_buf()];
        while let Some(dir) = stack.pop() {
            for entry in fs::read_dir(&dir).map_err(|e| e.to_string())? {
                let entry = entry.map_err(|e| e.to_string())?;
                let meta = fs::symlink_metadata(entry.path()).map_err(|e| e.to_string())?;
                if meta.file_type().is_symlink() {
                    return Err(format!("a link was created: {}", entry.path().display()));
                } else if meta.is_dir() {
                    stack.push(entry.path());
                } else {
                    total += meta.len();
                    files += 1;
                    has_reports |= entry.path().starts_with(dest.join("reports"));
                }
            }
        }
        if dest.join(".upload.zip").exists() {
            return Err("the temporary ZIP was left behind".into());
        }
        let uploaded = (text.trim_end_matches(['\n', '\r']).len() as u64 / 4) * 3;
        let budget = limits.budget(uploaded);
        if total > budget {
            return Err(format!(
                "{total} bytes written, over the budget of {budget}"
            ));
        }
        match result {
            Ok(done) => {
                if !has_reports || done.extracted_bytes > budget || total > done.extracted_bytes {
                    return Err(format!("{done:?}, but {files} files of {total} bytes"));
                }
            }
            Err(e) => {
                if e.to_string().is_empty() {
                    return Err(format!("an error without a message: {e:?}"));
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// An upload kept in the configuration database (its decoded bytes)
        /// unpacks exactly as the base64 text it came from: same files, same
        /// budget, same refusals.
        #[test]
        fn decoded_bytes_unpack_as_their_base64_text(zip in archives(), level in 0..10u32) {
            let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(level));
            z.write_all(&zip).unwrap();
            let zlib = z.finish().unwrap();
            let text = base64::engine::general_purpose::STANDARD.encode(&zlib);
            let limits = UnpackLimits {
                max_unpacked_bytes: 1 << 20,
                max_ratio: 3,
                ratio_free_bytes: 60_000,
                max_entries: 50,
            };
            let base = tempfile::tempdir().unwrap();
            let (a, b) = (base.path().join("a"), base.path().join("b"));
            fs::create_dir(&a).unwrap();
            fs::create_dir(&b).unwrap();
            let from_text = unpack(&text, &a, &limits).map_err(|e| e.to_string());
            let mut bytes = Vec::new();
            decoded(&text).read_to_end(&mut bytes).unwrap();
            prop_assert_eq!(&bytes, &zlib);
            let from_bytes = unpack_decoded(bytes.as_slice(), bytes.len() as u64, &b, &limits)
                .map_err(|e| e.to_string());
            prop_assert_eq!(from_text, from_bytes);
        }
    }

    #[test]
    fn budget_has_a_floor_and_a_ceiling() {
        let l = UnpackLimits {
            max_unpacked_bytes: 1000,
            max_ratio: 10,
            ratio_free_bytes: 100,
            max_entries: 10,
        };
        assert_eq!(l.budget(1), 100);
        assert_eq!(l.budget(50), 500);
        assert_eq!(l.budget(500), 1000);
    }
}
