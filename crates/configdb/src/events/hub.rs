//! In-process fan-out of received events to blocked waiters.

use std::collections::HashMap;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// A generation counter that waiters can block on.
#[derive(Debug, Default)]
pub(crate) struct Signal {
    generation: Mutex<u64>,
    changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Signal {
    /// Current generation.
    pub(crate) fn generation(&self) -> u64 {
        *lock(&self.generation)
    }

    /// Advances the generation and wakes every waiter.
    pub(crate) fn bump(&self) {
        *lock(&self.generation) += 1;
        self.changed.notify_all();
    }

    /// Blocks until the generation differs from `seen` or `timeout` passes;
    /// returns the generation then.
    pub(crate) fn wait_past(&self, seen: u64, timeout: Duration) -> u64 {
        let deadline = Instant::now().checked_add(timeout);
        let mut g = lock(&self.generation);
        while *g == seen {
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(86_400),
            };
            if left.is_zero() {
                break;
            }
            g = self
                .changed
                .wait_timeout(g, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        *g
    }
}

/// Routes events to the waiters of this process.
#[derive(Debug, Default)]
pub(crate) struct Hub {
    watched: Mutex<HashMap<String, Arc<Signal>>>,
    enqueued: Signal,
}

impl Hub {
    /// Registers interest in `token` until the returned guard drops.
    pub(crate) fn watch(self: &Arc<Self>, token: &str) -> Watch {
        let signal = lock(&self.watched)
            .entry(token.to_owned())
            .or_default()
            .clone();
        Watch {
            hub: Arc::clone(self),
            token: token.to_owned(),
            signal,
        }
    }

    /// A task reached a terminal status.
    pub(crate) fn terminal(&self, token: &str) {
        let signal = lock(&self.watched).get(token).cloned();
        if let Some(s) = signal {
            s.bump();
        }
    }

    /// A task entered the queue.
    pub(crate) fn enqueued(&self) -> &Signal {
        &self.enqueued
    }

    /// Events may have been missed (listener reconnect): wake everybody so
    /// they re-check the database.
    pub(crate) fn bump_all(&self) {
        let all: Vec<Arc<Signal>> = lock(&self.watched).values().cloned().collect();
        for s in all {
            s.bump();
        }
        self.enqueued.bump();
    }
}

/// Interest in one token; unregisters on drop.
#[derive(Debug)]
pub(crate) struct Watch {
    hub: Arc<Hub>,
    token: String,
    signal: Arc<Signal>,
}

impl Watch {
    /// The token's signal.
    pub(crate) fn signal(&self) -> &Signal {
        &self.signal
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let mut map = lock(&self.hub.watched);
        // Only the map and this guard hold it: nobody else waits on the token.
        if Arc::strong_count(&self.signal) == 2 {
            map.remove(&self.token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_is_woken_and_cleaned_up() {
        let hub = Arc::new(Hub::default());
        let w = hub.watch("a");
        let seen = w.signal().generation();
        let h2 = Arc::clone(&hub);
        let t = std::thread::spawn(move || h2.terminal("a"));
        let now = w.signal().wait_past(seen, Duration::from_secs(10));
        assert_ne!(now, seen);
        let _ = t.join();
        drop(w);
        assert!(lock(&hub.watched).is_empty());
    }

    #[test]
    fn wait_times_out() {
        let s = Signal::default();
        let t0 = Instant::now();
        assert_eq!(s.wait_past(0, Duration::from_millis(20)), 0);
        assert!(t0.elapsed() >= Duration::from_millis(20));
    }
}
