//! 短信验证码 — with an SMS provider configured, a six-digit code texted to a number proves
//! that the person registering, verifying or resetting with it holds that phone. Without one,
//! none of this is used: registration works as before and resets stay at the counter.
//!
//! A code is valid for [`CODE_VALID`] and takes [`MAX_TRIES`] tries; a number gets at most
//! [`PER_NUMBER_A_DAY`] codes a day and a client address asks for at most
//! [`PER_ADDRESS_A_DAY`], counted as sign-in attempts are. Codes are stored as argon2id hashes like
//! passwords. Asking for a registration code for a number that already has an account
//! texts that number to say so instead, and the page answers the same either way: the
//! portal never tells a stranger whether a number is registered.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, PaginatorTrait, QueryFilter, TransactionTrait, sea_query::OnConflict,
};

use super::{Account, find_by_phone, password, phone};
use crate::entities::{code_request, phone_code, user};
use crate::outbox::{self, Kind, Message};
use crate::{Error, Result};

pub const CODE_VALID: Duration = Duration::minutes(5);
pub const MAX_TRIES: i32 = 5;
pub const PER_NUMBER_A_DAY: u64 = 5;
pub const PER_ADDRESS_A_DAY: u64 = 20;

/// Every code this module refuses with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "code-wrong",
    "code-too-many-number",
    "code-too-many-address",
    "account-phone-unverified",
];

/// The texts' topics; each is a translation key.
pub const TOPICS: &[&str] = &[
    "outbox-code-register",
    "outbox-code-verify",
    "outbox-code-reset",
    "outbox-code-taken",
];

/// Six random digits.
pub(crate) fn new_code() -> Result<String> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the system has no source of randomness"))?;
    Ok(format!("{:06}", u64::from_le_bytes(bytes) % 1_000_000))
}

/// What was typed as a code: digits only (phones' keyboards add spaces).
pub(crate) fn typed(code: &str) -> String {
    code.chars().filter(char::is_ascii_digit).take(6).collect()
}

/// A number as typed, in its stored form, when it is a mainland mobile number.
fn valid_phone(typed: &str) -> Result<String> {
    let phone = phone::normalise(typed);
    if !phone::is_valid(&phone) {
        return Err(Error::Invalid("account-phone-invalid"));
    }
    Ok(phone)
}

