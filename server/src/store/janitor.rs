//! Cleaning up after an API process that died while it took in an upload.
//!
//! An API process unpacks an upload into `<workspace>/tasks/store-<pid>-…/`
//! and only then creates the store's task, in one transaction with all that
//! comes with it (`configdb::ConfigDb::submit_task`). Killed in between
//! (SIGKILL, the OOM killer, a crash), it leaves a folder no task names: its
//! client saw the connection fail and stores again. Nothing else removes it
//! (task retention only deletes finished tasks), so the supervisor sweeps
//! them: for one dead API process when it replaces it, and for the whole
//! machine when the server starts (no API process runs yet then, so every
//! folder no unfinished task names is left over from a death). The sweep
//! also ends the ALLOCATED tasks of this machine, which servers before
//! `submit_task` left between creating a task and enqueueing it.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use configdb::{Comment, ConfigDb, TaskQuery, TaskStatus};

use super::submit::tasks_dir;

/// The folder name prefix of the uploads that API process `pid` unpacks.
pub fn upload_prefix(pid: u32) -> String {
    format!("store-{pid}-")
}

/// What a sweep removed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Swept {
    /// ALLOCATED tasks ended as DROPPED.
    pub dropped: Vec<String>,
    /// Upload folders removed.
    pub folders: usize,
}

/// Which API processes' leftovers a sweep removes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every API process of this machine (at start, before any runs).
    Machine,
    /// The API process with this pid, which has just died.
    Process(u32),
}

impl Scope {
    fn covers_folder(self, name: &str) -> bool {
        match self {
            Scope::Machine => name.starts_with("store-"),
            Scope::Process(pid) => name.starts_with(&upload_prefix(pid)),
        }
    }
}

/// Ends the ALLOCATED tasks of `machine_id` whose upload `scope` covers as
/// DROPPED (with a comment saying why) and removes the upload folders under
/// `<workspace>/tasks/` of `scope` that no unfinished task names.
pub fn sweep_dead_uploads(
    config: &ConfigDb,
    workspace: &Path,
    machine_id: &str,
    scope: Scope,
) -> Result<Swept, configdb::Error> {
    let dir = tasks_dir(workspace);
    let in_scope = |path: &Path| {
        path.parent() == Some(dir.as_path())
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| scope.covers_folder(n))
    };
    let unfinished = config.filter_tasks(&TaskQuery {
        statuses: vec![
            TaskStatus::Allocated,
            TaskStatus::Enqueued,
            TaskStatus::Running,
        ],
        ..TaskQuery::default()
    })?;
    let mut swept = Swept::default();
    let mut kept: HashSet<PathBuf> = HashSet::new();
    for task in unfinished {
        let input = task.input_path.as_deref().map(PathBuf::from);
        let stranded = task.machine_id == machine_id
            && task.status == TaskStatus::Allocated
            && match scope {
                Scope::Machine => true,
                Scope::Process(_) => input.as_deref().is_some_and(in_scope),
            };
        if !stranded {
            kept.extend(input);
            continue;
        }
        let why = match scope {
            Scope::Machine => "The server stopped".to_owned(),
            Scope::Process(pid) => format!("The server process {pid} that received it died"),
        };
        let text = format!(
            "DROPPED!\n{why} before the store's upload was completely taken in; nothing was \
             stored. Store the results again."
        );
        if config.abandon(
            &task.token,
            TaskStatus::Dropped,
            Some(Comment::new(Some("SYSTEM"), &text)),
        )? {
            swept.dropped.push(task.token);
        }
    }
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(swept),
        Err(err) => {
            tracing::warn!(%err, dir = %dir.display(), "cannot list the upload folders");
            return Ok(swept);
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if !in_scope(&path) || kept.contains(&path) || !path.is_dir() {
            continue;
        }
        match std::fs::remove_dir_all(&path) {
            Ok(()) => swept.folders += 1,
            Err(err) => {
                tracing::warn!(%err, path = %path.display(), "cannot remove a dead upload's folder")
            }
        }
    }
    Ok(swept)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_process_scope_covers_only_its_own_folders() {
        assert!(Scope::Process(12).covers_folder("store-12-99-0"));
        assert!(!Scope::Process(12).covers_folder("store-123-99-0"));
        assert!(Scope::Machine.covers_folder("store-123-99-0"));
        assert!(!Scope::Machine.covers_folder("retention"));
    }
}
