//! `server_config.json`: CodeChecker's server configuration file, read from
//! the workspace at start. A missing file is created with CodeChecker's
//! defaults (authentication off); a file that cannot be used stops the server
//! with a message naming the offending key.
//!
//! Values may be `"$ENV:NAME$"` (an environment variable) or `"$SECRET:NAME$"`
//! (a key of `server_secrets.json` next to it), as with CodeChecker.

pub mod tasks;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Map, Value};

/// The file name, in the workspace.
pub const FILE_NAME: &str = "server_config.json";

/// The secrets file that `$SECRET:NAME$` values come from.
pub const SECRETS_FILE_NAME: &str = "server_secrets.json";

/// Why the configuration cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read or created.
    #[error("cannot {action} {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The reason.
        #[source]
        source: std::io::Error,
    },
    /// The file is not JSON.
    #[error("{path} is not valid JSON: {source}")]
    Syntax {
        /// The file.
        path: PathBuf,
        /// Where and why.
        #[source]
        source: serde_json::Error,
    },
    /// A key has a value the server cannot use.
    #[error("{path}: '{key}' {problem}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key, dotted (`authentication.session_lifetime`).
        key: String,
        /// What is wrong with it.
        problem: String,
    },
}

/// The server configuration.
#[derive(Debug, Clone, Default)]
pub struct ServerConfig {
    /// `worker_processes`: API processes, unless `--api-processes` is given.
    pub worker_processes: Option<usize>,
    /// `background_worker_processes`: task workers, unless `--worker-processes` is given.
    pub background_worker_processes: Option<usize>,
    /// `max_run_count`: the most runs a product may hold.
    pub max_run_count: Option<u64>,
    /// `store.analysis_statistics_dir`.
    pub analysis_statistics_dir: Option<PathBuf>,
    /// `store.limit.failure_zip_size` (bytes).
    pub failure_zip_size: Option<u64>,
    /// `store.limit.compilation_database_size` (bytes).
    pub compilation_database_size: Option<u64>,
    /// `authentication`.
    pub authentication: AuthConfig,
    /// `background_tasks` (this server's own keys): admission, deadlines,
    /// retention.
    pub background_tasks: tasks::TaskControl,
}

/// The `authentication` block.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// Whether clients must log in.
    pub enabled: bool,
    /// The master superuser's name (always `SUPERUSER`).
    pub super_user: Option<String>,
    /// `realm_name`.
    pub realm_name: String,
    /// `realm_error`.
    pub realm_error: String,
    /// Appended to the answer of a failed login.
    pub failed_auth_message: Option<String>,
    /// A session unused for this long ends.
    pub session_lifetime: Duration,
    /// How often a session's last use is written back (`None`: every use).
    pub refresh_time: Option<Duration>,
    /// Logins between sweeps of ended sessions.
    pub logins_until_cleanup: u32,
    /// The longest a personal access token may live, in days.
    pub max_token_days: i64,
    /// `method_dictionary`, when enabled: the users and their passwords.
    pub dictionary: Option<Dictionary>,
    /// `regex_groups`, when enabled: groups given by user-name patterns.
    pub regex_groups: RegexGroups,
    /// `login_throttle` (this server's extension): limits on failed logins.
    pub throttle: Option<ThrottleConfig>,
}

/// Group names with the user-name patterns that put a user in them.
pub type RegexGroups = Vec<(String, Vec<regex::Regex>)>;

/// The `method_dictionary` block.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    /// `auths`: `user:password` or `user:hexdigest:algorithm[:salt]`.
    pub auths: Vec<String>,
    /// `groups`: user name to group names.
    pub groups: BTreeMap<String, Vec<String>>,
}

