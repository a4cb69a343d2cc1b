//! Checker labels (severity, profile, guideline, ...) in CodeChecker's label
//! file format: a folder with `analyzers/<analyzer>.json`, each
//! `{"analyzer": NAME, "labels": {CHECKER: ["key:value", ...]}}`.
//!
//! The server needs them for the severity of stored checkers and for
//! `getCheckerLabels`. Point `--checker-labels` at CodeChecker's
//! `share/codechecker/config/labels` (or your own files); without it every
//! checker's severity is `UNSPECIFIED`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::RwLock;

use ccreport::metadata::OrderedMap;
use productdb::Severity;

/// Why the label folder could not be read.
#[derive(Debug, thiserror::Error)]
pub enum LabelsError {
    /// A file or folder could not be read.
    #[error("cannot read checker labels from {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A label file is not in the expected format.
    #[error("invalid checker label file {path}: {message}")]
    Format {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

#[derive(serde::Deserialize)]
struct LabelFile {
    analyzer: String,
    labels: OrderedMap<Vec<String>>,
}

/// The labels of one analyzer's checkers, in file order.
#[derive(Debug, Clone, Default)]
struct AnalyzerLabels {
    analyzer: String,
    checkers: Vec<(String, Vec<(String, String)>)>,
    /// Checker name → index into `checkers`.
    index: HashMap<String, usize>,
}

impl AnalyzerLabels {
    /// The checker's own labels, or those of the first listed checker name
    /// that is a prefix of it (`clang-diagnostic` covers
    /// `clang-diagnostic-unused-value`).
    fn of(&self, checker: &str) -> Option<&[(String, String)]> {
        let found = match self.index.get(checker) {
            Some(&i) => self.checkers.get(i),
            None => self
                .checkers
                .iter()
                .find(|(name, _)| checker.starts_with(name.as_str())),
        };
        found.map(|(_, labels)| labels.as_slice())
    }
}

/// Every analyzer's checker labels.
#[derive(Debug, Default)]
pub struct CheckerLabels {
    analyzers: Vec<AnalyzerLabels>,
    /// Severities already looked up (a store asks once per report).
    severities: RwLock<HashMap<String, Severity>>,
}

impl CheckerLabels {
    /// No labels at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Reads `<dir>/analyzers/*.json`.
    pub fn load(dir: &Path) -> Result<Self, LabelsError> {
        let folder = dir.join("analyzers");
        let io = |path: &Path, source| LabelsError::Io {
            path: path.display().to_string(),
            source,
        };
        let mut names: Vec<_> = std::fs::read_dir(&folder)
            .map_err(|e| io(&folder, e))?
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        names.sort();
        let mut analyzers = Vec::with_capacity(names.len());
        for path in names {
            let text = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let file: LabelFile =
                serde_json::from_slice(&text).map_err(|e| LabelsError::Format {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            let checkers: Vec<(String, Vec<(String, String)>)> = file
                .labels
                .0
                .into_iter()
                .map(|(checker, labels)| (checker, labels.iter().map(|l| split_label(l)).collect()))
                .collect();
            let mut index = HashMap::with_capacity(checkers.len());
            for (i, (name, _)) in checkers.iter().enumerate() {
                index.entry(name.clone()).or_insert(i);
            }
            analyzers.push(AnalyzerLabels {
                analyzer: file.analyzer,
                checkers,
                index,
            });
        }
        Ok(Self {
            analyzers,
            severities: RwLock::default(),
        })
    }

    /// The `key:value` labels of `checker`, of `analyzer`'s files only when
    /// given, each once, in file order.
    pub fn labels_of(&self, checker: &str, analyzer: Option<&str>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        for a in &self.analyzers {
            if analyzer.is_some_and(|name| name != a.analyzer) {
                continue;
            }
            for label in a.of(checker).unwrap_or_default() {
                if !out.contains(label) {
                    out.push(label.clone());
                }
            }
        }
        out
    }

    /// The severity label of `checker` over every analyzer.
    pub fn severity(&self, checker: &str) -> Severity {
        if let Some(known) = self
            .severities
            .read()
            .ok()
            .and_then(|cache| cache.get(checker).copied())
        {
            return known;
        }
        let severity = self
            .labels_of(checker, None)
            .iter()
            .find(|(key, _)| key == "severity")
            .map_or(Severity::Unspecified, |(_, value)| {
                Severity::from_label(value)
            });
        if let Ok(mut cache) = self.severities.write() {
            cache.insert(checker.to_owned(), severity);
        }
        severity
    }
}

/// Splits `key:value` at the first colon (a label without one is all key).
fn split_label(label: &str) -> (String, String) {
    match label.split_once(':') {
        Some((k, v)) => (k.trim().to_owned(), v.trim().to_owned()),
        None => (label.trim().to_owned(), String::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_and_prefixes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("analyzers")).unwrap();
        std::fs::write(
            dir.path().join("analyzers/clang-tidy.json"),
            r#"{"analyzer": "clang-tidy", "labels": {
                "bugprone-use-after-move": ["severity:HIGH", "profile:default"],
                "clang-diagnostic": ["severity:MEDIUM"]}}"#,
        )
        .unwrap();
        let labels = CheckerLabels::load(dir.path()).unwrap();
        assert_eq!(labels.severity("bugprone-use-after-move"), Severity::High);
        assert_eq!(labels.severity("clang-diagnostic-unused"), Severity::Medium);
        assert_eq!(
            labels.severity("core.NullDereference"),
            Severity::Unspecified
        );
        assert_eq!(
            labels.labels_of("bugprone-use-after-move", Some("clang-tidy")),
            vec![
                ("severity".to_owned(), "HIGH".to_owned()),
                ("profile".to_owned(), "default".to_owned())
            ]
        );
        assert!(labels
            .labels_of("bugprone-use-after-move", Some("clangsa"))
            .is_empty());
    }
}
