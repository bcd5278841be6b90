//! Background work of a serving process: the sweep that escalates overdue cases, the one
//! that queues reminders, and the one that forgets stale sign-in data. Every process runs
//! them; the lease and the guarded updates in `domain::casework::escalation` keep each
//! escalation to once however many processes share the database, each reminder has a name
//! the outbox keeps once, and forgetting twice deletes nothing more.

use std::time::Duration;

use domain::DatabaseConnection;

/// Ticks every `interval`; a sweep that overran delays the next instead of bunching them.
pub(crate) fn steady(interval: Duration) -> tokio::time::Interval {
    let mut ticks = tokio::time::interval(interval);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ticks
}

/// This process, as leases name their holder.
pub(crate) fn holder() -> String {
    format!(
        "{}-{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "portal".to_owned()),
        std::process::id()
    )
}

/// Sweeps for overdue cases every `interval`, for as long as the server runs.
pub async fn escalate_every(db: DatabaseConnection, interval: Duration) {
    let holder = holder();
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        match domain::casework::escalation::sweep(&db, &holder, chrono::Utc::now()).await {
            Ok(0) => crate::metrics::job_ran("escalate", false),
            Ok(moved) => {
                crate::metrics::job_ran("escalate", false);
                tracing::info!(moved, "overdue cases escalated");
            }
            Err(e) => {
                crate::metrics::job_ran("escalate", true);
                tracing::warn!(%e, "escalating overdue cases");
            }
        }
    }
}

/// Forgets failed sign-ins past their day and ended sessions, every `interval`.
pub async fn forget_every(
    db: DatabaseConnection,
    policy: domain::accounts::SessionPolicy,
    interval: Duration,
) {
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        match domain::accounts::forget_stale(&db, policy, chrono::Utc::now()).await {
            Ok((attempts, sessions)) => {
                crate::metrics::job_ran("forget", false);
                if attempts + sessions > 0 {
                    tracing::info!(attempts, sessions, "stale sign-in data forgotten");
                }
            }
            Err(e) => {
                crate::metrics::job_ran("forget", true);
                tracing::warn!(%e, "forgetting stale sign-in data");
            }
        }
    }
}

/// Queues the reminders that came due (sessions, shifts) every `interval`.
pub async fn remind_every(db: DatabaseConnection, interval: Duration) {
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        match domain::outbox::reminders::sweep(&db, chrono::Utc::now()).await {
            Ok(queued) => {
                crate::metrics::job_ran("remind", false);
                if queued > 0 {
                    tracing::info!(queued, "reminders queued");
                }
            }
            Err(e) => {
                crate::metrics::job_ran("remind", true);
                tracing::warn!(%e, "queueing reminders");
            }
        }
    }
}

/// Folds the metrics' latency samples into their buckets every `interval`.
pub async fn metrics_upkeep_every(interval: Duration) {
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        crate::metrics::upkeep();
    }
}

/// Removes, every `interval`, the stored bytes that no file names any more (those of
/// deleted posts, cases and accounts, and uploads a crash interrupted). An hour's grace
/// leaves alone the bytes of an upload whose row is being written.
pub async fn sweep_files_every(
    db: DatabaseConnection,
    store: domain::files::Store,
    interval: Duration,
) {
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        match domain::files::sweep(&db, &store, chrono::Utc::now(), chrono::Duration::hours(1))
            .await
        {
            Ok(removed) => {
                crate::metrics::job_ran("files", false);
                if removed > 0 {
                    tracing::info!(removed, "bytes of removed files deleted");
                }
            }
            Err(e) => {
                crate::metrics::job_ran("files", true);
                tracing::warn!(%e, "sweeping the files");
            }
        }
    }
}
