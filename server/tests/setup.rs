//! The first start from the browser (`/setup`) and the station's identity on the pages.
//! Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Browser, Portal, TestResult, empty_portal, run};

const ADMIN: &str = "13800000000";
const PASSWORD: &str = "jiaochuan-first-admin";

fn station_fields() -> Vec<(&'static str, &'static str)> {
    vec![
        ("station[name]", "蛟川派出所"),
        ("station[district]", "蛟川街道"),
        ("station[address]", "宁波市镇海区蛟川街道某路1号"),
        ("station[phone]", "0574-86270110"),
        ("station[public_url]", "https://jjw.example.cn"),
        ("station[sender]", "jiaochuan.police@example.cn"),
        ("station[area]", ""),
    ]
}

fn setup_fields() -> Vec<(&'static str, &'static str)> {
    let mut fields = station_fields();
    fields.extend([("admin_phone", ADMIN), ("password", PASSWORD)]);
    fields
}

fn from(portal: &Portal, address: &str) -> Browser {
    let mut browser = portal.browser();
    browser.address = address.parse().ok();
    browser
}

#[test]
fn the_first_start_page_is_there_only_for_the_machine_itself() -> TestResult {
    run(async {
        let portal = empty_portal().await?;
        let page = portal.browser().get("/setup").await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("name=\"admin_phone\""));
        assert!(page.body.contains("首次启动"));

        let stranger = from(&portal, "203.0.113.9:40000").get("/setup").await?;
        assert_eq!(stranger.status, StatusCode::NOT_FOUND);
        assert!(!stranger.body.contains("admin_phone"));

        // A proxy on the same machine forwards strangers from loopback.
        let proxied = Request::get("/setup")
            .header("x-forwarded-for", "198.51.100.4")
            .body(Body::empty())?;
        let page = portal.browser().send(proxied).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND);

        let mut stranger = from(&portal, "203.0.113.9:40000");
        let posted = stranger
            .post_form("/", "/api/setup", &setup_fields())
            .await?;
        assert!(posted.location().contains("__err"), "{posted:?}");
        let db = domain::db::connect(&portal.db_url).await?;
        assert!(!domain::station::is_set_up(&db).await?, "nothing written");
        assert!(domain::accounts::find_by_phone(&db, ADMIN).await?.is_none());
        Ok(())
    })
}

#[test]
fn the_first_start_enters_the_station_and_the_admin_then_the_page_is_gone() -> TestResult {
    run(async {
        let portal = empty_portal().await?;
        let mut browser = portal.browser();
        let posted = browser
            .post_form("/setup", "/api/setup", &setup_fields())
            .await?;
        assert_eq!(posted.status, StatusCode::FOUND, "{posted:?}");
        assert!(posted.location().starts_with("/login"), "{posted:?}");

        let mut admin = portal.sign_in(ADMIN, PASSWORD).await?;
        let page = admin.get("/admin/station").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("value=\"jiaochuan.police@example.cn\""));

        for browser in [&mut portal.browser(), &mut admin] {
            assert_eq!(browser.get("/setup").await?.status, StatusCode::NOT_FOUND);
        }
        let again = portal
            .browser()
            .post_form("/", "/api/setup", &setup_fields())
            .await?;
        assert!(again.location().contains("__err"), "{again:?}");

        let home = portal.browser().get("/").await?;
        assert!(
            home.body.contains("家警务 · 蛟川派出所"),
            "the title names it"
        );
        assert!(
            home.body.contains("蛟川街道 · 家人治家"),
            "the header names its area"
        );
        let privacy = portal.browser().get("/privacy").await?;
        assert!(privacy.body.contains("个人信息处理者：蛟川派出所"));
        assert!(privacy.body.contains("0574-86270110"));
        Ok(())
    })
}

#[test]
fn after_an_admin_exists_the_first_start_page_is_not_found() -> TestResult {
    run(async {
        let portal = empty_portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13800000009",
            Some("an-admin-from-the-cli"),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        assert_eq!(
            portal.browser().get("/setup").await?.status,
            StatusCode::NOT_FOUND
        );
        let posted = portal
            .browser()
            .post_form("/", "/api/setup", &setup_fields())
            .await?;
        assert!(posted.location().contains("__err"), "{posted:?}");
        assert!(domain::station::get(&db).await?.is_none());
        Ok(())
    })
}

#[test]
fn without_a_station_the_pages_name_no_station() -> TestResult {
    run(async {
        let portal = empty_portal().await?;
        for path in ["/", "/privacy", "/communities"] {
            let page = portal.browser().get(path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert!(!page.body.contains("招宝山"), "{path}: {}", page.body);
        }
        Ok(())
    })
}

#[test]
fn an_admin_edits_the_station_and_a_bad_field_is_explained() -> TestResult {
    run(async {
        let portal = empty_portal().await?;
        let mut browser = portal.browser();
        browser
            .post_form("/setup", "/api/setup", &setup_fields())
            .await?;
        let mut admin = portal.sign_in(ADMIN, PASSWORD).await?;
        let mut fields = station_fields();
        fields[0] = ("station[name]", "蛟川派出所（新址）");
        let saved = admin
            .post_form("/admin/station", "/api/admin/station", &fields)
            .await?;
        assert_eq!(saved.location(), "/admin/station?done=saved", "{saved:?}");
        let page = admin.get(saved.location()).await?;
        assert!(page.body.contains("本所信息已保存"));
        assert!(page.body.contains("value=\"蛟川派出所（新址）\""));

        fields[5] = ("station[sender]", "not an address");
        let refused = admin
            .post_form("/admin/station", "/api/admin/station", &fields)
            .await?;
        assert!(refused.location().contains("__err"), "{refused:?}");
        let page = admin
            .get(
                refused
                    .location()
                    .trim_start_matches("http://127.0.0.1:3000"),
            )
            .await?;
        assert!(
            page.body.contains("预警发布邮箱须是一个普通邮箱地址"),
            "{}",
            page.body
        );

        let mut resident = portal.browser();
        let refused = resident
            .post_form("/", "/api/admin/station", &station_fields())
            .await?;
        assert!(refused.location().contains("__err"), "{refused:?}");
        let db = domain::db::connect(&portal.db_url).await?;
        assert_eq!(
            domain::station::get(&db).await?.map(|s| s.name).as_deref(),
            Some("蛟川派出所（新址）")
        );
        Ok(())
    })
}
