//! The report facts of runs kept in memory, so that the counts of the web
//! UI's sidebar, `cmd sum` and the pages of `cmd results` / `cmd diff`
//! are answered without scanning the `reports` table again and again.
//!
//! A run's facts are the narrow columns every count and sort reads (id, bug
//! hash, checker, file, line, statuses, dates, path length, message), loaded
//! once with one statement and then filtered and grouped in Rust
//! ([`eval`]). The filter is translated by [`plan`]: conditions on the small
//! tables (checker names and severities, file paths, run names, tags,
//! cleanup plans) are still decided by the same SQL as the report filter's,
//! on those tables, and become id sets; conditions on the report itself are
//! compared in memory. A filter the facts cannot decide (message globs,
//! components, annotations, wildcard hashes, "any point of the bug path",
//! every run at once: no run ids and no run name filter) returns `None`, and
//! the caller asks SQL as before. Without run ids, a run name filter stands
//! for the runs it matches.
//!
//! **Freshness.** Before every use the cache reads a number that changes
//! with every commit, and drops every fact of the product when it moved:
//! on SQLite `PRAGMA data_version`, asked on a dedicated connection that
//! never writes (SQLite changes it whenever any other connection, of any
//! process, commits); on PostgreSQL the `facts_generation` counter, which
//! every write transaction of this crate raises as its last statement (so
//! it commits with the data, and servers of a cluster see each other's
//! writes). The next question then loads the facts again.
//!
//! **Memory.** About 80 bytes per report plus the distinct messages and
//! file paths of a run; at most [`MAX_CACHED_REPORTS`] reports per product
//! and process are kept, beyond that the cache starts over.

mod eval;
mod plan;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use dbkit::AnyConnection;
use diesel::r2d2::ManageConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use crate::error::Result;
use crate::model::{Compare, ReportFilter};
use crate::sql::{Sql, MAX_BINDS};

pub(crate) use eval::{
    checker_counts, count_by, count_ranked, mode, outstanding_key, page, page_ids, total, Item,
    Unique,
};
pub(crate) use plan::Plan;

/// The most reports whose facts one product keeps in one process (about
/// 160 MB); past it the cache is emptied before the next load.
pub(crate) const MAX_CACHED_REPORTS: usize = 2_000_000;

/// A bug hash as a 128-bit key: a 32-digit hexadecimal hash (what
/// CodeChecker writes) is its own value, anything else is hashed.
pub(crate) type HashKey = u128;

/// The key of a bug hash.
pub(crate) fn hash_key(bug_id: &str) -> HashKey {
    if bug_id.len() == 32 {
        if let Ok(v) = u128::from_str_radix(bug_id, 16) {
            return v;
        }
    }
    let mut a = std::collections::hash_map::DefaultHasher::new();
    bug_id.hash(&mut a);
    let mut b = std::collections::hash_map::DefaultHasher::new();
    (bug_id, 0x5eed_u32).hash(&mut b);
    (u128::from(a.finish()) << 64) | u128::from(b.finish())
}

/// A fast hasher for the facts' own keys (bug hash keys are already
/// uniformly spread; ids and short strings need no DoS resistance here:
/// the keys come from the database, not from a request).
#[derive(Default, Clone, Copy)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
    }

    fn write_u8(&mut self, v: u8) {
        self.add(u64::from(v));
    }

    fn write_u32(&mut self, v: u32) {
        self.add(u64::from(v));
    }

    fn write_u64(&mut self, v: u64) {
        self.add(v);
    }

    fn write_i64(&mut self, v: i64) {
        self.add(v as u64);
    }

    fn write_u128(&mut self, v: u128) {
        self.add(v as u64);
        self.add((v >> 64) as u64);
    }

    fn write_usize(&mut self, v: usize) {
        self.add(v as u64);
    }
}

