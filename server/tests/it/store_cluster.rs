//! Stores in a cluster: two servers on one PostgreSQL configuration database
//! and one product. A store accepted by either server is kept in the
//! configuration database, so the other server's workers run it: when the
//! accepting server has no workers, and when it dies (SIGKILL to every
//! process) with stores queued and running. The runs equal the same stores
//! on a quiet server of its own.

use crate::support;

use std::sync::OnceLock;
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::json;
use support::pg::PgDatabase;
use support::python::{codechecker, PyApi, Venv};
use support::server::{Server, ServerBuilder};
use support::store::{compare, generate, store_server, upload_of, Corpus, CorpusSpec};
use support::tasks::{status, task_comments, task_status, TaskApi};

/// The product both servers of a cluster store into.
const PRODUCT: &str = "shared";

/// A quiet single server (SQLite) that stores the same inputs, for the
/// comparisons.
fn quiet() -> &'static Server {
    static QUIET: OnceLock<&'static Server> = OnceLock::new();
    QUIET.get_or_init(|| store_server().start_shared())
}

/// A configuration database with the product [`PRODUCT`] on a PostgreSQL
/// database of its own; `None` without PostgreSQL (outside CI).
fn cluster_databases(what: &str) -> Option<(PgDatabase, PgDatabase)> {
    let config = PgDatabase::create(what)?;
    let product = PgDatabase::create(what)?;
    let db = configdb::ConfigDb::open(&config.url).expect("open the configuration");
    db.add_product(&configdb::ProductSpec::new(PRODUCT, product.url.clone()))
        .expect("add the shared product");
    Some((config, product))
}

/// A server of the cluster on `config`.
fn node(id: &str, config: &PgDatabase) -> ServerBuilder {
    store_server().machine_id(id).config_db(&config.url).api(1)
}

fn product_url(server: &Server) -> String {
    format!("{}/{PRODUCT}", server.cli_url())
}

/// Rows left in `task_inputs` of the configuration database at `url`.
fn stored_input_rows(url: &str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = PgConnection::establish(url).expect("connect to the configuration");
    diesel::sql_query("SELECT count(*) AS n FROM task_inputs")
        .get_result::<Count>(&mut conn)
        .expect("count task_inputs")
        .n
}

/// Stores `corpus` as `run` with CodeChecker's client at `url`.
fn client_store(corpus: &Corpus, run: &str, url: &str) {
    codechecker(
        Venv::Current,
        &["store", &corpus.arg(), "-n", run, "--url", url],
        &[],
    )
    .assert_success();
}

/// `massStoreRunAsynchronous` of `upload` as `run` at `url`; the token.
fn submit(url: &str, upload: &str, run: &str) -> String {
    let mut py = PyApi::new(Venv::Current);
    py.call(
        &format!("{url}/v6.74/CodeCheckerService"),
        "CodeCheckerService",
        "massStoreRunAsynchronous",
        json!([upload, {"runName": run, "version": "6.29.1"}]),
    )
    .ok()
    .as_str()
    .expect("a token")
    .to_owned()
}

fn assert_same_runs(ours: &str, reference: &str, runs: &[&str]) {
    let cmp = compare(ours, reference, runs);
    assert!(
        cmp.equal,
        "the cluster's runs differ from the quiet server's:\n{}",
        cmp.text
    );
}

