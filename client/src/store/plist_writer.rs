//! Writes reports back into a plist the way CodeChecker's client does before
//! uploading them (its report converter plus Python's `plistlib`: sorted
//! keys, tab indentation, absolute file paths, control edges rebuilt from
//! the bug path). The server parses this file, not the analyzer's.

use std::collections::HashMap;
use std::fmt::Write as _;

use ccreport::{BugPathEvent, MacroExpansion, Range, Report};

/// The tool named in `metadata.generated_by`.
pub const GENERATOR_NAME: &str = "CodeChecker";

/// One plist of one analyzer's reports: header, files, footer, and the
/// diagnostics rendered one by one (so callers can render in parallel).
pub struct PlistDocument {
    files: Vec<String>,
    index: HashMap<String, usize>,
    analyzer: String,
    version: String,
}

fn escape_into(out: &mut String, text: &str) {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // plistlib refuses these; they cannot appear in XML 1.0.
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
}

struct Xml {
    out: String,
}

impl Xml {
    fn indent(&mut self, level: usize) {
        self.out.extend(std::iter::repeat_n('\t', level));
    }

    fn key(&mut self, level: usize, key: &str) {
        self.indent(level);
        self.out.push_str("<key>");
        escape_into(&mut self.out, key);
        self.out.push_str("</key>\n");
    }

    fn string(&mut self, level: usize, value: &str) {
        self.indent(level);
        self.out.push_str("<string>");
        escape_into(&mut self.out, value);
        self.out.push_str("</string>\n");
    }

    fn integer(&mut self, level: usize, value: i64) {
        self.indent(level);
        let _ = writeln!(self.out, "<integer>{value}</integer>");
    }

    fn open(&mut self, level: usize, tag: &str) {
        self.indent(level);
        let _ = writeln!(self.out, "<{tag}>");
    }

    fn close(&mut self, level: usize, tag: &str) {
        self.indent(level);
        let _ = writeln!(self.out, "</{tag}>");
    }

    fn location(&mut self, level: usize, line: i64, col: i64, file: usize) {
        self.open(level, "dict");
        self.key(level + 1, "col");
        self.integer(level + 1, col);
        self.key(level + 1, "file");
        self.integer(level + 1, file as i64);
        self.key(level + 1, "line");
        self.integer(level + 1, line);
        self.close(level, "dict");
    }

    fn range(&mut self, level: usize, r: &Range, file: usize) {
        self.open(level, "array");
        self.location(level + 1, r.start_line, r.start_col, file);
        self.location(level + 1, r.end_line, r.end_col, file);
        self.close(level, "array");
    }
}

fn event_range(e: &BugPathEvent) -> Range {
    e.range.unwrap_or(Range {
        start_line: e.line,
        start_col: e.column,
        end_line: e.line,
        end_col: e.column,
    })
}

