//! `Authentication`: logging in and out, permissions and personal access
//! tokens. With authentication off every caller is anonymous and holds every
//! permission, as with CodeChecker.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use codechecker_api::authentication::{
    AccessControl, AuthorisationList, CodeCheckerAuthenticationSyncHandler, HandshakeInformation,
    PermissionFilter, Permissions, PersonalAccessToken, SessionTokenData,
};
use codechecker_api::codechecker_api_shared::{ErrorCode, Permission as WirePermission};

use super::errors::{database, general, missing_argument, request_failed};
use super::guard::{require, require_login};
use super::login::{perform_login, USERNAME_PASSWORD};
use crate::auth::permission::Scope;
use crate::auth::{Caller, Credential, Permission};
use crate::state::ServerState;

/// Handler of the `Authentication` service for one request.
pub struct AuthenticationHandler {
    state: Arc<ServerState>,
    caller: Caller,
    peer: Option<SocketAddr>,
}

impl AuthenticationHandler {
    /// A handler for one request of `caller`, who connected from `peer`.
    pub fn new(state: Arc<ServerState>, caller: Caller, peer: Option<SocketAddr>) -> Self {
        Self {
            state,
            caller,
            peer,
        }
    }

    fn logged_in_user(&self) -> thrift::Result<&str> {
        require_login(&self.caller)?;
        Ok(self.caller.username.as_deref().unwrap_or_default())
    }
}

/// The timestamp form CodeChecker shows token times in.
fn timestamp(t: chrono::DateTime<chrono::Utc>) -> String {
    t.naive_utc().format("%Y-%m-%d %H:%M:%S%.6f").to_string()
}

fn permission(value: Option<WirePermission>) -> thrift::Result<Permission> {
    let value = value.ok_or_else(|| missing_argument("permission"))?;
    Permission::from_code(value.0).ok_or_else(|| {
        general(format!(
            "There is no permission with the value {}.",
            value.0
        ))
    })
}

/// The product a product permission is about, from `extra_params`
/// (`{"productID": <id>}`); `None` for a server-wide permission.
fn scope_product(perm: Permission, extra_params: Option<&str>) -> thrift::Result<Option<i64>> {
    if perm.scope() == Scope::System {
        return Ok(None);
    }
    let params: serde_json::Value = match extra_params.filter(|p| !p.trim().is_empty()) {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| general(format!("extra_params is not valid JSON: {e}")))?,
        None => serde_json::Value::Null,
    };
    params
        .get("productID")
        .and_then(serde_json::Value::as_i64)
        .map(Some)
        .ok_or_else(|| {
            general(format!(
                "{} is a product permission: name the product in extra_params as \
                 {{\"productID\": <id>}}.",
                perm.name()
            ))
        })
}

fn permissions_in(scope: Option<&str>) -> Vec<Permission> {
    Permission::ALL
        .into_iter()
        .filter(|p| scope.is_none_or(|s| p.scope_name() == s))
        .collect()
}

impl AuthenticationHandler {
    fn require_manager(&self, perm: Permission, product: Option<i64>) -> thrift::Result<()> {
        if self.caller.may_manage(perm, product).map_err(database)? {
            Ok(())
        } else {
            Err(request_failed(
                ErrorCode::UNAUTHORIZED,
                format!(
                    "You are not allowed to manage the permission '{}'.",
                    perm.name()
                ),
            ))
        }
    }

    /// The validated arguments of `addPermission` / `removePermission`.
    fn grant_args(
        &self,
        permission: Option<WirePermission>,
        auth_name: Option<String>,
        extra_params: Option<String>,
    ) -> thrift::Result<(Permission, Option<i64>, String)> {
        let perm = self::permission(permission)?;
        let product = scope_product(perm, extra_params.as_deref())?;
        self.require_manager(perm, product)?;
        let name = auth_name.unwrap_or_default().trim().to_owned();
        if name.is_empty() || name == "*" {
            return Err(general(format!(
                "'{name}' cannot hold a permission: give a user or group name."
            )));
        }
        Ok((perm, product, name))
    }

