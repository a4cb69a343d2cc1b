//! Hostile input over HTTP: every malformed request gets a Thrift exception or
//! a 4xx answer promptly, and the server keeps serving without losing a process.

use crate::support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::http::{self, Conn, Response};
use support::server::{Server, ServerBuilder};

/// How long one hostile request may take to be answered.
const PROMPT: Duration = Duration::from_secs(20);

/// Whether `body` is a Thrift JSON message carrying an exception: a
/// `TApplicationException` (message type 3) or a reply whose result struct
/// holds a declared exception (any field but 0).
fn is_thrift_exception(body: &[u8]) -> bool {
    let Ok(Value::Array(message)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    match message.get(2).and_then(Value::as_i64) {
        Some(3) => true,
        Some(2) => message
            .get(4)
            .and_then(Value::as_object)
            .is_some_and(|result| result.keys().any(|k| k != "0")),
        _ => false,
    }
}

/// The message of a `TApplicationException` reply, if `body` is one.
fn application_error_message(body: &[u8]) -> Option<String> {
    let message: Value = serde_json::from_slice(body).ok()?;
    (message.get(2)?.as_i64()? == 3).then_some(())?;
    Some(message.get(4)?.get("1")?.get("str")?.as_str()?.to_owned())
}

/// Sends one request on a fresh connection and checks the answer is an
/// exception or a client error, in time.
fn expect_rejected(server: &Server, case: &str, method: &str, path: &str, body: &[u8]) -> Response {
    let started = Instant::now();
    let response = http::request(server.addr(), method, path, body, PROMPT)
        .unwrap_or_else(|err| panic!("{case}: no answer ({err})"));
    let took = started.elapsed();
    assert!(took < PROMPT, "{case}: took {took:?}");
    let ok = (400..500).contains(&response.status)
        || (response.status == 200 && is_thrift_exception(&response.body));
    assert!(
        ok,
        "{case}: expected a Thrift exception or a 4xx, got HTTP {} {:?}",
        response.status,
        truncate(&response.text())
    );
    response
}

fn truncate(text: &str) -> String {
    text.chars().take(300).collect()
}

fn tasks_call(method: &str, args: &str) -> Vec<u8> {
    http::thrift_call(method, 7, args)
}

#[test]
fn hostile_requests_are_rejected_and_the_server_survives() {
    let server = ServerBuilder::new().api(2).workers(1).start();
    let before = all_children(&server, 3);
    let tasks = "/v6.74/Tasks";

    // Malformed messages.
    let garbage: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid JSON", b"{this is not json".to_vec()),
        (
            "truncated JSON",
            br#"[1,"getTaskInfo",1,0,{"1":{"str":"ab"#.to_vec(),
        ),
        ("empty body", Vec::new()),
        ("binary garbage", garbage),
        (
            "wrong type tag",
            tasks_call("getTaskInfo", r#"{"1":{"i32":5}}"#),
        ),
        (
            "unknown type tag",
            tasks_call("getTaskInfo", r#"{"1":{"xyz":5}}"#),
        ),
        (
            "string where a struct is expected",
            tasks_call("getTasks", r#"{"1":{"str":"x"}}"#),
        ),
        // Calls that would succeed but for their envelope.
        (
            "wrong protocol version",
            br#"[2,"getTasks",1,0,{"1":{"rec":{}}}]"#.to_vec(),
        ),
        (
            "reply message type",
            br#"[1,"getTasks",2,0,{"1":{"rec":{}}}]"#.to_vec(),
        ),
        (
            "exception message type",
            br#"[1,"getTasks",3,0,{"1":{"rec":{}}}]"#.to_vec(),
        ),
        (
            "unknown message type",
            br#"[1,"getTasks",99,0,{"1":{"rec":{}}}]"#.to_vec(),
        ),
        (
            "negative sequence id overflow",
            br#"[1,"getTaskInfo",1,99999999999999,{}]"#.to_vec(),
        ),
        ("unknown method", tasks_call("noSuchMethod", "{}")),
        ("method name not a string", br#"[1,42,1,0,{}]"#.to_vec()),
        (
            "list claiming a billion elements",
            tasks_call(
                "getTasks",
                r#"{"1":{"rec":{"1":{"lst":["str",1000000000]}}}}"#,
            ),
        ),
        (
            "list claiming a billion elements, some given",
            tasks_call(
                "getTasks",
                r#"{"1":{"rec":{"1":{"lst":["str",1000000000,"a","b"]}}}}"#,
            ),
        ),
        (
            "map claiming a billion entries (skipped field)",
            tasks_call(
                "getTasks",
                r#"{"1":{"rec":{"99":{"map":["str","str",1000000000,{}]}}}}"#,
            ),
        ),
        (
            "set claiming a billion elements (skipped field)",
            tasks_call(
                "getTaskInfo",
                r#"{"9":{"set":["i64",1000000000]},"1":{"str":"a"}}"#,
            ),
        ),
        (
            "negative list size",
            tasks_call("getTasks", r#"{"1":{"rec":{"1":{"lst":["str",-5]}}}}"#),
        ),
    ];
    for (case, body) in &cases {
        let response = expect_rejected(&server, case, "POST", tasks, body);
        assert!(
            application_error_message(&response.body).is_some(),
            "{case}: expected a TApplicationException, got {}",
            truncate(&response.text())
        );
    }

    // 100,000 levels of nesting, as raw JSON and as nested skipped structs.
    let depth = 100_000;
    let mut raw = Vec::with_capacity(depth * 2);
    raw.extend(std::iter::repeat_n(b'[', depth));
    raw.extend(std::iter::repeat_n(b']', depth));
    let response = expect_rejected(&server, "100,000 nested arrays", "POST", tasks, &raw);
    assert!(application_error_message(&response.body).is_some());
    let mut nested = String::from(r#"[1,"getTaskInfo",1,0,{"2":"#);
    for _ in 0..depth {
        nested.push_str(r#"{"rec":{"1":"#);
    }
    nested.push_str(r#"{"i32":1}"#);
    for _ in 0..depth {
        nested.push_str("}}");
    }
    nested.push_str("}]");
    let response = expect_rejected(
        &server,
        "100,000 nested structs",
        "POST",
        tasks,
        nested.as_bytes(),
    );
    assert!(application_error_message(&response.body).is_some());
    let mut lists = String::from(r#"[1,"getTasks",1,0,{"1":{"rec":{"1":"#);
    for _ in 0..depth {
        lists.push_str(r#"{"lst":["lst",1,"#);
    }
    for _ in 0..depth {
        lists.push_str("]}");
    }
    lists.push_str("}}}]");
    let response = expect_rejected(
        &server,
        "100,000 nested lists",
        "POST",
        tasks,
        lists.as_bytes(),
    );
    assert!(application_error_message(&response.body).is_some());

    // Deep nesting in an argument, on every service, and before the upload
    // of both store calls (whose upload is split out before decoding).
    let deep_arrays = format!("{}1{}", "[".repeat(depth), "]".repeat(depth));
    let deep_objects = format!("{}1{}", r#"{"a":"#.repeat(depth), "}".repeat(depth));
    let services = [
        ("/v6.74/Authentication", "getAuthParameters"),
        ("/v6.74/Products", "getProducts"),
        ("/v6.74/Configuration", "getNotificationBannerText"),
        ("/v6.74/ServerInfo", "getPackageVersion"),
        ("/v6.74/Tasks", "getTasks"),
        ("/Default/v6.74/CodeCheckerService", "getRunData"),
        ("/Default/v6.74/CodeCheckerService", "massStoreRun"),
        (
            "/Default/v6.74/CodeCheckerService",
            "massStoreRunAsynchronous",
        ),
    ];
    for (path, method) in services {
        for (shape, deep) in [("arrays", &deep_arrays), ("objects", &deep_objects)] {
            let body = format!(
                r#"[1,"{method}",1,5,{{"0":{deep},"1":{{"str":"QUJD"}},"4":{{"str":"QUJD"}}}}]"#
            );
            let case = format!("{method} on {path} with 100,000 nested {shape}");
            let response = expect_rejected(&server, &case, "POST", path, body.as_bytes());
            assert!(
                application_error_message(&response.body).is_some(),
                "{case}: {}",
                truncate(&response.text())
            );
        }
    }

    // A 50 MB string where a token is expected.
    let mut huge = Vec::with_capacity(50_000_100);
    huge.extend_from_slice(br#"[1,"getTaskInfo",1,3,{"1":{"str":""#);
    huge.extend(std::iter::repeat_n(b'a', 50_000_000));
    huge.extend_from_slice(br#""}}]"#);
    let response = expect_rejected(&server, "50 MB token", "POST", tasks, &huge);
    assert!(
        response.text().contains("does not exist"),
        "50 MB token: {}",
        truncate(&response.text())
    );

    // Paths: unknown services and unsupported API versions.
    let version = tasks_call("getPackageVersion", "{}");
    for path in ["/v6.74/NoSuchService", "/Default/v6.74/NoSuchService"] {
        let response = expect_rejected(&server, path, "POST", path, &version);
        assert!(
            application_error_message(&response.body).is_some(),
            "{path}"
        );
    }
    for path in [
        "/v7.0/Tasks",
        "/v6.99/Tasks",
        "/v5.0/Tasks",
        "/Default/v7.0/CodeCheckerService",
        "/no/such/deep/path",
        "/",
        "/Tasks",
    ] {
        let response = expect_rejected(&server, path, "POST", path, &version);
        assert_eq!(response.status, 200, "{path}");
        assert_eq!(
            application_error_message(&response.body).as_deref(),
            Some("Invalid request endpoint path."),
            "{path}: {}",
            truncate(&response.text())
        );
    }
    let response = expect_rejected(
        &server,
        "unknown product",
        "POST",
        "/NoSuchProduct/v6.74/CodeCheckerService",
        &tasks_call("getRunData", "{}"),
    );
    let message = application_error_message(&response.body).unwrap_or_default();
    assert!(message.contains("NoSuchProduct"), "{}", response.text());

    // Methods other than POST. (A GET is the web UI's: CodeChecker's server
    // answers it with the app's index.html, as ours does.)
    for method in ["PUT", "DELETE", "PATCH", "OPTIONS"] {
        let response = expect_rejected(&server, method, method, tasks, &version);
        assert!(
            (400..500).contains(&response.status),
            "{method}: HTTP {}",
            response.status
        );
    }

    // A request line and headers that are not HTTP at all.
    let mut conn = Conn::open(server.addr(), PROMPT).expect("connect");
    conn.send_raw(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03garbage\r\n\r\n")
        .expect("send garbage");
    if let Ok(response) = conn.read_response() {
        assert!(
            (400..500).contains(&response.status),
            "TLS hello: HTTP {}",
            response.status
        );
    }

    // The server still answers normal calls, with every process it started.
    let response = http::post_thrift(server.addr(), "/v6.74/ServerInfo", &version, PROMPT)
        .expect("a normal call after the hostile ones");
    assert_eq!(response.status, 200);
    assert!(response.text().contains("6.29.1"), "{}", response.text());
    let response = http::post_thrift(
        server.addr(),
        tasks,
        &tasks_call("getTaskInfo", r#"{"1":{"str":"abc"}}"#),
        PROMPT,
    )
    .expect("getTaskInfo after the hostile calls");
    assert!(
        response.text().contains("The task does not exist."),
        "{}",
        response.text()
    );
    server.assert_no_child_died();
    assert_eq!(server.children(), before, "the server's processes changed");
}

#[test]
fn bodies_over_the_limit_are_refused() {
    let limit = 64 * 1024;
    let server = ServerBuilder::new()
        .api(1)
        .workers(0)
        .max_body_bytes(limit)
        .start();
    let before = server.children();

    // Declared too large: refused before the body is read.
    let mut conn = Conn::open(server.addr(), PROMPT).expect("connect");
    let started = Instant::now();
    conn.send_raw(
        format!(
            "POST /v6.74/Tasks HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
            limit * 16
        )
        .as_bytes(),
    )
    .expect("send the head");
    let response = conn.read_response().expect("an answer to the head alone");
    assert_eq!(response.status, 413, "{}", response.text());
    assert!(started.elapsed() < PROMPT);

    // Chunked, without a length: refused once the limit is crossed.
    let mut conn = Conn::open(server.addr(), PROMPT).expect("connect");
    conn.send_raw(b"POST /v6.74/Tasks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        .expect("send the head");
    let mut stream = conn.stream().expect("clone the socket");
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 16 * 1024];
        for _ in 0..64 {
            let frame = format!("{:x}\r\n", chunk.len());
            if stream.write_all(frame.as_bytes()).is_err()
                || stream.write_all(&chunk).is_err()
                || stream.write_all(b"\r\n").is_err()
            {
                return;
            }
        }
        let _ = stream.write_all(b"0\r\n\r\n");
    });
    let response = conn.read_response().expect("an answer to the chunked body");
    assert_eq!(response.status, 413, "{}", response.text());
    let _ = writer.join();

    // Just under the limit is still a call.
    let mut body = br#"[1,"getTaskInfo",1,0,{"1":{"str":""#.to_vec();
    body.extend(std::iter::repeat_n(b'b', limit - 100));
    body.extend_from_slice(br#""}}]"#);
    assert!(body.len() <= limit);
    let response = http::post_thrift(server.addr(), "/v6.74/Tasks", &body, PROMPT).expect("answer");
    assert_eq!(response.status, 200);
    assert!(
        response.text().contains("does not exist"),
        "{}",
        truncate(&response.text())
    );
    server.assert_no_child_died();
    assert_eq!(server.children(), before);
}

/// The server's `count` child processes, once all are started (a worker may
/// start after the API processes answer).
fn all_children(server: &Server, count: usize) -> Vec<(u32, String)> {
    support::wait_for(
        "every child process",
        PROMPT,
        Duration::from_millis(50),
        || Some(server.children()).filter(|c| c.len() == count),
    )
}

/// Every service path with a call it serves: `(path, method, arguments)`.
const CALLS: &[(&str, &str, &str)] = &[
    (
        "/v6.74/Authentication",
        "performLogin",
        r#"{"1":{"str":"Username:Password"},"2":{"str":"u:p"}}"#,
    ),
    ("/v6.74/Products", "getProducts", r#"{"1":{"str":"Def"}}"#),
    ("/Default/v6.74/Products", "getCurrentProduct", "{}"),
    (
        "/v6.74/Configuration",
        "setNotificationBannerText",
        r#"{"1":{"str":"aGk="}}"#,
    ),
    ("/v6.74/ServerInfo", "getPackageVersion", "{}"),
    ("/v6.74/Tasks", "getTaskInfo", r#"{"1":{"str":"abc"}}"#),
    (
        "/Default/v6.74/CodeCheckerService",
        "getRunData",
        r#"{"2":{"i64":10},"3":{"i64":0}}"#,
    ),
    (
        "/Default/v6.74/CodeCheckerService",
        "massStoreRun",
        r#"{"1":{"str":"r"},"3":{"str":"6.24.4"},"4":{"str":"QUJD"},"5":{"tf":0}}"#,
    ),
    (
        "/Default/v6.74/CodeCheckerService",
        "massStoreRunAsynchronous",
        r#"{"1":{"str":"QUJD"},"2":{"rec":{"1":{"str":"r"},"3":{"str":"6.29.1"}}}}"#,
    ),
];

/// Malformed versions of the call `method(args)`: `(case, body)`.
fn malformed_calls(method: &str, args: &str) -> Vec<(String, Vec<u8>)> {
    let message = |args: &str| format!(r#"[1,"{method}",1,9,{args}]"#).into_bytes();
    let whole = message(args);
    let depth = 100_000;
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        // Nesting, in every shape the decoder meets.
        (
            "100,000 nested structs".into(),
            message(&format!(
                "{}{{}}{}",
                r#"{"1":{"rec":"#.repeat(depth),
                "}}".repeat(depth)
            )),
        ),
        (
            "100,000 nested lists".into(),
            message(&format!(
                r#"{{"1":{{"lst":{}{}}}}}"#,
                r#"["lst",1,"#.repeat(depth),
                "]".repeat(depth)
            )),
        ),
        (
            "100,000 nested maps".into(),
            message(&format!(
                r#"{{"1":{{"map":{}{{}}{}}}}}"#,
                r#"["str","map",1,{"k":"#.repeat(depth),
                "}]".repeat(depth)
            )),
        ),
        (
            "100,000 nested JSON arrays".into(),
            message(&format!(
                r#"{{"1":{}1{}}}"#,
                "[".repeat(depth),
                "]".repeat(depth)
            )),
        ),
        // Huge lengths.
        (
            "list claiming a billion elements".into(),
            message(r#"{"1":{"lst":["str",1000000000,"a"]}}"#),
        ),
        (
            "map claiming a billion entries".into(),
            message(r#"{"1":{"map":["str","i64",1000000000,{"a":1}]}}"#),
        ),
        (
            "set claiming 2^63 elements".into(),
            message(r#"{"1":{"set":["i32",9223372036854775807]}}"#),
        ),
        (
            "number beyond i64".into(),
            message(r#"{"1":{"i64":99999999999999999999999}}"#),
        ),
        // Wrong types.
        (
            "number tagged as a string".into(),
            message(r#"{"1":{"str":5}}"#),
        ),
        (
            "number tagged as a struct".into(),
            message(r#"{"1":{"rec":5}}"#),
        ),
        (
            "number tagged as a list".into(),
            message(r#"{"1":{"lst":5}}"#),
        ),
        ("unknown type tag".into(), message(r#"{"1":{"xyz":5}}"#)),
        ("arguments not a struct".into(), message(r#"["str",1,"a"]"#)),
        (
            "envelope of the wrong types".into(),
            format!(r#"["1","{method}","1","9",{args}]"#).into_bytes(),
        ),
        // Garbage.
        (
            "binary garbage".into(),
            (0..4096u32)
                .map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8)
                .collect(),
        ),
        (
            "garbage inside the message".into(),
            [&whole[..whole.len() / 2], b"]]}{garbage"].concat(),
        ),
        (
            "unknown method".into(),
            br#"[1,"noSuchMethod",1,9,{}]"#.to_vec(),
        ),
    ];
    // Truncated anywhere.
    for cut in [1, whole.len() / 3, whole.len() / 2, whole.len() - 1] {
        cases.push((format!("truncated at byte {cut}"), whole[..cut].to_vec()));
    }
    cases
}

/// Malformed uploads of the store calls: the upload's field (`field`) of
/// the wrong type, of a huge declared length, not base64, cut off.
fn malformed_uploads(method: &str, field: &str) -> Vec<(String, Vec<u8>)> {
    let options = if method == "massStoreRun" {
        r#""1":{"str":"r"},"3":{"str":"6.24.4"},"5":{"tf":0}"#
    } else {
        r#""2":{"rec":{"1":{"str":"r"},"3":{"str":"6.29.1"}}}"#
    };
    let message = |upload: &str| {
        format!(r#"[1,"{method}",1,9,{{"{field}":{upload},{options}}}]"#).into_bytes()
    };
    let big_text = "QUJD".repeat(1 << 20);
    let whole = message(&format!(r#"{{"str":"{big_text}"}}"#));
    vec![
        ("upload as a number".into(), message(r#"{"i32":5}"#)),
        (
            "upload as a list claiming a billion strings".into(),
            message(r#"{"lst":["str",1000000000,"QUJD"]}"#),
        ),
        (
            "upload as a struct nested 100,000 deep".into(),
            message(&format!(
                r#"{{"rec":{}{{}}{}}}"#,
                r#"{"1":{"rec":"#.repeat(100_000),
                "}}".repeat(100_000)
            )),
        ),
        (
            "upload not base64".into(),
            message(r#"{"str":"this is not base64 at all!"}"#),
        ),
        (
            "upload of base64 garbage".into(),
            message(&format!(r#"{{"str":"{big_text}"}}"#)),
        ),
        (
            "upload with escapes".into(),
            message(r#"{"str":"QUJD\/\"}"#),
        ),
        (
            "4 MB upload cut off".into(),
            whole[..whole.len() / 2].to_vec(),
        ),
    ]
}

/// Malformed Thrift on every service path, the store uploads included: each
/// gets a Thrift exception or a 4xx promptly, and every process of the
/// server is still the one it started (no restart in the supervisor's log).
#[test]
fn malformed_thrift_on_every_service_path_is_refused() {
    let server = ServerBuilder::new().api(2).workers(1).start();
    let before = all_children(&server, 3);
    let mut sent = 0;
    for (path, method, args) in CALLS {
        let mut cases = malformed_calls(method, args);
        match *method {
            "massStoreRun" => cases.extend(malformed_uploads(method, "4")),
            "massStoreRunAsynchronous" => cases.extend(malformed_uploads(method, "1")),
            _ => {}
        }
        for (case, body) in cases {
            expect_rejected(
                &server,
                &format!("{method} on {path}: {case}"),
                "POST",
                path,
                &body,
            );
            sent += 1;
        }
    }
    assert!(sent > 150, "{sent} requests");
    // Every service still answers.
    for (path, method) in [
        ("/v6.74/ServerInfo", "getPackageVersion"),
        ("/Default/v6.74/Products", "getCurrentProduct"),
        ("/Default/v6.74/CodeCheckerService", "getRunCount"),
    ] {
        let response = http::post_thrift(server.addr(), path, &tasks_call(method, "{}"), PROMPT)
            .expect("a normal call after the hostile ones");
        assert_eq!(response.status, 200, "{path}");
        assert!(
            !is_thrift_exception(&response.body),
            "{path} {method}: {}",
            truncate(&response.text())
        );
    }
    server.assert_no_child_died();
    assert_eq!(server.children(), before, "the server's processes changed");
}

/// Sends `bytes` one at a time, 100 ms apart (then more of the last one),
/// until the server closes the connection or answers; returns how long
/// that took and what was answered.
fn trickle(stream: &mut TcpStream, bytes: &[u8], give_up: Duration) -> (Duration, Vec<u8>) {
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .expect("read timeout");
    let started = Instant::now();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    for i in 0.. {
        assert!(
            started.elapsed() < give_up,
            "the slow client was not cut off in {give_up:?}"
        );
        let byte = bytes.get(i).or(bytes.last()).copied().unwrap_or(b'a');
        if stream.write_all(&[byte]).is_err() {
            break;
        }
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // Read the rest of the answer, up to the close.
                stream.set_read_timeout(Some(PROMPT)).expect("read timeout");
                let _ = stream.read_to_end(&mut answer);
                break;
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    (started.elapsed(), answer)
}

/// Slow-loris: a client that sends its headers, or its body, a byte at a
/// time is cut off after the configured time (HTTP 408 for a body), an idle
/// connection is closed, and meanwhile another client is served normally.
#[test]
fn slow_clients_are_cut_off_while_others_are_served() {
    let server = ServerBuilder::new()
        .api(1)
        .workers(0)
        .arg("--header-read-timeout-secs")
        .arg("2")
        .arg("--body-read-timeout-secs")
        .arg("2")
        .start();
    let before = server.children();
    let addr = server.addr();
    let give_up = Duration::from_secs(60);
    let slow_head = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        trickle(
            &mut stream,
            b"POST /v6.74/ServerInfo HTTP/1.1\r\nHost: x\r\nX-Slow: aaaa",
            give_up,
        )
    });
    let slow_body = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        let body = tasks_call("getTaskInfo", r#"{"1":{"str":"abc"}}"#);
        stream
            .write_all(
                format!(
                    "POST /v6.74/Tasks HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n",
                    body.len() + 1000
                )
                .as_bytes(),
            )
            .expect("send the head");
        trickle(&mut stream, &body, give_up)
    });
    let idle = std::thread::spawn(move || {
        let mut stream = TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(give_up))
            .expect("read timeout");
        let started = Instant::now();
        let mut buf = [0u8; 64];
        let read = stream.read(&mut buf);
        (started.elapsed(), read.map_err(|e| e.to_string()))
    });

    // Another client is served all along.
    let version = tasks_call("getPackageVersion", "{}");
    let mut served = 0;
    while !(slow_head.is_finished() && slow_body.is_finished() && idle.is_finished()) {
        let response = http::post_thrift(addr, "/v6.74/ServerInfo", &version, PROMPT)
            .expect("a normal call while slow clients hang on");
        assert_eq!(response.status, 200);
        assert!(response.text().contains("6.29.1"), "{}", response.text());
        served += 1;
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(served >= 5, "only {served} calls served");

    let (took, answer) = slow_head.join().expect("slow head");
    assert!(
        took >= Duration::from_millis(1500),
        "cut off after {took:?}"
    );
    assert!(
        answer.is_empty() || String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 408"),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let (took, answer) = slow_body.join().expect("slow body");
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        took >= Duration::from_millis(1500),
        "cut off after {took:?}"
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("did not arrive in time"), "{answer}");
    let (took, read) = idle.join().expect("idle");
    assert_eq!(read, Ok(0), "the idle connection was not closed");
    assert!(took >= Duration::from_millis(1500), "closed after {took:?}");

    server.assert_no_child_died();
    assert_eq!(server.children(), before);
}

/// Beyond `--max-connections`, a new client waits (it is not accepted yet)
/// while the connected ones are served; once a connection ends, it is
/// served.
#[test]
fn connections_beyond_the_cap_wait_for_a_free_slot() {
    let server = ServerBuilder::new()
        .api(1)
        .workers(0)
        .arg("--max-connections")
        .arg("3")
        .start();
    let before = server.children();
    let version = tasks_call("getPackageVersion", "{}");
    let mut held: Vec<Conn> = (0..3)
        .map(|_| Conn::open(server.addr(), PROMPT).expect("connect"))
        .collect();
    // The three are served (keep-alive), so they hold their slots.
    for conn in &mut held {
        let response = conn
            .post_thrift("/v6.74/ServerInfo", &version)
            .expect("a call on a held connection");
        assert_eq!(response.status, 200);
    }
    // The fourth is not answered while the three stay connected...
    let mut fourth = Conn::open(server.addr(), Duration::from_secs(2)).expect("connect");
    let waiting = fourth.post_thrift("/v6.74/ServerInfo", &version);
    assert!(
        waiting.is_err(),
        "a connection beyond the cap was served: {:?}",
        waiting.map(|r| r.status)
    );
    // ...while those are.
    let response = held[0]
        .post_thrift("/v6.74/ServerInfo", &version)
        .expect("a connected client is still served");
    assert_eq!(response.status, 200);
    // One leaves: the fourth gets its answer.
    drop(held.pop());
    fourth
        .stream()
        .expect("socket")
        .set_read_timeout(Some(PROMPT))
        .expect("read timeout");
    let response = fourth.read_response().expect("served once a slot is free");
    assert_eq!(response.status, 200);
    assert!(response.text().contains("6.29.1"), "{}", response.text());
    server.assert_no_child_died();
    assert_eq!(server.children(), before);
}

/// A body is limited per method with the limits a user gets by default:
/// a call that is not an upload gets 413 beyond 64 MiB, naming the call and
/// the flag, while a store of more than that is stored.
#[test]
fn call_bodies_are_limited_per_method_and_a_large_store_works() {
    let server = ServerBuilder::new().api(1).workers(1).start();
    let before = all_children(&server, 2);
    let over = (64 << 20) + 1024;

    // getTaskInfo with a 64 MiB token, its length declared: refused at once.
    let mut body = br#"[1,"getTaskInfo",1,0,{"1":{"str":""#.to_vec();
    body.extend(std::iter::repeat_n(b'a', over));
    body.extend_from_slice(br#""}}]"#);
    let response = send_while_reading(&server, "/v6.74/Tasks", &body, false);
    assert_eq!(response.status, 413, "{}", truncate(&response.text()));
    assert!(
        response.text().contains("Tasks") && response.text().contains("--max-call-body-bytes"),
        "{}",
        response.text()
    );

    // A report-hash filter beyond 64 MiB on the results service, chunked
    // without a length: refused once the limit is crossed, naming the call.
    let hashes = format!(r#""{}","#, "0123456789abcdef".repeat(2)).repeat(over / 35 + 1);
    let body = format!(
        r#"[1,"getRunResults",1,0,{{"5":{{"rec":{{"2":{{"lst":["str",{},{}"x"]}}}}}}}}]"#,
        over / 35 + 2,
        hashes
    );
    let response = send_while_reading(
        &server,
        "/Default/v6.74/CodeCheckerService",
        body.as_bytes(),
        true,
    );
    assert_eq!(response.status, 413, "{}", truncate(&response.text()));
    assert!(
        response.text().contains("'getRunResults'"),
        "{}",
        response.text()
    );

    // A store whose body is larger than that: 48 MiB of incompressible
    // bytes beside the reports.
    let mut noise = Vec::with_capacity(48 << 20);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    while noise.len() < 48 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        noise.extend_from_slice(&x.to_le_bytes());
    }
    let zip = crate::store_bad_input::Layout::good("big", "b16b16")
        .zip_with(&[("root/src/noise.bin", noise.as_slice())]);
    let upload = support::store::upload_of_zip(&zip, flate2::Compression::fast());
    let body = format!(
        r#"[1,"massStoreRun",1,3,{{"1":{{"str":"big"}},"3":{{"str":"6.24.4"}},"4":{{"str":"{upload}"}},"5":{{"tf":0}}}}]"#
    );
    assert!(body.len() > over, "{} bytes", body.len());
    let response = http::post_thrift(
        server.addr(),
        "/Default/v6.74/CodeCheckerService",
        body.as_bytes(),
        Duration::from_secs(300),
    )
    .expect("an answer to the large store");
    assert_eq!(response.status, 200, "{}", truncate(&response.text()));
    let reply: Value = serde_json::from_slice(&response.body).expect("JSON reply");
    assert!(
        reply[4]["0"]["i64"].as_i64().is_some(),
        "the store failed: {}",
        truncate(&response.text())
    );
    server.assert_no_child_died();
    assert_eq!(server.children(), before);
}

/// POSTs `body` to `path` from another thread (chunked when asked, else
/// with its length) while reading the answer, which may come before the
/// body is sent.
fn send_while_reading(server: &Server, path: &str, body: &[u8], chunked: bool) -> Response {
    let mut conn = Conn::open(server.addr(), PROMPT).expect("connect");
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_owned()
    } else {
        format!("Content-Length: {}", body.len())
    };
    conn.send_raw(format!("POST {path} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n").as_bytes())
        .expect("send the head");
    let mut stream = conn.stream().expect("clone the socket");
    let body = body.to_vec();
    let writer = std::thread::spawn(move || {
        for piece in body.chunks(1 << 20) {
            let sent = if chunked {
                stream
                    .write_all(format!("{:x}\r\n", piece.len()).as_bytes())
                    .and_then(|()| stream.write_all(piece))
                    .and_then(|()| stream.write_all(b"\r\n"))
            } else {
                stream.write_all(piece)
            };
            if sent.is_err() {
                return;
            }
        }
        if chunked {
            let _ = stream.write_all(b"0\r\n\r\n");
        }
    });
    let response = conn.read_response().expect("an answer");
    drop(conn);
    let _ = writer.join();
    response
}
