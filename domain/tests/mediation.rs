//! 你点我调, on whichever engine TEST_DATABASE_URL names: requests and their refusals,
//! bookings and the cut-off, calendars that cannot clash, the mediator's steps, who sees
//! what, the ladder, the figures, and residents racing for one slot or one mediator's hour.
//!
//! Every test builds its own minimal directory (one community, one room with a mediator
//! and a published calendar), independent of the demo data. Times are fixed: "now" is
//! 08:00 on Tuesday 2026-12-01 in Ningbo, and the room is open 09:00–17:00 every day, so
//! its slots are 09:00, 10:15, 11:30, 12:45, 14:00 and 15:15 (60 minutes, 15 between).

use std::error::Error as StdError;
use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use domain::accounts::{self, Account, Registration, Role};
use domain::entities::{
    booking, case_event, community, inbox_message, mediation_case, mediation_room,
};
use domain::mediation::schedule::{self, Schedule, Window};
use domain::mediation::stats::{self, Figures};
use domain::mediation::{self, CaseRequest, Level, OutcomeRecord, Policy, Status, Viewer};
use domain::testing::{assert_forbidden, assert_not_found};
use domain::time::at_local;
use domain::{DatabaseConnection, Error, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;

const PASSWORD: &str = "correct horse battery";
const NOTICE: &str = "2026-11-29";
/// What residents type as the other party's number, and what is stored.
const OTHER_PHONE_TYPED: &str = "+86 138-1234-1234";
const OTHER_PHONE: &str = "13812341234";
const OTHER_PHONE_MASKED: &str = "138****1234";

// ---------------------------------------------------------------------------------------
// Time

/// Tuesday 2026-12-01, a local date.
fn day0() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).expect("a date")
}

/// `days` after day 0, at `hour:minute` local time.
fn at(days: i64, hour: i32, minute: i32) -> DateTime<Utc> {
    at_local(day0() + Duration::days(days), hour * 60 + minute).expect("a local time")
}

/// 08:00 local on day 0.
fn now() -> DateTime<Utc> {
    at(0, 8, 0)
}

// ---------------------------------------------------------------------------------------
// The world each test starts from

struct World {
    db: DatabaseConnection,
    community: i32,
    room: i32,
    mediator: Account,
    resident: Account,
    policy: Policy,
}

impl World {
    /// A fresh database with one community, one room open every day, its mediator and one
    /// registered resident.
    async fn new() -> Result<World, Box<dyn StdError>> {
        let db = testing::fresh_db().await?;
        let community = community::ActiveModel {
            name: Set("测试社区".to_owned()),
            police_office_id: Set(None),
            is_demo: Set(false),
            ..Default::default()
        }
        .insert(&db)
        .await?
        .id;
        let (room, mediator) = add_room(&db, community, "测试调解室", "13900000001").await?;
        let resident = register(&db, community, "13800000001").await?;
        Ok(World {
            db,
            community,
            room,
            mediator,
            resident,
            policy: Policy::default(),
        })
    }

    /// An officer of the station.
    async fn officer(&self) -> Result<Account, Box<dyn StdError>> {
        Ok(accounts::add_user(
            &self.db,
            "13700000001",
            Some(PASSWORD),
            &[Role::Officer],
            now(),
        )
        .await?)
    }

    /// Another registered resident of the community.
    async fn resident(&self, phone: &str) -> Result<Account, Box<dyn StdError>> {
        register(&self.db, self.community, phone).await
    }

    /// A request by `who` to the world's room, filed at `now()`.
    async fn request(&self, who: &Account) -> domain::Result<mediation_case::Model> {
        mediation::request(&self.db, who, form(self.room), &self.policy, now()).await
    }

    /// `who` books `slot` for the case, at `now()`.
    async fn book(&self, who: &Account, code: &str, slot: DateTime<Utc>) -> domain::Result<()> {
        mediation::book(&self.db, who, code, slot, &self.policy, now()).await
    }

    async fn case(&self, code: &str) -> Result<mediation_case::Model, Box<dyn StdError>> {
        Ok(mediation_case::Entity::find()
            .filter(mediation_case::Column::Code.eq(code))
            .one(&self.db)
            .await?
            .ok_or("the case exists")?)
    }

    async fn status(&self, code: &str) -> Result<Status, Box<dyn StdError>> {
        Ok(self.case(code).await?.status)
    }

    /// The kinds of the case's timeline, in order.
    async fn events(&self, code: &str) -> Result<Vec<String>, Box<dyn StdError>> {
        let case = self.case(code).await?;
        Ok(case_event::Entity::find()
            .filter(case_event::Column::CaseId.eq(case.id))
            .order_by_asc(case_event::Column::Id)
            .all(&self.db)
            .await?
            .into_iter()
            .map(|e| e.kind.as_str().to_owned())
            .collect())
    }

    async fn last_event(&self, code: &str) -> Result<case_event::Model, Box<dyn StdError>> {
        let case = self.case(code).await?;
        Ok(case_event::Entity::find()
            .filter(case_event::Column::CaseId.eq(case.id))
            .order_by_desc(case_event::Column::Id)
            .one(&self.db)
            .await?
            .ok_or("the case has events")?)
    }

    /// The (topic, subject) of a person's inbox, oldest first.
    /// Every topic must be a listed translation key, every link the case's page.
    async fn inbox(&self, who: &Account) -> Result<Vec<(String, String)>, Box<dyn StdError>> {
        let messages = inbox_message::Entity::find()
            .filter(inbox_message::Column::UserId.eq(who.user.id))
            .order_by_asc(inbox_message::Column::Id)
            .all(&self.db)
            .await?;
        for m in &messages {
            assert!(
                mediation::INBOX_TOPICS.contains(&m.topic.as_str()),
                "{} is a listed inbox topic",
                m.topic
            );
            assert_eq!(m.link, mediation::case_link(&m.subject));
        }
        Ok(messages.into_iter().map(|m| (m.topic, m.subject)).collect())
    }

    /// The slot the case holds now, if any.
    async fn held_slot(&self, code: &str) -> Result<Option<DateTime<Utc>>, Box<dyn StdError>> {
        let case = self.case(code).await?;
        Ok(booking::Entity::find()
            .filter(booking::Column::CaseId.eq(case.id))
            .filter(booking::Column::CancelledAt.is_null())
            .one(&self.db)
            .await?
            .map(|b| b.starts_at))
    }

    /// Whether the room offers `slot` to residents booking at `at`.
    async fn is_free(&self, slot: DateTime<Utc>, at: DateTime<Utc>) -> domain::Result<bool> {
        Ok(
            schedule::free_slots(&self.db, self.room, at + self.policy.cutoff, at)
                .await?
                .iter()
                .any(|s| s.starts_at == slot),
        )
    }

    async fn count_cases(&self) -> Result<u64, Box<dyn StdError>> {
        Ok(mediation_case::Entity::find().count(&self.db).await?)
    }
}

/// A room of `community` open 09:00–17:00 every day, with a mediator of its own.
async fn add_room(
    db: &DatabaseConnection,
    community: i32,
    name: &str,
    mediator_phone: &str,
) -> Result<(i32, Account), Box<dyn StdError>> {
    let room = mediation_room::ActiveModel {
        name: Set(name.to_owned()),
        community_id: Set(Some(community)),
        parent_id: Set(None),
        address: Set("招宝山路1号".to_owned()),
        hours: Set("09:00–17:00".to_owned()),
        is_demo: Set(false),
        ..Default::default()
    }
    .insert(db)
    .await?
    .id;
    let mediator =
        accounts::add_user(db, mediator_phone, Some(PASSWORD), &[Role::Mediator], now()).await?;
    schedule::assign(db, room, mediator.user.id).await?;
    schedule::save_schedule(db, room, Schedule::default()).await?;
    for weekday in 1..=7 {
        schedule::add_window(
            db,
            room,
            Window::Weekly {
                weekday,
                start: 9 * 60,
                end: 17 * 60,
            },
        )
        .await?;
    }
    Ok((room, mediator))
}

async fn register(
    db: &DatabaseConnection,
    community: i32,
    phone: &str,
) -> Result<Account, Box<dyn StdError>> {
    let form = Registration {
        phone: phone.to_owned(),
        password: PASSWORD.to_owned(),
        community_id: Some(community),
        compound_id: None,
        consent: true,
        notice_version: NOTICE.to_owned(),
        code: None,
    };
    Ok(accounts::register(db, form, now()).await?)
}

/// A resident written straight into the tables: argon2 for fifty would only slow the race
/// down, and nobody signs in here.
async fn quick_resident(
    db: &DatabaseConnection,
    community: i32,
    phone: &str,
) -> Result<Account, Box<dyn StdError>> {
    Ok(testing::person(db, phone, &[Role::Resident], Some(community), None, now()).await?)
}

/// A request every rule accepts.
fn form(room: i32) -> CaseRequest {
    CaseRequest {
        dispute_type: "neighbours".to_owned(),
        account: "楼上卫生间漏水三个月了，天花板发霉，楼上住户一直不肯修。".to_owned(),
        other_party: "楼上住户王先生".to_owned(),
        other_relation: "邻居".to_owned(),
        other_phone: OTHER_PHONE_TYPED.to_owned(),
        amount_claimed: Some(2000),
        tried_aid_station: true,
        mode: "in_person".to_owned(),
        room_id: room,
    }
}

/// Asserts the refusal `code`, which must also be one the module lists (a translation key).
#[track_caller]
fn assert_invalid<T: Debug>(result: domain::Result<T>, code: &str) {
    testing::assert_refused(result, code, mediation::REFUSAL_CODES);
}

