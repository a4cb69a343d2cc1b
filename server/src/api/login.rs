//! `performLogin`: checks credentials (a dictionary password, a personal
//! access token, or a session token of the same user), creates the session,
//! and throttles failed attempts per user name and per client address.

use std::net::{IpAddr, SocketAddr};

use chrono::{DateTime, Utc};
use codechecker_api::codechecker_api_shared::ErrorCode;
use configdb::auth::{FailureScope, ThrottlePolicy};

use super::errors::{database, request_failed};
use crate::auth::password;
use crate::server_config::{AuthConfig, ThrottleConfig};
use crate::state::ServerState;

/// The login method CodeChecker's clients use.
pub const USERNAME_PASSWORD: &str = "Username:Password";

fn denied(message: impl Into<String>) -> thrift::Error {
    request_failed(ErrorCode::AUTH_DENIED, message)
}

/// Logs in with `auth_string` (`user:password`) by `method`; returns the
/// session token.
pub fn perform_login(
    state: &ServerState,
    peer: Option<SocketAddr>,
    method: Option<&str>,
    auth_string: Option<&str>,
) -> thrift::Result<String> {
    let auth = &state.server_config.authentication;
    let auth_string = auth_string.filter(|s| !s.is_empty()).ok_or_else(|| {
        denied("No credentials were given; log in with a user name and a password.")
    })?;
    match method {
        Some(USERNAME_PASSWORD) => {}
        Some("oauth") => return Err(denied("OAuth login is not supported by this server.")),
        other => {
            return Err(denied(format!(
                "The login method '{}' is not supported by this server; use '{USERNAME_PASSWORD}'.",
                other.unwrap_or_default()
            )))
        }
    }
    if !auth.enabled {
        return Err(denied(
            "This server does not require logging in: authentication is off.",
        ));
    }
    let Some((user, secret)) = auth_string.split_once(':') else {
        return Err(denied(
            "The credentials must have the form 'user:password'.",
        ));
    };
    let address = address_key(peer);
    let throttle = Throttle {
        state,
        config: auth.throttle,
        user,
        address: &address,
    };
    throttle.refuse_if_locked()?;

    let db = &state.config;
    // A session token of the same user logs in to that session.
    if let Some(session) = db.find_session(secret).map_err(database)? {
        if session.user_name == user && session_alive(state, session.last_access) {
            return Ok(secret.to_owned());
        }
    }
    let groups = if let Some(token) = db.find_access_token(secret).map_err(database)? {
        if token.user_name != user {
            None
        } else if token.expires_at <= db.now() {
            return Err(denied(format!(
                "The personal access token of '{user}' expired at {} (UTC); create a new one.",
                token.expires_at.format("%Y-%m-%d %H:%M:%S")
            )));
        } else {
            Some(token.groups)
        }
    } else {
        None
    };
    let groups = match groups {
        Some(groups) => Some(groups),
        None => match &auth.dictionary {
            Some(dict) if password::check(dict, user, secret) => {
                let groups = dict.groups.get(user).cloned().unwrap_or_default();
                db.set_access_token_groups(user, &groups)
                    .map_err(database)?;
                Some(groups)
            }
            _ => None,
        },
    };
    let Some(mut groups) = groups else {
        return Err(throttle.failed(auth));
    };
    throttle.succeeded();
    for (group, patterns) in &auth.regex_groups {
        if !groups.contains(group) && patterns.iter().any(|p| p.is_match(user)) {
            groups.push(group.clone());
        }
    }
    let cutoff = db.now() - lifetime(auth);
    db.delete_idle_sessions(cutoff, Some(user))
        .map_err(database)?;
    let (token, _) = db.create_session(user, &groups, None).map_err(database)?;
    tracing::info!(user, "logged in");
    if state.logins.tick(auth.logins_until_cleanup) {
        sweep(state, auth);
    }
    Ok(token)
}

fn lifetime(auth: &AuthConfig) -> chrono::Duration {
    chrono::Duration::from_std(auth.session_lifetime).unwrap_or(chrono::Duration::MAX)
}

fn session_alive(state: &ServerState, last_access: DateTime<Utc>) -> bool {
    state.config.now() - last_access <= lifetime(&state.server_config.authentication)
}

