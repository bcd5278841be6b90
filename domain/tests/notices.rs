//! 安全提示, on whichever engine TEST_DATABASE_URL names: who a notice reaches and in what
//! order, when it is in force, the archive, the refusals, who may write, the versions the
//! CAP feed follows, urgent notices in the inbox (also for residents who register later,
//! and for more residents than a statement takes parameters), who has read what, and
//! officers racing to publish or change one notice.
//!
//! Every test builds its own minimal world: three communities (甲, 乙, 丙), an officer
//! without a community, two residents of 甲 and one of 乙. Nobody signs in here, so the
//! accounts are written straight into the tables. Times are fixed: "now" is 08:00 on
//! Tuesday 2026-12-01 in Ningbo (00:00 UTC).

use std::collections::BTreeSet;
use std::error::Error as StdError;
use std::fmt::Debug;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::accounts::{self, Account, Registration, Role};
use domain::entities::{
    community, inbox_message, notice, notice_community, notice_read, notice_version, user,
    user_role,
};
use domain::notices::{self, Category, Draft, Notice, Status};
use domain::testing::{assert_forbidden, assert_not_found};
use domain::time::at_local;
use domain::{DatabaseConnection, Error, testing};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, TransactionTrait,
};
use tokio::sync::Barrier;

type TestResult = Result<(), Box<dyn StdError>>;

const CONSENT: &str = "2026-11-29";
const URGENT_TOPIC: &str = "inbox-notice-urgent";

// ---------------------------------------------------------------------------------------
// Time

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("a date")
}

/// `hour:minute` local time on a local date.
fn local(day: NaiveDate, hour: i32, minute: i32) -> DateTime<Utc> {
    at_local(day, hour * 60 + minute).expect("a local time")
}

/// 08:00 local on Tuesday 2026-12-01.
fn now() -> DateTime<Utc> {
    local(date(2026, 12, 1), 8, 0)
}

// ---------------------------------------------------------------------------------------
// The world each test starts from

struct World {
    db: DatabaseConnection,
    /// 甲社区, 乙社区, 丙社区.
    a: i32,
    b: i32,
    c: i32,
    /// An officer with no community and no resident role.
    officer: Account,
    /// Residents of 甲.
    alice: Account,
    amy: Account,
    /// The resident of 乙.
    bob: Account,
}

