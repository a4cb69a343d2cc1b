//! A report filter (with its runs and comparison) translated into
//! conditions the facts can check, with the same meaning as
//! `read::filter`'s SQL.

use std::borrow::Cow;

use dbkit::AnyConnection;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;

use super::{hash_key, Checkers, Fact, FastSet, HashKey, RunFacts};
use crate::error::Result;
use crate::model::{Compare, DiffKind, ReportFilter, ReportStatus};
use crate::read::filter::{checker_sql, compare_is_empty, file_path_sql, non_empty, run_name_sql};
use crate::sql::{IntRow, Sql, TextRow};
use crate::time::secs_to_micros;

/// A set of bug hashes, borrowed from a run's facts or made for a question.
pub(crate) type HashSetRef<'a> = Cow<'a, FastSet<HashKey>>;

/// Conditions on one report of a run, checked in memory.
#[derive(Debug, Default)]
pub(crate) struct Conditions {
    /// Allowed checkers by dense index (`None`: any).
    checkers: Option<Vec<bool>>,
    /// Allowed main files by file id (`None`: any).
    files: Option<FastSet<i64>>,
    /// Allowed runs (`None`: any of the scope).
    runs: Option<FastSet<i64>>,
    /// Allowed bug hashes (`None`: any).
    hashes: Option<FastSet<HashKey>>,
    /// Bug hashes of the chosen cleanup plans (`None`: no such filter).
    plan_hashes: Option<FastSet<HashKey>>,
    /// Bit `n` set: detection status `n` allowed.
    detection: Option<u8>,
    /// Bit `n` set: review status `n` allowed.
    review: Option<u8>,
    /// `Some(true)`: outstanding only; `Some(false)`: closed only.
    outstanding: Option<bool>,
    detected_min: Option<i64>,
    detected_max: Option<i64>,
    /// Exclusive upper bound of the detection time (`fix_date`).
    detected_before: Option<i64>,
    fixed_min: Option<i64>,
    fixed_max: Option<i64>,
    path_min: Option<i64>,
    path_max: Option<i64>,
    /// Open at this time (µs).
    open_at: Option<i64>,
    /// Open at the time of a history entry of its own run: (run, time).
    open_at_tag: Option<Vec<(i64, i64)>>,
    /// Matches nothing.
    none: bool,
}

/// One side of a comparison, as `filter::Side`.
#[derive(Debug)]
struct SidePlan {
    /// Runs whose reports carry the side's hashes.
    runs: Vec<i64>,
    /// History entries: (run, time); a report counts at the time of an
    /// entry of its run.
    tags: Option<Vec<(i64, i64)>>,
    date: Option<i64>,
}

/// What a question selects, ready for the facts.
#[derive(Debug)]
pub(crate) struct Plan {
    /// Runs whose reports are shown (and counted).
    pub runs: Vec<i64>,
    /// Runs whose facts are needed (shown and compared).
    pub needed: Vec<i64>,
    pub unique: bool,
    cond: Conditions,
    /// Hash sets of a comparison: (must be in, must not be in).
    compare: Option<(SidePlan, SidePlan, DiffKind)>,
}

#[derive(QueryableByName)]
struct TagRow {
    #[diesel(sql_type = BigInt)]
    run_id: i64,
    #[diesel(sql_type = BigInt)]
    time_us: i64,
}

/// The history entries `tags` as (run, time).
fn tag_times(conn: &mut AnyConnection, tags: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut sql = Sql::with(
        conn,
        "SELECT run_id, time_us FROM run_histories WHERE id IN ",
    );
    sql.bind_list(tags.iter().copied());
    Ok(sql
        .load::<TagRow>(conn)?
        .into_iter()
        .map(|r| (r.run_id, r.time_us))
        .collect())
}

fn status_mask<T: Copy>(values: &[T], num: impl Fn(T) -> i32) -> u8 {
    values
        .iter()
        .map(|v| num(*v))
        .filter(|n| (0..8).contains(n))
        .fold(0u8, |m, n| m | (1 << n))
}

