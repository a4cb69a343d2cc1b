//! Layering, checked on the sources (rust-analyzer's "tidy" tests are the
//! model): which workspace crates each crate may depend on, which crates may
//! know Thrift, and in which direction the modules of the server and of the
//! configuration database import each other. A forbidden dependency or `use` fails here, naming the file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// The workspace crates (by package name) each crate may depend on outside
/// its dev-dependencies.
const CRATE_LAYERS: [(&str, &[&str]); 8] = [
    ("idl", &[]),
    ("crates/report", &[]),
    ("crates/dbkit", &[]),
    ("crates/testkit", &[]),
    ("crates/configdb", &["codechecker-dbkit"]),
    (
        "crates/productdb",
        &["codechecker-dbkit", "codechecker-report"],
    ),
    (
        "server",
        &[
            "codechecker-api",
            "codechecker-configdb",
            "codechecker-productdb",
            "codechecker-dbkit",
            "codechecker-report",
        ],
    ),
    ("client", &["codechecker-api", "codechecker-report"]),
];

/// Crates below the wire layer: they know nothing of Thrift.
const THRIFT_FREE: [&str; 4] = [
    "crates/report",
    "crates/dbkit",
    "crates/configdb",
    "crates/productdb",
];

/// The server's top-level modules from the top of the stack down. A module
/// may import only modules below it: `http` → `api` → tasks → the state
/// every request and task shares → the services' logic → the foundations.
const SERVER_RANKS: [(&str, u32); 19] = [
    ("main", 90),
    ("lib", 90),
    ("process", 85),
    ("cli", 80),
    ("http", 60),
    ("api", 50),
    ("tasks", 46),
    ("state", 45),
    ("store", 43),
    ("metrics", 42),
    ("auth", 41),
    ("products", 40),
    ("fuzz_harness", 30),
    ("labels", 20),
    ("guidelines", 21),
    ("thrift_call", 20),
    ("logging", 20),
    ("task_kinds", 20),
    ("server_config", 25),
];

/// The configuration database's modules, top down: waiting for events above
/// the handle that publishes them, the records above the handle, the handle
/// above its plumbing.
const CONFIGDB_RANKS: [(&str, u32); 14] = [
    ("lib", 90),
    ("notify", 80),
    ("tasks", 60),
    ("auth", 60),
    ("products", 60),
    ("settings", 60),
    ("sql", 50),
    ("db", 40),
    ("events", 30),
    ("migrate", 30),
    ("clock", 20),
    ("connection", 20),
    ("schema", 20),
    ("error", 10),
];

fn rs_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d)
            .expect("read a source folder")
            .flatten()
        {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The names under `[dependencies]` (not dev- or build-) of a manifest.
fn normal_dependencies(manifest: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut in_deps = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_deps = line == "[dependencies]";
            continue;
        }
        if in_deps {
            if let Some((name, _)) = line.split_once('=') {
                let name = name.trim().trim_end_matches(".workspace").trim();
                if !name.is_empty() && !name.starts_with('#') {
                    out.insert(name.to_owned());
                }
            }
        }
    }
    out
}

#[test]
fn crates_depend_only_downwards() {
    let root = repo_root();
    let mut problems = Vec::new();
    for (dir, allowed) in CRATE_LAYERS {
        let manifest = std::fs::read_to_string(root.join(dir).join("Cargo.toml"))
            .unwrap_or_else(|e| panic!("{dir}/Cargo.toml: {e}"));
        for dep in normal_dependencies(&manifest) {
            let ours = dep.starts_with("codechecker-");
            if ours && !allowed.contains(&dep.as_str()) {
                problems.push(format!("{dir} depends on {dep}"));
            }
            if THRIFT_FREE.contains(&dir) && dep == "thrift" {
                problems.push(format!("{dir} depends on thrift"));
            }
        }
    }
    assert!(problems.is_empty(), "layering: {problems:#?}");
}

