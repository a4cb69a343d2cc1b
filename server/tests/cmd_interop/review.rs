//! Reviews after a store, side by side with CodeChecker 6.29.1: `cmd
//! suppress`, review status rules, comments, `cmd export` / `cmd import`.
//!
//! Review status rules and comments belong to bug hashes, product-wide, so
//! each test works in products of its own (the fixture's runs share their
//! hashes with every other test). Every mutation is applied to both servers
//! in the same order and the normalised answers compared after each step.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Value};

use crate::fixture::{normalise, Fixture};
use crate::fixture_or_skip;
use crate::support::python::{codechecker, CliOutput, PyApi, Reply, Venv};

/// Status values of the wire.
const CONFIRMED: i64 = 1;
const FALSE_POSITIVE: i64 = 2;
const INTENTIONAL: i64 = 3;
/// `ErrorCode` values of the wire.
const DATABASE: i64 = 0;
const GENERAL: i64 = 2;

/// A product that exists on both servers.
struct Product<'f> {
    f: &'f Fixture,
    name: String,
    py: PyApi,
}

impl<'f> Product<'f> {
    /// Adds product `name` to both servers.
    fn add(f: &'f Fixture, name: &str) -> Self {
        for server in [f.ours.cli_url(), f.theirs.cli_url()] {
            let out = codechecker(
                Venv::Current,
                &["cmd", "products", "add", name, "--url", &server],
                &[],
            );
            out.assert_no_protocol_error();
            out.assert_success();
        }
        Self {
            f,
            name: name.to_owned(),
            py: PyApi::new(Venv::Current),
        }
    }

    /// The product URLs `(ours, theirs)` as `CodeChecker cmd` takes them.
    fn cli_urls(&self) -> (String, String) {
        (
            format!("{}/{}", self.f.ours.cli_url(), self.name),
            format!("{}/{}", self.f.theirs.cli_url(), self.name),
        )
    }

    /// `CodeChecker <args> --url <product>` against both servers.
    fn both(&self, args: &[&str]) -> (CliOutput, CliOutput) {
        let (a, b) = self.cli_urls();
        let run = |url: String| {
            let mut all: Vec<&str> = args.to_vec();
            all.extend(["--url", &url]);
            let out = codechecker(Venv::Current, &all, &[("CC_FORCE_SYNC_STORE", "yes")]);
            out.assert_no_protocol_error();
            out
        };
        (run(a), run(b))
    }

    /// Runs `args` against both servers; both must succeed and print the
    /// same normalised JSON, which is returned.
    fn same_json(&self, args: &[&str]) -> Value {
        let (ours, theirs) = self.both(args);
        ours.assert_success();
        theirs.assert_success();
        let (a, b) = (normalise(ours.json()), normalise(theirs.json()));
        assert_eq!(
            a, b,
            "`{}` differs (left ours, right CodeChecker's)\n--- ours ---\n{}\n--- theirs ---\n{}",
            ours.command, ours.stdout, theirs.stdout
        );
        a
    }

    /// Stores `dir` as `run` into both servers.
    fn store(&self, dir: &Path, run: &str) {
        let dir = dir.display().to_string();
        let (ours, theirs) = self.both(&["store", &dir, "-n", run]);
        ours.assert_success();
        theirs.assert_success();
    }

    /// `cmd results <run> -o json` of both, compared as sets of reports:
    /// the order of reports of equal severity follows report ids, which
    /// follow the order a store inserts reports in (not this test's topic).
    fn same_results(&self, run: &str) -> Value {
        let (ours, theirs) = self.both(&["cmd", "results", run, "-o", "json"]);
        ours.assert_success();
        theirs.assert_success();
        let sorted = |out: &CliOutput| {
            let mut items = normalise(out.json()).as_array().cloned().expect("a list");
            items.sort_by_key(|r| (r["bugHash"].to_string(), r.to_string()));
            Value::Array(items)
        };
        let (a, b) = (sorted(&ours), sorted(&theirs));
        assert_eq!(
            a, b,
            "`{}` differs (left ours, right CodeChecker's)\n--- ours ---\n{}\n--- theirs ---\n{}",
            ours.command, ours.stdout, theirs.stdout
        );
        // Callers look at the reports in the client's order.
        ours.json()
    }

