//! The counting side of `CodeCheckerService`: what `CodeChecker cmd sum`
//! and the web UI's sidebar ask for (reports per checker, severity, file,
//! status, tag, run; annotation values; failed files; checker coverage).
//!
//! Each method is one grouped query in `productdb` (`read/counts.rs`); this
//! layer only maps arguments and answers, with CodeChecker's paging rule.

use std::collections::BTreeMap;

use codechecker_api::report_server as api;
use productdb::CountQuery;

use super::convert;
use super::read::MAX_QUERY_SIZE;
use super::ReportHandler;
use crate::api::errors::{database, general};

/// CodeChecker's `verify_limit_range`: no limit (or zero) and anything
/// above the maximum become the maximum; a negative limit stays, which
/// SQLite (CodeChecker's usual backend) reads as "no limit".
fn count_limit(limit: Option<i64>) -> Option<i64> {
    match limit {
        None | Some(0) => Some(MAX_QUERY_SIZE),
        Some(l) if l > MAX_QUERY_SIZE => Some(MAX_QUERY_SIZE),
        Some(l) if l < 0 => None,
        Some(l) => Some(l),
    }
}

/// A `productdb` count keyed by text.
type TextCount = fn(&productdb::ProductDb, &CountQuery) -> productdb::Result<Vec<(String, i64)>>;

fn severity(s: productdb::Severity) -> api::Severity {
    api::Severity(s.to_thrift())
}

