//! 站内信, the inbox shared by the whole portal. Features send a topic (a translation key)
//! and a subject (such as a case code); the page renders them in the reader's language.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::Result;
use crate::entities::inbox_message;

/// How many messages the inbox page shows.
pub const PAGE: u64 = 50;

pub async fn send(
    db: &impl ConnectionTrait,
    user_id: i32,
    topic: &str,
    subject: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    send_many(db, [user_id], topic, subject, link, now).await
}

/// The same message to many readers, 500 rows a statement: one insert per reader holds
/// SQLite's write lock for seconds once there are tens of thousands of readers, and one
/// insert for all runs out of parameters.
pub async fn send_many(
    db: &impl ConnectionTrait,
    user_ids: impl IntoIterator<Item = i32>,
    topic: &str,
    subject: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let user_ids: Vec<i32> = user_ids.into_iter().collect();
    for chunk in user_ids.chunks(500) {
        inbox_message::Entity::insert_many(chunk.iter().map(|user_id| {
            inbox_message::ActiveModel {
                user_id: Set(*user_id),
                at: Set(now),
                topic: Set(topic.to_owned()),
                subject: Set(subject.to_owned()),
                link: Set(link.to_owned()),
                ..Default::default()
            }
        }))
        .exec(db)
        .await?;
    }
    Ok(())
}

/// The newest messages first.
pub async fn list(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<inbox_message::Model>> {
    Ok(inbox_message::Entity::find()
        .filter(inbox_message::Column::UserId.eq(user_id))
        .order_by_desc(inbox_message::Column::At)
        .order_by_desc(inbox_message::Column::Id)
        .limit(PAGE)
        .all(db)
        .await?)
}

pub async fn unread(db: &impl ConnectionTrait, user_id: i32) -> Result<u64> {
    Ok(inbox_message::Entity::find()
        .filter(inbox_message::Column::UserId.eq(user_id))
        .filter(inbox_message::Column::ReadAt.is_null())
        .count(db)
        .await?)
}

pub async fn mark_all_read(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    inbox_message::Entity::update_many()
        .col_expr(inbox_message::Column::ReadAt, Expr::value(now))
        .filter(inbox_message::Column::UserId.eq(user_id))
        .filter(inbox_message::Column::ReadAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}