/// `ZBS-2026-7K3Q9M`: ^ZBS-\d{4}-[2-9A-HJ-NP-Z]{6}$.
fn is_case_code(code: &str) -> bool {
    let Some((year, tail)) = code.strip_prefix("ZBS-").and_then(|r| r.split_once('-')) else {
        return false;
    };
    year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && tail.len() == 6
        && tail
            .bytes()
            .all(|b| matches!(b, b'2'..=b'9' | b'A'..=b'H' | b'J'..=b'N' | b'P'..=b'Z'))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. Requests

#[test]
fn case_codes_avoid_letters_misheard_on_the_phone() -> domain::Result<()> {
    assert!(is_case_code("ZBS-2026-7K3Q9M"));
    for bad in [
        "ZBS-2026-7K3Q9",
        "ZBS-2026-0K3Q9M",
        "ZBS-2026-OK3Q9M",
        "ZBS-2026-1K3Q9M",
        "ZBS-2026-IK3Q9M",
        "ZBS-2026-7k3q9m",
        "ZBS-26-7K3Q9M",
        "ZBX-2026-7K3Q9M",
    ] {
        assert!(!is_case_code(bad), "{bad}");
    }
    for _ in 0..2000 {
        let code = mediation::new_code(now())?;
        assert!(is_case_code(&code), "{code}");
        assert!(code.starts_with("ZBS-2026-"), "{code}");
    }
    // The year is Ningbo's: 16:30 UTC on New Year's Eve is already 2027 there.
    let new_year =
        at_local(NaiveDate::from_ymd_opt(2027, 1, 1).expect("a date"), 30).expect("a time");
    assert_eq!(new_year.year(), 2026);
    assert!(mediation::new_code(new_year)?.starts_with("ZBS-2027-"));
    Ok(())
}

#[tokio::test]
async fn a_request_with_a_bad_field_is_refused_and_nothing_is_written() -> TestResult {
    let w = World::new().await?;
    let good = form(w.room);
    let cases = [
        (
            CaseRequest {
                dispute_type: "fight".into(),
                ..good.clone()
            },
            "mediation-type-invalid",
        ),
        (
            CaseRequest {
                account: "太短了".into(),
                ..good.clone()
            },
            "mediation-account-length",
        ),
        (
            CaseRequest {
                account: " \t            \r\n ".into(),
                ..good.clone()
            },
            "mediation-account-length",
        ),
        (
            CaseRequest {
                account: "长".repeat(1001),
                ..good.clone()
            },
            "mediation-account-length",
        ),
        (
            CaseRequest {
                other_party: "  ".into(),
                ..good.clone()
            },
            "mediation-other-party-required",
        ),
        (
            CaseRequest {
                other_phone: "12345".into(),
                ..good.clone()
            },
            "mediation-other-phone-invalid",
        ),
        (
            CaseRequest {
                other_phone: "12812341234".into(),
                ..good.clone()
            },
            "mediation-other-phone-invalid",
        ),
        (
            CaseRequest {
                amount_claimed: Some(-1),
                ..good.clone()
            },
            "mediation-amount-invalid",
        ),
        (
            CaseRequest {
                amount_claimed: Some(mediation::MAX_AMOUNT + 1),
                ..good.clone()
            },
            "mediation-amount-invalid",
        ),
        (
            CaseRequest {
                mode: "telepathy".into(),
                ..good.clone()
            },
            "mediation-mode-invalid",
        ),
        (
            CaseRequest {
                room_id: w.room + 1000,
                ..good.clone()
            },
            "mediation-room-invalid",
        ),
    ];
    for (bad, code) in cases {
        assert_invalid(
            mediation::request(&w.db, &w.resident, bad, &w.policy, now()).await,
            code,
        );
    }
    assert_eq!(w.count_cases().await?, 0, "no case was written");
    assert_eq!(case_event::Entity::find().count(&w.db).await?, 0);
    assert!(w.inbox(&w.mediator).await?.is_empty(), "nobody was told");
    // The edges of the ranges are accepted.
    for amount in [Some(0), Some(mediation::MAX_AMOUNT), None] {
        let ok = CaseRequest {
            amount_claimed: amount,
            other_phone: String::new(),
            ..good.clone()
        };
        mediation::request(&w.db, &w.resident, ok, &w.policy, now()).await?;
    }
    assert_eq!(w.count_cases().await?, 3);
    Ok(())
}

#[tokio::test]
async fn a_valid_request_gets_a_code_an_event_and_tells_the_mediator() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    assert!(is_case_code(&case.code), "{}", case.code);
    assert!(case.code.starts_with("ZBS-2026-"), "{}", case.code);
    assert_eq!(case.status.as_str(), "requested");
    assert_eq!(case.level.as_str(), "room");
    assert_eq!(case.room_id, w.room);
    assert_eq!(case.resident_id, Some(w.resident.user.id));
    assert_eq!(case.community_id, Some(w.community));
    assert_eq!(case.mediator_id, None);
    assert_eq!(
        case.other_phone.as_deref(),
        Some(OTHER_PHONE),
        "stored normalised"
    );
    assert_eq!(case.amount_claimed, Some(2000));
    assert_eq!(case.created_at, now());
    assert_eq!(w.count_cases().await?, 1);
    assert_eq!(w.events(&case.code).await?, ["requested"]);
    let event = w.last_event(&case.code).await?;
    assert_eq!(event.actor_id, Some(w.resident.user.id));
    assert_eq!(event.at, now());

    assert_eq!(
        w.inbox(&w.mediator).await?,
        pairs(&[("inbox-case-new", &case.code)])
    );
    let message = inbox_message::Entity::find()
        .filter(inbox_message::Column::UserId.eq(w.mediator.user.id))
        .one(&w.db)
        .await?
        .ok_or("a message")?;
    assert_eq!(message.link, format!("/mediation/cases/{}", case.code));
    assert_eq!(domain::inbox::unread(&w.db, w.mediator.user.id).await?, 1);
    assert!(
        w.inbox(&w.resident).await?.is_empty(),
        "the resident is not told about their own request"
    );

    // The resident finds it in their list and by its code, however they type it.
    let mine = mediation::cases_of(&w.db, w.resident.user.id).await?;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].case.code, case.code);
    assert_eq!(mine[0].room, "测试调解室");
    assert_eq!(mine[0].slot, None);
    let typed = format!("  {}  ", case.code.to_lowercase());
    let detail = mediation::detail(&w.db, &w.resident, &typed).await?;
    assert_eq!(detail.case.id, case.id);
    assert_eq!(detail.viewer, Viewer::Resident);
    assert!(detail.booking.is_none());
    Ok(())
}

#[tokio::test]
async fn the_fourth_request_of_a_day_is_throttled() -> TestResult {
    let w = World::new().await?;
    for _ in 0..3 {
        w.request(&w.resident).await?;
    }
    let fourth = w.request(&w.resident).await;
    assert!(
        matches!(fourth, Err(Error::Throttled("mediation-throttled"))),
        "{fourth:?}"
    );
    assert!(mediation::REFUSAL_CODES.contains(&"mediation-throttled"));
    assert_eq!(w.count_cases().await?, 3);
    // Another resident is not held back by the first one's requests…
    let neighbour = w.resident("13800000002").await?;
    w.request(&neighbour).await?;
    // …and a day later the first may ask again.
    let tomorrow = now() + Duration::days(1) + Duration::seconds(1);
    mediation::request(&w.db, &w.resident, form(w.room), &w.policy, tomorrow).await?;
    assert_eq!(w.count_cases().await?, 5);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn requests_filed_at_once_cannot_slip_under_the_daily_limit() -> TestResult {
    const AT_ONCE: usize = 10;
    let w = World::new().await?;
    let barrier = Arc::new(Barrier::new(AT_ONCE));
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|_| {
            let db = w.db.clone();
            let barrier = Arc::clone(&barrier);
            let resident = w.resident.clone();
            let form = form(w.room);
            let policy = w.policy;
            tokio::spawn(async move {
                barrier.wait().await;
                mediation::request(&db, &resident, form, &policy, now()).await
            })
        })
        .collect();
    let mut filed = 0;
    for task in tasks {
        match task.await? {
            Ok(_) => filed += 1,
            Err(Error::Throttled("mediation-throttled")) => {}
            Err(other) => panic!("expected mediation-throttled, got {other:?}"),
        }
    }
    let limit = w.policy.requests_per_day;
    assert_eq!(filed, limit, "on {}", testing::engine());
    assert_eq!(w.count_cases().await?, limit);
    assert_eq!(w.inbox(&w.mediator).await?.len() as u64, limit);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. Booking

#[tokio::test]
async fn booking_holds_a_published_slot() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slot = at(1, 9, 0);
    let free = schedule::free_slots(&w.db, w.room, now() + w.policy.cutoff, now()).await?;
    assert_eq!(
        free.iter()
            .filter(|s| s.starts_at < at(1, 0, 0))
            .map(|s| s.starts_at)
            .collect::<Vec<_>>(),
        [
            at(0, 10, 15),
            at(0, 11, 30),
            at(0, 12, 45),
            at(0, 14, 0),
            at(0, 15, 15)
        ],
        "today's slots after the cut-off"
    );
    assert_eq!(
        free.len(),
        5 + 27 * 6,
        "28 days of six slots, less 09:00 today"
    );

    w.book(&w.resident, &case.code, slot).await?;
    assert_eq!(w.status(&case.code).await?, Status::Booked);
    assert!(!w.is_free(slot, now()).await?, "the slot is taken");
    assert!(
        w.is_free(at(1, 10, 15), now()).await?,
        "its neighbour is not"
    );
    let detail = mediation::detail(&w.db, &w.resident, &case.code).await?;
    let held = detail.booking.as_ref().ok_or("a booking")?;
    assert_eq!(held.starts_at, slot);
    assert_eq!(held.ends_at, slot + Duration::minutes(60));
    assert_eq!(held.room_id, w.room);
    assert_eq!(w.events(&case.code).await?, ["requested", "booked"]);
    assert_eq!(w.last_event(&case.code).await?.slot_at, Some(slot));
    assert_eq!(
        w.inbox(&w.mediator).await?,
        pairs(&[
            ("inbox-case-new", &case.code),
            ("inbox-case-booked", &case.code)
        ])
    );
    assert_eq!(
        w.inbox(&w.resident).await?,
        pairs(&[("inbox-case-booked", &case.code)])
    );
    let mine = mediation::cases_of(&w.db, w.resident.user.id).await?;
    assert_eq!(mine[0].slot, Some(slot));

    // Somebody else cannot have the same slot.
    let neighbour = w.resident("13800000002").await?;
    let other = w.request(&neighbour).await?;
    assert_invalid(
        w.book(&neighbour, &other.code, slot).await,
        "mediation-slot-taken",
    );
    assert_eq!(
        w.status(&other.code).await?,
        Status::Requested,
        "left as it was"
    );
    assert_eq!(w.events(&other.code).await?, ["requested"]);
    assert_eq!(booking::Entity::find().count(&w.db).await?, 1);
    Ok(())
}

