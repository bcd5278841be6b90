//! Liaisons and officers: the badge an official answer carries and the rooms a liaison
//! answers for.

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::Result;
use crate::accounts::{Account, Role};
use crate::entities::{board, liaison_member};

/// The badge an official answer carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Official {
    Officer,
    /// A liaison of the named room.
    Liaison(String),
}

/// The badge `account` writes with on `board`: officers everywhere, liaisons on their room's
/// board.
pub(super) async fn badge_of(
    db: &impl ConnectionTrait,
    account: &Account,
    board: &board::Model,
) -> Result<Option<(&'static str, Option<i32>)>> {
    if account.has(Role::Officer) {
        return Ok(Some(("officer", None)));
    }
    if let Some(room) = board.liaison_room_id
        && account.has(Role::Liaison)
        && liaison_member::Entity::find_by_id((room, account.user.id))
            .one(db)
            .await?
            .is_some()
    {
        return Ok(Some(("liaison", Some(room))));
    }
    Ok(None)
}

/// The liaison rooms `account` answers for: none unless they are a liaison.
pub async fn rooms_of(db: &impl ConnectionTrait, account: &Account) -> Result<Vec<i32>> {
    if !account.has(Role::Liaison) {
        return Ok(Vec::new());
    }
    Ok(liaison_member::Entity::find()
        .filter(liaison_member::Column::UserId.eq(account.user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.liaison_room_id)
        .collect())
}
