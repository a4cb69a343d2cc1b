//! Personal access tokens: long-lived named secrets a user creates to log in
//! from scripts and CI.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;

use super::secret::{hashes_equal, new_secret, secret_hash};
use super::{groups_from_text, groups_to_text};
use crate::clock::{from_micros, to_micros};
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::personal_access_tokens::{self, dsl as p};

/// A stored personal access token (without its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessToken {
    /// Primary key.
    pub id: i64,
    /// The owner.
    pub user_name: String,
    /// The name the owner gave it, unique per owner.
    pub name: String,
    /// Free text, if any.
    pub description: Option<String>,
    /// The owner's groups, as of the latest login.
    pub groups: Vec<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_access: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = personal_access_tokens)]
struct TokenRow {
    id: i64,
    user_name: String,
    token_name: String,
    token_hash: String,
    description: Option<String>,
    group_names: String,
    created_at_us: i64,
    last_access_us: i64,
    expires_at_us: i64,
}

#[derive(Insertable)]
#[diesel(table_name = personal_access_tokens)]
struct NewTokenRow<'a> {
    user_name: &'a str,
    token_name: &'a str,
    token_hash: &'a str,
    description: Option<&'a str>,
    group_names: String,
    created_at_us: i64,
    last_access_us: i64,
    expires_at_us: i64,
}

impl TryFrom<TokenRow> for AccessToken {
    type Error = Error;

    fn try_from(r: TokenRow) -> Result<Self> {
        Ok(AccessToken {
            id: r.id,
            groups: groups_from_text(&r.group_names),
            user_name: r.user_name,
            name: r.token_name,
            description: r.description,
            created_at: from_micros(r.created_at_us)?,
            last_access: from_micros(r.last_access_us)?,
            expires_at: from_micros(r.expires_at_us)?,
        })
    }
}

impl ConfigDb {
    /// Creates token `name` of `user`, valid until `expires_at`. Returns the
    /// secret (shown to the user once) and the record, or `None` when the
    /// user already has a token of that name.
    pub fn create_access_token(
        &self,
        user: &str,
        name: &str,
        description: Option<&str>,
        groups: &[String],
        expires_at: DateTime<Utc>,
    ) -> Result<Option<(String, AccessToken)>> {
        let secret = new_secret();
        let hash = secret_hash(&secret);
        let now = to_micros(self.now());
        let row = NewTokenRow {
            user_name: user,
            token_name: name,
            token_hash: &hash,
            description,
            group_names: groups_to_text(groups),
            created_at_us: now,
            last_access_us: now,
            expires_at_us: to_micros(expires_at),
        };
        let mut conn = self.conn()?;
        match diesel::insert_into(p::personal_access_tokens)
            .values(&row)
            .execute(&mut *conn)
        {
            Ok(_) => {}
            Err(diesel::result::Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
                return Ok(None);
            }
            Err(e) => return Err(e.into()),
        }
        let stored = p::personal_access_tokens
            .filter(p::token_hash.eq(&hash))
            .select(TokenRow::as_select())
            .first(&mut *conn)?;
        Ok(Some((secret, AccessToken::try_from(stored)?)))
    }

    /// The token whose secret is `secret`, if any (expired ones included).
    pub fn find_access_token(&self, secret: &str) -> Result<Option<AccessToken>> {
        let hash = secret_hash(secret);
        let row = p::personal_access_tokens
            .filter(p::token_hash.eq(&hash))
            .select(TokenRow::as_select())
            .first(&mut *self.conn()?)
            .optional()?;
        row.filter(|r| hashes_equal(&r.token_hash, &hash))
            .map(AccessToken::try_from)
            .transpose()
    }

    /// The tokens of `user`, by name.
    pub fn list_access_tokens(&self, user: &str) -> Result<Vec<AccessToken>> {
        p::personal_access_tokens
            .filter(p::user_name.eq(user))
            .order(p::token_name.asc())
            .select(TokenRow::as_select())
            .load(&mut *self.conn()?)?
            .into_iter()
            .map(AccessToken::try_from)
            .collect()
    }

    /// Removes token `name` of `user`; whether it existed.
    pub fn remove_access_token(&self, user: &str, name: &str) -> Result<bool> {
        let n = diesel::delete(
            p::personal_access_tokens
                .filter(p::user_name.eq(user))
                .filter(p::token_name.eq(name)),
        )
        .execute(&mut *self.conn()?)?;
        Ok(n > 0)
    }

    /// Removes the token of `user` whose secret is `secret`; whether it existed.
    pub fn remove_access_token_by_secret(&self, user: &str, secret: &str) -> Result<bool> {
        let n = diesel::delete(
            p::personal_access_tokens
                .filter(p::user_name.eq(user))
                .filter(p::token_hash.eq(secret_hash(secret))),
        )
        .execute(&mut *self.conn()?)?;
        Ok(n > 0)
    }

    /// Records that token `id` was used now.
    pub fn touch_access_token(&self, id: i64) -> Result<()> {
        diesel::update(p::personal_access_tokens.find(id))
            .set(p::last_access_us.eq(to_micros(self.now())))
            .execute(&mut *self.conn()?)?;
        Ok(())
    }

    /// Replaces the groups recorded on every token of `user` (after a login
    /// told the current ones).
    pub fn set_access_token_groups(&self, user: &str, groups: &[String]) -> Result<()> {
        diesel::update(p::personal_access_tokens.filter(p::user_name.eq(user)))
            .set(p::group_names.eq(groups_to_text(groups)))
            .execute(&mut *self.conn()?)?;
        Ok(())
    }
}
