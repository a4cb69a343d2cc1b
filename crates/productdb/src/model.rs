//! Public input and output types of the product database.
//!
//! Input: a [`StoreRun`] opens a [`crate::StoreWriter`]; the caller then
//! pushes [`StoreFile`]s and [`StoreReport`]s in batches (bounded memory) and
//! finishes the store, which commits everything in one transaction.
//!
//! Output: plain rows ([`RunRow`], [`RunHistoryRow`], [`ReportRow`],
//! [`SourceFileRow`]) selected by [`RunFilter`] / [`ReportQuery`]; the
//! server maps them onto the Thrift structs.
//!
//! Conventions: all paths are *already trimmed* by the caller
//! (`--trim-path-prefix`, see [`StoreRun`]); instants are UTC
//! [`DateTime<Utc>`] with microsecond precision; numeric enum values equal
//! the Thrift API's.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use ccreport::{ReviewStatus, SourceReviewStatus};

/// A report's detection status (Thrift `DetectionStatus` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DetectionStatus {
    /// First seen in the latest store of the run.
    New = 0,
    /// Gone in a later store.
    Resolved = 1,
    /// Seen again in a later store.
    Unresolved = 2,
    /// Resolved earlier, seen again.
    Reopened = 3,
    /// Gone because its checker was disabled.
    Off = 4,
    /// Gone because its checker was not run at all.
    Unavailable = 5,
}

impl DetectionStatus {
    /// Every status, in Thrift order.
    pub const ALL: [DetectionStatus; 6] = [
        DetectionStatus::New,
        DetectionStatus::Resolved,
        DetectionStatus::Unresolved,
        DetectionStatus::Reopened,
        DetectionStatus::Off,
        DetectionStatus::Unavailable,
    ];

    /// CodeChecker's name (`new`, `unresolved`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            DetectionStatus::New => "new",
            DetectionStatus::Resolved => "resolved",
            DetectionStatus::Unresolved => "unresolved",
            DetectionStatus::Reopened => "reopened",
            DetectionStatus::Off => "off",
            DetectionStatus::Unavailable => "unavailable",
        }
    }

    /// Parses [`DetectionStatus::as_str`]'s names.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The Thrift enum value.
    pub fn to_thrift(self) -> i32 {
        self as i32
    }

    /// From a Thrift enum value.
    pub fn from_thrift(v: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as i32 == v)
    }
}

/// A checker severity (Thrift `Severity` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Severity {
    /// No severity known.
    #[default]
    Unspecified = 0,
    /// Style.
    Style = 10,
    /// Low.
    Low = 20,
    /// Medium.
    Medium = 30,
    /// High.
    High = 40,
    /// Critical.
    Critical = 50,
}

impl Severity {
    /// Every severity, ascending.
    pub const ALL: [Severity; 6] = [
        Severity::Unspecified,
        Severity::Style,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The Thrift enum value.
    pub fn to_thrift(self) -> i32 {
        self as i32
    }

    /// From a Thrift enum value.
    pub fn from_thrift(v: i32) -> Option<Self> {
        Self::ALL.into_iter().find(|s| *s as i32 == v)
    }

    /// From a checker-label name (`HIGH`, `style`, ...); unknown names are
    /// [`Severity::Unspecified`], as CodeChecker does.
    pub fn from_label(name: &str) -> Self {
        match name.to_ascii_uppercase().as_str() {
            "STYLE" => Severity::Style,
            "LOW" => Severity::Low,
            "MEDIUM" => Severity::Medium,
            "HIGH" => Severity::High,
            "CRITICAL" => Severity::Critical,
            _ => Severity::Unspecified,
        }
    }
}

/// Whether a report needs attention (Thrift `ReportStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReportStatus {
    /// Open: `fixed_at` is unset.
    Outstanding = 0,
    /// Closed: resolved/off/unavailable, or false positive/intentional.
    Closed = 1,
}

