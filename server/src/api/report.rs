//! `CodeCheckerService`: one product's analysis results (store and queries).

use std::collections::BTreeMap;
use std::sync::Arc;

use codechecker_api::report_server::*;

use codechecker_api::codechecker_api_shared::ErrorCode;

use super::errors::request_failed;
use super::state::ServerState;

mod admin;
mod cleanup_plans;
mod comments;
mod components;
pub(crate) mod convert;
mod counts;
mod diff;
mod export;
mod presets;
mod read;
mod review;
mod upload;

/// Handler of a product's `CodeCheckerService` for one request.
pub struct ReportHandler<'a> {
    state: Arc<ServerState>,
    product: configdb::Product,
    /// Who is asking (permissions are checked before a call gets here, see
    /// `auth::report_rights`; the user name goes into what they store).
    caller: crate::auth::Caller,
    /// A store call's upload, borrowed from the request body (see
    /// [`serve`]); the decoded argument is then empty.
    upload: Option<&'a str>,
    /// The API version of the request's URL (`/v6.N/`): a few answers
    /// depend on it, as in CodeChecker.
    api_version: (u32, u32),
}

/// Runs one `CodeCheckerService` call of `caller` on `product`, asked through
/// API `api_version`. The upload of a store call is passed on without
/// copying it.
pub fn serve(
    state: Arc<ServerState>,
    product: configdb::Product,
    caller: crate::auth::Caller,
    api_version: (u32, u32),
    body: &[u8],
) -> Vec<u8> {
    let split = codechecker_api::json::upload::split(body);
    let (message, upload) = match &split {
        Some(s) => (s.rewritten.as_slice(), Some(s.upload)),
        None => (body, None),
    };
    let handler = ReportHandler {
        state,
        product,
        caller,
        upload,
        api_version,
    };
    crate::thrift_call::run(&CodeCheckerDBAccessSyncProcessor::new(handler), message)
}

impl ReportHandler<'_> {
    /// The product's database, or why it cannot be used.
    fn db(&self) -> thrift::Result<productdb::ProductDb> {
        self.state
            .products
            .open(&self.product)
            .map_err(|e| request_failed(ErrorCode::DATABASE, e.to_string()))
    }

    /// The caller's name as CodeChecker records it (authors of reviews and
    /// comments, storing users): the logged-in user, or `Anonymous`.
    fn user_name(&self) -> &str {
        self.caller
            .username
            .as_deref()
            .unwrap_or(crate::store::params::ANONYMOUS)
    }
}

