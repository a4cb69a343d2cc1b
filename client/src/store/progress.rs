//! Progress bars of `store`, shown only when standard output is a terminal.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Creates the bars of one store.
pub struct Progress {
    visible: bool,
}

impl Progress {
    /// Bars are drawn (on standard error) only when standard output is a
    /// terminal.
    pub fn new() -> Self {
        Progress {
            visible: std::io::stdout().is_terminal(),
        }
    }

    fn target(&self) -> ProgressDrawTarget {
        if self.visible {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        }
    }

    /// A bar counting to `len`.
    pub fn bar(&self, len: u64, prefix: &str) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(Some(len), self.target());
        let style =
            ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(prefix.to_owned());
        bar
    }

    /// A spinner for work of unknown length.
    pub fn spinner(&self, prefix: &str) -> ProgressBar {
        let bar = ProgressBar::with_draw_target(None, self.target());
        let style = ProgressStyle::with_template("{prefix:>12} {spinner} {msg} ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_spinner());
        bar.set_style(style);
        bar.set_prefix(prefix.to_owned());
        if self.visible {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        bar
    }
}

/// Turns `bar` (a spinner) into a percentage bar and shows `percent`
/// (servers that report task progress; see `TaskInfo.progress`).
pub fn show_percent(bar: &ProgressBar, percent: i32) {
    if bar.length() != Some(100) {
        let style =
            ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos:>3}% {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
        bar.set_style(style);
        bar.set_length(100);
    }
    bar.set_position(u64::try_from(percent.clamp(0, 100)).unwrap_or(0));
}

impl Default for Progress {
    fn default() -> Self {
        Self::new()
    }
}
