//! Counting, grouping and ordering the facts a plan selects, with the
//! semantics of the SQL in `read::counts` and `read::reports`.

use std::cmp::Ordering;

use super::plan::is_outstanding;
use super::{Fact, FastMap, FastSet, HashKey, Plan, RunFacts, Snapshot};
use crate::model::{ReportSort, ReportSortKey};

/// A selected report: its run's facts and the fact.
#[derive(Clone, Copy)]
pub(crate) struct Item<'a> {
    pub run: &'a RunFacts,
    pub fact: &'a Fact,
}

impl<'a> Item<'a> {
    /// The report's main file.
    pub fn file(&self) -> Option<&'a super::FileInfo> {
        self.run.files.get(self.fact.file as usize)
    }
}

/// How a dimension counts in unique mode (as `counts::Unique`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unique {
    /// Each bug hash once, under the greatest value of its reports.
    MaxPerHash,
    /// Each bug hash once per group.
    DistinctPerGroup,
}

impl Snapshot {
    /// The reports `plan` selects, in run order then id order.
    pub(crate) fn select<'a>(&'a self, plan: &Plan) -> Vec<Item<'a>> {
        let mut out = Vec::new();
        self.each_selected(plan, |i| out.push(i));
        out
    }

    /// How many reports (bug hashes in unique mode) `plan` selects.
    pub(crate) fn count(&self, plan: &Plan) -> i64 {
        if plan.selects_everything() && !plan.unique {
            return plan
                .runs
                .iter()
                .filter_map(|id| self.run(*id))
                .map(|r| r.facts.len() as i64)
                .sum();
        }
        if plan.unique {
            let mut hashes: FastSet<HashKey> = FastSet::default();
            self.each_selected(plan, |i| {
                hashes.insert(i.fact.hash);
            });
            hashes.len() as i64
        } else {
            let mut n = 0;
            self.each_selected(plan, |_| n += 1);
            n
        }
    }

    /// `f` of every report `plan` selects, in run order then id order.
    fn each_selected<'a>(&'a self, plan: &Plan, mut f: impl FnMut(Item<'a>)) {
        let all: Vec<&RunFacts> = self.runs.iter().map(|r| r.as_ref()).collect();
        let sets = plan.compare_sets(&all);
        let everything = plan.selects_everything();
        for run_id in &plan.runs {
            let Some(run) = self.run(*run_id) else {
                continue;
            };
            for fact in &run.facts {
                if everything || selected(plan, sets.as_ref(), run, fact) {
                    f(Item { run, fact });
                }
            }
        }
    }

    /// The page of `plan` in the order of `sorts` when its reports are of
    /// one run and the sort has integer keys, without a pass over the run:
    /// the run's reports in that order are kept with its facts (made on
    /// first use), and are walked until the page is full. `None` when this
    /// does not apply (unique mode, several runs, text keys).
    pub(crate) fn ordered_page(
        &self,
        plan: &Plan,
        sorts: &[ReportSort],
        limit: Option<i64>,
        offset: i64,
    ) -> Option<Vec<i64>> {
        let ([run_id], false, Some(limit)) = (plan.runs.as_slice(), plan.unique, limit) else {
            return None;
        };
        let run = self.run(*run_id)?;
        let order = run.order(sorts, |fact| {
            int_key(self, &Item { run, fact }, sorts, false, true)
        })?;
        let all: Vec<&RunFacts> = self.runs.iter().map(|r| r.as_ref()).collect();
        let sets = plan.compare_sets(&all);
        let everything = plan.selects_everything();
        let skip = usize::try_from(offset.max(0)).unwrap_or(usize::MAX);
        let take = usize::try_from(limit.max(0)).unwrap_or(usize::MAX);
        Some(
            order
                .iter()
                .filter_map(|&n| run.facts.get(n as usize))
                .filter(|fact| everything || selected(plan, sets.as_ref(), run, fact))
                .skip(skip)
                .take(take)
                .map(|fact| fact.id)
                .collect(),
        )
    }

    /// The checker of a fact (`load_run` made `fact.checker` an index
    /// into this very list, and refuses a run naming a checker it lacks).
    pub(crate) fn checker(&self, fact: &Fact) -> &super::CheckerInfo {
        &self.checkers.list[fact.checker as usize]
    }
}

