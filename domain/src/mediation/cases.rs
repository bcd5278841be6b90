//! A case's life. Every step is a status change guarded in the database (`UPDATE … WHERE
//! status IN (…)`), written in one transaction with its timeline event and the inbox
//! messages it causes, so two people acting at once cannot both win and nothing is
//! half-written.

use chrono::{DateTime, Datelike, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
    sea_query::{Expr, SimpleExpr},
};

use super::schedule::{self, Schedule, Slot};
use super::{
    DisputeType, EventKind, Level, Mode, Outcome, Policy, ReferralResult, ReferralTarget, Status,
    Viewer,
};
use crate::accounts::{Account, Role, phone};
use crate::db::{lock_user, unique_violation};
use crate::entities::{booking, case_event, mediation_case, mediation_room, user};
use crate::text::{clean, length_within, one_line};
use crate::time::local_date;
use crate::{Error, Result, inbox};

/// What a resident fills in to ask for mediation.
#[derive(Clone, Debug, Default)]
pub struct CaseRequest {
    pub dispute_type: String,
    pub account: String,
    pub other_party: String,
    pub other_relation: String,
    /// Empty when not given.
    pub other_phone: String,
    pub amount_claimed: Option<i64>,
    pub tried_aid_station: bool,
    pub mode: String,
    pub room_id: i32,
}

/// The largest amount the forms accept, in yuan: far above any neighbourhood dispute,
/// low enough that a slip of the finger is caught.
pub const MAX_AMOUNT: i64 = 100_000_000;

/// A case with everything its page shows.
#[derive(Clone, Debug)]
pub struct CaseDetail {
    pub case: mediation_case::Model,
    pub room: mediation_room::Model,
    pub booking: Option<booking::Model>,
    pub events: Vec<case_event::Model>,
    pub viewer: Viewer,
    resident_phone: Option<String>,
}

impl CaseDetail {
    /// The other party's number: whole for mediators, masked for everyone else.
    pub fn other_phone(&self) -> Option<String> {
        let number = self.case.other_phone.as_deref()?;
        Some(match self.viewer {
            Viewer::Mediator => number.to_owned(),
            _ => phone::mask(number),
        })
    }

    /// The resident's number: whole for the mediators who call them, masked otherwise.
    pub fn resident_phone(&self) -> Option<String> {
        let number = self.resident_phone.as_deref()?;
        Some(match self.viewer {
            Viewer::Mediator => number.to_owned(),
            _ => phone::mask(number),
        })
    }

    fn status(&self) -> Status {
        self.case.status
    }

    fn before_cutoff(&self, policy: &Policy, now: DateTime<Utc>) -> bool {
        before_cutoff(self.booking.as_ref(), policy, now)
    }

    /// The resident may still choose or change the slot, or cancel.
    pub fn resident_may_change(&self, policy: &Policy, now: DateTime<Utc>) -> bool {
        self.viewer == Viewer::Resident
            && Status::OPEN.contains(&self.status())
            && self.before_cutoff(policy, now)
    }

    /// How long the case stayed at each level of the ladder, in order.
    pub fn level_stays(&self, now: DateTime<Utc>) -> Vec<(Level, Duration)> {
        let escalations: Vec<&case_event::Model> = self
            .events
            .iter()
            .filter(|e| e.kind == EventKind::Escalated)
            .collect();
        let first = escalations
            .first()
            .and_then(|e| e.from_level)
            .unwrap_or(self.case.level);
        let end = match self.status() {
            s if Status::OPEN.contains(&s) || s == Status::Resolved || s == Status::Escalated => {
                now
            }
            _ => self.case.updated_at,
        };
        let mut stays = Vec::new();
        let mut level = first;
        let mut since = self.case.created_at;
        for event in escalations {
            stays.push((level, event.at - since));
            level = event.to_level.unwrap_or(level);
            since = event.at;
        }
        stays.push((level, end - since));
        stays
    }
}

/// A case in a mediator's queue or a resident's list.
#[derive(Clone, Debug)]
pub struct CaseLine {
    pub case: mediation_case::Model,
    pub room: String,
    pub slot: Option<DateTime<Utc>>,
}

