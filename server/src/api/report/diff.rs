//! What `CodeChecker cmd diff` asks beyond the report queries when one side
//! is a local report directory: `getDiffResultsHash` (its hashes against a
//! run's) and `getReviewStatusRules` (which of its hashes a rule closes).

use codechecker_api::report_server as api;
use productdb::{DiffHashQuery, DiffKind};

use super::ReportHandler;
use crate::api::errors::database;

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
}