/// CodeChecker's `DBStatus` notions for a product database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DbStatus {
    /// Connected, schema current.
    Ok = 0,
    /// The database does not exist.
    Missing = 1,
    /// The server cannot connect.
    FailedToConnect = 2,
    /// Schema is older but can be upgraded by migrating.
    SchemaMismatchOk = 3,
    /// Schema is not ours (or newer than this server knows).
    SchemaMismatchNo = 4,
    /// The database is empty.
    SchemaMissing = 5,
    /// Creating the schema failed.
    SchemaInitError = 6,
    /// Upgrading the schema failed.
    SchemaUpgradeFailed = 7,
}

// ---------------------------------------------------------------- input

/// Everything about one store of a run except files and reports, which are
/// pushed afterwards into the [`crate::StoreWriter`].
///
/// The caller applies `--trim-path-prefix` itself (to file paths, to
/// report/event paths, before computing `report_path_hash`), skips reports by
/// `skip_file`, decides review statuses from source comments and
/// `review_status.yaml`, and maps checker → analyzer from `metadata.json`.
#[derive(Debug, Clone, Default)]
pub struct StoreRun {
    /// The run's name.
    pub run_name: String,
    /// `--tag`; an older history entry with the same tag loses it.
    pub tag: Option<String>,
    /// CodeChecker version of the storing client (stored on the run).
    pub version: Option<String>,
    /// `--description`.
    pub description: Option<String>,
    /// Name of the storing user (review status author of source comments).
    pub user: String,
    /// `--force`: delete the run's previous results first.
    pub force: bool,
    /// CodeChecker versions from the `metadata.json`s, joined by `"; "`.
    pub cc_version: Option<String>,
    /// Sum of the analysis durations from the `metadata.json`s, seconds.
    pub duration_secs: i64,
    /// Analyzer statistics merged over all `metadata.json`s.
    pub analyzer_statistics: Vec<AnalyzerStatistic>,
    /// One entry per report directory (`metadata.json`).
    pub analyses: Vec<StoreAnalysis>,
    /// Checkers enabled in any `metadata.json` (names, all analyzers).
    pub enabled_checkers: BTreeSet<String>,
    /// Checkers disabled in the `metadata.json`s (names, all analyzers).
    pub disabled_checkers: BTreeSet<String>,
    /// The product's report limit (`None`: unlimited); exceeding it fails
    /// the store and nothing is written.
    pub report_limit: Option<u64>,
    /// A run lock acquired earlier (e.g. when the request arrived) with
    /// [`crate::ProductDb::acquire_run_lock`]; `None`: the writer acquires
    /// one itself. Released when the writer finishes or is dropped.
    pub run_lock: Option<RunLockToken>,
    /// How long to wait for another store's fresh lock on the same run
    /// before failing with [`crate::Error::RunLocked`]; zero fails at once
    /// (CodeChecker's behaviour).
    pub lock_wait: Duration,
    /// The store's identity, the same for every attempt of one store (e.g.
    /// derived from its task). The writer takes the run lock with it as the
    /// lock's token, so a lock left by an earlier attempt that died
    /// mid-store is taken over at once instead of after
    /// [`crate::OpenOptions::run_lock_timeout`]; and the commit leaves a
    /// receipt under it, so an attempt after one that committed is refused
    /// with [`crate::Error::AlreadyStored`] instead of storing the run
    /// twice. `None`: a random lock token and no receipt.
    pub store_key: Option<String>,
}

/// Statistics of one analyzer for the run history entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AnalyzerStatistic {
    /// Analyzer name (`clangsa`, `clang-tidy`, ...).
    pub analyzer: String,
    /// Versions joined by `"; "` (`None` when unknown).
    pub version: Option<String>,
    /// Successfully analyzed sources.
    pub successful: i64,
    /// Failed sources count.
    pub failed: i64,
    /// Paths of the failed sources.
    pub failed_files: Vec<String>,
}

/// One report directory's `metadata.json` view.
#[derive(Debug, Clone, Default)]
pub struct StoreAnalysis {
    /// Analyzer commands; each becomes an analysis-info entry of the run
    /// history, and reports of this directory link to the last one.
    pub commands: Vec<String>,
    /// Checkers listed in the `metadata.json`, with their enabled flag.
    pub checkers: Vec<StoreChecker>,
    /// Files of the directory's `conf/` folder (name, content).
    pub conf_files: Vec<(String, Vec<u8>)>,
}

