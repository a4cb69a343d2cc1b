//! Service arguments are optional on the wire: CodeChecker's Python client
//! leaves `None` arguments out of a request, and the generated processor
//! must hand them to the handler as `None` instead of rejecting the call
//! (see the post-processing notes in idl/regen.sh).
#![allow(clippy::unwrap_used)] // a panic is how a test fails

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use codechecker_api::codechecker_api_shared::{ErrorCode, RequestFailed};
use codechecker_api::report_server::*;
use thrift::protocol::{
    TBinaryInputProtocol, TBinaryOutputProtocol, TFieldIdentifier, TInputProtocol, TListIdentifier,
    TMessageIdentifier, TMessageType, TOutputProtocol, TSerializable, TStructIdentifier, TType,
};
use thrift::server::TProcessor;
use thrift::Result;

/// The arguments one `massStoreRun` call arrived with.
#[derive(Debug, PartialEq)]
struct StoreCall {
    run_name: Option<String>,
    tag: Option<String>,
    version: Option<String>,
    zipfile: Option<String>,
    force: Option<bool>,
    trim_path_prefixes: Option<Vec<String>>,
    description: Option<String>,
}

type ResultsCall = (Option<Vec<i64>>, Option<ReportFilter>, Option<CompareData>);

#[derive(Default)]
struct Calls {
    stores: Mutex<Vec<StoreCall>>,
    results: Mutex<Vec<ResultsCall>>,
}

/// Records `massStoreRun` and `getRunResults` calls; every other method
/// fails with `RequestFailed`.
#[derive(Clone, Default)]
struct Recorder(Arc<Calls>);

fn unsupported<T>(method: &str) -> Result<T> {
    Err(RequestFailed::new(
        ErrorCode::GENERAL,
        format!("{method} is not implemented by this test handler"),
        None::<Vec<String>>,
    )
    .into())
}

/// Serialises one call message with the binary protocol; `write_args` writes
/// the fields of the argument struct (the stop field is added here).
fn call_message(
    method: &str,
    seq: i32,
    write_args: impl FnOnce(&mut dyn TOutputProtocol) -> Result<()>,
) -> Vec<u8> {
    let mut buf = Vec::new();
    {
        let mut o = TBinaryOutputProtocol::new(&mut buf, true);
        let ident = TMessageIdentifier::new(method, TMessageType::Call, seq);
        o.write_message_begin(&ident).unwrap();
        o.write_struct_begin(&TStructIdentifier::new(format!("{method}_args")))
            .unwrap();
        write_args(&mut o).unwrap();
        o.write_field_stop().unwrap();
        o.write_struct_end().unwrap();
        o.write_message_end().unwrap();
        o.flush().unwrap();
    }
    buf
}

fn write_string_field(o: &mut dyn TOutputProtocol, name: &str, id: i16, value: &str) -> Result<()> {
    o.write_field_begin(&TFieldIdentifier::new(name, TType::String, id))?;
    o.write_string(value)?;
    o.write_field_end()
}

/// Runs one request through the generated processor; returns the reply bytes.
fn serve(handler: &Recorder, request: &[u8]) -> Result<Vec<u8>> {
    let processor = CodeCheckerDBAccessSyncProcessor::new(handler.clone());
    let mut reply = Vec::new();
    {
        let mut i = TBinaryInputProtocol::new(request, true);
        let mut o = TBinaryOutputProtocol::new(&mut reply, true);
        processor.process(&mut i, &mut o)?;
    }
    Ok(reply)
}

/// Reads a reply message header and the first field header of its body.
fn reply_head(
    reply: &[u8],
) -> (
    TMessageIdentifier,
    TFieldIdentifier,
    TBinaryInputProtocol<&[u8]>,
) {
    let mut i = TBinaryInputProtocol::new(reply, true);
    let msg = i.read_message_begin().unwrap();
    i.read_struct_begin().unwrap();
    let field = i.read_field_begin().unwrap();
    (msg, field, i)
}