/// A mediator's work, by what it waits for.
#[derive(Clone, Debug, Default)]
pub struct Queue {
    /// Requests without a slot, and bookings waiting to be accepted.
    pub new: Vec<CaseLine>,
    pub today: Vec<CaseLine>,
    pub upcoming: Vec<CaseLine>,
    /// Sessions whose time has come, without an outcome yet.
    pub awaiting_outcome: Vec<CaseLine>,
    pub awaiting_follow_up: Vec<CaseLine>,
}

/// 一案一码: `ZBS-2026-7K3Q9M`. Thirty-two letters and digits without 0/O, 1/I, so a code
/// read out over the phone is not misheard; six of them make a billion codes a year.
pub fn new_code(now: DateTime<Utc>) -> Result<String> {
    new_code_with("ZBS", now)
}

/// A code `PREFIX-YEAR-XXXXXX` of six random characters that cannot be misread (no 0/O,
/// 1/I): short enough to say on the phone, and each kind of record has its prefix.
pub fn new_code_with(prefix: &str, now: DateTime<Utc>) -> Result<String> {
    const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the system has no source of randomness"))?;
    let tail: String = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    Ok(format!("{prefix}-{}-{tail}", local_date(now).year()))
}

/// A request that passed every rule, ready to be filed.
pub(crate) struct Checked {
    dispute: DisputeType,
    story: String,
    other_party: String,
    relation: String,
    other_phone: Option<String>,
    amount_claimed: Option<i64>,
    tried_aid_station: bool,
    mode: Mode,
    room_id: i32,
}

/// Checks every field of a request against the rules; nothing is written.
pub(crate) async fn check(db: &impl ConnectionTrait, form: &CaseRequest) -> Result<Checked> {
    let dispute =
        DisputeType::parse(&form.dispute_type).ok_or(Error::Invalid("mediation-type-invalid"))?;
    let story = clean(&form.account);
    if !length_within(&story, 10, 1000) {
        return Err(Error::Invalid("mediation-account-length"));
    }
    let other_party = one_line(&form.other_party);
    if !length_within(&other_party, 1, 50) {
        return Err(Error::Invalid("mediation-other-party-required"));
    }
    let relation = one_line(&form.other_relation);
    if !length_within(&relation, 0, 20) {
        return Err(Error::Invalid("mediation-relation-long"));
    }
    let other_phone = phone::normalise(&form.other_phone);
    if !other_phone.is_empty() && !phone::is_valid(&other_phone) {
        return Err(Error::Invalid("mediation-other-phone-invalid"));
    }
    if form
        .amount_claimed
        .is_some_and(|a| !(0..=MAX_AMOUNT).contains(&a))
    {
        return Err(Error::Invalid("mediation-amount-invalid"));
    }
    let mode = Mode::parse(&form.mode).ok_or(Error::Invalid("mediation-mode-invalid"))?;
    let room = mediation_room::Entity::find_by_id(form.room_id)
        .one(db)
        .await?
        .filter(|r| r.retired_at.is_none())
        .ok_or(Error::Invalid("mediation-room-invalid"))?;
    Ok(Checked {
        dispute,
        story,
        other_party,
        relation,
        other_phone: Some(other_phone).filter(|p| !p.is_empty()),
        amount_claimed: form.amount_claimed,
        tried_aid_station: form.tried_aid_station,
        mode,
        room_id: room.id,
    })
}