/// A checker as listed in `metadata.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreChecker {
    /// Analyzer name.
    pub analyzer: String,
    /// Checker name.
    pub name: String,
    /// Whether it was enabled.
    pub enabled: bool,
    /// Severity from the checker labels (kept for the checker look-up row).
    pub severity: Severity,
}

/// A source file of the store. Push a file before reports that name it.
#[derive(Debug, Clone, Default)]
pub struct StoreFile {
    /// Trimmed path, as reports name it.
    pub path: String,
    /// SHA-256 hex of the content (the client's `content_hashes.json`).
    pub content_hash: String,
    /// Raw (uncompressed) content when uploaded; `None` when the client
    /// skipped it because the server already has that content hash. A file
    /// whose content is neither given nor stored makes its reports skipped.
    pub content: Option<Vec<u8>>,
    /// Blame information, when uploaded.
    pub blame: Option<StoreBlame>,
}

/// Blame data of a file (the client's `blame/` entry).
#[derive(Debug, Clone, Default)]
pub struct StoreBlame {
    /// The `blame` object as JSON text (`{"commits": ..., "blame": [...]}`),
    /// `None` when the file had no blame data.
    pub info_json: Option<String>,
    /// Repository URL.
    pub remote_url: Option<String>,
    /// Tracking branch.
    pub tracking_branch: Option<String>,
}

/// A range in a file; 1-based lines and columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathRange {
    /// Trimmed path of the file.
    pub file_path: String,
    /// First line.
    pub start_line: i64,
    /// First column.
    pub start_col: i64,
    /// Last line.
    pub end_line: i64,
    /// Last column.
    pub end_col: i64,
}

/// A range with a message: a bug path event, note or macro expansion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PathMessage {
    /// Where.
    pub range: PathRange,
    /// The text (for macros: the expansion).
    pub message: String,
}

/// One report to store.
#[derive(Debug, Clone, Default)]
pub struct StoreReport {
    /// `report_path_hash`: reports with an already stored path hash in this
    /// store are skipped (CodeChecker's de-duplication).
    pub path_hash: String,
    /// The bug hash; detection status and review rules follow it.
    pub bug_hash: String,
    /// Trimmed path of the main location's file.
    pub file_path: String,
    /// Main location's line.
    pub line: i64,
    /// Main location's column.
    pub column: i64,
    /// Checker name.
    pub checker: String,
    /// Analyzer name (after the `metadata.json` checker → analyzer map).
    pub analyzer: String,
    /// Severity from the checker labels; used when the checker is new to
    /// the product.
    pub severity: Severity,
    /// The report's message.
    pub message: String,
    /// Index into [`StoreRun::analyses`] of the report's directory.
    pub analysis: Option<usize>,
    /// Bug path control positions.
    pub positions: Vec<PathRange>,
    /// Bug path events (their count is the bug path length).
    pub events: Vec<PathMessage>,
    /// Notes.
    pub notes: Vec<PathMessage>,
    /// Macro expansions.
    pub macros: Vec<PathMessage>,
    /// `report-annotation` key/value pairs, validated by the caller.
    pub annotations: Vec<(String, String)>,
    /// Review status from a source comment (`in_source`) or
    /// `review_status.yaml`; unreviewed otherwise. Review rules of the
    /// product override it unless `in_source`.
    pub review: SourceReviewStatus,
}

/// Proof of a run lock, passable between processes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunLockToken {
    /// The locked run's name.
    pub run_name: String,
    /// Random identity of this holder.
    pub token: String,
}

/// Progress of a store, reported after each batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StoreProgress {
    /// Files pushed so far.
    pub files: u64,
    /// Reports pushed so far (including skipped ones).
    pub reports_seen: u64,
    /// Reports written so far.
    pub reports_stored: u64,
}

/// Callbacks of a store; both optional.
#[derive(Default)]
pub struct StoreHooks {
    /// Asked before every batch and before committing; `true` aborts the
    /// store with [`crate::Error::Cancelled`] and rolls everything back.
    pub should_cancel: Option<Box<dyn FnMut() -> bool + Send>>,
    /// Told after every batch.
    pub progress: Option<Box<dyn FnMut(StoreProgress) + Send>>,
}

