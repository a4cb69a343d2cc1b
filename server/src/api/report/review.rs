//! Review statuses after a store: `changeReviewStatus` (one report, what
//! `CodeChecker cmd suppress` calls) and review status rules by bug hash
//! (`addReviewStatusRule`, `getReviewStatusRules`, `getReviewStatusRulesCount`,
//! `removeReviewStatusRules`), as CodeChecker 6.29.1 answers them.

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;
use productdb::{ReviewRuleFilter, ReviewRuleSort, ReviewRuleSortKey};

use super::convert::{py_datetime, review_status_from};
use super::ReportHandler;
use crate::api::errors::{database, general, missing_argument, request_failed};

/// The product database's rule filter of a request.
fn rule_filter(f: Option<api::ReviewStatusRuleFilter>) -> thrift::Result<ReviewRuleFilter> {
    let f = f.unwrap_or_default();
    let statuses = match f.review_statuses {
        None => None,
        Some(v) => Some(
            v.into_iter()
                .map(|s| {
                    review_status_from(s)
                        .ok_or_else(|| general(format!("unknown review status {}", s.0)))
                })
                .collect::<thrift::Result<Vec<_>>>()?,
        ),
    };
    Ok(ReviewRuleFilter {
        report_hashes: f.report_hashes,
        statuses,
        authors: f.authors,
        no_associated_reports: f.no_associated_reports.unwrap_or(false),
    })
}

/// The rule ordering of a request (newest first when none is given).
fn rule_sort(mode: Option<api::ReviewStatusRuleSortMode>) -> Option<ReviewRuleSort> {
    let mode = mode?;
    let key = match mode.type_? {
        api::ReviewStatusRuleSortType::REPORT_HASH => ReviewRuleSortKey::ReportHash,
        api::ReviewStatusRuleSortType::STATUS => ReviewRuleSortKey::Status,
        api::ReviewStatusRuleSortType::AUTHOR => ReviewRuleSortKey::Author,
        api::ReviewStatusRuleSortType::ASSOCIATED_REPORTS_COUNT => {
            ReviewRuleSortKey::AssociatedReportsCount
        }
        _ => ReviewRuleSortKey::Date,
    };
    Some(ReviewRuleSort {
        key,
        descending: mode.ord == Some(api::Order::DESC),
    })
}

/// A wire review status that names one of the four statuses.
fn known_status(status: Option<api::ReviewStatus>) -> thrift::Result<productdb::ReviewStatus> {
    let status = status.ok_or_else(|| missing_argument("status"))?;
    review_status_from(status).ok_or_else(|| general(format!("unknown review status {}", status.0)))
}

impl ReportHandler<'_> {
    pub(super) fn change_review_status(
        &self,
        report_id: Option<i64>,
        status: Option<api::ReviewStatus>,
        message: Option<String>,
    ) -> thrift::Result<bool> {
        let id = report_id.ok_or_else(|| missing_argument("report_id"))?;
        let status = known_status(status)?;
        let message = message.ok_or_else(|| general("encoding without a string argument"))?;
        let user = self.user_name();
        self.db()?
            .change_report_review(id, status, &message, user)
            .map_err(|e| match e {
                productdb::Error::NotFound { .. } => {
                    request_failed(ErrorCode::DATABASE, "No report found in the database.")
                }
                other => database(other),
            })?;
        tracing::info!(
            report = id,
            status = status.as_str(),
            user = %user,
            "review status changed"
        );
        Ok(true)
    }

    pub(super) fn add_review_status_rule(
        &self,
        report_hash: Option<String>,
        status: Option<api::ReviewStatus>,
        message: Option<String>,
    ) -> thrift::Result<bool> {
        if self.product.review_status_change_disabled {
            return Err(general("Review status change is disabled!"));
        }
        let bug_hash = report_hash.ok_or_else(|| missing_argument("report_hash"))?;
        let status = known_status(status)?;
        self.db()?
            .add_review_rule(&productdb::ReviewRuleChange {
                bug_hash,
                status,
                message,
                author: self.user_name().to_owned(),
                date: None,
            })
            .map_err(database)?;
        Ok(true)
    }

    pub(super) fn review_status_rules(
        &self,
        filter: Option<api::ReviewStatusRuleFilter>,
        sort: Option<api::ReviewStatusRuleSortMode>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::ReviewStatusRule>> {
        let filter = rule_filter(filter)?;
        let rows = self
            .db()?
            .review_rules(
                &filter,
                rule_sort(sort),
                limit.filter(|l| *l > 0),
                offset.unwrap_or(0).max(0),
            )
            .map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|r| api::ReviewStatusRule {
                report_hash: Some(r.rule.bug_hash),
                review_data: Some(api::ReviewData {
                    status: Some(api::ReviewStatus(productdb::review_status_to_thrift(
                        r.rule.status,
                    ))),
                    comment: Some(r.rule.message),
                    author: Some(r.rule.author),
                    date: Some(py_datetime(r.rule.date)),
                    is_in_source: Some(false),
                }),
                associated_report_count: Some(r.associated_reports),
            })
            .collect())
    }

    pub(super) fn review_status_rule_count(
        &self,
        filter: Option<api::ReviewStatusRuleFilter>,
    ) -> thrift::Result<i64> {
        let filter = rule_filter(filter)?;
        self.db()?.review_rule_count(&filter).map_err(database)
    }

    pub(super) fn remove_review_status_rules(
        &self,
        filter: Option<api::ReviewStatusRuleFilter>,
    ) -> thrift::Result<bool> {
        let filter = rule_filter(filter)?;
        let removed = self.db()?.remove_review_rules(&filter).map_err(database)?;
        tracing::info!(removed, user = %self.user_name(), "review status rules removed");
        Ok(true)
    }
}
