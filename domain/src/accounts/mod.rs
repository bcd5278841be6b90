//! Accounts, roles and sessions: who may do what.
//!
//! Sessions live in the database so that several server processes share them. A session
//! ends after `idle` without use or at `absolute` after sign-in, whichever comes first.

pub mod codes;
pub mod counter;
pub mod password;
pub mod phone;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait,
    DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
    TryInsertResult,
};
use sha2::{Digest, Sha256};

use crate::admin_log::{Actor, Change, LogAction};
use crate::entities::{community, compound, login_attempt, session, user, user_role};
use crate::{Error, Result};

/// What is stored as consent for accounts an administrator creates from the command line.
pub const STAFF_CONSENT: &str = "staff-account";

/// Failed sign-ins allowed per account in an hour, and per address in a minute; the next
/// attempt is refused until the window has passed.
pub const MAX_FAILURES_PER_ACCOUNT_HOUR: u64 = 10;
pub const MAX_FAILURES_PER_ADDRESS_MINUTE: u64 = 6;

/// Every rule code this module can refuse with; each is a translation key.
pub const REFUSAL_CODES: &[&str] = &[
    "account-phone-invalid",
    "account-phone-taken",
    "account-password-short",
    "account-password-long",
    "account-password-common",
    "account-consent-required",
    "account-community-required",
    "account-compound-mismatch",
    "account-password-wrong",
    "login-failed",
    "login-throttled-account",
    "login-throttled-address",
];

pub use vocab::accounts::Role;

/// A signed-in person as the rest of the portal sees them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    pub user: user::Model,
    pub roles: Vec<Role>,
}

impl Account {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// Refuses unless the account holds `role` (admins hold every power).
    pub fn require(&self, role: Role) -> Result<()> {
        if self.has(role) || self.has(Role::Admin) {
            Ok(())
        } else {
            Err(Error::Forbidden)
        }
    }
}

/// What a resident fills in to register.
#[derive(Clone, Debug)]
pub struct Registration {
    pub phone: String,
    pub password: String,
    pub community_id: Option<i32>,
    pub compound_id: Option<i32>,
    /// The box "I have read the privacy notice" was ticked…
    pub consent: bool,
    /// …for the notice of this version (the app that shows the notice names it).
    pub notice_version: String,
    /// Where codes are in use, the one texted to the number (`codes::send_for_registration`):
    /// the account starts with its number proven. `None` where they are not.
    pub code: Option<String>,
}

/// Registers a resident. Every rule is checked before anything is written; the unique
/// index on the phone number settles a race between two registrations of one number.
pub async fn register(
    db: &DatabaseConnection,
    form: Registration,
    now: DateTime<Utc>,
) -> Result<Account> {
    let place = check_registration(db, &form, Some(&form.password)).await?;
    // A texted code comes first: only who holds the phone learns anything more, such as
    // that the number is taken (its code said so, and was no code).
    if let Some(code) = &form.code {
        codes::spend(db, &place.phone, code, now).await?;
    }
    // Every refusal comes before the hash: argon2 is the costly step, and a number that is
    // taken is refused anyway (the unique index below still settles a race).
    if find_by_phone(db, &place.phone).await?.is_some() {
        return Err(Error::Invalid("account-phone-taken"));
    }
    let password_hash = password::hash(&form.password).await?;
    let txn = db.begin().await?;
    let mut user =
        insert_resident(&txn, place, password_hash, &form.notice_version, None, now).await?;
    if form.code.is_some() {
        codes::mark_verified(&txn, user.id, now).await?;
        user.phone_verified_at = Some(now);
    }
    txn.commit().await?;
    Ok(Account {
        user,
        roles: vec![Role::Resident],
    })
}

/// Where a registration puts the resident, once its number, consent and places passed.
pub(crate) struct Place {
    phone: String,
    community_id: i32,
    compound_id: Option<i32>,
}

