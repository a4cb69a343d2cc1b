//! A server that drops the connection in the middle of the upload: our
//! client ends with a clear error (no hang, no panic), nothing is stored, and
//! the same store straight to the server then succeeds.
//!
//! A proxy in front of our server forwards every request, except that it
//! reads only half of the body of a `massStoreRun*` request and then closes
//! the connection.

use crate::support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use support::corpus::{generate, CorpusSpec};
use support::{expect_code, results_of, text, UserEnv};

/// One HTTP/1.1 request: head (with the blank line) and body.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<(String, Vec<u8>, usize)> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        head.push_str(&line);
        if line == "\r\n" || line == "\n" {
            break;
        }
    }
    let length = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0);
    // The method name comes first in the JSON envelope: peek at 256 bytes.
    let mut body = vec![0; length.min(256)];
    reader.read_exact(&mut body).ok()?;
    Some((head, body, length))
}

/// Forwards one request to `backend` and returns the whole response.
fn forward(backend: u16, head: &str, body: &[u8]) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(("127.0.0.1", backend)).ok()?;
    // One request per upstream connection keeps the response framing simple.
    let mut head: String = head
        .lines()
        .filter(|l| !l.is_empty() && !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    head.push_str("Connection: close\r\n\r\n");
    up.write_all(head.as_bytes()).ok()?;
    up.write_all(body).ok()?;
    let mut response = Vec::new();
    up.read_to_end(&mut response).ok()?;
    Some(response)
}

/// Serves one request of `client` (the backend's answer says
/// `Connection: close`, so the client opens a new connection for the next).
fn serve(client: TcpStream, backend: u16) {
    let mut writer = client.try_clone().expect("clone");
    let mut reader = BufReader::new(client);
    let Some((head, mut body, length)) = read_request(&mut reader) else {
        return;
    };
    if String::from_utf8_lossy(&body).contains("\"massStoreRun") {
        // Take half of the upload, then hang up.
        let mut half = vec![0; length / 2 - body.len().min(length / 2)];
        let _ = reader.read_exact(&mut half);
        let _ = writer.shutdown(std::net::Shutdown::Both);
        return;
    }
    let mut rest = vec![0; length - body.len()];
    if reader.read_exact(&mut rest).is_err() {
        return;
    }
    body.extend_from_slice(&rest);
    if let Some(response) = forward(backend, &head, &body) {
        let _ = writer.write_all(&response);
    }
}

/// Starts the proxy; returns its port.
fn dropping_proxy(backend: u16) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for client in listener.incoming().flatten() {
            std::thread::spawn(move || serve(client, backend));
        }
    });
    port
}

#[test]
fn a_connection_dropped_during_the_upload_is_a_clear_error() {
    let Some(venv) = support::venv() else { return };
    let work = tempfile::tempdir().expect("temp dir");
    let server = support::our_server();
    let env = UserEnv::new(&work.path().join("home"))
        .with("TEST_WORKSPACE", &work.path().to_string_lossy());
    let corpus = generate(
        &work.path().join("corpus"),
        &CorpusSpec {
            files: 20,
            reports_per_file: 5,
            seed: 21,
            ..CorpusSpec::default()
        },
    )
    .expect("corpus");
    let reports = corpus.reports.to_string_lossy().into_owned();
    let proxy = dropping_proxy(server.addr().port());
    let via_proxy = format!("http://localhost:{proxy}/Default");

    for sync in [false, true] {
        let env = if sync {
            env.clone().with("CC_FORCE_SYNC_STORE", "yes")
        } else {
            env.clone()
        };
        let started = Instant::now();
        let out = env.ours(&["store", &reports, "--name", "cut", "--url", &via_proxy]);
        let took = started.elapsed();
        expect_code(&out, 1, "store through a proxy that drops the upload");
        let stderr = text(&out.stderr);
        assert!(
            !stderr.contains("panicked"),
            "the client panicked:\n{stderr}"
        );
        assert!(
            stderr.to_lowercase().contains("connection"),
            "the error does not say the connection failed:\n{stderr}"
        );
        assert!(took < Duration::from_secs(60), "took {took:?}");
    }

    // Nothing was stored; the same store straight to the server works.
    let runs = env.theirs(
        &venv,
        &["cmd", "runs", "--url", &server.product_url(), "-o", "json"],
    );
    expect_code(&runs, 0, "cmd runs");
    assert!(
        !text(&runs.stdout).contains("\"cut\""),
        "a run was stored from a cut upload: {}",
        text(&runs.stdout)
    );
    let out = env.ours(&[
        "store",
        &reports,
        "--name",
        "cut",
        "--url",
        &server.product_url(),
    ]);
    expect_code(&out, 0, "store straight to the server");
    assert_eq!(
        results_of(&env, &venv, &server.product_url(), "cut").len(),
        corpus.report_count
    );
}
