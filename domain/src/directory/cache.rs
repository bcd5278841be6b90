//! The directory as the pages read it on every request (the home page's list and figures,
//! community names beside threads, notices and cases), kept in memory per process and per
//! database. What is kept stays valid while the database's directory version is the one it
//! was read at: triggers on the directory's tables bump that version on every write
//! (migration 026), so a write by any process reaches every process's next request. The
//! check is one read of a one-row table, instead of four whole tables.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sea_orm::{ConnectionTrait, FromQueryResult, Statement};

use super::{CommunitySummary, Counts};

/// The directory at one version.
pub struct Snapshot {
    pub communities: Vec<CommunitySummary>,
    pub counts: Counts,
    names: HashMap<i32, String>,
}

impl Snapshot {
    /// A community's name, in service or retired.
    pub fn name(&self, community: i32) -> Option<&str> {
        self.names.get(&community).map(String::as_str)
    }
}

#[derive(FromQueryResult)]
struct Version {
    version: i64,
    instance: String,
}

/// database instance → (version, snapshot)
type Kept = HashMap<String, (i64, Arc<Snapshot>)>;

static KEPT: Mutex<Option<Kept>> = Mutex::new(None);

/// The directory as it is now. Read it on the pool or in a transaction that has not written
/// the directory: one that has, and then rolls back, would leave a directory that never was
/// under a version that a later write takes.
pub async fn snapshot(db: &impl ConnectionTrait) -> crate::Result<Arc<Snapshot>> {
    // The version is read before the directory: a write in between makes the next request
    // read again, where the other order could keep the older directory under the newer version.
    let now = Version::find_by_statement(Statement::from_string(
        db.get_database_backend(),
        "SELECT CAST(version AS BIGINT) AS version, instance FROM directory_version WHERE id = 1",
    ))
    .one(db)
    .await?
    .ok_or(crate::Error::Internal("directory_version has no row"))?;
    if let Some(snapshot) = kept(&now) {
        return Ok(snapshot);
    }
    let all = super::load_all_communities(db).await?;
    let communities = super::load_communities(db, &all).await?;
    let counts = super::load_counts(db).await?;
    // Retired ones too: the names beside old threads and cases.
    let names = all.into_iter().map(|c| (c.id, c.name)).collect();
    let snapshot = Arc::new(Snapshot {
        communities,
        counts,
        names,
    });
    if let Ok(mut kept) = KEPT.lock() {
        kept.get_or_insert_with(HashMap::new)
            .insert(now.instance, (now.version, snapshot.clone()));
    }
    Ok(snapshot)
}

fn kept(now: &Version) -> Option<Arc<Snapshot>> {
    let kept = KEPT.lock().ok()?;
    let (version, snapshot) = kept.as_ref()?.get(&now.instance)?;
    (*version == now.version).then(|| snapshot.clone())
}
