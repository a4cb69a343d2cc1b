//! `metadata.json` written by `CodeChecker analyze`.
//!
//! Version 2 (`{"version": 2, "tools": [...]}`) is read as is; version 1
//! (no `version` key) is converted to the version 2 shape the way
//! CodeChecker's client does. [`Metadata::info`] then derives what the
//! server takes from it (enabled/disabled checkers, analyzer commands,
//! durations, statistics).

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A rejected `metadata.json`.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Not JSON, or a field CodeChecker relies on has the wrong type.
    #[error("invalid metadata.json: {0}")]
    Json(#[from] serde_json::Error),
    /// Neither version 1 nor 2.
    #[error("unsupported metadata.json version {0}")]
    UnknownVersion(String),
    /// The top level is not an object.
    #[error("invalid metadata.json: the top level must be an object")]
    NotAnObject,
}

/// A JSON object with its keys in document order (later duplicates replace
/// earlier values, as in Python).
#[derive(Debug, Clone, PartialEq)]
pub struct OrderedMap<V>(pub Vec<(String, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<V> OrderedMap<V> {
    /// The value under `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Inserts or replaces in place.
    pub fn insert(&mut self, key: String, value: V) {
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Entries in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.as_str())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V2<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = OrderedMap::default();
                while let Some((k, v)) = map.next_entry::<String, V>()? {
                    out.insert(k, v);
                }
                Ok(out)
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

/// A value of type `T`, or anything else.
#[derive(Deserialize)]
#[serde(untagged)]
enum Maybe<T> {
    Yes(T),
    No(IgnoredAny),
}

/// Deserializes `T`, or `None` when the value has another type (for fields
/// CodeChecker only displays).
fn lenient<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    Ok(match Maybe::<T>::deserialize(d)? {
        Maybe::Yes(t) => Some(t),
        Maybe::No(_) => None,
    })
}

/// Python truthiness of a JSON value.
fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Deserializes a checker → enabled map whose values are judged by Python
/// truthiness.
fn checker_flags<'de, D: Deserializer<'de>>(d: D) -> Result<OrderedMap<bool>, D::Error> {
    let raw = OrderedMap::<Value>::deserialize(d)?;
    Ok(OrderedMap(
        raw.0.into_iter().map(|(k, v)| (k, truthy(&v))).collect(),
    ))
}

/// Analysis start and end (seconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Timestamps {
    /// Start.
    pub begin: f64,
    /// End.
    pub end: f64,
}

/// Per-analyzer success/failure counts.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AnalyzerStatistics {
    /// Failed translation units.
    #[serde(default)]
    pub failed: Option<i64>,
    /// Sources that failed.
    #[serde(default)]
    pub failed_sources: Option<Vec<String>>,
    /// Successful translation units.
    #[serde(default)]
    pub successful: Option<i64>,
    /// Sources analysed successfully (CodeChecker 6.16+).
    #[serde(default)]
    pub successful_sources: Option<Vec<String>>,
    /// Analyzer version string.
    #[serde(default)]
    pub version: Option<String>,
}

impl AnalyzerStatistics {
    fn is_empty(&self) -> bool {
        *self == AnalyzerStatistics::default()
    }
}

/// One analyzer of a tool.
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct AnalyzerInfo {
    /// Checker name → enabled.
    #[serde(default, deserialize_with = "checker_flags")]
    pub checkers: OrderedMap<bool>,
    /// Statistics.
    #[serde(default)]
    pub analyzer_statistics: Option<AnalyzerStatistics>,
}

