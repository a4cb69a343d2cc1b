//! Logging in and out with CodeChecker's clients, sessions, and what the
//! server refuses: wrong passwords, ended sessions, forged or foreign tokens,
//! and floods of failed logins.

use crate::auth_common;
use crate::support;

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use auth_common::{assert_unauthenticated, auth_config, password, Api, ClientHome, AUTH_DENIED};
use serde_json::json;
use support::http;
use support::python::{Reply, Venv};
use support::server::{Server, ServerBuilder};

/// The server most tests share (authentication on, default lifetimes).
fn server() -> &'static Server {
    static SERVER: OnceLock<&'static Server> = OnceLock::new();
    SERVER.get_or_init(|| auth_common::start_shared(&auth_config(json!({}))))
}

#[test]
fn login_is_reused_by_later_commands_and_logout_ends_it() {
    let server = server();
    let home = ClientHome::new();
    // Not logged in: the client is told to log in.
    let out = home.cc(
        Venv::Current,
        &["cmd", "runs", "--url", &server.product_url()],
        &[],
    );
    out.assert_no_protocol_error();
    assert_ne!(out.code, 0, "{}", out.all());

    let out = home.login(server, "root", password("root"));
    out.assert_no_protocol_error();
    out.assert_success();
    assert!(
        out.all().contains("successful authentication"),
        "{}",
        out.all()
    );
    let token = home
        .session_token(server)
        .expect("the client saved the session");
    assert_eq!(token.len(), 64);

    let db = configdb::ConfigDb::open(&server.config_url()).expect("open the configuration");
    let session = db
        .find_session(&token)
        .unwrap()
        .expect("the session is stored");
    assert_eq!(session.user_name, "root");
    // Only the hash is stored: the token itself is nowhere in the database.
    let raw = std::fs::read(server.workspace().join("config.sqlite")).unwrap();
    assert!(!raw.windows(token.len()).any(|w| w == token.as_bytes()));

    for _ in 0..2 {
        let out = home.cc(
            Venv::Current,
            &[
                "cmd",
                "serverside-tasks",
                "--url",
                &server.cli_url(),
                "--type",
                "x",
                "--output",
                "json",
            ],
            &[],
        );
        out.assert_no_protocol_error();
        out.assert_success();
        assert_eq!(
            home.session_token(server).as_deref(),
            Some(token.as_str()),
            "a new session"
        );
    }

    let out = home.cc(
        Venv::Current,
        &["cmd", "login", "--logout", "--url", &server.cli_url()],
        &[],
    );
    out.assert_no_protocol_error();
    out.assert_success();
    assert!(
        out.all().contains("Successfully logged out"),
        "{}",
        out.all()
    );
    assert!(home.session_token(server).is_none());
    assert!(
        db.find_session(&token).unwrap().is_none(),
        "logout ended the session"
    );
    // The old token is refused now (by every process, after at most a second).
    auth_common::wait_for_session_caches();
    let mut api = Api::new(server);
    assert_unauthenticated(&api.tasks(Some(&token), "getTasks", json!([{}])));
}

