//! Who may open which page: every page route of the app walked as a visitor, a resident, a
//! volunteer, a mediator, a liaison and an officer, against a table of the expected answer.
//! A route without a row fails the test, and so does a server function missing from the
//! list of server functions below, so nothing new ships without a rule.

mod common;

use common::{Browser, TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;

/// The people of the walk, in the order of each row's answers.
const WHO: [(&str, Option<&str>); 6] = [
    ("visitor", None),
    ("resident", Some("13900000002")),
    ("volunteer", Some("13900000311")),
    ("mediator", Some("13900000101")),
    ("liaison", Some("13900000401")),
    ("officer", Some("13900000201")),
];

/// (route, the path walked, the status for each person of `WHO`). `{case}` is a mediation
/// case of another resident at the main room (whose mediator is the walk's mediator);
/// `{loop}` a case of the closed loop at a mutual-aid station.
const PAGES: &[(&str, &str, [u16; 6])] = &[
    ("/", "/", [200; 6]),
    ("/communities", "/communities", [200; 6]),
    ("/communities/{id}", "/communities/1", [200; 6]),
    ("/mediation", "/mediation", [200; 6]),
    (
        "/mediation/new",
        "/mediation/new",
        [401, 200, 200, 200, 200, 200],
    ),
    (
        "/mediation/cases/{code}",
        "/mediation/cases/{case}",
        [401, 404, 404, 200, 404, 200],
    ),
    (
        "/mediation/video/{code}",
        "/mediation/video/{case}",
        [401, 404, 404, 422, 404, 403],
    ),
    (
        "/mediation/queue",
        "/mediation/queue",
        [401, 403, 403, 200, 403, 403],
    ),
    (
        "/mediation/rooms/{id}/schedule",
        "/mediation/rooms/1/schedule",
        [401, 403, 403, 200, 403, 403],
    ),
    ("/stats", "/stats", [200; 6]),
    ("/board", "/board", [401, 403, 200, 200, 403, 200]),
    ("/board/new", "/board/new", [401, 403, 403, 403, 403, 200]),
    (
        "/board/figures",
        "/board/figures",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/board/colours",
        "/board/colours",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/board/deadlines",
        "/board/deadlines",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/board/cases/{code}",
        "/board/cases/{loop}",
        [401, 404, 404, 404, 404, 200],
    ),
    ("/me/inbox", "/me/inbox", [401, 200, 200, 200, 200, 200]),
    // The anti-fraud register: officers and the teams (tested in `antifraud.rs`).
    ("/antifraud", "/antifraud", [401, 403, 403, 403, 403, 200]),
    (
        "/antifraud/compounds/{id}",
        "/antifraud/compounds/1",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/antifraud/households/{id}",
        "/antifraud/households/1",
        [401, 403, 403, 403, 403, 200],
    ),
    // 警企联络室: an enterprise's contacts and officers (tested in `enterprises.rs`).
    ("/enterprise", "/enterprise", [401, 404, 404, 404, 404, 404]),
    (
        "/enterprises/{id}",
        "/enterprises/1",
        [401, 404, 404, 404, 404, 200],
    ),
    ("/teahouse", "/teahouse", [200; 6]),
    ("/teahouse/search", "/teahouse/search?q=漏水", [200; 6]),
    (
        "/teahouse/moderation",
        "/teahouse/moderation",
        [401, 403, 403, 403, 403, 200],
    ),
    ("/teahouse/b/{id}", "/teahouse/b/1", [200; 6]),
    (
        "/teahouse/b/{id}/new",
        "/teahouse/b/1/new",
        [401, 200, 200, 200, 200, 200],
    ),
    ("/teahouse/t/{id}", "/teahouse/t/1", [200; 6]),
    ("/notices", "/notices", [200; 6]),
    ("/notices/archive", "/notices/archive", [200; 6]),
    (
        "/notices/desk",
        "/notices/desk",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/notices/outbox",
        "/notices/outbox",
        [401, 403, 403, 403, 403, 200],
    ),
    (
        "/notices/new",
        "/notices/new",
        [401, 403, 403, 403, 403, 200],
    ),
    ("/notices/{id}", "/notices/1", [200; 6]),
    (
        "/notices/{id}/edit",
        "/notices/1/edit",
        [401, 403, 403, 403, 403, 200],
    ),
    ("/volunteers", "/volunteers", [200; 6]),
    ("/volunteers/apply", "/volunteers/apply", [200; 6]),
    (
        "/volunteers/help",
        "/volunteers/help",
        [401, 200, 200, 200, 200, 200],
    ),
    (
        "/volunteers/lead",
        "/volunteers/lead",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/volunteers/shifts/{id}",
        "/volunteers/shifts/1",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/volunteers/hours",
        "/volunteers/hours",
        [401, 200, 200, 200, 200, 200],
    ),
    ("/me", "/me", [200; 6]),
    ("/login", "/login", [200; 6]),
    ("/register", "/register", [200; 6]),
    ("/reset", "/reset", [200; 6]),
    ("/counter", "/counter", [401, 403, 403, 403, 403, 200]),
    ("/admin", "/admin", [401, 403, 403, 403, 403, 200]),
    (
        "/admin/members",
        "/admin/members",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/audit",
        "/admin/audit",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/record",
        "/admin/record",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/station",
        "/admin/station",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/directory",
        "/admin/directory",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/school-calendar",
        "/admin/school-calendar",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/directory/new/{kind}",
        "/admin/directory/new/community",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/directory/org/{kind}/{id}",
        "/admin/directory/org/mediation_room/1",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/directory/import",
        "/admin/directory/import",
        [401, 403, 403, 403, 403, 403],
    ),
    (
        "/admin/directory/import/{id}",
        "/admin/directory/import/1",
        [401, 403, 403, 403, 403, 403],
    ),
    // The demo database has 招宝山 as its station: the first start is behind it.
    ("/setup", "/setup", [404; 6]),
    ("/privacy", "/privacy", [200; 6]),
    ("/offline", "/offline", [200; 6]),
];

/// Every server function, by endpoint, with who may call it: "public", "signed-in" (any
/// account; the function decides on the object, such as the reader's own case), or the
/// role that is checked. The walk of pages above and each feature's own HTTP tests exercise
/// them; this list makes adding one a deliberate act.
const SERVER_FUNCTIONS: &[(&str, &str)] = &[
    ("/api/communities", "public"),
    ("/api/home-communities", "public"),
    // These two answer a visitor with nothing (no unread messages, no cases).
    ("/api/inbox/unread", "public"),
    ("/api/mediation/mine", "public"),
    ("/api/community", "public"),
    ("/api/demo-mode", "public"),
    ("/api/directory-figures", "public"),
    ("/api/login", "public"),
    ("/api/logout", "public"),
    ("/api/me", "public"),
    ("/api/mediation-rooms", "public"),
    ("/api/mediation/stats", "public"),
    ("/api/mediation/video/redeem", "public"),
    ("/api/mediation/video/room", "public"),
    ("/api/notice", "public"),
    ("/api/notices", "public"),
    ("/api/notices/archive", "public"),
    ("/api/prefs", "public"),
    ("/api/register", "public"),
    ("/api/register-options", "public"),
    // A code from the counter is the key: throttled as sign-ins are.
    ("/api/reset", "public"),
    // Both answer only the machine itself before the first start, and 404 otherwise.
    ("/api/codes/status", "public"),
    ("/api/register/code", "public"),
    ("/api/reset/code", "public"),
    ("/api/setup", "public"),
    ("/api/setup/open", "public"),
    ("/api/station", "public"),
    ("/api/reported", "public"),
    ("/api/squads", "public"),
    ("/api/teahouse/board", "public"),
    ("/api/teahouse/boards", "public"),
    ("/api/teahouse/search", "public"),
    ("/api/teahouse/thread", "public"),
    ("/api/volunteers", "public"),
    ("/api/board", "signed-in"),
    ("/api/board/case", "signed-in"),
    ("/api/board/move", "signed-in"),
    ("/api/calendar", "signed-in"),
    ("/api/calendar/address", "signed-in"),
    ("/api/outbox/mine", "signed-in"),
    ("/api/me/verify-code", "signed-in"),
    ("/api/me/verify", "signed-in"),
    ("/api/outbox/choices", "signed-in"),
    ("/api/outbox/wechat-unlink", "signed-in"),
    ("/api/outbox/email-code", "signed-in"),
    ("/api/outbox/email-verify", "signed-in"),
    ("/api/outbox/email-forget", "signed-in"),
    ("/api/change-password", "signed-in"),
    ("/api/delete-account", "signed-in"),
    ("/api/inbox", "signed-in"),
    ("/api/mediation/book", "signed-in"),
    ("/api/mediation/cancel", "signed-in"),
    ("/api/mediation/case", "signed-in"),
    ("/api/mediation/follow-up", "signed-in"),
    ("/api/mediation/referral-result", "signed-in"),
    ("/api/mediation/options", "signed-in"),
    ("/api/mediation/request", "signed-in"),
    ("/api/teahouse/accept", "signed-in"),
    ("/api/teahouse/flag", "signed-in"),
    ("/api/teahouse/new-thread", "signed-in"),
    ("/api/teahouse/reply", "signed-in"),
    ("/api/teahouse/resolve", "signed-in"),
    ("/api/teahouse/start", "signed-in"),
    ("/api/volunteers/apply", "signed-in"),
    ("/api/volunteers/help", "signed-in"),
    ("/api/volunteers/help/ask", "signed-in"),
    ("/api/volunteers/help/close", "signed-in"),
    ("/api/volunteers/help/take", "signed-in"),
    ("/api/volunteers/hours", "signed-in"),
    ("/api/volunteers/ranking", "signed-in"),
    ("/api/mediation/accept", "mediator"),
    ("/api/mediation/decline", "mediator"),
    ("/api/mediation/escalate", "mediator"),
    ("/api/mediation/outcome", "mediator"),
    ("/api/mediation/propose", "mediator"),
    ("/api/mediation/queue", "mediator"),
    ("/api/mediation/schedule", "mediator"),
    ("/api/mediation/schedule/add", "mediator"),
    ("/api/mediation/schedule/remove", "mediator"),
    ("/api/mediation/schedule/save", "mediator"),
    ("/api/mediation/video/invite", "mediator"),
    ("/api/volunteers/add-to-roster", "squad leader"),
    ("/api/volunteers/attend", "squad leader"),
    ("/api/volunteers/decide", "squad leader"),
    ("/api/volunteers/lead", "squad leader"),
    ("/api/volunteers/publish", "squad leader"),
    ("/api/volunteers/roster", "squad leader"),
    ("/api/volunteers/shift", "squad leader"),
    ("/api/antifraud", "anti-fraud team"),
    ("/api/antifraud/compound", "anti-fraud team"),
    ("/api/antifraud/household", "anti-fraud team"),
    ("/api/antifraud/households/add", "anti-fraud team"),
    ("/api/antifraud/visit", "anti-fraud team"),
    ("/api/antifraud/loss", "anti-fraud team"),
    ("/api/enterprise", "enterprise contact"),
    ("/api/enterprise/request", "enterprise contact"),
    ("/api/board/bulk-assign", "officer"),
    ("/api/board/colours", "officer"),
    ("/api/board/deadline", "officer"),
    ("/api/board/deadlines", "officer"),
    ("/api/board/figures", "officer"),
    ("/api/board/open", "officer"),
    ("/api/board/open-options", "officer"),
    ("/api/notices/cancel", "officer"),
    ("/api/notices/desk", "officer"),
    ("/api/outbox/list", "officer"),
    ("/api/outbox/retry", "officer"),
    ("/api/notices/editor", "officer"),
    ("/api/notices/publish", "officer"),
    ("/api/notices/save", "officer"),
    ("/api/staff/residents", "officer"),
    ("/api/counter/code", "officer"),
    ("/api/counter/register", "officer"),
    ("/api/counter/reset-code", "officer"),
    ("/api/teahouse/moderate-post", "officer"),
    ("/api/teahouse/moderate-thread", "officer"),
    ("/api/teahouse/moderation", "officer"),
    ("/api/teahouse/to-case", "officer"),
    ("/api/admin/add-liaison", "admin"),
    ("/api/admin/add-user", "admin"),
    ("/api/admin/assign-mediator", "admin"),
    ("/api/admin/open-board", "admin"),
    ("/api/admin/revoke-role", "admin"),
    ("/api/admin/memberships", "admin"),
    ("/api/admin/remove-member", "admin"),
    ("/api/admin/audit", "admin"),
    ("/api/admin/station", "admin"),
    ("/api/admin/record", "admin"),
    ("/api/admin/record/remove", "admin"),
    ("/api/admin/directory", "admin"),
    ("/api/admin/school-calendar", "admin"),
    ("/api/admin/school-calendar/term", "admin"),
    ("/api/admin/school-calendar/term/remove", "admin"),
    ("/api/admin/school-calendar/holiday", "admin"),
    ("/api/admin/school-calendar/holiday/remove", "admin"),
    ("/api/admin/directory/choices", "admin"),
    ("/api/admin/directory/org", "admin"),
    ("/api/admin/directory/create", "admin"),
    ("/api/admin/directory/save", "admin"),
    ("/api/admin/directory/retire", "admin"),
    ("/api/admin/directory/restore", "admin"),
    ("/api/admin/directory/add-person", "admin"),
    ("/api/admin/directory/remove-person", "admin"),
    ("/api/admin/directory/import", "admin"),
    ("/api/admin/directory/apply", "admin"),
    ("/api/admin/teahouse-options", "admin"),
    ("/api/admin/users", "admin"),
];

#[test]
fn every_page_answers_each_person_as_the_table_says() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let (case, loop_case) = samples(&db).await?;
        let mut browsers: Vec<Browser> = Vec::new();
        for (_, phone) in WHO {
            browsers.push(match phone {
                Some(phone) => portal.sign_in(phone, DEMO_PASSWORD).await?,
                None => portal.browser(),
            });
        }
        let routes: Vec<String> = leptos_axum::generate_route_list(app::App)
            .into_iter()
            .map(|r| r.path().to_owned())
            .collect();
        let mut wrong = Vec::new();
        for route in &routes {
            let Some((_, sample, expected)) = PAGES.iter().find(|(p, _, _)| p == route) else {
                wrong.push(format!("{route}: no row in PAGES"));
                continue;
            };
            let path = sample
                .replace("{case}", &case)
                .replace("{loop}", &loop_case);
            for (i, browser) in browsers.iter_mut().enumerate() {
                let status = browser.get(&path).await?.status.as_u16();
                if status != expected[i] {
                    wrong.push(format!(
                        "{path} as {}: {status}, expected {}",
                        WHO[i].0, expected[i]
                    ));
                }
            }
        }
        for (route, _, _) in PAGES {
            if !routes.iter().any(|r| r == route) {
                wrong.push(format!("{route}: in PAGES but no longer a route"));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        Ok(())
    })
}

