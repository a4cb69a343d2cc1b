//! `ServerInfo`: what the server is.

use codechecker_api::server_info::ServerInfoServiceSyncHandler;

use super::PACKAGE_VERSION;

/// Handler of the `ServerInfo` service.
pub struct ServerInfoHandler;

impl ServerInfoServiceSyncHandler for ServerInfoHandler {
    fn handle_get_package_version(&self) -> thrift::Result<String> {
        Ok(PACKAGE_VERSION.to_owned())
    }
}
