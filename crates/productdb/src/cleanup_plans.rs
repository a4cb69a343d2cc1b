//! Cleanup plans (CodeChecker's `addCleanupPlan` and friends): named,
//! optionally dated lists of report hashes to be fixed, which can be closed
//! and reopened. A report hash belongs to at most one plan.

use dbkit::AnyConnection;
use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::QueryableByName;

use crate::db::ProductDb;
use crate::error::{Error, Result};
use crate::model::{CleanupPlan, CleanupPlanFilter};
use crate::sql::{IntRow, Sql, TextRow};
use crate::time::{now, secs_to_micros, to_micros};

#[derive(Debug, QueryableByName)]
struct PlanRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    due_date_us: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    description: Option<String>,
    #[diesel(sql_type = Nullable<BigInt>)]
    closed_at_us: Option<i64>,
}

#[derive(Debug, QueryableByName)]
struct HashRow {
    #[diesel(sql_type = BigInt)]
    cleanup_plan_id: i64,
    #[diesel(sql_type = Text)]
    bug_hash: String,
}

const WHAT: &str = "cleanup plan";

fn not_found(id: i64) -> Error {
    Error::NotFound {
        what: WHAT,
        key: id.to_string(),
    }
}

/// Whole seconds of a microsecond count (rounded down).
fn micros_to_secs(us: i64) -> i64 {
    us.div_euclid(1_000_000)
}

fn plan_exists(conn: &mut AnyConnection, id: i64) -> Result<()> {
    let mut sql = Sql::with(conn, "SELECT id AS v FROM cleanup_plans WHERE id = ");
    sql.bind(id);
    if sql.load::<IntRow>(conn)?.is_empty() {
        return Err(not_found(id));
    }
    Ok(())
}

impl ProductDb {
    /// Creates a plan; returns its id. [`Error::Duplicate`] when the name is
    /// taken. `due_date` is a Unix time in seconds.
    pub fn add_cleanup_plan(
        &self,
        name: &str,
        description: Option<&str>,
        due_date: Option<i64>,
    ) -> Result<i64> {
        self.write(|conn| {
            let mut sql = Sql::with(conn, "SELECT id AS v FROM cleanup_plans WHERE name = ");
            sql.bind(name);
            if !sql.load::<IntRow>(conn)?.is_empty() {
                return Err(Error::Duplicate {
                    what: WHAT,
                    name: name.to_owned(),
                });
            }
            let mut sql = Sql::with(
                conn,
                "INSERT INTO cleanup_plans (name, description, due_date_us) VALUES (",
            );
            sql.bind(name)
                .push(", ")
                .bind(description.map(str::to_owned))
                .push(", ")
                .bind(due_date.map(secs_to_micros))
                .push(") RETURNING id AS v");
            sql.load::<IntRow>(conn)?
                .into_iter()
                .next()
                .map(|r| r.v)
                .ok_or_else(|| Error::Corrupt("no id for a new cleanup plan".into()))
        })
    }

