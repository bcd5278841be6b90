//! The routes as a browser or a monitoring system sees them, against a real database
//! (SQLite, or PostgreSQL when TEST_DATABASE_URL says so) loaded with the demo directory.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};

mod common;

use common::{TestResult, portal, run};

/// A GET with the given headers and no cookies, as `common::Browser` sends it.
async fn get(
    portal: &common::Portal,
    uri: &str,
    headers: &[(&str, &str)],
) -> Result<(StatusCode, header::HeaderMap, String), common::Error> {
    let mut request = Request::get(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let page = portal.browser().send(request.body(Body::empty())?).await?;
    Ok((page.status, page.headers, page.body))
}

#[test]
fn health_reports_the_database() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (status, headers, body) = get(&portal, "/healthz", &[]).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes()),
            Some(&b"application/json"[..])
        );
        let json: serde_json::Value = serde_json::from_str(&body)?;
        assert_eq!(json["status"], "ok");
        assert_eq!(json["database"], "ok");
        assert_eq!(json["engine"], domain::testing::engine());
        Ok(())
    })
}

#[test]
fn unknown_paths_get_a_real_404_page() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (status, _, body) = get(&portal, "/no/such/page", &[]).await?;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(
            body.contains("没有找到您要的页面"),
            "the 404 page speaks Chinese by default"
        );
        assert!(body.contains("class=\"tabs\""), "and keeps the navigation");
        Ok(())
    })
}

#[test]
fn home_lists_the_communities_with_a_strict_policy() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (status, headers, body) = get(&portal, "/", &[]).await?;
        assert_eq!(status, StatusCode::OK);
        assert!(body.contains("<html lang=\"zh-CN\""));
        assert!(body.contains("总浦桥社区") && body.contains("招宝社区"));
        assert!(body.contains("演示数据"), "demo data is announced");
        let csp = headers
            .get(header::CONTENT_SECURITY_POLICY)
            .ok_or("no CSP")?
            .to_str()?;
        assert!(
            csp.contains("script-src 'nonce-") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            headers
                .get(header::X_CONTENT_TYPE_OPTIONS)
                .map(|v| v.as_bytes()),
            Some(&b"nosniff"[..])
        );
        Ok(())
    })
}

/// A page without an island loads no bundle; a page with one (a notice's 读给我听, a
/// signed-in person's unread count) loads it (`server::islands`).
#[test]
fn the_bundle_is_loaded_only_by_pages_with_an_island() -> TestResult {
    run(async {
        let portal = portal().await?;
        let bundle =
            |body: &str| body.contains("/pkg/portal.wasm") && body.contains("type=\"module\"");
        for uri in ["/", "/notices", "/teahouse", "/communities/1"] {
            let (status, _, body) = get(&portal, uri, &[]).await?;
            assert_eq!(status, StatusCode::OK, "{uri}");
            assert!(
                !body.contains("<leptos-island") && !bundle(&body),
                "{uri} loads no WASM"
            );
            assert!(body.contains("/pwa.js"), "{uri} keeps its other scripts");
        }
        let notices = get(&portal, "/notices", &[]).await?.2;
        let first = notices
            .split("href=\"/notices/")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .find(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            .ok_or("no notice listed")?;
        let (_, _, notice) = get(&portal, &format!("/notices/{first}"), &[]).await?;
        assert!(
            notice.contains("<leptos-island") && bundle(&notice),
            "a notice can be read aloud"
        );
        let mut resident = portal
            .sign_in("13900000001", domain::demo::DEMO_PASSWORD)
            .await?;
        assert!(
            bundle(&resident.get("/notices").await?.body),
            "the unread count is live"
        );
        Ok(())
    })
}

#[test]
fn a_community_page_names_who_serves_it() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (status, _, body) = get(&portal, "/communities/1", &[]).await?;
        assert_eq!(status, StatusCode::OK);
        for expected in [
            "总浦桥社区",
            "总浦桥警务室",
            "老何调解室·总浦桥分室",
            "老何调解室",
            "自治互助站",
        ] {
            assert!(body.contains(expected), "missing {expected}");
        }
        for missing in ["/communities/999", "/communities/abc"] {
            let (status, _, body) = get(&portal, missing, &[]).await?;
            assert_eq!(status, StatusCode::NOT_FOUND, "{missing}");
            assert!(body.contains("没有找到"));
        }
        Ok(())
    })
}

