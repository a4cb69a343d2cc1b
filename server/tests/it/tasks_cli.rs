//! `CodeChecker cmd serverside-tasks` (6.29.1) against our server and against
//! CodeChecker's own server, for equivalent dummy tasks: every output format,
//! every filter flag, `--kill` and `--await`. Tokens, machine ids and times
//! differ between the two; everything else must match.

use crate::support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::time::Duration;

use support::python::{codechecker, Venv};
use support::reference::RefServer;
use support::server::ServerBuilder;
use support::tasks::{status, task_status, TaskApi};

/// What one command produced, normalised.
#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    code: i32,
    stdout: String,
    /// The log lines that carry meaning (not the session chatter).
    log: Vec<String>,
}

/// Replaces what legitimately differs between two servers by placeholders.
struct Normaliser {
    names: Vec<(String, String)>,
}

impl Normaliser {
    fn apply(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (value, name) in &self.names {
            out = out.replace(value.as_str(), name);
        }
        let out = replace_tokens(&replace_times(&out));
        // Table cells are as wide as their content: compare the content.
        out.lines()
            .map(|line| {
                let mut squeezed = String::new();
                let mut last = ' ';
                for c in line.chars() {
                    if (c == ' ' || c == '─') && c == last {
                        continue;
                    }
                    squeezed.push(c);
                    last = c;
                }
                squeezed.trim_end().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// `YYYY-MM-DD HH:MM:SS[.ffffff][+00:00]` becomes `<time>`.
fn replace_times(text: &str) -> String {
    let bytes = text.as_bytes();
    let shape = b"dddd-dd-dd dd:dd:dd";
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let fits = bytes.len() - i >= shape.len()
            && shape.iter().zip(&bytes[i..]).all(|(s, b)| match s {
                b'd' => b.is_ascii_digit(),
                other => other == b,
            });
        if !fits {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
            continue;
        }
        i += shape.len();
        if bytes.get(i) == Some(&b'.') {
            i += 1;
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        if text[i..].starts_with("+00:00") {
            i += 6;
        }
        out.push_str("<time>");
    }
    out
}

/// Any other 64-hex-digit token becomes `<token>`.
fn replace_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < bytes.len() {
        let run = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(b))
            .count();
        if run == 64 {
            out.push_str("<token>");
            i += 64;
        } else if run > 0 {
            out.push_str(&text[i..i + run]);
            i += run;
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            out.push(c);
            i += c.len_utf8();
        }
    }
    out
}

/// Log lines worth comparing.
fn meaningful_log(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter_map(|line| line.split_once("] - ").map(|(_, msg)| msg))
        .filter(|msg| {
            !msg.contains("password")
                && !msg.contains("Password")
                && !msg.contains("sessions")
                && !msg.contains("Dummy task created")
        })
        .map(str::to_owned)
        .collect()
}

/// Runs the whole command sequence against one server.
fn run_suite(base_url: &str, cli_url: &str) -> BTreeMap<String, Outcome> {
    let mut api = TaskApi::new(base_url);
    let ok = api.create_dummy(0, false);
    let failed = api.create_dummy(0, true);
    api.wait_terminal(&ok, Duration::from_secs(60));
    api.wait_terminal(&failed, Duration::from_secs(60));
    let long = api.create_dummy(60, false);
    api.wait_status(&long, "RUNNING", Duration::from_secs(60), |s| {
        s == status::RUNNING
    });
    let machine = api.admin_info(&ok)["machineId"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let norm = Normaliser {
        names: vec![
            (ok.clone(), "<ok>".into()),
            (failed.clone(), "<failed>".into()),
            (long.clone(), "<long>".into()),
            (machine.clone(), "<machine>".into()),
        ],
    };
    let test_workspace = std::env::temp_dir().display().to_string();
    let exec = |args: &[&str]| {
        let mut full = vec!["cmd", "serverside-tasks", "--url", cli_url];
        full.extend_from_slice(args);
        let out = codechecker(Venv::Current, &full, &[("TEST_WORKSPACE", &test_workspace)]);
        out.assert_no_protocol_error();
        Outcome {
            code: out.code,
            stdout: norm.apply(&out.stdout),
            log: meaningful_log(&out.stderr)
                .iter()
                .map(|l| norm.apply(l))
                .collect(),
        }
    };
    let results = RefCell::new(BTreeMap::new());
    let run = |label: &str, args: &[&str]| {
        let outcome = exec(args);
        results
            .borrow_mut()
            .insert(label.to_owned(), outcome.clone());
        outcome
    };

    // Queries by token, in each output format.
    run("one finished task, plaintext", &["--token", &ok]);
    run("one failed task, plaintext", &["--token", &failed]);
    run("one running task, plaintext", &["--token", &long]);
    run("two tasks, plaintext", &["--token", &ok, &failed]);
    run(
        "two tasks, table",
        &["--token", &ok, &failed, "--output", "table"],
    );
    run(
        "two tasks, json",
        &["--token", &ok, &failed, "--output", "json"],
    );
    run("one task, json", &["--token", &ok, "--output", "json"]);
    run("unknown token", &["--token", &"0".repeat(64)]);
    run("no token, no filter", &[]);

    // Every filter flag, on the three tasks.
    let three = ["--token", ok.as_str(), failed.as_str(), long.as_str()];
    let filters: Vec<(&str, Vec<&str>)> = vec![
        ("machine id", vec!["--machine-id", &machine]),
        ("other machine id", vec!["--machine-id", "no-such-machine"]),
        ("type", vec!["--type", "TaskService::DummyTask"]),
        ("type pattern", vec!["--type", "*Dummy*"]),
        ("other type", vec!["--type", "Nope"]),
        ("statuses", vec!["--status", "completed", "failed"]),
        ("status running", vec!["--status", "running"]),
        ("username", vec!["--username", "nobody"]),
        ("no username", vec!["--no-username"]),
        ("product", vec!["--product", "Default"]),
        ("no product", vec!["--no-product"]),
        ("enqueued before", vec!["--enqueued-before", "2999:01:01"]),
        ("enqueued after", vec!["--enqueued-after", "2000:01:01"]),
        (
            "enqueued after, future",
            vec!["--enqueued-after", "2999:01:01:00:00:00"],
        ),
        ("started before", vec!["--started-before", "2999:01:01"]),
        (
            "started after",
            vec!["--started-after", "2000:01:01:12:30:00"],
        ),
        ("finished before", vec!["--finished-before", "2999:01:01"]),
        ("finished after", vec!["--finished-after", "2000:01:01"]),
        (
            "finished before, past",
            vec!["--finished-before", "2000:01:01"],
        ),
        ("last seen before", vec!["--last-seen-before", "2999:01:01"]),
        ("last seen after", vec!["--last-seen-after", "2000:01:01"]),
        ("only cancelled", vec!["--only-cancelled"]),
        ("not cancelled", vec!["--no-cancelled"]),
        ("only consumed", vec!["--only-consumed"]),
        ("not consumed", vec!["--no-consumed"]),
    ];
    // Read-only queries: three at a time.
    let filtered: Vec<(String, Outcome)> = std::thread::scope(|scope| {
        let workers: Vec<_> = filters
            .chunks(filters.len().div_ceil(3))
            .map(|chunk| {
                scope.spawn(|| {
                    chunk
                        .iter()
                        .map(|(label, flags)| {
                            let mut args: Vec<&str> = three.to_vec();
                            args.extend(flags.iter().copied());
                            args.extend(["--output", "json"]);
                            (format!("filter: {label}"), exec(&args))
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a filter query thread"))
            .collect()
    });
    results.borrow_mut().extend(filtered);
    let finished = [
        "--token",
        ok.as_str(),
        failed.as_str(),
        "--status",
        "completed",
        "failed",
    ];
    run("filter, plaintext", &finished);
    let mut table = finished.to_vec();
    table.extend(["--output", "table"]);
    run("filter, table", &table);

    // Awaiting a task that failed; killing and awaiting a running one.
    run("await a failed task", &["--token", &failed, "--await"]);
    run("kill and await", &["--token", &long, "--kill", "--await"]);
    run("kill a cancelled task", &["--token", &long, "--kill"]);
    let other = api.create_dummy(60, false);
    api.wait_status(&other, "RUNNING", Duration::from_secs(60), |s| {
        s == status::RUNNING
    });
    let kill_filtered = run(
        "kill through a filter",
        &[
            "--token", &other, "--status", "running", "--kill", "--output", "json",
        ],
    );
    assert_eq!(kill_filtered.code, 0);
    let done = api.wait_terminal(&other, Duration::from_secs(60));
    assert_eq!(task_status(&done), status::CANCELLED, "{done}");
    let created = run(
        "create, await",
        &[
            "--create-dummy-task",
            "0",
            "false",
            "--await",
            "--output",
            "table",
        ],
    );
    // What the table shows right after the creation is a race (ENQUEUED or
    // RUNNING); how the wait ends is not.
    let ending: Vec<&str> = created
        .stdout
        .lines()
        .filter(|l| l.contains("terminated in status"))
        .collect();
    assert_eq!(ending.len(), 1, "{created:?}");
    let mut results = results.into_inner();
    results.insert(
        "create, await".to_owned(),
        Outcome {
            stdout: ending.join("\n"),
            ..created
        },
    );
    results
}

#[test]
fn serverside_tasks_cli_matches_codechecker() {
    let ours = ServerBuilder::new().api(2).workers(2).start();
    let (ours_url, ours_cli) = (ours.url(), ours.cli_url());
    let mine = std::thread::spawn(move || run_suite(&ours_url, &ours_cli));
    let reference = RefServer::start(true);
    let theirs = run_suite(&reference.url(), &reference.cli_url());
    let mine = mine.join().expect("the suite against our server");

    // Sanity of the reference run: the commands did what they say.
    assert_eq!(theirs["one finished task, plaintext"].code, 0);
    assert_eq!(theirs["one failed task, plaintext"].code, 4);
    assert_eq!(theirs["one running task, plaintext"].code, 8);
    assert_eq!(theirs["kill a cancelled task"].code, 16);
    assert_eq!(theirs["await a failed task"].code, 1);
    assert_eq!(theirs["kill and await"].code, 0);
    assert!(theirs["filter: statuses"].stdout.contains("<ok>"));

    let mut differences = Vec::new();
    for (label, expected) in &theirs {
        match mine.get(label) {
            Some(got) if got == expected => {}
            got => differences.push(format!(
                "{label}:\n  CodeChecker: {expected:?}\n  ours:        {got:?}"
            )),
        }
    }
    assert!(
        differences.is_empty(),
        "{} differences:\n{}\nour server's log:\n{}",
        differences.len(),
        differences.join("\n"),
        ours.log()
    );
    ours.assert_no_child_died();
}
