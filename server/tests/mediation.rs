//! 你点我调 over HTTP, as phones without JavaScript use it: forms, redirects, who may see
//! and do what. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL says so.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Browser, Error, Portal, TestResult, portal, run};
use domain::demo::DEMO_PASSWORD;
use domain::entities::mediation_case;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

/// The demo mediator of 老何调解室·总浦桥分室, the room of 总浦桥社区 (community 1).
const MEDIATOR: &str = "13900000102";
const OFFICER: &str = "13900000201";
const PASSWORD: &str = "haitian-xiongzhen";

async fn resident(portal: &Portal, phone: &str) -> Result<Browser, Error> {
    let mut browser = portal.browser();
    let page = browser
        .post_form(
            "/register",
            "/api/register",
            &[
                ("phone", phone),
                ("password", PASSWORD),
                ("community", "1"),
                ("consent", "on"),
            ],
        )
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    Ok(browser)
}

const REQUEST: [(&str, &str); 9] = [
    ("request[dispute_type]", "neighbours"),
    (
        "request[account]",
        "楼上每天夜里十二点以后还在拖椅子，说过两次没有用。",
    ),
    ("request[other_party]", "楼上 502 住户"),
    ("request[other_relation]", "邻居"),
    ("request[other_phone]", "13812345678"),
    ("request[amount]", ""),
    ("request[tried_aid_station]", "yes"),
    ("request[mode]", "in_person"),
    ("request[room]", "2"),
];

async fn cases(portal: &Portal) -> Result<u64, Error> {
    let db = domain::db::connect(&portal.db_url).await?;
    Ok(mediation_case::Entity::find().count(&db).await?)
}

/// Files the request; returns the case page's path.
async fn file(browser: &mut Browser) -> Result<String, Error> {
    let page = browser
        .post_form("/mediation/new", "/api/mediation/request", &REQUEST)
        .await?;
    assert_eq!(page.status, StatusCode::FOUND, "{}", page.body);
    let location = page.location().to_owned();
    assert!(
        location.starts_with("/mediation/cases/ZBS-") && location.ends_with("?done=requested"),
        "{location}"
    );
    Ok(location.trim_end_matches("?done=requested").to_owned())
}

/// The value of the second slot button on a page: the first may pass its booking cut-off
/// between the page and the post.
fn second_slot(body: &str) -> Option<String> {
    let marker = "name=\"starts_at\" value=\"";
    let value = body.split(marker).nth(2)?;
    Some(value.split('"').next()?.replace("&#x2B;", "+"))
}

/// Owned form fields as `post_form` takes them.
fn pairs<'a>(fields: &'a [(&'a str, String)]) -> Vec<(&'a str, &'a str)> {
    fields.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn code_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or_default()
}

#[test]
fn a_visitor_is_asked_to_sign_in_and_nothing_is_filed() -> TestResult {
    run(async {
        let portal = portal().await?;
        let before = cases(&portal).await?;
        let mut visitor = portal.browser();
        let page = visitor.get("/mediation/new").await?;
        assert_eq!(page.status, StatusCode::UNAUTHORIZED);
        assert!(
            page.body.contains("/login?next=/mediation/new"),
            "a way to sign in and back"
        );
        let page = visitor
            .post_form("/mediation/new", "/api/mediation/request", &REQUEST)
            .await?;
        assert!(page.location().contains("__err"), "{}", page.location());
        assert_eq!(cases(&portal).await?, before);
        Ok(())
    })
}

#[test]
fn bad_input_is_explained_in_the_form_and_changes_nothing() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut browser = resident(&portal, "13812341111").await?;
        let before = cases(&portal).await?;
        let mut fields = REQUEST;
        fields[1] = ("request[account]", "太短");
        let page = browser
            .post_form("/mediation/new", "/api/mediation/request", &fields)
            .await?;
        let back = page.location().to_owned();
        assert!(
            back.starts_with("http://127.0.0.1:3000/mediation/new?"),
            "{back}"
        );
        let form = browser
            .get(back.trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            form.body.contains("事情经过请写 10 到 1000 字。"),
            "the rule in words"
        );
        fields = REQUEST;
        fields[5] = ("request[amount]", "一万");
        let page = browser
            .post_form("/mediation/new", "/api/mediation/request", &fields)
            .await?;
        assert!(page.location().contains("__err"));
        assert_eq!(cases(&portal).await?, before, "nothing written");
        Ok(())
    })
}

