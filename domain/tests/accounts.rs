//! Accounts, roles, consent, sessions and deletion, on whichever engine TEST_DATABASE_URL names.

use chrono::{Duration, Utc};
use domain::accounts::{self, Registration, Role, SessionPolicy};
use domain::admin_log::Actor;
use domain::{Error, demo, testing};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "haitian-xiongzhen";
const NOTICE: &str = "2026-11-29";

fn form(phone: &str) -> Registration {
    Registration {
        phone: phone.to_owned(),
        password: PASSWORD.to_owned(),
        community_id: Some(1),
        compound_id: Some(1),
        consent: true,
        notice_version: NOTICE.to_owned(),
        code: None,
    }
}

async fn db() -> Result<domain::DatabaseConnection, Box<dyn std::error::Error>> {
    let db = testing::fresh_db().await?;
    demo::load_directory(&db).await?;
    Ok(db)
}

#[tokio::test]
async fn registration_records_consent_and_makes_a_resident() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let account = accounts::register(&db, form("+86 138-1234-1234"), now).await?;
    assert_eq!(account.user.phone, "13812341234");
    assert_eq!(account.roles, vec![Role::Resident]);
    assert_eq!(account.user.consent_version, NOTICE);
    assert!((account.user.consent_at - now).num_seconds().abs() < 1);
    assert!(
        account.user.password_hash.starts_with("$argon2id$"),
        "never the password itself"
    );
    Ok(())
}

#[tokio::test]
async fn registration_refuses_bad_input_and_writes_nothing() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let cases = [
        (
            Registration {
                phone: "12345".into(),
                ..form("")
            },
            "account-phone-invalid",
        ),
        (
            Registration {
                password: "12345678".into(),
                ..form("13900000001")
            },
            "account-password-common",
        ),
        (
            Registration {
                password: "short".into(),
                ..form("13900000001")
            },
            "account-password-short",
        ),
        (
            Registration {
                consent: false,
                ..form("13900000001")
            },
            "account-consent-required",
        ),
        (
            Registration {
                community_id: None,
                ..form("13900000001")
            },
            "account-community-required",
        ),
        (
            Registration {
                community_id: Some(2),
                compound_id: Some(1),
                ..form("13900000001")
            },
            "account-compound-mismatch",
        ),
    ];
    for (bad, code) in cases {
        match accounts::register(&db, bad, now).await {
            Err(Error::Invalid(got)) => assert_eq!(got, code),
            other => panic!("expected {code}, got {other:?}"),
        }
    }
    assert!(
        accounts::list(&db, 10).await?.is_empty(),
        "nothing was written"
    );
    Ok(())
}

#[tokio::test]
async fn one_number_one_account_even_when_raced() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let attempts = (0..8).map(|_| {
        let db = db.clone();
        tokio::spawn(async move { accounts::register(&db, form("13700000000"), now).await })
    });
    let mut created = 0;
    for attempt in attempts {
        match attempt.await? {
            Ok(_) => created += 1,
            Err(Error::Invalid("account-phone-taken")) => {}
            Err(e) => return Err(e.into()),
        }
    }
    assert_eq!(created, 1);
    assert_eq!(accounts::list(&db, 10).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn login_starts_a_session_that_ends_when_idle_or_old() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    accounts::register(&db, form("13812341234"), now).await?;
    let (account, token) =
        accounts::login(&db, "13812341234", PASSWORD, "127.0.0.1", policy, now).await?;
    let (_, second) =
        accounts::login(&db, "13812341234", PASSWORD, "127.0.0.1", policy, now).await?;
    assert_ne!(token, second, "a fresh session id at every sign-in");
    let seen = accounts::session_account(&db, &token, policy, now + Duration::minutes(20)).await?;
    assert_eq!(seen.map(|a| a.user.id), Some(account.user.id));
    // 20 minutes of activity moved the idle limit: 40 minutes after sign-in is still fine.
    assert!(
        accounts::session_account(&db, &token, policy, now + Duration::minutes(40))
            .await?
            .is_some()
    );
    assert!(
        accounts::session_account(&db, &token, policy, now + Duration::minutes(75))
            .await?
            .is_none(),
        "idle"
    );
    let mut active = now;
    for _ in 0..(12 * 4) {
        active += Duration::minutes(15);
        accounts::session_account(&db, &second, policy, active).await?;
    }
    assert!(
        accounts::session_account(&db, &second, policy, active)
            .await?
            .is_none(),
        "absolute limit"
    );
    Ok(())
}

