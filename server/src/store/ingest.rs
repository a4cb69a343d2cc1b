//! The background part of a store: read the unpacked upload and write it into
//! the product database in one transaction.
//!
//! Sources are pushed first (in batches bounded by size), then the reports.
//! A parser thread parses plists (several at once, with rayon) and converts
//! their reports while this thread writes the previous batch, so parsing and
//! writing overlap. Cancellation is honoured between batches; any failure
//! drops the writer, which rolls everything back.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ccreport::{PathPrefixes, ReviewStatusConfig, SkipList, SourceFile};
use productdb::{
    ProductDb, StoreBlame, StoreFile, StoreHooks, StoreOutcome, StoreReport, StoreRun,
};
use rayon::prelude::*;
use sha2::{Digest, Sha256};

use super::analyses::{self, Analyses};
use super::layout::{Layout, ReportDir};
use super::params::StoreParams;
use super::reports::{ambiguous_comments_message, Converted, Converter, DirRules, Outcome};
use super::StoreError;
use crate::labels::CheckerLabels;

/// What the store reports back while it runs.
pub trait Control: Sync {
    /// Whether to stop now (nothing is kept).
    fn should_cancel(&self) -> bool;
    /// Keeps the task alive.
    fn heartbeat(&self);
    /// Renews the task's claim now, unthrottled, so that a claim lost
    /// meanwhile (a rescue gave the task to another worker) shows in
    /// [`Control::should_cancel`] before anything is committed.
    fn renew_claim(&self) {}
    /// Progress in percent.
    fn progress(&self, percent: i32);
}

/// A [`Control`] that never cancels and reports nothing (tests, tools).
pub struct NoControl;

impl Control for NoControl {
    fn should_cancel(&self) -> bool {
        false
    }
    fn heartbeat(&self) {}
    fn progress(&self, _percent: i32) {}
}

/// Everything one store needs.
pub struct Ingest<'a> {
    /// The unpacked upload.
    pub input: &'a Path,
    /// The store's parameters.
    pub params: &'a StoreParams,
    /// The product's report limit.
    pub report_limit: Option<u64>,
    /// Checker severities.
    pub labels: &'a CheckerLabels,
    /// How long to wait for another store of the same run.
    pub lock_wait: Duration,
    /// The store's key, the same for every attempt of this store (see
    /// `productdb::StoreRun::store_key`): a re-run after its worker was
    /// killed takes over the lock the killed attempt left behind, and one
    /// after an attempt that committed reports that outcome and stores
    /// nothing.
    pub store_key: Option<String>,
}

/// Content bytes per batch of files pushed.
const FILE_BATCH_BYTES: u64 = 32 << 20;
/// Files per batch.
const FILE_BATCH_COUNT: usize = 2000;
/// Reports per batch handed from the parser to the writer.
const REPORT_BATCH: usize = 5000;
/// Plist bytes parsed at once.
const PARSE_WINDOW_BYTES: u64 = 96 << 20;

/// How often a store waiting for another one tries again.
const LOCK_POLL: Duration = Duration::from_millis(250);

/// Whether `err` means another store is in the way (run lock, or SQLite's
/// write lock held longer than the busy timeout).
fn is_contention(err: &productdb::Error) -> bool {
    match err {
        productdb::Error::RunLocked { .. } => true,
        productdb::Error::Query(e) => dbkit::classify::is_contention(e),
        productdb::Error::Pool(e) => dbkit::classify::is_pool_busy(e),
        _ => false,
    }
}

/// Share of the progress bar the sources take.
const FILES_SHARE: f64 = 10.0;
/// Share of the progress bar parsing the plists takes (by plist bytes).
const PARSE_SHARE: f64 = 25.0;
/// Share of the progress bar writing the reports takes (by the plist bytes
/// whose reports are written; the rest is the commit).
const WRITE_SHARE: f64 = 60.0;

