//! Rate limits per client address: past the writes a minute allows, a browser gets 429 with
//! a page that says what happened, and other addresses carry on.

mod common;

use axum::http::{StatusCode, header};
use common::{TestResult, portal_with, run};

#[test]
fn a_flood_of_writes_from_one_address_is_turned_away_with_a_clear_page() -> TestResult {
    run(async {
        let mut web = server::config::WebSettings::default();
        web.limits.writes_per_minute = 5;
        let portal = portal_with(web).await?;
        let mut flooder = portal.browser();
        let mut answers = Vec::new();
        for _ in 0..6 {
            let page = flooder
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", "13900000001"), ("password", "wrong-password-1")],
                )
                .await?;
            answers.push(page);
        }
        assert!(
            answers[..5]
                .iter()
                .all(|p| p.status != StatusCode::TOO_MANY_REQUESTS),
            "five writes a minute are allowed"
        );
        let refused = &answers[5];
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        // Five writes a minute earn one back every twelve seconds, counted from the first
        // write (the five sign-ins took some of them).
        let retry_after = refused
            .headers
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        assert!(
            retry_after.is_some_and(|seconds| (1..=12).contains(&seconds)),
            "Retry-After {retry_after:?}"
        );
        assert!(
            refused.body.contains("操作太频繁了") && refused.body.contains("Too many requests")
        );
        assert_eq!(
            flooder.get("/").await?.status,
            StatusCode::OK,
            "reading goes on"
        );

        let mut neighbour = portal.browser();
        neighbour.address = "127.0.0.2:50000".parse().ok();
        let page = neighbour
            .post_form(
                "/login",
                "/api/login",
                &[
                    ("phone", "13900000001"),
                    ("password", domain::demo::DEMO_PASSWORD),
                ],
            )
            .await?;
        assert_eq!(page.status, StatusCode::FOUND, "another address signs in");
        Ok(())
    })
}

/// A phone on IPv6 may take a new address of its /64 for every request: the limit counts the
/// network, so changing addresses does not buy new writes, while the next network carries on.
#[test]
fn new_ipv6_addresses_of_one_network_share_its_limit() -> TestResult {
    run(async {
        let mut web = server::config::WebSettings::default();
        web.limits.writes_per_minute = 3;
        let portal = portal_with(web).await?;
        let mut statuses = Vec::new();
        for n in 1..=4 {
            let mut phone = portal.browser();
            phone.address = format!("[2408:8456:1:2::{n}]:50000").parse().ok();
            let page = phone
                .post_form(
                    "/login",
                    "/api/login",
                    &[("phone", "13900000001"), ("password", "wrong-password-1")],
                )
                .await?;
            statuses.push(page.status);
        }
        assert!(
            statuses[..3]
                .iter()
                .all(|s| *s != StatusCode::TOO_MANY_REQUESTS),
            "{statuses:?}"
        );
        assert_eq!(statuses[3], StatusCode::TOO_MANY_REQUESTS, "{statuses:?}");

        let mut neighbour = portal.browser();
        neighbour.address = "[2408:8456:1:3::1]:50000".parse().ok();
        let page = neighbour
            .post_form(
                "/login",
                "/api/login",
                &[
                    ("phone", "13900000001"),
                    ("password", domain::demo::DEMO_PASSWORD),
                ],
            )
            .await?;
        assert_eq!(page.status, StatusCode::FOUND, "the next network signs in");
        Ok(())
    })
}
