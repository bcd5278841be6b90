//! Two server processes on one database, as a deployment behind a load balancer runs them:
//! a session made on one is known to the other, and a slot that a hundred residents try to
//! book at the same moment, half of them through each process, is booked once. Runs on
//! SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use std::sync::Arc;

use app::error::AppError;
use axum::Router;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use common::{Browser, Error, Page, Portal, TestResult, portal, run};
use domain::accounts::{Role, phone};
use domain::entities::{booking, mediation_case, user};
use leptos::server_fn::error::ServerFnUrlError;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, TransactionTrait,
};
use tokio::sync::Barrier;

const PASSWORD: &str = "haitian-xiongzhen";
/// 总浦桥社区, whose branch room is room 2 (老何调解室·总浦桥分室).
const COMMUNITY: i32 = 1;
const ROOM: i32 = 2;
/// How many residents try to book the one slot at once.
const RESIDENTS: usize = 100;
/// What a resident reads when someone else booked the slot first.
const SLOT_TAKEN: &str = "这个时间刚刚被别人约走了";

const REQUEST: [(&str, &str); 9] = [
    ("request[dispute_type]", "neighbours"),
    (
        "request[account]",
        "楼上每天夜里十二点以后还在拖椅子，说过两次没有用。",
    ),
    ("request[other_party]", "楼上 502 住户"),
    ("request[other_relation]", "邻居"),
    ("request[other_phone]", ""),
    ("request[amount]", ""),
    ("request[tried_aid_station]", "yes"),
    ("request[mode]", "in_person"),
    ("request[room]", "2"),
];

/// The `n`th test resident's phone number.
fn phone_of(n: usize) -> String {
    format!("1371234{n:04}")
}