/// Files a checked request for `resident` (written by `actor`: the resident, or an officer
/// on their behalf) with its first event, and tells the room's mediators. `None` when the
/// drawn code clashed with another case's: the transaction is spoilt and the caller draws
/// again in a new one.
pub(crate) async fn file(
    txn: &DatabaseTransaction,
    resident: &user::Model,
    checked: &Checked,
    actor: i32,
    now: DateTime<Utc>,
) -> Result<Option<mediation_case::Model>> {
    let inserted = mediation_case::ActiveModel {
        code: Set(new_code(now)?),
        resident_id: Set(Some(resident.id)),
        community_id: Set(resident.community_id),
        room_id: Set(checked.room_id),
        dispute_type: Set(checked.dispute),
        account: Set(checked.story.clone()),
        other_party: Set(checked.other_party.clone()),
        other_relation: Set(checked.relation.clone()),
        other_phone: Set(checked.other_phone.clone()),
        amount_claimed: Set(checked.amount_claimed),
        tried_aid_station: Set(checked.tried_aid_station),
        mode: Set(checked.mode),
        level: Set(Level::Room),
        status: Set(Status::Requested),
        created_at: Set(now),
        updated_at: Set(now),
        is_demo: Set(false),
        ..Default::default()
    };
    let case = match mediation_case::Entity::insert(inserted)
        .exec_with_returning(txn)
        .await
    {
        Ok(case) => case,
        Err(e) if unique_violation(&e).is_some() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    record(txn, &case, EventKind::Requested, Some(actor), now, |_| {}).await?;
    notify_mediators(txn, &case, "inbox-case-new", now).await?;
    Ok(Some(case))
}

/// Files a request for mediation. Nothing is written unless every field is acceptable.
pub async fn request(
    db: &DatabaseConnection,
    account: &Account,
    form: CaseRequest,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<mediation_case::Model> {
    let checked = check(db, &form).await?;
    // A clash of random codes is unlikely, not impossible: the unique index catches it and
    // the next attempt draws again.
    for _ in 0..3 {
        let txn = db.begin().await?;
        lock_user(&txn, account.user.id).await?;
        let recent = mediation_case::Entity::find()
            .filter(mediation_case::Column::ResidentId.eq(account.user.id))
            .filter(mediation_case::Column::CreatedAt.gt(now - Duration::days(1)))
            .count(&txn)
            .await?;
        if recent >= policy.requests_per_day {
            return Err(Error::Throttled("mediation-throttled"));
        }
        if let Some(case) = file(&txn, &account.user, &checked, account.user.id, now).await? {
            txn.commit().await?;
            return Ok(case);
        }
    }
    Err(Error::Invalid("mediation-case-changed"))
}

pub(crate) async fn load(db: &impl ConnectionTrait, code: &str) -> Result<mediation_case::Model> {
    mediation_case::Entity::find()
        .filter(mediation_case::Column::Code.eq(crate::text::case_code(code)))
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Whether the resident may still move or cancel `booking` (or book, having none).
fn before_cutoff(booking: Option<&booking::Model>, policy: &Policy, now: DateTime<Utc>) -> bool {
    booking.is_none_or(|b| now < b.starts_at - policy.cutoff)
}

/// How `account` relates to `case`. Anyone else is told the case does not exist, so a
/// guessed code reveals nothing.
pub async fn viewer_of(
    db: &impl ConnectionTrait,
    account: &Account,
    case: &mediation_case::Model,
) -> Result<Viewer> {
    if schedule::runs_room(db, account, case.room_id).await? {
        Ok(Viewer::Mediator)
    } else if account.has(Role::Officer) {
        Ok(Viewer::Officer)
    } else if case.resident_id == Some(account.user.id) {
        Ok(Viewer::Resident)
    } else {
        Err(Error::NotFound)
    }
}

pub(crate) async fn active_booking(
    db: &impl ConnectionTrait,
    case_id: i32,
) -> Result<Option<booking::Model>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::CaseId.eq(case_id))
        .filter(booking::Column::CancelledAt.is_null())
        .one(db)
        .await?)
}

/// The case as `account` may see it.
pub async fn detail(db: &DatabaseConnection, account: &Account, code: &str) -> Result<CaseDetail> {
    let case = load(db, code).await?;
    let viewer = viewer_of(db, account, &case).await?;
    let room = mediation_room::Entity::find_by_id(case.room_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let booking = active_booking(db, case.id).await?;
    let events = case_event::Entity::find()
        .filter(case_event::Column::CaseId.eq(case.id))
        .order_by_asc(case_event::Column::At)
        .order_by_asc(case_event::Column::Id)
        .all(db)
        .await?;
    let resident_phone = match case.resident_id {
        Some(id) => user::Entity::find_by_id(id).one(db).await?.map(|u| u.phone),
        None => None,
    };
    Ok(CaseDetail {
        case,
        room,
        booking,
        events,
        viewer,
        resident_phone,
    })
}

/// Moves the case from one of `from` to `to`, with `more` columns, or refuses when
/// someone else moved it first.
async fn set_status(
    txn: &DatabaseTransaction,
    case_id: i32,
    from: &[Status],
    to: Status,
    now: DateTime<Utc>,
    more: Vec<(mediation_case::Column, SimpleExpr)>,
) -> Result<()> {
    let mut update = mediation_case::Entity::update_many()
        .col_expr(mediation_case::Column::Status, Expr::value(to.as_str()))
        .col_expr(mediation_case::Column::UpdatedAt, Expr::value(now));
    for (column, value) in more {
        update = update.col_expr(column, value);
    }
    let result = update
        .filter(mediation_case::Column::Id.eq(case_id))
        .filter(mediation_case::Column::Status.is_in(from.iter().map(|s| s.as_str())))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(Error::Invalid("mediation-case-changed"));
    }
    Ok(())
}