    /// Overwrites the name, description and due date of plan `id`.
    /// [`Error::NotFound`] for an unknown id, [`Error::Duplicate`] when
    /// another plan has the name.
    pub fn update_cleanup_plan(
        &self,
        id: i64,
        name: &str,
        description: Option<&str>,
        due_date: Option<i64>,
    ) -> Result<()> {
        self.write(|conn| {
            plan_exists(conn, id)?;
            let mut sql = Sql::with(conn, "SELECT id AS v FROM cleanup_plans WHERE name = ");
            sql.bind(name);
            if sql.load::<IntRow>(conn)?.iter().any(|r| r.v != id) {
                return Err(Error::Duplicate {
                    what: WHAT,
                    name: name.to_owned(),
                });
            }
            let mut sql = Sql::with(conn, "UPDATE cleanup_plans SET name = ");
            sql.bind(name)
                .push(", description = ")
                .bind(description.map(str::to_owned))
                .push(", due_date_us = ")
                .bind(due_date.map(secs_to_micros))
                .push(" WHERE id = ")
                .bind(id);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// Deletes plan `id` and its report hashes; [`Error::NotFound`] when
    /// there is none.
    pub fn remove_cleanup_plan(&self, id: i64) -> Result<()> {
        self.write(|conn| {
            plan_exists(conn, id)?;
            let mut sql = Sql::with(
                conn,
                "DELETE FROM cleanup_plan_report_hashes WHERE cleanup_plan_id = ",
            );
            sql.bind(id);
            sql.execute(conn)?;
            let mut sql = Sql::with(conn, "DELETE FROM cleanup_plans WHERE id = ");
            sql.bind(id);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// Marks plan `id` closed now (`closed`) or open again.
    /// [`Error::NotFound`] when there is none.
    pub fn set_cleanup_plan_closed(&self, id: i64, closed: bool) -> Result<()> {
        self.write(|conn| {
            plan_exists(conn, id)?;
            let mut sql = Sql::with(conn, "UPDATE cleanup_plans SET closed_at_us = ");
            sql.bind(closed.then(|| to_micros(now())))
                .push(" WHERE id = ")
                .bind(id);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// Adds `hashes` to plan `id` (those already in it are left alone).
    /// [`Error::NotFound`] for an unknown plan; [`Error::Duplicate`] when a
    /// hash belongs to another plan (nothing is added then).
    pub fn add_cleanup_plan_hashes(&self, id: i64, hashes: &[String]) -> Result<()> {
        self.write(|conn| {
            plan_exists(conn, id)?;
            let mut sql = Sql::with(
                conn,
                "SELECT bug_hash AS v FROM cleanup_plan_report_hashes WHERE cleanup_plan_id = ",
            );
            sql.bind(id).push(" AND ");
            sql.in_texts("bug_hash", hashes, false);
            let known: std::collections::HashSet<String> = sql
                .load::<TextRow>(conn)?
                .into_iter()
                .map(|r| r.v)
                .collect();
            let mut seen = std::collections::HashSet::new();
            for hash in hashes {
                if known.contains(hash) || !seen.insert(hash.as_str()) {
                    continue;
                }
                let mut sql = Sql::with(
                    conn,
                    "SELECT cleanup_plan_id AS v FROM cleanup_plan_report_hashes WHERE bug_hash = ",
                );
                sql.bind(hash.as_str());
                if !sql.load::<IntRow>(conn)?.is_empty() {
                    return Err(Error::Duplicate {
                        what: "cleanup plan report hash",
                        name: hash.clone(),
                    });
                }
                let mut sql = Sql::with(
                    conn,
                    "INSERT INTO cleanup_plan_report_hashes (cleanup_plan_id, bug_hash) VALUES (",
                );
                sql.bind(id).push(", ").bind(hash.as_str()).push(")");
                sql.execute(conn)?;
            }
            Ok(())
        })
    }

    /// Removes `hashes` from plan `id`; [`Error::NotFound`] for an unknown
    /// plan.
    pub fn remove_cleanup_plan_hashes(&self, id: i64, hashes: &[String]) -> Result<()> {
        self.write(|conn| {
            plan_exists(conn, id)?;
            let mut sql = Sql::with(
                conn,
                "DELETE FROM cleanup_plan_report_hashes WHERE cleanup_plan_id = ",
            );
            sql.bind(id).push(" AND ");
            sql.in_texts("bug_hash", hashes, false);
            sql.execute(conn)?;
            Ok(())
        })
    }

    /// The plans matching `filter`, by name, with their report hashes (sorted).
    pub fn cleanup_plans(&self, filter: &CleanupPlanFilter) -> Result<Vec<CleanupPlan>> {
        let mut conn = self.conn()?;
        let mut sql = Sql::with(
            &conn,
            "SELECT id, name, due_date_us, description, closed_at_us FROM cleanup_plans WHERE 1 = 1",
        );
        if let Some(ids) = filter.ids.as_ref().filter(|v| !v.is_empty()) {
            sql.push(" AND id IN ").bind_list(ids.iter().copied());
        }
        if let Some(names) = filter.names.as_ref().filter(|v| !v.is_empty()) {
            sql.push(" AND ");
            sql.in_texts("name", names, false);
        }
        match filter.is_open {
            Some(true) => {
                sql.push(" AND closed_at_us IS NULL");
            }
            Some(false) => {
                sql.push(" AND closed_at_us IS NOT NULL");
            }
            None => {}
        }
        sql.push(" ORDER BY name");
        let rows = sql.load::<PlanRow>(&mut conn)?;
        let mut plans: Vec<CleanupPlan> = rows
            .into_iter()
            .map(|r| CleanupPlan {
                id: r.id,
                name: r.name,
                description: r.description,
                due_date: r.due_date_us.map(micros_to_secs),
                closed_at: r.closed_at_us.map(micros_to_secs),
                report_hashes: Vec::new(),
            })
            .collect();
        if plans.is_empty() {
            return Ok(plans);
        }
        let mut sql = Sql::with(
            &conn,
            "SELECT cleanup_plan_id, bug_hash FROM cleanup_plan_report_hashes WHERE cleanup_plan_id IN ",
        );
        sql.bind_list(plans.iter().map(|p| p.id));
        sql.push(" ORDER BY cleanup_plan_id, bug_hash");
        let hashes = sql.load::<HashRow>(&mut conn)?;
        for h in hashes {
            if let Some(p) = plans.iter_mut().find(|p| p.id == h.cleanup_plan_id) {
                p.report_hashes.push(h.bug_hash);
            }
        }
        Ok(plans)
    }
}
