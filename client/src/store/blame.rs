//! Git blame information for source files, in the JSON shape CodeChecker's
//! client puts under `blame/` in the upload. Uses the `git` command; files
//! outside a repository (or ignored by it) have none.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::pydict;
use crate::pyjson::{self, PyValue};

/// What a repository contributes to every file's blame.
#[derive(Debug, Clone)]
struct Repo {
    root: PathBuf,
    head: String,
    tracking_branch: Option<String>,
    remote_url: Option<String>,
}

fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether the `git` command can be run at all.
pub fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn find_repo(dir: &Path) -> Option<Repo> {
    let root = git(dir, &["rev-parse", "--show-toplevel"])?;
    let root = PathBuf::from(root.trim_end_matches('\n'));
    let head = git(&root, &["rev-parse", "HEAD"])?.trim().to_owned();
    // As CodeChecker's client reports it: the upstream of the current
    // branch ("None" when it has none), or the commit of a detached HEAD.
    let on_branch = git(&root, &["symbolic-ref", "-q", "HEAD"]).is_some();
    let upstream = git(
        &root,
        &[
            "rev-parse",
            "--abbrev-ref",
            "--symbolic-full-name",
            "@{upstream}",
        ],
    )
    .map(|s| s.trim().to_owned())
    .filter(|s| !s.is_empty());
    let tracking_branch = Some(match (on_branch, upstream) {
        (true, Some(upstream)) => upstream,
        (true, None) => "None".to_owned(),
        (false, _) => head.clone(),
    });
    let remote_url = git(&root, &["remote", "get-url", "--all", "origin"])
        .and_then(|s| s.lines().next().map(str::to_owned));
    Some(Repo {
        root,
        head,
        tracking_branch,
        remote_url,
    })
}

/// Python's `str(datetime)` of a git timestamp and `+hhmm` offset.
fn python_datetime(epoch: i64, tz: &str) -> String {
    let sign = if tz.starts_with('-') { -1 } else { 1 };
    let digits = tz.trim_start_matches(['+', '-']);
    let hours: i32 = digits.get(..2).and_then(|h| h.parse().ok()).unwrap_or(0);
    let minutes: i32 = digits.get(2..4).and_then(|m| m.parse().ok()).unwrap_or(0);
    let offset_secs = sign * (hours * 3600 + minutes * 60);
    let Some(offset) = chrono::FixedOffset::east_opt(offset_secs) else {
        return epoch.to_string();
    };
    match chrono::DateTime::from_timestamp(epoch, 0) {
        Some(t) => {
            let local = t.with_timezone(&offset);
            format!(
                "{}{}{:02}:{:02}",
                local.format("%Y-%m-%d %H:%M:%S"),
                if sign < 0 { '-' } else { '+' },
                hours,
                minutes
            )
        }
        None => epoch.to_string(),
    }
}

struct CommitData {
    author: String,
    email: String,
    time: i64,
    tz: String,
}

/// Commits in order of appearance, their data, and (from, to, commit) line
/// ranges.
type Incremental = (
    Vec<String>,
    HashMap<String, CommitData>,
    Vec<(i64, i64, String)>,
);

/// `git blame --incremental` output → (commit order, commit data, ranges).
fn parse_incremental(text: &str) -> Incremental {
    let mut order = Vec::new();
    let mut commits: HashMap<String, CommitData> = HashMap::new();
    let mut ranges = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let mut parts = line.splitn(2, ' ');
        let head = parts.next().unwrap_or("");
        let rest = parts.next().unwrap_or("");
        if current.is_none() {
            let nums: Vec<i64> = rest.split(' ').filter_map(|n| n.parse().ok()).collect();
            let is_sha =
                matches!(head.len(), 40 | 64) && head.chars().all(|c| c.is_ascii_hexdigit());
            if let (true, [_, first, count]) = (is_sha, nums.as_slice()) {
                let sha = head.to_owned();
                ranges.push((
                    *first,
                    first.saturating_add(*count).saturating_sub(1),
                    sha.clone(),
                ));
                if !commits.contains_key(&sha) {
                    order.push(sha.clone());
                    commits.insert(
                        sha.clone(),
                        CommitData {
                            author: String::new(),
                            email: String::new(),
                            time: 0,
                            tz: "+0000".to_owned(),
                        },
                    );
                }
                current = Some(sha);
            }
            continue;
        }
        let Some(sha) = current.clone() else { continue };
        if head == "filename" {
            current = None;
            continue;
        }
        if let Some(c) = commits.get_mut(&sha) {
            match head {
                "author" => c.author = rest.to_owned(),
                "author-mail" => {
                    c.email = rest
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                }
                "committer-time" => c.time = rest.parse().unwrap_or(0),
                "committer-tz" => c.tz = rest.to_owned(),
                _ => {}
            }
        }
    }
    (order, commits, ranges)
}