impl PlistDocument {
    /// A document for `reports` of `analyzer` (`unknown` when unnamed);
    /// `version` goes into `metadata.generated_by`.
    pub fn new<'a>(
        reports: impl IntoIterator<Item = &'a Report>,
        analyzer: &str,
        version: &str,
    ) -> Self {
        let mut files: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in reports {
            for f in r.original_files() {
                if seen.insert(f.to_owned()) {
                    files.push(f.to_owned());
                }
            }
        }
        files.sort();
        let index = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.clone(), i))
            .collect();
        PlistDocument {
            files,
            index,
            analyzer: analyzer.to_owned(),
            version: version.to_owned(),
        }
    }

    fn idx(&self, path: &str) -> usize {
        self.index.get(path).copied().unwrap_or(0)
    }

    /// Everything before the first diagnostic.
    pub fn header(&self) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <plist version=\"1.0\">\n<dict>\n\t<key>diagnostics</key>\n\t<array>\n"
            .to_owned()
    }

    /// Everything after the last diagnostic.
    pub fn footer(&self) -> String {
        let mut x = Xml { out: String::new() };
        x.close(1, "array");
        x.key(1, "files");
        if self.files.is_empty() {
            x.out.push_str("\t<array/>\n");
        } else {
            x.open(1, "array");
            for f in &self.files {
                x.string(2, f);
            }
            x.close(1, "array");
        }
        x.key(1, "metadata");
        x.open(1, "dict");
        x.key(2, "analyzer");
        x.open(2, "dict");
        x.key(3, "name");
        x.string(3, &self.analyzer);
        x.close(2, "dict");
        x.key(2, "generated_by");
        x.open(2, "dict");
        x.key(3, "name");
        x.string(3, GENERATOR_NAME);
        x.key(3, "version");
        x.string(3, &self.version);
        x.close(2, "dict");
        x.close(1, "dict");
        x.out.push_str("</dict>\n</plist>\n");
        x.out
    }

    fn control(&self, x: &mut Xml, l: usize, start: (&Range, &str), end: (&Range, &str)) {
        x.open(l, "dict");
        x.key(l + 1, "edges");
        x.open(l + 1, "array");
        x.open(l + 2, "dict");
        x.key(l + 3, "end");
        x.range(l + 3, end.0, self.idx(end.1));
        x.key(l + 3, "start");
        x.range(l + 3, start.0, self.idx(start.1));
        x.close(l + 2, "dict");
        x.close(l + 1, "array");
        x.key(l + 1, "kind");
        x.string(l + 1, "control");
        x.close(l, "dict");
    }

    fn event(&self, x: &mut Xml, l: usize, e: &BugPathEvent) {
        let file = self.idx(&e.file.original_path);
        x.open(l, "dict");
        x.key(l + 1, "depth");
        x.integer(l + 1, 0);
        x.key(l + 1, "kind");
        x.string(l + 1, "event");
        x.key(l + 1, "location");
        x.location(l + 1, e.line, e.column, file);
        x.key(l + 1, "message");
        x.string(l + 1, &e.message);
        if let Some(r) = &e.range {
            x.key(l + 1, "ranges");
            x.open(l + 1, "array");
            x.range(l + 2, r, file);
            x.close(l + 1, "array");
        }
        x.close(l, "dict");
    }

    fn note(&self, x: &mut Xml, l: usize, n: &BugPathEvent) {
        let file = self.idx(&n.file.original_path);
        x.open(l, "dict");
        x.key(l + 1, "location");
        x.location(l + 1, n.line, n.column, file);
        x.key(l + 1, "message");
        x.string(l + 1, &n.message);
        if let Some(r) = &n.range {
            x.key(l + 1, "ranges");
            x.open(l + 1, "array");
            x.range(l + 2, r, file);
            x.close(l + 1, "array");
        }
        x.close(l, "dict");
    }

    fn macro_expansion(&self, x: &mut Xml, l: usize, m: &MacroExpansion) {
        x.open(l, "dict");
        x.key(l + 1, "expansion");
        x.string(l + 1, &m.message);
        x.key(l + 1, "location");
        x.location(l + 1, m.line, m.column, self.idx(&m.file.original_path));
        x.key(l + 1, "name");
        x.string(l + 1, &m.name);
        x.close(l, "dict");
    }

    /// One diagnostic (a `<dict>` inside `diagnostics`).
    pub fn diagnostic(&self, r: &Report) -> String {
        let mut x = Xml {
            out: String::with_capacity(1024 + 600 * r.bug_path_events.len()),
        };
        x.open(2, "dict");
        x.key(3, "category");
        x.string(
            3,
            r.category
                .as_deref()
                .filter(|c| !c.is_empty())
                .unwrap_or("unknown"),
        );
        x.key(3, "check_name");
        x.string(3, &r.checker_name);
        x.key(3, "description");
        x.string(3, &r.message);
        x.key(3, "issue_hash_content_of_line_in_context");
        x.string(3, r.report_hash.as_deref().unwrap_or(""));
        x.key(3, "location");
        x.location(3, r.line, r.column, self.idx(&r.file.original_path));
        if !r.macro_expansions.is_empty() {
            x.key(3, "macro_expansions");
            x.open(3, "array");
            for m in &r.macro_expansions {
                self.macro_expansion(&mut x, 4, m);
            }
            x.close(3, "array");
        }
        if !r.notes.is_empty() {
            x.key(3, "notes");
            x.open(3, "array");
            for n in &r.notes {
                self.note(&mut x, 4, n);
            }
            x.close(3, "array");
        }
        x.key(3, "path");
        let mut path = Xml { out: String::new() };
        const ITEM: usize = 4;
        if !r.bug_path_positions.is_empty() {
            for pair in r.bug_path_positions.windows(2) {
                if let (Some(a), Some(b)) = (&pair[0].range, &pair[1].range) {
                    self.control(
                        &mut path,
                        ITEM,
                        (a, &pair[0].file.original_path),
                        (b, &pair[1].file.original_path),
                    );
                }
            }
        } else if r.bug_path_events.len() > 1 {
            for pair in r.bug_path_events.windows(2) {
                let (a, b) = (event_range(&pair[0]), event_range(&pair[1]));
                if a != b {
                    self.control(
                        &mut path,
                        ITEM,
                        (&a, &pair[0].file.original_path),
                        (&b, &pair[1].file.original_path),
                    );
                }
            }
        }
        for e in &r.bug_path_events {
            self.event(&mut path, ITEM, e);
        }
        if path.out.is_empty() {
            x.indent(3);
            x.out.push_str("<array/>\n");
        } else {
            x.open(3, "array");
            x.out.push_str(&path.out);
            x.close(3, "array");
        }
        if let Some(annotations) = r.annotations.as_ref().filter(|a| !a.is_empty()) {
            // Later duplicates win, as in a Python dict.
            let sorted: std::collections::BTreeMap<&str, &str> = annotations
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            x.key(3, "report-annotation");
            x.open(3, "dict");
            for (k, v) in sorted {
                x.key(4, k);
                x.string(4, v);
            }
            x.close(3, "dict");
        }
        if let Some(analyzer) = r.analyzer_name.as_deref().filter(|a| !a.is_empty()) {
            x.key(3, "type");
            x.string(3, analyzer);
        }
        x.close(2, "dict");
        x.out
    }
}
