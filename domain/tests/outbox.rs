//! 消息外发, on whichever engine TEST_DATABASE_URL names: what is queued for whom (urgent
//! notices, people's choices), quiet hours, workers of several processes claiming at once,
//! retries and their end, a lease that ran out, the SMS budget raced, reminders found
//! due once however many sweeps run, and the channels besides SMS: a WeChat linked (one
//! account per WeChat, raced) and an e-mail address proven by its code.
//!
//! "Now" is 08:00 on Tuesday 2026-12-01 in Ningbo unless a test says otherwise.

use std::collections::BTreeSet;
use std::error::Error as StdError;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{Account, Role};
use domain::entities::{booking, community, delivery, inbox_message, shift, shift_signup};
use domain::notices::{self, Draft};
use domain::outbox::{self, Answer, Channel, Kind, RetryPolicy, Status, reminders};
use domain::time::at_local;
use domain::{DatabaseConnection, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;

fn local(day: u32, hour: i32, minute: i32) -> DateTime<Utc> {
    let date = NaiveDate::from_ymd_opt(2026, 12, day).expect("a date");
    at_local(date, hour * 60 + minute).expect("a local time")
}

fn now() -> DateTime<Utc> {
    local(1, 8, 0)
}

struct World {
    db: DatabaseConnection,
    officer: Account,
    /// Residents of 甲社区.
    alice: Account,
    amy: Account,
    /// The resident of 乙社区.
    bob: Account,
    a: i32,
}

impl World {
    async fn new() -> Result<World, Box<dyn StdError>> {
        let db = testing::fresh_db().await?;
        let mut ids = Vec::new();
        for name in ["甲社区", "乙社区"] {
            let row = community::ActiveModel {
                name: Set(name.to_owned()),
                police_office_id: Set(None),
                is_demo: Set(false),
                ..Default::default()
            }
            .insert(&db)
            .await?;
            ids.push(row.id);
        }
        let person = |phone: &'static str, community: Option<i32>, role: Role| {
            let db = db.clone();
            async move { testing::person(&db, phone, &[role], community, None, now()).await }
        };
        let officer = person("13900000201", None, Role::Officer).await?;
        let alice = person("13800000001", Some(ids[0]), Role::Resident).await?;
        let amy = person("13800000002", Some(ids[0]), Role::Resident).await?;
        let bob = person("13800000003", Some(ids[1]), Role::Resident).await?;
        Ok(World {
            db,
            officer,
            alice,
            amy,
            bob,
            a: ids[0],
        })
    }

    /// An urgent notice for 甲社区, published at `at`.
    async fn urgent(&self, at: DateTime<Utc>) -> Result<i32, Box<dyn StdError>> {
        let draft = Draft {
            title: "冒充公检法诈骗预警".to_owned(),
            body: "公检法不会电话办案，不要转账到“安全账户”。".to_owned(),
            category: "fraud".to_owned(),
            severity: "urgent".to_owned(),
            communities: vec![self.a],
            starts_at: at - Duration::hours(1),
            expires_at: at + Duration::days(7),
            pinned: false,
        };
        let id = notices::create(&self.db, &self.officer, draft, at)
            .await?
            .id;
        notices::publish(&self.db, &self.officer, id, at).await?;
        Ok(id)
    }

    /// `n` case messages to Alice, queued at `at`.
    async fn queue(&self, n: usize, at: DateTime<Utc>) -> Result<(), Box<dyn StdError>> {
        for i in 0..n {
            let code = format!("MED-{i}");
            domain::inbox::send(
                &self.db,
                self.alice.user.id,
                "inbox-case-booked",
                &code,
                "/",
                at,
            )
            .await?;
        }
        Ok(())
    }

    async fn all(&self) -> Result<Vec<delivery::Model>, Box<dyn StdError>> {
        Ok(delivery::Entity::find().all(&self.db).await?)
    }

    /// Whom a notice's messages were queued for, by which channel, in order.
    async fn queued_for(&self, notice: i32) -> Result<Vec<(i32, Channel)>, Box<dyn StdError>> {
        let mut queued: Vec<(i32, Channel)> = self
            .all()
            .await?
            .into_iter()
            .filter(|d| d.notice_id == Some(notice))
            .filter_map(|d| Some((d.user_id?, d.channel)))
            .collect();
        queued.sort();
        Ok(queued)
    }
}

fn ok() -> Answer {
    Answer {
        via: "test".to_owned(),
        ok: true,
        text: "OK".to_owned(),
        reference: None,
    }
}

