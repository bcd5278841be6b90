//! 老乡帮老乡: a resident asks for someone who speaks their dialect (to go with them to an
//! office, to explain a letter); volunteers who speak it see the request, one takes it, and
//! it closes with a short note.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::accounts::{Account, Role};
use crate::entities::{help_request, squad_member, volunteer_application};
use crate::text::{length_within, one_line};
use crate::volunteers::ApplicationStatus;
use crate::{Error, Result, inbox};

/// Requests one resident may have open at once.
pub const OPEN_PER_RESIDENT: u64 = 3;

/// What a request is in.
pub mod status {
    pub const OPEN: &str = "open";
    pub const TAKEN: &str = "taken";
    pub const CLOSED: &str = "closed";
    pub const WITHDRAWN: &str = "withdrawn";
}

/// Asks for help.
pub async fn ask(
    db: &DatabaseConnection,
    account: &Account,
    dialect: &str,
    need: &str,
    place: &str,
    now: DateTime<Utc>,
) -> Result<help_request::Model> {
    let dialect = one_line(dialect);
    if !length_within(&dialect, 1, 30) {
        return Err(Error::Invalid("help-dialect-required"));
    }
    let need = one_line(need);
    if !length_within(&need, 4, 300) {
        return Err(Error::Invalid("help-need-length"));
    }
    let place = one_line(place);
    if !length_within(&place, 0, 100) {
        return Err(Error::Invalid("volunteer-text-long"));
    }
    let open = help_request::Entity::find()
        .filter(help_request::Column::RequesterId.eq(account.user.id))
        .filter(help_request::Column::Status.is_in([status::OPEN, status::TAKEN]))
        .count(db)
        .await?;
    if open >= OPEN_PER_RESIDENT {
        return Err(Error::Throttled("help-throttled"));
    }
    let txn = db.begin().await?;
    let request = help_request::Entity::insert(help_request::ActiveModel {
        requester_id: Set(account.user.id),
        dialect: Set(dialect),
        need: Set(need),
        place: Set(place),
        status: Set(status::OPEN.to_owned()),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    crate::casework::sources::help_asked(&txn, &request, now).await?;
    let speakers = speakers_of(&txn, &request.dialect, account.user.id).await?;
    inbox::send_many(
        &txn,
        speakers,
        "inbox-help-asked",
        &request.dialect,
        "/volunteers/help",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(request)
}

/// The volunteers (squad members) whose approved applications name `dialect`, but for
/// `asker`: whom a request in it is for.
async fn speakers_of(
    db: &impl ConnectionTrait,
    dialect: &str,
    asker: i32,
) -> Result<std::collections::BTreeSet<i32>> {
    let members: std::collections::BTreeSet<i32> = squad_member::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    Ok(volunteer_application::Entity::find()
        .filter(volunteer_application::Column::Status.eq(ApplicationStatus::Approved.as_str()))
        .all(db)
        .await?
        .into_iter()
        .filter(|a| {
            a.user_id != asker && members.contains(&a.user_id) && speaks(&a.dialects, dialect)
        })
        .map(|a| a.user_id)
        .collect())
}

/// The dialects a volunteer gave in their approved applications, as one text to search.
async fn dialects_of(db: &impl ConnectionTrait, account: &Account) -> Result<Option<String>> {
    let member = account.has(Role::Volunteer)
        && squad_member::Entity::find()
            .filter(squad_member::Column::UserId.eq(account.user.id))
            .count(db)
            .await?
            > 0;
    if !member {
        return Ok(None);
    }
    Ok(Some(
        volunteer_application::Entity::find()
            .filter(volunteer_application::Column::UserId.eq(account.user.id))
            .filter(volunteer_application::Column::Status.eq(ApplicationStatus::Approved.as_str()))
            .all(db)
            .await?
            .into_iter()
            .map(|a| a.dialects)
            .collect::<Vec<_>>()
            .join(" "),
    ))
}

fn speaks(dialects: &str, dialect: &str) -> bool {
    dialects.to_lowercase().contains(&dialect.to_lowercase())
}

/// Open requests in a dialect the volunteer speaks, oldest first; none for non-volunteers.
pub async fn open_for(
    db: &impl ConnectionTrait,
    volunteer: &Account,
) -> Result<Vec<help_request::Model>> {
    let Some(dialects) = dialects_of(db, volunteer).await? else {
        return Ok(Vec::new());
    };
    Ok(help_request::Entity::find()
        .filter(help_request::Column::Status.eq(status::OPEN))
        .order_by_asc(help_request::Column::CreatedAt)
        .order_by_asc(help_request::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| r.requester_id != volunteer.user.id && speaks(&dialects, &r.dialect))
        .collect())
}

/// One volunteer takes the request: the first to click; the others are told it is taken.
pub async fn take(
    db: &DatabaseConnection,
    volunteer: &Account,
    id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let request = help_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let dialects = dialects_of(db, volunteer).await?.ok_or(Error::Forbidden)?;
    if !speaks(&dialects, &request.dialect) {
        return Err(Error::Forbidden);
    }
    let txn = db.begin().await?;
    let taken = help_request::Entity::update_many()
        .col_expr(help_request::Column::Status, Expr::value(status::TAKEN))
        .col_expr(
            help_request::Column::TakerId,
            Expr::value(volunteer.user.id),
        )
        .col_expr(help_request::Column::TakenAt, Expr::value(now))
        .filter(help_request::Column::Id.eq(id))
        .filter(help_request::Column::Status.eq(status::OPEN))
        .exec(&txn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(Error::Invalid("help-taken"));
    }
    crate::casework::sources::help_taken(&txn, id, volunteer.user.id, now).await?;
    inbox::send(
        &txn,
        request.requester_id,
        "inbox-help-taken",
        &request.dialect,
        "/volunteers/help",
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// The taker closes the request with a short note; the resident may withdraw their own
/// request while nobody has taken it.
pub async fn close(
    db: &DatabaseConnection,
    account: &Account,
    id: i32,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let request = help_request::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let (from, to, note) = if request.taker_id == Some(account.user.id) {
        let note = one_line(note);
        if !length_within(&note, 2, 200) {
            return Err(Error::Invalid("help-note-required"));
        }
        (status::TAKEN, status::CLOSED, Some(note))
    } else if request.requester_id == account.user.id {
        (status::OPEN, status::WITHDRAWN, None)
    } else {
        return Err(Error::Forbidden);
    };
    let txn = db.begin().await?;
    let closed = help_request::Entity::update_many()
        .col_expr(help_request::Column::Status, Expr::value(to))
        .col_expr(help_request::Column::Note, Expr::value(note.clone()))
        .col_expr(help_request::Column::ClosedAt, Expr::value(now))
        .filter(help_request::Column::Id.eq(id))
        .filter(help_request::Column::Status.eq(from))
        .exec(&txn)
        .await?;
    if closed.rows_affected == 0 {
        return Err(Error::Invalid("help-taken"));
    }
    crate::casework::sources::help_closed(&txn, id, note.as_deref(), account.user.id, now).await?;
    txn.commit().await?;
    Ok(())
}

/// The requests I asked for and the ones I took, newest first.
pub async fn mine(
    db: &impl ConnectionTrait,
    account: &Account,
) -> Result<Vec<help_request::Model>> {
    Ok(help_request::Entity::find()
        .filter(
            help_request::Column::RequesterId
                .eq(account.user.id)
                .or(help_request::Column::TakerId.eq(account.user.id)),
        )
        .order_by_desc(help_request::Column::CreatedAt)
        .order_by_desc(help_request::Column::Id)
        .all(db)
        .await?)
}
