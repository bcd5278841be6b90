//! Accounts over HTTP as a phone browser without JavaScript uses them: forms, cookies,
//! redirects. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, TestResult, portal, run};

const PHONE: &str = "13812341234";
const PASSWORD: &str = "haitian-xiongzhen";

async fn register(browser: &mut Browser) -> Result<common::Page, common::Error> {
    browser
        .post_form(
            "/register",
            "/api/register",
            &[
                ("phone", PHONE),
                ("password", PASSWORD),
                ("community", "3"),
                ("compound", "13"),
                ("consent", "on"),
            ],
        )
        .await
}

#[test]
fn register_then_see_my_community_and_masked_phone() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        let page = register(&mut browser).await?;
        assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
        assert_eq!(
            page.location(),
            "/communities/3",
            "straight to my community's page"
        );
        assert!(browser.cookies.contains_key("sid"), "signed in");
        let me = browser.get("/me").await?;
        assert!(
            me.body.contains("138****1234"),
            "masked phone on my account"
        );
        assert!(!me.body.contains(PHONE), "never the full number in a page");
        assert!(me.body.contains("城东社区"));
        let data = browser.get("/me/data.json").await?;
        assert_eq!(data.status, StatusCode::OK);
        assert!(data.headers.get(header::CONTENT_DISPOSITION).is_some());
        let json: serde_json::Value = serde_json::from_str(&data.body)?;
        assert_eq!(
            json["account"]["phone"], PHONE,
            "the owner gets the full number"
        );
        assert_eq!(
            json["consent"]["privacy_notice_version"],
            app::accounts::PRIVACY_NOTICE_VERSION
        );
        Ok(())
    })
}

#[test]
fn bad_registrations_explain_themselves_and_change_nothing() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        let page = browser
            .post_form(
                "/register",
                "/api/register",
                &[
                    ("phone", PHONE),
                    ("password", "12345678"),
                    ("community", "3"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert!(
            page.location().contains("__path=%2Fapi%2Fregister")
                && page.location().contains("__err="),
            "{}",
            page.location()
        );
        assert!(!browser.cookies.contains_key("sid"));
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            back.body.contains("这个密码太容易被猜到"),
            "the reason, in Chinese"
        );
        let page = browser
            .post_form(
                "/register",
                "/api/register",
                &[("phone", PHONE), ("password", PASSWORD), ("community", "3")],
            )
            .await?;
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            back.body.contains("请阅读并勾选同意隐私说明"),
            "consent is required"
        );
        assert!(
            browser
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", PHONE), ("password", PASSWORD)]
                )
                .await?
                .location()
                .contains("__err="),
            "no account was made"
        );
        Ok(())
    })
}

#[test]
fn login_wrong_password_and_throttling() -> TestResult {
    run(async {
        let portal = portal().await?;
        register(&mut portal.browser()).await?;
        let mut browser = portal.browser();
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", "wrong-one")],
            )
            .await?;
        assert!(page.location().contains("__err="));
        assert!(!browser.cookies.contains_key("sid"));
        for _ in 0..5 {
            browser
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", PHONE), ("password", "wrong-one")],
                )
                .await?;
        }
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", PASSWORD)],
            )
            .await?;
        assert!(
            !browser.cookies.contains_key("sid"),
            "even the right password waits after 6 failures a minute"
        );
        let back = browser
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(back.body.contains("尝试太频繁了"), "a clear message");
        let mut elsewhere = portal.browser();
        elsewhere.address = "127.0.0.2:50000".parse().ok();
        let page = elsewhere
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", PASSWORD)],
            )
            .await?;
        assert_eq!(page.location(), "/me", "another address is not blocked");
        assert!(elsewhere.cookies.contains_key("sid"));
        Ok(())
    })
}

#[test]
fn state_changes_without_a_valid_csrf_token_are_refused() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        browser.get("/login").await?;
        let form = |token: &str| {
            Request::post("/api/register")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!(
                    "csrf={token}&phone={PHONE}&password={PASSWORD}&community=3&consent=on"
                )))
        };
        let page = browser.send(form("")?).await?;
        assert_eq!(page.status, StatusCode::FORBIDDEN);
        assert!(page.body.contains("请返回上一页，刷新后再试一次"));
        assert_eq!(
            browser.send(form(&"0".repeat(64))?).await?.status,
            StatusCode::FORBIDDEN
        );
        let token = browser.csrf();
        let mut cross_site = form(&token)?;
        cross_site
            .headers_mut()
            .insert("sec-fetch-site", "cross-site".parse()?);
        assert_eq!(
            browser.send(cross_site).await?.status,
            StatusCode::FORBIDDEN,
            "another site's page"
        );
        let mut stranger = portal.browser();
        assert_eq!(
            stranger.send(form(&token)?).await?.status,
            StatusCode::FORBIDDEN,
            "a token without its cookie"
        );
        assert!(
            !browser.cookies.contains_key("sid") && !stranger.cookies.contains_key("sid"),
            "nobody registered"
        );
        let page = browser.send(form(&token)?).await?;
        assert!(
            page.status.is_success() || page.status.is_redirection(),
            "the right token passes: {}",
            page.status
        );
        assert!(browser.cookies.contains_key("sid"));
        Ok(())
    })
}

