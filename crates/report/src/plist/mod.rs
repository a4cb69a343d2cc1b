//! CodeChecker / Clang plist report files.
//!
//! [`parse_plist`] turns the bytes of one plist into [`Report`]s the way
//! CodeChecker's `report_converter` plist parser does. It is pure (no file
//! system access), so callers may parse many files in parallel.

mod convert;
mod split;
mod value;

use std::path::Path;
use std::sync::Arc;

use crate::model::Report;
pub use value::XmlError;

/// Why a plist yielded no (or not all) reports. Every variant names the
/// plist.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    /// Not well-formed XML, or not a well-formed property list. CodeChecker
    /// takes no report from such a file.
    #[error("invalid plist file '{path}': {message} (at byte {position})")]
    Xml {
        /// The plist.
        path: String,
        /// Byte offset near the problem.
        position: u64,
        /// What is wrong.
        message: String,
    },
    /// The property list is not shaped like a report file (e.g. the root is
    /// not a dictionary, `files` holds a non-string).
    #[error("invalid plist file '{path}': {message}")]
    Structure {
        /// The plist.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// A diagnostic could not be read (missing key, wrong type, unknown
    /// file index). CodeChecker keeps the reports before it and drops the
    /// rest of the file.
    #[error("invalid diagnostic #{index} in plist file '{path}': {message}")]
    Diagnostic {
        /// The plist.
        path: String,
        /// 0-based position in `diagnostics`.
        index: usize,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read.
    #[error("cannot read plist file '{path}': {message}")]
    Io {
        /// The plist.
        path: String,
        /// The operating system's complaint.
        message: String,
    },
}

impl ParseError {
    /// The plist the error is about.
    pub fn path(&self) -> &str {
        match self {
            ParseError::Xml { path, .. }
            | ParseError::Structure { path, .. }
            | ParseError::Diagnostic { path, .. }
            | ParseError::Io { path, .. } => path,
        }
    }
}

/// What CodeChecker would take from a plist: the reports read before the
/// first problem, and that problem.
#[derive(Debug, Clone, PartialEq)]
pub struct PartialParse {
    /// Reports read (all of them when `error` is `None`).
    pub reports: Vec<Report>,
    /// The problem that stopped parsing, if any.
    pub error: Option<ParseError>,
}

/// Parses a plist strictly: any problem is an error naming the file.
///
/// `plist_path` is where the file lives; relative `files` entries are
/// resolved against its directory and normalised (`os.path.normpath`), as
/// CodeChecker does. Missing bug hashes stay `None` (see
/// [`crate::hash::fill_missing_report_hashes`]).
///
/// Large plists (what CodeChecker's client uploads) are parsed in parallel,
/// with the same result.
pub fn parse_plist(bytes: &[u8], plist_path: &Path) -> Result<Vec<Report>, ParseError> {
    if bytes.len() >= split::SPLIT_THRESHOLD {
        let path: Arc<str> = Arc::from(plist_path.to_string_lossy().as_ref());
        if let Some(reports) = split::parse_split(bytes, &path, split::PIECE_BYTES) {
            return Ok(reports);
        }
    }
    let parsed = parse_plist_partial(bytes, plist_path);
    match parsed.error {
        Some(e) => Err(e),
        None => Ok(parsed.reports),
    }
}

/// The parallel parser of large plists ([`parse_plist`] uses it from 4 MB on)
/// run on a document of any size, with the diagnostics cut into pieces of
/// about `piece_bytes`: the reports of a document that parses without any
/// problem, or `None` (the serial parser then has the answer). For tests
/// that check it agrees with [`parse_plist_partial`].
#[doc(hidden)]
pub fn parse_plist_in_pieces(
    bytes: &[u8],
    plist_path: &Path,
    piece_bytes: usize,
) -> Option<Vec<Report>> {
    let path: Arc<str> = Arc::from(plist_path.to_string_lossy().as_ref());
    split::parse_split(bytes, &path, piece_bytes.max(1))
}

/// Parses a plist like CodeChecker does on store: a malformed document
/// gives no reports, a malformed diagnostic ends the file but keeps the
/// reports before it; the problem is returned alongside.
pub fn parse_plist_partial(bytes: &[u8], plist_path: &Path) -> PartialParse {
    let path: Arc<str> = Arc::from(plist_path.to_string_lossy().as_ref());
    let root = match value::parse(bytes) {
        Ok(root) => root,
        Err(e) => {
            return PartialParse {
                reports: Vec::new(),
                error: Some(ParseError::Xml {
                    path: path.to_string(),
                    position: e.position,
                    message: e.message,
                }),
            }
        }
    };
    convert::reports_from_root(root.as_ref(), &path)
}

/// Reads and parses a plist file strictly (see [`parse_plist`]).
pub fn parse_plist_file(plist_path: &Path) -> Result<Vec<Report>, ParseError> {
    let bytes = std::fs::read(plist_path).map_err(|e| ParseError::Io {
        path: plist_path.to_string_lossy().into_owned(),
        message: e.to_string(),
    })?;
    parse_plist(&bytes, plist_path)
}
