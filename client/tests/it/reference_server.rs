//! Our client against CodeChecker's own 6.29.1 server (started here on a
//! free port with a temporary workspace), compared with CodeChecker's own
//! client on the same server. Skips (with a message) when the CodeChecker
//! venv is missing, unless `CI=true`.

use crate::support;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, json, results_of, table_lines, tasks_json, text, UserEnv};

/// Python: CodeChecker's `assemble_zip` for a report directory, written
/// decompressed to a file.
const ASSEMBLE_ZIP_PY: &str = r#"
import os, sys, zlib
from codechecker_client.cli import store
from codechecker_client import client as libclient, product
from codechecker_web.shared import webserver_context
inp, url, out = sys.argv[1], sys.argv[2], sys.argv[3]
c = libclient.setup_client(url)
proto, host, port, name = product.split_product_url(url)
pc = libclient.setup_product_client(proto, host, port, product_name=name)
ctx = webserver_context.get_context()
store.assemble_zip([os.path.abspath(inp)], out, c, pc, ctx.checker_labels, os.path.dirname(out), 1)
data = zlib.decompress(open(out, 'rb').read())
open(out, 'wb').write(data)
"#;

/// Python: compares two upload ZIPs (entry names without the random
/// UUIDs, side files byte for byte, plists as parsed documents with the
/// diagnostics as a set). Prints the differences; exit code 1 if any.
const COMPARE_ZIPS_PY: &str = r#"
import json, plistlib, re, sys, zipfile
a, b = zipfile.ZipFile(sys.argv[1]), zipfile.ZipFile(sys.argv[2])
def norm(n): return re.sub(r'/[0-9a-f-]{36}-', '/UUID-', n)
na = {norm(n): n for n in a.namelist()}; nb = {norm(n): n for n in b.namelist()}
bad = []
if set(na) != set(nb): bad.append(f"entries differ: {sorted(set(na) ^ set(nb))}")
for k in sorted(set(na) & set(nb)):
    x, y = a.read(na[k]), b.read(nb[k])
    if k.endswith('.plist'):
        px, py = plistlib.loads(x), plistlib.loads(y)
        dx = sorted(json.dumps(d, sort_keys=True) for d in px.pop('diagnostics'))
        dy = sorted(json.dumps(d, sort_keys=True) for d in py.pop('diagnostics'))
        if dx != dy or px != py: bad.append(f"plist {k} differs")
    elif k == 'content_hashes.json':
        if json.loads(x) != json.loads(y): bad.append("content_hashes.json differs")
    elif x != y: bad.append(f"{k} differs")
print("\n".join(bad) or "same")
sys.exit(1 if bad else 0)
"#;

fn python(venv: &Path, script: &str, args: &[&str], env: &UserEnv) -> std::process::Output {
    let mut cmd = std::process::Command::new(venv.join("bin/python"));
    cmd.arg("-c").arg(script).args(args);
    cmd.env("HOME", &env.home)
        .env("CC_DATA_FILES_DIR", venv.join("share/codechecker"));
    cmd.output().expect("run python")
}

/// Our client's upload for `reports`, decompressed into `out`.
fn our_zip(reports: &Path, out: &Path) {
    use base64::Engine as _;
    use codechecker_client::store::{collect, pack, sources};
    use std::io::Read as _;
    let inputs = vec![collect::absolute(reports)];
    let c = collect::collect(&inputs, &|| {}).expect("collect");
    let hashes = sources::hash_files(&c.files, &|| {}).expect("hash");
    let all: BTreeSet<String> = hashes.keys().cloned().collect();
    let blame = Default::default();
    let contents = pack::Contents {
        file_hashes: &hashes,
        sources: &all,
        blame: &blame,
        version: "6.29.1",
        keep_for_days: None,
    };
    let packed = pack::pack(&c, &contents, pack::ZLIB_LEVEL, &|_| {}).expect("pack");
    let z = base64::engine::general_purpose::STANDARD
        .decode(packed.b64)
        .expect("base64");
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&z[..])
        .read_to_end(&mut raw)
        .expect("zlib");
    std::fs::write(out, raw).expect("write zip");
}

fn dummy_task(env: &UserEnv, venv: &Path, server: &str, seconds: &str, fail: &str) -> String {
    let out = env.theirs(
        venv,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            server,
            "--create-dummy-task",
            seconds,
            fail,
            "--output",
            "json",
        ],
    );
    let v = tasks_json(&out, "create dummy task");
    v[0]["token"].as_str().expect("token").to_owned()
}

