//! Between the wire types of `CodeCheckerService` and the product database's
//! rows and queries, with CodeChecker's formatting of dates and texts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use codechecker_api::report_server as api;
use productdb as db;

/// Python's `str(datetime)`: `YYYY-MM-DD HH:MM:SS[.ffffff]`.
pub fn py_datetime(t: DateTime<Utc>) -> String {
    let naive = t.naive_utc();
    if t.timestamp_subsec_micros() == 0 {
        naive.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        naive.format("%Y-%m-%d %H:%M:%S%.6f").to_string()
    }
}

/// Python's `html.escape` (quotes included).
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            other => out.push(other),
        }
    }
    out
}

fn severity(s: db::Severity) -> api::Severity {
    api::Severity(s.to_thrift())
}

fn detection(s: db::DetectionStatus) -> api::DetectionStatus {
    api::DetectionStatus(s.to_thrift())
}

fn review_status(s: db::ReviewStatus) -> api::ReviewStatus {
    match s {
        db::ReviewStatus::Unreviewed => api::ReviewStatus::UNREVIEWED,
        db::ReviewStatus::Confirmed => api::ReviewStatus::CONFIRMED,
        db::ReviewStatus::FalsePositive => api::ReviewStatus::FALSE_POSITIVE,
        db::ReviewStatus::Intentional => api::ReviewStatus::INTENTIONAL,
    }
}

/// The product database's review status of a wire value.
pub fn review_status_from(s: api::ReviewStatus) -> Option<db::ReviewStatus> {
    Some(match s {
        api::ReviewStatus::UNREVIEWED => db::ReviewStatus::Unreviewed,
        api::ReviewStatus::CONFIRMED => db::ReviewStatus::Confirmed,
        api::ReviewStatus::FALSE_POSITIVE => db::ReviewStatus::FalsePositive,
        api::ReviewStatus::INTENTIONAL => db::ReviewStatus::Intentional,
        _ => return None,
    })
}

fn statistics(rows: &[db::AnalyzerStatisticRow]) -> BTreeMap<String, api::AnalyzerStatistics> {
    rows.iter()
        .map(|s| {
            (
                s.analyzer.clone(),
                api::AnalyzerStatistics {
                    failed: Some(s.failed),
                    successful: Some(s.successful),
                    ..Default::default()
                },
            )
        })
        .collect()
}

/// A run as `getRunData` lists it.
pub fn run_data(run: &db::RunRow) -> api::RunData {
    api::RunData {
        run_id: Some(run.id),
        run_date: Some(py_datetime(run.date)),
        name: Some(run.name.clone()),
        duration: Some(run.duration),
        result_count: Some(run.result_count),
        run_cmd: None,
        detection_status_count: Some(
            run.detection_status_count
                .iter()
                .map(|(s, n)| (detection(*s), i32::try_from(*n).unwrap_or(i32::MAX)))
                .collect(),
        ),
        version_tag: run.version_tag.clone(),
        code_checker_version: run.cc_version.clone(),
        analyzer_statistics: Some(statistics(&run.analyzer_statistics)),
        description: run.description.clone(),
    }
}

/// The run filter of a request.
pub fn run_filter(f: Option<api::RunFilter>) -> db::RunFilter {
    let f = f.unwrap_or_default();
    db::RunFilter {
        ids: f.ids,
        names: f.names,
        exact_match: f.exact_match.unwrap_or(false),
        before_time: f.before_time,
        after_time: f.after_time,
        before_run: f.before_run,
        after_run: f.after_run,
    }
}

/// The run ordering of a request.
pub fn run_sort(mode: Option<api::RunSortMode>) -> Option<db::RunSort> {
    let mode = mode?;
    let key = match mode.type_? {
        api::RunSortType::NAME => db::RunSortKey::Name,
        api::RunSortType::UNRESOLVED_REPORTS => db::RunSortKey::UnresolvedReports,
        api::RunSortType::DURATION => db::RunSortKey::Duration,
        api::RunSortType::CC_VERSION => db::RunSortKey::CcVersion,
        _ => db::RunSortKey::Date,
    };
    Some(db::RunSort {
        key,
        descending: mode.ord == Some(api::Order::DESC),
    })
}

