//! The end of a store: review rules for the new reports, the fate of the
//! previous reports, the run's duration.

use std::collections::{BTreeMap, HashSet};

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use super::reports::is_closed_review;
use super::State;
use crate::error::Result;
use crate::model::DetectionStatus;
use crate::sql::{Sql, MAX_BINDS};

#[derive(Debug, QueryableByName)]
struct RuleHit {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    bug_id: String,
    #[diesel(sql_type = BigInt)]
    status: i64,
    #[diesel(sql_type = Text)]
    message: String,
}

/// Runs the final steps inside the store's transaction.
pub(super) fn run(conn: &mut AnyConnection, st: &mut State) -> Result<()> {
    apply_review_rules(conn, st)?;
    close_previous_reports(conn, st)?;
    let mut sql = Sql::with(conn, "UPDATE runs SET duration = ");
    sql.bind(st.run.duration_secs)
        .push(" WHERE id = ")
        .bind(st.run_id);
    sql.execute(conn)?;
    Ok(())
}

/// Review rules (by bug hash) override the status of new reports not set by
/// a source comment. Like CodeChecker, author and date stay the store's.
fn apply_review_rules(conn: &mut AnyConnection, st: &State) -> Result<()> {
    let Some(first_new) = st.first_new_id else {
        return Ok(());
    };
    let mut sql = Sql::with(
        conn,
        "SELECT r.id, r.bug_id, rs.status, rs.message FROM reports r \
         JOIN review_statuses rs ON rs.bug_hash = r.bug_id WHERE r.run_id = ",
    );
    sql.bind(st.run_id)
        .push(" AND r.review_status_is_in_source = ")
        .bind(false)
        .push(" AND r.id >= ")
        .bind(first_new);
    let hits: Vec<RuleHit> = sql.load(conn)?;
    let mut groups: BTreeMap<(i64, String, Option<i64>), Vec<i64>> = BTreeMap::new();
    for hit in hits {
        let fixed = if is_closed_review(hit.status) {
            match st.old.first(&hit.bug_id) {
                Some(o) if is_closed_review(o.review_status) => o.fixed_at_us,
                _ => Some(st.time_us),
            }
        } else {
            None
        };
        groups
            .entry((hit.status, hit.message, fixed))
            .or_default()
            .push(hit.id);
    }
    for ((status, message, fixed), ids) in groups {
        for chunk in ids.chunks(MAX_BINDS - 8) {
            let mut sql = Sql::with(conn, "UPDATE reports SET review_status = ");
            sql.bind(status)
                .push(", review_status_message = ")
                .bind(message.as_str())
                .push(", fixed_at_us = ")
                .bind(fixed)
                .push(", review_status_is_in_source = ")
                .bind(false)
                .push(" WHERE id IN ")
                .bind_list(chunk.iter().copied());
            sql.execute(conn)?;
        }
    }
    Ok(())
}

/// CodeChecker's `checker_is_unavailable`.
fn checker_is_unavailable(checker: &str, enabled: &HashSet<&str>) -> bool {
    !checker.starts_with("clang-diagnostic-") && !enabled.is_empty() && !enabled.contains(checker)
}

/// Previous reports whose bug hash came again are replaced (deleted); the
/// others become off / unavailable / resolved and get a fixed-at time.
fn close_previous_reports(conn: &mut AnyConnection, st: &State) -> Result<()> {
    let mut enabled: HashSet<&str> = st.run.enabled_checkers.iter().map(String::as_str).collect();
    enabled.extend(st.report_checkers.iter().map(String::as_str));
    let disabled: HashSet<&str> = st
        .run
        .disabled_checkers
        .iter()
        .map(String::as_str)
        .filter(|c| !st.report_checkers.contains(*c))
        .collect();

    let mut replaced: Vec<i64> = Vec::new();
    let mut closed: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for old in &st.old.all {
        if st.new_hashes.contains(&old.bug_id) {
            replaced.push(old.id);
            continue;
        }
        let name = old.checker_name.as_str();
        let status = if disabled.contains(name) {
            DetectionStatus::Off
        } else if checker_is_unavailable(name, &enabled) {
            DetectionStatus::Unavailable
        } else {
            DetectionStatus::Resolved
        };
        closed.entry(status as i64).or_default().push(old.id);
    }
    for (status, ids) in closed {
        for chunk in ids.chunks(MAX_BINDS - 8) {
            let mut sql = Sql::with(conn, "UPDATE reports SET detection_status = ");
            sql.bind(status)
                .push(", fixed_at_us = COALESCE(fixed_at_us, ")
                .bind(st.time_us)
                .push(") WHERE id IN ")
                .bind_list(chunk.iter().copied());
            sql.execute(conn)?;
        }
    }
    delete_reports(conn, &replaced)
}

/// Deletes reports with their path data and annotations.
pub(crate) fn delete_reports(conn: &mut AnyConnection, ids: &[i64]) -> Result<()> {
    const TABLES: [&str; 4] = [
        "DELETE FROM report_annotations WHERE report_id IN ",
        "DELETE FROM report_path_data_files WHERE report_id IN ",
        "DELETE FROM report_path_data WHERE report_id IN ",
        "DELETE FROM reports WHERE id IN ",
    ];
    for chunk in ids.chunks(MAX_BINDS) {
        for head in TABLES {
            let mut sql = Sql::with(conn, head);
            sql.bind_list(chunk.iter().copied());
            sql.execute(conn)?;
        }
    }
    Ok(())
}