#[test]
fn mass_store_run_with_missing_arguments_reaches_the_handler() {
    // What the Python client sends for `massStoreRun(name, None, None, zip,
    // True, None, None)`: only fields 1, 4 and 5.
    let request = call_message("massStoreRun", 7, |o| {
        write_string_field(o, "runName", 1, "nightly")?;
        write_string_field(o, "zipfile", 4, "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==")?;
        o.write_field_begin(&TFieldIdentifier::new("force", TType::Bool, 5))?;
        o.write_bool(true)?;
        o.write_field_end()
    });
    let handler = Recorder::default();
    let reply = serve(&handler, &request).expect("the call is accepted");

    assert_eq!(
        *handler.0.stores.lock().unwrap(),
        vec![StoreCall {
            run_name: Some("nightly".into()),
            tag: None,
            version: None,
            zipfile: Some("UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==".into()),
            force: Some(true),
            trim_path_prefixes: None,
            description: None,
        }]
    );

    let (msg, field, mut i) = reply_head(&reply);
    assert_eq!(msg.name, "massStoreRun");
    assert_eq!(msg.message_type, TMessageType::Reply);
    assert_eq!(msg.sequence_number, 7);
    assert_eq!((field.id, field.field_type), (Some(0), TType::I64));
    assert_eq!(i.read_i64().unwrap(), 42);
}

#[test]
fn empty_argument_struct_is_accepted() {
    let request = call_message("massStoreRun", 1, |_| Ok(()));
    let handler = Recorder::default();
    serve(&handler, &request).expect("the call is accepted");
    let stores = handler.0.stores.lock().unwrap();
    assert_eq!(stores.len(), 1);
    assert_eq!(stores[0].run_name, None);
    assert_eq!(stores[0].force, None);
}

#[test]
fn get_run_results_without_compare_data() {
    let request = call_message("getRunResults", 3, |o| {
        o.write_field_begin(&TFieldIdentifier::new("runIds", TType::List, 1))?;
        o.write_list_begin(&TListIdentifier::new(TType::I64, 2))?;
        o.write_i64(1)?;
        o.write_i64(2)?;
        o.write_list_end()?;
        o.write_field_end()?;
        o.write_field_begin(&TFieldIdentifier::new("reportFilter", TType::Struct, 5))?;
        o.write_struct_begin(&TStructIdentifier::new("ReportFilter"))?;
        o.write_field_stop()?;
        o.write_struct_end()?;
        o.write_field_end()
    });
    let handler = Recorder::default();
    let reply = serve(&handler, &request).expect("the call is accepted");

    let calls = handler.0.results.lock().unwrap();
    assert_eq!(calls.len(), 1);
    let (run_ids, filter, cmp) = &calls[0];
    assert_eq!(run_ids.as_deref(), Some(&[1, 2][..]));
    // Absent struct fields stay None (not Some(empty) / Some(0)).
    let filter = filter.as_ref().expect("filter was sent");
    assert_eq!(*filter, ReportFilter::default());
    assert_eq!(filter.filepath, None);
    assert_eq!(filter.first_detection_date, None);
    assert_eq!(*cmp, None);

    let (msg, field, _) = reply_head(&reply);
    assert_eq!(msg.message_type, TMessageType::Reply);
    assert_eq!((field.id, field.field_type), (Some(0), TType::List));
}

#[test]
fn generated_client_leaves_none_arguments_off_the_wire() {
    // First pass: capture the request the client writes (reading the reply
    // then fails, as there is none yet).
    let mut request = Vec::new();
    {
        let mut client = CodeCheckerDBAccessSyncClient::new(
            TBinaryInputProtocol::new(&b""[..], true),
            TBinaryOutputProtocol::new(&mut request, true),
        );
        let sent = client.mass_store_run(
            Some("weekly".into()),
            None,
            Some("6.29.1".into()),
            Some("UEs=".into()),
            None,
            Some(vec!["/src".into()]),
            None,
        );
        assert!(sent.is_err(), "no reply was available");
    }
    let handler = Recorder::default();
    let reply = serve(&handler, &request).expect("the call is accepted");
    assert_eq!(
        *handler.0.stores.lock().unwrap(),
        vec![StoreCall {
            run_name: Some("weekly".into()),
            tag: None,
            version: Some("6.29.1".into()),
            zipfile: Some("UEs=".into()),
            force: None,
            trim_path_prefixes: Some(vec!["/src".into()]),
            description: None,
        }]
    );

    // Second pass: a fresh client (same sequence number) decodes the reply.
    let mut client = CodeCheckerDBAccessSyncClient::new(
        TBinaryInputProtocol::new(&reply[..], true),
        TBinaryOutputProtocol::new(std::io::sink(), true),
    );
    let run_id = client
        .mass_store_run(None, None, None, None, None, None, None)
        .expect("reply decodes");
    assert_eq!(run_id, 42);
}