impl World {
    async fn new() -> Result<World, Box<dyn StdError>> {
        let db = testing::fresh_db().await?;
        let mut ids = Vec::new();
        for name in ["甲社区", "乙社区", "丙社区"] {
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
        let (a, b, c) = (ids[0], ids[1], ids[2]);
        let officer = person(&db, "13900000201", None, &[Role::Officer]).await?;
        let alice = person(&db, "13800000001", Some(a), &[Role::Resident]).await?;
        let amy = person(&db, "13800000002", Some(a), &[Role::Resident]).await?;
        let bob = person(&db, "13800000003", Some(b), &[Role::Resident]).await?;
        Ok(World {
            db,
            a,
            b,
            c,
            officer,
            alice,
            amy,
            bob,
        })
    }

    /// A draft by the officer, saved at `now()`.
    async fn draft(&self, draft: Draft) -> Result<i32, Box<dyn StdError>> {
        Ok(notices::create(&self.db, &self.officer, draft, now())
            .await?
            .id)
    }

    /// A draft by the officer, published at `at`.
    async fn published(&self, draft: Draft, at: DateTime<Utc>) -> Result<i32, Box<dyn StdError>> {
        let id = self.draft(draft).await?;
        notices::publish(&self.db, &self.officer, id, at).await?;
        Ok(id)
    }

    async fn row(&self, id: i32) -> Result<notice::Model, Box<dyn StdError>> {
        Ok(notice::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or("the notice exists")?)
    }

    /// The (version, kind, at) of every published state, oldest first.
    async fn versions(
        &self,
        id: i32,
    ) -> Result<Vec<(i32, String, DateTime<Utc>)>, Box<dyn StdError>> {
        Ok(notices::versions(&self.db, id)
            .await?
            .into_iter()
            .map(|v| (v.version, v.kind.as_str().to_owned(), v.at))
            .collect())
    }

    /// The ids of the notices in force at `at` for `community`, in the order shown.
    async fn active(
        &self,
        community: Option<i32>,
        at: DateTime<Utc>,
    ) -> Result<Vec<i32>, Box<dyn StdError>> {
        Ok(ids(&notices::active(&self.db, community, at).await?))
    }

    /// The archive's ids, in the order shown.
    async fn archive(
        &self,
        category: Option<Category>,
        month: Option<NaiveDate>,
    ) -> Result<Vec<i32>, Box<dyn StdError>> {
        Ok(ids(&notices::archive(&self.db, category, month).await?))
    }

    /// How many notices in force for `who` they have not opened, at `now()`.
    async fn unread(&self, who: &Account) -> domain::Result<u64> {
        notices::unread(&self.db, who, now()).await
    }

    /// The (subject, link) of a person's inbox, oldest first. Every message must carry the
    /// one topic this feature sends.
    async fn inbox(&self, who: &Account) -> Result<Vec<(String, String)>, Box<dyn StdError>> {
        let messages = inbox_message::Entity::find()
            .filter(inbox_message::Column::UserId.eq(who.user.id))
            .order_by_asc(inbox_message::Column::Id)
            .all(&self.db)
            .await?;
        for m in &messages {
            assert!(
                notices::INBOX_TOPICS.contains(&m.topic.as_str()),
                "{} is a listed inbox topic",
                m.topic
            );
            assert_eq!(m.topic, URGENT_TOPIC);
        }
        Ok(messages.into_iter().map(|m| (m.subject, m.link)).collect())
    }

    /// How many rows each notice table holds: notices, targets, versions, reads, and the
    /// inbox.
    async fn counts(&self) -> Result<[u64; 5], Box<dyn StdError>> {
        Ok([
            notice::Entity::find().count(&self.db).await?,
            notice_community::Entity::find().count(&self.db).await?,
            notice_version::Entity::find().count(&self.db).await?,
            notice_read::Entity::find().count(&self.db).await?,
            inbox_message::Entity::find().count(&self.db).await?,
        ])
    }
}

/// A person written straight into the tables: argon2 would only slow the suite down, and
/// nobody signs in here.
async fn person(
    db: &DatabaseConnection,
    phone: &str,
    community: Option<i32>,
    roles: &[Role],
) -> Result<Account, Box<dyn StdError>> {
    Ok(testing::person(db, phone, roles, community, None, now()).await?)
}

/// A notice every rule accepts: fraud, info, for `communities` (empty: all), in force from
/// an hour ago for a week.
fn draft(title: &str, communities: &[i32]) -> Draft {
    Draft {
        title: title.to_owned(),
        body: "近期有人冒充“公检法”来电，称您涉嫌洗钱。\n\n- **公检法不会电话办案**\n- 不要转账到“安全账户”".to_owned(),
        category: "fraud".to_owned(),
        severity: "info".to_owned(),
        communities: communities.to_vec(),
        starts_at: now() - Duration::hours(1),
        expires_at: now() + Duration::days(7),
        pinned: false,
    }
}

fn with_severity(mut d: Draft, severity: &str) -> Draft {
    d.severity = severity.to_owned();
    d
}

fn ids(list: &[Notice]) -> Vec<i32> {
    list.iter().map(|n| n.notice.id).collect()
}

fn link(id: i32) -> String {
    format!("/notices/{id}")
}

/// Asserts the refusal `code`, which must also be one the module lists (a translation key).
#[track_caller]
fn assert_invalid<T: Debug>(result: domain::Result<T>, code: &str) {
    testing::assert_refused(result, code, notices::REFUSAL_CODES);
}

// ---------------------------------------------------------------------------------------
// 1. Who sees what, in which order, when

#[tokio::test]
async fn a_notice_reaches_the_communities_it_is_for() -> TestResult {
    let w = World::new().await?;
    let for_a = w.published(draft("甲社区反诈提醒", &[w.a]), now()).await?;
    let for_all = w.published(draft("全体居民反诈提醒", &[]), now()).await?;
    let for_b_and_c = w
        .published(draft("乙丙社区反诈提醒", &[w.c, w.b, w.c]), now())
        .await?;

    let sorted = |mut v: Vec<i32>| {
        v.sort();
        v
    };
    assert_eq!(sorted(w.active(Some(w.a), now()).await?), [for_a, for_all]);
    assert_eq!(
        sorted(w.active(Some(w.b), now()).await?),
        [for_all, for_b_and_c]
    );
    assert_eq!(
        sorted(w.active(Some(w.c), now()).await?),
        [for_all, for_b_and_c]
    );
    // A visitor, or anyone without a community, sees every notice in force.
    assert_eq!(
        sorted(w.active(None, now()).await?),
        [for_a, for_all, for_b_and_c]
    );

    // The audience as pages show it: names of the targets, none for "all".
    let shown = notices::active(&w.db, None, now()).await?;
    let targets = |id: i32| {
        shown
            .iter()
            .find(|n| n.notice.id == id)
            .map(|n| {
                let mut c: Vec<i32> = n.communities.iter().map(|(id, _)| *id).collect();
                c.sort();
                (n.notice.all_communities, c)
            })
            .ok_or("shown")
    };
    assert_eq!(targets(for_a)?, (false, vec![w.a]));
    assert_eq!(targets(for_all)?, (true, vec![]));
    let mut b_and_c = vec![w.b, w.c];
    b_and_c.sort();
    assert_eq!(
        targets(for_b_and_c)?,
        (false, b_and_c),
        "duplicates collapse"
    );
    let a_notice = shown.iter().find(|n| n.notice.id == for_a).ok_or("shown")?;
    assert_eq!(a_notice.communities, [(w.a, "甲社区".to_owned())]);
    Ok(())
}

#[tokio::test]
async fn urgent_comes_first_then_pinned_then_newest() -> TestResult {
    let w = World::new().await?;
    let published = |title: &'static str, severity: &'static str, pinned: bool| {
        let mut d = with_severity(draft(title, &[]), severity);
        d.starts_at = now() - Duration::days(1);
        d.pinned = pinned;
        d
    };
    let newest_info = w
        .published(
            published("最新的提示", "info", false),
            now() - Duration::hours(1),
        )
        .await?;
    let older_info = w
        .published(
            published("较早的提示", "info", false),
            now() - Duration::hours(3),
        )
        .await?;
    let pinned_warning = w
        .published(
            published("置顶的警告", "warning", true),
            now() - Duration::hours(5),
        )
        .await?;
    let urgent = w
        .published(
            published("紧急提醒", "urgent", false),
            now() - Duration::hours(2),
        )
        .await?;
    let pinned_urgent = w
        .published(
            published("置顶的紧急提醒", "urgent", true),
            now() - Duration::hours(6),
        )
        .await?;
    let pinned_info = w
        .published(
            published("置顶的提示", "info", true),
            now() - Duration::hours(4),
        )
        .await?;
    let expected = [
        pinned_urgent,
        urgent,
        // Among the rest only pinning counts, not severity: a pinned info notice that is
        // newer comes before an older pinned warning.
        pinned_info,
        pinned_warning,
        newest_info,
        older_info,
    ];
    assert_eq!(w.active(None, now()).await?, expected);
    assert_eq!(w.active(Some(w.a), now()).await?, expected);
    Ok(())
}

#[tokio::test]
async fn a_notice_is_in_force_from_its_start_until_it_expires() -> TestResult {
    let w = World::new().await?;
    let starts = now() + Duration::hours(1);
    let expires = now() + Duration::hours(3);
    let mut later = draft("明日停水通知", &[w.a]);
    later.starts_at = starts;
    later.expires_at = expires;
    let id = w.published(later, now()).await?;
    let one_second = Duration::seconds(1);
    for (at, in_force) in [
        (now(), false),
        (starts - one_second, false),
        (starts, true),
        (expires - one_second, true),
        (expires, false),
        (expires + Duration::days(1), false),
    ] {
        for community in [None, Some(w.a)] {
            assert_eq!(
                w.active(community, at).await?.contains(&id),
                in_force,
                "at {at} for {community:?} on {}",
                testing::engine()
            );
        }
        assert_eq!(
            notices::get(&w.db, id, None).await?.is_active(at),
            in_force,
            "is_active agrees at {at}"
        );
    }

    // A draft is never in force, whatever its dates.
    let draft_id = w.draft(draft("草稿", &[])).await?;
    for at in [now(), now() + Duration::days(1), now() + Duration::days(6)] {
        assert!(!w.active(None, at).await?.contains(&draft_id));
        assert!(!w.active(Some(w.a), at).await?.contains(&draft_id));
    }
    Ok(())
}

#[tokio::test]
async fn the_archive_keeps_expired_and_cancelled_notices_by_category_and_local_month() -> TestResult
{
    let w = World::new().await?;
    let at = |title: &str, category: &str, published: DateTime<Utc>| {
        let mut d = draft(title, &[]);
        d.category = category.to_owned();
        d.starts_at = published;
        d.expires_at = published + Duration::days(2);
        (d, published)
    };
    // 23:30 on 30 November in Ningbo: November.
    let (d, t) = at(
        "十一月末的反诈提醒",
        "fraud",
        local(date(2026, 11, 30), 23, 30),
    );
    let late_november = w.published(d, t).await?;
    // Midnight and half past, 1 December in Ningbo, though still 30 November in UTC:
    // December.
    let (d, t) = at(
        "十二月零点的防溺水提醒",
        "drowning",
        local(date(2026, 12, 1), 0, 0),
    );
    let midnight = w.published(d, t).await?;
    let (d, t) = at(
        "十二月初的防溺水提醒",
        "drowning",
        local(date(2026, 12, 1), 0, 30),
    );
    let early_december = w.published(d, t).await?;
    assert_eq!(
        t.format("%Y-%m").to_string(),
        "2026-11",
        "UTC says November"
    );
    // Long expired.
    let (d, t) = at("台风预警", "weather", local(date(2026, 11, 10), 10, 0));
    let expired = w.published(d, t).await?;
    // Cancelled the day after.
    let (d, t) = at("寻人启事", "missing", local(date(2026, 11, 20), 18, 0));
    let cancelled = w.published(d, t).await?;
    notices::cancel(&w.db, &w.officer, cancelled, t + Duration::hours(14)).await?;
    // Never published.
    let (d, _) = at("未发布的反诈提醒", "fraud", local(date(2026, 11, 25), 9, 0));
    let draft_id = w.draft(d).await?;

    let everything = [early_december, midnight, late_november, cancelled, expired];
    assert_eq!(w.archive(None, None).await?, everything, "newest first");
    assert!(!w.archive(None, None).await?.contains(&draft_id));
    let archive = notices::archive(&w.db, None, None).await?;
    let status = |id: i32| {
        archive
            .iter()
            .find(|n| n.notice.id == id)
            .map(|n| (n.notice.status, n.is_active(now())))
    };
    assert_eq!(status(cancelled), Some((Status::Cancelled, false)));
    assert_eq!(status(expired), Some((Status::Published, false)));

    assert_eq!(
        w.archive(Some(Category::Fraud), None).await?,
        [late_november]
    );
    assert_eq!(
        w.archive(Some(Category::Drowning), None).await?,
        [early_december, midnight]
    );
    assert_eq!(w.archive(Some(Category::Missing), None).await?, [cancelled]);
    assert!(w.archive(Some(Category::Fire), None).await?.is_empty());

    let november = [late_november, cancelled, expired];
    assert_eq!(
        w.archive(None, Some(date(2026, 11, 1))).await?,
        november,
        "on {}",
        testing::engine()
    );
    // Any day names its month.
    assert_eq!(w.archive(None, Some(date(2026, 11, 17))).await?, november);
    assert_eq!(
        w.archive(None, Some(date(2026, 12, 1))).await?,
        [early_december, midnight]
    );
    assert!(w.archive(None, Some(date(2026, 10, 1))).await?.is_empty());
    assert!(
        w.archive(Some(Category::Fraud), Some(date(2026, 12, 1)))
            .await?
            .is_empty()
    );
    assert_eq!(
        w.archive(Some(Category::Drowning), Some(date(2026, 12, 31)))
            .await?,
        [early_december, midnight]
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 2. Refusals and roles

#[tokio::test]
async fn a_draft_with_a_bad_field_is_refused_and_nothing_is_written() -> TestResult {
    let w = World::new().await?;
    let good = draft("反诈提醒", &[w.a, w.b]);
    let cases = [
        (
            Draft {
                title: "骗".into(),
                ..good.clone()
            },
            "notice-title-length",
        ),
        (
            // Two characters once the blanks are gone are still one.
            Draft {
                title: "  骗 \t".into(),
                ..good.clone()
            },
            "notice-title-length",
        ),
        (
            Draft {
                title: "长".repeat(101),
                ..good.clone()
            },
            "notice-title-length",
        ),
        (
            Draft {
                body: String::new(),
                ..good.clone()
            },
            "notice-body-length",
        ),
        (
            Draft {
                body: " \r\n\r\n \t ".into(),
                ..good.clone()
            },
            "notice-body-length",
        ),
        (
            Draft {
                body: "长".repeat(5001),
                ..good.clone()
            },
            "notice-body-length",
        ),
        (
            Draft {
                category: "scam".into(),
                ..good.clone()
            },
            "notice-category-invalid",
        ),
        (
            Draft {
                category: String::new(),
                ..good.clone()
            },
            "notice-category-invalid",
        ),
        (
            Draft {
                severity: "critical".into(),
                ..good.clone()
            },
            "notice-severity-invalid",
        ),
        (
            Draft {
                expires_at: good.starts_at - Duration::hours(1),
                ..good.clone()
            },
            "notice-times-invalid",
        ),
        (
            Draft {
                expires_at: good.starts_at,
                ..good.clone()
            },
            "notice-times-invalid",
        ),
        (
            Draft {
                communities: vec![w.a, w.c + 1000],
                ..good.clone()
            },
            "notice-communities-invalid",
        ),
        (
            Draft {
                communities: vec![w.c + 1000],
                ..good.clone()
            },
            "notice-communities-invalid",
        ),
    ];
    for (bad, code) in &cases {
        assert_invalid(
            notices::create(&w.db, &w.officer, bad.clone(), now()).await,
            code,
        );
    }
    assert_eq!(w.counts().await?, [0; 5], "nothing was written");

    // The edges of the ranges are accepted.
    for (title, body) in [
        ("骗局".to_owned(), "长".repeat(5000)),
        ("长".repeat(100), "短".to_owned()),
    ] {
        notices::create(
            &w.db,
            &w.officer,
            Draft {
                title,
                body,
                ..good.clone()
            },
            now(),
        )
        .await?;
    }
    assert_eq!(notice::Entity::find().count(&w.db).await?, 2);

    // Editing with a bad field is refused the same way and changes nothing, whether the
    // notice is a draft or published.
    let id = w.draft(good.clone()).await?;
    let published = w.published(good.clone(), now()).await?;
    for target in [id, published] {
        let before = w.row(target).await?;
        let targets_before = notice_community::Entity::find()
            .filter(notice_community::Column::NoticeId.eq(target))
            .count(&w.db)
            .await?;
        for (bad, code) in &cases {
            assert_invalid(
                notices::edit(
                    &w.db,
                    &w.officer,
                    target,
                    bad.clone(),
                    now() + Duration::hours(1),
                )
                .await,
                code,
            );
        }
        assert_eq!(w.row(target).await?, before);
        assert_eq!(
            notice_community::Entity::find()
                .filter(notice_community::Column::NoticeId.eq(target))
                .count(&w.db)
                .await?,
            targets_before
        );
    }
    assert_eq!(w.versions(published).await?.len(), 1);
    Ok(())
}

#[tokio::test]
async fn only_officers_write_and_only_officers_see_drafts() -> TestResult {
    let w = World::new().await?;
    let mediator = person(&w.db, "13900000101", Some(w.a), &[Role::Mediator]).await?;
    for outsider in [&w.alice, &mediator] {
        assert_forbidden(notices::create(&w.db, outsider, draft("居民发的提醒", &[]), now()).await);
    }
    assert_eq!(w.counts().await?, [0; 5], "nothing was written");

    let id = w.draft(draft("反诈提醒", &[w.a])).await?;
    assert_forbidden(notices::edit(&w.db, &w.alice, id, draft("改过的标题", &[]), now()).await);
    assert_forbidden(notices::publish(&w.db, &w.alice, id, now()).await);
    assert_forbidden(notices::cancel(&w.db, &w.alice, id, now()).await);
    assert_forbidden(notices::desk(&w.db, &w.alice).await);

    // A draft does not exist for residents and visitors; officers see it.
    assert_not_found(notices::get(&w.db, id, Some(&w.alice)).await);
    assert_not_found(notices::get(&w.db, id, Some(&mediator)).await);
    assert_not_found(notices::get(&w.db, id, None).await);
    assert_eq!(
        notices::get(&w.db, id, Some(&w.officer))
            .await?
            .notice
            .title,
        "反诈提醒"
    );
    assert_not_found(notices::get(&w.db, id + 1000, Some(&w.officer)).await);
    let row = w.row(id).await?;
    assert_eq!((row.status.as_str(), row.version), ("draft", 0));
    assert_eq!(row.author_id, Some(w.officer.user.id));
    assert!(!row.is_demo);

    notices::publish(&w.db, &w.officer, id, now()).await?;
    assert_forbidden(notices::cancel(&w.db, &w.alice, id, now()).await);
    assert_forbidden(notices::edit(&w.db, &w.alice, id, draft("改过的标题", &[]), now()).await);
    let row = w.row(id).await?;
    assert_eq!((row.status.as_str(), row.version), ("published", 1));
    assert_eq!(row.title, "反诈提醒");
    // Once published, anyone may read it, whichever community it is for.
    for reader in [None, Some(&w.alice), Some(&w.bob)] {
        assert_eq!(notices::get(&w.db, id, reader).await?.notice.id, id);
    }

    // Admins hold every power.
    let admin = person(&w.db, "13900000301", None, &[Role::Admin]).await?;
    notices::cancel(&w.db, &admin, id, now()).await?;
    assert_eq!(w.row(id).await?.status.as_str(), "cancelled");
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 3. Versions

#[tokio::test]
async fn every_published_state_is_a_version() -> TestResult {
    let w = World::new().await?;
    let t0 = now();
    let id = w.draft(draft("反诈提醒", &[w.a])).await?;
    // Changing a draft is not a version: nothing was published yet.
    notices::edit(
        &w.db,
        &w.officer,
        id,
        draft("反诈提醒（草稿二）", &[w.a]),
        t0,
    )
    .await?;
    assert_eq!(w.row(id).await?.version, 0);
    assert!(w.versions(id).await?.is_empty());

    let t1 = t0 + Duration::minutes(10);
    notices::publish(&w.db, &w.officer, id, t1).await?;
    let row = w.row(id).await?;
    assert_eq!((row.status.as_str(), row.version), ("published", 1));
    assert_eq!((row.published_at, row.updated_at), (Some(t1), t1));
    assert_eq!(w.versions(id).await?, [(1, "published".to_owned(), t1)]);
    assert!(!notices::get(&w.db, id, None).await?.was_updated());
    // Publishing again is refused: it is no longer a draft.
    assert_invalid(
        notices::publish(&w.db, &w.officer, id, t1 + Duration::minutes(1)).await,
        "notice-changed",
    );
    assert_eq!(w.versions(id).await?.len(), 1);

    let t2 = t1 + Duration::hours(2);
    notices::edit(
        &w.db,
        &w.officer,
        id,
        draft("反诈提醒（已更新）", &[w.a, w.b]),
        t2,
    )
    .await?;
    let updated = notices::get(&w.db, id, None).await?;
    assert!(updated.was_updated());
    assert_eq!(updated.notice.title, "反诈提醒（已更新）");
    assert_eq!(updated.notice.version, 2);
    assert_eq!(
        (updated.notice.published_at, updated.notice.updated_at),
        (Some(t1), t2),
        "first published then, changed now"
    );
    assert_eq!(updated.communities.len(), 2);
    assert!(w.active(Some(w.b), t2).await?.contains(&id), "乙 now too");
    assert_eq!(
        w.versions(id).await?,
        [
            (1, "published".to_owned(), t1),
            (2, "updated".to_owned(), t2)
        ]
    );

    let t3 = t2 + Duration::hours(3);
    notices::cancel(&w.db, &w.officer, id, t3).await?;
    let cancelled = notices::get(&w.db, id, None).await?;
    assert_eq!(cancelled.notice.status.as_str(), "cancelled");
    assert_eq!(cancelled.notice.version, 3);
    assert_eq!(cancelled.notice.cancelled_at, Some(t3));
    assert!(!cancelled.was_updated());
    assert!(!cancelled.is_active(t3));
    assert_eq!(
        w.versions(id).await?,
        [
            (1, "published".to_owned(), t1),
            (2, "updated".to_owned(), t2),
            (3, "cancelled".to_owned(), t3)
        ]
    );
    for community in [None, Some(w.a), Some(w.b)] {
        assert!(!w.active(community, t3).await?.contains(&id));
    }
    let archive = notices::archive(&w.db, None, None).await?;
    assert_eq!(ids(&archive), [id]);
    assert_eq!(archive[0].notice.status.as_str(), "cancelled");

    // A cancelled notice stays as it was.
    let t4 = t3 + Duration::hours(1);
    assert_invalid(
        notices::edit(&w.db, &w.officer, id, draft("复活的提醒", &[]), t4).await,
        "notice-changed",
    );
    assert_invalid(
        notices::cancel(&w.db, &w.officer, id, t4).await,
        "notice-changed",
    );
    assert_invalid(
        notices::publish(&w.db, &w.officer, id, t4).await,
        "notice-changed",
    );
    let row = w.row(id).await?;
    assert_eq!(
        (row.title.as_str(), row.version, row.updated_at),
        ("反诈提醒（已更新）", 3, t3)
    );
    assert_eq!(w.versions(id).await?.len(), 3);

    // A draft cannot be cancelled: there is nothing to withdraw.
    let other = w.draft(draft("另一份草稿", &[])).await?;
    assert_invalid(
        notices::cancel(&w.db, &w.officer, other, t4).await,
        "notice-changed",
    );
    assert_eq!(w.row(other).await?.status.as_str(), "draft");
    assert!(w.versions(other).await?.is_empty());
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 4. The inbox and who has read what

#[tokio::test]
async fn an_urgent_notice_reaches_the_inbox_of_its_residents_only() -> TestResult {
    let w = World::new().await?;
    // An officer who lives in 甲 but is not a resident there.
    let local_officer = person(&w.db, "13900000202", Some(w.a), &[Role::Officer]).await?;
    // A resident who is also an officer is a resident.
    let officer_resident = person(
        &w.db,
        "13900000203",
        Some(w.a),
        &[Role::Officer, Role::Resident],
    )
    .await?;

    let urgent_a = w
        .published(
            with_severity(draft("紧急：冒充公检法诈骗", &[w.a]), "urgent"),
            now(),
        )
        .await?;
    let told = vec![("紧急：冒充公检法诈骗".to_owned(), link(urgent_a))];
    assert_eq!(w.inbox(&w.alice).await?, told);
    assert_eq!(w.inbox(&w.amy).await?, told);
    assert_eq!(w.inbox(&officer_resident).await?, told);
    assert!(w.inbox(&w.bob).await?.is_empty(), "乙 is not told");
    assert!(w.inbox(&w.officer).await?.is_empty());
    assert!(w.inbox(&local_officer).await?.is_empty());
    assert_eq!(inbox_message::Entity::find().count(&w.db).await?, 3);

    // Below urgent, nobody's inbox fills up.
    for severity in ["info", "caution", "warning"] {
        w.published(with_severity(draft("一般提醒", &[]), severity), now())
            .await?;
    }
    assert_eq!(inbox_message::Entity::find().count(&w.db).await?, 3);
    // A draft, even urgent, tells nobody.
    w.draft(with_severity(draft("紧急草稿", &[]), "urgent"))
        .await?;
    assert_eq!(inbox_message::Entity::find().count(&w.db).await?, 3);

    // Urgent for everyone: every resident, wherever they live.
    let urgent_all = w
        .published(
            with_severity(draft("紧急：刷单返利诈骗", &[]), "urgent"),
            now(),
        )
        .await?;
    let second = ("紧急：刷单返利诈骗".to_owned(), link(urgent_all));
    assert_eq!(w.inbox(&w.bob).await?, std::slice::from_ref(&second));
    assert_eq!(w.inbox(&w.alice).await?, [told[0].clone(), second]);
    assert!(w.inbox(&w.officer).await?.is_empty());
    assert!(w.inbox(&local_officer).await?.is_empty());
    assert_eq!(inbox_message::Entity::find().count(&w.db).await?, 7);
    Ok(())
}

#[tokio::test]
async fn a_resident_who_registers_later_finds_the_urgent_notices_in_force() -> TestResult {
    let w = World::new().await?;
    let urgent =
        |title: &str, communities: &[i32]| with_severity(draft(title, communities), "urgent");
    let for_a = w.published(urgent("紧急：甲社区", &[w.a]), now()).await?;
    let for_all = w.published(urgent("紧急：全体", &[]), now()).await?;
    w.published(urgent("紧急：乙社区", &[w.b]), now()).await?;
    let mut old = urgent("紧急：已过期", &[]);
    old.starts_at = now() - Duration::days(3);
    old.expires_at = now() - Duration::days(1);
    w.published(old, now() - Duration::days(3)).await?;
    let withdrawn = w.published(urgent("紧急：已撤销", &[w.a]), now()).await?;
    notices::cancel(&w.db, &w.officer, withdrawn, now()).await?;
    w.published(with_severity(draft("警告：全体", &[]), "warning"), now())
        .await?;
    w.draft(urgent("紧急：草稿", &[w.a])).await?;

    let newcomer = accounts::register(
        &w.db,
        Registration {
            phone: "13800000009".to_owned(),
            password: "correct horse battery".to_owned(),
            community_id: Some(w.a),
            compound_id: None,
            consent: true,
            notice_version: CONSENT.to_owned(),
            code: None,
        },
        now() + Duration::hours(1),
    )
    .await?;
    let mut told = w.inbox(&newcomer).await?;
    told.sort();
    let mut expected = vec![
        ("紧急：甲社区".to_owned(), link(for_a)),
        ("紧急：全体".to_owned(), link(for_all)),
    ];
    expected.sort();
    assert_eq!(
        told, expected,
        "the urgent notices in force for 甲, nothing else"
    );
    Ok(())
}

#[tokio::test]
async fn reads_count_once_and_only_for_the_audience() -> TestResult {
    let w = World::new().await?;
    let for_a = w.published(draft("甲社区提醒", &[w.a]), now()).await?;
    let for_all = w.published(draft("全体提醒", &[]), now()).await?;
    let for_b = w.published(draft("乙社区提醒", &[w.b]), now()).await?;
    let draft_a = w.draft(draft("甲社区草稿", &[w.a])).await?;
    let mut old = draft("甲社区过期提醒", &[w.a]);
    old.starts_at = now() - Duration::days(3);
    old.expires_at = now() - Duration::days(1);
    let expired_a = w.published(old, now() - Duration::days(3)).await?;

    // Only notices in force for the reader's own community count.
    assert_eq!(w.unread(&w.alice).await?, 2);
    assert_eq!(w.unread(&w.bob).await?, 2);
    // Without a community, every notice in force is theirs.
    assert_eq!(w.unread(&w.officer).await?, 3);

    let first = now() + Duration::minutes(5);
    notices::mark_read(&w.db, w.alice.user.id, for_a, first).await?;
    notices::mark_read(&w.db, w.alice.user.id, for_a, first + Duration::hours(1)).await?;
    let reads = notice_read::Entity::find()
        .filter(notice_read::Column::UserId.eq(w.alice.user.id))
        .all(&w.db)
        .await?;
    assert_eq!(reads.len(), 1, "twice is once");
    assert_eq!(reads[0].read_at, first, "the first time counts");
    assert_eq!(w.unread(&w.alice).await?, 1);
    notices::mark_read(&w.db, w.alice.user.id, for_all, first).await?;
    // An expired notice she opens from the archive does not change the count.
    notices::mark_read(&w.db, w.alice.user.id, expired_a, first).await?;
    assert_eq!(w.unread(&w.alice).await?, 0);
    assert_eq!(w.unread(&w.amy).await?, 2);
    assert_eq!(
        notices::read_by(&w.db, w.alice.user.id, &[for_a, for_all, for_b, expired_a]).await?,
        BTreeSet::from([for_a, for_all, expired_a])
    );

    // Bob opens 甲's notice from a link: it is not his, so neither his count nor its reach
    // changes. The officer reads everything: officers are not the audience.
    notices::mark_read(&w.db, w.bob.user.id, for_a, first).await?;
    assert_eq!(w.unread(&w.bob).await?, 2);
    for id in [for_a, for_all, for_b] {
        notices::mark_read(&w.db, w.officer.user.id, id, first).await?;
    }
    assert_eq!(w.unread(&w.officer).await?, 0);
    notices::mark_read(&w.db, w.bob.user.id, for_b, first).await?;

    let desk = notices::desk(&w.db, &w.officer).await?;
    let reach = |id: i32| {
        desk.iter()
            .find(|r| r.notice.notice.id == id)
            .map(|r| (r.read, r.audience))
            .ok_or("on the desk")
    };
    assert_eq!(
        reach(for_a)?,
        (1, 2),
        "alice of 甲's two; not bob, not the officer"
    );
    assert_eq!(reach(for_all)?, (1, 3), "alice of all three residents");
    assert_eq!(reach(for_b)?, (1, 1));
    assert_eq!(reach(draft_a)?, (0, 2), "drafts are on the desk too");
    assert_eq!(reach(expired_a)?, (1, 2));
    assert_eq!(desk.len(), 5);
    Ok(())
}

/// More residents than either engine takes parameters in one statement (SQLite 32 766,
/// PostgreSQL 65 535): a district grows past that, and an urgent notice must still reach
/// every one of them, and the desk still count them.
#[tokio::test]
async fn an_urgent_notice_reaches_more_residents_than_a_statement_takes_parameters() -> TestResult {
    let many: usize = if testing::engine() == "postgres" {
        65_600
    } else {
        32_800
    };
    let w = World::new().await?;
    // Written in batches, straight into the tables: 7 columns × 1000 rows stays well
    // under both limits.
    let mut ids = Vec::with_capacity(many);
    for start in (0..many).step_by(1000) {
        let batch: Vec<user::ActiveModel> = (start..(start + 1000).min(many))
            .map(|k| user::ActiveModel {
                phone: Set(format!("15{k:09}")),
                password_hash: Set("not-a-hash".to_owned()),
                community_id: Set(Some(w.c)),
                compound_id: Set(None),
                consent_version: Set(CONSENT.to_owned()),
                consent_at: Set(now()),
                created_at: Set(now()),
                ..Default::default()
            })
            .collect();
        ids.extend(
            user::Entity::insert_many(batch)
                .exec_with_returning_keys(&w.db)
                .await?,
        );
    }
    for chunk in ids.chunks(1000) {
        user_role::Entity::insert_many(chunk.iter().map(|id| user_role::ActiveModel {
            user_id: Set(*id),
            role: Set(Role::Resident.as_str().to_owned()),
        }))
        .exec(&w.db)
        .await?;
    }
    let everyone = many as u64 + 3;
    let id = w
        .draft(with_severity(draft("紧急：冒充公检法诈骗", &[]), "urgent"))
        .await?;
    let desk = notices::desk(&w.db, &w.officer).await;
    assert!(
        matches!(&desk, Ok(desk) if desk[0].audience == everyone),
        "the desk counts {everyone} residents: {:?} on {}",
        desk.map(|d| d[0].audience),
        testing::engine()
    );
    let published = notices::publish(&w.db, &w.officer, id, now()).await;
    assert!(published.is_ok(), "{published:?} on {}", testing::engine());
    assert_eq!(inbox_message::Entity::find().count(&w.db).await?, everyone);
    Ok(())
}

// ---------------------------------------------------------------------------------------
// 5. Races

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_publishes_of_one_draft_at_once_publish_it_once() -> TestResult {
    const CALLS: usize = 20;
    let w = World::new().await?;
    let mut residents_a = vec![w.alice.clone(), w.amy.clone()];
    for i in 0..3 {
        residents_a.push(
            person(
                &w.db,
                &format!("1370000000{i}"),
                Some(w.a),
                &[Role::Resident],
            )
            .await?,
        );
    }
    let residents_b = [
        w.bob.clone(),
        person(&w.db, "13600000000", Some(w.b), &[Role::Resident]).await?,
    ];
    let id = w
        .draft(with_severity(
            draft("紧急：冒充公检法诈骗", &[w.a]),
            "urgent",
        ))
        .await?;

    let barrier = Arc::new(Barrier::new(CALLS));
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let db = w.db.clone();
            let officer = w.officer.clone();
            let barrier = Arc::clone(&barrier);
            tokio::spawn(async move {
                barrier.wait().await;
                let at = now() + Duration::seconds(i as i64);
                (at, notices::publish(&db, &officer, id, at).await)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await? {
            (at, Ok(())) => winners.push(at),
            (_, Err(Error::Invalid("notice-changed"))) => {}
            (_, Err(other)) => panic!(
                "expected notice-changed, got {other:?} on {}",
                testing::engine()
            ),
        }
    }
    assert_eq!(
        winners.len(),
        1,
        "exactly one publish succeeds: {winners:?}"
    );
    let row = w.row(id).await?;
    assert_eq!((row.status.as_str(), row.version), ("published", 1));
    assert_eq!(row.published_at, Some(winners[0]));
    assert_eq!(
        w.versions(id).await?,
        [(1, "published".to_owned(), winners[0])]
    );
    assert_eq!(notice_version::Entity::find().count(&w.db).await?, 1);
    for resident in &residents_a {
        assert_eq!(
            w.inbox(resident).await?,
            [("紧急：冒充公检法诈骗".to_owned(), link(id))],
            "told once"
        );
    }
    for resident in &residents_b {
        assert!(w.inbox(resident).await?.is_empty());
    }
    assert_eq!(
        inbox_message::Entity::find().count(&w.db).await?,
        residents_a.len() as u64
    );
    Ok(())
}

/// Edits carry no version of their own: one that starts after another has committed is a
/// later change, not a conflict. So "at once" may still give several successes, one after
/// the other; what must hold is that each success is one version, none is lost or torn,
/// and every refusal says why.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_edits_of_a_published_notice_at_once_leave_a_consistent_history() -> TestResult {
    const CALLS: usize = 10;
    let w = World::new().await?;
    let id = w.published(draft("反诈提醒", &[w.a]), now()).await?;
    let barrier = Arc::new(Barrier::new(CALLS));
    let tasks: Vec<_> = (0..CALLS)
        .map(|i| {
            let db = w.db.clone();
            let officer = w.officer.clone();
            let barrier = Arc::clone(&barrier);
            let mut communities = if i % 2 == 0 {
                vec![w.a]
            } else {
                vec![w.b, w.c]
            };
            communities.sort();
            let title = format!("反诈提醒（第{i}次修改）");
            let at = now() + Duration::seconds(i as i64 + 1);
            tokio::spawn(async move {
                barrier.wait().await;
                let edit = draft(&title, &communities);
                let result = notices::edit(&db, &officer, id, edit, at).await;
                (title, communities, at, result)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        match task.await? {
            (title, communities, at, Ok(())) => winners.push((title, communities, at)),
            (_, _, _, Err(Error::Invalid("notice-changed"))) => {}
            (_, _, _, Err(other)) => panic!(
                "expected notice-changed, got {other:?} on {}",
                testing::engine()
            ),
        }
    }
    assert!(!winners.is_empty(), "at least one edit succeeds");
    let versions = w.versions(id).await?;
    let kinds: Vec<(i32, &str)> = versions
        .iter()
        .map(|(v, kind, _)| (*v, kind.as_str()))
        .collect();
    let mut expected = vec![(1, "published")];
    expected.extend((2..).take(winners.len()).map(|v| (v, "updated")));
    assert_eq!(kinds, expected, "one version per success: {winners:?}");
    let mut times: Vec<DateTime<Utc>> = versions[1..].iter().map(|(_, _, at)| *at).collect();
    times.sort();
    let mut winning_times: Vec<DateTime<Utc>> = winners.iter().map(|(_, _, at)| *at).collect();
    winning_times.sort();
    assert_eq!(times, winning_times, "each version is one success");

    // What is shown is the last success whole: its title, its targets, its time.
    let (_, _, last_at) = versions.last().ok_or("versions")?;
    let (title, communities, _) = winners
        .iter()
        .find(|(_, _, at)| at == last_at)
        .ok_or("the last version is a success")?;
    let shown = notices::get(&w.db, id, None).await?;
    assert_eq!(
        (
            shown.notice.title.as_str(),
            shown.notice.version,
            shown.notice.updated_at
        ),
        (title.as_str(), winners.len() as i32 + 1, *last_at)
    );
    let mut targets: Vec<i32> = shown.communities.iter().map(|(c, _)| *c).collect();
    targets.sort();
    assert_eq!(
        &targets, communities,
        "the last edit's targets, nobody else's"
    );
    eprintln!(
        "{}: {} of {CALLS} edits succeeded",
        testing::engine(),
        winners.len()
    );
    Ok(())
}

/// An officer turns a draft urgent while a colleague publishes it. Whatever the order,
/// the residents must be told exactly when what was published is urgent, and under the
/// title that was published.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_draft_changed_while_it_is_published_is_announced_as_published() -> TestResult {
    const ROUNDS: usize = 60;
    let w = World::new().await?;
    let mut seen = [0usize; 3];
    let mut wrong = Vec::new();
    for round in 0..ROUNDS {
        let original = format!("第{round}轮：一般提醒");
        let changed = format!("第{round}轮：紧急提醒");
        let id = w
            .draft(with_severity(draft(&original, &[w.a]), "caution"))
            .await?;
        let barrier = Arc::new(Barrier::new(2));
        let edit = {
            let (db, officer, barrier) = (w.db.clone(), w.officer.clone(), Arc::clone(&barrier));
            let urgent = with_severity(draft(&changed, &[w.a]), "urgent");
            tokio::spawn(async move {
                barrier.wait().await;
                notices::edit(&db, &officer, id, urgent, now()).await
            })
        };
        let publish = {
            let (db, officer, barrier) = (w.db.clone(), w.officer.clone(), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                notices::publish(&db, &officer, id, now()).await
            })
        };
        let (edited, published) = (edit.await?, publish.await?);
        published?;
        let row = w.row(id).await?;
        let told: Vec<(String, String)> = w
            .inbox(&w.alice)
            .await?
            .into_iter()
            .filter(|(_, l)| *l == link(id))
            .collect();
        match (edited, row.version) {
            // The edit landed first, on the draft: what was published is urgent.
            (Ok(()), 1) => {
                seen[0] += 1;
                assert_eq!(
                    (row.severity.as_str(), row.title.as_str()),
                    ("urgent", changed.as_str())
                );
                if told != [(changed.clone(), link(id))] {
                    wrong.push((round, told));
                }
            }
            // The edit came after and updated the published notice.
            (Ok(()), _) => seen[1] += 1,
            // The edit found it published already: a caution notice, nobody told.
            (Err(Error::Invalid("notice-changed")), _) => {
                seen[2] += 1;
                assert_eq!(row.severity.as_str(), "caution");
                assert!(told.is_empty());
            }
            (Err(other), _) => panic!("unexpected {other:?} on {}", testing::engine()),
        }
    }
    eprintln!(
        "{}: edit first {}, edit after as update {}, edit refused {}",
        testing::engine(),
        seen[0],
        seen[1],
        seen[2]
    );
    assert!(
        wrong.is_empty(),
        "urgent notices published without telling the residents (round, inbox): {wrong:?} on {}",
        testing::engine()
    );
    Ok(())
}

/// A word the code does not know — written by a newer release before a roll-back, or by
/// hand — makes reading the notice fail loudly; it never turns into "info" or "other".
#[tokio::test]
async fn a_stored_word_the_code_does_not_know_is_an_error_not_a_default() -> TestResult {
    let w = World::new().await?;
    let id = w.published(draft("反诈提醒", &[]), now()).await?;
    let txn = w.db.begin().await?;
    // Only the CHECK constraint stands between the column and a stranger word: set it aside.
    let set_aside = match w.db.get_database_backend() {
        DbBackend::Sqlite => "PRAGMA ignore_check_constraints = ON",
        _ => "ALTER TABLE notices DROP CONSTRAINT notices_severity_check",
    };
    txn.execute_unprepared(set_aside).await?;
    txn.execute_unprepared(&format!(
        "UPDATE notices SET severity = 'severe' WHERE id = {id}"
    ))
    .await?;
    txn.commit().await?;

    let read = notices::get(&w.db, id, Some(&w.alice)).await;
    assert!(
        matches!(&read, Err(Error::Db(e)) if e.to_string().contains("severe")),
        "{read:?}"
    );
    Ok(())
}
