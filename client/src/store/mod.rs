//! `store`: uploads analysis results like `CodeChecker store` 6.29 does,
//! but reads, hashes and packs in parallel.
//!
//! Steps: read plists and side files ([`collect`]), refuse sources changed
//! since the analysis, check the product's report limit, hash sources
//! ([`sources`]), ask the server which contents and blame it lacks, add
//! files with review comments, collect git blame ([`blame`]), pack the
//! upload ([`pack`]), send it with `massStoreRunAsynchronous` (or
//! `massStoreRun` for old servers / `CC_FORCE_SYNC_STORE`) and wait for the
//! server to process it ([`crate::await_task`]).

pub mod blame;
pub mod collect;
pub mod config_file;
pub mod pack;
pub mod plist_writer;
pub mod progress;
pub mod pzlib;
pub mod sources;
pub mod zipstream;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::time::Instant;

use codechecker_api::products::TCodeCheckerProductServiceSyncClient;
use codechecker_api::report_server::{
    StoreLimitKind, SubmittedRunOptions, TCodeCheckerDBAccessSyncClient,
};
use codechecker_api::tasks::TaskStatus;

use crate::address::split_product_url;
use crate::await_task::{await_task_termination_with, status_name, AwaitError, AwaitOptions};
use crate::cli::StoreArgs;
use crate::connection::{Api, ConnectOptions, Connection, ReportClient};
use crate::error::{CallError, ClientError};
use crate::table;

/// The CodeChecker version this client stands in for; sent as the storing
/// client's version and written into the uploaded plists.
pub const CODECHECKER_VERSION: &str = "6.29.1";

/// Largest compressed upload CodeChecker's client sends (1 GiB).
pub const MAX_UPLOAD_SIZE: u64 = 1 << 30;

/// A problem with the inputs or the upload.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Unusable input, with a message for the user.
    #[error("{0}")]
    Input(String),
}

impl From<StoreError> for ClientError {
    fn from(e: StoreError) -> Self {
        ClientError::Failed(e.to_string())
    }
}

/// Python's `format_size`: `12.3 KiB`.
fn format_size(bytes: u64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < units.len() {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{size:.1} {}", units[unit])
    }
}

fn default_input() -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(".codechecker").join("reports")
}

/// Uploads `args.input`; returns the exit code.
pub fn run(args: &StoreArgs) -> Result<i32, ClientError> {
    let args = match &args.config_file {
        Some(cfg) => config_file::apply(args, cfg)?,
        None => args.clone(),
    };
    let raw_inputs = if args.input.is_empty() {
        vec![default_input()]
    } else {
        args.input.clone()
    };
    let inputs: Vec<String> = raw_inputs.iter().map(|p| collect::absolute(p)).collect();
    for input in &inputs {
        if !std::path::Path::new(input).exists() {
            tracing::error!("Input path '{input}' does not exist!");
            return Err(ClientError::Exit(1));
        }
    }
    let name = match args
        .name
        .clone()
        .or_else(|| collect::run_name_from_metadata(&inputs))
    {
        Some(n) => n,
        None => {
            tracing::error!(
                "No suitable name was found in the inputs for the analysis run. Please specify \
                 one by passing argument --name run_name in the invocation."
            );
            return Err(ClientError::Exit(2));
        }
    };
    tracing::info!("Storing analysis results for run '{name}'");
    if args.force {
        tracing::info!(
            "argument --force was specified: the run with name '{name}' will be deleted"
        );
    }

    let product = split_product_url(&args.product_url)?;
    let conn = Connection::open(&product.server, &ConnectOptions::default())?;
    let report_limit = check_product(&conn, &product.endpoint)?;

    let jobs = args.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .build()
        .map_err(|e| ClientError::Failed(format!("Cannot start worker threads: {e}")))?;
    pool.install(|| {
        store_with(
            &conn,
            &product.endpoint,
            &name,
            &args,
            &inputs,
            report_limit,
        )
    })
}

