//! The permission each `CodeCheckerService` method needs on its product, as
//! CodeChecker's server asks for them. Checked before the call reaches the
//! handler, so that no method can be forgotten.

use super::permission::Permission::{self, *};

/// Reading results: `PRODUCT_VIEW` (or `PERMISSION_VIEW`).
const VIEW: &[Permission] = &[ProductView, PermissionView];
/// Review states and review rules: `PRODUCT_ACCESS` or `PRODUCT_STORE`.
const REVIEW: &[Permission] = &[ProductAccess, ProductStore];
/// Comments and the suppress file: `PRODUCT_ACCESS`.
const ACCESS: &[Permission] = &[ProductAccess];
/// Storing and removing runs: `PRODUCT_STORE`.
const STORE: &[Permission] = &[ProductStore];
/// Product-wide settings: `PRODUCT_ADMIN`.
const ADMIN: &[Permission] = &[ProductAdmin];

/// The permissions, any of which lets the caller call `method`. A method
/// this table does not know needs `PRODUCT_ADMIN`.
pub fn required(method: &str) -> &'static [Permission] {
    match method {
        "storeFilterPreset"
        | "renameFilterPreset"
        | "deleteFilterPreset"
        | "removeReviewStatusRules"
        | "addSourceComponent"
        | "removeSourceComponent"
        | "importData"
        | "addCleanupPlan"
        | "updateCleanupPlan"
        | "removeCleanupPlan"
        | "closeCleanupPlan"
        | "reopenCleanupPlan"
        | "setCleanupPlan"
        | "unsetCleanupPlan" => ADMIN,
        "changeReviewStatus" | "addReviewStatusRule" => REVIEW,
        "addComment" | "updateComment" | "removeComment" | "getSuppressFile" => ACCESS,
        "removeRunResults"
        | "removeRunReports"
        | "removeRun"
        | "updateRunData"
        | "getMissingContentHashes"
        | "getMissingContentHashesForBlameInfo"
        | "massStoreRun"
        | "massStoreRunAsynchronous"
        | "allowsStoringAnalysisStatistics"
        | "getAnalysisStatisticsLimits"
        | "storeAnalysisStatistics" => STORE,
        "getRunData"
        | "getFilterPreset"
        | "listFilterPreset"
        | "getRunCount"
        | "getCheckCommand"
        | "getAnalysisInfo"
        | "getRunHistory"
        | "getRunHistoryCount"
        | "getReport"
        | "getDiffResultsHash"
        | "getRunResults"
        | "getReportAnnotations"
        | "getRunReportCounts"
        | "getRunResultCount"
        | "getReportDetails"
        | "isReviewStatusChangeDisabled"
        | "getReviewStatusRules"
        | "getReviewStatusRulesCount"
        | "getComments"
        | "getCommentCount"
        | "getCheckerDoc"
        | "getCheckerLabels"
        | "getGuidelineRules"
        | "getSourceFileData"
        | "getBlameInfo"
        | "getLinesInSourceFileContents"
        | "getCheckerCounts"
        | "getCheckerStatusVerificationDetails"
        | "getAnalyzerNameCounts"
        | "getSeverityCounts"
        | "getCheckerMsgCounts"
        | "getReportStatusCounts"
        | "getReviewStatusCounts"
        | "getFileCounts"
        | "getFileCountsSummary"
        | "getRunHistoryTagCounts"
        | "getDetectionStatusCounts"
        | "getFailedFilesCount"
        | "getFailedFiles"
        | "getPackageVersion"
        | "getSourceComponents"
        | "getAnalysisStatistics"
        | "exportData"
        | "getCleanupPlans" => VIEW,
        _ => ADMIN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every method of the service's IDL, by name.
    fn idl_methods() -> Vec<String> {
        let idl = include_str!("../../../idl/report_server.thrift");
        let lines: Vec<&str> = idl.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[1].trim_start().starts_with("throws"))
            .filter_map(|w| {
                let head = w[0].split('(').next()?;
                head.split_whitespace().last().map(str::to_owned)
            })
            .collect()
    }

    #[test]
    fn every_method_is_listed_explicitly() {
        let methods = idl_methods();
        assert!(methods.len() >= 70, "found only {} methods", methods.len());
        let unknown = "surely-no-such-method";
        assert_eq!(required(unknown), ADMIN);
        // ADMIN is also the fallback: make sure the admin-only methods are the
        // ones CodeChecker restricts to administrators.
        let admin_only: Vec<&String> = methods.iter().filter(|m| required(m) == ADMIN).collect();
        assert_eq!(admin_only.len(), 14, "{admin_only:?}");
    }

    #[test]
    fn stores_need_store_and_queries_view() {
        assert_eq!(required("massStoreRunAsynchronous"), STORE);
        assert_eq!(required("massStoreRun"), STORE);
        assert_eq!(required("getRunResults"), VIEW);
        assert_eq!(required("changeReviewStatus"), REVIEW);
        assert_eq!(required("addComment"), ACCESS);
        assert_eq!(required("importData"), ADMIN);
    }
}
