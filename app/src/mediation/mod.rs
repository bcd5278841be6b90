//! 你点我调: mediation booking. Pages are in `pages.rs`; the rules (slots, the case's life,
//! who sees what) in `domain::mediation`. Every action is a plain form posting to its
//! server function, so it works the same before and without the WASM.

pub mod pages;
pub mod video;

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use vocab::mediation::{
    DisputeType, EventKind, Level, Mode, Outcome, ReferralResult, ReferralTarget, Status, Viewer,
};

use crate::directory::Room;
use crate::error::AppError;

/// One bookable slot: the form sends `value`; people read the local day and time.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotInfo {
    pub value: String,
    pub day: String,
    pub weekday: u32,
    pub time: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventInfo {
    pub at: String,
    pub kind: EventKind,
    pub note: Option<String>,
    pub slot: Option<String>,
    pub from_level: Option<Level>,
    pub to_level: Option<Level>,
}

/// A case as its page shows it to this reader: what they may not see is not in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseInfo {
    pub code: String,
    pub status: Status,
    pub dispute_type: DisputeType,
    pub account: String,
    pub other_party: String,
    pub other_relation: String,
    pub other_phone: Option<String>,
    pub resident_phone: Option<String>,
    pub amount_claimed: Option<i64>,
    pub tried_aid_station: bool,
    pub mode: Mode,
    pub level: Level,
    pub room: Room,
    pub slot: Option<String>,
    pub outcome: Option<Outcome>,
    pub agreement: Option<String>,
    pub amount_settled: Option<i64>,
    pub referred_to: Option<ReferralTarget>,
    pub referral_note: Option<String>,
    pub referral_result: Option<ReferralResult>,
    pub satisfaction: Option<i32>,
    pub follow_up_comment: Option<String>,
    pub follow_up_channel: Option<String>,
    pub created_at: String,
    pub events: Vec<EventInfo>,
    pub viewer: Viewer,
    /// The resident may still choose, change or cancel the slot.
    pub may_change: bool,
    pub cutoff_hours: i64,
    /// Free slots of the room this reader may pick from.
    pub slots: Vec<SlotInfo>,
    /// (level, hours) spent at each level of the ladder.
    pub stays: Vec<(Level, i64)>,
    /// The tea-house thread the case came from.
    pub thread_id: Option<i32>,
    /// The text chat of its video mediation, kept with the case.
    pub video_chat: Vec<video::ChatLine>,
    /// Photos and documents of the case.
    pub files: Vec<crate::files::FileView>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseLine {
    pub code: String,
    pub status: Status,
    pub dispute_type: DisputeType,
    pub room: String,
    pub slot: Option<String>,
    pub created_at: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueInfo {
    pub rooms: Vec<Room>,
    pub new: Vec<CaseLine>,
    pub today: Vec<CaseLine>,
    pub upcoming: Vec<CaseLine>,
    pub awaiting_outcome: Vec<CaseLine>,
    pub awaiting_follow_up: Vec<CaseLine>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WindowInfo {
    pub id: i32,
    pub kind: String,
    pub weekday: Option<i32>,
    pub day: Option<String>,
    pub start: String,
    pub end: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleInfo {
    pub room: Room,
    pub slot_minutes: i32,
    pub buffer_minutes: i32,
    pub needs_confirmation: bool,
    pub horizon_days: i32,
    pub windows: Vec<WindowInfo>,
    /// The next free slots, as residents will see them.
    pub preview: Vec<SlotInfo>,
}

/// What the request form offers: the reader's own community's room first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestChoices {
    pub rooms: Vec<Room>,
}

/// The figures of a set of cases, rates in per cent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FiguresInfo {
    pub received: u64,
    pub concluded: u64,
    pub resolved: u64,
    pub amount: i64,
    pub followed_up: u64,
    pub satisfied: u64,
    pub success_rate: Option<f64>,
    pub satisfaction_rate: Option<f64>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StatsInfo {
    pub total: FiguresInfo,
    pub rooms: Vec<(String, FiguresInfo)>,
    pub months: Vec<(String, FiguresInfo)>,
    /// Per mediator: every mediator for officers and admins, their own line for a mediator,
    /// none for anyone else.
    pub mediators: Vec<(String, FiguresInfo)>,
    /// Referred cases per target: (target, referred, settled by it).
    pub referrals: Vec<(ReferralTarget, u64, u64)>,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::{DateTime, Datelike, Utc};
    use domain::entities::availability;
    use domain::mediation::schedule::Slot;
    use domain::mediation::stats::Figures;
    use domain::time::{format_local, local};

    use super::*;

    impl From<Slot> for SlotInfo {
        fn from(slot: Slot) -> Self {
            let start = local(slot.starts_at);
            SlotInfo {
                value: slot.starts_at.to_rfc3339(),
                day: start.format("%Y-%m-%d").to_string(),
                weekday: start.weekday().number_from_monday(),
                time: format!(
                    "{}–{}",
                    start.format("%H:%M"),
                    local(slot.ends_at).format("%H:%M")
                ),
            }
        }
    }

    impl From<Figures> for FiguresInfo {
        fn from(f: Figures) -> Self {
            FiguresInfo {
                received: f.received,
                concluded: f.concluded,
                resolved: f.resolved,
                amount: f.amount,
                followed_up: f.followed_up,
                satisfied: f.satisfied,
                success_rate: f.success_rate(),
                satisfaction_rate: f.satisfaction_rate(),
            }
        }
    }

    fn clock(minute: i32) -> String {
        format!("{:02}:{:02}", minute / 60, minute % 60)
    }

    impl From<availability::Model> for WindowInfo {
        fn from(w: availability::Model) -> Self {
            WindowInfo {
                id: w.id,
                kind: w.kind,
                weekday: w.weekday,
                day: w.day,
                start: clock(w.start_minute),
                end: clock(w.end_minute),
            }
        }
    }

    pub fn line(line: domain::mediation::CaseLine) -> CaseLine {
        CaseLine {
            code: line.case.code,
            status: line.case.status,
            dispute_type: line.case.dispute_type,
            room: line.room,
            slot: line.slot.map(format_local),
            created_at: format_local(line.case.created_at),
        }
    }

    /// "09:30" → minutes after midnight; "24:00" ends a day.
    pub fn parse_clock(text: &str) -> Option<i32> {
        let (h, m) = text.trim().split_once(':')?;
        let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
        ((0..=24).contains(&h) && (0..60).contains(&m) && h * 60 + m <= 1440).then_some(h * 60 + m)
    }

    /// A whole number of yuan; empty means none. Separators and a trailing 元 are allowed,
    /// as people write them.
    pub fn parse_amount(text: &str) -> Result<Option<i64>, AppError> {
        let digits: String = text
            .trim()
            .trim_end_matches('元')
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' '))
            .collect();
        if digits.is_empty() {
            return Ok(None);
        }
        digits
            .parse()
            .map(Some)
            .map_err(|_| AppError::invalid("mediation-amount-invalid"))
    }

    pub fn parse_slot(text: &str) -> Result<DateTime<Utc>, AppError> {
        DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| AppError::invalid("mediation-slot-unavailable"))
    }

    pub fn policy() -> Result<domain::mediation::Policy, AppError> {
        Ok(crate::state::state()?.mediation)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn reads_amounts_and_clock_times_as_people_write_them() {
            assert_eq!(parse_amount(""), Ok(None));
            assert_eq!(parse_amount(" 12,500元 "), Ok(Some(12500)));
            assert!(parse_amount("十块").is_err());
            assert!(parse_amount("-5").is_ok_and(|a| a == Some(-5)));
            assert_eq!(parse_clock("09:30"), Some(570));
            assert_eq!(parse_clock("24:00"), Some(1440));
            assert_eq!(parse_clock("24:30"), None);
            assert_eq!(parse_clock("9点"), None);
        }
    }
}

