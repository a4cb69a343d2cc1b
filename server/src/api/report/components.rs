//! Source components (`CodeChecker cmd components`): `addSourceComponent`,
//! `getSourceComponents`, `removeSourceComponent`, as CodeChecker 6.29.1
//! answers them (the virtual "Other" component is listed too).

use codechecker_api::codechecker_api_shared::ErrorCode;
use codechecker_api::report_server as api;
use productdb::OTHER_COMPONENT;

use super::ReportHandler;
use crate::api::errors::{database, missing_argument, request_failed};

/// How CodeChecker describes its virtual component.
const OTHER_DESCRIPTION: &str = "Special auto-generated source component which contains files \
                                 that are uncovered by the rest of the components.";

impl ReportHandler<'_> {
    pub(super) fn add_source_component(
        &self,
        name: Option<String>,
        value: Option<String>,
        description: Option<String>,
    ) -> thrift::Result<bool> {
        let name = name.ok_or_else(|| missing_argument("name"))?;
        let value = value.ok_or_else(|| missing_argument("value"))?;
        self.db()?
            .save_source_component(
                &name,
                &value,
                description.as_deref(),
                self.caller.username.as_deref(),
            )
            .map_err(database)?;
        tracing::info!(
            "Source component '{name}' was saved by '{}'.",
            self.caller.username.as_deref().unwrap_or("Anonymous")
        );
        Ok(true)
    }

    pub(super) fn source_components(
        &self,
        filter: Option<Vec<String>>,
    ) -> thrift::Result<Vec<api::SourceComponentData>> {
        let filter = filter.unwrap_or_default();
        let mut out: Vec<api::SourceComponentData> = self
            .db()?
            .source_components(&filter)
            .map_err(database)?
            .into_iter()
            .map(|c| api::SourceComponentData {
                name: Some(c.name),
                value: Some(c.value),
                description: c.description,
            })
            .collect();
        if filter.is_empty() || filter.iter().any(|f| f == OTHER_COMPONENT) {
            out.push(api::SourceComponentData {
                name: Some(OTHER_COMPONENT.to_owned()),
                value: None,
                description: Some(OTHER_DESCRIPTION.to_owned()),
            });
        }
        Ok(out)
    }

    pub(super) fn remove_source_component(&self, name: Option<String>) -> thrift::Result<bool> {
        let name = name.ok_or_else(|| missing_argument("name"))?;
        if self
            .db()?
            .remove_source_component(&name)
            .map_err(database)?
        {
            tracing::info!(
                "Source component '{name}' has been removed by '{}'",
                self.caller.username.as_deref().unwrap_or("Anonymous")
            );
            Ok(true)
        } else {
            Err(request_failed(
                ErrorCode::DATABASE,
                format!("Source component {name} was not found in the database."),
            ))
        }
    }
}
