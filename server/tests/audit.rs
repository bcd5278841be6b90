//! The audit log and the station's own record over HTTP, as a phone without JavaScript
//! uses them: /admin/audit filters and pages the log and downloads what it keeps as CSV
//! (the old /admin/log redirects there); admins enter the station's reported totals on
//! /admin/record and /stats shows them apart from the computed figures. Runs on SQLite, or
//! PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, Error, Portal, TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

const ADMIN: &str = "13700000002";
const ADMIN_PASSWORD: &str = "zhaobaoshan-admin-2026";
const OFFICER: &str = "13900000201";
const LEADER: &str = "13900000301";

async fn with_admin() -> Result<(Portal, Browser), Error> {
    let portal = portal().await?;
    let db = domain::db::connect(&portal.db_url).await?;
    domain::accounts::add_user(
        &db,
        ADMIN,
        Some(ADMIN_PASSWORD),
        &[domain::accounts::Role::Admin],
        chrono::Utc::now(),
    )
    .await?;
    let admin = portal.sign_in(ADMIN, ADMIN_PASSWORD).await?;
    Ok((portal, admin))
}

#[test]
fn admins_filter_the_audit_log_and_download_what_it_keeps() -> TestResult {
    run(async {
        let (portal, mut admin) = with_admin().await?;
        let page = admin
            .post_form(
                "/admin",
                "/api/admin/revoke-role",
                &[("phone", LEADER), ("role", "volunteer")],
            )
            .await?;
        assert_eq!(page.location(), "/admin?done=user");
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer
            .post_form(
                "/counter",
                "/api/counter/reset-code",
                &[("phone", "13900000002")],
            )
            .await?;
        assert_eq!(page.location(), "/counter?done=code");

        let all = admin.get("/admin/audit").await?;
        assert_eq!(all.status, StatusCode::OK);
        for text in [
            "收回身份",
            "发放重置码",
            "窗口",
            LEADER,
            OFFICER,
            "/admin/audit.csv",
        ] {
            assert!(all.body.contains(text), "the log shows {text}");
        }
        let counter_only = admin
            .get(&format!("/admin/audit?actor={OFFICER}&action=reset_issued"))
            .await?;
        assert!(
            counter_only.body.contains("13900000002"),
            "the account given a code"
        );
        assert!(
            !counter_only.body.contains(LEADER),
            "the revocation is filtered out"
        );
        assert!(
            counter_only.body.contains(&format!(
                "/admin/audit.csv?actor={OFFICER}&amp;action=reset_issued"
            )),
            "the download keeps the filters"
        );
        let nothing = admin
            .get("/admin/audit?from=2000-01-01&to=2000-01-02")
            .await?;
        assert!(!nothing.body.contains(OFFICER), "no row on those days");
        let bad = admin.get("/admin/audit?from=yesterday").await?;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("筛选条件有误"));

        let csv = admin
            .get(&format!(
                "/admin/audit.csv?actor={OFFICER}&action=reset_issued"
            ))
            .await?;
        assert_eq!(csv.status, StatusCode::OK);
        assert_eq!(
            csv.headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            Some("text/csv; charset=utf-8")
        );
        assert!(
            csv.body.starts_with('\u{feff}'),
            "a byte-order mark for Excel"
        );
        let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[1].contains(&format!("counter,{OFFICER},reset_issued,13900000002")));
        assert_eq!(
            admin.get("/admin/audit.csv?action=dance").await?.status,
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            officer.get("/admin/audit.csv").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            portal.browser().get("/admin/audit.csv").await?.status,
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            officer.get("/admin/audit").await?.status,
            StatusCode::FORBIDDEN
        );

        let moved = admin.get("/admin/log?page=2").await?;
        assert_eq!(moved.status, StatusCode::PERMANENT_REDIRECT);
        assert_eq!(moved.location(), "/admin/audit?page=2");
        Ok(())
    })
}

#[test]
fn the_stations_reported_totals_stand_apart_from_the_computed_figures() -> TestResult {
    run(async {
        let (portal, mut admin) = with_admin().await?;
        let stats = portal.browser().get("/stats").await?;
        assert!(
            stats.body.contains("本所报告的累计数字"),
            "labelled as reported"
        );
        assert!(
            stats.body.contains("1,800余起"),
            "the article's figures, as demo"
        );
        assert!(stats.body.contains("99.3%"));
        let computed = stats
            .body
            .find("stats-total")
            .ok_or("the computed figures")?;
        let reported = stats
            .body
            .find("stats-reported")
            .ok_or("the reported ones")?;
        assert!(computed < reported, "apart, after the live figures");

        let page = admin
            .post_form(
                "/admin/record",
                "/api/admin/record",
                &[
                    ("record[measure]", "cases_mediated"),
                    ("record[value]", "1,850"),
                    ("record[more_than]", "on"),
                    ("record[source]", "本所2024年度工作总结"),
                    ("record[as_of]", "2024-12-31"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/admin/record?done=saved", "{page:?}");
        let stats = portal.browser().get("/stats").await?;
        assert!(stats.body.contains("1,850余起"));
        assert!(stats.body.contains("本所2024年度工作总结"));

        let page = admin
            .post_form(
                "/admin/record",
                "/api/admin/record",
                &[
                    ("record[measure]", "success_rate"),
                    ("record[value]", "101"),
                    ("record[source]", "本所2024年度工作总结"),
                    ("record[as_of]", "2024-12-31"),
                ],
            )
            .await?;
        assert!(page.location().contains("__err="));
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer
            .post_form(
                "/admin/record",
                "/api/admin/record/remove",
                &[("measure", "success_rate")],
            )
            .await?;
        assert!(page.location().contains("__err="), "admins only");
        let page = admin
            .post_form(
                "/admin/record",
                "/api/admin/record/remove",
                &[("measure", "success_rate")],
            )
            .await?;
        assert_eq!(page.location(), "/admin/record?done=removed");
        assert!(
            !portal
                .browser()
                .get("/stats")
                .await?
                .body
                .contains("data-reported=\"success_rate\"")
        );
        let log = admin.get("/admin/audit?action=record_saved").await?;
        assert!(log.body.contains("本所2024年度工作总结"));
        Ok(())
    })
}
