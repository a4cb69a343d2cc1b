//! The folder an upload unpacks to, as CodeChecker's `store` client builds it:
//!
//! * `reports/<dir-hash>/`: one folder per report directory with the unique
//!   reports as plists, `metadata.json`, `skip_file`, `review_status.yaml`
//!   and `conf/`;
//! * `root/<absolute path>`: the sources the server asked for (or that carry
//!   review comments);
//! * `blame/<absolute path>`: `git blame` data of the sources;
//! * `content_hashes.json`: every source path the reports name → SHA-256.

use std::path::{Path, PathBuf};

use ccreport::metadata::OrderedMap;

use super::StoreError;

/// The unpacked upload.
#[derive(Debug, Clone)]
pub struct Layout {
    dir: PathBuf,
}

/// One report directory of the upload.
#[derive(Debug, Clone, Default)]
pub struct ReportDir {
    /// The folder.
    pub path: PathBuf,
    /// Its plist files, sorted.
    pub plists: Vec<PathBuf>,
}

impl ReportDir {
    /// A file of the folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Layout {
    /// The layout of `dir`.
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
        }
    }

    /// Source path → content hash, in the file's order (empty when missing).
    pub fn content_hashes(&self) -> Result<Vec<(String, String)>, StoreError> {
        let path = self.dir.join("content_hashes.json");
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(StoreError::io("reading content_hashes.json", e)),
        };
        let map: OrderedMap<String> = serde_json::from_slice(&bytes).map_err(|e| {
            StoreError::Input(format!(
                "content_hashes.json of the upload is not a JSON object of path → hash: {e}"
            ))
        })?;
        Ok(map.0)
    }

    /// Where the uploaded content of source `original` would be.
    pub fn source(&self, original: &str) -> PathBuf {
        below(&self.dir.join("root"), original)
    }

    /// Where the blame data of source `original` would be.
    pub fn blame(&self, original: &str) -> PathBuf {
        below(&self.dir.join("blame"), original)
    }

    /// Every folder under `reports/` (itself included), with its plists;
    /// folders in sorted order.
    pub fn report_dirs(&self) -> Result<Vec<ReportDir>, StoreError> {
        let top = self.dir.join("reports");
        let mut out = Vec::new();
        if !top.is_dir() {
            return Ok(out);
        }
        let mut stack = vec![top];
        while let Some(dir) = stack.pop() {
            let mut plists = Vec::new();
            let mut subdirs = Vec::new();
            let entries = std::fs::read_dir(&dir)
                .map_err(|e| StoreError::io(&format!("listing {}", dir.display()), e))?;
            for entry in entries {
                let entry = entry.map_err(|e| StoreError::io("listing the upload", e))?;
                let kind = entry
                    .file_type()
                    .map_err(|e| StoreError::io("listing the upload", e))?;
                let path = entry.path();
                if kind.is_dir() {
                    subdirs.push(path);
                } else if kind.is_file() && path.extension().is_some_and(|e| e == "plist") {
                    plists.push(path);
                }
            }
            plists.sort();
            subdirs.sort();
            // `conf/` holds configuration files, not reports.
            subdirs.retain(|d| d.file_name().is_none_or(|n| n != "conf"));
            stack.extend(subdirs.into_iter().rev());
            out.push(ReportDir { path: dir, plists });
        }
        Ok(out)
    }
}

/// `path` placed under `root` as if `root` were `/`; `..` cannot leave it.
fn below(root: &Path, path: &str) -> PathBuf {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    let mut out = root.to_path_buf();
    out.extend(parts);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_stay_below_the_root() {
        let l = Layout::new(Path::new("/t"));
        assert_eq!(l.source("/home/u/a.c"), PathBuf::from("/t/root/home/u/a.c"));
        assert_eq!(
            l.source("/../../etc/passwd"),
            PathBuf::from("/t/root/etc/passwd")
        );
        assert_eq!(l.blame("/x/./y.c"), PathBuf::from("/t/blame/x/y.c"));
    }
}
