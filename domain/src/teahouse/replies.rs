//! Replies, and what every post must pass: how it is signed, its text, and the posting limits.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
    TransactionTrait,
    sea_query::{Expr, ExprTrait},
};

use crate::accounts::Account;
use crate::db::lock_user;
use crate::entities::{post, thread, user};
use crate::text::{clean, length_within, one_line};
use crate::{Error, Result, inbox};

use super::boards::board_of;
use super::liaisons::badge_of;
use super::threads::{load_thread, may_settle};
use super::{Limits, ThreadStatus, is_staff, thread_link};

/// How a post is signed: the name to store when the poster gave one, or their saved name.
/// Posting as "居民" needs no name.
pub(super) fn check_name(
    account: &Account,
    given: &str,
    anonymous: bool,
) -> Result<Option<String>> {
    let given = one_line(given);
    if given.is_empty() {
        if anonymous || account.user.display_name.is_some() {
            return Ok(None);
        }
        return Err(Error::Invalid("teahouse-name-required"));
    }
    if !length_within(&given, 1, 20) {
        return Err(Error::Invalid("teahouse-name-length"));
    }
    // A name is shown to everyone: a phone number in it would defeat the masking.
    let longest_digits = given
        .split(|c: char| !c.is_ascii_digit())
        .map(str::len)
        .max()
        .unwrap_or(0);
    if longest_digits >= 7 {
        return Err(Error::Invalid("teahouse-name-phone"));
    }
    Ok(Some(given).filter(|g| account.user.display_name.as_deref() != Some(g)))
}

pub(super) fn check_body(body: &str) -> Result<String> {
    let body = clean(body);
    if !length_within(&body, 2, 5000) {
        return Err(Error::Invalid("teahouse-body-length"));
    }
    Ok(body)
}

pub(super) async fn save_name(
    txn: &DatabaseTransaction,
    user_id: i32,
    name: Option<String>,
) -> Result<()> {
    if let Some(name) = name {
        user::Entity::update_many()
            .col_expr(user::Column::DisplayName, Expr::value(name))
            .filter(user::Column::Id.eq(user_id))
            .exec(txn)
            .await?;
    }
    Ok(())
}

/// Refuses a post that breaks a limit. Runs after `lock_user` in the posting transaction.
pub(super) async fn check_limits(
    txn: &DatabaseTransaction,
    account: &Account,
    limits: &Limits,
    opening: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    let mine = post::Entity::find().filter(post::Column::AuthorId.eq(account.user.id));
    let recent = mine
        .clone()
        .filter(post::Column::CreatedAt.gt(now - Duration::minutes(limits.window_minutes)))
        .count(txn)
        .await?;
    if recent >= limits.posts_per_window {
        return Err(Error::Throttled("teahouse-too-fast"));
    }
    let new_account = account.user.created_at > now - Duration::hours(limits.new_account_hours);
    if new_account && !is_staff(account) {
        let first_day = mine
            .filter(post::Column::IsOpening.eq(opening))
            .filter(
                post::Column::CreatedAt
                    .lt(account.user.created_at + Duration::hours(limits.new_account_hours)),
            )
            .count(txn)
            .await?;
        if opening && first_day >= limits.new_account_threads {
            return Err(Error::Throttled("teahouse-new-account-threads"));
        }
        if !opening && first_day >= limits.new_account_replies {
            return Err(Error::Throttled("teahouse-new-account-replies"));
        }
    }
    Ok(())
}

/// What someone fills in to reply.
#[derive(Clone, Debug, Default)]
pub struct NewReply {
    pub thread_id: i32,
    pub body: String,
    pub anonymous: bool,
    pub display_name: String,
}

