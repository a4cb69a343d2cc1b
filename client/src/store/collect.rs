//! Finding and reading analysis results: the report directories, their
//! plists (parsed in parallel), the check that sources did not change since
//! the analysis, and the de-duplication CodeChecker's client performs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use ccreport::hash::{fill_missing_report_hashes, source_line};
use ccreport::python_text::{dirname, join, normpath};
use ccreport::{parse_plist_partial, report_path_hash, Report};
use rayon::prelude::*;

use super::StoreError;

/// A directory of analysis results and the side files CodeChecker uploads
/// from it.
#[derive(Debug, Clone, Default)]
pub struct ReportDir {
    /// Absolute path.
    pub path: String,
    /// `metadata.json`, if present.
    pub metadata: Option<PathBuf>,
    /// `skip_file`, if present.
    pub skip_file: Option<PathBuf>,
    /// `review_status.yaml`, if present.
    pub review_status: Option<PathBuf>,
    /// Regular files in `conf/`.
    pub conf_files: Vec<PathBuf>,
}

/// The unique reports of one analyzer in one directory (one plist of the
/// upload).
#[derive(Debug)]
pub struct ReportGroup {
    /// Index into [`Collection::dirs`].
    pub dir: usize,
    /// The analyzer's name, if the plist named one.
    pub analyzer: Option<String>,
    /// The reports, first occurrence first.
    pub reports: Vec<Report>,
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Collection {
    /// Report directories in walk order.
    pub dirs: Vec<ReportDir>,
    /// Unique reports by directory and analyzer, in first-seen order.
    pub groups: Vec<ReportGroup>,
    /// Number of analyzer result files read.
    pub result_files: usize,
    /// Number of unique reports.
    pub unique_reports: usize,
    /// Main source file of reports → the lines reports are on.
    pub report_lines: BTreeMap<String, BTreeSet<i64>>,
    /// Every source file the unique reports mention.
    pub files: BTreeSet<String>,
    /// Sources missing or newer than the plist naming them.
    pub changed: BTreeSet<String>,
    /// Checker → number of unique reports, first-seen order.
    pub checkers: Vec<(String, usize)>,
    /// Plists that could not be read completely.
    pub broken_plists: usize,
}

/// `os.path.abspath`.
pub fn absolute(path: &Path) -> String {
    let text = path.to_string_lossy();
    if text.starts_with('/') {
        return normpath(&text);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    normpath(&join(&cwd.to_string_lossy(), &text))
}

fn is_result_file(name: &str) -> bool {
    name.ends_with(".plist")
}

/// Walks the inputs like CodeChecker: every directory below an input
/// directory (symbolic links to directories are not entered), and for a
/// file input its directory. Returns the directories and the plists of
/// each, both sorted by name within a directory.
fn walk(inputs: &[String]) -> Result<Vec<(String, Vec<String>)>, StoreError> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .map_err(|e| StoreError::Input(format!("Input path '{input}' cannot be read: {e}")))?;
        if meta.is_file() {
            if is_result_file(input) {
                out.push((dirname(input).to_owned(), vec![input.clone()]));
            } else if input.ends_with(".sarif") {
                tracing::warn!("SARIF files are not supported by this client, skipping '{input}'.");
            }
            continue;
        }
        let mut stack = vec![input.clone()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<(String, std::fs::FileType)> = match std::fs::read_dir(&dir) {
                Ok(rd) => rd
                    .filter_map(Result::ok)
                    .filter_map(|e| {
                        Some((
                            e.file_name().to_string_lossy().into_owned(),
                            e.file_type().ok()?,
                        ))
                    })
                    .collect(),
                Err(e) => {
                    tracing::warn!("Cannot read directory '{dir}': {e}");
                    continue;
                }
            };
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            let mut plists = Vec::new();
            let mut subdirs = Vec::new();
            for (name, ty) in entries {
                let path = join(&dir, &name);
                let is_file = ty.is_file() || (ty.is_symlink() && Path::new(&path).is_file());
                if ty.is_dir() {
                    subdirs.push(path);
                } else if is_file && is_result_file(&name) {
                    plists.push(path);
                } else if is_file && name.ends_with(".sarif") {
                    tracing::warn!(
                        "SARIF files are not supported by this client, skipping '{path}'."
                    );
                }
            }
            out.push((dir, plists));
            // Depth-first, in name order (like os.walk's top-down order).
            stack.extend(subdirs.into_iter().rev());
        }
    }
    Ok(out)
}

fn side_files(dir: &str) -> ReportDir {
    let file = |name: &str| {
        let p = PathBuf::from(join(dir, name));
        p.is_file().then_some(p)
    };
    let mut conf_files = Vec::new();
    if let Ok(rd) = std::fs::read_dir(join(dir, "conf")) {
        conf_files = rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        conf_files.sort();
    }
    ReportDir {
        path: dir.to_owned(),
        metadata: file("metadata.json"),
        skip_file: file("skip_file"),
        review_status: file("review_status.yaml"),
        conf_files,
    }
}

/// What one plist yielded.
struct Parsed {
    plist: String,
    dir: usize,
    mtime: Option<SystemTime>,
    reports: Vec<(Report, String)>,
}