#[test]
fn a_case_from_request_to_follow_up_and_the_figures_follow() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let stats = visitor.get("/api/v1/mediation/stats").await?;
        assert_eq!(stats.status, StatusCode::OK);
        let before: serde_json::Value = serde_json::from_str(&stats.body)?;
        assert_eq!(
            before["total"]["received"],
            serde_json::json!(cases(&portal).await?),
            "the figures reconcile with the rows"
        );

        let mut resident = resident(&portal, "13812342222").await?;
        let case = file(&mut resident).await?;
        let page = resident.get(&case).await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("138****5678"),
            "the other party's number masked"
        );
        assert!(!page.body.contains("13812345678"));
        let slot = second_slot(&page.body).ok_or("the case page offers slots")?;
        let booked = resident
            .post_form(
                &case,
                "/api/mediation/book",
                &[("code", code_of(&case)), ("starts_at", &slot)],
            )
            .await?;
        assert_eq!(booked.location(), format!("{case}?done=booked"));

        // A resident cannot act as the mediator.
        let refused = resident
            .post_form(&case, "/api/mediation/accept", &[("code", code_of(&case))])
            .await?;
        assert!(refused.location().contains("__err"));

        let mut mediator = portal.sign_in(MEDIATOR, DEMO_PASSWORD).await?;
        let queue = mediator.get("/mediation/queue").await?;
        assert!(
            queue.body.contains(code_of(&case)),
            "the request is in the queue"
        );
        let page = mediator.get(&case).await?;
        assert!(
            page.body.contains("13812345678"),
            "mediators see the number whole"
        );
        for (action, fields) in [
            ("/api/mediation/accept", vec![("code", code_of(&case))]),
            (
                "/api/mediation/outcome",
                vec![
                    ("code", code_of(&case)),
                    ("outcome", "reached"),
                    ("agreement", "每晚十点后不拖动家具。"),
                    ("amount", "1,200"),
                ],
            ),
        ] {
            let page = mediator.post_form(&case, action, &fields).await?;
            assert!(
                !page.location().contains("__err"),
                "{action}: {}",
                page.location()
            );
        }
        let page = resident
            .post_form(
                &case,
                "/api/mediation/follow-up",
                &[("code", code_of(&case)), ("rating", "5"), ("comment", "")],
            )
            .await?;
        assert_eq!(page.location(), format!("{case}?done=followed-up"));
        let page = resident.get(&case).await?;
        assert!(page.body.contains("已办结"));
        let inbox = resident.get("/me/inbox").await?;
        assert!(
            inbox
                .body
                .contains(&format!("案件 {} 已确认受理", code_of(&case)))
        );

        let data = resident.get("/me/data.json").await?;
        assert!(
            data.body.contains(code_of(&case)),
            "my cases are part of my data"
        );

        // Deleting the account keeps the case as the station's record, without the person.
        let deleted = resident
            .post_form("/me", "/api/delete-account", &[("password", PASSWORD)])
            .await?;
        assert_eq!(deleted.location(), "/?done=deleted");
        let db = domain::db::connect(&portal.db_url).await?;
        let kept = mediation_case::Entity::find()
            .filter(mediation_case::Column::Code.eq(code_of(&case)))
            .one(&db)
            .await?
            .ok_or("the case is kept")?;
        assert_eq!(kept.resident_id, None);

        let after: serde_json::Value =
            serde_json::from_str(&visitor.get("/api/v1/mediation/stats").await?.body)?;
        let total = |v: &serde_json::Value, k: &str| v["total"][k].as_i64().unwrap_or(-1);
        assert_eq!(total(&after, "received"), total(&before, "received") + 1);
        assert_eq!(total(&after, "resolved"), total(&before, "resolved") + 1);
        assert_eq!(
            total(&after, "amount_yuan"),
            total(&before, "amount_yuan") + 1200
        );
        assert_eq!(total(&after, "satisfied"), total(&before, "satisfied") + 1);
        Ok(())
    })
}