/// A visitor gets nothing from a server function that is not public, whatever it asks.
#[test]
fn visitors_get_nothing_from_what_is_not_public() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let mut leaked = Vec::new();
        for (path, method) in leptos::server_fn::axum::server_fn_paths() {
            let Some((_, level)) = SERVER_FUNCTIONS.iter().find(|(p, _)| *p == path) else {
                continue;
            };
            if *level == "public" {
                continue;
            }
            let page = if method == axum::http::Method::GET {
                visitor.get(&format!("{path}?code=X&id=1&q=x")).await?
            } else {
                visitor
                    .post_form("/", path, &[("id", "1"), ("code", "X")])
                    .await?
            };
            let refused = page.status.is_client_error()
                || (page.status.is_redirection() && page.location().contains("__err"));
            if !refused {
                leaked.push(format!("{method} {path}: {}", page.status));
            }
        }
        assert!(leaked.is_empty(), "{}", leaked.join("\n"));
        Ok(())
    })
}

#[test]
fn every_server_function_has_a_rule() {
    let mut missing: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.to_owned())
        .filter(|path| !SERVER_FUNCTIONS.iter().any(|(p, _)| p == path))
        .collect();
    missing.sort();
    assert!(
        missing.is_empty(),
        "server functions without a rule:\n{}",
        missing.join("\n")
    );
}

