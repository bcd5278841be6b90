//! The audit log (管理日志) as admins read it: every admin and counter act with who, when,
//! what and the values before and after — the station's identity, the first start, the
//! station's reported totals — filtered by who, which act and which days, and as CSV; and
//! the table refusing to be rewritten, on whichever engine TEST_DATABASE_URL names.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use domain::accounts::{self, Role};
use domain::admin_log::{self, Actor, Filter, LogAction};
use domain::entities::admin_log as log;
use domain::reported::{self, Entry, Measure};
use domain::station::{self, Identity, Start};
use domain::testing::{self, assert_forbidden, assert_refused};
use sea_orm::{ConnectionTrait, EntityTrait, QueryOrder};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "jiulong-lake-2026";

fn identity(name: &str) -> Identity {
    Identity {
        name: name.into(),
        district: "蛟川街道".into(),
        address: "宁波市镇海区蛟川街道某路1号".into(),
        phone: "0574-86270110".into(),
        public_url: "https://jjw.example.cn".into(),
        sender: "jiaochuan.police@example.cn".into(),
        area_desc: String::new(),
    }
}

#[tokio::test]
async fn the_first_start_and_every_change_to_the_station_are_logged_with_before_and_after()
-> TestResult {
    let db = testing::fresh_db().await?;
    let now = Utc::now();
    let admin = station::init(
        &db,
        Start::SetupPage,
        identity("蛟川派出所"),
        "13800000000",
        PASSWORD,
        now,
    )
    .await?;
    station::save(
        &db,
        Actor::admin(&admin)?,
        identity("蛟川派出所（新址）"),
        now,
    )
    .await?;
    let rows = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .all(&db)
        .await?;
    let seen: Vec<_> = rows
        .iter()
        .map(|r| (r.via.as_str(), r.actor_id, r.action.as_str()))
        .collect();
    let id = Some(admin.user.id);
    assert_eq!(
        seen,
        [
            ("setup_page", id, "station_saved"),
            ("setup_page", id, "role_granted"),
            ("admin_page", id, "station_saved"),
        ]
    );
    assert_eq!(rows[0].value_before, "", "nothing before the first start");
    assert!(rows[0].value_after.contains("name=蛟川派出所;"));
    assert!(rows[2].value_before.contains("name=蛟川派出所;"));
    assert!(rows[2].value_after.contains("name=蛟川派出所（新址）;"));
    assert_eq!(rows[2].target_id, None, "the station is no account");

    // A refused change writes nothing.
    let bad = station::save(
        &db,
        Actor::admin(&admin)?,
        Identity {
            sender: "not an address".into(),
            ..identity("x")
        },
        now,
    )
    .await;
    assert!(bad.is_err());
    assert_eq!(log::Entity::find().all(&db).await?.len(), 3);

    let other = testing::fresh_db().await?;
    station::init(
        &other,
        Start::CommandLine,
        identity("蛟川派出所"),
        "13800000000",
        PASSWORD,
        now,
    )
    .await?;
    let first = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .one(&other)
        .await?
        .ok_or("a row")?;
    assert_eq!((first.via.as_str(), first.actor_id), ("command_line", None));
    Ok(())
}