/// The `login_throttle` block: failed logins are counted per user name and
/// per client address; too many within `window` lock the subject out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleConfig {
    /// Failures per user name that lock it out.
    pub max_failures_per_user: u32,
    /// Failures per client address that lock it out.
    pub max_failures_per_address: u32,
    /// How long failures are counted.
    pub window: Duration,
    /// How long a lock lasts.
    pub lockout: Duration,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            max_failures_per_user: 10,
            max_failures_per_address: 50,
            window: Duration::from_secs(300),
            lockout: Duration::from_secs(300),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            super_user: None,
            realm_name: "CodeChecker Privileged server".to_owned(),
            realm_error: "Access requires valid credentials.".to_owned(),
            failed_auth_message: None,
            session_lifetime: Duration::from_secs(300),
            refresh_time: Some(Duration::from_secs(60)),
            logins_until_cleanup: 30,
            max_token_days: 365,
            dictionary: None,
            regex_groups: Vec::new(),
            throttle: Some(ThrottleConfig::default()),
        }
    }
}

/// What a new workspace gets: CodeChecker's defaults, authentication off.
const DEFAULT_FILE: &str = r#"{
  "worker_processes": null,
  "background_worker_processes": null,
  "max_run_count": null,
  "store": {
    "analysis_statistics_dir": null,
    "limit": {
      "failure_zip_size": 52428800,
      "compilation_database_size": 104857600
    }
  },
  "keepalive": {
    "enabled": false,
    "idle": 600,
    "interval": 30,
    "max_probe": 10
  },
  "authentication": {
    "enabled": false,
    "super_user": "",
    "realm_name": "CodeChecker Privileged server",
    "realm_error": "Access requires valid credentials.",
    "failed_auth_message": "",
    "session_lifetime": 300,
    "refresh_time": 60,
    "logins_until_cleanup": 30,
    "max_pers_auth_token_expiration_length": 365,
    "method_dictionary": {
      "enabled": false,
      "auths": [],
      "groups": {}
    },
    "regex_groups": {
      "enabled": false,
      "groups": {}
    },
    "login_throttle": {
      "enabled": true,
      "max_failures_per_user": 10,
      "max_failures_per_address": 50,
      "window": 300,
      "lockout": 300
    }
  }
}
"#;

impl ServerConfig {
    /// Reads `<workspace>/server_config.json`, creating it with the defaults
    /// (readable by the owner only) when it does not exist.
    pub fn load_or_create(workspace: &Path) -> Result<Self, ConfigError> {
        let path = workspace.join(FILE_NAME);
        if !path.exists() {
            create_private(&path, DEFAULT_FILE).map_err(|source| ConfigError::Io {
                action: "create",
                path: path.clone(),
                source,
            })?;
            tracing::info!(path = %path.display(), "created the default server configuration");
        }
        Self::load(&path)
    }

    /// Reads the configuration file at `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            action: "read",
            path: path.to_owned(),
            source,
        })?;
        let mut value: Value =
            serde_json::from_str(&text).map_err(|source| ConfigError::Syntax {
                path: path.to_owned(),
                source,
            })?;
        let secrets_path = path.with_file_name(SECRETS_FILE_NAME);
        let secrets = read_secrets(&secrets_path)?;
        resolve_variables(&mut value, "", &secrets, path)?;
        let config = Self::from_value(&value).map_err(|(key, problem)| ConfigError::Invalid {
            path: path.to_owned(),
            key,
            problem,
        })?;
        if config.authentication.dictionary.is_some() {
            warn_if_shared(path);
        }
        Ok(config)
    }

    /// Interprets a parsed (and resolved) configuration; an error names the key.
    pub fn from_value(value: &Value) -> Result<Self, (String, String)> {
        let root = Node::root(value)?;
        let store = root.child("store")?;
        let limit = store.child("limit")?;
        Ok(Self {
            worker_processes: root.process_count("worker_processes")?,
            background_worker_processes: root.process_count("background_worker_processes")?,
            max_run_count: root.child("max_run_count")?.count_opt()?,
            analysis_statistics_dir: store
                .child("analysis_statistics_dir")?
                .string_opt()?
                .map(PathBuf::from),
            failure_zip_size: limit.child("failure_zip_size")?.count_opt()?,
            compilation_database_size: limit.child("compilation_database_size")?.count_opt()?,
            authentication: AuthConfig::from_node(&root.child("authentication")?)?,
            background_tasks: tasks::TaskControl::from_node(&root.child("background_tasks")?)?,
        })
    }
}