/// The rooms a resident can ask, their own community's branch first, then the main room.
#[server(endpoint = "mediation/options")]
pub async fn request_options() -> Result<RequestChoices, AppError> {
    let (account, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let mut rooms = domain::directory::mediation_rooms(&db).await?;
    let own = account.user.community_id;
    rooms.sort_by_key(|r| {
        (
            if r.community_id.is_some() && r.community_id == own {
                0
            } else if r.parent_id.is_none() {
                1
            } else {
                2
            },
            r.id,
        )
    });
    Ok(RequestChoices {
        rooms: rooms.into_iter().map(Room::from).collect(),
    })
}

/// The request form's fields. The form names them `request[field]`: a server function
/// takes one argument per field, and nine are too many to read.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MediationRequest {
    pub dispute_type: String,
    pub account: String,
    pub other_party: String,
    #[serde(default)]
    pub other_relation: String,
    #[serde(default)]
    pub other_phone: String,
    #[serde(default)]
    pub amount: String,
    /// "yes" or "no".
    #[serde(default)]
    pub tried_aid_station: String,
    pub mode: String,
    pub room: String,
}

/// 申请调解: files the request and opens the case page to choose a slot.
#[server(endpoint = "mediation/request")]
pub async fn request_mediation(request: MediationRequest) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::accounts::codes::require_verified(&me, crate::state::state()?.phone_codes)?;
    let form = domain::mediation::CaseRequest {
        amount_claimed: ssr::parse_amount(&request.amount)?,
        tried_aid_station: request.tried_aid_station == "yes",
        room_id: request
            .room
            .trim()
            .parse()
            .map_err(|_| AppError::invalid("mediation-room-invalid"))?,
        dispute_type: request.dispute_type,
        account: request.account,
        other_party: request.other_party,
        other_relation: request.other_relation,
        other_phone: request.other_phone,
        mode: request.mode,
    };
    let case = domain::mediation::request(
        &crate::state::db()?,
        &me,
        form,
        &ssr::policy()?,
        chrono::Utc::now(),
    )
    .await?;
    leptos_axum::redirect(&format!("/mediation/cases/{}?done=requested", case.code));
    Ok(())
}

