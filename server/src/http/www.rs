//! The web UI: CodeChecker's own static bundle, served as CodeChecker's
//! server serves it.
//!
//! * `/` and every path that names no file answer `index.html` (the UI
//!   routes with HTML5 history, so `/Default/runs` must load the app);
//! * a first path segment that looks like a product endpoint is dropped
//!   (`/Default/main.js` is `/main.js`), except the folder names the bundle
//!   itself uses (`images`, `docs`, …);
//! * folders are never listed (they answer `index.html` too);
//! * content hashed file names (`main.5850073c72be43055738.js`) may be cached
//!   for a year, `index.html` must be revalidated;
//! * gzip or brotli when the browser accepts them;
//! * no login is needed: the bundle holds no data (the API calls it makes
//!   are checked as usual).
//!
//! The bundle is not part of this repository: `tools/fetch-www.sh` fetches
//! it from CodeChecker's package on PyPI into [`default_root`].

use std::path::{Component, Path, PathBuf};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::Layer as _;
use tower::ServiceExt as _;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// The CodeChecker release whose web UI `tools/fetch-www.sh` fetches.
pub const BUNDLE_VERSION: &str = "6.29.1";

/// First path segments that are never product endpoints (CodeChecker's
/// list, plus its service names).
const NOT_PRODUCTS: [&str; 12] = [
    "index.html",
    "images",
    "docs",
    "live",
    "ready",
    "Authentication",
    "Products",
    "CodeCheckerService",
    "Configuration",
    "ServerInfo",
    "Tasks",
    "metrics",
];

/// Where `tools/fetch-www.sh` puts the bundle:
/// `$XDG_CACHE_HOME/codechecker-rs/www/<version>` (or under `~/.cache`),
/// if it holds an `index.html`.
pub fn default_root() -> Option<PathBuf> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))?;
    let root = cache.join("codechecker-rs/www").join(BUNDLE_VERSION);
    root.join("index.html").is_file().then_some(root)
}

/// Whether `segment` would be taken for a product endpoint by the UI's
/// router (letters, digits, `_` and `-`).
fn looks_like_product(segment: &str) -> bool {
    !segment.is_empty()
        && !NOT_PRODUCTS.contains(&segment)
        && segment
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The bundle file a request path asks for, relative to the root (`/` →
/// `index.html`, a product prefix dropped), or `None` when it names no
/// regular file of the bundle.
fn bundle_file(root: &Path, path: &str) -> Option<String> {
    let trimmed = path.trim_start_matches('/');
    let rest = match trimmed.split_once('/') {
        Some((first, rest)) if looks_like_product(first) => rest,
        None if looks_like_product(trimmed) => "",
        _ => trimmed,
    };
    let rest = rest.trim_start_matches('/');
    if rest.is_empty() {
        return None;
    }
    let relative = Path::new(rest);
    if !relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)))
    {
        return None;
    }
    root.join(relative).is_file().then(|| rest.to_owned())
}

