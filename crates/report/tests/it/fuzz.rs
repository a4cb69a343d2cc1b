//! Fuzz targets of the report-directory readers (see
//! `tests/fuzz/harness.rs`): plists (serial, and the parallel parser of large
//! files against the serial one), `metadata.json`, `review_status.yaml`,
//! `skip_file` and source review comments.

#[path = "../../../../tests/fuzz/harness.rs"]
mod harness;

use std::path::Path;

use ccreport::plist::parse_plist_in_pieces;
use ccreport::{
    has_review_comment, parse_plist_partial, Metadata, ReviewStatusConfig, SkipList, SourceFile,
    SourceReview,
};
use proptest::prelude::*;

fn pick(words: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(words)
}

const PLIST_DICT: &[&[u8]] = &[
    b"<dict>",
    b"</dict>",
    b"<array>",
    b"</array>",
    b"<key>",
    b"</key>",
    b"<string>",
    b"</string>",
    b"<integer>",
    b"</integer>",
    b"<true/>",
    b"<false/>",
    b"<real>1.5</real>",
    b"<key>diagnostics</key>",
    b"<key>files</key>",
    b"<key>location</key>",
    b"<key>file</key>",
    b"<key>line</key>",
    b"<key>path</key>",
    b"<key>notes</key>",
    b"<key>macro_expansions</key>",
    b"<!-- x -->",
    b"<![CDATA[<dict>]]>",
    b"&lt;",
    b"&#0;",
    b"&#x110000;",
    b"&bogus;",
    b"<?pi?>",
    b"<!DOCTYPE plist>",
    b"<dict/>",
    b"<array/>",
    b"<string/>",
    b"-1",
    b"99999999999999999999",
    b"ccrs-split-plist-diagnostics-5d1e7b",
    b"\xef\xbb\xbf",
    b"\xff",
    b" ",
    b"\n",
];

fn location() -> impl Strategy<Value = (u32, u32, usize)> {
    (0..2000u32, 0..200u32, 0..4usize)
}

fn loc_xml((line, col, file): (u32, u32, usize), files: usize) -> String {
    format!(
        "<dict><key>line</key><integer>{line}</integer><key>col</key><integer>{col}</integer>\
         <key>file</key><integer>{}</integer></dict>",
        file % files
    )
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        pick(&[
            "a",
            "<",
            ">",
            "&",
            "'",
            "\"",
            " ",
            "é",
            "\u{1F41B}",
            "\t",
            "x y",
        ]),
        0..8,
    )
    .prop_map(|w| {
        w.concat()
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    })
}

/// A well-formed report plist: diagnostics with events, notes and macro
/// expansions, comments between them, an optional declaration and DOCTYPE.
fn plists() -> BoxedStrategy<Vec<u8>> {
    let event = (location(), text(), any::<bool>());
    let diagnostic = (
        location(),
        pick(&[
            "core.DivideZero",
            "unix.Malloc",
            "clang-diagnostic-x",
            "a<b",
        ]),
        text(),
        prop::option::of("[0-9a-f]{1,8}"),
        prop::collection::vec(event, 0..3),
        any::<bool>(),
        pick(&["", "\n ", "<!-- between -->", "<!-- <dict> -->"]),
    );
    (
        1..4usize,
        prop::collection::vec(diagnostic, 0..6),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(files, diags, decl, tail_first)| {
            let mut d = String::new();
            for (loc, checker, desc, hash, events, notes, gap) in diags {
                d.push_str(gap);
                d.push_str("<dict><key>location</key>");
                d.push_str(&loc_xml(loc, files));
                d.push_str(&format!(
                    "<key>check_name</key><string>{}</string><key>description</key><string>{desc}</string>",
                    checker.replace('<', "&lt;")
                ));
                if let Some(h) = hash {
                    d.push_str(&format!(
                        "<key>issue_hash_content_of_line_in_context</key><string>{h}</string>"
                    ));
                }
                d.push_str("<key>path</key><array>");
                for (loc, msg, control) in &events {
                    if *control {
                        d.push_str(&format!(
                            "<dict><key>kind</key><string>control</string><key>edges</key><array><dict>\
                             <key>start</key><array>{0}{0}</array><key>end</key><array>{0}{0}</array>\
                             </dict></array></dict>",
                            loc_xml(*loc, files)
                        ));
                    } else {
                        d.push_str(&format!(
                            "<dict><key>kind</key><string>event</string><key>location</key>{}\
                             <key>message</key><string>{msg}</string></dict>",
                            loc_xml(*loc, files)
                        ));
                    }
                }
                d.push_str("</array>");
                if notes {
                    d.push_str(&format!(
                        "<key>notes</key><array><dict><key>location</key>{}<key>message</key>\
                         <string>note</string></dict></array><key>macro_expansions</key><array>\
                         <dict><key>location</key>{}<key>expansion</key><string>0</string>\
                         <key>name</key><string>ZERO</string></dict></array>",
                        loc_xml(loc, files),
                        loc_xml(loc, files)
                    ));
                }
                d.push_str("</dict>\n");
            }
            let file_list: String = (0..files)
                .map(|i| format!("<string>src/f{i}.c</string>"))
                .collect();
            let files_xml = format!("<key>files</key><array>{file_list}</array>");
            let diags_xml = format!("<key>diagnostics</key>\n<array>{d}</array>");
            let body = if tail_first {
                format!("{files_xml}{diags_xml}")
            } else {
                format!("{diags_xml}{files_xml}")
            };
            let head = if decl {
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \
                 \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
            } else {
                ""
            };
            format!(
                "{head}<plist version=\"1.0\"><dict>{body}<key>metadata</key><dict><key>analyzer</key>\
                 <dict><key>name</key><string>clangsa</string></dict></dict></dict></plist>\n"
            )
            .into_bytes()
        })
        .boxed()
}