/// A case as the reader may see it; not found for anyone who may not.
#[server(endpoint = "mediation/case")]
pub async fn get_case(code: String) -> Result<CaseInfo, AppError> {
    use domain::mediation::{Status, Viewer, schedule};
    use domain::time::format_local;
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let db = crate::state::db()?;
    let policy = ssr::policy()?;
    let now = chrono::Utc::now();
    let detail = domain::mediation::detail(&db, &me, &code).await?;
    let open = Status::OPEN.contains(&detail.case.status);
    let may_change = detail.resident_may_change(&policy, now);
    let slots = match detail.viewer {
        Viewer::Resident if may_change => {
            schedule::free_slots(&db, detail.case.room_id, now + policy.cutoff, now).await?
        }
        Viewer::Mediator if open => {
            schedule::free_slots(&db, detail.case.room_id, now, now).await?
        }
        _ => Vec::new(),
    };
    let stays = detail
        .level_stays(now)
        .into_iter()
        .map(|(level, stay)| (level, stay.num_hours()))
        .collect();
    let files = crate::files::views(
        domain::files::of_case(&db, &me, detail.case.id, detail.viewer == Viewer::Mediator).await?,
    );
    let other_phone = detail.other_phone();
    let resident_phone = detail.resident_phone();
    let case = detail.case;
    let thread_id = domain::teahouse::thread_of_case(&db, case.id).await?;
    let video_chat = video::chat_lines(domain::mediation::video::chat(&db, case.id).await?);
    Ok(CaseInfo {
        files,
        thread_id,
        video_chat,
        viewer: detail.viewer,
        code: case.code,
        status: case.status,
        dispute_type: case.dispute_type,
        account: case.account,
        other_party: case.other_party,
        other_relation: case.other_relation,
        other_phone,
        resident_phone,
        amount_claimed: case.amount_claimed,
        tried_aid_station: case.tried_aid_station,
        mode: case.mode,
        level: case.level,
        room: detail.room.into(),
        slot: detail.booking.map(|b| format_local(b.starts_at)),
        outcome: case.outcome,
        agreement: case.agreement,
        amount_settled: case.amount_settled,
        referred_to: case.referred_to,
        referral_note: case.referral_note,
        referral_result: case.referral_result,
        satisfaction: case.satisfaction,
        follow_up_comment: case.follow_up_comment,
        follow_up_channel: case.follow_up_channel,
        created_at: format_local(case.created_at),
        events: detail
            .events
            .into_iter()
            .map(|e| EventInfo {
                at: format_local(e.at),
                kind: e.kind,
                note: e.note,
                slot: e.slot_at.map(format_local),
                from_level: e.from_level,
                to_level: e.to_level,
            })
            .collect(),
        may_change,
        cutoff_hours: policy.cutoff.num_hours(),
        slots: slots.into_iter().map(SlotInfo::from).collect(),
        stays,
    })
}

