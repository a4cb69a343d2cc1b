//! The data every `cmd` interop test reads, stored into both servers.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::clang::{analyze, checkout, compile_commands, have_clang};
use crate::support::python::{codechecker, CliOutput, Venv};
use crate::support::reference::RefServer;
use crate::support::server::{Server, ServerBuilder};

/// Runs of the fixture: `clang` holds v1 (tag `v1`) then v2 (tag `v2`);
/// `clang-v1` and `clang-v2` hold one version each.
pub const RUNS: [&str; 3] = ["clang", "clang-v1", "clang-v2"];

/// Both servers with the same data.
pub struct Fixture {
    /// Our server (no flags beyond the workspace and port).
    pub ours: &'static Server,
    /// CodeChecker 6.29.1's server.
    pub theirs: &'static RefServer,
    /// The analysis of version 1 (a `CodeChecker store` input), of the
    /// sources in `../src`.
    pub reports_v1: PathBuf,
    /// The analysis of version 2.
    pub reports_v2: PathBuf,
}

impl Fixture {
    /// The `Default` product URL of our server.
    pub fn ours_url(&self) -> String {
        self.ours.product_url()
    }

    /// The `Default` product URL of CodeChecker's server.
    pub fn theirs_url(&self) -> String {
        format!("{}/Default", self.theirs.cli_url())
    }

    /// `CodeChecker <args> --url PRODUCT` (6.29.1) against both servers:
    /// `(ours, theirs)`.
    pub fn both(&self, args: &[&str]) -> (CliOutput, CliOutput) {
        self.both_with(Venv::Current, args)
    }

    /// Like [`Fixture::both`] with the client of `venv`.
    pub fn both_with(&self, venv: Venv, args: &[&str]) -> (CliOutput, CliOutput) {
        let run = |url: String| {
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["--url", &url]);
            let out = codechecker(venv, &all, &[("CC_FORCE_SYNC_STORE", "yes")]);
            out.assert_no_protocol_error();
            out
        };
        (run(self.ours_url()), run(self.theirs_url()))
    }

    /// Runs `args` (a command printing JSON, e.g. with `-o json`) against
    /// both servers and asserts that both succeed and print the same JSON
    /// after [`normalise`]. Returns our (normalised) output.
    pub fn assert_same_json(&self, args: &[&str]) -> Value {
        self.assert_same_json_with(Venv::Current, args, false)
    }

    /// [`Fixture::assert_same_json`] with the client of `venv`; with
    /// `as_set` a list is compared regardless of order (reports of equal sort
    /// keys come in id order, which differs between the servers).
    pub fn assert_same_json_with(&self, venv: Venv, args: &[&str], as_set: bool) -> Value {
        let (ours, theirs) = self.both_with(venv, args);
        ours.assert_success();
        theirs.assert_success();
        let order = |v: Value| match v {
            Value::Array(mut items) if as_set => {
                items.sort_by_key(Value::to_string);
                Value::Array(items)
            }
            other => other,
        };
        let (a, b) = (
            order(normalise(ours.json())),
            order(normalise(theirs.json())),
        );
        assert_eq!(
            a, b,
            "`{}` differs (left ours, right CodeChecker's)\n--- ours ---\n{}\n--- theirs ---\n{}",
            ours.command, ours.stdout, theirs.stdout
        );
        a
    }

    /// Stores `dir` (one of the fixture's report folders) as `run` into both
    /// servers (extra store flags in `extra`, e.g. `["--tag", "t"]`). The
    /// version folder is trimmed from the paths, so both versions name their
    /// files `/src/<file>`.
    pub fn store_both(&self, dir: &std::path::Path, run: &str, extra: &[&str]) {
        self.store_both_into("Default", dir, run, extra);
    }

    /// [`Fixture::store_both`] into the product at `endpoint` of each server.
    pub fn store_both_into(
        &self,
        endpoint: &str,
        dir: &std::path::Path,
        run: &str,
        extra: &[&str],
    ) {
        let trim = dir
            .parent()
            .expect("a report folder inside its version folder")
            .display()
            .to_string();
        let dir = dir.display().to_string();
        let mut args = vec![
            "store",
            dir.as_str(),
            "-n",
            run,
            "--trim-path-prefix",
            trim.as_str(),
        ];
        args.extend(extra);
        let _one_store = store_guard();
        for server in [self.ours.cli_url(), self.theirs.cli_url()] {
            let url = format!("{server}/{endpoint}");
            let mut all = args.clone();
            all.extend(["--url", url.as_str()]);
            let out = codechecker(Venv::Current, &all, &[("CC_FORCE_SYNC_STORE", "yes")]);
            out.assert_no_protocol_error();
            out.assert_success();
        }
    }
}

