//! Parallel parsing of large plists.
//!
//! CodeChecker's client packs each report directory into a few large plists
//! (hundreds of MB for 100,000 reports), so parsing one file must use every
//! core. The `diagnostics` array is cut, between its elements, into pieces
//! of a few MB that are parsed and converted in parallel; the rest of the
//! document (file table, metadata) is parsed once, with a marker in place of
//! the diagnostics.
//!
//! The split path only ever answers with the reports of a document that
//! parsed without any problem, after checking that the marker is what the
//! document's root holds under `diagnostics` (so a duplicate key, a second
//! root object or a commented-out list cannot fool it). Anything unusual or
//! wrong gives `None`, and the caller parses the whole document serially,
//! which gives CodeChecker's exact answer, error included.

use std::sync::Arc;

use memchr::{memchr, memmem};
use rayon::prelude::*;

use super::convert::prepare;
use super::value::{self, Value};
use crate::model::Report;

/// Plists smaller than this are parsed in one piece.
pub(super) const SPLIT_THRESHOLD: usize = 4 << 20;

/// The size aimed at for one piece of the diagnostics.
pub(super) const PIECE_BYTES: usize = 1 << 20;

/// What stands in for the diagnostics in the rest of the document.
const MARKER: &str = "ccrs-split-plist-diagnostics-5d1e7b";

/// Where the diagnostics array's content is, and where its elements begin.
struct Located {
    /// Just after `<array>`.
    content_start: usize,
    /// At `</array>`.
    content_end: usize,
    /// Start of every element directly inside the array.
    elements: Vec<usize>,
}

/// Parses `bytes` with the diagnostics cut into pieces of about
/// `piece_bytes`; `None` when the document does not allow it or any
/// problem is found (the caller then parses serially).
pub(super) fn parse_split(
    bytes: &[u8],
    path: &Arc<str>,
    piece_bytes: usize,
) -> Option<Vec<Report>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if memmem::find(bytes, MARKER.as_bytes()).is_some() {
        return None;
    }
    let located = locate(bytes)?;

    let mut rest =
        Vec::with_capacity(bytes.len() - (located.content_end - located.content_start) + 64);
    rest.extend_from_slice(&bytes[..located.content_start]);
    rest.extend_from_slice(format!("<string>{MARKER}</string>").as_bytes());
    if !bytes[located.content_start..located.content_end].is_ascii() {
        // A declared encoding other than UTF-8 is refused unless the whole
        // document is plain ASCII: the rest must be as plain as the whole.
        rest.extend_from_slice("<!-- \u{e9} -->".as_bytes());
    }
    rest.extend_from_slice(&bytes[located.content_end..]);
    let root = value::parse(&rest).ok()?;
    let (prepared, diagnostics) = prepare(root.as_ref(), path).ok()?;
    match diagnostics {
        [Value::String(s)] if s == MARKER => {}
        _ => return None,
    }

    // Pieces: (index of the first element, byte range). The first piece
    // starts at the array's content so that nothing is left unparsed.
    let mut pieces: Vec<(usize, usize, usize)> = Vec::new();
    let mut start = located.content_start;
    let mut first = 0;
    for (i, &at) in located.elements.iter().enumerate() {
        if at - start >= piece_bytes {
            pieces.push((first, start, at));
            start = at;
            first = i;
        }
    }
    pieces.push((first, start, located.content_end));

    let parsed: Vec<Option<Vec<Report>>> = pieces
        .par_iter()
        .map(|&(first, from, to)| {
            let mut doc = Vec::with_capacity(to - from + 16);
            doc.extend_from_slice(b"<array>");
            doc.extend_from_slice(&bytes[from..to]);
            doc.extend_from_slice(b"</array>");
            let Ok(Some(Value::Array(diags))) = value::parse(&doc) else {
                return None;
            };
            diags
                .iter()
                .enumerate()
                .map(|(i, d)| prepared.report(first + i, d).ok())
                .collect()
        })
        .collect();
    let mut reports = Vec::new();
    for piece in parsed {
        reports.extend(piece?);
    }
    Some(reports)
}