/// Makes sure the product exists; returns its report limit.
fn check_product(conn: &Connection, endpoint: &str) -> Result<Option<i64>, ClientError> {
    let mut products = conn.products(Some(endpoint));
    let bogus = || {
        tracing::error!(
            "The product '{endpoint}' cannot be communicated with. It either doesn't exist, or \
             the server's configuration is bogus."
        );
        ClientError::Exit(1)
    };
    let version = products.call("getPackageVersion", |c| c.get_package_version());
    let current =
        version.and_then(|_| products.call("getCurrentProduct", |c| c.get_current_product()));
    match current {
        Ok(p) if p.endpoint.is_some() || p.id.is_some() => Ok(p.report_limit),
        Ok(_) => Err(bogus()),
        Err(ClientError::Call(e @ CallError::Connection { .. })) => Err(e.into()),
        Err(ClientError::Call(e)) => {
            e.log();
            Err(bogus())
        }
        Err(e) => Err(e),
    }
}

/// Stores `inputs` as run `name`: collect, ask the server what it lacks,
/// pack, upload, then (unless `--detach`) wait for the server to finish.
fn store_with(
    conn: &Connection,
    endpoint: &str,
    name: &str,
    args: &StoreArgs,
    inputs: &[String],
    report_limit: Option<i64>,
) -> Result<i32, ClientError> {
    let started = Instant::now();
    let progress = progress::Progress::new();
    let collection = collect_reports(inputs, report_limit, &progress, started)?;
    let mut api = conn.report(endpoint);
    let plan = plan_upload(&mut api, &collection, &progress)?;
    let contents = pack::Contents {
        file_hashes: &plan.file_hashes,
        sources: &plan.sources,
        blame: &plan.blame,
        version: CODECHECKER_VERSION,
        keep_for_days: args.keep_for,
    };
    let (packed, level) = pack_upload(&collection, &contents, &progress)?;
    print_summary(
        &collection,
        plan.sources.len(),
        plan.with_comments,
        plan.blame.len(),
    );
    check_upload_size(&packed)?;
    tracing::debug!(
        "Upload prepared in {:.2} s",
        started.elapsed().as_secs_f64()
    );

    let options = SubmittedRunOptions {
        run_name: Some(name.to_owned()),
        tag: args.tag.clone(),
        version: Some(CODECHECKER_VERSION.to_owned()),
        force: Some(args.force),
        trim_path_prefixes: args.trim_path_prefix.clone(),
        description: args.description.clone(),
    };
    let repack = || pack::pack(&collection, &contents, level, &|_| {}).map(|p| p.b64);
    let token = match submit(&mut api, &progress, packed.b64, &options, repack)? {
        Submitted::Stored(run_id) => {
            tracing::debug!("Stored as run {run_id}");
            store_statistics(&mut api, inputs, name);
            tracing::info!("Storing the reports finished successfully.");
            return Ok(0);
        }
        Submitted::Queued(token) => token,
    };
    tracing::info!("Reports submitted to the server for processing.");
    store_statistics(&mut api, inputs, name);

    if args.detach {
        tracing::warn!(
            "Exiting the 'store' subcommand as '--detach' was specified: not waiting for the result \
             of the store operation.\nThe server might not have finished processing everything at \
             this point, so do NOT rely on querying the results just yet!\nTo await the completion of \
             the processing later, you can execute:\n\n\tcodechecker-client cmd serverside-tasks --token {token} --await"
        );
        println!("{token}");
        return Ok(0);
    }
    await_store(conn, &token, &progress, started)
}