impl FastHasher {
    #[inline]
    fn add(&mut self, v: u64) {
        // FxHash's step.
        self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// `HashMap` with [`FastHasher`].
pub(crate) type FastMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;
/// `HashSet` with [`FastHasher`].
pub(crate) type FastSet<K> =
    std::collections::HashSet<K, std::hash::BuildHasherDefault<FastHasher>>;

/// A checker as the facts see it.
#[derive(Debug, Clone)]
pub(crate) struct CheckerInfo {
    pub id: i64,
    pub name: String,
    pub analyzer: String,
    pub severity: i64,
    /// Position of `name` among the distinct names, in name order.
    pub name_rank: u32,
    /// Position of `analyzer` among the distinct analyzer names.
    pub analyzer_rank: u32,
}

/// The checkers table, indexed densely.
#[derive(Debug, Default)]
pub(crate) struct Checkers {
    pub list: Vec<CheckerInfo>,
    pub index: FastMap<i64, u32>,
    /// Distinct checker names, sorted (indexed by `CheckerInfo::name_rank`).
    pub names: Vec<String>,
    /// Distinct analyzer names, sorted.
    pub analyzers: Vec<String>,
}

/// A file a run's reports are in.
#[derive(Debug, Clone)]
pub(crate) struct FileInfo {
    pub id: i64,
    pub path: String,
    pub name: String,
    /// Position of `path` among the run's distinct paths, in path order
    /// (files of one path with different contents share it).
    pub path_rank: u32,
}

/// One report, narrowed to what counts and sorts read.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fact {
    pub id: i64,
    pub hash: HashKey,
    pub detected_at: i64,
    /// `i64::MAX` when not fixed.
    pub fixed_at: i64,
    pub line: i64,
    pub path_length: i64,
    /// Dense index into [`Checkers::list`].
    pub checker: u32,
    /// Index into the run's [`RunFacts::files`].
    pub file: u32,
    /// Index into the run's [`RunFacts::messages`], which are in text
    /// order: comparing indices compares the messages.
    pub message: u32,
    pub detection: u8,
    pub review: u8,
}

impl Fact {
    /// Open at `t` (µs): detected by then and not fixed by then.
    pub fn open_at(&self, t: i64) -> bool {
        self.detected_at <= t && self.fixed_at > t
    }
}

/// The facts of one run.
#[derive(Debug, Default)]
pub(crate) struct RunFacts {
    pub run_id: i64,
    pub facts: Vec<Fact>,
    pub files: Vec<FileInfo>,
    /// Distinct messages, sorted.
    pub messages: Vec<String>,
    /// Distinct paths of `files`, sorted (indexed by `FileInfo::path_rank`).
    pub paths: Vec<String>,
    /// The hashes of its open (not fixed) reports, made on first use.
    open_hashes: OnceLock<FastSet<HashKey>>,
    /// Its reports' indices in the order of a sort (by the sort's text),
    /// made on first use.
    orders: Mutex<FastMap<String, Arc<Vec<u32>>>>,
}

impl RunFacts {
    /// The indices of the run's facts in the order of `sorts` (then id),
    /// with `key` giving each fact's integer sort key; `None` when `key`
    /// has none for some fact.
    pub fn order(
        &self,
        sorts: &[crate::model::ReportSort],
        key: impl Fn(&Fact) -> Option<[i64; 2]>,
    ) -> Option<Arc<Vec<u32>>> {
        let name = format!("{sorts:?}");
        if let Some(order) = lock(&self.orders).get(&name) {
            return Some(order.clone());
        }
        let mut keyed = self
            .facts
            .iter()
            .enumerate()
            .map(|(n, f)| key(f).map(|k| (k, f.id, n as u32)))
            .collect::<Option<Vec<_>>>()?;
        keyed.sort_unstable();
        let order: Arc<Vec<u32>> = Arc::new(keyed.into_iter().map(|(_, _, n)| n).collect());
        lock(&self.orders).insert(name, order.clone());
        Some(order)
    }

