//! Property-list tree → [`Report`]s, following CodeChecker's plist parser
//! field by field, including which malformed parts are skipped and which
//! end the file.

use std::sync::Arc;

use super::value::{Dict, Value};
use super::{ParseError, PartialParse};
use crate::model::{BugPathEvent, BugPathPosition, File, FileRef, MacroExpansion, Range, Report};
use crate::python_text::{dirname, join, normpath};
use crate::review::SourceReviewStatus;

/// Checker name CodeChecker uses when a diagnostic has none.
const UNKNOWN_CHECKER: &str = "NOT FOUND";

/// Why reading a diagnostic failed. CodeChecker skips a control item on an
/// `IndexError` and abandons the file on anything else.
#[derive(Debug)]
enum Fault {
    Index(String),
    Other(String),
}

impl Fault {
    fn message(self) -> String {
        match self {
            Fault::Index(m) | Fault::Other(m) => m,
        }
    }
}

type Res<T> = Result<T, Fault>;

fn type_name(v: &Value<'_>) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Integer(_) => "integer",
        Value::Real(_) => "real",
        Value::Bool(_) => "bool",
        Value::Date(_) => "date",
        Value::Data(_) => "data",
        Value::Array(_) => "array",
        Value::Dict(_) => "dict",
    }
}

/// `v[key]`.
fn key<'v, 'a>(v: &'v Value<'a>, name: &str) -> Res<&'v Value<'a>> {
    match v {
        Value::Dict(d) => d
            .get(name)
            .ok_or_else(|| Fault::Other(format!("missing key '{name}'"))),
        other => Err(Fault::Other(format!(
            "expected a dict holding '{name}', found {}",
            type_name(other)
        ))),
    }
}

/// `v[i]`.
fn index<'v, 'a>(v: &'v Value<'a>, i: usize) -> Res<&'v Value<'a>> {
    match v {
        Value::Array(a) => a
            .get(i)
            .ok_or_else(|| Fault::Index(format!("list index {i} out of range"))),
        Value::String(s) if s.chars().count() <= i => {
            Err(Fault::Index(format!("string index {i} out of range")))
        }
        other => Err(Fault::Other(format!(
            "expected a list, found {}",
            type_name(other)
        ))),
    }
}

/// `v.get(name)` on something that must be a dict.
fn get<'v, 'a>(v: &'v Value<'a>, name: &str) -> Res<Option<&'v Value<'a>>> {
    match v {
        Value::Dict(d) => Ok(d.get(name)),
        other => Err(Fault::Other(format!(
            "expected a dict, found {}",
            type_name(other)
        ))),
    }
}

/// Items of something iterated with `for x in v`.
fn items<'v, 'a>(v: Option<&'v Value<'a>>, what: &str) -> Res<&'v [Value<'a>]> {
    match v {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(Value::String(s) | Value::Data(s)) if s.is_empty() => Ok(&[]),
        Some(Value::Dict(d)) if d.is_empty() => Ok(&[]),
        Some(other) => Err(Fault::Other(format!(
            "'{what}' must be a list, found {}",
            type_name(other)
        ))),
    }
}

fn int(v: &Value<'_>, what: &str) -> Res<i64> {
    match v {
        Value::Integer(i) => Ok(*i),
        Value::Bool(b) => Ok(i64::from(*b)),
        other => Err(Fault::Other(format!(
            "'{what}' must be an integer, found {}",
            type_name(other)
        ))),
    }
}

fn string(v: &Value<'_>, what: &str) -> Res<String> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        other => Err(Fault::Other(format!(
            "'{what}' must be a string, found {}",
            type_name(other)
        ))),
    }
}

/// Python's `repr(float)`.
fn py_float(f: f64) -> String {
    if f.is_nan() {
        return "nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (head, tail) = digits.split_at(1.min(digits.len()));
        let frac = if tail.is_empty() {
            String::new()
        } else {
            format!(".{tail}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{head}{frac}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{}", "0".repeat(point.unsigned_abs() as usize), digits)
    } else {
        let point = point as usize;
        if digits.len() <= point {
            format!("{}{}.0", digits, "0".repeat(point - digits.len()))
        } else {
            let (a, b) = digits.split_at(point);
            format!("{a}.{b}")
        }
    };
    format!("{sign}{body}")
}

/// An annotation value as Python's `str()` renders it.
fn annotation_text(v: &Value<'_>, key: &str) -> Res<String> {
    match v {
        Value::String(s) => Ok(s.to_string()),
        Value::Integer(i) => Ok(i.to_string()),
        Value::Bool(true) => Ok("True".into()),
        Value::Bool(false) => Ok("False".into()),
        Value::Real(r) => Ok(py_float(*r)),
        other => Err(Fault::Other(format!(
            "report annotation '{key}' has an unsupported {} value",
            type_name(other)
        ))),
    }
}

/// Per-file context shared by its diagnostics.
struct Ctx<'p> {
    files: Vec<FileRef>,
    plist_path: &'p Arc<str>,
}

