//! 警事茶楼 over HTTP as a phone without JavaScript uses it: posting, the liaison's badge,
//! accepting an answer, roles checked on the server, new-account limits, and hostile text
//! posted through the real forms coming back as text. Runs on SQLite, or PostgreSQL when
//! TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Browser, Error, Page, TestResult, portal, portal_with, run};
use domain::demo::DEMO_PASSWORD;

const RESIDENT: &str = "13900000001";
const OTHER_RESIDENT: &str = "13900000002";
/// A liaison of 人大代表联络室 in the demo data.
const LIAISON: &str = "13900000401";
const OFFICER: &str = "13900000201";

/// The id of the board named `name`, read off the tea house's front page.
async fn board_id(browser: &mut Browser, name: &str) -> Result<String, Error> {
    let page = browser.get("/teahouse").await?;
    let at = page
        .body
        .find(name)
        .ok_or_else(|| format!("board {name} is listed"))?;
    let before = &page.body[..at];
    let start = before.rfind("/teahouse/b/").ok_or("a link to the board")?;
    Ok(before[start + "/teahouse/b/".len()..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect())
}

/// Starts a thread through the form; the thread's path (`/teahouse/t/N`) comes back.
async fn start(
    browser: &mut Browser,
    board: &str,
    title: &str,
    body: &str,
    extra: &[(&str, &str)],
) -> Result<Page, Error> {
    let mut fields = vec![
        ("thread[board_id]", board),
        ("thread[title]", title),
        ("thread[body]", body),
        ("thread[community_id]", ""),
    ];
    fields.extend_from_slice(extra);
    browser
        .post_form(
            &format!("/teahouse/b/{board}/new"),
            "/api/teahouse/start",
            &fields,
        )
        .await
}

async fn reply(browser: &mut Browser, thread: &str, body: &str) -> Result<Page, Error> {
    browser
        .post_form(
            &format!("/teahouse/t/{thread}"),
            "/api/teahouse/reply",
            &[("reply[thread_id]", thread), ("reply[body]", body)],
        )
        .await
}

/// `/teahouse/t/12` → "12"; `…#p34` → "34" for `post_of`.
fn thread_of(location: &str) -> String {
    location
        .trim_start_matches("/teahouse/t/")
        .chars()
        .take_while(char::is_ascii_digit)
        .collect()
}

fn post_of(location: &str) -> String {
    location
        .rsplit_once("#p")
        .map(|(_, id)| id.to_owned())
        .unwrap_or_default()
}

#[test]
fn visitors_read_and_are_asked_to_sign_in_to_post() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut visitor = portal.browser();
        let front = visitor.get("/teahouse").await?;
        assert_eq!(front.status, StatusCode::OK);
        assert!(front.body.contains("茶叙") && front.body.contains("人大代表联络室"));
        let board = board_id(&mut visitor, "茶叙").await?;
        let list = visitor.get(&format!("/teahouse/b/{board}")).await?;
        assert_eq!(list.status, StatusCode::OK);
        assert!(
            list.body.contains("/teahouse/t/"),
            "the board lists threads"
        );
        assert!(
            !list.body.contains("13900000"),
            "no phone number on a public page"
        );
        let form = visitor.get(&format!("/teahouse/b/{board}/new")).await?;
        assert_eq!(form.status, StatusCode::UNAUTHORIZED);
        assert!(form.body.contains("/login?next="), "offers to sign in");
        let refused = start(&mut visitor, &board, "访客想发帖", "可以吗？", &[]).await?;
        assert!(refused.location().contains("__err"));
        let unknown = visitor.get("/teahouse/t/999999").await?;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        Ok(())
    })
}