/// One tool run (`CodeChecker analyze`, or a converted report).
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Tool {
    /// `codechecker` for CodeChecker's own analysis.
    pub name: String,
    /// CodeChecker version.
    #[serde(default)]
    pub version: Option<String>,
    /// The command line.
    #[serde(default)]
    pub command: Option<Vec<String>>,
    /// Working directory of the analysis.
    #[serde(default, deserialize_with = "lenient")]
    pub working_directory: Option<String>,
    /// Output directory of the analysis.
    #[serde(default, deserialize_with = "lenient")]
    pub output_path: Option<String>,
    /// Run name given at analysis (`--name`).
    #[serde(default, deserialize_with = "lenient")]
    pub run_name: Option<String>,
    /// Number of build actions.
    #[serde(default, deserialize_with = "lenient")]
    pub action_num: Option<i64>,
    /// Number of skipped sources.
    #[serde(default, deserialize_with = "lenient")]
    pub skipped: Option<i64>,
    /// Analysis start and end.
    #[serde(default)]
    pub timestamps: Option<Timestamps>,
    /// Result file → analysed source file.
    #[serde(default, deserialize_with = "lenient")]
    pub result_source_files: Option<OrderedMap<String>>,
    /// Analyzer name → checkers and statistics.
    #[serde(default)]
    pub analyzers: Option<OrderedMap<AnalyzerInfo>>,
    /// Checkers of a tool without `analyzers` (keyed by the tool name).
    #[serde(default, deserialize_with = "opt_checker_flags")]
    pub checkers: Option<OrderedMap<bool>>,
    /// Statistics of a tool without `analyzers`.
    #[serde(default)]
    pub analyzer_statistics: Option<AnalyzerStatistics>,
}

fn opt_checker_flags<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<OrderedMap<bool>>, D::Error> {
    checker_flags(d).map(Some)
}

/// Which format the file was in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetadataVersion {
    /// No `version` key (CodeChecker before 6.8 or so).
    V1,
    /// `"version": 2`.
    V2,
}

/// A `metadata.json`, always in the version 2 shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    /// The format the file was in.
    pub version: MetadataVersion,
    /// Set when CodeChecker merged several report directories.
    pub num_of_report_dir: Option<i64>,
    /// Tool runs.
    pub tools: Vec<Tool>,
}

#[derive(Deserialize)]
struct RawV2 {
    #[serde(default)]
    tools: Vec<Tool>,
    #[serde(default, deserialize_with = "lenient")]
    num_of_report_dir: Option<i64>,
}

#[derive(Deserialize, Default)]
struct RawVersions {
    #[serde(default)]
    codechecker: Option<String>,
}

#[derive(Deserialize)]
struct RawV1 {
    #[serde(default)]
    command: Option<Vec<String>>,
    #[serde(default)]
    timestamps: Option<Timestamps>,
    #[serde(default)]
    versions: Option<RawVersions>,
    #[serde(default)]
    checkers: OrderedMap<V1Checkers>,
    #[serde(default)]
    analyzer_statistics: OrderedMap<AnalyzerStatistics>,
    #[serde(default, deserialize_with = "lenient")]
    name: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    output_path: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    working_directory: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    skipped: Option<i64>,
    #[serde(default, deserialize_with = "lenient")]
    result_source_files: Option<OrderedMap<String>>,
}

/// Version 1 checkers of an analyzer: a list of enabled names (2017-2020)
/// or a name → enabled map.
#[derive(Deserialize)]
#[serde(untagged)]
enum V1Checkers {
    List(Vec<String>),
    Map(OrderedMap<Value>),
}

impl V1Checkers {
    fn flags(self) -> OrderedMap<bool> {
        let mut out = OrderedMap::default();
        match self {
            V1Checkers::List(names) => names.into_iter().for_each(|n| out.insert(n, true)),
            V1Checkers::Map(m) => m.0.into_iter().for_each(|(k, v)| out.insert(k, truthy(&v))),
        }
        out
    }
}

impl Metadata {
    /// Parses `metadata.json` bytes (UTF-8, invalid bytes dropped).
    pub fn parse(content: &[u8]) -> Result<Self, MetadataError> {
        let text = crate::python_text::decode_utf8_ignore(content);
        let value: Value = serde_json::from_str(&text)?;
        let Value::Object(obj) = &value else {
            return Err(MetadataError::NotAnObject);
        };
        // Deserialize from the text again: `Value` does not keep key order.
        match obj.get("version") {
            None => Self::from_v1(serde_json::from_str(&text)?),
            Some(v) if v.as_f64() == Some(2.0) => {
                let raw: RawV2 = serde_json::from_str(&text)?;
                Ok(Metadata {
                    version: MetadataVersion::V2,
                    num_of_report_dir: raw.num_of_report_dir,
                    tools: raw.tools,
                })
            }
            Some(other) => Err(MetadataError::UnknownVersion(other.to_string())),
        }
    }

