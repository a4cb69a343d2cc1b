// CodeChecker-compatible Thrift API, version 6.74.
// Login, sessions, access tokens and permission management.
//
// Conventions (wire contract checked by idl/check_contract.py):
// * every struct field is `optional`: an unset field is simply absent, as
//   with the Python client, and the Rust reader then yields None;
// * types are declared before use (the Rust generator boxes forward
//   references).

include "codechecker_api_shared.thrift"

namespace py codechecker_api.Authentication_v6

/** What a client learns before logging in. */
struct HandshakeInformation {
  1: optional bool requiresAuthentication,
  2: optional bool sessionStillActive,
}

/** User and group names holding some permission. */
struct AuthorisationList {
  1: optional list<string> users,
  2: optional list<string> groups,
}

/** Narrows permission listings to given or manageable rights. */
struct PermissionFilter {
  1: optional bool given,
  2: optional bool canManage,
}

/** A generated session token with its label and last use. */
struct SessionTokenData {
  1: optional string token,
  2: optional string description,
  3: optional string lastAccess,
}

/** A named, expiring token for non-interactive clients. */
struct PersonalAccessToken {
  1: optional string token,
  2: optional string name,
  3: optional string description,
  4: optional string lastAccess,
  5: optional string expiration,
}

/** Permission names granted to users and to groups. */
struct Permissions {
  1: optional map<string, list<string>> user,
  2: optional map<string, list<string>> group,
}

/** Every grant on the server: global and per product endpoint. */
struct AccessControl {
  1: optional Permissions              globalPermissions,
  2: optional map<string, Permissions> productPermissions,
}

/** Authentication and authorisation endpoint (served under "Authentication"). */
service codeCheckerAuthentication {
  /** Cheap call a client makes to see that it can talk to the server. */
  void checkAPIVersion()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Tells whether login is needed and whether the current session is alive. */
  HandshakeInformation getAuthParameters()

  /** Names of the login methods the server accepts. */
  list<string> getAcceptedAuthMethods()

  /** All permission grants of the server. */
  AccessControl getAccessControl()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Logs in with the given method and credentials; returns a session token. */
  string performLogin(1: string authMethod, 2: string authString)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Names of the configured OAuth providers. */
  list<string> getOauthProviders()

  /** Builds the authorisation URL for an OAuth provider. */
  string createLink(1: string provider)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Logs out the calling session. */
  bool destroySession()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Name of the user behind the calling session. */
  string getLoggedInUser()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Permissions that exist in the given scope (SYSTEM or PRODUCT). */
  list<codechecker_api_shared.Permission> getPermissions(1: string scope)

  /** Permissions the caller has (or can manage) in a scope. */
  list<codechecker_api_shared.Permission> getPermissionsForUser(1: string scope, 2: string extraParams, 3: PermissionFilter filter)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Users and groups holding a permission. */
  AuthorisationList getAuthorisedNames(1: codechecker_api_shared.Permission permission, 2: string extraParams)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Grants a permission to a user or group. */
  bool addPermission(1: codechecker_api_shared.Permission permission, 2: string authName, 3: bool isGroup, 4: string extraParams)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Revokes a permission from a user or group. */
  bool removePermission(1: codechecker_api_shared.Permission permission, 2: string authName, 3: bool isGroup, 4: string extraParams)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Whether the caller holds a permission. */
  bool hasPermission(1: codechecker_api_shared.Permission permission, 2: string extraParams)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Session tokens of the caller. */
  list<SessionTokenData> getTokens()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Creates a new session token for the caller. */
  SessionTokenData newToken(1: string description)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes one of the caller's session tokens. */
  bool removeToken(1: string token)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Personal access tokens of the caller. */
  list<PersonalAccessToken> getPersonalAccessTokens()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Longest lifetime allowed for a personal access token. */
  i16 getMaxTokenExpiration()
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Creates a personal access token with the given lifetime. */
  PersonalAccessToken newPersonalAccessToken(1: string name, 2: string description, 3: i64 expiration)
      throws (1: codechecker_api_shared.RequestFailed requestError)

  /** Deletes a personal access token by name. */
  bool removePersonalAccessToken(1: string name)
      throws (1: codechecker_api_shared.RequestFailed requestError)
}