impl std::fmt::Debug for StoreHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreHooks")
            .field("should_cancel", &self.should_cancel.is_some())
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

/// What a committed store did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreOutcome {
    /// The run's id.
    pub run_id: i64,
    /// The new run history entry.
    pub run_history_id: i64,
    /// Whether the run existed before (without `--force`), i.e. the
    /// product's run count did not grow.
    pub updated_existing_run: bool,
    /// Reports pushed (CodeChecker's "report count" in its log line).
    pub reports_seen: u64,
    /// Reports written.
    pub reports_stored: u64,
    /// Reports skipped as duplicates of an earlier path hash.
    pub duplicates_skipped: u64,
    /// Reports skipped because a file they name has no content.
    pub missing_file_skipped: u64,
    /// Time of the run history entry (`detected_at` of new reports).
    pub stored_at: DateTime<Utc>,
    /// Whether this is an earlier attempt's outcome, read from its receipt
    /// (see [`StoreRun::store_key`]), rather than this attempt's.
    pub from_receipt: bool,
}

// ---------------------------------------------------------------- output

/// Selects runs (Thrift `RunFilter`).
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Run ids.
    pub ids: Option<Vec<i64>>,
    /// Run names: exact, or `*`-wildcard substring matches (case
    /// insensitive) unless `exact_match`.
    pub names: Option<Vec<String>>,
    /// Match `names` exactly.
    pub exact_match: bool,
    /// Runs stored before this Unix time.
    pub before_time: Option<i64>,
    /// Runs stored after this Unix time.
    pub after_time: Option<i64>,
    /// Runs stored before the named run.
    pub before_run: Option<String>,
    /// Runs stored after the named run.
    pub after_run: Option<String>,
}

/// Run orderings (Thrift `RunSortType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RunSortKey {
    /// By name.
    Name,
    /// By count of unresolved reports.
    UnresolvedReports,
    /// By storage date (CodeChecker's default, descending).
    #[default]
    Date,
    /// By duration.
    Duration,
    /// By CodeChecker version.
    CcVersion,
}

/// A run ordering with direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunSort {
    /// Key.
    pub key: RunSortKey,
    /// Descending order.
    pub descending: bool,
}

/// A run with its latest history data (Thrift `RunData`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunRow {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Date of the latest store.
    pub date: DateTime<Utc>,
    /// Analysis duration in seconds (`-1` while a store is unfinished).
    pub duration: i64,
    /// Number of reports of the run.
    pub result_count: i64,
    /// Report counts per detection status (statuses with zero omitted).
    pub detection_status_count: Vec<(DetectionStatus, i64)>,
    /// Tag of the latest history entry.
    pub version_tag: Option<String>,
    /// CodeChecker version of the latest history entry.
    pub cc_version: Option<String>,
    /// Description of the latest history entry.
    pub description: Option<String>,
    /// Client version stored on the run.
    pub client_version: Option<String>,
    /// Analyzer statistics of the latest store that had any.
    pub analyzer_statistics: Vec<AnalyzerStatisticRow>,
}

/// Selects run history entries (Thrift `RunHistoryFilter`).
#[derive(Debug, Clone, Default)]
pub struct RunHistoryFilter {
    /// Tag names, `*` wildcards, case insensitive.
    pub tag_names: Option<Vec<String>>,
    /// History entry ids.
    pub tag_ids: Option<Vec<i64>>,
    /// Stored within this window.
    pub stored: Option<TimeInterval>,
}

/// Statistics of one analyzer of a run history entry (Thrift
/// `AnalyzerStatistics`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalyzerStatisticRow {
    /// Analyzer name.
    pub analyzer: String,
    /// Version text.
    pub version: Option<String>,
    /// Successful sources.
    pub successful: i64,
    /// Failed sources.
    pub failed: i64,
    /// Failed source paths.
    pub failed_files: Vec<String>,
}

