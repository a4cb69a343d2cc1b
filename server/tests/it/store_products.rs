//! Products with their own databases: `CodeChecker cmd products add/list/del`
//! against our server, the configuration calls the clients make, and products
//! whose database is broken (reported with CodeChecker's status, the server
//! keeps serving the others).

use crate::support;

use base64::Engine as _;
use serde_json::{json, Value};
use support::python::{codechecker, PyApi, Venv};
use support::server::Server;
use support::store::store_server;

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn products(server: &Server) -> Vec<Value> {
    let out = codechecker(
        Venv::Current,
        &[
            "cmd",
            "products",
            "list",
            "-o",
            "json",
            "--url",
            &server.cli_url(),
        ],
        &[],
    );
    out.assert_success();
    out.json()
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .flat_map(|entry| entry.as_object().cloned().unwrap_or_default().into_values())
        .collect()
}

fn product<'a>(list: &'a [Value], endpoint: &str) -> &'a Value {
    list.iter()
        .find(|p| p["endpoint"] == endpoint)
        .unwrap_or_else(|| panic!("no product {endpoint} in {list:?}"))
}

/// Runs `python -c script` of the venv with `args`.
fn python(script: &str, args: &[&str]) {
    let status = std::process::Command::new(Venv::Current.python())
        .arg("-c")
        .arg(script)
        .args(args)
        .status()
        .expect("run python");
    assert!(status.success());
}

#[test]
fn products_are_added_listed_configured_and_removed() {
    let server = store_server().start();
    let url = server.cli_url();
    let add = codechecker(
        Venv::Current,
        &[
            "cmd",
            "products",
            "add",
            "second",
            "--name",
            "Second one",
            "--description",
            "its text",
            "--sqlite",
            "dbs/../second.sqlite",
            "--url",
            &url,
        ],
        &[],
    );
    add.assert_success();
    assert!(
        server.workspace().join("second.sqlite").is_file(),
        "the product database was not created in the workspace"
    );
    let list = products(&server);
    assert_eq!(list.len(), 2);
    let second = product(&list, "second");
    assert_eq!(second["displayedName_b64"], json!(b64("Second one")));
    assert_eq!(second["description_b64"], json!(b64("its text")));
    assert_eq!(second["databaseStatus"], json!(0));
    assert_eq!(second["connected"], json!(true));

    // Refusals with CodeChecker's messages.
    for (args, message) in [
        (
            vec!["second"],
            "A product endpoint '/second' is already configured!",
        ),
        (vec!["bad/endpoint"], "The specified endpoint is invalid."),
        (
            vec!["third", "--sqlite", "/abs.sqlite"],
            "SQLite database must be given by relative path!",
        ),
        (
            vec!["third", "--sqlite", "second.sqlite"],
            "Database is already in use by another product!",
        ),
    ] {
        let mut all = vec!["cmd", "products", "add"];
        all.extend(args);
        all.extend(["--url", url.as_str()]);
        let out = codechecker(Venv::Current, &all, &[]);
        assert_ne!(out.code, 0, "{}", out.all());
        assert!(
            out.all().contains(message),
            "expected {message:?}:\n{}",
            out.all()
        );
    }

    // Configuration read and edited through the API.
    let mut py = PyApi::new(Venv::Current);
    let api = format!("{}/v6.74/Products", server.url());
    let id = second["id"].clone();
    let config = py
        .call(&api, "Products", "getProductConfiguration", json!([id]))
        .ok();
    assert_eq!(config["connection"]["engine"], json!("sqlite"));
    assert_eq!(config["connection"]["database"], json!("second.sqlite"));
    assert_eq!(config["reportLimit"], json!(500000));
    let mut edited = config.clone();
    edited["displayedName_b64"] = json!(b64("Renamed"));
    edited["reportLimit"] = json!(10);
    assert_eq!(
        py.call(&api, "Products", "editProduct", json!([id, edited]))
            .ok(),
        json!(true)
    );
    let list = products(&server);
    let second = product(&list, "second");
    assert_eq!(second["displayedName_b64"], json!(b64("Renamed")));
    assert_eq!(second["reportLimit"], json!(10));
    let missing = py
        .call(&api, "Products", "getProductConfiguration", json!([999]))
        .request_failed();
    assert!(
        missing.1.contains("Product with ID 999 does not exist!"),
        "{missing:?}"
    );

    let del = codechecker(
        Venv::Current,
        &["cmd", "products", "del", "second", "--url", &url],
        &[],
    );
    del.assert_success();
    assert_eq!(products(&server).len(), 1);
}

#[test]
fn broken_product_databases_show_their_status_and_do_not_stop_the_server() {
    let mut server = store_server().start();
    let url = server.cli_url();
    for name in ["foreign", "garbage"] {
        let out = codechecker(
            Venv::Current,
            &[
                "cmd",
                "products",
                "add",
                name,
                "--sqlite",
                &format!("{name}.sqlite"),
                "--url",
                &url,
            ],
            &[],
        );
        out.assert_success();
    }
    server.stop();
    // A database of some other application, and a file that is no database.
    let foreign = server.workspace().join("foreign.sqlite");
    std::fs::remove_file(&foreign).expect("remove the product database");
    python(
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
         c.execute('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)'); c.commit()",
        &[&foreign.display().to_string()],
    );
    let garbage = server.workspace().join("garbage.sqlite");
    std::fs::write(&garbage, vec![0x5au8; 8192]).expect("overwrite the product database");
    server.restart();
    let url = server.cli_url();

    let list = products(&server);
    assert_eq!(product(&list, "Default")["databaseStatus"], json!(0));
    for name in ["foreign", "garbage"] {
        let p = product(&list, name);
        assert_ne!(p["databaseStatus"], json!(0), "{name}: {p}");
        assert_eq!(p["connected"], json!(false), "{name}: {p}");
    }
    assert_eq!(
        product(&list, "foreign")["databaseStatus"],
        json!(4),
        "a foreign schema is SCHEMA_MISMATCH_NO"
    );

    // Queries of a broken product fail with a reason; the others work.
    let runs = codechecker(
        Venv::Current,
        &["cmd", "runs", "--url", &format!("{url}/garbage")],
        &[],
    );
    assert_ne!(runs.code, 0);
    assert!(runs.all().contains("garbage"), "{}", runs.all());
    let ok = codechecker(
        Venv::Current,
        &["cmd", "runs", "--url", &format!("{url}/Default")],
        &[],
    );
    ok.assert_success();
    server.assert_no_child_died();
}