#[cfg(feature = "ssr")]
fn back_to(code: &str, done: &str) {
    leptos_axum::redirect(&format!(
        "/mediation/cases/{}?done={done}",
        code.trim().to_ascii_uppercase()
    ));
}

/// The resident books a slot, or moves to another one.
#[server(endpoint = "mediation/book")]
pub async fn book_slot(code: String, starts_at: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::accounts::codes::require_verified(&me, crate::state::state()?.phone_codes)?;
    let at = ssr::parse_slot(&starts_at)?;
    let policy = ssr::policy()?;
    domain::mediation::book(
        &crate::state::db()?,
        &me,
        &code,
        at,
        &policy,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "booked");
    Ok(())
}

#[server(endpoint = "mediation/cancel")]
pub async fn cancel_case(code: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let policy = ssr::policy()?;
    domain::mediation::cancel(
        &crate::state::db()?,
        &me,
        &code,
        &policy,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "cancelled");
    Ok(())
}

#[server(endpoint = "mediation/accept")]
pub async fn accept_case(code: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::mediation::accept(&crate::state::db()?, &me, &code, chrono::Utc::now()).await?;
    back_to(&code, "accepted");
    Ok(())
}

#[server(endpoint = "mediation/decline")]
pub async fn decline_case(code: String, reason: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::mediation::decline(
        &crate::state::db()?,
        &me,
        &code,
        &reason,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "declined");
    Ok(())
}

/// A mediator moves the session to another slot.
#[server(endpoint = "mediation/propose")]
pub async fn propose_slot(code: String, starts_at: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let at = ssr::parse_slot(&starts_at)?;
    domain::mediation::propose(&crate::state::db()?, &me, &code, at, chrono::Utc::now()).await?;
    back_to(&code, "proposed");
    Ok(())
}

#[server(endpoint = "mediation/outcome")]
pub async fn record_outcome(
    code: String,
    outcome: String,
    agreement: String,
    amount: String,
    referred_to: Option<String>,
    referral_note: Option<String>,
) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let form = domain::mediation::OutcomeRecord {
        outcome,
        agreement,
        amount_settled: ssr::parse_amount(&amount)?,
        referred_to: referred_to.unwrap_or_default(),
        referral_note: referral_note.unwrap_or_default(),
    };
    domain::mediation::record_outcome(&crate::state::db()?, &me, &code, form, chrono::Utc::now())
        .await?;
    back_to(&code, "outcome");
    Ok(())
}

/// What became of a referral, as the room's mediator learned it.
#[server(endpoint = "mediation/referral-result")]
pub async fn record_referral_result(code: String, result: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::mediation::record_referral_result(
        &crate::state::db()?,
        &me,
        &code,
        &result,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "referral");
    Ok(())
}

/// 回访: the resident's rating online, or the mediator's record of a phone call.
#[server(endpoint = "mediation/follow-up")]
pub async fn follow_up(code: String, rating: String, comment: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    let rating = rating
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("mediation-rating-invalid"))?;
    domain::mediation::follow_up(
        &crate::state::db()?,
        &me,
        &code,
        rating,
        &comment,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "followed-up");
    Ok(())
}

