//! `cmd results RUN...`: the reports of runs, as CodeChecker lists them.

use std::collections::HashMap;

use codechecker_api::report_server::{
    BlameInfo, BugPathEvent, BugPathPos, CommentData, DetectionStatus, ExtendedReportData,
    ReportData, ReportDetails, ReportFilter, ReviewData, ReviewStatus, RunFilter, Severity,
    TCodeCheckerDBAccessSyncClient,
};

use crate::address::split_product_url;
use crate::cli::{OutputFormat, ResultsArgs};
use crate::cmd::runs::{all_runs, MAX_QUERY_SIZE};
use crate::connection::{ConnectOptions, Connection};
use crate::error::ClientError;
use crate::pydict;
use crate::pyjson::{self, PyValue};
use crate::table;

const REVIEW_STATUSES: [(&str, ReviewStatus); 4] = [
    ("UNREVIEWED", ReviewStatus::UNREVIEWED),
    ("CONFIRMED", ReviewStatus::CONFIRMED),
    ("FALSE_POSITIVE", ReviewStatus::FALSE_POSITIVE),
    ("INTENTIONAL", ReviewStatus::INTENTIONAL),
];

const DETECTION_STATUSES: [(&str, DetectionStatus); 6] = [
    ("NEW", DetectionStatus::NEW),
    ("RESOLVED", DetectionStatus::RESOLVED),
    ("UNRESOLVED", DetectionStatus::UNRESOLVED),
    ("REOPENED", DetectionStatus::REOPENED),
    ("OFF", DetectionStatus::OFF),
    ("UNAVAILABLE", DetectionStatus::UNAVAILABLE),
];

const SEVERITIES: [(&str, Severity); 6] = [
    ("UNSPECIFIED", Severity::UNSPECIFIED),
    ("STYLE", Severity::STYLE),
    ("LOW", Severity::LOW),
    ("MEDIUM", Severity::MEDIUM),
    ("HIGH", Severity::HIGH),
    ("CRITICAL", Severity::CRITICAL),
];

