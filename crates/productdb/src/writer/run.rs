//! The run-level part of a store: checkers, run row, history entry,
//! analyzer statistics and analysis info.

use std::collections::{HashMap, HashSet};

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::QueryableByName;
use sha2::{Digest, Sha256};

use super::old::OldReports;
use super::{store_time, State};
use crate::codec::compress;
use crate::error::{Error, Result};
use crate::model::{Severity, StoreProgress, StoreRun};
use crate::sql::{scalar_int, IntRow, Sql, MAX_BINDS};

#[derive(Debug, QueryableByName)]
struct CheckerRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    analyzer_name: String,
    #[diesel(sql_type = Text)]
    checker_name: String,
}

#[derive(Debug, QueryableByName)]
struct RunRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Bool)]
    can_delete: bool,
}

/// Checkers CodeChecker registers in every product whatever the run holds
/// (its report converter's fake and unknown checkers); they show in the
/// checker coverage of `cmd sum`.
const FAKE_CHECKER: (&str, &str, Severity) = ("__FAKE__", "__FAKE__", Severity::Unspecified);
/// See [`FAKE_CHECKER`].
const UNKNOWN_CHECKER: (&str, &str, Severity) = ("UNKNOWN", "NOT FOUND", Severity::Unspecified);

/// Writes the run-level rows and loads what the report batches need.
pub(super) fn prepare(conn: &mut AnyConnection, run: StoreRun) -> Result<State> {
    let (time, time_us) = store_time();
    let mut checkers = load_checkers(conn)?;
    let listed = run
        .analyses
        .iter()
        .flat_map(|a| a.checkers.iter())
        .map(|c| (c.analyzer.as_str(), c.name.as_str(), c.severity))
        .chain([UNKNOWN_CHECKER]);
    // The fake checker first: CodeChecker's schema creation inserts it, so
    // it has the lowest id (the checker coverage of `cmd sum` lists checkers
    // by id).
    ensure_checkers(conn, &mut checkers, [FAKE_CHECKER])?;
    ensure_checkers(conn, &mut checkers, listed)?;

    let existing: Option<RunRow> = {
        let mut sql = Sql::with(conn, "SELECT id, can_delete FROM runs WHERE name = ");
        sql.bind(&run.run_name);
        sql.load::<RunRow>(conn)?.into_iter().next()
    };
    let updated_existing = existing.is_some();
    let run_id = match existing {
        Some(r) if run.force => {
            if !r.can_delete {
                return Err(Error::InvalidInput(format!(
                    "Can't delete {}: the run is being deleted",
                    r.id
                )));
            }
            delete_run(conn, r.id)?;
            insert_run(conn, &run, time_us)?
        }
        Some(r) => {
            let mut sql = Sql::with(conn, "UPDATE runs SET date_us = ");
            sql.bind(time_us)
                .push(", duration = -1 WHERE id = ")
                .bind(r.id);
            sql.execute(conn)?;
            r.id
        }
        None => insert_run(conn, &run, time_us)?,
    };

    if let Some(tag) = &run.tag {
        let mut sql = Sql::with(
            conn,
            "UPDATE run_histories SET version_tag = NULL WHERE run_id = ",
        );
        sql.bind(run_id).push(" AND version_tag = ").bind(tag);
        sql.execute(conn)?;
    }
    let history_id = {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO run_histories (run_id, version_tag, user_name, time_us, cc_version, description) VALUES (",
        );
        sql.bind(run_id)
            .push(", ")
            .bind(run.tag.clone())
            .push(", ")
            .bind(&run.user)
            .push(", ")
            .bind(time_us)
            .push(", ")
            .bind(run.cc_version.clone())
            .push(", ")
            .bind(run.description.clone())
            .push(") RETURNING id AS v");
        returning_id(conn, sql)?
    };
    store_statistics(conn, &run, history_id)?;
    let analysis_ids = store_analysis_info(conn, &run, history_id, &checkers)?;

    let old = OldReports::load(conn, run_id)?;
    let next_report_id = if crate::sql::is_pg(conn) {
        0
    } else {
        let sql = Sql::with(conn, "SELECT MAX(id) AS v FROM reports");
        scalar_int(conn, sql)?.unwrap_or(0) + 1
    };

    Ok(State {
        run,
        run_id,
        history_id,
        time,
        time_us,
        updated_existing,
        analysis_ids,
        checkers,
        files: HashMap::new(),
        old,
        new_hashes: HashSet::new(),
        path_hashes: HashSet::new(),
        report_checkers: HashSet::new(),
        first_new_id: None,
        next_report_id,
        progress: StoreProgress::default(),
        duplicates: 0,
        missing_file: 0,
    })
}

/// Runs an `INSERT … RETURNING id AS v`.
pub(super) fn returning_id(conn: &mut AnyConnection, sql: Sql) -> Result<i64> {
    sql.load::<IntRow>(conn)?
        .into_iter()
        .next()
        .map(|r| r.v)
        .ok_or_else(|| Error::Corrupt("INSERT returned no id".into()))
}