#[server(endpoint = "mediation/escalate")]
pub async fn escalate_case(code: String, level: String, reason: String) -> Result<(), AppError> {
    let (me, _) = crate::accounts::ssr::require_account().await?;
    domain::mediation::escalate(
        &crate::state::db()?,
        &me,
        &code,
        &level,
        &reason,
        chrono::Utc::now(),
    )
    .await?;
    back_to(&code, "escalated");
    Ok(())
}

/// The reader's own cases; none for a visitor.
#[server(endpoint = "mediation/mine")]
pub async fn my_cases() -> Result<Vec<CaseLine>, AppError> {
    let Some((me, _)) = crate::accounts::ssr::current_account().await? else {
        return Ok(Vec::new());
    };
    let lines = domain::mediation::cases_of(&crate::state::db()?, me.user.id).await?;
    Ok(lines.into_iter().map(ssr::line).collect())
}

/// The mediator's queue over the rooms they run.
#[server(endpoint = "mediation/queue")]
pub async fn mediator_queue() -> Result<QueueInfo, AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Mediator).await?;
    let db = crate::state::db()?;
    let queue = domain::mediation::queue(&db, &me, chrono::Utc::now()).await?;
    let lines = |l: Vec<domain::mediation::CaseLine>| l.into_iter().map(ssr::line).collect();
    Ok(QueueInfo {
        rooms: domain::mediation::schedule::rooms_of(&db, &me)
            .await?
            .into_iter()
            .map(Room::from)
            .collect(),
        new: lines(queue.new),
        today: lines(queue.today),
        upcoming: lines(queue.upcoming),
        awaiting_outcome: lines(queue.awaiting_outcome),
        awaiting_follow_up: lines(queue.awaiting_follow_up),
    })
}

#[cfg(feature = "ssr")]
async fn running_room(room: &str) -> Result<(domain::DatabaseConnection, i32), AppError> {
    let me = crate::accounts::ssr::require_role(domain::accounts::Role::Mediator).await?;
    let db = crate::state::db()?;
    let room: i32 = room.trim().parse().map_err(|_| AppError::NotFound)?;
    if !domain::mediation::schedule::runs_room(&db, &me, room).await? {
        return Err(AppError::Forbidden);
    }
    Ok((db, room))
}

/// A room's calendar, for its mediators.
#[server(endpoint = "mediation/schedule")]
pub async fn room_schedule(room: String) -> Result<ScheduleInfo, AppError> {
    use domain::mediation::schedule;
    let (db, room) = running_room(&room).await?;
    let now = chrono::Utc::now();
    let info = schedule::room(&db, room).await?;
    let plan = schedule::schedule_of(&db, room).await?;
    let preview = schedule::free_slots(&db, room, now, now).await?;
    Ok(ScheduleInfo {
        room: info.into(),
        slot_minutes: plan.slot_minutes,
        buffer_minutes: plan.buffer_minutes,
        needs_confirmation: plan.needs_confirmation,
        horizon_days: plan.horizon_days,
        windows: schedule::windows(&db, room)
            .await?
            .into_iter()
            .map(WindowInfo::from)
            .collect(),
        preview: preview.into_iter().take(12).map(SlotInfo::from).collect(),
    })
}

#[cfg(feature = "ssr")]
fn back_to_schedule(room: &str) {
    leptos_axum::redirect(&format!(
        "/mediation/rooms/{}/schedule?done=saved",
        room.trim()
    ));
}

#[server(endpoint = "mediation/schedule/save")]
pub async fn save_schedule(
    room: String,
    slot_minutes: String,
    buffer_minutes: String,
    horizon_days: String,
    needs_confirmation: Option<String>,
) -> Result<(), AppError> {
    let (db, room_id) = running_room(&room).await?;
    let number = |text: &str| -> Result<i32, AppError> {
        text.trim()
            .parse()
            .map_err(|_| AppError::invalid("mediation-schedule-invalid"))
    };
    let plan = domain::mediation::schedule::Schedule {
        slot_minutes: number(&slot_minutes)?,
        buffer_minutes: number(&buffer_minutes)?,
        horizon_days: number(&horizon_days)?,
        needs_confirmation: needs_confirmation.is_some(),
    };
    domain::mediation::schedule::save_schedule(&db, room_id, plan).await?;
    back_to_schedule(&room);
    Ok(())
}

