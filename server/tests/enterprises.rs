//! 警企联络室 over HTTP as a phone without JavaScript uses it, on the demo's park: an
//! enterprise's contact files a service request by a plain form and reads it on their
//! enterprise's board, the officer finds it on the loop's board with its enterprise, and
//! nobody else reads the board; a refused request says why in Chinese and writes nothing;
//! an admin adds an enterprise and its contact, and a contact of one enterprise is refused
//! at another. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Error, TestResult, portal, run};
use domain::demo::{DEMO_PASSWORD, ENTERPRISE_CONTACT_PHONE};
use domain::entities::{case_record, enterprise};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

const OFFICER: &str = "13900000201";
const RESIDENT: &str = "13900000001";
/// 传化物流's contact.
const OTHER_CONTACT: &str = "13900000703";

async fn enterprise_id(db: &domain::DatabaseConnection, name: &str) -> Result<i32, Error> {
    Ok(enterprise::Entity::find()
        .filter(enterprise::Column::Name.eq(name))
        .one(db)
        .await?
        .ok_or("the demo enterprise")?
        .id)
}

#[test]
fn a_contact_files_a_request_that_reaches_the_loop_and_their_board() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let ande = enterprise_id(&db, "安德机械").await?;
        let mut contact = portal
            .sign_in(ENTERPRISE_CONTACT_PHONE, DEMO_PASSWORD)
            .await?;
        let me = contact.get("/me").await?;
        assert!(
            me.body.contains("href=\"/enterprise\""),
            "the way in from 我的"
        );
        let board = contact.get("/enterprise").await?;
        assert_eq!(board.status, StatusCode::OK);
        assert!(
            board.body.contains("安德机械 · 警企联络室"),
            "{}",
            board.body
        );
        assert!(
            board.body.contains("下班高峰园区东门人车混行") && board.body.contains("已办结"),
            "the demo's requests, with how far they came"
        );
        let cases = || {
            case_record::Entity::find()
                .filter(case_record::Column::Kind.eq("enterprise"))
                .count(&db)
        };
        let before = cases().await?;

        // Too short: refused in words, nothing written.
        let page = contact
            .post_form(
                "/enterprise",
                "/api/enterprise/request",
                &[("title", "宣讲"), ("body", "请来园区讲讲防诈骗。")],
            )
            .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        let back = contact.follow(&page).await?;
        assert!(back.body.contains("标题请写 4 到 80 个字"), "{}", back.body);
        assert_eq!(cases().await?, before);

        let page = contact
            .post_form(
                "/enterprise",
                "/api/enterprise/request",
                &[
                    ("title", "夜班员工下班路上被尾随"),
                    (
                        "body",
                        "最近两周有女工反映夜班下班走北侧小路时被人尾随，希望加强巡逻。",
                    ),
                ],
            )
            .await?;
        assert!(
            page.location().starts_with("/enterprise?done=filed#JW-"),
            "{page:?}"
        );
        let code = page
            .location()
            .rsplit('#')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(cases().await?, before + 1);
        let board = contact.follow(&page).await?;
        assert!(board.body.contains("已提交"), "the notice");
        assert!(board.body.contains("夜班员工下班路上被尾随") && board.body.contains(&code));
        assert!(
            !board.body.contains(&format!("/board/cases/{code}")),
            "the loop's case page is the station's"
        );

        // The officer meets it on the loop's board, and its enterprise on the case page.
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let loop_board = officer.get("/board").await?;
        assert!(loop_board.body.contains(&code), "on the loop's board");
        let case = officer.get(&format!("/board/cases/{code}")).await?;
        assert!(case.body.contains("驻企服务 · 安德机械"), "{}", case.body);
        assert!(case.body.contains(&format!("/enterprises/{ande}")));
        let staff_view = officer.get(&format!("/enterprises/{ande}")).await?;
        assert_eq!(staff_view.status, StatusCode::OK);
        assert!(staff_view.body.contains(&code));
        assert!(
            !staff_view.body.contains("/api/enterprise/request"),
            "officers read; contacts file"
        );
        Ok(())
    })
}

#[test]
fn nobody_else_reads_an_enterprises_board() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let ande = enterprise_id(&db, "安德机械").await?;
        let mut other = portal.sign_in(OTHER_CONTACT, DEMO_PASSWORD).await?;
        assert_eq!(
            other.get(&format!("/enterprises/{ande}")).await?.status,
            StatusCode::NOT_FOUND
        );
        let own = other.get("/enterprise").await?;
        assert!(own.body.contains("传化物流") && !own.body.contains("下班高峰园区东门"));
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        assert_eq!(
            resident.get("/enterprise").await?.status,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            resident.get(&format!("/enterprises/{ande}")).await?.status,
            StatusCode::NOT_FOUND
        );
        let page = resident
            .post_form(
                "/me",
                "/api/enterprise/request",
                &[
                    ("title", "夜班员工下班路上被尾随"),
                    ("body", "最近两周有女工反映夜班下班走北侧小路时被人尾随。"),
                ],
            )
            .await?;
        assert!(
            page.location().contains("__err=") || page.status.is_client_error(),
            "{page:?}"
        );
        let signed_out = portal.browser().get("/enterprise").await?;
        assert_eq!(signed_out.status, StatusCode::UNAUTHORIZED);
        Ok(())
    })
}

#[test]
fn an_admin_adds_an_enterprise_and_its_contact() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000902",
            Some("park-admin-2026"),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let mut admin = portal.sign_in("13700000902", "park-admin-2026").await?;
        let form = admin.get("/admin/directory/new/enterprise").await?;
        assert!(form.body.contains("后海塘社区"), "its community to choose");
        let created = admin
            .post_form(
                "/admin/directory/new/enterprise",
                "/api/admin/directory/create",
                &[
                    ("kind", "enterprise"),
                    ("org[name]", "甬港冷链"),
                    ("org[parent]", "1"),
                    ("org[address]", "后海塘冷链园 1 号"),
                ],
            )
            .await?;
        let page_of = created
            .location()
            .split('?')
            .next()
            .unwrap_or_default()
            .to_owned();
        assert!(
            page_of.starts_with("/admin/directory/org/enterprise/"),
            "{created:?}"
        );
        let id = page_of.rsplit('/').next().unwrap_or_default().to_owned();
        let added = admin
            .post_form(
                &page_of,
                "/api/admin/directory/add-person",
                &[("kind", "enterprise"), ("id", &id), ("phone", RESIDENT)],
            )
            .await?;
        assert_eq!(added.location(), format!("{page_of}?done=added"));
        let mut contact = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        assert!(contact.get("/enterprise").await?.body.contains("甬港冷链"));

        // 安德机械's contact stays theirs: refused in words at the new enterprise.
        let refused = admin
            .post_form(
                &page_of,
                "/api/admin/directory/add-person",
                &[
                    ("kind", "enterprise"),
                    ("id", &id),
                    ("phone", ENTERPRISE_CONTACT_PHONE),
                ],
            )
            .await?;
        assert!(refused.location().contains("__err="), "{refused:?}");
        let back = admin.follow(&refused).await?;
        assert!(
            back.body.contains("此人已是另一家企业的联络人"),
            "{}",
            back.body
        );
        Ok(())
    })
}
