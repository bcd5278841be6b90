//! 老王帮帮团: people apply to a squad and its leader decides; leaders publish shifts and
//! events; volunteers sign up and withdraw before the deadline; on the day they are checked
//! in and out and the hours are credited; the ledger and the certificate add them up.

pub mod export;
pub mod help;
pub mod school;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::accounts::{self, Account, Role};
use crate::db::unique_violation;
use crate::entities::{
    school_duty, shift, shift_signup, squad, squad_member, volunteer_application,
};
use crate::text::{clean, length_within, one_line};
use crate::time::local;
use crate::{Error, Result, inbox};

/// Every rule code this feature can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "volunteer-name-length",
    "volunteer-hometown-required",
    "volunteer-dialects-required",
    "volunteer-text-long",
    "volunteer-consent-required",
    "volunteer-squad-invalid",
    "volunteer-already-applied",
    "volunteer-already-member",
    "volunteer-reason-required",
    "volunteer-changed",
    "shift-title-length",
    "shift-place-required",
    "shift-times-invalid",
    "shift-capacity-invalid",
    "shift-weeks-invalid",
    "shift-deadline-passed",
    "shift-full",
    "shift-already-signed",
    "shift-not-signed",
    "shift-not-member",
    "shift-check-in-window",
    "shift-not-checked-in",
    "help-dialect-required",
    "help-need-length",
    "help-throttled",
    "help-taken",
    "help-note-required",
];

/// The inbox topics this feature sends; each is a translation key with a `{ $code }` (the
/// squad's name).
pub const INBOX_TOPICS: &[&str] = &[
    "inbox-volunteer-applied",
    "inbox-volunteer-approved",
    "inbox-volunteer-declined",
    "inbox-help-taken",
    "inbox-help-asked",
];

/// Volunteers may check themselves in from this long before a shift starts.
pub const SELF_CHECK_IN_EARLY: Duration = Duration::minutes(30);

/// The longest time a sign-up may close before its shift starts (14 days, as the form says).
pub const MAX_SIGNUP_LEAD_HOURS: i64 = 14 * 24;

pub use vocab::volunteers::{ApplicationStatus, ShiftKind};

/// What an applicant fills in.
#[derive(Clone, Debug, Default)]
pub struct Application {
    pub squad_id: i32,
    pub name: String,
    pub hometown: String,
    pub dialects: String,
    pub skills: String,
    pub availability: String,
    pub consent: bool,
}

async fn squad_of(db: &impl ConnectionTrait, id: i32) -> Result<squad::Model> {
    squad::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::Invalid("volunteer-squad-invalid"))
}

/// `user_id`'s membership of the squad, which counts only while they are a volunteer.
async fn membership(
    db: &impl ConnectionTrait,
    squad_id: i32,
    user_id: i32,
) -> Result<Option<squad_member::Model>> {
    let Some(member) = squad_member::Entity::find_by_id((squad_id, user_id))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    Ok(crate::memberships::holds(db, user_id, Role::Volunteer)
        .await?
        .then_some(member))
}

/// Whether the account leads the squad (admins act for every leader; a leader must still be
/// a volunteer).
pub async fn leads(db: &impl ConnectionTrait, account: &Account, squad_id: i32) -> Result<bool> {
    if account.has(Role::Admin) {
        return Ok(true);
    }
    Ok(account.has(Role::Volunteer)
        && membership(db, squad_id, account.user.id)
            .await?
            .is_some_and(|m| m.is_leader))
}