    /// The bug hashes of the run's open reports (what a comparison with
    /// the run looks at).
    pub fn open_hashes(&self) -> &FastSet<HashKey> {
        self.open_hashes.get_or_init(|| {
            self.facts
                .iter()
                .filter(|f| f.fixed_at == i64::MAX)
                .map(|f| f.hash)
                .collect()
        })
    }
}

/// The cached facts of one product database.
pub(crate) struct FactsCache {
    /// SQLite: the connection that only asks `PRAGMA data_version`
    /// (PostgreSQL: `None`, the question's own connection reads
    /// `facts_generation`).
    watcher: Option<Mutex<AnyConnection>>,
    state: Mutex<State>,
    /// Questions answered from the facts.
    answered: AtomicU64,
}

#[derive(Default)]
struct State {
    version: Option<i64>,
    checkers: Option<Arc<Checkers>>,
    runs: HashMap<i64, Arc<Mutex<Option<Arc<RunFacts>>>>>,
    reports: usize,
}

/// What one question sees: the checkers and the runs' facts of one
/// database version.
pub(crate) struct Snapshot {
    /// PostgreSQL (which sorts CodeChecker's enum columns in declaration
    /// order, where SQLite sorts them by name).
    pub pg: bool,
    pub checkers: Arc<Checkers>,
    pub runs: Vec<Arc<RunFacts>>,
}

impl Snapshot {
    /// The facts of `run_id`, if loaded into this snapshot.
    pub fn run(&self, run_id: i64) -> Option<&RunFacts> {
        self.runs
            .iter()
            .find(|r| r.run_id == run_id)
            .map(|r| r.as_ref())
    }
}

#[derive(QueryableByName)]
struct VersionRow {
    #[diesel(sql_type = BigInt)]
    data_version: i64,
}

#[derive(QueryableByName)]
struct CheckerRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    checker_name: String,
    #[diesel(sql_type = Text)]
    analyzer_name: String,
    #[diesel(sql_type = BigInt)]
    severity: i64,
}

#[derive(QueryableByName)]
struct FactRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    bug_id: String,
    #[diesel(sql_type = BigInt)]
    checker_id: i64,
    #[diesel(sql_type = BigInt)]
    file_id: i64,
    #[diesel(sql_type = BigInt)]
    line: i64,
    #[diesel(sql_type = BigInt)]
    path_length: i64,
    #[diesel(sql_type = Text)]
    checker_message: String,
    #[diesel(sql_type = BigInt)]
    detection_status: i64,
    #[diesel(sql_type = BigInt)]
    review_status: i64,
    #[diesel(sql_type = BigInt)]
    detected_at_us: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    fixed_at_us: Option<i64>,
}

