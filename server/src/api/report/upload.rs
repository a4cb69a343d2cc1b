//! The store side of `CodeCheckerService`: content hashes the server lacks,
//! `massStoreRun[Asynchronous]`, and analysis statistics uploads.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Duration;

use base64::Engine as _;
use codechecker_api::report_server as api;

use super::ReportHandler;
use crate::api::errors::{database, general, missing_argument};
use crate::store::params::StoreParams;
use crate::store::submit;

/// CodeChecker's default limit of the failure ZIPs a client sends.
const FAILURE_ZIP_SIZE: i64 = 52_428_800;
/// CodeChecker's default limit of a compilation database a client sends.
const COMPILATION_DATABASE_SIZE: i64 = 104_857_600;

/// How long a blocking `massStoreRun` waits in one go before looking again.
const LEGACY_WAIT_STEP: Duration = Duration::from_secs(3600);

impl ReportHandler<'_> {
    /// The storing user as CodeChecker records it.
    fn store_user(&self) -> String {
        self.user_name().to_owned()
    }

    pub(super) fn missing_content_hashes(
        &self,
        hashes: Option<Vec<String>>,
        blame: bool,
    ) -> thrift::Result<Vec<String>> {
        let hashes = hashes.unwrap_or_default();
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let db = self.db()?;
        if blame {
            db.missing_blame_hashes(&hashes).map_err(database)
        } else {
            db.missing_content_hashes(&hashes).map_err(database)
        }
    }

    /// Unpacks and enqueues a store; returns the task's token. The upload is
    /// the one taken out of the request body, else the decoded argument.
    fn submit(&self, argument: Option<String>, params: StoreParams) -> thrift::Result<String> {
        let argument = argument.unwrap_or_default();
        let upload = match self.upload {
            Some(text) if argument.is_empty() => text,
            _ => argument.as_str(),
        };
        let db = self.db()?;
        submit::check_run_limit(&db, self.product.run_limit, &params.run_name)?;
        submit::enqueue(
            &self.state.config,
            &self.state.workspace,
            &self.state.machine_id,
            &self.state.store.submit,
            &self.product,
            params,
            upload,
        )
        .map_err(Into::into)
    }

    /// Waits for the task up to `timeout`; the task if it ended.
    fn wait_for(
        &self,
        token: &str,
        timeout: Duration,
    ) -> thrift::Result<Option<configdb::TaskRecord>> {
        if timeout.is_zero() {
            return Ok(None);
        }
        match self.state.notifier() {
            Some(notifier) => submit::wait(notifier, token, timeout).map_err(Into::into),
            None => {
                // No event channel: look at the record a few times a second.
                let deadline = std::time::Instant::now() + timeout;
                loop {
                    let task = self
                        .state
                        .config
                        .get_task(token)
                        .map_err(database)?
                        .ok_or_else(|| general("The store task disappeared."))?;
                    if task.status.is_terminal() {
                        return Ok(Some(task));
                    }
                    if std::time::Instant::now() >= deadline {
                        return Ok(None);
                    }
                    std::thread::sleep(Duration::from_millis(200));
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn mass_store_run(
        &self,
        run_name: Option<String>,
        tag: Option<String>,
        version: Option<String>,
        zipfile: Option<String>,
        force: Option<bool>,
        trim_path_prefixes: Option<Vec<String>>,
        description: Option<String>,
    ) -> thrift::Result<i64> {
        let params = StoreParams {
            run_name: run_name.unwrap_or_default(),
            tag,
            version,
            force: force.unwrap_or(false),
            trim_path_prefixes: trim_path_prefixes.unwrap_or_default(),
            description,
            user: self.store_user(),
            legacy: true,
            ..StoreParams::default()
        };
        let token = self.submit(zipfile, params)?;
        tracing::info!(%token, "massStoreRun(): blocking until the store task ends");
        loop {
            if let Some(task) = self.wait_for(&token, LEGACY_WAIT_STEP)? {
                return submit::legacy_result(&task).map_err(Into::into);
            }
        }
    }

    pub(super) fn mass_store_run_async(
        &self,
        zipfile: Option<String>,
        options: Option<api::SubmittedRunOptions>,
    ) -> thrift::Result<String> {
        let options = options.ok_or_else(|| missing_argument("storeOpts"))?;
        let params = StoreParams {
            run_name: options.run_name.unwrap_or_default(),
            tag: options.tag,
            version: options.version,
            force: options.force.unwrap_or(false),
            trim_path_prefixes: options.trim_path_prefixes.unwrap_or_default(),
            description: options.description,
            user: self.store_user(),
            legacy: false,
            ..StoreParams::default()
        };
        let token = self.submit(zipfile, params)?;
        // Small stores finish within the hold; the client then sees the end
        // at its first status query instead of one poll interval later.
        self.wait_for(&token, self.state.store.submit.hold)?;
        Ok(token)
    }

    pub(super) fn allows_storing_statistics(&self) -> bool {
        self.state.store.statistics_dir.is_some()
    }

    pub(super) fn statistics_limits(&self) -> BTreeMap<api::StoreLimitKind, i64> {
        BTreeMap::from([
            (api::StoreLimitKind::FAILURE_ZIP_SIZE, FAILURE_ZIP_SIZE),
            (
                api::StoreLimitKind::COMPILATION_DATABASE_SIZE,
                COMPILATION_DATABASE_SIZE,
            ),
        ])
    }

    pub(super) fn store_statistics(
        &self,
        run_name: Option<String>,
        zipfile: Option<String>,
    ) -> thrift::Result<bool> {
        let Some(dir) = &self.state.store.statistics_dir else {
            return Ok(false);
        };
        let run_name = run_name.ok_or_else(|| missing_argument("runName"))?;
        let product_dir = dir.join(&self.product.endpoint);
        let target = product_dir.join(format!("{}.zip", slugify(&run_name)));
        let written = (|| -> Result<(), String> {
            std::fs::create_dir_all(&product_dir).map_err(|e| e.to_string())?;
            let compressed = base64::engine::general_purpose::STANDARD
                .decode(zipfile.unwrap_or_default().trim_end())
                .map_err(|e| format!("not base64: {e}"))?;
            let limit = (FAILURE_ZIP_SIZE + COMPILATION_DATABASE_SIZE) as u64 * 2;
            let mut inflated = Vec::new();
            let mut decoder = flate2::read::ZlibDecoder::new(compressed.as_slice());
            let read = std::io::copy(
                &mut std::io::Read::take(&mut decoder, limit + 1),
                &mut inflated,
            )
            .map_err(|e| format!("not zlib data: {e}"))?;
            if read > limit {
                return Err("the statistics are too large".into());
            }
            let mut file = std::fs::File::create(&target).map_err(|e| e.to_string())?;
            file.write_all(&inflated).map_err(|e| e.to_string())
        })();
        match written {
            Ok(()) => Ok(true),
            Err(err) => {
                tracing::warn!(%err, run = %run_name, "storing analysis statistics failed");
                Ok(false)
            }
        }
    }
}

/// CodeChecker's file name of a run: word characters, blanks, `-` and `/`
/// kept, then blank and slash runs turned into `_`.
fn slugify(text: &str) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_' || c.is_whitespace() || *c == '-' || *c == '/')
        .collect();
    let mut out = String::with_capacity(kept.len());
    // 0: ordinary character, 1: in a blank run, 2: in a slash run.
    let mut run = 0;
    for c in kept.chars() {
        let class = if c.is_whitespace() {
            1
        } else if c == '/' {
            2
        } else {
            0
        };
        if class == 0 {
            out.push(c);
        } else if class != run {
            out.push('_');
        }
        run = class;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::slugify;

    #[test]
    fn slugs_like_codechecker() {
        assert_eq!(slugify("my run/v1.2 (x)"), "my_run_v12_x");
        assert_eq!(slugify("a  //b"), "a__b");
    }
}