async fn require_leader(db: &impl ConnectionTrait, account: &Account, squad_id: i32) -> Result<()> {
    if leads(db, account, squad_id).await? {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

async fn leaders_of(db: &impl ConnectionTrait, squad_id: i32) -> Result<Vec<i32>> {
    Ok(squad_member::Entity::find()
        .filter(squad_member::Column::SquadId.eq(squad_id))
        .filter(squad_member::Column::IsLeader.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect())
}

/// Applies to join a squad; its leaders hear of it in their inbox.
pub async fn apply(
    db: &DatabaseConnection,
    account: &Account,
    form: Application,
    now: DateTime<Utc>,
) -> Result<volunteer_application::Model> {
    let name = one_line(&form.name);
    if !length_within(&name, 1, 40) {
        return Err(Error::Invalid("volunteer-name-length"));
    }
    let hometown = one_line(&form.hometown);
    if !length_within(&hometown, 2, 60) {
        return Err(Error::Invalid("volunteer-hometown-required"));
    }
    let dialects = one_line(&form.dialects);
    if !length_within(&dialects, 1, 100) {
        return Err(Error::Invalid("volunteer-dialects-required"));
    }
    let skills = clean(&form.skills);
    let availability = clean(&form.availability);
    if !length_within(&skills, 0, 200) || !length_within(&availability, 0, 200) {
        return Err(Error::Invalid("volunteer-text-long"));
    }
    if !form.consent {
        return Err(Error::Invalid("volunteer-consent-required"));
    }
    let squad = squad_of(db, form.squad_id).await?;
    if squad.retired_at.is_some() {
        return Err(Error::Invalid("volunteer-squad-invalid"));
    }
    if membership(db, squad.id, account.user.id).await?.is_some() {
        return Err(Error::Invalid("volunteer-already-member"));
    }
    let txn = db.begin().await?;
    let inserted = volunteer_application::Entity::insert(volunteer_application::ActiveModel {
        user_id: Set(account.user.id),
        squad_id: Set(squad.id),
        name: Set(name),
        hometown: Set(hometown),
        dialects: Set(dialects),
        skills: Set(skills),
        availability: Set(availability),
        status: Set(ApplicationStatus::Pending),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await;
    let application = match inserted {
        Ok(a) => a,
        Err(e) if unique_violation(&e).is_some() => {
            return Err(Error::Invalid("volunteer-already-applied"));
        }
        Err(e) => return Err(e.into()),
    };
    let leaders = leaders_of(&txn, squad.id).await?;
    inbox::send_many(
        &txn,
        leaders,
        "inbox-volunteer-applied",
        &squad.name,
        "/volunteers/lead",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(application)
}

/// Applications waiting in the squads the account leads, oldest first.
pub async fn pending(
    db: &impl ConnectionTrait,
    leader: &Account,
) -> Result<Vec<volunteer_application::Model>> {
    let mut query = volunteer_application::Entity::find()
        .filter(volunteer_application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
        .order_by_asc(volunteer_application::Column::CreatedAt)
        .order_by_asc(volunteer_application::Column::Id);
    if !leader.has(Role::Admin) {
        query = query
            .filter(volunteer_application::Column::SquadId.is_in(led_squads(db, leader).await?));
    }
    Ok(query.all(db).await?)
}

/// The squads the account leads (every squad for an admin).
pub async fn led_squads(db: &impl ConnectionTrait, account: &Account) -> Result<Vec<i32>> {
    if account.has(Role::Admin) {
        return Ok(squad::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|s| s.id)
            .collect());
    }
    if !account.has(Role::Volunteer) {
        return Ok(Vec::new());
    }
    Ok(squad_member::Entity::find()
        .filter(squad_member::Column::UserId.eq(account.user.id))
        .filter(squad_member::Column::IsLeader.eq(true))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.squad_id)
        .collect())
}

/// The leader decides: approval makes the applicant a member and a volunteer; a decline
/// says why. Either way the applicant hears of it.
pub async fn decide(
    db: &DatabaseConnection,
    leader: &Account,
    application_id: i32,
    approve: bool,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let application = volunteer_application::Entity::find_by_id(application_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    require_leader(db, leader, application.squad_id).await?;
    let reason = one_line(reason);
    if !approve && !length_within(&reason, 2, 200) {
        return Err(Error::Invalid("volunteer-reason-required"));
    }
    let squad = squad_of(db, application.squad_id).await?;
    let status = if approve {
        ApplicationStatus::Approved
    } else {
        ApplicationStatus::Declined
    };
    let txn = db.begin().await?;
    let updated = volunteer_application::Entity::update_many()
        .col_expr(
            volunteer_application::Column::Status,
            Expr::value(status.as_str()),
        )
        .col_expr(
            volunteer_application::Column::Reason,
            Expr::value(Some(reason).filter(|r| !r.is_empty())),
        )
        .col_expr(
            volunteer_application::Column::DecidedBy,
            Expr::value(leader.user.id),
        )
        .col_expr(volunteer_application::Column::DecidedAt, Expr::value(now))
        .filter(volunteer_application::Column::Id.eq(application.id))
        .filter(volunteer_application::Column::Status.eq(ApplicationStatus::Pending.as_str()))
        .exec(&txn)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::Invalid("volunteer-changed"));
    }
    let topic = if approve {
        squad_member::Entity::insert(squad_member::ActiveModel {
            squad_id: Set(application.squad_id),
            user_id: Set(application.user_id),
            name: Set(application.name.clone()),
            is_leader: Set(false),
            in_ranking: Set(false),
            joined_at: Set(now),
        })
        .on_conflict_do_nothing_on([squad_member::Column::SquadId, squad_member::Column::UserId])
        .exec(&txn)
        .await?;
        accounts::grant(&txn, application.user_id, Role::Volunteer).await?;
        "inbox-volunteer-approved"
    } else {
        "inbox-volunteer-declined"
    };
    inbox::send(
        &txn,
        application.user_id,
        topic,
        &squad.name,
        "/volunteers",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A shift or event as a leader writes it.
#[derive(Clone, Debug)]
pub struct ShiftDraft {
    pub squad_id: i32,
    pub kind: String,
    pub title: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub min_capacity: i32,
    pub max_capacity: i32,
    pub signup_deadline: DateTime<Utc>,
    pub notes: String,
}

/// How a published shift repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repeat {
    /// The same time every week, this many weeks (patrols).
    Weekly(u32),
    /// 护校/护学: every school day from the shift's day up to `until`, at the gate of the
    /// squad's school (a 护苗队's).
    SchoolDays { until: NaiveDate },
}

/// How far ahead a leader publishes at once: half a year of weeks.
const MAX_REPEAT_WEEKS: u32 = 26;

/// Where each repetition starts, after the first, and the school it is duty at.
async fn repetitions(
    db: &impl ConnectionTrait,
    squad_id: i32,
    first: DateTime<Utc>,
    repeat: Repeat,
) -> Result<(Vec<Duration>, Option<i32>)> {
    match repeat {
        Repeat::Weekly(weeks) => {
            if !(1..=MAX_REPEAT_WEEKS).contains(&weeks) {
                return Err(Error::Invalid("shift-weeks-invalid"));
            }
            Ok(((0..i64::from(weeks)).map(Duration::weeks).collect(), None))
        }
        Repeat::SchoolDays { until } => {
            let id = school::of_squad(db, squad_id)
                .await?
                .ok_or(Error::Invalid("school-invalid"))?
                .id;
            let day = crate::time::local_date(first);
            if until < day || until - day >= Duration::weeks(MAX_REPEAT_WEEKS.into()) {
                return Err(Error::Invalid("shift-weeks-invalid"));
            }
            let days = school::calendar(db).await?.school_days(day, until);
            if days.is_empty() {
                return Err(Error::Invalid("school-no-school-days"));
            }
            Ok((days.into_iter().map(|d| d - day).collect(), Some(id)))
        }
    }
}

/// Publishes a shift, the same shift every week (patrols), or every school day (护学).
pub async fn publish_shifts(
    db: &DatabaseConnection,
    leader: &Account,
    draft: ShiftDraft,
    repeat: Repeat,
    now: DateTime<Utc>,
) -> Result<Vec<shift::Model>> {
    require_leader(db, leader, draft.squad_id).await?;
    let kind = ShiftKind::parse(&draft.kind).ok_or(Error::Invalid("shift-times-invalid"))?;
    let title = one_line(&draft.title);
    if !length_within(&title, 2, 100) {
        return Err(Error::Invalid("shift-title-length"));
    }
    let place = one_line(&draft.place);
    if !length_within(&place, 1, 100) {
        return Err(Error::Invalid("shift-place-required"));
    }
    let notes = clean(&draft.notes);
    if !length_within(&notes, 0, 1000) {
        return Err(Error::Invalid("volunteer-text-long"));
    }
    if draft.ends_at <= draft.starts_at
        || draft.signup_deadline > draft.starts_at
        || draft.starts_at - draft.signup_deadline > Duration::hours(MAX_SIGNUP_LEAD_HOURS)
        || draft.starts_at <= now
        || draft.ends_at - draft.starts_at > Duration::hours(24)
    {
        return Err(Error::Invalid("shift-times-invalid"));
    }
    if draft.min_capacity < 0
        || draft.min_capacity > draft.max_capacity
        || !(1..=500).contains(&draft.max_capacity)
    {
        return Err(Error::Invalid("shift-capacity-invalid"));
    }
    let (offsets, school) = repetitions(db, draft.squad_id, draft.starts_at, repeat).await?;
    let txn = db.begin().await?;
    let mut shifts = Vec::new();
    for offset in offsets {
        let shift = shift::Entity::insert(shift::ActiveModel {
            squad_id: Set(draft.squad_id),
            kind: Set(kind),
            title: Set(title.clone()),
            place: Set(place.clone()),
            starts_at: Set(draft.starts_at + offset),
            ends_at: Set(draft.ends_at + offset),
            min_capacity: Set(draft.min_capacity),
            max_capacity: Set(draft.max_capacity),
            taken: Set(0),
            signup_deadline: Set(draft.signup_deadline + offset),
            notes: Set(notes.clone()),
            created_by: Set(Some(leader.user.id)),
            created_at: Set(now),
            is_demo: Set(false),
            ..Default::default()
        })
        .exec_with_returning(&txn)
        .await?;
        if let Some(school_id) = school {
            school_duty::Entity::insert(school_duty::ActiveModel {
                shift_id: Set(shift.id),
                school_id: Set(school_id),
            })
            .exec_without_returning(&txn)
            .await?;
        }
        shifts.push(shift);
    }
    txn.commit().await?;
    Ok(shifts)
}

/// A shift with its squad's name and the reader's place on it.
#[derive(Clone, Debug)]
pub struct ShiftLine {
    pub shift: shift::Model,
    pub squad: String,
    pub mine: Option<shift_signup::Model>,
}

/// Shifts not yet over of the squads the account belongs to, soonest first.
pub async fn shifts_for(
    db: &impl ConnectionTrait,
    account: &Account,
    now: DateTime<Utc>,
) -> Result<Vec<ShiftLine>> {
    // A membership counts only while its person is a volunteer.
    let member_of: Vec<i32> = if account.has(Role::Volunteer) {
        squad_member::Entity::find()
            .filter(squad_member::Column::UserId.eq(account.user.id))
            .all(db)
            .await?
            .into_iter()
            .map(|m| m.squad_id)
            .collect()
    } else {
        Vec::new()
    };
    let shifts = shift::Entity::find()
        .find_also_related(squad::Entity)
        .filter(shift::Column::SquadId.is_in(member_of))
        .filter(shift::Column::EndsAt.gt(now))
        .order_by_asc(shift::Column::StartsAt)
        .order_by_asc(shift::Column::Id)
        .all(db)
        .await?;
    let ids: Vec<i32> = shifts.iter().map(|(s, _)| s.id).collect();
    let mine = shift_signup::Entity::find()
        .filter(shift_signup::Column::UserId.eq(account.user.id))
        .filter(shift_signup::Column::ShiftId.is_in(ids))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .all(db)
        .await?;
    shifts
        .into_iter()
        .map(|(s, squad)| {
            Ok(ShiftLine {
                squad: squad_name(squad)?,
                mine: mine.iter().find(|m| m.shift_id == s.id).cloned(),
                shift: s,
            })
        })
        .collect()
}

/// The name of a shift's or a membership's squad, which the foreign key guarantees.
fn squad_name(squad: Option<squad::Model>) -> Result<String> {
    squad
        .map(|s| s.name)
        .ok_or(Error::Internal("a row without its squad"))
}

async fn load_shift(db: &impl ConnectionTrait, id: i32) -> Result<shift::Model> {
    shift::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)
}

/// Raises the shift's count and writes the sign-up in one transaction. The raise comes
/// first and refuses to pass `max_capacity`; as the transaction's first write, concurrent
/// sign-ups queue for it (SQLite's write lock, PostgreSQL's row lock), so the last place goes
/// once.
async fn take_place(
    db: &DatabaseConnection,
    shift: &shift::Model,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let raised = shift::Entity::update_many()
        .col_expr(shift::Column::Taken, Expr::col(shift::Column::Taken).add(1))
        .filter(shift::Column::Id.eq(shift.id))
        .filter(Expr::col(shift::Column::Taken).lt(Expr::col(shift::Column::MaxCapacity)))
        .exec(&txn)
        .await?;
    if raised.rows_affected == 0 {
        return Err(Error::Invalid("shift-full"));
    }
    let inserted = shift_signup::Entity::insert(shift_signup::ActiveModel {
        shift_id: Set(shift.id),
        user_id: Set(user_id),
        signed_at: Set(now),
        no_show: Set(false),
        minutes_credited: Set(0),
        ..Default::default()
    })
    .exec(&txn)
    .await;
    match inserted {
        Ok(_) => {}
        Err(e) if unique_violation(&e).is_some() => {
            return Err(Error::Invalid("shift-already-signed"));
        }
        Err(e) => return Err(e.into()),
    }
    txn.commit().await?;
    Ok(())
}

/// Takes a place on a shift of one's squad, before sign-up closes.
pub async fn sign_up(
    db: &DatabaseConnection,
    account: &Account,
    shift_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let shift = load_shift(db, shift_id).await?;
    if membership(db, shift.squad_id, account.user.id)
        .await?
        .is_none()
    {
        return Err(Error::Invalid("shift-not-member"));
    }
    if now >= shift.signup_deadline {
        return Err(Error::Invalid("shift-deadline-passed"));
    }
    take_place(db, &shift, account.user.id, now).await
}

/// Gives the place back, before the sign-up deadline.
pub async fn withdraw(
    db: &DatabaseConnection,
    account: &Account,
    shift_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let shift = load_shift(db, shift_id).await?;
    if now >= shift.signup_deadline {
        return Err(Error::Invalid("shift-deadline-passed"));
    }
    let txn = db.begin().await?;
    // The count first, as in `sign_up`: both lock the shift's row before the sign-up's, so
    // a withdrawal and a sign-up at once queue instead of deadlocking. Rolled back below
    // when there was no place to give back.
    shift::Entity::update_many()
        .col_expr(shift::Column::Taken, Expr::col(shift::Column::Taken).sub(1))
        .filter(shift::Column::Id.eq(shift.id))
        .filter(Expr::col(shift::Column::Taken).gt(0))
        .exec(&txn)
        .await?;
    let withdrawn = shift_signup::Entity::update_many()
        .col_expr(shift_signup::Column::WithdrawnAt, Expr::value(now))
        .filter(shift_signup::Column::ShiftId.eq(shift.id))
        .filter(shift_signup::Column::UserId.eq(account.user.id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .exec(&txn)
        .await?;
    if withdrawn.rows_affected == 0 {
        return Err(Error::Invalid("shift-not-signed"));
    }
    txn.commit().await?;
    Ok(())
}

/// A place on the roster, with the volunteer's name in the squad.
#[derive(Clone, Debug)]
pub struct RosterLine {
    pub signup: shift_signup::Model,
    pub name: String,
    /// No-shows of this volunteer in the squad, this one included.
    pub no_shows: u64,
}

/// The roster of a shift, for its squad's leaders.
pub async fn roster(
    db: &impl ConnectionTrait,
    leader: &Account,
    shift_id: i32,
) -> Result<(shift::Model, Vec<RosterLine>)> {
    let shift = load_shift(db, shift_id).await?;
    require_leader(db, leader, shift.squad_id).await?;
    let members: BTreeMap<i32, String> = squad_member::Entity::find()
        .filter(squad_member::Column::SquadId.eq(shift.squad_id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.user_id, m.name))
        .collect();
    let squad_shifts: Vec<i32> = shift::Entity::find()
        .filter(shift::Column::SquadId.eq(shift.squad_id))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    let mut no_shows: BTreeMap<i32, u64> = BTreeMap::new();
    for s in shift_signup::Entity::find()
        .filter(shift_signup::Column::ShiftId.is_in(squad_shifts))
        .filter(shift_signup::Column::NoShow.eq(true))
        .all(db)
        .await?
    {
        *no_shows.entry(s.user_id).or_default() += 1;
    }
    let lines = shift_signup::Entity::find()
        .filter(shift_signup::Column::ShiftId.eq(shift.id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .order_by_asc(shift_signup::Column::SignedAt)
        .order_by_asc(shift_signup::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|signup| RosterLine {
            name: members.get(&signup.user_id).cloned().unwrap_or_default(),
            no_shows: no_shows.get(&signup.user_id).copied().unwrap_or(0),
            signup,
        })
        .collect();
    Ok((shift, lines))
}

/// Minutes credited for a stay: check-in to check-out, never more than the shift lasts.
pub fn credited_minutes(
    shift: &shift::Model,
    check_in: DateTime<Utc>,
    check_out: DateTime<Utc>,
) -> i32 {
    let stay = Ord::max((check_out - check_in).num_minutes(), 0);
    let length = (shift.ends_at - shift.starts_at).num_minutes();
    i32::try_from(Ord::min(stay, length)).unwrap_or(0)
}

/// What a leader (or, in the window around the shift, the volunteer) records on the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attendance {
    CheckIn,
    CheckOut,
    NoShow,
}

/// How long after a shift a leader may still write its paper list into the portal.
pub const LATE_RECORD: Duration = Duration::days(14);

/// Records attendance for a sign-up, as of now. Leaders may record any; a volunteer only
/// checks themselves in and out, from half an hour before the shift to its end.
pub async fn attend(
    db: &DatabaseConnection,
    account: &Account,
    signup_id: i32,
    what: Attendance,
    now: DateTime<Utc>,
) -> Result<()> {
    record_attendance(db, account, signup_id, what, now, now).await
}

/// A leader writes down attendance after the fact, from the paper list: the time `at` must
/// have passed and lie between half an hour before the shift and its end, and the shift
/// must have ended less than two weeks ago.
pub async fn attend_at(
    db: &DatabaseConnection,
    leader: &Account,
    signup_id: i32,
    what: Attendance,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    record_attendance(db, leader, signup_id, what, at, now).await
}

async fn record_attendance(
    db: &DatabaseConnection,
    account: &Account,
    signup_id: i32,
    what: Attendance,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let signup = shift_signup::Entity::find_by_id(signup_id)
        .one(db)
        .await?
        .filter(|s| s.withdrawn_at.is_none())
        .ok_or(Error::NotFound)?;
    let shift = load_shift(db, signup.shift_id).await?;
    let is_leader = leads(db, account, shift.squad_id).await?;
    if !is_leader {
        let own = signup.user_id == account.user.id;
        let in_window = now >= shift.starts_at - SELF_CHECK_IN_EARLY && now <= shift.ends_at;
        if !own || what == Attendance::NoShow {
            return Err(Error::Forbidden);
        }
        if !in_window {
            return Err(Error::Invalid("shift-check-in-window"));
        }
    }
    // A stay ends with the shift at the latest; leaving late is credited up to the end.
    let recordable = at <= now
        && at >= shift.starts_at - SELF_CHECK_IN_EARLY
        && at <= shift.ends_at + Duration::hours(6)
        && now <= shift.ends_at + LATE_RECORD;
    if at != now && !(is_leader && recordable) {
        return Err(Error::Invalid("shift-check-in-window"));
    }
    let now = at;
    let mut update =
        shift_signup::Entity::update_many().filter(shift_signup::Column::Id.eq(signup.id));
    update = match what {
        // A new stay: whatever an earlier check-out credited is undone, and the
        // `check_in_at <= check_out_at` constraint holds.
        Attendance::CheckIn => update
            .col_expr(shift_signup::Column::CheckInAt, Expr::value(now))
            .col_expr(
                shift_signup::Column::CheckOutAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(shift_signup::Column::MinutesCredited, Expr::value(0))
            .col_expr(shift_signup::Column::NoShow, Expr::value(false)),
        Attendance::CheckOut => {
            let check_in = signup
                .check_in_at
                .ok_or(Error::Invalid("shift-not-checked-in"))?;
            update
                .col_expr(shift_signup::Column::CheckOutAt, Expr::value(now))
                .col_expr(
                    shift_signup::Column::MinutesCredited,
                    Expr::value(credited_minutes(&shift, check_in, now)),
                )
        }
        Attendance::NoShow => update
            .col_expr(shift_signup::Column::NoShow, Expr::value(true))
            .col_expr(
                shift_signup::Column::CheckInAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                shift_signup::Column::CheckOutAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(shift_signup::Column::MinutesCredited, Expr::value(0)),
    };
    update.exec(db).await?;
    Ok(())
}

/// Hours credited, in minutes: in total, by local month ("2026-11") and by squad.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    pub total: i64,
    pub by_month: Vec<(String, i64)>,
    pub by_squad: Vec<(String, i64)>,
}

/// A volunteer's hours between `from` and `to` (by the shift's start).
pub async fn ledger(
    db: &impl ConnectionTrait,
    user_id: i32,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Ledger> {
    let signups = shift_signup::Entity::find()
        .filter(shift_signup::Column::UserId.eq(user_id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .filter(shift_signup::Column::MinutesCredited.gt(0))
        .all(db)
        .await?;
    let ids: Vec<i32> = signups.iter().map(|s| s.shift_id).collect();
    let mut shifts: BTreeMap<i32, (shift::Model, String)> = BTreeMap::new();
    for (shift, squad) in shift::Entity::find()
        .find_also_related(squad::Entity)
        .filter(shift::Column::Id.is_in(ids))
        .filter(shift::Column::StartsAt.gte(from))
        .filter(shift::Column::StartsAt.lt(to))
        .all(db)
        .await?
    {
        shifts.insert(shift.id, (shift, squad_name(squad)?));
    }
    let mut ledger = Ledger::default();
    let mut months: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_squad: BTreeMap<String, i64> = BTreeMap::new();
    for signup in signups {
        let Some((shift, squad)) = shifts.get(&signup.shift_id) else {
            continue;
        };
        let minutes = i64::from(signup.minutes_credited);
        ledger.total += minutes;
        *months
            .entry(local(shift.starts_at).format("%Y-%m").to_string())
            .or_default() += minutes;
        *by_squad.entry(squad.clone()).or_default() += minutes;
    }
    ledger.by_month = months.into_iter().rev().collect();
    ledger.by_squad = by_squad.into_iter().collect();
    Ok(ledger)
}

/// Each squad's ranking as last summed, while nothing public was written since (the
/// `pages` version, migration 029, which moves with every sign-up, shift and member).
static RANKINGS: crate::kept::Kept<Vec<(String, i64)>> = crate::kept::Kept::new();

/// A squad's members who agreed to be ranked, by minutes credited, most first.
pub async fn ranking(db: &impl ConnectionTrait, squad_id: i32) -> Result<Vec<(String, i64)>> {
    let version = crate::kept::pages(db).await?;
    let key = squad_id.to_string();
    // Minutes credited do not change with the clock: only a write makes a ranking old.
    if let Some(kept) = RANKINGS.get(&version, &key, std::time::Duration::MAX) {
        return Ok(kept.to_vec());
    }
    let ranking = sum_ranking(db, squad_id).await?;
    Ok(RANKINGS.put(version, &key, ranking).to_vec())
}

async fn sum_ranking(db: &impl ConnectionTrait, squad_id: i32) -> Result<Vec<(String, i64)>> {
    let members = squad_member::Entity::find()
        .filter(squad_member::Column::SquadId.eq(squad_id))
        .filter(squad_member::Column::InRanking.eq(true))
        .all(db)
        .await?;
    // Summed by the database over the ranked members' own sign-ups: a squad's years of
    // shifts are not read to rank its few members.
    let minutes: BTreeMap<i32, i64> = shift_signup::Entity::find()
        .select_only()
        .column(shift_signup::Column::UserId)
        .column_as(
            Expr::cust("CAST(SUM(shift_signups.minutes_credited) AS BIGINT)"),
            "minutes",
        )
        .join(
            sea_orm::JoinType::InnerJoin,
            shift_signup::Entity::belongs_to(shift::Entity)
                .from(shift_signup::Column::ShiftId)
                .to(shift::Column::Id)
                .into(),
        )
        .filter(shift::Column::SquadId.eq(squad_id))
        .filter(shift_signup::Column::UserId.is_in(members.iter().map(|m| m.user_id)))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .group_by(shift_signup::Column::UserId)
        .into_tuple::<(i32, i64)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let mut ranking: Vec<(String, i64)> = members
        .into_iter()
        .map(|m| (m.name, minutes.get(&m.user_id).copied().unwrap_or(0)))
        .collect();
    ranking.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(ranking)
}

/// The squads a person belongs to, with the name they volunteer under.
pub async fn memberships(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Vec<(squad_member::Model, String)>> {
    squad_member::Entity::find()
        .find_also_related(squad::Entity)
        .filter(squad_member::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|(m, squad)| Ok((m, squad_name(squad)?)))
        .collect()
}

/// Joins or leaves the squad's ranking.
pub async fn set_ranking(
    db: &impl ConnectionTrait,
    account: &Account,
    squad_id: i32,
    in_ranking: bool,
) -> Result<()> {
    let updated = squad_member::Entity::update_many()
        .col_expr(squad_member::Column::InRanking, Expr::value(in_ranking))
        .filter(squad_member::Column::SquadId.eq(squad_id))
        .filter(squad_member::Column::UserId.eq(account.user.id))
        .exec(db)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Error::Invalid("shift-not-member"));
    }
    Ok(())
}

/// A shift, for pages that show one.
pub async fn shift_by_id(db: &impl ConnectionTrait, id: i32) -> Result<shift::Model> {
    load_shift(db, id).await
}

/// The squad's members, by name.
pub async fn members(db: &impl ConnectionTrait, squad_id: i32) -> Result<Vec<squad_member::Model>> {
    Ok(squad_member::Entity::find()
        .filter(squad_member::Column::SquadId.eq(squad_id))
        .order_by_asc(squad_member::Column::Name)
        .all(db)
        .await?)
}

/// A leader puts a member on the roster who came without signing up (or after sign-up
/// closed). The capacity still holds, in the same way as for a sign-up.
pub async fn add_to_roster(
    db: &DatabaseConnection,
    leader: &Account,
    shift_id: i32,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let shift = load_shift(db, shift_id).await?;
    require_leader(db, leader, shift.squad_id).await?;
    if membership(db, shift.squad_id, user_id).await?.is_none() {
        return Err(Error::Invalid("shift-not-member"));
    }
    take_place(db, &shift, user_id, now).await
}

/// The shifts of the squads the account leads that are still to come or ended recently
/// enough for their attendance to be written down, earliest first.
pub async fn led_shifts(
    db: &impl ConnectionTrait,
    leader: &Account,
    now: DateTime<Utc>,
) -> Result<Vec<shift::Model>> {
    Ok(shift::Entity::find()
        .filter(shift::Column::SquadId.is_in(led_squads(db, leader).await?))
        .filter(shift::Column::EndsAt.gt(now - LATE_RECORD))
        .order_by_asc(shift::Column::StartsAt)
        .order_by_asc(shift::Column::Id)
        .all(db)
        .await?)
}

/// A squad's hours: by local month ("2026-11") and by year ("2026"), newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SquadLedger {
    pub by_month: Vec<(String, i64)>,
    pub by_year: Vec<(String, i64)>,
}

/// Minutes credited on the squad's shifts, all members together.
pub async fn squad_ledger(db: &impl ConnectionTrait, squad_id: i32) -> Result<SquadLedger> {
    let mut months: BTreeMap<String, i64> = BTreeMap::new();
    let mut years: BTreeMap<String, i64> = BTreeMap::new();
    for (signup, shift) in shift_signup::Entity::find()
        .find_also_related(shift::Entity)
        .filter(shift::Column::SquadId.eq(squad_id))
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .filter(shift_signup::Column::MinutesCredited.gt(0))
        .all(db)
        .await?
    {
        let shift = shift.ok_or(Error::Internal("a sign-up without its shift"))?;
        let start = local(shift.starts_at);
        let minutes = i64::from(signup.minutes_credited);
        *months.entry(start.format("%Y-%m").to_string()).or_default() += minutes;
        *years.entry(start.format("%Y").to_string()).or_default() += minutes;
    }
    Ok(SquadLedger {
        by_month: months.into_iter().rev().collect(),
        by_year: years.into_iter().rev().collect(),
    })
}
