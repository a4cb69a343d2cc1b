//! A synthetic `CodeChecker analyze` output directory: C sources, Clang
//! Static Analyzer and Clang-Tidy plists (multi-step bug paths with control
//! edges, events in a shared header, macro expansions, fix-it notes), and a
//! version 2 `metadata.json`. Every report has a unique bug hash, so a
//! server shows exactly as many reports as were generated. Deterministic
//! for a given spec.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What to generate.
#[derive(Debug, Clone)]
pub struct CorpusSpec {
    /// Number of C files.
    pub files: usize,
    /// Reports per C file (two thirds clangsa, the rest clang-tidy).
    pub reports_per_file: usize,
    /// Seed of the bug hashes.
    pub seed: u64,
    /// Put a `// codechecker_*` comment above every this-many-th report
    /// (0: none).
    pub review_comment_every: usize,
    /// The run name recorded in `metadata.json`.
    pub run_name: String,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        CorpusSpec {
            files: 10,
            reports_per_file: 5,
            seed: 1,
            review_comment_every: 0,
            run_name: "generated".to_owned(),
        }
    }
}

/// Where the corpus went.
#[derive(Debug, Clone)]
pub struct Corpus {
    /// The report directory (`analyze -o`).
    pub reports: PathBuf,
    /// The sources.
    pub src: PathBuf,
    /// Number of reports generated.
    pub report_count: usize,
    /// Number of plists.
    pub plist_count: usize,
}

const SA_CHECKERS: [(&str, &str, &str); 3] = [
    ("core.DivideZero", "Division by zero", "Logic error"),
    (
        "core.NullDereference",
        "Dereference of null pointer (loaded from variable 'p')",
        "Logic error",
    ),
    (
        "deadcode.DeadStores",
        "Value stored to 'y' is never read",
        "Dead store",
    ),
];

const TIDY_CHECKERS: [(&str, &str); 2] = [
    (
        "bugprone-integer-division",
        "result of integer division used in a floating point context; possible loss of precision",
    ),
    (
        "readability-else-after-return",
        "do not use 'else' after 'return'",
    ),
];

const REVIEW: [&str; 3] = [
    "codechecker_confirmed",
    "codechecker_false_positive",
    "codechecker_intentional",
];

/// Lines per generated function block.
const BLOCK: usize = 8;
/// Line of the first block (after the includes).
const FIRST: usize = 4;

fn md5_hex(text: &str) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(text.as_bytes()))
}

fn loc(out: &mut String, indent: &str, line: usize, col: usize, file: usize) {
    let _ = write!(
        out,
        "{indent}<dict>\n{indent} <key>line</key><integer>{line}</integer>\n{indent} <key>col</key><integer>{col}</integer>\n{indent} <key>file</key><integer>{file}</integer>\n{indent}</dict>\n"
    );
}

fn range(out: &mut String, indent: &str, line: usize, c1: usize, c2: usize, file: usize) {
    let _ = writeln!(out, "{indent}<array>");
    loc(out, &format!("{indent} "), line, c1, file);
    loc(out, &format!("{indent} "), line, c2, file);
    let _ = writeln!(out, "{indent}</array>");
}

fn control(out: &mut String, from: (usize, usize, usize), to: (usize, usize, usize), file: usize) {
    out.push_str("    <dict>\n     <key>kind</key><string>control</string>\n     <key>edges</key>\n      <array>\n       <dict>\n        <key>start</key>\n");
    range(out, "         ", from.0, from.1, from.2, file);
    out.push_str("        <key>end</key>\n");
    range(out, "         ", to.0, to.1, to.2, file);
    out.push_str("       </dict>\n      </array>\n    </dict>\n");
}

fn event(
    out: &mut String,
    line: usize,
    c1: usize,
    c2: usize,
    file: usize,
    depth: usize,
    msg: &str,
) {
    out.push_str(
        "    <dict>\n     <key>kind</key><string>event</string>\n     <key>location</key>\n",
    );
    loc(out, "     ", line, c1, file);
    out.push_str("     <key>ranges</key>\n     <array>\n");
    range(out, "       ", line, c1, c2, file);
    let _ = write!(
        out,
        "     </array>\n     <key>depth</key><integer>{depth}</integer>\n     <key>extended_message</key>\n     <string>{msg}</string>\n     <key>message</key>\n     <string>{msg}</string>\n    </dict>\n"
    );
}

fn plist_head() -> String {
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n <key>clang_version</key>\n<string>clang version 16.0.6</string>\n <key>diagnostics</key>\n <array>\n".to_owned()
}

