//! Server and product URLs as CodeChecker's client understands them:
//! `[http[s]://]host[:port]` and `[http[s]://][host[:port]/]Product`.

use std::fmt;

/// A malformed server or product URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AddressError(pub String);

/// Where a CodeChecker server listens.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ServerAddress {
    /// `http` or `https`.
    pub protocol: String,
    /// Host name or address (IPv6 in brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl ServerAddress {
    /// `protocol://host:port` followed by `path` (which starts with `/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}://{}:{}{}", self.protocol, self.host, self.port, path)
    }

    /// The key of this server in the session and password files.
    pub fn host_port(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }
}

impl fmt::Display for ServerAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.protocol, self.host, self.port)
    }
}

/// A product on a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductAddress {
    /// The server.
    pub server: ServerAddress,
    /// The product's endpoint (URL path component).
    pub endpoint: String,
}

/// Splits off `proto://`; the rest loses leading and trailing slashes.
fn strip_protocol(url: &str) -> (Option<&str>, String) {
    match url.split_once("://") {
        None => (None, url.to_owned()),
        Some((proto, rest)) => (
            Some(proto),
            rest.trim_start_matches('/')
                .trim_end_matches('/')
                .to_owned(),
        ),
    }
}

fn default_protocol_port(protocol: Option<&str>) -> Result<(String, u16), AddressError> {
    match protocol {
        None => Ok(("http".to_owned(), 8001)),
        Some("http") => Ok(("http".to_owned(), 80)),
        Some("https") => Ok(("https".to_owned(), 443)),
        Some(other) => Err(AddressError(format!(
            "'{other}' is not a protocol understood by CodeChecker"
        ))),
    }
}

fn parse_port(text: &str) -> Result<u16, AddressError> {
    text.trim().parse::<u16>().map_err(|_| {
        AddressError(format!(
            "The server's port '{text}' is not a number between 0 and 65535."
        ))
    })
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn split_host_port(addr: &str) -> Result<(String, Option<u16>), AddressError> {
    let parts: Vec<&str> = addr.split(':').collect();
    match parts.as_slice() {
        [host] => return Ok(((*host).to_owned(), None)),
        [host, port] => return Ok(((*host).to_owned(), Some(parse_port(port)?))),
        _ => {}
    }
    if addr.starts_with('[') {
        if addr.ends_with(']') {
            return Ok((addr.to_owned(), None));
        }
        if let Some((host, port)) = addr.rsplit_once(':') {
            if host.ends_with(']') {
                return Ok((host.to_owned(), Some(parse_port(port)?)));
            }
        }
    }
    Err(AddressError(
        "The server's address is not in a valid 'host:port' or '[host]:port' format!".to_owned(),
    ))
}

/// Parses a server URL (`[http[s]://]host[:port]`); anything after the first
/// `/` is ignored, as CodeChecker does.
pub fn split_server_url(url: &str) -> Result<ServerAddress, AddressError> {
    let (protocol, rest) = strip_protocol(url);
    let (protocol, mut port) = default_protocol_port(protocol)?;
    let addr = rest.split('/').next().unwrap_or("");
    let (host, maybe_port) = split_host_port(addr)?;
    if let Some(p) = maybe_port {
        port = p;
    }
    if host.is_empty() {
        return Err(AddressError(format!("No host name in the URL '{url}'.")));
    }
    Ok(ServerAddress {
        protocol,
        host,
        port,
    })
}

/// Parses a product URL: `[http[s]://]host[:port]/Product`, or just
/// `Product` (on `localhost:8001`).
pub fn split_product_url(url: &str) -> Result<ProductAddress, AddressError> {
    let (protocol, rest) = strip_protocol(url);
    let (protocol, mut port) = default_protocol_port(protocol)?;
    let mut host = "localhost".to_owned();
    let parts: Vec<&str> = rest.split('/').collect();
    let endpoint = match parts.as_slice() {
        [only] => {
            let looks_like_host = only.chars().next().is_none_or(|c| c.is_ascii_digit())
                || only.contains('.')
                || only.contains(':');
            if looks_like_host {
                return Err(AddressError(
                    "The given product URL is invalid. Please specify a full product URL."
                        .to_owned(),
                ));
            }
            (*only).to_owned()
        }
        [server, product] => {
            let (h, maybe_port) = split_host_port(server)?;
            host = h;
            if let Some(p) = maybe_port {
                port = p;
            }
            (*product).to_owned()
        }
        _ => {
            return Err(AddressError(
                "Product URL can not contain extra '/' chars.".to_owned(),
            ))
        }
    };
    if endpoint.is_empty() || host.is_empty() {
        return Err(AddressError(format!(
            "The product URL '{url}' names no product."
        )));
    }
    Ok(ProductAddress {
        server: ServerAddress {
            protocol,
            host,
            port,
        },
        endpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(url: &str) -> String {
        split_server_url(url).map_or_else(|e| e.0, |a| a.to_string())
    }

    fn product(url: &str) -> String {
        split_product_url(url).map_or_else(|e| e.0, |a| format!("{} {}", a.server, a.endpoint))
    }

    #[test]
    fn server_urls() {
        assert_eq!(server("localhost:8001"), "http://localhost:8001");
        assert_eq!(server("example.com"), "http://example.com:8001");
        assert_eq!(server("https://example.com"), "https://example.com:443");
        assert_eq!(server("http://h:9/"), "http://h:9");
        assert_eq!(server("h:9/Product"), "http://h:9");
        assert_eq!(server("[::1]:8080"), "http://[::1]:8080");
        assert_eq!(server("[::1]"), "http://[::1]:8001");
        assert!(split_server_url("ftp://h").is_err());
        assert!(split_server_url("h:port").is_err());
    }

    #[test]
    fn product_urls() {
        assert_eq!(product("Default"), "http://localhost:8001 Default");
        assert_eq!(
            product("localhost:8001/Default"),
            "http://localhost:8001 Default"
        );
        assert_eq!(product("https://h/P"), "https://h:443 P");
        assert_eq!(product("http://h:18001/P/"), "http://h:18001 P");
        assert!(split_product_url("h.example.com:8001").is_err());
        assert!(split_product_url("h:1/a/b").is_err());
        assert!(split_product_url("8001").is_err());
    }
}
