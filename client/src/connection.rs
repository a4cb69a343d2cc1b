//! Connections to a CodeChecker server: the endpoint URLs of each service,
//! the session (sent as CodeChecker 6.29's client does, `Authorization:
//! Bearer <token>`, plus the `__ccPrivilegedAccessToken` cookie older
//! servers read), automatic login with saved credentials, and a retry after
//! re-authentication when the server says the session expired.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use codechecker_api::authentication::{
    CodeCheckerAuthenticationSyncClient, TCodeCheckerAuthenticationSyncClient,
};
use codechecker_api::configuration::ConfigurationServiceSyncClient;
use codechecker_api::http::{HttpEndpoint, HttpInputProtocol, HttpOptions, HttpOutputProtocol};
use codechecker_api::products::CodeCheckerProductServiceSyncClient;
use codechecker_api::report_server::CodeCheckerDBAccessSyncClient;
use codechecker_api::tasks::CodeCheckerServersideTaskServiceSyncClient;

use crate::address::ServerAddress;
use crate::credentials::Credentials;
use crate::error::{CallError, ClientError};

/// The API version in every endpoint path.
pub const API_VERSION: &str = "6.74";

/// The cookie CodeChecker servers accept the session token in.
pub const SESSION_COOKIE_NAME: &str = "__ccPrivilegedAccessToken";

/// Generated client of the task service.
pub type TasksClient =
    CodeCheckerServersideTaskServiceSyncClient<HttpInputProtocol, HttpOutputProtocol>;
/// Generated client of the report service of one product.
pub type ReportClient = CodeCheckerDBAccessSyncClient<HttpInputProtocol, HttpOutputProtocol>;
/// Generated client of the product service.
pub type ProductsClient =
    CodeCheckerProductServiceSyncClient<HttpInputProtocol, HttpOutputProtocol>;
/// Generated client of the authentication service.
pub type AuthClient = CodeCheckerAuthenticationSyncClient<HttpInputProtocol, HttpOutputProtocol>;
/// Generated client of the configuration service.
pub type ConfigClient = ConfigurationServiceSyncClient<HttpInputProtocol, HttpOutputProtocol>;

/// Network settings of the client.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// Time to establish a TCP connection.
    pub connect_timeout: Duration,
    /// Time for one whole call; `None` waits forever.
    pub call_timeout: Option<Duration>,
}

impl Default for ConnectOptions {
    fn default() -> Self {
        ConnectOptions {
            connect_timeout: Duration::from_secs(10),
            call_timeout: Some(Duration::from_secs(3600)),
        }
    }
}

/// A server, the connection pool to it and the user's session.
pub struct Connection {
    server: ServerAddress,
    base: HttpEndpoint,
    credentials: Mutex<Credentials>,
}

/// One service of a [`Connection`]: a generated client whose calls go
/// through [`Api::call`].
pub struct Api<'c, C> {
    conn: &'c Connection,
    client: C,
}

impl<C> Api<'_, C> {
    /// Calls `f` on the generated client; `name` is the API function (for
    /// messages). When the server rejects the session, logs in again with
    /// saved credentials (if any) and retries once.
    pub fn call<T>(
        &mut self,
        name: &str,
        mut f: impl FnMut(&mut C) -> thrift::Result<T>,
    ) -> Result<T, ClientError> {
        match f(&mut self.client).map_err(|e| CallError::from_thrift(name, e)) {
            Err(e) if e.is_unauthorized() => {
                tracing::debug!("{name}: session rejected, authenticating again");
                self.conn.authenticate()?;
                f(&mut self.client).map_err(|e| CallError::from_thrift(name, e).into())
            }
            other => other.map_err(ClientError::from),
        }
    }

    /// Like [`Api::call`] but without the re-authentication (for the
    /// authentication service itself).
    pub fn call_raw<T>(
        &mut self,
        name: &str,
        f: impl FnOnce(&mut C) -> thrift::Result<T>,
    ) -> Result<T, CallError> {
        f(&mut self.client).map_err(|e| CallError::from_thrift(name, e))
    }
}

impl Connection {
    /// A connection without touching the network or the session file.
    pub fn unauthenticated(server: &ServerAddress, options: &ConnectOptions) -> Self {
        let http = HttpOptions {
            connect_timeout: options.connect_timeout,
            call_timeout: options.call_timeout,
            ..HttpOptions::default()
        };
        Connection {
            base: HttpEndpoint::new(server.url("/"), &http),
            server: server.clone(),
            credentials: Mutex::new(Credentials::empty()),
        }
    }