fn refused() -> Answer {
    Answer {
        via: "test".to_owned(),
        ok: false,
        text: "isv.BUSINESS_LIMIT_CONTROL".to_owned(),
        reference: None,
    }
}

const LEASE: Duration = Duration::minutes(5);

#[tokio::test]
async fn an_urgent_notice_is_queued_by_sms_for_its_residents_unless_they_said_no() -> TestResult {
    let w = World::new().await?;
    let mut no_sms = BTreeSet::new();
    no_sms.insert((Kind::Case, Channel::Sms));
    outbox::choose(&w.db, w.amy.user.id, &[Channel::Sms], &no_sms).await?;

    let id = w.urgent(now()).await?;
    let rows = w.all().await?;
    let to: Vec<Option<i32>> = rows.iter().map(|d| d.user_id).collect();
    assert_eq!(
        to,
        vec![Some(w.alice.user.id)],
        "甲's residents who want it; not 乙's Bob"
    );
    assert!(rows.iter().all(|d| d.urgent && d.notice_id == Some(id)));
    assert_eq!(rows[0].next_try_at, now());

    let reach = outbox::reach_of_notices(&w.db, &[id]).await?;
    assert_eq!(reach[&(id, Channel::Sms)].queued, 1);
    assert!(outbox::choices_of(&w.db, w.amy.user.id).await?.contains(&(
        Kind::Urgent,
        Channel::Sms,
        false
    )));
    assert!(
        outbox::choices_of(&w.db, w.bob.user.id).await?.contains(&(
            Kind::Urgent,
            Channel::Sms,
            true
        )),
        "urgent notices go by SMS until one says otherwise"
    );
    assert!(
        outbox::choices_of(&w.db, w.bob.user.id).await?.contains(&(
            Kind::Teahouse,
            Channel::Sms,
            false
        )),
        "tea-house replies do not, until one asks"
    );
    Ok(())
}

#[tokio::test]
async fn quiet_hours_hold_everything_but_urgent_notices_till_seven() -> TestResult {
    let w = World::new().await?;
    let late = local(1, 23, 0);
    w.queue(1, late).await?;
    w.urgent(late).await?;
    let rows = w.all().await?;
    let case = rows
        .iter()
        .find(|d| d.kind == Kind::Case)
        .ok_or("a case message")?;
    assert_eq!(case.next_try_at, local(2, 7, 0), "held till the morning");

    let claimed = outbox::claim(&w.db, "p1", local(1, 23, 5), local(1, 23, 5), LEASE, 10).await?;
    assert_eq!(claimed.len(), 2, "Alice's and Amy's");
    assert!(
        claimed.iter().all(|d| d.kind == Kind::Urgent),
        "only the urgent notice goes at night"
    );
    for message in &claimed {
        outbox::record(
            &w.db,
            message,
            "p1",
            &ok(),
            local(1, 23, 5),
            RetryPolicy::default(),
        )
        .await?;
    }
    assert!(
        outbox::claim(&w.db, "p1", local(2, 6, 59), local(2, 6, 59), LEASE, 10)
            .await?
            .is_empty()
    );
    assert_eq!(
        outbox::claim(&w.db, "p1", local(2, 7, 0), local(2, 7, 0), LEASE, 10)
            .await?
            .len(),
        1
    );

    assert_eq!(outbox::after_quiet(local(1, 21, 59)), local(1, 21, 59));
    assert_eq!(outbox::after_quiet(local(2, 3, 0)), local(2, 7, 0));
    Ok(())
}

/// Eight workers (as of eight processes) claim sixty messages at once: each is claimed
/// exactly once.
#[tokio::test]
async fn workers_claiming_at_once_never_share_a_message() -> TestResult {
    let w = World::new().await?;
    w.queue(60, now()).await?;
    let barrier = Arc::new(Barrier::new(8));
    let mut racers = Vec::new();
    for p in 0..8 {
        let db = w.db.clone();
        let barrier = barrier.clone();
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            let mut mine = Vec::new();
            loop {
                let batch = outbox::claim(&db, &format!("p{p}"), now(), now(), LEASE, 5).await?;
                if batch.is_empty() {
                    return Ok::<_, domain::Error>(mine);
                }
                mine.extend(batch.into_iter().map(|d| d.id));
            }
        }));
    }
    let mut claimed = Vec::new();
    for racer in racers {
        claimed.extend(racer.await??);
    }
    let unique: BTreeSet<i32> = claimed.iter().copied().collect();
    assert_eq!(
        claimed.len(),
        60,
        "every message claimed once on {}",
        testing::engine()
    );
    assert_eq!(unique.len(), 60);
    Ok(())
}