impl AuthConfig {
    fn from_node(auth: &Node<'_>) -> Result<Self, (String, String)> {
        let defaults = AuthConfig::default();
        let mut enabled = auth.child("enabled")?.bool_or(false)?;
        let lifetime = auth.child("session_lifetime")?.count_opt()?;
        if lifetime == Some(0) {
            return Err(auth
                .child("session_lifetime")?
                .problem("must be at least 1 (seconds)"));
        }
        let refresh = auth.child("refresh_time")?.count_opt()?;
        let dictionary = auth.child("method_dictionary")?;
        let dictionary = if dictionary.child("enabled")?.bool_or(false)? {
            Some(Dictionary::from_node(&dictionary)?)
        } else {
            None
        };
        for method in ["method_ldap", "method_pam", "method_oauth"] {
            if auth.child(method)?.child("enabled")?.bool_or(false)? {
                tracing::warn!(
                    "'authentication.{method}' is enabled, but this server supports only \
                     'method_dictionary'; {method} is ignored"
                );
            }
        }
        if enabled && dictionary.is_none() {
            tracing::warn!(
                "authentication is enabled but no supported authentication method is \
                 (enable 'authentication.method_dictionary'): running without authentication"
            );
            enabled = false;
        }
        let throttle = auth.child("login_throttle")?;
        let throttle = if throttle.child("enabled")?.bool_or(true)? {
            let d = ThrottleConfig::default();
            Some(ThrottleConfig {
                max_failures_per_user: throttle
                    .child("max_failures_per_user")?
                    .positive_u32_or(d.max_failures_per_user)?,
                max_failures_per_address: throttle
                    .child("max_failures_per_address")?
                    .positive_u32_or(d.max_failures_per_address)?,
                window: throttle.child("window")?.seconds_or(d.window)?,
                lockout: throttle.child("lockout")?.seconds_or(d.lockout)?,
            })
        } else {
            None
        };
        let max_days = auth
            .child("max_pers_auth_token_expiration_length")?
            .count_opt()?
            .unwrap_or(365);
        Ok(Self {
            enabled,
            super_user: auth
                .child("super_user")?
                .string_opt()?
                .filter(|s| !s.is_empty()),
            realm_name: auth
                .child("realm_name")?
                .string_opt()?
                .unwrap_or(defaults.realm_name),
            realm_error: auth
                .child("realm_error")?
                .string_opt()?
                .unwrap_or(defaults.realm_error),
            failed_auth_message: auth
                .child("failed_auth_message")?
                .string_opt()?
                .filter(|s| !s.is_empty()),
            session_lifetime: lifetime.map_or(defaults.session_lifetime, Duration::from_secs),
            refresh_time: match refresh {
                None => defaults.refresh_time,
                Some(0) => None,
                Some(secs) => Some(Duration::from_secs(secs)),
            },
            logins_until_cleanup: auth
                .child("logins_until_cleanup")?
                .positive_u32_or(defaults.logins_until_cleanup)?,
            max_token_days: i64::try_from(max_days.clamp(1, i16::MAX as u64)).unwrap_or(365),
            dictionary,
            regex_groups: regex_groups(&auth.child("regex_groups")?)?,
            throttle,
        })
    }
}

impl Dictionary {
    fn from_node(node: &Node<'_>) -> Result<Self, (String, String)> {
        let auths_node = node.child("auths")?;
        let auths = auths_node.string_list()?;
        for (i, entry) in auths.iter().enumerate() {
            if !entry.contains(':') || entry.starts_with(':') {
                return Err((
                    format!("{}[{i}]", auths_node.path),
                    "must look like \"user:password\"".to_owned(),
                ));
            }
        }
        let groups_node = node.child("groups")?;
        let mut groups = BTreeMap::new();
        for (user, _) in groups_node.entries()? {
            groups.insert(user.clone(), groups_node.child(user)?.string_list()?);
        }
        Ok(Self { auths, groups })
    }
}