#[test]
fn both_clients_log_in_from_the_password_file() {
    let server = server();
    for venv in Venv::ALL {
        let home = ClientHome::new();
        home.save_password(server, "alice", password("alice"));
        // Older clients send the session as a cookie, newer ones as a bearer token.
        let out = home.cc(
            venv,
            &["cmd", "login", "alice", "--url", &server.cli_url()],
            &[],
        );
        out.assert_no_protocol_error();
        out.assert_success();
        let token = home.session_token(server).expect("a saved session");
        let out = home.cc(
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
        assert_eq!(home.session_token(server), Some(token), "{}", venv.name());
    }
    // Without an explicit login the client logs in by itself.
    let home = ClientHome::new();
    home.save_password(server, "bob", password("bob"));
    let out = home.cc(
        Venv::Current,
        &[
            "cmd",
            "serverside-tasks",
            "--url",
            &server.cli_url(),
            "--type",
            "x",
            "--output",
            "json",
        ],
        &[],
    );
    out.assert_no_protocol_error();
    out.assert_success();
    assert!(home.session_token(server).is_some(), "{}", out.all());
}

#[test]
fn wrong_passwords_are_refused() {
    let server = server();
    let home = ClientHome::new();
    let out = home.login(server, "carol", "not-her-password");
    out.assert_no_protocol_error();
    assert_eq!(out.code, 1, "{}", out.all());
    assert!(
        out.all()
            .contains("Wrong user name or password for user 'carol'"),
        "{}",
        out.all()
    );
    assert!(home.session_token(server).is_none());

    let mut api = Api::new(server);
    for (user, secret) in [
        ("carol", ""),
        ("nobody", "x"),
        ("CAROL", "carolpw"),
        ("carol", "carolpw "),
    ] {
        let (code, message) = api.try_login(user, secret).request_failed();
        assert_eq!(code, AUTH_DENIED, "{user}:{secret}: {message}");
    }
    let (code, message) = api
        .auth(
            None,
            "performLogin",
            json!(["oauth", "github@http://x/?state=1"]),
        )
        .request_failed();
    assert_eq!(code, AUTH_DENIED);
    assert!(message.contains("OAuth"), "{message}");
    let (code, _) = api
        .auth(
            None,
            "performLogin",
            json!(["Username:Password", "no-colon"]),
        )
        .request_failed();
    assert_eq!(code, AUTH_DENIED);
    // Handshake without a session.
    let hs = api.auth(None, "getAuthParameters", json!([])).ok();
    assert_eq!(hs["requiresAuthentication"], true);
    assert_eq!(hs["sessionStillActive"], false);
    assert_eq!(api.auth(None, "getLoggedInUser", json!([])).ok(), json!(""));
}

#[test]
fn forged_and_foreign_tokens_are_refused() {
    let server = server();
    let mut api = Api::new(server);
    let real = api.login("dave");
    let forged = [
        "0".repeat(64),
        configdb::auth::new_secret(),
        configdb::auth::secret_hash(&real),
        format!("{real}x"),
        real[..63].to_owned(),
        real.to_uppercase(),
    ];
    for token in &forged {
        assert_unauthenticated(&api.tasks(Some(token), "getTasks", json!([{}])));
        let hs = api.auth(Some(token), "getAuthParameters", json!([])).ok();
        assert_eq!(hs["sessionStillActive"], false, "{token}");
    }
    // The real one works, as a bearer token and as the cookie older clients send.
    api.tasks(Some(&real), "getTasks", json!([{}])).ok();
    let url = format!("{}/v6.74/Authentication", server.url());
    let cookie = format!("__ccPrivilegedAccessToken={real}");
    let who = api.py.call_with_headers(
        &url,
        "Authentication",
        "getLoggedInUser",
        json!([]),
        &[("Cookie", &cookie)],
    );
    assert_eq!(who.ok(), json!("dave"));

    // A session of another server (its own configuration database) is
    // nothing here, and neither is ours there.
    let other = auth_common::start(&auth_config(json!({})));
    let mut other_api = Api::new(&other);
    let foreign = other_api.login("dave");
    assert_unauthenticated(&api.tasks(Some(&foreign), "getTasks", json!([{}])));
    assert_unauthenticated(&other_api.tasks(Some(&real), "getTasks", json!([{}])));
    // Raw junk in the headers is no session either.
    let body = http::thrift_call("getTasks", 1, r#"{"1":{"rec":{}}}"#);
    for header in [
        "Bearer",
        "Bearer  ",
        "Basic ZGF2ZTpkYXZlcHc=",
        "Bearer ' OR 1=1 --",
    ] {
        let reply = http::Conn::open(server.addr(), Duration::from_secs(10))
            .unwrap()
            .request(
                "POST",
                "/v6.74/Tasks",
                &[
                    ("Content-Type", "application/x-thrift"),
                    ("Authorization", header),
                ],
                &body,
            )
            .unwrap();
        assert!(
            reply.text().contains("Error code 401: Unauthorized!"),
            "{header}: {}",
            reply.text()
        );
    }
}

#[test]
fn sessions_end_after_their_lifetime() {
    let server = auth_common::start(&auth_config(
        json!({"session_lifetime": 2, "refresh_time": 1}),
    ));
    let mut api = Api::new(&server);
    let token = api.login("alice");
    let kept_alive = api.login("bob");
    let deadline = Instant::now() + Duration::from_millis(3500);
    // Used every half second, a session lives on past its lifetime...
    while Instant::now() < deadline {
        api.tasks(Some(&kept_alive), "getTasks", json!([{}])).ok();
        std::thread::sleep(Duration::from_millis(500));
    }
    api.tasks(Some(&kept_alive), "getTasks", json!([{}])).ok();
    // ...an idle one ends, and the client is told to log in again.
    assert_unauthenticated(&api.tasks(Some(&token), "getTasks", json!([{}])));
    let hs = api.auth(Some(&token), "getAuthParameters", json!([])).ok();
    assert_eq!(hs["sessionStillActive"], false);
    let db = configdb::ConfigDb::open(&server.config_url()).unwrap();
    assert!(
        db.find_session(&token).unwrap().is_none(),
        "the ended session was deleted"
    );
    // A new login works.
    let again = api.login("alice");
    assert_eq!(
        api.auth(Some(&again), "getLoggedInUser", json!([])).ok(),
        json!("alice")
    );
}

#[test]
fn credentials_mean_nothing_with_authentication_off() {
    let server = ServerBuilder::new().start();
    let mut api = Api::new(&server);
    let token = configdb::auth::new_secret();
    let hs = api.auth(Some(&token), "getAuthParameters", json!([])).ok();
    assert_eq!(
        hs,
        json!({"requiresAuthentication": false, "sessionStillActive": false})
    );
    assert_eq!(
        api.auth(Some(&token), "getLoggedInUser", json!([])).ok(),
        json!("")
    );
    let url = format!("{}/v6.74/Tasks", server.url());
    let cookie = format!("__ccPrivilegedAccessToken={token}");
    let created = api
        .py
        .call_with_headers(
            &url,
            "Tasks",
            "createDummyTask",
            json!([0, false]),
            &[("Cookie", &cookie)],
        )
        .ok();
    let info = api
        .tasks(Some(&token), "getTaskInfo", json!([created]))
        .ok();
    assert_eq!(
        info["actorUsername"],
        json!(null),
        "tasks of anonymous callers have no actor"
    );
    let (code, message) = api.try_login("root", "rootpw").request_failed();
    assert_eq!(code, AUTH_DENIED);
    assert!(message.contains("authentication is off"), "{message}");
    // The default configuration file was created, with authentication off.
    let config = std::fs::read_to_string(server.workspace().join("server_config.json")).unwrap();
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["authentication"]["enabled"], false);
}

#[test]
fn an_unusable_configuration_stops_the_server_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws");
    std::fs::create_dir_all(&ws).unwrap();
    std::fs::write(
        ws.join("server_config.json"),
        r#"{"authentication": {"enabled": true, "session_lifetime": "forever"}}"#,
    )
    .unwrap();
    let out = std::process::Command::new(support::server::server_bin())
        .arg("--workspace")
        .arg(&ws)
        .args(["--port", "0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("'authentication.session_lifetime'"), "{err}");
}

/// Posts `performLogin` for `user:secret` on `conn`; the reply text.
fn raw_login(conn: &mut http::Conn, user: &str, secret: &str) -> String {
    let args = format!(r#"{{"1":{{"str":"Username:Password"}},"2":{{"str":"{user}:{secret}"}}}}"#);
    let reply = conn
        .post_thrift(
            "/v6.74/Authentication",
            &http::thrift_call("performLogin", 1, &args),
        )
        .expect("performLogin answers");
    assert_eq!(reply.status, 200);
    reply.text()
}

#[test]
fn a_thousand_wrong_passwords_are_throttled() {
    // Two API processes: the counts are shared through the database.
    let config = auth_config(json!({
        "login_throttle": {"enabled": true, "max_failures_per_user": 5,
                           "max_failures_per_address": 40, "window": 60, "lockout": 3}
    }));
    let server = ServerBuilder::new()
        .api(2)
        .workspace_file("server_config.json", &config)
        .start();
    let mut conn = http::Conn::open(server.addr(), Duration::from_secs(30)).unwrap();
    let started = Instant::now();
    let (mut wrong, mut locked) = (0, 0);
    for i in 0..1000 {
        if i % 10 == 0 {
            // New connections land on either process.
            conn = http::Conn::open(server.addr(), Duration::from_secs(30)).unwrap();
        }
        let text = raw_login(&mut conn, "root", &format!("guess{i}"));
        if text.contains("Wrong user name or password") {
            wrong += 1;
        } else if text.contains("Too many failed logins for user 'root'") {
            locked += 1;
        } else {
            panic!("attempt {i}: {text}");
        }
    }
    let flood = started.elapsed();
    assert_eq!((wrong, locked), (5, 995), "only five guesses were checked");
    assert!(
        flood < Duration::from_secs(60),
        "1,000 logins took {flood:?}"
    );
    // The right password waits for the lock too; other users are not locked.
    let text = raw_login(&mut conn, "root", "rootpw");
    assert!(text.contains("Try again after that"), "{text}");
    let mut api = Api::new(&server);
    api.login("carol");
    // The server stayed healthy.
    let version = http::post_thrift(
        server.addr(),
        "/v6.74/ServerInfo",
        &http::thrift_call("getPackageVersion", 1, "{}"),
        Duration::from_secs(10),
    )
    .unwrap();
    assert!(version.text().contains("6.29.1"));
    server.assert_no_child_died();

    std::thread::sleep(Duration::from_millis(3200));
    let token = api.login("root");
    assert_eq!(
        api.auth(Some(&token), "getLoggedInUser", json!([])).ok(),
        json!("root")
    );

    // Many user names from one address lock the address, for everyone there.
    let mut address_locked = false;
    for i in 0..45 {
        let text = raw_login(&mut conn, &format!("spray{i}"), "x");
        address_locked |= text.contains("from your address");
    }
    assert!(address_locked, "the address was not locked");
    match api.try_login("dave", "davepw") {
        Reply::RequestFailed { code, message } => {
            assert_eq!(code, AUTH_DENIED);
            assert!(message.contains("from your address"), "{message}");
        }
        other => panic!("dave logged in from a locked address: {other:?}"),
    }
    std::thread::sleep(Duration::from_millis(3200));
    api.login("dave");
    println!("1,000 failed logins answered in {flood:?}");
}

/// Runs `CodeChecker cmd login USER --url URL` of 6.29.1 in `home` on a
/// pseudo-terminal and types `typed` at its password prompt; returns the
/// exit code and everything the terminal showed.
fn login_at_terminal(home: &ClientHome, server: &Server, user: &str, typed: &str) -> (i32, String) {
    const DRIVER: &str = r#"
import os, pty, sys
cc, user, url, typed = sys.argv[1:5]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cc, [cc, "cmd", "login", user, "--url", url])
seen = b""
while b"provide password" not in seen:
    chunk = os.read(fd, 4096)
    if not chunk:
        break
    seen += chunk
os.write(fd, typed.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    seen += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode(errors="replace"))
sys.exit(os.waitstatus_to_exitcode(status))
"#;
    let out = std::process::Command::new(Venv::Current.python())
        .arg("-c")
        .arg(DRIVER)
        .arg(Venv::Current.codechecker())
        .arg(user)
        .arg(server.cli_url())
        .arg(typed)
        .env("HOME", home.path())
        .env_remove("CC_PASSWORD")
        .env_remove("CC_PASS_FILE")
        .env_remove("CC_SESSION_FILE")
        .output()
        .expect("run the terminal driver");
    let shown =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code().unwrap_or(-1), shown)
}

#[test]
fn login_with_the_password_typed_at_the_terminal() {
    let server = server();
    let home = ClientHome::new();
    let (code, shown) = login_at_terminal(&home, server, "root", "not-the-password");
    assert_ne!(code, 0, "{shown}");
    assert!(home.session_token(server).is_none());

    let (code, shown) = login_at_terminal(&home, server, "root", password("root"));
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("successful authentication"), "{shown}");
    assert!(home.session_token(server).is_some(), "no session saved");
    // The saved session is used without asking again.
    let out = home.cc(
        Venv::Current,
        &["cmd", "runs", "--url", &server.product_url()],
        &[],
    );
    out.assert_success();
    let out = home.cc(
        Venv::Current,
        &["cmd", "login", "--logout", "--url", &server.cli_url()],
        &[],
    );
    out.assert_success();
    let out = home.cc(
        Venv::Current,
        &["cmd", "runs", "--url", &server.product_url()],
        &[],
    );
    assert_ne!(out.code, 0, "{}", out.all());
}