async fn record(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    kind: EventKind,
    actor: Option<i32>,
    at: DateTime<Utc>,
    fill: impl FnOnce(&mut case_event::ActiveModel),
) -> Result<()> {
    let mut event = case_event::ActiveModel {
        case_id: Set(case.id),
        at: Set(at),
        kind: Set(kind),
        actor_id: Set(actor),
        ..Default::default()
    };
    fill(&mut event);
    case_event::Entity::insert(event).exec(txn).await?;
    crate::casework::sources::follow_mediation(txn, case, kind, actor, at).await
}

/// The page of the case with this code.
pub fn case_link(code: &str) -> String {
    format!("/mediation/cases/{code}")
}

/// Tells `readers` of news about the case, in one write.
async fn tell(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    readers: Vec<i32>,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let link = case_link(&case.code);
    inbox::send_many(txn, readers, topic, &case.code, &link, now).await
}

async fn notify_resident(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let readers = case.resident_id.into_iter().collect();
    tell(txn, case, readers, topic, now).await
}

async fn notify_mediators(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let readers = schedule::mediators_of(txn, case.room_id).await?;
    tell(txn, case, readers, topic, now).await
}

/// The room's mediators and the resident, told the same news.
async fn notify_everyone(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    topic: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut readers = schedule::mediators_of(txn, case.room_id).await?;
    readers.extend(case.resident_id);
    tell(txn, case, readers, topic, now).await
}

async fn cancel_booking(txn: &DatabaseTransaction, case_id: i32, now: DateTime<Utc>) -> Result<()> {
    booking::Entity::update_many()
        .col_expr(booking::Column::CancelledAt, Expr::value(now))
        .filter(booking::Column::CaseId.eq(case_id))
        .filter(booking::Column::CancelledAt.is_null())
        .exec(txn)
        .await?;
    Ok(())
}

