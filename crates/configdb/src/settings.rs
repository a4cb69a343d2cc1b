//! Server-wide settings: text values by key in the `server_configuration`
//! table, as CodeChecker keeps them (e.g. the web UI's notification banner).

use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::server_configuration::dsl as s;

/// CodeChecker's key of the notification banner text.
pub const NOTIFICATION_BANNER_KEY: &str = "notification_banner_text";

/// Refuses what one of the backends cannot store: PostgreSQL text holds no
/// NUL characters, so neither backend accepts them.
fn check_text(what: &str, text: &str) -> Result<()> {
    if text.contains('\0') {
        return Err(Error::InvalidArgument(format!(
            "{what} contains a NUL character"
        )));
    }
    Ok(())
}

impl ConfigDb {
    /// The value of server setting `key`, if it was ever set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(s::server_configuration
            .find(key)
            .select(s::config_value)
            .get_result(&mut *self.conn()?)
            .optional()?)
    }

    /// Sets server setting `key` to `value`, replacing any previous value.
    /// Concurrent writers of one key are fine: the last one wins.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        check_text("the setting's key", key)?;
        check_text("the setting's value", value)?;
        let mut conn = self.conn()?;
        let update = |conn: &mut crate::connection::AnyConnection| {
            diesel::update(s::server_configuration.find(key))
                .set(s::config_value.eq(value))
                .execute(conn)
        };
        if update(&mut conn)? > 0 {
            return Ok(());
        }
        let inserted = diesel::insert_into(s::server_configuration)
            .values((s::config_key.eq(key), s::config_value.eq(value)))
            .execute(&mut *conn);
        match inserted {
            Ok(_) => Ok(()),
            // Another writer inserted the row since the update: overwrite it.
            Err(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                update(&mut conn)?;
                Ok(())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The notification banner text; empty when none was ever set.
    pub fn notification_banner(&self) -> Result<String> {
        Ok(self.setting(NOTIFICATION_BANNER_KEY)?.unwrap_or_default())
    }

    /// Sets the notification banner text (empty hides the banner).
    pub fn set_notification_banner(&self, text: &str) -> Result<()> {
        self.set_setting(NOTIFICATION_BANNER_KEY, text)
    }
}
