//! 我的日历 — a person's mediation sessions and patrol shifts as calendar events: for the
//! secret address their phone's calendar subscribes to, and for the one-event download on a
//! case or a shift. The events carry facts only; the server writes them as iCalendar in the
//! reader's language.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use vocab::mediation::{Mode, Viewer};

use crate::accounts::{Account, Role, random_token};
use crate::entities::{
    booking, calendar_feed, mediation_case, mediation_room, room_mediator, shift, shift_signup,
    squad,
};
use crate::{Error, Result};

/// Every code this module refuses with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &["calendar-language-invalid"];

/// How far back a subscribed calendar still shows what happened: a month of past sessions
/// and shifts, so this week's stay visible and years of history are not sent every hour.
pub const LOOKBACK: Duration = Duration::days(30);

/// One session or shift.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    /// Stable across fetches and unique to the portal ("booking-12", "shift-34"), so a
    /// calendar updates a moved session in place instead of adding a second one.
    pub uid: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub what: What,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum What {
    /// A booked mediation session, for the resident who asked or a mediator of the room.
    Session {
        case_code: String,
        room: String,
        address: String,
        mode: Mode,
        as_mediator: bool,
    },
    /// A shift the person signed up for (and has not withdrawn from).
    Shift {
        squad: String,
        title: String,
        place: String,
    },
}

