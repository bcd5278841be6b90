//! 站内信, the inbox shared by the whole portal. Features send a topic (a translation key)
//! and a subject (such as a case code); the page renders them in the reader's language.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::entities::inbox_message;
use crate::{Result, outbox};

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
/// insert for all runs out of parameters. A topic that may leave the portal is also queued
/// in the outbox for the channels each reader wants it by, in the same transaction.
pub async fn send_many(
    db: &impl ConnectionTrait,
    user_ids: impl IntoIterator<Item = i32>,
    topic: &str,
    subject: &str,
    link: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let outside = Outside::ByChoice { notice_id: None };
    deliver(db, user_ids, topic, subject, link, now, outside).await
}

/// An urgent notice to its residents: the outbox counts what reached them per notice.
pub async fn send_notice(
    db: &impl ConnectionTrait,
    user_ids: impl IntoIterator<Item = i32>,
    notice_id: i32,
    title: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let link = format!("/notices/{notice_id}");
    let topic = "inbox-notice-urgent";
    let outside = Outside::ByChoice {
        notice_id: Some(notice_id),
    };
    deliver(db, user_ids, topic, title, &link, now, outside).await
}

/// A message of the demo's year of history: kept in the inbox, never sent out of the portal
/// (it tells of something long past).
#[cfg(feature = "demo")]
pub(crate) async fn keep_past(
    db: &impl ConnectionTrait,
    user_id: i32,
    topic: &str,
    subject: &str,
    link: &str,
    at: DateTime<Utc>,
) -> Result<()> {
    deliver(db, [user_id], topic, subject, link, at, Outside::Never).await
}

/// Whether an inbox message also leaves the portal, and for which notice.
enum Outside {
    Never,
    ByChoice { notice_id: Option<i32> },
}

async fn deliver(
    db: &impl ConnectionTrait,
    user_ids: impl IntoIterator<Item = i32>,
    topic: &str,
    subject: &str,
    link: &str,
    now: DateTime<Utc>,
    outside: Outside,
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
    let Outside::ByChoice { notice_id } = outside else {
        return Ok(());
    };
    if let Some(kind) = outbox::kind_of(topic) {
        let message = outbox::Message {
            kind,
            topic,
            subject,
            link,
            starts_at: None,
            notice_id,
        };
        outbox::enqueue(db, &user_ids, &message, now).await?;
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
