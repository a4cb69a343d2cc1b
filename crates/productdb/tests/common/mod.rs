//! Shared harness: every test runs against SQLite (temporary directory) and,
//! when reachable, PostgreSQL (a uniquely named database dropped afterwards).
//! With `CI=true` an unreachable PostgreSQL fails the test instead of skipping.
#![allow(dead_code)]

pub use testkit::pg::PgDatabase;

use std::collections::BTreeSet;

use productdb::{
    OpenOptions, PathMessage, PathRange, ProductDb, ReportQuery, ReportRow, ReportSort,
    ReportSortKey, ReviewStatus, Severity, SourceReviewStatus, StoreAnalysis, StoreChecker,
    StoreFile, StoreHooks, StoreOutcome, StoreReport, StoreRun,
};
use sha2::{Digest, Sha256};

/// A database under test; dropping it removes the database.
pub struct TestDb {
    /// The handle.
    pub db: ProductDb,
    /// "sqlite" or "postgres".
    pub label: &'static str,
    /// URL to open more handles.
    pub url: String,
    _guard: Guard,
}

enum Guard {
    Dir(tempfile::TempDir),
    Pg(PgDatabase),
}

/// An SQLite database in a fresh temporary directory.
pub fn sqlite(opts: OpenOptions) -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let url = format!("sqlite://{}", dir.path().join("product.sqlite").display());
    let db = ProductDb::open_with(&url, opts).expect("open sqlite");
    TestDb {
        db,
        label: "sqlite",
        url,
        _guard: Guard::Dir(dir),
    }
}

/// A PostgreSQL database, if reachable.
pub fn postgres(opts: OpenOptions) -> Option<TestDb> {
    let pg = PgDatabase::create(module_path!())?;
    let db = ProductDb::open_with(&pg.url, opts).expect("open postgres");
    Some(TestDb {
        db,
        label: "postgres",
        url: pg.url.clone(),
        _guard: Guard::Pg(pg),
    })
}

/// SQLite and, when reachable, PostgreSQL.
pub fn backends() -> Vec<TestDb> {
    backends_with(OpenOptions::default)
}

/// [`backends`] with options.
pub fn backends_with(opts: impl Fn() -> OpenOptions) -> Vec<TestDb> {
    let mut v = vec![sqlite(opts())];
    v.extend(postgres(opts()));
    v
}

/// SHA-256 hex.
pub fn sha(content: &[u8]) -> String {
    hex::encode(Sha256::digest(content))
}

/// A file with uploaded content.
pub fn file(path: &str, content: &str) -> StoreFile {
    StoreFile {
        path: path.into(),
        content_hash: sha(content.as_bytes()),
        content: Some(content.as_bytes().to_vec()),
        blame: None,
    }
}

/// A range in `path`.
pub fn range(path: &str, line: i64, col: i64) -> PathRange {
    PathRange {
        file_path: path.into(),
        start_line: line,
        start_col: col,
        end_line: line,
        end_col: col + 3,
    }
}

/// A report of `checker` (analyzer `clangsa`) at `path:line` with one
/// event; the path hash is derived from bug hash and line.
pub fn report(path: &str, line: i64, checker: &str, bug_hash: &str) -> StoreReport {
    StoreReport {
        path_hash: format!("ph-{bug_hash}-{line}"),
        bug_hash: bug_hash.into(),
        file_path: path.into(),
        line,
        column: 5,
        checker: checker.into(),
        analyzer: "clangsa".into(),
        severity: Severity::High,
        message: format!("{checker} at {line}"),
        analysis: Some(0),
        positions: vec![range(path, line, 1)],
        events: vec![PathMessage {
            range: range(path, line, 5),
            message: format!("event of {bug_hash}"),
        }],
        notes: Vec::new(),
        macros: Vec::new(),
        annotations: Vec::new(),
        review: SourceReviewStatus {
            bug_hash: bug_hash.into(),
            ..SourceReviewStatus::default()
        },
    }
}

/// `report` with a review status.
pub fn reviewed(
    mut r: StoreReport,
    status: ReviewStatus,
    message: &str,
    in_source: bool,
) -> StoreReport {
    r.review = SourceReviewStatus {
        status,
        message: message.into(),
        bug_hash: r.bug_hash.clone(),
        in_source,
    };
    r
}

/// A run input with one analysis enabling `enabled` and disabling
/// `disabled` (analyzer `clangsa`).
pub fn run(name: &str, enabled: &[&str], disabled: &[&str]) -> StoreRun {
    let checkers = enabled
        .iter()
        .map(|c| (c, true))
        .chain(disabled.iter().map(|c| (c, false)))
        .map(|(c, on)| StoreChecker {
            analyzer: "clangsa".into(),
            name: (*c).into(),
            enabled: on,
            severity: Severity::High,
        })
        .collect();
    StoreRun {
        run_name: name.into(),
        user: "alice".into(),
        version: Some("6.29.1".into()),
        cc_version: Some("6.29.1".into()),
        duration_secs: 7,
        analyses: vec![StoreAnalysis {
            commands: vec!["CodeChecker analyze -o reports".into()],
            checkers,
            conf_files: Vec::new(),
        }],
        enabled_checkers: enabled
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>(),
        disabled_checkers: disabled
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<BTreeSet<_>>(),
        ..StoreRun::default()
    }
}

/// Stores `files` then `reports` in one store.
pub fn store(
    db: &ProductDb,
    run: StoreRun,
    files: Vec<StoreFile>,
    reports: Vec<StoreReport>,
) -> StoreOutcome {
    let mut w = db
        .begin_store(run, StoreHooks::default())
        .expect("begin store");
    w.add_files(files).expect("add files");
    w.add_reports(reports).expect("add reports");
    w.finish().expect("finish store")
}

/// Every report of `run_id`, by id.
pub fn reports_of(db: &ProductDb, run_id: i64) -> Vec<ReportRow> {
    db.reports(&ReportQuery {
        run_ids: Some(vec![run_id]),
        sort: Some(Vec::<ReportSort>::new()),
        ..ReportQuery::default()
    })
    .expect("read reports")
}

/// `reports_of` sorted by file name and line, with details.
pub fn detailed_reports_of(db: &ProductDb, run_id: i64) -> Vec<ReportRow> {
    db.reports(&ReportQuery {
        run_ids: Some(vec![run_id]),
        sort: Some(vec![ReportSort {
            key: ReportSortKey::FileName,
            descending: false,
        }]),
        with_details: true,
        ..ReportQuery::default()
    })
    .expect("read reports")
}

/// The report with `bug_hash` in `rows`.
pub fn by_hash<'a>(rows: &'a [ReportRow], bug_hash: &str) -> &'a ReportRow {
    rows.iter()
        .find(|r| r.bug_hash == bug_hash)
        .unwrap_or_else(|| panic!("no report with bug hash {bug_hash}"))
}