#[test]
fn a_liaison_answers_with_the_badge_and_the_resident_accepts() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let board = board_id(&mut resident, "人大代表联络室").await?;
        let posted = start(
            &mut resident,
            &board,
            "小区门口的路灯坏了一个月",
            "晚上回家很黑，老人容易摔跤。",
            &[("thread[anonymous]", "on")],
        )
        .await?;
        assert!(posted.location().starts_with("/teahouse/t/"), "{posted:?}");
        let thread = thread_of(posted.location());

        let mut other = portal.sign_in(OTHER_RESIDENT, DEMO_PASSWORD).await?;
        let seen = other.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(seen.body.contains("小区门口的路灯坏了一个月"));
        assert!(
            seen.body.contains("居民") && !seen.body.contains("1390000"),
            "posted as 居民: neither name nor number shows"
        );

        let mut liaison = portal.sign_in(LIAISON, DEMO_PASSWORD).await?;
        let staff_view = liaison.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(
            staff_view.body.contains("139****0001"),
            "staff see who is behind 居民, masked for a liaison"
        );
        let answered = reply(&mut liaison, &thread, "已报给街道城管，三天内修好。").await?;
        let answer = post_of(answered.location());
        assert!(!answer.is_empty(), "{answered:?}");
        let page = resident.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(
            page.body.contains("人大代表联络室联络员"),
            "the answer carries the room's badge"
        );

        let accepted = resident
            .post_form(
                &format!("/teahouse/t/{thread}"),
                "/api/teahouse/accept",
                &[("thread_id", &thread), ("post_id", &answer)],
            )
            .await?;
        assert_eq!(
            accepted.location(),
            format!("/teahouse/t/{thread}?done=accepted")
        );
        let page = resident.get(accepted.location()).await?;
        assert!(page.body.contains("采纳的答复") && page.body.contains("已答复"));

        let not_mine = other
            .post_form(
                &format!("/teahouse/t/{thread}"),
                "/api/teahouse/resolve",
                &[("thread_id", &thread)],
            )
            .await?;
        assert!(
            not_mine.location().contains("__err"),
            "only the author settles"
        );
        let inbox = liaison.get("/me/inbox").await?;
        assert!(inbox.body.contains("答复被采纳"), "the liaison hears of it");
        Ok(())
    })
}

#[test]
fn moderation_and_cases_are_for_officers() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let board = board_id(&mut resident, "茶叙").await?;
        let posted = start(
            &mut resident,
            &board,
            "楼下广场舞太吵",
            "每天晚上九点半还在放音乐。",
            &[],
        )
        .await?;
        let thread = thread_of(posted.location());

        assert_eq!(
            resident.get("/teahouse/moderation").await?.status,
            StatusCode::FORBIDDEN
        );
        for (action, fields) in [
            (
                "/api/teahouse/moderate-thread",
                vec![("thread_id", thread.as_str()), ("action", "lock")],
            ),
            (
                "/api/teahouse/to-case",
                vec![
                    ("case[thread_id]", thread.as_str()),
                    ("case[dispute_type]", "neighbours"),
                    ("case[room_id]", "1"),
                    ("case[other_party]", "广场舞队"),
                ],
            ),
        ] {
            let refused = resident
                .post_form(&format!("/teahouse/t/{thread}"), action, &fields)
                .await?;
            assert!(refused.location().contains("__err"), "{action}");
        }

        let mut neighbour = portal.sign_in(OTHER_RESIDENT, DEMO_PASSWORD).await?;
        let flagged = reply(&mut neighbour, &thread, "楼上的别装了，我知道你是谁").await?;
        let post = post_of(flagged.location());
        let report = resident
            .post_form(
                &format!("/teahouse/t/{thread}"),
                "/api/teahouse/flag",
                &[
                    ("thread_id", &thread),
                    ("post_id", &post),
                    ("reason", "abuse"),
                    ("note", ""),
                ],
            )
            .await?;
        assert_eq!(
            report.location(),
            format!("/teahouse/t/{thread}?done=flagged")
        );

        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let queue = officer.get("/teahouse/moderation").await?;
        assert_eq!(queue.status, StatusCode::OK);
        assert!(queue.body.contains("我知道你是谁"));
        let hidden = officer
            .post_form(
                "/teahouse/moderation",
                "/api/teahouse/moderate-post",
                &[
                    ("thread_id", &thread),
                    ("post_id", &post),
                    ("action", "hide"),
                    ("note", "人身攻击"),
                    ("from_queue", "1"),
                ],
            )
            .await?;
        assert_eq!(hidden.location(), "/teahouse/moderation?done=hide");
        let page = resident.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(
            !page.body.contains("我知道你是谁") && page.body.contains("已被管理员隐藏"),
            "the hidden reply is gone for residents"
        );
        let log = officer.get("/teahouse/moderation").await?;
        assert!(log.body.contains("人身攻击") && log.body.contains("楼下广场舞太吵"));

        let case = officer
            .post_form(
                &format!("/teahouse/t/{thread}"),
                "/api/teahouse/to-case",
                &[
                    ("case[thread_id]", &thread),
                    ("case[dispute_type]", "neighbours"),
                    ("case[room_id]", "1"),
                    ("case[other_party]", "广场舞队"),
                ],
            )
            .await?;
        assert!(
            case.location().starts_with("/mediation/cases/ZBS-"),
            "{case:?}"
        );
        let page = resident.get(case.location()).await?;
        assert_eq!(page.status, StatusCode::OK, "the author's own case now");
        assert!(
            page.body.contains(&format!("/teahouse/t/{thread}")),
            "the case links back to the thread"
        );
        let page = resident.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(page.body.contains("已转为调解案件"));
        Ok(())
    })
}