/// Progress of the report phase: plist bytes parsed (by the parser's
/// threads) and written (by the writer), each reported as it grows.
struct ReportProgress<'a> {
    control: &'a dyn Control,
    total_bytes: f64,
    parsed: AtomicU64,
    written: AtomicU64,
}

impl ReportProgress<'_> {
    fn parsed(&self, bytes: u64) {
        self.parsed.fetch_add(bytes, Ordering::Relaxed);
        self.report();
    }

    fn written_up_to(&self, bytes: u64) {
        self.written.fetch_max(bytes, Ordering::Relaxed);
        self.report();
    }

    fn report(&self) {
        let parsed = self.parsed.load(Ordering::Relaxed) as f64 / self.total_bytes;
        let written = self.written.load(Ordering::Relaxed) as f64 / self.total_bytes;
        let percent = FILES_SHARE + PARSE_SHARE * parsed.min(1.0) + WRITE_SHARE * written.min(1.0);
        self.control.progress(percent as i32);
        self.control.heartbeat();
    }
}

impl Ingest<'_> {
    /// Runs the store into `db`.
    pub fn run(&self, db: &ProductDb, control: &dyn Control) -> Result<StoreOutcome, StoreError> {
        let started = Instant::now();
        // 1. Read what the upload holds; nothing is written yet.
        let layout = Layout::new(self.input);
        let prefixes = PathPrefixes::new(&self.params.trim_path_prefixes)
            .map_err(|e| StoreError::Input(format!("Invalid --trim-path-prefix value: {e}")))?;
        let dirs = layout.report_dirs()?;
        let analyses = analyses::read(&dirs, self.labels, self.params.version.as_deref())?;
        let rules = dir_rules(&dirs, &analyses)?;
        let hashes = layout.content_hashes()?;
        let available = self.available_contents(db, &layout, &hashes)?;
        control.heartbeat();
        check_cancel(control)?;
        // 2. Open the store's transaction (waiting for another store of the run).
        let mut writer = match self.begin(db, self.store_run(&analyses), control) {
            // An earlier attempt committed: its outcome (`from_receipt`).
            Err(StoreError::CommittedBefore(outcome)) => return Ok(*outcome),
            begun => begun?,
        };
        // 3. Sources, then 4. reports, then 5. the commit.
        let files = self.write_sources(
            &mut writer,
            &layout,
            &prefixes,
            &hashes,
            &available,
            control,
        )?;
        let converter = Converter {
            prefixes: &prefixes,
            sources: &files.by_hash,
            known_files: &files.known,
            labels: self.labels,
        };
        self.write_reports(&mut writer, &dirs, &rules, &converter, control)?;
        let outcome = self.commit(writer, control)?;
        tracing::info!(
            run = %self.params.run_name,
            run_id = outcome.run_id,
            reports = outcome.reports_stored,
            seconds = started.elapsed().as_secs_f64(),
            "store finished"
        );
        Ok(outcome)
    }

    /// The run as the writer takes it: the store's parameters and what the
    /// analyses' metadata says.
    fn store_run(&self, analyses: &Analyses) -> StoreRun {
        StoreRun {
            run_name: self.params.run_name.clone(),
            tag: self.params.tag.clone(),
            version: self.params.version.clone(),
            description: self.params.description.clone(),
            user: self.params.user.clone(),
            force: self.params.force,
            cc_version: analyses.cc_version.clone(),
            duration_secs: analyses.duration_secs,
            analyzer_statistics: analyses.statistics.clone(),
            analyses: analyses.analyses.clone(),
            enabled_checkers: analyses.enabled.clone(),
            disabled_checkers: analyses.disabled.clone(),
            report_limit: self.report_limit,
            run_lock: None,
            lock_wait: Duration::ZERO,
            store_key: self.store_key.clone(),
        }
    }

    /// Writes the uploaded sources (those already stored are only named), in
    /// batches of bounded size, each read and checked in parallel.
    fn write_sources(
        &self,
        writer: &mut productdb::StoreWriter,
        layout: &Layout,
        prefixes: &PathPrefixes,
        hashes: &[(String, String)],
        available: &HashSet<String>,
        control: &dyn Control,
    ) -> Result<StoredSources, StoreError> {
        tracing::info!(run = %self.params.run_name, "store: writing sources");
        let mut files = StoredSources::default();
        let mut pending: Vec<(&str, &str, Option<u64>)> = Vec::new();
        let mut pending_bytes = 0u64;
        let total_files = hashes.len().max(1);
        for (done, (original, hash)) in hashes.iter().enumerate() {
            let size = std::fs::metadata(layout.source(original))
                .ok()
                .filter(|m| m.is_file())
                .map(|m| m.len());
            if size.is_none() && !available.contains(hash) {
                // Neither uploaded nor stored: reports naming it fail the store.
                continue;
            }
            pending_bytes += size.unwrap_or(0);
            pending.push((original, hash, size));
            if pending_bytes >= FILE_BATCH_BYTES || pending.len() >= FILE_BATCH_COUNT {
                check_cancel(control)?;
                push_sources(
                    writer,
                    layout,
                    prefixes,
                    &pending,
                    &mut files.known,
                    &mut files.by_hash,
                )?;
                pending.clear();
                pending_bytes = 0;
                control.heartbeat();
                control.progress(percent(done + 1, total_files, 0.0, FILES_SHARE));
            }
        }
        if !pending.is_empty() {
            check_cancel(control)?;
            push_sources(
                writer,
                layout,
                prefixes,
                &pending,
                &mut files.known,
                &mut files.by_hash,
            )?;
        }
        control.progress(FILES_SHARE as i32);
        Ok(files)
    }

    /// Parses the plists (on every core, in windows of bounded size) while
    /// the previous batch of converted reports is written.
    fn write_reports(
        &self,
        writer: &mut productdb::StoreWriter,
        dirs: &[ReportDir],
        rules: &[DirRules<'_>],
        converter: &Converter<'_>,
        control: &dyn Control,
    ) -> Result<(), StoreError> {
        let plists: Vec<(usize, PathBuf, u64)> = dirs
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                d.plists.iter().map(move |p| {
                    let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
                    (i, p.clone(), size)
                })
            })
            .collect();
        tracing::info!(
            run = %self.params.run_name,
            plists = plists.len(),
            files = converter.known_files.len(),
            "store: writing reports"
        );
        let mut ambiguous: Vec<String> = Vec::new();
        let progress = ReportProgress {
            control,
            total_bytes: plists.iter().map(|p| p.2).sum::<u64>().max(1) as f64,
            parsed: AtomicU64::new(0),
            written: AtomicU64::new(0),
        };
        let mut write_time = Duration::ZERO;
        let mut idle_time = Duration::ZERO;
        std::thread::scope(|scope| -> Result<(), StoreError> {
            let (tx, rx) = mpsc::sync_channel::<Result<Batch, StoreError>>(2);
            let plists = &plists;
            let progress = &progress;
            scope.spawn(move || parse_all(plists, rules, converter, progress, &tx));
            let mut waited = Instant::now();
            for message in rx {
                idle_time += waited.elapsed();
                let batch = message?;
                check_cancel(control)?;
                let mut reports: Vec<StoreReport> = Vec::with_capacity(batch.outcomes.len());
                for outcome in batch.outcomes {
                    if let Some(row) = outcome.ambiguous_comment {
                        ambiguous.push(row);
                    }
                    match outcome.converted {
                        Converted::Store(r) => reports.push(*r),
                        Converted::Skipped { checker } => writer.note_skipped_report(&checker),
                    }
                }
                let writing = Instant::now();
                writer.add_reports(reports)?;
                write_time += writing.elapsed();
                progress.written_up_to(batch.bytes_done);
                waited = Instant::now();
            }
            Ok(())
        })?;
        control.progress((FILES_SHARE + PARSE_SHARE + WRITE_SHARE) as i32);
        if !ambiguous.is_empty() {
            return Err(StoreError::Input(ambiguous_comments_message(&ambiguous)));
        }
        tracing::info!(
            run = %self.params.run_name,
            write_seconds = write_time.as_secs_f64(),
            waiting_for_parser_seconds = idle_time.as_secs_f64(),
            "store: reports written"
        );
        Ok(())
    }

    /// Decides detection statuses and commits the store's transaction.
    fn commit(
        &self,
        writer: productdb::StoreWriter,
        control: &dyn Control,
    ) -> Result<StoreOutcome, StoreError> {
        // The last word before the commit: a store whose claim went to
        // another worker (its lease ran out under load) must not commit too.
        control.renew_claim();
        check_cancel(control)?;
        let finishing = Instant::now();
        let outcome = writer.finish()?;
        tracing::info!(
            run = %self.params.run_name,
            seconds = finishing.elapsed().as_secs_f64(),
            "store: detection statuses decided and committed"
        );
        control.progress(100);
        Ok(outcome)
    }

    /// Begins the store, waiting (up to [`Ingest::lock_wait`], stoppable) while
    /// another store holds the run or the database's write lock.
    fn begin(
        &self,
        db: &ProductDb,
        run: StoreRun,
        control: &dyn Control,
    ) -> Result<productdb::StoreWriter, StoreError> {
        let started = Instant::now();
        let mut announced = false;
        loop {
            match db.begin_store(run.clone(), StoreHooks::default()) {
                Ok(writer) => return Ok(writer),
                Err(err) if is_contention(&err) && started.elapsed() < self.lock_wait => {
                    if !announced {
                        tracing::info!(run = %run.run_name, %err, "store waits for another store");
                        announced = true;
                    }
                    check_cancel(control)?;
                    control.heartbeat();
                    std::thread::sleep(LOCK_POLL);
                }
                Err(err) => return Err(err.into()),
            }
        }
    }

    /// Content hashes whose content is uploaded or already stored.
    fn available_contents(
        &self,
        db: &ProductDb,
        layout: &Layout,
        hashes: &[(String, String)],
    ) -> Result<HashSet<String>, StoreError> {
        let mut available = HashSet::new();
        let mut ask: Vec<String> = Vec::new();
        for (original, hash) in hashes {
            if layout.source(original).is_file() {
                available.insert(hash.clone());
            } else {
                ask.push(hash.clone());
            }
        }
        ask.sort();
        ask.dedup();
        if !ask.is_empty() {
            let missing: HashSet<String> = db.missing_content_hashes(&ask)?.into_iter().collect();
            available.extend(ask.into_iter().filter(|h| !missing.contains(h)));
        }
        Ok(available)
    }
}