/// One store of a run (Thrift `RunHistoryData`).
#[derive(Debug, Clone, PartialEq)]
pub struct RunHistoryRow {
    /// Id.
    pub id: i64,
    /// Run id.
    pub run_id: i64,
    /// Run name.
    pub run_name: String,
    /// Tag.
    pub version_tag: Option<String>,
    /// Storing user.
    pub user: String,
    /// Store time.
    pub time: DateTime<Utc>,
    /// CodeChecker version from `metadata.json`.
    pub cc_version: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Analyzer statistics of this store.
    pub analyzer_statistics: Vec<AnalyzerStatisticRow>,
}

/// An analysis-info entry (Thrift `AnalysisInfo`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnalysisInfoRow {
    /// Id.
    pub id: i64,
    /// The analyzer command.
    pub command: String,
    /// Checkers per analyzer: (analyzer, checker, enabled).
    pub checkers: Vec<(String, String, bool)>,
}

/// Sort keys of reports (Thrift `SortType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportSortKey {
    /// File path, then line.
    FileName,
    /// Checker name.
    CheckerName,
    /// Severity.
    Severity,
    /// Review status.
    ReviewStatus,
    /// Detection status.
    DetectionStatus,
    /// Bug path length.
    BugPathLength,
    /// Detection time.
    Timestamp,
    /// Test case annotation.
    Testcase,
    /// Chronological order annotation.
    ChronologicalOrder,
}

/// A report ordering with direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportSort {
    /// Key.
    pub key: ReportSortKey,
    /// Descending order.
    pub descending: bool,
}

/// A closed interval of Unix times; either end optional.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeInterval {
    /// At or after this Unix time.
    pub after: Option<i64>,
    /// At or before this Unix time.
    pub before: Option<i64>,
}

/// Report conditions (Thrift `ReportFilter`); `None` means no condition.
/// String lists match case-insensitively with `*` wildcards where
/// CodeChecker does (file paths, checker names, messages, analyzers,
/// run names).
#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    /// File paths of the main location (or any path point, with
    /// `file_matches_any_point`).
    pub file_paths: Option<Vec<String>>,
    /// Checker messages.
    pub checker_msgs: Option<Vec<String>>,
    /// Checker names.
    pub checker_names: Option<Vec<String>>,
    /// Analyzer names.
    pub analyzer_names: Option<Vec<String>>,
    /// Bug hashes; a trailing `*` matches a prefix.
    pub report_hashes: Option<Vec<String>>,
    /// Severities.
    pub severities: Option<Vec<Severity>>,
    /// Review statuses.
    pub review_statuses: Option<Vec<ReviewStatus>>,
    /// Detection statuses.
    pub detection_statuses: Option<Vec<DetectionStatus>>,
    /// Report statuses (open/closed).
    pub report_statuses: Option<Vec<ReportStatus>>,
    /// Run names.
    pub run_names: Option<Vec<String>>,
    /// One row per bug hash.
    pub is_unique: bool,
    /// Match `file_paths` against every path point, not only the main one.
    pub file_matches_any_point: bool,
    /// Bug path length bounds (inclusive).
    pub bug_path_length: Option<(Option<i64>, Option<i64>)>,
    /// Detected-at window.
    pub detected: Option<TimeInterval>,
    /// Fixed-at window.
    pub fixed: Option<TimeInterval>,
    /// Reports open at this Unix time.
    pub open_reports_date: Option<i64>,
    /// Reports open at the time of these run history entries (`runTag`).
    pub run_tags: Option<Vec<i64>>,
    /// Detected at or after this Unix time (`firstDetectionDate`).
    pub first_detection_date: Option<i64>,
    /// Detected before this Unix time (`fixDate`, as CodeChecker applies it).
    pub fix_date: Option<i64>,
    /// Annotations (key, value), all must match.
    pub annotations: Option<Vec<(String, String)>>,
    /// Source component names (any of them; [`OTHER_COMPONENT`] is the
    /// files of no component). Matched on the report's main file unless one
    /// of the two flags below says otherwise.
    pub component_names: Option<Vec<String>>,
    /// Match `component_names` on any file of the bug path too.
    pub component_matches_any_point: bool,
    /// CodeChecker's `fullReportPathInComponent` ("single origin"): the
    /// report and its bug path lie in the component, computed as
    /// CodeChecker computes it.
    pub full_report_path_in_component: bool,
    /// Names of cleanup plans: reports whose hash is in any of them.
    pub cleanup_plan_names: Option<Vec<String>>,
}