#[test]
fn officer_functions_refuse_residents_and_visitors() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let page = visitor.post_form("/", "/api/staff/residents", &[]).await?;
        assert!(page.location().contains("__err="), "a visitor is refused");
        let json = |browser: &Browser| {
            Request::post("/api/staff/residents")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("x-csrf-token", browser.csrf())
                .body(Body::empty())
        };
        assert_eq!(
            visitor.send(json(&visitor)?).await?.status,
            StatusCode::UNAUTHORIZED
        );
        let mut resident = portal.browser();
        register(&mut resident).await?;
        assert_eq!(
            resident.send(json(&resident)?).await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            resident.get("/admin").await?.status,
            StatusCode::FORBIDDEN,
            "nor the staff page"
        );

        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000001",
            Some(PASSWORD),
            &[domain::accounts::Role::Officer],
            chrono::Utc::now(),
        )
        .await?;
        let mut officer = portal.browser();
        officer
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000001"), ("password", PASSWORD)],
            )
            .await?;
        let page = officer.send(json(&officer)?).await?;
        assert_eq!(page.status, StatusCode::OK, "{}", page.body);
        assert!(page.body.contains("城东社区"));
        Ok(())
    })
}

#[test]
fn logout_ends_the_session_on_the_server() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let stolen = browser.cookies.clone();
        let page = browser.post_form("/me", "/api/logout", &[]).await?;
        assert_eq!(page.location(), "/");
        assert!(!browser.cookies.contains_key("sid"));
        let mut thief = portal.browser();
        thief.cookies = stolen;
        assert_eq!(
            thief.get("/me/data.json").await?.status,
            StatusCode::UNAUTHORIZED,
            "the old cookie is worthless"
        );
        assert!(!thief.get("/me").await?.body.contains("138****1234"));
        Ok(())
    })
}

#[test]
fn a_session_from_one_process_works_in_another() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let mut same_person_elsewhere = browser.on(portal.second_process().await?);
        let me = same_person_elsewhere.get("/me").await?;
        assert!(
            me.body.contains("138****1234"),
            "the second process knows the session"
        );
        let page = same_person_elsewhere
            .post_form("/me", "/api/logout", &[])
            .await?;
        assert_eq!(page.location(), "/");
        assert!(
            !browser.get("/me").await?.body.contains("138****1234"),
            "and its sign-out counts in the first"
        );
        Ok(())
    })
}

#[test]
fn change_password_and_delete_account() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        register(&mut browser).await?;
        let page = browser
            .post_form(
                "/me",
                "/api/change-password",
                &[("old", "nope-nope"), ("new", "zhenhai-2026-haifang")],
            )
            .await?;
        assert!(page.location().contains("__err="));
        let page = browser
            .post_form(
                "/me",
                "/api/change-password",
                &[("old", PASSWORD), ("new", "zhenhai-2026-haifang")],
            )
            .await?;
        assert_eq!(page.location(), "/me?done=password");
        let page = browser
            .post_form("/me", "/api/delete-account", &[("password", "wrong-one")])
            .await?;
        assert!(
            page.location().contains("__err="),
            "deletion needs the password"
        );
        let page = browser
            .post_form(
                "/me",
                "/api/delete-account",
                &[("password", "zhenhai-2026-haifang")],
            )
            .await?;
        assert_eq!(page.location(), "/?done=deleted");
        let mut again = portal.browser();
        let page = again
            .post_form(
                "/login",
                "/api/login",
                &[("phone", PHONE), ("password", "zhenhai-2026-haifang")],
            )
            .await?;
        assert!(page.location().contains("__err="), "the account is gone");
        Ok(())
    })
}

#[test]
fn an_admin_adds_an_officer_from_the_admin_page() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000002",
            Some(PASSWORD),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let mut admin = portal.browser();
        admin
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000002"), ("password", PASSWORD)],
            )
            .await?;
        let page = admin.get("/admin").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("13700000002"), "admins see full numbers");
        let page = admin
            .post_form(
                "/admin",
                "/api/admin/add-user",
                &[
                    ("phone", "13700000003"),
                    ("password", PASSWORD),
                    ("role", "officer"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/admin?done=user");
        let mut officer = portal.browser();
        let page = officer
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "13700000003"), ("password", PASSWORD)],
            )
            .await?;
        assert_eq!(page.location(), "/me");
        let page = officer.get("/admin").await?;
        assert_eq!(page.status, StatusCode::OK, "officers see their figures…");
        assert!(
            page.body.contains("各社区注册居民") && !page.body.contains("13700000002"),
            "…but not the accounts"
        );

        let page = admin
            .post_form(
                "/admin",
                "/api/admin/revoke-role",
                &[("phone", "13700000002"), ("role", "admin")],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "an admin keeps their own admin role"
        );
        let page = admin
            .post_form(
                "/admin",
                "/api/admin/revoke-role",
                &[("phone", "13700000003"), ("role", "officer")],
            )
            .await?;
        assert_eq!(page.location(), "/admin?done=user");
        let officer_id = domain::accounts::find_by_phone(&db, "13700000003")
            .await?
            .ok_or("added")?
            .id;
        assert!(
            domain::accounts::roles_of(&db, officer_id)
                .await?
                .is_empty(),
            "the role is taken back"
        );

        let mut resident = portal.browser();
        register(&mut resident).await?;
        let page = resident
            .post_form(
                "/admin",
                "/api/admin/add-user",
                &[("phone", PHONE), ("role", "admin")],
            )
            .await?;
        assert!(
            page.location().contains("__err="),
            "a resident cannot make themselves admin"
        );
        let me = domain::accounts::find_by_phone(&db, PHONE)
            .await?
            .ok_or("registered")?;
        assert_eq!(
            domain::accounts::roles_of(&db, me.id).await?,
            vec![domain::accounts::Role::Resident]
        );
        Ok(())
    })
}