#[test]
fn request_failed_is_a_declared_exception() {
    let request = call_message("getRunCount", 5, |_| Ok(()));
    let reply = serve(&Recorder::default(), &request).expect("the call is answered");
    let (msg, field, mut i) = reply_head(&reply);
    assert_eq!(msg.message_type, TMessageType::Reply);
    assert_eq!((field.id, field.field_type), (Some(1), TType::Struct));
    let err = RequestFailed::read_from_in_protocol(&mut i).unwrap();
    assert_eq!(err.error_code, Some(ErrorCode::GENERAL));
    assert!(err.message.unwrap().contains("get_run_count"));
}

#[test]
fn huge_list_header_does_not_preallocate() {
    // A list header claiming i32::MAX strings followed by nothing: without
    // the capacity cap, Vec::with_capacity would try to reserve ~48 GiB.
    let request = call_message("massStoreRun", 9, |o| {
        o.write_field_begin(&TFieldIdentifier::new("trimPathPrefixes", TType::List, 6))?;
        o.write_list_begin(&TListIdentifier::new(TType::String, i32::MAX))
    });
    let truncated = &request[..request.len() - 1]; // drop the stop byte too
    let handler = Recorder::default();
    // The processor answers a malformed request with an exception message.
    let reply = serve(&handler, truncated).expect("an error reply is written");
    let mut i = TBinaryInputProtocol::new(&reply[..], true);
    let msg = i.read_message_begin().unwrap();
    assert_eq!(msg.message_type, TMessageType::Exception);
    assert!(handler.0.stores.lock().unwrap().is_empty());
}

#[test]
fn default_structs_serialise_to_nothing() {
    let mut buf = Vec::new();
    {
        let mut o = TBinaryOutputProtocol::new(&mut buf, true);
        ReportData::default().write_to_out_protocol(&mut o).unwrap();
        RunData::default().write_to_out_protocol(&mut o).unwrap();
    }
    assert_eq!(buf, vec![0, 0], "two empty structs: just the stop bytes");
}

impl CodeCheckerDBAccessSyncHandler for Recorder {
    fn handle_mass_store_run(
        &self,
        run_name: Option<String>,
        tag: Option<String>,
        version: Option<String>,
        zipfile: Option<String>,
        force: Option<bool>,
        trim_path_prefixes: Option<Vec<String>>,
        description: Option<String>,
    ) -> Result<i64> {
        self.0.stores.lock().unwrap().push(StoreCall {
            run_name,
            tag,
            version,
            zipfile,
            force,
            trim_path_prefixes,
            description,
        });
        Ok(42)
    }

    fn handle_get_run_results(
        &self,
        run_ids: Option<Vec<i64>>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _sort_type: Option<Vec<SortMode>>,
        report_filter: Option<ReportFilter>,
        cmp_data: Option<CompareData>,
        _get_details: Option<bool>,
    ) -> Result<Vec<ReportData>> {
        self.0
            .results
            .lock()
            .unwrap()
            .push((run_ids, report_filter, cmp_data));
        Ok(Vec::new())
    }