/// Holds `slot` for the case in place of any slot it held. The status change comes first:
/// it is the transaction's first write, so on SQLite the transaction queues for the write
/// lock instead of failing. Then the clash check, under the rooms' locks, refuses a session
/// overlapping one the room or its mediators hold (a slot of an older, longer calendar, or
/// another room of the same mediator); the unique index stays as the last word on one slot.
async fn place_booking(
    db: &DatabaseConnection,
    case: &mediation_case::Model,
    seen: Option<&booking::Model>,
    slot: Slot,
    to: Status,
    more: Vec<(mediation_case::Column, SimpleExpr)>,
    now: DateTime<Utc>,
) -> Result<DatabaseTransaction> {
    let txn = db.begin().await?;
    set_status(&txn, case.id, &Status::OPEN, to, now, more).await?;
    // Only the booking the actor saw is given up. Had someone (or a second click) moved the
    // case meanwhile, that booking is gone, or the one-per-case index refuses a second.
    if let Some(seen) = seen {
        let cancelled = booking::Entity::update_many()
            .col_expr(booking::Column::CancelledAt, Expr::value(now))
            .filter(booking::Column::Id.eq(seen.id))
            .filter(booking::Column::CancelledAt.is_null())
            .exec(&txn)
            .await?;
        if cancelled.rows_affected == 0 {
            return Err(Error::Invalid("mediation-case-changed"));
        }
    }
    if schedule::clashes(&txn, case.room_id, slot).await? {
        return Err(Error::Invalid("mediation-slot-taken"));
    }
    let inserted = booking::Entity::insert(booking::ActiveModel {
        case_id: Set(case.id),
        room_id: Set(case.room_id),
        starts_at: Set(slot.starts_at),
        ends_at: Set(slot.ends_at),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(_) => Ok(txn),
        Err(e) => match unique_violation(&e) {
            Some(message) if message.contains("case") => {
                Err(Error::Invalid("mediation-case-changed"))
            }
            Some(_) => Err(Error::Invalid("mediation-slot-taken")),
            None => Err(e.into()),
        },
    }
}

/// The published slot at `starts_at`, whether free or not (the booking decides that), and
/// the room's schedule.
async fn offered_slot(
    db: &impl ConnectionTrait,
    room_id: i32,
    starts_at: DateTime<Utc>,
    earliest: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(Schedule, Slot)> {
    let (schedule, slots) = schedule::published_slots(db, room_id, now).await?;
    let slot = slots
        .into_iter()
        .find(|s| s.starts_at == starts_at && s.starts_at > earliest)
        .ok_or(Error::Invalid("mediation-slot-unavailable"))?;
    Ok((schedule, slot))
}

/// The resident books a slot, or moves to another one before the cut-off.
pub async fn book(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    starts_at: DateTime<Utc>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<()> {
    // Only what the booking needs, not the whole case page: this is the busiest write.
    let case = &load(db, code).await?;
    let viewer = viewer_of(db, account, case).await?;
    if viewer != Viewer::Resident && case.resident_id != Some(account.user.id) {
        return Err(Error::Forbidden);
    }
    let booking = active_booking(db, case.id).await?;
    if !before_cutoff(booking.as_ref(), policy, now) {
        return Err(Error::Invalid("mediation-too-late"));
    }
    let (schedule, slot) =
        offered_slot(db, case.room_id, starts_at, now + policy.cutoff, now).await?;
    let confirm = schedule.needs_confirmation;
    let to = if confirm {
        Status::Booked
    } else {
        Status::Accepted
    };
    let txn = place_booking(db, case, booking.as_ref(), slot, to, Vec::new(), now).await?;
    let (kind, topic) = match booking {
        Some(_) => (EventKind::Rescheduled, "inbox-case-rescheduled"),
        None => (EventKind::Booked, "inbox-case-booked"),
    };
    record(&txn, case, kind, Some(account.user.id), now, |e| {
        e.slot_at = Set(Some(slot.starts_at))
    })
    .await?;
    if !confirm {
        record(&txn, case, EventKind::Accepted, None, now, |_| {}).await?;
    }
    notify_everyone(&txn, case, topic, now).await?;
    txn.commit().await?;
    Ok(())
}

async fn as_mediator(db: &DatabaseConnection, account: &Account, code: &str) -> Result<CaseDetail> {
    let detail = detail(db, account, code).await?;
    if detail.viewer != Viewer::Mediator {
        return Err(Error::Forbidden);
    }
    Ok(detail)
}

fn reason(text: &str) -> Result<String> {
    let reason = clean(text);
    if length_within(&reason, 2, 200) {
        Ok(reason)
    } else {
        Err(Error::Invalid("mediation-reason-required"))
    }
}

/// A mediator moves the session to another free slot of the room, and takes the case.
pub async fn propose(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    starts_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let detail = as_mediator(db, account, code).await?;
    let case = &detail.case;
    let (_, slot) = offered_slot(db, case.room_id, starts_at, now, now).await?;
    let more = vec![(
        mediation_case::Column::MediatorId,
        Expr::value(account.user.id),
    )];
    let txn = place_booking(
        db,
        case,
        detail.booking.as_ref(),
        slot,
        Status::Accepted,
        more,
        now,
    )
    .await?;
    record(
        &txn,
        case,
        EventKind::Proposed,
        Some(account.user.id),
        now,
        |e| e.slot_at = Set(Some(slot.starts_at)),
    )
    .await?;
    notify_resident(&txn, case, "inbox-case-proposed", now).await?;
    txn.commit().await?;
    Ok(())
}

/// A mediator confirms a booking: the session is in their calendar.
pub async fn accept(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let detail = as_mediator(db, account, code).await?;
    let case = &detail.case;
    let txn = db.begin().await?;
    let more = vec![(
        mediation_case::Column::MediatorId,
        Expr::value(account.user.id),
    )];
    set_status(
        &txn,
        case.id,
        &[Status::Booked],
        Status::Accepted,
        now,
        more,
    )
    .await?;
    record(
        &txn,
        case,
        EventKind::Accepted,
        Some(account.user.id),
        now,
        |_| {},
    )
    .await?;
    notify_resident(&txn, case, "inbox-case-accepted", now).await?;
    txn.commit().await?;
    Ok(())
}

/// A mediator declines the request, saying why; the slot is freed.
pub async fn decline(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let why = reason(why)?;
    let detail = as_mediator(db, account, code).await?;
    let case = &detail.case;
    let txn = db.begin().await?;
    set_status(
        &txn,
        case.id,
        &Status::OPEN,
        Status::Declined,
        now,
        Vec::new(),
    )
    .await?;
    cancel_booking(&txn, case.id, now).await?;
    record(
        &txn,
        case,
        EventKind::Declined,
        Some(account.user.id),
        now,
        |e| e.note = Set(Some(why)),
    )
    .await?;
    notify_resident(&txn, case, "inbox-case-declined", now).await?;
    txn.commit().await?;
    Ok(())
}

/// The resident withdraws the request, until the cut-off before the slot.
pub async fn cancel(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<()> {
    let detail = detail(db, account, code).await?;
    let case = &detail.case;
    if case.resident_id != Some(account.user.id) {
        return Err(Error::Forbidden);
    }
    if !detail.before_cutoff(policy, now) {
        return Err(Error::Invalid("mediation-too-late"));
    }
    let txn = db.begin().await?;
    set_status(
        &txn,
        case.id,
        &Status::OPEN,
        Status::Cancelled,
        now,
        Vec::new(),
    )
    .await?;
    cancel_booking(&txn, case.id, now).await?;
    record(
        &txn,
        case,
        EventKind::Cancelled,
        Some(account.user.id),
        now,
        |_| {},
    )
    .await?;
    notify_everyone(&txn, case, "inbox-case-cancelled", now).await?;
    txn.commit().await?;
    Ok(())
}

/// What a mediator records after the session.
#[derive(Clone, Debug, Default)]
pub struct OutcomeRecord {
    pub outcome: String,
    pub agreement: String,
    pub amount_settled: Option<i64>,
    /// Where a referred case goes (`ReferralTarget`); ignored for any other outcome.
    pub referred_to: String,
    /// Where exactly: required for "other".
    pub referral_note: String,
}

pub async fn record_outcome(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    form: OutcomeRecord,
    now: DateTime<Utc>,
) -> Result<()> {
    let outcome =
        Outcome::parse(&form.outcome).ok_or(Error::Invalid("mediation-outcome-invalid"))?;
    let agreement = clean(&form.agreement);
    if !length_within(&agreement, 0, 1000) {
        return Err(Error::Invalid("mediation-text-long"));
    }
    if agreement.is_empty() && matches!(outcome, Outcome::Reached | Outcome::Partly) {
        return Err(Error::Invalid("mediation-agreement-required"));
    }
    if form
        .amount_settled
        .is_some_and(|a| !(0..=MAX_AMOUNT).contains(&a))
    {
        return Err(Error::Invalid("mediation-amount-invalid"));
    }
    let (referred_to, referral_note) = referral(outcome, &form)?;
    let detail = as_mediator(db, account, code).await?;
    let case = &detail.case;
    let txn = db.begin().await?;
    let more = vec![
        (
            mediation_case::Column::Outcome,
            Expr::value(outcome.as_str()),
        ),
        (
            mediation_case::Column::ReferredTo,
            Expr::value(referred_to.map(|t| t.as_str())),
        ),
        (
            mediation_case::Column::ReferralNote,
            Expr::value(referral_note),
        ),
        (
            mediation_case::Column::Agreement,
            Expr::value(Some(agreement.clone()).filter(|a| !a.is_empty())),
        ),
        (
            mediation_case::Column::AmountSettled,
            Expr::value(form.amount_settled),
        ),
        (mediation_case::Column::OutcomeAt, Expr::value(now)),
        (
            mediation_case::Column::MediatorId,
            Expr::value(case.mediator_id.unwrap_or(account.user.id)),
        ),
    ];
    set_status(
        &txn,
        case.id,
        &[Status::Accepted],
        Status::Resolved,
        now,
        more,
    )
    .await?;
    let held_at = detail
        .booking
        .as_ref()
        .map(|b| b.starts_at)
        .filter(|at| *at <= now)
        .unwrap_or(now);
    record(
        &txn,
        case,
        EventKind::Held,
        Some(account.user.id),
        held_at,
        |_| {},
    )
    .await?;
    record(
        &txn,
        case,
        EventKind::Outcome,
        Some(account.user.id),
        now,
        |e| e.note = Set(Some(outcome.as_str().to_owned())),
    )
    .await?;
    notify_resident(&txn, case, "inbox-case-outcome", now).await?;
    txn.commit().await?;
    Ok(())
}

/// The target and note of a referral: both required of the outcome "referred" (the note only
/// for "other"), and dropped for any other outcome, whose form may still carry them.
fn referral(
    outcome: Outcome,
    form: &OutcomeRecord,
) -> Result<(Option<ReferralTarget>, Option<String>)> {
    if outcome != Outcome::Referred {
        return Ok((None, None));
    }
    let target = ReferralTarget::parse(form.referred_to.trim())
        .ok_or(Error::Invalid("mediation-referral-target-required"))?;
    let note = one_line(&form.referral_note);
    if !length_within(&note, 0, 100) {
        return Err(Error::Invalid("mediation-text-long"));
    }
    if note.is_empty() && target == ReferralTarget::Other {
        return Err(Error::Invalid("mediation-referral-note-required"));
    }
    Ok((Some(target), Some(note).filter(|n| !n.is_empty())))
}

/// What became of a referral, as a mediator of the room learned it; may be corrected later.
pub async fn record_referral_result(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    result: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let result =
        ReferralResult::parse(result).ok_or(Error::Invalid("mediation-referral-result-invalid"))?;
    let detail = as_mediator(db, account, code).await?;
    let written = mediation_case::Entity::update_many()
        .col_expr(
            mediation_case::Column::ReferralResult,
            Expr::value(result.as_str()),
        )
        .col_expr(mediation_case::Column::UpdatedAt, Expr::value(now))
        .filter(mediation_case::Column::Id.eq(detail.case.id))
        .filter(mediation_case::Column::ReferredTo.is_not_null())
        .exec(db)
        .await?;
    if written.rows_affected == 0 {
        return Err(Error::Invalid("mediation-not-referred"));
    }
    Ok(())
}

/// 回访: the resident rates the mediation online, or a mediator records a phone call.
pub async fn follow_up(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    rating: i32,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if !(1..=5).contains(&rating) {
        return Err(Error::Invalid("mediation-rating-invalid"));
    }
    let comment = clean(comment);
    if !length_within(&comment, 0, 500) {
        return Err(Error::Invalid("mediation-text-long"));
    }
    let detail = detail(db, account, code).await?;
    let case = &detail.case;
    let channel = match detail.viewer {
        Viewer::Mediator if case.resident_id != Some(account.user.id) => "phone",
        _ if case.resident_id == Some(account.user.id) => "online",
        _ => return Err(Error::Forbidden),
    };
    let txn = db.begin().await?;
    let more = vec![
        (mediation_case::Column::Satisfaction, Expr::value(rating)),
        (
            mediation_case::Column::FollowUpComment,
            Expr::value(Some(comment.clone()).filter(|c| !c.is_empty())),
        ),
        (
            mediation_case::Column::FollowUpChannel,
            Expr::value(channel),
        ),
        (mediation_case::Column::FollowUpAt, Expr::value(now)),
    ];
    set_status(
        &txn,
        case.id,
        &[Status::Resolved],
        Status::Closed,
        now,
        more,
    )
    .await?;
    record(
        &txn,
        case,
        EventKind::FollowUp,
        Some(account.user.id),
        now,
        |e| e.note = Set(Some(format!("{channel}:{rating}"))),
    )
    .await?;
    if channel == "phone" {
        notify_resident(&txn, case, "inbox-case-followed-up", now).await?;
    } else {
        notify_mediators(&txn, case, "inbox-case-followed-up", now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Moves the case along the ladder, up or down, with a reason. Above the mediation room
/// the case leaves the room's hands (its slot is freed); brought back to a room or a
/// mutual-aid station it waits for a slot again.
pub async fn escalate(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    to: &str,
    why: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let to = Level::parse(to).ok_or(Error::Invalid("mediation-level-invalid"))?;
    let why = reason(why)?;
    let detail = detail(db, account, code).await?;
    if detail.viewer == Viewer::Resident {
        return Err(Error::Forbidden);
    }
    let case = &detail.case;
    if case.level == to {
        return Err(Error::Invalid("mediation-level-invalid"));
    }
    let txn = db.begin().await?;
    raise(&txn, case, to, Some(account.user.id), why, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The statuses a case can be moved up or down the ladder from.
const MOVABLE: [Status; 4] = [
    Status::Requested,
    Status::Booked,
    Status::Accepted,
    Status::Escalated,
];

/// Moves the case to `to` on the ladder (互助站 → 调解室 → 社区 → 派出所): above the room it
/// waits as escalated, at or below it as requested; its session is freed, the move is on
/// its timeline (which takes the loop case to the same rung) and the resident is told.
async fn raise(
    txn: &DatabaseTransaction,
    case: &mediation_case::Model,
    to: Level,
    actor: Option<i32>,
    why: String,
    now: DateTime<Utc>,
) -> Result<()> {
    let from = case.level;
    let status = if to > Level::Room {
        Status::Escalated
    } else {
        Status::Requested
    };
    let more = vec![(mediation_case::Column::Level, Expr::value(to.as_str()))];
    set_status(txn, case.id, &MOVABLE, status, now, more).await?;
    cancel_booking(txn, case.id, now).await?;
    record(txn, case, EventKind::Escalated, actor, now, |e| {
        e.note = Set(Some(why));
        e.from_level = Set(Some(from));
        e.to_level = Set(Some(to));
    })
    .await?;
    notify_resident(txn, case, "inbox-case-escalated", now).await
}

/// The loop moved this case's loop case up to `level` by its deadline: the mediation case
/// climbs to the same rung in the same transaction — unless it is past mediation already
/// (concluded, cancelled) or stands as high.
pub(crate) async fn follow_loop(
    txn: &DatabaseTransaction,
    case_id: i32,
    level: Level,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(case) = mediation_case::Entity::find_by_id(case_id).one(txn).await? else {
        return Ok(());
    };
    if case.level >= level || !MOVABLE.contains(&case.status) {
        return Ok(());
    }
    raise(
        txn,
        &case,
        level,
        None,
        "逾期未办，按期限自动升级".to_owned(),
        now,
    )
    .await
}

async fn lines(
    db: &impl ConnectionTrait,
    cases: Vec<mediation_case::Model>,
) -> Result<Vec<CaseLine>> {
    let ids: Vec<i32> = cases.iter().map(|c| c.id).collect();
    let bookings = booking::Entity::find()
        .filter(booking::Column::CaseId.is_in(ids))
        .filter(booking::Column::CancelledAt.is_null())
        .all(db)
        .await?;
    let rooms = mediation_room::Entity::find().all(db).await?;
    Ok(cases
        .into_iter()
        .map(|case| CaseLine {
            slot: bookings
                .iter()
                .find(|b| b.case_id == case.id)
                .map(|b| b.starts_at),
            room: rooms
                .iter()
                .find(|r| r.id == case.room_id)
                .map(|r| r.name.clone())
                .unwrap_or_default(),
            case,
        })
        .collect())
}

/// The resident's own cases, newest first.
pub async fn cases_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<CaseLine>> {
    let cases = mediation_case::Entity::find()
        .filter(mediation_case::Column::ResidentId.eq(user_id))
        .order_by_desc(mediation_case::Column::CreatedAt)
        .order_by_desc(mediation_case::Column::Id)
        .all(db)
        .await?;
    lines(db, cases).await
}

/// The work of the rooms `account` runs.
pub async fn queue(
    db: &DatabaseConnection,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<Queue> {
    account.require(Role::Mediator)?;
    let rooms: Vec<i32> = schedule::rooms_of(db, account)
        .await?
        .into_iter()
        .map(|r| r.id)
        .collect();
    let waiting = [
        Status::Requested,
        Status::Booked,
        Status::Accepted,
        Status::Resolved,
    ];
    let cases = mediation_case::Entity::find()
        .filter(mediation_case::Column::RoomId.is_in(rooms))
        .filter(mediation_case::Column::Status.is_in(waiting.iter().map(|s| s.as_str())))
        .order_by_asc(mediation_case::Column::CreatedAt)
        .order_by_asc(mediation_case::Column::Id)
        .all(db)
        .await?;
    let today = local_date(now);
    let mut queue = Queue::default();
    for line in lines(db, cases).await? {
        let list = match (line.case.status, line.slot) {
            (Status::Requested | Status::Booked, _) => &mut queue.new,
            (Status::Resolved, _) => &mut queue.awaiting_follow_up,
            (_, Some(at)) if at <= now => &mut queue.awaiting_outcome,
            (_, Some(at)) if local_date(at) == today => &mut queue.today,
            _ => &mut queue.upcoming,
        };
        list.push(line);
    }
    queue.today.sort_by_key(|l| l.slot);
    queue.upcoming.sort_by_key(|l| l.slot);
    Ok(queue)
}