    /// Calls `CodeCheckerService.method` on both servers, with the
    /// arguments `args(true)` on ours and `args(false)` on theirs.
    fn call_each(&mut self, method: &str, args: impl Fn(bool) -> Value) -> (Reply, Reply) {
        let ours = format!(
            "{}/{}/v6.74/CodeCheckerService",
            self.f.ours.url(),
            self.name
        );
        let theirs = format!(
            "{}/{}/v6.74/CodeCheckerService",
            self.f.theirs.url(),
            self.name
        );
        let a = self
            .py
            .call(&ours, "CodeCheckerService", method, args(true));
        let b = self
            .py
            .call(&theirs, "CodeCheckerService", method, args(false));
        (a, b)
    }

    /// Calls `method(args)` on both and asserts the same normalised answer
    /// (result or `RequestFailed`); returns ours.
    fn same_call(&mut self, method: &str, args: Value) -> Reply {
        self.same_call_each(method, |_| args.clone())
    }

    /// [`Product::same_call`] with per-server arguments.
    fn same_call_each(&mut self, method: &str, args: impl Fn(bool) -> Value) -> Reply {
        let (a, b) = self.call_each(method, args);
        let norm = |r: &Reply| match r {
            Reply::Ok(v) => Reply::Ok(normalise(v.clone())),
            other => other.clone(),
        };
        assert_eq!(
            norm(&a),
            norm(&b),
            "{method} answers differ (left ours, right CodeChecker's)"
        );
        assert!(a.reached_handler(), "{method}: {a:?}");
        a
    }
}

/// A private copy of report folder `dir` (the client writes temporary files
/// into the folder it stores, so parallel stores of one folder collide).
fn copy_reports(dir: &Path, into: &Path) -> std::path::PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).expect("create the copy");
        for entry in std::fs::read_dir(from).expect("list the reports") {
            let entry = entry.expect("entry");
            let name = entry.file_name();
            if name.to_string_lossy().starts_with("tmp") {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                copy(&path, &to.join(&name));
            } else {
                std::fs::copy(&path, to.join(&name)).expect("copy a report file");
            }
        }
    }
    let to = into.join(dir.file_name().expect("a folder name"));
    copy(dir, &to);
    to
}

/// Report ids by bug hash, from `cmd results -o json` output.
fn ids_by_hash(results: &CliOutput) -> BTreeMap<String, i64> {
    let mut out = BTreeMap::new();
    for r in results.json().as_array().expect("a list of reports") {
        let hash = r["bugHash"].as_str().expect("bugHash").to_owned();
        let id = r["reportId"].as_i64().expect("reportId");
        out.entry(hash).or_insert(id);
    }
    out
}

/// Unreviewed reports of a result list: `(bug hash, file name)`, distinct
/// hashes, in list order.
fn unreviewed(results: &Value) -> Vec<(String, String)> {
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for r in results.as_array().expect("a list of reports") {
        if r["reviewData"]["status"] != json!(0) {
            continue;
        }
        let hash = r["bugHash"].as_str().expect("bugHash").to_owned();
        let file = r["checkedFile"].as_str().expect("checkedFile");
        let name = file.rsplit('/').next().unwrap_or(file).to_owned();
        if seen.insert(hash.clone()) {
            out.push((hash, name));
        }
    }
    out
}

/// The report ids of `run` on `(ours, theirs)`, by bug hash.
fn report_ids(p: &Product, run: &str) -> (BTreeMap<String, i64>, BTreeMap<String, i64>) {
    let (ours, theirs) = p.both(&["cmd", "results", run, "-o", "json"]);
    ours.assert_success();
    theirs.assert_success();
    (ids_by_hash(&ours), ids_by_hash(&theirs))
}

