//! The web UI in a real browser (headless chromium): CodeChecker's own pages
//! on our server and on CodeChecker's, with the fixture's data. Every page
//! must load with no failed API call and no JavaScript error, call the same
//! API methods as on CodeChecker's server, get the same replies to the same
//! calls (instants and report ids aside), and show the same table rows.
//! Screenshots and the recorded calls are kept in
//! `target/test-artifacts/web-ui/`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

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
    /// Normalised reply of each distinct call (service path, method and
    /// arguments).
    pub(crate) replies: BTreeMap<String, Value>,
    pub(crate) problems: Vec<String>,
    pub(crate) rows: Vec<String>,
}

pub(crate) fn visit(browser: &Browser, base: &str, page: &Page, shots: &str) -> Seen {
    browser.open(&format!("{base}{}", page.path));
    browser.wait_for(page.name, page.ready);
    browser.settle();
    browser.screenshot(&artifacts(shots), page.name);
    let calls = browser.calls();
    let recorded: Vec<serde_json::Value> = calls
        .iter()
        .map(|c| serde_json::json!({"url": c.url, "request": c.request, "reply": c.reply}))
        .collect();
    let _ = std::fs::write(
        artifacts(shots).join(format!("{}.calls.json", page.name)),
        serde_json::to_vec_pretty(&recorded).unwrap_or_default(),
    );
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
    let replies = calls
        .iter()
        .filter(|c| c.done)
        .filter_map(|c| {
            Some((
                call_key(&c.url, &c.request)?,
                normalised_reply(&c.method, &c.reply),
            ))
        })
        .collect();
    Seen {
        replies,
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
    let mut compared = 0;
    for (call, reply) in &ours.replies {
        let Some(expected) = theirs.replies.get(call) else {
            // Arguments that carry ids of the server (a report's id) differ;
            // the methods were compared above.
            continue;
        };
        compared += 1;
        if reply != expected {
            failures.push(format!(
                "{}: {call} answers differently\n  ours: {}\n  CodeChecker's: {}",
                page.name,
                truncate(reply),
                truncate(expected)
            ));
        }
    }
    if compared == 0 && !theirs.replies.is_empty() {
        failures.push(format!(
            "{}: no call to compare with CodeChecker's",
            page.name
        ));
    }
    (ours, theirs)
}

/// What identifies a call: the service path (without host and product) and
/// the message without its sequence number.
fn call_key(url: &str, request: &str) -> Option<String> {
    let message: Value = serde_json::from_str(request).ok()?;
    let service = url.rsplit('/').next().unwrap_or(url);
    Some(format!("{service} {} {}", message.get(1)?, message.get(4)?))
}

/// A reply's result, with what legitimately differs between two servers
/// holding the same data masked: instants (when each stored) and the ids of
/// reports and files (assigned in each server's own insertion order).
fn normalised_reply(method: &str, reply: &str) -> Value {
    let Ok(message) = serde_json::from_str::<Value>(reply) else {
        return Value::String(format!("unreadable: {reply}"));
    };
    let mut result = message.get(4).cloned().unwrap_or(Value::Null);
    mask(&mut result);
    if method == "getRunResults" {
        // ReportData fields 6 and 7 are the ids of the report and its file.
        // Reports that tie on the requested sort key come in id order, so
        // the page is compared as a set.
        if let Some(list) = result.pointer_mut("/0/lst").and_then(Value::as_array_mut) {
            let mut reports = list.split_off(2.min(list.len()));
            for report in &mut reports {
                for field in ["6", "7"] {
                    if let Some(id) = report.get_mut(field) {
                        *id = Value::String("<id>".into());
                    }
                }
            }
            reports.sort_by_cached_key(Value::to_string);
            list.extend(reports);
        }
    }
    result
}

/// Replaces date strings (`YYYY-MM-DD HH:MM:SS[.ffffff]`) by a marker.
fn mask(value: &mut Value) {
    match value {
        Value::String(s) => {
            let b = s.as_bytes();
            let looks_like_date = b.len() >= 19
                && b[4] == b'-'
                && b[7] == b'-'
                && b[10] == b' '
                && b[13] == b':'
                && b[..4].iter().all(u8::is_ascii_digit);
            if looks_like_date {
                *s = "<date>".into();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask),
        Value::Object(map) => map.values_mut().for_each(mask),
        _ => {}
    }
}

fn truncate(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 600 {
        format!("{}…", &text[..text.floor_char_boundary(600)])
    } else {
        text
    }
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
