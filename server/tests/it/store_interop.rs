//! `CodeChecker store` (6.29.1 asynchronous, `--detach`, forced synchronous;
//! 6.24.4 blocking) into our server, compared run by run with what
//! CodeChecker's own 6.29.1 server returns for the same report directories
//! (`cmd runs` and `cmd results --details` with every status).

use crate::support;

use serde_json::Value;
use support::pg::PgDatabase;
use support::python::{codechecker, CliOutput, Venv};
use support::reference::RefServer;
use support::server::Server;
use support::store::{all_results, compare, generate, store_server, CorpusSpec};

/// Stores `dir` as `run` into `url` with `venv`'s client; panics on failure.
fn store(
    venv: Venv,
    dir: &str,
    run: &str,
    url: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> CliOutput {
    let mut args = vec!["store", dir, "-n", run, "--url", url];
    args.extend_from_slice(extra);
    let out = codechecker(venv, &args, env);
    out.assert_success();
    out.assert_no_protocol_error();
    out
}

/// The reference stores with the blocking call: same result, no 5 s polls.
fn store_reference(reference: &RefServer, dir: &str, run: &str, extra: &[&str]) {
    let url = format!("{}/Default", reference.cli_url());
    store(
        Venv::Current,
        dir,
        run,
        &url,
        extra,
        &[("CC_FORCE_SYNC_STORE", "yes")],
    );
}

fn assert_equal(ours: &Server, reference: &RefServer, product: &str, runs: &[&str]) -> Value {
    let cmp = compare(
        &format!("{}/Default", reference.cli_url()),
        &format!("{}/{product}", ours.cli_url()),
        runs,
    );
    assert!(
        cmp.equal,
        "our server differs from CodeChecker's for {runs:?}:\n{}\n--- our log ---\n{}",
        cmp.text,
        ours.log()
    );
    cmp.summary
}

/// Counts of a run's reports per detection status, as `cmd results` shows.
fn detection_counts(ours: &Server, run: &str) -> std::collections::BTreeMap<i64, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for r in all_results(&ours.product_url(), run) {
        *counts
            .entry(r["detectionStatus"].as_i64().unwrap_or(-1))
            .or_insert(0) += 1;
    }
    counts
}

#[test]
fn evolution_and_review_comments_match_codechecker() {
    let reference = RefServer::start(false);
    let ours = store_server().start();
    let work = tempfile::tempdir().expect("temp dir");
    let src = work.path().join("src");
    let base = generate(
        &CorpusSpec {
            comments: true,
            review_yaml: true,
            ..Default::default()
        },
        &work.path().join("base"),
        &src,
    );
    let evolved = generate(
        &CorpusSpec {
            comments: true,
            review_yaml: true,
            version: "evolved",
            ..Default::default()
        },
        &work.path().join("evolved"),
        &src,
    );
    let url = ours.product_url();

    // 6.29.1, asynchronous store with polling.
    store(Venv::Current, &base.arg(), "evo", &url, &[], &[]);
    store_reference(&reference, &base.arg(), "evo", &[]);
    let summary = assert_equal(&ours, &reference, "Default", &["evo"]);
    assert_eq!(summary["reports"]["evo"][1].as_i64(), Some(base.reports()));

    // A later version: new, unresolved, resolved, off and unavailable.
    store(Venv::Current, &evolved.arg(), "evo", &url, &[], &[]);
    store_reference(&reference, &evolved.arg(), "evo", &[]);
    assert_equal(&ours, &reference, "Default", &["evo"]);
    let counts = detection_counts(&ours, "evo");
    for status in [0, 1, 2, 4, 5] {
        assert!(
            counts.get(&status).copied().unwrap_or(0) > 0,
            "no reports of status {status}: {counts:?}"
        );
    }

    // The base again: what was resolved is reopened.
    store(Venv::Current, &base.arg(), "evo", &url, &[], &[]);
    store_reference(&reference, &base.arg(), "evo", &[]);
    assert_equal(&ours, &reference, "Default", &["evo"]);
    assert!(detection_counts(&ours, "evo").get(&3).copied().unwrap_or(0) > 0);

    // Review statuses from source comments were applied.
    let out = codechecker(
        Venv::Current,
        &[
            "cmd",
            "results",
            "evo",
            "--url",
            &url,
            "-o",
            "json",
            "--review-status",
            "false_positive",
            "intentional",
            "confirmed",
        ],
        &[],
    );
    out.assert_success();
    let reviewed = out.json().as_array().map_or(0, Vec::len);
    assert!(
        reviewed > 0,
        "no report got a review status from source comments"
    );
}