#[test]
fn only_the_resident_the_rooms_mediators_and_officers_see_a_case() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut owner = resident(&portal, "13812343333").await?;
        let case = file(&mut owner).await?;

        let mut neighbour = resident(&portal, "13812344444").await?;
        let page = neighbour.get(&case).await?;
        assert_eq!(
            page.status,
            StatusCode::NOT_FOUND,
            "a guessed code reveals nothing"
        );
        assert!(!page.body.contains("楼上 502 住户"));

        // Another room's mediator is no mediator of this case.
        let mut other_room = portal.sign_in("13900000103", DEMO_PASSWORD).await?;
        assert_eq!(other_room.get(&case).await?.status, StatusCode::NOT_FOUND);

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer.get(&case).await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("138****5678") && !page.body.contains("13812345678"));

        // Server functions refuse in JSON with the status, for scripts.
        let request = Request::post("/api/mediation/accept")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-csrf-token", neighbour.csrf())
            .body(Body::from(format!("code={}", code_of(&case))))?;
        let page = neighbour.send(request).await?;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{}", page.body);
        Ok(())
    })
}

#[test]
fn the_queue_and_calendars_are_for_mediators() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = resident(&portal, "13812345555").await?;
        assert_eq!(
            resident.get("/mediation/queue").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            resident.get("/mediation/rooms/2/schedule").await?.status,
            StatusCode::FORBIDDEN
        );
        let mut mediator = portal.sign_in(MEDIATOR, DEMO_PASSWORD).await?;
        assert_eq!(
            mediator.get("/mediation/rooms/3/schedule").await?.status,
            StatusCode::FORBIDDEN,
            "only the rooms they run"
        );
        let page = mediator
            .post_form(
                "/mediation/rooms/2/schedule",
                "/api/mediation/schedule/add",
                &[
                    ("room", "2"),
                    ("kind", "extra"),
                    ("day", "2099-01-01"),
                    ("start", "11:00"),
                    ("end", "10:00"),
                ],
            )
            .await?;
        assert!(
            page.location().contains("__err"),
            "an end before the start is refused"
        );
        let page = mediator
            .post_form(
                "/mediation/rooms/2/schedule",
                "/api/mediation/schedule/save",
                &[
                    ("room", "2"),
                    ("slot_minutes", "45"),
                    ("buffer_minutes", "15"),
                    ("horizon_days", "14"),
                ],
            )
            .await?;
        assert_eq!(page.location(), "/mediation/rooms/2/schedule?done=saved");
        let page = mediator.get("/mediation/rooms/2/schedule").await?;
        assert!(page.body.contains("value=\"45\""));
        Ok(())
    })
}

#[test]
fn per_mediator_figures_are_shown_to_staff_and_to_each_mediator_for_themselves() -> TestResult {
    run(async {
        let portal = portal().await?;
        let heading = "各调解员";
        let stats = portal.browser().get("/stats").await?;
        assert_eq!(stats.status, StatusCode::OK);
        assert!(!stats.body.contains(heading), "not for visitors");
        let mut resident = portal.sign_in("13900000001", DEMO_PASSWORD).await?;
        assert!(!resident.get("/stats").await?.body.contains(heading));

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let all = officer.get("/stats").await?.body;
        assert!(all.contains(heading), "officers see every mediator");
        let rows = |body: &str| {
            body.split("id=\"per-mediator\"")
                .nth(1)
                .and_then(|rest| rest.split("</table>").next())
                .map_or(0, |table| table.matches("<tr>").count())
        };
        let everyone = rows(&all);
        assert!(
            everyone > 2,
            "the demo's mediators, with the header: {everyone}"
        );

        let mut mediator = portal.sign_in(MEDIATOR, DEMO_PASSWORD).await?;
        let own = mediator.get("/stats").await?.body;
        assert!(own.contains(heading));
        assert_eq!(rows(&own), 2, "the header and their own line");
        Ok(())
    })
}