fn plist_tail(files: &[&str], analyzer: &str) -> String {
    let mut out = String::from(" </array>\n <key>files</key>\n <array>\n");
    for f in files {
        let _ = writeln!(out, "  <string>{f}</string>");
    }
    let _ = write!(
        out,
        " </array>\n <key>metadata</key>\n <dict>\n  <key>analyzer</key>\n  <dict><key>name</key><string>{analyzer}</string></dict>\n  <key>generated_by</key>\n  <dict><key>name</key><string>CodeChecker</string><key>version</key><string>6.29.1</string></dict>\n </dict>\n</dict>\n</plist>\n"
    );
    out
}

/// Writes the corpus below `root` (`root/reports`, `root/src`).
pub fn generate(root: &Path, spec: &CorpusSpec) -> std::io::Result<Corpus> {
    let src = root.join("src");
    let reports = root.join("reports");
    std::fs::create_dir_all(src.join("include"))?;
    std::fs::create_dir_all(&reports)?;
    let header = src.join("include").join("util.h");
    let header_path = header.to_string_lossy().into_owned();
    std::fs::write(
        &header,
        "#pragma once\n#define DIVIDE(a, b) ((a) / (b))\nstatic inline int util_div(int a, int b) {\n    return a / b;\n}\n",
    )?;

    let mut plist_count = 0;
    let mut report_count = 0;
    let mut result_files = Vec::new();
    let mut sources_written = Vec::new();
    // Sources first: a plist must not be older than its sources.
    for fi in 0..spec.files {
        let pkg = src.join(format!("pkg{:03}", fi / 100));
        std::fs::create_dir_all(&pkg)?;
        let path = pkg.join(format!("unit_{fi:05}.c"));
        let mut text = String::from("#include \"../include/util.h\"\n#include <stddef.h>\n\n");
        for slot in 0..spec.reports_per_file {
            let comment = spec.review_comment_every > 0
                && (fi * spec.reports_per_file + slot).is_multiple_of(spec.review_comment_every);
            let comment_line = if comment {
                format!(
                    "    // {} [all] generated review\n",
                    REVIEW[(fi + slot) % REVIEW.len()]
                )
            } else {
                "    (void)p;\n".to_owned()
            };
            let _ = write!(
                text,
                "int f{fi}_{slot}(int x, int *p) {{\n    int zero = 0;\n    if (x > {slot}) {{\n        x = x + 1;\n    }}\n{comment_line}    return x / zero;\n}}\n"
            );
        }
        std::fs::write(&path, text)?;
        sources_written.push(path);
    }
    // Plists get a later modification time than any source.
    std::thread::sleep(std::time::Duration::from_millis(20));
    for (fi, path) in sources_written.iter().enumerate() {
        let src_path = path.to_string_lossy().into_owned();
        let tag = md5_hex(&format!("{}/{fi}", spec.seed));
        let base = format!("unit_{fi:05}.c");
        let mut sa = plist_head();
        let mut tidy = plist_head();
        let (mut n_sa, mut n_tidy) = (0, 0);
        for slot in 0..spec.reports_per_file {
            let start = FIRST + slot * BLOCK;
            let report_line = start + 6;
            let hash = md5_hex(&format!("{}/{fi}/{slot}/bug", spec.seed));
            if slot % 3 != 2 {
                let (checker, msg, category) = SA_CHECKERS[(fi + slot) % SA_CHECKERS.len()];
                let via_header = (fi + slot) % 7 == 0;
                sa.push_str("  <dict>\n   <key>path</key>\n   <array>\n");
                control(&mut sa, (start + 2, 5, 6), (start + 2, 9, 9), 0);
                event(
                    &mut sa,
                    start + 2,
                    9,
                    13,
                    0,
                    0,
                    &format!("Assuming 'x' is &lt;= {slot}"),
                );
                control(&mut sa, (start + 2, 9, 9), (report_line, 5, 10), 0);
                if via_header {
                    event(&mut sa, report_line, 12, 20, 0, 0, "Calling 'util_div'");
                    event(&mut sa, 4, 12, 16, 1, 1, "Division by zero");
                } else {
                    event(&mut sa, report_line, 12, 19, 0, 0, msg);
                }
                sa.push_str("   </array>\n");
                let _ = write!(
                    sa,
                    "   <key>description</key><string>{msg}</string>\n   <key>category</key><string>{category}</string>\n   <key>type</key><string>{msg}</string>\n   <key>check_name</key><string>{checker}</string>\n   <key>issue_hash_content_of_line_in_context</key><string>{hash}</string>\n   <key>issue_context_kind</key><string>function</string>\n   <key>issue_context</key><string>f{fi}_{slot}</string>\n   <key>issue_hash_function_offset</key><string>5</string>\n   <key>location</key>\n"
                );
                loc(&mut sa, "   ", report_line, 14, 0);
                if (fi + slot) % 5 == 0 {
                    sa.push_str("   <key>macro_expansions</key>\n   <array>\n    <dict>\n     <key>location</key>\n");
                    loc(&mut sa, "     ", report_line, 12, 0);
                    sa.push_str("     <key>name</key><string>DIVIDE</string>\n     <key>expansion</key><string>((x) / (zero))</string>\n    </dict>\n   </array>\n");
                }
                sa.push_str("  </dict>\n");
                n_sa += 1;
            } else {
                let (checker, msg) = TIDY_CHECKERS[(fi + slot) % TIDY_CHECKERS.len()];
                tidy.push_str("  <dict>\n   <key>location</key>\n");
                loc(&mut tidy, "   ", report_line, 12, 0);
                tidy.push_str("   <key>path</key>\n   <array>\n");
                event(&mut tidy, report_line, 12, 19, 0, 0, msg);
                tidy.push_str("   </array>\n   <key>notes</key>\n   <array>\n    <dict>\n     <key>location</key>\n");
                loc(&mut tidy, "     ", report_line, 12, 0);
                let _ = write!(
                    tidy,
                    "     <key>message</key><string>FIX-IT: use a floating point division</string>\n    </dict>\n   </array>\n   <key>description</key><string>{msg}</string>\n   <key>check_name</key><string>{checker}</string>\n   <key>issue_hash_content_of_line_in_context</key><string>{hash}</string>\n  </dict>\n"
                );
                n_tidy += 1;
            }
        }
        let files = [src_path.as_str(), header_path.as_str()];
        for (text, analyzer, n) in [(sa, "clangsa", n_sa), (tidy, "clang-tidy", n_tidy)] {
            if n == 0 {
                continue;
            }
            let name = format!("{base}_{analyzer}_{tag}.plist");
            let mut text = text;
            text.push_str(&plist_tail(&files, analyzer));
            std::fs::write(reports.join(&name), text)?;
            result_files.push((
                reports.join(&name).to_string_lossy().into_owned(),
                src_path.clone(),
            ));
            plist_count += 1;
            report_count += n;
        }
    }
    write_metadata(&reports, spec, &result_files)?;
    Ok(Corpus {
        reports,
        src,
        report_count,
        plist_count,
    })
}

