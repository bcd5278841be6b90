//! 警网融合 over HTTP as a phone without JavaScript uses it: who may reach the board, 三色
//! and the figures; a station's member sees only the station's cases; a walk-in goes round
//! the loop and the figures count it. Runs on SQLite, or PostgreSQL when TEST_DATABASE_URL
//! says so.

mod common;

use axum::http::StatusCode;
use common::{Browser, Error, Page, TestResult, open_walk_in, portal, run};
use domain::demo::DEMO_PASSWORD;

const RESIDENT: &str = "13900000001";
const OFFICER: &str = "13900000201";

/// An account of a mutual-aid station's people, made for the test.
async fn station_member(db_url: &str, phone: &str, station: i32) -> Result<(), Error> {
    use domain::casework::{Org, OrgKind};
    let db = domain::db::connect(db_url).await?;
    let member = domain::accounts::add_user(
        &db,
        phone,
        Some("station-member-2026"),
        &[domain::accounts::Role::Resident],
        chrono::Utc::now(),
    )
    .await?;
    let admin = domain::accounts::add_user(
        &db,
        "13700000799",
        Some("station-admin-2026"),
        &[domain::accounts::Role::Admin],
        chrono::Utc::now(),
    )
    .await?;
    domain::casework::add_member(
        &db,
        &admin,
        Org {
            kind: OrgKind::AidStation,
            id: Some(station),
        },
        member.user.id,
        chrono::Utc::now(),
    )
    .await?;
    Ok(())
}

async fn step(browser: &mut Browser, code: &str, fields: &[(&str, &str)]) -> Result<Page, Error> {
    // Owned here: a vector of borrowed pairs of two lifetimes held across the await makes
    // the test's future not `Send` for every lifetime.
    let owned: Vec<(String, String)> = std::iter::once(("step[code]", code))
        .chain(fields.iter().copied())
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let all: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser
        .post_form(&format!("/board/cases/{code}"), "/api/board/move", &all)
        .await
}

/// (closed, solved without police) of the mutual-aid stations, from the figures' CSV.
async fn aid_stations_row(officer: &mut Browser) -> Result<(u64, u64), Error> {
    let csv = officer
        .get("/board/figures.csv?table=without_police&period=30d")
        .await?;
    let row = csv
        .body
        .lines()
        .find_map(|l| l.strip_prefix("aid_station,"))
        .ok_or("a row for the stations")?;
    let (closed, solved) = row.split_once(',').ok_or("two numbers")?;
    Ok((closed.trim().parse()?, solved.trim().parse()?))
}

#[test]
fn residents_and_visitors_cannot_reach_the_board() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        for path in ["/board", "/board/colours", "/board/figures", "/board/new"] {
            let as_visitor = visitor.get(path).await?;
            assert!(
                matches!(
                    as_visitor.status,
                    StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN
                ),
                "{path} for a visitor: {}",
                as_visitor.status
            );
            let page = resident.get(path).await?;
            assert_eq!(page.status, StatusCode::FORBIDDEN, "{path} for a resident");
        }
        assert_eq!(
            resident
                .get("/board/figures.csv?table=by_kind")
                .await?
                .status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            visitor
                .get("/board/figures.csv?table=by_kind")
                .await?
                .status,
            StatusCode::UNAUTHORIZED
        );
        let refused = resident
            .post_form(
                "/board/new",
                "/api/board/open",
                &[("case[kind]", "walk_in"), ("case[title]", "居民自己开案件")],
            )
            .await?;
        assert!(refused.location().contains("__err"));
        Ok(())
    })
}

