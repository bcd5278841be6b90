//! The station's identity and the first start, on whichever engine TEST_DATABASE_URL names.

use chrono::Utc;
use domain::accounts::{self, Role};
use domain::admin_log::Actor;
use domain::station::{self, Identity, REFUSAL_CODES, Start};
use domain::testing::{self, assert_refused};

type TestResult = Result<(), Box<dyn std::error::Error>>;

const PASSWORD: &str = "jiulong-lake-2026";

fn zhenhai() -> Identity {
    Identity {
        name: "  蛟川派出所 ".into(),
        district: "蛟川街道".into(),
        address: "宁波市镇海区蛟川街道某路1号".into(),
        phone: "0574-86270110".into(),
        public_url: "https://jjw.example.cn/".into(),
        sender: "JiaoChuan.Police@example.cn".into(),
        area_desc: String::new(),
    }
}

#[tokio::test]
async fn a_fresh_database_has_no_station_until_one_is_entered() -> TestResult {
    let db = testing::fresh_db().await?;
    assert!(station::get(&db).await?.is_none());
    assert!(!station::is_set_up(&db).await?);
    let saved = station::save(&db, Actor::CommandLine, zhenhai(), Utc::now()).await?;
    assert_eq!(saved.name, "蛟川派出所", "trimmed");
    assert_eq!(
        saved.public_url, "https://jjw.example.cn",
        "no trailing slash"
    );
    assert_eq!(
        saved.sender, "jiaochuan.police@example.cn",
        "one way of writing it"
    );
    assert_eq!(
        saved.area_desc, "蛟川街道全域",
        "the district's whole area by default"
    );
    assert!(!saved.is_demo);
    let renamed = station::save(
        &db,
        Actor::CommandLine,
        Identity {
            name: "蛟川派出所（新址）".into(),
            ..zhenhai()
        },
        Utc::now(),
    )
    .await?;
    assert_eq!(renamed.name, "蛟川派出所（新址）");
    assert_eq!(
        station::get(&db).await?.map(|s| s.name),
        Some(renamed.name),
        "one row, replaced"
    );
    Ok(())
}

#[tokio::test]
async fn each_field_that_breaks_its_rule_is_refused_and_nothing_is_written() -> TestResult {
    let db = testing::fresh_db().await?;
    let cases: [(Identity, &str); 8] = [
        (
            Identity {
                name: "所".into(),
                ..zhenhai()
            },
            "station-name-invalid",
        ),
        (
            Identity {
                name: "派".repeat(41),
                ..zhenhai()
            },
            "station-name-invalid",
        ),
        (
            Identity {
                district: "\u{7}".into(),
                ..zhenhai()
            },
            "station-district-invalid",
        ),
        (
            Identity {
                address: String::new(),
                ..zhenhai()
            },
            "station-address-invalid",
        ),
        (
            Identity {
                phone: "call us".into(),
                ..zhenhai()
            },
            "station-phone-invalid",
        ),
        (
            Identity {
                public_url: "jjw.example.cn".into(),
                ..zhenhai()
            },
            "station-url-invalid",
        ),
        (
            Identity {
                sender: "police, station@example.cn".into(),
                ..zhenhai()
            },
            "station-sender-invalid",
        ),
        (
            Identity {
                area_desc: "全".into(),
                ..zhenhai()
            },
            "station-area-invalid",
        ),
    ];
    for (identity, code) in cases {
        assert_refused(
            station::save(&db, Actor::CommandLine, identity, Utc::now()).await,
            code,
            REFUSAL_CODES,
        );
    }
    assert!(station::get(&db).await?.is_none());
    Ok(())
}

