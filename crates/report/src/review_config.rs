//! `review_status.yaml`: review statuses by file path, checker and bug
//! hash.
//!
//! ```yaml
//! $version: 1
//! rules:
//!   - filters:
//!       filepath: /src/generated/*
//!       checker_name: core.DivideZero
//!       report_hash: 3fd3e8      # prefix of the bug hash
//!     actions:
//!       review_status: intentional   # false_positive|suppress|confirmed|intentional
//!       reason: generated code
//! ```

use regex::Regex;

use crate::glob::full_match_regex;
use crate::review::{ReviewStatus, SourceReviewStatus};
use crate::yaml::{load, Node};

/// Filter keys CodeChecker allows.
const FILTERS: [&str; 3] = ["filepath", "checker_name", "report_hash"];
/// Action keys CodeChecker allows.
const ACTIONS: [&str; 2] = ["review_status", "reason"];
/// Statuses a rule may set.
const STATUSES: [&str; 4] = ["false_positive", "suppress", "confirmed", "intentional"];

/// A rejected `review_status.yaml`; the text follows CodeChecker's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ReviewConfigError(pub String);

/// One rule.
#[derive(Debug, Clone)]
pub struct ReviewRule {
    /// Shell pattern the report's original file path must match fully.
    pub filepath: Option<String>,
    filepath_regex: Option<Regex>,
    /// Checker name that must equal the report's.
    pub checker_name: Option<String>,
    /// Prefix the report's bug hash must start with (a report without a
    /// hash passes).
    pub report_hash: Option<String>,
    /// The status to set (`suppress` already mapped to false positive).
    pub review_status: ReviewStatus,
    /// The `reason`, if any.
    pub reason: Option<String>,
}

impl ReviewRule {
    /// Whether the rule's filters accept the report.
    pub fn matches(&self, original_path: &str, checker: &str, report_hash: Option<&str>) -> bool {
        if let Some(re) = &self.filepath_regex {
            if !re.is_match(original_path) {
                return false;
            }
        }
        if let Some(name) = &self.checker_name {
            if name != checker {
                return false;
            }
        }
        if let (Some(prefix), Some(hash)) = (&self.report_hash, report_hash) {
            if !hash.is_empty() && !hash.starts_with(prefix.as_str()) {
                return false;
            }
        }
        true
    }

    fn has_filter(&self) -> bool {
        self.filepath.is_some() || self.checker_name.is_some() || self.report_hash.is_some()
    }
}

/// A parsed, validated `review_status.yaml`.
#[derive(Debug, Clone, Default)]
pub struct ReviewStatusConfig {
    /// The rules in file order.
    pub rules: Vec<ReviewRule>,
}

fn string_field(node: &Node, what: &str, path: &str) -> Result<String, ReviewConfigError> {
    match node {
        Node::Str(s) => Ok(s.clone()),
        other => Err(ReviewConfigError(format!(
            "Format error in {path}: '{what}' must be a string, found {}",
            other.describe()
        ))),
    }
}

fn keys(node: &Node) -> Vec<&Node> {
    match node {
        Node::Map(entries) => entries.iter().map(|(k, _)| k).collect(),
        _ => Vec::new(),
    }
}

