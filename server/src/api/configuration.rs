//! `Configuration`: the notification banner.

use codechecker_api::configuration::ConfigurationServiceSyncHandler;

use super::errors::not_implemented;

/// Handler of the `Configuration` service.
pub struct ConfigurationHandler;

impl ConfigurationServiceSyncHandler for ConfigurationHandler {
    fn handle_get_notification_banner_text(&self) -> thrift::Result<String> {
        // The banner is stored base64 encoded; no banner is the empty text.
        Ok(String::new())
    }

    fn handle_set_notification_banner_text(
        &self,
        _notification_b64: Option<String>,
    ) -> thrift::Result<()> {
        Err(not_implemented("setNotificationBannerText"))
    }
}
