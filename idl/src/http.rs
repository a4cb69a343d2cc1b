//! Thrift over HTTP for clients: each call is one POST of a whole JSON message,
//! answered by one whole reply, over a kept-alive connection.
//!
//! The generated clients take an input and an output protocol. [`HttpChannel`]
//! makes a linked pair: writing a message buffers it, `flush` (which the generated
//! code calls at the end of every call) POSTs it, and the reply becomes what the
//! input side reads next.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use thrift::protocol::{
    TFieldIdentifier, TInputProtocol, TListIdentifier, TMapIdentifier, TMessageIdentifier,
    TOutputProtocol, TSetIdentifier, TStructIdentifier,
};

use crate::json::{JsonInputProtocol, JsonOutputProtocol};

/// How to reach a server.
#[derive(Debug, Clone)]
pub struct HttpOptions {
    /// Time to establish a TCP connection.
    pub connect_timeout: Duration,
    /// Time for one whole call (request and reply); `None` waits forever.
    pub call_timeout: Option<Duration>,
    /// The `User-Agent` header.
    pub user_agent: String,
}

impl Default for HttpOptions {
    fn default() -> Self {
        Self {
            connect_timeout: Duration::from_secs(10),
            call_timeout: Some(Duration::from_secs(600)),
            user_agent: concat!("codechecker-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

/// Why a call failed below the Thrift layer.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    /// The server answered with an HTTP error status.
    #[error("HTTP {status} from {url}: {body}")]
    Status {
        /// The HTTP status code.
        status: u16,
        /// The URL that was called.
        url: String,
        /// The start of the answer's body.
        body: String,
    },
    /// The server could not be reached or the connection broke.
    #[error("cannot reach {url}: {reason}")]
    Connection {
        /// The URL that was called.
        url: String,
        /// What went wrong.
        reason: String,
    },
}

/// Carried as `thrift::Error::User` so that its message survives `Display`
/// (the thrift crate prints only the kind of a `TransportError`); callers can
/// `downcast_ref::<HttpError>()` it.
impl From<HttpError> for thrift::Error {
    fn from(err: HttpError) -> Self {
        thrift::Error::User(Box::new(err))
    }
}

/// A connection to one Thrift endpoint URL (e.g. `http://host:8001/v6.74/Tasks`).
///
/// Cheap to clone: clones share the connection pool and the extra headers.
#[derive(Clone)]
pub struct HttpEndpoint {
    agent: ureq::Agent,
    url: String,
    headers: Arc<RwLock<Vec<(String, String)>>>,
    user_agent: String,
}

impl HttpEndpoint {
    /// An endpoint with its own connection pool.
    pub fn new(url: impl Into<String>, options: &HttpOptions) -> Self {
        let mut builder = ureq::AgentBuilder::new()
            .timeout_connect(options.connect_timeout)
            .max_idle_connections_per_host(4);
        if let Some(timeout) = options.call_timeout {
            builder = builder.timeout(timeout);
        }
        Self {
            agent: builder.build(),
            url: url.into(),
            headers: Arc::default(),
            user_agent: options.user_agent.clone(),
        }
    }

    /// The same server and connection pool, another endpoint path.
    pub fn with_url(&self, url: impl Into<String>) -> Self {
        Self {
            agent: self.agent.clone(),
            url: url.into(),
            headers: self.headers.clone(),
            user_agent: self.user_agent.clone(),
        }
    }

    /// The URL calls go to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Sets (or, with `None`, removes) a header sent with every later call, e.g.
    /// `Cookie` for a session or `Authorization` for a bearer token.
    pub fn set_header(&self, name: &str, value: Option<String>) {
        let mut headers = match self.headers.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        if let Some(value) = value {
            headers.push((name.to_owned(), value));
        }
    }

    /// POSTs one Thrift message and returns the reply's bytes.
    pub fn post(&self, body: &[u8]) -> Result<Vec<u8>, HttpError> {
        let mut request = self
            .agent
            .post(&self.url)
            .set("Content-Type", "application/x-thrift")
            .set("Accept", "application/x-thrift")
            .set("User-Agent", &self.user_agent);
        {
            let headers = match self.headers.read() {
                Ok(guard) => guard,
                Err(poisoned) => poisoned.into_inner(),
            };
            for (name, value) in headers.iter() {
                request = request.set(name, value);
            }
        }
        match request.send_bytes(body) {
            Ok(response) => {
                let mut reply = Vec::new();
                response
                    .into_reader()
                    .read_to_end(&mut reply)
                    .map_err(|err| self.connection_error(err.to_string()))?;
                Ok(reply)
            }
            Err(ureq::Error::Status(status, response)) => {
                let mut text = response.into_string().unwrap_or_default();
                text.truncate(500);
                Err(HttpError::Status {
                    status,
                    url: self.url.clone(),
                    body: text.trim().to_owned(),
                })
            }
            Err(ureq::Error::Transport(err)) => Err(self.connection_error(err.to_string())),
        }
    }

    fn connection_error(&self, reason: String) -> HttpError {
        HttpError::Connection {
            url: self.url.clone(),
            reason,
        }
    }

    /// A linked input/output protocol pair for a generated client.
    pub fn protocols(&self) -> (HttpInputProtocol, HttpOutputProtocol) {
        let exchange = Rc::new(RefCell::new(Exchange::default()));
        (
            HttpInputProtocol {
                exchange: exchange.clone(),
            },
            HttpOutputProtocol {
                endpoint: self.clone(),
                json: JsonOutputProtocol::new(Vec::new()),
                exchange,
            },
        )
    }
}

#[derive(Default)]
struct Exchange {
    /// The reader over the reply of the last call.
    reader: Option<JsonInputProtocol>,
}

/// The output half of an [`HttpEndpoint`] protocol pair.
pub struct HttpOutputProtocol {
    endpoint: HttpEndpoint,
    json: JsonOutputProtocol<Vec<u8>>,
    exchange: Rc<RefCell<Exchange>>,
}

/// The input half of an [`HttpEndpoint`] protocol pair.
pub struct HttpInputProtocol {
    exchange: Rc<RefCell<Exchange>>,
}

impl HttpInputProtocol {
    fn with<T>(
        &mut self,
        f: impl FnOnce(&mut JsonInputProtocol) -> thrift::Result<T>,
    ) -> thrift::Result<T> {
        let mut exchange = self.exchange.borrow_mut();
        match exchange.reader.as_mut() {
            Some(reader) => f(reader),
            None => Err(thrift::Error::Protocol(thrift::ProtocolError::new(
                thrift::ProtocolErrorKind::Unknown,
                "no reply to read: nothing was sent",
            ))),
        }
    }
}

macro_rules! delegate_input {
    ($($name:ident() -> $ret:ty;)*) => {
        $(fn $name(&mut self) -> thrift::Result<$ret> { self.with(|r| r.$name()) })*
    };
}

impl TInputProtocol for HttpInputProtocol {
    delegate_input! {
        read_message_begin() -> TMessageIdentifier;
        read_message_end() -> ();
        read_struct_begin() -> Option<TStructIdentifier>;
        read_struct_end() -> ();
        read_field_begin() -> TFieldIdentifier;
        read_field_end() -> ();
        read_bool() -> bool;
        read_bytes() -> Vec<u8>;
        read_i8() -> i8;
        read_i16() -> i16;
        read_i32() -> i32;
        read_i64() -> i64;
        read_double() -> f64;
        read_string() -> String;
        read_list_begin() -> TListIdentifier;
        read_list_end() -> ();
        read_set_begin() -> TSetIdentifier;
        read_set_end() -> ();
        read_map_begin() -> TMapIdentifier;
        read_map_end() -> ();
        read_byte() -> u8;
    }
}

macro_rules! delegate_output {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $name(&mut self, $($arg: $ty),*) -> thrift::Result<()> { self.json.$name($($arg),*) })*
    };
}

impl TOutputProtocol for HttpOutputProtocol {
    delegate_output! {
        write_message_begin(identifier: &TMessageIdentifier);
        write_message_end();
        write_struct_begin(identifier: &TStructIdentifier);
        write_struct_end();
        write_field_begin(identifier: &TFieldIdentifier);
        write_field_end();
        write_field_stop();
        write_bool(b: bool);
        write_bytes(b: &[u8]);
        write_i8(i: i8);
        write_i16(i: i16);
        write_i32(i: i32);
        write_i64(i: i64);
        write_double(d: f64);
        write_string(s: &str);
        write_list_begin(identifier: &TListIdentifier);
        write_list_end();
        write_set_begin(identifier: &TSetIdentifier);
        write_set_end();
        write_map_begin(identifier: &TMapIdentifier);
        write_map_end();
        write_byte(b: u8);
    }

    /// Sends the buffered message and makes its reply readable.
    fn flush(&mut self) -> thrift::Result<()> {
        self.json.flush()?;
        let json = std::mem::replace(&mut self.json, JsonOutputProtocol::new(Vec::new()));
        let reply = self.endpoint.post(&json.into_inner()?)?;
        self.exchange.borrow_mut().reader = Some(JsonInputProtocol::new(reply));
        Ok(())
    }
}