/// Step 1: reads the report folders; refuses (exit code 1) when sources
/// changed since the analysis or the product's report limit is exceeded.
fn collect_reports(
    inputs: &[String],
    report_limit: Option<i64>,
    progress: &progress::Progress,
    started: Instant,
) -> Result<collect::Collection, ClientError> {
    let reading = progress.spinner("Collecting");
    let parsed = std::sync::atomic::AtomicU64::new(0);
    let tick = || {
        let n = parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if n.is_multiple_of(64) {
            reading.set_message(format!("{n} result files"));
        }
    };
    let collection = collect::collect(inputs, &tick)?;
    reading.finish_and_clear();
    tracing::info!(
        "Processing report files done ({} files, {} unique reports, {:.2} s).",
        collection.result_files,
        collection.unique_reports,
        started.elapsed().as_secs_f64()
    );
    if collection.broken_plists > 0 {
        tracing::warn!(
            "{} analyzer result file(s) could not be read completely.",
            collection.broken_plists
        );
    }
    if !collection.changed.is_empty() {
        let list: Vec<String> = collection
            .changed
            .iter()
            .map(|f| format!(" - {f}"))
            .collect();
        tracing::warn!(
            "The following source file contents changed or missing since the latest analysis:\n{}\n\
             Please re-analyze your project to update the reports!",
            list.join("\n")
        );
        return Err(ClientError::Exit(1));
    }
    if collection.files.is_empty() {
        tracing::warn!("There is no report to store. After uploading these results the previous reports become resolved.");
    }
    if let Some(limit) = report_limit {
        if collection.unique_reports as i64 > limit {
            tracing::error!(
                "Report Limit Exceeded\n\nThis report folder cannot be stored because the number of \
                 reports in the result folder is too high. Usually noisy checkers, generating a lot of \
                 reports are not useful and it is better to disable them.\n\nRun `CodeChecker parse \
                 <report_folder>` to gain a better understanding on report counts.\n\nDisable checkers \
                 that have generated an excessive number of reports and then rerun the analysis to be \
                 able to store the results on the server.\n\nConfigured report limit for this product: {limit}"
            );
            return Err(ClientError::Exit(1));
        }
    }
    Ok(collection)
}

/// What goes into the upload besides the reports.
struct UploadPlan {
    /// Content hash of every source file the reports name.
    file_hashes: BTreeMap<String, String>,
    /// The sources to upload: those the server lacks, and those whose review
    /// comments it must read again.
    sources: BTreeSet<String>,
    /// How many of `sources` are uploaded for their review comments.
    with_comments: usize,
    /// Blame information of the sources the server has none for.
    blame: BTreeMap<String, String>,
}

/// Step 2: hashes the sources and asks the server which contents (and blame
/// information) it lacks.
fn plan_upload(
    api: &mut Api<'_, ReportClient>,
    collection: &collect::Collection,
    progress: &progress::Progress,
) -> Result<UploadPlan, ClientError> {
    let hashing = progress.bar(collection.files.len() as u64, "Hashing");
    let file_hashes = sources::hash_files(&collection.files, &|| hashing.inc(1))?;
    hashing.finish_and_clear();
    let all_hashes: Vec<String> = file_hashes
        .values()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();

    let (mut needed, needed_blame): (HashSet<String>, HashSet<String>) = if all_hashes.is_empty() {
        (HashSet::new(), HashSet::new())
    } else {
        tracing::info!("Get missing file content hashes from the server...");
        let needed = api.call("getMissingContentHashes", |c| {
            c.get_missing_content_hashes(Some(all_hashes.clone()))
        })?;
        let blame = api.call("getMissingContentHashesForBlameInfo", |c| {
            c.get_missing_content_hashes_for_blame_info(Some(all_hashes.clone()))
        })?;
        (needed.into_iter().collect(), blame.into_iter().collect())
    };

    // Files the server has, but whose review comments it must read again.
    let candidates: BTreeMap<&str, Vec<i64>> = collection
        .report_lines
        .iter()
        .filter(|(f, _)| file_hashes.get(*f).is_some_and(|h| !needed.contains(h)))
        .map(|(f, lines)| (f.as_str(), lines.iter().copied().collect()))
        .collect();
    let with_comments = sources::files_with_review_comments(&candidates);
    for f in &with_comments {
        if let Some(h) = file_hashes.get(f) {
            needed.insert(h.clone());
        }
    }
    let upload_sources: BTreeSet<String> = file_hashes
        .iter()
        .filter(|(_, h)| needed.contains(*h))
        .map(|(f, _)| f.clone())
        .collect();

    let blame_files: Vec<String> = file_hashes
        .iter()
        .filter(|(_, h)| needed_blame.contains(*h))
        .map(|(f, _)| f.clone())
        .collect();
    let blame = if blame_files.is_empty() {
        BTreeMap::new()
    } else if !blame::git_available() {
        tracing::warn!(
            "Failed to collect blame information. Make sure Git is installed on your system."
        );
        BTreeMap::new()
    } else {
        tracing::info!("Collecting blame information for source files...");
        let b = blame::collect_blame(&blame_files);
        if b.is_empty() {
            tracing::info!("No blame information found for source files.");
        }
        b
    };
    Ok(UploadPlan {
        file_hashes,
        sources: upload_sources,
        with_comments: with_comments.len(),
        blame,
    })
}

