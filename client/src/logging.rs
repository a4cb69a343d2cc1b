//! Log lines shaped like CodeChecker's (`[INFO 2024-01-31 12:00:00] - msg`),
//! written to standard error so that standard output carries only results.

use std::fmt;

use tracing::{Event, Level, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// CodeChecker's `--verbose` levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verbosity {
    /// Progress and results (the default).
    Info,
    /// Also what the client does in detail.
    Debug,
    /// Same as `debug` (accepted for compatibility).
    DebugAnalyzer,
}

struct CodeCheckerFormat;

impl<S, N> FormatEvent<S, N> for CodeCheckerFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let level = match *event.metadata().level() {
            Level::ERROR => "ERROR",
            Level::WARN => "WARNING",
            Level::INFO => "INFO",
            Level::DEBUG => "DEBUG",
            Level::TRACE => "TRACE",
        };
        let now = chrono::Local::now().format("%Y-%m-%d %H:%M:%S");
        write!(writer, "[{level} {now}] - ")?;
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Installs the logger; `verbosity` `None` means INFO. Later calls do
/// nothing.
pub fn init(verbosity: Option<Verbosity>) {
    let level = match verbosity {
        None | Some(Verbosity::Info) => Level::INFO,
        Some(Verbosity::Debug | Verbosity::DebugAnalyzer) => Level::DEBUG,
    };
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target("codechecker_client", level)
        .with_target("codechecker_report", level)
        .with_target("ccreport", level)
        .with_default(Level::WARN);
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let layer = tracing_subscriber::fmt::layer()
        .event_format(CodeCheckerFormat)
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry()
        .with(layer)
        .with(filter)
        .try_init();
}