/// The serial parser answers with reports or a typed error naming the
/// file; the parallel parser, with any piece size, gives the serial
/// parser's reports whenever it answers, and it answers for every
/// well-formed generated document.
#[test]
fn plist_serial_and_split() {
    let input = harness::inputs("plist", plists(), PLIST_DICT);
    let at = Path::new("/r/a.plist");
    harness::fuzz("plist", input, |input| {
        let (well_formed, bytes) = (input.well_formed, &input.bytes[..]);
        let piece = input.param % 400 + 1;
        let serial = parse_plist_partial(bytes, at);
        if let Some(e) = &serial.error {
            if e.path() != "/r/a.plist" || e.to_string().is_empty() {
                return Err(format!("error without the file: {e:?}"));
            }
        }
        match parse_plist_in_pieces(bytes, at, piece) {
            Some(reports) => {
                if let Some(e) = &serial.error {
                    return Err(format!("pieces gave reports, the serial parser {e}"));
                }
                if reports != serial.reports {
                    return Err(format!(
                        "pieces of {piece} bytes give {} reports, serially {}",
                        reports.len(),
                        serial.reports.len()
                    ));
                }
            }
            None if well_formed => {
                return Err(format!(
                    "a well-formed document was not parsed in pieces (serially: {:?})",
                    serial.error
                ))
            }
            None => {}
        }
        Ok(())
    });
}

const JSON_DICT: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"\"",
    b"null",
    b"true",
    b"1e999",
    b"-0",
    b"1.5",
    b"\"version\"",
    b"2",
    b"1",
    b"\"tools\"",
    b"\"analyzers\"",
    b"\"checkers\"",
    b"\"analyzer_statistics\"",
    b"\"result_source_files\"",
    b"\"name\"",
    b"\"timestamps\"",
    b"\"\\ud800\"",
    b"\"\\u0000\"",
    b"\xff",
    b"\"num_of_report_dir\"",
    b"\"skipped\"",
];

fn json_scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        any::<i32>().prop_map(|i| i.to_string()),
        Just("1.5e300".to_owned()),
        pick(&[
            "\"\"",
            "\"/src/a.c\"",
            "\"core.X\"",
            "\"6.29.1\"",
            "\"\\u00e9\""
        ])
        .prop_map(str::to_owned),
    ]
}

