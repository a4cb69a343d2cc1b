//! Run administration: `removeRun` (`CodeChecker cmd del`),
//! `removeRunResults`, `removeRunReports`, `updateRunData`
//! (`CodeChecker cmd update`) and `getSuppressFile`, with CodeChecker
//! 6.29.1's selection rules, answers and errors. Removal itself is
//! `productdb`'s: batched, refused while a store into the run is running.

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;

use super::{convert, ReportHandler};
use crate::api::errors::{database, general, request_failed};

/// A removal's error as the client sees it: locked runs with CodeChecker's
/// message, anything else as a database error.
fn removal_error(e: productdb::Error) -> thrift::Error {
    match e {
        locked @ productdb::Error::RunsLocked { .. } => {
            request_failed(ErrorCode::DATABASE, locked.to_string())
        }
        other => database(other),
    }
}

impl ReportHandler<'_> {
    /// Refreshes the product's cached run count after a removal.
    fn refresh_run_count(&self, db: &productdb::ProductDb) {
        match db.run_count(&productdb::RunFilter::default()) {
            Ok(count) => {
                if let Err(err) = self.state.config.update_product_stats(
                    self.product.id,
                    count,
                    self.product.latest_store_at,
                ) {
                    tracing::warn!(%err, "cannot update the product's run count");
                }
            }
            Err(err) => tracing::warn!(%err, "cannot count the product's runs"),
        }
    }

    pub(super) fn remove_run(
        &self,
        run_id: Option<i64>,
        run_filter: Option<api::RunFilter>,
    ) -> thrift::Result<bool> {
        // Without a filter CodeChecker removes the run `run_id` (none when
        // it is unset); a filter with no condition selects every run.
        let filter = match run_filter {
            Some(f) => convert::run_filter(Some(f)),
            None => productdb::RunFilter {
                ids: Some(vec![run_id.unwrap_or(-1)]),
                ..Default::default()
            },
        };
        let db = self.db()?;
        let ids = db.run_ids_matching(&filter).map_err(database)?;
        if ids.is_empty() {
            return Ok(false);
        }
        let removed = db
            .remove_runs_as(&ids, self.user_name())
            .map_err(removal_error)?;
        tracing::info!(
            "Runs '{}' were removed by '{}'.",
            removed.join("', '"),
            self.user_name()
        );
        self.refresh_run_count(&db);
        Ok(!removed.is_empty())
    }

    pub(super) fn remove_run_results(&self, run_ids: Option<Vec<i64>>) -> thrift::Result<bool> {
        let mut failed = false;
        for id in run_ids.unwrap_or_default() {
            if let Err(err) = self.remove_run(Some(id), None) {
                tracing::error!(?err, "Failed to remove run: {id}");
                failed = true;
            }
        }
        Ok(!failed)
    }

    pub(super) fn remove_run_reports(
        &self,
        run_ids: Option<Vec<i64>>,
        report_filter: Option<api::ReportFilter>,
        cmp_data: Option<api::CompareData>,
    ) -> thrift::Result<bool> {
        let mut runs = run_ids.unwrap_or_default();
        if let Some(more) = cmp_data.as_ref().and_then(|c| c.run_ids.as_ref()) {
            runs.extend(more.iter().copied());
        }
        let db = self.db()?;
        db.refuse_locked((!runs.is_empty()).then_some(runs.as_slice()))
            .map_err(removal_error)?;
        // CodeChecker answers `false` when the filter cannot be applied.
        if report_filter.is_none() {
            return Ok(false);
        }
        let filter = convert::report_filter(report_filter).map_err(general)?;
        let compare = convert::compare(cmp_data).map_err(general)?;
        let ids = match db.report_ids_matching(Some(&runs), &filter, compare.as_ref()) {
            Ok(ids) => ids,
            Err(err) => {
                tracing::error!(%err, "Database cleanup failed.");
                return Ok(false);
            }
        };
        match db.remove_reports(&runs, &ids) {
            Ok(n) => {
                tracing::info!("{n} reports were removed by '{}'.", self.user_name());
                Ok(true)
            }
            Err(e @ productdb::Error::RunsLocked { .. }) => Err(removal_error(e)),
            Err(err) => {
                tracing::error!(%err, "Database cleanup failed.");
                Ok(false)
            }
        }
    }

    pub(super) fn update_run_data(
        &self,
        run_id: Option<i64>,
        new_name: Option<String>,
    ) -> thrift::Result<bool> {
        let Some(new_name) = new_name.filter(|n| !n.is_empty()) else {
            return Err(general("No new run name was given to update the run."));
        };
        let id_text = run_id.map_or_else(|| "None".to_owned(), |i| i.to_string());
        match self.db()?.rename_run(run_id.unwrap_or(-1), &new_name) {
            Ok(()) => {
                tracing::info!(
                    "Run name of run {id_text} was changed to {new_name} by '{}'.",
                    self.user_name()
                );
                Ok(true)
            }
            Err(productdb::Error::Duplicate { .. }) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("New run name '{new_name}' already exists."),
            )),
            Err(productdb::Error::NotFound { .. }) => Err(request_failed(
                ErrorCode::DATABASE,
                format!("Run id {id_text} was not found in the database."),
            )),
            Err(err) => Err(database(err)),
        }
    }
}