#[test]
fn a_walk_in_goes_round_the_loop_and_the_station_sees_only_its_own() -> TestResult {
    run(async {
        let portal = portal().await?;
        station_member(&portal.db_url, "13700000701", 1).await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let ours = open_walk_in(&mut officer, "楼道里堆满纸箱").await?;
        let theirs = open_walk_in(&mut officer, "隔壁小区的停车纠纷").await?;
        let assigned = step(
            &mut officer,
            &ours,
            &[("step[action]", "assign"), ("step[org]", "aid_station:1")],
        )
        .await?;
        assert_eq!(
            assigned.location(),
            format!("/board/cases/{ours}?done=assign")
        );
        step(
            &mut officer,
            &theirs,
            &[("step[action]", "assign"), ("step[org]", "aid_station:2")],
        )
        .await?;
        let stages = officer
            .get("/board/figures.csv?table=by_stage&period=30d")
            .await?;
        assert_eq!(stages.status, StatusCode::OK);
        assert!(
            stages.body.starts_with("\u{feff}stage,cases"),
            "{}",
            stages.body
        );
        let before = aid_stations_row(&mut officer).await?;

        let mut member = portal.sign_in("13700000701", "station-member-2026").await?;
        let board = member.get("/board").await?;
        assert_eq!(board.status, StatusCode::OK);
        assert!(board.body.contains("楼道里堆满纸箱"));
        assert!(
            !board.body.contains("隔壁小区的停车纠纷"),
            "another station's case stays out of sight"
        );
        assert_eq!(
            member.get(&format!("/board/cases/{theirs}")).await?.status,
            StatusCode::NOT_FOUND
        );
        let refused = step(&mut member, &theirs, &[("step[action]", "start")]).await?;
        assert!(refused.location().contains("__err"));
        step(&mut member, &ours, &[("step[action]", "start")]).await?;
        let reported = step(
            &mut member,
            &ours,
            &[
                ("step[action]", "report"),
                ("step[note]", "已联系物业清走纸箱"),
            ],
        )
        .await?;
        assert_eq!(
            reported.location(),
            format!("/board/cases/{ours}?done=report")
        );
        let closing = step(
            &mut member,
            &ours,
            &[("step[action]", "close"), ("step[feedback]", "满意")],
        )
        .await?;
        assert!(
            closing.location().contains("__err"),
            "the officer closes, not the station"
        );

        let no_feedback = step(&mut officer, &ours, &[("step[action]", "close")]).await?;
        let page = officer.get(no_feedback.location()).await?;
        assert!(
            page.body.contains("办结前需要居民的反馈"),
            "a resident's case needs their word"
        );
        step(
            &mut officer,
            &ours,
            &[
                ("step[action]", "close"),
                ("step[feedback]", "纸箱清走了，谢谢"),
                ("step[rating]", "5"),
            ],
        )
        .await?;
        let case = officer.get(&format!("/board/cases/{ours}")).await?;
        for shown in [
            "已办结",
            "受理",
            "分派",
            "开始办理",
            "报告结果",
            "办结",
            "纸箱清走了",
        ] {
            assert!(case.body.contains(shown), "the history shows {shown}");
        }
        let after = aid_stations_row(&mut officer).await?;
        assert_eq!(
            (after.0, after.1),
            (before.0 + 1, before.1 + 1),
            "the station's case counts as closed and solved without police"
        );
        let figures = officer.get("/board/figures?period=30d").await?;
        assert_eq!(figures.status, StatusCode::OK);
        assert!(figures.body.contains("<svg") && figures.body.contains("<rect"));
        Ok(())
    })
}

#[test]
fn every_look_at_the_colours_is_logged() -> TestResult {
    run(async {
        use sea_orm::{EntityTrait, PaginatorTrait};
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let before = domain::entities::colour_view::Entity::find()
            .count(&db)
            .await?;
        assert_eq!(officer.get("/board/colours").await?.status, StatusCode::OK);
        assert_eq!(officer.get("/board/colours").await?.status, StatusCode::OK);
        let after = domain::entities::colour_view::Entity::find()
            .count(&db)
            .await?;
        assert_eq!(after, before + 2);
        Ok(())
    })
}

