//! Hostile input over HTTP: every malformed request gets a Thrift exception or
//! a 4xx answer promptly, and the server keeps serving without losing a process.

use crate::support;

use std::io::Write;
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
    let before = server.children();
    assert_eq!(before.len(), 3, "{before:?}");
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