/// Step 3: packs the upload (harder when it would not fit CodeChecker's
/// servers' limit); returns it with the compression level used.
fn pack_upload(
    collection: &collect::Collection,
    contents: &pack::Contents<'_>,
    progress: &progress::Progress,
) -> Result<(pack::Packed, u32), ClientError> {
    let packing = progress.bar(collection.unique_reports as u64, "Packing");
    let mut level = pack::ZLIB_LEVEL;
    let mut packed = pack::pack(collection, contents, level, &|n| packing.inc(n))?;
    packing.finish_and_clear();
    if packed.b64.len() > pack::THRIFT_STRING_LIMIT {
        // CodeChecker's server refuses longer uploads; try to fit.
        tracing::info!(
            "The upload ({}) is larger than CodeChecker servers accept; compressing harder...",
            format_size(packed.b64.len() as u64)
        );
        level = pack::ZLIB_LEVEL_MAX;
        let again = progress.bar(collection.unique_reports as u64, "Repacking");
        packed = pack::pack(collection, contents, level, &|n| again.inc(n))?;
        again.finish_and_clear();
    }
    Ok((packed, level))
}

/// Refuses (exit code 1) an upload over CodeChecker's size limit.
fn check_upload_size(packed: &pack::Packed) -> Result<(), ClientError> {
    tracing::info!(
        "Compressing report zip file done ({} / {}).",
        format_size(packed.zip_size),
        format_size(packed.compressed_size)
    );
    if packed.compressed_size > MAX_UPLOAD_SIZE {
        tracing::error!(
            "The result list to upload is too big (max: {}): {}.",
            format_size(MAX_UPLOAD_SIZE),
            format_size(packed.compressed_size)
        );
        return Err(ClientError::Exit(1));
    }
    Ok(())
}

/// How the server took the upload.
enum Submitted {
    /// Stored at once (`massStoreRun`), as this run id.
    Stored(i64),
    /// Queued as this background task (`massStoreRunAsynchronous`).
    Queued(String),
}

