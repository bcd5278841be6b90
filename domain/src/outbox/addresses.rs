//! Where a person is reached besides their phone number (every account has one): their
//! WeChat, linked through the station's Official Account, and an e-mail address they proved
//! with a code mailed to it. A channel reaches only the people who have its address, so a
//! station that configures neither never queues a message for either.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    FromQueryResult, QueryFilter, QuerySelect, TransactionTrait,
};

use super::{Channel, Kind, Message};
use crate::accounts::{Account, codes, password};
use crate::entities::{email_address, user, wechat_link};
use crate::{Error, Result};

/// Every code this module refuses with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &["email-invalid", "wechat-link-failed"];

/// The mail's topic that carries an address's code; a translation key.
pub const TOPICS: &[&str] = &["outbox-code-email"];

/// Of `user_ids`, who each channel reaches: everyone by SMS, the linked by WeChat, the proven
/// addresses by e-mail. Both addresses are looked up in one query: a message is queued inside
/// its writer's transaction, which holds SQLite's write lock meanwhile.
pub async fn reachable(
    db: &impl ConnectionTrait,
    user_ids: &[i32],
) -> Result<BTreeSet<(i32, Channel)>> {
    #[derive(FromQueryResult)]
    struct Reach {
        id: i32,
        wechat: bool,
        email: bool,
    }
    let mut reached = BTreeSet::new();
    for chunk in user_ids.chunks(500) {
        let linked = Query::select()
            .expr(Expr::val(1))
            .from(wechat_link::Entity)
            .and_where(
                Expr::col((wechat_link::Entity, wechat_link::Column::UserId))
                    .equals((user::Entity, user::Column::Id)),
            )
            .to_owned();
        let proven = Query::select()
            .expr(Expr::val(1))
            .from(email_address::Entity)
            .and_where(
                Expr::col((email_address::Entity, email_address::Column::UserId))
                    .equals((user::Entity, user::Column::Id)),
            )
            .and_where(email_address::Column::VerifiedAt.is_not_null())
            .to_owned();
        let rows = user::Entity::find()
            .select_only()
            .column(user::Column::Id)
            .expr_as(Expr::exists(linked), "wechat")
            .expr_as(Expr::exists(proven), "email")
            .filter(user::Column::Id.is_in(chunk.iter().copied()))
            .into_model::<Reach>()
            .all(db)
            .await?;
        for row in rows {
            reached.insert((row.id, Channel::Sms));
            if row.wechat {
                reached.insert((row.id, Channel::Wechat));
            }
            if row.email {
                reached.insert((row.id, Channel::Email));
            }
        }
    }
    Ok(reached)
}