    /// Connects to `server` with the saved session; when there is none,
    /// asks the server whether it needs one and logs in with saved
    /// credentials if it does (as CodeChecker's client does).
    pub fn open(server: &ServerAddress, options: &ConnectOptions) -> Result<Self, ClientError> {
        let conn = Self::unauthenticated(server, options);
        *conn.credentials() = Credentials::load()?;
        let token = conn
            .credentials()
            .token(&server.host_port())
            .map(str::to_owned);
        match token {
            Some(token) => conn.set_session(Some(&token)),
            None => {
                tracing::debug!(
                    "No valid token or session was found for {}",
                    server.host_port()
                );
                conn.authenticate()?;
            }
        }
        Ok(conn)
    }

    /// The server.
    pub fn server(&self) -> &ServerAddress {
        &self.server
    }

    /// The user's saved credentials.
    pub fn credentials(&self) -> MutexGuard<'_, Credentials> {
        match self.credentials.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Sends `token` (or nothing) as the session with every later call.
    pub fn set_session(&self, token: Option<&str>) {
        self.base
            .set_header("Authorization", token.map(|t| format!("Bearer {t}")));
        self.base.set_header(
            "Cookie",
            token.map(|t| format!("{SESSION_COOKIE_NAME}={t}")),
        );
    }

    /// An endpoint at `path` on this server (sharing pool and session).
    pub fn endpoint(&self, path: &str) -> HttpEndpoint {
        self.base.with_url(self.server.url(path))
    }

    fn api<C>(
        &self,
        path: &str,
        new: impl FnOnce(HttpInputProtocol, HttpOutputProtocol) -> C,
    ) -> Api<'_, C> {
        let (i, o) = self.endpoint(path).protocols();
        Api {
            conn: self,
            client: new(i, o),
        }
    }

    /// `/v6.74/Tasks`.
    pub fn tasks(&self) -> Api<'_, TasksClient> {
        self.api(&format!("/v{API_VERSION}/Tasks"), TasksClient::new)
    }

    /// `/v6.74/Products`, or `/<product>/v6.74/Products` for a product's
    /// view.
    pub fn products(&self, product: Option<&str>) -> Api<'_, ProductsClient> {
        let path = match product {
            Some(p) => format!("/{p}/v{API_VERSION}/Products"),
            None => format!("/v{API_VERSION}/Products"),
        };
        self.api(&path, ProductsClient::new)
    }

    /// `/<product>/v6.74/CodeCheckerService`.
    pub fn report(&self, product: &str) -> Api<'_, ReportClient> {
        self.api(
            &format!("/{product}/v{API_VERSION}/CodeCheckerService"),
            ReportClient::new,
        )
    }

    /// `/v6.74/Authentication`.
    pub fn auth(&self) -> Api<'_, AuthClient> {
        self.api(&format!("/v{API_VERSION}/Authentication"), AuthClient::new)
    }

    /// `/v6.74/Configuration`.
    pub fn configuration(&self) -> Api<'_, ConfigClient> {
        self.api(&format!("/v{API_VERSION}/Configuration"), ConfigClient::new)
    }

    /// Finds out whether the server needs a session and, if it does and
    /// ours is not alive, logs in with the saved credentials. Fails with
    /// CodeChecker's messages when that is not possible.
    pub fn authenticate(&self) -> Result<(), ClientError> {
        self.set_session(None);
        let params = match self
            .auth()
            .call_raw("getAuthParameters", |c| c.get_auth_parameters())
        {
            Ok(p) => p,
            // Servers without authentication support answer with an
            // application error.
            Err(CallError::Application { .. }) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if !params.requires_authentication.unwrap_or(false)
            || params.session_still_active.unwrap_or(false)
        {
            return Ok(());
        }
        let (autologin, auth_string, password_file) = {
            let creds = self.credentials();
            (
                creds.autologin(),
                creds
                    .auth_string(&self.server.host, self.server.port)
                    .map(str::to_owned),
                creds.password_file().display().to_string(),
            )
        };
        if autologin {
            if let Some(auth) = auth_string {
                tracing::info!("Logging in using pre-configured credentials...");
                let user = auth.split(':').next().unwrap_or("");
                if user.is_empty() {
                    return Err(ClientError::Failed(format!(
                        "No username supplied! Please specify the username in your \"{password_file}\" file for {}.",
                        self.server.host_port()
                    )));
                }
                let login = self.auth().call_raw("performLogin", |c| {
                    c.perform_login(Some("Username:Password".to_owned()), Some(auth.clone()))
                });
                if let Ok(token) = login {
                    self.credentials()
                        .save_token(&self.server.host_port(), Some(&token))?;
                    self.set_session(Some(&token));
                    tracing::info!("Authentication successful.");
                    return Ok(());
                }
            }
            tracing::error!("Invalid pre-configured credentials.");
            tracing::error!(
                "Your password has been changed or personal access token has been removed which \
                 is used by your \"{password_file}\" file. Please remove or change invalid credentials."
            );
        } else {
            tracing::error!("Access denied. This server requires authentication.");
            tracing::error!("Please log in onto the server using 'CodeChecker cmd login'.");
        }
        Err(ClientError::Exit(1))
    }
}