/// Deletes ended sessions and stale failure counters of every user.
fn sweep(state: &ServerState, auth: &AuthConfig) {
    let cutoff = state.config.now() - lifetime(auth);
    match state.config.delete_idle_sessions(cutoff, None) {
        Ok(n) if n > 0 => tracing::debug!(count = n, "deleted ended sessions"),
        Ok(_) => {}
        Err(err) => tracing::warn!(%err, "cannot delete ended sessions"),
    }
    if let Some(t) = &auth.throttle {
        let widest = ThrottlePolicy {
            max_failures: 1,
            window: t.window,
            lockout: t.lockout,
        };
        if let Err(err) = state.config.prune_login_failures(&widest) {
            tracing::warn!(%err, "cannot prune failed-login counters");
        }
    }
}

/// The address a failure counts against: the IP, with an IPv6 address cut to
/// its /64 network (one host usually has the whole network).
pub fn address_key(peer: Option<SocketAddr>) -> String {
    match peer.map(|p| p.ip()) {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The failed-login throttle for one attempt.
struct Throttle<'a> {
    state: &'a ServerState,
    config: Option<ThrottleConfig>,
    user: &'a str,
    address: &'a str,
}

impl Throttle<'_> {
    fn user_key(&self) -> String {
        self.user.to_lowercase()
    }

    fn policies(&self, t: &ThrottleConfig) -> [(FailureScope, String, ThrottlePolicy); 2] {
        let policy = |max| ThrottlePolicy {
            max_failures: max,
            window: t.window,
            lockout: t.lockout,
        };
        [
            (
                FailureScope::User,
                self.user_key(),
                policy(t.max_failures_per_user),
            ),
            (
                FailureScope::Address,
                self.address.to_owned(),
                policy(t.max_failures_per_address),
            ),
        ]
    }

    /// Refuses the attempt while the user or the address is locked out.
    fn refuse_if_locked(&self) -> thrift::Result<()> {
        let Some(t) = &self.config else {
            return Ok(());
        };
        for (scope, subject, _) in self.policies(t) {
            if let Some(until) = self
                .state
                .config
                .login_locked_until(scope, &subject)
                .map_err(database)?
            {
                tracing::warn!(
                    user = self.user,
                    address = self.address,
                    "login refused: locked out"
                );
                return Err(denied(self.locked_message(scope, until)));
            }
        }
        Ok(())
    }

    fn locked_message(&self, scope: FailureScope, until: DateTime<Utc>) -> String {
        let wait = (until - self.state.config.now()).num_seconds().max(0) + 1;
        let who = match scope {
            FailureScope::User => format!("for user '{}'", self.user),
            FailureScope::Address => format!("from your address ({})", self.address),
        };
        format!(
            "Too many failed logins {who}; logging in is blocked for {wait} more seconds \
             (until {} UTC). Try again after that.",
            until.format("%H:%M:%S")
        )
    }

    /// Counts the failure; the error to answer with.
    fn failed(&self, auth: &AuthConfig) -> thrift::Error {
        tracing::warn!(user = self.user, address = self.address, "failed login");
        let mut message = format!("Wrong user name or password for user '{}'.", self.user);
        if let Some(note) = &auth.failed_auth_message {
            message.push_str(&format!("\nNote: {note}"));
        }
        if let Some(t) = &self.config {
            for (scope, subject, policy) in self.policies(t) {
                match self
                    .state
                    .config
                    .record_login_failure(scope, &subject, &policy)
                {
                    Ok(Some(until)) => {
                        message.push('\n');
                        message.push_str(&self.locked_message(scope, until));
                    }
                    Ok(None) => {}
                    Err(err) => tracing::error!(%err, "cannot record a failed login"),
                }
            }
        }
        denied(message)
    }

    fn succeeded(&self) {
        if self.config.is_some() {
            if let Err(err) = self
                .state
                .config
                .clear_login_failures(FailureScope::User, &self.user_key())
            {
                tracing::warn!(%err, "cannot reset the failed-login counter");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_group_ipv6_networks() {
        let p = |s: &str| Some(s.parse::<SocketAddr>().unwrap());
        assert_eq!(address_key(p("10.1.2.3:5000")), "10.1.2.3");
        assert_eq!(address_key(p("[::ffff:10.1.2.3]:5000")), "10.1.2.3");
        assert_eq!(
            address_key(p("[2001:db8:1:2:3:4:5:6]:1")),
            "2001:db8:1:2::/64"
        );
        assert_eq!(address_key(None), "unknown");
    }
}