fn parse_one(plist: &str, dir: usize) -> Result<(Parsed, bool), StoreError> {
    let mtime = std::fs::metadata(plist).and_then(|m| m.modified()).ok();
    let bytes = match std::fs::read(plist) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("Cannot read analyzer result file '{plist}': {e}");
            let parsed = Parsed {
                plist: plist.to_owned(),
                dir,
                mtime,
                reports: Vec::new(),
            };
            return Ok((parsed, true));
        }
    };
    let partial = parse_plist_partial(&bytes, Path::new(plist));
    let broken = partial.error.is_some();
    if let Some(e) = &partial.error {
        tracing::warn!("{e}; {} report(s) of it are kept", partial.reports.len());
    }
    let mut reports = partial.reports;
    if reports.iter().any(|r| r.report_hash.is_none()) {
        let mut cache: HashMap<String, Vec<u8>> = HashMap::new();
        fill_missing_report_hashes(&mut reports, &mut |file, line| {
            let content = cache
                .entry(file.original_path.clone())
                .or_insert_with(|| std::fs::read(&file.original_path).unwrap_or_default());
            source_line(content, line)
        });
    }
    if !reports.is_empty()
        && reports
            .iter()
            .all(|r| r.report_hash.as_deref() == Some("0"))
    {
        return Err(StoreError::Input(format!(
            "All bug hashes are 0 in the report file '{plist}', which is no longer supported. \
             Please re-analyze the project using CodeChecker!"
        )));
    }
    let reports = reports
        .into_iter()
        .map(|r| {
            let h = report_path_hash(&r);
            (r, h)
        })
        .collect();
    Ok((
        Parsed {
            plist: plist.to_owned(),
            dir,
            mtime,
            reports,
        },
        broken,
    ))
}

/// Reads every input; `on_plist` is called after each parsed plist.
pub fn collect(inputs: &[String], on_plist: &(dyn Fn() + Sync)) -> Result<Collection, StoreError> {
    let walked = walk(inputs)?;
    let mut out = Collection::default();
    let mut dir_index: HashMap<String, usize> = HashMap::new();
    let mut plists: Vec<(String, usize)> = Vec::new();
    let mut seen_plists = HashSet::new();
    for (dir, files) in walked {
        let idx = *dir_index.entry(dir.clone()).or_insert_with(|| {
            out.dirs.push(side_files(&dir));
            out.dirs.len() - 1
        });
        for f in files {
            if seen_plists.insert(f.clone()) {
                plists.push((f, idx));
            }
        }
    }
    for d in &out.dirs {
        if let Some(skip) = &d.skip_file {
            let text = std::fs::read_to_string(skip).unwrap_or_default();
            tracing::info!(
                "Found skip file {} with the following content:\n{text}",
                skip.display()
            );
        }
    }
    out.result_files = plists.len();

    let broken = AtomicU64::new(0);
    let parsed: Vec<Parsed> = plists
        .par_iter()
        .map(|(plist, dir)| {
            let (p, was_broken) = parse_one(plist, *dir)?;
            if was_broken {
                broken.fetch_add(1, Ordering::Relaxed);
            }
            on_plist();
            Ok(p)
        })
        .collect::<Result<_, StoreError>>()?;
    out.broken_plists = broken.into_inner() as usize;

    // Modification times of every mentioned source, looked up once each.
    let mentioned: BTreeSet<&str> = parsed
        .iter()
        .flat_map(|p| p.reports.iter().flat_map(|(r, _)| r.original_files()))
        .collect();
    let mtimes: HashMap<&str, Option<SystemTime>> = mentioned
        .into_par_iter()
        .map(|f| (f, std::fs::metadata(f).and_then(|m| m.modified()).ok()))
        .collect();
    let mtimes: HashMap<String, Option<SystemTime>> =
        mtimes.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();

    let mut unique: HashSet<String> = HashSet::new();
    let mut group_index: HashMap<(usize, Option<String>), usize> = HashMap::new();
    let mut checker_index: HashMap<String, usize> = HashMap::new();
    for p in parsed {
        for (report, path_hash) in p.reports {
            let mut changed = Vec::new();
            if p.mtime.is_none() {
                changed.push(p.plist.clone());
            }
            for f in report.original_files() {
                match (mtimes.get(f).copied().flatten(), p.mtime) {
                    (Some(src), Some(plist)) if src <= plist => {}
                    _ => changed.push(f.to_owned()),
                }
            }
            if !changed.is_empty() {
                out.changed.extend(changed);
                continue;
            }
            for f in report.original_files() {
                out.files.insert(f.to_owned());
            }
            out.report_lines
                .entry(report.file.original_path.clone())
                .or_default()
                .insert(report.line);
            if !unique.insert(path_hash) {
                continue;
            }
            out.unique_reports += 1;
            let ci = *checker_index
                .entry(report.checker_name.clone())
                .or_insert_with(|| {
                    out.checkers.push((report.checker_name.clone(), 0));
                    out.checkers.len() - 1
                });
            out.checkers[ci].1 += 1;
            let key = (p.dir, report.analyzer_name.clone());
            let gi = *group_index.entry(key).or_insert_with(|| {
                out.groups.push(ReportGroup {
                    dir: p.dir,
                    analyzer: report.analyzer_name.clone(),
                    reports: Vec::new(),
                });
                out.groups.len() - 1
            });
            out.groups[gi].reports.push(report);
        }
    }
    Ok(out)
}

/// The run name CodeChecker derives from the inputs' `metadata.json` when
/// `--name` is not given.
pub fn run_name_from_metadata(inputs: &[String]) -> Option<String> {
    const UNNAMED: &str = "unnamed result folder";
    let mut names = BTreeSet::new();
    for input in inputs {
        let meta = join(input, "metadata.json");
        if !Path::new(input).is_dir() || !Path::new(&meta).exists() {
            continue;
        }
        let name = std::fs::read(&meta)
            .ok()
            .and_then(|b| ccreport::Metadata::parse(&b).ok())
            .and_then(|m| m.run_name().map(str::to_owned))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| UNNAMED.to_owned());
        names.insert(name);
    }
    match names.len() {
        0 => None,
        1 => names.into_iter().next().filter(|n| n != UNNAMED),
        _ => Some(format!(
            "multiple projects: {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        )),
    }
}
