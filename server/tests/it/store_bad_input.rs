//! Uploads the store must refuse, and uploads whose store must fail, sent
//! through CodeChecker's Python API client: each answered with a
//! `RequestFailed` or a FAILED task whose comments say why, and the product
//! database left as it was. Also: two stores to one run at the same time.

use crate::support;

use std::io::{Cursor, Write};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::python::{PyApi, Reply, Venv};
use support::server::Server;
use support::store::{store_server, upload_of_zip, zip_of};
use support::tasks::{status, task_comments, task_status, TaskApi};
use zip::write::SimpleFileOptions;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("compress")
}

/// What `CodeChecker store` sends: base64 of zlib of the ZIP (compressed
/// hard, so that a ZIP bomb stays small).
fn upload(zip: &[u8]) -> String {
    upload_of_zip(zip, flate2::Compression::best())
}

const SOURCE: &str = "int f(int a) {\n  int b = 0;\n  return a / b;\n}\n";

fn plist(file: &str, bug_hash: &str, checker: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0"><dict>
<key>diagnostics</key><array><dict>
<key>category</key><string>Logic error</string>
<key>check_name</key><string>{checker}</string>
<key>description</key><string>Division by zero</string>
<key>issue_hash_content_of_line_in_context</key><string>{bug_hash}</string>
<key>location</key><dict><key>line</key><integer>3</integer><key>col</key><integer>12</integer><key>file</key><integer>0</integer></dict>
<key>path</key><array><dict><key>kind</key><string>event</string>
<key>location</key><dict><key>line</key><integer>3</integer><key>col</key><integer>12</integer><key>file</key><integer>0</integer></dict>
<key>message</key><string>Division by zero</string></dict></array>
</dict></array>
<key>files</key><array><string>{file}</string></array>
<key>metadata</key><dict><key>analyzer</key><dict><key>name</key><string>clangsa</string></dict></dict>
</dict></plist>
"#
    )
}

fn metadata(version: u32) -> String {
    format!(
        r#"{{"version": {version}, "tools": [{{"name": "codechecker", "version": "6.29.1",
        "command": ["CodeChecker", "analyze"], "analyzers": {{"clangsa": {{"checkers":
        {{"core.DivideZero": true}}}}}}}}]}}"#
    )
}