#[derive(QueryableByName)]
struct FileRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    filepath: String,
    #[diesel(sql_type = Text)]
    filename: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl FactsCache {
    /// A cache for the database `manager` opens; `None` when its SQLite
    /// watcher connection cannot be opened (the caller then asks SQL).
    pub(crate) fn open(manager: &dbkit::Manager, sqlite: bool) -> Option<Self> {
        let watcher = if sqlite {
            Some(Mutex::new(manager.connect().ok()?))
        } else {
            // The facts order text by bytes, as SQLite and PostgreSQL's "C"
            // collations do; under another collation PostgreSQL's order
            // would differ, so such a database asks SQL.
            let mut conn = manager.connect().ok()?;
            let collation = Sql::with(
                &conn,
                "SELECT datcollate AS v FROM pg_database WHERE datname = current_database()",
            )
            .load::<crate::sql::TextRow>(&mut conn)
            .ok()?
            .into_iter()
            .next()?
            .v;
            if !matches!(collation.as_str(), "C" | "POSIX" | "C.UTF-8" | "C.utf8") {
                tracing::info!(%collation, "report facts off: the database does not sort text by bytes");
                return None;
            }
            None
        };
        Some(FactsCache {
            watcher,
            state: Mutex::new(State::default()),
            answered: AtomicU64::new(0),
        })
    }

    /// A number that changes whenever the database's reports may have:
    /// SQLite's `data_version` as the watcher sees it (any other
    /// connection's commit changes it), or on PostgreSQL the
    /// `facts_generation` counter every write transaction raises.
    fn data_version(&self, conn: &mut AnyConnection) -> Option<i64> {
        match &self.watcher {
            Some(watcher) => {
                let mut w = lock(watcher);
                Sql::with(&w, "PRAGMA data_version")
                    .load::<VersionRow>(&mut w)
                    .ok()?
                    .first()
                    .map(|r| r.data_version)
            }
            None => Sql::with(
                conn,
                "SELECT n AS data_version FROM facts_generation WHERE id = 1",
            )
            .load::<VersionRow>(conn)
            .ok()?
            .first()
            .map(|r| r.data_version),
        }
    }

    /// The plan of a question and the facts it needs, as of now, loading
    /// what the cache lacks through `conn`; `None` when the facts cannot
    /// answer it (see the module comment).
    pub(crate) fn prepare(
        &self,
        conn: &mut AnyConnection,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
    ) -> Result<Option<(Snapshot, Plan)>> {
        let Some(version) = self.data_version(conn) else {
            return Ok(None);
        };
        let checkers = self.checkers(conn, version)?;
        let Some(plan) = Plan::new(conn, &checkers, run_ids, filter, compare)? else {
            return Ok(None);
        };
        let slots: Vec<_> = {
            let mut state = lock(&self.state);
            plan.needed
                .iter()
                .map(|id| state.runs.entry(*id).or_default().clone())
                .collect()
        };
        let mut runs = Vec::with_capacity(slots.len());
        for (run_id, slot) in plan.needed.iter().zip(slots) {
            // One loader per run; others asking for it wait here.
            let mut slot = lock(&slot);
            let facts = match slot.as_ref() {
                Some(f) => f.clone(),
                None => {
                    let Some(loaded) = load_run(conn, *run_id, &checkers)? else {
                        // A checker newer than the checkers read: start over.
                        lock(&self.state).version = None;
                        return Ok(None);
                    };
                    let loaded = Arc::new(loaded);
                    lock(&self.state).reports += loaded.facts.len();
                    *slot = Some(loaded.clone());
                    loaded
                }
            };
            runs.push(facts);
        }
        let pg = self.watcher.is_none();
        Ok(Some((Snapshot { pg, checkers, runs }, plan)))
    }

    /// The facts of those of `run_ids` already in memory and current.
    fn cached_runs(&self, conn: &mut AnyConnection, run_ids: &[i64]) -> Vec<Arc<RunFacts>> {
        let Some(version) = self.data_version(conn) else {
            return Vec::new();
        };
        let state = lock(&self.state);
        if state.version != Some(version) {
            return Vec::new();
        }
        run_ids
            .iter()
            .filter_map(|id| state.runs.get(id))
            .filter_map(|slot| slot.try_lock().ok().and_then(|s| s.clone()))
            .collect()
    }

    /// The checkers of database version `version`, emptying the cache
    /// first when the version (or the size) moved on.
    fn checkers(&self, conn: &mut AnyConnection, version: i64) -> Result<Arc<Checkers>> {
        {
            let mut state = lock(&self.state);
            if state.version != Some(version) || state.reports > MAX_CACHED_REPORTS {
                *state = State {
                    version: Some(version),
                    ..State::default()
                };
            }
            if let Some(c) = &state.checkers {
                return Ok(c.clone());
            }
        }
        let loaded = Arc::new(load_checkers(conn)?);
        let mut state = lock(&self.state);
        if state.version == Some(version) {
            state.checkers = Some(loaded.clone());
        }
        Ok(loaded)
    }
}

fn load_checkers(conn: &mut AnyConnection) -> Result<Checkers> {
    let rows: Vec<CheckerRow> = Sql::with(
        conn,
        "SELECT id, checker_name, analyzer_name, severity FROM checkers ORDER BY id",
    )
    .load(conn)?;
    let mut out = Checkers::default();
    for r in rows {
        out.index.insert(r.id, out.list.len() as u32);
        out.list.push(CheckerInfo {
            id: r.id,
            name: r.checker_name,
            analyzer: r.analyzer_name,
            severity: r.severity,
            name_rank: 0,
            analyzer_rank: 0,
        });
    }
    let names = ranks(out.list.iter().map(|c| c.name.as_str()).collect());
    let analyzers = ranks(out.list.iter().map(|c| c.analyzer.as_str()).collect());
    for ((c, n), a) in out.list.iter_mut().zip(names.0).zip(analyzers.0) {
        c.name_rank = n;
        c.analyzer_rank = a;
    }
    out.names = names.1;
    out.analyzers = analyzers.1;
    Ok(out)
}