fn name_of<T: PartialEq + Copy>(
    table: &[(&'static str, T)],
    value: Option<T>,
) -> Option<&'static str> {
    let value = value?;
    table.iter().find(|(_, v)| *v == value).map(|(n, _)| *n)
}

/// Maps user-given names to enum values; unknown names are an error with
/// CodeChecker's message.
fn parse_values<T: Copy>(
    given: &[String],
    table: &[(&str, T)],
    what: &str,
) -> Result<Vec<T>, ClientError> {
    let mut out = Vec::new();
    let mut invalid = Vec::new();
    for g in given {
        match table.iter().find(|(n, _)| n.eq_ignore_ascii_case(g)) {
            Some((_, v)) => out.push(*v),
            None => invalid.push(g.to_lowercase()),
        }
    }
    if invalid.is_empty() {
        return Ok(out);
    }
    tracing::error!("Invalid {what} value(s): {}", invalid.join(","));
    let valid: Vec<String> = table.iter().map(|(n, _)| n.to_lowercase()).collect();
    tracing::error!("Valid values are: {}", valid.join(","));
    Err(ClientError::Exit(1))
}

fn event_json(e: &BugPathEvent) -> PyValue {
    pydict! {
        "startLine" => PyValue::opt_int(e.start_line),
        "startCol" => PyValue::opt_int(e.start_col),
        "endLine" => PyValue::opt_int(e.end_line),
        "endCol" => PyValue::opt_int(e.end_col),
        "msg" => PyValue::opt_str(e.msg.as_deref()),
        "fileId" => PyValue::opt_int(e.file_id),
        "filePath" => PyValue::opt_str(e.file_path.as_deref()),
    }
}

fn position_json(p: &BugPathPos) -> PyValue {
    pydict! {
        "startLine" => PyValue::opt_int(p.start_line),
        "startCol" => PyValue::opt_int(p.start_col),
        "endLine" => PyValue::opt_int(p.end_line),
        "endCol" => PyValue::opt_int(p.end_col),
        "fileId" => PyValue::opt_int(p.file_id),
        "filePath" => PyValue::opt_str(p.file_path.as_deref()),
    }
}

fn extended_json(x: &ExtendedReportData) -> PyValue {
    pydict! {
        "type" => PyValue::opt_int(x.type_.map(|t| i64::from(t.0))),
        "startLine" => PyValue::opt_int(x.start_line),
        "startCol" => PyValue::opt_int(x.start_col),
        "endLine" => PyValue::opt_int(x.end_line),
        "endCol" => PyValue::opt_int(x.end_col),
        "message" => PyValue::opt_str(x.message.as_deref()),
        "fileId" => PyValue::opt_int(x.file_id),
        "filePath" => PyValue::opt_str(x.file_path.as_deref()),
    }
}

fn comment_json(c: &CommentData) -> PyValue {
    pydict! {
        "id" => PyValue::opt_int(c.id),
        "author" => PyValue::opt_str(c.author.as_deref()),
        "message" => PyValue::opt_str(c.message.as_deref()),
        "createdAt" => PyValue::opt_str(c.created_at.as_deref()),
        "kind" => PyValue::opt_int(c.kind.map(|k| i64::from(k.0))),
    }
}

fn details_json(d: &ReportDetails) -> PyValue {
    pydict! {
        "pathEvents" => PyValue::opt_list(d.path_events.as_deref(), event_json),
        "executionPath" => PyValue::opt_list(d.execution_path.as_deref(), position_json),
        "extendedData" => PyValue::opt_list(d.extended_data.as_deref(), extended_json),
        "comments" => PyValue::opt_list(d.comments.as_deref(), comment_json),
    }
}

fn review_json(r: &ReviewData) -> PyValue {
    pydict! {
        "status" => PyValue::opt_int(r.status.map(|s| i64::from(s.0))),
        "comment" => PyValue::opt_str(r.comment.as_deref()),
        "author" => PyValue::opt_str(r.author.as_deref()),
        "date" => PyValue::opt_str(r.date.as_deref()),
        "isInSource" => PyValue::opt_bool(r.is_in_source),
    }
}

fn blame_json(b: &BlameInfo) -> PyValue {
    let commits = b.commits.as_ref().map_or(PyValue::Null, |m| {
        PyValue::Dict(
            m.iter()
                .map(|(hash, c)| {
                    let author = c.author.as_ref().map_or(PyValue::Null, |a| {
                        pydict! {
                            "name" => PyValue::opt_str(a.name.as_deref()),
                            "email" => PyValue::opt_str(a.email.as_deref()),
                        }
                    });
                    (
                        hash.clone(),
                        pydict! {
                            "author" => author,
                            "summary" => PyValue::opt_str(c.summary.as_deref()),
                            "message" => PyValue::opt_str(c.message.as_deref()),
                            "committedDateTime" => PyValue::opt_str(c.committed_date_time.as_deref()),
                        },
                    )
                })
                .collect(),
        )
    });
    pydict! {
        "commits" => commits,
        "blame" => PyValue::opt_list(b.blame.as_deref(), |d| pydict! {
            "startLine" => PyValue::opt_int(d.start_line),
            "endLine" => PyValue::opt_int(d.end_line),
            "commitHash" => PyValue::opt_str(d.commit_hash.as_deref()),
        }),
    }
}

/// A report as CodeChecker's client prints it in JSON (its Thrift fields,
/// then `runName`).
pub fn report_json(r: &ReportData, run_name: Option<&str>) -> PyValue {
    let mut v = pydict! {
        "runId" => PyValue::opt_int(r.run_id),
        "checkerId" => PyValue::opt_str(r.checker_id.as_deref()),
        "bugHash" => PyValue::opt_str(r.bug_hash.as_deref()),
        "checkedFile" => PyValue::opt_str(r.checked_file.as_deref()),
        "checkerMsg" => PyValue::opt_str(r.checker_msg.as_deref()),
        "reportId" => PyValue::opt_int(r.report_id),
        "fileId" => PyValue::opt_int(r.file_id),
        "line" => PyValue::opt_int(r.line),
        "column" => PyValue::opt_int(r.column),
        "severity" => PyValue::opt_int(r.severity.map(|s| i64::from(s.0))),
        "reviewData" => r.review_data.as_ref().map_or(PyValue::Null, review_json),
        "detectionStatus" => PyValue::opt_int(r.detection_status.map(|s| i64::from(s.0))),
        "detectedAt" => PyValue::opt_str(r.detected_at.as_deref()),
        "fixedAt" => PyValue::opt_str(r.fixed_at.as_deref()),
        "bugPathLength" => PyValue::opt_int(r.bug_path_length),
        "details" => r.details.as_ref().map_or(PyValue::Null, details_json),
        "analyzerName" => PyValue::opt_str(r.analyzer_name.as_deref()),
        "annotations" => r.annotations.as_ref().map_or(PyValue::Null, |m| {
            PyValue::Dict(m.iter().map(|(k, v)| (k.clone(), PyValue::Str(v.clone()))).collect())
        }),
        "blameInfo" => r.blame_info.as_ref().map_or(PyValue::Null, blame_json),
    };
    if let (PyValue::Dict(entries), Some(name)) = (&mut v, run_name) {
        entries.push(("runName".to_owned(), PyValue::Str(name.to_owned())));
    }
    v
}

/// `re.sub(r'\s+', ' ', s)`: every whitespace run becomes one space.
fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_space = false;
    for c in s.chars() {
        if ccreport::python_text::is_py_space(c) {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

fn report_row(r: &ReportData, details: bool) -> Vec<String> {
    let mut file = r.checked_file.clone().unwrap_or_default();
    if let Some(line) = r.line {
        file.push_str(&format!(" @ {line}"));
    }
    let mut msg = collapse_ws(r.checker_msg.as_deref().unwrap_or(""));
    if msg.chars().count() > 50 {
        msg = msg.chars().take(50).collect::<String>() + "...";
    }
    let review = r.review_data.as_ref().and_then(|d| d.status);
    let mut row = vec![
        file,
        r.checker_id.clone().unwrap_or_default(),
        name_of(&SEVERITIES, r.severity).unwrap_or("").to_owned(),
        msg,
        r.bug_path_length.map(|l| l.to_string()).unwrap_or_default(),
        r.analyzer_name.clone().unwrap_or_default(),
        name_of(&REVIEW_STATUSES, review).unwrap_or("").to_owned(),
        name_of(&DETECTION_STATUSES, r.detection_status)
            .unwrap_or("N/A")
            .to_owned(),
    ];
    if details {
        let commit = r
            .blame_info
            .as_ref()
            .and_then(|b| b.commits.as_ref())
            .and_then(|c| c.iter().next());
        match commit {
            Some((hash, c)) => row.extend([
                hash.clone(),
                c.committed_date_time.clone().unwrap_or_default(),
                c.summary.clone().unwrap_or_default(),
            ]),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
    }
    row
}

/// Runs the command; returns the exit code.
pub fn run(args: &ResultsArgs) -> Result<i32, ClientError> {
    let product = split_product_url(&args.url.product_url)?;
    let review = parse_values(&args.review_status, &REVIEW_STATUSES, "review status")?;
    let detection = parse_values(
        &args.detection_status,
        &DETECTION_STATUSES,
        "detection status",
    )?;
    let conn = Connection::open(&product.server, &ConnectOptions::default())?;
    let mut api = conn.report(&product.endpoint);
    let run_filter = RunFilter {
        names: Some(args.names.clone()),
        ..RunFilter::default()
    };
    let runs = all_runs(&mut api, &run_filter, None)?;
    let run_ids: Vec<i64> = runs.iter().filter_map(|r| r.run_id).collect();
    if run_ids.is_empty() {
        tracing::warn!("No runs were found!");
        return Err(ClientError::Exit(1));
    }
    let names: HashMap<i64, String> = runs
        .iter()
        .filter_map(|r| Some((r.run_id?, r.name.clone()?)))
        .collect();
    let filter = ReportFilter {
        review_status: Some(review),
        detection_status: Some(detection),
        is_unique: Some(false),
        file_matches_any_point: Some(false),
        component_matches_any_point: Some(false),
        full_report_path_in_component: Some(false),
        ..ReportFilter::default()
    };
    let json = args.output_format == OutputFormat::Json;
    let details = args.details && json;
    let mut reports = Vec::new();
    let mut offset = 0;
    loop {
        let page = api.call("getRunResults", |c| {
            c.get_run_results(
                Some(run_ids.clone()),
                Some(MAX_QUERY_SIZE),
                Some(offset),
                None,
                Some(filter.clone()),
                None,
                Some(details),
            )
        })?;
        let n = page.len();
        reports.extend(page);
        offset += MAX_QUERY_SIZE;
        if (n as i64) < MAX_QUERY_SIZE {
            break;
        }
    }
    if json {
        let list = reports
            .iter()
            .map(|r| {
                report_json(
                    r,
                    r.run_id.and_then(|id| names.get(&id)).map(String::as_str),
                )
            })
            .collect();
        println!("{}", pyjson::dumps(&PyValue::List(list)));
    } else {
        let mut header = vec![
            "File",
            "Checker",
            "Severity",
            "Message",
            "Bug path length",
            "Analyzer name",
            "Review status",
            "Detection status",
        ];
        if details {
            header.extend(["Commit hash", "Commit time", "Commit summary"]);
        }
        let rows = reports.iter().map(|r| report_row(r, details)).collect();
        println!("{}", table::with_header(&header, rows));
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_collapsed_and_cut() {
        let r = ReportData {
            checker_msg: Some("a\n\tb  c".into()),
            ..ReportData::default()
        };
        assert_eq!(report_row(&r, false)[3], "a b c");
        let long = ReportData {
            checker_msg: Some("x".repeat(60)),
            ..ReportData::default()
        };
        assert_eq!(
            report_row(&long, false)[3],
            format!("{}...", "x".repeat(50))
        );
    }
}