/// The rules of a registration, in the order their refusals are told: a valid number, a
/// strong `password` (none at the counter, where the resident chooses one later), consent,
/// an existing community and a compound of it.
async fn check_registration(
    db: &impl ConnectionTrait,
    form: &Registration,
    password: Option<&str>,
) -> Result<Place> {
    let phone = phone::normalise(&form.phone);
    if !phone::is_valid(&phone) {
        return Err(Error::Invalid("account-phone-invalid"));
    }
    if let Some(why) = password.and_then(|p| password::weakness(p, &phone)) {
        return Err(Error::Invalid(why));
    }
    if !form.consent {
        return Err(Error::Invalid("account-consent-required"));
    }
    let community_id = form
        .community_id
        .ok_or(Error::Invalid("account-community-required"))?;
    // A retired community or compound is no longer offered, nor taken from a stale form.
    if community::Entity::find_by_id(community_id)
        .one(db)
        .await?
        .is_none_or(|c| c.retired_at.is_some())
    {
        return Err(Error::Invalid("account-community-required"));
    }
    if let Some(compound_id) = form.compound_id {
        let compound = compound::Entity::find_by_id(compound_id).one(db).await?;
        if compound.is_none_or(|c| c.community_id != community_id || c.retired_at.is_some()) {
            return Err(Error::Invalid("account-compound-mismatch"));
        }
    }
    Ok(Place {
        phone,
        community_id,
        compound_id: form.compound_id,
    })
}

/// Writes a resident's account with its role and the urgent notices in force for their
/// community, in the transaction `db` is; `witness` names the officer who took the consent
/// at the counter.
async fn insert_resident(
    db: &impl ConnectionTrait,
    place: Place,
    password_hash: String,
    notice_version: &str,
    witness: Option<String>,
    now: DateTime<Utc>,
) -> Result<user::Model> {
    let inserted = user::ActiveModel {
        phone: Set(place.phone),
        password_hash: Set(password_hash),
        community_id: Set(Some(place.community_id)),
        compound_id: Set(place.compound_id),
        consent_version: Set(notice_version.to_owned()),
        consent_at: Set(now),
        consent_witness: Set(witness),
        created_at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await;
    let user = match inserted {
        Ok(user) => user,
        Err(e) if crate::db::unique_violation(&e).is_some() => {
            return Err(Error::Invalid("account-phone-taken"));
        }
        Err(e) => return Err(e.into()),
    };
    user_role::ActiveModel {
        user_id: Set(user.id),
        role: Set(Role::Resident.as_str().to_owned()),
    }
    .insert(db)
    .await?;
    crate::notices::deliver_urgent(db, user.id, place.community_id, now).await?;
    Ok(user)
}

/// Creates a staff or resident account from the command line, or grants `roles` to the
/// existing account of `phone` (its password is then left alone). Logged as the command
/// line's act.
pub async fn add_user(
    db: &DatabaseConnection,
    phone_number: &str,
    password: Option<&str>,
    roles: &[Role],
    now: DateTime<Utc>,
) -> Result<Account> {
    add_user_by(db, Actor::CommandLine, phone_number, password, roles, now).await
}

/// `add_user` as `by`: the account, its roles and their lines in the admin log are written
/// in one transaction.
pub async fn add_user_by(
    db: &DatabaseConnection,
    by: Actor,
    phone_number: &str,
    password: Option<&str>,
    roles: &[Role],
    now: DateTime<Utc>,
) -> Result<Account> {
    let phone = phone::normalise(phone_number);
    if !phone::is_valid(&phone) {
        return Err(Error::Invalid("account-phone-invalid"));
    }
    let existing = user::Entity::find()
        .filter(user::Column::Phone.eq(&phone))
        .one(db)
        .await?;
    // Hashing takes a while: done before the transaction opens.
    let new_hash = match (&existing, password) {
        (Some(_), _) | (None, None) => None,
        (None, Some(password)) => {
            if let Some(why) = password::weakness(password, &phone) {
                return Err(Error::Invalid(why));
            }
            Some(password::hash(password).await?)
        }
    };
    let txn = db.begin().await?;
    let user = match (existing, new_hash) {
        (Some(user), _) => user,
        (None, None) => return Err(Error::Invalid("account-password-short")),
        (None, Some(hash)) => {
            let inserted = user::ActiveModel {
                phone: Set(phone),
                password_hash: Set(hash),
                consent_version: Set(STAFF_CONSENT.to_owned()),
                consent_at: Set(now),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await;
            match inserted {
                Ok(user) => user,
                Err(e) if crate::db::unique_violation(&e).is_some() => {
                    return Err(Error::Invalid("account-phone-taken"));
                }
                Err(e) => return Err(e.into()),
            }
        }
    };
    for role in roles {
        grant_by(&txn, by, user.id, *role, now).await?;
    }
    let roles = roles_of(&txn, user.id).await?;
    txn.commit().await?;
    Ok(Account { roles, user })
}

pub async fn find_by_phone(
    db: &impl ConnectionTrait,
    phone_number: &str,
) -> Result<Option<user::Model>> {
    let phone = phone::normalise(phone_number);
    Ok(user::Entity::find()
        .filter(user::Column::Phone.eq(phone))
        .one(db)
        .await?)
}

/// Gives `user_id` the role; whether they did not hold it before.
pub async fn grant(db: &impl ConnectionTrait, user_id: i32, role: Role) -> Result<bool> {
    let inserted = user_role::Entity::insert(user_role::ActiveModel {
        user_id: Set(user_id),
        role: Set(role.as_str().to_owned()),
    })
    .on_conflict_do_nothing_on([user_role::Column::UserId, user_role::Column::Role])
    .exec_without_returning(db)
    .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(n) if n > 0))
}

