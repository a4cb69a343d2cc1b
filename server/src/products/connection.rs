//! A product's database connection as stored in the configuration database.
//!
//! Stored forms: `sqlite:<path>` (relative paths are below the workspace;
//! SQLAlchemy's `sqlite:///rel` and `sqlite:////abs` are read too) and
//! `postgresql://user:password@host:port/database` (`postgres://` and
//! `postgresql+driver://` are read too; user and password percent-encoded).

use std::path::{Component, Path, PathBuf};

/// A parsed product connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProductConnection {
    /// A SQLite file.
    Sqlite {
        /// The path as configured: relative to the workspace, or absolute.
        path: String,
    },
    /// A PostgreSQL database.
    Postgres {
        /// Server host.
        host: String,
        /// Server port.
        port: u16,
        /// User name.
        user: String,
        /// Password, if any.
        password: Option<String>,
        /// Database name.
        database: String,
    },
}

impl ProductConnection {
    /// Reads a stored connection string.
    pub fn parse(text: &str) -> Result<Self, String> {
        if let Some(rest) = text.strip_prefix("sqlite:") {
            let path = if let Some(abs) = rest.strip_prefix("////") {
                format!("/{abs}")
            } else if let Some(rel) = rest.strip_prefix("///") {
                rel.to_owned()
            } else {
                rest.to_owned()
            };
            if path.is_empty() {
                return Err(format!("the SQLite connection '{text}' names no file"));
            }
            return Ok(Self::Sqlite { path });
        }
        let (scheme, rest) = text
            .split_once("://")
            .ok_or_else(|| format!("unknown database connection '{}'", redact(text)))?;
        let engine = scheme.split('+').next().unwrap_or_default();
        if engine != "postgresql" && engine != "postgres" {
            return Err(format!("unknown database engine '{engine}'"));
        }
        let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
        let database = database.split('?').next().unwrap_or_default();
        let (credentials, hostport) = match authority.rsplit_once('@') {
            Some((c, h)) => (Some(c), h),
            None => (None, authority),
        };
        let (user, password) = match credentials {
            Some(c) => match c.split_once(':') {
                Some((u, p)) => (percent_decode(u), Some(percent_decode(p))),
                None => (percent_decode(c), None),
            },
            None => (String::new(), None),
        };
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => (
                h.to_owned(),
                p.parse::<u16>()
                    .map_err(|_| format!("invalid PostgreSQL port '{p}'"))?,
            ),
            None => (hostport.to_owned(), 5432),
        };
        Ok(Self::Postgres {
            host,
            port,
            user,
            password,
            database: percent_decode(database),
        })
    }

    /// The form stored in the configuration database.
    pub fn to_config_string(&self) -> String {
        match self {
            Self::Sqlite { path } => format!("sqlite:{path}"),
            Self::Postgres {
                host,
                port,
                user,
                password,
                database,
            } => {
                let credentials = match password.as_deref().filter(|p| !p.is_empty()) {
                    Some(p) => format!("{}:{}@", percent_encode(user), percent_encode(p)),
                    None if user.is_empty() => String::new(),
                    None => format!("{}@", percent_encode(user)),
                };
                format!(
                    "postgresql://{credentials}{host}:{port}/{}",
                    percent_encode(database)
                )
            }
        }
    }

    /// The URL the product database layer opens: an absolute SQLite path or
    /// a `postgres://` URL.
    pub fn database_url(&self, workspace: &Path) -> String {
        match self {
            Self::Sqlite { path } => self
                .sqlite_file(workspace)
                .map_or_else(|| path.clone(), |p| p.display().to_string()),
            Self::Postgres { .. } => {
                self.to_config_string()
                    .replacen("postgresql://", "postgres://", 1)
            }
        }
    }

    /// The SQLite file, resolved against the workspace.
    pub fn sqlite_file(&self, workspace: &Path) -> Option<PathBuf> {
        match self {
            Self::Sqlite { path } if Path::new(path).is_absolute() => Some(PathBuf::from(path)),
            Self::Sqlite { path } => Some(workspace.join(path)),
            Self::Postgres { .. } => None,
        }
    }

    /// Whether both name the same database (CodeChecker compares engine,
    /// database, host and port).
    pub fn same_database(&self, other: &Self, workspace: &Path) -> bool {
        match (self, other) {
            (Self::Sqlite { .. }, Self::Sqlite { .. }) => {
                self.sqlite_file(workspace).map(|p| normalize(&p))
                    == other.sqlite_file(workspace).map(|p| normalize(&p))
            }
            (
                Self::Postgres {
                    host: h1,
                    port: p1,
                    database: d1,
                    ..
                },
                Self::Postgres {
                    host: h2,
                    port: p2,
                    database: d2,
                    ..
                },
            ) => h1 == h2 && p1 == p2 && d1 == d2,
            _ => false,
        }
    }

    /// The engine name of the wire (`sqlite`, `postgresql`).
    pub fn engine(&self) -> &'static str {
        match self {
            Self::Sqlite { .. } => "sqlite",
            Self::Postgres { .. } => "postgresql",
        }
    }
}

