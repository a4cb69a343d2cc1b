//! Login, sessions and permission errors against CodeChecker's own 6.29.1
//! server with dictionary authentication, interoperating with CodeChecker's
//! client through the shared session and password files.

use crate::support;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use support::{expect_code, json, text, UserEnv};

/// Error and warning lines without their `[LEVEL time] - ` prefix.
fn problems(stream: &[u8]) -> Vec<String> {
    text(stream)
        .lines()
        .filter(|l| l.starts_with("[ERROR") || l.starts_with("[WARNING"))
        .map(|l| l.split_once("] - ").map_or(l, |(_, m)| m).to_owned())
        .collect()
}

fn session_token(home: &Path, port: u16) -> Option<String> {
    let text = std::fs::read_to_string(home.join(".codechecker.session.json")).ok()?;
    let v = json(&text, "session file");
    v["tokens"][format!("localhost:{port}")]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn login_sessions_and_permissions() {
    let Some(venv) = support::venv() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::reference_server(Some(&["admin:admin123", "user:user123"]));
    let (srv, product, port) = (server.cli_url(), server.product_url(), server.port());
    // (Whether a destroyed session dies at once on every API process of
    // CodeChecker's server is the server's business, so it is not checked.)
    let runs = ["cmd", "runs", "--url", product.as_str(), "-o", "json"];

    // Without a session both clients refuse the same way.
    let env = UserEnv::new(&work.path().join("u1"));
    let ours = env.ours(&runs);
    let theirs = env.theirs(&venv, &runs);
    expect_code(&ours, 1, "no session");
    assert_eq!(ours.status.code(), theirs.status.code());
    assert_eq!(
        problems(&ours.stderr),
        problems(&theirs.stderr),
        "messages without a session"
    );

    // Wrong password.
    let bad = env.clone().with("CC_PASSWORD", "wrong");
    let ours = bad.ours(&["cmd", "login", "admin", "--url", &srv]);
    let theirs = bad.theirs(&venv, &["cmd", "login", "admin", "--url", &srv]);
    expect_code(&ours, 1, "wrong password");
    assert_eq!(ours.status.code(), theirs.status.code());
    assert!(text(&ours.stderr).contains("Authentication failed! Please check your credentials."));

    // Our login, CodeChecker's client uses the session. (Only the
    // superuser may see the product's runs.)
    let with_pw = env.clone().with("CC_PASSWORD", "admin123");
    expect_code(
        &with_pw.ours(&["cmd", "login", "admin", "--url", &srv]),
        0,
        "our login",
    );
    assert!(
        session_token(&env.home, port).is_some(),
        "our login saved no session"
    );
    let mode = std::fs::metadata(env.home.join(".codechecker.session.json"))
        .expect("session file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "session file mode");
    expect_code(
        &env.theirs(&venv, &runs),
        0,
        "CodeChecker's client with our session",
    );
    expect_code(&env.ours(&runs), 0, "our client with our session");

    // Our logout ends it for both.
    expect_code(
        &env.ours(&["cmd", "logout", "--url", &srv]),
        0,
        "our logout",
    );
    assert_eq!(
        session_token(&env.home, port),
        None,
        "logout left the session"
    );
    expect_code(
        &env.theirs(&venv, &runs),
        1,
        "CodeChecker's client after logout",
    );
    // CodeChecker's login, our client uses the session; `-u` works too.
    expect_code(
        &with_pw.theirs(&venv, &["cmd", "login", "admin", "--url", &srv]),
        0,
        "their login",
    );
    expect_code(&env.ours(&runs), 0, "our client with their session");
    expect_code(
        &env.ours(&["cmd", "login", "--logout", "--url", &srv]),
        0,
        "logout via login -d",
    );
    expect_code(
        &with_pw.ours(&["cmd", "login", "-u", "admin", "--url", &srv]),
        0,
        "login -u",
    );
    assert!(session_token(&env.home, port).is_some());
    expect_code(&env.ours(&["cmd", "logout", "--url", &srv]), 0, "logout");

    // Saved credentials log in automatically (and the session is kept).
    let auto = UserEnv::new(&work.path().join("auto"));
    let pw = auto.home.join(".codechecker.passwords.json");
    std::fs::write(
        &pw,
        format!(r#"{{"client_autologin": true, "credentials": {{"localhost:{port}": "admin:admin123"}}}}"#),
    )
    .expect("password file");
    std::fs::set_permissions(&pw, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    expect_code(&auto.ours(&runs), 0, "automatic login");
    assert!(
        session_token(&auto.home, port).is_some(),
        "automatic login saved no session"
    );
    expect_code(
        &auto.theirs(&venv, &runs),
        0,
        "CodeChecker's client with the automatic session",
    );

    // Permissions: a task of the administrator is not the user's business.
    let user = env.clone().with("CC_PASSWORD", "user123");
    expect_code(
        &user.ours(&["cmd", "login", "user", "--url", &srv]),
        0,
        "user login",
    );
    let ours = env.ours(&runs);
    let theirs = env.theirs(&venv, &runs);
    expect_code(&ours, 1, "runs without product rights");
    assert_eq!(
        problems(&ours.stderr),
        problems(&theirs.stderr),
        "messages without product rights"
    );
    let admin = UserEnv::new(&work.path().join("admin"))
        .with("CC_PASSWORD", "admin123")
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    expect_code(
        &admin.ours(&["cmd", "login", "admin", "--url", &srv]),
        0,
        "admin login",
    );
    let out = admin.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--create-dummy-task",
        "1",
        "false",
        "--output",
        "json",
    ]);
    let admin_task = json(&text(&out.stdout), "dummy task")[0]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    expect_code(
        &admin.ours(&[
            "cmd",
            "serverside-tasks",
            "--url",
            &srv,
            "--token",
            &admin_task,
            "--await",
        ]),
        0,
        "admin awaits own task",
    );
    for args in [
        vec![
            "cmd",
            "serverside-tasks",
            "--url",
            &srv,
            "--token",
            &admin_task,
        ],
        vec![
            "cmd",
            "serverside-tasks",
            "--url",
            &srv,
            "--token",
            &admin_task,
            "--kill",
        ],
    ] {
        let ours = env.ours(&args);
        let theirs = env.theirs(&venv, &args);
        expect_code(&ours, 1, "foreign task");
        assert_eq!(ours.status.code(), theirs.status.code(), "{args:?}");
        assert_eq!(problems(&ours.stderr), problems(&theirs.stderr), "{args:?}");
        assert!(
            text(&ours.stderr).contains("Unauthorized to access"),
            "{}",
            text(&ours.stderr)
        );
    }
    // Server-wide task listing needs SUPERUSER.
    let ours = env.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--no-product",
        "--output",
        "json",
    ]);
    expect_code(&ours, 1, "no-product as user");
    assert!(
        text(&ours.stderr).contains("requires SUPERUSER privileges"),
        "{}",
        text(&ours.stderr)
    );
    // The administrator sees the same listing with both clients.
    let list = [
        "cmd",
        "serverside-tasks",
        "--url",
        srv.as_str(),
        "--type",
        "TaskService::DummyTask",
        "--output",
        "json",
    ];
    let ours = admin.ours(&list);
    expect_code(&ours, 0, "admin listing");
    assert_eq!(
        json(&text(&ours.stdout), "ours"),
        json(&text(&admin.theirs(&venv, &list).stdout), "theirs")
    );
    let ours = admin.ours(&[
        "cmd",
        "serverside-tasks",
        "--url",
        &srv,
        "--no-product",
        "--output",
        "json",
    ]);
    expect_code(&ours, 0, "no-product as admin");
    let listed = json(&text(&ours.stdout), "no-product");
    assert!(listed
        .as_array()
        .is_some_and(|a| a.iter().any(|t| t["token"] == admin_task.as_str())));
}
