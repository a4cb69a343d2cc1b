//! Tables drawn like CodeChecker's `table`/`plaintext` output (PrettyTable,
//! single-line box border, left aligned), shrunk to the terminal width by
//! wrapping the widest columns.
#![allow(unsafe_code)] // system calls; each `unsafe` block says why it is sound

use std::io::IsTerminal;

/// How a table is drawn.
#[derive(Debug, Clone, Copy, Default)]
pub struct TableStyle {
    /// The first row is a header, separated by a rule.
    pub header: bool,
    /// A rule between every two rows.
    pub rule_between_rows: bool,
}

/// The width to fit tables into: `$COLUMNS`, the terminal's width, or 80.
pub fn terminal_width() -> usize {
    if let Some(cols) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
    {
        return cols;
    }
    if std::io::stdout().is_terminal() {
        // SAFETY: TIOCGWINSZ fills a plain struct; the descriptor is stdout.
        unsafe {
            let mut size: libc::winsize = std::mem::zeroed();
            if libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0
            {
                return usize::from(size.ws_col);
            }
        }
    }
    80
}

fn width(s: &str) -> usize {
    s.chars().count()
}

/// Wraps `text` to lines of at most `max` characters, breaking at
/// whitespace and splitting words longer than a line (like Python's
/// `textwrap.fill`).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    for source_line in text.split('\n') {
        let mut line = String::new();
        let mut len = 0usize;
        let mut produced = false;
        for word in source_line.split_whitespace() {
            let mut word: Vec<char> = word.chars().collect();
            loop {
                let sep = usize::from(len > 0);
                if len + sep + word.len() <= max {
                    if sep == 1 {
                        line.push(' ');
                    }
                    line.extend(word.iter());
                    len += sep + word.len();
                    break;
                }
                if word.len() > max {
                    // Fill what is left of this line with the start of the word.
                    let room = if len == 0 {
                        max
                    } else {
                        max.saturating_sub(len + 1)
                    };
                    if room > 0 {
                        if len > 0 {
                            line.push(' ');
                        }
                        line.extend(word.iter().take(room));
                        word.drain(..room);
                    }
                }
                lines.push(std::mem::take(&mut line));
                produced = true;
                len = 0;
                if word.is_empty() {
                    break;
                }
            }
        }
        if !line.is_empty() || !produced {
            lines.push(line);
        }
    }
    lines
}

/// The column widths that fit the table into `terminal` characters:
/// narrow columns keep their natural width, wide ones share the rest.
fn fit_widths(natural: &[usize], terminal: usize) -> Vec<usize> {
    let n = natural.len();
    let overhead = n * 3 + 1;
    if natural.iter().sum::<usize>() + overhead <= terminal {
        return natural.to_vec();
    }
    const MIN_COL: usize = 4;
    let mut remaining = terminal.saturating_sub(overhead).max(n * MIN_COL);
    let mut assigned = vec![0usize; n];
    let mut open: Vec<usize> = (0..n).collect();
    for _ in 0..=n {
        if open.is_empty() {
            break;
        }
        let share = remaining / open.len();
        let locked: Vec<usize> = open
            .iter()
            .copied()
            .filter(|&i| natural[i] <= share)
            .collect();
        if locked.is_empty() {
            break;
        }
        for i in locked {
            assigned[i] = natural[i];
            remaining = remaining.saturating_sub(natural[i]);
            open.retain(|&j| j != i);
        }
    }
    let total: usize = open.iter().map(|&i| natural[i]).sum();
    for &i in &open {
        let share = if total > 0 {
            (natural[i] as f64 / total as f64 * remaining as f64) as usize
        } else {
            remaining / open.len().max(1)
        };
        assigned[i] = share.max(MIN_COL);
    }
    assigned
}

fn rule(out: &mut String, widths: &[usize], left: char, mid: char, right: char) {
    out.push(left);
    for (i, w) in widths.iter().enumerate() {
        if i > 0 {
            out.push(mid);
        }
        out.extend(std::iter::repeat_n('─', w + 2));
    }
    out.push(right);
    out.push('\n');
}

