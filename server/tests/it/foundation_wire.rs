//! Wire compatibility with the real CodeChecker clients (6.29.1 and 6.24.4)
//! and, call by call, with CodeChecker's own server.

use crate::support;

use std::sync::OnceLock;

use serde_json::{json, Value};
use support::python::{codechecker, PyApi, Reply, Venv};
use support::reference::RefServer;
use support::server::{Server, ServerBuilder};

/// One server for every test of this file (none of them changes it).
fn server() -> &'static Server {
    static SERVER: OnceLock<&'static Server> = OnceLock::new();
    SERVER.get_or_init(|| ServerBuilder::new().api(2).workers(1).start_shared())
}

#[test]
fn products_list_with_both_clients() {
    let server = server();
    for venv in Venv::ALL {
        let out = codechecker(
            venv,
            &[
                "cmd",
                "products",
                "list",
                "--url",
                &server.cli_url(),
                "-o",
                "json",
            ],
            &[],
        );
        out.assert_no_protocol_error();
        out.assert_success();
        let listed = out.json();
        let entries = listed.as_array().expect("a JSON list of products");
        let default = entries
            .iter()
            .find_map(|e| e.get("Default"))
            .unwrap_or_else(|| panic!("{}: no Default product in {listed}", venv.name()));
        assert_eq!(default["endpoint"], "Default", "{}", venv.name());
        assert_eq!(default["connected"], true, "{}", venv.name());
        // databaseStatus 0 is OK: the client would refuse to use the product otherwise.
        assert_eq!(default["databaseStatus"], 0, "{}", venv.name());

        let table = codechecker(
            venv,
            &["cmd", "products", "list", "--url", &server.cli_url()],
            &[],
        );
        table.assert_no_protocol_error();
        table.assert_success();
        assert!(
            table.stdout.contains("Default") && table.stdout.contains("Database is up to date"),
            "{}: {}",
            venv.name(),
            table.all()
        );
    }
}

#[test]
fn runs_answer_cleanly_with_both_clients() {
    let server = server();
    for venv in Venv::ALL {
        let out = codechecker(
            venv,
            &["cmd", "runs", "--url", &server.product_url(), "-o", "json"],
            &[],
        );
        out.assert_no_protocol_error();
        if out.code == 0 {
            // getRunData is implemented: a fresh product has no runs.
            assert_eq!(out.json(), json!([]), "{}: {}", venv.name(), out.all());
        } else {
            // Not implemented yet: the client shows the server's RequestFailed.
            assert!(
                out.all().contains("getRunData") && out.all().contains("not implemented"),
                "{}: expected the server's RequestFailed message:\n{}",
                venv.name(),
                out.all()
            );
        }
    }
}

