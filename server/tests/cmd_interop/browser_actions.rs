//! The web UI in a real browser (headless chromium), doing what a user does:
//! open a report's detail page, add a comment, change a review status by
//! clicking, open the statistics and configuration pages, and log in to a
//! product one may not view. Each action's
//! outcome is checked through the API (`getComments`) or `CodeChecker cmd`,
//! and pages are compared with the same pages on CodeChecker's server.
//! Screenshots are kept in `target/test-artifacts/web-ui/`.

use std::path::Path;

use serde_json::{json, Value};

use crate::browser::{visit_both, Page};
use crate::fixture::Fixture;
use crate::support::browser::{artifacts, have_browser, Browser};
use crate::support::python::{codechecker, CliOutput, PyApi, Reply, Venv};

/// The product the mutating tests work in (ours only): comments and review
/// statuses belong to bug hashes, product-wide.
const PRODUCT: &str = "ui_actions";
/// The run of [`PRODUCT`].
const RUN: &str = "ui-actions";

/// A script: whether the report-detail page shows its source and events.
const DETAIL_READY: &str = "return document.querySelectorAll('.cm-line').length > 0 \
     && document.querySelectorAll('.report-step-msg').length > 0";

/// API problems and JavaScript errors of the current page.
fn problems(browser: &Browser) -> Vec<String> {
    let mut out: Vec<String> = browser
        .calls()
        .into_iter()
        .filter_map(|c| {
            if !c.done {
                Some(format!("{} ({}): no reply", c.method, c.url))
            } else {
                c.problem.map(|p| format!("{} ({}): {p}", c.method, c.url))
            }
        })
        .collect();
    out.extend(browser.errors().into_iter().map(|e| format!("JS: {e}")));
    out
}

/// `cmd results <run> -o json` at `url` (a product URL).
fn results(url: &str, run: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["cmd", "results", run, "-o", "json"];
    args.extend(extra);
    args.extend(["--url", url]);
    let out = codechecker(Venv::Current, &args, &[]);
    out.assert_no_protocol_error();
    out.assert_success();
    out.json().as_array().cloned().expect("a list of reports")
}

