//! 视频调解 — who may enter a video mediation's room, and when. The room opens a few minutes
//! before the booked slot (`VideoPolicy::early`) for the resident who asked, the mediators of
//! the case's room and the other party (by a one-time invitation the mediator sends), and
//! closes when a mediator ends the session. Nobody else enters: the server checks every join.
//! The text chat beside the video is kept with the case; audio and video never are.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Expr,
};

use super::Mode;
use super::Viewer;
use super::cases::{active_booking, load, viewer_of};
use crate::accounts::{Account, random_token, token_id};
use crate::entities::{mediation_case, video_chat, video_invite, video_session};
use crate::text::{clean, length_within};
use crate::{Error, Result};

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "video-not-video",
    "video-no-booking",
    "video-too-early",
    "video-ended",
    "video-invite-used",
    "video-invite-unknown",
    "video-chat-length",
];

pub use vocab::mediation::Part;

/// When rooms open and close.
#[derive(Clone, Copy, Debug)]
pub struct VideoPolicy {
    /// How long before the slot the room opens; 10 minutes.
    pub early: Duration,
    /// How long after the slot's end a session not ended by the mediator stays open.
    pub late: Duration,
    /// How often a connected participant's right to be in the room is checked again while
    /// they say nothing (it is also checked before each thing they say); 30 seconds.
    pub recheck: std::time::Duration,
}

impl Default for VideoPolicy {
    fn default() -> Self {
        VideoPolicy {
            early: Duration::minutes(10),
            late: Duration::hours(2),
            recheck: std::time::Duration::from_secs(30),
        }
    }
}

/// Someone let into a case's room.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Participant {
    pub case: mediation_case::Model,
    pub part: Part,
    pub user_id: Option<i32>,
}

/// Refuses unless the case's room is open now.
async fn check_open(
    db: &impl ConnectionTrait,
    case: &mediation_case::Model,
    policy: &VideoPolicy,
    now: DateTime<Utc>,
) -> Result<()> {
    if case.mode != Mode::Video {
        return Err(Error::Invalid("video-not-video"));
    }
    let booking = active_booking(db, case.id)
        .await?
        .ok_or(Error::Invalid("video-no-booking"))?;
    if video_session::Entity::find_by_id(case.id)
        .one(db)
        .await?
        .is_some()
        || now > booking.ends_at + policy.late
    {
        return Err(Error::Invalid("video-ended"));
    }
    if now < booking.starts_at - policy.early {
        return Err(Error::Invalid("video-too-early"));
    }
    Ok(())
}

/// A signed-in person joins: the resident of the case or a mediator of its room. Officers
/// see the case but do not enter the room; anyone else is told it does not exist.
pub async fn join(
    db: &impl ConnectionTrait,
    account: &Account,
    code: &str,
    policy: &VideoPolicy,
    now: DateTime<Utc>,
) -> Result<Participant> {
    let case = load(db, code).await?;
    let part = match viewer_of(db, account, &case).await? {
        Viewer::Resident => Part::Resident,
        Viewer::Mediator => Part::Mediator,
        Viewer::Officer => return Err(Error::Forbidden),
    };
    check_open(db, &case, policy, now).await?;
    Ok(Participant {
        case,
        part,
        user_id: Some(account.user.id),
    })
}

/// The other party joins with the guest key their invitation gave them.
pub async fn join_as_guest(
    db: &impl ConnectionTrait,
    code: &str,
    guest_key: &str,
    policy: &VideoPolicy,
    now: DateTime<Utc>,
) -> Result<Participant> {
    let case = load(db, code).await?;
    video_invite::Entity::find()
        .filter(video_invite::Column::CaseId.eq(case.id))
        .filter(video_invite::Column::GuestHash.eq(token_id(guest_key)))
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    check_open(db, &case, policy, now).await?;
    Ok(Participant {
        case,
        part: Part::OtherParty,
        user_id: None,
    })
}

/// A mediator invites the other party: the token goes into the link they send. Each
/// invitation lets one person in.
pub async fn invite(
    db: &impl ConnectionTrait,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let case = load(db, code).await?;
    if viewer_of(db, account, &case).await? != Viewer::Mediator {
        return Err(Error::Forbidden);
    }
    if case.mode != Mode::Video {
        return Err(Error::Invalid("video-not-video"));
    }
    let token = random_token()?;
    video_invite::Entity::insert(video_invite::ActiveModel {
        case_id: Set(case.id),
        token_hash: Set(token_id(&token)),
        created_by: Set(Some(account.user.id)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(token)
}

/// The first person to open an invitation gets a guest key for the room; the invitation is
/// then used (a guarded update: two openers at once cannot both get in).
pub async fn redeem(
    db: &impl ConnectionTrait,
    code: &str,
    token: &str,
    now: DateTime<Utc>,
) -> Result<String> {
    let case = load(db, code).await?;
    let guest_key = random_token()?;
    let used = video_invite::Entity::update_many()
        .col_expr(video_invite::Column::UsedAt, Expr::value(now))
        .col_expr(
            video_invite::Column::GuestHash,
            Expr::value(token_id(&guest_key)),
        )
        .filter(video_invite::Column::CaseId.eq(case.id))
        .filter(video_invite::Column::TokenHash.eq(token_id(token.trim())))
        .filter(video_invite::Column::UsedAt.is_null())
        .exec(db)
        .await?;
    if used.rows_affected == 0 {
        // A mistyped code deserves another try; a used one a new invitation.
        let exists = video_invite::Entity::find()
            .filter(video_invite::Column::CaseId.eq(case.id))
            .filter(video_invite::Column::TokenHash.eq(token_id(token.trim())))
            .one(db)
            .await?
            .is_some();
        return Err(Error::Invalid(if exists {
            "video-invite-used"
        } else {
            "video-invite-unknown"
        }));
    }
    Ok(guest_key)
}

/// A mediator ends the session: the room closes for everyone.
pub async fn end(
    db: &impl ConnectionTrait,
    participant: &Participant,
    now: DateTime<Utc>,
) -> Result<()> {
    if participant.part != Part::Mediator {
        return Err(Error::Forbidden);
    }
    video_session::Entity::insert(video_session::ActiveModel {
        case_id: Set(participant.case.id),
        ended_at: Set(now),
        ended_by: Set(participant.user_id),
    })
    .on_conflict_do_nothing_on([video_session::Column::CaseId])
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Keeps a chat line with the case.
pub async fn say(
    db: &impl ConnectionTrait,
    participant: &Participant,
    text: &str,
    now: DateTime<Utc>,
) -> Result<video_chat::Model> {
    let body = clean(text);
    if !length_within(&body, 1, 500) {
        return Err(Error::Invalid("video-chat-length"));
    }
    Ok(video_chat::Entity::insert(video_chat::ActiveModel {
        case_id: Set(participant.case.id),
        at: Set(now),
        user_id: Set(participant.user_id),
        author: Set(participant.part),
        body: Set(body),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await?)
}

/// The chat of a case, oldest first, for the room and the case page.
pub async fn chat(db: &impl ConnectionTrait, case_id: i32) -> Result<Vec<video_chat::Model>> {
    Ok(video_chat::Entity::find()
        .filter(video_chat::Column::CaseId.eq(case_id))
        .order_by_asc(video_chat::Column::Id)
        .all(db)
        .await?)
}

/// Whether a mediator has ended the case's session.
pub async fn ended(db: &DatabaseConnection, case_id: i32) -> Result<bool> {
    Ok(video_session::Entity::find_by_id(case_id)
        .one(db)
        .await?
        .is_some())
}