/// The sources a store wrote or named, for converting its reports.
#[derive(Default)]
struct StoredSources {
    /// Source files by content hash.
    by_hash: HashMap<String, Arc<SourceFile>>,
    /// Paths (as stored) of every file the store knows.
    known: HashSet<String>,
}

/// A batch of converted reports.
struct Batch {
    outcomes: Vec<Outcome>,
    /// Plist bytes whose reports are handed over once this batch is written
    /// (a plist's bytes shared out evenly among its reports).
    bytes_done: u64,
}

/// Reports waiting to be sent, with the plist bytes they stand for.
#[derive(Default)]
struct Pending {
    outcomes: Vec<Outcome>,
    /// (reports, bytes per report) of each plist whose reports wait, in order.
    shares: std::collections::VecDeque<(usize, f64)>,
    /// Bytes of plists without reports, counted with the next batch.
    carry: f64,
    /// Bytes handed over so far.
    sent: f64,
}

impl Pending {
    fn push(&mut self, outcomes: Vec<Outcome>, bytes: u64) {
        if outcomes.is_empty() {
            self.carry += bytes as f64;
        } else {
            self.shares
                .push_back((outcomes.len(), bytes as f64 / outcomes.len() as f64));
            self.outcomes.extend(outcomes);
        }
    }