/// The person's calendar from `now - LOOKBACK` on, earliest first.
pub async fn events_of(
    db: &impl ConnectionTrait,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<Vec<Event>> {
    let since = now - LOOKBACK;
    let user_id = account.user.id;
    let mut events = Vec::new();

    let mine = booking::Entity::find()
        .find_also_related(mediation_case::Entity)
        .filter(booking::Column::CancelledAt.is_null())
        .filter(booking::Column::EndsAt.gt(since))
        .filter(mediation_case::Column::ResidentId.eq(user_id))
        .all(db)
        .await?;
    let mediated_rooms: Vec<i32> = if account.has(Role::Mediator) {
        room_mediator::Entity::find()
            .filter(room_mediator::Column::UserId.eq(user_id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.room_id)
            .collect()
    } else {
        Vec::new()
    };
    let mediated = if mediated_rooms.is_empty() {
        Vec::new()
    } else {
        booking::Entity::find()
            .find_also_related(mediation_case::Entity)
            .filter(booking::Column::CancelledAt.is_null())
            .filter(booking::Column::EndsAt.gt(since))
            .filter(booking::Column::RoomId.is_in(mediated_rooms))
            .all(db)
            .await?
    };
    let rooms = rooms_by_id(db).await?;
    // A mediator who once filed a case in their own room sees it once, as its mediator.
    let mut seen = std::collections::BTreeSet::new();
    for (as_mediator, rows) in [(true, mediated), (false, mine)] {
        for (booking, case) in rows {
            let Some(case) = case else { continue };
            if seen.insert(booking.id) {
                events.push(session_event(&booking, &case, &rooms, as_mediator));
            }
        }
    }

    let squads = squads_by_id(db).await?;
    for (_, shift) in shift_signup::Entity::find()
        .find_also_related(shift::Entity)
        .filter(shift_signup::Column::UserId.eq(user_id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .filter(shift::Column::EndsAt.gt(since))
        .all(db)
        .await?
    {
        if let Some(shift) = shift {
            events.push(shift_event(&shift, &squads));
        }
    }
    events.sort_by(|a, b| (a.starts_at, &a.uid).cmp(&(b.starts_at, &b.uid)));
    Ok(events)
}

/// The booked session of a case, for someone who may see the case; `NotFound` when the case
/// has no session booked.
pub async fn session_of_case(
    db: &impl ConnectionTrait,
    account: &Account,
    code: &str,
) -> Result<Event> {
    let case = crate::mediation::cases::load(db, code).await?;
    let viewer = crate::mediation::cases::viewer_of(db, account, &case).await?;
    let booking = crate::mediation::cases::active_booking(db, case.id)
        .await?
        .ok_or(Error::NotFound)?;
    let rooms = rooms_by_id(db).await?;
    Ok(session_event(
        &booking,
        &case,
        &rooms,
        viewer != Viewer::Resident,
    ))
}

/// A shift, for a volunteer signed up on it or a leader of its squad; anyone else is told it
/// does not exist.
pub async fn shift(db: &impl ConnectionTrait, account: &Account, shift_id: i32) -> Result<Event> {
    let shift = shift::Entity::find_by_id(shift_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let signed_up = shift_signup::Entity::find()
        .filter(shift_signup::Column::ShiftId.eq(shift.id))
        .filter(shift_signup::Column::UserId.eq(account.user.id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .one(db)
        .await?
        .is_some();
    if !signed_up && !crate::volunteers::leads(db, account, shift.squad_id).await? {
        return Err(Error::NotFound);
    }
    Ok(shift_event(&shift, &squads_by_id(db).await?))
}

fn session_event(
    booking: &booking::Model,
    case: &mediation_case::Model,
    rooms: &BTreeMap<i32, mediation_room::Model>,
    as_mediator: bool,
) -> Event {
    let room = rooms.get(&booking.room_id);
    Event {
        uid: format!("booking-{}", booking.id),
        starts_at: booking.starts_at,
        ends_at: booking.ends_at,
        what: What::Session {
            case_code: case.code.clone(),
            room: room.map(|r| r.name.clone()).unwrap_or_default(),
            address: room.map(|r| r.address.clone()).unwrap_or_default(),
            mode: case.mode,
            as_mediator,
        },
    }
}

fn shift_event(shift: &shift::Model, squads: &BTreeMap<i32, String>) -> Event {
    Event {
        uid: format!("shift-{}", shift.id),
        starts_at: shift.starts_at,
        ends_at: shift.ends_at,
        what: What::Shift {
            squad: squads.get(&shift.squad_id).cloned().unwrap_or_default(),
            title: shift.title.clone(),
            place: shift.place.clone(),
        },
    }
}

async fn rooms_by_id(db: &impl ConnectionTrait) -> Result<BTreeMap<i32, mediation_room::Model>> {
    Ok(mediation_room::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.id, r))
        .collect())
}

async fn squads_by_id(db: &impl ConnectionTrait) -> Result<BTreeMap<i32, String>> {
    Ok(squad::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|s| (s.id, s.name))
        .collect())
}

/// The person's secret address, if they made one: its token and language.
pub async fn feed_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<calendar_feed::Model>> {
    Ok(calendar_feed::Entity::find_by_id(user_id).one(db).await?)
}

/// Makes the person a new secret address in `lang` ("zh-CN" or "en"); the old one, if any,
/// stops working at once. Returns the token.
pub async fn renew_feed(
    db: &impl ConnectionTrait,
    user_id: i32,
    lang: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    if !matches!(lang, "zh-CN" | "en") {
        return Err(Error::Invalid("calendar-language-invalid"));
    }
    let token = random_token()?;
    let row = calendar_feed::ActiveModel {
        user_id: Set(user_id),
        token: Set(token.clone()),
        lang: Set(lang.to_owned()),
        created_at: Set(now),
    };
    // One statement that inserts or replaces: two renewals at once leave one address.
    calendar_feed::Entity::insert(row)
        .on_conflict(
            sea_orm::sea_query::OnConflict::column(calendar_feed::Column::UserId)
                .update_columns([
                    calendar_feed::Column::Token,
                    calendar_feed::Column::Lang,
                    calendar_feed::Column::CreatedAt,
                ])
                .to_owned(),
        )
        .exec(db)
        .await?;
    Ok(token)
}

/// Turns the person's address off: calendars subscribed to it get "not found" from now on.
pub async fn stop_feed(db: &impl ConnectionTrait, user_id: i32) -> Result<()> {
    calendar_feed::Entity::delete_by_id(user_id)
        .exec(db)
        .await?;
    Ok(())
}

/// Whose address `token` is, with its language. Anything that is not a live token is
/// `NotFound`, whatever its shape.
pub async fn feed_owner(db: &impl ConnectionTrait, token: &str) -> Result<(Account, String)> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound);
    }
    let feed = calendar_feed::Entity::find()
        .filter(calendar_feed::Column::Token.eq(token))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let user = crate::entities::user::Entity::find_by_id(feed.user_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let roles = crate::accounts::roles_of(db, user.id).await?;
    Ok((Account { user, roles }, feed.lang))
}

/// What the personal-data download says of the calendar address: whether there is one and
/// since when (the token itself is in it, as everything else the person owns).
pub async fn export_for(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<serde_json::Map<String, serde_json::Value>> {
    let mut data = serde_json::Map::new();
    data.insert(
        "calendar_address".into(),
        match feed_of(db, user_id).await? {
            Some(feed) => serde_json::json!({"created_at": feed.created_at, "language": feed.lang}),
            None => serde_json::Value::Null,
        },
    );
    Ok(data)
}
