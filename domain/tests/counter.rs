//! The counter (窗口服务): reset codes — shown once, valid 24 hours, spent once, guessed no
//! faster than passwords — and residents registered by an officer, on whichever engine
//! TEST_DATABASE_URL names.

use chrono::{DateTime, Duration, Utc};
use domain::accounts::counter::{self, CounterRegistration, REFUSAL_CODES};
use domain::accounts::{self, Account, Registration, Role, SessionPolicy};
use domain::entities::{admin_log, reset_code, user};
use domain::testing::{self, assert_forbidden, assert_refused};
use domain::{DatabaseConnection, Error, demo};
use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "haitian-xiongzhen";
const NEW_PASSWORD: &str = "zhaobao-shan-2027";
const RESIDENT: &str = "13812341234";
const OFFICER: &str = "13900000201";
const ADMIN: &str = "13900000999";
const HERE: &str = "10.0.0.1";

struct Counter {
    db: DatabaseConnection,
    resident: Account,
    officer: Account,
    admin: Account,
}

async fn counter() -> Result<Counter, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    demo::load_directory(&db).await?;
    let now = Utc::now();
    let resident = accounts::register(
        &db,
        Registration {
            phone: RESIDENT.into(),
            password: PASSWORD.into(),
            community_id: Some(1),
            compound_id: None,
            consent: true,
            notice_version: "2026-12-06".into(),
            code: None,
        },
        now,
    )
    .await?;
    let officer = accounts::add_user(&db, OFFICER, Some(PASSWORD), &[Role::Officer], now).await?;
    let admin = accounts::add_user(&db, ADMIN, Some(PASSWORD), &[Role::Admin], now).await?;
    Ok(Counter {
        db,
        resident,
        officer,
        admin,
    })
}

async fn reset(
    db: &DatabaseConnection,
    code: &str,
    address: &str,
    now: DateTime<Utc>,
) -> domain::Result<()> {
    counter::reset_password(db, RESIDENT, code, NEW_PASSWORD, address, now).await
}

async fn signs_in(db: &DatabaseConnection, password: &str) -> domain::Result<bool> {
    match accounts::login(
        db,
        RESIDENT,
        password,
        "10.9.9.9",
        SessionPolicy::default(),
        Utc::now(),
    )
    .await
    {
        Ok(_) => Ok(true),
        Err(Error::Invalid("login-failed")) => Ok(false),
        Err(e) => Err(e),
    }
}

/// (via, actor, action, target) of every row of the admin log, oldest first.
async fn log(
    db: &DatabaseConnection,
) -> Result<Vec<(String, Option<i32>, String, Option<i32>)>, Box<dyn std::error::Error>> {
    Ok(admin_log::Entity::find()
        .order_by_asc(admin_log::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|r| r.action.as_str().starts_with("reset") || r.action.as_str() == "counter_signup")
        .map(|r| {
            (
                r.via.as_str().to_owned(),
                r.actor_id,
                r.action.as_str().to_owned(),
                r.target_id,
            )
        })
        .collect())
}

#[tokio::test]
async fn a_reset_code_sets_a_new_password_once_and_ends_every_session() -> TestResult {
    let c = counter().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    let phone = accounts::start_session(&c.db, c.resident.user.id, policy, now).await?;
    let tablet = accounts::start_session(&c.db, c.resident.user.id, policy, now).await?;

    let issued = counter::issue_reset_code(&c.db, &c.officer, " 138 1234 1234 ", now).await?;
    assert_eq!(issued.phone, RESIDENT);
    assert_eq!(issued.expires_at, now + Duration::hours(24));
    assert_eq!(issued.code.len(), 9, "two groups of four: {}", issued.code);
    let stored = reset_code::Entity::find().all(&c.db).await?;
    assert_eq!(stored.len(), 1);
    assert!(
        stored[0].code_hash.starts_with("$argon2id$"),
        "stored hashed, never the code"
    );
    assert!(!stored[0].code_hash.contains(&issued.code.replace('-', "")));

    // Typed as people copy it: lower case, without the dash.
    let typed = issued.code.replace('-', " ").to_lowercase();
    reset(&c.db, &typed, HERE, now + Duration::minutes(5)).await?;
    assert!(signs_in(&c.db, NEW_PASSWORD).await?);
    assert!(
        !signs_in(&c.db, PASSWORD).await?,
        "the old password is gone"
    );
    for token in [phone, tablet] {
        assert_eq!(
            accounts::session_account(&c.db, &token, policy, now + Duration::minutes(6)).await?,
            None,
            "every session of the account ended"
        );
    }

    let again = reset(&c.db, &issued.code, HERE, now + Duration::minutes(7)).await;
    assert_refused(again, "reset-code-wrong", REFUSAL_CODES);

    assert_eq!(
        log(&c.db).await?,
        [
            (
                "counter".to_owned(),
                Some(c.officer.user.id),
                "reset_issued".to_owned(),
                Some(c.resident.user.id)
            ),
            (
                "reset_page".to_owned(),
                Some(c.resident.user.id),
                "reset_used".to_owned(),
                Some(c.resident.user.id)
            ),
        ],
        "issued and used, each with who"
    );
    Ok(())
}

