//! 站内信, the inbox shared by the whole portal. Features send a topic (a translation key)
//! and a subject (such as a case code); the page renders them in the reader's language.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};

use crate::entities::inbox_message;
use crate::{Result, outbox};

/// How many messages a page of the inbox shows.
pub const PAGE: u64 = 20;

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

/// One page of a person's messages, newest first.
#[derive(Clone, Debug)]
pub struct Page {
    pub messages: Vec<inbox_message::Model>,
    /// This page's number, from 1, within `1..=pages`.
    pub page: u64,
    /// At least 1, even for an empty inbox.
    pub pages: u64,
}

fn newest_first(user_id: i32) -> sea_orm::Select<inbox_message::Entity> {
    inbox_message::Entity::find()
        .filter(inbox_message::Column::UserId.eq(user_id))
        .order_by_desc(inbox_message::Column::At)
        .order_by_desc(inbox_message::Column::Id)
}

/// Page `page` of the person's messages (the last one when `page` is past it). A page of
/// twenty stays short on a phone, however many years of messages the inbox holds.
pub async fn page(db: &impl ConnectionTrait, user_id: i32, page: u64) -> Result<Page> {
    let total = newest_first(user_id).count(db).await?;
    let pages = total.div_ceil(PAGE).max(1);
    let page = page.clamp(1, pages);
    let messages = newest_first(user_id)
        .offset((page - 1) * PAGE)
        .limit(PAGE)
        .all(db)
        .await?;
    Ok(Page {
        messages,
        page,
        pages,
    })
}

/// Every message the person has, newest first: what their data export holds.
pub async fn all(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<inbox_message::Model>> {
    Ok(newest_first(user_id).all(db).await?)
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
