//! Reminders: a booked mediation session the evening before (19:00) and two hours before,
//! to the resident who asked for it; a shift a day before, to each volunteer signed up. The
//! sweep runs every minute in every server process; each reminder has a name made of what
//! it is about, its start and whom it is for, and the outbox keeps one row per name, so it
//! goes out once however many sweeps find it due. A session moved to another time is a new
//! start, and reminded of again.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::{Kind, Message, enqueue_once};
use crate::Result;
use crate::entities::{booking, mediation_case, shift, shift_signup};
use crate::time::{at_local, local_date};

/// Every reminder's topic; each is a translation key with `$code` (a case code or a shift's
/// title) and `$time` (its start).
pub const TOPICS: &[&str] = &[
    "outbox-session-evening",
    "outbox-session-soon",
    "outbox-shift-soon",
];

/// How long before a session the second reminder goes.
const SESSION_SOON: Duration = Duration::hours(2);
/// The evening before a session, local time.
const EVENING_MINUTE: i32 = 19 * 60;
/// How long before a shift its reminder goes.
const SHIFT_SOON: Duration = Duration::hours(24);

/// Which reminder of a session starting at `start` is due at `now`, if any.
pub fn session_reminder_due(start: DateTime<Utc>, now: DateTime<Utc>) -> Option<&'static str> {
    if now >= start {
        return None;
    }
    if now >= start - SESSION_SOON {
        return Some("outbox-session-soon");
    }
    let eve = local_date(start).pred_opt()?;
    let evening = at_local(eve, EVENING_MINUTE)?;
    (now >= evening).then_some("outbox-session-evening")
}

/// Queues every reminder due at `now` that was not queued before; returns how many.
pub async fn sweep(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<usize> {
    let mut queued = 0;
    // The evening before is at most 29 hours before a session (19:00 the day before one at
    // 23:59), so nothing further ahead can be due.
    let horizon = now + Duration::hours(30);
    let sessions = booking::Entity::find()
        .find_also_related(mediation_case::Entity)
        .filter(booking::Column::CancelledAt.is_null())
        .filter(booking::Column::StartsAt.gt(now))
        .filter(booking::Column::StartsAt.lte(horizon))
        .all(db)
        .await?;
    for (booking, case) in sessions {
        let Some((case, resident)) = case.and_then(|c| c.resident_id.map(|r| (c, r))) else {
            continue;
        };
        let Some(topic) = session_reminder_due(booking.starts_at, now) else {
            continue;
        };
        let link = crate::mediation::case_link(&case.code);
        let message = Message {
            kind: Kind::Reminder,
            topic,
            subject: &case.code,
            link: &link,
            starts_at: Some(booking.starts_at),
            notice_id: None,
        };
        let name = format!(
            "{topic}-{}-{}-{}",
            booking.id,
            booking.starts_at.timestamp(),
            resident
        );
        queued += enqueue_once(db, resident, &message, &name, now).await?;
    }

    let shifts = shift_signup::Entity::find()
        .find_also_related(shift::Entity)
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .filter(shift::Column::StartsAt.gt(now))
        .filter(shift::Column::StartsAt.lte(now + SHIFT_SOON))
        .all(db)
        .await?;
    for (signup, shift) in shifts {
        let Some(shift) = shift else { continue };
        let topic = "outbox-shift-soon";
        let link = format!("/volunteers/shifts/{}", shift.id);
        let message = Message {
            kind: Kind::Reminder,
            topic,
            subject: &shift.title,
            link: &link,
            starts_at: Some(shift.starts_at),
            notice_id: None,
        };
        let name = format!(
            "{topic}-{}-{}-{}",
            shift.id,
            shift.starts_at.timestamp(),
            signup.user_id
        );
        queued += enqueue_once(db, signup.user_id, &message, &name, now).await?;
    }
    Ok(queued)
}