#[test]
fn crates_below_the_wire_know_no_thrift() {
    let root = repo_root();
    let mut problems = Vec::new();
    for dir in THRIFT_FREE {
        for file in rs_files(&root.join(dir).join("src")) {
            let text = std::fs::read_to_string(&file).expect("read a source file");
            if text.contains("codechecker_api") || text.contains("thrift::") {
                problems.push(file.display().to_string());
            }
        }
    }
    assert!(
        problems.is_empty(),
        "Thrift below the wire layer: {problems:#?}"
    );
}

/// `(file, module)` pairs of `crate::<module>` references in `src` that go
/// to a module of the same or a higher rank; panics on a file of a module
/// without a rank. Within a rank, modules are peers and must not cycle: use
/// distinct ranks where one uses the other.
fn upward_imports(src: &Path, ranks: &[(&str, u32)]) -> BTreeSet<(String, String)> {
    let rank: BTreeMap<&str, u32> = ranks.iter().copied().collect();
    let mut upward = BTreeSet::new();
    let mut unknown = Vec::new();
    for file in rs_files(src) {
        let rel = file
            .strip_prefix(src)
            .expect("under src")
            .to_string_lossy()
            .into_owned();
        let top = rel
            .split('/')
            .next()
            .unwrap_or(&rel)
            .trim_end_matches(".rs");
        let Some(&from) = rank.get(top) else {
            unknown.push(rel.clone());
            continue;
        };
        if top == "lib" || top == "main" {
            continue;
        }
        // Code only: a doc comment may point anywhere.
        let text: String = std::fs::read_to_string(&file)
            .expect("read a source file")
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        for (i, _) in text.match_indices("crate::") {
            let target: String = text[i + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            // A type re-exported at the crate root (`crate::ConfigDb`) stands
            // for its own module, which the re-export hides.
            if target == top || target.starts_with(|c: char| c.is_ascii_uppercase()) {
                continue;
            }
            // Other items of the crate root belong to `lib`.
            let to = rank.get(target.as_str()).copied().unwrap_or(rank["lib"]);
            if to >= from {
                upward.insert((rel.clone(), target));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "modules without a layer (add them to the ranks): {unknown:?}"
    );
    upward
}

#[test]
fn server_modules_import_downwards() {
    let upward = upward_imports(&repo_root().join("server/src"), &SERVER_RANKS);
    assert!(
        upward.is_empty(),
        "imports against the layering (file, module): {upward:#?}"
    );
}

/// The server's modules that speak Thrift: the wire edge and the handlers.
/// Below `api` the layers use their own types and errors, which `api` maps.
const THRIFT_MODULES: [&str; 5] = ["api", "http", "thrift_call", "process", "lib"];

#[test]
fn thrift_stays_in_the_api_layer() {
    let src = repo_root().join("server/src");
    let mut problems = Vec::new();
    for file in rs_files(&src) {
        let rel = file
            .strip_prefix(&src)
            .expect("under server/src")
            .to_string_lossy()
            .into_owned();
        let top = rel
            .split('/')
            .next()
            .unwrap_or(&rel)
            .trim_end_matches(".rs");
        if THRIFT_MODULES.contains(&top) {
            continue;
        }
        let text = std::fs::read_to_string(&file).expect("read a source file");
        if text.contains("codechecker_api") || text.contains("thrift::") {
            problems.push(rel);
        }
    }
    assert!(problems.is_empty(), "Thrift below api: {problems:#?}");
}

#[test]
fn configdb_modules_import_downwards() {
    let upward = upward_imports(&repo_root().join("crates/configdb/src"), &CONFIGDB_RANKS);
    assert!(
        upward.is_empty(),
        "imports against the layering (file, module): {upward:#?}"
    );
}

#[test]
fn the_dependency_reader_sees_dependencies_only() {
    let deps = normal_dependencies(
        "[package]\nname = \"x\"\n[dependencies]\na.workspace = true\nb = \"1\"\n\
         [dev-dependencies]\nc.workspace = true\n",
    );
    assert_eq!(deps, BTreeSet::from(["a".to_owned(), "b".to_owned()]));
}
