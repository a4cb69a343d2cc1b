//! Store faults (issue 14): the whole server killed with stores running and
//! queued, an API process killed while it receives an upload, the
//! workspace's disk full, and PostgreSQL restarted under a store. After each,
//! every store ends in a terminal state (with a comment when it did not
//! complete), every run shows its old or its new results and never a mix,
//! and the server goes on serving without being restarted by hand.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use serde_json::json;
use support::python::{PyApi, Reply, Venv};
use support::server::Server;
use support::store::{generate, store_server, Corpus, CorpusSpec};
use support::tasks::{status, task_comments, task_status, TaskApi};

use support::store::upload_of;

/// The bug hashes a store of `corpus` gives its run (every plist's
/// `issue_hash_content_of_line_in_context`).
fn expected_hashes(corpus: &Corpus) -> BTreeSet<String> {
    const KEY: &str = "<key>issue_hash_content_of_line_in_context</key>";
    let mut hashes = BTreeSet::new();
    for entry in std::fs::read_dir(&corpus.dir).expect("report dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "plist") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("plist");
        let mut rest = text.as_str();
        while let Some(at) = rest.find(KEY) {
            rest = &rest[at + KEY.len()..];
            let start = rest.find("<string>").expect("a hash") + "<string>".len();
            let end = rest[start..].find("</string>").expect("a hash's end") + start;
            hashes.insert(rest[start..end].to_owned());
            rest = &rest[end..];
        }
    }
    assert!(!hashes.is_empty(), "no report in {}", corpus.dir.display());
    hashes
}

/// The bug hashes of `run`'s open reports (those its latest store found;
/// the earlier ones are kept as resolved) as its product database `url`
/// holds them, read directly (the server may be down).
fn stored_hashes(url: &str, run: &str) -> BTreeSet<String> {
    let db = productdb::ProductDb::open(url).expect("open the product database");
    let ids = db
        .run_ids_matching(&productdb::RunFilter {
            names: Some(vec![run.to_owned()]),
            exact_match: true,
            ..productdb::RunFilter::default()
        })
        .expect("find the run");
    if ids.is_empty() {
        return BTreeSet::new();
    }
    db.reports(&productdb::ReportQuery {
        run_ids: Some(ids),
        ..productdb::ReportQuery::default()
    })
    .expect("read the run's reports")
    .into_iter()
    .filter(|r| r.detection_status != productdb::DetectionStatus::Resolved)
    .map(|r| r.bug_hash)
    .collect()
}

/// Panics unless `run` holds exactly the reports of `corpus` (`when`
/// says at which point of the test).
fn assert_run(url: &str, run: &str, corpus: &Corpus, when: &str) {
    let stored = stored_hashes(url, run);
    let expected = expected_hashes(corpus);
    if stored != expected {
        panic!(
            "{run} {when}: {} reports stored, {} expected; {} stored are not expected, {} \
             expected are missing",
            stored.len(),
            expected.len(),
            stored.difference(&expected).count(),
            expected.difference(&stored).count()
        );
    }
}

/// The `Default` product's SQLite file of `server`.
fn default_product(server: &Server) -> String {
    server
        .workspace()
        .join("Default.sqlite")
        .display()
        .to_string()
}

/// `massStoreRunAsynchronous` of `upload` into `run` on `product_url`.
fn submit(py: &mut PyApi, product_url: &str, run: &str, upload: &str) -> Reply {
    py.call(
        &format!("{product_url}/v6.74/CodeCheckerService"),
        "CodeCheckerService",
        "massStoreRunAsynchronous",
        json!([upload, {"runName": run, "version": "6.29.1"}]),
    )
}

/// Like [`submit`], for a store that must be accepted; its token.
fn submit_ok(py: &mut PyApi, product_url: &str, run: &str, upload: &str) -> String {
    match submit(py, product_url, run, upload) {
        Reply::Ok(token) => token.as_str().expect("a token").to_owned(),
        other => panic!("the store of {run} was refused: {other:?}"),
    }
}