/// A run history entry as `getRunHistory` lists it.
pub fn history(h: &db::RunHistoryRow) -> api::RunHistoryData {
    api::RunHistoryData {
        run_id: Some(h.run_id),
        run_name: Some(h.run_name.clone()),
        version_tag: h.version_tag.clone(),
        user: Some(h.user.clone()),
        time: Some(py_datetime(h.time)),
        id: Some(h.id),
        check_command: None,
        code_checker_version: h.cc_version.clone(),
        analyzer_statistics: Some(statistics(&h.analyzer_statistics)),
        description: h.description.clone(),
    }
}

fn interval(i: Option<api::DateInterval>) -> Option<db::TimeInterval> {
    i.map(|i| db::TimeInterval {
        after: i.after,
        before: i.before,
    })
}

/// The run history filter of a request.
pub fn history_filter(f: Option<api::RunHistoryFilter>) -> db::RunHistoryFilter {
    let f = f.unwrap_or_default();
    db::RunHistoryFilter {
        tag_names: f.tag_names,
        tag_ids: f.tag_ids,
        stored: interval(f.stored),
    }
}

/// The report filter of a request.
pub fn report_filter(f: Option<api::ReportFilter>) -> Result<db::ReportFilter, String> {
    let f = f.unwrap_or_default();
    let date = f.date.unwrap_or_default();
    Ok(db::ReportFilter {
        file_paths: f.filepath,
        checker_msgs: f.checker_msg,
        checker_names: f.checker_name,
        analyzer_names: f.analyzer_names,
        report_hashes: f.report_hash,
        severities: f.severity.map(|v| {
            v.into_iter()
                .filter_map(|s| db::Severity::from_thrift(s.0))
                .collect()
        }),
        review_statuses: f
            .review_status
            .map(|v| v.into_iter().filter_map(review_status_from).collect()),
        detection_statuses: f.detection_status.map(|v| {
            v.into_iter()
                .filter_map(|s| db::DetectionStatus::from_thrift(s.0))
                .collect()
        }),
        report_statuses: f.report_status.map(|v| {
            v.into_iter()
                .filter_map(|s| match s {
                    api::ReportStatus::OUTSTANDING => Some(db::ReportStatus::Outstanding),
                    api::ReportStatus::CLOSED => Some(db::ReportStatus::Closed),
                    _ => None,
                })
                .collect()
        }),
        run_names: f.run_name,
        is_unique: f.is_unique.unwrap_or(false),
        file_matches_any_point: f.file_matches_any_point.unwrap_or(false),
        bug_path_length: f.bug_path_length.map(|r| (r.min, r.max)),
        detected: interval(date.detected),
        fixed: interval(date.fixed),
        open_reports_date: f.open_reports_date,
        run_tags: f.run_tag,
        first_detection_date: f.first_detection_date,
        fix_date: f.fix_date,
        annotations: f.annotations.map(|v| {
            v.into_iter()
                .filter_map(|p| Some((p.first?, p.second?)))
                .collect()
        }),
        component_names: f.component_names.filter(|c| !c.is_empty()),
        component_matches_any_point: f.component_matches_any_point.unwrap_or(false),
        full_report_path_in_component: f.full_report_path_in_component.unwrap_or(false),
        cleanup_plan_names: f.cleanup_plan_names,
    })
}

/// The report ordering of a request.
/// The other side of a comparison (`CompareData`), or why it is invalid.
/// CodeChecker treats a missing `diffType` as `NEW`.
pub fn compare(c: Option<api::CompareData>) -> Result<Option<db::Compare>, String> {
    let Some(c) = c else {
        return Ok(None);
    };
    let diff = match c.diff_type.unwrap_or(api::DiffType::NEW) {
        api::DiffType::NEW => db::DiffKind::New,
        api::DiffType::RESOLVED => db::DiffKind::Resolved,
        api::DiffType::UNRESOLVED => db::DiffKind::Unresolved,
        other => return Err(format!("Unknown diff type {}.", other.0)),
    };
    Ok(Some(db::Compare {
        run_ids: c.run_ids,
        run_tags: c.run_tag,
        open_reports_date: c.open_reports_date,
        diff,
    }))
}