    fn new_token(
        &self,
        name: &str,
        description: Option<String>,
        days: Option<i64>,
    ) -> thrift::Result<PersonalAccessToken> {
        let user = self.logged_in_user()?;
        if !matches!(self.caller.credential(), Some(Credential::Session { .. })) {
            return Err(request_failed(
                ErrorCode::UNAUTHORIZED,
                "Personal access tokens can only be created from a login session; \
                 log in with 'CodeChecker cmd login' first.",
            ));
        }
        let max = self.state.server_config.authentication.max_token_days;
        let days = days.unwrap_or(max);
        if !(1..=max).contains(&days) {
            return Err(general(format!(
                "A personal access token may be valid for 1 to {max} days, not {days}."
            )));
        }
        let name = name.trim();
        if name.is_empty() {
            return Err(general("A personal access token needs a name."));
        }
        let expires = self.state.config.now() + chrono::Duration::days(days);
        let created = self
            .state
            .config
            .create_access_token(
                user,
                name,
                description.as_deref(),
                self.caller.groups(),
                expires,
            )
            .map_err(database)?;
        let Some((secret, token)) = created else {
            return Err(request_failed(
                ErrorCode::DATABASE,
                format!("You already have a personal access token named '{name}'."),
            ));
        };
        tracing::info!(user, token = name, "personal access token created");
        Ok(PersonalAccessToken {
            token: Some(secret),
            name: Some(token.name),
            description: token.description,
            last_access: Some(timestamp(token.last_access)),
            expiration: Some(timestamp(token.expires_at)),
        })
    }
}

impl CodeCheckerAuthenticationSyncHandler for AuthenticationHandler {
    fn handle_check_a_p_i_version(&self) -> thrift::Result<()> {
        Ok(())
    }

    fn handle_get_auth_parameters(&self) -> thrift::Result<HandshakeInformation> {
        Ok(HandshakeInformation::new(
            self.caller.auth_enabled(),
            self.caller.is_logged_in(),
        ))
    }

    fn handle_get_accepted_auth_methods(&self) -> thrift::Result<Vec<String>> {
        Ok(vec![USERNAME_PASSWORD.to_owned()])
    }

    fn handle_get_access_control(&self) -> thrift::Result<AccessControl> {
        require(&self.caller, &[Permission::PermissionView], None)?;
        let mut global = (BTreeMap::<String, Vec<String>>::new(), BTreeMap::new());
        let mut products: BTreeMap<String, (BTreeMap<String, Vec<String>>, BTreeMap<_, _>)> =
            BTreeMap::new();
        for grant in self.state.config.list_grants().map_err(database)? {
            let target = match grant.product_endpoint {
                Some(endpoint) => products.entry(endpoint).or_default(),
                None => &mut global,
            };
            let names = if grant.grantee.is_group {
                &mut target.1
            } else {
                &mut target.0
            };
            names
                .entry(grant.grantee.name)
                .or_insert_with(Vec::new)
                .push(grant.permission);
        }
        if let Some(root) = &self.state.server_config.authentication.super_user {
            let perms = global.0.entry(root.clone()).or_default();
            let name = Permission::Superuser.name().to_owned();
            if !perms.contains(&name) {
                perms.push(name);
            }
        }
        Ok(AccessControl::new(
            Permissions::new(global.0, global.1),
            products
                .into_iter()
                .map(|(endpoint, (users, groups))| (endpoint, Permissions::new(users, groups)))
                .collect::<BTreeMap<_, _>>(),
        ))
    }

    fn handle_perform_login(
        &self,
        auth_method: Option<String>,
        auth_string: Option<String>,
    ) -> thrift::Result<String> {
        perform_login(
            &self.state,
            self.peer,
            auth_method.as_deref(),
            auth_string.as_deref(),
        )
    }

    fn handle_get_oauth_providers(&self) -> thrift::Result<Vec<String>> {
        Ok(Vec::new())
    }