/// The roles as the admin log keeps them: "mediator resident".
fn role_list(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `grant` as an admin's (or the command line's) act: a new role is logged, in the
/// transaction `db` is.
pub(crate) async fn grant_by(
    db: &impl ConnectionTrait,
    by: Actor,
    user_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let before = roles_of(db, user_id).await?;
    if !grant(db, user_id, role).await? {
        return Ok(());
    }
    let after = roles_of(db, user_id).await?;
    crate::admin_log::write(
        db,
        by,
        Change {
            action: LogAction::RoleGranted,
            target: Some(user_id),
            subject: role.as_str(),
            before: &role_list(&before),
            after: &role_list(&after),
        },
        now,
    )
    .await
}

/// Takes a role back, and with it every membership that rests on it (a mediator's rooms, a
/// volunteer's squads, a liaison's rooms, a resident's stations and offices: see
/// `memberships`), logging each in the same transaction.
pub async fn revoke(
    db: &DatabaseConnection,
    by: Actor,
    user_id: i32,
    role: Role,
    now: DateTime<Utc>,
) -> Result<()> {
    let txn = db.begin().await?;
    let before = roles_of(&txn, user_id).await?;
    let deleted = user_role::Entity::delete_many()
        .filter(user_role::Column::UserId.eq(user_id))
        .filter(user_role::Column::Role.eq(role.as_str()))
        .exec(&txn)
        .await?
        .rows_affected;
    if deleted > 0 {
        let after = roles_of(&txn, user_id).await?;
        crate::admin_log::write(
            &txn,
            by,
            Change {
                action: LogAction::RoleRevoked,
                target: Some(user_id),
                subject: role.as_str(),
                before: &role_list(&before),
                after: &role_list(&after),
            },
            now,
        )
        .await?;
    }
    // Also when the role was already gone: no membership outlives it.
    crate::memberships::end_for_role(&txn, by, user_id, role, now).await?;
    txn.commit().await?;
    Ok(())
}