/// Residents of 总浦桥社区 written straight into the database, as the demo loader writes its
/// accounts: one argon2 hash shared by all, so that making a hundred takes no time.
async fn add_residents(db: &DatabaseConnection, phones: &[String]) -> TestResult {
    let hash = domain::accounts::password::hash(PASSWORD).await?;
    let now = Utc::now();
    let txn = db.begin().await?;
    for number in phones {
        let person = user::ActiveModel {
            phone: Set(number.clone()),
            password_hash: Set(hash.clone()),
            community_id: Set(Some(COMMUNITY)),
            compound_id: Set(None),
            consent_version: Set(app::accounts::PRIVACY_NOTICE_VERSION.to_owned()),
            consent_at: Set(now),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        domain::accounts::grant(&txn, person.id, Role::Resident).await?;
    }
    txn.commit().await?;
    Ok(())
}

/// A browser of its own address (so no one's sign-in counts against another's) signed in
/// as `number` through the login form of `router`'s process.
async fn sign_in(router: &Router, number: &str, n: usize) -> Result<Browser, Error> {
    let mut browser = Browser {
        router: router.clone(),
        cookies: Default::default(),
        address: format!("10.0.{}.{}:50000", n / 250, n % 250 + 1)
            .parse()
            .ok(),
    };
    let page = browser
        .post_form(
            "/login",
            "/api/login",
            &[("phone", number), ("password", PASSWORD)],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "{number} signs in");
    assert_eq!(page.location(), "/me", "{number} signs in");
    assert!(
        browser.cookies.contains_key("sid"),
        "{number} has a session"
    );
    Ok(browser)
}

/// Files the request through the form; returns the case's code.
async fn file(browser: &mut Browser) -> Result<String, Error> {
    let page = browser
        .post_form("/mediation/new", "/api/mediation/request", &REQUEST)
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    let location = page.location();
    let code = location
        .strip_prefix("/mediation/cases/")
        .and_then(|rest| rest.strip_suffix("?done=requested"))
        .ok_or_else(|| format!("the request is filed: {location}"))?;
    Ok(code.to_owned())
}

/// The values of the slot buttons on a page.
fn slots(body: &str) -> Vec<String> {
    const BUTTON: &str = "name=\"starts_at\" value=\"";
    body.split(BUTTON)
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|value| value.replace("&#x2B;", "+"))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b'+', _) => {
                out.push(b' ');
                i += 1;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The error a form post was sent back with (`__err` in the redirect), if any.
fn form_error(page: &Page) -> Option<AppError> {
    let query = page.location().split_once('?')?.1;
    let value = query
        .split('&')
        .find_map(|pair| pair.strip_prefix("__err="))?;
    Some(ServerFnUrlError::<AppError>::decode_err(&percent_decode(
        value,
    )))
}

#[test]
fn a_session_made_on_one_process_works_on_the_other() -> TestResult {
    run(async {
        let portal = portal().await?;
        let second = portal.second_process().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let (first_phone, second_phone) = (phone_of(9001), phone_of(9002));
        add_residents(&db, &[first_phone.clone(), second_phone.clone()]).await?;

        // Signed in on A, known on B.
        let browser = sign_in(&portal.router, &first_phone, 1).await?;
        let mut on_b = browser.on(second.clone());
        let me = on_b.get("/me").await?;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert!(
            me.body.contains(&phone::mask(&first_phone)),
            "process B knows the session made on A ({})",
            domain::testing::engine()
        );
        assert!(!me.body.contains(&first_phone), "the number stays masked");

        // Signed in on B, known on A; signed out on A, gone on B.
        let browser = sign_in(&second, &second_phone, 2).await?;
        let mut on_a = browser.on(portal.router.clone());
        let me = on_a.get("/me").await?;
        assert_eq!(me.status, StatusCode::OK, "{}", me.body);
        assert!(me.body.contains(&phone::mask(&second_phone)));
        let page = on_a.post_form("/me", "/api/logout", &[]).await?;
        assert_eq!(page.location(), "/");
        let mut on_b = browser.on(second);
        let me = on_b.get("/me").await?;
        assert!(
            !me.body.contains(&phone::mask(&second_phone)),
            "a sign-out on A ends the session on B"
        );
        Ok(())
    })
}

#[test]
fn a_hundred_residents_on_two_processes_book_one_slot_once() -> TestResult {
    run(async {
        let portal: Portal = portal().await?;
        let routers = [portal.router.clone(), portal.second_process().await?];
        let db = domain::db::connect(&portal.db_url).await?;
        let phones: Vec<String> = (0..RESIDENTS).map(phone_of).collect();
        add_residents(&db, &phones).await?;

        // Each signs in and files a request for the same room, alternately on A and B.
        let mut residents = Vec::with_capacity(RESIDENTS);
        for (n, number) in phones.iter().enumerate() {
            let mut browser = sign_in(&routers[n % 2], number, n).await?;
            let code = file(&mut browser).await?;
            residents.push((browser, code));
        }

        // A slot the room offers.
        let (first, code) = residents.first_mut().ok_or("residents")?;
        let page = first.get(&format!("/mediation/cases/{code}")).await?;
        assert_eq!(page.status, StatusCode::OK);
        // One from the middle: far from the cut-off, which moves while the test runs.
        let offered = slots(&page.body);
        let slot = offered
            .get(offered.len() / 2)
            .cloned()
            .ok_or("the case page offers slots")?;
        let starts_at: DateTime<Utc> = DateTime::parse_from_rfc3339(&slot)?.with_timezone(&Utc);

        // All at once: half through A, half through B.
        let barrier = Arc::new(Barrier::new(RESIDENTS));
        let tasks: Vec<_> = residents
            .into_iter()
            .map(|(mut browser, code)| {
                let barrier = Arc::clone(&barrier);
                let slot = slot.clone();
                tokio::spawn(async move {
                    let case = format!("/mediation/cases/{code}");
                    barrier.wait().await;
                    let page = browser
                        .post_form(
                            &case,
                            "/api/mediation/book",
                            &[("code", &code), ("starts_at", &slot)],
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                    Ok::<_, String>((browser, code, page))
                })
            })
            .collect();
        let mut answers = Vec::with_capacity(RESIDENTS);
        for task in tasks {
            answers.push(task.await??);
        }

        let engine = domain::testing::engine();
        let mut booked = Vec::new();
        let mut refused = Vec::new();
        for (browser, code, page) in answers {
            assert!(
                !page.status.is_server_error(),
                "no 5xx on {engine}: {} {}",
                page.status,
                page.body
            );
            assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
            match form_error(&page) {
                None => {
                    assert_eq!(
                        page.location(),
                        format!("/mediation/cases/{code}?done=booked")
                    );
                    booked.push(code);
                }
                Some(error) => refused.push((browser, code, page.location().to_owned(), error)),
            }
        }
        assert_eq!(booked.len(), 1, "exactly one booking succeeds on {engine}");
        assert_eq!(refused.len(), RESIDENTS - 1);
        let refused_codes: Vec<String> = refused.iter().map(|r| r.1.clone()).collect();
        for (mut browser, code, location, error) in refused {
            assert_eq!(
                error,
                AppError::Invalid("mediation-slot-taken".into()),
                "{code} on {engine}: {location}"
            );
            // What the resident reads on the page the form sends them back to.
            let back = browser
                .get(location.trim_start_matches("http://127.0.0.1:3000"))
                .await?;
            assert!(back.body.contains(SLOT_TAKEN), "{code}: {location}");
        }

        // The database agrees: the slot is held once, by the winner; the other cases are
        // still requests without a slot, as if their bookings had never been tried.
        let winner = mediation_case::Entity::find()
            .filter(mediation_case::Column::Code.is_in(booked.iter().map(String::as_str)))
            .one(&db)
            .await?
            .ok_or("the winner's case")?;
        let held = booking::Entity::find()
            .filter(booking::Column::RoomId.eq(ROOM))
            .filter(booking::Column::StartsAt.eq(starts_at))
            .filter(booking::Column::CancelledAt.is_null())
            .all(&db)
            .await?;
        assert_eq!(held.len(), 1, "the slot is held once on {engine}");
        assert_eq!(held[0].case_id, winner.id);
        let losers: Vec<i32> = mediation_case::Entity::find()
            .filter(mediation_case::Column::Code.is_in(refused_codes.iter().map(String::as_str)))
            .all(&db)
            .await?
            .into_iter()
            .inspect(|case| {
                assert_eq!(
                    case.status.as_str(),
                    "requested",
                    "{} on {engine}",
                    case.code
                )
            })
            .map(|case| case.id)
            .collect();
        assert_eq!(losers.len(), RESIDENTS - 1);
        let mut ours = losers.clone();
        ours.push(winner.id);
        let rows = booking::Entity::find()
            .filter(booking::Column::CaseId.is_in(ours))
            .count(&db)
            .await?;
        assert_eq!(
            rows, 1,
            "one booking row among the hundred cases on {engine}"
        );
        Ok(())
    })
}