impl CodeCheckerDBAccessSyncHandler for ReportHandler<'_> {
    fn handle_get_run_data(
        &self,
        run_filter: Option<RunFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
        sort_mode: Option<RunSortMode>,
    ) -> thrift::Result<Vec<RunData>> {
        self.run_data(run_filter, limit, offset, sort_mode)
    }

    fn handle_store_filter_preset(&self, preset: Option<FilterPreset>) -> thrift::Result<i64> {
        self.store_filter_preset(preset)
    }

    fn handle_rename_filter_preset(
        &self,
        id: Option<i64>,
        name: Option<String>,
    ) -> thrift::Result<i64> {
        self.rename_filter_preset(id, name)
    }

    fn handle_get_filter_preset(&self, id: Option<i64>) -> thrift::Result<FilterPreset> {
        self.filter_preset(id)
    }

    fn handle_delete_filter_preset(&self, id: Option<i64>) -> thrift::Result<i64> {
        self.delete_filter_preset(id)
    }

    fn handle_list_filter_preset(&self) -> thrift::Result<Vec<FilterPreset>> {
        self.filter_presets()
    }

    fn handle_get_run_count(&self, run_filter: Option<RunFilter>) -> thrift::Result<i64> {
        self.run_count(run_filter)
    }

    fn handle_get_check_command(
        &self,
        run_history_id: Option<i64>,
        run_id: Option<i64>,
    ) -> thrift::Result<String> {
        self.check_command(run_history_id, run_id)
    }

    fn handle_get_analysis_info(
        &self,
        analysis_info_filter: Option<AnalysisInfoFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<AnalysisInfo>> {
        self.analysis_info(analysis_info_filter, limit, offset)
    }

    fn handle_get_run_history(
        &self,
        run_ids: Option<Vec<i64>>,
        limit: Option<i64>,
        offset: Option<i64>,
        run_history_filter: Option<RunHistoryFilter>,
    ) -> thrift::Result<Vec<RunHistoryData>> {
        self.run_history(run_ids, limit, offset, run_history_filter)
    }

    fn handle_get_run_history_count(
        &self,
        run_ids: Option<Vec<i64>>,
        run_history_filter: Option<RunHistoryFilter>,
    ) -> thrift::Result<i64> {
        self.run_history_count(run_ids, run_history_filter)
    }

    fn handle_get_diff_results_hash(
        &self,
        run_ids: Option<Vec<i64>>,
        report_hashes: Option<Vec<String>>,
        diff_type: Option<DiffType>,
        skip_detection_statuses: Option<Vec<DetectionStatus>>,
        tag_ids: Option<Vec<i64>>,
    ) -> thrift::Result<Vec<String>> {
        self.diff_results_hash(
            run_ids,
            report_hashes,
            diff_type,
            skip_detection_statuses,
            tag_ids,
        )
    }

    fn handle_get_report(&self, report_id: Option<i64>) -> thrift::Result<ReportData> {
        self.report(report_id)
    }

    fn handle_get_run_results(
        &self,
        run_ids: Option<Vec<i64>>,
        limit: Option<i64>,
        offset: Option<i64>,
        sort_type: Option<Vec<SortMode>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        get_details: Option<bool>,
    ) -> thrift::Result<Vec<ReportData>> {
        self.run_results(
            run_ids,
            limit,
            offset,
            sort_type,
            report_filter,
            cmp_data,
            get_details,
        )
    }

    fn handle_get_report_annotations(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<Vec<String>> {
        self.report_annotations(run_ids, report_filter, cmp_data)
    }

    fn handle_get_run_report_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<RunReportCount>> {
        self.run_report_counts(run_ids, report_filter, limit, offset)
    }

    fn handle_get_run_result_count(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<i64> {
        self.run_result_count(run_ids, report_filter, cmp_data)
    }

    fn handle_get_failed_files_count(&self, run_ids: Option<Vec<i64>>) -> thrift::Result<i64> {
        self.failed_files_count(run_ids)
    }

    fn handle_get_failed_files(
        &self,
        run_ids: Option<Vec<i64>>,
    ) -> thrift::Result<BTreeMap<String, Vec<AnalysisFailureInfo>>> {
        self.failed_files(run_ids)
    }

    fn handle_get_report_details(&self, report_id: Option<i64>) -> thrift::Result<ReportDetails> {
        self.report_details(report_id)
    }

    fn handle_get_source_file_data(
        &self,
        file_id: Option<i64>,
        file_content: Option<bool>,
        encoding: Option<Encoding>,
    ) -> thrift::Result<SourceFileData> {
        self.source_file_data(file_id, file_content, encoding)
    }

    fn handle_get_blame_info(&self, file_id: Option<i64>) -> thrift::Result<BlameInfo> {
        self.blame_info(file_id)
    }

    fn handle_get_lines_in_source_file_contents(
        &self,
        lines_in_files_requested: Option<Vec<LinesInFilesRequested>>,
        encoding: Option<Encoding>,
    ) -> thrift::Result<BTreeMap<i64, BTreeMap<i64, String>>> {
        self.lines_in_files(lines_in_files_requested, encoding)
    }

    fn handle_is_review_status_change_disabled(&self) -> thrift::Result<bool> {
        Ok(self.product.review_status_change_disabled)
    }

    fn handle_change_review_status(
        &self,
        report_id: Option<i64>,
        status: Option<ReviewStatus>,
        message: Option<String>,
    ) -> thrift::Result<bool> {
        self.change_review_status(report_id, status, message)
    }

    fn handle_get_review_status_rules(
        &self,
        filter: Option<ReviewStatusRuleFilter>,
        sort_mode: Option<ReviewStatusRuleSortMode>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<ReviewStatusRule>> {
        self.review_status_rules(filter, sort_mode, limit, offset)
    }

    fn handle_get_review_status_rules_count(
        &self,
        filter: Option<ReviewStatusRuleFilter>,
    ) -> thrift::Result<i64> {
        self.review_status_rule_count(filter)
    }

    fn handle_remove_review_status_rules(
        &self,
        filter: Option<ReviewStatusRuleFilter>,
    ) -> thrift::Result<bool> {
        self.remove_review_status_rules(filter)
    }

    fn handle_add_review_status_rule(
        &self,
        report_hash: Option<String>,
        status: Option<ReviewStatus>,
        message: Option<String>,
    ) -> thrift::Result<bool> {
        self.add_review_status_rule(report_hash, status, message)
    }

    fn handle_get_comments(&self, report_id: Option<i64>) -> thrift::Result<Vec<CommentData>> {
        self.comments(report_id)
    }

    fn handle_get_comment_count(&self, report_id: Option<i64>) -> thrift::Result<i64> {
        self.comment_count(report_id)
    }

    fn handle_add_comment(
        &self,
        report_id: Option<i64>,
        comment: Option<CommentData>,
    ) -> thrift::Result<bool> {
        self.add_comment(report_id, comment)
    }

    fn handle_update_comment(
        &self,
        comment_id: Option<i64>,
        new_message: Option<String>,
    ) -> thrift::Result<bool> {
        self.update_comment(comment_id, new_message)
    }

    fn handle_remove_comment(&self, comment_id: Option<i64>) -> thrift::Result<bool> {
        self.remove_comment(comment_id)
    }

    fn handle_get_checker_doc(&self, _checker_id: Option<String>) -> thrift::Result<String> {
        Ok(String::new())
    }

    fn handle_get_checker_labels(
        &self,
        checkers: Option<Vec<Checker>>,
    ) -> thrift::Result<Vec<Vec<String>>> {
        self.checker_labels(checkers)
    }

    fn handle_get_guideline_rules(
        &self,
        guidelines: Option<Vec<Guideline>>,
    ) -> thrift::Result<BTreeMap<String, Vec<Rule>>> {
        self.guideline_rules(guidelines)
    }

    fn handle_get_package_version(&self) -> thrift::Result<String> {
        Ok(super::PACKAGE_VERSION.to_owned())
    }

    fn handle_remove_run_results(&self, run_ids: Option<Vec<i64>>) -> thrift::Result<bool> {
        self.remove_run_results(run_ids)
    }

    fn handle_remove_run_reports(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<bool> {
        self.remove_run_reports(run_ids, report_filter, cmp_data)
    }

    fn handle_remove_run(
        &self,
        run_id: Option<i64>,
        run_filter: Option<RunFilter>,
    ) -> thrift::Result<bool> {
        self.remove_run(run_id, run_filter)
    }

    fn handle_update_run_data(
        &self,
        run_id: Option<i64>,
        new_run_name: Option<String>,
    ) -> thrift::Result<bool> {
        self.update_run_data(run_id, new_run_name)
    }

    /// CodeChecker's servers no longer have a suppress file: always empty.
    fn handle_get_suppress_file(&self) -> thrift::Result<String> {
        Ok(String::new())
    }

    fn handle_get_severity_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<Severity, i64>> {
        self.severity_counts(run_ids, report_filter, cmp_data)
    }

    fn handle_get_checker_msg_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        self.text_counts(
            run_ids,
            report_filter,
            cmp_data,
            (limit, offset),
            productdb::ProductDb::checker_msg_counts,
        )
    }

    fn handle_get_report_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<ReportStatus, i64>> {
        self.report_status_counts(run_ids, report_filter, cmp_data)
    }

    fn handle_get_review_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<ReviewStatus, i64>> {
        self.review_status_counts(run_ids, report_filter, cmp_data)
    }

    fn handle_get_detection_status_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
    ) -> thrift::Result<BTreeMap<DetectionStatus, i64>> {
        self.detection_status_counts(run_ids, report_filter, cmp_data)
    }

    fn handle_get_file_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        self.text_counts(
            run_ids,
            report_filter,
            cmp_data,
            (limit, offset),
            productdb::ProductDb::file_counts,
        )
    }

    fn handle_get_file_counts_summary(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, BTreeMap<String, i64>>> {
        self.file_counts_summary(run_ids, report_filter, cmp_data, (limit, offset))
    }

    fn handle_get_checker_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<CheckerCount>> {
        self.checker_counts(run_ids, report_filter, cmp_data, limit, offset)
    }

    fn handle_get_checker_status_verification_details(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
    ) -> thrift::Result<BTreeMap<i64, CheckerStatusVerificationDetail>> {
        self.checker_status_details(run_ids, report_filter)
    }

    fn handle_get_run_history_tag_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<RunTagCount>> {
        self.run_history_tag_counts(run_ids, report_filter, cmp_data, limit, offset)
    }

    fn handle_get_analyzer_name_counts(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, i64>> {
        self.text_counts(
            run_ids,
            report_filter,
            cmp_data,
            (limit, offset),
            productdb::ProductDb::analyzer_name_counts,
        )
    }

    fn handle_add_source_component(
        &self,
        name: Option<String>,
        value: Option<String>,
        description: Option<String>,
    ) -> thrift::Result<bool> {
        self.add_source_component(name, value, description)
    }

    fn handle_get_source_components(
        &self,
        source_component_filter: Option<Vec<String>>,
    ) -> thrift::Result<Vec<SourceComponentData>> {
        self.source_components(source_component_filter)
    }

    fn handle_remove_source_component(&self, name: Option<String>) -> thrift::Result<bool> {
        self.remove_source_component(name)
    }

    fn handle_get_missing_content_hashes(
        &self,
        file_hashes: Option<Vec<String>>,
    ) -> thrift::Result<Vec<String>> {
        self.missing_content_hashes(file_hashes, false)
    }

    fn handle_get_missing_content_hashes_for_blame_info(
        &self,
        file_hashes: Option<Vec<String>>,
    ) -> thrift::Result<Vec<String>> {
        self.missing_content_hashes(file_hashes, true)
    }

    fn handle_mass_store_run(
        &self,
        run_name: Option<String>,
        tag: Option<String>,
        version: Option<String>,
        zipfile: Option<String>,
        force: Option<bool>,
        trim_path_prefixes: Option<Vec<String>>,
        description: Option<String>,
    ) -> thrift::Result<i64> {
        self.mass_store_run(
            run_name,
            tag,
            version,
            zipfile,
            force,
            trim_path_prefixes,
            description,
        )
    }

    fn handle_mass_store_run_asynchronous(
        &self,
        zipfile_blob: Option<String>,
        store_opts: Option<SubmittedRunOptions>,
    ) -> thrift::Result<String> {
        self.mass_store_run_async(zipfile_blob, store_opts)
    }

    fn handle_allows_storing_analysis_statistics(&self) -> thrift::Result<bool> {
        Ok(self.allows_storing_statistics())
    }

    fn handle_get_analysis_statistics_limits(
        &self,
    ) -> thrift::Result<BTreeMap<StoreLimitKind, i64>> {
        Ok(self.statistics_limits())
    }

    fn handle_store_analysis_statistics(
        &self,
        run_name: Option<String>,
        zipfile: Option<String>,
    ) -> thrift::Result<bool> {
        self.store_statistics(run_name, zipfile)
    }

    fn handle_get_analysis_statistics(
        &self,
        run_id: Option<i64>,
        run_history_id: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, AnalyzerStatistics>> {
        self.analysis_statistics(run_id, run_history_id)
    }

    fn handle_export_data(&self, run_filter: Option<RunFilter>) -> thrift::Result<ExportData> {
        self.export_data(run_filter)
    }

    fn handle_import_data(&self, export_data: Option<ExportData>) -> thrift::Result<bool> {
        self.import_data(export_data)
    }

    fn handle_add_cleanup_plan(
        &self,
        name: Option<String>,
        description: Option<String>,
        due_date: Option<i64>,
    ) -> thrift::Result<i64> {
        self.add_cleanup_plan(name, description, due_date)
    }

    fn handle_update_cleanup_plan(
        &self,
        id: Option<i64>,
        name: Option<String>,
        description: Option<String>,
        due_date: Option<i64>,
    ) -> thrift::Result<bool> {
        self.update_cleanup_plan(id, name, description, due_date)
    }

    fn handle_get_cleanup_plans(
        &self,
        filter: Option<CleanupPlanFilter>,
    ) -> thrift::Result<Vec<CleanupPlan>> {
        self.cleanup_plans(filter)
    }

    fn handle_remove_cleanup_plan(&self, cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        self.remove_cleanup_plan(cleanup_plan_id)
    }

    fn handle_close_cleanup_plan(&self, cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        self.close_cleanup_plan(cleanup_plan_id, true)
    }

    fn handle_reopen_cleanup_plan(&self, cleanup_plan_id: Option<i64>) -> thrift::Result<bool> {
        self.close_cleanup_plan(cleanup_plan_id, false)
    }

    fn handle_set_cleanup_plan(
        &self,
        cleanup_plan_id: Option<i64>,
        report_hashes: Option<Vec<String>>,
    ) -> thrift::Result<bool> {
        self.set_cleanup_plan(cleanup_plan_id, report_hashes, true)
    }

    fn handle_unset_cleanup_plan(
        &self,
        cleanup_plan_id: Option<i64>,
        report_hashes: Option<Vec<String>>,
    ) -> thrift::Result<bool> {
        self.set_cleanup_plan(cleanup_plan_id, report_hashes, false)
    }
}