#[tokio::test]
async fn only_published_slots_within_the_horizon_can_be_booked() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    for (what, time) in [
        ("between two slots", at(1, 9, 30)),
        ("in the buffer", at(1, 10, 0)),
        ("after hours", at(1, 20, 0)),
        ("in the past", at(-1, 9, 0)),
        ("beyond the 28-day horizon", at(28, 9, 0)),
        ("a second off", at(1, 9, 0) + Duration::seconds(1)),
    ] {
        let result = w.book(&w.resident, &case.code, time).await;
        assert!(
            matches!(result, Err(Error::Invalid("mediation-slot-unavailable"))),
            "{what}: {result:?}"
        );
    }
    // The last day of the horizon is still open.
    w.book(&w.resident, &case.code, at(27, 15, 15)).await?;
    assert_eq!(w.status(&case.code).await?, Status::Booked);

    // A day off closes a day that the weekly windows open.
    schedule::add_window(
        &w.db,
        w.room,
        Window::DayOff {
            day: day0() + Duration::days(2),
        },
    )
    .await?;
    let neighbour = w.resident("13800000002").await?;
    let other = w.request(&neighbour).await?;
    assert_invalid(
        w.book(&neighbour, &other.code, at(2, 9, 0)).await,
        "mediation-slot-unavailable",
    );
    assert_eq!(w.events(&other.code).await?, ["requested"]);
    Ok(())
}

#[tokio::test]
async fn a_calendar_with_impossible_values_is_refused() -> TestResult {
    let w = World::new().await?;
    for bad in [
        Schedule {
            slot_minutes: 10,
            ..Schedule::default()
        },
        Schedule {
            buffer_minutes: -5,
            ..Schedule::default()
        },
        Schedule {
            horizon_days: 0,
            ..Schedule::default()
        },
        Schedule {
            horizon_days: 91,
            ..Schedule::default()
        },
    ] {
        assert_invalid(
            schedule::save_schedule(&w.db, w.room, bad).await,
            "mediation-schedule-invalid",
        );
    }
    assert_eq!(
        schedule::schedule_of(&w.db, w.room).await?,
        Schedule::default()
    );
    let windows = schedule::windows(&w.db, w.room).await?.len();
    for bad in [
        Window::Weekly {
            weekday: 0,
            start: 540,
            end: 600,
        },
        Window::Weekly {
            weekday: 8,
            start: 540,
            end: 600,
        },
        Window::Weekly {
            weekday: 1,
            start: 600,
            end: 600,
        },
        Window::Extra {
            day: day0(),
            start: -1,
            end: 600,
        },
        Window::Extra {
            day: day0(),
            start: 600,
            end: 24 * 60 + 1,
        },
    ] {
        assert_invalid(
            schedule::add_window(&w.db, w.room, bad).await,
            "mediation-window-invalid",
        );
    }
    assert_eq!(schedule::windows(&w.db, w.room).await?.len(), windows);
    // Assigning a mediator to a room that does not exist is refused too.
    assert_invalid(
        schedule::assign(&w.db, w.room + 1000, w.mediator.user.id).await,
        "mediation-room-invalid",
    );
    Ok(())
}

#[tokio::test]
async fn without_confirmation_a_booking_is_accepted_at_once() -> TestResult {
    let w = World::new().await?;
    schedule::save_schedule(
        &w.db,
        w.room,
        Schedule {
            needs_confirmation: false,
            ..Schedule::default()
        },
    )
    .await?;
    let case = w.request(&w.resident).await?;
    w.book(&w.resident, &case.code, at(1, 9, 0)).await?;
    assert_eq!(w.status(&case.code).await?, Status::Accepted);
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "accepted"]
    );
    // Nothing for a mediator to accept.
    assert_invalid(
        mediation::accept(&w.db, &w.mediator, &case.code, now()).await,
        "mediation-case-changed",
    );
    Ok(())
}

/// Runs `a` and `b` at the same instant, as two clicks or two people would.
async fn at_once<A, B>(a: A, b: B) -> Result<[domain::Result<()>; 2], Box<dyn StdError>>
where
    A: Future<Output = domain::Result<()>> + Send + 'static,
    B: Future<Output = domain::Result<()>> + Send + 'static,
{
    let barrier = Arc::new(Barrier::new(2));
    let (first, second) = (Arc::clone(&barrier), barrier);
    let a = tokio::spawn(async move {
        first.wait().await;
        a.await
    });
    let b = tokio::spawn(async move {
        second.wait().await;
        b.await
    });
    Ok([a.await?, b.await?])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_booking_clicked_twice_at_once_leaves_a_truthful_timeline() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slots = [at(1, 9, 0), at(1, 10, 15)];
    let click = |slot| {
        let (db, resident, code, policy) = (
            w.db.clone(),
            w.resident.clone(),
            case.code.clone(),
            w.policy,
        );
        async move { mediation::book(&db, &resident, &code, slot, &policy, now()).await }
    };
    let results = at_once(click(slots[0]), click(slots[1])).await?;
    for result in &results {
        assert!(
            matches!(
                result,
                Ok(()) | Err(Error::Invalid("mediation-case-changed"))
            ),
            "{result:?}"
        );
    }
    let held = w.held_slot(&case.code).await?.ok_or("a slot is held")?;
    let other = slots.into_iter().find(|s| *s != held).ok_or("two slots")?;
    assert!(w.is_free(other, now()).await?, "the other slot is free");
    // Whether the second click was refused or moved the booking, the timeline tells what
    // happened: one booking, then at most a move to the slot held; never two bookings.
    let events = w.events(&case.code).await?;
    let expected: &[&str] = match results.iter().filter(|r| r.is_ok()).count() {
        1 => &["requested", "booked"],
        2 => &["requested", "booked", "rescheduled"],
        _ => panic!("{results:?}"),
    };
    assert_eq!(events, expected, "{results:?} on {}", testing::engine());
    assert_eq!(w.last_event(&case.code).await?.slot_at, Some(held));
    let booked = w
        .inbox(&w.mediator)
        .await?
        .into_iter()
        .filter(|(topic, _)| topic == "inbox-case-booked")
        .count();
    assert_eq!(booked, 1, "the mediator is told of one booking");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2b. Calendars that cannot clash

/// A second room of the world's community whose mediator also serves the world's room.
async fn room_sharing_the_mediator(w: &World) -> Result<i32, Box<dyn StdError>> {
    let (second, _) = add_room(&w.db, w.community, "第二调解室", "13900000002").await?;
    schedule::assign(&w.db, second, w.mediator.user.id).await?;
    Ok(second)
}

async fn active_bookings(w: &World) -> Result<u64, Box<dyn StdError>> {
    Ok(booking::Entity::find()
        .filter(booking::Column::CancelledAt.is_null())
        .count(&w.db)
        .await?)
}

#[tokio::test]
async fn a_changed_calendar_never_offers_or_books_time_a_session_holds() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    w.book(&w.resident, &case.code, at(1, 9, 0)).await?;
    let neighbour = w.resident("13800000002").await?;
    let other = w.request(&neighbour).await?;

    // Half-hour sessions without a buffer: 09:30 starts inside the booked hour.
    let short = Schedule {
        slot_minutes: 30,
        buffer_minutes: 0,
        ..Schedule::default()
    };
    schedule::save_schedule(&w.db, w.room, short).await?;
    assert!(!w.is_free(at(1, 9, 30), now()).await?, "inside the session");
    assert!(w.is_free(at(1, 10, 0), now()).await?, "right after it");
    assert_invalid(
        w.book(&neighbour, &other.code, at(1, 9, 30)).await,
        "mediation-slot-taken",
    );
    assert_eq!(w.status(&other.code).await?, Status::Requested);
    assert_eq!(w.events(&other.code).await?, ["requested"]);

    // Half an hour kept free between sessions: 10:00 is now too close to the booked hour.
    let buffered = Schedule {
        buffer_minutes: 30,
        ..short
    };
    schedule::save_schedule(&w.db, w.room, buffered).await?;
    assert!(!w.is_free(at(1, 10, 0), now()).await?, "inside the buffer");
    assert_invalid(
        w.book(&neighbour, &other.code, at(1, 10, 0)).await,
        "mediation-slot-taken",
    );
    assert!(w.is_free(at(1, 11, 0), now()).await?);
    w.book(&neighbour, &other.code, at(1, 11, 0)).await?;
    assert_eq!(active_bookings(&w).await?, 2);

    // Their own session does not stand in the way of moving it an hour later.
    w.book(&w.resident, &case.code, at(1, 10, 0)).await?;
    assert_eq!(w.held_slot(&case.code).await?, Some(at(1, 10, 0)));
    Ok(())
}

