//! Run administration, source components and filter presets on both
//! backends: batched run removal refused while a store holds the run,
//! report removal by filter, renaming, component file sets (on save and on
//! store) and the three component filter modes, preset errors.

use crate::common;

use common::*;
use productdb::{Error, OpenOptions, ReportFilter, RunFilter, StoreReport, OTHER_COMPONENT};

fn files() -> Vec<productdb::StoreFile> {
    vec![
        file("/p/lib/a.c", "a"),
        file("/p/lib/b.c", "b"),
        file("/p/app/main.c", "m"),
    ]
}

/// A report in `path` whose bug path also visits `via`.
fn crossing(path: &str, via: &str, line: i64, hash: &str) -> StoreReport {
    let mut r = report(path, line, "A", hash);
    r.positions.push(range(via, 2, 1));
    r
}

fn hashes(db: &productdb::ProductDb, f: &ReportFilter) -> Vec<String> {
    let q = productdb::ReportQuery {
        filter: f.clone(),
        sort: Some(Vec::new()),
        ..Default::default()
    };
    let mut v: Vec<String> = db
        .reports(&q)
        .expect("reports")
        .into_iter()
        .map(|r| r.bug_hash)
        .collect();
    v.sort();
    v
}

fn components(names: &[&str], any: bool, single: bool) -> ReportFilter {
    ReportFilter {
        component_names: Some(names.iter().map(|s| (*s).to_owned()).collect()),
        component_matches_any_point: any,
        full_report_path_in_component: single,
        ..Default::default()
    }
}

#[test]
fn component_filters_match_codecheckers_sets() {
    for t in backends() {
        let db = &t.db;
        store(
            db,
            run("comp", &["A"], &[]),
            files(),
            vec![
                report("/p/lib/a.c", 1, "A", "in-a"),
                crossing("/p/app/main.c", "/p/lib/b.c", 3, "main-via-b"),
                report("/p/app/main.c", 4, "A", "main"),
                crossing("/p/lib/a.c", "/p/lib/a.c", 5, "a-via-a"),
            ],
        );
        // "Other" with no component at all: no condition.
        assert_eq!(
            hashes(db, &components(&[OTHER_COMPONENT], false, false)).len(),
            4
        );
        db.save_source_component("lib", "+/p/lib/*\n-/p/lib/b.c", Some("d"), Some("bob"))
            .expect("save");
        db.save_source_component("single", "+/p/lib/a.c", None, None)
            .expect("save");
        assert_eq!(
            hashes(db, &components(&["lib"], false, false)),
            ["a-via-a", "in-a"],
            "{}",
            t.label
        );
        assert_eq!(
            hashes(db, &components(&[OTHER_COMPONENT], false, false)),
            ["main", "main-via-b"],
            "{}",
            t.label
        );
        assert_eq!(
            hashes(db, &components(&[OTHER_COMPONENT], true, false)),
            ["main", "main-via-b"],
            "{}",
            t.label
        );
        // b.c is excluded from lib, so only the path through... nothing.
        assert_eq!(
            hashes(db, &components(&["lib"], true, false)),
            ["a-via-a", "in-a"],
            "{}",
            t.label
        );
        // Single origin: a one-file component keeps the reports lying
        // wholly in it.
        assert_eq!(
            hashes(db, &components(&["single"], false, true)),
            ["a-via-a", "in-a"],
            "{}",
            t.label
        );
        assert!(hashes(db, &components(&["nosuch"], false, false)).is_empty());

        // Updating recomputes; a later store links its new files.
        db.save_source_component("lib", "+/p/lib/*", None, None)
            .expect("update");
        assert_eq!(
            hashes(db, &components(&["lib"], true, false)),
            ["a-via-a", "in-a", "main-via-b"],
            "{}",
            t.label
        );
        store(
            db,
            run("comp2", &["A"], &[]),
            vec![file("/p/lib/new.c", "n")],
            vec![report("/p/lib/new.c", 1, "A", "new")],
        );
        assert!(hashes(db, &components(&["lib"], false, false)).contains(&"new".to_owned()));

        let listed = db.source_components(&[]).expect("list");
        assert_eq!(
            listed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["lib", "single"]
        );
        assert_eq!(db.source_components(&["L*".into()]).expect("list").len(), 1);
        assert!(db.remove_source_component("lib").expect("remove"));
        assert!(!db.remove_source_component("lib").expect("remove again"));
        assert!(hashes(db, &components(&["lib"], false, false)).is_empty());
    }
}

