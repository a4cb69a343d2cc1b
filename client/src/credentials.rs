//! The files CodeChecker's command-line client keeps credentials in, read
//! and written in the same format so that either client can use a session
//! the other one made:
//!
//! * `~/.codechecker.session.json` (or `$CC_SESSION_FILE`):
//!   `{"tokens": {"host:port": "<session token>"}}`, mode 0600, locked with
//!   `flock` while read or written.
//! * `~/.codechecker.passwords.json` (or `$CC_PASS_FILE`):
//!   `{"client_autologin": true, "credentials": {"host:port": "user:pass"}}`;
//!   keys may also be `host`, `*:port`, `*` or carry a protocol/product.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// A credential file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// Reading or writing failed.
    #[error("cannot access '{path}': {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The password file is not valid JSON of the expected shape.
    #[error("invalid password file '{path}': {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

fn home_file(name: &str) -> PathBuf {
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("."), PathBuf::from);
    home.join(name)
}

/// `$CC_PASS_FILE`, or `~/.codechecker.passwords.json`.
pub fn password_file_path() -> PathBuf {
    std::env::var_os("CC_PASS_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_file(".codechecker.passwords.json"))
}

/// `$CC_SESSION_FILE`, or `~/.codechecker.session.json`.
pub fn session_file_path() -> PathBuf {
    std::env::var_os("CC_SESSION_FILE")
        .map(PathBuf::from)
        .unwrap_or_else(|| home_file(".codechecker.session.json"))
}

/// `$CC_PASSWORD`, the password (or personal access token) to log in with.
pub fn password_from_env() -> Option<String> {
    std::env::var("CC_PASSWORD").ok().filter(|p| !p.is_empty())
}

/// Warns (as CodeChecker does) when others may read or write the file.
fn warn_if_shared(path: &Path) {
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o066 != 0 {
            tracing::warn!(
                "'{}' is readable by users other than you! This poses a risk of leaking \
                 sensitive information, such as passwords, session tokens, etc.!\n\
                 Please 'chmod 0600 {}' so only you can access the file.",
                path.display(),
                path.display()
            );
        }
    }
}

/// An exclusive `flock` held until dropped.
struct Locked<'a>(&'a File);

impl<'a> Locked<'a> {
    fn new(file: &'a File) -> Self {
        // SAFETY: flock on a valid, open descriptor has no memory effects.
        unsafe {
            libc::flock(file.as_raw_fd(), libc::LOCK_EX);
        }
        Locked(file)
    }
}

impl Drop for Locked<'_> {
    fn drop(&mut self) {
        // SAFETY: as above.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

/// Turns `proto://host:port/Product` style keys into `host:port` (or
/// `host`), dropping keys that do not look like a host entry.
fn simplify_key(key: &str) -> Option<String> {
    let mut rest = key;
    while let Some(stripped) = rest
        .strip_prefix("http://")
        .or_else(|| rest.strip_prefix("https://"))
    {
        rest = stripped;
    }
    let host_end = rest
        .find(|c: char| c == ':' || c == '/' || c.is_whitespace())
        .unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.is_empty() {
        return None;
    }
    let mut tail = &rest[host_end..];
    if tail.starts_with(char::is_whitespace) {
        return None;
    }
    tail = tail.trim_start_matches(':');
    let port_end = tail
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(tail.len());
    let port = &tail[..port_end];
    let after = tail[port_end..].trim_start_matches('/');
    if !after.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return None;
    }
    Some(if port.is_empty() {
        host.to_owned()
    } else {
        format!("{host}:{port}")
    })
}

/// The saved passwords and session tokens of the user.
#[derive(Debug, Clone)]
pub struct Credentials {
    autologin: bool,
    passwords: BTreeMap<String, String>,
    tokens: BTreeMap<String, String>,
    session_file: PathBuf,
    password_file: PathBuf,
}