#[tokio::test]
async fn the_first_start_makes_the_station_and_its_admin_once() -> TestResult {
    let db = testing::fresh_db().await?;
    let admin = station::init(
        &db,
        Start::CommandLine,
        zhenhai(),
        "13800000000",
        PASSWORD,
        Utc::now(),
    )
    .await?;
    assert_eq!(admin.roles, vec![Role::Admin]);
    assert!(accounts::password::verify(PASSWORD, &admin.user.password_hash).await?);
    assert!(station::is_set_up(&db).await?);
    let again = station::init(
        &db,
        Start::CommandLine,
        Identity {
            name: "另一个派出所".into(),
            ..zhenhai()
        },
        "13800000001",
        PASSWORD,
        Utc::now(),
    )
    .await;
    assert_refused(again, "setup-done", REFUSAL_CODES);
    assert_eq!(
        station::get(&db).await?.map(|s| s.name).as_deref(),
        Some("蛟川派出所")
    );
    assert!(accounts::find_by_phone(&db, "13800000001").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn the_first_start_is_refused_where_an_admin_exists_and_writes_nothing() -> TestResult {
    let db = testing::fresh_db().await?;
    testing::person(&db, "13800000009", &[Role::Admin], None, None, Utc::now()).await?;
    let result = station::init(
        &db,
        Start::CommandLine,
        zhenhai(),
        "13800000000",
        PASSWORD,
        Utc::now(),
    )
    .await;
    assert_refused(result, "setup-done", REFUSAL_CODES);
    assert!(station::get(&db).await?.is_none());
    assert!(accounts::find_by_phone(&db, "13800000000").await?.is_none());
    Ok(())
}

#[tokio::test]
async fn a_bad_station_or_a_weak_password_stops_the_first_start_before_anything_is_written()
-> TestResult {
    let db = testing::fresh_db().await?;
    let bad = station::init(
        &db,
        Start::CommandLine,
        Identity {
            sender: "not an address".into(),
            ..zhenhai()
        },
        "13800000000",
        PASSWORD,
        Utc::now(),
    )
    .await;
    assert_refused(bad, "station-sender-invalid", REFUSAL_CODES);
    let weak = station::init(
        &db,
        Start::CommandLine,
        zhenhai(),
        "13800000000",
        "12345678",
        Utc::now(),
    )
    .await;
    assert!(matches!(weak, Err(domain::Error::Invalid(_))), "{weak:?}");
    assert!(!station::is_set_up(&db).await?);
    Ok(())
}

#[tokio::test]
async fn two_first_starts_at_once_make_one_station_and_one_admin() -> TestResult {
    let db = testing::fresh_db().await?;
    let (a, b) = tokio::join!(
        station::init(
            &db,
            Start::CommandLine,
            zhenhai(),
            "13800000000",
            PASSWORD,
            Utc::now()
        ),
        station::init(
            &db,
            Start::CommandLine,
            zhenhai(),
            "13800000001",
            PASSWORD,
            Utc::now()
        ),
    );
    assert_eq!(
        [a.is_ok(), b.is_ok()].iter().filter(|ok| **ok).count(),
        1,
        "{a:?} {b:?} on {}",
        testing::engine()
    );
    let admins = accounts::list(&db, 10)
        .await?
        .into_iter()
        .filter(|a| a.has(Role::Admin))
        .count();
    assert_eq!(admins, 1);
    Ok(())
}

#[tokio::test]
async fn demo_data_names_zhaobaoshan_as_demo_and_never_replaces_a_station() -> TestResult {
    let db = testing::fresh_db().await?;
    domain::demo::load_directory(&db).await?;
    station::save(&db, Actor::CommandLine, zhenhai(), Utc::now()).await?;
    domain::demo::load(&db).await?;
    assert_eq!(
        station::get(&db).await?.map(|s| s.name).as_deref(),
        Some("蛟川派出所")
    );

    let demo = testing::fresh_db().await?;
    domain::demo::load(&demo).await?;
    let zbs = station::get(&demo).await?.ok_or("a demo station")?;
    assert_eq!(zbs.name, "招宝山派出所");
    assert!(zbs.is_demo);
    assert_eq!(zbs.sender, "zhaobaoshan.police@portal.example");
    Ok(())
}