#[tokio::test]
async fn a_failing_provider_is_retried_with_growing_waits_then_the_message_fails() -> TestResult {
    let w = World::new().await?;
    w.queue(1, now()).await?;
    let policy = RetryPolicy {
        max_tries: 3,
        first_backoff: Duration::seconds(30),
    };
    let mut at = now();
    let mut waits = Vec::new();
    let mut status = Status::Queued;
    while status == Status::Queued {
        let claimed = outbox::claim(&w.db, "p1", at, at, LEASE, 10).await?;
        assert_eq!(claimed.len(), 1, "due again at {at}");
        assert!(
            outbox::claim(&w.db, "p2", at, at, LEASE, 10)
                .await?
                .is_empty(),
            "leased to p1"
        );
        status = outbox::record(&w.db, &claimed[0], "p1", &refused(), at, policy).await?;
        let row = delivery::Entity::find_by_id(claimed[0].id)
            .one(&w.db)
            .await?
            .ok_or("the message")?;
        waits.push(row.next_try_at - at);
        at = row.next_try_at;
        assert!(
            outbox::claim(
                &w.db,
                "p1",
                at - Duration::seconds(1),
                at - Duration::seconds(1),
                LEASE,
                10
            )
            .await?
            .is_empty(),
            "not before its back-off"
        );
    }
    assert_eq!(status, Status::Failed);
    assert_eq!(waits[..2], [Duration::seconds(30), Duration::seconds(60)]);
    let failed = outbox::recent(&w.db, &w.officer, true, 10).await?;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].to, "138****0001");
    assert_eq!(failed[0].delivery.tries, 3);
    assert_eq!(
        failed[0].delivery.answer.as_deref(),
        Some("isv.BUSINESS_LIMIT_CONTROL")
    );

    testing::assert_forbidden(outbox::retry(&w.db, &w.alice, failed[0].delivery.id, at).await);
    outbox::retry(&w.db, &w.officer, failed[0].delivery.id, at).await?;
    let again = outbox::claim(&w.db, "p1", at, at, LEASE, 10).await?;
    assert_eq!(again.len(), 1, "an officer's retry queues it at once");
    assert_eq!(
        outbox::record(&w.db, &again[0], "p1", &ok(), at, policy).await?,
        Status::Sent
    );
    testing::assert_refused(
        outbox::retry(&w.db, &w.officer, again[0].id, at).await,
        "outbox-not-failed",
        outbox::REFUSAL_CODES,
    );
    Ok(())
}

/// A worker that took longer than its lease: another took the message over, and the late
/// answer changes nothing the new holder records.
#[tokio::test]
async fn a_holder_whose_lease_ran_out_changes_nothing() -> TestResult {
    let w = World::new().await?;
    w.queue(1, now()).await?;
    let policy = RetryPolicy::default();
    let first = outbox::claim(&w.db, "slow", now(), now(), LEASE, 1).await?;
    let later = now() + LEASE + Duration::seconds(1);
    let second = outbox::claim(&w.db, "quick", later, later, LEASE, 1).await?;
    assert_eq!(second.len(), 1, "the lease ran out");
    assert_eq!(
        outbox::record(&w.db, &second[0], "quick", &ok(), later, policy).await?,
        Status::Sent
    );
    assert_eq!(
        outbox::record(&w.db, &first[0], "slow", &refused(), later, policy).await?,
        Status::Queued,
        "the late answer is kept as a try, not as the message's state"
    );
    let row = &w.all().await?[0];
    assert_eq!(row.status, Status::Sent);
    assert_eq!(row.tries, 1);
    Ok(())
}

/// `portal outbox --at` runs as of another time beside the servers: its lease is on the
/// real clock, so a server's worker does not take (and send again) what it holds.
#[tokio::test]
async fn a_run_as_of_another_time_holds_its_lease_by_the_real_clock() -> TestResult {
    let w = World::new().await?;
    w.queue(1, now()).await?;
    let real = now() + Duration::days(30);
    let held = outbox::claim(&w.db, "cli", now(), real, LEASE, 1).await?;
    assert_eq!(held.len(), 1);
    assert!(
        outbox::claim(
            &w.db,
            "server",
            real + Duration::minutes(1),
            real + Duration::minutes(1),
            LEASE,
            1
        )
        .await?
        .is_empty(),
        "leased till five minutes after the real time of the claim"
    );
    Ok(())
}

