//! `cmd login` and `cmd logout`: username/password authentication that
//! leaves the session in CodeChecker's session file.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use base64::Engine as _;
use codechecker_api::authentication::TCodeCheckerAuthenticationSyncClient;
use codechecker_api::configuration::TConfigurationServiceSyncClient;

use crate::address::{split_server_url, ServerAddress};
use crate::cli::{LoginArgs, LogoutArgs};
use crate::connection::{ConnectOptions, Connection};
use crate::credentials::{password_from_env, Credentials};
use crate::error::{CallError, ClientError};

/// The login name of the current user (as Python's `getpass.getuser`).
pub fn current_user() -> String {
    for var in ["LOGNAME", "USER", "LNAME", "USERNAME"] {
        if let Some(v) = std::env::var(var).ok().filter(|v| !v.is_empty()) {
            return v;
        }
    }
    // SAFETY: getpwuid returns a pointer to static storage or null; the
    // name is copied out immediately.
    unsafe {
        let pw = libc::getpwuid(libc::getuid());
        if !pw.is_null() && !(*pw).pw_name.is_null() {
            return std::ffi::CStr::from_ptr((*pw).pw_name)
                .to_string_lossy()
                .into_owned();
        }
    }
    String::new()
}

/// Shows the server's announcement banner, if it has one.
fn show_announcement(conn: &Connection) {
    let banner = conn
        .configuration()
        .call_raw("getNotificationBannerText", |c| {
            c.get_notification_banner_text()
        });
    if let Ok(b64) = banner {
        if b64.is_empty() {
            return;
        }
        let text = base64::engine::general_purpose::STANDARD
            .decode(b64.as_bytes())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or(b64);
        if !text.is_empty() {
            tracing::info!("Announcement: {text}");
        }
    }
}

/// `cmd login` (or, with `--deactivate`, logout).
pub fn run_login(args: &LoginArgs) -> Result<i32, ClientError> {
    let server = split_server_url(&args.server_url)?;
    if args.logout {
        return logout(&server);
    }
    let username = args
        .username_flag
        .clone()
        .or_else(|| args.username.clone())
        .unwrap_or_else(current_user);
    login(&server, &username)
}

/// `cmd logout`.
pub fn run_logout(args: &LogoutArgs) -> Result<i32, ClientError> {
    let server = split_server_url(&args.server_url)?;
    logout(&server)
}

/// Logs `username` in to `server` and saves the session.
pub fn login(server: &ServerAddress, username: &str) -> Result<i32, ClientError> {
    let conn = Connection::unauthenticated(server, &ConnectOptions::default());
    *conn.credentials() = Credentials::load()?;
    show_announcement(&conn);

    let params = match conn
        .auth()
        .call_raw("getAuthParameters", |c| c.get_auth_parameters())
    {
        Ok(p) => p,
        Err(CallError::Application { .. }) => {
            tracing::info!("This server does not support privileged access.");
            return Ok(0);
        }
        Err(e) => return Err(e.into()),
    };
    if !params.requires_authentication.unwrap_or(false) {
        tracing::info!("This server does not require privileged access.");
        return Ok(0);
    }
    let methods = conn
        .auth()
        .call_raw("getAcceptedAuthMethods", |c| c.get_accepted_auth_methods())?;
    if !methods.iter().any(|m| m == "Username:Password") {
        tracing::error!(
            "No authentication methods were reported by the server that this client could support."
        );
        return Err(ClientError::Exit(1));
    }

    let mut saved_auth = None;
    if let Some(password) = password_from_env() {
        tracing::info!("Using credentials from CC_PASSWORD env var to log in.");
        saved_auth = Some(format!("{username}:{password}"));
    }
    if saved_auth.is_none() && conn.credentials().autologin() {
        saved_auth = conn
            .credentials()
            .auth_string(&server.host, server.port)
            .map(str::to_owned);
    }
    let mut password = None;
    if let Some(auth) = saved_auth {
        let (saved_user, saved_password) = auth.split_once(':').unwrap_or((auth.as_str(), ""));
        if saved_user.is_empty() {
            tracing::error!(
                "No username supplied! Please specify the username in your \"{}\" file for {}.",
                conn.credentials().password_file().display(),
                server.host_port()
            );
            return Err(ClientError::Exit(1));
        }
        if saved_user == username {
            tracing::info!("Logging in using preconfigured credentials...");
            password = Some(saved_password.to_owned());
        }
    }
    let password = match password {
        Some(p) => p,
        None => {
            tracing::info!("Logging in using credentials from command line...");
            rpassword::prompt_password(format!("Please provide password for user '{username}': "))
                .map_err(|e| ClientError::Failed(format!("Cannot read the password: {e}")))?
        }
    };

    tracing::debug!("Trying to login as {username} to {}", server.host_port());
    let login = conn.auth().call_raw("performLogin", |c| {
        c.perform_login(
            Some("Username:Password".to_owned()),
            Some(format!("{username}:{password}")),
        )
    });
    match login {
        Ok(token) => {
            conn.credentials()
                .save_token(&server.host_port(), Some(&token))?;
            tracing::info!("Server reported successful authentication.");
            Ok(0)
        }
        Err(CallError::Request { error, .. }) => {
            tracing::error!("Authentication failed! Please check your credentials.");
            tracing::error!("{}", error.message.unwrap_or_default());
            Err(ClientError::Exit(1))
        }
        Err(e) => Err(e.into()),
    }
}

/// Ends the session on `server` and forgets it.
pub fn logout(server: &ServerAddress) -> Result<i32, ClientError> {
    let conn = Connection::open(server, &ConnectOptions::default())?;
    show_announcement(&conn);
    let done = conn
        .auth()
        .call("destroySession", |c| c.destroy_session())?;
    if done {
        conn.credentials().save_token(&server.host_port(), None)?;
        tracing::info!("Successfully logged out.");
    }
    Ok(0)
}