impl Plan {
    /// The plan of `run_ids`, `f` and `compare`, or `None` when a
    /// condition needs SQL (see the module comment of `facts`).
    pub(crate) fn new(
        conn: &mut AnyConnection,
        checkers: &Checkers,
        run_ids: Option<&[i64]>,
        f: &ReportFilter,
        compare: Option<&Compare>,
    ) -> Result<Option<Plan>> {
        let set = |v: &Option<Vec<String>>| v.as_ref().is_some_and(|v| !v.is_empty());
        let has_paths = set(&f.file_paths);
        if set(&f.checker_msgs)
            || (has_paths && f.file_matches_any_point)
            || f.component_names.is_some()
            || f.annotations.as_ref().is_some_and(|v| !v.is_empty())
            || f.report_hashes
                .as_ref()
                .is_some_and(|v| v.iter().any(|h| h.contains('*')))
        {
            return Ok(None);
        }
        let mut cond = Conditions::default();
        let compare = compare.filter(|c| !compare_is_empty(c));
        // The runs a run name filter matches, asked once.
        let named: Option<Vec<i64>> = match f.run_names.as_deref().filter(|v| !v.is_empty()) {
            Some(names) => {
                let mut sql = Sql::with(conn, "SELECT rn.id AS v FROM runs rn WHERE 1 = 1");
                run_name_sql(&mut sql, "rn", names);
                Some(sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect())
            }
            None => None,
        };
        let (runs, needed, compare) = match compare {
            None => {
                // No run ids but run names (the web UI's per-run counts):
                // the runs those names match.
                let runs = match (non_empty(run_ids), named.as_deref()) {
                    (Some(runs), _) => runs,
                    (None, Some(ids)) if !ids.is_empty() => ids,
                    _ => return Ok(None),
                };
                if let Some(tags) = non_empty(f.run_tags.as_deref()) {
                    cond.open_at_tag = Some(tag_times(conn, tags)?);
                }
                cond.open_at = f.open_reports_date.filter(|d| *d != 0).map(secs_to_micros);
                (runs.to_vec(), runs.to_vec(), None)
            }
            Some(c) => {
                let Some(base) = side(conn, run_ids, f.run_tags.as_deref(), f.open_reports_date)?
                else {
                    return Ok(None);
                };
                let Some(other) = side(
                    conn,
                    c.run_ids.as_deref(),
                    c.run_tags.as_deref(),
                    c.open_reports_date,
                )?
                else {
                    return Ok(None);
                };
                // `run_in` of the side whose reports are shown.
                let (shown_runs, shown_tags) = match c.diff {
                    DiffKind::Resolved => (run_ids, f.run_tags.as_deref()),
                    DiffKind::New | DiffKind::Unresolved => {
                        (c.run_ids.as_deref(), c.run_tags.as_deref())
                    }
                };
                let Some(shown) = shown_runs_of(conn, shown_runs, shown_tags)? else {
                    return Ok(None);
                };
                let mut needed = shown.clone();
                needed.extend(base.runs.iter().copied());
                needed.extend(other.runs.iter().copied());
                needed.sort_unstable();
                needed.dedup();
                (shown, needed, Some((base, other, c.diff)))
            }
        };
        // A run named twice is still one run.
        let mut runs = runs;
        runs.sort_unstable();
        runs.dedup();
        if let Some(v) = f.report_hashes.as_ref() {
            if v.is_empty() {
                cond.none = true;
            }
            cond.hashes = Some(v.iter().map(|h| hash_key(h)).collect());
        }
        if set(&f.analyzer_names)
            || set(&f.checker_names)
            || f.severities.as_ref().is_some_and(|v| !v.is_empty())
        {
            let mut sql = Sql::with(conn, "SELECT c.id AS v FROM checkers c WHERE 1 = 1");
            checker_sql(&mut sql, "c", f);
            let mut allowed = vec![false; checkers.list.len()];
            for id in sql.load::<IntRow>(conn)? {
                if let Some(&i) = checkers.index.get(&id.v) {
                    allowed[i as usize] = true;
                }
            }
            cond.checkers = Some(allowed);
        }
        if let Some(paths) = f.file_paths.as_ref().filter(|v| !v.is_empty()) {
            let mut sql = Sql::with(conn, "SELECT f.id AS v FROM files f WHERE 1 = 1");
            file_path_sql(&mut sql, "f", paths);
            cond.files = Some(sql.load::<IntRow>(conn)?.into_iter().map(|r| r.v).collect());
        }
        cond.runs = named.map(|ids| ids.into_iter().collect());
        if let Some(v) = f.report_statuses.as_ref().filter(|v| !v.is_empty()) {
            let open = v.contains(&ReportStatus::Outstanding);
            let closed = v.contains(&ReportStatus::Closed);
            cond.outstanding = match (open, closed) {
                (true, false) => Some(true),
                (false, true) => Some(false),
                _ => None,
            };
        }
        if let Some(v) = f.detection_statuses.as_ref().filter(|v| !v.is_empty()) {
            cond.detection = Some(status_mask(v, |s| s.to_thrift()));
        }
        if let Some(v) = f.review_statuses.as_ref().filter(|v| !v.is_empty()) {
            cond.review = Some(status_mask(v, crate::model::review_status_to_thrift));
        }
        cond.detected_min = f.first_detection_date.map(secs_to_micros);
        cond.detected_before = f.fix_date.map(secs_to_micros);
        if let Some(w) = &f.detected {
            cond.detected_max = w.before.filter(|t| *t != 0).map(secs_to_micros);
            cond.detected_min = max_opt(
                cond.detected_min,
                w.after.filter(|t| *t != 0).map(secs_to_micros),
            );
        }
        if let Some(w) = &f.fixed {
            cond.fixed_max = w.before.filter(|t| *t != 0).map(secs_to_micros);
            cond.fixed_min = w.after.filter(|t| *t != 0).map(secs_to_micros);
        }
        if let Some((min, max)) = f.bug_path_length {
            cond.path_min = min;
            cond.path_max = max;
        }
        if let Some(names) = f.cleanup_plan_names.as_ref().filter(|v| !v.is_empty()) {
            let mut sql = Sql::with(
                conn,
                "SELECT cph.bug_hash AS v FROM cleanup_plan_report_hashes cph \
                 JOIN cleanup_plans cp ON cp.id = cph.cleanup_plan_id WHERE ",
            );
            sql.in_texts("cp.name", names, false);
            cond.plan_hashes = Some(
                sql.load::<TextRow>(conn)?
                    .iter()
                    .map(|r| hash_key(&r.v))
                    .collect(),
            );
        }
        Ok(Some(Plan {
            runs,
            needed,
            unique: f.is_unique,
            cond,
            compare,
        }))
    }

