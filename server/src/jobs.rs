//! Background work of a serving process: the sweep that escalates overdue cases, the one
//! that queues reminders, the one that forgets stale sign-in data, and the one that removes
//! the bytes of removed files, all run by `every`. Every process runs them; the lease and the guarded updates in `domain::casework::escalation` keep each
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

/// Runs `round` every `interval` for as long as the server runs: each run counts in the
/// metrics as `job`, succeeded or failed; `report` logs what a run did, and a failed one is
/// logged as having failed at `doing`.
pub(crate) async fn every<T, Fut>(
    job: &'static str,
    doing: &'static str,
    interval: Duration,
    mut round: impl FnMut() -> Fut,
    report: impl Fn(T),
) where
    Fut: std::future::Future<Output = domain::Result<T>>,
{
    let mut ticks = steady(interval);
    loop {
        ticks.tick().await;
        match round().await {
            Ok(done) => {
                crate::metrics::job_ran(job, false);
                report(done);
            }
            Err(e) => {
                crate::metrics::job_ran(job, true);
                tracing::warn!(%e, "{doing}");
            }
        }
    }
}

/// Sweeps for overdue cases every `interval`, for as long as the server runs.
pub async fn escalate_every(db: DatabaseConnection, interval: Duration) {
    let holder = holder();
    let (db, holder) = (&db, &holder);
    every(
        "escalate",
        "escalating overdue cases",
        interval,
        || domain::casework::escalation::sweep(db, holder, chrono::Utc::now()),
        |moved| {
            if moved > 0 {
                tracing::info!(moved, "overdue cases escalated");
            }
        },
    )
    .await;
}

/// Forgets failed sign-ins past their day and ended sessions, every `interval`.
pub async fn forget_every(
    db: DatabaseConnection,
    policy: domain::accounts::SessionPolicy,
    interval: Duration,
) {
    let db = &db;
    every(
        "forget",
        "forgetting stale sign-in data",
        interval,
        || domain::accounts::forget_stale(db, policy, chrono::Utc::now()),
        |(attempts, sessions)| {
            if attempts + sessions > 0 {
                tracing::info!(attempts, sessions, "stale sign-in data forgotten");
            }
        },
    )
    .await;
}

/// Queues the reminders that came due (sessions, shifts) every `interval`.
pub async fn remind_every(db: DatabaseConnection, interval: Duration) {
    let db = &db;
    every(
        "remind",
        "queueing reminders",
        interval,
        || domain::outbox::reminders::sweep(db, chrono::Utc::now()),
        |queued| {
            if queued > 0 {
                tracing::info!(queued, "reminders queued");
            }
        },
    )
    .await;
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
    let (db, store) = (&db, &store);
    every(
        "files",
        "sweeping the files",
        interval,
        || domain::files::sweep(db, store, chrono::Utc::now(), chrono::Duration::hours(1)),
        |removed| {
            if removed > 0 {
                tracing::info!(removed, "bytes of removed files deleted");
            }
        },
    )
    .await;
}
