//! Checker labels (severity, profile, guideline, ...) in CodeChecker's label
//! file format: a folder with `analyzers/<analyzer>.json`, each
//! `{"analyzer": NAME, "labels": {CHECKER: ["key:value", ...]}}`.
//!
//! The server needs them for the severity of stored checkers and for
//! `getCheckerLabels`. The labels CodeChecker publishes (every analyzer's
//! file of its `share/codechecker/config/labels`) are built into the binary:
//! `server/labels/checker_labels.json`, written by
//! `server/labels/generate.py` (`make labels`; `make labels-check` in
//! `make test` keeps it equal to the CodeChecker release it names). So a
//! server started without flags gives checkers CodeChecker's severities.
//!
//! `--checker-labels DIR` adds to and overrides the built-in table: an
//! analyzer of `DIR` unknown to the table is added; for a known one, each
//! checker listed in `DIR` replaces the built-in labels of that checker (in
//! its place) or, if new, is appended after the built-in checkers. That is
//! the table CodeChecker would use had its label file been updated with the
//! entries of `DIR`.
//!
//! Lookups follow CodeChecker's: a checker without an entry of its own takes
//! the labels of the first listed checker name (in file order) that is a
//! prefix of it (`clang-diagnostic` covers `clang-diagnostic-unused-value`).

use std::collections::HashMap;
use std::fmt;
use std::path::Path;
use std::sync::RwLock;

use productdb::Severity;
use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

/// The built-in table: CodeChecker's label files of the release it names.
const BUILTIN: &str = include_str!("../labels/checker_labels.json");

/// Why checker labels could not be read.
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