/// Whether a file name carries a content hash (webpack's `name.<hex>.ext`
/// or `<32 hex>.png`): such a file never changes under its name.
fn is_hashed(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    name.split('.').any(|part| {
        part.len() >= 7 && part.len() <= 64 && part.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// Media types where CodeChecker's server (Python's `mimetypes`) names a
/// file type differently from `mime_guess`.
const MEDIA_TYPES: [(&str, &str); 1] = [(".ico", "image/vnd.microsoft.icon")];

/// Answers a `GET`/`HEAD` of `request` from the bundle at `root` (or, without
/// one, says how to get it).
pub async fn serve(root: Option<&Path>, request: Request) -> Response {
    let Some(root) = root else {
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            format!(
                "This server has no web UI bundle. Run `tools/fetch-www.sh` (or `make run`, \
                 which runs it) to fetch CodeChecker {BUNDLE_VERSION}'s UI from PyPI, or start \
                 the server with `--www-root DIR` (environment variable CC_WWW_ROOT) naming a \
                 folder with CodeChecker's `share/codechecker/www`.\n"
            ),
        )
            .into_response();
    };
    let file = bundle_file(root, request.uri().path()).unwrap_or_else(|| "index.html".into());
    let cache = if file == "index.html" {
        "no-cache"
    } else if is_hashed(&file) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    let (mut parts, _) = request.into_parts();
    parts.uri = match format!("/{file}").parse() {
        Ok(uri) => uri,
        Err(_) => return StatusCode::BAD_REQUEST.into_response(),
    };
    let request = Request::from_parts(parts, Body::empty());
    let service = CompressionLayer::new().layer(
        ServeDir::new(root)
            .append_index_html_on_directories(false)
            .call_fallback_on_method_not_allowed(false),
    );
    match service.oneshot(request).await {
        Ok(response) => {
            let mut response = response.map(Body::new);
            if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
                let headers = response.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
                if let Some((_, media)) = MEDIA_TYPES.iter().find(|(ext, _)| file.ends_with(ext)) {
                    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
                }
            }
            response
        }
        Err(err) => {
            tracing::warn!(error = %err, file, "web UI file could not be served");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// CodeChecker's security headers (after OWASP's Secure Headers Project),
/// set on every answer: nothing of this server may be framed, sniffed or
/// loaded cross-origin.
pub const SECURITY_HEADERS: [(&str, &str); 8] = [
    ("x-frame-options", "DENY"),
    ("x-xss-protection", "1; mode=block"),
    ("x-content-type-options", "nosniff"),
    (
        "content-security-policy",
        "default-src 'self'; style-src 'unsafe-inline' 'self'; script-src 'unsafe-inline' \
         'self'; form-action 'self'; frame-ancestors 'none'",
    ),
    ("cross-origin-embedder-policy", "require-corp"),
    ("cross-origin-opener-policy", "same-origin"),
    ("cross-origin-resource-policy", "same-origin"),
    ("referrer-policy", "no-referrer"),
];

/// Adds [`SECURITY_HEADERS`] to `response`.
pub fn add_security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn product_prefixes_are_dropped_and_unknown_paths_are_the_app() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::write(root.join("index.html"), "<html>").expect("write");
        std::fs::write(root.join("main.5850073c72be.js"), "js").expect("write");
        std::fs::create_dir(root.join("images")).expect("mkdir");
        std::fs::write(root.join("images/logo.png"), "png").expect("write");
        let file = |p: &str| bundle_file(root, p);
        assert_eq!(
            file("/main.5850073c72be.js").as_deref(),
            Some("main.5850073c72be.js")
        );
        assert_eq!(
            file("/Default/main.5850073c72be.js").as_deref(),
            Some("main.5850073c72be.js")
        );
        assert_eq!(file("/images/logo.png").as_deref(), Some("images/logo.png"));
        assert_eq!(
            file("/Default/images/logo.png").as_deref(),
            Some("images/logo.png")
        );
        for app in [
            "/",
            "/Default",
            "/Default/",
            "/Default/runs",
            "/images",
            "/images/",
            "/x/y/z",
        ] {
            assert_eq!(file(app), None, "{app}");
        }
        for escape in [
            "/../etc/passwd",
            "/Default/../../etc/passwd",
            "/images/../../x",
        ] {
            assert_eq!(file(escape), None, "{escape}");
        }
    }

    #[test]
    fn hashed_names_are_recognised() {
        assert!(is_hashed("main.5850073c72be43055738.js"));
        assert!(is_hashed("07c4c8ad1e67dd03142f8a3f10cf0c1d.png"));
        assert!(is_hashed("materialdesignicons-webfont.059ea00.woff"));
        assert!(!is_hashed("index.html"));
        assert!(!is_hashed("favicon.ico"));
        assert!(!is_hashed("browsersupport.js"));
    }
}
