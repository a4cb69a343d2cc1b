//! Task events between processes: what is published (a task ended, a task
//! became claimable), how a writer publishes it (`NOTIFY` in the transaction
//! on PostgreSQL, datagrams to `<workspace>/run/notify/` after the commit on
//! SQLite) and the transports the listening side uses. Waiting for events is
//! [`crate::notify`]'s part, above the database handle that publishes.

pub(crate) mod hub;
pub(crate) mod pg;
pub(crate) mod unix;

use std::path::{Path, PathBuf};

use crate::error::Result;

use hub::Hub;

/// Something other processes may be waiting for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Event {
    /// The task with this token reached a terminal status.
    Terminal(String),
    /// A task became claimable.
    Enqueued,
}

impl Event {
    /// Wire form (datagram or `NOTIFY` payload).
    pub(crate) fn encode(&self) -> String {
        match self {
            Event::Terminal(token) => format!("T {token}"),
            Event::Enqueued => "E".to_owned(),
        }
    }

    /// Parses the wire form; unknown messages are ignored.
    pub(crate) fn decode(s: &str) -> Option<Self> {
        match s.split_once(' ') {
            Some(("T", token)) if !token.is_empty() => Some(Event::Terminal(token.to_owned())),
            None if s == "E" => Some(Event::Enqueued),
            _ => None,
        }
    }
}

/// Hands a received event to the waiters of this process.
pub(crate) fn dispatch(hub: &Hub, ev: Event) {
    match ev {
        Event::Terminal(token) => hub.terminal(&token),
        Event::Enqueued => hub.enqueued().bump(),
    }
}

/// `<directory of the SQLite file>/run/notify`.
pub(crate) fn default_dir(db_path: &Path) -> PathBuf {
    db_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join("run")
        .join("notify")
}

/// How a [`crate::ConfigDb`] handle publishes.
#[derive(Debug)]
pub(crate) enum Publisher {
    /// `NOTIFY` inside the transaction.
    Postgres,
    /// Datagrams to the socket directory.
    Unix(unix::UnixPublisher),
}

impl Publisher {
    /// A socket-directory publisher.
    pub(crate) fn unix(dir: PathBuf) -> Result<Self> {
        Ok(Publisher::Unix(unix::UnixPublisher::new(dir)?))
    }

    /// Delivers `events` after a commit (SQLite only; PostgreSQL already did).
    pub(crate) fn send_after_commit(&self, events: &[Event]) {
        if let Publisher::Unix(p) = self {
            p.send(events);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip() {
        for ev in [Event::Terminal("ab".into()), Event::Enqueued] {
            assert_eq!(Event::decode(&ev.encode()), Some(ev));
        }
        assert_eq!(Event::decode("T "), None);
        assert_eq!(Event::decode("Q"), None);
    }
}
