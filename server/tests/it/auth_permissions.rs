//! CodeChecker's permission model on a server with authentication on: who
//! may see, list and cancel tasks, granting and revoking permissions, the
//! rights the product and result services need, and personal access tokens.

use crate::auth_common;
use crate::support;

use std::sync::OnceLock;

use auth_common::{assert_unauthenticated, auth_config, Api, ClientHome, UNAUTHORIZED};
use serde_json::{json, Value};
use support::python::{Reply, Venv};
use support::server::Server;

/// The server the tests share; each test adds its own products and uses
/// its own users, so that their grants do not meet.
fn server() -> &'static Server {
    static SERVER: OnceLock<&'static Server> = OnceLock::new();
    SERVER.get_or_init(|| auth_common::start_shared(&auth_config(json!({}))))
}

/// Adds product `endpoint`; its id.
fn product(server: &Server, endpoint: &str) -> i64 {
    let db = configdb::ConfigDb::open(&server.config_url()).expect("open the configuration");
    db.add_product(&configdb::ProductSpec::new(
        endpoint,
        format!("sqlite:{endpoint}.sqlite"),
    ))
    .expect("add a product")
    .id
}

fn extra(product: i64) -> String {
    json!({ "productID": product }).to_string()
}

/// Permission wire values.
const SUPERUSER: i64 = 1;
const PERMISSION_VIEW: i64 = 2;
const PRODUCT_ADMIN: i64 = 16;
const PRODUCT_ACCESS: i64 = 17;
const PRODUCT_STORE: i64 = 18;
const PRODUCT_VIEW: i64 = 19;

/// Creates a (long-running dummy) task of `actor` on `product` straight in
/// the database.
fn task(server: &Server, actor: &str, product: Option<i64>) -> String {
    let db = configdb::ConfigDb::open(&server.config_url()).unwrap();
    let mut task = configdb::NewTask::new("TaskService::DummyTask", "a probe", server.machine_id());
    task.actor = Some(actor.to_owned());
    task.product_id = product;
    task.payload = Some(r#"{"timeout": 120, "should_fail": false}"#.to_owned());
    db.create_task(&task).expect("create a task")
}

fn tokens_of(reply: Reply) -> Vec<String> {
    let mut tokens: Vec<String> = match reply.ok() {
        Value::Array(items) => items
            .iter()
            .map(|t| {
                t["normalInfo"]["token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect(),
        other => panic!("getTasks returned {other}"),
    };
    tokens.sort();
    tokens
}

#[test]
fn users_see_their_own_tasks_and_cancel_as_codechecker_allows() {
    let server = server();
    let p2 = product(server, "t1");
    let mut api = Api::new(server);
    let (root, alice, bob) = (api.login("root"), api.login("alice"), api.login("bob"));

    let mine = api
        .tasks(Some(&alice), "createDummyTask", json!([30, false]))
        .ok();
    let mine = mine.as_str().unwrap().to_owned();
    let info = api.tasks(Some(&alice), "getTaskInfo", json!([mine])).ok();
    assert_eq!(
        info["actorUsername"], "alice",
        "the task's actor is the session's user"
    );
    let (code, message) = api
        .tasks(Some(&bob), "getTaskInfo", json!([mine]))
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert!(
        message.contains("not authorized to view the task"),
        "{message}"
    );
    let (code, message) = api
        .tasks(Some(&bob), "cancelTask", json!([mine]))
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert!(
        message.contains("not authorized to cancel the task"),
        "{message}"
    );
    // A token of no task: a superuser learns that it does not exist.
    let (code, _) = api
        .tasks(Some(&bob), "getTaskInfo", json!(["0".repeat(64)]))
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    let (code, message) = api
        .tasks(Some(&root), "getTaskInfo", json!(["0".repeat(64)]))
        .request_failed();
    assert_eq!((code, message.as_str()), (2, "The task does not exist."));

    // The command-line client: bob may neither read nor kill alice's task.
    let bob_home = ClientHome::new();
    bob_home.login(server, "bob", "bobpw").assert_success();
    let out = bob_home.cc(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &server.cli_url(),
            "--token",
            &mine,
            "--kill",
        ],
        &[],
    );
    out.assert_no_protocol_error();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("Unauthorized to access"),
        "{}",
        out.all()
    );
    assert!(
        out.all().contains("not authorized to view the task"),
        "{}",
        out.all()
    );
    let alice_home = ClientHome::new();
    alice_home
        .login(server, "alice", "alicepw")
        .assert_success();
    let out = alice_home.cc(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &server.cli_url(),
            "--token",
            &mine,
            "--output",
            "json",
        ],
        &[],
    );
    out.assert_no_protocol_error();
    assert_eq!(out.json()[0]["actorUsername"], "alice", "{}", out.all());
    // The superuser may kill it.
    let root_home = ClientHome::new();
    root_home.login(server, "root", "rootpw").assert_success();
    let out = root_home.cc(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &server.cli_url(),
            "--token",
            &mine,
            "--kill",
        ],
        &[],
    );
    out.assert_no_protocol_error();
    assert!(
        out.all().contains("Submitted cancellation request"),
        "{}",
        out.all()
    );
    let info = api.tasks(Some(&alice), "getTaskInfo", json!([mine])).ok();
    assert_eq!(info["cancelFlagSet"], true);

    // Product tasks: PRODUCT_ACCESS reads, PRODUCT_ADMIN cancels.
    let carols = task(server, "carol", Some(p2));
    let erin = api.login("erin");
    for perm in [PRODUCT_ACCESS, PRODUCT_ADMIN] {
        api.auth(
            Some(&root),
            "addPermission",
            json!([perm, "erin", false, extra(p2)]),
        )
        .ok();
    }
    api.auth(
        Some(&root),
        "removePermission",
        json!([PRODUCT_ADMIN, "erin", false, extra(p2)]),
    )
    .ok();
    api.tasks(Some(&erin), "getTaskInfo", json!([carols])).ok();
    let (code, _) = api
        .tasks(Some(&erin), "cancelTask", json!([carols]))
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_ADMIN, "erin", false, extra(p2)]),
    )
    .ok();
    assert_eq!(
        api.tasks(Some(&erin), "cancelTask", json!([carols])).ok(),
        json!(true)
    );
}

