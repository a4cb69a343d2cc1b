//! `--config FILE`: the `store` options of a CodeChecker configuration file
//! (JSON, or YAML for `.yaml`/`.yml`), with environment variables expanded.
//! Options from the file override those on the command line.

use std::path::Path;

use clap::parser::ValueSource;
use clap::{Args, FromArgMatches};

use super::StoreError;
use crate::cli::StoreArgs;

/// `$NAME` and `${NAME}` replaced by the environment's value; unknown
/// variables stay as written (like Python's `os.path.expandvars`).
pub fn expand_vars(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(pos) = rest.find('$') {
        out.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        let (name, consumed) = if let Some(inner) = after.strip_prefix('{') {
            match inner.find('}') {
                Some(end) => (&inner[..end], end + 2),
                None => ("", 0),
            }
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        match std::env::var(name).ok().filter(|_| !name.is_empty()) {
            Some(value) => {
                out.push_str(&value);
                rest = &after[consumed..];
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `store` section of a configuration file.
pub fn store_options(path: &Path) -> Result<Vec<String>, StoreError> {
    if !path.exists() {
        return Err(StoreError::Input(format!(
            "Configuration file '{}' does not exist.",
            path.display()
        )));
    }
    let text = std::fs::read_to_string(path)
        .map_err(|e| StoreError::Input(format!("Cannot read '{}': {e}", path.display())))?;
    let name = path.to_string_lossy();
    let options: Vec<String> = if name.ends_with(".yaml") || name.ends_with(".yml") {
        let docs = yaml_rust2::YamlLoader::load_from_str(&text)
            .map_err(|e| StoreError::Input(format!("Invalid configuration file '{name}': {e}")))?;
        docs.first()
            .and_then(|d| d["store"].as_vec().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|v| match v {
                yaml_rust2::Yaml::String(s) | yaml_rust2::Yaml::Real(s) => Some(s.clone()),
                yaml_rust2::Yaml::Integer(i) => Some(i.to_string()),
                yaml_rust2::Yaml::Boolean(b) => Some(b.to_string()),
                _ => None,
            })
            .collect()
    } else {
        let value: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| StoreError::Input(format!("Invalid configuration file '{name}': {e}")))?;
        value
            .get("store")
            .and_then(|s| s.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    Ok(options.iter().map(|o| expand_vars(o)).collect())
}

/// `args` with every option the file's `store` section sets replaced.
pub fn apply(args: &StoreArgs, path: &Path) -> Result<StoreArgs, StoreError> {
    let options = store_options(path)?;
    if options.is_empty() {
        return Ok(args.clone());
    }
    tracing::info!(
        "Extending command line options with store options from '{}' file: {}",
        path.display(),
        options.join(" ")
    );
    let command = StoreArgs::augment_args(clap::Command::new("store").no_binary_name(true));
    let matches = command
        .try_get_matches_from(&options)
        .map_err(|e| StoreError::Input(format!("Invalid options in '{}': {e}", path.display())))?;
    let parsed = StoreArgs::from_arg_matches(&matches)
        .map_err(|e| StoreError::Input(format!("Invalid options in '{}': {e}", path.display())))?;
    let given = |id: &str| matches.value_source(id) == Some(ValueSource::CommandLine);
    let mut out = args.clone();
    macro_rules! take {
        ($($field:ident),*) => { $(if given(stringify!($field)) { out.$field = parsed.$field.clone(); })* };
    }
    take!(
        input,
        input_format,
        name,
        tag,
        description,
        trim_path_prefix,
        jobs,
        zip_loc,
        detach,
        force,
        product_url
    );
    if given("verbose") {
        out.verbose = parsed.verbose.clone();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_known_variables_only() {
        std::env::set_var("CC_CLIENT_TEST_VAR", "v");
        assert_eq!(
            expand_vars("a/$CC_CLIENT_TEST_VAR/${CC_CLIENT_TEST_VAR}x"),
            "a/v/vx"
        );
        assert_eq!(
            expand_vars("$CC_CLIENT_SURELY_UNSET_1 $"),
            "$CC_CLIENT_SURELY_UNSET_1 $"
        );
    }

    #[test]
    fn file_options_override() {
        let dir = tempfile::tempdir().expect("tmp");
        let cfg = dir.path().join("cfg.json");
        std::fs::write(
            &cfg,
            r#"{"store": ["--name", "from-config", "--force", "--url", "h:1/P"]}"#,
        )
        .expect("write");
        let args = StoreArgs {
            input: vec!["in".into()],
            input_format: "plist".into(),
            name: Some("cli".into()),
            tag: Some("t".into()),
            description: None,
            trim_path_prefix: None,
            jobs: None,
            zip_loc: None,
            detach: false,
            config_file: Some(cfg.clone()),
            force: false,
            keep_for: None,
            product_url: "localhost:8001/Default".into(),
            verbose: crate::cli::VerboseArg { verbose: None },
        };
        let merged = apply(&args, &cfg).expect("applies");
        assert_eq!(merged.name.as_deref(), Some("from-config"));
        assert!(merged.force);
        assert_eq!(merged.product_url, "h:1/P");
        assert_eq!(merged.tag.as_deref(), Some("t"));
        assert_eq!(merged.input, vec![std::path::PathBuf::from("in")]);
    }
}