/// Finds the first `<key>diagnostics</key><array>` and the elements of
/// that array, by a light scan of the markup (comments, CDATA and
/// processing instructions skipped). `None` when the markup is not plain.
fn locate(bytes: &[u8]) -> Option<Located> {
    const KEY: &[u8] = b"<key>diagnostics</key>";
    let key = memmem::find(bytes, KEY)?;
    let mut pos = key + KEY.len();
    while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
        pos += 1;
    }
    if !bytes[pos..].starts_with(b"<array>") {
        return None;
    }
    let content_start = pos + b"<array>".len();
    let mut pos = content_start;
    let mut depth = 0usize;
    let mut elements = Vec::new();
    loop {
        let lt = pos + memchr(b'<', &bytes[pos..])?;
        let tail = &bytes[lt..];
        let skip_to = |end: &[u8], from: usize| -> Option<usize> {
            Some(from + memmem::find(&bytes[from..], end)? + end.len())
        };
        if tail.starts_with(b"<!--") {
            pos = skip_to(b"-->", lt + 4)?;
        } else if tail.starts_with(b"<![CDATA[") {
            pos = skip_to(b"]]>", lt + 9)?;
        } else if tail.starts_with(b"<?") {
            pos = skip_to(b"?>", lt + 2)?;
        } else if tail.starts_with(b"<!") {
            return None;
        } else {
            let gt = lt + memchr(b'>', tail)?;
            let tag = &bytes[lt..=gt];
            // A quoted attribute might hide a '>': not plain markup.
            if tag.contains(&b'"') || tag.contains(&b'\'') {
                return None;
            }
            if tag.starts_with(b"</") {
                if depth == 0 {
                    return Some(Located {
                        content_start,
                        content_end: lt,
                        elements,
                    });
                }
                depth -= 1;
            } else {
                if depth == 0 {
                    elements.push(lt);
                }
                if bytes[gt - 1] != b'/' {
                    depth += 1;
                }
            }
            pos = gt + 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plist::parse_plist_partial;

    fn path() -> Arc<str> {
        Arc::from("/r/a.plist")
    }

    fn diag(file: usize, line: u32, checker: &str) -> String {
        format!(
            "<dict><key>location</key><dict><key>line</key><integer>{line}</integer>\
             <key>col</key><integer>3</integer><key>file</key><integer>{file}</integer></dict>\
             <key>check_name</key><string>{checker}</string>\
             <key>description</key><string>bug &lt;{line}&gt; here</string>\
             <key>issue_hash_content_of_line_in_context</key><string>h{line}</string>\
             <key>path</key><array><dict><key>kind</key><string>event</string>\
             <key>location</key><dict><key>line</key><integer>{line}</integer>\
             <key>col</key><integer>1</integer><key>file</key><integer>{file}</integer></dict>\
             <key>message</key><string>step</string></dict></array></dict>\n"
        )
    }

    fn doc(diags: &str, tail: &str) -> String {
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>\
             <key>diagnostics</key>\n <array>\n{diags}</array>\
             <key>files</key><array><string>a.c</string><string>b.c</string></array>\
             {tail}</dict></plist>\n"
        )
    }

    fn many(n: u32) -> String {
        (0..n)
            .map(|i| diag((i % 2) as usize, i + 1, "core.X"))
            .collect()
    }

    #[test]
    fn pieces_give_what_the_serial_parser_gives() {
        let text = doc(&many(40), "");
        let serial = parse_plist_partial(text.as_bytes(), std::path::Path::new("/r/a.plist"));
        assert!(serial.error.is_none());
        assert_eq!(serial.reports.len(), 40);
        for piece in [1, 700, 5_000, 1 << 20] {
            let split = parse_split(text.as_bytes(), &path(), piece).expect("split parse");
            assert_eq!(split, serial.reports, "piece size {piece}");
        }
        // Comments and CDATA between and inside diagnostics are fine.
        let odd = many(3).replace("<key>col</key>", "<!-- < --><key>col</key>")
            + "<![CDATA[ <dict> ]]>"
            + &diag(1, 99, "core.Y");
        let text = doc(&odd, "");
        let serial = parse_plist_partial(text.as_bytes(), std::path::Path::new("/r/a.plist"));
        assert_eq!(
            parse_split(text.as_bytes(), &path(), 1),
            Some(serial.reports)
        );
    }

    #[test]
    fn parse_plist_splits_large_files() {
        let text = doc(&many(9_000), "");
        assert!(text.len() >= SPLIT_THRESHOLD, "{} bytes", text.len());
        let at = std::path::Path::new("/r/a.plist");
        let serial = parse_plist_partial(text.as_bytes(), at);
        assert!(serial.error.is_none());
        assert!(parse_split(text.as_bytes(), &path(), PIECE_BYTES).is_some());
        assert_eq!(
            crate::plist::parse_plist(text.as_bytes(), at),
            Ok(serial.reports)
        );
        // A broken large file gets the serial parser's error.
        let broken = text.replacen("<integer>3</integer>", "<integer>x</integer>", 1);
        assert_eq!(
            crate::plist::parse_plist(broken.as_bytes(), at),
            Err(parse_plist_partial(broken.as_bytes(), at)
                .error
                .expect("an error"))
        );
    }

    #[test]
    fn anything_unusual_is_left_to_the_serial_parser() {
        let cases = [
            // A later `diagnostics` key wins in plistlib.
            doc(&many(3), "<key>diagnostics</key><array></array>"),
            // Broken XML inside one diagnostic.
            doc(
                &many(3).replacen("</dict></array></dict>", "</array></dict>", 1),
                "",
            ),
            // An unknown file index in a diagnostic.
            doc(&diag(7, 1, "core.X"), ""),
            // Quoted attributes, a DOCTYPE inside the list.
            doc(&many(2).replacen("<dict>", "<dict a=\">\">", 1), ""),
            doc(&format!("<!DOCTYPE x>{}", many(2)), ""),
            // The list is commented out.
            "<plist><dict><!-- <key>diagnostics</key><array> --><key>files</key>\
             <array></array></dict></plist>"
                .to_owned(),
            // The marker itself appears in the document.
            doc(&many(1), &format!("<key>m</key><string>{MARKER}</string>")),
        ];
        for text in cases {
            assert_eq!(parse_split(text.as_bytes(), &path(), 1), None, "{text}");
        }
    }
}
