//! Roles, memberships and the admin log over HTTP, as a phone without JavaScript uses them:
//! taking a role back ends the memberships resting on it and the access they gave; admins
//! remove anyone from any organisation; every such act, and every look at household data,
//! is in the log admins read at /admin/audit. Also what 三色 leaves out of a case's history,
//! and whom a liaison sees behind 居民. Runs on SQLite, or PostgreSQL when
//! TEST_DATABASE_URL says so.

mod common;

use axum::http::StatusCode;
use common::{Browser, Error, Page, Portal, TestResult, open_walk_in, portal, run};
use domain::demo::DEMO_PASSWORD;
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};

const ADMIN: &str = "13700000002";
const ADMIN_PASSWORD: &str = "zhaobaoshan-admin-2026";
const OFFICER: &str = "13900000201";
const RESIDENT: &str = "13900000001";
const MEDIATOR: &str = "13900000101";
const BRANCH_MEDIATOR: &str = "13900000102";
const LEADER: &str = "13900000301";
const LIAISON: &str = "13900000401";
const STATION_MEMBER: &str = "13900000501";

/// A number the database answers to `sql` (a COUNT or an id; PostgreSQL's ids are 32-bit,
/// its counts 64-bit, so both are read as 64).
async fn number(db: &DatabaseConnection, sql: &str) -> Result<i64, Error> {
    let sql = format!("SELECT CAST(({sql}) AS BIGINT)");
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await?
        .ok_or("a row")?;
    Ok(row.try_get_by_index::<i64>(0)?)
}

/// The memberships of the demo account `phone`, in all four tables.
async fn memberships(db: &DatabaseConnection, phone: &str) -> Result<i64, Error> {
    let mut n = 0;
    for table in [
        "org_members",
        "room_mediators",
        "squad_members",
        "liaison_members",
    ] {
        n += number(
            db,
            &format!(
                "SELECT COUNT(*) FROM {table} \
                 WHERE user_id = (SELECT id FROM users WHERE phone = '{phone}')"
            ),
        )
        .await?;
    }
    Ok(n)
}

/// The portal with an admin, signed in.
async fn with_admin() -> Result<(Portal, DatabaseConnection, Browser), Error> {
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
    Ok((portal, db, admin))
}

async fn revoke(admin: &mut Browser, phone: &str, role: &str) -> Result<Page, Error> {
    admin
        .post_form(
            "/admin",
            "/api/admin/revoke-role",
            &[("phone", phone), ("role", role)],
        )
        .await
}

async fn grant(admin: &mut Browser, phone: &str, role: &str) -> Result<Page, Error> {
    admin
        .post_form(
            "/admin",
            "/api/admin/add-user",
            &[("phone", phone), ("role", role)],
        )
        .await
}

#[test]
fn taking_a_role_back_ends_the_memberships_and_the_access_they_gave() -> TestResult {
    run(async {
        let (portal, db, mut admin) = with_admin().await?;
        // (who, the role, a page their membership opens, whether the page's answer shows it)
        let people = [
            (STATION_MEMBER, "resident", "/board"),
            (MEDIATOR, "mediator", "/mediation/rooms/1/schedule"),
            (LEADER, "volunteer", "/volunteers/lead"),
        ];
        for (phone, role, path) in people {
            let mut person = portal.sign_in(phone, DEMO_PASSWORD).await?;
            assert_eq!(person.get(path).await?.status, StatusCode::OK, "{phone}");
            assert!(memberships(&db, phone).await? > 0, "{phone}");
            let page = revoke(&mut admin, phone, role).await?;
            assert_eq!(page.location(), "/admin?done=user", "{phone}");
            assert_eq!(
                memberships(&db, phone).await?,
                0,
                "{phone}: taking {role} back ends what rests on it"
            );
            // Giving the role back does not bring the memberships back.
            assert_eq!(
                grant(&mut admin, phone, role).await?.location(),
                "/admin?done=user"
            );
            assert_eq!(
                person.get(path).await?.status,
                StatusCode::FORBIDDEN,
                "{phone} has the role again but no longer belongs"
            );
        }
        // A liaison leaves their room with the role.
        assert!(memberships(&db, LIAISON).await? > 0);
        revoke(&mut admin, LIAISON, "liaison").await?;
        assert_eq!(memberships(&db, LIAISON).await?, 0);
        Ok(())
    })
}