/// `metadata.json` documents, version 1 and 2, whose fields hold values of
/// the right type or not.
fn metadata_docs() -> BoxedStrategy<Vec<u8>> {
    let value = prop_oneof![
        3 => json_scalar(),
        1 => prop::collection::vec(json_scalar(), 0..3).prop_map(|v| format!("[{}]", v.join(","))),
        1 => prop::collection::vec((pick(&["core.X", "/r/a.plist", "b"]), json_scalar()), 0..3)
            .prop_map(|kv| {
                let items: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
                format!("{{{}}}", items.join(","))
            }),
    ];
    let keys = pick(&[
        "name",
        "command",
        "version",
        "working_directory",
        "output_path",
        "result_source_files",
        "analyzers",
        "checkers",
        "analyzer_statistics",
        "timestamps",
        "skipped",
        "action_num",
        "versions",
        "num_of_report_dir",
    ]);
    let object = prop::collection::vec((keys, value), 0..6)
        .prop_map(|kv| {
            let items: Vec<String> = kv.iter().map(|(k, v)| format!("\"{k}\":{v}")).collect();
            format!("{{{}}}", items.join(","))
        })
        .boxed();
    (
        any::<bool>(),
        prop::collection::vec(object.clone(), 0..3),
        object,
    )
        .prop_map(|(v2, tools, v1)| {
            if v2 {
                format!("{{\"version\": 2, \"tools\": [{}]}}", tools.join(", ")).into_bytes()
            } else {
                v1.into_bytes()
            }
        })
        .boxed()
}

#[test]
fn metadata_json() {
    let input = harness::inputs("metadata_json", metadata_docs(), JSON_DICT);
    harness::fuzz("metadata_json", input, |input| {
        let bytes = &input.bytes[..];
        match Metadata::parse(bytes) {
            Ok(m) => {
                let _ = m.info();
                let _ = m.run_name();
            }
            Err(e) => {
                if e.to_string().is_empty() {
                    return Err("an error without a message".into());
                }
            }
        }
        Ok(())
    });
}

const YAML_DICT: &[&[u8]] = &[
    b"$version: 1\n",
    b"rules:\n",
    b"  - filters:\n",
    b"      filepath: ",
    b"      checker_name: ",
    b"      report_hash: ",
    b"    actions:\n",
    b"      review_status: ",
    b"      reason: ",
    b"false_positive",
    b"intentional",
    b"confirmed",
    b"suppress",
    b"&a ",
    b"*a",
    b"[",
    b"]",
    b"{",
    b"}",
    b"- ",
    b": ",
    b"\n",
    b"\t",
    b"'",
    b"\"",
    b"|\n",
    b">\n",
    b"!!binary ",
    b"? ",
    b"---\n",
    b"...\n",
    b"%YAML 1.2\n",
    b"~",
    b"\xff",
];

/// `review_status.yaml` files: rules with every filter and action, values
/// of the right kind or not.
fn review_yamls() -> BoxedStrategy<Vec<u8>> {
    let filter = (
        pick(&["filepath", "checker_name", "report_hash", "unknown"]),
        pick(&[
            "/src/*.c", "core.*", "[a, b]", "0123abcd", "''", "\"*\"", "[]", "{}", "?",
        ]),
    );
    let action = (
        pick(&["review_status", "reason", "unknown"]),
        pick(&[
            "false_positive",
            "intentional",
            "confirmed",
            "suppress",
            "wrong",
            "'a: b'",
            "[]",
        ]),
    );
    let rule = (
        prop::collection::vec(filter, 0..3),
        prop::collection::vec(action, 0..3),
    );
    (any::<bool>(), prop::collection::vec(rule, 0..4))
        .prop_map(|(version, rules)| {
            let mut y = String::new();
            if version {
                y.push_str("$version: 1\n");
            }
            y.push_str("rules:\n");
            for (filters, actions) in rules {
                y.push_str("  - filters:\n");
                for (k, v) in filters {
                    y.push_str(&format!("      {k}: {v}\n"));
                }
                y.push_str("    actions:\n");
                for (k, v) in actions {
                    y.push_str(&format!("      {k}: {v}\n"));
                }
            }
            y.into_bytes()
        })
        .boxed()
}

#[test]
fn review_status_yaml() {
    let input = harness::inputs("review_status_yaml", review_yamls(), YAML_DICT);
    harness::fuzz("review_status_yaml", input, |input| {
        let bytes = &input.bytes[..];
        match ReviewStatusConfig::parse_bytes(bytes, "/r/review_status.yaml") {
            Ok(config) => {
                for (path, checker, hash) in [
                    ("/src/a.c", "core.X", Some("0123abcd")),
                    ("", "", None),
                    ("/src/lib/b.c", "a", Some("")),
                ] {
                    let _ = config.review_status(path, checker, hash);
                }
            }
            Err(e) => {
                if e.to_string().is_empty() {
                    return Err("an error without a message".into());
                }
            }
        }
        Ok(())
    });
}