/// Step 4: uploads, asynchronously where the server can (and
/// `CC_FORCE_SYNC_STORE` does not say otherwise), else with the blocking
/// `massStoreRun`; `repack` builds the upload again when a refused
/// asynchronous attempt consumed it.
fn submit(
    api: &mut Api<'_, ReportClient>,
    progress: &progress::Progress,
    b64: String,
    options: &SubmittedRunOptions,
    repack: impl FnOnce() -> Result<String, StoreError>,
) -> Result<Submitted, ClientError> {
    tracing::info!("Storing results to the server ...");
    let force_sync = std::env::var("CC_FORCE_SYNC_STORE")
        .map(|v| ["yes", "y", "true", "t", "on", "1"].contains(&v.to_lowercase().as_str()))
        .unwrap_or(false);
    // A cheap call right before the upload refreshes an expired session, so
    // the (large) upload itself needs no retry.
    api.call("getPackageVersion", |c| c.get_package_version())?;

    let uploading = progress.spinner("Uploading");
    uploading.set_message(format_size(b64.len() as u64));
    let mut upload = Some(b64);
    if let Some(b64) = upload.take().filter(|_| !force_sync) {
        match api.call_raw("massStoreRunAsynchronous", |c| {
            c.mass_store_run_asynchronous(Some(b64), Some(options.clone()))
        }) {
            Ok(token) => {
                uploading.finish_and_clear();
                return Ok(Submitted::Queued(token));
            }
            Err(e) if e.is_unknown_method() => {
                tracing::warn!(
                    "The server does not support 'massStoreRunAsynchronous'; using 'massStoreRun'."
                );
            }
            Err(e) => {
                uploading.finish_and_clear();
                return Err(e.into());
            }
        }
    }
    // A failed asynchronous attempt consumed the upload: pack it again.
    let b64 = match upload.take() {
        Some(b64) => b64,
        None => repack()?,
    };
    let run_id = api.call_raw("massStoreRun", |c| {
        c.mass_store_run(
            options.run_name.clone(),
            options.tag.clone(),
            options.version.clone(),
            Some(b64),
            options.force,
            options.trim_path_prefixes.clone(),
            options.description.clone(),
        )
    });
    uploading.finish_and_clear();
    Ok(Submitted::Stored(run_id?))
}

/// Step 5: waits for the store task to end, showing the server's progress.
fn await_store(
    conn: &Connection,
    token: &str,
    progress: &progress::Progress,
    started: Instant,
) -> Result<i32, ClientError> {
    let waiting = progress.spinner("Processing");
    let mut tasks = conn.tasks();
    let mut last_percent: Option<i32> = None;
    let mut show = |info: &codechecker_api::tasks::TaskInfo| {
        waiting.set_message(status_name(info.status));
        // Servers that report progress (ours) fill the bar; the log line
        // shows it where no bar is drawn (--verbose debug).
        if let Some(percent) = info.progress {
            progress::show_percent(&waiting, percent);
            if last_percent != Some(percent) {
                last_percent = Some(percent);
                tracing::debug!(
                    "Server-side processing of task '{token}': {percent}% ({}).",
                    status_name(info.status)
                );
            }
        }
    };
    let result =
        await_task_termination_with(&mut tasks, token, &AwaitOptions::default(), &mut show);
    waiting.finish_and_clear();
    let info = match result {
        Ok(info) => info,
        Err(AwaitError::Call(e)) => return Err(e),
        Err(e @ AwaitError::NoProgress { .. }) => return Err(ClientError::Failed(e.to_string())),
    };
    if info.status == Some(TaskStatus::COMPLETED) {
        tracing::info!(
            "Storing the reports finished successfully ({:.2} s).",
            started.elapsed().as_secs_f64()
        );
        Ok(0)
    } else {
        tracing::error!(
            "Storing the reports failed! The job terminated in status '{}'. The comments associated \
             with the failure are:\n\n{}",
            status_name(info.status),
            info.comments.unwrap_or_default()
        );
        Ok(1)
    }
}

fn print_summary(c: &collect::Collection, sources: usize, with_comments: usize, blame: usize) {
    let width = table::terminal_width();
    if !c.checkers.is_empty() {
        let mut rows = vec![vec![
            "Checker name".to_owned(),
            "Number of reports".to_owned(),
        ]];
        rows.extend(
            c.checkers
                .iter()
                .map(|(n, k)| vec![n.clone(), k.to_string()]),
        );
        let style = table::TableStyle {
            header: true,
            rule_between_rows: false,
        };
        println!(
            "\n----==== Checker Statistics ====----\n{}\n----=================----",
            table::render(&rows, style, width)
        );
    }
    let rows = vec![
        vec![
            "Number of processed analyzer result files".to_owned(),
            c.result_files.to_string(),
        ],
        vec![
            "Number of analyzer reports".to_owned(),
            c.unique_reports.to_string(),
        ],
        vec!["Number of source files".to_owned(), sources.to_string()],
        vec![
            "Number of source files with source code comments".to_owned(),
            with_comments.to_string(),
        ],
        vec![
            "Number of blame information files".to_owned(),
            blame.to_string(),
        ],
    ];
    println!(
        "\n----======== Summary ========----\n{}\n----=================----",
        table::render(&rows, table::TableStyle::default(), width)
    );
}