/// A mediation case of resident 13900000001 at the main room, and a walk-in at a station.
async fn samples(db: &domain::DatabaseConnection) -> Result<(String, String), common::Error> {
    use domain::entities::mediation_room;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    let account = |phone: &'static str| async move {
        let user = domain::accounts::find_by_phone(db, phone)
            .await?
            .ok_or("a demo account")?;
        let roles = domain::accounts::roles_of(db, user.id).await?;
        Ok::<_, common::Error>(domain::accounts::Account { user, roles })
    };
    let resident = account("13900000001").await?;
    let main = mediation_room::Entity::find()
        .filter(mediation_room::Column::ParentId.is_null())
        .one(db)
        .await?
        .ok_or("the main room")?;
    let case = domain::mediation::request(
        db,
        &resident,
        domain::mediation::CaseRequest {
            dispute_type: "neighbours".into(),
            account: "楼道里的自行车挡住了消防通道。".into(),
            other_party: "三楼住户".into(),
            mode: "in_person".into(),
            room_id: main.id,
            ..Default::default()
        },
        &domain::mediation::Policy::default(),
        chrono::Utc::now(),
    )
    .await?;
    let officer = account("13900000201").await?;
    let walk_in = domain::casework::open(
        db,
        &officer,
        domain::casework::NewCase {
            kind: "walk_in".into(),
            title: "楼道堆物影响通行".into(),
            ..Default::default()
        },
        chrono::Utc::now(),
    )
    .await?;
    Ok((case.code, walk_in.code))
}