/// The facts of one run; `None` when a report names a checker that
/// `checkers` lacks (written after it was read).
fn load_run(
    conn: &mut AnyConnection,
    run_id: i64,
    checkers: &Checkers,
) -> Result<Option<RunFacts>> {
    let started = std::time::Instant::now();
    let mut sql = Sql::with(
        conn,
        "SELECT id, bug_id, checker_id, file_id, line, path_length, checker_message, \
         detection_status, review_status, detected_at_us, fixed_at_us \
         FROM reports WHERE run_id = ",
    );
    sql.bind(run_id);
    let mut rows: Vec<FactRow> = sql.load(conn)?;
    let read_reports = started.elapsed();
    let Some(files) = load_files(conn, &rows)? else {
        return Ok(None);
    };
    let file_index: FastMap<i64, u32> = files
        .iter()
        .enumerate()
        .map(|(i, f)| (f.id, i as u32))
        .collect();
    // Messages by their rank in text order, so that they compare as the
    // texts do (the texts move out of the rows, distinct ones kept once).
    let (message_ranks, messages) = ranks(
        rows.iter_mut()
            .map(|r| std::mem::take(&mut r.checker_message))
            .collect(),
    );
    let mut facts = Vec::with_capacity(rows.len());
    for (r, message) in rows.into_iter().zip(message_ranks) {
        let (Some(&checker), Some(&file)) = (
            checkers.index.get(&r.checker_id),
            file_index.get(&r.file_id),
        ) else {
            return Ok(None);
        };
        let (Ok(detection), Ok(review)) = (
            u8::try_from(r.detection_status),
            u8::try_from(r.review_status),
        ) else {
            return Ok(None);
        };
        facts.push(Fact {
            id: r.id,
            hash: hash_key(&r.bug_id),
            detected_at: r.detected_at_us,
            fixed_at: r.fixed_at_us.unwrap_or(i64::MAX),
            line: r.line,
            path_length: r.path_length,
            checker,
            file,
            message,
            detection,
            review,
        });
    }
    let (path_ranks, paths) = ranks(files.iter().map(|f| f.path.as_str()).collect());
    let files = files
        .into_iter()
        .zip(path_ranks)
        .map(|(f, path_rank)| FileInfo { path_rank, ..f })
        .collect();
    tracing::debug!(
        run_id,
        reports = facts.len(),
        messages = messages.len(),
        read_reports_ms = read_reports.as_secs_f64() * 1000.0,
        total_ms = started.elapsed().as_secs_f64() * 1000.0,
        "report facts loaded"
    );
    Ok(Some(RunFacts {
        run_id,
        facts,
        files,
        messages,
        paths,
        open_hashes: OnceLock::new(),
        orders: Mutex::new(FastMap::default()),
    }))
}

/// The files `rows` name (their ids taken from the rows, not from another
/// pass over the run's reports); `None` when one of them is gone (removed
/// after the rows were read).
fn load_files(conn: &mut AnyConnection, rows: &[FactRow]) -> Result<Option<Vec<FileInfo>>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.file_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut files = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(MAX_BINDS) {
        let mut sql = Sql::with(
            conn,
            "SELECT id, filepath, filename FROM files WHERE id IN ",
        );
        sql.bind_list(chunk.iter().copied());
        let found: Vec<FileRow> = sql.load(conn)?;
        files.extend(found.into_iter().map(|f| FileInfo {
            id: f.id,
            path: f.filepath,
            name: f.filename,
            path_rank: 0,
        }));
    }
    Ok((files.len() == ids.len()).then_some(files))
}

/// For each of `values`, its position among the distinct values in sorted
/// order; and those distinct values (moved out of `values`).
fn ranks<S: AsRef<str> + Into<String> + Default>(mut values: Vec<S>) -> (Vec<u32>, Vec<String>) {
    let mut order: Vec<u32> = (0..values.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| values[a as usize].as_ref().cmp(values[b as usize].as_ref()));
    let mut rank = vec![0u32; values.len()];
    let mut distinct: Vec<String> = Vec::new();
    for i in order {
        let value = std::mem::take(&mut values[i as usize]);
        if distinct.last().map(String::as_str) != Some(value.as_ref()) {
            distinct.push(value.into());
        }
        rank[i as usize] = distinct.len() as u32 - 1;
    }
    (rank, distinct)
}