/// A configured SQLite path placed below the workspace, as CodeChecker does:
/// the path is taken as if rooted at the workspace, so `..` cannot leave it.
/// Returns the path relative to the workspace.
pub fn sqlite_path_below_workspace(database: &str) -> Result<String, String> {
    if database.is_empty() {
        return Err("The SQLite database file name is empty.".to_owned());
    }
    if Path::new(database).is_absolute() {
        return Err("SQLite database must be given by relative path!".to_owned());
    }
    let mut parts: Vec<&str> = Vec::new();
    for component in Path::new(database).components() {
        match component {
            Component::Normal(p) => parts.push(p.to_str().unwrap_or_default()),
            Component::ParentDir => {
                parts.pop();
            }
            _ => {}
        }
    }
    if parts.is_empty() {
        return Err(format!(
            "The SQLite database path '{database}' names no file."
        ));
    }
    Ok(parts.join("/"))
}

/// Creates the PostgreSQL database of `connection` through the server's
/// `postgres` maintenance database. `Ok(false)` when it already exists.
pub fn create_postgres_database(connection: &ProductConnection) -> Result<bool, String> {
    use diesel::{Connection, RunQueryDsl};
    let ProductConnection::Postgres { database, .. } = connection else {
        return Ok(false);
    };
    let mut admin_target = connection.clone();
    if let ProductConnection::Postgres { database, .. } = &mut admin_target {
        *database = "postgres".to_owned();
    }
    let url = format!(
        "{}?connect_timeout=10",
        admin_target.database_url(Path::new("/"))
    );
    let mut admin = diesel::PgConnection::establish(&url).map_err(|e| e.to_string())?;
    let quoted = format!("\"{}\"", database.replace('"', "\"\""));
    match diesel::sql_query(format!("CREATE DATABASE {quoted}")).execute(&mut admin) {
        Ok(_) => Ok(true),
        Err(e) if dbkit::classify::is_duplicate_object(&e) => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// Whether CodeChecker accepts `name` as a PostgreSQL database name: not
/// empty, at most 63 bytes, no quotes, semicolons, blanks or control
/// characters.
pub fn is_valid_postgres_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && !name
            .chars()
            .any(|c| matches!(c, '"' | '\'' | '\\' | ';' | '\0' | '\r' | '\n' | '\t' | ' '))
}

/// Lexically normalised absolute path.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The connection string with any password hidden, for messages.
pub fn redact(text: &str) -> String {
    match ProductConnection::parse(text) {
        Ok(ProductConnection::Postgres {
            host,
            port,
            user,
            database,
            ..
        }) => format!("postgresql://{user}@{host}:{port}/{database}"),
        Ok(other) => other.to_config_string(),
        Err(_) => match text.split_once("://") {
            Some((scheme, _)) => format!("{scheme}://…"),
            None => text.to_owned(),
        },
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| char::from(b).to_digit(16);
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((hi * 16 + lo) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_forms() {
        let ws = Path::new("/ws");
        let c = ProductConnection::parse("sqlite:Default.sqlite").unwrap();
        assert_eq!(c.database_url(ws), "/ws/Default.sqlite");
        let c = ProductConnection::parse("sqlite:////abs/p.sqlite").unwrap();
        assert_eq!(c.database_url(ws), "/abs/p.sqlite");
        let c = ProductConnection::parse("sqlite:///rel.sqlite").unwrap();
        assert_eq!(c.to_config_string(), "sqlite:rel.sqlite");
    }

    #[test]
    fn postgres_round_trip() {
        let c = ProductConnection::Postgres {
            host: "127.0.0.1".into(),
            port: 5432,
            user: "post gres".into(),
            password: Some("p@ss:w/d".into()),
            database: "prod_db".into(),
        };
        let text = c.to_config_string();
        assert_eq!(ProductConnection::parse(&text).unwrap(), c);
        assert!(!redact(&text).contains("p@ss"));
        let old = ProductConnection::parse("postgresql+psycopg2://cc@db:6000/x").unwrap();
        assert_eq!(
            old,
            ProductConnection::Postgres {
                host: "db".into(),
                port: 6000,
                user: "cc".into(),
                password: None,
                database: "x".into()
            }
        );
    }

    #[test]
    fn sqlite_paths_stay_in_the_workspace() {
        assert_eq!(
            sqlite_path_below_workspace("a/../../b.sqlite").unwrap(),
            "b.sqlite"
        );
        assert!(sqlite_path_below_workspace("/etc/x").is_err());
        assert!(sqlite_path_below_workspace("..").is_err());
    }
}
