//! Granted permissions: which user or group holds which right, server-wide or
//! on one product. Names compare case-insensitively; the spelling of the
//! first grant to a name is the one kept.

use diesel::prelude::*;
use diesel::result::DatabaseErrorKind;
use diesel::sql_types::Bool;

use crate::connection::MultiBackend;
use crate::db::ConfigDb;
use crate::error::{Error, Result};
use crate::schema::auth_permissions::{self, dsl as a};
use crate::schema::products::dsl as p;
use dbkit::write_txn;

/// A user or group holding a permission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grantee {
    /// The name as first granted.
    pub name: String,
    /// Whether the name is a group's.
    pub is_group: bool,
}

/// One stored grant, for listing them all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// The permission's name (`SUPERUSER`, `PRODUCT_ADMIN`, ...).
    pub permission: String,
    /// The product, for a per-product permission.
    pub product_id: Option<i64>,
    /// That product's endpoint.
    pub product_endpoint: Option<String>,
    /// Who holds it.
    pub grantee: Grantee,
}

/// "Does this user hold any of these permissions?"
#[derive(Debug, Clone, Copy)]
pub struct PermissionQuery<'a> {
    /// Server-wide permissions, any of which answers yes.
    pub system: &'a [&'a str],
    /// Per-product permissions on `product_id`, any of which answers yes.
    pub product: &'a [&'a str],
    /// The product the per-product permissions are about.
    pub product_id: Option<i64>,
    /// The user's name.
    pub user: &'a str,
    /// The user's groups.
    pub groups: &'a [String],
}

/// permission, product id, product endpoint, name, is_group
type GrantRow = (String, Option<i64>, Option<String>, String, bool);

type Condition = Box<dyn BoxableExpression<auth_permissions::table, MultiBackend, SqlType = Bool>>;

/// The key names are matched by.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

fn owned(names: &[&str]) -> Vec<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

/// Rows of `permission` in the scope of `product_id` (`None`: server-wide).
fn in_scope(product_id: Option<i64>) -> Condition {
    match product_id {
        Some(id) => Box::new(a::product_id.assume_not_null().eq(id)),
        None => Box::new(a::product_id.is_null()),
    }
}

fn product_missing(product_id: Option<i64>) -> Error {
    Error::NotFound {
        what: "product",
        key: product_id.map(|id| id.to_string()).unwrap_or_default(),
    }
}

impl ConfigDb {
    /// Grants `permission` to user or group `name` (server-wide when
    /// `product_id` is `None`). Returns whether it was newly granted.
    pub fn grant_permission(
        &self,
        permission: &str,
        product_id: Option<i64>,
        name: &str,
        is_group: bool,
    ) -> Result<bool> {
        if name.is_empty() {
            return Err(Error::InvalidArgument(
                "the name to grant to is empty".into(),
            ));
        }
        let key = name_key(name);
        let mut conn = self.conn()?;
        let outcome = write_txn(&mut conn, |conn| {
            let existing: Vec<(String, String)> = a::auth_permissions
                .filter(in_scope(product_id))
                .filter(a::name_key.eq(&key))
                .filter(a::is_group.eq(is_group))
                .select((a::permission, a::name))
                .load(conn)?;
            if existing.iter().any(|(perm, _)| perm == permission) {
                return Ok(false);
            }
            let stored_name = existing
                .first()
                .map_or_else(|| name.to_owned(), |(_, n)| n.clone());
            diesel::insert_into(a::auth_permissions)
                .values((
                    a::permission.eq(permission),
                    a::product_id.eq(product_id),
                    a::name.eq(&stored_name),
                    a::name_key.eq(&key),
                    a::is_group.eq(is_group),
                ))
                .execute(conn)
                .map_err(|e| match e {
                    diesel::result::Error::DatabaseError(
                        DatabaseErrorKind::ForeignKeyViolation,
                        _,
                    ) => product_missing(product_id),
                    other => Error::Query(other),
                })?;
            Ok::<_, Error>(true)
        });
        match outcome {
            // Two grants raced; the other one stored it.
            Err(Error::Query(diesel::result::Error::DatabaseError(
                DatabaseErrorKind::UniqueViolation,
                _,
            ))) => Ok(false),
            other => other,
        }
    }

    /// Revokes `permission` from user or group `name`; whether it was held.
    pub fn revoke_permission(
        &self,
        permission: &str,
        product_id: Option<i64>,
        name: &str,
        is_group: bool,
    ) -> Result<bool> {
        let n = diesel::delete(
            a::auth_permissions
                .filter(in_scope(product_id))
                .filter(a::permission.eq(permission))
                .filter(a::name_key.eq(name_key(name)))
                .filter(a::is_group.eq(is_group)),
        )
        .execute(&mut *self.conn()?)?;
        Ok(n > 0)
    }

    /// Who was granted `permission` (on `product_id`, or server-wide).
    pub fn permission_holders(
        &self,
        permission: &str,
        product_id: Option<i64>,
    ) -> Result<Vec<Grantee>> {
        let rows: Vec<(String, bool)> = a::auth_permissions
            .filter(in_scope(product_id))
            .filter(a::permission.eq(permission))
            .order(a::id.asc())
            .select((a::name, a::is_group))
            .load(&mut *self.conn()?)?;
        Ok(rows
            .into_iter()
            .map(|(name, is_group)| Grantee { name, is_group })
            .collect())
    }

    /// Whether the user (by name or through a group) holds any permission the
    /// query lists.
    pub fn holds_permission(&self, q: &PermissionQuery<'_>) -> Result<bool> {
        let mut scope: Option<Condition> = None;
        if !q.system.is_empty() {
            let c: Condition = Box::new(
                a::product_id
                    .is_null()
                    .and(a::permission.eq_any(owned(q.system))),
            );
            scope = Some(c);
        }
        if let (Some(id), false) = (q.product_id, q.product.is_empty()) {
            let c: Condition = Box::new(
                a::product_id
                    .assume_not_null()
                    .eq(id)
                    .and(a::permission.eq_any(owned(q.product))),
            );
            scope = Some(match scope {
                Some(s) => Box::new(s.or(c)),
                None => c,
            });
        }
        let Some(scope) = scope else {
            return Ok(false);
        };
        let mut who: Condition =
            Box::new(a::is_group.eq(false).and(a::name_key.eq(name_key(q.user))));
        if !q.groups.is_empty() {
            let keys: Vec<String> = q.groups.iter().map(|g| name_key(g)).collect();
            who = Box::new(who.or(a::is_group.eq(true).and(a::name_key.eq_any(keys))));
        }
        let found = a::auth_permissions
            .filter(scope)
            .filter(who)
            .select(a::id)
            .first::<i64>(&mut *self.conn()?)
            .optional()?;
        Ok(found.is_some())
    }

    /// Every grant, server-wide ones first, then by product and permission.
    pub fn list_grants(&self) -> Result<Vec<Grant>> {
        let rows: Vec<GrantRow> = a::auth_permissions
            .left_join(p::products)
            .order((a::product_id.asc(), a::permission.asc(), a::id.asc()))
            .select((
                a::permission,
                a::product_id,
                p::endpoint.nullable(),
                a::name,
                a::is_group,
            ))
            .load(&mut *self.conn()?)?;
        Ok(rows
            .into_iter()
            .map(
                |(permission, product_id, product_endpoint, name, is_group)| Grant {
                    permission,
                    product_id,
                    product_endpoint,
                    grantee: Grantee { name, is_group },
                },
            )
            .collect())
    }
}
