//! A real analysis: the small C code base of `tests/fixtures/clang-project`
//! analysed by CodeChecker 6.29.1 with the Clang Static Analyzer and
//! clang-tidy, in two versions stored one after the other into the same run,
//! into our server and into CodeChecker's own. Both must return the same
//! `cmd runs` and `cmd results --details` (ids and times aside), including
//! the detection statuses (new, resolved, unresolved) of the second store and
//! the review statuses of the in-source `codechecker_*` comments.
//!
//! Needs `clang` and `clang-tidy` on `PATH` (`tests/tools/ensure-deps.sh`
//! installs them): without them the test is skipped, or fails under `CI=true`.

use crate::support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;
use support::clang::{analyze, checkout, compile_commands, have_clang};
use support::python::{codechecker, Venv};
use support::reference::RefServer;
use support::server::Server;
use support::store::{all_results, compare, store_server};

/// The run both versions are stored into.
const RUN: &str = "clang";

/// At least this many reports per version (the fixture gives 29 and 24 with
/// clang 14), so that a failing analyzer cannot pass the test vacuously.
const MIN_REPORTS: [usize; 2] = [20, 16];

/// Stores `dir` as [`RUN`] into our server and into the reference.
fn store_both(ours: &Server, reference: &RefServer, dir: &Path) {
    let dir = dir.display().to_string();
    for (url, env) in [
        (ours.product_url(), &[][..]),
        (
            format!("{}/Default", reference.cli_url()),
            // The reference stores with the blocking call: no 5 s polls.
            &[("CC_FORCE_SYNC_STORE", "yes")][..],
        ),
    ] {
        let out = codechecker(
            Venv::Current,
            &["store", &dir, "-n", RUN, "--url", &url],
            env,
        );
        out.assert_success();
        out.assert_no_protocol_error();
    }
}

/// Compares the run on both servers; returns the number of reports.
fn assert_equal(ours: &Server, reference: &RefServer) -> i64 {
    let cmp = compare(
        &format!("{}/Default", reference.cli_url()),
        &ours.product_url(),
        &[RUN],
    );
    assert!(
        cmp.equal,
        "our server differs from CodeChecker's:\n{}\n--- our log ---\n{}",
        cmp.text,
        ours.log()
    );
    cmp.summary["reports"][RUN][1].as_i64().unwrap_or(-1)
}

/// The run's reports on our server, with every status.
fn results(ours: &Server) -> Vec<Value> {
    all_results(&ours.product_url(), RUN)
}

/// The review status (a number, `ReviewStatus`) of the report of `checker`
/// in the file ending with `file`.
fn review_status(reports: &[Value], checker: &str, file: &str) -> Vec<i64> {
    reports
        .iter()
        .filter(|r| {
            r["checkerId"] == checker
                && r["checkedFile"]
                    .as_str()
                    .is_some_and(|f| f.ends_with(&format!("/{file}")))
        })
        .map(|r| r["reviewData"]["status"].as_i64().unwrap_or(-1))
        .collect()
}

/// `ReviewStatus`: FALSE_POSITIVE and INTENTIONAL.
const FALSE_POSITIVE: i64 = 2;
const INTENTIONAL: i64 = 3;

fn assert_review_statuses(reports: &[Value]) {
    // `// codechecker_suppress [deadcode.DeadStores]` in main.c.
    assert_eq!(
        review_status(reports, "deadcode.DeadStores", "main.c"),
        [FALSE_POSITIVE],
        "the suppressed dead store of main.c"
    );
    // `// codechecker_intentional [cert-err33-c]` in report.c: one of its
    // unchecked calls.
    assert!(
        review_status(reports, "cert-err33-c", "report.c").contains(&INTENTIONAL),
        "no intentional cert-err33-c report in report.c"
    );
}

#[test]
fn real_clang_analysis_matches_codechecker() {
    if !have_clang() {
        return;
    }
    let started = std::time::Instant::now();
    let work = tempfile::tempdir().expect("temp dir");
    let src = work.path().join("src");

    // Version 1: analyse first, so that a broken analyzer fails fast.
    checkout("v1", &src);
    let cdb = compile_commands(&src, work.path());
    let reports_v1 = work.path().join("reports_v1");
    let found = analyze(&cdb, &reports_v1);
    for analyzer in ["clangsa", "clang-tidy"] {
        assert!(
            found.get(analyzer).copied().unwrap_or(0) > 0,
            "{analyzer} found nothing in v1: {found:?}"
        );
    }
    let total: usize = found.values().sum();
    assert!(
        total >= MIN_REPORTS[0],
        "the analysis of v1 found {total} reports, expected at least {}",
        MIN_REPORTS[0]
    );

    let reference = RefServer::start(false);
    let ours = store_server().start();
    store_both(&ours, &reference, &reports_v1);
    let stored = assert_equal(&ours, &reference);
    assert!(
        usize::try_from(stored).is_ok_and(|n| n >= MIN_REPORTS[0]),
        "v1 stored {stored} reports"
    );
    assert_review_statuses(&results(&ours));

    // Version 2 into the same run: sources replaced (newer than the v1
    // reports, older than the v2 ones), analysed again.
    checkout("v2", &src);
    let cdb = compile_commands(&src, work.path());
    let reports_v2 = work.path().join("reports_v2");
    let found = analyze(&cdb, &reports_v2);
    let total: usize = found.values().sum();
    assert!(
        total >= MIN_REPORTS[1],
        "the analysis of v2 found {total} reports, expected at least {}",
        MIN_REPORTS[1]
    );
    store_both(&ours, &reference, &reports_v2);
    assert_equal(&ours, &reference);

    let reports = results(&ours);
    let mut counts: BTreeMap<i64, usize> = BTreeMap::new();
    for r in &reports {
        *counts
            .entry(r["detectionStatus"].as_i64().unwrap_or(-1))
            .or_insert(0) += 1;
    }
    eprintln!("detection statuses after v2 (0 new, 1 resolved, 2 unresolved): {counts:?}");
    for (status, name) in [(0, "new"), (1, "resolved"), (2, "unresolved")] {
        assert!(
            counts.get(&status).copied().unwrap_or(0) > 0,
            "no {name} reports after v2: {counts:?}"
        );
    }
    assert_review_statuses(&reports);
    eprintln!("real analysis test took {:?}", started.elapsed());
}
