//! What pages read on every request but changes rarely (the directory, the figures), kept in
//! memory per process and per database while a version row in the database stays the one it
//! was computed at. Triggers bump the rows on every write, whoever writes (migrations 026
//! and 028), so a write by any process reaches every process's next request; the check is
//! one read of a small table instead of the tables themselves.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

/// A database's version of some data. `instance` tells one database from another in a
/// process that opens several (the test suites).
#[derive(Clone, Debug, PartialEq, Eq, FromQueryResult)]
pub struct Version {
    version: i64,
    instance: String,
}

/// The directory's version (migration 026).
pub async fn directory(db: &impl ConnectionTrait) -> crate::Result<Version> {
    read(
        db,
        "SELECT CAST(version AS BIGINT) AS version, instance FROM directory_version WHERE id = 1",
    )
    .await
}

/// The version of what anyone may read on a public page (migration 029).
pub async fn pages(db: &impl ConnectionTrait) -> crate::Result<Version> {
    figures(db, "pages").await
}

/// The version of a set of figures' inputs (migration 028): "mediation" or "casework".
pub async fn figures(db: &impl ConnectionTrait, name: &'static str) -> crate::Result<Version> {
    read(
        db,
        &format!(
            "SELECT CAST(f.version AS BIGINT) AS version, d.instance
             FROM figures_versions f, directory_version d
             WHERE f.name = '{name}' AND d.id = 1"
        ),
    )
    .await
}

async fn read(db: &impl ConnectionTrait, sql: &str) -> crate::Result<Version> {
    Version::find_by_statement(Statement::from_string(db.get_database_backend(), sql))
        .one(db)
        .await?
        .ok_or(crate::Error::Internal("a version row is missing"))
}

/// At most this many keys are kept: keys that come from requests (a page's address) could
/// otherwise grow without end; past it, everything is dropped and computed again.
const MAX_KEYS: usize = 4096;

/// Values kept by key, each with the version it was computed at and when.
pub struct Kept<V> {
    entries: Mutex<Option<Entries<V>>>,
    /// Held while `get_or_compute` computes, so that readers who all missed wait for the
    /// first one's value instead of each computing their own: at a district's size the
    /// officers' figures take 16 MB and tens of milliseconds each, and a morning's officers
    /// open them at once.
    computing: tokio::sync::Mutex<()>,
}

/// (database instance, key) → entry
type Entries<V> = HashMap<(String, String), Entry<V>>;

struct Entry<V> {
    version: i64,
    at: Instant,
    value: Arc<V>,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Self::new()
    }
}

impl<V> Kept<V> {
    pub const fn new() -> Self {
        Kept {
            entries: Mutex::new(None),
            computing: tokio::sync::Mutex::const_new(()),
        }
    }

    /// The value kept under `key` at `version` if it is younger than `max_age`, else the
    /// one `compute` gives, kept. One computation runs at a time: whoever waited for it
    /// takes its value. Only for values computed on the pool: a transaction waiting here
    /// would hold its connection while the computation may need one.
    pub async fn get_or_compute<F>(
        &self,
        version: Version,
        key: &str,
        max_age: Duration,
        compute: F,
    ) -> crate::Result<Arc<V>>
    where
        F: AsyncFnOnce() -> crate::Result<V>,
    {
        if let Some(kept) = self.get(&version, key, max_age) {
            return Ok(kept);
        }
        let _computing = self.computing.lock().await;
        if let Some(kept) = self.get(&version, key, max_age) {
            return Ok(kept);
        }
        let value = compute().await?;
        Ok(self.put(version, key, value))
    }

    /// The value kept under `key` at `version`, if it is younger than `max_age`.
    pub fn get(&self, version: &Version, key: &str, max_age: Duration) -> Option<Arc<V>> {
        let entries = self.entries.lock().ok()?;
        let entry = entries
            .as_ref()?
            .get(&(version.instance.clone(), key.to_owned()))?;
        (entry.version == version.version && entry.at.elapsed() <= max_age)
            .then(|| entry.value.clone())
    }

    /// Keeps `value`, computed after `version` was read: a write in between bumps the
    /// version, so the next reader computes again, where reading the version after the data
    /// could keep older data under a newer version.
    pub fn put(&self, version: Version, key: &str, value: V) -> Arc<V> {
        let value = Arc::new(value);
        if let Ok(mut entries) = self.entries.lock() {
            let entries = entries.get_or_insert_with(HashMap::new);
            if entries.len() >= MAX_KEYS {
                entries.clear();
            }
            entries.insert(
                (version.instance, key.to_owned()),
                Entry {
                    version: version.version,
                    at: Instant::now(),
                    value: value.clone(),
                },
            );
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn at(version: i64) -> Version {
        Version {
            version,
            instance: "test".into(),
        }
    }

    #[tokio::test]
    async fn readers_who_miss_together_compute_once() {
        let kept: Kept<usize> = Kept::new();
        let computed = AtomicUsize::new(0);
        let read = || {
            kept.get_or_compute(at(1), "figures", Duration::MAX, async || {
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(computed.fetch_add(1, Ordering::SeqCst))
            })
        };
        let values = futures_util::future::join_all((0..8).map(|_| read())).await;
        assert_eq!(computed.load(Ordering::SeqCst), 1);
        for value in values {
            assert_eq!(*value.expect("computed"), 0);
        }
        // A write moves the version: the next reader computes again.
        let after_write = kept
            .get_or_compute(at(2), "figures", Duration::MAX, async || Ok(99))
            .await;
        assert_eq!(*after_write.expect("computed"), 99);
    }

    #[tokio::test]
    async fn a_failed_computation_keeps_nothing() {
        let kept: Kept<u8> = Kept::new();
        let failed = kept
            .get_or_compute(at(1), "k", Duration::MAX, async || {
                Err(crate::Error::Internal("the database went away"))
            })
            .await;
        assert!(failed.is_err());
        let next = kept
            .get_or_compute(at(1), "k", Duration::MAX, async || Ok(7))
            .await;
        assert_eq!(*next.expect("computed"), 7);
    }
}