pub fn report_sort(modes: Option<Vec<api::SortMode>>) -> Option<Vec<db::ReportSort>> {
    let modes = modes?;
    Some(
        modes
            .into_iter()
            .filter_map(|m| {
                let key = match m.type_? {
                    api::SortType::FILENAME => db::ReportSortKey::FileName,
                    api::SortType::CHECKER_NAME => db::ReportSortKey::CheckerName,
                    api::SortType::SEVERITY => db::ReportSortKey::Severity,
                    api::SortType::REVIEW_STATUS => db::ReportSortKey::ReviewStatus,
                    api::SortType::DETECTION_STATUS => db::ReportSortKey::DetectionStatus,
                    api::SortType::BUG_PATH_LENGTH => db::ReportSortKey::BugPathLength,
                    api::SortType::TIMESTAMP => db::ReportSortKey::Timestamp,
                    api::SortType::TESTCASE => db::ReportSortKey::Testcase,
                    api::SortType::CHRONOLOGICAL_ORDER => db::ReportSortKey::ChronologicalOrder,
                    _ => return None,
                };
                Some(db::ReportSort {
                    key,
                    descending: m.ord == Some(api::Order::DESC),
                })
            })
            .collect(),
    )
}

/// A report's review status as the API shows it.
pub fn review(r: &db::ReviewRow) -> api::ReviewData {
    api::ReviewData {
        status: Some(review_status(r.status)),
        comment: r.message.clone(),
        author: r.author.clone(),
        date: r.date.map(py_datetime),
        is_in_source: Some(r.in_source),
    }
}

/// How `getRunResults` lists a report. In unique mode CodeChecker shows the
/// file's name rather than its path, and an unset fix date as `None`.
pub fn report_data(r: &db::ReportRow, unique: bool) -> api::ReportData {
    let checked_file = if unique {
        r.file_path
            .rsplit('/')
            .next()
            .unwrap_or(&r.file_path)
            .to_owned()
    } else {
        r.file_path.clone()
    };
    let fixed_at = match (r.fixed_at, unique) {
        (Some(t), _) => Some(py_datetime(t)),
        (None, true) => Some("None".to_owned()),
        (None, false) => None,
    };
    api::ReportData {
        run_id: Some(r.run_id),
        checker_id: Some(r.checker_name.clone()),
        bug_hash: Some(r.bug_hash.clone()),
        checked_file: Some(checked_file),
        checker_msg: Some(r.message.clone()),
        report_id: Some(r.id),
        file_id: Some(r.file_id),
        line: Some(r.line),
        column: Some(r.column),
        severity: Some(severity(r.severity)),
        review_data: Some(review(&r.review)),
        detection_status: Some(detection(r.detection_status)),
        detected_at: Some(py_datetime(r.detected_at)),
        fixed_at,
        bug_path_length: Some(r.bug_path_length),
        details: r.details.as_ref().map(details),
        analyzer_name: Some(r.analyzer_name.clone()),
        annotations: Some(r.annotations.iter().cloned().collect()),
        blame_info: None,
    }
}

/// `getReport`'s shorter form of a report.
pub fn report_summary(r: &db::ReportRow) -> api::ReportData {
    let mut data = report_data(r, false);
    data.bug_path_length = None;
    data.annotations = None;
    data.details = None;
    data
}

