//! The web UI: CodeChecker's bundle served by our server (from its default
//! place, no flag) as CodeChecker's server serves it.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::support::http::{Conn, Response};
use crate::support::python::Venv;

fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    Conn::open(addr, Duration::from_secs(30))
        .and_then(|mut c| c.request("GET", path, headers, b""))
        .unwrap_or_else(|e| panic!("GET {path} from {addr}: {e}"))
}

/// CodeChecker's bundle, as the venv installed it.
fn bundle() -> PathBuf {
    Venv::Current.root().join("share/codechecker/www")
}

/// The bundle's main script, e.g. `main.5850073c72be43055738.js`.
fn main_script() -> String {
    std::fs::read_dir(bundle())
        .expect("list the bundle")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("main.") && n.ends_with(".js"))
        .expect("a main.*.js in the bundle")
}

/// The first regular file under `dir`, depth first.
fn first_file(dir: &std::path::Path) -> Option<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    entries
        .into_iter()
        .find_map(|p| if p.is_file() { Some(p) } else { first_file(&p) })
}

/// The media type without parameters.
fn media_type(r: &Response) -> String {
    r.header("content-type")
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned()
}

const SECURITY: [&str; 8] = [
    "x-frame-options",
    "x-xss-protection",
    "x-content-type-options",
    "content-security-policy",
    "cross-origin-embedder-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "referrer-policy",
];

#[test]
fn the_web_ui_is_served_like_codecheckers() {
    let f = crate::fixture_or_skip!();
    let index = std::fs::read(bundle().join("index.html")).expect("index.html");
    let main = main_script();
    let image = first_file(&bundle().join("images"))
        .expect("an image in the bundle's images/")
        .strip_prefix(bundle().join("images"))
        .expect("inside images/")
        .display()
        .to_string();
    let paths = [
        "/".to_owned(),
        "/index.html".to_owned(),
        "/Default".to_owned(),
        "/Default/".to_owned(),
        "/Default/runs".to_owned(),
        "/Default/reports?run=clang&review-status=Unreviewed".to_owned(),
        "/login".to_owned(),
        format!("/{main}"),
        format!("/Default/{main}"),
        "/favicon.ico".to_owned(),
        format!("/images/{image}"),
        format!("/Default/images/{image}"),
        "/no/such/file.js".to_owned(),
        "/../../../etc/passwd".to_owned(),
    ];
    for path in &paths {
        let ours = get(f.ours.addr(), path, &[]);
        let theirs = get(f.theirs.addr(), path, &[]);
        assert_eq!(ours.status, 200, "GET {path}: {}", ours.status);
        assert_eq!(ours.status, theirs.status, "GET {path}");
        assert!(ours.body == theirs.body, "GET {path}: the bodies differ");
        assert_eq!(media_type(&ours), media_type(&theirs), "GET {path}");
        for name in SECURITY {
            assert_eq!(
                ours.header(name),
                theirs.header(name),
                "GET {path}: header {name}"
            );
        }
    }
    let app = get(f.ours.addr(), "/Default/runs", &[]);
    assert_eq!(app.body, index, "an app route answers index.html");
    assert_eq!(app.header("cache-control"), Some("no-cache"));

    // Hashed assets are cached for long, and compressed on request.
    let script = get(f.ours.addr(), &format!("/Default/{main}"), &[]);
    assert!(
        script
            .header("cache-control")
            .is_some_and(|v| v.contains("immutable")),
        "{:?}",
        script.headers
    );
    let gzipped = get(
        f.ours.addr(),
        &format!("/{main}"),
        &[("Accept-Encoding", "gzip")],
    );
    assert_eq!(gzipped.header("content-encoding"), Some("gzip"));
    let mut plain = Vec::new();
    flate2::read::GzDecoder::new(gzipped.body.as_slice())
        .read_to_end(&mut plain)
        .expect("gunzip");
    assert_eq!(plain, script.body, "the gzipped script is the script");
    assert!(gzipped.body.len() < script.body.len() / 2);

    // Folders are not listed (CodeChecker's server lists them): the app.
    for folder in ["/images/", "/Default/images/"] {
        let r = get(f.ours.addr(), folder, &[]);
        assert_eq!((r.status, &r.body), (200, &index), "GET {folder}");
    }

    // Thrift answers carry the same security headers.
    let call = crate::support::http::thrift_call("getPackageVersion", 1, "{}");
    let reply = crate::support::http::post_thrift(
        f.ours.addr(),
        "/v6.74/ServerInfo",
        &call,
        Duration::from_secs(10),
    )
    .expect("getPackageVersion");
    for name in SECURITY {
        assert!(reply.header(name).is_some(), "POST: no {name}");
    }
}

#[test]
fn without_a_bundle_the_root_says_how_to_get_one() {
    let empty_cache = tempfile::tempdir().expect("temp dir");
    let cache = empty_cache.path().display().to_string();
    let server = crate::support::server::ServerBuilder::new()
        .env("XDG_CACHE_HOME", &cache)
        .start();
    for path in ["/", "/Default/runs"] {
        let r = get(server.addr(), path, &[]);
        assert_eq!(r.status, 404, "GET {path}");
        assert!(
            r.text().contains("tools/fetch-www.sh") && r.text().contains("--www-root"),
            "GET {path}: {}",
            r.text()
        );
    }
    // The API and the probes work without it.
    assert_eq!(get(server.addr(), "/live", &[]).status, 200);
}