fn serverside_tasks(env: &UserEnv, venv: &Path, server: &str) {
    let t_ok = dummy_task(env, venv, server, "1", "false");
    let t_fail = dummy_task(env, venv, server, "1", "true");
    // --await blocks until the end; the failed one makes it return 1.
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &t_ok,
        "--await",
    ]);
    expect_code(&out, 0, "await completed task");
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &t_fail,
        "--await",
    ]);
    expect_code(&out, 1, "await failed task");

    let cases: Vec<Vec<&str>> = vec![
        vec!["--token", &t_ok],
        vec!["--token", &t_fail],
        vec!["--token", &t_ok, &t_fail],
        vec!["--type", "TaskService::DummyTask"],
        vec!["--status", "completed", "failed", "--machine-id", "*"],
        vec![
            "--token",
            &t_ok,
            "--enqueued-after",
            "2000:01:01",
            "--no-cancelled",
        ],
        vec!["--finished-before", "2000:01:01"],
    ];
    for case in &cases {
        for format in ["json", "table", "plaintext"] {
            let mut args = vec![
                "cmd",
                "serverside-tasks",
                "--url",
                server,
                "--output",
                format,
            ];
            args.extend(case.iter().copied());
            let ours = env.ours(&args);
            let theirs = env.theirs(venv, &args);
            assert_eq!(
                ours.status.code(),
                theirs.status.code(),
                "exit code of {args:?}\n{}",
                text(&ours.stderr)
            );
            if format == "json" {
                assert_eq!(
                    tasks_json(&ours, "ours"),
                    tasks_json(&theirs, "theirs"),
                    "JSON of {args:?}"
                );
            } else {
                assert_eq!(
                    table_lines(&ours),
                    table_lines(&theirs),
                    "{format} output of {args:?}"
                );
            }
        }
    }
    // Exit codes by status for a single token.
    let out = env.ours(&["cmd", "serverside-tasks", "--url", server, "--token", &t_ok]);
    expect_code(&out, 0, "completed task");
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &t_fail,
    ]);
    expect_code(&out, 4, "failed task");
    let long = dummy_task(env, venv, server, "60", "false");
    let out = env.ours(&["cmd", "serverside-tasks", "--url", server, "--token", &long]);
    expect_code(&out, 8, "running task");
    let start = Instant::now();
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &long,
        "--kill",
        "--await",
    ]);
    expect_code(&out, 0, "kill and await");
    assert!(
        start.elapsed() < Duration::from_secs(50),
        "the cancelled task was not seen ending"
    );
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &long,
        "--output",
        "json",
    ]);
    assert_eq!(tasks_json(&out, "cancelled")[0]["status"], "CANCELLED");
    expect_code(&out, 16, "cancelled task");
    // Our extensions against CodeChecker's server: it reports no progress;
    // the summary is built from getTasks, which it answers.
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &t_ok,
        "--progress",
        "--output",
        "json",
    ]);
    expect_code(&out, 0, "--progress against CodeChecker");
    assert_eq!(
        tasks_json(&out, "--progress")[0]["progress"],
        serde_json::Value::Null
    );
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--type",
        "TaskService::DummyTask",
        "--summary",
        "--output",
        "json",
    ]);
    expect_code(&out, 0, "--summary against CodeChecker");
    let summary = tasks_json(&out, "--summary");
    let dummy = &summary["counts"]["TaskService::DummyTask"];
    for status in ["COMPLETED", "FAILED", "CANCELLED"] {
        assert!(
            dummy[status].as_i64().is_some_and(|n| n >= 1),
            "{status}: {summary}"
        );
    }
    assert!(
        summary["startedLastHour"].as_i64().is_some_and(|n| n >= 3),
        "{summary}"
    );

    // No token and no filter: a command-line error, as in CodeChecker.
    let ours = env.ours(&["cmd", "serverside-tasks", "--url", server]);
    let theirs = env.theirs(venv, &["cmd", "serverside-tasks", "--url", server]);
    expect_code(&ours, 2, "no criteria");
    assert_eq!(ours.status.code(), theirs.status.code());
    // A token that does not exist.
    let ours = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        "nope",
    ]);
    let theirs = env.theirs(
        venv,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            server,
            "--token",
            "nope",
        ],
    );
    assert_eq!(
        ours.status.code(),
        theirs.status.code(),
        "unknown token: {}",
        text(&ours.stderr)
    );
}