impl Credentials {
    /// Loads both files from their default (or environment-given) places,
    /// creating an empty session file when there is none.
    pub fn load() -> Result<Self, CredentialError> {
        Self::load_from(password_file_path(), session_file_path())
    }

    /// No credentials and no session; saving a token writes the default
    /// session file.
    pub fn empty() -> Self {
        Credentials {
            autologin: true,
            passwords: BTreeMap::new(),
            tokens: BTreeMap::new(),
            session_file: session_file_path(),
            password_file: password_file_path(),
        }
    }

    /// Loads the given files.
    pub fn load_from(
        password_file: PathBuf,
        session_file: PathBuf,
    ) -> Result<Self, CredentialError> {
        let (autologin, passwords) = read_password_file(&password_file)?;
        let tokens = read_session_file(&session_file)?;
        Ok(Credentials {
            autologin,
            passwords,
            tokens,
            session_file,
            password_file,
        })
    }

    /// Whether saved passwords may be used to log in automatically.
    pub fn autologin(&self) -> bool {
        self.autologin
    }

    /// The password file's path (for messages).
    pub fn password_file(&self) -> &Path {
        &self.password_file
    }

    /// The saved session token for `host:port`.
    pub fn token(&self, host_port: &str) -> Option<&str> {
        self.tokens.get(host_port).map(String::as_str)
    }

    /// The saved `user:password` for a server: `host:port`, then `host`,
    /// then `*:port`, then `*`.
    pub fn auth_string(&self, host: &str, port: u16) -> Option<&str> {
        [
            format!("{host}:{port}"),
            host.to_owned(),
            format!("*:{port}"),
            "*".to_owned(),
        ]
        .iter()
        .find_map(|k| self.passwords.get(k))
        .map(String::as_str)
    }

    /// Records (or with `None` forgets) the session token of `host:port` and
    /// rewrites the session file.
    pub fn save_token(
        &mut self,
        host_port: &str,
        token: Option<&str>,
    ) -> Result<(), CredentialError> {
        match token {
            Some(t) => {
                self.tokens.insert(host_port.to_owned(), t.to_owned());
            }
            None => {
                self.tokens.remove(host_port);
            }
        }
        write_session_file(&self.session_file, &self.tokens)
    }
}

fn read_password_file(path: &Path) -> Result<(bool, BTreeMap<String, String>), CredentialError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let typo = path.with_file_name(".codechecker.password.json");
            if typo.exists() {
                tracing::warn!(
                    "Typo in file name! Rename '{}' to '{}'.",
                    typo.display(),
                    path.display()
                );
            } else {
                tracing::debug!("Password file not found.");
            }
            return Ok((true, BTreeMap::new()));
        }
        Err(source) => {
            return Err(CredentialError::Io {
                path: path.to_owned(),
                source,
            })
        }
    };
    warn_if_shared(path);
    let format_err = |message: String| CredentialError::Format {
        path: path.to_owned(),
        message,
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| format_err(e.to_string()))?;
    let autologin = value
        .get("client_autologin")
        .map(|v| !matches!(v, Value::Bool(false) | Value::Null))
        .unwrap_or(true);
    let mut passwords = BTreeMap::new();
    if let Some(creds) = value.get("credentials") {
        let Some(map) = creds.as_object() else {
            return Err(format_err("'credentials' must be an object".to_owned()));
        };
        for (key, auth) in map {
            let Some(auth) = auth.as_str() else {
                return Err(format_err(format!(
                    "the credential of '{key}' must be a string"
                )));
            };
            match simplify_key(key) {
                Some(k) => {
                    passwords.insert(k, auth.to_owned());
                }
                None => tracing::warn!("Not a valid host entry: {key}."),
            }
        }
    }
    Ok((autologin, passwords))
}

fn open_session_file(path: &Path) -> Result<File, CredentialError> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(path)
        .map_err(|source| CredentialError::Io {
            path: path.to_owned(),
            source,
        })
}