#[test]
fn task_listings_follow_product_rights() {
    let server = server();
    let (p1, p2) = (product(server, "l1"), product(server, "l2"));
    let mut api = Api::new(server);
    let root = api.login("root");
    let t1 = task(server, "grace", Some(p1));
    let t2 = task(server, "grace", Some(p2));
    let t3 = task(server, "grace", None);
    let filter = json!([{ "tokens": [t1, t2, t3] }]);
    // Group grant: frank administers l1 through group "devs".
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_ADMIN, "Devs", true, extra(p1)]),
    )
    .ok();
    let frank = api.login("frank");
    let grace = api.login("grace");

    let mut all = vec![t1.clone(), t2.clone(), t3.clone()];
    all.sort();
    assert_eq!(
        tokens_of(api.tasks(Some(&root), "getTasks", filter.clone())),
        all
    );
    assert_eq!(
        tokens_of(api.tasks(Some(&frank), "getTasks", filter.clone())),
        vec![t1.clone()]
    );
    // A plain user lists nothing, not even their own tasks.
    assert!(tokens_of(api.tasks(Some(&grace), "getTasks", filter.clone())).is_empty());

    let (code, message) = api
        .tasks(Some(&frank), "getTasks", json!([{ "productIDs": [] }]))
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert!(message.contains("SUPERUSER"), "{message}");
    let (code, message) = api
        .tasks(
            Some(&frank),
            "getTasks",
            json!([{ "productIDs": [p1, p2] }]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert!(
        message.contains("'l2'") && !message.contains("'l1'"),
        "{message}"
    );
    let only_p1 = api.tasks(
        Some(&frank),
        "getTasks",
        json!([{ "productIDs": [p1], "tokens": [t1] }]),
    );
    assert_eq!(tokens_of(only_p1), vec![t1]);
}

#[test]
fn permissions_are_granted_listed_and_revoked() {
    let server = server();
    let (p1, p2) = (product(server, "g1"), product(server, "g2"));
    let mut api = Api::new(server);
    let (root, bob, carol) = (api.login("root"), api.login("heidi"), api.login("ivan"));
    let has = |api: &mut Api, token: &str, perm: i64, product: Option<i64>| {
        let params = product.map(extra);
        api.auth(Some(token), "hasPermission", json!([perm, params]))
            .ok()
    };
    assert_eq!(has(&mut api, &bob, PRODUCT_VIEW, Some(p2)), json!(false));
    assert_eq!(
        has(&mut api, &root, PRODUCT_VIEW, Some(p2)),
        json!(true),
        "root implies all"
    );

    // heidi cannot grant herself anything.
    let (code, message) = api
        .auth(
            Some(&bob),
            "addPermission",
            json!([PRODUCT_VIEW, "heidi", false, extra(p2)]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    assert!(message.contains("PRODUCT_VIEW"), "{message}");
    // root grants PRODUCT_STORE (the name matches case-insensitively).
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_STORE, " Heidi ", false, extra(p2)]),
    )
    .ok();
    assert_eq!(has(&mut api, &bob, PRODUCT_STORE, Some(p2)), json!(true));
    assert_eq!(
        has(&mut api, &bob, PRODUCT_VIEW, Some(p2)),
        json!(true),
        "STORE implies VIEW"
    );
    assert_eq!(has(&mut api, &bob, PRODUCT_ADMIN, Some(p2)), json!(false));
    assert_eq!(
        has(&mut api, &bob, PRODUCT_VIEW, Some(p1)),
        json!(false),
        "another product"
    );
    assert_eq!(has(&mut api, &bob, SUPERUSER, None), json!(false));
    let names = api
        .auth(
            Some(&root),
            "getAuthorisedNames",
            json!([PRODUCT_STORE, extra(p2)]),
        )
        .ok();
    assert_eq!(names, json!({"users": ["Heidi"], "groups": []}));

    // The command-line client lists them (needs PERMISSION_VIEW).
    let home = ClientHome::new();
    home.login(server, "root", "rootpw").assert_success();
    let out = home.cc(
        Venv::Current,
        &[
            "cmd",
            "permissions",
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
    assert_eq!(
        listed["global_permissions"]["user_permissions"]["root"],
        json!(["SUPERUSER"])
    );
    assert_eq!(
        listed["product_permissions"]["g2"]["user_permissions"]["Heidi"],
        json!(["PRODUCT_STORE"]),
        "{listed}"
    );
    let plain = ClientHome::new();
    plain.login(server, "judy", "judypw").assert_success();
    let out = plain.cc(
        Venv::Current,
        &["cmd", "permissions", "--url", &server.cli_url()],
        &[],
    );
    out.assert_no_protocol_error();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all().contains("Unauthorized to access"),
        "{}",
        out.all()
    );
    // PERMISSION_VIEW lets ivan read them.
    api.auth(
        Some(&root),
        "addPermission",
        json!([PERMISSION_VIEW, "ivan", false, null]),
    )
    .ok();
    let control = api.auth(Some(&carol), "getAccessControl", json!([])).ok();
    assert_eq!(
        control["globalPermissions"]["user"]["ivan"],
        json!(["PERMISSION_VIEW"])
    );

    // A product admin manages the product's permissions, but not SUPERUSER.
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_ADMIN, "ivan", false, extra(p2)]),
    )
    .ok();
    api.auth(
        Some(&carol),
        "addPermission",
        json!([PRODUCT_ACCESS, "ci", true, extra(p2)]),
    )
    .ok();
    let (code, _) = api
        .auth(
            Some(&carol),
            "addPermission",
            json!([SUPERUSER, "ivan", false, null]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    let (code, _) = api
        .auth(
            Some(&carol),
            "addPermission",
            json!([PRODUCT_ACCESS, "ci", true, extra(p1)]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED, "not her product");
    let manageable = api
        .auth(
            Some(&carol),
            "getPermissionsForUser",
            json!(["PRODUCT", extra(p2), {"canManage": true}]),
        )
        .ok();
    assert_eq!(
        manageable,
        json!([PRODUCT_ADMIN, PRODUCT_ACCESS, PRODUCT_STORE, PRODUCT_VIEW])
    );
    let given = api
        .auth(
            Some(&bob),
            "getPermissionsForUser",
            json!(["PRODUCT", extra(p2), {"given": true}]),
        )
        .ok();
    assert_eq!(given, json!([PRODUCT_ACCESS, PRODUCT_STORE, PRODUCT_VIEW]));
    assert_eq!(
        api.auth(Some(&bob), "getPermissions", json!(["SYSTEM"]))
            .ok(),
        json!([SUPERUSER, PERMISSION_VIEW])
    );
    // Bad arguments are explained.
    let (_, message) = api
        .auth(
            Some(&root),
            "addPermission",
            json!([PRODUCT_VIEW, "x", false, null]),
        )
        .request_failed();
    assert!(message.contains("productID"), "{message}");
    let (_, message) = api
        .auth(
            Some(&root),
            "addPermission",
            json!([PRODUCT_VIEW, "x", false, extra(987_654)]),
        )
        .request_failed();
    assert!(message.contains("987654"), "{message}");

    // Revoked, heidi stores no more.
    api.auth(
        Some(&root),
        "removePermission",
        json!([PRODUCT_STORE, "heidi", false, extra(p2)]),
    )
    .ok();
    assert_eq!(has(&mut api, &bob, PRODUCT_STORE, Some(p2)), json!(false));
    let names = api
        .auth(
            Some(&root),
            "getAuthorisedNames",
            json!([PRODUCT_STORE, extra(p2)]),
        )
        .ok();
    assert_eq!(names, json!({"users": [], "groups": []}));
}

#[test]
fn services_ask_for_the_rights_codechecker_asks_for() {
    let server = server();
    let p1 = product(server, "s1");
    let mut api = Api::new(server);
    let (root, mallory) = (api.login("root"), api.login("mallory"));
    let service = "/s1/v6.74/CodeCheckerService";
    // Without a session only the open services answer.
    assert_unauthenticated(&api.call(
        None,
        "/v6.74/Products",
        "Products",
        "getProducts",
        json!([]),
    ));
    assert_unauthenticated(&api.call(
        None,
        service,
        "CodeCheckerService",
        "getRunCount",
        json!([{}]),
    ));
    api.call(
        None,
        "/v6.74/ServerInfo",
        "ServerInfo",
        "getPackageVersion",
        json!([]),
    )
    .ok();

    // Results need PRODUCT_VIEW, stores PRODUCT_STORE, settings PRODUCT_ADMIN.
    let refused = |api: &mut Api, method: &str, args: Value| match api.call(
        Some(&mallory),
        service,
        "CodeCheckerService",
        method,
        args,
    ) {
        Reply::RequestFailed { code, message } => code == UNAUTHORIZED && message.contains("needs"),
        _ => false,
    };
    assert!(refused(&mut api, "getRunCount", json!([{}])));
    assert!(refused(
        &mut api,
        "getMissingContentHashes",
        json!([["ab"]])
    ));
    assert!(refused(
        &mut api,
        "massStoreRunAsynchronous",
        json!(["UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==", {}])
    ));
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_VIEW, "mallory", false, extra(p1)]),
    )
    .ok();
    assert!(
        !refused(&mut api, "getRunCount", json!([{}])),
        "PRODUCT_VIEW reads"
    );
    assert!(refused(
        &mut api,
        "getMissingContentHashes",
        json!([["ab"]])
    ));
    assert!(refused(
        &mut api,
        "addSourceComponent",
        json!(["c", "+*", "d"])
    ));
    api.auth(
        Some(&root),
        "addPermission",
        json!([PRODUCT_STORE, "mallory", false, extra(p1)]),
    )
    .ok();
    assert!(
        !refused(&mut api, "getMissingContentHashes", json!([["ab"]])),
        "PRODUCT_STORE stores"
    );

    // Products: listing shows the rights, management is for superusers.
    let products = api
        .call(
            Some(&mallory),
            "/v6.74/Products",
            "Products",
            "getProducts",
            json!([]),
        )
        .ok();
    let flags = |endpoint: &str| {
        let p = products
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["endpoint"] == endpoint)
            .unwrap_or_else(|| panic!("{endpoint} not listed"));
        (p["accessible"].clone(), p["administrating"].clone())
    };
    assert_eq!(flags("s1"), (json!(true), json!(false)));
    assert_eq!(flags("Default"), (json!(false), json!(false)));
    let admin_any = api
        .call(
            Some(&mallory),
            "/v6.74/Products",
            "Products",
            "isAdministratorOfAnyProduct",
            json!([]),
        )
        .ok();
    assert_eq!(admin_any, json!(false));
    let (code, _) = api
        .call(
            Some(&mallory),
            "/v6.74/Products",
            "Products",
            "removeProduct",
            json!([p1]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    let (code, _) = api
        .call(
            Some(&mallory),
            "/v6.74/Products",
            "Products",
            "addProduct",
            json!([{"endpoint": "p9"}]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    let root_view = api
        .call(
            Some(&root),
            "/v6.74/Products",
            "Products",
            "getProducts",
            json!([]),
        )
        .ok();
    assert!(root_view
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["administrating"] == true));
}

#[test]
fn personal_access_tokens_work_as_bearer_tokens_and_passwords() {
    let server = server();
    let mut api = Api::new(server);
    let oscar = api.login("oscar");
    assert_eq!(
        api.auth(Some(&oscar), "getMaxTokenExpiration", json!([]))
            .ok(),
        json!(365)
    );
    let created = api
        .auth(
            Some(&oscar),
            "newPersonalAccessToken",
            json!(["ci", "for CI", 7]),
        )
        .ok();
    let pat = created["token"].as_str().unwrap().to_owned();
    assert_eq!(pat.len(), 64);
    assert_eq!(created["name"], "ci");
    let (code, _) = api
        .auth(
            Some(&oscar),
            "newPersonalAccessToken",
            json!(["ci", null, 7]),
        )
        .request_failed();
    assert_eq!(
        code, 0,
        "a second token of the same name is a DATABASE error"
    );
    for days in [0, 366] {
        let (code, message) = api
            .auth(
                Some(&oscar),
                "newPersonalAccessToken",
                json!(["other", null, days]),
            )
            .request_failed();
        assert_eq!(code, 2, "{message}");
    }

    // Used directly as a bearer token.
    assert_eq!(
        api.auth(Some(&pat), "getLoggedInUser", json!([])).ok(),
        json!("oscar")
    );
    let task = api
        .tasks(Some(&pat), "createDummyTask", json!([0, false]))
        .ok();
    let info = api.tasks(Some(&pat), "getTaskInfo", json!([task])).ok();
    assert_eq!(info["actorUsername"], "oscar");
    // ...but it cannot mint more tokens.
    let (code, _) = api
        .auth(
            Some(&pat),
            "newPersonalAccessToken",
            json!(["more", null, 1]),
        )
        .request_failed();
    assert_eq!(code, UNAUTHORIZED);
    // As a password, it logs in (what `~/.codechecker.passwords.json` does).
    let session = api.try_login("oscar", &pat).ok();
    let session = session.as_str().unwrap();
    assert_ne!(session, pat);
    assert_eq!(
        api.auth(Some(session), "getLoggedInUser", json!([])).ok(),
        json!("oscar")
    );
    let (code, _) = api.try_login("peggy", &pat).request_failed();
    assert_eq!(code, auth_common::AUTH_DENIED, "another user's token");

    // The command-line client creates, lists and removes tokens.
    let home = ClientHome::new();
    home.login(server, "oscar", "oscarpw").assert_success();
    let out = home.cc(
        Venv::Current,
        &[
            "cmd",
            "token",
            "new",
            "laptop",
            "--description",
            "mine",
            "--url",
            &server.cli_url(),
        ],
        &[],
    );
    out.assert_no_protocol_error();
    out.assert_success();
    assert!(out.stdout.contains("has been generated"), "{}", out.all());
    let out = home.cc(
        Venv::Current,
        &[
            "cmd",
            "token",
            "list",
            "--url",
            &server.cli_url(),
            "-o",
            "json",
        ],
        &[],
    );
    out.assert_no_protocol_error();
    let mut names: Vec<String> = out
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    assert_eq!(names, vec!["ci", "laptop"]);
    assert!(!out.stdout.contains(&pat), "listing shows no secret");
    let out = home.cc(
        Venv::Current,
        &["cmd", "token", "del", "ci", "--url", &server.cli_url()],
        &[],
    );
    out.assert_no_protocol_error();
    assert!(out.stdout.contains("successfully removed"), "{}", out.all());

    // A removed token is dead; so is an expired one.
    auth_common::wait_for_session_caches();
    assert_unauthenticated(&api.tasks(Some(&pat), "getTasks", json!([{}])));
    let (code, _) = api.try_login("oscar", &pat).request_failed();
    assert_eq!(code, auth_common::AUTH_DENIED);
    let db = configdb::ConfigDb::open(&server.config_url()).unwrap();
    let past = db.now() - chrono::Duration::seconds(1);
    let (old, _) = db
        .create_access_token("oscar", "old", None, &[], past)
        .unwrap()
        .expect("a new name");
    assert_unauthenticated(&api.tasks(Some(&old), "getTasks", json!([{}])));
    let (_, message) = api.try_login("oscar", &old).request_failed();
    assert!(message.contains("expired"), "{message}");

    // The deprecated calls of older clients.
    let made = api.auth(Some(&oscar), "newToken", json!(["legacy"])).ok();
    let secret = made["token"].as_str().unwrap().to_owned();
    assert_eq!(made["description"], "legacy");
    assert_eq!(
        api.auth(Some(&secret), "getLoggedInUser", json!([])).ok(),
        json!("oscar")
    );
    let listed = api.auth(Some(&oscar), "getTokens", json!([])).ok();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["description"] == "legacy" && t["token"] == ""),
        "{listed}"
    );
    assert_eq!(
        api.auth(Some(&oscar), "removeToken", json!([secret])).ok(),
        json!(true)
    );
    auth_common::wait_for_session_caches();
    assert_unauthenticated(&api.tasks(Some(&secret), "getTasks", json!([{}])));
}