#[tokio::test]
async fn a_mediator_of_two_rooms_is_never_booked_into_two_sessions_at_once() -> TestResult {
    let w = World::new().await?;
    let second = room_sharing_the_mediator(&w).await?;
    let case = w.request(&w.resident).await?;
    w.book(&w.resident, &case.code, at(1, 9, 0)).await?;

    let neighbour = w.resident("13800000002").await?;
    let other = mediation::request(&w.db, &neighbour, form(second), &w.policy, now()).await?;
    let free = schedule::free_slots(&w.db, second, now() + w.policy.cutoff, now()).await?;
    let offered = |slot| free.iter().any(|s| s.starts_at == slot);
    assert!(
        !offered(at(1, 9, 0)),
        "the mediator sits in the first room then"
    );
    assert!(offered(at(1, 10, 15)));
    assert_invalid(
        w.book(&neighbour, &other.code, at(1, 9, 0)).await,
        "mediation-slot-taken",
    );
    assert_eq!(w.status(&other.code).await?, Status::Requested);
    w.book(&neighbour, &other.code, at(1, 10, 15)).await?;

    // A room with mediators of its own is not held up by the others.
    let (third, _) = add_room(&w.db, w.community, "第三调解室", "13900000003").await?;
    let free = schedule::free_slots(&w.db, third, now() + w.policy.cutoff, now()).await?;
    assert!(free.iter().any(|s| s.starts_at == at(1, 9, 0)));
    Ok(())
}

#[tokio::test]
async fn each_rooms_buffer_holds_for_a_mediator_of_both() -> TestResult {
    let w = World::new().await?;
    let second = room_sharing_the_mediator(&w).await?;
    // The second room keeps an hour between sessions; the world's room a quarter of one.
    let wide = Schedule {
        buffer_minutes: 60,
        ..Schedule::default()
    };
    schedule::save_schedule(&w.db, second, wide).await?;
    let neighbour = w.resident("13800000002").await?;
    let there = mediation::request(&w.db, &neighbour, form(second), &w.policy, now()).await?;
    w.book(&neighbour, &there.code, at(1, 9, 0)).await?;

    // 10:15 in the world's room keeps its own quarter hour, not the hour the other room
    // keeps after its 09:00 session: neither offered nor booked.
    let case = w.request(&w.resident).await?;
    assert!(
        !w.is_free(at(1, 10, 15), now()).await?,
        "inside the other room's hour"
    );
    assert_invalid(
        w.book(&w.resident, &case.code, at(1, 10, 15)).await,
        "mediation-slot-taken",
    );
    assert!(w.is_free(at(1, 11, 30), now()).await?);
    w.book(&w.resident, &case.code, at(1, 11, 30)).await?;
    assert_eq!(active_bookings(&w).await?, 2);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3. The cut-off

#[tokio::test]
async fn a_slot_inside_the_cut_off_cannot_be_booked() -> TestResult {
    let w = World::new().await?;
    assert_eq!(w.policy.cutoff, Duration::hours(2));
    let case = w.request(&w.resident).await?;
    // 09:00 today is an hour away.
    assert_invalid(
        w.book(&w.resident, &case.code, at(0, 9, 0)).await,
        "mediation-slot-unavailable",
    );
    assert_eq!(w.status(&case.code).await?, Status::Requested);
    // 10:15 today is two hours and a quarter away.
    w.book(&w.resident, &case.code, at(0, 10, 15)).await?;
    assert_eq!(w.held_slot(&case.code).await?, Some(at(0, 10, 15)));
    Ok(())
}

#[tokio::test]
async fn within_the_cut_off_the_resident_can_neither_cancel_nor_reschedule() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slot = at(1, 9, 0);
    w.book(&w.resident, &case.code, slot).await?;
    for late in [
        slot - Duration::hours(2) + Duration::minutes(1),
        slot - Duration::minutes(1),
        slot + Duration::minutes(10),
    ] {
        assert_invalid(
            mediation::cancel(&w.db, &w.resident, &case.code, &w.policy, late).await,
            "mediation-too-late",
        );
        assert_invalid(
            mediation::book(&w.db, &w.resident, &case.code, at(2, 9, 0), &w.policy, late).await,
            "mediation-too-late",
        );
        let detail = mediation::detail(&w.db, &w.resident, &case.code).await?;
        assert!(!detail.resident_may_change(&w.policy, late));
    }
    assert_eq!(w.status(&case.code).await?, Status::Booked);
    assert_eq!(w.held_slot(&case.code).await?, Some(slot));
    assert_eq!(w.events(&case.code).await?, ["requested", "booked"]);
    let early = slot - Duration::hours(2) - Duration::minutes(1);
    let detail = mediation::detail(&w.db, &w.resident, &case.code).await?;
    assert!(detail.resident_may_change(&w.policy, early));
    Ok(())
}

#[tokio::test]
async fn before_the_cut_off_the_resident_reschedules_and_then_cancels() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let first = at(1, 9, 0);
    let second = at(1, 10, 15);
    w.book(&w.resident, &case.code, first).await?;
    let t1 = first - Duration::hours(2) - Duration::minutes(1);

    mediation::book(&w.db, &w.resident, &case.code, second, &w.policy, t1).await?;
    assert_eq!(w.status(&case.code).await?, Status::Booked);
    assert_eq!(w.held_slot(&case.code).await?, Some(second));
    assert!(w.is_free(first, now()).await?, "the old slot is free again");
    assert!(!w.is_free(second, now()).await?);
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "rescheduled"]
    );
    let moved = w.last_event(&case.code).await?;
    assert_eq!(moved.slot_at, Some(second));
    assert_eq!(moved.at, t1);
    // The old booking stays as history, cancelled.
    let bookings = booking::Entity::find()
        .order_by_asc(booking::Column::Id)
        .all(&w.db)
        .await?;
    assert_eq!(bookings.len(), 2);
    assert_eq!(bookings[0].starts_at, first);
    assert_eq!(bookings[0].cancelled_at, Some(t1));
    assert_eq!(bookings[1].cancelled_at, None);
    assert_eq!(
        w.inbox(&w.mediator).await?.last(),
        Some(&("inbox-case-rescheduled".to_owned(), case.code.clone()))
    );
    // Someone else may now take the freed slot.
    let neighbour = w.resident("13800000002").await?;
    let other = w.request(&neighbour).await?;
    w.book(&neighbour, &other.code, first).await?;

    let t2 = t1 + Duration::minutes(1);
    mediation::cancel(&w.db, &w.resident, &case.code, &w.policy, t2).await?;
    assert_eq!(w.status(&case.code).await?, Status::Cancelled);
    assert_eq!(w.held_slot(&case.code).await?, None);
    assert!(w.is_free(second, t2).await?, "the slot is free again");
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "rescheduled", "cancelled"]
    );
    let mediator_inbox = w.inbox(&w.mediator).await?;
    assert!(
        mediator_inbox.contains(&("inbox-case-cancelled".to_owned(), case.code.clone())),
        "{mediator_inbox:?}"
    );
    // Cancelled is final: neither booking nor cancelling again.
    assert_invalid(
        mediation::book(&w.db, &w.resident, &case.code, at(2, 9, 0), &w.policy, t2).await,
        "mediation-case-changed",
    );
    assert_invalid(
        mediation::cancel(&w.db, &w.resident, &case.code, &w.policy, t2).await,
        "mediation-case-changed",
    );
    assert_eq!(w.events(&case.code).await?.len(), 4);
    Ok(())
}

#[tokio::test]
async fn a_request_without_a_slot_can_be_cancelled_any_time() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    mediation::cancel(&w.db, &w.resident, &case.code, &w.policy, now()).await?;
    assert_eq!(w.status(&case.code).await?, Status::Cancelled);
    assert_eq!(w.events(&case.code).await?, ["requested", "cancelled"]);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. The mediator's steps