fn row_lines(out: &mut String, cells: &[String], widths: &[usize]) {
    let wrapped: Vec<Vec<String>> = cells
        .iter()
        .zip(widths)
        .map(|(c, &w)| {
            if width(c) <= w {
                c.split('\n').map(str::to_owned).collect()
            } else {
                wrap(c, w)
            }
        })
        .collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    for line in 0..height {
        out.push('│');
        for (col, w) in wrapped.iter().zip(widths) {
            let text = col.get(line).map_or("", String::as_str);
            out.push(' ');
            out.push_str(text);
            out.extend(std::iter::repeat_n(' ', w.saturating_sub(width(text)) + 1));
            out.push('│');
        }
        out.push('\n');
    }
}

/// Draws `rows` (all of the same length) into at most `terminal` columns.
/// The result has no trailing newline.
pub fn render(rows: &[Vec<String>], style: TableStyle, terminal: usize) -> String {
    let Some(first) = rows.first() else {
        return String::new();
    };
    let n = first.len();
    let (header, body) = if style.header {
        (Some(first), &rows[1..])
    } else {
        (None, rows)
    };
    let mut natural = vec![0usize; n];
    for row in header.into_iter().chain(body.iter()) {
        for (i, cell) in row.iter().enumerate().take(n) {
            let w = cell.split('\n').map(width).max().unwrap_or(0);
            natural[i] = natural[i].max(w);
        }
    }
    let widths = fit_widths(&natural, terminal);
    let mut out = String::new();
    rule(&mut out, &widths, '┌', '┬', '┐');
    if let Some(h) = header {
        row_lines(&mut out, h, &widths);
        rule(&mut out, &widths, '├', '┼', '┤');
    }
    for (i, row) in body.iter().enumerate() {
        if i > 0 && style.rule_between_rows {
            rule(&mut out, &widths, '├', '┼', '┤');
        }
        row_lines(&mut out, row, &widths);
    }
    rule(&mut out, &widths, '└', '┴', '┘');
    out.pop();
    out
}

/// A header plus rows, as CodeChecker's `twodim.to_str('table', ...)`.
pub fn with_header(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut all = Vec::with_capacity(rows.len() + 1);
    all.push(header.iter().map(|h| (*h).to_owned()).collect());
    all.extend(rows);
    render(
        &all,
        TableStyle {
            header: true,
            rule_between_rows: false,
        },
        terminal_width(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| (*x).to_owned()).collect()
    }

    #[test]
    fn draws_like_prettytable() {
        let t = render(
            &[s(&["Name", "N"]), s(&["abc", "12345"])],
            TableStyle {
                header: true,
                rule_between_rows: false,
            },
            200,
        );
        assert_eq!(
            t,
            "┌──────┬───────┐\n│ Name │ N     │\n├──────┼───────┤\n│ abc  │ 12345 │\n└──────┴───────┘"
        );
    }

    #[test]
    fn empty_body_keeps_header() {
        let t = render(
            &[s(&["A", "B"])],
            TableStyle {
                header: true,
                rule_between_rows: false,
            },
            80,
        );
        assert_eq!(t, "┌───┬───┐\n│ A │ B │\n├───┼───┤\n└───┴───┘");
    }

    #[test]
    fn narrow_terminal_wraps_wide_columns() {
        let long = "x".repeat(100);
        let t = render(
            &[s(&["id", "text"]), s(&["1", &long])],
            TableStyle {
                header: true,
                rule_between_rows: false,
            },
            40,
        );
        assert!(t.lines().all(|l| l.chars().count() <= 40), "{t}");
        assert!(t.lines().count() > 5);
    }

    #[test]
    fn wraps_words() {
        assert_eq!(
            wrap("Dummy task for testing", 9),
            vec!["Dummy", "task for", "testing"]
        );
        assert_eq!(wrap("abcdefgh", 3), vec!["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), vec![""]);
    }
}