impl crate::db::ProductDb {
    /// `answer` applied to the reports that `run_ids`, `filter` and
    /// `compare` select, from the in-memory facts; `None` when the facts
    /// cannot answer (no cache, a filter that needs SQL, or `answer`
    /// itself declining), so that the caller asks SQL.
    pub(crate) fn with_facts<T>(
        &self,
        conn: &mut AnyConnection,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
        answer: impl FnOnce(&Snapshot, &Plan, Vec<Item<'_>>) -> Option<T>,
    ) -> Result<Option<T>> {
        self.ask_facts(conn, run_ids, filter, compare, |snap, plan| {
            answer(snap, plan, snap.select(plan))
        })
    }

    /// The ids of the page `q` asks for, in the order of `sorts`, from the
    /// in-memory facts; `None` as for [`Self::with_facts`].
    pub(crate) fn page_from_facts(
        &self,
        conn: &mut AnyConnection,
        q: &crate::model::ReportQuery,
        sorts: &[crate::model::ReportSort],
    ) -> Result<Option<Vec<i64>>> {
        let (run_ids, compare) = (q.run_ids.as_deref(), q.compare.as_ref());
        self.ask_facts(conn, run_ids, &q.filter, compare, |snap, plan| {
            snap.ordered_page(plan, sorts, q.limit, q.offset)
                .or_else(|| {
                    page_ids(
                        snap,
                        snap.select(plan),
                        sorts,
                        plan.unique,
                        q.limit,
                        q.offset,
                    )
                })
        })
    }

    /// The number of reports (bug hashes in unique mode) that `run_ids`,
    /// `filter` and `compare` select, from the in-memory facts; `None` as
    /// for [`Self::with_facts`].
    pub(crate) fn count_from_facts(
        &self,
        conn: &mut AnyConnection,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
    ) -> Result<Option<i64>> {
        self.ask_facts(conn, run_ids, filter, compare, |snap, plan| {
            Some(snap.count(plan))
        })
    }

    /// The counts of the run list for those of `run_ids` whose facts are
    /// in memory and current (none are loaded for this).
    pub(crate) fn cached_status_counts(
        &self,
        conn: &mut AnyConnection,
        run_ids: &[i64],
    ) -> HashMap<i64, crate::read::runs::RunStatusCounts> {
        let mut out = HashMap::new();
        let Some(cache) = self.facts() else {
            return out;
        };
        for run in cache.cached_runs(conn, run_ids) {
            let mut n = [[0i64; 4]; 8];
            for f in &run.facts {
                if let Some(c) = n
                    .get_mut(f.detection as usize)
                    .and_then(|r| r.get_mut(f.review as usize))
                {
                    *c += 1;
                }
            }
            let mut counts = crate::read::runs::RunStatusCounts::default();
            let mut ok = true;
            for (detection, reviews) in n.iter().enumerate() {
                for (review, count) in reviews.iter().enumerate() {
                    if *count > 0 {
                        ok &= counts.add(detection as i64, review as i64, *count).is_ok();
                    }
                }
            }
            if ok {
                out.insert(run.run_id, counts);
            }
        }
        out
    }

    /// `answer` of the facts of `run_ids`, `filter` and `compare` and their
    /// plan (counted in [`Self::facts_answered`] when it answers); `None`
    /// when there are no facts, the plan needs SQL or `answer` declines.
    fn ask_facts<T>(
        &self,
        conn: &mut AnyConnection,
        run_ids: Option<&[i64]>,
        filter: &ReportFilter,
        compare: Option<&Compare>,
        answer: impl FnOnce(&Snapshot, &Plan) -> Option<T>,
    ) -> Result<Option<T>> {
        let Some(cache) = self.facts() else {
            return Ok(None);
        };
        let Some((snap, plan)) = cache.prepare(conn, run_ids, filter, compare)? else {
            return Ok(None);
        };
        let answered = answer(&snap, &plan);
        if answered.is_some() {
            cache.answered.fetch_add(1, Ordering::Relaxed);
        }
        Ok(answered)
    }

    /// How many questions this handle answered from its in-memory report
    /// facts rather than SQL (always 0 on PostgreSQL).
    pub fn facts_answered(&self) -> u64 {
        self.facts()
            .map_or(0, |c| c.answered.load(Ordering::Relaxed))
    }
}