#[test]
fn a_referral_is_recorded_with_its_target_shown_on_the_case_and_counted() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = resident(&portal, "13812343333").await?;
        let case = file(&mut resident).await?;
        let code = code_of(&case).to_owned();
        let slot = second_slot(&resident.get(&case).await?.body).ok_or("slots")?;
        resident
            .post_form(
                &case,
                "/api/mediation/book",
                &[("code", &code), ("starts_at", &slot)],
            )
            .await?;
        let mut mediator = portal.sign_in(MEDIATOR, DEMO_PASSWORD).await?;
        mediator
            .post_form(&case, "/api/mediation/accept", &[("code", &code)])
            .await?;
        let form = mediator.get(&case).await?.body;
        assert!(form.contains("name=\"referred_to\"") && form.contains("区法院（诉调对接）"));

        let outcome = |to: &'static str, note: &'static str| {
            vec![
                ("code", code.clone()),
                ("outcome", "referred".to_owned()),
                ("agreement", String::new()),
                ("amount", String::new()),
                ("referred_to", to.to_owned()),
                ("referral_note", note.to_owned()),
            ]
        };
        let refused = mediator
            .post_form(&case, "/api/mediation/outcome", &pairs(&outcome("", "")))
            .await?;
        assert!(
            refused.location().contains("__err"),
            "a referral names its target"
        );
        let refused = mediator
            .post_form(
                &case,
                "/api/mediation/outcome",
                &pairs(&outcome("other", "")),
            )
            .await?;
        assert!(refused.location().contains("__err"), "\"other\" says where");
        assert!(
            !mediator
                .get(&case)
                .await?
                .body
                .contains("data-testid=\"referral\"")
        );

        let done = mediator
            .post_form(
                &case,
                "/api/mediation/outcome",
                &pairs(&outcome("other", "区劳动保障监察大队")),
            )
            .await?;
        assert_eq!(done.location(), format!("{case}?done=outcome"));
        let seen = resident.get(&case).await?.body;
        assert!(
            seen.contains("已转交：其他部门（区劳动保障监察大队）"),
            "the resident sees where"
        );
        assert!(seen.contains("转交结果未记录"));

        let result = mediator
            .post_form(
                &case,
                "/api/mediation/referral-result",
                &[("code", &code), ("result", "settled")],
            )
            .await?;
        assert_eq!(result.location(), format!("{case}?done=referral"));
        assert!(resident.get(&case).await?.body.contains("已由对方解决"));
        let refused = resident
            .post_form(
                &case,
                "/api/mediation/referral-result",
                &[("code", &code), ("result", "refused")],
            )
            .await?;
        assert!(
            refused.location().contains("__err"),
            "only the room's mediators"
        );

        let stats: serde_json::Value =
            serde_json::from_str(&portal.browser().get("/api/v1/mediation/stats").await?.body)?;
        let other = stats["referrals"]
            .as_array()
            .and_then(|lines| lines.iter().find(|l| l["target"] == "other"))
            .ok_or("a line per target in the JSON")?;
        assert!(other["referred"].as_u64() >= Some(1) && other["settled"].as_u64() >= Some(1));
        assert!(
            portal
                .browser()
                .get("/stats")
                .await?
                .body
                .contains("id=\"stats-referrals\"")
        );
        Ok(())
    })
}