/// The name of CodeChecker's virtual source component that holds every file
/// outside the user's components.
pub const OTHER_COMPONENT: &str = "Other (auto-generated)";

/// A source component: named include (`+glob`) and exclude (`-glob`) lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceComponent {
    /// Unique name.
    pub name: String,
    /// Lines of `+/path/*` and `-/path/*`, as given.
    pub value: String,
    /// Free text.
    pub description: Option<String>,
}

/// A cleanup plan with its report hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CleanupPlan {
    /// Primary key.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// Due date, Unix seconds.
    pub due_date: Option<i64>,
    /// When it was closed, Unix seconds; `None` while open.
    pub closed_at: Option<i64>,
    /// Bug hashes in the plan.
    pub report_hashes: Vec<String>,
}

/// Which cleanup plans to list (an empty or absent list is no condition).
#[derive(Debug, Clone, Default)]
pub struct CleanupPlanFilter {
    /// Plan ids.
    pub ids: Option<Vec<i64>>,
    /// Plan names (exact).
    pub names: Option<Vec<String>>,
    /// Open (`true`) or closed (`false`) plans only.
    pub is_open: Option<bool>,
}

/// A stored filter preset; the filter is kept as the caller's text (JSON).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterPreset {
    /// Primary key.
    pub id: i64,
    /// Unique name.
    pub name: String,
    /// The serialised report filter.
    pub report_filter: String,
}

/// A report query (Thrift `getRunResults` arguments).
#[derive(Debug, Clone, Default)]
pub struct ReportQuery {
    /// Runs to search; `None`: every run.
    pub run_ids: Option<Vec<i64>>,
    /// Conditions.
    pub filter: ReportFilter,
    /// Ordering; `None` is CodeChecker's default (severity, descending),
    /// ties are always broken by report id.
    pub sort: Option<Vec<ReportSort>>,
    /// At most this many rows.
    pub limit: Option<i64>,
    /// Skip this many rows.
    pub offset: i64,
    /// Fill [`ReportRow::details`].
    pub with_details: bool,
    /// Compare with other runs, tags or a date (`cmd diff`); `None`: no
    /// comparison.
    pub compare: Option<Compare>,
}

/// Which side of a comparison a query returns (Thrift `DiffType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffKind {
    /// Reports of the compared set that the base set lacks.
    New,
    /// Reports of the base set that the compared set lacks.
    Resolved,
    /// Reports in both.
    Unresolved,
}

/// The other side of a comparison (Thrift `CompareData`): the query's own
/// runs and filter are the base, this is what they are compared with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compare {
    /// Runs compared with.
    pub run_ids: Option<Vec<i64>>,
    /// Run history entries (tags) compared with.
    pub run_tags: Option<Vec<i64>>,
    /// Reports open at this Unix time are compared with.
    pub open_reports_date: Option<i64>,
    /// Which difference to return.
    pub diff: DiffKind,
}

/// A `getDiffResultsHash` question: how a list of bug hashes (a local
/// report directory's) compares with the reports of runs or tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffHashQuery {
    /// Runs compared with; `None` or empty: every run.
    pub run_ids: Option<Vec<i64>>,
    /// Run history entries (tags) compared with; the reports open at them.
    pub tag_ids: Option<Vec<i64>>,
    /// The bug hashes of the other side.
    pub hashes: Vec<String>,
    /// `New`: the given hashes the runs lack; `Resolved`: the runs' hashes
    /// the list lacks (or that were fixed); `Unresolved`: the given hashes
    /// the runs have open.
    pub diff: DiffKind,
    /// Reports in these detection statuses do not count as present; empty:
    /// CodeChecker's default (resolved, off, unavailable).
    pub skip_statuses: Vec<DetectionStatus>,
    /// The caller speaks an API older than 6.50: fixed reports count as
    /// present and a tag's reports are those detected before it, as
    /// CodeChecker answers such clients.
    pub before_api_6_50: bool,
}

