//! Coding guidelines (SEI CERT, CWE Top 25, ...) and their rules, as
//! CodeChecker ships them in `share/codechecker/config/guidelines`: built into
//! the binary as `server/labels/guidelines.json`, written by
//! `server/labels/generate_guidelines.py`. A rule's checkers are those
//! labelled `<guideline>:<rule id>` (see [`crate::labels`]).

use std::sync::OnceLock;

use serde::Deserialize;

/// The built-in table: CodeChecker's guideline files of the release it names.
const BUILTIN: &str = include_str!("../labels/guidelines.json");

/// One rule of a guideline.
#[derive(Debug, Clone, Deserialize)]
pub struct GuidelineRule {
    /// The rule's id as written in the guideline file (`arr30-c`, `cwe-20`).
    pub rule_id: String,
    /// Its title ("" when the file gives none).
    #[serde(default)]
    pub title: String,
    /// Where it is described ("" when the file gives none).
    #[serde(default)]
    pub rule_url: String,
    /// Its level ("" when the file gives none).
    #[serde(default)]
    pub level: String,
}

/// A guideline with its rules in file order.
#[derive(Debug, Clone, Deserialize)]
pub struct Guideline {
    /// Its name (`sei-cert-c`), the key of its checker labels.
    pub guideline: String,
    /// Its title.
    pub title: String,
    /// Its rules.
    pub rules: Vec<GuidelineRule>,
}

#[derive(Debug, Deserialize)]
struct Table {
    guidelines: Vec<Guideline>,
}

/// Every built-in guideline; empty if the embedded table cannot be read
/// (the unit test below keeps it readable).
pub fn builtin() -> &'static [Guideline] {
    static TABLE: OnceLock<Vec<Guideline>> = OnceLock::new();
    TABLE.get_or_init(|| match serde_json::from_str::<Table>(BUILTIN) {
        Ok(t) => t.guidelines,
        Err(err) => {
            tracing::error!(%err, "the built-in guideline table is unreadable");
            Vec::new()
        }
    })
}

/// The rules of guideline `name`, if it is known.
pub fn rules_of(name: &str) -> Option<&'static [GuidelineRule]> {
    builtin()
        .iter()
        .find(|g| g.guideline == name)
        .map(|g| g.rules.as_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_table_reads() {
        let rules = rules_of("sei-cert-c").expect("sei-cert-c is built in");
        assert!(rules.iter().any(|r| r.rule_id == "arr30-c"));
        assert!(builtin().len() >= 8);
        assert!(rules_of("no-such-guideline").is_none());
    }
}
