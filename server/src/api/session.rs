//! Finding the caller of a request from the credential it carries: a session
//! token as `Authorization: Bearer <token>` (current clients) or in the
//! `__ccPrivilegedAccessToken` cookie (older clients), or a personal access
//! token as a bearer token.

use std::time::Duration;

use configdb::auth::secret_hash;
use configdb::ConfigDb;

use super::dispatch::RequestMeta;
use crate::auth::cache::{Known, SessionCache};
use crate::auth::{Caller, Credential};
use crate::server_config::AuthConfig;
use crate::state::ServerState;

/// The cookie CodeChecker's older clients send the session token in.
pub const SESSION_COOKIE: &str = "__ccPrivilegedAccessToken";

/// The services a caller may use without logging in.
pub const OPEN_SERVICES: [&str; 3] = ["Authentication", "Configuration", "ServerInfo"];

/// The message CodeChecker's clients recognise as "log in (again)".
pub const UNAUTHORIZED_MESSAGE: &str = "Error code 401: Unauthorized!";

/// How often a personal access token's last use is written back when the
/// configuration writes sessions back on every use.
const TOKEN_TOUCH_INTERVAL: Duration = Duration::from_secs(60);

/// The longest token looked up; anything longer is no token of ours.
const MAX_TOKEN_LEN: usize = 256;

/// The tokens a request presents, in the order they are tried: the bearer
/// token, then the session cookie.
pub fn presented_tokens(meta: &RequestMeta) -> Vec<&str> {
    let mut tokens = Vec::new();
    if let Some(token) = meta
        .authorization
        .as_deref()
        .and_then(|h| h.strip_prefix("Bearer "))
    {
        tokens.push(token.trim());
    }
    if let Some(cookies) = meta.cookie.as_deref() {
        for cookie in cookies.split(';') {
            if let Some((name, value)) = cookie.trim().split_once('=') {
                if name == SESSION_COOKIE {
                    tokens.push(value.trim());
                }
            }
        }
    }
    tokens.retain(|t| plausible(t));
    tokens
}

/// Whether `token` can be a token this server issued (saves a lookup of junk).
fn plausible(token: &str) -> bool {
    !token.is_empty()
        && token.len() <= MAX_TOKEN_LEN
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The caller of a request. With authentication off everyone is the
/// anonymous caller (credentials are ignored, as CodeChecker does).
pub fn identify(state: &ServerState, meta: &RequestMeta) -> configdb::Result<Caller> {
    let auth = &state.server_config.authentication;
    if !auth.enabled {
        return Ok(Caller::anonymous());
    }
    for token in presented_tokens(meta) {
        if let Some(caller) = resolve(&state.config, &state.sessions, auth, token)? {
            return Ok(caller);
        }
    }
    Ok(Caller::guest())
}

/// Whether the configured master superuser is `user`.
pub fn is_root(auth: &AuthConfig, user: &str) -> bool {
    auth.super_user.as_deref() == Some(user)
}

/// The live session or unexpired access token `token` stands for, if any.
/// Ends a session found idle for longer than its lifetime.
pub fn resolve(
    db: &ConfigDb,
    cache: &SessionCache,
    auth: &AuthConfig,
    token: &str,
) -> configdb::Result<Option<Caller>> {
    let hash = secret_hash(token);
    let now = db.now();
    let ended = |k: &Known| {
        let idle = (now - k.last_access).to_std().unwrap_or_default();
        k.expires_at.is_some_and(|at| at <= now)
            || (matches!(k.credential, Credential::Session { .. }) && idle > auth.session_lifetime)
    };
    // A remembered entry that looks ended is read again: another process
    // may have recorded a later use.
    let known = match cache.get(&hash).filter(|k| !ended(k)) {
        Some(known) => known,
        None => match lookup(db, token)? {
            Some(known) => {
                cache.put(hash.clone(), known.clone());
                known
            }
            None => {
                cache.forget(&hash);
                return Ok(None);
            }
        },
    };
    if ended(&known) {
        cache.forget(&hash);
        if let Credential::Session { token_hash } = &known.credential {
            db.delete_session_by_hash(token_hash)?;
        }
        return Ok(None);
    }
    let idle = (now - known.last_access).to_std().unwrap_or_default();
    match &known.credential {
        Credential::Session { token_hash } => {
            if auth.refresh_time.is_none_or(|every| idle > every) {
                match db.touch_session(token_hash) {
                    Ok(at) => cache.touched(&hash, at),
                    Err(err) => tracing::warn!(%err, "cannot record the use of a session"),
                }
            }
        }
        Credential::AccessToken { id } => {
            if idle > auth.refresh_time.unwrap_or(TOKEN_TOUCH_INTERVAL) {
                match db.touch_access_token(*id) {
                    Ok(()) => cache.touched(&hash, now),
                    Err(err) => tracing::warn!(%err, "cannot record the use of an access token"),
                }
            }
        }
    }
    let root = is_root(auth, &known.user);
    Ok(Some(Caller::user(
        db.clone(),
        known.user,
        known.groups,
        root,
        known.credential,
    )))
}

/// What the database knows about `token`: a session, or an access token.
fn lookup(db: &ConfigDb, token: &str) -> configdb::Result<Option<Known>> {
    if let Some(session) = db.find_session(token)? {
        return Ok(Some(Known {
            user: session.user_name,
            groups: session.groups,
            credential: Credential::Session {
                token_hash: session.token_hash,
            },
            last_access: session.last_access,
            expires_at: None,
        }));
    }
    Ok(db.find_access_token(token)?.map(|t| Known {
        user: t.user_name,
        groups: t.groups,
        credential: Credential::AccessToken { id: t.id },
        last_access: t.last_access,
        expires_at: Some(t.expires_at),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(authorization: Option<&str>, cookie: Option<&str>) -> RequestMeta {
        RequestMeta {
            peer: None,
            cookie: cookie.map(str::to_owned),
            authorization: authorization.map(str::to_owned),
        }
    }

    #[test]
    fn bearer_first_then_the_cookie() {
        let m = meta(
            Some("Bearer abc123"),
            Some("x=1; __ccPrivilegedAccessToken=def456; y=2"),
        );
        assert_eq!(presented_tokens(&m), vec!["abc123", "def456"]);
        assert_eq!(
            presented_tokens(&meta(Some("Basic abc"), None)),
            Vec::<&str>::new()
        );
        assert_eq!(
            presented_tokens(&meta(None, Some("__ccPrivilegedAccessToken="))),
            Vec::<&str>::new()
        );
        assert_eq!(
            presented_tokens(&meta(Some("Bearer a'; DROP TABLE x"), None)),
            Vec::<&str>::new()
        );
        let long = format!("Bearer {}", "a".repeat(MAX_TOKEN_LEN + 1));
        assert!(presented_tokens(&meta(Some(&long), None)).is_empty());
    }
}
