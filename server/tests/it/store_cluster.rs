//! Stores in a cluster: two servers on one PostgreSQL configuration database
//! and one product. A store accepted by either server is kept in the
//! configuration database, so the other server's workers run it: when the
//! accepting server has no workers, and when it dies (SIGKILL to every
//! process) with stores queued and running. The runs equal the same stores
//! on a quiet server of its own. Last, the chaos test, bounded in
//! time, which prints the store throughput with and without kills.

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

/// One cluster of this module at a time: each server process keeps a few
/// PostgreSQL connections, and the server's `max_connections` is shared
/// with every other test.
fn one_cluster_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static SLOT: std::sync::Mutex<()> = std::sync::Mutex::new(());
    SLOT.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
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

/// The folders under `<workspace>/tasks/` of `server`.
fn task_folders(server: &Server) -> Vec<String> {
    std::fs::read_dir(server.workspace().join("tasks"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
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
    let _slot = one_cluster_at_a_time();
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
    for server in [&a, &b] {
        assert_eq!(
            task_folders(server),
            Vec::<String>::new(),
            "{} kept a folder of the upload",
            server.machine_id()
        );
    }
    a.assert_no_child_died();
    b.assert_no_child_died();
}

#[test]
fn a_dead_servers_queued_and_running_stores_are_finished_by_another() {
    let _slot = one_cluster_at_a_time();
    let Some((config, product)) = cluster_databases("store_cluster_kill") else {
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
    // The first waits for its run's lock (held here) on node A's only
    // worker when A dies; the others wait in the queue behind it.
    let stores = [
        ("held", upload_of(&corpus("held", 10, 8, 31))),
        ("queued-1", upload_of(&corpus("queued-1", 6, 8, 32))),
        ("queued-2", upload_of(&corpus("queued-2", 6, 8, 33))),
    ];
    let product_db = productdb::ProductDb::open(&product.url).expect("open the product");
    let lock = product_db
        .acquire_run_lock("held", "the test")
        .expect("hold the run's lock");
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
        "node A to run the first store",
        Duration::from_secs(120),
        Duration::from_millis(50),
        || {
            a.log()
                .contains("store waits for another store run=held")
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
        "node A died with other stores than meant"
    );
    product_db
        .release_run_lock(&lock)
        .expect("release the run's lock");

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
    let held = tasks.info(&tokens[0]).ok();
    assert!(
        task_comments(&held).contains("RESCHEDULED!"),
        "the running store was not rescued: {held}"
    );
    let mut quiet_tasks = TaskApi::new(&quiet().url());
    for token in &reference {
        let info = quiet_tasks.wait_terminal(token, Duration::from_secs(240));
        assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    }
    assert_same_runs(
        &product_url(&b),
        &quiet().product_url(),
        &["held", "queued-1", "queued-2"],
    );
    assert_eq!(
        stored_input_rows(&config.url),
        0,
        "uploads were left behind"
    );
    b.assert_no_child_died();
}

/// Names in the first column of `query` on the PostgreSQL database `url`.
fn names(url: &str, query: &str) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let mut conn = PgConnection::establish(url).expect("connect");
    diesel::sql_query(query)
        .load::<Name>(&mut conn)
        .expect("query names")
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A small generator of pseudo-random numbers (xorshift), seeded per run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Runs `CodeChecker store` of each `(corpus, run, url)` at once; the
/// threads answer whether the client saw its store succeed.
fn store_all(jobs: Vec<(Corpus, String, String)>) -> Vec<std::thread::JoinHandle<(String, bool)>> {
    jobs.into_iter()
        .map(|(corpus, run, url)| {
            std::thread::spawn(move || {
                let out = codechecker(
                    Venv::Current,
                    &["store", &corpus.arg(), "-n", &run, "--url", &url],
                    &[],
                );
                if out.code != 0 {
                    // Why the client gave up, for the throughput line.
                    let all = out.all();
                    let tail: Vec<&str> = all.lines().rev().take(4).collect();
                    println!("store {run} via {url} failed: {}", tail.join(" | "));
                }
                (run, out.code == 0)
            })
        })
        .collect()
}

/// The chaos test, bounded: two servers on one PostgreSQL, 8
/// concurrent stores by CodeChecker's client (through a load balancer, as a
/// cluster is deployed) and 200 dummy tasks while worker and API processes
/// and then one whole server are SIGKILLed.
/// Afterwards every task has ended, and ended once; every store the client
/// saw succeed is complete and equal to the same store on a quiet server,
/// and every run that exists at all is complete (none is mixed).
#[test]
fn chaos_stores_and_tasks_survive_killed_processes_and_a_dead_server() {
    let _slot = one_cluster_at_a_time();
    let Some((config, product)) = cluster_databases("store_cluster_chaos") else {
        return;
    };
    let chaos_node = |id: &str| {
        node(id, &config)
            .api(2)
            .workers(2)
            .lease_secs(2)
            .arg("--store-hold-secs")
            .arg("0")
    };
    let a = chaos_node("chaos-a").start();
    let mut b = chaos_node("chaos-b").start();
    let work = tempfile::tempdir().expect("temp dir");
    let corpora: Vec<Corpus> = (0..8u64)
        .map(|i| {
            generate(
                &CorpusSpec {
                    files: 8,
                    reports: 6,
                    seed: 100 + i,
                    ..CorpusSpec::default()
                },
                &work.path().join(format!("c{i}")),
                &work.path().join(format!("c{i}-src")),
            )
        })
        .collect();
    // Clients reach the cluster as they would in production: through a load
    // balancer that skips a server refusing connections.
    let balancer = testkit::balancer::Balancer::start(vec![a.addr(), b.addr()]);
    let url = format!("{}/{PRODUCT}", balancer.cli_url());
    let jobs = |prefix: &str| -> Vec<(Corpus, String, String)> {
        corpora
            .iter()
            .enumerate()
            .map(|(i, c)| (c.clone(), format!("{prefix}-{i}"), url.clone()))
            .collect()
    };

    // Calm: the throughput without kills.
    let calm_started = std::time::Instant::now();
    for done in store_all(jobs("calm")) {
        let (run, ok) = done.join().expect("a store thread");
        assert!(ok, "the calm store {run} failed");
    }
    let calm = calm_started.elapsed();

    // Chaos: the same stores and 200 dummy tasks while processes die.
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64)
        | 1;
    println!("chaos seed {seed}");
    let mut dice = Dice(seed);
    let chaos_started = std::time::Instant::now();
    let stores = store_all(jobs("chaos"));
    let dummies: Vec<_> = [[a.url(), b.url()], [b.url(), a.url()]]
        .into_iter()
        .map(|servers| {
            std::thread::spawn(move || {
                let mut apis = servers.map(|url| TaskApi::new(&url));
                let mut tokens = Vec::new();
                // A killed API process (or server) loses a request: the
                // client tries again, on the other server after a failure.
                for _ in 0..1000 {
                    if tokens.len() == 100 {
                        break;
                    }
                    match apis[0].call("createDummyTask", json!([0, false])) {
                        support::python::Reply::Ok(token) => {
                            tokens.extend(token.as_str().map(str::to_owned));
                        }
                        _ => apis.swap(0, 1),
                    }
                }
                tokens
            })
        })
        .collect();
    let mut kills = Vec::new();
    let mut b_alive = true;
    for round in 0.. {
        if stores.iter().all(|s| s.is_finished()) || round >= 40 {
            break;
        }
        std::thread::sleep(Duration::from_millis(300 + dice.below(700) as u64));
        if round == 4 {
            b.kill_all();
            b_alive = false;
            kills.push("server B".to_owned());
            continue;
        }
        let target = if b_alive && dice.below(2) == 1 {
            &b
        } else {
            &a
        };
        let role = if dice.below(2) == 1 { "worker" } else { "api" };
        let victims: Vec<u32> = target
            .children()
            .into_iter()
            .filter(|(_, r)| r == role)
            .map(|(pid, _)| pid)
            .collect();
        if victims.is_empty() {
            continue;
        }
        let pid = victims[dice.below(victims.len())];
        support::server::signal(pid, libc::SIGKILL);
        kills.push(format!("{} {role}", target.machine_id()));
    }
    let mut succeeded = Vec::new();
    for done in stores {
        let (run, ok) = done.join().expect("a store thread");
        if ok {
            succeeded.push(run);
        }
    }
    let chaos = chaos_started.elapsed();
    // The reference: the same stores on a quiet server (while the cluster
    // settles).
    let reference = store_all(
        jobs("chaos")
            .into_iter()
            .map(|(c, run, _)| (c, run, quiet().product_url()))
            .collect(),
    );
    let created: Vec<String> = dummies
        .into_iter()
        .flat_map(|d| d.join().expect("a dummy thread"))
        .collect();
    for done in reference {
        let (run, ok) = done.join().expect("a reference store");
        assert!(ok, "the quiet server's store {run} failed");
    }
    let per_minute = |n: usize, d: Duration| n as f64 * 60.0 / d.as_secs_f64();
    println!(
        "store throughput (stores the client saw succeed): {:.1}/min calm (8 in {:.1} s), \
         {:.1}/min while killing ({} in {:.1} s; {} kills: {}); {} dummy tasks created",
        per_minute(8, calm),
        calm.as_secs_f64(),
        per_minute(succeeded.len(), chaos),
        succeeded.len(),
        chaos.as_secs_f64(),
        kills.len(),
        kills.join(", "),
        created.len()
    );
    assert_eq!(created.len(), 200, "not every dummy task could be created");

    // Every task ends: the survivor rescues and runs what the dead left.
    let unfinished = || {
        names(
            &config.url,
            "SELECT concat_ws(' ', token, kind, 'status', status, 'of', machine_id, \
             'on', running_on, 'owner', claim_owner, 'attempts', attempts, 'lease', \
             lease_expires_at_us, 'shared', input_shared, 'input', input_path) AS name \
             FROM background_tasks WHERE status < 3",
        )
    };
    let settled = std::time::Instant::now() + Duration::from_secs(120);
    while !unfinished().is_empty() && std::time::Instant::now() < settled {
        std::thread::sleep(Duration::from_millis(250));
    }
    let left = unfinished();
    if !left.is_empty() {
        let log = format!("{}\n{}", a.log(), b.log());
        let about: Vec<&str> = log
            .lines()
            .filter(|line| {
                left.iter()
                    .filter_map(|t| t.split(' ').next())
                    .any(|token| line.contains(token))
            })
            .collect();
        panic!(
            "tasks still unfinished 120 s after the chaos:\n{}\n--- what the logs say of them ---\n{}",
            left.join("\n"),
            about.join("\n")
        );
    }
    // ... once: no task's end was recorded twice.
    let logs = format!("{}\n{}", a.log(), b.log());
    for token in names(&config.url, "SELECT token AS name FROM background_tasks") {
        let ended = logs.matches(&format!("task ended token={token}")).count();
        assert!(ended <= 1, "task {token} ended {ended} times");
    }
    for token in &created {
        let record = configdb::ConfigDb::open(&config.url)
            .expect("open the configuration")
            .get_task(token)
            .expect("read")
            .expect("a created task exists");
        assert!(record.status.is_terminal(), "{record:?}");
    }
    assert_eq!(
        stored_input_rows(&config.url),
        0,
        "uploads were left behind"
    );

    // The runs: every store the client saw succeed is there, and every run
    // there is whole, equal to the quiet server's.
    let stored = names(
        &product.url,
        "SELECT name FROM runs WHERE name LIKE 'chaos-%'",
    );
    for run in &succeeded {
        assert!(stored.contains(run), "{run} succeeded but is missing");
    }
    let runs: Vec<&str> = stored.iter().map(String::as_str).collect();
    if !runs.is_empty() {
        assert_same_runs(&product_url(&a), &quiet().product_url(), &runs);
    }
}