fn parse_rule(rule: &Node, path: &str) -> Result<ReviewRule, ReviewConfigError> {
    let (Some(filters), Some(actions)) = (rule.get("filters"), rule.get("actions")) else {
        return Err(ReviewConfigError(format!(
            "Format error in {path}. The following section should be an object with keys \
             'filters' and 'actions':\n{}",
            rule.describe()
        )));
    };
    if *filters == Node::Null {
        return Err(ReviewConfigError(format!(
            "Format error in {path}: 'filters' must have at least one element."
        )));
    }
    if *actions == Node::Null {
        return Err(ReviewConfigError(format!(
            "Format error in {path}: 'actions' must have at least one element."
        )));
    }
    for (node, allowed, kind) in [
        (filters, &FILTERS[..], "filter"),
        (actions, &ACTIONS[..], "action"),
    ] {
        if !matches!(node, Node::Map(_)) {
            return Err(ReviewConfigError(format!(
                "Format error in {path}: '{kind}s' must be a mapping, found {}",
                node.describe()
            )));
        }
        for k in keys(node) {
            let ok = matches!(k, Node::Str(s) if allowed.contains(&s.as_str()));
            if !ok {
                return Err(ReviewConfigError(format!(
                    "Format error in {path}: {kind} '{}' is not allowed. Available {kind}s are: {}",
                    k.describe(),
                    allowed.join(", ")
                )));
            }
        }
    }
    let Some(status) = actions.get("review_status") else {
        return Err(ReviewConfigError(format!(
            "Format error in {path}. 'review_status' is required in:\n{}.",
            rule.describe()
        )));
    };
    let review_status = match status {
        Node::Str(s) if STATUSES.contains(&s.as_str()) => ReviewStatus::parse(s),
        _ => None,
    }
    .ok_or_else(|| {
        ReviewConfigError(format!(
            "Invalid review status field: {} at {} in {path}. Available options are: {}.",
            status.describe(),
            rule.describe(),
            STATUSES.join(", ")
        ))
    })?;
    let field = |name: &str| -> Result<Option<String>, ReviewConfigError> {
        filters
            .get(name)
            .map(|n| string_field(n, name, path))
            .transpose()
    };
    let filepath = field("filepath")?;
    let filepath_regex = filepath
        .as_deref()
        .map(full_match_regex)
        .transpose()
        .map_err(|e| ReviewConfigError(format!("Format error in {path}: {e}")))?;
    Ok(ReviewRule {
        filepath,
        filepath_regex,
        checker_name: field("checker_name")?,
        report_hash: field("report_hash")?,
        review_status,
        reason: actions
            .get("reason")
            .map(|n| string_field(n, "reason", path))
            .transpose()?,
    })
}

impl ReviewStatusConfig {
    /// Parses and validates the file's text; `path` is used in messages.
    pub fn parse(text: &str, path: &str) -> Result<Self, ReviewConfigError> {
        let root = load(text)
            .map_err(|e| ReviewConfigError(format!("Invalid YAML format in {path}:\n{e}")))?;
        let Some(root @ Node::Map(_)) = root else {
            return Err(ReviewConfigError(format!(
                "{path} should represent a dictionary."
            )));
        };
        let Some(version) = root.get("$version") else {
            return Err(ReviewConfigError(format!(
                "{path} must contain the key '$version'. Hint: Currently the latest version of \
                 this is 1. Consider adding '$version: 1' to the top of the file."
            )));
        };
        match version {
            Node::Int(1) => {}
            Node::Int(v) => {
                return Err(ReviewConfigError(format!(
                    "{path}: unsupported '$version' {v}; the latest version is 1."
                )))
            }
            _ => {
                return Err(ReviewConfigError(format!(
                    "{path} should have an integer value for the key '$version'."
                )))
            }
        }
        let Some(Node::Seq(rules)) = root.get("rules") else {
            return Err(ReviewConfigError(format!(
                "{path} should contain the key 'rules' with a non-empty list of (filters, \
                 actions) pair."
            )));
        };
        let rules = rules
            .iter()
            .map(|r| parse_rule(r, path))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ReviewStatusConfig { rules })
    }

    /// Parses the raw bytes (UTF-8, invalid bytes dropped, as CodeChecker
    /// reads the file).
    pub fn parse_bytes(content: &[u8], path: &str) -> Result<Self, ReviewConfigError> {
        let text = crate::python_text::decode_utf8_ignore(content);
        Self::parse(&crate::python_text::universal_newlines(&text), path)
    }

    /// The first rule that matches the report and has at least one filter
    /// decides; `None` when no rule does.
    pub fn review_status(
        &self,
        original_path: &str,
        checker: &str,
        report_hash: Option<&str>,
    ) -> Option<SourceReviewStatus> {
        let rule = self
            .rules
            .iter()
            .find(|r| r.has_filter() && r.matches(original_path, checker, report_hash))?;
        Some(SourceReviewStatus {
            status: rule.review_status,
            message: rule.reason.clone().unwrap_or_default(),
            bug_hash: report_hash.unwrap_or_default().to_owned(),
            in_source: false,
        })
    }
}
