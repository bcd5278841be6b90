//! Rate limits per client address: past the writes a minute allows, a browser gets 429 with
//! a page that says what happened, and other addresses carry on.

mod common;

use axum::http::{StatusCode, header};
use common::{Browser, Error, Page, Portal, TestResult, portal_with, run};

/// A portal allowing this many writes a minute from one address.
async fn portal_allowing(writes_per_minute: u32) -> Result<Portal, Error> {
    let mut web = server::config::WebSettings::default();
    web.limits.writes_per_minute = writes_per_minute;
    portal_with(web).await
}

/// A browser at `address` (host:port).
fn browser_at(portal: &Portal, address: &str) -> Browser {
    let mut browser = portal.browser();
    browser.address = address.parse().ok();
    browser
}

/// A cheap write (the language preference): the flood must outrun the limit's refill, which
/// a run of argon2 sign-ins on a busy machine might not.
async fn write(browser: &mut Browser) -> Result<Page, Error> {
    browser
        .post_form("/", "/api/prefs", &[("lang", "zh-CN")])
        .await
}

/// A sign-in with the demo account's password.
async fn sign_in(browser: &mut Browser) -> Result<Page, Error> {
    browser
        .post_form(
            "/login",
            "/api/login",
            &[
                ("phone", "13900000001"),
                ("password", domain::demo::DEMO_PASSWORD),
            ],
        )
        .await
}

fn turned_away(page: &Page) -> bool {
    page.status == StatusCode::TOO_MANY_REQUESTS
}

#[test]
fn a_flood_of_writes_from_one_address_is_turned_away_with_a_clear_page() -> TestResult {
    run(async {
        let portal = portal_allowing(5).await?;
        let mut flooder = portal.browser();
        let mut answers = Vec::new();
        for _ in 0..6 {
            answers.push(write(&mut flooder).await?);
        }
        assert!(
            !answers[..5].iter().any(turned_away),
            "five writes a minute are allowed"
        );
        let refused = &answers[5];
        assert!(turned_away(refused));
        // Five writes a minute earn one back every twelve seconds, counted from the first
        // write.
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

        let mut neighbour = browser_at(&portal, "127.0.0.2:50000");
        let page = sign_in(&mut neighbour).await?;
        assert_eq!(page.status, StatusCode::FOUND, "another address signs in");
        Ok(())
    })
}

/// A phone on IPv6 may take a new address of its /64 for every request: the limit counts the
/// network, so changing addresses does not buy new writes, while the next network carries on.
#[test]
fn new_ipv6_addresses_of_one_network_share_its_limit() -> TestResult {
    run(async {
        let portal = portal_allowing(3).await?;
        let mut answers = Vec::new();
        for n in 1..=4 {
            let mut phone = browser_at(&portal, &format!("[2408:8456:1:2::{n}]:50000"));
            answers.push(write(&mut phone).await?);
        }
        let refused: Vec<bool> = answers.iter().map(turned_away).collect();
        assert_eq!(refused, [false, false, false, true]);

        let mut neighbour = browser_at(&portal, "[2408:8456:1:3::1]:50000");
        let page = sign_in(&mut neighbour).await?;
        assert_eq!(page.status, StatusCode::FOUND, "the next network signs in");
        Ok(())
    })
}
