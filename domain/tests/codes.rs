//! 短信验证码, on whichever engine TEST_DATABASE_URL names: registering with a texted code,
//! a registered number getting a reminder instead of a code, the five tries and the five
//! minutes, the daily limits per number and per address (raced), proving one's number on
//! 我的, resetting a password by text, and booking held back until the number is proven.

use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{self, Registration, Role, codes};
use domain::entities::{community, delivery, phone_code};
use domain::time::at_local;
use domain::{DatabaseConnection, Error, testing};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;

const NEW: &str = "13700000001";
const ADDRESS: &str = "203.0.113.7";

fn now() -> DateTime<Utc> {
    let day = NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date");
    at_local(day, 10 * 60).expect("a time")
}

async fn world() -> Result<(DatabaseConnection, i32), Box<dyn StdError>> {
    let db = testing::fresh_db().await?;
    let community = community::ActiveModel {
        name: Set("甲社区".to_owned()),
        police_office_id: Set(None),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(&db)
    .await?;
    Ok((db, community.id))
}

/// The code in the newest text queued for `phone` (what the provider would receive).
async fn texted(
    db: &DatabaseConnection,
    phone: &str,
) -> Result<delivery::Model, Box<dyn StdError>> {
    let mut rows = delivery::Entity::find()
        .filter(delivery::Column::Phone.eq(phone))
        .all(db)
        .await?;
    let mut to_user = Vec::new();
    if let Some(user) = accounts::find_by_phone(db, phone).await? {
        to_user = delivery::Entity::find()
            .filter(delivery::Column::UserId.eq(user.id))
            .all(db)
            .await?;
    }
    rows.extend(to_user);
    rows.sort_by_key(|d| d.id);
    Ok(rows.pop().ok_or("a text")?)
}

fn form(community: i32, code: &str) -> Registration {
    Registration {
        phone: NEW.to_owned(),
        password: "lantern-harbour-42".to_owned(),
        community_id: Some(community),
        compound_id: None,
        consent: true,
        notice_version: "2026-11-29".to_owned(),
        code: Some(code.to_owned()),
    }
}

#[tokio::test]
async fn a_texted_code_registers_a_proven_number_once() -> TestResult {
    let (db, community) = world().await?;
    codes::send_for_registration(&db, NEW, ADDRESS, now()).await?;
    let text = texted(&db, NEW).await?;
    assert_eq!(text.topic, "outbox-code-register");
    assert!(text.urgent, "a code goes at once, also at night");
    assert_eq!(text.subject.len(), 6);
    let stored = phone_code::Entity::find_by_id(NEW.to_owned())
        .one(&db)
        .await?
        .ok_or("a code")?;
    assert!(stored.code_hash.starts_with("$argon2id$"), "kept hashed");

    let wrong = if text.subject == "000000" {
        "111111"
    } else {
        "000000"
    };
    testing::assert_refused(
        accounts::register(&db, form(community, wrong), now()).await,
        "code-wrong",
        codes::REFUSAL_CODES,
    );
    let account = accounts::register(&db, form(community, &text.subject), now()).await?;
    assert_eq!(account.user.phone_verified_at, Some(now()));
    assert!(
        accounts::find_by_phone(&db, NEW)
            .await?
            .ok_or("the account")?
            .phone_verified_at
            .is_some()
    );
    testing::assert_refused(
        accounts::register(&db, form(community, &text.subject), now()).await,
        "code-wrong",
        codes::REFUSAL_CODES,
    );
    Ok(())
}

#[tokio::test]
async fn a_registered_number_gets_a_reminder_and_no_code() -> TestResult {
    let (db, community) = world().await?;
    testing::person(&db, NEW, &[Role::Resident], Some(community), None, now()).await?;
    codes::send_for_registration(&db, NEW, ADDRESS, now()).await?;
    let text = texted(&db, NEW).await?;
    assert_eq!(text.topic, "outbox-code-taken");
    assert_eq!(text.subject, "");
    assert!(
        phone_code::Entity::find_by_id(NEW.to_owned())
            .one(&db)
            .await?
            .is_none()
    );
    testing::assert_refused(
        accounts::register(&db, form(community, "123456"), now()).await,
        "code-wrong",
        codes::REFUSAL_CODES,
    );
    Ok(())
}

#[tokio::test]
async fn a_code_takes_five_tries_and_five_minutes() -> TestResult {
    let (db, community) = world().await?;
    codes::send_for_registration(&db, NEW, ADDRESS, now()).await?;
    let right = texted(&db, NEW).await?.subject;
    let wrong = if right == "000000" {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..codes::MAX_TRIES {
        assert!(
            accounts::register(&db, form(community, wrong), now())
                .await
                .is_err()
        );
    }
    testing::assert_refused(
        accounts::register(&db, form(community, &right), now()).await,
        "code-wrong",
        codes::REFUSAL_CODES,
    );

    codes::send_for_registration(&db, NEW, ADDRESS, now()).await?;
    let fresh = texted(&db, NEW).await?.subject;
    let late = now() + codes::CODE_VALID + Duration::seconds(1);
    testing::assert_refused(
        accounts::register(&db, form(community, &fresh), late).await,
        "code-wrong",
        codes::REFUSAL_CODES,
    );
    // A day on, the number and its requests are forgotten.
    let policy = accounts::SessionPolicy::default();
    accounts::forget_stale(&db, policy, now() + Duration::days(1)).await?;
    assert!(phone_code::Entity::find().all(&db).await?.is_empty());
    assert!(
        domain::entities::code_request::Entity::find()
            .all(&db)
            .await?
            .is_empty()
    );
    Ok(())
}

/// Twelve requests for one number at once: five codes go, the rest are refused. Then an
/// address asking for many numbers stops at twenty.
#[tokio::test]
async fn the_daily_limits_hold_when_raced() -> TestResult {
    let (db, _) = world().await?;
    let barrier = Arc::new(Barrier::new(12));
    let mut racers = Vec::new();
    for i in 0..12 {
        let db = db.clone();
        let barrier = barrier.clone();
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            codes::send_for_registration(&db, NEW, &format!("198.51.100.{i}"), now()).await
        }));
    }
    let mut sent = 0;
    for racer in racers {
        match racer.await? {
            Ok(()) => sent += 1,
            Err(Error::Throttled("code-too-many-number")) => {}
            Err(other) => return Err(other.into()),
        }
    }
    assert!(
        sent <= codes::PER_NUMBER_A_DAY,
        "{sent} codes on {}",
        testing::engine()
    );
    // A burst may be refused whole (each saw the others' requests): never let through.
    let kept = domain::entities::code_request::Entity::find()
        .filter(domain::entities::code_request::Column::Phone.eq(NEW))
        .all(&db)
        .await?;
    assert_eq!(kept.len() as u64, sent, "one request kept per code sent");
    assert!(
        codes::send_for_registration(&db, NEW, "198.51.100.50", now() + Duration::days(1))
            .await
            .is_ok(),
        "a new day"
    );

    for i in 0..codes::PER_ADDRESS_A_DAY {
        codes::send_for_registration(&db, &format!("1360000{i:04}"), ADDRESS, now()).await?;
    }
    assert!(matches!(
        codes::send_for_registration(&db, "13699999999", ADDRESS, now()).await,
        Err(Error::Throttled("code-too-many-address"))
    ));
    assert!(matches!(
        codes::send_for_registration(&db, "12345", "198.51.100.99", now()).await,
        Err(Error::Invalid("account-phone-invalid"))
    ));
    Ok(())
}

