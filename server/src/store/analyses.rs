//! What the `metadata.json` of each report directory contributes to a store:
//! analysis commands and checkers, CodeChecker versions, durations, analyzer
//! statistics, and which checkers were enabled or disabled.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use ccreport::Metadata;
use productdb::{AnalyzerStatistic, StoreAnalysis, StoreChecker};

use super::layout::ReportDir;
use super::StoreError;
use crate::labels::CheckerLabels;

/// The analysis view of one report directory.
#[derive(Debug, Clone, Default)]
pub struct DirAnalysis {
    /// Index into [`Analyses::analyses`], when the folder has a
    /// `metadata.json`.
    pub analysis: Option<usize>,
    /// Checker → analyzer, from the folder's `metadata.json`.
    pub checker_to_analyzer: HashMap<String, String>,
}

/// The merged view of every `metadata.json` of an upload.
#[derive(Debug, Clone, Default)]
pub struct Analyses {
    /// One entry per folder with a `metadata.json`.
    pub analyses: Vec<StoreAnalysis>,
    /// Per report directory, in the order given.
    pub dirs: Vec<DirAnalysis>,
    /// CodeChecker versions, joined by `"; "`.
    pub cc_version: Option<String>,
    /// Sum of the whole seconds of analysis of each folder.
    pub duration_secs: i64,
    /// Per-analyzer statistics.
    pub statistics: Vec<AnalyzerStatistic>,
    /// Checkers enabled anywhere.
    pub enabled: BTreeSet<String>,
    /// Checkers disabled anywhere.
    pub disabled: BTreeSet<String>,
}

#[derive(Default)]
struct StatAcc {
    versions: BTreeSet<String>,
    failed_sources: BTreeSet<String>,
    successful_sources: BTreeSet<String>,
    successful: i64,
}

/// Reads the `metadata.json` of every folder of `dirs`.
pub fn read(
    dirs: &[ReportDir],
    labels: &CheckerLabels,
    client_version: Option<&str>,
) -> Result<Analyses, StoreError> {
    let mut out = Analyses::default();
    let mut versions = BTreeSet::new();
    let mut stats: BTreeMap<String, StatAcc> = BTreeMap::new();
    for dir in dirs {
        let path = dir.file("metadata.json");
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                out.dirs.push(DirAnalysis::default());
                continue;
            }
            Err(e) => return Err(StoreError::io("reading metadata.json", e)),
        };
        let metadata = Metadata::parse(&bytes).map_err(|e| {
            StoreError::Input(format!(
                "The metadata.json of report directory '{}' cannot be used: {e}",
                dir_name(dir)
            ))
        })?;
        let info = metadata.info();
        if let Some(v) = &info.cc_version {
            versions.insert(v.clone());
        }
        let seconds: f64 = info.check_durations.iter().sum();
        out.duration_secs += seconds as i64;
        for (analyzer, s) in info.analyzer_statistics.iter() {
            let acc = stats.entry(analyzer.to_owned()).or_default();
            acc.versions.insert(s.version.clone());
            if client_version == Some("6.9.0") {
                if !s.failed_sources.is_empty() {
                    acc.failed_sources
                        .insert("Unavailable in CodeChecker 6.9.0!".to_owned());
                }
            } else {
                acc.failed_sources.extend(s.failed_sources.iter().cloned());
            }
            if let Some(ok) = &s.successful_sources {
                acc.successful_sources.extend(ok.iter().cloned());
            }
            acc.successful += s.successful;
        }
        let mut checkers = Vec::new();
        for (analyzer, list) in info.checkers.iter() {
            for (name, enabled) in list.iter() {
                checkers.push(StoreChecker {
                    analyzer: analyzer.to_owned(),
                    name: name.to_owned(),
                    enabled: *enabled,
                    severity: labels.severity(name),
                });
            }
        }
        out.enabled.extend(info.enabled_checkers.iter().cloned());
        out.disabled.extend(info.disabled_checkers.iter().cloned());
        let conf_files = read_conf(dir)?;
        out.analyses.push(StoreAnalysis {
            commands: info.check_commands.clone(),
            checkers,
            conf_files,
        });
        out.dirs.push(DirAnalysis {
            analysis: Some(out.analyses.len() - 1),
            checker_to_analyzer: info
                .checker_to_analyzer
                .iter()
                .map(|(c, a)| (c.to_owned(), a.to_owned()))
                .collect(),
        });
    }
    out.cc_version =
        (!versions.is_empty()).then(|| versions.into_iter().collect::<Vec<_>>().join("; "));
    out.statistics = stats
        .into_iter()
        .map(|(analyzer, acc)| {
            let failed = i64::try_from(acc.failed_sources.len()).unwrap_or(i64::MAX);
            let successful = if acc.successful_sources.is_empty() {
                acc.successful
            } else {
                i64::try_from(acc.successful_sources.len()).unwrap_or(i64::MAX)
            };
            AnalyzerStatistic {
                analyzer,
                version: (!acc.versions.is_empty())
                    .then(|| acc.versions.into_iter().collect::<Vec<_>>().join("; ")),
                successful,
                failed,
                failed_files: acc.failed_sources.into_iter().collect(),
            }
        })
        .collect();
    Ok(out)
}

/// The files of the folder's `conf/` (analyzer configuration).
fn read_conf(dir: &ReportDir) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
    let conf = dir.file("conf");
    let Ok(entries) = std::fs::read_dir(&conf) else {
        return Ok(Vec::new());
    };
    let mut files = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_file() {
            let content =
                std::fs::read(&path).map_err(|e| StoreError::io("reading a conf/ file", e))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            files.push((name, content));
        }
    }
    files.sort();
    Ok(files)
}

/// The folder's name inside the upload, for messages.
pub fn dir_name(dir: &ReportDir) -> String {
    dir.path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
