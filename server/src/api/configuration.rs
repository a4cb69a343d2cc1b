//! `Configuration`: the notification banner of the web UI.
//!
//! The banner text is kept in the configuration database (CodeChecker's
//! `server_configuration` row `notification_banner_text`) and travels base64
//! encoded both ways. Anyone may read it; setting it needs `SUPERUSER` (which
//! everyone holds when authentication is off).

use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;
use codechecker_api::configuration::ConfigurationServiceSyncHandler;

use super::errors::{database, general, missing_argument};
use crate::auth::Caller;
use crate::state::ServerState;

/// Handler of the `Configuration` service for one request.
pub struct ConfigurationHandler {
    state: Arc<ServerState>,
    /// Who is asking.
    caller: Caller,
}

impl ConfigurationHandler {
    /// A handler answering `caller`.
    pub fn new(state: Arc<ServerState>, caller: Caller) -> Self {
        Self { state, caller }
    }
}

/// Standard alphabet, as lenient as Python's `base64.b64decode` on padding
/// and on the unused bits of the last character.
const LENIENT_B64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

/// The banner text carried by `notification_b64`: base64 (line breaks and
/// other white space ignored) of UTF-8 text.
fn decode_banner(notification_b64: &str) -> thrift::Result<String> {
    let compact: String = notification_b64
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    let bytes = LENIENT_B64.decode(compact.as_bytes()).map_err(|err| {
        general(format!(
            "The notification banner text must be base64 encoded: {err}."
        ))
    })?;
    String::from_utf8(bytes).map_err(|err| {
        general(format!(
            "The notification banner text must be base64 encoded UTF-8 text: {err}."
        ))
    })
}

impl ConfigurationServiceSyncHandler for ConfigurationHandler {
    fn handle_get_notification_banner_text(&self) -> thrift::Result<String> {
        let text = self.state.config.notification_banner().map_err(database)?;
        Ok(base64::engine::general_purpose::STANDARD.encode(text))
    }

    fn handle_set_notification_banner_text(
        &self,
        notification_b64: Option<String>,
    ) -> thrift::Result<()> {
        super::guard::require_superuser(&self.caller)?;
        let encoded = notification_b64.ok_or_else(|| missing_argument("notification_b64"))?;
        let text = decode_banner(&encoded)?;
        match self.state.config.set_notification_banner(&text) {
            Ok(()) => {}
            Err(configdb::Error::InvalidArgument(why)) => {
                return Err(general(format!(
                    "The notification banner text cannot be stored: {why}."
                )))
            }
            Err(err) => return Err(database(err)),
        }
        tracing::info!(
            user = self.caller.username.as_deref(),
            chars = text.chars().count(),
            "notification banner changed"
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::decode_banner;

    #[test]
    fn decodes_what_python_clients_send() {
        assert_eq!(decode_banner("").unwrap(), "");
        assert_eq!(decode_banner("aGVsbG8=").unwrap(), "hello");
        // Missing padding, line breaks (`base64.encodebytes`), non-ASCII.
        assert_eq!(decode_banner("aGVsbG8").unwrap(), "hello");
        assert_eq!(decode_banner("aGVs\nbG8=\n").unwrap(), "hello");
        assert_eq!(decode_banner("w4FydsOtenTFsXLFkQ==").unwrap(), "Árvíztűrő");
    }

    #[test]
    fn refuses_what_is_not_base64_text() {
        for bad in ["not base64!", "a", "aGVsbG8=x", "____"] {
            assert!(decode_banner(bad).is_err(), "{bad:?}");
        }
        // Valid base64 of bytes that are not UTF-8.
        assert!(decode_banner("/w==").is_err());
    }
}
