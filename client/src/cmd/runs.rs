//! `cmd runs`: the analysis runs of a product.

use codechecker_api::report_server::{
    AnalyzerStatistics, Order, RunData, RunFilter, RunSortMode, RunSortType,
    TCodeCheckerDBAccessSyncClient,
};

use crate::address::split_product_url;
use crate::cli::{OutputFormat, RunsArgs};
use crate::connection::{Api, ConnectOptions, Connection, ReportClient};
use crate::error::ClientError;
use crate::pydict;
use crate::pyjson::{self, PyValue};
use crate::table;

/// Page size of listing calls (the server's maximum).
pub const MAX_QUERY_SIZE: i64 = 500;

/// Every run matching `filter`, fetched page by page.
pub fn all_runs(
    api: &mut Api<'_, ReportClient>,
    filter: &RunFilter,
    sort: Option<RunSortMode>,
) -> Result<Vec<RunData>, ClientError> {
    let mut runs = Vec::new();
    let mut offset = 0;
    loop {
        let page = api.call("getRunData", |c| {
            c.get_run_data(
                Some(filter.clone()),
                Some(MAX_QUERY_SIZE),
                Some(offset),
                sort.clone(),
            )
        })?;
        let n = page.len();
        runs.extend(page);
        offset += MAX_QUERY_SIZE;
        if (n as i64) < MAX_QUERY_SIZE {
            return Ok(runs);
        }
    }
}

fn statistics_json(s: &AnalyzerStatistics) -> PyValue {
    pydict! {
        "version" => PyValue::opt_str(s.version.as_deref()),
        "failed" => PyValue::opt_int(s.failed),
        "successful" => PyValue::opt_int(s.successful),
        "failedFilePaths" => PyValue::opt_list(s.failed_file_paths.as_deref(), |p| PyValue::Str(p.clone())),
    }
}

/// A run as CodeChecker's client prints it in JSON (its Thrift fields).
pub fn run_json(r: &RunData) -> PyValue {
    pydict! {
        "runId" => PyValue::opt_int(r.run_id),
        "runDate" => PyValue::opt_str(r.run_date.as_deref()),
        "name" => PyValue::opt_str(r.name.as_deref()),
        "duration" => PyValue::opt_int(r.duration),
        "resultCount" => PyValue::opt_int(r.result_count),
        "runCmd" => PyValue::opt_str(r.run_cmd.as_deref()),
        "detectionStatusCount" => r.detection_status_count.as_ref().map_or(PyValue::Null, |m| {
            PyValue::Dict(m.iter().map(|(k, v)| (k.0.to_string(), PyValue::Int(i64::from(*v)))).collect())
        }),
        "versionTag" => PyValue::opt_str(r.version_tag.as_deref()),
        "codeCheckerVersion" => PyValue::opt_str(r.code_checker_version.as_deref()),
        "analyzerStatistics" => r.analyzer_statistics.as_ref().map_or(PyValue::Null, |m| {
            PyValue::Dict(m.iter().map(|(k, v)| (k.clone(), statistics_json(v))).collect())
        }),
        "description" => PyValue::opt_str(r.description.as_deref()),
    }
}

/// Python's `str(timedelta(seconds=s))`.
fn duration_text(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let rest = seconds.rem_euclid(86_400);
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    match days {
        0 => hms,
        1 | -1 => format!("{days} day, {hms}"),
        _ => format!("{days} days, {hms}"),
    }
}

fn run_row(r: &RunData) -> Vec<String> {
    let duration = r.duration.unwrap_or(-1);
    let stats = r
        .analyzer_statistics
        .as_ref()
        .map(|m| {
            m.iter()
                .map(|(name, s)| {
                    let ok = s.successful.unwrap_or(0);
                    format!("{name} ({}/{ok})", ok + s.failed.unwrap_or(0))
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    vec![
        r.name.clone().unwrap_or_default(),
        r.result_count.unwrap_or(0).to_string(),
        stats,
        r.run_date.clone().unwrap_or_default(),
        r.version_tag.clone().unwrap_or_default(),
        if duration > -1 {
            duration_text(duration)
        } else {
            "Not finished".to_owned()
        },
        r.description.clone().unwrap_or_default(),
        r.code_checker_version.clone().unwrap_or_default(),
    ]
}

/// Runs the command; returns the exit code.
pub fn run(args: &RunsArgs) -> Result<i32, ClientError> {
    let product = split_product_url(&args.url.product_url)?;
    let conn = Connection::open(&product.server, &ConnectOptions::default())?;
    let filter = RunFilter {
        names: args.names.clone(),
        exact_match: args.names.as_ref().map(|_| false),
        ..RunFilter::default()
    };
    let sort = RunSortMode {
        type_: Some(RunSortType::DATE),
        ord: Some(Order::DESC),
    };
    let runs = all_runs(&mut conn.report(&product.endpoint), &filter, Some(sort))?;
    if args.output_format == OutputFormat::Json {
        let list = runs
            .iter()
            .map(|r| PyValue::Dict(vec![(r.name.clone().unwrap_or_default(), run_json(r))]))
            .collect();
        print!("{}", pyjson::dumps_indent(&PyValue::List(list), 4));
    } else {
        let header = [
            "Name",
            "Number of unresolved reports",
            "Analyzer statistics",
            "Storage date",
            "Version tag",
            "Duration",
            "Description",
            "CodeChecker version",
        ];
        println!(
            "{}",
            table::with_header(&header, runs.iter().map(run_row).collect())
        );
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_like_python() {
        assert_eq!(duration_text(0), "0:00:00");
        assert_eq!(duration_text(3725), "1:02:05");
        assert_eq!(duration_text(90_000), "1 day, 1:00:00");
        assert_eq!(duration_text(200_000), "2 days, 7:33:20");
    }
}
