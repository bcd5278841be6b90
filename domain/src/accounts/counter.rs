//! 窗口服务 — what an officer does for a person standing at the station's counter: a
//! one-time reset code for an account whose password is forgotten, and an account for a
//! resident who cannot register on a phone themselves (with a reset code to take it over).
//!
//! A reset code is 8 characters of the case codes' alphabet (no 0/O, 1/I), 40 bits: shown
//! once to the officer, valid for [`CODE_VALID`], spent once. It is stored as an argon2id
//! hash like a password rather than a keyed SHA-256: the portal keeps no secret key, and an
//! unkeyed fast hash of 40 bits falls to an offline search of a leaked table in minutes.
//! Tried codes count against the sign-in limits (per number and per address), so guessing
//! one online stops after a handful of tries.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection,
    EntityTrait, QueryFilter, TransactionTrait,
};

use super::{
    Account, DUMMY_HASH, Registration, Role, admit_attempt, check_registration, find_by_phone,
    insert_resident, judge_attempt, password, phone, random_token, roles_of,
};
use crate::admin_log::{self, Actor, Change, LogAction};
use crate::entities::{reset_code, session, user};
use crate::text::{length_within, one_line};
use crate::{Error, Result};

/// How long a reset code may be used.
pub const CODE_VALID: Duration = Duration::hours(24);

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "reset-code-wrong",
    "counter-no-account",
    "counter-staff-account",
    "counter-witness-invalid",
    "counter-code-raced",
];

/// The characters of a code: none that can be misread (0/O, 1/I).
const ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const CODE_LENGTH: usize = 8;

/// A code as the officer sees it once, to write down or print for the person.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedCode {
    /// The account's number, whole: the officer has the person in front of them.
    pub phone: String,
    /// `K3Q9-M7XA`.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

fn new_code() -> Result<String> {
    let mut bytes = [0u8; CODE_LENGTH];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the system has no source of randomness"))?;
    Ok(bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect())
}

/// `K3Q9M7XA` as it is shown: two groups of four, easier to copy by hand.
fn shown(code: &str) -> String {
    let (first, second) = code.split_at(CODE_LENGTH / 2);
    format!("{first}-{second}")
}