    /// The first `take` reports as a batch.
    fn batch(&mut self, take: usize) -> Batch {
        let rest = self.outcomes.split_off(take);
        let outcomes = std::mem::replace(&mut self.outcomes, rest);
        let mut bytes = std::mem::take(&mut self.carry);
        let mut left = take;
        while left > 0 {
            let Some(front) = self.shares.front_mut() else {
                break;
            };
            let n = front.0.min(left);
            bytes += n as f64 * front.1;
            front.0 -= n;
            left -= n;
            if front.0 == 0 {
                self.shares.pop_front();
            }
        }
        self.sent += bytes;
        Batch {
            outcomes,
            bytes_done: self.sent.round() as u64,
        }
    }
}

/// Parses the plists in windows of bounded size and sends their converted
/// reports in batches; stops at the first error or when the receiver left.
fn parse_all(
    plists: &[(usize, PathBuf, u64)],
    rules: &[DirRules<'_>],
    converter: &Converter<'_>,
    progress: &ReportProgress<'_>,
    tx: &mpsc::SyncSender<Result<Batch, StoreError>>,
) {
    let mut pending = Pending::default();
    let mut start = 0;
    while start < plists.len() {
        let mut end = start + 1;
        let mut bytes = plists[start].2;
        while end < plists.len() && bytes + plists[end].2 <= PARSE_WINDOW_BYTES {
            bytes += plists[end].2;
            end += 1;
        }
        let window = &plists[start..end];
        let parsed: Vec<Result<Vec<Outcome>, StoreError>> = window
            .par_iter()
            .map(|(dir, path, size)| {
                let reports = ccreport::parse_plist_file(path).map_err(|e| {
                    StoreError::Input(format!(
                        "The analyzer result file '{}' cannot be read: {e}",
                        name_of(path)
                    ))
                })?;
                let empty = DirRules::default();
                let rule = rules.get(*dir).unwrap_or(&empty);
                let converted = converter.convert_all(reports, rule, &name_of(path));
                progress.parsed(*size);
                converted
            })
            .collect();
        for (i, result) in parsed.into_iter().enumerate() {
            match result {
                Ok(outcomes) => pending.push(outcomes, window[i].2),
                Err(e) => {
                    let _ = tx.send(Err(e));
                    return;
                }
            }
            let last = i + 1 == window.len();
            while pending.outcomes.len() >= REPORT_BATCH || (last && !pending.outcomes.is_empty()) {
                let take = pending.outcomes.len().min(REPORT_BATCH);
                if tx.send(Ok(pending.batch(take))).is_err() {
                    return;
                }
            }
        }
        start = end;
    }
}

fn name_of(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Each report directory's `skip_file` and `review_status.yaml`.
fn dir_rules<'a>(
    dirs: &[ReportDir],
    analyses: &'a Analyses,
) -> Result<Vec<DirRules<'a>>, StoreError> {
    let mut out = Vec::with_capacity(dirs.len());
    for (i, dir) in dirs.iter().enumerate() {
        let skip = match std::fs::read(dir.file("skip_file")) {
            Ok(bytes) => Some(SkipList::parse_bytes(&bytes).map_err(|e| {
                StoreError::Input(format!(
                    "The skip_file of report directory '{}' is invalid: {e}",
                    analyses::dir_name(dir)
                ))
            })?),
            Err(_) => None,
        };
        let review = match std::fs::read(dir.file("review_status.yaml")) {
            Ok(bytes) => Some(
                ReviewStatusConfig::parse_bytes(&bytes, "review_status.yaml").map_err(|e| {
                    StoreError::Input(format!(
                        "The review_status.yaml of report directory '{}' is invalid: {e}",
                        analyses::dir_name(dir)
                    ))
                })?,
            ),
            Err(_) => None,
        };
        out.push(DirRules {
            skip,
            review,
            analysis: analyses.dirs.get(i),
        });
    }
    Ok(out)
}