/// Links the WeChat of `openid` (as the Official Account knows it) to a person. A WeChat
/// reaches one account: linked again from another, it leaves the first.
pub async fn link_wechat(
    db: &DatabaseConnection,
    user_id: i32,
    openid: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    if openid.is_empty() || openid.len() > 64 {
        return Err(Error::Invalid("wechat-link-failed"));
    }
    let txn = db.begin().await?;
    wechat_link::Entity::delete_many()
        .filter(wechat_link::Column::Openid.eq(openid))
        .filter(wechat_link::Column::UserId.ne(user_id))
        .exec(&txn)
        .await?;
    wechat_link::Entity::insert(wechat_link::ActiveModel {
        user_id: Set(user_id),
        openid: Set(openid.to_owned()),
        linked_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(wechat_link::Column::UserId)
            .update_columns([wechat_link::Column::Openid, wechat_link::Column::LinkedAt])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

/// Unlinks a person's WeChat; what was queued for it fails as "not linked".
pub async fn unlink_wechat(db: &impl ConnectionTrait, user_id: i32) -> Result<()> {
    wechat_link::Entity::delete_by_id(user_id).exec(db).await?;
    Ok(())
}

/// A person's linked WeChat, if any.
pub async fn wechat_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<wechat_link::Model>> {
    Ok(wechat_link::Entity::find_by_id(user_id).one(db).await?)
}

/// A person's e-mail address, proven or waiting for its code.
pub async fn email_of(
    db: &impl ConnectionTrait,
    user_id: i32,
) -> Result<Option<email_address::Model>> {
    Ok(email_address::Entity::find_by_id(user_id).one(db).await?)
}

/// An address as typed, trimmed and lower-cased in its domain, when it looks like one a
/// mail server would take: one `@`, something before it, a dotted domain after, no spaces,
/// at most 254 characters.
pub fn valid_email(typed: &str) -> Result<String> {
    let typed = typed.trim();
    let invalid = || Error::Invalid("email-invalid");
    let (local, domain) = typed.rsplit_once('@').ok_or_else(invalid)?;
    let domain_ok = domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-');
    // Dots only between characters: what mail servers and the mailer take.
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && !domain.contains("..")
        && !local.contains('@')
        && local
            .chars()
            .all(|c| !c.is_whitespace() && !c.is_control() && !"<>()[],;:\"\\".contains(c));
    if !domain_ok || !local_ok || typed.len() > 254 {
        return Err(invalid());
    }
    Ok(format!("{local}@{}", domain.to_lowercase()))
}

/// Mails a code to `typed` for the signed-in person to prove it is theirs: the address is
/// kept, unproven, with the code's hash; a new request replaces both. At most as many codes
/// a day as a phone number gets, and as many from one client address.
pub async fn ask_email_code(
    db: &DatabaseConnection,
    account: &Account,
    typed: &str,
    client: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let address = valid_email(typed)?;
    codes::admit_request(db, &format!("mail-{}", account.user.id), client, now).await?;
    let code = codes::new_code()?;
    let code_hash = password::hash(&code).await?;
    let txn = db.begin().await?;
    email_address::Entity::insert(email_address::ActiveModel {
        user_id: Set(account.user.id),
        address: Set(address),
        verified_at: Set(None),
        code_hash: Set(Some(code_hash)),
        code_expires_at: Set(Some(now + codes::CODE_VALID)),
        tries: Set(0),
    })
    .on_conflict(
        OnConflict::column(email_address::Column::UserId)
            .update_columns([
                email_address::Column::Address,
                email_address::Column::VerifiedAt,
                email_address::Column::CodeHash,
                email_address::Column::CodeExpiresAt,
                email_address::Column::Tries,
            ])
            .to_owned(),
    )
    .exec_without_returning(&txn)
    .await?;
    let message = Message {
        kind: Kind::Code,
        topic: "outbox-code-email",
        subject: &code,
        link: "/me",
        starts_at: None,
        notice_id: None,
    };
    super::enqueue_by(&txn, account.user.id, Channel::Email, &message, now).await?;
    txn.commit().await?;
    Ok(())
}

/// Proves the person's e-mail address with the code mailed to it. Each try is counted before
/// it is judged; five tries, five minutes.
pub async fn verify_email(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let wrong = || Error::Invalid("code-wrong");
    let id = account.user.id;
    let tried = email_address::Entity::update_many()
        .col_expr(
            email_address::Column::Tries,
            Expr::col(email_address::Column::Tries).add(1),
        )
        .filter(email_address::Column::UserId.eq(id))
        .filter(email_address::Column::CodeExpiresAt.gt(now))
        .filter(email_address::Column::Tries.lt(codes::MAX_TRIES))
        .exec(db)
        .await?;
    if tried.rows_affected != 1 {
        return Err(wrong());
    }
    let pending = email_of(db, id).await?.ok_or_else(wrong)?;
    let hash = pending.code_hash.ok_or_else(wrong)?;
    if !password::verify(&codes::typed(code), &hash).await? {
        return Err(wrong());
    }
    // Of two uses at the same moment, one proves it.
    let proven = email_address::Entity::update_many()
        .col_expr(email_address::Column::VerifiedAt, Expr::value(now))
        .col_expr(
            email_address::Column::CodeHash,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            email_address::Column::CodeExpiresAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(email_address::Column::UserId.eq(id))
        .filter(email_address::Column::CodeHash.eq(hash))
        .exec(db)
        .await?;
    if proven.rows_affected != 1 {
        return Err(wrong());
    }
    Ok(())
}

/// Forgets a person's e-mail address; nothing more is mailed to it.
pub async fn forget_email(db: &impl ConnectionTrait, user_id: i32) -> Result<()> {
    email_address::Entity::delete_by_id(user_id)
        .exec(db)
        .await?;
    Ok(())
}