fn insert_run(conn: &mut AnyConnection, run: &StoreRun, time_us: i64) -> Result<i64> {
    let mut sql = Sql::with(
        conn,
        "INSERT INTO runs (name, date_us, duration, version, can_delete) VALUES (",
    );
    sql.bind(&run.run_name)
        .push(", ")
        .bind(time_us)
        .push(", -1, ")
        .bind(run.version.clone())
        .push(", ")
        .bind(true)
        .push(") RETURNING id AS v");
    returning_id(conn, sql)
}

/// Deletes a run with everything hanging off it (children first, so no
/// cascade has to search).
pub(crate) fn delete_run(conn: &mut AnyConnection, run_id: i64) -> Result<()> {
    const OF_RUN: &str = " IN (SELECT id FROM reports WHERE run_id = ";
    const OF_HISTORY: &str = " IN (SELECT id FROM run_histories WHERE run_id = ";
    let statements: [(&str, &str, &str); 8] = [
        (
            "DELETE FROM report_annotations WHERE report_id",
            OF_RUN,
            ")",
        ),
        (
            "DELETE FROM report_path_data_files WHERE report_id",
            OF_RUN,
            ")",
        ),
        ("DELETE FROM report_path_data WHERE report_id", OF_RUN, ")"),
        ("DELETE FROM reports WHERE run_id = ", "", ""),
        (
            "DELETE FROM analyzer_statistics WHERE run_history_id",
            OF_HISTORY,
            ")",
        ),
        (
            "DELETE FROM run_history_analysis_info WHERE run_history_id",
            OF_HISTORY,
            ")",
        ),
        ("DELETE FROM run_histories WHERE run_id = ", "", ""),
        ("DELETE FROM runs WHERE id = ", "", ""),
    ];
    for (head, sub, tail) in statements {
        let mut sql = Sql::with(conn, head);
        sql.push(sub).bind(run_id).push(tail);
        sql.execute(conn)?;
    }
    Ok(())
}

fn load_checkers(conn: &mut AnyConnection) -> Result<HashMap<(String, String), i64>> {
    let sql = Sql::with(conn, "SELECT id, analyzer_name, checker_name FROM checkers");
    Ok(sql
        .load::<CheckerRow>(conn)?
        .into_iter()
        .map(|r| ((r.analyzer_name, r.checker_name), r.id))
        .collect())
}