fn regex_groups(node: &Node<'_>) -> Result<RegexGroups, (String, String)> {
    if !node.child("enabled")?.bool_or(false)? {
        return Ok(Vec::new());
    }
    let groups = node.child("groups")?;
    let mut out = Vec::new();
    for (name, _) in groups.entries()? {
        let list = groups.child(name)?;
        let mut patterns = Vec::new();
        for (i, text) in list.string_list()?.iter().enumerate() {
            let re = regex::Regex::new(text).map_err(|e| {
                (
                    format!("{}[{i}]", list.path),
                    format!("is not a valid regular expression: {e}"),
                )
            })?;
            patterns.push(re);
        }
        out.push((name.clone(), patterns));
    }
    Ok(out)
}

/// A value in the configuration and the dotted path to it (absent keys and
/// `null` read as "not given").
struct Node<'a> {
    path: String,
    value: Option<&'a Value>,
}

impl<'a> Node<'a> {
    fn root(value: &'a Value) -> Result<Self, (String, String)> {
        if !value.is_object() {
            return Err(("(top level)".to_owned(), "must be a JSON object".to_owned()));
        }
        Ok(Self {
            path: String::new(),
            value: Some(value),
        })
    }

    fn problem(&self, text: &str) -> (String, String) {
        (self.path.clone(), text.to_owned())
    }

    fn given(&self) -> Option<&'a Value> {
        self.value.filter(|v| !v.is_null())
    }

    fn object(&self) -> Result<Option<&'a Map<String, Value>>, (String, String)> {
        match self.given() {
            None => Ok(None),
            Some(Value::Object(map)) => Ok(Some(map)),
            Some(_) => Err(self.problem("must be a JSON object")),
        }
    }

    fn child(&self, key: &str) -> Result<Node<'a>, (String, String)> {
        let path = if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        };
        Ok(Node {
            value: self.object()?.and_then(|m| m.get(key)),
            path,
        })
    }

    fn entries(&self) -> Result<Vec<(&'a String, &'a Value)>, (String, String)> {
        Ok(self
            .object()?
            .map(|m| m.iter().collect())
            .unwrap_or_default())
    }

    fn bool_or(&self, default: bool) -> Result<bool, (String, String)> {
        match self.given() {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.problem("must be true or false")),
        }
    }

    fn count_opt(&self) -> Result<Option<u64>, (String, String)> {
        match self.given() {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.problem("must be a whole number of at least 0")),
        }
    }

    fn positive_u32_or(&self, default: u32) -> Result<u32, (String, String)> {
        match self.count_opt()? {
            None => Ok(default),
            Some(n) => u32::try_from(n)
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| self.problem("must be a whole number from 1 to 4294967295")),
        }
    }

    fn seconds_or(&self, default: Duration) -> Result<Duration, (String, String)> {
        Ok(self.count_opt()?.map_or(default, Duration::from_secs))
    }

    /// CodeChecker's process counts: absent, `null`, 0 or negative mean the default.
    fn process_count(&self, key: &str) -> Result<Option<usize>, (String, String)> {
        let node = self.child(key)?;
        match node.given() {
            None => Ok(None),
            Some(v) => match v.as_i64() {
                Some(n) if n > 0 => Ok(usize::try_from(n).ok()),
                Some(n) => {
                    if n < 0 {
                        tracing::warn!("'{key}' cannot be negative; using the default");
                    }
                    Ok(None)
                }
                None => Err(node.problem("must be a whole number")),
            },
        }
    }

    fn string_opt(&self) -> Result<Option<String>, (String, String)> {
        match self.given() {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(self.problem("must be a string")),
        }
    }

    fn string_list(&self) -> Result<Vec<String>, (String, String)> {
        match self.given() {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, item)| match item {
                    Value::String(s) => Ok(s.clone()),
                    _ => Err((format!("{}[{i}]", self.path), "must be a string".to_owned())),
                })
                .collect(),
            Some(_) => Err(self.problem("must be a list of strings")),
        }
    }
}