/// Uploads analysis statistics (failure ZIPs and the files that explain
/// them) when the server keeps them; failures are only logged.
fn store_statistics(api: &mut Api<'_, ReportClient>, inputs: &[String], run_name: &str) {
    let allowed = api
        .call("allowsStoringAnalysisStatistics", |c| {
            c.allows_storing_analysis_statistics()
        })
        .unwrap_or(false);
    if !allowed {
        return;
    }
    let limits = match api.call("getAnalysisStatisticsLimits", |c| {
        c.get_analysis_statistics_limits()
    }) {
        Ok(l) => l,
        Err(e) => {
            tracing::debug!("Storage of analysis statistics failed: {e}");
            return;
        }
    };
    let limit = |kind: StoreLimitKind| limits.get(&kind).copied().unwrap_or(i64::MAX);
    let files = statistics_files(
        inputs,
        limit(StoreLimitKind::COMPILATION_DATABASE_SIZE),
        limit(StoreLimitKind::FAILURE_ZIP_SIZE),
    );
    if files.is_empty() {
        tracing::debug!("No analyzer statistics information can be found in the report directory.");
        return;
    }
    let result = pack::pack_files(&files)
        .map_err(ClientError::from)
        .and_then(|b64| {
            api.call("storeAnalysisStatistics", |c| {
                c.store_analysis_statistics(Some(run_name.to_owned()), Some(b64.clone()))
            })
        });
    if let Err(e) = result {
        tracing::debug!("Storage of analysis statistics zip has been failed: {e}");
    }
}

/// The files CodeChecker sends as analysis statistics: nothing unless a
/// `failed/` directory holds failure ZIPs; then those (up to the size
/// limit) plus `compile_cmd.json`, `metadata.json` and the compiler info
/// files of the input directories.
fn statistics_files(inputs: &[String], compile_db_limit: i64, failure_limit: i64) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut has_failed_zip = false;
    for input in inputs {
        let path = PathBuf::from(input);
        let (files, dirs): (Vec<String>, Vec<String>) = if path.is_file() {
            (vec![input.clone()], Vec::new())
        } else {
            let mut files = Vec::new();
            let mut dirs = Vec::new();
            for e in std::fs::read_dir(&path).into_iter().flatten().flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                match e.file_type() {
                    Ok(t) if t.is_dir() => dirs.push(name),
                    Ok(_) => files.push(name),
                    Err(_) => {}
                }
            }
            (files, dirs)
        };
        let has_info = files.iter().any(|f| f == "compiler_info.json");
        for f in &files {
            let full = path.join(f);
            let size = std::fs::metadata(&full)
                .map(|m| m.len() as i64)
                .unwrap_or(0);
            let wanted = match f.as_str() {
                "compile_cmd.json" => size <= compile_db_limit,
                "metadata.json" | "compiler_info.json" => true,
                "compiler_includes.json" | "compiler_target.json" => !has_info,
                _ => false,
            };
            if wanted {
                out.push(full);
            }
        }
        if dirs.iter().any(|d| d == "failed") {
            let mut total = 0i64;
            for e in std::fs::read_dir(path.join("failed"))
                .into_iter()
                .flatten()
                .flatten()
            {
                if !e.file_type().is_ok_and(|t| t.is_file()) {
                    continue;
                }
                total += e.metadata().map(|m| m.len() as i64).unwrap_or(0);
                if total > failure_limit {
                    break;
                }
                out.push(e.path());
                has_failed_zip = true;
            }
        }
    }
    if has_failed_zip {
        out
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_python() {
        assert_eq!(format_size(512), "512 B");
        assert_eq!(format_size(48 * 1024 + 700), "48.7 KiB");
        assert_eq!(format_size(1 << 30), "1.0 GiB");
    }
}
