//! Promises of the web layer a review found broken: where a sign-in sends the browser, who
//! may post, what is kept in caches, how large a request may be, and the demo accounts on a
//! live portal. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Error, TestResult, portal, portal_with, run};
use domain::demo::DEMO_PASSWORD;

const RESIDENT: &str = "13900000001";

async fn sign_in_going_to(browser: &mut Browser, next: &str) -> Result<String, Error> {
    let page = browser
        .post_form(
            "/login",
            "/api/login",
            &[
                ("phone", RESIDENT),
                ("password", DEMO_PASSWORD),
                ("next", next),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "signed in");
    Ok(page.location().to_owned())
}

#[test]
fn after_signing_in_the_browser_goes_only_to_a_page_of_this_site() -> TestResult {
    run(async {
        let portal = portal().await?;
        for elsewhere in [
            "/\t/evil.example",
            "/\n/evil.example",
            "//evil.example",
            "/\\evil.example",
            "https://evil.example/",
            " /me",
        ] {
            let mut browser = portal.browser();
            assert_eq!(
                sign_in_going_to(&mut browser, elsewhere).await?,
                "/me",
                "{elsewhere:?}"
            );
        }
        let mut browser = portal.browser();
        assert_eq!(
            sign_in_going_to(&mut browser, "/mediation/new?room=2").await?,
            "/mediation/new?room=2",
            "a page of this site is where the person was going"
        );
        // The link a login prompt carries, as a browser decodes it into the hidden field.
        let mut browser = portal.browser();
        let page = browser.get("/login?next=/%09/evil.example").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert_eq!(
            sign_in_going_to(&mut browser, "/\t/evil.example").await?,
            "/me"
        );
        Ok(())
    })
}

#[test]
fn a_post_from_a_sibling_site_is_refused_like_one_from_another_site() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        browser.get("/").await?;
        let post = |from: &str, token: &str| {
            Request::post("/api/prefs")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header("sec-fetch-site", from)
                .body(Body::from(format!("csrf={token}&lang=en")))
        };
        let token = browser.csrf();
        for from in ["same-site", "cross-site"] {
            let page = browser.send(post(from, &token)?).await?;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{from}");
        }
        for from in ["same-origin", "none"] {
            let page = browser.send(post(from, &token)?).await?;
            assert_ne!(page.status, StatusCode::FORBIDDEN, "{from}");
        }
        Ok(())
    })
}

#[test]
fn what_is_shown_to_a_signed_in_person_is_never_kept_in_a_cache() -> TestResult {
    run(async {
        let portal = portal().await?;
        let cache = |page: &common::Page| {
            page.headers
                .get(header::CACHE_CONTROL)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned()
        };
        let mut visitor = portal.browser();
        assert_eq!(
            cache(&visitor.get("/notices").await?),
            "no-store",
            "sets the CSRF cookie"
        );
        assert_eq!(
            cache(&visitor.get("/notices").await?),
            "no-cache",
            "a visitor's page is revalidated but may be kept"
        );
        assert_eq!(cache(&visitor.get("/pkg/portal.css").await?), "no-cache");

        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        for path in ["/me", "/mediation", "/notices", "/me/inbox"] {
            let page = resident.get(path).await?;
            assert_eq!(page.status, StatusCode::OK, "{path}");
            assert_eq!(cache(&page), "no-store", "{path}");
        }
        let answer = resident
            .send(
                Request::post("/api/me")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .header("x-csrf-token", resident.csrf())
                    .body(Body::empty())?,
            )
            .await?;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(
            answer.body.contains("****"),
            "the answer carries the masked phone"
        );
        assert_eq!(cache(&answer), "no-store", "a server function's answer");
        assert_eq!(
            cache(&resident.get("/pkg/portal.css").await?),
            "no-cache",
            "the stylesheet is the same for everybody"
        );
        Ok(())
    })
}