/// Review data of a report (Thrift `ReviewData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRow {
    /// Status.
    pub status: ReviewStatus,
    /// Reason text.
    pub message: Option<String>,
    /// Who set it.
    pub author: Option<String>,
    /// When it was set.
    pub date: Option<DateTime<Utc>>,
    /// Set by a source code comment.
    pub in_source: bool,
}

/// A point of the bug path (Thrift `BugPathEvent` / `BugPathPos`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathRow {
    /// First line.
    pub start_line: i64,
    /// First column.
    pub start_col: i64,
    /// Last line.
    pub end_line: i64,
    /// Last column.
    pub end_col: i64,
    /// Message (`None` for positions).
    pub message: Option<String>,
    /// File id.
    pub file_id: i64,
    /// File path.
    pub file_path: String,
}

/// Kinds of extended report data (Thrift `ExtendedReportDataType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtendedKind {
    /// A note.
    Note = 0,
    /// A macro expansion.
    Macro = 10,
    /// A fix-it.
    Fixit = 20,
}

/// A comment on a bug hash (Thrift `CommentData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentRow {
    /// Id.
    pub id: i64,
    /// Author.
    pub author: String,
    /// Text.
    pub message: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// `true`: a system comment (Thrift `CommentKind.SYSTEM`).
    pub system: bool,
}

/// Bug path and extras of a report (Thrift `ReportDetails`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportDetails {
    /// Bug path events.
    pub events: Vec<PathRow>,
    /// Bug path control positions.
    pub positions: Vec<PathRow>,
    /// Notes and macro expansions.
    pub extended: Vec<(ExtendedKind, PathRow)>,
    /// Comments on the bug hash, newest first.
    pub comments: Vec<CommentRow>,
}

/// A stored report (Thrift `ReportData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRow {
    /// Id.
    pub id: i64,
    /// Run id.
    pub run_id: i64,
    /// Bug hash.
    pub bug_hash: String,
    /// Checker name (Thrift `checkerId`).
    pub checker_name: String,
    /// Analyzer name.
    pub analyzer_name: String,
    /// Path of the main file (CodeChecker's unique mode shows only its
    /// file name as `checkedFile`).
    pub file_path: String,
    /// Id of the main file.
    pub file_id: i64,
    /// Line.
    pub line: i64,
    /// Column.
    pub column: i64,
    /// Message.
    pub message: String,
    /// Severity of the checker.
    pub severity: Severity,
    /// Review data.
    pub review: ReviewRow,
    /// Detection status.
    pub detection_status: DetectionStatus,
    /// First detection.
    pub detected_at: DateTime<Utc>,
    /// When it was closed (resolved, or reviewed as FP/intentional).
    pub fixed_at: Option<DateTime<Utc>>,
    /// Number of bug path events.
    pub bug_path_length: i64,
    /// Annotations.
    pub annotations: Vec<(String, String)>,
    /// Filled when the query asked for details.
    pub details: Option<ReportDetails>,
}

/// A stored source file (Thrift `SourceFileData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFileRow {
    /// Id.
    pub id: i64,
    /// Path.
    pub path: String,
    /// Content hash.
    pub content_hash: String,
    /// Decompressed content, when asked for.
    pub content: Option<Vec<u8>>,
    /// Whether blame information is stored.
    pub has_blame: bool,
    /// Repository URL.
    pub remote_url: Option<String>,
    /// Tracking branch.
    pub tracking_branch: Option<String>,
}

/// The Thrift value of a review status.
pub fn review_status_to_thrift(status: ReviewStatus) -> i32 {
    match status {
        ReviewStatus::Unreviewed => 0,
        ReviewStatus::Confirmed => 1,
        ReviewStatus::FalsePositive => 2,
        ReviewStatus::Intentional => 3,
    }
}

/// The review status of a Thrift value.
pub fn review_status_from_thrift(v: i32) -> Option<ReviewStatus> {
    Some(match v {
        0 => ReviewStatus::Unreviewed,
        1 => ReviewStatus::Confirmed,
        2 => ReviewStatus::FalsePositive,
        3 => ReviewStatus::Intentional,
        _ => return None,
    })
}