#[tokio::test]
async fn a_code_works_for_24_hours_and_a_new_one_replaces_the_unused_one() -> TestResult {
    let c = counter().await?;
    let issued_at = Utc::now();
    let expired = counter::issue_reset_code(&c.db, &c.officer, RESIDENT, issued_at).await?;
    let late = reset(
        &c.db,
        &expired.code,
        HERE,
        issued_at + Duration::hours(24) + Duration::seconds(1),
    )
    .await;
    assert_refused(late, "reset-code-wrong", REFUSAL_CODES);
    assert!(signs_in(&c.db, PASSWORD).await?, "nothing changed");

    let first = counter::issue_reset_code(&c.db, &c.officer, RESIDENT, issued_at).await?;
    let second = counter::issue_reset_code(&c.db, &c.admin, RESIDENT, issued_at).await?;
    assert_eq!(
        reset_code::Entity::find().count(&c.db).await?,
        1,
        "one unused code per account"
    );
    let replaced = reset(&c.db, &first.code, HERE, issued_at).await;
    assert_refused(replaced, "reset-code-wrong", REFUSAL_CODES);
    reset(
        &c.db,
        &second.code,
        HERE,
        issued_at + Duration::hours(23) + Duration::minutes(59),
    )
    .await?;
    assert!(signs_in(&c.db, NEW_PASSWORD).await?);
    Ok(())
}

#[tokio::test]
async fn tried_codes_count_against_the_sign_in_limits() -> TestResult {
    let c = counter().await?;
    let now = Utc::now();
    let issued = counter::issue_reset_code(&c.db, &c.officer, RESIDENT, now).await?;
    // A failed sign-in and wrong codes share the account's limit of ten an hour, from
    // addresses that each stay under their own limit.
    assert!(!signs_in(&c.db, "not-the-password").await?);
    for i in 0..9 {
        let wrong = reset(&c.db, "ABCD-EFGH", &format!("10.1.0.{i}"), now).await;
        assert_refused(wrong, "reset-code-wrong", REFUSAL_CODES);
    }
    let right = reset(&c.db, &issued.code, "10.2.0.1", now).await;
    assert!(
        matches!(right, Err(Error::Throttled("login-throttled-account"))),
        "even the right code waits: {right:?}"
    );
    reset(&c.db, &issued.code, "10.2.0.1", now + Duration::minutes(61)).await?;

    // One address guessing codes of many numbers is stopped too.
    let address = "10.3.0.1";
    for i in 0..6 {
        let guess = counter::reset_password(
            &c.db,
            &format!("1380000000{i}"),
            "ABCD-EFGH",
            NEW_PASSWORD,
            address,
            now,
        )
        .await;
        assert_refused(guess, "reset-code-wrong", REFUSAL_CODES);
    }
    let seventh = counter::reset_password(
        &c.db,
        "13800000009",
        "ABCD-EFGH",
        NEW_PASSWORD,
        address,
        now,
    )
    .await;
    assert!(
        matches!(seventh, Err(Error::Throttled("login-throttled-address"))),
        "{seventh:?}"
    );
    Ok(())
}