#[test]
fn suppress_and_review_status_rules() {
    let f = fixture_or_skip!();
    let mut p = Product::add(f, "review_rules");
    let copies = tempfile::tempdir().expect("temp dir");
    let (v1, v2) = (
        copy_reports(&f.reports_v1, copies.path()),
        copy_reports(&f.reports_v2, copies.path()),
    );
    p.store(&v1, "review-a");
    let before = p.same_results("review-a");
    let open = unreviewed(&before);
    assert!(open.len() >= 6, "too few unreviewed reports: {open:?}");

    // `cmd suppress` with every line format of a suppress file.
    let dir = tempfile::tempdir().expect("temp dir");
    let suppress = dir.path().join("suppress.txt");
    let lines = [
        format!("{}||{}||not a bug||false_positive", open[0].0, open[0].1),
        format!("{}||{}||a real one||confirmed", open[1].0, open[1].1),
        format!("{}||{}||on purpose||intentional", open[2].0, open[2].1),
        format!("{}||{}||old style", open[3].0, open[3].1),
        format!("{} || hash only", open[4].0),
        "not a suppress line".to_owned(),
    ];
    std::fs::write(&suppress, lines.join("\n") + "\n").expect("write the suppress file");
    let file = suppress.display().to_string();
    let (ours, theirs) = p.both(&["cmd", "suppress", "review-a", "-i", &file]);
    ours.assert_success();
    theirs.assert_success();
    let after = p.same_results("review-a");
    assert_ne!(before, after, "suppress changed nothing");
    // An unknown run: the client gives up the same way on both.
    let (ours, theirs) = p.both(&["cmd", "suppress", "no-such-run", "-i", &file]);
    assert_eq!(ours.code, theirs.code, "{}\n{}", ours.all(), theirs.all());
    assert_ne!(ours.code, 0);
    // changeReviewStatus of a report that does not exist.
    p.same_call(
        "changeReviewStatus",
        json!([987_654_321, FALSE_POSITIVE, "x"]),
    );

    // Review status rules: set, change, rules listed with their counts.
    let hash = open[5].0.clone();
    let ghost = "0123456789abcdef0123456789abcdef";
    p.same_call(
        "addReviewStatusRule",
        json!([hash, FALSE_POSITIVE, "rule <one>"]),
    );
    p.same_results("review-a");
    p.same_call(
        "addReviewStatusRule",
        json!([hash, FALSE_POSITIVE, "rule <one>"]),
    );
    p.same_call("addReviewStatusRule", json!([hash, CONFIRMED, null]));
    p.same_call(
        "addReviewStatusRule",
        json!([ghost, INTENTIONAL, "it's 'quoted'"]),
    );
    p.same_call("addReviewStatusRule", json!([open[0].0, CONFIRMED, ""]));
    p.same_results("review-a");
    let rules = p.same_call("getReviewStatusRules", json!([null, null, null, null]));
    assert_eq!(rules.ok().as_array().map(Vec::len), Some(3));
    for (filter, sort, limit, offset) in [
        (
            json!({"noAssociatedReports": true}),
            json!(null),
            json!(null),
            json!(null),
        ),
        (
            json!({"reviewStatuses": [CONFIRMED]}),
            json!({"type": 0, "ord": 0}),
            json!(null),
            json!(null),
        ),
        (
            json!({"reviewStatuses": []}),
            json!(null),
            json!(null),
            json!(null),
        ),
        (
            json!({"authors": ["anon*"]}),
            json!({"type": 4, "ord": 1}),
            json!(2),
            json!(1),
        ),
        (
            json!({"reportHashes": ["0123*", &hash]}),
            json!({"type": 1, "ord": 0}),
            json!(null),
            json!(null),
        ),
        (
            json!(null),
            json!({"type": 3, "ord": 0}),
            json!(1),
            json!(null),
        ),
    ] {
        p.same_call(
            "getReviewStatusRules",
            json!([filter.clone(), sort, limit, offset]),
        );
        p.same_call("getReviewStatusRulesCount", json!([filter]));
    }

    // The system comments the rule changes left, on a report of the hash.
    let (ours_ids, theirs_ids) = report_ids(&p, "review-a");
    let comments = p.same_call_each("getComments", |ours| {
        json!([if ours {
            ours_ids[&hash]
        } else {
            theirs_ids[&hash]
        }])
    });
    assert_eq!(comments.ok().as_array().map(Vec::len), Some(2));

    // A later store applies the rules to the new reports.
    p.store(&v2, "review-b");
    p.same_results("review-b");

    // Removing rules makes their reports unreviewed again.
    p.same_call("removeReviewStatusRules", json!([{"reportHashes": [hash]}]));
    p.same_call(
        "removeReviewStatusRules",
        json!([{"noAssociatedReports": true}]),
    );
    p.same_call("getReviewStatusRules", json!([null, null, null, null]));
    p.same_results("review-a");
    p.same_results("review-b");
}

