//! Cleanup plans: `addCleanupPlan`, `updateCleanupPlan`, `getCleanupPlans`,
//! `removeCleanupPlan`, `closeCleanupPlan`, `reopenCleanupPlan`,
//! `setCleanupPlan`, `unsetCleanupPlan`, with CodeChecker 6.29.1's answers
//! and error messages.
//!
//! Where CodeChecker fails inside its database layer (a hash that already
//! belongs to another plan, a rename onto a taken name, a missing name) it
//! answers with the database driver's text; these answer a DATABASE error
//! with a message of their own.

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;

use super::ReportHandler;
use crate::api::errors::{database, request_failed};

fn not_found(id: Option<i64>) -> thrift::Error {
    let id = id.map_or_else(|| "None".to_owned(), |i| i.to_string());
    request_failed(
        ErrorCode::DATABASE,
        format!("Cleanup plan '{id}' was not found in the database."),
    )
}

/// The productdb error of a call on plan `id`, as CodeChecker reports it.
fn plan_error(id: Option<i64>, err: productdb::Error) -> thrift::Error {
    match err {
        productdb::Error::NotFound { .. } => not_found(id),
        productdb::Error::Duplicate { what, name } => request_failed(
            ErrorCode::DATABASE,
            format!("(IntegrityError) the {what} '{name}' is taken"),
        ),
        other => database(other),
    }
}

/// CodeChecker keeps no due date for 0 (`if dueDate`).
fn due(date: Option<i64>) -> Option<i64> {
    date.filter(|d| *d != 0)
}

impl ReportHandler<'_> {
    pub(super) fn add_cleanup_plan(
        &self,
        name: Option<String>,
        description: Option<String>,
        due_date: Option<i64>,
    ) -> thrift::Result<i64> {
        let Some(name) = name else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                "(IntegrityError) NOT NULL constraint failed: cleanup_plans.name",
            ));
        };
        match self
            .db()?
            .add_cleanup_plan(&name, description.as_deref(), due(due_date))
        {
            Ok(id) => {
                tracing::info!(plan = %name, "New cleanup plan has been created");
                Ok(id)
            }
            Err(productdb::Error::Duplicate { .. }) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("Cleanup plan '{name}' already exists."),
            )),
            Err(e) => Err(database(e)),
        }
    }

    pub(super) fn update_cleanup_plan(
        &self,
        id: Option<i64>,
        name: Option<String>,
        description: Option<String>,
        due_date: Option<i64>,
    ) -> thrift::Result<bool> {
        let id_value = id.ok_or_else(|| not_found(None))?;
        let Some(name) = name else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                "(IntegrityError) NOT NULL constraint failed: cleanup_plans.name",
            ));
        };
        self.db()?
            .update_cleanup_plan(id_value, &name, description.as_deref(), due(due_date))
            .map_err(|e| plan_error(id, e))?;
        Ok(true)
    }

    pub(super) fn cleanup_plans(
        &self,
        filter: Option<api::CleanupPlanFilter>,
    ) -> thrift::Result<Vec<api::CleanupPlan>> {
        let filter = filter.unwrap_or_default();
        let filter = productdb::CleanupPlanFilter {
            ids: filter.ids,
            names: filter.names,
            is_open: filter.is_open,
        };
        Ok(self
            .db()?
            .cleanup_plans(&filter)
            .map_err(database)?
            .into_iter()
            .map(|p| api::CleanupPlan {
                id: Some(p.id),
                name: Some(p.name),
                due_date: p.due_date,
                description: p.description,
                closed_at: p.closed_at,
                report_hashes: Some(p.report_hashes),
            })
            .collect())
    }

    pub(super) fn remove_cleanup_plan(&self, id: Option<i64>) -> thrift::Result<bool> {
        let id_value = id.ok_or_else(|| not_found(None))?;
        self.db()?
            .remove_cleanup_plan(id_value)
            .map_err(|e| plan_error(id, e))?;
        Ok(true)
    }

    pub(super) fn close_cleanup_plan(&self, id: Option<i64>, closed: bool) -> thrift::Result<bool> {
        let id_value = id.ok_or_else(|| not_found(None))?;
        self.db()?
            .set_cleanup_plan_closed(id_value, closed)
            .map_err(|e| plan_error(id, e))?;
        Ok(true)
    }

    pub(super) fn set_cleanup_plan(
        &self,
        id: Option<i64>,
        hashes: Option<Vec<String>>,
        add: bool,
    ) -> thrift::Result<bool> {
        let id_value = id.ok_or_else(|| not_found(None))?;
        let hashes = hashes.unwrap_or_default();
        let db = self.db()?;
        let done = if add {
            db.add_cleanup_plan_hashes(id_value, &hashes)
        } else {
            db.remove_cleanup_plan_hashes(id_value, &hashes)
        };
        done.map_err(|e| plan_error(id, e))?;
        Ok(true)
    }
}