#[tokio::test]
async fn two_uses_of_one_code_at_once_set_one_password() -> TestResult {
    let c = counter().await?;
    let now = Utc::now();
    let issued = counter::issue_reset_code(&c.db, &c.officer, RESIDENT, now).await?;
    let (a, b) = tokio::join!(
        counter::reset_password(&c.db, RESIDENT, &issued.code, NEW_PASSWORD, "10.4.0.1", now),
        counter::reset_password(
            &c.db,
            RESIDENT,
            &issued.code,
            "another-pass-2027",
            "10.4.0.2",
            now
        ),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?}"
    );
    assert_eq!(
        admin_log::Entity::find()
            .all(&c.db)
            .await?
            .iter()
            .filter(|r| r.action.as_str() == "reset_used")
            .count(),
        1
    );
    Ok(())
}

#[tokio::test]
async fn only_officers_and_admins_issue_codes_and_only_admins_for_staff() -> TestResult {
    let c = counter().await?;
    let now = Utc::now();
    assert_forbidden(counter::issue_reset_code(&c.db, &c.resident, RESIDENT, now).await);
    assert_refused(
        counter::issue_reset_code(&c.db, &c.officer, "13800001111", now).await,
        "counter-no-account",
        REFUSAL_CODES,
    );
    for staff in [OFFICER, ADMIN] {
        assert_refused(
            counter::issue_reset_code(&c.db, &c.officer, staff, now).await,
            "counter-staff-account",
            REFUSAL_CODES,
        );
    }
    assert_eq!(reset_code::Entity::find().count(&c.db).await?, 0);
    counter::issue_reset_code(&c.db, &c.admin, OFFICER, now).await?;
    Ok(())
}

fn at_counter(phone: &str) -> CounterRegistration {
    CounterRegistration {
        phone: phone.into(),
        community_id: Some(1),
        compound_id: None,
        consent: true,
        notice_version: "2026-12-06".into(),
        witness: " 王警官 ".into(),
    }
}

#[tokio::test]
async fn an_officer_registers_a_resident_who_takes_the_account_over_with_the_code() -> TestResult {
    let c = counter().await?;
    let now = Utc::now();
    let users = user::Entity::find().count(&c.db).await?;
    let refusals = [
        (
            CounterRegistration {
                consent: false,
                ..at_counter("13800002222")
            },
            "account-consent-required",
        ),
        (
            CounterRegistration {
                witness: "王".into(),
                ..at_counter("13800002222")
            },
            "counter-witness-invalid",
        ),
        (
            CounterRegistration {
                community_id: None,
                ..at_counter("13800002222")
            },
            "account-community-required",
        ),
        (at_counter(RESIDENT), "account-phone-taken"),
        (at_counter("12345"), "account-phone-invalid"),
    ];
    for (form, code) in refusals {
        let result = counter::register_at_counter(&c.db, &c.officer, form, now).await;
        match result {
            Err(Error::Invalid(got)) => assert_eq!(got, code),
            other => panic!("{code}: {other:?}"),
        }
    }
    assert_forbidden(
        counter::register_at_counter(&c.db, &c.resident, at_counter("13800002222"), now).await,
    );
    assert_eq!(
        user::Entity::find().count(&c.db).await?,
        users,
        "nothing written"
    );

    let issued =
        counter::register_at_counter(&c.db, &c.officer, at_counter("13800002222"), now).await?;
    let account = accounts::find_by_phone(&c.db, "13800002222")
        .await?
        .ok_or("the new account")?;
    assert_eq!(account.consent_witness.as_deref(), Some("王警官"));
    assert_eq!(account.consent_version, "2026-12-06");
    assert_eq!(account.community_id, Some(1));
    assert_eq!(
        accounts::roles_of(&c.db, account.id).await?,
        [Role::Resident]
    );
    assert!(account.password_hash.starts_with("$argon2id$"));

    counter::reset_password(
        &c.db,
        "13800002222",
        &issued.code,
        NEW_PASSWORD,
        HERE,
        now + Duration::hours(2),
    )
    .await?;
    accounts::login(
        &c.db,
        "13800002222",
        NEW_PASSWORD,
        HERE,
        SessionPolicy::default(),
        now + Duration::hours(2),
    )
    .await?;
    let rows: Vec<_> = log(&c.db).await?.into_iter().map(|r| r.2).collect();
    assert_eq!(rows, ["counter_signup", "reset_issued", "reset_used"]);
    let export = accounts::export(
        &c.db,
        &Account {
            roles: vec![Role::Resident],
            user: account,
        },
    )
    .await?;
    assert_eq!(
        export["consent"]["witness"], "王警官",
        "the resident's copy says so"
    );
    Ok(())
}