#[test]
fn comments_add_update_remove() {
    let f = fixture_or_skip!();
    let mut p = Product::add(f, "review_comments");
    let copies = tempfile::tempdir().expect("temp dir");
    p.store(&copy_reports(&f.reports_v1, copies.path()), "review-c");
    let results = p.same_results("review-c");
    let hash = unreviewed(&results)[0].0.clone();
    let (ours_ids, theirs_ids) = report_ids(&p, "review-c");
    let rid = |ours: bool| {
        if ours {
            ours_ids[&hash]
        } else {
            theirs_ids[&hash]
        }
    };

    p.same_call_each(
        "addComment",
        |o| json!([rid(o), {"message": "first <b>bold</b> & 'q'"}]),
    );
    p.same_call_each(
        "addComment",
        |o| json!([rid(o), {"message": "second", "kind": 1}]),
    );
    let listed = |p: &mut Product| p.same_call_each("getComments", |o| json!([rid(o)]));
    let comments = listed(&mut p).ok();
    assert_eq!(comments.as_array().map(Vec::len), Some(2));
    p.same_call_each("getCommentCount", |o| json!([rid(o)]));

    // Comment ids of each server, newest first.
    let (a, b) = p.call_each("getComments", |o| json!([rid(o)]));
    let ids = |r: Reply| -> Vec<i64> {
        r.ok()
            .as_array()
            .expect("comments")
            .iter()
            .map(|c| c["id"].as_i64().expect("id"))
            .collect()
    };
    let (ours_c, theirs_c) = (ids(a), ids(b));
    let cid = |o: bool, i: usize| if o { ours_c[i] } else { theirs_c[i] };

    p.same_call_each("updateComment", |o| {
        json!([cid(o, 1), "edited 'first' <i>"])
    });
    p.same_call_each("updateComment", |o| {
        json!([cid(o, 1), "edited 'first' <i>"])
    });
    listed(&mut p);
    p.same_call_each("updateComment", |o| json!([cid(o, 0), "   "]));
    p.same_call_each("removeComment", |o| json!([cid(o, 0)]));
    listed(&mut p);
    p.same_call_each("getCommentCount", |o| json!([rid(o)]));

    // Bad input: empty text, missing report or comment.
    p.same_call_each("addComment", |o| json!([rid(o), {"message": " \t"}]));
    let missing = 987_654_321;
    let (code, message) = p
        .same_call("addComment", json!([missing, {"message": "x"}]))
        .request_failed();
    assert_eq!(code, DATABASE, "{message}");
    p.same_call("getComments", json!([missing]));
    p.same_call("getCommentCount", json!([missing]));
    p.same_call("updateComment", json!([missing, "x"]));
    p.same_call("removeComment", json!([missing]));
}