/// Adds a weekly window (`weekday`), an extra window or a day off (`day`).
#[server(endpoint = "mediation/schedule/add")]
pub async fn add_window(
    room: String,
    kind: String,
    weekday: Option<String>,
    day: Option<String>,
    start: Option<String>,
    end: Option<String>,
) -> Result<(), AppError> {
    use domain::mediation::schedule::Window;
    let (db, room_id) = running_room(&room).await?;
    let invalid = || AppError::invalid("mediation-window-invalid");
    let clock = |t: &Option<String>| t.as_deref().and_then(ssr::parse_clock).ok_or_else(invalid);
    let date = || {
        day.as_deref()
            .and_then(domain::time::parse_day)
            .ok_or_else(invalid)
    };
    let window = match kind.as_str() {
        "weekly" => Window::Weekly {
            weekday: weekday
                .as_deref()
                .and_then(|d| d.trim().parse().ok())
                .ok_or_else(invalid)?,
            start: clock(&start)?,
            end: clock(&end)?,
        },
        "extra" => Window::Extra {
            day: date()?,
            start: clock(&start)?,
            end: clock(&end)?,
        },
        "off" => Window::DayOff { day: date()? },
        _ => return Err(invalid()),
    };
    domain::mediation::schedule::add_window(&db, room_id, window).await?;
    back_to_schedule(&room);
    Ok(())
}

#[server(endpoint = "mediation/schedule/remove")]
pub async fn remove_window(room: String, window: String) -> Result<(), AppError> {
    let (db, room_id) = running_room(&room).await?;
    let window = window
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("mediation-window-invalid"))?;
    domain::mediation::schedule::remove_window(&db, room_id, window).await?;
    back_to_schedule(&room);
    Ok(())
}

/// Admin: makes an account a mediator of a room.
#[server(endpoint = "admin/assign-mediator")]
pub async fn assign_mediator(phone: String, room: String) -> Result<(), AppError> {
    let admin = crate::accounts::ssr::require_role(domain::accounts::Role::Admin).await?;
    let db = crate::state::db()?;
    let user = domain::accounts::find_by_phone(&db, &phone)
        .await?
        .ok_or_else(|| AppError::invalid("admin-no-such-user"))?;
    let room = room
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("mediation-room-invalid"))?;
    domain::memberships::add(
        &db,
        &admin,
        user.id,
        domain::memberships::Group::MediationRoom,
        room,
        chrono::Utc::now(),
    )
    .await
    .map_err(|e| match e {
        domain::Error::Invalid("admin-membership-invalid") => {
            AppError::invalid("mediation-room-invalid")
        }
        e => e.into(),
    })?;
    leptos_axum::redirect("/admin?done=user");
    Ok(())
}

/// 调解成效: public figures.
#[server(endpoint = "mediation/stats")]
pub async fn mediation_stats() -> Result<StatsInfo, AppError> {
    let db = crate::state::db()?;
    let stats = domain::mediation::stats::stats(&db).await?;
    let mediators = match crate::accounts::ssr::current_account().await? {
        Some((account, _)) => domain::mediation::stats::per_mediator(&db, &account).await?,
        None => Vec::new(),
    };
    Ok(StatsInfo {
        total: stats.total.into(),
        rooms: stats
            .rooms
            .into_iter()
            .map(|(_, name, f)| (name, f.into()))
            .collect(),
        months: stats
            .months
            .into_iter()
            .map(|(month, f)| (month, f.into()))
            .collect(),
        mediators: mediators
            .into_iter()
            .map(|(name, f)| (name, f.into()))
            .collect(),
        referrals: stats
            .referrals
            .iter()
            .map(|r| (r.target, r.referred, r.settled))
            .collect(),
    })
}