fn read_session_file(path: &Path) -> Result<BTreeMap<String, String>, CredentialError> {
    let io = |source| CredentialError::Io {
        path: path.to_owned(),
        source,
    };
    let file = open_session_file(path)?;
    let _lock = Locked::new(&file);
    let mut text = String::new();
    (&file).read_to_string(&mut text).map_err(io)?;
    let parsed: Option<Value> = serde_json::from_str(&text).ok();
    let Some(value) = parsed else {
        // Empty or corrupt: start over with no sessions, as CodeChecker does.
        file.set_len(0).map_err(io)?;
        (&file).seek(SeekFrom::Start(0)).map_err(io)?;
        (&file).write_all(br#"{"tokens": {}}"#).map_err(io)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(io)?;
        return Ok(BTreeMap::new());
    };
    warn_if_shared(path);
    let mut tokens = BTreeMap::new();
    if let Some(map) = value.get("tokens").and_then(Value::as_object) {
        for (k, v) in map {
            if let Some(t) = v.as_str() {
                tokens.insert(k.clone(), t.to_owned());
            }
        }
    }
    Ok(tokens)
}

/// Writes `{"tokens": ...}` with two-space indentation and sorted keys, as
/// CodeChecker's client does.
fn write_session_file(
    path: &Path,
    tokens: &BTreeMap<String, String>,
) -> Result<(), CredentialError> {
    let io = |source| CredentialError::Io {
        path: path.to_owned(),
        source,
    };
    let mut text = String::from("{\n  \"tokens\": {");
    for (i, (k, v)) in tokens.iter().enumerate() {
        text.push_str(if i == 0 { "\n    " } else { ",\n    " });
        text.push_str(&crate::pyjson::quote(k));
        text.push_str(": ");
        text.push_str(&crate::pyjson::quote(v));
    }
    text.push_str(if tokens.is_empty() {
        "}\n}"
    } else {
        "\n  }\n}"
    });
    let file = open_session_file(path)?;
    let _lock = Locked::new(&file);
    file.set_len(0).map_err(io)?;
    (&file).seek(SeekFrom::Start(0)).map_err(io)?;
    (&file).write_all(text.as_bytes()).map_err(io)?;
    (&file).flush().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_simplified() {
        assert_eq!(
            simplify_key("localhost:8001"),
            Some("localhost:8001".into())
        );
        assert_eq!(simplify_key("http://h:1/Prod"), Some("h:1".into()));
        assert_eq!(simplify_key("https://h"), Some("h".into()));
        assert_eq!(simplify_key("*:8080"), Some("*:8080".into()));
        assert_eq!(simplify_key("*"), Some("*".into()));
        assert_eq!(simplify_key("h:1/a/b"), None);
    }

    #[test]
    fn session_round_trip_and_lookup_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let pw = dir.path().join("pw.json");
        let sess = dir.path().join("sess.json");
        std::fs::write(
            &pw,
            r#"{"client_autologin": true, "credentials": {"*": "any:1", "h:2": "u:p", "http://h/P": "hu:hp"}}"#,
        )
        .ok();
        let mut c = Credentials::load_from(pw.clone(), sess.clone()).expect("loads");
        let c = &mut c;
        assert_eq!(c.auth_string("h", 2), Some("u:p"));
        assert_eq!(c.auth_string("h", 3), Some("hu:hp"));
        assert_eq!(c.auth_string("x", 3), Some("any:1"));
        assert!(c.save_token("h:2", Some("tok")).is_ok());
        let text = std::fs::read_to_string(&sess).unwrap_or_default();
        assert_eq!(text, "{\n  \"tokens\": {\n    \"h:2\": \"tok\"\n  }\n}");
        let mode = std::fs::metadata(&sess)
            .map(|m| m.permissions().mode() & 0o777)
            .ok();
        assert_eq!(mode, Some(0o600));
        let again = Credentials::load_from(pw, sess).ok();
        assert_eq!(again.as_ref().and_then(|c| c.token("h:2")), Some("tok"));
    }
}