    fn from_v1(raw: RawV1) -> Result<Self, MetadataError> {
        let mut analyzers = OrderedMap::default();
        // Document order, as the server reads version 1 files (the client's
        // own conversion would sort the analyzers).
        for (analyzer, checkers) in raw.checkers.0 {
            let stats = raw.analyzer_statistics.get(&analyzer).cloned();
            analyzers.insert(
                analyzer,
                AnalyzerInfo {
                    checkers: checkers.flags(),
                    analyzer_statistics: stats,
                },
            );
        }
        let tool = Tool {
            name: "codechecker".to_owned(),
            version: raw.versions.and_then(|v| v.codechecker),
            command: raw.command,
            working_directory: raw.working_directory,
            output_path: raw.output_path,
            run_name: raw.name,
            action_num: None,
            skipped: raw.skipped,
            timestamps: raw.timestamps,
            result_source_files: raw.result_source_files,
            analyzers: Some(analyzers),
            checkers: None,
            analyzer_statistics: None,
        };
        Ok(Metadata {
            version: MetadataVersion::V1,
            num_of_report_dir: None,
            tools: vec![tool],
        })
    }

    /// What the server derives from the file (`MetadataInfoParser`).
    pub fn info(&self) -> MetadataInfo {
        MetadataInfo::from_metadata(self)
    }

    /// The run name `CodeChecker store` would use when none is given: the
    /// last tool's `run_name` (v2) or `name` (v1).
    pub fn run_name(&self) -> Option<&str> {
        self.tools.last().and_then(|t| t.run_name.as_deref())
    }
}

/// Merged statistics of one analyzer.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MergedStatistics {
    /// Failed count.
    pub failed: i64,
    /// Distinct failed sources.
    pub failed_sources: Vec<String>,
    /// Successful count.
    pub successful: i64,
    /// Distinct successful sources, when recorded.
    pub successful_sources: Option<Vec<String>>,
    /// Versions joined by `"; "`.
    pub version: String,
}

/// The server's view of a `metadata.json`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MetadataInfo {
    /// CodeChecker versions joined by `"; "`.
    pub cc_version: Option<String>,
    /// Analysis commands (distinct, first seen first).
    pub check_commands: Vec<String>,
    /// `end - begin` of every tool with timestamps.
    pub check_durations: Vec<f64>,
    /// Analyzer → checker → enabled (empty when `num_of_report_dir` > 1).
    pub checkers: OrderedMap<OrderedMap<bool>>,
    /// Enabled checker names.
    pub enabled_checkers: BTreeSet<String>,
    /// Disabled checker names.
    pub disabled_checkers: BTreeSet<String>,
    /// Checker → analyzer (the last analyzer listing it).
    pub checker_to_analyzer: OrderedMap<String>,
    /// Analyzer names of `checkers`.
    pub analyzers: Vec<String>,
    /// Analyzer → statistics.
    pub analyzer_statistics: OrderedMap<MergedStatistics>,
}

fn merge_checkers(dest: &mut OrderedMap<OrderedMap<bool>>, analyzer: &str, src: &OrderedMap<bool>) {
    match dest.0.iter_mut().find(|(k, _)| k == analyzer) {
        Some((_, existing)) => {
            for (checker, enabled) in src.iter() {
                existing.insert(checker.to_owned(), *enabled);
            }
        }
        None => dest.insert(analyzer.to_owned(), src.clone()),
    }
}

