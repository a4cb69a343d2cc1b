//! The read side of `CodeCheckerService`: runs, their history, reports and
//! source files, as `CodeChecker cmd runs/results/...` ask for them.

use std::collections::BTreeMap;

use base64::Engine as _;
use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;
use productdb::ReportQuery;

use super::convert;
use super::ReportHandler;
use crate::api::errors::{database, general, missing_argument, request_failed};

/// The most rows one query returns (CodeChecker's `MAX_QUERY_SIZE`).
pub const MAX_QUERY_SIZE: i64 = 500;

/// CodeChecker's cap of a requested page size.
pub fn page(limit: Option<i64>) -> i64 {
    match limit {
        Some(l) if l > 0 => l.min(MAX_QUERY_SIZE),
        _ => MAX_QUERY_SIZE,
    }
}

impl ReportHandler<'_> {
    pub(super) fn run_data(
        &self,
        filter: Option<api::RunFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
        sort: Option<api::RunSortMode>,
    ) -> thrift::Result<Vec<api::RunData>> {
        let db = self.db()?;
        let runs = db
            .runs(
                &convert::run_filter(filter),
                convert::run_sort(sort),
                Some(page(limit)),
                offset.unwrap_or(0).max(0),
            )
            .map_err(database)?;
        Ok(runs.iter().map(convert::run_data).collect())
    }

    pub(super) fn run_count(&self, filter: Option<api::RunFilter>) -> thrift::Result<i64> {
        self.db()?
            .run_count(&convert::run_filter(filter))
            .map_err(database)
    }

    pub(super) fn run_history(
        &self,
        run_ids: Option<Vec<i64>>,
        limit: Option<i64>,
        offset: Option<i64>,
        filter: Option<api::RunHistoryFilter>,
    ) -> thrift::Result<Vec<api::RunHistoryData>> {
        let rows = self
            .db()?
            .run_histories(
                run_ids.as_deref(),
                &convert::history_filter(filter),
                Some(page(limit)),
                offset.unwrap_or(0).max(0),
            )
            .map_err(database)?;
        Ok(rows.iter().map(convert::history).collect())
    }

    pub(super) fn run_history_count(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::RunHistoryFilter>,
    ) -> thrift::Result<i64> {
        self.db()?
            .run_history_count(run_ids.as_deref(), &convert::history_filter(filter))
            .map_err(database)
    }

    pub(super) fn analysis_info(
        &self,
        filter: Option<api::AnalysisInfoFilter>,
        limit: Option<i64>,
        offset: Option<i64>,
    ) -> thrift::Result<Vec<api::AnalysisInfo>> {
        let Some(filter) = filter else {
            return Ok(Vec::new());
        };
        let rows = self
            .db()?
            .analysis_info(
                filter.run_id,
                filter.run_history_id,
                filter.report_id,
                limit.filter(|l| *l > 0),
                offset.unwrap_or(0).max(0),
            )
            .map_err(database)?;
        Ok(rows.iter().map(convert::analysis_info).collect())
    }

    pub(super) fn check_command(
        &self,
        run_history_id: Option<i64>,
        run_id: Option<i64>,
    ) -> thrift::Result<String> {
        let filter = api::AnalysisInfoFilter {
            run_id,
            run_history_id,
            report_id: None,
        };
        let infos = self.analysis_info(Some(filter), None, None)?;
        Ok(infos
            .into_iter()
            .filter_map(|i| i.analyzer_command)
            .collect::<Vec<_>>()
            .join("; "))
    }

    pub(super) fn analysis_statistics(
        &self,
        run_id: Option<i64>,
        run_history_id: Option<i64>,
    ) -> thrift::Result<BTreeMap<String, api::AnalyzerStatistics>> {
        let rows = self
            .db()?
            .analysis_statistics(run_id, run_history_id)
            .map_err(database)?;
        Ok(rows
            .into_iter()
            .map(|s| {
                (
                    s.analyzer,
                    api::AnalyzerStatistics {
                        version: s.version,
                        failed: Some(s.failed),
                        successful: Some(s.successful),
                        failed_file_paths: Some(s.failed_files),
                    },
                )
            })
            .collect())
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn run_results(
        &self,
        run_ids: Option<Vec<i64>>,
        limit: Option<i64>,
        offset: Option<i64>,
        sort: Option<Vec<api::SortMode>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
        get_details: Option<bool>,
    ) -> thrift::Result<Vec<api::ReportData>> {
        let compare = convert::compare(cmp_data).map_err(general)?;
        let filter = convert::report_filter(filter).map_err(general)?;
        let unique = filter.is_unique;
        let details = get_details.unwrap_or(false);
        let db = self.db()?;
        let rows = db
            .reports(&ReportQuery {
                run_ids,
                filter,
                sort: convert::report_sort(sort),
                limit: Some(page(limit)),
                offset: offset.unwrap_or(0).max(0),
                with_details: details,
                compare,
            })
            .map_err(database)?;
        let mut out = Vec::with_capacity(rows.len());
        let mut blames: BTreeMap<i64, api::BlameInfo> = BTreeMap::new();
        for row in &rows {
            let mut data = convert::report_data(row, unique);
            if details {
                let blame = match blames.get(&row.file_id) {
                    Some(b) => b.clone(),
                    None => {
                        let b = self.blame(&db, row.file_id)?;
                        blames.insert(row.file_id, b.clone());
                        b
                    }
                };
                data.blame_info = Some(convert::blame_on_line(blame, row.line));
            }
            out.push(data);
        }
        Ok(out)
    }

    pub(super) fn run_result_count(
        &self,
        run_ids: Option<Vec<i64>>,
        filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<i64> {
        let compare = convert::compare(cmp_data).map_err(general)?;
        let filter = convert::report_filter(filter).map_err(general)?;
        self.db()?
            .report_count(run_ids.as_deref(), &filter, compare.as_ref())
            .map_err(database)
    }

    pub(super) fn report(&self, report_id: Option<i64>) -> thrift::Result<api::ReportData> {
        let id = report_id.ok_or_else(|| missing_argument("reportId"))?;
        match self.db()?.report(id).map_err(database)? {
            Some(row) => Ok(convert::report_summary(&row)),
            None => Err(request_failed(
                ErrorCode::DATABASE,
                format!("Report {id} not found!"),
            )),
        }
    }

    pub(super) fn report_details(
        &self,
        report_id: Option<i64>,
    ) -> thrift::Result<api::ReportDetails> {
        let id = report_id.ok_or_else(|| missing_argument("reportId"))?;
        let mut all = self.db()?.report_details(&[id]).map_err(database)?;
        Ok(all
            .remove(&id)
            .map(|d| convert::details(&d))
            .unwrap_or_else(|| convert::details(&productdb::ReportDetails::default())))
    }

    pub(super) fn source_file_data(
        &self,
        file_id: Option<i64>,
        with_content: Option<bool>,
        encoding: Option<api::Encoding>,
    ) -> thrift::Result<api::SourceFileData> {
        let id = file_id.ok_or_else(|| missing_argument("fileId"))?;
        let with_content = with_content.unwrap_or(false);
        let Some(file) = self.db()?.source_file(id, with_content).map_err(database)? else {
            return Ok(api::SourceFileData::default());
        };
        let content = file.content.map(|bytes| {
            if encoding == Some(api::Encoding::BASE64) {
                base64::engine::general_purpose::STANDARD.encode(bytes)
            } else {
                ccreport::python_text::decode_utf8_ignore(&bytes).into_owned()
            }
        });
        Ok(api::SourceFileData {
            file_id: Some(file.id),
            file_path: Some(file.path),
            file_content: content,
            has_blame_info: Some(file.has_blame),
            remote_url: file.remote_url,
            tracking_branch: file.tracking_branch,
        })
    }

    pub(super) fn blame_info(&self, file_id: Option<i64>) -> thrift::Result<api::BlameInfo> {
        let id = file_id.ok_or_else(|| missing_argument("fileId"))?;
        let db = self.db()?;
        self.blame(&db, id)
    }

    fn blame(&self, db: &productdb::ProductDb, file_id: i64) -> thrift::Result<api::BlameInfo> {
        match db.blame_info(file_id).map_err(database)? {
            None => Ok(api::BlameInfo::default()),
            Some(json) => convert::blame_info(&json).map_err(|_| {
                request_failed(
                    ErrorCode::DATABASE,
                    format!("Failed to get blame information for file id: {file_id}"),
                )
            }),
        }
    }

    pub(super) fn lines_in_files(
        &self,
        requested: Option<Vec<api::LinesInFilesRequested>>,
        encoding: Option<api::Encoding>,
    ) -> thrift::Result<BTreeMap<i64, BTreeMap<i64, String>>> {
        let db = self.db()?;
        let mut out: BTreeMap<i64, BTreeMap<i64, String>> = BTreeMap::new();
        for req in requested.unwrap_or_default() {
            let Some(file_id) = req.file_id else { continue };
            let content = db
                .source_file(file_id, true)
                .map_err(database)?
                .and_then(|f| f.content)
                .unwrap_or_default();
            let text = ccreport::python_text::decode_utf8_ignore(&content);
            let lines: Vec<&str> = text.split('\n').collect();
            let entry = out.entry(file_id).or_default();
            for line in req.lines.unwrap_or_default() {
                let l = usize::try_from(line).ok().filter(|l| *l >= 1);
                let text = l.and_then(|l| lines.get(l - 1)).copied().unwrap_or("");
                let text = if encoding == Some(api::Encoding::BASE64) {
                    base64::engine::general_purpose::STANDARD.encode(text)
                } else {
                    text.to_owned()
                };
                entry.insert(line, text);
            }
        }
        Ok(out)
    }

    pub(super) fn checker_labels(
        &self,
        checkers: Option<Vec<api::Checker>>,
    ) -> thrift::Result<Vec<Vec<String>>> {
        Ok(checkers
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                let analyzer = c
                    .analyzer_name
                    .filter(|a| !a.is_empty() && !a.eq_ignore_ascii_case("unknown"));
                let checker = c.checker_id.unwrap_or_default();
                self.state
                    .labels
                    .labels_of(&checker, analyzer.as_deref())
                    .into_iter()
                    .map(|(k, v)| format!("{k}:{v}"))
                    .collect()
            })
            .collect())
    }

    /// `getGuidelineRules`: each named guideline's rules (rule ids in lower
    /// case) with the checkers labelled `<guideline>:<rule id>`; an unknown
    /// guideline maps to no rules.
    pub(super) fn guideline_rules(
        &self,
        guidelines: Option<Vec<api::Guideline>>,
    ) -> thrift::Result<std::collections::BTreeMap<String, Vec<api::Rule>>> {
        let mut out = std::collections::BTreeMap::new();
        for g in guidelines.unwrap_or_default() {
            let name = g.guideline_name.unwrap_or_default();
            let rules = crate::guidelines::rules_of(&name)
                .unwrap_or_default()
                .iter()
                .map(|r| api::Rule {
                    rule_id: Some(r.rule_id.to_lowercase()),
                    title: Some(r.title.clone()),
                    url: Some(r.rule_url.clone()),
                    checkers: Some(self.state.labels.checkers_with_label(&name, &r.rule_id)),
                    level: Some(r.level.clone()),
                })
                .collect();
            out.insert(name, rules);
        }
        Ok(out)
    }
}
