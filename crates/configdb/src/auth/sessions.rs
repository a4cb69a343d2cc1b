//! Login sessions: created at login, found by token on every request, touched
//! as they are used, deleted at logout or when idle for too long.

use chrono::{DateTime, Utc};
use diesel::prelude::*;

use super::secret::{hashes_equal, new_secret, secret_hash};
use super::{groups_from_text, groups_to_text};
use crate::clock::{from_micros, to_micros};
use crate::db::ConfigDb;
use crate::error::Result;
use crate::schema::auth_sessions::{self, dsl as s};

/// A stored login session (without its secret token).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the token, the session's key.
    pub token_hash: String,
    /// Who logged in.
    pub user_name: String,
    /// The groups the user belonged to at login.
    pub groups: Vec<String>,
    /// Free text, if any.
    pub description: Option<String>,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
    /// When the session was last used (updated at most every refresh interval).
    pub last_access: DateTime<Utc>,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = auth_sessions)]
struct SessionRow {
    token_hash: String,
    user_name: String,
    group_names: String,
    description: Option<String>,
    created_at_us: i64,
    last_access_us: i64,
}

impl TryFrom<SessionRow> for Session {
    type Error = crate::Error;

    fn try_from(r: SessionRow) -> Result<Self> {
        Ok(Session {
            groups: groups_from_text(&r.group_names),
            token_hash: r.token_hash,
            user_name: r.user_name,
            description: r.description,
            created_at: from_micros(r.created_at_us)?,
            last_access: from_micros(r.last_access_us)?,
        })
    }
}

impl ConfigDb {
    /// Creates a session of `user` with `groups`; returns the new token (the
    /// only time it exists outside the client) and the record.
    pub fn create_session(
        &self,
        user: &str,
        groups: &[String],
        description: Option<&str>,
    ) -> Result<(String, Session)> {
        let token = new_secret();
        let now = to_micros(self.now());
        let row = SessionRow {
            token_hash: secret_hash(&token),
            user_name: user.to_owned(),
            group_names: groups_to_text(groups),
            description: description.map(str::to_owned),
            created_at_us: now,
            last_access_us: now,
        };
        diesel::insert_into(s::auth_sessions)
            .values(&row)
            .execute(&mut *self.conn()?)?;
        Ok((token, Session::try_from(row)?))
    }

    /// The session whose token is `token`, if any. Whether it is still alive
    /// is for the caller to decide from [`Session::last_access`].
    pub fn find_session(&self, token: &str) -> Result<Option<Session>> {
        let hash = secret_hash(token);
        let row = s::auth_sessions
            .find(&hash)
            .select(SessionRow::as_select())
            .get_result(&mut *self.conn()?)
            .optional()?;
        row.filter(|r| hashes_equal(&r.token_hash, &hash))
            .map(Session::try_from)
            .transpose()
    }

    /// Records that the session `token_hash` was used now; returns that instant.
    pub fn touch_session(&self, token_hash: &str) -> Result<DateTime<Utc>> {
        let now = self.now();
        diesel::update(s::auth_sessions.find(token_hash))
            .set(s::last_access_us.eq(to_micros(now)))
            .execute(&mut *self.conn()?)?;
        Ok(now)
    }

    /// Ends the session of `token`; whether there was one.
    pub fn delete_session(&self, token: &str) -> Result<bool> {
        self.delete_session_by_hash(&secret_hash(token))
    }

    /// Ends the session stored under `token_hash`; whether there was one.
    pub fn delete_session_by_hash(&self, token_hash: &str) -> Result<bool> {
        let n = diesel::delete(s::auth_sessions.find(token_hash)).execute(&mut *self.conn()?)?;
        Ok(n > 0)
    }

    /// Deletes the sessions last used before `cutoff` (only those of `user`
    /// when given); returns how many.
    pub fn delete_idle_sessions(&self, cutoff: DateTime<Utc>, user: Option<&str>) -> Result<usize> {
        let mut query = diesel::delete(s::auth_sessions)
            .filter(s::last_access_us.lt(to_micros(cutoff)))
            .into_boxed();
        if let Some(user) = user {
            query = query.filter(s::user_name.eq(user));
        }
        Ok(query.execute(&mut *self.conn()?)?)
    }
}