/// A JSON object's entries in document order, repeated keys included.
struct Entries<V>(Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(entry) = map.next_entry::<String, V>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

/// One analyzer's label file.
#[derive(serde::Deserialize)]
struct LabelFile {
    analyzer: String,
    labels: Entries<Vec<String>>,
}

/// The built-in table's layout (`server/labels/generate.py`).
#[derive(serde::Deserialize)]
struct BuiltinTable {
    /// The CodeChecker release the labels come from.
    codechecker: String,
    analyzers: Vec<LabelFile>,
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
    /// The analyzer of `file`. A checker listed twice keeps its first place
    /// and its last labels, as with CodeChecker's JSON loading.
    fn from_file(file: LabelFile) -> Self {
        let mut out = AnalyzerLabels {
            analyzer: file.analyzer,
            checkers: Vec::with_capacity(file.labels.0.len()),
            index: HashMap::with_capacity(file.labels.0.len()),
        };
        for (checker, labels) in file.labels.0 {
            out.set(checker, labels.iter().map(|l| split_label(l)).collect());
        }
        out
    }

    /// Gives `checker` `labels`: in its place if listed, else last.
    fn set(&mut self, checker: String, labels: Vec<(String, String)>) {
        match self
            .index
            .get(&checker)
            .and_then(|&i| self.checkers.get_mut(i))
        {
            Some(slot) => slot.1 = labels,
            None => {
                self.index.insert(checker.clone(), self.checkers.len());
                self.checkers.push((checker, labels));
            }
        }
    }

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
    /// The CodeChecker release of the built-in labels, when they are in.
    builtin_version: Option<String>,
    /// Severities already looked up (a store asks once per report).
    severities: RwLock<HashMap<String, Severity>>,
}

impl CheckerLabels {
    /// No labels at all.
    pub fn empty() -> Self {
        Self::default()
    }

    /// The labels built into the binary (CodeChecker's published ones).
    pub fn builtin() -> Result<Self, LabelsError> {
        let table: BuiltinTable =
            serde_json::from_str(BUILTIN).map_err(|e| LabelsError::Format {
                path: "<built-in checker_labels.json>".to_owned(),
                message: e.to_string(),
            })?;
        let mut out = Self::empty();
        for file in table.analyzers {
            out.add_analyzer(AnalyzerLabels::from_file(file));
        }
        out.builtin_version = Some(table.codechecker);
        Ok(out)
    }

    /// What the server uses: the built-in labels, with those of the label
    /// folder `dir` (`--checker-labels`) added and overriding.
    pub fn for_server(dir: Option<&Path>) -> Result<Self, LabelsError> {
        let mut out = Self::builtin()?;
        if let Some(dir) = dir {
            out.merge(Self::load(dir)?);
        }
        Ok(out)
    }

    /// Reads `<dir>/analyzers/*.json` only (files in name order).
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
        let mut out = Self::empty();
        for path in names {
            let text = std::fs::read(&path).map_err(|e| io(&path, e))?;
            let file: LabelFile =
                serde_json::from_slice(&text).map_err(|e| LabelsError::Format {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })?;
            out.merge_analyzer(AnalyzerLabels::from_file(file));
        }
        Ok(out)
    }

    /// Adds `other`'s analyzers and checkers to these, `other`'s labels
    /// replacing those of a checker both have (see the module documentation).
    pub fn merge(&mut self, other: CheckerLabels) {
        for analyzer in other.analyzers {
            self.merge_analyzer(analyzer);
        }
    }

    /// The CodeChecker release whose labels are built in, when they are in
    /// use.
    pub fn builtin_version(&self) -> Option<&str> {
        self.builtin_version.as_deref()
    }

    /// Number of checkers listed, over every analyzer.
    pub fn checker_count(&self) -> usize {
        self.analyzers.iter().map(|a| a.checkers.len()).sum()
    }

    fn add_analyzer(&mut self, analyzer: AnalyzerLabels) {
        self.analyzers.push(analyzer);
        self.forget_severities();
    }

    fn merge_analyzer(&mut self, analyzer: AnalyzerLabels) {
        match self
            .analyzers
            .iter_mut()
            .find(|a| a.analyzer == analyzer.analyzer)
        {
            Some(known) => {
                for (checker, labels) in analyzer.checkers {
                    known.set(checker, labels);
                }
                self.forget_severities();
            }
            None => self.add_analyzer(analyzer),
        }
    }

    fn forget_severities(&mut self) {
        if let Ok(cache) = self.severities.get_mut() {
            cache.clear();
        }
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

    /// The checkers listed with the label `key:value`, over every analyzer
    /// in table order (CodeChecker's `checkers_by_labels` of one label).
    pub fn checkers_with_label(&self, key: &str, value: &str) -> Vec<String> {
        self.analyzers
            .iter()
            .flat_map(|a| a.checkers.iter())
            .filter(|(_, labels)| labels.iter().any(|(k, v)| k == key && v == value))
            .map(|(checker, _)| checker.clone())
            .collect()
    }

    /// The severity label of `checker` over every analyzer (as CodeChecker's
    /// store decides it: by checker name alone).
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

    /// A label folder with the given `(file name, content)` label files.
    fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("analyzers")).unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join("analyzers").join(name), text).unwrap();
        }
        dir
    }

    fn pairs(labels: &[(&str, &str)]) -> Vec<(String, String)> {
        labels
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn severities_and_prefixes() {
        let dir = folder(&[(
            "clang-tidy.json",
            r#"{"analyzer": "clang-tidy", "labels": {
                "bugprone-use-after-move": ["severity:HIGH", "profile:default"],
                "clang-diagnostic": ["severity:MEDIUM"]}}"#,
        )]);
        let labels = CheckerLabels::load(dir.path()).unwrap();
        assert_eq!(labels.builtin_version(), None);
        assert_eq!(labels.severity("bugprone-use-after-move"), Severity::High);
        assert_eq!(labels.severity("clang-diagnostic-unused"), Severity::Medium);
        assert_eq!(
            labels.severity("core.NullDereference"),
            Severity::Unspecified
        );
        assert_eq!(
            labels.labels_of("bugprone-use-after-move", Some("clang-tidy")),
            pairs(&[("severity", "HIGH"), ("profile", "default")])
        );
        assert!(labels
            .labels_of("bugprone-use-after-move", Some("clangsa"))
            .is_empty());
    }

    #[test]
    fn a_repeated_checker_keeps_its_place_and_its_last_labels() {
        let dir = folder(&[(
            "x.json",
            r#"{"analyzer": "x", "labels": {
                "a": ["severity:LOW"], "ab": ["severity:HIGH"], "a": ["severity:STYLE"]}}"#,
        )]);
        let labels = CheckerLabels::load(dir.path()).unwrap();
        assert_eq!(labels.checker_count(), 2);
        assert_eq!(labels.severity("a"), Severity::Style);
        // `a` is still listed first, so it is the prefix `abc` takes.
        assert_eq!(labels.severity("abc"), Severity::Style);
    }

    #[test]
    fn builtin_labels_are_codecheckers() {
        let labels = CheckerLabels::builtin().unwrap();
        assert!(labels.builtin_version().is_some_and(|v| !v.is_empty()));
        assert!(labels.checker_count() > 3000, "{}", labels.checker_count());
        // One checker of each kind the fixtures analyse with, as
        // CodeChecker 6.29.1's label files have them.
        assert_eq!(labels.severity("core.NullDereference"), Severity::High);
        assert_eq!(labels.severity("deadcode.DeadStores"), Severity::Low);
        assert_eq!(labels.severity("bugprone-use-after-move"), Severity::High);
        assert_eq!(labels.severity("cppcheck-nullPointer"), Severity::High);
        assert_eq!(
            labels.severity("cppcheck-arrayIndexThenCheck"),
            Severity::Style
        );
        assert_eq!(
            labels.severity("gcc-analyzer-deref-before-check"),
            Severity::Medium
        );
        // Through the prefix `clang-diagnostic`.
        assert_eq!(
            labels.severity("clang-diagnostic-not-a-real-warning"),
            Severity::Medium
        );
        assert_eq!(labels.severity("no-such-checker"), Severity::Unspecified);
        let tidy = labels.labels_of("bugprone-use-after-move", Some("clang-tidy"));
        assert!(tidy.contains(&("profile".to_owned(), "default".to_owned())));
        assert!(labels
            .labels_of("bugprone-use-after-move", Some("clangsa"))
            .is_empty());
    }

    #[test]
    fn a_label_folder_adds_to_and_overrides_the_builtin_labels() {
        let dir = folder(&[
            (
                "clang-tidy.json",
                r#"{"analyzer": "clang-tidy", "labels": {
                    "bugprone-use-after-move": ["severity:LOW", "profile:mine"],
                    "clang-diagnostic": ["severity:CRITICAL"],
                    "clang-diag": ["severity:STYLE"],
                    "my-own-check": ["severity:HIGH"]}}"#,
            ),
            (
                "mytool.json",
                r#"{"analyzer": "mytool", "labels": {"mytool-leak": ["severity:CRITICAL"]}}"#,
            ),
        ]);
        let builtin = CheckerLabels::builtin().unwrap();
        let merged = CheckerLabels::for_server(Some(dir.path())).unwrap();
        assert_eq!(merged.builtin_version(), builtin.builtin_version());
        // 3 new checkers (2 in clang-tidy, 1 of the new analyzer).
        assert_eq!(merged.checker_count(), builtin.checker_count() + 3);

        // A checker of the folder: its labels replace the built-in ones.
        assert_eq!(merged.severity("bugprone-use-after-move"), Severity::Low);
        assert_eq!(
            merged.labels_of("bugprone-use-after-move", Some("clang-tidy")),
            pairs(&[("severity", "LOW"), ("profile", "mine")])
        );
        // An overridden prefix entry keeps its place: it still covers the
        // unlisted `clang-diagnostic-*`, before the appended `clang-diag`.
        assert_eq!(
            merged.severity("clang-diagnostic-not-a-real-warning"),
            Severity::Critical
        );
        // A listed `clang-diagnostic-*` checker keeps its own labels.
        assert_eq!(
            merged.severity("clang-diagnostic-unused-variable"),
            builtin.severity("clang-diagnostic-unused-variable")
        );
        assert_eq!(merged.severity("clang-diagxyz"), Severity::Style);
        // New checkers and analyzers are added.
        assert_eq!(merged.severity("my-own-check"), Severity::High);
        assert_eq!(merged.severity("mytool-leak"), Severity::Critical);
        assert_eq!(
            merged.labels_of("mytool-leak", Some("mytool")),
            pairs(&[("severity", "CRITICAL")])
        );
        // What the folder does not mention stays built in.
        for checker in [
            "core.NullDereference",
            "deadcode.DeadStores",
            "cppcheck-nullPointer",
            "misc-unused-parameters",
        ] {
            assert_eq!(merged.severity(checker), builtin.severity(checker));
            assert_eq!(
                merged.labels_of(checker, None),
                builtin.labels_of(checker, None)
            );
        }
    }

    #[test]
    fn without_a_folder_the_server_uses_the_builtin_labels() {
        let labels = CheckerLabels::for_server(None).unwrap();
        assert_eq!(
            labels.checker_count(),
            CheckerLabels::builtin().unwrap().checker_count()
        );
        assert!(CheckerLabels::for_server(Some(Path::new("/nonexistent/labels"))).is_err());
    }

    #[test]
    fn a_malformed_label_file_is_an_error() {
        let dir = folder(&[(
            "bad.json",
            r#"{"analyzer": "x", "labels": {"a": "severity:LOW"}}"#,
        )]);
        assert!(matches!(
            CheckerLabels::load(dir.path()),
            Err(LabelsError::Format { .. })
        ));
    }
}
