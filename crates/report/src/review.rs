//! Review statuses and the order CodeChecker decides them in.

use std::fmt;

use crate::review_config::ReviewStatusConfig;
use crate::source_comment::{SourceFile, SourceReview};

/// A review status as CodeChecker stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ReviewStatus {
    /// Nobody looked at it.
    #[default]
    Unreviewed,
    /// A true positive.
    Confirmed,
    /// A false positive (also what `suppress` means).
    FalsePositive,
    /// A true positive that is intended.
    Intentional,
}

impl ReviewStatus {
    /// The name CodeChecker uses (`false_positive`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewStatus::Unreviewed => "unreviewed",
            ReviewStatus::Confirmed => "confirmed",
            ReviewStatus::FalsePositive => "false_positive",
            ReviewStatus::Intentional => "intentional",
        }
    }

    /// Parses a name; `suppress` means `false_positive`.
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "unreviewed" => ReviewStatus::Unreviewed,
            "confirmed" => ReviewStatus::Confirmed,
            "false_positive" | "suppress" => ReviewStatus::FalsePositive,
            "intentional" => ReviewStatus::Intentional,
            _ => return None,
        })
    }

    /// Whether CodeChecker considers the report closed (`fixed_at` set).
    pub fn is_closed(self) -> bool {
        matches!(
            self,
            ReviewStatus::FalsePositive | ReviewStatus::Intentional
        )
    }
}

impl fmt::Display for ReviewStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The review status decided for one report (CodeChecker's
/// `SourceReviewStatus`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceReviewStatus {
    /// The status.
    pub status: ReviewStatus,
    /// The comment's or rule's message (empty when none).
    pub message: String,
    /// The report's bug hash (empty when none).
    pub bug_hash: String,
    /// Set by a source code comment rather than `review_status.yaml`.
    pub in_source: bool,
}

/// The outcome of [`decide_review_status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewDecision {
    /// The status to store.
    pub status: SourceReviewStatus,
    /// A misspelled review comment was ignored (CodeChecker warns).
    pub warning: Option<String>,
    /// Several comments apply: CodeChecker stores the report as
    /// unreviewed but fails the whole store with this message.
    pub error: Option<String>,
}

/// Decides a report's review status like the server does on store: an
/// in-source comment first, then the first matching `review_status.yaml`
/// rule, else unreviewed.
///
/// `source` is the report's main file when its content is available;
/// `file_name` is used in messages only.
pub fn decide_review_status(
    source: Option<&SourceFile>,
    file_name: &str,
    report: &crate::model::Report,
    config: Option<&ReviewStatusConfig>,
) -> ReviewDecision {
    let bug_hash = report.report_hash.clone().unwrap_or_default();
    let mut decision = ReviewDecision {
        status: SourceReviewStatus {
            bug_hash: bug_hash.clone(),
            ..SourceReviewStatus::default()
        },
        warning: None,
        error: None,
    };
    if let Some(src) = source {
        match src.review(report.line, &report.checker_name) {
            SourceReview::None => {}
            SourceReview::Comment(c) => {
                decision.status = SourceReviewStatus {
                    status: c.status,
                    message: c.message,
                    bug_hash,
                    in_source: true,
                };
                return decision;
            }
            SourceReview::Misspelled { line, comment } => {
                decision.warning = Some(format!(
                    "{file_name} contains misspelled review status comment @{line}: {comment}"
                ));
            }
            SourceReview::Ambiguous => {
                decision.error = Some(format!(
                    "Multiple source code comments can be found for '{}' checker in '{}' at line {}.",
                    report.checker_name, file_name, report.line
                ));
                // CodeChecker keeps the default status for the report.
                decision.status = SourceReviewStatus::default();
                return decision;
            }
        }
    }
    if let Some(found) = config.and_then(|c| {
        c.review_status(
            &report.file.original_path,
            &report.checker_name,
            report.report_hash.as_deref(),
        )
    }) {
        decision.status = found;
    }
    decision
}