    // Every other method: not needed here.
    fn handle_get_run_data(
        &self,
        _run_filter: Option<RunFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _sort_mode: Option<RunSortMode>,
    ) -> Result<Vec<RunData>> {
        unsupported("get_run_data")
    }
    fn handle_store_filter_preset(&self, _preset: Option<FilterPreset>) -> Result<i64> {
        unsupported("store_filter_preset")
    }
    fn handle_rename_filter_preset(&self, _id: Option<i64>, _name: Option<String>) -> Result<i64> {
        unsupported("rename_filter_preset")
    }
    fn handle_get_filter_preset(&self, _id: Option<i64>) -> Result<FilterPreset> {
        unsupported("get_filter_preset")
    }
    fn handle_delete_filter_preset(&self, _id: Option<i64>) -> Result<i64> {
        unsupported("delete_filter_preset")
    }
    fn handle_list_filter_preset(&self) -> Result<Vec<FilterPreset>> {
        unsupported("list_filter_preset")
    }
    fn handle_get_run_count(&self, _run_filter: Option<RunFilter>) -> Result<i64> {
        unsupported("get_run_count")
    }
    fn handle_get_check_command(
        &self,
        _run_history_id: Option<i64>,
        _run_id: Option<i64>,
    ) -> Result<String> {
        unsupported("get_check_command")
    }
    fn handle_get_analysis_info(
        &self,
        _analysis_info_filter: Option<AnalysisInfoFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<Vec<AnalysisInfo>> {
        unsupported("get_analysis_info")
    }
    fn handle_get_run_history(
        &self,
        _run_ids: Option<Vec<i64>>,
        _limit: Option<i64>,
        _offset: Option<i64>,
        _run_history_filter: Option<RunHistoryFilter>,
    ) -> Result<Vec<RunHistoryData>> {
        unsupported("get_run_history")
    }
    fn handle_get_run_history_count(
        &self,
        _run_ids: Option<Vec<i64>>,
        _run_history_filter: Option<RunHistoryFilter>,
    ) -> Result<i64> {
        unsupported("get_run_history_count")
    }
    fn handle_get_diff_results_hash(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_hashes: Option<Vec<String>>,
        _diff_type: Option<DiffType>,
        _skip_detection_statuses: Option<Vec<DetectionStatus>>,
        _tag_ids: Option<Vec<i64>>,
    ) -> Result<Vec<String>> {
        unsupported("get_diff_results_hash")
    }
    fn handle_get_report(&self, _report_id: Option<i64>) -> Result<ReportData> {
        unsupported("get_report")
    }
    fn handle_get_report_annotations(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<Vec<String>> {
        unsupported("get_report_annotations")
    }
    fn handle_get_run_report_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<Vec<RunReportCount>> {
        unsupported("get_run_report_counts")
    }
    fn handle_get_run_result_count(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<i64> {
        unsupported("get_run_result_count")
    }
    fn handle_get_failed_files_count(&self, _run_ids: Option<Vec<i64>>) -> Result<i64> {
        unsupported("get_failed_files_count")
    }
    fn handle_get_failed_files(
        &self,
        _run_ids: Option<Vec<i64>>,
    ) -> Result<BTreeMap<String, Vec<AnalysisFailureInfo>>> {
        unsupported("get_failed_files")
    }
    fn handle_get_report_details(&self, _report_id: Option<i64>) -> Result<ReportDetails> {
        unsupported("get_report_details")
    }
    fn handle_get_source_file_data(
        &self,
        _file_id: Option<i64>,
        _file_content: Option<bool>,
        _encoding: Option<Encoding>,
    ) -> Result<SourceFileData> {
        unsupported("get_source_file_data")
    }
    fn handle_get_blame_info(&self, _file_id: Option<i64>) -> Result<BlameInfo> {
        unsupported("get_blame_info")
    }
    fn handle_get_lines_in_source_file_contents(
        &self,
        _lines_in_files_requested: Option<Vec<LinesInFilesRequested>>,
        _encoding: Option<Encoding>,
    ) -> Result<BTreeMap<i64, BTreeMap<i64, String>>> {
        unsupported("get_lines_in_source_file_contents")
    }
    fn handle_is_review_status_change_disabled(&self) -> Result<bool> {
        unsupported("is_review_status_change_disabled")
    }
    fn handle_change_review_status(
        &self,
        _report_id: Option<i64>,
        _status: Option<ReviewStatus>,
        _message: Option<String>,
    ) -> Result<bool> {
        unsupported("change_review_status")
    }
    fn handle_get_review_status_rules(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
        _sort_mode: Option<ReviewStatusRuleSortMode>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<Vec<ReviewStatusRule>> {
        unsupported("get_review_status_rules")
    }
    fn handle_get_review_status_rules_count(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
    ) -> Result<i64> {
        unsupported("get_review_status_rules_count")
    }
    fn handle_remove_review_status_rules(
        &self,
        _filter: Option<ReviewStatusRuleFilter>,
    ) -> Result<bool> {
        unsupported("remove_review_status_rules")
    }
    fn handle_add_review_status_rule(
        &self,
        _report_hash: Option<String>,
        _status: Option<ReviewStatus>,
        _message: Option<String>,
    ) -> Result<bool> {
        unsupported("add_review_status_rule")
    }
    fn handle_get_comments(&self, _report_id: Option<i64>) -> Result<Vec<CommentData>> {
        unsupported("get_comments")
    }
    fn handle_get_comment_count(&self, _report_id: Option<i64>) -> Result<i64> {
        unsupported("get_comment_count")
    }
    fn handle_add_comment(
        &self,
        _report_id: Option<i64>,
        _comment: Option<CommentData>,
    ) -> Result<bool> {
        unsupported("add_comment")
    }
    fn handle_update_comment(
        &self,
        _comment_id: Option<i64>,
        _new_message: Option<String>,
    ) -> Result<bool> {
        unsupported("update_comment")
    }
    fn handle_remove_comment(&self, _comment_id: Option<i64>) -> Result<bool> {
        unsupported("remove_comment")
    }
    fn handle_get_checker_doc(&self, _checker_id: Option<String>) -> Result<String> {
        unsupported("get_checker_doc")
    }
    fn handle_get_checker_labels(
        &self,
        _checkers: Option<Vec<Checker>>,
    ) -> Result<Vec<Vec<String>>> {
        unsupported("get_checker_labels")
    }
    fn handle_get_guideline_rules(
        &self,
        _guidelines: Option<Vec<Guideline>>,
    ) -> Result<BTreeMap<String, Vec<Rule>>> {
        unsupported("get_guideline_rules")
    }
    fn handle_get_package_version(&self) -> Result<String> {
        unsupported("get_package_version")
    }
    fn handle_remove_run_results(&self, _run_ids: Option<Vec<i64>>) -> Result<bool> {
        unsupported("remove_run_results")
    }
    fn handle_remove_run_reports(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<bool> {
        unsupported("remove_run_reports")
    }
    fn handle_remove_run(
        &self,
        _run_id: Option<i64>,
        _run_filter: Option<RunFilter>,
    ) -> Result<bool> {
        unsupported("remove_run")
    }
    fn handle_update_run_data(
        &self,
        _run_id: Option<i64>,
        _new_run_name: Option<String>,
    ) -> Result<bool> {
        unsupported("update_run_data")
    }
    fn handle_get_suppress_file(&self) -> Result<String> {
        unsupported("get_suppress_file")
    }
    fn handle_get_severity_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<BTreeMap<Severity, i64>> {
        unsupported("get_severity_counts")
    }
    fn handle_get_checker_msg_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<BTreeMap<String, i64>> {
        unsupported("get_checker_msg_counts")
    }
    fn handle_get_report_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<BTreeMap<ReportStatus, i64>> {
        unsupported("get_report_status_counts")
    }
    fn handle_get_review_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<BTreeMap<ReviewStatus, i64>> {
        unsupported("get_review_status_counts")
    }
    fn handle_get_detection_status_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
    ) -> Result<BTreeMap<DetectionStatus, i64>> {
        unsupported("get_detection_status_counts")
    }
    fn handle_get_file_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<BTreeMap<String, i64>> {
        unsupported("get_file_counts")
    }
    fn handle_get_file_counts_summary(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<BTreeMap<String, BTreeMap<String, i64>>> {
        unsupported("get_file_counts_summary")
    }
    fn handle_get_checker_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<Vec<CheckerCount>> {
        unsupported("get_checker_counts")
    }
    fn handle_get_checker_status_verification_details(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
    ) -> Result<BTreeMap<i64, CheckerStatusVerificationDetail>> {
        unsupported("get_checker_status_verification_details")
    }
    fn handle_get_run_history_tag_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<Vec<RunTagCount>> {
        unsupported("get_run_history_tag_counts")
    }
    fn handle_get_analyzer_name_counts(
        &self,
        _run_ids: Option<Vec<i64>>,
        _report_filter: Option<ReportFilter>,
        _cmp_data: Option<CompareData>,
        _limit: Option<i64>,
        _offset: Option<i64>,
    ) -> Result<BTreeMap<String, i64>> {
        unsupported("get_analyzer_name_counts")
    }
    fn handle_add_source_component(
        &self,
        _name: Option<String>,
        _value: Option<String>,
        _description: Option<String>,
    ) -> Result<bool> {
        unsupported("add_source_component")
    }
    fn handle_get_source_components(
        &self,
        _source_component_filter: Option<Vec<String>>,
    ) -> Result<Vec<SourceComponentData>> {
        unsupported("get_source_components")
    }
    fn handle_remove_source_component(&self, _name: Option<String>) -> Result<bool> {
        unsupported("remove_source_component")
    }
    fn handle_get_missing_content_hashes(
        &self,
        _file_hashes: Option<Vec<String>>,
    ) -> Result<Vec<String>> {
        unsupported("get_missing_content_hashes")
    }
    fn handle_get_missing_content_hashes_for_blame_info(
        &self,
        _file_hashes: Option<Vec<String>>,
    ) -> Result<Vec<String>> {
        unsupported("get_missing_content_hashes_for_blame_info")
    }
    fn handle_mass_store_run_asynchronous(
        &self,
        _zipfile_blob: Option<String>,
        _store_opts: Option<SubmittedRunOptions>,
    ) -> Result<String> {
        unsupported("mass_store_run_asynchronous")
    }
    fn handle_allows_storing_analysis_statistics(&self) -> Result<bool> {
        unsupported("allows_storing_analysis_statistics")
    }
    fn handle_get_analysis_statistics_limits(&self) -> Result<BTreeMap<StoreLimitKind, i64>> {
        unsupported("get_analysis_statistics_limits")
    }
    fn handle_store_analysis_statistics(
        &self,
        _run_name: Option<String>,
        _zipfile: Option<String>,
    ) -> Result<bool> {
        unsupported("store_analysis_statistics")
    }
    fn handle_get_analysis_statistics(
        &self,
        _run_id: Option<i64>,
        _run_history_id: Option<i64>,
    ) -> Result<BTreeMap<String, AnalyzerStatistics>> {
        unsupported("get_analysis_statistics")
    }
    fn handle_export_data(&self, _run_filter: Option<RunFilter>) -> Result<ExportData> {
        unsupported("export_data")
    }
    fn handle_import_data(&self, _export_data: Option<ExportData>) -> Result<bool> {
        unsupported("import_data")
    }
    fn handle_add_cleanup_plan(
        &self,
        _name: Option<String>,
        _description: Option<String>,
        _due_date: Option<i64>,
    ) -> Result<i64> {
        unsupported("add_cleanup_plan")
    }
    fn handle_update_cleanup_plan(
        &self,
        _id: Option<i64>,
        _name: Option<String>,
        _description: Option<String>,
        _due_date: Option<i64>,
    ) -> Result<bool> {
        unsupported("update_cleanup_plan")
    }
    fn handle_get_cleanup_plans(
        &self,
        _filter: Option<CleanupPlanFilter>,
    ) -> Result<Vec<CleanupPlan>> {
        unsupported("get_cleanup_plans")
    }
    fn handle_remove_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> Result<bool> {
        unsupported("remove_cleanup_plan")
    }
    fn handle_close_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> Result<bool> {
        unsupported("close_cleanup_plan")
    }
    fn handle_reopen_cleanup_plan(&self, _cleanup_plan_id: Option<i64>) -> Result<bool> {
        unsupported("reopen_cleanup_plan")
    }
    fn handle_set_cleanup_plan(
        &self,
        _cleanup_plan_id: Option<i64>,
        _report_hashes: Option<Vec<String>>,
    ) -> Result<bool> {
        unsupported("set_cleanup_plan")
    }
    fn handle_unset_cleanup_plan(
        &self,
        _cleanup_plan_id: Option<i64>,
        _report_hashes: Option<Vec<String>>,
    ) -> Result<bool> {
        unsupported("unset_cleanup_plan")
    }
}