#[tokio::test]
async fn admins_filter_the_log_by_who_which_act_and_which_days_and_download_it() -> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load_directory(&db).await?;
    // 2026-12-01 10:00 in Ningbo, and the days after.
    let day = |n: i64| {
        Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0)
            .single()
            .map(|t| t + Duration::days(n))
            .ok_or("a time")
    };
    let admin =
        accounts::add_user(&db, "13900000009", Some(PASSWORD), &[Role::Admin], day(0)?).await?;
    let other =
        accounts::add_user(&db, "13900000008", Some(PASSWORD), &[Role::Admin], day(0)?).await?;
    let officer = accounts::add_user(
        &db,
        "13900000201",
        Some(PASSWORD),
        &[Role::Resident],
        day(0)?,
    )
    .await?;
    accounts::add_user_by(
        &db,
        Actor::admin(&admin)?,
        "13900000201",
        None,
        &[Role::Officer],
        day(1)?,
    )
    .await?;
    accounts::revoke(
        &db,
        Actor::admin(&other)?,
        officer.user.id,
        Role::Officer,
        day(2)?,
    )
    .await?;
    reported::save(
        &db,
        &admin,
        Entry {
            measure: "success_rate".into(),
            value: "99.3".into(),
            more_than: false,
            source: "=HYPERLINK(\"x\"), 年报, \"内部\"".into(),
            as_of: "2023-08-27".into(),
        },
        day(3)?,
    )
    .await?;

    let search = |filter: Filter| {
        let db = &db;
        let admin = &admin;
        async move {
            let (lines, _) = admin_log::search(db, admin, &filter, 1).await?;
            Ok::<_, domain::Error>(
                lines
                    .into_iter()
                    .map(|l| l.entry.action.as_str())
                    .collect::<Vec<_>>(),
            )
        }
    };
    assert_eq!(
        search(Filter::default()).await?,
        [
            "record_saved",
            "role_revoked",
            "role_granted",
            "role_granted",
            "role_granted",
            "role_granted"
        ],
        "newest first"
    );
    assert_eq!(
        search(Filter::parse(Some("139 0000 0009"), None, None, None)?).await?,
        ["record_saved", "role_granted"],
        "by the admin's number"
    );
    assert_eq!(
        search(Filter::parse(None, Some("role_revoked"), None, None)?).await?,
        ["role_revoked"]
    );
    assert_eq!(
        search(Filter::parse(
            None,
            None,
            Some("2026-12-02"),
            Some("2026-12-03")
        )?)
        .await?,
        ["role_revoked", "role_granted"],
        "local days, both included"
    );
    assert!(
        search(Filter::parse(Some("13800001111"), None, None, None)?)
            .await?
            .is_empty(),
        "nobody by that number acted"
    );
    for (actor, action, from) in [
        (Some("12345"), None, None),
        (None, Some("dance"), None),
        (None, None, Some("2026-13-01")),
        (None, None, Some("yesterday")),
    ] {
        assert_refused(
            Filter::parse(actor, action, from, None),
            "audit-filter-invalid",
            admin_log::REFUSAL_CODES,
        );
    }
    let staff = accounts::Account {
        user: officer.user.clone(),
        roles: vec![Role::Officer],
    };
    assert_forbidden(admin_log::search(&db, &staff, &Filter::default(), 1).await);
    assert_forbidden(admin_log::csv(&db, &staff, &Filter::default()).await);

    let csv = admin_log::csv(
        &db,
        &admin,
        &Filter {
            action: Some(LogAction::RecordSaved),
            ..Filter::default()
        },
    )
    .await?;
    assert!(csv.starts_with('\u{feff}'), "a byte-order mark for Excel");
    let lines: Vec<&str> = csv.trim_start_matches('\u{feff}').split("\r\n").collect();
    assert_eq!(lines[0], "at,via,actor,action,target,subject,before,after");
    assert_eq!(
        lines[1],
        "2026-12-04 10:00,admin_page,13900000009,record_saved,,success_rate,,\
         \"99.3 (=HYPERLINK(\"\"x\"\"), 年报, \"\"内部\"\", 2023-08-27)\"",
        "quoted, quotes doubled"
    );
    assert_eq!(lines.len(), 3, "one row and the final line break");

    let from = NaiveDate::from_ymd_opt(2026, 12, 3).ok_or("a date")?;
    let (lines, pages) = admin_log::search(
        &db,
        &admin,
        &Filter {
            from: Some(from),
            ..Filter::default()
        },
        9,
    )
    .await?;
    assert_eq!(
        (lines.len(), pages),
        (2, 1),
        "from 3 December: a page past the end is the last"
    );
    Ok(())
}

#[tokio::test]
async fn reported_totals_are_the_admins_to_enter_and_each_change_is_logged() -> TestResult {
    let db = testing::fresh_db().await?;
    let now = Utc::now();
    let admin = accounts::add_user(&db, "13900000009", Some(PASSWORD), &[Role::Admin], now).await?;
    let officer =
        accounts::add_user(&db, "13900000201", Some(PASSWORD), &[Role::Officer], now).await?;
    let entry = |value: &str| Entry {
        measure: "cases_mediated".into(),
        value: value.into(),
        more_than: true,
        source: "老何调解室年度报告".into(),
        as_of: "2023-08-27".into(),
    };
    assert_forbidden(reported::save(&db, &officer, entry("1800"), now).await);
    for (bad, code) in [
        (entry("18.5"), "reported-value-invalid"),
        (entry("-3"), "reported-value-invalid"),
        (
            Entry {
                as_of: "27/08/2023".into(),
                ..entry("1800")
            },
            "reported-date-invalid",
        ),
        (
            Entry {
                source: " ".into(),
                ..entry("1800")
            },
            "reported-source-invalid",
        ),
        (
            Entry {
                measure: "arrests".into(),
                ..entry("1800")
            },
            "reported-measure-invalid",
        ),
    ] {
        assert_refused(
            reported::save(&db, &admin, bad, now).await,
            code,
            reported::REFUSAL_CODES,
        );
    }
    assert!(reported::list(&db).await?.is_empty(), "nothing written");

    reported::save(&db, &admin, entry("1,800"), now).await?;
    reported::save(&db, &admin, entry("1900"), now).await?;
    let totals = reported::list(&db).await?;
    assert_eq!(totals.len(), 1, "one row per measure");
    assert_eq!(totals[0].measure, Measure::CasesMediated);
    assert_eq!(reported::plain(totals[0].value_hundredths), "1900");
    reported::remove(&db, &admin, "cases_mediated", now).await?;
    assert!(reported::list(&db).await?.is_empty());

    let rows: Vec<_> = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .all(&db)
        .await?
        .into_iter()
        .filter(|r| r.action.as_str() == "record_saved")
        .map(|r| (r.value_before, r.value_after))
        .collect();
    assert_eq!(
        rows,
        [
            (
                String::new(),
                ">1800 (老何调解室年度报告, 2023-08-27)".to_owned()
            ),
            (
                ">1800 (老何调解室年度报告, 2023-08-27)".to_owned(),
                ">1900 (老何调解室年度报告, 2023-08-27)".to_owned()
            ),
            (
                ">1900 (老何调解室年度报告, 2023-08-27)".to_owned(),
                String::new()
            ),
        ]
    );
    Ok(())
}

