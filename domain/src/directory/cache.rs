//! The directory as the pages read it on every request (the home page's list and figures,
//! community names beside threads, notices and cases), kept in memory while the database's
//! directory version stays the same (`crate::kept`, migration 026): one read of a one-row
//! table instead of four whole tables.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use sea_orm::ConnectionTrait;

use super::{CommunitySummary, Counts};
use crate::kept::{self, Kept};

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

static KEPT: Kept<Snapshot> = Kept::new();

/// The directory as it is now. Read it on the pool or in a transaction that has not written
/// the directory: one that has, and then rolls back, would leave a directory that never was
/// under a version that a later write takes.
pub async fn snapshot(db: &impl ConnectionTrait) -> crate::Result<Arc<Snapshot>> {
    let version = kept::directory(db).await?;
    if let Some(snapshot) = KEPT.get(&version, "", Duration::MAX) {
        return Ok(snapshot);
    }
    let all = super::load_all_communities(db).await?;
    let communities = super::load_communities(db, &all).await?;
    let counts = super::load_counts(db).await?;
    // Retired ones too: the names beside old threads and cases.
    let names = all.into_iter().map(|c| (c.id, c.name)).collect();
    Ok(KEPT.put(
        version,
        "",
        Snapshot {
            communities,
            counts,
            names,
        },
    ))
}