/// Waits until task `token` ended; panics with the server's log after
/// `timeout`.
fn wait_end(
    tasks: &mut TaskApi,
    server: &Server,
    token: &str,
    timeout: Duration,
) -> serde_json::Value {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        let info = tasks.admin_info(token);
        if status::is_terminal(task_status(&info)) {
            return info;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "task {token} did not end in {timeout:?}: {info}\n{}",
            server.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A generated corpus in `work/<name>`.
fn corpus(work: &Path, name: &str, files: usize, reports: usize, seed: u64) -> Corpus {
    generate(
        &CorpusSpec {
            files,
            reports,
            seed,
            ..CorpusSpec::default()
        },
        &work.join(name),
        &work.join(format!("{name}-src")),
    )
}

#[test]
fn a_whole_server_killed_with_stores_running_and_queued_loses_none() {
    let work = tempfile::tempdir().expect("temp dir");
    let mut server = store_server()
        .workers(1)
        .lease_secs(2)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    // Three runs with old results; then a large new store of the first
    // (running when the server dies) and small ones of the others (queued
    // behind it: one worker).
    let runs = ["sk-big", "sk-q1", "sk-q2"];
    let old = [
        corpus(work.path(), "big-old", 4, 4, 11),
        corpus(work.path(), "q1-old", 3, 3, 12),
        corpus(work.path(), "q2-old", 3, 3, 13),
    ];
    let new = [
        corpus(work.path(), "big-new", 100, 30, 21),
        corpus(work.path(), "q1-new", 4, 4, 22),
        corpus(work.path(), "q2-new", 4, 4, 23),
    ];
    let mut py = PyApi::new(Venv::Current);
    let mut tasks = TaskApi::new(&server.url());
    for (run, c) in runs.iter().zip(&old) {
        let token = submit_ok(&mut py, &server.product_url(), run, &upload_of(c));
        let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
        assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    }
    let product = default_product(&server);
    for (run, c) in runs.iter().zip(&old) {
        assert_run(&product, run, c, "after the first stores");
    }

    let uploads: Vec<String> = new.iter().map(upload_of).collect();
    let writing = "store: writing reports run=sk-big";
    let tokens: Vec<String> = runs
        .iter()
        .zip(&uploads)
        .map(|(run, upload)| submit_ok(&mut py, &server.product_url(), run, upload))
        .collect();
    support::wait_for(
        "the large store to write reports",
        Duration::from_secs(120),
        Duration::from_millis(10),
        || (server.log().matches(writing).count() == 2).then_some(()),
    );
    for token in &tokens[1..] {
        assert_eq!(
            task_status(&tasks.admin_info(token)),
            status::ENQUEUED,
            "a small store ran beside the large one"
        );
    }
    server.kill_all();
    assert_eq!(
        server.log().matches("store finished run=sk-big").count(),
        1,
        "the large store ended before the kill: make its corpus larger"
    );

    // Dead: every run is exactly what it was (the killed store's
    // transaction is rolled back when the database is next opened).
    for (run, c) in runs.iter().zip(&old) {
        assert_run(&product, run, c, "after the kill");
    }

    // What an API process killed between creating a store's task and
    // queueing it leaves, and one killed while it unpacked: a folder and an
    // ALLOCATED task, a folder alone. Swept when the server starts.
    let uploads = server.workspace().join("tasks");
    let (stranded_dir, orphan_dir) = (
        uploads.join("store-9999999-1-0"),
        uploads.join("store-9999999-2-0"),
    );
    std::fs::create_dir_all(&stranded_dir).expect("a stranded upload");
    std::fs::create_dir_all(&orphan_dir).expect("an orphan upload");
    let stranded = {
        let mut task = configdb::NewTask::new(
            "report_server::massStoreRunAsynchronous()",
            "Store of results to 'Default' - 'sk-lost'",
            server.machine_id(),
        );
        task.input_path = Some(stranded_dir.display().to_string());
        configdb::ConfigDb::open(&server.config_url())
            .expect("open the configuration database")
            .allocate_task(&task)
            .expect("allocate")
    };

    // Restarted: the running store is rescued and run again, the queued
    // ones run; all complete with the new results.
    server.restart();
    let mut tasks = TaskApi::new(&server.url());
    let lost = tasks.admin_info(&stranded);
    assert_eq!(task_status(&lost), status::DROPPED, "{lost}");
    assert!(
        task_comments(&lost).contains("before the store's upload was completely taken in"),
        "{lost}"
    );
    assert!(
        !stranded_dir.exists() && !orphan_dir.exists(),
        "the dead uploads are swept"
    );
    for (token, run) in tokens.iter().zip(runs) {
        let info = wait_end(&mut tasks, &server, token, Duration::from_secs(120));
        assert_eq!(
            task_status(&info),
            status::COMPLETED,
            "{run}: {info}\n{}",
            server.log()
        );
    }
    assert!(
        task_comments(&tasks.admin_info(&tokens[0])).contains("RESCHEDULED!"),
        "the killed store says it was run again"
    );
    for (run, c) in runs.iter().zip(&new) {
        assert_run(&product, run, c, "after the restart");
    }
}

/// The Thrift JSON body of `massStoreRunAsynchronous(upload, {runName: run})`.
fn store_body(run: &str, upload: &str) -> Vec<u8> {
    support::http::thrift_call(
        "massStoreRunAsynchronous",
        1,
        &format!(
            r#"{{"1":{{"str":"{upload}"}},"2":{{"rec":{{"1":{{"str":"{run}"}},"3":{{"str":"6.29.1"}}}}}}}}"#
        ),
    )
}

/// The head of a POST of `len` body bytes to the `Default` product's
/// `CodeCheckerService`.
fn store_head(server: &Server, len: usize) -> Vec<u8> {
    format!(
        "POST /Default/v6.74/CodeCheckerService HTTP/1.1\r\nHost: {}\r\n\
         Content-Type: application/x-thrift\r\nContent-Length: {len}\r\n\r\n",
        server.addr()
    )
    .into_bytes()
}

/// The API processes' pids.
fn api_pids(server: &Server) -> Vec<u32> {
    server
        .children()
        .into_iter()
        .filter(|(_, role)| role == "api")
        .map(|(pid, _)| pid)
        .collect()
}

/// The upload folders under `<workspace>/tasks/`.
fn upload_folders(server: &Server) -> Vec<String> {
    std::fs::read_dir(server.workspace().join("tasks"))
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|name| name.starts_with("store-"))
                .collect()
        })
        .unwrap_or_default()
}