#[test]
fn an_empty_component_matches_nothing() {
    for t in backends() {
        let db = &t.db;
        store(
            db,
            run("empty", &["A"], &[]),
            files(),
            vec![report("/p/lib/a.c", 1, "A", "x")],
        );
        db.save_source_component("nothing", "", None, None)
            .expect("save");
        db.save_source_component("plus", "+", None, None)
            .expect("save");
        for name in ["nothing", "plus"] {
            assert!(
                hashes(db, &components(&[name], false, false)).is_empty(),
                "{}",
                t.label
            );
        }
        assert_eq!(
            hashes(db, &components(&[OTHER_COMPONENT], false, false)),
            ["x"]
        );
    }
}

#[test]
fn removal_is_batched_and_refused_while_storing() {
    let opts = || OpenOptions {
        remove_batch: 3,
        ..OpenOptions::default()
    };
    for t in backends_with(opts) {
        let db = &t.db;
        let many: Vec<StoreReport> = (0..10)
            .map(|i| report("/p/lib/a.c", i + 1, "A", &format!("h{i}")))
            .collect();
        let big = store(db, run("big", &["A"], &[]), files(), many);
        let keep = store(
            db,
            run("keep", &["A"], &[]),
            files(),
            vec![report("/p/lib/b.c", 1, "A", "k")],
        );

        let lock = db.acquire_run_lock("big", "alice").expect("lock");
        match db.remove_runs_as(&[big.run_id], "bob") {
            Err(Error::RunsLocked { runs }) => assert_eq!(runs, ["big"]),
            other => panic!("{}: {other:?}", t.label),
        }
        assert!(matches!(
            db.refuse_locked(None),
            Err(Error::RunsLocked { .. })
        ));
        db.release_run_lock(&lock).expect("release");

        assert_eq!(
            db.remove_runs_as(&[big.run_id, 424_242], "bob")
                .expect("remove"),
            ["big"]
        );
        assert!(db.locked_runs().expect("locks").is_empty(), "{}", t.label);
        assert_eq!(db.run_count(&RunFilter::default()).expect("runs"), 1);
        assert_eq!(reports_of(db, keep.run_id).len(), 1);
        assert_eq!(
            db.report_count(None, &ReportFilter::default(), None)
                .expect("count"),
            1
        );
        // The run can be stored again under the same name.
        store(
            db,
            run("big", &["A"], &[]),
            files(),
            vec![report("/p/lib/a.c", 1, "A", "again")],
        );
    }
}

#[test]
fn reports_are_removed_by_filter() {
    for t in backends() {
        let db = &t.db;
        let r = store(
            db,
            run("filtered", &["A", "B"], &[]),
            files(),
            vec![
                report("/p/lib/a.c", 1, "A", "a1"),
                report("/p/lib/a.c", 2, "B", "b1"),
                report("/p/lib/b.c", 3, "B", "b2"),
            ],
        );
        let f = ReportFilter {
            checker_names: Some(vec!["B".into()]),
            ..Default::default()
        };
        let ids = db
            .report_ids_matching(Some(&[r.run_id]), &f, None)
            .expect("ids");
        assert_eq!(ids.len(), 2);
        assert_eq!(db.remove_reports(&[r.run_id], &ids).expect("remove"), 2);
        let left: Vec<String> = reports_of(db, r.run_id)
            .into_iter()
            .map(|r| r.bug_hash)
            .collect();
        assert_eq!(left, ["a1"], "{}", t.label);
    }
}

#[test]
fn runs_are_renamed() {
    for t in backends() {
        let db = &t.db;
        let a = store(db, run("one", &["A"], &[]), files(), vec![]);
        store(db, run("two", &["A"], &[]), files(), vec![]);
        assert!(matches!(
            db.rename_run(a.run_id, "two"),
            Err(Error::Duplicate { .. })
        ));
        assert!(matches!(
            db.rename_run(999_999, "three"),
            Err(Error::NotFound { .. })
        ));
        db.rename_run(a.run_id, "three").expect("rename");
        assert_eq!(db.run_id("three").expect("id"), Some(a.run_id));
        let all = RunFilter {
            names: Some(vec!["t*".into()]),
            ..Default::default()
        };
        assert_eq!(
            db.run_ids_matching(&all).expect("ids").len(),
            2,
            "{}",
            t.label
        );
    }
}