pub async fn roles_of(db: &impl ConnectionTrait, user_id: i32) -> Result<Vec<Role>> {
    let mut roles: Vec<Role> = user_role::Entity::find()
        .filter(user_role::Column::UserId.eq(user_id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| Role::parse(&r.role).ok_or(Error::Internal("a stored role is no role")))
        .collect::<Result<_>>()?;
    roles.sort();
    Ok(roles)
}

pub(crate) fn token_id(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// 32 random bytes from the operating system, as 64 hex digits: session tokens, CSRF
/// tokens, the portal's secret key.
pub fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|_| Error::Internal("the system has no source of randomness"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionPolicy {
    pub idle: Duration,
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// Signs in: throttles guessing first, then checks the password. Returns the account and
/// the new session's token (a fresh one at every sign-in, so a planted id is worthless).
pub async fn login(
    db: &DatabaseConnection,
    phone_number: &str,
    password: &str,
    address: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(Account, String)> {
    let phone = phone::normalise(phone_number);
    let attempt = admit_attempt(db, &phone, address, now).await?;
    let user = user::Entity::find()
        .filter(user::Column::Phone.eq(&phone))
        .one(db)
        .await?;
    // Spend the same time for an unknown number as for a real account, so timing does not
    // reveal which numbers exist.
    let hash = user
        .as_ref()
        .map_or(DUMMY_HASH, |u| u.password_hash.as_str());
    let verified = judge_attempt(db, attempt, password::verify(password, hash).await).await?;
    let Some(user) = user.filter(|_| verified) else {
        return Err(Error::Invalid("login-failed"));
    };
    let token = start_session(db, user.id, policy, now).await?;
    Ok((
        Account {
            roles: roles_of(db, user.id).await?,
            user,
        },
        token,
    ))
}

/// Checks the password of the signed-in person before a change that needs it (a new
/// password, deleting the account). Wrong passwords count against the account's sign-in
/// limit, so a borrowed or stolen session cannot be used to guess the password either.
pub async fn confirm_password(
    db: &DatabaseConnection,
    account: &Account,
    password: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let attempt = admit_attempt(db, &account.user.phone, address, now).await?;
    let verified = password::verify(password, &account.user.password_hash).await;
    if judge_attempt(db, attempt, verified).await? {
        Ok(())
    } else {
        Err(Error::Invalid("account-password-wrong"))
    }
}

/// Records a password check against `phone` from `address`, or refuses it when the account
/// or the address is over its limit.
///
/// The attempt is recorded before it is judged and counted with the others, so that
/// parallel guesses cannot all slip under the limit: every attempt that stays recorded
/// saw at most the limit of recorded attempts, itself included.
async fn admit_attempt(
    db: &DatabaseConnection,
    phone: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<login_attempt::Model> {
    // What was typed is kept only as far as a phone number goes: no control characters,
    // no essays in the attempts table.
    let typed: String = phone.chars().filter(|c| !c.is_control()).take(20).collect();
    let attempt = login_attempt::ActiveModel {
        phone: Set(typed.clone()),
        address: Set(address.to_owned()),
        at: Set(now),
        ..Default::default()
    }
    .insert(db)
    .await?;
    let account_attempts = login_attempt::Entity::find()
        .filter(login_attempt::Column::Phone.eq(&typed))
        .filter(login_attempt::Column::At.gt(now - Duration::hours(1)))
        .count(db)
        .await?;
    let address_attempts = login_attempt::Entity::find()
        .filter(login_attempt::Column::Address.eq(address))
        .filter(login_attempt::Column::At.gt(now - Duration::minutes(1)))
        .count(db)
        .await?;
    let throttled = if account_attempts > MAX_FAILURES_PER_ACCOUNT_HOUR {
        Some("login-throttled-account")
    } else if address_attempts > MAX_FAILURES_PER_ADDRESS_MINUTE {
        Some("login-throttled-address")
    } else {
        None
    };
    if let Some(code) = throttled {
        // A refused attempt is not judged, so it does not count: waiting out the limit works.
        login_attempt::Entity::delete_by_id(attempt.id)
            .exec(db)
            .await?;
        return Err(Error::Throttled(code));
    }
    Ok(attempt)
}

/// Keeps the attempt when the password was wrong, and forgets it when it was right or when
/// the system could not tell (a fault of ours is not a guess).
async fn judge_attempt(
    db: &DatabaseConnection,
    attempt: login_attempt::Model,
    verified: Result<bool>,
) -> Result<bool> {
    if !matches!(verified, Ok(false)) {
        login_attempt::Entity::delete_by_id(attempt.id)
            .exec(db)
            .await?;
    }
    verified
}

/// argon2id of a random string nobody knows, for equal-time refusals.
pub(crate) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0Zb7Yg0n0k7Yq1Ww3p8Xh2x6o8Kf3kI0q5Wj1m5cX2k";

pub async fn start_session(
    db: &impl ConnectionTrait,
    user_id: i32,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<String> {
    let token = random_token()?;
    session::ActiveModel {
        id: Set(token_id(&token)),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + policy.absolute),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// The account behind a session token, if the session is still alive; touching it keeps
/// it alive. Ended sessions are deleted on sight.
pub async fn session_account(
    db: &DatabaseConnection,
    token: &str,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<Option<Account>> {
    let id = token_id(token);
    let Some(found) = session::Entity::find_by_id(id.clone()).one(db).await? else {
        return Ok(None);
    };
    if found.expires_at <= now || found.last_seen_at + policy.idle <= now {
        session::Entity::delete_by_id(id).exec(db).await?;
        return Ok(None);
    }
    // One write a minute at most per session: enough for a 30-minute idle limit.
    if now - found.last_seen_at > Duration::minutes(1) {
        session::ActiveModel {
            id: Set(id),
            last_seen_at: Set(now),
            ..Default::default()
        }
        .update(db)
        .await?;
    }
    let Some(user) = user::Entity::find_by_id(found.user_id).one(db).await? else {
        return Ok(None);
    };
    Ok(Some(Account {
        roles: roles_of(db, user.id).await?,
        user,
    }))
}

/// How long a failed sign-in is kept: the throttle looks back an hour; the rest of the day
/// lets an operator see an attack that has just ended.
pub const ATTEMPTS_KEPT: Duration = Duration::days(1);

/// Forgets what no longer serves a purpose (PIPL: kept no longer than needed): failed
/// sign-ins older than `ATTEMPTS_KEPT`, with the number typed and the address, requests for
/// texted codes past their day and codes that expired, and sessions that have ended, idle
/// or old. Returns how many attempts (with code requests and codes) and sessions went.
pub async fn forget_stale(
    db: &impl ConnectionTrait,
    policy: SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(u64, u64)> {
    let attempts = login_attempt::Entity::delete_many()
        .filter(login_attempt::Column::At.lte(now - ATTEMPTS_KEPT))
        .exec(db)
        .await?
        .rows_affected
        + codes::forget_stale(db, now).await?;
    let sessions = session::Entity::delete_many()
        .filter(
            Condition::any()
                .add(session::Column::ExpiresAt.lte(now))
                .add(session::Column::LastSeenAt.lte(now - policy.idle)),
        )
        .exec(db)
        .await?
        .rows_affected;
    Ok((attempts, sessions))
}

pub async fn logout(db: &impl ConnectionTrait, token: &str) -> Result<()> {
    session::Entity::delete_by_id(token_id(token))
        .exec(db)
        .await?;
    Ok(())
}

/// Changes the password and ends every other session of the account. The old password is
/// checked, and throttled, as at sign-in.
pub async fn change_password(
    db: &DatabaseConnection,
    account: &Account,
    current_token: &str,
    old: &str,
    new: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    confirm_password(db, account, old, address, now).await?;
    if let Some(why) = password::weakness(new, &account.user.phone) {
        return Err(Error::Invalid(why));
    }
    let hash = password::hash(new).await?;
    let txn = db.begin().await?;
    user::ActiveModel {
        id: Set(account.user.id),
        password_hash: Set(hash),
        ..Default::default()
    }
    .update(&txn)
    .await?;
    session::Entity::delete_many()
        .filter(session::Column::UserId.eq(account.user.id))
        .filter(session::Column::Id.ne(token_id(current_token)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// The names of the community and compound a person chose.
pub async fn places(
    db: &impl ConnectionTrait,
    user: &user::Model,
) -> Result<(Option<String>, Option<String>)> {
    let community = match user.community_id {
        Some(id) => community::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let compound = match user.compound_id {
        Some(id) => compound::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    Ok((community, compound))
}

/// Everything the portal holds about a person, for "download my data" (PIPL art. 45: the
/// right to a copy): the account, consent, sessions and inbox here, and each feature's part
/// from its own `export_for` — mediation cases with their bookings and timelines and the
/// video chat lines written, volunteering (applications, squads, shifts and hours, help
/// asked and taken), the tea house (threads, posts with their moderation state, reports),
/// the notices read, and the closed-loop cases. Times are ISO 8601 in UTC. Nothing of
/// another person is in it beyond what the person typed themselves, and the other party's
/// phone number is masked even then.
///
/// Left out, deliberately, each for its reason:
/// - The failed sign-ins (`login_attempts`, kept a day): a row holds whatever number was
///   typed and the address of whoever typed it, usually not the owner of the number; a copy
///   would hand a stranger's address to that owner. They exist only to stop password
///   guessing (PIPL art. 51: security measures) and are gone after a day.
/// - The password hash and the stored session ids: credentials, not information about the
///   person; a copy is a way into the account (PIPL art. 51). The sessions' times are given.
/// - What the person did as staff (a mediator's, leader's, liaison's or officer's steps,
///   moderation, decisions on others' applications, rosters, 三色 views): records of other
///   residents' matters, kept by the station for its duty (PIPL art. 45 ¶1 with art. 35).
/// - In the loop cases, the station's handling history and the 三色 household link: see
///   [`crate::casework::export::export_for`].
/// - Who reported the person's posts and who moderated them, who decided their
///   application, who took or asked their help request: other people.
/// - Video invitations: one-time keys of the other party, not of the person.
pub async fn export(db: &impl ConnectionTrait, account: &Account) -> Result<serde_json::Value> {
    let (community, compound) = places(db, &account.user).await?;
    let sessions = session::Entity::find()
        .filter(session::Column::UserId.eq(account.user.id))
        .order_by_asc(session::Column::CreatedAt)
        .order_by_asc(session::Column::Id)
        .all(db)
        .await?;
    let inbox = crate::inbox::all(db, account.user.id).await?;
    let mut data = serde_json::Map::new();
    data.insert(
        "account".into(),
        serde_json::json!({
            "phone": account.user.phone,
            "display_name": account.user.display_name,
            "community": community,
            "compound": compound,
            "roles": account.roles,
            "created_at": account.user.created_at,
        }),
    );
    data.insert(
        "consent".into(),
        serde_json::json!({
            "privacy_notice_version": account.user.consent_version,
            "agreed_at": account.user.consent_at,
            // The officer before whom it was given at the counter; null when given online.
            "witness": account.user.consent_witness,
        }),
    );
    data.insert(
        "sessions".into(),
        sessions
            .iter()
            .map(|s| serde_json::json!({"signed_in_at": s.created_at, "last_seen_at": s.last_seen_at}))
            .collect(),
    );
    data.insert(
        "inbox".into(),
        inbox
            .iter()
            .map(|m| serde_json::json!({"at": m.at, "topic": m.topic, "subject": m.subject}))
            .collect(),
    );
    let user_id = account.user.id;
    data.extend(crate::mediation::export::export_for(db, user_id).await?);
    data.extend(crate::volunteers::export::export_for(db, user_id).await?);
    data.extend(crate::teahouse::export::export_for(db, user_id).await?);
    data.extend(crate::notices::export_for(db, user_id).await?);
    data.extend(crate::casework::export::export_for(db, user_id).await?);
    data.extend(crate::calendar::export_for(db, user_id).await?);
    data.extend(crate::outbox::export_for(db, user_id).await?);
    data.extend(crate::files::export_for(db, user_id).await?);
    data.extend(crate::antifraud::export_for(db, user_id).await?);
    Ok(data.into())
}

/// Deletes the account with its roles, sessions, inbox and the photos and documents the
/// person added, and returns those files' keys: the caller removes their bytes
/// (`files::forget_bytes`, or the next `files::sweep`). Mediation cases the person filed
/// stay as the station's record without them, and tea-house posts stay in their threads
/// signed "已注销的用户": the database sets the person to null.
pub async fn delete(db: &DatabaseConnection, account: &Account) -> Result<Vec<String>> {
    let txn = db.begin().await?;
    let files = crate::files::drop_for_account(&txn, account.user.id).await?;
    user::Entity::delete_by_id(account.user.id)
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(files)
}

/// Accounts for the admin page, newest first.
pub async fn list(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<Account>> {
    use sea_orm::QuerySelect;
    let users = user::Entity::find()
        .order_by_desc(user::Column::Id)
        .limit(limit)
        .all(db)
        .await?;
    let mut accounts = Vec::with_capacity(users.len());
    for user in users {
        accounts.push(Account {
            roles: roles_of(db, user.id).await?,
            user,
        });
    }
    Ok(accounts)
}

/// How staff pages name people: the display name, or the masked number of someone who set
/// none. Unknown ids (deleted accounts) are absent.
pub async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i32>,
) -> Result<std::collections::HashMap<i32, String>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| {
            let name = u.display_name.unwrap_or_else(|| phone::mask(&u.phone));
            (u.id, name)
        })
        .collect())
}

/// Registered residents per community: a figure for officers. One grouped count, however
/// many communities.
pub async fn residents_per_community(db: &impl ConnectionTrait) -> Result<Vec<(String, u64)>> {
    let counts =
        crate::directory::per_community(user::Entity::find(), user::Column::CommunityId, db)
            .await?;
    Ok(community::Entity::find()
        .order_by_asc(community::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|c| (c.name, counts.get(&c.id).copied().unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn form(phone: &str) -> Registration {
        Registration {
            phone: phone.to_owned(),
            password: "haitian-xiongzhen".to_owned(),
            community_id: Some(1),
            compound_id: Some(1),
            consent: true,
            notice_version: "2026-11-29".to_owned(),
            code: None,
        }
    }

    /// With every hasher busy, a taken number is still refused at once: the refusal needs
    /// no hash. A new number waits for a hasher, and is registered once one is free.
    #[tokio::test]
    async fn a_taken_number_is_refused_without_spending_a_hash()
    -> Result<(), Box<dyn std::error::Error>> {
        let db = crate::testing::fresh_db().await?;
        crate::demo::load_directory(&db).await?;
        register(&db, form("13812341234"), Utc::now()).await?;

        let busy = password::HASHERS
            .acquire_many(password::AT_ONCE as u32)
            .await?;
        let taken = tokio::time::timeout(
            Duration::from_secs(60),
            register(&db, form("13812341234"), Utc::now()),
        )
        .await
        .map_err(|_| "the refusal of a taken number waited for a hasher")?;
        assert!(
            matches!(taken, Err(Error::Invalid("account-phone-taken"))),
            "{taken:?}"
        );
        let mut fresh = std::pin::pin!(register(&db, form("13812345678"), Utc::now()));
        assert!(
            tokio::time::timeout(Duration::from_millis(300), fresh.as_mut())
                .await
                .is_err(),
            "a new number needs a hash, and every hasher is busy"
        );
        drop(busy);
        fresh.await?;
        Ok(())
    }
}