/// Records a request for a code to `phone` from `address`, or refuses it over a limit. The
/// request is written (and committed: no transaction) before it is counted, so that every
/// request that stays recorded saw at most the limit, itself included: racing requests
/// cannot all slip under it.
pub(crate) async fn admit_request(
    db: &DatabaseConnection,
    phone: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let request = code_request::ActiveModel {
        phone: Set(phone.to_owned()),
        address: Set(crate::text::truncate_chars(address, 64)),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let day = now - Duration::days(1);
    let by_number = code_request::Entity::find()
        .filter(code_request::Column::Phone.eq(phone))
        .filter(code_request::Column::At.gt(day))
        .count(db)
        .await?;
    let by_address = code_request::Entity::find()
        .filter(code_request::Column::Address.eq(&request.address))
        .filter(code_request::Column::At.gt(day))
        .count(db)
        .await?;
    let refused = if by_number > PER_NUMBER_A_DAY {
        Some("code-too-many-number")
    } else if by_address > PER_ADDRESS_A_DAY {
        Some("code-too-many-address")
    } else {
        None
    };
    if let Some(code) = refused {
        code_request::Entity::delete_by_id(request.id)
            .exec(db)
            .await?;
        return Err(Error::Throttled(code));
    }
    Ok(())
}

/// A new code for `phone`, replacing its last; the code itself, to be texted.
async fn store_code(db: &impl ConnectionTrait, phone: &str, now: DateTime<Utc>) -> Result<String> {
    let code = new_code()?;
    let code_hash = password::hash(&code).await?;
    phone_code::Entity::insert(phone_code::ActiveModel {
        phone: Set(phone.to_owned()),
        code_hash: Set(code_hash),
        issued_at: Set(now),
        expires_at: Set(now + CODE_VALID),
        tries: Set(0),
    })
    .on_conflict(
        OnConflict::column(phone_code::Column::Phone)
            .update_columns([
                phone_code::Column::CodeHash,
                phone_code::Column::IssuedAt,
                phone_code::Column::ExpiresAt,
                phone_code::Column::Tries,
            ])
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    Ok(code)
}

fn code_text<'a>(topic: &'a str, code: &'a str) -> Message<'a> {
    Message {
        kind: Kind::Code,
        topic,
        subject: code,
        link: "/",
        starts_at: None,
        notice_id: None,
    }
}

/// 注册: texts a code to `phone_number` for registering with it — or, when the number already
/// has an account, a text saying so (and how to reset the password). Both answer alike.
pub async fn send_for_registration(
    db: &DatabaseConnection,
    phone_number: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let phone = valid_phone(phone_number)?;
    admit_request(db, &phone, address, now).await?;
    // Read before the transaction, which only writes: on SQLite a transaction that read
    // first cannot write once another has written.
    let account = find_by_phone(db, &phone).await?;
    let txn = db.begin().await?;
    match account {
        Some(user) => {
            let message = code_text("outbox-code-taken", "");
            outbox::enqueue(&txn, &[user.id], &message, now).await?;
        }
        None => {
            let code = store_code(&txn, &phone, now).await?;
            let message = code_text("outbox-code-register", &code);
            outbox::enqueue_to_number(&txn, &phone, &message, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// 验证手机号: texts a code to the signed-in person's own number.
pub async fn send_for_verification(
    db: &DatabaseConnection,
    account: &Account,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    admit_request(db, &account.user.phone, address, now).await?;
    let txn = db.begin().await?;
    let code = store_code(&txn, &account.user.phone, now).await?;
    let message = code_text("outbox-code-verify", &code);
    outbox::enqueue(&txn, &[account.user.id], &message, now).await?;
    txn.commit().await?;
    Ok(())
}

/// 找回密码: texts a reset code (valid five minutes) to the number's account, to be used on
/// /reset as a code from the counter is. A number without an account gets nothing, and the
/// page answers the same.
pub async fn send_for_reset(
    db: &DatabaseConnection,
    phone_number: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let phone = valid_phone(phone_number)?;
    let code = new_code()?;
    admit_request(db, &phone, address, now).await?;
    let code_hash = password::hash(&code).await?;
    let account = find_by_phone(db, &phone).await?;
    let txn = db.begin().await?;
    if let Some(user) = account {
        super::counter::issue_by_text(&txn, user.id, code_hash, now + CODE_VALID, now).await?;
        let message = code_text("outbox-code-reset", &code);
        outbox::enqueue(&txn, &[user.id], &message, now).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Spends the code texted to `phone`: refused when there is none, it expired, its tries are
/// used up, or it is not what was typed. Each try is counted before it is judged.
pub(crate) async fn spend(
    db: &impl ConnectionTrait,
    phone: &str,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let wrong = Error::Invalid("code-wrong");
    let tried = phone_code::Entity::update_many()
        .col_expr(
            phone_code::Column::Tries,
            sea_orm::sea_query::ExprTrait::add(Expr::col(phone_code::Column::Tries), 1),
        )
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::ExpiresAt.gt(now))
        .filter(phone_code::Column::Tries.lt(MAX_TRIES))
        .exec(db)
        .await?;
    if tried.rows_affected != 1 {
        return Err(wrong);
    }
    let live = phone_code::Entity::find_by_id(phone.to_owned())
        .one(db)
        .await?
        .ok_or(Error::Invalid("code-wrong"))?;
    if !password::verify(&typed(code), &live.code_hash).await? {
        return Err(wrong);
    }
    // Of two uses at the same moment, one deletes it.
    let spent = phone_code::Entity::delete_many()
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::CodeHash.eq(&live.code_hash))
        .exec(db)
        .await?;
    if spent.rows_affected != 1 {
        return Err(wrong);
    }
    Ok(())
}

/// Marks the signed-in person's number as theirs with the code texted to it.
pub async fn verify(
    db: &DatabaseConnection,
    account: &Account,
    code: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    spend(&txn, &account.user.phone, code, now).await?;
    mark_verified(&txn, account.user.id, now).await?;
    txn.commit().await?;
    Ok(())
}

pub(crate) async fn mark_verified(
    db: &impl ConnectionTrait,
    user_id: i32,
    now: DateTime<Utc>,
) -> Result<()> {
    user::Entity::update_many()
        .col_expr(user::Column::PhoneVerifiedAt, Expr::value(now))
        .filter(user::Column::Id.eq(user_id))
        .exec(db)
        .await?;
    Ok(())
}

/// Where codes are in use (an SMS provider is configured), a person whose number is not
/// proven may not take part in a booking.
pub fn require_verified(account: &Account, codes_in_use: bool) -> Result<()> {
    if codes_in_use && account.user.phone_verified_at.is_none() {
        return Err(Error::Invalid("account-phone-unverified"));
    }
    Ok(())
}

/// Forgets requests for codes older than the day they count for, and codes that expired:
/// a number someone once typed is kept no longer than its limit needs. Returns how many.
pub(crate) async fn forget_stale(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64> {
    let requests = code_request::Entity::delete_many()
        .filter(code_request::Column::At.lte(now - Duration::days(1)))
        .exec(db)
        .await?
        .rows_affected;
    let codes = phone_code::Entity::delete_many()
        .filter(phone_code::Column::ExpiresAt.lte(now))
        .exec(db)
        .await?
        .rows_affected;
    Ok(requests + codes)
}