impl Ctx<'_> {
    /// `files[location['file']]` (Python dict lookup by integer).
    fn file(&self, v: &Value<'_>) -> Res<FileRef> {
        let idx = match v {
            Value::Integer(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            Value::Real(r) if r.fract() == 0.0 => Some(*r as i64),
            _ => None,
        };
        idx.and_then(|i| usize::try_from(i).ok())
            .and_then(|i| self.files.get(i))
            .cloned()
            .ok_or_else(|| Fault::Other(format!("unknown file index {v:?}")))
    }

    /// `(location, start, end)` of an event, note or macro: the first range
    /// when `ranges` is set, else the location three times.
    fn event_locations<'v, 'a>(
        &self,
        item: &'v Value<'a>,
    ) -> Res<(&'v Value<'a>, &'v Value<'a>, &'v Value<'a>)> {
        let location = key(item, "location")?;
        match get(item, "ranges")? {
            Some(ranges) if ranges.truthy() => {
                let first = index(ranges, 0)?;
                Ok((location, index(first, 0)?, index(first, 1)?))
            }
            _ => Ok((location, location, location)),
        }
    }

    fn event(&self, item: &Value<'_>, message: String) -> Res<BugPathEvent> {
        let (location, start, end) = self.event_locations(item)?;
        Ok(BugPathEvent {
            message,
            file: self.file(key(location, "file")?)?,
            line: int(key(location, "line")?, "line")?,
            column: int(key(location, "col")?, "col")?,
            range: Some(range(start, end)?),
        })
    }

    fn bug_path_events(&self, path: &[Value<'_>]) -> Res<Vec<BugPathEvent>> {
        let mut events = Vec::new();
        for item in path {
            if !is_kind(item, "event")? {
                continue;
            }
            let message = string(key(item, "message")?, "message")?;
            events.push(self.event(item, message)?);
        }
        Ok(events)
    }

    fn position(&self, edge: &Value<'_>) -> Res<BugPathPosition> {
        let file = self.file(key(index(edge, 1)?, "file")?)?;
        let range = range(index(edge, 0)?, index(edge, 1)?)?;
        Ok(BugPathPosition {
            file,
            range: Some(range),
        })
    }

    /// Control edges A->B, B->C become positions A, B, C: an edge's start is
    /// skipped when it equals the previous edge's end. Items that run into
    /// an `IndexError` are skipped (after anything already added).
    fn bug_path_positions(&self, path: &[Value<'_>]) -> Res<Vec<BugPathPosition>> {
        let mut positions = Vec::new();
        let mut prev: Option<&Value<'_>> = None;
        for item in path {
            if !is_kind(item, "control")? {
                continue;
            }
            let step = (|| -> Res<()> {
                let edges = index(key(item, "edges")?, 0)?;
                let start = match prev {
                    Some(p) if same_control_item(item, p)? => None,
                    _ => Some(key(edges, "start")?),
                };
                if let Some(edge) = start.filter(|e| e.truthy()) {
                    positions.push(self.position(edge)?);
                }
                positions.push(self.position(key(edges, "end")?)?);
                Ok(())
            })();
            match step {
                Ok(()) => prev = Some(item),
                Err(Fault::Index(_)) => continue,
                Err(other) => return Err(other),
            }
        }
        Ok(positions)
    }

    fn notes(&self, diag: &Value<'_>) -> Res<Vec<BugPathEvent>> {
        let mut notes = Vec::new();
        for note in items(get(diag, "notes")?, "notes")? {
            let message = key(note, "message")?;
            if !message.truthy() {
                continue;
            }
            let message = string(message, "message")?;
            notes.push(self.event(note, message)?);
        }
        Ok(notes)
    }

    fn macro_expansions(&self, diag: &Value<'_>) -> Res<Vec<MacroExpansion>> {
        let mut macros = Vec::new();
        for item in items(get(diag, "macro_expansions")?, "macro_expansions")? {
            let expansion = key(item, "expansion")?;
            if !expansion.truthy() {
                continue;
            }
            let message = string(expansion, "expansion")?;
            let name = string(key(item, "name")?, "name")?;
            let event = self.event(item, message)?;
            macros.push(MacroExpansion {
                name,
                message: event.message,
                file: event.file,
                line: event.line,
                column: event.column,
                range: event.range,
            });
        }
        Ok(macros)
    }

    fn report(&self, diag: &Value<'_>, analyzer: &Result<Option<String>, String>) -> Res<Report> {
        let empty = Value::Dict(Dict::default());
        let location = get(diag, "location")?.unwrap_or(&empty);
        let checker_name = match get(diag, "check_name")? {
            Some(v) => string(v, "check_name")?,
            None => UNKNOWN_CHECKER.to_owned(),
        };
        let analyzer_name = match analyzer {
            Ok(Some(name)) => Some(name.clone()),
            Ok(None) if checker_name.starts_with("clang-diagnostic-") => {
                Some("clang-tidy".to_owned())
            }
            Ok(None) => None,
            Err(e) => return Err(Fault::Other(e.clone())),
        };
        let annotations = match get(diag, "report-annotation")? {
            None => None,
            Some(Value::Dict(d)) => Some(
                d.iter()
                    .map(|(k, v)| Ok((k.to_owned(), annotation_text(v, k)?)))
                    .collect::<Res<Vec<_>>>()?,
            ),
            Some(other) => {
                return Err(Fault::Other(format!(
                    "'report-annotation' must be a dict, found {}",
                    type_name(other)
                )))
            }
        };
        let file = self.file(key(location, "file")?)?;
        let line = get(location, "line")?.map_or(Ok(-1), |v| int(v, "line"))?;
        let column = get(location, "col")?.map_or(Ok(-1), |v| int(v, "col"))?;
        let message = match get(diag, "description")? {
            Some(v) => string(v, "description")?,
            None => String::new(),
        };
        let report_hash = get(diag, "issue_hash_content_of_line_in_context")?
            .map(|v| string(v, "issue_hash_content_of_line_in_context"))
            .transpose()?;
        let category = match get(diag, "category")? {
            Some(Value::String(s)) => Some(s.to_string()),
            _ => None,
        };
        let path = items(get(diag, "path")?, "path")?;
        Ok(Report {
            analyzer_result_file_path: Some(Arc::clone(self.plist_path)),
            file,
            line,
            column,
            message,
            checker_name,
            severity: None,
            report_hash,
            analyzer_name,
            category,
            report_type: None,
            bug_path_events: self.bug_path_events(path)?,
            bug_path_positions: self.bug_path_positions(path)?,
            notes: self.notes(diag)?,
            macro_expansions: self.macro_expansions(diag)?,
            annotations,
            review_status: SourceReviewStatus::default(),
        })
    }
}

/// `item.get('kind') == kind`.
fn is_kind(item: &Value<'_>, kind: &str) -> Res<bool> {
    Ok(matches!(get(item, "kind")?, Some(Value::String(k)) if k == kind))
}

fn range(start: &Value<'_>, end: &Value<'_>) -> Res<Range> {
    Ok(Range {
        start_line: int(key(start, "line")?, "line")?,
        start_col: int(key(start, "col")?, "col")?,
        end_line: int(key(end, "line")?, "line")?,
        end_col: int(key(end, "col")?, "col")?,
    })
}

/// Whether `curr` starts where `prev` ended.
fn same_control_item(curr: &Value<'_>, prev: &Value<'_>) -> Res<bool> {
    let curr_start = key(index(key(curr, "edges")?, 0)?, "start")?;
    let a = index(curr_start, 0)?;
    let b = index(curr_start, 1)?;
    let prev_end = key(index(key(prev, "edges")?, 0)?, "end")?;
    let c = index(prev_end, 0)?;
    let d = index(prev_end, 1)?;
    Ok(a == c && b == d)
}

/// The plist's `metadata.analyzer.name`, if set.
fn metadata_analyzer(root: &Value<'_>) -> Result<Option<String>, String> {
    metadata_analyzer_inner(root).map_err(|f| format!("metadata: {}", f.message()))
}

fn metadata_analyzer_inner(root: &Value<'_>) -> Res<Option<String>> {
    let Some(metadata) = get(root, "metadata")? else {
        return Ok(None);
    };
    if !metadata.truthy() {
        return Ok(None);
    }
    let Some(analyzer) = get(metadata, "analyzer")? else {
        return Ok(None);
    };
    match get(analyzer, "name")? {
        Some(name) if name.truthy() => Ok(Some(string(name, "name")?)),
        _ => Ok(None),
    }
}

/// The `files` table with paths resolved against the plist's directory.
fn file_table(root: &Value<'_>, plist_path: &str) -> Result<Vec<FileRef>, String> {
    let dir = dirname(plist_path);
    let resolve = |p: &str| -> FileRef { Arc::new(File::new(normpath(&join(dir, p)))) };
    match get(root, "files").map_err(Fault::message)? {
        None => Ok(Vec::new()),
        Some(Value::Array(entries)) => entries
            .iter()
            .map(|e| match e {
                Value::String(s) => Ok(resolve(s)),
                other => Err(format!(
                    "'files' entries must be strings, found {}",
                    type_name(other)
                )),
            })
            .collect(),
        // Iterating a dict yields its keys.
        Some(Value::Dict(d)) => Ok(d.iter().map(|(k, _)| resolve(k)).collect()),
        Some(other) if !other.truthy() => Ok(Vec::new()),
        Some(other) => Err(format!(
            "'files' must be a list, found {}",
            type_name(other)
        )),
    }
}

/// What every diagnostic of one plist is converted with: its file table
/// and its analyzer.
pub(super) struct Prepared<'p> {
    ctx: Ctx<'p>,
    analyzer: Result<Option<String>, String>,
}

impl Prepared<'_> {
    /// Converts diagnostic `index` (0-based, for the error) of the plist.
    pub(super) fn report(&self, index: usize, diag: &Value<'_>) -> Result<Report, ParseError> {
        self.ctx
            .report(diag, &self.analyzer)
            .map_err(|f| ParseError::Diagnostic {
                path: self.ctx.plist_path.to_string(),
                index,
                message: f.message(),
            })
    }
}