#[test]
fn admins_remove_anyone_from_any_organisation_and_read_every_change_in_the_log() -> TestResult {
    run(async {
        let (portal, db, mut admin) = with_admin().await?;
        let room = number(
            &db,
            &format!(
                "SELECT room_id FROM room_mediators \
                 WHERE user_id = (SELECT id FROM users WHERE phone = '{BRANCH_MEDIATOR}')"
            ),
        )
        .await?;
        let page = admin
            .get(&format!("/admin/members?phone={BRANCH_MEDIATOR}"))
            .await?;
        assert_eq!(page.status, StatusCode::OK);
        assert!(
            page.body.contains(&format!("mediation_room:{room}")),
            "a remove form"
        );

        // Not for officers, and not for a made-up organisation.
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let org = format!("mediation_room:{room}");
        for (as_admin, org) in [
            (false, org.as_str()),
            (true, "mediation_room:99999"),
            (true, "planet:1"),
        ] {
            let browser = if as_admin { &mut admin } else { &mut officer };
            let page = browser
                .post_form(
                    "/admin/members",
                    "/api/admin/remove-member",
                    &[("phone", BRANCH_MEDIATOR), ("org", org)],
                )
                .await?;
            assert!(page.location().contains("__err="), "{org}: {page:?}");
        }
        assert_eq!(memberships(&db, BRANCH_MEDIATOR).await?, 1);

        let page = admin
            .post_form(
                "/admin/members",
                "/api/admin/remove-member",
                &[("phone", BRANCH_MEDIATOR), ("org", &org)],
            )
            .await?;
        assert_eq!(
            page.location(),
            format!("/admin/members?phone={BRANCH_MEDIATOR}&done=removed")
        );
        assert_eq!(memberships(&db, BRANCH_MEDIATOR).await?, 0);
        let mut mediator = portal.sign_in(BRANCH_MEDIATOR, DEMO_PASSWORD).await?;
        assert_eq!(
            mediator
                .get(&format!("/mediation/rooms/{room}/schedule"))
                .await?
                .status,
            StatusCode::FORBIDDEN,
            "the role alone opens no room"
        );

        revoke(&mut admin, LEADER, "volunteer").await?;
        let log = admin.get("/admin/audit").await?;
        assert_eq!(log.status, StatusCode::OK);
        for text in [
            "移出组织",
            "收回身份",
            BRANCH_MEDIATOR,
            LEADER,
            &org,
            "volunteer",
            "命令行",
        ] {
            assert!(log.body.contains(text), "the log shows {text}");
        }
        // Newest first: the leader's squad was ended after the room.
        let squad_at = log.body.find(LEADER).ok_or("the leader")?;
        let room_at = log.body.find(BRANCH_MEDIATOR).ok_or("the mediator")?;
        assert!(squad_at < room_at);
        assert!(admin.get("/admin").await?.body.contains("/admin/audit"));
        assert_eq!(
            officer.get("/admin/audit").await?.status,
            StatusCode::FORBIDDEN
        );
        assert_eq!(
            officer.get("/admin/members").await?.status,
            StatusCode::FORBIDDEN
        );
        Ok(())
    })
}

