//! The caller-specific parts of the product service: what a product listing
//! says about the caller's rights, and who administers what.

use codechecker_api::products::Product;

use super::errors::database;
use crate::auth::{Caller, Permission};
use crate::state::ServerState;

/// Fills `accessible`, `administrating` and `admins` of the listing of
/// product `id` for `caller`. A failed lookup shows no rights (and is logged).
pub fn annotate(caller: &Caller, state: &ServerState, id: i64, info: &mut Product) {
    let accessible = caller.has_any(
        &[Permission::ProductView, Permission::PermissionView],
        Some(id),
    );
    let administrating = caller.has(Permission::ProductAdmin, Some(id));
    let admins = state
        .config
        .permission_holders(Permission::ProductAdmin.name(), Some(id));
    match (accessible, administrating, admins) {
        (Ok(accessible), Ok(administrating), Ok(admins)) => {
            info.accessible = Some(accessible);
            info.administrating = Some(administrating);
            info.admins = Some(admins.into_iter().map(|a| a.name).collect());
        }
        (a, b, c) => {
            let err = a.err().or(b.err()).or(c.err());
            tracing::error!(?err, product = id, "cannot read the rights on a product");
            info.accessible = Some(false);
            info.administrating = Some(false);
        }
    }
}

/// Whether `caller` administers any of `products`.
pub fn administers_any(caller: &Caller, products: &[configdb::Product]) -> thrift::Result<bool> {
    for product in products {
        if caller
            .has(Permission::ProductAdmin, Some(product.id))
            .map_err(database)?
        {
            return Ok(true);
        }
    }
    Ok(false)
}