const SKIP_DICT: &[&[u8]] = &[
    b"+",
    b"-",
    b"*",
    b"**",
    b"?",
    b"[",
    b"]",
    b"[!a-z]",
    b"[]",
    b"\\",
    b"/",
    b"./",
    b"../",
    b"#",
    b"\n",
    b"\r\n",
    b"\r",
    b"\x0b",
    b"\xc2\x85",
    b"\xe2\x80\xa8",
    b" ",
    b"\xff",
    b"{a,b}",
];

fn skip_files() -> BoxedStrategy<Vec<u8>> {
    let line = (
        pick(&["+", "-", "", "#", " -"]),
        prop::collection::vec(
            pick(&[
                "/src", "/", "*", "?", "[a-z]", "[!x]", "lib", ".", "..", "a.c", "[", "\\*",
            ]),
            0..6,
        ),
    );
    prop::collection::vec(line, 0..6)
        .prop_map(|lines| {
            lines
                .into_iter()
                .map(|(sign, parts)| format!("{sign}{}\n", parts.concat()))
                .collect::<String>()
                .into_bytes()
        })
        .boxed()
}

/// Every line is a rule, a malformed line or a comment; matching ends.
#[test]
fn skip_file() {
    let input = harness::inputs("skip_file", skip_files(), SKIP_DICT);
    harness::fuzz("skip_file", input, |input| {
        let bytes = &input.bytes[..];
        match SkipList::parse_bytes(bytes) {
            Ok(list) => {
                if list.rules().len() + list.malformed_lines().len() > list.lines().len() {
                    return Err("more rules and malformed lines than lines".into());
                }
                for path in [
                    "/src/a.c",
                    "/src/lib/x/y.h",
                    "",
                    "/",
                    "a.c",
                    "/usr/include/stdio.h",
                ] {
                    let _ = list.should_skip(path);
                }
            }
            Err(e) => {
                if e.to_string().is_empty() {
                    return Err("an error without a message".into());
                }
            }
        }
        Ok(())
    });
}

const COMMENT_DICT: &[&[u8]] = &[
    b"// ",
    b"/*",
    b"*/",
    b" * ",
    b"codechecker_suppress",
    b"codechecker_false_positive",
    b"codechecker_intentional",
    b"codechecker_confirmed",
    b"codechecker_",
    b"[all]",
    b"[",
    b"]",
    b",",
    b"core.X",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xff",
    b"\xe2\x80\xa8",
    b"\t",
];

fn sources() -> BoxedStrategy<Vec<u8>> {
    prop::collection::vec(
        pick(&[
            "// codechecker_suppress [core.X] why",
            "/* codechecker_confirmed [all] many",
            "   lines */",
            " * codechecker_intentional [core.X, core.Y]",
            "// codechecker_false_positive [",
            "// codechecker_unknown [core.X] x",
            "int a;",
            "",
            "/*",
            "*/",
            "//",
        ]),
        0..14,
    )
    .prop_map(|lines| lines.join("\n").into_bytes())
    .boxed()
}

/// Look-ups on any line never fail; a file without the marker has no
/// review comment on any line.
#[test]
fn source_comments() {
    let input = harness::inputs("source_comments", sources(), COMMENT_DICT);
    harness::fuzz("source_comments", input, |input| {
        let bytes = &input.bytes[..];
        let src = SourceFile::new(bytes);
        let marker = has_review_comment(bytes);
        if marker != src.has_review_comment() {
            return Err("the two marker checks disagree".into());
        }
        let lines = bytes.iter().filter(|&&b| b == b'\n').count() as i64 + 2;
        for line in -1..=lines {
            let review = src.review(line, "core.X");
            if !marker && review != SourceReview::None {
                return Err(format!("line {line}: {review:?} without a marker"));
            }
            let _ = src.comments_above(line);
            let _ = src.line(line);
        }
        let _ = src.client_must_upload(&[0, 1, lines, i64::MAX, i64::MIN]);
        Ok(())
    });
}