#[tokio::test]
async fn the_mediator_accepts_holds_the_session_and_the_resident_rates_it() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slot = at(1, 9, 0);
    // Nothing to accept before a slot is booked.
    assert_invalid(
        mediation::accept(&w.db, &w.mediator, &case.code, now()).await,
        "mediation-case-changed",
    );
    w.book(&w.resident, &case.code, slot).await?;

    let t = now() + Duration::minutes(5);
    assert_forbidden(mediation::accept(&w.db, &w.resident, &case.code, t).await);
    mediation::accept(&w.db, &w.mediator, &case.code, t).await?;
    let accepted = w.case(&case.code).await?;
    assert_eq!(accepted.status.as_str(), "accepted");
    assert_eq!(accepted.mediator_id, Some(w.mediator.user.id));
    assert_eq!(accepted.updated_at, t);
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-accepted".to_owned(), case.code.clone()))
    );
    // Acting twice: the second is told the case moved on.
    assert_invalid(
        mediation::accept(&w.db, &w.mediator, &case.code, t).await,
        "mediation-case-changed",
    );
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "accepted"]
    );

    // The session: an agreement needs its text.
    let after = slot + Duration::minutes(90);
    let reached = |agreement: &str| OutcomeRecord {
        outcome: "reached".into(),
        agreement: agreement.into(),
        amount_settled: Some(1500),
        referred_to: String::new(),
        referral_note: String::new(),
    };
    assert_invalid(
        mediation::record_outcome(&w.db, &w.mediator, &case.code, reached("  \n "), after).await,
        "mediation-agreement-required",
    );
    assert_invalid(
        mediation::record_outcome(
            &w.db,
            &w.mediator,
            &case.code,
            OutcomeRecord {
                outcome: "won".into(),
                ..reached("x")
            },
            after,
        )
        .await,
        "mediation-outcome-invalid",
    );
    assert_invalid(
        mediation::record_outcome(
            &w.db,
            &w.mediator,
            &case.code,
            OutcomeRecord {
                amount_settled: Some(-5),
                ..reached("楼上修好水管")
            },
            after,
        )
        .await,
        "mediation-amount-invalid",
    );
    assert_forbidden(
        mediation::record_outcome(&w.db, &w.resident, &case.code, reached("自己写的"), after).await,
    );
    assert_eq!(w.status(&case.code).await?, Status::Accepted);
    let agreement = "楼上一周内修好水管，赔偿粉刷费1500元。";
    mediation::record_outcome(&w.db, &w.mediator, &case.code, reached(agreement), after).await?;
    let resolved = w.case(&case.code).await?;
    assert_eq!(resolved.status.as_str(), "resolved");
    assert_eq!(resolved.outcome.map(|v| v.as_str()), Some("reached"));
    assert_eq!(resolved.agreement.as_deref(), Some(agreement));
    assert_eq!(resolved.amount_settled, Some(1500));
    assert_eq!(resolved.outcome_at, Some(after));
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "accepted", "held", "outcome"]
    );
    let detail = mediation::detail(&w.db, &w.mediator, &case.code).await?;
    let held = detail
        .events
        .iter()
        .find(|e| e.kind.as_str() == "held")
        .ok_or("a held event")?;
    assert_eq!(held.at, slot, "held when the session was booked");
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-outcome".to_owned(), case.code.clone()))
    );
    assert_invalid(
        mediation::record_outcome(&w.db, &w.mediator, &case.code, reached(agreement), after).await,
        "mediation-case-changed",
    );

    // The follow-up: the resident rates it online.
    let visit = slot + Duration::days(7);
    for bad in [0, 6, -1] {
        assert_invalid(
            mediation::follow_up(&w.db, &w.resident, &case.code, bad, "", visit).await,
            "mediation-rating-invalid",
        );
    }
    mediation::follow_up(&w.db, &w.resident, &case.code, 5, "老何调解得很公道", visit).await?;
    let closed = w.case(&case.code).await?;
    assert_eq!(closed.status.as_str(), "closed");
    assert_eq!(closed.satisfaction, Some(5));
    assert_eq!(closed.follow_up_channel.as_deref(), Some("online"));
    assert_eq!(
        closed.follow_up_comment.as_deref(),
        Some("老何调解得很公道")
    );
    assert_eq!(closed.follow_up_at, Some(visit));
    assert_eq!(
        w.last_event(&case.code).await?.note.as_deref(),
        Some("online:5")
    );
    assert_eq!(
        w.inbox(&w.mediator).await?.last(),
        Some(&("inbox-case-followed-up".to_owned(), case.code.clone()))
    );
    assert_invalid(
        mediation::follow_up(&w.db, &w.resident, &case.code, 4, "", visit).await,
        "mediation-case-changed",
    );
    assert_eq!(w.events(&case.code).await?.len(), 6);
    Ok(())
}

#[tokio::test]
async fn the_mediator_declines_with_a_reason_and_the_slot_is_freed() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slot = at(1, 10, 15);
    w.book(&w.resident, &case.code, slot).await?;
    let t = now() + Duration::minutes(10);
    for short in ["", "不", "   。  "] {
        assert_invalid(
            mediation::decline(&w.db, &w.mediator, &case.code, short, t).await,
            "mediation-reason-required",
        );
    }
    assert_invalid(
        mediation::decline(&w.db, &w.mediator, &case.code, &"长".repeat(201), t).await,
        "mediation-reason-required",
    );
    assert_forbidden(mediation::decline(&w.db, &w.resident, &case.code, "我不想调了", t).await);
    assert_eq!(w.status(&case.code).await?, Status::Booked);

    mediation::decline(&w.db, &w.mediator, &case.code, "双方均不在本辖区", t).await?;
    assert_eq!(w.status(&case.code).await?, Status::Declined);
    assert_eq!(w.held_slot(&case.code).await?, None);
    assert!(w.is_free(slot, t).await?, "the slot is free again");
    let declined = w.last_event(&case.code).await?;
    assert_eq!(declined.kind.as_str(), "declined");
    assert_eq!(declined.note.as_deref(), Some("双方均不在本辖区"));
    assert_eq!(declined.actor_id, Some(w.mediator.user.id));
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-declined".to_owned(), case.code.clone()))
    );
    assert_invalid(
        mediation::decline(&w.db, &w.mediator, &case.code, "再拒一次", t).await,
        "mediation-case-changed",
    );
    Ok(())
}

#[tokio::test]
async fn the_mediator_proposes_another_slot_and_follows_up_by_phone() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let neighbour = w.resident("13800000002").await?;
    let other = w.request(&neighbour).await?;
    let booked = at(2, 9, 0);
    let proposed = at(2, 14, 0);
    w.book(&w.resident, &case.code, booked).await?;
    w.book(&neighbour, &other.code, at(2, 10, 15)).await?;

    let t = now() + Duration::minutes(3);
    assert_invalid(
        mediation::propose(&w.db, &w.mediator, &case.code, at(2, 10, 15), t).await,
        "mediation-slot-taken",
    );
    assert_invalid(
        mediation::propose(&w.db, &w.mediator, &case.code, at(2, 14, 30), t).await,
        "mediation-slot-unavailable",
    );
    assert_forbidden(mediation::propose(&w.db, &w.resident, &case.code, proposed, t).await);
    assert_eq!(w.held_slot(&case.code).await?, Some(booked), "unchanged");

    mediation::propose(&w.db, &w.mediator, &case.code, proposed, t).await?;
    let moved = w.case(&case.code).await?;
    assert_eq!(moved.status.as_str(), "accepted");
    assert_eq!(moved.mediator_id, Some(w.mediator.user.id));
    assert_eq!(w.held_slot(&case.code).await?, Some(proposed));
    assert!(
        w.is_free(booked, t).await?,
        "the resident's slot is free again"
    );
    assert_eq!(
        w.events(&case.code).await?,
        ["requested", "booked", "proposed"]
    );
    assert_eq!(w.last_event(&case.code).await?.slot_at, Some(proposed));
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-proposed".to_owned(), case.code.clone()))
    );

    // No agreement, so no text is needed.
    let after = proposed + Duration::hours(1);
    let not_reached = OutcomeRecord {
        outcome: "not_reached".into(),
        agreement: String::new(),
        amount_settled: None,
        referred_to: String::new(),
        referral_note: String::new(),
    };
    mediation::record_outcome(&w.db, &w.mediator, &case.code, not_reached, after).await?;
    let resolved = w.case(&case.code).await?;
    assert_eq!(resolved.status.as_str(), "resolved");
    assert_eq!(resolved.outcome.map(|v| v.as_str()), Some("not_reached"));
    assert_eq!(resolved.agreement, None);

    // The mediator calls the resident.
    let call = after + Duration::days(3);
    mediation::follow_up(
        &w.db,
        &w.mediator,
        &case.code,
        3,
        "电话回访，态度一般",
        call,
    )
    .await?;
    let closed = w.case(&case.code).await?;
    assert_eq!(closed.status.as_str(), "closed");
    assert_eq!(closed.satisfaction, Some(3));
    assert_eq!(closed.follow_up_channel.as_deref(), Some("phone"));
    assert_eq!(
        w.last_event(&case.code).await?.note.as_deref(),
        Some("phone:3")
    );
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-followed-up".to_owned(), case.code.clone()))
    );
    Ok(())
}