/// Thirty texts race for a budget of ten: ten go, and the officers hear of it once.
#[tokio::test]
async fn the_sms_budget_holds_when_raced_and_tells_the_officers_once() -> TestResult {
    let w = World::new().await?;
    let barrier = Arc::new(Barrier::new(30));
    let mut racers = Vec::new();
    for _ in 0..30 {
        let db = w.db.clone();
        let barrier = barrier.clone();
        racers.push(tokio::spawn(async move {
            barrier.wait().await;
            outbox::take_sms_budget(&db, false, 10, now()).await
        }));
    }
    let mut taken = 0;
    for racer in racers {
        if racer.await?? {
            taken += 1;
        }
    }
    assert_eq!(taken, 10, "on {}", testing::engine());
    assert!(
        outbox::take_sms_budget(&w.db, true, 10, now()).await?,
        "urgent notices go past the budget"
    );
    assert_eq!(outbox::sms_sent_today(&w.db, now()).await?, 11);
    assert!(
        outbox::take_sms_budget(&w.db, false, 10, now() + Duration::days(1)).await?,
        "a new day, a new budget"
    );
    let alerts = inbox_message::Entity::find()
        .filter(inbox_message::Column::Topic.eq("inbox-sms-budget"))
        .all(&w.db)
        .await?;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].user_id, w.officer.user.id);
    assert_eq!(outbox::next_budget_day(now()), local(2, 7, 0));
    Ok(())
}

#[test]
fn a_session_is_reminded_the_evening_before_and_two_hours_before() {
    let start = local(3, 9, 30);
    let due = |at| reminders::session_reminder_due(start, at);
    assert_eq!(due(local(2, 18, 59)), None);
    assert_eq!(due(local(2, 19, 0)), Some("outbox-session-evening"));
    assert_eq!(due(local(3, 7, 29)), Some("outbox-session-evening"));
    assert_eq!(due(local(3, 7, 30)), Some("outbox-session-soon"));
    assert_eq!(due(start), None);
    assert_eq!(
        outbox::backoff(Duration::seconds(30), 12),
        Duration::hours(1),
        "waits stop growing at an hour"
    );
}

/// The demo's bookings and shifts, swept by eight processes at once at the moments their
/// reminders come due: each reminder is queued once, to the right person.
#[tokio::test]
async fn reminders_are_queued_once_however_many_sweeps_find_them() -> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load(&db).await?;
    // The latest of each, whatever the hour the test runs at: the sweeps run as of moments
    // before them, never by the real clock.
    let session = booking::Entity::find()
        .filter(booking::Column::CancelledAt.is_null())
        .order_by_desc(booking::Column::StartsAt)
        .one(&db)
        .await?
        .ok_or("a demo session")?;
    let signup = shift_signup::Entity::find()
        .find_also_related(shift::Entity)
        .filter(shift_signup::Column::WithdrawnAt.is_null())
        .order_by_desc(shift::Column::StartsAt)
        .one(&db)
        .await?
        .ok_or("a demo shift")?;
    let shift = signup.1.ok_or("its shift")?;
    let moments = [
        session.starts_at - Duration::hours(2) + Duration::minutes(1),
        shift.starts_at - Duration::hours(24) + Duration::minutes(1),
    ];
    for at in moments {
        let barrier = Arc::new(Barrier::new(8));
        let mut sweeps = Vec::new();
        for _ in 0..8 {
            let db = db.clone();
            let barrier = barrier.clone();
            sweeps.push(tokio::spawn(async move {
                barrier.wait().await;
                reminders::sweep(&db, at).await
            }));
        }
        for sweep in sweeps {
            sweep.await??;
        }
        reminders::sweep(&db, at).await?;
    }
    let soon = delivery::Entity::find()
        .filter(delivery::Column::Topic.eq("outbox-session-soon"))
        .filter(delivery::Column::StartsAt.eq(session.starts_at))
        .filter(delivery::Column::Link.contains("/mediation/cases/"))
        .count(&db)
        .await?;
    assert!(soon >= 1, "the session's two-hour reminder");
    let names: Vec<String> = delivery::Entity::find()
        .filter(delivery::Column::Kind.eq(Kind::Reminder))
        .all(&db)
        .await?
        .into_iter()
        .filter_map(|d| d.dedupe)
        .collect();
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(names.len(), unique.len(), "no reminder twice");
    let shift_reminder = delivery::Entity::find()
        .filter(delivery::Column::Topic.eq("outbox-shift-soon"))
        .filter(delivery::Column::UserId.eq(signup.0.user_id))
        .filter(delivery::Column::Link.eq(format!("/volunteers/shifts/{}", shift.id)))
        .count(&db)
        .await?;
    assert_eq!(shift_reminder, 1, "the volunteer hears of the shift once");
    Ok(())
}

