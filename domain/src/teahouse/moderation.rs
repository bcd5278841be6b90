//! Flags and moderation. Any signed-in person flags a post once; officers see the open
//! flags, hide, restore, delete (for good), dismiss flags, lock and close threads. Every act
//! is a guarded update written in one transaction with its line in the log.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait, sea_query::Expr,
};

use super::ThreadStatus;
use super::threads::load_thread;
use crate::accounts::{Account, Role};
use crate::db::unique_violation;
use crate::entities::{flag, moderation_entry, post, thread, user};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

pub use vocab::teahouse::{Action, FlagReason};

fn check_note(note: &str) -> Result<String> {
    let note = one_line(note);
    if !length_within(&note, 0, 200) {
        return Err(Error::Invalid("teahouse-note-long"));
    }
    Ok(note)
}

/// Flags a post for the moderators. A person flags a post once (a unique index).
pub async fn flag(
    db: &DatabaseConnection,
    account: &Account,
    post_id: i32,
    reason: &str,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason = FlagReason::parse(reason).ok_or(Error::Invalid("teahouse-flag-reason"))?;
    let note = check_note(note)?;
    let post = post::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    load_thread(db, account, post.thread_id).await?;
    let inserted = flag::Entity::insert(flag::ActiveModel {
        post_id: Set(post.id),
        reporter_id: Set(account.user.id),
        reason: Set(reason),
        note: Set(note),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(db)
    .await;
    match inserted {
        Ok(_) => Ok(()),
        Err(e) if unique_violation(&e).is_some() => Err(Error::Invalid("teahouse-flag-twice")),
        Err(e) => Err(e.into()),
    }
}

/// A flagged post with its open flags.
#[derive(Clone, Debug)]
pub struct Flagged {
    pub post: post::Model,
    pub thread: thread::Model,
    pub flags: Vec<flag::Model>,
}

/// Posts with open flags, the most flagged first.
pub async fn queue(db: &impl ConnectionTrait, moderator: &Account) -> Result<Vec<Flagged>> {
    moderator.require(Role::Officer)?;
    let open = flag::Entity::find()
        .filter(flag::Column::ResolvedAt.is_null())
        .order_by_asc(flag::Column::Id)
        .all(db)
        .await?;
    let mut by_post: HashMap<i32, Vec<flag::Model>> = HashMap::new();
    for f in open {
        by_post.entry(f.post_id).or_default().push(f);
    }
    let posts = post::Entity::find()
        .filter(post::Column::Id.is_in(by_post.keys().copied()))
        .all(db)
        .await?;
    let threads: HashMap<i32, thread::Model> = thread::Entity::find()
        .filter(thread::Column::Id.is_in(posts.iter().map(|p| p.thread_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let mut out: Vec<Flagged> = posts
        .into_iter()
        .filter_map(|post| {
            Some(Flagged {
                thread: threads.get(&post.thread_id)?.clone(),
                flags: by_post.remove(&post.id)?,
                post,
            })
        })
        .collect();
    out.sort_by_key(|f| (std::cmp::Reverse(f.flags.len()), f.post.id));
    Ok(out)
}

async fn write_log(
    txn: &DatabaseTransaction,
    moderator: &Account,
    action: Action,
    thread_id: i32,
    post_id: Option<i32>,
    note: String,
    now: DateTime<Utc>,
) -> Result<()> {
    moderation_entry::Entity::insert(moderation_entry::ActiveModel {
        actor_id: Set(Some(moderator.user.id)),
        action: Set(action),
        thread_id: Set(thread_id),
        post_id: Set(post_id),
        note: Set(note),
        created_at: Set(now),
        ..Default::default()
    })
    .exec(txn)
    .await?;
    Ok(())
}

/// Hides, restores, deletes a post or dismisses its flags. Hiding or deleting an opening
/// post takes the whole thread out of sight.
pub async fn act_on_post(
    db: &DatabaseConnection,
    moderator: &Account,
    post_id: i32,
    action: Action,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    moderator.require(Role::Officer)?;
    let note = check_note(note)?;
    let post = post::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .ok_or(Error::NotFound)?;
    let txn = db.begin().await?;
    let update = post::Entity::update_many()
        .filter(post::Column::Id.eq(post.id))
        .filter(post::Column::Deleted.eq(false));
    let changed = match action {
        Action::Hide => {
            update
                .col_expr(post::Column::Hidden, Expr::value(true))
                .filter(post::Column::Hidden.eq(false))
                .exec(&txn)
                .await?
                .rows_affected
        }
        Action::Restore => {
            update
                .col_expr(post::Column::Hidden, Expr::value(false))
                .filter(post::Column::Hidden.eq(true))
                .exec(&txn)
                .await?
                .rows_affected
        }
        Action::Delete => {
            // A deleted post's photos go with its words.
            crate::files::drop_for_posts(&txn, &[post.id]).await?;
            update
                .col_expr(post::Column::Deleted, Expr::value(true))
                .col_expr(post::Column::Hidden, Expr::value(true))
                .col_expr(post::Column::Body, Expr::value(""))
                .exec(&txn)
                .await?
                .rows_affected
        }
        Action::Dismiss => 1,
        _ => return Err(Error::Invalid("teahouse-status-changed")),
    };
    if changed == 0 {
        return Err(Error::Invalid("teahouse-status-changed"));
    }
    if post.is_opening && action != Action::Dismiss {
        thread::Entity::update_many()
            .col_expr(
                thread::Column::Hidden,
                Expr::value(action != Action::Restore),
            )
            .filter(thread::Column::Id.eq(post.thread_id))
            .exec(&txn)
            .await?;
    }
    if !post.is_opening && matches!(action, Action::Hide | Action::Delete) {
        // An answer out of sight answers nothing: the thread waits for another (restoring
        // the reply does not bring the acceptance back; its author may accept it again).
        thread::Entity::update_many()
            .col_expr(
                thread::Column::Status,
                Expr::value(ThreadStatus::Open.as_str()),
            )
            .filter(thread::Column::Id.eq(post.thread_id))
            .filter(thread::Column::AcceptedPostId.eq(post.id))
            .filter(thread::Column::Status.eq(ThreadStatus::Answered.as_str()))
            .exec(&txn)
            .await?;
        thread::Entity::update_many()
            .col_expr(
                thread::Column::AcceptedPostId,
                Expr::value(Option::<i32>::None),
            )
            .filter(thread::Column::Id.eq(post.thread_id))
            .filter(thread::Column::AcceptedPostId.eq(post.id))
            .exec(&txn)
            .await?;
    }
    if action != Action::Restore {
        flag::Entity::update_many()
            .col_expr(flag::Column::ResolvedAt, Expr::value(now))
            .col_expr(flag::Column::ResolvedBy, Expr::value(moderator.user.id))
            .filter(flag::Column::PostId.eq(post.id))
            .filter(flag::Column::ResolvedAt.is_null())
            .exec(&txn)
            .await?;
    }
    write_log(
        &txn,
        moderator,
        action,
        post.thread_id,
        Some(post.id),
        note,
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Locks, unlocks, closes or reopens a thread. Reopening returns it to answered when it has
/// an accepted answer, else to open.
pub async fn act_on_thread(
    db: &DatabaseConnection,
    moderator: &Account,
    thread_id: i32,
    action: Action,
    note: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    moderator.require(Role::Officer)?;
    let note = check_note(note)?;
    let thread = load_thread(db, moderator, thread_id).await?;
    let txn = db.begin().await?;
    let update = thread::Entity::update_many().filter(thread::Column::Id.eq(thread.id));
    let changed = match action {
        Action::Lock | Action::Unlock => {
            let lock = action == Action::Lock;
            update
                .col_expr(thread::Column::Locked, Expr::value(lock))
                .filter(thread::Column::Locked.eq(!lock))
                .exec(&txn)
                .await?
        }
        Action::Close => {
            update
                .col_expr(
                    thread::Column::Status,
                    Expr::value(ThreadStatus::Closed.as_str()),
                )
                .filter(thread::Column::Status.ne(ThreadStatus::Closed.as_str()))
                .exec(&txn)
                .await?
        }
        Action::Reopen => {
            let back = if thread.accepted_post_id.is_some() {
                ThreadStatus::Answered
            } else {
                ThreadStatus::Open
            };
            update
                .col_expr(thread::Column::Status, Expr::value(back.as_str()))
                .filter(thread::Column::Status.is_in([
                    ThreadStatus::Resolved.as_str(),
                    ThreadStatus::Closed.as_str(),
                ]))
                .exec(&txn)
                .await?
        }
        _ => return Err(Error::Invalid("teahouse-status-changed")),
    };
    if changed.rows_affected == 0 {
        return Err(Error::Invalid("teahouse-status-changed"));
    }
    write_log(&txn, moderator, action, thread.id, None, note, now).await?;
    txn.commit().await?;
    Ok(())
}

/// One line of the moderators' log with the thread's title and who acted.
#[derive(Clone, Debug)]
pub struct LogLine {
    pub entry: moderation_entry::Model,
    pub thread_title: String,
    /// The moderator's name, or their masked number when they have none.
    pub actor: String,
}

/// The latest `limit` lines of the log, newest first.
pub async fn log(
    db: &impl ConnectionTrait,
    moderator: &Account,
    limit: u64,
) -> Result<Vec<LogLine>> {
    moderator.require(Role::Officer)?;
    let entries = moderation_entry::Entity::find()
        .find_also_related(thread::Entity)
        .order_by_desc(moderation_entry::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let actors: HashMap<i32, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(entries.iter().filter_map(|(e, _)| e.actor_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let name = u
                .display_name
                .unwrap_or_else(|| crate::accounts::phone::mask(&u.phone));
            (u.id, name)
        })
        .collect();
    entries
        .into_iter()
        .map(|(entry, thread)| {
            Ok(LogLine {
                thread_title: thread
                    .map(|t| t.title)
                    .ok_or(Error::Internal("a log line without its thread"))?,
                actor: entry
                    .actor_id
                    .and_then(|a| actors.get(&a).cloned())
                    .unwrap_or_default(),
                entry,
            })
        })
        .collect()
}