fn merge_stats(
    dest: &mut OrderedMap<(MergedStatistics, BTreeSet<String>)>,
    analyzer: &str,
    src: &AnalyzerStatistics,
) {
    if src.is_empty() {
        return;
    }
    let version = src.version.clone().unwrap_or_default();
    match dest.0.iter_mut().find(|(k, _)| k == analyzer) {
        Some((_, (m, versions))) => {
            m.failed += src.failed.unwrap_or(0);
            m.failed_sources
                .extend(src.failed_sources.iter().flatten().cloned());
            m.successful += src.successful.unwrap_or(0);
            if let Some(s) = &mut m.successful_sources {
                s.extend(src.successful_sources.iter().flatten().cloned());
            }
            versions.insert(version);
        }
        None => dest.insert(
            analyzer.to_owned(),
            (
                MergedStatistics {
                    failed: src.failed.unwrap_or(0),
                    failed_sources: src.failed_sources.clone().unwrap_or_default(),
                    successful: src.successful.unwrap_or(0),
                    successful_sources: src.successful_sources.clone(),
                    version: String::new(),
                },
                BTreeSet::from([version]),
            ),
        ),
    }
}

fn dedup(items: &mut Vec<String>) {
    let mut seen = BTreeSet::new();
    items.retain(|s| seen.insert(s.clone()));
}

impl MetadataInfo {
    fn from_metadata(md: &Metadata) -> Self {
        let mut info = MetadataInfo::default();
        let mut cc_versions: BTreeSet<String> = BTreeSet::new();
        let mut stats: OrderedMap<(MergedStatistics, BTreeSet<String>)> = OrderedMap::default();
        for tool in &md.tools {
            if tool.name == "codechecker" {
                if let Some(v) = &tool.version {
                    cc_versions.insert(v.clone());
                }
            }
            if let Some(cmd) = &tool.command {
                let joined = cmd.join(" ");
                if !info.check_commands.contains(&joined) {
                    info.check_commands.push(joined);
                }
            }
            if let Some(ts) = tool.timestamps {
                info.check_durations.push(ts.end - ts.begin);
            }
            match &tool.analyzers {
                Some(analyzers) => {
                    for (name, analyzer) in analyzers.iter() {
                        if let Some(s) = &analyzer.analyzer_statistics {
                            merge_stats(&mut stats, name, s);
                        }
                        merge_checkers(&mut info.checkers, name, &analyzer.checkers);
                    }
                }
                None => {
                    if let Some(s) = &tool.analyzer_statistics {
                        merge_stats(&mut stats, &tool.name, s);
                    }
                    let empty = OrderedMap::default();
                    let checkers = tool.checkers.as_ref().unwrap_or(&empty);
                    merge_checkers(&mut info.checkers, &tool.name, checkers);
                }
            }
        }
        let v2 = md.version == MetadataVersion::V2;
        for (name, (mut merged, versions)) in stats.0 {
            if v2 {
                dedup(&mut merged.failed_sources);
                merged.failed = i64::try_from(merged.failed_sources.len()).unwrap_or(i64::MAX);
                if let Some(s) = &mut merged.successful_sources {
                    dedup(s);
                    merged.successful = i64::try_from(s.len()).unwrap_or(i64::MAX);
                }
            }
            merged.version = versions.into_iter().collect::<Vec<_>>().join("; ");
            info.analyzer_statistics.insert(name, merged);
        }
        if md.num_of_report_dir.unwrap_or(0) > 1 {
            info.checkers = OrderedMap::default();
        }
        info.cc_version = if cc_versions.is_empty() {
            None
        } else {
            Some(cc_versions.into_iter().collect::<Vec<_>>().join("; "))
        };
        for (analyzer, checkers) in info.checkers.iter() {
            for (checker, enabled) in checkers.iter() {
                info.checker_to_analyzer
                    .insert(checker.to_owned(), analyzer.to_owned());
                if *enabled {
                    info.enabled_checkers.insert(checker.to_owned());
                } else {
                    info.disabled_checkers.insert(checker.to_owned());
                }
            }
        }
        info.analyzers = info.checkers.keys().map(str::to_owned).collect();
        info
    }

    /// CodeChecker's `checker_is_unavailable`: not a `clang-diagnostic-*`
    /// checker, the enabled list is non-empty and lacks it.
    pub fn checker_is_unavailable(&self, checker: &str) -> bool {
        !checker.starts_with("clang-diagnostic-")
            && !self.enabled_checkers.is_empty()
            && !self.enabled_checkers.contains(checker)
    }
}