    fn handle_create_link(&self, _provider: Option<String>) -> thrift::Result<String> {
        Err(request_failed(
            ErrorCode::AUTH_DENIED,
            "OAuth login is not supported by this server.",
        ))
    }

    fn handle_destroy_session(&self) -> thrift::Result<bool> {
        if let Some(Credential::Session { token_hash }) = self.caller.credential() {
            self.state.sessions.forget(token_hash);
            self.state
                .config
                .delete_session_by_hash(token_hash)
                .map_err(database)?;
            tracing::info!(user = self.caller.username.as_deref(), "logged out");
        }
        Ok(true)
    }

    fn handle_get_logged_in_user(&self) -> thrift::Result<String> {
        Ok(self.caller.username.clone().unwrap_or_default())
    }

    fn handle_get_permissions(&self, scope: Option<String>) -> thrift::Result<Vec<WirePermission>> {
        Ok(permissions_in(scope.as_deref())
            .into_iter()
            .map(|p| WirePermission(p.code()))
            .collect())
    }

    fn handle_get_permissions_for_user(
        &self,
        scope: Option<String>,
        extra_params: Option<String>,
        filter: Option<PermissionFilter>,
    ) -> thrift::Result<Vec<WirePermission>> {
        let filter = filter.unwrap_or_default();
        let (given, manage) = (
            filter.given.unwrap_or(false),
            filter.can_manage.unwrap_or(false),
        );
        let mut out = Vec::new();
        for perm in permissions_in(scope.as_deref()) {
            if given || manage {
                let product = scope_product(perm, extra_params.as_deref())?;
                if given && !self.caller.has(perm, product).map_err(database)? {
                    continue;
                }
                if manage && !self.caller.may_manage(perm, product).map_err(database)? {
                    continue;
                }
            }
            out.push(WirePermission(perm.code()));
        }
        Ok(out)
    }

    fn handle_get_authorised_names(
        &self,
        permission: Option<WirePermission>,
        extra_params: Option<String>,
    ) -> thrift::Result<AuthorisationList> {
        let perm = self::permission(permission)?;
        let product = scope_product(perm, extra_params.as_deref())?;
        self.require_manager(perm, product)?;
        let holders = self
            .state
            .config
            .permission_holders(perm.name(), product)
            .map_err(database)?;
        let (groups, users): (Vec<_>, Vec<_>) = holders
            .into_iter()
            .filter(|h| h.name != "*")
            .partition(|h| h.is_group);
        Ok(AuthorisationList::new(
            users.into_iter().map(|h| h.name).collect::<Vec<_>>(),
            groups.into_iter().map(|h| h.name).collect::<Vec<_>>(),
        ))
    }

    fn handle_add_permission(
        &self,
        permission: Option<WirePermission>,
        auth_name: Option<String>,
        is_group: Option<bool>,
        extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        let (perm, product, name) = self.grant_args(permission, auth_name, extra_params)?;
        let is_group = is_group.unwrap_or(false);
        match self
            .state
            .config
            .grant_permission(perm.name(), product, &name, is_group)
        {
            Ok(added) => {
                if added {
                    tracing::info!(
                        permission = perm.name(),
                        product,
                        name,
                        is_group,
                        by = self.caller.username.as_deref(),
                        "permission granted"
                    );
                }
                Ok(true)
            }
            Err(configdb::Error::NotFound { .. }) => Err(general(format!(
                "There is no product with the id {}.",
                product.unwrap_or_default()
            ))),
            Err(err) => Err(database(err)),
        }
    }

    fn handle_remove_permission(
        &self,
        permission: Option<WirePermission>,
        auth_name: Option<String>,
        is_group: Option<bool>,
        extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        let (perm, product, name) = self.grant_args(permission, auth_name, extra_params)?;
        let is_group = is_group.unwrap_or(false);
        let removed = self
            .state
            .config
            .revoke_permission(perm.name(), product, &name, is_group)
            .map_err(database)?;
        if removed {
            tracing::info!(
                permission = perm.name(),
                product,
                name,
                is_group,
                by = self.caller.username.as_deref(),
                "permission revoked"
            );
        }
        Ok(true)
    }