#[tokio::test]
async fn wechat_and_email_reach_only_those_with_the_address_and_as_they_chose() -> TestResult {
    use domain::outbox::addresses;
    let w = World::new().await?;
    addresses::link_wechat(&w.db, w.alice.user.id, "o-alice", now()).await?;
    // Amy asks for a code to an address but has not proven it yet.
    addresses::ask_email_code(&w.db, &w.amy, "amy@example.cn", "203.0.113.7", now()).await?;
    let code_mail = w.all().await?;
    assert_eq!(code_mail.len(), 1);
    assert_eq!(
        (
            code_mail[0].channel,
            code_mail[0].kind,
            code_mail[0].user_id
        ),
        (Channel::Email, Kind::Code, Some(w.amy.user.id))
    );

    let id = w.urgent(now()).await?;
    let queued = w.queued_for(id).await?;
    let mut expected = vec![
        (w.alice.user.id, Channel::Sms),
        (w.alice.user.id, Channel::Wechat),
        (w.amy.user.id, Channel::Sms),
    ];
    expected.sort();
    assert_eq!(
        queued, expected,
        "an unproven address gets nothing but its code"
    );

    // Five wrong tries use the code up; the right one is then refused too.
    let code = code_mail[0].subject.clone();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert!(
            addresses::verify_email(&w.db, &w.amy, wrong, now())
                .await
                .is_err()
        );
    }
    assert!(
        addresses::verify_email(&w.db, &w.amy, &code, now())
            .await
            .is_err()
    );
    addresses::ask_email_code(&w.db, &w.amy, "amy@example.cn", "203.0.113.7", now()).await?;
    let code = w
        .all()
        .await?
        .into_iter()
        .rfind(|d| d.kind == Kind::Code)
        .ok_or("a second code")?
        .subject;
    addresses::verify_email(&w.db, &w.amy, &code, now()).await?;
    assert!(
        addresses::verify_email(&w.db, &w.amy, &code, now())
            .await
            .is_err(),
        "a code proves once"
    );

    // Alice wants urgent notices by WeChat alone; her choice for mail (no address) stays
    // the default when she gets one.
    let mut wechat_only = BTreeSet::new();
    wechat_only.insert((Kind::Urgent, Channel::Wechat));
    outbox::choose(
        &w.db,
        w.alice.user.id,
        &[Channel::Sms, Channel::Wechat],
        &wechat_only,
    )
    .await?;
    let id = w.urgent(now()).await?;
    let queued = w.queued_for(id).await?;
    let mut expected = vec![
        (w.alice.user.id, Channel::Wechat),
        (w.amy.user.id, Channel::Sms),
        (w.amy.user.id, Channel::Email),
    ];
    expected.sort();
    assert_eq!(queued, expected);
    assert!(matches!(
        addresses::valid_email("no at sign"),
        Err(domain::Error::Invalid("email-invalid"))
    ));
    assert_eq!(
        addresses::valid_email(" A.b@Example.CN ")?,
        "A.b@example.cn"
    );
    Ok(())
}

#[tokio::test]
async fn one_wechat_reaches_one_account_however_many_link_it_at_once() -> TestResult {
    use domain::outbox::addresses;
    let w = World::new().await?;
    let people = [
        w.alice.user.id,
        w.amy.user.id,
        w.bob.user.id,
        w.officer.user.id,
    ];
    let barrier = Arc::new(Barrier::new(people.len() * 3));
    let mut racers = Vec::new();
    for round in 0..3 {
        for &id in &people {
            let (db, barrier) = (w.db.clone(), barrier.clone());
            racers.push(tokio::spawn(async move {
                barrier.wait().await;
                addresses::link_wechat(&db, id, "o-shared", now() + Duration::seconds(round)).await
            }));
        }
    }
    let mut linked = 0;
    for racer in racers {
        if racer.await?.is_ok() {
            linked += 1;
        }
    }
    assert!(linked >= 1);
    let holders = domain::entities::wechat_link::Entity::find()
        .filter(domain::entities::wechat_link::Column::Openid.eq("o-shared"))
        .count(&w.db)
        .await?;
    assert_eq!(holders, 1, "the database keeps one account per WeChat");
    Ok(())
}