#[test]
fn household_data_stays_out_of_the_history_and_every_look_at_it_is_logged() -> TestResult {
    run(async {
        let (portal, db, mut admin) = with_admin().await?;
        let station = number(
            &db,
            &format!(
                "SELECT org_id FROM org_members \
                 WHERE user_id = (SELECT id FROM users WHERE phone = '{STATION_MEMBER}')"
            ),
        )
        .await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let code = open_walk_in(&mut officer, "楼上漏水多次").await?;
        let case_page = format!("/board/cases/{code}");
        let org = format!("aid_station:{station}");
        for fields in [
            vec![("step[action]", "assign"), ("step[org]", org.as_str())],
            vec![
                ("step[action]", "household"),
                ("step[note]", "槐树巷88号3单元401"),
            ],
        ] {
            let mut all = vec![("step[code]", code.as_str())];
            all.extend(fields);
            let page = officer
                .post_form(&case_page, "/api/board/move", &all)
                .await?;
            assert!(!page.location().contains("__err="), "{page:?}");
        }
        let mut member = portal.sign_in(STATION_MEMBER, DEMO_PASSWORD).await?;
        let page = member.get(&case_page).await?;
        assert_eq!(page.status, StatusCode::OK, "the station works the case");
        assert!(
            !page.body.contains("槐树巷"),
            "the station reads the history without the household"
        );
        let views = format!("SELECT COUNT(*) FROM colour_views WHERE page = '{case_page}'");
        assert_eq!(
            number(&db, &views).await?,
            0,
            "nothing shown, nothing logged"
        );

        let page = officer.get(&case_page).await?;
        assert!(
            page.body.contains("槐树巷88号3单元401"),
            "officers see the link"
        );
        assert_eq!(number(&db, &views).await?, 1, "and the look is logged");

        let log = admin.get("/admin/audit").await?;
        assert!(
            log.body.contains(&case_page),
            "admins read who looked where"
        );
        assert!(log.body.contains(OFFICER));
        Ok(())
    })
}

#[test]
fn a_liaison_sees_who_is_behind_an_anonymous_post_only_on_their_own_rooms_boards() -> TestResult {
    run(async {
        // The demo resident's account is new today: the first-day limit would stop at three.
        let mut web = server::config::WebSettings::default();
        web.teahouse.new_account_threads = 10;
        let portal = common::portal_with(web).await?;
        let db = domain::db::connect(&portal.db_url).await?;
        let liaison_room = |scope: &str| {
            format!(
                "SELECT MIN(id) FROM boards WHERE {scope} (SELECT liaison_room_id FROM \
                 liaison_members WHERE user_id = (SELECT id FROM users WHERE phone = '{LIAISON}'))"
            )
        };
        let own = number(&db, &liaison_room("liaison_room_id IN")).await?;
        let other = number(
            &db,
            &liaison_room("liaison_room_id IS NOT NULL AND liaison_room_id NOT IN"),
        )
        .await?;
        let general = number(
            &db,
            "SELECT MIN(id) FROM boards WHERE liaison_room_id IS NULL",
        )
        .await?;

        let mut resident = portal.sign_in(RESIDENT, DEMO_PASSWORD).await?;
        let mut liaison = portal.sign_in(LIAISON, DEMO_PASSWORD).await?;
        let mut officer = portal.sign_in(OFFICER, DEMO_PASSWORD).await?;
        let masked = domain::accounts::phone::mask(RESIDENT);
        for (board, title, shown) in [
            (own, "楼道里总有人堆放杂物", true),
            (other, "门口的摊位占了人行道", false),
            (general, "晚上广场舞的音响太响", false),
        ] {
            let board = board.to_string();
            let page = resident
                .post_form(
                    &format!("/teahouse/b/{board}/new"),
                    "/api/teahouse/start",
                    &[
                        ("thread[board_id]", board.as_str()),
                        ("thread[title]", title),
                        ("thread[body]", "大家都看到了，希望有人管一管。"),
                        ("thread[community_id]", ""),
                        ("thread[anonymous]", "on"),
                    ],
                )
                .await?;
            let thread = page
                .location()
                .split('?')
                .next()
                .unwrap_or_default()
                .to_owned();
            assert!(thread.starts_with("/teahouse/t/"), "{page:?}");
            for path in [thread.clone(), format!("/teahouse/b/{board}")] {
                let as_liaison = liaison.get(&path).await?.body;
                assert_eq!(
                    as_liaison.contains(&masked),
                    shown,
                    "{title} on {path}: the liaison sees who it is only on their room's board"
                );
                let as_officer = officer.get(&path).await?.body;
                assert!(
                    as_officer.contains(RESIDENT),
                    "officers see who it is everywhere"
                );
            }
        }
        Ok(())
    })
}