    /// The (must have, must lack) hash sets of the comparison, from the
    /// facts of the sides' runs.
    pub(crate) fn compare_sets<'a>(
        &self,
        runs: &[&'a RunFacts],
    ) -> Option<(HashSetRef<'a>, HashSetRef<'a>)> {
        let (base, other, diff) = self.compare.as_ref()?;
        let base_set = side_hashes(base, runs);
        let other_set = side_hashes(other, runs);
        Some(match diff {
            DiffKind::New => (other_set, base_set),
            DiffKind::Resolved => (base_set, other_set),
            DiffKind::Unresolved => {
                let both = base_set.intersection(&other_set).copied().collect();
                (Cow::Owned(both), Cow::Owned(FastSet::default()))
            }
        })
    }

    /// Whether every report of the shown runs is selected (no condition,
    /// no comparison).
    pub(crate) fn selects_everything(&self) -> bool {
        let c = &self.cond;
        self.compare.is_none()
            && !c.none
            && c.checkers.is_none()
            && c.files.is_none()
            && c.runs.is_none()
            && c.hashes.is_none()
            && c.plan_hashes.is_none()
            && c.detection.is_none()
            && c.review.is_none()
            && c.outstanding.is_none()
            && c.detected_min.is_none()
            && c.detected_max.is_none()
            && c.detected_before.is_none()
            && c.fixed_min.is_none()
            && c.fixed_max.is_none()
            && c.path_min.is_none()
            && c.path_max.is_none()
            && c.open_at.is_none()
            && c.open_at_tag.is_none()
    }

    /// Whether `fact` of `run` (run id `run_id`) passes the conditions.
    pub(crate) fn matches(&self, run_id: i64, run: &RunFacts, fact: &Fact) -> bool {
        let c = &self.cond;
        if c.none {
            return false;
        }
        if let Some(allowed) = &c.checkers {
            if !allowed.get(fact.checker as usize).copied().unwrap_or(false) {
                return false;
            }
        }
        if let Some(files) = &c.files {
            if !run
                .files
                .get(fact.file as usize)
                .is_some_and(|f| files.contains(&f.id))
            {
                return false;
            }
        }
        if let Some(runs) = &c.runs {
            if !runs.contains(&run_id) {
                return false;
            }
        }
        if let Some(m) = c.detection {
            if fact.detection >= 8 || m & (1 << fact.detection) == 0 {
                return false;
            }
        }
        if let Some(m) = c.review {
            if fact.review >= 8 || m & (1 << fact.review) == 0 {
                return false;
            }
        }
        if let Some(open) = c.outstanding {
            if is_outstanding(fact) != open {
                return false;
            }
        }
        let fixed = (fact.fixed_at != i64::MAX).then_some(fact.fixed_at);
        if c.detected_min.is_some_and(|t| fact.detected_at < t)
            || c.detected_max.is_some_and(|t| fact.detected_at > t)
            || c.detected_before.is_some_and(|t| fact.detected_at >= t)
            || c.fixed_min.is_some_and(|t| fixed.is_none_or(|f| f < t))
            || c.fixed_max.is_some_and(|t| fixed.is_none_or(|f| f > t))
            || c.path_min.is_some_and(|m| fact.path_length < m)
            || c.path_max.is_some_and(|m| fact.path_length > m)
            || c.open_at.is_some_and(|t| !fact.open_at(t))
        {
            return false;
        }
        if let Some(tags) = &c.open_at_tag {
            if !tags
                .iter()
                .any(|(run, t)| *run == run_id && fact.open_at(*t))
            {
                return false;
            }
        }
        if let Some(h) = &c.hashes {
            if !h.contains(&fact.hash) {
                return false;
            }
        }
        if let Some(h) = &c.plan_hashes {
            if !h.contains(&fact.hash) {
                return false;
            }
        }
        true
    }
}