fn sha256(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// A complete upload of one report in `/src/<name>.c`, with overrides.
pub(crate) struct Layout {
    plist: String,
    metadata: String,
    with_source: bool,
    source_path: String,
    source: String,
}

impl Layout {
    /// A report directory that stores: one report on a source sent along.
    pub(crate) fn good(name: &str, bug_hash: &str) -> Self {
        let path = format!("/src/{name}.c");
        Self {
            plist: plist(&path, bug_hash, "core.DivideZero"),
            metadata: metadata(2),
            with_source: true,
            source_path: path,
            source: SOURCE.to_owned(),
        }
    }

    fn zip(&self) -> Vec<u8> {
        self.zip_with(&[])
    }

    /// The upload's ZIP, with `extra` entries added.
    pub(crate) fn zip_with(&self, extra: &[(&str, &[u8])]) -> Vec<u8> {
        let hashes = json!({ self.source_path.as_str(): sha256(&self.source) }).to_string();
        let root = format!("root{}", self.source_path);
        let mut entries: Vec<(&str, &[u8])> = vec![
            (
                "reports/d41d8cd98f00b204e9800998ecf8427e/metadata.json",
                self.metadata.as_bytes(),
            ),
            (
                "reports/d41d8cd98f00b204e9800998ecf8427e/unit.c_clangsa.plist",
                self.plist.as_bytes(),
            ),
            ("content_hashes.json", hashes.as_bytes()),
        ];
        if self.with_source {
            entries.push((root.as_str(), self.source.as_bytes()));
        }
        entries.extend_from_slice(extra);
        zip_of(&entries)
    }
}

/// A ZIP whose one entry inflates to `real` bytes of zeros while its headers
/// declare `declared` (ZIP64 when above 4 GiB). The deflate data repeats one
/// fully flushed block, so it is small to build and to send.
fn zip_bomb(real_gib: u64, declared: u64) -> Vec<u8> {
    let mib = vec![0u8; 1 << 20];
    let mut deflate = flate2::Compress::new(flate2::Compression::best(), false);
    let mut segment = Vec::with_capacity(1 << 16);
    deflate
        .compress_vec(&mib, &mut segment, flate2::FlushCompress::Full)
        .expect("deflate");
    let mut tail = Vec::with_capacity(64);
    deflate
        .compress_vec(&[], &mut tail, flate2::FlushCompress::Finish)
        .expect("deflate");
    let mut data = Vec::with_capacity(segment.len() * (real_gib as usize) * 1024 + tail.len());
    for _ in 0..real_gib * 1024 {
        data.extend_from_slice(&segment);
    }
    data.extend_from_slice(&tail);
    let name = b"root/huge.c";
    let zip64 = declared > u32::MAX as u64;
    let (c32, u32_) = if zip64 {
        (u32::MAX, u32::MAX)
    } else {
        (data.len() as u32, declared as u32)
    };
    let mut extra = Vec::new();
    if zip64 {
        extra.extend_from_slice(&1u16.to_le_bytes());
        extra.extend_from_slice(&16u16.to_le_bytes());
        extra.extend_from_slice(&declared.to_le_bytes());
        extra.extend_from_slice(&(data.len() as u64).to_le_bytes());
    }
    let mut out = Vec::new();
    // Local file header.
    out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0x21u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&c32.to_le_bytes());
    out.extend_from_slice(&u32_.to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(extra.len() as u16).to_le_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(&extra);
    out.extend_from_slice(&data);
    let cd_offset = out.len() as u32;
    // Central directory header.
    out.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&45u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&8u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0x21u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&c32.to_le_bytes());
    out.extend_from_slice(&u32_.to_le_bytes());
    out.extend_from_slice(&(name.len() as u16).to_le_bytes());
    out.extend_from_slice(&(extra.len() as u16).to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(name);
    out.extend_from_slice(&extra);
    let cd_size = out.len() as u32 - cd_offset;
    // End of central directory.
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&cd_size.to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

/// The product's `CodeCheckerService`, through the real Python client.
struct Product {
    py: PyApi,
    url: String,
}

impl Product {
    fn new(server: &Server) -> Self {
        Self {
            py: PyApi::new(Venv::Current),
            url: format!("{}/Default/v6.74/CodeCheckerService", server.url()),
        }
    }

    fn call(&mut self, method: &str, args: Value) -> Reply {
        let url = self.url.clone();
        self.py.call(&url, "CodeCheckerService", method, args)
    }

    fn store_async(&mut self, blob: &str, run: &str) -> Reply {
        self.call(
            "massStoreRunAsynchronous",
            json!([blob, {"runName": run, "version": "6.29.1", "force": false}]),
        )
    }

    /// Everything a store could change, to tell that nothing did.
    fn snapshot(&mut self) -> Value {
        let runs = self.call("getRunData", json!([null, 500, 0, null])).ok();
        let reports = self.call("getRunResultCount", json!([null, {}, null])).ok();
        let history = self.call("getRunHistoryCount", json!([null, null])).ok();
        let mut runs = runs;
        for run in runs.as_array_mut().into_iter().flatten() {
            if let Some(obj) = run.as_object_mut() {
                obj.remove("runDate");
            }
        }
        json!({"runs": runs, "reports": reports, "history": history})
    }
}

/// The folders of uploads in flight (none should be left behind).
fn task_folders(server: &Server) -> Vec<String> {
    std::fs::read_dir(server.workspace().join("tasks"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn refused_uploads_say_why_and_change_nothing() {
    let server = store_server().arg("--store-hold-secs").arg("0").start();
    let mut product = Product::new(&server);
    // Something to keep: one good store first.
    let mut tasks = TaskApi::new(&server.url());
    let token = product
        .store_async(&upload(&Layout::good("keep", "aa11").zip()), "kept")
        .ok();
    let info = tasks.wait_terminal(token.as_str().unwrap_or_default(), Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    let before = product.snapshot();

    let good = Layout::good("a", "bb22").zip();
    let truncated = upload(&good[..good.len() / 2]);
    let traversal = upload(&zip_of(&[("../../etc/passwd", b"root:x:0:0")]));
    let absolute = upload(&zip_of(&[("/etc/passwd", b"root:x:0:0")]));
    let symlink = {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        w.add_symlink("root/link", "/etc/passwd", SimpleFileOptions::default())
            .expect("symlink entry");
        upload(&w.finish().expect("zip").into_inner())
    };
    let bomb = upload(&zip_bomb(10, 10 << 30));
    let lying_bomb = upload(&zip_bomb(10, 1024));
    assert!(
        bomb.len() < 64 << 10,
        "the bomb upload is {} bytes",
        bomb.len()
    );
    let cases: Vec<(&str, String, &str)> = vec![
        ("empty", String::new(), "empty"),
        (
            "not base64",
            "this is *not* base64!".into(),
            "not valid base64",
        ),
        (
            "not zlib",
            b64(b"plain bytes, not a zlib stream"),
            "not zlib",
        ),
        (
            "not a ZIP",
            b64(&zlib(b"plain text inside zlib")),
            "not a valid ZIP",
        ),
        ("truncated ZIP", truncated, "not a valid ZIP"),
        (
            "ZIP without entries",
            upload(&zip_of::<&str, &[u8]>(&[])),
            "no report directory",
        ),
        (
            "ZIP without a report directory",
            upload(&zip_of(&[("root/tmp/a.c", b"int a;")])),
            "no report directory",
        ),
        ("path traversal", traversal, "'..'"),
        ("absolute path", absolute, "absolute"),
        ("symlink", symlink, "symbolic link"),
        ("10 GB bomb", bomb, "ZIP bomb"),
        ("10 GB bomb with a lying header", lying_bomb, "ZIP bomb"),
    ];
    for (what, blob, expected) in cases {
        let started = Instant::now();
        let reply = product.store_async(&blob, "refused");
        let (_, message) = match reply {
            Reply::RequestFailed { code, message } => (code, message),
            other => panic!("{what}: expected RequestFailed, got {other:?}"),
        };
        assert!(
            message.contains(expected),
            "{what}: the message does not say {expected:?}: {message}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{what}: refusing took {:?}",
            started.elapsed()
        );
        assert!(
            task_folders(&server).is_empty(),
            "{what}: upload folder left: {:?}",
            task_folders(&server)
        );
        assert_eq!(product.snapshot(), before, "{what}: the product changed");
    }
    // The legacy call refuses the same way.
    let reply = product.call(
        "massStoreRun",
        json!([
            "refused",
            null,
            "6.24.4",
            "not base64 at all!",
            false,
            null,
            null
        ]),
    );
    let (_, message) = reply.request_failed();
    assert!(message.contains("base64"), "{message}");
    assert_eq!(product.snapshot(), before);
}

#[test]
fn failing_stores_end_failed_with_reasons_and_change_nothing() {
    let server = store_server().arg("--store-hold-secs").arg("0").start();
    let mut product = Product::new(&server);
    let mut tasks = TaskApi::new(&server.url());
    let token = product
        .store_async(&upload(&Layout::good("keep", "cc33").zip()), "kept")
        .ok();
    let info = tasks.wait_terminal(token.as_str().unwrap_or_default(), Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");
    let before = product.snapshot();

    let mut not_xml = Layout::good("x", "dd44");
    not_xml.plist = "this is { not XML".into();
    // Content the server has never seen, and not in the upload either.
    let mut missing_file = Layout::good("y", "ee55");
    missing_file.source = format!("{SOURCE}/* only on the client */\n");
    missing_file.with_source = false;
    let mut bad_version = Layout::good("z", "ff66");
    bad_version.metadata = metadata(7);
    let cases = [
        ("plist not XML", not_xml, "unit.c_clangsa.plist"),
        (
            "report on a missing file",
            missing_file,
            "neither in the upload nor stored",
        ),
        ("unknown metadata.json version", bad_version, "version"),
    ];
    for (what, layout, expected) in cases {
        let blob = upload(&layout.zip());
        let token = product.store_async(&blob, "kept").ok();
        let token = token.as_str().unwrap_or_default().to_owned();
        let info = tasks.wait_terminal(&token, Duration::from_secs(60));
        assert_eq!(task_status(&info), status::FAILED, "{what}: {info}");
        let comments = task_comments(&info);
        assert!(
            comments.contains(expected),
            "{what}: comments do not say {expected:?}:\n{comments}"
        );
        assert_eq!(product.snapshot(), before, "{what}: the product changed");
        // The blocking call reports the same failure as RequestFailed.
        let reply = product.call(
            "massStoreRun",
            json!(["kept", null, "6.24.4", blob, false, null, null]),
        );
        let (_, message) = reply.request_failed();
        assert!(
            message.contains("massStoreRun()'s processing failed"),
            "{what}: {message}"
        );
        assert!(message.contains(expected), "{what}: {message}");
        assert_eq!(product.snapshot(), before, "{what}: the product changed");
    }
    // The worker removes a task's upload right after recording its end.
    support::wait_for(
        "the upload folders to go",
        Duration::from_secs(10),
        Duration::from_millis(50),
        || task_folders(&server).is_empty().then_some(()),
    );
}

#[test]
fn two_stores_to_one_run_at_once_both_complete() {
    let server = store_server().arg("--store-hold-secs").arg("0").start();
    let first = upload(&Layout::good("one", "1111").zip());
    let second = upload(&Layout::good("two", "2222").zip());
    let url = server.url();
    let threads: Vec<_> = [first, second]
        .into_iter()
        .map(|blob| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut py = PyApi::new(Venv::Current);
                let reply = py.call(
                    &format!("{url}/Default/v6.74/CodeCheckerService"),
                    "CodeCheckerService",
                    "massStoreRunAsynchronous",
                    json!([blob, {"runName": "shared", "version": "6.29.1"}]),
                );
                reply.ok().as_str().unwrap_or_default().to_owned()
            })
        })
        .collect();
    let tokens: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().expect("store thread"))
        .collect();
    let mut tasks = TaskApi::new(&url);
    for token in &tokens {
        let info = tasks.wait_terminal(token, Duration::from_secs(120));
        assert_eq!(
            task_status(&info),
            status::COMPLETED,
            "{info}\n{}",
            server.log()
        );
    }
    let mut product = Product::new(&server);
    let history = product.call("getRunHistoryCount", json!([null, null])).ok();
    assert_eq!(history, json!(2));
    // The later store decides: its report is new, the other one resolved.
    let runs = product.call("getRunData", json!([null, 10, 0, null])).ok();
    assert_eq!(runs.as_array().map(Vec::len), Some(1), "{runs}");
    let count = product
        .call("getRunResultCount", json!([null, {}, null]))
        .ok();
    assert_eq!(count, json!(2));
}

#[test]
fn product_limits_refuse_runs_and_reports_beyond_them() {
    let server = store_server().arg("--store-hold-secs").arg("0").start();
    let mut product = Product::new(&server);
    let mut tasks = TaskApi::new(&server.url());
    let token = product
        .store_async(&upload(&Layout::good("keep", "7777").zip()), "kept")
        .ok();
    let info = tasks.wait_terminal(token.as_str().unwrap_or_default(), Duration::from_secs(60));
    assert_eq!(task_status(&info), status::COMPLETED, "{info}");

    // At most one run and one report per store.
    let products_url = format!("{}/v6.74/Products", server.url());
    let mut py = PyApi::new(Venv::Current);
    let mut config = py
        .call(
            &products_url,
            "Products",
            "getProductConfiguration",
            json!([1]),
        )
        .ok();
    config["runLimit"] = json!(1);
    config["reportLimit"] = json!(1);
    let edited = py.call(&products_url, "Products", "editProduct", json!([1, config]));
    assert_eq!(edited.ok(), json!(true));
    let before = product.snapshot();

    let (_, message) = product
        .store_async(&upload(&Layout::good("b", "8888").zip()), "second run")
        .request_failed();
    assert!(
        message.contains("You reached the maximum number of allowed runs (1/1)!"),
        "{message}"
    );

    // Two reports into the existing run: over the report limit.
    let two = {
        let first = Layout::good("c", "9999");
        let second = plist("/src/c.c", "aaaa", "core.NullDereference");
        let hashes = json!({ "/src/c.c": sha256(SOURCE) }).to_string();
        zip_of(&[
            ("reports/x/metadata.json", first.metadata.as_bytes()),
            ("reports/x/one.plist", first.plist.as_bytes()),
            ("reports/x/two.plist", second.as_bytes()),
            ("root/src/c.c", SOURCE.as_bytes()),
            ("content_hashes.json", hashes.as_bytes()),
        ])
    };
    let token = product.store_async(&upload(&two), "kept").ok();
    let info = tasks.wait_terminal(token.as_str().unwrap_or_default(), Duration::from_secs(60));
    assert_eq!(task_status(&info), status::FAILED, "{info}");
    assert!(
        task_comments(&info).contains("Report Limit Exceeded"),
        "{info}"
    );
    assert_eq!(product.snapshot(), before);
}
