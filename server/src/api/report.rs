//! `CodeCheckerService`: one product's analysis results (store and queries).

use std::collections::BTreeMap;
use std::sync::Arc;

use codechecker_api::report_server::*;

use super::errors::not_implemented;
use super::state::ServerState;

/// Handler of a product's `CodeCheckerService` for one request.
pub struct ReportHandler {
    #[allow(dead_code)]
    state: Arc<ServerState>,
    #[allow(dead_code)]
    product: configdb::Product,
}

impl ReportHandler {
    /// A handler for a request to `product`.
    pub fn new(state: Arc<ServerState>, product: configdb::Product) -> Self {
        Self { state, product }
    }
}

impl CodeCheckerDBAccessSyncHandler for ReportHandler {
    fn handle_get_run_data(
        &self,
        _run_filter: Option<RunFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _sort_mode: Option<RunSortMode>,
    ) -> thrift::Result<Vec<RunData>> {
        Err(not_implemented("getRunData"))
    }

    fn handle_store_filter_preset(&self, _preset: Option<FilterPreset>) -> thrift::Result<i64> {
        Err(not_implemented("storeFilterPreset"))
    }

    fn handle_rename_filter_preset(
        &self,
        _id: Option<i64>,
        _name: Option<String>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("renameFilterPreset"))
    }

    fn handle_get_filter_preset(&self, _id: Option<i64>) -> thrift::Result<FilterPreset> {
        Err(not_implemented("getFilterPreset"))
    }

    fn handle_delete_filter_preset(&self, _id: Option<i64>) -> thrift::Result<i64> {
        Err(not_implemented("deleteFilterPreset"))
    }

    fn handle_list_filter_preset(&self) -> thrift::Result<Vec<FilterPreset>> {
        Err(not_implemented("listFilterPreset"))
    }

    fn handle_get_run_count(&self, _run_filter: Option<RunFilter>) -> thrift::Result<i64> {
        Err(not_implemented("getRunCount"))
    }

    fn handle_get_check_command(
        &self,
        _run_history_id: Option<i64>,
        _run_id: Option<i64>,
    ) -> thrift::Result<String> {
        Err(not_implemented("getCheckCommand"))
    }

    fn handle_get_analysis_info(
        &self,
        _analysis_info_filter: Option<AnalysisInfoFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<Vec<AnalysisInfo>> {
        Err(not_implemented("getAnalysisInfo"))
    }

    fn handle_get_run_history(
        &self,
        _run_ids: Option<Vec<i64>>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _run_history_filter: Option<RunHistoryFilter>,
    ) -> thrift::Result<Vec<RunHistoryData>> {
        Err(not_implemented("getRunHistory"))
    }

    fn handle_get_run_history_count(
        &self,
        _run_ids: Option<Vec<i64>>,
        _run_history_filter: Option<RunHistoryFilter>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("getRunHistoryCount"))
    }

    fn handle_get_diff_results_hash(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_hashes: Option<Vec<String>>,
        _diff_type: Option<DiffType>,
        _skip_detection_statuses: Option<Vec<DetectionStatus>>,
        _tag_ids: Option<Vec<i64>>,
    ) -> thrift::Result<Vec<String>> {
        Err(not_implemented("getDiffResultsHash"))
    }

    fn handle_get_report(&self, _report_id: Option<i64>) -> thrift::Result<ReportData> {
        Err(not_implemented("getReport"))
    }

    fn handle_get_run_results(
        &self,
        _run_ids: Option<Vec<i64>>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _sort_type: Option<Vec<SortMode>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _get_details: Option<bool>,
    ) -> thrift::Result<Vec<ReportData>> {
        Err(not_implemented("getRunResults"))
    }

    fn handle_get_report_annotations(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<Vec<String>> {
        Err(not_implemented("getReportAnnotations"))
    }

    fn handle_get_run_report_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<Vec<RunReportCount>> {
        Err(not_implemented("getRunReportCounts"))
    }

    fn handle_get_run_result_count(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("getRunResultCount"))
    }

    fn handle_get_failed_files_count(&self, _run_ids: Option<Vec<i64>>) -> thrift::Result<i64> {
        Err(not_implemented("getFailedFilesCount"))
    }

    fn handle_get_failed_files(
        &self,
        _run_ids: Option<Vec<i64>>,
    ) -> thrift::Result<BTreeMap<String, Vec<AnalysisFailureInfo>>> {
        Err(not_implemented("getFailedFiles"))
    }

    fn handle_get_report_details(&self, _report_id: Option<i64>) -> thrift::Result<ReportDetails> {
        Err(not_implemented("getReportDetails"))
    }

    fn handle_get_source_file_data(
        &self,
        _file_id: Option<i64>,
        _file_content: Option<bool>,
        _encoding: Option<Encoding>,
    ) -> thrift::Result<SourceFileData> {
        Err(not_implemented("getSourceFileData"))
    }

    fn handle_get_blame_info(&self, _file_id: Option<i64>) -> thrift::Result<BlameInfo> {
        Err(not_implemented("getBlameInfo"))
    }

    fn handle_get_lines_in_source_file_contents(
        &self,
        _lines_in_files_requested: Option<Vec<LinesInFilesRequested>>,
        _encoding: Option<Encoding>,
    ) -> thrift::Result<BTreeMap<i64, BTreeMap<i64, String>>> {
        Err(not_implemented("getLinesInSourceFileContents"))
    }

    fn handle_is_review_status_change_disabled(&self) -> thrift::Result<bool> {
        Err(not_implemented("isReviewStatusChangeDisabled"))
    }

    fn handle_change_review_status(
        &self,
        _report_id: Option<i64>,
        _status: Option<ReviewStatus>,
        _message: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("changeReviewStatus"))
    }

    fn handle_get_review_status_rules(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
        _sort_mode: Option<ReviewStatusRuleSortMode>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<Vec<ReviewStatusRule>> {
        Err(not_implemented("getReviewStatusRules"))
    }

    fn handle_get_review_status_rules_count(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("getReviewStatusRulesCount"))
    }

    fn handle_remove_review_status_rules(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("removeReviewStatusRules"))
    }

    fn handle_add_review_status_rule(
        &self,
        _report_hash: Option<String>,
        _status: Option<ReviewStatus>,
        _message: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("addReviewStatusRule"))
    }

    fn handle_get_comments(&self, _report_id: Option<i64>) -> thrift::Result<Vec<CommentData>> {
        Err(not_implemented("getComments"))
    }

    fn handle_get_comment_count(&self, _report_id: Option<i64>) -> thrift::Result<i64> {
        Err(not_implemented("getCommentCount"))
    }

    fn handle_add_comment(
        &self,
        _report_id: Option<i64>,
        _comment: Option<CommentData>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("addComment"))
    }

    fn handle_update_comment(
        &self,
        _comment_id: Option<i64>,
        _new_message: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("updateComment"))
    }

    fn handle_remove_comment(&self, _comment_id: Option<i64>) -> thrift::Result<bool> {
        Err(not_implemented("removeComment"))
    }

    fn handle_get_checker_doc(&self, _checker_id: Option<String>) -> thrift::Result<String> {
        Err(not_implemented("getCheckerDoc"))
    }

    fn handle_get_checker_labels(
        &self,
        _checkers: Option<Vec<Checker>>,
    ) -> thrift::Result<Vec<Vec<String>>> {
        Err(not_implemented("getCheckerLabels"))
    }

    fn handle_get_guideline_rules(
        &self,
        _guidelines: Option<Vec<Guideline>>,
    ) -> thrift::Result<BTreeMap<String, Vec<Rule>>> {
        Err(not_implemented("getGuidelineRules"))
    }

    fn handle_get_package_version(&self) -> thrift::Result<String> {
        Err(not_implemented("getPackageVersion"))
    }

    fn handle_remove_run_results(&self, _run_ids: Option<Vec<i64>>) -> thrift::Result<bool> {
        Err(not_implemented("removeRunResults"))
    }

    fn handle_remove_run_reports(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("removeRunReports"))
    }

    fn handle_remove_run(
        &self,
        _run_id: Option<i64>,
        _run_filter: Option<RunFilter>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("removeRun"))
    }

    fn handle_update_run_data(
        &self,
        _run_id: Option<i64>,
        _new_run_name: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("updateRunData"))
    }

    fn handle_get_suppress_file(&self) -> thrift::Result<String> {
        Err(not_implemented("getSuppressFile"))
    }

    fn handle_get_severity_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<Severity, i64>> {
        Err(not_implemented("getSeverityCounts"))
    }

    fn handle_get_checker_msg_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        Err(not_implemented("getCheckerMsgCounts"))
    }

    fn handle_get_report_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<ReportStatus, i64>> {
        Err(not_implemented("getReportStatusCounts"))
    }

    fn handle_get_review_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<ReviewStatus, i64>> {
        Err(not_implemented("getReviewStatusCounts"))
    }

    fn handle_get_detection_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<DetectionStatus, i64>> {
        Err(not_implemented("getDetectionStatusCounts"))
    }

    fn handle_get_file_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        Err(not_implemented("getFileCounts"))
    }

    fn handle_get_file_counts_summary(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, BTreeMap<String, i64>>> {
        Err(not_implemented("getFileCountsSummary"))
    }

    fn handle_get_checker_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<Vec<CheckerCount>> {
        Err(not_implemented("getCheckerCounts"))
    }

    fn handle_get_checker_status_verification_details(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
    ) -> thrift::Result<BTreeMap<i64, CheckerStatusVerificationDetail>> {
        Err(not_implemented("getCheckerStatusVerificationDetails"))
    }

    fn handle_get_run_history_tag_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<Vec<RunTagCount>> {
        Err(not_implemented("getRunHistoryTagCounts"))
    }

    fn handle_get_analyzer_name_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        Err(not_implemented("getAnalyzerNameCounts"))
    }

    fn handle_add_source_component(
        &self,
        _name: Option<String>,
        _value: Option<String>,
        _description: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("addSourceComponent"))
    }

    fn handle_get_source_components(
        &self,
        _source_component_filter: Option<Vec<String>>,
    ) -> thrift::Result<Vec<SourceComponentData>> {
        Err(not_implemented("getSourceComponents"))
    }

    fn handle_remove_source_component(&self, _name: Option<String>) -> thrift::Result<bool> {
        Err(not_implemented("removeSourceComponent"))
    }

    fn handle_get_missing_content_hashes(
        &self,
        _file_hashes: Option<Vec<String>>,
    ) -> thrift::Result<Vec<String>> {
        Err(not_implemented("getMissingContentHashes"))
    }

    fn handle_get_missing_content_hashes_for_blame_info(
        &self,
        _file_hashes: Option<Vec<String>>,
    ) -> thrift::Result<Vec<String>> {
        Err(not_implemented("getMissingContentHashesForBlameInfo"))
    }

    fn handle_mass_store_run(
        &self,
        _run_name: Option<String>,
        _tag: Option<String>,
        _version: Option<String>,
        _zipfile: Option<String>,
        _force: Option<bool>,
        _trim_path_prefixes: Option<Vec<String>>,
        _description: Option<String>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("massStoreRun"))
    }

    fn handle_mass_store_run_asynchronous(
        &self,
        _zipfile_blob: Option<String>,
        _store_opts: Option<SubmittedRunOptions>,
    ) -> thrift::Result<String> {
        Err(not_implemented("massStoreRunAsynchronous"))
    }

    fn handle_allows_storing_analysis_statistics(&self) -> thrift::Result<bool> {
        Err(not_implemented("allowsStoringAnalysisStatistics"))
    }

    fn handle_get_analysis_statistics_limits(
        &self,
    ) -> thrift::Result<BTreeMap<StoreLimitKind, i64>> {
        Err(not_implemented("getAnalysisStatisticsLimits"))
    }

    fn handle_store_analysis_statistics(
        &self,
        _run_name: Option<String>,
        _zipfile: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("storeAnalysisStatistics"))
    }

    fn handle_get_analysis_statistics(
        &self,
        _run_id: Option<i64>,
        _run_history_id: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, AnalyzerStatistics>> {
        Err(not_implemented("getAnalysisStatistics"))
    }

    fn handle_export_data(&self, _run_filter: Option<RunFilter>) -> thrift::Result<ExportData> {
        Err(not_implemented("exportData"))
    }

    fn handle_import_data(&self, _export_data: Option<ExportData>) -> thrift::Result<bool> {
        Err(not_implemented("importData"))
    }

    fn handle_add_cleanup_plan(
        &self,
        _name: Option<String>,
        _description: Option<String>,
        _due_date: Option<i64>,
    ) -> thrift::Result<i64> {
        Err(not_implemented("addCleanupPlan"))
    }

    fn handle_update_cleanup_plan(
        &self,
        _id: Option<i64>,
        _name: Option<String>,
        _description: Option<String>,
        _due_date: Option<i64>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("updateCleanupPlan"))
    }

    fn handle_get_cleanup_plans(
        &self,
        _filter: Option<CleanupPlanFilter>,
    ) -> thrift::Result<Vec<CleanupPlan>> {
        Err(not_implemented("getCleanupPlans"))
    }

    fn handle_remove_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        Err(not_implemented("removeCleanupPlan"))
    }

    fn handle_close_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        Err(not_implemented("closeCleanupPlan"))
    }

    fn handle_reopen_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        Err(not_implemented("reopenCleanupPlan"))
    }

    fn handle_set_cleanup_plan(
        &self,
        _cleanup_plan_id: Option<i64>,
        _report_hashes: Option<Vec<String>>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("setCleanupPlan"))
    }

    fn handle_unset_cleanup_plan(
        &self,
        _cleanup_plan_id: Option<i64>,
        _report_hashes: Option<Vec<String>>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("unsetCleanupPlan"))
    }
}