fn max_opt(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, None) => a,
        (None, b) => b,
    }
}

/// CodeChecker's outstanding report: unreviewed or confirmed, and new,
/// unresolved or reopened.
pub(crate) fn is_outstanding(fact: &Fact) -> bool {
    matches!(fact.review, 0 | 1) && matches!(fact.detection, 0 | 2 | 3)
}

/// A comparison side; `None` when it spans every run (left to SQL).
fn side(
    conn: &mut AnyConnection,
    runs: Option<&[i64]>,
    tags: Option<&[i64]>,
    date: Option<i64>,
) -> Result<Option<SidePlan>> {
    let runs = non_empty(runs);
    let tags = non_empty(tags);
    let tag_rows = match tags {
        Some(t) => Some(tag_times(conn, t)?),
        None => None,
    };
    let side_runs: Vec<i64> = match (runs, &tag_rows) {
        (Some(r), _) => r.to_vec(),
        // With tags only, a report counts only at an entry of its own run.
        (None, Some(rows)) => {
            let mut v: Vec<i64> = rows.iter().map(|(r, _)| *r).collect();
            v.sort_unstable();
            v.dedup();
            v
        }
        (None, None) => return Ok(None),
    };
    Ok(Some(SidePlan {
        runs: side_runs,
        tags: tag_rows,
        date: date.filter(|d| *d != 0).map(secs_to_micros),
    }))
}

/// The runs shown: `runs`, narrowed to those of `tags`; `None` when
/// neither is given (every run).
fn shown_runs_of(
    conn: &mut AnyConnection,
    runs: Option<&[i64]>,
    tags: Option<&[i64]>,
) -> Result<Option<Vec<i64>>> {
    let runs = non_empty(runs);
    let tag_runs = match non_empty(tags) {
        Some(t) => {
            let mut v: Vec<i64> = tag_times(conn, t)?.into_iter().map(|(r, _)| r).collect();
            v.sort_unstable();
            v.dedup();
            Some(v)
        }
        None => None,
    };
    Ok(match (runs, tag_runs) {
        (Some(r), Some(t)) => Some(r.iter().copied().filter(|id| t.contains(id)).collect()),
        (Some(r), None) => Some(r.to_vec()),
        (None, Some(t)) => Some(t),
        (None, None) => None,
    })
}

/// The bug hashes a side carries (`filter::Side::hash_in`).
fn side_hashes<'a>(side: &SidePlan, runs: &[&'a RunFacts]) -> HashSetRef<'a> {
    let mut chosen = runs.iter().filter(|r| side.runs.contains(&r.run_id));
    // One run without tags or date: its open hashes, kept with its facts.
    if side.tags.is_none() && side.date.is_none() && side.runs.len() == 1 {
        if let Some(run) = chosen.next() {
            return Cow::Borrowed(run.open_hashes());
        }
        return Cow::Owned(FastSet::default());
    }
    let mut out = FastSet::default();
    for run in chosen {
        for fact in &run.facts {
            let ok = match (&side.tags, side.date) {
                (None, None) => fact.fixed_at == i64::MAX,
                (tags, date) => {
                    tags.as_ref().is_none_or(|t| {
                        t.iter()
                            .any(|(r, time)| *r == run.run_id && fact.open_at(*time))
                    }) && date.is_none_or(|d| fact.open_at(d))
                }
            };
            if ok {
                out.insert(fact.hash);
            }
        }
    }
    Cow::Owned(out)
}