/// Full commit messages of `shas`.
fn messages(root: &Path, shas: &[String]) -> HashMap<String, String> {
    let mut args = vec!["show", "-s", "--format=%H%x00%B%x1e"];
    args.extend(shas.iter().map(String::as_str));
    let Some(out) = git(root, &args) else {
        return HashMap::new();
    };
    out.split('\u{1e}')
        .filter_map(|rec| {
            let rec = rec.trim_start_matches('\n');
            let (sha, msg) = rec.split_once('\0')?;
            Some((sha.to_owned(), msg.to_owned()))
        })
        .collect()
}

fn blame_file(path: &str, repos: &Mutex<HashMap<PathBuf, Option<Repo>>>) -> Option<String> {
    let real = std::fs::canonicalize(path).ok()?;
    let dir = real.parent()?.to_path_buf();
    let cached = repos.lock().ok().and_then(|m| m.get(&dir).cloned());
    let repo = match cached {
        Some(r) => r,
        None => {
            let r = find_repo(&dir);
            if let Ok(mut m) = repos.lock() {
                m.insert(dir, r.clone());
            }
            r
        }
    }?;
    let real_str = real.to_string_lossy().into_owned();
    // Exit status 0 means the file is ignored.
    let ignored = Command::new("git")
        .arg("-C")
        .arg(&repo.root)
        .args(["check-ignore", "-q", "--", &real_str])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ignored {
        return None;
    }
    let text = git(
        &repo.root,
        &["blame", "--incremental", &repo.head, "--", &real_str],
    )?;
    let (order, commits, ranges) = parse_incremental(&text);
    let msgs = messages(&repo.root, &order);
    let commit_values: Vec<(String, PyValue)> = order
        .iter()
        .filter_map(|sha| {
            let c = commits.get(sha)?;
            let message = msgs.get(sha).cloned().unwrap_or_default();
            let summary = message.split('\n').next().unwrap_or("").to_owned();
            Some((
                sha.clone(),
                pydict! {
                    "author" => pydict! {
                        "name" => PyValue::Str(c.author.clone()),
                        "email" => PyValue::Str(c.email.clone()),
                    },
                    "summary" => PyValue::Str(summary),
                    "message" => PyValue::Str(message),
                    "committed_datetime" => PyValue::Str(python_datetime(c.time, &c.tz)),
                },
            ))
        })
        .collect();
    let blame = ranges
        .into_iter()
        .map(|(from, to, sha)| {
            pydict! {
                "from" => PyValue::Int(from),
                "to" => PyValue::Int(to),
                "commit" => PyValue::Str(sha),
            }
        })
        .collect();
    let value = pydict! {
        "version" => PyValue::Str("v1".to_owned()),
        "tracking_branch" => PyValue::opt_str(repo.tracking_branch.as_deref()),
        "remote_url" => PyValue::opt_str(repo.remote_url.as_deref()),
        "commits" => PyValue::Dict(commit_values),
        "blame" => PyValue::List(blame),
    };
    Some(pyjson::dumps(&value))
}

/// Blame JSON of every file that has some, keyed by path.
pub fn collect_blame(files: &[String]) -> BTreeMap<String, String> {
    let repos = Mutex::new(HashMap::new());
    files
        .par_iter()
        .filter_map(|f| blame_file(f, &repos).map(|b| (f.clone(), b)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_incremental_output() {
        let sha = "a".repeat(40);
        let text = format!(
            "{sha} 1 1 2\nauthor Jane\nauthor-mail <j@x>\ncommitter-time 1706704205\ncommitter-tz +0100\nsummary s\nfilename f.c\n{sha} 3 5 1\nfilename f.c\n"
        );
        let (order, commits, ranges) = parse_incremental(&text);
        assert_eq!(order, vec![sha.clone()]);
        assert_eq!(ranges, vec![(1, 2, sha.clone()), (5, 5, sha.clone())]);
        let c = commits.get(&sha).expect("commit");
        assert_eq!(c.email, "j@x");
        assert_eq!(python_datetime(c.time, &c.tz), "2024-01-31 13:30:05+01:00");
    }
}
