//! Boards: one per police office or liaison room, their counts, the answer deadline, and
//! opening a board.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};

use crate::accounts::{Account, Role};
use crate::entities::{board, liaison_room, police_office, thread};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

use super::ThreadStatus;

#[derive(Clone, Debug)]
pub struct BoardLine {
    pub board: board::Model,
    pub office: String,
    pub threads: u64,
    /// Open threads without an official answer yet.
    pub waiting: u64,
    /// Of those, the ones waiting longer than the board's answer deadline.
    pub overdue: u64,
}

/// The boards in service in order, with their counts. A board of a retired office or
/// liaison room leaves the list; its threads stay readable at their addresses.
pub async fn boards(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<BoardLine>> {
    let in_service = InService::load(db).await?;
    let mut out = Vec::new();
    for board in board::Entity::find()
        .order_by_asc(board::Column::Position)
        .order_by_asc(board::Column::Id)
        .all(db)
        .await?
    {
        if let Some(office) = in_service.office_of(&board) {
            out.push(line(db, board, office, now).await?);
        }
    }
    Ok(out)
}

/// One board in service with its counts, as `boards` lists it: what a board's own page
/// heads with, without counting every other board. Not found when it is not in service.
pub async fn board_line(
    db: &impl ConnectionTrait,
    id: i32,
    now: DateTime<Utc>,
) -> Result<BoardLine> {
    let board = board::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let office = InService::load(db)
        .await?
        .office_of(&board)
        .ok_or(Error::NotFound)?;
    line(db, board, office, now).await
}

/// The offices in service and the liaison rooms retired: which boards are in service.
struct InService {
    offices: HashMap<i32, String>,
    retired_rooms: Vec<i32>,
}

impl InService {
    async fn load(db: &impl ConnectionTrait) -> Result<InService> {
        Ok(InService {
            offices: police_office::Entity::find()
                .filter(police_office::Column::RetiredAt.is_null())
                .all(db)
                .await?
                .into_iter()
                .map(|o| (o.id, o.name))
                .collect(),
            retired_rooms: liaison_room::Entity::find()
                .filter(liaison_room::Column::RetiredAt.is_not_null())
                .all(db)
                .await?
                .into_iter()
                .map(|r| r.id)
                .collect(),
        })
    }

    /// The name of the board's office, when the board is in service.
    fn office_of(&self, board: &board::Model) -> Option<String> {
        if board
            .liaison_room_id
            .is_some_and(|room| self.retired_rooms.contains(&room))
        {
            return None;
        }
        self.offices.get(&board.police_office_id).cloned()
    }
}

async fn line(
    db: &impl ConnectionTrait,
    board: board::Model,
    office: String,
    now: DateTime<Utc>,
) -> Result<BoardLine> {
    let visible = thread::Entity::find()
        .filter(thread::Column::BoardId.eq(board.id))
        .filter(thread::Column::Hidden.eq(false));
    let waiting = visible.clone().filter(waiting_for_answer());
    Ok(BoardLine {
        threads: visible.count(db).await?,
        waiting: waiting.clone().count(db).await?,
        overdue: waiting
            .filter(thread::Column::CreatedAt.lt(deadline_start(&board, now)))
            .count(db)
            .await?,
        office,
        board,
    })
}

fn waiting_for_answer() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(thread::Column::Status.eq(ThreadStatus::Open.as_str()))
        .add(thread::Column::OfficialReplyAt.is_null())
}

fn deadline_start(board: &board::Model, now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(i64::from(board.answer_hours))
}

pub(super) fn is_overdue(thread: &thread::Model, board: &board::Model, now: DateTime<Utc>) -> bool {
    thread.status == ThreadStatus::Open
        && thread.official_reply_at.is_none()
        && thread.created_at < deadline_start(board, now)
}

pub(super) async fn board_of(db: &impl ConnectionTrait, id: i32) -> Result<(board::Model, String)> {
    let board = board::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let office = police_office::Entity::find_by_id(board.police_office_id)
        .one(db)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok((board, office))
}

/// What an admin fills in to open a board.
#[derive(Clone, Debug, Default)]
pub struct NewBoard {
    pub police_office_id: i32,
    /// The liaison room that answers on it; none for a general board (茶叙).
    pub liaison_room_id: Option<i32>,
    pub name: String,
    pub description: String,
    pub answer_hours: i32,
}

/// Opens a board for a police office: how another office opens its own tea house.
pub async fn open_board(
    db: &impl ConnectionTrait,
    admin: &Account,
    form: NewBoard,
) -> Result<board::Model> {
    admin.require(Role::Admin)?;
    let name = one_line(&form.name);
    if !length_within(&name, 2, 50) {
        return Err(Error::Invalid("teahouse-board-name"));
    }
    let description = one_line(&form.description);
    if !length_within(&description, 0, 300) {
        return Err(Error::Invalid("teahouse-note-long"));
    }
    if !(1..=720).contains(&form.answer_hours) {
        return Err(Error::Invalid("teahouse-answer-hours"));
    }
    if police_office::Entity::find_by_id(form.police_office_id)
        .one(db)
        .await?
        .is_none_or(|o| o.retired_at.is_some())
    {
        return Err(Error::Invalid("teahouse-board-invalid"));
    }
    if let Some(room) = form.liaison_room_id
        && liaison_room::Entity::find_by_id(room)
            .one(db)
            .await?
            .is_none_or(|r| r.police_office_id != form.police_office_id || r.retired_at.is_some())
    {
        return Err(Error::Invalid("teahouse-board-invalid"));
    }
    let position = board::Entity::find().count(db).await?;
    let inserted = board::Entity::insert(board::ActiveModel {
        police_office_id: Set(form.police_office_id),
        liaison_room_id: Set(form.liaison_room_id),
        name: Set(name),
        description: Set(description),
        answer_hours: Set(form.answer_hours),
        position: Set(i32::try_from(position).unwrap_or(i32::MAX)),
        is_demo: Set(false),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await;
    match inserted {
        Ok(board) => Ok(board),
        Err(e) if crate::db::unique_violation(&e).is_some() => {
            Err(Error::Invalid("teahouse-board-taken"))
        }
        Err(e) => Err(e.into()),
    }
}

/// Police offices and liaison rooms in service, in order: what an admin chooses from.
pub async fn offices_and_rooms(
    db: &impl ConnectionTrait,
) -> Result<(Vec<police_office::Model>, Vec<liaison_room::Model>)> {
    Ok((
        police_office::Entity::find()
            .filter(police_office::Column::RetiredAt.is_null())
            .order_by_asc(police_office::Column::Id)
            .all(db)
            .await?,
        liaison_room::Entity::find()
            .filter(liaison_room::Column::RetiredAt.is_null())
            .order_by_asc(liaison_room::Column::Id)
            .all(db)
            .await?,
    ))
}