/// Creates `path` with `text`, readable and writable by the owner only.
fn create_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())
}

fn warn_if_shared(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o066 != 0 {
            tracing::warn!(
                "{} holds passwords but other users may read it; run 'chmod 0600 {}'",
                path.display(),
                path.display()
            );
        }
    }
}

fn read_secrets(path: &Path) -> Result<Map<String, Value>, ConfigError> {
    if !path.exists() {
        return Ok(Map::new());
    }
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
        action: "read",
        path: path.to_owned(),
        source,
    })?;
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => {
            warn_if_shared(path);
            Ok(map)
        }
        Ok(_) => Err(ConfigError::Invalid {
            path: path.to_owned(),
            key: "(top level)".to_owned(),
            problem: "must be a JSON object".to_owned(),
        }),
        Err(source) => Err(ConfigError::Syntax {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The variable a value names: `$ENV:NAME$` or `$SECRET:NAME$`.
fn variable(text: &str) -> Option<(&str, &str)> {
    let inner = text.strip_prefix('$')?.strip_suffix('$')?;
    let (kind, name) = inner.split_once(':')?;
    let valid = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    (matches!(kind, "ENV" | "SECRET") && valid).then_some((kind, name))
}

fn resolve_variables(
    value: &mut Value,
    path: &str,
    secrets: &Map<String, Value>,
    file: &Path,
) -> Result<(), ConfigError> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                resolve_variables(child, &join(key), secrets, file)?;
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                resolve_variables(child, &format!("{path}[{i}]"), secrets, file)?;
            }
        }
        Value::String(text) => {
            if let Some((kind, name)) = variable(text) {
                let resolved = match kind {
                    "ENV" => std::env::var(name).ok().map(Value::String),
                    _ => secrets.get(name).cloned(),
                };
                let Some(resolved) = resolved else {
                    let source = if kind == "ENV" {
                        format!("the environment variable {name} is not set")
                    } else {
                        format!("{SECRETS_FILE_NAME} has no key '{name}'")
                    };
                    return Err(ConfigError::Invalid {
                        path: file.to_owned(),
                        key: path.to_owned(),
                        problem: format!("names a value that cannot be found: {source}"),
                    });
                };
                *value = resolved;
            }
        }
        _ => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: Value) -> Result<ServerConfig, (String, String)> {
        ServerConfig::from_value(&v)
    }

    #[test]
    fn the_default_file_parses_to_the_defaults() {
        let value: Value = serde_json::from_str(DEFAULT_FILE).unwrap();
        let config = parse(value).unwrap();
        let auth = &config.authentication;
        assert!(!auth.enabled);
        assert_eq!(auth.session_lifetime, Duration::from_secs(300));
        assert_eq!(auth.refresh_time, Some(Duration::from_secs(60)));
        assert_eq!(auth.max_token_days, 365);
        assert_eq!(auth.super_user, None);
        assert_eq!(auth.throttle, Some(ThrottleConfig::default()));
        assert_eq!(config.worker_processes, None);
        assert_eq!(config.failure_zip_size, Some(52_428_800));
        // An empty object means every default too.
        assert!(!parse(json!({})).unwrap().authentication.enabled);
    }

    #[test]
    fn an_enabled_dictionary_turns_authentication_on() {
        let config = parse(json!({"authentication": {
            "enabled": true, "super_user": "root", "session_lifetime": 10, "refresh_time": 0,
            "method_dictionary": {"enabled": true, "auths": ["root:secret", "u:p:w"],
                                  "groups": {"u": ["g1", "g2"]}},
            "regex_groups": {"enabled": true, "groups": {"admins": ["^adm"]}},
            "login_throttle": {"enabled": false}
        }}))
        .unwrap();
        let auth = config.authentication;
        assert!(auth.enabled);
        assert_eq!(auth.super_user.as_deref(), Some("root"));
        assert_eq!(auth.refresh_time, None);
        assert_eq!(auth.throttle, None);
        let dict = auth.dictionary.unwrap();
        assert_eq!(dict.auths.len(), 2);
        assert_eq!(dict.groups["u"], vec!["g1".to_owned(), "g2".to_owned()]);
        assert_eq!(auth.regex_groups[0].0, "admins");
        // Enabled without a method: off, as CodeChecker does.
        let config = parse(json!({"authentication": {"enabled": true}})).unwrap();
        assert!(!config.authentication.enabled);
    }

    #[test]
    fn errors_name_the_key() {
        let cases = [
            (
                json!({"authentication": {"session_lifetime": "x"}}),
                "authentication.session_lifetime",
            ),
            (
                json!({"authentication": {"session_lifetime": 0}}),
                "authentication.session_lifetime",
            ),
            (
                json!({"authentication": {"enabled": "yes"}}),
                "authentication.enabled",
            ),
            (json!({"authentication": []}), "authentication"),
            (
                json!({"authentication": {"method_dictionary": {"enabled": true, "auths": ["nopass"]}}}),
                "authentication.method_dictionary.auths[0]",
            ),
            (
                json!({"authentication": {"method_dictionary": {"enabled": true, "auths": [1]}}}),
                "authentication.method_dictionary.auths[0]",
            ),
            (
                json!({"authentication": {"regex_groups": {"enabled": true, "groups": {"g": ["("]}}}}),
                "authentication.regex_groups.groups.g[0]",
            ),
            (
                json!({"authentication": {"login_throttle": {"max_failures_per_user": 0}}}),
                "authentication.login_throttle.max_failures_per_user",
            ),
            (json!({"worker_processes": "many"}), "worker_processes"),
            (
                json!({"store": {"limit": {"failure_zip_size": -1}}}),
                "store.limit.failure_zip_size",
            ),
            (json!([]), "(top level)"),
        ];
        for (value, key) in cases {
            let err = parse(value.clone()).expect_err(&value.to_string());
            assert_eq!(err.0, key, "{value}");
        }
    }

    #[test]
    fn negative_process_counts_leave_the_default() {
        let config =
            parse(json!({"worker_processes": 3, "background_worker_processes": -1})).unwrap();
        assert_eq!(
            (config.worker_processes, config.background_worker_processes),
            (Some(3), None)
        );
    }

    #[test]
    fn files_are_created_private_and_variables_resolved() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let config = ServerConfig::load_or_create(dir.path()).unwrap();
        assert!(!config.authentication.enabled);
        let path = dir.path().join(FILE_NAME);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);

        std::fs::write(
            &path,
            r#"{"authentication": {"enabled": true, "super_user": "$SECRET:admin$",
                "method_dictionary": {"enabled": true, "auths": ["$SECRET:cred$"]}}}"#,
        )
        .unwrap();
        let err = ServerConfig::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("'authentication.method_dictionary.auths[0]'")
                && err.contains("server_secrets.json has no key 'cred'"),
            "{err}"
        );
        std::fs::write(
            dir.path().join(SECRETS_FILE_NAME),
            r#"{"admin": "root", "cred": "root:pw"}"#,
        )
        .unwrap();
        let config = ServerConfig::load(&path).unwrap();
        assert_eq!(config.authentication.super_user.as_deref(), Some("root"));
        assert_eq!(
            config.authentication.dictionary.unwrap().auths,
            vec!["root:pw"]
        );

        std::fs::write(&path, "{ not json").unwrap();
        let err = ServerConfig::load(&path).unwrap_err().to_string();
        assert!(err.contains("not valid JSON"), "{err}");
    }
}
