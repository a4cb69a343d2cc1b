//! What `CodeChecker cmd diff` asks beyond the report queries when one side
//! is a local report directory: `getDiffResultsHash` (its hashes against a
//! run's) and `getReviewStatusRules` (which of its hashes a rule closes).

use codechecker_api::report_server as api;
use productdb::{DiffHashQuery, DiffKind, ReviewRuleQuery, ReviewRuleSortKey};

use super::convert;
use super::ReportHandler;
use crate::api::errors::{database, general};

/// The API version from which CodeChecker's server counts fixed reports as
/// absent in `getDiffResultsHash` (older clients get the older answer).
const DIFF_FIXED_AWARE_API: (u32, u32) = (6, 50);

impl ReportHandler<'_> {
    /// `getDiffResultsHash`: see [`productdb::ProductDb::diff_hashes`]. An
    /// unknown or missing diff type answers nothing, as CodeChecker does.
    pub(super) fn diff_results_hash(
        &self,
        run_ids: Option<Vec<i64>>,
        report_hashes: Option<Vec<String>>,
        diff_type: Option<api::DiffType>,
        skip_detection_statuses: Option<Vec<api::DetectionStatus>>,
        tag_ids: Option<Vec<i64>>,
    ) -> thrift::Result<Vec<String>> {
        let diff = match diff_type {
            Some(api::DiffType::NEW) => DiffKind::New,
            Some(api::DiffType::RESOLVED) => DiffKind::Resolved,
            Some(api::DiffType::UNRESOLVED) => DiffKind::Unresolved,
            _ => return Ok(Vec::new()),
        };
        let query = DiffHashQuery {
            run_ids,
            tag_ids,
            hashes: report_hashes.unwrap_or_default(),
            diff,
            skip_statuses: skip_detection_statuses
                .unwrap_or_default()
                .into_iter()
                .filter_map(|s| productdb::DetectionStatus::from_thrift(s.0))
                .collect(),
            before_api_6_50: self.api_version < DIFF_FIXED_AWARE_API,
        };
        self.db()?.diff_hashes(&query).map_err(database)
    }

    /// `getReviewStatusRules`: the rules matching `filter`, newest first
    /// unless `sort` says otherwise; every match unless `limit` is set.
    pub(super) fn review_status_rules(
        &self,
        filter: Option<api::ReviewStatusRuleFilter>,
        sort: Option<api::ReviewStatusRuleSortMode>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::ReviewStatusRule>> {
        let sort = match sort {
            None => Some((ReviewRuleSortKey::Date, true)),
            Some(mode) => rule_sort(mode)?,
        };
        let filter = filter.unwrap_or_default();
        let query = ReviewRuleQuery {
            bug_hashes: filter.report_hashes,
            statuses: filter.review_statuses.map(|v| {
                v.into_iter()
                    .filter_map(convert::review_status_from)
                    .collect()
            }),
            authors: filter.authors,
            no_associated_reports: filter.no_associated_reports.unwrap_or(false),
            sort,
            limit,
            offset: offset.unwrap_or(0),
        };
        let rows = self.db()?.review_rules(&query).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|row| api::ReviewStatusRule {
                report_hash: Some(row.rule.bug_hash),
                review_data: Some(api::ReviewData {
                    status: Some(review_status(row.rule.status)),
                    comment: Some(row.rule.message),
                    author: Some(row.rule.author),
                    date: Some(convert::py_datetime(row.rule.date)),
                    is_in_source: Some(false),
                }),
                associated_report_count: Some(row.report_count),
            })
            .collect())
    }
}

/// The order of a rule list; a mode without a type leaves it unordered.
fn rule_sort(
    mode: api::ReviewStatusRuleSortMode,
) -> thrift::Result<Option<(ReviewRuleSortKey, bool)>> {
    let key = match mode.type_ {
        Some(api::ReviewStatusRuleSortType::REPORT_HASH) => ReviewRuleSortKey::BugHash,
        Some(api::ReviewStatusRuleSortType::STATUS) => ReviewRuleSortKey::Status,
        Some(api::ReviewStatusRuleSortType::AUTHOR) => ReviewRuleSortKey::Author,
        Some(api::ReviewStatusRuleSortType::DATE) => ReviewRuleSortKey::Date,
        Some(api::ReviewStatusRuleSortType::ASSOCIATED_REPORTS_COUNT) => {
            ReviewRuleSortKey::AssociatedReports
        }
        _ => return Ok(None),
    };
    let descending = match mode.ord {
        Some(api::Order::ASC) => false,
        Some(api::Order::DESC) => true,
        other => {
            return Err(general(format!(
                "Unsupported sort order: {}",
                other.map_or_else(|| "None".to_owned(), |o| o.0.to_string())
            )))
        }
    };
    Ok(Some((key, descending)))
}

fn review_status(s: productdb::ReviewStatus) -> api::ReviewStatus {
    api::ReviewStatus(productdb::review_status_to_thrift(s))
}