#[test]
fn a_store_accepted_by_a_server_without_workers_runs_on_another() {
    let Some((config, _product)) = cluster_databases("store_cluster") else {
        return;
    };
    let a = node("store-cluster-api-only", &config).workers(0).start();
    let b = node("store-cluster-workers", &config).workers(2).start();
    let work = tempfile::tempdir().expect("temp dir");
    let corpus = generate(
        &CorpusSpec {
            files: 8,
            reports: 6,
            seed: 21,
            ..CorpusSpec::default()
        },
        &work.path().join("reports"),
        &work.path().join("src"),
    );

    // CodeChecker's client, talking to the server without workers only.
    client_store(&corpus, "through-a", &product_url(&a));
    client_store(&corpus, "through-a", &quiet().product_url());

    assert!(
        b.log()
            .contains("store upload fetched from the configuration database"),
        "node B did not fetch the upload:\n{}",
        b.log()
    );
    assert!(a
        .log()
        .contains("store upload kept in the configuration database"));
    assert_same_runs(&product_url(&b), &quiet().product_url(), &["through-a"]);
    assert_eq!(
        stored_input_rows(&config.url),
        0,
        "the upload was not removed"
    );
    a.assert_no_child_died();
    b.assert_no_child_died();
}

#[test]
fn a_dead_servers_queued_and_running_stores_are_finished_by_another() {
    let Some((config, _product)) = cluster_databases("store_cluster_kill") else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let corpus = |name: &str, files: usize, reports: usize, seed: u64| {
        generate(
            &CorpusSpec {
                files,
                reports,
                seed,
                ..CorpusSpec::default()
            },
            &work.path().join(name),
            &work.path().join(format!("{name}-src")),
        )
    };
    // The first is large enough to be killed while it writes; the others
    // wait behind it for node A's only worker.
    let stores = [
        ("big", upload_of(&corpus("big", 80, 25, 31))),
        ("queued-1", upload_of(&corpus("queued-1", 6, 8, 32))),
        ("queued-2", upload_of(&corpus("queued-2", 6, 8, 33))),
    ];
    let lease = 3;
    let mut a = node("store-cluster-doomed", &config)
        .workers(1)
        .lease_secs(lease)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let tokens: Vec<String> = stores
        .iter()
        .map(|(run, upload)| submit(&product_url(&a), upload, run))
        .collect();
    support::wait_for(
        "node A to write the big store",
        Duration::from_secs(120),
        Duration::from_millis(10),
        || {
            a.log()
                .contains("store: writing reports run=big")
                .then_some(())
        },
    );
    a.kill_all();

    let db = configdb::ConfigDb::open(&config.url).expect("open the configuration");
    let statuses: Vec<configdb::TaskStatus> = tokens
        .iter()
        .map(|t| db.get_task(t).expect("read").expect("exists").status)
        .collect();
    assert_eq!(
        statuses,
        [
            configdb::TaskStatus::Running,
            configdb::TaskStatus::Enqueued,
            configdb::TaskStatus::Enqueued
        ],
        "node A died with other stores than meant: make the big store larger"
    );

    // The quiet reference stores the same uploads meanwhile.
    let reference: Vec<String> = stores
        .iter()
        .map(|(run, upload)| submit(&quiet().product_url(), upload, run))
        .collect();

    let started = std::time::Instant::now();
    let b = node("store-cluster-survivor", &config)
        .workers(2)
        .lease_secs(lease)
        .start();
    let mut tasks = TaskApi::new(&b.url());
    for (token, (run, _)) in tokens.iter().zip(&stores) {
        let info = tasks.wait_terminal(token, Duration::from_secs(240));
        assert_eq!(
            task_status(&info),
            status::COMPLETED,
            "{run}: {info}\n{}",
            b.log()
        );
    }
    println!(
        "node B finished node A's stores {:.1} s after it started (lease {lease} s)",
        started.elapsed().as_secs_f64()
    );
    let big = tasks.info(&tokens[0]).ok();
    assert!(
        task_comments(&big).contains("RESCHEDULED!"),
        "the running store was not rescued: {big}"
    );
    let mut quiet_tasks = TaskApi::new(&quiet().url());
    for token in &reference {
        let info = quiet_tasks.wait_terminal(token, Duration::from_secs(240));
        assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    }
    assert_same_runs(
        &product_url(&b),
        &quiet().product_url(),
        &["big", "queued-1", "queued-2"],
    );
    assert_eq!(
        stored_input_rows(&config.url),
        0,
        "uploads were left behind"
    );
    b.assert_no_child_died();
}