#[test]
fn export_then_import_into_another_product() {
    let f = fixture_or_skip!();
    let mut src = Product::add(f, "review_export");
    let copies = tempfile::tempdir().expect("temp dir");
    let v1 = copy_reports(&f.reports_v1, copies.path());
    src.store(&v1, "review-e");
    let results = src.same_results("review-e");
    let open = unreviewed(&results);
    let (ours_ids, theirs_ids) = report_ids(&src, "review-e");
    let rid = |ours: bool, h: &str| if ours { ours_ids[h] } else { theirs_ids[h] };

    src.same_call_each("changeReviewStatus", |o| {
        json!([rid(o, &open[0].0), FALSE_POSITIVE, "suppressed"])
    });
    src.same_call(
        "addReviewStatusRule",
        json!([open[1].0, INTENTIONAL, "by rule"]),
    );
    src.same_call_each(
        "addComment",
        |o| json!([rid(o, &open[2].0), {"message": "a & b <c>"}]),
    );
    src.same_call_each(
        "addComment",
        |o| json!([rid(o, &open[2].0), {"message": "later"}]),
    );

    let exported = src.same_json(&["cmd", "export", "-n", "review-e"]);
    assert!(exported["comments"]
        .as_object()
        .is_some_and(|m| m.len() >= 2));

    // Each server's export, imported into a fresh product of the same server.
    let (ours_out, theirs_out) = src.both(&["cmd", "export", "-n", "review-e"]);
    let dir = tempfile::tempdir().expect("temp dir");
    let (ours_file, theirs_file) = (dir.path().join("ours.json"), dir.path().join("theirs.json"));
    std::fs::write(&ours_file, &ours_out.stdout).expect("write");
    std::fs::write(&theirs_file, &theirs_out.stdout).expect("write");

    let mut dst = Product::add(f, "review_import");
    dst.store(&v1, "review-e");
    let (a, b) = dst.cli_urls();
    for (file, url) in [(&ours_file, a), (&theirs_file, b)] {
        let file = file.display().to_string();
        let out = codechecker(
            Venv::Current,
            &["cmd", "import", "-i", &file, "--url", &url],
            &[],
        );
        out.assert_no_protocol_error();
        out.assert_success();
    }
    dst.same_results("review-e");
    dst.same_call("getReviewStatusRules", json!([null, null, null, null]));
    dst.same_json(&["cmd", "export", "-n", "review-e"]);
    let (ours_ids, theirs_ids) = report_ids(&dst, "review-e");
    let rid = |ours: bool, h: &str| if ours { ours_ids[h] } else { theirs_ids[h] };
    dst.same_call_each("getComments", |o| json!([rid(o, &open[2].0)]));

    // Importing the same file again adds nothing new.
    let (a, b) = dst.cli_urls();
    for (file, url) in [(&ours_file, a), (&theirs_file, b)] {
        let file = file.display().to_string();
        let out = codechecker(
            Venv::Current,
            &["cmd", "import", "-i", &file, "--url", &url],
            &[],
        );
        out.assert_success();
    }
    dst.same_call_each("getCommentCount", |o| json!([rid(o, &open[2].0)]));

    // Hashes without reports are accepted: their rules and comments wait.
    let ghost = "fedcba9876543210fedcba9876543210";
    let import = json!({
        "comments": {ghost: [{"id": 1, "author": "someone", "message": "ghost comment",
                               "createdAt": "2024-01-02 03:04:05.678901", "kind": 0}]},
        "reviewData": {ghost: {"status": FALSE_POSITIVE, "comment": "ghost rule",
                               "author": "someone", "date": "2024-01-02 03:04:05.678901"}}
    });
    dst.same_call("importData", json!([import]));
    dst.same_call(
        "getReviewStatusRules",
        json!([{"reportHashes": [ghost]}, null, null, null]),
    );

    // A bad date fails the whole import: the comment before it is not kept.
    let count =
        |p: &mut Product| p.same_call_each("getCommentCount", |o| json!([rid(o, &open[3].0)]));
    let before = count(&mut dst).ok();
    let bad = json!({
        "comments": {open[3].0.clone(): [{"id": 1, "author": "someone", "message": "kept?",
                                          "createdAt": "2024-01-02 03:04:05.000001", "kind": 0}]},
        "reviewData": {open[3].0.clone(): {"status": CONFIRMED, "comment": "bad date",
                                           "author": "someone", "date": "yesterday"}}
    });
    let (code, message) = dst.same_call("importData", json!([bad])).request_failed();
    assert_eq!(code, GENERAL, "{message}");
    assert_eq!(count(&mut dst).ok(), before);
    dst.same_results("review-e");
}