#[tokio::test]
async fn wrong_passwords_are_throttled_per_account_and_per_address() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    accounts::register(&db, form("13812341234"), now).await?;
    for i in 0..6 {
        let result = accounts::login(
            &db,
            "13812341234",
            "wrong-password",
            "10.0.0.1",
            policy,
            now,
        )
        .await;
        assert!(
            matches!(result, Err(Error::Invalid("login-failed"))),
            "attempt {i}"
        );
    }
    let blocked = accounts::login(&db, "13812341234", PASSWORD, "10.0.0.1", policy, now).await;
    assert!(
        matches!(blocked, Err(Error::Throttled("login-throttled-address"))),
        "{blocked:?}"
    );
    // Another address may still try, until the account's hourly limit.
    for _ in 0..4 {
        let _refused = accounts::login(
            &db,
            "13812341234",
            "wrong-password",
            "10.0.0.2",
            policy,
            now,
        )
        .await;
    }
    let blocked = accounts::login(&db, "13812341234", PASSWORD, "10.0.0.3", policy, now).await;
    assert!(
        matches!(blocked, Err(Error::Throttled("login-throttled-account"))),
        "{blocked:?}"
    );
    let later = now + Duration::minutes(61);
    assert!(
        accounts::login(&db, "13812341234", PASSWORD, "10.0.0.3", policy, later)
            .await
            .is_ok(),
        "the hour passes"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_numbers_fail_like_wrong_passwords() -> TestResult {
    let db = db().await?;
    let result = accounts::login(
        &db,
        "13600000000",
        PASSWORD,
        "127.0.0.1",
        SessionPolicy::default(),
        Utc::now(),
    )
    .await;
    assert!(matches!(result, Err(Error::Invalid("login-failed"))));
    Ok(())
}

#[tokio::test]
async fn roles_are_granted_once_and_checked() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let admin = accounts::add_user(&db, "13900000009", Some(PASSWORD), &[Role::Admin], now).await?;
    assert_eq!(admin.roles, vec![Role::Admin]);
    assert_eq!(admin.user.consent_version, accounts::STAFF_CONSENT);
    let again = accounts::add_user(
        &db,
        "13900000009",
        None,
        &[Role::Officer, Role::Officer],
        now,
    )
    .await?;
    assert_eq!(again.roles, vec![Role::Officer, Role::Admin]);
    let resident = accounts::register(&db, form("13812341234"), now).await?;
    assert!(matches!(
        resident.require(Role::Officer),
        Err(Error::Forbidden)
    ));
    assert!(
        admin.require(Role::Officer).is_ok(),
        "admins hold every power"
    );
    accounts::revoke(
        &db,
        Actor::admin(&admin)?,
        again.user.id,
        Role::Officer,
        now,
    )
    .await?;
    assert_eq!(
        accounts::roles_of(&db, again.user.id).await?,
        vec![Role::Admin]
    );
    Ok(())
}