/// The parts of a parsed plist that its reports come from: the converter
/// and the `diagnostics` list; `Err` is the answer for a plist without
/// reports (`PartialParse` with or without an error).
pub(super) fn prepare<'v, 'a, 'p>(
    root: Option<&'v Value<'a>>,
    plist_path: &'p Arc<str>,
) -> Result<(Prepared<'p>, &'v [Value<'a>]), PartialParse> {
    let structure = |message: String| PartialParse {
        reports: Vec::new(),
        error: Some(ParseError::Structure {
            path: plist_path.to_string(),
            message,
        }),
    };
    let root = match root {
        Some(r) if r.truthy() => r,
        _ => {
            return Err(PartialParse {
                reports: Vec::new(),
                error: None,
            })
        }
    };
    if !matches!(root, Value::Dict(_)) {
        return Err(structure(format!(
            "root must be a dict, found {}",
            type_name(root)
        )));
    }
    let files = file_table(root, plist_path).map_err(structure)?;
    let diagnostics = get(root, "diagnostics")
        .and_then(|d| items(d, "diagnostics"))
        .map_err(|f| structure(f.message()))?;
    let analyzer = metadata_analyzer(root);
    let ctx = Ctx { files, plist_path };
    Ok((Prepared { ctx, analyzer }, diagnostics))
}

/// Builds the reports of one parsed plist.
pub(super) fn reports_from_root(root: Option<&Value<'_>>, plist_path: &Arc<str>) -> PartialParse {
    let (prepared, diagnostics) = match prepare(root, plist_path) {
        Ok(p) => p,
        Err(answer) => return answer,
    };
    let mut reports = Vec::with_capacity(diagnostics.len());
    for (i, diag) in diagnostics.iter().enumerate() {
        match prepared.report(i, diag) {
            Ok(r) => reports.push(r),
            Err(error) => {
                return PartialParse {
                    reports,
                    error: Some(error),
                }
            }
        }
    }
    PartialParse {
        reports,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::py_float;

    #[test]
    fn floats_like_python() {
        assert_eq!(py_float(1.0), "1.0");
        assert_eq!(py_float(0.5), "0.5");
        assert_eq!(py_float(-2.25), "-2.25");
        assert_eq!(py_float(1e16), "1e+16");
        assert_eq!(py_float(1.5e-5), "1.5e-05");
        assert_eq!(py_float(0.0001), "0.0001");
        assert_eq!(py_float(123456.789), "123456.789");
    }
}