#[test]
fn only_the_author_changes_a_comment() {
    // Our server with authentication on (CodeChecker's behaviour is read
    // from its source: `Unathorized comment modification!`).
    use crate::support::server::ServerBuilder;
    let f = fixture_or_skip!();
    let config = json!({"authentication": {
        "enabled": true, "super_user": "root", "session_lifetime": 300, "refresh_time": 60,
        "method_dictionary": {"enabled": true, "auths": ["root:rootpw", "alice:alicepw", "bob:bobpw"]}
    }})
    .to_string();
    let server = ServerBuilder::new()
        .workspace_file("server_config.json", &config)
        .start();
    let mut py = PyApi::new(Venv::Current);
    let auth_url = format!("{}/v6.74/Authentication", server.url());
    let login = |py: &mut PyApi, user: &str, pw: &str| -> String {
        py.call(
            &auth_url,
            "Authentication",
            "performLogin",
            json!(["Username:Password", format!("{user}:{pw}")]),
        )
        .ok()
        .as_str()
        .expect("a session token")
        .to_owned()
    };
    let root = login(&mut py, "root", "rootpw");
    // Store as root through the client (password file in a private home).
    let home = tempfile::tempdir().expect("home");
    let pw_file = home.path().join(".codechecker.passwords.json");
    let creds = json!({"client_autologin": true,
                       "credentials": {format!("localhost:{}", server.addr().port()): "root:rootpw"}});
    std::fs::write(&pw_file, creds.to_string()).expect("password file");
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&pw_file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let home_s = home.path().display().to_string();
    let env = [("HOME", home_s.as_str()), ("CC_FORCE_SYNC_STORE", "yes")];
    let url = server.product_url();
    let copies = tempfile::tempdir().expect("temp dir");
    let dir = copy_reports(&f.reports_v1, copies.path())
        .display()
        .to_string();
    let out = codechecker(
        Venv::Current,
        &["cmd", "login", "root", "--url", &server.cli_url()],
        &env,
    );
    out.assert_success();
    let out = codechecker(
        Venv::Current,
        &["store", &dir, "-n", "authored", "--url", &url],
        &env,
    );
    out.assert_success();
    let out = codechecker(
        Venv::Current,
        &["cmd", "results", "authored", "-o", "json", "--url", &url],
        &env,
    );
    out.assert_success();
    let report = *ids_by_hash(&out).values().next().expect("a report");

    // alice and bob may comment (PRODUCT_ACCESS) and read (PRODUCT_VIEW).
    let products_url = format!("{}/v6.74/Products", server.url());
    let bearer = |t: &str| format!("Bearer {t}");
    let products = py
        .call_with_headers(
            &products_url,
            "Products",
            "getProducts",
            json!([null, null]),
            &[("Authorization", &bearer(&root))],
        )
        .ok();
    let product_id = products[0]["id"].as_i64().expect("product id");
    for user in ["alice", "bob"] {
        for perm in [17, 19] {
            py.call_with_headers(
                &auth_url,
                "Authentication",
                "addPermission",
                json!([
                    perm,
                    user,
                    false,
                    json!({"productID": product_id}).to_string()
                ]),
                &[("Authorization", &bearer(&root))],
            )
            .ok();
        }
    }
    let alice = login(&mut py, "alice", "alicepw");
    let bob = login(&mut py, "bob", "bobpw");
    let service = format!(
        "{}/v6.74/CodeCheckerService",
        url.replace("localhost", "127.0.0.1")
    );
    let call = |py: &mut PyApi, token: &str, method: &str, args: Value| {
        py.call_with_headers(
            &service,
            "CodeCheckerService",
            method,
            args,
            &[("Authorization", &bearer(token))],
        )
    };
    call(
        &mut py,
        &alice,
        "addComment",
        json!([report, {"message": "mine"}]),
    )
    .ok();
    let comments = call(&mut py, &bob, "getComments", json!([report])).ok();
    assert_eq!(comments[0]["author"], json!("alice"));
    let id = comments[0]["id"].as_i64().expect("comment id");
    for (method, args) in [
        ("updateComment", json!([id, "bob was here"])),
        ("removeComment", json!([id])),
    ] {
        let (code, message) = call(&mut py, &bob, method, args).request_failed();
        assert_eq!(
            (code, message.as_str()),
            (4, "Unathorized comment modification!")
        );
    }
    assert_eq!(
        call(&mut py, &alice, "updateComment", json!([id, "still mine"])).ok(),
        json!(true)
    );
    let comments = call(&mut py, &bob, "getComments", json!([report])).ok();
    assert_eq!(
        comments[0]["kind"],
        json!(1),
        "a system comment records the edit: {comments}"
    );
    assert_eq!(comments[0]["author"], json!("alice"));
    assert_eq!(
        call(&mut py, &alice, "removeComment", json!([id])).ok(),
        json!(true)
    );
}