    fn handle_has_permission(
        &self,
        permission: Option<WirePermission>,
        extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        let perm = self::permission(permission)?;
        let product = scope_product(perm, extra_params.as_deref())?;
        self.caller.has(perm, product).map_err(database)
    }

    fn handle_get_tokens(&self) -> thrift::Result<Vec<SessionTokenData>> {
        let user = self.logged_in_user()?;
        let tokens = self
            .state
            .config
            .list_access_tokens(user)
            .map_err(database)?;
        Ok(tokens
            .into_iter()
            .map(|t| SessionTokenData::new(String::new(), t.description, timestamp(t.last_access)))
            .collect())
    }

    fn handle_new_token(&self, description: Option<String>) -> thrift::Result<SessionTokenData> {
        // A random name of eight letters, as the deprecated call always made up.
        let name: String = configdb::auth::new_secret()
            .bytes()
            .take(8)
            .map(|b| char::from(b'a' + (b % 26)))
            .collect();
        let token = self.new_token(&name, description.clone(), None)?;
        Ok(SessionTokenData::new(
            token.token,
            description,
            token.last_access,
        ))
    }

    fn handle_remove_token(&self, token: Option<String>) -> thrift::Result<bool> {
        let user = self.logged_in_user()?;
        let token = token.ok_or_else(|| missing_argument("token"))?;
        if self
            .state
            .config
            .remove_access_token_by_secret(user, &token)
            .map_err(database)?
        {
            self.state.sessions.forget_user(user);
            Ok(true)
        } else {
            Err(request_failed(
                ErrorCode::DATABASE,
                "You have no personal access token like that.",
            ))
        }
    }

    fn handle_get_personal_access_tokens(&self) -> thrift::Result<Vec<PersonalAccessToken>> {
        let user = self.logged_in_user()?;
        let tokens = self
            .state
            .config
            .list_access_tokens(user)
            .map_err(database)?;
        Ok(tokens
            .into_iter()
            .map(|t| PersonalAccessToken {
                token: Some(String::new()),
                name: Some(t.name),
                description: t.description,
                last_access: Some(timestamp(t.last_access)),
                expiration: Some(timestamp(t.expires_at)),
            })
            .collect())
    }

    fn handle_get_max_token_expiration(&self) -> thrift::Result<i16> {
        let days = self.state.server_config.authentication.max_token_days;
        Ok(i16::try_from(days).unwrap_or(i16::MAX))
    }

    fn handle_new_personal_access_token(
        &self,
        name: Option<String>,
        description: Option<String>,
        expiration: Option<i64>,
    ) -> thrift::Result<PersonalAccessToken> {
        let name = name.ok_or_else(|| missing_argument("name"))?;
        self.new_token(&name, description, expiration)
    }

    fn handle_remove_personal_access_token(&self, name: Option<String>) -> thrift::Result<bool> {
        let user = self.logged_in_user()?;
        let name = name.ok_or_else(|| missing_argument("name"))?;
        if self
            .state
            .config
            .remove_access_token(user, &name)
            .map_err(database)?
        {
            self.state.sessions.forget_user(user);
            tracing::info!(user, token = name, "personal access token removed");
            Ok(true)
        } else {
            Err(request_failed(
                ErrorCode::DATABASE,
                format!("You have no personal access token named '{name}'."),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_codes_are_the_wire_values() {
        let wire = [
            (Permission::Superuser, WirePermission::SUPERUSER),
            (Permission::PermissionView, WirePermission::PERMISSION_VIEW),
            (Permission::ProductAdmin, WirePermission::PRODUCT_ADMIN),
            (Permission::ProductAccess, WirePermission::PRODUCT_ACCESS),
            (Permission::ProductStore, WirePermission::PRODUCT_STORE),
            (Permission::ProductView, WirePermission::PRODUCT_VIEW),
        ];
        assert_eq!(wire.len(), Permission::ALL.len());
        for (ours, theirs) in wire {
            assert_eq!(ours.code(), theirs.0, "{ours:?}");
        }
    }
}
