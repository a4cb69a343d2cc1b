//! The report model, shaped like CodeChecker's
//! `codechecker_report_converter.report` classes.

use std::collections::HashMap;
use std::sync::Arc;

use crate::python_text::basename;
use crate::review::SourceReviewStatus;

/// A source file a report refers to. Reports of one plist share their
/// `File`s through [`FileRef`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct File {
    /// The path after `--trim-path-prefix` trimming; equal to
    /// `original_path` until [`trim_reports`] runs.
    pub path: String,
    /// The normalised path as the plist named it (resolved against the
    /// plist's directory when relative).
    pub original_path: String,
}

impl File {
    /// A file whose trimmed and original paths are both `path`.
    pub fn new(path: impl Into<String>) -> Self {
        let path = path.into();
        File {
            original_path: path.clone(),
            path,
        }
    }

    /// CodeChecker's file id: the path it was created with.
    pub fn id(&self) -> &str {
        &self.original_path
    }

    /// The file name (last component of the original path).
    pub fn name(&self) -> &str {
        basename(&self.original_path)
    }
}

/// Shared handle to a [`File`].
pub type FileRef = Arc<File>;

/// A source range; lines and columns are 1-based as the analyzers write
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Range {
    /// First line.
    pub start_line: i64,
    /// First column.
    pub start_col: i64,
    /// Last line.
    pub end_line: i64,
    /// Last column.
    pub end_col: i64,
}

/// A step of the bug path (also used for notes).
#[derive(Debug, Clone, PartialEq)]
pub struct BugPathEvent {
    /// The step's message.
    pub message: String,
    /// File of the step's location.
    pub file: FileRef,
    /// Line of the location.
    pub line: i64,
    /// Column of the location.
    pub column: i64,
    /// The first of the plist's `ranges`, or the location as a range.
    pub range: Option<Range>,
}

/// A control-flow position (arrow end point) of the bug path.
#[derive(Debug, Clone, PartialEq)]
pub struct BugPathPosition {
    /// File of the range.
    pub file: FileRef,
    /// The range.
    pub range: Option<Range>,
}

/// A macro expansion shown along the report.
#[derive(Debug, Clone, PartialEq)]
pub struct MacroExpansion {
    /// The macro's name.
    pub name: String,
    /// The expanded text.
    pub message: String,
    /// File of the expansion's location.
    pub file: FileRef,
    /// Line of the location.
    pub line: i64,
    /// Column of the location.
    pub column: i64,
    /// Range, as for [`BugPathEvent::range`].
    pub range: Option<Range>,
}

/// One analyzer finding.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The plist the report came from, as given to the parser.
    pub analyzer_result_file_path: Option<Arc<str>>,
    /// Main location's file.
    pub file: FileRef,
    /// Main location's line (`-1` when the plist has none).
    pub line: i64,
    /// Main location's column (`-1` when the plist has none).
    pub column: i64,
    /// The `description`.
    pub message: String,
    /// The `check_name` (`NOT FOUND` when missing).
    pub checker_name: String,
    /// Severity from the checker labels; plists carry none.
    pub severity: Option<String>,
    /// The bug hash: `issue_hash_content_of_line_in_context`.
    pub report_hash: Option<String>,
    /// The plist's `metadata.analyzer.name`, or `clang-tidy` for
    /// `clang-diagnostic-*` checkers.
    pub analyzer_name: Option<String>,
    /// The `category` (deprecated in CodeChecker, kept for output).
    pub category: Option<String>,
    /// Deprecated `type`; CodeChecker's plist parser never sets it.
    pub report_type: Option<String>,
    /// Events of the bug path (`kind` = `event`), in order.
    pub bug_path_events: Vec<BugPathEvent>,
    /// Control points of the bug path (`kind` = `control`).
    pub bug_path_positions: Vec<BugPathPosition>,
    /// `notes` with a non-empty message (Clang-Tidy fix-its arrive here).
    pub notes: Vec<BugPathEvent>,
    /// `macro_expansions` with a non-empty expansion.
    pub macro_expansions: Vec<MacroExpansion>,
    /// `report-annotation` key/value pairs in document order; non-string
    /// values are rendered like Python's `str()`.
    pub annotations: Option<Vec<(String, String)>>,
    /// Review status decided for the report (unreviewed until a caller
    /// applies source comments or `review_status.yaml`).
    pub review_status: SourceReviewStatus,
}

impl Report {
    /// Every distinct file the report refers to (main location, events,
    /// positions, notes, macro expansions), first occurrence first.
    pub fn files(&self) -> Vec<&FileRef> {
        let mut out: Vec<&FileRef> = vec![&self.file];
        let all = self
            .bug_path_events
            .iter()
            .map(|e| &e.file)
            .chain(self.bug_path_positions.iter().map(|p| &p.file))
            .chain(self.notes.iter().map(|n| &n.file))
            .chain(self.macro_expansions.iter().map(|m| &m.file));
        for f in all {
            if !out.iter().any(|o| o.id() == f.id()) {
                out.push(f);
            }
        }
        out
    }

    /// Original paths of [`Report::files`].
    pub fn original_files(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.files() {
            if !out.contains(&f.original_path.as_str()) {
                out.push(&f.original_path);
            }
        }
        out
    }

    /// Trimmed paths of [`Report::files`].
    pub fn trimmed_files(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for f in self.files() {
            if !out.contains(&f.path.as_str()) {
                out.push(&f.path);
            }
        }
        out
    }

    fn file_refs_mut(&mut self) -> impl Iterator<Item = &mut FileRef> {
        std::iter::once(&mut self.file)
            .chain(self.bug_path_events.iter_mut().map(|e| &mut e.file))
            .chain(self.bug_path_positions.iter_mut().map(|p| &mut p.file))
            .chain(self.notes.iter_mut().map(|n| &mut n.file))
            .chain(self.macro_expansions.iter_mut().map(|m| &mut m.file))
    }
}

/// Applies `--trim-path-prefix` to every file of `reports` (the server does
/// this before computing [`crate::report_path_hash`]). Each distinct file is
/// trimmed once; `original_path` is kept.
pub fn trim_reports(reports: &mut [Report], prefixes: &crate::trim::PathPrefixes) {
    if prefixes.is_empty() {
        return;
    }
    // Keyed by the old allocation; the old handle is kept alive in the map
    // so that its address cannot be reused while trimming.
    let mut done: HashMap<*const File, (FileRef, FileRef)> = HashMap::new();
    for report in reports {
        for file in report.file_refs_mut() {
            let key = Arc::as_ptr(file);
            let trimmed = done
                .entry(key)
                .or_insert_with(|| {
                    let new = Arc::new(File {
                        path: prefixes.trim(&file.path).to_owned(),
                        original_path: file.original_path.clone(),
                    });
                    (Arc::clone(file), new)
                })
                .1
                .clone();
            *file = trimmed;
        }
    }
}
