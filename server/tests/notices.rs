//! 安全提示 over HTTP as a phone without JavaScript uses it: the officer's forms, who may
//! see drafts, and what residents and visitors get. Runs on SQLite, or PostgreSQL when
//! TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Error, Portal, TestResult, portal, run};
use domain::accounts::Role;
use domain::demo::DEMO_PASSWORD;
use domain::directory::Kind;
use domain::directory::admin::{self as directory, Fields};
use domain::entities::notice;
use sea_orm::{EntityTrait, PaginatorTrait};

const OFFICER: &str = "13900000201";

async fn notices(portal: &Portal) -> Result<u64, Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    Ok(notice::Entity::find().count(&db).await?)
}

fn form<'a>(title: &'a str, target: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("notice[title]", title),
        (
            "notice[body]",
            "**请注意**：近期有人冒充快递客服。\n\n- 不点陌生链接",
        ),
        ("notice[category]", "fraud"),
        ("notice[severity]", "warning"),
        ("notice[target]", target),
        // Checkboxes of the editor: indexed, so unticked ones leave gaps.
        ("notice[communities][2]", "3"),
        ("notice[starts_at]", "2026-01-01T08:00"),
        ("notice[expires_at]", "2099-01-01T08:00"),
    ]
}

/// The id in "/notices/{id}/edit?done=saved".
fn saved_id(location: &str) -> Option<i32> {
    location
        .strip_prefix("/notices/")?
        .split('/')
        .next()?
        .parse()
        .ok()
}

#[test]
fn an_officer_drafts_previews_publishes_and_cancels() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer
            .post_form(
                "/notices/new",
                "/api/notices/save",
                &form("冒充快递客服诈骗", "some"),
            )
            .await?;
        let id = saved_id(page.location()).ok_or(format!("saved: {}", page.location()))?;
        let preview = officer.get(&format!("/notices/{id}/edit")).await?;
        assert!(
            preview.body.contains("<strong>请注意</strong>"),
            "the preview renders bold"
        );
        assert!(preview.body.contains("<li>不点陌生链接"), "and lists");

        // A draft is the officers' own.
        let mut visitor = portal.browser();
        assert_eq!(
            visitor.get(&format!("/notices/{id}")).await?.status,
            StatusCode::NOT_FOUND
        );

        let page = officer
            .post_form(
                &format!("/notices/{id}/edit"),
                "/api/notices/publish",
                &[("id", &id.to_string())],
            )
            .await?;
        assert_eq!(page.location(), format!("/notices/{id}?done=published"));
        let all = visitor.get("/notices").await?;
        assert!(
            all.body.contains("冒充快递客服诈骗"),
            "visitors see every community's"
        );
        let elsewhere = visitor.get("/notices?community=1").await?;
        assert!(
            !elsewhere.body.contains("冒充快递客服诈骗"),
            "not for community 1"
        );
        let there = visitor.get("/notices?community=3").await?;
        assert!(there.body.contains("冒充快递客服诈骗"));

        let page = officer
            .post_form(
                &format!("/notices/{id}"),
                "/api/notices/cancel",
                &[("id", &id.to_string())],
            )
            .await?;
        assert_eq!(page.location(), format!("/notices/{id}?done=cancelled"));
        assert!(
            !visitor
                .get("/notices")
                .await?
                .body
                .contains("冒充快递客服诈骗")
        );
        let archive = visitor.get("/notices/archive?category=fraud").await?;
        assert!(archive.body.contains("冒充快递客服诈骗") && archive.body.contains("已撤销"));
        Ok(())
    })
}

#[test]
fn a_community_retired_after_a_notice_was_written_stays_its_target_when_edited() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let now = chrono::Utc::now();
        let admin = domain::accounts::add_user(
            &db,
            "13700000098",
            Some("retire-admin-2026"),
            &[Role::Admin],
            now,
        )
        .await?;
        let fields = Fields {
            name: "试点新社区".to_owned(),
            ..Fields::default()
        };
        let id = directory::create(&db, &admin, Kind::Community, fields, now)
            .await?
            .to_string();

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let mut fields = form("台风预警", "some");
        fields.retain(|(name, _)| !name.starts_with("notice[communities]"));
        fields.push(("notice[communities][0]", &id));
        let page = officer
            .post_form("/notices/new", "/api/notices/save", &fields)
            .await?;
        let notice = saved_id(page.location()).ok_or(format!("saved: {}", page.location()))?;

        let mut admin = portal.sign_in("13700000098", "retire-admin-2026").await?;
        let retired = admin
            .post_form(
                &format!("/admin/directory/org/community/{id}"),
                "/api/admin/directory/retire",
                &[("kind", "community"), ("id", &id)],
            )
            .await?;
        assert!(
            retired.location().ends_with("done=retired"),
            "{}",
            retired.location()
        );
        let new = officer.get("/notices/new").await?;
        assert!(
            !new.body.contains("试点新社区"),
            "a new notice cannot choose it"
        );

        let editor = officer.get(&format!("/notices/{notice}/edit")).await?;
        assert!(
            editor.body.contains("试点新社区")
                && editor.body.contains(&format!(r#"value="{id}" checked"#)),
            "the retired community is still ticked: {}",
            editor.body
        );
        Ok(())
    })
}

#[test]
fn bad_input_is_explained_and_nothing_is_written() -> TestResult {
    run(async {
        let portal = portal().await?;
        let before = notices(&portal).await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer
            .post_form("/notices/new", "/api/notices/save", &form("x", "all"))
            .await?;
        let back = page
            .location()
            .trim_start_matches("http://127.0.0.1:3000")
            .to_owned();
        assert!(back.starts_with("/notices/new?"), "{back}");
        assert!(
            officer
                .get(&back)
                .await?
                .body
                .contains("标题请写 2 到 100 字。")
        );
        let mut fields = form("两个以上的字", "all");
        fields[7] = ("notice[expires_at]", "2025-01-01T08:00");
        let page = officer
            .post_form("/notices/new", "/api/notices/save", &fields)
            .await?;
        assert!(page.location().contains("__err"));
        assert_eq!(notices(&portal).await?, before);
        Ok(())
    })
}

#[test]
fn residents_and_visitors_cannot_write_notices() -> TestResult {
    run(async {
        let portal = portal().await?;
        let before = notices(&portal).await?;
        let mut resident = portal.sign_in("13900000001", DEMO_PASSWORD).await?;
        assert_eq!(
            resident.get("/notices/desk").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            resident.get("/notices/new").await?.status,
            StatusCode::FORBIDDEN
        );
        let page = resident
            .post_form(
                "/notices",
                "/api/notices/save",
                &form("冒充快递客服诈骗", "all"),
            )
            .await?;
        assert!(page.location().contains("__err"));
        let mut visitor = portal.browser();
        assert_eq!(
            visitor.get("/notices/desk").await?.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(notices(&portal).await?, before);
        Ok(())
    })
}