#[tokio::test]
async fn every_outcome_can_be_recorded() -> TestResult {
    let w = World::new().await?;
    let other = w.resident("13800000002").await?;
    let outcomes = ["reached", "partly", "not_reached", "referred"];
    for (i, outcome) in outcomes.into_iter().enumerate() {
        let who = if i < 2 { &w.resident } else { &other };
        let case = w.request(who).await?;
        let slot = at(1, 9, 0) + Duration::minutes(75 * i as i64);
        mediation::propose(&w.db, &w.mediator, &case.code, slot, now()).await?;
        let record = OutcomeRecord {
            outcome: outcome.to_owned(),
            agreement: "协议".to_owned(),
            amount_settled: None,
            // Read only when the outcome is "referred".
            referred_to: "court".to_owned(),
            referral_note: String::new(),
        };
        let after = slot + Duration::hours(1);
        let recorded = mediation::record_outcome(&w.db, &w.mediator, &case.code, record, after)
            .await
            .map_err(|e| format!("{outcome} on {}: {e:?}", testing::engine()));
        assert_eq!(recorded, Ok(()));
        assert_eq!(
            w.case(&case.code).await?.outcome.map(|v| v.as_str()),
            Some(outcome)
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_mediators_queue_sorts_cases_by_what_they_wait_for() -> TestResult {
    let w = World::new().await?;
    let other = w.resident("13800000002").await?;
    let new_request = w.request(&w.resident).await?;
    let new_booking = w.request(&w.resident).await?;
    w.book(&w.resident, &new_booking.code, at(1, 9, 0)).await?;
    let past = w.request(&w.resident).await?;
    mediation::propose(&w.db, &w.mediator, &past.code, at(0, 10, 15), now()).await?;
    let today = w.request(&other).await?;
    mediation::propose(&w.db, &w.mediator, &today.code, at(0, 14, 0), now()).await?;
    let later = w.request(&other).await?;
    mediation::propose(&w.db, &w.mediator, &later.code, at(2, 9, 0), now()).await?;
    let done = w.request(&other).await?;
    mediation::propose(&w.db, &w.mediator, &done.code, at(0, 9, 0), now()).await?;
    let reached = OutcomeRecord {
        outcome: "partly".into(),
        agreement: "部分达成".into(),
        amount_settled: None,
        referred_to: String::new(),
        referral_note: String::new(),
    };
    mediation::record_outcome(&w.db, &w.mediator, &done.code, reached, at(0, 10, 0)).await?;

    let noon = at(0, 12, 0);
    let queue = mediation::queue(&w.db, &w.mediator, noon).await?;
    let codes = |lines: &[mediation::CaseLine]| {
        lines
            .iter()
            .map(|l| l.case.code.clone())
            .collect::<Vec<_>>()
    };
    // Both were filed at the same instant: compared as a set.
    let mut new = codes(&queue.new);
    new.sort();
    let mut expected = vec![new_request.code, new_booking.code];
    expected.sort();
    assert_eq!(new, expected);
    assert_eq!(codes(&queue.awaiting_outcome), [past.code]);
    assert_eq!(codes(&queue.today), [today.code]);
    assert_eq!(codes(&queue.upcoming), [later.code]);
    assert_eq!(codes(&queue.awaiting_follow_up), [done.code]);
    assert_forbidden(mediation::queue(&w.db, &w.resident, noon).await);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 5. Who sees what

#[tokio::test]
async fn a_case_is_seen_only_by_its_resident_its_mediators_and_officers() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    w.book(&w.resident, &case.code, at(1, 9, 0)).await?;

    // Another resident: the case does not exist, whatever they try.
    let stranger = w.resident("13800000002").await?;
    assert_not_found(mediation::detail(&w.db, &stranger, &case.code).await);
    assert_not_found(w.book(&stranger, &case.code, at(1, 10, 15)).await);
    assert_not_found(mediation::cancel(&w.db, &stranger, &case.code, &w.policy, now()).await);
    assert_not_found(mediation::follow_up(&w.db, &stranger, &case.code, 1, "", now()).await);
    assert_not_found(mediation::detail(&w.db, &stranger, "ZBS-2026-ZZZZZZ").await);

    // A mediator of another room: neither.
    let (_, elsewhere) = add_room(&w.db, w.community, "别的调解室", "13900000002").await?;
    assert_not_found(mediation::detail(&w.db, &elsewhere, &case.code).await);
    assert_not_found(mediation::accept(&w.db, &elsewhere, &case.code, now()).await);

    // An officer sees it, never the other party's number whole.
    let officer = w.officer().await?;
    let seen = mediation::detail(&w.db, &officer, &case.code).await?;
    assert_eq!(seen.viewer, Viewer::Officer);
    assert_eq!(seen.other_phone().as_deref(), Some(OTHER_PHONE_MASKED));
    assert_eq!(seen.resident_phone().as_deref(), Some("138****0001"));
    assert!(seen.booking.is_some());
    // …and may not act as the room or the resident.
    assert_forbidden(mediation::accept(&w.db, &officer, &case.code, now()).await);
    assert_forbidden(w.book(&officer, &case.code, at(1, 10, 15)).await);
    assert_forbidden(mediation::cancel(&w.db, &officer, &case.code, &w.policy, now()).await);

    // The room's mediator sees both numbers whole.
    let seen = mediation::detail(&w.db, &w.mediator, &case.code).await?;
    assert_eq!(seen.viewer, Viewer::Mediator);
    assert_eq!(seen.other_phone().as_deref(), Some(OTHER_PHONE));
    assert_eq!(seen.resident_phone().as_deref(), Some("13800000001"));
    // So does an admin, who runs every room.
    let admin =
        accounts::add_user(&w.db, "13700000002", Some(PASSWORD), &[Role::Admin], now()).await?;
    assert_eq!(
        mediation::detail(&w.db, &admin, &case.code).await?.viewer,
        Viewer::Mediator
    );

    // The resident sees their case but cannot act for the room.
    let seen = mediation::detail(&w.db, &w.resident, &case.code).await?;
    assert_eq!(seen.viewer, Viewer::Resident);
    assert_eq!(seen.other_phone().as_deref(), Some(OTHER_PHONE_MASKED));
    assert_forbidden(mediation::accept(&w.db, &w.resident, &case.code, now()).await);
    assert_eq!(
        w.status(&case.code).await?,
        Status::Booked,
        "nobody changed it"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 6. The ladder

#[tokio::test]
async fn escalation_hands_the_case_up_and_frees_its_slot() -> TestResult {
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    let slot = at(1, 9, 0);
    w.book(&w.resident, &case.code, slot).await?;
    let t = now() + Duration::hours(1);

    assert_forbidden(
        mediation::escalate(&w.db, &w.resident, &case.code, "community", "我要找社区", t).await,
    );
    assert_invalid(
        mediation::escalate(&w.db, &w.mediator, &case.code, "community", "x", t).await,
        "mediation-reason-required",
    );
    assert_invalid(
        mediation::escalate(&w.db, &w.mediator, &case.code, "court", "涉及金额较大", t).await,
        "mediation-level-invalid",
    );
    assert_invalid(
        mediation::escalate(&w.db, &w.mediator, &case.code, "room", "还是本室", t).await,
        "mediation-level-invalid",
    );
    assert_eq!(w.status(&case.code).await?, Status::Booked);

    mediation::escalate(
        &w.db,
        &w.mediator,
        &case.code,
        "community",
        "涉及多户，需社区协调",
        t,
    )
    .await?;
    let up = w.case(&case.code).await?;
    assert_eq!(up.status.as_str(), "escalated");
    assert_eq!(up.level.as_str(), "community");
    assert_eq!(
        w.held_slot(&case.code).await?,
        None,
        "the booking is cancelled"
    );
    assert!(w.is_free(slot, t).await?, "the slot is free again");
    let event = w.last_event(&case.code).await?;
    assert_eq!(event.kind.as_str(), "escalated");
    assert_eq!(event.from_level.map(|v| v.as_str()), Some("room"));
    assert_eq!(event.to_level.map(|v| v.as_str()), Some("community"));
    assert_eq!(event.note.as_deref(), Some("涉及多户，需社区协调"));
    assert_eq!(
        w.inbox(&w.resident).await?.last(),
        Some(&("inbox-case-escalated".to_owned(), case.code.clone()))
    );

    let later = t + Duration::hours(2);
    let detail = mediation::detail(&w.db, &w.mediator, &case.code).await?;
    assert_eq!(
        detail.level_stays(later),
        [
            (Level::Room, Duration::hours(1)),
            (Level::Community, Duration::hours(2))
        ]
    );
    assert_invalid(
        mediation::escalate(
            &w.db,
            &w.mediator,
            &case.code,
            "community",
            "再升一次",
            later,
        )
        .await,
        "mediation-level-invalid",
    );
    // Out of the room's hands: the resident cannot book it any more.
    assert_invalid(
        mediation::book(
            &w.db,
            &w.resident,
            &case.code,
            at(1, 14, 0),
            &w.policy,
            later,
        )
        .await,
        "mediation-case-changed",
    );

    // An officer takes it on to the station.
    let officer = w.officer().await?;
    mediation::escalate(
        &w.db,
        &officer,
        &case.code,
        "station",
        "需派出所处理",
        later,
    )
    .await?;
    let detail = mediation::detail(&w.db, &officer, &case.code).await?;
    assert_eq!(detail.case.level.as_str(), "station");
    assert_eq!(detail.case.status.as_str(), "escalated");
    assert_eq!(
        detail.level_stays(later + Duration::hours(1)),
        [
            (Level::Room, Duration::hours(1)),
            (Level::Community, Duration::hours(2)),
            (Level::Station, Duration::hours(1))
        ]
    );

    // Brought back down to the room, it waits for a slot again.
    let back = later + Duration::hours(1);
    mediation::escalate(
        &w.db,
        &officer,
        &case.code,
        "room",
        "派出所退回调解室",
        back,
    )
    .await?;
    let down = w.case(&case.code).await?;
    assert_eq!(down.status.as_str(), "requested");
    assert_eq!(down.level.as_str(), "room");
    mediation::book(
        &w.db,
        &w.resident,
        &case.code,
        at(1, 14, 0),
        &w.policy,
        back,
    )
    .await?;
    assert_eq!(w.status(&case.code).await?, Status::Booked);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 7. The figures

/// Files a request by `who` to `room`, has its mediator propose `slot`, record `outcome`
/// after it and, when `rating` is given, the resident rate it.
#[allow(clippy::too_many_arguments)]
async fn conclude(
    w: &World,
    who: &Account,
    room: i32,
    mediator: &Account,
    slot: DateTime<Utc>,
    outcome: &str,
    amount: Option<i64>,
    rating: Option<i32>,
) -> Result<String, Box<dyn StdError>> {
    let case = mediation::request(&w.db, who, form(room), &w.policy, now()).await?;
    mediation::propose(&w.db, mediator, &case.code, slot, now()).await?;
    let record = OutcomeRecord {
        outcome: outcome.to_owned(),
        agreement: "双方签字的协议".to_owned(),
        amount_settled: amount,
        // Read only when the outcome is "referred".
        referred_to: "court".to_owned(),
        referral_note: String::new(),
    };
    mediation::record_outcome(
        &w.db,
        mediator,
        &case.code,
        record,
        slot + Duration::hours(1),
    )
    .await?;
    if let Some(rating) = rating {
        let visit = slot + Duration::days(3);
        mediation::follow_up(&w.db, who, &case.code, rating, "", visit).await?;
    }
    Ok(case.code)
}

#[tokio::test]
async fn the_figures_add_up_from_the_records() -> TestResult {
    let w = World::new().await?;
    let (room2, mediator2) = add_room(&w.db, w.community, "第二调解室", "13900000002").await?;
    let other = w.resident("13800000002").await?;

    assert_eq!(stats::stats(&w.db).await?.total, Figures::default());

    let m1 = &w.mediator;
    conclude(
        &w,
        &w.resident,
        w.room,
        m1,
        at(1, 9, 0),
        "reached",
        Some(2000),
        Some(5),
    )
    .await?;
    conclude(
        &w,
        &w.resident,
        w.room,
        m1,
        at(1, 10, 15),
        "partly",
        Some(500),
        Some(3),
    )
    .await?;
    conclude(
        &w,
        &w.resident,
        w.room,
        m1,
        at(1, 11, 30),
        "not_reached",
        None,
        None,
    )
    .await?;
    conclude(
        &w,
        &other,
        room2,
        &mediator2,
        at(1, 9, 0),
        "referred",
        Some(20),
        Some(4),
    )
    .await?;
    // Still waiting, and declined: received, nothing more.
    mediation::request(&w.db, &other, form(room2), &w.policy, now()).await?;
    let declined = mediation::request(&w.db, &other, form(room2), &w.policy, now()).await?;
    mediation::decline(&w.db, &mediator2, &declined.code, "不属于调解范围", now()).await?;

    let figures = stats::stats(&w.db).await?;
    let room1 = Figures {
        received: 3,
        concluded: 3,
        resolved: 2,
        amount: 2500,
        followed_up: 2,
        satisfied: 1,
    };
    let second = Figures {
        received: 3,
        concluded: 1,
        resolved: 0,
        amount: 20,
        followed_up: 1,
        satisfied: 1,
    };
    let total = Figures {
        received: 6,
        concluded: 4,
        resolved: 2,
        amount: 2520,
        followed_up: 3,
        satisfied: 2,
    };
    assert_eq!(figures.total, total);
    assert_eq!(
        figures.rooms,
        [
            (w.room, "测试调解室".to_owned(), room1),
            (room2, "第二调解室".to_owned(), second)
        ]
    );
    let summed = figures
        .rooms
        .iter()
        .fold(Figures::default(), |sum, (_, _, f)| Figures {
            received: sum.received + f.received,
            concluded: sum.concluded + f.concluded,
            resolved: sum.resolved + f.resolved,
            amount: sum.amount + f.amount,
            followed_up: sum.followed_up + f.followed_up,
            satisfied: sum.satisfied + f.satisfied,
        });
    assert_eq!(summed, figures.total, "the rooms add up to the total");
    assert_eq!(figures.months, [("2026-12".to_owned(), total)]);
    assert_eq!(figures.total.success_rate(), Some(50.0));
    let satisfaction = figures.total.satisfaction_rate().ok_or("a rate")?;
    assert!((satisfaction - 200.0 / 3.0).abs() < 1e-9, "{satisfaction}");
    assert_eq!(second.success_rate(), Some(0.0));
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 8. The race

/// Every contender books `slot` for their case at the same moment; the codes of the cases
/// that got it. Any refusal but "taken" fails the test.
async fn race_to_book(
    w: &World,
    contenders: &[(Account, String)],
    slot: DateTime<Utc>,
) -> Result<Vec<String>, Box<dyn StdError>> {
    let barrier = Arc::new(Barrier::new(contenders.len()));
    let tasks: Vec<_> = contenders
        .iter()
        .cloned()
        .map(|(account, code)| {
            let db = w.db.clone();
            let barrier = Arc::clone(&barrier);
            let policy = w.policy;
            tokio::spawn(async move {
                barrier.wait().await;
                mediation::book(&db, &account, &code, slot, &policy, now()).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (task, (_, code)) in tasks.into_iter().zip(contenders) {
        match task.await? {
            Ok(()) => winners.push(code.clone()),
            Err(Error::Invalid("mediation-slot-taken")) => {}
            Err(other) => panic!(
                "{code}: expected mediation-slot-taken, got {other:?} on {}",
                testing::engine()
            ),
        }
    }
    Ok(winners)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_residents_racing_for_one_slot_leave_exactly_one_booking() -> TestResult {
    const RESIDENTS: usize = 50;
    let w = World::new().await?;
    let slot = at(1, 9, 0);
    let mut contenders = Vec::new();
    for i in 0..RESIDENTS {
        let account = quick_resident(&w.db, w.community, &format!("135{i:08}")).await?;
        let case = w.request(&account).await?;
        contenders.push((account, case.code));
    }
    assert_eq!(w.count_cases().await?, RESIDENTS as u64);

    let winners = race_to_book(&w, &contenders, slot).await?;
    assert_eq!(
        winners.len(),
        1,
        "exactly one booking succeeds: {winners:?}"
    );
    let winner = w.case(&winners[0]).await?;

    // One booking of the slot, the winner's; the losers' attempts left nothing behind.
    let bookings = booking::Entity::find().all(&w.db).await?;
    assert_eq!(bookings.len(), 1, "{bookings:?}");
    assert_eq!(bookings[0].case_id, winner.id);
    assert_eq!(bookings[0].starts_at, slot);
    assert_eq!(bookings[0].cancelled_at, None);
    assert!(!w.is_free(slot, now()).await?);

    let count = |status: &'static str| {
        mediation_case::Entity::find()
            .filter(mediation_case::Column::Status.eq(status))
            .count(&w.db)
    };
    assert_eq!(count("booked").await?, 1);
    assert_eq!(count("requested").await?, RESIDENTS as u64 - 1);
    assert_eq!(winner.status.as_str(), "booked");

    // The timeline: fifty requests and the winner's booking, nothing else.
    let events = case_event::Entity::find().all(&w.db).await?;
    assert_eq!(events.len(), RESIDENTS + 1);
    let booked: Vec<_> = events
        .iter()
        .filter(|e| e.kind.as_str() != "requested")
        .collect();
    assert_eq!(booked.len(), 1, "{booked:?}");
    assert_eq!(booked[0].kind.as_str(), "booked");
    assert_eq!(booked[0].case_id, winner.id);
    assert_eq!(booked[0].slot_at, Some(slot));

    // The mediator heard of fifty requests and one booking; the winner of their booking.
    let told = w.inbox(&w.mediator).await?;
    assert_eq!(told.len(), RESIDENTS + 1);
    assert_eq!(
        told.iter()
            .filter(|(topic, _)| topic == "inbox-case-booked")
            .collect::<Vec<_>>(),
        [&("inbox-case-booked".to_owned(), winner.code.clone())]
    );
    assert_eq!(
        inbox_message::Entity::find().count(&w.db).await?,
        RESIDENTS as u64 + 2
    );
    let (winner_account, _) = contenders
        .iter()
        .find(|(_, code)| *code == winner.code)
        .ok_or("the winner")?;
    assert_eq!(
        w.inbox(winner_account).await?,
        pairs(&[("inbox-case-booked", &winner.code)])
    );

    // A loser can still book the next slot.
    let (loser, code) = contenders
        .iter()
        .find(|(_, code)| *code != winner.code)
        .ok_or("a loser")?;
    w.book(loser, code, at(1, 10, 15)).await?;
    assert_eq!(w.status(code).await?, Status::Booked);
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn residents_racing_for_one_mediators_hour_in_two_rooms_leave_one_session() -> TestResult {
    const RESIDENTS: usize = 40;
    let w = World::new().await?;
    let second = room_sharing_the_mediator(&w).await?;
    let slot = at(1, 9, 0);
    let mut contenders = Vec::new();
    for i in 0..RESIDENTS {
        let account = quick_resident(&w.db, w.community, &format!("136{i:08}")).await?;
        let room = if i % 2 == 0 { w.room } else { second };
        let case = mediation::request(&w.db, &account, form(room), &w.policy, now()).await?;
        contenders.push((account, case.code));
    }

    let winners = race_to_book(&w, &contenders, slot).await?;
    assert_eq!(
        winners.len(),
        1,
        "one of the two rooms holds the hour: {winners:?}"
    );
    assert_eq!(active_bookings(&w).await?, 1);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 我的日历: booked sessions in the calendars of the resident and the room's mediators

#[tokio::test]
async fn a_booked_session_is_in_the_calendars_of_its_resident_and_mediator_only() -> TestResult {
    use domain::calendar::{self, What};
    let w = World::new().await?;
    let case = w.request(&w.resident).await?;
    w.book(&w.resident, &case.code, at(1, 9, 0)).await?;
    let stranger = w.resident("13800000002").await?;

    let mine = calendar::events_of(&w.db, &w.resident, now()).await?;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(
        (mine[0].starts_at, mine[0].ends_at),
        (at(1, 9, 0), at(1, 10, 0))
    );
    match &mine[0].what {
        What::Session {
            case_code,
            room,
            as_mediator,
            ..
        } => {
            assert_eq!(case_code, &case.code);
            assert_eq!(room, "测试调解室");
            assert!(!as_mediator);
        }
        other => panic!("a session, not {other:?}"),
    }
    let theirs = calendar::events_of(&w.db, &w.mediator, now()).await?;
    assert_eq!(theirs.len(), 1);
    assert!(matches!(
        theirs[0].what,
        What::Session {
            as_mediator: true,
            ..
        }
    ));
    assert_eq!(theirs[0].uid, mine[0].uid, "one event, one uid");
    assert!(
        calendar::events_of(&w.db, &stranger, now())
            .await?
            .is_empty()
    );

    assert_eq!(
        calendar::session_of_case(&w.db, &w.resident, &case.code).await?,
        mine[0]
    );
    assert_not_found(calendar::session_of_case(&w.db, &stranger, &case.code).await);

    // A month later the session has left the calendar; cancelled, it leaves at once.
    assert!(
        calendar::events_of(&w.db, &w.resident, at(1, 10, 0) + calendar::LOOKBACK)
            .await?
            .is_empty()
    );
    mediation::cancel(&w.db, &w.resident, &case.code, &w.policy, now()).await?;
    assert!(
        calendar::events_of(&w.db, &w.resident, now())
            .await?
            .is_empty()
    );
    assert!(
        calendar::events_of(&w.db, &w.mediator, now())
            .await?
            .is_empty()
    );
    assert_not_found(calendar::session_of_case(&w.db, &w.resident, &case.code).await);
    Ok(())
}

#[tokio::test]
async fn a_calendar_address_is_renewed_turned_off_and_gone_with_its_account() -> TestResult {
    use domain::calendar;
    let w = World::new().await?;
    let me = w.resident.user.id;
    assert!(calendar::feed_of(&w.db, me).await?.is_none());
    let first = calendar::renew_feed(&w.db, me, "zh-CN", now()).await?;
    let (owner, lang) = calendar::feed_owner(&w.db, &first).await?;
    assert_eq!((owner.user.id, lang.as_str()), (me, "zh-CN"));

    let second = calendar::renew_feed(&w.db, me, "en", now()).await?;
    assert_ne!(first, second);
    assert_not_found(calendar::feed_owner(&w.db, &first).await);
    assert_eq!(calendar::feed_owner(&w.db, &second).await?.1, "en");
    for bad in [
        "",
        "x",
        &second.to_uppercase().replace('A', "G"),
        "' OR 1=1 --",
    ] {
        assert_not_found(calendar::feed_owner(&w.db, bad).await);
    }
    assert!(matches!(
        calendar::renew_feed(&w.db, me, "fr", now()).await,
        Err(Error::Invalid("calendar-language-invalid"))
    ));
    assert_eq!(
        calendar::feed_owner(&w.db, &second).await?.1,
        "en",
        "unchanged"
    );

    calendar::stop_feed(&w.db, me).await?;
    assert_not_found(calendar::feed_owner(&w.db, &second).await);

    let third = calendar::renew_feed(&w.db, me, "zh-CN", now()).await?;
    accounts::delete(&w.db, &w.resident).await?;
    assert_not_found(calendar::feed_owner(&w.db, &third).await);
    assert!(calendar::feed_of(&w.db, me).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn renewals_raced_leave_one_working_address() -> TestResult {
    use domain::calendar;
    let w = World::new().await?;
    let me = w.resident.user.id;
    let barrier = Arc::new(Barrier::new(12));
    let mut tasks = Vec::new();
    for _ in 0..12 {
        let (db, barrier) = (w.db.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            calendar::renew_feed(&db, me, "zh-CN", now()).await
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await??);
    }
    let mut working = 0;
    for token in &tokens {
        if calendar::feed_owner(&w.db, token).await.is_ok() {
            working += 1;
        }
    }
    assert_eq!(working, 1, "one address of twelve renewals works");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Per-mediator figures: the station's staff only

#[tokio::test]
async fn per_mediator_figures_are_for_staff_and_a_mediator_sees_their_own() -> TestResult {
    let w = World::new().await?;
    let (_, other_mediator) = add_room(&w.db, w.community, "第二调解室", "13900000002").await?;
    let reached = || OutcomeRecord {
        outcome: "reached".into(),
        agreement: "赔偿粉刷费".into(),
        amount_settled: Some(800),
        referred_to: String::new(),
        referral_note: String::new(),
    };
    // Two cases taken by the world's mediator: one reached and rated 5, one still open.
    for (i, slot) in [at(1, 9, 0), at(1, 10, 15)].into_iter().enumerate() {
        let resident = w.resident(&format!("1380000010{i}")).await?;
        let case = w.request(&resident).await?;
        w.book(&resident, &case.code, slot).await?;
        mediation::accept(&w.db, &w.mediator, &case.code, now()).await?;
        if i == 0 {
            let after = slot + Duration::minutes(90);
            mediation::record_outcome(&w.db, &w.mediator, &case.code, reached(), after).await?;
            mediation::follow_up(
                &w.db,
                &resident,
                &case.code,
                5,
                "",
                after + Duration::days(7),
            )
            .await?;
        }
    }
    let officer = w.officer().await?;

    let all = stats::per_mediator(&w.db, &officer).await?;
    assert_eq!(all.len(), 1, "only mediators who took a case: {all:?}");
    let (name, figures) = &all[0];
    assert_eq!(
        name, "139****0001",
        "a mediator without a name is shown masked"
    );
    assert_eq!(
        (figures.received, figures.concluded, figures.resolved),
        (2, 1, 1)
    );
    assert_eq!(figures.success_rate(), Some(100.0));
    assert_eq!(figures.satisfaction_rate(), Some(100.0));
    assert_eq!(figures.amount, 800);

    assert_eq!(
        stats::per_mediator(&w.db, &w.mediator).await?,
        all,
        "their own line"
    );
    assert!(
        stats::per_mediator(&w.db, &other_mediator)
            .await?
            .is_empty(),
        "not a colleague's"
    );
    assert!(stats::per_mediator(&w.db, &w.resident).await?.is_empty());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 转交: a referral names where it went and, later, what became of it

#[tokio::test]
async fn a_referral_names_its_target_and_later_its_result_and_the_figures_count_it() -> TestResult {
    use domain::mediation::{ReferralResult, ReferralTarget};
    let w = World::new().await?;
    let mut codes = Vec::new();
    for (i, slot) in [at(1, 9, 0), at(1, 10, 15)].into_iter().enumerate() {
        let resident = w.resident(&format!("1380000020{i}")).await?;
        let case = w.request(&resident).await?;
        w.book(&resident, &case.code, slot).await?;
        mediation::accept(&w.db, &w.mediator, &case.code, now()).await?;
        codes.push(case.code);
    }
    let after = at(1, 12, 0);
    let referred = |to: &str, note: &str| OutcomeRecord {
        outcome: "referred".into(),
        agreement: String::new(),
        amount_settled: None,
        referred_to: to.into(),
        referral_note: note.into(),
    };

    assert_invalid(
        mediation::record_outcome(&w.db, &w.mediator, &codes[0], referred("", ""), after).await,
        "mediation-referral-target-required",
    );
    assert_invalid(
        mediation::record_outcome(&w.db, &w.mediator, &codes[0], referred("mars", ""), after).await,
        "mediation-referral-target-required",
    );
    assert_invalid(
        mediation::record_outcome(
            &w.db,
            &w.mediator,
            &codes[0],
            referred("other", "  "),
            after,
        )
        .await,
        "mediation-referral-note-required",
    );
    assert_invalid(
        mediation::record_outcome(
            &w.db,
            &w.mediator,
            &codes[0],
            referred("court", &"长".repeat(101)),
            after,
        )
        .await,
        "mediation-text-long",
    );
    assert_eq!(
        w.status(&codes[0]).await?,
        Status::Accepted,
        "nothing written"
    );

    mediation::record_outcome(
        &w.db,
        &w.mediator,
        &codes[0],
        referred("court", "诉调对接中心"),
        after,
    )
    .await?;
    let case = w.case(&codes[0]).await?;
    assert_eq!(case.referred_to, Some(ReferralTarget::Court));
    assert_eq!(case.referral_note.as_deref(), Some("诉调对接中心"));
    assert_eq!(case.referral_result, None);

    // Another outcome drops a target its form still carried.
    mediation::record_outcome(
        &w.db,
        &w.mediator,
        &codes[1],
        OutcomeRecord {
            outcome: "not_reached".into(),
            ..referred("police", "x")
        },
        after,
    )
    .await?;
    let other = w.case(&codes[1]).await?;
    assert_eq!((other.referred_to, other.referral_note), (None, None));

    // What became of it: the room's mediator records it, on a referred case only.
    assert_invalid(
        mediation::record_referral_result(&w.db, &w.mediator, &codes[0], "won", after).await,
        "mediation-referral-result-invalid",
    );
    assert_invalid(
        mediation::record_referral_result(&w.db, &w.mediator, &codes[1], "settled", after).await,
        "mediation-not-referred",
    );
    assert_not_found(
        mediation::record_referral_result(&w.db, &w.resident, &codes[0], "settled", after).await,
    );
    mediation::record_referral_result(&w.db, &w.mediator, &codes[0], "settled", after).await?;
    assert_eq!(
        w.case(&codes[0]).await?.referral_result,
        Some(ReferralResult::Settled)
    );

    let figures = stats::stats(&w.db).await?;
    let court = figures
        .referrals
        .iter()
        .find(|r| r.target == ReferralTarget::Court)
        .ok_or("every target has a line")?;
    assert_eq!((court.referred, court.settled), (1, 1));
    assert_eq!(figures.referrals.len(), ReferralTarget::NAMES.len());
    assert_eq!(figures.referrals.iter().map(|r| r.referred).sum::<u64>(), 1);

    // The database itself keeps targets to referred cases and values to their lists.
    let id = other.id;
    for (column, value) in [("referred_to", "court"), ("referral_result", "settled")] {
        let sql = format!("UPDATE mediation_cases SET {column} = '{value}' WHERE id = {id}");
        assert!(
            sea_orm::ConnectionTrait::execute_unprepared(&w.db, &sql)
                .await
                .is_err(),
            "{sql} is refused"
        );
    }
    let sql = format!(
        "UPDATE mediation_cases SET referred_to = 'mars' WHERE id = {}",
        case.id
    );
    assert!(
        sea_orm::ConnectionTrait::execute_unprepared(&w.db, &sql)
            .await
            .is_err()
    );
    Ok(())
}
