//! The client transport against a minimal HTTP server: calls through a
//! generated client, keep-alive, extra headers, HTTP errors, timeouts.
#![allow(clippy::unwrap_used)] // a panic is how a test fails
#![cfg(feature = "http-client")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use codechecker_api::http::{HttpEndpoint, HttpOptions};
use codechecker_api::json::JsonOutputProtocol;
use codechecker_api::server_info::{ServerInfoServiceSyncClient, TServerInfoServiceSyncClient};
use thrift::protocol::{
    TFieldIdentifier, TMessageIdentifier, TMessageType, TOutputProtocol, TStructIdentifier, TType,
};

/// How the fake server answers.
#[derive(Clone, Copy)]
enum Mode {
    /// A `getPackageVersion` reply, echoing the request's sequence id.
    Reply,
    /// HTTP 500 with a text body.
    Error,
    /// Reads the request and never answers.
    Silent,
}

struct FakeServer {
    url: String,
    connections: Arc<AtomicUsize>,
    requests: Arc<Mutex<Vec<String>>>,
}

fn reply(seq: i32) -> Vec<u8> {
    let mut o = JsonOutputProtocol::new(Vec::new());
    o.write_message_begin(&TMessageIdentifier::new(
        "getPackageVersion",
        TMessageType::Reply,
        seq,
    ))
    .unwrap();
    o.write_struct_begin(&TStructIdentifier::new("result"))
        .unwrap();
    o.write_field_begin(&TFieldIdentifier::new("success", TType::String, 0))
        .unwrap();
    o.write_string("6.29.1").unwrap();
    o.write_field_end().unwrap();
    o.write_field_stop().unwrap();
    o.write_struct_end().unwrap();
    o.write_message_end().unwrap();
    o.into_inner().unwrap()
}

/// Serves one connection: requests until the peer closes it.
fn serve(stream: TcpStream, mode: Mode, requests: Arc<Mutex<Vec<String>>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut writer = stream;
    loop {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            if line == "\r\n" {
                break;
            }
            head.push_str(&line);
        }
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        let text = String::from_utf8_lossy(&body).into_owned();
        requests.lock().unwrap().push(format!("{head}\n{text}"));
        // `[1,"getPackageVersion",1,SEQ,{...}]`
        let seq: i32 = text
            .split(',')
            .nth(3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        match mode {
            Mode::Reply => {
                let body = reply(seq);
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/x-thrift\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                writer.write_all(head.as_bytes()).unwrap();
                writer.write_all(&body).unwrap();
            }
            Mode::Error => {
                let body = b"something broke";
                let head = format!(
                    "HTTP/1.1 500 Internal Server Error\r\nContent-Length: {}\r\n\r\n",
                    body.len()
                );
                writer.write_all(head.as_bytes()).unwrap();
                writer.write_all(body).unwrap();
            }
            Mode::Silent => std::thread::sleep(Duration::from_secs(30)),
        }
    }
}

fn start(mode: Mode) -> FakeServer {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v6.74/ServerInfo", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let requests = Arc::new(Mutex::new(Vec::new()));
    let (c, r) = (connections.clone(), requests.clone());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            c.fetch_add(1, Ordering::SeqCst);
            let r = r.clone();
            std::thread::spawn(move || serve(stream, mode, r));
        }
    });
    FakeServer {
        url,
        connections,
        requests,
    }
}

fn client(endpoint: &HttpEndpoint) -> impl TServerInfoServiceSyncClient {
    let (i, o) = endpoint.protocols();
    ServerInfoServiceSyncClient::new(i, o)
}

#[test]
fn calls_reuse_one_connection_and_carry_extra_headers() {
    let server = start(Mode::Reply);
    let endpoint = HttpEndpoint::new(&server.url, &HttpOptions::default());
    endpoint.set_header("Cookie", Some("__ccPrivilegedAccessToken=abc".into()));
    let mut c = client(&endpoint);
    assert_eq!(c.get_package_version().unwrap(), "6.29.1");
    assert_eq!(c.get_package_version().unwrap(), "6.29.1");
    // A second client over the same endpoint shares the pool.
    assert_eq!(client(&endpoint).get_package_version().unwrap(), "6.29.1");
    assert_eq!(server.connections.load(Ordering::SeqCst), 1, "keep-alive");
    let requests = server.requests.lock().unwrap();
    assert_eq!(requests.len(), 3);
    let first = requests[0].to_ascii_lowercase();
    assert!(
        first.starts_with("post /v6.74/serverinfo http/1.1"),
        "{first}"
    );
    assert!(
        first.contains("content-type: application/x-thrift"),
        "{first}"
    );
    assert!(
        first.contains("cookie: __ccprivilegedaccesstoken=abc"),
        "{first}"
    );
    assert!(first.contains(r#"[1,"getpackageversion",1,"#), "{first}");
}

#[test]
fn removed_headers_are_not_sent() {
    let server = start(Mode::Reply);
    let endpoint = HttpEndpoint::new(&server.url, &HttpOptions::default());
    endpoint.set_header("Authorization", Some("Bearer t0k3n".into()));
    endpoint.set_header("authorization", None);
    client(&endpoint).get_package_version().unwrap();
    let requests = server.requests.lock().unwrap();
    assert!(!requests[0].to_ascii_lowercase().contains("authorization"));
}

#[test]
fn http_errors_name_the_status() {
    let server = start(Mode::Error);
    let endpoint = HttpEndpoint::new(&server.url, &HttpOptions::default());
    let err = client(&endpoint)
        .get_package_version()
        .unwrap_err()
        .to_string();
    assert!(err.contains("HTTP 500"), "{err}");
    assert!(err.contains("something broke"), "{err}");
}

#[test]
fn a_silent_server_times_out() {
    let server = start(Mode::Silent);
    let options = HttpOptions {
        call_timeout: Some(Duration::from_millis(300)),
        ..HttpOptions::default()
    };
    let endpoint = HttpEndpoint::new(&server.url, &options);
    let started = Instant::now();
    let err = client(&endpoint)
        .get_package_version()
        .unwrap_err()
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(5), "{err}");
    assert!(err.contains("cannot reach"), "{err}");
}

#[test]
fn an_unreachable_server_fails_fast() {
    // Bind and drop to find a port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = HttpEndpoint::new(
        format!("http://127.0.0.1:{port}/v6.74/ServerInfo"),
        &HttpOptions::default(),
    );
    let started = Instant::now();
    let err = client(&endpoint)
        .get_package_version()
        .unwrap_err()
        .to_string();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(err.contains("cannot reach"), "{err}");
}