/// The tokens of the unfinished tasks in `status` of `server`.
fn tasks_in(server: &Server, status: configdb::TaskStatus) -> Vec<String> {
    configdb::ConfigDb::open(&server.config_url())
        .expect("open the configuration database")
        .filter_tasks(&configdb::TaskQuery {
            statuses: vec![status],
            ..configdb::TaskQuery::default()
        })
        .expect("list tasks")
        .into_iter()
        .map(|t| t.token)
        .collect()
}

/// Waits until the supervisor replaced `dead` (two API processes again).
fn wait_replaced(server: &Server, dead: u32) {
    support::wait_for(
        "the supervisor to replace the killed API process",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || {
            let pids = api_pids(server);
            (pids.len() == 2 && !pids.contains(&dead)).then_some(())
        },
    );
}

#[test]
fn an_api_process_killed_while_taking_in_an_upload_strands_nothing() {
    use support::http::Conn;
    use support::server::{connection_owner, signal};
    let work = tempfile::tempdir().expect("temp dir");
    let server = store_server()
        .api(2)
        .workers(1)
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let big = upload_of(&corpus(work.path(), "big", 100, 30, 31));
    let timeout = Duration::from_secs(20);
    // Both API processes take connections before anything is killed (under
    // load the second may still be starting when the server first answers).
    let mut accepting = std::collections::BTreeSet::new();
    support::wait_for(
        "both API processes to accept connections",
        Duration::from_secs(60),
        Duration::from_millis(10),
        || {
            let conn = Conn::open(server.addr(), timeout).expect("connect");
            let end = conn.stream().expect("socket").local_addr().expect("addr");
            accepting.extend(connection_owner(end, &api_pids(&server)));
            (accepting.len() == 2).then_some(())
        },
    );

    // 1. Killed while the body arrives: half of it is sent, then the
    // process that accepted the connection dies.
    let body = store_body("ak-receive", &big);
    let mut upload = Conn::open(server.addr(), timeout).expect("connect");
    upload
        .send_raw(&store_head(&server, body.len()))
        .expect("send the head");
    upload
        .send_raw(&body[..body.len() / 2])
        .expect("send half the body");
    let client_end = upload.stream().expect("socket").local_addr().expect("addr");
    let victim = support::wait_for(
        "an API process to accept the upload",
        timeout,
        Duration::from_millis(10),
        || connection_owner(client_end, &api_pids(&server)),
    );
    // A client of the other API process, mid-request when the first dies.
    let mut bystander = support::wait_for(
        "a connection accepted by the other API process",
        timeout,
        Duration::from_millis(10),
        || {
            let conn = Conn::open(server.addr(), timeout).expect("connect");
            let end = conn.stream().expect("socket").local_addr().expect("addr");
            let owner = support::wait_for("an accept", timeout, Duration::from_millis(5), || {
                connection_owner(end, &api_pids(&server))
            });
            (owner != victim).then_some(conn)
        },
    );
    let ping = support::http::thrift_call("getPackageVersion", 1, "{}");
    bystander
        .send_raw(
            &format!(
                "POST /v6.74/ServerInfo HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                ping.len()
            )
            .into_bytes(),
        )
        .expect("send the bystander's head");
    signal(victim, libc::SIGKILL);
    let _ = upload.send_raw(&body[body.len() / 2..]);
    assert!(
        upload.read_response().is_err(),
        "the client of the killed process sees its connection fail"
    );
    bystander
        .send_raw(&ping)
        .expect("send the bystander's body");
    let answer = bystander
        .read_response()
        .expect("the bystander is answered");
    assert_eq!(answer.status, 200, "{}", answer.text());
    wait_replaced(&server, victim);
    assert!(upload_folders(&server).is_empty());
    assert!(tasks_in(&server, configdb::TaskStatus::Allocated).is_empty());

    // 2. Killed while it unpacks the upload it took in: the folder it
    // was writing is swept when the supervisor replaces it.
    let body = store_body("ak-unpack", &big);
    let head = store_head(&server, body.len());
    let addr = server.addr();
    let sender = std::thread::spawn(move || {
        let mut conn = Conn::open(addr, Duration::from_secs(60)).expect("connect");
        conn.send_raw(&head).expect("send the head");
        conn.send_raw(&body).expect("send the body");
        conn.read_response()
    });
    let folder = support::wait_for(
        "the upload to be unpacked",
        timeout,
        Duration::from_millis(1),
        || upload_folders(&server).into_iter().next(),
    );
    let victim: u32 = folder
        .split('-')
        .nth(1)
        .and_then(|pid| pid.parse().ok())
        .expect("the folder names its process");
    signal(victim, libc::SIGKILL);
    assert!(
        sender.join().expect("the sender").is_err(),
        "the client of the killed process sees its connection fail"
    );
    wait_replaced(&server, victim);
    support::wait_for(
        "the dead upload's folder to be swept",
        timeout,
        Duration::from_millis(20),
        || upload_folders(&server).is_empty().then_some(()),
    );
    assert!(
        server
            .log()
            .contains("removed uploads a dead API process left half taken in"),
        "{}",
        server.log()
    );
    assert!(tasks_in(&server, configdb::TaskStatus::Allocated).is_empty());

    // Nothing of either was stored; the server stores as before.
    let mut py = PyApi::new(Venv::Current);
    let small = corpus(work.path(), "small", 3, 3, 32);
    let token = submit_ok(
        &mut py,
        &server.product_url(),
        "ak-after",
        &upload_of(&small),
    );
    let mut tasks = TaskApi::new(&server.url());
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    let product = default_product(&server);
    assert_run(&product, "ak-after", &small, "after the kills");
    for run in ["ak-receive", "ak-unpack"] {
        assert!(stored_hashes(&product, run).is_empty(), "{run} was stored");
    }
    assert_eq!(
        tasks.tasks(json!({})).len(),
        1,
        "only the last store is a task"
    );
}