/// What a person typed, as it was hashed: upper case, without the dash and spaces they
/// may copy with it. Anything longer than a code cannot be one (and is not hashed whole).
fn typed_code(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .take(CODE_LENGTH + 1)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// Issues a reset code for the account of `phone`, replacing any unused one. Officers and
/// admins only; an officer cannot issue one for a staff account (that would hand them the
/// account of another officer or of an admin), an admin can.
pub async fn issue_reset_code(
    db: &DatabaseConnection,
    officer: &Account,
    phone_number: &str,
    now: DateTime<Utc>,
) -> Result<IssuedCode> {
    let by = Actor::counter(officer)?;
    let user = find_by_phone(db, phone_number)
        .await?
        .ok_or(Error::Invalid("counter-no-account"))?;
    let roles = roles_of(db, user.id).await?;
    let staff = roles.contains(&Role::Officer) || roles.contains(&Role::Admin);
    if staff && !officer.has(Role::Admin) {
        return Err(Error::Invalid("counter-staff-account"));
    }
    let code = new_code()?;
    // Hashing takes a while: done before the transaction opens.
    let code_hash = password::hash(&code).await?;
    let txn = db.begin().await?;
    let expires_at = now + CODE_VALID;
    issue_in(&txn, by, user.id, code_hash, expires_at, now).await?;
    txn.commit().await?;
    Ok(IssuedCode {
        phone: user.phone,
        code: shown(&code),
        expires_at,
    })
}

/// A reset code the person asked to have texted to their number (`codes::send_for_reset`),
/// valid until `expires_at`; kept and used as a code from the counter is.
pub(crate) async fn issue_by_text(
    db: &impl ConnectionTrait,
    user_id: i32,
    code_hash: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    issue_in(db, Actor::Own(user_id), user_id, code_hash, expires_at, now).await
}

/// Stores a code's hash for `user_id` in the transaction `db` is, in place of an unused
/// one, and logs it.
async fn issue_in(
    db: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    code_hash: String,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<()> {
    let replaced = reset_code::Entity::delete_many()
        .filter(reset_code::Column::UserId.eq(user_id))
        .filter(reset_code::Column::UsedAt.is_null())
        .exec(db)
        .await?
        .rows_affected;
    let inserted = reset_code::ActiveModel {
        user_id: Set(user_id),
        code_hash: Set(code_hash),
        issued_by: Set(match by {
            Actor::Counter(id) => Some(id),
            _ => None,
        }),
        issued_at: Set(now),
        expires_at: Set(expires_at),
        used_at: Set(None),
        tries: Set(0),
        ..Default::default()
    }
    .insert(db)
    .await;
    match inserted {
        Ok(_) => {}
        // Another officer issued one for this account at the same moment: theirs stands.
        Err(e) if crate::db::unique_violation(&e).is_some() => {
            return Err(Error::Invalid("counter-code-raced"));
        }
        Err(e) => return Err(e.into()),
    }
    admin_log::write(
        db,
        by,
        Change {
            action: LogAction::ResetIssued,
            target: Some(user_id),
            subject: "reset_code",
            before: if replaced > 0 {
                "unused code replaced"
            } else {
                ""
            },
            after: &format!("valid until {}", crate::time::format_local(expires_at)),
        },
        now,
    )
    .await?;
    Ok(())
}

/// `/reset`: the person of `phone` sets a new password with the code from the counter. A
/// wrong, used or expired code, or a number without an account, is one refusal, so the
/// answer tells a guesser nothing; every try counts against the sign-in limits. On
/// success the code is spent and every session of the account ends.
pub async fn reset_password(
    db: &DatabaseConnection,
    phone_number: &str,
    code: &str,
    new_password: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let phone = phone::normalise(phone_number);
    // Before the attempt is counted: a weak password says nothing about the code.
    if let Some(why) = password::weakness(new_password, &phone) {
        return Err(Error::Invalid(why));
    }
    let attempt = admit_attempt(db, &phone, address, now).await?;
    let user = find_by_phone(db, &phone).await?;
    let live = match &user {
        Some(user) => {
            reset_code::Entity::find()
                .filter(reset_code::Column::UserId.eq(user.id))
                .filter(reset_code::Column::UsedAt.is_null())
                .filter(reset_code::Column::ExpiresAt.gt(now))
                .one(db)
                .await?
        }
        None => None,
    };
    // A texted code (no officer issued it) is six digits: five tries, counted before they
    // are judged, so that the sign-in limits are not its only guard. A code from the
    // counter has 40 bits and the limits alone.
    let live = match live {
        Some(code) if code.issued_by.is_some() => Some(code),
        Some(code) => {
            let tried = reset_code::Entity::update_many()
                .col_expr(
                    reset_code::Column::Tries,
                    sea_orm::sea_query::ExprTrait::add(Expr::col(reset_code::Column::Tries), 1),
                )
                .filter(reset_code::Column::Id.eq(code.id))
                .filter(reset_code::Column::Tries.lt(super::codes::MAX_TRIES))
                .exec(db)
                .await?;
            (tried.rows_affected == 1).then_some(code)
        }
        None => None,
    };
    // The same time for a number without a code as for a wrong code.
    let hash = live.as_ref().map_or(DUMMY_HASH, |c| c.code_hash.as_str());
    let verified = password::verify(&typed_code(code), hash).await;
    let verified = judge_attempt(db, attempt, verified).await?;
    let (Some(user), Some(live)) = (user, live.filter(|_| verified)) else {
        return Err(Error::Invalid("reset-code-wrong"));
    };
    let password_hash = password::hash(new_password).await?;
    let txn = db.begin().await?;
    // Spent once: of two uses at the same moment, one finds it unused.
    let spent = reset_code::Entity::update_many()
        .col_expr(reset_code::Column::UsedAt, Expr::value(now))
        .filter(reset_code::Column::Id.eq(live.id))
        .filter(reset_code::Column::UsedAt.is_null())
        .filter(reset_code::Column::ExpiresAt.gt(now))
        .exec(&txn)
        .await?
        .rows_affected;
    if spent != 1 {
        return Err(Error::Invalid("reset-code-wrong"));
    }
    user::ActiveModel {
        id: Set(user.id),
        password_hash: Set(password_hash),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(user.id))
        .exec(&txn)
        .await?;
    admin_log::write(
        &txn,
        Actor::Own(user.id),
        Change {
            action: LogAction::ResetUsed,
            target: Some(user.id),
            subject: "reset_code",
            before: "unused",
            after: "used",
        },
        now,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A resident registered by an officer at the counter.
#[derive(Clone, Debug)]
pub struct CounterRegistration {
    pub phone: String,
    pub community_id: Option<i32>,
    pub compound_id: Option<i32>,
    /// The resident heard or read the privacy notice at the counter and agreed…
    pub consent: bool,
    /// …to the notice of this version…
    pub notice_version: String,
    /// …before this officer, by name, as the paper form carries it.
    pub witness: String,
}

/// Registers a resident who cannot do it on a phone: the account (with a password nobody
/// knows), the consent as given at the counter with the officer's name, and a reset code
/// for the resident to choose their password with — all in one transaction, logged.
pub async fn register_at_counter(
    db: &DatabaseConnection,
    officer: &Account,
    form: CounterRegistration,
    now: DateTime<Utc>,
) -> Result<IssuedCode> {
    let by = Actor::counter(officer)?;
    let witness = one_line(&form.witness);
    if !length_within(&witness, 2, 20) {
        return Err(Error::Invalid("counter-witness-invalid"));
    }
    let registration = Registration {
        phone: form.phone,
        password: String::new(),
        community_id: form.community_id,
        compound_id: form.compound_id,
        consent: form.consent,
        notice_version: form.notice_version,
        code: None,
    };
    let place = check_registration(db, &registration, None).await?;
    if find_by_phone(db, &place.phone).await?.is_some() {
        return Err(Error::Invalid("account-phone-taken"));
    }
    // Until the resident chooses one with the code, no password opens the account.
    let password_hash = password::hash(&random_token()?).await?;
    let code = new_code()?;
    let code_hash = password::hash(&code).await?;
    let txn = db.begin().await?;
    let user = insert_resident(
        &txn,
        place,
        password_hash,
        &registration.notice_version,
        Some(witness.clone()),
        now,
    )
    .await?;
    // The officer had the person and their phone in front of them.
    super::codes::mark_verified(&txn, user.id, now).await?;
    admin_log::write(
        &txn,
        by,
        Change {
            action: LogAction::CounterSignup,
            target: Some(user.id),
            subject: "resident",
            before: "",
            after: &format!(
                "consent {} witnessed by {witness}",
                registration.notice_version
            ),
        },
        now,
    )
    .await?;
    let expires_at = now + CODE_VALID;
    issue_in(&txn, by, user.id, code_hash, expires_at, now).await?;
    txn.commit().await?;
    Ok(IssuedCode {
        phone: user.phone,
        code: shown(&code),
        expires_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_shown_in_two_groups_and_read_back_however_it_is_typed() {
        assert_eq!(shown("K3Q9M7XA"), "K3Q9-M7XA");
        for typed in ["K3Q9-M7XA", " k3q9 m7xa ", "k3q9-m7xa"] {
            assert_eq!(typed_code(typed), "K3Q9M7XA", "{typed}");
        }
        assert_eq!(typed_code(&"A".repeat(1000)).len(), CODE_LENGTH + 1);
    }

    #[test]
    fn codes_use_only_the_alphabet_that_cannot_be_misread() -> Result<()> {
        for _ in 0..50 {
            let code = new_code()?;
            assert_eq!(code.len(), CODE_LENGTH);
            assert!(code.bytes().all(|b| ALPHABET.contains(&b)), "{code}");
        }
        Ok(())
    }
}