/// Reports, or distinct bug hashes in unique mode.
pub(crate) fn total(items: &[Item<'_>], unique: bool) -> i64 {
    if unique {
        items
            .iter()
            .map(|i| i.fact.hash)
            .collect::<FastSet<HashKey>>()
            .len() as i64
    } else {
        items.len() as i64
    }
}

/// Counts per `key`, ordered by key, as `counts::grouped` counts.
pub(crate) fn count_by<'a, K: Ord + Clone + std::hash::Hash>(
    items: &[Item<'a>],
    unique: Option<Unique>,
    key: impl Fn(&Item<'a>) -> K,
) -> Vec<(K, i64)> {
    let mut out: FastMap<K, i64> = FastMap::default();
    match unique {
        None => {
            for i in items {
                *out.entry(key(i)).or_default() += 1;
            }
        }
        Some(Unique::MaxPerHash) => {
            let mut per_hash: FastMap<HashKey, K> = FastMap::default();
            per_hash.reserve(items.len());
            for i in items {
                let k = key(i);
                match per_hash.entry(i.fact.hash) {
                    std::collections::hash_map::Entry::Occupied(mut e) => {
                        if k > *e.get() {
                            e.insert(k);
                        }
                    }
                    std::collections::hash_map::Entry::Vacant(e) => {
                        e.insert(k);
                    }
                }
            }
            for k in per_hash.into_values() {
                *out.entry(k).or_default() += 1;
            }
        }
        Some(Unique::DistinctPerGroup) => {
            let mut seen: FastSet<(K, HashKey)> = FastSet::default();
            seen.reserve(items.len());
            for i in items {
                let k = key(i);
                if seen.insert((k.clone(), i.fact.hash)) {
                    *out.entry(k).or_default() += 1;
                }
            }
        }
    }
    let mut out: Vec<(K, i64)> = out.into_iter().collect();
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Counts per key where keys are ranks `0..n` whose order is the order of
/// what they stand for: like [`count_by`], without hashing or sorting keys.
pub(crate) fn count_ranked<'a>(
    items: &[Item<'a>],
    unique: Option<Unique>,
    n: usize,
    key: impl Fn(&Item<'a>) -> u32,
) -> Vec<(u32, i64)> {
    let mut counts = vec![0i64; n];
    let mut add = |k: u32| {
        if let Some(c) = counts.get_mut(k as usize) {
            *c += 1;
        }
    };
    match unique {
        None => items.iter().for_each(|i| add(key(i))),
        Some(Unique::MaxPerHash) => {
            let mut per_hash: FastMap<HashKey, u32> = FastMap::default();
            per_hash.reserve(items.len());
            for i in items {
                let k = key(i);
                let e = per_hash.entry(i.fact.hash).or_insert(k);
                *e = (*e).max(k);
            }
            per_hash.into_values().for_each(&mut add);
        }
        Some(Unique::DistinctPerGroup) => {
            let mut seen: FastSet<(u32, HashKey)> = FastSet::default();
            seen.reserve(items.len());
            for i in items {
                let k = key(i);
                if seen.insert((k, i.fact.hash)) {
                    add(k);
                }
            }
        }
    }
    counts
        .into_iter()
        .enumerate()
        .filter(|(_, c)| *c > 0)
        .map(|(k, c)| (k as u32, c))
        .collect()
}

/// Whether `fact` of `run` passes `plan`'s conditions and comparison.
fn selected(
    plan: &Plan,
    sets: Option<&(super::plan::HashSetRef<'_>, super::plan::HashSetRef<'_>)>,
    run: &RunFacts,
    fact: &Fact,
) -> bool {
    plan.matches(run.run_id, run, fact)
        && sets.is_none_or(|(must, lacks)| must.contains(&fact.hash) && !lacks.contains(&fact.hash))
}

/// `limit`/`offset` as SQL's `LIMIT … OFFSET …` (no limit: no offset).
pub(crate) fn page<T>(v: Vec<T>, limit: Option<i64>, offset: i64) -> Vec<T> {
    match limit {
        Some(l) => v
            .into_iter()
            .skip(usize::try_from(offset.max(0)).unwrap_or(usize::MAX))
            .take(usize::try_from(l.max(0)).unwrap_or(usize::MAX))
            .collect(),
        None => v,
    }
}

/// `getCheckerCounts`: (name, severity, count) by name (then severity).
pub(crate) fn checker_counts(
    snap: &Snapshot,
    items: &[Item<'_>],
    unique: bool,
) -> Vec<(String, i64, i64)> {
    let names = &snap.checkers.names;
    let name = |rank: u32| names.get(rank as usize).cloned().unwrap_or_default();
    if unique {
        // Per hash the greatest name and the greatest severity, then per
        // name the number of hashes and the greatest severity.
        let mut per_hash: FastMap<HashKey, (u32, i64)> = FastMap::default();
        per_hash.reserve(items.len());
        for i in items {
            let c = snap.checker(i.fact);
            let e = per_hash
                .entry(i.fact.hash)
                .or_insert((c.name_rank, c.severity));
            e.0 = e.0.max(c.name_rank);
            e.1 = e.1.max(c.severity);
        }
        let mut out: Vec<Option<(i64, i64)>> = vec![None; names.len()];
        for (rank, sev) in per_hash.into_values() {
            if let Some(slot) = out.get_mut(rank as usize) {
                let e = slot.get_or_insert((sev, 0));
                e.0 = e.0.max(sev);
                e.1 += 1;
            }
        }
        out.into_iter()
            .enumerate()
            .filter_map(|(rank, v)| v.map(|(s, c)| (name(rank as u32), s, c)))
            .collect()
    } else {
        count_by(items, None, |i| {
            let c = snap.checker(i.fact);
            (c.name_rank, c.severity)
        })
        .into_iter()
        .map(|((rank, s), c)| (name(rank), s, c))
        .collect()
    }
}

/// The unique mode of a dimension, when the filter asks for uniqueness.
pub(crate) fn mode(plan: &Plan, unique: Unique) -> Option<Unique> {
    plan.unique.then_some(unique)
}

/// `getRunResultCount`'s `is_outstanding` key (1 outstanding, 0 closed).
pub(crate) fn outstanding_key(fact: &Fact) -> i64 {
    i64::from(is_outstanding(fact))
}

/// One sort key's value of an item (as `reports::sort_exprs` on SQLite).
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum SortValue<'a> {
    Text(&'a str),
    Int(i64),
}

/// Appends the values of `key` for `item` to `out`; `None` for a key the
/// facts lack (annotations).
fn push_sort_values<'a>(
    out: &mut Vec<SortValue<'a>>,
    snap: &'a Snapshot,
    item: &Item<'a>,
    key: ReportSortKey,
    unique: bool,
) -> Option<()> {
    let f = item.fact;
    let file = item.run.files.get(f.file as usize);
    match key {
        ReportSortKey::FileName if unique => {
            out.push(SortValue::Text(file.map_or("", |x| &x.name)))
        }
        ReportSortKey::FileName => {
            // One run: its path ranks are in path order.
            out.push(match (snap.runs.len(), file) {
                (1, Some(x)) => SortValue::Int(i64::from(x.path_rank)),
                _ => SortValue::Text(file.map_or("", |x| &x.path)),
            });
            out.push(SortValue::Int(f.line));
        }
        ReportSortKey::CheckerName => out.push(SortValue::Text(&snap.checker(f).name)),
        ReportSortKey::Severity => out.push(SortValue::Int(snap.checker(f).severity)),
        // SQLite sorts CodeChecker's enum columns by name.
        ReportSortKey::ReviewStatus => out.push(SortValue::Int(review_order(snap.pg, f.review))),
        ReportSortKey::DetectionStatus if unique => {}
        ReportSortKey::DetectionStatus => {
            out.push(SortValue::Int(detection_order(snap.pg, f.detection)))
        }
        ReportSortKey::BugPathLength => out.push(SortValue::Int(f.path_length)),
        ReportSortKey::Timestamp | ReportSortKey::Testcase | ReportSortKey::ChronologicalOrder => {
            return None
        }
    }
    Some(())
}

/// The ids of the page of `items` in the order of `sorts` (then by id), as
/// `ProductDb::reports` orders; in unique mode one report per bug hash (the
/// newest). `None` when a sort key needs SQL.
pub(crate) fn page_ids(
    snap: &Snapshot,
    items: Vec<Item<'_>>,
    sorts: &[ReportSort],
    unique: bool,
    limit: Option<i64>,
    offset: i64,
) -> Option<Vec<i64>> {
    let items = if unique {
        let mut newest: FastMap<HashKey, Item<'_>> = FastMap::default();
        for i in items {
            newest
                .entry(i.fact.hash)
                .and_modify(|old| {
                    if i.fact.id > old.fact.id {
                        *old = i;
                    }
                })
                .or_insert(i);
        }
        newest.into_values().collect()
    } else {
        items
    };
    let (skip, take) = match limit {
        Some(l) => (
            usize::try_from(offset.max(0)).unwrap_or(usize::MAX),
            usize::try_from(l.max(0)).unwrap_or(usize::MAX),
        ),
        None => (0, usize::MAX),
    };
    // The usual sorts (severity, statuses, path length, or file and line
    // in one run): integer keys made straight from the facts.
    let single = snap.runs.len() == 1;
    if let Some(keyed) = items
        .iter()
        .map(|i| int_key(snap, i, sorts, unique, single).map(|k| (k, i.fact.id)))
        .collect::<Option<Vec<([i64; 2], i64)>>>()
    {
        return Some(top(keyed, skip, take, Ord::cmp));
    }
    // The sort values of every item in one flat array, `width` per item.
    let width: usize = sorts
        .iter()
        .map(|s| match (s.key, unique) {
            (ReportSortKey::FileName, false) => 2,
            (ReportSortKey::DetectionStatus, true) => 0,
            _ => 1,
        })
        .sum();
    let mut values: Vec<SortValue<'_>> = Vec::with_capacity(items.len() * width);
    for i in &items {
        for s in sorts {
            push_sort_values(&mut values, snap, i, s.key, unique)?;
        }
    }
    // Which value positions sort descending.
    let mut descending = Vec::with_capacity(width);
    for s in sorts {
        let n = match (s.key, unique) {
            (ReportSortKey::FileName, false) => 2,
            (ReportSortKey::DetectionStatus, true) => 0,
            _ => 1,
        };
        descending.extend(std::iter::repeat_n(s.descending, n));
    }
    let cmp = |a: &(u32, i64), b: &(u32, i64)| -> Ordering {
        let (x, y) = (a.0 as usize * width, b.0 as usize * width);
        for k in 0..width {
            let o = values[x + k].cmp(&values[y + k]);
            if o != Ordering::Equal {
                return if descending[k] { o.reverse() } else { o };
            }
        }
        a.1.cmp(&b.1)
    };
    let keyed: Vec<(u32, i64)> = items
        .iter()
        .enumerate()
        .map(|(n, i)| (n as u32, i.fact.id))
        .collect();
    Some(top(keyed, skip, take, cmp))
}

/// Up to two integer sort values of `item` for `sorts` (a descending one
/// bit-inverted), or `None` when a key is text or there are more values.
pub(crate) fn int_key(
    snap: &Snapshot,
    item: &Item<'_>,
    sorts: &[ReportSort],
    unique: bool,
    single_run: bool,
) -> Option<[i64; 2]> {
    let f = item.fact;
    let mut key = [0i64; 2];
    let mut n = 0;
    let mut push = |v: i64, descending: bool| -> Option<()> {
        *key.get_mut(n)? = if descending { !v } else { v };
        n += 1;
        Some(())
    };
    for s in sorts {
        let d = s.descending;
        match s.key {
            ReportSortKey::FileName if !unique && single_run => {
                push(i64::from(item.file()?.path_rank), d)?;
                push(f.line, d)?;
            }
            ReportSortKey::Severity => push(snap.checker(f).severity, d)?,
            ReportSortKey::ReviewStatus => push(review_order(snap.pg, f.review), d)?,
            ReportSortKey::DetectionStatus if unique => {}
            ReportSortKey::DetectionStatus => push(detection_order(snap.pg, f.detection), d)?,
            ReportSortKey::BugPathLength => push(f.path_length, d)?,
            _ => return None,
        }
    }
    Some(key)
}

/// The order of a review status as the database sorts CodeChecker's enum
/// column (`reports::sort_exprs`): by name on SQLite, by declaration order
/// (the stored number) on PostgreSQL.
fn review_order(pg: bool, review: u8) -> i64 {
    if pg {
        return i64::from(review);
    }
    match review {
        1 => 0,
        2 => 1,
        3 => 2,
        _ => 3,
    }
}

/// The order of a detection status as the database sorts it (see
/// [`review_order`]).
fn detection_order(pg: bool, detection: u8) -> i64 {
    match (pg, detection) {
        (true, 0) => 0,
        (true, 2) => 1,
        (true, 1) => 2,
        (true, 3) => 3,
        (true, 4) => 4,
        (true, _) => 5,
        (false, 0) => 0,
        (false, 4) => 1,
        (false, 3) => 2,
        (false, 1) => 3,
        (false, 5) => 4,
        (false, _) => 5,
    }
}

/// The ids of `keyed[skip..skip + take]` in the order of `cmp`, sorting
/// only what the page needs.
fn top<T>(
    mut keyed: Vec<(T, i64)>,
    skip: usize,
    take: usize,
    cmp: impl Fn(&(T, i64), &(T, i64)) -> Ordering,
) -> Vec<i64> {
    let end = skip.saturating_add(take);
    if end == 0 {
        return Vec::new();
    }
    if end < keyed.len() {
        keyed.select_nth_unstable_by(end - 1, &cmp);
        keyed.truncate(end);
    }
    keyed.sort_unstable_by(&cmp);
    keyed
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|(_, id)| id)
        .collect()
}
