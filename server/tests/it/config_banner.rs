//! `Configuration`: the notification banner, set and read through
//! CodeChecker's own Python client, with authentication off and on.

use crate::auth_common;
use crate::support;

use auth_common::{auth_config, Api, UNAUTHORIZED};
use base64::Engine as _;
use serde_json::{json, Value};
use support::pg::PgDatabase;
use support::python::{PyApi, Reply, Venv};
use support::server::{Server, ServerBuilder};

/// The `RequestFailed` code GENERAL.
const GENERAL: i64 = 2;
/// The wire value of the SUPERUSER permission.
const SUPERUSER: i64 = 1;

const PATH: &str = "/v6.74/Configuration";

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

fn unb64(reply: Reply) -> String {
    let value = reply.ok();
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("getNotificationBannerText returned {value}"));
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("the banner {text:?} is not base64: {e}"));
    String::from_utf8(bytes).expect("the banner is UTF-8")
}

/// Calls `Configuration.<method>(args)` without credentials.
fn anonymous(py: &mut PyApi, server: &Server, method: &str, args: Value) -> Reply {
    py.call(
        &format!("{}{PATH}", server.url()),
        "Configuration",
        method,
        args,
    )
}

/// The banner as a client without credentials reads it.
fn banner(py: &mut PyApi, server: &Server) -> String {
    unb64(anonymous(
        py,
        server,
        "getNotificationBannerText",
        json!([]),
    ))
}

/// With authentication off anyone sets the banner; it comes back as set.
fn round_trip_without_authentication(server: &Server) {
    let mut py = PyApi::new(Venv::Current);
    assert_eq!(banner(&mut py, server), "", "no banner on a new server");

    let text = "Maintenance tonight: Árvíztűrő tükörfúrógép — 検査 🚧\nSecond line.";
    let set = anonymous(
        &mut py,
        server,
        "setNotificationBannerText",
        json!([b64(text)]),
    );
    assert_eq!(set.ok(), Value::Null);
    assert_eq!(banner(&mut py, server), text);
    // The raw answer is exactly the base64 of the UTF-8 text.
    assert_eq!(
        anonymous(&mut py, server, "getNotificationBannerText", json!([])).ok(),
        json!(b64(text))
    );

    // Not base64 (or not text): refused, the banner stays.
    for bad in ["this is not base64!", "QUJD=x", "/w=="] {
        let (code, message) =
            anonymous(&mut py, server, "setNotificationBannerText", json!([bad])).request_failed();
        assert_eq!(code, GENERAL, "{bad:?}: {message}");
        assert!(message.contains("base64"), "{bad:?}: {message}");
    }
    assert_eq!(banner(&mut py, server), text);

    // The legacy client (API 6.58) reads it too.
    let mut legacy = PyApi::new(Venv::Legacy);
    let url = format!("{}/v6.58/Configuration", server.url());
    assert_eq!(
        unb64(legacy.call(
            &url,
            "Configuration",
            "getNotificationBannerText",
            json!([])
        )),
        text
    );

    // An empty text hides the banner.
    anonymous(&mut py, server, "setNotificationBannerText", json!([""])).ok();
    assert_eq!(banner(&mut py, server), "");
}

#[test]
fn banner_round_trip_without_authentication() {
    let server = ServerBuilder::new().workers(0).start();
    round_trip_without_authentication(&server);
}

#[test]
fn banner_round_trip_on_postgres() {
    let Some(pg) = PgDatabase::create("banner_round_trip_on_postgres") else {
        return;
    };
    let mut server = ServerBuilder::new().workers(0).config_db(&pg.url).start();
    round_trip_without_authentication(&server);
    // It is in the configuration database: a restart keeps it.
    let mut py = PyApi::new(Venv::Current);
    anonymous(
        &mut py,
        &server,
        "setNotificationBannerText",
        json!([b64("kept")]),
    )
    .ok();
    server.stop();
    server.restart();
    assert_eq!(banner(&mut py, &server), "kept");
}

#[test]
fn only_superusers_set_the_banner_with_authentication_on() {
    let server = auth_common::start(&auth_config(json!({})));
    let mut api = Api::new(&server);
    let (root, alice, carol) = (api.login("root"), api.login("alice"), api.login("carol"));
    let set = |api: &mut Api, token: Option<&str>, text: &str| {
        api.call(
            token,
            PATH,
            "Configuration",
            "setNotificationBannerText",
            json!([b64(text)]),
        )
    };
    let get = |api: &mut Api, token: Option<&str>| {
        unb64(api.call(
            token,
            PATH,
            "Configuration",
            "getNotificationBannerText",
            json!([]),
        ))
    };

    // Reading needs no login.
    assert_eq!(get(&mut api, None), "");

    // The configured super user sets it; everyone reads it.
    set(&mut api, Some(&root), "Read-only from 18:00 ☕").ok();
    for token in [None, Some(alice.as_str()), Some(root.as_str())] {
        assert_eq!(get(&mut api, token), "Read-only from 18:00 ☕");
    }

    // A guest and a user without SUPERUSER are refused; nothing changes.
    for token in [None, Some(alice.as_str()), Some(carol.as_str())] {
        let (code, message) = set(&mut api, token, "hijacked").request_failed();
        assert_eq!(code, UNAUTHORIZED, "{message}");
        assert!(message.contains("not authorized"), "{message}");
    }
    // Refused before the argument is even looked at.
    let (code, _) = api
        .call(
            Some(&alice),
            PATH,
            "Configuration",
            "setNotificationBannerText",
            json!(["not base64!"]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert_eq!(get(&mut api, Some(&alice)), "Read-only from 18:00 ☕");

    // A granted SUPERUSER counts like the configured one.
    api.auth(
        Some(&root),
        "addPermission",
        json!([SUPERUSER, "carol", false, null]),
    )
    .ok();
    set(&mut api, Some(&carol), "Set by carol").ok();
    assert_eq!(get(&mut api, Some(&alice)), "Set by carol");

    // Invalid base64 from a superuser: RequestFailed, banner unchanged.
    let (code, message) = api
        .call(
            Some(&root),
            PATH,
            "Configuration",
            "setNotificationBannerText",
            json!(["not base64!"]),
        )
        .request_failed();
    assert_eq!(code, GENERAL, "{message}");
    assert!(message.contains("base64"), "{message}");
    assert_eq!(get(&mut api, None), "Set by carol");
}