fn store_and_compare(env: &UserEnv, venv: &Path, product: &str, work: &Path) {
    let spec = CorpusSpec {
        files: 12,
        reports_per_file: 6,
        seed: 3,
        review_comment_every: 5,
        run_name: "generated".into(),
    };
    let corpus = generate(&work.join("c1"), &spec).expect("corpus");
    // The server applies these; the client only has to deliver them.
    std::fs::write(corpus.reports.join("skip_file"), "-*/unit_00002.c\n").expect("skip_file");
    std::fs::write(
        corpus.reports.join("review_status.yaml"),
        "$version: 1\nrules:\n  - filters:\n      checker_name: deadcode.DeadStores\n    actions:\n      review_status: intentional\n      reason: from yaml\n",
    )
    .expect("review_status.yaml");
    let expected = corpus.report_count - spec.reports_per_file;

    // The upload itself, before the server has any of these sources.
    let py_zip = work.join("py.zip");
    let rs_zip = work.join("rs.zip");
    let out = python(
        venv,
        ASSEMBLE_ZIP_PY,
        &[
            &corpus.reports.to_string_lossy(),
            product,
            &py_zip.to_string_lossy(),
        ],
        env,
    );
    expect_code(&out, 0, "CodeChecker's assemble_zip");
    our_zip(&corpus.reports, &rs_zip);
    let out = python(
        venv,
        COMPARE_ZIPS_PY,
        &[&py_zip.to_string_lossy(), &rs_zip.to_string_lossy()],
        env,
    );
    expect_code(&out, 0, "upload ZIPs differ");

    let reports = corpus.reports.to_string_lossy().into_owned();
    let out = env.theirs(
        venv,
        &[
            "store",
            &reports,
            "--name",
            "by-codechecker",
            "--url",
            product,
        ],
    );
    expect_code(&out, 0, "CodeChecker store");
    let start = Instant::now();
    let out = env.ours(&[
        "store",
        &reports,
        "--name",
        "by-ours",
        "--url",
        product,
        "--tag",
        "t1",
        "--description",
        "d",
    ]);
    expect_code(&out, 0, "our store");
    eprintln!(
        "our store of {} reports: {:?}",
        corpus.report_count,
        start.elapsed()
    );

    let theirs = results_of(env, venv, product, "by-codechecker");
    let ours = results_of(env, venv, product, "by-ours");
    assert_eq!(
        theirs.len(),
        expected,
        "CodeChecker stored a different number of reports"
    );
    assert_eq!(ours, theirs, "results differ between the two stores");
    let in_source = ours
        .iter()
        .filter(|r| r["reviewData"]["isInSource"] == true)
        .count();
    assert!(
        in_source > 0,
        "no report got its review status from a source comment"
    );
    let from_yaml = ours
        .iter()
        .filter(|r| r["reviewData"]["comment"] == "from yaml")
        .count();
    assert!(from_yaml > 0, "review_status.yaml was not applied");
    assert!(ours.iter().all(|r| !r["checkedFile"]
        .as_str()
        .unwrap_or("")
        .ends_with("unit_00002.c")));

    // Our `cmd results` / `cmd runs` print what CodeChecker's do.
    for run in ["by-ours", "by-codechecker"] {
        for extra in [&[][..], &["--details"][..]] {
            let mut args = vec!["cmd", "results", run, "--url", product, "-o", "json"];
            args.extend_from_slice(extra);
            let o = env.ours(&args);
            let t = env.theirs(venv, &args);
            expect_code(&o, 0, "our cmd results");
            assert_eq!(
                json(&text(&o.stdout), "ours"),
                json(&text(&t.stdout), "theirs"),
                "{args:?}"
            );
        }
        let args = ["cmd", "results", run, "--url", product, "-o", "table"];
        assert_eq!(
            table_lines(&env.ours(&args)),
            table_lines(&env.theirs(venv, &args)),
            "{args:?}"
        );
    }
    let args = ["cmd", "runs", "--url", product, "-o", "json"];
    let o = env.ours(&args);
    expect_code(&o, 0, "our cmd runs");
    assert_eq!(
        json(&text(&o.stdout), "ours"),
        json(&text(&env.theirs(venv, &args).stdout), "theirs")
    );
    let args = ["cmd", "runs", "--url", product, "-o", "table"];
    assert_eq!(
        table_lines(&env.ours(&args)),
        table_lines(&env.theirs(venv, &args))
    );

    // --detach prints the token; awaiting it later works.
    let out = env.ours(&[
        "store", &reports, "--name", "detached", "--url", product, "--detach",
    ]);
    expect_code(&out, 0, "detached store");
    let token = text(&out.stdout)
        .lines()
        .last()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert_eq!(
        token.len(),
        64,
        "no task token on stdout: {}",
        text(&out.stdout)
    );
    let server = product.trim_end_matches("/Default");
    let out = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        server,
        "--token",
        &token,
        "--await",
    ]);
    expect_code(&out, 0, "await detached store");
    assert_eq!(results_of(env, venv, product, "detached").len(), expected);

    // The blocking API, as with CC_FORCE_SYNC_STORE.
    let sync_env = env.clone().with("CC_FORCE_SYNC_STORE", "yes");
    let out = sync_env.ours(&["store", &reports, "--name", "sync", "--url", product]);
    expect_code(&out, 0, "synchronous store");
    assert_eq!(results_of(env, venv, product, "sync"), theirs);

    // --keep-for adds a file of ours to the upload; CodeChecker's server
    // leaves it unread.
    let out = env.ours(&[
        "store",
        &reports,
        "--name",
        "kept",
        "--url",
        product,
        "--keep-for",
        "7",
    ]);
    expect_code(&out, 0, "store with --keep-for");
    assert_eq!(results_of(env, venv, product, "kept"), theirs);

    // --config: the file's store options win.
    let cfg = work.join("cfg.json");
    std::fs::write(
        &cfg,
        format!(r#"{{"store": ["--name", "from-config", "--url", "{product}"]}}"#),
    )
    .expect("cfg");
    let out = env.ours(&[
        "store",
        &reports,
        "--name",
        "ignored",
        "--config",
        &cfg.to_string_lossy(),
    ]);
    expect_code(&out, 0, "store with --config");
    assert_eq!(
        results_of(env, venv, product, "from-config").len(),
        expected
    );
}