impl ReportHandler<'_> {
    /// The scope of a count request; `page` is the request's `(limit,
    /// offset)` when the method pages.
    fn count_query(
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        page: Option<(Option<i64>, Option<i64>)>,
    ) -> thrift::Result<CountQuery> {
        let compare = convert::compare(cmp_data).map_err(general)?;
        let filter = convert::report_filter(filter).map_err(general)?;
        let (limit, offset) = match page {
            Some((limit, offset)) => (count_limit(limit), offset.unwrap_or(0).max(0)),
            None => (None, 0),
        };
        Ok(CountQuery {
            run_ids,
            filter,
            compare,
            limit,
            offset,
        })
    }

    pub(super) fn checker_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::CheckerCount>> {
        let q = Self::count_query(run_ids, filter, cmp_data, Some((limit, offset)))?;
        let rows = self.db()?.checker_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|r| api::CheckerCount {
                name: Some(r.name),
                severity: Some(severity(r.severity)),
                count: Some(r.count),
            })
            .collect())
    }

    pub(super) fn severity_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<BTreeMap<api::Severity, i64>> {
        let q = Self::count_query(run_ids, filter, cmp_data, None)?;
        let rows = self.db()?.severity_counts(&q).map_err(database)?;
        Ok(rows.into_iter().map(|(s, n)| (severity(s), n)).collect())
    }

    /// A paged count keyed by text (`getCheckerMsgCounts`,
    /// `getFileCounts`, `getAnalyzerNameCounts`).
    pub(super) fn text_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        (limit, offset): (Option<i64>, Option<i64>),
        count: TextCount,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        let q = Self::count_query(run_ids, filter, cmp_data, Some((limit, offset)))?;
        let db = self.db()?;
        Ok(count(&db, &q).map_err(database)?.into_iter().collect())
    }

    /// `getFileCountsSummary`: per file of the page, its reports in all
    /// (`reports`) and per `severity:<NAME>`, `review_status:<name>` and
    /// `detection_status:<name>`, as CodeChecker keys them.
    pub(super) fn file_counts_summary(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        (limit, offset): (Option<i64>, Option<i64>),
    ) -> thrift::Result<BTreeMap<String, BTreeMap<String, i64>>> {
        let q = Self::count_query(run_ids, filter, cmp_data, Some((limit, offset)))?;
        let rows = self.db()?.file_count_summary(&q).map_err(database)?;
        let mut out: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for row in rows {
            let file = out.entry(row.filepath).or_default();
            let keys = [
                "reports".to_owned(),
                format!("severity:{}", severity_name(row.severity)),
                format!("review_status:{}", review_status_name(row.review_status)),
                format!("detection_status:{}", row.detection_status.as_str()),
            ];
            for key in keys {
                *file.entry(key).or_insert(0) += row.count;
            }
        }
        Ok(out)
    }

    pub(super) fn detection_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<BTreeMap<api::DetectionStatus, i64>> {
        let q = Self::count_query(run_ids, filter, cmp_data, None)?;
        let rows = self.db()?.detection_status_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| (api::DetectionStatus(s.to_thrift()), n))
            .collect())
    }

    pub(super) fn review_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<BTreeMap<api::ReviewStatus, i64>> {
        let q = Self::count_query(run_ids, filter, cmp_data, None)?;
        let rows = self.db()?.review_status_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| (api::ReviewStatus(productdb::review_status_to_thrift(s)), n))
            .collect())
    }

    pub(super) fn report_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<BTreeMap<api::ReportStatus, i64>> {
        let q = Self::count_query(run_ids, filter, cmp_data, None)?;
        let rows = self.db()?.report_status_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|(s, n)| {
                let status = match s {
                    productdb::ReportStatus::Outstanding => api::ReportStatus::OUTSTANDING,
                    productdb::ReportStatus::Closed => api::ReportStatus::CLOSED,
                };
                (status, n)
            })
            .collect())
    }

    pub(super) fn run_history_tag_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::RunTagCount>> {
        let q = Self::count_query(run_ids, filter, cmp_data, Some((limit, offset)))?;
        let rows = self.db()?.run_history_tag_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|r| api::RunTagCount {
                time: Some(convert::py_datetime(r.time)),
                name: r.tag,
                count: Some(r.count),
                id: Some(r.id),
                run_name: Some(r.run_name),
                run_id: Some(r.run_id),
            })
            .collect())
    }

    pub(super) fn run_report_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::RunReportCount>> {
        let q = Self::count_query(run_ids, filter, None, Some((limit, offset)))?;
        let rows = self.db()?.run_report_counts(&q).map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|r| api::RunReportCount {
                run_id: Some(r.run_id),
                name: Some(r.name),
                report_count: Some(r.count),
            })
            .collect())
    }

    pub(super) fn report_annotations(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<Vec<String>> {
        let q = Self::count_query(run_ids, filter, cmp_data, None)?;
        self.db()?.report_annotation_values(&q).map_err(database)
    }

    pub(super) fn failed_files(
        &self,
        run_ids: Option<Vec<i64>>,
    ) -> thrift::Result<BTreeMap<String, Vec<api::AnalysisFailureInfo>>> {
        let files = self
            .db()?
            .failed_files(run_ids.as_deref())
            .map_err(database)?;
        Ok(files
            .into_iter()
            .map(|(file, runs)| {
                let infos = runs
                    .into_iter()
                    .map(|run| api::AnalysisFailureInfo {
                        run_name: Some(run),
                    })
                    .collect();
                (file, infos)
            })
            .collect())
    }

    pub(super) fn failed_files_count(&self, run_ids: Option<Vec<i64>>) -> thrift::Result<i64> {
        let files = self
            .db()?
            .failed_files(run_ids.as_deref())
            .map_err(database)?;
        Ok(i64::try_from(files.len()).unwrap_or(i64::MAX))
    }

    pub(super) fn checker_status_details(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
    ) -> thrift::Result<BTreeMap<i64, api::CheckerStatusVerificationDetail>> {
        let unique = filter.and_then(|f| f.is_unique).unwrap_or(false);
        let rows = self
            .db()?
            .checker_status_details(run_ids.as_deref(), unique)
            .map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.id,
                    api::CheckerStatusVerificationDetail {
                        checker_name: Some(r.checker_name),
                        analyzer_name: Some(r.analyzer_name),
                        severity: Some(severity(r.severity)),
                        enabled: Some(r.enabled),
                        disabled: Some(r.disabled),
                        closed: Some(r.closed),
                        outstanding: Some(r.outstanding),
                        unknown: Some(r.unknown),
                    },
                )
            })
            .collect())
    }
}

/// The name of a severity as CodeChecker's Thrift enum spells it.
fn severity_name(s: productdb::Severity) -> &'static str {
    match s.to_thrift() {
        10 => "STYLE",
        20 => "LOW",
        30 => "MEDIUM",
        40 => "HIGH",
        50 => "CRITICAL",
        _ => "UNSPECIFIED",
    }
}

/// The name of a review status as CodeChecker's database column holds it.
fn review_status_name(s: productdb::ReviewStatus) -> &'static str {
    match productdb::review_status_to_thrift(s) {
        1 => "confirmed",
        2 => "false_positive",
        3 => "intentional",
        _ => "unreviewed",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_as_codechecker_caps_them() {
        assert_eq!(count_limit(None), Some(500));
        assert_eq!(count_limit(Some(0)), Some(500));
        assert_eq!(count_limit(Some(7)), Some(7));
        assert_eq!(count_limit(Some(10_000)), Some(500));
        assert_eq!(count_limit(Some(-1)), None);
    }
}
