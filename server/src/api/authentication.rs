//! `Authentication`: sessions and permissions. With authentication off (the
//! default) every caller is an anonymous user with every right, as in CodeChecker.

use codechecker_api::authentication::{
    AccessControl, AuthorisationList, CodeCheckerAuthenticationSyncHandler, HandshakeInformation,
    PermissionFilter, PersonalAccessToken, SessionTokenData,
};
use codechecker_api::codechecker_api_shared::Permission;

use super::errors::{general, not_implemented};

/// Handler of the `Authentication` service for one request.
pub struct AuthenticationHandler;

impl CodeCheckerAuthenticationSyncHandler for AuthenticationHandler {
    fn handle_check_a_p_i_version(&self) -> thrift::Result<()> {
        Ok(())
    }

    fn handle_get_auth_parameters(&self) -> thrift::Result<HandshakeInformation> {
        Ok(HandshakeInformation::new(false, false))
    }

    fn handle_get_accepted_auth_methods(&self) -> thrift::Result<Vec<String>> {
        Ok(vec!["Username:Password".to_owned()])
    }

    fn handle_get_access_control(&self) -> thrift::Result<AccessControl> {
        Err(not_implemented("getAccessControl"))
    }

    fn handle_perform_login(
        &self,
        _auth_method: Option<String>,
        _auth_string: Option<String>,
    ) -> thrift::Result<String> {
        Err(general("This server does not require privileged access."))
    }

    fn handle_get_oauth_providers(&self) -> thrift::Result<Vec<String>> {
        Ok(Vec::new())
    }

    fn handle_create_link(&self, _provider: Option<String>) -> thrift::Result<String> {
        Err(general("OAuth login is not supported by this server."))
    }

    fn handle_destroy_session(&self) -> thrift::Result<bool> {
        Ok(true)
    }

    fn handle_get_logged_in_user(&self) -> thrift::Result<String> {
        Ok(String::new())
    }

    fn handle_get_permissions(&self, _scope: Option<String>) -> thrift::Result<Vec<Permission>> {
        Err(not_implemented("getPermissions"))
    }

    fn handle_get_permissions_for_user(
        &self,
        _scope: Option<String>,
        _extra_params: Option<String>,
        _filter: Option<PermissionFilter>,
    ) -> thrift::Result<Vec<Permission>> {
        Err(not_implemented("getPermissionsForUser"))
    }

    fn handle_get_authorised_names(
        &self,
        _permission: Option<Permission>,
        _extra_params: Option<String>,
    ) -> thrift::Result<AuthorisationList> {
        Err(not_implemented("getAuthorisedNames"))
    }

    fn handle_add_permission(
        &self,
        _permission: Option<Permission>,
        _auth_name: Option<String>,
        _is_group: Option<bool>,
        _extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("addPermission"))
    }

    fn handle_remove_permission(
        &self,
        _permission: Option<Permission>,
        _auth_name: Option<String>,
        _is_group: Option<bool>,
        _extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        Err(not_implemented("removePermission"))
    }

    fn handle_has_permission(
        &self,
        _permission: Option<Permission>,
        _extra_params: Option<String>,
    ) -> thrift::Result<bool> {
        // Authentication is off: everyone holds every permission.
        Ok(true)
    }

    fn handle_get_tokens(&self) -> thrift::Result<Vec<SessionTokenData>> {
        Err(not_implemented("getTokens"))
    }

    fn handle_new_token(&self, _description: Option<String>) -> thrift::Result<SessionTokenData> {
        Err(not_implemented("newToken"))
    }

    fn handle_remove_token(&self, _token: Option<String>) -> thrift::Result<bool> {
        Err(not_implemented("removeToken"))
    }

    fn handle_get_personal_access_tokens(&self) -> thrift::Result<Vec<PersonalAccessToken>> {
        Err(not_implemented("getPersonalAccessTokens"))
    }

    fn handle_get_max_token_expiration(&self) -> thrift::Result<i16> {
        Err(not_implemented("getMaxTokenExpiration"))
    }

    fn handle_new_personal_access_token(
        &self,
        _name: Option<String>,
        _description: Option<String>,
        _expiration: Option<i64>,
    ) -> thrift::Result<PersonalAccessToken> {
        Err(not_implemented("newPersonalAccessToken"))
    }

    fn handle_remove_personal_access_token(&self, _name: Option<String>) -> thrift::Result<bool> {
        Err(not_implemented("removePersonalAccessToken"))
    }
}