#[test]
fn english_is_chosen_by_cookie_or_browser() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (_, _, body) = get(&portal, "/communities", &[("cookie", "lang=en")]).await?;
        assert!(body.contains("<html lang=\"en\"") && body.contains("Communities"));
        let (_, _, body) = get(
            &portal,
            "/communities",
            &[("accept-language", "en-GB,en;q=0.9")],
        )
        .await?;
        assert!(body.contains("<html lang=\"en\""));
        let (_, _, body) = get(
            &portal,
            "/communities",
            &[("accept-language", "en"), ("cookie", "lang=zh-CN")],
        )
        .await?;
        assert!(
            body.contains("<html lang=\"zh-CN\""),
            "the stored choice wins over the browser"
        );
        let (_, _, body) = get(&portal, "/", &[("cookie", "text=large")]).await?;
        assert!(
            body.contains("class=\"large\""),
            "large text is on from the first byte"
        );
        let (_, _, body) = get(&portal, "/", &[("cookie", "text=larger; contrast=on")]).await?;
        assert!(
            body.contains("class=\"larger contrast\""),
            "the largest text and high contrast are on from the first byte"
        );
        Ok(())
    })
}

#[test]
fn preferences_post_without_javascript_and_come_back() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = portal.browser();
        let page = browser
            .post_form("/communities/2", "/api/prefs", &[("lang", "en")])
            .await?;
        assert_eq!(page.status, StatusCode::FOUND);
        assert!(
            page.location()
                .starts_with("http://127.0.0.1:3000/communities/2"),
            "back to the page"
        );
        assert_eq!(browser.cookies.get("lang").map(String::as_str), Some("en"));
        let page = browser.get("/communities/2").await?;
        assert!(page.body.contains("<html lang=\"en\""));

        let page = browser
            .post_form("/", "/api/prefs", &[("lang", "klingon")])
            .await?;
        assert!(
            page.location().contains("__err="),
            "the error comes back to the page"
        );
        assert_eq!(
            browser.cookies.get("lang").map(String::as_str),
            Some("en"),
            "nothing changed"
        );
        Ok(())
    })
}

#[test]
fn pages_and_assets_are_compressed_and_cached() -> TestResult {
    run(async {
        let portal = portal().await?;
        let (status, headers, _) =
            get(&portal, "/communities", &[("accept-encoding", "br")]).await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()),
            Some(&b"br"[..])
        );

        let (status, headers, _) = get(
            &portal,
            "/pkg/portal.css",
            &[("accept-encoding", "gzip, br")],
        )
        .await?;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()),
            Some(&b"br"[..])
        );
        assert_eq!(
            headers.get(header::CACHE_CONTROL).map(|v| v.as_bytes()),
            Some(&b"no-cache"[..])
        );
        assert!(
            headers.contains_key(header::LAST_MODIFIED),
            "revalidation is a cheap 304"
        );
        assert!(
            !headers.contains_key(header::SET_COOKIE),
            "a file never carries a page's cookies"
        );
        assert_eq!(
            headers
                .get(header::CONTENT_SECURITY_POLICY)
                .map(|v| v.as_bytes()),
            Some(&b"default-src 'none'; frame-ancestors 'none'"[..]),
            "nor a page's policy"
        );

        let (_, headers, body) =
            get(&portal, "/pkg/portal.css", &[("accept-encoding", "gzip")]).await?;
        assert_eq!(
            headers.get(header::CONTENT_ENCODING).map(|v| v.as_bytes()),
            Some(&b"gzip"[..])
        );
        assert!(!body.is_empty());
        Ok(())
    })
}