#[test]
fn presets_are_stored_renamed_and_deleted() {
    for t in backends() {
        let db = &t.db;
        let id = db.store_filter_preset(None, "mine", "{}").expect("store");
        assert!(matches!(
            db.store_filter_preset(None, "mine", "{}"),
            Err(Error::Duplicate { .. })
        ));
        let other = db
            .store_filter_preset(None, "other", "{\"isUnique\":true}")
            .expect("store");
        assert_eq!(
            db.store_filter_preset(Some(id), "mine2", "[]")
                .expect("update"),
            id
        );
        assert!(matches!(
            db.store_filter_preset(Some(12345), "x", "{}"),
            Err(Error::NotFound { .. })
        ));
        assert!(matches!(
            db.rename_filter_preset(id, "other"),
            Err(Error::Duplicate { .. })
        ));
        assert!(matches!(
            db.rename_filter_preset(777, "z"),
            Err(Error::NotFound { .. })
        ));
        assert_eq!(db.rename_filter_preset(id, "mine2").expect("same name"), id);
        db.rename_filter_preset(id, "renamed").expect("rename");
        let all = db.filter_presets().expect("list");
        assert_eq!(
            all.iter()
                .map(|p| (p.id, p.name.as_str()))
                .collect::<Vec<_>>(),
            [(id, "renamed"), (other, "other")],
            "{}",
            t.label
        );
        assert_eq!(
            db.filter_preset(id).expect("get").map(|p| p.report_filter),
            Some("[]".into())
        );
        db.delete_filter_preset(id).expect("delete");
        assert!(matches!(
            db.delete_filter_preset(id),
            Err(Error::NotFound { .. })
        ));
        assert!(db.filter_preset(id).expect("get").is_none());
    }
}

#[test]
fn cleanup_plans_hold_hashes_and_filter_reports() {
    use productdb::CleanupPlanFilter;
    for t in backends() {
        let db = &t.db;
        store(
            db,
            run("plans", &["A"], &[]),
            files(),
            vec![
                report("/p/lib/a.c", 1, "A", "h1"),
                report("/p/lib/b.c", 2, "A", "h2"),
                report("/p/app/main.c", 3, "A", "h3"),
            ],
        );
        let a = db
            .add_cleanup_plan("a", Some("first"), Some(1_900_000_000))
            .expect("add");
        let b = db.add_cleanup_plan("b", None, None).expect("add");
        assert!(matches!(
            db.add_cleanup_plan("a", None, None),
            Err(Error::Duplicate { .. })
        ));
        assert!(matches!(
            db.update_cleanup_plan(a, "b", None, None),
            Err(Error::Duplicate { .. })
        ));
        assert!(matches!(
            db.remove_cleanup_plan(999),
            Err(Error::NotFound { .. })
        ));
        db.update_cleanup_plan(a, "a2", Some("renamed"), Some(1_900_000_001))
            .expect("update");
        let h = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        db.add_cleanup_plan_hashes(a, &h(&["h1", "h2", "h1"]))
            .expect("set");
        db.add_cleanup_plan_hashes(a, &h(&["h2"]))
            .expect("set again");
        assert!(matches!(
            db.add_cleanup_plan_hashes(b, &h(&["h3", "h2"])),
            Err(Error::Duplicate { .. })
        ));
        db.add_cleanup_plan_hashes(b, &h(&["h3"])).expect("set");
        let by = |names: &[&str]| {
            hashes(
                db,
                &ReportFilter {
                    cleanup_plan_names: Some(h(names)),
                    ..Default::default()
                },
            )
        };
        assert_eq!(by(&["a2"]), ["h1", "h2"], "{}", t.label);
        assert_eq!(by(&["a2", "b"]), ["h1", "h2", "h3"], "{}", t.label);
        assert!(by(&["none"]).is_empty());

        db.set_cleanup_plan_closed(a, true).expect("close");
        let closed = db
            .cleanup_plans(&CleanupPlanFilter {
                is_open: Some(false),
                ..Default::default()
            })
            .expect("list");
        assert_eq!(closed.len(), 1);
        assert_eq!(closed[0].name, "a2");
        assert_eq!(closed[0].due_date, Some(1_900_000_001));
        assert!(closed[0].closed_at.is_some());
        assert_eq!(closed[0].report_hashes, ["h1", "h2"]);
        db.set_cleanup_plan_closed(a, false).expect("reopen");
        db.remove_cleanup_plan_hashes(a, &h(&["h1", "zz"]))
            .expect("unset");
        let all = db
            .cleanup_plans(&CleanupPlanFilter::default())
            .expect("list");
        assert_eq!(
            all.iter()
                .map(|p| (p.name.as_str(), p.closed_at, p.report_hashes.clone()))
                .collect::<Vec<_>>(),
            [("a2", None, h(&["h2"])), ("b", None, h(&["h3"]))],
            "{}",
            t.label
        );
        db.remove_cleanup_plan(a).expect("remove");
        assert!(by(&["a2"]).is_empty());
        // The removed plan's hashes are free again.
        db.add_cleanup_plan_hashes(b, &h(&["h2"])).expect("set");
        let only = db
            .cleanup_plans(&CleanupPlanFilter {
                ids: Some(vec![b]),
                names: Some(h(&["b"])),
                is_open: Some(true),
            })
            .expect("list");
        assert_eq!(only[0].report_hashes, ["h2", "h3"]);
    }
}
