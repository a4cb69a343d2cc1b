//! Helpers of the store tests: synthetic report directories
//! (`tests/tools/store_corpus.py`), comparing two servers' runs
//! (`tests/tools/compare_runs.py`), and our server set up for stores.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::python::{codechecker, Venv};
use super::server::ServerBuilder;

/// Our server, set up for store tests: two workers. No label flag: the
/// built-in checker labels give CodeChecker's severities.
pub fn store_server() -> ServerBuilder {
    ServerBuilder::new().workers(2)
}

/// A generated report directory.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The report directory (`CodeChecker store` input).
    pub dir: PathBuf,
    /// The sources' folder.
    pub src: PathBuf,
    /// The generator's summary (`reports`, `clangsa`, ...).
    pub summary: Value,
}

impl Corpus {
    /// Number of reports written.
    pub fn reports(&self) -> i64 {
        self.summary["reports"].as_i64().unwrap_or(-1)
    }

    /// The directory as a `&str` argument.
    pub fn arg(&self) -> String {
        self.dir.display().to_string()
    }
}

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    /// Source files.
    pub files: usize,
    /// Report slots per file.
    pub reports: usize,
    /// Seed of the identities.
    pub seed: u64,
    /// `base` or `evolved`.
    pub version: &'static str,
    /// Review comments in the sources.
    pub comments: bool,
    /// A `review_status.yaml` in the report directory.
    pub review_yaml: bool,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        Self {
            files: 6,
            reports: 8,
            seed: 1,
            version: "base",
            comments: false,
            review_yaml: false,
        }
    }
}

/// Generates `spec` into `out` with sources in `src`.
pub fn generate(spec: &CorpusSpec, out: &Path, src: &Path) -> Corpus {
    let script = super::repo_root().join("tests/tools/store_corpus.py");
    let mut cmd = Command::new(Venv::Current.python());
    cmd.arg(script)
        .arg("--out")
        .arg(out)
        .arg("--src")
        .arg(src)
        .args(["--files", &spec.files.to_string()])
        .args(["--reports", &spec.reports.to_string()])
        .args(["--seed", &spec.seed.to_string()])
        .args(["--version", spec.version]);
    if spec.comments {
        cmd.arg("--comments");
    }
    if spec.review_yaml {
        cmd.arg("--review-yaml");
    }
    let output = cmd.output().expect("run store_corpus.py");
    assert!(
        output.status.success(),
        "store_corpus.py failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).expect("corpus summary JSON");
    Corpus {
        dir: out.to_path_buf(),
        src: src.to_path_buf(),
        summary,
    }
}

/// The outcome of [`compare`].
#[derive(Debug)]
pub struct Comparison {
    /// Both servers returned the same.
    pub equal: bool,
    /// The helper's summary and the first differences.
    pub text: String,
    /// Reports per run, `[a, b]`.
    pub summary: Value,
}

/// Compares `runs` on two product URLs with the 6.29.1 client.
pub fn compare(url_a: &str, url_b: &str, runs: &[&str]) -> Comparison {
    let script = super::repo_root().join("tests/tools/compare_runs.py");
    let output = Command::new(Venv::Current.python())
        .arg(script)
        .arg("--codechecker")
        .arg(Venv::Current.codechecker())
        .arg(url_a)
        .arg(url_b)
        .args(runs)
        .env("HOME", std::env::temp_dir())
        .output()
        .expect("run compare_runs.py");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_ne!(
        output.status.code(),
        Some(2),
        "compare_runs.py could not fetch the runs:\n{stdout}\n{stderr}"
    );
    let summary: Value = stdout
        .lines()
        .last()
        .and_then(|l| serde_json::from_str(l).ok())
        .unwrap_or(Value::Null);
    Comparison {
        equal: output.status.success() && summary["equal"] == Value::Bool(true),
        text: format!("{stdout}\n{stderr}"),
        summary,
    }
}

/// Every review status, as `cmd results --review-status` takes them.
pub const REVIEW_STATUSES: [&str; 4] = ["unreviewed", "confirmed", "false_positive", "intentional"];

/// Every detection status, as `cmd results --detection-status` takes them.
pub const DETECTION_STATUSES: [&str; 6] = [
    "new",
    "reopened",
    "unresolved",
    "resolved",
    "off",
    "unavailable",
];

/// `cmd results RUN -o json` at `product_url` with every review and
/// detection status (CodeChecker's own client).
pub fn all_results(product_url: &str, run: &str) -> Vec<Value> {
    let mut args = vec!["cmd", "results", run, "--url", product_url, "-o", "json"];
    args.push("--review-status");
    args.extend(REVIEW_STATUSES);
    args.push("--detection-status");
    args.extend(DETECTION_STATUSES);
    let out = codechecker(Venv::Current, &args, &[]);
    out.assert_success();
    out.json().as_array().cloned().unwrap_or_default()
}

/// What `CodeChecker store` sends for `zip`: base64 of its zlib stream
/// compressed at `level`.
pub fn upload_of_zip(zip: &[u8], level: flate2::Compression) -> String {
    use base64::Engine as _;
    use std::io::Write;
    let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), level);
    enc.write_all(zip).expect("compress");
    base64::engine::general_purpose::STANDARD.encode(enc.finish().expect("compress"))
}

/// A ZIP of `(name, content)` entries, stored uncompressed as the client
/// does.
pub fn zip_of<N: AsRef<str>, C: AsRef<[u8]>>(entries: &[(N, C)]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, content) in entries {
        w.start_file(name.as_ref(), opts).expect("zip entry");
        w.write_all(content.as_ref()).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}

/// The upload CodeChecker's client would send for `corpus` (all sources).
pub fn upload_of(corpus: &Corpus) -> String {
    use sha2::Digest;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for entry in std::fs::read_dir(&corpus.dir).expect("report dir") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".plist") || name == "metadata.json" {
            entries.push((
                format!("reports/d0/{name}"),
                std::fs::read(&path).expect("read"),
            ));
        }
    }
    let mut hashes = serde_json::Map::new();
    let mut todo = vec![corpus.src.clone()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("source dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
                continue;
            }
            let bytes = std::fs::read(&path).expect("source");
            let abs = path.display().to_string();
            hashes.insert(
                abs.clone(),
                json!(hex::encode(sha2::Sha256::digest(&bytes))),
            );
            entries.push((format!("root{abs}"), bytes));
        }
    }
    entries.push((
        "content_hashes.json".into(),
        serde_json::Value::Object(hashes).to_string().into_bytes(),
    ));
    // Fast: the upload is large and debug builds compress slowly.
    upload_of_zip(&zip_of(&entries), flate2::Compression::fast())
}