#[test]
fn store_flags_and_older_clients_match_codechecker() {
    let reference = RefServer::start(false);
    let ours = store_server().start();
    let work = tempfile::tempdir().expect("temp dir");
    let src = work.path().join("src");
    let base = generate(
        &CorpusSpec {
            files: 5,
            reports: 6,
            seed: 3,
            ..Default::default()
        },
        &work.path().join("base"),
        &src,
    );
    let evolved = generate(
        &CorpusSpec {
            files: 5,
            reports: 6,
            seed: 3,
            version: "evolved",
            ..Default::default()
        },
        &work.path().join("evolved"),
        &src,
    );
    let url = ours.product_url();
    let prefix = src.display().to_string();

    // --trim-path-prefix, --tag, --description.
    let flags = [
        "--trim-path-prefix",
        prefix.as_str(),
        "--tag",
        "v1",
        "--description",
        "first store",
    ];
    store(Venv::Current, &base.arg(), "flags", &url, &flags, &[]);
    store_reference(&reference, &base.arg(), "flags", &flags);
    // --force replaces the run's results.
    let forced = ["--force", "--tag", "v2"];
    store(Venv::Current, &evolved.arg(), "flags", &url, &forced, &[]);
    store_reference(&reference, &evolved.arg(), "flags", &forced);

    // --detach, then await the task by its token.
    let detached = store(
        Venv::Current,
        &base.arg(),
        "detached",
        &url,
        &["--detach"],
        &[],
    );
    let token = detached
        .stdout
        .lines()
        .map(str::trim)
        .rfind(|l| l.len() >= 32 && l.chars().all(|c| c.is_ascii_hexdigit()))
        .unwrap_or_else(|| panic!("--detach printed no token:\n{}", detached.all()))
        .to_owned();
    let awaited = codechecker(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &ours.cli_url(),
            "--token",
            &token,
            "--await",
        ],
        &[],
    );
    awaited.assert_success();
    assert!(awaited.all().contains("COMPLETED"), "{}", awaited.all());
    store_reference(&reference, &base.arg(), "detached", &[]);

    // 6.29.1 forced to the blocking call, and 6.24.4 (always blocking).
    store(
        Venv::Current,
        &base.arg(),
        "sync",
        &url,
        &[],
        &[("CC_FORCE_SYNC_STORE", "yes")],
    );
    store_reference(&reference, &base.arg(), "sync", &[]);
    store(Venv::Legacy, &base.arg(), "legacy", &url, &[], &[]);
    store_reference(&reference, &base.arg(), "legacy", &[]);
    store(Venv::Legacy, &evolved.arg(), "legacy", &url, &[], &[]);
    store_reference(&reference, &evolved.arg(), "legacy", &[]);

    assert_equal(
        &ours,
        &reference,
        "Default",
        &["flags", "detached", "sync", "legacy"],
    );

    // A second product, on PostgreSQL.
    let Some(pg) = PgDatabase::create("the PostgreSQL product store") else {
        return;
    };
    let base_url = support::pg::pg_base();
    let (user, hostport) = base_url
        .trim_start_matches("postgres://")
        .split_once('@')
        .expect("pg_base has a user");
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "5432"));
    let added = codechecker(
        Venv::Current,
        &[
            "cmd",
            "products",
            "add",
            "pgprod",
            "--name",
            "On PostgreSQL",
            "--url",
            &ours.cli_url(),
            "--postgresql",
            "--dbaddress",
            host,
            "--dbport",
            port,
            "--dbusername",
            user,
            "--dbname",
            &pg.name,
        ],
        &[],
    );
    added.assert_success();
    let pg_url = format!("{}/pgprod", ours.cli_url());
    store(Venv::Current, &base.arg(), "pgrun", &pg_url, &[], &[]);
    store(Venv::Current, &evolved.arg(), "pgrun", &pg_url, &[], &[]);
    store_reference(&reference, &base.arg(), "pgrun", &[]);
    store_reference(&reference, &evolved.arg(), "pgrun", &[]);
    assert_equal(&ours, &reference, "pgprod", &["pgrun"]);
    let removed = codechecker(
        Venv::Current,
        &["cmd", "products", "del", "pgprod", "--url", &ours.cli_url()],
        &[],
    );
    removed.assert_success();
}