#[test]
fn an_officer_changes_a_stage_deadline_and_bad_hours_change_nothing() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let page = officer.get("/board/deadlines").await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains("168 小时 · 超时上报"),
            "the seeded week in progress"
        );
        assert!(page.body.contains("action=\"/api/board/deadline\""));

        let deadline = |hours: &'static str| {
            [
                ("deadline[kind]", "patrol"),
                ("deadline[stage]", "in_progress"),
                ("deadline[hours]", hours),
            ]
        };
        for bad in ["0", "8761", "一天", "99999999999999999999"] {
            let refused = officer
                .post_form("/board/deadlines", "/api/board/deadline", &deadline(bad))
                .await?;
            assert!(refused.location().contains("__err"), "{bad}: {refused:?}");
        }
        // The page's main part (the rest carries a fresh nonce).
        let main = |body: &str| {
            let start = body.find("<main").unwrap_or(0);
            let end = body.find("</main>").unwrap_or(body.len());
            body.get(start..end).unwrap_or_default().to_owned()
        };
        let unchanged = officer.get("/board/deadlines").await?;
        assert!(
            main(&unchanged.body) == main(&page.body),
            "a refused deadline changed the table"
        );

        let saved = officer
            .post_form("/board/deadlines", "/api/board/deadline", &deadline("30"))
            .await?;
        assert_eq!(saved.location(), "/board/deadlines?done=saved");
        let page = officer.get(saved.location()).await?;
        assert!(page.body.contains("时限已保存"));
        // Unticked: a patrol find in progress for 30 hours is flagged, not moved up.
        assert!(page.body.contains("<td>30 小时</td>"), "{}", page.body);

        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let refused = resident
            .post_form("/", "/api/board/deadline", &deadline("1"))
            .await?;
        assert!(refused.location().contains("__err"), "{refused:?}");
        assert!(
            !officer
                .get("/board/deadlines")
                .await?
                .body
                .contains("<td>1 小时")
        );
        Ok(())
    })
}

#[test]
fn an_officer_records_the_graded_response_and_the_colours_show_it() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let household = "梅墩花园 9幢101";
        let mut codes = Vec::new();
        for title in ["夫妻争吵求助", "夫妻再次争吵"] {
            let code = open_walk_in(&mut officer, title).await?;
            step(
                &mut officer,
                &code,
                &[("step[action]", "household"), ("step[note]", household)],
            )
            .await?;
            codes.push(code);
        }
        let today = domain::time::local_date(chrono::Utc::now()).to_string();
        // A step before the kind is set: refused in words, nothing recorded.
        let page = step(
            &mut officer,
            &codes[0],
            &[
                ("step[action]", "grade"),
                ("step[note]", "education"),
                ("step[on]", &today),
            ],
        )
        .await?;
        assert!(page.location().contains("__err="), "{page:?}");
        let back = officer
            .get(page.location().trim_start_matches("http://127.0.0.1:3000"))
            .await?;
        assert!(
            back.body.contains("请先把案件标为情感类或家暴类"),
            "{}",
            back.body
        );

        let page = step(
            &mut officer,
            &codes[0],
            &[("step[action]", "concern"), ("step[note]", "domestic")],
        )
        .await?;
        assert!(page.location().contains("done=concern"), "{page:?}");
        let page = step(
            &mut officer,
            &codes[0],
            &[
                ("step[action]", "grade"),
                ("step[note]", "admonition"),
                ("step[on]", &today),
            ],
        )
        .await?;
        assert!(page.location().contains("done=grade"), "{page:?}");
        let case = officer.get(&format!("/board/cases/{}", codes[0])).await?;
        assert!(case.body.contains("家暴类") && case.body.contains(&format!("二次训诫 {today}")));
        let colours = officer.get("/board/colours").await?;
        assert!(colours.body.contains(household) && colours.body.contains("二次训诫"));

        // A station's people do not record it, and never see it.
        station_member(&portal.db_url, "13700000801", 1).await?;
        let mut member = portal.sign_in("13700000801", "station-member-2026").await?;
        let page = step(
            &mut member,
            &codes[1],
            &[("step[action]", "concern"), ("step[note]", "emotional")],
        )
        .await?;
        assert!(page.location().contains("__err=") || page.status.is_client_error());
        Ok(())
    })
}