/// Gives every (analyzer, checker) of `wanted` an id, inserting the unknown
/// ones with their severity.
pub(super) fn ensure_checkers<'a>(
    conn: &mut AnyConnection,
    known: &mut HashMap<(String, String), i64>,
    wanted: impl IntoIterator<Item = (&'a str, &'a str, Severity)>,
) -> Result<()> {
    let mut missing: Vec<(String, String, Severity)> = Vec::new();
    let mut seen: HashSet<(&str, &str)> = HashSet::new();
    for (analyzer, checker, severity) in wanted {
        if !known.contains_key(&(analyzer.to_owned(), checker.to_owned()))
            && seen.insert((analyzer, checker))
        {
            missing.push((analyzer.to_owned(), checker.to_owned(), severity));
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    // Sorted, so that concurrent stores lock the same keys in one order.
    missing.sort();
    for chunk in missing.chunks(MAX_BINDS / 3) {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO checkers (analyzer_name, checker_name, severity) VALUES ",
        );
        for (i, (analyzer, checker, severity)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(analyzer.as_str())
                .push(", ")
                .bind(checker.as_str())
                .push(", ")
                .bind(*severity as i64)
                .push(")");
        }
        sql.push(" ON CONFLICT (analyzer_name, checker_name) DO NOTHING");
        sql.execute(conn)?;
        let mut sql = Sql::with(
            conn,
            "SELECT id, analyzer_name, checker_name FROM checkers WHERE checker_name IN ",
        );
        sql.bind_list(chunk.iter().map(|(_, c, _)| c.as_str()));
        for r in sql.load::<CheckerRow>(conn)? {
            known.insert((r.analyzer_name, r.checker_name), r.id);
        }
    }
    Ok(())
}

fn store_statistics(conn: &mut AnyConnection, run: &StoreRun, history_id: i64) -> Result<()> {
    for stat in &run.analyzer_statistics {
        let failed_files = if stat.failed_files.is_empty() {
            None
        } else {
            Some(compress(stat.failed_files.join("\n").as_bytes()))
        };
        let mut sql = Sql::with(
            conn,
            "INSERT INTO analyzer_statistics (run_history_id, analyzer_type, version, successful, failed, failed_files) VALUES (",
        );
        sql.bind(history_id)
            .push(", ")
            .bind(&stat.analyzer)
            .push(", ")
            .bind(stat.version.clone())
            .push(", ")
            .bind(stat.successful)
            .push(", ")
            .bind(stat.failed)
            .push(", ")
            .bind(failed_files)
            .push(")");
        sql.execute(conn)?;
    }
    Ok(())
}

/// Writes one analysis-info entry per analyzer command; returns, per
/// analysis, the entry its reports link to (the last command's).
fn store_analysis_info(
    conn: &mut AnyConnection,
    run: &StoreRun,
    history_id: i64,
    checkers: &HashMap<(String, String), i64>,
) -> Result<Vec<Option<i64>>> {
    let mut out = Vec::with_capacity(run.analyses.len());
    for analysis in &run.analyses {
        let mut last = None;
        if analysis.commands.is_empty() {
            out.push(None);
            continue;
        }
        let mut enabled: Vec<i64> = Vec::new();
        let mut disabled: Vec<i64> = Vec::new();
        for c in &analysis.checkers {
            if let Some(&id) = checkers.get(&(c.analyzer.clone(), c.name.clone())) {
                if c.enabled {
                    enabled.push(id);
                } else {
                    disabled.push(id);
                }
            }
        }
        enabled.sort_unstable();
        enabled.dedup();
        disabled.sort_unstable();
        disabled.dedup();
        disabled.retain(|d| enabled.binary_search(d).is_err());
        let set_id = checker_set(conn, &enabled, &disabled)?;
        let conf: Vec<(String, String, Vec<u8>)> = analysis
            .conf_files
            .iter()
            .map(|(name, content)| {
                (
                    name.clone(),
                    hex::encode(Sha256::digest(content)),
                    compress(content),
                )
            })
            .collect();
        for command in &analysis.commands {
            let mut sql = Sql::with(
                conn,
                "INSERT INTO analysis_info (analyzer_command, checker_set_id) VALUES (",
            );
            sql.bind(compress(command.as_bytes()))
                .push(", ")
                .bind(set_id)
                .push(") RETURNING id AS v");
            let info_id = returning_id(conn, sql)?;
            let mut sql = Sql::with(
                conn,
                "INSERT INTO run_history_analysis_info (run_history_id, analysis_info_id) VALUES (",
            );
            sql.bind(history_id).push(", ").bind(info_id).push(")");
            sql.execute(conn)?;
            for (name, hash, compressed) in &conf {
                insert_content(conn, hash, compressed.clone())?;
                let mut sql = Sql::with(
                    conn,
                    "INSERT INTO analysis_info_files (analysis_info_id, filename, content_hash) VALUES (",
                );
                sql.bind(info_id)
                    .push(", ")
                    .bind(name.as_str())
                    .push(", ")
                    .bind(hash.as_str())
                    .push(") ON CONFLICT DO NOTHING");
                sql.execute(conn)?;
            }
            last = Some(info_id);
        }
        out.push(last);
    }
    Ok(out)
}

/// The id of the checker set with these members, created when new.
fn checker_set(conn: &mut AnyConnection, enabled: &[i64], disabled: &[i64]) -> Result<i64> {
    let key = serde_json::json!({ "d": disabled, "e": enabled }).to_string();
    let digest = hex::encode(Sha256::digest(key.as_bytes()));
    let find = |conn: &mut AnyConnection| -> Result<Option<i64>> {
        let mut sql = Sql::with(
            conn,
            "SELECT id AS v FROM checker_sets WHERE hash_digest = ",
        );
        sql.bind(digest.as_str());
        Ok(sql.load::<IntRow>(conn)?.into_iter().next().map(|r| r.v))
    };
    if let Some(id) = find(conn)? {
        return Ok(id);
    }
    let mut sql = Sql::with(conn, "INSERT INTO checker_sets (hash_digest) VALUES (");
    sql.bind(digest.as_str())
        .push(") ON CONFLICT (hash_digest) DO NOTHING");
    let inserted = sql.execute(conn)?;
    let id = find(conn)?.ok_or_else(|| Error::Corrupt("checker set vanished".into()))?;
    if inserted == 0 {
        return Ok(id);
    }
    let items: Vec<(i64, bool)> = enabled
        .iter()
        .map(|&c| (c, true))
        .chain(disabled.iter().map(|&c| (c, false)))
        .collect();
    for chunk in items.chunks(MAX_BINDS / 3) {
        let mut sql = Sql::with(
            conn,
            "INSERT INTO checker_set_items (checker_set_id, checker_id, enabled) VALUES ",
        );
        for (i, (checker, on)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(id)
                .push(", ")
                .bind(*checker)
                .push(", ")
                .bind(*on)
                .push(")");
        }
        sql.execute(conn)?;
    }
    Ok(id)
}

/// Stores compressed content under `hash` unless it is already there.
pub(super) fn insert_content(
    conn: &mut AnyConnection,
    hash: &str,
    compressed: Vec<u8>,
) -> Result<()> {
    let mut sql = Sql::with(
        conn,
        "INSERT INTO file_contents (content_hash, content) VALUES (",
    );
    sql.bind(hash)
        .push(", ")
        .bind(compressed)
        .push(") ON CONFLICT (content_hash) DO NOTHING");
    sql.execute(conn)?;
    Ok(())
}