/// Held while `CodeChecker store` runs on one of the fixture's report
/// folders: CodeChecker's client writes a temporary folder inside the report
/// folder and removes it at the end, so two stores of one folder at once
/// (tests run in parallel) can remove each other's files.
pub fn store_guard() -> std::sync::MutexGuard<'static, ()> {
    static STORES: std::sync::Mutex<()> = std::sync::Mutex::new(());
    STORES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Keys whose values identify a row or an instant on one server only.
const VOLATILE: [&str; 12] = [
    "id",
    "runId",
    "reportId",
    "fileId",
    "runDate",
    "time",
    "date",
    "createdAt",
    "detectedAt",
    "fixedAt",
    "duration",
    "runHistoryId",
];

/// `value` with [`VOLATILE`] keys replaced by whether they were set.
pub fn normalise(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    if VOLATILE.contains(&k.as_str()) {
                        let set = !matches!(&v, Value::Null)
                            && v.as_str().is_none_or(|s| !s.is_empty() && s != "None");
                        (k, Value::Bool(set))
                    } else {
                        (k, normalise(v))
                    }
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalise).collect()),
        other => other,
    }
}

/// The shared fixture, set up on first use; `None` when clang is missing
/// outside CI (the tests then skip).
pub fn fixture() -> Option<&'static Fixture> {
    static FIXTURE: OnceLock<Option<Fixture>> = OnceLock::new();
    FIXTURE.get_or_init(set_up).as_ref()
}

fn set_up() -> Option<Fixture> {
    if !have_clang() {
        return None;
    }
    let work = tempfile::Builder::new()
        .prefix("cmd-interop-")
        .tempdir()
        .expect("temp dir")
        .keep();
    let cleanup = work.clone();
    crate::support::at_exit(move || {
        let _ = std::fs::remove_dir_all(&cleanup);
    });
    // Start CodeChecker's server (slow) while the analyses run.
    let theirs = std::thread::spawn(|| RefServer::start_shared(false));
    // Each version in a folder of its own (`<work>/<version>/src`), as
    // `store` refuses reports whose sources changed since the analysis.
    let mut reports = Vec::new();
    for version in ["v1", "v2"] {
        let base = work.join(version);
        let src = base.join("src");
        checkout(version, &src);
        let cdb = compile_commands(&src, &base);
        let out = base.join("reports");
        let found = analyze(&cdb, &out);
        assert!(
            found.values().sum::<usize>() > 10,
            "the analysis of {version} found too little: {found:?}"
        );
        reports.push(out);
    }
    let ours = ServerBuilder::new()
        .api(2)
        .workers(2)
        .test_mode(false)
        .start_shared();
    let theirs = theirs.join().expect("CodeChecker's server started");
    let [reports_v1, reports_v2]: [PathBuf; 2] = reports.try_into().expect("two versions");
    let fixture = Fixture {
        ours,
        theirs,
        reports_v1,
        reports_v2,
    };
    fixture.store_both(&fixture.reports_v1, "clang", &["--tag", "v1"]);
    fixture.store_both(&fixture.reports_v2, "clang", &["--tag", "v2"]);
    fixture.store_both(&fixture.reports_v1, "clang-v1", &[]);
    fixture.store_both(&fixture.reports_v2, "clang-v2", &[]);
    Some(fixture)
}

/// `fixture()`, or return from the test when it is skipped.
#[macro_export]
macro_rules! fixture_or_skip {
    () => {
        match $crate::fixture::fixture() {
            Some(f) => f,
            None => return,
        }
    };
}

#[test]
fn both_servers_list_the_same_runs() {
    let f = fixture_or_skip!();
    let runs = f.assert_same_json(&["cmd", "runs", "-o", "json"]);
    let listed = runs.as_array().map_or(0, Vec::len);
    assert_eq!(listed, RUNS.len(), "runs listed: {runs}");
}