/// The bug path and extras of a report.
pub fn details(d: &db::ReportDetails) -> api::ReportDetails {
    api::ReportDetails {
        path_events: Some(
            d.events
                .iter()
                .map(|e| api::BugPathEvent {
                    start_line: Some(e.start_line),
                    start_col: Some(e.start_col),
                    end_line: Some(e.end_line),
                    end_col: Some(e.end_col),
                    msg: e.message.clone(),
                    file_id: Some(e.file_id),
                    file_path: Some(e.file_path.clone()),
                })
                .collect(),
        ),
        execution_path: Some(
            d.positions
                .iter()
                .map(|p| api::BugPathPos {
                    start_line: Some(p.start_line),
                    start_col: Some(p.start_col),
                    end_line: Some(p.end_line),
                    end_col: Some(p.end_col),
                    file_id: Some(p.file_id),
                    file_path: Some(p.file_path.clone()),
                })
                .collect(),
        ),
        extended_data: Some(
            d.extended
                .iter()
                .map(|(kind, p)| api::ExtendedReportData {
                    type_: Some(api::ExtendedReportDataType(*kind as i32)),
                    start_line: Some(p.start_line),
                    start_col: Some(p.start_col),
                    end_line: Some(p.end_line),
                    end_col: Some(p.end_col),
                    message: p.message.clone(),
                    file_id: Some(p.file_id),
                    file_path: Some(p.file_path.clone()),
                })
                .collect(),
        ),
        comments: Some(
            d.comments
                .iter()
                .map(|c| {
                    // A system comment CodeChecker cannot render fails its
                    // whole request; here it is shown as stored, escaped.
                    super::comments::comment_data(c).unwrap_or_else(|_| api::CommentData {
                        id: Some(c.id),
                        author: Some(c.author.clone()),
                        message: Some(html_escape(&c.message)),
                        created_at: Some(py_datetime(c.created_at)),
                        kind: Some(super::comments::kind(c.system)),
                    })
                })
                .collect(),
        ),
    }
}

/// An analysis-info entry; the command is HTML-escaped as CodeChecker does.
pub fn analysis_info(a: &db::AnalysisInfoRow) -> api::AnalysisInfo {
    let mut checkers: BTreeMap<String, BTreeMap<String, api::AnalysisInfoChecker>> =
        BTreeMap::new();
    for (analyzer, checker, enabled) in &a.checkers {
        checkers.entry(analyzer.clone()).or_default().insert(
            checker.clone(),
            api::AnalysisInfoChecker {
                enabled: Some(*enabled),
            },
        );
    }
    api::AnalysisInfo {
        analyzer_command: Some(html_escape(&a.command)),
        checkers: Some(checkers),
    }
}

/// Blame data stored as JSON (`{"commits": {...}, "blame": [...]}`).
pub fn blame_info(json: &str) -> Result<api::BlameInfo, String> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
    let mut commits = BTreeMap::new();
    if let Some(map) = value.get("commits").and_then(|c| c.as_object()) {
        for (hash, c) in map {
            let author = c.get("author").unwrap_or(&serde_json::Value::Null);
            commits.insert(
                hash.clone(),
                api::Commit {
                    author: Some(api::CommitAuthor {
                        name: author.get("name").and_then(text),
                        email: author.get("email").and_then(text),
                    }),
                    summary: c.get("summary").and_then(text),
                    message: c.get("message").and_then(text).map(|m| html_escape(&m)),
                    committed_date_time: c.get("committed_datetime").and_then(text),
                },
            );
        }
    }
    let blame = value
        .get("blame")
        .and_then(|b| b.as_array())
        .map(|list| {
            list.iter()
                .map(|b| api::BlameData {
                    start_line: b.get("from").and_then(|v| v.as_i64()),
                    end_line: b.get("to").and_then(|v| v.as_i64()),
                    commit_hash: b.get("commit").and_then(text),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(api::BlameInfo {
        commits: Some(commits),
        blame: Some(blame),
    })
}

/// The blame of one line: its blame entries and their commit.
pub fn blame_on_line(info: api::BlameInfo, line: i64) -> api::BlameInfo {
    let (Some(commits), Some(blame)) = (&info.commits, &info.blame) else {
        return info;
    };
    if commits.is_empty() || blame.is_empty() {
        return info;
    }
    let on_line: Vec<api::BlameData> = blame
        .iter()
        .filter(|b| b.start_line.unwrap_or(0) <= line && line <= b.end_line.unwrap_or(0))
        .cloned()
        .collect();
    let hash = on_line.first().and_then(|b| b.commit_hash.clone());
    let commits = commits
        .iter()
        .filter(|(h, _)| Some(*h) == hash.as_ref())
        .map(|(h, c)| (h.clone(), c.clone()))
        .collect();
    api::BlameInfo {
        commits: Some(commits),
        blame: Some(on_line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_date_format() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(py_datetime(t), "2023-11-14 22:13:20");
        let t = DateTime::from_timestamp(1_700_000_000, 5_000).unwrap();
        assert_eq!(py_datetime(t), "2023-11-14 22:13:20.000005");
    }

    #[test]
    fn escapes_like_python() {
        assert_eq!(html_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#x27;");
    }
}