#[tokio::test]
async fn the_demo_carries_the_articles_figures_as_demo_and_never_over_the_stations_own()
-> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load(&db).await?;
    let totals = reported::list(&db).await?;
    let shown: Vec<_> = totals
        .iter()
        .map(|t| (t.measure, reported::plain(t.value_hundredths), t.more_than))
        .collect();
    assert_eq!(
        shown,
        [
            (Measure::CasesMediated, "1800".to_owned(), true),
            (Measure::SuccessRate, "99.3".to_owned(), false),
            (Measure::AmountYuan, "19000000".to_owned(), true),
            (Measure::SatisfactionRate, "100".to_owned(), false),
        ]
    );
    assert!(totals.iter().all(|t| t.source.contains("家警务")));
    Ok(())
}

/// The log's rows, the counter's and the station's included, cannot be changed or
/// removed on either engine after the migration that widened its lists.
#[tokio::test]
async fn the_audit_log_refuses_updates_and_deletes_of_every_kind_of_row() -> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load_directory(&db).await?;
    let now = Utc::now();
    station::init(
        &db,
        Start::SetupPage,
        identity("蛟川派出所"),
        "13800000000",
        PASSWORD,
        now,
    )
    .await?;
    let officer =
        accounts::add_user(&db, "13900000201", Some(PASSWORD), &[Role::Officer], now).await?;
    domain::accounts::counter::register_at_counter(
        &db,
        &officer,
        domain::accounts::counter::CounterRegistration {
            phone: "13800002222".into(),
            community_id: Some(1),
            compound_id: None,
            consent: true,
            notice_version: "2026-12-06".into(),
            witness: "王警官".into(),
        },
        now,
    )
    .await?;
    let before = log::Entity::find()
        .order_by_asc(log::Column::Id)
        .all(&db)
        .await?;
    let actions: Vec<_> = before.iter().map(|r| r.action.as_str()).collect();
    for action in ["station_saved", "counter_signup", "reset_issued"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
    for sql in [
        "UPDATE admin_log SET value_after = '' WHERE action = 'station_saved'",
        "UPDATE admin_log SET value_before = 'x' WHERE action = 'counter_signup'",
        "UPDATE admin_log SET via = 'admin_page' WHERE via = 'counter'",
        "UPDATE admin_log SET action = 'reset_used' WHERE action = 'reset_issued'",
        "UPDATE admin_log SET at = at",
        "DELETE FROM admin_log WHERE action = 'reset_issued'",
        "DELETE FROM admin_log",
    ] {
        let refused = db.execute_unprepared(sql).await;
        assert!(refused.is_err(), "{sql} on {}", testing::engine());
    }
    assert_eq!(
        log::Entity::find()
            .order_by_asc(log::Column::Id)
            .all(&db)
            .await?,
        before
    );
    // The database itself refuses an act the code does not know.
    let unknown = db
        .execute_unprepared(
            "INSERT INTO admin_log (at, via, action, subject, value_before, value_after) \
             VALUES ('2026-12-06 00:00:00+00:00', 'counter', 'password_seen', 'x', '', '')",
        )
        .await;
    assert!(unknown.is_err(), "the CHECK list holds");
    // A deleted account leaves its rows, without its name.
    accounts::delete(
        &db,
        &accounts::Account {
            user: officer.user.clone(),
            roles: vec![Role::Officer],
        },
    )
    .await?;
    assert!(
        log::Entity::find()
            .all(&db)
            .await?
            .iter()
            .all(|r| r.actor_id != Some(officer.user.id))
    );
    Ok(())
}