#[test]
fn a_body_larger_than_any_form_is_refused_on_every_route() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        browser.get("/").await?;
        let huge = "x".repeat(300 * 1024);
        for path in [
            "/api/login",
            "/healthz",
            "/mediation/video/ZBS-2026-AAAAAA/ws",
            "/nowhere",
        ] {
            let page = browser
                .send(
                    Request::post(path)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        .header("x-csrf-token", browser.csrf())
                        .header(header::CONTENT_LENGTH, huge.len())
                        .body(Body::from(huge.clone()))?,
                )
                .await?;
            assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        }
        Ok(())
    })
}

/// The page's script calls server functions itself: a refusal answers with its own status
/// (what a monitoring system counts), and a fault of the server stays 500.
#[test]
fn a_server_function_refusing_a_script_answers_with_the_refusals_status() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        browser.get("/login").await?;
        let call = |browser: &Browser, path: &str, body: &str| {
            Request::post(path)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "application/json")
                .header("x-csrf-token", browser.csrf())
                .body(Body::from(body.to_owned()))
        };
        let signed_out = browser.get("/api/board").await?;
        assert_eq!(
            signed_out.status,
            StatusCode::UNAUTHORIZED,
            "{}",
            signed_out.body
        );
        let cases = [
            (
                "/api/login",
                "phone=12&password=x",
                StatusCode::UNPROCESSABLE_ENTITY,
                "Invalid",
            ),
            (
                "/api/login",
                "password=x",
                StatusCode::UNPROCESSABLE_ENTITY,
                "error-invalid",
            ),
        ];
        for (path, body, status, said) in cases {
            let request = call(&browser, path, body)?;
            let page = browser.send(request).await?;
            assert_eq!(page.status, status, "{path} {body}: {}", page.body);
            assert!(page.body.contains(said), "{path} {body}: {}", page.body);
        }
        // The same refusal to a form without JavaScript is the way back to the form.
        let page = browser
            .post_form(
                "/login",
                "/api/login",
                &[("phone", "12"), ("password", "x")],
            )
            .await?;
        assert!(page.status.is_redirection(), "{}", page.status);
        Ok(())
    })
}

/// Over https, cookies are named `__Host-…`: a form carries the token of that cookie.
async fn sign_in_over_https(browser: &mut Browser, password: &str) -> Result<common::Page, Error> {
    browser.get("/login").await?;
    let token = browser
        .cookies
        .get("__Host-csrf")
        .cloned()
        .ok_or("the CSRF cookie takes the __Host- prefix over https")?;
    let body = format!(
        "csrf={token}&phone={RESIDENT}&password={}",
        common::urlencode(password)
    );
    browser
        .send(
            Request::post("/api/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::ACCEPT, "text/html")
                .header(header::REFERER, "https://portal.test/login")
                .body(Body::from(body))?,
        )
        .await
}

#[test]
fn the_published_demo_password_opens_nothing_on_a_live_portal() -> TestResult {
    run(async {
        let live = server::config::WebSettings {
            https: true,
            ..Default::default()
        };
        let portal = portal_with(live.clone()).await?;
        let mut browser = portal.browser();
        let page = sign_in_over_https(&mut browser, DEMO_PASSWORD).await?;
        assert!(!browser.cookies.contains_key("__Host-sid"), "not signed in");
        let back = browser.get(page.location()).await?;
        assert!(
            back.body.contains("这是演示账号的公开密码"),
            "the person reads why: {}",
            back.body
        );

        let demonstration = portal_with(server::config::WebSettings {
            demo_sign_in: true,
            ..live
        })
        .await?;
        let mut browser = demonstration.browser();
        let page = sign_in_over_https(&mut browser, DEMO_PASSWORD).await?;
        assert_eq!(page.status, StatusCode::FOUND);
        assert!(
            browser.cookies.contains_key("__Host-sid"),
            "the operator allowed it for a public demonstration"
        );
        Ok(())
    })
}