fn git(dir: &Path, args: &[&str]) {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2024-01-31T12:30:05+0100")
        .env("GIT_COMMITTER_DATE", "2024-01-31T12:30:05+0100")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
}

/// Sources in a git repository: both clients produce the same blame JSON.
fn blame_matches(env: &UserEnv, venv: &Path, work: &Path) {
    let root = work.join("gitcorpus");
    let spec = CorpusSpec {
        files: 3,
        reports_per_file: 3,
        seed: 21,
        ..CorpusSpec::default()
    };
    let corpus = generate(&root, &spec).expect("corpus");
    git(&root, &["init", "-q", "-b", "main"]);
    git(
        &root,
        &[
            "-c",
            "user.name=Jane Doe",
            "-c",
            "user.email=jane@example.com",
            "add",
            "src",
        ],
    );
    git(
        &root,
        &[
            "-c",
            "user.name=Jane Doe",
            "-c",
            "user.email=jane@example.com",
            "commit",
            "-q",
            "-m",
            "Sources\n\nWith a body.",
        ],
    );
    let zip = work.join("blame.zip");
    let inputs = vec![codechecker_client::store::collect::absolute(
        &corpus.reports,
    )];
    let c = codechecker_client::store::collect::collect(&inputs, &|| {}).expect("collect");
    let files: Vec<String> = c.files.iter().cloned().collect();
    let blame = codechecker_client::store::blame::collect_blame(&files);
    assert_eq!(blame.len(), files.len(), "no blame for some committed file");
    // CodeChecker's blame of the same files, for comparison.
    let script = r#"
import json, sys
from codechecker_client import blame_info
import zipfile
with zipfile.ZipFile(sys.argv[1], 'w') as z:
    blame_info.assemble_blame_info(z, sys.argv[2:])
"#;
    let mut args = vec![zip.to_string_lossy().into_owned()];
    args.extend(files.iter().cloned());
    let arg_refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = python(venv, script, &arg_refs, env);
    expect_code(&out, 0, "CodeChecker's assemble_blame_info");
    let mut archive = zip::ZipArchive::new(std::fs::File::open(&zip).expect("zip")).expect("zip");
    for (path, ours) in &blame {
        let name = format!("blame/{}", path.trim_start_matches('/'));
        let mut theirs = String::new();
        std::io::Read::read_to_string(
            &mut archive.by_name(&name).expect("blame entry"),
            &mut theirs,
        )
        .expect("read");
        assert_eq!(
            json(ours, "ours"),
            json(&theirs, "theirs"),
            "blame of {path}"
        );
    }
}