#[test]
fn new_accounts_are_limited_with_a_clear_message() -> TestResult {
    run(async {
        let portal = portal().await?;
        let mut fresh = portal.browser();
        let registered = fresh
            .post_form(
                "/register",
                "/api/register",
                &[
                    ("phone", "13700000501"),
                    ("password", "correct-horse-9"),
                    ("community", "1"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert!(
            registered.status == StatusCode::FOUND && !registered.location().contains("__err"),
            "{registered:?}"
        );
        let board = board_id(&mut fresh, "茶叙").await?;
        let nameless = start(&mut fresh, &board, "第一次发帖", "大家好", &[]).await?;
        assert!(
            nameless.location().contains("__err"),
            "a name or 居民 is needed"
        );
        for n in 1..=3 {
            let posted = start(
                &mut fresh,
                &board,
                &format!("新人第{n}个帖子"),
                "大家好",
                &[("thread[display_name]", "新邻居")],
            )
            .await?;
            assert!(posted.location().starts_with("/teahouse/t/"), "thread {n}");
        }
        let fourth = start(&mut fresh, &board, "新人第4个帖子", "大家好", &[]).await?;
        assert!(fourth.location().contains("__err"));
        let page = fresh.get(fourth.location()).await?;
        assert!(
            page.body.contains("第一天最多发 3 个帖子"),
            "the limit is explained"
        );
        Ok(())
    })
}

#[test]
fn hostile_text_posted_through_the_forms_comes_back_as_text() -> TestResult {
    run(async {
        let payloads: Vec<String> =
            serde_json::from_str(include_str!("../../end2end/tests/data/xss-payloads.json"))?;
        assert!(payloads.len() >= 30);
        let mut web = server::config::WebSettings::default();
        web.teahouse.posts_per_window = 1000;
        let portal = portal_with(web).await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let board = board_id(&mut officer, "茶叙").await?;
        let posted = start(
            &mut officer,
            &board,
            "<script>alert(1)</script>标题",
            &payloads[0],
            &[],
        )
        .await?;
        let thread = thread_of(posted.location());
        assert!(!thread.is_empty(), "{posted:?}");
        // The page's own scripts as the reader below sees it (an author's page has one more:
        // the photo form's).
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let clean = resident.get(&format!("/teahouse/t/{thread}")).await?.body;
        let scripts = clean.matches("<script").count();
        for payload in &payloads {
            let answered = reply(&mut officer, &thread, payload).await?;
            assert!(
                !answered.location().contains("__err"),
                "{payload} is accepted as text"
            );
        }
        let page = resident
            .get(&format!("/teahouse/t/{thread}?page=1"))
            .await?;
        assert_eq!(page.status, StatusCode::OK);
        // Escaped text never holds a raw `<`: whatever sits between `<` and `>` is markup
        // the page made, and that is where a payload must not have got.
        let tags: Vec<String> = page
            .body
            .split('<')
            .skip(1)
            .map(|rest| format!("<{}", rest.split('>').next().unwrap_or_default()).to_lowercase())
            .collect();
        assert_eq!(
            tags.iter().filter(|t| t.starts_with("<script")).count(),
            scripts,
            "no script element beyond the page's own"
        );
        for tag in &tags {
            for markup in [
                "<img",
                "<svg",
                "<iframe",
                "<object",
                "<embed",
                "<math",
                "<template",
                "<noscript",
                "<style",
                "<base",
                "<input autofocus",
                "<meta http-equiv",
                "<link rel=stylesheet",
                "javascript:",
                "data:text",
                "&#106",
                " onerror",
                " onload",
                " onclick",
                " onmouseover",
                " onfocus",
                " ontoggle",
                " style=",
            ] {
                assert!(
                    !tag.contains(markup),
                    "{markup} reached the page as markup: {tag}"
                );
            }
        }
        assert!(
            page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the text is still there to read"
        );
        assert!(
            page.body.contains("rel=\"nofollow ugc noopener\""),
            "residents' links are marked"
        );
        Ok(())
    })
}

#[test]
fn an_admin_opens_a_board_and_makes_a_liaison() -> TestResult {
    run(async {
        let portal = portal().await?;
        let db = domain::db::connect(&portal.db_url).await?;
        domain::accounts::add_user(
            &db,
            "13700000601",
            Some("station-admin-2026"),
            &[domain::accounts::Role::Admin],
            chrono::Utc::now(),
        )
        .await?;
        let board = [
            ("board[office]", "2"),
            ("board[room]", ""),
            ("board[name]", "后海塘茶叙"),
            ("board[description]", "园区里的事，坐下来聊"),
            ("board[answer_hours]", "24"),
        ];
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let refused = officer
            .post_form("/admin", "/api/admin/open-board", &board)
            .await?;
        assert!(
            refused.location().contains("__err"),
            "officers do not open boards"
        );

        let mut admin = portal.sign_in("13700000601", "station-admin-2026").await?;
        let opened = admin
            .post_form("/admin", "/api/admin/open-board", &board)
            .await?;
        assert!(opened.location().starts_with("/teahouse/b/"), "{opened:?}");
        let page = admin.get(opened.location()).await?;
        assert!(page.body.contains("后海塘茶叙") && page.body.contains("24"));
        let twice = admin
            .post_form("/admin", "/api/admin/open-board", &board)
            .await?;
        let page = admin.get(twice.location()).await?;
        assert!(
            page.body.contains("已经有同名的版块了"),
            "one board per name"
        );

        let room = board_id(&mut admin, "人大代表联络室").await?;
        let made = admin
            .post_form(
                "/admin",
                "/api/admin/add-liaison",
                &[("phone", OTHER_RESIDENT), ("room", "1")],
            )
            .await?;
        assert_eq!(made.location(), "/admin?done=user");
        let mut new_liaison = portal.sign_in(OTHER_RESIDENT, DEMO_PASSWORD).await?;
        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let posted = start(
            &mut resident,
            &room,
            "社区活动室什么时候开放",
            "想带孩子去看书。",
            &[],
        )
        .await?;
        let thread = thread_of(posted.location());
        reply(&mut new_liaison, &thread, "每天上午九点到下午五点开放。").await?;
        let page = resident.get(&format!("/teahouse/t/{thread}")).await?;
        assert!(
            page.body.contains("人大代表联络室联络员"),
            "the new liaison answers with the badge"
        );
        Ok(())
    })
}
