//! The web UI in a real browser (headless chromium): CodeChecker's own pages
//! on our server and on CodeChecker's, with the fixture's data. Every page
//! must load with no failed API call and no JavaScript error, call the same
//! API methods as on CodeChecker's server, and show the same table rows.
//! Screenshots are kept in `target/test-artifacts/web-ui/`.

use std::collections::BTreeSet;

use crate::support::browser::{artifacts, have_browser, Browser};

/// A page of the UI and what shows that it has loaded.
pub(crate) struct Page {
    pub(crate) name: &'static str,
    pub(crate) path: &'static str,
    /// A script returning something truthy once the page shows its data.
    pub(crate) ready: &'static str,
}

const TABLE_ROWS: &str = "return document.querySelectorAll('tbody tr').length > 1 \
     && !document.querySelector('.v-data-table__progress, .v-progress-linear--active')";

const PAGES: [Page; 6] = [
    Page {
        name: "products",
        path: "/",
        ready: "return document.body.innerText.includes('Default')",
    },
    Page {
        name: "runs",
        path: "/Default/runs",
        ready: "return document.body.innerText.includes('clang-v2')",
    },
    Page {
        name: "reports",
        path: "/Default/reports?run=clang-v2",
        ready: TABLE_ROWS,
    },
    Page {
        name: "reports-filtered",
        path: "/Default/reports?run=clang&severity=High&detection-status=New&detection-status=Unresolved",
        ready: TABLE_ROWS,
    },
    Page {
        name: "run-comparison",
        path: "/Default/reports?run=clang-v1&newcheck=clang-v2&diff-type=New",
        ready: "return document.body.innerText.length > 0",
    },
    Page {
        name: "checker-statistics",
        path: "/Default/statistics?run=clang-v2",
        ready: "return document.body.innerText.length > 0",
    },
];

/// What a page showed: API methods called, problems, table rows.
pub(crate) struct Seen {
    pub(crate) methods: BTreeSet<String>,
    pub(crate) problems: Vec<String>,
    pub(crate) rows: Vec<String>,
}

pub(crate) fn visit(browser: &Browser, base: &str, page: &Page, shots: &str) -> Seen {
    browser.open(&format!("{base}{}", page.path));
    browser.wait_for(page.name, page.ready);
    browser.settle();
    browser.screenshot(&artifacts(shots), page.name);
    let calls = browser.calls();
    let mut problems: Vec<String> = calls
        .iter()
        .filter_map(|c| {
            if !c.done {
                Some(format!("{} ({}): no reply", c.method, c.url))
            } else {
                c.problem
                    .as_ref()
                    .map(|p| format!("{} ({}): {p}", c.method, c.url))
            }
        })
        .collect();
    problems.extend(browser.errors().into_iter().map(|e| format!("JS: {e}")));
    let rows = browser
        .eval("return Array.from(document.querySelectorAll('tbody tr')).map(r => r.innerText)")
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect();
    Seen {
        methods: calls.into_iter().map(|c| c.method).collect(),
        problems,
        rows,
    }
}

/// Visits `page` on our server and on CodeChecker's; notes in `failures`
/// every problem on ours and any difference in the API methods called.
pub(crate) fn visit_both(
    browser: &Browser,
    ours_base: &str,
    theirs_base: &str,
    page: &Page,
    failures: &mut Vec<String>,
) -> (Seen, Seen) {
    let ours = visit(browser, ours_base, page, "ours");
    let theirs = visit(browser, theirs_base, page, "codechecker");
    for p in &ours.problems {
        failures.push(format!("{}: {p}", page.name));
    }
    if ours.methods != theirs.methods {
        failures.push(format!(
            "{}: API methods differ: ours only {:?}, CodeChecker's only {:?}",
            page.name,
            ours.methods.difference(&theirs.methods).collect::<Vec<_>>(),
            theirs.methods.difference(&ours.methods).collect::<Vec<_>>()
        ));
    }
    (ours, theirs)
}

#[test]
fn pages_load_without_errors_and_match_codecheckers() {
    let f = crate::fixture_or_skip!();
    if !have_browser() {
        return;
    }
    let browser = Browser::start();
    let ours_base = f.ours.cli_url();
    let theirs_base = f.theirs.cli_url();
    let mut failures = Vec::new();
    for page in &PAGES {
        let (ours, theirs) = visit_both(&browser, &ours_base, &theirs_base, page, &mut failures);
        // Other tests of the binary add products to both servers one after
        // the other, so the products page's rows are not compared.
        if page.name != "products" && ours.rows.len() != theirs.rows.len() {
            failures.push(format!(
                "{}: {} table rows, CodeChecker's server shows {}",
                page.name,
                ours.rows.len(),
                theirs.rows.len()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "the web UI on our server:\n{}",
        failures.join("\n")
    );
}
