//! The command line itself: flags, argument errors, completions and the
//! manual page (no server needed).

use crate::support;

use support::{expect_code, text, UserEnv};

fn env() -> (tempfile::TempDir, UserEnv) {
    let dir = tempfile::tempdir().expect("temp dir");
    let env = UserEnv::new(&dir.path().join("home"));
    (dir, env)
}

#[test]
fn store_has_codechecker_flags() {
    let (_dir, env) = env();
    let out = env.ours(&["store", "--help"]);
    expect_code(&out, 0, "store --help");
    let help = text(&out.stdout);
    for flag in [
        "--name",
        "--tag",
        "--description",
        "--trim-path-prefix",
        "--force",
        "--detach",
        "--jobs",
        "--zip-loc",
        "--config",
        "--verbose",
        "--url",
        "--input-format",
    ] {
        assert!(help.contains(flag), "store --help lacks {flag}:\n{help}");
    }
}

#[test]
fn serverside_tasks_has_every_filter() {
    let (_dir, env) = env();
    let out = env.ours(&["cmd", "serverside-tasks", "--help"]);
    expect_code(&out, 0, "serverside-tasks --help");
    let help = text(&out.stdout);
    let filters = [
        "--machine-id",
        "--type",
        "--status",
        "--username",
        "--no-username",
        "--product",
        "--no-product",
        "--enqueued-before",
        "--enqueued-after",
        "--started-before",
        "--started-after",
        "--finished-before",
        "--finished-after",
        "--last-seen-before",
        "--last-seen-after",
        "--only-cancelled",
        "--no-cancelled",
        "--only-consumed",
        "--no-consumed",
    ];
    assert_eq!(filters.len(), 19);
    for flag in filters
        .iter()
        .chain(&["--token", "--await", "--kill", "--output", "--url"])
    {
        assert!(help.contains(flag), "serverside-tasks --help lacks {flag}");
    }
}

#[test]
fn argument_errors_exit_with_2() {
    let (_dir, env) = env();
    for args in [
        vec![
            "cmd",
            "serverside-tasks",
            "--username",
            "a",
            "--no-username",
        ],
        vec![
            "cmd",
            "serverside-tasks",
            "--only-cancelled",
            "--no-cancelled",
        ],
        vec!["cmd", "serverside-tasks", "--enqueued-before", "2024:13:01"],
        vec!["cmd", "serverside-tasks", "--status", "sleeping"],
        vec!["cmd", "serverside-tasks", "--output", "xml"],
        vec!["cmd", "results"],
        vec!["store", "--type", "sarif"],
        vec!["cmd", "runs", "--url", "http://h:1/a/b"],
    ] {
        let out = env.ours(&args);
        expect_code(&out, 2, &format!("{args:?}"));
    }
    // Without a token or filter there is nothing to ask the server.
    let dead = format!("localhost:{}", testkit::free_port());
    let out = env.ours(&["cmd", "serverside-tasks", "--url", &dead]);
    assert_ne!(out.status.code(), Some(0));
}

#[test]
fn completions_and_manpage() {
    let (_dir, env) = env();
    for shell in ["bash", "zsh", "fish"] {
        let out = env.ours(&["completions", shell]);
        expect_code(&out, 0, shell);
        let script = text(&out.stdout);
        assert!(
            script.contains("codechecker-client") && script.contains("serverside-tasks"),
            "{shell}"
        );
    }
    let out = env.ours(&["manpage"]);
    expect_code(&out, 0, "manpage");
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie") || page.contains(".TH codechecker-client"),
        "{page}"
    );
    assert!(page.contains("store"));
}

#[test]
fn store_input_errors() {
    let (dir, env) = env();
    let out = env.ours(&[
        "store",
        "/no/such/dir",
        "--name",
        "x",
        "--url",
        "localhost:1/Default",
    ]);
    expect_code(&out, 1, "missing input");
    assert!(text(&out.stderr).contains("Input path '/no/such/dir' does not exist!"));
    let empty = dir.path().join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let out = env.ours(&[
        "store",
        &empty.to_string_lossy(),
        "--url",
        "localhost:1/Default",
    ]);
    expect_code(&out, 2, "no run name");
    let out = env.ours(&[
        "store",
        &empty.to_string_lossy(),
        "--name",
        "x",
        "--config",
        "/no/such/config.json",
    ]);
    expect_code(&out, 1, "missing config");
    assert!(text(&out.stderr).contains("does not exist"));
}