/// The report of `reports` with the longest bug path (ties by bug hash).
fn longest_path(reports: &[Value]) -> &Value {
    reports
        .iter()
        .max_by_key(|r| {
            (
                r["bugPathLength"].as_i64().unwrap_or(0),
                r["bugHash"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .expect("some reports")
}

/// What the detail page shows: the text of the source line of the report
/// and the texts of the event bubbles.
struct Detail {
    lines: Vec<String>,
    bubbles: Vec<String>,
    problems: Vec<String>,
    methods: std::collections::BTreeSet<String>,
}

fn open_detail(browser: &Browser, base: &str, id: i64, shot: (&str, &str)) -> Detail {
    browser.open(&format!("{base}/report-detail?report-id={id}"));
    browser.wait_for("the report's source and events", DETAIL_READY);
    browser.settle();
    browser.screenshot(&artifacts(shot.0), shot.1);
    let texts = |selector: &str| -> Vec<String> {
        browser
            .eval(&format!(
                "return Array.from(document.querySelectorAll('{selector}')).map(e => e.innerText)"
            ))
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| v.as_str().map(|s| s.trim().to_owned()))
            .collect()
    };
    Detail {
        lines: texts(".cm-line"),
        bubbles: texts(".report-step-msg"),
        problems: problems(browser),
        methods: browser.calls().into_iter().map(|c| c.method).collect(),
    }
}

/// Line `line` (1-based) of the fixture's source `checked` (e.g.
/// `src/item.c`), of version 2.
fn source_line(f: &Fixture, checked: &str, line: i64) -> String {
    let root = f.reports_v2.parent().expect("the version folder");
    let text = std::fs::read_to_string(root.join(checked))
        .unwrap_or_else(|e| panic!("read {checked}: {e}"));
    let index = usize::try_from(line - 1).expect("a line number");
    text.lines()
        .nth(index)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

#[test]
fn report_detail_shows_source_and_path_events_on_both_servers() {
    let f = crate::fixture_or_skip!();
    if !have_browser() {
        return;
    }
    let ours_reports = results(&f.ours_url(), "clang-v2", &[]);
    let theirs_reports = results(&f.theirs_url(), "clang-v2", &[]);
    let report = longest_path(&ours_reports);
    let hash = report["bugHash"].as_str().expect("a bug hash");
    let theirs = theirs_reports
        .iter()
        .find(|r| r["bugHash"] == hash)
        .expect("the same report on CodeChecker's server");
    let browser = Browser::start();
    let ours = open_detail(
        &browser,
        &f.ours_url(),
        report["reportId"].as_i64().expect("an id"),
        ("ours", "report-detail"),
    );
    let cc = open_detail(
        &browser,
        &f.theirs_url(),
        theirs["reportId"].as_i64().expect("an id"),
        ("codechecker", "report-detail"),
    );
    assert!(ours.problems.is_empty(), "detail page: {:?}", ours.problems);
    assert_eq!(ours.methods, cc.methods, "API methods of the detail page");
    let expected = source_line(
        f,
        report["checkedFile"].as_str().expect("a file"),
        report["line"].as_i64().expect("a line"),
    );
    assert!(
        ours.lines.iter().any(|l| l == &expected),
        "source line {expected:?} not shown; lines: {:?}",
        ours.lines
    );
    let msg = report["checkerMsg"].as_str().expect("a message");
    assert!(
        ours.bubbles.iter().any(|b| b.contains(msg)),
        "no bubble with {msg:?}: {:?}",
        ours.bubbles
    );
    assert!(
        ours.bubbles.len() >= 2,
        "a path of {} events shows bubbles {:?}",
        report["bugPathLength"],
        ours.bubbles
    );
    assert_eq!(
        ours.bubbles, cc.bubbles,
        "event bubbles (ours, CodeChecker's)"
    );
    assert_eq!(ours.lines, cc.lines, "source lines (ours, CodeChecker's)");
}

/// Adds [`PRODUCT`] to both servers (one after the other, so that their
/// product lists differ for as short a time as possible), then stores the
/// fixture's v2 into each as [`RUN`]; returns the product URLs `(ours,
/// theirs)`.
fn own_product(f: &Fixture) -> (String, String) {
    let bases = [f.ours.cli_url(), f.theirs.cli_url()];
    for base in &bases {
        let add = codechecker(
            Venv::Current,
            &["cmd", "products", "add", PRODUCT, "--url", base],
            &[],
        );
        add.assert_no_protocol_error();
        add.assert_success();
    }
    let dir: &Path = &f.reports_v2;
    let trim = dir
        .parent()
        .expect("a version folder")
        .display()
        .to_string();
    let dir = dir.display().to_string();
    let [ours, theirs] = bases.map(|base| format!("{base}/{PRODUCT}"));
    let _one_store = crate::fixture::store_guard();
    for url in [&ours, &theirs] {
        let store: CliOutput = codechecker(
            Venv::Current,
            &[
                "store",
                &dir,
                "-n",
                RUN,
                "--trim-path-prefix",
                &trim,
                "--url",
                url,
            ],
            &[("CC_FORCE_SYNC_STORE", "yes")],
        );
        store.assert_no_protocol_error();
        store.assert_success();
    }
    (ours, theirs)
}

/// Clicks the first element matching `selector` whose text contains `text`
/// (case-insensitive); panics when there is none.
fn click_text(browser: &Browser, selector: &str, text: &str) {
    let clicked = browser.wait_for(
        &format!("{selector} with text {text:?}"),
        &format!(
            "const e = Array.from(document.querySelectorAll({sel})).find(e => \
             e.offsetParent !== null && e.innerText.toLowerCase().includes({txt})); \
             if (e) {{ e.click(); return true; }} return false;",
            sel = json!(selector),
            txt = json!(text.to_lowercase()),
        ),
    );
    assert_eq!(clicked, Value::Bool(true));
}

/// Types `text` into the visible `textarea` or `input` matching `selector`,
/// as Vue sees it.
fn type_into(browser: &Browser, selector: &str, text: &str) {
    let typed = browser.wait_for(
        &format!("a visible {selector}"),
        &format!(
            "const t = Array.from(document.querySelectorAll({sel})).find(e => e.offsetParent !== null); \
             if (!t) return false; t.focus(); t.value = {txt}; \
             t.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
            sel = json!(selector),
            txt = json!(text),
        ),
    );
    assert_eq!(typed, Value::Bool(true));
}

#[test]
fn comment_and_review_status_set_in_the_ui_reach_the_api() {
    let f = crate::fixture_or_skip!();
    if !have_browser() {
        return;
    }
    let (ours, theirs) = own_product(f);
    let browser = Browser::start();
    let mut py = PyApi::new(Venv::Current);
    let ours_api = format!("{}/{PRODUCT}/v6.74/CodeCheckerService", f.ours.url());
    let theirs_api = format!("{}/{PRODUCT}/v6.74/CodeCheckerService", f.theirs.url());
    let ours_methods = comment_and_review(&browser, &mut py, (&ours, &ours_api), "ours");
    let theirs_methods =
        comment_and_review(&browser, &mut py, (&theirs, &theirs_api), "codechecker");
    assert_eq!(
        ours_methods, theirs_methods,
        "API methods of the detail page's actions (ours, CodeChecker's)"
    );
}

/// On the product at `urls.0` (its result service at `urls.1`): comments
/// on a report and marks it a false positive through the detail page,
/// checks both through the API and `cmd results`; the API methods the page
/// called.
fn comment_and_review(
    browser: &Browser,
    py: &mut PyApi,
    urls: (&str, &str),
    shots: &str,
) -> std::collections::BTreeSet<String> {
    let (url, endpoint) = urls;
    let reports = results(url, RUN, &[]);
    let report = longest_path(&reports);
    let id = report["reportId"].as_i64().expect("an id");
    let hash = report["bugHash"].as_str().expect("a bug hash").to_owned();
    browser.open(&format!("{url}/report-detail?report-id={id}"));
    browser.wait_for("the report's source and events", DETAIL_READY);
    browser.settle();

    // A comment through the comment box.
    let message = "checked in the browser test";
    click_text(browser, ".comments-btn", "comments");
    type_into(browser, "textarea[name=message]", message);
    click_text(browser, ".new-comment-btn", "add");
    browser.wait_for(
        "the comment on the page",
        &format!(
            "return document.body.innerText.includes({})",
            json!(message)
        ),
    );
    browser.settle();
    browser.screenshot(&artifacts(shots), "report-detail-commented");
    let comments = match py.call(endpoint, "CodeCheckerService", "getComments", json!([id])) {
        Reply::Ok(v) => v,
        other => panic!("getComments: {other:?}"),
    };
    let texts: Vec<&str> = comments
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["message"].as_str())
        .collect();
    assert!(
        texts.contains(&message),
        "getComments of report {id}: {comments}"
    );

    // The review status through its selector and the reason dialog.
    browser.eval(
        "const f = document.querySelector('.select-review-status .v-field'); \
         f.dispatchEvent(new MouseEvent('mousedown', {bubbles: true})); f.click();",
    );
    click_text(
        browser,
        ".select-review-status-menu .v-list-item",
        "false positive",
    );
    type_into(browser, ".v-dialog textarea", "not a bug: browser test");
    click_text(browser, ".v-dialog button", "save");
    browser.wait_for(
        "the dialog to close",
        "return !Array.from(document.querySelectorAll('.v-dialog')).some(e => e.offsetParent !== null)",
    );
    browser.settle();
    browser.screenshot(&artifacts(shots), "report-detail-false-positive");
    let found = problems(browser);
    assert!(found.is_empty(), "detail page actions: {found:?}");
    assert!(
        browser.calls().iter().any(|c| c.method == "addComment"),
        "no addComment call"
    );
    let listed = results(url, RUN, &["--review-status", "false_positive"]);
    assert!(
        listed.iter().any(|r| r["bugHash"] == hash.as_str()
            && r["reviewData"]["comment"] == "not a bug: browser test"),
        "report {hash} not listed as a false positive: {listed:?}"
    );
    browser.calls().into_iter().map(|c| c.method).collect()
}

/// Statistics and configuration pages.
const PAGES: [Page<'static>; 6] = [
    Page {
        name: "statistics-checker",
        path: "/Default/statistics/checker?run=clang-v2",
        ready: "return document.querySelectorAll('tbody tr').length > 1",
    },
    Page {
        name: "statistics-severity",
        path: "/Default/statistics/severity?run=clang-v2",
        ready: "return document.querySelectorAll('tbody tr').length > 1",
    },
    Page {
        name: "statistics-component",
        path: "/Default/statistics/component?run=clang-v2",
        ready: "return document.body.innerText.includes('Other (auto-generated)')",
    },
    Page {
        name: "review-status-rules",
        path: "/Default/review-status-rules",
        ready: "return document.querySelectorAll('table').length > 0",
    },
    Page {
        name: "source-components",
        path: "/Default/source-component",
        ready: "return document.querySelectorAll('table').length > 0",
    },
    Page {
        name: "cleanup-plans",
        path: "/Default/cleanup-plan",
        ready: "return document.body.innerText.length > 200",
    },
];

#[test]
fn statistics_and_configuration_pages_load_on_both_servers() {
    let f = crate::fixture_or_skip!();
    if !have_browser() {
        return;
    }
    let browser = Browser::start();
    let mut failures = Vec::new();
    for page in &PAGES {
        visit_both(
            &browser,
            &f.ours.cli_url(),
            &f.theirs.cli_url(),
            page,
            false,
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "the web UI on our server:\n{}",
        failures.join("\n")
    );
}

/// The product of the authentication test.
const SECRET: &str = "secret";

/// Whether the page shows any of `reports`' checker messages.
fn shows_any_report(browser: &Browser, reports: &[Value]) -> Vec<String> {
    let text = browser
        .eval("return document.body ? document.body.innerText : ''")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    reports
        .iter()
        .filter_map(|r| r["checkerMsg"].as_str())
        .filter(|m| text.contains(m))
        .map(str::to_owned)
        .collect()
}

#[test]
fn without_product_view_the_ui_shows_the_login_page_then_no_data() {
    let f = crate::fixture_or_skip!();
    if !have_browser() {
        return;
    }
    let server = crate::auth_common::start(&crate::auth_common::auth_config(json!({})));
    let db = configdb::ConfigDb::open(&server.config_url()).expect("open the configuration");
    db.add_product(&configdb::ProductSpec::new(
        SECRET,
        format!("sqlite:{SECRET}.sqlite"),
    ))
    .expect("add a product");
    // The super user stores the fixture's v2 into it.
    let root = crate::auth_common::ClientHome::new();
    root.login(&server, "root", crate::auth_common::password("root"))
        .assert_success();
    let url = format!("{}/{SECRET}", server.cli_url());
    let dir = f.reports_v2.display().to_string();
    let one_store = crate::fixture::store_guard();
    let store = root.cc(
        Venv::Current,
        &["store", &dir, "-n", "hidden", "--url", &url],
        &[("CC_FORCE_SYNC_STORE", "yes")],
    );
    drop(one_store);
    store.assert_no_protocol_error();
    store.assert_success();
    let listed = root.cc(
        Venv::Current,
        &["cmd", "results", "hidden", "-o", "json", "--url", &url],
        &[],
    );
    listed.assert_success();
    let reports = listed.json().as_array().cloned().expect("a list");
    assert!(!reports.is_empty(), "root sees the stored reports");

    let browser = Browser::start();
    // Not logged in: the login page, no data.
    browser.open(&format!("{url}/reports?run=hidden"));
    browser.wait_for(
        "the login page",
        "return location.pathname.includes('login') && !!document.querySelector('#login-btn')",
    );
    browser.settle();
    browser.screenshot(&artifacts("ours-auth"), "login-page");
    let seen = shows_any_report(&browser, &reports);
    assert!(seen.is_empty(), "the login page shows reports: {seen:?}");

    // Logged in through the form as bob, who has no PRODUCT_VIEW there.
    type_into(&browser, "input[name=username]", "bob");
    type_into(
        &browser,
        "input[name=password]",
        crate::auth_common::password("bob"),
    );
    browser.eval("document.querySelector('#login-btn').click()");
    browser.wait_for(
        "the login to finish",
        "return !location.pathname.includes('login')",
    );
    browser.settle();
    browser.open(&format!("{url}/reports?run=hidden"));
    browser.wait_for(
        "the reports page to answer",
        "return document.body && document.body.innerText.includes('REPORTS')",
    );
    browser.settle();
    browser.screenshot(&artifacts("ours-auth"), "reports-without-view");
    let seen = shows_any_report(&browser, &reports);
    assert!(seen.is_empty(), "bob sees reports: {seen:?}");
    let calls = browser.calls();
    let answered: Vec<_> = calls
        .iter()
        .filter(|c| c.method == "getRunResults" || c.method == "getRunData")
        .filter(|c| c.problem.is_none())
        .collect();
    assert!(answered.is_empty(), "calls that answered bob: {answered:?}");
    assert!(
        calls.iter().any(|c| c.method == "getRunData"
            && c.problem
                .as_deref()
                .is_some_and(|p| p.contains("PRODUCT_VIEW"))),
        "getRunData was not refused for want of PRODUCT_VIEW: {calls:?}"
    );
    browser.wait_for(
        "the empty table",
        "return document.body.innerText.includes('No data available')",
    );
}