/// A small tmpfs mounted on a temporary folder (we run as root), unmounted
/// when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts `megabytes` of tmpfs, or `None` (after saying so) when that is
    /// impossible and `CI` is not `true`.
    fn mount(megabytes: u32) -> Option<Self> {
        let dir = tempfile::Builder::new()
            .prefix("ccsrv-disk-")
            .tempdir()
            .expect("temp dir");
        let out = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(dir.path())
            .output();
        match out {
            Ok(out) if out.status.success() => Some(Self { dir }),
            other => {
                let why = match other {
                    Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                    Err(err) => err.to_string(),
                };
                if std::env::var("CI").as_deref() == Ok("true") {
                    panic!(
                        "cannot mount a tmpfs (needed for the disk-full test) and CI=true: {why}"
                    );
                }
                println!("SKIPPING the disk-full test: cannot mount a tmpfs ({why})");
                None
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Fills the disk with a file, then gives `slack` bytes back.
    fn fill(&self, slack: u64) -> std::path::PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("create the filler");
        let chunk = vec![0u8; 64 * 1024];
        let mut written = 0u64;
        while file.write_all(&chunk).is_ok() {
            written += chunk.len() as u64;
        }
        file.set_len(written.saturating_sub(slack))
            .expect("give space back");
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

#[test]
fn a_full_disk_fails_the_store_clearly_and_the_server_serves_on() {
    let Some(disk) = SmallDisk::mount(16) else {
        return;
    };
    let work = tempfile::tempdir().expect("temp dir");
    let server = store_server()
        .workers(1)
        .workspace(disk.path().join("workspace"))
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let mut py = PyApi::new(Venv::Current);
    let mut tasks = TaskApi::new(&server.url());
    let product = default_product(&server);
    let old = corpus(work.path(), "old", 3, 3, 41);
    let token = submit_ok(&mut py, &server.product_url(), "df-run", &upload_of(&old));
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");

    // 1. An upload that unpacks to more than the disk holds.
    let big = upload_of(&corpus(work.path(), "big", 100, 30, 42));
    let (_, message) = submit(&mut py, &server.product_url(), "df-run", &big).request_failed();
    assert!(message.contains("disk is full"), "{message}");
    assert!(
        upload_folders(&server).is_empty(),
        "a half-written upload is left"
    );
    let unfinished: Vec<String> = [
        configdb::TaskStatus::Allocated,
        configdb::TaskStatus::Enqueued,
        configdb::TaskStatus::Running,
    ]
    .into_iter()
    .flat_map(|s| tasks_in(&server, s))
    .collect();
    assert!(unfinished.is_empty(), "{unfinished:?}");

    // 2. A store whose product database write meets the full disk: it
    // waits for the run (the test holds its lock) while the disk fills up.
    let medium = corpus(work.path(), "medium", 40, 20, 43);
    let (db, lock) = crate::store_task_control::hold_run_lock(&server, "df-run");
    let token = submit_ok(
        &mut py,
        &server.product_url(),
        "df-run",
        &upload_of(&medium),
    );
    tasks.wait_status(&token, "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    let filler = disk.fill(256 * 1024);
    db.release_run_lock(&lock).expect("release the lock");
    drop(db);
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(
        task_status(&info),
        status::FAILED,
        "{info}\n{}",
        server.log()
    );
    let comments = task_comments(&info);
    assert!(
        comments.contains("The server's disk is full: the store was rolled back"),
        "{comments}\n{}",
        server.log()
    );
    std::fs::remove_file(filler).expect("free the disk");
    assert_run(&product, "df-run", &old, "after the failed store");

    // Space again: the server stores as before.
    let new = corpus(work.path(), "new", 3, 3, 44);
    let token = submit_ok(&mut py, &server.product_url(), "df-run", &upload_of(&new));
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    assert_run(&product, "df-run", &new, "after space was freed");
    assert!(upload_folders(&server).is_empty());
}

#[test]
fn a_postgresql_restart_under_a_store_is_survived_without_a_server_restart() {
    use support::pg::PrivatePostgres;
    let Some(pg) = PrivatePostgres::start("the PostgreSQL restart test") else {
        return;
    };
    pg.create_database("ccconfig");
    pg.create_database("ccproduct");
    let work = tempfile::tempdir().expect("temp dir");
    let server = store_server()
        .workers(1)
        .config_db(pg.url("ccconfig"))
        .arg("--store-hold-secs")
        .arg("0")
        .start();
    let port = pg.port().to_string();
    support::python::codechecker(
        Venv::Current,
        &[
            "cmd",
            "products",
            "add",
            "pgprod",
            "--name",
            "On PostgreSQL",
            "--url",
            &server.cli_url(),
            "--postgresql",
            "--dbaddress",
            "127.0.0.1",
            "--dbport",
            &port,
            "--dbusername",
            "postgres",
            "--dbname",
            "ccproduct",
        ],
        &[],
    )
    .assert_success();
    let product_url = format!("{}/pgprod", server.cli_url());
    let product = pg.url("ccproduct");
    let mut py = PyApi::new(Venv::Current);
    let mut tasks = TaskApi::new(&server.url());
    let old = corpus(work.path(), "old", 3, 3, 51);
    let token = submit_ok(&mut py, &product_url, "pg-run", &upload_of(&old));
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");

    // The store waits for the run (the test holds its lock) when the
    // database goes down and comes back.
    let new = corpus(work.path(), "new", 20, 10, 52);
    let holder = productdb::ProductDb::open(&product).expect("open the product");
    let lock = holder
        .acquire_run_lock("pg-run", "someone else")
        .expect("lock the run");
    let token = submit_ok(&mut py, &product_url, "pg-run", &upload_of(&new));
    tasks.wait_status(&token, "running", Duration::from_secs(30), |s| {
        s == status::RUNNING
    });
    pg.restart();
    support::wait_for(
        "the run lock to be released",
        Duration::from_secs(30),
        Duration::from_millis(100),
        || holder.release_run_lock(&lock).ok(),
    );
    drop(holder);
    let mut tasks = TaskApi::new(&server.url());
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(
        task_status(&info),
        status::COMPLETED,
        "{info}\n{}",
        server.log()
    );
    assert_run(
        &product,
        "pg-run",
        &new,
        "after the store across the restart",
    );

    // Restarted while a store writes (in its transaction): the store
    // either committed before or fails with a comment saying why, and the
    // run is then as it was.
    let big = corpus(work.path(), "big", 100, 30, 54);
    let writing = "store: writing reports run=pg-run";
    let before = server.log().matches(writing).count();
    let token = submit_ok(&mut py, &product_url, "pg-run", &upload_of(&big));
    support::wait_for(
        "the store to write reports",
        Duration::from_secs(60),
        Duration::from_millis(5),
        || (server.log().matches(writing).count() > before).then_some(()),
    );
    pg.restart();
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    if task_status(&info) == status::COMPLETED {
        assert_run(
            &product,
            "pg-run",
            &big,
            "after a store committed before the restart",
        );
    } else {
        assert_eq!(task_status(&info), status::FAILED, "{info}");
        assert!(
            task_comments(&info).contains("The connection to the database was lost"),
            "{info}\n{}",
            server.log()
        );
        assert_run(
            &product,
            "pg-run",
            &new,
            "after a store failed by the restart",
        );
    }

    // Back without restarting our server: calls, a blocking store (woken
    // through LISTEN/NOTIFY) and an asynchronous one work.
    let newer = corpus(work.path(), "newer", 3, 3, 53);
    support::python::codechecker(
        Venv::Current,
        &[
            "store",
            &newer.arg(),
            "-n",
            "pg-sync",
            "--url",
            &product_url,
        ],
        &[("CC_FORCE_SYNC_STORE", "yes")],
    )
    .assert_success();
    assert_run(&product, "pg-sync", &newer, "after a blocking store");
    let token = submit_ok(&mut py, &product_url, "pg-run", &upload_of(&newer));
    let info = wait_end(&mut tasks, &server, &token, Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    assert_run(&product, "pg-run", &newer, "after PostgreSQL came back");
    // The connections the restart killed were replaced with a warning each,
    // not reported as errors by the pool's own logger.
    let log = server.log();
    let pool_errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("ERROR") && l.contains("r2d2"))
        .collect();
    assert!(pool_errors.is_empty(), "{}", pool_errors.join("\n"));
}