/// Reads a batch of sources in parallel and writes them.
fn push_sources(
    writer: &mut productdb::StoreWriter,
    layout: &Layout,
    prefixes: &PathPrefixes,
    pending: &[(&str, &str, Option<u64>)],
    known_files: &mut HashSet<String>,
    sources: &mut HashMap<String, Arc<SourceFile>>,
) -> Result<(), StoreError> {
    let read: Vec<Result<SourceRead, StoreError>> = pending
        .par_iter()
        .map(|(original, hash, size)| read_source(layout, prefixes, original, hash, size.is_some()))
        .collect();
    let mut batch = Vec::with_capacity(read.len());
    for item in read {
        let item = item?;
        known_files.insert(item.file.path.clone());
        if let Some(source) = item.review_source {
            sources.insert(item.original, Arc::new(source));
        }
        batch.push(item.file);
    }
    writer.add_files(batch)?;
    Ok(())
}

/// One source of the upload, read and checked.
struct SourceRead {
    original: String,
    file: StoreFile,
    /// The content for review comments, when it has any.
    review_source: Option<SourceFile>,
}

/// Reads source `original` (its content when `uploaded`) and its blame data.
fn read_source(
    layout: &Layout,
    prefixes: &PathPrefixes,
    original: &str,
    hash: &str,
    uploaded: bool,
) -> Result<SourceRead, StoreError> {
    let mut review_source = None;
    let content = if uploaded {
        let bytes = std::fs::read(layout.source(original))
            .map_err(|e| StoreError::io("reading an uploaded source", e))?;
        let actual = hex::encode(Sha256::digest(&bytes));
        if !actual.eq_ignore_ascii_case(hash) {
            return Err(StoreError::Input(format!(
                "The uploaded content of '{original}' does not match its hash in \
                 content_hashes.json ({hash}); was the file changed while storing?"
            )));
        }
        if ccreport::has_review_comment(&bytes) {
            review_source = Some(SourceFile::new(&bytes));
        }
        Some(bytes)
    } else {
        None
    };
    Ok(SourceRead {
        original: original.to_owned(),
        file: StoreFile {
            path: prefixes.trim(original).to_owned(),
            content_hash: hash.to_owned(),
            content,
            blame: read_blame(&layout.blame(original))?,
        },
        review_source,
    })
}

/// The blame data of a source, if uploaded: the JSON without the
/// repository fields, which are kept apart.
fn read_blame(path: &Path) -> Result<Option<StoreBlame>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => return Ok(None),
    };
    let Ok(serde_json::Value::Object(mut map)) =
        serde_json::from_slice::<serde_json::Value>(&bytes)
    else {
        // CodeChecker ignores unreadable blame files.
        return Ok(None);
    };
    let text = |v: Option<serde_json::Value>| match v {
        Some(serde_json::Value::String(s)) => Some(s),
        _ => None,
    };
    let remote_url = text(map.remove("remote_url"));
    let tracking_branch = text(map.remove("tracking_branch"));
    let info_json = (!map.is_empty())
        .then(|| serde_json::to_string(&serde_json::Value::Object(map)).ok())
        .flatten();
    Ok(Some(StoreBlame {
        info_json,
        remote_url,
        tracking_branch,
    }))
}

fn check_cancel(control: &dyn Control) -> Result<(), StoreError> {
    if control.should_cancel() {
        Err(StoreError::Cancelled)
    } else {
        Ok(())
    }
}

fn percent(done: usize, total: usize, base: f64, share: f64) -> i32 {
    (base + share * done as f64 / total as f64) as i32
}
