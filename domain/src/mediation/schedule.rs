//! A room's availability: weekly windows, one-off extra windows and days off, in local
//! time, cut into slots of the room's length with its buffer between them.

use std::collections::HashMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{OnConflict, Query},
};

use crate::accounts::{Account, Role};
use crate::db::lock_row;
use crate::entities::{availability, booking, mediation_room, room_mediator, room_schedule};
use crate::time::{at_local, local_date};
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    pub slot_minutes: i32,
    pub buffer_minutes: i32,
    pub needs_confirmation: bool,
    pub horizon_days: i32,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            slot_minutes: 60,
            buffer_minutes: 15,
            needs_confirmation: true,
            horizon_days: 28,
        }
    }
}

impl Schedule {
    fn is_valid(&self) -> bool {
        (15..=240).contains(&self.slot_minutes)
            && (0..=120).contains(&self.buffer_minutes)
            && (1..=90).contains(&self.horizon_days)
    }
}

/// One bookable session.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl Slot {
    /// Whether a session in this slot would overlap one held from `starts_at` to `ends_at`,
    /// counting `buffer_minutes` that must stay free between two sessions.
    pub fn clashes_with(
        &self,
        starts_at: DateTime<Utc>,
        ends_at: DateTime<Utc>,
        buffer_minutes: i32,
    ) -> bool {
        let buffer = Duration::minutes(buffer_minutes.into());
        starts_at < self.ends_at + buffer && self.starts_at < ends_at + buffer
    }
}

/// A window as a mediator enters it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Window {
    Weekly {
        weekday: u32,
        start: i32,
        end: i32,
    },
    Extra {
        day: NaiveDate,
        start: i32,
        end: i32,
    },
    DayOff {
        day: NaiveDate,
    },
}

impl From<room_schedule::Model> for Schedule {
    fn from(s: room_schedule::Model) -> Self {
        Schedule {
            slot_minutes: s.slot_minutes,
            buffer_minutes: s.buffer_minutes,
            needs_confirmation: s.needs_confirmation,
            horizon_days: s.horizon_days,
        }
    }
}

pub async fn schedule_of(db: &impl ConnectionTrait, room_id: i32) -> Result<Schedule> {
    Ok(room_schedule::Entity::find_by_id(room_id)
        .one(db)
        .await?
        .map(Schedule::from)
        .unwrap_or_default())
}