/// Role changes go into the admin log in their own transaction, from the command line and
/// from an admin; the log cannot be rewritten or emptied, only lose a deleted person's name.
#[tokio::test]
async fn the_admin_log_keeps_every_role_change_and_refuses_to_be_rewritten() -> TestResult {
    use domain::admin_log;
    use domain::entities::admin_log as log;
    use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};
    let db = db().await?;
    let now = Utc::now();
    let admin = accounts::add_user(&db, "13900000009", Some(PASSWORD), &[Role::Admin], now).await?;
    let by = Actor::admin(&admin)?;
    let staff = accounts::add_user_by(
        &db,
        by,
        "13900000010",
        Some(PASSWORD),
        &[Role::Officer],
        now,
    )
    .await?;
    // Granting a role held already changes nothing and logs nothing.
    accounts::add_user_by(&db, by, "13900000010", None, &[Role::Officer], now).await?;
    accounts::revoke(&db, by, staff.user.id, Role::Officer, now).await?;
    let rows = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .all(&db)
        .await?;
    let seen: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.via.as_str(),
                r.actor_id,
                r.action.as_str(),
                r.target_id,
                r.subject.as_str(),
                r.value_before.as_str(),
                r.value_after.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                "command_line",
                None,
                "role_granted",
                Some(admin.user.id),
                "admin",
                "",
                "admin"
            ),
            (
                "admin_page",
                Some(admin.user.id),
                "role_granted",
                Some(staff.user.id),
                "officer",
                "",
                "officer"
            ),
            (
                "admin_page",
                Some(admin.user.id),
                "role_revoked",
                Some(staff.user.id),
                "officer",
                "officer",
                ""
            ),
        ]
    );
    // The log is the admins' to read.
    assert!(matches!(
        admin_log::page(&db, &staff, 1).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(admin_log::page(&db, &admin, 1).await?.0.len(), 3);

    for sql in [
        "UPDATE admin_log SET value_after = 'admin'",
        "UPDATE admin_log SET action = 'role_granted'",
        "UPDATE admin_log SET target_id = actor_id",
        "UPDATE admin_log SET at = at",
        "DELETE FROM admin_log",
    ] {
        let refused = db.execute_unprepared(sql).await;
        assert!(refused.is_err(), "{sql} on {}", testing::engine());
    }
    assert_eq!(log::Entity::find().all(&db).await?, rows);

    // A deleted account leaves the rows, without its name.
    accounts::delete(&db, &staff).await?;
    let after = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .all(&db)
        .await?;
    assert_eq!(after.len(), 3);
    assert!(after[1..].iter().all(|r| r.target_id.is_none()));
    assert_eq!(after[2].value_before, "officer");
    Ok(())
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    accounts::register(&db, form("13812341234"), now).await?;
    let (account, phone_session) =
        accounts::login(&db, "13812341234", PASSWORD, "a", policy, now).await?;
    let (_, laptop_session) =
        accounts::login(&db, "13812341234", PASSWORD, "b", policy, now).await?;
    let wrong = accounts::change_password(
        &db,
        &account,
        &phone_session,
        "not-it",
        "zhenhai-haifang-2026",
        "a",
        now,
    )
    .await;
    assert!(matches!(
        wrong,
        Err(Error::Invalid("account-password-wrong"))
    ));
    accounts::change_password(
        &db,
        &account,
        &phone_session,
        PASSWORD,
        "zhenhai-haifang-2026",
        "a",
        now,
    )
    .await?;
    assert!(
        accounts::session_account(&db, &phone_session, policy, now)
            .await?
            .is_some()
    );
    assert!(
        accounts::session_account(&db, &laptop_session, policy, now)
            .await?
            .is_none()
    );
    assert!(
        accounts::login(&db, "13812341234", "zhenhai-haifang-2026", "a", policy, now)
            .await
            .is_ok()
    );
    Ok(())
}

#[tokio::test]
async fn export_holds_my_data_and_deletion_removes_it() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    accounts::register(&db, form("13812341234"), now).await?;
    let (account, token) = accounts::login(&db, "13812341234", PASSWORD, "a", policy, now).await?;
    let data = accounts::export(&db, &account).await?;
    assert_eq!(data["account"]["phone"], "13812341234");
    assert_eq!(data["account"]["community"], "总浦桥社区");
    assert_eq!(data["consent"]["privacy_notice_version"], NOTICE);
    assert_eq!(data["sessions"].as_array().map(Vec::len), Some(1));
    assert!(
        !data.to_string().contains("argon2"),
        "the hash is not personal data to hand out"
    );
    accounts::delete(&db, &account).await?;
    assert!(
        accounts::session_account(&db, &token, policy, now)
            .await?
            .is_none()
    );
    assert!(accounts::list(&db, 10).await?.is_empty());
    assert!(
        accounts::register(&db, form("13812341234"), now)
            .await
            .is_ok(),
        "the number is free again"
    );
    Ok(())
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_past_the_limit() -> TestResult {
    let db = db().await?;
    let now = Utc::now();
    let policy = SessionPolicy::default();
    accounts::register(&db, form("13812341234"), now).await?;
    let guesses = (0..20).map(|i| {
        let db = db.clone();
        tokio::spawn(async move {
            accounts::login(
                &db,
                "13812341234",
                &format!("guess-{i:04}"),
                "10.9.9.9",
                policy,
                now,
            )
            .await
        })
    });
    let mut failed = 0;
    for guess in guesses {
        match guess.await? {
            Err(Error::Invalid("login-failed")) => failed += 1,
            Err(Error::Throttled(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert!(
        (1..=accounts::MAX_FAILURES_PER_ADDRESS_MINUTE).contains(&failed),
        "{failed} guesses were judged"
    );
    let blocked = accounts::login(&db, "13812341234", PASSWORD, "10.9.9.9", policy, now).await;
    let blocked_now = matches!(blocked, Err(Error::Throttled(_)));
    assert!(
        blocked_now || failed < accounts::MAX_FAILURES_PER_ADDRESS_MINUTE,
        "{blocked:?}"
    );
    Ok(())
}

/// Failed sign-ins are kept a day and ended sessions not at all: the sweep forgets them and
/// leaves what still serves (a recent failure the throttle counts, a live session).
#[tokio::test]
async fn stale_attempts_and_ended_sessions_are_forgotten() -> TestResult {
    use domain::entities::{login_attempt, session};
    use sea_orm::{EntityTrait, PaginatorTrait};

    let db = db().await?;
    let policy = SessionPolicy::default();
    let start = Utc::now();
    accounts::register(&db, form("13812341234"), start).await?;
    let sign_in =
        |password, at| accounts::login(&db, "13812341234", password, "192.0.2.1", policy, at);
    assert!(sign_in("wrong-password-1", start).await.is_err());
    let (_, idle) = sign_in(PASSWORD, start).await?;

    let later = start + Duration::hours(20);
    assert!(sign_in("wrong-password-1", later).await.is_err());
    let (_, live) = sign_in(PASSWORD, later).await?;

    let sweep = start + Duration::hours(25);
    let (_, fresh) = sign_in(PASSWORD, sweep).await?;
    assert_eq!(
        accounts::forget_stale(&db, policy, sweep).await?,
        (1, 2),
        "the day-old failure; the sessions idle since the start and since hour 20"
    );
    assert_eq!(
        login_attempt::Entity::find().count(&db).await?,
        1,
        "the recent failure stays"
    );
    assert_eq!(session::Entity::find().count(&db).await?, 1);
    assert!(
        accounts::session_account(&db, &fresh, policy, sweep)
            .await?
            .is_some()
    );
    for ended in [&idle, &live] {
        assert!(
            accounts::session_account(&db, ended, policy, sweep)
                .await?
                .is_none()
        );
    }
    assert_eq!(
        accounts::forget_stale(&db, policy, sweep).await?,
        (0, 0),
        "nothing twice"
    );
    Ok(())
}