/// A review status rule: the default review status of every report with
/// the bug hash (Thrift `ReviewStatusRule` without the report count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRuleRow {
    /// The bug hash.
    pub bug_hash: String,
    /// The status.
    pub status: ReviewStatus,
    /// Who set it.
    pub author: String,
    /// Why.
    pub message: String,
    /// When.
    pub date: DateTime<Utc>,
}

/// Selects review status rules (Thrift `ReviewStatusRuleFilter`).
#[derive(Debug, Clone, Default)]
pub struct ReviewRuleFilter {
    /// Bug hashes; `*` is a wildcard, matched case-insensitively.
    pub report_hashes: Option<Vec<String>>,
    /// Statuses; `Some(empty)` matches no rule (as CodeChecker's `IN ()`).
    pub statuses: Option<Vec<ReviewStatus>>,
    /// Authors; `*` is a wildcard, matched case-insensitively.
    pub authors: Option<Vec<String>>,
    /// Only rules whose bug hash has no report in any run.
    pub no_associated_reports: bool,
}

/// Review status rule orderings (Thrift `ReviewStatusRuleSortType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewRuleSortKey {
    /// By bug hash.
    ReportHash,
    /// By status.
    Status,
    /// By author.
    Author,
    /// By the rule's date.
    Date,
    /// By the number of reports with the hash.
    AssociatedReportsCount,
}

/// How to order review status rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewRuleSort {
    /// The key.
    pub key: ReviewRuleSortKey,
    /// Descending rather than ascending.
    pub descending: bool,
}

/// A review status rule with the number of reports (of every run) that
/// carry its bug hash (Thrift `ReviewStatusRule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewRuleListing {
    /// The rule.
    pub rule: ReviewRuleRow,
    /// Reports with the rule's bug hash.
    pub associated_reports: i64,
}

/// A new review status rule as CodeChecker's `addReviewStatusRule` and
/// `importData` set one.
#[derive(Debug, Clone)]
pub struct ReviewRuleChange {
    /// The bug hash.
    pub bug_hash: String,
    /// The new status.
    pub status: ReviewStatus,
    /// The reason; `None` or empty for none.
    pub message: Option<String>,
    /// Who sets it (also the author of the system comment).
    pub author: String,
    /// When; "now" when `None`.
    pub date: Option<DateTime<Utc>>,
}

/// A comment with the bug hash it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BugComment {
    /// The bug hash.
    pub bug_hash: String,
    /// The comment; its message is stored text (not formatted).
    pub comment: CommentRow,
}

/// What `exportData` gathers for the runs of a filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportRows {
    /// Comments, newest first, once per report of the selected runs that
    /// carries their bug hash (as CodeChecker's join lists them). Comments
    /// whose hash has no report at all appear once with `None` when no run
    /// filter restricts them.
    pub comments: Vec<(Option<String>, CommentRow)>,
    /// Review statuses of the selected runs' reviewed reports, ordered by
    /// the review's date (a later entry of a bug hash wins).
    pub reviews: Vec<(String, ReviewRow)>,
}

/// A comment to import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportComment {
    /// Author as exported.
    pub author: String,
    /// Text as exported.
    pub message: String,
    /// Creation time as exported.
    pub created_at: DateTime<Utc>,
    /// Stored kind (0 user, 1 system).
    pub kind: i64,
}

/// A review status to import (it becomes a review status rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReview {
    /// The status.
    pub status: ReviewStatus,
    /// The reason.
    pub message: Option<String>,
    /// The date as the export printed it (compared with the rule's own).
    pub date_text: String,
    /// The same date, parsed; `None` when it is not CodeChecker's
    /// `%Y-%m-%d %H:%M:%S.%f` (an error only when the rule must change).
    pub date: Option<DateTime<Utc>>,
}

/// What `importData` applies, in one transaction.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRows {
    /// Comments by bug hash.
    pub comments: Vec<(String, Vec<ImportComment>)>,
    /// Review statuses by bug hash.
    pub reviews: Vec<(String, ImportReview)>,
}