/// The calls compared with CodeChecker's server: (path, service, method, args).
fn compared_calls() -> Vec<(&'static str, &'static str, &'static str, Value)> {
    vec![
        (
            "/v6.74/ServerInfo",
            "ServerInfo",
            "getPackageVersion",
            json!([]),
        ),
        (
            "/v6.74/Authentication",
            "Authentication",
            "getAuthParameters",
            json!([]),
        ),
        (
            "/v6.74/Authentication",
            "Authentication",
            "checkAPIVersion",
            json!([]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "getPackageVersion",
            json!([]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "getCurrentProduct",
            json!([]),
        ),
        (
            "/Default/v6.74/Products",
            "Products",
            "getCurrentProduct",
            json!([]),
        ),
        ("/v6.74/Products", "Products", "getProducts", json!([])),
        (
            "/v6.74/Products",
            "Products",
            "getProducts",
            json!(["Def*", null, null, null, null]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "getProducts",
            json!(["nothing*", null, null, null, null]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "getProducts",
            json!([null, "default", null, null, null]),
        ),
        (
            "/Default/v6.74/Products",
            "Products",
            "getProducts",
            json!([]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "isAdministratorOfAnyProduct",
            json!([]),
        ),
        (
            "/Default/v6.74/Products",
            "Products",
            "isAdministratorOfAnyProduct",
            json!([]),
        ),
        (
            "/v6.74/Products",
            "Products",
            "getProductCount",
            json!([null, null]),
        ),
        ("/v6.74/Tasks", "Tasks", "getTaskInfo", json!(["0000"])),
        ("/v6.74/Tasks", "Tasks", "cancelTask", json!(["0000"])),
        ("/v7.0/Products", "Products", "getPackageVersion", json!([])),
        (
            "/v6.99/Products",
            "Products",
            "getPackageVersion",
            json!([]),
        ),
        (
            "/Nonexistent/v6.74/Products",
            "Products",
            "getPackageVersion",
            json!([]),
        ),
    ]
}

#[test]
fn api_answers_like_codechecker() {
    let ours = server();
    let reference = RefServer::start(false);
    let mut current = PyApi::new(Venv::Current);
    let mut differences = Vec::new();
    for (path, service, method, args) in compared_calls() {
        let mine = current.call(
            &format!("{}{path}", ours.url()),
            service,
            method,
            args.clone(),
        );
        let theirs = current.call(&format!("{}{path}", reference.url()), service, method, args);
        assert!(
            !matches!(mine, Reply::Error { .. }),
            "{path} {method}: the client failed on our answer: {mine:?}"
        );
        if mine != theirs {
            differences.push(format!(
                "{path} {method}\n  ours:       {mine:?}\n  CodeChecker: {theirs:?}"
            ));
        }
    }
    // The 6.24.4 client speaks API 6.58 through the same paths.
    let mut legacy = PyApi::new(Venv::Legacy);
    for (path, service, method) in [
        ("/v6.58/ServerInfo", "ServerInfo", "getPackageVersion"),
        (
            "/v6.58/Authentication",
            "Authentication",
            "getAuthParameters",
        ),
        ("/v6.58/Products", "Products", "getProducts"),
        ("/Default/v6.58/Products", "Products", "getCurrentProduct"),
    ] {
        let mine = legacy.call(&format!("{}{path}", ours.url()), service, method, json!([]));
        let theirs = legacy.call(
            &format!("{}{path}", reference.url()),
            service,
            method,
            json!([]),
        );
        assert!(mine.reached_handler(), "6.24.4 {path} {method}: {mine:?}");
        if mine != theirs {
            differences.push(format!(
                "6.24.4 {path} {method}\n  ours:       {mine:?}\n  CodeChecker: {theirs:?}"
            ));
        }
    }
    assert!(
        differences.is_empty(),
        "answers differ:\n{}",
        differences.join("\n")
    );
}

#[test]
fn omitted_arguments_reach_the_handler() {
    let server = server();
    let mut py = PyApi::new(Venv::Current);
    let report = format!("{}/Default/v6.74/CodeCheckerService", server.url());
    let tasks = format!("{}/v6.74/Tasks", server.url());
    // An empty zip, base64-encoded; tag, description and trimPathPrefixes unset.
    let zip = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";
    let calls = [
        (
            report.as_str(),
            "CodeCheckerService",
            "massStoreRun",
            json!(["omitted-args", null, "6.29.1", zip, false, null, null]),
        ),
        (
            report.as_str(),
            "CodeCheckerService",
            "massStoreRun",
            json!([null, null, null, null, null, null, null]),
        ),
        (
            report.as_str(),
            "CodeCheckerService",
            "getRunData",
            json!([null, null, null, null]),
        ),
        (tasks.as_str(), "Tasks", "getTaskInfo", json!([null])),
        (tasks.as_str(), "Tasks", "cancelTask", json!([null])),
        (tasks.as_str(), "Tasks", "getTasks", json!([null])),
        (
            tasks.as_str(),
            "Tasks",
            "createDummyTask",
            json!([null, null]),
        ),
    ];
    for (url, service, method, args) in calls {
        let reply = py.call(url, service, method, args.clone());
        assert!(
            reply.reached_handler(),
            "{method}{args}: expected a result or RequestFailed, got {reply:?}"
        );
    }
    // A missing token is named in the answer.
    let (_, message) = py
        .call(&tasks, "Tasks", "getTaskInfo", json!([null]))
        .request_failed();
    assert!(message.contains("token"), "{message}");
    server.assert_no_child_died();
}