pub async fn save_schedule(
    db: &impl ConnectionTrait,
    room_id: i32,
    schedule: Schedule,
) -> Result<()> {
    if !schedule.is_valid() {
        return Err(Error::Invalid("mediation-schedule-invalid"));
    }
    room_schedule::Entity::insert(room_schedule::ActiveModel {
        room_id: Set(room_id),
        slot_minutes: Set(schedule.slot_minutes),
        buffer_minutes: Set(schedule.buffer_minutes),
        needs_confirmation: Set(schedule.needs_confirmation),
        horizon_days: Set(schedule.horizon_days),
    })
    .on_conflict(
        OnConflict::column(room_schedule::Column::RoomId)
            .update_columns([
                room_schedule::Column::SlotMinutes,
                room_schedule::Column::BufferMinutes,
                room_schedule::Column::NeedsConfirmation,
                room_schedule::Column::HorizonDays,
            ])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}

/// The room's windows: weekly ones by weekday, then dated ones by date.
pub async fn windows(db: &impl ConnectionTrait, room_id: i32) -> Result<Vec<availability::Model>> {
    Ok(availability::Entity::find()
        .filter(availability::Column::RoomId.eq(room_id))
        .order_by_asc(availability::Column::Kind)
        .order_by_asc(availability::Column::Weekday)
        .order_by_asc(availability::Column::Day)
        .order_by_asc(availability::Column::StartMinute)
        .all(db)
        .await?)
}

pub async fn add_window(db: &impl ConnectionTrait, room_id: i32, window: Window) -> Result<()> {
    let (kind, weekday, day, start, end) = match window {
        Window::Weekly {
            weekday,
            start,
            end,
        } => ("weekly", Some(weekday as i32), None, start, end),
        Window::Extra { day, start, end } => ("extra", None, Some(day), start, end),
        Window::DayOff { day } => ("off", None, Some(day), 0, 24 * 60),
    };
    let weekday_ok = weekday.is_none_or(|d| (1..=7).contains(&d));
    if !weekday_ok || start < 0 || end > 24 * 60 || start >= end {
        return Err(Error::Invalid("mediation-window-invalid"));
    }
    availability::Entity::insert(availability::ActiveModel {
        room_id: Set(room_id),
        kind: Set(kind.to_owned()),
        weekday: Set(weekday),
        day: Set(day.map(|d| d.to_string())),
        start_minute: Set(start),
        end_minute: Set(end),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}

pub async fn remove_window(db: &impl ConnectionTrait, room_id: i32, window_id: i32) -> Result<()> {
    availability::Entity::delete_many()
        .filter(availability::Column::Id.eq(window_id))
        .filter(availability::Column::RoomId.eq(room_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Cuts the windows into slots for `days` days from `from`. Days off win over every other
/// window of their date; overlapping windows give each slot once.
pub fn cut_slots(
    schedule: &Schedule,
    windows: &[availability::Model],
    from: NaiveDate,
    days: i64,
) -> Vec<Slot> {
    let step = schedule.slot_minutes + schedule.buffer_minutes;
    let mut slots = Vec::new();
    for offset in 0..days {
        let day = from + Duration::days(offset);
        let iso_day = day.to_string();
        let on_day = |w: &&availability::Model| w.day.as_deref() == Some(iso_day.as_str());
        if windows.iter().filter(on_day).any(|w| w.kind == "off") {
            continue;
        }
        let weekday = day.weekday().number_from_monday() as i32;
        for window in windows.iter().filter(|w| {
            (w.kind == "weekly" && w.weekday == Some(weekday)) || (w.kind == "extra" && on_day(w))
        }) {
            let mut start = window.start_minute;
            while start + schedule.slot_minutes <= window.end_minute {
                if let (Some(starts_at), Some(ends_at)) = (
                    at_local(day, start),
                    at_local(day, start + schedule.slot_minutes),
                ) {
                    slots.push(Slot { starts_at, ends_at });
                }
                start += step;
            }
        }
    }
    slots.sort();
    slots.dedup();
    slots
}

/// Every slot the room publishes over its horizon from today, held or not, with the
/// schedule they were cut by.
pub async fn published_slots(
    db: &impl ConnectionTrait,
    room_id: i32,
    now: DateTime<Utc>,
) -> Result<(Schedule, Vec<Slot>)> {
    let schedule = schedule_of(db, room_id).await?;
    let slots = slots_of(db, room_id, &schedule, now).await?;
    Ok((schedule, slots))
}

/// The slots `schedule` cuts from the room's windows over its horizon from today.
async fn slots_of(
    db: &impl ConnectionTrait,
    room_id: i32,
    schedule: &Schedule,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>> {
    let windows = windows(db, room_id).await?;
    Ok(cut_slots(
        schedule,
        &windows,
        local_date(now),
        schedule.horizon_days.into(),
    ))
}

/// Slots of the room's horizon that start after `earliest` and clash with no session held
/// in the room or in a room sharing one of its mediators. (A slot exactly at the cut-off
/// could be booked but not cancelled, so it is not offered.)
pub async fn free_slots(
    db: &impl ConnectionTrait,
    room_id: i32,
    earliest: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Vec<Slot>> {
    let rooms = linked_rooms(db, room_id).await?;
    let (schedule, buffers) = Buffers::of(db, room_id, &rooms).await?;
    let held = Held::new(sessions_held(db, rooms, earliest - buffers.widest(), None).await?);
    Ok(slots_of(db, room_id, &schedule, now)
        .await?
        .into_iter()
        .filter(|s| s.starts_at > earliest && !buffers.any_clash(s, &held))
        .collect())
}

/// The buffer a session of one room keeps from the sessions of the rooms linked to it: the
/// larger of the two rooms' buffers, so that each room's buffer holds whichever is booked.
struct Buffers {
    own: i32,
    others: HashMap<i32, i32>,
}

impl Buffers {
    /// The buffers of `room_id` against `rooms` (its linked rooms, itself among them), and
    /// the room's own schedule, read with theirs.
    async fn of(
        db: &impl ConnectionTrait,
        room_id: i32,
        rooms: &[i32],
    ) -> Result<(Schedule, Buffers)> {
        let mut others: HashMap<i32, i32> = rooms
            .iter()
            .map(|r| (*r, Schedule::default().buffer_minutes))
            .collect();
        let mut own = Schedule::default();
        for s in room_schedule::Entity::find()
            .filter(room_schedule::Column::RoomId.is_in(rooms.iter().copied()))
            .all(db)
            .await?
        {
            others.insert(s.room_id, s.buffer_minutes);
            if s.room_id == room_id {
                own = s.into();
            }
        }
        let buffers = Buffers {
            own: own.buffer_minutes,
            others,
        };
        Ok((own, buffers))
    }

    fn with(&self, room_id: i32) -> i32 {
        self.others
            .get(&room_id)
            .copied()
            .unwrap_or(0)
            .max(self.own)
    }

    /// The widest buffer of all, how far around a slot held sessions are looked for.
    fn widest(&self) -> Duration {
        Duration::minutes(
            self.others
                .values()
                .copied()
                .max()
                .unwrap_or(0)
                .max(self.own)
                .into(),
        )
    }

    fn any_clash(&self, slot: &Slot, held: &Held) -> bool {
        let margin = self.widest();
        // Only sessions starting from the longest session and the widest buffer before the
        // slot up to the widest buffer after it can clash with it.
        let first = held
            .sessions
            .partition_point(|b| b.starts_at + held.longest + margin <= slot.starts_at);
        let end = held
            .sessions
            .partition_point(|b| b.starts_at < slot.ends_at + margin);
        held.sessions
            .get(first..end)
            .unwrap_or_default()
            .iter()
            .any(|b| slot.clashes_with(b.starts_at, b.ends_at, self.with(b.room_id)))
    }
}

/// Sessions held, by start, and the longest of them. A room publishes up to 90 days of
/// slots and its busy weeks hold hundreds of sessions: each slot looks only at the few
/// around it, found by binary search, not at every session of the horizon.
struct Held {
    sessions: Vec<booking::Model>,
    longest: Duration,
}

impl Held {
    fn new(mut sessions: Vec<booking::Model>) -> Held {
        sessions.sort_by_key(|b| b.starts_at);
        let longest = sessions
            .iter()
            .map(|b| b.ends_at - b.starts_at)
            .max()
            .unwrap_or_else(Duration::zero);
        Held { sessions, longest }
    }
}

/// Sessions held (not cancelled) in `rooms` that end after `after` and, given `before`,
/// start before it.
async fn sessions_held(
    db: &impl ConnectionTrait,
    rooms: Vec<i32>,
    after: DateTime<Utc>,
    before: Option<DateTime<Utc>>,
) -> Result<Vec<booking::Model>> {
    let mut query = booking::Entity::find()
        .filter(booking::Column::RoomId.is_in(rooms))
        .filter(booking::Column::CancelledAt.is_null())
        .filter(booking::Column::EndsAt.gt(after));
    if let Some(before) = before {
        query = query.filter(booking::Column::StartsAt.lt(before));
    }
    Ok(query.all(db).await?)
}

/// The rooms whose sessions one in `room_id` must not overlap: the room itself and every
/// room sharing a mediator with it, because a mediator sits in one session at a time.
/// Sorted, so that their locks are always taken in the same order.
pub async fn linked_rooms(db: &impl ConnectionTrait, room_id: i32) -> Result<Vec<i32>> {
    let mediators = Query::select()
        .column(room_mediator::Column::UserId)
        .from(room_mediator::Entity)
        .and_where(room_mediator::Column::RoomId.eq(room_id))
        .to_owned();
    let mut rooms: Vec<i32> = room_mediator::Entity::find()
        .filter(room_mediator::Column::UserId.in_subquery(mediators))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.room_id)
        .collect();
    rooms.push(room_id);
    rooms.sort_unstable();
    rooms.dedup();
    Ok(rooms)
}

/// Whether a session in `slot` of `room_id` would clash with one held in a linked room.
/// Inside a transaction it first locks the linked rooms' rows (a write that changes
/// nothing: a row lock on PostgreSQL, the write lock on SQLite), so that bookings which
/// could clash are checked one after another and the first one's session is seen.
pub(crate) async fn clashes(txn: &impl ConnectionTrait, room_id: i32, slot: Slot) -> Result<bool> {
    let rooms = linked_rooms(txn, room_id).await?;
    for room in &rooms {
        lock_row::<mediation_room::Entity>(
            txn,
            mediation_room::Column::Id,
            *room,
            mediation_room::Column::Name,
        )
        .await?;
    }
    let (_, buffers) = Buffers::of(txn, room_id, &rooms).await?;
    let margin = buffers.widest();
    let held = sessions_held(
        txn,
        rooms,
        slot.starts_at - margin,
        Some(slot.ends_at + margin),
    )
    .await?;
    Ok(buffers.any_clash(&slot, &Held::new(held)))
}

/// The room, or not found.
pub async fn room(db: &impl ConnectionTrait, room_id: i32) -> Result<mediation_room::Model> {
    mediation_room::Entity::find_by_id(room_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

pub async fn mediators_of(db: &impl ConnectionTrait, room_id: i32) -> Result<Vec<i32>> {
    Ok(room_mediator::Entity::find()
        .filter(room_mediator::Column::RoomId.eq(room_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// The rooms whose calendar and cases the account runs: the ones they are assigned to, or
/// every room for an admin.
pub async fn rooms_of(
    db: &impl ConnectionTrait,
    account: &Account,
) -> Result<Vec<mediation_room::Model>> {
    let query = mediation_room::Entity::find().order_by_asc(mediation_room::Column::Id);
    if account.has(Role::Admin) {
        return Ok(query.all(db).await?);
    }
    if !account.has(Role::Mediator) {
        return Ok(Vec::new());
    }
    let ids: Vec<i32> = room_mediator::Entity::find()
        .filter(room_mediator::Column::UserId.eq(account.user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.room_id)
        .collect();
    Ok(query
        .filter(mediation_room::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// Whether the account runs this room.
pub async fn runs_room(db: &impl ConnectionTrait, account: &Account, room_id: i32) -> Result<bool> {
    if account.has(Role::Admin) {
        return Ok(true);
    }
    Ok(account.has(Role::Mediator)
        && room_mediator::Entity::find_by_id((room_id, account.user.id))
            .one(db)
            .await?
            .is_some())
}

/// Makes a mediator one of the room's mediators (and gives them the role).
pub async fn assign(db: &impl ConnectionTrait, room_id: i32, user_id: i32) -> Result<()> {
    if mediation_room::Entity::find_by_id(room_id)
        .one(db)
        .await?
        .is_none()
    {
        return Err(Error::Invalid("mediation-room-invalid"));
    }
    crate::accounts::grant(db, user_id, Role::Mediator).await?;
    room_mediator::Entity::insert(room_mediator::ActiveModel {
        room_id: Set(room_id),
        user_id: Set(user_id),
    })
    .on_conflict_do_nothing_on([room_mediator::Column::RoomId, room_mediator::Column::UserId])
    .exec(db)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(
        kind: &str,
        weekday: Option<i32>,
        day: Option<&str>,
        start: i32,
        end: i32,
    ) -> availability::Model {
        availability::Model {
            id: 0,
            room_id: 1,
            kind: kind.to_owned(),
            weekday,
            day: day.map(str::to_owned),
            start_minute: start,
            end_minute: end,
        }
    }

    fn local_times(slots: &[Slot]) -> Vec<String> {
        slots
            .iter()
            .map(|s| crate::time::format_local(s.starts_at))
            .collect()
    }

    #[test]
    fn sessions_clash_when_they_overlap_or_come_closer_than_the_buffer() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let t = |hour: i32, minute: i32| at_local(day, hour * 60 + minute).expect("a time");
        let slot = Slot {
            starts_at: t(10, 0),
            ends_at: t(11, 0),
        };
        // (held from, held to, buffer, clashes, why)
        let cases = [
            ((10, 30), (11, 30), 0, true, "overlapping"),
            ((9, 0), (12, 0), 0, true, "inside a longer session"),
            ((10, 0), (11, 0), 0, true, "the same hour"),
            ((11, 0), (12, 0), 0, false, "back to back, no buffer"),
            ((9, 0), (10, 0), 0, false, "back to back before it"),
            ((11, 0), (12, 0), 15, true, "inside the buffer after"),
            ((8, 50), (9, 50), 15, true, "inside the buffer before"),
            ((11, 15), (12, 15), 15, false, "just after the buffer"),
            ((8, 45), (9, 45), 15, false, "just before the buffer"),
        ];
        for ((h1, m1), (h2, m2), buffer, clashes, why) in cases {
            assert_eq!(
                slot.clashes_with(t(h1, m1), t(h2, m2), buffer),
                clashes,
                "{why}"
            );
        }
    }

    #[test]
    fn held_sessions_are_searched_as_a_scan_of_all_of_them_would_find() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
        let t = |minute: i32| at_local(day, minute).expect("a time");
        // Two rooms, buffers of 10 and 25 minutes; sessions of 30 to 180 minutes, unsorted,
        // one of them far longer than the rest.
        let buffers = Buffers {
            own: 10,
            others: HashMap::from([(1, 10), (2, 25)]),
        };
        let sessions: Vec<booking::Model> = (0..40)
            .map(|i: i32| {
                let start = (i * 97) % 1400;
                let length = if i == 7 { 600 } else { 30 + (i * 37) % 150 };
                booking::Model {
                    id: i,
                    case_id: i,
                    room_id: 1 + i % 2,
                    starts_at: t(start),
                    ends_at: t(start + length),
                    created_at: t(0),
                    cancelled_at: None,
                }
            })
            .collect();
        let held = Held::new(sessions.clone());
        let mut seen = (false, false);
        for start in (0..2200).step_by(5) {
            let slot = Slot {
                starts_at: t(start),
                ends_at: t(start + 45),
            };
            let scan = sessions
                .iter()
                .any(|b| slot.clashes_with(b.starts_at, b.ends_at, buffers.with(b.room_id)));
            assert_eq!(
                buffers.any_clash(&slot, &held),
                scan,
                "slot at minute {start}"
            );
            if scan {
                seen.0 = true;
            } else {
                seen.1 = true;
            }
        }
        assert_eq!(seen, (true, true), "free slots and taken ones");
    }

    #[test]
    fn windows_are_cut_into_slots_with_a_buffer() {
        // 2026-11-30 is a Monday.
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let schedule = Schedule::default();
        let slots = cut_slots(
            &schedule,
            &[window("weekly", Some(1), None, 9 * 60, 11 * 60 + 30)],
            monday,
            7,
        );
        assert_eq!(
            local_times(&slots),
            ["2026-11-30 09:00", "2026-11-30 10:15"]
        );
        assert_eq!(slots[0].ends_at - slots[0].starts_at, Duration::minutes(60));
    }

    #[test]
    fn a_day_off_removes_the_weekly_slots_and_extra_windows_add_some() {
        let monday = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a date");
        let schedule = Schedule {
            slot_minutes: 30,
            buffer_minutes: 0,
            ..Schedule::default()
        };
        let windows = [
            window("weekly", Some(1), None, 9 * 60, 10 * 60),
            window("off", None, Some("2026-12-07"), 0, 1440),
            window("extra", None, Some("2026-12-05"), 14 * 60, 15 * 60),
            window("extra", None, Some("2026-12-05"), 14 * 60, 14 * 60 + 30),
        ];
        let slots = cut_slots(&schedule, &windows, monday, 14);
        assert_eq!(
            local_times(&slots),
            [
                "2026-11-30 09:00",
                "2026-11-30 09:30",
                "2026-12-05 14:00",
                "2026-12-05 14:30",
            ]
        );
    }
}
