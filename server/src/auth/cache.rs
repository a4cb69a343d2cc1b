//! A short-lived, per-process memory of recently seen sessions, so that a
//! burst of calls with one token costs one database lookup a second instead
//! of one per call.
//!
//! An entry is trusted for [`TRUST`] after it was read from the database: a
//! logout or token removal in another process (or server) takes effect here
//! within that time; in this process at once. Idle expiry and the write-back
//! of the last use are still decided on every call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::caller::Credential;

/// How long an entry read from the database is trusted.
pub const TRUST: Duration = Duration::from_secs(1);

/// Entries kept at most; when full, the cache starts over.
const CAPACITY: usize = 10_000;

/// What the database said about a token.
#[derive(Debug, Clone)]
pub struct Known {
    /// The user.
    pub user: String,
    /// The user's groups.
    pub groups: Vec<String>,
    /// The session or access token.
    pub credential: Credential,
    /// Its last recorded use.
    pub last_access: DateTime<Utc>,
    /// When it stops working regardless of use (access tokens).
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug)]
struct Entry {
    known: Known,
    read_at: Instant,
}

/// Recently seen sessions of this process, by token hash.
#[derive(Debug, Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl SessionCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// What is known about `hash`, if it was read recently enough.
    pub fn get(&self, hash: &str) -> Option<Known> {
        let mut entries = self.lock();
        match entries.get(hash) {
            Some(e) if e.read_at.elapsed() < TRUST => Some(e.known.clone()),
            Some(_) => {
                entries.remove(hash);
                None
            }
            None => None,
        }
    }

    /// Remembers what the database said about `hash` just now.
    pub fn put(&self, hash: String, known: Known) {
        let mut entries = self.lock();
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| e.read_at.elapsed() < TRUST);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            hash,
            Entry {
                known,
                read_at: Instant::now(),
            },
        );
    }

    /// Records a new last use of `hash`, if it is known.
    pub fn touched(&self, hash: &str, at: DateTime<Utc>) {
        if let Some(e) = self.lock().get_mut(hash) {
            e.known.last_access = at;
        }
    }

    /// Forgets `hash` (its session ended).
    pub fn forget(&self, hash: &str) {
        self.lock().remove(hash);
    }

    /// Forgets every entry of `user` (one of their tokens was removed).
    pub fn forget_user(&self, user: &str) {
        self.lock().retain(|_, e| e.known.user != user);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_counter_fires_every_n_logins() {
        let c = LoginCounter::default();
        let fired: Vec<bool> = (0..6).map(|_| c.tick(3)).collect();
        assert_eq!(fired, vec![false, false, true, false, false, true]);
        assert!(LoginCounter::default().tick(0));
    }

    use super::*;

    fn known(user: &str) -> Known {
        Known {
            user: user.to_owned(),
            groups: Vec::new(),
            credential: Credential::AccessToken { id: 1 },
            last_access: DateTime::<Utc>::default(),
            expires_at: None,
        }
    }

    #[test]
    fn entries_are_trusted_briefly_and_can_be_forgotten() {
        let cache = SessionCache::default();
        cache.put("h1".into(), known("a"));
        cache.put("h2".into(), known("b"));
        assert_eq!(cache.get("h1").map(|k| k.user), Some("a".to_owned()));
        let later = DateTime::<Utc>::default() + chrono::Duration::seconds(5);
        cache.touched("h1", later);
        assert_eq!(cache.get("h1").map(|k| k.last_access), Some(later));
        cache.forget_user("a");
        assert!(cache.get("h1").is_none());
        cache.forget("h2");
        assert!(cache.get("h2").is_none());
        cache.put("h3".into(), known("c"));
        std::thread::sleep(TRUST + Duration::from_millis(20));
        assert!(cache.get("h3").is_none(), "entries expire");
    }
}

/// Counts logins between sweeps of ended sessions (per process).
#[derive(Debug, Default)]
pub struct LoginCounter(AtomicU32);

impl LoginCounter {
    /// Counts one login; true when a sweep is due.
    pub(crate) fn tick(&self, every: u32) -> bool {
        let n = self.0.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        n.is_multiple_of(every.max(1))
    }
}