/// Replies to a thread. An official badge is added for officers and the board's liaisons;
/// an official answer cannot be posted as "居民".
pub async fn reply(
    db: &DatabaseConnection,
    account: &Account,
    form: NewReply,
    limits: &Limits,
    now: DateTime<Utc>,
) -> Result<post::Model> {
    let thread = load_thread(db, account, form.thread_id).await?;
    let body = check_body(&form.body)?;
    let (board, _) = board_of(db, thread.board_id).await?;
    let badge = badge_of(db, account, &board).await?;
    let anonymous = form.anonymous && badge.is_none();
    let name = check_name(account, &form.display_name, anonymous)?;
    let txn = db.begin().await?;
    lock_user(&txn, account.user.id).await?;
    check_limits(&txn, account, limits, false, now).await?;
    // The thread's row is written before the post: a reply and a moderator's lock or close
    // cannot cross, and the count stays true.
    let open = thread::Entity::update_many()
        .col_expr(
            thread::Column::ReplyCount,
            Expr::col(thread::Column::ReplyCount).add(1),
        )
        .col_expr(thread::Column::LastPostAt, Expr::value(now))
        .filter(thread::Column::Id.eq(thread.id))
        .filter(thread::Column::Locked.eq(false))
        .filter(thread::Column::Status.ne(ThreadStatus::Closed.as_str()))
        .exec(&txn)
        .await?;
    if open.rows_affected == 0 {
        let now_thread = load_thread(&txn, account, thread.id).await?;
        return Err(Error::Invalid(if now_thread.locked {
            "teahouse-thread-locked"
        } else {
            "teahouse-thread-closed"
        }));
    }
    if badge.is_some() {
        thread::Entity::update_many()
            .col_expr(thread::Column::OfficialReplyAt, Expr::value(now))
            .filter(thread::Column::Id.eq(thread.id))
            .filter(thread::Column::OfficialReplyAt.is_null())
            .exec(&txn)
            .await?;
    }
    save_name(&txn, account.user.id, name).await?;
    let post = post::Entity::insert(post::ActiveModel {
        thread_id: Set(thread.id),
        author_id: Set(Some(account.user.id)),
        body: Set(body),
        anonymous: Set(anonymous),
        official: Set(badge.map(|(kind, _)| kind.to_owned())),
        official_room_id: Set(badge.and_then(|(_, room)| room)),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_with_returning(&txn)
    .await?;
    if let Some(author) = thread.author_id.filter(|a| *a != account.user.id) {
        inbox::send(
            &txn,
            author,
            "inbox-thread-reply",
            &thread.title,
            &thread_link(thread.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(post)
}

/// The author (or a moderator) accepts a reply as the answer; another reply may be accepted
/// later in its place.
pub async fn accept(
    db: &DatabaseConnection,
    account: &Account,
    thread_id: i32,
    post_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    let thread = load_thread(db, account, thread_id).await?;
    if !may_settle(account, &thread) {
        return Err(Error::Invalid("teahouse-not-author"));
    }
    let reply = post::Entity::find_by_id(post_id)
        .one(db)
        .await?
        .filter(|p| {
            p.thread_id == thread.id
                && !p.is_opening
                && !p.hidden
                && !p.deleted
                && p.author_id.is_some()
                && p.author_id != thread.author_id
        })
        .ok_or(Error::Invalid("teahouse-accept-invalid"))?;
    let txn = db.begin().await?;
    let done = thread::Entity::update_many()
        .col_expr(
            thread::Column::Status,
            Expr::value(ThreadStatus::Answered.as_str()),
        )
        .col_expr(thread::Column::AcceptedPostId, Expr::value(reply.id))
        .filter(thread::Column::Id.eq(thread.id))
        .filter(
            thread::Column::Status
                .is_in([ThreadStatus::Open.as_str(), ThreadStatus::Answered.as_str()]),
        )
        .exec(&txn)
        .await?;
    if done.rows_affected == 0 {
        return Err(Error::Invalid("teahouse-status-changed"));
    }
    if let Some(author) = reply.author_id {
        inbox::send(
            &txn,
            author,
            "inbox-thread-accepted",
            &thread.title,
            &thread_link(thread.id),
            now,
        )
        .await?;
    }
    txn.commit().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::Role;

    fn account(display_name: Option<&str>) -> Account {
        Account {
            user: user::Model {
                id: 1,
                phone: "13800001234".into(),
                password_hash: String::new(),
                community_id: None,
                compound_id: None,
                consent_version: String::new(),
                consent_at: Utc::now(),
                created_at: Utc::now(),
                display_name: display_name.map(str::to_owned),
                consent_witness: None,
                phone_verified_at: None,
            },
            roles: vec![Role::Resident],
        }
    }

    #[test]
    fn a_name_is_needed_unless_posting_as_resident_or_saved() {
        let fresh = account(None);
        assert!(matches!(
            check_name(&fresh, " ", false),
            Err(Error::Invalid("teahouse-name-required"))
        ));
        assert_eq!(check_name(&fresh, "", true).ok(), Some(None));
        assert_eq!(
            check_name(&fresh, " 王阿姨 ", false).ok(),
            Some(Some("王阿姨".into()))
        );
        let named = account(Some("王阿姨"));
        assert_eq!(check_name(&named, "", false).ok(), Some(None));
        assert_eq!(check_name(&named, "王阿姨", false).ok(), Some(None));
    }

    #[test]
    fn a_name_cannot_carry_a_phone_number() {
        let fresh = account(None);
        assert!(matches!(
            check_name(&fresh, "老李13800001234", false),
            Err(Error::Invalid("teahouse-name-phone"))
        ));
        assert!(check_name(&fresh, "3号楼老李", false).is_ok());
        assert!(matches!(
            check_name(&fresh, &"长".repeat(21), false),
            Err(Error::Invalid("teahouse-name-length"))
        ));
    }
}