#[tokio::test]
async fn a_person_proves_their_number_and_may_then_book() -> TestResult {
    let (db, community) = world().await?;
    let account =
        testing::person(&db, NEW, &[Role::Resident], Some(community), None, now()).await?;
    testing::assert_refused(
        codes::require_verified(&account, true),
        "account-phone-unverified",
        codes::REFUSAL_CODES,
    );
    assert!(
        codes::require_verified(&account, false).is_ok(),
        "no codes, no rule"
    );
    codes::send_for_verification(&db, &account, ADDRESS, now()).await?;
    let text = texted(&db, NEW).await?;
    assert_eq!(text.topic, "outbox-code-verify");
    assert_eq!(text.user_id, Some(account.user.id));
    codes::verify(&db, &account, &format!(" {} ", text.subject), now()).await?;
    let proven = accounts::find_by_phone(&db, NEW)
        .await?
        .ok_or("the account")?;
    let account = accounts::Account {
        user: proven,
        roles: vec![Role::Resident],
    };
    assert!(codes::require_verified(&account, true).is_ok());
    Ok(())
}

#[tokio::test]
async fn a_password_is_reset_by_text_and_a_stranger_learns_nothing() -> TestResult {
    let (db, community) = world().await?;
    let old = Registration {
        code: None,
        ..form(community, "")
    };
    accounts::register(&db, old, now()).await?;
    codes::send_for_reset(&db, "13799999999", ADDRESS, now()).await?;
    assert!(
        delivery::Entity::find()
            .all(&db)
            .await?
            .iter()
            .all(|d| d.topic != "outbox-code-reset"),
        "a number without an account gets nothing (and the answer was the same)"
    );
    // Five wrong tries use a texted code up.
    codes::send_for_reset(&db, NEW, ADDRESS, now()).await?;
    let used_up = texted(&db, NEW).await?.subject;
    let wrong = if used_up == "000000" {
        "111111"
    } else {
        "000000"
    };
    for i in 0..codes::MAX_TRIES {
        let from = format!("198.51.100.{i}");
        let guess = accounts::counter::reset_password(
            &db,
            NEW,
            wrong,
            "new-harbour-lantern-7",
            &from,
            now(),
        );
        assert!(guess.await.is_err());
    }
    assert!(
        accounts::counter::reset_password(
            &db,
            NEW,
            &used_up,
            "new-harbour-lantern-7",
            "198.51.100.9",
            now()
        )
        .await
        .is_err(),
        "the right code, after five wrong ones"
    );

    codes::send_for_reset(&db, NEW, ADDRESS, now()).await?;
    let text = texted(&db, NEW).await?;
    assert_eq!(text.topic, "outbox-code-reset");
    accounts::counter::reset_password(
        &db,
        NEW,
        &text.subject,
        "new-harbour-lantern-7",
        ADDRESS,
        now(),
    )
    .await?;
    assert!(
        accounts::login(
            &db,
            NEW,
            "new-harbour-lantern-7",
            ADDRESS,
            accounts::SessionPolicy::default(),
            now()
        )
        .await
        .is_ok()
    );
    testing::assert_refused(
        accounts::counter::reset_password(
            &db,
            NEW,
            &text.subject,
            "another-lantern-8",
            ADDRESS,
            now(),
        )
        .await,
        "reset-code-wrong",
        accounts::counter::REFUSAL_CODES,
    );
    Ok(())
}