fn write_metadata(
    reports: &Path,
    spec: &CorpusSpec,
    result_files: &[(String, String)],
) -> std::io::Result<()> {
    let mut checkers_sa = serde_json::Map::new();
    for (c, _, _) in SA_CHECKERS {
        checkers_sa.insert(c.to_owned(), serde_json::Value::Bool(true));
    }
    let mut checkers_tidy = serde_json::Map::new();
    for (c, _) in TIDY_CHECKERS {
        checkers_tidy.insert(c.to_owned(), serde_json::Value::Bool(true));
    }
    let mut sources = serde_json::Map::new();
    for (plist, src) in result_files {
        sources.insert(plist.clone(), serde_json::Value::String(src.clone()));
    }
    let stats = serde_json::json!({
        "failed": 0, "failed_sources": [], "successful": spec.files,
        "successful_sources": [], "version": "clang version 16.0.6"
    });
    let meta = serde_json::json!({
        "version": 2,
        "num_of_report_dir": 1,
        "tools": [{
            "name": "codechecker",
            "version": "6.29.1",
            "command": ["CodeChecker", "analyze", "compile_commands.json", "-o", reports.to_string_lossy()],
            "output_path": reports.to_string_lossy(),
            "action_num": spec.files,
            "skipped": 0,
            "timestamps": {"begin": 1_700_000_000.0, "end": 1_700_000_060.0},
            "working_directory": reports.parent().map(|p| p.to_string_lossy().into_owned()),
            "analyzers": {
                "clangsa": {"checkers": checkers_sa, "analyzer_statistics": stats.clone()},
                "clang-tidy": {"checkers": checkers_tidy, "analyzer_statistics": stats}
            },
            "result_source_files": sources,
            "run_name": spec.run_name,
        }]
    });
    std::fs::write(
        reports.join("metadata.json"),
        serde_json::to_vec_pretty(&meta)?,
    )
}