fn bad_inputs(env: &UserEnv, venv: &Path, product: &str, work: &Path) {
    let spec = CorpusSpec {
        files: 4,
        reports_per_file: 3,
        seed: 9,
        ..CorpusSpec::default()
    };
    // A corrupt plist is skipped with a warning naming it.
    let corpus = generate(&work.join("corrupt"), &spec).expect("corpus");
    let victim = std::fs::read_dir(&corpus.reports)
        .expect("dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .min()
        .expect("a plist");
    let content = std::fs::read(&victim).expect("read");
    std::fs::write(&victim, &content[..content.len() / 2]).expect("truncate");
    let corrupt = corpus.reports.to_string_lossy().into_owned();
    let out = env.ours(&["store", &corrupt, "--name", "corrupt", "--url", product]);
    expect_code(&out, 0, "store with a corrupt plist");
    assert!(
        text(&out.stderr).contains(&*victim.to_string_lossy()),
        "the corrupt plist is not named:\n{}",
        text(&out.stderr)
    );
    let stored = results_of(env, venv, product, "corrupt").len();
    assert!(
        stored > 0 && stored < corpus.report_count,
        "stored {stored} of {}",
        corpus.report_count
    );

    // A missing source file is an error naming it.
    let corpus = generate(&work.join("missing"), &spec).expect("corpus");
    let gone = corpus.src.join("pkg000").join("unit_00001.c");
    std::fs::remove_file(&gone).expect("remove source");
    let reports = corpus.reports.to_string_lossy().into_owned();
    let out = env.ours(&["store", &reports, "--name", "missing", "--url", product]);
    let theirs = env.theirs(
        venv,
        &["store", &reports, "--name", "missing", "--url", product],
    );
    expect_code(&out, 1, "store with a missing source");
    assert_eq!(out.status.code(), theirs.status.code());
    assert!(
        text(&out.stderr).contains(&*gone.to_string_lossy()),
        "{}",
        text(&out.stderr)
    );

    // Unreachable server: a clear error, quickly.
    let dead = format!("http://localhost:{}/Default", testkit::free_port());
    let start = Instant::now();
    let out = env.ours(&["store", &reports, "--name", "x", "--url", &dead]);
    expect_code(&out, 1, "unreachable server");
    assert!(start.elapsed() < Duration::from_secs(15));
    assert!(
        text(&out.stderr).contains("Connection failed"),
        "{}",
        text(&out.stderr)
    );

    // Unknown product, missing input, malformed URL.
    let wrong = product.replace("/Default", "/NoSuchProduct");
    let out = env.ours(&["store", &reports, "--name", "x", "--url", &wrong]);
    expect_code(&out, 1, "unknown product");
    assert!(
        text(&out.stderr).contains("cannot be communicated with"),
        "{}",
        text(&out.stderr)
    );
    let out = env.ours(&[
        "store",
        "/nonexistent/reports",
        "--name",
        "x",
        "--url",
        product,
    ]);
    expect_code(&out, 1, "missing input");
    let out = env.ours(&["store", &reports, "--name", "x", "--url", "http://h:1/a/b"]);
    expect_code(&out, 2, "malformed URL");
    let out = env.ours(&["store", &corrupt, "--url", product]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "run name from metadata.json: {}",
        text(&out.stderr)
    );
    assert!(!results_of(env, venv, product, "generated").is_empty());
}

#[test]
fn against_codechecker_server() {
    let Some(venv) = support::venv() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::reference_server(None);
    let env = UserEnv::new(&work.path().join("home"))
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    let started = Instant::now();
    serverside_tasks(&env, &venv, &server.cli_url());
    eprintln!("serverside-tasks checks: {:?}", started.elapsed());
    let started = Instant::now();
    store_and_compare(&env, &venv, &server.product_url(), work.path());
    eprintln!("store checks: {:?}", started.elapsed());
    blame_matches(&env, &venv, work.path());
    bad_inputs(&env, &venv, &server.product_url(), work.path());
}
