//! From parsed plist reports to what the product database stores: path
//! trimming, `skip_file`, checker → analyzer mapping, review statuses from
//! source comments and `review_status.yaml`, annotations.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use ccreport::{
    decide_review_status, report_path_hash, PathPrefixes, Report, ReviewStatusConfig, SkipList,
    SourceFile,
};
use productdb::{PathMessage, PathRange, StoreReport};

use super::analyses::DirAnalysis;
use super::annotations;
use super::StoreError;
use crate::labels::CheckerLabels;

/// The analyzer CodeChecker records when none is known.
pub const UNKNOWN_ANALYZER: &str = "UNKNOWN";

/// The checker CodeChecker records when none is known.
pub const UNKNOWN_CHECKER: &str = "NOT FOUND";

/// What applies to the reports of one report directory.
#[derive(Debug, Default)]
pub struct DirRules<'a> {
    /// The folder's `skip_file`.
    pub skip: Option<SkipList>,
    /// The folder's `review_status.yaml`.
    pub review: Option<ReviewStatusConfig>,
    /// The folder's `metadata.json` view.
    pub analysis: Option<&'a DirAnalysis>,
}

/// What is shared by every report of a store.
pub struct Converter<'a> {
    /// `--trim-path-prefix`.
    pub prefixes: &'a PathPrefixes,
    /// Uploaded sources that contain review comments, by original path.
    pub sources: &'a HashMap<String, Arc<SourceFile>>,
    /// Trimmed paths of the files whose content is available.
    pub known_files: &'a HashSet<String>,
    /// Checker severities.
    pub labels: &'a CheckerLabels,
}

/// The fate of one report.
#[derive(Debug)]
pub enum Converted {
    /// To be stored.
    Store(Box<StoreReport>),
    /// Skipped by `skip_file`; its checker still counts as enabled.
    Skipped {
        /// The report's checker.
        checker: String,
    },
}

/// A conversion and the complaints it raised.
#[derive(Debug)]
pub struct Outcome {
    /// The report's fate.
    pub converted: Converted,
    /// Several review comments apply: `file|line|checker`.
    pub ambiguous_comment: Option<String>,
}

impl Converter<'_> {
    /// Converts the reports of one plist (`plist` names it in messages).
    pub fn convert_all(
        &self,
        mut reports: Vec<Report>,
        rules: &DirRules<'_>,
        plist: &str,
    ) -> Result<Vec<Outcome>, StoreError> {
        ccreport::trim_reports(&mut reports, self.prefixes);
        reports
            .into_iter()
            .map(|r| self.convert(r, rules, plist))
            .collect()
    }

    fn convert(
        &self,
        mut report: Report,
        rules: &DirRules<'_>,
        plist: &str,
    ) -> Result<Outcome, StoreError> {
        if let Some(missing) = report
            .trimmed_files()
            .into_iter()
            .find(|f| !self.known_files.contains(*f))
        {
            return Err(StoreError::Input(format!(
                "A report of '{}' ({}:{}:{}, checker '{}') refers to the source file '{missing}', \
                 which is neither in the upload nor stored on the server. Store again with a \
                 complete report directory.",
                file_name(plist),
                report.file.path,
                report.line,
                report.column,
                report.checker_name
            )));
        }
        if rules
            .skip
            .as_ref()
            .is_some_and(|s| s.should_skip(&report.file.original_path))
        {
            return Ok(Outcome {
                converted: Converted::Skipped {
                    checker: report.checker_name,
                },
                ambiguous_comment: None,
            });
        }
        let path_hash = report_path_hash(&report);
        let mapped = rules
            .analysis
            .and_then(|a| a.checker_to_analyzer.get(&report.checker_name));
        if let Some(analyzer) = mapped {
            report.analyzer_name = Some(analyzer.clone());
        }
        let source = self
            .sources
            .get(&report.file.original_path)
            .map(Arc::as_ref);
        let decision = decide_review_status(
            source,
            &report.file.original_path,
            &report,
            rules.review.as_ref(),
        );
        let ambiguous_comment = decision.error.as_ref().map(|_| {
            format!(
                "{}|{}|{}",
                report.file.original_path, report.line, report.checker_name
            )
        });
        let mut notes_annotations = Vec::new();
        for (key, value) in report.annotations.iter().flatten() {
            let value = annotations::normalize(key, value).map_err(|e| {
                StoreError::Input(format!("A report of '{}': {e}", file_name(plist)))
            })?;
            notes_annotations.push((key.clone(), value));
        }
        let checker = if report.checker_name.is_empty() {
            UNKNOWN_CHECKER.to_owned()
        } else {
            report.checker_name.clone()
        };
        let analyzer = report
            .analyzer_name
            .clone()
            .filter(|a| !a.is_empty())
            .unwrap_or_else(|| UNKNOWN_ANALYZER.to_owned());
        let store = StoreReport {
            path_hash,
            bug_hash: report.report_hash.clone().unwrap_or_default(),
            file_path: report.file.path.clone(),
            line: report.line,
            column: report.column,
            severity: self.labels.severity(&checker),
            checker,
            analyzer,
            message: report.message.clone(),
            analysis: rules.analysis.and_then(|a| a.analysis),
            positions: report
                .bug_path_positions
                .iter()
                .map(|p| range(&p.file.path, p.range, 0, 0))
                .collect(),
            events: report
                .bug_path_events
                .iter()
                .map(|e| PathMessage {
                    range: range(&e.file.path, e.range, e.line, e.column),
                    message: e.message.clone(),
                })
                .collect(),
            notes: report
                .notes
                .iter()
                .map(|n| PathMessage {
                    range: range(&n.file.path, n.range, n.line, n.column),
                    message: n.message.clone(),
                })
                .collect(),
            macros: report
                .macro_expansions
                .iter()
                .map(|m| PathMessage {
                    range: range(&m.file.path, m.range, m.line, m.column),
                    message: m.message.clone(),
                })
                .collect(),
            annotations: notes_annotations,
            review: decision.status,
        };
        Ok(Outcome {
            converted: Converted::Store(Box::new(store)),
            ambiguous_comment,
        })
    }
}

fn range(path: &str, r: Option<ccreport::Range>, line: i64, column: i64) -> PathRange {
    let r = r.unwrap_or(ccreport::Range {
        start_line: line,
        start_col: column,
        end_line: line,
        end_col: column,
    });
    PathRange {
        file_path: path.to_owned(),
        start_line: r.start_line,
        start_col: r.start_col,
        end_line: r.end_line,
        end_col: r.end_col,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// CodeChecker's complaint about ambiguous review comments, as a table.
pub fn ambiguous_comments_message(rows: &[String]) -> String {
    let mut text = String::from(
        "One or more source files contained invalid source code comments! \
         Failed to set review statuses.\n\n",
    );
    let header = ["File", "Line", "Checker name"];
    let cells: Vec<Vec<&str>> = rows.iter().map(|r| r.splitn(3, '|').collect()).collect();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (i, c) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(c.chars().count());
            }
        }
    }
    let line = |cols: &[&str]| {
        let parts: Vec<String> = cols
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<w$}", w = widths.get(i).copied().unwrap_or(0)))
            .collect();
        format!("{}\n", parts.join(" | ").trim_end())
    };
    text.push_str(&line(&header));
    text.push_str(&format!(
        "{}\n",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("-|-")
    ));
    for row in &cells {
        text.push_str(&line(row));
    }
    text
}
